"""The codes the round services raise (see core.errors), and the error of a round that
cannot be computed."""

from core.errors import ErrorCode


class RoundCode(ErrorCode):
    PUBLISHED = "published", True  # a round is published once
    NOT_DONE = "not_done", True  # only a finished round can be published


class RoundError(Exception):
    """A round cannot be computed, for a reason the secretariat can read."""
