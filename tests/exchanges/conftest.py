"""Fixtures of the workflow tests: the offers API's people, and alice's and jan's offers
with a proposal run up to any state."""

from __future__ import annotations

import datetime as dt

import pytest

from exchanges import decisions, services
from exchanges.models import Proposal
from tests import factories
from tests.offers.conftest import erin, thai_institution  # noqa: F401

REPORT = {"participants_asia": 30, "participants_europe": 28, "sync_hours": "12.0"}


@pytest.fixture
def jan(european_institution):
    return factories.lecturer(
        european_institution, email="jan@wageningenuniversity.nl", full_name="Jan de Vries"
    )


@pytest.fixture
def siti_offer(alice):
    return factories.make_offer(alice)  # COIL, 35 students


@pytest.fixture
def jan_offer(jan):
    return factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        students=30,
        time_zone="Europe/Amsterdam",
        windows=[(1, dt.time(8), dt.time(11))],
    )


@pytest.fixture
def make_proposal(alice, jan, bob, charlie, siti_offer, jan_offer):
    """alice proposes her offer to jan's, then the workflow runs up to `state`."""

    def build(state: str = "proposed") -> Proposal:
        p = services.proposal_create(
            actor=alice, offer=siti_offer, partner=jan_offer, message="Shall we?"
        )
        if state == "proposed":
            return p
        if state == "declined":
            return services.proposal_decline(proposal=p, actor=jan, note="Not this term")
        if state == "withdrawn":
            return services.proposal_withdraw(proposal=p, actor=alice)
        p = services.proposal_accept(proposal=p, actor=jan)
        if state == "accepted":
            return p
        if state == "rejected":
            return decisions.proposal_reject(proposal=p, actor=bob, reason="Exams clash")
        decisions.proposal_approve(proposal=p, actor=charlie)
        p = decisions.proposal_approve(proposal=p, actor=bob)
        if state == "approved":
            return p
        p = services.proposal_start(proposal=p, actor=alice)
        if state == "active":
            return p
        assert state == "completed"
        services.proposal_complete(proposal=p, actor=jan, report=dict(REPORT))
        return Proposal.objects.get(pk=p.pk)

    return build
