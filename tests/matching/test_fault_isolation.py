"""One offer the matcher cannot handle must not break matching for anybody else.

The probe of issue 17 published an offer ending 9999-12-31: every offer page with
suggestions, the suggestions API and the proposals API then answered 500 for every user
(`date(year + 1, 1, 1)` in the calendar arithmetic). The database now refuses such dates
(tests/offers/test_robustness.py); here the matcher itself copes: the calendar arithmetic
works up to the last day a date can have, and a row it cannot turn into features (written
straight into the database, past every rule) is left out and logged."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import pytest
from django.urls import reverse

from matching import overlap
from matching.features import OfferFeatures
from offers.models import Offer
from tests import factories

# --- the pure core ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    time_zone: str
    windows: tuple
    term_start: dt.date
    term_end: dt.date


def test_the_overlap_of_terms_in_the_last_year_a_date_can_have_is_computed():
    berlin = Side(
        "Europe/Berlin", ((1, dt.time(9), dt.time(12)),), dt.date(9999, 1, 4), dt.date.max
    )
    kl = Side(
        "Asia/Kuala_Lumpur", ((1, dt.time(15), dt.time(18)),), dt.date(9999, 1, 4), dt.date.max
    )
    summary = overlap.overlap_summary(berlin, kl, 4)
    assert summary.weeks == 51
    assert summary.minimum == 2.0 and summary.maximum == 3.0  # winter and summer time
    slot = overlap.overlap_slots(berlin, kl)[0]
    assert slot.text() == "Tue 09:00–11:00 in Europe/Berlin = 16:00–18:00 in Asia/Kuala_Lumpur"


def test_the_weekly_bound_spans_the_last_year_too():
    windows = ((1, dt.time(9), dt.time(12)),)
    assert overlap.mask_hours(
        overlap.weekly_mask("Europe/Berlin", windows, 9998, 9999),
        overlap.weekly_mask("Europe/Berlin", windows, 2027, 2027)[None, :],
    ).tolist() == [4.0]  # 09:00–12:00 at both of Berlin's offsets: 4 hours of UTC slots


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.date(2027, 2, 1), dt.date(9999, 12, 31)),
        (dt.date(1, 1, 1), dt.date(2027, 6, 30)),
        (dt.date(2027, 2, 1), dt.date(2037, 6, 30)),  # ten years: past the four allowed
    ],
)
def test_features_refuse_a_term_outside_the_window(start, end):
    with pytest.raises(ValueError, match="term outside"):
        OfferFeatures(
            id=1,
            region="asia",
            country="MY",
            institution_id=1,
            kind="coil",
            isced="0521",
            level="6",
            languages=(("en", "B2"),),
            students=30,
            term_start=start,
            term_end=end,
            duration_weeks=12,
            time_zone="Asia/Kuala_Lumpur",
        )


# --- through Django: one broken row, everybody else served ------------------------------------


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")


@pytest.fixture
def world(db, alice, jan, fit_model):
    """Alice's Asian course, Jan's European partner course, and Jan's second course broken
    in the database after it was published (a value no rule lets in)."""
    marine_fields = {
        "title": "Marine Spatial Planning",
        "description": "Planning seas and coasts: mangroves, reefs, estuaries and climate.",
        "isced": factories.isced("0522").pk,
        "time_zone": "Europe/Amsterdam",
        "windows": [(1, dt.time(8), dt.time(11)), (3, dt.time(8), dt.time(11))],
        "term_start": dt.date(2027, 2, 1),
        "term_end": dt.date(2027, 6, 30),
    }
    siti = factories.make_offer(alice)
    marine = factories.make_offer(jan, **marine_fields)
    broken = factories.make_offer(jan, **{**marine_fields, "title": "Coastal Law"})
    fit_model()
    return siti, marine, broken


BREAKAGES = {
    "an unknown time zone": {"time_zone": "Mars/Olympus_Mons"},
    "an unknown level": {"level": "9"},
    "a broad field where a detailed one belongs": {"isced_id": "05"},
}


@pytest.fixture(params=list(BREAKAGES))
def broken_world(request, world):
    siti, marine, broken = world
    factories.isced("05")
    Offer.objects.filter(pk=broken.pk).update(**BREAKAGES[request.param])
    return siti, marine, broken


@pytest.mark.django_db
def test_everybody_else_keeps_suggestions_and_proposals(
    client, api, alice, jan, broken_world, caplog
):
    siti, marine, broken = broken_world
    client.force_login(alice)
    with caplog.at_level(logging.WARNING, logger="matching.engine"):
        page = client.get(siti.get_absolute_url())
    assert page.status_code == 200
    assert "Marine Spatial Planning" in page.content.decode()
    assert any(f"offer {broken.pk} left out" in r.getMessage() for r in caplog.records)

    found = client.get(reverse("api:offer-suggestions", args=[siti.pk]))
    assert found.status_code == 200
    assert [r["title"] for r in found.json()["results"]] == ["Marine Spatial Planning"]

    api.force_login(alice)
    proposed = api.post(reverse("api:proposal-list"), {"offer": siti.pk, "partner": marine.pk})
    assert proposed.status_code == 201, proposed.content


@pytest.mark.django_db
def test_the_broken_offer_itself_answers_without_suggestions_or_a_score(
    client, api, alice, jan, broken_world
):
    siti, _marine, broken = broken_world
    client.force_login(jan)
    page = client.get(broken.get_absolute_url())
    assert page.status_code == 200
    assert client.get(reverse("api:offer-suggestions", args=[broken.pk])).json()["results"] == []
    # A proposal to it is still recorded, without a score the matcher cannot give.
    api.force_login(alice)
    proposed = api.post(reverse("api:proposal-list"), {"offer": siti.pk, "partner": broken.pk})
    assert proposed.status_code == 201, proposed.content
    # Its owner's copy for next year is refused in words, not with a server error.
    copied = client.post(reverse("offers:offer-duplicate", args=[broken.pk]), follow=True)
    assert copied.status_code == 200
