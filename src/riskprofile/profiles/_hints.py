"""What to tell the analyst when rule-engine refuses a condition: a suggestion for a syntax
error, the operation that has no meaning on the kinds of value given (an untyped
comparison, a duration written as a number, a list method on text) and where a regex
literal RE2 cannot compile is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import rule_engine
from rule_engine import DataType
from rule_engine import ast as re_ast
from rule_engine.builtins import Builtins

from riskprofile.profiles._builtins import _Re2Rule
from riskprofile.profiles._regex import RegexRefused, regex_problems
from riskprofile.profiles._tree import (
    _KIND_NAMES,
    _OPERATORS,
    CompileProblem,
    _describe,
    _kind,
    _literal_offset,
    _name_in,
    _offset_of,
    field_types,
    walk,
)


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
    for node in walk(rule.statement):
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
