"""Expressions: typed rule-engine compilation against the shipment field catalogue.

A profile's ``when`` conditions are rule-engine expressions. They are compiled once, with
a typed context derived from :func:`riskprofile.model.shipment.field_catalogue` and the
profile's watch lists as ``$name`` built-ins, so that an unknown field, an unknown list,
a type mismatch, a forbidden attribute, a literal no field value equals or a regex RE2
cannot run fails at load time with its offset in the expression. Every regex is compiled
and matched by RE2 (linear time; see :mod:`riskprofile.profiles._regex`), and the helper
functions (:data:`~riskprofile.profiles._builtins.HELPERS`) are built-ins. Evaluation
takes an explicit ``as_of`` time: ``$now`` and ``$today`` are that time, never the wall
clock.

The checks a condition passes at load time live in :mod:`._tree` (the syntax tree),
:mod:`._checks` (beyond rule-engine's typing) and :mod:`._hints` (what to say when
rule-engine refuses it); what it reads besides fields in :mod:`._builtins`; the record it
reads and the explanation of a hit in :mod:`._explain`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import functools
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import rule_engine
from rule_engine import DataType
from rule_engine import ast as re_ast
from rule_engine.builtins import Builtins, BuiltinValueGenerator

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.model.shared import EXTRA_PREFIX, extra_catalogue_type, is_extra_field
from riskprofile.profiles._builtins import (
    _EVALUATION,
    HELPERS,
    ListValues,
    _bounded_range,
    _list_at,
    _now,
    _Re2Rule,
    _today,
)
from riskprofile.profiles._checks import _check_tree, _list_pattern_problems
from riskprofile.profiles._explain import _read_once
from riskprofile.profiles._hints import (
    _KEYWORDS,
    _regex_problem,
    _syntax_suggestion,
    _untyped_problems,
)
from riskprofile.profiles._tree import (
    _KIND_NAMES,
    _TYPES,
    FORBIDDEN_BUILTINS,
    CompileProblem,
    _catalogue,
    _offset_of,
    _suggest,
    field_types,
    walk,
)

__all__ = ["Condition", "compile_condition", "condition_builtins", "custom_field_types"]


def _helper_type(name: str) -> Any:
    # Arguments are checked by _helper_problems: rule-engine's function types cannot say
    # "a list or a set of texts".
    return DataType.FUNCTION(
        name,
        return_type=DataType.BOOLEAN,
        argument_types=(DataType.UNDEFINED, DataType.UNDEFINED),
        minimum_arguments=2,
    )


_BASE_TYPES: dict[str, Any] = {}  # the types of the built-ins every context has, made once


def condition_builtins(lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]]) -> Builtins:
    """The built-ins of the conditions of one profile (``$now``, ``$today``, the helper
    functions, the profile's ``lists``): made once per profile and given to each
    :func:`compile_condition` (making them is most of what a context costs)."""
    if not _BASE_TYPES:
        types_: dict[str, Any] = {"now": DataType.DATETIME, "today": DataType.DATETIME}
        types_.update({name: _helper_type(name) for name in HELPERS})
        _BASE_TYPES.update(types_)
    values: dict[str, Any] = {
        "now": BuiltinValueGenerator(_now),
        "today": BuiltinValueGenerator(_today),
        "range": _bounded_range,
        **HELPERS,
    }
    types_ = dict(_BASE_TYPES)
    for name, (kind, items) in lists.items():
        # rule-engine's SET type is the built-in set
        values[name] = set(items) if isinstance(items, frozenset | set) else _list_at(items)
        types_[name] = DataType.SET(DataType.STRING if kind == "string" else DataType.FLOAT)
    return Builtins.from_defaults(values=values, value_types=types_, timezone=_utc())


@functools.cache
def _utc() -> Any:
    """The time zone rule-engine's ``Context(default_timezone="utc")`` uses."""
    return rule_engine.Context(default_timezone="utc").default_timezone


def _context(
    lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]],
    builtins: Builtins | None = None,
    custom: Mapping[str, Any] | None = None,
) -> rule_engine.Context:
    context = _copy_context(_template_context(custom))
    context.builtins = condition_builtins(lists) if builtins is None else builtins
    return context


# What a rule-engine Context holds for itself, each condition its own: the rest (the type
# resolver, time zone, flags) is the same for every condition with the same field types.
_OWN_STATE = ("symbols", "_thread_local", "_mapping_fallback_lock", "_mapping_fallback_warned")
_SHARED_STATE = frozenset(
    {
        "regex_flags",
        "default_timezone",
        "default_value",
        "builtins",
        "decimal_context",
        "_Context__type_resolver",
        "_Context__resolver",
        "mapping_attribute_lookup",
    }
)
_TEMPLATES: dict[tuple[tuple[str, int], ...], tuple[Mapping[str, Any], rule_engine.Context]] = {}


def _template_context(custom: Mapping[str, Any] | None) -> rule_engine.Context:
    """A ``Context(type_resolver=<the fields' types and custom>, default_timezone="utc")``
    made once per set of custom field types: making one is a third of what compiling a
    condition costs (a type map of every field, rule-engine's own built-ins)."""
    # Keyed by the type objects themselves (held in the value, so no id is reused).
    key = tuple(sorted((name, id(kind)) for name, kind in (custom or {}).items()))
    found = _TEMPLATES.get(key)
    if found is None:
        types_ = field_types() if not custom else {**field_types(), **custom}
        template = rule_engine.Context(type_resolver=types_, default_timezone="utc")
        if len(_TEMPLATES) >= 64:  # profiles with many different custom fields
            _TEMPLATES.clear()
        found = _TEMPLATES[key] = (dict(custom or {}), template)
    return found[1]


def _copy_context(template: rule_engine.Context) -> rule_engine.Context:
    """A new context equal to what ``rule_engine.Context`` would make with the template's
    arguments, sharing its immutable parts: its own symbols, thread state and lock, and
    the decimal context of the calling thread, as a new one takes."""
    state = vars(template)
    if not state.keys() <= _SHARED_STATE | set(_OWN_STATE):  # a rule-engine we do not know
        return rule_engine.Context(type_resolver=state["_Context__type_resolver"],
                                   default_timezone=template.default_timezone)  # fmt: skip
    context: rule_engine.Context = object.__new__(type(template))
    vars(context).update(state)
    context.symbols = set()
    context._thread_local = threading.local()
    context._mapping_fallback_lock = threading.Lock()
    context._mapping_fallback_warned = False
    context.decimal_context = decimal.getcontext()
    return context


def custom_field_types(extra: Mapping[str, str]) -> dict[str, Any]:
    """The rule-engine types of a profile's custom fields (``requires: extra:``), by their
    name in rules: ``{"office": "text"}`` gives ``{"x_office": STRING}``."""
    return {
        EXTRA_PREFIX + name: _TYPES[extra_catalogue_type(kind)]  # type: ignore[arg-type]
        for name, kind in extra.items()
    }


def list_regex_problems(
    condition: Condition, lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]]
) -> list[CompileProblem]:
    """The regexes ``condition`` builds from watch-list values, compiled for every value
    of ``lists``: for a loader that fills the lists after compiling the conditions."""
    if "~" not in condition.expression:  # no regex operator (=~, =~~, !~, !~~)
        return []
    statement = condition.rule.statement
    problems = []
    for node in walk(statement):
        if isinstance(node, re_ast.FuzzyComparisonExpression):
            problems += _list_pattern_problems(condition.expression, statement, node, lists)
    return problems


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
    expression: str,
    lists: Mapping[str, tuple[str, frozenset[Any] | ListValues]],
    *,
    builtins: Builtins | None = None,
    custom: Mapping[str, Any] | None = None,
) -> Condition | list[CompileProblem]:
    """Compile ``expression`` or return every problem found, each with its offset.

    ``builtins`` are :func:`condition_builtins` of ``lists``, when the caller compiles
    several conditions with the same lists (made here otherwise). ``custom`` types the
    custom fields the profile declares (``x_office`` -> rule-engine type; see
    :func:`custom_field_types`)."""
    context = _context(lists, builtins, custom)
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
        if is_extra_field(name):
            return [
                CompileProblem(
                    "unknown_field",
                    f"unknown field {name!r}: a custom field is declared by the profile",
                    _offset_of(expression, name),
                    f"declare it: requires: {{extra: {{{name[2:]}: text}}}} (or number, date, "
                    "bool, list), as the column mapping's extra: gives it",
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
    nodes = list(walk(rule.statement))  # walked once, for every check below
    problems = _check_tree(expression, rule.statement, lists, nodes)
    if problems:
        return problems
    _read_once(rule.statement, nodes)
    fields = frozenset(context.symbols) & (set(_catalogue()) | set(custom or ()))
    built_ins = {
        n.name for n in nodes if isinstance(n, re_ast.SymbolExpression) and n.scope == "built-in"
    }
    used_lists = frozenset(name for name in built_ins if name in lists)
    reads_time = "now" if "now" in built_ins else "today" if "today" in built_ins else None
    timed = {
        name: items
        for name, (_kind, items) in lists.items()
        if name in used_lists and not isinstance(items, frozenset | set)
    }
    return Condition(expression, rule, fields, used_lists, reads_time, timed)
