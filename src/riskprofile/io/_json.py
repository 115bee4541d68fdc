"""Bounded JSON: untrusted JSON text parsed within limits checked before the parser runs.

Python's :func:`json.loads` recurses once per nesting level (``'[' * 5000`` raises
``RecursionError``), converts integers of any length (past 4,300 digits it raises
``ValueError``) and accepts lone UTF-16 surrogates that no UTF-8 writer can write back.
Every JSON input of riskprofile (batches, JSON Lines, outcome files, exchange messages)
goes through this module instead, so that each of these is a clear
:class:`JsonInputError` naming what is wrong and where, never a crash.

The API (private to the package; the limits are documented in ``docs/input.md``):

:class:`JsonLimits`
    ``max_bytes`` (the size of one document), ``max_depth`` (arrays and objects nested in
    one another), ``max_integer_digits`` (digits of one integer literal) and
    ``allow_constants`` (whether ``NaN``, ``Infinity`` and ``-Infinity``, which are not
    JSON, are accepted as Python's ``json`` accepts them).
:data:`DOCUMENT_LIMITS`, :data:`FILE_LIMITS`
    The defaults: one JSON Lines line or one message (16 MiB), a whole JSON batch file
    (256 MiB); both 64 levels deep and 100 digits per integer.
:func:`loads`
    ``loads(data, limits=DOCUMENT_LIMITS) -> Any``: ``data`` as ``bytes`` (UTF-8, an
    initial byte-order mark allowed) or ``str``. The size, then the nesting depth (a
    linear scan of the text, strings skipped, before the parser runs), then the parse
    with the integer limit, then lone surrogates. Raises :class:`JsonInputError`.
:func:`read_document`
    ``read_document(path, limits=FILE_LIMITS) -> Any``: a whole file, read no further
    than the size limit. Raises :class:`JsonInputError` (with ``path``) for the limits,
    the encoding and the syntax, and for a file that cannot be opened.
:func:`iter_lines`
    ``iter_lines(handle, limits=DOCUMENT_LIMITS) -> Iterator[JsonLine]``: a binary file
    of JSON Lines, one :class:`JsonLine` (``number``, ``value``, ``error``) per non-blank
    line. Lines end at ``\\n`` only (``\\r\\n`` is fine; a stray ``\\r`` inside a line does
    not start a new one), so ``number`` is the physical line. A line over the size
    limit is skipped unread (memory stays bounded) and reported as an error; a bad line
    never stops the lines after it.
:func:`nesting_depth`
    ``nesting_depth(data: bytes) -> int``: the deepest nesting of arrays and objects
    outside strings (the scan ``loads`` uses).

>>> loads(b'{"packages": [1, 2]}')
{'packages': [1, 2]}
>>> try:
...     loads("[" * 5000 + "]" * 5000)
... except JsonInputError as exc:
...     print(exc.reason)
nested deeper than 64 levels
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass
from json import JSONDecodeError, JSONDecoder
from pathlib import Path
from typing import Any, BinaryIO, Literal

from riskprofile.errors import InputFormatError

__all__ = [
    "DOCUMENT_LIMITS",
    "FILE_LIMITS",
    "JsonInputError",
    "JsonLimits",
    "JsonLine",
    "iter_lines",
    "loads",
    "nesting_depth",
    "read_document",
]

JsonProblem = Literal["size", "depth", "integer", "encoding", "syntax", "text", "io"]

_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class JsonLimits:
    """What one JSON document may hold.

    Attributes:
        max_bytes: its size in bytes (UTF-8).
        max_depth: arrays and objects nested in one another (``[[1]]`` is 2 deep).
        max_integer_digits: digits of one integer literal (a sign not counted).
        allow_constants: accept ``NaN``, ``Infinity`` and ``-Infinity`` (not JSON, but
            what Python's ``json`` writes for such floats).
    """

    max_bytes: int = 16 * _MIB
    max_depth: int = 64
    max_integer_digits: int = 100
    allow_constants: bool = True


DOCUMENT_LIMITS = JsonLimits()
"""One JSON Lines line, one message: 16 MiB, 64 levels, integers of up to 100 digits."""
FILE_LIMITS = JsonLimits(max_bytes=256 * _MIB)
"""A whole JSON batch file, which is parsed at once: 256 MiB (larger batches are better
written as JSON Lines, which are read a line at a time)."""


class JsonInputError(InputFormatError):
    """JSON text that cannot be used: over a limit, not UTF-8, or not valid JSON.

    Attributes:
        reason: what is wrong, in words (without the file name).
        problem: ``size``, ``depth``, ``integer``, ``encoding``, ``syntax``, ``text``
            (a lone surrogate) or ``io``.
        line, column: where, when known (1-based, in the document).
    """

    def __init__(
        self,
        reason: str,
        *,
        problem: JsonProblem,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = reason
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(reason, path=path)


@dataclass(frozen=True, slots=True)
class JsonLine:
    """One non-blank line of a JSON Lines file: its value, or why it has none.

    Attributes:
        number: the physical line number (from 1; blank lines count).
        value: the parsed value (null when ``error`` is set).
        error: why the line could not be used.
    """

    number: int
    value: Any = None
    error: JsonInputError | None = None


# A JSON string, escapes included (the unrolled form: linear, no backtracking).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
# Brackets as 1 (opening) and 0 (closing).
_BRACKET_BITS = bytes.maketrans(b"[{]}", b"\x01\x01\x00\x00")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_BOM = b"\xef\xbb\xbf"


def nesting_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in ``data``, strings left out.

    A linear scan: strings are cut out by one regular expression, the brackets left are
    counted in C-level iterators (depth after bracket ``i`` is ``2 * opened - (i + 1)``).
    Unbalanced or unterminated text gives some depth; the parser reports it afterwards.

    >>> nesting_depth(b'{"a": [[1], "[[["]}')
    3
    """
    skeleton = _STRING.sub(b"", data) if b'"' in data else data
    bits = skeleton.translate(None, _NOT_BRACKET).translate(_BRACKET_BITS)
    if not bits:
        return 0
    opened = itertools.accumulate(bits)
    depths: Iterator[int] = map(operator.sub, map((2).__mul__, opened), itertools.count(1))
    deepest: int = max(depths)
    return max(0, deepest)


def _where(line: int, column: int, one_line: bool) -> str:
    return f"at column {column}" if one_line else f"at line {line} column {column}"


class _TooManyDigitsError(ValueError):
    def __init__(self, digits: int) -> None:
        self.digits = digits


def _decoder(limits: JsonLimits) -> JSONDecoder:
    def parse_int(literal: str) -> int:
        digits = len(literal) - literal.startswith("-")
        if digits > limits.max_integer_digits:
            raise _TooManyDigitsError(digits)
        return int(literal)

    def parse_constant(name: str) -> float:
        if not limits.allow_constants:
            raise JSONDecodeError(f"{name} is not JSON", "", 0)
        return float(name)

    return JSONDecoder(parse_int=parse_int, parse_constant=parse_constant)


def _lone_surrogate(value: Any) -> str | None:
    """The first string (or key) of ``value`` holding a lone UTF-16 surrogate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _lone_surrogate(key) or _lone_surrogate(item)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _lone_surrogate(item)
            if found is not None:
                return found
    return None


def loads(data: bytes | str, limits: JsonLimits = DOCUMENT_LIMITS) -> Any:
    """Parse one JSON document within ``limits`` (see the module docstring).

    Raises:
        JsonInputError: over a limit, not UTF-8, not valid JSON, or a string holding a
            lone surrogate (``"\\ud800"``), which no UTF-8 output could hold.

    >>> loads('{"n": ' + "9" * 101 + "}")
    Traceback (most recent call last):
    ...
    riskprofile.io._json.JsonInputError: an integer of 101 digits (at most 100)
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if len(raw) > limits.max_bytes:
        raise JsonInputError(
            f"{len(raw):,} bytes, more than the {limits.max_bytes:,} bytes allowed",
            problem="size",
        )
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    if isinstance(data, str):
        text = data.removeprefix("\ufeff")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            where = _where(line, column, b"\n" not in raw.rstrip())
            raise JsonInputError(
                f"not UTF-8 text: {exc.reason} (byte 0x{raw[exc.start]:02x}) {where}",
                problem="encoding",
                line=line,
                column=column,
            ) from None
    depth = nesting_depth(raw)
    if depth > limits.max_depth:
        raise JsonInputError(f"nested deeper than {limits.max_depth} levels", problem="depth")
    try:
        value = _decoder(limits).decode(text)
    except _TooManyDigitsError as exc:
        raise JsonInputError(
            f"an integer of {exc.digits:,} digits (at most {limits.max_integer_digits})",
            problem="integer",
        ) from None
    except JSONDecodeError as exc:
        where = ""
        if exc.doc:
            where = " " + _where(exc.lineno, exc.colno, "\n" not in text.rstrip())
        raise JsonInputError(
            f"not valid JSON: {exc.msg.removesuffix(' at')}{where}",
            problem="syntax",
            line=exc.lineno if exc.doc else None,
            column=exc.colno if exc.doc else None,
        ) from None
    except RecursionError:  # pragma: no cover - the depth scan comes first
        raise JsonInputError(
            f"nested deeper than {limits.max_depth} levels", problem="depth"
        ) from None
    if _SURROGATE_ESCAPE.search(raw) or isinstance(data, str):
        found = _lone_surrogate(value)
        if found is not None:
            shown = found.encode("utf-8", "backslashreplace").decode("ascii")[:60]
            raise JsonInputError(
                f"a string holds a lone UTF-16 surrogate, which is not text: {shown!r}",
                problem="text",
            )
    return value


def read_document(path: str | Path, limits: JsonLimits = FILE_LIMITS) -> Any:
    """Read and parse a whole JSON file within ``limits``; errors name the file.

    Raises:
        JsonInputError: as :func:`loads`, or the file cannot be opened (``problem`` is
            ``io``); its ``path`` is the file.
    """
    source = str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise JsonInputError(
            f"cannot open: {exc.strerror or exc}", problem="io", path=source
        ) from None
    try:
        return loads(raw, limits)
    except JsonInputError as exc:
        reason = exc.reason
        if exc.problem == "size":
            reason = (
                f"more than the {limits.max_bytes:,} bytes a JSON file may have "
                "(write large batches as JSON Lines, which are read a line at a time)"
            )
        raise JsonInputError(
            reason, problem=exc.problem, path=source, line=exc.line, column=exc.column
        ) from None


def iter_lines(handle: BinaryIO, limits: JsonLimits = DOCUMENT_LIMITS) -> Iterator[JsonLine]:
    """The non-blank lines of a JSON Lines file (opened in binary mode), each parsed
    within ``limits`` or with the error that stopped it (see the module docstring)."""
    number = 0
    while True:
        raw = handle.readline(limits.max_bytes + 1)
        if not raw:
            return
        number += 1
        if number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if len(raw) > limits.max_bytes and not raw.endswith(b"\n"):
            # Skip the rest of the line without holding it.
            while (rest := handle.readline(_MIB)) and not rest.endswith(b"\n"):
                pass
            reason = f"a line of more than {limits.max_bytes:,} bytes"
            yield JsonLine(number, error=JsonInputError(reason, problem="size"))
            continue
        if not raw.strip():
            continue
        if raw.endswith(b"\n"):
            raw = raw[:-1]  # the line's end is not part of its size
        try:
            yield JsonLine(number, loads(raw, limits))
        except JsonInputError as exc:
            yield JsonLine(number, error=exc)
