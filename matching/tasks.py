"""Background work of matching: refits of the text model, debounced after changes and nightly;
the daily refit of the suggestion ranking on recorded outcomes."""

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from matching import outcomes, store

REFIT_PENDING_KEY = "matching:refit-pending"
RANKING_REFIT_KEY = "matching:ranking-refit-running"


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def refit_model(self, force: bool = False) -> int | None:
    cache.delete(REFIT_PENDING_KEY)
    version = store.refit(force=force)
    return version.pk if version else None


def schedule_refit() -> None:
    """Ask for a refit soon: after offers changed, or when a page found no stored model.
    Many calls within the debounce window lead to one refit; suggestions meanwhile use
    the current model (or, before the first fit, say that none is ready yet)."""
    if not getattr(settings, "MATCHING_AUTO_REFIT", True):
        return
    delay = settings.MATCHING_REFIT_DEBOUNCE_SECONDS
    if cache.add(REFIT_PENDING_KEY, 1, timeout=delay + 60):
        transaction.on_commit(lambda: refit_model.apply_async(countdown=delay))


@shared_task
def refit_ranking() -> int | None:
    """Learn the ranking from the recorded outcomes (skipped, None, while fewer than
    RANKING_MIN_OUTCOMES pairs have one, or while another refit runs); the id of the
    stored fit."""
    # The nightly run and a "refit now" may meet: one at a time (the other is skipped).
    if not cache.add(RANKING_REFIT_KEY, 1, timeout=15 * 60):
        return None
    try:
        model = outcomes.refit()
    finally:
        cache.delete(RANKING_REFIT_KEY)
    return model.pk if model else None
