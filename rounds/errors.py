"""The codes the round services raise (see core.errors), and the error of a round that
cannot be computed."""

from core.errors import ErrorCode


class RoundCode(ErrorCode):
    PUBLISHED = "published", True  # a round is published once
    NOT_DONE = "not_done", True  # only a finished round can be published
    NOT_PUBLISHED = "not_published", True  # only a published round can be undone
    TOO_LATE = "undo_too_late", True  # the grace period is over
    TOUCHED = "undo_touched", True  # a lecturer acted on one of its proposals


class RoundError(Exception):
    """A round cannot be computed, for a reason the secretariat can read."""
