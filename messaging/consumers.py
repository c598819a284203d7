"""WebSocket consumers: one conversation's chat, and a user's live unread counts.

The protocol is documented in docs/chat_protocol.md. Every action re-checks membership
in the database (a member removed a second ago is refused), and the author and the
conversation come from the session and the URL, never from the frame.
"""

from __future__ import annotations

import json
import logging
import time
from importlib import import_module

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.db import InterfaceError, OperationalError, connection
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts.models import User
from messaging import chat
from messaging.access import active_membership
from messaging.chat import ChatError
from messaging.events import conversation_group, message_event, user_group

log = logging.getLogger(__name__)

# A frame holds one message of at most 4,000 characters; JSON escapes can make that up
# to ~50 KB. Anything larger is refused before it is parsed.
MAX_FRAME = 64 * 1024
TYPING_EVERY_SECONDS = 2.0

CLOSE_UNAUTHENTICATED = 4401
CLOSE_GONE = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_TOO_MANY = 4429


class TokenBucket:
    """`burst` actions at once, then `rate` per second."""

    def __init__(self, burst: float, rate: float) -> None:
        self.burst, self.rate = burst, rate
        self.tokens, self.at = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


# Per user and per server process, shared by all of that user's sockets here. With the
# per-user connection cap this bounds what one account can push through one process.
_buckets: dict[tuple[int, str], TokenBucket] = {}


def _bucket(user_id: int, kind: str) -> TokenBucket:
    key = (user_id, kind)
    bucket = _buckets.get(key)
    if bucket is None:
        if kind == "write":
            bucket = TokenBucket(settings.CHAT_RATE_BURST, settings.CHAT_RATE_PER_MINUTE / 60)
        else:  # reads: history pages, resumes, read marks
            bucket = TokenBucket(30, 10)
        _buckets[key] = bucket
    return bucket


def _session_valid(session, user_id: int) -> bool:
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


def _hello(user, conversation_id: int, connected: chat.Connected) -> dict:
    members = chat.active_members(conversation_id)
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


def _page(user, conversation_id: int, kind: str, cursor) -> dict:
    chat.require_member(user, conversation_id)
    if kind == "history":
        if cursor is not None and (not isinstance(cursor, int) or isinstance(cursor, bool)):
            raise ChatError("invalid", _("“before” must be a message seq or null."))
        rows, more = chat.history(conversation_id, cursor)
        return {
            "type": "history",
            "before": cursor,
            "messages": [chat.message_payload(m) for m in rows],
            "complete": not more,
        }
    if not isinstance(cursor, int) or isinstance(cursor, bool) or cursor < 0:
        raise ChatError("invalid", _("“after” must be the last change seq you saw (0 for none)."))
    rows, more = chat.changes_after(conversation_id, cursor)
    last_seq = chat.require_member(user, conversation_id).conversation.last_seq
    return {
        "type": "resume",
        "after": cursor,
        "messages": [chat.message_payload(m) for m in rows],
        "more": more,
        "last_seq": last_seq,
    }


def _heartbeat(user, conversation_id: int, channel_name: str, session) -> int | None:
    """Refresh presence; None when the session or the membership has ended."""
    if not _session_valid(session, user.pk):
        return None
    member = active_membership(user, conversation_id)
    if member is None:
        return None
    chat.touch(channel_name)
    return member.conversation.last_seq


def hot_path(func):
    """`func` on the database thread, like database_sync_to_async but without Django's
    connection housekeeping around every call (a health-check query each time): sending
    is the busiest path. A connection found broken is closed, so the next call opens a
    new one, and the call is tried once more (sending is idempotent by client id)."""

    def call(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (InterfaceError, OperationalError):
            if connection.in_atomic_block:
                raise
            connection.close()
            return func(*args, **kwargs)

    return sync_to_async(call, thread_sensitive=True)


class ChatSocket(AsyncJsonWebsocketConsumer):
    """What both consumers share: accept-then-refuse with a code, and safe pushes."""

    async def dispatch(self, message) -> None:
        """As Channels' own, without its `aclose_old_connections()` before every handler:
        that is a hop to the single database thread for each frame and each of the ~10
        deliveries of every message, queued behind the writes. Handlers that use the
        database do so through database_sync_to_async (which cleans up around the call)
        or hot_path; the others never touch it."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def refuse(self, code: str, message: str, close_code: int) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})
        await self.close(code=close_code)

    async def error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    async def publish(self, group: str, event: dict) -> None:
        try:
            await self.channel_layer.group_send(group, event)
        except Exception:  # persisted already; members catch up by seq
            log.warning("group_send to %s failed", group, exc_info=True)

    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, ensure_ascii=False)


class ConversationConsumer(ChatSocket):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        self.joined = False
        self.last_typing = 0.0
        # Accept first: a refusal then carries a code the page can act on (a browser
        # cannot read why a handshake failed).
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            await self.refuse(
                "unauthenticated", _("Sign in to use the chat."), CLOSE_UNAUTHENTICATED
            )
            return
        try:
            connected = await database_sync_to_async(chat.connect)(
                user=self.user, conversation_id=self.conversation_id, channel_name=self.channel_name
            )
        except ChatError as exc:
            close = CLOSE_TOO_MANY if exc.code == "too_many_connections" else CLOSE_NOT_FOUND
            await self.refuse(exc.code, exc.message, close)
            return
        try:
            for group in (conversation_group(self.conversation_id), user_group(self.user.pk)):
                await self.channel_layer.group_add(group, self.channel_name)
        except Exception:
            # The layer is down (Redis restarting): forget this socket and let the client
            # come back with its back-off, rather than hold a seat in the connection cap.
            log.warning("group_add failed; closing the socket", exc_info=True)
            await database_sync_to_async(chat.disconnect)(self.channel_name)
            await self.close(code=1011)
            return
        self.joined = True
        hello = await database_sync_to_async(_hello)(self.user, self.conversation_id, connected)
        await self.send_json(hello)
        await self._presence(online=True)

    async def disconnect(self, code) -> None:
        if not self.joined:
            return
        self.joined = False
        for group in (conversation_group(self.conversation_id), user_group(self.user.pk)):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                log.warning("group_discard failed", exc_info=True)
        last = await database_sync_to_async(chat.disconnect)(self.channel_name)
        if last:
            await self._presence(online=False)

    async def _presence(self, *, online: bool) -> None:
        await self.publish(
            conversation_group(self.conversation_id),
            {
                "type": "chat.presence",
                "conversation": self.conversation_id,
                "user": self.user.pk,
                "name": str(self.user),
                "online": online,
            },
        )

    # --- from the client --------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if not self.joined:
            return
        if text_data is None:
            await self.error("invalid", _("Frames must be JSON text."))
            return
        if len(text_data) > MAX_FRAME:
            await self.error(
                "too_long",
                _("A frame holds at most %(max)d bytes; this message is far too long.")
                % {"max": MAX_FRAME},
            )
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.error("invalid", _("Frames must be JSON objects."))
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("invalid", _("Each frame needs a “type”."))
            return
        handler = self.ACTIONS.get(content["type"])
        if handler is None:
            await self.error(
                "invalid", _("Unknown frame type “%(type)s”.") % {"type": content["type"][:40]}
            )
            return
        try:
            await handler(self, content)
        except ChatError as exc:
            extra = {}
            if "client_id" in content and isinstance(content["client_id"], str):
                extra["client_id"] = content["client_id"][:64]
            await self.error(exc.code, exc.message, **extra)
            if exc.code == "not_found" and not await self._still_member():
                await self.close(code=CLOSE_GONE)

    async def _still_member(self) -> bool:
        return (
            await database_sync_to_async(active_membership)(self.user, self.conversation_id)
            is not None
        )

    async def _limited(self, kind: str, content: dict) -> bool:
        if _bucket(self.user.pk, kind).take():
            return False
        extra = (
            {"client_id": content["client_id"][:64]}
            if isinstance(content.get("client_id"), str)
            else {}
        )
        await self.error(
            "rate_limited",
            _("You are sending too fast. Wait a moment, then send again."),
            **extra,
        )
        return True

    async def on_send(self, content: dict) -> None:
        if await self._limited("write", content):
            return
        message, created = await hot_path(chat.post_message)(
            user=self.user,
            conversation_id=self.conversation_id,
            client_id=content.get("client_id"),
            text=content.get("text"),
        )
        payload = chat.message_payload(message)
        await self.send_json(
            {
                "type": "ack",
                "client_id": message.client_id,
                "id": message.pk,
                "seq": message.seq,
                "duplicate": not created,
            }
        )
        if created:
            await self._broadcast_message(payload)

    async def on_edit(self, content: dict) -> None:
        if await self._limited("write", content):
            return
        message = await database_sync_to_async(chat.edit_message)(
            user=self.user,
            conversation_id=self.conversation_id,
            message_id=content.get("id"),
            text=content.get("text"),
        )
        await self._broadcast_message(chat.message_payload(message))

    async def on_delete(self, content: dict) -> None:
        if await self._limited("write", content):
            return
        message = await database_sync_to_async(chat.delete_message)(
            user=self.user, conversation_id=self.conversation_id, message_id=content.get("id")
        )
        await self._broadcast_message(chat.message_payload(message))

    async def _broadcast_message(self, payload: dict) -> None:
        await self.publish(
            conversation_group(self.conversation_id), message_event(self.conversation_id, payload)
        )

    async def on_read(self, content: dict) -> None:
        if await self._limited("read", content):
            return
        seq = await database_sync_to_async(chat.mark_read)(
            user=self.user, conversation_id=self.conversation_id, seq=content.get("seq")
        )
        await self.publish(
            conversation_group(self.conversation_id),
            {
                "type": "chat.read",
                "conversation": self.conversation_id,
                "user": self.user.pk,
                "seq": seq,
            },
        )

    async def on_typing(self, content: dict) -> None:
        now = time.monotonic()
        if now - self.last_typing < TYPING_EVERY_SECONDS:
            return  # typing is a hint: extra ones are dropped silently
        self.last_typing = now
        if not await self._still_member():
            raise ChatError("not_found", chat.NOT_FOUND)
        await self.publish(
            conversation_group(self.conversation_id),
            {
                "type": "chat.typing",
                "conversation": self.conversation_id,
                "user": self.user.pk,
                "name": str(self.user),
            },
        )

    async def on_history(self, content: dict) -> None:
        await self._page(content, "history", content.get("before"))

    async def on_resume(self, content: dict) -> None:
        await self._page(content, "resume", content.get("after"))

    async def _page(self, content: dict, kind: str, cursor) -> None:
        if await self._limited("read", content):
            return
        page = await database_sync_to_async(_page)(self.user, self.conversation_id, kind, cursor)
        await self.send_json(page)

    async def on_ping(self, content: dict) -> None:
        last_seq = await database_sync_to_async(_heartbeat)(
            self.user, self.conversation_id, self.channel_name, self.scope.get("session")
        )
        if last_seq is None:
            await self.refuse(
                "session_ended", _("Your session has ended. Sign in again."), CLOSE_GONE
            )
            return
        await self.send_json({"type": "pong", "last_seq": last_seq})

    ACTIONS = {
        "send": on_send,
        "edit": on_edit,
        "delete": on_delete,
        "read": on_read,
        "typing": on_typing,
        "history": on_history,
        "resume": on_resume,
        "ping": on_ping,
    }

    # --- from the group ---------------------------------------------------------------------

    async def chat_message(self, event: dict) -> None:
        # Encoded once by the sender, not once per member.
        await self.send(text_data=event["frame"])

    async def chat_read(self, event: dict) -> None:
        await self.send_json({"type": "read", "user": event["user"], "seq": event["seq"]})

    async def chat_typing(self, event: dict) -> None:
        if event["user"] != self.user.pk:
            await self.send_json({"type": "typing", "user": event["user"], "name": event["name"]})

    async def chat_presence(self, event: dict) -> None:
        await self.send_json(
            {
                "type": "presence",
                "user": event["user"],
                "name": event["name"],
                "online": event["online"],
            }
        )

    async def chat_close(self, event: dict) -> None:
        if event.get("conversation") not in (None, self.conversation_id):
            return
        if event.get("reason") == "session_ended":
            message = _("Your session has ended. Sign in again.")
        else:
            message = _("You are no longer a member of this conversation.")
        await self.refuse(event.get("reason", "left"), message, CLOSE_GONE)

    async def chat_joined(self, event: dict) -> None:
        pass


class InboxConsumer(ChatSocket):
    """Live unread counts for the dashboard: one socket follows all the user's chats."""

    MAX_FOLLOWED = 500

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.followed: set[int] = set()
        self.counts: dict[int, int] = {}
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            await self.refuse(
                "unauthenticated", _("Sign in to use the chat."), CLOSE_UNAUTHENTICATED
            )
            return
        counts = await database_sync_to_async(self._counts)()
        await self.channel_layer.group_add(user_group(self.user.pk), self.channel_name)
        for conversation_id in counts:
            await self.channel_layer.group_add(
                conversation_group(conversation_id), self.channel_name
            )
            self.followed.add(conversation_id)
        self.counts = counts
        await self.send_json({"type": "unread", "counts": {str(k): v for k, v in counts.items()}})

    def _counts(self) -> dict[int, int]:
        rows = chat.memberships_with_unread(self.user)[: self.MAX_FOLLOWED]
        return {m.conversation_id: m.unread for m in rows}

    async def disconnect(self, code) -> None:
        groups = [user_group(self.user.pk)] if getattr(self.user, "is_authenticated", False) else []
        groups += [conversation_group(c) for c in self.followed]
        for group in groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                log.warning("group_discard failed", exc_info=True)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        pass  # the inbox only listens

    async def _send_count(self, conversation_id: int, count: int | None = None) -> None:
        """Send the count: the one given, or the database's."""
        if count is None:
            count = await database_sync_to_async(chat.unread_count)(self.user.pk, conversation_id)
        self.counts[conversation_id] = count
        await self.send_json({"type": "unread", "conversation": conversation_id, "count": count})

    async def chat_message(self, event: dict) -> None:
        message, conversation_id = event["message"], event["conversation"]
        if message["author"]["id"] == self.user.pk:
            return
        if message["deleted"]:
            await self._send_count(conversation_id)  # it may or may not have been read
        elif message["change"] == message["seq"] and conversation_id in self.counts:
            # A new message from someone else: one more, without asking the database on
            # the delivery path. Edits change no count.
            await self._send_count(conversation_id, self.counts[conversation_id] + 1)

    async def chat_read(self, event: dict) -> None:
        if event["user"] == self.user.pk:
            await self._send_count(event["conversation"])

    async def chat_joined(self, event: dict) -> None:
        conversation_id = event["conversation"]
        if conversation_id not in self.followed:
            await self.channel_layer.group_add(
                conversation_group(conversation_id), self.channel_name
            )
            self.followed.add(conversation_id)
        await self._send_count(conversation_id)

    async def chat_close(self, event: dict) -> None:
        conversation_id = event.get("conversation")
        if conversation_id is None:
            await self.close(code=CLOSE_GONE)
            return
        if conversation_id in self.followed:
            self.followed.discard(conversation_id)
            await self.channel_layer.group_discard(
                conversation_group(conversation_id), self.channel_name
            )
        await self.send_json(
            {"type": "unread", "conversation": conversation_id, "count": 0, "left": True}
        )

    async def chat_typing(self, event: dict) -> None:
        pass

    async def chat_presence(self, event: dict) -> None:
        pass
