"""What the reading layer shares with the rest of the library (evaluation, exchange,
output, profiles, synth and the command line), beyond :mod:`riskprofile.io`.

The modules of this package are private; another part of riskprofile imports an io name
from :mod:`riskprofile.io` (the user API) or from here (the library's own use; not
promised to users): bounded JSON (every JSON input goes through it), CSV cells that a
spreadsheet never runs as formulas, the column mapping's YAML, the tabular file
policies, and the data-quality flags of a batch with where each is.
"""

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
from riskprofile.io._tabular import allow_any_csv_cell, open_table, parquet_rows, table_mapping

__all__ = [
    "DOCUMENT_LIMITS",
    "FILE_LIMITS",
    "CsvWriter",
    "JsonInputError",
    "JsonLimits",
    "allow_any_csv_cell",
    "csv_line",
    "did_you_mean",
    "flag_records",
    "frame_flag_records",
    "iter_lines",
    "loads",
    "open_table",
    "parquet_rows",
    "read_document",
    "read_mapping_yaml",
    "table_mapping",
    "yaml_line",
]
