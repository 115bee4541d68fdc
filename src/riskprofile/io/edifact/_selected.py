"""The column-wise CUSCAR reader's mapped fields, all of a section's in one pass.

A section's selectors are grouped by the segments they read (their tag and group path):
each such part of the segment column is cut once into its elements and components,
every selector on it gives one column of values (null where the segment is no hit), and
one ``group_by`` over the parts' hits gives every field's per-record aggregate (the
first hit, or all of them) at once. Each field is then finished on that one row per
record (checks, casts, the first selector that found something); only parties and
dates go through Python, once per distinct segment or text (see :mod:`._fields`).

The rules are the model path's (:meth:`~riskprofile.io.edifact.Selector.find` and the
reader's per-kind conversions): first match wins, selectors in their order; a whole
element is its non-empty components joined with a space.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from riskprofile.io.edifact._cutting import _Cut, _WholeFile
from riskprofile.io.edifact._mapping import Selector
from riskprofile.io.edifact._reader import party_of
from riskprofile.io.edifact._values import FULL_EMPTY, parse_datetime

_NAME_WIDTH = 35
_TEXT_WIDTH = 70
_SEP = ";"
_INTEGER = r"^[0-9]{1,15}$"
_DECIMAL = r"^-?(0|[1-9][0-9]{0,17})(\.[0-9]{1,12})?$"
_NUMBER = r"^-?[0-9]{1,15}(\.[0-9]{1,12})?$"
_KILOGRAMS = ("", "KGM", "KG", "kgm", "kg", "Kg", "KGm")
_PARTY_KEYS = ("name", "address", "country", "identifier")
# Kinds read from the first hit (of the first selector with one); the others read
# every hit: a whole-element text joins them, a list keeps them.
_FIRST = ("text", "integer", "decimal", "full_empty", "weight", "temperature", "party",
          "datetime", "date")  # fmt: skip
_EVERY = ("text_list", "containers", "seals")
# The columns a kind reads beside its value, each non-null exactly where the value is
# (so that each one's first non-null is the same hit's).
_EXTRA = {"weight": ("_unit",), "temperature": ("_unit",), "datetime": ("_format",),
          "date": ("_format",)}  # fmt: skip


@dataclass
class _Field:
    """One mapped field of a section: its place in the section (``index``), name, kind
    and selectors; ``joined``: a text of one whole element, every hit joined."""

    index: int
    name: str
    kind: str
    selectors: tuple[Selector, ...]
    joined: bool = False

    def column(self, order: int, suffix: str = "") -> str:
        return f"_f{self.index}_{order}{suffix}"


@dataclass
class _Part:
    """The selectors on one (tag, group path) of the segment column, and the elements
    and components they read (element -> the highest component)."""

    tag: str
    path: str
    uses: list[tuple[_Field, int, Selector]] = field(default_factory=list)
    elements: set[int] = field(default_factory=set)
    components: dict[int, int] = field(default_factory=dict)
    read: set[tuple[int, int]] = field(default_factory=set)

    def element(self, number: int) -> pl.Expr:
        """Element ``number`` untranslated (null when the segment has fewer)."""
        self.elements.add(number)
        return pl.col(f"_e{number}")

    def component(self, number: int, component: int) -> pl.Expr:
        """Component ``component`` of element ``number``, untranslated (null if absent);
        each read once however many selectors read it."""
        self.elements.add(number)
        self.components[number] = max(self.components.get(number, 1), component)
        self.read.add((number, component))
        return pl.col(f"_t{number}_{component}")


class _Selected:
    """Reads a section's mapped fields for every record at once."""

    def __init__(self, cut: _Cut) -> None:
        self.cut = cut
        service = cut.service
        self._elem = service.element
        self._comp = service.component
        self._decimal_comma = service.decimal == ","

    # --- the fields of a section -------------------------------------------------------------

    def plan(self, fields: list[_Field], prefix: str) -> list[_Part]:
        """The parts the fields read (raises :class:`_WholeFile` for a mapping feature
        this path does not take)."""
        parts: dict[tuple[str, str], _Part] = {}
        for spec in fields:
            whole = [s for s in spec.selectors if s.component is None]
            if spec.kind == "text" and whole:
                if len(spec.selectors) > 1:
                    raise _WholeFile(
                        f"several selectors for {spec.name} where one reads a whole element"
                    )
                spec.joined = True
            for selector in spec.selectors:
                if selector.element is None and spec.kind not in ("party", "seals", "text"):
                    raise _WholeFile(f"the mapping's {selector.text!r} reads a whole segment")
            for order, selector in enumerate(spec.selectors):
                path = "/".join(p for p in (prefix, *selector.path) if p)
                part = parts.setdefault((selector.tag, path), _Part(selector.tag, path))
                part.uses.append((spec, order, selector))
        return list(parts.values())

    def hits(self, part: _Part, segments: pl.DataFrame, rid: pl.Expr) -> pl.LazyFrame:
        """The part's segments as hits: ``id`` (the record) and one column per selector
        on it (null where the segment is not that selector's hit)."""
        columns: list[pl.Expr] = []
        for spec, order, selector in part.uses:
            columns += self._columns(part, spec, order, selector)
        top = max([0, *part.elements])
        lazy = segments.lazy().select(rid.alias("id"), "raw")
        if top:
            lazy = lazy.with_columns(
                pl.col("raw").str.split_exact(self._elem, top).alias("_e")
            ).with_columns(
                pl.col("_e").struct.field(f"field_{n}").alias(f"_e{n}") for n in part.elements
            )
        if part.components:
            lazy = lazy.with_columns(
                pl.col(f"_e{n}").str.split_exact(self._comp, c - 1).alias(f"_c{n}")
                for n, c in part.components.items()
            ).with_columns(
                pl.col(f"_c{n}").struct.field(f"field_{c - 1}").alias(f"_t{n}_{c}")
                for n, c in sorted(part.read)
            )
        return lazy.select("id", *columns)

    def aggregates(self, part: _Part) -> list[pl.Expr]:
        """Per record, each selector's first hit or all its hits (see :meth:`hits`)."""
        # Only aggregations Polars runs on its fast path (a plain first, any, implode):
        # a struct, a drop_nulls or a filter per group costs many times more.
        out: list[pl.Expr] = []
        for spec, order, _selector in part.uses:
            column = pl.col(spec.column(order))
            if spec.joined:
                out.append(column)
                out.append(pl.col(spec.column(order, "_cut")).any())
            elif spec.kind in _FIRST:
                out.append(column.first(ignore_nulls=True))
                out += [
                    pl.col(spec.column(order, s)).first(ignore_nulls=True)
                    for s in _EXTRA.get(spec.kind, ())
                ]
            else:
                out.append(column.drop_nulls())
        return out

    # --- each selector's per-hit columns ------------------------------------------------------

    def _translated(self, expr: pl.Expr) -> pl.Expr:
        return self.cut.translated(expr)

    def _untranslated(self, value: str) -> str:
        """``value`` as it stands in the cut text (service characters as placeholders)."""
        back = self.cut.back
        if back is None:
            return value
        return value.translate({ord(c): chr(k) for k, c in back.items()})

    def translate(self, table: pl.DataFrame, fields: list[_Field]) -> pl.DataFrame:
        """The aggregates of ``table`` (one row per record) with placeholders back to the
        characters they stand for: done here, on each record's hits, rather than on every
        component of every segment of the parts (the conditions compare the components
        as they stand, against values put in the same form)."""
        if self.cut.back is None:
            return table
        out: list[pl.Expr] = []
        for spec in fields:
            if spec.kind in ("party", "seals"):
                continue  # the segment itself (parsed as the tokenizer does); seals: done
            for order, selector in enumerate(spec.selectors):
                names = [spec.column(order, suffix) for suffix in _EXTRA.get(spec.kind, ())]
                if spec.joined or selector.element is not None:
                    names.append(spec.column(order))
                for name in names:
                    column = pl.col(name)
                    if table.schema[name] == pl.List(pl.String):
                        out.append(column.list.eval(self._translated(pl.element())).alias(name))
                    else:
                        out.append(self._translated(column).alias(name))
        return table.with_columns(out) if out else table

    def _whole(self, part: _Part, number: int) -> pl.Expr:
        """A whole element: its non-empty components joined with a space, untranslated
        (empty when it has none; null when the segment has no such element)."""
        comp = re.escape(self._comp)
        text = part.element(number).str.strip_chars(self._comp)
        return text.str.replace_all(f"{comp}+", " ")

    def _value(self, part: _Part, selector: Selector) -> pl.Expr:
        """The selector's value, untranslated; null when empty (as the model path finds)."""
        if selector.element is None:
            return pl.col("raw")
        if selector.component is None:
            value = self._whole(part, selector.element)
        else:
            value = part.component(selector.element, selector.component)
        return pl.when(value != "").then(value)

    def _present(self, part: _Part, selector: Selector) -> pl.Expr:
        """Whether :meth:`_value` is not null, without making it: a whole element has a
        component that is not empty, a component is not empty."""
        if selector.element is None:
            return pl.lit(True)
        if selector.component is None:
            comp = re.escape(self._comp)
            return part.element(selector.element).str.contains(f"[^{comp}]").fill_null(False)
        value = part.component(selector.element, selector.component)
        return (value != "").fill_null(False)

    def _columns(self, part: _Part, spec: _Field, order: int, selector: Selector) -> list[pl.Expr]:
        hit: pl.Expr = pl.lit(True)
        for element, component, values in selector.conditions:
            value = part.component(element, component or 1).fill_null("")
            hit = hit & value.is_in(sorted(self._untranslated(v) for v in values))
        name = spec.column(order)
        kind = spec.kind
        if spec.joined:
            number = selector.element or 1
            width = _TEXT_WIDTH if selector.tag == "FTX" else _NAME_WIDTH
            comp = re.escape(self._comp)
            # join_text glues on after a part of exactly the width (a word cut there)
            # when another part follows; placeholders are one character, as released.
            cut = part.element(number).str.contains(
                f"(?:^|{comp})[^{comp}]{{{width}}}{comp}+[^{comp}]"
            )
            return [
                pl.when(hit).then(self._whole(part, number)).alias(name),
                pl.when(hit).then(cut).alias(spec.column(order, "_cut")),
            ]
        if kind == "party":
            return [pl.when(hit).then(pl.col("raw")).alias(name)]
        measured = kind in ("weight", "temperature", "datetime", "date")
        if measured and selector.element is not None and selector.component is None:
            # A whole element read from its components below: whether it holds a value
            # is all that is asked of the element's joined text (not made, then).
            value = pl.lit(None, pl.String)
            found = hit & self._present(part, selector)
        else:
            value = self._value(part, selector)
            found = hit & value.is_not_null()
        payload: pl.Expr = value
        if kind in ("weight", "temperature"):
            text, unit = self._measure(part, selector, value, unit_first=kind == "weight")
            return [
                pl.when(found).then(text).alias(name),
                pl.when(found).then(unit).alias(spec.column(order, "_unit")),
            ]
        if kind in ("datetime", "date"):
            text, fmt = self._stamp(part, selector)
            return [
                pl.when(found).then(text).alias(name),
                pl.when(found).then(fmt).alias(spec.column(order, "_format")),
            ]
        if kind == "seals":
            seal = self._translated(part.component(1, 1))
            sealer = self._translated(part.component(2, 1))
            payload = pl.struct(
                pl.when(seal != "").then(seal).alias("number"),
                pl.when(sealer != "").then(sealer).alias("sealer"),
            )
        return [pl.when(found).then(payload).alias(name)]

    def _measure(
        self, part: _Part, selector: Selector, value: pl.Expr, *, unit_first: bool
    ) -> tuple[pl.Expr, pl.Expr]:
        """A whole element split into unit and number (the unit first for a weight, MEA;
        last for a temperature, TMP); a single component has no unit."""
        if selector.component is None:
            number = selector.element or 1
            unit_at, text_at = (1, 2) if unit_first else (2, 1)
            unit = part.component(number, unit_at).fill_null("")
            text = part.component(number, text_at).fill_null("")
        else:
            unit, text = pl.lit(""), value
        return text, unit

    def _stamp(self, part: _Part, selector: Selector) -> tuple[pl.Expr, pl.Expr]:
        """The date/time text and its format code (``""`` for none)."""
        number = selector.element or 1
        if selector.component is None:  # a whole C507: qualifier, value, format
            text = part.component(number, 2)
            # the date/time format code (DTM's 2379), not a quality flag's code
            fmt = part.component(number, 3).fill_null("")
        else:
            text = part.component(number, selector.component)
            fmt = pl.lit("")
        return text.fill_null(""), fmt

    # --- each field finished, on one row per record --------------------------------------------

    def finish(
        self,
        table: pl.DataFrame,
        spec: _Field,
        route: Callable[[pl.DataFrame, pl.Expr, str], None],
    ) -> list[pl.Series]:
        """The field's cells for each record of ``table`` (``id``, ``unit`` and the
        aggregates), routing what the model path would read otherwise."""
        name, kind = spec.name, spec.kind
        orders = range(len(spec.selectors))
        columns = [pl.col(spec.column(k)) for k in orders]
        if spec.joined:
            # Every hit's text (null where a segment was no hit), the empty ones left out.
            texts = columns[0].list.eval(pl.element().filter(pl.element() != "")).list.join(" ")
            route(table, pl.col(spec.column(0, "_cut")).fill_null(False),
                  f"{name}: a word cut in a text")  # fmt: skip
            return [table.select(pl.when(texts != "").then(texts).alias(name)).to_series()]
        if kind in _EVERY:
            chosen: pl.Expr = pl.lit(None)
            for column in reversed(columns):
                chosen = pl.when(column.list.len() > 0).then(column).otherwise(chosen)
            return self._listed(table.select("id", "unit", chosen.alias("_v")), spec, route)
        first = pl.coalesce(columns) if len(columns) > 1 else columns[0]
        extra = {
            suffix: pl.coalesce(
                [
                    pl.when(c.is_not_null()).then(pl.col(spec.column(k, suffix)))
                    for k, c in enumerate(columns)
                ]
            )
            for suffix in _EXTRA.get(kind, ())
        }
        found = table.select(
            "id", "unit", first.alias("_v"), *(e.alias(s) for s, e in extra.items())
        )
        value = pl.col("_v")
        if kind == "party":
            return self._party(found)
        if kind in ("datetime", "date"):
            return [self._when(found, name, kind == "date", route)]
        if kind in ("weight", "temperature"):
            number = value
            if self._decimal_comma:
                number = number.str.replace(",", ".", literal=True)
            units = _KILOGRAMS if kind == "weight" else ("", "CEL")
            unit = pl.col("_unit")
            ok = unit.is_in(units) & number.str.contains(_NUMBER)
            route(found, value.is_not_null() & ~ok.fill_null(False),
                  f"{name}: a value the model flags")  # fmt: skip
            return [found.select(number.alias(name)).to_series()]
        if kind == "integer":
            ok = value.str.contains(_INTEGER)
            out = value.cast(pl.Int64, strict=False).cast(pl.String)
        elif kind == "decimal":
            if self._decimal_comma:
                value = value.str.replace(",", ".", literal=True)
            ok, out = value.str.contains(_DECIMAL), value
        elif kind == "full_empty":
            codes = {k: "true" if v else "false" for k, v in FULL_EMPTY.items()}
            ok = value.is_in(list(codes))
            out = value.replace_strict(codes, default=None, return_dtype=pl.String)
        else:
            return [found.get_column("_v").alias(name)]
        # A value that does not read goes to the models; its cell here is overwritten
        # by theirs, so a failed cast is null rather than failing the read.
        route(found, ~ok.fill_null(True), f"{name}: a value the model flags")
        return [found.select(out.alias(name)).to_series()]

    def _listed(
        self,
        found: pl.DataFrame,
        spec: _Field,
        route: Callable[[pl.DataFrame, pl.Expr, str], None],
    ) -> list[pl.Series]:
        name, value = spec.name, pl.col("_v")
        if spec.kind == "text_list":
            holds = value.list.eval(pl.element().str.contains(_SEP, literal=True)).list.any()
            route(found, holds.fill_null(False), f"{name}: an item holds ';'")
            return [found.get_column("_v").alias(name)]
        if spec.kind == "containers":
            return [found.select(value.list.unique(maintain_order=True).alias(name)).to_series()]
        numbers = value.list.eval(pl.element().struct.field("number"))
        sealers = value.list.eval(pl.element().struct.field("sealer"))
        route(found, numbers.list.eval(pl.element().is_null()).list.any().fill_null(False),
              f"{name}: a seal without a number")  # fmt: skip
        holds = numbers.list.eval(pl.element().str.contains(_SEP, literal=True)).list.any()
        holds = holds | sealers.list.eval(pl.element().str.contains(_SEP, literal=True)).list.any()
        route(found, holds.fill_null(False), f"{name}: a seal holds ';'")
        out = found.select(
            numbers.list.eval(pl.element().drop_nulls()).list.join(_SEP).alias("seal_numbers"),
            pl.when(sealers.list.eval(pl.element().is_not_null()).list.any())
            .then(sealers.list.eval(pl.element().fill_null("")).list.join(_SEP))
            .alias("seal_sealers"),
        )
        return out.get_columns()

    def _party(self, found: pl.DataFrame) -> list[pl.Series]:
        """The party's four cells, each distinct ``NAD`` parsed once as the model does."""
        raws = found.get_column("_v")
        distinct = raws.drop_nulls().unique()
        cells: dict[str, list[str | None]] = {k: [] for k in _PARTY_KEYS}
        for segment in self.cut.segments(distinct.to_list()):
            party = party_of(segment) or {}
            for key in _PARTY_KEYS:
                cells[key].append(party.get(key))
        table = pl.DataFrame(
            {"_v": distinct, **{k: pl.Series(v, dtype=pl.String) for k, v in cells.items()}}
        )
        return (
            found.select("_v")
            .join(table, on="_v", how="left", maintain_order="left")
            .drop("_v")
            .get_columns()
        )

    def _when(
        self,
        found: pl.DataFrame,
        name: str,
        date_only: bool,
        route: Callable[[pl.DataFrame, pl.Expr, str], None],
    ) -> pl.Series:
        """A date or a date and time, each distinct text and format parsed once."""
        form = pl.col("_format")  # DTM's 2379, not a quality flag's code
        pairs = found.select(
            pl.col("_v").alias("text"), pl.when(form != "").then(form).alias("format")
        )
        distinct = pairs.drop_nulls("text").unique(maintain_order=True)
        stamps: list[str | None] = []
        for text, code in distinct.iter_rows():
            try:
                stamp = parse_datetime(text, code).isoformat()
            except ValueError:
                stamps.append(None)
                continue
            stamps.append(stamp[:10] if date_only else stamp)
        table = distinct.with_columns(pl.Series(name, stamps, dtype=pl.String))
        stamped = pairs.join(
            table, on=["text", "format"], how="left", nulls_equal=True, maintain_order="left"
        ).get_column(name)
        checked = found.with_columns(stamped)
        route(checked, pl.col("_v").is_not_null() & pl.col(name).is_null(),
              f"{name}: a value the model flags")  # fmt: skip
        return stamped
