"""The OpenAPI schema states what the API does: the errors each operation can answer and
the real format of its values (the probe found "15:00" declared as format: time, and 404s,
401s and 400s the schema did not list). Schemathesis (test_schemathesis.py) checks the
answers against it; these tests pin the rules of the schema itself, fast."""

from __future__ import annotations

import re

import pytest
import yaml
from django.urls import reverse

pytestmark = pytest.mark.django_db

WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture
def schema(client) -> dict:
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in WRITES | {"get"}:
                yield path, method, operation


def test_every_operation_with_an_id_documents_404_and_every_change_409(schema):
    missing = []
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        if "{" in path and "404" not in codes:
            missing.append(f"{method.upper()} {path}: 404")
        if "{" in path and method in WRITES and "409" not in codes:
            missing.append(f"{method.upper()} {path}: 409")
        query = [p for p in operation.get("parameters", []) if p["in"] == "query"]
        if (operation.get("requestBody") or query) and "400" not in codes:
            missing.append(f"{method.upper()} {path}: 400")
        if operation.get("security") and not {"401", "403"} <= codes:
            missing.append(f"{method.upper()} {path}: 401/403")
    assert not missing, "\n".join(missing)


def test_every_error_answer_has_a_json_body_in_the_schema(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["detail"] == {"type": "string"}
    assert error["additionalProperties"] is True  # a 400 names each field


def test_a_window_time_is_declared_as_the_api_writes_it(schema, api, alice):
    from tests import factories

    window = schema["components"]["schemas"]["Window"]["properties"]
    clock = schema["components"]["schemas"]["ClockTime"]
    assert "format" not in clock
    assert {"$ref": "#/components/schemas/ClockTime"} in window["start"]["allOf"]
    offer = factories.make_offer(alice)
    body = api.get(reverse("api:offer-detail", args=[offer.pk])).json()
    starts = [w["start"] for w in body["windows"]]
    assert starts == ["15:00", "15:00"]
    assert all(re.match(clock["pattern"], start) for start in starts)


def test_paged_lists_document_the_404_of_a_page_past_the_last(schema, api):
    assert "404" in schema["paths"]["/api/v1/offers/"]["get"]["responses"]
    assert api.get(reverse("api:offer-list"), {"page": 99}).status_code == 404
