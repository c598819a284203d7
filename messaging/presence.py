"""Who is online: each open chat socket is a row (ChatConnection) refreshed by its
heartbeat, so presence and the per-user connection cap hold across server processes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from messaging.chat import TOO_MANY_CONNECTIONS, ChatError, require_member
from messaging.models import ChatConnection, ConversationMember


def _fresh_since() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.CHAT_PRESENCE_TIMEOUT_SECONDS)


@dataclass
class Connected:
    member: ConversationMember
    online: list[int]


@transaction.atomic
def connect(*, user, conversation_id: int, channel_name: str) -> Connected:
    """Record an open socket after checking membership and the per-user cap."""
    member = require_member(user, conversation_id)
    # Lock the user's row so two sockets opening at once cannot both pass the cap.
    User.objects.select_for_update().filter(pk=user.pk).first()
    ChatConnection.objects.filter(user=user, seen_at__lt=_fresh_since()).delete()
    if ChatConnection.objects.filter(user=user).count() >= settings.CHAT_MAX_CONNECTIONS_PER_USER:
        raise ChatError(
            "too_many_connections",
            TOO_MANY_CONNECTIONS % {"max": settings.CHAT_MAX_CONNECTIONS_PER_USER},
        )
    ChatConnection.objects.update_or_create(
        channel_name=channel_name,
        defaults={"user": user, "conversation_id": conversation_id, "seen_at": timezone.now()},
    )
    return Connected(member=member, online=online_user_ids(conversation_id))


def purge_stale() -> int:
    """Forget the sockets whose process died without closing them (no heartbeat for the
    presence timeout): they count for nothing already; this keeps the table small."""
    return ChatConnection.objects.filter(seen_at__lt=_fresh_since()).delete()[0]


def touch(channel_name: str) -> None:
    ChatConnection.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def disconnect(channel_name: str) -> bool:
    """Forget a socket; True when that was the user's last one in its conversation."""
    row = ChatConnection.objects.filter(channel_name=channel_name).first()
    if row is None:
        return False
    row.delete()
    return not ChatConnection.objects.filter(
        user_id=row.user_id, conversation_id=row.conversation_id, seen_at__gte=_fresh_since()
    ).exists()


def online_user_ids(conversation_id: int) -> list[int]:
    return sorted(
        set(
            ChatConnection.objects.filter(
                conversation_id=conversation_id, seen_at__gte=_fresh_since()
            ).values_list("user_id", flat=True)
        )
    )


def is_online(user_id: int, conversation_id: int) -> bool:
    return ChatConnection.objects.filter(
        user_id=user_id, conversation_id=conversation_id, seen_at__gte=_fresh_since()
    ).exists()
