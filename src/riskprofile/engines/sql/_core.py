"""The SQL translator's core: constants, fields, truthiness, the operators (``not``,
``and``/``or``, equality, ordering, regexes, ``in``, ``??``, the ternary). Attribute
access, items, slices, calls and comprehensions are in :mod:`._access`; the dispatch and
:func:`~riskprofile.engines.sql._translate.translate` in :mod:`._translate`.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import replace
from decimal import Decimal
from typing import Any

import rule_engine
from rule_engine import ast as re_ast
from sqlglot import exp

from riskprofile.engines._translating import KIND_OF_TYPE, ConstantFolding, fits
from riskprofile.engines.sql import _numbers as num
from riskprofile.engines.sql._dialects import Dialect, lit
from riskprofile.engines.sql._regex import SAFE_CLASS, UnsupportedRegex, sql_pattern
from riskprofile.engines.sql._values import (
    _Q,
    FALSE,
    TRUE,
    Untranslatable,
    and_,
    any_,
    boolean,
    both,
    ctx_of,
    custom_field_type,
    field_kinds,
    is_null,
    nn,
    not_,
    or_,
    when,
)
from riskprofile.model.shared import is_extra_field
from riskprofile.profiles.shared import Condition, RegexRefused


def _is_variable(node: Any, name: str) -> bool:
    return isinstance(node, re_ast.SymbolExpression) and node.scope is None and node.name == name


def _const(value: Any) -> _Q:
    if value is None:
        return _Q("null", const=None)
    if isinstance(value, bool):
        return _Q("bool", const=value)
    if isinstance(value, Decimal):
        return _Q("num", const=value)
    if isinstance(value, str):
        return _Q("str", const=value)
    if isinstance(value, dt.datetime):
        return _Q("dt", const=value)
    return _Q("const", const=value)


def _timestamp(value: dt.datetime) -> exp.Expression:
    utc = value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return exp.cast(exp.Literal.string(utc.isoformat(sep=" ")), "TIMESTAMPTZ")


class _Core(ConstantFolding[_Q], ABC):
    """One condition's translation for one dialect: what every part uses."""

    def __init__(self, condition: Condition, as_of: dt.datetime, dialect: Dialect) -> None:
        self.condition = condition
        self.context = condition.rule.context
        self.as_of = as_of.astimezone(dt.UTC) if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
        self.d = dialect
        self.scopes: list[dict[str, _Q]] = []
        self.list_fields: set[str] = set()

    # -- dispatch and constants --

    @abstractmethod
    def visit(self, node: Any) -> _Q:
        """``node`` translated (the translator dispatches on its type)."""

    def _constant(self, node: Any) -> _Q:
        with self._evaluating():
            try:
                value = node.evaluate(None)
            except rule_engine.EngineError:
                return _Q("null", const=None, error=TRUE)
            except Exception as exc:  # row-wise would crash the same way
                raise Untranslatable(f"a constant that cannot be evaluated ({exc})") from exc
        if isinstance(value, dt.timedelta):
            raise Untranslatable("a duration")
        return _const(value)

    def lit_of(self, v: _Q) -> exp.Expression:
        """The value of ``v`` as SQL (constants become literals)."""
        if not v.is_const:
            assert v.expr is not None
            return v.expr
        value = v.const
        if value is None:
            return exp.Null()
        if isinstance(value, bool):
            return boolean(value)
        if isinstance(value, str):
            return lit(value)
        if isinstance(value, dt.datetime):
            return _timestamp(value)
        raise Untranslatable(f"a constant {type(value).__name__} used as a column value")

    def symbol(self, node: re_ast.SymbolExpression) -> _Q:
        bound = self._lookup(node.name) if node.scope is None else None
        if bound is not None:
            return bound
        if node.scope is not None:  # pragma: no cover - built-ins are constants
            raise Untranslatable(f"the built-in ${node.name}")
        known = field_kinds().get(node.name)
        if known is not None:
            kind, flavor, nullable = known
        else:  # a custom field (x_<name>): a column of its declared type, maybe null
            custom = custom_field_type(node.result_type) if is_extra_field(node.name) else None
            if custom is None:
                raise Untranslatable(f"the field {node.name}")
            (kind, flavor), nullable = KIND_OF_TYPE[custom], True
        if kind == "list":
            self.list_fields.add(node.name)
        return _Q(kind, exp.column(node.name), flavor=flavor, ctx="row", nullable=nullable)

    # -- truthiness --

    def truthy(self, v: _Q) -> tuple[exp.Expression, exp.Expression | None]:
        """Python truthiness of ``v`` (never NULL) and where it cannot be decided."""
        if v.is_const:
            return boolean(bool(v.const)), None
        e = v.expr
        assert e is not None
        if v.kind == "listish":
            assert v.nonzero is not None
            return v.nonzero, None
        if v.kind == "bool":
            return nn(e), None
        if v.kind == "str":
            return nn(exp.NEQ(this=e, expression=lit(""))), None
        if v.kind == "list":
            return exp.GT(this=self.d.list_length(e), expression=lit(0)), None
        if v.kind == "dt":
            return not_(is_null(e)), None
        if v.kind == "num":
            zero, undecided = num.exact_zero(self.d, v)
            return nn(not_(zero)), undecided
        raise Untranslatable(f"the truth of a {v.kind}")

    # -- not, and/or --

    def unary(self, node: re_ast.UnaryExpression) -> _Q:
        if node.type == "uminus":
            return self._negated(self.visit(node.right))
        if node.type != "not":  # pragma: no cover - rule-engine has no other
            raise Untranslatable(f"the operator {node.type}")
        right = self.visit(node.right)
        t, undecided = self.truthy(right)
        undecided = any_(right.undecided, undecided)
        return _Q("bool", not_(t), error=right.error, undecided=undecided, ctx=right.ctx,
                  nullable=False)  # fmt: skip

    def logic(self, node: re_ast.LogicExpression) -> _Q:
        left = self.visit(node.left)
        right = self.visit(node.right)
        tl, ul = self.truthy(left)
        tr, ur = self.truthy(right)
        ctx = ctx_of(left.ctx, right.ctx)
        not_el = not_(left.error) if left.error is not None else TRUE
        # The right side is evaluated only where the left does not decide.
        reached = and_(not_el, tl if node.type == "and" else not_(tl))
        error = any_(left.error, both(reached, right.error))
        undecided = any_(left.undecided, ul, both(reached, any_(right.undecided, ur)))
        value = and_(tl, tr) if node.type == "and" else or_(tl, tr)
        return _Q("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    # -- comparisons --

    def equal(self, a: _Q, b: _Q) -> tuple[exp.Expression, exp.Expression | None]:
        """rule-engine ``==`` (never NULL): different types are unequal, None == None."""
        na, nb = a.null_or_none(), b.null_or_none()
        both_null = both(na, nb)
        if {a.kind, b.kind} == {"list", "const"}:
            column, constant = (a, b) if a.kind == "list" else (b, a)
            if column.unique or not isinstance(constant.const, tuple):
                raise Untranslatable("comparing a list with a set")
            items = constant.const
            if not all(isinstance(item, str) for item in items):
                return FALSE, None
            assert column.expr is not None
            eq: exp.Expression = exp.EQ(
                this=self.d.list_length(column.expr), expression=lit(len(items))
            )
            for index, item in enumerate(items):
                eq = and_(eq, nn(exp.EQ(this=self.d.list_get(column.expr, index),
                                        expression=lit(item))))  # fmt: skip
            return eq, None
        if a.kind == "null" or b.kind == "null":
            return (both_null or FALSE), None
        if a.kind != b.kind:
            if {a.kind, b.kind} & {"list", "listish", "const", "method"}:
                raise Untranslatable(f"'==' between {a.kind} and {b.kind}")
            return (both_null or FALSE), None
        if a.kind in ("str", "bool", "dt"):
            same = nn(exp.EQ(this=self.lit_of(a), expression=self.lit_of(b)))
            return any_(same, both_null) or FALSE, None
        if a.kind == "num":
            cmp, undecided = num.compare_numbers(self.d, "eq", a, b)
            some_null = any_(na, nb)
            if some_null is None:
                return nn(cmp), undecided
            return when(some_null, both_null or FALSE, nn(cmp)), both(not_(some_null), undecided)
        raise Untranslatable(f"'==' between {a.kind} and {b.kind}")

    def comparison(self, node: re_ast.ComparisonExpression) -> _Q:
        left = self.visit(node.left)
        right = self.visit(node.right)
        ctx = ctx_of(left.ctx, right.ctx)
        eq, undecided = self.equal(left, right)
        return _Q("bool", eq if node.type == "eq" else not_(eq),
                  error=any_(left.error, right.error),
                  undecided=any_(left.undecided, right.undecided, undecided),
                  ctx=ctx, nullable=False)  # fmt: skip

    def ordered(self, node: re_ast.ArithmeticComparisonExpression) -> _Q:
        op = node.type
        left = self.visit(node.left)
        right = self.visit(node.right)
        ctx = ctx_of(left.ctx, right.ctx)
        ln, rn = left.null_or_none(), right.null_or_none()
        both_null = both(ln, rn)
        # Ordering a null against a value raises; two nulls are equal.
        if ln is None:
            one_null = rn
        elif rn is None:
            one_null = ln
        else:
            one_null = or_(and_(ln, not_(rn)), and_(rn, not_(ln)))
        undecided = any_(left.undecided, right.undecided)
        equal_nulls = boolean(op in ("ge", "le"))
        if left.kind == "null" or right.kind == "null":
            value: exp.Expression = equal_nulls
            type_error = one_null
        elif left.kind != right.kind:
            value = FALSE
            type_error = TRUE if both_null is None else not_(both_null)
        elif left.kind in ("num", "str", "dt", "bool"):
            if left.kind == "num":
                cmp, cmp_undecided = num.compare_numbers(self.d, op, left, right)
                some_null = any_(ln, rn)
                undecided = any_(
                    undecided, cmp_undecided if some_null is None
                    else both(not_(some_null), cmp_undecided),
                )  # fmt: skip
            else:
                a, b = self.lit_of(left), self.lit_of(right)
                if left.kind == "str":
                    a, b = self.d.text_order(a), self.d.text_order(b)
                cmp = num.COMPARE[op](a, b)
            value = nn(cmp) if both_null is None else when(both_null, equal_nulls, nn(cmp))
            type_error = one_null
        else:
            raise Untranslatable(f"ordering {left.kind} values")
        error = any_(left.error, right.error, type_error)
        return _Q("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    # -- regexes --

    def _pattern(self, pattern: str, anchored: bool) -> tuple[str, bool] | None:
        """``pattern`` for the dialect and whether it is guarded; None when RE2 refuses it."""
        try:
            written = sql_pattern(pattern, self.d.name, anchored=anchored)
        except RegexRefused:
            return None
        except UnsupportedRegex as exc:
            raise Untranslatable(f"the regex {pattern!r}: {exc}") from None
        return written.pattern, written.guard

    def _unsafe(self, e: exp.Expression) -> exp.Expression:
        return nn(self.d.regex_search(e, SAFE_CLASS))

    def fuzzy(self, node: re_ast.FuzzyComparisonExpression) -> _Q:
        left = self.visit(node.left)
        right = self.visit(node.right)
        if not right.is_const:
            raise Untranslatable("a regex that is not a constant")
        negated = node.type.startswith("ne")
        ctx = ctx_of(left.ctx)
        if left.kind not in ("str", "null"):  # pragma: no cover - refused at compile time
            raise Untranslatable(f"a regex on a {left.kind}")
        pattern = right.const
        error = any_(left.error, right.error)
        if pattern is None:  # rule-engine: not modifier(left, None)
            value = not_(left.null()) if negated else left.null()
            return _Q("bool", value, error=error, undecided=left.undecided, ctx=ctx,
                      nullable=False)  # fmt: skip
        if not isinstance(pattern, str):  # pragma: no cover
            raise Untranslatable("a regex that is not text")
        written = self._pattern(pattern, node.type.endswith("fzm"))
        if written is None:  # rule-engine raises RegexSyntaxError on every evaluation
            return _Q("bool", FALSE, error=TRUE, ctx=ctx, nullable=False)
        if left.is_const:  # null
            return _Q("bool", boolean(negated), error=error, undecided=left.undecided, ctx=ctx,
                      nullable=False)  # fmt: skip
        assert left.expr is not None
        found = self.d.regex_search(left.expr, written[0])
        undecided = any_(left.undecided, self._unsafe(left.expr) if written[1] else None)
        value = when(is_null(left.expr), boolean(negated), not_(found) if negated else found)
        return _Q("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    # -- containment --

    def contains(self, node: re_ast.ContainsExpression) -> _Q:
        container = self.visit(node.container)
        member = self.visit(node.member)
        ctx = ctx_of(container.ctx, member.ctx)
        error = any_(container.error, member.error)
        undecided = any_(container.undecided, member.undecided)
        if container.is_const:
            items = container.const
            if items is None:
                raise Untranslatable("'in' on a null")
            if getattr(items, "screen", None) is not None:
                # Parties are matched to it by trader identity, in Python (the columnar
                # engine's masks, which the fallback runs).
                raise Untranslatable("a watch list matched by trader (match: trader)")
            if isinstance(items, str):  # a substring of a constant text
                if member.kind != "str":
                    return _Q("bool", FALSE, error=TRUE, ctx=ctx, nullable=False)
                error = any_(error, member.null_or_none())
                value = nn(self.d.contains_text(lit(items), self.lit_of(member)))
            else:
                value, in_undecided = self._in_constant(member, items)
                undecided = any_(undecided, in_undecided)
        elif container.kind == "list":
            assert container.expr is not None
            if member.kind == "str":
                value = nn(self.d.list_contains(container.expr, self.lit_of(member)))
            else:  # only strings are in a list field; None is never one of them
                value = FALSE
        elif container.kind == "str":
            assert container.expr is not None
            # `x in null` raises TypeError row-wise (a crash, not a rule error): those
            # rows go to the row-wise engine, so that it happens the same way.
            undecided = any_(undecided, is_null(container.expr))
            if member.kind != "str":
                error = any_(error, not_(is_null(container.expr)))
                value = FALSE
            else:
                error = any_(error, member.null_or_none())
                value = nn(self.d.contains_text(container.expr, self.lit_of(member)))
        else:
            raise Untranslatable(f"'in' on a {container.kind}")
        return _Q("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)

    def _in_constant(self, member: _Q, items: Any) -> tuple[exp.Expression, exp.Expression | None]:
        if not isinstance(items, tuple | set | frozenset):
            raise Untranslatable(f"'in' on a constant {type(items).__name__}")
        has_none = any(item is None for item in items)
        null = member.null_or_none()

        def unless_null(
            found: exp.Expression, undecided: exp.Expression | None = None
        ) -> tuple[exp.Expression, exp.Expression | None]:
            if null is None:
                return found, undecided
            return when(null, boolean(has_none), nn(found)), both(not_(null), undecided)

        if member.kind == "str":
            strings = sorted(item for item in items if isinstance(item, str))
            if not strings:
                return unless_null(FALSE)
            wanted = [lit(s) for s in strings]
            return unless_null(nn(exp.In(this=self.lit_of(member), expressions=wanted)))
        if member.kind == "num":
            if any(isinstance(item, bool) for item in items):
                raise Untranslatable("'in' mixing numbers and true/false")
            found: exp.Expression = FALSE
            undecided: exp.Expression | None = None
            for number in sorted(i for i in items if isinstance(i, Decimal)):
                eq, not_finite = num.compare_const(self.d, "eq", member, number)
                found = or_(found, nn(eq))
                undecided = any_(undecided, not_finite)
            return unless_null(found, undecided)
        if member.kind == "bool":
            if any(isinstance(i, Decimal) for i in items):
                raise Untranslatable("'in' mixing numbers and true/false")
            found = FALSE
            for item in sorted(i for i in items if isinstance(i, bool)):
                found = or_(found, nn(exp.EQ(this=self.lit_of(member), expression=boolean(item))))
            return unless_null(found)
        if member.kind == "null":
            return boolean(has_none), None
        raise Untranslatable(f"'in' with a {member.kind} member")

    # -- null coalescing and the ternary --

    def _merge(
        self, a: _Q, b: _Q, pick_a: exp.Expression
    ) -> tuple[str, exp.Expression, str | None]:
        if a.kind == "null" and b.kind == "null":
            return "null", exp.Null(), None
        kinds = {a.kind, b.kind} - {"null"}
        if len(kinds) > 1:
            raise Untranslatable(f"a choice between {a.kind} and {b.kind}")
        (kind,) = kinds
        if kind not in ("num", "str", "bool", "dt"):
            raise Untranslatable(f"a choice between {kind} values")
        if kind != "num":
            return kind, when(pick_a, self._value(a), self._value(b)), None
        flavors = {v.flavor for v in (a, b) if v.kind == "num" and not v.is_const}
        consts = [v for v in (a, b) if v.kind == "num" and v.is_const]
        if len(flavors) != 1:
            raise Untranslatable("a choice between numbers of different kinds")
        (flavor,) = flavors
        if flavor is None or not all(fits(c.const, flavor) for c in consts):
            raise Untranslatable("a choice between numbers of different kinds")
        return "num", when(pick_a, self._number(a, flavor), self._number(b, flavor)), flavor

    def _value(self, v: _Q) -> exp.Expression:
        return exp.Null() if v.kind == "null" else self.lit_of(v)

    def _number(self, v: _Q, flavor: str) -> exp.Expression:
        if v.kind == "null":
            return exp.Null()
        if v.is_const:
            return num.number_literal(self.d, v.const, flavor)
        assert v.expr is not None
        return v.expr

    def coalesce(self, node: re_ast.CoalesceExpression) -> _Q:
        left = self.visit(node.left)
        right = self.visit(node.right)
        ctx = ctx_of(left.ctx, right.ctx)
        left_null = left.null()
        kind, value, flavor = self._merge(left, right, not_(left_null))
        error = any_(left.error, both(left_null, right.error))
        undecided = any_(left.undecided, both(left_null, right.undecided))
        if kind == "null":
            return _Q("null", const=None, error=error, undecided=undecided)
        return _Q(kind, value, error=error, undecided=undecided, flavor=flavor, ctx=ctx)

    def ternary(self, node: re_ast.TernaryExpression) -> _Q:
        condition = self.visit(node.condition)
        yes = self.visit(node.case_true)
        no = self.visit(node.case_false)
        ctx = ctx_of(condition.ctx, yes.ctx, no.ctx)
        t, tu = self.truthy(condition)
        kind, value, flavor = self._merge(yes, no, t)
        error = any_(condition.error, both(t, yes.error), both(not_(t), no.error))
        undecided = any_(condition.undecided, tu, both(t, yes.undecided),
                         both(not_(t), no.undecided))  # fmt: skip
        if kind == "null":
            return _Q("null", const=None, error=error, undecided=undecided)
        return _Q(kind, value, error=error, undecided=undecided, flavor=flavor, ctx=ctx)

    def _negated(self, v: _Q) -> _Q:
        """``-v``: exact for every number (a float's shortest decimal negates with it)."""
        if v.kind != "num" or v.is_const:
            raise Untranslatable(f"unary minus on a {v.kind}")
        assert v.expr is not None
        error = any_(v.error, is_null(v.expr))
        undecided = v.undecided
        if v.flavor == "int":  # -(-2**63) overflows BIGINT
            too_big = nn(exp.GT(this=exp.Abs(this=v.expr), expression=lit(2**62)))
            undecided = any_(undecided, too_big)
        return replace(v, expr=exp.Neg(this=exp.Paren(this=v.expr)), error=error,
                       undecided=undecided, nonzero=None, nullable=True)  # fmt: skip

    def _whole_number(self, v: _Q) -> exp.Expression | None:
        """``v`` as a BIGINT when it is an integer column or a small whole constant."""
        if v.kind != "num":
            return None
        if v.is_const:
            value = v.const
            if value.is_finite() and value == value.to_integral_value() and abs(value) < 2**31:
                return lit(int(value))
            return None
        return v.expr if v.flavor == "int" else None

    def arithmetic(self, node: Any) -> _Q:
        """``+``, ``-``, ``*`` on integers (exact; operands too large to be sure of are
        undecided) and ``+`` on texts; other arithmetic (on floats and decimals, which
        rule-engine computes in Decimal) falls back."""
        op = node.type
        left = self.visit(node.left)
        right = self.visit(node.right)
        ctx = ctx_of(left.ctx, right.ctx)
        # Every operator raises on a null operand.
        error = any_(left.error, right.error, left.null_or_none(), right.null_or_none())
        undecided = any_(left.undecided, right.undecided)
        if op == "add" and left.kind == right.kind == "str":
            text: exp.Expression = exp.DPipe(this=self.lit_of(left), expression=self.lit_of(right))
            return _Q("str", text, error=error, undecided=undecided, ctx=ctx)
        a, b = self._whole_number(left), self._whole_number(right)
        if op not in ("add", "sub", "mul") or a is None or b is None:
            raise Untranslatable(
                f"arithmetic ({op}) other than on integers (rule-engine's Decimal arithmetic "
                "is not written in SQL)"
            )
        limit = 2**31 if op == "mul" else 2**61
        for side, e in ((left, a), (right, b)):
            if not side.is_const:
                big = nn(exp.GT(this=exp.Abs(this=e), expression=lit(limit)))
                undecided = any_(undecided, big)
        safe_a = a if error is None else when(error, lit(0), a)
        safe_b = b if error is None else when(error, lit(0), b)
        if undecided is not None:  # the database must not overflow where we do not look
            safe_a = when(undecided, lit(0), safe_a)
            safe_b = when(undecided, lit(0), safe_b)
        pair = {"this": exp.Paren(this=safe_a), "expression": exp.Paren(this=safe_b)}
        value: exp.Expression = (
            exp.Add(**pair) if op == "add" else exp.Sub(**pair) if op == "sub" else exp.Mul(**pair)
        )
        return _Q("num", value, error=error, undecided=undecided, flavor="int", ctx=ctx)
