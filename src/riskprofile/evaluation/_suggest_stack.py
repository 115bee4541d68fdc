"""How :func:`~riskprofile.evaluation.suggest` weighs its tiers against each other when
asked for combinations: by how each ranks units it was not learned from.

A draft made with ``combinations=True`` adds three *tiers* of values, each with its own
strength in points (ten times the base-2 logarithm of a rate over the base rate):

- ``single``: the single values kept by the false discovery test (HS codes, origins,
  ports, traders, value bands...), at the lower bound of their hit rate's 95 % interval;
- ``hs6``: every HS6 code (``hs_subheadings``) whose past hit rate is above the base
  rate, at that rate: the one-list rule, written as watch lists;
- ``combination``: the combinations at full code level, at their shrunk hit rate.

Summed with equal weight, the tiers can rank worse than one of them alone (at a small
capacity the combinations push out the best HS6 codes). So the weight of each tier, a
*coefficient* that multiplies its values' points, is chosen on data the tiers were not
learned from: the training period is split again (:data:`VALIDATION_SHARE` of its days
last), every tier is learned on the months before that inner split, the units after it
are scored as the draft would score them (a unit's score is the highest over its
shipments of the sum of the weights of the distinct indicators its shipment hits), and
the coefficients (each of :data:`COEFFICIENTS`, not all 0) with the best mean precision
at half the capacity and at the capacity are kept. Each tier alone is among the choices,
so on those validation months the draft never ranks below its best tier; ties go to
fewer tiers. The tiers are then learned again on the whole training period and weighted
with those coefficients.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from riskprofile.evaluation._candidates import COMBINATIONS, Candidate, _lower
from riskprofile.evaluation._features import Bands, Feature, UnitLike
from riskprofile.evaluation._metrics import cut_at_capacity

__all__ = ["Stack", "apply_stack", "stack_tiers", "tier_of"]

TIERS = ("single", "hs6", "combination")
"""The tiers, in the order their coefficients are written."""

COEFFICIENTS = (0.0, 0.5, 1.0, 2.0)
"""The coefficients tried for each tier."""

VALIDATION_SHARE = 1 / 3
"""The share of the training period's days, last, that the tiers are measured on."""

MAX_WEIGHT = 1000
"""A weight's upper bound in the profile language."""


def tier_of(kind: str) -> str:
    """The tier of a candidate kind."""
    if kind in COMBINATIONS:
        return "combination"
    if kind == "hs_subheading":
        return "hs6"
    return "single"


def points(candidate: Candidate, base: float) -> float | None:
    """A kept candidate's strength in its tier, before the tier's coefficient: ten times
    the base-2 logarithm of its rate over the base rate (a single value's rate is the
    lower bound of its 95 % interval, held within 5 and 50 points as single values are
    weighted; a combination's its shrunk rate; an HS6 code's its hit rate). None for a
    candidate not kept."""
    if not candidate.kept or base <= 0:
        return None
    tier = tier_of(candidate.kind)
    if tier == "single":
        low = _lower(candidate.train)
        value = 10 * math.log2(low / base) if low > base else 5.0
        return max(5.0, min(50.0, value))
    rate = candidate.shrunk if tier == "combination" else candidate.train.hit_rate
    if rate is None or rate <= base:
        return None
    return 10 * math.log2(rate / base)


def _weight(coefficient: float, value: float) -> int:
    return min(MAX_WEIGHT, round(coefficient * value))


@dataclass(frozen=True, slots=True)
class Stack:
    """The tiers' coefficients and how they were chosen.

    Attributes:
        inner_split: the first day of the validation months (the tiers were learned
            before it); None when there was nothing to validate on.
        units, findings: labelled units and findings of the validation months.
        capacities: the capacities the precision is measured at (``"5%"``, ``"10%"``).
        coefficients: the chosen coefficient of each tier (:data:`TIERS`).
        precision: the mean precision at ``capacities`` on the validation months of each
            tier alone (``single``, ``hs6``, ``combination``) and of the chosen stack
            (``stack``); empty when there was nothing to validate on.
        tried: how many coefficient sets were measured.
    """

    inner_split: dt.date | None
    units: int
    findings: int
    capacities: tuple[str, ...]
    coefficients: Mapping[str, float]
    precision: Mapping[str, float]
    tried: int

    def text(self) -> list[str]:
        """The stack in words, one line each (the draft's header)."""
        chosen = ", ".join(f"{t} x {self.coefficients[t]:g}" for t in TIERS)
        if self.inner_split is None:
            return [f"Tiers weighted {chosen}: no labelled month before the split to choose on."]
        at = " and ".join(self.capacities)
        alone = ", ".join(f"{t} {self.precision[t]:.3f}" for t in TIERS if t in self.precision)
        return [
            f"Tiers weighted {chosen}: chosen of {self.tried} coefficient sets on the"
            f" {self.units} labelled units from {self.inner_split.isoformat()}",
            f"(tiers learned before it): mean precision at {at} {self.precision['stack']:.3f},"
            f" each tier alone {alone}.",
        ]

    def as_dict(self) -> dict[str, Any]:
        """The stack as plain values (JSON-ready)."""
        return {
            "inner_split": self.inner_split.isoformat() if self.inner_split else None,
            "units": self.units,
            "findings": self.findings,
            "capacities": list(self.capacities),
            "coefficients": dict(self.coefficients),
            "precision": {k: round(v, 4) for k, v in self.precision.items()},
            "tried": self.tried,
        }


def _capacities(capacity: float) -> tuple[str, ...]:
    share = Decimal(repr(capacity)) * 100
    half = share / 2
    return tuple(dict.fromkeys(f"{s.normalize():f}%" for s in (half, share)))


Learn = Callable[[list[UnitLike], float], Sequence[Candidate]]
"""Learns the candidates on some units, given their base rate."""

Features = Callable[[Sequence[UnitLike], Bands, Collection[Feature]], list[list[set[Feature]]]]
"""Each unit's candidate features among some per shipment (with combinations)."""


def stack_tiers(
    train: Sequence[UnitLike],
    base: float,
    bands: Bands,
    split: dt.date,
    *,
    capacity: float,
    learn: Learn,
    features: Features,
) -> Stack:
    """Choose the tiers' coefficients on the training period's last months (the method
    is in this module's documentation)."""
    capacities = _capacities(capacity)
    equal = dict.fromkeys(TIERS, 1.0)
    days = [u.day for u in train if u.day is not None]
    nothing = Stack(None, 0, 0, capacities, equal, {}, 0)
    if not days:
        return nothing
    first = min(days)
    inner = split - dt.timedelta(days=int((split - first).days * VALIDATION_SHARE + 1e-9))
    before = [u for u in train if u.day is not None and u.day < inner]
    after = [u for u in train if u.day is not None and u.day >= inner and u.labelled]
    labelled = [u for u in before if u.labelled]
    findings_before = sum(u.finding for u in labelled)
    if not labelled or not findings_before or not after or not any(u.finding for u in after):
        return nothing
    fold_base = findings_before / len(labelled)
    measure = _measurer(learn(before, fold_base), fold_base, after, bands, capacities, features)
    grid = [c for c in itertools.product(COEFFICIENTS, repeat=len(TIERS)) if any(c)]
    # Fewer tiers first, then smaller coefficients: the first best is the simplest.
    grid.sort(key=lambda c: (sum(1 for x in c if x), c))
    measured = [(measure(c), c) for c in grid]
    best_value, best = max(measured, key=lambda m: m[0])  # max keeps the first best
    alone = {
        tier: next(v for v, c in measured if c == tuple(float(t == tier) for t in TIERS))
        for tier in TIERS
    }
    return Stack(
        inner_split=inner,
        units=len(after),
        findings=sum(u.finding for u in after),
        capacities=capacities,
        coefficients=dict(zip(TIERS, best, strict=True)),
        precision=alone | {"stack": best_value},
        tried=len(grid),
    )


def _measurer(
    candidates: Sequence[Candidate],
    base: float,
    units: Sequence[UnitLike],
    bands: Bands,
    capacities: Sequence[str],
    features: Features,
) -> Callable[[Sequence[float]], float]:
    """A function of the tiers' coefficients: the mean precision at ``capacities`` of the
    labelled ``units`` scored as a draft of ``candidates`` weighted by them would score
    them."""
    strengths: dict[tuple[str, str], tuple[int, float]] = {}
    for c in candidates:
        value = points(c, base)
        if value is not None:
            strengths[(c.kind, c.value)] = (TIERS.index(tier_of(c.kind)), value)
    # Each unit: per shipment, the (tier, kind, points) of the values it has.
    rows = []
    per_shipment = features(units, bands, strengths.keys())
    for i in sorted(range(len(units)), key=lambda i: units[i].key):
        shipments = [
            sorted((strengths[f][0], f[0], strengths[f][1]) for f in found if f in strengths)
            for found in per_shipment[i]
        ]
        rows.append((units[i].finding, shipments))

    def measure(coefficients: Sequence[float]) -> float:
        scored = []
        for finding, shipments in rows:
            best = 0
            for hits in shipments:
                groups = {
                    (kind, w)
                    for tier, kind, value in hits
                    if (w := _weight(coefficients[tier], value)) >= 1
                }
                best = max(best, sum(w for _, w in groups))
            scored.append((best, finding))
        scored.sort(key=lambda r: -r[0])
        total = 0.0
        for at in capacities:
            cut = cut_at_capacity(scored, at)
            total += cut.expected_findings / cut.k if cut.k else 0.0
        return total / len(capacities)

    return measure


def apply_stack(candidates: Sequence[Candidate], stack: Stack, base: float) -> list[Candidate]:
    """The candidates weighted by their tier's coefficient: a kept candidate's weight is
    its points times the coefficient, rounded; one whose tier has coefficient 0, or
    whose weight rounds below 1, is no longer kept, and says why."""
    out = []
    for c in candidates:
        value = points(c, base)
        if value is None:
            out.append(c)
            continue
        tier = tier_of(c.kind)
        coefficient = stack.coefficients[tier]
        weight = _weight(coefficient, value)
        if not coefficient:
            reason = (
                f"left out with its tier ({tier}): the months before the split rank "
                "better without it"
            )
            out.append(replace(c, kept=False, weight=None, reason=reason))
        elif weight < 1:
            reason = f"weight {coefficient:g} x {value:.2f} points rounds below 1"
            out.append(replace(c, kept=False, weight=None, reason=reason))
        else:
            out.append(replace(c, weight=weight))
    return out
