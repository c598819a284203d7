"""The offices' side of the workflow: approve, reject or request changes to the agreed
terms for their institution; changed terms void the decisions and ask the offices again.
A decision's comment is posted in the proposal's thread too (exchanges.thread)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exchanges import drafting, terms, transitions
from exchanges.access import ProposalAccess
from exchanges.errors import ProposalError
from exchanges.models import (
    DecisionKind,
    OfficeDecision,
    Proposal,
    ProposalComment,
    ProposalState,
)
from offers.models import Offer, OfferStatus

NOT_INVOLVED_OFFICE = _("Only the international offices of the two institutions decide.")
ALREADY_DECIDED = _("Your institution has already decided on these terms.")
REASON_NEEDED = _("Give the reason for rejecting, so the lecturers know what to change.")
QUESTION_NEEDED = _("Say what should change, or ask your question, so the lecturers can answer.")
NO_NUL = _("Remove the NUL character: it cannot be stored.")
ACTION_NAMES = {
    DecisionKind.APPROVE: _("approved"),
    DecisionKind.REJECT: _("rejected"),
    DecisionKind.CHANGES: _("sent back for changes"),
}
NO_CAPACITY = transitions.NO_CAPACITY


def _decide(proposal: Proposal, actor: User, decision: str, comment: str) -> Proposal:
    offices = ProposalAccess(actor, proposal).offices
    if not offices:
        raise PermissionDenied(NOT_INVOLVED_OFFICE)
    if proposal.state != ProposalState.ACCEPTED:
        raise transitions.refuse_state(proposal, ACTION_NAMES[decision])
    if "\x00" in comment:
        raise ValidationError({"comment": [NO_NUL]})
    (institution_id,) = sorted(offices)[:1]
    try:
        with transaction.atomic():
            OfficeDecision.objects.create(
                proposal=proposal,
                institution_id=institution_id,
                decision=decision,
                decided_by=actor,
                comment=comment.strip(),
                terms_hash=proposal.terms_hash,
            )
    except IntegrityError:
        raise ValidationError(ALREADY_DECIDED, code=ProposalError.ALREADY_DECIDED) from None
    if comment.strip():
        # The lecturers and the other office read it in the proposal's thread.
        ProposalComment.objects.create(
            proposal=proposal, author=actor, body=comment.strip(), decision=decision
        )
    return proposal


@transitions.closing_if_full
@transaction.atomic
def proposal_approve(*, proposal: Proposal, actor: User, comment: str = "") -> Proposal:
    """An office approves the frozen terms for its institution; when both have, the
    proposal is approved and takes one partner place of each offer. An offer that fills
    up stops taking partners: its other open proposals are closed."""
    proposal = transitions.locked(proposal, offers_first=True)
    _decide(proposal, actor, DecisionKind.APPROVE, comment)
    approving = set(
        proposal.decisions.filter(
            void=False, decision=DecisionKind.APPROVE, terms_hash=proposal.terms_hash
        ).values_list("institution_id", flat=True)
    )
    both = {proposal.asian_offer.institution_id, proposal.european_offer.institution_id}
    if not approving >= both:
        transitions.record_event(
            proposal,
            actor,
            proposal.state,
            proposal.state,
            str(_("approved by one institution")) + (f": {comment}" if comment else ""),
            kind="office_approved",
        )
        return proposal
    offers = (proposal.asian_offer, proposal.european_offer)
    for offer in offers:
        try:
            with transaction.atomic():
                Offer.objects.filter(pk=offer.pk).update(
                    approved_pairings=F("approved_pairings") + 1
                )
        except IntegrityError:
            raise transitions.OfferFull(offer) from None
    # A full offer stops taking partners.
    Offer.objects.filter(
        pk__in=[o.pk for o in offers],
        status=OfferStatus.OPEN,
        approved_pairings__gte=F("partners_sought"),
    ).update(status=OfferStatus.PAIRED, updated_at=timezone.now())
    proposal.approved_at = timezone.now()
    transitions.move(proposal, ProposalState.APPROVED, actor, comment)
    transitions.close_open_proposals([o.pk for o in offers], keep=proposal.pk)
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    proposal = transitions.locked(proposal)
    if not ProposalAccess(actor, proposal).offices:
        raise PermissionDenied(NOT_INVOLVED_OFFICE)
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_NEEDED]}, code=ProposalError.REASON_NEEDED)
    _decide(proposal, actor, DecisionKind.REJECT, reason)
    transitions.move(proposal, ProposalState.REJECTED, actor, reason)
    return proposal


@transaction.atomic
def proposal_request_changes(*, proposal: Proposal, actor: User, comment: str) -> Proposal:
    """An office asks a question or for a change (journey 3: the session dates clash with
    exams). The lecturers revise the terms (exchanges.drafting.draft_save), which sends the
    proposal back to both sides, then to both offices."""
    proposal = transitions.locked(proposal)
    if not ProposalAccess(actor, proposal).offices:
        raise PermissionDenied(NOT_INVOLVED_OFFICE)
    if not (comment or "").strip():
        raise ValidationError({"comment": [QUESTION_NEEDED]}, code=ProposalError.REASON_NEEDED)
    _decide(proposal, actor, DecisionKind.CHANGES, comment)
    transitions.move(proposal, ProposalState.CHANGES, actor, comment.strip())
    return proposal


def proposals_terms_changed(*, offer: Offer, actor: User | None) -> int:
    """After `offer` changed: re-freeze the terms of its accepted proposals; where they
    differ, void the offices' decisions so they are asked again. A proposal an office
    rejected goes back to the offices too when the terms changed since (journey 3: the dates
    that clashed are moved). Returns how many proposals were affected."""
    changed = 0
    touched = Proposal.objects.filter(
        state__in=[ProposalState.ACCEPTED, ProposalState.REJECTED, ProposalState.CHANGES]
    ).filter(Q(asian_offer=offer) | Q(european_offer=offer))
    for proposal in touched:
        try:
            with transaction.atomic():
                changed += _refreeze(proposal, actor)
        except IntegrityError:
            # The pair has another live proposal by now: this rejected one stays closed.
            continue
    return changed


def _refreeze(proposal: Proposal, actor: User | None) -> int:
    proposal = transitions.locked(proposal)
    frozen, digest = terms.agreed_terms(proposal)
    if digest == proposal.terms_hash:
        return 0
    old = proposal.state
    proposal.terms, proposal.terms_hash = frozen, digest
    proposal.flow_a_to_e, proposal.flow_e_to_a = drafting.agreed_flows(proposal)
    proposal.state = ProposalState.ACCEPTED
    proposal.updated_at = timezone.now()
    proposal.save()
    proposal.decisions.filter(void=False).update(void=True)
    transitions.record_event(
        proposal,
        actor,
        old,
        ProposalState.ACCEPTED,
        str(_("terms changed; the offices are asked again")),
        kind="terms_changed",
    )
    return 1
