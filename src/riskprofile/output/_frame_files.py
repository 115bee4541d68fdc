"""The files of a column-wise run's tables (:mod:`riskprofile.output._frame`): CSV, JSON
and Arrow, with the bytes the row-wise tables give (``csv_line``, ``json.dumps``,
``pyarrow.Table.from_pylist``), written by polars column-wise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from riskprofile.io import csv_cell
from riskprofile.io.shared import csv_line
from riskprofile.output._frame import _NULLABLE, _NUMBERS

__all__ = [
    "arrow_table", "csv_parts", "csv_text", "json_list", "json_parts", "json_text", "write_csv",
    "write_parts",
]  # fmt: skip

# The first characters that may make a cell a formula (or a quote before one): all
# ASCII, so a cell that may need ``csv_cell`` is known by its first byte alone (a
# character beyond ASCII starts with a byte of 0xC0 or more in UTF-8).
_CELL_FIRST = "=+-@\t\r'"
_CELL_FIRST_BYTES = [ord(c) for c in _CELL_FIRST]


def _csv_column(values: pl.Series) -> pl.Series:
    """A text column's cells as :func:`~riskprofile.io._cells.csv_cell` makes them: a
    formula-like cell prefixed with a quote, decided by ``csv_cell`` itself once per
    distinct value that may need it (those that start with ``= + - @``, a tab, a CR or a
    quote: known by the cell's first byte). An empty text becomes null: polars writes
    ``""`` for an empty text, the csv module (and ``csv_line``) nothing, as for None."""
    text = values.cast(pl.String)
    # By the first byte: about half the CPU of an anchored regular expression per cell
    # (docs/performance.md: the CSV files of a million-shipment run).
    first = text.cast(pl.Binary).bin.get(0, null_on_oob=True)
    marked = first.is_in(pl.Series(_CELL_FIRST_BYTES, dtype=pl.UInt8).implode()).fill_null(False)
    if marked.any():
        distinct = text.filter(marked).unique().to_list()
        changed = {v: str(csv_cell(v)) for v in distinct if str(csv_cell(v)) != v}
        if changed:
            text = text.replace(list(changed), list(changed.values()))
    return text.replace("", None).alias(values.name)


def _csv_cells(table: pl.DataFrame, column: str) -> pl.Series:
    if column in _NUMBERS:
        return table.get_column(f"{column}_text").alias(column)
    values = table.get_column(column)
    if values.dtype == pl.Boolean:  # str(True)
        return values.replace_strict({True: "True", False: "False"}, return_dtype=pl.String).alias(
            column
        )
    if values.dtype.is_integer():
        return values.cast(pl.String).alias(column)
    return _csv_column(values).alias(column)


def csv_frame(table: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """A container or hit frame as the text cells :func:`~riskprofile.io._cells.csv_line`
    writes (before quoting), empty cells null: what :func:`write_csv` writes.

    polars' ``write_csv(quote_style="necessary")`` quotes a cell holding the separator,
    a double quote, LF or CR, doubling quotes, and writes null as nothing: the quoting
    of ``csv_line`` (the tests compare the bytes)."""
    if table.height == 0:
        return pl.DataFrame(schema=dict.fromkeys(columns, pl.String))
    return pl.DataFrame([_csv_cells(table, c) for c in columns])


def write_csv(table: pl.DataFrame, columns: Sequence[str], target: Any = None) -> str | None:
    """The CSV file of a container or hit frame, with the bytes of ``csv_line`` row by
    row: written to ``target`` (a path), or returned as text when ``target`` is None."""
    cells = csv_frame(table, columns)
    if cells.height == 0:
        text = csv_line(columns)
        if target is None:
            return text
        Path(target).write_text(text, encoding="utf-8")
        return None
    written: str | None = cells.write_csv(
        target, quote_style="necessary", line_terminator="\n", include_header=True
    )
    return written


def csv_parts(table: pl.DataFrame, columns: Sequence[str]) -> Iterator[str]:
    """The text of :func:`csv_text` in parts of at most ``_JSON_ROWS`` rows each (the
    header with the first), to be written one after the other: the whole run's text is
    never held at once."""
    cells = csv_frame(table, columns)
    if cells.height == 0:
        yield csv_line(columns)
        return
    for start in range(0, cells.height, _JSON_ROWS):
        yield cells.slice(start, _JSON_ROWS).write_csv(
            quote_style="necessary", line_terminator="\n", include_header=start == 0
        )


def csv_text(table: pl.DataFrame, columns: Sequence[str]) -> str:
    """The CSV text of a container or hit frame: the bytes of ``csv_line`` row by row."""
    text = write_csv(table, columns)
    assert text is not None
    return text


# What json.dumps(..., ensure_ascii=False) escapes in a text: the quote, the backslash,
# and every control character below U+0020 (the usual five by name, the others as \u00XX).
_JSON_NAMED = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\b": "\\b", "\f": "\\f"}  # fmt: skip
_JSON_ESCAPES = {
    **{chr(c): f"\\u{c:04x}" for c in range(0x20) if chr(c) not in _JSON_NAMED},
    **_JSON_NAMED,
}
_JSON_SPECIAL = r'[\x00-\x1f"\\]'
# Rows of a JSON list put together at once: tens of MB of text, not the whole run's GB.
_JSON_ROWS = 65_536


def _json_column(table: pl.DataFrame, column: str) -> tuple[pl.Series, bool]:
    """A column's values as ``json.dumps`` writes them (text escaped, None ``null``,
    Booleans ``true``/``false``, numbers as the row-wise tables hold them), and whether
    they still need their quotes: a text column without None is quoted as its row is put
    together (one copy of the text fewer).

    Only the texts that hold a character to escape are escaped (few: the scan that finds
    them costs a fraction of rewriting every text)."""
    if column in _NUMBERS:
        return table.get_column(f"{column}_text").alias(column), False
    values = table.get_column(column)
    if values.dtype == pl.Boolean:
        text = values.replace_strict({True: "true", False: "false"}, return_dtype=pl.String)
    elif values.dtype.is_integer():
        text = values.cast(pl.String)
    else:
        text = values.cast(pl.String)
        special = text.str.contains(_JSON_SPECIAL).fill_null(False)
        if special.any():
            at = special.arg_true()
            escaped = text.gather(at).str.replace_many(
                list(_JSON_ESCAPES), list(_JSON_ESCAPES.values())
            )
            text = text.scatter(at, escaped)
        if text.null_count() == 0:
            return text.alias(column), True
        text = pl.select(pl.concat_str(pl.lit('"'), pl.lit(text), pl.lit('"'))).to_series()
    return text.fill_null("null").alias(column), False


def _json_rows(table: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """One text per row: the row as ``json.dumps(rows, indent=2)`` writes it inside a
    top-level key's list (the row's braces indented by four spaces, its keys by six)."""
    cells = [_json_column(table, c) for c in columns]
    pieces: list[pl.Expr] = []
    quote = ""  # the closing quote of the previous cell, when it is put here
    for n, (column, (_cell, quoted)) in enumerate(zip(columns, cells, strict=True)):
        opening = "    {\n" if n == 0 else quote + ",\n"
        pieces += [pl.lit(f'{opening}      "{column}": ' + ('"' if quoted else "")), pl.col(column)]
        quote = '"' if quoted else ""
    pieces.append(pl.lit(quote + "\n    }"))
    return pl.DataFrame([cell for cell, _quoted in cells]).select(
        pl.concat_str(pieces).alias("row")
    )


def json_parts(table: pl.DataFrame, columns: Sequence[str]) -> Iterator[str | pl.DataFrame]:
    """The text of :func:`json_list` in parts, to be written one after the other: texts,
    and frames of one text column whose rows are written each followed by ``",\n"``
    (``write_csv`` without quoting or header, as :func:`write_parts` does). The whole run's
    text is never held at once."""
    if table.height == 0:
        yield "[]"
        return
    yield "[\n"
    for start in range(0, table.height, _JSON_ROWS):
        rows = _json_rows(table.slice(start, _JSON_ROWS), columns)
        if start + _JSON_ROWS < table.height:
            yield rows
        else:  # the list's last row: no comma after it
            if rows.height > 1:
                yield rows.head(rows.height - 1)
            yield str(rows.item(rows.height - 1, 0)) + "\n  ]"


def write_parts(parts: Iterable[str | pl.DataFrame], handle: BinaryIO) -> None:
    """Write :func:`json_parts` (and texts around them) to a binary file as UTF-8."""
    for part in parts:
        if isinstance(part, str):
            handle.write(part.encode("utf-8"))
        else:
            part.write_csv(handle, include_header=False, quote_style="never", line_terminator=",\n")


def json_text(rows: pl.DataFrame) -> str:
    """A frame part of :func:`json_parts` as text: its rows, each followed by ``",\n"``."""
    text: str = rows.write_csv(include_header=False, quote_style="never", line_terminator=",\n")
    return text


def json_list(table: pl.DataFrame, columns: Sequence[str]) -> str:
    """A container or hit frame as ``json.dumps(rows, indent=2, ensure_ascii=False)``
    writes the list of its rows as a value of a top-level key (the list's lines indented
    by two spaces, the rows' by four and their keys by six)."""
    return "".join(p if isinstance(p, str) else json_text(p) for p in json_parts(table, columns))


def arrow_table(table: pl.DataFrame, columns: Sequence[str]) -> Any:
    """A container or hit frame as the Arrow table ``pyarrow.Table.from_pylist`` makes of
    the row-wise rows (whole numbers int64, else float64; a column of None null)."""
    import pyarrow as pa

    if table.height == 0:
        return pa.table({c: pa.array([], pa.string()) for c in columns})
    arrays = {}
    for column in columns:
        if column in _NUMBERS:
            if table.get_column(f"{column}_whole").all():
                arrays[column] = pa.array(
                    table.get_column(f"{column}_float").cast(pl.Int64).to_arrow(), pa.int64()
                )
            else:
                arrays[column] = table.get_column(f"{column}_float").to_arrow()
            continue
        values = table.get_column(column)
        if column in _NULLABLE and values.null_count() == table.height:
            arrays[column] = pa.nulls(table.height)
            continue
        if values.dtype == pl.Boolean:
            target = pa.bool_()
        elif values.dtype.is_integer():
            target = pa.int64()
        else:
            target = pa.string()
        arrays[column] = values.to_arrow().cast(target)
    return pa.table(arrays).combine_chunks()
