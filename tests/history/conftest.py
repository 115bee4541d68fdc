"""The history store's backends as fixtures: every store test runs on an embedded DuckDB
file and, when the throwaway PostgreSQL server of ``tests/pgserver.py`` can start, on
PostgreSQL too (each test in a schema of its own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest


def fresh_schema_dsn(dsn: str) -> str:
    """A DSN whose tables live in a new, empty schema of the server ``dsn`` names."""
    import psycopg

    schema = f"h_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}".encode())
    joiner = "&" if "?" in dsn else "?"
    return f"{dsn}{joiner}options={quote(f'-csearch_path={schema}')}"


def server_dsn(request: pytest.FixtureRequest) -> str:
    """The DSN of the throwaway server (``postgres_dsn``, which skips the test without
    the PostgreSQL binaries)."""
    return str(request.getfixturevalue("postgres_dsn"))


@pytest.fixture(params=["duckdb", "postgresql"])
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty store location: a DuckDB file, or a PostgreSQL schema."""
    if request.param == "duckdb":
        yield str(tmp_path / "history.duckdb")
    else:
        yield fresh_schema_dsn(server_dsn(request))


@pytest.fixture
def duckdb_location(tmp_path: Path) -> str:
    """A new DuckDB store file."""
    return str(tmp_path / "history.duckdb")
