"""Tabular files in: the file policies every reader follows, and a file's rows.

Three readers read delimited text files: the model path (:func:`~riskprofile.read_batch`,
through :func:`csv_rows`), the column-wise reader
(:func:`~riskprofile.io.read_frame`) and the outcome reader
(:func:`~riskprofile.evaluation.read_outcomes`). Each takes its file policies from here,
so that the same file reads the same way through each of them:

- the delimiter is the mapping's; a ``.tsv`` file whose mapping leaves the default comma
  is tab-separated (:func:`table_mapping`);
- the text encoding is the mapping's (``utf-8-sig`` unless it says otherwise);
- a byte order mark at the start of the text is dropped whatever the declared encoding
  (a spreadsheet's "CSV UTF-8" export starts with one, and a mapping that says
  ``utf-8`` would otherwise turn the first column's name into an unknown column);
- line breaks are read as written (``newline=""``): a line separator inside a quoted
  cell, such as U+2028, does not end a record.

What a reader does with bytes its encoding cannot decode stays the reader's choice (the
batch readers reject that record alone; the outcome reader refuses the file).

:func:`csv_rows` and :func:`parquet_rows` give a file's header and rows, each with its
line or row number, to the model path and the outcome reader.
"""

from __future__ import annotations

import codecs
import csv
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from riskprofile.errors import InputFormatError
from riskprofile.io._cells import csv_text
from riskprofile.io._layout import ColumnMapping

__all__ = [
    "BOM",
    "UNCLOSED",
    "UNDECODABLE",
    "LinesRead",
    "allow_any_csv_cell",
    "csv_rows",
    "decode_table",
    "open_table",
    "parquet_rows",
    "require_batch_file",
    "table_mapping",
    "table_utf8",
    "unclosed_header",
    "unclosed_reason",
    "undecodable_cell",
]

BOM = "\ufeff"
"""The byte order mark, as text: dropped from the start of every table."""

_TAB_SEPARATED = frozenset({".tsv"})


def table_mapping(path: Path, mapping: ColumnMapping) -> ColumnMapping:
    """``mapping`` with the delimiter the file takes: a tab for a ``.tsv`` file when the
    mapping leaves the default comma.

    >>> table_mapping(Path("a.tsv"), ColumnMapping.identity()).delimiter
    '\\t'
    >>> table_mapping(Path("a.csv"), ColumnMapping.identity()).delimiter
    ','
    """
    if path.suffix.lower() in _TAB_SEPARATED and mapping.delimiter == ",":
        return replace(mapping, delimiter="\t")
    return mapping


def decode_table(data: bytes, mapping: ColumnMapping, errors: str = "strict") -> str:
    """A table's bytes as text: the mapping's encoding, without a leading byte order mark.

    Raises:
        UnicodeDecodeError: a byte is not text in that encoding (with ``errors="strict"``).

    >>> decode_table(b"\\xef\\xbb\\xbfa,b", ColumnMapping.from_dict({"encoding": "utf-8"}))
    'a,b'
    """
    return data.decode(mapping.encoding, errors).removeprefix(BOM)


_UTF8_CODECS = frozenset({"utf-8", "utf-8-sig"})
_UTF8_BOM = BOM.encode("utf-8")


def table_utf8(data: bytes, mapping: ColumnMapping) -> bytes:
    """A table's text as :func:`decode_table` gives it, as UTF-8 bytes, for a parser of
    bytes. A file in UTF-8 is not decoded (a gigabyte of text would be copied twice): its
    bytes are kept without the byte order mark(s) ``decode_table`` drops, and are NOT
    validated here - the caller's parser must refuse bytes that are not UTF-8 (Polars'
    CSV reader does, as strictly as Python's codec). Another encoding is decoded.

    Raises:
        UnicodeDecodeError: a byte is not text in a non-UTF-8 encoding.
        LookupError: the encoding is unknown.

    >>> table_utf8(b"\\xef\\xbb\\xbfa,b", ColumnMapping.identity())
    b'a,b'
    >>> table_utf8("é,b".encode("latin-1"), ColumnMapping.from_dict({"encoding": "latin-1"}))
    b'\\xc3\\xa9,b'
    """
    codec = codecs.lookup(mapping.encoding).name
    if codec not in _UTF8_CODECS:
        return decode_table(data, mapping).encode("utf-8")
    # utf-8-sig's decoder drops one mark; decode_table drops one more whatever the codec.
    marks = 2 if codec == "utf-8-sig" else 1
    skip = 0
    while marks and data.startswith(_UTF8_BOM, skip):
        skip += len(_UTF8_BOM)
        marks -= 1
    return data[skip:] if skip else data


def open_table(
    path: Path, mapping: ColumnMapping, source: str, *, errors: str = "strict"
) -> TextIO:
    """The file opened as text for the csv module: the mapping's encoding, line breaks as
    written, positioned after a leading byte order mark.

    Raises:
        InputFormatError: the file cannot be opened.
    """
    try:
        handle = open(path, encoding=mapping.encoding, errors=errors, newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputFormatError(f"cannot open: {exc.strerror or exc}", path=source) from None
    try:
        if handle.read(1) != BOM:
            handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


# --- sources: a file's header and rows -----------------------------------------------------


# The csv module refuses a cell over 128 KiB by default, which made a whole batch
# unreadable for one cell. Cells of any size are read; the data model then refuses a
# value longer than MAX_TEXT_CHARS in that record alone. (The limit is process-wide: it
# is only ever raised.)
_CSV_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def allow_any_csv_cell() -> None:
    """Let the csv module read cells of any size (the model judges their length)."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)


# A byte the file's encoding cannot decode, as ``errors="surrogateescape"`` keeps it.
_UNDECODED = re.compile("[\udc80-\udcff]")
UNDECODABLE = "__undecodable__"
"""The key of a row whose cell is not text in the file's encoding: its value is
``(column, cell shown with the bad bytes as \\xNN)``. The row is that record's rejection,
not the batch's."""


def undecodable_cell(header: list[str], cells: list[str]) -> tuple[str, str] | None:
    """The first cell holding a byte the encoding could not decode (read with
    ``errors="surrogateescape"``), as (column, the cell with that byte shown as ``\\xNN``)."""
    if "".join(cells).isascii():
        return None
    for index, cell in enumerate(cells):
        if _UNDECODED.search(cell):
            column = header[index] if index < len(header) else f"cell {index + 1}"
            shown = cell.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
            return column, shown[:80]
    return None


UNCLOSED = "__unclosed__"
"""The key of the row :func:`csv_rows` gives for a record whose quoted cell never closes
(the value: the file's last line, up to which the csv module read it as one cell)."""


class LinesRead:
    """A text file's lines as the csv module takes them, saying whether the file ran out
    under a record (``ended``). The csv module asks for a line past the end only from
    inside a quoted cell (no escape character is set): lenient, it then gives the cell
    read to the end of the file, every later line in it, without a word; so a record read
    once ``ended`` is set is one whose quoted cell never closes."""

    def __init__(self, handle: TextIO) -> None:
        self._lines = iter(handle)
        self.ended = False

    def __iter__(self) -> LinesRead:
        return self

    def __next__(self) -> str:
        try:
            return next(self._lines)
        except StopIteration:
            self.ended = True
            raise


def unclosed_reason(first: int, last: int) -> str:
    """Why a record whose quoted cell opened on line ``first`` and never closed before
    the file's last line ``last`` is rejected."""
    return (
        f"a quoted cell opened on this record never closes: lines {first} to {last} (the "
        'end of the file) would be one cell; close its quote (") or double a quote inside '
        'a quoted cell ("")'
    )


def unclosed_header(last: int, source: str) -> InputFormatError:
    """The error for a header whose quoted cell never closes: the csv module read every
    line of the file, to ``last``, into the header, leaving no record."""
    return InputFormatError(
        f"a quoted cell of the header never closes: lines 1 to {last} (the end of the "
        'file) would be the header and no record would be left; close its quote (")',
        path=source,
    )


def csv_rows(
    handle: TextIO, mapping: ColumnMapping, source: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header and the rows of a CSV file, each with the line it starts on.

    ``handle`` is opened with ``errors="surrogateescape"``: a byte that is not text in
    the file's encoding costs its own record (a row keyed :data:`UNDECODABLE`), never
    the batch; in the header it makes the file unreadable.
    """
    allow_any_csv_cell()
    lines = LinesRead(handle)
    reader = csv.reader(lines, delimiter=mapping.delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputFormatError("the file is empty (no header row)", path=source) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputFormatError(f"cannot read the header: {exc}", path=source) from None
    if lines.ended:
        raise unclosed_header(reader.line_num, source)
    if undecodable_cell(header, header) is not None:
        raise InputFormatError(
            f"the header is not {mapping.encoding} text; set 'encoding' in the column mapping",
            path=source,
        )
    header = [h.strip() for h in header]

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        line = reader.line_num
        while True:
            start = line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise InputFormatError(f"line {start}: {exc}", path=source) from None
            line = reader.line_num
            if lines.ended:
                yield start, {UNCLOSED: line}
                return
            if not cells or all(not c.strip() for c in cells):
                continue
            bad = undecodable_cell(header, cells)
            if bad is not None:
                yield start, {UNDECODABLE: bad, "__encoding__": mapping.encoding}
                continue
            if len(cells) > len(header):
                extra = [c for c in cells[len(header) :] if c.strip()]
                if extra:
                    yield start, {"__extra__": extra}
                    continue
            # A cell riskprofile marked as text (a quote before =, +, -, @...) is read as
            # it was before: see riskprofile.io._cells.
            yield start, dict(zip(header, map(csv_text, cells), strict=False))

    return header, rows()


def require_batch_file(path: Path, source: str) -> None:
    """Raise :class:`~riskprofile.errors.InputFormatError` unless ``path`` is a regular
    file, saying what it is instead (missing, a folder, a FIFO or device: a FIFO would
    make the reader wait for ever)."""
    if path.is_file():
        return
    if not path.exists():
        raise InputFormatError("no such file", path=source)
    if path.is_dir():
        raise InputFormatError("a folder, not a batch file", path=source)
    raise InputFormatError("not a regular file (a FIFO, socket or device)", path=source)


def parquet_rows(
    path: Path, source: str, batch_size: int = 8192
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The columns and rows of a Parquet file."""
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types for corrupt files
        raise InputFormatError(f"not a readable Parquet file: {exc}", path=source) from None
    header = list(handle.schema_arrow.names)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        number = 0
        for record_batch in handle.iter_batches(batch_size=batch_size):
            for row in _python_rows(record_batch):
                number += 1
                yield number, row

    return header, rows()


def _python_rows(record_batch: Any) -> list[dict[str, Any]]:
    """The rows of a Parquet record batch as Python values. A value Python cannot hold
    (a timestamp or date beyond year 9999) comes as Arrow's text for it, which the data
    model then refuses for that record alone."""
    try:
        rows: list[dict[str, Any]] = record_batch.to_pylist()
        return rows
    except (OverflowError, ValueError):
        pass
    import pyarrow.compute as pc

    columns: dict[str, list[Any]] = {}
    for name, column in zip(record_batch.schema.names, record_batch.columns, strict=True):
        try:
            columns[name] = column.to_pylist()
            continue
        except (OverflowError, ValueError):
            pass
        texts = pc.cast(column, "string")
        values = []
        for i in range(len(column)):
            try:
                values.append(column[i].as_py())
            except (OverflowError, ValueError):
                values.append(texts[i].as_py())
        columns[name] = values
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
