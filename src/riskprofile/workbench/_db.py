"""The two places the work queue is kept: an embedded SQLite file, or a PostgreSQL server.

Both run the same SQL: statements are written once with ``:name`` parameters (SQLite's
own style; PostgreSQL's ``%(name)s`` is substituted), plain types (TEXT, BIGINT and the
one binary column), ``ON CONFLICT DO NOTHING`` and no engine-specific function. Writers
are ordered by one counter row (``wb_meta``), which every write transaction updates
first: SQLite and PostgreSQL then both serialise them on that row.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from riskprofile._locations import is_dsn, shown_location
from riskprofile.errors import WorkbenchError

__all__ = ["Database", "SharedDatabase", "connect", "is_sqlite_file", "schema", "upgrade"]

_PARAM = re.compile(r":([a-z_][a-z0-9_]*)")
_SQLITE_MAGIC = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wb_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO wb_meta (name, value) VALUES ('seq', 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS wb_batches (
    batch_id TEXT PRIMARY KEY, name TEXT NOT NULL, origin TEXT NOT NULL,
    status TEXT NOT NULL, error TEXT, loaded_at TEXT NOT NULL, loaded_by TEXT NOT NULL,
    as_of TEXT, seed BIGINT, capacity TEXT, control_rate TEXT, records_read BIGINT,
    shipments BIGINT, units BIGINT, selected BIGINT, fingerprints TEXT, warnings TEXT,
    seq BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS wb_batch_files (batch_id TEXT PRIMARY KEY, content {blob} NOT NULL);
CREATE TABLE IF NOT EXISTS wb_rejected (
    batch_id TEXT NOT NULL, position BIGINT NOT NULL, record TEXT NOT NULL,
    reason TEXT NOT NULL, PRIMARY KEY (batch_id, position)
);
CREATE TABLE IF NOT EXISTS wb_units (
    unit_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL, unit_key TEXT NOT NULL,
    container_number TEXT, bl_numbers TEXT NOT NULL, position BIGINT NOT NULL,
    score TEXT NOT NULL, lane TEXT NOT NULL, forced_lane TEXT, list_rank BIGINT,
    state TEXT NOT NULL, selected_by TEXT, officer TEXT, disposition TEXT, partner TEXT,
    note TEXT, reason TEXT, result TEXT, category TEXT, quantity TEXT, quantity_unit TEXT,
    seizure BIGINT NOT NULL, result_date TEXT, version BIGINT NOT NULL,
    updated_at TEXT NOT NULL, updated_by TEXT NOT NULL, detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS wb_units_batch ON wb_units (batch_id, position);
CREATE TABLE IF NOT EXISTS wb_events (
    seq BIGINT PRIMARY KEY, unit_id TEXT, batch_id TEXT NOT NULL, action TEXT NOT NULL,
    actor TEXT NOT NULL, role TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT
);
CREATE TABLE IF NOT EXISTS wb_folder_files (
    path TEXT NOT NULL, batch_id TEXT NOT NULL, seen_at TEXT NOT NULL,
    PRIMARY KEY (path, batch_id)
);
"""


# Nullable columns added since the tables were first made: a store made before gets them
# when it is opened (see upgrade).
_ADDED = (("wb_units", "quantity_unit", "TEXT"),)


def upgrade(db: Database) -> None:
    """Add the columns a store made by an older riskprofile lacks (idempotent)."""
    for table, column, kind in _ADDED:
        if db.dialect == "postgresql":
            db.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
            continue
        # SQLite has no ADD COLUMN IF NOT EXISTS. The names are ours, never a value.
        names = {r[0] for r in db.rows(f"SELECT name FROM pragma_table_info('{table}')")}  # noqa: S608
        if column not in names:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def schema(dialect: str) -> list[str]:
    """The work queue's statements that make its tables (idempotent), for ``dialect``."""
    blob = "BYTEA" if dialect == "postgresql" else "BLOB"
    return [s.strip() for s in _SCHEMA.format(blob=blob).split(";") if s.strip()]


class Database(Protocol):
    """What the work queue needs of a database."""

    dialect: str
    location: str

    def transaction(self) -> Any:
        """A context manager: one write transaction (rolled back on an exception)."""

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        """Run one statement; the number of rows it changed."""

    def many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        """Run one statement for each parameter row."""

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """A query's rows."""

    def close(self) -> None:
        """Close the connection."""


def is_sqlite_file(path: str | Path) -> bool:
    """Whether ``path`` is a SQLite database file (read from its first 16 bytes)."""
    target = Path(path)
    if not target.is_file():
        return False
    with target.open("rb") as handle:
        return handle.read(16) == _SQLITE_MAGIC


class _SQLite:
    dialect = "sqlite"

    def __init__(self, path: str, create: bool) -> None:
        self.location = path
        self._lock = threading.RLock()
        self._depth = 0
        target = Path(path)
        if path != ":memory:":
            if target.exists() and not target.is_file():
                raise WorkbenchError("not a regular file", unit=f"workbench store {path}")
            if target.exists() and target.stat().st_size and not is_sqlite_file(target):
                raise WorkbenchError(
                    "is not a SQLite file (a workbench store); left untouched",
                    unit=f"workbench store {path}",
                )
            if not target.exists() and not create:
                raise WorkbenchError("no such store", unit=f"workbench store {path}")
        try:
            self._db = sqlite3.connect(
                path, timeout=30, isolation_level=None, check_same_thread=False
            )
            if path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA.format(blob="BLOB"))
            upgrade(self)
        except sqlite3.Error as exc:
            raise WorkbenchError(str(exc), unit=f"workbench store {path}") from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        with self._lock:
            return self._db.execute(sql, params or {}).rowcount

    def many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        with self._lock:
            self._db.executemany(sql, rows)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            return [tuple(r) for r in self._db.execute(sql, params or {}).fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class _Postgres:
    dialect = "postgresql"

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.location = shown_location(dsn)
        self._lock = threading.RLock()
        try:
            self._db = psycopg.connect(dsn, connect_timeout=10, autocommit=True)
            with self._db.transaction():
                # Two processes creating the tables at once would collide: one at a time.
                self._db.execute("SELECT pg_advisory_xact_lock(20261207)")
                for statement in _SCHEMA.format(blob="BYTEA").split(";"):
                    if statement.strip():
                        self._db.execute(statement.encode())
                upgrade(self)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise WorkbenchError(
                f"cannot open: {reason.replace(dsn, self.location)}",
                unit=f"workbench store {self.location}",
            ) from None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock, self._db.transaction():
            yield

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        with self._lock:
            cursor = self._db.execute(_PARAM.sub(r"%(\1)s", sql).encode(), params or {})
            return cursor.rowcount

    def many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        with self._lock, self._db.cursor() as cursor:
            cursor.executemany(_PARAM.sub(r"%(\1)s", sql).encode(), rows)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            cursor = self._db.execute(_PARAM.sub(r"%(\1)s", sql).encode(), params or {})
            return [tuple(r) for r in cursor.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class SharedDatabase:
    """The work queue's tables in another part's store, in that store's transactions.

    ``store`` has ``write()`` and ``read()``, context managers giving a transaction whose
    ``execute(sql, params)`` and ``rows(sql, params)`` take ``?`` placeholders, and
    ``declare(*statements)`` (the web shell's :class:`~riskprofile.serve.web.WebStore`).
    A change made while the calling thread is inside one of the store's write
    transactions (:meth:`joining`) joins it, so that the change and what the caller
    writes beside it (an audit entry) commit together.
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self.dialect: str = store.dialect
        self.location: str = getattr(store, "shown", None) or str(store.location)
        self._local = threading.local()
        store.declare(*schema(self.dialect))
        upgrade(self)

    @property
    def current(self) -> Any:
        """The store's transaction this thread is in, or None."""
        return getattr(self._local, "tx", None)

    @staticmethod
    def _positional(sql: str, params: dict[str, Any] | None) -> tuple[str, tuple[Any, ...]]:
        names = _PARAM.findall(sql)
        return _PARAM.sub("?", sql), tuple((params or {})[n] for n in names)

    @contextmanager
    def joining(self, tx: Any) -> Iterator[None]:
        """Run the work queue's statements in ``tx`` (one of the store's write
        transactions) until the block ends."""
        outer = self.current
        self._local.tx = tx
        try:
            yield
        finally:
            self._local.tx = outer

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self.current is not None:
            yield
            return
        with self.store.write() as tx, self.joining(tx):
            yield

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        text, values = self._positional(sql, params)
        if self.current is not None:
            return int(self.current.execute(text, values))
        with self.store.write() as tx:
            return int(tx.execute(text, values))

    def many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.execute(sql, row)

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        text, values = self._positional(sql, params)
        if self.current is not None:
            return list(self.current.rows(text, values))
        with self.store.read() as tx:
            return list(tx.rows(text, values))

    def close(self) -> None:
        """The store is its owner's to close."""


def connect(location: str | Path, *, create: bool = True) -> Database:
    """The database of a work-queue location: a ``postgresql://`` DSN, else a SQLite file
    (created when missing, unless ``create`` is false).

    Raises:
        WorkbenchError: it cannot be opened, or the file is not a SQLite database.
    """
    text = str(location)
    if not text.strip():
        raise WorkbenchError("give a SQLite file or a postgresql:// DSN", unit="workbench store")
    if is_dsn(text):
        return _Postgres(text)
    return _SQLite(text, create)
