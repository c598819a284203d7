"""Background work of session planning."""

import smtplib

from celery import shared_task

from planning import reminders

# SMTP errors are OSErrors already; named for the reader.
MAIL_ERRORS = (OSError, smtplib.SMTPException)


@shared_task(
    bind=True,
    name="planning.tasks.send_session_reminders",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def send_session_reminders(self) -> int:
    """Run by Celery beat every 5 minutes: remind both lecturers of each session the day
    before and an hour before. Idempotent; returns how many e-mails went out."""
    return reminders.send_session_reminders()
