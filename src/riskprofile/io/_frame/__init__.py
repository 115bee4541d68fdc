"""``read_frame``: a batch (flat CSV or Parquet, or JSON manifests) straight into the
shipment frame.

:func:`~riskprofile.read_batch` builds one Pydantic model per record and one
:class:`~riskprofile.Shipment` per container and bill of lading; that is the reference
semantics, and too slow for a million containers. ``read_frame`` reads the same file into
Polars and builds the shipment frame column by column: grouping rows into vessel calls,
bills of lading and containers, the standards' normalisation and checks, the
data-quality flags and every derived field.

It is a hybrid, and exact by construction where it is not exact by computation:

- Every value with a standard (a country, a LOCODE, an HS code, a size-type, a date, a
  yes/no word...) is checked by the data model itself, once per *distinct* value of the
  column, so normalisation and flags are the model's own. High-cardinality values
  (container numbers, weights, amounts, names) are checked by vectorised expressions for
  their common shapes (ISO 6346 check digits in Polars) and by the model for the rest.
- A group (vessel call, bill of lading, container) whose rows all carry the same cells
  takes its first row's; one whose rows disagree is merged in Python exactly as the
  reference reader merges it (first value wins, the rest are ``inconsistent`` flags).
- What the column-wise path does not reproduce goes through the model path
  (:class:`~riskprofile.io._table.TableReader`, :func:`~riskprofile.model.shipment.flatten`
  and :func:`~riskprofile.engines.columnar.shipment_frame`) for just the rows concerned:
  rejected rows, seals the model must repair, amounts or counts no frame column holds
  exactly, cells longer than any text field may be, and in strict mode conflicts and
  anything that breaks a standard. Such a row takes with it every row of its bills of
  lading and containers (the closure), so that counts and totals across them stay those
  of the model; in strict mode a vessel call whose voyage columns disagree or break a
  standard goes whole.
- A whole file goes through the model path when reading it column-wise could differ from
  the reference reader at all: a column mapping with date formats or with a default for
  a list column, CSV with line breaks inside quoted cells or unusual quoting, Parquet
  columns that are not text, JSON in strict mode or JSON of which no bill of lading or
  container is plain (``_json``). :attr:`FrameBatch.fallback` says why.
- JSON and JSON Lines manifests are flattened into the flat layout's rows
  (``_json``: the rows :func:`~riskprofile.io.table_rows` writes for them; a bill of
  lading or container the flat layout would say otherwise goes through the model path
  with what it is read with, ``_json_split``) and read
  column-wise like a flat file.

The result is the frame :func:`~riskprofile.engines.columnar.shipment_frame` gives for
``read_batch(path).shipments`` (same rows, order, values and dtypes) and the same rejected
records; the tests prove it by property tests against the model path.

The modules, in the order a read goes through them:

- ``_read``: :func:`read_frame`, which picks the column-wise path or the model path;
  ``_json_read``: a JSON or JSON Lines file; ``_json_split``: its documents split
  into flat rows and the parts the model path reads; ``_json``: plain records as cells;
  ``_result``: :class:`FrameBatch`;
- ``_load``: the file's records as text columns, a slice at a time (the file policies
  of :mod:`riskprofile.io._tabular`);
  ``_row_groups``: a Parquet file's row-group sizes, read from its footer (so that
  each row group is decoded once, whichever slices hold its rows);
- ``_reader``: the reader of one file: slices of whole vessel calls, each row's keys and
  the ids of its call, bill of lading and container; ``_state``: what its steps share;
- ``_groups``: the tables of vessel calls, bills of lading, containers and goods lines,
  each cell checked by the model once per distinct value (``_values`` holds the value
  rules and Polars helpers);
- ``_route``: which rows the model path reads (``routed``), and that path
  for just them;
- ``_assemble``: the column-wise path, the shipment frame from the group tables
  (``fast_frame``).

``read_frame`` is imported on first use (PEP 562): its reader calls the EDIFACT reader,
which takes :class:`FrameBatch` and the cell checks from this package. Loaded with the
package, it would close an import cycle (``tests/test_architecture.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskprofile.io._frame._result import FrameBatch

if TYPE_CHECKING:
    from riskprofile.io._frame._read import read_frame

__all__ = ["FrameBatch", "read_frame"]


def __getattr__(name: str) -> Any:
    if name == "read_frame":
        from riskprofile.io._frame import _read

        return _read.read_frame
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "read_frame"})
