"""Reading and writing batches: JSON manifests, flat CSV/Parquet with column mappings."""

from riskprofile.io._batch import Batch, FieldProblem, RejectedRecord
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
from riskprofile.io._table import table_rows, write_csv, write_parquet

__all__ = [
    "COLUMNS",
    "Batch",
    "BatchFormat",
    "Column",
    "ColumnMapping",
    "FieldProblem",
    "ManifestReading",
    "RejectedRecord",
    "detect_format",
    "iter_json_manifests",
    "read_batch",
    "read_manifests",
    "render_layout",
    "table_rows",
    "write_csv",
    "write_json",
    "write_parquet",
]
