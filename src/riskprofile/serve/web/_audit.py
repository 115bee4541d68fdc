"""The append-only audit log: who did what, when, with the state before and after.

Every entry carries the SHA-256 of its own content and of the entry before it (a hash
chain starting from :data:`GENESIS`), so an entry edited, removed or inserted in the
database is found by :func:`verify` (``riskprofile serve audit verify``). The database
refuses UPDATE and DELETE on the table as well (a trigger). What a chain cannot show
alone is entries cut off its end: keep the head that ``audit verify`` prints (its
number and hash) somewhere else, and give it back with ``--head`` to check nothing
after it is gone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from riskprofile.serve.web._store import Tx, WebStore

__all__ = ["GENESIS", "AuditEntry", "ChainReport", "entries", "entry_hash", "record", "verify"]

GENESIS = "0" * 64
"""What the first entry names as the one before it."""


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the log.

    Attributes:
        seq: its number, 1, 2, ... in the order the actions happened.
        at: when (UTC, ISO 8601 with microseconds).
        actor: who (a user name; ``cli:<account>`` for the command line).
        action: what, as a dotted verb (``user.add``, ``change.approve``).
        target: what it was done to (a user name, a file, a container).
        before: the state before, as JSON text (None: nothing before).
        after: the state after, as JSON text (None: nothing after).
        prev: the hash of the entry before.
        hash: this entry's hash (:func:`entry_hash`).
    """

    seq: int
    at: str
    actor: str
    action: str
    target: str
    before: str | None
    after: str | None
    prev: str
    hash: str

    def before_data(self) -> Any:
        """:attr:`before` parsed (None when empty)."""
        return None if self.before is None else json.loads(self.before)

    def after_data(self) -> Any:
        """:attr:`after` parsed (None when empty)."""
        return None if self.after is None else json.loads(self.after)


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    target: str,
    before: str | None,
    after: str | None,
    prev: str,
) -> str:
    """The SHA-256 of an entry's content and of the hash of the entry before it."""
    text = json.dumps(
        [seq, at, actor, action, target, before, after, prev],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    tx: Tx,
    actor: str,
    action: str,
    target: str,
    *,
    before: Mapping[str, Any] | Any = None,
    after: Mapping[str, Any] | Any = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append an entry inside ``tx`` (a write transaction: the entry and the change it
    records are committed together, or neither is)."""
    last = tx.one("SELECT seq, hash FROM web_audit ORDER BY seq DESC LIMIT 1")
    seq, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="microseconds")
    before_text, after_text = _json(before), _json(after)
    digest = entry_hash(seq, at, actor, action, target, before_text, after_text, prev)
    tx.execute(
        "INSERT INTO web_audit (seq, at, actor, action, target, before, after, prev, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, target, before_text, after_text, prev, digest),
    )
    return AuditEntry(seq, at, actor, action, target, before_text, after_text, prev, digest)


_COLUMNS = "seq, at, actor, action, target, before, after, prev, hash"


def entries(
    tx: Tx, *, after_seq: int = 0, limit: int | None = None, newest_first: bool = False
) -> list[AuditEntry]:
    """Entries after number ``after_seq`` (at most ``limit``), oldest first unless
    ``newest_first``."""
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT {_COLUMNS} FROM web_audit WHERE seq > ? ORDER BY seq {order}"  # noqa: S608
    params: list[Any] = [after_seq]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_entry(row) for row in tx.rows(sql, params)]


def _entry(row: tuple[Any, ...]) -> AuditEntry:
    seq, at, actor, action, target, before, after, prev, digest = row
    return AuditEntry(int(seq), at, actor, action, target, before, after, prev, digest)


def _all(store: WebStore, batch: int = 5000) -> Iterator[AuditEntry]:
    seq = 0
    while True:
        with store.read() as tx:
            chunk = entries(tx, after_seq=seq, limit=batch)
        yield from chunk
        if len(chunk) < batch:
            return
        seq = chunk[-1].seq


@dataclass(frozen=True)
class ChainReport:
    """What :func:`verify` found.

    Attributes:
        entries: how many entries were read.
        head_seq: the last entry's number (0: an empty log).
        head_hash: the last entry's hash (:data:`GENESIS` for an empty log).
        problems: each break in the chain, naming the entry (empty: intact).
    """

    entries: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        """Whether no entry was found edited, removed or inserted."""
        return not self.problems


def verify(
    store: WebStore, *, head: tuple[int, str] | None = None, max_problems: int = 100
) -> ChainReport:
    """Read the whole log and check every entry's hash and its link to the one before.

    ``head`` is a (number, hash) recorded earlier: the log must still hold that entry
    unchanged (an entry cut off the end is otherwise invisible).
    """
    problems: list[str] = []
    expected_seq, prev, count = 1, GENESIS, 0
    head_seen = head is None
    for entry in _all(store):
        count += 1
        if entry.seq != expected_seq:
            problems.append(
                f"entry {entry.seq}: expected number {expected_seq} (entries removed or "
                "inserted before it)"
            )
        if entry.prev != prev:
            problems.append(
                f"entry {entry.seq}: names {entry.prev[:12]}... as the entry before, but "
                f"the entry before hashes to {prev[:12]}..."
            )
        digest = entry_hash(
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.target,
            entry.before,
            entry.after,
            entry.prev,
        )
        if digest != entry.hash:
            problems.append(
                f"entry {entry.seq} ({entry.action} by {entry.actor} at {entry.at}): its "
                "content does not match its hash (edited)"
            )
        if head is not None and entry.seq == head[0]:
            head_seen = True
            if entry.hash != head[1]:
                problems.append(f"entry {entry.seq}: its hash is not the recorded head's")
        expected_seq, prev = entry.seq + 1, entry.hash
        if len(problems) >= max_problems:
            break
    if not head_seen and head is not None:
        problems.append(
            f"the recorded head, entry {head[0]}, is gone: the log ends at entry "
            f"{expected_seq - 1} (entries cut off its end)"
        )
    return ChainReport(count, expected_seq - 1, prev, tuple(problems))
