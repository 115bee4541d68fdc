"""How :func:`~riskprofile.evaluation.suggest` weighs its tiers against each other when
asked for combinations: by how each ranks units it was not learned from, on several
rolling-origin folds, with the one-list rule as the backbone.

A draft made with ``combinations=True`` adds three *tiers* of values, each with its own
strength in points (ten times the base-2 logarithm of a rate over the base rate):

- ``single``: the single values kept by the false discovery test (HS codes, origins,
  ports, traders, value bands...), at the lower bound of their hit rate's 95 % interval;
- ``hs6``: every HS6 code (``hs_subheadings``) whose past hit rate is above the base
  rate, at that rate: the one-list rule, written as watch lists;
- ``combination``: the combinations at full code level, at their shrunk hit rate,
  optionally from recency-weighted evidence (:func:`recency`).

Summed with equal weight, the tiers can rank worse than one of them alone (at a small
capacity the combinations push out the best HS6 codes), and one window of days can
misjudge them (patterns drift). So the weight of each tier, a *coefficient* that
multiplies its values' points, and the *half-life* of the combinations' evidence are
chosen on **rolling-origin folds** inside the training period: for each fold start
``d_k`` (:data:`FOLD_STARTS`, shares of the training days), every tier is learned on the
units before ``d_k`` and the labelled units from ``d_k`` up to the split are scored as
the draft would score them (a unit's score is the highest over its shipments of the sum
of the weights of the distinct indicators its shipment hits). The HS6 tier is the
*backbone*: its coefficient is at least 1 (:data:`COEFFICIENTS` for the other tiers,
:data:`BACKBONE_COEFFICIENTS` for it), so the other tiers add to the one-list ordering
and cannot replace it. For every set of coefficients and half-life
(:data:`HALF_LIVES`), the *margin* on a fold is the mean precision at half the capacity
and at the capacity minus that of the HS6 tier alone; the set with the best **worst-fold
margin** is kept (ties to fewer tiers, smaller coefficients, longer half-life first). The HS6
tier alone has margin 0 on every fold: when no set beats it on every fold, the draft
**falls back to the HS6 tier alone** (the one-list ordering) and its header says so. So
on every fold the chosen stack ranks at least as well as the one-list tier. The tiers
are then learned again on the whole training period and weighted with what was
chosen.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

import polars as pl

from riskprofile.evaluation._candidates import COMBINATIONS, Candidate, _lower, shrunk_rate
from riskprofile.evaluation._features import Feature
from riskprofile.evaluation._metrics import cut_of_counts
from riskprofile.evaluation._unit_table import UnitTable

__all__ = [
    "Carried",
    "Fold",
    "Stack",
    "apply_stack",
    "combinations_of",
    "recency",
    "stack_tiers",
    "tier_of",
]

TIERS = ("single", "hs6", "combination")
"""The tiers, in the order their coefficients are written."""

COEFFICIENTS = (0.0, 0.5, 1.0, 2.0)
"""The coefficients tried for the single values and the combinations."""

BACKBONE_COEFFICIENTS = (1.0, 2.0, 4.0)
"""The coefficients tried for the HS6 tier (the backbone: never left out)."""

BACKBONE = (0.0, BACKBONE_COEFFICIENTS[-1], 0.0)
"""The HS6 tier alone at its finest weights (a point is a quarter of the log-2 step of
the others, so codes whose rates differ by 2 % or more get different weights): the
one-list ordering, what the margins are measured against and the draft falls back to."""

HALF_LIVES: tuple[int | None, ...] = (30, 15)
"""The half-lives (days) tried for the combinations' evidence (None would count every
unit alike: measured, it let the folds keep stale combinations on one seed in nine)."""

FOLD_STARTS = (0.5, 0.6, 0.7)
"""Where the rolling folds start, as shares of the training period's days; each fold is
measured from its start up to the split."""

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
    weighted; a combination's its shrunk rate, recency-weighted when set; an HS6 code's
    its hit rate). None for a
    candidate not kept."""
    if not candidate.kept or base <= 0:
        return None
    tier = tier_of(candidate.kind)
    if tier == "single":
        low = _lower(candidate.train)
        value = 10 * math.log2(low / base) if low > base else 5.0
        return max(5.0, min(50.0, value))
    if tier == "combination":
        rate = candidate.recent if candidate.recent is not None else candidate.shrunk
    else:
        rate = candidate.train.hit_rate
    if rate is None or rate <= base:
        return None
    return 10 * math.log2(rate / base)


def _weight(coefficient: float, value: float) -> int:
    return min(MAX_WEIGHT, round(coefficient * value))


@dataclass(frozen=True, slots=True)
class Carried:
    """The combinations the labelled units of a period carry (:func:`combinations_of`),
    as columns: ``table`` has one row per unit and combination (``_unit``, ``feature``:
    an index into ``features``, ``_day``, ``_finding``)."""

    features: Sequence[Feature]
    table: pl.DataFrame


def _weighted(
    carried: Carried, wanted: Collection[Feature], as_of: dt.date, half_life: int
) -> dict[Feature, tuple[float, float]]:
    """Per combination of ``wanted``, its labelled units before ``as_of`` and their
    findings, each counted ``0.5 ** (age / half_life)``: summed unit after unit in the
    order of their ids (a running sum per combination), so the same floats to the last
    bit as a loop over the units."""
    index = [i for i, f in enumerate(carried.features) if f in wanted]
    rows = carried.table.filter(
        pl.col("feature").is_in(pl.Series(index, dtype=pl.UInt32).implode())
        & (pl.col("_day") < as_of)
    )
    if rows.is_empty():
        return {}
    # One weight per day (a history has few days), computed by Python's own power.
    days = rows.get_column("_day").unique().to_list()
    weight = {d: 0.5 ** ((as_of - d).days / half_life) for d in days}
    w = pl.col("_day").replace_strict(weight, return_dtype=pl.Float64)
    summed = (
        rows.sort("feature", "_unit")
        .with_columns(w.alias("w"))
        .group_by("feature", maintain_order=True)
        .agg(
            pl.col("w").cum_sum().last().alias("units"),
            (pl.col("w") * pl.col("_finding").cast(pl.Float64)).cum_sum().last().alias("found"),
        )
    )
    return {carried.features[i]: (units, found) for i, units, found in summed.iter_rows()}


def recency(
    candidates: Sequence[Candidate],
    carried: Carried,
    as_of: dt.date,
    half_life: int | None,
    strength: Mapping[str, float],
    base: float,
    min_lift: float,
) -> list[Candidate]:
    """The combinations' shrunk rates from recency-weighted evidence (``recent``): each
    labelled unit before ``as_of`` counts ``0.5 ** (age / half_life)`` (its age in days
    at ``as_of``), and a combination's rate is shrunk towards the same prior mean with the same
    strength as before (:func:`~._candidates.shrunk_rate`). A combination whose
    findings are old, and whose recent units found nothing, falls back towards its
    parents' rate; it is kept when it has a finding and its rate is at least
    ``min_lift`` times the base rate. ``carried``: the labelled units' combinations
    (:func:`combinations_of`). The other candidates are returned as they
    are; with ``half_life`` None, all of them."""
    if half_life is None:
        return list(candidates)
    wanted = {
        (c.kind, c.value) for c in candidates if c.kind in COMBINATIONS and c.prior is not None
    }
    weighted = _weighted(carried, wanted, as_of, half_life)
    out = []
    for c in candidates:
        key = (c.kind, c.value)
        if key not in wanted or c.prior is None:
            out.append(c)
            continue
        units_w, found_w = weighted.get(key, (0.0, 0.0))
        rate = shrunk_rate(found_w, units_w, c.prior, strength.get(c.kind, 2.0))
        keep = c.train.findings > 0 and rate >= min_lift * base
        decay = f"recency-weighted, half-life {half_life} days"
        reason = (
            f"kept: shrunk hit rate {rate * 100:.1f} % ({decay})"
            if keep
            else f"shrunk hit rate {rate * 100:.1f} % ({decay}), below {min_lift:g} x the base rate"
        )
        weight = max(1, round(10 * math.log2(rate / base))) if keep and base > 0 else None
        out.append(replace(c, recent=rate, kept=keep, reason=reason, weight=weight))
    return out


@dataclass(frozen=True, slots=True)
class Fold:
    """One rolling fold: the tiers learned on the units before ``start``, measured on the
    labelled units from ``start`` up to ``end`` (excluded).

    Attributes:
        precision: the mean precision at the stack's capacities of each tier alone
            (``single``, ``hs6``, ``combination``, at the chosen half-life) and of the
            chosen stack (``stack``).
    """

    start: dt.date
    end: dt.date
    units: int
    findings: int
    precision: Mapping[str, float]

    def as_dict(self) -> dict[str, Any]:
        """The fold as plain values (JSON-ready)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "units": self.units,
            "findings": self.findings,
            "precision": {k: round(v, 4) for k, v in self.precision.items()},
        }


@dataclass(frozen=True, slots=True)
class Stack:
    """The tiers' coefficients, the combinations' half-life, and how they were chosen.

    Attributes:
        folds: the rolling folds they were chosen on; empty when there was nothing to
            validate on (then every tier has coefficient 1).
        capacities: the capacities the precision is measured at (``"5%"``, ``"10%"``).
        coefficients: the chosen coefficient of each tier (:data:`TIERS`).
        half_life: the half-life in days of the combinations' evidence; None when every
            unit counts alike.
        margin: the chosen stack's worst-fold margin over the HS6 tier alone (mean
            precision at ``capacities``); None without folds.
        fallback: no set beat the HS6 tier alone on every fold: the draft is that tier
            alone (the one-list ordering).
        tried: how many (coefficients, half-life) sets were measured.
    """

    folds: tuple[Fold, ...]
    capacities: tuple[str, ...]
    coefficients: Mapping[str, float]
    half_life: int | None
    margin: float | None
    fallback: bool
    tried: int

    def text(self) -> list[str]:
        """The stack in words, one line each (the draft's header)."""
        chosen = ", ".join(f"{t} x {self.coefficients[t]:g}" for t in TIERS)
        if not self.folds:
            return [f"Tiers weighted {chosen}: no labelled months before the split to choose on."]
        at = " and ".join(self.capacities)
        if self.fallback:
            lines = [
                f"Tiers weighted {chosen}: the one-list rule alone (HS6 codes by past hit"
                f" rate), because none of the {self.tried} other sets tried ranked above it"
                f" on every one of the {len(self.folds)} rolling folds before the split.",
            ]
        else:
            decay = (
                f"half-life {self.half_life} days"
                if self.half_life is not None
                else "every unit alike"
            )
            lines = [
                f"Tiers weighted {chosen}, combinations' evidence {decay}: chosen of"
                f" {self.tried} sets on {len(self.folds)} rolling folds before the split,"
                f" at least {self.margin or 0:+.3f} above the HS6 tier alone on every fold"
                f" (mean precision at {at}).",
            ]
        for fold in self.folds:
            alone = ", ".join(f"{t} {fold.precision[t]:.3f}" for t in TIERS)
            lines.append(
                f"Fold {fold.start.isoformat()} to {fold.end.isoformat()} ({fold.units}"
                f" labelled units, tiers learned before it): stack"
                f" {fold.precision['stack']:.3f}, each tier alone {alone}."
            )
        return lines

    def as_dict(self) -> dict[str, Any]:
        """The stack as plain values (JSON-ready)."""
        return {
            "folds": [f.as_dict() for f in self.folds],
            "capacities": list(self.capacities),
            "coefficients": dict(self.coefficients),
            "half_life": self.half_life,
            "margin": round(self.margin, 4) if self.margin is not None else None,
            "fallback": self.fallback,
            "tried": self.tried,
        }


def _capacities(capacity: float) -> tuple[str, ...]:
    share = Decimal(repr(capacity)) * 100
    half = share / 2
    return tuple(dict.fromkeys(f"{s.normalize():f}%" for s in (half, share)))


class Learned(Protocol):
    """What :data:`Learn` returns: the candidates and the combinations' prior strengths."""

    @property
    def candidates(self) -> Sequence[Candidate]: ...

    @property
    def strength(self) -> Mapping[str, float]: ...


Learn = Callable[[UnitTable, float], Learned]
"""Learns the candidates on some units, given their base rate."""

Features = Callable[[UnitTable, Sequence[Feature]], pl.DataFrame]
"""Each shipment's candidate features among some (with combinations) of some units:
``_unit``, ``_row`` (the shipment) and ``feature`` (an index into the features asked
for), as :meth:`~._features.History.unit_features` gives them."""


def combinations_of(
    candidates: Sequence[Candidate], units: UnitTable, features: Features
) -> Carried:
    """The combinations among ``candidates`` that each labelled unit of ``units``
    carries, over its shipments (what :func:`recency` weighs)."""
    wanted = sorted({(c.kind, c.value) for c in candidates if c.kind in COMBINATIONS})
    labelled = units.labelled()
    table = (
        features(labelled, wanted)
        .select("_unit", "feature")
        .unique()
        .join(labelled.table.select("_unit", "_day", "_finding"), on="_unit")
    )
    return Carried(wanted, table)


def _fold_starts(first: dt.date, split: dt.date) -> list[dt.date]:
    span = (split - first).days
    starts = {first + dt.timedelta(days=round(span * share)) for share in FOLD_STARTS}
    return sorted(d for d in starts if first < d < split)


def _can_hit(candidates: Sequence[Candidate]) -> list[Feature]:
    """The candidates that can score a unit in a fold: the kept ones, and every
    combination (weighing its evidence by recency may keep it)."""
    return sorted({(c.kind, c.value) for c in candidates if c.kept or c.kind in COMBINATIONS})


def stack_tiers(
    train: UnitTable,
    base: float,
    split: dt.date,
    *,
    capacity: float,
    min_lift: float,
    learn: Learn,
    features: Features,
) -> Stack:
    """Choose the tiers' coefficients and the combinations' half-life on rolling folds
    before the split (the method is in this module's documentation). The folds are
    filters of the units' table; each fold's units are grouped by the values they carry
    (:func:`_measurer`), so a fold costs per distinct signature, not per unit."""
    capacities = _capacities(capacity)
    first = train.first_day()
    nothing = Stack((), capacities, dict.fromkeys(TIERS, 1.0), None, None, False, 0)
    if first is None:
        return nothing
    starts = _fold_starts(first, split)
    # Each usable fold: (start, end, units, findings, a measurer per half-life).
    folds: list[tuple[dt.date, dt.date, int, int, dict[int | None, _Measure]]] = []
    end = split
    for start in starts:
        before = train.dated(None, start)
        after = train.dated(start, end).labelled()
        labelled = before.labelled()
        found = labelled.findings
        if not len(labelled) or not found or not len(after) or not after.findings:
            continue
        fold_base = found / len(labelled)
        learned = learn(before, fold_base)
        carried = combinations_of(learned.candidates, before, features)
        # The measured units' values, once for every half-life.
        wanted = _can_hit(learned.candidates)
        values = (wanted, features(after, wanted))
        measures = {
            h: _measurer(
                recency(learned.candidates, carried, start, h, learned.strength, fold_base,
                        min_lift),
                fold_base, after, values, capacities,
            )
            for h in (None, *HALF_LIVES)
        }  # fmt: skip
        folds.append((start, end, len(after), after.findings, measures))
    if not folds:
        return nothing
    grid = list(itertools.product(COEFFICIENTS, BACKBONE_COEFFICIENTS, COEFFICIENTS))
    # Fewer tiers first, then smaller coefficients, then the longer half-life: the first
    # best is the simplest.
    options = sorted(
        ((c, h) for c in grid for h in HALF_LIVES),
        key=lambda o: (sum(1 for x in o[0] if x), o[0], HALF_LIVES.index(o[1])),
    )
    backbone = [f[4][None](BACKBONE) for f in folds]
    cache: dict[tuple[tuple[float, ...], int | None], list[float]] = {}

    def precisions(option: tuple[tuple[float, ...], int | None]) -> list[float]:
        if option not in cache:
            cache[option] = [f[4][option[1]](option[0]) for f in folds]
        return cache[option]

    def worst(option: tuple[tuple[float, ...], int | None]) -> float:
        return min(p - b for p, b in zip(precisions(option), backbone, strict=True))

    best = max(options, key=worst)  # max keeps the first best
    margin = worst(best)
    fallback = margin <= 0
    if fallback:
        best, margin = (BACKBONE, None), 0.0
    coefficients, half_life = best
    sets = {"single": (1.0, 0.0, 0.0), "hs6": BACKBONE, "combination": (0.0, 0.0, 1.0)}
    records = []
    for k, (start, end, units, findings, _) in enumerate(folds):
        alone = {tier: precisions((sets[tier], half_life))[k] for tier in TIERS}
        records.append(Fold(start, end, units, findings, alone | {"stack": precisions(best)[k]}))
    return Stack(
        folds=tuple(records),
        capacities=capacities,
        coefficients=dict(zip(TIERS, coefficients, strict=True)),
        half_life=half_life,
        margin=margin,
        fallback=fallback,
        tried=len(options),
    )


_Measure = Callable[[Sequence[float]], float]

_Hit = tuple[int, str, float]
"""A value's tier (its index in :data:`TIERS`), kind and points."""

_HIT_SCHEMA = {"group": pl.UInt32, "shipment": pl.UInt32, "tier": pl.UInt8, "kind": pl.UInt32,
               "points": pl.Float64}  # fmt: skip
"""The hits of the signatures (:func:`_signatures`): a signature, one of its shipments, and
the tier, kind (a number) and points of a value that shipment hits."""


def _signatures(
    hit_of: Mapping[Feature, _Hit],
    units: UnitTable,
    values: tuple[Sequence[Feature], pl.DataFrame],
) -> tuple[pl.DataFrame, pl.DataFrame, list[int]]:
    """The labelled ``units`` grouped by signature (per shipment that any value of
    ``hit_of`` hits, the distinct hits of its values), column-wise: the signatures'
    hits (:data:`_HIT_SCHEMA`), each signature's units and findings (``group``,
    ``units``, ``findings``), and the units and findings of the units no value hits."""
    features, table = values
    hits = sorted(set(hit_of.values()))
    code = {h: i for i, h in enumerate(hits)}
    chosen = [(i, code[hit_of[f]]) for i, f in enumerate(features) if f in hit_of]
    codes = pl.DataFrame(
        {"feature": [i for i, _ in chosen], "code": [c for _, c in chosen]},
        schema={"feature": pl.UInt32, "code": pl.UInt32},
    )
    counted = (
        table.lazy()
        .join(codes.lazy(), on="feature")
        .select("_unit", "_row", "code")
        .unique()
        .group_by("_unit", "_row")
        .agg(pl.col("code").sort().cast(pl.String).str.join(",").alias("shipment"))
        .group_by("_unit")
        .agg(pl.col("shipment").unique().sort().str.join(";").alias("signature"))
        .join(units.table.lazy().select("_unit", "_finding"), on="_unit")
        .group_by("signature")
        .agg(pl.len().alias("units"), pl.col("_finding").sum().alias("findings"))
        .sort("signature")
        .with_row_index("group")
        .collect()
    )
    kinds = sorted({kind for _, kind, _ in hits})
    described = pl.DataFrame(
        {
            "code": range(len(hits)),
            "tier": [tier for tier, _, _ in hits],
            "kind": [kinds.index(kind) for _, kind, _ in hits],
            "points": [points for _, _, points in hits],
        },
        schema={"code": pl.UInt32, "tier": pl.UInt8, "kind": pl.UInt32, "points": pl.Float64},
    )
    shipments = (
        counted.select("group", pl.col("signature").str.split(";").alias("shipment"))
        .explode("shipment")
        .with_row_index("_shipment")
        .select(
            "group",
            pl.col("_shipment").alias("shipment"),
            pl.col("shipment").str.split(",").alias("code"),
        )
        .explode("code")
        .with_columns(pl.col("code").cast(pl.UInt32))
        .join(described, on="code")
        .select(*_HIT_SCHEMA)
        .cast(_HIT_SCHEMA)  # type: ignore[arg-type]
    )
    groups = counted.select("group", "units", "findings")
    hit_units = int(groups.get_column("units").sum())
    hit_findings = int(groups.get_column("findings").sum())
    return shipments, groups, [len(units) - hit_units, units.findings - hit_findings]


def _measurer(
    candidates: Sequence[Candidate],
    base: float,
    units: UnitTable,
    values: tuple[Sequence[Feature], pl.DataFrame],
    capacities: Sequence[str],
) -> _Measure:
    """A function of the tiers' coefficients: the mean precision at ``capacities`` of the
    labelled ``units`` scored as a draft of ``candidates`` weighted by them would score
    them (``values``: features, and each shipment's among them, as
    :data:`Features` gives them)."""
    hit_of: dict[Feature, _Hit] = {}
    for c in candidates:
        value = points(c, base)
        if value is not None:
            hit_of[(c.kind, c.value)] = (TIERS.index(tier_of(c.kind)), c.kind, value)
    # Units whose shipments carry the same values score alike whatever the coefficients:
    # each such signature (per shipment, the (tier, kind, points) of its values) is
    # scored once and counted with its units and findings. The precision at a capacity
    # depends only on how many units and findings each score has (a tie at the cut is
    # taken in proportion), so this is the per-unit ranking's figure, with one entry per
    # signature rather than per unit. Units no value hits score 0 whatever the
    # coefficients. The signatures are scored column-wise, each weighting in one query.
    hits, groups, zeros = _signatures(hit_of, units, values)

    def measure(coefficients: Sequence[float]) -> float:
        tier = pl.col("tier")
        coefficient = (
            pl.when(tier == 0)
            .then(pl.lit(coefficients[0], pl.Float64))
            .when(tier == 1)
            .then(pl.lit(coefficients[1], pl.Float64))
            .otherwise(pl.lit(coefficients[2], pl.Float64))
        )
        # As _weight: the points times the coefficient, rounded half to even as Python's
        # round(), at most MAX_WEIGHT; a shipment's distinct (kind, weight) of 1 or more.
        weight = (
            (coefficient * pl.col("points"))
            .round(0, mode="half_to_even")
            .clip(upper_bound=MAX_WEIGHT)
            .cast(pl.Int64)
        )
        scores = (
            hits.lazy()
            .select("group", "shipment", "kind", weight.alias("w"))
            .filter(pl.col("w") >= 1)
            .unique()
            .group_by("group", "shipment")
            .agg(pl.col("w").sum())
            .group_by("group")
            .agg(pl.col("w").max().alias("score"))
        )
        by_score = (
            groups.lazy()
            .join(scores, on="group", how="left")
            .group_by(pl.col("score").fill_null(0))
            .agg(pl.col("units").sum(), pl.col("findings").sum())
            .collect()
        )
        totals: dict[int, list[int]] = {0: list(zeros)}
        for score, count, found in by_score.select("score", "units", "findings").iter_rows():
            row = totals.setdefault(score, [0, 0])
            row[0] += count
            row[1] += found
        # Each score's units, its findings first (the tie at the cut is taken in
        # proportion, so their order within a score does not change the figure).
        ranks = [(totals[s][0], totals[s][1]) for s in sorted(totals, reverse=True)]
        total = 0.0
        for at in capacities:
            cut = cut_of_counts(ranks, at)
            total += cut.expected_findings / cut.k if cut.k else 0.0
        return total / len(capacities)

    return measure


def apply_stack(
    candidates: Sequence[Candidate],
    stack: Stack,
    base: float,
    *,
    units: UnitTable,
    split: dt.date,
    strength: Mapping[str, float],
    min_lift: float,
    features: Features,
) -> list[Candidate]:
    """The candidates weighted by their tier's coefficient, the combinations' rates from
    evidence weighted with the stack's half-life at ``split`` (:func:`recency`): a kept
    candidate's weight is its points times the coefficient, rounded; one whose tier has
    coefficient 0, or whose weight rounds below 1, is no longer kept, and says why."""
    if stack.half_life is not None:
        carried = combinations_of(candidates, units, features)
        candidates = recency(candidates, carried, split, stack.half_life, strength, base, min_lift)
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
                f"left out with its tier ({tier}): the one-list rule alone ranks the folds"
                " before the split better"
                if stack.fallback
                else f"left out with its tier ({tier}): the folds before the split rank "
                "better without it"
            )
            out.append(replace(c, kept=False, weight=None, reason=reason))
        elif weight < 1:
            reason = f"weight {coefficient:g} x {value:.2f} points rounds below 1"
            out.append(replace(c, kept=False, weight=None, reason=reason))
        else:
            out.append(replace(c, weight=weight))
    return out
