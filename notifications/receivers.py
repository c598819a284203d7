"""Notifications follow the pairing workflow: each recorded proposal event queues its
in-app notifications and e-mails once the transaction commits. Each notification saved
new is pushed live to its recipient's pages, after commit (notifications.live)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from exchanges.signals import proposal_event_recorded
from notifications import live, tasks
from notifications.models import Notification
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


@receiver(post_save, sender=Notification, dispatch_uid="notifications_live_on_create")
def push_new_notification(sender, instance, created, raw=False, **kwargs) -> None:
    # Every kind, whoever creates it with save() or create(); bulk_create sends no signal,
    # so its callers announce their rows themselves (live.announce).
    if created and not raw:
        live.announce([instance])
