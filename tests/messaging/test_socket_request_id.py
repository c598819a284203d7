"""A WebSocket session keeps one request id for all its log lines: the proxy's
X-Request-ID of the upgrade request, or one made for it."""

from __future__ import annotations

import logging
import re

import pytest
from asgiref.sync import async_to_sync

from core.requestid import RequestIdFilter
from tests.messaging.chat_helpers import (
    ORIGIN,
    WebsocketCommunicator,
    cookie_header,
    joined,
    session_cookie,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.addFilter(RequestIdFilter())
        self.lines: list[tuple[str, str]] = []

    def emit(self, record):
        self.lines.append((record.getMessage(), record.request_id))


@pytest.fixture
def collected():
    handler = Collect()
    logger = logging.getLogger("messaging.sockets")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_a_chat_session_logs_under_the_proxys_request_id(proposal, alice, collected):
    from config.asgi import application

    key = session_cookie(alice)
    path = f"/ws/conversations/{proposal.conversation.pk}/"

    async def scenario():
        headers = [(b"origin", ORIGIN), cookie_header(key), (b"x-request-id", b"edge-7f3a")]
        socket = WebsocketCommunicator(application, path, headers=headers)
        accepted, _ = await socket.connect(timeout=10)
        assert accepted
        await socket.receive_json_from(timeout=10)  # hello
        await socket.disconnect()

    async_to_sync(scenario)()
    assert ("conversation socket opened on " + path, "edge-7f3a") in collected
    assert any(
        m.startswith("conversation socket closed") and rid == "edge-7f3a" for m, rid in collected
    )


def test_without_a_header_a_session_gets_one_id_of_its_own(proposal, alice, collected):
    key = session_cookie(alice)

    async def scenario():
        socket, _ = await joined(proposal.conversation.pk, key)
        await socket.disconnect()

    async_to_sync(scenario)()
    ids = {rid for message, rid in collected if "socket" in message}
    assert len(ids) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", ids.pop())
