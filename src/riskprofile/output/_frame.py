"""The outputs of a column-wise run (:class:`~riskprofile.engines.columnar.FrameRun`),
built with polars: the same tables, texts and bytes as for a
:class:`~riskprofile.scoring.ScoringRun`, without a Python object per container or
shipment.

What the row-wise tables compute container by container is computed here for every
container at once: the shipments of a container in the row-wise order (by shipment id;
shipments sharing an id by their full content), the distinct parties, routes, HS codes
and descriptions, the notes, the top reasons and forced reasons from the explained hits.
Only what is shown one unit at a time (the terminal's list) is made into objects, for
the few units shown.

Imported only for a column-wise run: importing :mod:`riskprofile.output` loads no polars.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from riskprofile.io._cells import csv_cell, csv_line
from riskprofile.model.frame import shipments_of_frame
from riskprofile.model.shipment import Shipment
from riskprofile.output._units import Unit, _number

if TYPE_CHECKING:  # runs and selections call output: no import back at run time
    from riskprofile.engines.columnar import FrameRun
    from riskprofile.selection import Selection

__all__ = [
    "arrow_table",
    "container_frame",
    "csv_text",
    "frame_units",
    "hit_frame",
    "lane_counts",
    "non_green_keys",
    "python_rows",
]

# Columns whose values are numbers that are whole or not (``_number``): kept as a text
# column (the CSV cell) and a float column, with a flag saying which rows are whole.
_NUMBERS = {"score", "weight"}
# Columns a row-wise run may leave None (all None: a null-typed Parquet column).
_NULLABLE = {"container_number", "forced_lane", "reason", "action", "bl_number"}
_SEPARATOR = "; "


def _cache(run: FrameRun) -> dict[str, Any]:
    # A FrameRun is frozen and unhashable (it holds frames): the tables shared by every
    # output of the run are kept in its instance dictionary, not in its fields.
    found: dict[str, Any] | None = run.__dict__.get("_output_cache")
    if found is None:
        found = {}
        run.__dict__["_output_cache"] = found
    return found


def _frame(run: FrameRun) -> pl.DataFrame:
    if run.frame is None:
        raise ValueError("this FrameRun keeps no shipment frame: its outputs cannot be written")
    return run.frame


def _shipment_order(run: FrameRun, keys: pl.Series | None = None) -> pl.DataFrame:
    """Every shipment row (``row``) with its unit ``key`` and ``order``: its place when
    shipments are sorted as the row-wise run sorts them (by shipment id; shipments that
    share an id by their full content, as :func:`riskprofile.scoring.score` does). Only
    the order within a unit matters: with ``keys`` (an imploded Series), only the rows of
    those units, ordered among themselves."""
    cache = _cache(run)
    if "order" in cache:
        found: pl.DataFrame = cache["order"]
        return found if keys is None else found.filter(pl.col("key").is_in(keys))
    frame = _frame(run)
    rows = pl.DataFrame(
        {
            "row": pl.int_range(frame.height, dtype=pl.UInt32, eager=True),
            "shipment_id": frame.get_column("shipment_id"),
            "key": run.shipment_scores.get_column("key"),
        }
    )
    if keys is not None:
        rows = rows.filter(pl.col("key").is_in(keys))
    tie = pl.Series("tie", [None] * rows.height, dtype=pl.String)
    duplicated = rows.get_column("shipment_id").is_duplicated()
    if duplicated.any():
        places = duplicated.arg_true()
        at = rows.get_column("row").gather(places).to_list()
        texts = [s.model_dump_json() for s in shipments_of_frame(frame[at])]
        tie = tie.scatter(places, pl.Series(texts, dtype=pl.String))
    order = (
        rows.with_columns(tie)
        .sort(["shipment_id", "tie"], maintain_order=True, nulls_last=False)
        .with_row_index("order")
        .select("row", "key", "order")
        .sort("row")
    )
    if keys is None:
        cache["order"] = order
    return order


def _number_columns(values: Sequence[Decimal], name: str) -> dict[str, list[Any]]:
    """For distinct Decimal ``values``: each as the row-wise tables write it (int when
    whole, else float), as CSV text and as a float, and whether it is whole."""
    numbers = [_number(v) for v in values]
    return {
        f"{name}_text": [str(n) for n in numbers],
        f"{name}_float": [float(n) for n in numbers],
        f"{name}_whole": [isinstance(n, int) for n in numbers],
    }


def _explained(run: FrameRun) -> pl.DataFrame:
    """Every hit, explained, in the row-wise hit table's order (containers by rank, their
    shipments in order, each shipment's hits by profile and indicator), with ``position``
    (the order), ``rank``, the container's number and the B/L's number."""
    cache = _cache(run)
    if "hits" in cache:
        found: pl.DataFrame = cache["hits"]
        return found
    order = _shipment_order(run)
    explained = run.explained_hits().with_row_index("hit")
    # ``priority``: the place of each indicator in the order of the top reasons (highest
    # weight first, then profile and indicator), computed once for the few indicators.
    weights = sorted(
        ((-indicator.weight, pid, iid) for (pid, iid), indicator in run.indicators.items()),
    )
    numbers = pl.DataFrame(
        {
            "profile_id": [w[1] for w in weights],
            "indicator_id": [w[2] for w in weights],
            **_number_columns([-w[0] for w in weights], "weight"),
            "priority": list(range(len(weights))),
        },
        schema={
            "profile_id": pl.String,
            "indicator_id": pl.String,
            "weight_text": pl.String,
            "weight_float": pl.Float64,
            "weight_whole": pl.Boolean,
            "priority": pl.Int64,
        },
    )
    containers = run.container_table.select("key", "rank", "container_number")
    bl = _frame(run).get_column("bl_number")
    hits = (
        explained.with_columns(bl.gather(explained.get_column("row")).alias("bl_number"))
        .join(order.select("row", "order"), on="row", how="left")
        .join(containers, on="key", how="left")
        .join(numbers, on=["profile_id", "indicator_id"], how="left")
        .sort(["rank", "order", "hit"])
        .with_row_index("position")
    )
    cache["hits"] = hits
    return hits


def _route() -> pl.Expr:
    """``POL -> transshipments -> POD`` (``?`` for a port unknown or empty), as
    :func:`riskprofile.output.route`."""

    def port(expr: pl.Expr) -> pl.Expr:
        return pl.when(expr.is_null() | (expr == "")).then(pl.lit("?")).otherwise(expr)

    via = pl.col("transshipment_ports")
    # An empty or missing transshipment port is "?" too (list.eval is the slow part: only
    # for the lists that hold one).
    unknown = via.list.eval((pl.element().is_null() | (pl.element() == "")).any()).list.first()
    between = (
        pl.when(via.list.len() == 0)
        .then(pl.lit(""))
        .when(unknown)
        .then(pl.lit(" -> ") + via.list.eval(port(pl.element())).list.join(" -> "))
        .otherwise(pl.lit(" -> ") + via.list.join(" -> "))
    )
    return pl.concat_str(
        port(pl.col("port_of_loading")), between, pl.lit(" -> "), port(pl.col("port_of_discharge"))
    )


def _joined(
    rows: pl.DataFrame,
    column: str,
    name: str,
    units: int,
    separator: str = _SEPARATOR,
    distinct: bool = True,
) -> pl.Series:
    """Per unit (``rank``, from 1), the texts of ``column`` that are not empty, in the
    rows' order (each once when ``distinct``), joined: a column of ``units`` texts in
    rank order, empty for a unit without any.

    Deduplicated over the whole table first, then gathered in one plain aggregation on
    the integer rank (a per-group ``unique`` runs group by group, several times slower;
    a text key hashes slower than an integer), and put in place without a join."""
    value = pl.col(column)
    kept = rows.select("rank", column).filter(value.is_not_null() & (value != ""))
    # Most units have one text: it is their cell as it is; only the others are grouped.
    several = kept.get_column("rank").is_duplicated()
    single = kept.filter(~several)
    grouped = kept.filter(several)
    if distinct:
        grouped = grouped.unique(keep="first", maintain_order=True)
    texts = pl.concat(
        [single, grouped.group_by("rank").agg(value).select("rank", value.list.join(separator))]
    )
    return (
        pl.repeat("", units, eager=True, dtype=pl.String)
        .scatter(texts.get_column("rank") - 1, texts.get_column(column))
        .alias(name)
    )


def _base_containers(run: FrameRun) -> pl.DataFrame:
    """Every column of the container table that does not depend on a selection, one row
    per container in rank order."""
    cache = _cache(run)
    if "containers" in cache:
        found: pl.DataFrame = cache["containers"]
        return found
    frame = _frame(run)
    table = run.container_table
    units = table.height
    # Each shipment row's unit as its rank (the container table is in rank order).
    order = _shipment_order(run).join(
        table.select("key", "rank"), on="key", how="left", maintain_order="left"
    )
    shipments = (
        frame.select(
            "bl_number",
            "consignee_name",
            "shipper_name",
            _route().alias("routes"),
            "hs_codes",
            "description",
        )
        .with_columns(order.get_column("rank"), order.get_column("order"))
        .sort("order")
    )
    notes = (
        run.notes.select("row", pl.col("notes").list.join(_SEPARATOR).alias("note"))
        .join(order, on="row", how="left")
        .sort("order")
    )
    hits = _explained(run)
    # One fact counts once: a hit another hit counts is no reason of its own. The three
    # heaviest distinct explanations of each unit.
    counted = hits.filter(pl.col("counted_in").is_null())
    several = counted.get_column("rank").is_duplicated()  # a unit's only reason is its top
    top = pl.concat(
        [
            counted.filter(~several).select("rank", "explanation"),
            counted.filter(several)
            .sort("priority", "position")
            .select("rank", "explanation")
            .unique(keep="first", maintain_order=True)
            .filter(pl.int_range(pl.len()).over("rank") < 3),
        ]
    )
    forced = hits.filter(pl.col("forced_lane").is_not_null()).select(
        "rank",
        pl.concat_str(
            "forced_lane",
            pl.lit(": "),
            "profile_id",
            pl.lit("/"),
            "indicator_id",
            pl.lit(" ("),
            "explanation",
            pl.lit(")"),
        ).alias("forced"),
    )
    profile_ids = hits.select("rank", "profile_id").unique().sort("rank", "profile_id")
    hs_codes = shipments.select("rank", "hs_codes").explode("hs_codes")
    parts = [
        _joined(shipments, "bl_number", "bl_numbers", units, separator=";", distinct=False),
        _joined(top, "explanation", "top_reasons", units, distinct=False),
        _joined(forced, "forced", "forced_reasons", units, distinct=False),
        _joined(notes, "note", "notes", units, distinct=False),
        _joined(shipments, "consignee_name", "consignees", units),
        _joined(shipments, "shipper_name", "shippers", units),
        _joined(shipments, "routes", "routes", units),
        _joined(hs_codes, "hs_codes", "hs_codes", units),
        _joined(shipments, "description", "descriptions", units),
        _joined(profile_ids, "profile_id", "profile_ids", units, separator=", "),
    ]
    points = table.get_column("points").unique().sort()
    unit = Decimal(1).scaleb(-run.scale)
    scores = pl.DataFrame(
        {
            "points": points,
            **_number_columns([Decimal(p) * unit for p in points.to_list()], "score"),
        },
        schema_overrides={"score_float": pl.Float64, "score_whole": pl.Boolean},
    )
    containers = (
        table.select("rank", "key", "container_number", "lane", "points", "forced_lane",
                     "hit_count")
        .join(scores, on="points", how="left", maintain_order="left")
        .with_columns(parts)
    )  # fmt: skip
    cache["containers"] = containers
    return containers


def container_frame(run: FrameRun, selection: Selection | None = None) -> pl.DataFrame:
    """The container table of :func:`riskprofile.output.container_rows`, as a frame: the
    columns of ``CONTAINER_COLUMNS`` (``score`` as ``score_text``/``score_float``/
    ``score_whole``), one row per container in the same order."""
    containers = _base_containers(run)
    if selection is None:
        return containers.with_columns(
            pl.lit(False).alias("selected"),
            pl.lit(None, pl.String).alias("reason"),
            pl.lit(None, pl.String).alias("action"),
        )
    keys = [s.container.key for s in selection.selected]
    chosen = pl.DataFrame(
        {
            "key": keys,
            "chosen": [s.rank for s in selection.selected],
            "reason": [s.reason for s in selection.selected],
        },
        schema={"key": pl.String, "chosen": pl.Int64, "reason": pl.String},
    )
    others = pl.DataFrame(
        {
            "key": [c.key for c in selection.left_out] + [c.key for c in selection.documentary],
            "other": ["left out"] * len(selection.left_out)
            + ["documentary"] * len(selection.documentary),
        },
        schema={"key": pl.String, "other": pl.String},
    ).unique("key", keep="last", maintain_order=True)
    # Selected first, by their place in the selection; then the rest in rank order.
    return (
        containers.join(chosen, on="key", how="left")
        .join(others, on="key", how="left")
        .sort(["chosen", "rank"], nulls_last=True, maintain_order=True)
        .with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"),
            pl.col("chosen").is_not_null().alias("selected"),
            pl.when(pl.col("chosen").is_not_null())
            .then(pl.lit("inspect"))
            .otherwise(pl.col("other").fill_null("release"))
            .alias("action"),
        )
        .drop("chosen", "other")
    )


def hit_frame(run: FrameRun) -> pl.DataFrame:
    """The hit table of :func:`riskprofile.output.hit_rows`, as a frame (``weight`` as
    ``weight_text``/``weight_float``/``weight_whole``), in the same order."""
    return _explained(run)


def _values(table: pl.DataFrame, column: str) -> list[Any]:
    """A column as the row-wise tables hold it, for Python rows (numbers int or float)."""
    if column in _NUMBERS:
        whole = table.get_column(f"{column}_whole").to_list()
        floats = table.get_column(f"{column}_float").to_list()
        return [int(f) if w else f for f, w in zip(floats, whole, strict=True)]
    return table.get_column(column).to_list()


def python_rows(table: pl.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of a container or hit frame as the row-wise tables' dictionaries."""
    data = {c: _values(table, c) for c in columns}
    return [dict(zip(columns, row, strict=True)) for row in zip(*data.values(), strict=True)]


_CELL_FIRST = re.compile(r"^[=+\-@\t\r']")


def _csv_column(values: pl.Series) -> pl.Series:
    """A text column's cells as :func:`~riskprofile.io._cells.csv_cell` makes them: a
    formula-like cell prefixed with a quote, decided by ``csv_cell`` itself once per
    distinct value that may need it (those that start with ``= + - @``, a tab, a CR or a
    quote). An empty text becomes null: polars writes ``""`` for an empty text, the csv
    module (and ``csv_line``) nothing, as for None."""
    text = values.cast(pl.String)
    marked = text.str.contains(_CELL_FIRST.pattern).fill_null(False)
    if marked.any():
        distinct = text.filter(marked).unique().to_list()
        changed = {v: str(csv_cell(v)) for v in distinct if str(csv_cell(v)) != v}
        if changed:
            text = text.replace(list(changed), list(changed.values()))
    return text.replace("", None).alias(values.name)


def _csv_cells(table: pl.DataFrame, column: str) -> pl.Series:
    if column in _NUMBERS:
        return table.get_column(f"{column}_text").alias(column)
    values = table.get_column(column)
    if values.dtype == pl.Boolean:  # str(True)
        return values.replace_strict({True: "True", False: "False"}, return_dtype=pl.String).alias(
            column
        )
    if values.dtype.is_integer():
        return values.cast(pl.String).alias(column)
    return _csv_column(values).alias(column)


def csv_frame(table: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """A container or hit frame as the text cells :func:`~riskprofile.io._cells.csv_line`
    writes (before quoting), empty cells null: what :func:`write_csv` writes.

    polars' ``write_csv(quote_style="necessary")`` quotes a cell holding the separator,
    a double quote, LF or CR, doubling quotes, and writes null as nothing: the quoting
    of ``csv_line`` (the tests compare the bytes)."""
    if table.height == 0:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    return pl.DataFrame([_csv_cells(table, c) for c in columns])


def write_csv(table: pl.DataFrame, columns: Sequence[str], target: Any = None) -> str | None:
    """The CSV file of a container or hit frame, with the bytes of ``csv_line`` row by
    row: written to ``target`` (a path), or returned as text when ``target`` is None."""
    cells = csv_frame(table, columns)
    if cells.height == 0:
        text = csv_line(columns)
        if target is None:
            return text
        Path(target).write_text(text, encoding="utf-8")
        return None
    written: str | None = cells.write_csv(
        target, quote_style="necessary", line_terminator="\n", include_header=True
    )
    return written


def csv_text(table: pl.DataFrame, columns: Sequence[str]) -> str:
    """The CSV text of a container or hit frame: the bytes of ``csv_line`` row by row."""
    text = write_csv(table, columns)
    assert text is not None
    return text


# What json.dumps(..., ensure_ascii=False) escapes in a text: the quote, the backslash,
# and every control character below U+0020 (the usual five by name, the others as \u00XX).
_JSON_NAMED = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\b": "\\b", "\f": "\\f"}  # fmt: skip
_JSON_ESCAPES = {
    **{chr(c): f"\\u{c:04x}" for c in range(0x20) if chr(c) not in _JSON_NAMED},
    **_JSON_NAMED,
}


def _json_value(table: pl.DataFrame, column: str) -> pl.Expr:
    """A column's values as ``json.dumps`` writes them (text escaped and quoted, None
    ``null``, Booleans ``true``/``false``, numbers as the row-wise tables hold them)."""
    if column in _NUMBERS:
        return pl.col(f"{column}_text")
    dtype = table.schema[column]
    value = pl.col(column)
    if dtype == pl.Boolean:
        text = pl.when(value).then(pl.lit("true")).otherwise(pl.lit("false"))
    elif dtype.is_integer():
        text = value.cast(pl.String)
    else:
        escaped = value.str.replace_many(list(_JSON_ESCAPES), list(_JSON_ESCAPES.values()))
        text = pl.concat_str(pl.lit('"'), escaped, pl.lit('"'))
    return text.fill_null(pl.lit("null"))


def json_list(table: pl.DataFrame, columns: Sequence[str]) -> str:
    """A container or hit frame as ``json.dumps(rows, indent=2, ensure_ascii=False)``
    writes the list of its rows as a value of a top-level key (the list's lines indented
    by two spaces, the rows' by four and their keys by six)."""
    if table.height == 0:
        return "[]"
    fields = [
        pl.concat_str(pl.lit(f'      "{column}": '), _json_value(table, column))
        for column in columns
    ]
    rows = table.select(
        pl.concat_str(pl.lit("    {\n"), pl.concat_str(fields, separator=",\n"), pl.lit("\n    }"))
        .str.join(",\n")
        .alias("rows")
    )
    return "[\n" + str(rows.item()) + "\n  ]"


def arrow_table(table: pl.DataFrame, columns: Sequence[str]) -> Any:
    """A container or hit frame as the Arrow table ``pyarrow.Table.from_pylist`` makes of
    the row-wise rows (whole numbers int64, else float64; a column of None null)."""
    import pyarrow as pa

    if table.height == 0:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    arrays = {}
    for column in columns:
        if column in _NUMBERS:
            if table.get_column(f"{column}_whole").all():
                arrays[column] = pa.array(
                    table.get_column(f"{column}_float").cast(pl.Int64).to_arrow(), pa.int64()
                )
            else:
                arrays[column] = table.get_column(f"{column}_float").to_arrow()
            continue
        values = table.get_column(column)
        if column in _NULLABLE and values.null_count() == table.height:
            arrays[column] = pa.nulls(table.height)
            continue
        if values.dtype == pl.Boolean:
            target = pa.bool_()
        elif values.dtype.is_integer():
            target = pa.int64()
        else:
            target = pa.string()
        arrays[column] = values.to_arrow().cast(target)
    return pa.table(arrays).combine_chunks()


@dataclass(frozen=True, slots=True)
class ShownHit:
    """A hit of a unit the list shows, as :class:`~riskprofile.results.Hit` has it."""

    profile_id: str
    indicator_id: str
    weight: Decimal
    explanation: str
    forced_lane: str | None
    shipment_id: str
    counted_in: str | None

    @property
    def counted(self) -> bool:
        """Whether the hit's weight counts in the shipment's score."""
        return self.counted_in is None


def frame_units(run: FrameRun, keys: Iterable[str]) -> dict[str, Unit]:
    """The units ``keys`` of a column-wise run, by key."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    key_series = pl.Series(wanted, dtype=pl.String).implode()
    table = run.container_table.filter(pl.col("key").is_in(key_series))
    order = _shipment_order(run, key_series).sort("order")
    rows = order.get_column("row").to_list()
    shipments = shipments_of_frame(_frame(run)[rows])
    by_key: dict[str, list[Shipment]] = {}
    for key, shipment in zip(order.get_column("key").to_list(), shipments, strict=True):
        by_key.setdefault(key, []).append(shipment)
    hit_lists: dict[str, list[ShownHit]] = {}
    if "hits" in _cache(run):
        hits = _explained(run).filter(pl.col("key").is_in(key_series))
    else:  # the terminal list alone: explain the hits of the units shown only
        hits = (
            run.explained_hits(wanted)
            .with_row_index("hit")
            .join(order.select("row", "order"), on="row", how="left")
            .sort("order", "hit")
        )
    weights = {ident: indicator.weight for ident, indicator in run.indicators.items()}
    for h in hits.iter_rows(named=True):
        hit_lists.setdefault(h["key"], []).append(
            ShownHit(
                profile_id=h["profile_id"],
                indicator_id=h["indicator_id"],
                weight=weights[(h["profile_id"], h["indicator_id"])],
                explanation=h["explanation"],
                forced_lane=h["forced_lane"],
                shipment_id=h["shipment_id"],
                counted_in=h["counted_in"],
            )
        )
    unit = Decimal(1).scaleb(-run.scale)
    units = {}
    for row in table.iter_rows(named=True):
        units[row["key"]] = Unit(
            key=row["key"],
            container_number=row["container_number"],
            score=(Decimal(row["points"]) * unit).normalize() + 0,
            lane=row["lane"],
            forced_lane=row["forced_lane"],
            shipments=tuple(by_key.get(row["key"], ())),
            hits=tuple(hit_lists.get(row["key"], ())),
        )
    return units


def lane_counts(run: FrameRun) -> Mapping[str, int]:
    """Containers per lane."""
    counts = run.container_table.get_column("lane").value_counts()
    return dict(zip(counts["lane"].to_list(), counts["count"].to_list(), strict=True))


def non_green_keys(run: FrameRun, limit: int) -> tuple[list[str], int]:
    """The first ``limit`` non-green units in rank order, and how many there are."""
    table = run.container_table.filter(pl.col("lane") != "green")
    return table.get_column("key").head(max(limit, 0)).to_list(), table.height
