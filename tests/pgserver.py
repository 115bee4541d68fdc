"""A throwaway PostgreSQL server for the tests that need a real one.

``postgres_dsn`` (a session fixture, registered in ``tests/conftest.py``) starts one
server per test process - so one per pytest-xdist worker - and yields its DSN (``str``,
``postgresql://riskprofile@127.0.0.1:PORT/postgres``): ``initdb`` into a fresh temporary
directory, ``pg_ctl start`` on a free loopback port (TCP on 127.0.0.1 only, the unix
socket inside the temporary directory, fsync off: the data dies with the run), trust
authentication for the one superuser. At the end of the session the server is stopped
and the directory removed.

When the PostgreSQL binaries (``initdb``, ``pg_ctl``) are not found - on ``PATH`` or in
``/usr/lib/postgresql/*/bin`` - the tests that use the fixture are skipped, unless
``RISKPROFILE_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it): then they fail, saying why.

PostgreSQL refuses to run as root; under root (a container) ``initdb`` and the server run
as the unprivileged ``postgres`` user, or ``nobody`` when there is none.

Each test gets the same server: a test that needs a clean slate creates its own schema or
database (``fresh_database`` below) or uses temporary tables.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRE_VARIABLE = "RISKPROFILE_REQUIRE_POSTGRES"
SUPERUSER = "riskprofile"
_START_ATTEMPTS = 5  # a free port can be taken by another worker before the server binds


class PostgresUnavailableError(RuntimeError):
    """The PostgreSQL binaries are missing, or the server did not start."""


def required() -> bool:
    """Whether ``RISKPROFILE_REQUIRE_POSTGRES`` asks for a failure instead of a skip."""
    return os.environ.get(REQUIRE_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def find_binaries() -> tuple[Path, Path]:
    """``initdb`` and ``pg_ctl``: from ``PATH``, else the newest Debian-style install."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb), Path(pg_ctl)
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        candidate = Path(directory)
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate / "initdb", candidate / "pg_ctl"
    raise PostgresUnavailableError(
        "PostgreSQL binaries not found: initdb and pg_ctl are neither on PATH nor in "
        "/usr/lib/postgresql/*/bin (install PostgreSQL, e.g. apt-get install postgresql)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The user the server runs as when the tests run as root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailableError("running as root and neither a 'postgres' nor a 'nobody' user")


@dataclass
class PostgresServer:
    """One throwaway server: ``start()``, then ``dsn``; ``stop()`` removes everything."""

    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="riskprofile-pg-")))
    port: int = 0
    _binaries: tuple[Path, Path] | None = None
    _user: pwd.struct_passwd | None = None
    _running: bool = False

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    @property
    def dsn(self) -> str:
        """The libpq URL of the server's ``postgres`` database (TCP, loopback)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        user = self._user
        return subprocess.run(
            [str(a) for a in args],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.root,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
            timeout=120,
        )

    def start(self) -> None:
        """``initdb`` and ``pg_ctl start`` (waiting until it accepts connections)."""
        self._binaries = initdb, pg_ctl = find_binaries()
        self._user = _unprivileged_user()
        if self._user is not None:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        done = self._run(
            initdb, "-D", self.data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        if done.returncode != 0:
            raise PostgresUnavailableError(f"initdb failed ({done.returncode}): {done.stderr}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=40 -c shared_buffers=32MB"
        )
        for _ in range(_START_ATTEMPTS):
            self.port = _free_port()
            done = self._run(
                pg_ctl, "start", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                "-o", f"{options} -p {self.port}",
            )  # fmt: skip
            if done.returncode == 0:
                self._running = True
                return
        log = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        raise PostgresUnavailableError(f"pg_ctl start failed: {done.stderr}\n{log[-2000:]}")

    def stop(self) -> None:
        """Stop the server (immediately: nothing in it is kept) and remove its directory."""
        try:
            if self._running and self._binaries is not None:
                self._run(self._binaries[1], "stop", "-D", self.data, "-m", "immediate", "-w")
                self._running = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A started server, stopped and removed on exit."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


def skip_or_fail_without_binaries() -> None:
    """Skip the calling test when the binaries are missing; fail it instead when
    ``RISKPROFILE_REQUIRE_POSTGRES=1``."""
    try:
        find_binaries()
    except PostgresUnavailableError as exc:
        if required():
            pytest.fail(f"{REQUIRE_VARIABLE}=1 but {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """The DSN of a throwaway PostgreSQL server (one per test process), e.g.
    ``postgresql://riskprofile@127.0.0.1:54321/postgres``. Skips without the binaries,
    unless ``RISKPROFILE_REQUIRE_POSTGRES=1``: then it fails."""
    skip_or_fail_without_binaries()
    with running_server() as server:
        yield server.dsn


@contextlib.contextmanager
def fresh_database(dsn: str) -> Iterator[str]:
    """A new, empty database on the server of ``dsn``, dropped on exit; yields its DSN."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dsn.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
