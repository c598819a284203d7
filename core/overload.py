"""Overload answers 503, never 500. When no database connection comes within the pool's
timeout (psycopg_pool.PoolTimeout), PostgreSQL refuses a new connection (too many
clients), or PostgreSQL is down or restarting (the connection is refused or was ended by
a shutdown), the request is answered 503 with Retry-After: the client may try again, and
nothing was written halfway (the request's transaction never began or was rolled back)."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from psycopg import OperationalError as PsycopgOperationalError
from psycopg_pool import PoolTimeout

RETRY_AFTER_SECONDS = 5
# What PostgreSQL says when it refuses a connection for lack of slots.
_REFUSALS = ("too many clients", "remaining connection slots")
# SQLSTATEs of a server going away: admin_shutdown, crash_shutdown, cannot_connect_now
# (starting up or shutting down); and the connection exceptions (class 08).
_UNAVAILABLE = ("57P01", "57P02", "57P03")
# What psycopg says when no server answers a connection attempt.
_NO_SERVER = ("Connection refused", "the database system is", "timeout expired")


def _unavailable(exc: PsycopgOperationalError) -> bool:
    state = exc.sqlstate
    if state is None:
        message = str(exc)
        return message.startswith("connection failed") and any(n in message for n in _NO_SERVER)
    return state in _UNAVAILABLE or state.startswith("08")


def is_overload(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, PoolTimeout):
            return True
        if isinstance(exc, PsycopgOperationalError) and (
            _unavailable(exc) or any(r in str(exc) for r in _REFUSALS)
        ):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's handler500: 503 with Retry-After for overload, the usual 500 otherwise."""
    if not is_overload(sys.exc_info()[1]):
        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("Tandem is busy right now. Please try again in a few seconds.")},
            status=503,
        )
    else:
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
