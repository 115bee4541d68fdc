"""What the translator works with: :class:`Part` (a shared sub-expression), the reason a
condition cannot be translated (:class:`Untranslatable`), the Polars types and the
field catalogue as kinds, :class:`_V` (a translated sub-expression: its kind, expression,
error and undecided masks, or a constant) and small helpers on them (combining masks,
literals, text the Rust regex engine could read otherwise, RE2 in Python for such text).
"""

from __future__ import annotations

import datetime as dt
import operator
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, reduce
from typing import Any

import polars as pl
from rule_engine import ast as re_ast

from riskprofile.engines._translating import KIND_OF_TYPE
from riskprofile.engines._translating import Untranslatable as Untranslatable
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles.shared import compile_regex

__all__ = ["Part"]


@dataclass(frozen=True)
class Part:
    """A sub-expression over one text or list column that translations share.

    :func:`shared_translation` writes such sub-expressions (a regex match, a
    comprehension over a list field, a membership test, with their error and undecided
    masks) as a column of their own, named by a digest of the expression, so that every
    condition using one evaluates it once, and on the column's distinct values only if
    they are few (see :mod:`._masks`).

    Attributes:
        column: the frame column the expression reads (and only that one); empty
            for a part reading several columns (a comprehension over a list field
            whose body reads other fields, :mod:`._exploded`): evaluated on every row.
        expr: the expression, row by row over ``column``.
        cost: an estimate of what evaluating it on every row costs, in regexes over a
            text column (a comprehension over a list about 0.4, a regex inside it 1
            more; anything else half a regex on text, 0.2 on a list), against which
            evaluating it on the column's distinct values is weighed.
    """

    column: str
    expr: pl.Expr
    cost: float


_NO = object()


_F64 = pl.Float64


_DEC = pl.Decimal(38, 18)


_DT = pl.Datetime("us", "UTC")


_TD = pl.Duration("us")


# Relative error allowed per arithmetic step: float rounding (2**-53) and rule-engine's
# 28-digit Decimal rounding, with a wide margin.
_U = 2.0**-48


@cache
def _nullable() -> dict[str, bool]:
    return {spec.name: spec.nullable for spec in field_catalogue()}


@cache
def _fields() -> dict[str, tuple[str, str | None]]:
    return {spec.name: KIND_OF_TYPE[spec.type] for spec in field_catalogue()}


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


def _compiles(pattern: str) -> bool:
    known = _COMPILES.get(pattern)
    if known is None:
        assumed = getattr(_ASSUMING, "patterns", None)
        if assumed is not None:
            assumed.append(pattern)
            return True
        try:
            pl.select(pl.lit("").str.contains(pattern))
        except Exception:
            known = False
        else:
            known = True
        _COMPILES[pattern] = known
    return known


@contextmanager
def _assuming_compiles() -> Iterator[list[str]]:
    """Within: a pattern not yet checked is taken to compile and added to the list
    yielded, to be checked later all at once (:func:`_compiles_ahead`); a translation
    made so holds only if they all do. For this thread only."""
    patterns: list[str] = []
    _ASSUMING.patterns = patterns
    try:
        yield patterns
    finally:
        _ASSUMING.patterns = None


def _compiles_ahead(patterns: Iterable[str]) -> None:
    """Whether each of ``patterns`` compiles for Polars, found in one query (a small
    Polars query costs about as much for one pattern as for a hundred) and kept for
    :func:`_compiles`. When one does not compile, each is tried on its own."""
    new = [p for p in dict.fromkeys(patterns) if p not in _COMPILES]
    if not new:
        return
    try:
        pl.select(*(pl.lit("").str.contains(p).alias(str(i)) for i, p in enumerate(new)))
    except Exception:
        for pattern in new:
            _compiles(pattern)
    else:
        _COMPILES.update(dict.fromkeys(new, True))


# Whether a pattern compiles for Polars, by pattern (patterns are few and small).
_COMPILES: dict[str, bool] = {}
_ASSUMING = threading.local()


def _check_compiles(pattern: str) -> None:
    if not _compiles(pattern):
        raise Untranslatable(f"the regex does not compile for Polars: {pattern!r}")


_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%",
              "pow": "**"}  # fmt: skip
