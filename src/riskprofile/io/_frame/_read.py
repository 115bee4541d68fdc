"""``read_frame``: a flat CSV or Parquet batch into the shipment frame."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from pathlib import Path

import polars as pl

from riskprofile._fork import require_fork_safe
from riskprofile.io._frame._json_read import read_json_frame
from riskprofile.io._frame._load import _UnreadableError
from riskprofile.io._frame._reader import Progress, _Reader, load_flat, whole_file_reason
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._layout import ColumnMapping
from riskprofile.io._read import BatchFormat, detect_format, read_batch
from riskprofile.io._tabular import require_batch_file, table_mapping
from riskprofile.model import Strictness, validation_context
from riskprofile.model.frame import frame_schema, shipment_frame
from riskprofile.model.shared import EXTRA_PREFIX

__all__ = ["read_frame"]


def read_frame(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    strictness: Strictness = "lenient",
    format: BatchFormat | None = None,
    progress: Progress | None = None,
    columns: Collection[str] | None = None,
    compact: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> FrameBatch:
    """Read a batch straight into the shipment frame.

    Arguments as for :func:`~riskprofile.read_batch`; the frame equals
    ``shipment_frame(read_batch(path, ...).shipments)`` and ``rejected`` equals its
    rejected records. A flat CSV or Parquet file is read column-wise; so is a JSON or
    JSON Lines file, its plain bills of lading and containers flattened into the flat
    layout's rows (:mod:`riskprofile.io._frame._json` says what plain is); the others
    are read through the model path with the voyage of their document, and a document
    whose voyage is not plain whole (``rows_via_models`` counts the documents read in
    part or whole that way). JSON in strict mode, a JSON file without a plain document, and column
    mappings with ``date_format`` or ``datetime_format`` or a default for a list column,
    are read through the model path whole (``fallback`` says so). Custom fields
    (``extra``) are read column-wise.

    ``progress``, when given, is called with (records done, records in the file): with
    ``(0, total)`` once the file is loaded, then as each step of a slice of about
    ``SLICE_RECORDS`` records is done (loading it, its rows, goods lines, bills of
    lading, containers...: a share of the slice's records each) and as each slice is
    read, last with ``(total, total)``; a file read through the model path reports
    once, when it is read. Calls come from the calling thread; the count never goes
    down and never repeats.

    ``columns``, when given, keeps only those columns of the shipment frame (in the
    frame's order) and every custom field (``x_...``): each slice of a flat file drops
    the others as soon as it is read, so a large file held for a few columns takes the
    memory of those columns. The rows, rejected records and counts are those of the
    whole read; a projected frame cannot be made back into shipments (``to_batch``).

    ``compact``, when given, is applied to each slice of a flat file as soon as it is
    read (and projected), before the slices add up, and to the whole frame of any other
    read: a function that holds the same values in less memory (categoricals for text of
    repeated values, say) keeps the read's peak near the frame it returns. It must give
    every slice the same schema (the slices are concatenated) and change nothing given
    a frame it made (it is applied to the whole frame as well).

    Raises:
        InputFormatError: the file cannot be read at all (as ``read_batch``).
        MappingError: the mapping file is invalid.
        ValueError: ``columns`` names a column the shipment frame does not have.

    >>> batch = read_frame("examples/data/karachi-sample.csv")
    >>> batch.frame.height, batch.records_read, batch.rows_via_models
    (361, 629, 0)
    """
    require_fork_safe("read_frame")  # Polars reads the file: never in a bad fork
    keep = _projection(columns)
    read = _read_frame(Path(path), mapping, strictness, format, progress, keep, compact)
    frame = read.frame
    if keep is not None:
        # The frame's columns not asked for (a column the slices' compaction added is
        # none of them).
        known = frame_schema()
        kept = [c for c in frame.columns if keep(c) or c not in known]
        if kept != frame.columns:
            frame = frame.select(kept)
    if compact is not None:  # the whole frame of a read not in slices (no-op otherwise)
        frame = compact(frame)
    return read if frame is read.frame else dataclasses.replace(read, frame=frame)


def _projection(columns: Collection[str] | None) -> Callable[[str], bool] | None:
    """Which frame columns a ``columns`` projection keeps (None: every one)."""
    if columns is None:
        return None
    known = frame_schema()
    unknown = sorted(c for c in columns if c not in known and not c.startswith(EXTRA_PREFIX))
    if unknown:
        raise ValueError(f"the shipment frame has no column {', '.join(map(repr, unknown))}")
    wanted = frozenset(columns)
    return lambda name: name in wanted or name.startswith(EXTRA_PREFIX)


def _read_frame(
    path: Path,
    mapping: ColumnMapping | str | Path | None,
    strictness: Strictness,
    format: BatchFormat | None,
    progress: Progress | None,
    keep: Callable[[str], bool] | None,
    compact: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> FrameBatch:
    """:func:`read_frame` once the projection is checked."""
    source = str(path)
    require_batch_file(path, source)
    fmt = format or detect_format(path)
    validation_context(strictness)
    if fmt == "edifact":
        # Column-wise where the model path would read the same (docs/edifact.md); lazy:
        # the EDIFACT package imports this layer's reader.
        from riskprofile.io.edifact.shared import read_edifact_frame

        read = read_edifact_frame(path, mapping, strictness, progress)
        if isinstance(read, str):
            return _via_models(path, mapping, strictness, fmt, read, progress)
        return read
    if fmt in ("json", "jsonl"):
        if mapping is not None:  # refused by the model path, as by read_batch
            return _via_models(path, mapping, strictness, fmt, "JSON input", progress)
        if strictness == "strict":
            # Strict JSON refuses a whole manifest where a flat file refuses a row.
            return _via_models(path, None, strictness, fmt, "strict JSON input", progress)
        read = read_json_frame(path, fmt, strictness, progress)
        if isinstance(read, str):
            return _via_models(path, None, strictness, fmt, read, progress)
        return read
    resolved = ColumnMapping.of(mapping)
    reason = whole_file_reason(resolved)
    if reason is not None:
        return _via_models(path, resolved, strictness, fmt, reason, progress)
    if fmt == "csv":
        resolved = table_mapping(path, resolved)
    loaded = load_flat(path, fmt, resolved, strictness)
    if isinstance(loaded, str):
        return _via_models(path, resolved, strictness, fmt, loaded, progress)
    table, records = loaded
    try:
        reader = _Reader(path, fmt, resolved, strictness, table, records, keep)
        reader.compact = compact
        return reader.read(progress)
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
