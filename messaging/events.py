"""The chat's outgoing realtime events, in one place: group names, event payloads, and
the pushes sent from outside a socket (services, signals, tasks), after commit.

A push that cannot reach the channel layer (Redis down) is logged and dropped: what it
carries is either in the database already, or a close that the socket's next heartbeat
enforces anyway (it re-checks session and membership).
"""

from __future__ import annotations

import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def conversation_group(conversation_id: int) -> str:
    return f"chat.conv.{conversation_id}"


def user_group(user_id: int) -> str:
    return f"chat.user.{user_id}"


def push(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, event)
    except Exception:  # the layer is best effort; the database is the record
        log.warning("could not push %s to %s", event.get("type"), group, exc_info=True)


def close_sockets(user_id: int, conversation_id: int | None = None, reason: str = "left") -> None:
    """Close the user's chat sockets: all of them, or those of one conversation."""
    push(
        user_group(user_id),
        {"type": "chat.close", "conversation": conversation_id, "reason": reason},
    )


def on_commit_close(user_id: int, conversation_id: int | None = None, reason: str = "left"):
    transaction.on_commit(lambda: close_sockets(user_id, conversation_id, reason))


def on_commit_joined(user_ids: list[int], conversation_id: int) -> None:
    """Tell the users' open dashboards to follow a conversation they just joined."""

    def tell() -> None:
        for user_id in user_ids:
            push(user_group(user_id), {"type": "chat.joined", "conversation": conversation_id})

    transaction.on_commit(tell)


def encode(content) -> str:
    """A frame as JSON text. A lone surrogate has no UTF-8 form: sent escaped (still valid
    JSON) rather than failing the socket that sends it."""
    text = json.dumps(content, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(content)
    return text


def message_event(conversation_id: int, payload: dict) -> dict:
    """The group event of a new or changed message, with its frame already encoded."""
    frame = encode({"type": "message", **payload})
    return {
        "type": "chat.message",
        "conversation": conversation_id,
        "message": payload,
        "frame": frame,
    }
