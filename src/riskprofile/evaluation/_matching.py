"""Matching outcomes to the units of a run (or of a batch's shipments).

An outcome matches by the unit key (``<manifest_ref>/<container number>`` or
``<manifest_ref>/B/L <number>``), else by container number, else by bill of lading
number. An outcome that matches no unit, or several vessel calls, is reported as
unmatched, never dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from riskprofile.evaluation._outcomes import Outcome, SelectedBy, require_outcome
from riskprofile.evaluation._units import unit_rows
from riskprofile.model.codes import normalise_container_number
from riskprofile.model.shipment import Shipment
from riskprofile.scoring import ScoringRun

__all__ = ["OutcomeMatch", "UnitOutcome", "UnmatchedOutcome", "fold", "match_outcomes"]


@dataclass(frozen=True)
class UnitOutcome:
    """Every outcome of one unit of the run, combined.

    A unit counts as inspected when any of its outcomes says so and has a finding when
    any of them found something (an LCL container's B/Ls may be reported one by one).

    Attributes:
        key: the unit key in the run.
        inspected, finding: combined as above.
        selected_by: the first recorded reason, in the order control, forced, score,
            other (a control-sample unit stays a control unit even if it also scored).
        categories: the categories found, sorted, without repeats.
        date: the earliest inspection date recorded.
        outcomes: the outcome records, in input order.
    """

    key: str
    inspected: bool
    finding: bool
    selected_by: SelectedBy | None
    categories: tuple[str, ...]
    date: dt.date | None
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True, slots=True)
class UnmatchedOutcome:
    """An outcome that names no unit of the run (or several vessel calls), and why."""

    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class OutcomeMatch:
    """Which unit of the run each outcome belongs to.

    Attributes:
        units: unit key -> its combined outcome, in the run's rank order.
        matched: for each outcome matched, the unit keys it applies to (a bill of lading
            that spans several containers applies to each of them), in input order.
        unmatched: outcomes that could not be placed, with the reason; never dropped.
    """

    units: dict[str, UnitOutcome]
    matched: tuple[tuple[Outcome, tuple[str, ...]], ...]
    unmatched: tuple[UnmatchedOutcome, ...]


@dataclass
class _Index:
    order: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    containers: dict[str, list[str]] = field(default_factory=dict)
    bills: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # bl -> manifest -> keys


def fold(value: str) -> str:
    """A B/L number as outcomes are matched by it: without blanks, in upper case."""
    return "".join(value.split()).upper()


def _index(run_or_shipments: ScoringRun | Iterable[Shipment]) -> _Index:
    from riskprofile.rules import unit_key as _unit_key

    index = _Index()
    seen: dict[str, None] = {}
    rows: Iterable[tuple[str, str | None, str | None, str]]
    if isinstance(run_or_shipments, ScoringRun):
        rows = unit_rows(run_or_shipments)
    else:
        rows = (
            (_unit_key(s), s.container_number, s.bl_number, s.manifest_ref)
            for s in run_or_shipments
        )
    for key, container_number, bl_number, manifest_ref in rows:
        if key not in seen:
            seen[key] = None
            if container_number is not None:
                number = normalise_container_number(container_number)
                index.containers.setdefault(number or container_number, []).append(key)
        if bl_number is not None:
            keys = index.bills.setdefault(fold(bl_number), {}).setdefault(manifest_ref, [])
            if key not in keys:
                keys.append(key)
    index.order = list(seen)
    index.keys = set(seen)
    return index


def _place(outcome: Outcome, index: _Index) -> tuple[tuple[str, ...], str | None]:
    """The unit keys an outcome applies to, or why there are none."""
    candidates: list[tuple[str, str]] = []  # (how, value)
    if outcome.unit in index.keys:
        return (outcome.unit,), None
    if outcome.container_number is not None:
        candidates.append(("container", outcome.container_number))
    if outcome.bl_number is not None:
        candidates.append(("bl", outcome.bl_number))
    candidates += [("container", outcome.unit), ("bl", outcome.unit)]
    for how, value in candidates:
        folded = fold(value)
        if how == "container":
            keys = index.containers.get(normalise_container_number(value) or folded, [])
            if len(keys) > 1:
                return (), (
                    f"container {value} is in {len(keys)} vessel calls of the run "
                    f"({', '.join(keys)}): give the unit key"
                )
            if keys:
                return (keys[0],), None
        else:
            calls = index.bills.get(folded, {})
            if len(calls) > 1:
                return (), (
                    f"bill of lading {value} is in {len(calls)} vessel calls of the run "
                    f"({', '.join(sorted(calls))}): give the unit key"
                )
            if calls:
                return tuple(next(iter(calls.values()))), None
    return (), f"no unit, container or bill of lading {outcome.unit!r} in the run"


_SELECTED_PRIORITY: tuple[SelectedBy, ...] = ("control", "forced", "score", "other")


def _combine(key: str, outcomes: list[Outcome]) -> UnitOutcome:
    if len(outcomes) == 1:  # the usual case, kept cheap for large histories
        (o,) = outcomes
        categories = (o.category,) if o.finding and o.category else ()
        return UnitOutcome(key, o.inspected, o.finding, o.selected_by, categories, o.date,
                           (o,))  # fmt: skip
    recorded = {o.selected_by for o in outcomes}
    reason = next((r for r in _SELECTED_PRIORITY if r in recorded), None)
    dates = [o.date for o in outcomes if o.date is not None]
    return UnitOutcome(
        key=key,
        inspected=any(o.inspected for o in outcomes),
        finding=any(o.finding for o in outcomes),
        selected_by=reason,
        categories=tuple(sorted({o.category for o in outcomes if o.finding and o.category})),
        date=min(dates) if dates else None,
        outcomes=tuple(outcomes),
    )


def match_outcomes(
    run_or_shipments: ScoringRun | Iterable[Shipment], outcomes: Iterable[Outcome]
) -> OutcomeMatch:
    """Place each outcome on the unit(s) of the run it belongs to.

    An outcome matches by its unit key, else by container number, else by bill of lading
    (or declaration) number; a bill of lading that spans several containers applies to
    each of them. An outcome whose container or bill of lading is in several vessel calls
    of the run, or in none, is listed in ``unmatched`` with the reason.

    Args:
        run_or_shipments: a :class:`~riskprofile.ScoringRun`, or the shipments of a batch.
        outcomes: outcome records (e.g. ``read_outcomes(...).outcomes``).
    """
    index = _index(run_or_shipments)
    per_unit: dict[str, list[Outcome]] = {}
    matched: list[tuple[Outcome, tuple[str, ...]]] = []
    unmatched: list[UnmatchedOutcome] = []
    for number, outcome in enumerate(outcomes):
        keys, reason = _place(require_outcome(outcome, number), index)
        if reason is not None:
            unmatched.append(UnmatchedOutcome(outcome, reason))
            continue
        matched.append((outcome, keys))
        for key in keys:
            per_unit.setdefault(key, []).append(outcome)
    units = {key: _combine(key, per_unit[key]) for key in index.order if key in per_unit}
    return OutcomeMatch(units=units, matched=tuple(matched), unmatched=tuple(unmatched))
