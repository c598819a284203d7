"""The text model follows the open offers: a refit is scheduled (debounced) when an open
offer's text changes, or when an offer opens or closes."""

from django.dispatch import receiver

from matching.tasks import schedule_refit
from offers.signals import offer_status_changed, offer_updated


@receiver(offer_updated, dispatch_uid="matching_refit_on_offer_updated")
def _offer_updated(sender, offer, **kwargs) -> None:
    if offer.is_open():
        schedule_refit()


@receiver(offer_status_changed, dispatch_uid="matching_refit_on_offer_status")
def _offer_status_changed(sender, offer, **kwargs) -> None:
    # The model is fitted on open offers: opening or closing one changes it.
    schedule_refit()
