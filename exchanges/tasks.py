"""Background work of the pairing workflow (being built)."""

from celery import shared_task

from exchanges import services


@shared_task
def expire_and_remind() -> int:
    return services.proposals_expire()
