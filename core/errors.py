"""Error codes: each domain lists the codes its services raise as one enum built on
ErrorCode. The API answers a code marked as a conflict with 409 (the object's state
refuses, and the same request sent again will not help), any other with 400; the docs
list them (docs/api.md)."""

from __future__ import annotations

from enum import StrEnum

_CONFLICTS: set[str] = set()


class ErrorCode(StrEnum):
    """Base of the domains' enums. A member written ("code", True) is a conflict."""

    def __new__(cls, value: str, conflict: bool = False):
        member = str.__new__(cls, value)
        member._value_ = value
        member.conflict = conflict
        if conflict:
            _CONFLICTS.add(value)
        return member


def is_conflict(code: str | None) -> bool:
    return code in _CONFLICTS
