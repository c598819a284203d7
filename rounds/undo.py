"""The grace period of a published round: undoing it, and announcing its proposals once
the period is over.

Publishing (`rounds.publishing.round_publish`) creates the proposals without telling
anyone and sets `announce_at` = published + ROUND_UNDO_MINUTES. Before that moment
`round_undo` removes the proposals and returns the round to done. From that moment
`rounds_announce_due` (Celery beat, every minute, `rounds.tasks.announce_rounds`) queues
their notifications, once, and marks the round `announced_at`. The state lives in the
database, so a worker or beat restart only delays the announcement; it is never lost.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from exchanges import services as proposal_services
from exchanges.models import Proposal, ProposalEvent, ProposalState
from rounds.errors import RoundCode
from rounds.models import PairingRound, RoundStatus
from rounds.params import UNDO_NOT_PUBLISHED, UNDO_TOO_LATE, UNDO_TOUCHED


def in_grace(pairing_round: PairingRound, now: dt.datetime | None = None) -> bool:
    """Whether the round is published and can still be undone."""
    now = now or timezone.now()
    return (
        pairing_round.status == RoundStatus.PUBLISHED
        and pairing_round.announced_at is None
        and pairing_round.announce_at is not None
        and now < pairing_round.announce_at
    )


def due(pairing_round: PairingRound, now: dt.datetime | None = None) -> bool:
    """Whether the round is published, its grace period over, and not announced yet."""
    now = now or timezone.now()
    return (
        pairing_round.status == RoundStatus.PUBLISHED
        and pairing_round.announced_at is None
        and pairing_round.announce_at is not None
        and pairing_round.announce_at <= now
    )


def touched(proposals):
    """The proposals somebody acted on: answered (any event after the creation, any
    acceptance, any other state) or wrote in its chat."""
    later_event = ProposalEvent.objects.filter(proposal=OuterRef("pk")).exclude(from_state="")
    return proposals.filter(
        ~Q(state=ProposalState.PROPOSED)
        | Q(asian_accepted_at__isnull=False)
        | Q(european_accepted_at__isnull=False)
        | Q(Exists(later_event))
        | Q(conversation__last_seq__gt=0)
    )


def round_undo(*, pairing_round: PairingRound, actor: User, now: dt.datetime | None = None) -> int:
    """Take a published round back within its grace period: its proposals (with their
    events and chats) are deleted in one transaction and the round is done again, ready
    to be published or left. Returns how many proposals were removed.

    ValidationError, and no change, when the round is not published, when its grace
    period is over, or when a lecturer acted on any of its proposals (UNDO_TOUCHED):
    undoing the others alone would leave a half-published round, and erasing an answer
    would lose a person's act.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = PairingRound.objects.select_for_update().get(pk=pairing_round.pk)
        if locked.status != RoundStatus.PUBLISHED:
            raise ValidationError(UNDO_NOT_PUBLISHED, code=RoundCode.NOT_PUBLISHED)
        if not in_grace(locked, now):
            raise ValidationError(UNDO_TOO_LATE, code=RoundCode.TOO_LATE)
        proposals = Proposal.objects.filter(pairing_round=locked)
        # Locked in the order every transition locks one: a lecturer's answer either
        # committed before (and is seen below) or waits and finds the proposal gone.
        ids = list(proposals.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
        acted = touched(proposals).count()
        if acted:
            raise ValidationError(UNDO_TOUCHED, code=RoundCode.TOUCHED, params={"count": acted})
        proposals.filter(pk__in=[pk for (pk,) in ids]).delete()
        removed = len(ids)
        stats = {k: v for k, v in locked.stats.items() if k not in ("published", "publishing_by")}
        stats["undone"] = [
            *locked.stats.get("undone", []),
            {"by": actor.pk, "at": now.isoformat(), "removed": removed},
        ]
        locked.status = RoundStatus.DONE
        locked.published_at = locked.announce_at = None
        locked.stats = stats
        locked.full_clean()
        locked.save(update_fields=["status", "published_at", "announce_at", "stats"])
    pairing_round.refresh_from_db()
    return removed


def round_announce(*, round_id: int, now: dt.datetime | None = None) -> int:
    """Notify the lecturers of a published round's proposals once its grace period is
    over; returns how many proposals were announced (0 when not due or done before).

    The notifications are queued first and the round marked after: a crash in between
    queues them again at the next sweep, which sends nothing twice (one notification per
    event and person, each e-mail under a lock). An undo cannot interleave: it is refused
    from `announce_at` on, and this runs only from then.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = PairingRound.objects.select_for_update().get(pk=round_id)
        if not due(locked, now):
            return 0
        ids = list(Proposal.objects.filter(pairing_round=locked).values_list("pk", flat=True))
    # Outside a transaction: each notification task is queued at once.
    proposal_services.proposals_announce(ids)
    PairingRound.objects.filter(pk=round_id, announced_at__isnull=True).update(announced_at=now)
    return len(ids)


def rounds_announce_due(*, now: dt.datetime | None = None) -> int:
    """Announce every published round whose grace period is over (Celery beat, every
    minute). Returns how many proposals were announced."""
    now = now or timezone.now()
    due = PairingRound.objects.filter(
        status=RoundStatus.PUBLISHED, announced_at__isnull=True, announce_at__lte=now
    ).values_list("pk", flat=True)
    return sum(round_announce(round_id=pk, now=now) for pk in due)
