"""Watch-list values written the way the fields they are compared with are written, and
the entries' expiry.

A shipment's text comes through the readers' normalisers: codes upper case without blanks
(``ec gye`` is ``ECGYE``), names and addresses upper case with blanks folded. A list
value is compared with such a value, so it must be written the same way or it never
matches. :func:`list_comparisons` finds, in a compiled condition, which fields each list
is compared with (``port_of_loading in $ports``, ``[c for c in route_countries if c in
$countries]``, ``[p for p in $ports if p == port_of_call]``...); :func:`field_format`
says how each field is written, with the model's own normalisers; the loader writes each
value that way and refuses a value that no value of the field can ever equal (``ECGY``
for a UN/LOCODE).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError
from rule_engine import ast as re_ast

from riskprofile.model.codes import (
    Problem,
    container_number_problem,
    country_problem,
    currency_problem,
    imo_problem,
    locode_problem,
    normalise_code,
    normalise_container_number,
    normalise_country,
    normalise_hs_code,
    normalise_imo,
    normalise_locode,
    scac_problem,
    size_type_problem,
)
from riskprofile.model.manifest import Consignment, GoodsItem
from riskprofile.model.shipment import field_catalogue, normalised_text
from riskprofile.profiles._tree import _children

__all__ = [
    "STANDARD_COLUMNS",
    "FieldFormat",
    "field_format",
    "list_comparisons",
    "parse_expiry",
    "trader_list_uses",
]

STANDARD_COLUMNS = ("value", "expires", "added", "source", "reason", "owner")
"""The columns every list entry may carry (inline or in a list file)."""


@dataclass(frozen=True)
class FieldFormat:
    """How a field's text is written, as far as a list value compared with it goes.

    Attributes:
        name: what the values are, for messages (``a UN/LOCODE``).
        normalise: raw text -> the field's spelling (the reader's own normaliser).
        problem: why a (normalised) value is none the field can hold, or None.
        example: a value of the field.
    """

    name: str
    normalise: Callable[[str], str]
    problem: Callable[[str], str | None]
    example: str


def _format_only(check: Callable[[str], Problem | None]) -> Callable[[str], str | None]:
    # Only the shape is refused: lenient reading keeps a LOCODE of an unknown country or a
    # container number with a wrong check digit, and a list may name exactly those.
    def problem(value: str) -> str | None:
        found = check(value)
        return found.message if found is not None and found.code == "format" else None

    return problem


def _digits(count: int, what: str) -> Callable[[str], str | None]:
    def problem(value: str) -> str | None:
        if re.fullmatch(f"[0-9]{{{count}}}", value):
            return None
        return f"{value!r} is not an HS {what} ({count} digits)"

    return problem


def _hs_code(value: str) -> str | None:
    if re.fullmatch(r"[0-9]{6,10}", value):
        return None
    shorter = {2: "hs_chapters", 4: "hs_headings"}.get(len(value)) if value.isdigit() else None
    hint = f"; compare it with {shorter}" if shorter else ""
    return f"{value!r} is not an HS code (6 to 10 digits){hint}"


def _owner_code(value: str) -> str | None:
    if re.fullmatch(r"[A-Z]{3}", value):
        return None
    return f"{value!r} is not a container owner code (3 letters)"


def _never(_value: str) -> str | None:
    return None


def _choices(name: str, choices: tuple[str, ...]) -> FieldFormat:
    def problem(value: str) -> str | None:
        if value in choices:
            return None
        return f"{value!r} is not a value of {name} (one of: {', '.join(choices)})"

    return FieldFormat(f"a value of {name}", str.strip, problem, choices[0])


@cache
def _freight_terms_adapter() -> TypeAdapter[Any]:
    annotation: Any = Consignment.model_fields["freight_terms"].annotation
    return TypeAdapter(annotation)


def _freight_terms(value: str) -> str:
    # The reader's own word table: "PP" and "Prepaid" are both "prepaid".
    try:
        return str(_freight_terms_adapter().validate_python(value))
    except ValidationError:
        return value.strip()


_LOCODE = FieldFormat("a UN/LOCODE", normalise_locode, _format_only(locode_problem), "PKKHI")
_COUNTRY = FieldFormat(
    "an ISO 3166 country code", normalise_country, _format_only(country_problem), "PK"
)
_CURRENCY = FieldFormat(
    "an ISO 4217 currency code", normalise_code, _format_only(currency_problem), "USD"
)


def _folded(value: str) -> str:
    """Names, addresses, descriptions: upper case, blanks folded (the reader's _text)."""
    return normalised_text(value) or ""


_TEXT = FieldFormat("a text (upper case, blanks folded)", _folded, _never, "ACME TRADING LLC")
_REFERENCE = FieldFormat(
    "a B/L number (upper case, no blanks)", Consignment._reference, _never, "MAEU240512345"
)


@cache
def _formats() -> dict[str, FieldFormat]:
    formats: dict[str, FieldFormat] = {}
    for name in ("port_of_call", "place_of_receipt", "port_of_loading", "port_of_discharge",
                 "place_of_delivery", "transshipment_ports", "route"):  # fmt: skip
        formats[name] = _LOCODE
    for name in ("shipper_country", "consignee_country", "notify_country", "origin_countries",
                 "route_countries"):  # fmt: skip
        formats[name] = _COUNTRY
    for name in ("shipper_name", "shipper_address", "consignee_name", "consignee_address",
                 "notify_name", "notify_address", "freight_payer_name", "description"):  # fmt: skip
        formats[name] = _TEXT
    # The manifest folds them as _text does (Manifest._upper): one spelling with names.
    formats["vessel_name"] = formats["voyage_number"] = _TEXT
    formats["bl_number"] = formats["master_bl_number"] = _REFERENCE
    formats["hs_codes"] = FieldFormat("an HS code", normalise_hs_code, _hs_code, "08039010")
    formats["hs_chapters"] = FieldFormat(
        "an HS chapter", normalise_hs_code, _digits(2, "chapter"), "08"
    )
    formats["hs_headings"] = FieldFormat(
        "an HS heading", normalise_hs_code, _digits(4, "heading"), "0803"
    )
    formats["hs_subheadings"] = FieldFormat(
        "an HS subheading", normalise_hs_code, _digits(6, "subheading"), "080390"
    )
    formats["container_number"] = FieldFormat(
        "an ISO 6346 container number",
        normalise_container_number,
        _format_only(container_number_problem),
        "MSKU1234565",
    )
    formats["container_owner_code"] = FieldFormat(
        "a container owner code", normalise_code, _owner_code, "MSK"
    )
    formats["container_size_type"] = FieldFormat(
        "an ISO 6346 size-type code", normalise_code, _format_only(size_type_problem), "45R1"
    )
    formats["vessel_imo"] = FieldFormat(
        "an IMO number", normalise_imo, _format_only(imo_problem), "9321483"
    )
    formats["carrier_scac"] = FieldFormat(
        "a SCAC carrier code", normalise_code, _format_only(scac_problem), "MSCU"
    )
    formats["value_currency"] = formats["value_currencies"] = _CURRENCY
    formats["package_types"] = FieldFormat(
        "a package type (upper case)", GoodsItem._upper, _never, "CT"
    )
    for spec in field_catalogue():
        if spec.choices and spec.name not in formats:
            formats[spec.name] = _choices(spec.name, spec.choices)
    terms = formats["freight_terms"]
    formats["freight_terms"] = FieldFormat(terms.name, _freight_terms, terms.problem, "collect")
    return formats


def field_format(name: str) -> FieldFormat | None:
    """How field ``name`` is written; None for a field whose text is kept as declared
    (identifiers, seal numbers, quality flags), or that is not text."""
    return _formats().get(name)


# --- which fields a list is compared with ------------------------------------------------

_LIST_FIELDS = frozenset(f.name for f in field_catalogue() if f.type == "list[string]")
_FIELDS = frozenset(f.name for f in field_catalogue())


def _builtin(node: Any) -> str | None:
    if isinstance(node, re_ast.SymbolExpression) and node.scope == "built-in":
        return str(node.name)
    return None


def list_comparisons(statement: Any, lists: frozenset[str]) -> list[tuple[str, str]]:
    """The (list, field) pairs a condition compares, in the order written: a list
    value is tested for equality with the field's value, or with an element of a list
    field (``field in $l``, ``field[0] in $l``, ``x in $l`` for ``x`` running over a
    list field, ``x == field`` or ``x in field`` for ``x`` running over ``$l``,
    ``$intersects(field, $l)``).

    A list used otherwise (``h.starts_with(p)``, a regex built from it, a slice of a
    field) is no comparison with a field: its values are not normalised for it.
    """
    pairs: list[tuple[str, str]] = []
    _visit(statement, [], lists, pairs)
    return list(dict.fromkeys(pairs))


def _resolve(node: Any, scopes: list[dict[str, tuple[str, str]]]) -> tuple[str, str] | None:
    """What ``node`` stands for: ("field", name) for a field or an element of a list
    field, ("list", name) for an element of a watch list; None otherwise."""
    if isinstance(node, re_ast.SymbolExpression) and node.scope is None:
        for scope in scopes:  # rule-engine resolves a name in the outermost scope first
            if node.name in scope:
                return scope[node.name]
        if node.name in _FIELDS:
            return ("field", str(node.name))
        return None
    if isinstance(node, re_ast.GetItemExpression):
        container = node.container
        if (
            isinstance(container, re_ast.SymbolExpression)
            and container.scope is None
            and container.name in _LIST_FIELDS
            and not any(container.name in s for s in scopes)
        ):
            return ("field", str(container.name))
        name = _builtin(container)
        if name is not None:
            return ("list", name)
    return None


def _visit(
    node: Any,
    scopes: list[dict[str, tuple[str, str]]],
    lists: frozenset[str],
    pairs: list[tuple[str, str]],
) -> None:
    if isinstance(node, re_ast.ComprehensionExpression):
        _visit(node.iterable, scopes, lists, pairs)
        bound: tuple[str, str] | None = None
        iterable = node.iterable
        name = _builtin(iterable)
        if name is not None and name in lists:
            bound = ("list", name)
        elif (
            isinstance(iterable, re_ast.SymbolExpression)
            and iterable.scope is None
            and _resolve(iterable, scopes) == ("field", iterable.name)
            and iterable.name in _LIST_FIELDS
        ):
            bound = ("field", str(iterable.name))
        scopes = [*scopes, {node.variable: bound} if bound else {node.variable: ("other", "")}]
        for part in (node.condition, node.result):
            if part is not None:
                _visit(part, scopes, lists, pairs)
        return
    if isinstance(node, re_ast.ContainsExpression):
        name = _builtin(node.container)
        member = _resolve(node.member, scopes)
        if name is not None and name in lists and member and member[0] == "field":
            pairs.append((name, member[1]))
        container = _resolve(node.container, scopes)
        if (
            member
            and member[0] == "list"
            and container
            and container[0] == "field"
            and isinstance(node.container, re_ast.SymbolExpression)
            and node.container.name == container[1]  # the field, not one of its elements
            and container[1] in _LIST_FIELDS
        ):
            pairs.append((member[1], container[1]))
    if isinstance(node, re_ast.ComparisonExpression) and node.type in ("eq", "ne"):
        left, right = _resolve(node.left, scopes), _resolve(node.right, scopes)
        for a, b in ((left, right), (right, left)):
            if a and b and a[0] == "list" and b[0] == "field":
                pairs.append((a[1], b[1]))
    if (
        isinstance(node, re_ast.FunctionCallExpression)
        and _builtin(node.function) == "intersects"
        and len(node.arguments) == 2
    ):  # $intersects(field, $l): the list's values are tested for equality with elements
        for one, other in (node.arguments, reversed(node.arguments)):
            name, target = _builtin(one), _resolve(other, scopes)
            if (
                name in lists
                and target == ("field", getattr(other, "name", None))
                and target[1] in _LIST_FIELDS
            ):
                pairs.append((str(name), target[1]))
    for child in _children(node):
        _visit(child, scopes, lists, pairs)


def trader_list_uses(statement: Any, name: str) -> tuple[list[str], list[str]]:
    """The party name fields a trader list (``match: trader``) ``$name`` is compared with
    (``consignee_name in $name``, ``not in``), in the order written, and how it is used
    otherwise (a node's description each): a trader list is a party screening, which
    compares one party's name, with its identifier and country, with the list; any other
    use would compare text with it as written, and is refused."""
    from riskprofile.lists.shared import SCREENED_ROLES

    parties = {f"{role}_name" for role in SCREENED_ROLES} & _FIELDS
    fields: list[str] = []
    other: list[str] = []
    allowed: set[int] = set()
    bound: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, re_ast.ComprehensionExpression):
            bound.add(str(node.variable))
        if isinstance(node, re_ast.ContainsExpression) and _builtin(node.container) == name:
            member = node.member
            if (
                isinstance(member, re_ast.SymbolExpression)
                and member.scope is None
                and member.name in parties
                and member.name not in bound
            ):
                fields.append(str(member.name))
                allowed.add(id(node.container))
        if _builtin(node) == name and id(node) not in allowed:
            other.append(type(node).__name__)
        for child in _children(node):
            visit(child)

    visit(statement)
    return list(dict.fromkeys(fields)), other


# --- expiry ----------------------------------------------------------------------------------


def parse_expiry(text: str) -> dt.datetime:
    """When an entry with ``expires: text`` stops being in force, in UTC.

    A date (``2026-11-03``) is in force through that whole day: it stops at the next
    midnight UTC. A date and time (``2026-11-03T12:00:00+05:00``) stops at that moment;
    without a UTC offset it is taken as UTC.

    Raises:
        ValueError: ``text`` is neither (the message says what is expected).
    """
    value = text.strip()
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            day = dt.date.fromisoformat(value)
            if day == dt.date.max:
                return dt.datetime.max.replace(tzinfo=dt.UTC)
            return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(days=1)
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+(Z|[+-][0-9:]+)?", value):
            moment = dt.datetime.fromisoformat(value)
            if moment.tzinfo is None:
                return moment.replace(tzinfo=dt.UTC)
            return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        pass
    raise ValueError(
        f"expires {text!r} is not a date (2026-11-03) or a date and time (2026-11-03T12:00:00Z)"
    )
