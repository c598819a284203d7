"""The offer page, opened from another offer's suggestions (the card's link carries
`?suggested_for=<that offer>`): recorded as "opened" for the ranking to learn from. Adds
nothing to the page."""

from __future__ import annotations

from django.http import HttpRequest

from matching import outcomes
from offers.access import OfferAccess
from offers.models import Offer

PARAM = "suggested_for"


def opened_from_suggestion(request: HttpRequest, offer: Offer, access: OfferAccess) -> dict:
    source = request.GET.get(PARAM, "")
    if request.method != "GET" or not source.isdigit() or not request.user.is_authenticated:
        return {}
    suggested_to = Offer.objects.filter(pk=int(source)).first()
    # Only the lecturers of the offer the suggestion was shown to count: a link passed on
    # (or made up) records nothing.
    if suggested_to is not None and OfferAccess(request.user, suggested_to).can_edit:
        outcomes.record_opened(suggested_to.pk, offer.pk)
    return {}
