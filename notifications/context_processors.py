from django.utils.functional import cached_property

from notifications.models import Notification

# The badge counts up to here and shows "99+" beyond, so the count stays one cheap query.
BADGE_CAP = 100


def badge_label(unread: int) -> str:
    """What the badge shows for a count (the live frames carry the same)."""
    return f"{BADGE_CAP - 1}+" if unread >= BADGE_CAP else str(unread)


class NotificationBadge:
    """The unread count, asked for only when a template shows it, and at most once."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        if not self.user.is_authenticated:
            return 0
        return Notification.objects.filter(recipient=self.user).unread()[:BADGE_CAP].count()

    @property
    def label(self) -> str:
        return badge_label(self.unread)


def notifications(request):
    """Unread in-app notifications for the navigation badge (signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_badge": NotificationBadge(user)}
