"""JSON and JSON Lines manifests as rows of the flat layout, for the column-wise reader:
what a *plain* record is, and its cells.

A manifest document becomes the rows :func:`~riskprofile.io.table_rows` would write for
it (one per goods line, container and bill of lading), its values as the text cells a
flat file holds; the column-wise reader then reads them as it reads a flat file. That
gives the JSON path's frame only where the flat layout and the JSON model say the same
thing, so a record is flattened only when it is *plain*:

- its keys are the model's (no unknown key), its nesting is the model's; a record's
  ``quality_flags`` (``write_json`` writes them) only where they are exactly the flags
  the model gives that record itself (then the model path keeps them as they are, and
  reads the record as it would without them): a flag for a value the writer dropped is
  not; the manifest's flags over one of its bills or containers route that bill or
  container (``_json_split``);
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
  plain bill gives them, and read back from their text as the same values (text
  without blanks around it, a list of such items without ``;``, a number within
  ``1e15``, a date ``{"date": "2026-10-12"}``): they become ``x_<name>`` cells, read
  with a mapping's ``extra`` of those types.

A bill of lading or container that is not plain goes through the model path with what
it is read with, the rest of its document column-wise (``_json_split``); a document
whose voyage is not plain (or that is not JSON) goes whole through the model path. The
two are put back in file order (``_json_read``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

from riskprofile.io._layout import COLUMNS, DECLARATION_COLUMNS
from riskprofile.model.codes import container_number_problem, normalise_container_number
from riskprofile.model.manifest import Party, Seal
from riskprofile.model.shared import (
    EXTRA_PREFIX,
    MAX_TEXT_CHARS,
    ExtraType,
    RecordModel,
    is_extra_name,
)

__all__ = ["NotFlatError"]

_VOYAGE = ("vessel_name", "vessel_imo", "voyage_number", "carrier_scac", "port_of_call",
           "arrival")  # fmt: skip
_CALL_KEY = ("vessel_imo", "vessel_name", "voyage_number", "port_of_call")
_PARTIES = {"shipper": "shipper", "consignee": "consignee", "notify_party": "notify",
            "freight_payer": "freight_payer"}  # fmt: skip
_PARTY_KEYS = frozenset({"name", "address", "country", "identifier", "aeo"})
# Each role's keys (in order) and their columns.
_PARTY_COLUMNS = {
    role: [(k, f"{prefix}_{k}") for k in sorted(_PARTY_KEYS)] for role, prefix in _PARTIES.items()
}
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
    if value.__class__ is str:  # most values: the checks below, in their order
        if not value.strip():
            return None
        if value != value.strip() or len(value) > _LONGEST:
            raise NotFlatError(f"{field} has blanks around it or is long")
        return value
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
    number = _iso_number(text)
    # A bill of lading flags the numbers it lists when it is validated, before its own
    # consistency flags; a flat file's bill is given them afterwards (flags after).
    if number is None:
        raise NotFlatError("a container number off ISO 6346")
    return number


@functools.lru_cache(maxsize=1 << 16)
def _iso_number(text: str) -> str | None:
    """A container number as the model holds it, None when it breaks ISO 6346 (once per
    number: a bill, its goods lines and the declaration each name it)."""
    number = normalise_container_number(text) or text
    return None if container_number_problem(number) is not None else number


def _party_cells(role: str, value: Any) -> dict[str, str | None]:
    if value is None:
        return {}
    party = _object(value, _PARTY_KEYS, role, Party)
    get = party.get
    # Only the values given (a cell no row has is empty), checked in the keys' order.
    return {column: _text(v, k) for k, column in _PARTY_COLUMNS[role] if (v := get(k)) is not None}


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
