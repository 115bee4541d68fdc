"""Contradictions in a condition: cheap, syntactic detection of an ``and`` that can never
hold (``x == "A" and x == "B"``, ``x > 5 and x < 3``) or a condition that is a
constant, for the ``contradiction`` lint.

A term is the text of a field (or a comprehension variable) with its attributes, such as
``consignee_name.as_lower``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from rule_engine import ast as re_ast

from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._tree import walk

__all__ = ["contradictions"]


def _term(node: Any) -> str | None:
    if isinstance(node, re_ast.SymbolExpression) and node.scope is None:
        return str(node.name)
    if isinstance(node, re_ast.GetAttributeExpression):
        inner = _term(node.object)
        return None if inner is None else f"{inner}.{node.name}"
    return None


_LITERALS = (
    re_ast.StringExpression,
    re_ast.FloatExpression,
    re_ast.DatetimeExpression,
    re_ast.BooleanExpression,
    re_ast.TimedeltaExpression,
)


_FLIP = {"gt": "lt", "ge": "le", "lt": "gt", "le": "ge", "eq": "eq", "ne": "ne"}


_SYMBOL = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value)


def _comparison(node: Any) -> tuple[str, str, Any] | None:
    """``(term, operator, literal value)`` for ``term op literal`` either way round."""
    if not isinstance(node, re_ast.ComparisonExpression) or node.type not in _FLIP:
        return None
    left, right = node.left, node.right
    if isinstance(right, _LITERALS) and (term := _term(left)) is not None:
        return term, str(node.type), right.value
    if isinstance(left, _LITERALS) and (term := _term(right)) is not None:
        return term, _FLIP[node.type], left.value
    return None


_OPERATORS = {
    **_SYMBOL, "eq_fzm": "=~", "eq_fzs": "=~~", "ne_fzm": "!~", "ne_fzs": "!~~",
}  # fmt: skip


def _render(node: Any) -> str | None:
    """The text of a simple node (terms, literals, lists, comparisons, ``in``), or None."""
    if (term := _term(node)) is not None:
        return term
    if isinstance(node, _LITERALS):
        return _show(node.value)
    if isinstance(node, re_ast.SymbolExpression) and node.scope == "built-in":
        return f"${node.name}"
    if isinstance(node, re_ast.ComparisonExpression) and node.type in _OPERATORS:
        left, right = _render(node.left), _render(node.right)
        if left is not None and right is not None:
            return f"{left} {_OPERATORS[node.type]} {right}"
    if isinstance(node, re_ast.ContainsExpression):
        member, container = _render(node.member), _render(node.container)
        if member is not None and container is not None:
            return f"{member} in {container}"
    return None


def _negation(positive: Any, text: str) -> str:
    """How a negated ``positive`` node reads (``x not in $l``, ``not is_lcl``)."""
    if isinstance(positive, re_ast.ContainsExpression):
        return f"{_render(positive.member)} not in {_render(positive.container)}"
    if isinstance(positive, re_ast.ComparisonExpression):
        return f"not ({text})"
    return f"not {text}"


def _conjuncts(node: Any) -> Iterator[Any]:
    if isinstance(node, re_ast.LogicExpression) and node.type == "and":
        yield from _conjuncts(node.left)
        yield from _conjuncts(node.right)
    else:
        yield node


def _same_kind(a: Any, b: Any) -> bool:
    numbers = (int, float, Decimal)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    return (isinstance(a, numbers) and isinstance(b, numbers)) or type(a) is type(b)


def _bound_conflict(low: tuple[str, Any], high: tuple[str, Any]) -> bool:
    """Whether ``x low_op a and x high_op b`` has no solution (``low_op`` is > or >=)."""
    (low_op, a), (high_op, b) = low, high
    if not _same_kind(a, b) or isinstance(a, bool):
        return False
    if low_op == "ge" and high_op == "le":
        return bool(a > b)
    return bool(a >= b)


_ORDER = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}


def _holds(op: str, value: Any, bound: Any) -> bool:
    """Whether ``value op bound`` (for a literal ``x == value`` against a bound)."""
    return bool(_ORDER[op](value, bound))


def _and_contradictions(terms: list[Any]) -> Iterator[str]:
    equal: dict[str, list[Any]] = defaultdict(list)
    unequal: dict[str, list[Any]] = defaultdict(list)
    lows: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    highs: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    positives: dict[str, Any] = {}
    negatives: set[str] = set()
    for node in terms:
        if (compared := _comparison(node)) is not None:
            term, op, value = compared
            if op == "eq":
                equal[term].append(value)
            elif op == "ne":
                unequal[term].append(value)
            else:
                (lows if op in ("gt", "ge") else highs)[term].append((op, value))
        if isinstance(node, re_ast.UnaryExpression) and node.type == "not":
            if (text := _render(node.right)) is not None:
                negatives.add(text)
        elif (text := _render(node)) is not None:
            positives.setdefault(text, node)
    for term, values in equal.items():
        distinct = list(dict.fromkeys(values))
        for a, b in itertools.pairwise(distinct):
            if _same_kind(a, b) and a != b:
                yield f"{term} == {_show(a)} and {term} == {_show(b)} cannot both hold"
        for value in distinct:
            if any(_same_kind(value, v) and value == v for v in unequal.get(term, [])):
                yield f"{term} == {_show(value)} and {term} != {_show(value)} cannot both hold"
            for op, bound in (*lows.get(term, []), *highs.get(term, [])):
                if (
                    _same_kind(value, bound)
                    and not isinstance(value, bool)
                    and not _holds(op, value, bound)
                ):
                    yield (
                        f"{term} == {_show(value)} and {term} {_SYMBOL[op]} "
                        f"{_show(bound)} cannot both hold"
                    )
    for term, low_bounds in lows.items():
        for low in low_bounds:
            for high in highs.get(term, []):
                if _bound_conflict(low, high):
                    yield (
                        f"{term} {_SYMBOL[low[0]]} {_show(low[1])} and {term} "
                        f"{_SYMBOL[high[0]]} {_show(high[1])} cannot both hold"
                    )
    for text, node in positives.items():
        if text in negatives:
            yield f"{text} and {_negation(node, text)} cannot both hold"


def _constant_operand(logic: str, value: bool) -> str:
    text = f"'{logic} {_show(value)}'"
    if (logic == "and") == value:  # 'and true', 'or false'
        return f"{text} in the condition does nothing"
    return f"{text} makes the condition always {_show(value)}"


def contradictions(condition: Condition) -> list[str]:
    """Why ``condition`` (or an ``and`` inside it) can never hold, or is a constant; one
    sentence per problem, empty when the cheap checks find nothing.

    For ``packages > 10 and packages < 5`` it is
    ``["packages > 10 and packages < 5 cannot both hold"]``.
    """
    root = condition.rule.statement.expression
    if isinstance(root, re_ast.LiteralExpressionBase):
        return [f"the condition is a constant: it is always {'true' if root.value else 'false'}"]
    found: list[str] = []
    nested: set[int] = set()
    for node in walk(root):
        if not isinstance(node, re_ast.LogicExpression):
            continue
        for side in (node.left, node.right):
            if isinstance(side, re_ast.BooleanExpression):
                found.append(_constant_operand(node.type, bool(side.value)))
            if isinstance(side, re_ast.LogicExpression) and side.type == node.type:
                nested.add(id(side))
        if node.type == "and" and id(node) not in nested:
            found.extend(_and_contradictions(list(_conjuncts(node))))
    return list(dict.fromkeys(found))
