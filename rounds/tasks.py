"""Background work of pairing rounds: computing one round.

The task keeps the name it had when rounds lived in matching, so rounds queued before an
upgrade still find it."""

from __future__ import annotations

from celery import shared_task

from rounds import compute


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
    """Run by Celery beat: rounds whose worker died end failed with the reason."""
    return compute.rounds_reap_stale()
