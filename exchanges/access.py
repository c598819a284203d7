"""Who may do what with a proposal: one policy object, asked by the pages, the API (as
`allowed_actions`), the services and the apps above (the chat, notifications).

The rules:
- a side's lecturers are the editors of that side's offer (offers.access); they accept or
  decline while their side has not accepted, withdraw before approval, start an approved
  exchange and file the completion report of an active one;
- the international offices of the two institutions approve or reject accepted terms,
  once per institution and version of the terms;
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
ACTIONS = ("accept", "decline", "withdraw", "approve", "reject", "start", "complete")


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

    def can(self, action: str) -> bool:
        state = self.proposal.state
        if action in ("accept", "decline"):
            return state == ProposalState.PROPOSED and bool(self.sides - self.accepted_sides)
        if action == "withdraw":
            return state in (ProposalState.PROPOSED, ProposalState.ACCEPTED) and bool(self.sides)
        if action in ("approve", "reject"):
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
