"""Suggestions from history: indicators proposed from past inspections, measured on a
time split.

The method, exactly (``docs/evaluation.md`` says the same for analysts):

1. Each unit (container, or bill of lading or declaration without one) gets a date: the
   arrival of its vessel, else the B/L (declaration) issue date, else the inspection
   date. Units before ``split`` are the *training* period, the others the *test* period.
   A unit is *labelled* when an outcome says it was inspected.
2. Candidate features of a unit, over every shipment it carries: HS codes, headings and
   chapters, origin countries, HS heading and origin country together, port of loading,
   its country (the departure country), place of receipt, transshipment ports, shipper
   and consignee names, importer and seller identifiers, declarant, customs office, tax
   type, text custom fields (``x_...``), and value-per-kg bands per HS chapter and
   currency (quantiles of the training period's shipments of a single chapter, labelled
   or not).
3. For each candidate, on each period: *support* (labelled units with it), *findings*,
   *hit rate* with its Wilson interval, and *lift* (hit rate over the period's base rate,
   the hit rate of all its labelled units).
4. Selection, on the training period only. A candidate is *tested* when its support is
   at least ``min_support``. Its *p-value* is the chance of at least its findings among
   its units if they had the base rate (the exact binomial tail). Many candidates are
   tested at once, so the p-values are held to the Benjamini-Hochberg threshold for a
   false discovery rate ``alpha``: the largest ``p(r)`` with ``p(r) <= r / tests *
   alpha``, ``p(1) <= ... <= p(tests)`` being the sorted p-values. A candidate is *kept*
   when its p-value is at most that threshold, it has at least ``min_findings``
   findings, and its lift is at least ``min_lift``. So the more candidates are tested,
   the stronger the evidence each needs, and at most a share ``alpha`` of the kept
   candidates is expected to be chance.
5. Redundancy: kept candidates are taken strongest first (highest lower bound of the
   95 % Wilson interval). One that shares at least half of its labelled units, or of a
   taken candidate's, with a candidate already taken, and whose units that no taken
   candidate has no longer pass the same test, is dropped as covered (a port and its
   country, a heading and its only HS code, a heading and the pair that makes up most
   of it, a chapter and its cheapest band). The other way round, a broader candidate
   replaces the taken ones that lie mostly within it when they find no more than the
   rest of it and that rest finds more than the base rate on its own (one-sided
   binomial tests at ``alpha``): a port replaces the main trade loaded there.
6. Weights: ten times the base-2 logarithm of the lift at the 95 % lower bound, rounded
   to a multiple of 5, from 5 to 50. The kept values of a kind with the same weight
   form one watch list and one indicator.
7. The test period is never used to choose: its figures (support, findings, hit rate,
   lift) are reported next to the training figures, and the suggested profile scores
   the test period's labelled units to measure its precision at an inspection capacity
   against the base rate, which is what random selection would find.

8. Combinations (only when asked, ``combinations=True``): every HS6 code x origin
   country x departure country a unit carries, and every HS6 code x tax type. They are
   not held to ``min_support``
   nor to the false discovery test: each with a training finding is kept when its
   shrunk hit rate (the posterior mean under a beta prior whose strength is estimated
   from all the combinations' hit rates by the method of moments:
   :func:`~._candidates.beta_prior`, :func:`~._candidates.shrunk_rate`) is at least
   ``min_lift`` times the base rate, and weighted by that shrunk rate. The prior's mean
   backs off through the combination's parents: its HS6 code's rate over the code's
   other units, shrunk towards its heading's, shrunk towards its chapter's, shrunk
   towards the base rate, so that a rare combination borrows strength from them. They go to CSV
   watch lists with their figures, shrunk rate and first and last finding.

9. With combinations, also every HS6 code whose training hit rate is above the base
   rate (the one-list rule), and the three tiers (single values, HS6 codes,
   combinations) are weighted by coefficients, and the combinations' evidence by a
   recency half-life, chosen on rolling folds inside the training period
   (:mod:`._suggest_stack`): the HS6 tier is the backbone, and on every fold the draft
   ranks at least as well as it (else it is that tier alone, and says so).

The profile comes out as ``status: draft``: it never scores unless a run asks for
drafts, and an analyst reviews it before it is activated.

This module runs the method (:func:`suggest`); the candidates, their figures and the
statistics are in :mod:`._candidates`, the units and their features in :mod:`._features`,
the result and the profile it writes in :mod:`._suggestions`.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from riskprofile.errors import RiskProfileError
from riskprofile.evaluation._candidates import (
    _KIND,
    _ORDER,
    COMBINATIONS,
    RATED,
    Candidate,
    Figures,
    PrecisionAtCapacity,
    _lower,
    benjamini_hochberg,
    beta_prior,
    binomial_tail,
    shrunk_rate,
    unlistable,
)
from riskprofile.evaluation._features import (
    COMBINATION_LEVELS,
    Bands,
    Counts,
    History,
    ObjectHistory,
    _explains,
    _label,
    _number,
)
from riskprofile.evaluation._metrics import cut_of_counts
from riskprofile.evaluation._outcome_table import OutcomeTable
from riskprofile.evaluation._outcomes import Outcome
from riskprofile.evaluation._suggest_stack import Stack, apply_stack, stack_tiers
from riskprofile.evaluation._suggestions import Suggestions, _Group, _weight
from riskprofile.evaluation._unit_table import UnitTable
from riskprofile.model.shipment import Shipment

if TYPE_CHECKING:
    from riskprofile.scoring import ScoringRun

__all__ = ["suggest"]


def _figures(units: UnitTable, base: float | None) -> Figures:
    labelled = units.labelled()
    return Figures(units=len(labelled), findings=labelled.findings, seen=len(units), base_rate=base)


def suggest(
    shipments: Iterable[Shipment] | pl.DataFrame,
    outcomes: Iterable[Outcome] | OutcomeTable,
    *,
    split: dt.date,
    min_support: int = 10,
    min_findings: int = 5,
    min_lift: float = 2.0,
    alpha: float = 0.05,
    value_bands: int = 5,
    capacity: float = 0.1,
    combinations: bool = False,
    profile_id: str | None = None,
    category: str = "other",
    owner: str = "PCU risk analysis (suggested, to review)",
    progress: Callable[[str], None] | None = None,
) -> Suggestions:
    """Propose indicators from past inspections, learned before ``split`` and measured
    from ``split`` on (the method is in this module's documentation).

    Args:
        shipments: the history's shipments (e.g. ``read_batch(...).shipments``), or its
            shipment frame (``read_frame(...).frame``): counted column-wise, with the same
            result (:mod:`._suggest_frame`).
        outcomes: the inspections' outcomes (e.g. ``read_outcomes(...).outcomes``), or
            an :class:`~riskprofile.evaluation.OutcomeTable` (``read_outcome_table(...)``:
            no object per outcome), matched to the units by unit key, container number
            or B/L number.
        split: the first day of the test period.
        min_support: labelled training units a candidate needs to be tested.
        min_findings: training findings a candidate needs to be kept.
        min_lift: training lift a candidate needs to be kept.
        alpha: the false discovery rate of the Benjamini-Hochberg selection.
        value_bands: value-per-kg bands per HS chapter and currency (quantiles).
        capacity: the share of the test period's labelled units inspected when the
            suggested profile's precision is measured.
        profile_id: the suggested profile's id; ``<category>.suggested-<split>`` by
            default.
        category: the suggested profile's category.
        owner: the suggested profile's owner.
        combinations: also propose combinations at full code level (HS6 code x origin
            country x departure country), kept by their shrunk hit rate rather than
            ``min_support`` and the false discovery test, and written as CSV watch lists
            with their figures (:meth:`Suggestions.files`).
        progress: called with a short message at each stage.

    Returns:
        :class:`Suggestions`. The same history in any order gives the same suggestions.

    Raises:
        ValueError: for a setting out of range, or no labelled unit before ``split``.
    """
    if min_support < 1 or min_findings < 1:
        raise ValueError("min_support and min_findings must be at least 1")
    if not min_lift >= 1:
        raise ValueError(f"min_lift must be at least 1, not {min_lift!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    if value_bands < 2:
        raise ValueError(f"value_bands must be at least 2, not {value_bands!r}")
    if not 0 < capacity <= 1:
        raise ValueError(f"capacity must be a share above 0 and at most 1, not {capacity!r}")
    say = progress or (lambda _message: None)
    say("matching outcomes to units")
    history: History
    if isinstance(shipments, pl.DataFrame):
        from riskprofile.evaluation._suggest_frame import FrameHistory

        history = FrameHistory(shipments, outcomes)
    else:
        given = outcomes.outcomes if isinstance(outcomes, OutcomeTable) else outcomes
        history = ObjectHistory(shipments, given)
    ordered, unmatched = history.units, history.unmatched
    train, test = ordered.dated(None, split), ordered.dated(split, None)
    undated = ordered.undated
    train_all = _figures(train, None)
    if not train_all.units:
        raise ValueError(
            f"no inspected unit before {split.isoformat()}: nothing to learn from"
            + _unmatched_note(unmatched, history.first_unmatched)
        )
    base = train_all.findings / train_all.units
    test_all = _figures(test, None)
    test_base = test_all.findings / test_all.units if test_all.units else None
    train_all = Figures(train_all.units, train_all.findings, train_all.seen, base)
    test_all = Figures(test_all.units, test_all.findings, test_all.seen, test_base)

    say("learning value bands")
    bands = history.learn_bands(train, value_bands)
    history.add_features(bands, combinations)

    say("counting candidates")
    learned = _learn(
        history.count(train, test, combinations), base, test_base, bands,
        min_support=min_support, min_findings=min_findings, min_lift=min_lift, alpha=alpha,
        combinations=combinations, say=say,
    )  # fmt: skip
    candidates, threshold, strength = learned.candidates, learned.threshold, learned.strength
    stack: Stack | None = None
    if combinations:
        say("weighing the tiers on rolling folds before the split")
        stack = stack_tiers(
            train, base, split, capacity=capacity, min_lift=min_lift,
            learn=lambda fold_train, fold_base: _learn(
                history.count(fold_train, fold_train.where(pl.lit(False)), True), fold_base,
                None, bands,
                min_support=min_support, min_findings=min_findings, min_lift=min_lift,
                alpha=alpha, combinations=True, say=lambda _message: None,
            ),
            features=history.unit_features,
        )  # fmt: skip
        candidates = apply_stack(
            candidates, stack, base, units=train, split=split, strength=strength,
            min_lift=min_lift, features=history.unit_features,
        )  # fmt: skip

    identifier = profile_id or f"{category}.suggested-{split.isoformat()}"
    result = Suggestions(
        split=split,
        train=train_all,
        test=test_all,
        candidates=tuple(candidates),
        tests=learned.tested,
        threshold=threshold,
        alpha=alpha,
        min_support=min_support,
        min_findings=min_findings,
        min_lift=min_lift,
        value_bands=value_bands,
        precision=None,
        profile_id=identifier,
        owner=owner,
        category=category,
        undated=undated,
        unmatched=unmatched,
        bands=bands,
        prior_strength=dict(strength),
        stack=stack,
    )
    result = replace(
        result,
        indicators=_indicator_figures(history, result._groups(), train, test, base, test_base),
    )
    if not result.kept or not test_all.units:
        return result
    say("scoring the test period with the suggested profile")
    labelled = test.labelled()
    # A slice of units at a time: a unit's score is its shipments' alone, and the
    # scoring's working memory is a slice's, however long the test period.
    slices = (
        labelled.slice(start, SCORED_UNITS) for start in range(0, len(labelled), SCORED_UNITS)
    )
    batches = ((part, *history.batch(part)) for part in slices)
    precision = _precision(result, labelled, batches, capacity)
    return replace(result, precision=precision)


SCORED_UNITS = 50_000
"""The test period's labelled units scored at a time (each with all its shipments): at
1M declarations a slice of 200,000 took 273 MiB above the history to score, one of
50,000 95 MiB, for 0.6 s more CPU over the 333,333 labelled units."""


def _unmatched_note(count: int, first: str | None) -> str:
    """What to add when outcomes matched no unit: most likely why nothing is labelled."""
    if not count:
        return ""
    outcomes = "outcome matches" if count == 1 else "outcomes match"
    return (
        f" ({count:,} {outcomes} no unit of the history, the first {first!r}: do the "
        "outcomes name the history's containers, B/Ls or unit keys?)"
    )


@dataclass(frozen=True, slots=True)
class _Learned:
    candidates: list[Candidate]
    tested: int
    threshold: float
    strength: dict[str, float]


def _learn(
    counts: Counts,
    base: float,
    test_base: float | None,
    bands: Bands,
    *,
    min_support: int,
    min_findings: int,
    min_lift: float,
    alpha: float,
    combinations: bool,
    say: Callable[[str], None],
) -> _Learned:
    """Steps 4, 5 and 8 of the method on the counts of a history's training period (its
    test period only gives the figures after the split): every candidate with its
    figures, kept or not and why."""
    rows = counts.table.filter(
        (pl.col("support") >= min_support) & ~pl.col("kind").is_in(sorted(RATED))
    ).select("kind", "value", *_FIGURES)
    tested = sorted((kind, value) for kind, value, *_ in rows.iter_rows())
    say(f"testing {len(tested)} candidates")
    figures: dict[tuple[str, str], tuple[Figures, Figures, float]] = {}
    for kind, value, *numbers in rows.iter_rows():
        tr, te = _pair(numbers, base, test_base)
        figures[(kind, value)] = (tr, te, binomial_tail(tr.findings, tr.units, base))
    figures = {f: figures[f] for f in tested}
    threshold = benjamini_hochberg([p for _, _, p in figures.values()], alpha)
    order = sorted(tested, key=lambda f: (-_lower(figures[f][0]), _ORDER[f[0]], f[1]))

    # The units of the candidates that pass the tests (only they are compared), as sorted
    # ids with what each pair shares: the selection's memory is that of their units, not
    # of a bit per unit of the history each (see _members).
    members = counts.members(
        [
            f
            for f, (tr, _, p_value) in figures.items()
            if tr.findings >= min_findings and (tr.lift or 0.0) >= min_lift and p_value <= threshold
        ]
    )
    covered = members.mask()
    kept_labels: list[tuple[tuple[str, str], str]] = []
    candidates: list[Candidate] = []
    position: dict[tuple[str, str], int] = {}
    coverer: dict[tuple[str, str], tuple[str, str]] = {}  # covered -> the kept one
    for f in order:
        tr, te, p_value = figures[f]
        label = _label(f[0], f[1], bands)
        lift = tr.lift or 0.0
        keep = False
        if tr.findings < min_findings:
            reason = f"{tr.findings} findings, below {min_findings}"
        elif lift < min_lift:
            reason = f"lift {lift:.2f}, below {_number(min_lift)}"
        elif p_value > threshold:
            reason = f"p-value {p_value:.2g} above the threshold " + (
                f"{threshold:.2g}" if threshold else "(none passes)"
            )
        elif (unwritable := unlistable(*f)) is not None:
            # Kept, the draft would not load: its watch list refuses the value.
            reason = f"{unwritable}: a watch list of {_KIND[f[0]].title} values cannot hold it"
        else:
            # Covered: a kept candidate shares at least half of its units or of their
            # own, and the units that no kept candidate has no longer pass the test.
            shared = members.shared(f)
            size = members.size(f)
            nested = [
                (g, label_g)
                for g, label_g in kept_labels
                if 2 * shared.get(g, (0, 0))[0] >= min(members.size(g), size)
            ]
            within = [g for g, _ in nested if _explains(f, g, members, base, alpha)]
            if nested and len(within) == len(nested):
                # The kept candidates it overlaps are parts of it that find no more than
                # the rest of it: it is the better explanation, and replaces them.
                keep = True
                reason = "kept"
                replaced = set(within)
                for h, by in list(coverer.items()):
                    if by in replaced:
                        replaced.add(h)
                for h in replaced:
                    coverer[h] = f
                    index = position[h]
                    candidates[index] = replace(
                        candidates[index],
                        kept=False,
                        weight=None,
                        reason=f"covered by {_KIND[f[0]].title} {label}",
                    )
                kept_labels = [(g, lab) for g, lab in kept_labels if g not in within]
                kept_labels.append((f, label))
                covered = members.mask()
                for g, _ in kept_labels:
                    members.cover(covered, g)
            elif nested and (
                (rest := members.outside(f, covered))[1] < min_findings
                or binomial_tail(rest[1], rest[0], base) > threshold
            ):
                nearest = max(nested, key=lambda kl: shared.get(kl[0], (0, 0))[0])
                coverer[f] = nearest[0]
                reason = f"covered by {_KIND[nearest[0][0]].title} {nearest[1]}"
            else:
                keep = True
                reason = "kept"
                members.cover(covered, f)
                kept_labels.append((f, label))
        position[f] = len(candidates)
        candidates.append(
            Candidate(
                kind=f[0],
                value=f[1],
                label=label,
                train=tr,
                test=te,
                p_value=p_value,
                kept=keep,
                reason=reason,
                weight=_weight(tr) if keep else None,
            )
        )

    strength: dict[str, float] = {}
    if combinations:
        say("shrinking the hit rates of the combinations")
        candidates += _combinations(
            counts.table, base, test_base, min_lift, strength,
            (counts.parents, counts.parents_found),
        )  # fmt: skip
        candidates += _subheadings(counts.table, base, test_base)

    return _Learned(candidates, len(tested), threshold, strength)


_FIGURES = ("support", "found", "seen", "test_support", "test_found", "test_seen")
"""The count columns a candidate's figures on both periods are read from."""


def _pair(numbers: Sequence[int], base: float, test_base: float | None) -> tuple[Figures, Figures]:
    """A feature's figures on both periods from its :data:`_FIGURES`."""
    support, found, seen, test_support, test_found, test_seen = numbers
    return (
        Figures(support, found, seen, base),
        Figures(test_support, test_found, test_seen, test_base),
    )


def _combinations(
    table: pl.DataFrame,
    base: float,
    test_base: float | None,
    min_lift: float,
    strength: dict[str, float],
    parents: tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]],
) -> list[Candidate]:
    """The combinations with a training finding, each kept when its shrunk hit rate is at
    least ``min_lift`` times the base rate, strongest first; ``strength`` gets each
    kind's prior strength and each parent level's (``hs6``, ``hs_heading``,
    ``hs_chapter``). ``table``: the counts (:attr:`~._features.Counts.table`).

    Hierarchical back-off: a combination's prior mean is its HS6 code's shrunk rate
    over the code's other units, itself shrunk towards its heading's, shrunk towards its
    chapter's, shrunk towards the base rate (each level's strength from its own values,
    :func:`beta_prior`). A rare combination borrows strength from its parents: its own
    units are left out of them, so a combination alone in its code falls back to the
    base rate as before."""
    units, findings = parents
    # Summed in the parents' order, not the order they were counted in (which follows
    # set iteration, so string hashing): the same float to the last bit in any process.
    level_strength = {
        level: beta_prior(((units[p], findings[p]) for p in sorted(units) if p[0] == level), base)
        for level in COMBINATION_LEVELS
    }
    strength.update(level_strength)
    out: list[Candidate] = []
    for kind in sorted(COMBINATIONS):
        # In the order of the values (UTF-8 bytes sort as code points do): the prior's
        # float sum as over the sorted features, without a Python object per value.
        values = table.filter(pl.col("kind") == kind).sort("value")
        m = beta_prior(values.select("support", "found").iter_rows(), base)
        strength[kind] = m
        for value, *numbers, first, last in (
            values.filter(pl.col("found") > 0)
            .select("value", *_FIGURES, "first", "last")
            .iter_rows()
        ):
            tr, te = _pair(numbers, base, test_base)
            prior = base
            code = value.split(":")[0][:6]
            for level, width in zip(reversed(COMBINATION_LEVELS), (2, 4, 6), strict=True):
                parent = (level, code[:width])
                prior = shrunk_rate(
                    findings[parent] - tr.findings, units[parent] - tr.units, prior,
                    level_strength[level],
                )  # fmt: skip
            shrunk = shrunk_rate(tr.findings, tr.units, prior, m)
            keep = shrunk >= min_lift * base
            out.append(
                Candidate(
                    kind=kind,
                    value=value,
                    label=_label(kind, value, {}),
                    train=tr,
                    test=te,
                    p_value=binomial_tail(tr.findings, tr.units, base),
                    kept=keep,
                    reason=(
                        f"kept: shrunk hit rate {shrunk * 100:.1f} %"
                        if keep
                        else f"shrunk hit rate {shrunk * 100:.1f} %, below "
                        f"{_number(min_lift)} x the base rate"
                    ),
                    weight=_rate_weight(shrunk, base) if keep else None,
                    shrunk=shrunk,
                    prior=prior,
                    first_finding=first.isoformat() if first is not None else None,
                    last_finding=last.isoformat() if last is not None else None,
                )
            )
    out.sort(key=lambda c: (-(c.shrunk or 0.0), c.kind, c.value))
    return out


def _subheadings(table: pl.DataFrame, base: float, test_base: float | None) -> list[Candidate]:
    """The HS6 tier: every HS6 code with a training finding, kept when its hit rate is
    above the base rate (the one-list rule), highest rate first; its weight is set by
    the stack (:func:`~._suggest_stack.apply_stack`)."""
    out: list[Candidate] = []
    rows = table.filter((pl.col("kind") == "hs_subheading") & (pl.col("found") > 0))
    for value, *numbers, first, last in rows.select(
        "value", *_FIGURES, "first", "last"
    ).iter_rows():
        tr, te = _pair(numbers, base, test_base)
        rate = tr.findings / tr.units
        keep = rate > base
        out.append(
            Candidate(
                kind="hs_subheading",
                value=value,
                label=value,
                train=tr,
                test=te,
                p_value=binomial_tail(tr.findings, tr.units, base),
                kept=keep,
                reason=(
                    f"kept: hit rate {rate * 100:.1f} %"
                    if keep
                    else f"hit rate {rate * 100:.1f} %, not above the base rate"
                ),
                weight=max(1, round(10 * math.log2(rate / base))) if keep else None,
                first_finding=first.isoformat() if first is not None else None,
                last_finding=last.isoformat() if last is not None else None,
            )
        )
    out.sort(key=lambda c: (-(c.train.hit_rate or 0.0), -c.train.units, c.value))
    return out


def _rate_weight(rate: float, base: float) -> int:
    """Ten times the base-2 logarithm of a shrunk rate over the base rate, in steps of
    5 from 5 to 50 (as single values are weighted at their lower bound)."""
    if rate <= base:
        return 5
    return max(5, min(50, 5 * round(2 * math.log2(rate / base))))


def _indicator_figures(
    history: History,
    groups: list[_Group],
    train: UnitTable,
    test: UnitTable,
    base: float,
    test_base: float | None,
) -> dict[str, tuple[Figures, Figures]]:
    """Each indicator's figures over the units that carry any of its values (a unit with
    two of them counts once)."""
    indicator = {(c.kind, c.value): g.indicator_id for g in groups for c in g.candidates}
    figures: dict[str, list[Figures]] = {}
    for units, rate in ((train, base), (test, test_base)):
        counts = history.indicator_counts(units, indicator)
        for name in sorted(set(indicator.values())):
            seen, labelled, found = counts.get(name, (0, 0, 0))
            figures.setdefault(name, []).append(Figures(labelled, found, seen, rate))
    return {name: (pair[0], pair[1]) for name, pair in sorted(figures.items())}


def _unit_scores(run: ScoringRun) -> tuple[pl.DataFrame, list[Decimal]]:
    """Each unit's score in ``run`` as a code (``key``, ``code``: an index into the
    distinct scores, ascending, which always hold 0): read from the container table of
    a run scored column-wise, with no object per unit."""
    frame_run = run.frame_run
    if frame_run is not None:
        table = frame_run.container_table.select("key", "points")
        unit = Decimal(1).scaleb(-frame_run.scale)
        points = sorted({0, *table.get_column("points").unique().to_list()})
        code = {p: i for i, p in enumerate(points)}
        scores = [(Decimal(p) * unit).normalize() + 0 for p in points]
        return table.select(
            "key", pl.col("points").replace_strict(code, return_dtype=pl.UInt32).alias("code")
        ), scores
    from riskprofile.evaluation._units import ranked_units

    pairs = [(c.key, c.score) for c in ranked_units(run)]
    scores = sorted({Decimal(0), *(score for _, score in pairs)})
    index = {score: i for i, score in enumerate(scores)}
    return pl.DataFrame(
        {"key": [k for k, _ in pairs], "code": [index[score] for _, score in pairs]},
        schema={"key": pl.String, "code": pl.UInt32},
    ), scores


def _precision(
    result: Suggestions,
    labelled: UnitTable,
    batches: Iterable[tuple[UnitTable, list[Shipment] | pl.DataFrame, pl.DataFrame]],
    capacity: float,
) -> PrecisionAtCapacity:
    """The draft's precision at ``capacity`` over ``labelled``, scored a slice of units at
    a time (``batches``: each slice's units, their shipments and each unit's key)."""
    from riskprofile.profiles import load_profiles
    from riskprofile.scoring import COLUMNAR_MIN_SHIPMENTS, score

    # The draft is loaded from files as `riskprofile suggest` writes them. Should it not
    # load (a bug of this module), the files are kept so the error names a file the
    # user can open.
    folder = Path(tempfile.mkdtemp(prefix="riskprofile-suggest-"))
    for name, text in result.files("suggested.yaml").items():
        (folder / name).write_text(text, encoding="utf-8")
    try:
        profiles = load_profiles(folder / "suggested.yaml")
    except RiskProfileError as exc:
        raise RiskProfileError(
            f"the suggested draft does not load, which is a bug of riskprofile suggest "
            f"(kept in {folder} for the report): {exc}"
        ) from exc
    shutil.rmtree(folder)
    as_of = dt.datetime(result.split.year, result.split.month, result.split.day, tzinfo=dt.UTC)
    # Per score, the labelled units the draft gives it and their findings, counted a
    # slice at a time: only these counts outlive a slice (a unit the run does not hold
    # scores 0).
    counts: dict[Decimal, list[int]] = {Decimal(0): [0, 0]}
    for units, batch, keys in batches:
        if isinstance(batch, list) and len(batch) >= COLUMNAR_MIN_SHIPMENTS:
            from riskprofile.engines.columnar import shipment_frame

            # As a frame: scored column-wise, the units' scores read from the run's tables.
            batch = shipment_frame(batch)
        codes, scores = _unit_scores(score(batch, profiles, as_of=as_of, include_drafts=True))
        counted = (
            units.table.select("_unit", "_finding")
            .join(keys, on="_unit", how="left")
            .join(codes, left_on="_key", right_on="key", how="left")
            .group_by("code")
            .agg(pl.len().alias("units"), pl.col("_finding").sum().alias("findings"))
        )
        for code, units_, found in counted.iter_rows():
            tally = counts.setdefault(Decimal(0) if code is None else scores[code], [0, 0])
            tally[0] += units_
            tally[1] += found
    # The labelled units ranked by score, highest first: per score, its units and
    # findings. The tie at the cut is taken in proportion, so the order within a score
    # does not change the figures.
    ranks = sorted(((s, n, f) for s, (n, f) in counts.items() if n), reverse=True)
    per_rank = [(units_, found) for _, units_, found in ranks]
    # Rounded as evaluate and the selection round it; the tie at the cut in proportion.
    share = Decimal(repr(capacity)) * 100
    cut = cut_of_counts(per_rank, f"{share:f}%")
    k, expected = cut.k, cut.expected_findings
    cut_score = None
    if k:
        start = 0
        for at, units_, _ in ranks:
            start += units_
            if start >= k:
                cut_score = f"{at:f}"
                break
    flagged = [(units_, found) for at, units_, found in ranks if at > 0]
    return PrecisionAtCapacity(
        capacity=k,
        labelled=len(labelled),
        findings=labelled.findings,
        found=expected,
        flagged=sum(n for n, _ in flagged),
        flagged_findings=sum(f for _, f in flagged),
        tied=cut.tied,
        tied_taken=cut.tied_taken,
        cut_score=cut_score,
    )
