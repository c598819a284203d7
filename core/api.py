"""What every endpoint of /api/v1/ shares: JSON parsing that refuses what no database
takes, JSON answers for oversized bodies, and one translation of a service's refusal
(ValidationError, PermissionDenied) into the API's 400, 403 or 409."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.errors import is_conflict

NO_SUCH_ENDPOINT = _("There is no such API endpoint; the list is at /api/docs/.")
BODY_TOO_LARGE = _("The request is larger than %(limit)s bytes; shorten the texts.")
LONE_SURROGATE = _(
    "The JSON holds a lone surrogate escape (such as \\ud800), which is not text; "
    "send the character itself or a complete surrogate pair."
)
MAX_JSON_DEPTH = 32
NESTED_TOO_DEEP = _(
    "The JSON is nested more than %(limit)s levels deep; no Tandem request needs that many."
)
NUMBER_TOO_LARGE = _(
    "The JSON holds a number too large for any field (such as 1e400); check the numbers."
)
# The widest column of the database (ids): the bound of every id a serializer reads.
LARGEST_NUMBER = 2**63 - 1


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object is not in a state that allows this.")
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _check_json(data) -> None:
    """Walk parsed JSON without recursion: refuse what is nested too deeply, and numbers
    that are not finite (1e400 reads as infinity). A whole number too large is left to its
    field, which names itself in the answer."""
    todo = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise exceptions.ParseError(NESTED_TOO_DEEP % {"limit": MAX_JSON_DEPTH})
            items = value.values() if isinstance(value, dict) else value
            todo.extend((item, depth + 1) for item in items)
        elif isinstance(value, float) and not math.isfinite(value):
            raise exceptions.ParseError(NUMBER_TOO_LARGE)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing what would otherwise end in a 500: a body nested so
    deeply that the decoder overflows Python's stack, numbers beyond floats, and lone
    UTF-16 surrogates ("\\ud800" is valid JSON, but neither database nor any UTF-8 encoder
    takes it)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(NESTED_TOO_DEEP % {"limit": MAX_JSON_DEPTH}) from None
        _check_json(data)
        try:
            json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:
            raise exceptions.ParseError(LONE_SURROGATE) from None
        return data


class TandemAPIView(APIView):
    """JSON in, and a body over DATA_UPLOAD_MAX_MEMORY_SIZE answered in JSON too (Django
    would answer its HTML 400 page)."""

    parser_classes = [JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RequestDataTooBig):
            exc = RequestTooLarge(BODY_TOO_LARGE % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
        return super().handle_exception(exc)


def _error_list(exc: DjangoValidationError) -> list[DjangoValidationError]:
    if hasattr(exc, "error_dict"):
        return [e for errors in exc.error_dict.values() for e in errors]
    return exc.error_list


@contextmanager
def service_errors() -> Iterator[None]:
    """Turn a service's refusal into the API's answer: a ValidationError into a 400 that
    names each field (a 409 when its code is a conflict: the state refuses), a
    PermissionDenied into a 403 that keeps its message."""
    try:
        yield
    except DjangoValidationError as exc:
        if any(is_conflict(e.code) for e in _error_list(exc)):
            raise Conflict(" ".join(exc.messages)) from None
        if hasattr(exc, "error_dict"):
            detail = {
                api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key: messages
                for key, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        raise exceptions.ValidationError(detail) from None
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from None


BAD_REQUEST = OpenApiResponse(
    description="The input cannot be used: the body names each field and what to fix."
)


# --- the schema: every operation documents the errors it can answer ----------------------

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` says what went wrong; a 400 names each field instead, with its "
    "messages (nested as the body is).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": "The input cannot be used: the body names each field and what to fix.",
    "401": "Not signed in, or the token is wrong.",
    "403": "Signed in, but not allowed to do this; the body says who may.",
    "404": "No such object, or the user may not see it; for a list, no such page.",
    "409": "The object's state does not allow this now; nothing changed.",
    "413": "The body is too large.",
    "415": "The body is not JSON.",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


class TandemAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error answers each operation can give and the
    view does not declare itself, so that a client (and schemathesis) knows every status."""

    def _error_codes(self) -> list[str]:
        codes = []
        has_body = self.method in WRITES and self.get_request_serializer() is not None
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if has_body or has_query:
            codes.append("400")
        if any(self.get_auth()):
            codes += ["401", "403"]
        if "{" in self.path or (self.method == "GET" and self._get_paginator() is not None):
            codes.append("404")
        if self.method in WRITES and "{" in self.path:
            codes.append("409")
        if has_body:
            codes += ["413", "415"]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(error)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = {
                    "description": ERRORS[code],
                    "content": {"application/json": {"schema": error.ref}},
                }
        return dict(sorted(responses.items()))


# After TandemAutoSchema: api_view reads the schema class from the settings at once.
@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
def no_such_endpoint(request: Request, *args, **kwargs) -> Response:
    """Any other path under /api/v1/ (an id that is not a number, a typo): a JSON 404, not
    the site's HTML page."""
    raise exceptions.NotFound(NO_SUCH_ENDPOINT)
