"""Outcomes of suggestions, recorded through the real pages and services: shown (once a
day), opened from a suggestion, hidden, proposed, accepted, declined and completed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from exchanges import decisions, services
from exchanges.models import ProposalOrigin
from matching.features import Weights
from matching.models import SuggestionEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(european_institution, email="jan@wageningenuniversity.nl")


@pytest.fixture
def siti_offer(alice):
    return factories.make_offer(alice)  # Coastal Ecosystems, Kuala Lumpur, English B2


def marine_offer(jan, title="Marine Spatial Planning"):
    return factories.make_offer(
        jan,
        title=title,
        description="Planning seas and coasts: mangroves, reefs, estuaries and climate.",
        isced=factories.isced("0522").pk,
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11)), (3, dt.time(8), dt.time(11))],
        sdgs=[factories.sdg(14).pk],
        term_start=dt.date(2027, 2, 1),
        term_end=dt.date(2027, 6, 30),
    )


@pytest.fixture
def marine(jan):
    return marine_offer(jan)


def kinds(offer, partner) -> list[str]:
    return list(
        SuggestionEvent.objects.filter(offer=offer, partner=partner)
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def test_shown_once_a_day_with_the_pairs_components(client, alice, siti_offer, marine, fit_model):
    fit_model()
    client.force_login(alice)
    for _ in range(3):
        body = client.get(siti_offer.get_absolute_url()).content.decode()
    assert f"{marine.get_absolute_url()}?suggested_for={siti_offer.pk}" in body
    (event,) = SuggestionEvent.objects.filter(offer=siti_offer, partner=marine)
    assert (event.kind, event.rank) == ("shown", 1)
    assert set(event.components) == set(Weights.SOFT)
    assert event.components["isced"] > 0 and event.components["text"] > 0
    assert 0 < event.score <= 1


def test_the_office_looking_at_suggestions_is_not_recorded(
    client, bob, siti_offer, marine, fit_model
):
    fit_model()
    client.force_login(bob)
    assert "Marine Spatial Planning" in client.get(siti_offer.get_absolute_url()).content.decode()
    assert not SuggestionEvent.objects.exists()


def test_opened_from_a_suggestion_by_its_lecturer_only(
    client, alice, jan, siti_offer, marine, fit_model
):
    fit_model()
    client.force_login(alice)
    client.get(siti_offer.get_absolute_url())
    opened = f"{marine.get_absolute_url()}?suggested_for={siti_offer.pk}"
    client.get(opened)
    client.get(opened)  # once a day
    assert kinds(siti_offer, marine) == ["shown", "opened"]
    # The link passed on to someone else, or a pair never shown, records nothing.
    client.force_login(jan)
    client.get(opened)
    client.force_login(alice)
    client.get(f"{marine.get_absolute_url()}?suggested_for={marine.pk}")
    assert SuggestionEvent.objects.filter(kind="opened").count() == 1


def test_hidden_through_the_page(client, alice, siti_offer, marine, fit_model):
    fit_model()
    client.force_login(alice)
    client.get(siti_offer.get_absolute_url())
    url = reverse("matching:suggestion-hide", args=[siti_offer.pk])
    assert client.post(url, {"partner": marine.pk}).status_code == 302
    assert kinds(siti_offer, marine) == ["shown", "hidden"]
    hidden = SuggestionEvent.objects.get(kind="hidden")
    assert hidden.components == SuggestionEvent.objects.get(kind="shown").components


def test_proposed_accepted_completed_from_the_side_it_was_suggested_to(
    client, alice, bob, jan, european_institution, siti_offer, marine, fit_model
):
    fit_model()
    client.force_login(alice)
    client.get(siti_offer.get_absolute_url())
    p = services.proposal_create(
        actor=alice, offer=siti_offer, partner=marine, origin=ProposalOrigin.SUGGESTION
    )
    p = services.proposal_accept(proposal=p, actor=jan)
    decisions.proposal_approve(proposal=p, actor=bob)
    decisions.proposal_approve(proposal=p, actor=factories.office(european_institution))
    p = services.proposal_start(proposal=p, actor=alice)
    report = {"participants_asia": 20, "participants_europe": 18, "sync_hours": 8, "outcomes": ""}
    services.proposal_complete(proposal=p, actor=jan, report=report)
    assert kinds(siti_offer, marine) == ["shown", "proposed", "accepted", "completed"]
    assert not SuggestionEvent.objects.filter(offer=marine).exists()
    proposed = SuggestionEvent.objects.get(kind="proposed")
    assert proposed.components["isced"] > 0 and proposed.score == pytest.approx(p.score, abs=1e-4)


def test_declined_seen_from_the_proposers_offer(alice, jan, siti_offer, fit_model):
    other = marine_offer(jan, title="Estuaries and Deltas")
    fit_model()
    # Jan proposes from his offer, without having been shown it: his side is the offer.
    p = services.proposal_create(actor=jan, offer=other, partner=siti_offer)
    services.proposal_decline(proposal=p, actor=alice)
    assert kinds(other, siti_offer) == ["proposed", "declined"]
    assert SuggestionEvent.objects.get(kind="declined").components["text"] > 0


def test_no_person_and_no_text_in_an_event():
    fields = {f.name for f in SuggestionEvent._meta.get_fields()}
    assert fields == {"id", "offer", "partner", "kind", "components", "score", "rank", "at", "day"}
