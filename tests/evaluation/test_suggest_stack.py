"""suggest's tiers (single values, HS6 codes, combinations) weighed against each other
by how they rank the training period's last months (evaluation/_suggest_stack.py)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.evaluation import Outcome, cut_at_capacity
from riskprofile.evaluation._suggest import suggest
from riskprofile.evaluation._suggest_stack import (
    BACKBONE,
    BACKBONE_COEFFICIENTS,
    COEFFICIENTS,
    HALF_LIVES,
    TIERS,
)
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score
from tests.depth import depth

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _declaration(
    bl: str, code: str, origin: str, port: str, day: int, found: bool
) -> tuple[Shipment, Outcome]:
    """One declaration with the code levels a reader derives from its goods item."""
    shipment = Shipment(
        shipment_id=f"V/1/{bl}/-", manifest_ref="V/1", bl_number=bl,
        arrival=START + dt.timedelta(days=day), hs_codes=[code + "00"],
        hs_subheadings=[code], hs_headings=[code[:4]], hs_chapters=[code[:2]],
        origin_countries=[origin], port_of_loading=port,
    )  # fmt: skip
    return shipment, Outcome(bl, inspected=True, finding=found)


PLANTED_DAYS = (5, 25, 45, 55, 65, 80)
"""Each planted code's days: two before the first fold starts (day 30), two in the folds
(days 30-59), two after the split (day 60)."""


def _rare_perfect_codes(
    seed: int,
) -> tuple[list[Shipment], list[Outcome], dt.date, list[str]]:
    """3,000 inspected declarations over 90 days, findings at 10 %, 40 HS6 codes x 12
    origins x 8 ports drawn at random; and 20 planted HS6 codes the traffic never
    carries, each declared six times (:data:`PLANTED_DAYS`), every time a finding,
    every time from another origin and port: no combination of them repeats, only the
    code does. Split on day 60."""
    rng = random.Random(seed)
    codes = [f"{rng.randint(100000, 979999)}" for _ in range(40)]
    origins = ["CN", "VN", "IN", "TR", "DE", "TH", "ID", "BR", "MX", "PK", "EG", "KR"]
    ports = ["CNSHA", "VNSGN", "INNSA", "TRMER", "DEHAM", "THLCH", "SGSIN", "AEJEA"]
    shipments: list[Shipment] = []
    outcomes: list[Outcome] = []

    def add(bl: str, code: str, origin: str, port: str, day: int, found: bool) -> None:
        shipment, outcome = _declaration(bl, code, origin, port, day, found)
        shipments.append(shipment)
        outcomes.append(outcome)

    for n in range(3000):
        add(f"T{n:05d}", rng.choice(codes), rng.choice(origins), rng.choice(ports),
            n * 90 // 3000, rng.random() < 0.10)  # fmt: skip
    planted = [f"{990000 + i * 7}" for i in range(20)]
    for i, code in enumerate(planted):
        for j, day in enumerate(PLANTED_DAYS):
            origin = origins[(i + j) % len(origins)]
            port = ports[(i + 3 * j) % len(ports)]
            add(f"P{i:02d}{j}", code, origin, port, day, True)
    return shipments, outcomes, dt.date(2026, 3, 2), planted


def test_a_rare_hs6_code_with_a_perfect_record_ranks_in_the_draft(tmp_path: Path) -> None:
    """Twenty HS6 codes seen four times before the split, always with a finding, each
    time in another combination: below min_support, and no combination of them repeats,
    so the single values and the combinations miss them; the HS6 tier (the one-list
    rule) keeps them, the last months before the split show that tier ranks best, and
    the draft, loaded from its files, ranks every one of their declarations after the
    split above all the other traffic."""
    shipments, outcomes, split, planted = _rare_perfect_codes(3)
    result = suggest(shipments, outcomes, split=split, combinations=True)
    stack = result.stack
    assert stack is not None
    starts = [dt.date(2026, 1, 31), dt.date(2026, 2, 6), dt.date(2026, 2, 12)]
    assert [f.start for f in stack.folds] == starts
    assert all(f.end == split for f in stack.folds)
    assert stack.coefficients["hs6"] > 0
    # Never below the one-list tier on any fold it was chosen on.
    assert all(f.precision["stack"] >= f.precision["hs6"] for f in stack.folds)
    assert all(f.precision["hs6"] > f.precision["combination"] for f in stack.folds)
    kept = {c.value: c for c in result.kept if c.kind == "hs_subheading"}
    assert set(planted) <= set(kept)
    assert all((kept[c].train.units, kept[c].train.findings) == (4, 4) for c in planted)
    files = result.files("draft.yaml")
    assert any(".hs6_codes_w" in name for name in files)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    profiles = load_profiles(tmp_path / "draft.yaml")
    later = [s for s in shipments if s.arrival is not None and s.arrival.date() >= split]
    run = score(later, profiles, as_of=split, include_drafts=True)
    scores = {c.key: c.score for c in run.containers}
    planted_scores = [scores[f"V/1/B/L P{i:02d}{j}"] for i in range(20) for j in (4, 5)]
    others = [v for k, v in scores.items() if not k.startswith("V/1/B/L P")]
    assert min(planted_scores) > max(others)
    assert "Tiers weighted" in files["draft.yaml"]
    assert result.as_dict()["stack"]["coefficients"] == dict(stack.coefficients)


def test_without_combinations_there_is_no_stack() -> None:
    shipments, outcomes, split, _ = _rare_perfect_codes(4)
    result = suggest(shipments, outcomes, split=split)
    assert result.stack is None
    assert not any(c.kind == "hs_subheading" for c in result.candidates)


def _small_history(
    seed: int, risky_codes: int, combos: int
) -> tuple[list[Shipment], list[Outcome], dt.date]:
    """600 inspected declarations over 90 days from 15 HS6 codes x 6 origins x 5 ports,
    findings at 10 %; ``risky_codes`` codes found at 60 %; ``combos`` triples found
    every time they recur."""
    rng = random.Random(seed)
    codes = [f"{rng.randint(100000, 979999)}" for _ in range(15)]
    origins = ["CN", "VN", "IN", "TR", "DE", "TH"]
    ports = ["CNSHA", "VNSGN", "INNSA", "TRMER", "DEHAM"]
    risky = set(codes[:risky_codes])
    planted = {(rng.choice(codes), rng.choice(origins), rng.choice(ports)) for _ in range(combos)}
    shipments: list[Shipment] = []
    outcomes: list[Outcome] = []
    for n in range(600):
        if planted and rng.random() < 0.15:
            code, origin, port = rng.choice(sorted(planted))
            found = True
        else:
            code, origin, port = rng.choice(codes), rng.choice(origins), rng.choice(ports)
            found = rng.random() < (0.6 if code in risky else 0.1)
        shipment, outcome = _declaration(f"S{n:04d}", code, origin, port, n * 90 // 600, found)
        shipments.append(shipment)
        outcomes.append(outcome)
    return shipments, outcomes, dt.date(2026, 3, 2)


@settings(max_examples=depth(10), suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    risky_codes=st.integers(0, 4),
    combos=st.integers(0, 12),
    shuffle=st.randoms(use_true_random=False),
)
def test_the_stack_never_ranks_below_the_one_list_tier_on_its_folds(
    seed: int, risky_codes: int, combos: int, shuffle: random.Random
) -> None:
    """Whatever the history, the chosen coefficients are among those tried, the stack's
    precision on every fold is at least the HS6 tier's alone (by its margin), and the same
    history in another order gives the same stack and the same draft, byte for byte."""
    shipments, outcomes, split = _small_history(seed, risky_codes, combos)
    result = suggest(shipments, outcomes, split=split, combinations=True)
    stack = result.stack
    assert stack is not None
    assert set(stack.coefficients) == set(TIERS)
    assert stack.half_life in (*HALF_LIVES, None)
    assert (stack.half_life is None) == (stack.fallback or not stack.folds)
    if stack.folds:
        assert stack.coefficients["hs6"] in BACKBONE_COEFFICIENTS
        assert stack.coefficients["single"] in COEFFICIENTS
        assert stack.coefficients["combination"] in COEFFICIENTS
        # The one-list tier is the backbone: the chosen stack ranks every fold at least
        # as well as it, by its worst-fold margin.
        assert stack.margin is not None
        assert stack.margin >= 0
        for fold in stack.folds:
            assert fold.precision["stack"] >= fold.precision["hs6"] + stack.margin - 1e-12
        if stack.fallback:
            assert stack.coefficients == dict(zip(TIERS, BACKBONE, strict=True))
    order = list(range(len(shipments)))
    shuffle.shuffle(order)
    again = suggest(
        [shipments[i] for i in order], [outcomes[i] for i in order], split=split,
        combinations=True,
    )  # fmt: skip
    assert again.stack == stack
    if result.kept:
        assert again.files("draft.yaml") == result.files("draft.yaml")
    for c in result.kept:
        # A kept value's weight is its points times its tier's coefficient.
        assert c.weight is not None
        assert c.weight >= 1


def _vanishing_combinations(
    seed: int,
) -> tuple[list[Shipment], list[Outcome], dt.date]:
    """3,000 inspected declarations over 90 days, 40 HS6 codes x 12 origins x 8 ports
    drawn at random, findings at 10 % and at 50 % for six codes; and 50 rare triples
    (codes the traffic never carries) each declared on four days between days 20 and 59,
    always a finding, and never after. Split on day 60: the months before it reward the
    combinations, which do not come back after it."""
    rng = random.Random(seed)
    codes = [f"{c}" for c in rng.sample(range(100000, 899999), 40)]
    origins = ["CN", "VN", "IN", "TR", "DE", "TH", "ID", "BR", "MX", "PK", "EG", "KR"]
    ports = ["CNSHA", "VNSGN", "INNSA", "TRMER", "DEHAM", "THLCH", "SGSIN", "AEJEA"]
    risky = set(codes[:6])
    pairs = []
    for n in range(3000):
        code = rng.choice(codes)
        pairs.append(
            _declaration(f"D{n:05d}", code, rng.choice(origins), rng.choice(ports),
                         n * 90 // 3000, rng.random() < (0.5 if code in risky else 0.1))
        )  # fmt: skip
    for t in range(50):
        for j in range(4):
            pairs.append(
                _declaration(f"P{t:02d}{j}", f"{900000 + t * 13}", origins[t % 12],
                             ports[t % 8], 20 + (t + 10 * j) % 40, True)
            )  # fmt: skip
    return [s for s, _ in pairs], [o for _, o in pairs], dt.date(2026, 3, 2)


def test_the_draft_is_never_below_the_one_list_rule_when_combinations_stop() -> None:
    """The last third of the days before the split (the one window the tiers were weighed
    on before) is full of repeats of the rare triples, so it chose the combinations
    alone and left the HS6 codes out; after the split the triples stop, and that draft
    found 0.27 of its 10 % where the one-list rule (each HS6 code's past hit rate) finds
    0.54. Now the HS6 tier is the backbone: the folds show nothing beats it on every one
    of them, so the draft is that tier alone, says so, and ranks the months after the
    split as the one-list rule does."""
    shipments, outcomes, split = _vanishing_combinations(1)
    result = suggest(shipments, outcomes, split=split, combinations=True, capacity=0.1)
    stack = result.stack
    assert stack is not None
    assert stack.coefficients["hs6"] >= 1
    assert stack.fallback
    assert "the one-list rule alone" in result.to_yaml()
    # The one-list rule on the same units, counted as evaluate counts.
    seen: Counter[str] = Counter()
    found: Counter[str] = Counter()
    later = []
    for s, o in zip(shipments, outcomes, strict=True):
        assert s.arrival is not None
        if s.arrival.date() < split:
            seen[s.hs_subheadings[0]] += 1
            found[s.hs_subheadings[0]] += o.finding is True
        else:
            later.append((s.hs_subheadings[0], bool(o.finding)))
    rates = [(found[c] / seen[c] if seen[c] else 0.0, f) for c, f in later]
    cut = cut_at_capacity(sorted(rates, key=lambda r: -r[0]), "10%")
    one_list = cut.expected_findings / cut.k
    assert result.precision is not None
    assert result.precision.precision is not None
    assert result.precision.capacity == cut.k
    assert result.precision.precision >= one_list - 1e-9


def _measure_unit_by_unit(
    candidates: list[Any], base: float, units: list[Any], per_shipment: list[Any],
    capacities: tuple[str, ...], coefficients: tuple[float, ...],
) -> float:  # fmt: skip
    """The fold's precision as it was measured before units were grouped by what they
    carry: each unit scored, ranked by score and key."""
    from riskprofile.evaluation._suggest_stack import _weight, points, tier_of

    strengths = {}
    for c in candidates:
        value = points(c, base)
        if value is not None:
            strengths[(c.kind, c.value)] = (TIERS.index(tier_of(c.kind)), value)
    scored = []
    for i in sorted(range(len(units)), key=lambda i: units[i].key):
        best = 0
        for found in per_shipment[i]:
            hits = sorted((strengths[f][0], f[0], strengths[f][1]) for f in found if f in strengths)
            groups = {(k, w) for t, k, v in hits if (w := _weight(coefficients[t], v)) >= 1}
            best = max(best, sum(w for _, w in groups))
        scored.append((best, units[i].finding))
    scored.sort(key=lambda r: -r[0])
    total = 0.0
    for at in capacities:
        cut = cut_at_capacity(scored, at)
        total += cut.expected_findings / cut.k if cut.k else 0.0
    return total / len(capacities)


@settings(max_examples=depth(40), deadline=None)
@given(st.data())
def test_a_fold_measured_per_signature_equals_it_measured_unit_by_unit(data: st.DataObject) -> None:
    """The folds' measure groups units that carry the same values (one score per group,
    counted with its units and findings: the memory and CPU of a fold at a million
    units); it gives the unit-by-unit ranking's precision to the last bit."""
    from riskprofile.evaluation import Candidate, Figures
    from riskprofile.evaluation._features import FEATURE_SCHEMA
    from riskprofile.evaluation._suggest_stack import _measurer
    from riskprofile.evaluation._unit_table import UnitTable

    base = data.draw(st.sampled_from([0.1, 0.2, 0.3]))
    kinds = ["hs_code", "origin_country", "hs_subheading", "code_origin_departure"]
    candidates = []
    for n in range(data.draw(st.integers(1, 8))):
        units_ = data.draw(st.integers(1, 40))
        found = data.draw(st.integers(0, units_))
        figures = Figures(units_, found, units_, base)
        candidates.append(
            Candidate(kind=kinds[n % 4], value=f"v{n}", label=f"v{n}", train=figures,
                      test=figures, p_value=0.01, kept=data.draw(st.booleans()), reason="",
                      weight=None, shrunk=data.draw(st.floats(0.0, 0.9)))
        )  # fmt: skip
    features = [(c.kind, c.value) for c in candidates] + [("hs_code", "other")]
    count = data.draw(st.integers(1, 60))
    keys = [f"K{(i * 7919) % 101:03d}/{i}" for i in range(count)]
    findings = [data.draw(st.booleans()) for _ in range(count)]
    units = [SimpleNamespace(key=k, finding=f) for k, f in zip(keys, findings, strict=True)]
    per_shipment = [
        [set(data.draw(st.lists(st.sampled_from(features), max_size=3)))
         for _ in range(data.draw(st.integers(0, 2)))]
        for _ in range(count)
    ]  # fmt: skip
    capacities = data.draw(st.sampled_from([("5%", "10%"), ("50%",), ("1%", "3%")]))
    # As the histories give them: the units as columns, each shipment's values as rows.
    table = UnitTable.of(range(count), [None] * count, [True] * count, findings)
    cells: dict[str, list[int]] = {name: [] for name in FEATURE_SCHEMA}
    row = 0
    for unit, shipments in enumerate(per_shipment):
        for found in shipments:
            for f in found:
                cells["_unit"].append(unit)
                cells["_row"].append(row)
                cells["feature"].append(features.index(f))
            row += 1
    values = pl.DataFrame(cells, schema=FEATURE_SCHEMA)
    measure = _measurer(candidates, base, table, (features, values), capacities)
    for coefficients in ((1.0, 4.0, 1.0), (0.0, 2.0, 0.5), (2.0, 1.0, 0.0), (0.5, 4.0, 2.0)):
        expected = _measure_unit_by_unit(
            candidates, base, units, per_shipment, capacities, coefficients
        )
        assert measure(coefficients) == expected


@settings(max_examples=depth(60), deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=8),
    st.sampled_from(["1%", "5%", "10%", "50%", "100%", "3"]),
)
def test_a_cut_of_counts_is_the_cut_of_the_list_it_stands_for(
    ranks: list[tuple[int, int]], capacity: str
) -> None:
    """The folds and the test period count each score's units and findings instead of
    listing every unit (a million per fold); the cut is the same to the last field."""
    from riskprofile.evaluation._metrics import cut_of_counts

    counts = [(units, min(found, units)) for units, found in ranks]
    listed = [
        (-rank, finding)
        for rank, (units, found) in enumerate(counts)
        for finding in [True] * found + [False] * (units - found)
    ]
    assert cut_of_counts(counts, capacity) == cut_at_capacity(listed, capacity)


@settings(max_examples=depth(40), deadline=None)
@given(st.data())
def test_recency_sums_the_units_as_a_loop_over_them_does(data: st.DataObject) -> None:
    """The combinations' recency-weighted evidence is summed column-wise (a running sum
    per combination over the units in id order): the same floats, to the last bit, as
    adding each unit's weight in turn."""
    from riskprofile.evaluation._suggest_stack import Carried, _weighted

    features = [("code_origin_departure", f"85171{n}:CN:CN") for n in range(4)]
    as_of = dt.date(2026, 3, 1)
    rows = data.draw(
        st.lists(
            st.tuples(st.integers(0, 50), st.integers(0, 3), st.integers(-3, 90), st.booleans()),
            max_size=60,
            unique_by=lambda r: (r[0], r[1]),
        )
    )
    table = pl.DataFrame(
        {
            "_unit": [r[0] for r in rows],
            "feature": [r[1] for r in rows],
            "_day": [as_of - dt.timedelta(days=r[2]) for r in rows],
            "_finding": [r[3] for r in rows],
        },
        schema={"_unit": pl.UInt32, "feature": pl.UInt32, "_day": pl.Date, "_finding": pl.Boolean},
    )
    half_life = data.draw(st.sampled_from([15, 30, 7]))
    expected: dict[tuple[str, str], list[float]] = {}
    for _unit, feature, age, finding in sorted(rows):
        if age <= 0:  # on or after as_of: not counted
            continue
        w = 0.5 ** (age / half_life)
        sums = expected.setdefault(features[feature], [0.0, 0.0])
        sums[0] += w
        sums[1] += w * finding
    got = _weighted(Carried(features, table), set(features), as_of, half_life)
    assert {f: list(v) for f, v in got.items()} == expected
