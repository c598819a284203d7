"""Frames that used to kill a chat socket, through a real uvicorn server and a real
WebSocket client: each gets an `error` frame, the socket stays open, and no presence row
outlives its socket (finding of issue 17: ten crashes locked the user out with 4429).

Frames are sent as raw text: json.dumps cannot write a lone surrogate the way a browser's
JSON.stringify does ("\\ud800")."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from django.conf import settings
from django.utils import timezone
from websockets.asyncio.client import connect

from messaging import presence, sockets, tasks
from messaging.models import ChatConnection, ChatMessage
from tests.live import wait_until
from tests.messaging.chat_helpers import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10.0
BIG = "100000000000000000000"  # 10**20: no BIGINT column holds it

# (what the client sends, the error code, the client id the error must carry)
BAD_FRAMES = {
    "lone surrogate in the text": (
        '{"type": "send", "client_id": "c-1", "text": "bad \\ud800"}',
        "invalid",
        "c-1",
    ),
    "lone surrogate in the client id": (
        '{"type": "send", "client_id": "bad \\ud800", "text": "hello"}',
        "invalid",
        None,
    ),
    "lone surrogate in an unknown type": ('{"type": "bad \\ud800"}', "invalid", None),
    "lone surrogate in an edit": ('{"type": "edit", "id": 1, "text": "\\udc00"}', "invalid", None),
    "an id no column holds": ('{"type": "edit", "id": ' + BIG + ', "text": "x"}', "invalid", None),
    "a deletion of such an id": ('{"type": "delete", "id": ' + BIG + "}", "invalid", None),
    "history before such a seq": ('{"type": "history", "before": ' + BIG + "}", "invalid", None),
    "resume after such a seq": ('{"type": "resume", "after": ' + BIG + "}", "invalid", None),
    "JSON nested 30,000 deep": ("[" * 30_000 + "]" * 30_000, "invalid", None),
}


class Socket:
    def __init__(self, base: str, conversation_id: int, cookie: str) -> None:
        self.url = f"{base.replace('http://', 'ws://')}/ws/conversations/{conversation_id}/"
        self.origin = base
        self.cookie = cookie

    async def open(self) -> dict:
        self.ws = await connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}"},
            open_timeout=TIMEOUT,
            ping_interval=None,
        )
        return await self.next_of("hello")

    async def next_of(self, kind: str) -> dict:
        """The next frame of a type; raises if the socket closes first."""
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), TIMEOUT))
            if frame["type"] == kind:
                return frame

    async def still_open(self) -> bool:
        await self.ws.send(json.dumps({"type": "ping"}))
        return (await self.next_of("pong"))["type"] == "pong"


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario(), 60))


@pytest.fixture(autouse=True)
def _fresh_buckets():
    sockets._buckets.clear()
    yield
    sockets._buckets.clear()


@pytest.fixture
def alice_cookie(alice):
    return session_cookie(alice)


def rows(user) -> int:
    return ChatConnection.objects.filter(user=user).count()


@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_a_bad_frame_gets_an_error_frame_and_the_socket_stays_open(
    name, asgi_server, proposal, alice_cookie, alice
):
    raw, code, client_id = BAD_FRAMES[name]

    async def scenario():
        s = Socket(asgi_server.url, proposal.conversation.pk, alice_cookie)
        await s.open()
        await s.ws.send(raw)
        error = await s.next_of("error")
        alive = await s.still_open()
        # And it still works: a good message goes through on the same socket.
        await s.ws.send(json.dumps({"type": "send", "client_id": "good", "text": "fine"}))
        ack = await s.next_of("ack")
        await s.ws.close()
        return error, alive, ack

    error, alive, ack = run(scenario)
    assert error["code"] == code
    assert error["message"] and "\ud800" not in error["message"]
    assert error.get("client_id") == client_id
    assert alive
    assert list(ChatMessage.objects.values_list("client_id", flat=True)) == ["good"]
    assert ack["client_id"] == "good"
    wait_until(lambda: rows(alice) == 0, TIMEOUT, "the closed socket's presence row is gone")


def test_bad_frames_on_many_sockets_never_lock_the_user_out(
    asgi_server, proposal, alice_cookie, alice, jan, settings
):
    """More bad frames than the connection cap, one per socket: the user can still
    connect, and no presence row is left once the sockets are gone."""
    settings.CHAT_MAX_CONNECTIONS_PER_USER = 3
    conversation_id = proposal.conversation.pk

    async def scenario():
        for _ in range(settings.CHAT_MAX_CONNECTIONS_PER_USER + 2):
            s = Socket(asgi_server.url, conversation_id, alice_cookie)
            await s.open()
            await s.ws.send('{"type": "send", "client_id": "x", "text": "bad \\ud800"}')
            await s.next_of("error")
            await s.ws.close()
        last = Socket(asgi_server.url, conversation_id, alice_cookie)
        hello = await last.open()
        await last.ws.close()
        return hello

    hello = run(scenario)
    assert hello["type"] == "hello"  # not 4429
    wait_until(lambda: rows(alice) == 0, TIMEOUT, "every presence row is gone")
    assert not presence.is_online(alice.pk, conversation_id)


def test_a_socket_that_vanishes_after_a_bad_frame_leaves_no_presence_row(
    asgi_server, proposal, alice_cookie, alice
):
    async def scenario():
        s = Socket(asgi_server.url, proposal.conversation.pk, alice_cookie)
        await s.open()
        await s.ws.send('{"type": "bad \\ud800"}')
        await s.next_of("error")
        s.ws.transport.abort()  # a lost network: no close frame

    run(scenario)
    wait_until(lambda: rows(alice) == 0, TIMEOUT, "the vanished socket's presence row is gone")


def test_presence_rows_of_a_dead_process_expire_and_are_purged(
    asgi_server, proposal, alice_cookie, alice, jan, settings
):
    """A server process killed with its sockets open leaves their rows: past the presence
    timeout they count for nothing (no 4429, not "online"), and beat's job deletes them."""
    settings.CHAT_MAX_CONNECTIONS_PER_USER = 2
    conversation = proposal.conversation
    old = timezone.now() - dt.timedelta(seconds=settings.CHAT_PRESENCE_TIMEOUT_SECONDS + 1)
    for n, user in enumerate([alice, alice, jan]):
        ChatConnection.objects.create(
            channel_name=f"dead-process!{n}", user=user, conversation=conversation, seen_at=old
        )
    assert presence.online_user_ids(conversation.pk) == []

    async def scenario():
        s = Socket(asgi_server.url, conversation.pk, alice_cookie)
        hello = await s.open()
        await s.ws.close()
        return hello

    hello = run(scenario)
    assert hello["online"] == [alice.pk]  # jan's dead socket does not show him online
    assert tasks.purge_stale_connections.delay().get() == 1  # jan's; alice's went on connect
    wait_until(lambda: not ChatConnection.objects.exists(), TIMEOUT, "no presence row is left")
