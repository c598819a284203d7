"""The workflow follows the offers: a changed offer re-freezes the terms of its accepted
proposals, which voids the offices' approvals of changed terms (journey 3); an offer
whose places are all taken now (fewer partners sought) closes its open proposals. And
matching learns what became of a suggested pair (matching.outcomes, below this app)."""

from django.dispatch import receiver

from exchanges.decisions import proposals_terms_changed
from exchanges.models import ProposalEvent, ProposalOrigin
from exchanges.signals import proposal_event_recorded
from exchanges.transitions import close_open_proposals
from matching import outcomes
from offers.signals import offer_updated


@receiver(offer_updated, dispatch_uid="exchanges_refreeze_on_offer_updated")
def _offer_updated(sender, offer, **kwargs) -> None:
    proposals_terms_changed(offer=offer, actor=None)
    close_open_proposals([offer.pk])


@receiver(proposal_event_recorded, dispatch_uid="exchanges_outcome_for_matching")
def _proposal_event(sender, event_id, **kwargs) -> None:
    event = ProposalEvent.objects.select_related("proposal").get(pk=event_id)
    p = event.proposal
    # A round's proposal was not a lecturer's choice; what they answer to it is.
    if event.from_state == event.to_state or (
        p.origin == ProposalOrigin.ROUND and not event.from_state
    ):
        return
    # The proposer's side accepted first (on proposing).
    asian_first = p.european_accepted_at is None or (
        p.asian_accepted_at is not None and p.asian_accepted_at <= p.european_accepted_at
    )
    first, other = (
        (p.asian_offer_id, p.european_offer_id)
        if asian_first
        else (p.european_offer_id, p.asian_offer_id)
    )
    outcomes.record_proposal(
        state=event.to_state,
        proposer_offer_id=first,
        other_offer_id=other,
        score=p.score,
        explanation=p.explanation,
        at=event.at,
    )
