"""The workflow follows the offers: a changed offer re-freezes the terms of its accepted
proposals, which voids the offices' approvals of changed terms (journey 3); an offer
whose places are all taken now (fewer partners sought) closes its open proposals."""

from django.dispatch import receiver

from exchanges.decisions import proposals_terms_changed
from exchanges.transitions import close_open_proposals
from offers.signals import offer_updated


@receiver(offer_updated, dispatch_uid="exchanges_refreeze_on_offer_updated")
def _offer_updated(sender, offer, **kwargs) -> None:
    proposals_terms_changed(offer=offer, actor=None)
    close_open_proposals([offer.pk])
