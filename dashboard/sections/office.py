"""An international office's part of the dashboard: the pairings waiting for its approval,
the claims waiting for its verification, its institutions' exchanges and balance at a
glance, and their offers. Only its own institutions' data: the selectors take the
office's institutions, never anything from the request."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.selectors import verification_queue
from dashboard.context_processors import ApprovalsBadge
from dashboard.sections.balance import glance
from exchanges.selectors import approval_queue, institution_exchanges
from offers.models import OfferStatus
from offers.selectors import institution_offer_counts

APPROVALS_SHOWN = 5
CLAIMS_SHOWN = 5
EXCHANGES_SHOWN = 5


def section(request: HttpRequest, roles) -> dict:
    user = request.user
    ids = roles.office_ids
    badge = ApprovalsBadge(user)  # the navigation's count, read once for both
    claims = verification_queue(user)
    claims_count = claims.count()
    exchanges = institution_exchanges(set(ids))
    exchanges_count = exchanges.count()
    counts = institution_offer_counts(set(ids))
    return {
        "approvals_badge": badge,
        "approvals": list(approval_queue(user)[:APPROVALS_SHOWN]) if badge.count else [],
        "claims": list(claims[:CLAIMS_SHOWN]) if claims_count else [],
        "claims_count": claims_count,
        "exchanges": list(exchanges[:EXCHANGES_SHOWN]) if exchanges_count else [],
        "exchanges_count": exchanges_count,
        "balance": glance(ids),
        "institutions": [
            {
                "institution": institution,
                "open": counts[institution.pk].get(OfferStatus.OPEN, 0),
                "paired": counts[institution.pk].get(OfferStatus.PAIRED, 0),
                "drafts": counts[institution.pk].get(OfferStatus.DRAFT, 0),
            }
            for institution in roles.office_institutions
        ],
    }
