"""The codes the offer services raise (see core.errors)."""

from core.errors import ErrorCode


class OfferError(ErrorCode):
    INVALID_TRANSITION = "invalid_transition", True  # the offer's status refuses the move
