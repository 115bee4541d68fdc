"""Reading into a value: attributes (``.as_lower``, ``.length``, ``.date``, ...), items
and slices of text and lists, and function calls (the helper functions of
:data:`riskprofile.profiles._builtins.HELPERS` and rule-engine's own).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl
from rule_engine import ast as re_ast

from riskprofile.engines._translating import INT_EXACT, helper_operands, helper_texts
from riskprofile.engines.columnar._regex import _char
from riskprofile.engines.columnar._translate._base import _Base
from riskprofile.engines.columnar._translate._numbers import _int_lit
from riskprofile.engines.columnar._translate._values import (
    _F64,
    _V,
    Untranslatable,
    _any,
    _check_compiles,
    _ctx,
    _lit,
)
from riskprofile.profiles.shared import HELPERS


class _Access(_Base):
    """Attribute, item, slice and call translations (a mixin of the translator)."""

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
                undecided = _any(undecided, micros.abs() > INT_EXACT)
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
        first, second = helper_operands(name, first, second)
        e = first.expr
        assert e is not None  # helper_operands refuses a field without one
        if name == "intersects" and not second.is_const:
            assert second.expr is not None
            value = e.list.set_intersection(second.expr).list.len() > 0
            return _V("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)
        texts = helper_texts(name, second)
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
