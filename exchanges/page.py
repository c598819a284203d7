"""What the proposal page says to its viewer: where the proposal stands and the next step,
worded for who is looking (the proposer, the partner, an office, the secretariat); the
terms' versions with what changed; the sessions in both local times; and, once it closed,
the next suggestions for the viewer's course."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from exchanges import drafting, selectors, terms_checks
from exchanges.access import ACCEPTED_AT, ProposalAccess
from exchanges.models import DecisionKind, Proposal, ProposalState
from matching import engine
from offers.models import Offer, OfferStatus

SIDE_OFFER = {"asia": "asian_offer", "europe": "european_offer"}
CLOSED = (ProposalState.DECLINED, ProposalState.WITHDRAWN, ProposalState.EXPIRED)


@dataclass
class Situation:
    headline: str
    next_step: str = ""


def _other(side: str) -> str:
    return "europe" if side == "asia" else "asia"


def _name(proposal: Proposal, side: str) -> str:
    owner = getattr(proposal, SIDE_OFFER[side]).owner
    return owner.full_name if owner is not None and owner.full_name else _("the partner")


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else ""


def proposer_side(proposal: Proposal, access: ProposalAccess) -> str | None:
    """The side that proposed: the one that accepted first (on proposing)."""
    a, e = proposal.asian_accepted_at, proposal.european_accepted_at
    if proposal.origin == "round" or (a is None and e is None):
        return None
    if e is None or (a is not None and a <= e):
        return "asia"
    return "europe"


def situation(proposal: Proposal, access: ProposalAccess) -> Situation:
    state = proposal.state
    if access.sides:
        return _for_lecturer(proposal, access, state)
    if access.offices:
        return _for_office(proposal, access, state)
    return Situation(proposal.get_state_display())


def _for_lecturer(proposal: Proposal, access: ProposalAccess, state: str) -> Situation:
    mine = sorted(access.sides)[0]
    latest = access.latest_version
    if state == ProposalState.PROPOSED:
        return _while_proposed(proposal, access, mine)
    if state == ProposalState.ACCEPTED:
        return Situation(
            _("Both sides accepted version %(n)s of the terms.")
            % {"n": (proposal.terms or {}).get("version") or latest},
            _(
                "Next, the international offices of both institutions approve them. You can "
                "still change the terms: both sides then accept again."
            ),
        )
    if state == ProposalState.CHANGES:
        return Situation(
            _("An international office asks for changes (see the thread below)."),
            _(
                "Your next step: answer in the thread and revise the terms. Both sides then "
                "accept the new version and both offices are asked again."
            ),
        )
    if state == ProposalState.REJECTED:
        return Situation(
            _("An international office rejected these terms."),
            _(
                "You can revise the terms to meet the reason given: both sides accept the "
                "new version and both offices are asked again. Or look for another partner."
            ),
        )
    if state == ProposalState.APPROVED:
        return Situation(
            _("Both international offices approved the exchange."),
            _("Your next step: start the exchange when the joint teaching begins."),
        )
    if state == ProposalState.ACTIVE:
        return Situation(
            _("The exchange is running."),
            _("Your next step: file the completion report when it ends."),
        )
    if state == ProposalState.COMPLETED:
        return Situation(_("The exchange is completed and reported. Thank you."))
    closed = {
        ProposalState.DECLINED: _("This proposal was declined."),
        ProposalState.WITHDRAWN: _("This proposal was withdrawn."),
        ProposalState.EXPIRED: _("This proposal expired without an answer."),
    }[state]
    return Situation(closed, _("Your next step: look at the next suggestions for your course."))


def _while_proposed(proposal: Proposal, access: ProposalAccess, mine: str) -> Situation:
    """Proposed: who waits for whom to accept which version."""
    other = _other(mine)
    partner = _name(proposal, other)
    latest = access.latest_version
    mine_ok = access.accepted_version(mine) == latest
    theirs_ok = access.accepted_version(other) == latest
    if len(access.sides) == 2:  # a lecturer of both offers: both are theirs to accept
        theirs_ok = mine_ok
    first = proposer_side(proposal, access)
    if mine_ok and not theirs_ok:
        expires = _when(proposal.expires_at)
        if first == mine and getattr(proposal, ACCEPTED_AT[other]) is None:
            return Situation(
                _("You proposed this pairing on %(date)s; waiting for %(name)s to answer.")
                % {"date": _when(proposal.created_at), "name": partner},
                _(
                    "Next, %(name)s accepts version %(n)s of the terms, changes them or "
                    "declines. Without an answer the proposal expires on %(expires)s."
                )
                % {"name": partner, "n": latest, "expires": expires},
            )
        return Situation(
            _("You accepted version %(n)s of the terms; waiting for %(name)s to accept it.")
            % {"n": latest, "name": partner},
            _("Once both sides accept the same version, both international offices approve.")
            + (" " + _("Without an answer it expires on %(expires)s.") % {"expires": expires}),
        )
    if theirs_ok and not mine_ok:
        if first == other and not (access.sides & access.accepted_sides):
            head = _("%(name)s proposes pairing your course with theirs.") % {"name": partner}
            step = _(
                "Your next step: review the terms below, change them if you need to, then "
                "accept version %(n)s — or decline with a comment."
            ) % {"n": latest}
        else:
            head = _("%(name)s accepted version %(n)s of the terms.") % {
                "name": partner,
                "n": latest,
            }
            step = _(
                "Your next step: review version %(n)s and accept it, or change it; then "
                "both international offices approve."
            ) % {"n": latest}
        return Situation(head, step)
    if mine_ok and theirs_ok:  # both sides are yours
        return Situation(_("Both sides accepted version %(n)s.") % {"n": latest})
    return Situation(
        _("Version %(n)s of the terms waits for both sides to accept it.") % {"n": latest},
        _("Your next step: review the terms and accept them, or change them."),
    )


def _for_office(proposal: Proposal, access: ProposalAccess, state: str) -> Situation:
    if state == ProposalState.ACCEPTED:
        if access.undecided_offices:
            return Situation(
                _("Both lecturers accepted the terms: your office decides."),
                _(
                    "Your next step: approve them, request changes with a question, or "
                    "reject them with the reason."
                ),
            )
        return Situation(
            _("Your office has decided; waiting for the other office."),
        )
    if state == ProposalState.CHANGES:
        return Situation(
            _("Changes were requested; the lecturers revise the terms."),
            _("You are asked again once both lecturers accept the new version."),
        )
    if state == ProposalState.PROPOSED:
        return Situation(
            _("The lecturers are agreeing on the terms."),
            _("Your office is asked to approve once both accept the same version."),
        )
    return Situation(proposal.get_state_display())


# --- the terms: versions, acceptances, sessions ----------------------------------------------


@dataclass
class VersionRow:
    number: int
    author: str
    at: object
    summary: str


def version_rows(proposal: Proposal) -> list[VersionRow]:
    """Each version, newest first, with what changed from the one before."""
    versions = list(proposal.term_versions.select_related("author").order_by("number"))
    rows, before = [], None
    for v in versions:
        author = v.author.full_name if v.author else _("Tandem")
        rows.append(
            VersionRow(
                v.number, author, v.created_at, terms_checks.describe_changes(before, v.data)
            )
        )
        before = v.data
    return rows[::-1]


def sessions_both_times(proposal: Proposal, data: dict) -> list[dict]:
    """Each session with its start in the Asian and the European course's time zone."""
    zones = [
        zoneinfo.ZoneInfo(proposal.asian_offer.time_zone),
        zoneinfo.ZoneInfo(proposal.european_offer.time_zone),
    ]
    return [
        {
            "n": n,
            "start": s.start,
            "minutes": s.minutes,
            # Formatted here: the template's date filter would show the viewer's zone.
            "asia": _local(s.start, zones[0]),
            "europe": _local(s.start, zones[1]),
        }
        for n, s in enumerate(drafting.sessions_of(data), start=1)
    ]


def _local(moment, zone) -> str:
    return formats.date_format(timezone.localtime(moment, zone), "D j M Y, H:i")


def partner_response_time(proposal: Proposal, access: ProposalAccess) -> str:
    """How fast the partner usually answers, for the side waiting for them."""
    other = _other(sorted(access.sides)[0])
    owner = getattr(proposal, SIDE_OFFER[other]).owner
    if owner is None:
        return ""
    text = selectors.response_time_text(owner, name=owner.full_name)
    return text or _("%(name)s has no history of answers yet.") % {"name": owner.full_name}


def decision_label(kind: str) -> str:
    return str(DecisionKind(kind).label) if kind else ""


# --- after it closed -----------------------------------------------------------------------------


def next_suggestions(proposal: Proposal, access: ProposalAccess, k: int = 3) -> list[dict]:
    """For a closed proposal: the next partners suggested for the viewer's open offer(s)."""
    if proposal.state not in CLOSED or not access.sides:
        return []
    out = []
    for side in sorted(access.sides):
        offer = getattr(proposal, SIDE_OFFER[side])
        if offer.status != OfferStatus.OPEN:
            continue
        partner_id = getattr(proposal, SIDE_OFFER[_other(side)] + "_id")
        matches = [m for m in engine.suggestions(offer, k=k + 1) if m.partner_id != partner_id]
        partners = Offer.objects.in_bulk([m.partner_id for m in matches[:k]])
        for m in matches[:k]:
            if m.partner_id in partners:
                out.append({"offer": offer, "partner": partners[m.partner_id], "score": m.score})
    return out
