"""The column-wise CUSCAR reader's first steps: the text cut into a column of
segments, the envelope checked on its service segments, and the segment tables as a
machine over tags (see :mod:`._columns`)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import polars as pl

from riskprofile.io.edifact._envelope import Message
from riskprofile.io.edifact._groups import GroupDef, SegmentDef
from riskprofile.io.edifact._syntax import (
    Segment,
    ServiceChars,
    _segments,
    unreleased,
)

_SERVICE_TAGS = ("UNB", "UNZ", "UNG", "UNE", "UNH", "UNT")


class _WholeFile(Exception):  # noqa: N818 - a signal, not an error
    """The whole file goes through the model path (the reason)."""


# --- the segment tables as a machine over tags ----------------------------------------------


@dataclass
class _State:
    levels: tuple[tuple[GroupDef, int], ...]
    names: tuple[str, ...]  # the group at each depth below the root
    tag: str  # the tag of the segment that led to it ("" for a root)
    opens: tuple[int, ...]  # the depths this state's segment opened a group at
    limit: int  # how often the tag may stand in the innermost group (the least entry)
    # The tag stands at several entries of the innermost group: its repeats need not
    # follow one another (counted by group, not by runs).
    scattered: bool


class _Machine:
    """Every segment table's states (a stack of groups and positions, as the group
    parser keeps it, without counts) and the transitions met so far, per tag."""

    def __init__(self) -> None:
        self.states: list[_State] = []
        self.index: dict[tuple[Any, ...], int] = {}
        self.moves: list[dict[str, int]] = []
        self.roots: dict[int, int] = {}

    def _state(
        self, levels: tuple[tuple[GroupDef, int], ...], opens: tuple[int, ...], tag: str
    ) -> int:
        group = levels[-1][0]
        limits = [e.repeat for e in group.entries if isinstance(e, SegmentDef) and e.tag == tag]
        limit = min(limits) if limits else 1
        key = (tuple((id(g), p) for g, p in levels), opens, limit, tag)
        found = self.index.get(key)
        if found is not None:
            return found
        number = len(self.states)
        names = tuple(g.name for g, _ in levels[1:])
        self.states.append(_State(levels, names, tag, opens, limit, len(limits) > 1))
        self.moves.append({})
        self.index[key] = number
        return number

    def root(self, table: GroupDef) -> int:
        """The state before a message's first segment."""
        found = self.roots.get(id(table))
        if found is None:
            found = self.roots[id(table)] = self._state(((table, 0),), (), "")
        return found

    def complete(self, tags: list[str]) -> list[list[int]]:
        """Every state reachable from the roots made so far and its move on each of
        ``tags``: per state (in number order), per tag (in ``tags``' order), the state
        after it (``-1``: no place)."""
        frontier = list(self.roots.values())
        seen = set(frontier)
        while frontier:
            state = frontier.pop()
            for tag in tags:
                target = self.moves[state].get(tag)
                if target is None:
                    target = self.move(state, tag)
                if target >= 0 and target not in seen:
                    seen.add(target)
                    frontier.append(target)
        return [[self.moves[s][tag] for tag in tags] for s in range(len(self.states))]

    def move(self, state: int, tag: str) -> int:
        """The state after ``tag`` (``-1``: the segment has no place)."""
        levels = self.states[state].levels
        for depth in range(len(levels) - 1, -1, -1):
            group, position = levels[depth]
            indexes = group.lookup.get(tag)
            if indexes is None:
                continue
            start = max(position, 1) if depth else position
            for index in indexes:
                if index < start:
                    continue
                entry = group.entries[index]
                new = [*levels[:depth], (group, index)]
                opens: list[int] = []
                if isinstance(entry, GroupDef):
                    inner: GroupDef = entry
                    while True:
                        new.append((inner, 0))
                        opens.append(len(new) - 1)
                        first = inner.entries[0]
                        if not isinstance(first, GroupDef):
                            break
                        inner = first
                target = self._state(tuple(new), tuple(opens), tag)
                self.moves[state][tag] = target
                return target
        self.moves[state][tag] = -1
        return -1


# --- helpers ---------------------------------------------------------------------------------


def _escape(char: str) -> str:
    return re.escape(char)


class _Cut:
    """The file's segments as columns, and what reads them."""

    def __init__(self, text: str) -> None:
        service = ServiceChars()
        if text.startswith("UNA"):
            service = ServiceChars.from_una(text[:9])
            text = text[9:]
        self.service = service
        released = unreleased(text, service)
        if released is None:
            raise _WholeFile("EDIFACT text holding private-use characters")
        text, back, dangling = released
        if dangling:
            raise _WholeFile("a release character ends the text")
        self.back = back
        # Cut in Polars, the two halves of the text (split at a terminator: after the
        # swap above every terminator left ends a segment) on two threads: no Python
        # string per segment, and both cores at work.
        terminator = service.terminator
        middle = text.find(terminator, len(text) // 2)
        halves = [text] if middle < 0 else [text[:middle], text[middle + 1 :]]
        del text
        elem, comp = _escape(service.element), _escape(service.component)
        # A tag is three capitals or digits, then an element or a component separator
        # or the end; any other start leaves the tag empty (no place in any message: the
        # model path reads that message and reports it as the tokenizer cuts it).
        shape = f"^[A-Z][A-Z0-9]{{2}}(?:[{elem}{comp}]|$)"

        def cut(half: str) -> pl.DataFrame:
            raw = pl.col("raw")
            return (
                pl.LazyFrame({"raw": [half]}, schema={"raw": pl.String})
                .select(raw.str.split(terminator))
                .explode("raw")
                .select(raw.str.strip_chars_start("\r\n\t "))
                .with_columns(
                    pl.when(raw.str.contains(shape))
                    .then(raw.str.slice(0, 3))
                    .otherwise(pl.lit(""))
                    .alias("tag")
                )
                .collect()
            )

        with ThreadPoolExecutor(max_workers=2) as pool:
            frame = pl.concat(list(pool.map(cut, halves)), rechunk=False)
        del halves
        tail = frame.item(frame.height - 1, "raw")
        if tail.strip():
            raise _WholeFile("text after the last segment terminator")
        self.frame = frame.slice(0, frame.height - 1)

    def segment(self, raw: str) -> Segment:
        """One segment as the tokenizer reads it."""
        return _segments([raw.lstrip("\r\n\t ")], self.service, self.back)[0]

    def segments(self, raws: list[str]) -> list[Segment]:
        """Segments as the tokenizer reads them (the column's texts, already stripped)."""
        return _segments(raws, self.service, self.back)

    def text_of(self, first: int, last: int) -> str:
        """Segments ``first`` to ``last`` (0-based, both included) as EDIFACT text with
        the file's service characters (released characters released again)."""
        service = self.service
        raws = self.frame.get_column("raw").slice(first, last + 1 - first).to_list()
        body = service.terminator.join(raws) + service.terminator
        if self.back is not None:
            body = body.translate({k: service.release + c for k, c in self.back.items()})
        return service.una() + body

    def text_from(self, indexes: list[int], trailer: str) -> str:
        """The segments at ``indexes`` (0-based) and ``trailer`` (written) as EDIFACT
        text with the file's service characters."""
        service = self.service
        raws = self.frame.get_column("raw").gather(indexes).to_list()
        body = service.terminator.join(raws) + service.terminator
        if self.back is not None:
            body = body.translate({k: service.release + c for k, c in self.back.items()})
        return service.una() + body + trailer

    def translated(self, expr: pl.Expr) -> pl.Expr:
        """Placeholders back to the characters they stand for."""
        if self.back is None:
            return expr
        return expr.str.replace_many([chr(k) for k in self.back], list(self.back.values()))

    def component(self, expr: pl.Expr, element: int, component: int) -> pl.Expr:
        """The text of ``element``.``component``, translated; null when absent."""
        e, c = re.escape(self.service.element), re.escape(self.service.component)
        pattern = f"^(?:[^{e}]*{e}){{{element}}}(?:[^{e}{c}]*{c}){{{component - 1}}}([^{e}{c}]*)"
        return self.translated(expr.str.extract(pattern, 1))


def _count(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


# --- the envelope ----------------------------------------------------------------------------


@dataclass
class _Envelope:
    messages: list[tuple[int, int]]  # (UNH index, UNT index), 0-based
    interchange: str | None
    heads: list[Message]  # per message: its identity (no segments)
    trailer_ok: list[bool]


def _envelope(cut: _Cut) -> _Envelope:
    frame = cut.frame
    mask = frame["tag"].is_in(_SERVICE_TAGS)
    at = mask.arg_true().to_list()
    tags = frame["tag"].gather(at).to_list()
    raws = frame["raw"].gather(at).to_list()
    service = list(zip(at, tags, raws, strict=True))
    height = frame.height
    if any(t in ("UNG", "UNE") for t in tags):
        raise _WholeFile("functional groups (UNG/UNE)")
    k = 0
    unb = None
    if service and service[0][0] == 0 and service[0][1] == "UNB":
        unb = cut.segment(service[0][2])
        k = 1
    expect = 1 if unb is not None else 0
    pairs: list[tuple[int, int]] = []
    heads: list[Message] = []
    trailer_ok: list[bool] = []
    reference = unb.value(5) if unb is not None else None
    while k < len(service) and service[k][1] == "UNH":
        if service[k][0] != expect or k + 1 >= len(service) or service[k + 1][1] != "UNT":
            raise _WholeFile("an envelope that is not [UNB] (UNH...UNT)... [UNZ]")
        first, last = service[k][0], service[k + 1][0]
        head = cut.segment(service[k][2])
        identifier = head.elements[1] if len(head.elements) > 1 else ()
        parts = [*identifier, "", "", "", ""]
        message = Message(
            reference,
            head.value(1) or "",
            parts[0].upper(),
            parts[1],
            parts[2],
            parts[3],
            [],
            first + 1,
        )
        trailer = cut.segment(service[k + 1][2])
        trailer_ok.append(
            _count(trailer.value(1)) == last - first + 1 and trailer.value(2) == message.reference
        )
        pairs.append((first, last))
        heads.append(message)
        expect = last + 1
        k += 2
    if unb is not None:
        if k != len(service) - 1 or service[k] != (height - 1, "UNZ", service[k][2]):
            raise _WholeFile("an envelope that is not [UNB] (UNH...UNT)... [UNZ]")
        unz = cut.segment(service[k][2])
        if _count(unz.value(1)) != len(pairs) or unz.value(2) != reference:
            raise _WholeFile("an interchange trailer (UNZ) that disagrees")
    elif k != len(service) or expect != height:
        raise _WholeFile("an envelope that is not [UNB] (UNH...UNT)... [UNZ]")
    if not pairs:
        raise _WholeFile("no message")
    return _Envelope(pairs, reference, heads, trailer_ok)
