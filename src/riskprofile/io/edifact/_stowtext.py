"""A stow plan file as carriers and terminals send it, cut into segments.

Real BAPLIE files differ from the standard's examples in ways that say nothing about the
plan: lines wrapped at a fixed width (a line break inside a segment), a ``Ctrl-Z`` or
``NUL`` padding at the end, blank lines before the ``UNA``, several interchanges
concatenated into one file each with its own ``UNA`` (other separators, another decimal
mark), segment tags written in lower case. :func:`stowplan_tokens` undoes these before
the envelope is opened, so that no container is lost to them, and says what it changed
where the sender broke a rule (the lower-case tags); the rest is only layout.

>>> tokens, decimals = stowplan_tokens("UNA:+,? 'unh+1+BAPLIE:D:95B:UN'\\nuNT+2+1'")
>>> [s.tag for s in tokens.segments], decimals, tokens.problems[0].reason
(['UNH', 'UNT'], [(1, ',')], '2 segment tags in lower case, read in upper case')
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from riskprofile.errors import InputFormatError
from riskprofile.io.edifact._syntax import (
    DEFAULT_SERVICE,
    Segment,
    ServiceChars,
    SyntaxProblem,
    Tokens,
    tokenize,
)

__all__ = ["decimal_at", "stowplan_tokens"]

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
# What ends a file besides its last terminator: blanks, a DOS end-of-file mark (Ctrl-Z),
# the NUL padding of fixed-size records.
_END = " \t\r\n\x1a\x00"


def stowplan_tokens(text: str) -> tuple[Tokens, list[tuple[int, str]]]:
    """The segments of a stow plan file, with the decimal mark of each interchange.

    - Line breaks are dropped wherever they are: EDIFACT text has none in its data (the
      syntax levels UNOA to UNOC do not allow them), so one inside a segment is a line
      wrapped at a fixed width.
    - A ``UNA`` after a segment terminator starts a concatenated interchange: the text
      after it is cut with its own service characters.
    - A segment tag in lower case is read in upper case; a problem says how many.

    Returns the tokens (segments numbered through the whole file, the first
    interchange's service characters) and ``(first file segment, decimal mark)`` for
    each interchange.

    Raises:
        InputFormatError: the file's first ``UNA`` is unusable.
    """
    text = text.lstrip(_END).rstrip(_END)
    if text[:3] == "una":  # a file written all in lower case
        text = "UNA" + text[3:]
    if "\n" in text or "\r" in text:
        text = text.replace("\r", "").replace("\n", "")
    pieces = _interchanges(text)
    first = tokenize(pieces[0])
    decimals = [(1, first.service.decimal)]
    for piece in pieces[1:]:
        more = tokenize(piece)
        offset = len(first.segments)
        decimals.append((offset + 1, more.service.decimal))
        first.segments.extend(more.segments)
        first.problems.extend(replace(p, segment=p.segment + offset) for p in more.problems)
    if not text.isupper():  # a lower-case letter somewhere (one pass in C, no copy)
        _upper_case_tags(first)
    return first, decimals


def decimal_at(decimals: list[tuple[int, str]], segment: int) -> str:
    """The decimal mark in force at file segment ``segment``."""
    index = bisect.bisect_right(decimals, (segment, "\uffff")) - 1
    return decimals[max(index, 0)][1]


def _interchanges(text: str) -> list[str]:
    """``text`` cut before each ``UNA`` that follows a segment terminator (with its own
    service characters after it); a ``UNA`` that is not a usable service string advice
    is not a cut (the tokenizer reports it where it stands)."""
    if text.find("UNA", 9) == -1:  # one interchange, the usual case: no search
        return [text]
    pieces: list[str] = []
    start = 0
    while True:
        service = DEFAULT_SERVICE
        if text.startswith("UNA", start):
            try:
                service = ServiceChars.from_una(text[start : start + 9])
            except InputFormatError:
                if start == 0:
                    raise
        cut = _next_una(text, start + 9, service)
        if cut is None:
            pieces.append(text[start:])
            return pieces
        pieces.append(text[start:cut])
        start = cut


def _next_una(text: str, start: int, service: ServiceChars) -> int | None:
    """Where the next interchange's ``UNA`` starts, after an unreleased terminator (and
    any blanks)."""
    release = service.release
    for found in re.finditer(re.escape(service.terminator) + r"[ \t]*UNA", text[start:]):
        at = start + found.start()
        released = 0
        while at - released - 1 >= 0 and text[at - released - 1] == release:
            released += 1
        una = start + found.end() - 3
        if released % 2 == 0 and _usable(text[una : una + 9]):
            return una
    return None


def _usable(una: str) -> bool:
    try:
        ServiceChars.from_una(una)
    except InputFormatError:
        return False
    return True


def _upper_case_tags(tokens: Tokens) -> None:
    """Read tags written in lower case (``loc``, ``Eqd``) in upper case, said once."""
    segments = tokens.segments
    fixed: list[int] = []
    upper: dict[str, str] = {}  # a file has a few dozen distinct tags
    for index, (tag, elements, repetitions) in enumerate(segments):
        if tag.isupper():
            continue
        read = upper.get(tag)
        if read is None:
            read = upper[tag] = tag.upper() if _TAG.fullmatch(tag.upper()) else ""
        if read:
            segments[index] = Segment(read, elements, repetitions)
            fixed.append(index + 1)
    if not fixed:
        return
    done = set(fixed)
    tokens.problems = [
        p for p in tokens.problems if not (p.segment in done and p.reason == "not a segment tag")
    ]
    tokens.problems.append(
        SyntaxProblem(
            fixed[0],
            f"{len(fixed):,} segment tag{'s' if len(fixed) > 1 else ''} in lower case, "
            "read in upper case",
        )
    )
