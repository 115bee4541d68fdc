"""A seeded synthetic history with planted patterns that only history can find, found by
the example profile that uses history fields (examples/history/history.yaml).

Sixty days of traffic go into the store with the outcomes of their inspections; the
next thirty days are scored against it. From day 60 on the generator plants the
patterns only history finds (``history_patterns=True``): an importer with a record of
findings that now spells its name differently and gives no identifier, a known shipper's
consignee nobody has seen, a known pair loading at a new port, an HS6 code and origin
declared far below its norm. The batch alone cannot tell any of them from anyone else
(scored without the store, no history indicator fires); the history fields can, on
DuckDB and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from riskprofile.history import open_store
from riskprofile.model.frame import shipment_frame
from riskprofile.model.shipment import HISTORY_FIELDS, Shipment
from riskprofile.profiles import load_profiles
from riskprofile.rules import unit_key
from riskprofile.scoring import score
from riskprofile.synth import generate_history

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # generates 90 days of traffic (about 20 s)


@pytest.fixture(scope="module")
def scored() -> dict[str, Any]:
    history = generate_history(1, days=90, containers_per_day=80, history_patterns=True)
    patterns = {p.name: p for p in history.patterns}
    split = dt.datetime.combine(patterns["renamed"].start, dt.time(), tzinfo=dt.UTC)
    assert split.date() == history.start + dt.timedelta(days=60)
    before = [s for s in history.shipments if s.arrival is not None and s.arrival < split]
    after = [s for s in history.shipments if s.arrival is not None and s.arrival >= split]
    known = [o for o in history.outcomes if o.date is not None and o.date < split.date()]
    profiles = load_profiles(ROOT / "examples" / "history")
    with open_store(":memory:") as store:
        store.add(shipment_frame(before), known, as_of=split)
        run = score(after, profiles, as_of=split, history=store)
        rowwise = score(after, profiles, as_of=split, history=store, engine="rowwise")
        features = store.features(shipment_frame(after), split)
    hits: dict[str, set[str]] = {}
    for result in run.shipments:
        for hit in result.hits:
            hits.setdefault(hit.indicator_id, set()).add(result.shipment_id)
    blind = score(after, profiles, as_of=split)
    return {"run": run, "rowwise": rowwise, "after": after, "hits": hits, "before": before,
            "known": known, "split": split, "patterns": patterns, "history": history,
            "features": features, "blind": blind, "drift": patterns["drift"].value}  # fmt: skip


def _carriers(scored: dict[str, Any]) -> dict[str, Callable[[Shipment], bool]]:
    """The shipments that carry each pattern only history finds."""
    patterns, planted = scored["patterns"], scored["history"].planted_units
    pair, port = patterns["route_change"].value.rsplit("@", 1)
    shipper, consignee = pair.split(">", 1)
    hs6, origin = patterns["undervalued_hs6"].value.split(":")
    return {
        "renamed": lambda s: s.consignee_name == patterns["renamed"].value.upper(),
        "new_consignee": lambda s: s.consignee_name == patterns["new_consignee"].value,
        "route_change": lambda s: (s.shipper_name, s.consignee_name, s.port_of_loading)
        == (shipper, consignee, port),
        "undervalued_hs6": lambda s: "undervalued_hs6" in planted.get(unit_key(s), ())
        and s.hs_subheadings[:1] == [hs6] and s.origin_countries[:1] == [origin],
    }  # fmt: skip


def _share(scored: dict[str, Any], indicator: str, carries: Any) -> tuple[float, float]:
    """The share of the shipments that carry the pattern hit by ``indicator``, and the
    share of the others."""
    hit = scored["hits"].get(indicator, set())
    inside = [s.shipment_id in hit for s in scored["after"] if carries(s)]
    outside = [s.shipment_id in hit for s in scored["after"] if not carries(s)]
    assert inside, "the pattern is in the scored period"
    return sum(inside) / len(inside), sum(outside) / len(outside)


@pytest.mark.parametrize(
    ("pattern", "indicator", "found", "others"),
    [
        ("renamed", "renamed-offender", 1.0, 0.01),
        ("renamed", "known-offender", 1.0, 0.05),
        ("new_consignee", "known-shipper-unknown-consignee", 1.0, 0.05),
        ("route_change", "route-change", 1.0, 0.01),
        ("undervalued_hs6", "undervalued-against-norm", 0.75, 0.03),
    ],
)
def test_each_pattern_only_history_finds_is_found(
    scored: dict[str, Any], pattern: str, indicator: str, found: float, others: float
) -> None:
    planted, rest = _share(scored, indicator, _carriers(scored)[pattern])
    assert planted >= found
    assert rest < others


def test_without_the_store_no_history_indicator_fires(scored: dict[str, Any]) -> None:
    """What the planted patterns look like in the batch alone: nothing."""
    assert not any(result.hits for result in scored["blind"].shipments)


def test_the_renamed_importer_is_resolved_and_says_how(scored: dict[str, Any]) -> None:
    renamed = _carriers(scored)["renamed"]
    results = [r for r in scored["run"].shipments if renamed(r.shipment)]
    assert results
    for result in results:
        assert result.shipment.consignee_identifier is None
        [hit] = [h for h in result.hits if h.indicator_id == "renamed-offender"]
        assert hit.explanation.startswith(
            f"matched {scored['patterns']['renamed'].value.upper()} as "
        )
        assert "score" in hit.explanation


def test_duckdb_and_postgresql_give_the_same_features_of_the_planted_history(
    scored: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    from tests.history.conftest import fresh_schema_dsn, server_dsn

    with open_store(fresh_schema_dsn(server_dsn(request))) as store:
        store.add(shipment_frame(scored["before"]), scored["known"], as_of=scored["split"])
        server = store.features(shipment_frame(scored["after"]), scored["split"])
    assert server.columns == list(HISTORY_FIELDS)
    assert server.to_dicts() == scored["features"].to_dicts()


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
