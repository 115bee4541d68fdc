"""Number comparisons with rule-engine's meaning, in SQL.

rule-engine compares :class:`~decimal.Decimal` values: a float field ``x`` is
``Decimal(repr(x))``, an integer is exact, a decimal field is exact. A comparison with a
literal is written so that it is exact in SQL too (as the columnar engine does, see
:mod:`riskprofile.engines.columnar._translate._numbers`): an integer against the
literal's floor or ceiling, a float against the nearest double with the sign of the gap
worked out here, a decimal against the literal rounded to 18 places. A non-finite float
(NaN, an infinity) is left to the row-wise engine (undecided). There is no arithmetic:
a condition that computes with numbers falls back.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from decimal import Decimal

from sqlglot import exp

from riskprofile.engines._translating import (
    DEC_LIMIT,
    INT_EXACT,
    QUANTUM,
    exact_gap,
    float_of,
)
from riskprofile.engines.sql._dialects import Dialect, lit
from riskprofile.engines.sql._values import _Q, FALSE, Untranslatable, any_, nn, not_

COMPARE: dict[str, Callable[[exp.Expression, exp.Expression], exp.Expression]] = {
    "eq": lambda a, b: exp.EQ(this=a, expression=b),
    "ne": lambda a, b: exp.NEQ(this=a, expression=b),
    "lt": lambda a, b: exp.LT(this=a, expression=b),
    "le": lambda a, b: exp.LTE(this=a, expression=b),
    "gt": lambda a, b: exp.GT(this=a, expression=b),
    "ge": lambda a, b: exp.GTE(this=a, expression=b),
}
_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def _not_finite(d: Dialect, e: exp.Expression) -> exp.Expression:
    return not_(nn(d.finite(e)))


def compare_const(
    d: Dialect, op: str, x: _Q, value: Decimal
) -> tuple[exp.Expression, exp.Expression | None]:
    """``x <op> value`` for a column number ``x`` (not null) and a constant, exactly:
    the comparison (NULL where ``x`` is NULL) and where it is undecided."""
    assert x.expr is not None
    e = x.expr
    if not value.is_finite():
        if op == "eq" and value.is_nan():
            return FALSE, None
        raise Untranslatable(f"a comparison with {value}")
    if x.flavor == "int":
        if abs(value) >= 2**62:
            raise Untranslatable(f"a comparison of an integer with {value}")
        floor = int(value.to_integral_value(rounding=decimal.ROUND_FLOOR))
        ceil = int(value.to_integral_value(rounding=decimal.ROUND_CEILING))
        if x.nonzero is not None:  # a count: "> 0" and "== 0" have a cheaper form
            test = {"gt": floor == 0, "ge": ceil == 1, "lt": ceil == 1, "le": floor == 0,
                    "eq": floor == ceil == 0}[op]  # fmt: skip
            if test:
                return (x.nonzero if op in ("gt", "ge") else not_(x.nonzero)), None
        if op == "eq":
            return (COMPARE["eq"](e, lit(floor)) if floor == ceil else FALSE), None
        whole = {"lt": ceil, "le": floor, "gt": floor, "ge": ceil}[op]
        return COMPARE[op](e, lit(whole)), None
    if x.flavor == "float":
        # Decimal(repr(x)) is strictly increasing in x: only x == f needs the sign of
        # Decimal(repr(f)) - value, known now.
        f = float_of(value)
        gap = exact_gap(f, value)
        fl = d.double(f)
        undecided = _not_finite(d, e)
        if op == "eq":
            return (COMPARE["eq"](e, fl) if gap == 0 else FALSE), undecided
        at = {"lt": gap < 0, "le": gap <= 0, "gt": gap > 0, "ge": gap >= 0}[op]
        strict = COMPARE["lt" if op in ("lt", "le") else "gt"](e, fl)
        return (COMPARE["le" if op in ("lt", "le") else "ge"](e, fl) if at else strict), undecided
    if x.flavor == "dec":
        if abs(value) >= DEC_LIMIT:
            raise Untranslatable(f"a comparison of a decimal with {value}")
        with decimal.localcontext(prec=100):
            low = value.quantize(QUANTUM, rounding=decimal.ROUND_FLOOR)
            high = value.quantize(QUANTUM, rounding=decimal.ROUND_CEILING)
        if op == "eq":
            return (COMPARE["eq"](e, d.decimal(str(low))) if low == high else FALSE), None
        bound = {"lt": high, "le": low, "gt": low, "ge": high}[op]
        return COMPARE[op](e, d.decimal(str(bound))), None
    raise Untranslatable(f"a comparison of a {x.flavor} number")  # pragma: no cover


def compare_numbers(
    d: Dialect, op: str, a: _Q, b: _Q
) -> tuple[exp.Expression, exp.Expression | None]:
    """``a <op> b`` on numbers (NULL where either is NULL), and where undecided."""
    if a.is_const and b.is_const:  # pragma: no cover - evaluated by rule-engine
        raise AssertionError("constant comparisons are evaluated by rule-engine")
    if a.is_const:
        return compare_numbers(d, _FLIP[op], b, a)
    if b.is_const:
        return compare_const(d, op, a, b.const)
    assert a.expr is not None
    assert b.expr is not None
    cmp = COMPARE[op]
    pair = {a.flavor, b.flavor}
    if a.flavor == b.flavor and a.flavor in ("int", "dec"):
        return cmp(a.expr, b.expr), None
    if pair == {"float"}:
        return cmp(a.expr, b.expr), any_(_not_finite(d, a.expr), _not_finite(d, b.expr))
    if pair == {"int", "float"}:
        ia, fb = (a, b) if a.flavor == "int" else (b, a)
        assert ia.expr is not None
        assert fb.expr is not None
        big = nn(exp.GT(this=exp.Abs(this=ia.expr), expression=lit(INT_EXACT)))
        ea = exp.cast(a.expr, "DOUBLE") if a.flavor == "int" else a.expr
        eb = exp.cast(b.expr, "DOUBLE") if b.flavor == "int" else b.expr
        return cmp(ea, eb), any_(big, _not_finite(d, fb.expr))
    if pair == {"int", "dec"}:
        ea = exp.cast(a.expr, "DECIMAL(38, 18)") if a.flavor == "int" else a.expr
        eb = exp.cast(b.expr, "DECIMAL(38, 18)") if b.flavor == "int" else b.expr
        return cmp(ea, eb), None
    raise Untranslatable(f"comparing a {a.flavor} number with a {b.flavor} one")


def exact_zero(d: Dialect, v: _Q) -> tuple[exp.Expression, exp.Expression | None]:
    """Where the number ``v`` is zero (NULL where NULL), and where undecided."""
    if v.is_const:  # pragma: no cover - constants are evaluated by rule-engine
        raise AssertionError("a constant number")
    assert v.expr is not None
    if v.nonzero is not None:
        return not_(v.nonzero), None
    zero: exp.Expression = {
        "int": lit(0),
        "float": d.double(0.0),
        "dec": d.decimal("0"),
    }[v.flavor or "int"]
    undecided = _not_finite(d, v.expr) if v.flavor == "float" else None
    return COMPARE["eq"](v.expr, zero), undecided


def number_literal(d: Dialect, value: Decimal, flavor: str) -> exp.Expression:
    """The constant ``value`` (which ``_translating.fits`` for ``flavor``) as a ``flavor`` value."""
    if flavor == "int":
        return lit(int(value))
    if flavor == "float":
        return d.double(float(value))
    return d.decimal(str(value.quantize(QUANTUM, context=decimal.Context(prec=100))))
