"""What the chat's WebSocket consumers share: frame and close codes, the rate limits, the
database hop of the hot path, and the base consumer (accept-then-refuse with a code,
safe pushes)."""

from __future__ import annotations

import logging
import time

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from core import requestid
from core.metrics import WEBSOCKETS_OPEN
from messaging.events import encode

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


def bucket(user_id: int, kind: str) -> TokenBucket:
    key = (user_id, kind)
    bucket = _buckets.get(key)
    if bucket is None:
        if kind == "write":
            bucket = TokenBucket(settings.CHAT_RATE_BURST, settings.CHAT_RATE_PER_MINUTE / 60)
        else:  # reads: history pages, resumes, read marks
            bucket = TokenBucket(30, 10)
        _buckets[key] = bucket
    return bucket


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

    metrics_kind = "chat"
    _counted = False

    request_id = ""

    async def accept(self, subprotocol=None, headers=None) -> None:
        await super().accept(subprotocol, headers)
        WEBSOCKETS_OPEN.labels(self.metrics_kind).inc()
        self._counted = True
        log.info("%s socket opened on %s", self.metrics_kind, self.scope.get("path", ""))

    async def websocket_disconnect(self, message) -> None:
        if self._counted:
            self._counted = False
            WEBSOCKETS_OPEN.labels(self.metrics_kind).dec()
            log.info("%s socket closed (%s)", self.metrics_kind, message.get("code", ""))
        await super().websocket_disconnect(message)

    async def dispatch(self, message) -> None:
        """As Channels' own, without its `aclose_old_connections()` before every handler:
        that is a hop to the single database thread for each frame and each of the ~10
        deliveries of every message, queued behind the writes. Handlers that use the
        database do so through database_sync_to_async (which cleans up around the call)
        or hot_path; the others never touch it."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        # Every log line and every task a frame causes carries the session's request id.
        if not self.request_id:
            self.request_id = requestid.for_socket(self.scope)
        token = requestid.current.set(self.request_id)
        try:
            await self._handle(handler, message)
        finally:
            requestid.current.reset(token)

    async def _handle(self, handler, message) -> None:
        try:
            await handler(message)
        except StopConsumer:
            raise
        except Exception:
            # An error escaping here would kill the socket without a close frame and
            # skip disconnect(): its presence row would outlive it. Clean up, then close.
            log.exception("%s failed in %s", message.get("type"), type(self).__name__)
            if message.get("type") == "websocket.disconnect":
                raise StopConsumer() from None
            await self._end_after_crash()

    async def _end_after_crash(self) -> None:
        try:
            await self.disconnect(1011)
        except Exception:
            log.exception("cleaning up after a crash failed")
        try:
            await self.close(code=1011)
        except Exception:
            log.warning("closing after a crash failed", exc_info=True)

    async def refuse(self, code: str, message: str, close_code: int) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})
        await self.close(code=close_code)

    async def error(self, code: str, message: str, **extra) -> None:
        await self.send_json({"type": "error", "code": code, "message": str(message), **extra})

    async def publish(self, group: str, event: dict) -> None:
        try:
            await self.channel_layer.group_send(group, event)
        except Exception:  # persisted already; members catch up by seq
            log.warning("group_send to %s failed", group, exc_info=True)

    @classmethod
    async def encode_json(cls, content):
        return encode(content)
