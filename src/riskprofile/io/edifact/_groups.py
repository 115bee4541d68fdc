"""Segment groups as data: a message's segment table, and the parser that places each
segment of a message in its group.

The tables live in ``tables/<MESSAGE>-<DIRECTORY>.yaml`` (package data), one per message
and directory, written from the published UN/EDIFACT segment tables. The parser follows
the standard's rule: a segment belongs at the first place, at or after the current one,
in the current group or in an enclosing group, whose tag it has; a group's trigger
segment (its first) opens a new occurrence of the group.

>>> table = segment_table("CUSCAR", "D95B")
>>> table.group("SG7").trigger
'CNI'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from riskprofile.errors import InputFormatError
from riskprofile.io.edifact._envelope import Message, Problem
from riskprofile.io.edifact._syntax import Segment

__all__ = [
    "GroupDef",
    "GroupNode",
    "SegmentDef",
    "SegmentTable",
    "place_segments",
    "segment_table",
    "table_for",
]

_ENTRY = re.compile(r"(?P<tag>[A-Z][A-Z0-9]{2}|SG\d+) (?P<status>[MC]) (?P<repeat>\d+)")
_GROUP = re.compile(r"SG\d+")


@dataclass(frozen=True, slots=True)
class SegmentDef:
    """A segment's place in a table: its tag, whether it is mandatory, how often it may
    repeat there."""

    tag: str
    mandatory: bool
    repeat: int


@dataclass(frozen=True, slots=True)
class GroupDef:
    """A segment group (``SG7``) and its entries; the first entry is its trigger."""

    name: str
    mandatory: bool
    repeat: int
    entries: tuple[SegmentDef | GroupDef, ...]
    # Tag -> the indexes of the entries it sits at or opens (for the parser).
    lookup: dict[str, tuple[int, ...]] = field(
        init=False, compare=False, hash=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        found: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            tag = entry.tag if isinstance(entry, SegmentDef) else entry.trigger
            found.setdefault(tag, []).append(index)
        self.lookup.update({tag: tuple(indexes) for tag, indexes in found.items()})

    @property
    def trigger(self) -> str:
        """The tag that opens an occurrence of the group."""
        first = self.entries[0]
        return first.tag if isinstance(first, SegmentDef) else first.trigger


@dataclass(frozen=True, slots=True)
class SegmentTable:
    """A message's segment table in one directory (``CUSCAR`` ``D95B``)."""

    message: str
    directory: str
    root: GroupDef
    groups: dict[str, GroupDef] = field(default_factory=dict)

    def group(self, name: str) -> GroupDef:
        """The group named ``name`` (``SG7``)."""
        return self.groups[name]


def _parse_entries(items: Any, where: str, groups: dict[str, GroupDef]) -> tuple[Any, ...]:
    if not isinstance(items, list) or not items:
        raise InputFormatError(f"{where}: a group needs a list of entries")
    entries: list[SegmentDef | GroupDef] = []
    for item in items:
        if isinstance(item, str):
            match = _ENTRY.fullmatch(item.strip())
            if not match or _GROUP.fullmatch(match["tag"]):
                raise InputFormatError(f"{where}: not a 'TAG status repeat' entry: {item!r}")
            entries.append(SegmentDef(match["tag"], match["status"] == "M", int(match["repeat"])))
        elif isinstance(item, dict) and len(item) == 1:
            ((head, body),) = item.items()
            match = _ENTRY.fullmatch(str(head).strip())
            if not match or not _GROUP.fullmatch(match["tag"]):
                raise InputFormatError(f"{where}: not a 'SGn status repeat' group: {head!r}")
            name = match["tag"]
            group = GroupDef(
                name,
                match["status"] == "M",
                int(match["repeat"]),
                _parse_entries(body, f"{where}/{name}", groups),
            )
            if name in groups:
                raise InputFormatError(f"{where}: group {name} is defined twice")
            groups[name] = group
            entries.append(group)
        else:
            raise InputFormatError(f"{where}: not a segment or group entry: {item!r}")
    return tuple(entries)


@functools.cache
def segment_table(message: str, directory: str) -> SegmentTable:
    """The bundled segment table of ``message`` in ``directory``.

    Raises:
        InputFormatError: no table is bundled for them.
    """
    name = f"{message.upper()}-{directory.upper()}.yaml"
    path = resources.files("riskprofile.io.edifact") / "tables" / name
    if not path.is_file():
        raise InputFormatError(f"no segment table for {message} {directory}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups: dict[str, GroupDef] = {}
    entries = _parse_entries(data.get("structure"), name, groups)
    return SegmentTable(data["message"], data["directory"], GroupDef("", True, 1, entries), groups)


_DIRECTORIES = {"CUSCAR": ("D95B", "D00B")}
# Directories whose message structure is the same as a bundled table's: read with it and
# not flagged (CUSCAR did not change from D.95B to D.97A).
_SAME_AS = {("CUSCAR", "D96A"): "D95B", ("CUSCAR", "D96B"): "D95B", ("CUSCAR", "D97A"): "D95B"}


def table_for(message: Message) -> tuple[SegmentTable | None, str | None]:
    """The table to read ``message`` with, and a note when it is not the message's own
    directory nor one with the same structure (a ``D96B`` message is read with the
    ``D95B`` table without a note, a ``D98B`` or ``D01B`` one with ``D00B`` and a note);
    ``(None, reason)`` when the message type has no table at all."""
    known = _DIRECTORIES.get(message.type)
    if known is None:
        supported = ", ".join(sorted(_DIRECTORIES))
        return None, f"message type {message.type or '(none)'!r} is not read (only {supported})"
    directory = message.directory
    if directory in known:
        return segment_table(message.type, directory), None
    same = _SAME_AS.get((message.type, directory))
    if same is not None:
        return segment_table(message.type, same), None
    match = re.fullmatch(r"D(\d\d)([AB])", directory)
    year = int(match[1]) if match else 0
    chosen = known[0] if 90 <= year <= 96 else known[-1]
    note = f"directory {directory or '(none)'} is read with the {chosen} segment table"
    return segment_table(message.type, chosen), note


class GroupNode:
    """One occurrence of a segment group in a message (the root is the message itself).

    Attributes:
        name: the group (``SG7``), ``""`` for the message.
        segments: tag -> its segments here, each with its position in the message.
        groups: group name -> its occurrences directly under this one.
    """

    __slots__ = ("groups", "name", "segments")

    def __init__(self, name: str) -> None:
        self.name = name
        self.segments: dict[str, list[tuple[int, Segment]]] = {}
        self.groups: dict[str, list[GroupNode]] = {}

    def first(self, tag: str) -> tuple[int, Segment] | None:
        """The first segment with ``tag`` here."""
        found = self.segments.get(tag)
        return found[0] if found else None

    def __repr__(self) -> str:
        return f"GroupNode({self.name!r}, {sorted(self.segments)}, {sorted(self.groups)})"


@dataclass(slots=True)
class _Level:
    group: GroupDef
    node: GroupNode
    position: int
    counts: dict[str, int]
    lookup: dict[str, tuple[int, ...]]


def place_segments(message: Message, table: SegmentTable) -> tuple[GroupNode, list[Problem]]:
    """Place each segment of ``message`` in its group occurrence.

    Returns the message's tree and the problems: a segment that has no place after the
    current one in any enclosing group (out of order, or not in this message type), a
    segment or group that repeats more often than the table allows. An unplaced segment
    is kept out of the tree; a repeat over the limit is kept in it.
    """
    root = GroupNode("")
    stack = [_Level(table.root, root, 0, {}, table.root.lookup)]
    problems: list[Problem] = []
    for position, segment in enumerate(message.segments, start=1):
        if not _place(stack, position, segment, message, problems):
            problems.append(
                message.problem(
                    "unplaced_segment",
                    f"{segment.tag} has no place here in the {table.message} {table.directory} "
                    "segment table (out of order, or not part of the message)",
                    position,
                )
            )
    return root, problems


def _place(
    stack: list[_Level], position: int, segment: Segment, message: Message, out: list[Problem]
) -> bool:
    tag = segment.tag
    for depth in range(len(stack) - 1, -1, -1):
        level = stack[depth]
        indexes = level.lookup.get(tag)
        if indexes is None:
            continue
        entries = level.group.entries
        # Inside a group occurrence its trigger cannot come again: that opens the next one.
        start = max(level.position, 1) if depth else level.position
        for index in indexes:
            if index < start:
                continue
            entry = entries[index]
            if isinstance(entry, SegmentDef):
                del stack[depth + 1 :]
                level.position = index
                count = level.counts.get(tag, 0) + 1
                level.counts[tag] = count
                level.node.segments.setdefault(tag, []).append((position, segment))
                if count == entry.repeat + 1:  # said once, where the limit is passed
                    out.append(_too_many(message, position, tag, entry.repeat))
                return True
            del stack[depth + 1 :]
            level.position = index
            count = level.counts.get(entry.name, 0) + 1
            level.counts[entry.name] = count
            if count == entry.repeat + 1:
                out.append(_too_many(message, position, entry.name, entry.repeat))
            _open(stack, entry, level.node, position, segment)
            return True
    return False


def _open(
    stack: list[_Level], group: GroupDef, parent: GroupNode, position: int, segment: Segment
) -> None:
    """Open an occurrence of ``group`` (and of any group its trigger opens in turn)."""
    node = GroupNode(group.name)
    parent.groups.setdefault(group.name, []).append(node)
    level = _Level(group, node, 0, {}, group.lookup)
    stack.append(level)
    first = group.entries[0]
    if isinstance(first, GroupDef):
        level.counts[first.name] = 1
        _open(stack, first, node, position, segment)
    else:
        level.counts[first.tag] = 1
        node.segments[first.tag] = [(position, segment)]


def _too_many(message: Message, position: int, what: str, limit: int) -> Problem:
    return message.problem(
        "too_many", f"{what} occurs more than the {limit} times allowed here", position
    )
