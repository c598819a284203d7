"""WebSocket consumers: one conversation's chat, and a user's live unread counts.

The protocol is documented in docs/chat_protocol.md. Every action re-checks membership
in the database (a member removed a second ago is refused), and the author and the
conversation come from the session and the URL, never from the frame.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import panels
from core.metrics import CHAT_SEND_SECONDS, CHAT_SENDS
from messaging import chat, frames, inbound, presence, selectors
from messaging.access import active_membership
from messaging.chat import ChatError
from messaging.events import conversation_group, message_event, user_group
from messaging.sockets import (
    CLOSE_GONE,
    CLOSE_NOT_FOUND,
    CLOSE_TOO_MANY,
    CLOSE_UNAUTHENTICATED,
    TYPING_EVERY_SECONDS,
    ChatSocket,
    bucket,
    hot_path,
)

log = logging.getLogger(__name__)
INBOX_FEEDS = "inbox-feeds"  # the core.panels slot of the feeds (notifications.live)

INTERNAL = gettext_lazy(
    "Something went wrong on our side with this frame; nothing was changed. "
    "Try again in a moment, or reload the page."
)


class ConversationConsumer(ChatSocket):
    metrics_kind = "conversation"

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
            connected = await database_sync_to_async(presence.connect)(
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
            await database_sync_to_async(presence.disconnect)(self.channel_name)
            await self.close(code=1011)
            return
        self.joined = True
        hello = await database_sync_to_async(frames.hello)(
            self.user, self.conversation_id, connected
        )
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
        last = await database_sync_to_async(presence.disconnect)(self.channel_name)
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
        content: dict = {}
        try:
            content = inbound.parse(text_data, self.ACTIONS)
            await self.ACTIONS[content["type"]](self, content)
        except inbound.FrameError as exc:
            await self.error(exc.code, exc.message, **exc.extra)
        except ChatError as exc:
            await self.error(exc.code, exc.message, **inbound.echo_client_id(content))
            if exc.code == "not_found" and not await self._still_member():
                await self.close(code=CLOSE_GONE)
        except Exception:
            # A bug or an outage must cost this frame only, never the socket: a socket that
            # dies without closing keeps its presence row, and the page would resend.
            log.exception("chat frame %r failed", content.get("type"))
            await self.error("internal", INTERNAL, **inbound.echo_client_id(content))

    async def _still_member(self) -> bool:
        return (
            await database_sync_to_async(active_membership)(self.user, self.conversation_id)
            is not None
        )

    async def _limited(self, kind: str, content: dict) -> bool:
        if bucket(self.user.pk, kind).take():
            return False
        await self.error(
            "rate_limited",
            _("You are sending too fast. Wait a moment, then send again."),
            **inbound.echo_client_id(content),
        )
        return True

    async def on_send(self, content: dict) -> None:
        if await self._limited("write", content):
            return
        started = time.perf_counter()
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
            CHAT_SENDS.inc()
            CHAT_SEND_SECONDS.observe(time.perf_counter() - started)

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
        page = await database_sync_to_async(frames.page)(
            self.user, self.conversation_id, kind, cursor
        )
        await self.send_json(page)

    async def on_ping(self, content: dict) -> None:
        last_seq = await database_sync_to_async(frames.heartbeat)(
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
    """Live counts on every page: the user's chats (`?follow=chats`, the default) and the
    feeds upper apps add on the core.panels slot INBOX_FEEDS (`?follow=notifications`)."""

    metrics_kind = "inbox"
    MAX_FOLLOWED = 500

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.followed: set[int] = set()
        self.counts: dict[int, int] = {}
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.follow = set(",".join(query.get("follow", ["chats"])).split(","))
        self.chats = "chats" in self.follow
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            await self.refuse(
                "unauthenticated", _("Sign in to use the chat."), CLOSE_UNAUTHENTICATED
            )
            return
        feeds = panels.contribute(INBOX_FEEDS, self.scope, self.user, self.follow)
        counts = await database_sync_to_async(self._counts)() if self.chats else {}
        # The user's group carries the closes (signed out: every socket ends) as well.
        self.groups_joined = [user_group(self.user.pk), *(f["group"] for f in feeds.values())]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        for conversation_id in counts:
            await self.channel_layer.group_add(
                conversation_group(conversation_id), self.channel_name
            )
            self.followed.add(conversation_id)
        self.counts = counts
        if self.chats:
            await self.send_json(
                {"type": "unread", "counts": {str(k): v for k, v in counts.items()}}
            )
        for feed in feeds.values():  # after joining: nothing falls between
            await self.send_json(await database_sync_to_async(feed["hello"])())

    def _counts(self) -> dict[int, int]:
        rows = selectors.memberships_with_unread(self.user)[: self.MAX_FOLLOWED]
        return {m.conversation_id: m.unread for m in rows}

    async def disconnect(self, code) -> None:
        groups = list(getattr(self, "groups_joined", []))
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
            count = await database_sync_to_async(selectors.unread_count)(
                self.user.pk, conversation_id
            )
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

    async def inbox_frame(self, event: dict) -> None:
        await self.send(text_data=event["frame"])  # a feed's frame, encoded by its sender

    async def chat_joined(self, event: dict) -> None:
        conversation_id = event["conversation"]
        if not self.chats:
            return
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
        if not self.chats:
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
