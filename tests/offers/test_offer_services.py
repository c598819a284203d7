import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from offers import services, validation
from offers.models import OfferStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_lecturer_creates_draft_then_publishes(alice):
    offer = factories.make_offer(alice, publish=False)
    assert offer.status == OfferStatus.DRAFT
    assert offer.published_at is None
    assert [str(x) for x in offer.languages.all()] == ["English B2"]
    assert offer.windows.count() == 2
    assert sorted(offer.sdgs.values_list("number", flat=True)) == [13, 14]
    offer = services.offer_publish(offer=offer, actor=alice)
    assert offer.status == OfferStatus.OPEN
    assert offer.published_at is not None


def test_unverified_lecturer_cannot_create_offer(asian_institution):
    newcomer = factories.UserFactory()
    factories.affiliate(newcomer, asian_institution, "lecturer", verified=False)
    with pytest.raises(PermissionDenied):
        services.offer_create(
            owner=newcomer, institution=asian_institution, data=factories.offer_data()
        )


def test_every_problem_is_reported_by_field(alice, asian_institution):
    data = factories.offer_data(
        term_start=dt.date(2027, 6, 1),
        term_end=dt.date(2027, 5, 1),
        languages=[],
        windows=[(1, dt.time(15), dt.time(17)), (1, dt.time(16), dt.time(18))],
        title="x" * 201,
        description="bad\x00text",
    )
    with pytest.raises(ValidationError) as info:
        services.offer_create(owner=alice, institution=asian_institution, data=data)
    errors = info.value.message_dict
    assert errors["term_end"] == [str(validation.TERM_END_BEFORE_START)]
    assert errors["languages"] == [str(validation.NO_LANGUAGE)]
    assert "overlap" in errors["windows"][0]
    assert "at most 200 characters" in errors["title"][0]
    assert errors["description"] == [str(validation.CONTROL_CHARACTERS)]


def test_duration_must_fit_the_term(alice, asian_institution):
    data = factories.offer_data(
        term_start=dt.date(2027, 3, 1), term_end=dt.date(2027, 3, 28), duration_weeks=6
    )
    with pytest.raises(ValidationError) as info:
        services.offer_create(owner=alice, institution=asian_institution, data=data)
    assert "holds only 4" in info.value.message_dict["duration_weeks"][0]


def test_closed_offer_cannot_reopen_or_change(alice):
    offer = factories.make_offer(alice)
    offer = services.offer_close(offer=offer, actor=alice)
    with pytest.raises(ValidationError):
        services.offer_publish(offer=offer, actor=alice)
    with pytest.raises(ValidationError):
        services.offer_update(offer=offer, data=factories.offer_data(title="New"))


def test_duplicate_moves_the_term_a_year_on(alice):
    offer = factories.make_offer(alice)
    copy = services.offer_duplicate(offer=offer, actor=alice)
    assert copy.status == OfferStatus.DRAFT
    assert copy.term_start == dt.date(2028, 2, 15)
    assert copy.title == offer.title
    assert copy.duplicated_from == offer
    assert list(copy.languages.values_list("language", "cefr")) == [("en", "B2")]


def test_unknown_references_are_field_errors_not_crashes(alice, asian_institution):
    data = factories.offer_data(isced="9876", sdgs=[99], excluded_countries=[])
    data.preferred_countries = ["XX"]
    with pytest.raises(ValidationError) as info:
        services.offer_create(owner=alice, institution=asian_institution, data=data)
    errors = info.value.message_dict
    assert "isced" in errors
    assert errors["sdgs"] == [str(services.UNKNOWN_SDG % {"number": 99})]
    assert errors["preferred_countries"] == [str(services.UNKNOWN_COUNTRY % {"code": "XX"})]


def test_secretariat_opens_any_draft_but_lists_show_none(client, alice, secretariat):
    from django.urls import reverse

    draft = factories.make_offer(alice, publish=False, title="Hidden draft")
    client.force_login(secretariat)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert "Hidden draft" not in client.get(reverse("offers:offer-list")).content.decode()
