"""Background work of the chat."""

import smtplib

from celery import shared_task

from messaging import digest, presence

MAIL_ERRORS = (OSError, smtplib.SMTPException)


@shared_task(bind=True, autoretry_for=MAIL_ERRORS, retry_backoff=True, max_retries=3)
def send_unread_digests(self) -> int:
    """Run by Celery beat every 5 minutes; returns how many digests went out."""
    return digest.send_due_digests()


@shared_task
def purge_stale_connections() -> int:
    """Run by Celery beat: presence rows left by a server process that died."""
    return presence.purge_stale()
