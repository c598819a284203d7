"""What matching adds to the offer page (core.panels): the explained suggestions."""

from __future__ import annotations

from django.http import HttpRequest

from matching import engine
from matching.forms import SuggestionFilterForm
from matching.models import HiddenSuggestion
from offers.access import OfferAccess
from offers.models import Offer

SUGGESTIONS_SHOWN = 10


def suggestions_panel(request: HttpRequest, offer: Offer, access: OfferAccess) -> dict:
    """What the offer page shows of its suggestions: to its editors and its office."""
    if not access.can_see_suggestions:
        return {}
    form = SuggestionFilterForm(request.GET or None, prefix="s")
    matches = engine.suggestions_if_ready(offer, k=SUGGESTIONS_SHOWN, filters=form.filters())
    # None: no model is stored yet; a refit is queued and the page says so.
    model_ready = matches is not None
    matches = matches or []
    partners = Offer.objects.select_related("institution", "country", "isced").in_bulk(
        [m.partner_id for m in matches]
    )
    cards = [
        {
            "partner": partners[m.partner_id],
            "score": m.score,
            "percent": round(m.score * 100),
            "reasons": [r for r in m.reasons if r.weight > 0 or r.code in ("language", "term")],
        }
        for m in matches
        if m.partner_id in partners
    ]
    return {
        "suggestion_form": form,
        "suggestions": cards,
        "suggestions_ready": model_ready,
        "hidden_count": HiddenSuggestion.objects.filter(offer=offer).count(),
    }
