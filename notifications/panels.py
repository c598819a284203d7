"""What notifications add to the offer page (core.panels): its lecturers' partner alert."""

from __future__ import annotations

from django.http import HttpRequest

from notifications.models import PartnerAlert
from offers.access import OfferAccess, offer_editor_ids
from offers.models import Offer, OfferStatus


def alert_panel(request: HttpRequest, offer: Offer, access: OfferAccess) -> dict:
    user = request.user
    if not user.is_authenticated or offer.status == OfferStatus.CLOSED:
        return {}
    if user.pk not in offer_editor_ids(offer):
        return {}
    return {
        "can_set_alert": True,
        "partner_alert": PartnerAlert.objects.filter(offer=offer, user=user).first(),
    }
