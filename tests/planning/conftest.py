"""A small world for session planning: Siti's course in Hanoi (Asia/Ho_Chi_Minh, no summer
time) and Jan's in Aarhus (Europe/Copenhagen, summer time from 28 March 2027), both on
Tuesdays, proposed to each other; an outsider lecturer, both offices and a third office."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from exchanges import services
from exchanges.models import Proposal
from tests import factories

ASIA_TERM = (dt.date(2027, 1, 18), dt.date(2027, 5, 28))
EUROPE_TERM = (dt.date(2027, 2, 1), dt.date(2027, 5, 28))


@dataclass
class World:
    siti: object
    jan: object
    erin: object
    mei: object  # the office of Siti's institution
    lars: object  # the office of Jan's institution
    dara: object  # the office of a third institution
    asian_offer: object
    european_offer: object
    proposal: Proposal


@pytest.fixture
def world(db) -> World:
    hanoi = factories.InstitutionFactory(name="Hanoi University", country=factories.country("VN"))
    aarhus = factories.InstitutionFactory(name="Aarhus University", country=factories.country("DK"))
    third = factories.InstitutionFactory(name="Chulalongkorn", country=factories.country("TH"))
    siti = factories.lecturer(hanoi, email="siti@hanu.edu.vn", full_name="Siti Rahman")
    jan = factories.lecturer(
        aarhus, email="jan@au.dk", full_name="Jan de Vries", time_zone="Europe/Copenhagen"
    )
    erin = factories.lecturer(third, email="erin@chula.ac.th")
    mei = factories.office(hanoi, email="mei@hanu.edu.vn")
    lars = factories.office(aarhus, email="lars@au.dk")
    dara = factories.office(third, email="dara@chula.ac.th")
    asian_offer = factories.make_offer(
        siti,
        title="Coastal Ecosystems",
        time_zone="Asia/Ho_Chi_Minh",
        term_start=ASIA_TERM[0],
        term_end=ASIA_TERM[1],
        windows=[(1, dt.time(15), dt.time(18))],
        sync_sessions=6,
    )
    european_offer = factories.make_offer(
        jan,
        title="Marine Spatial Planning",
        time_zone="Europe/Copenhagen",
        term_start=EUROPE_TERM[0],
        term_end=EUROPE_TERM[1],
        windows=[(1, dt.time(9), dt.time(12))],
        sync_sessions=6,
    )
    proposal = services.proposal_create(actor=siti, offer=asian_offer, partner=european_offer)
    return World(siti, jan, erin, mei, lars, dara, asian_offer, european_offer, proposal)


def set_plan(proposal: Proposal, starts: list[dt.datetime], *, state: str, minutes: int = 90):
    """Freeze a plan on the proposal directly, in `state` (the terms' own flow is tested in
    tests/exchanges)."""
    sessions = [{"start": s.isoformat(), "minutes": minutes} for s in starts]
    Proposal.objects.filter(pk=proposal.pk).update(
        state=state,
        terms={
            "agreed": {"sessions": sessions, "session_count": len(sessions), "platform": "Zoom"}
        },
    )
    proposal.refresh_from_db()
    return proposal
