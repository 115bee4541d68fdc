"""schemathesis against the generated OpenAPI document: on requests generated from the
schema (valid and not), no route answers 500, and every answer is one the schema
declares, in the shape it declares.

The schema is a fixture (``schemathesis.pytest.from_fixture``), not a module constant:
schemathesis builds every operation's examples and coverage cases when it makes the
tests, which at collection cost every pytest-xdist worker a few seconds of CPU; from a
fixture only the worker that runs this file builds them, once. Each operation is still
its own subtest, and a failing one fails the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str]:
    """The service on the documentary profile, and an API key it accepts."""
    base: Path = tmp_path_factory.mktemp("openapi")
    key = add_key(base / "keys.txt", "schemathesis")
    app = create_app(
        ServiceSettings(
            keys=str(base / "keys.txt"),
            profiles=(str(ROOT / "profiles" / "base" / "documentary.yaml"),),
            pool=str(base / "pool.sqlite"),
        )
    )
    return app, key


@pytest.fixture(scope="module")
def api_schema(service: tuple[Any, str]) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", service[0])


@pytest.fixture(autouse=True)
def _node_id(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32's lazy schema reads and sets ``node._nodeid``, which pytest 9.2's
    nodes no longer have (``nodeid`` is a property of ``_id``); it only names subtests."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=depth(25), deadline=None,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_no_server_error_and_no_schema_violation(
    case: schemathesis.Case, service: tuple[Any, str]
) -> None:
    from schemathesis.checks import not_a_server_error

    case.call_and_validate(
        headers={"X-API-Key": service[1]},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                response_schema_conformance],
    )  # fmt: skip


def test_the_document_declares_the_key_and_every_route(service: tuple[Any, str]) -> None:
    document = service[0].openapi()
    assert "APIKeyHeader" in document["components"]["securitySchemes"]
    paths = set(document["paths"])
    assert paths >= {"/v1/score", "/v1/select", "/v1/outcomes", "/v1/screen", "/v1/profiles",
                     "/v1/fields", "/v1/calls", "/healthz"}  # fmt: skip
