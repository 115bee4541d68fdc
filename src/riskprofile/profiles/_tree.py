"""A condition's syntax tree and the words compile problems use about it: walking the tree,
describing a node and its kind for a message, offsets in the expression text, the
fields' rule-engine types (:func:`field_types`), the built-ins a profile may not use and
:class:`CompileProblem`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from rule_engine import DataType
from rule_engine import ast as re_ast

from riskprofile.model.shipment import FieldSpec, field_catalogue
from riskprofile.profiles._schema import RESERVED_LIST_NAMES

__all__ = ["CompileProblem", "FORBIDDEN_BUILTINS", "field_types", "walk"]


FORBIDDEN_BUILTINS = frozenset({"random"})
"""Built-ins a profile may not use: ``$random`` makes results irreproducible."""


_ALLOWED_BUILTINS = RESERVED_LIST_NAMES


_TYPES = {
    "string": DataType.STRING,
    "integer": DataType.FLOAT,
    "float": DataType.FLOAT,
    "decimal": DataType.FLOAT,
    "boolean": DataType.BOOLEAN,
    "date": DataType.DATETIME,
    "datetime": DataType.DATETIME,
    "list[string]": DataType.ARRAY(DataType.STRING),
}


_KIND_NAMES = {
    "STRING": "text",
    "FLOAT": "a number",
    "BOOLEAN": "true/false",
    "DATETIME": "a date",
    "TIMEDELTA": "a duration",
    "ARRAY": "a list",
    "SET": "a set",
    "NULL": "null",
    "MAPPING": "a mapping",
}


@cache
def _catalogue() -> dict[str, FieldSpec]:
    return {f.name: f for f in field_catalogue()}


def field_types() -> dict[str, Any]:
    """Every shipment field's rule-engine type (what expressions may refer to)."""
    return dict(_field_types())  # a copy: callers add their custom fields to it


@cache
def _field_types() -> dict[str, Any]:
    return {name: _TYPES[spec.type] for name, spec in _catalogue().items()}


@dataclass(frozen=True, slots=True)
class CompileProblem:
    """Why an expression does not compile: ``offset`` is where in the expression."""

    code: str
    message: str
    offset: int = 0
    suggestion: str | None = None
    severity: str = "error"


@cache
def _slot_names(node_type: type) -> tuple[str, ...]:
    """The slots of ``node_type`` and its bases, most derived first, each once, without
    ``context`` (worked out once per node class: a profile's trees are walked often)."""
    names: list[str] = []
    for cls in node_type.__mro__:
        slots = getattr(cls, "__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot not in names and slot != "context":
                names.append(slot)
    return tuple(names)


def _children(node: Any) -> list[Any]:
    """The nodes directly below ``node``, in slot order."""
    found: list[Any] = []
    node_type: type = type(node)
    values: list[Any] = [getattr(node, slot, None) for slot in _slot_names(node_type)]
    held = getattr(node, "__dict__", None)
    if held:
        values += held.values()
    for value in values:
        if isinstance(value, _NODE):
            found.append(value)
        elif isinstance(value, list | tuple | set | frozenset):  # (a set literal holds a set)
            found += [v for v in value if isinstance(v, _NODE)]
    return found


_NODE = re_ast.ASTNodeBase


def walk(node: Any) -> Iterator[Any]:
    """``node`` and every node below it in a rule-engine syntax tree, parents first.

    Iterative: a tree is walked many times while a profile loads and translates, and
    nested generators passed every node up through each level above it."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        below = _children(current)
        if below:
            below.reverse()
            stack += below


def _describe(node: Any) -> str:
    if isinstance(node, re_ast.SymbolExpression):
        return f"${node.name}" if node.scope == "built-in" else repr(node.name)
    if isinstance(node, re_ast.StringExpression):
        return f'"{node.value}"'
    if isinstance(node, re_ast.FloatExpression):
        return str(node.value)
    if isinstance(node, re_ast.BooleanExpression):
        return "true" if node.value else "false"
    if isinstance(node, re_ast.NullExpression):
        return "null"
    if isinstance(node, re_ast.ArrayExpression | re_ast.SetExpression):
        return "the literal list"
    if isinstance(node, re_ast.GetAttributeExpression) and isinstance(
        node.object, re_ast.SymbolExpression
    ):
        prefix = "$" if node.object.scope == "built-in" else ""
        return f"{prefix}{node.object.name}.{node.name}"
    return "an expression"


def _kind(node: Any) -> str | None:
    result = getattr(node, "result_type", None)
    name = getattr(result, "name", None)
    if name in (None, "UNDEFINED", "NULL", "NULLABLE"):
        return None
    return str(name)


def _literal_offset(expression: str, value: str) -> int | None:
    """Where the text of string literal ``value`` starts in ``expression`` (after its
    quote), trying the escaped spelling too; None when it cannot be found."""
    for spelling in (value, value.replace("\\", "\\\\").replace('"', '\\"')):
        for quote in ('"', "'"):
            index = expression.find(quote + spelling + quote)
            if index >= 0:
                return index + 1
    return None


def _offset_of(expression: str, needle: str) -> int:
    """Where ``needle`` stands as a whole name in ``expression`` (0 if nowhere)."""
    if not needle:
        return 0
    match = re.search(rf"(?<![\w$]){re.escape(needle)}(?!\w)", expression)
    if match is None:
        index = expression.find(needle)
        return max(index, 0)
    return match.start()


_OPERATORS = {
    "eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "add": "+",
    "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%", "pow": "**",
    "eq_fzm": "=~", "eq_fzs": "=~~", "ne_fzm": "!~", "ne_fzs": "!~~", "and": "and", "or": "or",
}  # fmt: skip


def _constant_variables(statement: Any, nodes: Sequence[Any] | None = None) -> frozenset[str]:
    """Comprehension variables that run over constants only (a watch list, a literal
    list), never over shipment data; a name also bound over data is not one (``nodes``:
    ``walk(statement)``, when the caller has them)."""
    constant: set[str] = set()
    data: set[str] = set()
    comprehensions = [
        n
        for n in (walk(statement) if nodes is None else nodes)
        if isinstance(n, re_ast.ComprehensionExpression)
    ]
    changed = True
    while changed:  # nested comprehensions: a variable over a constant variable is constant
        changed = False
        for node in comprehensions:
            target = data if _shipment_symbols(node.iterable, frozenset(constant)) else constant
            if node.variable not in target:
                target.add(node.variable)
                changed = True
    return frozenset(constant - data)


def _shipment_symbols(node: Any, constant_variables: frozenset[str]) -> list[str]:
    """The shipment fields (and data-bound variables) ``node`` reads, in order."""
    return list(
        dict.fromkeys(
            n.name
            for n in walk(node)
            if isinstance(n, re_ast.SymbolExpression)
            and n.scope is None
            and n.name not in constant_variables
        )
    )


def _offset_after(expression: str, operator: str, name: str) -> int:
    """Where ``name`` stands after the first ``operator`` in ``expression``."""
    start = max(expression.find(operator), 0)
    return start + _offset_of(expression[start:], name)


def _pattern_text(node: Any, bound: Mapping[str, str]) -> str | None:
    """The pattern a regex operand builds from literals, ``+`` and the variables in
    ``bound``; None when it is built otherwise."""
    if isinstance(node, re_ast.StringExpression):
        return str(node.value)
    if isinstance(node, re_ast.SymbolExpression) and node.scope is None:
        return bound.get(node.name)
    if isinstance(node, re_ast.AddExpression):
        left, right = _pattern_text(node.left, bound), _pattern_text(node.right, bound)
        return None if left is None or right is None else left + right
    return None


def _suggest(name: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _name_in(node: Any) -> str:
    """The first field or ``$name`` written in ``node``, for a position."""
    for n in walk(node):
        if isinstance(n, re_ast.SymbolExpression):
            return f"${n.name}" if n.scope == "built-in" else str(n.name)
    return ""
