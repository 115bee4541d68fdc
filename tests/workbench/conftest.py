"""Fixtures of the work-queue tests: a small port day as a batch file, the bundled
profiles, and the two places a workbench is kept (a SQLite file and, when the throwaway
server of ``tests/pgserver.py`` can start, a PostgreSQL schema of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from riskprofile.io import write_json
from riskprofile.profiles import ProfileSet, load_profiles
from riskprofile.synth import generate_port_day
from tests.history.conftest import fresh_schema_dsn, server_dsn

AS_OF = "2026-11-02"


@pytest.fixture(scope="session")
def profiles() -> ProfileSet:
    return load_profiles(bundled=True, country="PK")


@pytest.fixture(scope="session")
def port_day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A port day of 60 containers with planted cases, as a JSON batch file."""
    path = tmp_path_factory.mktemp("workbench") / "port-day.json"
    write_json(generate_port_day(5, 60).manifests, path)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, empty workbench location: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield str(tmp_path / "workbench.sqlite")
    else:
        yield fresh_schema_dsn(server_dsn(request))
