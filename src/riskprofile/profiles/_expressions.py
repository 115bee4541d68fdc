"""Expressions: typed rule-engine compilation against the shipment field catalogue.

A profile's ``when`` conditions are rule-engine expressions. They are compiled once, with
a typed context derived from :func:`riskprofile.model.shipment.field_catalogue` and the
profile's watch lists as ``$name`` built-ins, so that an unknown field, an unknown list,
a type mismatch, a forbidden attribute, a literal no field value equals or a regex RE2
cannot run fails at load time with its offset in the expression. Every regex is compiled
and matched by RE2 (linear time; see :mod:`riskprofile.profiles._regex`), and the helper
functions (:data:`HELPERS`) are built-ins. Evaluation takes an explicit ``as_of`` time:
``$now`` and ``$today`` are that time, never the wall clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import string
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Protocol, TypeVar

import rule_engine
from rule_engine import DataType
from rule_engine import ast as re_ast
from rule_engine.builtins import Builtins, BuiltinValueGenerator
from rule_engine.parser import Parser, _DeferredAstNode

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.model.shipment import FieldSpec, Shipment, field_catalogue
from riskprofile.profiles._regex import RegexRefused, compile_regex, regex_problems
from riskprofile.profiles._schema import RESERVED_LIST_NAMES

__all__ = [
    "CompileProblem",
    "Condition",
    "FORBIDDEN_BUILTINS",
    "compile_condition",
    "field_types",
    "record_of",
    "render_explanation",
    "show_value",
]

FORBIDDEN_BUILTINS = frozenset({"random"})
"""Built-ins a profile may not use: ``$random`` makes results irreproducible."""
_ALLOWED_BUILTINS = RESERVED_LIST_NAMES

_TYPES = {
    "string": DataType.STRING,
    "integer": DataType.FLOAT,
    "float": DataType.FLOAT,
    "decimal": DataType.FLOAT,
    "boolean": DataType.BOOLEAN,
    "date": DataType.DATETIME,
    "datetime": DataType.DATETIME,
    "list[string]": DataType.ARRAY(DataType.STRING),
}
_K = TypeVar("_K")

_KIND_NAMES = {
    "STRING": "text",
    "FLOAT": "a number",
    "BOOLEAN": "true/false",
    "DATETIME": "a date",
    "TIMEDELTA": "a duration",
    "ARRAY": "a list",
    "SET": "a set",
    "NULL": "null",
    "MAPPING": "a mapping",
}


@cache
def _catalogue() -> dict[str, FieldSpec]:
    return {f.name: f for f in field_catalogue()}


def field_types() -> dict[str, Any]:
    """Every shipment field's rule-engine type (what expressions may refer to)."""
    return {name: _TYPES[spec.type] for name, spec in _catalogue().items()}


@dataclass(frozen=True, slots=True)
class CompileProblem:
    """Why an expression does not compile: ``offset`` is where in the expression."""

    code: str
    message: str
    offset: int = 0
    suggestion: str | None = None
    severity: str = "error"


# The evaluation time of the current thread, read by $now and $today.
_EVALUATION = threading.local()


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
# or while scoring. Only this grammar rule differs from rule-engine's own parser.


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


class _Re2Parser(Parser):  # type: ignore[misc]
    # The start symbol, named: PLY would otherwise take the rule defined first.
    start = "statement"

    def p_expression_fuzzy_comparison(self, p: Any) -> None:
        """
        expression : expression EQ_FZM expression
                           | expression EQ_FZS expression
                           | expression NE_FZM expression
                           | expression NE_FZS expression
        """
        left, op, right = p[1:4]
        p[0] = _DeferredAstNode(_Re2Comparison, args=(self.context, self.op_names[op], left, right))


@cache
def _parser() -> _Re2Parser:
    return _Re2Parser()  # builds the parse tables: ~0.4 s, once, on first use


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

# Which arguments may be one text rather than a list of texts.
_HELPER_TEXT_ARGUMENTS = {"any_starts_with": (1,), "any_ends_with": (1,), "intersects": ()}


def _helper_type(name: str) -> Any:
    # Arguments are checked by _helper_problems: rule-engine's function types cannot say
    # "a list or a set of texts".
    return DataType.FUNCTION(
        name,
        return_type=DataType.BOOLEAN,
        argument_types=(DataType.UNDEFINED, DataType.UNDEFINED),
        minimum_arguments=2,
    )


def _helper_problems(expression: str, node: Any) -> list[CompileProblem]:
    """A helper called with arguments of the wrong kind (load time, with the position)."""
    if not (
        isinstance(node, re_ast.FunctionCallExpression)
        and isinstance(node.function, re_ast.SymbolExpression)
        and node.function.scope == "built-in"
        and node.function.name in HELPERS
    ):
        return []
    name = node.function.name
    problems = []
    for position, argument in enumerate(node.arguments, start=1):
        kind, elements = _kind(argument), _element_kind(argument)
        if kind in ("ARRAY", "SET") and elements in ("STRING", None):
            continue
        if kind == "STRING" and position in _HELPER_TEXT_ARGUMENTS[name]:
            continue
        if kind is None:  # null, or a type rule-engine does not know here
            continue
        plural = {"FLOAT": "numbers", "DATETIME": "dates", "BOOLEAN": "true/false values"}
        what = (
            f"a list of {plural.get(str(elements), 'values')}"
            if kind in ("ARRAY", "SET")
            else _KIND_NAMES.get(kind, kind)
        )
        wanted = (
            "a list of texts, or one text"
            if position in _HELPER_TEXT_ARGUMENTS[name]
            else "a list of texts"
        )
        problems.append(
            CompileProblem(
                "type_mismatch",
                f"${name}: argument #{position} ({_describe(argument)}) is {what}; it takes "
                f"{wanted}",
                _offset_of(expression, f"${name}"),
                'write the texts as a list: ["0803", "0804"], or use a watch list ($name)',
            )
        )
    return problems


def _context(
    lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]],
) -> rule_engine.Context:
    context = rule_engine.Context(type_resolver=field_types(), default_timezone="utc")
    values: dict[str, Any] = {
        "now": BuiltinValueGenerator(_now),
        "today": BuiltinValueGenerator(_today),
        "range": _bounded_range,
        **HELPERS,
    }
    types_: dict[str, Any] = {"now": DataType.DATETIME, "today": DataType.DATETIME}
    types_.update({name: _helper_type(name) for name in HELPERS})
    for name, (kind, items) in lists.items():
        # rule-engine's SET type is the built-in set
        values[name] = set(items) if isinstance(items, frozenset | set) else _list_at(items)
        types_[name] = DataType.SET(DataType.STRING if kind == "string" else DataType.FLOAT)
    context.builtins = Builtins.from_defaults(
        values=values, value_types=types_, timezone=context.default_timezone
    )
    return context


def _children(node: Any) -> Iterator[Any]:
    seen: set[str] = set()
    values: list[Any] = []
    for cls in type(node).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot not in seen and slot != "context":
                seen.add(slot)
                values.append(getattr(node, slot, None))
    values += getattr(node, "__dict__", {}).values()
    for value in values:
        if isinstance(value, re_ast.ASTNodeBase):
            yield value
        elif isinstance(value, list | tuple | set | frozenset):  # (a set literal holds a set)
            yield from (v for v in value if isinstance(v, re_ast.ASTNodeBase))


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in _children(node):
        yield from _walk(child)


def _describe(node: Any) -> str:
    if isinstance(node, re_ast.SymbolExpression):
        return f"${node.name}" if node.scope == "built-in" else repr(node.name)
    if isinstance(node, re_ast.StringExpression):
        return f'"{node.value}"'
    if isinstance(node, re_ast.FloatExpression):
        return str(node.value)
    if isinstance(node, re_ast.BooleanExpression):
        return "true" if node.value else "false"
    if isinstance(node, re_ast.NullExpression):
        return "null"
    if isinstance(node, re_ast.ArrayExpression | re_ast.SetExpression):
        return "the literal list"
    if isinstance(node, re_ast.GetAttributeExpression) and isinstance(
        node.object, re_ast.SymbolExpression
    ):
        prefix = "$" if node.object.scope == "built-in" else ""
        return f"{prefix}{node.object.name}.{node.name}"
    return "an expression"


def _kind(node: Any) -> str | None:
    result = getattr(node, "result_type", None)
    name = getattr(result, "name", None)
    if name in (None, "UNDEFINED", "NULL", "NULLABLE"):
        return None
    return str(name)


def _literal_offset(expression: str, value: str) -> int | None:
    """Where the text of string literal ``value`` starts in ``expression`` (after its
    quote), trying the escaped spelling too; None when it cannot be found."""
    for spelling in (value, value.replace("\\", "\\\\").replace('"', '\\"')):
        for quote in ('"', "'"):
            index = expression.find(quote + spelling + quote)
            if index >= 0:
                return index + 1
    return None


def _offset_of(expression: str, needle: str) -> int:
    """Where ``needle`` stands as a whole name in ``expression`` (0 if nowhere)."""
    if not needle:
        return 0
    match = re.search(rf"(?<![\w$]){re.escape(needle)}(?!\w)", expression)
    if match is None:
        index = expression.find(needle)
        return max(index, 0)
    return match.start()


_OPERATORS = {
    "eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "add": "+",
    "sub": "-", "mul": "*", "tdiv": "/", "fdiv": "//", "mod": "%", "pow": "**",
    "eq_fzm": "=~", "eq_fzs": "=~~", "ne_fzm": "!~", "ne_fzs": "!~~", "and": "and", "or": "or",
}  # fmt: skip


def _constant_variables(statement: Any) -> frozenset[str]:
    """Comprehension variables that run over constants only (a watch list, a literal
    list), never over shipment data; a name also bound over data is not one."""
    constant: set[str] = set()
    data: set[str] = set()
    comprehensions = [n for n in _walk(statement) if isinstance(n, re_ast.ComprehensionExpression)]
    changed = True
    while changed:  # nested comprehensions: a variable over a constant variable is constant
        changed = False
        for node in comprehensions:
            target = data if _shipment_symbols(node.iterable, frozenset(constant)) else constant
            if node.variable not in target:
                target.add(node.variable)
                changed = True
    return frozenset(constant - data)


def _shipment_symbols(node: Any, constant_variables: frozenset[str]) -> list[str]:
    """The shipment fields (and data-bound variables) ``node`` reads, in order."""
    return list(
        dict.fromkeys(
            n.name
            for n in _walk(node)
            if isinstance(n, re_ast.SymbolExpression)
            and n.scope is None
            and n.name not in constant_variables
        )
    )


def _offset_after(expression: str, operator: str, name: str) -> int:
    """Where ``name`` stands after the first ``operator`` in ``expression``."""
    start = max(expression.find(operator), 0)
    return start + _offset_of(expression[start:], name)


def _pattern_text(node: Any, bound: Mapping[str, str]) -> str | None:
    """The pattern a regex operand builds from literals, ``+`` and the variables in
    ``bound``; None when it is built otherwise."""
    if isinstance(node, re_ast.StringExpression):
        return str(node.value)
    if isinstance(node, re_ast.SymbolExpression) and node.scope is None:
        return bound.get(node.name)
    if isinstance(node, re_ast.AddExpression):
        left, right = _pattern_text(node.left, bound), _pattern_text(node.right, bound)
        return None if left is None or right is None else left + right
    return None


def _list_pattern_problems(
    expression: str,
    statement: Any,
    node: Any,
    lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]],
) -> list[CompileProblem]:
    """A regex built from a watch list's values (``[n for n in $names if description =~~
    ("\\b" + n + "\\b")]``) is compiled for every value when the profile loads, so that a
    value that makes it invalid is refused then, not reported on every shipment."""
    over = {
        n.variable: n.iterable.name
        for n in _walk(statement)
        if isinstance(n, re_ast.ComprehensionExpression)
        and isinstance(n.iterable, re_ast.SymbolExpression)
        and n.iterable.scope == "built-in"
        and n.iterable.name in lists
    }
    direct = [
        n.name
        for n in _walk(node.right)
        if isinstance(n, re_ast.SymbolExpression) and n.scope == "built-in" and n.name in lists
    ]
    if direct:  # $terms.to_ary[0]: a value the loader cannot check one by one
        return [_unchecked_list_regex(expression, direct[0])]
    used = [
        n.name
        for n in _walk(node.right)
        if isinstance(n, re_ast.SymbolExpression) and n.scope is None and n.name in over
    ]
    if len(set(used)) != 1:
        return []
    variable = used[0]
    name = over[variable]
    items = lists[name][1]
    values = items if isinstance(items, frozenset | set) else items.at(None)
    for value in sorted(values, key=str):
        if not isinstance(value, str):
            return []
        pattern = _pattern_text(node.right, {variable: value})
        if pattern is None:  # t.as_upper, t[1:]...: built some other way
            return [_unchecked_list_regex(expression, name)]
        for problem in regex_problems(pattern):
            return [
                CompileProblem(
                    "regex",
                    f"list ${name} holds {value!r}, which makes the regex {pattern!r} "
                    f"invalid: {problem.message}",
                    _offset_of(expression, f"${name}"),
                    "escape the regex characters in the value (\\. \\( \\+), or test the "
                    "value with 'in' instead of a regex",
                )
            ]
    return []


def _unchecked_list_regex(expression: str, name: str) -> CompileProblem:
    """A regex built from a watch list in a shape whose pattern the loader cannot work out
    per value: refused, so that a value that breaks it is never found only at run time."""
    return CompileProblem(
        "regex",
        f"a regex built from list ${name} must be literals and the list's value joined with "
        "'+', so that the loader can check it for every value",
        _offset_of(expression, f"${name}"),
        f'write [t for t in ${name} if description =~~ ("\\b" + t + "\\b")] (=~~ already '
        "ignores case)",
    )


MAX_LITERAL_LIST = 1000
"""The most items a literal list (``[...]``) may hold: ``in`` reads it item by item on
every evaluation, where a watch list is one lookup whatever its size."""


def _uses_range(node: Any) -> bool:
    return any(
        isinstance(n, re_ast.SymbolExpression) and n.scope == "built-in" and n.name == "range"
        for n in _walk(node)
    )


def _cost_problems(expression: str, node: Any) -> list[CompileProblem]:
    """Constructs whose cost on every shipment grows with a literal: ``$range(10**6)``,
    literal lists of many thousand items, and a ``$range`` comprehension inside another
    (their sizes multiply: 1,000 x 1,000 evaluations on every shipment)."""
    if isinstance(node, re_ast.ComprehensionExpression) and _uses_range(node.iterable):
        inner = [node.result] + ([node.condition] if node.condition is not None else [])
        if any(
            isinstance(n, re_ast.ComprehensionExpression) and _uses_range(n.iterable)
            for part in inner
            for n in _walk(part)
        ):
            return [
                CompileProblem(
                    "too_complex",
                    "a comprehension over a $range inside another comprehension over a "
                    f"$range runs up to {MAX_RANGE:,} x {MAX_RANGE:,} times on every shipment",
                    _offset_of(expression, "$range"),
                    "compare with bounds instead of iterating numbers",
                )
            ]
    if (
        isinstance(node, re_ast.FunctionCallExpression)
        and isinstance(node.function, re_ast.SymbolExpression)
        and node.function.scope == "built-in"
        and node.function.name == "range"
        and all(isinstance(a, re_ast.FloatExpression) for a in node.arguments)
    ):
        length = _range_length(*(a.value for a in node.arguments))
        if length > MAX_RANGE:
            return [
                CompileProblem(
                    "too_complex",
                    f"$range here builds {length:,} numbers on every shipment; at most "
                    f"{MAX_RANGE:,} are allowed",
                    _offset_of(expression, "$range"),
                    "compare with bounds instead: x >= 0 and x < 1000000",
                )
            ]
    if isinstance(node, re_ast.ArrayExpression) and len(node.value) > MAX_LITERAL_LIST:
        return [
            CompileProblem(
                "too_complex",
                f"a literal list of {len(node.value):,} items is read item by item on every "
                f"shipment; at most {MAX_LITERAL_LIST:,} are allowed",
                max(expression.find("["), 0),
                "put the values in a watch list (lists: ...) and test 'x in $name'",
            )
        ]
    return []


def list_regex_problems(
    condition: Condition, lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]]
) -> list[CompileProblem]:
    """The regexes ``condition`` builds from watch-list values, compiled for every value
    of ``lists``: for a loader that fills the lists after compiling the conditions."""
    statement = condition.rule.statement
    problems = []
    for node in _walk(statement):
        if isinstance(node, re_ast.FuzzyComparisonExpression):
            problems += _list_pattern_problems(condition.expression, statement, node, lists)
    return problems


def _check_tree(expression: str, statement: Any, lists: Mapping[str, Any]) -> list[CompileProblem]:
    problems = []
    constant_variables = _constant_variables(statement)
    variables = _comprehension_fields(statement)
    for node in _walk(statement):
        if (
            isinstance(node, re_ast.SymbolExpression)
            and node.scope == "built-in"
            and node.name not in lists
            and node.name not in _ALLOWED_BUILTINS
        ):
            listed = sorted(lists)
            problems.append(
                CompileProblem(
                    "unknown_list",
                    f"unknown list ${node.name}"
                    + (f" (the profile's lists: {', '.join(listed)})" if listed else ""),
                    _offset_of(expression, f"${node.name}"),
                    _suggest(node.name, listed),
                )
            )
        if isinstance(node, re_ast.ComparisonExpression) and node.type in ("eq", "ne"):
            left, right = _kind(node.left), _kind(node.right)
            if left and right and left != right:
                problems.append(
                    CompileProblem(
                        "type_mismatch",
                        f"{_describe(node.left)} is {_KIND_NAMES.get(left, left)} but "
                        f"{_describe(node.right)} is {_KIND_NAMES.get(right, right)}: "
                        f"'{'==' if node.type == 'eq' else '!='}' between them is always "
                        f"{'false' if node.type == 'eq' else 'true'}",
                        _offset_of(expression, getattr(node.left, "name", "") or ""),
                    )
                )
        problems += _choice_problems(expression, node, variables)
        problems += _spelling_problems(expression, node, variables)
        if isinstance(node, re_ast.ContainsExpression):
            problems += _element_type_problems(expression, node, lists)
            member, container = _kind(node.member), _kind(node.container)
            if member in ("ARRAY", "SET") and container in ("ARRAY", "SET"):
                problems.append(
                    CompileProblem(
                        "type_mismatch",
                        f"{_describe(node.member)} is a list, so 'in' asks whether the whole "
                        "list is one element of the other, which is never true; to test its "
                        "elements write [x for x in "
                        f"{getattr(node.member, 'name', 'field')} if x in ...].length > 0",
                        _offset_of(expression, getattr(node.member, "name", "") or ""),
                    )
                )
        if isinstance(node, re_ast.FuzzyComparisonExpression):
            data = _shipment_symbols(node.right, constant_variables)
            if data:
                problems.append(
                    CompileProblem(
                        "regex",
                        f"the regex on the right of '{_OPERATORS[node.type]}' is read from "
                        f"the shipment ({', '.join(data)}): a pattern must be written in the "
                        "profile (a text literal, or built from a watch list), never taken "
                        "from manifest data",
                        _offset_after(expression, _OPERATORS[node.type], data[0]),
                        "to compare two fields, use == or .starts_with(...)",
                    )
                )
            else:
                problems += _list_pattern_problems(expression, statement, node, lists)
        problems += _cost_problems(expression, node)
        problems += _helper_problems(expression, node)
        if (
            isinstance(node, re_ast.SymbolExpression)
            and node.scope == "built-in"
            and node.name in FORBIDDEN_BUILTINS
        ):
            problems.append(
                CompileProblem(
                    "forbidden_builtin",
                    f"${node.name} is not allowed: scores must be reproducible",
                    _offset_of(expression, f"${node.name}"),
                )
            )
    return problems


def _field_choices(
    node: Any, variables: Mapping[str, str | None] | None = None
) -> tuple[str, tuple[str, ...]] | None:
    """The field ``node`` reads and its allowed values, when it is a closed set;
    ``variables`` maps comprehension variables to the list field they run over (None for
    anything else), so that ``[t for t in sealer_types if t == "x"]`` is checked too."""
    if not isinstance(node, re_ast.SymbolExpression) or node.scope is not None:
        return None
    name = node.name
    if variables and name in variables:
        over = variables[name]
        if over is None:
            return None
        name = over
    spec = _catalogue().get(name)
    if spec is None or not spec.choices:
        return None
    return spec.name, spec.choices


def _string_literals(node: Any) -> list[str]:
    """The text literals of a literal list or set (``["a", "b"]``), else none."""
    if isinstance(node, re_ast.ArrayExpression | re_ast.SetExpression):
        return [item.value for item in node.value if isinstance(item, re_ast.StringExpression)]
    return []


def _comprehension_fields(statement: Any) -> dict[str, str | None]:
    """Each comprehension variable and the list field it runs over (None when it runs
    over anything else, or over several things under one name)."""
    found: dict[str, str | None] = {}
    for n in _walk(statement):
        if isinstance(n, re_ast.ComprehensionExpression):
            iterable = n.iterable
            field = (
                iterable.name
                if isinstance(iterable, re_ast.SymbolExpression) and iterable.scope is None
                else None
            )
            found[n.variable] = field if found.get(n.variable, field) == field else None
    return found


def _choice_problems(
    expression: str, node: Any, variables: Mapping[str, str | None] | None = None
) -> list[CompileProblem]:
    """A text literal compared with a closed-set field (``container_type == "refer"``,
    ``freight_payer_role in ["third party"]``, ``"sealed" in sealer_types``) that is none
    of the field's values: the test could never be true, so it is refused."""
    pairs = _compared_literals(node, lambda side: _field_choices(side, variables))
    problems = []
    for (name, choices), value, op in pairs:
        if value in choices:
            continue
        offset = _literal_offset(expression, value)
        never = "true" if op == "!=" else "false"
        problems.append(
            CompileProblem(
                "unknown_value",
                f"{value!r} is not a value of {name} (one of: {', '.join(choices)}), so "
                f"'{op}' with it is always {never}",
                offset - 1 if offset is not None else _offset_of(expression, name),
                _suggest_value(value, choices),
            )
        )
    return problems


def _compared_literals(node: Any, key: Callable[[Any], _K | None]) -> list[tuple[_K, str, str]]:
    """The text literals ``node`` compares with a text field, as (``key`` of the field
    side, literal, operator): ``field == "x"`` and ``"x" != field``, ``field in ["x",
    ...]``, and ``"x" in list_field``. ``key`` names the field side (None: not a field)."""
    pairs: list[tuple[_K, str, str]] = []
    if isinstance(node, re_ast.ComparisonExpression) and node.type in ("eq", "ne"):
        op = "==" if node.type == "eq" else "!="
        for field_side, literal in ((node.left, node.right), (node.right, node.left)):
            found = key(field_side)
            text = isinstance(literal, re_ast.StringExpression)
            if found and text and _kind(field_side) == "STRING":
                pairs.append((found, literal.value, op))
    elif isinstance(node, re_ast.ContainsExpression):
        found = key(node.member)
        if found and _kind(node.member) == "STRING":
            pairs += [(found, value, "in") for value in _string_literals(node.container)]
        found = key(node.container)
        if (
            found
            and _kind(node.container) == "ARRAY"
            and isinstance(node.member, re_ast.StringExpression)
        ):
            pairs.append((found, node.member.value, "in"))
    return pairs


def _field_name(node: Any, variables: Mapping[str, str | None] | None = None) -> str | None:
    """The field ``node`` reads (through a comprehension variable too), else None."""
    if not isinstance(node, re_ast.SymbolExpression) or node.scope is not None:
        return None
    if variables and node.name in variables:
        return variables[node.name]
    return str(node.name)


def _spelling_problems(
    expression: str, node: Any, variables: Mapping[str, str | None] | None = None
) -> list[CompileProblem]:
    """A text literal compared with a field the readers normalise (``port_of_loading ==
    "ecgye"``, ``consignee_name in ["Al  Buraq"]``, ``"ec" in route_countries``) but not
    written the way the field is: no value of the field can ever equal it, so it is
    refused with the field's spelling, as a watch list's values are normalised for it
    (a value the lenient readers keep though it breaks the field's format is left alone).
    Closed-set fields are left to :func:`_choice_problems`."""
    from riskprofile.profiles._lists import field_format  # _lists imports this module

    pairs = _compared_literals(node, lambda side: _field_name(side, variables))
    problems = []
    for name, value, op in pairs:
        spec = _catalogue().get(name)
        found = field_format(name)
        if found is None or spec is None or spec.choices or not value.strip():
            continue  # a blank literal is a test for blank, left to the null lint
        written = found.normalise(value)
        if written == value or not written:
            continue
        offset = _literal_offset(expression, value)
        never = "true" if op == "!=" else "false"
        message = (
            f"{value!r} is not how {name} is written ({found.name}: the readers make "
            f"it {written!r})"
        )
        suggestion = f"did you mean {written!r}?"
        problems.append(
            CompileProblem(
                "unknown_value",
                f"{message}, so '{op}' with it is always {never}",
                offset - 1 if offset is not None else _offset_of(expression, name),
                suggestion,
            )
        )
    return problems


def _suggest_value(value: str, choices: tuple[str, ...]) -> str | None:
    folded = {choice.casefold(): choice for choice in choices}
    if value.casefold() in folded:
        return f"did you mean {folded[value.casefold()]!r}?"
    normal = {re.sub(r"[\W_]+", "", c.casefold()): c for c in choices}
    key = re.sub(r"[\W_]+", "", value.casefold())
    if key in normal:
        return f"did you mean {normal[key]!r}?"
    close = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=0.6)
    return f"did you mean {folded[close[0]]!r}?" if close else None


def _element_kind(node: Any) -> str | None:
    """The kind of a list's or set's elements (None when mixed or unknown)."""
    result = getattr(node, "result_type", None)
    if getattr(result, "name", None) not in ("ARRAY", "SET"):
        return None
    return _kind(_Typed(getattr(result, "value_type", None)))


@dataclass(frozen=True, slots=True)
class _Typed:
    result_type: Any


def _element_type_problems(
    expression: str, node: Any, lists: Mapping[str, Any]
) -> list[CompileProblem]:
    """``packages in $codes`` where ``$codes`` holds text (or a text field in a number
    list): a number is never equal to a text, so the test is never true."""
    member, elements = _kind(node.member), _element_kind(node.container)
    if (
        member not in ("STRING", "FLOAT", "DATETIME", "BOOLEAN")
        or elements not in ("STRING", "FLOAT", "DATETIME", "BOOLEAN")
        or member == elements
    ):
        return []
    container = node.container
    holds = _KIND_NAMES.get(elements, elements)
    holds = "numbers" if elements == "FLOAT" else "dates" if elements == "DATETIME" else holds
    suggestion = None
    if isinstance(container, re_ast.SymbolExpression) and container.scope == "built-in":
        name = container.name
        if member == "FLOAT" and elements == "STRING":
            suggestion = f"give list {name!r} 'type: number'"
        elif member == "STRING" and elements == "FLOAT" and name in lists:
            suggestion = f"remove 'type: number' from list {name!r}"
    elif isinstance(container, re_ast.ArrayExpression | re_ast.SetExpression):
        suggestion = (
            "write the values as numbers, without quotes"
            if member == "FLOAT"
            else 'write the values as text, in quotes ("20")'
            if member == "STRING"
            else None
        )
    return [
        CompileProblem(
            "type_mismatch",
            f"{_describe(node.member)} is {_KIND_NAMES.get(member, member)} but "
            f"{_describe(container)} holds {holds}: 'in' between them is never true",
            _offset_of(expression, getattr(node.member, "name", "") or ""),
            suggestion,
        )
    ]


def _suggest(name: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


@dataclass(frozen=True, slots=True)
class Condition:
    """A compiled expression, evaluated against a record with an explicit ``as_of``."""

    expression: str
    rule: rule_engine.Rule
    fields: frozenset[str]
    lists: frozenset[str]
    # What of the evaluation time the condition reads: "now" ($now), "today" ($today
    # only) or None; and the lists it reads whose values depend on it (entries expire).
    reads_time: str | None = None
    timed_lists: Mapping[str, ListValues] = dataclasses.field(default_factory=dict, compare=False)

    def time_key(self, as_of: dt.datetime) -> tuple[Any, ...]:
        """What the condition reads of the evaluation time ``as_of`` (UTC): equal for two
        times at which every evaluation gives the same result on any record. ``()`` for a
        condition that reads no time and no list with expiring entries."""
        if self.reads_time is None and not self.timed_lists:
            return ()
        moment: Any = None
        if self.reads_time == "now":
            moment = as_of
        elif self.reads_time == "today":
            moment = as_of.date()
        return (moment, *(self.timed_lists[name].epoch(as_of) for name in sorted(self.timed_lists)))

    def evaluate(self, record: Mapping[str, Any], as_of: AsOf) -> bool:
        """True when the condition holds for ``record`` (see :func:`record_of`) at
        ``as_of`` (a datetime, a date or an ISO 8601 string, as :func:`riskprofile.score`
        takes it).

        Raises rule_engine.EngineError when it cannot be evaluated, typically because a
        field it needs is null.
        """
        # Shipment dates are midnight UTC, so $today must be too, whatever zone as_of has.
        if as_of is not None and (type(as_of) is not dt.datetime or as_of.tzinfo is not dt.UTC):
            as_of = as_of_datetime(as_of)
        _EVALUATION.as_of = as_of
        try:
            return bool(self.rule.matches(record))
        except TypeError as exc:
            # rule-engine lets a few operations on a null escape as Python errors (e.g.
            # '"A" in description' with no description): the shipment cannot be
            # evaluated, which must be a note, never a crash of the whole batch.
            raise rule_engine.EvaluationError(f"cannot apply to a null value ({exc})") from exc
        except UnicodeEncodeError as exc:
            # RE2 matches UTF-8: a text with an unpaired surrogate has none.
            raise rule_engine.EvaluationError(
                f"a regex cannot read text that is not valid Unicode ({exc.reason})"
            ) from exc
        finally:
            _EVALUATION.as_of = None


def compile_condition(
    expression: str, lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]]
) -> Condition | list[CompileProblem]:
    """Compile ``expression`` or return every problem found, each with its offset."""
    context = _context(lists)
    forbidden = [
        name for name in sorted(FORBIDDEN_BUILTINS)
        if re.search(rf"\${name}(?!\w)", expression) and name not in lists
    ]  # fmt: skip
    if forbidden:
        return [
            CompileProblem(
                "forbidden_builtin",
                f"${name} is not allowed: scores must be reproducible",
                _offset_of(expression, f"${name}"),
            )
            for name in forbidden
        ]
    try:
        rule = _Re2Rule(expression, context=context)
    except RecursionError:
        return [
            CompileProblem(
                "too_complex",
                "the condition is nested too deeply to compile; split it into several indicators",
            )
        ]
    except rule_engine.RuleSyntaxError as exc:
        token = exc.token
        offset = len(expression) if token is None else int(token.lexpos)
        near = "the end" if token is None else repr(token.value)
        return [
            CompileProblem(
                "syntax",
                f"syntax error at {near}",
                offset,
                _syntax_suggestion(expression, offset),
            )
        ]
    except rule_engine.SymbolResolutionError as exc:
        name = exc.symbol_name
        if exc.symbol_scope == "built-in":
            listed = sorted(lists)
            return [
                CompileProblem(
                    "unknown_list",
                    f"unknown list ${name}"
                    + (f" (the profile's lists: {', '.join(listed)})" if listed else ""),
                    _offset_of(expression, f"${name}"),
                    _suggest(name, listed),
                )
            ]
        return [
            CompileProblem(
                "unknown_field",
                f"unknown field {name!r}",
                _offset_of(expression, name),
                _KEYWORDS.get(name) or _suggest(name, list(_catalogue())),
            )
        ]
    except rule_engine.AttributeResolutionError as exc:
        name = str(exc.attribute_name)
        if name.startswith("_"):
            return [
                CompileProblem(
                    "forbidden_attribute",
                    f"attribute {name!r} is not allowed: expressions reach shipment fields "
                    "and rule-engine attributes only",
                    _offset_of(expression, f".{name}") + 1,
                )
            ]
        return [
            CompileProblem(
                "unknown_attribute",
                f"attribute {name!r} does not exist on "
                f"{_KIND_NAMES.get(exc.object.name, exc.object.name)}",
                _offset_of(expression, f".{name}") + 1,
                exc.suggestion and f"did you mean {exc.suggestion!r}?",
            )
        ]
    except rule_engine.errors.RegexSyntaxError as exc:
        return [_regex_problem(expression, str(exc.value), exc.error)]
    except rule_engine.EngineError as exc:
        # Mostly type errors found while compiling (a number compared with text, a list
        # used in arithmetic): name the operands if our own check can.
        typed = _untyped_problems(expression, lists)
        if typed:
            return typed
        return [CompileProblem("type_mismatch", str(getattr(exc, "message", exc)), 0)]
    problems = _check_tree(expression, rule.statement, lists)
    if problems:
        return problems
    _read_once(rule.statement)
    fields = frozenset(context.symbols) & set(_catalogue())
    used_lists = frozenset(
        n.name
        for n in _walk(rule.statement)
        if isinstance(n, re_ast.SymbolExpression) and n.scope == "built-in" and n.name in lists
    )
    built_ins = {
        n.name
        for n in _walk(rule.statement)
        if isinstance(n, re_ast.SymbolExpression) and n.scope == "built-in"
    }
    reads_time = "now" if "now" in built_ins else "today" if "today" in built_ins else None
    timed = {
        name: items
        for name, (_kind, items) in lists.items()
        if name in used_lists and not isinstance(items, frozenset | set)
    }
    return Condition(expression, rule, fields, used_lists, reads_time, timed)


def _regex_problem(expression: str, pattern: str, error: Any) -> CompileProblem:
    """A refused regex literal, at its position (and inside it, where RE2 says)."""
    problem = error.problem if isinstance(error, RegexRefused) else None
    if problem is None:
        found = regex_problems(pattern)
        problem = found[0] if found else None
    message = problem.message if problem else str(error)
    start = _literal_offset(expression, pattern)
    if start is None:
        return CompileProblem("regex", f"regex {pattern!r}: {message}", 0)
    inside = problem.offset if problem and problem.offset is not None else -1
    return CompileProblem("regex", f"regex {pattern!r}: {message}", start + inside)


# Words from other languages, and what this one writes instead.
_KEYWORDS = {
    "None": "write null", "NULL": "write null", "Null": "write null", "nil": "write null",
    "True": "write true", "TRUE": "write true", "False": "write false",
    "FALSE": "write false",
}  # fmt: skip
_WORDS = {
    "AND": "and", "And": "and", "OR": "or", "Or": "or", "NOT": "not", "Not": "not",
    "IN": "in", "In": "in", "IS": "==", "is": "==",
}  # fmt: skip


def _syntax_suggestion(expression: str, offset: int) -> str | None:
    """What the author probably meant where the parser stopped: ``=`` for ``==``, ``&&``
    for ``and``, ``AND`` for ``and``, ``x contains y`` for ``y in x``, ..."""
    rest, before = expression[offset:], expression[:offset].rstrip()
    word = re.match(r"[A-Za-z_]\w*", rest)
    previous = re.search(r"([A-Za-z_]\w*)$", before)
    if rest.startswith("="):
        if before.endswith("=="):
            return "write '==' (two '=')"
        return "write '==' to compare ('=' alone is no comparison)"
    if rest.startswith(">") and before.endswith("<"):
        return "write '!=' for 'is not equal'"
    if rest.startswith("&"):
        return "write 'and'"
    if rest.startswith("|"):
        return "write 'or'"
    if rest.startswith("!"):
        return "write 'not' (or '!=' to compare)"
    if word and word.group() in _WORDS:
        return f"keywords are lower case: write '{_WORDS[word.group()]}'"
    if previous and previous.group(1) in _WORDS:
        return f"keywords are lower case: write '{_WORDS[previous.group(1)]}'"
    if word and word.group().lower() == "contains":
        subject = previous.group(1) if previous else "list"
        value = re.match(r"\s*(\"[^\"]*\"|'[^']*'|\S+)", rest[word.end() :])
        item = value.group(1) if value else '"x"'
        return f"write '{item} in {subject}' (an element of a list, or a part of a text)"
    if word and word.group().lower() in ("matches", "like", "match", "regex"):
        return "write '=~' (a regex from the start) or '=~~' (a regex anywhere in the text)"
    return None


# Attributes whose type an untyped parse does not give, for explaining type errors.
_ATTRIBUTE_KINDS = {
    "length": "FLOAT", "as_lower": "STRING", "as_upper": "STRING", "days": "FLOAT",
    "total_seconds": "FLOAT", "year": "FLOAT", "month": "FLOAT", "day": "FLOAT",
    "hour": "FLOAT", "is_empty": "BOOLEAN",
}  # fmt: skip


def _untyped_kind(node: Any, lists: Mapping[str, Any]) -> str | None:
    """The kind of ``node`` in an untyped parse: fields, ``$today``, lists, attributes."""
    if isinstance(node, re_ast.SymbolExpression):
        if node.scope is None:
            return getattr(field_types().get(node.name), "name", None)
        if node.name in ("today", "now"):
            return "DATETIME"
        return "SET" if node.name in lists else None
    if isinstance(node, re_ast.GetAttributeExpression):
        return _ATTRIBUTE_KINDS.get(node.name)
    if isinstance(node, re_ast.BinaryExpressionBase) and _OPERATORS.get(node.type) in ("+", "-"):
        left, right = _untyped_kind(node.left, lists), _untyped_kind(node.right, lists)
        if left == right == "FLOAT":
            return "FLOAT"
    return _kind(node)


def _duration_hint(node: Any, kinds: tuple[str | None, str | None], op: str) -> str | None:
    """``$today - 45``: a date and a number of days, written as a duration instead."""
    if op not in ("+", "-") or set(kinds) != {"DATETIME", "FLOAT"}:
        return None
    number = node.right if kinds[1] == "FLOAT" else node.left
    days = getattr(number, "value", None)
    if not isinstance(days, Decimal) or days != days.to_integral_value() or days < 0:
        return 'a number of days is a duration: write t"P45D" (45 days), t"PT12H" (12 hours)'
    return f'a number of days is a duration: write t"P{int(days)}D" for {int(days)} days'


def _untyped_problems(expression: str, lists: Mapping[str, Any]) -> list[CompileProblem]:
    """Explain a type error by walking an untyped parse and typing its symbols ourselves."""
    context = rule_engine.Context(default_timezone="utc")
    names = {"today", "now", *lists}
    context.builtins = Builtins.from_defaults(
        values=dict.fromkeys(names),
        value_types=dict.fromkeys(names, DataType.UNDEFINED),
        timezone=context.default_timezone,
    )
    try:
        rule = _Re2Rule(expression, context=context)
    except rule_engine.EngineError:
        return []
    problems = []
    for node in _walk(rule.statement):
        problems += _list_method_problems(expression, node)
        if not isinstance(node, re_ast.BinaryExpressionBase):
            continue
        left, right = _untyped_kind(node.left, lists), _untyped_kind(node.right, lists)
        if left and right and left != right:
            op = _OPERATORS.get(getattr(node, "type", "?"), getattr(node, "type", "?"))
            problems.append(
                CompileProblem(
                    "type_mismatch",
                    f"{_describe(node.left)} is {_KIND_NAMES.get(left, left)} but "
                    f"{_describe(node.right)} is {_KIND_NAMES.get(right, right)}: "
                    f"they cannot be combined with '{op}'",
                    _offset_of(expression, _name_in(node.left) or _name_in(node.right)),
                    _duration_hint(node, (left, right), op),
                )
            )
    return problems


def _name_in(node: Any) -> str:
    """The first field or ``$name`` written in ``node``, for a position."""
    for n in _walk(node):
        if isinstance(n, re_ast.SymbolExpression):
            return f"${n.name}" if n.scope == "built-in" else str(n.name)
    return ""


def _list_method_problems(expression: str, node: Any) -> list[CompileProblem]:
    """``hs_codes.starts_with("08")``: on a list, ``.starts_with`` compares its first
    elements with another list, so a text argument is a type error; say what to write."""
    if not (
        isinstance(node, re_ast.FunctionCallExpression)
        and isinstance(node.function, re_ast.GetAttributeExpression)
        and node.function.name in ("starts_with", "ends_with")
        and isinstance(node.function.object, re_ast.SymbolExpression)
        and node.function.object.scope is None
        and field_types().get(node.function.object.name) == DataType.ARRAY(DataType.STRING)
    ):
        return []
    name, method = node.function.object.name, node.function.name
    starts = method == "starts_with"
    helper = "$any_starts_with" if starts else "$any_ends_with"
    first = node.arguments[0] if node.arguments else None
    listed = isinstance(first, re_ast.SymbolExpression) and first.scope == "built-in"
    argument = _describe(first) if listed else f"[{_describe(first) if first else '...'}]"
    return [
        CompileProblem(
            "type_mismatch",
            f"'{name}' is a list, and .{method}(...) on a list compares its "
            f"{'first' if starts else 'last'} elements with another list, not each element "
            "with a text",
            _offset_of(expression, name),
            f"to test whether any element {'starts' if starts else 'ends'} with one of the "
            f"texts, write {helper}({name}, {argument})",
        )
    ]


# --- records and explanations --------------------------------------------------------------


class _Record(dict[str, Any]):
    """A record made by :func:`record_of`: a plain mapping of field values, which also
    keeps each field's value once a condition has read it (see :class:`_FieldSymbol`)."""

    __slots__ = ("read",)

    def __init__(self) -> None:
        super().__init__()
        self.read: dict[str, Any] = {}


_UNREAD = object()


class _FieldSymbol(re_ast.SymbolExpression):  # type: ignore[misc]
    """A shipment field in a condition. rule-engine checks the value it resolves against
    the field's type on every read (about a third of the time one shipment takes); the
    value of a field of one record, and the result of that check, are the same every
    time, so a :class:`_Record` keeps what the first read returned. Only fields no
    comprehension variable of the condition shadows are made so (see
    :func:`_read_once`); the first read, and any read that raises, is rule-engine's own.
    """

    __slots__ = ()

    def evaluate(self, thing: Any) -> Any:
        if type(thing) is not _Record:
            return super().evaluate(thing)
        value = thing.read.get(self.name, _UNREAD)
        if value is _UNREAD:
            value = thing.read[self.name] = super().evaluate(thing)
        return value


def _read_once(statement: Any) -> None:
    """Make the field symbols of a compiled statement :class:`_FieldSymbol` nodes."""
    nodes = list(_walk(statement))
    variables = {n.variable for n in nodes if isinstance(n, re_ast.ComprehensionExpression)}
    catalogue = field_types()
    for node in nodes:
        if (
            type(node) is re_ast.SymbolExpression
            and node.scope is None
            and node.name in catalogue
            and node.name not in variables
        ):
            node.__class__ = _FieldSymbol


def record_of(shipment: Shipment) -> dict[str, Any]:
    """A shipment as the mapping rules evaluate (lists as tuples, dates at midnight UTC)."""
    out = _Record()
    for name, value in shipment:
        if isinstance(value, list):
            value = tuple(value)
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
        out[name] = value
    return out


_QUOTE = re.compile(r"\$([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)")


def explanation_fields(template: str) -> list[str]:
    """The field names a template uses (``{port_of_loading}``); raises ValueError on a
    malformed template. Quotes of a list entry (``{$list.column}``) are not fields: see
    :func:`explanation_quotes`."""
    names = []
    for _literal, field, spec, conversion in string.Formatter().parse(template):
        if field is not None:
            if _QUOTE.fullmatch(field) and not (spec or conversion):
                continue
            if not field.isidentifier():
                raise ValueError(
                    f"{{{field}}} is not a field name (or a list entry's column, {{$list.column}})"
                )
            if spec or conversion:
                raise ValueError(
                    f"{{{field}...}}: format specs and conversions are not supported; "
                    f"write {{{field}}} (numbers are shown readably)"
                )
            names.append(field)
    return names


def show_value(value: Any) -> str:
    """A value as an officer reads it in an explanation (null is "unknown")."""
    if value is None:
        return "unknown"
    if isinstance(value, list | tuple):
        return ", ".join(show_value(v) for v in value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | Decimal):
        if value and abs(float(value)) < 1:
            return f"{float(value):.3g}"  # 0.004 USD/kg stays 0.004, not 0
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def explanation_quotes(template: str) -> list[tuple[str, str]]:
    """The list entry columns a template quotes: ``{$partner_warnings.sender}`` is
    ``("partner_warnings", "sender")``, in the order written."""
    quotes = []
    for _literal, field, _spec, _conversion in string.Formatter().parse(template):
        match = _QUOTE.fullmatch(field or "")
        if match is not None:
            quotes.append((match[1], match[2]))
    return list(dict.fromkeys(quotes))


def render_explanation(
    template: str, shipment: Shipment, quote: Callable[[str, str], str] | None = None
) -> str:
    """Fill ``{field}`` placeholders with the shipment's values, readable for an officer,
    and ``{$list.column}`` with ``quote(list, column)`` ("unknown" without ``quote``)."""
    values = {
        name: show_value(getattr(shipment, name, None)) for name in explanation_fields(template)
    }
    for name, column in explanation_quotes(template):
        values[f"${name}.{column}"] = quote(name, column) if quote else "unknown"
    out = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values[field])
    return "".join(out)
