"""Who may do what with a proposal: one policy object, asked by the pages, the API (as
`allowed_actions`), the services and the apps above (the chat, notifications).

The rules:
- a side's lecturers are the editors of that side's offer (offers.access); they accept or
  decline while their side has not accepted, withdraw before approval, start an approved
  exchange and file the completion report of an active one;
- the international offices of the two institutions approve, reject or request changes
  to accepted terms, once per institution and version of the terms;
- the two lecturers draft the terms while the proposal is open or back from the offices
  (exchanges.drafting); they and the two offices share the proposal's thread;
- the secretariat sees every proposal and acts on none."""

from __future__ import annotations

from django.utils.functional import cached_property

from accounts.models import User
from accounts.selectors import office_institution_ids
from exchanges.models import Proposal, ProposalState
from offers.access import offer_editor_ids

SIDES = (
    ("asia", "asian_offer", "asian_accepted_at"),
    ("europe", "european_offer", "european_accepted_at"),
)
ACCEPTED_AT = {side: field for side, _offer, field in SIDES}

# Every action, in the order pages show them.
ACTIONS = (
    "accept",
    "decline",
    "withdraw",
    "approve",
    "request_changes",
    "reject",
    "start",
    "complete",
)
# Where the lecturers may save a new version of the terms (exchanges.drafting).
DRAFT_STATES = (
    ProposalState.PROPOSED,
    ProposalState.ACCEPTED,
    ProposalState.CHANGES,
    ProposalState.REJECTED,
)


def proposal_editor_ids(proposal: Proposal) -> set[int]:
    """The lecturers of both sides."""
    return offer_editor_ids(proposal.asian_offer) | offer_editor_ids(proposal.european_offer)


class ProposalAccess:
    """What `user` may do with `proposal` now. Get it through `proposal_access`."""

    def __init__(self, user: User, proposal: Proposal) -> None:
        self.user, self.proposal = user, proposal

    @cached_property
    def sides(self) -> set[str]:
        """The regions ("asia", "europe") whose offer the user owns or co-owns."""
        if not self.user.is_authenticated:
            return set()
        return {
            side
            for side, offer, _at in SIDES
            if self.user.pk in offer_editor_ids(getattr(self.proposal, offer))
        }

    @cached_property
    def offices(self) -> set[int]:
        """The proposal's institutions the user is a verified international office of."""
        if not self.user.is_authenticated:
            return set()
        p = self.proposal
        involved = {p.asian_offer.institution_id, p.european_offer.institution_id}
        return involved & office_institution_ids(self.user)

    @cached_property
    def accepted_sides(self) -> set[str]:
        return {side for side, _offer, at in SIDES if getattr(self.proposal, at)}

    @cached_property
    def undecided_offices(self) -> set[int]:
        """The user's institutions without a standing decision on the current terms."""
        if not self.offices:
            return set()
        decided = set(
            self.proposal.decisions.filter(void=False).values_list("institution_id", flat=True)
        )
        return self.offices - decided

    @cached_property
    def latest_version(self) -> int:
        """The number of the latest version of the terms (1 before any is stored)."""
        number = (
            self.proposal.term_versions.order_by("-number").values_list("number", flat=True).first()
        )
        return number or 1

    def accepted_version(self, side: str) -> int | None:
        """The version `side` accepted (a side that accepted before versions existed, or
        by proposing, accepted version 1)."""
        field = "asian_accepted_version" if side == "asia" else "european_accepted_version"
        number = getattr(self.proposal, field)
        if number is None and getattr(self.proposal, ACCEPTED_AT[side]):
            return 1
        return number

    @cached_property
    def pending_sides(self) -> set[str]:
        """The user's sides that have not accepted the latest version of the terms."""
        return {s for s in self.sides if self.accepted_version(s) != self.latest_version}

    @property
    def can_draft(self) -> bool:
        return self.proposal.state in DRAFT_STATES and bool(self.sides)

    @property
    def in_thread(self) -> bool:
        """The proposal's thread with the offices: its lecturers and the two offices."""
        return bool(self.sides or self.offices)

    def can(self, action: str) -> bool:
        state = self.proposal.state
        if action == "accept":
            return state == ProposalState.PROPOSED and bool(self.pending_sides)
        if action == "decline":
            return state == ProposalState.PROPOSED and bool(self.sides - self.accepted_sides)
        if action == "withdraw":
            # The side that proposed or accepted; the partner who has not declines instead.
            open_states = (ProposalState.PROPOSED, ProposalState.ACCEPTED, ProposalState.CHANGES)
            return state in open_states and bool(self.sides & self.accepted_sides)
        if action in ("approve", "reject", "request_changes"):
            return state == ProposalState.ACCEPTED and bool(self.undecided_offices)
        if action == "start":
            return state == ProposalState.APPROVED and bool(self.sides)
        if action == "complete":
            return state == ProposalState.ACTIVE and bool(self.sides)
        raise ValueError(f"unknown action {action!r}")

    @cached_property
    def allowed_actions(self) -> list[str]:
        return [action for action in ACTIONS if self.can(action)]


def proposal_access(user: User, proposal: Proposal) -> ProposalAccess:
    cache = proposal.__dict__.setdefault("_access", {})
    key = getattr(user, "pk", None)
    if key not in cache:
        cache[key] = ProposalAccess(user, proposal)
    return cache[key]
