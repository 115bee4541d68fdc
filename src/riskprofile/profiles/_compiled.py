"""Compiled profiles: what :func:`~riskprofile.load_profiles` returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import rule_engine

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._expressions import Condition, record_of, render_explanation
from riskprofile.profiles._schema import Indicator, Profile

__all__ = [
    "Location",
    "CompiledCondition",
    "CompiledIndicator",
    "CompiledProfile",
    "IndicatorResult",
    "ProfileSet",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a part of a profile is written: file, 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator evaluated on one shipment.

    ``hit`` is false when the condition does not hold *or* cannot be evaluated; then
    ``problem`` says why (typically a field it needs is null), so nothing is silent.
    """

    indicator_id: str
    hit: bool
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """A compiled profile exception (a condition that suppresses the profile)."""

    id: str
    condition: Condition

    def holds(self, record: Mapping[str, Any], as_of: dt.datetime) -> tuple[bool, str | None]:
        """Whether the exception holds, and the problem when it cannot be evaluated."""
        try:
            return self.condition.evaluate(record, as_of), None
        except rule_engine.EngineError as exc:
            return False, _reason(exc, self.condition)


def _reason(exc: Exception, condition: Condition) -> str:
    message = str(getattr(exc, "message", exc))
    nulls = ", ".join(sorted(condition.fields))
    return f"cannot be evaluated ({message}); fields used: {nulls or 'none'}"


@dataclass(frozen=True, slots=True)
class CompiledIndicator:
    """An indicator with its compiled condition."""

    indicator: Indicator
    condition: Condition

    @property
    def id(self) -> str:
        """The indicator's id."""
        return self.indicator.id

    @property
    def weight(self) -> Decimal:
        """Points added to the profile score on a hit."""
        return self.indicator.weight

    def evaluate(self, record: Mapping[str, Any], as_of: dt.datetime) -> IndicatorResult:
        """Evaluate on a record made by :func:`record_of`."""
        try:
            hit = self.condition.evaluate(record, as_of)
        except rule_engine.EngineError as exc:
            return IndicatorResult(self.id, False, _reason(exc, self.condition))
        return IndicatorResult(self.id, hit)

    def explain(self, shipment: Shipment) -> str:
        """The explanation for the officer, with the shipment's values filled in."""
        return render_explanation(self.indicator.explain or self.indicator.title, shipment)


@dataclass(frozen=True)
class CompiledProfile:
    """A resolved, compiled profile ready for evaluation.

    Attributes:
        profile: the resolved profile (overlays applied).
        source: the file it was defined in (the overlay's file for an overlay).
        fingerprint: ``sha256:...`` of its canonical resolved form, for audit trails.
        indicators, exceptions: compiled conditions, in profile order.
        lists: the watch lists' values.
        extends: the ids of the profiles it adapts, base first (empty for a base).
        positions: where each part is written: keys ``profile``, ``indicator:<id>``,
            ``exception:<id>``, ``list:<name>``.
    """

    profile: Profile
    source: str
    fingerprint: str
    indicators: tuple[CompiledIndicator, ...]
    exceptions: tuple[CompiledCondition, ...]
    lists: Mapping[str, frozenset[Any]] = field(default_factory=dict)
    extends: tuple[str, ...] = ()
    positions: Mapping[str, Location] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The profile id."""
        return self.profile.id

    @property
    def version(self) -> int:
        """The profile version."""
        return self.profile.version

    def indicator(self, indicator_id: str) -> CompiledIndicator:
        """The compiled indicator with this id (KeyError if none)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def evaluate(self, shipment: Shipment, as_of: AsOf) -> tuple[list[IndicatorResult], str | None]:
        """Every indicator's result on ``shipment`` and the exception that suppresses the
        profile, if one holds (then no indicator is evaluated).

        ``as_of`` is taken as :func:`riskprofile.score` takes it: a datetime, a date
        (midnight UTC) or an ISO 8601 string (``"2026-11-02"``).
        """
        as_of = as_of_datetime(as_of)
        record = record_of(shipment)
        for exc in self.exceptions:
            holds, _problem = exc.holds(record, as_of)
            if holds:
                return [], exc.id
        return [ind.evaluate(record, as_of) for ind in self.indicators], None


@dataclass(frozen=True)
class ProfileSet:
    """The compiled profiles of a load, sorted by id.

    Attributes:
        profiles: the profiles, sorted by id.
        country: the country whose overlays were applied, if any.
        out_of_scope: profile id -> why it was left out for that country (its
            ``countries`` do not include it); a scoring run lists them as skipped.
    """

    profiles: tuple[CompiledProfile, ...]
    country: str | None = None
    out_of_scope: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __iter__(self) -> Iterator[CompiledProfile]:
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    def __getitem__(self, profile_id: str) -> CompiledProfile:
        for profile in self.profiles:
            if profile.id == profile_id:
                return profile
        raise KeyError(profile_id)

    @property
    def fingerprints(self) -> dict[str, str]:
        """Profile id -> fingerprint, for the audit trail of a scoring run."""
        return {p.id: p.fingerprint for p in self.profiles}
