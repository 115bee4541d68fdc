"""Evaluation metrics, checked against values worked out by hand, and their properties.

The hand fixture (``make_run``), in rank order (score descending, then key)::

    rank unit score hits                 outcome
    1    A    9     p1/i1 p1/i2          inspected, finding,  score,   2026-11-02 (W45)
    2    B    7     p1/i1 p1/i4          inspected, nothing,  score,   2026-11-03 (W45)
    3    C    5     p2/i3                not inspected (no record)
    4    D    3     p2/i3                inspected, finding,  control, 2026-11-10 (W46)
    5    E    1     p1/i2                inspected, nothing,  control, 2026-11-11 (W46)
    6    F    0     -                    inspected, finding,  other,   no date (as_of W45)
    7    G    0     -                    inspected, nothing,  control, 2026-12-01 (W49)
    8    H    0     -                    inspected: no

Six labelled units (A B D E F G), three findings (A D F).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.evaluation import (
    Outcome,
    Rate,
    SelectedBy,
    cut_at_capacity,
    evaluate,
    match_outcomes,
    text_summary,
    wilson_interval,
)
from riskprofile.model import Shipment
from riskprofile.profiles import ProfileSet, load_profiles
from riskprofile.scoring import score
from riskprofile.selection import parse_capacity
from tests import strategies as rst
from tests.depth import depth
from tests.evaluation import AS_OF, CALL, Unit, make_run
from tests.test_scoring import batches

UNITS = [
    Unit("A", 9, ("p1/i1", "p1/i2")),
    Unit("B", 7, ("p1/i1", "p1/i4")),
    Unit("C", 5, ("p2/i3",)),
    Unit("D", 3, ("p2/i3",)),
    Unit("E", 1, ("p1/i2",)),
    Unit("F", 0),
    Unit("G", 0),
    Unit("H", 0),
]
OUTCOMES = [
    Outcome("A", True, True, "score", "drugs", "3 kg", dt.date(2026, 11, 2)),
    Outcome("B", True, False, "score", date=dt.date(2026, 11, 3)),
    Outcome("D", True, True, "control", "ipr", date=dt.date(2026, 11, 10)),
    Outcome("E", True, False, "control", date=dt.date(2026, 11, 11)),
    Outcome("F", True, True, "other", "revenue"),
    Outcome("G", True, False, "control", date=dt.date(2026, 12, 1)),
    Outcome("H", False, False),
]


@pytest.fixture(scope="module")
def evaluation() -> Any:
    run = make_run(UNITS, profiles=["p3"])
    return evaluate(run, OUTCOMES, capacities=(2, "3", "50%", "100%", 0))


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b))


def test_the_fixture_ranks_as_drawn() -> None:
    run = make_run(UNITS)
    assert [c.container_number for c in run.containers] == list("ABCDEFGH")


def test_headline_figures(evaluation: Any) -> None:
    assert (evaluation.units_total, evaluation.labelled, evaluation.findings) == (8, 6, 3)
    # The control sample (D E G) found one of three: the unbiased base rate.
    assert evaluation.base_rate == Rate(1, 3)
    assert evaluation.base_rate_source == "control"
    # Score-selected A B: 1 of 2 = 0.5; over the control's 1/3: 1.5.
    assert math.isclose(evaluation.lift, 1.5)


@pytest.mark.parametrize(
    ("capacity", "k", "labelled", "findings", "precision", "recall", "coverage"),
    [
        ("2", 2, 2, 1, 1 / 2, 1 / 3, 1.0),  # A B
        ("3", 3, 2, 1, 1 / 2, 1 / 3, 2 / 3),  # A B, C not inspected
        ("50%", 4, 3, 2, 2 / 3, 2 / 3, 3 / 4),  # A B D
        ("100%", 8, 6, 3, 1 / 2, 1.0, 6 / 8),  # every labelled unit: the base rate
        ("0", 0, 0, 0, None, 0.0, None),
    ],
)
def test_precision_and_recall_at_capacity(
    evaluation: Any, capacity: str, k: int, labelled: int, findings: int,
    precision: float | None, recall: float, coverage: float | None,
) -> None:  # fmt: skip
    row = next(r for r in evaluation.capacity if r["capacity"] == capacity)
    assert (row["k"], row["labelled"], row["findings"]) == (k, labelled, findings)
    assert _close(row["precision"], precision)
    assert _close(row["recall"], recall)
    assert _close(row["coverage"], coverage)


def test_a_tie_split_by_the_cut_is_said() -> None:
    """F, G and H score 0 (ranks 6 to 8): a capacity of 6 takes F alone, by unit key.
    The row says how many tie and how many the cut took, and the summary says it in
    words; a cut through no tie (2: B alone scores 7) says nothing."""
    run = make_run(UNITS, profiles=["p3"])
    evaluation = evaluate(run, OUTCOMES, capacities=(6, 2, "100%"))
    rows = {r["capacity"]: r for r in evaluation.capacity}
    assert (rows["6"]["tied_at_cut"], rows["6"]["tied_taken"]) == (3, 1)
    assert (rows["2"]["tied_at_cut"], rows["2"]["tied_taken"]) == (1, 1)
    assert (rows["100%"]["tied_at_cut"], rows["100%"]["tied_taken"]) == (3, 3)
    summary = text_summary(evaluation)
    assert (
        "at 6: 3 units tie at the cut (ranks 6-8, same score and lane): the cut took 1 of "
        "them in rank order (by unit key)"
    ) in summary
    assert "at 2:" not in summary
    assert "at 100%:" not in summary


@settings(max_examples=depth(60), deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from([None, False, True])), max_size=30),
    st.integers(0, 100),
)
def test_cut_at_capacity_against_brute_force(
    units: list[tuple[int, bool | None]], percent: int
) -> None:
    """The cut counts what a direct count counts, rounds as the selection rounds, and its
    expected findings lie between the tie's worst and best draw."""
    ranked = sorted(units, key=lambda u: -u[0])
    cut = cut_at_capacity(ranked, f"{percent}%")
    assert cut.k == min(parse_capacity(f"{percent}%", len(ranked)), len(ranked))
    inside = ranked[: cut.k]
    assert cut.labelled == sum(f is not None for _, f in inside)
    assert cut.findings == sum(bool(f) for _, f in inside)
    if cut.k:
        tie = [f for r, f in ranked if r == ranked[cut.k - 1][0]]
        assert cut.tied == len(tie)
        assert cut.tied_taken == sum(r == ranked[cut.k - 1][0] for r, _ in inside)
        assert cut.broken == (cut.tied_taken < cut.tied)
        above = cut.findings - cut.tied_findings_taken
        worst = above + max(0, cut.tied_findings - (cut.tied - cut.tied_taken))
        best = above + min(cut.tied_findings, cut.tied_taken)
        assert worst - 1e-9 <= cut.expected_findings <= best + 1e-9
    else:
        assert (cut.tied, cut.expected_findings) == (0, 0.0)


def test_curve_has_a_point_at_each_labelled_unit(evaluation: Any) -> None:
    assert [(p["k"], p["labelled"], p["findings"]) for p in evaluation.curve] == [
        (1, 1, 1), (2, 2, 1), (4, 3, 2), (5, 4, 2), (6, 5, 3), (7, 6, 3),
    ]  # fmt: skip
    assert evaluation.curve[-1]["precision"] == 0.5
    assert evaluation.curve[-1]["recall"] == 1.0


def test_hit_rate_by_selection_reason(evaluation: Any) -> None:
    rows = {r["selected_by"]: r for r in evaluation.selection}
    assert list(rows) == ["score", "control", "other"]
    assert (rows["score"]["inspected"], rows["score"]["findings"]) == (2, 1)
    assert (rows["control"]["inspected"], rows["control"]["findings"]) == (3, 1)
    assert (rows["other"]["inspected"], rows["other"]["findings"]) == (1, 1)
    assert math.isclose(rows["score"]["lift"], 1.5)
    assert math.isclose(rows["control"]["lift"], 1.0)
    assert math.isclose(rows["other"]["lift"], 3.0)


def test_hit_rate_per_profile(evaluation: Any) -> None:
    rows = {r["profile_id"]: r for r in evaluation.profiles}
    # p1 fired on A B E (all inspected; A found); p2 on C D (D inspected, found); p3 never.
    assert (rows["p1"]["fired"], rows["p1"]["inspected"], rows["p1"]["findings"]) == (3, 3, 1)
    assert math.isclose(rows["p1"]["hit_rate"], 1 / 3)
    assert (rows["p2"]["fired"], rows["p2"]["inspected"], rows["p2"]["findings"]) == (2, 1, 1)
    assert rows["p2"]["hit_rate"] == 1.0
    assert (rows["p3"]["fired"], rows["p3"]["inspected"], rows["p3"]["hit_rate"]) == (0, 0, None)
    assert math.isclose(rows["p1"]["share_of_findings"], 1 / 3)
    low, high = wilson_interval(1, 3) or (0, 0)
    assert (rows["p1"]["hit_rate_low"], rows["p1"]["hit_rate_high"]) == (low, high)


def test_hit_rate_per_indicator_and_never_found(evaluation: Any) -> None:
    rows = {(r["profile_id"], r["indicator_id"]): r for r in evaluation.indicators}
    counts = {k: (r["hit"], r["inspected"], r["findings"]) for k, r in rows.items()}
    assert counts == {
        ("p1", "i1"): (2, 2, 1),  # A B
        ("p1", "i2"): (2, 2, 1),  # A E
        ("p1", "i4"): (1, 1, 0),  # B
        ("p2", "i3"): (2, 1, 1),  # C D
    }
    assert rows[("p1", "i4")]["title"] == "title of p1/i4"
    assert [(r["profile_id"], r["indicator_id"], r["inspected"])
            for r in evaluation.never_found] == [("p1", "i4", 1)]  # fmt: skip
    # The run alone does not list the indicators that never hit.
    assert evaluation.never_fired is None


def test_trend_per_week(evaluation: Any) -> None:
    rows = [(r["period"], r["inspected"], r["findings"], r["flagged"], r["flagged_findings"],
             r["detected_share"]) for r in evaluation.trend]  # fmt: skip
    assert rows == [
        ("2026-W45", 3, 2, 2, 1, 0.5),  # A B F; F (no date: as_of) found with no profile
        ("2026-W46", 2, 1, 2, 1, 1.0),  # D E
        ("2026-W49", 1, 0, 0, 0, None),  # G
    ]


def test_trend_per_month() -> None:
    ev = evaluate(make_run(UNITS), OUTCOMES, by="month")
    rows = [(r["period"], r["inspected"], r["findings"], r["detected_share"]) for r in ev.trend]
    assert rows[0][:3] == ("2026-11", 5, 3)
    assert math.isclose(rows[0][3], 2 / 3)
    assert rows[1] == ("2026-12", 1, 0, None)
    with pytest.raises(ValueError, match="week"):
        evaluate(make_run(UNITS), OUTCOMES, by="day")  # type: ignore[arg-type]


def test_without_a_control_sample_the_base_rate_is_the_labelled_units() -> None:
    outcomes = [Outcome(o.unit, o.inspected, o.finding, None if o.selected_by == "control"
                        else o.selected_by) for o in OUTCOMES]  # fmt: skip
    ev = evaluate(make_run(UNITS), outcomes)
    assert ev.base_rate == Rate(3, 6)
    assert ev.base_rate_source == "labelled"
    assert ev.lift is None
    assert [r["selected_by"] for r in ev.selection] == ["score", "other", "unrecorded"]


def test_units_table_and_unmatched(evaluation: Any) -> None:
    keys = [r["key"] for r in evaluation.units]
    assert keys == [f"{CALL}/{n}" for n in "ABDEFGH"]
    first = evaluation.units[0]
    assert (first["rank"], first["score"], first["fired"], first["finding"]) == (1, 9, True, True)
    assert evaluation.units[-1]["finding"] is None  # H: not inspected, outcome unknown
    ev = evaluate(make_run(UNITS), [*OUTCOMES, Outcome("ZZZ", True, True, source_line=9)])
    reason = "no unit, container or bill of lading 'ZZZ' in the run"
    assert ev.unmatched == ({"unit": "ZZZ", "source_line": 9, "reason": reason},)
    assert ev.findings == 3  # an unmatched finding counts nowhere, but is reported


def test_tables_have_their_columns(evaluation: Any) -> None:
    from riskprofile.evaluation import TABLE_COLUMNS

    tables = evaluation.tables()
    assert set(tables) == set(TABLE_COLUMNS)
    for name, rows in tables.items():
        for row in rows:
            assert tuple(row) == TABLE_COLUMNS[name], name


def test_data_frames(evaluation: Any) -> None:
    pl = pytest.importorskip("polars")
    frames = evaluation.to_polars()
    assert isinstance(frames["capacity"], pl.DataFrame)
    assert frames["capacity"]["precision"].to_list()[:3] == [0.5, 0.5, 2 / 3]
    assert frames["never_fired"].columns == ["profile_id", "indicator_id"]
    assert frames["never_fired"].height == 0


def test_data_frames_pandas(evaluation: Any) -> None:
    pytest.importorskip("pandas")
    frames = evaluation.to_pandas()
    assert list(frames["profiles"]["profile_id"]) == ["p1", "p2", "p3"]


# --- never fired: needs the profiles ----------------------------------------------------


def test_indicators_that_never_fired_need_the_profiles(tmp_path: Path) -> None:
    doc = {
        "id": "t.seal", "version": 1, "title": "Seals", "category": "other", "owner": "tests",
        "indicators": [
            {"id": "no-seal", "title": "No seal", "when": "seal_count == 0", "weight": 10},
            {"id": "many", "title": "Many seals", "when": "seal_count > 5", "weight": 10},
        ],
        "bands": [{"min_score": 10, "lane": "red"}],
    }  # fmt: skip
    (tmp_path / "t.seal.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    profiles = load_profiles(tmp_path)
    shipments = [
        Shipment(shipment_id=f"{CALL}/B{i}/C{i}", manifest_ref=CALL, container_number=f"C{i}",
                 bl_number=f"B{i}", seal_count=n)
        for i, n in enumerate([0, 1, 2])
    ]  # fmt: skip
    run = score(shipments, profiles, as_of=AS_OF)
    ev = evaluate(run, [Outcome("C0", True, False), Outcome("C1", True, True)], profiles=profiles)
    assert ev.never_fired == ({"profile_id": "t.seal", "indicator_id": "many"},)
    assert ev.never_found == (
        {"profile_id": "t.seal", "indicator_id": "no-seal", "title": "No seal", "inspected": 1},
    )
    # The finding on C1 was on a unit no profile fired on.
    assert ev.trend[0]["detected_share"] == 0.0


# --- Wilson --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Worked by hand with z = 1.96: centre (p + z²/2n)/(1 + z²/n),
        # half-width z/(1 + z²/n) * sqrt(p(1-p)/n + z²/4n²).
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),  # z²/n / (1 + z²/n) = 0.38415 / 1.38415
        (10, 10, 0.7225, 1.0),
        (1, 3, 0.0615, 0.7923),
        (1, 1, 0.2065, 1.0),
        (81, 263, 0.2553, 0.3662),  # Wilson's and Newcombe's example
    ],
)
def test_wilson_interval_hand_values(successes: int, trials: int, low: float, high: float) -> None:
    interval = wilson_interval(successes, trials)
    assert interval is not None
    assert round(interval[0], 4) == low
    assert round(interval[1], 4) == high


def test_wilson_interval_rejects_impossible_counts() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(3, 2)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(-1, 2)


@given(st.integers(0, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_estimate_within_0_and_1(pair: tuple[int, int]) -> None:
    successes, trials = pair
    interval = wilson_interval(successes, trials)
    if trials == 0:
        assert interval is None
        return
    assert interval is not None
    low, high = interval
    assert 0.0 <= low <= successes / trials <= high <= 1.0


# --- properties ----------------------------------------------------------------------------


@st.composite
def runs_and_outcomes(draw: st.DrawFn) -> tuple[Any, list[Outcome], list[int | str]]:
    """A run of 1-30 units with random scores and hits, outcomes on a random subset, and
    random capacities (counts and percentages)."""
    n = draw(st.integers(1, 30))
    indicators = ["p1/a", "p1/b", "p2/c"]
    units = [
        Unit(f"U{i:02d}", draw(st.integers(0, 20)),
             tuple(draw(st.lists(st.sampled_from(indicators), unique=True, max_size=3))))
        for i in range(n)
    ]  # fmt: skip
    outcomes = []
    for unit in units:
        if draw(st.booleans()):
            inspected = draw(st.booleans())
            finding = inspected and draw(st.booleans())
            reason: SelectedBy | None = draw(
                st.sampled_from([None, "score", "control", "forced", "other"])
            )
            day = draw(st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
            outcomes.append(Outcome(unit.container, inspected, finding, reason, date=day))
    capacities = draw(
        st.lists(st.integers(0, 40) | st.integers(0, 100).map(lambda p: f"{p}%"), max_size=6)
    )
    return make_run(units), outcomes, capacities


PROPERTIES = settings(max_examples=depth(60), deadline=None)
RATES = {"precision", "recall", "coverage", "hit_rate", "hit_rate_low", "hit_rate_high",
         "precision_low", "precision_high", "detected_share", "share_of_findings"}  # fmt: skip


@PROPERTIES
@given(runs_and_outcomes())
def test_precision_at_full_capacity_is_the_base_rate_of_labelled_units(
    case: tuple[Any, list[Outcome], list[int | str]],
) -> None:
    run, outcomes, _ = case
    ev = evaluate(run, outcomes, capacities=["100%"])
    (row,) = ev.capacity
    labelled = [o for o in outcomes if o.inspected]
    assert row["labelled"] == len(labelled)
    if labelled:
        assert math.isclose(row["precision"], sum(o.finding for o in labelled) / len(labelled))
    else:
        assert row["precision"] is None


@PROPERTIES
@given(runs_and_outcomes())
def test_recall_is_non_decreasing_in_capacity_and_rates_stay_in_0_1(
    case: tuple[Any, list[Outcome], list[int | str]],
) -> None:
    run, outcomes, _ = case
    ev = evaluate(run, outcomes, capacities=list(range(len(run.containers) + 1)))
    recalls = [r["recall"] for r in ev.capacity]
    if ev.findings:
        assert all(a <= b for a, b in itertools.pairwise(recalls))
        assert recalls[-1] == 1.0
    else:
        assert all(r is None for r in recalls)
    for table in ("capacity", "curve", "selection", "profiles", "indicators", "trend"):
        for row in ev.tables()[table]:
            for column, value in row.items():
                if column in RATES and value is not None:
                    assert 0.0 <= value <= 1.0, (table, column, value)
            if row.get("hit_rate") is not None:
                assert row["hit_rate_low"] <= row["hit_rate"] <= row["hit_rate_high"]


@PROPERTIES
@given(runs_and_outcomes(), st.randoms(use_true_random=False))
def test_metrics_do_not_depend_on_the_order_of_the_outcomes(
    case: tuple[Any, list[Outcome], list[int | str]], random: Any
) -> None:
    run, outcomes, capacities = case
    shuffled = list(outcomes)
    random.shuffle(shuffled)
    first = evaluate(run, outcomes, capacities=capacities)
    second = evaluate(run, shuffled, capacities=capacities)
    assert first.tables() == second.tables()
    assert first.to_json() == second.to_json()


def test_an_outcome_match_can_be_passed_instead_of_outcomes() -> None:
    run = make_run(UNITS)
    assert evaluate(run, match_outcomes(run, OUTCOMES)).tables() == evaluate(run, OUTCOMES).tables()


def test_a_run_scored_column_wise_is_evaluated_from_its_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The example port call (629 shipments: the columnar engine) and its inspections:
    # the same evaluation, report and units as the reference run, with objects made only
    # for the units an outcome is about.
    from riskprofile import scoring
    from riskprofile.evaluation import read_outcomes, report_html

    batch = "examples/data/karachi-sample.csv"
    profiles = load_profiles(bundled=True)
    outcomes = read_outcomes("examples/data/karachi-sample.outcomes.csv")
    reference_run = score(batch, profiles, as_of=dt.date(2026, 11, 2), engine="rowwise")
    reference = evaluate(reference_run, outcomes, capacities=["3%", 10], profiles=profiles)
    made: list[str] = []
    real = scoring._score_shipment

    def counted(shipment: Shipment, *args: Any) -> Any:
        made.append(shipment.shipment_id)
        return real(shipment, *args)

    monkeypatch.setattr(scoring, "_score_shipment", counted)
    run = score(batch, profiles, as_of=dt.date(2026, 11, 2))
    assert run.frame_run is not None
    evaluation = evaluate(run, outcomes, capacities=["3%", 10], profiles=profiles)
    assert evaluation.to_json() == reference.to_json()
    assert report_html(evaluation) == report_html(reference)
    assert evaluation.labelled > 0
    units = {u["key"] for u in evaluation.units}
    assert sorted(made) == sorted(
        s.shipment_id for c in reference_run.containers if c.key in units for s in c.shipments
    )
    assert len(made) < len(reference_run.shipments)


@settings(
    max_examples=depth(25),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batches(), rst.profile_sets(), st.data())
def test_evaluating_a_run_scored_column_wise_equals_the_reference_on_random_batches(
    shipments: list[Shipment], profiles: ProfileSet, data: st.DataObject
) -> None:
    # Random batches and profiles (exceptions, bands, forced lanes, shared facts), and
    # outcomes on random units, placed by key, container or B/L number.
    from riskprofile.engines.columnar import shipment_frame
    from riskprofile.evaluation import Outcome

    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    run = score(shipment_frame(shipments), profiles, as_of=AS_OF, engine="columnar")
    assert run.frame_run is not None
    outcomes = []
    for container in reference.containers:
        if data.draw(st.booleans()):
            shipment = container.shipments[0].shipment
            unit = data.draw(
                st.sampled_from(
                    [container.key, shipment.container_number or container.key,
                     shipment.bl_number or container.key]
                )
            )  # fmt: skip
            outcomes.append(
                Outcome(unit, True, data.draw(st.booleans()),
                        data.draw(st.sampled_from(["score", "control", None])))
            )  # fmt: skip
    expected = evaluate(reference, outcomes, capacities=[1, "50%"], profiles=profiles)
    found = evaluate(run, outcomes, capacities=[1, "50%"], profiles=profiles)
    assert found.to_json() == expected.to_json()
    assert "containers" not in run.__dict__
