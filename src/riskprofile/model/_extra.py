"""Custom fields: an administration's own columns, declared in a column mapping's
``extra:`` section, reaching rules as typed shipment fields named ``x_<name>``.

The catalogue's fields never start with ``x_`` (a test holds it), so a custom field can
never hide or be taken for a catalogue field. A mapping declares each one with the file's
column, a type and a normaliser::

    extra:
      office: {column: "Office", type: text, normalise: upper}
      tax_rate: {column: "Tax Rate", type: number}

and a profile that reads ``x_office`` declares it (``requires: {extra: {office: text}}``),
so that its conditions are typed when it is compiled and a run whose mapping does not
give the field, or gives it with another type, is refused when the profiles are loaded
(:func:`riskprofile.profiles.check_extra_fields`).

A custom field belongs to the bill of lading (a declaration-level export repeats it on
each goods line); a cell its type cannot hold is flagged ``x_<name>:invalid_value`` and
the record kept. A field with no value is null (a ``list`` field is null rather than
empty).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import ConfigDict, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from riskprofile.model._base import CheckedModel

__all__ = [
    "EXTRA_PREFIX",
    "EXTRA_TYPES",
    "CustomFieldsModel",
    "ExtraColumn",
    "ExtraType",
    "NORMALISERS",
    "Normaliser",
    "extra_catalogue_type",
    "is_extra_field",
    "is_extra_name",
    "parse_extra_cell",
]

EXTRA_PREFIX = "x_"
"""The prefix of every custom field in rules (``x_office``)."""

ExtraType = Literal["text", "number", "date", "bool", "list"]
EXTRA_TYPES: tuple[str, ...] = get_args(ExtraType)
Normaliser = Literal["strip", "upper", "lower", "fold"]
NORMALISERS: tuple[str, ...] = get_args(Normaliser)

_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_FIELD = re.compile(rf"{EXTRA_PREFIX}[a-z][a-z0-9_]{{0,39}}")
_CATALOGUE_TYPES = {"text": "string", "number": "float", "date": "date", "bool": "boolean",
                    "list": "list[string]"}  # fmt: skip
_TRUE = frozenset({"TRUE", "T", "YES", "Y", "1"})
_FALSE = frozenset({"FALSE", "F", "NO", "N", "0"})
_MAX_NUMBER = 1e15  # as a weight: the column-wise reader checks every number alike


def is_extra_name(name: str) -> bool:
    """Whether ``name`` may name a custom field (``office``: lower case letters, digits and
    ``_``, starting with a letter, at most 40 characters)."""
    return _NAME.fullmatch(name) is not None


def is_extra_field(name: str) -> bool:
    """Whether ``name`` is a custom field's name in rules (``x_office``)."""
    return _FIELD.fullmatch(name) is not None


def extra_catalogue_type(kind: ExtraType) -> str:
    """The catalogue type a custom field of ``kind`` has in rules: text is ``string``, a
    number ``float``, a date ``date``, a bool ``boolean``, a list ``list[string]``."""
    return _CATALOGUE_TYPES[kind]


@dataclass(frozen=True, slots=True)
class ExtraColumn:
    """One custom field of a column mapping.

    Attributes:
        name: the field's name without its prefix (``office``: ``x_office`` in rules).
        column: the file's column it is read from.
        type: ``text``, ``number``, ``date``, ``bool`` or ``list``.
        normalise: how text is written (text and list items): ``strip`` (blanks around
            dropped: the default), ``upper``, ``lower``, ``fold`` (upper case, blanks
            folded: how the shipment writes names).
    """

    name: str
    column: str
    type: ExtraType = "text"
    normalise: Normaliser = "strip"

    @property
    def field(self) -> str:
        """The field's name in rules (``x_office``)."""
        return EXTRA_PREFIX + self.name


def _normalised(text: str, how: Normaliser) -> str:
    if how == "fold":
        return " ".join(text.split()).upper()
    text = text.strip()
    return text.upper() if how == "upper" else text.lower() if how == "lower" else text


def parse_extra_cell(
    column: ExtraColumn,
    cell: Any,
    *,
    list_separator: str = ";",
    decimal_comma: bool = False,
    date_format: str | None = None,
) -> tuple[Any, str | None]:
    """A cell as the custom field's value, and why it cannot be one (then the value is
    None). A blank cell is None without a problem.

    >>> office = ExtraColumn("office", "Office", "text", "upper")
    >>> parse_extra_cell(office, " kape ")
    ('KAPE', None)
    >>> parse_extra_cell(ExtraColumn("rate", "Rate", "number"), "17,5", decimal_comma=True)
    (17.5, None)
    >>> parse_extra_cell(ExtraColumn("rate", "Rate", "number"), "n/a")
    (None, "'n/a' is not a number")
    """
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None, None
    kind = column.type
    if kind == "list":
        items = cell if isinstance(cell, list | tuple) else str(cell).split(list_separator)
        kept = [_normalised(str(i), column.normalise) for i in items if str(i).strip()]
        return (kept or None), None
    if kind == "text":
        return _normalised(str(cell), column.normalise) or None, None
    if kind == "number":
        if isinstance(cell, bool):
            return None, f"{cell!r} is not a number"
        text = str(cell).strip()
        if decimal_comma and isinstance(cell, str):
            text = text.replace(".", "").replace(" ", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None, f"{str(cell).strip()!r} is not a number"
        if not math.isfinite(value) or abs(value) > _MAX_NUMBER:
            return None, f"{str(cell).strip()!r} is out of range (at most 1e15 either way)"
        return value, None
    if kind == "bool":
        if isinstance(cell, bool):
            return cell, None
        word = str(cell).strip().upper()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE, None
        return None, f"{str(cell).strip()!r} is not yes/no, true/false or 1/0"
    # date
    if isinstance(cell, dt.datetime):
        return cell.date(), None
    if isinstance(cell, dt.date):
        return cell, None
    text = str(cell).strip()
    try:
        if date_format:
            return dt.datetime.strptime(text, date_format).date(), None
        return dt.date.fromisoformat(text), None
    except ValueError:
        shape = date_format or "ISO 8601 (2026-10-12)"
        return None, f"{text!r} is not a date as {shape}"


_VALUE_TYPES = (str, float, bool, dt.date)


def _value_problem(value: Any) -> str | None:
    if value is None or isinstance(value, _VALUE_TYPES):
        return None
    if isinstance(value, int):
        return None
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return None
    return "a custom field holds text, a number, a date, a bool or a list of texts"


class CustomFieldsModel(CheckedModel):
    """A model that takes custom fields (``x_<name>``) beside its own, each holding a
    custom field's kind of value; any other unknown key is Pydantic's own
    ``extra_forbidden`` error, as under ``extra="forbid"``."""

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="after")
    def _only_custom_fields(self) -> Any:
        extra = self.__pydantic_extra__
        if not extra:
            return self
        errors: list[InitErrorDetails] = []
        for name, value in extra.items():
            if not is_extra_field(name):
                errors.append({"type": "extra_forbidden", "loc": (name,), "input": value})
            elif (problem := _value_problem(value)) is not None:
                errors.append(
                    {"type": "value_error", "loc": (name,), "input": value,
                     "ctx": {"error": ValueError(problem)}}
                )  # fmt: skip
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        # A null custom field is no field: a shipment read from a file and one read
        # back from its frame are equal. Lists are lists.
        for name in [n for n, v in extra.items() if v is None]:
            del extra[name]
        for name, value in extra.items():
            if isinstance(value, tuple):
                extra[name] = list(value)
            elif isinstance(value, int) and not isinstance(value, bool):
                extra[name] = float(value)
        return self
