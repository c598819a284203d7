"""Reading what each person heard, in the app and by e-mail."""

from __future__ import annotations

from django.core import mail

from notifications.models import Notification


def heard(user, kind: str | None = None) -> list[Notification]:
    """The user's in-app notifications (of one kind), oldest first."""
    qs = Notification.objects.filter(recipient=user)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("created_at", "pk"))


def kinds(user) -> list[str]:
    return [n.kind for n in heard(user)]


def mailed_to(user) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [user.email]]


def recipients() -> list[str]:
    """Everyone e-mailed so far, in order."""
    return [address for m in mail.outbox for address in m.to]
