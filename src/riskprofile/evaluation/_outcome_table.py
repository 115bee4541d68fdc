"""Outcomes read into columns: what :func:`~riskprofile.evaluation.suggest` matches to a
history of millions of units, with no :class:`~._outcomes.Outcome` object per record.

:func:`read_outcome_table` reads the same files as :func:`~._outcomes.read_outcomes`
and gives the same outcomes and the same rejected records (with their line, field, value
and reason), as a table. A Parquet file is read column-wise, a record batch at a time:
each column's cells are read by the row reader's own rules once per distinct cell (a
yes/no, a date, a selection reason), or column-wise for text (stripped as Python strips
it); the records that break a rule go through the row reader itself, which says why.
CSV and JSON files go through the row reader a slice of records at a time, each slice
kept as columns. A file the column-wise reading cannot type (a cell Python cannot hold)
is read by the row reader whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from riskprofile.errors import InputFormatError
from riskprofile.evaluation._compact import literal_constants
from riskprofile.evaluation._outcomes import (
    OUTCOME_COLUMNS,
    Outcome,
    _empty,
    _open,
    _parse_date,
    _record,
    _RowReader,
    parse_bool,
    parse_selected_by,
    require_outcome,
)
from riskprofile.io import BatchFormat, ColumnMapping, RejectedRecord
from riskprofile.model.codes import normalise_container_number

__all__ = ["OUTCOME_TABLE_SCHEMA", "OutcomeTable", "outcome_table", "read_outcome_table"]

OUTCOME_TABLE_SCHEMA = pl.Schema(
    {
        "unit": pl.String,
        "inspected": pl.Boolean,
        "finding": pl.Boolean,
        "selected_by": pl.String,
        "category": pl.String,
        "quantity": pl.String,
        "date": pl.Date,
        "source_line": pl.Int64,
        "container_number": pl.String,
        "bl_number": pl.String,
        "quantity_unit": pl.String,
        "seizure": pl.Boolean,
    }
)
"""The columns of an outcome table: the fields of :class:`~._outcomes.Outcome`."""

_SLICE = 65_536
"""Records read (and held as objects) at a time before they are kept as columns."""


@dataclass(frozen=True)
class OutcomeTable:
    """What reading an outcome file into columns gave (:func:`read_outcome_table`): the
    outcomes as a table (:data:`OUTCOME_TABLE_SCHEMA`, in file order) and every
    rejected record. ``len(table) + len(rejected) == records_read`` always.

    Attributes:
        source: the file read.
        table: the outcomes, one row each.
        rejected: the records that could not be used, each with its line (row,
            position), field, value and reason.
        records_read: records in the file.
        record_unit: what a record number counts: ``line``, ``row`` or ``record``.
        ignored_columns: columns the layout and the mapping do not use.
    """

    source: str
    table: pl.DataFrame
    rejected: tuple[RejectedRecord, ...]
    records_read: int
    record_unit: str = "line"
    ignored_columns: tuple[str, ...] = ()

    def __len__(self) -> int:
        return self.table.height

    @property
    def outcomes(self) -> Iterator[Outcome]:
        """The outcomes as objects, made one at a time (for the row-wise reference)."""
        for row in self.table.iter_rows(named=True):
            yield Outcome(**row)


def outcome_table(outcomes: Iterable[Outcome]) -> pl.DataFrame:
    """Outcome objects as a table (:data:`OUTCOME_TABLE_SCHEMA`).

    Raises:
        RecordError: an item is not an :class:`~._outcomes.Outcome` (its place given).
    """
    cells: dict[str, list[Any]] = {name: [] for name in OUTCOME_TABLE_SCHEMA}
    for number, given in enumerate(outcomes):
        outcome = require_outcome(given, number)
        for name, column in cells.items():
            column.append(getattr(outcome, name))
    return pl.DataFrame(cells, schema=OUTCOME_TABLE_SCHEMA)


def read_outcome_table(
    path: str | Path,
    mapping: ColumnMapping | str | Path | None = None,
    *,
    format: BatchFormat | None = None,
) -> OutcomeTable:
    """Read an outcome file into columns: the outcomes and rejected records
    :func:`~riskprofile.evaluation.read_outcomes` gives, the outcomes as a table.

    Args:
        path: the file (CSV, JSON, JSON Lines or Parquet).
        mapping: an outcome column mapping, or the path of its YAML file.
        format: ``csv``, ``json``, ``jsonl`` or ``parquet``; from the file name when
            omitted.

    Raises:
        InputFormatError: the file cannot be read at all, or it lacks a unit or an
            inspected column (and the mapping gives no default).
        MappingError: the mapping file is invalid.
    """
    opened = _open(path, mapping, format)
    reader = _RowReader(opened.mapping, opened.header, opened.source)
    parts: list[pl.DataFrame] = []
    if opened.format == "parquet":
        try:
            parts = _parquet(Path(path), reader)
        except _UntypedError:
            # A cell the column-wise reading cannot hold: the row reader reads it all.
            reader = _RowReader(opened.mapping, opened.header, opened.source)
            parts = []
            _rows(_open(path, mapping, format).records, reader, parts)
    else:
        _rows(opened.records, reader, parts)
    table = pl.concat(parts) if parts else pl.DataFrame(schema=OUTCOME_TABLE_SCHEMA)
    return OutcomeTable(
        source=opened.source,
        table=table,
        rejected=tuple(reader.rejected),
        records_read=reader.records_read,
        record_unit=opened.record_unit,
        ignored_columns=reader.ignored_columns,
    )


def _rows(
    records: Iterable[tuple[int, Any]], reader: _RowReader, parts: list[pl.DataFrame]
) -> None:
    """The row reader over ``records``, its outcomes kept as columns a slice at a time."""
    for number, record in records:
        _record(reader, number, record)
        if len(reader.outcomes) >= _SLICE:
            parts.append(literal_constants(outcome_table(reader.outcomes)))
            reader.outcomes.clear()
    if reader.outcomes:
        parts.append(literal_constants(outcome_table(reader.outcomes)))
        reader.outcomes.clear()


class _UntypedError(Exception):
    """A Parquet column the column-wise reading cannot turn into Python values."""


def _parquet(path: Path, reader: _RowReader) -> list[pl.DataFrame]:
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types for corrupt files
        raise InputFormatError(f"not a readable Parquet file: {exc}", path=str(path)) from None
    parts: list[pl.DataFrame] = []
    line = 1
    for record_batch in handle.iter_batches(batch_size=_SLICE):
        try:
            frame = pl.from_arrow(record_batch)
            assert isinstance(frame, pl.DataFrame)
            part, routed = _columns(frame, reader, line)
        except (OverflowError, ValueError, TypeError, pl.exceptions.PolarsError) as exc:
            raise _UntypedError from exc
        accepted = part.height
        if routed:
            rows = record_batch.take([n - line for n in routed]).to_pylist()
            before = len(reader.outcomes)
            for number, row in zip(routed, rows, strict=True):
                reader.add(number, row)
            if len(reader.outcomes) > before:  # not expected: the rules said it breaks one
                extra = outcome_table(reader.outcomes[before:])
                part = pl.concat([part, extra]).sort("source_line")
                del reader.outcomes[before:]
        reader.records_read += accepted
        parts.append(literal_constants(part))
        line += record_batch.num_rows
    return parts


_BLANKS = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
"""What ``str.strip()`` strips among ASCII characters."""


def _stripped(values: pl.Series) -> pl.Series:
    """``value.strip()`` of each text value, None for an empty one: column-wise for ASCII
    text, by Python itself for the rest (whose blanks Python and Polars read apart)."""
    ascii_ = values.str.contains(r"^[\x00-\x7f]*$").fill_null(True)
    out = values.str.strip_chars(_BLANKS)
    if not ascii_.all():
        other = values.filter(~ascii_).unique().to_list()
        mapping = {v: v.strip() for v in other}
        out = pl.select(
            pl.when(ascii_).then(out).otherwise(values.replace_strict(mapping, default=None))
        ).to_series()
    return out.replace("", None)


def _by_distinct(values: pl.Series, rule: Callable[[Any], Any], dtype: Any) -> pl.Series:
    """``rule`` of each value, computed once per distinct value (None stays None)."""
    distinct = values.drop_nulls().unique()
    results = pl.Series([rule(v) for v in distinct.to_list()], dtype=dtype)
    keyed = pl.DataFrame({"k": distinct, "v": results})
    return (
        values.to_frame("k").join(keyed, on="k", how="left", maintain_order="left").get_column("v")
    )


def _column(
    frame: pl.DataFrame, reader: _RowReader, name: str, kind: str
) -> tuple[pl.Series, pl.Series]:
    """A column of the outcome layout read as the row reader reads each of its cells
    (``_cell``, then the kind's rule), and which cells break the rule: the file's column
    (or none), an empty cell given the mapping's default, text stripped."""
    theirs = reader.sources.get(name)
    default = reader.mapping.defaults.get(name)
    fill = None if _empty(default) else str(default).strip()
    nothing = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    values = nothing if theirs is None else frame.get_column(theirs)
    if values.dtype == pl.Categorical or isinstance(values.dtype, pl.Enum):
        values = values.cast(pl.String)
    if values.dtype == pl.Null:
        values = nothing
    if values.dtype == pl.String:
        values = _stripped(values)
    rule = _RULES[kind] if kind != "date" else _date_rule(reader.mapping.date_format)
    if kind == "text" and values.dtype == pl.String:
        parsed = values
    else:
        parsed = _by_distinct(values, rule, _TYPES[kind])
    if fill is None:
        return parsed, values.is_not_null() & parsed.is_null()
    filled = pl.Series([rule(fill)], dtype=_TYPES[kind])
    parsed = pl.select(pl.when(values.is_null()).then(pl.lit(filled)).otherwise(parsed)).to_series()
    return parsed, parsed.is_null()


def _date_rule(fmt: str | None) -> Callable[[Any], Any]:
    return lambda value: _parse_date(value, fmt)


_RULES: dict[str, Callable[[Any], Any]] = {
    "text": lambda value: str(value).strip(),
    "bool": parse_bool,
    "selected_by": parse_selected_by,
}
_TYPES: dict[str, Any] = {
    "text": pl.String,
    "bool": pl.Boolean,
    "selected_by": pl.String,
    "date": pl.Date,
}


def _columns(frame: pl.DataFrame, reader: _RowReader, first: int) -> tuple[pl.DataFrame, list[int]]:
    """One record batch read column-wise: the outcomes of the records that break no rule
    (:data:`OUTCOME_TABLE_SCHEMA`), and the line numbers of the others (for the row
    reader, which says why)."""
    height = frame.height
    broken = pl.repeat(False, height, eager=True)
    parsed: dict[str, pl.Series] = {}
    for column in OUTCOME_COLUMNS:
        parsed[column.name], wrong = _column(frame, reader, column.name, column.kind)
        broken = broken | wrong
    number = parsed["container_number"]
    if number.null_count() < height:
        parsed["container_number"] = _by_distinct(
            number, lambda v: normalise_container_number(v) or v, pl.String
        )
    table = pl.DataFrame(parsed).with_columns(
        pl.coalesce("unit", "container_number", "bl_number").alias("unit"),
        pl.int_range(first, first + height, dtype=pl.Int64).alias("source_line"),
    )
    inspected, finding = pl.col("inspected"), pl.col("finding")
    rules = (
        pl.col("unit").is_null()
        | inspected.is_null()
        | (inspected & finding.is_null())
        | (~inspected & finding.fill_null(False))
        | (pl.col("seizure").fill_null(False) & ~finding.fill_null(False))
    )
    table = table.with_columns(broken.alias("_broken")).with_columns(
        (pl.col("_broken") | rules.fill_null(True)).alias("_broken")
    )
    routed = table.filter(pl.col("_broken")).get_column("source_line").to_list()
    kept = table.filter(~pl.col("_broken")).select(
        "unit",
        inspected,
        (inspected & finding).alias("finding"),
        *(c for c in OUTCOME_TABLE_SCHEMA if c not in ("unit", "inspected", "finding")),
    )
    return kept.cast(OUTCOME_TABLE_SCHEMA).select(*OUTCOME_TABLE_SCHEMA), routed
