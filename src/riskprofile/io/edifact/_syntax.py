"""EDIFACT syntax (ISO 9735): service characters, segments, tokenizing and writing them.

An interchange is text cut into segments by the segment terminator (``'``), segments into
data elements by the element separator (``+``) and elements into components by the
component separator (``:``). A release character (``?``) before any of them makes it a
plain character. A ``UNA`` service string advice at the very start may change all of
them (and the decimal mark); without one the ISO 9735 defaults apply.

The tokenizer is written for speed: when the text has no release character it is three
nested ``str.split`` calls; when it has one, each released character is swapped for a
private-use placeholder first and swapped back per component.

>>> tokens = tokenize("UNH+1+CUSCAR:D:95B:UN'FTX+AAA+++FRAGILE?: HANDLE WITH CARE'")
>>> tokens.segments[1].elements[3]
('FRAGILE: HANDLE WITH CARE',)
>>> write_segment(tokens.segments[1], tokens.service)
"FTX+AAA+++FRAGILE?: HANDLE WITH CARE'"
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from riskprofile.errors import InputFormatError

__all__ = [
    "DEFAULT_SERVICE",
    "Element",
    "Segment",
    "ServiceChars",
    "SyntaxProblem",
    "Tokens",
    "segment",
    "tokenize",
    "write_segment",
    "write_segments",
]

Element = tuple[str, ...]
"""A data element: its components (a simple element has one)."""

_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
# Control characters (\x01 to \x05, never in EDIFACT text) standing in for released
# service characters while splitting: the text stays one byte a character (a private-use
# code point made Python hold it in two, and every step after slower). A text holding
# one is cut character by character instead.
_PLACEHOLDER_BASE = 0x01


@dataclass(frozen=True, slots=True)
class ServiceChars:
    """The service characters of an interchange (the ``UNA`` string advice).

    Attributes:
        component: separates the components of a composite element (``:``).
        element: separates data elements (``+``).
        decimal: the decimal mark of numbers (``.`` or ``,``).
        release: makes the next character plain text (``?``).
        repetition: separates repetitions of an element (syntax 4, ``*``); a space, as in
            syntax versions 1 to 3, means repetitions are not used.
        terminator: ends a segment (``'``).
    """

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "
    terminator: str = "'"

    def __post_init__(self) -> None:
        special = [self.component, self.element, self.release, self.terminator]
        if self.repetition != " ":
            special.append(self.repetition)
        if any(len(c) != 1 for c in [*special, self.decimal, self.repetition]):
            raise InputFormatError(f"service characters must be single characters: {self!r}")
        if len(set(special)) != len(special):
            raise InputFormatError(
                f"service characters must differ from each other: UNA{self.una()[3:]!r}"
            )
        if any(c.isalnum() or c in "\r\n" for c in special):
            raise InputFormatError(
                f"a letter, digit or line break cannot be a service character: {self!r}"
            )
        if self.decimal not in ".,":
            raise InputFormatError(f"the decimal mark must be '.' or ',', not {self.decimal!r}")

    @classmethod
    def from_una(cls, una: str) -> ServiceChars:
        """Read a ``UNA`` service string advice (``UNA:+.? '``, nine characters)."""
        if len(una) < 9 or not una.startswith("UNA"):
            raise InputFormatError(f"a UNA service string advice has 9 characters: {una!r}")
        c = una[3:9]
        return cls(c[0], c[1], c[2], c[3], c[4], c[5])

    def una(self) -> str:
        """The ``UNA`` service string advice that announces these characters."""
        return (
            f"UNA{self.component}{self.element}{self.decimal}{self.release}"
            f"{self.repetition}{self.terminator}"
        )

    @property
    def special(self) -> str:
        """The characters a writer must release in data (the release character first)."""
        chars = self.release + self.component + self.element + self.terminator
        return chars + (self.repetition if self.repetition != " " else "")


DEFAULT_SERVICE = ServiceChars()
"""The ISO 9735 defaults, in force when an interchange has no ``UNA``."""


class Segment(NamedTuple):
    """One segment: its tag and data elements (each a tuple of components).

    ``elements[0]`` is the first data element after the tag. ``repetitions`` is set only
    when an element repeats (syntax 4): for every element, all its repetitions, the first
    being ``elements[i]``.
    """

    tag: str
    elements: tuple[Element, ...] = ()
    repetitions: tuple[tuple[Element, ...], ...] | None = None

    def value(self, element: int, component: int = 1) -> str | None:
        """The text at ``element``/``component`` (both from 1), or ``None`` when absent or
        empty.

        >>> Segment("LOC", (("9",), ("PKKHI", "139", "6"))).value(2, 1)
        'PKKHI'
        """
        if element < 1 or element > len(self.elements):
            return None
        parts = self.elements[element - 1]
        if component < 1 or component > len(parts):
            return None
        return parts[component - 1] or None

    def text(self, service: ServiceChars = DEFAULT_SERVICE) -> str:
        """The segment as written (for messages that quote it)."""
        return write_segment(self, service)


def segment(tag: str, *elements: str | Sequence[str | None] | None) -> Segment:
    """A segment to write: each element a text (a simple element), a sequence of
    components, or ``None`` (an empty element); a ``None`` component is empty.

    >>> segment("LOC", "9", ("PKKHI", None, "6"), None).elements
    (('9',), ('PKKHI', '', '6'), ('',))
    """
    out: list[Element] = []
    for element in elements:
        if element is None:
            out.append(("",))
        elif isinstance(element, str):
            out.append((element,))
        else:
            out.append(tuple(c or "" for c in element))
    return Segment(tag, tuple(out))


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """A problem found while cutting the text into segments.

    Attributes:
        segment: the segment's number in the file (from 1, ``UNA`` not counted).
        reason: what is wrong.
        value: the offending text, when there is one.
    """

    segment: int
    reason: str
    value: str | None = None


@dataclass(slots=True)
class Tokens:
    """The result of :func:`tokenize`: the service characters and the segments in file
    order (segment ``n`` of the file is ``segments[n - 1]``), and any syntax problems."""

    service: ServiceChars
    segments: list[Segment]
    problems: list[SyntaxProblem] = field(default_factory=list)
    has_una: bool = False


def _placeholders(service: ServiceChars) -> tuple[dict[str, str], dict[int, str]]:
    special = service.special
    forward = {c: chr(_PLACEHOLDER_BASE + i) for i, c in enumerate(special)}
    back = {_PLACEHOLDER_BASE + i: c for i, c in enumerate(special)}
    return forward, back


def tokenize(text: str) -> Tokens:
    """Cut EDIFACT text into segments.

    Line breaks between segments (after a terminator) are ignored, as most senders add
    them. A release character before a plain character is dropped (ISO 9735 allows it
    only before the service characters). Problems that do not stop reading (a tag that
    is not three capitals, an empty segment, text after the last terminator, a release
    character at the very end) are listed in ``problems`` with the segment number; the
    segment is still returned so that
    the reader can report it with its message.

    Raises:
        InputFormatError: the ``UNA`` string advice is unusable.
    """
    service = DEFAULT_SERVICE
    has_una = text.startswith("UNA")
    if has_una:
        service = ServiceChars.from_una(text[:9])
        text = text[9:]
    problems: list[SyntaxProblem] = []
    released = unreleased(text, service)
    if released is None:
        # The text itself holds a placeholder: fall back to the character loop.
        return Tokens(service, *_tokenize_slowly(text, service), has_una=has_una)
    text, back, dangling = released
    release = service.release
    pieces = text.split(service.terminator)
    tail = pieces.pop()
    if tail.strip():
        pieces.append(tail)
    segments = _segments(pieces, service, back)
    if tail.strip():
        problems.append(
            SyntaxProblem(len(segments), "the last segment has no terminator", tail.strip()[:80])
        )
    fullmatch = _TAG.fullmatch
    for number, segment in enumerate(segments, start=1):
        if not fullmatch(segment.tag):
            reason = "empty segment" if not segment.tag else "not a segment tag"
            problems.append(SyntaxProblem(number, reason, segment.tag or None))
    if dangling:
        problems.append(SyntaxProblem(len(segments), "a release character ends the text", release))
    return Tokens(service, segments, problems, has_una)


def unreleased(text: str, service: ServiceChars) -> tuple[str, dict[int, str] | None, bool] | None:
    """``text`` (after the ``UNA``) with every released service character swapped for a
    private-use placeholder and every other release character dropped, so that plain
    splits cut it; with the table that swaps placeholders back (``None`` when there was
    no release character) and whether a release character ends the text. ``None`` when
    the text itself holds a placeholder character (the caller reads it character by
    character)."""
    release = service.release
    if release not in text:
        return text, None, False
    forward, back = _placeholders(service)
    if any(p in text for p in forward.values()):
        return None
    end = len(text)
    while end and text[end - 1] in "\r\n\t ":
        end -= 1
    start = end
    while start and text[start - 1] == release:
        start -= 1
    dangling = (end - start) % 2 == 1
    # Left to right, a release character takes the next character: a service character
    # (the release character too) becomes its placeholder, a plain one stays as itself.
    # One regex pass; a release character at the very end releases nothing and stays.
    get = forward.get
    text = re.sub(re.escape(release) + "(.)", lambda m: get(m[1], m[1]), text, flags=re.DOTALL)
    return text, back, dangling


def _segments(
    pieces: list[str], service: ServiceChars, back: dict[int, str] | None
) -> list[Segment]:
    """The segments of the texts between terminators (the hot loop: kept flat)."""
    elem, comp, rep = service.element, service.component, service.repetition
    repeats = rep != " "
    marked = re.compile("[" + "".join(chr(k) for k in back) + "]").search if back else None
    segments: list[Segment] = []
    append = segments.append
    for raw in pieces:
        if raw[:1] in ("\r", "\n", "\t", " "):
            raw = raw.lstrip("\r\n\t ")
        parts = raw.split(elem)
        tag = parts[0]
        if comp in tag:
            tag = tag.split(comp, 1)[0]
        if repeats and rep in raw:
            append(_repeated_segment(tag, parts[1:], service, back))
        elif marked is not None and back is not None and marked(raw):
            append(
                Segment(
                    tag.translate(back),
                    tuple([tuple([c.translate(back) for c in p.split(comp)]) for p in parts[1:]]),
                )
            )
        else:
            append(Segment(tag, tuple([tuple(p.split(comp)) for p in parts[1:]])))
    return segments


def _repeated_segment(
    tag: str, parts: list[str], service: ServiceChars, back: dict[int, str] | None
) -> Segment:
    def unescape(value: str) -> str:
        return value.translate(back) if back is not None else value

    repetitions = tuple(
        tuple(
            tuple(unescape(c) for c in r.split(service.component))
            for r in p.split(service.repetition)
        )
        for p in parts
    )
    elements = tuple(r[0] for r in repetitions)
    many = any(len(r) > 1 for r in repetitions)
    return Segment(unescape(tag), elements, repetitions if many else None)


def _tokenize_slowly(text: str, service: ServiceChars) -> tuple[list[Segment], list[SyntaxProblem]]:
    """Character by character: for text holding the fast path's placeholder characters."""
    segments: list[Segment] = []
    problems: list[SyntaxProblem] = []
    elements: list[list[list[str]]] = [[[]]]
    component: list[str] = []
    released = False

    def close_component() -> None:
        elements[-1][-1].append("".join(component))
        component.clear()

    for char in text:
        if released:
            component.append(char)
            released = False
        elif char == service.release:
            released = True
        elif char == service.component:
            close_component()
            elements[-1].append([])
        elif char == service.repetition and service.repetition != " ":
            close_component()
            elements[-1].append([])  # repetitions are flattened on this rare path
        elif char == service.element:
            close_component()
            elements.append([[]])
        elif char == service.terminator:
            close_component()
            segments.append(_from_lists(elements))
            elements = [[[]]]
        elif not component and len(elements) == 1 and len(elements[0]) == 1 and char in "\r\n\t ":
            continue  # line breaks between segments
        else:
            component.append(char)
    if component or len(elements) > 1:
        close_component()
        segments.append(_from_lists(elements))
        problems.append(SyntaxProblem(len(segments), "the last segment has no terminator"))
    for number, segment in enumerate(segments, start=1):
        if not _TAG.fullmatch(segment.tag):
            problems.append(SyntaxProblem(number, "not a segment tag", segment.tag or None))
    return segments, problems


def _from_lists(elements: list[list[list[str]]]) -> Segment:
    flat = [tuple("".join(c) if isinstance(c, list) else c for c in e) for e in elements]
    tag = flat[0][0] if flat and flat[0] else ""
    return Segment(tag, tuple(flat[1:]))


def _escape(value: str, service: ServiceChars, special: frozenset[str]) -> str:
    if not any(c in special for c in value):
        return value
    release = service.release
    return "".join(release + c if c in special else c for c in value)


def write_segment(segment: Segment, service: ServiceChars = DEFAULT_SERVICE) -> str:
    """One segment as EDIFACT text, with its terminator, releasing service characters in
    the data. Trailing empty components and elements are dropped, as ISO 9735 asks.

    >>> write_segment(Segment("RFF", (("BM", "MAEU123"),)))
    "RFF+BM:MAEU123'"
    """
    special = frozenset(service.special)
    comp, elem = service.component, service.element
    out = [segment.tag]
    groups: Sequence[tuple[Element, ...]]
    if segment.repetitions is not None:
        groups = segment.repetitions
    else:
        groups = [(e,) for e in segment.elements]
    texts = []
    for repetitions in groups:
        written = []
        for element in repetitions:
            parts = [_escape(c, service, special) for c in element]
            while parts and not parts[-1]:
                parts.pop()
            written.append(comp.join(parts))
        while len(written) > 1 and not written[-1]:
            written.pop()
        texts.append(service.repetition.join(written))
    while texts and not texts[-1]:
        texts.pop()
    out.extend(texts)
    return elem.join(out) + service.terminator


def write_segments(
    segments: Sequence[Segment],
    service: ServiceChars = DEFAULT_SERVICE,
    *,
    una: bool | None = None,
    newline: bool = True,
) -> str:
    """Segments as EDIFACT text; with a ``UNA`` when asked, or when the service
    characters differ from the defaults. ``newline`` puts each segment on its own line."""
    if una is None:
        una = service != DEFAULT_SERVICE
    sep = "\n" if newline else ""
    head = service.una() + sep if una else ""
    return head + sep.join(write_segment(s, service) for s in segments) + sep
