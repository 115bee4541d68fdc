"""The shell's own pages at work: the account (language, password), the users page, the
audit log page, and the pages mounted beside the JSON service in one application."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from riskprofile.serve import ServiceSettings, add_key, create_app
from riskprofile.serve.web import WebSettings, add_user, mount_web
from tests.serve.web.conftest import DOCUMENTARY, PASSWORD, Workbench, csrf_of, sign_in


def test_changing_ones_password_needs_the_current_one_and_ends_the_session(
    workbench: Workbench,
) -> None:
    client = workbench.client("ana")
    wrong = client.post(
        "/account/password",
        data={"csrf_token": csrf_of(client), "current": "not it at all", "new": "x" * 14},
    )
    assert wrong.status_code == 403
    short = client.post(
        "/account/password",
        data={"csrf_token": csrf_of(client), "current": PASSWORD, "new": "short"},
    )
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    done = client.post(
        "/account/password",
        data={"csrf_token": csrf_of(client), "current": PASSWORD, "new": "a new long password"},
    )
    assert done.headers["location"] == "/login"
    assert client.get("/").status_code == 303  # every session of the user ended
    assert sign_in(workbench.client(), "ana", PASSWORD).status_code == 401
    assert sign_in(workbench.client(), "ana", "a new long password").status_code == 303


def test_a_supervisor_adds_and_disables_users_on_the_users_page(workbench: Workbench) -> None:
    client = workbench.client("sue")
    added = client.post(
        "/users",
        data={
            "csrf_token": csrf_of(client),
            "username": "olga",
            "role": "officer",
            "password": "olga's long password",
        },
    )
    assert added.status_code == 303
    assert "olga" in client.get("/users").text
    assert sign_in(workbench.client(), "olga", "olga's long password").status_code == 303
    taken = client.post(
        "/users",
        data={
            "csrf_token": csrf_of(client),
            "username": "olga",
            "role": "officer",
            "password": "another long one",
        },
    )
    assert taken.status_code == 422
    assert "the name is taken" in taken.text
    bad_role = client.post(
        "/users",
        data={
            "csrf_token": csrf_of(client),
            "username": "root",
            "role": "admin",
            "password": "another long one",
        },
    )
    assert bad_role.status_code == 422
    disabled = client.post("/users/olga/disable", data={"csrf_token": csrf_of(client)})
    assert disabled.status_code == 303
    assert sign_in(workbench.client(), "olga", "olga's long password").status_code == 401
    unknown = client.post("/users/nobody/disable", data={"csrf_token": csrf_of(client)})
    assert unknown.status_code == 422
    assert (
        client.post("/users/olga/enable", data={"csrf_token": csrf_of(client)}).status_code == 303
    )


def test_the_audit_page_lists_entries_and_checks_the_chain(workbench: Workbench) -> None:
    client = workbench.client("sue")
    page = client.get("/audit")
    assert "user.add" in page.text
    assert "login" in page.text
    assert "The chain is intact" in client.get("/audit?check=true").text
    path = Path(workbench.settings.location)
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP TRIGGER web_audit_no_update")
    raw.execute("UPDATE web_audit SET actor = 'someone' WHERE seq = 2")
    raw.close()
    broken = client.get("/audit?check=true").text
    assert "The chain is broken" in broken
    assert "entry 2 (user.add by someone" in broken
    assert client.get("/audit?before=3").status_code == 200
    assert client.get("/audit?before=-1").status_code == 422


def test_the_pages_sit_beside_the_json_service(tmp_path: Path) -> None:
    key = add_key(tmp_path / "keys.txt", "asycuda")
    app: FastAPI = create_app(
        ServiceSettings(keys=str(tmp_path / "keys.txt"), profiles=(str(DOCUMENTARY),))
    )
    mount_web(app, WebSettings(data=str(tmp_path / "data"), profiles=(str(DOCUMENTARY),)))
    add_user(app.state.web.store, "ana", "analyst", PASSWORD, actor="cli:test")
    client = TestClient(app, follow_redirects=False)
    assert client.get("/healthz").json()["status"] == "ok"
    refused = client.get("/v1/profiles")
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/json")
    assert client.get("/v1/profiles", headers={"X-API-Key": key}).status_code == 200
    missing = client.get("/v1/nothing", headers={"X-API-Key": key})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/json")
    bad = client.post("/v1/score", headers={"X-API-Key": key}, json={"manifests": "x"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/json")
    assert "content-security-policy" not in refused.headers  # the API's answers are its own
    assert client.get("/").status_code == 303
    sign_in(client, "ana")
    assert client.get("/").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/score" in paths
    assert not [p for p in paths if not p.startswith(("/v1/", "/healthz"))]  # no page in it
