"""Property-based tests of the whole REST API from its own OpenAPI schema (/api/schema/).

Schemathesis generates requests for every operation, valid ones and invalid ones, and
sends them to a real server as a visitor, a lecturer, her partner or an international
office. Each answer must be no server error, have a status code the schema documents, and
a body that matches the schema. Ids in paths are now and then those of real offers and
proposals, so the checks see 200s and 409s too, not only 404s. Deterministic: a fixed seed
and a bounded number of examples per operation and mode."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
WHO = ["visitor", "lecturer", "partner", "office", "other_office"]
EXAMPLES = 20


def _run(operation, mode, world, base_url: str, failures: dict[str, str]) -> int:
    """Send EXAMPLES generated requests; record each distinct failure. Returns how many."""
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=("explicit", "generate"),
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        who=st.sampled_from(WHO),
        pick=st.integers(min_value=0, max_value=9),
    )
    def examples(case, who, pick):
        nonlocal sent
        ids = world.ids()
        if "id" in (case.path_parameters or {}) and pick < len(ids):
            case.path_parameters["id"] = ids[pick]
        headers = {"Authorization": f"Token {world.tokens[who]}"} if who != "visitor" else {}
        sent += 1
        try:
            case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                key = f"{operation.label}: {failure.title}"
                failures.setdefault(key, f"{key} [{mode.value}, {who}]\n{group}")

    try:
        examples()
    except Unsatisfiable:
        # Nothing to make invalid (an operation without parameters or body).
        assert mode == GenerationMode.NEGATIVE, f"{operation.label}: no valid request"
    return sent


def test_the_api_keeps_to_its_schema(asgi_server, api_world):
    schema = schemathesis.openapi.from_url(f"{asgi_server.url}/api/schema/?format=json")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, "the schema lost operations"
    sent = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            sent += _run(operation, mode, api_world, asgi_server.url, failures)
    report = "\n\n".join(failures.values())
    assert not failures, f"{len(failures)} failures in {sent} requests:\n\n{report}"
