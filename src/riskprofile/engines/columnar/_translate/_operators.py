"""Operators with rule-engine's meaning: ``not``, unary minus, ``and``/``or`` (short-circuit
errors), equality and ordering (null is a value; ordering a null raises), regex matches
(RE2's meaning, see :mod:`riskprofile.engines.columnar._regex`), ``in``, arithmetic (see
:mod:`._numbers`), ``??`` and the ternary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

import polars as pl
from rule_engine import ast as re_ast

from riskprofile.engines._translating import fits
from riskprofile.engines.columnar._regex import UnsupportedRegex, rust_pattern
from riskprofile.engines.columnar._translate._base import _Base
from riskprofile.engines.columnar._translate._numbers import (
    _COMPARE,
    _approx,
    _arithmetic,
    _compare_const,
    _compare_numbers,
    _exact_zero,
    _int_const,
    _int_lit,
    _num_expr,
)
from riskprofile.engines.columnar._translate._values import (
    _F64,
    _OPERATORS,
    _V,
    Part,
    Untranslatable,
    _any,
    _both,
    _check_compiles,
    _const,
    _ctx,
    _fields,
    _lit,
    _Re2Regex,
    _unsafe_text,
)
from riskprofile.profiles.shared import RegexRefused


class _Operators(_Base):
    """The operators' translations (a mixin of the translator)."""

    # -- not, unary minus, and/or --

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
                if getattr(items, "screen", None) is not None:  # a list matched by trader
                    value = value | _screened(node.member.name, items)
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
        if flavor in ("int", "float", "dec") and all(fits(c.const, flavor) for c in consts):
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


def _screened(name_field: str, values: Any) -> pl.Expr:
    """Whether each row's party of ``name_field`` (``consignee_name``) is an entry of the
    trader list ``values`` (:class:`~riskprofile.lists._screening.ScreenedValues`), as
    the row-wise engine's containment decides it: the rows' distinct parties are
    matched once each (:func:`~riskprofile.lists._screening.screen_mask`)."""
    from riskprofile.lists.shared import party_fields, screen_mask

    fields = party_fields(name_field[: -len("_name")])
    present = [f for f in fields if f is not None]

    def mask(parties: pl.Series) -> pl.Series:
        columns = {f: parties.struct.field(f) for f in present}
        return screen_mask(values, [columns[f] if f is not None else None for f in fields])

    return pl.struct(present).map_batches(mask, return_dtype=pl.Boolean)
