"""Notifications follow the pairing workflow: each recorded proposal event queues its
in-app notifications and e-mails once the transaction commits."""

from django.db import transaction
from django.dispatch import receiver

from exchanges.signals import proposal_event_recorded
from notifications import tasks
from offers.signals import offer_status_changed


@receiver(proposal_event_recorded, dispatch_uid="notifications_on_proposal_event")
def queue_event_notifications(sender, event_id: int, **kwargs) -> None:
    # Robust: if the broker cannot be reached, the committed transition still stands and
    # the failure is logged, instead of turning the lecturer's click into an error page.
    transaction.on_commit(lambda: tasks.notify_proposal_event.delay(event_id), robust=True)


@receiver(offer_status_changed, dispatch_uid="notifications_alerts_on_offer_status")
def queue_alert_search(sender, offer, **kwargs) -> None:
    # Only a newly opened offer can be somebody's awaited partner.
    if offer.is_open():
        transaction.on_commit(lambda: tasks.find_alert_partners.delay(offer.pk), robust=True)
