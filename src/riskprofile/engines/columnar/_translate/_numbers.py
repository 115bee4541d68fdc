"""Numbers with rule-engine's meaning: rule-engine computes with :class:`~decimal.Decimal`
(a float field ``x`` is ``Decimal(repr(x))``). Comparisons here are exact (a literal
that is no float is compared through the neighbouring floats); arithmetic is done in
floating point with an error bound (``approx``), and where a result is too close to call,
overflows or is NaN the row is undecided.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl

from riskprofile.engines._translating import DEC_LIMIT, INT_EXACT, QUANTUM, exact_gap, float_of
from riskprofile.engines.columnar._translate._values import (
    _DEC,
    _F64,
    _U,
    _V,
    Untranslatable,
    _any,
    _ctx,
)


def _approx(v: _V) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None]:
    """``v`` as a Float64 value, an absolute error bound, and where that is not enough."""
    if v.is_const:
        f = float_of(v.const)
        with decimal.localcontext(prec=200):
            gap = abs(Decimal(f) - v.const)
        bound = float(gap) * (1 + 2.0**-40) if gap else 0.0
        return pl.lit(f, dtype=_F64), (pl.lit(bound, dtype=_F64) if bound else None), None
    assert v.expr is not None
    if v.flavor == "int":
        return v.expr.cast(_F64), None, v.expr.abs() > INT_EXACT
    if v.flavor == "float":
        return v.expr, v.expr.abs() * 2.0**-52, ~v.expr.is_finite()
    if v.flavor == "dec":
        as_float = v.expr.cast(_F64)
        return as_float, as_float.abs() * 2.0**-48, None
    return v.expr, v.bound, None


def _approx_compare(op: str, a: _V, b: _V) -> tuple[pl.Expr, pl.Expr | None]:
    fa, ba, ua = _approx(a)
    fb, bb, ub = _approx(b)
    diff = fa - fb
    bound = diff.abs() * _U
    for extra in (ba, bb):
        if extra is not None:
            bound = bound + extra * (1 + _U)
    decided = diff.is_finite() & bound.is_finite() & (diff.abs() > bound)
    result = _COMPARE[op](diff, pl.lit(0.0, dtype=_F64))
    return result, _any(~decided, ua, ub)


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


_FLIP = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def _int_lit(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int64)


def _compare_const(op: str, x: _V, value: Decimal) -> tuple[pl.Expr, pl.Expr | None]:
    """``x <op> value`` for a column number ``x`` and a constant, exactly."""
    assert x.expr is not None
    if not value.is_finite():
        if op == "eq" and value.is_nan():
            return pl.lit(False), None
        raise Untranslatable(f"a comparison with {value}")
    if x.flavor == "int":
        if abs(value) >= 2**62:
            raise Untranslatable(f"a comparison of an integer with {value}")
        floor = int(value.to_integral_value(rounding=decimal.ROUND_FLOOR))
        ceil = int(value.to_integral_value(rounding=decimal.ROUND_CEILING))
        e = x.expr
        if x.nonzero is not None:  # a count: "> 0" and "== 0" have a cheaper form
            test = {"gt": floor == 0, "ge": ceil == 1, "lt": ceil == 1, "le": floor == 0,
                    "eq": floor == ceil == 0}[op]  # fmt: skip
            if test:
                return (x.nonzero if op in ("gt", "ge") else ~x.nonzero), None
        if op == "eq":
            return (e == _int_lit(floor)) if floor == ceil else pl.lit(False), None
        return {
            "lt": e < _int_lit(ceil),
            "le": e <= _int_lit(floor),
            "gt": e > _int_lit(floor),
            "ge": e >= _int_lit(ceil),
        }[op], None
    if x.flavor == "float":
        # Decimal(repr(x)) is strictly increasing in x, so only x == f needs the sign of
        # Decimal(repr(f)) - value, known now.
        f = float_of(value)
        gap = exact_gap(f, value)
        e = x.expr
        fl = pl.lit(f, dtype=_F64)
        undecided = ~e.is_finite()
        if op == "eq":
            return (e == fl) if gap == 0 else pl.lit(False), undecided
        at = {"lt": gap < 0, "le": gap <= 0, "gt": gap > 0, "ge": gap >= 0}[op]
        strict = e < fl if op in ("lt", "le") else e > fl
        return (strict | (e == fl)) if at else strict, undecided
    if x.flavor == "dec":
        if abs(value) >= DEC_LIMIT:
            raise Untranslatable(f"a comparison of a decimal with {value}")
        with decimal.localcontext(prec=100):
            low = value.quantize(QUANTUM, rounding=decimal.ROUND_FLOOR)
            high = value.quantize(QUANTUM, rounding=decimal.ROUND_CEILING)
        e = x.expr

        def d(q: Decimal) -> pl.Expr:
            return pl.lit(q, dtype=_DEC)

        if op == "eq":
            return (e == d(low)) if low == high else pl.lit(False), None
        return {
            "lt": e < d(high),
            "le": e <= d(low),
            "gt": e > d(low),
            "ge": e >= d(high),
        }[op], None
    return _approx_compare(op, x, _V("num", const=value))


def _compare_numbers(op: str, a: _V, b: _V) -> tuple[pl.Expr, pl.Expr | None]:
    """``a <op> b`` on non-null numbers (op: eq, lt, le, gt, ge), with undecided rows."""
    if a.is_const and b.is_const:
        raise AssertionError("constant comparisons are evaluated by rule-engine")
    if a.is_const:
        return _compare_numbers(_FLIP[op], b, a)
    if b.is_const:
        return _compare_const(op, a, b.const)
    assert a.expr is not None
    assert b.expr is not None
    cmp = _COMPARE[op]
    pair = {a.flavor, b.flavor}
    if a.flavor == b.flavor and a.flavor in ("int", "dec"):
        return cmp(a.expr, b.expr), None
    if pair == {"float"}:
        return cmp(a.expr, b.expr), ~a.expr.is_finite() | ~b.expr.is_finite()
    if pair == {"int", "float"}:
        ia, ib = (a, b) if a.flavor == "int" else (b, a)
        assert ia.expr is not None
        assert ib.expr is not None
        guard = (ia.expr.abs() > INT_EXACT) | ~ib.expr.is_finite()
        ea = a.expr.cast(_F64) if a.flavor == "int" else a.expr
        eb = b.expr.cast(_F64) if b.flavor == "int" else b.expr
        return cmp(ea, eb), guard
    if pair == {"int", "dec"}:
        ea = a.expr.cast(_DEC) if a.flavor == "int" else a.expr
        eb = b.expr.cast(_DEC) if b.flavor == "int" else b.expr
        return cmp(ea, eb), None
    return _approx_compare(op, a, b)


def _exact_zero(v: _V) -> tuple[pl.Expr, pl.Expr | None]:
    """Where the number ``v`` is exactly zero, and where that cannot be known."""
    if v.is_const:
        return pl.lit(v.const == 0), None
    assert v.expr is not None
    if v.flavor == "int":
        return v.expr == _int_lit(0), None
    if v.flavor == "float":
        return v.expr == 0.0, None
    if v.flavor == "dec":
        return v.expr == pl.lit(Decimal(0), dtype=_DEC), None
    f, bound, _ = _approx(v)
    if bound is None:
        return f == 0.0, None
    return pl.lit(False), f.abs() <= bound


def _int_const(v: _V) -> int | None:
    if v.is_const and v.const.is_finite() and v.const == v.const.to_integral_value():
        value = int(v.const)
        if abs(value) < 2**31:
            return value
    return None


def _arithmetic(op: str, a: _V, b: _V) -> _V:
    """``a <op> b`` for non-null numbers (op: add, sub, mul, tdiv); errors are added by
    the caller."""
    ctx = _ctx(a.ctx, b.ctx)
    exact_int = op in ("add", "sub", "mul") and all(
        v.flavor == "int" or _int_const(v) is not None for v in (a, b)
    )
    if exact_int:
        ea = _int_lit(_int_const(a) or 0) if a.is_const else a.expr
        eb = _int_lit(_int_const(b) or 0) if b.is_const else b.expr
        assert ea is not None
        assert eb is not None
        limit = 2**31 if op == "mul" else 2**61
        guard = _any(
            None if a.is_const else ea.abs() > limit, None if b.is_const else eb.abs() > limit
        )
        value = {"add": operator.add, "sub": operator.sub, "mul": operator.mul}[op](ea, eb)
        return _V("num", value, flavor="int", undecided=guard, ctx=ctx)
    fa, ba, ua = _approx(a)
    fb, bb, ub = _approx(b)
    zero = pl.lit(0.0, dtype=_F64)
    ba_ = ba if ba is not None else zero
    bb_ = bb if bb is not None else zero
    undecided = _any(ua, ub)
    if op in ("add", "sub"):
        value = fa + fb if op == "add" else fa - fb
        bound = ba_ + bb_ + value.abs() * _U
    elif op == "mul":
        value = fa * fb
        bound = fa.abs() * bb_ + fb.abs() * ba_ + ba_ * bb_ + value.abs() * _U
    else:
        value = fa / fb
        low = fb.abs() - bb_
        bound = (fa.abs() * bb_ + fb.abs() * ba_) / (fb.abs() * low) + value.abs() * _U
        undecided = _any(undecided, low <= 0.0)
    bound = bound * (1 + _U)
    undecided = _any(undecided, ~value.is_finite() | ~bound.is_finite())
    return _V("num", value, flavor="approx", bound=bound, undecided=undecided, ctx=ctx)


def _num_expr(v: _V, flavor: str) -> pl.Expr:
    if v.kind == "null":
        dtypes: dict[str, pl.DataType] = {"int": pl.Int64(), "float": pl.Float64(), "dec": _DEC}
        return pl.lit(None, dtype=dtypes[flavor])
    if v.is_const:
        if flavor == "int":
            return _int_lit(int(v.const))
        if flavor == "float":
            return pl.lit(float(v.const), dtype=_F64)
        return pl.lit(v.const, dtype=_DEC)
    assert v.expr is not None
    return v.expr
