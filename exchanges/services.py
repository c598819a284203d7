"""The pairing workflow: propose, accept, decline, withdraw, approve, reject, start, expire.

Every transition locks the proposal row (select_for_update; on SQLite the IMMEDIATE
transaction serialises writers), checks the state and the actor, writes an event, and
queues its notifications on commit. The database holds the invariants: one live proposal
per pair of offers, one standing decision per institution, and an offer's approved
pairings never above its capacity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.balance_rules import students_per_direction
from exchanges import signals
from exchanges.access import ACCEPTED_AT, ProposalAccess
from exchanges.agreement import proposal_flows
from exchanges.errors import ProposalError
from exchanges.models import (
    LIVE_PROPOSAL_STATES,
    DecisionKind,
    OfficeDecision,
    Proposal,
    ProposalEvent,
    ProposalOrigin,
    ProposalState,
)
from matching import engine
from offers.access import OfferAccess
from offers.models import Offer, OfferStatus

SAME_REGION = _("A pairing joins one Asian and one European offer.")
NOT_OPEN = _("“%(title)s” is not open for partners.")
ALREADY_LIVE = _("These two offers already have a live proposal.")
NOT_YOURS = _("You can only propose from an offer you own or co-own.")
WRONG_STATE = _("This proposal is %(state)s: it cannot be %(action)s now.")
NOT_YOUR_SIDE = _("Only the partner lecturers can do this.")
ALREADY_ACCEPTED = _("Your side has already accepted this proposal.")
WITHDRAW_INSTEAD = _("Your side has accepted this proposal: withdraw it instead of declining.")
NOT_INVOLVED_OFFICE = _("Only the international offices of the two institutions decide.")
ALREADY_DECIDED = _("Your institution has already decided on these terms.")
REASON_NEEDED = _("Give the reason for rejecting, so the lecturers know what to change.")
NO_CAPACITY = _("“%(title)s” has no partner place left: its approved pairings are full.")

# What both sides agree on, frozen on acceptance; offices approve exactly these terms.
TERM_FIELDS = (
    "title",
    "kind",
    "isced_id",
    "level",
    "students",
    "term_start",
    "term_end",
    "duration_weeks",
    "time_zone",
    "sync_sessions",
    "partners_sought",
)


# --- terms ----------------------------------------------------------------------------------


def _offer_terms(offer: Offer) -> dict:
    terms = {name: getattr(offer, name) for name in TERM_FIELDS}
    terms["institution"] = offer.institution.name
    terms["country"] = offer.country_id
    terms["languages"] = sorted(f"{x.language}:{x.cefr}" for x in offer.languages.all())
    terms["windows"] = [f"{w.weekday} {w.start:%H:%M}-{w.end:%H:%M}" for w in offer.windows.all()]
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in terms.items()}


def agreed_terms(proposal: Proposal) -> tuple[dict, str]:
    """The terms of both offers as they stand, and their SHA-256 (canonical JSON)."""
    terms = {
        "asian_offer": {"id": proposal.asian_offer_id, **_offer_terms(proposal.asian_offer)},
        "european_offer": {
            "id": proposal.european_offer_id,
            **_offer_terms(proposal.european_offer),
        },
    }
    canonical = json.dumps(terms, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return terms, hashlib.sha256(canonical.encode()).hexdigest()


# --- transitions ------------------------------------------------------------------------------


def _locked(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update()
        .select_related("asian_offer__institution", "european_offer__institution")
        .get(pk=proposal.pk)
    )


def _event(
    proposal: Proposal, actor: User | None, old: str, new: str, note: str = "", kind: str = ""
) -> None:
    event = ProposalEvent.objects.create(
        proposal=proposal, actor=actor, from_state=old, to_state=new, note=note[:2000], kind=kind
    )
    signals.proposal_event_recorded.send(sender=Proposal, event_id=event.pk)


def _move(proposal: Proposal, new: str, actor: User | None, note: str = "") -> None:
    old = proposal.state
    proposal.state = new
    proposal.updated_at = timezone.now()
    proposal.save()
    _event(proposal, actor, old, new, note)


def _refuse_state(proposal: Proposal, action: str) -> ValidationError:
    return ValidationError(
        WRONG_STATE % {"state": proposal.get_state_display().lower(), "action": action},
        code=ProposalError.INVALID_TRANSITION,
    )


def _new_proposal(
    *,
    asian_id: int,
    european_id: int,
    actor: User,
    origin: str,
    now: dt.datetime,
    message: str = "",
    score: float | None = None,
    explanation: list | None = None,
    pairing_round=None,
    kinds: tuple[str, str],
    students: tuple[int, int],
) -> Proposal:
    """An unsaved proposal as every path creates it: expiry from the settings and the
    participants per direction stamped by the one balance rule."""
    proposal = Proposal(
        asian_offer_id=asian_id,
        european_offer_id=european_id,
        proposed_by=actor,
        origin=origin,
        state=ProposalState.PROPOSED,
        message=message,
        score=score,
        explanation=explanation or [],
        pairing_round=pairing_round,
        created_at=now,
        updated_at=now,
        expires_at=now + dt.timedelta(days=settings.PROPOSAL_EXPIRY_DAYS),
    )
    proposal.flow_a_to_e, proposal.flow_e_to_a = students_per_direction(
        kinds[0], students[0], kinds[1], students[1]
    )
    # The related rows are checked by the caller; the database constraint, not a check
    # here, guards against a race for the same pair.
    proposal.full_clean(
        exclude=["asian_offer", "european_offer", "pairing_round", "proposed_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return proposal


def _save_new(proposal: Proposal) -> None:
    """Save in a savepoint (a lost race for the pair refuses this proposal only) and tell
    the apps above (the conversation opens in the same transaction)."""
    try:
        with transaction.atomic():
            proposal.save()
            signals.proposal_created.send(sender=Proposal, proposal=proposal)
    except IntegrityError:
        raise ValidationError(ALREADY_LIVE, code=ProposalError.ALREADY_LIVE) from None


@transaction.atomic
def proposal_create(
    *,
    actor: User,
    offer: Offer,
    partner: Offer,
    origin: str = ProposalOrigin.BROWSE,
    message: str = "",
) -> Proposal:
    """Propose pairing `offer` (the actor's) with `partner` (the other region's); the
    actor's side has accepted by proposing. The match (score and reasons) is recorded as
    the matcher explains it now (none without a fitted model)."""
    if offer.region == partner.region:
        raise ValidationError(SAME_REGION, code=ProposalError.SAME_REGION)
    if not OfferAccess(actor, offer).can_edit:
        raise PermissionDenied(NOT_YOURS)
    for o in (offer, partner):
        if o.status != OfferStatus.OPEN:
            raise ValidationError(NOT_OPEN % {"title": o.title}, code=ProposalError.NOT_OPEN)
    asian, european = (offer, partner) if offer.region == "asia" else (partner, offer)
    match = engine.explain_pair(offer, partner)
    now = timezone.now()
    proposal = _new_proposal(
        asian_id=asian.pk,
        european_id=european.pk,
        actor=actor,
        origin=origin,
        now=now,
        message=message.strip(),
        score=match.score if match else None,
        explanation=[r.as_dict() for r in match.reasons] if match else [],
        kinds=(asian.kind, european.kind),
        students=(asian.students, european.students),
    )
    setattr(proposal, ACCEPTED_AT[offer.region], now)
    _save_new(proposal)
    _event(proposal, actor, "", ProposalState.PROPOSED, message.strip())
    return proposal


def _live_pairs(asian_ids: set[int], european_ids: set[int]) -> set[tuple[int, int]]:
    """The (asian, european) pairs among these offers that have a live proposal."""
    return set(
        Proposal.objects.filter(
            state__in=LIVE_PROPOSAL_STATES,
            asian_offer_id__in=asian_ids,
            european_offer_id__in=european_ids,
        ).values_list("asian_offer_id", "european_offer_id")
    )


@dataclass(frozen=True)
class BulkResult:
    created: list[Proposal]
    skipped_live: int
    skipped_not_open: int


@transaction.atomic
def proposals_create_bulk(
    *,
    actor: User,
    pairs: list[tuple[int, int, float, list]],
    note: str,
    pairing_round=None,
) -> BulkResult:
    """Proposals for many (asian offer id, european offer id, score, explanation) pairs
    at once, neither side having accepted (a pairing round's proposals). Pairs whose
    offers are not open, or that have a live proposal already, are skipped and counted."""
    offer_ids = {a for a, *_ in pairs} | {e for _, e, *_ in pairs}
    offers = {
        o["pk"]: o
        for o in Offer.objects.filter(pk__in=offer_ids, status=OfferStatus.OPEN).values(
            "pk", "kind", "students"
        )
    }
    live = _live_pairs({a for a, *_ in pairs}, {e for _, e, *_ in pairs})
    now = timezone.now()
    created, skipped_live, skipped_not_open = [], 0, 0
    for asian_id, european_id, score, explanation in pairs:
        if asian_id not in offers or european_id not in offers:
            skipped_not_open += 1
            continue
        if (asian_id, european_id) in live:
            skipped_live += 1
            continue
        a, e = offers[asian_id], offers[european_id]
        proposal = _new_proposal(
            asian_id=asian_id,
            european_id=european_id,
            actor=actor,
            origin=ProposalOrigin.ROUND,
            now=now,
            score=score,
            explanation=explanation,
            pairing_round=pairing_round,
            kinds=(a["kind"], e["kind"]),
            students=(a["students"], e["students"]),
        )
        try:
            _save_new(proposal)
        except ValidationError:
            skipped_live += 1
            continue
        created.append(proposal)
    events = ProposalEvent.objects.bulk_create(
        [
            ProposalEvent(
                proposal=p,
                actor=actor,
                from_state="",
                to_state=ProposalState.PROPOSED,
                note=note,
                at=now,
            )
            for p in created
        ],
        batch_size=500,
    )
    for event in events:
        signals.proposal_event_recorded.send(sender=Proposal, event_id=event.pk)
    return BulkResult(created, skipped_live, skipped_not_open)


@transaction.atomic
def proposal_accept(*, proposal: Proposal, actor: User) -> Proposal:
    """A partner lecturer accepts. Once both sides have, the terms are frozen for the
    offices to approve."""
    proposal = _locked(proposal)
    sides = ProposalAccess(actor, proposal).sides
    if not sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.PROPOSED:
        raise _refuse_state(proposal, _("accepted"))
    pending = [s for s in sides if getattr(proposal, ACCEPTED_AT[s]) is None]
    if not pending:
        raise ValidationError(ALREADY_ACCEPTED, code=ProposalError.ALREADY_ACCEPTED)
    now = timezone.now()
    for side in pending:
        setattr(proposal, ACCEPTED_AT[side], now)
    if proposal.asian_accepted_at and proposal.european_accepted_at:
        proposal.terms, proposal.terms_hash = agreed_terms(proposal)
        proposal.flow_a_to_e, proposal.flow_e_to_a = proposal_flows(proposal)
        _move(proposal, ProposalState.ACCEPTED, actor)
    else:
        proposal.updated_at = now
        proposal.save()
        _event(
            proposal,
            actor,
            proposal.state,
            proposal.state,
            str(_("accepted by one side")),
            kind="side_accepted",
        )
    return proposal


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    proposal = _locked(proposal)
    access = ProposalAccess(actor, proposal)
    if not access.sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.PROPOSED:
        raise _refuse_state(proposal, _("declined"))
    if not access.can("decline"):
        # Declining is the partner's answer; the side that proposed or accepted withdraws.
        raise ValidationError(WITHDRAW_INSTEAD, code=ProposalError.ALREADY_ACCEPTED)
    _move(proposal, ProposalState.DECLINED, actor, note)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """Either lecturer steps back before the offices have approved."""
    proposal = _locked(proposal)
    if not ProposalAccess(actor, proposal).sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state not in (ProposalState.PROPOSED, ProposalState.ACCEPTED):
        raise _refuse_state(proposal, _("withdrawn"))
    _move(proposal, ProposalState.WITHDRAWN, actor, note)
    return proposal


def _decide(proposal: Proposal, actor: User, decision: str, comment: str) -> Proposal:
    offices = ProposalAccess(actor, proposal).offices
    if not offices:
        raise PermissionDenied(NOT_INVOLVED_OFFICE)
    if proposal.state != ProposalState.ACCEPTED:
        action = _("approved") if decision == DecisionKind.APPROVE else _("rejected")
        raise _refuse_state(proposal, action)
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
    return proposal


@transaction.atomic
def proposal_approve(*, proposal: Proposal, actor: User, comment: str = "") -> Proposal:
    """An office approves the frozen terms for its institution; when both have, the
    proposal is approved and takes one partner place of each offer."""
    proposal = _locked(proposal)
    _decide(proposal, actor, DecisionKind.APPROVE, comment)
    approving = set(
        proposal.decisions.filter(
            void=False, decision=DecisionKind.APPROVE, terms_hash=proposal.terms_hash
        ).values_list("institution_id", flat=True)
    )
    both = {proposal.asian_offer.institution_id, proposal.european_offer.institution_id}
    if approving >= both:
        for offer in (proposal.asian_offer, proposal.european_offer):
            try:
                with transaction.atomic():
                    Offer.objects.filter(pk=offer.pk).update(
                        approved_pairings=F("approved_pairings") + 1
                    )
            except IntegrityError:
                raise ValidationError(
                    NO_CAPACITY % {"title": offer.title}, code=ProposalError.NO_CAPACITY
                ) from None
        # A full offer stops taking partners.
        Offer.objects.filter(
            pk__in=[proposal.asian_offer_id, proposal.european_offer_id],
            status=OfferStatus.OPEN,
            approved_pairings__gte=F("partners_sought"),
        ).update(status=OfferStatus.PAIRED, updated_at=timezone.now())
        proposal.approved_at = timezone.now()
        _move(proposal, ProposalState.APPROVED, actor, comment)
    else:
        _event(
            proposal,
            actor,
            proposal.state,
            proposal.state,
            str(_("approved by one institution")) + (f": {comment}" if comment else ""),
            kind="office_approved",
        )
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, actor: User, reason: str) -> Proposal:
    proposal = _locked(proposal)
    if not ProposalAccess(actor, proposal).offices:
        raise PermissionDenied(NOT_INVOLVED_OFFICE)
    if not (reason or "").strip():
        raise ValidationError({"reason": [REASON_NEEDED]}, code=ProposalError.REASON_NEEDED)
    _decide(proposal, actor, DecisionKind.REJECT, reason)
    _move(proposal, ProposalState.REJECTED, actor, reason)
    return proposal


@transaction.atomic
def proposal_start(*, proposal: Proposal, actor: User) -> Proposal:
    proposal = _locked(proposal)
    if not ProposalAccess(actor, proposal).sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.APPROVED:
        raise _refuse_state(proposal, _("started"))
    _move(proposal, ProposalState.ACTIVE, actor)
    return proposal


def proposals_terms_changed(*, offer: Offer, actor: User | None) -> int:
    """After `offer` changed: re-freeze the terms of its accepted proposals; where they
    differ, void the offices' decisions so they are asked again. A proposal an office
    rejected goes back to the offices too when the terms changed since (journey 3: the dates
    that clashed are moved). Returns how many proposals were affected."""
    changed = 0
    touched = Proposal.objects.filter(
        state__in=[ProposalState.ACCEPTED, ProposalState.REJECTED]
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
    proposal = _locked(proposal)
    terms, digest = agreed_terms(proposal)
    if digest == proposal.terms_hash:
        return 0
    old = proposal.state
    proposal.terms, proposal.terms_hash = terms, digest
    proposal.flow_a_to_e, proposal.flow_e_to_a = proposal_flows(proposal)
    proposal.state = ProposalState.ACCEPTED
    proposal.updated_at = timezone.now()
    proposal.save()
    proposal.decisions.filter(void=False).update(void=True)
    _event(
        proposal,
        actor,
        old,
        ProposalState.ACCEPTED,
        str(_("terms changed; the offices are asked again")),
        kind="terms_changed",
    )
    return 1


def proposals_expire(*, now: dt.datetime | None = None) -> int:
    """Proposals nobody answered in time expire (run by Celery beat)."""
    now = now or timezone.now()
    expired = 0
    for pk in Proposal.objects.filter(state=ProposalState.PROPOSED, expires_at__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            proposal = Proposal.objects.select_for_update().get(pk=pk)
            if proposal.state == ProposalState.PROPOSED and proposal.expires_at < now:
                _move(proposal, ProposalState.EXPIRED, None, str(_("no answer in time")))
                expired += 1
    return expired


COUNT_TOO_HIGH = _("%(field)s cannot exceed the participants of both sides (%(total)s).")


@transaction.atomic
def proposal_complete(*, proposal: Proposal, actor: User, report: dict):
    """A lecturer of the exchange files its completion report; the exchange is completed."""
    from exchanges.models import CompletionReport

    proposal = _locked(proposal)
    if not ProposalAccess(actor, proposal).sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.ACTIVE:
        raise _refuse_state(proposal, _("completed"))
    filed = CompletionReport(proposal=proposal, filed_by=actor, **report)
    filed.full_clean(exclude=["proposal", "filed_by"])
    total = (filed.participants_asia or 0) + (filed.participants_europe or 0)
    errors = {}
    for name in ("fewer_opportunities", "first_international"):
        value = getattr(filed, name)
        if value is not None and value > total:
            label = CompletionReport._meta.get_field(name).verbose_name
            errors[name] = [COUNT_TOO_HIGH % {"field": str(label).capitalize(), "total": total}]
    if errors:
        raise ValidationError(errors)
    filed.save()
    proposal.flow_a_to_e, proposal.flow_e_to_a = proposal_flows(proposal, filed)
    _move(proposal, ProposalState.COMPLETED, actor)
    return filed
