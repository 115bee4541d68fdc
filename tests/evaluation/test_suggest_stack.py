"""suggest's tiers (single values, HS6 codes, combinations) weighed against each other
by how they rank the training period's last months (evaluation/_suggest_stack.py)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.evaluation import Outcome
from riskprofile.evaluation._suggest import suggest
from riskprofile.evaluation._suggest_stack import COEFFICIENTS, TIERS
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
"""Each planted code's days: two before the inner split (day 40), two in the validation
months (40-59), two after the split (day 60)."""


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
    assert stack.inner_split == dt.date(2026, 2, 10)
    assert stack.coefficients["hs6"] > 0
    # Never below its best tier on the months it was chosen on.
    assert stack.precision["stack"] >= max(stack.precision[t] for t in TIERS)
    assert stack.precision["hs6"] > stack.precision["combination"]
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
def test_the_stack_never_ranks_below_its_best_tier_on_its_months(
    seed: int, risky_codes: int, combos: int, shuffle: random.Random
) -> None:
    """Whatever the history, the chosen coefficients are among those tried, the stack's
    precision on the validation months is at least each tier's alone, and the same
    history in another order gives the same stack and the same draft, byte for byte."""
    shipments, outcomes, split = _small_history(seed, risky_codes, combos)
    result = suggest(shipments, outcomes, split=split, combinations=True)
    stack = result.stack
    assert stack is not None
    assert set(stack.coefficients) == set(TIERS)
    assert all(c in COEFFICIENTS for c in stack.coefficients.values())
    if stack.inner_split is not None:
        assert stack.precision["stack"] >= max(stack.precision[t] for t in TIERS)
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
