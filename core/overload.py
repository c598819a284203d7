"""Overload answers 503, never 500. When no database connection comes within the pool's
timeout (psycopg_pool.PoolTimeout), or PostgreSQL refuses a new connection (too many
clients), the request is answered 503 with Retry-After: the client may try again, and
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


def is_overload(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, PoolTimeout):
            return True
        if isinstance(exc, PsycopgOperationalError) and any(r in str(exc) for r in _REFUSALS):
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
