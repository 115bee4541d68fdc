"""The pool of vessel calls: bills of lading that arrive one at a time, scored as the call
they belong to.

Why: a container's fields (``bl_count_in_container``, ``is_lcl``,
``container_goods_weight_kg``, ``cargo_mass_gap_kg``) are computed over every bill of
lading of the vessel call that names the container. A B/L scored on its own sees only
itself: the Karachi call sent as 273 single-B/L documents loses the LCL and weight fields
of 148 of its 360 shipments, and 139 lanes change. So the pool keeps each call's parts
(:mod:`riskprofile.serve._store`) and, on each addition, rebuilds the shipments the
addition can change - every shipment of every container the added B/Ls name (now or in
the version they replace) - from the call as it stands, re-scores the shipments whose
fields changed, and rolls the call up again. When the last B/L of a call has arrived, the
call's results are exactly those of scoring the whole call as one manifest
(``tests/serve/test_pool.py`` proves it on random splits, orders and amendments).

A B/L number sent again replaces the earlier version (an amendment). A container
declared identically by several documents is declared once; declared differently, both
declarations are kept and the shipments are flagged ``duplicate``, as in one manifest.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from riskprofile.errors import RecordError
from riskprofile.model import Consignment, Container, Manifest, Shipment, flatten
from riskprofile.model import validation_context as _validation_context
from riskprofile.profiles import CompiledProfile
from riskprofile.results import ContainerResult, ScoringRun, ShipmentResult
from riskprofile.rules import missing_sources, rank_key, unfed_indicators, unit_key
from riskprofile.scoring import roll_up, score
from riskprofile.serve._store import BoxRow, PoolStore, canonical

__all__ = ["Arrival", "CallPool", "CallSummary", "DocumentProblem", "DocumentsRefusedError"]

_PARTS = ("consignments", "containers")
# The header field whose later value replaces an earlier one (an arrival time is
# re-estimated as the vessel approaches); every other header field must agree.
_UPDATABLE = frozenset({"arrival"})


@dataclass(frozen=True, slots=True)
class DocumentProblem:
    """Why one document (or one of its fields) was refused."""

    record: int
    field: str | None
    value: str | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "record": self.record,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
        }


class DocumentsRefusedError(ValueError):
    """Documents the pool cannot take, each problem with its record and field."""

    def __init__(self, problems: Sequence[DocumentProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"record {p.record}: {p.reason}" for p in problems[:5]))


@dataclass(frozen=True)
class CallSummary:
    """A call of the pool as it stands (``shipments`` and ``containers`` are None when
    this worker has not built the call since its last addition: counting them means
    building it)."""

    key: str
    bills_of_lading: int
    shipments: int | None
    containers: int | None
    arrival_day: str | None


@dataclass(frozen=True)
class Arrival:
    """What an addition to the pool gives back.

    Attributes:
        units: the units (containers, or B/Ls without one) the documents name, scored
            within their calls as they stand, in rank order.
        changed: the other units of those calls whose score, lane or forced lane
            changed with this addition (an LCL partner, say), in rank order.
        unevaluable: ``<profile>/<indicator>`` -> the units of those calls on which it
            could not be evaluated (as :attr:`ScoringRun.unevaluable`).
        calls: the calls, as they stand.
        replaced: the B/L numbers that replaced an earlier version.
        evicted: calls dropped from the pool to stay within its size.
    """

    units: tuple[ContainerResult, ...]
    changed: tuple[ContainerResult, ...]
    unevaluable: dict[str, int]
    calls: tuple[CallSummary, ...]
    replaced: tuple[str, ...]
    evicted: tuple[str, ...] = ()


@dataclass
class _Box:
    seq: int
    source: str
    doc: str
    model: Container


@dataclass
class _CallState:
    """A worker's copy of one call: its parts, its shipments and their results."""

    key: str
    header_seq: int = -1
    seq: int = 0
    header: dict[str, Any] = field(default_factory=dict)
    header_model: Manifest | None = None
    bills: dict[str, tuple[int, Consignment]] = field(default_factory=dict)
    boxes: dict[str, list[_Box]] = field(default_factory=dict)
    naming: dict[str, set[str]] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    results: dict[str, ShipmentResult] = field(default_factory=dict)
    scored_as: tuple[dt.datetime, tuple[tuple[str, str], ...]] | None = None
    dirty: set[str] = field(default_factory=set)
    units: dict[str, ContainerResult] = field(default_factory=dict)
    # Each shipment's unit, the units whose members changed since the last roll-up,
    # each unit's place in the ranking, and the units the last roll-up changed.
    unit_of: dict[str, str] = field(default_factory=dict)
    touched: set[str] = field(default_factory=set)
    ranks: dict[str, Any] = field(default_factory=dict)
    changed_units: set[str] = field(default_factory=set)


def _problems(record: int, exc: RecordError, prefix: str) -> list[DocumentProblem]:
    out = []
    for err in exc.errors(include_url=False):
        path = prefix
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        value = None if err["type"] == "missing" else err.get("input")
        text = None if value is None or isinstance(value, dict | list) else str(value)[:200]
        out.append(DocumentProblem(record, path or None, text, err["msg"]))
    return out


@dataclass
class _Document:
    """One validated document, in parts."""

    record: int
    key: str
    header: dict[str, Any]
    bills: list[tuple[str, dict[str, Any]]]
    boxes: list[tuple[str, str, dict[str, Any]]]  # (number, source B/L, raw)


class CallPool:
    """The vessel calls the service holds, and their scoring (see the module docstring).

    Args:
        store: where the calls' parts live (shared by every worker).
        strictness: how documents are validated (``"lenient"``: invalid codes are kept
            and flagged; ``"strict"``: refused).
        max_calls: the most calls the store holds; adding one more drops the call least
            recently added to (said in :attr:`Arrival.evicted`).
        cached_calls: the most calls this worker keeps scored in memory.
        max_bills: the most bills of lading one call holds (a call is rebuilt and scored
            as a whole when its voyage fields change).
    """

    def __init__(
        self,
        store: PoolStore,
        *,
        strictness: str = "lenient",
        max_calls: int = 2000,
        cached_calls: int = 128,
        max_bills: int = 20_000,
    ) -> None:
        self.store = store
        self.context = _validation_context(strictness)  # type: ignore[arg-type]
        self.max_calls = max_calls
        self.cached_calls = cached_calls
        self.max_bills = max_bills
        self._states: OrderedDict[str, _CallState] = OrderedDict()
        self._lock = threading.RLock()

    # --- reading documents ------------------------------------------------------------

    def parse(self, documents: Sequence[Any], first_record: int = 1) -> list[_Document]:
        """Validate the documents; raises :class:`DocumentsRefusedError` with every problem."""
        problems: list[DocumentProblem] = []
        parsed: list[_Document] = []
        for offset, doc in enumerate(documents):
            record = first_record + offset
            found = self._parse_one(record, doc, problems)
            if found is not None:
                parsed.append(found)
        if problems:
            raise DocumentsRefusedError(problems)
        return parsed

    def _parse_one(
        self, record: int, doc: Any, problems: list[DocumentProblem]
    ) -> _Document | None:
        if not isinstance(doc, dict):
            problems.append(DocumentProblem(record, None, None, "a manifest must be an object"))
            return None
        header = {k: v for k, v in doc.items() if k not in _PARTS}
        bills_raw = doc.get("consignments", [])
        boxes_raw = doc.get("containers", [])
        ok = True
        for name, value in (("consignments", bills_raw), ("containers", boxes_raw)):
            if not isinstance(value, list):
                problems.append(DocumentProblem(record, name, None, "must be a list"))
                ok = False
        if not ok:
            return None
        try:
            manifest = Manifest.model_validate(header, context=self.context)
        except RecordError as exc:
            problems.extend(_problems(record, exc, ""))
            return None
        bills: list[tuple[str, dict[str, Any]]] = []
        seen: set[str] = set()
        named: dict[str, str] = {}
        for index, raw in enumerate(bills_raw):
            where = f"consignments[{index}]"
            try:
                bill = Consignment.model_validate(raw, context=self.context)
            except RecordError as exc:
                problems.extend(_problems(record, exc, where))
                continue
            if bill.bl_number in seen:
                problems.append(
                    DocumentProblem(
                        record,
                        f"{where}.bl_number",
                        bill.bl_number,
                        "declared twice in this document",
                    )
                )
                continue
            seen.add(bill.bl_number)
            for number in bill.all_container_numbers:
                named.setdefault(number, bill.bl_number)
            bills.append((bill.bl_number, raw))
        boxes: list[tuple[str, str, dict[str, Any]]] = []
        for index, raw in enumerate(boxes_raw):
            try:
                box = Container.model_validate(raw, context=self.context)
            except RecordError as exc:
                problems.extend(_problems(record, exc, f"containers[{index}]"))
                continue
            boxes.append((box.number, named.get(box.number, ""), raw))
        if not bills and not boxes:
            problems.append(
                DocumentProblem(record, None, None, "names no bill of lading and no container")
            )
            return None
        return _Document(record, manifest.reference, header, bills, boxes)

    # --- adding -----------------------------------------------------------------------

    def add(
        self,
        documents: Sequence[_Document],
        profiles: Sequence[CompiledProfile],
        as_of: dt.datetime,
        skipped: Mapping[str, str],
    ) -> Arrival:
        """Add parsed documents to their calls and score the calls as they stand.

        Raises:
            DocumentsRefusedError: a header field contradicts the call's (a vessel name, a
                port of call), or the call would hold more than ``max_bills`` B/Ls.
        """
        with self._lock:  # one addition at a time in this worker, scoring included
            with self.store.writing() as db:  # every worker waits its turn to write
                replaced: list[str] = []
                problems: list[DocumentProblem] = []
                headers: dict[str, dict[str, Any]] = {}
                for doc in documents:
                    row = PoolStore.call(db, doc.key)
                    current = headers.get(doc.key, row.header if row else {})
                    merged = _merge_header(current, doc.header, doc.record, problems)
                    headers[doc.key] = merged
                for key in {d.key for d in documents}:
                    held = {r[0] for r in db.execute("SELECT bl FROM bills WHERE call = ?",
                                                     (key,))}  # fmt: skip
                    held.update(bl for d in documents if d.key == key for bl, _ in d.bills)
                    if len(held) > self.max_bills:
                        first = next(d.record for d in documents if d.key == key)
                        problems.append(DocumentProblem(
                            first, None, key,
                            f"the vessel call would hold {len(held):,} bills of lading, more "
                            f"than the limit of {self.max_bills:,}"))  # fmt: skip
                if problems:
                    raise DocumentsRefusedError(problems)
                for doc in documents:
                    seq = PoolStore.next_seq(db)
                    row = PoolStore.call(db, doc.key)
                    header = headers[doc.key]
                    if row is None or canonical(row.header) != canonical(header):
                        day = _arrival_day(header)
                        db.execute(
                            "INSERT INTO calls VALUES (?, ?, ?, ?, ?) ON CONFLICT(call) DO UPDATE "
                            "SET header = excluded.header, header_seq = excluded.header_seq, "
                            "seq = excluded.seq, arrival_day = excluded.arrival_day",
                            (doc.key, canonical(header), seq, seq, day),
                        )
                    else:
                        db.execute("UPDATE calls SET seq = ? WHERE call = ?", (seq, doc.key))
                    for bl, raw in doc.bills:
                        before = db.execute(
                            "SELECT 1 FROM bills WHERE call = ? AND bl = ?", (doc.key, bl)
                        ).fetchone()
                        if before is not None:
                            replaced.append(bl)
                            db.execute(
                                "DELETE FROM boxes WHERE call = ? AND source = ?", (doc.key, bl)
                            )
                        db.execute(
                            "INSERT OR REPLACE INTO bills VALUES (?, ?, ?, ?)",
                            (doc.key, bl, seq, canonical(raw)),
                        )
                    for number, source, raw in doc.boxes:
                        db.execute(
                            "INSERT OR REPLACE INTO boxes VALUES (?, ?, ?, ?, ?)",
                            (doc.key, number, source, seq, canonical(raw)),
                        )
                evicted = self._evict(db, {d.key for d in documents})
                keys = sorted({d.key for d in documents})
                states = [self._refresh(db, key) for key in keys]
            for state in states:
                self._score(state, profiles, as_of)
            named: set[str] = set()
            by_key = {state.key: state for state in states}
            for doc in documents:
                bls = {bl for bl, _ in doc.bills}
                state = by_key[doc.key]
                for shipment in state.shipments.values():
                    if shipment.bl_number in bls:
                        named.add(unit_key(shipment))
                for number, _, _ in doc.boxes:
                    named.add(f"{doc.key}/{number}")
            changed = {k for s in states for k in s.changed_units if k not in named}
            ranked = sorted((k for s in states for k in s.units), key=lambda k: _rank_of(states, k))
            units: Counter[str] = Counter()
            for state in states:
                units.update(_unevaluable(state.units.values()))
            return Arrival(
                units=tuple(_unit(states, k) for k in ranked if k in named),
                changed=tuple(_unit(states, k) for k in ranked if k in changed),
                unevaluable=dict(sorted(units.items())),
                calls=tuple(_summary(s) for s in states),
                replaced=tuple(replaced),
                evicted=evicted,
            )

    def _evict(self, db: Any, keep: set[str]) -> tuple[str, ...]:
        count = int(db.execute("SELECT count(*) FROM calls").fetchone()[0])
        if count <= self.max_calls:
            return ()
        rows = db.execute("SELECT call FROM calls ORDER BY seq").fetchall()
        drop = [r[0] for r in rows if r[0] not in keep][: count - self.max_calls]
        for call in drop:
            for table in ("calls", "bills", "boxes"):
                db.execute(f"DELETE FROM {table} WHERE call = ?", (call,))  # noqa: S608
            self._states.pop(call, None)
        return tuple(drop)

    # --- reading the pool ---------------------------------------------------------------

    def summaries(self, build: Iterable[str] = ()) -> list[CallSummary]:
        """Every call of the pool, in key order; the calls ``build`` built first (the
        others counted in full only when this worker holds them up to date)."""
        wanted = set(build)
        with self._lock, self.store.reading() as db:
            counts = dict(db.execute("SELECT call, count(*) FROM bills GROUP BY call").fetchall())
            out = []
            for row in PoolStore.calls(db):
                state = self._states.get(row.call)
                if row.call in wanted or (state is not None and state.seq == row.seq):
                    out.append(_summary(self._refresh(db, row.call)))
                else:
                    out.append(CallSummary(row.call, int(counts.get(row.call, 0)), None, None,
                                           row.arrival_day))  # fmt: skip
            return out

    @staticmethod
    def run_warnings(profiles: Iterable[CompiledProfile]) -> list[str]:
        """What a run of the pool cannot see, said once per profile: the pool scores
        without a stow plan or a history store, so indicators that read their fields
        cannot fire (the words of :class:`~riskprofile.errors.MissingSourceWarning`,
        which each worker's log shows once)."""
        return unfed_indicators(profiles, missing_sources(history=None, stowplan=None))

    def call_keys(self, day: dt.date | None = None) -> list[str]:
        """The keys of the calls of the pool (arriving on ``day`` when given)."""
        with self.store.reading() as db:
            rows = PoolStore.calls(db)
        return [r.call for r in rows if day is None or r.arrival_day == day.isoformat()]

    def run(
        self,
        keys: Iterable[str],
        profiles: Sequence[CompiledProfile],
        as_of: dt.datetime,
        skipped: Mapping[str, str],
    ) -> ScoringRun:
        """The calls ``keys`` scored as they stand, as one run (unknown keys raise
        ``KeyError`` naming the first)."""
        with self._lock:
            with self.store.reading() as db:
                states = []
                for key in sorted(set(keys)):
                    if PoolStore.call(db, key) is None:
                        raise KeyError(key)
                    states.append(self._refresh(db, key))
            for state in states:
                self._score(state, profiles, as_of)
            fingerprints = {p.id: p.fingerprint for p in profiles}
            return _run_of(states, profiles, as_of, skipped, fingerprints)

    def shipments(self, keys: Iterable[str]) -> list[Shipment]:
        """The shipments of the calls ``keys`` as they stand."""
        with self._lock:
            with self.store.reading() as db:
                states = [self._refresh(db, k) for k in keys if PoolStore.call(db, k)]
            return [s for state in states for _, s in sorted(state.shipments.items())]

    # --- a worker's copy of a call ----------------------------------------------------------

    def _refresh(self, db: Any, key: str) -> _CallState:
        """The call brought up to date with the store: the parts written since this
        worker last looked, and the shipments they can change rebuilt."""
        row = PoolStore.call(db, key)
        assert row is not None
        state = self._states.get(key)
        if state is not None:
            self._states.move_to_end(key)
            if state.seq == row.seq:
                return state
        if state is None or state.header_seq != row.header_seq:
            state = _CallState(key)  # a new header can change every shipment: rebuild
            self._states[key] = state
            while len(self._states) > self.cached_calls:
                self._states.popitem(last=False)
        full = state.header_seq != row.header_seq
        state.header, state.header_seq = row.header, row.header_seq
        if full:
            state.header_model = Manifest.model_validate(state.header, context=self.context)
        changed_bills = PoolStore.bills(db, key, state.seq)
        changed = {b.bl for b in changed_bills}
        affected: set[str] = set()
        for bill_row in changed_bills:
            old = state.bills.get(bill_row.bl)
            if old is not None:
                affected.update(old[1].all_container_numbers)
                for number in old[1].all_container_numbers:
                    state.naming.get(number, set()).discard(bill_row.bl)
            model = Consignment.model_validate(json.loads(bill_row.doc), context=self.context)
            state.bills[bill_row.bl] = (bill_row.seq, model)
            for number in model.all_container_numbers:
                affected.add(number)
                state.naming.setdefault(number, set()).add(bill_row.bl)
        for number, declared in list(state.boxes.items()):
            kept = [b for b in declared if b.source not in changed]
            if len(kept) != len(declared):
                affected.add(number)
                state.boxes[number] = kept
        for box_row in PoolStore.boxes(db, key, state.seq, frozenset(changed)):
            self._declare(state, box_row)
            affected.add(box_row.number)
        state.seq = row.seq
        if full:
            affected = set(state.boxes) | set(state.naming)
            changed = set(state.bills)
        self._rebuild(state, affected, changed)
        return state

    def _declare(self, state: _CallState, row: BoxRow) -> None:
        declared = state.boxes.setdefault(row.number, [])
        if any(b.source == row.source and b.doc == row.doc for b in declared):
            return
        model = Container.model_validate(json.loads(row.doc), context=self.context)
        declared.append(_Box(row.seq, row.source, row.doc, model))
        declared.sort(key=lambda b: (b.seq, b.doc))

    def _rebuild(self, state: _CallState, affected: set[str], changed: set[str]) -> None:
        """Flatten again the shipments of the ``affected`` containers and of the
        ``changed`` B/Ls without a container, from a manifest of only what they read."""
        bls = set(changed)
        for number in affected:
            bls.update(state.naming.get(number, ()))
        # B/L-number order, not arrival order: a container's goods weight is a sum of
        # floats in manifest order, so the call's result must not depend on which B/L
        # came first (it equals the whole call's, its B/Ls listed in that order).
        bills = [state.bills[bl][1] for bl in sorted(bls) if bl in state.bills]
        boxes: list[Container] = []
        for number in sorted(affected):
            seen: set[str] = set()
            for box in state.boxes.get(number, ()):
                if box.doc not in seen:  # declared alike by several documents: once
                    seen.add(box.doc)
                    boxes.append(box.model)
        numbers = [box.number for box in boxes]
        if state.header_model is not None and len(set(numbers)) == len(numbers):
            # The voyage fields validated once (their flags kept); B/Ls and containers
            # validated as they arrived, each B/L number and container once: nothing
            # left for the manifest's own checks (duplicates) to find.
            manifest = state.header_model.model_copy(
                update={"consignments": bills, "containers": boxes}
            )
        else:
            manifest = Manifest.model_validate(
                {**state.header, "consignments": bills, "containers": boxes},
                context=self.context,
            )
        fresh = {
            s.shipment_id: s
            for s in flatten(manifest)
            if (s.container_number in affected)
            or (s.container_number is None and s.bl_number in changed)
        }
        gone = [
            sid
            for sid, s in state.shipments.items()
            if s.container_number in affected
            or (s.container_number is None and s.bl_number in changed)
        ]
        for sid in gone:
            if sid not in fresh:
                del state.shipments[sid]
                state.results.pop(sid, None)
                state.dirty.discard(sid)
                state.touched.add(state.unit_of.pop(sid))
        for sid, shipment in fresh.items():
            if state.shipments.get(sid) != shipment:
                state.shipments[sid] = shipment
                state.dirty.add(sid)
                if sid in state.unit_of:
                    state.touched.add(state.unit_of[sid])
                state.unit_of[sid] = key = unit_key(shipment)
                state.touched.add(key)

    def _score(
        self, state: _CallState, profiles: Sequence[CompiledProfile], as_of: dt.datetime
    ) -> None:
        """Score the shipments of the call whose fields changed (all of them when the
        profiles or ``as_of`` changed), and roll the call up."""
        token = (as_of, tuple(sorted((p.id, p.fingerprint) for p in profiles)))
        if state.scored_as != token:
            state.dirty = set(state.shipments)
            state.touched.update(state.units, state.unit_of.values())
            state.scored_as = token
        if state.dirty:
            todo = [state.shipments[sid] for sid in sorted(state.dirty)]
            # include_drafts: the profiles given are the ones taking part already.
            run = score(todo, profiles, as_of=as_of, engine="rowwise", include_drafts=True)
            for result in run.shipments:
                state.results[result.shipment_id] = result
            state.dirty = set()
        # Roll up again only the units whose members changed.
        touched = state.touched
        members = [state.results[sid] for sid, key in state.unit_of.items() if key in touched]
        made = {c.key: c for c in roll_up(members)}
        state.changed_units = set()
        for key in touched:
            old, new = state.units.get(key), made.get(key)
            if new is None:
                state.units.pop(key, None)
                state.ranks.pop(key, None)
                continue
            state.units[key] = new
            state.ranks[key] = rank_key(new)
            if old is None or (old.lane, old.score, old.forced) != (
                new.lane,
                new.score,
                new.forced,
            ):
                state.changed_units.add(key)
        state.touched = set()


def _merge_header(
    current: dict[str, Any], new: dict[str, Any], record: int, problems: list[DocumentProblem]
) -> dict[str, Any]:
    merged = dict(current)
    for name, value in new.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        old = merged.get(name)
        if old is None or name in _UPDATABLE or canonical(old) == canonical(value):
            merged[name] = value
            continue
        problems.append(
            DocumentProblem(
                record,
                name,
                str(value)[:200],
                f"the vessel call already has {name} {str(old)[:200]!r}: every document of "
                "a call must agree on it",
            )
        )
    return merged


def _arrival_day(header: Mapping[str, Any]) -> str | None:
    try:
        manifest = Manifest.model_validate(
            {"arrival": header.get("arrival")}, context=_validation_context("lenient")
        )
    except RecordError:
        return None
    return None if manifest.arrival is None else manifest.arrival.date().isoformat()


def _summary(state: _CallState) -> CallSummary:
    return CallSummary(
        key=state.key,
        bills_of_lading=len(state.bills),
        shipments=len(state.shipments),
        containers=len(set(state.unit_of.values())),
        arrival_day=_arrival_day(state.header),
    )


def _rank_of(states: Sequence[_CallState], key: str) -> Any:
    for state in states:
        if key in state.ranks:
            return state.ranks[key]
    raise KeyError(key)


def _unit(states: Sequence[_CallState], key: str) -> ContainerResult:
    for state in states:
        if key in state.units:
            return state.units[key]
    raise KeyError(key)


def _unevaluable(containers: Iterable[ContainerResult]) -> Counter[str]:
    units: Counter[str] = Counter()
    for container in containers:
        units.update({key for s in container.shipments for key in s.unevaluable})
    return units


def _run_of(
    states: Sequence[_CallState],
    profiles: Sequence[CompiledProfile],
    as_of: dt.datetime,
    skipped: Mapping[str, str],
    fingerprints: dict[str, str],
) -> ScoringRun:
    """One run of the calls, as the library's :func:`~riskprofile.score` would make it
    from their shipments."""
    results = sorted((r for s in states for r in s.results.values()), key=lambda r: r.shipment_id)
    ranked = sorted((k for s in states for k in s.units), key=lambda k: _rank_of(states, k))
    containers = [_unit(states, k) for k in ranked]
    units = _unevaluable(containers)
    return ScoringRun(
        as_of=as_of,
        fingerprints=fingerprints,
        shipments=tuple(results),
        containers=tuple(containers),
        profile_versions={p.id: p.version for p in profiles},
        skipped_profiles=dict(skipped),
        unevaluable=dict(sorted(units.items())),
    )
