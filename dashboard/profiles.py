"""What a lecturer's profile and an institution's page show about their work on Tandem."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from accounts.models import Affiliation, AffiliationRole, User
from exchanges.models import Proposal, ProposalState
from exchanges.selectors import response_time_text
from offers.access import editors_q
from offers.models import Offer

RUNNING = (ProposalState.APPROVED, ProposalState.ACTIVE)


def lecturer(pk: int) -> dict:
    """A verified lecturer's public profile (404 for anyone else: no profile to reveal)."""
    person = get_object_or_404(
        User.objects.filter(
            is_active=True,
            affiliations__role=AffiliationRole.LECTURER,
            affiliations__in=Affiliation.objects.verified(),
        ).distinct(),
        pk=pk,
    )
    mine = editors_q(person)
    offers = (
        Offer.objects.open()
        .filter(mine)
        .select_related("isced", "institution__country")
        .order_by("-published_at", "-pk")
    )
    ids = Offer.objects.filter(mine).values("pk")
    exchanges = Proposal.objects.filter(Q(asian_offer__in=ids) | Q(european_offer__in=ids))
    return {
        "person": person,
        "affiliations": Affiliation.objects.verified()
        .filter(user=person, role=AffiliationRole.LECTURER)
        .select_related("institution__country"),
        "offers": list(offers[:20]),
        "running": exchanges.filter(state__in=RUNNING).count(),
        "completed": exchanges.filter(state=ProposalState.COMPLETED).count(),
        "response_time": response_time_text(person),
    }


def institution_panel(request, institution, _access) -> dict:
    """The institution page's offers and exchanges (core.panels.INSTITUTION_PAGE)."""
    offers = (
        Offer.objects.open()
        .filter(institution=institution)
        .select_related("isced", "owner")
        .order_by("-published_at", "-pk")
    )
    theirs = Q(asian_offer__institution=institution) | Q(european_offer__institution=institution)
    exchanges = Proposal.objects.filter(theirs)
    return {
        "open_offers": list(offers[:20]),
        "open_offer_count": offers.count(),
        "running": exchanges.filter(state__in=RUNNING).count(),
        "completed": exchanges.filter(state=ProposalState.COMPLETED).count(),
    }
