"""Where the workbench keeps its state: an embedded SQLite file, or a PostgreSQL server.

One small interface for both (:class:`WebStore`): a transaction (:meth:`WebStore.write`
for a change, :meth:`WebStore.read` for a look) gives a :class:`Tx` whose ``execute``
and ``rows`` take SQL written with ``?`` placeholders. The SQL kept to what both
databases share (TEXT, BIGINT, no auto-increment: a number is taken inside the
transaction that adds the row), so a table any part of the workbench adds (the queue's,
the exchange inbox's) is declared once (:meth:`WebStore.declare`).

A write transaction is serialised: SQLite's ``BEGIN IMMEDIATE`` takes the database's
write lock at once, PostgreSQL takes one advisory lock per store; the audit chain
(:mod:`riskprofile.serve.web._audit`) relies on it, each entry naming the one before.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from riskprofile._locations import is_dsn, shown_location
from riskprofile.errors import RiskProfileError

__all__ = ["SCHEMA", "Tx", "WebStore", "WebStoreError"]

_PG_LOCK = 2020_0001  # the advisory lock a write transaction takes on PostgreSQL

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS web_users (
        username TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled BIGINT NOT NULL DEFAULT 0,
        language TEXT,
        created TEXT NOT NULL,
        changed TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_sessions (
        token_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        csrf TEXT NOT NULL,
        created TEXT NOT NULL,
        expires TEXT NOT NULL,
        last_seen TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_login_failures (
        subject TEXT NOT NULL,
        at DOUBLE PRECISION NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_audit (
        seq BIGINT PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        before TEXT,
        after TEXT,
        prev TEXT NOT NULL,
        hash TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS web_changes (
        id BIGINT PRIMARY KEY,
        path TEXT NOT NULL,
        kind TEXT NOT NULL,
        content TEXT NOT NULL,
        base_sha TEXT NOT NULL,
        reason TEXT NOT NULL,
        proposer TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        status TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT,
        note TEXT)""",
)
"""The shell's tables (users, sessions, login failures, the audit log, proposed
changes); created when a store opens."""

# The audit log is append-only in the database too: an UPDATE or a DELETE is refused.
_SQLITE_GUARDS = (
    """CREATE TRIGGER IF NOT EXISTS web_audit_no_update BEFORE UPDATE ON web_audit
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS web_audit_no_delete BEFORE DELETE ON web_audit
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
)
_PG_GUARDS = (
    """CREATE OR REPLACE FUNCTION web_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql""",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'web_audit_append_only') THEN
           CREATE TRIGGER web_audit_append_only BEFORE UPDATE OR DELETE ON web_audit
           FOR EACH ROW EXECUTE FUNCTION web_audit_append_only();
         END IF;
       END $$""",
)


class WebStoreError(RiskProfileError):
    """The workbench's store cannot be opened, read or written; ``store`` names it (a
    PostgreSQL URL without its password)."""

    def __init__(self, message: str, *, store: str | None = None) -> None:
        self.message = message
        self.store = store
        super().__init__(f"workbench store {store}: {message}" if store else message)


class Tx:
    """One transaction: statements with ``?`` placeholders, on either database."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self._connection = connection
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        cursor = self._connection.execute(self._sql(sql), tuple(params))
        return int(cursor.rowcount or 0)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A query's rows, as tuples."""
        cursor = self._connection.execute(self._sql(sql), tuple(params))
        return [tuple(r) for r in cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """A query's first row, or None."""
        found = self.rows(sql, params)
        return found[0] if found else None

    def next_id(self, table: str, column: str = "id") -> int:
        """The next number in ``table.column`` (inside a write transaction, which is
        serialised, so two writers never take the same one)."""
        row = self.one(f"SELECT COALESCE(MAX({column}), 0) FROM {table}")  # noqa: S608
        return int(row[0] if row else 0) + 1


class WebStore:
    """The workbench's database: a SQLite file (``data/workbench.sqlite``) or a
    PostgreSQL URL (``postgresql://user@host/db``).

        >>> store = WebStore(":memory:")
        >>> with store.write() as tx:
        ...     _ = tx.execute("INSERT INTO web_login_failures VALUES (?, ?)", ("x", 1.0))
        >>> with store.read() as tx:
        ...     tx.rows("SELECT subject FROM web_login_failures")
        [('x',)]
    """

    def __init__(self, location: str) -> None:
        self.location = location
        self.dialect = "postgresql" if is_dsn(location) else "sqlite"
        self.shown = shown_location(location)
        self._local = threading.local()
        self._memory: sqlite3.Connection | None = None
        self._memory_lock = threading.Lock()
        self._declared: list[str] = []
        if self.dialect == "sqlite" and location != ":memory:":
            parent = Path(location).parent
            if not parent.is_dir():
                raise WebStoreError(f"the folder {parent} does not exist", store=self.shown)
        self.declare(*SCHEMA)
        guards = _PG_GUARDS if self.dialect == "postgresql" else _SQLITE_GUARDS
        self.declare(*guards)

    def declare(self, *statements: str) -> None:
        """Run ``CREATE TABLE IF NOT EXISTS ...`` statements (a part of the workbench
        declaring its tables; run again on every start, so they must be idempotent)."""
        with self.write() as tx:
            for statement in statements:
                tx.execute(statement)
        self._declared.extend(statements)

    def _connect(self) -> Any:
        if self.dialect == "postgresql":
            try:
                import psycopg
            except ImportError:
                raise WebStoreError(
                    "a PostgreSQL store needs psycopg: pip install 'psycopg[binary]'",
                    store=self.shown,
                ) from None
            try:
                return psycopg.connect(self.location, autocommit=True)
            except psycopg.Error as exc:
                raise WebStoreError(str(exc).strip(), store=self.shown) from None
        try:
            connection = sqlite3.connect(
                self.location, timeout=30, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise WebStoreError(str(exc), store=self.shown) from None
        return connection

    def _connection(self) -> Any:
        if self.location == ":memory:":
            # One connection for the process (a new one would be a new empty database).
            if self._memory is None:
                self._memory = self._connect()
            return self._memory
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
            self._local.connection = connection
        return connection

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Tx]:
        memory = self.location == ":memory:"
        if memory:
            self._memory_lock.acquire()
        try:
            connection = self._connection()
            try:
                if self.dialect == "postgresql":
                    connection.execute("BEGIN")
                    if write:
                        connection.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_LOCK,))
                else:
                    connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except Exception as exc:
                raise WebStoreError(str(exc).strip(), store=self.shown) from None
            try:
                yield Tx(connection, self.dialect)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            if memory:
                self._memory_lock.release()

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A transaction that changes the store: serialised with every other write,
        committed when the block ends, rolled back if it raises."""
        with self._transaction(write=True) as tx:
            yield tx

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A transaction that only reads."""
        with self._transaction(write=False) as tx:
            yield tx

    def close(self) -> None:
        """Close this thread's connection (and the in-memory one)."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
        if self._memory is not None:
            self._memory.close()
            self._memory = None
