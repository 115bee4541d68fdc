"""Metrics: how well a scoring run's ranking finds what the inspections found.

The definitions, exactly (``docs/evaluation.md`` says the same for analysts):

- A unit (container, or bill of lading without one) is *labelled* when an outcome says
  it was inspected: its finding is then known. Units not inspected have an unknown
  outcome and are left out of every rate: they are neither hits nor misses.
- *Precision at k*: among the labelled units in the first ``k`` places of the run's
  ranked list, the share with a finding. *Recall at k*: the findings in the first ``k``
  places over all findings. ``k`` is a count, or a share of all the run's units
  (``"3%"``, rounded as the selection rounds it). At ``k`` = every unit, precision is the
  labelled units' hit rate and recall is 1. *Coverage at k* is the share of the first
  ``k`` places that is labelled: low coverage means the figure rests on few units.
- *Hit rate* of a profile (an indicator): the share with a finding among the labelled
  units the profile fired on (the indicator hit), with a Wilson 95 % interval.
- *Base rate*: the hit rate of the random control sample when there is one (the only
  unbiased estimate of how often any unit has a finding), else of all labelled units
  (biased: they were mostly selected because they scored). *Lift*: the hit rate of the
  units selected by score over the control sample's.
- *Trend*: per ISO week or calendar month of the inspection date (the run's ``as_of``
  date when an outcome has none): inspected units, findings, and how many findings were
  on units some profile fired on (the share falls as profiles go stale).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from riskprofile.evaluation._matching import OutcomeMatch, UnitOutcome, match_outcomes
from riskprofile.evaluation._outcomes import SELECTED_BY, Outcome, OutcomeReading
from riskprofile.evaluation._rates import Rate, fired_and_hit, wilson_interval
from riskprofile.evaluation._units import ranked_units
from riskprofile.rules import rank_key
from riskprofile.scoring import ScoringRun
from riskprofile.selection import parse_capacity

if TYPE_CHECKING:
    from riskprofile.profiles import CompiledProfile

__all__ = [
    "DEFAULT_CAPACITIES",
    "CapacityCut",
    "TABLE_COLUMNS",
    "Evaluation",
    "Rate",
    "cut_at_capacity",
    "cut_of_counts",
    "evaluate",
    "wilson_interval",
]

Period = Literal["week", "month"]

DEFAULT_CAPACITIES: tuple[int | str, ...] = ("1%", "3%", "5%", "10%", "100%")
"""Inspection capacities reported when none are given."""


@dataclass(frozen=True, slots=True)
class CapacityCut:
    """The first ``k`` units of a ranked list (:func:`cut_at_capacity`), and the tie at
    the cut: the units ranked equal with the ``k``-th (same score and lane), of which
    the cut took the first ones in rank order (by unit key) and left the others.

    Attributes:
        k: units inspected (the capacity, rounded as the selection rounds it).
        total: units in the ranked list.
        labelled: labelled units among the first ``k``.
        findings: their findings.
        tied: units ranked equal with the ``k``-th unit, inside the cut or not (0 when
            ``k`` is 0).
        tied_taken: of them, those among the first ``k``.
        tied_labelled, tied_findings: the labelled units of the tie, and their findings.
        tied_labelled_taken, tied_findings_taken: the same among the first ``k``.
    """

    k: int
    total: int
    labelled: int
    findings: int
    tied: int
    tied_taken: int
    tied_labelled: int
    tied_findings: int
    tied_labelled_taken: int
    tied_findings_taken: int

    @property
    def broken(self) -> bool:
        """Whether the cut splits a tie: units ranked equal fall on both sides."""
        return self.tied_taken < self.tied

    @property
    def expected_labelled(self) -> float:
        """Labelled units among the first ``k`` if the tie were drawn at random."""
        if not self.tied:
            return float(self.labelled)
        share = self.tied_taken / self.tied
        return self.labelled - self.tied_labelled_taken + self.tied_labelled * share

    @property
    def expected_findings(self) -> float:
        """Findings among the first ``k`` if the tie were drawn at random (the units
        above the tie, then the tie's findings in proportion to the share taken)."""
        if not self.tied:
            return float(self.findings)
        share = self.tied_taken / self.tied
        return self.findings - self.tied_findings_taken + self.tied_findings * share

    def tie_note(self, score: str | None = None) -> str | None:
        """What the cut did with a tie, in words; None when it split none.

        >>> cut = cut_at_capacity([(10, True), (5, False), (5, True), (5, None), (0, False)], 2)
        >>> print(cut.tie_note("5"))  # doctest: +NORMALIZE_WHITESPACE
        3 units tie at the cut (score 5, ranks 2-4): the cut took 1 of them in rank order (by
        unit key)
        """
        if not self.broken:
            return None
        first = self.k - self.tied_taken + 1
        where = f"ranks {first:,}-{first + self.tied - 1:,}"
        return (
            f"{self.tied:,} units tie at the cut ("
            + (f"score {score}, " if score is not None else "")
            + f"{where}): the cut took {self.tied_taken:,} of them in rank order (by unit key)"
        )


def cut_at_capacity(
    ranked: Sequence[tuple[Hashable, bool | None]], capacity: int | str
) -> CapacityCut:
    """The first units of a ranked list at a capacity, and the tie at the cut: the one
    place `evaluate` and `suggest` count precision at capacity.

    Args:
        ranked: one ``(rank, finding)`` per unit, in rank order: ``rank`` equal for
            units ranked equal (a score, or a score and a lane), ``finding`` None for a
            unit not inspected.
        capacity: a count (``30``) or a share of the units (``"3%"``), rounded as the
            selection rounds it (down, at least 1: :func:`riskprofile.selection.parse_capacity`).

    >>> cut = cut_at_capacity([(10, True), (5, False), (5, True), (0, None)], "50%")
    >>> cut.k, cut.labelled, cut.findings, cut.tied, cut.tied_taken, cut.expected_findings
    (2, 2, 1, 2, 1, 1.5)
    """
    total = len(ranked)
    k = min(parse_capacity(capacity, total), total)
    inside = ranked[:k]
    labelled = sum(1 for _, f in inside if f is not None)
    findings = sum(1 for _, f in inside if f)
    if not k:
        return CapacityCut(0, total, 0, 0, 0, 0, 0, 0, 0, 0)
    rank = ranked[k - 1][0]
    tie = [(i, f) for i, (r, f) in enumerate(ranked) if r == rank]
    taken = [f for i, f in tie if i < k]
    return CapacityCut(
        k=k,
        total=total,
        labelled=labelled,
        findings=findings,
        tied=len(tie),
        tied_taken=len(taken),
        tied_labelled=sum(1 for _, f in tie if f is not None),
        tied_findings=sum(1 for _, f in tie if f),
        tied_labelled_taken=sum(1 for f in taken if f is not None),
        tied_findings_taken=sum(1 for f in taken if f),
    )


def cut_of_counts(ranks: Sequence[tuple[int, int]], capacity: int | str) -> CapacityCut:
    """:func:`cut_at_capacity` of labelled units given as counts: ``(units, findings)``
    per rank, in rank order, each rank's findings first. The same cut as the list of one
    entry per unit (``[(rank, True)] * findings + [(rank, False)] * (units - findings)``
    per rank), without making it: a fold of a million units measures hundreds of
    weightings.

    >>> cut = cut_of_counts([(1, 1), (2, 1), (1, 0)], "50%")
    >>> cut.k, cut.findings, cut.tied, cut.tied_taken, cut.expected_findings
    (2, 2, 2, 1, 1.5)
    """
    total = sum(units for units, _ in ranks)
    k = min(parse_capacity(capacity, total), total)
    if not k:
        return CapacityCut(0, total, 0, 0, 0, 0, 0, 0, 0, 0)
    start = findings = 0
    for units, found in ranks:
        if start + units >= k:
            taken = k - start
            taken_found = min(found, taken)
            return CapacityCut(
                k=k,
                total=total,
                labelled=k,
                findings=findings + taken_found,
                tied=units,
                tied_taken=taken,
                tied_labelled=units,
                tied_findings=found,
                tied_labelled_taken=taken,
                tied_findings_taken=taken_found,
            )
        start += units
        findings += found
    raise AssertionError("a capacity within the total falls in a rank")


TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "capacity": ("capacity", "k", "share_of_units", "labelled", "findings", "precision",
                 "precision_low", "precision_high", "recall", "coverage", "tied_at_cut",
                 "tied_taken"),
    "curve": ("k", "share_of_units", "labelled", "findings", "precision", "recall"),
    "selection": ("selected_by", "inspected", "findings", "hit_rate", "hit_rate_low",
                  "hit_rate_high", "lift"),
    "profiles": ("profile_id", "version", "fired", "inspected", "findings", "hit_rate",
                 "hit_rate_low", "hit_rate_high", "share_of_findings"),
    "indicators": ("profile_id", "indicator_id", "title", "hit", "inspected", "findings",
                   "hit_rate", "hit_rate_low", "hit_rate_high", "share_of_findings"),
    "trend": ("period", "inspected", "findings", "hit_rate", "hit_rate_low", "hit_rate_high",
              "flagged", "flagged_findings", "detected_share"),
    "units": ("rank", "key", "container_number", "bl_numbers", "score", "lane", "fired",
              "inspected", "finding", "selected_by", "categories", "date"),
    "never_fired": ("profile_id", "indicator_id"),
    "never_found": ("profile_id", "indicator_id", "title", "inspected"),
    "unmatched": ("unit", "source_line", "reason"),
}  # fmt: skip
"""The columns of each table of :meth:`Evaluation.tables`, in order."""


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _period(day: dt.date, by: Period) -> str:
    if by == "month":
        return f"{day.year:04d}-{day.month:02d}"
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


@dataclass(frozen=True)
class Evaluation:
    """What the outcomes say about a scoring run: one table per question.

    Every attribute is a tuple of rows (dicts, columns in :data:`TABLE_COLUMNS`);
    :meth:`tables` gives them all, :meth:`to_pandas` and :meth:`to_polars` as data frames,
    :meth:`summary` as text for the terminal, and :func:`write_report` (in
    ``riskprofile.evaluation``) as a self-contained HTML report.

    Attributes:
        run: the scoring run evaluated (its audit: ``as_of``, profile fingerprints).
        match: which unit each outcome belongs to, and the outcomes that matched none.
        by: the trend's period, ``week`` or ``month``.
        units_total: units in the run.
        labelled: units with a known outcome (inspected).
        findings: labelled units with a finding.
        base_rate: the control sample's hit rate when there is one, else the labelled
            units'; ``base_rate_source`` says which (``control`` or ``labelled``).
        lift: hit rate of units selected by score over the control sample's; None
            without both (or when the control sample found nothing).
        capacity: precision and recall at each capacity (see the module documentation
            for this and the other tables).
        curve: precision and recall at every place of the ranking (the curve the report
            plots).
        selection: hit rates by how units were selected.
        profiles: hit rates per profile.
        indicators: hit rates per indicator.
        trend: per week or month: inspected units, findings, and findings on units some
            profile fired on.
        units: every unit of the run with its rank, score, lane and outcome.
        never_found: indicators that hit inspected units and never found anything.
        unmatched: outcome records that matched no unit.
        never_fired: indicators of the run's profiles that hit no unit; None when the
            profiles were not given to :func:`evaluate` (the run alone does not list the
            indicators that did not hit).
    """

    run: ScoringRun
    match: OutcomeMatch
    by: Period
    units_total: int
    labelled: int
    findings: int
    base_rate: Rate
    base_rate_source: Literal["control", "labelled"]
    lift: float | None
    capacity: tuple[dict[str, Any], ...]
    curve: tuple[dict[str, Any], ...]
    selection: tuple[dict[str, Any], ...]
    profiles: tuple[dict[str, Any], ...]
    indicators: tuple[dict[str, Any], ...]
    trend: tuple[dict[str, Any], ...]
    units: tuple[dict[str, Any], ...]
    never_fired: tuple[dict[str, Any], ...] | None
    never_found: tuple[dict[str, Any], ...]
    unmatched: tuple[dict[str, Any], ...]

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """Every table as a list of rows (plain dicts), by name (:data:`TABLE_COLUMNS`).

        ``never_fired`` is empty when the profiles were not given to :func:`evaluate`.
        """
        out: dict[str, list[dict[str, Any]]] = {}
        for name in TABLE_COLUMNS:
            rows = getattr(self, name)
            out[name] = [dict(r) for r in rows] if rows is not None else []
        return out

    def to_pandas(self) -> dict[str, Any]:
        """The tables as pandas DataFrames, by name (needs pandas)."""
        import pandas as pd

        return {
            name: pd.DataFrame(rows, columns=list(TABLE_COLUMNS[name]))
            for name, rows in self.tables().items()
        }

    def to_polars(self) -> dict[str, Any]:
        """The tables as polars DataFrames, by name (needs polars)."""
        import polars as pl

        out = {}
        for name, rows in self.tables().items():
            columns = list(TABLE_COLUMNS[name])
            out[name] = pl.DataFrame(
                [[r[c] for c in columns] for r in rows],
                schema=columns,
                orient="row",
                infer_schema_length=None,
            )
        return out

    def audit(self) -> dict[str, Any]:
        """The run's audit trail and the evaluation's headline figures (JSON-ready)."""
        run = self.run
        return {
            "as_of": run.as_of.isoformat(),
            "profiles": [
                {"id": pid, "version": run.profile_versions.get(pid), "fingerprint": fp}
                for pid, fp in sorted(run.fingerprints.items())
            ],
            "skipped_profiles": dict(sorted(run.skipped_profiles.items())),
            "units": self.units_total,
            "outcomes_matched": len(self.match.matched),
            "outcomes_unmatched": len(self.match.unmatched),
            "labelled": self.labelled,
            "findings": self.findings,
            "base_rate": self.base_rate.value,
            "base_rate_source": self.base_rate_source,
            "lift": self.lift,
            "by": self.by,
        }

    def to_json(self) -> str:
        """The audit and every table as one JSON document (deterministic)."""
        doc = {"audit": self.audit(), **self.tables()}
        return json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n"

    def breakdown(self, field: str, *, limit: int = 30) -> tuple[dict[str, Any], ...]:
        """The units grouped by the values their shipments give ``field`` - a catalogue
        field or a custom field (``x_office``) that groups: text, true/false or a list -
        with each group's units, fired, inspected, findings, hit rate (95 % interval)
        and lift over the base rate (see :func:`riskprofile.evaluation.breakdown`)."""
        from riskprofile.evaluation._breakdown import breakdown

        return breakdown(self, field, limit=limit)

    def summary(self) -> str:
        """A short text for the terminal: the headline figures and the tables that need
        attention."""
        from riskprofile.evaluation._report import text_summary

        return text_summary(self)

    def _repr_html_(self) -> str:
        from riskprofile.evaluation._report import evaluation_html

        return evaluation_html(self)

    def __repr__(self) -> str:
        return (
            f"<Evaluation {self.labelled} labelled units of {self.units_total}, "
            f"{self.findings} findings, base rate {self.base_rate} ({self.base_rate_source})>"
        )


def _capacity_label(value: int | str) -> str:
    return str(value).strip()


def evaluate(
    run: ScoringRun,
    outcomes: Iterable[Outcome] | OutcomeReading | OutcomeMatch,
    *,
    capacities: Sequence[int | str] = DEFAULT_CAPACITIES,
    by: Period = "week",
    profiles: Iterable[CompiledProfile] | None = None,
) -> Evaluation:
    """Measure a scoring run against what the inspections found.

    Args:
        run: the scoring run (:func:`riskprofile.score`) of the batch the outcomes are
            about.
        outcomes: outcome records (:func:`riskprofile.read_outcomes`), or an
            :class:`OutcomeMatch` already made.
        capacities: inspection budgets at which to report precision and recall: counts
            (``30``) or shares of the run's units (``"3%"``).
        by: the trend's period: ``week`` (ISO weeks) or ``month``.
        profiles: the compiled profiles of the run, to list the indicators that never
            fired (optional).

    Returns:
        An :class:`Evaluation`. The same inputs give the same tables, whatever the order
        of the outcomes.

    A worked example on a small export is in ``docs/evaluation.md`` (checked as a
    doctest)::

        run = riskprofile.score(batch.shipments, profiles, as_of=dt.date(2026, 11, 2))
        outcomes = riskprofile.read_outcomes("outcomes.csv")
        evaluation = riskprofile.evaluate(run, outcomes, capacities=["3%"])
        evaluation.capacity[0]["precision"]
    """
    if by not in ("week", "month"):
        raise ValueError(f"by must be 'week' or 'month', not {by!r}")
    match = outcomes if isinstance(outcomes, OutcomeMatch) else match_outcomes(run, outcomes)
    containers = ranked_units(run)
    total = len(containers)
    known: dict[str, UnitOutcome] = {k: u for k, u in match.units.items() if u.inspected}
    labelled = len(known)
    findings = sum(1 for u in known.values() if u.finding)

    # Precision and recall along the ranked list.
    curve: list[dict[str, Any]] = []
    seen = found = 0
    for position, container in enumerate(containers, start=1):
        unit = known.get(container.key)
        if unit is None:
            continue
        seen += 1
        found += unit.finding
        curve.append(
            {
                "k": position,
                "share_of_units": position / total,
                "labelled": seen,
                "findings": found,
                "precision": found / seen,
                "recall": found / findings if findings else None,
            }
        )
    capacity_rows = []
    ranked = [
        (rank_key(c)[:3], known[c.key].finding if c.key in known else None) for c in containers
    ]
    for value in capacities:
        cut = cut_at_capacity(ranked, value)
        k, seen_k, found_k = cut.k, cut.labelled, cut.findings
        precision = Rate(found_k, seen_k)
        capacity_rows.append(
            {
                "capacity": _capacity_label(value),
                "k": k,
                "share_of_units": k / total if total else None,
                "labelled": seen_k,
                "findings": found_k,
                **precision.fields("precision"),
                "recall": found_k / findings if findings else None,
                "coverage": seen_k / k if k else None,
                # Units ranked equal with the k-th, and how many of them the cut took
                # (in rank order: by unit key); equal when the cut splits no tie.
                "tied_at_cut": cut.tied,
                "tied_taken": cut.tied_taken,
            }
        )

    # How the inspected units were chosen, and the control sample.
    by_reason: dict[str, list[bool]] = {}
    for unit in known.values():
        by_reason.setdefault(unit.selected_by or "unrecorded", []).append(unit.finding)
    rates = {r: Rate(sum(f), len(f)) for r, f in by_reason.items()}
    control = rates.get("control")
    control_rate = control.value if control is not None else None
    selection_rows = []
    for reason in (*SELECTED_BY, "unrecorded"):
        if reason not in rates:
            continue
        rate = rates[reason]
        point = rate.value
        selection_rows.append(
            {
                "selected_by": reason,
                "inspected": rate.trials,
                "findings": rate.successes,
                **rate.fields(),
                "lift": point / control_rate if control_rate and point is not None else None,
            }
        )
    score_rate = rates["score"].value if "score" in rates else None
    lift = score_rate / control_rate if control_rate and score_rate is not None else None
    base_source: Literal["control", "labelled"]
    if control is not None:
        base_rate, base_source = control, "control"
    else:
        base_rate, base_source = Rate(findings, labelled), "labelled"

    # Profiles and indicators.
    fired, hit, titles = fired_and_hit(run)

    def counts(keys: list[str]) -> tuple[int, int]:
        outcomes_ = [known[k] for k in keys if k in known]
        return len(outcomes_), sum(1 for u in outcomes_ if u.finding)

    profile_rows = []
    for pid in sorted(set(run.fingerprints) | set(fired)):
        keys = fired.get(pid, [])
        n, f = counts(keys)
        profile_rows.append(
            {
                "profile_id": pid,
                "version": run.profile_versions.get(pid),
                "fired": len(keys),
                "inspected": n,
                "findings": f,
                **Rate(f, n).fields(),
                "share_of_findings": f / findings if findings else None,
            }
        )
    indicator_rows = []
    never_found = []
    for ind in sorted(hit):
        n, f = counts(hit[ind])
        indicator_rows.append(
            {
                "profile_id": ind[0],
                "indicator_id": ind[1],
                "title": titles[ind],
                "hit": len(hit[ind]),
                "inspected": n,
                "findings": f,
                **Rate(f, n).fields(),
                "share_of_findings": f / findings if findings else None,
            }
        )
        if n and not f:
            never_found.append(
                {"profile_id": ind[0], "indicator_id": ind[1], "title": titles[ind],
                 "inspected": n}
            )  # fmt: skip
    never_fired: tuple[dict[str, Any], ...] | None = None
    if profiles is not None:
        never_fired = tuple(
            {"profile_id": p.id, "indicator_id": i.id}
            for p in sorted(profiles, key=lambda p: p.id)
            if p.id in run.fingerprints
            for i in p.indicators
            if (p.id, i.id) not in hit
        )

    # The trend.
    periods: dict[str, list[tuple[bool, bool]]] = {}
    fired_units = {k for keys in fired.values() for k in keys}
    for key, unit in known.items():
        day = unit.date or run.as_of.date()
        periods.setdefault(_period(day, by), []).append((unit.finding, key in fired_units))
    trend_rows = []
    for period in sorted(periods):
        marks = periods[period]
        f = sum(1 for finding, _ in marks if finding)
        flagged_findings = sum(1 for finding, flag in marks if finding and flag)
        trend_rows.append(
            {
                "period": period,
                "inspected": len(marks),
                "findings": f,
                **Rate(f, len(marks)).fields(),
                "flagged": sum(1 for _, flag in marks if flag),
                "flagged_findings": flagged_findings,
                "detected_share": flagged_findings / f if f else None,
            }
        )

    unit_rows = []
    # Only the units with an outcome are listed: only they are made as objects.
    places = [i for i, c in enumerate(containers) if c.key in match.units]
    for rank, container in zip((i + 1 for i in places), run.containers_at(places), strict=True):
        outcome = match.units[container.key]
        unit_rows.append(
            {
                "rank": rank,
                "key": container.key,
                "container_number": container.container_number,
                "bl_numbers": ";".join(container.bl_numbers),
                "score": _number(container.score),
                "lane": container.lane,
                "fired": container.key in fired_units,
                "inspected": outcome.inspected,
                "finding": outcome.finding if outcome.inspected else None,
                "selected_by": outcome.selected_by,
                "categories": ";".join(outcome.categories),
                "date": outcome.date.isoformat() if outcome.date else None,
            }
        )
    unmatched_rows = tuple(
        {"unit": u.outcome.unit, "source_line": u.outcome.source_line, "reason": u.reason}
        for u in match.unmatched
    )
    return Evaluation(
        run=run,
        match=match,
        by=by,
        units_total=total,
        labelled=labelled,
        findings=findings,
        base_rate=base_rate,
        base_rate_source=base_source,
        lift=lift,
        capacity=tuple(capacity_rows),
        curve=tuple(curve),
        selection=tuple(selection_rows),
        profiles=tuple(profile_rows),
        indicators=tuple(indicator_rows),
        trend=tuple(trend_rows),
        units=tuple(unit_rows),
        never_fired=never_fired,
        never_found=tuple(never_found),
        unmatched=unmatched_rows,
    )
