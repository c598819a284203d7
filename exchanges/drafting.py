"""The terms both lecturers draft together while a proposal is open.

Each save is a new `TermsVersion` (never edited), so the timeline shows who changed what,
and each side accepts one specific version number. Acceptance of the same, latest version
by both sides freezes it into `Proposal.terms` (see exchanges.terms), which the offices
approve by its hash.

The agreed fields (JSON-ready values):

- ``students_asia_to_europe`` / ``students_europe_to_asia``: participants per direction
  (the statistics' flows come from these once frozen);
- ``session_count``: joint sessions planned; ``sessions``: their dates, a list of
  ``{"start": ISO 8601 in UTC, "minutes": int}`` sorted by start (may be shorter than
  the count until all are planned; the session planner fills it);
- ``mode``: ``coil`` or ``virtual_mobility``; ``working_language``: ISO 639-1 code;
- ``credits_asia`` / ``credits_europe``: a number as a string (``"5"``, ``"2.5"``),
  ``credit_system_asia`` / ``credit_system_europe``: ``ects`` or ``local``;
- ``joint_assignment`` (text), ``platform`` (text: where the sessions meet).
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
from exchanges import terms, transitions
from exchanges.access import ACCEPTED_AT, ProposalAccess
from exchanges.errors import ProposalError
from exchanges.models import Proposal, ProposalState, TermsVersion

AGREED_FIELDS = (
    "students_asia_to_europe",
    "students_europe_to_asia",
    "session_count",
    "sessions",
    "mode",
    "working_language",
    "credits_asia",
    "credit_system_asia",
    "credits_europe",
    "credit_system_europe",
    "joint_assignment",
    "platform",
)

MODES = ("coil", "virtual_mobility")
CREDIT_SYSTEMS = ("ects", "local")


@dataclass(frozen=True)
class Session:
    """One joint session: an aware start (UTC) and a length."""

    start: dt.datetime
    minutes: int

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


def initial_terms(proposal: Proposal) -> dict:
    """Version 1, drafted from the two offers as they stand."""
    asia, europe = proposal.asian_offer, proposal.european_offer
    a_to_e, e_to_a = students_per_direction(asia.kind, asia.students, europe.kind, europe.students)
    common = sorted(
        {x.language for x in asia.languages.all()} & {x.language for x in europe.languages.all()}
    )
    both_vm = asia.kind == europe.kind == "virtual_mobility"
    return {
        "students_asia_to_europe": a_to_e,
        "students_europe_to_asia": e_to_a,
        "session_count": min(asia.sync_sessions, europe.sync_sessions),
        "sessions": [],
        "mode": "virtual_mobility" if both_vm else "coil",
        "working_language": "en" if "en" in common else (common[0] if common else ""),
        "credits_asia": "",
        "credit_system_asia": "local",
        "credits_europe": "",
        "credit_system_europe": "ects",
        "joint_assignment": "",
        "platform": "",
    }


def current_version(proposal: Proposal) -> TermsVersion:
    """The latest version; version 1 is drafted from the offers the first time it is asked
    for (proposals made before drafting existed have none)."""
    latest = proposal.term_versions.order_by("-number").first()
    if latest is not None:
        return latest
    with transaction.atomic():
        version, _created = TermsVersion.objects.get_or_create(
            proposal=proposal,
            number=1,
            defaults={"data": initial_terms(proposal), "author": proposal.proposed_by},
        )
    return version


def sessions_of(data: dict) -> list[Session]:
    return [
        Session(dt.datetime.fromisoformat(s["start"]).astimezone(dt.UTC), int(s["minutes"]))
        for s in data.get("sessions", [])
    ]


def session_plan(proposal: Proposal, *, draft: bool = True) -> list[Session]:
    """The sessions that count: from the frozen terms once both sides accepted, unless a
    newer draft revises them (after a request for changes or a rejection); else from the
    latest draft. With `draft` False, version 1 is never drafted here (a feed or the clock
    must not write)."""
    terms = proposal.terms or {}
    agreed = terms.get("agreed")
    frozen = terms.get("version")  # absent from terms frozen before versions existed
    latest = proposal.term_versions.order_by("-number").first()
    if agreed is not None and (latest is None or frozen is None or latest.number <= frozen):
        return sessions_of(agreed)
    if latest is None:
        return sessions_of(current_version(proposal).data) if draft else []
    return sessions_of(latest.data)


NOT_MEMBER = _("Only the two partner lecturers draft the terms.")
NOT_EDITABLE = _("This proposal is %(state)s: its terms cannot be changed now.")
TERMS_CHANGED = _("The terms changed: review version %(n)s, then accept it.")
ALREADY_LIVE = _("These two offers already have a live proposal.")

# A revision reopens a proposal the offices have (or had) in hand.
EDITABLE_STATES = (
    ProposalState.PROPOSED,
    ProposalState.ACCEPTED,
    ProposalState.CHANGES,
    ProposalState.REJECTED,
)
REOPENED_STATES = (ProposalState.ACCEPTED, ProposalState.CHANGES, ProposalState.REJECTED)


# --- acceptance ------------------------------------------------------------------------------

ACCEPTED_VERSION = {"asia": "asian_accepted_version", "europe": "european_accepted_version"}


def accepted_version(proposal: Proposal, side: str) -> int | None:
    """The version `side` accepted. A side that accepted before versions existed (or by
    proposing, with version 1) counts as having accepted version 1."""
    number = getattr(proposal, ACCEPTED_VERSION[side])
    if number is None and getattr(proposal, ACCEPTED_AT[side]):
        return 1
    return number


def latest_number(proposal: Proposal) -> int:
    """The latest version's number without drafting one (1 when none is stored yet)."""
    number = proposal.term_versions.order_by("-number").values_list("number", flat=True).first()
    return number or 1


def agreed_flows(proposal: Proposal) -> tuple[int, int]:
    """Participants by direction from the frozen agreed terms (the offers' rule before)."""
    from exchanges.agreement import proposal_flows

    agreed = (proposal.terms or {}).get("agreed")
    if agreed is None:
        return proposal_flows(proposal)
    return int(agreed["students_asia_to_europe"]), int(agreed["students_europe_to_asia"])


def set_accepted(proposal: Proposal, sides, number: int, now: dt.datetime) -> None:
    for side in sides:
        setattr(proposal, ACCEPTED_VERSION[side], number)
        if getattr(proposal, ACCEPTED_AT[side]) is None:
            setattr(proposal, ACCEPTED_AT[side], now)


def both_accepted(proposal: Proposal, number: int) -> bool:
    return all(accepted_version(proposal, side) == number for side in ACCEPTED_VERSION)


def freeze(proposal: Proposal, version: TermsVersion, actor: User | None) -> None:
    """Both sides accepted `version`: freeze it with both offers' terms and ask the offices
    (any decision on earlier terms is void). The caller holds the lock and checked the
    capacity."""
    proposal.terms, proposal.terms_hash = terms.agreed_terms(proposal, version.data, version.number)
    proposal.flow_a_to_e, proposal.flow_e_to_a = agreed_flows(proposal)
    proposal.decisions.filter(void=False).update(void=True)
    transitions.move(proposal, ProposalState.ACCEPTED, actor)


# --- saving a version ------------------------------------------------------------------------


@transitions.closing_if_full
@transaction.atomic
def draft_save(
    *, proposal: Proposal, actor: User, changes: dict, note: str = "", accept: bool = False
) -> TermsVersion:
    """Save `changes` (some of the agreed fields) as the next version of the terms, by one
    of the two lecturers. A save identical to the latest version creates nothing. The other
    side must accept the new version; the saving side accepts it only with `accept`. On a
    proposal the offices have (or had) in hand, a new version sends it back to proposed:
    their decisions on earlier terms are void, and they are asked again once both sides
    accept."""
    # Imported here: the checks read this module's schema.
    from exchanges.terms_checks import NO_NUL, SESSIONS_LIST, clean_terms, describe_changes

    proposal = transitions.locked(proposal)
    sides = ProposalAccess(actor, proposal).sides
    if not sides:
        raise PermissionDenied(NOT_MEMBER)
    if proposal.state not in EDITABLE_STATES:
        raise ValidationError(
            NOT_EDITABLE % {"state": proposal.get_state_display().lower()},
            code=ProposalError.NOT_EDITABLE,
        )
    if not isinstance(changes, dict):
        raise ValidationError(SESSIONS_LIST, code=ProposalError.INVALID_TERMS)
    if note and "\x00" in note:
        raise ValidationError({"note": [NO_NUL]}, code=ProposalError.INVALID_TERMS)
    latest = current_version(proposal)
    data = clean_terms({**latest.data, **changes})
    now = timezone.now()
    if data == latest.data:
        if accept and any(accepted_version(proposal, s) != latest.number for s in sides):
            _accept_sides(proposal, actor, sides, latest, now)
        return latest
    version = TermsVersion.objects.create(
        proposal=proposal, number=latest.number + 1, data=data, author=actor, created_at=now
    )
    old = proposal.state
    if old in REOPENED_STATES:
        _reopen(proposal, now)
    if accept:
        set_accepted(proposal, sides, version.number, now)
    proposal.updated_at = now
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError:
        # A rejected proposal's pair has another live proposal by now.
        raise ValidationError(ALREADY_LIVE, code=ProposalError.ALREADY_LIVE) from None
    summary = describe_changes(latest.data, data)
    text = str(_("version %(n)s: %(summary)s") % {"n": version.number, "summary": summary})
    if note.strip():
        text += f" — {note.strip()}"
    transitions.record_event(
        proposal, actor, old, ProposalState.PROPOSED, text[:2000], kind="terms_drafted"
    )
    if accept and both_accepted(proposal, version.number):
        _check_capacity(proposal)
        freeze(proposal, version, actor)
    return version


def _reopen(proposal: Proposal, now: dt.datetime) -> None:
    """Back from the offices to the two sides: their decisions on earlier terms are void."""
    proposal.decisions.filter(void=False).update(void=True)
    proposal.state = ProposalState.PROPOSED
    # The partner needs time to answer the revision, as for a new proposal.
    renewed = now + dt.timedelta(days=settings.PROPOSAL_EXPIRY_DAYS)
    proposal.expires_at = max(proposal.expires_at or renewed, renewed)


def _check_capacity(proposal: Proposal) -> None:
    full = transitions.full_offer(proposal)
    if full is not None:
        raise transitions.OfferFull(full)


def _accept_sides(proposal, actor, sides, version, now) -> None:
    """`sides` accept `version` (the latest); frozen when both sides have."""
    _check_capacity(proposal)
    set_accepted(proposal, sides, version.number, now)
    if both_accepted(proposal, version.number):
        freeze(proposal, version, actor)
        return
    proposal.updated_at = now
    proposal.save()
    transitions.record_event(
        proposal,
        actor,
        proposal.state,
        proposal.state,
        str(_("version %(n)s accepted by one side") % {"n": version.number}),
        kind="side_accepted",
    )


def accept_version(
    proposal: Proposal, actor: User, sides: set[str], version: int | None
) -> TermsVersion | None:
    """The accept step of exchanges.services.proposal_accept, under its lock: the actor's
    sides accept the latest version (`version`, if given, must be it). None when they had
    accepted it already."""
    latest = current_version(proposal)
    if version is not None and version != latest.number:
        raise ValidationError(
            TERMS_CHANGED % {"n": latest.number}, code=ProposalError.TERMS_CHANGED
        )
    pending = {s for s in sides if accepted_version(proposal, s) != latest.number}
    if not pending:
        return None
    _accept_sides(proposal, actor, pending, latest, timezone.now())
    return latest
