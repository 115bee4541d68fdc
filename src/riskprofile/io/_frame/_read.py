"""``read_frame``: a flat CSV or Parquet batch into the shipment frame."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from riskprofile.io._frame._json import NotFlatError, flat_rows
from riskprofile.io._frame._load import _load_csv, _load_parquet, _Source, _UnreadableError
from riskprofile.io._frame._reader import Progress, _Reader
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._frame._values import _LIST_COLUMNS
from riskprofile.io._layout import COLUMNS, ColumnMapping
from riskprofile.io._read import BatchFormat, detect_format, read_batch
from riskprofile.io._table import TableReader
from riskprofile.io._tabular import require_batch_file, table_mapping
from riskprofile.model._base import Strictness, validation_context
from riskprofile.model.frame import shipment_frame

__all__ = ["read_frame"]


def read_frame(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    strictness: Strictness = "lenient",
    format: BatchFormat | None = None,
    progress: Progress | None = None,
) -> FrameBatch:
    """Read a batch straight into the shipment frame.

    Arguments as for :func:`~riskprofile.read_batch`; the frame equals
    ``shipment_frame(read_batch(path, ...).shipments)`` and ``rejected`` equals its
    rejected records. A flat CSV or Parquet file is read column-wise; so is a JSON or
    JSON Lines file of plain manifest documents, flattened into the flat layout's rows
    (:mod:`riskprofile.io._frame._json` says what plain is). Other JSON, JSON in strict
    mode, and column mappings with ``date_format`` or ``datetime_format`` or a default
    for a list column, are read through the model path (``fallback`` says so).

    ``progress``, when given, is called with (records done, records in the file): with
    ``(0, total)`` once the file is loaded, then as each slice of about
    ``SLICE_RECORDS`` records is read, last with ``(total, total)``; a file read through
    the model path reports once, when it is read. Calls come from the calling thread;
    the count never goes down.

    Raises:
        InputFormatError: the file cannot be read at all (as ``read_batch``).
        MappingError: the mapping file is invalid.

    >>> batch = read_frame("examples/data/karachi-sample.csv")
    >>> batch.frame.height, batch.records_read, batch.rows_via_models
    (361, 629, 0)
    """
    path = Path(path)
    source = str(path)
    require_batch_file(path, source)
    fmt = format or detect_format(path)
    validation_context(strictness)
    if fmt == "edifact":
        return _via_models(path, mapping, strictness, fmt, "EDIFACT input", progress)
    if fmt in ("json", "jsonl"):
        if mapping is not None:  # refused by the model path, as by read_batch
            return _via_models(path, mapping, strictness, fmt, "JSON input", progress)
        if strictness == "strict":
            # Strict JSON refuses a whole manifest where a flat file refuses a row.
            return _via_models(path, None, strictness, fmt, "strict JSON input", progress)
        return _read_json(path, fmt, strictness, progress)
    resolved = ColumnMapping.of(mapping)
    if resolved.date_format or resolved.datetime_format:
        reason = "date formats in the column mapping"
        return _via_models(path, resolved, strictness, fmt, reason, progress)
    if any(name in _LIST_COLUMNS for name in resolved.defaults):
        # The default applies when a list has no items, which only splitting tells.
        reason = "a default for a list column"
        return _via_models(path, resolved, strictness, fmt, reason, progress)
    if fmt == "csv":
        resolved = table_mapping(path, resolved)
    loaded = _load_csv(path, resolved) if fmt == "csv" else _load_parquet(path)
    if isinstance(loaded, str):
        return _via_models(path, resolved, strictness, fmt, loaded, progress)
    # The reference reader's header checks (and errors), and which file columns feed ours.
    table = TableReader(resolved, strictness, loaded.header, source)
    try:
        return _Reader(path, fmt, resolved, strictness, table, loaded).read(progress)
    except _UnreadableError as exc:
        return _via_models(path, resolved, strictness, fmt, str(exc), progress)


def _via_models(
    path: Path,
    mapping: ColumnMapping | str | Path | None,
    strictness: Strictness,
    fmt: BatchFormat,
    reason: str,
    progress: Progress | None,
) -> FrameBatch:
    batch = read_batch(path, mapping=mapping, strictness=strictness, format=fmt)
    if progress is not None:
        progress(batch.records_read, batch.records_read)
    return FrameBatch(
        source=batch.source,
        format=fmt,
        strictness=strictness,
        frame=shipment_frame(batch.shipments),
        rejected=tuple(batch.rejected),
        records_read=batch.records_read,
        manifests=batch.manifests,
        ignored_columns=tuple(batch.ignored_columns),
        record_unit=batch.record_unit,
        rows_via_models=batch.records_read,
        fallback=reason,
    )


# --- loading -------------------------------------------------------------------------------


def _read_json(
    path: Path, fmt: BatchFormat, strictness: Strictness, progress: Progress | None
) -> FrameBatch:
    """A JSON or JSON Lines batch read column-wise as the flat rows of its manifests
    (:mod:`riskprofile.io._frame._json`), or through the model path when any document
    is not plain or any row would not be read column-wise alone."""
    try:
        rows, documents = flat_rows(path, fmt)
    except NotFlatError as exc:
        return _via_models(path, None, strictness, fmt, f"JSON input: {exc}", progress)
    if not rows:
        return _via_models(path, None, strictness, fmt, "JSON input: no manifest", progress)
    names = [c.name for c in COLUMNS]
    cells = pl.DataFrame(
        {name: [row.get(name) for row in rows] for name in names},
        schema=dict.fromkeys(names, pl.String),
    )
    del rows
    cells = cells.with_columns(pl.int_range(1, cells.height + 1, dtype=pl.Int64).alias("__line__"))

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        wanted = [*names, "__line__"] if columns is None else [*columns, "__line__"]
        return cells.select(wanted).slice(start, stop - start).rechunk()

    source = _Source(names, cells.height, load)
    mapping = ColumnMapping.identity()
    table = TableReader(mapping, strictness, names, str(path))

    def rows_to_records(done: int, total: int) -> None:
        if progress is not None:
            progress(done * documents // max(total, 1), documents)

    read = _Reader(path, fmt, mapping, strictness, table, source).read(rows_to_records)
    if read.rejected or read.rows_via_models:
        reason = "JSON input: rows the column-wise path does not read alone"
        return _via_models(path, None, strictness, fmt, reason, progress)
    return FrameBatch(
        source=str(path),
        format=fmt,
        strictness=strictness,
        frame=read.frame,
        rejected=(),
        records_read=documents,
        manifests=read.manifests,
        ignored_columns=(),
        record_unit="line" if fmt == "jsonl" else "manifest",
        rows_via_models=0,
    )
