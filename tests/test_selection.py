"""Selection: forced first, then by score under the capacity, then a seeded control
sample; capacity parsing; and the properties the issue asks for.

The hand-made runs use one profile whose score is ten points per transshipment (bands:
10 blue, 20 yellow, 30 red) and two watch-list indicators that force red or yellow, so
that each container's lane and score can be read off its ``Box``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.model import Shipment, flatten
from riskprofile.profiles import ProfileSet, load_profiles
from riskprofile.scoring import ScoringRun, score
from riskprofile.selection import Selection, parse_capacity, select
from tests import strategies as rst
from tests.depth import depth

AS_OF = dt.date(2026, 11, 2)
PROPERTIES = settings(
    max_examples=depth(25),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PROFILE = {
    "id": "t.sel",
    "version": 1,
    "title": "Selection test profile",
    "category": "other",
    "owner": "tests",
    "indicators": [
        {"id": "red", "title": "Forced red", "when": 'consignee_name == "RED"', "weight": 0,
         "lane": "red"},
        {"id": "yellow", "title": "Forced yellow", "when": 'consignee_name == "YELLOW"',
         "weight": 0, "lane": "yellow"},
        *({"id": f"ts{n}", "title": f"{n}+ transshipments", "when": f"transshipment_count >= {n}",
           "weight": 10} for n in (1, 2, 3, 4, 5)),
    ],
    "bands": [{"min_score": 30, "lane": "red"}, {"min_score": 20, "lane": "yellow"},
              {"min_score": 10, "lane": "blue"}],
}  # fmt: skip


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> ProfileSet:
    folder = tmp_path_factory.mktemp("profiles")
    (folder / "sel.yaml").write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    return load_profiles(folder)


@dataclass(frozen=True)
class Box:
    """A container to score: its number, transshipments (10 points each) and forced lane."""

    name: str
    transshipments: int = 0
    forced: str | None = None


def run_of(profiles: ProfileSet, *boxes: Box) -> ScoringRun:
    shipments = [
        Shipment(
            shipment_id=f"m/BL-{b.name}/{b.name}",
            manifest_ref="m",
            bl_number=f"BL-{b.name}",
            container_number=b.name,
            transshipment_count=b.transshipments,
            consignee_name=b.forced.upper() if b.forced else None,
        )
        for b in boxes
    ]
    return score(shipments, profiles, as_of=AS_OF)


def picked(selection: Selection) -> list[tuple[str, str | None]]:
    """(reason, container number) of every selected container, in order."""
    return [(s.reason, s.container.container_number) for s in selection.selected]


def greens(n: int, prefix: str = "G") -> list[Box]:
    return [Box(f"{prefix}{i:03d}") for i in range(n)]


# --- forced, score, green, left out --------------------------------------------------------


def test_forced_first_then_by_score_and_green_never(profiles: ProfileSet) -> None:
    run = run_of(
        profiles,
        Box("A", 1),  # 10 blue
        Box("B", 3),  # 30 red
        Box("C", forced="yellow"),  # forced yellow, 0
        Box("D", 2),  # 20 yellow
        Box("E"),  # green
        Box("F", forced="red", transshipments=1),  # forced red, 10
    )
    selection = select(run, capacity=4)
    assert picked(selection) == [("forced", "F"), ("forced", "C"), ("score", "B"), ("score", "D")]
    assert [s.rank for s in selection.selected] == [1, 2, 3, 4]
    assert selection.left_out == ()
    assert [c.container_number for c in selection.documentary] == ["A"]
    assert selection.capacity == 4
    assert selection.warnings == ()
    assert selection.over_capacity == 0
    # With room to spare, every red and yellow container is selected; blue is listed
    # apart (documentary work), green never selected.
    roomy = select(run, capacity=100)
    assert [n for _, n in picked(roomy)] == ["F", "C", "B", "D"]
    assert (roomy.left_out, [c.container_number for c in roomy.documentary]) == ((), ["A"])
    assert roomy.unused_capacity == 96
    # A capacity that counts documentary checks too fills from blue as well.
    desks = select(run, capacity=100, lanes=("red", "yellow", "blue"))
    assert [n for _, n in picked(desks)] == ["F", "C", "B", "D", "A"]
    assert (desks.left_out, desks.documentary, desks.lanes) == ((), (), ("red", "yellow", "blue"))


def test_blue_containers_never_fill_the_physical_capacity(profiles: ProfileSet) -> None:
    # The quick start's case: one forced red, many blue: the blue ones are not inspected
    # physically, however much capacity is left.
    run = run_of(
        profiles, Box("F", forced="red"), *[Box(f"B{i}", 1) for i in range(6)], Box("Y", 2),
        *greens(20),
    )  # fmt: skip
    selection = select(run, capacity=7)
    assert picked(selection) == [("forced", "F"), ("score", "Y")]
    assert [c.container_number for c in selection.documentary] == [f"B{i}" for i in range(6)]
    assert selection.left_out == ()
    assert selection.unused_capacity == 5
    # Named in a per-lane capacity, blue fills its own quota.
    quota = select(run, capacity={"red": 2, "blue": 2})
    assert picked(quota) == [("forced", "F"), ("score", "B0"), ("score", "B1")]
    # Yellow has no quota: left out, with the blue ones beyond theirs, in rank order.
    assert [c.container_number for c in quota.left_out] == ["Y", "B2", "B3", "B4", "B5"]
    assert quota.documentary == ()


@pytest.mark.parametrize("lanes", [(), ("green",), ("red", "purple")])
def test_capacity_lanes_are_red_yellow_blue(profiles: ProfileSet, lanes: Any) -> None:
    run = run_of(profiles, Box("A", 1))
    with pytest.raises(ValueError, match="capacity lanes are red, yellow or blue"):
        select(run, capacity=3, lanes=lanes)


def test_forced_containers_are_all_selected_even_over_capacity(profiles: ProfileSet) -> None:
    run = run_of(
        profiles, Box("R1", forced="red"), Box("R2", forced="red"), Box("Y1", forced="yellow"),
        Box("S", 3),
    )  # fmt: skip
    selection = select(run, capacity=2)
    assert picked(selection) == [("forced", "R1"), ("forced", "R2"), ("forced", "Y1")]
    assert selection.over_capacity == 1
    assert selection.warnings == (
        "3 containers are forced to inspection, more than the capacity of 2: all are "
        "selected (1 over capacity)",
    )
    assert [c.container_number for c in selection.left_out] == ["S"]


def test_zero_capacity_selects_only_forced(profiles: ProfileSet) -> None:
    run = run_of(profiles, Box("R", forced="red"), Box("S", 3))
    selection = select(run, capacity=0)
    assert picked(selection) == [("forced", "R")]
    assert selection.over_capacity == 1
    assert len(selection.warnings) == 1


def test_per_lane_capacity_fills_each_lane_from_its_own_containers(
    profiles: ProfileSet,
) -> None:
    run = run_of(
        profiles, Box("R1", 5), Box("R2", 4), Box("R3", 3), Box("Y1", 2), Box("Y2", 2),
        Box("B1", 1), Box("B2", 1),
    )  # fmt: skip
    selection = select(run, capacity={"red": 2, "blue": "10%"})
    assert picked(selection) == [("score", "R1"), ("score", "R2"), ("score", "B1")]
    assert selection.capacity == 3  # 2 + 10% of 7 rounded down, at least 1
    # Yellow has no quota: its containers are left out, in rank order.
    assert [c.container_number for c in selection.left_out] == ["R3", "Y1", "Y2", "B2"]


def test_per_lane_capacity_counts_forced_containers_in_their_lane(profiles: ProfileSet) -> None:
    run = run_of(profiles, Box("F", forced="red"), Box("R1", 5), Box("R2", 4), Box("Y", 2))
    selection = select(run, capacity={"red": 2, "yellow": 1})
    assert picked(selection) == [("forced", "F"), ("score", "R1"), ("score", "Y")]


@pytest.mark.parametrize("bad", [{"green": 3}, {"purple": 1}, {"Red": 1}])
def test_per_lane_capacity_takes_red_yellow_blue_only(
    profiles: ProfileSet, bad: dict[str, Any]
) -> None:
    run = run_of(profiles, Box("A", 1))
    with pytest.raises(ValueError, match="capacity per lane takes red, yellow or blue"):
        select(run, capacity=bad)


def test_percentage_capacity_is_a_share_of_the_batch(profiles: ProfileSet) -> None:
    # 3% of 40 containers is 1.2: one inspection.
    run = run_of(profiles, *[Box(f"S{i:02d}", 1 + i % 5) for i in range(10)], *greens(30))
    selection = select(run, capacity="3%")
    assert selection.capacity == 1
    assert len(selection.selected) == 1
    assert len(selection.left_out) == 7  # the other red and yellow ones
    assert len(selection.documentary) == 2  # blue


# --- capacity parsing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "total", "expected"),
    [
        (30, 1000, 30),
        (0, 1000, 0),
        ("30", 1000, 30),
        (" 30 ", 1000, 30),
        ("3%", 1000, 30),
        ("3%", 250, 7),  # 7.5, rounded down
        (" 2.5 % ", 1000, 25),
        ("0.1%", 1000, 1),
        ("0.1%", 50, 1),  # 0.05: at least one when the share is above zero
        ("0%", 1000, 0),
        ("100%", 251, 251),
        ("3%", 0, 0),  # nothing to inspect
        (5000, 10, 5000),  # a count is not capped by the batch
    ],
)
def test_parse_capacity(value: int | str, total: int, expected: int) -> None:
    assert parse_capacity(value, total) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "must not be negative"),
        ("-3", "must be a count"),
        ("101%", "above 100"),
        ("100.01%", "above 100"),
        ("abc", "must be a count"),
        ("", "must be a count"),
        ("3.5", "must be a count"),
        ("3 %%", "must be a count"),
        ("%", "must be a count"),
        (True, "must be a count or a percentage"),
    ],
)
def test_parse_capacity_errors(value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_capacity(value, 100)


def test_a_bad_capacity_is_refused_by_select(profiles: ProfileSet) -> None:
    run = run_of(profiles, Box("A", 1))
    with pytest.raises(ValueError, match="capacity"):
        select(run, capacity="lots")
    with pytest.raises(ValueError, match="must not be negative"):
        select(run, capacity={"red": -1})


# --- control sample ------------------------------------------------------------------------


def test_a_control_sample_needs_a_seed(profiles: ProfileSet) -> None:
    run = run_of(profiles, Box("A", 1))
    with pytest.raises(ValueError, match="explicit seed"):
        select(run, capacity=1, control_rate="1%")
    with pytest.raises(ValueError, match="explicit seed"):
        select(run, capacity=1, control_rate=0.01)
    # No sample, no seed needed; a seed without a sample is harmless.
    assert select(run, capacity=1).seed is None
    assert select(run, capacity=1, seed=3).seed == 3


@pytest.mark.parametrize("rate", ["150%", 1.5, -0.1, "-1%", "abc", "nan"])
def test_control_rate_must_be_a_share(profiles: ProfileSet, rate: Any) -> None:
    run = run_of(profiles, Box("A", 1))
    with pytest.raises(ValueError, match=r"control rate|could not convert"):
        select(run, capacity=1, control_rate=rate, seed=1)


@pytest.mark.parametrize(("rate", "expected"), [("1%", 0.01), (0.25, 0.25), ("0.5", 0.5)])
def test_control_rate_spellings(profiles: ProfileSet, rate: Any, expected: float) -> None:
    run = run_of(profiles, Box("A", 1))
    assert select(run, capacity=1, control_rate=rate, seed=1).control_rate == expected


def test_control_sample_is_drawn_from_the_containers_not_selected(profiles: ProfileSet) -> None:
    run = run_of(profiles, Box("R", forced="red"), Box("S1", 3), Box("S2", 2), *greens(37))
    selection = select(run, capacity=2, control_rate="10%", seed=5, control_on_top=True)
    reasons = [s.reason for s in selection.selected]
    assert reasons == ["forced", "score", "control", "control", "control", "control"]
    assert [s.rank for s in selection.selected] == [1, 2, 3, 4, 5, 6]
    control = [s.container.key for s in selection.selected if s.reason == "control"]
    assert control == sorted(control)  # listed in key order
    assert "m/R" not in control
    assert "m/S1" not in control
    # S2 was left out by capacity: it may be drawn for control, then it is no longer
    # left out; otherwise it is.
    assert ("m/S2" in control) != ("m/S2" in [c.key for c in selection.left_out])


def test_the_control_sample_is_drawn_within_the_capacity_by_default(
    profiles: ProfileSet,
) -> None:
    # "7 = 1 forced + 3 score + 3 control": 1% of 300 is 3.
    run = run_of(
        profiles, Box("F", forced="red"), *[Box(f"S{i}", 3) for i in range(10)], *greens(289)
    )
    selection = select(run, capacity=7, control_rate="1%", seed=4)
    reasons = [s.reason for s in selection.selected]
    assert reasons == ["forced"] + ["score"] * 3 + ["control"] * 3
    assert [s.container.container_number for s in selection.selected[1:4]] == ["S0", "S1", "S2"]
    assert (selection.control_on_top, selection.unused_capacity, selection.warnings) == (
        False, 0, ()
    )  # fmt: skip
    # On top: the score fills the capacity and the sample comes on top of it.
    on_top = select(run, capacity=7, control_rate="1%", seed=4, control_on_top=True)
    assert [s.reason for s in on_top.selected] == ["forced"] + ["score"] * 6 + ["control"] * 3
    assert on_top.control_on_top
    # The same seed gives the same sample, drawn from what the score left.
    again = select(run, capacity=7, control_rate="1%", seed=4)
    assert again == selection
    control = {s.container.key for s in selection.selected if s.reason == "control"}
    assert not control & {s.container.key for s in selection.selected[:4]}


def test_a_control_sample_with_no_room_in_the_capacity_is_cut_and_says_so(
    profiles: ProfileSet,
) -> None:
    run = run_of(profiles, Box("F1", forced="red"), Box("F2", forced="red"), *greens(98))
    selection = select(run, capacity=3, control_rate="5%", seed=1)
    assert [s.reason for s in selection.selected] == ["forced", "forced", "control"]
    assert selection.warnings == (
        "the control sample is cut from 5 to 1: 2 forced containers leave room for 1 within "
        "the capacity of 3",
    )
    none = select(run, capacity=0, control_rate="5%", seed=1)
    assert [s.reason for s in none.selected] == ["forced", "forced"]
    assert none.warnings[-1] == (
        "the control sample is cut from 5 to 0: 2 forced containers leave room for 0 within "
        "the capacity of 0"
    )


@pytest.mark.parametrize(
    ("containers", "rate", "expected"),
    [
        (250, "1%", 3),  # 2.5: halves round up
        (240, "1%", 2),  # 2.4
        (40, "1%", 0),  # 0.4: no sample (no "at least one" here)
        (40, "2%", 1),  # 0.8
        (10, "100%", 10),
    ],
)
def test_control_sample_size_rounds_to_the_nearest(
    profiles: ProfileSet, containers: int, rate: str, expected: int
) -> None:
    run = run_of(profiles, *greens(containers))
    selection = select(run, capacity=0, control_rate=rate, seed=1, control_on_top=True)
    assert len(selection.selected) == expected


def test_control_sample_is_capped_by_the_pool(profiles: ProfileSet) -> None:
    run = run_of(profiles, *[Box(f"S{i}", 2) for i in range(8)], *greens(2))
    selection = select(run, capacity=8, control_rate="50%", seed=1, control_on_top=True)
    # On top: 8 by score, the sample wants 5, 2 remain.
    assert [r for r, _ in picked(selection)].count("control") == 2


def test_control_sample_rounding_is_exact_for_percentages(profiles: ProfileSet) -> None:
    run = run_of(profiles, *greens(50))
    selection = select(run, capacity=0, control_rate="29%", seed=1, control_on_top=True)
    assert len(selection.selected) == 15


def test_same_seed_same_sample_other_seed_other_sample(profiles: ProfileSet) -> None:
    run = run_of(profiles, *greens(200))

    def sample(seed: int) -> list[str]:
        selection = select(run, capacity=10, control_rate="5%", seed=seed)
        return [s.container.key for s in selection.selected]

    assert sample(1) == sample(1)
    assert len(sample(1)) == 10
    assert sample(1) != sample(2)
    assert len({tuple(sample(seed)) for seed in range(10)}) == 10


# --- properties ----------------------------------------------------------------------------


@st.composite
def runs(draw: st.DrawFn) -> ScoringRun:
    shipments: list[Shipment] = []
    for number in range(draw(st.integers(1, 3))):
        manifest = draw(rst.manifests())
        shipments += flatten(manifest.model_copy(update={"voyage_number": f"V{number}"}))
    return score(shipments, draw(rst.profile_sets()), as_of=AS_OF)


capacities = st.one_of(
    st.integers(0, 12),
    st.integers(0, 100).map(lambda n: f"{n}%"),
    st.decimals(0, 100, places=1).map(lambda d: f"{d}%"),
)


@PROPERTIES
@given(
    runs(),
    capacities,
    st.sampled_from([0, 0.1, "25%", 1]),
    st.integers(0, 2**32),
    st.booleans(),
)
def test_selection_never_exceeds_capacity_except_by_forced_containers(
    run: ScoringRun, capacity: int | str, rate: Any, seed: int, on_top: bool
) -> None:
    selection = select(run, capacity=capacity, control_rate=rate, seed=seed, control_on_top=on_top)
    reasons = [s.reason for s in selection.selected]
    forced = reasons.count("forced")
    control = reasons.count("control")
    limit = selection.capacity
    assert limit == parse_capacity(capacity, len(run.containers))
    within = 0 if on_top else control
    assert reasons.count("score") <= max(0, limit - forced - within)
    assert forced + reasons.count("score") + within <= max(limit, forced)
    if not on_top:  # the sample within the capacity: only forced ones go beyond it
        assert len(reasons) <= max(limit, forced)
    assert forced == sum(1 for c in run.containers if c.forced_lane is not None)
    assert selection.over_capacity == max(0, forced - limit)
    assert any("forced to inspection" in w for w in selection.warnings) == (forced > limit)
    # Order: forced, then score, then control; ranks count from 1; no container twice.
    assert reasons == sorted(reasons, key=["forced", "score", "control"].index)
    assert [s.rank for s in selection.selected] == list(range(1, len(reasons) + 1))
    keys = [s.container.key for s in selection.selected]
    assert len(set(keys)) == len(keys)
    # Only red and yellow are selected by score (lanes are actions: blue is documentary).
    by_score = [s.container for s in selection.selected if s.reason == "score"]
    assert all(c.lane in ("red", "yellow") for c in by_score)
    if selection.left_out:
        assert reasons.count("score") == max(0, limit - forced - within)
    # left_out: the red and yellow containers not selected, in rank order; documentary:
    # the blue ones.
    taken = set(keys)
    rest = [c for c in run.containers if c.key not in taken]
    assert [c.key for c in selection.left_out] == [
        c.key for c in rest if c.lane in ("red", "yellow")
    ]
    assert [c.key for c in selection.documentary] == [c.key for c in rest if c.lane == "blue"]
    assert selection.unused_capacity == max(0, limit - forced - reasons.count("score") - within)


@PROPERTIES
@given(runs(), st.integers(0, 12), st.sampled_from([0.1, "25%", 0.5, 1]), st.integers(0, 99))
def test_control_samples_are_reproducible_and_never_reselect(
    run: ScoringRun, capacity: int, rate: Any, seed: int
) -> None:
    first = select(run, capacity=capacity, control_rate=rate, seed=seed, control_on_top=True)
    again = select(run, capacity=capacity, control_rate=rate, seed=seed, control_on_top=True)
    assert first == again
    no_control = select(run, capacity=capacity)
    control = [s.container.key for s in first.selected if s.reason == "control"]
    assert not set(control) & {s.container.key for s in no_control.selected}
    assert first.selected[: len(no_control.selected)] == no_control.selected
    pool = len(run.containers) - len(no_control.selected)
    share = first.control_rate * len(run.containers)
    assert len(control) == min(pool, math.floor(share + 0.5))
    # Within the capacity: as many as fit beside the forced containers, never one of them.
    within = select(run, capacity=capacity, control_rate=rate, seed=seed)
    assert within == select(run, capacity=capacity, control_rate=rate, seed=seed)
    forced = within.count("forced")
    wanted = min(len(run.containers) - forced, math.floor(share + 0.5))
    # ...and never more than the units neither forced nor picked by score (a rate of 1
    # asks for every unit, but the ones the score step took are not drawn again).
    left = len(run.containers) - forced - within.count("score")
    assert within.count("control") == min(wanted, max(0, capacity - forced), left)
    cut = any(w.startswith("the control sample is cut") for w in within.warnings)
    assert cut == (wanted > max(0, capacity - forced))


@PROPERTIES
@given(
    runs(),
    st.fixed_dictionaries(
        {},
        optional={
            "red": st.integers(0, 5),
            "yellow": st.integers(0, 5).map(str),
            "blue": st.integers(0, 50).map(lambda n: f"{n}%"),
        },
    ),
)
def test_per_lane_quotas_are_filled_from_their_lane_only(
    run: ScoringRun, capacity: dict[str, Any]
) -> None:
    selection = select(run, capacity=capacity)
    total = len(run.containers)
    assert selection.capacity == sum(parse_capacity(v, total) for v in capacity.values())
    for lane in ("red", "yellow", "blue"):
        in_lane = [s for s in selection.selected if s.container.lane == lane]
        forced = sum(1 for s in in_lane if s.reason == "forced")
        by_score = sum(1 for s in in_lane if s.reason == "score")
        quota = parse_capacity(capacity[lane], total) if lane in capacity else 0
        assert by_score <= max(0, quota - forced)


def test_per_lane_capacity_is_exceeded_only_by_forced_containers(profiles: ProfileSet) -> None:
    run = run_of(
        profiles, *[Box(f"F{i}", forced="red") for i in range(3)], Box("Y1", 2), Box("Y2", 2)
    )
    selection = select(run, capacity={"red": 1, "yellow": 2})
    forced = sum(1 for s in selection.selected if s.reason == "forced")
    assert len(selection.selected) <= max(selection.capacity, forced)


def test_selection_keeps_its_parameters(profiles: ProfileSet) -> None:
    run = run_of(profiles, Box("A", 1), *greens(9))
    selection = select(run, capacity="50%", control_rate="20%", seed=42)
    assert selection.run is run
    assert (selection.capacity, selection.control_rate, selection.seed) == (5, 0.2, 42)


# --- the rules written out plainly -----------------------------------------------------------


def plain_selection(
    run: ScoringRun,
    capacity: int | dict[str, int],
    rate: str,
    seed: int,
    on_top: bool = False,
    lanes: tuple[str, ...] = ("red", "yellow"),
) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """The selection rules one container at a time, as the module docstring states them:
    (reason, key) of each selected container in order, the keys left out and the keys
    listed apart for documentary checks."""
    containers = list(run.containers)
    quotas: dict[str | None, int] = {None: capacity} if isinstance(capacity, int) else {}
    if isinstance(capacity, dict):
        quotas.update(capacity)
    per_lane = None not in quotas
    filled = set(capacity) if isinstance(capacity, dict) else set(lanes)
    forced = [c for c in containers if c.forced_lane is not None]
    chosen = [("forced", c.key) for c in forced]
    limit = sum(quotas.values())
    exact = Decimal(rate.rstrip("%")) / 100 * len(containers)
    wanted = min(
        len(containers) - len(forced), int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    )
    sample = wanted if on_top else min(wanted, max(0, limit - len(forced)))
    used = dict.fromkeys(quotas, 0)
    for c in forced:
        lane = c.lane if per_lane else None
        if lane in used:
            used[lane] += 1
    budget = max(0, limit - len(forced) - (0 if on_top else sample))
    for c in containers:
        lane = c.lane if per_lane else None
        if budget == 0:
            break
        free = lane in quotas and used[lane] < quotas[lane]
        if c.forced_lane is None and c.lane in filled and free:
            used[lane] += 1
            budget -= 1
            chosen.append(("score", c.key))
    taken = {key for _, key in chosen}
    pool = sorted(c.key for c in containers if c.key not in taken)
    size = min(len(pool), sample)
    control = random.Random(seed).sample(pool, size) if size else []
    chosen += [("control", key) for key in sorted(control)]
    taken = {key for _, key in chosen}
    rest = [c for c in containers if c.lane != "green" and c.key not in taken]
    apart = [c.key for c in rest if c.lane == "blue" and "blue" not in filled]
    left_out = [c.key for c in rest if c.key not in apart]
    return chosen, left_out, apart


def selection_view(selection: Selection) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    return (
        [(s.reason, s.container.key) for s in selection.selected],
        [c.key for c in selection.left_out],
        [c.key for c in selection.documentary],
    )


@PROPERTIES
@given(
    runs(),
    st.one_of(
        st.integers(0, 12),
        st.fixed_dictionaries(
            {}, optional={lane: st.integers(0, 4) for lane in ("red", "yellow", "blue")}
        ),
    ),
    st.sampled_from(["0%", "10%", "25%", "50%", "100%"]),
    st.integers(0, 2**32),
    st.booleans(),
    st.sampled_from([("red", "yellow"), ("red", "yellow", "blue"), ("red",)]),
)
def test_selection_is_the_rules_written_out_plainly(
    run: ScoringRun,
    capacity: int | dict[str, int],
    rate: str,
    seed: int,
    on_top: bool,
    lanes: tuple[str, ...],
) -> None:
    selection = select(
        run, capacity=capacity, control_rate=rate, seed=seed, control_on_top=on_top,
        lanes=lanes,  # type: ignore[arg-type]
    )  # fmt: skip
    assert selection_view(selection) == plain_selection(run, capacity, rate, seed, on_top, lanes)


@pytest.mark.parametrize(
    ("greens_", "rate"),
    [
        (50, "29%"),  # a sample drawn from a copy of the pool
        (300, "4%"),  # a pool much larger than the sample: drawn by index
        (300, "1%"),
    ],
)
@pytest.mark.parametrize("on_top", [False, True])
def test_control_sample_of_a_large_pool_is_the_rules_written_out_plainly(
    profiles: ProfileSet, greens_: int, rate: str, on_top: bool
) -> None:
    run = run_of(
        profiles,
        Box("R", forced="red"),
        *[Box(f"S{i}", i % 4 + 1) for i in range(12)],
        *greens(greens_),
    )
    for seed in range(5):
        selection = select(run, capacity=5, control_rate=rate, seed=seed, control_on_top=on_top)
        assert selection_view(selection) == plain_selection(run, 5, rate, seed, on_top)
