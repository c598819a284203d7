"""The pairing workflow, the lecturers' side: propose, accept, decline, withdraw, start,
expire and complete (the offices' side is exchanges.decisions).

Every transition locks the proposal row (select_for_update; on SQLite the IMMEDIATE
transaction serialises writers), checks the state and the actor, writes an event, and
queues its notifications on commit. The database holds the invariants: one live proposal
per pair of offers, one standing decision per institution, and an offer's approved
pairings never above its capacity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.balance_rules import students_per_direction
from exchanges import drafting, signals, transitions
from exchanges.access import ACCEPTED_AT, ProposalAccess
from exchanges.agreement import proposal_flows
from exchanges.errors import ProposalError
from exchanges.models import (
    LIVE_PROPOSAL_STATES,
    CompletionReport,
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
NOT_YOUR_SIDE = _("Only the partner lecturers can do this.")
ALREADY_ACCEPTED = _("Your side has already accepted this proposal.")
WITHDRAW_INSTEAD = _("Your side has accepted this proposal: withdraw it instead of declining.")


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
    # Locked (offers first, transitions' order): an approval filling one of them now
    # finishes first, and this sees the offer paired.
    status = dict(
        Offer.objects.select_for_update(no_key=True)
        .filter(pk__in=[offer.pk, partner.pk])
        .order_by("pk")
        .values_list("pk", "status")
    )
    for o in (offer, partner):
        if status.get(o.pk) != OfferStatus.OPEN:
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
    # The proposer's side accepts version 1 of the terms, drafted from the two offers.
    setattr(proposal, drafting.ACCEPTED_VERSION[offer.region], 1)
    _save_new(proposal)
    drafting.current_version(proposal)
    transitions.record_event(proposal, actor, "", ProposalState.PROPOSED, message.strip())
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


def _record_created(
    proposals: list[Proposal], actor: User, note: str, now, *, announce: bool = True
) -> None:
    """The "proposed" events of many new proposals, in one insert; each is announced
    unless `announce` is False (then `proposals_announce` does it later)."""
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
            for p in proposals
        ],
        batch_size=500,
    )
    if announce:
        for event in events:
            signals.proposal_event_recorded.send(sender=Proposal, event_id=event.pk)


def proposals_announce(proposal_ids: list[int]) -> int:
    """Announce the creation events of proposals made with `announce=False` (a pairing
    round's, after its grace period): their notifications are queued as for any event.
    Sending twice is harmless (one notification per event and person, each e-mail sent
    under a lock). Returns how many events were announced."""
    events = ProposalEvent.objects.filter(proposal_id__in=proposal_ids, from_state="").values_list(
        "pk", flat=True
    )
    count = 0
    for event_id in events.order_by("pk"):
        signals.proposal_event_recorded.send(sender=Proposal, event_id=event_id)
        count += 1
    return count


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
    announce: bool = True,
) -> BulkResult:
    """Proposals for many (asian offer id, european offer id, score, explanation) pairs
    at once, neither side having accepted (a pairing round's proposals). Pairs whose
    offers are not open, or that have a live proposal already, are skipped and counted.
    With `announce=False` nobody is notified yet: the caller announces the proposals
    later with `proposals_announce` (a round's grace period)."""
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
    _record_created(created, actor, note, now, announce=announce)
    return BulkResult(created, skipped_live, skipped_not_open)


@transitions.closing_if_full
@transaction.atomic
def proposal_accept(*, proposal: Proposal, actor: User, version: int | None = None) -> Proposal:
    """A partner lecturer accepts the latest version of the terms (`version`, if given,
    must be the latest: the terms may have changed since the page was read). Once both
    sides accepted the same latest version, it is frozen for the offices to approve. An
    offer with no place left refuses (no_capacity): the offices could never approve."""
    proposal = transitions.locked(proposal)
    sides = ProposalAccess(actor, proposal).sides
    if not sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.PROPOSED:
        raise transitions.refuse_state(proposal, _("accepted"))
    if drafting.accept_version(proposal, actor, sides, version) is None:
        raise ValidationError(ALREADY_ACCEPTED, code=ProposalError.ALREADY_ACCEPTED)
    return proposal


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    proposal = transitions.locked(proposal)
    access = ProposalAccess(actor, proposal)
    if not access.sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.PROPOSED:
        raise transitions.refuse_state(proposal, _("declined"))
    if not access.can("decline"):
        # Declining is the partner's answer; the side that proposed or accepted withdraws.
        raise ValidationError(WITHDRAW_INSTEAD, code=ProposalError.ALREADY_ACCEPTED)
    transitions.move(proposal, ProposalState.DECLINED, actor, note)
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User, note: str = "") -> Proposal:
    """Either lecturer steps back before the offices have approved. The pages and the API's
    allowed_actions offer it to the side that proposed or accepted (the partner who has not
    is offered Decline); the service still lets any lecturer of the proposal withdraw, as
    account erasure does for the proposals of a lecturer who leaves."""
    proposal = transitions.locked(proposal)
    if not ProposalAccess(actor, proposal).sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state not in transitions.OPEN_STATES:
        raise transitions.refuse_state(proposal, _("withdrawn"))
    transitions.move(proposal, ProposalState.WITHDRAWN, actor, note)
    return proposal


@transaction.atomic
def proposal_start(*, proposal: Proposal, actor: User) -> Proposal:
    proposal = transitions.locked(proposal)
    if not ProposalAccess(actor, proposal).sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.APPROVED:
        raise transitions.refuse_state(proposal, _("started"))
    transitions.move(proposal, ProposalState.ACTIVE, actor)
    return proposal


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
                transitions.move(proposal, ProposalState.EXPIRED, None, str(_("no answer in time")))
                expired += 1
    return expired


COUNT_TOO_HIGH = _("%(field)s cannot exceed the participants of both sides (%(total)s).")


@transaction.atomic
def proposal_complete(*, proposal: Proposal, actor: User, report: dict):
    """A lecturer of the exchange files its completion report; the exchange is completed."""
    proposal = transitions.locked(proposal)
    if not ProposalAccess(actor, proposal).sides:
        raise PermissionDenied(NOT_YOUR_SIDE)
    if proposal.state != ProposalState.ACTIVE:
        raise transitions.refuse_state(proposal, _("completed"))
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
    transitions.move(proposal, ProposalState.COMPLETED, actor)
    return filed
