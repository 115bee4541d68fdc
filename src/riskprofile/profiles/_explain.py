"""A shipment as the record a condition reads (:func:`record_of`, each field converted once,
on first read) and the officer's explanation of a hit: the fields an ``explain`` text
quotes and the text with their values filled in (:func:`render_explanation`).
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from rule_engine import ast as re_ast

from riskprofile.model.shipment import Shipment
from riskprofile.profiles._tree import field_types, walk

__all__ = ["FieldSymbol", "record_of", "render_explanation", "show_value"]


class _Record(dict[str, Any]):
    """A record made by :func:`record_of`: a plain mapping of field values, which also
    keeps each field's value once a condition has read it (see :class:`_FieldSymbol`)."""

    __slots__ = ("read",)

    def __init__(self) -> None:
        super().__init__()
        self.read: dict[str, Any] = {}


_UNREAD = object()


class _FieldSymbol(re_ast.SymbolExpression):  # type: ignore[misc]
    """A shipment field in a condition. rule-engine checks the value it resolves against
    the field's type on every read (about a third of the time one shipment takes); the
    value of a field of one record, and the result of that check, are the same every
    time, so a :class:`_Record` keeps what the first read returned. Only fields no
    comprehension variable of the condition shadows are made so (see
    :func:`_read_once`); the first read, and any read that raises, is rule-engine's own.
    """

    __slots__ = ()

    def evaluate(self, thing: Any) -> Any:
        if type(thing) is not _Record:
            return super().evaluate(thing)
        value = thing.read.get(self.name, _UNREAD)
        if value is _UNREAD:
            value = thing.read[self.name] = super().evaluate(thing)
        return value


FieldSymbol = _FieldSymbol
"""A shipment field in a compiled condition, by public name (see :class:`_FieldSymbol`)."""


def _read_once(statement: Any, nodes: Sequence[Any] | None = None) -> None:
    """Make the field symbols of a compiled statement :class:`_FieldSymbol` nodes
    (``nodes``: ``walk(statement)``, when the caller has them)."""
    nodes = list(walk(statement)) if nodes is None else nodes
    variables = {n.variable for n in nodes if isinstance(n, re_ast.ComprehensionExpression)}
    catalogue = field_types()
    for node in nodes:
        if (
            type(node) is re_ast.SymbolExpression
            and node.scope is None
            and node.name in catalogue
            and node.name not in variables
        ):
            node.__class__ = _FieldSymbol


def record_of(shipment: Shipment) -> dict[str, Any]:
    """A shipment as the mapping rules evaluate (lists as tuples, dates at midnight UTC)."""
    out = _Record()
    for name, value in shipment:
        if isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        out[name] = value
    return out


_QUOTE = re.compile(r"\$([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)")


def explanation_fields(template: str) -> list[str]:
    """The field names a template uses (``{port_of_loading}``); raises ValueError on a
    malformed template. Quotes of a list entry (``{$list.column}``) are not fields: see
    :func:`explanation_quotes`."""
    names = []
    for _literal, field, spec, conversion in string.Formatter().parse(template):
        if field is not None:
            if _QUOTE.fullmatch(field) and not (spec or conversion):
                continue
            if not field.isidentifier():
                raise ValueError(
                    f"{{{field}}} is not a field name (or a list entry's column, {{$list.column}})"
                )
            if spec or conversion:
                raise ValueError(
                    f"{{{field}...}}: format specs and conversions are not supported; "
                    f"write {{{field}}} (numbers are shown readably)"
                )
            names.append(field)
    return names


def show_value(value: Any) -> str:
    """A value as an officer reads it in an explanation (null is "unknown")."""
    if value is None:
        return "unknown"
    if isinstance(value, list | tuple):
        return ", ".join(show_value(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | Decimal):
        if value and abs(float(value)) < 1:
            return f"{float(value):.3g}"  # 0.004 USD/kg stays 0.004, not 0
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def explanation_quotes(template: str) -> list[tuple[str, str]]:
    """The list entry columns a template quotes: ``{$partner_warnings.sender}`` is
    ``("partner_warnings", "sender")``, in the order written."""
    quotes = []
    for _literal, field, _spec, _conversion in string.Formatter().parse(template):
        match = _QUOTE.fullmatch(field or "")
        if match is not None:
            quotes.append((match[1], match[2]))
    return list(dict.fromkeys(quotes))


def render_explanation(
    template: str, shipment: Shipment, quote: Callable[[str, str], str] | None = None
) -> str:
    """Fill ``{field}`` placeholders with the shipment's values, readable for an officer,
    and ``{$list.column}`` with ``quote(list, column)`` ("unknown" without ``quote``)."""
    values = {
        name: show_value(getattr(shipment, name, None)) for name in explanation_fields(template)
    }
    for name, column in explanation_quotes(template):
        values[f"${name}.{column}"] = quote(name, column) if quote else "unknown"
    out = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    return "".join(out)
