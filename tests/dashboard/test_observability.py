"""Seeing inside: /metrics for Prometheus (behind a token), and a request id that follows
a click into its log lines and the tasks it queues."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from celery import shared_task
from django.urls import reverse

from core import requestid
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-tests"
ROOT = Path(__file__).resolve().parents[2]


def scrape(client, token=TOKEN):
    return client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client).status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert scrape(client, "guess").status_code == 401
    assert client.get("/metrics").status_code == 401


def test_metrics_count_requests_by_route_and_read_the_parts_when_scraped(client, settings, alice):
    settings.METRICS_TOKEN = TOKEN
    offer = factories.make_offer(alice)
    client.get(offer.get_absolute_url())
    body = scrape(client).content.decode()
    # By pattern, not by path: one series for every offer page.
    assert (
        'tandem_http_request_seconds_count{method="GET",route="offers/<int:pk>/",status="200"}'
        in body
    )
    assert "tandem_celery_queue_length" in body
    assert 'tandem_part_up{part="database"} 1.0' in body


def gauge(body: str, series: str) -> float:
    for line in body.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


@pytest.mark.django_db(transaction=True)
def test_metrics_count_open_sockets_and_the_tasks_that_ran(client, settings, alice):
    from asgiref.sync import async_to_sync, sync_to_async

    from offers import tasks
    from tests.messaging.chat_helpers import open_socket, session_cookie

    settings.METRICS_TOKEN = TOKEN
    inbox = 'tandem_websockets_open{kind="inbox"}'
    before = gauge(scrape(client).content.decode(), inbox)

    cookie = session_cookie(alice)

    async def with_an_inbox_open():
        communicator, accepted = await open_socket("/ws/inbox/", cookie)
        assert accepted
        await communicator.receive_json_from(timeout=10)  # the unread counts
        during = gauge((await sync_to_async(scrape)(client)).content.decode(), inbox)
        await communicator.disconnect()
        return during

    assert async_to_sync(with_an_inbox_open)() == before + 1
    assert gauge(scrape(client).content.decode(), inbox) == before

    tasks.reap_stale_import_jobs.delay()
    body = scrape(client).content.decode()
    assert 'tandem_celery_task_seconds_count{task="offers.tasks.reap_stale_import_jobs"}' in body


def test_every_response_carries_a_request_id_and_a_proxys_id_is_kept(client):
    made = client.get(reverse("landing"))["X-Request-ID"]
    assert len(made) == 32
    assert client.get(reverse("landing"), HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    # Not an id: replaced, never echoed.
    odd = client.get(reverse("landing"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert odd != "<script>" and len(odd) == 32


@shared_task
def _log_something():
    logging.getLogger("tandem.test").warning("inside the task")


def test_log_lines_are_json_with_the_request_id_also_inside_its_tasks():
    formatter = requestid.JsonFormatter()
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(formatter.format(record))

    handler = Keep()
    handler.addFilter(requestid.RequestIdFilter())
    logger = logging.getLogger("tandem.test")
    logger.addHandler(handler)
    token = requestid.current.set("req-42")
    try:
        logger.warning("in the request")
        _log_something.delay()
    finally:
        requestid.current.reset(token)
        logger.removeHandler(handler)
    lines = [json.loads(r) for r in records]
    assert [line["message"] for line in lines] == ["in the request", "inside the task"]
    assert {line["request_id"] for line in lines} == {"req-42"}
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "tandem.test"


def test_errors_reach_a_sentry_compatible_service_with_their_request_id_when_a_dsn_is_set():
    """A real HTTP receiver stands in for the service: the envelope arrives with the
    error and its request id."""
    import gzip
    import http.server
    import subprocess
    import sys
    import threading

    received: list[bytes] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":  # the SDK prefers brotli when it is installed
                import brotli

                body = brotli.decompress(body)
            received.append(body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
    script = (
        "import django, sentry_sdk\n"
        "django.setup()\n"
        "from core.requestid import current\n"
        "current.set('req-sentry-7')\n"
        "sentry_sdk.capture_exception(ValueError('the drill error'))\n"
        "sentry_sdk.flush(5)\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SENTRY_DSN": dsn,
        "TANDEM_VAR_DIR": os.environ.get("TANDEM_VAR_DIR", str(ROOT / "var")),
    }
    try:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=60
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr.decode()
    body = b"".join(received).decode("utf-8", "replace")
    assert "the drill error" in body
    assert '"request_id":"req-sentry-7"' in body.replace(" ", "")
