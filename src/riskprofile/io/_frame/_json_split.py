"""A JSON or JSON Lines batch split for the column-wise reader, down to the bill of
lading and the container.

Each document is one vessel call. Its bills of lading and containers that are *plain*
(:mod:`riskprofile.io._frame._json` says what that is) become the flat rows
:func:`~riskprofile.io.table_rows` would write for them; the others - a bill with a
key the model does not know, two bills with one number, a container number off ISO
6346, a goods value the model dropped (its ``invalid_value`` flag given in)... - are
read by the model path as a manifest of their own: the document's voyage with just
those bills and containers (its *part*). The part is closed, so that each shipment gets
exactly the figures the whole document gives it:

- a bill routed takes the containers it names; a container routed takes every bill
  that names it and every declaration of its number; bills with one number (the model
  flags the second) go together;
- a flag the document's manifest is given over one of its bills or containers
  (``write_json`` writes the manifest's ``duplicate`` flags) routes that bill or
  container, and is given to the part with the element's place in the part.

What the model says of the part must be what it says of the whole document: the part
is read as the document's, and only when its manifest-level flags are exactly those of
the voyage alone (a bill the model drops, and so flags on the whole manifest, sends the
whole document through the model path) and it keeps every bill and container it was
given. Shipments are then put in the places :func:`~riskprofile.model.shipment.flatten`
of the whole document gives them: bills in document order, each with its containers,
then the containers no bill names, in the order first declared.

A document whose voyage is not plain, whose bills and containers all go to the model
path, or whose part the model would read otherwise, goes whole through the model path,
as does a document of the same vessel call as another (a flat file would merge them).
"""

from __future__ import annotations

import dataclasses
import functools
from array import array
from pathlib import Path
from typing import Any

import polars as pl

from riskprofile.io._frame._json import (
    _BILL_KEYS,
    _BILL_TEXT,
    _CALL_KEY,
    _CONTAINER_KEYS,
    _FLAGS,
    _GOODS,
    _GOODS_KEYS,
    _LENIENT,
    _MANIFEST_KEYS,
    _PARTIES,
    _SEPARATOR,
    _VOYAGE,
    NotFlatError,
    _box_cells,
    _container_number,
    _custom_cells,
    _items,
    _list,
    _object,
    _party_cells,
    _text,
)
from riskprofile.io._layout import COLUMNS
from riskprofile.io._read import BatchFormat, Undecodable, json_documents
from riskprofile.model import QualityFlag
from riskprofile.model.codes import normalise_container_number
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Manifest
from riskprofile.model.shared import EXTRA_PREFIX, ExtraType, flagged_element
from riskprofile.model.shipment import Shipment, flatten

__all__ = ["BARE", "DocumentPart", "FlatDocuments", "flat_documents"]

Row = dict[str, str | None]
_LISTS = ("consignments", "containers")


class _WholeDocumentError(NotFlatError):
    """A problem of the document itself (its voyage, a bill or container the model
    cannot keep): the whole document goes through the model path."""


def _identity(value: Any) -> str | None:
    """A container number as the model holds it (an integer is read as text), or None
    for a value that cannot be one."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return _normalised(value)


@functools.lru_cache(maxsize=1 << 16)
def _normalised(value: str) -> str:
    return normalise_container_number(value) or value.strip()


def _named(bill: dict[str, Any]) -> set[str]:
    """Every container number a bill could name (its list and its goods lines), read
    as far as it can be: more than the model keeps is safe, it only routes more."""
    found: list[str | None] = []
    numbers = bill.get("container_numbers")
    if isinstance(numbers, list):
        found += [_identity(n) for n in numbers]
    goods = bill.get("goods")
    if isinstance(goods, list):
        found += [_identity(g.get("container_number")) for g in goods if isinstance(g, dict)]
    return {n for n in found if n is not None}


@dataclasses.dataclass
class _Bill:
    """A bill of lading of the document: its key (the B/L number as the model spells
    it), the containers it names, and its cells when it is plain (else ``problem``)."""

    key: str
    names: set[str]
    problem: str | None = None
    cells: Row = dataclasses.field(default_factory=dict)
    seen: list[str] = dataclasses.field(default_factory=list)
    lines: list[tuple[str | None, Row]] = dataclasses.field(default_factory=list)
    kinds: dict[str, ExtraType] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class _Box:
    """A container declaration: its number, and its cells when it is plain."""

    number: str
    problem: str | None = None
    cells: Row = dataclasses.field(default_factory=dict)


def _bill(given: Any, kinds: dict[str, ExtraType]) -> _Bill:
    """A bill of the document; its custom fields must have the types ``kinds`` (the
    file's so far) gives them."""
    if not isinstance(given, dict):
        raise _WholeDocumentError("a bill of lading that is not an object")
    number = given.get("bl_number")
    if not isinstance(number, str) or not number.strip():
        raise _WholeDocumentError("a bill of lading without a number")
    out = _Bill("".join(number.split()).upper(), _named(given))
    mine: dict[str, ExtraType] = {}
    try:
        bill_doc = _object(given, _BILL_KEYS, "a bill of lading", Consignment)
        get = bill_doc.get
        # Only the values given (a cell no row has is empty), checked in the keys' order.
        bill = {
            column: _text(value, key)
            for key, column in _BILL_TEXT.items()
            if (value := get(key)) is not None
        }
        if bill.get("bl_number") is None:
            raise NotFlatError("a bill of lading without a number")
        bill["transshipment_ports"] = (
            _SEPARATOR.join(_items(_list(bill_doc, "transshipment_ports"), "transshipment_ports"))
            or None
        )
        for role in _PARTIES:
            bill.update(_party_cells(role, bill_doc.get(role)))
        bill.update(_custom_cells(bill_doc.get("extra"), mine))
        if any(kinds.get(name, kind) != kind for name, kind in mine.items()):
            raise NotFlatError("a custom field of two types")
        listed = [_container_number(n) for n in _list(bill_doc, "container_numbers")]
        if len(set(listed)) != len(listed):
            raise NotFlatError("a container number twice on a bill of lading")
        lines: list[tuple[str | None, Row]] = []
        for item in _list(bill_doc, "goods"):
            line = _object(item, _GOODS_KEYS, "a goods line", GoodsItem)
            line_get = line.get
            cells = {
                name: _text(value, name) for name in _GOODS if (value := line_get(name)) is not None
            }
            if all(v is None for v in cells.values()):
                raise NotFlatError("a goods line without a value")
            given_number = line.get("container_number")
            in_box = None if given_number is None else _container_number(given_number)
            lines.append((in_box, cells))
    except NotFlatError as exc:
        out.problem = str(exc)
        return out
    # Declared containers plus any named only on goods lines, in first-seen order
    # (Consignment.all_container_numbers).
    seen = dict.fromkeys(listed)
    for in_box, _cells in lines:
        if in_box is not None:
            seen.setdefault(in_box)
    out.cells, out.seen, out.lines, out.kinds = bill, list(seen), lines, mine
    return out


def _box(given: Any) -> _Box:
    if not isinstance(given, dict):
        raise _WholeDocumentError("a container that is not an object")
    number = _identity(given.get("number"))
    if not number:
        raise _WholeDocumentError("a container without a number")
    try:
        box = _object(given, _CONTAINER_KEYS, "a container", Container)
        _container_number(box.get("number"))
        return _Box(number, cells=_box_cells(box))
    except NotFlatError as exc:
        return _Box(number, problem=str(exc))


def _voyage_flags(header: dict[str, Any]) -> list[dict[str, Any]]:
    """The flags the model gives the voyage alone (a manifest without bills or
    containers), as ``write_json`` writes them."""
    try:
        manifest = Manifest.model_validate(header, context=_LENIENT)
    except ValueError:
        raise _WholeDocumentError("a voyage the model does not read") from None
    return [f.model_dump(mode="json", exclude_defaults=True) for f in manifest.quality_flags]


@dataclasses.dataclass
class _Document:
    """One document split: its voyage and plain rows, and what goes to the model."""

    header: dict[str, Any]
    voyage: Row
    given: list[Any] | None
    bills_given: list[Any]
    boxes_given: list[Any]
    bills: list[_Bill]
    boxes: list[_Box]
    routed_bills: dict[int, str]
    routed_boxes: dict[str, str]
    rows: list[Row] = dataclasses.field(default_factory=list)
    units: list[int] = dataclasses.field(default_factory=list)


def _split(doc: Any, kinds: dict[str, ExtraType]) -> _Document:
    """A document's bills and containers, which of them go to the model path (with the
    first reason each), and the flat rows of the others; the custom field types of its
    plain bills go into ``kinds``. :class:`NotFlatError` when the document goes whole."""
    if not isinstance(doc, dict):
        raise _WholeDocumentError("the manifest is not a plain object")
    header = {k: v for k, v in doc.items() if k not in (*_LISTS, _FLAGS)}
    if not set(doc) <= _MANIFEST_KEYS | {_FLAGS}:
        raise _WholeDocumentError("the manifest is not a plain object")
    voyage = {name: _text(header.get(name), name) for name in _VOYAGE}
    bills_given = _list(doc, "consignments")
    boxes_given = _list(doc, "containers")
    if not bills_given and not boxes_given:
        raise _WholeDocumentError("a manifest with no bill of lading or container")
    boxes = [_box(b) for b in boxes_given]
    bills = [_bill(b, kinds) for b in bills_given]
    routed_bills: dict[int, str] = {}
    routed_boxes: dict[str, str] = {}
    for i, bill in enumerate(bills):
        if bill.problem is not None:
            routed_bills.setdefault(i, bill.problem)
    declared: dict[str, _Box] = {}
    for box in boxes:
        if box.problem is not None:
            routed_boxes.setdefault(box.number, box.problem)
        if box.number in declared:
            routed_boxes.setdefault(box.number, "a container declared twice")
        declared.setdefault(box.number, box)
    by_key: dict[str, list[int]] = {}
    bills_of_box: dict[str, list[int]] = {}
    for i, bill in enumerate(bills):
        by_key.setdefault(bill.key, []).append(i)
        for number in bill.names:
            bills_of_box.setdefault(number, []).append(i)
        for number in bill.seen:
            # A flat file cannot say a declared container holds no equipment data.
            held = declared.get(number)
            if (
                held is not None
                and held.problem is None
                and all(v is None for v in held.cells.values())
            ):
                routed_boxes.setdefault(number, "a declared container without equipment data")
    for same in by_key.values():
        if len(same) > 1:
            for i in same:
                routed_bills.setdefault(i, "a bill of lading number twice")
    given = None
    if _FLAGS in doc:
        given = doc[_FLAGS]
        _given_flags(given, header, bills, boxes, routed_bills, routed_boxes)
    _close(bills, bills_of_box, by_key, routed_bills, routed_boxes)
    if len(routed_bills) == len(bills) and all(b.number in routed_boxes for b in boxes):
        raise _WholeDocumentError(next(iter([*routed_bills.values(), *routed_boxes.values()])))
    # The custom field types of the plain bills (a routed bill's go with the model path).
    for i, bill in enumerate(bills):
        if i not in routed_bills:
            for name, kind in bill.kinds.items():
                if kinds.setdefault(name, kind) != kind:
                    raise _WholeDocumentError("a custom field of two types")
    out = _Document(header, voyage, given, bills_given, boxes_given, bills, boxes,
                    routed_bills, routed_boxes)  # fmt: skip
    out.rows, out.units = _rows(out, declared)
    return out


def _given_flags(
    given: Any,
    header: dict[str, Any],
    bills: list[_Bill],
    boxes: list[_Box],
    routed_bills: dict[int, str],
    routed_boxes: dict[str, str],
) -> None:
    """Checks the manifest's given ``quality_flags``: those over the voyage must be
    exactly the voyage's own (what ``write_json`` writes); one over a bill or a
    container routes it (the part is given the flag)."""
    if not isinstance(given, list) or not given:
        raise _WholeDocumentError("the manifest has quality flags given in")
    common = []
    for raw in given:
        element = _element(raw, len(bills), len(boxes))
        if element is None:
            common.append(raw)
        elif element[0] == "consignments":
            routed_bills.setdefault(element[1], "a manifest flag over the bill of lading")
        else:
            number = boxes[element[1]].number
            routed_boxes.setdefault(number, "a manifest flag over the container")
    if common != _voyage_flags(header):
        raise _WholeDocumentError("the manifest has quality flags given in")


def _element(raw: Any, bills: int, boxes: int) -> tuple[str, int] | None:
    """The bill or container (list and index) a given manifest flag is about, as
    ``flatten`` targets it; None for a flag on the whole manifest."""
    try:
        flag = QualityFlag.model_validate(raw)
    except ValueError:
        raise _WholeDocumentError("the manifest has quality flags given in") from None
    return _target(flag, bills, boxes)


def _target(flag: QualityFlag, bills: int, boxes: int) -> tuple[str, int] | None:
    found = flagged_element(flag)
    if found is None or found[0] not in _LISTS:
        return None
    if found[1] >= (bills if found[0] == "consignments" else boxes):
        return None
    return found


def _close(
    bills: list[_Bill],
    bills_of_box: dict[str, list[int]],
    by_key: dict[str, list[int]],
    routed_bills: dict[int, str],
    routed_boxes: dict[str, str],
) -> None:
    """Routes what goes with what is routed: a bill's containers, a container's bills,
    the bills of one number (the reason is the one that started it)."""
    todo: list[tuple[str, int | str]] = [("bill", i) for i in routed_bills]
    todo += [("box", n) for n in routed_boxes]
    while todo:
        kind, unit = todo.pop()
        if kind == "bill":
            assert isinstance(unit, int)
            reason = routed_bills[unit]
            bill = bills[unit]
            for number in sorted(bill.names):
                if number not in routed_boxes:
                    routed_boxes[number] = reason
                    todo.append(("box", number))
            near = by_key[bill.key]
        else:
            assert isinstance(unit, str)
            reason = routed_boxes[unit]
            near = bills_of_box.get(unit, [])
        for i in near:
            if i not in routed_bills:
                routed_bills[i] = reason
                todo.append(("bill", i))


BARE = 1 << 40
"""A row's unit (:attr:`FlatDocuments.units`) of a container no bill names: ``BARE``
plus the place of its first declaration; a bill's rows have the bill's place."""


def _rows(doc: _Document, declared: dict[str, _Box]) -> tuple[list[Row], list[int]]:
    """The flat rows of the document's plain bills and containers, in
    :func:`table_rows`' order, and each one's unit (:data:`BARE`)."""
    voyage = doc.voyage

    def box_cells(number: str) -> Row:
        box = declared.get(number)
        return {"container_number": number, **(box.cells if box is not None else {})}

    rows: list[Row] = []
    units: list[int] = []
    named: set[str] = set()
    for i, bill in enumerate(doc.bills):
        if i in doc.routed_bills:
            continue
        emitted = False
        for held in [*bill.seen, None]:
            mine = [cells for n, cells in bill.lines if n == held]
            box = {} if held is None else box_cells(held)
            if held is not None:
                named.add(held)
                if not mine:
                    emitted = True
                    rows.append({**voyage, **bill.cells, **box})
            for cells in mine:
                emitted = True
                rows.append({**voyage, **bill.cells, **box, **cells})
        if not emitted:
            rows.append({**voyage, **bill.cells})
        units += [i] * (len(rows) - len(units))
    first: dict[str, int] = {}
    for j, held_box in enumerate(doc.boxes):
        first.setdefault(held_box.number, j)
    for number in declared:
        if number not in named and number not in doc.routed_boxes:
            rows.append({**voyage, **box_cells(number)})
            units.append(BARE + first[number])
    return rows, units


@dataclasses.dataclass
class DocumentPart:
    """The bills of lading and containers of one document that the model path reads,
    and where their shipments go among the document's.

    Attributes:
        manifest: the part as the model reads it (lenient).
        bill_places: the place in the document of each of its bills.
        box_places: the place in the document of each of its container declarations.
        shipments: the part's shipments (``flatten`` of the part).
        at: each one's place among the document's shipments.
        fast_at: the places of the shipments read column-wise, in their order.
        bills: bills of lading in the part.
        containers: container declarations in the part.
        reason: why the first of them went to the model path.
    """

    manifest: Manifest
    bill_places: list[int]
    box_places: list[int]
    shipments: list[Shipment]
    at: list[int]
    fast_at: list[int]
    bills: int
    containers: int
    reason: str


def _part(doc: _Document) -> DocumentPart:
    """The model path's read of the document's routed bills and containers, placed;
    :class:`_WholeDocumentError` when the model would read them otherwise alone."""
    routed_bills = sorted(doc.routed_bills)
    routed_decls = [j for j, box in enumerate(doc.boxes) if box.number in doc.routed_boxes]
    place = {("consignments", i): k for k, i in enumerate(routed_bills)}
    place |= {("containers", j): k for k, j in enumerate(routed_decls)}
    sub: dict[str, Any] = dict(doc.header)
    sub["consignments"] = [doc.bills_given[i] for i in routed_bills]
    sub["containers"] = [doc.boxes_given[j] for j in routed_decls]
    if doc.given is not None:
        flags = []
        for raw in doc.given:
            element = _element(raw, len(doc.bills), len(doc.boxes))
            if element is not None:
                raw = {**raw, "field": f"{element[0]}[{place[element]}]"}
            flags.append(raw)
        sub[_FLAGS] = flags
    try:
        manifest = Manifest.model_validate(sub, context=_LENIENT)
    except ValueError:
        raise _WholeDocumentError("a part the model does not read alone") from None
    common = [
        f.model_dump(mode="json", exclude_defaults=True)
        for f in manifest.quality_flags
        if _target(f, len(routed_bills), len(routed_decls)) is None
    ]
    kept = (len(manifest.consignments), len(manifest.containers))
    if kept != (len(routed_bills), len(routed_decls)) or common != _voyage_flags(doc.header):
        raise _WholeDocumentError("a part the model reads otherwise alone")
    # The places: bills in document order, then the containers no bill names.
    slots: list[tuple[tuple[int, int], int, bool]] = []  # (order, shipments, routed)
    named_part: set[str] = set()
    for k, c in enumerate(manifest.consignments):
        numbers = c.all_container_numbers
        named_part.update(numbers)
        slots.append(((0, routed_bills[k]), max(1, len(numbers)), True))
    for k, container in enumerate(manifest.containers):
        if container.number not in named_part:
            named_part.add(container.number)
            slots.append(((1, routed_decls[k]), 1, True))
    named: set[str] = set()
    for i, bill in enumerate(doc.bills):
        if i not in doc.routed_bills:
            named.update(bill.seen)
            slots.append(((0, i), max(1, len(bill.seen)), False))
    first: dict[str, int] = {}
    for j, box in enumerate(doc.boxes):
        first.setdefault(box.number, j)
    for number, j in first.items():
        if number not in named and number not in doc.routed_boxes:
            slots.append(((1, j), 1, False))
    at: list[int] = []
    fast_at: list[int] = []
    done = 0
    for _order, count, routed in sorted(slots):
        (at if routed else fast_at).extend(range(done, done + count))
        done += count
    shipments = flatten(manifest)
    if len(shipments) != len(at):  # pragma: no cover - flatten's own count
        raise _WholeDocumentError("a part the model reads otherwise alone")
    reason = next(iter([*doc.routed_bills.values(), *doc.routed_boxes.values()]))
    return DocumentPart(manifest, routed_bills, routed_decls, shipments, at, fast_at,
                        len(routed_bills), len(routed_decls), reason)  # fmt: skip


@dataclasses.dataclass
class FlatDocuments:
    """A JSON or JSON Lines batch split by document: the flat rows of its plain
    documents and of the plain bills and containers of the others, the parts the model
    path reads, and the documents it reads whole.

    Attributes:
        cells: the flat rows read column-wise, in file order: a text column for each
            column of the layout a row has and each custom field (``x_<name>``).
        docs: each row's document (its record number).
        units: each row's bill of lading or container no bill names (its place in its
            document, :data:`BARE`); ``data convert`` puts the parts' rows among them.
        plain: the record numbers of the documents with rows, in file order.
        shipments: record number -> shipments its rows give (one per bill of lading
            and container pair, and per container no bill names).
        parts: record number -> the part of that document the model path reads.
        others: record number -> why the model path reads that document whole, in file
            order.
        documents: the documents (records) of the file.
        custom: the custom fields of the plain bills (``x_<name>`` cells) and their
            types.
    """

    cells: pl.DataFrame = dataclasses.field(default_factory=pl.DataFrame)
    docs: array[int] = dataclasses.field(default_factory=lambda: array("q"))
    units: array[int] = dataclasses.field(default_factory=lambda: array("q"))
    plain: list[int] = dataclasses.field(default_factory=list)
    shipments: dict[int, int] = dataclasses.field(default_factory=dict)
    parts: dict[int, DocumentPart] = dataclasses.field(default_factory=dict)
    others: dict[int, str] = dataclasses.field(default_factory=dict)
    documents: int = 0
    custom: dict[str, ExtraType] = dataclasses.field(default_factory=dict)


def _fast_shipments(doc: _Document) -> int:
    """The shipments the plain rows of a document with nothing routed give."""
    named = {n for bill in doc.bills for n in bill.seen}
    unnamed = {box.number for box in doc.boxes} - named
    return sum(max(1, len(bill.seen)) for bill in doc.bills) + len(unnamed)


_LAYOUT = [c.name for c in COLUMNS]
_CHUNK_ROWS = 20_000


class _Cells:
    """Documents' rows gathered as text frames, a chunk of rows at a time (a dict per
    row is some ten times the frame's size), each row with its document and unit."""

    def __init__(self) -> None:
        self.frames: list[pl.DataFrame] = []
        self.pending: list[Row] = []
        self.custom: set[str] = set()
        self.docs: array[int] = array("q")
        self.units: array[int] = array("q")

    def add(self, number: int, doc: _Document) -> None:
        self.pending += doc.rows
        self.docs.extend([number] * len(doc.rows))
        self.units.extend(doc.units)
        self.custom.update(
            EXTRA_PREFIX + name
            for i, bill in enumerate(doc.bills)
            if i not in doc.routed_bills
            for name in bill.kinds
        )
        doc.rows, doc.units = [], []
        if len(self.pending) >= _CHUNK_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            names = [*_LAYOUT, *sorted(self.custom)]
            self.frames.append(pl.from_dicts(self.pending, schema=dict.fromkeys(names, pl.String)))
            self.pending, self.custom = [], set()

    def kept(self, dropped: set[int]) -> tuple[pl.DataFrame, array[int], array[int]]:
        """The rows, their documents and units, but those of documents ``dropped``."""
        self.flush()
        frame = pl.concat(self.frames, how="diagonal") if self.frames else pl.DataFrame()
        self.frames = []
        docs, units = self.docs, self.units
        if dropped and frame.height:
            keep = ~pl.Series(docs, dtype=pl.Int64).is_in(sorted(dropped))
            frame = frame.filter(keep)
            docs = array("q", pl.Series(docs, dtype=pl.Int64).filter(keep).to_list())
            units = array("q", pl.Series(units, dtype=pl.Int64).filter(keep).to_list())
        return frame, docs, units


def flat_documents(path: Path, fmt: BatchFormat) -> FlatDocuments:
    """Each document of a JSON or JSON Lines batch split into the flat rows of its
    plain bills and containers and the part the model path reads (see the module
    docstring); the documents the model path reads whole are named with their reason.

    Raises:
        InputFormatError: the file cannot be read at all (as ``read_batch``).
    """
    by_number: dict[int, tuple[int, DocumentPart | None]] = {}
    cells = _Cells()
    custom: dict[str, ExtraType] = {}
    first_of_call: dict[tuple[str, ...], int] = {}
    others: dict[int, str] = {}
    documents = 0
    for number, doc in json_documents(path, fmt):
        documents += 1
        if isinstance(doc, Undecodable):
            others[number] = "a record that is not JSON"
            continue
        # A custom field keeps the type the file's first plain bill gives it.
        kinds = dict(custom)
        try:
            split = _split(doc, kinds)
        except NotFlatError as exc:
            others[number] = str(exc)
            continue
        key = tuple((split.voyage[c] or "").strip().upper() for c in _CALL_KEY)
        if key in first_of_call:
            # Both documents: JSON keeps two manifests where a flat file merges them.
            earlier = first_of_call[key]
            if by_number.pop(earlier, None) is not None:
                others[earlier] = "two documents of one vessel call"
            others[number] = "two documents of one vessel call"
            continue
        part = None
        if split.routed_bills or split.routed_boxes:
            try:
                part = _part(split)
            except NotFlatError as exc:
                others[number] = str(exc)
                continue
        first_of_call[key] = number
        count = _fast_shipments(split) if part is None else len(part.fast_at)
        by_number[number] = (count, part)
        cells.add(number, split)
        custom = kinds
    out = FlatDocuments(documents=documents, custom=custom)
    out.others = dict(sorted(others.items()))
    # Rows of a document that turned out to share its vessel call with a later one.
    dropped = set(first_of_call.values()) - set(by_number)
    out.cells, out.docs, out.units = cells.kept(dropped)
    for number, (count, part) in by_number.items():  # in file order (a dict keeps it)
        out.plain.append(number)
        out.shipments[number] = count
        if part is not None:
            out.parts[number] = part
    return out
