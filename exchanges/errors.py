"""The codes the pairing workflow raises (see core.errors). A conflict depends on the
proposal's current state, not on what the client sent."""

from core.errors import ErrorCode


class ProposalError(ErrorCode):
    INVALID_TRANSITION = "invalid_transition", True  # not allowed from the current state
    ALREADY_ACCEPTED = "already_accepted", True  # the user's side accepted already
    ALREADY_DECIDED = "already_decided", True  # the institution decided on these terms already
    ALREADY_LIVE = "already_live", True  # the two offers have a live proposal
    NO_CAPACITY = "no_capacity", True  # an offer's partner places are full
    NOT_APPROVED = "not_approved", True  # no agreement before approval
    TERMS_CHANGED = "terms_changed", True  # a newer version of the terms exists: review it
    NOT_EDITABLE = "not_editable", True  # the terms cannot be changed in this state
    SAME_REGION = "same_region"
    NOT_OPEN = "not_open"
    REASON_NEEDED = "reason_needed"
    INVALID_TERMS = "invalid_terms"
