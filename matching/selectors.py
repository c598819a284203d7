"""Reads of the matching for the pages above it: the suggestions a lecturer has not seen."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from matching import engine
from matching.models import SuggestionEvent
from offers.models import Offer


@dataclass(frozen=True)
class NewSuggestion:
    offer: Offer  # the lecturer's own offer
    partner: Offer
    score: float

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def unseen_suggestions(offers: Iterable[Offer], *, k: int = 3) -> list[NewSuggestion] | None:
    """The k best partners of each offer that nothing was recorded about yet (never shown
    on the offer's page, opened, proposed or hidden), best first per offer; None while no
    text model is stored (a refit is then queued). A few queries per offer, and two for
    all: pass only the few offers a page shows."""
    found = []
    for offer in offers:
        matches = engine.suggestions_if_ready(offer, k=k)
        if matches is None:
            return None
        found += [(offer, m) for m in matches]
    if not found:
        return []
    pairs = Q()
    for offer, m in found:
        pairs |= Q(offer_id=offer.pk, partner_id=m.partner_id)
    seen = set(SuggestionEvent.objects.filter(pairs).values_list("offer_id", "partner_id"))
    partners = Offer.objects.select_related("institution__country").in_bulk(
        {m.partner_id for _offer, m in found}
    )
    return [
        NewSuggestion(offer, partners[m.partner_id], m.score)
        for offer, m in found
        if (offer.pk, m.partner_id) not in seen and m.partner_id in partners
    ]
