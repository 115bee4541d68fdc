"""The column-wise CUSCAR reader's fields: every segment placed in its group, the
records of each section, and each field of the mapping for all records at once (see
:mod:`._columns`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from riskprofile.io._layout import COLUMNS
from riskprofile.io.edifact._cutting import _Cut, _Envelope, _Machine, _State
from riskprofile.io.edifact._groups import GroupDef, table_for
from riskprofile.io.edifact._mapping import FIELDS, EdifactMapping
from riskprofile.io.edifact._selected import _Field, _Selected

_PARTY_ROLES = {
    "shipper": "shipper",
    "consignee": "consignee",
    "notify_party": "notify",
    "freight_payer": "freight_payer",
}
_NAMES = [c.name for c in COLUMNS]


def _tags_of(group: GroupDef) -> set[str]:
    """Every segment tag of ``group`` and the groups in it."""
    tags: set[str] = set()
    for entry in group.entries:
        tags |= _tags_of(entry) if isinstance(entry, GroupDef) else {entry.tag}
    return tags


# --- the columns -----------------------------------------------------------------------------


@dataclass
class _Records:
    """One record section's records: ``id`` (the occurrence), ``unit`` and ``parent``."""

    frame: pl.DataFrame
    depth: int
    path: str


class _Columns:
    """Reads the messages of the column-wise path into the flat layout's rows."""

    def __init__(self, cut: _Cut, envelope: _Envelope, mapping: EdifactMapping) -> None:
        self.cut = cut
        self.envelope = envelope
        self.mapping = mapping
        self.bad: dict[int, str] = {}  # unit -> why the model path reads it
        # Records the model path reads in a message otherwise read column-wise: B/Ls and
        # containers (their ids), each with why; their closure goes with them.
        self.bad_bills: dict[int, str] = {}
        self.bad_boxes: dict[int, str] = {}
        self._selected = _Selected(cut)
        # (tag, group path) -> the states of the segment tables that stand for it.
        self._part_states: dict[tuple[str, str], list[int]] = {}
        self._records: dict[str, _Records] = {}
        self.max_depth = 0
        self.states: list[_State] = []  # the segment tables' states (see place)
        self.walked = 0  # segments walked through the segment tables (for tests)

    def route(self, units: Iterable[int], reason: str) -> None:
        for unit in units:
            self.bad.setdefault(int(unit), reason)

    def route_where(
        self, frame: pl.DataFrame, condition: pl.Expr, reason: str, scope: str | None = None
    ) -> None:
        """Route what the rows of ``frame`` meeting ``condition`` belong to: their
        messages (``scope`` ``manifest`` or ``None``), or the B/Ls or containers of their
        ``id`` (``consignments``, ``goods``: the B/L of a goods line, ``containers``)."""
        hit = frame.filter(condition)
        if hit.height == 0:
            return
        if scope in (None, "manifest") or "id" not in hit.columns:
            self.route(hit.get_column("unit").unique().to_list(), reason)
            return
        ids = hit.get_column("id").unique()
        if scope == "goods":
            lines = self._records["goods"].frame
            ids = lines.filter(pl.col("id").is_in(ids.implode())).get_column("parent").unique()
            scope = "consignments"
        target = self.bad_bills if scope == "consignments" else self.bad_boxes
        for number in ids.to_list():
            target.setdefault(int(number), reason)

    def where(self, test: Callable[[_State], bool]) -> pl.Expr:
        """Whether a segment's state passes ``test`` (a state's attributes are the same
        for every segment in it: tested once per state, not per segment)."""
        return pl.col("state").is_in([n for n, s in enumerate(self.states) if test(s)])

    def opening(self, depth: int) -> pl.Expr:
        """Whether a segment opens a group at ``depth``."""
        return self.where(lambda s: depth in s.opens)

    def attribute(self, value: Callable[[_State], int]) -> pl.Expr:
        """An attribute of each segment's state (for the segments a query keeps)."""
        return self.gathered([value(s) for s in self.states])

    def gathered(self, values: list[int]) -> pl.Expr:
        """``values`` (one per state) gathered for each segment by its state."""
        return pl.lit(pl.Series(values, dtype=pl.Int32)).gather(pl.col("state"))

    # --- placing segments --------------------------------------------------------------------

    def place(self) -> pl.DataFrame:
        """Every message segment with its unit, state, group path and occurrences."""
        cut = self.cut
        frame = cut.frame
        machine = _Machine()
        units, states = self._walk(machine)
        each = self.mapping.each
        needed = max(
            len(each.get("containers", ())),
            len(each.get("consignments", ())) + len(each.get("goods", ())),
        )
        depth = max([needed, *(len(s.names) for s in machine.states)])
        self.max_depth = depth
        placed = pl.DataFrame([units, states]).with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("at")
        )
        frame = pl.concat([frame, placed], how="horizontal")
        inside = pl.col("unit") > 0
        # Syntax the tokenizer reports: a tag that is not one, repetitions.
        # The tag column is a tag or empty (see _Cut): an empty one is not a tag.
        self.route_where(frame, inside & (pl.col("tag") == ""), "a segment tag that is not one")
        rep = cut.service.repetition
        if rep != " ":
            self.route_where(
                frame, inside & pl.col("raw").str.contains(rep, literal=True), "repeated elements"
            )
        # The segments placed: one slice when they are one stretch of the file (all but
        # its UNB and UNZ, the common case: no copy of the segments' texts), else one
        # filter.
        kept = ((units > 0) & (states >= 0)).arg_true()
        if kept.len() and int(kept[-1]) - int(kept[0]) + 1 == kept.len():
            frame = frame.slice(int(kept[0]), kept.len())
        else:
            frame = frame.filter(inside & (pl.col("state") >= 0))
        known = machine.states
        self.states = known
        for number, state in enumerate(known):
            self._part_states.setdefault((state.tag, "/".join(state.names)), []).append(number)
        # Each group occurrence numbered: the running count of the segments opening a
        # group at that depth. Every other attribute of a segment's state (its group
        # path, depth, limits) is read from the state where a query needs it, on the
        # segments it keeps, not gathered for every segment.
        frame = frame.with_columns(
            self.opening(d).cast(pl.Int64).cum_sum().alias(f"occ{d}") for d in range(1, depth + 1)
        )
        self._repeats(frame, depth)
        return frame

    def _walk(self, machine: _Machine) -> tuple[pl.Series, pl.Series]:
        """Each segment's message (``unit``, 0 outside the messages read) and state in
        its message's segment table (``state``, -1 for a segment with no place), routing
        the messages with a segment out of place.

        The machine's moves are made complete first (every state reachable from the
        tables' roots, on every tag the tables know: a few dozen of each), as a table
        indexed by state and tag code, so that the walk over the file's tags is one list
        lookup per segment. A segment with no place leaves the state as it was, marked:
        state ``s + n`` (of ``n`` states) moves as ``s`` does."""
        envelope = self.envelope
        tags = self.cut.frame.get_column("tag")
        height = len(tags)
        read: list[tuple[int, int, int, int]] = []  # number, first, last, root state
        known: set[str] = set()
        for number, ((first, last), head) in enumerate(
            zip(envelope.messages, envelope.heads, strict=True), start=1
        ):
            table, note = table_for(head)
            if table is None or note is not None:
                self.route([number], note or "not read")
                continue
            if not envelope.trailer_ok[number - 1]:
                self.route([number], "the message trailer (UNT) disagrees")
            read.append((number, first, last, machine.root(table.root)))
            known.update(_tags_of(table.root))
        codes_of = {tag: code for code, tag in enumerate(sorted(known))}
        moves = machine.complete(list(codes_of))
        n = len(moves)
        # Code len(known): a tag no table knows, which no state takes.
        after = [[n + s if t < 0 else t for t in row] + [n + s] for s, row in enumerate(moves)]
        after += after
        codes = tags.replace_strict(codes_of, default=len(codes_of), return_dtype=pl.Int32)
        code_list = codes.to_list()
        del codes
        walked: list[int] = []
        numbered: list[int] = []
        done = 0
        for number, first, last, root in read:
            walked += [-1] * (first - done)
            numbered += [0] * (first - done)
            state = root
            walked += [state := after[state][c] for c in code_list[first : last + 1]]
            numbered += [number] * (last + 1 - first)
            done = last + 1
        walked += [-1] * (height - done)
        numbered += [0] * (height - done)
        del code_list
        self.walked = done
        units = pl.Series("unit", numbered, dtype=pl.Int32)
        states = pl.Series("state", walked, dtype=pl.Int32)
        unplaced = states >= n
        if unplaced.any():
            self.route(units.filter(unplaced).unique().to_list(), "a segment out of place")
            states = states.set(unplaced, -1)
        return units, states

    def _repeats(self, frame: pl.DataFrame, depth: int) -> None:
        """Route the messages where a segment or group repeats more often than its table
        allows (counted per occurrence, as the group parser counts).

        A tag that stands at one entry of its group can only repeat right after itself
        (the group parser never goes back to an earlier entry, and a group opened after
        it closes before anything of this occurrence comes again): its count is the
        length of a run of one state that opens no group. Only a tag at several entries
        of its group is counted by a group_by over its occurrence."""
        state = pl.col("state")
        starts = (
            (pl.int_range(pl.len()) == 0)
            | self.where(lambda s: bool(s.opens))
            | state.ne(state.shift(1))
            | pl.col("unit").ne(pl.col("unit").shift(1))
        )
        runs = (
            frame.lazy()
            .select("unit", "state", starts.alias("start"))
            .with_row_index("i")
            .filter(pl.col("start"))
            .with_columns(
                pl.col("i").shift(-1, fill_value=frame.height).sub(pl.col("i")).alias("n")
            )
            .filter(pl.col("n") > 1)  # a limit is at least 1: only repeats are looked up
            .with_columns(self.attribute(lambda s: s.limit).alias("limit"))
            .filter(pl.col("n") > pl.col("limit"))
            .collect()
        )
        self.route_where(runs, pl.lit(True), "a segment repeated too often")
        # Lazy queries: only the columns counted are read (the segments' texts are not
        # copied for the segments they keep).
        scattered = (
            frame.lazy()
            .filter(self.where(lambda s: s.scattered))
            .drop("raw")
            .with_columns(
                self.attribute(lambda s: len(s.names)).alias("depth"),
                self.attribute(lambda s: s.limit).alias("limit"),
            )
            .collect()
        )
        if scattered.height:
            inner = pl.col("unit").cast(pl.Int64)
            for d in range(1, depth + 1):
                inner = pl.when(pl.col("depth") == d).then(pl.col(f"occ{d}")).otherwise(inner)
            counts = scattered.group_by("unit", "depth", inner.alias("inner"), "tag").agg(
                pl.len().alias("n"), pl.col("limit").min()
            )
            self.route_where(counts, pl.col("n") > pl.col("limit"), "a segment repeated too often")
        queries = []
        prefixes: dict[str, int] = {}
        for d in range(1, depth + 1):
            parent = pl.col("unit").cast(pl.Int64) if d == 1 else pl.col(f"occ{d - 1}")
            codes = [prefixes.setdefault("/".join(s.names[:d]), len(prefixes)) for s in self.states]
            repeats = [s.levels[d][0].repeat if len(s.levels) > d else 0 for s in self.states]
            queries.append(
                frame.lazy()
                .filter(self.opening(d))
                .group_by("unit", parent.alias("parent"), self.gathered(codes).alias("prefix"))
                .agg(pl.len().alias("n"), self.gathered(repeats).min().alias("repeat"))
            )
        for opened in pl.collect_all(queries):
            self.route_where(opened, pl.col("n") > pl.col("repeat"), "a group repeated too often")

    # --- records and fields ----------------------------------------------------------------

    def records(self, frame: pl.DataFrame, section: str) -> _Records:
        """The records of ``section`` (each an occurrence of its group), in file order."""
        found = self._records.get(section)
        if found is None:
            found = self._records[section] = self._find_records(frame, section)
        return found

    def _find_records(self, frame: pl.DataFrame, section: str) -> _Records:
        if section == "manifest":
            ids = (
                frame.lazy()
                .select("unit")
                .unique(maintain_order=True)
                .with_columns(pl.col("unit").cast(pl.Int64).alias("id"))
                .collect()
            )
            return _Records(ids.with_columns(pl.col("unit").alias("parent")), 0, "")
        path = list(self.mapping.each.get(section, ()))
        if section == "goods":
            path = [*self.mapping.each.get("consignments", ()), *path]
        d = len(path)
        if d == 0 or d > self.max_depth:
            return _Records(
                pl.DataFrame(schema={"unit": pl.Int32, "id": pl.Int64, "parent": pl.Int64}),
                d,
                "/".join(path),
            )
        parent_depth = len(self.mapping.each.get("consignments", ())) if section == "goods" else 0
        parent = (
            pl.col("unit").cast(pl.Int64) if parent_depth == 0 else pl.col(f"occ{parent_depth}")
        )
        # Lazy: only the four columns read are filtered, not the whole segment frame.
        joined = "/".join(path)
        ids = (
            frame.lazy()
            .filter(self.where(lambda s: d in s.opens and "/".join(s.names[:d]) == joined))
            .select("unit", pl.col(f"occ{d}").alias("id"), parent.alias("parent"), "at")
            .collect()
        )
        return _Records(ids, d, "/".join(path))

    def _segments(self, frame: pl.DataFrame, tag: str, path: str, rid: str) -> pl.DataFrame:
        """The segments of ``tag`` at group ``path``, in file order: ``unit``, ``raw`` and
        ``rid`` (the record's id column). A lazy filter on the states that stand for them
        (known from the segment tables, not from the segments), reading only those three
        columns: no partition of the whole segment column."""
        states = self._part_states.get((tag, path), [])
        columns = list(dict.fromkeys(["unit", "raw", rid]))
        return frame.lazy().filter(pl.col("state").is_in(states)).select(columns).collect()

    # --- the rows -----------------------------------------------------------------------------

    def sections(self, frame: pl.DataFrame, names: list[str]) -> dict[str, pl.DataFrame]:
        """:meth:`section` of each of ``names``, two at a time on threads of their own
        (each is Polars queries and some Python: one's Python runs while the other's
        Polars does); what they route is routed afterwards in the order of ``names``,
        as if read one after the other."""
        for name in names:
            self.records(frame, name)
        deferred: dict[str, list[tuple[pl.DataFrame, pl.Expr, str]]] = {n: [] for n in names}
        with ThreadPoolExecutor(max_workers=2) as pool:
            # The largest sections first, so that the small ones fill in after them.
            order = sorted(names, key=lambda n: -self.records(frame, n).frame.height)
            running = {n: pool.submit(self.section, frame, n, deferred[n]) for n in order}
            tables = {n: running[n].result() for n in names}
        for name in names:
            for found, condition, reason in deferred[name]:
                self.route_where(found, condition, reason, name)
        return tables

    def section(
        self,
        frame: pl.DataFrame,
        section: str,
        deferred: list[tuple[pl.DataFrame, pl.Expr, str]] | None = None,
    ) -> pl.DataFrame:
        """One row per record of ``section``: ``id``, ``unit``, ``parent``, ``at`` and its
        fields as cells (parties as four columns each; seals two; lists as lists), all
        read in one pass over the segments the mapping's selectors name
        (:mod:`._selected`). What the fields route is routed at once, or appended to
        ``deferred`` when given."""
        records = self.records(frame, section)
        out = records.frame
        fields = [
            _Field(index, name, kind, selectors)
            for index, (name, kind) in enumerate(FIELDS[section].items())
            if (selectors := self.mapping.selectors(section, name))
        ]
        if not fields:
            return out
        reader = self._selected
        parts = reader.plan(fields, records.path)
        rid_column = "unit" if records.depth == 0 else f"occ{records.depth}"
        rid = pl.col(rid_column).cast(pl.Int64)
        # Each part's hits grouped by record (its ids are in file order, so sorted) and
        # aligned on the records alone: all in one query, none joined onto a growing table.
        ids = out.select("id", "unit")
        aligned = []
        for part in parts:
            segments = self._segments(frame, part.tag, part.path, rid_column)
            hits = reader.hits(part, segments, rid)
            found = hits.with_columns(pl.col("id").set_sorted()).group_by("id")
            aligned.append(
                ids.lazy()
                .join(
                    found.agg(reader.aggregates(part)), on="id", how="left", maintain_order="left"
                )
                .drop("id", "unit")
            )
        table = ids.hstack([c for f in pl.collect_all(aligned) for c in f.get_columns()])
        table = reader.translate(table, fields)

        def route(found: pl.DataFrame, condition: pl.Expr, reason: str) -> None:
            if deferred is not None:
                deferred.append((found, condition, reason))
            else:
                self.route_where(found, condition, reason, section)

        cells: list[pl.Series] = []
        for spec in fields:
            finished = reader.finish(table, spec, route)
            if spec.kind == "party":
                prefix = _PARTY_ROLES[spec.name]
                finished = [s.alias(f"{prefix}_{s.name}") for s in finished]
            cells.extend(finished)
        return out.hstack(cells)
