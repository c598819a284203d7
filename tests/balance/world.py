"""A small world of exchanges whose figures tests/balance computes by hand.

Institutions: Universiti Malaya (MY, alice lecturer, bob office), Chulalongkorn (TH, erin),
Wageningen (NL, jan lecturer, charlie office), Universität Wien (AT, vera).

    E1  MY COIL 30  ↔ NL COIL 20   approved   2027-02-15  A→E 30, E→A 20
    E2  MY VM 25    ↔ NL COIL 40   completed  2027-03-15  report Asia 12, Europe 18:
                                                          A→E 0, E→A 18 (Asia hosts)
    E3  TH COIL 15  ↔ AT VM 10     active     2027-09-01  A→E min(15, 10) = 10, E→A 0
    E4  TH VM 8     ↔ NL VM 12     approved   2028-02-01  A→E 8, E→A 8 (host each other)
    E5  MY COIL 35  ↔ AT COIL 22   proposed   2027-05-02  (a proposal only: 35 / 22)
    O11 MY COIL 20, open, no partner.

Days from proposal to approval: E1 2, E2 10, E3 4, E4 30 → median 7.0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from exchanges import decisions, services
from exchanges.models import Proposal
from tests import factories


@dataclass
class World:
    alice: object
    bob: object
    jan: object
    charlie: object
    erin: object
    vera: object
    um: object
    wur: object
    chula: object
    wien: object
    exchanges: dict


def _days(proposal: Proposal, days: int) -> None:
    created = timezone.make_aware(dt.datetime(2026, 9, 1, 9, 0))
    proposal = Proposal.objects.get(pk=proposal.pk)
    proposal.created_at, proposal.approved_at = created, created + dt.timedelta(days=days)
    proposal.save(update_fields=["created_at", "approved_at"])


def agree(lecturer_a, offer_a, lecturer_b, offer_b, office_a, office_b) -> Proposal:
    """Propose, accept and have both offices approve."""
    p = services.proposal_create(actor=lecturer_a, offer=offer_a, partner=offer_b)
    services.proposal_accept(proposal=p, actor=lecturer_b)
    decisions.proposal_approve(proposal=p, actor=office_a)
    decisions.proposal_approve(proposal=p, actor=office_b)
    p.refresh_from_db()
    return p


@pytest.fixture
def world(db, alice, bob, charlie, asian_institution, european_institution) -> World:
    um, wur = asian_institution, european_institution
    chula = factories.InstitutionFactory(
        name="Chulalongkorn University", country=factories.country("TH")
    )
    wien = factories.InstitutionFactory(name="Universität Wien", country=factories.country("AT"))
    jan = factories.lecturer(wur, email="jan@wur.example", full_name="Jan de Vries")
    erin = factories.lecturer(chula, email="erin@chula.example", full_name="Erin Suk")
    vera = factories.lecturer(wien, email="vera@univie.example", full_name="Vera Huber")
    thai_office = factories.office(chula, email="office@chula.example")
    wien_office = factories.office(wien, email="office@univie.example")
    s = factories.sdg
    s(1)  # a goal that no course names
    date = dt.date

    def offer(owner, **kw):
        start = kw.pop("start")
        return factories.make_offer(
            owner, term_start=start, term_end=start + dt.timedelta(weeks=14), **kw
        )

    o1 = offer(
        alice,
        kind="coil",
        students=30,
        level="6",
        start=date(2027, 2, 15),
        sdgs=[s(13).pk, s(14).pk],
    )
    o2 = offer(
        jan,
        kind="coil",
        students=20,
        level="6",
        start=date(2027, 3, 1),
        sdgs=[s(13).pk],
        time_zone="Europe/Amsterdam",
    )
    o3 = offer(
        alice,
        kind="virtual_mobility",
        students=25,
        level="7",
        start=date(2027, 4, 1),
        priority="quality_recognition",
        isced=factories.isced("0611").pk,
        sdgs=[s(4).pk],
        theme_digitalisation=True,
        theme_sustainability=False,
    )
    o4 = offer(
        jan,
        kind="coil",
        students=40,
        level="7",
        start=date(2027, 3, 15),
        priority="quality_recognition",
        isced=factories.isced("0611").pk,
        sdgs=[s(4).pk, s(13).pk],
        theme_digitalisation=True,
        theme_sustainability=False,
        time_zone="Europe/Amsterdam",
    )
    o5 = offer(
        erin,
        kind="coil",
        students=15,
        level="nonformal",
        start=date(2027, 9, 1),
        priority="lifelong_learning",
        sdgs=[],
        theme_sustainability=False,
        time_zone="Asia/Bangkok",
    )
    o6 = offer(
        vera,
        kind="virtual_mobility",
        students=10,
        level="5",
        start=date(2027, 10, 1),
        priority="business_industry",
        isced=factories.isced("0413").pk,
        sdgs=[s(8).pk],
        theme_sustainability=False,
        time_zone="Europe/Vienna",
    )
    o7 = offer(
        erin,
        kind="virtual_mobility",
        students=8,
        level="6",
        start=date(2028, 2, 1),
        sdgs=[s(13).pk],
        time_zone="Asia/Bangkok",
    )
    o8 = offer(
        jan,
        kind="virtual_mobility",
        students=12,
        level="6",
        start=date(2028, 3, 1),
        sdgs=[s(14).pk],
        time_zone="Europe/Amsterdam",
    )
    o9 = offer(alice, kind="coil", students=35, level="6", start=date(2027, 5, 2))
    o10 = offer(
        vera,
        kind="coil",
        students=22,
        level="6",
        start=date(2027, 5, 10),
        time_zone="Europe/Vienna",
    )
    offer(alice, kind="coil", students=20, level="6", start=date(2027, 6, 1))

    e1 = agree(alice, o1, jan, o2, bob, charlie)
    e2 = agree(alice, o3, jan, o4, bob, charlie)
    services.proposal_start(proposal=e2, actor=alice)
    services.proposal_complete(
        proposal=e2,
        actor=jan,
        report={"participants_asia": 12, "participants_europe": 18, "sync_hours": 10},
    )
    e3 = agree(erin, o5, vera, o6, thai_office, wien_office)
    services.proposal_start(proposal=e3, actor=erin)
    e4 = agree(erin, o7, jan, o8, thai_office, charlie)
    e5 = services.proposal_create(actor=alice, offer=o9, partner=o10)
    for proposal, days in ((e1, 2), (e2, 10), (e3, 4), (e4, 30)):
        _days(proposal, days)
    return World(
        alice,
        bob,
        jan,
        charlie,
        erin,
        vera,
        um,
        wur,
        chula,
        wien,
        {"E1": e1, "E2": e2, "E3": e3, "E4": e4, "E5": e5},
    )
