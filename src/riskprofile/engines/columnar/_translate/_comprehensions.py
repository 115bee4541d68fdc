"""List comprehensions (``[h for h in hs_headings if h =~ "^93"]``): over a constant list
they are unrolled; over a list field they are evaluated per element in Polars (the
element masks), with a regex condition on the element fused into one match.
"""

from __future__ import annotations

import operator
from dataclasses import replace
from functools import reduce
from typing import Any

import polars as pl
from rule_engine import ast as re_ast

from riskprofile.engines.columnar._regex import UnsupportedRegex, _char, rust_pattern
from riskprofile.engines.columnar._translate._exploded import MAX_NESTING, exploded
from riskprofile.engines.columnar._translate._numbers import _int_lit
from riskprofile.engines.columnar._translate._operators import _Operators
from riskprofile.engines.columnar._translate._values import (
    _V,
    Part,
    Untranslatable,
    _any,
    _both,
    _compiles,
    _const,
    _ctx,
    _is_variable,
    _Re2Regex,
    _unsafe_text,
)
from riskprofile.profiles.shared import RegexRefused, walk


class _Comprehensions(_Operators):
    """Comprehension translations (a mixin of the translator)."""

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
        except Untranslatable:
            # The body reads other fields (or another list): on the exploded list.
            masks = None
        finally:
            self.scopes.pop()
        if masks is None:
            return self._exploded(node, iterable)
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

    def _exploded(self, node: re_ast.ComprehensionExpression, iterable: _V) -> _V:
        """The comprehension over a list field evaluated on the list exploded to one row
        per element (:mod:`._exploded`), its body reading any field."""
        assert iterable.expr is not None
        if self.nesting >= MAX_NESTING:
            raise Untranslatable(
                f"comprehensions over list fields nested more than {MAX_NESTING} deep "
                "whose body reads other fields"
            )
        name = f"~element{self.nesting}"
        outer, local = self.parts, dict[str, Part]()
        self.parts = local
        self.nesting += 1
        self.scopes.append({node.variable: _V("str", pl.col(name), ctx="row", nullable=False)})
        try:
            masks = self._element_masks(node, exploded=True)
        finally:
            self.scopes.pop()
            self.nesting -= 1
            self.parts = outer
        count, error, undecided = exploded(iterable.expr, name, masks, local, outer)
        return _V("listish", count, ctx="row", nonzero=count > 0,
                  error=_any(iterable.error, error),
                  undecided=_any(iterable.undecided, undecided))  # fmt: skip

    def _element_masks(
        self, node: re_ast.ComprehensionExpression, exploded: bool = False
    ) -> tuple[pl.Expr | None, pl.Expr | None, pl.Expr | None]:
        """For one element: kept (None: always), error, undecided — expressions in the
        context of a list element (or literals), or of the exploded list's rows."""
        keep: pl.Expr | None = None
        error: pl.Expr | None = None
        undecided: pl.Expr | None = None
        if node.condition is not None:
            condition = self.visit(node.condition)
            if condition.ctx == "row" and not exploded:
                raise Untranslatable(
                    "a comprehension over a list field whose condition also reads other fields"
                )
            t, tu = self.truthy(condition)
            keep = t
            error = condition.error
            undecided = _any(condition.undecided, tu)
        if not _is_variable(node.result, node.variable):
            result = self.visit(node.result)
            if result.ctx == "row" and not exploded:
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
