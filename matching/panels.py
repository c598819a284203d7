"""What matching adds to the offer page (core.panels): the explained suggestions."""

from __future__ import annotations

from django.http import HttpRequest

from matching import engine, nearby, outcomes
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
    outcomes.record_shown(offer.pk, matches if access.can_edit else [])  # what lecturers saw
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
    filtered = form.is_bound and form.filters() != engine.SuggestionFilters()
    # The honest empty state: no partner shares subject (or passes the hard rules) yet.
    near = nearby.nearest_fields(offer) if model_ready and not cards and not filtered else []
    return {
        "suggestion_form": form,
        "suggestions": cards,
        "suggestions_ready": model_ready,
        "suggestions_filtered": filtered,
        "nearest_fields": near,
        "hidden_count": HiddenSuggestion.objects.filter(offer=offer).count(),
    }
