"""The port day with planted high-risk cases: determinism, counts, ground truth that
matches the manifests, cases that combine several indicators, a batch otherwise exactly
as the plain generator writes it, and lenient validation that never rejects."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import read_batch
from riskprofile.cli import main
from riskprofile.model import Manifest, Shipment, flatten
from riskprofile.synth import (
    SCENARIOS,
    PlantedCase,
    PortDay,
    generate_manifests,
    generate_port_day,
    read_planted,
    write_planted,
)
from tests.depth import depth

SCENARIO_NAMES = {s.name for s in SCENARIOS}
VAGUE = ("GENERAL CARGO", "FAK", "SAID TO CONTAIN", "SPARE PARTS", "PARTS", "FOODSTUFF",
         "HOUSEHOLD GOODS", "MIXED GOODS", "CHEMICAL", "BUILDING MATERIAL", "STONE",
         "TILES", "FOOD ITEMS", "ASSORTED", "ACCESSORIES", "GOODS")  # fmt: skip
SOURCE_PORTS = {"ECGYE", "COBUN", "PAMIT", "IRBND", "KEMBA", "NGAPP", "TGLFW"}


@pytest.fixture(scope="module")
def day() -> PortDay:
    """The default day: 5,000 containers at Karachi."""
    return generate_port_day(2026)


@pytest.fixture(scope="module")
def plain() -> list[Manifest]:
    """The same day without planted cases, from the plain generator."""
    return list(generate_manifests(2026, 5000))


@pytest.fixture(scope="module")
def shipments(day: PortDay) -> list[Shipment]:
    return [s for m in day.manifests for s in flatten(m)]


def _planted_shipments(day: PortDay, shipments: list[Shipment]) -> dict[PlantedCase, Shipment]:
    found = {}
    for case in day.planted:
        (match,) = [
            s
            for s in shipments
            if s.container_number == case.container_number and s.bl_number == case.bl_number
        ]
        found[case] = match
    return found


# --- determinism ---------------------------------------------------------------------------


def _digest(day: PortDay) -> str:
    text = json.dumps(
        [m.model_dump(mode="json") for m in day.manifests]
        + [[c.container_number, c.bl_number, c.scenario, c.description] for c in day.planted]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_same_seed_gives_the_same_day() -> None:
    one = generate_port_day(11, 1200)
    two = generate_port_day(11, 1200)
    assert one.planted == two.planted
    assert _digest(one) == _digest(two)


def test_different_seeds_plant_different_cases() -> None:
    assert generate_port_day(1, 1000).planted != generate_port_day(2, 1000).planted


_DIGEST = (
    "import hashlib, json; from riskprofile.synth import generate_port_day; "
    "day = generate_port_day(5, 1500); "
    "text = json.dumps([m.model_dump(mode='json') for m in day.manifests] "
    "+ [[c.container_number, c.bl_number, c.scenario, c.description] for c in day.planted]); "
    "print(hashlib.sha256(text.encode()).hexdigest())"
)


def test_the_day_does_not_depend_on_the_process() -> None:
    here = _digest(generate_port_day(5, 1500))
    env = {**os.environ, "PYTHONHASHSEED": "977"}
    there = subprocess.run(
        [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert there == here


# --- counts --------------------------------------------------------------------------------


def test_one_case_per_125_containers_by_default(day: PortDay) -> None:
    assert len(day.planted) == 40
    assert len(generate_port_day(2026, 250).planted) == 2
    assert len(generate_port_day(2026, 60).planted) == 1


def test_the_default_day_follows_the_scenario_shares(day: PortDay) -> None:
    counts = Counter(case.scenario for case in day.planted)
    assert set(counts) == SCENARIO_NAMES
    total = sum(s.weight for s in SCENARIOS)
    for s in SCENARIOS:
        # Shares are exact unless the day's calls cannot bring a scenario in.
        assert abs(counts[s.name] - 40 * s.weight / total) <= 2, s.name


def test_the_planted_count_can_be_chosen() -> None:
    assert len(generate_port_day(7, 800, planted=15).planted) == 15
    assert generate_port_day(7, 800, planted=0).planted == ()


def test_impossible_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        generate_port_day(7, 300, planted=-1)
    with pytest.raises(ValueError, match="cannot plant"):
        generate_port_day(7, 300, planted=300)
    with pytest.raises(ValueError, match="empty day"):
        generate_port_day(7, 0, planted=1)
    assert generate_port_day(7, 0).planted == ()


def test_the_day_keeps_the_number_of_containers(day: PortDay, plain: list[Manifest]) -> None:
    def numbers(manifests: list[Manifest]) -> int:
        return len({s.container_number for m in manifests for s in flatten(m)})

    assert numbers(day.manifests) == numbers(plain)
    assert [len(m.containers) for m in day.manifests] == [len(m.containers) for m in plain]


# --- the ground truth matches the manifests ------------------------------------------------


def test_every_planted_case_is_in_the_manifests(day: PortDay, shipments: list[Shipment]) -> None:
    found = _planted_shipments(day, shipments)
    assert len(found) == len(day.planted)
    assert len(day.planted_containers) == len(day.planted)  # one case per container
    for case, shipment in found.items():
        assert case.scenario in SCENARIO_NAMES
        assert case.description
        assert shipment.container_declared
        assert shipment.container_full is True


def test_planted_cases_are_otherwise_clean(day: PortDay, shipments: list[Shipment]) -> None:
    for case, s in _planted_shipments(day, shipments).items():
        expected = (
            ["container_number:check_digit"] if case.scenario == "fictitious_container" else []
        )
        assert s.quality_flags == expected, case
        assert s.days_bl_to_arrival is not None
        assert 3 <= s.days_bl_to_arrival <= 70, case
        assert s.goods_gross_weight_kg is not None
        assert 1000 < s.goods_gross_weight_kg < 30_000, case
        if case.scenario != "undeclared_weight":
            assert s.cargo_mass_gap_kg is not None
            assert 0 <= s.cargo_mass_gap_kg < 2000, case


def test_write_and_read_planted(tmp_path: Path, day: PortDay) -> None:
    path = tmp_path / "day.planted.csv"
    assert write_planted(day.planted, path) == 40
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        "container_number,bl_number,scenario,description"
    )
    assert read_planted(path) == day.planted
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a planted-cases file"):
        read_planted(other)


# --- cases combine several indicators ------------------------------------------------------


def _is_new(name: str | None, shipments: list[Shipment]) -> bool:
    """A consignee no other B/L of the day names: first seen."""
    return (
        name is not None and len({s.bl_number for s in shipments if s.consignee_name == name}) == 1
    )


def _signals(s: Shipment, shipments: list[Shipment]) -> set[str]:
    """The indicators of the domain primer a shipment shows."""
    found = set()
    description = s.description or ""
    if any(word in description for word in VAGUE):
        found.add("vague description")
    if {s.port_of_loading, *s.transshipment_ports} & SOURCE_PORTS:
        found.add("source or transit port")
    if set(s.origin_countries) & {"AF", "IR"}:
        found.add("source origin")
    sensitive = ("0803", "6802", "6907", "1006", "2915", "2939", "2921", "6404", "6402",
                 "4202", "8517", "8471", "3915", "0801", "8479")  # fmt: skip
    if any(h[:4] in sensitive for h in s.hs_headings):
        found.add("sensitive HS code")
    if s.value_per_kg is not None and s.value_per_kg < 6 and s.hs_chapters[:1] in (["85"], ["84"]):
        found.add("value per kg far too low")
    if (
        s.value_per_kg is not None
        and s.value_per_kg < 2
        and s.hs_chapters[:1]
        in (
            ["64"],
            ["42"],
        )
    ):
        found.add("value per kg far too low")
    if s.cargo_mass_gap_kg is not None and s.cargo_mass_gap_kg > 3000:
        found.add("weight gap")
    if s.sealer_types == ["shipper"] or s.seal_count == 0:
        found.add("unexpected sealer or no seal")
    if s.container_number_valid is False:
        found.add("invalid container number")
    if s.container_type in ("reefer", "open_top", "platform", "tank"):
        found.add("concealment-prone equipment")
    consignee = s.consignee_name or ""
    if consignee.startswith("TO ORDER"):
        found.add("to order")
    elif _is_new(s.consignee_name, shipments):
        found.add("new consignee")
    if "P.O. BOX" in (s.consignee_address or ""):
        found.add("P.O. box")
    if s.freight_payer_role == "third_party":
        found.add("third-party payer")
    if s.place_of_delivery == "AFKBL":
        found.add("transit to Afghanistan")
    return found


def test_every_case_combines_several_indicators(day: PortDay, shipments: list[Shipment]) -> None:
    for case, s in _planted_shipments(day, shipments).items():
        signals = _signals(s, shipments)
        assert len(signals) >= 3, (case, signals)


def test_scenarios_carry_their_own_signals(day: PortDay, shipments: list[Shipment]) -> None:
    for case, s in _planted_shipments(day, shipments).items():
        signals = _signals(s, shipments)
        name = case.scenario
        if name == "cocaine_reefer":
            assert s.container_type == "reefer"
            assert s.port_of_loading in ("ECGYE", "COBUN")
            assert s.transshipment_ports[0] == "PAMIT"
            assert s.hs_headings == ["0803"]
            assert s.freight_terms == "collect"
            assert s.freight_payer_role == "third_party"
            assert s.sealer_types == ["shipper"]
            assert {"to order", "new consignee"} & signals
        elif name == "heroin_southern_route":
            assert s.port_of_loading in ("IRBND", "AEJEA")
            assert set(s.origin_countries) <= {"AF", "IR"}
            assert s.hs_headings[0] in ("6802", "6907", "1006")
            assert "vague description" in signals
            assert "new consignee" in signals
        elif name == "precursor_transit":
            assert s.place_of_delivery == "AFKBL"
            assert s.consignee_country == "AF"
            assert s.hs_chapters == ["29"]
            assert s.freight_payer_role == "third_party"
        elif name == "counterfeit_lcl":
            assert s.origin_countries == ["CN"]
            assert s.hs_headings[0] in ("6404", "6402", "4202")
            assert s.value_per_kg is not None
            assert s.value_per_kg < 2
            assert s.port_of_loading in ("AEJEA", "CNSHA", "CNNGB", "CNYTN", "CNTAO", "CNXMN",
                                         "CNTXG")  # fmt: skip
        elif name == "undervalued_electronics":
            assert s.hs_headings[0] in ("8517", "8471")
            assert s.value_per_kg is not None
            assert s.value_per_kg < 6
            assert s.freight_payer_role == "third_party"
        elif name == "wildlife_concealment":
            assert s.port_of_loading in ("KEMBA", "NGAPP")
            assert s.hs_subheadings[0] in ("391590", "080131")
        elif name == "firearms_parts":
            assert s.hs_subheadings == ["847990"]
            assert "PARTS" in (s.description or "")
            assert "new consignee" in signals
        elif name == "undeclared_weight":
            assert "weight gap" in signals
        else:
            assert name == "fictitious_container"
            assert s.container_number_valid is False
            assert "P.O. BOX" in (s.consignee_address or "")


def test_counterfeits_travel_lcl_when_the_day_has_a_consolidation(
    day: PortDay, shipments: list[Shipment]
) -> None:
    found = _planted_shipments(day, shipments)
    lcl = [s.is_lcl for case, s in found.items() if case.scenario == "counterfeit_lcl"]
    assert lcl
    assert all(lcl)


def test_cases_keep_their_vessel_call(
    day: PortDay, plain: list[Manifest], shipments: list[Shipment]
) -> None:
    # A planted B/L stays where its goods joined the vessel: a port the vessel calls.
    calls = {
        m.reference: {(c.transshipment_ports or [c.port_of_loading])[-1] for c in m.consignments}
        for m in plain
    }
    for _, s in _planted_shipments(day, shipments).items():
        boarding = (s.transshipment_ports or [s.port_of_loading])[-1]
        assert boarding in calls[s.manifest_ref]


# --- the rest of the day is the plain generator's ------------------------------------------


def test_the_rest_of_the_day_is_exactly_the_plain_batch(
    day: PortDay, plain: list[Manifest]
) -> None:
    planted_bls = {case.bl_number for case in day.planted}
    planted_boxes = day.planted_containers
    assert len(day.manifests) == len(plain)
    changed_bls = changed_boxes = 0
    for ours, theirs in zip(day.manifests, plain, strict=True):
        head = {"consignments", "containers"}
        assert ours.model_dump(exclude=head) == theirs.model_dump(exclude=head)
        assert len(ours.consignments) == len(theirs.consignments)
        for a, b in zip(ours.consignments, theirs.consignments, strict=True):
            if a != b:
                assert a.bl_number in planted_bls
                changed_bls += 1
        for x, y in zip(ours.containers, theirs.containers, strict=True):
            if x != y:
                assert x.number in planted_boxes
                changed_boxes += 1
    assert changed_bls == len(day.planted)
    assert 0 < changed_boxes <= len(day.planted)


def test_no_planted_cases_means_the_plain_batch() -> None:
    assert generate_port_day(3, 700, planted=0).manifests == list(generate_manifests(3, 700))


# --- validation ----------------------------------------------------------------------------


@settings(max_examples=depth(8), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**63),
    containers=st.integers(min_value=200, max_value=1500),
    defect_rate=st.sampled_from([0.0, 0.02, 0.2]),
    port=st.sampled_from(["PKKHI", "PKBQM"]),
)
def test_any_day_plants_every_case_and_validates(
    seed: int, containers: int, defect_rate: float, port: str
) -> None:
    day = generate_port_day(seed, containers, port_of_call=port, defect_rate=defect_rate)
    assert len(day.planted) == round(containers / 125)
    shipments = [s for m in day.manifests for s in flatten(m)]
    pairs = {(s.container_number, s.bl_number) for s in shipments}
    for case in day.planted:
        assert (case.container_number, case.bl_number) in pairs


def test_the_written_day_reads_without_rejections(tmp_path: Path) -> None:
    out = tmp_path / "day.csv"
    assert main(["data", "generate", "--port-day", "--planted", "12", "--containers",
                 "900", "--seed", "4", "-o", str(out)]) == 0  # fmt: skip
    truth = read_planted(tmp_path / "day.planted.csv")
    assert len(truth) == 12
    batch = read_batch(out, strictness="lenient")
    assert batch.rejected == []
    assert batch.records_accepted == batch.records_read
    pairs = {(s.container_number, s.bl_number) for s in batch.shipments}
    assert {(c.container_number, c.bl_number) for c in truth} <= pairs


def test_planted_needs_port_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "day.csv"
    assert main(["data", "generate", "--planted", "3", "-o", str(out)]) == 2
    assert "--planted needs --port-day" in capsys.readouterr().err
    assert not out.exists()
