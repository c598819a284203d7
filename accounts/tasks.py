"""Background work of accounts. Each task takes primary keys and calls one service."""

from celery import shared_task

from accounts import notifications


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_claim_waiting(self, affiliation_id: int) -> int:
    return notifications.claim_waiting(affiliation_id=affiliation_id)


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_claim_decided(self, affiliation_id: int) -> bool:
    return notifications.claim_decided(affiliation_id=affiliation_id)
