"""Reads for proposals: who sees which, the access helper, the lecturer's list and the
offices' approval queue."""

from __future__ import annotations

import datetime as dt
import math
import statistics

from django.db.models import OuterRef, Q, Subquery
from django.http import Http404
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import office_institution_ids
from exchanges.drafting import Session, sessions_of
from exchanges.models import (
    LIVE_PROPOSAL_STATES,
    OfficeDecision,
    Proposal,
    ProposalEvent,
    ProposalState,
    TermsVersion,
)
from offers.access import editor_offer_ids
from offers.models import Offer


def _proposal_access(user: User) -> Q:
    """Proposals the user is part of: as a lecturer of either offer or an office of
    either institution."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    offers = editor_offer_ids(user)
    offices = office_institution_ids(user)
    if offices:
        # Ids first, as for the lecturer's own: a filter through the offers' institution
        # joins and scans every proposal.
        offers += Offer.objects.filter(institution_id__in=offices).values_list("pk", flat=True)
    return Q(asian_offer_id__in=offers) | Q(european_offer_id__in=offers)


def proposals_visible_to(user: User):
    qs = Proposal.objects.all()
    if getattr(user, "is_secretariat", False):
        return qs
    return qs.filter(_proposal_access(user))


def get_proposal_for_user(user: User, pk: int):
    """The proposal if the user is part of it (or the secretariat); 404 otherwise."""
    try:
        return (
            proposals_visible_to(user)
            .select_related(
                "asian_offer__institution__country",
                "european_offer__institution__country",
                "asian_offer__isced",
                "european_offer__isced",
                "asian_offer__owner",
                "european_offer__owner",
                "proposed_by",
            )
            .get(pk=pk)
        )
    except Proposal.DoesNotExist:
        raise Http404 from None


def lecturer_proposals(user: User):
    """The proposals of the user's own offers, newest first."""
    mine = editor_offer_ids(user)
    return (
        Proposal.objects.filter(Q(asian_offer__in=mine) | Q(european_offer__in=mine))
        .select_related("asian_offer__institution", "european_offer__institution")
        .order_by("-updated_at", "-pk")
    )


def approval_queue(user: User):
    """Accepted proposals of the user's institutions still waiting for their decision on the
    current terms, oldest first."""
    offices = office_institution_ids(user)
    if not offices:
        return Proposal.objects.none()
    decided = OfficeDecision.objects.filter(void=False, institution_id__in=offices).values(
        "proposal_id"
    )
    return (
        Proposal.objects.filter(state=ProposalState.ACCEPTED)
        .filter(
            Q(asian_offer__institution_id__in=offices)
            | Q(european_offer__institution_id__in=offices)
        )
        .exclude(pk__in=decided)
        .select_related("asian_offer__institution__country", "european_offer__institution__country")
        .order_by("updated_at", "pk")
    )


# How many recent answers the typical response time looks at.
RESPONSE_TIME_SAMPLE = 20


# --- how quickly a lecturer answers ---------------------------------------------------------


def typical_response_time(user: User | int) -> dt.timedelta | None:
    """The median time from receiving a proposal to answering it (accepting or declining),
    over the user's most recent answers; None below two answered proposals."""
    user_id = user if isinstance(user, int) else user.pk
    if user_id is None:
        return None
    answers = (
        ProposalEvent.objects.filter(
            actor_id=user_id,
            from_state=ProposalState.PROPOSED,
            # proposed → proposed is one side accepting a pairing round's proposal.
            to_state__in=[ProposalState.ACCEPTED, ProposalState.DECLINED, ProposalState.PROPOSED],
        )
        .exclude(proposal__proposed_by_id=user_id)
        .exclude(kind="commented")  # a question in the offices' thread is no answer
        .order_by("-at")
        .values_list("proposal_id", "at", "proposal__created_at")[: RESPONSE_TIME_SAMPLE * 2]
    )
    first: dict[int, dt.timedelta] = {}
    for proposal_id, at, created in answers:
        waited = max(at - created, dt.timedelta(0))
        first[proposal_id] = min(first.get(proposal_id, waited), waited)
    waits = list(first.values())[:RESPONSE_TIME_SAMPLE]
    if len(waits) < 2:
        return None
    return statistics.median(waits)


def response_time_text(user: User | int, *, name: str = "") -> str:
    """“Jan usually answers within 2 days.” — or "" when there is too little to tell."""
    median = typical_response_time(user)
    if median is None:
        return ""
    days = max(1, math.ceil(median / dt.timedelta(days=1)))
    if name:
        return ngettext(
            "%(name)s usually answers proposals within %(n)d day.",
            "%(name)s usually answers proposals within %(n)d days.",
            days,
        ) % {"name": name, "n": days}
    return ngettext(
        "Usually answers proposals within %(n)d day.",
        "Usually answers proposals within %(n)d days.",
        days,
    ) % {"n": days}


# --- the dashboards ----------------------------------------------------------------------------


def lecturer_live_proposals(user: User):
    """The live proposals of the user's own and co-owned offers, most recently changed first,
    each with `latest_version`: the number of the latest stored version of the terms (None
    before any), so that asking the policy (`ProposalAccess`) costs no query per proposal."""
    mine = editor_offer_ids(user)
    latest = (
        TermsVersion.objects.filter(proposal=OuterRef("pk")).order_by("-number").values("number")
    )
    return (
        Proposal.objects.filter(Q(asian_offer__in=mine) | Q(european_offer__in=mine))
        .filter(state__in=LIVE_PROPOSAL_STATES)
        .annotate(latest_version=Subquery(latest[:1]))
        .select_related("asian_offer__institution", "european_offer__institution")
        .order_by("-updated_at", "-pk")
    )


# The states whose agreed terms hold the sessions that will take place.
SESSION_STATES = (ProposalState.ACCEPTED, ProposalState.APPROVED, ProposalState.ACTIVE)


def upcoming_sessions(user: User, *, after: dt.datetime, limit: int = 5):
    """The next joint sessions of the user's own and co-owned offers, soonest first, as
    (proposal, session) pairs (one query). From the terms both sides agreed: once accepted,
    a proposal's terms change only by a revision, which sends it back to the lecturers."""
    mine = editor_offer_ids(user)
    proposals = (
        Proposal.objects.filter(Q(asian_offer__in=mine) | Q(european_offer__in=mine))
        .filter(state__in=SESSION_STATES)
        .select_related("asian_offer__institution", "european_offer__institution")
    )
    found: list[tuple[Proposal, Session]] = []
    for proposal in proposals:
        agreed = (proposal.terms or {}).get("agreed") or {}
        found += [(proposal, s) for s in sessions_of(agreed) if s.end > after]
    found.sort(key=lambda pair: (pair[1].start, pair[0].pk))
    return found[:limit]


def institution_exchanges(institution_ids: set[int]):
    """The approved and running exchanges of these institutions, most recently changed
    first."""
    return (
        Proposal.objects.filter(state__in=(ProposalState.APPROVED, ProposalState.ACTIVE))
        .filter(
            Q(asian_offer__institution_id__in=institution_ids)
            | Q(european_offer__institution_id__in=institution_ids)
        )
        .select_related("asian_offer__institution__country", "european_offer__institution__country")
        .order_by("-updated_at", "-pk")
    )
