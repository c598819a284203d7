"""Frames from a chat client, checked before any handler sees them: JSON text of bounded
size and depth, a known type, no lone surrogates anywhere (they cannot be stored, nor
sent back as UTF-8), and integers a database column holds.

Every refusal is a ChatError, which the consumer turns into an `error` frame; the socket
stays open."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy as _

from messaging.chat import BAD_CHARACTER, CLIENT_ID_MAX, ChatError, has_lone_surrogate
from messaging.sockets import MAX_FRAME

# No frame of the protocol nests deeper than 2; a little room for fields it ignores.
MAX_DEPTH = 8
# The largest value of a BIGINT column: ids and seqs beyond it are no such thing.
MAX_INT = 2**63 - 1

NOT_TEXT = _("Frames must be JSON text.")
TOO_BIG = _("A frame holds at most %(max)d bytes; this message is far too long.")
NOT_JSON = _("Frames must be JSON objects.")
NO_TYPE = _("Each frame needs a “type”.")
UNKNOWN_TYPE = _("Unknown frame type. The types are: %(types)s.")
TOO_DEEP = _("The frame is nested too deeply.")
BAD_NUMBER = _("A number in the frame is out of range.")


class FrameError(ChatError):
    """A refused frame; `extra` is what the error frame may safely echo (its client id)."""

    def __init__(self, code: str, message, extra: dict | None = None) -> None:
        super().__init__(code, message)
        self.extra = extra or {}


def _check(content) -> None:
    """Walk the parsed frame without recursion."""
    todo = [(content, 1)]
    while todo:
        value, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise FrameError("invalid", TOO_DEEP)
        if isinstance(value, dict):
            todo.extend((k, depth + 1) for k in value)
            todo.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            todo.extend((v, depth + 1) for v in value)
        elif isinstance(value, str) and has_lone_surrogate(value):
            raise FrameError("invalid", BAD_CHARACTER)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise FrameError("invalid", BAD_NUMBER)


def parse(text_data, types) -> dict:
    """The frame as a dict with a known `type`, or FrameError."""
    if text_data is None:
        raise FrameError("invalid", NOT_TEXT)
    if len(text_data) > MAX_FRAME:
        raise FrameError("too_long", TOO_BIG % {"max": MAX_FRAME})
    try:
        content = json.loads(text_data)
    except (ValueError, RecursionError):
        raise FrameError("invalid", NOT_JSON) from None
    if not isinstance(content, dict):
        raise FrameError("invalid", NOT_JSON)
    try:
        _check(content)
    except FrameError as exc:
        exc.extra = echo_client_id(content)
        raise
    if not isinstance(content.get("type"), str):
        raise FrameError("invalid", NO_TYPE)
    if content["type"] not in types:
        # The type is not echoed: what a client sent is never sent back as is.
        raise FrameError("invalid", UNKNOWN_TYPE % {"types": ", ".join(sorted(types))})
    return content


def echo_client_id(content) -> dict:
    """{"client_id": …} to add to an error frame, when the frame had a usable one."""
    client_id = content.get("client_id") if isinstance(content, dict) else None
    if (
        isinstance(client_id, str)
        and 1 <= len(client_id) <= CLIENT_ID_MAX
        and client_id.isprintable()  # no surrogates, no controls
    ):
        return {"client_id": client_id}
    return {}
