#!/usr/bin/env python
"""Chat load on the Redis channel layer, with real uvicorn servers on 127.0.0.1.

200 clients in 20 conversations of 10 (2 lecturers + 8 co-teachers each), every client a
real WebSocket signed in with its own session.

Phase 1: each client sends a message every 2 s for 60 s to one server process: delivery
latency (sender's send → each other member's `message` frame, one clock, one machine)
p50/p99/max, deliveries (message frames received) per second, sends per second, and
messages lost — acknowledged messages some member did not get even after a final
`resume`, plus messages never acknowledged. Lost must be 0; the target is p99 < 150 ms.

Phase 2: the per-client send rate steps up (15 s steps) until p99 passes 250 ms (or a
message is lost, or the senders cannot keep the pace), with one server process and then
with two (clients split evenly, every conversation spanning both servers). The highest
step that held is the maximum sustained rate.

The database is its own (default postgres://postgres@127.0.0.1:5432/tandem_bench_chat,
created and migrated if missing; users and conversations are kept for the next run, the
messages are cleared). Redis db --redis (default redis://127.0.0.1:6379/9) is flushed at
the start; the channel-layer prefix is unique per run.

    .venv/bin/python bench/chat_load.py [--duration 60] [--step-seconds 15]
        [--layer pubsub|core] [--client-procs 2] [--quick]

The clients run in --client-procs processes (asyncio + websockets each) so that the
clients are less likely to be the bottleneck; each reports its CPU use, and a client
process near a full core is flagged in the output. The last line printed is one JSON
object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import use_database  # noqa: E402

CONVERSATIONS = 20
MEMBERS = 10  # 2 lecturers + 8 co-teachers
P99_LIMIT_MS = 250.0
TARGET_P99_MS = 150.0
EMAIL_DOMAIN = "chatbench.example"
CONVERSATION_IDS: list[int] = []


# --- database and data ------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    use_database(database_url, "127.0.0.1")
    os.environ["MATCHING_AUTO_REFIT"] = "false"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill() -> list[dict]:
    """20 proposals between 40 lecturers, 8 invited co-teachers in each conversation.
    Returns the conversations: [{"id", "members": [user ids]}]."""
    from django.db import transaction
    from django.test.utils import override_settings

    from accounts.models import User
    from messaging.models import Conversation, ConversationMember, MemberRole
    from tests import factories

    def ours():
        return Conversation.objects.filter(
            proposal__proposed_by__email__endswith="@asia." + EMAIL_DOMAIN
        ).order_by("pk")

    existing = list(ours())
    if len(existing) < CONVERSATIONS:
        fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        with override_settings(PASSWORD_HASHERS=fast), transaction.atomic():
            from exchanges import services

            asia = factories.InstitutionFactory(
                name="Bench University of Malaya", country=factories.country("MY")
            )
            europe = factories.InstitutionFactory(
                name="Bench University of Wageningen", country=factories.country("NL")
            )
            run = len(existing)
            for i in range(run, CONVERSATIONS):
                a = factories.lecturer(asia, email=f"lect{i}@asia.{EMAIL_DOMAIN}")
                e = factories.lecturer(europe, email=f"lect{i}@europe.{EMAIL_DOMAIN}")
                offer_a = factories.make_offer(a, title=f"Bench course A{i}")
                offer_e = factories.make_offer(
                    e, title=f"Bench course E{i}", time_zone="Europe/Amsterdam"
                )
                proposal = services.proposal_create(actor=a, offer=offer_a, partner=offer_e)
                conversation = proposal.conversation
                teachers = User.objects.bulk_create(
                    [
                        User(email=f"co{i}-{k}@{EMAIL_DOMAIN}", full_name=f"Co-teacher {i}.{k}")
                        for k in range(MEMBERS - 2)
                    ]
                )
                ConversationMember.objects.bulk_create(
                    [
                        ConversationMember(
                            conversation=conversation,
                            user=t,
                            role=MemberRole.CO_TEACHER,
                            invited_by=a,
                        )
                        for t in teachers
                    ]
                )
        existing = list(ours())
    conversations = []
    for conversation in existing[:CONVERSATIONS]:
        members = list(
            ConversationMember.objects.filter(conversation=conversation, left_at__isnull=True)
            .order_by("role", "pk")
            .values_list("user_id", flat=True)
        )
        if len(members) != MEMBERS:
            raise SystemExit(f"conversation {conversation.pk} has {len(members)} members")
        conversations.append({"id": conversation.pk, "members": members})
    return conversations


def reset_chat(conversation_ids: list[int]) -> None:
    """Each run starts from empty conversations (the fill is kept)."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    from messaging.models import ChatConnection, ChatMessage, Conversation, ConversationMember

    ChatMessage.objects.filter(conversation_id__in=conversation_ids).delete()
    ChatConnection.objects.all().delete()
    Conversation.objects.filter(pk__in=conversation_ids).update(last_seq=0)
    ConversationMember.objects.filter(conversation_id__in=conversation_ids).update(last_read_seq=0)
    Session.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE messaging_chatmessage")


def sessions(user_ids: list[int]) -> dict[int, str]:
    """A signed-in session per user, as a login would leave it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    keys = {}
    for user in User.objects.filter(pk__in=user_ids):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        keys[user.pk] = store.session_key
    return keys


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict, log_dir: Path, index: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"server-{index}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--lifespan",
                    "off",
                    "--no-access-log",
                    "--log-level",
                    "warning",
                    "--ws-ping-interval",
                    "60",
                    "--backlog",
                    "1024",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"server on {self.port} died:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"server on {self.port} not healthy:\n{self.log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_servers(n: int, env: dict, log_dir: Path) -> list[Server]:
    servers = [Server(env, log_dir, i) for i in range(n)]
    for server in servers:
        server.wait_healthy()
    return servers


# --- clients (in worker processes) ------------------------------------------------------------


class Client:
    def __init__(self, spec: dict) -> None:
        self.user = spec["user"]
        self.conversation = spec["conversation"]
        self.cookie = spec["cookie"]
        self.server_index = spec["server"]
        self.url = self.origin = ""
        self.ws = None
        self.reader = None
        self.base_change = 0  # the conversation's last change when this socket opened
        self.changes: set[int] = set()  # changes received on this socket
        self.acks: dict[str, int] = {}
        self.sent: set[str] = set()
        self.sent_at: dict[str, float] = {}
        self.waiters: dict[str, asyncio.Future] = {}


class Worker:
    """Runs its share of the clients; obeys the parent's commands over a pipe."""

    def __init__(self, specs: list[dict], seed: int) -> None:
        self.clients = [Client(s) for s in specs]
        self.rng = random.Random(seed)
        self.latencies: list[float] = []
        self.ack_latencies: list[float] = []
        self.frames = 0
        self.errors: dict[str, int] = {}
        self.measuring = False
        self.reopened = 0

    async def connect(self, servers: list[str]) -> dict:

        cookie_name = os.environ["BENCH_COOKIE_NAME"]
        gate = asyncio.Semaphore(20)
        failures = []

        async def one(client: Client) -> None:
            base = servers[client.server_index % len(servers)]
            client.origin = base
            client.url = (
                f"{base.replace('http://', 'ws://')}/ws/conversations/{client.conversation}/"
            )
            client.changes = set()
            async with gate:
                try:
                    hello = await self.open(client, cookie_name)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    failures.append(f"{type(exc).__name__}: {exc}")
                    return
            client.base_change = hello["last_seq"]

        await asyncio.gather(*(one(c) for c in self.clients))
        return {"connected": sum(c.reader is not None for c in self.clients), "failed": failures}

    async def open(self, client: Client, cookie_name: str | None = None) -> dict:
        from websockets.asyncio.client import connect

        cookie_name = cookie_name or os.environ["BENCH_COOKIE_NAME"]
        client.ws = await connect(
            client.url,
            origin=client.origin,
            additional_headers={"Cookie": f"{cookie_name}={client.cookie}"},
            open_timeout=30,
            ping_interval=None,
            max_queue=None,
            compression=None,
        )
        hello = json.loads(await asyncio.wait_for(client.ws.recv(), 30))
        if hello.get("type") != "hello":
            raise RuntimeError(str(hello)[:200])
        client.reader = asyncio.create_task(self.read(client))
        return hello

    async def reopen_if_closed(self, client: Client) -> None:
        """A socket the server closed (overload, a layer error): reconnect, as a page would."""
        if client.reader is not None and not client.reader.done():
            return
        self.reopened += 1
        await self.open(client)

    async def read(self, client: Client) -> None:
        try:
            async for raw in client.ws:
                now = time.monotonic()
                frame = json.loads(raw)
                kind = frame["type"]
                if kind == "message":
                    self.frames += 1
                    client.changes.add(frame["change"])
                    if frame["author"]["id"] != client.user and self.measuring:
                        sent_at = float(frame["text"].split(" ", 1)[0])
                        self.latencies.append((now - sent_at) * 1000)
                elif kind == "ack":
                    client.acks[frame["client_id"]] = frame["id"]
                    sent_at = client.sent_at.pop(frame["client_id"], None)
                    if sent_at is not None and self.measuring:
                        self.ack_latencies.append((now - sent_at) * 1000)
                elif kind in ("pong", "resume"):
                    waiter = client.waiters.pop(kind, None)
                    if waiter is not None and not waiter.done():
                        waiter.set_result(frame)
                elif kind == "error":
                    self.errors[frame["code"]] = self.errors.get(frame["code"], 0) + 1
        except Exception:  # noqa: BLE001, S110 - a closed socket shows up as missing frames
            pass

    async def ask(self, client: Client, frame: dict, answer: str, timeout: float = 20) -> dict:
        future = asyncio.get_running_loop().create_future()
        client.waiters[answer] = future
        await client.ws.send(json.dumps(frame))
        return await asyncio.wait_for(future, timeout)

    async def run(self, rate: float, duration: float, t_start: float, tag: str) -> dict:
        """Every client sends at `rate` per second from t_start for `duration` seconds;
        then waits (≤ 15 s) for its acks."""
        interval = 1.0 / rate
        end = t_start + duration
        lags: list[float] = []
        sends = scheduled = 0
        self.latencies = []
        self.ack_latencies = []
        self.frames = 0
        self.errors = {}
        cpu0 = time.process_time()

        async def sender(client: Client, index: int) -> None:
            nonlocal sends, scheduled
            offset = self.rng.random() * interval
            k = 0
            while True:
                due = t_start + offset + k * interval
                if due >= end:
                    return
                scheduled += 1
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    lags.append(-delay)
                client_id = f"{tag}-{client.user}-{k}"
                client.sent.add(client_id)
                now = time.monotonic()
                client.sent_at[client_id] = now
                text = f"{now:.6f} load message {k} from {client.user}"
                try:
                    await client.ws.send(
                        json.dumps({"type": "send", "client_id": client_id, "text": text})
                    )
                except Exception:  # noqa: BLE001 - shows up as unacknowledged
                    return
                sends += 1
                k += 1

        await asyncio.sleep(max(0.0, t_start - time.monotonic()))
        self.measuring = True
        await asyncio.gather(*(sender(c, i) for i, c in enumerate(self.clients)))
        # Wait for the acks while they keep coming (an overloaded server is late, not
        # silent); "never acknowledged" means none arrived for 10 s.
        seen, quiet_since = -1, time.monotonic()
        while not all(len(c.acks) >= len(c.sent) for c in self.clients):
            acked = sum(len(c.acks) for c in self.clients)
            if acked != seen:
                seen, quiet_since = acked, time.monotonic()
            elif time.monotonic() - quiet_since > 10:
                break
            await asyncio.sleep(0.05)
        wall = time.monotonic() - t_start
        unacked = sum(len(c.sent - set(c.acks)) for c in self.clients)
        lags.sort()
        return {
            "sends": sends,
            "scheduled": scheduled,
            "unacked": unacked,
            "wall": wall,
            "cpu": time.process_time() - cpu0,
            "lag_max_ms": round(lags[-1] * 1000, 1) if lags else 0.0,
            "lag_p99_ms": round(lags[int(len(lags) * 0.99)] * 1000, 1) if lags else 0.0,
            "late_sends": len([x for x in lags if x > 0.05]),
        }

    async def verify(self) -> dict:
        """Every client: the conversation's last change (ping), then wait (≤ 10 s) for all
        changes since the socket opened; what is still missing is fetched with resume.
        Lost = still missing after that."""
        for client in self.clients:
            await self.reopen_if_closed(client)
        pongs = await asyncio.gather(
            *(self.ask(c, {"type": "ping"}, "pong") for c in self.clients if c.reader)
        )
        last = {c.user: p["last_seq"] for c, p in zip(self.clients, pongs, strict=True)}

        def missing(c: Client) -> set[int]:
            return set(range(c.base_change + 1, last[c.user] + 1)) - c.changes

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(missing(c) for c in self.clients):
            await asyncio.sleep(0.05)
        self.measuring = False
        frames = self.frames
        latencies = self.latencies
        live_missed = sum(len(missing(c)) for c in self.clients)
        lost = 0
        for client in self.clients:
            gap = missing(client)
            if not gap:
                continue
            after = min(gap) - 1
            await self.reopen_if_closed(client)
            while True:
                page = await self.ask(client, {"type": "resume", "after": after}, "resume")
                for message in page["messages"]:
                    client.changes.add(message["change"])
                if not page["more"] or not page["messages"]:
                    break
                after = page["messages"][-1]["change"]
            lost += len(missing(client))
        return {
            "latencies": latencies,
            "ack_latencies": self.ack_latencies,
            "frames": frames,
            "live_missed": live_missed,
            "lost": lost,
            "errors": dict(self.errors),
            "acked": sum(len(c.acks) for c in self.clients),
            "reopened": self.reopened,
        }

    async def close(self) -> None:
        for client in self.clients:
            if client.ws is not None:
                with contextlib.suppress(Exception):
                    await client.ws.close()
                client.ws = None
        for client in self.clients:
            if client.reader is not None:
                client.reader.cancel()
                client.reader = None
            client.acks, client.sent = {}, set()


def worker_main(conn, specs: list[dict], seed: int) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass

    async def serve() -> None:
        worker = Worker(specs, seed)
        while True:
            command, *args = await asyncio.to_thread(conn.recv)
            if command == "connect":
                result = await worker.connect(*args)
            elif command == "run":
                result = await worker.run(*args)
            elif command == "verify":
                result = await worker.verify()
            elif command == "close":
                await worker.close()
                result = "closed"
            elif command == "exit":
                await worker.close()
                conn.send("bye")
                return
            conn.send(result)

    asyncio.run(serve())


class Workers:
    def __init__(self, specs: list[dict], n: int) -> None:
        ctx = mp.get_context("spawn")
        self.conns, self.procs = [], []
        for i in range(n):
            parent, child = ctx.Pipe()
            share = specs[i::n]
            proc = ctx.Process(target=worker_main, args=(child, share, 1000 + i), daemon=True)
            proc.start()
            self.conns.append(parent)
            self.procs.append(proc)

    def call(self, *command) -> list:
        for conn in self.conns:
            conn.send(command)
        return [conn.recv() for conn in self.conns]

    def stop(self) -> None:
        with contextlib.suppress(BrokenPipeError, EOFError, OSError):
            self.call("exit")
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()


# --- measuring --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]


def settle(conversation_ids: list[int], quiet: float = 2.0, limit: float = 300) -> None:
    """Wait until the servers have stored every queued send (the message count stands
    still), so that one step's backlog is not measured in the next."""
    from django.db import connection

    from messaging.models import ChatMessage

    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = ChatMessage.objects.filter(conversation_id__in=conversation_ids).count()
        if count != last:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.25)
    connection.close()


def step(workers: Workers, rate: float, duration: float, tag: str) -> dict:
    settle(CONVERSATION_IDS)
    t_start = time.monotonic() + 1.0
    runs = workers.call("run", rate, duration, t_start, tag)
    checks = workers.call("verify")
    latencies = [x for c in checks for x in c["latencies"]]
    ack_latencies = [x for c in checks for x in c["ack_latencies"]]
    sends = sum(r["sends"] for r in runs)
    frames = sum(c["frames"] for c in checks)
    errors: dict[str, int] = {}
    for c in checks:
        for code, n in c["errors"].items():
            errors[code] = errors.get(code, 0) + n
    cpu = [round(r["cpu"] / duration, 2) for r in runs]
    result = {
        "rate_per_client": rate,
        "target_sends_per_s": round(rate * CONVERSATIONS * MEMBERS, 1),
        "sends_per_s": round(sends / duration, 1),
        "deliveries_per_s": round(frames / duration, 1),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "ack_p50_ms": round(percentile(ack_latencies, 0.50), 1),
        "ack_p99_ms": round(percentile(ack_latencies, 0.99), 1),
        "samples": len(latencies),
        "lost": sum(c["lost"] for c in checks) + sum(r["unacked"] for r in runs),
        "unacked": sum(r["unacked"] for r in runs),
        "live_missed_then_resumed": sum(c["live_missed"] for c in checks),
        "sockets_reopened": max(c["reopened"] for c in checks),
        "errors": errors,
        "send_lag_max_ms": max(r["lag_max_ms"] for r in runs),
        "late_sends": sum(r["late_sends"] for r in runs),
        "client_cpu_per_proc": cpu,
    }
    # The senders keep their schedule (a late send would hide the queueing in the client).
    scheduled = sum(r["scheduled"] for r in runs)
    result["pace_kept"] = sends == scheduled and result["late_sends"] <= 0.01 * max(1, sends)
    result["client_bound"] = any(x > 0.9 for x in cpu)
    result["held"] = bool(
        result["p99_ms"] <= P99_LIMIT_MS and result["lost"] == 0 and result["pace_kept"]
    )
    return result


def show(label: str, r: dict) -> None:
    print(
        f"  {label}: {r['sends_per_s']:>6} sends/s, {r['deliveries_per_s']:>7} deliveries/s, "
        f"p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms, "
        f"ack p50/p99 {r['ack_p50_ms']}/{r['ack_p99_ms']} ms, lost {r['lost']}"
        f" (resumed {r['live_missed_then_resumed']}), client cpu {r['client_cpu_per_proc']}"
        f"{'' if r['held'] else '  ← over the limit'}",
        flush=True,
    )


def ramp(workers: Workers, rates: list[float], seconds: float, label: str) -> dict:
    steps, best = [], None
    for i, rate in enumerate(rates):
        result = step(workers, rate, seconds, f"{label}{i}")
        show(f"{label} {rate}/client/s", result)
        steps.append(result)
        if not result["held"]:
            break
        best = result
    return {
        "max_sustained_sends_per_s": best["sends_per_s"] if best else 0.0,
        "max_sustained_rate_per_client": best["rate_per_client"] if best else 0.0,
        "p99_ms_at_max": best["p99_ms"] if best else None,
        "p50_ms_at_max": best["p50_ms"] if best else None,
        "first_failing": None if (best and best is steps[-1]) else steps[-1],
        "client_bound": any(s["client_bound"] for s in steps),
        "steps": [
            {
                k: s[k]
                for k in (
                    "rate_per_client",
                    "sends_per_s",
                    "deliveries_per_s",
                    "p50_ms",
                    "p99_ms",
                    "lost",
                    "held",
                    "client_cpu_per_proc",
                )
            }
            for s in steps
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="phase 1 seconds")
    parser.add_argument("--step-seconds", type=float, default=15, help="phase 2 step seconds")
    parser.add_argument("--interval", type=float, default=2.0, help="phase 1 seconds per send")
    parser.add_argument("--layer", choices=["pubsub", "core"], default="pubsub")
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument(
        "--rates",
        default="0.1,0.2,0.3,0.5,0.75,1,1.5,2,3,4",
        help="phase 2 per-client send rates (messages per second), tried in order",
    )
    parser.add_argument("--no-ramp", action="store_true", help="phase 1 only")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_CHAT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tandem_bench_chat"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    args = parser.parse_args()
    if args.quick:
        args.duration, args.step_seconds, args.rates = 10, 5, "0.1,0.3,1"
    rates = [float(x) for x in args.rates.split(",")]

    import redis

    setup_django(args.database_url)
    from django.conf import settings

    redis.Redis.from_url(args.redis).flushdb()
    t0 = time.perf_counter()
    conversations = fill()
    CONVERSATION_IDS[:] = [c["id"] for c in conversations]
    reset_chat([c["id"] for c in conversations])
    users = [u for c in conversations for u in c["members"]]
    keys = sessions(users)
    fill_s = time.perf_counter() - t0
    from django.db import connections

    connections.close_all()

    # Client i is member i % 10 of its conversation; with two servers, alternate members
    # go to alternate servers, and with two client processes, alternate members to
    # alternate processes (so both servers serve both processes).
    specs = []
    for c in conversations:
        for position, user in enumerate(c["members"]):
            specs.append(
                {
                    "user": user,
                    "conversation": c["id"],
                    "cookie": keys[user],
                    "server": position // max(1, args.client_procs),
                }
            )
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis,
        "CHANNEL_LAYER": args.layer,
        "CHANNELS_PREFIX": f"chatbench{os.getpid()}",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CHAT_RATE_BURST": "1000000",
        "CHAT_RATE_PER_MINUTE": "100000000",
        "CHAT_MAX_CONNECTIONS_PER_USER": "1000",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ["BENCH_COOKIE_NAME"] = settings.SESSION_COOKIE_NAME
    log_dir = ROOT / "var" / "bench_chat"
    log_dir.mkdir(parents=True, exist_ok=True)

    print(
        f"{len(specs)} clients in {len(conversations)} conversations of {MEMBERS}; "
        f"layer {args.layer}; {args.client_procs} client processes; {os.cpu_count()} cores",
        flush=True,
    )
    workers = Workers(specs, args.client_procs)
    servers: list[Server] = []
    figures: dict = {}
    try:
        # --- one server process
        servers = start_servers(1, env, log_dir)
        connected = workers.call("connect", [s.base for s in servers])
        failed = [f for c in connected for f in c["failed"]]
        if failed:
            raise SystemExit(f"{len(failed)} clients could not connect: {failed[:3]}")
        step(workers, 1 / args.interval, min(5, args.duration), "warm")  # warm-up, unmeasured
        phase1 = step(workers, 1 / args.interval, args.duration, "p1")
        show("phase 1", phase1)
        one = None if args.no_ramp else ramp(workers, rates, args.step_seconds, "1 server")
        workers.call("close")
        for server in servers:
            server.stop()
        # --- two server processes
        two = None
        if not args.no_ramp:
            servers = start_servers(2, env, log_dir)
            connected = workers.call("connect", [s.base for s in servers])
            failed = [f for c in connected for f in c["failed"]]
            if failed:
                raise SystemExit(f"{len(failed)} clients could not connect: {failed[:3]}")
            step(workers, 1 / args.interval, 5, "warm2")
            two = ramp(workers, rates, args.step_seconds, "2 servers")
            workers.call("close")
    finally:
        workers.stop()
        for server in servers:
            server.stop()

    figures = {
        "layer": args.layer,
        "clients": len(specs),
        "conversations": len(conversations),
        "phase1": {
            "seconds": args.duration,
            "send_interval_s": args.interval,
            "p50_ms": phase1["p50_ms"],
            "p99_ms": phase1["p99_ms"],
            "max_ms": phase1["max_ms"],
            "deliveries_per_s": phase1["deliveries_per_s"],
            "sends_per_s": phase1["sends_per_s"],
            "lost": phase1["lost"],
            "unacked": phase1["unacked"],
            "live_missed_then_resumed": phase1["live_missed_then_resumed"],
            "samples": phase1["samples"],
            "errors": phase1["errors"],
            "target_p99_ms": TARGET_P99_MS,
            "target_met": phase1["p99_ms"] < TARGET_P99_MS and phase1["lost"] == 0,
            "client_cpu_per_proc": phase1["client_cpu_per_proc"],
        },
        "p99_limit_ms": P99_LIMIT_MS,
        "step_seconds": args.step_seconds,
        "one_server": one,
        "two_servers": two,
        "client_procs": args.client_procs,
        "client_bound": bool(
            phase1["client_bound"] or (one and one["client_bound"]) or (two and two["client_bound"])
        ),
        "fill_seconds": round(fill_s, 1),
        "machine": f"{os.cpu_count()} cores",
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
