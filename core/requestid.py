"""A request id for every request, carried into the log lines it causes and into the
Celery tasks it queues, so one click can be followed across web and worker processes. A WebSocket
session keeps one id for all its frames (messaging.sockets).

The id comes from the proxy's X-Request-ID header when it sends one (letters, digits and
dashes, at most 64), otherwise it is made here; the response carries it back."""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar

from celery.signals import before_task_publish, task_postrun, task_prerun

current: ContextVar[str] = ContextVar("tandem_request_id", default="")

HEADER = "HTTP_X_REQUEST_ID"
TASK_HEADER = "tandem_request_id"
_VALID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get(HEADER, "")
        request_id = given if _VALID.match(given) else uuid.uuid4().hex
        token = current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response["X-Request-ID"] = request_id
        return response


def for_socket(scope: dict) -> str:
    """A WebSocket session's id: the upgrade request's X-Request-ID (from the proxy) when
    valid, otherwise a new one. It stays the same for every frame of the session."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _VALID.match(given):
                return given
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id, and the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


@before_task_publish.connect(dispatch_uid="tandem_request_id_out")
def _carry_into_task(headers=None, **kwargs) -> None:
    if headers is not None and current.get():
        headers[TASK_HEADER] = current.get()


@task_prerun.connect(dispatch_uid="tandem_request_id_in")
def _take_in_task(task=None, **kwargs) -> None:
    request_id = None
    if task is not None:
        # Protocol 2 puts custom headers on the request; older messages keep them apart.
        request_id = getattr(task.request, TASK_HEADER, None) or (
            getattr(task.request, "headers", None) or {}
        ).get(TASK_HEADER)
    task.request.tandem_token = current.set(request_id or current.get() or uuid.uuid4().hex)


@task_postrun.connect(dispatch_uid="tandem_request_id_done")
def _leave_task(task=None, **kwargs) -> None:
    token = getattr(task.request, "tandem_token", None) if task else None
    if token is not None:
        current.reset(token)
        task.request.tandem_token = None
