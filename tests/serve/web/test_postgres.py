"""The workbench on PostgreSQL (``serve --web --store postgresql://...``): the same
shell on a server - sessions, the audit chain and its append-only guard, four eyes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from riskprofile.serve.web import WebSettings, WebStore, add_user, create_web_app, verify
from riskprofile.serve.web._audit import entries
from tests.pgserver import fresh_database
from tests.serve.web.conftest import PASSWORD, USERS, Workbench, csrf_of
from tests.serve.web.test_changes import NEW_LIST, _folder

pytest.importorskip("psycopg")


@pytest.fixture
def pg_bench(postgres_dsn: str, tmp_path: Path) -> Iterator[Workbench]:
    with fresh_database(postgres_dsn) as dsn:
        settings = WebSettings(store=dsn, profiles=(str(_folder(tmp_path)),), reload_seconds=-1)
        app = create_web_app(settings)
        for name, role in USERS.items():
            add_user(app.state.web.store, name, role, PASSWORD, actor="cli:test")
        yield Workbench(app, settings)
        app.state.web.store.close()


def test_sign_in_four_eyes_and_the_audit_chain_on_postgresql(pg_bench: Workbench) -> None:
    analyst = pg_bench.client("ana")
    response = analyst.post(
        "/changes",
        data={
            "csrf_token": csrf_of(analyst),
            "reason": "intel",
            "path": "watched.csv",
            "content": NEW_LIST,
        },
    )
    assert response.status_code == 303
    page = response.headers["location"]
    assert analyst.post(page + "/approve", data={"csrf_token": csrf_of(analyst)}).status_code == 403
    supervisor = pg_bench.client("sue")
    assert (
        supervisor.post(page + "/approve", data={"csrf_token": csrf_of(supervisor)}).status_code
        == 303
    )
    folder = pg_bench.settings.profile_folder
    assert folder is not None
    assert (folder / "watched.csv").read_text() == NEW_LIST
    store: WebStore = pg_bench.store
    report = verify(store)
    assert report.intact
    with store.read() as tx:
        actions = [e.action for e in entries(tx)]
    assert actions.count("user.add") == len(USERS)
    assert [a for a in actions if a.startswith("change.")] == ["change.propose", "change.approve"]


def test_postgresql_refuses_to_edit_the_audit_log(pg_bench: Workbench) -> None:
    import psycopg

    store: WebStore = pg_bench.store
    with contextlib.suppress(Exception), store.write() as tx:
        tx.execute("UPDATE web_audit SET actor = 'mallory' WHERE seq = 1")
    with pytest.raises(psycopg.Error, match="append-only"), store.write() as tx:
        tx.execute("DELETE FROM web_audit WHERE seq = 1")
    assert verify(store).intact
