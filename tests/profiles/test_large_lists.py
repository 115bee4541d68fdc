"""A watch list as large as an official sanctions list costs the row-wise engine no more
per shipment than a small one: rule-engine worked out the type of `$name` and of the
container of `x in $name` member by member on every evaluation (30,000 steps per
shipment and reference for 30,000 names)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from rule_engine.types import DataType

from riskprofile.model import Shipment
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score

PROFILE = """\
id: t.large
version: 1
title: Large list
category: other
owner: PCU Karachi
lists:
  names: {file: names.csv}
indicators:
  - id: party
    title: Party
    when: consignee_name in $names or shipper_name in $names
    weight: 10
  - id: not-listed
    title: Not listed
    when: not (notify_name in $names)
    weight: 1
"""


def test_a_large_list_is_not_type_checked_per_shipment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"TRADER {i}" for i in range(5000)]
    (tmp_path / "names.csv").write_text("value\n" + "\n".join(names) + "\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    original = DataType.from_value.__func__
    large: list[int] = []

    def counting(cls: Any, value: Any) -> Any:
        if isinstance(value, set | frozenset) and len(value) >= 5000:
            large.append(len(value))
        return original(cls, value)

    monkeypatch.setattr(DataType, "from_value", classmethod(counting))
    shipments = [
        Shipment(shipment_id=str(i), consignee_name=f"TRADER {i * 7}", notify_name="NOBODY")
        for i in range(800)
    ]
    run = score(shipments, profiles, as_of=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
                engine="rowwise")  # fmt: skip
    hits = {s.shipment_id: sorted(h.indicator_id for h in s.hits) for s in run.shipments}
    assert hits["1"] == ["not-listed", "party"]  # TRADER 7 is listed
    assert hits["799"] == ["not-listed"]  # TRADER 5593 is not
    # once per `$names` node of the compiled conditions, not once per shipment
    assert 0 < len(large) <= 3
