"""Interchanges and messages: ``UNB``/``UNZ``, ``UNG``/``UNE`` and ``UNH``/``UNT`` with
their control counts and references checked.

Every segment of a file ends up in exactly one *unit*: a :class:`Message` (``UNH`` to
``UNT``), or a :class:`Loose` stretch of segments outside any message, or the
:class:`Loose` report of an envelope whose trailer disagrees with its content. Nothing is
dropped without a word.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from riskprofile.io.edifact._syntax import Segment, SyntaxProblem, Tokens

__all__ = ["Envelope", "Loose", "Message", "Problem", "open_envelopes"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in an EDIFACT file, with where it is.

    Attributes:
        code: a short stable code (``unplaced_segment``, ``control_count``, ...).
        reason: what is wrong, for people.
        interchange: the interchange control reference (``UNB`` element 5).
        message: the message reference (``UNH`` element 1).
        segment: the segment's number in the file (from 1, ``UNA`` not counted).
        position: the segment's number in its message (``UNH`` is 1, as ``UNT`` counts).
        tag: the segment tag.
        element: the data element (``3``) or component (``3.2``), counted from 1 after
            the tag.
        value: the offending value as text.
    """

    code: str
    reason: str
    interchange: str | None = None
    message: str | None = None
    segment: int | None = None
    position: int | None = None
    tag: str | None = None
    element: str | None = None
    value: str | None = None

    @property
    def where(self) -> str:
        """``interchange 42, message 7, segment 17 (MEA), element 3.2``."""
        parts = []
        if self.interchange is not None:
            parts.append(f"interchange {self.interchange}")
        if self.message is not None:
            parts.append(f"message {self.message}")
        if self.position is not None:
            parts.append(f"segment {self.position}")
        elif self.segment is not None:
            parts.append(f"file segment {self.segment}")
        if self.tag:
            parts[-1:] = [f"{parts[-1]} ({self.tag})"] if parts else [self.tag]
        if self.element is not None:
            parts.append(f"element {self.element}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" (value {self.value!r})" if self.value is not None else ""
        return f"{self.where}: {self.reason}{value}"


@dataclass(slots=True)
class Message:
    """One message, ``UNH`` to ``UNT`` (both included), as found in the file.

    Attributes:
        interchange: the enclosing interchange's control reference, when there is one.
        reference: the message reference number (``UNH`` element 1).
        type, version, release, agency: the message identifier (``CUSCAR:D:95B:UN``).
        segments: the segments, ``UNH`` first.
        first: the file segment number of the ``UNH``.
        problems: what is wrong with the envelope of this message (control count,
            missing trailer, syntax problems in its segments).
    """

    interchange: str | None
    reference: str
    type: str
    version: str
    release: str
    agency: str
    segments: list[Segment]
    first: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def directory(self) -> str:
        """The directory, ``D95B`` for ``CUSCAR:D:95B:UN``."""
        return f"{self.version}{self.release}".upper()

    def problem(
        self,
        code: str,
        reason: str,
        position: int | None = None,
        element: str | None = None,
        value: str | None = None,
    ) -> Problem:
        """A problem located in this message (``position`` from 1, ``UNH`` being 1)."""
        tag = None
        segment = None
        if position is not None and 1 <= position <= len(self.segments):
            tag = self.segments[position - 1].tag
            segment = self.first + position - 1
        return Problem(
            code, reason, self.interchange, self.reference, segment, position, tag, element, value
        )


@dataclass(slots=True)
class Loose:
    """Segments outside any message, or an envelope trailer that disagrees with its
    content: a unit of the file that gives no manifest and is reported.

    Attributes:
        first: the file segment number where it starts.
        problems: one per segment or disagreement.
        segments: the segments concerned.
    """

    first: int
    problems: list[Problem] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)


@dataclass(slots=True)
class Envelope:
    """The units of a file in file order, and the number of interchanges."""

    units: list[Message | Loose]
    interchanges: int = 0

    @property
    def messages(self) -> list[Message]:
        """The messages only."""
        return [u for u in self.units if isinstance(u, Message)]


@dataclass(slots=True)
class _Open:
    reference: str | None
    first: int
    messages: int = 0
    groups: int = 0


def _count(segment: Segment, element: int) -> int | None:
    value = segment.value(element)
    return int(value) if value is not None and value.isdigit() else None


class _Splitter:
    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens
        self.units: list[Message | Loose] = []
        self.interchange: _Open | None = None
        self.group: _Open | None = None
        self.message: Message | None = None
        self.loose: Loose | None = None
        self.interchanges = 0

    @property
    def reference(self) -> str | None:
        return self.interchange.reference if self.interchange else None

    def report(self, number: int, segment: Segment | None, code: str, reason: str) -> None:
        """A problem outside any message: a unit of its own."""
        self.loose = None
        unit = Loose(number, segments=[segment] if segment is not None else [])
        value = segment.tag if segment is not None else None
        unit.problems.append(
            Problem(code, reason, self.reference, None, number, None, value, None, None)
        )
        self.units.append(unit)

    def stray(self, number: int, segment: Segment) -> None:
        if self.loose is None:
            self.loose = Loose(number)
            self.units.append(self.loose)
        self.loose.segments.append(segment)
        self.loose.problems.append(
            Problem(
                "outside_message",
                "segment outside any message (between UNT and UNH)",
                self.reference,
                None,
                number,
                None,
                segment.tag,
                None,
                None,
            )
        )

    def close_message(self, why: str) -> None:
        message = self.message
        if message is None:
            return
        message.problems.append(
            message.problem(
                "truncated",
                f"the message has no UNT trailer ({why}): segments may be missing",
                len(message.segments),
            )
        )
        self.message = None

    def split(self) -> Envelope:
        for number, segment in enumerate(self.tokens.segments, start=1):
            handler = (
                getattr(self, f"_on_{segment.tag}", None) if segment.tag.startswith("UN") else None
            )
            if handler is not None:
                handler(number, segment)
            elif self.message is not None:
                self.message.segments.append(segment)
            else:
                self.stray(number, segment)
        self.close_message("end of file")
        if self.interchange is not None:
            self.report(
                len(self.tokens.segments),
                None,
                "truncated",
                f"interchange {self.interchange.reference} has no UNZ trailer: "
                "messages may be missing",
            )
        self._attach_syntax_problems()
        self.units.sort(key=lambda unit: unit.first)
        return Envelope(self.units, self.interchanges)

    def _attach_syntax_problems(self) -> None:
        if not self.tokens.problems:
            return
        # Units are in file order: find each problem's unit by bisection (a file of many
        # small bad messages must not cost units x problems).
        units = sorted(self.units, key=lambda unit: unit.first)
        starts = [unit.first for unit in units]
        for problem in self.tokens.problems:
            index = bisect.bisect_right(starts, problem.segment) - 1
            self._attach(problem, units[index] if index >= 0 else None)

    def _attach(self, problem: SyntaxProblem, owner: Message | Loose | None) -> None:
        segment = self.tokens.segments[problem.segment - 1] if problem.segment else None
        tag = segment.tag if segment is not None else None
        if isinstance(owner, Message) and problem.segment < owner.first + len(owner.segments):
            position = problem.segment - owner.first + 1
            owner.problems.append(
                owner.problem("syntax", problem.reason, position, value=problem.value)
            )
            return
        if isinstance(owner, Loose):
            owner.problems.append(
                Problem(
                    "syntax",
                    problem.reason,
                    None,
                    None,
                    problem.segment,
                    None,
                    tag,
                    None,
                    problem.value,
                )
            )
            return
        self.units.append(
            Loose(
                problem.segment,
                [
                    Problem(
                        "syntax",
                        problem.reason,
                        None,
                        None,
                        problem.segment,
                        None,
                        tag,
                        None,
                        problem.value,
                    )
                ],
            )
        )

    # --- service segments -------------------------------------------------------------

    def _on_UNB(self, number: int, segment: Segment) -> None:  # noqa: N802 - segment tag
        self.close_message("a new interchange starts")
        if self.interchange is not None:
            self.report(
                number,
                segment,
                "truncated",
                f"interchange {self.interchange.reference} has no UNZ trailer before the next UNB",
            )
        self.loose = None
        self.interchange = _Open(segment.value(5), number)
        self.interchanges += 1

    def _on_UNZ(self, number: int, segment: Segment) -> None:  # noqa: N802
        self.close_message("the interchange ends")
        self.loose = None
        opened = self.interchange
        if opened is None:
            self.report(number, segment, "outside_interchange", "UNZ without a UNB")
            return
        declared = _count(segment, 1)
        actual = opened.groups or opened.messages
        if declared != actual:
            self.report(
                number,
                segment,
                "control_count",
                f"UNZ counts {segment.value(1)!s} messages or groups, the interchange has {actual}",
            )
        if segment.value(2) != opened.reference:
            self.report(
                number,
                segment,
                "control_reference",
                f"UNZ reference {segment.value(2)!s} is not the UNB's {opened.reference!s}",
            )
        self.interchange = None

    def _on_UNG(self, number: int, segment: Segment) -> None:  # noqa: N802
        self.close_message("a functional group starts")
        self.loose = None
        self.group = _Open(segment.value(5), number)
        if self.interchange is not None:
            self.interchange.groups += 1

    def _on_UNE(self, number: int, segment: Segment) -> None:  # noqa: N802
        self.close_message("the functional group ends")
        self.loose = None
        opened = self.group
        if opened is None:
            self.report(number, segment, "outside_group", "UNE without a UNG")
            return
        if _count(segment, 1) != opened.messages or segment.value(2) != opened.reference:
            self.report(
                number,
                segment,
                "control_count",
                f"UNE counts {segment.value(1)!s} messages (reference {segment.value(2)!s}); "
                f"the group has {opened.messages} (reference {opened.reference!s})",
            )
        self.group = None

    def _on_UNH(self, number: int, segment: Segment) -> None:  # noqa: N802
        self.close_message("another UNH follows")
        self.loose = None
        if self.interchange is not None:
            self.interchange.messages += 1
        if self.group is not None:
            self.group.messages += 1
        identifier = segment.elements[1] if len(segment.elements) > 1 else ()
        parts = [*identifier, "", "", "", ""]
        self.message = Message(
            self.reference,
            segment.value(1) or "",
            parts[0].upper(),
            parts[1],
            parts[2],
            parts[3],
            [segment],
            number,
        )
        self.units.append(self.message)

    def _on_UNT(self, number: int, segment: Segment) -> None:  # noqa: N802
        message = self.message
        if message is None:
            self.stray(number, segment)
            return
        message.segments.append(segment)
        position = len(message.segments)
        declared = _count(segment, 1)
        if declared != position:
            message.problems.append(
                message.problem(
                    "control_count",
                    f"UNT counts {segment.value(1)!s} segments, the message has {position}",
                    position,
                    "1",
                    segment.value(1),
                )
            )
        if segment.value(2) != message.reference:
            message.problems.append(
                message.problem(
                    "control_reference",
                    f"UNT reference is not the UNH's {message.reference!r}",
                    position,
                    "2",
                    segment.value(2),
                )
            )
        self.message = None


def open_envelopes(tokens: Tokens) -> Envelope:
    """Split a file's segments into messages and report everything around them.

    Messages need not be inside an interchange (a bare ``UNH``...``UNT`` is read); an
    interchange's ``UNZ`` must count its messages (or functional groups) and repeat its
    reference, a message's ``UNT`` must count its segments and repeat its reference.
    """
    return _Splitter(tokens).split()
