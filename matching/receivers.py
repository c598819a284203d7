"""The text model follows the open offers: a refit is scheduled (debounced) when an open
offer's text changes, or when an offer opens or closes; every process's offer table
learns of deleted offers."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from matching.live_table import note_deletion
from matching.tasks import schedule_refit
from offers.models import Offer
from offers.signals import offer_status_changed, offer_updated


@receiver(offer_updated, dispatch_uid="matching_refit_on_offer_updated")
def _offer_updated(sender, offer, **kwargs) -> None:
    if offer.is_open():
        schedule_refit()


@receiver(offer_status_changed, dispatch_uid="matching_refit_on_offer_status")
def _offer_status_changed(sender, offer, **kwargs) -> None:
    # The model is fitted on open offers: opening or closing one changes it.
    schedule_refit()


@receiver(post_delete, sender=Offer, dispatch_uid="matching_table_on_offer_deleted")
def _offer_deleted(sender, instance, **kwargs) -> None:
    note_deletion()
