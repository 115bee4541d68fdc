"""CSV cells a spreadsheet shows as text and never runs as a formula (CSV injection).

Manifest text is untrusted: a vessel name, a B/L or container number, a party name or a
goods description can start with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return), which a spreadsheet opening the CSV file runs as a formula
(``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``). As OWASP recommends, every CSV file
riskprofile writes prefixes such a cell with a single quote: the spreadsheet shows the
text, the quote marks it as text. Numbers stay numbers: ``-5`` or ``+3.25`` is a number,
not a formula, and is written as it is.

Every CSV writer of riskprofile writes its records with :func:`csv_line`: the cells
through :func:`csv_cell`, quoted as the ``csv`` module quotes them, and also quoted when
they hold a carriage return (the ``csv`` module leaves a bare one in a file whose lines
end with a line feed, and a spreadsheet or a reader starts a new row there: the rest of
the cell becomes a row of its own, its first cell unchecked).

The readers of riskprofile's own CSV files (flat batches, outcome files, watch lists,
planted cases and patterns) undo it with :func:`csv_text`, so that every file
round-trips exactly. To make that exact, a cell that already starts with a quote
followed by one of those characters or by another quote gets one quote more; only such
cells lose their first quote when read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TextIO, TypeVar

__all__ = ["FORMULA_TRIGGERS", "CsvWriter", "csv_cell", "csv_line", "csv_text"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_MARKED = (*FORMULA_TRIGGERS, "'")
T = TypeVar("T")


def csv_cell(value: T) -> T | str:
    """``value`` as a CSV cell that is never a formula: text starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading ``'`` (a plain number such as
    ``-5`` excepted); anything that is not text is returned as it is.

    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-5"), csv_cell(-5), csv_cell("MSC ANNA")
    ('\\'=HYPERLINK("http://x")', '-5', -5, 'MSC ANNA')
    """
    if not isinstance(value, str) or not value:
        return value
    first = value[0]
    if first in FORMULA_TRIGGERS:
        return value if _NUMBER.fullmatch(value) else "'" + value
    if first == "'" and len(value) > 1 and value[1] in _MARKED:
        return "'" + value  # so that reading it back takes exactly one quote off
    return value


def csv_text(cell: str) -> str:
    """A cell as :func:`csv_cell` was given it: the quote it added is taken off.

    >>> csv_text("'=SUM(A1)"), csv_text("''=x"), csv_text("'quoted'"), csv_text("-5")
    ('=SUM(A1)', "'=x", "'quoted'", '-5')
    """
    if len(cell) > 1 and cell[0] == "'" and cell[1] in _MARKED:
        return cell[1:]
    return cell


def csv_line(cells: Iterable[Any], *, lineterminator: str = "\n", delimiter: str = ",") -> str:
    """One CSV record: each cell through :func:`csv_cell` (None is empty), quoted when it
    holds the delimiter, a double quote, a line feed or a carriage return (quotes
    doubled), ended by ``lineterminator``. Without a carriage return anywhere, the bytes
    are those of ``csv.writer`` with the same line terminator.

    >>> print(csv_line(["MSKU1234565", "=1+1", -5, None, "a,b"]), end="")
    MSKU1234565,'=1+1,-5,,"a,b"
    """
    out = []
    for value in cells:
        text = "" if value is None else str(csv_cell(value))
        if delimiter in text or '"' in text or "\n" in text or "\r" in text:
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    if out == [""]:
        out = ['""']  # as the csv module writes a record of one empty cell
    return delimiter.join(out) + lineterminator


class CsvWriter:
    """``csv.writer``'s ``writerow`` (same default line ending, ``\\r\\n``) with every
    record written by :func:`csv_line`: what each CSV writer of riskprofile uses."""

    def __init__(self, handle: TextIO, *, lineterminator: str = "\r\n") -> None:
        self._handle = handle
        self._end = lineterminator

    def writerow(self, cells: Iterable[Any]) -> None:
        """Write one record."""
        self._handle.write(csv_line(cells, lineterminator=self._end))
