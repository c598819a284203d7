"""Failure drill with real processes: Redis restarts under chat and task load.

A redis-server of the test's own (never the machine's shared one), with the production
persistence (append-only file, fsync always), carries one uvicorn process's chat layer and
cache and one Celery worker's queue. Two members chat without pause while the worker works
through a backlog of notification tasks; Redis is stopped (SIGTERM) and started again on
the same port and data. Every acknowledged message is stored and reaches the other member,
every task queued before the restart runs (its notification exists once, e-mailed once),
and the web process serves pages again without being restarted."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid

import pytest
from django.conf import settings
from django.utils import timezone

from exchanges.models import ProposalEvent, ProposalState
from notifications.models import EmailState, Notification, NotificationKind
from tests.conftest import _missing
from tests.deploy.workers import PersistentRedis, http_get, start_worker, stop
from tests.live import ServerProcess, shared_test_database_url, wait_until
from tests.messaging.chat_helpers import session_cookie
from tests.messaging.test_chat_live import (
    FRAME_TIMEOUT,
    ChatClient,
    acked_ids,
    assert_exactly_once,
    stored,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    # send_task is used on purpose: the suite's own tasks run eagerly.
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
]

TASKS = 150  # about ten seconds of work for one worker: a backlog when Redis stops
BACKLOG = 30
NOTIFY = "exchanges.tasks.notify_proposal_event"


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        _missing("this test runs a redis-server of its own: install redis-server")
    server = PersistentRedis(tmp_path / "redis", tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.shutdown()


def queued_events(proposal, actor) -> list[int]:
    """Recorded events of the proposal, each one a notification task for jan."""
    now = timezone.now()
    events = ProposalEvent.objects.bulk_create(
        ProposalEvent(
            proposal=proposal,
            actor=actor,
            from_state="",
            to_state=ProposalState.PROPOSED,
            note=f"drill {n}",
            at=now,
        )
        for n in range(TASKS)
    )
    return [e.pk for e in events]


def notified(events: list[int]) -> int:
    return Notification.objects.filter(event_id__in=events).count()


def test_a_redis_restart_loses_no_acknowledged_message_and_no_queued_task(
    redis_server, proposal, alice, jan, tmp_path
):
    from config.celery import app

    conversation = proposal.conversation
    cookies = {"alice": session_cookie(alice), "jan": session_cookie(jan)}
    env = {
        **os.environ,
        "DATABASE_URL": shared_test_database_url(),
        "DATABASE_POOL_SIZE": "4",
        "REDIS_URL": redis_server.url,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "CHANNELS_PREFIX": f"drill-{uuid.uuid4().hex[:8]}",
        "CHAT_RATE_BURST": "10000",  # what is measured is delivery, not the rate limiter
    }
    server = ServerProcess(env, tmp_path / "server.log")
    log = (tmp_path / "worker.log").open("wb")
    worker = start_worker(redis_server.url, log)
    events = queued_events(proposal, alice)
    queue = redis_server.client()
    seen: dict[str, int] = {}
    try:
        server.wait_healthy()

        async def scenario():
            a = ChatClient(server.base, conversation.pk, cookies["alice"], "alice")
            j = ChatClient(server.base, conversation.pk, cookies["jan"], "jan")
            await a.open()
            await j.open()
            phase = "up"
            sent: dict[str, list[int]] = {"up": [], "down": [], "again": []}
            progress = asyncio.Condition()
            stop_sending = asyncio.Event()

            async def keep_sending():
                i = 0
                while not stop_sending.is_set():
                    i += 1
                    at_send = phase
                    ack = await a.say(f"message {i} ({at_send})")
                    sent[at_send].append(ack["id"])
                    async with progress:
                        progress.notify_all()

            async def sent_at_least(n: int, when: str) -> None:
                async with progress:
                    await asyncio.wait_for(progress.wait_for(lambda: len(sent[when]) >= n), 30)

            def enqueue_and_wait_for_backlog() -> None:
                with app.connection_for_write(redis_server.url) as conn:
                    for event_id in events:
                        app.send_task(NOTIFY, args=[event_id], connection=conn)
                wait_until(
                    lambda: notified(events) >= 1 and queue.llen("celery") >= BACKLOG,
                    30,
                    "the worker works through the queue",
                    lambda: worker.poll() is None,
                )

            sender = asyncio.create_task(keep_sending())
            try:
                await sent_at_least(3, "up")
                await asyncio.to_thread(enqueue_and_wait_for_backlog)
                await asyncio.to_thread(redis_server.shutdown)
                phase = "down"
                seen["backlog"] = await asyncio.to_thread(notified, events)
                healthz = f"{server.base}/healthz"
                seen["healthz_down"], _ = await asyncio.to_thread(http_get, healthz)
                # Stored and acknowledged with Redis gone.
                await sent_at_least(10, "down")
                await asyncio.to_thread(redis_server.start)
                seen["queued_after_restart"] = await asyncio.to_thread(queue.llen, "celery")
                await asyncio.to_thread(server.wait_healthy, 30)
                phase = "again"
                await sent_at_least(3, "again")
            finally:
                stop_sending.set()
                await asyncio.wait_for(sender, FRAME_TIMEOUT)

            for client in (a, j):
                await client.reconnect_or_resume()
            late = await j.say("after the restart")
            everything = acked_ids(a, j)
            for client in (a, j):
                await client.until(lambda c=client: c.has_applied(everything))
                await client.close()
            return a, j, sent, late

        a, j, sent, late = asyncio.run(asyncio.wait_for(scenario(), 120))
        wait_until(
            lambda: notified(events) >= TASKS, 60, "every task ran", lambda: worker.poll() is None
        )
        # The web process, never restarted, serves a signed-in page again.
        assert server.alive()
        assert http_get(f"{server.base}/dashboard/", cookies["jan"])[0] == 200
    finally:
        stop(worker)
        log.close()
        queue.close()
        server.stop()

    # The worker was still busy when Redis stopped: the queue survived the restart.
    assert seen["backlog"] < TASKS and seen["queued_after_restart"] > 0, seen
    assert seen["healthz_down"] == 503
    # Each queued task ran once: one notification per event for jan, e-mailed once.
    rows = Notification.objects.filter(event_id__in=events)
    assert rows.count() == TASKS
    assert set(rows.values_list("recipient_id", "kind").distinct()) == {
        (jan.pk, NotificationKind.RECEIVED)
    }
    assert set(rows.values_list("email_state", flat=True)) == {EmailState.SENT}
    # Every acknowledged message is stored and reached both members once, in order.
    expected = acked_ids(a, j)
    assert len(sent["down"]) >= 10 and len(sent["again"]) >= 3
    for client in (a, j):
        assert_exactly_once(client, expected)
    assert late["id"] in a.applied
    assert {cid: ack["id"] for c in (a, j) for cid, ack in c.acks.items()} == stored(conversation)
