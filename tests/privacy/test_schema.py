"""GET /api/v1/me/export/ answers exactly what the published OpenAPI schema says, for a
person with data of every kind, checked by schemathesis against a real server."""

from __future__ import annotations

import pytest
import schemathesis
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from messaging import chat

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.both_backends


def test_the_archive_keeps_to_its_published_schema(asgi_server, world):
    e1 = world.exchanges["E1"]
    chat.post_message(
        user=world.alice, conversation_id=e1.conversation.pk, client_id="a1", text="Hi"
    )
    schema = schemathesis.openapi.from_url(f"{asgi_server.url}/api/schema/?format=json")
    operation = schema["/api/v1/me/export/"]["GET"]
    seen = set()
    for user in (world.alice, world.jan, world.bob, None):
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Token {Token.objects.get_or_create(user=user)[0].key}"
        response = operation.Case().call_and_validate(
            base_url=asgi_server.url, headers=headers, checks=CHECKS
        )
        seen.add(response.status_code)
    assert 200 in seen and 401 in seen
