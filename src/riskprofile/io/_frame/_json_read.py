"""A JSON or JSON Lines batch into the shipment frame: the plain rows column-wise, the
rest through the model path, put back in file order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame._json_split import FlatDocuments, flat_documents
from riskprofile.io._frame._load import _Source
from riskprofile.io._frame._reader import _Reader
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._layout import COLUMNS, ColumnMapping
from riskprofile.io._read import BatchFormat, json_documents, json_manifest
from riskprofile.io._table import TableReader
from riskprofile.model import Strictness, validation_context
from riskprofile.model.frame import frame_schema, shipment_frame
from riskprofile.model.shared import EXTRA_PREFIX, ExtraColumn, is_extra_field
from riskprofile.model.shipment import Shipment, flatten

__all__ = ["plain_rows", "read_json_frame"]


def plain_rows(
    path: Path, split: FlatDocuments, strictness: Strictness
) -> tuple[ColumnMapping, TableReader, _Source]:
    """The plain rows of ``split`` (taken from it) as the records of a flat file: the
    mapping that reads them (custom fields, a bill's ``extra``, as x_<name> cells typed
    by the JSON values), its table reader and the records."""
    custom = tuple(ExtraColumn(n, EXTRA_PREFIX + n, k) for n, k in sorted(split.custom.items()))
    names = [c.name for c in COLUMNS] + [c.column for c in custom]
    cells = split.cells
    split.cells = pl.DataFrame()
    cells = cells.select(
        pl.col(n) if n in cells.columns else pl.lit(None, pl.String).alias(n) for n in names
    ).with_columns(pl.int_range(1, cells.height + 1, dtype=pl.Int64).alias("__line__"))

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        wanted = [*names, "__line__"] if columns is None else [*columns, "__line__"]
        return cells.select(wanted).slice(start, stop - start).rechunk()

    mapping = ColumnMapping(columns={}, defaults={}, extra=custom)
    table = TableReader(mapping, strictness, names, str(path))
    return mapping, table, _Source(names, cells.height, load)


def read_json_frame(
    path: Path,
    fmt: BatchFormat,
    strictness: Strictness,
    progress: Callable[[int, int], None] | None,
) -> FrameBatch | str:
    """A JSON or JSON Lines batch: its plain rows read column-wise
    (:mod:`riskprofile.io._frame._json_split`), the parts of documents and the
    documents the model path reads put back in file order; the reason instead when the
    whole file must go through the model path (no plain row, or the column-wise read
    rejected or routed any row)."""
    split = flat_documents(path, fmt)
    if not split.plain:
        return f"JSON input: {next(iter(split.others.values()), 'no manifest')}"
    mapping, table, source = plain_rows(path, split, strictness)
    plain, documents = len(split.plain), split.documents

    def rows_to_records(done: int, total: int) -> None:
        if progress is not None:
            progress(done * plain // max(total, 1), documents)

    read = _Reader(path, fmt, mapping, strictness, table, source).read(rows_to_records)
    if read.rejected or read.rows_via_models:
        return "JSON input: rows the column-wise path does not read alone"
    frame, manifests = read.frame, read.manifests
    rejected: tuple[RejectedRecord, ...] = ()
    if split.others or split.parts:
        mixed = _in_file_order(path, fmt, strictness, split, read.frame)
        if mixed is None:
            return "JSON input: documents the column-wise path does not tell apart"
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
        rows_via_models=len(split.others) + len(split.parts),
    )


# The columns that tell one vessel call from the next in a frame read column-wise.
_CALL_COLUMNS = ("manifest_ref", "vessel_name", "vessel_imo", "voyage_number", "port_of_call",
                 "arrival")  # fmt: skip


def _in_file_order(
    path: Path,
    fmt: BatchFormat,
    strictness: Strictness,
    split: FlatDocuments,
    fast: pl.DataFrame,
) -> tuple[pl.DataFrame, tuple[RejectedRecord, ...], int] | None:
    """The frame of every document in file order, the rejected records and the
    manifests the model path read whole: the documents of ``split.others`` read through
    the model path (:func:`~riskprofile.io._read.json_manifest`, one at a time, as
    ``read_batch`` reads them), the parts of ``split.parts`` each put in its places
    among its document's shipments, the column-wise frame ``fast`` cut at each vessel
    call. None when the calls of ``fast`` are not one per document with rows, each
    with the shipments its rows give (two documents whose calls only a normalised value
    tells apart), or when a custom field has one type in ``fast`` and another in the
    rest: the caller then reads the whole file through the model path."""
    # Each document with rows is one vessel call, its shipments together and in file
    # order; a call's voyage columns are the same on each of its shipments.
    first = pl.int_range(pl.len()) == 0
    changed = first | pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1))
                                        for c in _CALL_COLUMNS)  # fmt: skip
    runs = fast.select(changed.cast(pl.Int64).cum_sum().alias("_run")).to_series() - 1
    if fast.height == 0 or int(runs[-1]) + 1 != len(split.plain):
        return None
    counts = runs.value_counts(sort=False).sort("_run").get_column("count").to_list()
    if counts != [split.shipments[n] for n in split.plain]:
        return None
    place = {number: at for at, number in enumerate(sorted([*split.plain, *split.others]))}
    fast_at: list[int] = []
    for number in split.plain:
        part = split.parts.get(number)
        fast_at += range(split.shipments[number]) if part is None else part.fast_at
    plain_places = pl.Series([place[n] for n in split.plain], dtype=pl.Int64)
    frames = [
        fast.with_columns(
            plain_places.gather(runs).alias("_doc"), pl.Series("_at", fast_at, dtype=pl.Int64)
        )
    ]
    context = validation_context(strictness)
    source = str(path)
    rejected: list[RejectedRecord] = []
    shipments: list[Shipment] = []
    doc_of: list[int] = []
    at: list[int] = []
    manifests = 0
    wanted = sorted([*split.others, *split.parts])
    documents = iter(json_documents(path, fmt)) if split.others else iter(())
    for number in wanted:
        part = split.parts.get(number)
        if part is not None:
            shipments += part.shipments
            doc_of += [place[number]] * len(part.shipments)
            at += part.at
            continue
        doc = next(d for n, d in documents if n == number)
        read = json_manifest(source, number, doc, context)
        if isinstance(read, RejectedRecord):
            rejected.append(read)
            continue
        manifests += 1
        mine = flatten(read)
        shipments += mine
        doc_of += [place[number]] * len(mine)
        at += range(len(mine))
    frames.append(
        shipment_frame(shipments).with_columns(
            pl.Series("_doc", doc_of, dtype=pl.Int64), pl.Series("_at", at, dtype=pl.Int64)
        )
    )
    # Custom columns (sorted by name) come after the catalogue's, from either part; a
    # field of two types is the model path's error (a column holds one type).
    shared = set(frames[0].columns) & set(frames[1].columns)
    if any(frames[0].schema[n] != frames[1].schema[n] for n in shared):
        return None
    frame = pl.concat(frames, how="diagonal").sort("_doc", "_at").drop("_doc", "_at")
    frame = frame.select(*frame_schema(), *sorted(c for c in frame.columns if is_extra_field(c)))
    return frame, tuple(rejected), manifests
