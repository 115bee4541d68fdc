"""JSON and JSON Lines manifests as rows of the flat layout, for the column-wise reader.

A manifest document becomes the rows :func:`~riskprofile.io.table_rows` would write for
it (one per goods line, container and bill of lading), its values as the text cells a
flat file holds; the column-wise reader then reads them as it reads a flat file. That
gives the JSON path's frame only where the flat layout and the JSON model say the same
thing, so a document is flattened only when it is *plain*:

- its keys are the model's (no unknown key), its nesting is the model's, and it holds at
  least one bill of lading or container; a record's ``quality_flags`` (``write_json``
  writes them) only where they are exactly the flags the model gives that record itself
  (then the model path keeps them as they are, and reads the record as it would without
  them): a flag for a value the writer dropped, or a manifest's over its bills, is not;
- its text is text (a number only where the layout has a number, a boolean only for
  ``full`` and ``aeo``; floats only for weights, finite), without blanks around it,
  within a tenth of the longest text a field takes, and a list item holds no ``;``;
- its bills of lading are distinct (JSON keeps two with one number and flags them, a
  flat file merges them), and so are its containers and each bill's container numbers;
  every container number keeps to ISO 6346; a goods line holds a value besides its
  container number; a declared container that a bill names carries equipment data (a
  flat file cannot say it was declared otherwise);
- no other document of the file is the same vessel call (a flat file merges calls);
- its custom fields (a bill's ``extra``) are of one type each, the type the file's first
  plain document gives them, and read back from their text as the same values (text
  without blanks around it, a list of such items without ``;``, a number within
  ``1e15``, a date ``{"date": "2026-10-12"}``): they become ``x_<name>`` cells, read
  with a mapping's ``extra`` of those types.

A document that is not plain (or not JSON) goes through the model path alone; the plain
ones of the same file are still read column-wise, and the two are put back in file
order (``riskprofile.io._frame._read``). A column-wise read of the plain documents that
rejected or routed any row sends the whole file through the model path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

from riskprofile.io._layout import COLUMNS, DECLARATION_COLUMNS
from riskprofile.io._read import BatchFormat, Undecodable, json_documents
from riskprofile.model._base import MAX_TEXT_CHARS, RecordModel
from riskprofile.model._extra import EXTRA_PREFIX, ExtraType, is_extra_name
from riskprofile.model.codes import container_number_problem, normalise_container_number
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Manifest, Party, Seal

__all__ = ["FlatDocuments", "NotFlatError", "flat_documents"]

_VOYAGE = ("vessel_name", "vessel_imo", "voyage_number", "carrier_scac", "port_of_call",
           "arrival")  # fmt: skip
_CALL_KEY = ("vessel_imo", "vessel_name", "voyage_number", "port_of_call")
_PARTIES = {"shipper": "shipper", "consignee": "consignee", "notify_party": "notify",
            "freight_payer": "freight_payer"}  # fmt: skip
_PARTY_KEYS = frozenset({"name", "address", "country", "identifier", "aeo"})
# The bill's text fields, and their columns (the issue date's is ``bl_issue_date``).
_BILL_TEXT = {
    name: "bl_issue_date" if name == "issue_date" else name
    for name in ("bl_number", "master_bl_number", "issue_date", "place_of_receipt",
                 "port_of_loading", "port_of_discharge", "place_of_delivery", "freight_terms",
                 "pre_carriage_mode", "on_carriage_mode", *DECLARATION_COLUMNS)
}  # fmt: skip
_BILL_KEYS = frozenset(_BILL_TEXT) | frozenset(_PARTIES) | {
    "transshipment_ports", "goods", "container_numbers", "extra"}  # fmt: skip
_MANIFEST_KEYS = frozenset(_VOYAGE) | {"consignments", "containers"}
_CONTAINER_KEYS = frozenset({"number", "size_type", "full", "seals", "verified_gross_mass_kg",
                             "tare_kg", "reefer_celsius"})  # fmt: skip
_SEAL_KEYS = frozenset({"number", "sealer"})
_GOODS = tuple(c.name for c in COLUMNS if c.group == "goods")
_GOODS_KEYS = frozenset(_GOODS) | {"container_number"}
_WEIGHTS = frozenset({"gross_weight_kg", "net_weight_kg", "verified_gross_mass_kg", "tare_kg",
                      "tax_rate", "reefer_celsius"})  # numbers read as floats  # fmt: skip
_INTEGERS = _WEIGHTS | {"packages", "value"}
_BOOLEANS = frozenset({"full", "aeo"})
_LONGEST = MAX_TEXT_CHARS // 10
_SEPARATOR = ";"
_CUSTOM_RANGE = 1e15  # parse_extra_cell's: a number beyond it is not read as one


class NotFlatError(Exception):
    """A document the flat layout does not say the same way (the reason)."""


def _text(value: Any, field: str) -> str | None:
    """A JSON value as the flat file's cell, or :class:`NotFlatError`."""
    if value is None:
        return None
    if isinstance(value, bool):
        if field not in _BOOLEANS:
            raise NotFlatError(f"a boolean {field}")
        return "true" if value else "false"
    if isinstance(value, int):
        if field not in _INTEGERS:
            raise NotFlatError(f"a number for {field}")
        return str(value)
    if isinstance(value, float):
        if field not in _WEIGHTS or not math.isfinite(value):
            raise NotFlatError(f"a float for {field}")
        return repr(value)
    if not isinstance(value, str):
        raise NotFlatError(f"{field} is not text")
    if not value.strip():
        return None
    if value != value.strip() or len(value) > _LONGEST:
        raise NotFlatError(f"{field} has blanks around it or is long")
    return value


def _list(holder: dict[str, Any], key: str) -> list[Any]:
    """A list field: absent is empty; anything but a list (null too) the model flags."""
    if key not in holder:
        return []
    values = holder[key]
    if not isinstance(values, list):
        raise NotFlatError(f"{key} is not a list")
    return values


def _items(values: list[Any], field: str) -> list[str]:
    out = []
    for value in values:
        text = _text(value, field)
        if text is None or _SEPARATOR in text:
            raise NotFlatError(f"an item of {field} is blank or holds the list separator")
        out.append(text)
    return out


_FLAGS = "quality_flags"
_LENIENT = {"strictness": "lenient"}


def _object(
    value: Any, keys: frozenset[str], what: str, model: type[RecordModel], **only: Any
) -> dict[str, Any]:
    """A record of the document without the ``quality_flags`` our own writer gives it,
    or :class:`NotFlatError`; ``only`` replaces values of the record when
    :func:`_own_flags` checks its flags."""
    if not isinstance(value, dict):
        raise NotFlatError(f"{what} is not a plain object")
    record: dict[str, Any] = (
        {k: v for k, v in value.items() if k != _FLAGS} if _FLAGS in value else value
    )
    if not set(record) <= keys:
        raise NotFlatError(f"{what} is not a plain object")
    if _FLAGS in value:
        _own_flags(value[_FLAGS], {**record, **only}, model, what)
    return record


def _own_flags(given: Any, value: dict[str, Any], model: type[RecordModel], what: str) -> None:
    """:class:`NotFlatError` unless a record's given ``quality_flags`` are exactly the
    flags the model gives the record ``value`` itself, in its order (what ``write_json``
    writes): the model path then keeps them as they are (it does not add a flag twice),
    so the record reads as it does without them. A flag it would not give itself (for a
    key our writer dropped, a duplicate among records...) sends the document to the
    models. The caller's ``only`` leaves out nested records whose flags are checked on
    their own (the manifest is validated without its bills and containers): a flag over
    them is one the record alone would not give, and the document is not plain."""
    if not isinstance(given, list) or not given:
        raise NotFlatError(f"{what} has quality flags given in")
    try:
        record = model.model_validate(value, context=_LENIENT)
    except ValueError:
        raise NotFlatError(f"{what} has quality flags given in") from None
    own = [flag.model_dump(mode="json", exclude_defaults=True) for flag in record.quality_flags]
    if given != own:
        raise NotFlatError(f"{what} has quality flags given in")


def _container_number(value: Any) -> str:
    text = _text(value, "container_number")
    if text is None:
        raise NotFlatError("a blank container number")
    number = normalise_container_number(text) or text
    # A bill of lading flags the numbers it lists when it is validated, before its own
    # consistency flags; a flat file's bill is given them afterwards (flags after).
    if container_number_problem(number) is not None:
        raise NotFlatError("a container number off ISO 6346")
    return number


def _party_cells(role: str, value: Any) -> dict[str, str | None]:
    if value is None:
        return {}
    party = _object(value, _PARTY_KEYS, role, Party)
    prefix = _PARTIES[role]
    return {f"{prefix}_{k}": _text(party.get(k), k) for k in sorted(_PARTY_KEYS)}


def _box_cells(box: dict[str, Any] | None) -> dict[str, str | None]:
    if box is None:
        return {}
    seals = _list(box, "seals")
    numbers, sealers = [], []
    for seal in seals:
        seal = _object(seal, _SEAL_KEYS, "a seal", Seal)
        numbers += _items([seal.get("number")], "seal_numbers")
        sealer = _text(seal.get("sealer"), "sealer")
        if sealer is not None and _SEPARATOR in sealer:
            raise NotFlatError("a sealer holds the list separator")
        sealers.append(sealer or "")
    return {
        "container_size_type": _text(box.get("size_type"), "size_type"),
        "container_full": _text(box.get("full"), "full"),
        "seal_numbers": _SEPARATOR.join(numbers) or None,
        "seal_sealers": _SEPARATOR.join(sealers) if any(sealers) else None,
        "verified_gross_mass_kg": _text(
            box.get("verified_gross_mass_kg"), "verified_gross_mass_kg"
        ),
        "tare_kg": _text(box.get("tare_kg"), "tare_kg"),
        "container_reefer_celsius": _text(box.get("reefer_celsius"), "reefer_celsius"),
    }


def _custom_cells(value: Any, kinds: dict[str, ExtraType]) -> dict[str, str | None]:
    """A bill's custom fields (``extra``) as ``x_<name>`` cells that the mapping's
    ``extra`` (type by the JSON value, normalised ``strip``) reads back as the values the
    model holds, each field's type noted in ``kinds``; :class:`NotFlatError` for a value
    that would read differently (blanks around text, a list item with the separator, a
    number out of the reader's range...)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise NotFlatError("custom fields that are not an object")
    cells: dict[str, str | None] = {}
    for name, item in value.items():
        if not isinstance(name, str) or not is_extra_name(name):
            raise NotFlatError("a custom field name the model refuses")
        kind: ExtraType
        if item is None:
            continue
        if isinstance(item, bool):
            kind, cell = "bool", "true" if item else "false"
        elif isinstance(item, int | float):
            number = float(item)
            if not math.isfinite(number) or abs(number) > _CUSTOM_RANGE:
                raise NotFlatError("a custom number out of range")
            kind, cell = "number", repr(number)
        elif isinstance(item, str):
            if not item.strip() or item != item.strip() or len(item) > _LONGEST:
                raise NotFlatError("custom text blank, with blanks around it or long")
            kind, cell = "text", item
        elif isinstance(item, list):
            if not item or not all(
                isinstance(i, str) and i.strip() and i == i.strip() and _SEPARATOR not in i
                for i in item
            ):
                raise NotFlatError("a custom list with items a flat file would split")
            kind, cell = "list", _SEPARATOR.join(item)
        elif isinstance(item, dict) and set(item) == {"date"} and isinstance(item["date"], str):
            try:
                cell = dt.date.fromisoformat(item["date"]).isoformat()
            except ValueError:
                raise NotFlatError("a custom date that is not one") from None
            kind = "date"
        else:
            raise NotFlatError("a custom value of no custom type")
        if kinds.setdefault(name, kind) != kind:
            raise NotFlatError("a custom field of two types")
        cells[EXTRA_PREFIX + name] = cell
    return cells


def _rows(doc: Any, kinds: dict[str, ExtraType]) -> list[dict[str, str | None]]:
    """The flat rows of one manifest document, in :func:`table_rows`' order; the types
    of its custom fields go into ``kinds``."""
    manifest = _object(
        doc, _MANIFEST_KEYS, "the manifest", Manifest, consignments=[], containers=[]
    )
    voyage = {name: _text(manifest.get(name), name) for name in _VOYAGE}
    bills = _list(manifest, "consignments")
    boxes_given = _list(manifest, "containers")
    if not bills and not boxes_given:
        raise NotFlatError("a manifest with no bill of lading or container")
    boxes: dict[str, dict[str, Any]] = {}
    for given in boxes_given:
        box = _object(given, _CONTAINER_KEYS, "a container", Container)
        number = _container_number(box.get("number"))
        if number in boxes:
            raise NotFlatError("a container declared twice")
        boxes[number] = {**box, "__cells__": _box_cells(box)}

    def box_cells(number: str | None, named_by_bill: bool) -> dict[str, str | None]:
        if number is None:
            return {}
        box = boxes.get(number)
        if box is None:
            return {"container_number": number}
        cells: dict[str, str | None] = box["__cells__"]
        if named_by_bill and not any(v is not None for v in cells.values()):
            raise NotFlatError("a declared container without equipment data")
        return {"container_number": number, **cells}

    rows: list[dict[str, str | None]] = []
    named: set[str] = set()
    bl_numbers: set[str] = set()
    for given in bills:
        bill_doc = _object(given, _BILL_KEYS, "a bill of lading", Consignment)
        bill = {column: _text(bill_doc.get(key), key) for key, column in _BILL_TEXT.items()}
        bl_number = bill["bl_number"]
        if bl_number is None:
            raise NotFlatError("a bill of lading without a number")
        squeezed = "".join(bl_number.split()).upper()
        if squeezed in bl_numbers:
            raise NotFlatError("a bill of lading number twice")
        bl_numbers.add(squeezed)
        bill["transshipment_ports"] = (
            _SEPARATOR.join(_items(_list(bill_doc, "transshipment_ports"), "transshipment_ports"))
            or None
        )
        for role in _PARTIES:
            bill.update(_party_cells(role, bill_doc.get(role)))
        bill.update(_custom_cells(bill_doc.get("extra"), kinds))
        listed = [_container_number(n) for n in _list(bill_doc, "container_numbers")]
        if len(set(listed)) != len(listed):
            raise NotFlatError("a container number twice on a bill of lading")
        goods_given = _list(bill_doc, "goods")
        lines: list[tuple[str | None, dict[str, str | None]]] = []
        for item in goods_given:
            line = _object(item, _GOODS_KEYS, "a goods line", GoodsItem)
            cells = {name: _text(line.get(name), name) for name in _GOODS}
            if all(v is None for v in cells.values()):
                raise NotFlatError("a goods line without a value")
            given_number = line.get("container_number")
            in_box = None if given_number is None else _container_number(given_number)
            lines.append((in_box, cells))
        # Declared containers plus any named only on goods lines, in first-seen order
        # (Consignment.all_container_numbers), then the lines the bill shares.
        seen = dict.fromkeys(listed)
        for in_box, _cells in lines:
            if in_box is not None:
                seen.setdefault(in_box)
        emitted = False
        for held in [*seen, None]:
            mine = [cells for n, cells in lines if n == held]
            if held is not None:
                named.add(held)
                if not mine:
                    emitted = True
                    rows.append({**voyage, **bill, **box_cells(held, True)})
            for cells in mine:
                emitted = True
                rows.append({**voyage, **bill, **box_cells(held, True), **cells})
        if not emitted:
            rows.append({**voyage, **bill})
    for number in boxes:
        if number not in named:
            rows.append({**voyage, **box_cells(number, False)})
    return rows


@dataclasses.dataclass
class FlatDocuments:
    """A JSON or JSON Lines batch split by document: the flat rows of its plain
    documents, and the others, which the model path reads.

    Attributes:
        rows: the flat rows of the plain documents, in file order.
        plain: the record numbers of the plain documents, in file order.
        others: record number -> why the model path reads that document, in file order.
        documents: the documents (records) of the file.
        custom: the custom fields of the plain documents' bills (``x_<name>`` cells)
            and their types.
    """

    rows: list[dict[str, str | None]] = dataclasses.field(default_factory=list)
    plain: list[int] = dataclasses.field(default_factory=list)
    others: dict[int, str] = dataclasses.field(default_factory=dict)
    documents: int = 0
    custom: dict[str, ExtraType] = dataclasses.field(default_factory=dict)


def flat_documents(path: Path, fmt: BatchFormat) -> FlatDocuments:
    """The flat rows of each plain document of a JSON or JSON Lines batch; the others
    (not plain, not JSON, or one vessel call with another document: a flat file would
    merge them) are named with their reason, for the model path.

    Raises:
        InputFormatError: the file cannot be read at all (as ``read_batch``).
    """
    by_number: dict[int, list[dict[str, str | None]]] = {}
    custom: dict[str, ExtraType] = {}
    first_of_call: dict[tuple[str, ...], int] = {}
    others: dict[int, str] = {}
    documents = 0
    for number, doc in json_documents(path, fmt):
        documents += 1
        if isinstance(doc, Undecodable):
            others[number] = "a record that is not JSON"
            continue
        # A custom field keeps the type the file's first plain document gives it.
        kinds = dict(custom)
        try:
            mine = _rows(doc, kinds)
        except NotFlatError as exc:
            others[number] = str(exc)
            continue
        key = tuple((mine[0][c] or "").strip().upper() for c in _CALL_KEY)
        if key in first_of_call:
            # Both documents: JSON keeps two manifests where a flat file merges them.
            earlier = first_of_call[key]
            if by_number.pop(earlier, None) is not None:
                others[earlier] = "two documents of one vessel call"
            others[number] = "two documents of one vessel call"
            continue
        first_of_call[key] = number
        by_number[number] = mine
        custom = kinds
    out = FlatDocuments(documents=documents, custom=custom)
    out.others = dict(sorted(others.items()))
    for number, mine in by_number.items():  # in file order (a dict keeps it)
        out.plain.append(number)
        out.rows += mine
    return out
