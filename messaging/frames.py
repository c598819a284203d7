"""The database side of the chat's sockets: the hello frame, history and resume pages,
and the heartbeat that re-checks the session and the membership."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts.models import User
from messaging import chat, presence, selectors
from messaging.access import active_membership
from messaging.chat import ChatError


def session_valid(session, user_id: int) -> bool:
    """The socket's session still exists and still belongs to this password: logging
    out or changing the password elsewhere ends it."""
    key = getattr(session, "session_key", None)
    if not key:
        return False
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key).load()
    if data.get(SESSION_KEY) != str(user_id):
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    return constant_time_compare(data.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash())


def hello(user, conversation_id: int, connected: presence.Connected) -> dict:
    members = selectors.active_members(conversation_id)
    return {
        "type": "hello",
        "conversation": conversation_id,
        "user": {"id": user.pk, "name": str(user)},
        "last_seq": connected.member.conversation.last_seq,
        "read_seq": connected.member.last_read_seq,
        "members": [
            {"id": m.user_id, "name": str(m.user), "role": m.role, "read_seq": m.last_read_seq}
            for m in members
        ],
        "online": connected.online,
    }


def page(user, conversation_id: int, kind: str, cursor) -> dict:
    chat.require_member(user, conversation_id)
    if kind == "history":
        if cursor is not None and (not isinstance(cursor, int) or isinstance(cursor, bool)):
            raise ChatError("invalid", _("“before” must be a message seq or null."))
        rows, more = selectors.history(conversation_id, cursor)
        return {
            "type": "history",
            "before": cursor,
            "messages": [chat.message_payload(m) for m in rows],
            "complete": not more,
        }
    if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0:
        raise ChatError("invalid", _("“after” must be the last change seq you saw (0 for none)."))
    rows, more = selectors.changes_after(conversation_id, cursor)
    last_seq = chat.require_member(user, conversation_id).conversation.last_seq
    return {
        "type": "resume",
        "after": cursor,
        "messages": [chat.message_payload(m) for m in rows],
        "more": more,
        "last_seq": last_seq,
    }


def heartbeat(user, conversation_id: int, channel_name: str, session) -> int | None:
    """Refresh presence; None when the session or the membership has ended."""
    if not session_valid(session, user.pk):
        return None
    member = active_membership(user, conversation_id)
    if member is None:
        return None
    presence.touch(channel_name)
    return member.conversation.last_seq
