"""Compiled conditions translated into SQL expressions with the row-wise meaning.

The same job as the columnar translator (:mod:`riskprofile.engines.columnar._translate`,
whose module docstring spells out rule-engine's rules), with a sqlglot expression tree as
the target: :func:`translate` walks the rule-engine syntax tree and builds three SQL
Booleans over one row of the shipment table, never NULL: ``hit`` (the evaluation returns
true), ``error`` (it raises) and ``undecided`` (the translation cannot decide exactly:
those rows are evaluated row-wise). rule-engine's null rules are written out:
``null == x`` is false, ordering a null raises, ``and``/``or`` short-circuit errors,
truthiness is Python's, a list's length is 0 when empty (PostgreSQL's ``array_length``
would say NULL), a regex on null text is false (``!~`` true).

What is translated: fields of every type but dates (which may be compared, not
computed with), constants (evaluated by rule-engine itself), ``==``, ``!=``, ordering,
``and``/``or``/``not``, ``in`` (watch lists, list fields, text), regexes with a constant
pattern (see :mod:`._regex`), ``starts_with``/``ends_with``, ``.length``, ``.is_empty``,
``.to_set``, ``.as_lower``/``.as_upper`` (ASCII; other text undecided), items and
slices with constant bounds, ``??``, the ternary, and comprehensions over a list field
(its dialect's list functions) or over a watch list (unrolled, a regex or prefix test
on each item fused into one). Anything else - arithmetic, date arithmetic, the helper
functions - raises :class:`Untranslatable` with the reason, and the condition runs on
the columnar engine instead (per condition: the others stay in SQL).
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import rule_engine
from sqlglot import exp

from riskprofile.engines._translating import dispatch_table
from riskprofile.engines.sql._access import _Access
from riskprofile.engines.sql._dialects import Dialect, naming
from riskprofile.engines.sql._values import _Q, FALSE, Untranslatable, and_, any_, not_
from riskprofile.profiles.shared import Condition

__all__ = ["SqlTranslation", "translate"]


@dataclass(frozen=True, eq=False)
class SqlTranslation:
    """A condition as SQL over one row of the shipment table, or why not.

    Attributes:
        expression: the condition's text.
        hit: true exactly where the row-wise evaluation returns true (never NULL).
        error: true exactly where it raises (never NULL).
        fallback: why the condition cannot be translated (then the others are None).
        undecided: true where the row-wise engine must decide (None: no row can be),
            but for a list field holding a NULL (see ``list_fields``).
        list_fields: the list fields the condition reads: a row where one holds a NULL
            (no Shipment does; a table from elsewhere might) makes rule-engine raise when
            the field is read, so it is left to the row-wise engine too
            (:meth:`guarded_undecided` says so in SQL; the engine finds such rows once
            per field, not once per condition).
    """

    expression: str
    hit: exp.Expression | None
    error: exp.Expression | None
    fallback: str | None
    undecided: exp.Expression | None = None
    list_fields: tuple[str, ...] = ()

    def guarded_undecided(self, dialect: Dialect) -> exp.Expression | None:
        """``undecided`` with the rows where a list field holds a NULL, in SQL."""
        with naming():
            guards = [dialect.list_has_null(exp.column(name)) for name in self.list_fields]
        return any_(self.undecided, *guards)


class _Translator(_Access):
    """A condition's translator: :meth:`visit` dispatches on the node type."""

    def visit(self, node: Any) -> _Q:
        if self._is_constant(node):
            return self._constant(node)
        for cls, method in _DISPATCH:
            if isinstance(node, cls):
                return method(self, node)
        raise Untranslatable(f"the expression {type(node).__name__}")


_DISPATCH: tuple[tuple[type, Callable[[_Translator, Any], _Q]], ...] = dispatch_table(_Translator)


def translate(condition: Condition, as_of: dt.datetime, dialect: Dialect) -> SqlTranslation:
    """``condition`` as SQL Booleans for ``dialect``, or the reason it cannot be.

    ``as_of`` is the evaluation time (``$now``, ``$today``), as for the row-wise engine.
    The expressions are shared (cached): copy one before changing it.
    """
    utc = as_of.astimezone(dt.UTC) if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
    key = (condition.time_key(utc), dialect.name)
    with _LOCK:
        known = _CACHE.get(condition.rule)
        found = known.get(key) if known is not None else None
    if found is None:
        found = _translate(condition, utc, dialect)
        with _LOCK:
            known = _CACHE.setdefault(condition.rule, {})
            if len(known) >= 8:
                known.clear()
            known[key] = found
    return found


def _translate(condition: Condition, as_of: dt.datetime, dialect: Dialect) -> SqlTranslation:
    translator = _Translator(condition, as_of, dialect)
    with naming():
        try:
            result = translator.visit(condition.rule.statement.expression)
            if result.ctx == "elem":  # pragma: no cover - elements never escape
                raise Untranslatable("a list element outside its comprehension")
            truth, truth_undecided = translator.truthy(result)
        except Untranslatable as exc:
            return SqlTranslation(condition.expression, None, None, str(exc))
    error = result.error if result.error is not None else FALSE
    undecided = any_(result.undecided, truth_undecided)
    return SqlTranslation(
        condition.expression,
        and_(truth, not_(error)),
        error,
        None,
        undecided,
        tuple(sorted(translator.list_fields)),
    )


# Translations by compiled rule, what the condition reads of the evaluation time and the
# dialect (weak keys: a rule no longer loaded goes).
_CACHE: weakref.WeakKeyDictionary[rule_engine.Rule, dict[tuple[Any, ...], SqlTranslation]] = (
    weakref.WeakKeyDictionary()
)
_LOCK = threading.Lock()
