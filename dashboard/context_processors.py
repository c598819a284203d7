"""The count beside "Approvals" in the navigation: the pairings waiting for this office's
decision (exchanges.selectors.approval_queue, the same list as the approvals page).

Pages update it without a reload: static/js/tandem.js asks the proposals API
(`?role=office`, the same queue) again when the notification socket brings news, since a
pairing that reaches approval notifies every office of its two institutions."""

from __future__ import annotations

from django.utils.functional import cached_property

from accounts.selectors import office_institution_ids
from exchanges.selectors import approval_queue


class ApprovalsBadge:
    """The number waiting, asked for only when a template shows it, and at most once."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        if not office_institution_ids(self.user):
            return 0
        return approval_queue(self.user).count()


def approvals(request):
    """Pairings waiting for the signed-in international office (0 for anyone else)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"approvals_badge": ApprovalsBadge(user)}
