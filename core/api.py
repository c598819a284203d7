"""What every endpoint of /api/v1/ shares: JSON parsing that refuses what no database
takes, JSON answers for oversized bodies, and one translation of a service's refusal
(ValidationError, PermissionDenied) into the API's 400, 403 or 409."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.errors import is_conflict

BODY_TOO_LARGE = _("The request is larger than %(limit)s bytes; shorten the texts.")
LONE_SURROGATE = _(
    "The JSON holds a lone surrogate escape (such as \\ud800), which is not text; "
    "send the character itself or a complete surrogate pair."
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The object is not in a state that allows this.")
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing lone UTF-16 surrogates: "\\ud800" is valid JSON, but
    neither database nor any UTF-8 encoder takes it, so it would end in a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
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
