"""The translator's base: the condition and evaluation time it translates for, the
comprehension variables in scope, constant sub-expressions evaluated by rule-engine itself
(so they mean exactly what they mean row-wise), sub-expressions shared as parts, fields
and Python truthiness. The operators, attribute access and comprehensions are mixins on
it (:mod:`._operators`, :mod:`._access`, :mod:`._comprehensions`); the translator that
dispatches on the node type is :class:`riskprofile.engines.columnar._translate._Translator`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

import polars as pl
import rule_engine
from rule_engine import ast as re_ast

from riskprofile.engines._translating import ConstantFolding
from riskprofile.engines.columnar._translate._numbers import _exact_zero
from riskprofile.engines.columnar._translate._values import (
    _TD,
    _V,
    Part,
    Untranslatable,
    _const,
    _fields,
    _nullable,
)
from riskprofile.profiles.shared import Condition


class _Base(ConstantFolding[_V], ABC):
    """What every part of the translator uses; :meth:`visit` is the translator's dispatch."""

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
        # How many comprehensions evaluated on an exploded list enclose the node visited.
        self.nesting = 0

    # -- constants --

    def _constant(self, node: Any) -> _V:
        with self._evaluating():
            try:
                value = node.evaluate(None)
            except rule_engine.EngineError:
                return _V("null", const=None, error=pl.lit(True))
            except Exception as exc:  # row-wise would crash the same way
                raise Untranslatable(f"a constant that cannot be evaluated ({exc})") from exc
        return _const(value)

    @abstractmethod
    def visit(self, node: Any) -> _V:
        """``node`` translated (the translator dispatches on its type)."""

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
        if node.name not in _fields():  # a custom field (x_<name>): the row-wise engine's
            raise Untranslatable(f"the custom field {node.name}")
        kind, flavor = _fields()[node.name]
        return _V(
            kind, pl.col(node.name), flavor=flavor, ctx="row", nullable=_nullable()[node.name]
        )

    # -- truthiness --

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
