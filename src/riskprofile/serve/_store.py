"""The pool's store: every document part of every vessel call the service was sent, in
one SQLite file that every worker process of the service shares.

A call is kept as its parts, each the raw JSON it arrived as (so that a worker rebuilds
exactly what was sent): the voyage header (the document's top-level fields but its
consignments and containers), one row per bill of lading (the last version sent), and
one row per container declaration and the B/L whose document declared it (``""`` for a
document that named no B/L). Every write takes a sequence number from one counter, so a
worker that cached a call knows what changed since it last looked (rows with a higher
number). SQLite's write lock (``BEGIN IMMEDIATE``) orders the writers of all workers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskprofile.errors import RiskProfileError

__all__ = ["BillRow", "BoxRow", "CallRow", "PoolStore", "PoolStoreError"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
    call TEXT PRIMARY KEY, header TEXT NOT NULL, header_seq INTEGER NOT NULL,
    seq INTEGER NOT NULL, arrival_day TEXT
);
CREATE TABLE IF NOT EXISTS bills (
    call TEXT NOT NULL, bl TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
    PRIMARY KEY (call, bl)
);
CREATE TABLE IF NOT EXISTS boxes (
    call TEXT NOT NULL, number TEXT NOT NULL, source TEXT NOT NULL, seq INTEGER NOT NULL,
    doc TEXT NOT NULL, PRIMARY KEY (call, number, source, doc)
);
CREATE TABLE IF NOT EXISTS outcomes (
    seq INTEGER PRIMARY KEY, call TEXT NOT NULL, unit TEXT NOT NULL, caller TEXT NOT NULL,
    doc TEXT NOT NULL
);
INSERT OR IGNORE INTO meta VALUES ('seq', 0);
"""


class PoolStoreError(RiskProfileError):
    """The pool's store cannot be opened or written (``path`` names it)."""

    def __init__(self, message: str, *, path: str) -> None:
        self.message = message
        self.path = path
        super().__init__(f"pool store {path}: {message}")


@dataclass(frozen=True, slots=True)
class CallRow:
    """A call's header and sequence numbers."""

    call: str
    header: dict[str, Any]
    header_seq: int
    seq: int
    arrival_day: str | None


@dataclass(frozen=True, slots=True)
class BillRow:
    """The last version of one bill of lading of a call, as sent."""

    bl: str
    seq: int
    doc: str


@dataclass(frozen=True, slots=True)
class BoxRow:
    """One container declaration of a call, and the B/L whose document declared it."""

    number: str
    source: str
    seq: int
    doc: str


def canonical(value: Any) -> str:
    """One JSON text per value (sorted keys), so that equal parts compare equal."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class PoolStore:
    """The SQLite store of the pool (see the module docstring).

    Args:
        path: the database file (created when missing), or ``":memory:"`` for a store
            that lives as long as this object (one process only).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            if self.path != ":memory:":
                target = Path(self.path)
                if target.exists() and not target.is_file():
                    raise PoolStoreError("not a regular file", path=self.path)
            self._db = sqlite3.connect(
                self.path, timeout=30, isolation_level=None, check_same_thread=False
            )
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise PoolStoreError(str(exc), path=self.path) from None

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (every worker waits its turn)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise PoolStoreError(str(exc), path=self.path) from None
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: one consistent view of the store."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._db.execute("COMMIT")

    @staticmethod
    def next_seq(db: sqlite3.Connection) -> int:
        """The next sequence number (inside a write transaction)."""
        db.execute("UPDATE meta SET value = value + 1 WHERE name = 'seq'")
        row = db.execute("SELECT value FROM meta WHERE name = 'seq'").fetchone()
        return int(row[0])

    @staticmethod
    def call(db: sqlite3.Connection, call: str) -> CallRow | None:
        """The call's row, or None when the pool does not hold it."""
        row = db.execute(
            "SELECT header, header_seq, seq, arrival_day FROM calls WHERE call = ?", (call,)
        ).fetchone()
        if row is None:
            return None
        return CallRow(call, json.loads(row[0]), int(row[1]), int(row[2]), row[3])

    @staticmethod
    def calls(db: sqlite3.Connection) -> list[CallRow]:
        """Every call of the pool, in key order."""
        rows = db.execute(
            "SELECT call, header, header_seq, seq, arrival_day FROM calls ORDER BY call"
        ).fetchall()
        return [CallRow(r[0], json.loads(r[1]), int(r[2]), int(r[3]), r[4]) for r in rows]

    @staticmethod
    def bills(db: sqlite3.Connection, call: str, since: int = 0) -> list[BillRow]:
        """The call's bills of lading written after ``since``, in write order."""
        rows = db.execute(
            "SELECT bl, seq, doc FROM bills WHERE call = ? AND seq > ? ORDER BY seq",
            (call, since),
        ).fetchall()
        return [BillRow(r[0], int(r[1]), r[2]) for r in rows]

    @staticmethod
    def boxes(
        db: sqlite3.Connection, call: str, since: int = 0, sources: frozenset[str] = frozenset()
    ) -> list[BoxRow]:
        """The call's container declarations written after ``since``, and every one
        declared by the B/Ls ``sources``, in write order."""
        rows = db.execute(
            "SELECT number, source, seq, doc FROM boxes WHERE call = ? ORDER BY seq, number, doc",
            (call,),
        ).fetchall()
        return [
            BoxRow(r[0], r[1], int(r[2]), r[3]) for r in rows if r[2] > since or r[1] in sources
        ]

    def outcomes(self, call: str | None = None) -> list[tuple[str, str, str, dict[str, Any]]]:
        """The outcomes recorded: (call, unit, caller, outcome), in the order received."""
        with self.reading() as db:
            rows = db.execute(
                "SELECT call, unit, caller, doc FROM outcomes ORDER BY seq"
            ).fetchall()
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows if call in (None, r[0])]
