"""Reading into a value in SQL: attributes (``.length``, ``.is_empty``, ``.to_set``,
``.as_lower``...), items and slices with constant bounds, ``starts_with``/``ends_with``,
and comprehensions: over a list field with the dialect's list functions, over a watch
list unrolled (a regex or a prefix test on each item fused into one)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from itertools import groupby
from typing import Any

from rule_engine import ast as re_ast
from sqlglot import exp

from riskprofile.engines._translating import helper_operands, helper_texts
from riskprofile.engines.sql._core import _const, _Core, _is_variable
from riskprofile.engines.sql._dialects import fn, lit, new_variable
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
    is_null,
    nn,
    not_,
    or_,
    when,
)
from riskprofile.profiles.shared import HELPERS, walk


def _ascii(d: Any, e: exp.Expression) -> exp.Expression:
    """Where the text ``e`` is ASCII only (never NULL: TRUE on NULL)."""
    return not_(nn(d.regex_search(e, "[^\\x01-\\x7F]")))


class _Access(_Core):
    """Attribute, item, slice, call and comprehension translations."""

    def attribute(self, node: re_ast.GetAttributeExpression) -> _Q:
        obj = self.visit(node.object)
        name = node.name
        ctx = obj.ctx
        d = self.d
        if obj.kind == "null":  # null with &. (else rule-engine refused it at compile time)
            if name in ("starts_with", "ends_with"):
                return _Q("method", const=None, error=obj.error, method=(name, False))
            return _Q("null", const=None, error=obj.error if node.safe else TRUE)
        null = obj.null_or_none()
        maybe_null = node.safe and null is not None
        error = obj.error if node.safe else any_(obj.error, null)
        undecided = obj.undecided
        e = obj.expr
        if obj.kind == "str" and e is not None:
            if name in ("starts_with", "ends_with"):
                # On null the call raises whether or not &. was used ("not callable").
                return replace(obj, kind="method", method=(name, node.safe))
            if name == "length":
                return _Q("num", d.text_length(e), flavor="int", error=error,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "is_empty":
                return _Q("bool", exp.EQ(this=e, expression=lit("")), error=error,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name in ("as_lower", "as_upper"):
                # Python's and the database's case mappings agree on ASCII only.
                value = fn("lower" if name == "as_lower" else "upper", e)
                return _Q("str", value, error=error, undecided=any_(undecided, not_(_ascii(d, e))),
                          ctx=ctx)  # fmt: skip
            if name == "to_str":
                return replace(obj, error=error)
        if obj.kind == "list" and e is not None:
            if name == "length":
                length = d.list_distinct_count(e) if obj.unique else d.list_length(e)
                nonzero = exp.GT(this=d.list_length(e), expression=lit(0))
                return _Q("num", length, flavor="int", error=error, nonzero=nonzero,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "is_empty":
                return _Q("bool", exp.EQ(this=d.list_length(e), expression=lit(0)), error=error,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "to_set":
                return replace(obj, unique=True, error=error)
            if name == "to_ary" and not obj.unique:
                return replace(obj, error=error)
        if obj.kind == "listish" and e is not None:
            if name == "length":
                return _Q("num", e, flavor="int", error=error, nonzero=obj.nonzero,
                          undecided=undecided, ctx=ctx, nullable=maybe_null)  # fmt: skip
            if name == "is_empty":
                assert obj.nonzero is not None
                return _Q("bool", not_(obj.nonzero), error=error, undecided=undecided, ctx=ctx,
                          nullable=maybe_null)  # fmt: skip
        raise Untranslatable(f"the attribute .{name} of a {obj.kind}")

    def call(self, node: re_ast.FunctionCallExpression) -> _Q:
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
        ctx = ctx_of(function.ctx, argument.ctx)
        error = any_(function.error, argument.error, argument.null_or_none())
        if function.is_const:  # the object was null: "not a callable value"
            return _Q("bool", FALSE, error=TRUE, ctx=ctx, nullable=False)
        if argument.kind not in ("str", "null"):  # pragma: no cover
            raise Untranslatable(f"{name} with a {argument.kind}")
        assert function.expr is not None
        error = any_(error, is_null(function.expr))
        if argument.kind == "null":
            return _Q("bool", FALSE, error=error, undecided=function.undecided, ctx=ctx,
                      nullable=False)  # fmt: skip
        e, a = function.expr, self.lit_of(argument)
        value = self.d.starts_with(e, a) if name == "starts_with" else self.d.ends_with(e, a)
        return _Q("bool", nn(value), error=error,
                  undecided=any_(function.undecided, argument.undecided),
                  ctx=ctx, nullable=False)  # fmt: skip

    def _affix_test(self, e: exp.Expression, texts: Any, start: bool) -> exp.Expression:
        """Whether the text ``e`` starts (or ends) with one of ``texts``: affixes of one
        length tested at once, ``left(e, n) IN (...)``."""
        found: exp.Expression = FALSE
        for size, group in groupby(sorted(set(texts), key=len), key=len):
            wanted = [lit(p) for p in sorted(group)]
            head = fn("left" if start else "right", e, lit(size)) if size else lit("")
            found = or_(found, nn(exp.In(this=head, expressions=wanted)))
        return found

    def helper(self, name: str, arguments: Any) -> _Q:
        """``$any_starts_with``, ``$any_ends_with``, ``$intersects`` over a list or text
        field and a constant list (or, for ``$intersects``, two list fields)."""
        first, second = (self.visit(a) for a in arguments)
        error = any_(first.error, second.error)
        undecided = any_(first.undecided, second.undecided)
        ctx = ctx_of(first.ctx, second.ctx)
        first, second = helper_operands(name, first, second)
        e, d = first.expr, self.d
        assert e is not None  # helper_operands refuses a field without one
        if name == "intersects" and not second.is_const:
            assert second.expr is not None
            x = new_variable()
            value = d.list_any(e, x, nn(d.list_contains(second.expr, x)))
            return _Q("bool", value, error=error, undecided=undecided, ctx=ctx, nullable=False)
        texts = helper_texts(name, second)
        if first.kind not in ("list", "str") or (name == "intersects" and first.kind != "list"):
            raise Untranslatable(f"${name} on a {first.kind}")
        x = new_variable()
        if not texts:
            found: exp.Expression = FALSE
        elif first.kind == "list":
            if name == "intersects":
                test = nn(exp.In(this=x, expressions=[lit(t) for t in texts]))
            else:
                test = self._affix_test(x, texts, name == "any_starts_with")
            found = d.list_any(e, x, test)
        else:
            found = self._affix_test(e, texts, name == "any_starts_with")
        if first.kind == "str":  # a null text cannot be evaluated (argument #1 is null)
            error = any_(error, is_null(e))
        return _Q("bool", found, error=error, undecided=undecided, ctx=ctx, nullable=False)

    # -- items and slices --

    @staticmethod
    def _whole(value: Any) -> int | None:
        if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
            return int(value)
        return None

    def item(self, node: re_ast.GetItemExpression) -> _Q:
        container = self.visit(node.container)
        index = self.visit(node.item)
        if not index.is_const:
            raise Untranslatable("an index that is not a constant")
        if container.kind not in ("list", "str") or container.unique:
            raise Untranslatable(f"indexing a {container.kind}")
        assert container.expr is not None
        e = container.expr
        null = container.null_or_none()
        not_null = TRUE if null is None else not_(null)
        error = any_(container.error, index.error, None if node.safe else null)
        i = self._whole(index.const)
        if i is None or abs(i) > 2**31:  # rule-engine: "not an integer number"
            return _Q("null", const=None, error=any_(error, not_null),
                      undecided=container.undecided)  # fmt: skip
        d = self.d
        length = d.list_length(e) if container.kind == "list" else d.text_length(e)
        inside = nn(
            exp.GT(this=length, expression=lit(i))
            if i >= 0
            else exp.GTE(this=length, expression=lit(-i))
        )
        if container.kind == "list":
            value = d.list_get(e, i)
        else:
            start = lit(i + 1) if i >= 0 else exp.Add(this=length, expression=lit(i + 1))
            value = when(inside, d.substring(e, start, lit(1)), exp.Null())
        if not node.safe:
            error = any_(error, and_(not_null, not_(inside)))
        return _Q("str", value, error=error, undecided=container.undecided, ctx=container.ctx)

    def slice(self, node: re_ast.GetSliceExpression) -> _Q:
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
        error = any_(container.error, start.error, stop.error, None if node.safe else null)
        bounds: list[int | None] = []
        for bound in (start.const, stop.const):
            whole = self._whole(bound)
            if bound is not None and whole is None:
                not_null = TRUE if null is None else not_(null)
                return _Q("null", const=None, error=any_(error, not_null))
            if whole is not None and (whole < 0 or whole > 2**31):
                raise Untranslatable("a slice with a negative bound")
            bounds.append(whole)
        d = self.d
        length = d.list_length(e) if container.kind == "list" else d.text_length(e)
        begin: exp.Expression = (
            lit(0) if bounds[0] is None else exp.Least(this=lit(bounds[0]), expressions=[length])
        )
        end: exp.Expression = (
            length if bounds[1] is None else exp.Least(this=lit(bounds[1]), expressions=[length])
        )
        size = exp.Greatest(this=exp.Sub(this=end, expression=begin), expressions=[lit(0)])
        if container.kind == "list":
            value = d.list_slice(e, begin, size)
        else:
            value = d.substring(e, exp.Add(this=begin, expression=lit(1)), size)
        return _Q(container.kind, value, error=error, undecided=container.undecided,
                  ctx=container.ctx)  # fmt: skip

    # -- comprehensions --

    def comprehension(self, node: re_ast.ComprehensionExpression) -> _Q:
        iterable = self.visit(node.iterable)
        if iterable.is_const:
            return self._unrolled(node, iterable)
        if iterable.kind != "list" or iterable.unique or iterable.ctx == "elem":
            raise Untranslatable(f"a comprehension over a {iterable.kind}")
        assert iterable.expr is not None
        x = new_variable()
        self.scopes.append({node.variable: _Q("str", x, ctx="elem", nullable=False)})
        try:
            keep, error, undecided = self._element_masks(node)
        finally:
            self.scopes.pop()
        e, d = iterable.expr, self.d
        if keep is None:
            count: exp.Expression = d.list_length(e)
            nonzero: exp.Expression = exp.GT(this=d.list_length(e), expression=lit(0))
        else:
            count, nonzero = d.list_count(e, x, keep), d.list_any(e, x, keep)
            texts = self._watched(node)
            if texts and error is None and undecided is None:
                nonzero = d.list_overlaps(e, texts)  # the same test, without a lambda
        return _Q("listish", count,
                  error=any_(iterable.error, None if error is None else d.list_any(e, x, error)),
                  undecided=any_(iterable.undecided,
                                 None if undecided is None else d.list_any(e, x, undecided)),
                  ctx="row", nonzero=nonzero)  # fmt: skip

    def _watched(self, node: re_ast.ComprehensionExpression) -> list[str] | None:
        """For ``[v for v in LIST_FIELD if v in CONSTANT_TEXTS]``, and for a condition
        that is an ``or`` of such tests (``v in $a or v in $b``, as the precursor
        profiles write): the texts, all lists' together (an element of a list field is a
        text, never NULL where SQL decides, so each test is true or false and the ``or``
        is membership in the union)."""
        if not _is_variable(node.result, node.variable) or node.condition is None:
            return None
        texts: set[str] = set()
        tests = [node.condition]
        while tests:
            test = tests.pop()
            if isinstance(test, re_ast.LogicExpression) and test.type == "or":
                tests += [test.left, test.right]
                continue
            if not (
                isinstance(test, re_ast.ContainsExpression)
                and _is_variable(test.member, node.variable)
                and self._is_constant(test.container)
            ):
                return None
            items = self._constant(test.container).const
            if not isinstance(items, tuple | set | frozenset):
                return None
            texts.update(item for item in items if isinstance(item, str))
        return sorted(texts)

    def _element_masks(
        self, node: re_ast.ComprehensionExpression
    ) -> tuple[exp.Expression | None, exp.Expression | None, exp.Expression | None]:
        keep: exp.Expression | None = None
        error: exp.Expression | None = None
        undecided: exp.Expression | None = None
        if node.condition is not None:
            condition = self.visit(node.condition)
            if condition.ctx == "row":
                raise Untranslatable(
                    "a comprehension over a list field whose condition also reads other fields"
                )
            keep, tu = self.truthy(condition)
            error = condition.error
            undecided = any_(condition.undecided, tu)
        if not _is_variable(node.result, node.variable):
            result = self.visit(node.result)
            if result.ctx == "row":
                raise Untranslatable(
                    "a comprehension over a list field whose result reads other fields"
                )
            error = any_(error, result.error if keep is None else both(keep, result.error))
            undecided = any_(undecided, result.undecided)
        if error is not None and keep is not None:
            keep = and_(keep, not_(error))  # an element whose condition raised is not kept
        return keep, error, undecided

    def _unrolled(self, node: re_ast.ComprehensionExpression, iterable: _Q) -> _Q:
        items = iterable.const
        if not isinstance(items, tuple | set | frozenset | str):
            raise Untranslatable(f"a comprehension over a constant {type(items).__name__}")
        if isinstance(items, set | frozenset):
            items = sorted(items, key=repr)  # the order of the SQL text only
        fused = self._fused(node, items)
        if fused is not None:
            found, error, undecided, ctx = fused
            one: exp.Expression = exp.Cast(
                this=when(found, lit(1), lit(0)), to=exp.DataType.build("BIGINT")
            )
            return _Q("listish", one, error=any_(iterable.error, error),
                      undecided=any_(iterable.undecided, undecided), ctx=ctx,
                      nonzero=found)  # fmt: skip
        counts: list[exp.Expression] = []
        fixed = 0
        errors: list[exp.Expression | None] = [iterable.error]
        undecided_: list[exp.Expression | None] = [iterable.undecided]
        contexts: list[str | None] = []
        for item in items:
            self.scopes.append({node.variable: _const(item)})
            try:
                keep: exp.Expression | None = None
                if node.condition is not None:
                    condition = self.visit(node.condition)
                    contexts.append(condition.ctx)
                    if condition.is_const and condition.error is None:
                        if not condition.const:
                            continue
                    else:
                        keep, tu = self.truthy(condition)
                        errors.append(condition.error)
                        undecided_.extend([condition.undecided, tu])
                if not _is_variable(node.result, node.variable):
                    result = self.visit(node.result)
                    contexts.append(result.ctx)
                    errors.append(result.error if keep is None else both(keep, result.error))
                    undecided_.append(result.undecided)
                if keep is None:
                    fixed += 1
                else:
                    counts.append(keep)
            finally:
                self.scopes.pop()
        if len(counts) > 64:
            raise Untranslatable(f"a comprehension over {len(counts)} items that is no regex")
        ctx = ctx_of(*contexts)
        total: exp.Expression = lit(fixed)
        for keep in counts:
            total = exp.Add(this=total, expression=when(keep, lit(1), lit(0)))
        some: exp.Expression = boolean(fixed > 0)
        for keep in counts:
            some = or_(some, keep)
        return _Q("listish", total, error=any_(*errors), undecided=any_(*undecided_), ctx=ctx,
                  nonzero=some)  # fmt: skip

    def _fused(
        self, node: re_ast.ComprehensionExpression, items: Any
    ) -> tuple[exp.Expression, exp.Expression | None, exp.Expression | None, str | None] | None:
        """For ``[v for v in CONSTANTS if SUBJECT =~~ f(v)]`` (also ``=~``) and
        ``[v for v in CONSTANTS if SUBJECT.starts_with(f(v))]``: whether any item is kept,
        as one test of SUBJECT, with its error and undecided masks and context; None when
        not of that form."""
        condition = node.condition
        if not _is_variable(node.result, node.variable) or not items:
            return None
        if isinstance(condition, re_ast.FuzzyComparisonExpression) and condition.type in (
            "eq_fzs",
            "eq_fzm",
        ):
            subject_node, pattern_node, kind = condition.left, condition.right, "regex"
        elif (
            isinstance(condition, re_ast.FunctionCallExpression)
            and isinstance(condition.function, re_ast.GetAttributeExpression)
            and condition.function.name == "starts_with"
            and not condition.function.safe
            and len(condition.arguments) == 1
        ):
            subject_node, pattern_node = condition.function.object, condition.arguments[0]
            kind = "starts_with"
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
        if kind == "starts_with":
            found = self._affix_test(e, patterns, start=True)
            error = any_(subject.error, subject.null_or_none())
            return found, error, subject.undecided, subject.ctx
        anchored = condition.type == "eq_fzm"
        written = []
        for p in patterns:
            one = self._pattern(p, anchored)
            if one is None:
                return None
            written.append(one)
        combined = "|".join(f"(?:{w})" for w, _ in written)
        if any(w.startswith("(?i)") for w, _ in written) and self.d.name != "duckdb":
            return None  # ARE takes flags at the very start only
        guard = any(g for _, g in written)
        factored = None if anchored else _word_bounded(patterns)
        if factored is not None and (one := self._pattern(factored, anchored)) is not None:
            combined, guard = one
        found = nn(self.d.regex_search(e, combined))
        undecided = any_(subject.undecided, self._unsafe(e) if guard else None)
        return found, subject.error, undecided, subject.ctx


def _word_bounded(patterns: list[str]) -> str | None:
    r"""For patterns that are each ``\bWORDS\b`` with no ``|`` in WORDS (a list of names
    searched as whole words, as the profiles write ``"\\b" + n + "\\b"``): one pattern,
    ``\b(?:WORDS1|WORDS2|...)\b``, that a text contains exactly when it contains one of
    them (the boundaries factored out: PostgreSQL's regex engine takes half the time
    over 40 names); None for any other list."""
    middles = []
    for pattern in patterns:
        middle = pattern[2:-2]
        if not (
            pattern.startswith("\\b")
            and pattern.endswith("\\b")
            and middle
            and "|" not in middle
            and not middle.endswith("\\")  # else the final \b is not an escape of its own
            and "(?" not in middle  # no flags (they would reach the next words), no names
        ):
            return None
        middles.append(middle)
    return "\\b(?:" + "|".join(middles) + ")\\b"
