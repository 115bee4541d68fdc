"""A seeded synthetic history with planted patterns that only history can find, found by
the example profile that uses history fields (examples/history/history.yaml).

Sixty days of traffic go into the store with the outcomes of their inspections; the
next thirty days are scored against it. The batch alone cannot tell the planted
fraudulent importer (renamed between its shipments: ``(PRIVATE) LIMITED`` becomes
``Pvt. Ltd.``, and no identifier to go by) from anyone else, nor how long the shipper
that appeared mid-period has been around; the history fields can.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from riskprofile.history import open_store, trader_name
from riskprofile.model.frame import shipment_frame
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score
from riskprofile.synth import generate_history

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # generates 90 days of traffic (about 10 s)


def _strip_identifier(s: Shipment, name: str) -> Shipment:
    return s.model_copy(update={"consignee_identifier": None}) if s.consignee_name == name else s


@pytest.fixture(scope="module")
def scored() -> dict[str, Any]:
    history = generate_history(1, days=90, containers_per_day=80)
    split = dt.datetime.combine(history.start + dt.timedelta(days=60), dt.time(), tzinfo=dt.UTC)
    trader = history.pattern("trader").value
    assert trader == "NATIONAL IMPEX (PRIVATE) LIMITED"
    shipments = [_strip_identifier(s, trader) for s in history.shipments]
    before = [s for s in shipments if s.arrival is not None and s.arrival < split]
    after = [
        s.model_copy(update={"consignee_name": "National Impex Pvt. Ltd."})
        if s.consignee_name == trader
        else s
        for s in shipments
        if s.arrival is not None and s.arrival >= split
    ]
    known = [o for o in history.outcomes if o.date is not None and o.date < split.date()]
    profiles = load_profiles(ROOT / "examples" / "history")
    with open_store(":memory:") as store:
        store.add(shipment_frame(before), known, as_of=split)
        run = score(after, profiles, as_of=split, history=store)
        rowwise = score(after, profiles, as_of=split, history=store, engine="rowwise")
    hits: dict[str, set[str]] = {}
    for result in run.shipments:
        for hit in result.hits:
            hits.setdefault(hit.indicator_id, set()).add(result.shipment_id)
    return {"run": run, "rowwise": rowwise, "after": after, "hits": hits, "before": before,
            "split": split, "drift": history.pattern("drift").value}  # fmt: skip


def _share(scored: dict[str, Any], indicator: str, carries: Any) -> tuple[float, float]:
    """The share of the shipments that carry the pattern hit by ``indicator``, and the
    share of the others."""
    hit = scored["hits"].get(indicator, set())
    inside = [s.shipment_id in hit for s in scored["after"] if carries(s)]
    outside = [s.shipment_id in hit for s in scored["after"] if not carries(s)]
    assert inside, "the pattern is in the scored period"
    return sum(inside) / len(inside), sum(outside) / len(outside)


def test_the_renamed_importer_with_a_record_of_findings_is_found(scored: dict[str, Any]) -> None:
    planted, others = _share(
        scored, "known-offender", lambda s: trader_name(s.consignee_name) == "NATIONAL IMPEX"
    )
    assert planted == 1.0
    assert others < 0.05


def test_the_shipper_that_appeared_mid_period_is_known_for_what_it_is(
    scored: dict[str, Any],
) -> None:
    """The drift shipper appears after mid-period (day 45 of 90): at the split (day 60)
    its history is at most two weeks old, which the batch alone cannot say."""
    drifted = [r.shipment for r in scored["run"].shipments
               if r.shipment.shipper_name == scored["drift"]]  # fmt: skip
    assert drifted
    first = min(s.arrival for s in scored["before"] if s.shipper_name == scored["drift"])
    days = (scored["split"] - first) // dt.timedelta(days=1)
    assert 0 < days <= 15
    assert {s.shipper_first_seen_days for s in drifted} == {days}
    assert all(s.shipper_prior_shipments for s in drifted)
    hit = scored["hits"]["new-shipper"]
    assert all(s.shipment_id in hit for s in drifted)


def test_both_engines_agree_on_the_history_run(scored: dict[str, Any]) -> None:
    assert scored["run"] == scored["rowwise"]
