"""Outputs of a scoring run: tidy tables, JSON/CSV/Parquet files, terminal and HTML views.

Two tidy tables:

- **containers**: one row per container (or B/L without a container), in rank order,
  with its selection when a :class:`~riskprofile.selection.Selection` is given;
- **hits**: one row per hit, with the container, B/L, profile, indicator, weight and
  the explanation for the officer.

Every export is deterministic: the same run gives the same bytes.

The package is split by job: ``_tables`` (the two tables), ``_files`` (JSON, CSV,
Parquet), ``_terminal`` (the text table), ``_html`` (notebook views).
"""

from __future__ import annotations

from riskprofile.output._files import (
    FilesAhead,
    for_files,
    output_files,
    shown_fields,
    to_csv,
    to_json,
    write_output,
    write_text,
)

# _csv and _LANE_STYLE: still imported from here by callers written before the split.
from riskprofile.output._files import _csv as _csv
from riskprofile.output._html import _LANE_STYLE as _LANE_STYLE
from riskprofile.output._html import frame_run_html, run_html, selection_html
from riskprofile.output._tables import (
    CONTAINER_COLUMNS,
    HIT_COLUMNS,
    container_rows,
    hit_rows,
    route,
    table_frame,
    to_pandas,
    to_polars,
)
from riskprofile.output._terminal import text_table

__all__ = [
    "CONTAINER_COLUMNS",
    "FilesAhead",
    "HIT_COLUMNS",
    "container_rows",
    "for_files",
    "frame_run_html",
    "hit_rows",
    "output_files",
    "route",
    "run_html",
    "selection_html",
    "shown_fields",
    "table_frame",
    "text_table",
    "to_csv",
    "to_json",
    "to_pandas",
    "to_polars",
    "write_output",
    "write_text",
]
