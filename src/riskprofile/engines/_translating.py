"""What the two translators of conditions share: the columnar engine's (rule-engine AST
-> Polars expressions, :mod:`riskprofile.engines.columnar`) and the SQL engine's
(rule-engine AST -> SQL, :mod:`riskprofile.engines.sql`).

Both evaluate a constant sub-expression with rule-engine itself, so that it means exactly
what it means row-wise, with the comprehension variables bound to constants in scope
(:class:`ConstantFolding`); both compare a float column with a decimal literal exactly,
through the nearest float and the sign of the gap (:func:`float_of`, :func:`exact_gap`);
both dispatch on the same node types to methods of the same names (:data:`NODE_METHODS`),
read the field catalogue the same way (:data:`KIND_OF_TYPE`) and bound exact numbers by
the same limits; and both give up on a condition by raising :class:`Untranslatable` with
the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

import rule_engine
from rule_engine import ast as re_ast

from riskprofile.profiles.shared import evaluation_time, walk

__all__ = [
    "DEC_LIMIT",
    "INT_EXACT",
    "KIND_OF_TYPE",
    "NODE_METHODS",
    "QUANTUM",
    "ConstantFolding",
    "Folded",
    "Untranslatable",
    "dispatch_table",
    "exact_gap",
    "fits",
    "float_of",
]

QUANTUM = Decimal("1e-18")
"""The places a decimal field is exact to (18 after the point)."""
DEC_LIMIT = Decimal(10) ** 20
"""The magnitude below which a decimal field is held exactly."""
INT_EXACT = 2**53
"""Integers up to this magnitude are exact as floats."""

KIND_OF_TYPE: dict[str, tuple[str, str | None]] = {
    "string": ("str", None),
    "integer": ("num", "int"),
    "float": ("num", "float"),
    "decimal": ("num", "dec"),
    "boolean": ("bool", None),
    "date": ("dt", None),
    "datetime": ("dt", None),
    "list[string]": ("list", None),
}
"""A catalogue field type's kind in a translation, and its number flavour."""

NODE_METHODS: tuple[tuple[type, str], ...] = (
    (re_ast.SymbolExpression, "symbol"),
    (re_ast.UnaryExpression, "unary"),
    (re_ast.LogicExpression, "logic"),
    (re_ast.FuzzyComparisonExpression, "fuzzy"),
    (re_ast.ArithmeticComparisonExpression, "ordered"),
    (re_ast.ComparisonExpression, "comparison"),
    (re_ast.ContainsExpression, "contains"),
    (re_ast.AddExpression, "arithmetic"),
    (re_ast.SubtractExpression, "arithmetic"),
    (re_ast.ArithmeticExpression, "arithmetic"),
    (re_ast.CoalesceExpression, "coalesce"),
    (re_ast.TernaryExpression, "ternary"),
    (re_ast.GetAttributeExpression, "attribute"),
    (re_ast.FunctionCallExpression, "call"),
    (re_ast.GetItemExpression, "item"),
    (re_ast.GetSliceExpression, "slice"),
    (re_ast.ComprehensionExpression, "comprehension"),
)
"""The translator method that takes each rule-engine node type, in the order they are
tried (a subclass before its base: the ordered and fuzzy comparisons before ``==``)."""


def dispatch_table(translator: type) -> tuple[tuple[type, Any], ...]:
    """``(node type, method)`` of ``translator`` for each of :data:`NODE_METHODS`."""
    return tuple((node, getattr(translator, name)) for node, name in NODE_METHODS)


class Untranslatable(Exception):  # noqa: N818 - a reason, not an error
    """The condition has no exact translation for this engine (or dialect); the message
    says why, and the condition runs on the engine the translator falls back to."""


class Folded(Protocol):
    """A translated value that may be a constant (``const``, when ``is_const``)."""

    @property
    def const(self) -> Any:
        """The constant's value (meaningless unless :attr:`is_const`)."""

    @property
    def is_const(self) -> bool:
        """Whether the value is a constant known at translation time."""


V = TypeVar("V", bound=Folded)


class Operand(Folded, Protocol):
    """A translated operand: its kind (``"list"``, ``"str"``...), comprehension context
    and engine expression (None for a constant)."""

    @property
    def kind(self) -> str:
        """The operand's field-type kind."""

    @property
    def ctx(self) -> Any:
        """The comprehension context it is evaluated in (``"elem"`` for an element)."""

    @property
    def expr(self) -> Any:
        """The engine's expression (None for a constant)."""


OP = TypeVar("OP", bound=Operand)


def helper_operands(name: str, first: OP, second: OP) -> tuple[OP, OP]:
    """The operands of ``$any_starts_with``, ``$any_ends_with`` or ``$intersects`` with
    the field first (``$intersects`` is symmetric), refusing what neither engine
    translates: a constant or a comprehension element as the field, and two fields that
    are not both lists."""
    if name == "intersects" and first.is_const and not second.is_const:
        first, second = second, first
    if first.is_const or first.expr is None or first.ctx == "elem":
        raise Untranslatable(f"${name} on a {first.kind}")
    two_fields = name == "intersects" and not second.is_const
    if two_fields and (first.kind != "list" or second.kind != "list" or second.ctx == "elem"):
        raise Untranslatable(f"${name} of a {first.kind} and a {second.kind}")
    return first, second


def helper_texts(name: str, second: Operand) -> list[str]:
    """The texts of the constant list a helper compares its field with, sorted (a
    helper given anything else is refused)."""
    items = second.const
    if not second.is_const or not isinstance(items, tuple | set | frozenset):
        raise Untranslatable(f"${name} with a {second.kind}")
    return sorted({item for item in items if isinstance(item, str)})


class ConstantFolding(Generic[V]):
    """The comprehension variables in scope, and rule-engine's evaluation of a constant
    sub-expression in them. A translator sets ``context`` (the rule's context),
    ``as_of`` (``$now``) and ``scopes`` (outermost first: rule-engine resolves a name
    in the outermost scope that has it, and so do the translators)."""

    context: rule_engine.Context
    as_of: dt.datetime
    scopes: list[dict[str, V]]

    def _lookup(self, name: str) -> V | None:
        for scope in self.scopes:
            if name in scope:
                return scope[name]
        return None

    def _is_constant(self, node: Any) -> bool:
        for child in walk(node):
            if isinstance(child, re_ast.SymbolExpression) and child.scope is None:
                bound = self._lookup(child.name)
                if bound is None or not bound.is_const:
                    return False
            if isinstance(child, re_ast.ComprehensionExpression):
                return False
        return True

    @contextlib.contextmanager
    def _evaluating(self) -> Iterator[None]:
        with contextlib.ExitStack() as stack:
            for scope in self.scopes:
                assignments = [
                    re_ast.Assignment(name, value=v.const)
                    for name, v in scope.items()
                    if v.is_const
                ]
                stack.enter_context(self.context.assignments(*assignments))
            stack.enter_context(decimal.localcontext(self.context.decimal_context))
            stack.enter_context(evaluation_time(self.as_of))
            yield


def float_of(value: Decimal) -> float:
    """The float nearest ``value``; Untranslatable when there is none (not finite, or
    too large)."""
    if not value.is_finite():
        raise Untranslatable(f"the number {value} (not finite)")
    f = float(value)
    if not math.isfinite(f):
        raise Untranslatable(f"the number {value} (too large for a float)")
    return f


def exact_gap(f: float, value: Decimal) -> Decimal:
    """``f - value``, exactly (the sign says on which side of the float the literal is)."""
    with decimal.localcontext(prec=200):
        return Decimal(repr(f)) - value


def fits(value: Decimal, flavor: str) -> bool:
    """Whether the constant ``value`` is exactly a value of a column of number
    ``flavor`` (``int``, ``float``, ``dec``)."""
    if not value.is_finite():
        return False
    if flavor == "int":
        return value == value.to_integral_value() and abs(value) < 2**62
    if flavor == "float":
        return math.isfinite(float(value)) and exact_gap(float(value), value) == 0
    return abs(value) < DEC_LIMIT and value == value.quantize(
        QUANTUM, context=decimal.Context(prec=100)
    )
