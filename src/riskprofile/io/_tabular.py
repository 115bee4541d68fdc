"""How riskprofile reads delimited text (CSV, TSV): one policy for every reader.

Three readers read delimited text files: the model path (:func:`~riskprofile.read_batch`,
through :func:`~riskprofile.io._table.csv_rows`), the column-wise reader
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
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TextIO

from riskprofile.errors import InputFormatError
from riskprofile.io._layout import ColumnMapping

__all__ = ["BOM", "decode_table", "open_table", "table_mapping"]

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
