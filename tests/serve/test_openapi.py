"""schemathesis against the generated OpenAPI document: on requests generated from the
schema (valid and not), no route answers 500, and every answer is one the schema
declares, in the shape it declares."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from riskprofile.serve import ServiceSettings, add_key, create_app  # noqa: E402
from tests.depth import depth  # noqa: E402
from tests.serve.conftest import ROOT  # noqa: E402

_BASE = Path(tempfile.mkdtemp(prefix="riskprofile-openapi-"))
KEY = add_key(_BASE / "keys.txt", "schemathesis")
APP = create_app(
    ServiceSettings(
        keys=str(_BASE / "keys.txt"),
        profiles=(str(ROOT / "profiles" / "base" / "documentary.yaml"),),
        pool=str(_BASE / "pool.sqlite"),
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=depth(25), deadline=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_no_server_error_and_no_schema_violation(case: schemathesis.Case) -> None:
    from schemathesis.checks import not_a_server_error

    case.call_and_validate(
        headers={"X-API-Key": KEY},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance],
    )  # fmt: skip


def test_the_document_declares_the_key_and_every_route() -> None:
    document = APP.openapi()
    assert "APIKeyHeader" in document["components"]["securitySchemes"]
    paths = set(document["paths"])
    assert paths >= {"/v1/score", "/v1/select", "/v1/outcomes", "/v1/screen", "/v1/profiles",
                     "/v1/fields", "/v1/calls", "/healthz"}  # fmt: skip
