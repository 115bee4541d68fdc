"""Loading a flat file's records as text columns, a slice at a time."""

from __future__ import annotations

import bisect
import csv
import itertools
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import polars as pl

from riskprofile.io._frame._row_groups import row_group_sizes
from riskprofile.io._frame._values import _WS_INNER
from riskprofile.io._layout import ColumnMapping
from riskprofile.io._tabular import table_utf8


class _UnreadableError(Exception):
    """The file turned out unreadable column-wise halfway: the model path reads it."""


@dataclass(frozen=True)
class _Source:
    """The file's records, loaded a slice at a time: every column as text, one chunk,
    and ``__line__`` (the record's line or row number)."""

    header: list[str]
    height: int
    load: Callable[[int, int, list[str] | None], pl.DataFrame]
    # Columns of every record loaded with the file (a CSV file's, parsed while its bytes
    # were in memory), until :meth:`every` hands them over.
    kept: dict[str, pl.DataFrame] = field(default_factory=dict)

    def rows(self, start: int, stop: int, columns: list[str] | None = None) -> pl.DataFrame:
        """Records ``start`` to ``stop`` (of the file's records), ``columns`` of them or
        all, with ``__line__``."""
        return self.load(start, stop, columns)

    def every(self, columns: list[str]) -> pl.DataFrame:
        """``rows(0, height, columns)``: those loaded with the file when they are these
        (handed over once), else loaded now."""
        kept = self.kept.pop("every", None)
        if kept is not None and kept.columns == [*columns, "__line__"]:
            return kept
        return self.rows(0, self.height, columns)


def _load_parquet(path: Path) -> _Source | str:
    try:
        schema = pl.read_parquet_schema(path)
        height = pl.scan_parquet(path).select(pl.len()).collect().item()
    except Exception:  # the model path reports an unreadable file properly
        return "the Parquet file cannot be read column-wise"
    if any(dtype not in (pl.String, pl.Null) for dtype in schema.values()):
        return "Parquet columns that are not text"

    groups = _RowGroups(path, height, list(schema))

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        # Only the row groups of the slice are read. Their chunks are kept (the steps
        # after take the rows they need by masks, which do not join chunks).
        if columns is None and groups.bounds is not None:
            return groups.rows(start, stop)
        return _scan(path, start, stop, list(schema) if columns is None else columns)

    return _Source(list(schema), height, load)


def _scan(path: Path, start: int, stop: int, names: list[str]) -> pl.DataFrame:
    """Records ``start`` to ``stop`` of a Parquet file, ``names`` of its columns and
    ``__line__``. The line numbers are made in the same query, chunked as the cells are:
    an expression over columns chunked differently joins their chunks first."""
    line = pl.int_range(pl.len(), dtype=pl.Int64) + (start + 1)
    try:
        return (
            pl.scan_parquet(path)
            .select(names)
            .slice(start, stop - start)
            .with_columns(pl.col(pl.Null).cast(pl.String), line.alias("__line__"))
            .collect()
        )
    except pl.exceptions.PolarsError as exc:
        raise _UnreadableError("the Parquet file cannot be read column-wise") from exc


class _RowGroups:
    """A Parquet file's records by row group, each decoded once: a slice that begins or
    ends inside a row group made Polars decode all of it, so that slices cut at vessel
    calls decoded most row groups twice (a quarter of loading them at a million
    shipments). A row group part of whose rows a slice took is kept until the slices
    have taken the rest (slices are read two at a time, in file order)."""

    def __init__(self, path: Path, height: int, names: list[str]) -> None:
        sizes = row_group_sizes(path)
        self.bounds: list[int] | None = None
        if sizes and sum(sizes) == height and len(sizes) > 1:
            self.bounds = [0, *itertools.accumulate(sizes)]
        self.path = path
        self.names = names
        self.kept: dict[int, pl.DataFrame] = {}
        self.left: dict[int, int] = {}  # rows of a kept row group no slice took yet
        self.guard = threading.Lock()
        self.locks: dict[int, threading.Lock] = {}

    def rows(self, start: int, stop: int) -> pl.DataFrame:
        """Records ``start`` to ``stop``: the parts of the row groups that hold them, in
        their chunks."""
        assert self.bounds is not None
        bounds = self.bounds
        first = bisect.bisect_right(bounds, start) - 1
        parts = []
        for group in range(first, len(bounds) - 1):
            low, high = bounds[group], bounds[group + 1]
            if low >= stop:
                break
            begin, end = max(start, low), min(stop, high)
            if begin >= end:
                continue
            parts.append(self._group(group, end - begin).slice(begin - low, end - begin))
        if not parts:
            return _scan(self.path, start, stop, self.names)
        return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]

    def _group(self, group: int, taken: int) -> pl.DataFrame:
        """Row group ``group`` decoded (once), of which a slice takes ``taken`` rows."""
        assert self.bounds is not None
        size = self.bounds[group + 1] - self.bounds[group]
        with self.guard:
            lock = self.locks.setdefault(group, threading.Lock())
        with lock:
            with self.guard:
                frame = self.kept.get(group)
            if frame is None:
                frame = _scan(self.path, self.bounds[group], self.bounds[group + 1], self.names)
            with self.guard:
                left = self.left.get(group, size) - taken
                if left > 0:
                    self.kept[group], self.left[group] = frame, left
                else:
                    self.kept.pop(group, None)
                    self.left.pop(group, None)
            return frame


def _field_pattern(delimiter: str) -> str:
    d = re.escape(delimiter)
    cell = f'(?:[^"{d}\\n]*|"(?:[^"]|"")*")'
    return f"^{cell}(?:{d}{cell})*$"


def _load_csv(
    path: Path, mapping: ColumnMapping, every: Callable[[list[str], int], list[str]] | None = None
) -> _Source | str:
    """The CSV file's records as text columns, or why the model path must read it.

    The file is kept as UTF-8 bytes and each slice of records is parsed by Polars when
    it is read: the whole file as Python text (a copy per line, the lines joined again)
    cost five times the file in memory, and the whole file parsed at once twice the file
    (sixteen bytes a cell, whatever its text).

    ``every``, given the header and the number of records, names the columns the reader
    will need of every record (:meth:`_Source.every`; none for a file of one slice):
    they are parsed here, from the bytes already in memory, instead of from a second
    reading of the file."""
    delimiter = mapping.delimiter
    if delimiter in ('"', "\n", "\r"):
        return "an unusual delimiter"
    try:
        with path.open("rb") as handle:
            identity = _identity(handle)
            stored = handle.read()
        data = table_utf8(stored, mapping)
    except (OSError, UnicodeDecodeError, LookupError):
        return "the file cannot be decoded column-wise"
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if b"\r" in data:
            return "line breaks other than LF and CRLF"
    if not data or b"\x00" in data:
        return "an empty file or NUL characters"
    at = _offset_in(stored, data)
    del stored
    lines = _lines(data)
    if lines is None:  # Polars refuses bytes that are not UTF-8
        return "the file cannot be decoded column-wise"
    # The file's lines as the csv module sees them (a last line break ends the last line).
    if lines.len() != data.count(b"\n") + (0 if data.endswith(b"\n") else 1):
        return "rows that Polars splits differently"
    # Every line must be one record of plain RFC 4180 cells (quoted cells with doubled
    # quotes, no line breaks inside): then line numbers are physical lines, any run of
    # lines parses alone, and Polars splits cells exactly as Python's csv module does.
    # A line without quotes is such a line.
    quoted = lines.filter(lines.str.contains('"', literal=True))
    if not quoted.str.contains(_field_pattern(delimiter)).all():
        return "CSV quoting that only the csv module reads the same way"
    del quoted
    header = [h.strip() for h in next(csv.reader([lines[0] or ""], delimiter=delimiter), [])]
    if len(set(header)) != len(header) or not header:
        return "a header the reference reader must judge"
    # Where each line ends in the bytes (after its line break).
    ends = (lines.str.len_bytes().fill_null(0).cast(pl.Int64) + 1).cum_sum()
    records = _record_lines(lines, delimiter)
    del lines
    head = data[: int(ends[0])]
    size = len(data)

    def text_of(first: int, begin: int, end: int) -> bytes:
        # The header and the slice's lines in one copy at most (a slicing of the bytes,
        # then a concatenation, made two: a GB each when the vessel calls of the whole
        # file are read); none when they are the start of the file (``data[:end]`` of
        # the whole file is the file itself).
        return data[:end] if first == 2 else b"".join((head, memoryview(data)[begin:end]))

    delimiter_bytes = delimiter.encode()

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        names = header if columns is None else columns
        if stop <= start:
            empty = pl.DataFrame(schema=dict.fromkeys(names, pl.String))
            return empty.with_columns(pl.lit(0, pl.Int64).alias("__line__")).clear()
        first, last = int(records[start]), int(records[stop - 1])  # lines, from 1
        text = text_of(first, int(ends[first - 2]), int(ends[last - 1]))
        # The line numbers come with the cells (a file's own column of that name is
        # ignored by the reader, so it is not read).
        names = [n for n in names if n != "__line__"]
        try:
            raw = pl.read_csv(
                text, separator=delimiter, has_header=True, infer_schema=False,
                quote_char='"', columns=[header.index(n) for n in names],
                row_index_name="__line__", row_index_offset=first,
            )  # fmt: skip
        except pl.exceptions.PolarsError as exc:
            raise _UnreadableError("rows with more cells than the header") from exc
        # Cells marked as text against spreadsheet formulas lose their quote, as
        # csv_rows does (riskprofile.io._cells.csv_text); the bytes tell whether any cell
        # may start with one, then a plain prefix test finds the columns that may.
        marks = _may_start_cells(text, delimiter_bytes)
        del text
        if raw.height != last - first + 1:
            raise _UnreadableError("rows that Polars splits differently")
        raw.columns = ["__line__", *names]
        marked = r"^'[=+\-@\t']"
        maybe = (
            raw.select(pl.col(names).str.starts_with("'").any()).row(0)
            if marks
            else [False] * len(names)
        )
        raw = raw.with_columns(
            pl.when(pl.col(n).str.contains(marked)).then(pl.col(n).str.slice(1))
            .otherwise(pl.col(n)).alias(n)
            for n, m in zip(names, maybe, strict=True) if m
        )  # fmt: skip
        raw = raw.select(*names, pl.col("__line__").cast(pl.Int64))
        if last - first + 1 != stop - start:  # blank lines among these records
            raw = raw.filter(pl.col("__line__").is_in(records.slice(start, stop - start).implode()))
        # Polars parses in many small chunks (some sixty a slice), which the later steps
        # would each join again: joined here, once.
        return raw.rechunk()

    kept: dict[str, pl.DataFrame] = {}
    wanted = every(header, records.len()) if every is not None else []
    if wanted:
        try:
            kept["every"] = load(0, records.len(), wanted)
        except _UnreadableError as exc:
            return str(exc)

    if at is not None:
        # The bytes are the file's own from ``at`` on (UTF-8 with LF line breaks, the
        # usual case): each slice reads its lines from the file again, so that the
        # file's bytes (a GB at a million shipments) are not held while the slices are
        # parsed. A file that changes meanwhile is read by the model path instead.
        del data

        def text_of(first: int, begin: int, end: int) -> bytes:
            # The line before the slice stands in for the header when it has as many
            # cells (Polars takes the header for the number of columns; the names are
            # set after the parse): the slice's lines are then read in one piece, not
            # read and copied again after the header (a fresh 100 MB a slice at 1M).
            start = 0 if first == 2 else int(ends[first - 3])
            with path.open("rb") as handle:
                if _identity(handle) != identity:
                    raise _UnreadableError("the file changed while it was read")
                handle.seek(at + start)
                lines = handle.read(min(end, size) - start)
            if len(lines) != min(end, size) - start:
                raise _UnreadableError("the file changed while it was read")
            if first == 2 or _same_width(lines[: begin - start], delimiter, len(header)):
                return lines
            return b"".join((head, memoryview(lines)[begin - start :]))

    return _Source(header, records.len(), load, kept)


def _same_width(line: bytes, delimiter: str, width: int) -> bool:
    """Whether one line of the file (with its line break) is ``width`` cells that Polars
    may take as a header: not blank, split by the csv module into that many (the file
    passed the RFC 4180 check, so Polars splits it alike), none named ``__line__``."""
    text = line.decode("utf-8", "replace").removesuffix("\n")  # Polars refuses what is not
    if not text.strip():
        return False
    cells = next(csv.reader([text], delimiter=delimiter), [])
    # A cell named as the line numbers' column would clash with it in Polars.
    return len(cells) == width and all(cell.strip() != "__line__" for cell in cells)


# Past this many apostrophes in a slice, its cells are tested by Polars instead.
_APOSTROPHES_LOOKED_AT = 100_000


def _may_start_cells(text: bytes, delimiter: bytes) -> bool:
    """Whether a CSV cell of ``text`` (whole lines) may start with an apostrophe: one
    starts the text or follows a line break, the delimiter or a quote (which may open a
    quoted cell). False is certain; True is checked cell by cell. Apostrophes are found
    as single bytes (``memchr``, as fast as a copy), and most have a letter before them
    (``O'BRIEN``, ``MEN'S``)."""
    at = text.find(b"'")
    seen = 0
    width = len(delimiter)
    while at != -1:
        if at == 0 or text[at - 1] in b'\n"' or text[max(0, at - width) : at] == delimiter:
            return True
        seen += 1
        if seen > _APOSTROPHES_LOOKED_AT:
            return True
        at = text.find(b"'", at + 1)
    return False


def _identity(handle: BinaryIO) -> tuple[int, int, int, int]:
    """What tells an open file from the same file changed: device, inode, size and the
    time of its last change (in nanoseconds)."""
    stat = os.fstat(handle.fileno())
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def _offset_in(stored: bytes, data: bytes) -> int | None:
    """Where ``data`` starts in the file's bytes ``stored`` when it is their end (the
    file's own bytes, byte order marks dropped), else None (decoded from another
    encoding, line breaks rewritten)."""
    if data is stored:
        return 0
    at = len(stored) - len(data)
    if at > 0 and memoryview(stored)[at:] == memoryview(data):
        return at
    return None


def _lines(data: bytes) -> pl.Series | None:
    """The file's lines (null for an empty one), or None when it is not UTF-8."""
    try:
        # Each line as one cell: NUL, absent from the file, is the delimiter.
        return pl.read_csv(
            data, has_header=False, separator="\x00", quote_char=None,
            schema={"line": pl.String},
        ).get_column("line")  # fmt: skip
    except pl.exceptions.PolarsError:
        return None


def _record_lines(lines: pl.Series, delimiter: str) -> pl.Series:
    """The numbers (from 1, the header's) of the lines that are records: the csv module
    skips a row whose every cell is blank, so that a line of only blanks, delimiters
    and quotes is parsed as it does to tell (few are), the others are records."""
    maybe_blank = f'^[{_WS_INNER}{re.escape(delimiter)}"]*$'
    body = lines.slice(1)
    suspect = (body.is_null() | body.str.contains(maybe_blank)).arg_true()
    blank = [
        int(at) + 2
        for at, line in zip(suspect.to_list(), body.gather(suspect).to_list(), strict=True)
        if all(not cell.strip() for cell in next(csv.reader([line or ""], delimiter=delimiter), []))
    ]
    numbers = pl.int_range(2, lines.len() + 1, dtype=pl.Int64, eager=True)
    if blank:
        numbers = numbers.filter(~numbers.is_in(pl.Series(blank, dtype=pl.Int64).implode()))
    return numbers


# --- value helpers -------------------------------------------------------------------------
#
# Text is normalised the way Python does it (str.strip, str.split, str.upper differ from
# Rust's outside ASCII), so each normaliser runs in Python once per distinct value, or on
# a vectorised fast path only for values whose shape makes both agree.
