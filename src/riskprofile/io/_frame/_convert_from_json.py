"""``data convert`` column-wise from JSON and JSON Lines to a flat file (CSV, Parquet):
each document's manifest written as :func:`~riskprofile.io.table_rows` writes it, without
a model per record.

The file is split as :func:`~riskprofile.read_frame` splits it
(:mod:`~riskprofile.io._frame._json_split`): a document's plain bills of lading and
containers become the flat rows ``table_rows`` writes for them, and those rows are
converted as a flat file's rows are (:mod:`~riskprofile.io._frame._convert`: the same
slices, group tables and text rules; one document is one vessel call). What is not plain
goes through the model path, by bill of lading and container where it can:

- a document's *part* (its bills and containers that are not plain, with what they are
  read with) is the model's manifest of the part; its rows (``table_rows``) are put among
  the document's by the place of each bill and of each container no bill names. A bill's
  rows are made from the bill, the containers it names and the voyage alone, and the
  part shares no container with the rest of its document, so they are the rows the
  whole document gives it;
- a document that is not plain, and one whose rows the flat converter would route (whole
  vessel calls: seals the model repairs, amounts no frame column holds...), is read
  whole by the model path (:func:`~riskprofile.io._read.json_manifest`, as
  ``read_manifests`` reads it), and so is its rejection.

The converted rows of a document are its plain rows' in the same order (both are
``table_rows``' order), so each takes its place from its plain row: a document whose
converted rows do not match its plain rows one for one (count, vessel call, bill or
container no bill names) stops the conversion with an internal error, never a row lost
or misplaced. Rows are given to the sink document by document, in file order; once a
slice has a document for the model path, the rest is held until the end, where such
documents are read in one more pass over the file.

The flat file's custom columns are the custom fields the manifests have, sorted by name
(``write_csv`` without ``extra``), known before the first row is written: those of the
plain bills, of the parts and of the documents read whole.

``tests/cli/test_data_convert.py`` holds the output equal to the model path's, byte for
byte, on random JSON and JSON Lines files with planted problems.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame._convert import (
    _KEYS,
    FlatConversion,
    Sink,
    _Converter,
    flat_names,
    run_slices,
)
from riskprofile.io._frame._json_read import plain_rows
from riskprofile.io._frame._json_split import BARE, FlatDocuments, flat_documents
from riskprofile.io._frame._reader import Progress
from riskprofile.io._layout import COLUMNS
from riskprofile.io._read import BatchFormat, json_documents, json_manifest
from riskprofile.io._table_write import cell_text, table_rows
from riskprofile.model import validation_context
from riskprofile.model.manifest import Manifest
from riskprofile.model.shared import EXTRA_PREFIX

__all__ = ["JsonToFlat", "plan_json_to_flat"]

_DOC, _UNIT = "_doc", "_unit"
_ROUTED = -1  # the unit of a slice's marker row: its document goes to the model path
_LAYOUT = [c.name for c in COLUMNS]


def _unit_rows(
    manifest: Manifest, bill_places: list[int], box_places: list[int]
) -> list[tuple[int, dict[str, Any]]]:
    """``table_rows`` of a manifest, each row with its unit: the place in the document of
    its bill of lading, or :data:`BARE` plus that of the container no bill names."""
    rows = list(table_rows([manifest]))
    out: list[tuple[int, dict[str, Any]]] = []
    named: set[str] = set()
    for k, bill in enumerate(manifest.consignments):
        numbers = bill.all_container_numbers
        named.update(numbers)
        count = 0
        for number in [*numbers, None]:
            lines = sum(1 for g in bill.goods if g.container_number == number)
            count += lines or (number is not None)
        count = max(1, count)
        out += [(bill_places[k], row) for row in rows[len(out) : len(out) + count]]
    for k, box in enumerate(manifest.containers):
        if box.number not in named:
            named.add(box.number)
            out.append((BARE + box_places[k], rows[len(out)]))
    if len(out) != len(rows):  # pragma: no cover - table_rows' own layout
        raise AssertionError("data convert from JSON: a part's rows were not placed")
    return out


def _rows_frame(doc: int, rows: list[tuple[int, dict[str, Any]]]) -> pl.DataFrame:
    """The text cells of a document's rows the model path made, with their document and
    units; the layout's columns and the custom ones these rows have."""
    custom = sorted({n for _unit, row in rows for n in row if n.startswith(EXTRA_PREFIX)})
    names = [*_LAYOUT, *custom]
    schema = {**dict.fromkeys(names, pl.String), _DOC: pl.Int64, _UNIT: pl.Int64}
    data: dict[str, list[Any]] = {n: [cell_text(row.get(n)) for _u, row in rows] for n in names}
    data[_DOC] = [doc] * len(rows)
    data[_UNIT] = [unit for unit, _row in rows]
    return pl.DataFrame(data, schema=schema)


def _custom_of(manifest: Manifest) -> set[str]:
    return {EXTRA_PREFIX + n for c in manifest.consignments for n in c.extra}


@dataclass
class JsonToFlat:
    """A JSON or JSON Lines file planned for a flat output: ``names``, the columns to
    write (the layout's, then the custom fields the manifests have, sorted by name); the
    rows the model path made for the documents' parts and the documents it read whole,
    and the documents it rejected. :meth:`convert` writes the file's rows."""

    path: Path
    fmt: BatchFormat
    split: FlatDocuments
    names: list[str]
    model: dict[int, pl.DataFrame]
    model_custom: dict[int, set[str]]
    rejected: list[RejectedRecord]
    custom: set[str]
    routed: set[int] = field(default_factory=set)

    def convert(self, sink: Sink, progress: Progress | None = None) -> FlatConversion | str:
        """Give ``sink`` the file's rows (text columns, ``names``), document by document
        in file order; or, before anything is given to it, the reason the whole file
        must go through the model path."""
        split = self.split
        docs = pl.Series(split.docs, dtype=pl.Int64)
        units = pl.Series(split.units, dtype=pl.Int64)
        split.docs, split.units = type(split.docs)("q"), type(split.units)("q")
        mapping, table, records = plain_rows(self.path, split, "lenient")
        reader = _FromJson(self.path, self.fmt, mapping, "lenient", table, records)
        reader.docs, reader.units = docs, units
        merge = _Merge(self, sink)
        done = run_slices(reader, merge.write, progress)
        if isinstance(done, str):
            return done
        merge.finish()
        rejected = sorted(self.rejected, key=lambda r: r.record)
        via_models = len(split.others) + len(split.parts) + len(self.routed)
        unit = "line" if self.fmt == "jsonl" else "manifest"
        return FlatConversion(merge.rows, split.documents, tuple(rejected), unit, via_models)

    def add(
        self,
        number: int,
        manifest: Manifest,
        bill_places: list[int] | None = None,
        box_places: list[int] | None = None,
    ) -> None:
        """The rows of document ``number``'s part (the places of its bills and
        containers in the document given) or of the whole document, as the model path
        writes ``manifest``."""
        if bill_places is None or box_places is None:
            rows = [(0, row) for row in table_rows([manifest])]
        else:
            rows = _unit_rows(manifest, bill_places, box_places)
        self.model[number] = _rows_frame(number, rows)
        self.model_custom[number] = _custom_of(manifest)
        self.custom |= self.model_custom[number]

    def read_whole(self, numbers: set[int]) -> Iterable[tuple[int, Manifest | RejectedRecord]]:
        """The documents ``numbers`` read by the model path, in file order."""
        if not numbers:
            return
        context = validation_context("lenient")
        source = str(self.path)
        for number, doc in json_documents(self.path, self.fmt):
            if number in numbers:
                yield number, json_manifest(source, number, doc, context)


def plan_json_to_flat(path: Path, fmt: BatchFormat) -> JsonToFlat | str:
    """A lenient JSON or JSON Lines file split for :meth:`JsonToFlat.convert`: its
    documents' parts and the documents the model path reads whole read (one more pass
    over the file when there are such documents); or the reason the whole file must go
    through the model path (no plain document).

    Raises:
        InputFormatError: the file cannot be read at all (as ``read_manifests``).
    """
    split = flat_documents(path, fmt)
    if not split.plain:
        return f"JSON input: {next(iter(split.others.values()), 'no manifest')}"
    plan = JsonToFlat(path, fmt, split, [], {}, {}, [], {EXTRA_PREFIX + n for n in split.custom})
    for number, part in split.parts.items():
        plan.add(number, part.manifest, part.bill_places, part.box_places)
        part.shipments = []
    for number, read in plan.read_whole(set(split.others)):
        if isinstance(read, RejectedRecord):
            plan.rejected.append(read)
        else:
            plan.add(number, read)
    plan.names = [*_LAYOUT, *sorted(plan.custom)]
    return plan


class _FromJson(_Converter):
    """The flat converter of a JSON file's plain rows: each slice's rows with their
    document and unit (``_doc``, ``_unit``), and a marker row (unit ``_ROUTED``) for
    each document of the slice the model path must read whole."""

    docs: pl.Series  # each plain row's document (its record number)
    units: pl.Series  # each plain row's unit (see _unit_rows)

    def _convert_records(
        self, start: int, stop: int
    ) -> tuple[pl.DataFrame, list[RejectedRecord], int]:
        self.raw = self.records.rows(start, stop)
        if self._file_call_keys is not None:
            self._slice_call_keys = self._file_call_keys.slice(start, stop - start)
        rows, _goods, calls, _bills, _boxes, to_models = self._grouped()
        rows = rows.with_columns(
            self.docs.slice(start, stop - start).alias(_DOC),
            self.units.slice(start, stop - start).alias(_UNIT),
        )
        # A document is one vessel call; a call of two documents (or the reverse) and
        # the documents of the rows the converter routes go to the model path whole.
        pairs = rows.filter(~pl.col("_lone")).select("_call", _DOC).unique()
        mixed = pl.concat([
            pairs.filter(pl.len().over("_call") > 1)[_DOC],
            pairs.filter(pl.len().over(_DOC) > 1)[_DOC],
        ])  # fmt: skip
        slow = rows.filter(to_models | pl.col("_lone"))[_DOC]
        routed = pl.concat([slow, mixed]).unique().sort()
        fast_rows = rows.filter(~pl.col(_DOC).is_in(routed.implode()))
        out = self._fast_rows(fast_rows, calls) if fast_rows.height else None
        self.raw = self.raw.clear()
        names = flat_names(self.mapping)
        if out is None:
            out = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
        else:
            _check_places(out, fast_rows)
            out = out.select(names)
        out = out.with_columns(fast_rows[_DOC], fast_rows[_UNIT])
        markers = pl.DataFrame({_DOC: routed, _UNIT: [_ROUTED] * routed.len()},
                               schema={_DOC: pl.Int64, _UNIT: pl.Int64})  # fmt: skip
        return pl.concat([out, markers], how="diagonal"), [], rows.height - fast_rows.height


def _check_places(out: pl.DataFrame, fast_rows: pl.DataFrame) -> None:
    """Stops (an internal error) unless the converted rows ``out`` (in their sort keys'
    order) match the plain rows they were converted from one for one: as many, each of
    the same document, each a bill's row or a container's no bill names alike."""
    if out.height != fast_rows.height:
        raise AssertionError("data convert from JSON: a document's rows were not all written")
    call_doc = fast_rows.select("_call", _DOC).unique()
    got = out.select(pl.col(_KEYS[0]).alias("_call"), pl.col("bl_number").is_null()).join(
        call_doc, on="_call", how="left", maintain_order="left"
    )
    bare = fast_rows[_UNIT] >= BARE
    if not (got[_DOC].equals(fast_rows[_DOC]) and got["bl_number"].equals(bare)):
        raise AssertionError("data convert from JSON: a row was not written in its place")


class _Merge:
    """The sink of the converted slices: each slice's rows with the model path's rows of
    the documents up to its last, sorted by document and unit, given to the sink; all of
    it held from the first slice with a document the model path must read whole, until
    :meth:`finish`."""

    def __init__(self, plan: JsonToFlat, sink: Sink) -> None:
        self.plan = plan
        self.sink = sink
        self.rows = 0
        self.held: list[pl.DataFrame] = []
        self.seen: set[str] = set()

    def write(self, frame: pl.DataFrame) -> None:
        routed = frame.filter(pl.col(_UNIT) == _ROUTED)[_DOC].to_list()
        last = frame[_DOC].max()
        assert isinstance(last, int)
        model = self.plan.model
        mine = [model.pop(n) for n in sorted(n for n in model if n <= last)]
        merged = pl.concat([frame.filter(pl.col(_UNIT) != _ROUTED), *mine], how="diagonal")
        self.plan.routed.update(routed)
        if routed or self.held:
            self.held.append(merged)
        else:
            self._give(merged, sort=bool(mine))

    def finish(self) -> None:
        """The rest: the model path's documents after the last slice's, and what was
        held, with the documents the converter routed read whole."""
        plan = self.plan
        rest = [plan.model.pop(n) for n in sorted(plan.model)]
        if not self.held:
            if rest:
                self._give(pl.concat(rest, how="diagonal"), sort=False)
            return
        kept = pl.concat([*self.held, *rest], how="diagonal")
        self.held = []
        frames = [kept.filter(~pl.col(_DOC).is_in(sorted(plan.routed)))]
        del kept
        for number, read in plan.read_whole(plan.routed):
            if isinstance(read, RejectedRecord):
                plan.rejected.append(read)
                continue
            plan.add(number, read)
            frames.append(plan.model.pop(number))
        self._give(pl.concat(frames, how="diagonal"), sort=True)
        if self.seen != plan.custom:
            # A custom field only a rejected document had: the header has its column.
            raise AssertionError("data convert from JSON: the custom columns differ")

    def _give(self, merged: pl.DataFrame, *, sort: bool) -> None:
        if sort:
            merged = merged.sort(_DOC, _UNIT, maintain_order=True)
        names = self.plan.names
        # The custom fields of the manifests written: their cells, and the fields of
        # those the model path wrote (a field may hold an empty list, written empty).
        for name in merged.columns:
            seen = name in self.seen or not name.startswith(EXTRA_PREFIX)
            if not seen and merged[name].is_not_null().any():
                self.seen.add(name)
        for number in merged[_DOC].unique().to_list():
            self.seen |= self.plan.model_custom.get(number, set())
        self.sink(
            merged.select(
                pl.col(n) if n in merged.columns else pl.lit(None, pl.String).alias(n)
                for n in names
            )
        )
        self.rows += merged.height
