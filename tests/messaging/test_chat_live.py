"""The chat end to end: real uvicorn servers, real WebSocket clients (the `websockets`
package), the Redis layer in production mode.

What the in-process consumer tests (test_chat_consumer.py) cannot show: that frames cross
a real socket, that an abruptly dropped client catches up with `resume`, that members on
two server processes reach each other through Redis, and that a Redis restart loses no
acknowledged message (docs/chat_protocol.md, "Delivery guarantees").

Nothing here sleeps to synchronise: clients wait for frames with timeouts, and servers
are waited for by polling their ports and /healthz.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import os
import shutil
import subprocess
import uuid
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings
from websockets.asyncio.client import connect

from messaging import sockets
from messaging.models import ChatMessage
from tests.conftest import _missing
from tests.live import ServerProcess, free_port, shared_test_database_url, wait_until
from tests.messaging.chat_helpers import session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
FRAME_TIMEOUT = 10.0
START_TIMEOUT = 40.0


# --- a protocol client on a real socket -----------------------------------------------------


class Closed(Exception):
    pass


class ChatClient:
    """Speaks docs/chat_protocol.md like the page does: applies messages in `change`
    order, buffers a frame that arrives after a gap and fills the gap with `resume`.

    It keeps what a test checks: `applied` (message ids in the order applied, each at
    most once), `live` (every message frame pushed to it, duplicates included) and
    `acks` (client id → ack frame)."""

    _ids = itertools.count(1)

    def __init__(self, base: str, conversation_id: int, cookie: str, name: str) -> None:
        self.url = f"{base.replace('http://', 'ws://')}/ws/conversations/{conversation_id}/"
        self.origin = base
        self.cookie = cookie
        self.name = name
        self.last_change = 0
        self.applied: list[int] = []
        self.live: list[int] = []
        self.from_resume: list[int] = []
        self.acks: dict[str, dict] = {}
        self.refused: dict[str, dict] = {}
        self.held: dict[int, dict] = {}
        self.ws = None
        self.hello: dict | None = None
        self._frames: asyncio.Queue | None = None
        self._reader: asyncio.Task | None = None

    # connection

    async def open(self) -> dict:
        self.ws = await connect(
            self.url,
            origin=self.origin,
            additional_headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.cookie}"},
            open_timeout=FRAME_TIMEOUT,
            ping_interval=None,
        )
        self._frames = asyncio.Queue()
        self._reader = asyncio.create_task(self._read(self.ws, self._frames))
        self.hello = await self.next_of("hello")
        return self.hello

    @staticmethod
    async def _read(ws, frames: asyncio.Queue) -> None:
        try:
            async for raw in ws:
                frames.put_nowait(json.loads(raw))
        except Exception:  # noqa: BLE001, S110 - the close frame below says how it ended
            pass
        frames.put_nowait({"type": "_closed", "code": ws.close_code})

    @property
    def is_open(self) -> bool:
        return self._reader is not None and not self._reader.done()

    async def drop(self) -> None:
        """Vanish without a close frame, as a lost network would."""
        self.ws.transport.abort()
        await asyncio.wait_for(self._reader, FRAME_TIMEOUT)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            if self._reader is not None:
                await asyncio.wait_for(self._reader, FRAME_TIMEOUT)

    async def reconnect_or_resume(self) -> None:
        """What the page does after trouble: reopen a closed socket, then resume."""
        if not self.is_open:
            await self.open()
        await self.resume()

    # frames

    async def next_frame(self, timeout: float = FRAME_TIMEOUT) -> dict:
        frame = await asyncio.wait_for(self._frames.get(), timeout)
        if frame["type"] == "_closed":
            self._frames.put_nowait(frame)  # stays closed for later reads
            raise Closed(f"{self.name}'s socket closed with {frame['code']}")
        if frame["type"] == "message":
            self.live.append(frame["id"])
            self._offer(frame)
        elif frame["type"] == "ack":
            self.acks[frame["client_id"]] = frame
        elif frame["type"] == "error" and "client_id" in frame:
            self.refused[frame["client_id"]] = frame
        return frame

    async def next_of(self, kind: str, timeout: float = FRAME_TIMEOUT) -> dict:
        async def wait():
            while True:
                frame = await self.next_frame(timeout)
                if frame["type"] == kind:
                    return frame

        return await asyncio.wait_for(wait(), timeout)

    async def until(self, done, timeout: float = FRAME_TIMEOUT, resume_gaps: bool = True) -> None:
        """Read frames until done() holds, resuming whenever a gap shows."""

        async def wait():
            while not done():
                await self.next_frame(timeout)
                if self.held and resume_gaps:
                    await self.resume()

        await asyncio.wait_for(wait(), timeout)

    def _offer(self, message: dict) -> None:
        change = message["change"]
        if change <= self.last_change:
            return  # seen already (a live frame overtaken by a resume page)
        if change > self.last_change + 1:
            self.held[change] = message
            return
        self.applied.append(message["id"])
        self.last_change = change
        while self.last_change + 1 in self.held:
            self.last_change += 1
            self.applied.append(self.held.pop(self.last_change)["id"])
        self.held = {c: m for c, m in self.held.items() if c > self.last_change}

    async def resume(self) -> list[int]:
        """Ask for everything after the last applied change; returns the ids in the pages."""
        got = []
        while True:
            await self.ws.send(json.dumps({"type": "resume", "after": self.last_change}))
            page = await self.next_of("resume")
            for message in page["messages"]:
                got.append(message["id"])
                self.from_resume.append(message["id"])
                self._offer(message)
            if not page["more"]:
                return got

    # sending

    async def send_text(self, text: str) -> str:
        client_id = f"{self.name}-{next(self._ids)}-{uuid.uuid4().hex[:6]}"
        await self.ws.send(json.dumps({"type": "send", "client_id": client_id, "text": text}))
        return client_id

    async def say(self, text: str) -> dict:
        """Send, and wait for the ack."""
        client_id = await self.send_text(text)
        await self.until(lambda: client_id in self.acks or client_id in self.refused)
        assert client_id not in self.refused, self.refused[client_id]
        return self.acks[client_id]

    def has_applied(self, ids) -> bool:
        return set(ids) <= set(self.applied)


def acked_ids(*clients: ChatClient) -> list[int]:
    """Every acknowledged message, in conversation order."""
    acks = [a for c in clients for a in c.acks.values()]
    return [a["id"] for a in sorted(acks, key=lambda a: a["seq"])]


def assert_exactly_once(client: ChatClient, expected: list[int]) -> None:
    assert client.applied == expected, f"{client.name} applied {client.applied}, not {expected}"
    doubled = [i for i, n in Counter(client.live).items() if n > 1]
    assert not doubled, f"{client.name} was pushed these messages twice: {doubled}"
    assert not client.held, f"{client.name} still waits for a gap to fill: {sorted(client.held)}"


def run(scenario):
    return asyncio.run(asyncio.wait_for(scenario(), 90))


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_buckets():
    sockets._buckets.clear()
    yield
    sockets._buckets.clear()


@pytest.fixture
def layer_prefix(settings):
    """A channel-layer prefix of this test's own: Redis pub/sub channels ignore the
    database number, and others run tests against the same Redis."""
    prefix = f"tandem-live-{uuid.uuid4().hex[:10]}"
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    if "CONFIG" in layers["default"]:
        layers["default"]["CONFIG"]["prefix"] = prefix
        settings.CHANNEL_LAYERS = layers
    return prefix


@pytest.fixture
def live(layer_prefix, asgi_server):
    return asgi_server


@pytest.fixture
def cookies(alice, jan):
    return {"alice": session_cookie(alice), "jan": session_cookie(jan)}


@pytest.fixture
def start_servers(transactional_db, tmp_path):
    """start_servers(redis_url, n) → n uvicorn processes on the test database, healthy;
    all of them are ended after the test, whatever happened."""
    started: list[ServerProcess] = []
    prefix = f"tandem-live-{uuid.uuid4().hex[:10]}"

    def start(redis_url: str, n: int = 2) -> list[ServerProcess]:
        env = {
            **os.environ,
            "DATABASE_URL": shared_test_database_url(),
            "DATABASE_POOL_SIZE": "4",
            "REDIS_URL": redis_url,
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "CHANNELS_PREFIX": prefix,
            "CHANNEL_LAYER": "pubsub",
            # What is measured is delivery, not the rate limiter.
            "CHAT_RATE_BURST": "10000",
        }
        servers = [
            ServerProcess(env, tmp_path / f"server-{len(started) + i}.log") for i in range(n)
        ]
        started.extend(servers)
        for server in servers:
            server.wait_healthy()
        return servers

    try:
        yield start
    finally:
        for server in started:
            server.stop()


class PrivateRedis:
    """A redis-server of this test's own (never the shared one), stoppable at will."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(  # noqa: S603
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        try:
            wait_until(answers, 15, f"redis-server on {self.port}", lambda: self.alive())
        finally:
            client.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        _missing("this test runs a redis-server of its own: install redis-server")
    server = PrivateRedis(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def stored(conversation) -> dict[str, int]:
    return dict(
        ChatMessage.objects.filter(conversation=conversation).values_list("client_id", "pk")
    )


# --- one server -------------------------------------------------------------------------------


def test_two_members_chat_through_a_real_server(live, proposal, cookies, alice, jan):
    conversation = proposal.conversation

    async def scenario():
        a = ChatClient(live.url, conversation.pk, cookies["alice"], "alice")
        j = ChatClient(live.url, conversation.pk, cookies["jan"], "jan")
        hello = await a.open()
        assert hello["user"]["id"] == alice.pk and hello["last_seq"] == 0
        await j.open()
        first = await a.say("Shall we start in March? 🌏")
        reply = await j.say("March works — Tuesdays?")
        # A last word from each: everything before it has arrived by then.
        last = [(await a.say("Tuesdays.")), (await j.say("Deal."))]
        ids = [first["id"], reply["id"], *(x["id"] for x in last)]
        for client in (a, j):
            await client.until(lambda c=client: c.has_applied(ids))
        await a.close()
        await j.close()
        return a, j

    a, j = run(scenario)
    expected = acked_ids(a, j)
    assert len(expected) == 4
    for client in (a, j):
        assert_exactly_once(client, expected)
        assert client.live == expected  # pushed once each, in order: no resume needed
        assert client.from_resume == []
    in_db = stored(conversation)
    assert {cid: ack["id"] for c in (a, j) for cid, ack in c.acks.items()} == in_db
    assert all(not ack["duplicate"] for c in (a, j) for ack in c.acks.values())


def test_a_member_who_drops_resumes_and_gets_every_message_once_in_order(
    live, proposal, cookies, jan
):
    conversation = proposal.conversation

    async def scenario():
        a = ChatClient(live.url, conversation.pk, cookies["alice"], "alice")
        j = ChatClient(live.url, conversation.pk, cookies["jan"], "jan")
        await a.open()
        await j.open()
        before = await a.say("before the drop")
        await j.until(lambda: j.has_applied([before["id"]]))
        seen = j.last_change

        await j.drop()
        # The server notices the vanished socket: jan goes offline for alice.
        presence = await a.next_of("presence")
        while not (presence["user"] == jan.pk and presence["online"] is False):
            presence = await a.next_of("presence")

        missed = [(await a.say(f"while you were away #{i}"))["id"] for i in range(6)]

        again = ChatClient(live.url, conversation.pk, cookies["jan"], "jan")
        again.last_change = seen  # what the page remembers
        hello = await again.open()
        assert hello["last_seq"] == seen + len(missed)
        resumed = await again.resume()
        assert resumed == missed  # exactly the missed ones, in order, once
        after = await a.say("welcome back")
        for client in (a, again):
            await client.until(lambda c=client: c.has_applied([after["id"]]))
        await a.close()
        await again.close()
        return a, j, again, missed, after

    a, j, again, missed, after = run(scenario)
    assert j.applied == acked_ids(a)[:1]
    assert again.applied == [*missed, after["id"]]
    assert again.live == [after["id"]]  # nothing pushed twice, nothing resumed twice
    assert_exactly_once(again, [*missed, after["id"]])
    assert_exactly_once(a, acked_ids(a))
    assert sorted(stored(conversation).values()) == acked_ids(a)


# --- two server processes ---------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_members_on_two_server_processes_see_each_others_messages(start_servers, proposal, cookies):
    conversation = proposal.conversation
    one, two = start_servers(settings.REDIS_URL)

    async def scenario():
        a = ChatClient(one.base, conversation.pk, cookies["alice"], "alice")
        j = ChatClient(two.base, conversation.pk, cookies["jan"], "jan")
        # alice's second window, on the other process than her first
        a2 = ChatClient(two.base, conversation.pk, cookies["alice"], "alice-2")
        for client in (a, j, a2):
            await client.open()
        ids = []
        for i in range(3):
            ids.append((await a.say(f"from process one #{i}"))["id"])
            ids.append((await j.say(f"from process two #{i}"))["id"])
        for client in (a, j, a2):
            await client.until(lambda c=client: c.has_applied(ids))
            await client.close()
        return a, j, a2

    a, j, a2 = run(scenario)
    expected = acked_ids(a, j)
    assert len(expected) == 6
    for client in (a, j, a2):
        assert_exactly_once(client, expected)
        assert client.live == expected and client.from_resume == []
    assert {cid: ack["id"] for c in (a, j) for cid, ack in c.acks.items()} == stored(conversation)


@pytest.mark.postgres
def test_a_redis_restart_loses_no_acknowledged_message(
    private_redis, start_servers, proposal, cookies
):
    conversation = proposal.conversation
    one, two = start_servers(private_redis.url)

    async def scenario():
        a = ChatClient(one.base, conversation.pk, cookies["alice"], "alice")
        j = ChatClient(two.base, conversation.pk, cookies["jan"], "jan")
        await a.open()
        await j.open()
        warm = [(await a.say("before")), (await j.say("before, too"))]
        for client in (a, j):
            await client.until(lambda c=client: c.has_applied([w["id"] for w in warm]))

        phase = "up"
        sent: dict[str, list[int]] = {"up": [], "down": [], "again": []}
        progress = asyncio.Condition()
        stop = asyncio.Event()

        async def keep_sending():
            i = 0
            while not stop.is_set():
                i += 1
                at_send = phase
                ack = await a.say(f"message {i} ({at_send})")
                sent[at_send].append(ack["id"])
                async with progress:
                    progress.notify_all()

        async def sent_at_least(n: int, when: str) -> None:
            async with progress:
                await asyncio.wait_for(progress.wait_for(lambda: len(sent[when]) >= n), 20)

        sender = asyncio.create_task(keep_sending())
        try:
            await sent_at_least(3, "up")
            await asyncio.to_thread(private_redis.stop)
            phase = "down"
            # Stored and acknowledged with Redis gone: an outage of a second or so.
            await sent_at_least(20, "down")
            await asyncio.to_thread(private_redis.start)
            for server in (one, two):
                await asyncio.to_thread(server.wait_healthy, 30)
            phase = "again"
            await sent_at_least(3, "again")
        finally:
            stop.set()
            await asyncio.wait_for(sender, FRAME_TIMEOUT)

        for client in (a, j):
            await client.reconnect_or_resume()
        late = await j.say("from process two, after the restart")
        everything = acked_ids(a, j)
        for client in (a, j):
            await client.until(lambda c=client: c.has_applied(everything))
        for client in (a, j):
            await client.close()
        return a, j, sent, late

    a, j, sent, late = run(scenario)
    expected = acked_ids(a, j)
    assert len(sent["down"]) >= 20 and len(sent["again"]) >= 3
    for client in (a, j):
        assert_exactly_once(client, expected)
    # Once Redis is back, pushes flow again across processes, without any resume.
    assert set(sent["again"]) <= set(j.live), (sent["again"], j.live)
    assert late["id"] in a.live
    assert {cid: ack["id"] for c in (a, j) for cid, ack in c.acks.items()} == stored(conversation)
