"""Expressions: typed rule-engine compilation against the shipment field catalogue.

A profile's ``when`` conditions are rule-engine expressions. They are compiled once, with
a typed context derived from :func:`riskprofile.model.shipment.field_catalogue` and the
profile's watch lists as ``$name`` built-ins, so that an unknown field, an unknown list,
a type mismatch, a forbidden attribute or an unsafe regex fails at load time with its
offset in the expression. Evaluation takes an explicit ``as_of`` time: ``$now`` and
``$today`` are that time, never the wall clock.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import string
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Protocol

import rule_engine
from rule_engine import DataType
from rule_engine import ast as re_ast
from rule_engine.builtins import Builtins, BuiltinValueGenerator

from riskprofile.model.shipment import FieldSpec, Shipment, field_catalogue
from riskprofile.profiles._regex import regex_problems
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


def _list_at(items: ListValues) -> BuiltinValueGenerator:
    # $name is the values in force at the evaluation time of the thread: the row-wise
    # engine and the columnar translation set it alike, so both read the same values.
    return BuiltinValueGenerator(lambda _b: items.at(getattr(_EVALUATION, "as_of", None)))


def _context(
    lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]],
) -> rule_engine.Context:
    context = rule_engine.Context(type_resolver=field_types(), default_timezone="utc")
    values: dict[str, Any] = {
        "now": BuiltinValueGenerator(_now),
        "today": BuiltinValueGenerator(_today),
    }
    types_: dict[str, Any] = {"now": DataType.DATETIME, "today": DataType.DATETIME}
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


def _check_tree(expression: str, statement: Any, lists: Mapping[str, Any]) -> list[CompileProblem]:
    problems = []
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
        problems += _choice_problems(expression, node)
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
        if isinstance(node, re_ast.FuzzyComparisonExpression) and isinstance(
            node.right, re_ast.StringExpression
        ):
            pattern = str(node.right.value)
            start = _literal_offset(expression, pattern)
            # Static analysis only: a load must not depend on how busy the machine is, so
            # patterns are never timed here (lint reports the warnings).
            for problem in regex_problems(pattern):
                if problem.severity == "error":
                    inside = problem.offset or 0
                    problems.append(
                        CompileProblem(
                            "regex",
                            f"regex {pattern!r}: {problem.message}",
                            start + inside if start is not None else 0,
                        )
                    )
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


def _field_choices(node: Any) -> tuple[str, tuple[str, ...]] | None:
    """The field ``node`` reads and its allowed values, when it is a closed set."""
    if not isinstance(node, re_ast.SymbolExpression) or node.scope is not None:
        return None
    spec = _catalogue().get(node.name)
    if spec is None or not spec.choices:
        return None
    return spec.name, spec.choices


def _string_literals(node: Any) -> list[str]:
    """The text literals of a literal list or set (``["a", "b"]``), else none."""
    if isinstance(node, re_ast.ArrayExpression | re_ast.SetExpression):
        return [item.value for item in node.value if isinstance(item, re_ast.StringExpression)]
    return []


def _choice_problems(expression: str, node: Any) -> list[CompileProblem]:
    """A text literal compared with a closed-set field (``container_type == "refer"``,
    ``freight_payer_role in ["third party"]``, ``"sealed" in sealer_types``) that is none
    of the field's values: the test could never be true, so it is refused."""
    pairs: list[tuple[tuple[str, tuple[str, ...]], str, str]] = []
    if isinstance(node, re_ast.ComparisonExpression) and node.type in ("eq", "ne"):
        op = "==" if node.type == "eq" else "!="
        for field_side, literal in ((node.left, node.right), (node.right, node.left)):
            found = _field_choices(field_side)
            text = isinstance(literal, re_ast.StringExpression)
            if found and text and _kind(field_side) == "STRING":
                pairs.append((found, literal.value, op))
    elif isinstance(node, re_ast.ContainsExpression):
        found = _field_choices(node.member)
        if found and _kind(node.member) == "STRING":
            pairs += [(found, value, "in") for value in _string_literals(node.container)]
        found = _field_choices(node.container)
        if (
            found
            and _kind(node.container) == "ARRAY"
            and isinstance(node.member, re_ast.StringExpression)
        ):
            pairs.append((found, node.member.value, "in"))
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
    expression: str, node: Any, lists: Mapping[str, tuple[str, frozenset[Any]]]
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

    def evaluate(self, record: Mapping[str, Any], as_of: dt.datetime) -> bool:
        """True when the condition holds for ``record`` (see :func:`record_of`).

        Raises rule_engine.EngineError when it cannot be evaluated, typically because a
        field it needs is null.
        """
        # Shipment dates are midnight UTC, so $today must be too, whatever zone as_of has.
        if as_of is not None:
            as_of = as_of.astimezone(dt.UTC) if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
        _EVALUATION.as_of = as_of
        try:
            return bool(self.rule.matches(record))
        except TypeError as exc:
            # rule-engine lets a few operations on a null escape as Python errors (e.g.
            # '"A" in description' with no description): the shipment cannot be
            # evaluated, which must be a note, never a crash of the whole batch.
            raise rule_engine.EvaluationError(f"cannot apply to a null value ({exc})") from exc
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
        rule = rule_engine.Rule(expression, context=context)
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
        return [CompileProblem("syntax", f"syntax error at {near}", offset)]
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
                _suggest(name, list(_catalogue())),
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
        return [CompileProblem("regex", f"invalid regex: {exc.message}", 0)]
    except rule_engine.EngineError as exc:
        # Mostly type errors found while compiling (a number compared with text, a list
        # used in arithmetic): name the operands if our own check can.
        typed = _untyped_problems(expression)
        if typed:
            return typed
        return [CompileProblem("type_mismatch", str(getattr(exc, "message", exc)), 0)]
    problems = _check_tree(expression, rule.statement, lists)
    if problems:
        return problems
    fields = frozenset(context.symbols) & set(_catalogue())
    used_lists = frozenset(
        n.name
        for n in _walk(rule.statement)
        if isinstance(n, re_ast.SymbolExpression) and n.scope == "built-in" and n.name in lists
    )
    return Condition(expression, rule, fields, used_lists)


def _untyped_problems(expression: str) -> list[CompileProblem]:
    """Explain a type error by walking an untyped parse and typing its symbols ourselves."""
    try:
        rule = rule_engine.Rule(expression, context=rule_engine.Context(default_timezone="utc"))
    except rule_engine.EngineError:
        return []
    types_ = field_types()
    problems = []
    for node in _walk(rule.statement):
        if not isinstance(node, re_ast.BinaryExpressionBase):
            continue
        kinds = []
        for side in (node.left, node.right):
            if isinstance(side, re_ast.SymbolExpression) and side.scope is None:
                kinds.append(getattr(types_.get(side.name), "name", None))
            else:
                kinds.append(_kind(side))
        left, right = kinds
        if left and right and left != right:
            op = _OPERATORS.get(getattr(node, "type", "?"), getattr(node, "type", "?"))
            problems.append(
                CompileProblem(
                    "type_mismatch",
                    f"{_describe(node.left)} is {_KIND_NAMES.get(left, left)} but "
                    f"{_describe(node.right)} is {_KIND_NAMES.get(right, right)}: "
                    f"they cannot be combined with '{op}'",
                    _offset_of(expression, getattr(node.left, "name", "") or ""),
                )
            )
    return problems


# --- records and explanations --------------------------------------------------------------


def record_of(shipment: Shipment) -> dict[str, Any]:
    """A shipment as the mapping rules evaluate (lists as tuples, dates at midnight UTC)."""
    out: dict[str, Any] = {}
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
