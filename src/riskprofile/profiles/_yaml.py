"""Safe YAML with source positions, for untrusted profile files.

PyYAML's safe loader is the parser; we build the Python values ourselves from its node
graph so that every value keeps the line and column it came from, and so that the
limits hold: a file size limit, a limit on nodes built (aliases count each time they are
expanded, which stops "billion laughs" documents), and only the standard YAML tags
(no ``!!python/...`` or custom tags).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from riskprofile.profiles._yaml_errors import explain

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_PROFILE_BYTES",
    "Position",
    "ScalarSource",
    "YamlDocument",
    "parse",
]

MAX_PROFILE_BYTES = 1024 * 1024
"""A profile file larger than this is refused."""
MAX_NODES = 200_000
"""Most values one file may expand to (aliases count every time they are used)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists in a profile file."""

Path_ = tuple[str | int, ...]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)


class YamlError(Exception):
    """A problem in a YAML file, with its 1-based line and column when known."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class ScalarSource:
    """Where a text scalar's characters are in the file, to locate an offset inside it.

    ``segments`` are ``(offset in the value, line, column)`` for each source line the value
    spans; a character at value offset *k* is at the last segment starting at or before k.
    """

    segments: tuple[tuple[int, int, int], ...]

    def locate(self, offset: int) -> Position:
        """The position of the character at ``offset`` in the scalar's value."""
        line, column, start = self.segments[0][1], self.segments[0][2], 0
        for seg_offset, seg_line, seg_column in self.segments:
            if seg_offset > offset:
                break
            start, line, column = seg_offset, seg_line, seg_column
        return Position(line, column + (offset - start))


@dataclass
class YamlDocument:
    """A parsed file: its data, and the position of every key and value by path."""

    data: Any
    keys: dict[Path_, Position] = field(default_factory=dict)
    values: dict[Path_, Position] = field(default_factory=dict)
    scalars: dict[Path_, ScalarSource] = field(default_factory=dict)
    raw: dict[Path_, str] = field(default_factory=dict)

    def position(self, path: Path_) -> Position | None:
        """The best position for a path: its key, else its value, else its parent's."""
        while True:
            found = self.keys.get(path) or self.values.get(path)
            if found is not None or not path:
                return found
            path = path[:-1]


def _scalar_source(node: yaml.ScalarNode, text: str) -> ScalarSource:
    start, end = node.start_mark, node.end_mark
    first = (0, start.line + 1, start.column + 1)
    if node.style in ('"', "'"):
        first = (0, start.line + 1, start.column + 2)  # after the opening quote
    if start.line == end.line and node.style not in ("|", ">"):
        return ScalarSource((first,))
    # Multi-line: each non-empty source line contributes its stripped text; literal
    # blocks keep newlines, the other styles fold them into spaces. Either way one
    # separator character sits between consecutive lines of the value.
    raw_lines = text[start.index : end.index].split("\n")
    segments: list[tuple[int, int, int]] = []
    offset = 0
    first_line = 0
    if node.style in ("|", ">"):
        first_line = 1  # the indicator line holds no content
    block = node.style in ("|", ">")
    base = None
    if block:
        # A block's value keeps the indentation beyond its first content line's.
        for raw in raw_lines[first_line:]:
            if raw.strip():
                base = len(raw) - len(raw.lstrip())
                break
    for i in range(first_line, len(raw_lines)):
        raw = raw_lines[i]
        if i == 0 and node.style in ('"', "'"):
            raw = raw[1:]
        if not raw.strip():
            continue
        if block and base is not None:
            indent = min(base, len(raw) - len(raw.lstrip()))
            content = raw[indent:].rstrip()
        else:
            indent = len(raw) - len(raw.lstrip())
            content = raw.strip()
        column = (start.column + 1 + indent) if i == 0 else indent + 1
        if i == 0 and node.style in ('"', "'"):
            column = start.column + 2 + indent
        segments.append((offset, start.line + 1 + i, column))
        offset += len(content) + 1
    return ScalarSource(tuple(segments) or (first,))


def _deep_flow_start(text: str) -> tuple[int | None, int | None]:
    """Where the outermost ``[``/``{`` of a too-deep flow collection opens (1-based)."""
    depth, quote = 0, ""
    start: tuple[int | None, int | None] = (None, None)
    line, column = 1, 0
    for char in text:
        column += 1
        if char == "\n":
            line, column = line + 1, 0
            continue
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
            if depth == 1:
                start = (line, column)
            if depth > MAX_DEPTH:
                return start
        elif char in "]}":
            depth = max(0, depth - 1)
    return None, None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a flow collection (``[``, ``{``) nested deeper than
    any value may be as its bracket is scanned: the scanner otherwise reads ahead through
    every bracket of ``[[[[...`` (each may start a key) before the first value is built,
    about a second for a file of nothing but brackets, and only then is the depth seen."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:  # noqa: N803
        # The element of a collection one level in has a path one longer, so flow level
        # MAX_DEPTH + 1 is always deeper than `build` allows (never refused sooner).
        if self.flow_level > MAX_DEPTH:
            mark = self.get_mark()
            raise YamlError(
                f"values are nested more than {MAX_DEPTH} deep", mark.line + 1, mark.column + 1
            )
        super().fetch_flow_collection_start(TokenClass)


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """How many values the node graph expands to, counted without expanding it (aliases
    share nodes, so sizes are memoised per node); stops early past ``limit``."""
    sizes: dict[int, int] = {}
    started: set[int] = set()  # their subtree is being counted: reaching one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if not done:
            if id(node) in started:
                # `a: &x [1, *x]`: the graph PyYAML composes loops; expanding it never ends.
                raise YamlError(
                    "an alias (*name) is used inside the value its anchor (&name) marks, "
                    "so the value would contain itself forever: refer to a value defined "
                    "outside it",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            started.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        total = 1 + sum(sizes.get(id(c), 1) for c in children)
        sizes[id(node)] = min(total, limit + 1)
    return sizes[id(root)]


def parse(text: str, *, max_nodes: int = MAX_NODES) -> YamlDocument:
    """Parse one YAML document with positions; raise :class:`YamlError` on any problem."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        at = exc.position
        raise YamlError(
            f"the file contains the control character U+{exc.character:04X}, which a "
            "profile cannot hold: remove it (was the file saved by a word processor, or "
            "with a binary attachment?)",
            text.count("\n", 0, at) + 1,
            at - (text.rfind("\n", 0, at) + 1) + 1,
        ) from None
    try:
        try:
            root = loader.get_single_node()
        except RecursionError:
            line, column = _deep_flow_start(text)
            raise YamlError(
                f"values are nested too deeply (more than {MAX_DEPTH})", line, column
            ) from None
        except yaml.MarkedYAMLError as exc:
            raise YamlError(*explain(exc, text)) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"not valid YAML: {exc}") from None
        doc = YamlDocument(data=None)
        if root is None:
            return doc
        if _expanded_size(root, max_nodes) > max_nodes:
            raise YamlError(
                f"the document expands to more than {max_nodes:,} values "
                "(aliases are counted each time they are used)",
                root.start_mark.line + 1,
                root.start_mark.column + 1,
            )

        def build(node: yaml.Node, path: Path_) -> Any:
            if len(path) > MAX_DEPTH:
                raise YamlError(
                    f"values are nested more than {MAX_DEPTH} deep",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            if node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(
                    "merge keys (<<) are not allowed: write the keys out in full",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            if node.tag not in _STANDARD_TAGS:
                raise YamlError(
                    f"tag {node.tag!r} is not allowed: profiles use plain YAML values only",
                    node.start_mark.line + 1,
                    node.start_mark.column + 1,
                )
            doc.values[path] = Position(node.start_mark.line + 1, node.start_mark.column + 1)
            if isinstance(node, yaml.ScalarNode):
                try:
                    value = loader.construct_object(node, deep=True)
                except (yaml.YAMLError, ValueError, OverflowError) as exc:
                    if node.tag != _TIMESTAMP or node.style is not None:
                        shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
                        reason = (
                            f"a number of {len(node.value):,} digits is too large"
                            if node.tag == "tag:yaml.org,2002:int"
                            else str(exc)
                        )
                        raise YamlError(
                            f"bad value {shown!r}: {reason}",
                            node.start_mark.line + 1,
                            node.start_mark.column + 1,
                        ) from None
                    # 2026-02-30 or 0000-00-00 looks like a date but is none: keep the
                    # text, so that a date field reports it and a text field takes it.
                    value = node.value
                if isinstance(value, str):
                    doc.scalars[path] = _scalar_source(node, text)
                elif node.style is None and isinstance(value, int | float):
                    # "07" or "0701" as typed: YAML 1.1 reads them as numbers (0701 as
                    # octal); a text list needs what the analyst wrote.
                    doc.raw[path] = node.value
                return value
            if isinstance(node, yaml.SequenceNode):
                return [build(child, (*path, i)) for i, child in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise YamlError(
                        "mapping keys must be plain text",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                key = build(key_node, (*path, "<key>"))
                if not isinstance(key, str):
                    # Keys are names: `1:`, `07:`, `no:` or `2026-01-01:` as typed, not
                    # as YAML 1.1 would type them.
                    key = key_node.value
                if key in out:
                    first = doc.keys[(*path, key)]
                    raise YamlError(
                        f"key {key!r} appears twice (first at line {first.line}): keep one of them",
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                doc.keys[(*path, key)] = Position(
                    key_node.start_mark.line + 1, key_node.start_mark.column + 1
                )
                out[key] = build(value_node, (*path, key))
            return out

        doc.data = build(root, ())
        return doc
    finally:
        loader.dispose()
