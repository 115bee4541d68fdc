"""What a compiled condition reads, and the one comparison it shares: shipment fields,
comprehension variables, watch lists with expiring entries (the values rule-engine would
resolve, converted as rule-engine converts them), and rule-engine's ordered comparison.
See :mod:`riskprofile.engines._compiled_rules`.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rule_engine import DataType

from riskprofile.profiles.shared import evaluation_time

__all__ = [
    "FIRST_SLOT",
    "NOW",
    "TODAY",
    "UNREAD",
    "Node",
    "Unsure",
    "accepted_types",
    "field_read",
    "ordered",
    "timed_list",
    "variable_read",
]

# A compiled node: (record, frame) -> value. The frame holds the evaluation time, its
# midnight, and one slot per comprehension variable of the condition.
Node = Callable[[Any, list[Any]], Any]
NOW, TODAY, FIRST_SLOT = 0, 1, 2
UNREAD = object()


class Unsure(Exception):  # noqa: N818 - not an error: "rule-engine decides this case"
    """This case is left to rule-engine."""


def variable_read(slot: int, result_type: Any) -> Node:
    """A comprehension variable: rule-engine re-checks its value against the variable's
    type; the values a comprehension iterates are already rule-engine values, so the
    types that pass as they are decide here and any other is left to rule-engine."""
    accepted = accepted_types(result_type)

    def variable(_record: Any, frame: list[Any]) -> Any:
        value = frame[slot]
        if value is None or type(value) in accepted:
            return value
        raise Unsure

    return variable


def accepted_types(result_type: Any) -> tuple[type, ...]:
    """The types of value a comprehension variable of this type passes rule-engine's
    check as they are (besides null)."""
    wanted = DataType.NULLABLE.unwrap(result_type)
    if wanted == DataType.UNDEFINED:
        return (str, Decimal, bool)
    if wanted == DataType.STRING:
        return (str,)
    if wanted == DataType.FLOAT:
        return (Decimal,)
    if wanted == DataType.BOOLEAN:
        return (bool,)
    return ()


def field_read(node: Any, kind: Any) -> Node:
    """A shipment field: its value read once per record (``_Record.read``, which
    rule-engine's own field reads share), converted as rule-engine converts it for the
    common types, by rule-engine otherwise."""
    name = node.name
    convert = _converter(kind)
    evaluate = node.evaluate

    def first_read(record: Any) -> Any:
        raw = record[name]
        value = convert(raw)
        if value is UNREAD:
            value = evaluate(record)  # rule-engine's read: raises on a type it refuses
        record.read[name] = value
        return value

    def field(record: Any, _frame: list[Any]) -> Any:
        value = record.read.get(name, UNREAD)
        if value is UNREAD:
            return first_read(record)
        return value

    return field


def _converter(kind: Any) -> Callable[[Any], Any]:
    """What rule-engine makes of a field's raw value (``coerce_value`` and the check
    against the field's type) for the common types; ``UNREAD`` for any other case."""
    if kind == DataType.STRING:
        return lambda raw: raw if raw is None or type(raw) is str else UNREAD
    if kind == DataType.BOOLEAN:
        return lambda raw: raw if raw is None or type(raw) is bool else UNREAD
    if kind == DataType.FLOAT:

        def number(raw: Any) -> Any:
            kind_of = type(raw)
            if raw is None or kind_of is Decimal:
                return raw
            if kind_of is float:
                return Decimal(repr(raw))  # rule_engine.types.coercion._to_decimal
            if kind_of is int:
                return Decimal(raw)
            return UNREAD

        return number
    if kind == DataType.DATETIME:
        return lambda raw: (
            raw if raw is None or (type(raw) is dt.datetime and raw.tzinfo is not None)
            else UNREAD
        )  # fmt: skip
    if DataType.is_type(kind, DataType.ARRAY) and kind.value_type == DataType.STRING:
        return lambda raw: (
            raw if raw is None or (type(raw) is tuple and all(type(v) is str for v in raw))
            else UNREAD
        )  # fmt: skip
    return lambda _raw: UNREAD


def timed_list(node: Any) -> Node:
    """A watch list with expiring entries: the set in force at the evaluation time, as
    rule-engine resolves it (kept for the last time asked)."""
    last: list[tuple[dt.datetime, Any] | None] = [None]
    evaluate = node.evaluate

    def timed(_record: Any, frame: list[Any]) -> Any:
        as_of = frame[NOW]
        kept = last[0]
        if kept is not None and kept[0] == as_of:
            return kept[1]
        with evaluation_time(as_of):
            value = evaluate(None)
        last[0] = (as_of, value)
        return value

    return timed


def ordered(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """rule-engine's ordered comparison (``ArithmeticComparisonExpression``)."""
    if a is None and b is None:
        return op is operator.ge or op is operator.le
    if type(a) is tuple and type(b) is tuple:
        for x, y in zip(a, b, strict=False):
            if ordered(operator.ne, x, y):
                return ordered(op, x, y)
        if len(a) != len(b):
            return op(len(a), len(b))
        return op is operator.ge or op is operator.le
    if type(a) is not type(b) or isinstance(a, tuple) or isinstance(b, tuple):
        raise Unsure
    return op(a, b)
