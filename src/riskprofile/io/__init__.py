"""Reading and writing batches: JSON manifests, flat CSV/Parquet with column mappings.

``read_frame`` and ``FrameBatch`` (the column-wise reader) are imported on first use,
so that importing this package does not load polars. ``ReadAccount`` is what both
``Batch`` and ``FrameBatch`` report about a read (counts, rejected records).
"""

from typing import TYPE_CHECKING, Any

from riskprofile._allocator import configure_allocator
from riskprofile.io._batch import Batch, FieldProblem, ReadAccount, RejectedRecord
from riskprofile.io._cells import csv_cell, csv_text
from riskprofile.io._layout import COLUMNS, Column, ColumnMapping, render_layout
from riskprofile.io._read import (
    BatchFormat,
    ManifestReading,
    detect_format,
    iter_json_manifests,
    read_batch,
    read_manifests,
    write_json,
)
from riskprofile.io._table_write import table_rows, write_csv, write_parquet

if TYPE_CHECKING:
    from riskprofile.io._frame import FrameBatch, read_frame

__all__ = [
    "COLUMNS",
    "Batch",
    "BatchFormat",
    "Column",
    "ColumnMapping",
    "FieldProblem",
    "FrameBatch",
    "ManifestReading",
    "ReadAccount",
    "RejectedRecord",
    "csv_cell",
    "csv_text",
    "detect_format",
    "iter_json_manifests",
    "read_batch",
    "read_frame",
    "read_manifests",
    "render_layout",
    "table_rows",
    "write_csv",
    "write_json",
    "write_parquet",
]


_LAZY = frozenset({"FrameBatch", "read_frame"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        # Polars' allocator options, as the command line sets them, when this is what
        # loads Polars (the user's own _RJEM_MALLOC_CONF options still win).
        configure_allocator()
        from riskprofile.io import _frame  # polars: loaded on first use

        return getattr(_frame, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)
