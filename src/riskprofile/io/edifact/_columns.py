"""The column-wise CUSCAR reader: an interchange straight into the shipment frame.

The model path (:mod:`._reader`: a :class:`~riskprofile.Manifest` per message, then
:func:`~riskprofile.model.shipment.flatten`) is the reference and stays so; for a large
interchange it builds millions of small objects. This path makes none per segment:

1. the text is cut into segments by plain splits (released service characters are
   swapped for placeholders first, as the tokenizer does) and held in one Polars column;
2. the envelope is checked on its few service segments (``UNB``, ``UNH``, ``UNT``,
   ``UNZ``), each read by the tokenizer itself;
3. a loop over the *tags* alone walks each message through its segment table (the
   group parser's own rule, memoised per state and tag), giving each segment its group
   path and each group occurrence a number; repeats over the table's limits are counted
   in Polars;
4. each field of the mapping is taken where its selectors say, for every record at
   once (first match wins, as in the model path), and the records are laid out as the
   rows of the flat layout that :func:`~riskprofile.io.table_rows` writes for the same
   manifest;
5. those rows are read by the column-wise flat reader (:mod:`riskprofile.io._frame`),
   which normalises and checks every value as it does for CSV and Parquet.

Exact by routing: a message this path could read differently from the model path goes
through the model path alone (its shipments and its rejection are then the model's own,
put back in file order): any problem the model path would report or flag (a segment out
of place, a count, a value that does not read, another message type or directory, a
message function other than an original), and anything the flat layout says otherwise
than the manifest (the rules of :mod:`riskprofile.io._frame._json`: a blank or padded
text, a container number off ISO 6346, a B/L number twice, two messages of one vessel
call...). A file whose envelope is not plain ``[UNB] (UNH...UNT)* [UNZ]``, a strict
read, a mapping feature this path does not take, and a flat read that rejected or routed
a row send the whole file through the model path (``FrameBatch.fallback`` says why).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from riskprofile.errors import InputFormatError
from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame._json import _LONGEST
from riskprofile.io._frame._values import (
    PY_WHITESPACE,
    _canonical,
    _iso6346_problem,
    _py_container,
)
from riskprofile.io._layout import COLUMNS
from riskprofile.io.edifact._envelope import Message, open_envelopes
from riskprofile.io.edifact._groups import GroupDef, SegmentDef, table_for
from riskprofile.io.edifact._mapping import FIELDS, EdifactMapping, Selector
from riskprofile.io.edifact._reader import (
    _read_message,
    _rejected,
    party_of,
    paused_gc,
    read_text,
)
from riskprofile.io.edifact._syntax import (
    Segment,
    ServiceChars,
    _segments,
    tokenize,
    unreleased,
    write_segment,
)
from riskprofile.io.edifact._values import FULL_EMPTY, parse_datetime
from riskprofile.model._base import Strictness, validation_context
from riskprofile.model.manifest import Manifest

if TYPE_CHECKING:
    from riskprofile.io._frame._result import FrameBatch

__all__ = ["EdifactColumns", "edifact_columns", "read_edifact_frame"]

_TAG = r"^[A-Z][A-Z0-9]{2}$"
_SERVICE_TAGS = ("UNB", "UNZ", "UNG", "UNE", "UNH", "UNT")
_NAME_WIDTH = 35
_TEXT_WIDTH = 70
_SEP = ";"
_INTEGER = r"^[0-9]{1,15}$"
_DECIMAL = r"^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?$"
_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,12})?$"
_KILOGRAMS = ("", "KGM", "KG", "kgm", "kg", "Kg", "KGm")
_PARTY_ROLES = {
    "shipper": "shipper",
    "consignee": "consignee",
    "notify_party": "notify",
    "freight_payer": "freight_payer",
}
_NAMES = [c.name for c in COLUMNS]


class _WholeFile(Exception):  # noqa: N818 - a signal, not an error
    """The whole file goes through the model path (the reason)."""


@dataclass
class EdifactColumns:
    """A CUSCAR file cut for the column-wise reader.

    Attributes:
        cells: the flat layout's rows (every column as text) of what is read
            column-wise, in file order, with ``unit`` (the message number) and ``bill``
            (the B/L's id, null for a container no B/L names).
        fast: the messages with rows in ``cells`` (units of the file, from 1), in order.
        routed: unit -> the whole message, for the model path (nothing of it in
            ``cells``).
        parts: unit -> the part of a message the model path reads (its header, the B/Ls
            and containers routed, and their closure: the rest is in ``cells``).
        fast_bills: ``unit``, ``run`` (the n-th B/L of the message in ``cells``) and
            ``key`` (the B/L's place in the file), to put shipments back in order.
        part_bills: unit -> the file places of the B/Ls in ``parts[unit]``, in order.
        declared: ``unit``, ``container_number``, ``key``: where each container is first
            declared (the order of the containers no B/L names).
        whole: the whole message of a unit (when its part cannot be read alone).
        units: the file's units (messages; the envelope is plain, so no other).
        service: the service characters.
        reasons: unit -> why (some of) it goes through the model path.
    """

    cells: pl.DataFrame
    fast: list[int]
    routed: dict[int, Message]
    parts: dict[int, Message]
    fast_bills: pl.DataFrame
    part_bills: dict[int, list[int]]
    declared: pl.DataFrame
    whole: Callable[[int], Message]
    units: int
    service: ServiceChars
    reasons: dict[int, str] = field(default_factory=dict)


# --- the segment tables as a machine over tags ----------------------------------------------


@dataclass
class _State:
    levels: tuple[tuple[GroupDef, int], ...]
    names: tuple[str, ...]  # the group at each depth below the root
    opens: tuple[int, ...]  # the depths this state's segment opened a group at
    limit: int  # how often the tag may stand in the innermost group (the least entry)


class _Machine:
    """Every segment table's states (a stack of groups and positions, as the group
    parser keeps it, without counts) and the transitions met so far, per tag."""

    def __init__(self) -> None:
        self.states: list[_State] = []
        self.index: dict[tuple[Any, ...], int] = {}
        self.moves: list[dict[str, int]] = []
        self.roots: dict[int, int] = {}

    def _state(
        self, levels: tuple[tuple[GroupDef, int], ...], opens: tuple[int, ...], tag: str
    ) -> int:
        group = levels[-1][0]
        limits = [e.repeat for e in group.entries if isinstance(e, SegmentDef) and e.tag == tag]
        limit = min(limits) if limits else 1
        key = (tuple((id(g), p) for g, p in levels), opens, limit)
        found = self.index.get(key)
        if found is not None:
            return found
        number = len(self.states)
        names = tuple(g.name for g, _ in levels[1:])
        self.states.append(_State(levels, names, opens, limit))
        self.moves.append({})
        self.index[key] = number
        return number

    def root(self, table: GroupDef) -> int:
        """The state before a message's first segment."""
        found = self.roots.get(id(table))
        if found is None:
            found = self.roots[id(table)] = self._state(((table, 0),), (), "")
        return found

    def move(self, state: int, tag: str) -> int:
        """The state after ``tag`` (``-1``: the segment has no place)."""
        levels = self.states[state].levels
        for depth in range(len(levels) - 1, -1, -1):
            group, position = levels[depth]
            indexes = group.lookup.get(tag)
            if indexes is None:
                continue
            start = max(position, 1) if depth else position
            for index in indexes:
                if index < start:
                    continue
                entry = group.entries[index]
                new = [*levels[:depth], (group, index)]
                opens: list[int] = []
                if isinstance(entry, GroupDef):
                    inner: GroupDef = entry
                    while True:
                        new.append((inner, 0))
                        opens.append(len(new) - 1)
                        first = inner.entries[0]
                        if not isinstance(first, GroupDef):
                            break
                        inner = first
                target = self._state(tuple(new), tuple(opens), tag)
                self.moves[state][tag] = target
                return target
        self.moves[state][tag] = -1
        return -1


# --- helpers ---------------------------------------------------------------------------------


def _escape(char: str) -> str:
    return re.escape(char)


class _Cut:
    """The file's segments as columns, and what reads them."""

    def __init__(self, text: str) -> None:
        service = ServiceChars()
        if text.startswith("UNA"):
            service = ServiceChars.from_una(text[:9])
            text = text[9:]
        self.service = service
        released = unreleased(text, service)
        if released is None:
            raise _WholeFile("EDIFACT text holding private-use characters")
        text, back, dangling = released
        if dangling:
            raise _WholeFile("a release character ends the text")
        self.back = back
        pieces = text.split(service.terminator)
        del text
        tail = pieces.pop()
        if tail.strip():
            raise _WholeFile("text after the last segment terminator")
        self.pieces = pieces
        raw = pl.Series("raw", pieces, dtype=pl.String).str.strip_chars_start("\r\n\t ")
        elem, comp = _escape(service.element), _escape(service.component)
        tag = raw.str.extract(f"^([^{elem}{comp}]*)", 1).alias("tag")
        self.frame = pl.DataFrame([raw, tag])

    def segment(self, raw: str) -> Segment:
        """One segment as the tokenizer reads it."""
        return _segments([raw.lstrip("\r\n\t ")], self.service, self.back)[0]

    def text_of(self, first: int, last: int) -> str:
        """Segments ``first`` to ``last`` (0-based, both included) as EDIFACT text with
        the file's service characters (released characters released again)."""
        service = self.service
        body = service.terminator.join(self.pieces[first : last + 1]) + service.terminator
        if self.back is not None:
            body = body.translate({k: service.release + c for k, c in self.back.items()})
        return service.una() + body

    def text_from(self, indexes: list[int], trailer: str) -> str:
        """The segments at ``indexes`` (0-based) and ``trailer`` (written) as EDIFACT
        text with the file's service characters."""
        service = self.service
        body = service.terminator.join(self.pieces[i] for i in indexes) + service.terminator
        if self.back is not None:
            body = body.translate({k: service.release + c for k, c in self.back.items()})
        return service.una() + body + trailer

    def translated(self, expr: pl.Expr) -> pl.Expr:
        """Placeholders back to the characters they stand for."""
        if self.back is None:
            return expr
        return expr.str.replace_many([chr(k) for k in self.back], list(self.back.values()))

    def element(self, expr: pl.Expr, element: int) -> pl.Expr:
        """Element ``element`` (from 1) untranslated, null when the segment has fewer."""
        e = re.escape(self.service.element)
        return expr.str.extract(f"^(?:[^{e}]*{e}){{{element}}}([^{e}]*)", 1)

    def component(self, expr: pl.Expr, element: int, component: int) -> pl.Expr:
        """The text of ``element``.``component``, translated; null when absent."""
        e, c = re.escape(self.service.element), re.escape(self.service.component)
        pattern = f"^(?:[^{e}]*{e}){{{element}}}(?:[^{e}{c}]*{c}){{{component - 1}}}([^{e}{c}]*)"
        return self.translated(expr.str.extract(pattern, 1))


def _count(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


# --- the envelope ----------------------------------------------------------------------------


@dataclass
class _Envelope:
    messages: list[tuple[int, int]]  # (UNH index, UNT index), 0-based
    interchange: str | None
    heads: list[Message]  # per message: its identity (no segments)
    trailer_ok: list[bool]


def _envelope(cut: _Cut) -> _Envelope:
    frame = cut.frame
    mask = frame["tag"].is_in(_SERVICE_TAGS)
    at = mask.arg_true().to_list()
    tags = frame["tag"].gather(at).to_list()
    raws = frame["raw"].gather(at).to_list()
    service = list(zip(at, tags, raws, strict=True))
    height = frame.height
    if any(t in ("UNG", "UNE") for t in tags):
        raise _WholeFile("functional groups (UNG/UNE)")
    k = 0
    unb = None
    if service and service[0][0] == 0 and service[0][1] == "UNB":
        unb = cut.segment(service[0][2])
        k = 1
    expect = 1 if unb is not None else 0
    pairs: list[tuple[int, int]] = []
    heads: list[Message] = []
    trailer_ok: list[bool] = []
    reference = unb.value(5) if unb is not None else None
    while k < len(service) and service[k][1] == "UNH":
        if service[k][0] != expect or k + 1 >= len(service) or service[k + 1][1] != "UNT":
            raise _WholeFile("an envelope that is not [UNB] (UNH...UNT)... [UNZ]")
        first, last = service[k][0], service[k + 1][0]
        head = cut.segment(service[k][2])
        identifier = head.elements[1] if len(head.elements) > 1 else ()
        parts = [*identifier, "", "", "", ""]
        message = Message(
            reference,
            head.value(1) or "",
            parts[0].upper(),
            parts[1],
            parts[2],
            parts[3],
            [],
            first + 1,
        )
        trailer = cut.segment(service[k + 1][2])
        trailer_ok.append(
            _count(trailer.value(1)) == last - first + 1 and trailer.value(2) == message.reference
        )
        pairs.append((first, last))
        heads.append(message)
        expect = last + 1
        k += 2
    if unb is not None:
        if k != len(service) - 1 or service[k] != (height - 1, "UNZ", service[k][2]):
            raise _WholeFile("an envelope that is not [UNB] (UNH...UNT)... [UNZ]")
        unz = cut.segment(service[k][2])
        if _count(unz.value(1)) != len(pairs) or unz.value(2) != reference:
            raise _WholeFile("an interchange trailer (UNZ) that disagrees")
    elif k != len(service) or expect != height:
        raise _WholeFile("an envelope that is not [UNB] (UNH...UNT)... [UNZ]")
    if not pairs:
        raise _WholeFile("no message")
    return _Envelope(pairs, reference, heads, trailer_ok)


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
        self._scope: str | None = None  # the section being read
        self._parts: dict[tuple[str, str], pl.DataFrame] | None = None
        self._records: dict[str, _Records] = {}
        self.max_depth = 0

    def route(self, units: Iterable[int], reason: str) -> None:
        for unit in units:
            self.bad.setdefault(int(unit), reason)

    def route_where(
        self, frame: pl.DataFrame, condition: pl.Expr, reason: str, scope: str | None = "field"
    ) -> None:
        """Route what the rows of ``frame`` meeting ``condition`` belong to: their
        messages (``scope`` ``manifest`` or ``None``), or the B/Ls or containers of their
        ``id`` (``consignments``, ``goods``: the B/L of a goods line, ``containers``);
        ``field``: the section being read."""
        hit = frame.filter(condition)
        if hit.height == 0:
            return
        if scope == "field":
            scope = self._scope
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

    # --- placing segments --------------------------------------------------------------------

    def place(self) -> pl.DataFrame:
        """Every message segment with its unit, state, group path and occurrences."""
        cut, envelope = self.cut, self.envelope
        frame = cut.frame
        machine = _Machine()
        tags = frame["tag"].to_list()
        states = [-1] * len(tags)
        units = [0] * len(tags)
        roots: list[int | None] = []
        for number, ((first, last), head) in enumerate(
            zip(envelope.messages, envelope.heads, strict=True), start=1
        ):
            table, note = table_for(head)
            if table is None or note is not None:
                roots.append(None)
                self.route([number], note or "not read")
                continue
            if not envelope.trailer_ok[number - 1]:
                self.route([number], "the message trailer (UNT) disagrees")
            state = machine.root(table.root)
            moves = machine.moves
            for i in range(first, last + 1):
                units[i] = number
                tag = tags[i]
                target = moves[state].get(tag)
                if target is None:
                    target = machine.move(state, tag)
                    moves = machine.moves
                if target < 0:
                    self.route([number], "a segment out of place")
                    continue
                states[i] = target
                state = target
        del tags
        each = self.mapping.each
        needed = max(
            len(each.get("containers", ())),
            len(each.get("consignments", ())) + len(each.get("goods", ())),
        )
        depth = max([needed, *(len(s.names) for s in machine.states)])
        self.max_depth = depth
        placed = pl.DataFrame({"unit": pl.Series(units, dtype=pl.Int32)}).with_columns(
            pl.Series("state", states, dtype=pl.Int32),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("at"),
        )
        frame = pl.concat([frame, placed], how="horizontal")
        frame = frame.filter(pl.col("unit") > 0)
        # Syntax the tokenizer reports: a tag that is not one, repetitions.
        self.route_where(frame, ~pl.col("tag").str.contains(_TAG), "a segment tag that is not one")
        rep = cut.service.repetition
        if rep != " ":
            self.route_where(
                frame, pl.col("raw").str.contains(rep, literal=True), "repeated elements"
            )
        frame = frame.filter(pl.col("state") >= 0)
        ok = pl.Series(list(range(len(machine.states))), dtype=pl.Int32)

        def per_state(values: list[Any], dtype: Any) -> pl.Expr:
            table = pl.Series(values, dtype=dtype)
            return pl.col("state").replace_strict(ok, table, return_dtype=dtype)

        exprs = [
            per_state(["/".join(s.names) for s in machine.states], pl.String).alias("path"),
            per_state([len(s.names) for s in machine.states], pl.Int32).alias("depth"),
            per_state([s.limit for s in machine.states], pl.Int32).alias("limit"),
        ]
        for d in range(1, depth + 1):
            exprs.append(
                per_state([d in s.opens for s in machine.states], pl.Boolean).alias(f"opens{d}")
            )
            exprs.append(
                per_state(
                    ["/".join(s.names[:d]) if len(s.names) >= d else None for s in machine.states],
                    pl.String,
                ).alias(f"prefix{d}")
            )
            exprs.append(
                per_state(
                    [s.levels[d][0].repeat if len(s.levels) > d else 0 for s in machine.states],
                    pl.Int32,
                ).alias(f"repeat{d}")
            )
        frame = frame.with_columns(exprs)
        frame = frame.with_columns(
            [
                pl.col(f"opens{d}").cast(pl.Int64).cum_sum().alias(f"occ{d}")
                for d in range(1, depth + 1)
            ]
        )
        self._repeats(frame, depth)
        return frame

    def _repeats(self, frame: pl.DataFrame, depth: int) -> None:
        """Route the messages where a segment or group repeats more often than its table
        allows (counted per occurrence, as the group parser counts)."""
        inner = pl.col("unit").cast(pl.Int64)
        for d in range(1, depth + 1):
            inner = pl.when(pl.col("depth") == d).then(pl.col(f"occ{d}")).otherwise(inner)
        counts = frame.group_by("unit", "depth", inner.alias("inner"), "tag").agg(
            pl.len().alias("n"), pl.col("limit").min()
        )
        self.route_where(counts, pl.col("n") > pl.col("limit"), "a segment repeated too often")
        for d in range(1, depth + 1):
            parent = pl.col("unit").cast(pl.Int64) if d == 1 else pl.col(f"occ{d - 1}")
            opened = (
                frame.filter(pl.col(f"opens{d}"))
                .group_by("unit", parent.alias("parent"), pl.col(f"prefix{d}"))
                .agg(pl.len().alias("n"), pl.col(f"repeat{d}").min())
            )
            self.route_where(
                opened, pl.col("n") > pl.col(f"repeat{d}"), "a group repeated too often"
            )

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
                frame.group_by("unit", maintain_order=True)
                .agg()
                .with_columns(pl.col("unit").cast(pl.Int64).alias("id"))
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
        ids = frame.filter(pl.col(f"opens{d}") & (pl.col(f"prefix{d}") == "/".join(path))).select(
            "unit", pl.col(f"occ{d}").alias("id"), parent.alias("parent"), "at"
        )
        return _Records(ids, d, "/".join(path))

    def hits(self, frame: pl.DataFrame, records: _Records, selector: Selector) -> pl.DataFrame:
        """The segments ``selector`` finds for each record, in message order: ``id``,
        ``unit``, ``at``, ``raw``."""
        path = "/".join(p for p in (records.path, *selector.path) if p)
        rid = pl.col("unit").cast(pl.Int64) if records.depth == 0 else pl.col(f"occ{records.depth}")
        if self._parts is None:
            # One pass over the file's segments for every selector: by tag and group.
            keep = ["tag", "path", "unit", "at", "raw"]
            keep += [f"occ{d}" for d in range(1, self.max_depth + 1)]
            parts = frame.select(keep).partition_by("tag", "path", as_dict=True)
            self._parts = {(str(k[0]), str(k[1])): v for k, v in parts.items()}
        part = self._parts.get((selector.tag, path))
        if part is None:
            part = frame.clear()
        found = part.select(rid.alias("id"), "unit", "at", "raw")
        cut = self.cut
        for element, component, values in selector.conditions:
            value = cut.component(pl.col("raw"), element, component or 1).fill_null("")
            found = found.filter(value.is_in(sorted(values)))
        return found

    def values(
        self, frame: pl.DataFrame, records: _Records, section: str, name: str, kind: str
    ) -> pl.DataFrame | None:
        """One field's value for each record that has it: ``id``, ``unit``, ``value``
        (text as the flat layout's cell); ``None`` when the mapping leaves it out."""
        selectors = self.mapping.selectors(section, name)
        if not selectors:
            return None
        reader: Callable[..., pl.DataFrame] = getattr(self, f"_{kind}")
        return reader(frame, records, selectors, name)

    def _first(
        self,
        frame: pl.DataFrame,
        records: _Records,
        selectors: tuple[Selector, ...],
        value: Callable[[Selector], pl.Expr],
    ) -> pl.DataFrame:
        """Per record, the first hit whose ``value`` is not null, of the first selector
        that has one: ``id``, ``unit``, ``value``, ``raw``."""
        parts = []
        for order, selector in enumerate(selectors):
            hits = self.hits(frame, records, selector).with_columns(
                value(selector).alias("value"), pl.lit(order).alias("order")
            )
            parts.append(hits.filter(pl.col("value").is_not_null()))
        both = pl.concat(parts) if len(parts) > 1 else parts[0]
        return both.sort("order", "at").group_by("id", maintain_order=True).first()

    def _value_expr(self, selector: Selector) -> pl.Expr:
        cut = self.cut
        if selector.element is None:
            raise _WholeFile(f"the mapping's {selector.text!r} reads a whole segment")
        if selector.component is None:
            parts = cut.element(pl.col("raw"), selector.element).str.split(
                self.cut.service.component
            )
            joined = cut.translated(
                parts.list.eval(pl.element().filter(pl.element() != "")).list.join(" ")
            )
            return pl.when(joined != "").then(joined)
        value = cut.component(pl.col("raw"), selector.element, selector.component)
        return pl.when(value != "").then(value)

    def _text(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        if all(s.component is not None for s in selectors):
            return self._first(frame, records, selectors, self._value_expr).select(
                "id", "unit", "value"
            )
        if len(selectors) > 1:
            raise _WholeFile(f"several selectors for {name} where one reads a whole element")
        (selector,) = selectors
        width = _TEXT_WIDTH if selector.tag == "FTX" else _NAME_WIDTH
        hits = self.hits(frame, records, selector)
        element = self.cut.element(pl.col("raw"), selector.element or 1)
        parts = element.str.split(self.cut.service.component)
        hits = hits.with_columns(
            self.cut.translated(
                parts.list.eval(pl.element().filter(pl.element() != "")).list.join(" ")
            ).alias("value"),
            # join_text glues on after a part of exactly the width (a word cut there)
            # when another part follows.
            parts.list.eval(pl.element().filter(pl.element() != ""))
            .list.eval(
                (self.cut.translated(pl.element()).str.len_chars() == width)
                & (pl.int_range(pl.len()) < pl.len() - 1)
            )
            .list.any()
            .alias("cut"),
        )
        self.route_where(hits, pl.col("cut").fill_null(False), f"{name}: a word cut in a text")
        hits = hits.filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
        return hits.group_by("id", maintain_order=True).agg(
            pl.col("unit").first(), pl.col("value").str.join(" ")
        )

    def _every(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...]
    ) -> pl.DataFrame:
        """Per record, every hit with a value of the first selector that has one."""
        parts = []
        for order, selector in enumerate(selectors):
            hits = self.hits(frame, records, selector).with_columns(
                self._value_expr(selector).alias("value"), pl.lit(order).alias("order")
            )
            parts.append(hits.filter(pl.col("value").is_not_null()))
        both = pl.concat(parts) if len(parts) > 1 else parts[0]
        first = both.group_by("id").agg(pl.col("order").min().alias("first"))
        return (
            both.join(first, on="id")
            .filter(pl.col("order") == pl.col("first"))
            .sort("at")
            .drop("first", "order")
        )

    def _text_list(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        hits = self._every(frame, records, selectors)
        self.route_where(
            hits, pl.col("value").str.contains(_SEP, literal=True), f"{name}: an item holds ';'"
        )
        return hits.group_by("id", maintain_order=True).agg(pl.col("unit").first(), pl.col("value"))

    def _containers(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        hits = self._every(frame, records, selectors)
        hits = hits.unique(["id", "value"], keep="first", maintain_order=True)
        return hits.group_by("id", maintain_order=True).agg(pl.col("unit").first(), pl.col("value"))

    def _checked(self, found: pl.DataFrame, ok: pl.Expr, name: str) -> pl.DataFrame:
        self.route_where(found, ~ok.fill_null(False), f"{name}: a value the model flags")
        return found.select("id", "unit", "value")

    def _integer(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        found = self._first(frame, records, selectors, self._value_expr)
        found = self._checked(found, pl.col("value").str.contains(_INTEGER), name)
        return found.with_columns(pl.col("value").cast(pl.Int64).cast(pl.String))

    def _decimal(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        found = self._first(frame, records, selectors, self._value_expr)
        value = pl.col("value")
        if self.cut.service.decimal == ",":
            value = value.str.replace(",", ".", literal=True)
        return self._checked(
            found.with_columns(value), pl.col("value").str.contains(_DECIMAL), name
        )

    def _weight(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        found = self._first(frame, records, selectors, self._value_expr)
        parts = []
        for order, selector in enumerate(selectors):
            if selector.component is None:
                element = self.cut.element(pl.col("raw"), selector.element or 1)
                split = element.str.split(self.cut.service.component)
                unit = self.cut.translated(split.list.get(0, null_on_oob=True)).fill_null("")
                text = self.cut.translated(split.list.get(1, null_on_oob=True)).fill_null("")
            else:
                unit, text = pl.lit(""), pl.col("value")
            parts.append((order, unit, text))
        unit_expr: pl.Expr = pl.lit("")
        text_expr: pl.Expr = pl.lit("")
        # The selector each record's value came from decides how to read it.
        for order, unit, text in parts:
            unit_expr = pl.when(pl.col("order") == order).then(unit).otherwise(unit_expr)
            text_expr = pl.when(pl.col("order") == order).then(text).otherwise(text_expr)
        found = found.with_columns(unit_expr.alias("unit_code"), text_expr.alias("value"))
        value = pl.col("value")
        if self.cut.service.decimal == ",":
            value = value.str.replace(",", ".", literal=True)
        found = found.with_columns(value)
        ok = pl.col("unit_code").is_in(_KILOGRAMS) & pl.col("value").str.contains(_NUMBER)
        return self._checked(found, ok, name)

    def _when(
        self,
        frame: pl.DataFrame,
        records: _Records,
        selectors: tuple[Selector, ...],
        name: str,
        date_only: bool,
    ) -> pl.DataFrame:
        found = self._first(frame, records, selectors, self._value_expr)
        text_expr: pl.Expr = pl.lit("")
        code_expr: pl.Expr = pl.lit(None, pl.String)
        for order, selector in enumerate(selectors):
            element = selector.element or 1
            if selector.component is None:  # a whole C507: qualifier, value, format
                text = self.cut.component(pl.col("raw"), element, 2)
                code = self.cut.component(pl.col("raw"), element, 3)
                code = pl.when(code != "").then(code)
            else:
                text = self.cut.component(pl.col("raw"), element, selector.component)
                code = pl.lit(None, pl.String)
            chosen = pl.col("order") == order
            text_expr = pl.when(chosen).then(text.fill_null("")).otherwise(text_expr)
            code_expr = pl.when(chosen).then(code).otherwise(code_expr)
        found = found.with_columns(text_expr.alias("text"), code_expr.alias("code"))
        distinct = found.select("text", "code").unique(maintain_order=True)
        stamps: list[str | None] = []
        for text, code in distinct.iter_rows():
            try:
                stamp = parse_datetime(text, code).isoformat()
            except ValueError:
                stamps.append(None)
                continue
            stamps.append(stamp[:10] if date_only else stamp)
        table = distinct.with_columns(pl.Series("value", stamps, dtype=pl.String))
        found = found.drop("value").join(
            table, on=["text", "code"], how="left", nulls_equal=True, maintain_order="left"
        )
        return self._checked(found, pl.col("value").is_not_null(), name)

    def _datetime(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        return self._when(frame, records, selectors, name, False)

    def _date(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        return self._when(frame, records, selectors, name, True)

    def _full_empty(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        found = self._first(frame, records, selectors, self._value_expr)
        codes = {k: "true" if v else "false" for k, v in FULL_EMPTY.items()}
        found = self._checked(found, pl.col("value").is_in(list(codes)), name)
        return found.with_columns(pl.col("value").replace_strict(codes, default=None))

    def _seals(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        parts = []
        for order, selector in enumerate(selectors):
            hits = self.hits(frame, records, selector).with_columns(pl.lit(order).alias("order"))
            if selector.element is not None:
                hits = hits.filter(self._value_expr(selector).is_not_null())
            parts.append(hits)
        both = pl.concat(parts) if len(parts) > 1 else parts[0]
        first = both.group_by("id").agg(pl.col("order").min().alias("first"))
        hits = both.join(first, on="id").filter(pl.col("order") == pl.col("first")).sort("at")
        cut = self.cut
        number = cut.component(pl.col("raw"), 1, 1)
        sealer = cut.component(pl.col("raw"), 2, 1)
        hits = hits.with_columns(
            pl.when(number != "").then(number).alias("number"),
            pl.when(sealer != "").then(sealer).alias("sealer"),
        )
        self.route_where(hits, pl.col("number").is_null(), f"{name}: a seal without a number")
        self.route_where(
            hits,
            pl.col("number").str.contains(_SEP, literal=True)
            | pl.col("sealer").str.contains(_SEP, literal=True).fill_null(False),
            f"{name}: a seal holds ';'",
        )
        return hits.group_by("id", maintain_order=True).agg(
            pl.col("unit").first(),
            pl.col("number").str.join(_SEP).alias("value"),
            pl.when(pl.col("sealer").is_not_null().any())
            .then(pl.col("sealer").fill_null("").str.join(_SEP))
            .alias("sealers"),
        )

    def _party(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        parts = []
        for order, selector in enumerate(selectors):
            hits = self.hits(frame, records, selector).with_columns(pl.lit(order).alias("order"))
            parts.append(hits)
        both = pl.concat(parts) if len(parts) > 1 else parts[0]
        found = both.sort("order", "at").group_by("id", maintain_order=True).first()
        distinct = found["raw"].unique()
        keys = ("name", "address", "country", "identifier")
        columns: dict[str, list[str | None]] = {k: [] for k in keys}
        for raw in distinct.to_list():
            party = party_of(self.cut.segment(raw)) or {}
            for key in keys:
                columns[key].append(party.get(key))
        table = pl.DataFrame(
            {"raw": distinct, **{k: pl.Series(v, dtype=pl.String) for k, v in columns.items()}}
        )
        return found.select("id", "unit", "raw").join(table, on="raw", how="left").drop("raw")

    # --- the rows -----------------------------------------------------------------------------

    def section(self, frame: pl.DataFrame, section: str) -> pl.DataFrame:
        """One row per record of ``section``: ``id``, ``unit``, ``parent``, ``at`` and its
        fields as cells (parties as four columns each; seals two; lists as lists)."""
        records = self.records(frame, section)
        out = records.frame
        self._scope = section
        for name, kind in FIELDS[section].items():
            found = self.values(frame, records, section, name, kind)
            if found is None:
                continue
            found = found.drop("unit")
            if kind == "party":
                prefix = _PARTY_ROLES[name]
                found = found.rename(
                    {k: f"{prefix}_{k}" for k in ("name", "address", "country", "identifier")}
                )
            elif kind == "seals":
                found = found.rename({"value": "seal_numbers", "sealers": "seal_sealers"})
            else:
                found = found.rename({"value": name})
            out = out.join(found, on="id", how="left", maintain_order="left")
        self._scope = None
        return out


def _padded_or_long(column: str) -> pl.Expr:
    value = pl.col(column)
    return (value != value.str.strip_chars(PY_WHITESPACE)) | (value.str.len_chars() > _LONGEST)


@dataclass
class _Laid:
    """The flat rows of every message (``unit``, ``bill``: the B/L's id or null), the
    containers each B/L names (``unit``, ``bill``, ``container_number``), the declared
    containers (``unit``, ``id``, ``container_number``, ``at``) and the B/Ls (``unit``,
    ``id``, ``at``)."""

    rows: pl.DataFrame
    listed: pl.DataFrame
    boxes: pl.DataFrame
    bills: pl.DataFrame


def _assemble(columns: _Columns, frame: pl.DataFrame) -> _Laid:
    """The flat layout's rows of every message (routed ones included; dropped later)."""
    voyage = columns.section(frame, "manifest")
    boxes = columns.section(frame, "containers")
    bills = columns.section(frame, "consignments")
    goods = columns.section(frame, "goods")
    for name in ("container_number",):
        if name not in goods.columns:
            goods = goods.with_columns(pl.lit(None, pl.List(pl.String)).alias(name))
    # --- plain-text rules on every cell ---------------------------------------------------
    sections = ("manifest", "containers", "consignments", "goods")
    for scope, table in zip(sections, (voyage, boxes, bills, goods), strict=True):
        for column in table.columns:
            if table.schema[column] == pl.String:
                columns.route_where(
                    table,
                    _padded_or_long(column).fill_null(False),
                    f"{column}: a padded or long text",
                    scope,
                )
            elif table.schema[column] == pl.List(pl.String):
                items = table.select("unit", "id", pl.col(column).alias("item")).explode("item")
                columns.route_where(
                    items,
                    _padded_or_long("item").fill_null(False),
                    f"{column}: a padded or long item",
                    scope,
                )
    # --- containers: keyed by their normalised number --------------------------------------
    if "number" not in boxes.columns:
        boxes = boxes.with_columns(pl.lit(None, pl.String).alias("number"))
    columns.route_where(
        boxes, pl.col("number").is_null(), "a container without a number", "containers"
    )
    boxes = boxes.with_columns(_normalised(boxes.get_column("number")).alias("container_number"))
    columns.route_where(
        boxes,
        _iso6346_problem(pl.col("container_number")).is_not_null(),
        "a container number off ISO 6346",
        "containers",
    )
    columns.route_where(
        boxes,
        pl.struct("unit", "container_number").is_duplicated(),
        "a container declared twice",
        "containers",
    )
    box_cells = {
        "size_type": "container_size_type",
        "full": "container_full",
        "verified_gross_mass_kg": "verified_gross_mass_kg",
        "tare_kg": "tare_kg",
        "seal_numbers": "seal_numbers",
        "seal_sealers": "seal_sealers",
    }
    for source in box_cells:
        if source not in boxes.columns:
            boxes = boxes.with_columns(pl.lit(None, pl.String).alias(source))
    boxes = boxes.rename({k: v for k, v in box_cells.items() if k != v})
    box_columns = list(dict.fromkeys(box_cells.values()))
    boxes = boxes.with_columns(
        pl.any_horizontal(pl.col(c).is_not_null() for c in box_columns).alias("equipped")
    )
    # --- goods lines and the containers they link -----------------------------------------
    goods_names = [c.name for c in COLUMNS if c.group == "goods"]
    for name in goods_names:
        if name not in goods.columns:
            goods = goods.with_columns(pl.lit(None, pl.String).alias(name))
    goods_depth = columns.records(frame, "goods").depth
    goods_path = columns.records(frame, "goods").path
    if goods_depth:
        # _has_data: a GID with elements, any other segment of the line, any sub-group.
        occ = pl.col(f"occ{goods_depth}")
        inside = frame.filter(pl.col("depth") >= goods_depth).filter(
            pl.col(f"prefix{goods_depth}") == goods_path
        )
        data = (
            inside.filter(
                (pl.col("depth") > goods_depth)
                | ~pl.col("tag").is_in(["GID", "SGP"])
                | (
                    (pl.col("tag") == "GID")
                    & pl.col("raw").str.contains(columns.cut.service.element, literal=True)
                )
            )
            .select(occ.alias("id"))
            .unique()
        )
        goods = goods.join(data.with_columns(pl.lit(True).alias("data")), on="id", how="left")
    else:
        goods = goods.with_columns(pl.lit(None, pl.Boolean).alias("data"))
    goods = goods.with_columns(
        pl.col("container_number").fill_null(pl.lit([], pl.List(pl.String))).alias("linked"),
        pl.col("data").fill_null(False),
    )
    flat = goods.select("id", "linked").explode("linked")
    flat = flat.with_columns(_normalised(flat.get_column("linked")).alias("linked_norm"))
    normal = flat.group_by("id").agg(pl.col("linked_norm").drop_nulls())
    goods = goods.join(normal, on="id", how="left", maintain_order="left").with_columns(
        pl.col("linked_norm").fill_null(pl.lit([], pl.List(pl.String)))
    )
    kept = goods.filter((pl.col("linked").list.len() == 0) | pl.col("data"))
    kept = kept.with_columns(
        pl.when(pl.col("linked").list.len() == 1)
        .then(pl.col("linked_norm").list.first())
        .alias("container_number")
    )
    columns.route_where(
        kept,
        pl.all_horizontal(pl.col(c).is_null() for c in goods_names),
        "a goods line without a value",
        "goods",
    )
    # Every linked container, first-seen order per bill.
    links = (
        goods.select(
            "unit",
            pl.col("parent").alias("bill"),
            pl.col("parent").alias("id"),
            "at",
            "linked",
            "linked_norm",
        )
        .explode("linked", "linked_norm")
        .drop_nulls("linked")
        .with_row_index("seq")
    )
    columns.route_where(
        links,
        _iso6346_problem(pl.col("linked_norm")).is_not_null(),
        "a container number off ISO 6346",
        "consignments",
    )
    # The model dedupes the raw texts; the flat layout refuses two that normalise alike.
    raw_first = links.unique(["bill", "linked"], keep="first", maintain_order=True)
    columns.route_where(
        raw_first,
        pl.struct("bill", "linked_norm").is_duplicated(),
        "a container number twice on a bill of lading",
        "consignments",
    )
    listed = raw_first.with_columns(pl.int_range(pl.len()).over("bill").alias("k")).select(
        "unit", "bill", pl.col("linked_norm").alias("container_number"), "k"
    )
    # --- bills ------------------------------------------------------------------------------
    if "bl_number" not in bills.columns:
        bills = bills.with_columns(pl.lit(None, pl.String).alias("bl_number"))
    # The model drops such a B/L, and its flags then concern the whole manifest.
    columns.route_where(
        bills, pl.col("bl_number").is_null(), "a bill of lading without a number", "manifest"
    )
    squeezed = pl.col("bl_number").str.replace_all(r"\s", "").str.to_uppercase()
    columns.route_where(
        bills,
        pl.struct("unit", squeezed.alias("sq")).is_duplicated(),
        "a bill of lading number twice",
        "consignments",
    )
    if "master_bl_number" in bills.columns:
        bills = bills.with_columns(
            pl.when(pl.col("master_bl_number") != pl.col("bl_number").fill_null(""))
            .then(pl.col("master_bl_number"))
            .alias("master_bl_number")
        )
    if "issue_date" in bills.columns:
        bills = bills.rename({"issue_date": "bl_issue_date"})
    if "transshipment_ports" in bills.columns:
        bills = bills.with_columns(
            pl.col("transshipment_ports").list.join(_SEP).alias("transshipment_ports")
        )
        bills = bills.with_columns(
            pl.when(pl.col("transshipment_ports") != "").then(pl.col("transshipment_ports"))
        )
    # --- manifests: bills or containers, one per vessel call ---------------------------
    units_with = pl.concat([bills.select("unit"), boxes.select("unit")]).unique()
    columns.route(
        set(voyage["unit"].to_list()) - set(units_with["unit"].to_list()),
        "a message with no bill of lading or container",
    )
    call = ["vessel_imo", "vessel_name", "voyage_number", "port_of_call"]
    for name in _NAMES:
        if (
            name
            in (
                "vessel_name",
                "vessel_imo",
                "voyage_number",
                "carrier_scac",
                "port_of_call",
                "arrival",
            )
            and name not in voyage.columns
        ):
            voyage = voyage.with_columns(pl.lit(None, pl.String).alias(name))
    key = pl.concat_str(
        [pl.col(c).fill_null("").str.strip_chars(PY_WHITESPACE).str.to_uppercase() for c in call],
        separator="\x00",
    )
    voyage = voyage.with_columns(key.alias("_call"))
    # Only messages not routed so far compete for a call (as plain JSON documents do).
    plain = voyage.filter(~pl.col("unit").is_in(list(columns.bad)))
    columns.route_where(
        plain, pl.col("_call").is_duplicated(), "two messages of one vessel call", "manifest"
    )
    # --- rows ---------------------------------------------------------------------------------
    named = listed.join(
        boxes.select("unit", "container_number", *box_columns, "equipped"),
        on=["unit", "container_number"],
        how="left",
    )
    columns.route_where(
        named.with_columns(pl.col("bill").alias("id")),
        pl.col("equipped") == False,  # noqa: E712 - a Polars expression
        "a declared container without equipment data",
        "consignments",
    )
    named = named.drop("equipped")
    lines = kept.select(
        "unit", pl.col("parent").alias("bill"), "at", "container_number", *goods_names
    ).with_columns(pl.int_range(pl.len()).over("bill").alias("line"))
    with_box = lines.filter(pl.col("container_number").is_not_null()).join(
        named.select("bill", "container_number", "k"), on=["bill", "container_number"], how="left"
    )
    bare = named.join(
        with_box.select("bill", "container_number").unique(),
        on=["bill", "container_number"],
        how="anti",
    )
    rows_boxes = bare.select("unit", "bill", "k", pl.lit(-1).alias("line"), "container_number")
    rows_lines = with_box.select("unit", "bill", "k", "line", "container_number", *goods_names)
    big = 1 << 40
    rows_loose = lines.filter(pl.col("container_number").is_null()).select(
        "unit", "bill", pl.lit(big).alias("k"), "line", "container_number", *goods_names
    )
    rows = pl.concat(
        [rows_boxes, rows_lines.with_columns(pl.col("k").cast(pl.Int64)), rows_loose],
        how="diagonal_relaxed",
    )
    empty_bills = bills.join(rows.select(pl.col("bill").alias("id")).unique(), on="id", how="anti")
    rows = pl.concat(
        [
            rows,
            empty_bills.select(
                "unit", pl.col("id").alias("bill"), pl.lit(big).alias("k"), pl.lit(-1).alias("line")
            ),
        ],
        how="diagonal_relaxed",
    )
    bill_cells = [c for c in bills.columns if c in _NAMES]
    rows = rows.join(
        bills.select(pl.col("id").alias("bill"), pl.col("at").alias("bill_at"), *bill_cells),
        on="bill",
        how="left",
    )
    rows = rows.join(
        boxes.select("unit", "container_number", *box_columns),
        on=["unit", "container_number"],
        how="left",
    )
    # Containers no bill names: after the bills, in declaration order.
    unnamed = boxes.join(
        listed.select("unit", "container_number").unique(),
        on=["unit", "container_number"],
        how="anti",
    ).select("unit", pl.col("at").alias("bill_at"), "container_number", *box_columns)
    rows = pl.concat(
        [
            rows.with_columns(pl.lit(0).alias("tail")),
            unnamed.with_columns(
                pl.lit(1).alias("tail"), pl.lit(0).alias("k"), pl.lit(0).alias("line")
            ),
        ],
        how="diagonal_relaxed",
    )
    rows = rows.sort("unit", "tail", "bill_at", "k", "line", maintain_order=True)
    rows = rows.join(
        voyage.select("unit", *[c for c in voyage.columns if c in _NAMES]), on="unit", how="left"
    )
    for name in _NAMES:
        if name not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(name))
    return _Laid(
        rows.select(*[pl.col(n).cast(pl.String) for n in _NAMES], "unit", "bill"),
        listed.select("unit", "bill", "container_number"),
        boxes.select("unit", "id", "container_number", "at"),
        bills.select("unit", "id", "at"),
    )


def _normalised(value: pl.Series) -> pl.Series:
    """How the flat layout keys a container (``_py_container``): the common shape as it
    is, anything else through the model's normalisation (once per distinct value)."""
    return _canonical(value, _CONTAINER_SHAPE, _py_container)


_CONTAINER_SHAPE = r"^[A-Z]{4}[0-9]{7}$"


# --- the whole read --------------------------------------------------------------------------


def edifact_columns(text: str, mapping: EdifactMapping) -> EdifactColumns:
    """Cut a CUSCAR file's text for the column-wise reader (see the module docstring).

    Raises:
        _WholeFile: the whole file goes through the model path (the reason).
        InputFormatError: the ``UNA`` is unusable.
    """
    cut = _Cut(text)
    del text
    envelope = _envelope(cut)
    columns = _Columns(cut, envelope, mapping)
    with paused_gc():
        frame = columns.place()
    # BGM message function other than an original: flagged by the model path.
    bgm = (
        frame.filter((pl.col("tag") == "BGM") & (pl.col("depth") == 0))
        .group_by("unit", maintain_order=True)
        .first()
    )
    function = cut.component(pl.col("raw"), 3, 1)
    columns.route_where(bgm, (function != "9") & (function != ""), "not an original message")
    laid = _assemble(columns, frame)
    bills, boxes = _closure(columns, laid)
    bad = columns.bad
    # A message left with no B/L and no container of its own goes whole.
    rest = pl.concat(
        [
            laid.bills.filter(~pl.col("id").is_in(list(bills))).select("unit"),
            laid.boxes.filter(~pl.col("id").is_in(list(boxes))).select("unit"),
        ]
    )
    left = set(rest.get_column("unit").to_list())
    unit_of = dict(laid.bills.select("id", "unit").iter_rows())
    unit_of.update(laid.boxes.select("id", "unit").iter_rows())
    partial = {unit_of[i] for i in [*bills, *boxes]} - set(bad)
    for unit in sorted(partial - left):
        columns.route([unit], "every B/L and container of the message goes through the models")
    partial &= left
    cells = laid.rows.filter(
        ~pl.col("unit").is_in(list(bad)) & ~pl.col("bill").is_in(list(bills)).fill_null(False)
    )
    routed_numbers = (
        laid.boxes.filter(pl.col("id").is_in(list(boxes)))
        .select("unit", "container_number", pl.lit(True).alias("_routed"))
        .unique(["unit", "container_number"])
    )
    cells = (
        cells.join(
            routed_numbers, on=["unit", "container_number"], how="left", maintain_order="left"
        )
        .filter(~(pl.col("bill").is_null() & pl.col("_routed").fill_null(False)))
        .drop("_routed")
    )

    def whole(number: int) -> Message:
        first, last = envelope.messages[number - 1]
        return _message(cut, first, last, envelope.interchange)

    routed = {number: whole(number) for number in sorted(bad)}
    parts = {unit: _part(columns, frame, unit, bills, boxes) for unit in sorted(partial - set(bad))}
    fast = [n for n in range(1, len(envelope.messages) + 1) if n not in bad]
    fast_bills = (
        laid.bills.filter(~pl.col("unit").is_in(list(bad)) & ~pl.col("id").is_in(list(bills)))
        .sort("at")
        .select("unit", pl.int_range(pl.len()).over("unit").alias("run"), pl.col("at").alias("key"))
    )
    part_bills: dict[int, list[int]] = {}
    for unit, at in (
        laid.bills.filter(pl.col("id").is_in(list(bills)))
        .sort("at")
        .select("unit", "at")
        .iter_rows()
    ):
        part_bills.setdefault(unit, []).append(at)
    declared = laid.boxes.group_by("unit", "container_number").agg(pl.col("at").min().alias("key"))
    reasons = dict(bad)
    for record, reason in [*columns.bad_bills.items(), *columns.bad_boxes.items()]:
        reasons.setdefault(unit_of.get(record, 0), reason)
    return EdifactColumns(
        cells,
        fast,
        routed,
        parts,
        fast_bills,
        part_bills,
        declared,
        whole,
        len(envelope.messages),
        cut.service,
        reasons,
    )


def _closure(columns: _Columns, laid: _Laid) -> tuple[set[int], set[int]]:
    """The B/Ls and containers routed, with every B/L and container they share a
    container number with, and so on (what the model path counts across them: B/Ls per
    container, goods per container, a number's declarations)."""
    bills = set(columns.bad_bills)
    boxes = set(columns.bad_boxes)
    if not bills and not boxes:
        return bills, boxes
    numbers_of_bill: dict[int, list[tuple[int, str]]] = {}
    bills_of: dict[tuple[int, str], list[int]] = {}
    for unit, bill, number in laid.listed.iter_rows():
        numbers_of_bill.setdefault(bill, []).append((unit, number))
        bills_of.setdefault((unit, number), []).append(bill)
    boxes_of: dict[tuple[int, str], list[int]] = {}
    number_of_box: dict[int, tuple[int, str]] = {}
    for unit, box, number, _at in laid.boxes.iter_rows():
        if number is not None:
            boxes_of.setdefault((unit, number), []).append(box)
            number_of_box[box] = (unit, number)
    todo = [n for b in bills for n in numbers_of_bill.get(b, ())]
    todo += [number_of_box[b] for b in boxes if b in number_of_box]
    seen: set[tuple[int, str]] = set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        for bill in bills_of.get(key, ()):
            if bill not in bills:
                bills.add(bill)
                todo += numbers_of_bill.get(bill, ())
        boxes.update(boxes_of.get(key, ()))
    return bills, boxes


def _part(
    columns: _Columns, frame: pl.DataFrame, unit: int, bills: set[int], boxes: set[int]
) -> Message:
    """The part of message ``unit`` the model path reads: every segment but those of
    the B/Ls and containers read column-wise, with its trailer counting them."""
    each = columns.mapping.each
    mine = frame.filter(pl.col("unit") == unit)
    keep = pl.lit(True)
    for section, chosen in (("consignments", bills), ("containers", boxes)):
        path = each.get(section, ())
        depth = len(path)
        if not 0 < depth <= columns.max_depth:
            continue
        inside = (pl.col("depth") >= depth) & (pl.col(f"prefix{depth}") == "/".join(path))
        keep = keep & (~inside.fill_null(False) | pl.col(f"occ{depth}").is_in(list(chosen)))
    ats = mine.filter(keep).get_column("at").to_list()
    head = columns.envelope.heads[unit - 1]
    cut = columns.cut
    trailer = write_segment(Segment("UNT", ((str(len(ats)),), (head.reference,))), cut.service)
    tokens = tokenize(cut.text_from(ats[:-1], trailer))
    (message,) = open_envelopes(tokens).messages
    message.interchange = columns.envelope.interchange
    return message


def _message(cut: _Cut, first: int, last: int, interchange: str | None) -> Message:
    """The message of segments ``first`` to ``last`` as the envelope reader gives it
    (its problems placed at its file segment numbers, in its interchange)."""
    tokens = tokenize(cut.text_of(first, last))
    (message,) = open_envelopes(tokens).messages
    offset = first
    message.problems = [
        replace(
            p,
            interchange=interchange,
            segment=p.segment + offset if p.segment is not None else None,
        )
        for p in message.problems
    ]
    message.first += offset
    message.interchange = interchange
    return message


def read_edifact_frame(
    path: Path,
    mapping: object,
    strictness: Strictness,
    progress: Callable[[int, int], None] | None = None,
) -> FrameBatch | str:
    """A CUSCAR file into the shipment frame, column-wise (see the module docstring);
    the reason when the whole file must go through the model path instead.

    Raises:
        InputFormatError: the file cannot be read, or its ``UNA`` is unusable.
        MappingError: the mapping file is invalid.
    """
    from riskprofile.io._frame._load import _Source
    from riskprofile.io._frame._reader import _Reader
    from riskprofile.io._frame._result import FrameBatch
    from riskprofile.io._layout import ColumnMapping
    from riskprofile.io._table import TableReader
    from riskprofile.io.edifact._reader import _mapping

    if strictness == "strict":
        return "strict EDIFACT input"
    if not (mapping is None or isinstance(mapping, EdifactMapping | str | Path)):
        return "EDIFACT input with a column mapping"  # refused by the model path
    resolved = _mapping(mapping)
    source = str(path)
    try:
        text = read_text(path)
    except InputFormatError as exc:
        raise InputFormatError(exc.message, path=source) from None
    try:
        split = edifact_columns(text, resolved)
    except _WholeFile as exc:
        return f"EDIFACT input: {exc}"
    except InputFormatError as exc:
        raise InputFormatError(exc.message, path=source) from None
    del text
    if not split.fast:
        return "EDIFACT input: no message the column-wise path reads alone"
    cells = split.cells.with_columns(
        pl.int_range(1, split.cells.height + 1, dtype=pl.Int64).alias("__line__")
    )
    cells = cells.drop("unit", "bill")

    def load(start: int, stop: int, wanted: list[str] | None) -> pl.DataFrame:
        names = [*_NAMES, "__line__"] if wanted is None else [*wanted, "__line__"]
        return cells.select(names).slice(start, stop - start).rechunk()

    identity = ColumnMapping.identity()
    table = TableReader(identity, strictness, _NAMES, source)
    fast_count, total = len(split.fast), split.units

    def rows_to_units(done: int, rows: int) -> None:
        if progress is not None:
            progress(done * fast_count // max(rows, 1), total)

    read = _Reader(
        path, "csv", identity, strictness, table, _Source(_NAMES, cells.height, load)
    ).read(rows_to_units)
    if read.rejected or read.rows_via_models:
        return "EDIFACT input: rows the column-wise path does not read alone"
    merged = _in_file_order(read.frame, split, resolved, strictness, source)
    if isinstance(merged, str):
        return merged
    frame, rejected, manifests = merged
    if progress is not None:
        progress(total, total)
    return FrameBatch(
        source=source,
        format="edifact",
        strictness=strictness,
        frame=frame,
        rejected=tuple(rejected),
        records_read=total,
        manifests=manifests,
        ignored_columns=(),
        record_unit="message",
        rows_via_models=len(split.routed) + len(split.parts),
    )


def _in_file_order(
    fast: pl.DataFrame,
    split: EdifactColumns,
    mapping: EdifactMapping,
    strictness: Strictness,
    source: str,
) -> tuple[pl.DataFrame, list[RejectedRecord], int] | str:
    """The frame of every message in file order, its rejected records and the
    manifests read: ``fast`` (the column-wise rows) and what the model path reads (whole
    messages, and the parts of messages), each shipment placed where ``flatten`` of the
    whole message puts it: B/Ls in message order, then the containers no B/L names in
    the order first declared."""
    from riskprofile.model._flag_names import flagged_element
    from riskprofile.model.frame import shipment_frame
    from riskprofile.model.shipment import _pieces, flatten

    # Each message read column-wise is one vessel call, its shipments together.
    first = pl.int_range(pl.len()) == 0
    changed = first | pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(c).shift(1)) for c in _CALL_COLUMNS
    )
    runs = fast.select(changed.cast(pl.Int64).cum_sum().alias("_run")).to_series() - 1
    if fast.height == 0 or int(runs[-1]) + 1 != len(split.fast):
        return "EDIFACT input: messages the column-wise path does not tell apart"
    units = pl.Series(split.fast, dtype=pl.Int64).gather(runs)
    keyed = fast.with_columns(units.alias("_unit"))
    # Within a message, the n-th run of one B/L number is its n-th B/L read column-wise.
    new_bill = (pl.int_range(pl.len()) == 0) | pl.col("bl_number").ne_missing(
        pl.col("bl_number").shift(1)
    )
    keyed = keyed.with_columns(
        (new_bill & pl.col("bl_number").is_not_null())
        .cast(pl.Int64)
        .cum_sum()
        .over("_unit")
        .sub(1)
        .alias("run"),
        pl.col("bl_number").is_null().cast(pl.Int64).alias("_tail"),
    )
    counted = (
        keyed.filter(pl.col("_tail") == 0)
        .group_by("_unit")
        .agg((pl.col("run").max() + 1).alias("n"))
    )
    expected = split.fast_bills.group_by("unit").agg(pl.len().alias("n"))
    check = counted.join(expected, left_on="_unit", right_on="unit", how="full", coalesce=True)
    if check.filter(pl.col("n").ne_missing(pl.col("n_right"))).height:
        return "EDIFACT input: B/Ls the column-wise path does not tell apart"
    fast_bills = split.fast_bills.with_columns(pl.col("unit").cast(pl.Int64))
    declared = split.declared.with_columns(pl.col("unit").cast(pl.Int64))
    keyed = (
        keyed.join(
            fast_bills.rename({"unit": "_unit", "key": "_bill_key"}),
            on=["_unit", "run"],
            how="left",
            maintain_order="left",
        )
        .join(
            declared.rename({"unit": "_unit", "key": "_box_key"}),
            on=["_unit", "container_number"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.when(pl.col("_tail") == 1)
            .then(pl.col("_box_key"))
            .otherwise(pl.col("_bill_key"))
            .fill_null(0)
            .alias("_key"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_at"),
        )
        .drop("run", "_bill_key", "_box_key")
    )
    parts = [keyed]
    rejected: list[RejectedRecord] = []
    manifests = len(split.fast)  # each gives a manifest (a part too, with its rows)
    shipments = []
    order: list[tuple[int, int, int]] = []
    dropped: list[int] = []
    declared_at = {(u, n): k for u, n, k in split.declared.iter_rows()}
    wanted = sorted({*split.routed, *split.parts})
    for number in wanted:
        message = split.routed.get(number)
        outcome = None
        if message is None:  # a part: read alone unless the model says the whole message
            outcome = read_message(split.parts[number], mapping, split.service, strictness,
                                   source, number)  # fmt: skip
            common = isinstance(outcome, RejectedRecord) or any(
                (found := flagged_element(flag)) is None
                or found[0] not in ("consignments", "containers")
                for flag in outcome.quality_flags
            )
            if common:
                dropped.append(number)
                message = split.whole(number)
                outcome = None
        if outcome is None:
            assert message is not None
            outcome = read_message(message, mapping, split.service, strictness, source, number)
            if isinstance(outcome, RejectedRecord):
                rejected.append(outcome)
                manifests -= number in split.parts
                continue
            manifests += number in split.routed
            mine = flatten(outcome)
            shipments += mine
            order += [(number, 0, 0)] * len(mine)
            continue
        assert isinstance(outcome, Manifest)
        bill_keys = split.part_bills.get(number, [])
        for piece in _pieces(outcome):
            if piece.consignment_index is not None:
                order.append((number, 0, bill_keys[piece.consignment_index]))
            else:
                order.append((number, 1, declared_at.get((number, piece.container_number), 0)))
        shipments += flatten(outcome)
    if dropped:
        keyed = keyed.filter(~pl.col("_unit").is_in(dropped))
        parts = [keyed]
    if shipments:
        parts.append(
            shipment_frame(shipments).with_columns(
                pl.Series("_unit", [o[0] for o in order], dtype=pl.Int64),
                pl.Series("_tail", [o[1] for o in order], dtype=pl.Int64),
                pl.Series("_key", [o[2] for o in order], dtype=pl.Int64),
                pl.int_range(pl.len(), dtype=pl.Int64).alias("_at"),
            )
        )
    frame = pl.concat(parts, how="vertical_relaxed") if len(parts) > 1 else parts[0]
    frame = frame.sort("_unit", "_tail", "_key", "_at", maintain_order=True)
    return frame.drop("_unit", "_tail", "_key", "_at"), rejected, manifests


# The columns that tell one vessel call from the next in a frame read column-wise.
_CALL_COLUMNS = (
    "manifest_ref",
    "vessel_name",
    "vessel_imo",
    "voyage_number",
    "port_of_call",
    "arrival",
)


def read_message(
    message: Message,
    mapping: EdifactMapping,
    service: ServiceChars,
    strictness: Strictness,
    source: str,
    number: int,
) -> Manifest | RejectedRecord:
    """One message through the model path, as :func:`iter_edifact_manifests` reads it."""
    context = validation_context(strictness)
    with paused_gc():
        outcome = _read_message(message, mapping, service, strictness, context)
    if isinstance(outcome, Manifest):
        return outcome
    problems, doc = outcome
    return _rejected(source, number, problems, doc)
