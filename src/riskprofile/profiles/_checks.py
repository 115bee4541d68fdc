"""Checks of a parsed condition beyond rule-engine's own typing, each finding a
:class:`~riskprofile.profiles._tree.CompileProblem` with its offset: helper arguments,
regexes built from watch lists, evaluation cost (``$range``, long literal lists),
literals no value of the field can equal (choices, spelling), the element types of list
comprehensions (:func:`_check_tree` runs them all).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from rule_engine import ast as re_ast

from riskprofile.profiles._builtins import HELPERS, MAX_RANGE, ListValues, _range_length
from riskprofile.profiles._regex import regex_problems
from riskprofile.profiles._tree import (
    _ALLOWED_BUILTINS,
    _KIND_NAMES,
    _OPERATORS,
    FORBIDDEN_BUILTINS,
    CompileProblem,
    _catalogue,
    _constant_variables,
    _describe,
    _kind,
    _literal_offset,
    _offset_after,
    _offset_of,
    _pattern_text,
    _shipment_symbols,
    _suggest,
    walk,
)

_K = TypeVar("_K")


# Which arguments may be one text rather than a list of texts.
_HELPER_TEXT_ARGUMENTS = {"any_starts_with": (1,), "any_ends_with": (1,), "intersects": ()}


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


def _list_pattern_problems(
    expression: str,
    statement: Any,
    node: Any,
    lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]],
    nodes: Sequence[Any] | None = None,
) -> list[CompileProblem]:
    """A regex built from a watch list's values (``[n for n in $names if description =~~
    ("\\b" + n + "\\b")]``) is compiled for every value when the profile loads, so that a
    value that makes it invalid is refused then, not reported on every shipment.
    ``nodes`` are ``walk(statement)`` when the caller has them."""
    over = {
        n.variable: n.iterable.name
        for n in (walk(statement) if nodes is None else nodes)
        if isinstance(n, re_ast.ComprehensionExpression)
        and isinstance(n.iterable, re_ast.SymbolExpression)
        and n.iterable.scope == "built-in"
        and n.iterable.name in lists
    }
    direct = [
        n.name
        for n in walk(node.right)
        if isinstance(n, re_ast.SymbolExpression) and n.scope == "built-in" and n.name in lists
    ]
    if direct:  # $terms.to_ary[0]: a value the loader cannot check one by one
        return [_unchecked_list_regex(expression, direct[0])]
    used = [
        n.name
        for n in walk(node.right)
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
        for n in walk(node)
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
            for n in walk(part)
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


def _check_tree(
    expression: str, statement: Any, lists: Mapping[str, Any], nodes: Sequence[Any] | None = None
) -> list[CompileProblem]:
    """Every problem of ``statement`` these checks find, in the order of its nodes
    (``nodes``: ``walk(statement)``, when the caller has them; the tree is walked once)."""
    problems = []
    nodes = list(walk(statement)) if nodes is None else nodes
    constant_variables = _constant_variables(statement, nodes)
    variables = _comprehension_fields(statement, nodes)
    for node in nodes:
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
        if isinstance(node, re_ast.ComparisonExpression | re_ast.ContainsExpression):
            # (no other node compares a literal with a field)
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
                problems += _list_pattern_problems(expression, statement, node, lists, nodes)
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


def _comprehension_fields(
    statement: Any, nodes: Sequence[Any] | None = None
) -> dict[str, str | None]:
    """Each comprehension variable and the list field it runs over (None when it runs
    over anything else, or over several things under one name)."""
    found: dict[str, str | None] = {}
    for n in walk(statement) if nodes is None else nodes:
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
