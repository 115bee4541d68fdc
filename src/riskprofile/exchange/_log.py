"""The exchange log: an append-only record of every message sent, received and imported.

SQLite from the standard library. Triggers refuse updates and deletions, so that the log
is evidence of what was exchanged; replay detection reads it.

Each entry has two times: ``at``, the time the caller judged the message at (the run's
``as_of``, which may be any day), and ``recorded``, the wall-clock time the entry was
written. The log is the one place of the exchange that reads the clock: evidence of
when something happened cannot take the caller's word for it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
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
    note TEXT NOT NULL DEFAULT '',
    recorded TEXT,
    refers_to TEXT
);
CREATE INDEX IF NOT EXISTS entries_message ON entries (message_id, direction);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'the exchange log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'the exchange log is append-only'); END;
"""
# Columns added after the first release: a log written before them gains them (empty in
# its old entries) when it is opened.
_ADDED_COLUMNS = (("recorded", "TEXT"), ("refers_to", "TEXT"))
_SELECT = ("SELECT seq, at, direction, kind, message_id, sender, partner, digest, redacted, "
           "note, recorded, refers_to FROM entries")  # fmt: skip


def wall_clock() -> dt.datetime:
    """The current time, UTC, to the microsecond: what the log records as ``recorded``."""
    return dt.datetime.now(tz=dt.UTC)


@dataclass(frozen=True)
class LogEntry:
    """One line of the log.

    Attributes:
        seq: its position in the log (1, 2, …).
        at: when, as the caller judged it (the ``now`` or ``as_of`` it gave, UTC).
        direction: ``sent``, ``received``, ``imported`` or ``rejected``.
        kind: ``warning``, ``feedback`` or ``seizure`` (None when unreadable).
        message_id, sender: of the message.
        partner: the other PCU: the recipient of a sent message, the sender otherwise.
        digest: SHA-256 of the bytes sent or received.
        redacted: the fields redacted before sending (``parties.name: hash``).
        note: a rejection reason, or what an import did.
        recorded: the wall-clock time the entry was written (UTC); None in entries of a
            log written before this was kept.
        refers_to: the warning a feedback or seizure message answers (its id).
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
    recorded: dt.datetime | None = None
    refers_to: str | None = None


class ExchangeLog:
    """The append-only log in an SQLite file (created on first use).

    >>> import tempfile, datetime as dt
    >>> log = ExchangeLog(tempfile.mkdtemp() + "/log.sqlite")
    >>> _ = log.record("sent", at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC), kind="warning",
    ...                message_id="m-0000001", sender="PK-KHI", partner="KZ-AKT")
    >>> [e.partner for e in log.query(kind="warning")]
    ['KZ-AKT']
    """

    def __init__(self, path: str | Path, *, clock: Callable[[], dt.datetime] = wall_clock) -> None:
        """Open (or create) the log at ``path``. ``clock`` gives the wall-clock time each
        entry is ``recorded`` at (the machine's clock; a test passes its own)."""
        self.path = Path(path)
        self.clock = clock
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._error(exc) from None
        with self._database() as db, db:
            db.executescript(_SCHEMA)
            have = {row[1] for row in db.execute("PRAGMA table_info(entries)")}
            for column, kind in _ADDED_COLUMNS:
                if column not in have:
                    db.execute(f"ALTER TABLE entries ADD COLUMN {column} {kind}")

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
        refers_to: str | None = None,
    ) -> int:
        """Append one entry; returns its sequence number. Its ``recorded`` time is the
        log's clock's."""
        entry = {"at": at, "kind": kind, "message_id": message_id, "sender": sender,
                 "partner": partner, "digest": digest, "redacted": redacted,
                 "note": note, "refers_to": refers_to}  # fmt: skip
        return self.record_many([(direction, entry)])[0]

    def record_many(self, entries: Sequence[tuple[Direction, Mapping[str, Any]]]) -> list[int]:
        """Append several entries in one transaction, all or none; returns their sequence
        numbers. Each entry is a direction and the keyword arguments of :meth:`record`."""
        rows = []
        recorded = self.clock()
        if recorded.tzinfo is None:
            raise ValueError("the log's clock must give timezone-aware times")
        for direction, fields in entries:
            at = fields["at"]
            if at.tzinfo is None:
                raise ValueError("log times must be timezone-aware")
            rows.append((at.astimezone(dt.UTC).isoformat(), direction, fields.get("kind"),
                         fields.get("message_id"), fields.get("sender"), fields.get("partner"),
                         fields.get("digest"), json.dumps(list(fields.get("redacted", ()))),
                         fields.get("note", ""), recorded.astimezone(dt.UTC).isoformat(),
                         fields.get("refers_to")))  # fmt: skip
        with self._database() as db, db:
            return [
                int(
                    db.execute(
                        "INSERT INTO entries (at, direction, kind, message_id, sender, partner,"
                        " digest, redacted, note, recorded, refers_to)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        chain: str | None = None,
    ) -> list[LogEntry]:
        """The entries matching every condition given, oldest first. ``since`` is
        inclusive and ``until`` exclusive (both on ``at``). ``chain`` gives the entries
        of a warning and of the feedback and seizure messages that answer it."""
        where: list[str] = []
        params: list[str] = []
        for column, value in (("direction", direction), ("kind", kind),
                              ("partner", partner), ("message_id", message_id)):  # fmt: skip
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if chain is not None:
            where.append("(message_id = ? OR refers_to = ?)")
            params.extend((chain, chain))
        if since is not None:
            where.append("at >= ?")
            params.append(since.astimezone(dt.UTC).isoformat())
        if until is not None:
            where.append("at < ?")
            params.append(until.astimezone(dt.UTC).isoformat())
        sql = _SELECT
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
    (
        seq,
        at,
        direction,
        kind,
        message_id,
        sender,
        partner,
        digest,
        redacted,
        note,
        recorded,
        refers,
    ) = row
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
        recorded=None if recorded is None else dt.datetime.fromisoformat(str(recorded)),
        refers_to=refers,  # type: ignore[arg-type]
    )
