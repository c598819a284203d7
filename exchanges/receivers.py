"""The workflow follows the offers: a changed offer re-freezes the terms of its accepted
proposals, which voids the offices' approvals of changed terms (journey 3)."""

from django.dispatch import receiver

from exchanges.decisions import proposals_terms_changed
from offers.signals import offer_updated


@receiver(offer_updated, dispatch_uid="exchanges_refreeze_on_offer_updated")
def _offer_updated(sender, offer, **kwargs) -> None:
    proposals_terms_changed(offer=offer, actor=None)
