"""What the reading layer shares with the rest of the library (evaluation, exchange,
output, profiles, synth and the command line), beyond :mod:`riskprofile.io`.

The modules of this package are private; another part of riskprofile imports an io name
from :mod:`riskprofile.io` (the user API) or from here (the library's own use; not
promised to users): bounded JSON (every JSON input goes through it), CSV cells that a
spreadsheet never runs as formulas, the column mapping's YAML, the tabular file
policies, and the data-quality flags of a batch with where each is; ``data convert``'s
column-wise conversion and the sink it writes to.

The conversion (``convert_flat``, ``convert_json``, ``FlatConversion``, ``flat_names``,
``plan_json_to_flat``)
is imported on first use, as :mod:`riskprofile.io` imports ``read_frame``: it loads
polars and the column-wise reader, which the other names here do not need.
"""

from typing import TYPE_CHECKING, Any

from riskprofile.io._cells import CsvWriter, csv_line
from riskprofile.io._flags import flag_records, frame_flag_records
from riskprofile.io._json import (
    DOCUMENT_LIMITS,
    FILE_LIMITS,
    JsonInputError,
    JsonLimits,
    iter_lines,
    loads,
    read_document,
)
from riskprofile.io._layout import did_you_mean, read_mapping_yaml, yaml_line
from riskprofile.io._read import JsonSink
from riskprofile.io._table_write import FlatSink
from riskprofile.io._tabular import (
    UNCLOSED,
    LinesRead,
    allow_any_csv_cell,
    open_table,
    parquet_rows,
    require_batch_file,
    table_mapping,
    unclosed_header,
    unclosed_reason,
)

if TYPE_CHECKING:
    from riskprofile.io._frame.shared import (
        FlatConversion,
        convert_flat,
        convert_json,
        flat_names,
        plan_json_to_flat,
    )

__all__ = [
    "DOCUMENT_LIMITS",
    "FILE_LIMITS",
    "CsvWriter",
    "FlatConversion",
    "FlatSink",
    "JsonInputError",
    "JsonLimits",
    "JsonSink",
    "LinesRead",
    "UNCLOSED",
    "allow_any_csv_cell",
    "convert_flat",
    "convert_json",
    "csv_line",
    "did_you_mean",
    "flag_records",
    "flat_names",
    "frame_flag_records",
    "iter_lines",
    "loads",
    "open_table",
    "parquet_rows",
    "plan_json_to_flat",
    "read_document",
    "read_mapping_yaml",
    "require_batch_file",
    "table_mapping",
    "unclosed_header",
    "unclosed_reason",
    "yaml_line",
]

_LAZY = frozenset(
    {"FlatConversion", "convert_flat", "convert_json", "flat_names", "plan_json_to_flat"}
)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from riskprofile.io._frame import shared  # polars: loaded on first use

        return getattr(shared, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
