"""suggest's candidates from trader identifiers, declaration-level fields and custom
(``x_``) columns, and the HS6 code x tax type combination."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from riskprofile.evaluation import Outcome
from riskprofile.evaluation._suggest import suggest
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import load_profiles, run_examples
from riskprofile.scoring import score

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPLIT = dt.date(2026, 3, 2)


def _history(seed: int) -> tuple[list[Shipment], list[Outcome], dict[str, Any]]:
    """2,400 inspected declarations over 90 days, findings at 8 %, with importer
    identifiers, declarants, customs offices, tax types and a custom column
    ``x_channel``. Planted: importer ``PK0000042`` (under a different name each time)
    found in 70 % of its declarations; channel ``COURIER-7`` in 60 %; and HS6 code
    851713 declared under tax type ``RD`` found every time, under ``CD`` never (the
    code alone and the tax type alone stay near the base rate)."""
    rng = random.Random(seed)
    codes = ["851713", "620342", "870899", "940360", "392690", "847130", "640399", "090111"]
    shipments: list[Shipment] = []
    outcomes: list[Outcome] = []
    for n in range(2400):
        code = rng.choice(codes)
        tax = rng.choice(["CD", "RD", "ST"])
        importer = "PK0000042" if rng.random() < 0.03 else f"PK{rng.randint(1, 400):07d}"
        channel = "COURIER-7" if rng.random() < 0.03 else rng.choice(["POST", "CARGO", "EXPRESS"])
        rate = 0.08
        if importer == "PK0000042":
            rate = 0.7
        elif channel == "COURIER-7":
            rate = 0.6
        elif code == "851713":
            rate = 1.0 if tax == "RD" else (0.0 if tax == "CD" else 0.08)
        bl = f"D{n:05d}"
        shipments.append(
            Shipment(
                shipment_id=f"DECL/{bl}/-", manifest_ref="DECL", bl_number=bl,
                arrival=START + dt.timedelta(days=n * 90 // 2400),
                hs_codes=[code + "00"], hs_subheadings=[code], hs_headings=[code[:4]],
                hs_chapters=[code[:2]], origin_countries=["CN"], port_of_loading="CNSHA",
                consignee_identifier=importer,
                consignee_name=f"TRADER {rng.randint(1, 5000)}",
                declarant_name=f"AGENCY {rng.randint(1, 30)}",
                customs_office=rng.choice(["KAPE", "KPPI", "LHPR"]), tax_type=tax,
                x_channel=channel,
            )
        )  # fmt: skip
        outcomes.append(Outcome(bl, inspected=True, finding=rng.random() < rate))
    return shipments, outcomes, {}


def test_trader_identifiers_and_custom_columns_are_candidates(tmp_path: Path) -> None:
    """The importer found again and again under other names is kept by its identifier,
    the custom column's risky value is kept, the draft declares the custom field under
    requires: extra:, loads, its examples pass, and it flags their declarations after
    the split."""
    shipments, outcomes, _ = _history(5)
    result = suggest(shipments, outcomes, split=SPLIT)
    kept = {(c.kind, c.value) for c in result.kept}
    assert ("consignee_identifier", "PK0000042") in kept
    assert ("x_channel", "COURIER-7") in kept
    assert not any(kind in {"customs_office", "declarant_name"} for kind, _ in kept)
    files = result.files("draft.yaml")
    assert "requires:\n  extra:\n    channel: text\n" in files["draft.yaml"]
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    profiles = load_profiles(tmp_path / "draft.yaml")
    examples = run_examples(profiles)
    assert examples
    assert all(o.passed for o in examples), [str(o) for o in examples if not o.passed]
    later = [
        s
        for s in shipments
        if s.arrival is not None
        and s.arrival.date() >= SPLIT
        and (s.consignee_identifier == "PK0000042" or s.model_extra == {"x_channel": "COURIER-7"})
    ]
    assert later
    run = score(later, profiles, as_of=SPLIT, include_drafts=True)
    assert all(c.score > 0 for c in run.containers)


def test_a_planted_hs6_by_tax_type_pattern_is_recovered(tmp_path: Path) -> None:
    """HS6 851713 under tax type RD, always found: the combination is kept at a high
    weight, 851713 under CD (never found) is not, and the draft flags 851713 under RD
    after the split but not 851713 under CD."""
    shipments, outcomes, _ = _history(6)
    result = suggest(shipments, outcomes, split=SPLIT, combinations=True)
    found = {c.value: c for c in result.candidates if c.kind == "code_tax_type"}
    assert found["851713:RD"].kept
    assert "851713:CD" not in found or not found["851713:CD"].kept
    rd = found["851713:RD"].train
    assert rd.findings >= 0.9 * rd.units  # a few are the planted importer or channel
    for name, text in result.files("draft.yaml").items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    profiles = load_profiles(tmp_path / "draft.yaml")
    examples = run_examples(profiles)
    assert all(o.passed for o in examples), [str(o) for o in examples if not o.passed]
    later = [
        s
        for s in shipments
        if s.arrival is not None and s.arrival.date() >= SPLIT and s.hs_subheadings == ["851713"]
    ]
    run = score(later, profiles, as_of=SPLIT, include_drafts=True)
    by_tax = {s.shipment_id: s.tax_type for s in later}
    hits = {
        by_tax[r.shipment.shipment_id]
        for c in run.containers
        for r in c.shipments
        if any(h.indicator_id.startswith("code-tax-type") for h in r.hits)
    }
    assert hits == {"RD"}
