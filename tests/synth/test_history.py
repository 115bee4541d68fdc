"""The seeded inspection history: determinism, planted patterns present where the ground
truth says, outcomes that follow the regime (control sample, targeting, planted finding
rates), and files that read back through the ordinary readers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from riskprofile import read_batch
from riskprofile.evaluation import match_outcomes, read_outcomes
from riskprofile.rules import unit_key as _unit_key
from riskprofile.synth import (
    History,
    generate_history,
    read_patterns,
    write_history,
)

START = dt.date(2026, 1, 5)


@pytest.fixture(scope="module")
def history() -> History:
    return generate_history(7, start=START, days=40, containers_per_day=150)


def test_same_seed_same_history() -> None:
    first = generate_history(7, start=START, days=12, containers_per_day=60)
    again = generate_history(7, start=START, days=12, containers_per_day=60)
    assert again.outcomes == first.outcomes
    assert again.patterns == first.patterns
    assert again.shipments == first.shipments
    other = generate_history(8, start=START, days=12, containers_per_day=60)
    assert other.outcomes != first.outcomes


def test_every_pattern_is_planted(history: History) -> None:
    assert [p.name for p in history.patterns] == [
        "trader",
        "heading_origin",
        "loading_port",
        "undervaluation",
        "drift",
    ]
    carried = Counter(name for names in history.planted_units.values() for name in names)
    for pattern in history.patterns:
        assert carried[pattern.name] >= 10, pattern


def test_arrivals_spread_over_the_period(history: History) -> None:
    days = {s.arrival.date() for s in history.shipments if s.arrival is not None}
    assert min(days) == START
    assert max(days) <= START + dt.timedelta(days=history.days)
    assert max(days) >= START + dt.timedelta(days=history.days * 3 // 4)
    # Voyage times stay as drawn: B/Ls are issued before their vessel arrives.
    late = [s for s in history.shipments if (s.days_bl_to_arrival or 0) < 0]
    assert len(late) < 0.02 * len(history.shipments)


def test_planted_units_match_the_shipments(history: History) -> None:
    trader = history.pattern("trader")
    drift = history.pattern("drift")
    port = history.pattern("loading_port")
    heading, country = history.pattern("heading_origin").value.split(":")
    for s in history.shipments:
        names = history.planted_units.get(_unit_key(s), ())
        if s.consignee_name == trader.value:
            assert "trader" in names
        if s.port_of_loading == port.value:
            assert "loading_port" in names
        if heading in s.hs_headings and country in s.origin_countries:
            assert "heading_origin" in names
        if s.shipper_name == drift.value:
            assert "drift" in names
            assert s.arrival is not None
            assert s.arrival.date() >= drift.start


def test_undervalued_shipments_are_cheap(history: History) -> None:
    chapter = history.pattern("undervaluation").value
    values: dict[bool, list[float]] = {True: [], False: []}
    for s in history.shipments:
        if s.hs_chapters == [chapter] and s.value_per_kg is not None and s.value_currency == "USD":
            planted = "undervaluation" in history.planted_units.get(_unit_key(s), ())
            values[planted].append(s.value_per_kg)
    assert values[True]
    assert values[False]
    median = sorted(values[False])[len(values[False]) // 2]
    assert sorted(values[True])[len(values[True]) // 2] < median / 3


def test_outcomes_follow_the_regime(history: History) -> None:
    units = {_unit_key(s) for s in history.shipments}
    outcomes = history.outcomes
    assert all(o.unit in units and o.inspected for o in outcomes)
    assert len({o.unit for o in outcomes}) == len(outcomes)
    control = [o for o in outcomes if o.selected_by == "control"]
    # 2 % control sample of the units, give or take the draw.
    assert 0.01 * len(units) < len(control) < 0.03 * len(units)
    planted = set(history.planted_units)
    share_planted = len(planted) / len(units)
    targeted = [o for o in outcomes if o.selected_by == "score"]
    # Officers pick planted units three times as often as their share.
    assert sum(o.unit in planted for o in targeted) / len(targeted) > 1.5 * share_planted
    clean = [o for o in outcomes if o.unit not in planted]
    planted_found = [o for o in outcomes if o.unit in planted]
    rate_clean = sum(o.finding for o in clean) / len(clean)
    rate_planted = sum(o.finding for o in planted_found) / len(planted_found)
    assert rate_clean < 0.03
    assert rate_planted > 0.15
    assert all(o.category for o in outcomes if o.finding)
    assert not any(o.category for o in outcomes if not o.finding)


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="days"):
        generate_history(1, days=0)
    with pytest.raises(ValueError, match="containers_per_day"):
        generate_history(1, containers_per_day=-5)
    with pytest.raises(ValueError, match="control_rate"):
        generate_history(1, days=1, control_rate=1.5)


@pytest.mark.slow
def test_written_files_read_back(history: History, tmp_path: Path) -> None:
    paths = write_history(history, tmp_path / "history.csv")
    assert paths["outcomes"].name == "history.outcomes.csv"
    batch = read_batch(paths["batch"])
    assert not batch.rejected
    assert {_unit_key(s) for s in batch.shipments} == {_unit_key(s) for s in history.shipments}
    reading = read_outcomes(paths["outcomes"])
    assert not reading.rejected
    assert reading.outcomes == tuple(
        dataclasses.replace(o, source_line=line) for line, o in enumerate(history.outcomes, start=2)
    )
    match = match_outcomes(batch.shipments, reading.outcomes)
    assert not match.unmatched
    assert read_patterns(paths["patterns"]) == history.patterns
