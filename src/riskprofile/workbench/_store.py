"""The work queue's store: batches loaded, their containers as cases, and every change.

See :class:`Workbench`. Tables (the same SQL on SQLite and PostgreSQL,
:mod:`riskprofile.workbench._db`): ``wb_batches`` (each file loaded or refused, by content
hash), ``wb_batch_files`` (its bytes), ``wb_rejected`` (its records that could not be
read), ``wb_units`` (every container of a batch: scores, the hits' details, and the case:
state, officer, disposition, result), ``wb_events`` (append-only: every change with who,
when, before and after), ``wb_folder_files`` (the drop folder's files already seen).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.errors import RiskProfileError, WorkbenchError
from riskprofile.evaluation import Evaluation, Outcome, OutcomeReading
from riskprofile.profiles import CompiledProfile
from riskprofile.results import ScoringRun
from riskprofile.workbench._db import Database, connect
from riskprofile.workbench._load import (
    WorkbenchConfig,
    batch_id_of,
    read_content,
    score_batch,
)
from riskprofile.workbench._refusals import refuse
from riskprofile.workbench._rows import (
    BATCH_COLUMNS,
    CASE_COLUMNS,
    UNIT_COLUMNS,
    BatchInfo,
    Change,
    LoadReport,
    UnitRow,
    batch_info,
    case_of,
    outcome_of,
    unit_row,
)
from riskprofile.workbench._states import (
    Action,
    Actor,
    Amend,
    Target,
    allowed_actions,
    apply,
)

__all__ = ["SORT_KEYS", "Workbench", "open_workbench"]

_FRAMES_KEPT = 3
_LANE_ORDER = {"red": 0, "yellow": 1, "blue": 2, "green": 3}
# The statements built from the column tuples above (no value is ever formatted in).
_SELECT_BATCHES = f"SELECT {', '.join(BATCH_COLUMNS)} FROM wb_batches"  # noqa: S608
_SELECT_UNITS = (
    f"SELECT {', '.join(f'u.{c}' for c in UNIT_COLUMNS)} FROM wb_units u "  # noqa: S608
    "JOIN wb_batches b ON b.batch_id = u.batch_id"
)
_SELECT_UNIT = f"SELECT {', '.join(UNIT_COLUMNS)}, detail FROM wb_units WHERE unit_id = :u"  # noqa: S608
_UPDATE_CASE = (
    f"UPDATE wb_units SET {', '.join(f'{c} = :{c}' for c in CASE_COLUMNS)}, "  # noqa: S608
    "list_rank = :rank, version = version + 1, updated_at = :at, updated_by = :by "
    "WHERE unit_id = :u AND version = :v"
)
_SELECT_EVENTS = (
    "SELECT e.seq, e.action, e.batch_id, e.unit_id, e.actor, e.role, e.at, e.before, e.after, "
    "u.unit_key FROM wb_events e LEFT JOIN wb_units u ON u.unit_id = e.unit_id WHERE "
)
_EVENT_FILTERS = {
    which: f"{_SELECT_EVENTS}{condition} ORDER BY e.seq"
    for which, condition in (
        ("all", "1 = 1"),
        ("unit", "e.unit_id = :u"),
        ("batch", "e.batch_id = :b"),
    )
}
SortKey = Literal["rank", "score", "lane", "container", "state", "officer"]
SORT_KEYS: tuple[SortKey, ...] = ("rank", "score", "lane", "container", "state", "officer")


class Workbench:
    """The work queue of a PCU: batches loaded, the inspection lists, and the cases.

    Args:
        location: a SQLite file (created when missing), a ``postgresql://`` DSN, or a
            :class:`~riskprofile.workbench._db.SharedDatabase` (the web app's store).
        profiles: the compiled profiles batches are scored with.
        config: capacity, control sample, column mapping and limits.
        history: a history store (an open one, a DuckDB file or a DSN): scoring fills the
            history fields from it, each batch loaded is recorded in it, and each result
            is written to its outcomes as it is recorded.
        clock: the wall clock (for tests); UTC.
        on_change: called with every change inside the transaction that makes it (the
            web app writes its audit entry there: both commit, or neither).

    >>> import datetime as dt
    >>> from riskprofile.profiles import load_profiles
    >>> from riskprofile.workbench import Actor, Workbench
    >>> wb = Workbench(":memory:", load_profiles(bundled=True))
    >>> report = wb.load("examples/data/karachi-sample.csv", actor=Actor("amina", "analyst"),
    ...                  as_of="2026-11-02")
    >>> report.status, report.shipments, report.selected
    ('loaded', 361, 4)
    """

    def __init__(
        self,
        location: str | Path | Database,
        profiles: Iterable[CompiledProfile],
        *,
        config: WorkbenchConfig | None = None,
        history: Any = None,
        clock: Callable[[], dt.datetime] | None = None,
        create: bool = True,
        on_change: Callable[[Change], None] | None = None,
    ) -> None:
        self.db: Database = (
            connect(location, create=create) if isinstance(location, str | Path) else location
        )
        self.on_change = on_change
        self.location = self.db.location
        self.profiles = list(profiles)
        self.config = config or WorkbenchConfig()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._history_given = history
        self._history: Any = None
        self._frames: dict[str, Any] = {}

    def close(self) -> None:
        """Close the store (and the history store, when this workbench opened it)."""
        self.db.close()
        if self._history is not None and self._history is not self._history_given:
            self._history.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def history(self) -> Any:
        """The history store, opened on first use; None without one."""
        if self._history is None and self._history_given is not None:
            if isinstance(self._history_given, str | Path):
                from riskprofile.history import open_store

                self._history = open_store(str(self._history_given))
            else:
                self._history = self._history_given
        return self._history

    def _now(self) -> str:
        return self._clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    def _next_seq(self) -> int:
        self.db.execute("UPDATE wb_meta SET value = value + 1 WHERE name = 'seq'")
        return int(self.db.rows("SELECT value FROM wb_meta WHERE name = 'seq'")[0][0])

    def _event(self, seq: int, change: Change) -> None:
        if self.on_change is not None:
            self.on_change(change)
        self.db.execute(
            "INSERT INTO wb_events (seq, unit_id, batch_id, action, actor, role, at, before, "
            "after) VALUES (:seq, :unit_id, :batch_id, :action, :actor, :role, :at, :before, "
            ":after)",
            {"seq": seq, "unit_id": change.unit_id, "batch_id": change.batch_id,
             "action": change.action, "actor": change.actor, "role": change.role,
             "at": change.at.isoformat(timespec="seconds"),
             "before": None if change.before is None else json.dumps(change.before),
             "after": None if change.after is None else json.dumps(change.after)},
        )  # fmt: skip

    # --- loading ------------------------------------------------------------------------

    def load(
        self,
        source: str | Path | bytes,
        *,
        actor: Actor,
        as_of: AsOf,
        name: str | None = None,
        origin: str = "upload",
        profiles: Iterable[CompiledProfile] | None = None,
    ) -> LoadReport:
        """Load a batch: read, score and select it, and put its containers on the queue.

        Args:
            source: the file, or its bytes (an upload; then ``name`` gives its file name,
                whose suffix says the format).
            actor: who loads it (an analyst or a supervisor).
            as_of: the time the batch is scored as of (the day's date, usually).
            name: the file's name as shown; default the path's name.
            origin: where it came from (``upload``, ``folder <path>``, ``cli``).
            profiles: the profiles to score it with, instead of the workbench's (a set
                swapped in since it was opened).

        A file whose bytes were loaded before is not loaded again (``known``). A file
        that cannot be read as a batch, or has no shipment to score, is ``refused`` with
        why, and nothing of it is kept but the refusal; a batch is stored in one
        transaction, whole or not at all. Records that cannot be read are kept with the
        batch and their reasons (``rejected``), never dropped.

        Raises:
            TransitionError: the actor's role may not load batches.
            NoProfilesError: no profile takes part at ``as_of``.
        """
        if actor.role not in ("analyst", "supervisor"):
            raise refuse("load_role", None, "load", "", role=actor.role)
        when = as_of_datetime(as_of)
        used = self.profiles if profiles is None else list(profiles)
        if isinstance(source, bytes):
            content, shown = source, name or "upload"
        else:
            shown = name or Path(source).name
            try:
                content = read_regular_file(source, self.config.max_bytes)
            except (OSError, RefusedFileError, RiskProfileError) as exc:
                reason = getattr(exc, "strerror", None) or str(exc)
                return self._refuse(batch_id_of(str(source).encode()), shown, origin, actor,
                                    when, f"cannot read: {reason}")  # fmt: skip
        batch_id = batch_id_of(content)
        if len(content) > self.config.max_bytes:
            return self._refuse(batch_id, shown, origin, actor, when,
                                f"is {len(content):,} bytes; the limit is "
                                f"{self.config.max_bytes:,}")  # fmt: skip
        known = self.batch(batch_id)
        if known is not None and known.status == "loaded":
            return LoadReport(batch_id, shown, "known",
                              reason=f"the same file was loaded on {known.loaded_at} "
                              f"as {known.name}")  # fmt: skip
        try:
            with read_content(content, shown, self.config.mapping) as read:
                scored = score_batch(read, batch_id, used, when, self.config,
                                     self.history, lambda p: f"{batch_id}.{p}")  # fmt: skip
        except WorkbenchError as exc:
            return self._refuse(batch_id, shown, origin, actor, when, exc.reason)
        return self._store_batch(batch_id, shown, origin, actor, when, content, scored)

    def _refuse(
        self, batch_id: str, name: str, origin: str, actor: Actor, when: dt.datetime, reason: str
    ) -> LoadReport:
        at = self._clock()
        with self.db.transaction():
            seq = self._next_seq()
            self.db.execute("DELETE FROM wb_batches WHERE batch_id = :b AND status = 'refused'",
                            {"b": batch_id})  # fmt: skip
            self.db.execute(
                "INSERT INTO wb_batches (batch_id, name, origin, status, error, loaded_at, "
                "loaded_by, as_of, seq) VALUES (:b, :name, :origin, 'refused', :error, :at, "
                ":by, :as_of, :seq)",
                {"b": batch_id, "name": name, "origin": origin, "error": reason,
                 "at": self._now(), "by": actor.name, "as_of": when.isoformat(), "seq": seq},
            )  # fmt: skip
            change = Change(seq, "load", batch_id, None, name, actor.name, actor.role, at, None,
                            {"status": "refused", "name": name, "reason": reason})  # fmt: skip
            self._event(seq, change)
        return LoadReport(batch_id, name, "refused", reason=reason, change=change)

    def _store_batch(
        self, batch_id: str, name: str, origin: str, actor: Actor, when: dt.datetime,
        content: bytes, scored: Any,
    ) -> LoadReport:  # fmt: skip
        at = self._clock()
        now = self._now()
        read, selection = scored.frame_batch, scored.selection
        warnings = [*scored.notes, *selection.warnings]
        if selection.manual_review:
            warnings.append(
                f"{len(selection.manual_review)} unit(s) not scored (records rejected): "
                "review them by hand"
            )
        fingerprints = dict(scored.run.fingerprints)
        rejected = [f"{read.record_unit} {r.record}: {r.reason}" for r in scored.rejected]
        summary = {
            "status": "loaded", "name": name, "as_of": when.isoformat(),
            "records_read": read.records_read, "shipments": read.frame.height,
            "units": len(scored.units), "selected": len(selection.selected),
            "rejected": len(rejected), "seed": scored.seed,
        }  # fmt: skip
        with self.db.transaction():
            seq = self._next_seq()
            # Writers are serialised from here: another worker may have loaded the same
            # bytes since this one looked.
            status = self.db.rows("SELECT status FROM wb_batches WHERE batch_id = :b",
                                  {"b": batch_id})  # fmt: skip
            if status and status[0][0] == "loaded":
                return LoadReport(batch_id, name, "known",
                                  reason="the same file was loaded meanwhile")  # fmt: skip
            self.db.execute("DELETE FROM wb_batches WHERE batch_id = :b", {"b": batch_id})
            self.db.execute(
                "INSERT INTO wb_batches (batch_id, name, origin, status, loaded_at, loaded_by, "
                "as_of, seed, capacity, control_rate, records_read, shipments, units, "
                "selected, fingerprints, warnings, seq) VALUES (:b, :name, :origin, 'loaded', "
                ":at, :by, :as_of, :seed, :capacity, :rate, :read, :shipments, :units, "
                ":selected, :fingerprints, :warnings, :seq)",
                {"b": batch_id, "name": name, "origin": origin, "at": now, "by": actor.name,
                 "as_of": when.isoformat(), "seed": scored.seed,
                 "capacity": json.dumps(self.config.capacity),
                 "rate": str(self.config.control_rate), "read": read.records_read,
                 "shipments": read.frame.height, "units": len(scored.units),
                 "selected": len(selection.selected),
                 "fingerprints": json.dumps(fingerprints, sort_keys=True),
                 "warnings": json.dumps(warnings), "seq": seq},
            )  # fmt: skip
            self.db.execute("INSERT INTO wb_batch_files (batch_id, content) VALUES (:b, :c)",
                            {"b": batch_id, "c": content})  # fmt: skip
            self.db.many(
                "INSERT INTO wb_rejected (batch_id, position, record, reason) "
                "VALUES (:b, :p, :record, :reason)",
                [{"b": batch_id, "p": i, "record": f"{read.record_unit} {r.record}",
                  "reason": r.reason} for i, r in enumerate(scored.rejected)],
            )  # fmt: skip
            self.db.many(
                "INSERT INTO wb_units (unit_id, batch_id, unit_key, container_number, "
                "bl_numbers, position, score, lane, forced_lane, list_rank, state, "
                "selected_by, seizure, version, updated_at, updated_by, detail) VALUES "
                "(:unit_id, :batch_id, :unit_key, :container_number, :bl_numbers, :position, "
                ":score, :lane, :forced_lane, :list_rank, :state, :selected_by, 0, 0, :at, "
                ":by, :detail)",
                [{**u, "at": now, "by": actor.name} for u in scored.units],
            )
            change = Change(seq, "load", batch_id, None, name, actor.name, actor.role, at, None,
                            summary)  # fmt: skip
            self._event(seq, change)
        if self.history is not None:
            self._keep_frame(batch_id, read.frame)
            self.history.add(read.frame, as_of=when, fingerprints=fingerprints)
        return LoadReport(
            batch_id, name, "loaded", records_read=read.records_read,
            shipments=read.frame.height, units=len(scored.units),
            selected=len(selection.selected), rejected=tuple(rejected),
            warnings=tuple(warnings), change=change,
        )  # fmt: skip

    def scan(
        self,
        folder: str | Path,
        *,
        actor: Actor,
        as_of: AsOf,
        profiles: Iterable[CompiledProfile] | None = None,
    ) -> list[LoadReport]:
        """Load each new file of a drop folder once (see ``docs/serve.md``).

        A file is new when this folder never gave its bytes before (by content hash:
        a file rewritten with other bytes is new again). A file changed in the last
        ``settle_seconds``, or whose size or time changes while it is read, is left for
        the next scan, so a file still being written is never loaded half-way; names
        starting with ``.`` or ending in ``.part``, ``.tmp`` or ``~`` are skipped (write
        under such a name, then rename). A file that cannot be loaded is refused once,
        with why; the reports are for the files loaded or refused by this scan.
        """
        base = Path(folder)
        if not base.is_dir():
            raise WorkbenchError("is not a folder", unit=str(folder))
        reports = []
        for path in sorted(base.iterdir()):
            if path.name.startswith(".") or path.name.endswith((".part", ".tmp", "~")):
                continue
            try:
                before = path.stat()
                if not path.is_file() or time.time() - before.st_mtime < self.config.settle_seconds:
                    continue
                content = read_regular_file(path, self.config.max_bytes, refuse_larger=False)
                after = path.stat()
            except (OSError, RefusedFileError, RiskProfileError):
                continue
            if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
                continue  # being written: next time
            batch_id = batch_id_of(content)
            seen = self.db.rows(
                "SELECT 1 FROM wb_folder_files WHERE path = :p AND batch_id = :b",
                {"p": str(path), "b": batch_id},
            )
            if seen:
                continue
            report = self.load(content, actor=actor, as_of=as_of, name=path.name,
                               origin=f"folder {base}", profiles=profiles)  # fmt: skip
            with self.db.transaction():
                self.db.execute(
                    "INSERT INTO wb_folder_files (path, batch_id, seen_at) VALUES (:p, :b, :at) "
                    "ON CONFLICT DO NOTHING",
                    {"p": str(path), "b": batch_id, "at": self._now()},
                )
            reports.append(report)
        return reports

    # --- reading ------------------------------------------------------------------------

    def batch(self, batch_id: str) -> BatchInfo | None:
        """A batch loaded or refused, or None."""
        rows = self.db.rows(_SELECT_BATCHES + " WHERE batch_id = :b", {"b": batch_id})
        return batch_info(rows[0]) if rows else None

    def batches(self) -> list[BatchInfo]:
        """Every batch loaded or refused, the latest first."""
        rows = self.db.rows(_SELECT_BATCHES + " ORDER BY seq DESC")
        return [batch_info(r) for r in rows]

    def rejected(self, batch_id: str) -> list[tuple[str, str]]:
        """The batch's records that could not be read: (record, reason), in file order."""
        rows = self.db.rows(
            "SELECT record, reason FROM wb_rejected WHERE batch_id = :b ORDER BY position",
            {"b": batch_id},
        )
        return [(str(r[0]), str(r[1])) for r in rows]

    def units(
        self,
        batch_id: str | None = None,
        *,
        on_list: bool = True,
        officer: str | None = None,
        day: dt.date | str | None = None,
        order: SortKey = "rank",
    ) -> list[UnitRow]:
        """The containers of a batch (every batch loaded when None, or those scored as
        of ``day``): on the inspection list only by default, of one ``officer`` when
        given, sorted by ``order`` (list rank, score, lane, container, state, officer)."""
        if order not in SORT_KEYS:
            raise WorkbenchError(f"cannot sort by {order!r} (one of {', '.join(SORT_KEYS)})")
        where, params = ["1 = 1"], {}
        if batch_id is not None:
            where.append("u.batch_id = :b")
            params["b"] = batch_id
        if on_list:
            where.append("u.selected_by IS NOT NULL")
        if officer is not None:
            where.append("u.officer = :officer")
            params["officer"] = officer
        if day is not None:
            where.append("substr(b.as_of, 1, 10) = :day")
            params["day"] = str(day)[:10]
        # The conditions are ours; every value is a parameter.
        sql = f"{_SELECT_UNITS} WHERE {' AND '.join(where)} ORDER BY u.batch_id, u.position"
        rows = self.db.rows(sql, params)
        units = [unit_row(r) for r in rows]
        keys: dict[str, Callable[[UnitRow], Any]] = {
            "rank": lambda u: (u.list_rank is None, u.list_rank or 0, u.position),
            "score": lambda u: (-u.score, u.position),
            "lane": lambda u: (_LANE_ORDER.get(u.lane, 9), -u.score, u.position),
            "container": lambda u: (u.container_number or u.unit_key, u.position),
            "state": lambda u: (u.case.state, u.position),
            "officer": lambda u: (u.case.officer is None, u.case.officer or "", u.position),
        }
        return sorted(units, key=keys[order])

    def unit(self, unit_id: str) -> UnitRow:
        """A container with its detail.

        Raises:
            WorkbenchError: no container has this id.
        """
        rows = self.db.rows(_SELECT_UNIT, {"u": unit_id})
        if not rows:
            raise WorkbenchError("no such container on the queue", unit=unit_id)
        return dataclasses.replace(unit_row(rows[0][:-1]), detail=json.loads(rows[0][-1]))

    def events(self, unit_id: str | None = None, batch_id: str | None = None) -> list[Change]:
        """Every change recorded (of one container, or of one batch), in order."""
        which, params = "all", {}
        if unit_id is not None:
            which, params = "unit", {"u": unit_id}
        elif batch_id is not None:
            which, params = "batch", {"b": batch_id}
        rows = self.db.rows(_EVENT_FILTERS[which], params)
        return [
            Change(int(r[0]), r[1], r[2], r[3], r[9], r[4], r[5], dt.datetime.fromisoformat(r[6]),
                   json.loads(r[7]) if r[7] else None, json.loads(r[8]) if r[8] else None)
            for r in rows
        ]  # fmt: skip

    def allowed(self, unit: UnitRow, actor: Actor) -> list[str]:
        """The actions ``actor`` may take on ``unit`` now (for a page's buttons)."""
        return allowed_actions(actor, unit.case)

    # --- acting -------------------------------------------------------------------------

    def act(
        self, unit_id: str, action: Action, actor: Actor, *, version: int | None = None
    ) -> Change:
        """Take ``action`` on a container's case; the change, with before and after.

        ``version``: the case's version the actor saw (:attr:`UnitRow.version`); when it
        changed since, the action is refused (someone else acted first). A result (or a
        release) is an outcome from then on (:meth:`outcomes`) and is written to the
        history store's outcomes when there is one. An amendment (:class:`Amend`)
        corrects a closed result: its change's ``after`` also gives ``amended_because``
        and ``approved_by``; :meth:`outcomes` read the amended result from then on, and
        the history store's row of the result it corrects is replaced.

        Raises:
            TransitionError: the state, the role or the assignment does not allow it.
            WorkbenchError: no such container.
        """
        at = self._clock()
        with self.db.transaction():
            seq = self._next_seq()
            unit = self.unit(unit_id)
            if version is not None and version != unit.version:
                raise refuse("stale", unit.unit_key, action.name, unit.case.state,
                             by=unit.updated_by, at=unit.updated_at)  # fmt: skip
            case = apply(unit.case, action, actor, unit=unit.unit_key)
            rank = unit.list_rank
            if isinstance(action, Target):
                top = self.db.rows("SELECT MAX(list_rank) FROM wb_units WHERE batch_id = :b",
                                   {"b": unit.batch_id})[0][0]  # fmt: skip
                rank = int(top or 0) + 1
            values = {name: getattr(case, name) for name in CASE_COLUMNS}
            values["seizure"] = int(case.seizure)
            values["result_date"] = case.result_date.isoformat() if case.result_date else None
            changed = self.db.execute(
                _UPDATE_CASE,
                {**values, "rank": rank, "at": self._now(), "by": actor.name, "u": unit_id,
                 "v": unit.version},
            )  # fmt: skip
            if changed != 1:  # pragma: no cover - the counter row serialises writers
                raise refuse("raced", unit.unit_key, action.name, unit.case.state)
            after = case.as_dict()
            if isinstance(action, Amend):
                after["amended_because"] = " ".join(action.why.split())
                after["approved_by"] = action.approved_by.name if action.approved_by else None
            change = Change(seq, action.name, unit.batch_id, unit_id, unit.unit_key, actor.name,
                            actor.role, at, unit.case.as_dict(), after)  # fmt: skip
            self._event(seq, change)
        if self.history is not None and case.state in ("closed", "released"):
            self._record_history(self.unit(unit_id), replaces=unit if isinstance(action, Amend)
                                 else None)  # fmt: skip
        return change

    # --- outcomes -----------------------------------------------------------------------

    def outcomes(self, batch_id: str | None = None) -> OutcomeReading:
        """The outcomes recorded (of one batch, or all), in the order of the list: what
        :func:`~riskprofile.evaluate`, :func:`~riskprofile.suggest` and the history
        store read, with no export step (``riskprofile evaluate BATCH STORE`` reads them
        from the store file)."""
        found = [o for u in self.units(batch_id, order="rank") if (o := outcome_of(u)) is not None]
        return OutcomeReading(source=f"workbench store {self.location}", outcomes=tuple(found),
                              rejected=(), records_read=len(found), record_unit="case")  # fmt: skip

    def frame(self, batch_id: str) -> Any:
        """A loaded batch's shipment frame (a Polars ``DataFrame``): its file, kept in the
        store, read again as it was when loaded, with the workbench's column mapping (the
        frames of the last few batches are kept in memory).

        Raises:
            WorkbenchError: no batch with this id was loaded.
        """
        if batch_id not in self._frames:
            info = self.batch(batch_id)
            rows = self.db.rows("SELECT content FROM wb_batch_files WHERE batch_id = :b",
                                {"b": batch_id})  # fmt: skip
            if info is None or not rows:
                raise WorkbenchError("the batch's file is not in the store", unit=batch_id)
            with read_content(bytes(rows[0][0]), info.name, self.config.mapping) as read:
                self._keep_frame(batch_id, read.frame)
        return self._frames[batch_id]

    def rescore(
        self, batch_id: str, profiles: Iterable[CompiledProfile] | None = None
    ) -> ScoringRun:
        """A loaded batch scored again at its own ``as_of``, with ``profiles`` (the
        workbench's by default: give the set in use now when it was swapped since) and
        the history store when there is one: the run its evaluation reads. The list the
        batch was loaded with is kept; this does not change it.

        Raises:
            WorkbenchError: no batch with this id was loaded.
            NoProfilesError: no profile takes part at the batch's ``as_of``.
        """
        from riskprofile.scoring import score

        info = self.batch(batch_id)
        if info is None or info.status != "loaded" or info.as_of is None:
            raise WorkbenchError("no batch with this id was loaded", unit=batch_id)
        used = self.profiles if profiles is None else list(profiles)
        return score(self.frame(batch_id), used, as_of=as_of_datetime(info.as_of),
                     history=self.history)  # fmt: skip

    def evaluation(
        self,
        batch_id: str,
        profiles: Iterable[CompiledProfile] | None = None,
        **options: Any,
    ) -> Evaluation | None:
        """A loaded batch's evaluation (:func:`~riskprofile.evaluate`) on the results
        recorded for it: :meth:`rescore` and :meth:`outcomes`; None while no result is
        recorded. ``options`` go to ``evaluate`` (``capacities``, ``seed``, ...)."""
        from riskprofile.evaluation import evaluate

        outcomes = self.outcomes(batch_id)
        if not outcomes.outcomes:
            return None
        used = self.profiles if profiles is None else list(profiles)
        return evaluate(self.rescore(batch_id, used), outcomes, profiles=used, **options)

    def _keep_frame(self, batch_id: str, frame: Any) -> None:
        # The frames of the last few batches (results come in for the recent days): the
        # others are read again from the store when needed.
        self._frames.pop(batch_id, None)
        self._frames[batch_id] = frame
        while len(self._frames) > _FRAMES_KEPT:
            self._frames.pop(next(iter(self._frames)))

    def _record_history(self, unit: UnitRow, replaces: UnitRow | None = None) -> None:
        # An amended result replaces the one recorded before: the history counts the
        # latest only.
        outcome = outcome_of(unit)
        info = self.batch(unit.batch_id)
        if outcome is None or info is None or info.as_of is None:
            return
        old = outcome_of(replaces) if replaces is not None else None
        self.history.add(self.frame(unit.batch_id), [outcome], as_of=info.as_of,
                         replaces=[old] if old is not None else [])  # fmt: skip

    def _amended(self, batch_id: str) -> list[Outcome]:
        # The outcomes each amendment of the batch replaced (the cases before it).
        units = {u.unit_id: u for u in self.units(batch_id, on_list=False)}
        replaced = []
        for change in self.events(batch_id=batch_id):
            if change.action == "amend" and change.unit_id in units and change.before:
                before = case_of(change.before)
                old = outcome_of(dataclasses.replace(units[change.unit_id], case=before))
                if old is not None:
                    replaced.append(old)
        return replaced

    def sync_history(self) -> int:
        """Write every batch and outcome to the history store again (each is recorded
        once: the store skips what it has); the number of outcomes given to it."""
        if self.history is None:
            raise WorkbenchError("this workbench has no history store")
        count = 0
        for info in self.batches():
            if info.status != "loaded" or info.as_of is None:
                continue
            outcomes = list(self.outcomes(info.batch_id))
            self.history.add(self.frame(info.batch_id), outcomes, as_of=info.as_of,
                             fingerprints=info.fingerprints,
                             replaces=self._amended(info.batch_id))  # fmt: skip
            count += len(outcomes)
        return count


def open_workbench(
    location: str | Path,
    profiles: Iterable[CompiledProfile],
    *,
    config: WorkbenchConfig | None = None,
    history: Any = None,
    options: Mapping[str, Any] | None = None,
) -> Workbench:
    """Open (or create) the workbench at ``location``; see :class:`Workbench`."""
    config = config or WorkbenchConfig(**dict(options or {}))
    return Workbench(location, profiles, config=config, history=history)
