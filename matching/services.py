"""Writes of matching that belong to a user action."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from matching.models import HiddenSuggestion
from offers.models import Offer

NOT_A_PARTNER = _("That offer cannot be a partner of this one.")


def suggestion_hide(*, offer: Offer, partner: Offer, actor: User) -> HiddenSuggestion:
    """Never suggest `partner` for `offer` again. Call for an offer the actor may edit."""
    if partner.pk == offer.pk or partner.region == offer.region:
        raise ValidationError(NOT_A_PARTNER)
    hidden, _created = HiddenSuggestion.objects.get_or_create(
        offer=offer, hidden=partner, defaults={"hidden_by": actor}
    )
    return hidden


def suggestions_unhide_all(*, offer: Offer) -> int:
    deleted, _ = HiddenSuggestion.objects.filter(offer=offer).delete()
    return deleted
