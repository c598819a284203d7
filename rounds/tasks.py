"""Background work of pairing rounds: computing and publishing one round, reaping stale
ones, announcing published ones after their grace period.

The task keeps the name it had when rounds lived in matching, so rounds queued before an
upgrade still find it."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from rounds import compute, publishing, undo
from rounds.models import PairingRound, RoundStatus


@shared_task(
    bind=True, name="matching.round_tasks.run_pairing_round", max_retries=3, acks_late=True
)
def run_pairing_round(self, round_id: int) -> str:
    """Compute the round with this primary key; returns its final status.

    Idempotent (see `rounds.compute.round_run`): a redelivered or retried task never stores a
    round twice. A transient database error is retried with back-off by a worker; when
    the retries are exhausted — or at once when running eagerly, where a retry would only
    repeat the error inside the request — the round ends failed with that error.
    """
    try:
        return compute.round_run(round_id=round_id).status
    except compute.TRANSIENT_ERRORS as exc:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            error = str(exc) or type(exc).__name__
            return compute.round_fail(round_id=round_id, error=error).status
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc


@shared_task(name="rounds.tasks.reap_stale_rounds")
def reap_stale_rounds() -> int:
    """Run by Celery beat: rounds whose worker died end failed with the reason; a round
    whose publishing worker died is published again (once: it is one transaction)."""
    stale = timezone.now() - dt.timedelta(minutes=settings.ROUND_STALE_MINUTES)
    for round_id in PairingRound.objects.filter(
        status=RoundStatus.PUBLISHING, heartbeat_at__lt=stale
    ).values_list("pk", flat=True):
        PairingRound.objects.filter(pk=round_id).update(heartbeat_at=timezone.now())
        publish_round.delay(round_id)
    return compute.rounds_reap_stale()


@shared_task(bind=True, name="rounds.tasks.publish_round", acks_late=True, max_retries=3)
def publish_round(self, round_id: int) -> str:
    """Publish a round marked publishing; returns its status. One transaction: a worker
    that dies publishes nothing, and the task delivered again publishes once."""
    pairing_round = PairingRound.objects.get(pk=round_id)
    if pairing_round.status != RoundStatus.PUBLISHING:
        return pairing_round.status
    actor = User.objects.get(pk=pairing_round.stats["publishing_by"])
    try:
        publishing.round_publish(pairing_round=pairing_round, actor=actor)
    except compute.TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    except ValidationError:
        # A second delivery (beat re-queued a slow one) waited on the round's lock and
        # found it published by the first: nothing to do.
        pairing_round.refresh_from_db()
        return pairing_round.status
    # With ROUND_UNDO_MINUTES = 0 there is no grace period: announce at once.
    undo.round_announce(round_id=round_id)
    return RoundStatus.PUBLISHED


@shared_task(name="rounds.tasks.announce_rounds")
def announce_rounds() -> int:
    """Run by Celery beat every minute: notify the lecturers of the published rounds whose
    grace period is over, once (`rounds.undo.rounds_announce_due`). Beat, not a task with
    a countdown: the due rounds are read from the database at every run, so nothing is
    lost when a worker restarts, and an eager embedded mode never sends at publish time."""
    return undo.rounds_announce_due()
