"""The secretariat's part of the dashboard: the balance across all partners (index, flows,
coverage, the countries whose open offers have no partner yet), the running and recent
pairing rounds, and the international offices' claims waiting for verification."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import AffiliationRole
from accounts.selectors import verification_queue
from dashboard.sections.balance import glance
from rounds.models import RoundStatus
from rounds.selectors import round_list

ROUNDS_SHOWN = 5
CLAIMS_SHOWN = 5
COUNTRIES_SHOWN = 12
# Rounds still at work: queued, computing or publishing.
AT_WORK = (RoundStatus.QUEUED, RoundStatus.RUNNING, RoundStatus.PUBLISHING)


def balance_overview() -> dict:
    """All partners' figures, with the first COUNTRIES_SHOWN countries without a partner."""
    figures = glance(None)
    unpaired = figures["unpaired_countries"]
    return {
        **figures,
        "unpaired_countries": unpaired[:COUNTRIES_SHOWN],
        "unpaired_more": max(0, len(unpaired) - COUNTRIES_SHOWN),
    }


def section(request: HttpRequest) -> dict:
    claims = verification_queue(request.user)
    office_claims = claims.filter(role=AffiliationRole.OFFICE)
    office_count = office_claims.count()
    return {
        "balance": balance_overview(),
        "rounds_at_work": list(round_list().filter(status__in=AT_WORK)[:ROUNDS_SHOWN]),
        "rounds_recent": list(round_list().exclude(status__in=AT_WORK)[:ROUNDS_SHOWN]),
        "office_claims": list(office_claims[:CLAIMS_SHOWN]) if office_count else [],
        "office_claims_count": office_count,
        "other_claims_count": claims.exclude(role=AffiliationRole.OFFICE).count(),
    }
