"""The column-wise CUSCAR reader's fields: every segment placed in its group, the
records of each section, and each field of the mapping for all records at once (see
:mod:`._columns`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from riskprofile.io._layout import COLUMNS
from riskprofile.io.edifact._cutting import _TAG, _Cut, _Envelope, _Machine, _WholeFile
from riskprofile.io.edifact._groups import table_for
from riskprofile.io.edifact._mapping import FIELDS, EdifactMapping, Selector
from riskprofile.io.edifact._reader import (
    party_of,
)
from riskprofile.io.edifact._values import FULL_EMPTY, parse_datetime

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
        placed_states = frame.get_column("state")
        known = machine.states

        def per_state(values: list[Any], dtype: Any) -> pl.Series:
            return pl.Series(values, dtype=dtype).gather(placed_states)

        exprs = [
            per_state(["/".join(s.names) for s in known], pl.Categorical).alias("path"),
            per_state([len(s.names) for s in known], pl.Int32).alias("depth"),
            per_state([s.limit for s in known], pl.Int32).alias("limit"),
        ]
        for d in range(1, depth + 1):
            exprs.append(per_state([d in s.opens for s in known], pl.Boolean).alias(f"opens{d}"))
            exprs.append(
                per_state(
                    ["/".join(s.names[:d]) if len(s.names) >= d else None for s in known],
                    pl.Categorical,
                ).alias(f"prefix{d}")
            )
            exprs.append(
                per_state(
                    [s.levels[d][0].repeat if len(s.levels) > d else 0 for s in known], pl.Int32
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
        both = self._stacked(frame, records, selectors, value)
        # Hits are in message order within each selector's, selectors in their order.
        return both.unique("id", keep="first", maintain_order=True)

    def _stacked(
        self,
        frame: pl.DataFrame,
        records: _Records,
        selectors: tuple[Selector, ...],
        value: Callable[[Selector], pl.Expr],
    ) -> pl.DataFrame:
        """Every selector's hits whose ``value`` is not null, with its ``order``."""
        parts = []
        for order, selector in enumerate(selectors):
            hits = self.hits(frame, records, selector).with_columns(
                value(selector).alias("value"), pl.lit(order).alias("order")
            )
            parts.append(hits.filter(pl.col("value").is_not_null()))
        return pl.concat(parts) if len(parts) > 1 else parts[0]

    def _value_or_segment(self, selector: Selector) -> pl.Expr:
        return pl.col("raw") if selector.element is None else self._value_expr(selector)

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
        self,
        frame: pl.DataFrame,
        records: _Records,
        selectors: tuple[Selector, ...],
        value: Callable[[Selector], pl.Expr],
    ) -> pl.DataFrame:
        """Per record, every hit with a ``value`` of the first selector that has one."""
        both = self._stacked(frame, records, selectors, value)
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
        hits = self._every(frame, records, selectors, self._value_expr)
        self.route_where(
            hits, pl.col("value").str.contains(_SEP, literal=True), f"{name}: an item holds ';'"
        )
        return hits.group_by("id", maintain_order=True).agg(pl.col("unit").first(), pl.col("value"))

    def _containers(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        hits = self._every(frame, records, selectors, self._value_expr)
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
        # A value that is no integer has been routed to the models above; its row here
        # is overwritten by theirs, so it is cast to null rather than failing the read.
        return found.with_columns(pl.col("value").cast(pl.Int64, strict=False).cast(pl.String))

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
        found = self._measure(frame, records, selectors, unit_first=True)
        ok = pl.col("unit_code").is_in(_KILOGRAMS) & pl.col("value").str.contains(_NUMBER)
        return self._checked(found, ok, name)

    def _temperature(
        self, frame: pl.DataFrame, records: _Records, selectors: tuple[Selector, ...], name: str
    ) -> pl.DataFrame:
        # Degrees Celsius written plainly are the flat layout's cell; another unit (FAH)
        # or anything odd goes to the model path, which converts or flags it.
        found = self._measure(frame, records, selectors, unit_first=False)
        ok = pl.col("unit_code").is_in(["", "CEL"]) & pl.col("value").str.contains(_NUMBER)
        return self._checked(found, ok, name)

    def _measure(
        self,
        frame: pl.DataFrame,
        records: _Records,
        selectors: tuple[Selector, ...],
        *,
        unit_first: bool,
    ) -> pl.DataFrame:
        """The first value found with its ``unit_code``: a whole element is split into
        unit and number (the unit first for a weight, MEA; last for a temperature, TMP),
        a single component has no unit; the number with a decimal point."""
        found = self._first(frame, records, selectors, self._value_expr)
        unit_at, text_at = (0, 1) if unit_first else (1, 0)
        unit_expr: pl.Expr = pl.lit("")
        text_expr: pl.Expr = pl.lit("")
        # The selector each record's value came from decides how to read it.
        for order, selector in enumerate(selectors):
            if selector.component is None:
                element = self.cut.element(pl.col("raw"), selector.element or 1)
                split = element.str.split(self.cut.service.component)
                unit = self.cut.translated(split.list.get(unit_at, null_on_oob=True)).fill_null("")
                text = self.cut.translated(split.list.get(text_at, null_on_oob=True)).fill_null("")
            else:
                unit, text = pl.lit(""), pl.col("value")
            chosen = pl.col("order") == order
            unit_expr = pl.when(chosen).then(unit).otherwise(unit_expr)
            text_expr = pl.when(chosen).then(text).otherwise(text_expr)
        found = found.with_columns(unit_expr.alias("unit_code"), text_expr.alias("value"))
        value = pl.col("value")
        if self.cut.service.decimal == ",":
            value = value.str.replace(",", ".", literal=True)
        return found.with_columns(value)

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
                # the date/time format code (DTM's 2379), not a quality flag's code
                fmt = self.cut.component(pl.col("raw"), element, 3)
                fmt = pl.when(fmt != "").then(fmt)
            else:
                text = self.cut.component(pl.col("raw"), element, selector.component)
                fmt = pl.lit(None, pl.String)
            chosen = pl.col("order") == order
            text_expr = pl.when(chosen).then(text.fill_null("")).otherwise(text_expr)
            code_expr = pl.when(chosen).then(fmt).otherwise(code_expr)
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
        # A selector of a whole segment counts every segment it finds.
        hits = self._every(frame, records, selectors, self._value_or_segment)
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
        found = self._first(frame, records, selectors, lambda _selector: pl.col("raw"))
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
        ids = out.select("id")
        fields: list[pl.Series] = []
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
            # Each field aligned on the records alone: joining onto the whole growing
            # table would copy it once per field.
            aligned = ids.join(found, on="id", how="left", maintain_order="left").drop("id")
            fields.extend(aligned.get_columns())
        self._scope = None
        return out.hstack(fields)
