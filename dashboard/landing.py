"""The landing page's live figures, cached briefly: the page is public and busy."""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from exchanges.models import Proposal, ProposalState
from offers.models import Offer

CACHE_KEY = "landing:figures:v1"
CACHE_SECONDS = 300
# An exchange counts for the year its two offices approved it.
AGREED = (ProposalState.APPROVED, ProposalState.ACTIVE, ProposalState.COMPLETED)


def _compute() -> dict[str, int]:
    open_offers = Offer.objects.open()
    return {
        "open_offers": open_offers.count(),
        "countries": open_offers.values("institution__country").distinct().count(),
        "exchanges_this_year": Proposal.objects.filter(
            state__in=AGREED, approved_at__year=timezone.now().year
        ).count(),
    }


def figures() -> dict[str, int]:
    return cache.get_or_set(CACHE_KEY, _compute, CACHE_SECONDS)
