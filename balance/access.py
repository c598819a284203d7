"""Who sees which figures: the secretariat all of them, an international office those of
its own institutions, nobody else any."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import User
from accounts.selectors import office_institution_ids


def viewer_scope(user: User) -> frozenset[int] | None:
    """None (everything) for the secretariat, the institutions of a verified international
    office; PermissionDenied for anyone else. Nothing in the request can widen it."""
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_secretariat:
        return None
    ids = office_institution_ids(user)
    if not ids:
        raise PermissionDenied
    return frozenset(ids)
