"""``read_frame``: a flat CSV or Parquet batch into the shipment frame."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from riskprofile._fork import require_fork_safe
from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame._json import FlatDocuments, flat_documents
from riskprofile.io._frame._load import _load_csv, _load_parquet, _Source, _UnreadableError
from riskprofile.io._frame._reader import Progress, _Reader, every_record_needs
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._frame._values import _LIST_COLUMNS
from riskprofile.io._layout import COLUMNS, ColumnMapping
from riskprofile.io._read import (
    BatchFormat,
    detect_format,
    json_documents,
    json_manifest,
    read_batch,
)
from riskprofile.io._table import TableReader
from riskprofile.io._tabular import require_batch_file, table_mapping
from riskprofile.model._base import Strictness, validation_context
from riskprofile.model._extra import EXTRA_PREFIX, ExtraColumn, is_extra_field
from riskprofile.model.frame import frame_schema, shipment_frame
from riskprofile.model.shipment import Shipment, flatten

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
    (:mod:`riskprofile.io._frame._json` says what plain is); each other document of
    such a file is read through the model path alone (``rows_via_models`` counts
    them). JSON in strict mode, a JSON file without a plain document, and column
    mappings with ``date_format`` or ``datetime_format`` or a default for a list column,
    are read through the model path whole (``fallback`` says so). Custom fields
    (``extra``) are read column-wise.

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
    require_fork_safe("read_frame")  # Polars reads the file: never in a bad fork
    path = Path(path)
    source = str(path)
    require_batch_file(path, source)
    fmt = format or detect_format(path)
    validation_context(strictness)
    if fmt == "edifact":
        # Column-wise where the model path would read the same (docs/edifact.md); lazy:
        # the EDIFACT package imports this layer's reader.
        from riskprofile.io.edifact._columns import read_edifact_frame

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
    if fmt == "csv":
        # The columns cutting the file into slices reads are parsed with the file.
        every = every_record_needs(lambda header: TableReader(resolved, strictness, header, source))
        loaded = _load_csv(path, resolved, every)
    else:
        loaded = _load_parquet(path)
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
    """A JSON or JSON Lines batch: its plain documents read column-wise as their flat
    rows (:mod:`riskprofile.io._frame._json`), the others through the model path one
    document at a time, put back in file order; the whole file through the model path
    when no document is plain or the column-wise read rejected or routed any row."""
    split = flat_documents(path, fmt)
    if not split.plain:
        reason = next(iter(split.others.values()), "no manifest")
        return _via_models(path, None, strictness, fmt, f"JSON input: {reason}", progress)
    # Custom fields (a bill's ``extra``) as x_<name> cells, typed by the JSON values.
    custom = tuple(ExtraColumn(n, EXTRA_PREFIX + n, k) for n, k in sorted(split.custom.items()))
    names = [c.name for c in COLUMNS] + [c.column for c in custom]
    cells = pl.DataFrame(
        {name: [row.get(name) for row in split.rows] for name in names},
        schema=dict.fromkeys(names, pl.String),
    )
    split.rows = []
    cells = cells.with_columns(pl.int_range(1, cells.height + 1, dtype=pl.Int64).alias("__line__"))

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        wanted = [*names, "__line__"] if columns is None else [*columns, "__line__"]
        return cells.select(wanted).slice(start, stop - start).rechunk()

    source = _Source(names, cells.height, load)
    mapping = ColumnMapping(columns={}, defaults={}, extra=custom)
    table = TableReader(mapping, strictness, names, str(path))
    plain, documents = len(split.plain), split.documents

    def rows_to_records(done: int, total: int) -> None:
        if progress is not None:
            progress(done * plain // max(total, 1), documents)

    read = _Reader(path, fmt, mapping, strictness, table, source).read(rows_to_records)
    if read.rejected or read.rows_via_models:
        reason = "JSON input: rows the column-wise path does not read alone"
        return _via_models(path, None, strictness, fmt, reason, progress)
    frame, manifests = read.frame, read.manifests
    rejected: tuple[RejectedRecord, ...] = ()
    if split.others:
        mixed = _with_other_documents(path, fmt, strictness, split, read.frame)
        if mixed is None:
            reason = "JSON input: documents the column-wise path does not tell apart"
            return _via_models(path, None, strictness, fmt, reason, progress)
        frame, rejected, others_read = mixed
        manifests += others_read
        if progress is not None:
            progress(documents, documents)
    return FrameBatch(
        source=str(path),
        format=fmt,
        strictness=strictness,
        frame=frame,
        rejected=rejected,
        records_read=documents,
        manifests=manifests,
        ignored_columns=(),
        record_unit="line" if fmt == "jsonl" else "manifest",
        rows_via_models=len(split.others),
    )


# The columns that tell one vessel call from the next in a frame read column-wise.
_CALL_COLUMNS = ("manifest_ref", "vessel_name", "vessel_imo", "voyage_number", "port_of_call",
                 "arrival")  # fmt: skip


def _with_other_documents(
    path: Path,
    fmt: BatchFormat,
    strictness: Strictness,
    split: FlatDocuments,
    fast: pl.DataFrame,
) -> tuple[pl.DataFrame, tuple[RejectedRecord, ...], int] | None:
    """The frame of every document in file order, the rejected records and the
    manifests the model path read: the documents of ``split.others`` read through the
    model path (:func:`~riskprofile.io._read.json_manifest`, one at a time, as
    ``read_batch`` reads them), the column-wise frame ``fast`` of the plain ones cut at
    each vessel call. None when the calls of ``fast`` are not one per plain document
    (two documents whose calls only a normalised value tells apart), or when a custom
    field has one type in ``fast`` and another in the rest: the caller then reads the
    whole file through the model path."""
    # Each plain document is one vessel call, its shipments together and in file order;
    # a call's voyage columns are the same on each of its shipments.
    first = pl.int_range(pl.len()) == 0
    changed = first | pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1))
                                        for c in _CALL_COLUMNS)  # fmt: skip
    runs = fast.select(changed.cast(pl.Int64).cum_sum().alias("_run")).to_series() - 1
    if fast.height == 0 or int(runs[-1]) + 1 != len(split.plain):
        return None
    place = {number: at for at, number in enumerate(sorted([*split.plain, *split.others]))}
    plain_places = pl.Series([place[n] for n in split.plain], dtype=pl.Int64)
    parts = [
        fast.with_columns(
            plain_places.gather(runs).alias("_doc"),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_at"),
        )
    ]
    context = validation_context(strictness)
    source = str(path)
    rejected: list[RejectedRecord] = []
    shipments: list[Shipment] = []
    doc_of: list[int] = []
    manifests = 0
    for number, doc in json_documents(path, fmt):
        if number not in split.others:
            continue
        read = json_manifest(source, number, doc, context)
        if isinstance(read, RejectedRecord):
            rejected.append(read)
            continue
        manifests += 1
        mine = flatten(read)
        shipments += mine
        doc_of += [place[number]] * len(mine)
    parts.append(
        shipment_frame(shipments).with_columns(
            pl.Series("_doc", doc_of, dtype=pl.Int64),
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_at"),
        )
    )
    # Custom columns (sorted by name) come after the catalogue's, from either part; a
    # field of two types is the model path's error (a column holds one type).
    shared = set(parts[0].columns) & set(parts[1].columns)
    if any(parts[0].schema[n] != parts[1].schema[n] for n in shared):
        return None
    frame = pl.concat(parts, how="diagonal").sort("_doc", "_at").drop("_doc", "_at")
    frame = frame.select(*frame_schema(), *sorted(c for c in frame.columns if is_extra_field(c)))
    return frame, tuple(rejected), manifests
