"""The proposals API's queries: which proposals a list shows for a role (incoming,
outgoing), and the relations a list or the detail loads in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from exchanges.models import OfficeDecision, Proposal, ProposalEvent
from exchanges.serializers import ProposalDetailSerializer
from offers.access import editors_q
from offers.models import Offer


def _my_offers(user: User) -> QuerySet[Offer]:
    return Offer.objects.filter(editors_q(user)).values("pk")


def _incoming(user: User) -> Q:
    """Proposals of the user's offers that the user's side has not accepted yet."""
    mine = _my_offers(user)
    return Q(asian_offer__in=mine, asian_accepted_at__isnull=True) | Q(
        european_offer__in=mine, european_accepted_at__isnull=True
    )


def _proposed_from(side: str) -> Q:
    """The proposer owns or co-owns the offer on this side ("asian_offer", "european_offer")."""
    co_owner = Offer.co_owners.through.objects.filter(
        offer_id=OuterRef(f"{side}_id"), user_id=OuterRef("proposed_by_id")
    )
    return Q(**{f"{side}__owner_id": F("proposed_by_id")}) | Q(Exists(co_owner))


def _outgoing(user: User) -> Q:
    """Proposals made from one of the user's offers, by the user or a co-owner."""
    mine = _my_offers(user)
    return (Q(asian_offer__in=mine) & _proposed_from("asian_offer")) | (
        Q(european_offer__in=mine) & _proposed_from("european_offer")
    )


def _list_relations(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What a list shows, in one query."""
    return qs.select_related(
        "asian_offer__institution__country",
        "asian_offer__owner",
        "european_offer__institution__country",
        "european_offer__owner",
        "proposed_by",
    )


def _detail_relations(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """What the detail shows, in a fixed number of queries."""
    return qs.select_related(
        "asian_offer__institution__country",
        "asian_offer__isced",
        "asian_offer__owner",
        "european_offer__institution__country",
        "european_offer__isced",
        "european_offer__owner",
        "proposed_by",
        "completion_report__filed_by",
    ).prefetch_related(
        "asian_offer__languages",
        "asian_offer__sdgs",
        "european_offer__languages",
        "european_offer__sdgs",
        Prefetch("events", queryset=ProposalEvent.objects.select_related("actor")),
        Prefetch(
            "decisions",
            queryset=OfficeDecision.objects.filter(void=False).select_related(
                "institution__country", "decided_by"
            ),
            to_attr="standing_decisions",
        ),
    )


def _detail_response(request: Request, proposal: Proposal, *, status_code: int = 200) -> Response:
    """The proposal as it stands now; call after the access check."""
    fresh = _detail_relations(Proposal.objects.filter(pk=proposal.pk)).get()
    data = ProposalDetailSerializer(fresh, context={"request": request}).data
    return Response(data, status=status_code)
