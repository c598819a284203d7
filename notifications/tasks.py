"""Background work of notifications. Each task takes primary keys (or nothing), calls the
planning, and may run twice: the work is idempotent.

The task names are those they had in the exchanges app, so messages queued before an
upgrade still find their task."""

import smtplib

from celery import shared_task

from exchanges import services
from notifications import alerts, planning

# SMTP errors are OSErrors already; named for the reader.
MAIL_ERRORS = (OSError, smtplib.SMTPException)


@shared_task(
    bind=True,
    name="exchanges.tasks.notify_proposal_event",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=6,
)
def notify_proposal_event(self, event_id: int) -> int:
    """In-app notifications and e-mails of one proposal event; returns e-mails sent."""
    return planning.notify_event(event_id)


@shared_task(
    bind=True,
    name="exchanges.tasks.expire_and_remind",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def expire_and_remind(self) -> int:
    """Run by Celery beat: expire unanswered proposals (their notifications are queued on
    commit), then remind the partners of those about to expire. Returns how many expired."""
    expired = services.proposals_expire()
    planning.proposals_remind()
    return expired


@shared_task(
    bind=True,
    name="notifications.tasks.find_alert_partners",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=6,
)
def find_alert_partners(self, offer_id: int) -> int:
    """A newly opened offer: record the alerts it fits, then tell those that are due."""
    found = alerts.find_partners(offer_id)
    if found:
        alerts.send_due()
    return found


@shared_task(
    bind=True,
    name="notifications.tasks.send_partner_alerts",
    autoretry_for=MAIL_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def send_partner_alerts(self) -> int:
    """Beat: tell the alerts whose interval has passed since partners were found."""
    return alerts.send_due()
