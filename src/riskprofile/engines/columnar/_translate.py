"""Compiled conditions translated into Polars expressions with the row-wise meaning.

A condition is a rule-engine expression (see :mod:`riskprofile.profiles._expressions`);
the row-wise engine evaluates it on one record at a time and gets ``True``, ``False`` or
an :class:`rule_engine.EngineError` (then the indicator is no hit and a note says why).
:func:`translate` walks the rule-engine syntax tree and builds, for the whole shipment
frame at once, two Boolean expressions that are never null: ``hit`` (the evaluation
returns true) and ``error`` (it raises). Every operator is written out with
rule-engine's own rules, which are not SQL's and not Polars':

* ``null == x`` is false and ``null != x`` true (null is just another value); ordering
  a null against a value raises, two nulls are equal for ``<=`` and ``>=``.
* ``and``/``or`` short-circuit: an error on the right counts only where the right side
  is evaluated. ``not``, ``and``, ``or`` and the final result use Python truthiness
  (an empty string, an empty list, zero and null are false).
* Regexes keep RE2's meaning (``=~`` matches at the start, ``=~~`` searches); on null
  text ``=~``/``=~~`` are false and ``!~``/``!~~`` true. See :mod:`._regex`. Text the
  Rust engine could read otherwise (a case-insensitive pattern on non-ASCII text) is
  undecided, or with :func:`shared_translation` matched by RE2 on those texts only.
* Numbers are :class:`~decimal.Decimal` in rule-engine: a float field ``x`` is
  ``Decimal(repr(x))``. Comparisons are exact (a literal that is no float is compared
  through the neighbouring floats); arithmetic is done in floating point with an error
  bound, and where a result is too close to call (or overflows, or a float is NaN) the
  row is *undecided*.

Rows a translation cannot decide exactly are named by ``undecided``: the caller
evaluates just those rows row-wise (usually none). A construct with no exact
translation (a backreference in a regex, ``**``, a comprehension whose condition reads
other fields, ...) makes the whole condition fall back, with ``fallback`` saying why.
Constant sub-expressions (literals, watch lists, ``$today``, a comprehension variable
running over a watch list) are evaluated by rule-engine itself, so they mean exactly
what they mean row-wise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import math
import operator
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache, reduce
from typing import Any

import polars as pl
import rule_engine
from rule_engine import ast as re_ast

from riskprofile.engines.columnar._regex import UnsupportedRegex, _char, rust_pattern
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles._builtins import HELPERS, evaluation_time
from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._regex import RegexRefused, compile_regex
from riskprofile.profiles._tree import walk

__all__ = ["Part", "Translation", "shared_translation", "translate"]


@dataclass(frozen=True)
class Translation:
    """A condition as Polars expressions over the shipment frame.

    Attributes:
        expression: the condition's text.
        hit: true exactly where the row-wise evaluation returns true (never null).
        error: true exactly where it raises :class:`rule_engine.EngineError` (never null).
        undecided: true where the translation cannot decide exactly (an arithmetic
            result too close to call, text outside printable ASCII for a regex, a NaN
            float); those rows must be evaluated row-wise. None when no row can be.
        fallback: why the condition cannot be translated (then the expressions are None
            and every row is evaluated row-wise).
    """

    expression: str
    hit: pl.Expr | None
    error: pl.Expr | None
    fallback: str | None
    undecided: pl.Expr | None = None


@dataclass(frozen=True)
class Part:
    """A sub-expression over one text or list column that translations share.

    :func:`shared_translation` writes such sub-expressions (a regex match, a
    comprehension over a list field, a membership test, with their error and undecided
    masks) as a column of their own, named by a digest of the expression, so that every
    condition using one evaluates it once, and on the column's distinct values only if
    they are few (see :mod:`._masks`).

    Attributes:
        column: the frame column the expression reads (and only that one).
        expr: the expression, row by row over ``column``.
        cost: an estimate of what evaluating it on every row costs, in regexes over a
            text column (a comprehension over a list about 0.4, a regex inside it 1
            more; anything else half a regex on text, 0.2 on a list), against which
            evaluating it on the column's distinct values is weighed.
    """

    column: str
    expr: pl.Expr
    cost: float


class Untranslatable(Exception):  # noqa: N818 - a reason, not an error
    """The condition has no exact columnar translation; the message says why."""


_NO = object()
_F64 = pl.Float64
_DEC = pl.Decimal(38, 18)
_DT = pl.Datetime("us", "UTC")
_TD = pl.Duration("us")
_QUANTUM = Decimal("1e-18")
_DEC_LIMIT = Decimal(10) ** 20
_INT_EXACT = 2**53
# Relative error allowed per arithmetic step: float rounding (2**-53) and rule-engine's
# 28-digit Decimal rounding, with a wide margin.
_U = 2.0**-48

_KIND_OF_TYPE = {
    "string": ("str", None),
    "integer": ("num", "int"),
    "float": ("num", "float"),
    "decimal": ("num", "dec"),
    "boolean": ("bool", None),
    "date": ("dt", None),
    "datetime": ("dt", None),
    "list[string]": ("list", None),
}


@cache
def _nullable() -> dict[str, bool]:
    return {spec.name: spec.nullable for spec in field_catalogue()}


@cache
def _fields() -> dict[str, tuple[str, str | None]]:
    return {spec.name: _KIND_OF_TYPE[spec.type] for spec in field_catalogue()}


def _any(*exprs: pl.Expr | None) -> pl.Expr | None:
    """``a | b | ...`` where None means false; a repeated expression is kept once (eager
    selects do not share common sub-expressions)."""
    present: list[pl.Expr] = []
    for e in exprs:
        if e is not None and not any(e.meta.eq(p) for p in present):
            present.append(e)
    if not present:
        return None
    return reduce(operator.or_, present)


_CONTROL = r"[\x00-\x08\n\x0B\x0C\x0E-\x1F\x7F]"


def _unsafe_text(e: pl.Expr) -> pl.Expr:
    """Where text holds characters outside :data:`SAFE_TEXT` (never null)."""
    return ((e.str.len_bytes() != e.str.len_chars()) | e.str.contains(_CONTROL)).fill_null(False)


def _both(a: pl.Expr | None, b: pl.Expr | None) -> pl.Expr | None:
    """``a & b`` where None means false."""
    if a is None or b is None:
        return None
    return a & b


def _ctx(*contexts: str | None) -> str | None:
    found = {c for c in contexts if c is not None}
    if len(found) > 1:
        raise Untranslatable(
            "a comprehension over a list field whose condition also reads other fields"
        )
    return found.pop() if found else None


@dataclass(frozen=True)
class _V:
    """A translated sub-expression.

    ``kind`` is what rule-engine sees: bool, num, str, dt, td, list (a list field),
    listish (a comprehension's result), null, const (a constant collection or other
    constant), method (a ``starts_with``/``ends_with`` awaiting its call). ``expr`` is
    the value (null where rule-engine's value is None); ``const`` the value of a
    constant; ``error``/``undecided`` Boolean masks (None: never). Numbers have a
    ``flavor``: int (Int64, exact), float (Float64 meaning ``Decimal(repr(x))``), dec
    (Decimal(38, 18), exact) or approx (Float64 within ``bound`` of the exact value).
    ``ctx`` is "row" for frame columns, "elem" inside a comprehension over a list field.
    """

    kind: str
    expr: pl.Expr | None = None
    const: Any = _NO
    error: pl.Expr | None = None
    undecided: pl.Expr | None = None
    flavor: str | None = None
    bound: pl.Expr | None = None
    unique: bool = False
    ctx: str | None = None
    method: tuple[str, bool] | None = None
    nullable: bool = True
    nonzero: pl.Expr | None = None

    @property
    def is_const(self) -> bool:
        return self.const is not _NO

    def null(self) -> pl.Expr:
        """Where the value is None (non-null Boolean)."""
        found = self.null_or_none()
        return pl.lit(False) if found is None else found

    def null_or_none(self) -> pl.Expr | None:
        """Where the value is None, or None when it never is (keeps expressions small)."""
        if self.is_const:
            return pl.lit(True) if self.const is None else None
        if not self.nullable or self.kind in ("list", "listish"):
            return None
        assert self.expr is not None
        return self.expr.is_null()


def _const(value: Any) -> _V:
    if value is None:
        return _V("null", const=None)
    if isinstance(value, bool):
        return _V("bool", const=value)
    if isinstance(value, Decimal):
        return _V("num", const=value)
    if isinstance(value, str):
        return _V("str", const=value)
    if isinstance(value, dt.datetime):
        return _V("dt", const=value)
    if isinstance(value, dt.timedelta):
        return _V("td", const=value)
    return _V("const", const=value)


def _lit(v: _V) -> pl.Expr:
    """The value of ``v`` as an expression (constants become literals)."""
    if not v.is_const:
        assert v.expr is not None
        return v.expr
    value = v.const
    if value is None:
        return pl.lit(None)
    if isinstance(value, bool):
        return pl.lit(value, dtype=pl.Boolean)
    if isinstance(value, str):
        return pl.lit(value, dtype=pl.String)
    if isinstance(value, dt.datetime):
        return pl.lit(value.astimezone(dt.UTC), dtype=_DT)
    if isinstance(value, dt.timedelta):
        return pl.lit(value, dtype=_TD)
    raise Untranslatable(f"a constant {type(value).__name__} used as a column value")


# --- numbers -------------------------------------------------------------------------------


def _float_of(value: Decimal) -> float:
    if not value.is_finite():
        raise Untranslatable(f"the number {value} (not finite)")
    f = float(value)
    if not math.isfinite(f):
        raise Untranslatable(f"the number {value} (too large for a float)")
    return f


def _gap(f: float, value: Decimal) -> Decimal:
    with decimal.localcontext(prec=200):
        return Decimal(repr(f)) - value


def _approx(v: _V) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None]:
    """``v`` as a Float64 value, an absolute error bound, and where that is not enough."""
    if v.is_const:
        f = _float_of(v.const)
        with decimal.localcontext(prec=200):
            gap = abs(Decimal(f) - v.const)
        bound = float(gap) * (1 + 2.0**-40) if gap else 0.0
        return pl.lit(f, dtype=_F64), (pl.lit(bound, dtype=_F64) if bound else None), None
    assert v.expr is not None
    if v.flavor == "int":
        return v.expr.cast(_F64), None, v.expr.abs() > _INT_EXACT
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
        f = _float_of(value)
        gap = _gap(f, value)
        e = x.expr
        fl = pl.lit(f, dtype=_F64)
        undecided = ~e.is_finite()
        if op == "eq":
            return (e == fl) if gap == 0 else pl.lit(False), undecided
        at = {"lt": gap < 0, "le": gap <= 0, "gt": gap > 0, "ge": gap >= 0}[op]
        strict = e < fl if op in ("lt", "le") else e > fl
        return (strict | (e == fl)) if at else strict, undecided
    if x.flavor == "dec":
        if abs(value) >= _DEC_LIMIT:
            raise Untranslatable(f"a comparison of a decimal with {value}")
        with decimal.localcontext(prec=100):
            low = value.quantize(_QUANTUM, rounding=decimal.ROUND_FLOOR)
            high = value.quantize(_QUANTUM, rounding=decimal.ROUND_CEILING)
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
        guard = (ia.expr.abs() > _INT_EXACT) | ~ib.expr.is_finite()
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


# --- the translator ------------------------------------------------------------------------


class _Translator:
    def __init__(
        self, condition: Condition, as_of: dt.datetime, parts: dict[str, Part] | None = None
    ) -> None:
        self.condition = condition
        # Where shared sub-expressions go (None: none are shared, expressions stay whole).
        self.parts = parts
        self.context = condition.rule.context
        self.as_of = as_of.astimezone(dt.UTC) if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
        # Comprehension variables, outermost first: rule-engine resolves a name in the
        # outermost scope that has it, and so do we.
        self.scopes: list[dict[str, _V]] = []

    # -- constants --

    def _lookup(self, name: str) -> _V | None:
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

    def _constant(self, node: Any) -> _V:
        with self._evaluating():
            try:
                value = node.evaluate(None)
            except rule_engine.EngineError:
                return _V("null", const=None, error=pl.lit(True))
            except Exception as exc:  # row-wise would crash the same way
                raise Untranslatable(f"a constant that cannot be evaluated ({exc})") from exc
        return _const(value)

    # -- dispatch --

    def visit(self, node: Any) -> _V:
        if self._is_constant(node):
            return self._constant(node)
        for cls, method in _DISPATCH:
            if isinstance(node, cls):
                result: _V = method(self, node)
                return self._shared(result)
        raise Untranslatable(f"the expression {type(node).__name__}")

    def _shared(self, v: _V) -> _V:
        """``v`` with its truth value, count and masks made parts where they read one
        text or list column and nothing else (when sharing)."""
        if self.parts is None or v.ctx != "row" or v.is_const:
            return v
        share = self._share
        if v.kind == "bool":
            v = replace(v, expr=share(v.expr))
        elif v.kind == "listish":
            v = replace(v, expr=share(v.expr), nonzero=share(v.nonzero))
        return replace(v, error=share(v.error), undecided=share(v.undecided))

    def _share(self, e: pl.Expr | None) -> pl.Expr | None:
        if e is None or self.parts is None:
            return e
        roots = set(e.meta.root_names())
        if len(roots) != 1:
            return e
        (column,) = roots
        kind = _fields().get(column, ("",))[0]
        if kind not in ("str", "list"):
            return e
        try:
            serialized = e.meta.serialize()
        except Exception:  # pragma: no cover - a Python function in it: not shared
            return e
        name = f"~{column}~{hashlib.blake2b(serialized, digest_size=12).hexdigest()}"
        if name not in self.parts:
            text = str(e)
            cost = 0.4 * text.count(".list.eval(") + text.count(".str.contains(")
            self.parts[name] = Part(column, e, cost or (0.2 if kind == "list" else 0.5))
        return pl.col(name)

    def symbol(self, node: re_ast.SymbolExpression) -> _V:
        bound = self._lookup(node.name) if node.scope is None else None
        if bound is not None:
            return bound
        if node.scope is not None:  # pragma: no cover - built-ins are constants
            raise Untranslatable(f"the built-in ${node.name}")
        kind, flavor = _fields()[node.name]
        return _V(
            kind, pl.col(node.name), flavor=flavor, ctx="row", nullable=_nullable()[node.name]
        )

    # -- truthiness and logic --

    def truthy(self, v: _V) -> tuple[pl.Expr, pl.Expr | None]:
        """Python truthiness of ``v`` (non-null) and where it cannot be decided."""
        if v.is_const:
            return pl.lit(bool(v.const)), None
        e = v.expr
        if v.kind == "listish":
            assert e is not None  # the count
            return (v.nonzero if v.nonzero is not None else e > 0), None
        assert e is not None
        if v.kind == "bool":
            return e.fill_null(False), None
        if v.kind == "str":
            return (e.str.len_bytes() > 0).fill_null(False), None
        if v.kind == "list":
            return e.list.len() > 0, None
        if v.kind == "dt":
            return e.is_not_null(), None
        if v.kind == "td":
            return (e != pl.lit(dt.timedelta(0), dtype=_TD)).fill_null(False), None
        if v.kind == "num":
            if v.flavor == "approx":
                zero, undecided = _exact_zero(v)
                return (~zero & e.is_not_null()).fill_null(False), undecided
            zero, _ = _exact_zero(v)
            return (~zero).fill_null(False), None
        raise Untranslatable(f"the truth of a {v.kind}")

    def unary(self, node: re_ast.UnaryExpression) -> _V:
        right = self.visit(node.right)
        if node.type == "not":
            t, undecided = self.truthy(right)
            return _V(
                "bool", ~t, error=right.error, undecided=_any(right.undecided, undecided),
                ctx=right.ctx,
            )  # fmt: skip
        if node.type == "uminus":
            if right.kind not in ("num", "td") or right.is_const:
                raise Untranslatable("unary minus on a non-number")
            assert right.expr is not None
            error = _any(right.error, right.expr.is_null())
            undecided = right.undecided
            if right.flavor == "int":
                undecided = _any(undecided, right.expr.abs() > 2**62)
            return replace(right, expr=-right.expr, error=error, undecided=undecided, nonzero=None)
        raise Untranslatable(f"the operator {node.type}")  # pragma: no cover

    def logic(self, node: re_ast.LogicExpression) -> _V:
        left = self.visit(node.left)
        right = self.visit(node.right)
        tl, ul = self.truthy(left)
        tr, ur = self.truthy(right)
        ctx = _ctx(left.ctx, right.ctx)
        el = left.error if left.error is not None else pl.lit(False)
        # The right side is evaluated only where the left does not decide.
        reached = (~el & tl) if node.type == "and" else (~el & ~tl)
        error = _any(left.error, _both(reached, right.error))
        undecided = _any(left.undecided, ul, _both(reached, _any(right.undecided, ur)))
        value = (tl & tr) if node.type == "and" else (tl | tr)
        return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    # -- comparisons --

    def equal(self, a: _V, b: _V) -> tuple[pl.Expr, pl.Expr | None]:
        """rule-engine ``==``: values of different types are unequal, None equals None."""
        na, nb = a.null_or_none(), b.null_or_none()
        both_null = _both(na, nb)
        if (a.kind == "list" and b.kind == "const") or (a.kind == "const" and b.kind == "list"):
            column, constant = (a, b) if a.kind == "list" else (b, a)
            if column.unique or not isinstance(constant.const, tuple):
                raise Untranslatable("comparing a list with a set")
            items = constant.const
            if not all(isinstance(item, str) for item in items):
                return pl.lit(False), None
            assert column.expr is not None
            eq = column.expr.list.len() == len(items)
            for index, item in enumerate(items):
                eq = eq & (column.expr.list.get(index, null_on_oob=True) == item).fill_null(False)
            return eq, None
        if a.kind == "null" or b.kind == "null":
            return (pl.lit(False) if both_null is None else both_null), None
        if a.kind != b.kind:
            if {a.kind, b.kind} & {"list", "listish", "const", "method"}:
                # A comprehension's result equals a literal list, say.
                raise Untranslatable(f"'==' between {a.kind} and {b.kind}")
            return (pl.lit(False) if both_null is None else both_null), None
        if a.kind in ("str", "bool", "dt", "td"):
            eq = _lit(a) == _lit(b)
            if na is None and nb is None:
                return eq, None
            eq = eq.fill_null(False)
            return (eq if both_null is None else eq | both_null), None
        if a.kind == "num":
            eq, undecided = _compare_numbers("eq", a, b)
            some_null = _any(na, nb)
            if some_null is None:
                return eq, undecided
            when_null = pl.lit(False) if both_null is None else both_null
            return pl.when(some_null).then(when_null).otherwise(eq.fill_null(False)), _both(
                ~some_null, undecided
            )
        raise Untranslatable(f"'==' between {a.kind} and {b.kind}")

    def comparison(self, node: re_ast.ComparisonExpression) -> _V:
        left = self.visit(node.left)
        right = self.visit(node.right)
        ctx = _ctx(left.ctx, right.ctx)
        error = _any(left.error, right.error)
        eq, undecided = self.equal(left, right)
        value = eq if node.type == "eq" else ~eq
        undecided = _any(left.undecided, right.undecided, undecided)
        return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    def ordered(self, node: re_ast.ArithmeticComparisonExpression) -> _V:
        op = node.type
        left = self.visit(node.left)
        right = self.visit(node.right)
        ctx = _ctx(left.ctx, right.ctx)
        ln, rn = left.null_or_none(), right.null_or_none()
        both_null = _both(ln, rn)
        # Ordering a null against a value raises; two nulls are equal.
        one_null = ln if rn is None else rn if ln is None else ln ^ rn
        undecided = _any(left.undecided, right.undecided)
        equal_nulls = pl.lit(op in ("ge", "le"))
        if left.kind == "null" or right.kind == "null":
            value: pl.Expr = equal_nulls
            type_error: pl.Expr | None = one_null
        elif left.kind != right.kind:
            value = pl.lit(False)
            type_error = pl.lit(True) if both_null is None else ~both_null
        elif left.kind in ("num", "str", "dt", "td", "bool"):
            if left.kind == "num":
                cmp, cmp_undecided = _compare_numbers(op, left, right)
                some_null = _any(ln, rn)
                undecided = _any(
                    undecided,
                    cmp_undecided if some_null is None else _both(~some_null, cmp_undecided),
                )
            else:
                a, b = _lit(left), _lit(right)
                if left.kind == "bool":
                    a, b = a.cast(pl.UInt8), b.cast(pl.UInt8)
                cmp = _COMPARE[op](a, b)
            value = (
                cmp if both_null is None else pl.when(both_null).then(equal_nulls).otherwise(cmp)
            )
            type_error = one_null
        else:
            raise Untranslatable(f"ordering {left.kind} values")
        error = _any(left.error, right.error, type_error)
        if ln is not None or rn is not None:
            value = value.fill_null(False)
        return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    def fuzzy(self, node: re_ast.FuzzyComparisonExpression) -> _V:
        left = self.visit(node.left)
        right = self.visit(node.right)
        if not right.is_const:
            raise Untranslatable("a regex that is not a constant")
        negated = node.type.startswith("ne")
        ctx = _ctx(left.ctx)
        if left.kind not in ("str", "null"):
            raise Untranslatable(f"a regex on a {left.kind}")  # pragma: no cover
        pattern = right.const
        error = _any(left.error, right.error)
        if pattern is None:
            # rule-engine: not modifier(left, None)
            value = ~left.null() if negated else left.null()
            return _V("bool", value, error=error, undecided=left.undecided, ctx=ctx, nullable=False)
        if not isinstance(pattern, str):
            raise Untranslatable("a regex that is not text")  # pragma: no cover
        anchored = node.type.endswith("fzm")
        try:
            rust = rust_pattern(pattern, anchored=anchored)
        except RegexRefused:
            # rule-engine raises RegexSyntaxError on every evaluation.
            return _V(
                "bool", pl.lit(False), error=_any(error, pl.lit(True)), ctx=ctx, nullable=False
            )
        except UnsupportedRegex as exc:
            raise Untranslatable(f"the regex {pattern!r}: {exc}") from None
        _check_compiles(rust.pattern)
        if left.is_const:  # null (a string constant would have made the node constant)
            return _V(
                "bool",
                pl.lit(negated),
                error=error,
                undecided=left.undecided,
                ctx=ctx,
                nullable=False,
            )
        assert left.expr is not None
        found = left.expr.str.contains(rust.pattern)
        undecided = left.undecided
        if rust.guard:
            exact_match = _Re2Regex((pattern,), anchored)
            exact = self._exact_regex(left.expr, found, exact_match) if ctx == "row" else None
            if exact is None:
                undecided = _any(undecided, _unsafe_text(left.expr))
            else:
                found = exact
        value = (~found if negated else found).fill_null(negated)
        return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    def _exact_regex(
        self, subject: pl.Expr, found: pl.Expr, exact_match: _Re2Regex
    ) -> pl.Expr | None:
        """``found`` (the Rust regex's match) where the text is safe, RE2's own match
        elsewhere (computed in Python on those texts only), as one shared part; None
        when it cannot be one (then the caller leaves such rows to the row-wise engine)."""
        if self.parts is None:
            return None
        roots = set(subject.meta.root_names())
        if len(roots) != 1:
            return None
        (column,) = roots
        if _fields().get(column, ("",))[0] != "str":
            return None
        try:  # named here: the Python function keeps Polars from serializing it
            identity = found.meta.serialize() + repr(exact_match).encode()
        except Exception:  # pragma: no cover - every subject here serializes
            return None
        name = f"~{column}~py~{hashlib.blake2b(identity, digest_size=12).hexdigest()}"
        unsafe = _unsafe_text(subject)
        on_unsafe = pl.when(unsafe).then(subject)
        re2_found = on_unsafe.map_elements(exact_match, return_dtype=pl.Boolean, skip_nulls=True)
        self.parts.setdefault(
            name, Part(column, pl.when(unsafe).then(re2_found).otherwise(found), 1.0)
        )
        return pl.col(name)

    # -- containment --

    def contains(self, node: re_ast.ContainsExpression) -> _V:
        container = self.visit(node.container)
        member = self.visit(node.member)
        ctx = _ctx(container.ctx, member.ctx)
        error = _any(container.error, member.error)
        undecided = _any(container.undecided, member.undecided)
        if container.is_const:
            items = container.const
            if items is None:
                raise Untranslatable("'in' on a null")
            if isinstance(items, str):  # a substring of a constant text
                if member.kind != "str":
                    return _V("bool", pl.lit(False), error=_any(error, pl.lit(True)), ctx=ctx,
                              nullable=False)  # fmt: skip
                error = _any(error, member.null_or_none())
                value = pl.lit(items).str.contains(_lit(member), literal=True).fill_null(False)
            else:
                value = self._in_constant(member, items)
        elif container.kind == "list":
            assert container.expr is not None
            if member.kind == "str":
                value = container.expr.list.contains(_lit(member)).fill_null(False)
            else:  # only strings are in a list field; None is never one of them
                value = pl.lit(False)
        elif container.kind == "str":
            assert container.expr is not None
            # `x in null` raises TypeError row-wise (a crash, not a rule error): leave
            # those rows to the row-wise engine so it happens the same way.
            undecided = _any(undecided, container.expr.is_null())
            if member.kind != "str":
                error = _any(error, container.expr.is_not_null())
                value = pl.lit(False)
            else:
                error = _any(error, member.null_or_none())
                value = container.expr.str.contains(_lit(member), literal=True).fill_null(False)
        else:
            raise Untranslatable(f"'in' on a {container.kind}")
        return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    def _in_constant(self, member: _V, items: Any) -> pl.Expr:
        if not isinstance(items, tuple | set | frozenset):
            raise Untranslatable(f"'in' on a constant {type(items).__name__}")
        has_none = any(item is None for item in items)
        null = member.null_or_none()

        def unless_null(found: pl.Expr) -> pl.Expr:
            if null is None:
                return found
            return pl.when(null).then(pl.lit(has_none)).otherwise(found.fill_null(False))

        if member.kind == "str":
            strings = [item for item in items if isinstance(item, str)]
            return unless_null(_lit(member).is_in(pl.Series(strings, dtype=pl.String).implode()))
        if member.kind == "num":
            if any(isinstance(item, bool) for item in items):
                raise Untranslatable("'in' mixing numbers and true/false")
            numbers = [item for item in items if isinstance(item, Decimal)]
            found = pl.lit(False)
            for number in numbers:
                eq, undecided = _compare_const("eq", member, number)
                if undecided is not None and member.flavor == "approx":
                    raise Untranslatable("'in' with a computed number")
                found = found | eq.fill_null(False)
            return unless_null(found)
        if member.kind in ("bool", "dt", "td"):
            if member.kind == "bool" and any(isinstance(i, Decimal) for i in items):
                raise Untranslatable("'in' mixing numbers and true/false")
            wanted = {"bool": bool, "dt": dt.datetime, "td": dt.timedelta}[member.kind]
            same = [i for i in items if isinstance(i, wanted)]
            found = pl.lit(False)
            for item in same:
                found = found | (_lit(member) == _lit(_const(item))).fill_null(False)
            return unless_null(found)
        if member.kind == "null":
            return pl.lit(has_none)
        raise Untranslatable(f"'in' with a {member.kind} member")

    # -- arithmetic --

    def arithmetic(self, node: re_ast.BinaryExpressionBase) -> _V:
        op = node.type
        if op not in ("add", "sub", "mul", "tdiv", "fdiv", "mod"):
            raise Untranslatable(f"the operator {_OPERATORS.get(op, op)}")
        left = self.visit(node.left)
        right = self.visit(node.right)
        if op in ("fdiv", "mod"):
            return self._integer_division(op, left, right)
        ctx = _ctx(left.ctx, right.ctx)
        # Every operator raises on a null operand.
        error = _any(left.error, right.error, left.null_or_none(), right.null_or_none())
        undecided = _any(left.undecided, right.undecided)
        kinds = (left.kind, right.kind)
        if kinds == ("num", "num"):
            result = _arithmetic(op, left, right)
            if op == "tdiv":
                zero, zero_undecided = _exact_zero(right)
                error = _any(error, zero)
                undecided = _any(undecided, zero_undecided)
            return replace(
                result, error=error, undecided=_any(undecided, result.undecided), ctx=ctx
            )
        if op == "add" and kinds == ("str", "str"):
            value = pl.concat_str([_lit(left), _lit(right)])
            return _V("str", value, error=error, undecided=undecided, ctx=ctx)
        temporal = {
            ("add", "dt", "td"): "dt",
            ("add", "td", "dt"): "dt",
            ("add", "td", "td"): "td",
            ("sub", "dt", "td"): "dt",
            ("sub", "dt", "dt"): "td",
            ("sub", "td", "td"): "td",
        }.get((op, *kinds))
        if temporal is None:
            raise Untranslatable(f"'{_OPERATORS.get(op, op)}' between {kinds[0]} and {kinds[1]}")
        a, b = _lit(left), _lit(right)
        value = a + b if op == "add" else a - b
        if temporal == "dt":
            # Python datetimes stop at years 1 and 9999 (OverflowError, a crash).
            year = value.dt.year()
            undecided = _any(undecided, ((year < 1) | (year > 9999)).fill_null(False))
        return _V(temporal, value, error=error, undecided=undecided, ctx=ctx)

    def _integer_division(self, op: str, left: _V, right: _V) -> _V:
        """``//`` and ``%`` on integers, as Decimal does them: the quotient truncated
        toward zero, the remainder with the dividend's sign; division by zero raises."""
        if left.kind != "num" or right.kind != "num":
            raise Untranslatable(f"'{_OPERATORS[op]}' on a {left.kind} and a {right.kind}")
        for side in (left, right):
            if not (side.flavor == "int" or _int_const(side) is not None):
                raise Untranslatable(f"'{_OPERATORS[op]}' on numbers that are not integers")
        ctx = _ctx(left.ctx, right.ctx)
        a = _int_lit(_int_const(left) or 0) if left.is_const else left.expr
        b = _int_lit(_int_const(right) or 0) if right.is_const else right.expr
        assert a is not None
        assert b is not None
        zero, _ = _exact_zero(right)
        error = _any(left.error, right.error, left.null_or_none(), right.null_or_none(), zero)
        undecided = _any(left.undecided, right.undecided, a.abs() > 2**62, b.abs() > 2**62)
        safe_b = pl.when(b == 0).then(_int_lit(1)).otherwise(b)
        magnitude = a.abs() // safe_b.abs()
        quotient = pl.when((a < 0) != (safe_b < 0)).then(-magnitude).otherwise(magnitude)
        value = quotient if op == "fdiv" else a - safe_b * quotient
        return _V("num", value, flavor="int", error=error, undecided=undecided, ctx=ctx)

    # -- null coalescing and the ternary --

    def _merge(
        self, a: _V, b: _V, pick_a: pl.Expr
    ) -> tuple[str, pl.Expr, str | None, pl.Expr | None]:
        """The value that is ``a`` where ``pick_a`` and ``b`` elsewhere."""
        if a.kind == "null" and b.kind == "null":
            return "null", pl.lit(None), None, None
        if a.kind == "null" or b.kind == "null":
            other = b if a.kind == "null" else a
            kind = other.kind
        elif a.kind != b.kind:
            raise Untranslatable(f"a choice between {a.kind} and {b.kind}")
        else:
            kind = a.kind
            other = a
        if kind not in ("num", "str", "bool", "dt", "td"):
            raise Untranslatable(f"a choice between {kind} values")
        if kind != "num":
            ea = _lit(a) if a.kind != "null" else pl.lit(None)
            eb = _lit(b) if b.kind != "null" else pl.lit(None)
            return kind, pl.when(pick_a).then(ea).otherwise(eb), None, None
        flavors = {v.flavor for v in (a, b) if v.kind == "num" and not v.is_const}
        consts = [v for v in (a, b) if v.kind == "num" and v.is_const]
        flavor = flavors.pop() if len(flavors) == 1 else None
        if flavor in ("int", "float", "dec") and all(_fits(c.const, flavor) for c in consts):
            ea = _num_expr(a, flavor)
            eb = _num_expr(b, flavor)
            return "num", pl.when(pick_a).then(ea).otherwise(eb), flavor, None
        del other
        fa, ba, _ = _approx(a) if a.kind == "num" else (pl.lit(None, dtype=_F64), None, None)
        fb, bb, _ = _approx(b) if b.kind == "num" else (pl.lit(None, dtype=_F64), None, None)
        zero = pl.lit(0.0, dtype=_F64)
        value = pl.when(pick_a).then(fa).otherwise(fb)
        bound = (
            pl.when(pick_a)
            .then(ba if ba is not None else zero)
            .otherwise(bb if bb is not None else zero)
        )
        return "num", value, "approx", bound

    def _approx_undecided(self, v: _V) -> pl.Expr | None:
        if v.kind != "num" or v.is_const:
            return None
        return _approx(v)[2] if v.flavor in ("int", "float") else None

    def coalesce(self, node: re_ast.CoalesceExpression) -> _V:
        left = self.visit(node.left)
        right = self.visit(node.right)
        ctx = _ctx(left.ctx, right.ctx)
        left_null = left.null()
        kind, value, flavor, bound = self._merge(left, right, ~left_null)
        error = _any(left.error, _both(left_null, right.error))
        undecided = _any(left.undecided, _both(left_null, right.undecided))
        if flavor == "approx":
            undecided = _any(
                undecided,
                _both(~left_null, self._approx_undecided(left)),
                _both(left_null, self._approx_undecided(right)),
            )
        if kind == "null":
            return _V("null", const=None, error=error, undecided=undecided)
        return _V(kind, value, error=error, undecided=undecided, flavor=flavor, bound=bound,
                  ctx=ctx)  # fmt: skip

    def ternary(self, node: re_ast.TernaryExpression) -> _V:
        condition = self.visit(node.condition)
        yes = self.visit(node.case_true)
        no = self.visit(node.case_false)
        ctx = _ctx(condition.ctx, yes.ctx, no.ctx)
        t, tu = self.truthy(condition)
        kind, value, flavor, bound = self._merge(yes, no, t)
        error = _any(condition.error, _both(t, yes.error), _both(~t, no.error))
        undecided = _any(condition.undecided, tu, _both(t, yes.undecided), _both(~t, no.undecided))
        if flavor == "approx":
            undecided = _any(
                undecided,
                _both(t, self._approx_undecided(yes)),
                _both(~t, self._approx_undecided(no)),
            )
        if kind == "null":
            return _V("null", const=None, error=error, undecided=undecided)
        return _V(kind, value, error=error, undecided=undecided, flavor=flavor, bound=bound,
                  ctx=ctx)  # fmt: skip

    # -- attributes, items, slices, calls --

    def attribute(self, node: re_ast.GetAttributeExpression) -> _V:
        obj = self.visit(node.object)
        name = node.name
        ctx = obj.ctx
        if obj.kind == "null":  # null with &. (else rule-engine refused it at compile time)
            if name in ("starts_with", "ends_with"):
                return _V("method", const=None, error=obj.error, method=(name, False))
            return _V("null", const=None, error=obj.error if node.safe else pl.lit(True))
        null = obj.null_or_none()
        maybe_null = node.safe and null is not None
        # On null: &. gives null, . raises.
        error = obj.error if node.safe else _any(obj.error, null)
        undecided = obj.undecided
        e = obj.expr
        if obj.kind == "str" and e is not None:
            if name in ("starts_with", "ends_with"):
                # On null the call raises whether or not &. was used ("not callable").
                return replace(obj, kind="method", method=(name, node.safe))
            if name == "length":
                length = e.str.len_chars().cast(pl.Int64)
                return _V("num", length, flavor="int", error=error, undecided=undecided,
                          ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "is_empty":
                return _V("bool", e.str.len_bytes() == 0, error=error, undecided=undecided,
                          ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name in ("as_lower", "as_upper"):
                value = e.str.to_lowercase() if name == "as_lower" else e.str.to_uppercase()
                # Python's and Rust's case mappings agree on ASCII; other text row-wise.
                ascii_only = (e.str.len_bytes() == e.str.len_chars()).fill_null(True)
                return _V("str", value, error=error, undecided=_any(undecided, ~ascii_only),
                          ctx=ctx)  # fmt: skip
            if name == "to_str":
                return replace(obj, error=error)
        if obj.kind == "list" and e is not None:
            if name == "length":
                length = e.list.n_unique() if obj.unique else e.list.len()
                nonzero = e.list.len() > 0
                return _V("num", length.cast(pl.Int64), flavor="int", error=error, nonzero=nonzero,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "is_empty":
                return _V(
                    "bool",
                    e.list.len() == 0,
                    error=error,
                    undecided=undecided,
                    ctx=ctx,
                    nullable=maybe_null,
                )
            if name == "to_set":
                return replace(obj, unique=True, error=error)
            if name == "to_ary" and not obj.unique:
                return replace(obj, error=error)
        if obj.kind == "listish" and e is not None:
            if name == "length":
                return _V("num", e.cast(pl.Int64), flavor="int", error=error, nonzero=obj.nonzero,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "is_empty":
                empty = ~obj.nonzero if obj.nonzero is not None else e == 0
                return _V(
                    "bool", empty, error=error, undecided=undecided, ctx=ctx, nullable=maybe_null
                )
        if obj.kind == "num" and e is not None and obj.flavor in ("int", "float"):
            if name in ("floor", "ceiling", "to_int", "to_flt"):
                if obj.flavor == "int" or name == "to_flt":
                    return replace(obj, error=error, nonzero=None, nullable=obj.nullable)
                if name == "to_int":  # raises unless a finite whole number
                    whole = (e.is_finite() & (e == e.floor())).fill_null(True)
                    return replace(obj, error=_any(error, ~whole), nonzero=None)
                # No whole number lies between a float and its shortest decimal, so the
                # float's floor is the Decimal's (NaN and infinities pass through).
                value = e.floor() if name == "floor" else e.ceil()
                return replace(obj, expr=value, error=error, nonzero=None)
            if name == "is_nan":
                value = pl.lit(False) if obj.flavor == "int" else e.is_nan()
                return _V("bool", value, error=error, undecided=undecided, ctx=ctx,
                          nullable=maybe_null)  # fmt: skip
        if obj.kind == "dt" and e is not None:
            parts = {
                "year": e.dt.year(),
                "month": e.dt.month(),
                "day": e.dt.day(),
                "hour": e.dt.hour(),
                "minute": e.dt.minute(),
                "second": e.dt.second(),
                "microsecond": e.dt.microsecond(),
            }
            if name in parts:
                return _V("num", parts[name].cast(pl.Int64), flavor="int", error=error,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "date":
                return _V("dt", e.dt.truncate("1d"), error=error, undecided=undecided, ctx=ctx)
        if obj.kind == "td" and e is not None:
            micros = e.dt.total_microseconds()
            day = 86_400_000_000
            parts = {
                "days": micros // day,
                "seconds": (micros % day) // 1_000_000,
                "microseconds": micros % 1_000_000,
            }
            if name in parts:
                return _V("num", parts[name].cast(pl.Int64), flavor="int", error=error,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "total_seconds":
                value = micros.cast(_F64) / 1e6
                undecided = _any(undecided, micros.abs() > _INT_EXACT)
                return _V("num", value, flavor="float", error=error, undecided=undecided,
                          ctx=ctx, nullable=maybe_null)  # fmt: skip
        raise Untranslatable(f"the attribute .{name} of a {obj.kind}")

    def call(self, node: re_ast.FunctionCallExpression) -> _V:
        if (
            isinstance(node.function, re_ast.SymbolExpression)
            and node.function.scope == "built-in"
            and node.function.name in HELPERS
            and len(node.arguments) == 2
        ):
            return self.helper(node.function.name, node.arguments)
        function = self.visit(node.function)
        if function.kind != "method" or function.method is None or len(node.arguments) != 1:
            raise Untranslatable("a function call other than starts_with/ends_with on text")
        argument = self.visit(node.arguments[0])
        name, _safe = function.method
        ctx = _ctx(function.ctx, argument.ctx)
        error = _any(function.error, argument.error, argument.null_or_none())
        if function.is_const:  # the object was null: "not a callable value"
            return _V(
                "bool", pl.lit(False), error=_any(error, pl.lit(True)), ctx=ctx, nullable=False
            )
        if argument.kind not in ("str", "null"):
            raise Untranslatable(f"{name} with a {argument.kind}")  # pragma: no cover
        assert function.expr is not None
        error = _any(error, function.expr.is_null())
        if argument.kind == "null":
            return _V(
                "bool",
                pl.lit(False),
                error=error,
                undecided=function.undecided,
                ctx=ctx,
                nullable=False,
            )
        e = function.expr
        value = (
            e.str.starts_with(_lit(argument))
            if name == "starts_with"
            else (e.str.ends_with(_lit(argument)))
        )
        undecided = _any(function.undecided, argument.undecided)
        return _V(
            "bool",
            value.fill_null(False),
            error=error,
            undecided=undecided,
            ctx=ctx,
            nullable=False,
        )

    def helper(self, name: str, arguments: Any) -> _V:
        """``$any_starts_with``, ``$any_ends_with``, ``$intersects`` over a list or text
        field and a constant list (or, for ``$intersects``, two list fields)."""
        first, second = (self.visit(a) for a in arguments)
        error = _any(first.error, second.error)
        undecided = _any(first.undecided, second.undecided)
        ctx = _ctx(first.ctx, second.ctx)
        if name == "intersects" and first.is_const and not second.is_const:
            first, second = second, first
        if first.is_const or first.expr is None or first.ctx == "elem":
            raise Untranslatable(f"${name} on a {first.kind}")
        e = first.expr
        if name == "intersects" and not second.is_const:
            if first.kind != "list" or second.kind != "list" or second.ctx == "elem":
                raise Untranslatable(f"${name} of a {first.kind} and a {second.kind}")
            assert second.expr is not None
            value = e.list.set_intersection(second.expr).list.len() > 0
            return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)
        items = second.const
        if not second.is_const or not isinstance(items, tuple | set | frozenset):
            raise Untranslatable(f"${name} with a {second.kind}")
        texts = sorted({item for item in items if isinstance(item, str)})
        if name == "intersects":
            if first.kind != "list":
                raise Untranslatable(f"${name} of a {first.kind}")  # pragma: no cover
            wanted = pl.Series(texts, dtype=pl.String).implode()
            value = e.list.eval(pl.element().is_in(wanted)).list.any().fill_null(False)
            return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)
        alternatives = "|".join("".join(_char(ord(c)) for c in t) for t in texts)
        pattern = (
            rf"\A(?:{alternatives})" if name == "any_starts_with" else rf"(?:{alternatives})\z"
        )
        if not texts:
            found: pl.Expr = pl.lit(False)
        else:
            _check_compiles(pattern)
            if first.kind == "list":
                found = e.list.eval(pl.element().str.contains(pattern)).list.any()
            elif first.kind == "str":
                found = e.str.contains(pattern)
            else:
                raise Untranslatable(f"${name} on a {first.kind}")  # pragma: no cover
        if first.kind == "str":
            # A null text cannot be evaluated row-wise (argument #1 is null).
            error = _any(error, e.is_null())
        return _V("bool", found.fill_null(False), error=error, undecided=undecided, ctx=ctx,
                  nullable=False)  # fmt: skip

    def item(self, node: re_ast.GetItemExpression) -> _V:
        container = self.visit(node.container)
        index = self.visit(node.item)
        if not index.is_const:
            raise Untranslatable("an index that is not a constant")
        ctx = container.ctx
        if container.kind not in ("list", "str") or container.unique:
            raise Untranslatable(f"indexing a {container.kind}")
        assert container.expr is not None
        e = container.expr
        null = container.null_or_none()
        not_null = None if null is None else ~null
        error = _any(container.error, index.error, None if node.safe else null)
        value_index = index.const
        if not (isinstance(value_index, Decimal) and value_index.is_finite()
                and value_index == value_index.to_integral_value()):  # fmt: skip
            # rule-engine: "not an integer number" (after the null check)
            error = _any(error, pl.lit(True) if not_null is None else not_null)
            return _V("null", const=None, error=error, undecided=container.undecided)
        i = int(value_index)
        length = e.list.len() if container.kind == "list" else e.str.len_chars()
        inside = (length > i) if i >= 0 else (length >= -i)
        if container.kind == "list":
            value = e.list.get(i, null_on_oob=True)
        else:
            value = pl.when(inside).then(e.str.slice(i, 1)).otherwise(pl.lit(None))
        if not node.safe:
            outside = ~inside.fill_null(True)
            error = _any(error, outside if not_null is None else not_null & outside)
        return _V("str", value, error=error, undecided=container.undecided, ctx=ctx)

    def slice(self, node: re_ast.GetSliceExpression) -> _V:
        container = self.visit(node.container)
        start = self.visit(node.start)
        stop = self.visit(node.stop)
        if not (start.is_const and stop.is_const):
            raise Untranslatable("a slice with bounds that are not constants")
        if container.kind not in ("list", "str") or container.unique:
            raise Untranslatable(f"slicing a {container.kind}")
        assert container.expr is not None
        e = container.expr
        null = container.null_or_none()
        error = _any(container.error, start.error, stop.error, None if node.safe else null)
        bounds: list[int | None] = []
        for bound in (start.const, stop.const):
            if bound is None:
                bounds.append(None)
            elif (isinstance(bound, Decimal) and bound.is_finite()
                  and bound == bound.to_integral_value()):  # fmt: skip
                bounds.append(int(bound))
            else:
                not_null = pl.lit(True) if null is None else ~null
                return _V("null", const=None, error=_any(error, not_null))
        length = (e.list.len() if container.kind == "list" else e.str.len_chars()).cast(pl.Int64)

        def position(bound: int | None, default: pl.Expr) -> pl.Expr:
            if bound is None:
                return default
            if bound >= 0:
                return pl.min_horizontal(_int_lit(bound), length)
            return pl.max_horizontal(length + bound, _int_lit(0))

        begin = position(bounds[0], _int_lit(0))
        end = position(bounds[1], length)
        size = pl.max_horizontal(end - begin, _int_lit(0))
        value = e.list.slice(begin, size) if container.kind == "list" else e.str.slice(begin, size)
        return _V(
            container.kind, value, error=error, undecided=container.undecided, ctx=container.ctx
        )

    # -- comprehensions --

    def comprehension(self, node: re_ast.ComprehensionExpression) -> _V:
        iterable = self.visit(node.iterable)
        if iterable.is_const:
            return self._unrolled(node, iterable)
        if iterable.kind != "list" or iterable.unique:
            raise Untranslatable(f"a comprehension over a {iterable.kind}")
        if iterable.ctx == "elem":  # pragma: no cover - lists are row columns
            raise Untranslatable("a nested comprehension over a list field")
        assert iterable.expr is not None
        element = _V("str", pl.element(), ctx="elem", nullable=False)
        self.scopes.append({node.variable: element})
        try:
            masks = self._element_masks(node)
        finally:
            self.scopes.pop()
        keep, error, undecided = masks
        e = iterable.expr
        if keep is None:
            count, nonzero = e.list.len(), e.list.len() > 0
        else:
            count = e.list.eval(keep.cast(pl.Int64)).list.sum()
            nonzero = e.list.eval(keep).list.any()
        error = _any(iterable.error, None if error is None else e.list.eval(error).list.any())
        undecided = _any(
            iterable.undecided, None if undecided is None else e.list.eval(undecided).list.any()
        )
        return _V("listish", count.cast(pl.Int64), error=error, undecided=undecided, ctx="row",
                  nonzero=nonzero)  # fmt: skip

    def _element_masks(
        self, node: re_ast.ComprehensionExpression
    ) -> tuple[pl.Expr | None, pl.Expr | None, pl.Expr | None]:
        """For one element: kept (None: always), error, undecided — expressions in the
        context of a list element (or literals)."""
        keep: pl.Expr | None = None
        error: pl.Expr | None = None
        undecided: pl.Expr | None = None
        if node.condition is not None:
            condition = self.visit(node.condition)
            if condition.ctx == "row":
                raise Untranslatable(
                    "a comprehension over a list field whose condition also reads other fields"
                )
            t, tu = self.truthy(condition)
            keep = t
            error = condition.error
            undecided = _any(condition.undecided, tu)
        if not _is_variable(node.result, node.variable):
            result = self.visit(node.result)
            if result.ctx == "row":
                raise Untranslatable(
                    "a comprehension over a list field whose result reads other fields"
                )
            error = _any(error, result.error if keep is None else _both(keep, result.error))
            undecided = _any(undecided, result.undecided)
        if error is not None and keep is not None:
            # An element whose condition raised is not "kept", whatever the value says.
            keep = keep & ~error
        return keep, error, undecided

    def _unrolled(self, node: re_ast.ComprehensionExpression, iterable: _V) -> _V:
        items = iterable.const
        if not isinstance(items, tuple | set | frozenset | str):
            raise Untranslatable(f"a comprehension over a constant {type(items).__name__}")
        counts: list[pl.Expr] = []
        fixed = 0
        errors: list[pl.Expr | None] = [iterable.error]
        undecided: list[pl.Expr | None] = [iterable.undecided]
        contexts: list[str | None] = []
        for item in items:
            self.scopes.append({node.variable: _const(item)})
            try:
                keep: pl.Expr | None = None
                if node.condition is not None:
                    condition = self.visit(node.condition)
                    contexts.append(condition.ctx)
                    if condition.is_const and condition.error is None:
                        if not condition.const:
                            continue
                    else:
                        t, tu = self.truthy(condition)
                        keep = t
                        errors.append(condition.error)
                        undecided.extend([condition.undecided, tu])
                if not _is_variable(node.result, node.variable):
                    result = self.visit(node.result)
                    contexts.append(result.ctx)
                    errors.append(result.error if keep is None else _both(keep, result.error))
                    undecided.append(result.undecided)
                if keep is None:
                    fixed += 1
                else:
                    counts.append(keep.cast(pl.Int64))
            finally:
                self.scopes.pop()
        ctx = _ctx(*contexts)
        error = _any(*errors)
        count: pl.Expr = _int_lit(fixed)
        nonzero: pl.Expr = pl.lit(fixed > 0)
        if counts:
            count = pl.sum_horizontal(counts) + fixed if len(counts) > 1 else counts[0] + fixed
            if not fixed:
                nonzero = reduce(operator.or_, [c > 0 for c in counts])
        result = _V("listish", count, error=error, undecided=_any(*undecided), ctx=ctx,
                    nonzero=nonzero)  # fmt: skip
        fused = self._fused(node, items) if counts and not fixed else None
        if fused is not None:
            # The same masks, from one regex instead of one per item.
            nonzero, error, undecided_ = fused
            result = replace(result, nonzero=nonzero, error=_any(iterable.error, error),
                             undecided=_any(iterable.undecided, undecided_))  # fmt: skip
        return result

    def _fused(
        self, node: re_ast.ComprehensionExpression, items: Any
    ) -> tuple[pl.Expr, pl.Expr | None, pl.Expr | None] | None:
        """For ``[v for v in CONSTANTS if SUBJECT =~~ f(v)]`` (also ``=~``, and
        ``SUBJECT.starts_with(f(v))``/``ends_with``): whether any item is kept, as one
        regex over SUBJECT, with its error and undecided masks; None when not of that
        form."""
        condition = node.condition
        if not _is_variable(node.result, node.variable) or not items:
            return None
        if isinstance(condition, re_ast.FuzzyComparisonExpression) and condition.type in (
            "eq_fzs",
            "eq_fzm",
        ):
            subject_node, pattern_node = condition.left, condition.right
            kind = "regex"
        elif (
            isinstance(condition, re_ast.FunctionCallExpression)
            and isinstance(condition.function, re_ast.GetAttributeExpression)
            and condition.function.name in ("starts_with", "ends_with")
            and len(condition.arguments) == 1
        ):
            subject_node, pattern_node = condition.function.object, condition.arguments[0]
            kind = condition.function.name
        else:
            return None
        if any(_is_variable(n, node.variable) for n in walk(subject_node)):
            return None
        patterns = []
        for item in items:
            self.scopes.append({node.variable: _const(item)})
            try:
                pattern = self.visit(pattern_node)
            finally:
                self.scopes.pop()
            if not pattern.is_const or pattern.error is not None:
                return None
            if not isinstance(pattern.const, str):
                return None
            patterns.append(pattern.const)
        subject = self.visit(subject_node)
        if subject.kind != "str" or subject.is_const:
            return None
        assert subject.expr is not None
        e = subject.expr
        if kind == "regex":
            anchored = condition.type == "eq_fzm"
            try:
                rust = [rust_pattern(p, anchored=anchored) for p in patterns]
            except (RegexRefused, UnsupportedRegex):
                return None
            combined = "|".join(f"(?:{r.pattern})" for r in rust)
            if not _compiles(combined):
                return None
            undecided = subject.undecided
            found = e.str.contains(combined)
            if any(r.guard for r in rust):
                exact_match = _Re2Regex(tuple(patterns), anchored)
                exact = self._exact_regex(e, found, exact_match) if subject.ctx == "row" else None
                if exact is None:
                    undecided = _any(undecided, _unsafe_text(e))
                else:
                    found = exact
            return found.fill_null(False), subject.error, undecided
        alternatives = "|".join("".join(_char(ord(c)) for c in p) for p in patterns)
        combined = rf"\A(?:{alternatives})" if kind == "starts_with" else rf"(?:{alternatives})\z"
        if not _compiles(combined):
            return None
        error = _any(subject.error, subject.null_or_none())
        return e.str.contains(combined).fill_null(False), error, subject.undecided


@dataclass(frozen=True)
class _Re2Regex:
    """Whether RE2 finds any of ``patterns`` in a text (``match`` when ``anchored``, else
    ``search``), as the row-wise engine does."""

    patterns: tuple[str, ...]
    anchored: bool

    def __call__(self, text: str) -> bool:
        for pattern in self.patterns:
            regex = compile_regex(pattern)
            if (regex.match(text) if self.anchored else regex.search(text)) is not None:
                return True
        return False


def _is_variable(node: Any, name: str) -> bool:
    return isinstance(node, re_ast.SymbolExpression) and node.scope is None and node.name == name


def _fits(value: Decimal, flavor: str) -> bool:
    if not value.is_finite():
        return False
    if flavor == "int":
        return value == value.to_integral_value() and abs(value) < 2**62
    if flavor == "float":
        return math.isfinite(float(value)) and _gap(float(value), value) == 0
    return abs(value) < _DEC_LIMIT and value == value.quantize(
        _QUANTUM, context=decimal.Context(prec=100)
    )


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


@cache
def _compiles(pattern: str) -> bool:
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except Exception:
        return False
    return True


def _check_compiles(pattern: str) -> None:
    if not _compiles(pattern):
        raise Untranslatable(f"the regex does not compile for Polars: {pattern!r}")


_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%",
              "pow": "**"}  # fmt: skip


_DISPATCH: tuple[tuple[type, Callable[[_Translator, Any], _V]], ...] = (
    (re_ast.SymbolExpression, _Translator.symbol),
    (re_ast.UnaryExpression, _Translator.unary),
    (re_ast.LogicExpression, _Translator.logic),
    (re_ast.FuzzyComparisonExpression, _Translator.fuzzy),
    (re_ast.ArithmeticComparisonExpression, _Translator.ordered),
    (re_ast.ComparisonExpression, _Translator.comparison),
    (re_ast.ContainsExpression, _Translator.contains),
    (re_ast.AddExpression, _Translator.arithmetic),
    (re_ast.SubtractExpression, _Translator.arithmetic),
    (re_ast.ArithmeticExpression, _Translator.arithmetic),
    (re_ast.CoalesceExpression, _Translator.coalesce),
    (re_ast.TernaryExpression, _Translator.ternary),
    (re_ast.GetAttributeExpression, _Translator.attribute),
    (re_ast.FunctionCallExpression, _Translator.call),
    (re_ast.GetItemExpression, _Translator.item),
    (re_ast.GetSliceExpression, _Translator.slice),
    (re_ast.ComprehensionExpression, _Translator.comprehension),
)


def translate(
    condition: Condition, lists: Mapping[str, frozenset[Any]], as_of: dt.datetime
) -> Translation:
    """``condition`` as Polars expressions over the shipment frame, or the reason why not.

    ``lists`` are the watch lists the condition was compiled with (its profile's
    ``lists``); the values used are the compiled ones, so that both engines read the
    same, and a list given here with other values is refused (ValueError). ``as_of`` is
    the evaluation time (``$now``, ``$today``), as for the row-wise engine.
    """
    return _cached(condition, lists, as_of, shared=False)[0]


def shared_translation(
    condition: Condition, lists: Mapping[str, frozenset[Any]], as_of: dt.datetime
) -> tuple[Translation, Mapping[str, Part]]:
    """As :func:`translate`, with sub-expressions over one text or list column written
    as columns of their own (:class:`Part`, by column name): the expressions read the
    frame with those columns added. Equal sub-expressions of different conditions get
    the same name."""
    return _cached(condition, lists, as_of, shared=True)


def _cached(
    condition: Condition, lists: Mapping[str, frozenset[Any]], as_of: dt.datetime, shared: bool
) -> tuple[Translation, Mapping[str, Part]]:
    builtins = condition.rule.context.builtins
    for name in condition.lists:
        if name in lists and frozenset(builtins[name]) != frozenset(lists[name]):
            raise ValueError(
                f"${name}: the values given differ from those {condition.expression!r} "
                "was compiled with"
            )
    utc = as_of.astimezone(dt.UTC) if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
    # Only what the condition reads of the evaluation time keys the translation: most
    # read none, and then every date (and every now()) shares one translation.
    key = (condition.time_key(utc), shared)
    with _TRANSLATIONS_LOCK:
        known = _TRANSLATIONS.get(condition.rule)
        found = known.get(key) if known is not None else None
    if found is not None:
        return found
    parts: dict[str, Part] | None = {} if shared else None
    translation = _translate(condition, utc, parts)
    used: set[str] = set()
    for e in (translation.hit, translation.error, translation.undecided):
        used.update(e.meta.root_names() if e is not None else ())
    found = (translation, {name: part for name, part in (parts or {}).items() if name in used})
    with _TRANSLATIONS_LOCK:
        known = _TRANSLATIONS.setdefault(condition.rule, {})
        if len(known) >= 8:  # a few evaluation times per rule are plenty
            known.clear()
        known[key] = found
    return found


# Translations by compiled rule, what the condition reads of the evaluation time
# (Condition.time_key) and sharing: scoring batch after batch, date after date, with
# the same profiles translates each condition once. Weak keys: a rule no longer loaded
# goes. The lock makes looking up and storing one step for threads scoring at once.
_TRANSLATIONS: weakref.WeakKeyDictionary[
    rule_engine.Rule, dict[tuple[tuple[Any, ...], bool], tuple[Translation, Mapping[str, Part]]]
] = weakref.WeakKeyDictionary()
_TRANSLATIONS_LOCK = threading.Lock()


def _translate(
    condition: Condition, as_of: dt.datetime, parts: dict[str, Part] | None = None
) -> Translation:
    translator = _Translator(condition, as_of, parts)
    try:
        result = translator.visit(condition.rule.statement.expression)
        if result.ctx == "elem":  # pragma: no cover - elements never escape
            raise Untranslatable("a list element outside its comprehension")
        truth, truth_undecided = translator.truthy(result)
    except Untranslatable as exc:
        return Translation(condition.expression, None, None, str(exc))
    error = result.error if result.error is not None else pl.lit(False)
    hit = (truth & ~error).fill_null(False)
    undecided = _any(result.undecided, truth_undecided)
    return Translation(
        condition.expression,
        hit,
        error.fill_null(False),
        None,
        None if undecided is None else undecided.fill_null(True),
    )
