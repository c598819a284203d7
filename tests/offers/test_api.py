"""The offers API across the personas: alice owns, bob is her institution's office, charlie
is another institution's office, erin is a lecturer of a third institution; plus visitors."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.api import LONE_SURROGATE
from offers import services, validation
from offers.api import NOT_CLOSER, NOT_EDITOR, SEVERAL_INSTITUTIONS
from offers.models import Offer, OfferStatus
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("api:offer-list")


def detail(offer) -> str:
    return reverse("api:offer-detail", args=[offer.pk])


def publish(offer) -> str:
    return reverse("api:offer-publish", args=[offer.pk])


def close(offer) -> str:
    return reverse("api:offer-close", args=[offer.pk])


def titles(response) -> list[str]:
    return [o["title"] for o in response.json()["results"]]


def sign_in(api, persona: str, request):
    """Sign the client in as a persona fixture's user; "visitor" stays anonymous."""
    if persona != "visitor":
        api.force_login(request.getfixturevalue(persona))
    return api


@pytest.fixture
def draft(alice):
    return factories.make_offer(alice, publish=False, title="Alice's unpublished draft")


@pytest.fixture
def open_offer(alice):
    return factories.make_offer(alice, title="Mangrove Restoration Studio")


@pytest.fixture
def closed_offer(alice):
    offer = factories.make_offer(alice, title="Last year's closed course")
    return services.offer_close(offer=offer, actor=alice)


# --- who sees what ------------------------------------------------------------------------


def test_visitor_lists_only_open_offers_without_the_owners_name_or_email(
    api, draft, open_offer, closed_offer
):
    response = api.get(LIST)
    assert response.status_code == 200
    assert titles(response) == ["Mangrove Restoration Studio"]
    assert response.json()["results"][0]["owner"] is None
    assert "Alice Tan" not in response.content.decode()
    assert "alice@um.edu.my" not in response.content.decode()


def test_visitor_reads_an_open_offer_but_never_its_owner(api, open_offer):
    response = api.get(detail(open_offer))
    assert response.status_code == 200
    assert response.json()["title"] == "Mangrove Restoration Studio"
    assert response.json()["owner"] is None
    assert "alice@um.edu.my" not in response.content.decode()


def test_signed_in_user_sees_the_owners_name_but_not_their_email(api, erin, open_offer):
    api.force_login(erin)
    listed = api.get(LIST).json()["results"][0]
    shown = api.get(detail(open_offer)).json()
    assert listed["owner"] == {"name": "Alice Tan"}
    assert shown["owner"] == {"name": "Alice Tan"}
    assert "alice@um.edu.my" not in json.dumps([listed, shown])


@pytest.mark.parametrize(
    ("persona", "sees_draft"),
    [("alice", True), ("bob", True), ("charlie", False), ("erin", False), ("visitor", False)],
)
def test_lists_never_leak_another_users_drafts(
    api, request, persona, sees_draft, draft, open_offer
):
    response = sign_in(api, persona, request).get(LIST)
    assert response.status_code == 200
    assert ("Alice's unpublished draft" in titles(response)) is sees_draft
    assert "Mangrove Restoration Studio" in titles(response)


@pytest.mark.parametrize(
    ("persona", "draft_status", "closed_status"),
    [
        ("alice", 200, 200),
        ("bob", 200, 200),
        ("charlie", 404, 200),
        ("erin", 404, 200),
        ("visitor", 404, 404),
    ],
)
def test_who_may_read_a_draft_and_a_closed_offer(
    api, request, persona, draft_status, closed_status, draft, closed_offer
):
    sign_in(api, persona, request)
    assert api.get(detail(draft)).status_code == draft_status
    assert api.get(detail(closed_offer)).status_code == closed_status


def test_signed_in_users_also_see_closed_offers_in_the_list(api, erin, open_offer, closed_offer):
    api.force_login(erin)
    assert sorted(titles(api.get(LIST))) == [
        "Last year's closed course",
        "Mangrove Restoration Studio",
    ]


def test_unknown_offer_is_404_for_everyone(api, alice):
    api.force_login(alice)
    assert api.get("/api/v1/offers/999999/").status_code == 404


def test_detail_tells_the_client_what_the_user_may_do(api, alice, bob, erin, open_offer):
    api.force_login(alice)
    assert api.get(detail(open_offer)).json()["can_edit"] is True
    api.force_login(bob)
    mine = api.get(detail(open_offer)).json()
    assert (mine["can_edit"], mine["can_manage"]) == (False, True)
    api.force_login(erin)
    theirs = api.get(detail(open_offer)).json()
    assert (theirs["can_edit"], theirs["can_manage"]) == (False, False)


def test_excluded_countries_are_shown_to_the_owner_only(api, alice, erin):
    offer = factories.make_offer(alice, excluded_countries=["NL"])
    api.force_login(alice)
    assert api.get(detail(offer)).json()["excluded_countries"] == ["NL"]
    api.force_login(erin)
    assert api.get(detail(offer)).json()["excluded_countries"] is None


# --- create -------------------------------------------------------------------------------


def test_lecturer_creates_a_draft_with_its_languages_windows_and_sdgs(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json())
    assert response.status_code == 201
    body = response.json()
    offer = Offer.objects.get(pk=body["id"])
    assert response["Location"] == detail(offer)
    assert offer.owner == alice
    assert offer.institution.name == "Universiti Malaya"
    assert body["status"] == "draft"
    assert body["languages"] == [{"language": "en", "cefr": "B2", "name": "English"}]
    assert body["windows"] == [
        {"weekday": 1, "start": "15:00", "end": "17:00"},
        {"weekday": 3, "start": "15:00", "end": "17:00"},
    ]
    assert body["sdgs"] == [13, 14]
    assert body["isced"] == "0521"
    assert body["institution"]["region"] == "asia"


def test_lecturer_names_the_institution_when_she_teaches_at_two(
    api, alice, thai_institution, offer_json
):
    factories.affiliate(alice, thai_institution, "lecturer")
    api.force_login(alice)
    response = api.post(LIST, offer_json())
    assert response.status_code == 400
    assert response.json() == {"institution": [str(SEVERAL_INSTITUTIONS)]}
    response = api.post(LIST, offer_json(institution=thai_institution.pk))
    assert response.status_code == 201
    assert response.json()["institution"]["name"] == "Chulalongkorn University"


def test_lecturer_cannot_create_for_an_institution_not_hers(
    api, alice, european_institution, offer_json
):
    api.force_login(alice)
    response = api.post(LIST, offer_json(institution=european_institution.pk))
    assert response.status_code == 403
    assert "Only a verified lecturer of Wageningen University" in response.json()["detail"]
    assert not Offer.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_an_office_cannot_create_offers(api, request, persona, offer_json):
    response = sign_in(api, persona, request).post(LIST, offer_json())
    assert response.status_code == 403
    assert "Only verified lecturers register offers" in response.json()["detail"]


def test_visitor_cannot_create_an_offer(api, offer_json):
    response = api.post(LIST, offer_json())
    assert response.status_code == 401
    assert not Offer.objects.exists()


def test_created_offer_once_published_appears_in_anothers_list_and_search(
    api, alice, erin, offer_json
):
    api.force_login(alice)
    created = api.post(LIST, offer_json(title="Seagrass Meadows Field Lab")).json()
    api.force_login(erin)
    assert api.get(LIST, {"q": "seagrass"}).json()["count"] == 0
    api.force_login(alice)
    published = api.post(reverse("api:offer-publish", args=[created["id"]]))
    assert published.status_code == 200
    assert published.json()["status"] == "open"
    assert published.json()["published_at"]
    api.force_login(erin)
    assert "Seagrass Meadows Field Lab" in titles(api.get(LIST))
    assert titles(api.get(LIST, {"q": "seagrass meadow"})) == ["Seagrass Meadows Field Lab"]
    api.logout()
    assert titles(api.get(LIST, {"q": "Seagrass"})) == ["Seagrass Meadows Field Lab"]


# --- validation: the service's messages, by field -----------------------------------------


def test_term_ending_before_it_starts_is_refused_with_the_rule(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(term_start="2027-06-01", term_end="2027-05-01"))
    assert response.status_code == 400
    assert response.json()["term_end"] == [str(validation.TERM_END_BEFORE_START)]


def test_offer_without_a_language_is_refused(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(languages=[]))
    assert response.status_code == 400
    assert response.json()["languages"] == [str(validation.NO_LANGUAGE)]


def test_overlapping_windows_are_refused_and_named(api, alice, offer_json):
    api.force_login(alice)
    windows = [
        {"weekday": 1, "start": "15:00", "end": "17:00"},
        {"weekday": 1, "start": "16:00", "end": "18:00"},
    ]
    response = api.post(LIST, offer_json(windows=windows))
    assert response.status_code == 400
    assert response.json()["windows"] == [
        "Tue 15:00–17:00 and Tue 16:00–18:00 overlap; merge them into one window."
    ]


def test_unknown_isced_code_is_refused(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(isced="9999"))
    assert response.status_code == 400
    assert response.json()["isced"] == [str(services.UNKNOWN_ISCED % {"code": "9999"})]


def test_broad_isced_field_is_refused_by_the_service(api, alice, offer_json):
    factories.isced("05")
    api.force_login(alice)
    response = api.post(LIST, offer_json(isced="05"))
    assert response.status_code == 400
    assert response.json()["isced"] == [str(services.ISCED_NOT_DETAILED)]


def test_isced_that_is_not_digits_is_refused(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(isced="05a1"))
    assert response.status_code == 400
    assert response.json()["isced"] == [str(validation.ISCED_FORMAT)]


def test_bad_cefr_level_and_unknown_language_are_refused(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(languages=[{"language": "xx", "cefr": "B3"}]))
    assert response.status_code == 400
    assert response.json()["languages"] == [
        str(validation.UNKNOWN_LANGUAGE % {"language": "xx"}),
        str(validation.UNKNOWN_CEFR % {"level": "B3"}),
    ]


def test_every_problem_is_reported_at_once(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(
        LIST, offer_json(term_start="2027-06-01", term_end="2027-05-01", languages=[])
    )
    assert set(response.json()) == {"term_end", "languages"}


def test_unknown_sdg_and_country_are_refused_not_crashing(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(sdgs=[13, 18], preferred_countries=["ZZ"]))
    assert response.status_code == 400
    assert response.json()["sdgs"] == [str(services.UNKNOWN_SDG % {"number": 18})]
    assert response.json()["preferred_countries"] == [
        str(services.UNKNOWN_COUNTRY % {"code": "ZZ"})
    ]


@pytest.mark.both_backends
def test_an_sdg_number_beyond_any_column_is_refused_not_crashing(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(sdgs=[13, 10**20]))
    assert response.status_code == 400
    assert response.json()["sdgs"] == [str(services.UNKNOWN_SDG % {"number": 10**20})]


def test_country_both_preferred_and_excluded_is_refused(api, alice, offer_json):
    factories.country("NL")
    api.force_login(alice)
    response = api.post(LIST, offer_json(preferred_countries=["nl"], excluded_countries=["NL"]))
    assert response.status_code == 400
    assert response.json()["excluded_countries"] == [
        str(validation.EXCLUDED_AND_PREFERRED % {"country": "NL"})
    ]


def test_weekday_out_of_range_and_bad_times_are_refused(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(windows=[{"weekday": 9, "start": "25:00", "end": "x"}]))
    assert response.status_code == 400
    problems = response.json()["windows"]["0"]  # by position in the list
    assert set(problems) == {"weekday", "start", "end"}


def test_wrong_types_are_refused_by_field(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(
        LIST, offer_json(students="many", term_start="next spring", kind="exchange")
    )
    assert response.status_code == 400
    assert set(response.json()) == {"students", "term_start", "kind"}


# --- update -------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_given(api, alice, open_offer):
    api.force_login(alice)
    response = api.patch(detail(open_offer), {"title": "Mangrove Restoration Studio II"})
    assert response.status_code == 200
    assert response.json()["title"] == "Mangrove Restoration Studio II"
    assert response.json()["languages"] == [{"language": "en", "cefr": "B2", "name": "English"}]
    assert response.json()["sdgs"] == [13, 14]
    assert response.json()["status"] == "open"


def test_patch_with_a_list_replaces_the_list(api, alice, open_offer):
    api.force_login(alice)
    languages = [{"language": "ms", "cefr": "B1"}, {"language": "en", "cefr": "C1"}]
    response = api.patch(detail(open_offer), {"languages": languages, "sdgs": []})
    assert response.status_code == 200
    assert [(x["language"], x["cefr"]) for x in response.json()["languages"]] == [
        ("ms", "B1"),
        ("en", "C1"),
    ]
    assert response.json()["sdgs"] == []


def test_patch_is_checked_by_the_same_rules(api, alice, open_offer):
    api.force_login(alice)
    response = api.patch(detail(open_offer), {"term_end": "2027-01-01"})
    assert response.status_code == 400
    assert response.json()["term_end"] == [str(validation.TERM_END_BEFORE_START)]
    open_offer.refresh_from_db()
    assert str(open_offer.term_end) == "2027-06-11"


def test_what_get_returns_can_be_put_back_unchanged(api, alice, open_offer):
    api.force_login(alice)
    shown = api.get(detail(open_offer)).json()
    response = api.put(detail(open_offer), shown)
    assert response.status_code == 200
    again = response.json()
    for volatile in ("updated_at",):
        shown.pop(volatile), again.pop(volatile)
    assert again == shown


def test_put_requires_every_required_field(api, alice, open_offer):
    api.force_login(alice)
    response = api.put(detail(open_offer), {"title": "Only a title"})
    assert response.status_code == 400
    assert "description" in response.json()
    assert "isced" in response.json()


@pytest.mark.parametrize(
    ("persona", "on_draft", "on_open"),
    [
        ("alice", 200, 200),
        ("bob", 403, 403),
        ("charlie", 404, 403),
        ("erin", 404, 403),
        ("visitor", 401, 401),
    ],
)
def test_who_may_edit_an_offer(api, request, persona, on_draft, on_open, draft, open_offer):
    sign_in(api, persona, request)
    assert api.patch(detail(draft), {"title": "Changed"}).status_code == on_draft
    assert api.patch(detail(open_offer), {"title": "Changed"}).status_code == on_open


def test_office_is_told_why_it_may_not_edit(api, bob, open_offer):
    api.force_login(bob)
    response = api.put(detail(open_offer), {"title": "Changed by the office"})
    assert response.status_code == 403
    assert response.json() == {"detail": str(NOT_EDITOR)}
    open_offer.refresh_from_db()
    assert open_offer.title == "Mangrove Restoration Studio"


def test_co_owner_may_edit(api, alice, open_offer, asian_institution):
    colleague = factories.lecturer(asian_institution, email="colleague@um.edu.my")
    services.offer_set_co_owners(offer=open_offer, emails=["colleague@um.edu.my"])
    api.force_login(colleague)
    assert api.patch(detail(open_offer), {"students": 40}).status_code == 200


def test_editing_a_closed_offer_is_a_conflict(api, alice, closed_offer):
    api.force_login(alice)
    response = api.patch(detail(closed_offer), {"title": "Revived"})
    assert response.status_code == 409
    assert response.json() == {"detail": "A closed offer can no longer be changed."}


# --- publish and close --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("bob", 403), ("charlie", 404), ("erin", 404), ("visitor", 401)],
)
def test_who_may_publish_a_draft(api, request, persona, expected, draft):
    response = sign_in(api, persona, request).post(publish(draft))
    assert response.status_code == expected
    draft.refresh_from_db()
    assert (draft.status == OfferStatus.OPEN) is (expected == 200)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("bob", 200), ("charlie", 403), ("erin", 403), ("visitor", 401)],
)
def test_who_may_close_an_open_offer(api, request, persona, expected, open_offer):
    response = sign_in(api, persona, request).post(close(open_offer))
    assert response.status_code == expected
    open_offer.refresh_from_db()
    assert (open_offer.status == OfferStatus.CLOSED) is (expected == 200)


def test_outsider_office_is_told_why_it_may_not_close(api, charlie, open_offer):
    api.force_login(charlie)
    assert api.post(close(open_offer)).json() == {"detail": str(NOT_CLOSER)}


@pytest.mark.parametrize("persona", ["charlie", "erin"])
def test_outsiders_cannot_close_a_draft_they_cannot_see(api, request, persona, draft):
    assert sign_in(api, persona, request).post(close(draft)).status_code == 404


def test_publishing_a_closed_offer_is_a_conflict(api, alice, closed_offer):
    api.force_login(alice)
    response = api.post(publish(closed_offer))
    assert response.status_code == 409
    assert response.json() == {"detail": "An offer that is closed cannot become open."}


def test_closing_twice_is_a_conflict(api, bob, open_offer):
    api.force_login(bob)
    assert api.post(close(open_offer)).status_code == 200
    response = api.post(close(open_offer))
    assert response.status_code == 409
    assert response.json() == {"detail": "An offer that is closed cannot become closed."}


def test_publishing_an_incomplete_draft_says_what_is_missing(api, alice, draft):
    # A draft saved before a rule existed: the service checks it again on publishing.
    draft.languages.all().delete()
    api.force_login(alice)
    response = api.post(publish(draft))
    assert response.status_code == 400
    assert response.json()["languages"] == [str(validation.NO_LANGUAGE)]


# --- methods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("delete", "detail"),
        ("post", "detail"),
        ("put", "list"),
        ("delete", "list"),
        ("get", "publish"),
        ("get", "close"),
        ("put", "close"),
    ],
)
def test_wrong_methods_are_405(api, alice, open_offer, method, target):
    urls = {"list": LIST, "detail": detail(open_offer)}
    urls |= {"publish": publish(open_offer), "close": close(open_offer)}
    api.force_login(alice)
    assert getattr(api, method)(urls[target]).status_code == 405
    assert Offer.objects.filter(pk=open_offer.pk, status=OfferStatus.OPEN).exists()


# --- filters and search -------------------------------------------------------------------


@pytest.fixture
def catalogue(alice, erin, charlie, european_institution):
    """Three open offers in two regions, and a draft of erin's."""
    dutch = factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")
    return {
        "coast": factories.make_offer(alice, title="Coastal Ecosystems"),
        "soil": factories.make_offer(
            dutch,
            title="Soil Biology Lab",
            kind="virtual_mobility",
            level="7",
            isced=factories.isced("0511").pk,
            languages=[("nl", "B2"), ("en", "C1")],
            term_start=dt.date(2027, 9, 1),
            term_end=dt.date(2028, 1, 31),
            sdgs=[factories.sdg(2).pk],
            priority="quality_recognition",
            time_zone="Europe/Amsterdam",
        ),
        "rice": factories.make_offer(erin, title="Rice Farming and Water"),
        "draft": factories.make_offer(erin, publish=False, title="Erin's draft"),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "europe"}, ["Soil Biology Lab"]),
        ({"country": "th"}, ["Rice Farming and Water"]),
        ({"isced": "05"}, ["Coastal Ecosystems", "Rice Farming and Water", "Soil Biology Lab"]),
        ({"isced": "051"}, ["Soil Biology Lab"]),
        ({"isced": "0521"}, ["Coastal Ecosystems", "Rice Farming and Water"]),
        ({"level": "7"}, ["Soil Biology Lab"]),
        ({"language": "nl"}, ["Soil Biology Lab"]),
        ({"kind": "virtual_mobility"}, ["Soil Biology Lab"]),
        ({"term_from": "2027-08-01"}, ["Soil Biology Lab"]),
        ({"term_to": "2027-03-01"}, ["Coastal Ecosystems", "Rice Farming and Water"]),
        ({"sdg": "2"}, ["Soil Biology Lab"]),
        ({"priority": "quality_recognition"}, ["Soil Biology Lab"]),
        ({"q": "soil"}, ["Soil Biology Lab"]),
        ({"q": "rice water"}, ["Rice Farming and Water"]),
        ({"q": "Wageningen"}, ["Soil Biology Lab"]),
        ({"q": "soil", "region": "asia"}, []),
        (
            {"region": "", "kind": "", "q": ""},
            ["Coastal Ecosystems", "Rice Farming and Water", "Soil Biology Lab"],
        ),
    ],
)
def test_filters_and_search_narrow_the_list(api, catalogue, params, expected):
    assert sorted(titles(api.get(LIST, params))) == expected


def test_institution_filter(api, catalogue, thai_institution):
    assert titles(api.get(LIST, {"institution": thai_institution.pk})) == ["Rice Farming and Water"]


def test_mine_and_status_filters_show_the_users_own_drafts(api, erin, catalogue):
    api.force_login(erin)
    assert sorted(titles(api.get(LIST, {"mine": "true"}))) == [
        "Erin's draft",
        "Rice Farming and Water",
    ]
    assert titles(api.get(LIST, {"status": "draft"})) == ["Erin's draft"]


def test_visitor_asking_for_drafts_gets_none(api, catalogue):
    assert titles(api.get(LIST, {"status": "draft"})) == []
    assert len(titles(api.get(LIST, {"mine": "true"}))) == 3


def test_newest_sort_and_relevance_sort(api, alice, catalogue):
    factories.make_offer(alice, title="Water Policy", description="Rice paddies.")
    by_relevance = titles(api.get(LIST, {"q": "rice"}))
    assert by_relevance[0] == "Rice Farming and Water"
    by_date = titles(api.get(LIST, {"q": "rice", "sort": "newest"}))
    assert by_date == ["Water Policy", "Rice Farming and Water"]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"region": "africa"}, "region"),
        ({"isced": "5"}, "isced"),
        ({"isced": "abcd"}, "isced"),
        ({"level": "9"}, "level"),
        ({"language": "xx"}, "language"),
        ({"term_from": "soon"}, "term_from"),
        ({"term_from": "2027-05-01", "term_to": "2027-01-01"}, "term_to"),
        ({"sdg": "18"}, "sdg"),
        ({"institution": "alice"}, "institution"),
        ({"country": "Thailand"}, "country"),
        ({"sort": "random"}, "sort"),
        ({"status": "archived"}, "status"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it(api, catalogue, params, named):
    response = api.get(LIST, params)
    assert response.status_code == 400
    assert list(response.json()) == [named]


def test_list_is_paged_by_twenty(api, alice):
    for n in range(21):
        factories.make_offer(alice, title=f"Course {n:02}")
    first = api.get(LIST).json()
    assert first["count"] == 21
    assert len(first["results"]) == 20
    assert first["next"].endswith("?page=2")
    assert len(api.get(LIST, {"page": 2}).json()["results"]) == 1
    assert api.get(LIST, {"page": 3}).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "visitor"])
def test_list_runs_the_same_number_of_queries_for_5_and_20_offers(
    api, request, alice, persona, django_assert_max_num_queries
):
    sign_in(api, persona, request)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(LIST).status_code == 200
        return len(queries)

    for n in range(5):
        factories.make_offer(alice, title=f"Course {n}", languages=[("en", "B2"), ("ms", "A2")])
    with_five = count_queries()
    for n in range(5, 20):
        factories.make_offer(alice, title=f"Course {n}", languages=[("en", "B2"), ("ms", "A2")])
    with django_assert_max_num_queries(with_five):
        response = api.get(LIST)
    assert len(response.json()["results"]) == 20
    assert count_queries() == with_five
    # session, user, office lookup, own offers' ids, count, page, languages, SDGs
    assert with_five <= 8


# --- any script in, the same text out -----------------------------------------------------

SCRIPTS = {
    "chinese": ("海岸生态与气候适应", "海岸"),
    "japanese": ("沿岸生態系と気候変動への適応", "沿岸"),
    "korean": ("해안 생태계와 기후 적응", "해안"),
    "thai": ("ระบบนิเวศชายฝั่งและการปรับตัวต่อสภาพภูมิอากาศ", "ชายฝั่ง"),
    "khmer": ("ប្រព័ន្ធអេកូឡូស៊ីឆ្នេរ និងការបន្សាំអាកាសធាតុ", "អាកាសធាតុ"),
    "vietnamese": ("Hệ sinh thái ven biển và thích ứng khí hậu", "biển"),
    "russian": ("Прибрежные экосистемы и адаптация к климату", "экосистемы"),
    "arabic": ("النظم البيئية الساحلية والتكيف مع المناخ", "الساحلية"),
    "emoji": ("Coral reefs 🌊🐠 and the 👩‍🔬 who study them", "reefs"),
}


@pytest.mark.both_backends
@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_any_script_round_trips_through_create_detail_and_search(api, alice, offer_json, script):
    title, word = SCRIPTS[script]
    # Vietnamese in decomposed form too: stored as sent, never normalised.
    description = f"{title}\n\nTie\u0302\u0301ng Vie\u0323\u0302t — {title} 🌏"
    api.force_login(alice)
    created = api.post(LIST, offer_json(title=title, description=description))
    assert created.status_code == 201
    assert created.json()["title"] == title
    assert api.post(publish(Offer.objects.get(pk=created.json()["id"]))).status_code == 200
    shown = api.get(reverse("api:offer-detail", args=[created.json()["id"]])).json()
    assert shown["title"] == title
    assert shown["description"] == description
    api.logout()
    assert titles(api.get(LIST, {"q": word})) == [title]


@pytest.mark.postgres
@pytest.mark.parametrize("script", ["vietnamese", "russian", "emoji"])
def test_search_ignores_case_in_every_cased_script(api, alice, script):
    title, word = SCRIPTS[script]
    factories.make_offer(alice, title=title)
    assert titles(api.get(LIST, {"q": word.upper()})) == [title]


# --- hygiene: nothing the client sends ends in a 500 --------------------------------------


@pytest.mark.both_backends
@pytest.mark.parametrize(
    "overrides",
    [
        {"title": "Coastal\x00Ecosystems"},
        {"description": "Before\x00after"},
        {"learning_outcomes": "\x00"},
        {"time_zone": "Asia/Kuala_Lumpur\x00"},
        {"isced": "05\x0021"},
        {"kind": "coil\x00"},
        {"skills": ["teamwork\x00"]},
        {"languages": [{"language": "e\x00n", "cefr": "B2"}]},
        {"languages": [{"language": "en", "cefr": "B\x002"}]},
        {"preferred_countries": ["N\x00"]},
    ],
    ids=lambda o: next(iter(o)),
)
def test_nul_anywhere_in_the_body_is_a_400(api, alice, offer_json, overrides):
    api.force_login(alice)
    response = api.post(LIST, offer_json(**overrides))
    assert response.status_code == 400
    assert set(response.json()) == set(overrides)
    assert not Offer.objects.exists()


def test_nul_in_the_title_is_refused_with_a_clear_message(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(title="Coastal\x00Ecosystems"))
    assert response.json() == {"title": ["Null characters are not allowed."]}


def test_other_control_characters_are_refused_with_the_services_message(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(title="Bell\x07", description="Escape \x1b[31m"))
    assert response.status_code == 400
    assert response.json() == {
        "title": [str(validation.CONTROL_CHARACTERS)],
        "description": [str(validation.CONTROL_CHARACTERS)],
    }


def test_tabs_and_newlines_are_kept(api, alice, offer_json):
    api.force_login(alice)
    text = "Week 1:\tmangroves\r\nWeek 2:\treefs"
    assert api.post(LIST, offer_json(description=text)).json()["description"] == text


@pytest.mark.both_backends
@pytest.mark.parametrize("param", ["q", "country", "isced", "language", "region", "sort"])
def test_nul_in_a_filter_is_a_400(api, alice, param):
    api.force_login(alice)
    response = api.get(LIST, {param: "a\x00b"})
    assert response.status_code == 400
    assert set(response.json()) == {param}


def test_a_two_megabyte_description_is_refused_by_field(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(description="x" * 2 * 1024 * 1024))
    assert response.status_code == 400
    assert response.json() == {
        "description": ["Ensure this field has no more than 10000 characters."]
    }


def test_an_over_long_title_is_refused(api, alice, offer_json):
    api.force_login(alice)
    response = api.post(LIST, offer_json(title="海" * 201))
    assert response.status_code == 400
    assert response.json() == {"title": ["Ensure this field has no more than 200 characters."]}


def test_a_body_over_the_upload_limit_is_refused_before_parsing(api, alice, offer_json, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    api.force_login(alice)
    response = api.post(LIST, offer_json(description="x" * 200_000))
    assert response.status_code == 413
    assert "larger than 100000 bytes" in response.json()["detail"]


def test_malformed_json_is_a_400(api, alice):
    api.force_login(alice)
    response = api.post(LIST, b'{"title": "Coastal', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_json_that_is_not_an_object_is_a_400(api, alice):
    api.force_login(alice)
    response = api.post(LIST, b'["a list"]', content_type="application/json")
    assert response.status_code == 400
    assert "Expected a dictionary" in response.json()["non_field_errors"][0]


def test_invalid_utf8_is_a_400(api, alice):
    api.force_login(alice)
    response = api.post(LIST, b'{"title": "\xff\xfe"}', content_type="application/json")
    assert response.status_code == 400


@pytest.mark.both_backends
def test_a_lone_surrogate_is_a_400_not_a_500(api, alice, offer_json):
    api.force_login(alice)
    body = json.dumps(offer_json(title="PLACEHOLDER")).replace("PLACEHOLDER", "\\ud800")
    response = api.post(LIST, body.encode(), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": str(LONE_SURROGATE)}


def test_a_surrogate_pair_is_the_character_it_encodes(api, alice, offer_json):
    api.force_login(alice)
    body = json.dumps(offer_json(title="PLACEHOLDER")).replace("PLACEHOLDER", "Reef \\ud83d\\udc20")
    response = api.post(LIST, body.encode(), content_type="application/json")
    assert response.json()["title"] == "Reef 🐠"


def test_form_encoded_bodies_are_415(api, alice):
    api.force_login(alice)
    response = api.post(LIST, {"title": "x"}, format="multipart")
    assert response.status_code == 415


# --- schema and docs ----------------------------------------------------------------------


def test_schema_builds_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/v1/offers/{id}/publish/" in (tmp_path / "schema.yml").read_text()


def test_schema_is_served(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/offers/" in json.loads(response.content)["paths"]


def test_swagger_ui_is_served_from_our_own_static_files(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    # Scripts and styles (not the page's links, such as the way back to Tandem).
    sources = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"', body)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle" in s for s in sources)
    assert all(s.startswith("/static/") for s in sources)
    assert "cdn.jsdelivr.net" not in body
