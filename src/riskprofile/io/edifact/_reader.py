"""Reading CUSCAR messages into manifests, each message one :class:`~riskprofile.Manifest`.

A file's units (see :mod:`._envelope`) are its records: every message, every stretch of
segments outside a message, every envelope trailer that disagrees with its content. A
message becomes a manifest, its fields taken where the mapping says (see
:mod:`._mapping`); everything else is reported:

- lenient mode keeps the message and flags each problem: structural ones (a segment out
  of place, a control count that disagrees) on the manifest as ``edifact:<code>``, a
  value that cannot be read (a weight of ``abc``, an unknown unit) on its record, with the
  segment's place in the message in the flag's message;
- strict mode rejects the message, with every problem and its place;
- in both modes a unit that is not a cargo report (segments outside any message, another
  message type, a message without a B/L number) is rejected with its reasons.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.errors import InputFormatError, RecordError
from riskprofile.io._batch import FieldProblem, RejectedRecord, problems_from_validation
from riskprofile.io.edifact._envelope import Loose, Message, Problem, open_envelopes
from riskprofile.io.edifact._groups import GroupNode, place_segments, table_for
from riskprofile.io.edifact._mapping import (
    FIELDS,
    EdifactMapping,
    Found,
    Selector,
    default_mapping,
    load_mapping,
)
from riskprofile.io.edifact._syntax import Segment, ServiceChars, tokenize
from riskprofile.io.edifact._values import (
    FULL_EMPTY,
    join_text,
    parse_datetime,
    parse_decimal,
    parse_temperature,
    parse_weight,
)
from riskprofile.model import Strictness, validation_context
from riskprofile.model.manifest import Manifest

__all__ = [
    "MAX_FILE_BYTES",
    "iter_edifact_manifests",
    "looks_like_edifact",
    "paused_gc",
    "read_text",
]

MAX_FILE_BYTES = 256 * 1024 * 1024
"""The largest EDIFACT file read (about 280,000 containers of CUSCAR): the whole file is
tokenized in memory, so a larger one is refused rather than exhausting it."""
_NAME_WIDTH = 35
_TEXT_WIDTH = 70
_SIGNATURE = (b"UNA", b"UNB", b"UNH")


def looks_like_edifact(path: Path) -> bool:
    """True when the file starts (after a byte order mark or blank lines) with ``UNA``,
    ``UNB`` or ``UNH``."""
    try:
        if not path.is_file():  # never open a FIFO or a device to sniff it
            return False
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head[:3] in _SIGNATURE


def read_text(path: Path) -> str:
    """The file's text: UTF-8 (syntax UNOW/UNOY) when it decodes so, else ISO 8859-1
    (UNOA to UNOC), which every byte decodes; a byte order mark is dropped."""
    try:
        # A FIFO or a device is refused without waiting on it (`--stowplan /dev/stdin`
        # hung the command), and no more than the limit is ever read.
        data = read_regular_file(path, MAX_FILE_BYTES, refuse_larger=False)
    except RefusedFileError as exc:
        raise InputFormatError(f"cannot read: {exc}", path=str(path)) from None
    except OSError as exc:
        raise InputFormatError(f"cannot open: {exc.strerror or exc}", path=str(path)) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputFormatError(
            f"more than the {MAX_FILE_BYTES:,} bytes an EDIFACT file may have; "
            "split the interchange",
            path=str(path),
        )
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def iter_edifact_manifests(
    path: str | Path,
    *,
    strictness: Strictness = "lenient",
    mapping: EdifactMapping | str | Path | None = None,
    rejected: list[RejectedRecord] | None = None,
    numbers: list[int] | None = None,
) -> Iterator[Manifest]:
    """Read the CUSCAR messages of an EDIFACT file as manifests, one per message.

    Rejected units (see the module docstring) are appended to ``rejected``; ``numbers``
    receives each yielded manifest's record number (its unit's place in the file, from 1).

    Raises:
        InputFormatError: the file cannot be read, or its ``UNA`` is unusable.
        MappingError: the mapping file is invalid.
    """
    path = Path(path)
    source = str(path)
    resolved = _mapping(mapping)
    context = validation_context(strictness)
    try:
        with paused_gc():
            tokens = tokenize(read_text(path))
            envelope = open_envelopes(tokens)
    except InputFormatError as exc:
        raise InputFormatError(exc.message, path=source) from None
    service = tokens.service
    del tokens  # the messages hold their segments; each lets go once read (memory)
    for number, unit in enumerate(envelope.units, start=1):
        if isinstance(unit, Loose):
            if rejected is not None:
                rejected.append(_rejected(source, number, unit.problems, {}))
            continue
        with paused_gc():
            outcome = _read_message(unit, resolved, service, strictness, context)
        unit.segments = []
        if isinstance(outcome, Manifest):
            if numbers is not None:
                numbers.append(number)
            yield outcome
        elif rejected is not None:
            problems, doc = outcome
            rejected.append(_rejected(source, number, problems, doc))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off while a file's many small tuples are made (it
    would scan them again and again, for half the time; nothing made here is cyclic
    garbage). Never across a ``yield``: the caller's code runs with it on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _mapping(mapping: EdifactMapping | str | Path | None) -> EdifactMapping:
    if mapping is None:
        return default_mapping()
    if isinstance(mapping, EdifactMapping):
        return mapping
    return load_mapping(mapping)


def _rejected(
    source: str, number: int, problems: list[Problem] | list[FieldProblem], doc: dict[str, Any]
) -> RejectedRecord:
    out = [
        p if isinstance(p, FieldProblem) else FieldProblem(p.where or None, p.value, p.reason)
        for p in problems
    ]
    boxes = {b["number"]: None for b in doc.get("containers", ()) if b.get("number")}
    bills: dict[str, None] = {}
    for bill in doc.get("consignments", ()):
        if bill.get("bl_number"):
            bills.setdefault(bill["bl_number"], None)
        for box in bill.get("container_numbers", ()):
            boxes.setdefault(box, None)
    return RejectedRecord(source, number, tuple(out), tuple(boxes), tuple(bills))


def _read_message(
    message: Message,
    mapping: EdifactMapping,
    service: ServiceChars,
    strictness: Strictness,
    context: dict[str, Any],
) -> Manifest | tuple[list[Problem] | list[FieldProblem], dict[str, Any]]:
    table, note = table_for(message)
    if table is None:
        return [message.problem("message_type", note or "not read", 1)], {}
    root, placing = place_segments(message, table)
    builder = _Builder(message, mapping, service)
    doc = builder.manifest(root)
    structural = [*message.problems, *placing]
    if strictness == "strict" and (structural or builder.problems):
        return [*structural, *(p for p, _, _ in builder.problems)], doc
    flags = [_flag("edifact", p) for p in structural]
    function = _message_function(message, root)
    if function is not None:
        flags.append(function)
    if note is not None:
        flags.append(
            {"field": "edifact", "code": "directory", "value": message.directory, "message": note}
        )
    if flags:
        doc["quality_flags"] = flags
    try:
        return Manifest.model_validate(doc, context=context)
    except RecordError as exc:
        where = message.problem("invalid_message", "the message is not a usable manifest", 1)
        problems = [FieldProblem(where.where, None, where.reason)]
        return [*problems, *problems_from_validation(exc)], doc


# UN/EDIFACT 1225 message function codes other than 9 (original) that senders use.
_FUNCTIONS = {
    "1": "cancellation",
    "2": "addition",
    "3": "deletion",
    "4": "change",
    "5": "replacement",
    "6": "confirmation",
    "7": "duplicate",
    "31": "copy",
}


def _message_function(message: Message, root: GroupNode) -> dict[str, Any] | None:
    """A flag when ``BGM`` says the message is not an original (a cancellation, a
    replacement...): it is read as a manifest of its own, not applied to an earlier
    message, and an officer must know."""
    found = root.first("BGM")
    code = found[1].value(3) if found is not None else None
    if code is None or code == "9":
        return None
    name = _FUNCTIONS.get(code, "not an original")
    where = message.problem("message_function", "", found[0] if found else None, "3", code)
    return {
        "field": "edifact",
        "code": "message_function",
        "value": code,
        "message": f"{where.where}: the message is a {name} (BGM message function {code}); "
        "it is read as it stands, not applied to an earlier message",
    }


def _flag(field: str, problem: Problem) -> dict[str, Any]:
    return {
        "field": field,
        "code": problem.code,
        "value": problem.value if problem.value is not None else problem.tag,
        "message": f"{problem.where}: {problem.reason}",
    }


class _Builder:
    """Builds the manifest document of one message from its group tree."""

    def __init__(self, message: Message, mapping: EdifactMapping, service: ServiceChars) -> None:
        self.message = message
        self.mapping = mapping
        self.decimal = service.decimal
        # Each problem with the record document and field it belongs on (flagged there
        # when lenient).
        self.problems: list[tuple[Problem, dict[str, Any], str]] = []

    # --- records ------------------------------------------------------------------------

    def manifest(self, root: GroupNode) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        self._fields("manifest", root, doc)
        containers = [
            self._record("containers", node) for node in self.mapping.records("containers", root)
        ]
        if containers:
            doc["containers"] = containers
        consignments = [
            self._consignment(node) for node in self.mapping.records("consignments", root)
        ]
        if consignments:
            doc["consignments"] = consignments
        for problem, record, name in self.problems:
            record.setdefault("quality_flags", []).append(_flag(name, problem))
        return doc

    def _record(self, section: str, node: GroupNode) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        self._fields(section, node, doc)
        return doc

    def _consignment(self, node: GroupNode) -> dict[str, Any]:
        doc = self._record("consignments", node)
        master = doc.get("master_bl_number")
        if master is not None and master == doc.get("bl_number"):
            del doc["master_bl_number"]  # RFF+BM is the B/L itself unless RFF+BH is there
        goods = []
        linked: dict[str, None] = {}
        for goods_node in self.mapping.records("goods", node):
            item = self._record("goods", goods_node)
            boxes = item.pop("container_number", [])
            for box in boxes:
                linked.setdefault(box, None)
            if not boxes or self._has_data(goods_node):
                if len(boxes) == 1:
                    item["container_number"] = boxes[0]
                goods.append(item)
        if goods:
            doc["goods"] = goods
        if linked:
            doc["container_numbers"] = list(linked)
        return doc

    @staticmethod
    def _has_data(node: GroupNode) -> bool:
        """False for the writer's bare ``GID`` (no item number) that only carries ``SGP``
        links to containers no goods line names."""
        found = node.first("GID")
        if found is not None and found[1].elements:
            return True
        return any(tag not in ("GID", "SGP") for tag in node.segments) or bool(node.groups)

    # --- fields -------------------------------------------------------------------------

    def _fields(self, section: str, node: GroupNode, doc: dict[str, Any]) -> None:
        for name, kind in FIELDS[section].items():
            selectors = self.mapping.selectors(section, name)
            if not selectors:
                continue
            value = getattr(self, f"_read_{kind}")(selectors, node, doc, name)
            if value is not None and value != []:
                doc[name] = value

    def _first(self, selectors: tuple[Selector, ...], node: GroupNode) -> Found | None:
        for selector in selectors:
            for found in selector.find(node):
                if found.value is not None:
                    return found
        return None

    def _every(self, selectors: tuple[Selector, ...], node: GroupNode) -> list[Found]:
        for selector in selectors:
            found = [f for f in selector.find(node) if f.value is not None or f.element is None]
            if found:
                return found
        return []

    def _problem(
        self, doc: dict[str, Any], name: str, found: Found, reason: str, value: str | None
    ) -> None:
        problem = self.message.problem(
            "invalid_value", reason, found.position, found.element, value
        )
        self.problems.append((problem, doc, name))

    def _read_text(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = self._first(selectors, node)
        if found is None:
            return None
        if found.parts:
            width = _TEXT_WIDTH if found.segment.tag == "FTX" else _NAME_WIDTH
            texts = [
                join_text(f.parts, width) or ""
                for s in selectors
                for f in s.find(node)
                if f.parts and f.segment.tag == found.segment.tag
            ]
            return " ".join(t for t in texts if t) or None
        return found.value

    def _read_text_list(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        return [f.value for f in self._every(selectors, node) if f.value is not None]

    def _read_containers(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        return list(dict.fromkeys(self._read_text_list(selectors, node, doc, name)))

    def _read_integer(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = self._first(selectors, node)
        if found is None or found.value is None:
            return None
        try:
            number = parse_decimal(found.value, self.decimal)
        except ValueError as exc:
            self._problem(doc, name, found, str(exc), found.value)
            return None
        if number != number.to_integral_value():
            self._problem(doc, name, found, "not a whole number", found.value)
            return None
        return int(number)

    def _read_decimal(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = self._first(selectors, node)
        if found is None or found.value is None:
            return None
        try:
            return str(parse_decimal(found.value, self.decimal))
        except ValueError as exc:
            self._problem(doc, name, found, str(exc), found.value)
            return None

    def _read_weight(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = self._first(selectors, node)
        if found is None:
            return None
        if found.parts:  # a whole C174 element: unit, value
            unit = found.parts[0] or None
            text = found.parts[1] if len(found.parts) > 1 else ""
        else:
            unit, text = None, found.value or ""
        if not text:
            self._problem(doc, name, found, "the measurement has no value", found.value)
            return None
        try:
            return parse_weight(unit, text, self.decimal)
        except ValueError as exc:
            self._problem(doc, name, found, str(exc), found.value)
            return None

    def _read_temperature(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = self._first(selectors, node)
        if found is None:
            return None
        if found.parts:  # a whole C239 element: value, unit
            text = found.parts[0]
            unit = found.parts[1] or None if len(found.parts) > 1 else None
        else:
            unit, text = None, found.value or ""
        if not text:
            self._problem(doc, name, found, "the temperature has no value", found.value)
            return None
        try:
            return parse_temperature(unit, text, self.decimal)
        except ValueError as exc:
            self._problem(doc, name, found, str(exc), found.value)
            return None

    def _read_datetime(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = self._first(selectors, node)
        if found is None:
            return None
        if found.parts:  # a whole C507 element: qualifier, value, format
            text = found.parts[1] if len(found.parts) > 1 else ""
            code = found.parts[2] if len(found.parts) > 2 and found.parts[2] else None
        else:
            text, code = found.value or "", None
        try:
            return parse_datetime(text, code).isoformat()
        except ValueError as exc:
            self._problem(doc, name, found, str(exc), found.value)
            return None

    def _read_date(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        value = self._read_datetime(selectors, node, doc, name)
        return value[:10] if value is not None else None

    def _read_full_empty(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = self._first(selectors, node)
        if found is None or found.value is None:
            return None
        return FULL_EMPTY.get(found.value, found.value)

    def _read_seals(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        seals = []
        for found in self._every(selectors, node):
            number = found.segment.value(1)
            if number is None:
                self._problem(doc, name, found, "a seal without a number", None)
                continue
            seal = {"number": number}
            sealer = found.segment.value(2, 1)
            if sealer is not None:
                seal["sealer"] = sealer
            seals.append(seal)
        return seals

    def _read_party(
        self, selectors: tuple[Selector, ...], node: GroupNode, doc: dict[str, Any], name: str
    ) -> Any:
        found = next((f for s in selectors for f in s.find(node)), None)
        if found is None:
            return None
        return party_of(found.segment)


def party_of(nad: Segment) -> dict[str, Any] | None:
    """A party from its ``NAD``: the structured name (C080) and street (C059), city,
    postcode and country, or else the name and address lines (C058); the identifier
    (C082); ``None`` when it holds none of them."""

    def element(index: int) -> tuple[str, ...]:
        return nad.elements[index - 1] if index <= len(nad.elements) else ()

    party: dict[str, Any] = {}
    name_text = join_text(element(4)[:5], _NAME_WIDTH)
    address_parts = [join_text(element(5), _NAME_WIDTH), nad.value(6), nad.value(8)]
    if name_text is None and any(element(3)):
        # Only the unstructured C058 (name and address lines): the name first.
        lines = element(3)
        name_text, address_parts = lines[0] or None, [join_text(lines[1:], _NAME_WIDTH)]
    address = ", ".join(p for p in address_parts if p) or None
    for key, value in (
        ("name", name_text),
        ("address", address),
        ("country", nad.value(9)),
        ("identifier", nad.value(2, 1)),
    ):
        if value is not None:
            party[key] = value
    return party or None
