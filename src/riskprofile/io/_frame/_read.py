"""``read_frame``: a flat CSV or Parquet batch into the shipment frame."""

from __future__ import annotations

from pathlib import Path

from riskprofile.io._frame._load import _load_csv, _load_parquet, _UnreadableError
from riskprofile.io._frame._reader import Progress, _Reader
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._frame._values import _LIST_COLUMNS
from riskprofile.io._layout import ColumnMapping
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
    """Read a flat CSV or Parquet batch straight into the shipment frame.

    Arguments as for :func:`~riskprofile.read_batch`; the frame equals
    ``shipment_frame(read_batch(path, ...).shipments)`` and ``rejected`` equals its
    rejected records. JSON input, and column mappings with ``date_format`` or
    ``datetime_format`` or a default for a list column, are read through the model path
    (``fallback`` says so).

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
    if fmt in ("json", "jsonl", "edifact"):
        reason = "EDIFACT input" if fmt == "edifact" else "JSON input"
        return _via_models(path, mapping, strictness, fmt, reason, progress)
    if mapping is None:
        resolved = ColumnMapping.identity()
    elif isinstance(mapping, ColumnMapping):
        resolved = mapping
    else:
        resolved = ColumnMapping.from_file(mapping)
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
