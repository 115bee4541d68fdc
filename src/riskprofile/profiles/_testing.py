"""Profile tests: the examples a profile carries must hit, or miss, the named indicators.

An example is a partial shipment (every field it does not give takes its default) with
the indicators that must fire on it (``hits``) and those that must not (``misses``).
``riskprofile test`` runs them; the test suite runs them for the bundled profiles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import CompiledProfile, Location
from riskprofile.profiles._expressions import record_of
from riskprofile.profiles._schema import Example

__all__ = ["DEFAULT_EXAMPLE_AS_OF", "ExampleOutcome", "run_examples"]

DEFAULT_EXAMPLE_AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""``$now``/``$today`` for an example that gives no ``as_of`` and whose profile gives no
``valid_from``: fixed, so that a profile's tests never depend on the day they run."""


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    """The result of one example: ``failures`` is empty when it passed."""

    profile_id: str
    example: str
    failures: tuple[str, ...]
    location: Location | None

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.failures

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        status = "ok" if self.passed else "FAILED: " + "; ".join(self.failures)
        return f"{where}{self.profile_id} / {self.example}: {status}"


def _as_of(example: Example, profile: CompiledProfile) -> dt.datetime:
    day = example.as_of or profile.profile.valid_from
    if day is None:
        return DEFAULT_EXAMPLE_AS_OF
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _check(profile: CompiledProfile, example: Example) -> list[str]:
    try:
        shipment = Shipment.model_validate(example.shipment)
    except ValidationError as exc:
        return [
            f"shipment.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
    known = {ind.id for ind in profile.indicators}
    failures = [
        f"no indicator {name!r} in this profile"
        for name in (*example.hits, *example.misses)
        if name not in known
    ]
    if failures:
        return failures
    record = record_of(shipment)
    as_of = _as_of(example, profile)
    for exception in profile.exceptions:
        holds, _ = exception.holds(record, as_of)
        if holds and example.hits:
            return [f"exception {exception.id!r} holds, so no indicator can hit"]
    for name in example.hits:
        result = profile.indicator(name).evaluate(record, as_of)
        if not result.hit:
            why = f" ({result.problem})" if result.problem else ""
            failures.append(f"{name!r} should hit but does not{why}")
    for name in example.misses:
        if profile.indicator(name).evaluate(record, as_of).hit:
            failures.append(f"{name!r} should not hit but does")
    return failures


def run_examples(profiles: Iterable[CompiledProfile]) -> list[ExampleOutcome]:
    """Run every example of every profile, in profile and example order."""
    outcomes = []
    for profile in profiles:
        for index, example in enumerate(profile.profile.examples):
            location = profile.positions.get(f"example:{index}") or profile.positions.get("profile")
            outcomes.append(
                ExampleOutcome(profile.id, example.name, tuple(_check(profile, example)), location)
            )
    return outcomes
