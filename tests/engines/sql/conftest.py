"""The SQL engine on each supported dialect: DuckDB in-process, PostgreSQL on the
throwaway server of ``tests/pgserver.py`` (skipped without the binaries, unless
``RISKPROFILE_REQUIRE_POSTGRES=1``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from riskprofile.engines.sql import SqlEngine, _run

DIALECTS = ["duckdb", "postgres"]


@pytest.fixture(scope="session")
def postgres_engine(postgres_dsn: str) -> Iterator[SqlEngine]:
    """One connection for the session: each test's tables are temporary and dropped."""
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(postgres_dsn) as connection:
        yield SqlEngine(connection)


@pytest.fixture(params=DIALECTS)
def sql_engine(request: pytest.FixtureRequest) -> SqlEngine:
    """The SQL engine on each dialect in turn."""
    if request.param == "duckdb":
        pytest.importorskip("duckdb")
        return SqlEngine("duckdb")
    engine: SqlEngine = request.getfixturevalue("postgres_engine")
    return engine


@pytest.fixture(autouse=True)
def _strict_nulls(monkeypatch: pytest.MonkeyPatch) -> None:
    """A NULL in a hit or error column fails the test (the engine would otherwise leave
    the row to the row-wise engine, hiding a translation that lets SQL's NULL through)."""
    monkeypatch.setattr(_run, "STRICT_MASKS", True)
