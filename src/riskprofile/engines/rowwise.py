"""The row-wise engine: rule-engine evaluates each compiled condition on each shipment.

It is the reference semantics: any faster engine must give the same results.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import CompiledProfile, IndicatorResult
from riskprofile.profiles._explain import record_of

__all__ = ["ProfileOutcome", "evaluate"]


@dataclass(frozen=True, slots=True)
class ProfileOutcome:
    """One profile on one shipment: each indicator's result, or the exception that
    suppressed the profile (then ``results`` is empty)."""

    profile: CompiledProfile
    results: tuple[IndicatorResult, ...]
    excepted_by: str | None
    exception_problems: tuple[str, ...] = ()


def evaluate(
    shipments: Iterable[Shipment],
    profiles: Iterable[CompiledProfile],
    as_of: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
    """Evaluate every profile on every shipment, in input order."""
    profile_list = list(profiles)
    for count, shipment in enumerate(shipments, start=1):
        record = record_of(shipment)
        outcomes = []
        for profile in profile_list:
            excepted_by = None
            problems = []
            for exception in profile.exceptions:
                holds, problem = exception.holds(record, as_of)
                if problem:
                    problems.append(f"exception {exception.id}: {problem}")
                if holds:
                    excepted_by = exception.id
                    break
            if excepted_by is not None:
                outcomes.append(ProfileOutcome(profile, (), excepted_by, tuple(problems)))
                continue
            results = tuple(ind.evaluate(record, as_of) for ind in profile.indicators)
            outcomes.append(ProfileOutcome(profile, results, None, tuple(problems)))
        yield shipment, outcomes
        if progress is not None:
            progress(count)
