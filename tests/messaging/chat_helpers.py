"""Opening chat sockets as a signed-in user, through Tandem's whole ASGI stack (origin
check, session authentication, routing), in process.

`channels.testing` imports daphne (for its live-server case), which Tandem does not use:
its WebsocketCommunicator is rebuilt here on asgiref's ApplicationCommunicator, the same
few lines."""

from __future__ import annotations

import json

from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.test import Client


class WebsocketCommunicator(ApplicationCommunicator):
    def __init__(self, application, path: str, headers: list) -> None:
        path, _, query = path.partition("?")
        super().__init__(
            application,
            {
                "type": "websocket",
                "path": path,
                "raw_path": path.encode(),
                "query_string": query.encode(),
                "headers": headers,
                "subprotocols": [],
                "client": ("127.0.0.1", 50000),
                "server": ("127.0.0.1", 8000),
            },
        )

    async def connect(self, timeout: float = 10):
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        return True, response.get("subprotocol")

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float = 10):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 10) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


ORIGIN = b"http://127.0.0.1:8000"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def cookie_header(session_key: str) -> tuple[bytes, bytes]:
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode())


async def open_socket(path: str, session_key: str | None = None, origin: bytes | None = ORIGIN):
    """Connect; returns (communicator, accepted)."""
    from config.asgi import application

    headers = []
    if origin is not None:
        headers.append((b"origin", origin))
    if session_key:
        headers.append(cookie_header(session_key))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    accepted, _ = await communicator.connect(timeout=10)
    return communicator, accepted


async def joined(conversation_id: int, session_key: str):
    """A member's socket, past its hello frame."""
    communicator, accepted = await open_socket(f"/ws/conversations/{conversation_id}/", session_key)
    assert accepted
    hello = await communicator.receive_json_from(timeout=10)
    assert hello["type"] == "hello", hello
    return communicator, hello


async def next_of(communicator, kind: str, timeout: float = 10) -> dict:
    """The next frame of a type, skipping the others (presence, typing, …)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def closed_with(communicator, timeout: float = 10) -> int:
    """Read frames until the server closes the socket; returns the close code."""
    while True:
        event = await communicator.receive_output(timeout=timeout)
        if event["type"] == "websocket.close":
            return event.get("code", 1000)
