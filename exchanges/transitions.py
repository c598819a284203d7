"""The steps every workflow service takes: lock the proposal, move its state, record the
event (which tells the apps above, exchanges.signals); and the rule that a full offer
takes no more partners, shared by the lecturers' and the offices' side.

Lock order, the same everywhere so that no two transitions wait on each other: the
offers first (by id), then proposals (by id). A service that locks only a proposal never
waits for an offer while holding it."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges import signals
from exchanges.errors import ProposalError
from exchanges.models import Proposal, ProposalEvent, ProposalState
from offers.models import Offer

WRONG_STATE = _("This proposal is %(state)s: it cannot be %(action)s now.")
NO_CAPACITY = _("“%(title)s” has no partner place left: its approved pairings are full.")
CLOSED_FULL = _("“%(title)s” has no partner place left")
# Open proposals still compete for a place; an approved one holds it.
OPEN_STATES = (ProposalState.PROPOSED, ProposalState.ACCEPTED, ProposalState.CHANGES)


class OfferFull(Exception):
    """Raised inside a transition's transaction (which rolls back); see closing_if_full."""

    def __init__(self, offer: Offer) -> None:
        super().__init__(offer.pk)
        self.offer = offer


def locked(proposal: Proposal, *, offers_first: bool = False) -> Proposal:
    """The proposal, locked (and only it: the offers and institutions read with it are
    not). With offers_first, its two offers are locked before it, for a move that
    changes them."""
    if offers_first:
        ids = Proposal.objects.values_list("asian_offer_id", "european_offer_id").get(
            pk=proposal.pk
        )
        list(
            Offer.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("asian_offer__institution", "european_offer__institution")
        .get(pk=proposal.pk)
    )


def record_event(
    proposal: Proposal, actor: User | None, old: str, new: str, note: str = "", kind: str = ""
) -> None:
    event = ProposalEvent.objects.create(
        proposal=proposal, actor=actor, from_state=old, to_state=new, note=note[:2000], kind=kind
    )
    signals.proposal_event_recorded.send(sender=Proposal, event_id=event.pk)


def move(proposal: Proposal, new: str, actor: User | None, note: str = "", kind: str = "") -> None:
    old = proposal.state
    proposal.state = new
    proposal.updated_at = timezone.now()
    proposal.save()
    record_event(proposal, actor, old, new, note, kind)


def full_offer(proposal: Proposal) -> Offer | None:
    """The proposal's offer that has no partner place left, if any."""
    for offer in (proposal.asian_offer, proposal.european_offer):
        if offer.approved_pairings >= offer.partners_sought:
            return offer
    return None


def no_capacity(offer: Offer) -> ValidationError:
    return ValidationError(NO_CAPACITY % {"title": offer.title}, code=ProposalError.NO_CAPACITY)


def refuse_state(proposal: Proposal, action: str) -> ValidationError:
    full = full_offer(proposal) if proposal.state == ProposalState.WITHDRAWN else None
    if full is not None:
        return no_capacity(full)  # closed because the offer filled up: say so
    return ValidationError(
        WRONG_STATE % {"state": proposal.get_state_display().lower(), "action": action},
        code=ProposalError.INVALID_TRANSITION,
    )


def close_open_proposals(offer_ids, *, keep: int | None = None) -> int:
    """Close the open proposals of those of these offers that are full, with the reason
    in their timeline (the lecturers are notified). Locks the offers first (a no-op when
    the caller holds them), then each proposal. Returns how many were closed."""
    closed = 0
    full = list(
        Offer.objects.select_for_update(no_key=True)
        .filter(pk__in=offer_ids, approved_pairings__gte=F("partners_sought"))
        .order_by("pk")
    )
    for offer in full:
        pks = (
            Proposal.objects.filter(Q(asian_offer=offer) | Q(european_offer=offer))
            .filter(state__in=OPEN_STATES)
            .exclude(pk=keep)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in pks:
            proposal = locked(Proposal(pk=pk))
            if proposal.state in OPEN_STATES:  # it may have moved since the query
                note = str(CLOSED_FULL % {"title": offer.title})
                move(proposal, ProposalState.WITHDRAWN, None, note, kind="offer_full")
                closed += 1
    return closed


def closing_if_full(service):
    """Run a transition. Refused because an offer is full (OfferFull), it answers
    no_capacity (409) after closing that offer's open proposals, in a transaction of
    their own: refused once, they would be refused for ever."""

    @functools.wraps(service)
    def run(**kwargs):
        try:
            return service(**kwargs)
        except OfferFull as full:
            with transaction.atomic():
                close_open_proposals([full.offer.pk])
            raise no_capacity(full.offer) from None

    return run
