"""The codes the round services raise (see core.errors)."""

from core.errors import ErrorCode


class RoundCode(ErrorCode):
    PUBLISHED = "published", True  # a round is published once
    NOT_DONE = "not_done", True  # only a finished round can be published
