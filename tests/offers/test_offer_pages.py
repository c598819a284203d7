"""Offer pages across the personas: alice owns, bob is her institution's office, charlie is
another institution's office, dave is a lecturer elsewhere; plus anonymous visitors."""

import datetime as dt

import pytest
from django.urls import reverse

from offers.models import Offer, OfferStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dave(european_institution):
    return factories.lecturer(european_institution, email="dave@wageningenuniversity.nl")


@pytest.fixture
def draft(alice):
    return factories.make_offer(alice, publish=False, title="Alice's secret draft")


@pytest.fixture
def open_offer(alice):
    return factories.make_offer(alice, title="Coastal Ecosystems and Climate Adaptation")


def url(name, offer):
    return reverse(f"offers:{name}", args=[offer.pk])


def form_post(**overrides):
    """The offer form as a browser submits it."""
    data = {
        "offer-institution": "",
        "kind": "coil",
        "title": "Marine Spatial Planning",
        "description": "Planning seas and coasts with partners.",
        "learning_outcomes": "",
        "isced": factories.isced("0522").pk,
        "level": "6",
        "students": "30",
        "partners_sought": "1",
        "term_start": "2027-02-01",
        "term_end": "2027-06-30",
        "duration_weeks": "12",
        "time_zone": "Europe/Amsterdam",
        "sync_sessions": "6",
        "priority": "",
        "skills": ["teamwork"],
        "sdgs": [factories.sdg(14).pk],
        "languages-TOTAL_FORMS": "2",
        "languages-INITIAL_FORMS": "0",
        "languages-0-language": "en",
        "languages-0-cefr": "B2",
        "languages-1-language": "",
        "languages-1-cefr": "",
        "windows-TOTAL_FORMS": "2",
        "windows-INITIAL_FORMS": "0",
        "windows-0-weekday": "1",
        "windows-0-start": "08:00",
        "windows-0-end": "11:00",
        "windows-1-weekday": "",
        "windows-1-start": "",
        "windows-1-end": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- create ------------------------------------------------------------------------


def test_lecturer_creates_a_draft_through_the_form(client, alice, asian_institution):
    client.force_login(alice)
    response = client.post(
        reverse("offers:offer-create"),
        form_post(**{"offer-institution": asian_institution.pk}),
    )
    offer = Offer.objects.get(title="Marine Spatial Planning")
    assert response.status_code == 302
    assert response["Location"] == offer.get_absolute_url()
    assert offer.status == OfferStatus.DRAFT
    assert offer.owner == alice
    assert list(offer.windows.values_list("weekday", "start", "end")) == [
        (1, dt.time(8), dt.time(11))
    ]


def test_form_says_what_to_fix_and_saves_nothing(client, alice, asian_institution):
    client.force_login(alice)
    response = client.post(
        reverse("offers:offer-create"),
        form_post(
            **{
                "offer-institution": asian_institution.pk,
                "term_end": "2027-01-01",
                "languages-0-language": "",
                "languages-0-cefr": "",
                "windows-1-weekday": "1",
                "windows-1-start": "10:00",
                "windows-1-end": "12:00",
            }
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Please fix the problems marked below." in body
    assert "The term must end after it starts." in body
    assert "Add at least one working language." in body
    assert "overlap; merge them into one window" in body
    assert not Offer.objects.exists()


def test_lecturer_cannot_create_for_an_institution_not_theirs(client, alice, european_institution):
    client.force_login(alice)
    response = client.post(
        reverse("offers:offer-create"),
        form_post(**{"offer-institution": european_institution.pk}),
    )
    assert response.status_code == 200
    assert not Offer.objects.exists()


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_only_verified_lecturers_open_the_create_page(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("offers:offer-create")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("offers:offer-create"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- who sees and edits what ---------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("bob", 200), ("charlie", 404), ("dave", 404)]
)
def test_draft_is_seen_only_by_owner_and_own_office(client, draft, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("offer-detail", draft)).status_code == status


def test_visitor_sees_open_offer_without_contact_but_never_a_draft(client, open_offer, draft):
    response = client.get(url("offer-detail", open_offer))
    assert response.status_code == 200
    assert "Alice Tan" not in response.content.decode()
    assert client.get(url("offer-detail", draft)).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"), [("alice", 200), ("bob", 403), ("charlie", 403), ("dave", 403)]
)
def test_only_owners_edit(client, open_offer, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url("offer-edit", open_offer)).status_code == status


def test_edit_of_a_draft_by_an_outsider_is_not_found(client, draft, dave):
    client.force_login(dave)
    assert client.get(url("offer-edit", draft)).status_code == 404
    assert client.post(url("offer-publish", draft)).status_code == 404


def test_co_owner_can_edit(client, alice, open_offer, dave):
    client.force_login(alice)
    response = client.post(url("offer-co-owners", open_offer), {"emails": dave.email})
    assert response.status_code == 302
    client.force_login(dave)
    assert client.get(url("offer-edit", open_offer)).status_code == 200


def test_co_owner_must_be_a_verified_lecturer(client, alice, open_offer, charlie):
    client.force_login(alice)
    response = client.post(url("offer-co-owners", open_offer), {"emails": charlie.email})
    assert "is not a verified lecturer" in response.content.decode()
    assert not open_offer.co_owners.exists()


def test_owner_publishes_draft(client, alice, draft):
    client.force_login(alice)
    response = client.post(url("offer-publish", draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == OfferStatus.OPEN


def test_publish_needs_post(client, alice, draft):
    client.force_login(alice)
    assert client.get(url("offer-publish", draft)).status_code == 405


@pytest.mark.parametrize(("who", "status"), [("bob", 302), ("charlie", 403), ("dave", 403)])
def test_own_office_may_close_an_offer(client, open_offer, who, status, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(url("offer-close", open_offer)).status_code == status
    open_offer.refresh_from_db()
    expected = OfferStatus.CLOSED if status == 302 else OfferStatus.OPEN
    assert open_offer.status == expected


def test_duplicate_opens_the_copy_for_editing(client, alice, open_offer):
    client.force_login(alice)
    response = client.post(url("offer-duplicate", open_offer))
    copy = Offer.objects.exclude(pk=open_offer.pk).get()
    assert response["Location"] == reverse("offers:offer-edit", args=[copy.pk])
    assert copy.status == OfferStatus.DRAFT


def test_detail_shows_windows_in_utc_and_europe_across_summer_time(client, open_offer):
    body = client.get(url("offer-detail", open_offer)).content.decode()
    # Tue 15:00–17:00 in Kuala Lumpur: Berlin is 08:00 in winter and 09:00 from 28 March.
    assert "Tue 07:00–09:00" in body  # UTC
    assert "Tue 08:00–10:00" in body
    assert "Tue 09:00–11:00" in body
    assert "From 28 March 2027" in body


# --- lists -----------------------------------------------------------------------------


def test_lists_never_show_another_users_draft(client, draft, open_offer, dave):
    client.force_login(dave)
    body = client.get(reverse("offers:offer-list")).content.decode()
    assert open_offer.title in body
    assert draft.title not in body
    body = client.get(reverse("offers:catalogue")).content.decode()
    assert draft.title not in body


def test_catalogue_hides_personal_data(client, open_offer):
    body = client.get(reverse("offers:catalogue")).content.decode()
    assert open_offer.title in body
    assert "alice@um.edu.my" not in body
    assert "Alice Tan" not in body


def test_list_page_runs_a_fixed_number_of_queries(
    client, alice, dave, django_assert_max_num_queries
):
    factories.make_offer(alice)
    client.force_login(dave)
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("offers:offer-list"))
    for n in range(15):
        factories.make_offer(alice, title=f"Course {n}", languages=[("en", "B2"), ("fr", "B1")])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("offers:offer-list"))
    assert response.content.decode().count('class="offer-title"') == 16


@pytest.mark.both_backends
def test_search_and_filters_find_the_right_offers(client, alice, dave):
    factories.make_offer(alice, title="Coastal Ecosystems and Climate Adaptation")
    factories.make_offer(
        alice,
        title="Urban Water Management",
        description="Drainage, flooding and drinking water in growing cities.",
        isced=factories.isced("0732").pk,
        level="7",
        languages=[("fr", "B1")],
    )
    factories.make_offer(
        dave,
        title="Marine Spatial Planning",
        description="Fisheries, energy and shipping at sea.",
        isced=factories.isced("0522").pk,
        time_zone="Europe/Amsterdam",
    )
    client.force_login(dave)

    def titles(**params):
        body = client.get(reverse("offers:offer-list"), params).content.decode()
        return {t for t in ("Coastal Ecosystems", "Urban Water", "Marine Spatial") if t in body}

    assert titles(q="ecosystem") == {"Coastal Ecosystems"}  # a prefix of "ecosystems"
    assert titles(q="climate coastal") == {"Coastal Ecosystems"}
    assert titles(q="water") == {"Urban Water"}
    assert titles(region="europe") == {"Marine Spatial"}
    assert titles(country="MY") == {"Coastal Ecosystems", "Urban Water"}
    assert titles(isced="05") == {"Coastal Ecosystems", "Marine Spatial"}
    assert titles(isced="052") == {"Coastal Ecosystems", "Marine Spatial"}
    assert titles(isced="0522") == {"Marine Spatial"}
    assert titles(level="7") == {"Urban Water"}
    assert titles(language="fr") == {"Urban Water"}
    assert titles(term_from="2027-07-01") == set()
    assert titles(term_from="2027-06-01", term_to="2027-12-31") == {
        "Coastal Ecosystems",
        "Urban Water",
        "Marine Spatial",
    }
    assert titles(sdg=factories.sdg(13).pk) == {
        "Coastal Ecosystems",
        "Urban Water",
        "Marine Spatial",
    }


def test_invalid_filter_says_what_to_fix(client, dave):
    client.force_login(dave)
    body = client.get(reverse("offers:offer-list"), {"isced": "x"}).content.decode()
    assert "Use 2 to 4 digits" in body


@pytest.mark.both_backends
@pytest.mark.parametrize(
    ("title", "query"),
    [
        ("ការប្រែប្រួលអាកាសធាតុ 🌏 Climate", "ការប្រែប្រួលអាកាសធាតុ"),
        ("海洋生态与气候适应", "海洋生态"),
        ("การจัดการชายฝั่ง", "ชายฝั่ง"),
        ("気候変動と沿岸生態系", "沿岸"),
        ("기후 변화와 해양 생태계", "해양"),
        ("Biến đổi khí hậu ven biển", "khí hậu"),
        ("Изменение климата", "климата"),
        ("تغير المناخ الساحلي", "المناخ"),
    ],
)
def test_any_script_round_trips_through_form_page_and_search(client, alice, dave, title, query):
    offer = factories.make_offer(alice, title=title)
    client.force_login(dave)
    assert title in client.get(url("offer-detail", offer)).content.decode()
    body = client.get(reverse("offers:offer-list"), {"q": query}).content.decode()
    assert title in body


def test_nul_byte_in_the_form_is_refused_clearly(client, alice, asian_institution):
    client.force_login(alice)
    response = client.post(
        reverse("offers:offer-create"),
        form_post(**{"offer-institution": asian_institution.pk, "title": "Bad\x00title"}),
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert not Offer.objects.exists()


def test_two_megabytes_of_text_is_refused_clearly(client, alice, asian_institution):
    client.force_login(alice)
    response = client.post(
        reverse("offers:offer-create"),
        form_post(**{"offer-institution": asian_institution.pk, "description": "x" * 2_000_000}),
    )
    assert response.status_code in (200, 400)
    assert not Offer.objects.exists()
    if response.status_code == 200:
        assert "at most 10000 characters" in response.content.decode()
