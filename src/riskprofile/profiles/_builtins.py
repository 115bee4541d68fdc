"""What a condition reads besides the shipment's fields: the evaluation clock behind ``$now``
and ``$today``, watch lists whose values depend on it (entries expire), the RE2 regex
comparisons plugged into rule-engine's parser, the bounded ``$range`` and the helper
functions (:data:`HELPERS`).

The clock is per thread and set by whoever evaluates: :meth:`Condition.evaluate
<riskprofile.profiles._expressions.Condition.evaluate>` for one record, and
:func:`evaluation_time` for the columnar engine, which folds constant parts of a condition
(``$today - 30d``, a watch list with expiring entries) with rule-engine itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, Protocol

import rule_engine
from rule_engine import ast as re_ast
from rule_engine._vendor.ply import lex, yacc
from rule_engine.builtins import Builtins, BuiltinValueGenerator
from rule_engine.parser import Parser, _DeferredAstNode

from riskprofile._parse_tables import generated, table_module
from riskprofile.profiles._regex import RegexRefused, compile_regex

__all__ = [
    "HELPERS",
    "MAX_RANGE",
    "BuiltinSymbol",
    "Containment",
    "ListValues",
    "RegexComparison",
    "evaluation_time",
]

# The evaluation time of the current thread, read by $now and $today.
_EVALUATION = threading.local()


@contextlib.contextmanager
def evaluation_time(as_of: dt.datetime | None) -> Iterator[None]:
    """Within the block, rule-engine evaluations on this thread read ``as_of`` (UTC) as
    ``$now`` (``$today`` is its midnight) and see the watch-list values in force then; on
    leaving, the time set before is back, so blocks nest.

    >>> import datetime as dt
    >>> from riskprofile.profiles._expressions import compile_condition
    >>> condition = compile_condition("$today", {})
    >>> with evaluation_time(dt.datetime(2025, 3, 4, 15, 30, tzinfo=dt.UTC)):
    ...     condition.rule.statement.expression.evaluate(None).isoformat()
    '2025-03-04T00:00:00+00:00'
    """
    previous = getattr(_EVALUATION, "as_of", None)
    _EVALUATION.as_of = as_of
    try:
        yield
    finally:
        _EVALUATION.as_of = previous


def _now(_builtins: Builtins) -> dt.datetime:
    as_of = getattr(_EVALUATION, "as_of", None)
    if as_of is None:
        raise rule_engine.EvaluationError("no as_of time was given for $now/$today")
    return as_of  # type: ignore[no-any-return]


def _today(builtins: Builtins) -> dt.datetime:
    return _now(builtins).replace(hour=0, minute=0, second=0, microsecond=0)


class ListValues(Protocol):
    """A watch list whose values depend on the evaluation time (entries expire)."""

    def at(self, as_of: dt.datetime | None) -> set[Any]:
        """The values in force at ``as_of`` (all of them when None)."""

    def epoch(self, as_of: dt.datetime) -> int:
        """A number that is equal for two times exactly when the same values are in
        force at both (how many expiry times have passed): what a translation of a
        condition reading the list may be cached by."""


def _list_at(items: ListValues) -> BuiltinValueGenerator:
    # $name is the values in force at the evaluation time of the thread: the row-wise
    # engine and the columnar translation set it alike, so both read the same values.
    return BuiltinValueGenerator(lambda _b: items.at(getattr(_EVALUATION, "as_of", None)))


# --- regexes on RE2 ------------------------------------------------------------------------
#
# rule-engine compiles the right side of =~, =~~, !~ and !~~ with Python's backtracking
# `re` (FuzzyComparisonExpression._compile_regex), once for a literal while parsing and on
# every evaluation otherwise, and folds a regex between two literals while parsing. Our
# parser builds those nodes from a subclass that compiles with RE2 instead (see
# riskprofile.profiles._regex), so no regex of a profile ever runs on `re`, at load time
# or while scoring. This grammar rule, and the two below (see _Builtin and _Contains),
# are all that differ from rule-engine's own parser.


class _Re2Comparison(re_ast.FuzzyComparisonExpression):  # type: ignore[misc]
    """A regex comparison whose patterns are compiled, and matched, by RE2."""

    def _compile_regex(self, regex: str) -> Any:
        try:
            return compile_regex(regex)
        except RegexRefused as exc:
            raise rule_engine.errors.RegexSyntaxError(
                f"invalid regular expression: {exc.problem.message}",
                error=exc,
                value=regex,
            ) from None


# rule-engine works out the type of a value member by member, and does it on every
# evaluation of `$name` (to check the value against the symbol's type) and of `x in y`
# (only to refuse a member that is not text in a text): with a watch list of 30,000
# names (an official sanctions list), 30,000 steps per shipment and reference. These two
# nodes skip what cannot fail: a list is the same shared set object until its values
# change (CompiledList.at), checked once; a container that is not text needs no check.


class _Checked:
    """The set a ``$name`` node last checked (a holder, so that walks of the syntax tree,
    which look into sets, do not step through its values)."""

    __slots__ = ("value",)

    def __init__(self, value: set[Any]) -> None:
        self.value = value


class _Builtin(re_ast.SymbolExpression):  # type: ignore[misc]
    """``$name``, its value's type checked once per set object."""

    __slots__ = ("_checked",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._checked: _Checked | None = None

    def evaluate(self, thing: Any) -> Any:
        checked = self._checked
        if checked is not None:
            value = self.context.resolve(thing, self.name, scope=self.scope)
            if value is checked.value:
                return value
        value = super().evaluate(thing)
        if isinstance(value, set):
            self._checked = _Checked(value)
        return value


class _Contains(re_ast.ContainsExpression):  # type: ignore[misc]
    """``member in container``, the container's type worked out only when it is text."""

    __slots__ = ()

    def evaluate(self, thing: Any) -> bool:
        container = self.container.evaluate(thing)
        if isinstance(container, str | bytes):
            return bool(super().evaluate(thing))
        member = self.member.evaluate(thing)
        if member in container:
            return True
        screen = getattr(container, "screen", None)
        if screen is None or member is None:
            return False
        # A list matched by trader (``match: trader``): the party whose name this is,
        # with its identifier and country (the loader allows only ``<role>_name in $l``).
        from riskprofile.lists.shared import party_fields

        identifier, _, country = party_fields(self.member.name[: -len("_name")])

        def read(name: str | None) -> Any:
            return self.context.resolve(thing, name) if name is not None else None

        return container.match((read(identifier), member, read(country))) is not None


# The nodes this parser builds in place of rule-engine's, by public name: the row-wise
# engine's compiled conditions (riskprofile.engines._compiled_rules) dispatch on them.
RegexComparison = _Re2Comparison
BuiltinSymbol = _Builtin
Containment = _Contains


class _Re2Parser(Parser):  # type: ignore[misc]
    # The start symbol, named: PLY would otherwise take the rule defined first.
    start = "statement"

    def __init__(self) -> None:
        # rule-engine's ParserBase.__init__, but for the table module: PLY reads the tables
        # riskprofile ships when they were made for this grammar, and builds them (~0.4 s)
        # only otherwise (see riskprofile._parse_tables).
        self.debug = False
        self.context = None
        self._lexer = lex.lex(module=self, debug=False)
        tables = table_module("riskprofile.profiles._re2_parsetab", "re2")
        self._parser = yacc.yacc(module=self, debug=False, write_tables=False, tabmodule=tables)

    def p_expression_contains(self, p: Any) -> None:
        """
        expression : expression IN     expression
                           | expression NOT IN expression
        """
        member, container = p[1], p[len(p) - 1]
        p[0] = _DeferredAstNode(_Contains, args=(self.context, container, member))
        if len(p) == 5:
            p[0] = _DeferredAstNode(re_ast.UnaryExpression, args=(self.context, "NOT", p[0]))

    def p_expression_symbol(self, p: Any) -> None:
        "object : SYMBOL"
        name = p[1]
        if name[0] != "$":
            super().p_expression_symbol(p)
            return
        p[0] = _DeferredAstNode(
            _Builtin, args=(self.context, name[1:]), kwargs={"scope": "built-in"}
        )

    def p_expression_fuzzy_comparison(self, p: Any) -> None:
        """
        expression : expression EQ_FZM expression
                           | expression EQ_FZS expression
                           | expression NE_FZM expression
                           | expression NE_FZS expression
        """
        left, op, right = p[1:4]
        p[0] = _DeferredAstNode(_Re2Comparison, args=(self.context, self.op_names[op], left, right))


def generated_parse_tables() -> dict[str, Any]:
    """The parse tables of rule-engine's parser and of ours, built from the installed
    rule-engine's grammars, as riskprofile ships them (``_parse_tables.write_tables``)."""
    return {"rule_engine": generated(Parser), "re2": generated(_Re2Parser)}


@cache
def _parser() -> _Re2Parser:
    return _Re2Parser()  # once, on first use


class _LazyParser:
    def __get__(self, instance: object, owner: type) -> _Re2Parser:
        return _parser()


class _Re2Rule(rule_engine.Rule):  # type: ignore[misc]
    """A rule-engine rule whose regexes run on RE2."""

    parser = _LazyParser()


MAX_RANGE = 1000
"""The most numbers ``$range`` may build: it builds them on every evaluation, and its
arguments may come from the shipment (``$range(packages)``)."""


def _range_length(start: Any, stop: Any = None, step: Any = None) -> int:
    """How many numbers ``$range(start, stop, step)`` gives, or -1 when rule-engine
    would refuse the arguments."""
    arguments = [a for a in (start, stop, step) if a is not None]
    if not all(rule_engine.types.is_integer_number(a) for a in arguments):
        return -1
    try:
        return len(range(*(int(a) for a in arguments)))
    except ValueError:  # a step of 0
        return -1


def _bounded_range(start: Any, stop: Any = None, step: Any = None) -> list[int]:
    """rule-engine's ``$range``, refusing to build more than :data:`MAX_RANGE` numbers."""
    length = _range_length(start, stop, step)
    if length > MAX_RANGE:
        raise rule_engine.errors.FunctionCallError(
            f"$range would build {length:,} numbers, more than {MAX_RANGE:,}"
        )
    return rule_engine.builtins._builtin_range(start, stop, step)  # type: ignore[no-any-return]


# --- helper functions ----------------------------------------------------------------------
#
# Everyday tests that would otherwise need a comprehension. Their arguments are typed
# when a profile loads (_helper_problems); the columnar engine translates them.


def _texts(value: Any, helper: str, position: int) -> tuple[str, ...]:
    if value is None:
        raise rule_engine.EvaluationError(f"${helper}: argument #{position} is null")
    if isinstance(value, str):
        return (value,)
    return tuple(v for v in value if isinstance(v, str))


def _any_starts_with(values: Any, prefixes: Any) -> bool:
    """Whether any text of ``values`` (a list, or one text) starts with any of
    ``prefixes``."""
    wanted = _texts(prefixes, "any_starts_with", 2)
    return any(v.startswith(wanted) for v in _texts(values, "any_starts_with", 1))


def _any_ends_with(values: Any, suffixes: Any) -> bool:
    """Whether any text of ``values`` (a list, or one text) ends with any of
    ``suffixes``."""
    wanted = _texts(suffixes, "any_ends_with", 2)
    return any(v.endswith(wanted) for v in _texts(values, "any_ends_with", 1))


def _intersects(first: Any, second: Any) -> bool:
    """Whether two lists of texts have an element in common."""
    return not set(_texts(first, "intersects", 1)).isdisjoint(_texts(second, "intersects", 2))


HELPERS: Mapping[str, Any] = {
    "any_starts_with": _any_starts_with,
    "any_ends_with": _any_ends_with,
    "intersects": _intersects,
}
"""The helper functions a condition may call (``$any_starts_with(hs_codes, $prefixes)``)."""
