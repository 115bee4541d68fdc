"""Compiled conditions reused within a load and across loads of one process.

Parsing and checking a condition is most of what loading a profile costs, and the same
conditions are compiled again and again: an overlay repeats its base's conditions, a
service reloads its library, the test suite loads the bundled library hundreds of times
per process. What compiling gives depends on the expression's text, the types of the
fields (the catalogue's and the profile's custom fields), the names and kinds of the
profile's watch lists and the decimal context; never on the lists' values, which a
loader fills in after compiling (each list is read through a slot, empty while its
conditions compile). So a condition compiled once is kept as a template, and a later
compile with the same inputs copies the template's syntax tree with a new rule-engine
context holding that profile's own built-ins (its lists, ``$now``...): nothing of the
template, and nothing of another profile's lists, is reachable from the copy.

Only what is known to be safe to share is shared between a template and its copies:
texts, numbers, dates, rule-engine types and compiled RE2 patterns (immutable). Nodes,
containers of nodes and the evaluators bound to a node are copied; a tree holding
anything else is never kept as a template (it is compiled each time). A compile that
finds problems is never kept either: its messages always come from compiling.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import threading
import types
from collections.abc import Mapping
from typing import Any

from rule_engine import ast as re_ast
from rule_engine.builtins import Builtins
from rule_engine.types import _DataTypeDef

from riskprofile.profiles._builtins import ListValues
from riskprofile.profiles._expressions import (
    Condition,
    _copy_context,
    compile_condition,
)
from riskprofile.profiles._regex import compile_regex
from riskprofile.profiles._tree import CompileProblem

__all__ = ["compile_reused", "forget_compiled"]

Lists = Mapping[str, tuple[str, frozenset[Any] | ListValues]]

MAX_TEMPLATES = 1024
"""The most templates kept (about 8 kB each); past it they are all dropped (and made again
as needed)."""

_TEMPLATES: dict[tuple[Any, ...], Condition] = {}
# The custom field types the keys name by identity, held so that no id is reused.
_KINDS: dict[int, Any] = {}
_LOCK = threading.Lock()

_REGEX_TYPE = type(compile_regex("a"))
# Values a template and its copies may share: immutable.
_SHARED = (
    str,
    int,
    float,
    bool,
    type(None),
    decimal.Decimal,
    dt.datetime,
    dt.date,
    dt.timedelta,
    _DataTypeDef,
    _REGEX_TYPE,
    types.BuiltinFunctionType,
)


class _UnshareableError(Exception):
    """A tree holding something this module does not know to be safe to share."""


def forget_compiled() -> None:
    """Drop every template (for tests, and for a process that wants the memory back)."""
    with _LOCK:
        _TEMPLATES.clear()
        _KINDS.clear()
        _HOW.clear()


def compile_reused(
    expression: str,
    lists: Lists,
    *,
    builtins: Builtins,
    custom: Mapping[str, Any] | None = None,
) -> Condition | list[CompileProblem]:
    """:func:`~riskprofile.profiles._expressions.compile_condition` of ``expression``,
    from a template when one was made with the same inputs. ``builtins`` are
    :func:`~riskprofile.profiles._expressions.condition_builtins` of ``lists``.

    The lists must be empty (a loader fills them after compiling): a list's values can
    make a condition fail its checks, so a condition compiled with values is never
    kept, and never taken from a template."""
    key = _key(expression, lists, custom)
    if key is None:
        return compile_condition(expression, lists, builtins=builtins, custom=custom)
    template = _TEMPLATES.get(key)
    if template is None:
        compiled = compile_condition(expression, lists, builtins=builtins, custom=custom)
        if isinstance(compiled, list):
            return compiled
        try:
            template = _copy(compiled, None, {})
        except _UnshareableError:
            return compiled
        with _LOCK:
            if len(_TEMPLATES) >= MAX_TEMPLATES:
                _TEMPLATES.clear()
                _KINDS.clear()
            _KINDS.update((id(kind), kind) for kind in (custom or {}).values())
            _TEMPLATES[key] = template
        return compiled
    try:
        return _copy(template, builtins, lists)
    except _UnshareableError:  # pragma: no cover - a template is one that copied once
        return compile_condition(expression, lists, builtins=builtins, custom=custom)


def _key(expression: str, lists: Lists, custom: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """What compiling ``expression`` depends on besides the lists' values; None when a
    list already has values (nothing is then shared)."""
    kinds = []
    for name, (kind, items) in lists.items():
        values = items if isinstance(items, frozenset | set) else items.at(None)
        if values:
            return None
        kinds.append((name, kind))
    context = decimal.getcontext()
    return (
        expression,
        tuple(sorted((name, id(kind)) for name, kind in (custom or {}).items())),
        tuple(sorted(kinds)),
        (context.prec, context.rounding, context.Emin, context.Emax, context.capitals,
         context.clamp, tuple(context.traps.items())),
    )  # fmt: skip


def _copy(condition: Condition, builtins: Builtins | None, lists: Lists) -> Condition:
    """``condition`` with a copy of its tree in a new context holding ``builtins``."""
    rule = condition.rule
    old = rule.context
    context = _copy_context(old)
    context.symbols = set(old.symbols)
    context.builtins = builtins
    memo: dict[int, Any] = {id(old): context}
    statement = _copied(rule.statement, memo)
    copied: Any = object.__new__(type(rule))
    if set(vars(rule)) != {"text", "context", "statement"}:
        raise _UnshareableError("rule")
    copied.text, copied.context, copied.statement = rule.text, context, statement
    timed = {
        name: items
        for name, (_kind, items) in lists.items()
        if name in condition.lists and not isinstance(items, frozenset | set)
    }
    return Condition(
        condition.expression,
        copied,
        condition.fields,
        condition.lists,
        condition.reads_time,
        timed,
    )


_SHARE, _NODE, _CONTAINER, _METHOD, _PARTIAL, _OTHER = range(6)
_HOW: dict[type, int] = {}  # what _copied does with a value of each type, worked out once
_UNSET = object()


def _how(kind: type) -> int:
    how = _HOW.get(kind)
    if how is None:
        if issubclass(kind, _SHARED):
            how = _SHARE
        elif issubclass(kind, re_ast.ASTNodeBase):
            how = _NODE
        elif kind in (list, tuple, set, frozenset):
            how = _CONTAINER
        elif kind is types.MethodType:
            how = _METHOD
        elif kind is functools.partial:
            how = _PARTIAL
        else:
            how = _OTHER
        _HOW[kind] = how
    return how


def _copied(value: Any, memo: dict[int, Any]) -> Any:
    """``value`` for the copy: nodes, containers and evaluators copied (once each, by
    identity), the template's context replaced, immutable values shared."""
    kind: Any = type(value)
    how = _HOW.get(kind)
    if how is None:
        how = _how(kind)
    if how == _SHARE:
        return value
    found = memo.get(id(value))
    if found is not None:
        return found
    if how == _NODE:
        node = object.__new__(kind)
        memo[id(value)] = node
        for name in _slots(kind):
            held = getattr(value, name, _UNSET)
            if held is not _UNSET:
                object.__setattr__(node, name, _copied(held, memo))
        own = getattr(value, "__dict__", None)
        if own is not None:
            vars(node).update({k: _copied(v, memo) for k, v in own.items()})
        return node
    if how == _CONTAINER:
        return kind(_copied(v, memo) for v in value)
    if how == _METHOD and isinstance(value.__self__, re_ast.ASTNodeBase):
        return types.MethodType(value.__func__, _copied(value.__self__, memo))
    if how == _PARTIAL:
        return functools.partial(
            _copied(value.func, memo),
            *(_copied(a, memo) for a in value.args),
            **{k: _copied(v, memo) for k, v in value.keywords.items()},
        )
    # The template's context is in memo: another one, or anything else, is unknown.
    raise _UnshareableError(kind.__name__)


@functools.cache
def _slots(kind: Any) -> tuple[str, ...]:
    """The attribute names of ``kind``'s slots and its bases' (private ones mangled)."""
    names: list[str] = []
    for cls in kind.__mro__:
        slots = getattr(cls, "__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            if slot.startswith("__") and not slot.endswith("__"):
                slot = f"_{cls.__name__.lstrip('_')}{slot}"
            if slot not in names:
                names.append(slot)
    return tuple(names)
