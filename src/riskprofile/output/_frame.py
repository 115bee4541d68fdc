"""The outputs of a column-wise run (:class:`~riskprofile.results.FrameRun`),
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

import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from riskprofile._parallel import each_at_once
from riskprofile.lists.shared import party_fields
from riskprofile.model.frame import shipments_of_frame
from riskprofile.model.shipment import Shipment
from riskprofile.output._units import Unit, _number
from riskprofile.profiles.shared import explanation_fields, explanation_quotes

if TYPE_CHECKING:  # runs and selections call output: no import back at run time
    from riskprofile.profiles import CompiledIndicator
    from riskprofile.results import FrameRun
    from riskprofile.selection import Selection

__all__ = [
    "container_frame",
    "file_columns",
    "for_files",
    "frame_units",
    "hit_frame",
    "lane_counts",
    "non_green_keys",
    "python_rows",
    "shown_fields",
]

# Columns whose values are numbers that are whole or not (``_number``): kept as a text
# column (the CSV cell) and a float column, with a flag saying which rows are whole.
_NUMBERS = {"score", "weight"}
# Columns a row-wise run may leave None (all None: a null-typed Parquet column).
_NULLABLE = {"container_number", "forced_lane", "reason", "action", "bl_number"}
_SEPARATOR = "; "
T = TypeVar("T")


_CACHE_MADE = threading.Lock()


def _cache(run: FrameRun) -> dict[str, Any]:
    # A FrameRun is frozen and unhashable (it holds frames): the tables shared by every
    # output of the run are kept in its instance dictionary, not in its fields.
    found: dict[str, Any] | None = run.__dict__.get("_output_cache")
    if found is None:
        with _CACHE_MADE:  # two files' threads may ask at once: one cache per run
            found = run.__dict__.setdefault("_output_cache", {})
    return found


def _once(name: str) -> Callable[[Callable[[FrameRun], T]], Callable[[FrameRun], T]]:
    """A table of the run made once and kept in its cache under ``name``: the files of a
    run are built on two threads at once, and a thread that asks for a table another is
    making waits for it instead of making it again."""

    def decorate(make: Callable[[FrameRun], T]) -> Callable[[FrameRun], T]:
        @functools.wraps(make)
        def once(run: FrameRun) -> T:
            cache = _cache(run)
            if name not in cache:
                with cache.setdefault(f"{name}:lock", threading.Lock()):
                    if name not in cache:
                        cache[name] = make(run)
            found: T = cache[name]
            return found

        return once

    return decorate


def _one_chunk(values: pl.Series) -> pl.Series:
    """``values`` in one chunk, to be gathered from. Polars gathers rows in any order from
    a column in several chunks (a frame read slice by slice) many times slower than from
    one: 1.35 million texts 0.2-0.4 s against 0.01 s, a list column of a million rows
    0.34 against 0.04 s. Putting a text column's chunks together copies only its 16-byte
    views (a few milliseconds), not its texts."""
    return values.rechunk() if values.n_chunks() > 1 else values


def _frame(run: FrameRun) -> pl.DataFrame:
    if run.frame is None:
        raise ValueError("this FrameRun keeps no shipment frame: its outputs cannot be written")
    return run.frame


# The frame's columns the tables read besides the explanations' fields: the shipment's
# identity and unit (``_in_unit_order``, the unit key), the parties, the route
# (``_route``), the goods.
_TABLE_COLUMNS = (
    "shipment_id", "manifest_ref", "container_number", "bl_number", "consignee_name",
    "shipper_name", "port_of_loading", "transshipment_ports", "port_of_discharge",
    "hs_codes", "description",
)  # fmt: skip
_FILES_ONLY = "_files_only"
# The container table's text columns, in its column order.
_TEXT_COLUMNS = (
    "bl_numbers", "top_reasons", "forced_reasons", "notes", "consignees", "shippers",
    "routes", "hs_codes", "descriptions", "profile_ids",
)  # fmt: skip


def file_columns(run: FrameRun) -> list[str]:
    """The columns of the run's frame that its files (:func:`riskprofile.output.
    write_output`, ``to_json``, ``to_csv``) read, once its notes and the order of the
    shipments that share an id are known: the tables' own columns and every field an
    indicator's explanation shows or quotes a list entry by."""
    columns = shown_fields(indicator for indicator in run.indicators.values())
    return [c for c in _frame(run).columns if c in columns]


def shown_fields(indicators: Iterable[CompiledIndicator]) -> frozenset[str]:
    """The shipment fields the outputs of a run of ``indicators`` show (its files, its
    list): the tables' own columns and every field an explanation shows or quotes a
    list entry by (a trader list's party with its identifier and country)."""
    columns = set(_TABLE_COLUMNS)
    for indicator in indicators:
        template = indicator.indicator.explain or indicator.indicator.title
        columns.update(explanation_fields(template))
        for list_name, _column in explanation_quotes(template):
            watch, fields = indicator.quoted[list_name]
            columns.update(fields)
            for name in fields if watch.matched_by_trader else ():  # the party whole
                if name.endswith("_name"):
                    columns.update(f for f in party_fields(name[: -len("_name")]) if f)
    return frozenset(columns)


def for_files(run: FrameRun) -> FrameRun:
    """The run with its frame cut to :func:`file_columns`, for writing its files: the
    rest of the batch's columns (most of its memory at a million shipments) can then be
    freed before the files' tables are built.

    What needs whole shipments is worked out first, on the whole frame, and kept: the
    notes (rows where a condition could not be evaluated, evaluated again row-wise) and
    the order of a unit's shipments that share an id (by their content). The files of
    the run returned are the run's, byte for byte; what shows units one by one (the
    terminal list, ``hit_rows`` of some units) must be made from the whole run, before.
    """
    _shipment_places(run)
    notes = run.notes
    trimmed = replace(run, frame=_frame(run).select(file_columns(run)))
    # Shared, not copied: the tables already built, and the notes.
    trimmed.__dict__["_output_cache"] = _cache(run)
    trimmed.__dict__["notes"] = notes
    trimmed.__dict__[_FILES_ONLY] = True
    return trimmed


# Up to this many rows, a frame's rows are taken as one-row slices (see _rows_of).
_FEW_ROWS = 256


def _rows_of(frame: pl.DataFrame, rows: Sequence[int]) -> pl.DataFrame:
    """``frame[rows]``. A few rows of a big frame (the units a list shows) are taken as
    one-row slices put together, which copy nothing else: a gather from a frame read in
    several chunks copied whole columns of a million rows first (about a tenth of a
    second of the top of the list at a million shipments, most of its memory)."""
    if len(rows) > _FEW_ROWS:
        return frame[list(rows)]
    if not rows:
        return frame.clear()
    return pl.concat([frame.slice(row, 1) for row in rows])


def _in_unit_order(rows: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (``row``: a shipment's row in ``frame``, ``unit``: its unit's rank or key)
    sorted by unit, each unit's shipments as the row-wise run sorts them: by shipment id;
    shipments that share an id by their full content (as :func:`riskprofile.scoring.score`
    does), then in frame order."""
    ids = frame.get_column("shipment_id")
    if rows.height > _FEW_ROWS:  # not for the few units a list shows: see _one_chunk
        ids = _one_chunk(ids)
    ids = ids.gather(rows.get_column("row"))
    ordered = rows.with_columns(ids).sort(["unit", "shipment_id"], maintain_order=True)
    unit, sid = pl.col("unit"), pl.col("shipment_id")
    same = (unit == unit.shift(1)) & (sid == sid.shift(1))
    tied = ordered.select(same.fill_null(False) | same.shift(-1).fill_null(False)).to_series()
    if tied.any():  # two shipments of a unit share an id: their content decides
        places = tied.arg_true()
        at = ordered.get_column("row").gather(places).to_list()
        texts = [s.model_dump_json() for s in shipments_of_frame(_rows_of(frame, at))]
        tie = pl.Series("tie", [None] * ordered.height, dtype=pl.String)
        tie = tie.scatter(places, pl.Series(texts, dtype=pl.String))
        ordered = ordered.with_columns(tie).sort(
            ["unit", "shipment_id", "tie"], maintain_order=True
        )
    return ordered.select("row", "unit")


@_once("places")
def _shipment_places(run: FrameRun) -> pl.DataFrame:
    """The shipment rows as the outputs list them: ``row`` (in the frame) and ``rank`` (of
    its unit), units in rank order, each unit's shipments in the row-wise order
    (:func:`_in_unit_order`); and, in the cache, each frame row's ``place`` in that list.

    Only the units of several shipments are sorted on the shipment id (text): the others'
    single rows go straight to their rank."""
    cache = _cache(run)
    frame = _frame(run)
    if run.shipment_ranks is not None:  # placed by the roll-up: no join of the keys
        ranks = run.shipment_ranks.alias("rank")
        counts = run.container_table.get_column("shipment_count").gather(ranks - 1)
        units = pl.DataFrame([ranks, counts])
    else:
        units = run.shipment_scores.select("key").join(
            run.container_table.select("key", "rank", "shipment_count"),
            on="key",
            how="left",
            maintain_order="left",
        )
    rows = units.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
        pl.col("rank").alias("unit"),
        pl.col("shipment_count") > 1,
    )
    several = _in_unit_order(rows.filter(pl.col("shipment_count")).select("row", "unit"), frame)
    single = rows.filter(~pl.col("shipment_count")).select("row", "unit")
    places = pl.concat([several, single]).sort("unit", maintain_order=True).rename({"unit": "rank"})
    cache["single"] = single.rename({"unit": "rank"})
    cache["several"] = several.rename({"unit": "rank"})
    height = places.height
    cache["place"] = pl.zeros(height, dtype=pl.UInt32, eager=True).scatter(
        places.get_column("row"), pl.int_range(height, dtype=pl.UInt32, eager=True)
    )
    return places


def _place_of_rows(run: FrameRun) -> pl.Series:
    """Each frame row's place in :func:`_shipment_places`' list."""
    _shipment_places(run)
    place: pl.Series = _cache(run)["place"]
    return place


def _number_columns(values: Sequence[Decimal], name: str) -> dict[str, list[Any]]:
    """For distinct Decimal ``values``: each as the row-wise tables write it (int when
    whole, else float), as CSV text and as a float, and whether it is whole."""
    numbers = [_number(v) for v in values]
    return {
        f"{name}_text": [str(n) for n in numbers],
        f"{name}_float": [float(n) for n in numbers],
        f"{name}_whole": [isinstance(n, int) for n in numbers],
    }


@_once("hits")
def _explained(run: FrameRun) -> pl.DataFrame:
    """Every hit, explained, in the row-wise hit table's order (containers by rank, their
    shipments in order, each shipment's hits by profile and indicator), with ``position``
    (the order), ``rank``, the container's number and the B/L's number."""
    explained = run.explained_hits()
    # ``priority``: the place of each indicator in the order of the top reasons (highest
    # weight first, then profile and indicator), computed once for the few indicators.
    weights = sorted(
        ((-indicator.weight, pid, iid) for (pid, iid), indicator in run.indicators.items()),
    )
    profile_number = {pid: n for n, pid in enumerate(_profile_names(run))}
    numbers = pl.DataFrame(
        {
            "profile_id": [w[1] for w in weights],
            "indicator_id": [w[2] for w in weights],
            **_number_columns([-w[0] for w in weights], "weight"),
            "priority": list(range(len(weights))),
            "profile_number": [profile_number[w[1]] for w in weights],
        },
        schema={
            "profile_id": pl.String,
            "indicator_id": pl.String,
            "weight_text": pl.String,
            "weight_float": pl.Float64,
            "weight_whole": pl.Boolean,
            "priority": pl.Int64,
            "profile_number": pl.Int64,
        },
    )
    # The hits in the order of their shipments' places (a stable sort on one integer: a
    # shipment's hits stay in profile and indicator order), then gathered once.
    rows = explained.get_column("row")
    hit_order = (
        _place_of_rows(run)
        .gather(rows)
        .to_frame("place")
        .with_row_index("hit")
        .sort("place", maintain_order=True)
        .get_column("hit")
    )
    rank = _shipment_places(run).get_column("rank")
    ordered = explained.rechunk()[hit_order]  # one chunk: see _one_chunk
    ordered_rows = ordered.get_column("row")
    hit_rank = rank.gather(_place_of_rows(run).gather(ordered_rows))
    containers = run.container_table.get_column("container_number")
    return (
        ordered.with_columns(
            _one_chunk(_frame(run).get_column("bl_number")).gather(ordered_rows),
            _one_chunk(containers).gather(hit_rank - 1),
            hit_rank.alias("rank"),
        )
        .join(numbers, on=["profile_id", "indicator_id"], how="left", maintain_order="left")
        .with_row_index("position")
    )


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


def _top_reasons(hits: pl.DataFrame) -> pl.DataFrame:
    """The top reasons of each unit (``rank``, ``explanation``, in rank order): the three
    heaviest distinct explanations of the hits that count (one fact counts once: a hit
    another hit counts is no reason of its own), as the row-wise ``_top`` picks them.

    Sorted by weight, a unit's hits of one indicator come together, and the texts that
    repeat the one before them (an LCL container's B/Ls hitting the same indicator) are
    dropped without hashing any text; the first three left are the answer unless the third
    is the first again (two indicators wording the same text): only such units are
    deduplicated in full."""
    rank, text = pl.col("rank"), pl.col("explanation")
    start = (rank != rank.shift(1)).fill_null(True)
    kept = (
        hits.filter(pl.col("counted_in").is_null())
        .select("rank", "priority", "position", "explanation")
        .sort(["rank", "priority", "position"])
        .filter(start | (text != text.shift(1)).fill_null(True))
        .select("rank", "explanation")
    )
    index = pl.int_range(pl.len(), dtype=pl.Int64)
    within = index - pl.when(start).then(index).forward_fill()
    first = kept.with_columns(within.alias("n")).filter(pl.col("n") < 3)
    again = first.filter((pl.col("n") == 2) & (text == text.shift(2))).get_column("rank")
    if again.len() == 0:
        return first.select("rank", "explanation")
    redone = (
        kept.filter(rank.is_in(again.implode()))
        .unique(keep="first", maintain_order=True)
        .filter(pl.int_range(pl.len()).over("rank") < 3)
    )
    return pl.concat(
        [first.filter(~rank.is_in(again.implode())).select(redone.columns), redone]
    ).sort("rank", maintain_order=True)


@dataclass(frozen=True)
class _UnitText:
    """A text column of the container table made from a shipment column: ``values`` (in
    frame order), the texts that are not empty joined with ``separator``, each once when
    ``distinct``."""

    values: pl.Series
    name: str
    separator: str = _SEPARATOR
    distinct: bool = True


def _unit_texts(run: FrameRun, columns: Sequence[_UnitText]) -> list[pl.Series]:
    """Per unit in rank order, for each of ``columns``, the texts of its shipments that
    are not empty, in the shipments' order (each once when ``distinct``), joined; empty
    for a unit without any: as :func:`_joined`, for shipment columns.

    A unit of one shipment takes that shipment's text as it is; only the units of several
    are grouped, all the columns in one grouping on the rank they are sorted by (no text
    hashed to group). What a unit does not show (an empty text; when ``distinct``, a text
    one of its shipments before showed) is made null first, column-wise, and each group
    then only gathers its texts into a list that is joined (a plain aggregation: a
    per-group ``filter``/``unique``/``str.join`` ran group by group, about twice the CPU).
    Each unit's text is then gathered once, from the column or from the groups' texts, in
    rank order (no sort or join of a million texts)."""
    _shipment_places(run)
    single: pl.DataFrame = _cache(run)["single"]
    several: pl.DataFrame = _cache(run)["several"]
    rows = several.get_column("row")
    # ``several`` lists the units' shipments unit by unit, in rank order.
    many = several.select(
        pl.col("rank").set_sorted(),
        *(_one_chunk(c.values).gather(rows).cast(pl.String).alias(c.name) for c in columns),
    )
    shown = []
    for c in columns:
        text = pl.col(c.name)
        kept = text.is_not_null() & (text != "")
        if c.distinct:
            kept = kept & pl.struct("rank", c.name).is_first_distinct()
        shown.append(pl.when(kept).then(text).alias(c.name))
    grouped = (
        many.with_columns(shown)
        .group_by("rank", maintain_order=True)
        .agg(pl.col(c.name) for c in columns)
        .select("rank", *(pl.col(c.name).list.join(c.separator) for c in columns))
    )
    height = run.shipment_scores.height
    where = (
        pl.repeat(None, run.container_table.height, dtype=pl.Int64, eager=True)
        .scatter(single.get_column("rank") - 1, single.get_column("row").cast(pl.Int64))
        .scatter(
            grouped.get_column("rank") - 1,
            pl.int_range(height, height + grouped.height, dtype=pl.Int64, eager=True),
        )
    )
    return [
        pl.concat([c.values.cast(pl.String), grouped.get_column(c.name)], rechunk=True)
        .gather(where)
        .fill_null("")
        .alias(c.name)
        for c in columns
    ]


def _profile_ids(run: FrameRun, hits: pl.DataFrame) -> pl.DataFrame:
    """Each unit's profiles that hit (``rank``, ``profile_id``), in rank order, each unit's
    in text order: found as one integer per unit and profile (no text hashed), from the
    hits' ``profile_number`` (:func:`_explained`)."""
    names = _profile_names(run)
    count = max(len(names), 1)
    code = pl.col("code")
    return (
        hits.select((pl.col("rank") * count + pl.col("profile_number")).alias("code"))
        .unique()
        .sort("code")
        .select(
            (code // count).alias("rank"),
            (code % count)
            .replace_strict(list(range(len(names))), names, return_dtype=pl.String)
            .alias("profile_id"),
        )
    )


def _profile_names(run: FrameRun) -> list[str]:
    """The ids of the run's profiles in text order (a hit's ``profile_number`` is the
    place of its profile here)."""
    return sorted({pid for pid, _iid in run.indicators})


def _call(job: Callable[[], list[pl.Series]]) -> list[pl.Series]:
    return job()


@_once("containers")
def _base_containers(run: FrameRun) -> pl.DataFrame:
    """Every column of the container table that does not depend on a selection, one row
    per container in rank order."""
    frame = _frame(run)
    table = run.container_table
    units = table.height
    places = _shipment_places(run)
    hs_codes = (
        _one_chunk(frame.get_column("hs_codes"))
        .gather(places.get_column("row"))
        .to_frame()
        .with_columns(places.get_column("rank"))
        .explode("hs_codes")
    )
    note_places = _place_of_rows(run).gather(run.notes.get_column("row"))
    notes = (
        run.notes.select(pl.col("notes").list.join(_SEPARATOR).alias("note"))
        .with_columns(note_places.alias("place"), places.get_column("rank").gather(note_places))
        .sort("place")
    )
    column = frame.get_column

    def shipment_texts() -> list[pl.Series]:
        return _unit_texts(
            run,
            [
                _UnitText(column("bl_number"), "bl_numbers", separator=";", distinct=False),
                _UnitText(column("consignee_name"), "consignees"),
                _UnitText(column("shipper_name"), "shippers"),
                _UnitText(frame.select(_route()).to_series(), "routes"),
                _UnitText(column("description"), "descriptions"),
            ],
        )

    def hit_texts() -> list[pl.Series]:
        # The columns made from the explained hits; the explanations are made here (on
        # this job's thread, beside the others) unless the hit table was built before.
        hits = _explained(run)
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
        return [
            _joined(_top_reasons(hits), "explanation", "top_reasons", units, distinct=False),
            _joined(forced, "forced", "forced_reasons", units, distinct=False),
            _joined(_profile_ids(run, hits), "profile_id", "profile_ids", units, separator=", "),
        ]

    # Each job on its own (pure steps on the tables made above), side by side; none
    # waits for the explanations but the one that reads them.
    made = each_at_once(
        _call,
        [
            hit_texts,
            shipment_texts,
            lambda: [
                _joined(notes, "note", "notes", units, distinct=False),
                _joined(hs_codes, "hs_codes", "hs_codes", units),
            ],
        ],
    )
    # In the table's column order (the row-wise table's, whatever the jobs' order).
    by_name = {part.name: part for parts in made for part in parts}
    parts = [by_name[name] for name in _TEXT_COLUMNS]
    points = table.get_column("points").unique().sort()
    unit = Decimal(1).scaleb(-run.scale)
    scores = pl.DataFrame(
        {
            "points": points,
            **_number_columns([Decimal(p) * unit for p in points.to_list()], "score"),
        },
        schema_overrides={"score_float": pl.Float64, "score_whole": pl.Boolean},
    )
    return (
        table.select("rank", "key", "container_number", "lane", "points", "forced_lane",
                     "hit_count")
        .join(scores, on="points", how="left", maintain_order="left")
        .with_columns(parts)
    )  # fmt: skip


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
    if run.__dict__.get(_FILES_ONLY):
        raise ValueError(
            "this FrameRun was cut for its files (for_files): its units' shipments are "
            "not kept; show them from the whole run"
        )
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    key_series = pl.Series(wanted, dtype=pl.String).implode()
    table = run.container_table.filter(pl.col("key").is_in(key_series))
    keys = run.shipment_scores.get_column("key")
    # The units' shipments in the row-wise order (units by key: only the order within a
    # unit matters here), and each one's place in that order.
    order = _in_unit_order(
        keys.to_frame("unit").with_row_index("row").filter(pl.col("unit").is_in(key_series)),
        _frame(run),
    ).with_row_index("order")
    rows = order.get_column("row").to_list()
    shipments = shipments_of_frame(_rows_of(_frame(run), rows))
    by_key: dict[str, list[Shipment]] = {}
    for key, shipment in zip(order.get_column("unit").to_list(), shipments, strict=True):
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
