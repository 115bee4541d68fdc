"""The result of :func:`~riskprofile.io.read_frame`: :class:`FrameBatch`."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from riskprofile.io._batch import ReadAccount, RejectedRecord
from riskprofile.io._read import BatchFormat
from riskprofile.model._base import Strictness

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
            column-wise); all of them when ``fallback`` is set.
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
