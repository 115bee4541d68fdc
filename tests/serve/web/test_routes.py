"""Every route of the pages, whoever added it (the shell, the queue, the exchange): a
request without a session is refused (a page goes to the sign-in page), and a
state-changing request without the session's CSRF token is refused, before the route
runs. New routes are found from the application itself, so none can skip this."""

from __future__ import annotations

import importlib
import re
import tempfile
from typing import Any

import pytest
from fastapi.routing import APIRoute

from riskprofile.serve.web import WebSettings, create_web_app
from riskprofile.serve.web._routers import ROUTERS
from tests.serve.web.conftest import DOCUMENTARY, Workbench

PUBLIC = {("GET", "/login"), ("POST", "/login")}  # before a session, by design
_PARAM = re.compile(r"\{[^}]+\}")


def _api_routes(routes: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found += [(m, prefix + route.path) for m in route.methods - {"HEAD"}]
        elif hasattr(route, "original_router"):  # FastAPI >= 0.16x keeps included routers
            context = getattr(route, "include_context", None)
            found += _api_routes(
                route.original_router.routes, prefix + (getattr(context, "prefix", "") or "")
            )
    return found


def _peer_routes() -> set[tuple[str, str]]:
    """Routes other systems call (a module's ``peer_router``): authenticated otherwise
    (a signed message), tested with their module."""
    found: set[tuple[str, str]] = set()
    for name in ROUTERS:
        peer = getattr(importlib.import_module(name), "peer_router", None)
        if peer is not None:
            found |= set(_api_routes(peer.routes))
    return found


def _routes() -> list[tuple[str, str]]:
    excluded = PUBLIC | _peer_routes()
    with tempfile.TemporaryDirectory(prefix="riskprofile-routes-") as tmp:
        app = create_web_app(WebSettings(data=tmp, profiles=(str(DOCUMENTARY),)))
        found = {r for r in _api_routes(app.routes) if r not in excluded}
        app.state.web.store.close()
    return sorted(found)


ROUTES = _routes()


def _concrete(path: str) -> str:
    return _PARAM.sub("1", path)


def test_the_routes_are_found() -> None:
    paths = {p for _m, p in ROUTES}
    assert {"/", "/audit", "/users", "/changes", "/logout", "/queue"} <= paths
    assert len(ROUTES) > 20


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_without_a_session_every_route_is_refused(
    workbench: Workbench, method: str, path: str
) -> None:
    response = workbench.client().request(method, _concrete(path), data={"x": "1"})
    if method == "GET":
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    else:
        assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [r for r in ROUTES if r[0] != "GET"],
    ids=[f"{m} {p}" for m, p in ROUTES if m != "GET"],
)
@pytest.mark.parametrize("token", [None, "forged"])
def test_without_the_csrf_token_every_state_changing_route_is_refused(
    workbench: Workbench, method: str, path: str, token: str | None
) -> None:
    client = workbench.client("sue")  # a supervisor: the role is not what refuses it
    data = {"x": "1"} if token is None else {"x": "1", "csrf_token": token}
    response = client.request(method, _concrete(path), data=data)
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    headers = {"X-CSRF-Token": "forged"}
    assert client.request(method, _concrete(path), headers=headers).status_code == 403
