"""Loading a flat file's records as text columns, a slice at a time."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from riskprofile.io._frame._values import PY_WHITESPACE
from riskprofile.io._layout import ColumnMapping
from riskprofile.io._tabular import decode_table


class _UnreadableError(Exception):
    """The file turned out unreadable column-wise halfway: the model path reads it."""


@dataclass(frozen=True)
class _Source:
    """The file's records, loaded a slice at a time: every column as text, one chunk,
    and ``__line__`` (the record's line or row number)."""

    header: list[str]
    height: int
    load: Callable[[int, int, list[str] | None], pl.DataFrame]

    def rows(self, start: int, stop: int, columns: list[str] | None = None) -> pl.DataFrame:
        """Records ``start`` to ``stop`` (of the file's records), ``columns`` of them or
        all, with ``__line__``."""
        return self.load(start, stop, columns)


def _load_parquet(path: Path) -> _Source | str:
    try:
        schema = pl.read_parquet_schema(path)
        height = pl.scan_parquet(path).select(pl.len()).collect().item()
    except Exception:  # the model path reports an unreadable file properly
        return "the Parquet file cannot be read column-wise"
    if any(dtype not in (pl.String, pl.Null) for dtype in schema.values()):
        return "Parquet columns that are not text"

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        # Only the row groups of the slice are read. One chunk per column: every later
        # step gathers from these columns, and would otherwise join the chunks each time.
        names = list(schema) if columns is None else columns
        try:
            raw = pl.scan_parquet(path).select(names).slice(start, stop - start).collect()
        except pl.exceptions.PolarsError as exc:
            raise _UnreadableError("the Parquet file cannot be read column-wise") from exc
        raw = raw.with_columns(pl.col(pl.Null).cast(pl.String)).rechunk()
        lines = pl.int_range(start + 1, stop + 1, dtype=pl.Int64, eager=True)
        return raw.with_columns(lines.alias("__line__"))

    return _Source(list(schema), height, load)


def _field_pattern(delimiter: str) -> str:
    d = re.escape(delimiter)
    cell = f'(?:[^"{d}\\n]*|"(?:[^"]|"")*")'
    return f"^{cell}(?:{d}{cell})*$"


def _load_csv(path: Path, mapping: ColumnMapping) -> _Source | str:
    try:
        text = decode_table(path.read_bytes(), mapping)
    except (OSError, UnicodeDecodeError, LookupError):
        return "the file cannot be decoded column-wise"
    if mapping.delimiter in ('"', "\n", "\r"):
        return "an unusual delimiter"
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        return "line breaks other than LF and CRLF"
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or "\x00" in text:
        return "an empty file or NUL characters"
    # Every line must be one record of plain RFC 4180 cells (quoted cells with doubled
    # quotes, no line breaks inside): then line numbers are physical lines and Polars
    # splits cells exactly as Python's csv module does.
    checked = pl.Series(lines, dtype=pl.String).str.contains(_field_pattern(mapping.delimiter))
    if not checked.all():
        return "CSV quoting that only the csv module reads the same way"
    header = [h.strip() for h in next(csv.reader([lines[0]], delimiter=mapping.delimiter))]
    if len(set(header)) != len(header) or not header:
        return "a header the reference reader must judge"
    try:
        raw = pl.read_csv(
            "\n".join(lines).encode("utf-8"),
            separator=mapping.delimiter,
            has_header=True,
            infer_schema=False,
            quote_char='"',
            new_columns=header,
        )
    except pl.exceptions.PolarsError:
        return "rows with more cells than the header"
    if raw.height != len(lines) - 1 or raw.width != len(header):
        return "rows that Polars splits differently"
    # Cells marked as text against spreadsheet formulas lose their quote, as csv_rows
    # does (riskprofile.io._cells.csv_text); one scan finds whether there are any.
    marked = r"^'[=+\-@\t']"
    if raw.select(pl.any_horizontal(pl.col(header).str.contains(marked)).any()).item():
        raw = raw.with_columns(
            pl.when(pl.col(h).str.contains(marked)).then(pl.col(h).str.slice(1))
            .otherwise(pl.col(h)).alias(h)
            for h in header
        )  # fmt: skip
    raw = raw.with_columns(pl.int_range(2, raw.height + 2, dtype=pl.Int64).alias("__line__"))
    # The csv module skips rows whose every cell is blank (they are not records).
    blank = pl.all_horizontal(
        [pl.col(h).is_null() | (pl.col(h).str.strip_chars(PY_WHITESPACE) == "") for h in header]
    )
    records = raw.filter(~blank)

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        names = [*header, "__line__"] if columns is None else [*columns, "__line__"]
        return records.select(names).slice(start, stop - start).rechunk()

    return _Source(header, records.height, load)


# --- value helpers -------------------------------------------------------------------------
#
# Text is normalised the way Python does it (str.strip, str.split, str.upper differ from
# Rust's outside ASCII), so each normaliser runs in Python once per distinct value, or on
# a vectorised fast path only for values whose shape makes both agree.
