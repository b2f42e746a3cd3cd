"""Schemathesis against the real server (``mesaides serve``): every operation of
``/openapi.json``, requests generated from the schema (positive) and against it (negative),
every check. The schema must describe what the API accepts: nothing it allows is refused for
its shape (400), nothing it forbids is computed, and no request gets a 5xx.

Bounded: a few examples per operation and mode (``MESAIDES_FUZZ_EXAMPLES``, default 25), so
that the suite stays quick; raise it to fuzz longer.
"""

from __future__ import annotations

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402

EXAMPLES = int(os.environ.get("MESAIDES_FUZZ_EXAMPLES", "25"))


ACCEPTED = ["2xx", "401", "404", "422"]
"""What a schema-valid request may get: computed (2xx); the partner API's operations without a
partner's token (401: the fuzzer has none); an aide this deployment does not serve
(404); what no JSON Schema can say (422: a role naming a person the situation does not have, a
person in no group, an unknown commune code, a birth in the future, too many requested values).
Never 400 (a wrong shape) nor 5xx."""


@pytest.fixture(scope="module")
def operations(server):
    config = SchemathesisConfig.from_dict({"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}})
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json", config=config)
    found = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in found} >= {"POST /calculate", "POST /explain", "GET /communes"}
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_answers_as_its_schema_says(operations, mode):
    for operation in operations:
        inputs = (operation.body, operation.query, operation.path_parameters, operation.headers)
        if mode is GenerationMode.NEGATIVE and not any(len(c) for c in inputs):
            continue  # nothing to send wrong (GET /aides)

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers(case):
            case.call_and_validate()

        answers()
