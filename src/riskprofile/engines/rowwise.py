"""The row-wise engine: rule-engine evaluates each compiled condition on each shipment.

It is the reference semantics: any faster engine must give the same results. The module
satisfies the engine contract :class:`riskprofile.engines.Engine`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

from riskprofile.engines._contract import ProfileOutcome
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import CompiledProfile
from riskprofile.profiles._explain import record_of

__all__ = ["ProfileOutcome", "evaluate"]


def evaluate(
    shipments: Iterable[Shipment],
    profiles: Iterable[CompiledProfile],
    as_of: dt.datetime,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
    """Evaluate every profile on every shipment, in input order (the contract:
    :class:`riskprofile.engines.Engine`)."""
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
