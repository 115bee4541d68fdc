"""Where each manifest field lives in a message: the EDIFACT mapping.

Every administration's implementation guide moves things, so the reader takes its places
from a small YAML file, like the column mappings of flat files. A place is a *selector*::

    SG7/SG8/RFF[1.1=BM] 1.2

the group path from the record's group (``SG7/SG8``), the segment tag (``RFF``), any
conditions on its values (``[1.1=BM]``: element 1, component 1 is ``BM``; ``[2.1=G|AAB]``
allows several values), and the element (``3``) or component (``1.2``) that holds the
value. A field may list several selectors: the first that finds a value wins. Record
sections (``containers``, ``consignments``, ``goods``) name the group each record is in
with ``each``; their selectors are relative to it (``goods`` to the consignment's group).

The bundled default (:func:`default_mapping`) follows the UN standard's CUSCAR; see
docs/edifact.md for how to write a country's.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from riskprofile.errors import MappingError
from riskprofile.io._layout import read_mapping_yaml
from riskprofile.io.edifact._groups import GroupNode
from riskprofile.io.edifact._syntax import Segment

__all__ = [
    "FIELDS",
    "EdifactMapping",
    "Found",
    "Selector",
    "default_mapping",
    "load_mapping",
]

# The fields each section can map, and what kind of value each reads.
FIELDS: dict[str, dict[str, str]] = {
    "manifest": {
        "vessel_name": "text",
        "vessel_imo": "text",
        "voyage_number": "text",
        "carrier_scac": "text",
        "port_of_call": "text",
        "arrival": "datetime",
    },
    "containers": {
        "number": "text",
        "size_type": "text",
        "full": "full_empty",
        "verified_gross_mass_kg": "weight",
        "tare_kg": "weight",
        "seals": "seals",
        "reefer_celsius": "temperature",
    },
    "consignments": {
        "bl_number": "text",
        "master_bl_number": "text",
        "shipper": "party",
        "consignee": "party",
        "notify_party": "party",
        "freight_payer": "party",
        "place_of_receipt": "text",
        "port_of_loading": "text",
        "transshipment_ports": "text_list",
        "port_of_discharge": "text",
        "place_of_delivery": "text",
        "pre_carriage_mode": "text",
        "on_carriage_mode": "text",
        "freight_terms": "text",
        "issue_date": "date",
    },
    "goods": {
        "hs_code": "text",
        "description": "text",
        "packages": "integer",
        "package_type": "text",
        "gross_weight_kg": "weight",
        "net_weight_kg": "weight",
        "value": "decimal",
        "currency": "text",
        "origin_country": "text",
        "un_number": "text",
        "imdg_class": "text",
        "container_number": "containers",
    },
}
_SECTIONS = ("manifest", "containers", "consignments", "goods")
_GROUP = re.compile(r"SG\d+")
_TAG = re.compile(r"[A-Z][A-Z0-9]{2}")
_CONDITION = re.compile(r"\[(\d+)(?:\.(\d+))?=([^\]]*)\]")
_PLACE = re.compile(r"(\d+)(?:\.(\d+))?")


class Found(NamedTuple):
    """A value found by a selector: the text (``None`` for a whole segment), the segment,
    its position in the message and the element it came from (``3.2``)."""

    value: str | None
    segment: Segment
    position: int
    element: str | None
    parts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Selector:
    """One place in a message (see the module docstring for the syntax)."""

    text: str
    path: tuple[str, ...]
    tag: str
    conditions: tuple[tuple[int, int | None, frozenset[str]], ...]
    element: int | None
    component: int | None

    @classmethod
    def parse(cls, text: str) -> Selector:
        """Read a selector; raises ``ValueError`` with the reason."""
        head, _, place = text.strip().partition(" ")
        conditions = tuple(
            (int(e), int(c) if c else None, frozenset(v.split("|")))
            for e, c, v in _CONDITION.findall(head)
        )
        if any(e < 1 or c == 0 for e, c, _ in conditions):
            raise ValueError("elements and components count from 1 in conditions")
        bare = _CONDITION.sub("", head)
        if "[" in bare or "]" in bare:
            raise ValueError("conditions are written [element=value] or [element.component=value]")
        *path, tag = bare.split("/")
        if not _TAG.fullmatch(tag):
            raise ValueError(f"{tag!r} is not a segment tag")
        for group in path:
            if not _GROUP.fullmatch(group):
                raise ValueError(f"{group!r} is not a segment group (SG1, SG7...)")
        element = component = None
        place = place.strip()
        if place:
            match = _PLACE.fullmatch(place)
            if not match:
                raise ValueError(f"{place!r} is not an element (3) or a component (3.2)")
            element = int(match[1])
            component = int(match[2]) if match[2] else None
            if element < 1 or component == 0:
                raise ValueError(f"{place!r}: elements and components count from 1")
        return cls(text, tuple(path), tag, conditions, element, component)

    def _hits(self, node: GroupNode) -> list[tuple[int, Segment]]:
        if not self.path:
            return node.segments.get(self.tag, [])
        nodes = [node]
        for group in self.path:
            nodes = [child for n in nodes for child in n.groups.get(group, ())]
        if len(nodes) == 1:
            return nodes[0].segments.get(self.tag, [])
        hits = [hit for n in nodes for hit in n.segments.get(self.tag, ())]
        hits.sort(key=lambda hit: hit[0])
        return hits

    def _matches(self, segment: Segment) -> bool:
        elements = segment.elements
        for element, component, values in self.conditions:
            if element > len(elements):
                value = ""
            else:
                parts = elements[element - 1]
                index = (component or 1) - 1
                value = parts[index] if index < len(parts) else ""
            if value not in values:
                return False
        return True

    def find(self, node: GroupNode) -> list[Found]:
        """Every value (or segment) this selector finds under ``node``, in message order."""
        out: list[Found] = []
        element, component = self.element, self.component
        for position, segment in self._hits(node):
            if self.conditions and not self._matches(segment):
                continue
            if element is None:
                out.append(Found(None, segment, position, None))
            elif component is None:
                parts = segment.elements[element - 1] if element <= len(segment.elements) else ()
                text = " ".join(p for p in parts if p) or None
                out.append(Found(text, segment, position, str(element), tuple(parts)))
            else:
                out.append(
                    Found(
                        segment.value(element, component),
                        segment,
                        position,
                        f"{element}.{component}",
                    )
                )
        return out


@dataclass(frozen=True, slots=True)
class EdifactMapping:
    """Where each field lives: section -> field -> selectors (first match wins), and the
    group each record section reads its records from."""

    source: str
    fields: dict[str, dict[str, tuple[Selector, ...]]]
    each: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def selectors(self, section: str, name: str) -> tuple[Selector, ...]:
        """The selectors of a field (empty when the mapping leaves it out)."""
        return self.fields.get(section, {}).get(name, ())

    def records(self, section: str, node: GroupNode) -> list[GroupNode]:
        """The occurrences under ``node`` that are records of ``section``."""
        nodes = [node]
        for group in self.each.get(section, ()):
            nodes = [child for n in nodes for child in n.groups.get(group, ())]
        return nodes


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(f"{key}:"):
            return number
    return None


def load_mapping(path: str | Path | None = None) -> EdifactMapping:
    """Load an EDIFACT mapping file (the bundled UN default when ``path`` is ``None``).

    Raises:
        MappingError: the file is not a mapping: unknown section or field (with a
            suggestion), a selector that does not parse, a record section without
            ``each``. The error names the file and line.
    """
    if path is None:
        text = (resources.files("riskprofile.io.edifact") / "cuscar-un.yaml").read_text(
            encoding="utf-8"
        )
        source = "cuscar-un.yaml (bundled)"
        data = yaml.safe_load(text)
    else:
        # Safe YAML, bounded in size, never waiting on a FIFO: as the column mappings.
        source = str(path)
        data, _node = read_mapping_yaml(path)
        text = Path(path).read_text(encoding="utf-8")
    if not isinstance(data, dict):
        raise MappingError("a mapping is a YAML mapping of sections", path=source)
    return _build(data, text, source)


def _build(data: dict[str, Any], text: str, source: str) -> EdifactMapping:
    fields: dict[str, dict[str, tuple[Selector, ...]]] = {}
    each: dict[str, tuple[str, ...]] = {}
    for section, body in data.items():
        if section == "message":
            if body != "CUSCAR":
                raise MappingError(
                    f"message {body!r} is not read (only CUSCAR)",
                    path=source,
                    line=_line_of(text, section),
                )
            continue
        if section not in FIELDS:
            close = difflib.get_close_matches(str(section), _SECTIONS, n=1)
            raise MappingError(
                f"unknown section {section!r}",
                path=source,
                line=_line_of(text, str(section)),
                suggestion=f"did you mean {close[0]!r}?" if close else None,
            )
        if not isinstance(body, dict):
            raise MappingError(
                f"section {section!r} maps field names to selectors",
                path=source,
                line=_line_of(text, section),
            )
        fields[section] = {}
        for name, value in body.items():
            line = _line_of(text, str(name))
            if name == "each" and section != "manifest":
                groups = str(value).split("/")
                if not all(_GROUP.fullmatch(g) for g in groups):
                    raise MappingError(
                        f"{section}.each is a group path (SG7/SG8), not {value!r}",
                        path=source,
                        line=line,
                    )
                each[section] = tuple(groups)
                continue
            if name not in FIELDS[section]:
                close = difflib.get_close_matches(str(name), FIELDS[section], n=1)
                raise MappingError(
                    f"unknown field {name!r} in section {section!r}",
                    path=source,
                    line=line,
                    suggestion=f"did you mean {close[0]!r}?" if close else None,
                )
            texts = value if isinstance(value, list) else [value]
            selectors = []
            for item in texts:
                try:
                    selectors.append(Selector.parse(str(item)))
                except ValueError as exc:
                    raise MappingError(
                        f"{section}.{name}: {exc} in selector {item!r}", path=source, line=line
                    ) from None
            fields[section][str(name)] = tuple(selectors)
    for section in ("containers", "consignments", "goods"):
        if section in fields and section not in each:
            raise MappingError(
                f"section {section!r} needs 'each': the group its records are in",
                path=source,
                line=_line_of(text, section),
            )
    return EdifactMapping(source, fields, each)


@functools.cache
def default_mapping() -> EdifactMapping:
    """The UN standard's CUSCAR mapping (``cuscar-un.yaml``, bundled)."""
    return load_mapping()
