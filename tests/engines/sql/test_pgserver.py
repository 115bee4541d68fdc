"""The throwaway PostgreSQL server of ``tests/pgserver.py``: what the fixture promises."""

from __future__ import annotations

import pytest

from tests import pgserver


def test_the_server_answers_on_loopback_only(postgres_dsn: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    assert postgres_dsn.startswith("postgresql://riskprofile@127.0.0.1:")
    with psycopg.connect(postgres_dsn) as connection:
        settings = dict(
            connection.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN "
                "('listen_addresses', 'fsync', 'server_version_num')"
            ).fetchall()
        )
        assert connection.execute("SELECT 1 + 1").fetchone() == (2,)
    assert settings["listen_addresses"] == "127.0.0.1"
    assert settings["fsync"] == "off"
    assert int(settings["server_version_num"]) >= 120000


def test_a_fresh_database_is_empty_and_dropped(postgres_dsn: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with pgserver.fresh_database(postgres_dsn) as dsn:
        name = dsn.rsplit("/", 1)[1]
        with psycopg.connect(dsn) as connection:
            connection.execute("CREATE TABLE t (x int)")
            assert connection.execute("SELECT current_database()").fetchone() == (name,)
    with psycopg.connect(postgres_dsn) as connection:
        left = connection.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    assert left == (0,)


def test_stop_removes_the_directory() -> None:
    try:
        pgserver.find_binaries()
    except pgserver.PostgresUnavailableError:
        pytest.skip("no PostgreSQL binaries")
    with pgserver.running_server() as server:
        root = server.root
        assert (server.data / "PG_VERSION").exists()
    assert not root.exists()


def test_missing_binaries_skip_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgserver.shutil, "which", lambda _name: None)
    monkeypatch.setattr(pgserver.glob, "glob", lambda _pattern: [])
    monkeypatch.delenv(pgserver.REQUIRE_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="initdb and pg_ctl are neither on PATH"):
        pgserver.skip_or_fail_without_binaries()
    monkeypatch.setenv(pgserver.REQUIRE_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match="RISKPROFILE_REQUIRE_POSTGRES=1 but"):
        pgserver.skip_or_fail_without_binaries()
