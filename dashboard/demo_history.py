"""A made-up past for the demo: exchanges between demo courses run through the workflow
(proposed, accepted, approved by both demo offices, started, most completed) and spread
over the last year, so the statistics and the chats have something to show."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import (
    Affiliation,
    AffiliationRole,
    AffiliationStatus,
    Institution,
    Region,
    User,
)
from dashboard.demo import demo_user
from exchanges import decisions, services
from exchanges.models import Proposal
from offers.models import Offer, OfferStatus

DEMO_HISTORY_NOTE = "Demo history"


def _demo_office(institution: Institution) -> User:
    user = demo_user(institution, "office.demo", f"International Office, {institution.name}")
    Affiliation.objects.get_or_create(
        user=user,
        institution=institution,
        role=AffiliationRole.OFFICE,
        defaults={"status": AffiliationStatus.VERIFIED},
    )
    return user


def _backdate(proposal: Proposal, rng: random.Random) -> None:
    """Spread the made-up past over the last year: proposed, then approved days later."""
    proposed = timezone.now() - dt.timedelta(days=rng.randint(40, 360), hours=rng.randint(0, 23))
    approved = proposed + dt.timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 23))
    proposal = Proposal.objects.get(pk=proposal.pk)
    proposal.created_at, proposal.approved_at = proposed, approved
    proposal.save(update_fields=["created_at", "approved_at"])  # the statistics follow
    events = list(proposal.events.order_by("at", "pk"))
    for n, event in enumerate(events):
        event.at = proposed if n == 0 else approved + dt.timedelta(minutes=n)
    type(events[0]).objects.bulk_update(events, ["at"])


def build_demo_history(pairs: int = 48) -> int:
    """Past exchanges between demo courses, run through the workflow (proposed, accepted,
    approved by both offices, started, most of them completed with a report), so the
    statistics and the chat have something to show. Idempotent; Siti's and Jan's courses
    stay free for their journeys. Returns the exchanges created."""
    if Proposal.objects.filter(message=DEMO_HISTORY_NOTE).exists():
        return 0
    rng = random.Random(51)  # the ASEM partners
    journey = Q(owner__email__in=["siti@um.edu.my", "jan@wageningenuniversity.nl"])
    open_offers = Offer.objects.filter(status=OfferStatus.OPEN).exclude(journey)
    asian = list(open_offers.filter(region=Region.ASIA).order_by("pk"))
    european = list(open_offers.filter(region=Region.EUROPE).order_by("pk"))
    rng.shuffle(asian)
    rng.shuffle(european)
    chosen = list(zip(asian, european, strict=False))[:pairs]
    # Made-up people at real institutions' domains: their past is never e-mailed.
    owners = {o.owner_id for pair in chosen for o in pair}
    User.objects.filter(pk__in=owners).update(email_notifications=False)
    created = 0
    for a, e in chosen:
        with transaction.atomic():
            p = services.proposal_create(
                actor=a.owner, offer=a, partner=e, message=DEMO_HISTORY_NOTE
            )
            p = services.proposal_accept(proposal=p, actor=e.owner)
            for offer in (a, e):
                decisions.proposal_approve(proposal=p, actor=_demo_office(offer.institution))
            p = services.proposal_start(proposal=p, actor=a.owner)
            if rng.random() < 0.7:
                services.proposal_complete(
                    proposal=p,
                    actor=e.owner,
                    report={
                        "participants_asia": max(1, a.students - rng.randint(0, 6)),
                        "participants_europe": max(1, e.students - rng.randint(0, 6)),
                        "sync_hours": rng.choice([6, 8, 10, 12, 16]),
                        "outcomes": "",
                    },
                )
            _backdate(p, rng)
        created += 1
    return created
