"""The row-wise engine: each compiled condition evaluated on each shipment, one by one.

It is the reference semantics - rule-engine's - and the engine of a single shipment. Each
condition runs as Python closures compiled from its rule-engine syntax tree
(:mod:`riskprofile.engines._compiled_rules`), which return exactly what rule-engine
returns or give the case back: then, and for a condition the compiler does not know,
rule-engine itself evaluates it and words any problem. The module satisfies the engine
contract :class:`riskprofile.engines.Engine`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from riskprofile._as_of import as_of_datetime
from riskprofile.engines._compiled_rules import CompiledRule, compiled_rule
from riskprofile.engines._contract import ProfileOutcome
from riskprofile.model.shared import EXTRA_PREFIX
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import CompiledProfile, IndicatorResult, record_of

__all__ = ["ProfileOutcome", "evaluate"]

# A compiled condition as the engine calls it: (record, as_of, today) -> hit; raises when
# rule-engine must decide. None: rule-engine evaluates the condition.
_Test = Callable[[Any, dt.datetime, dt.datetime], bool]


class _Plan:
    """A profile's conditions with their compiled forms, made once per loaded profile."""

    __slots__ = ("exceptions", "indicators")

    def __init__(self, profile: CompiledProfile, context: decimal.Context | None) -> None:
        self.exceptions = tuple(
            (exc, _test(compiled_rule(exc.condition), context)) for exc in profile.exceptions
        )
        # An indicator's two possible results when its condition can be evaluated
        # (frozen: shared by every shipment).
        self.indicators = tuple(
            (
                ind,
                _test(compiled_rule(ind.condition), context),
                IndicatorResult(ind.id, False),
                IndicatorResult(ind.id, True),
            )
            for ind in profile.indicators
        )


def _test(rule: CompiledRule | None, context: decimal.Context | None) -> _Test | None:
    """The rule as the engine calls it inside ``decimal.localcontext(context)``."""
    if rule is None:
        return None
    return rule if rule.decimal_context is context else rule.alone


# Plans by profile object, dropped with the profile.
_PLANS: dict[int, tuple[weakref.ref[CompiledProfile], decimal.Context | None, _Plan]] = {}


def _plan(profile: CompiledProfile, context: decimal.Context | None) -> _Plan:
    key = id(profile)
    kept = _PLANS.get(key)
    if kept is not None and kept[0]() is profile and kept[1] is context:
        return kept[2]
    plan = _Plan(profile, context)

    def forget(ref: weakref.ref[CompiledProfile]) -> None:
        entry = _PLANS.get(key)
        if entry is not None and entry[0] is ref:
            del _PLANS[key]

    _PLANS[key] = (weakref.ref(profile, forget), context, plan)
    return plan


def _decimal_context(profiles: list[CompiledProfile]) -> decimal.Context | None:
    """The decimal context the conditions share (rule-engine evaluates in its rule's;
    conditions compiled on one thread share that thread's), or None."""
    for profile in profiles:
        conditions = [i.condition for i in profile.indicators]
        conditions += [e.condition for e in profile.exceptions]
        for condition in conditions:
            compiled = compiled_rule(condition)
            if compiled is not None:
                return compiled.decimal_context
    return None


def evaluate(
    shipments: Iterable[Shipment],
    profiles: Iterable[CompiledProfile],
    as_of: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
    """Evaluate every profile on every shipment, in input order (the contract:
    :class:`riskprofile.engines.Engine`)."""
    profile_list = list(profiles)
    if type(as_of) is not dt.datetime or as_of.tzinfo is not dt.UTC:
        as_of = as_of_datetime(as_of)  # what Condition.evaluate makes of it
    today = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
    context = _decimal_context(profile_list)
    plans = [(profile, _plan(profile, context)) for profile in profile_list]
    # The custom fields the profiles declare: null in a record whose shipment has none.
    custom = sorted({EXTRA_PREFIX + n for p in profile_list for n in p.profile.requires.extra})
    for count, shipment in enumerate(shipments, start=1):
        record = record_of(shipment)
        for name in custom:
            record.setdefault(name, None)
        with decimal.localcontext(context or decimal.getcontext()):
            outcomes = [_outcome(profile, plan, record, as_of, today) for profile, plan in plans]
        yield shipment, outcomes
        if progress is not None:
            progress(count)


def _outcome(
    profile: CompiledProfile, plan: _Plan, record: Any, as_of: dt.datetime, today: dt.datetime
) -> ProfileOutcome:
    problems = []
    for exception, test in plan.exceptions:
        holds = _compiled(test, record, as_of, today)
        if holds is None:  # rule-engine decides, and words the problem if any
            holds, problem = exception.holds(record, as_of)
            if problem:
                problems.append(f"exception {exception.id}: {problem}")
        if holds:
            return ProfileOutcome(profile, (), exception.id, tuple(problems))
    results = []
    for indicator, test, missed, hit in plan.indicators:
        if test is not None:
            try:
                results.append(hit if test(record, as_of, today) else missed)
                continue
            except Exception:  # noqa: S110 - a case it does not decide: the reference's
                pass
        results.append(indicator.evaluate(record, as_of))
    return ProfileOutcome(profile, tuple(results), None, tuple(problems))


def _compiled(
    test: _Test | None, record: Any, as_of: dt.datetime, today: dt.datetime
) -> bool | None:
    """The compiled condition's result, or None when rule-engine must decide."""
    if test is None:
        return None
    try:
        return test(record, as_of, today)
    except Exception:
        return None
