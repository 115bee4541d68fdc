"""The exchange log: an append-only record of every message sent, received and imported.

SQLite from the standard library. Triggers refuse updates and deletions, so that the log
is evidence of what was exchanged; replay detection reads it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from riskprofile.errors import InputFormatError

__all__ = ["Direction", "ExchangeLog", "LogEntry"]

Direction = Literal["sent", "received", "imported", "rejected"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('sent', 'received', 'imported', 'rejected')),
    kind TEXT,
    message_id TEXT,
    sender TEXT,
    partner TEXT,
    digest TEXT,
    redacted TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS entries_message ON entries (message_id, direction);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the exchange log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the exchange log is append-only'); END;
"""


@dataclass(frozen=True)
class LogEntry:
    """One line of the log.

    Attributes:
        seq: its position in the log (1, 2, …).
        at: when (the time the caller gave, UTC).
        direction: ``sent``, ``received``, ``imported`` or ``rejected``.
        kind: ``warning``, ``feedback`` or ``seizure`` (None when unreadable).
        message_id, sender: of the message.
        partner: the other PCU: the recipient of a sent message, the sender otherwise.
        digest: SHA-256 of the bytes sent or received.
        redacted: the fields redacted before sending (``parties.name: hash``).
        note: a rejection reason, or what an import did.
    """

    seq: int
    at: dt.datetime
    direction: Direction
    kind: str | None
    message_id: str | None
    sender: str | None
    partner: str | None
    digest: str | None
    redacted: tuple[str, ...]
    note: str


class ExchangeLog:
    """The append-only log in an SQLite file (created on first use).

    >>> import tempfile, datetime as dt
    >>> log = ExchangeLog(tempfile.mkdtemp() + "/log.sqlite")
    >>> _ = log.record("sent", at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC), kind="warning",
    ...                message_id="m-0000001", sender="PK-KHI", partner="KZ-AKT")
    >>> [e.partner for e in log.query(kind="warning")]
    ['KZ-AKT']
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(exc) from None
        with self._database() as db, db:
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def _error(self, exc: Exception) -> InputFormatError:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if self.path.parent.exists() and not self.path.parent.is_dir():
            detail = f"{self.path.parent} is a file, not a folder"
        return InputFormatError(f"cannot use the exchange log: {detail}", path=str(self.path))

    @contextlib.contextmanager
    def _database(self) -> Iterator[sqlite3.Connection]:
        # A damaged or unreadable log is named, not a traceback. The triggers' refusals
        # (IntegrityError) are not damage and pass through.
        try:
            with closing(self._connect()) as db:
                yield db
        except sqlite3.IntegrityError:
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            raise self._error(exc) from None

    def record(
        self,
        direction: Direction,
        *,
        at: dt.datetime,
        kind: str | None = None,
        message_id: str | None = None,
        sender: str | None = None,
        partner: str | None = None,
        digest: str | None = None,
        redacted: tuple[str, ...] | list[str] = (),
        note: str = "",
    ) -> int:
        """Append one entry; returns its sequence number."""
        entry = {"at": at, "kind": kind, "message_id": message_id, "sender": sender,
                 "partner": partner, "digest": digest, "redacted": redacted,
                 "note": note}  # fmt: skip
        return self.record_many([(direction, entry)])[0]

    def record_many(self, entries: Sequence[tuple[Direction, Mapping[str, Any]]]) -> list[int]:
        """Append several entries in one transaction, all or none; returns their sequence
        numbers. Each entry is a direction and the keyword arguments of :meth:`record`."""
        rows = []
        for direction, fields in entries:
            at = fields["at"]
            if at.tzinfo is None:
                raise ValueError("log times must be timezone-aware")
            rows.append((at.astimezone(dt.UTC).isoformat(), direction, fields.get("kind"),
                         fields.get("message_id"), fields.get("sender"), fields.get("partner"),
                         fields.get("digest"), json.dumps(list(fields.get("redacted", ()))),
                         fields.get("note", "")))  # fmt: skip
        with self._database() as db, db:
            return [
                int(
                    db.execute(
                        "INSERT INTO entries (at, direction, kind, message_id, sender, partner,"
                        " digest, redacted, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        row,
                    ).lastrowid
                    or 0
                )
                for row in rows
            ]

    def query(
        self,
        *,
        direction: Direction | None = None,
        kind: str | None = None,
        partner: str | None = None,
        message_id: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> list[LogEntry]:
        """The entries matching every condition given, oldest first. ``since`` is
        inclusive and ``until`` exclusive."""
        where: list[str] = []
        params: list[str] = []
        for column, value in (("direction", direction), ("kind", kind),
                              ("partner", partner), ("message_id", message_id)):  # fmt: skip
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("at >= ?")
            params.append(since.astimezone(dt.UTC).isoformat())
        if until is not None:
            where.append("at < ?")
            params.append(until.astimezone(dt.UTC).isoformat())
        sql = "SELECT * FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._database() as db:
            rows = db.execute(sql + " ORDER BY seq", params).fetchall()
        try:
            return [_entry(row) for row in rows]
        except (TypeError, ValueError) as exc:
            raise self._error(ValueError(f"an entry cannot be read ({exc})")) from None

    def received(self, message_id: str) -> list[LogEntry]:
        """The ``received`` entries of a message id (empty if it was never received)."""
        return self.query(direction="received", message_id=message_id)

    def __iter__(self) -> Iterator[LogEntry]:
        return iter(self.query())


def _entry(row: tuple[object, ...]) -> LogEntry:
    seq, at, direction, kind, message_id, sender, partner, digest, redacted, note = row
    return LogEntry(
        seq=int(str(seq)),
        at=dt.datetime.fromisoformat(str(at)),
        direction=direction,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        message_id=message_id,  # type: ignore[arg-type]
        sender=sender,  # type: ignore[arg-type]
        partner=partner,  # type: ignore[arg-type]
        digest=digest,  # type: ignore[arg-type]
        redacted=tuple(json.loads(str(redacted))),
        note=str(note),
    )
