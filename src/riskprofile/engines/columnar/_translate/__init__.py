"""Compiled conditions translated into Polars expressions with the row-wise meaning.

A condition is a rule-engine expression (see :mod:`riskprofile.profiles._expressions`);
the row-wise engine evaluates it on one record at a time and gets ``True``, ``False`` or
an :class:`rule_engine.EngineError` (then the indicator is no hit and a note says why).
:func:`translate` walks the rule-engine syntax tree and builds, for the whole shipment
frame at once, two Boolean expressions that are never null: ``hit`` (the evaluation
returns true) and ``error`` (it raises). Every operator is written out with
rule-engine's own rules, which are not SQL's and not Polars':

* ``null == x`` is false and ``null != x`` true (null is just another value); ordering
  a null against a value raises, two nulls are equal for ``<=`` and ``>=``.
* ``and``/``or`` short-circuit: an error on the right counts only where the right side
  is evaluated. ``not``, ``and``, ``or`` and the final result use Python truthiness
  (an empty string, an empty list, zero and null are false).
* Regexes keep RE2's meaning (``=~`` matches at the start, ``=~~`` searches); on null
  text ``=~``/``=~~`` are false and ``!~``/``!~~`` true. See
  :mod:`riskprofile.engines.columnar._regex`. Text the Rust engine could read otherwise
  (a case-insensitive pattern on non-ASCII text) is undecided, or with
  :func:`shared_translation` matched by RE2 on those texts only.
* Numbers are :class:`~decimal.Decimal` in rule-engine: a float field ``x`` is
  ``Decimal(repr(x))``. Comparisons are exact (a literal that is no float is compared
  through the neighbouring floats); arithmetic is done in floating point with an error
  bound, and where a result is too close to call (or overflows, or a float is NaN) the
  row is *undecided*.

Rows a translation cannot decide exactly are named by ``undecided``: the caller
evaluates just those rows row-wise (usually none). A construct with no exact
translation (a backreference in a regex, ``**``, a comprehension whose condition reads
other fields, ...) makes the whole condition fall back, with ``fallback`` saying why.
Constant sub-expressions (literals, watch lists, ``$today``, a comprehension variable
running over a watch list) are evaluated by rule-engine itself, so they mean exactly
what they mean row-wise.

The translator is one class made of parts, one module each: :mod:`._base` (constants,
shared parts, fields, truthiness), :mod:`._operators`, :mod:`._access` (attributes, items,
slices, calls) and :mod:`._comprehensions`; what they work with is in :mod:`._values`
(the translated value ``_V``) and :mod:`._numbers` (exact comparisons, bounded
arithmetic). This module dispatches on the node type and caches translations.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
import rule_engine

from riskprofile.engines._translating import dispatch_table
from riskprofile.engines.columnar._translate._access import _Access
from riskprofile.engines.columnar._translate._comprehensions import _Comprehensions
from riskprofile.engines.columnar._translate._values import (
    _V,
    Part,
    Untranslatable,
    _any,
    _assuming_compiles,
    _compiles,
    _compiles_ahead,
)
from riskprofile.profiles import CompiledProfile
from riskprofile.profiles.shared import Condition

__all__ = ["Part", "Translation", "shared_translation", "translate", "translate_ahead"]


@dataclass(frozen=True)
class Translation:
    """A condition as Polars expressions over the shipment frame.

    Attributes:
        expression: the condition's text.
        hit: true exactly where the row-wise evaluation returns true (never null).
        error: true exactly where it raises :class:`rule_engine.EngineError` (never null).
        undecided: true where the translation cannot decide exactly (an arithmetic
            result too close to call, text outside printable ASCII for a regex, a NaN
            float); those rows must be evaluated row-wise. None when no row can be.
        fallback: why the condition cannot be translated (then the expressions are None
            and every row is evaluated row-wise).
    """

    expression: str
    hit: pl.Expr | None
    error: pl.Expr | None
    fallback: str | None
    undecided: pl.Expr | None = None


# A translation and the parts it reads (see shared_translation).
_Found = tuple[Translation, Mapping[str, Part]]


# --- the translator ------------------------------------------------------------------------


class _Translator(_Access, _Comprehensions):
    """A condition's translator: its parts are the mixins, :meth:`visit` dispatches on
    the node type (:data:`_DISPATCH`)."""

    # -- dispatch --

    def visit(self, node: Any) -> _V:
        if self._is_constant(node):
            return self._constant(node)
        for cls, method in _DISPATCH:
            if isinstance(node, cls):
                result: _V = method(self, node)
                return self._shared(result)
        raise Untranslatable(f"the expression {type(node).__name__}")


_DISPATCH: tuple[tuple[type, Callable[[_Translator, Any], _V]], ...] = dispatch_table(_Translator)


def translate(
    condition: Condition, lists: Mapping[str, frozenset[Any]], as_of: dt.datetime
) -> Translation:
    """``condition`` as Polars expressions over the shipment frame, or the reason why not.

    ``lists`` are the watch lists the condition was compiled with (its profile's
    ``lists``); the values used are the compiled ones, so that both engines read the
    same, and a list given here with other values is refused (ValueError). ``as_of`` is
    the evaluation time (``$now``, ``$today``), as for the row-wise engine.
    """
    return _cached(condition, lists, as_of, shared=False)[0]


def shared_translation(
    condition: Condition, lists: Mapping[str, frozenset[Any]], as_of: dt.datetime
) -> _Found:
    """As :func:`translate`, with sub-expressions over one text or list column written
    as columns of their own (:class:`Part`, by column name): the expressions read the
    frame with those columns added. Equal sub-expressions of different conditions get
    the same name."""
    return _cached(condition, lists, as_of, shared=True)


def translate_ahead(profiles: Iterable[CompiledProfile], as_of: dt.datetime) -> int:
    """Translate every condition of ``profiles`` for ``as_of`` as scoring them column-wise
    will (:func:`shared_translation`, kept in the cache ``score_frame`` reads), before the
    frame is there: a caller still reading the batch in another thread does this pure
    Python work meanwhile; and the facts the profiles share (:func:`~riskprofile.profiles.
    fact_groups`, kept for those very profiles, about 0.1 s for the bundled library).
    Returns how many conditions were translated."""
    from riskprofile.profiles import fact_groups

    profiles = list(profiles)
    fact_groups(profiles)
    todo = [
        (condition, profile.lists)
        for profile in profiles
        for condition in [e.condition for e in profile.exceptions]
        + [i.condition for i in profile.indicators]
    ]
    # Whether the regexes compile for Polars is checked in one query for all the
    # conditions rather than one query each: they are translated taking the patterns
    # not checked yet to compile, then checked; a translation is kept if its patterns
    # all do, and made again (knowing which do not) if not.
    made: dict[tuple[rule_engine.Rule, tuple[Any, ...]], tuple[Condition, _Found, list[str]]] = {}
    with _assuming_compiles() as assumed:
        for condition, lists in todo:
            key = _key(condition, lists, as_of, shared=True)
            if (condition.rule, key) not in made and _lookup(condition, key) is None:
                start = len(assumed)
                found = _made(condition, as_of, shared=True)
                made[condition.rule, key] = condition, found, assumed[start:]
    _compiles_ahead(assumed)
    for (_, key), (condition, found, patterns) in made.items():
        if not all(_compiles(p) for p in patterns):
            found = _made(condition, as_of, shared=True)
        _store(condition, key, found)
    return len(todo)


def _cached(
    condition: Condition, lists: Mapping[str, frozenset[Any]], as_of: dt.datetime, shared: bool
) -> _Found:
    key = _key(condition, lists, as_of, shared)
    found = _lookup(condition, key)
    if found is None:
        found = _made(condition, as_of, shared)
        _store(condition, key, found)
    return found


def _key(
    condition: Condition, lists: Mapping[str, frozenset[Any]], as_of: dt.datetime, shared: bool
) -> tuple[Any, ...]:
    """The key of ``condition``'s translation in :data:`_TRANSLATIONS`, once ``lists``
    are known to be those it was compiled with."""
    builtins = condition.rule.context.builtins
    for name in condition.lists:
        if name in lists and frozenset(builtins[name]) != frozenset(lists[name]):
            raise ValueError(
                f"${name}: the values given differ from those {condition.expression!r} "
                "was compiled with"
            )
    # Only what the condition reads of the evaluation time keys the translation: most
    # read none, and then every date (and every now()) shares one translation.
    return (condition.time_key(_utc(as_of)), shared)


def _utc(as_of: dt.datetime) -> dt.datetime:
    return as_of.astimezone(dt.UTC) if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)


def _lookup(condition: Condition, key: tuple[Any, ...]) -> _Found | None:
    with _TRANSLATIONS_LOCK:
        known = _TRANSLATIONS.get(condition.rule)
        return known.get(key) if known is not None else None


def _made(condition: Condition, as_of: dt.datetime, shared: bool) -> _Found:
    parts: dict[str, Part] | None = {} if shared else None
    translation = _translate(condition, _utc(as_of), parts)
    used: set[str] = set()
    for e in (translation.hit, translation.error, translation.undecided):
        used.update(e.meta.root_names() if e is not None else ())
    return translation, {name: part for name, part in (parts or {}).items() if name in used}


def _store(condition: Condition, key: tuple[Any, ...], found: _Found) -> None:
    with _TRANSLATIONS_LOCK:
        known = _TRANSLATIONS.setdefault(condition.rule, {})
        if len(known) >= 8:  # a few evaluation times per rule are plenty
            known.clear()
        known[key] = found


# Translations by compiled rule, what the condition reads of the evaluation time
# (Condition.time_key) and sharing: scoring batch after batch, date after date, with
# the same profiles translates each condition once. Weak keys: a rule no longer loaded
# goes. The lock makes looking up and storing one step for threads scoring at once.
_TRANSLATIONS: weakref.WeakKeyDictionary[rule_engine.Rule, dict[tuple[Any, ...], _Found]] = (
    weakref.WeakKeyDictionary()
)
_TRANSLATIONS_LOCK = threading.Lock()


def _translate(
    condition: Condition, as_of: dt.datetime, parts: dict[str, Part] | None = None
) -> Translation:
    translator = _Translator(condition, as_of, parts)
    try:
        result = translator.visit(condition.rule.statement.expression)
        if result.ctx == "elem":  # pragma: no cover - elements never escape
            raise Untranslatable("a list element outside its comprehension")
        truth, truth_undecided = translator.truthy(result)
    except Untranslatable as exc:
        return Translation(condition.expression, None, None, str(exc))
    error = result.error if result.error is not None else pl.lit(False)
    hit = (truth & ~error).fill_null(False)
    undecided = _any(result.undecided, truth_undecided)
    return Translation(
        condition.expression,
        hit,
        error.fill_null(False),
        None,
        None if undecided is None else undecided.fill_null(True),
    )
