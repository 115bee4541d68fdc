"""The units of a shipment frame and the outcomes matched to them, column-wise and in
bounded memory: what :class:`~._suggest_frame.FrameHistory` starts from.

Each row gets its unit's id (the rank of its unit key among the history's, so the ids
are in key order, as :class:`~._features.ObjectHistory` numbers its units); no key is
held as text afterwards (some 40 bytes a unit). The outcomes are placed as
:func:`~._matching.match_outcomes` places them: by unit key (joined on a 64-bit hash
of the key, each pair the hash joins then compared as text, so a collision never
matches), else by container number, else by B/L number, else by their unit read as
either. The container and B/L indexes are built a hash partition of their places at a
time (:data:`PART_ROWS` rows each), each partition's outcomes placed against it: the
working memory is a partition's, however long the history.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from riskprofile.engines.columnar import unit_key_expression
from riskprofile.evaluation._matching import fold as fold_text
from riskprofile.evaluation._unit_table import UnitTable
from riskprofile.model.codes import normalise_container_number

__all__ = ["PART_ROWS", "FrameUnits", "frame_units"]

PART_ROWS = 1_000_000
"""History rows (and outcomes) placed at a time: the container and B/L indexes are
built in as many hash partitions of their places as it takes to hold about this many
rows each."""

_SEED = 0x5EED17
"""The seed of the hashes keys and places are partitioned and joined by (the same for
both sides in one process: only equality of hashes is read)."""


@dataclass(frozen=True, slots=True)
class FrameUnits:
    """The units of a frame (:class:`~._unit_table.UnitTable`, ids in key order), each
    row's unit id (``rows``, aligned with the frame), and the outcomes that match no
    unit (or several vessel calls): how many, and the first one's unit as given."""

    units: UnitTable
    rows: pl.Series
    unmatched: int
    first_unmatched: str | None


def _text(values: pl.Series) -> pl.Series:
    """A column as text (one held as categories, :func:`~._compact.compact_history`, is
    read as its text)."""
    return values if values.dtype == pl.String else values.cast(pl.String)


_KEY_COLUMNS = ("manifest_ref", "container_number", "bl_number", "shipment_id")
"""The columns a unit key is made of."""


def _keys(frame: pl.DataFrame) -> pl.LazyFrame:
    """``frame``'s key columns, as text, to read unit keys from (a query at a time: the
    manifest held as categories is not held as text)."""
    return frame.lazy().select(pl.col(name).cast(pl.String) for name in _KEY_COLUMNS)


def frame_units(frame: pl.DataFrame, outcomes: pl.DataFrame) -> FrameUnits:
    """The units of ``frame`` (the shipment frame's key columns, ``arrival`` and
    ``bl_issue_date``) and ``outcomes`` (:data:`~._outcome_table.OUTCOME_TABLE_SCHEMA`)
    matched to them (see the module's documentation)."""
    keys = frame.select(_KEY_COLUMNS)
    key = unit_key_expression()
    # A key is never null in a frame read or made by riskprofile (its manifest_ref and
    # shipment_id are); were it, "" sorts first as null did, and names no outcome.
    ranked = (
        _keys(keys)
        .select(
            (key.fill_null("").rank("dense") - 1).cast(pl.UInt32).alias("_unit"),
            key.hash(_SEED).alias("_h"),
            pl.col("manifest_ref").fill_null("").rank("dense").cast(pl.UInt32).alias("_call"),
        )
        .with_row_index("_row")
        .collect()
    )
    days = frame.select(
        pl.coalesce(pl.col("arrival").dt.date(), pl.col("bl_issue_date").dt.date()).alias("_day")
    )
    rows, calls = ranked.get_column("_unit"), ranked.get_column("_call")
    units = (
        ranked.hstack(days)
        .group_by("_unit")
        .agg(pl.col("_day").min(), pl.col("_h").first(), pl.col("_row").first())
        .sort("_unit")
    )
    del ranked, days
    placed, unmatched, first = _match(keys, rows, calls, units, outcomes)
    del calls
    table = units.join(placed, on="_unit", how="left", maintain_order="left").select(
        "_unit",
        pl.coalesce("_day", "_date").alias("_day"),
        pl.col("_inspected").fill_null(False).alias("_labelled"),
        pl.col("_finding").fill_null(False),
    )
    return FrameUnits(UnitTable(table), rows, unmatched, first)


# --- places, column-wise --------------------------------------------------------------

_ASCII_BLANKS = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"
"""What ``str.split()`` splits on among ASCII characters."""


def _folded(values: pl.Series) -> pl.Series:
    """:func:`~._matching.fold` of each value: column-wise for ASCII text, by the function
    itself for the rest (whose blanks and upper case Python and Polars may read apart)."""
    ascii_ = values.str.contains(r"^[\x00-\x7f]*$")
    out = values.str.replace_all(_ASCII_BLANKS, "").str.to_uppercase()
    if ascii_.all():
        return out
    other = values.filter(~ascii_).unique()
    mapping = dict(zip(other.to_list(), [fold_text(v) for v in other.to_list()], strict=True))
    return pl.select(
        pl.when(ascii_).then(out).otherwise(values.replace_strict(mapping, default=None))
    ).to_series()


_CODE_BLANKS = r"[\t\n\x0b\x0c\r\x1c-\x1f \-./]+"
"""What :func:`~riskprofile.model.codes.normalise_code` drops among ASCII characters."""


def _containers(values: pl.Series, *, fold: bool) -> pl.Series:
    """``normalise_container_number(v) or v`` of each value, as the index reads a unit's
    container; with ``fold``, ``... or fold_text(v)``, as an outcome's is looked up:
    column-wise for ASCII text, by the functions themselves for the rest."""
    ascii_ = values.str.contains(r"^[\x00-\x7f]*$").fill_null(True)
    code = values.str.replace_all(_CODE_BLANKS, "").str.to_uppercase()
    otherwise = _folded(values) if fold else values
    out = pl.select(pl.when(code == "").then(otherwise).otherwise(code)).to_series()
    if ascii_.all():
        return out
    other = values.filter(~ascii_).unique().to_list()
    mapping = {v: normalise_container_number(v) or (fold_text(v) if fold else v) for v in other}
    return pl.select(
        pl.when(ascii_)
        .then(out)
        .otherwise(values.replace_strict(mapping, default=None, return_dtype=pl.String))
    ).to_series()


def _place(kind: str, values: pl.Series, *, outcome: bool) -> pl.Series:
    """The place a value names in the container (``c``) or B/L (``b``) index: as the
    index reads a unit's, or (``outcome``) as an outcome's is looked up."""
    if kind == "c":
        return _containers(values, fold=outcome)
    return _folded(values)


def _bucket(places: pl.Series, parts: int) -> pl.Series:
    """Each place's hash partition (0 for no place, which names nothing)."""
    return (places.hash(_SEED) % parts).cast(pl.UInt16).fill_null(0)


# --- the outcomes placed --------------------------------------------------------------


class _Index:
    """The history's places of one kind (container ``c`` or B/L ``b``), a hash partition
    at a time: each row's place (``place``), vessel call (``_call``) and unit."""

    def __init__(
        self, kind: str, keys: pl.DataFrame, rows: pl.Series, calls: pl.Series, parts: int
    ) -> None:
        self.kind = kind
        given = _text(keys.get_column("container_number" if kind == "c" else "bl_number"))
        self.empty = given.null_count() == len(given)
        self._named = pl.DataFrame({"value": given, "_call": calls, "_unit": rows})
        self._buckets = None if self.empty else _buckets(kind, given, parts, outcome=False)
        self._parts: dict[int, pl.DataFrame] = {}

    def part(self, number: int) -> pl.DataFrame:
        """The places of partition ``number`` (``place``, ``_call``, ``_unit``)."""
        if number in self._parts:
            return self._parts[number]
        named = self._named
        if self._buckets is not None:
            named = named.filter(self._buckets == number)
        named = named.filter(pl.col("value").is_not_null())
        place = _place(self.kind, named.get_column("value"), outcome=False)
        part = named.select(place.alias("place"), "_call", "_unit")
        if self._buckets is None:  # one partition: kept for the next step that reads it
            self._parts[number] = part
        return part


def _placed(index: pl.DataFrame, found: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The outcomes of ``found`` (with their ``place``) looked up in ``index`` (a
    partition's places): each with how many units (``c``) or vessel calls (``b``) its
    place names (``n``: 0 for none), and for each that names one, its units (``_unit``,
    a row each). The places are numbered (their rank among both sides') so that the
    counts and joins are of integers, not text."""
    size = index.height
    ids = pl.concat([index.get_column("place"), found.get_column("place")]).rank("dense")
    index = index.select(ids.head(size).alias("_p"), "_call", "_unit")
    found = found.drop("place").with_columns(ids.slice(size).alias("_p"))
    group = "_unit" if kind == "c" else "_call"
    counts = index.group_by("_p").agg(pl.col(group).n_unique().cast(pl.UInt32).alias("n"))
    found = found.join(counts, on="_p", how="left").with_columns(pl.col("n").fill_null(0))
    one = found.filter(pl.col("n") == 1).join(index.select("_p", "_unit").unique(), on="_p")
    return pl.concat(
        [one, found.filter(pl.col("n") != 1).with_columns(_unit=pl.lit(None, pl.UInt32))]
    ).drop("_p")


def _buckets(kind: str, values: pl.Series, parts: int, *, outcome: bool) -> pl.Series | None:
    """Each value's hash partition of its place, read a slice at a time (the places are
    made again a partition at a time: only two bytes a value held), or None for one
    partition."""
    if parts == 1:
        return None
    return pl.concat(
        [
            _bucket(_place(kind, values.slice(start, PART_ROWS), outcome=outcome), parts)
            for start in range(0, len(values), PART_ROWS)
        ]
    )


def _parts(rows: int) -> int:
    return max(1, min(1 << 15, math.ceil(rows / PART_ROWS)))


def _direct(
    keys: pl.DataFrame, units: pl.DataFrame, table: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The outcomes whose unit is a unit key (``_o``, ``_unit``), and the others: joined
    on the keys' hashes, each pair compared as text (a slice of pairs at a time)."""
    pairs = (
        table.select("_o", pl.col("unit").hash(_SEED).alias("_h"))
        .join(units.select("_h", "_unit", "_row"), on="_h")
        .drop("_h")
    )
    found = []
    for part in pairs.iter_slices(PART_ROWS):
        named = _keys(keys[part.get_column("_row")]).select(unit_key_expression()).collect()
        given = table.get_column("unit").gather(part.get_column("_o"))
        found.append(part.filter((named.to_series() == given).fill_null(False)))
    direct = pl.concat(found).select("_o", "_unit") if found else pairs.select("_o", "_unit")
    return direct, table.join(direct, on="_o", how="anti")


def _match(
    keys: pl.DataFrame,
    rows: pl.Series,
    calls: pl.Series,
    units: pl.DataFrame,
    outcomes: pl.DataFrame,
) -> tuple[pl.DataFrame, int, str | None]:
    """:func:`~._matching.match_outcomes` column-wise, as the method reads it: per matched
    unit, inspected, finding and the earliest inspection date (``_unit``,
    ``_inspected``, ``_finding``, ``_date``); how many outcomes match no unit (or
    several vessel calls), and the first of them's unit as given."""
    table = outcomes.select(
        pl.col("unit").cast(pl.String),
        pl.col("container_number").cast(pl.String).alias("c"),
        pl.col("bl_number").cast(pl.String).alias("b"),
        pl.col("inspected").alias("i"),
        pl.col("finding").alias("f"),
        pl.col("date").alias("d"),
    ).with_row_index("_o")
    direct, rest = _direct(keys, units, table)
    placed = [
        direct.join(table.select("_o", "i", "f", "d"), on="_o").select("_unit", "i", "f", "d")
    ]
    unplaced: list[pl.DataFrame] = []
    parts = _parts(max(len(rows), rest.height))
    indexes: dict[str, _Index] = {}

    def index(kind: str) -> _Index:
        if kind not in indexes:
            indexes[kind] = _Index(kind, keys, rows, calls, parts)
        return indexes[kind]

    # Each outcome's four places in order: its container, its B/L, its unit read as a
    # container and as a B/L; the first that names a unit, or several, decides. Each
    # step reads only the outcomes no earlier step decided, a partition at a time.
    for column, kind in (("c", "c"), ("b", "b"), ("unit", "c"), ("unit", "b")):
        values = rest.get_column(column)
        if rest.is_empty() or values.null_count() == len(values) or index(kind).empty:
            continue  # nothing to place, or nowhere (a history without containers)
        buckets = _buckets(kind, values, parts, outcome=True)
        left = []
        for number in range(parts):
            found = rest if buckets is None else rest.filter(buckets == number)
            place = _place(kind, found.get_column(column), outcome=True)
            found = _placed(index(kind).part(number), found.with_columns(place=place), kind)
            placed.append(found.filter(pl.col("n") == 1).select("_unit", "i", "f", "d"))
            unplaced.append(found.filter(pl.col("n") > 1).select("_o"))
            left.append(found.filter(pl.col("n") == 0).drop("n", "_unit"))
        rest = pl.concat(left)
    matched = (
        pl.concat(placed)
        .group_by("_unit")
        .agg(
            pl.col("i").any().alias("_inspected"),
            pl.col("f").any().alias("_finding"),
            pl.col("d").min().alias("_date"),
        )
    )
    left_out = pl.concat([*unplaced, rest.select("_o")]).get_column("_o")
    if left_out.is_empty():
        return matched, 0, None
    first = table.get_column("unit")[int(left_out.min())]  # type: ignore[arg-type]
    return matched, left_out.len(), first
