"""The result of :func:`~riskprofile.io.read_frame`: :class:`FrameBatch`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

import polars as pl

from riskprofile.io._batch import Batch, ReadAccount, RejectedRecord
from riskprofile.io._read import BatchFormat
from riskprofile.model import Strictness

__all__ = ["FrameBatch"]


@dataclass(frozen=True)
class FrameBatch(ReadAccount):
    """The result of :func:`read_frame`: the shipment frame and every rejected record
    (its :class:`~riskprofile.io.ReadAccount`, as :class:`~riskprofile.Batch` has it).

    Attributes:
        source: the file read.
        format: ``csv``, ``parquet``, ``json`` or ``jsonl``.
        strictness: the validation mode used.
        frame: the shipment frame (:func:`~riskprofile.engines.columnar.frame_schema`),
            equal to ``shipment_frame(read_batch(path).shipments)``.
        rejected: every record that could not be used, as ``read_batch`` reports it.
        records_read: records in the file (rows of a flat file, manifests of JSON).
        manifests: vessel calls read.
        ignored_columns: columns of a flat file that the layout and mapping do not use.
        record_unit: what a record number counts: ``line`` (CSV), ``row`` (Parquet), or
            for JSON ``line``/``manifest``.
        rows_via_models: records that went through the model path (the rest were read
            column-wise), a JSON document also when only some of its bills of lading
            and containers did; all of them when ``fallback`` is set.
        fallback: why the whole file went through the model path, or null.
    """

    source: str
    format: BatchFormat
    strictness: Strictness
    frame: pl.DataFrame
    rejected: tuple[RejectedRecord, ...]
    records_read: int
    manifests: int
    ignored_columns: tuple[str, ...]
    record_unit: str
    rows_via_models: int
    fallback: str | None = None

    @property
    def rows_column_wise(self) -> int:
        """Records read column-wise, without a model object."""
        return self.records_read - self.rows_via_models

    def reading_only(self, fields: Collection[str]) -> FrameBatch:
        """The batch with every shipment field but ``fields`` blank: as a shipment that
        gives none of them has it (the model's default, null for most), so that the frame
        keeps its schema and still scores. Each blank is one column shared by every field
        that has it (Polars never writes into a column another holds), so the fields left
        blank cost next to nothing; custom fields (``x_...``) are kept.

        For a run that provably reads nothing else (``riskprofile score`` reads the
        fields its profiles' conditions and its outputs read): the batch's memory is then
        that of those fields. Shipments made back from the frame (:meth:`to_batch`) have
        the defaults in the blank fields."""
        from riskprofile.model.frame import frame_schema, shipment_frame
        from riskprofile.model.shipment import Shipment

        schema = frame_schema()
        frame = self.frame
        blank = [c for c in frame.columns if c in schema and c not in fields]
        if not blank:
            return self
        defaults = shipment_frame([Shipment(shipment_id="-")])
        # Chunked as the kept columns are (a frame read in slices is in several): a frame
        # whose columns are chunked apart is made whole again, every column copied, by the
        # first filter or gather of the run.
        lengths = next(frame.get_column(c) for c in frame.columns if c not in blank)
        shared: dict[tuple[str, str], pl.Series] = {}
        columns = []
        for name in frame.columns:
            if name not in blank:
                columns.append(frame.get_column(name))
                continue
            default = defaults.get_column(name)
            key = (str(default.dtype), repr(default.to_list()))
            if key not in shared:
                parts = [default.new_from_index(0, n) for n in lengths.chunk_lengths()]
                shared[key] = pl.concat(parts, rechunk=False) if parts else default.clear()
            columns.append(shared[key].alias(name))
        return replace(self, frame=pl.DataFrame(columns))

    def to_batch(self, rows: pl.Expr | None = None) -> Batch:
        """The :class:`~riskprofile.Batch` ``read_batch`` gives for the same file (the
        same shipments in the same order, the same rejected records and counts); with
        ``rows`` (a filter of the frame) only the shipments it keeps are made into
        objects, the counts staying the file's."""
        from riskprofile.model.frame import shipments_of_frame

        frame = self.frame if rows is None else self.frame.filter(rows)
        return Batch(
            self.source,
            self.strictness,
            shipments_of_frame(frame),
            list(self.rejected),
            self.records_read,
            self.manifests,
            ignored_columns=list(self.ignored_columns),
            record_unit=self.record_unit,
        )
