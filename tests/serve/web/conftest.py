"""Shared pieces of the workbench's tests: an application on a store of its own, users
of each role, and a test client signed in as one of them (reuse them for new pages:
``from tests.serve.web.conftest import Workbench``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("argon2")
pytest.importorskip("jinja2")
pytest.importorskip("babel")

from fastapi.testclient import TestClient

from riskprofile.serve.web import WebSettings, add_user, create_web_app

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTARY = ROOT / "profiles" / "base" / "documentary.yaml"
PASSWORD = "correct horse battery staple"
USERS = {"ana": "analyst", "otto": "officer", "sue": "supervisor", "sam": "supervisor"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Workbench:
    """An application with one user of each role (and a second supervisor)."""

    app: Any
    settings: WebSettings

    def client(self, username: str | None = None) -> TestClient:
        """A browser: signed in as ``username`` (None: not signed in)."""
        client = TestClient(self.app, follow_redirects=False)
        if username is not None:
            sign_in(client, username)
        return client

    @property
    def store(self) -> Any:
        return self.app.state.web.store


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    """Sign ``client`` in through the login form (its own CSRF cookie included)."""
    client.get("/login")
    token = client.cookies.get("rp_login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "login_token": token, "next": "/"},
    )


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The session's CSRF token, as a page carries it in its forms."""
    found = _CSRF.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def make_workbench(
    tmp: Path, profiles: tuple[str, ...] = (str(DOCUMENTARY),), **options: Any
) -> Workbench:
    """A workbench on ``tmp``'s data folder with the :data:`USERS`."""
    settings = WebSettings(data=str(tmp / "data"), profiles=profiles, **options)
    app = create_web_app(settings)
    for name, role in USERS.items():
        add_user(app.state.web.store, name, role, PASSWORD, actor="cli:test")
    return Workbench(app, settings)


@pytest.fixture
def workbench(tmp_path: Path) -> Iterator[Workbench]:
    """A fresh workbench (its own SQLite store)."""
    bench = make_workbench(tmp_path)
    yield bench
    bench.store.close()


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its real cost takes ~0.2 s of CPU a hash: the tests use the same
    algorithm at its lowest cost (the hash records its parameters, so checks still work)."""
    from argon2 import PasswordHasher

    from riskprofile.serve.web import _users

    monkeypatch.setattr(
        _users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
