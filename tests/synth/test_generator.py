"""The synthetic manifest generator: determinism, exact counts, validity in both modes,
planted defects at the requested rate, LCL share, and realistic reference data."""

from __future__ import annotations

import doctest
import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from stdnum import imo as stdnum_imo
from stdnum import iso6346

import riskprofile.synth
from riskprofile.model import LENIENT, STRICT, Manifest, QualityFlag, flatten
from riskprofile.model.codes import (
    container_number_problem,
    describe_size_type,
    hs_code_problem,
    imo_problem,
    locode_problem,
)
from riskprofile.synth import (
    DEFAULT_START,
    _commodities,
    _generator,
    _reference,
    _traders,
    generate_manifest_documents,
    generate_manifests,
)
from riskprofile.synth._defects import (
    CONSIGNMENT_DEFECTS,
    CONTAINER_DEFECTS,
    GOODS_DEFECTS,
    MANIFEST_DEFECTS,
    Defect,
)
from tests.depth import depth

Doc = dict[str, Any]

# Each example generates (and mostly validates) a few hundred containers.
synth_settings = settings(
    max_examples=depth(15), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
seeds = st.integers(min_value=0, max_value=2**63)


def _numbers(docs: Iterable[Doc]) -> set[str]:
    """Every container number a batch mentions: equipment, B/Ls and goods lines."""
    found: set[str] = set()
    for doc in docs:
        found.update(box["number"] for box in doc["containers"])
        for bl in doc["consignments"]:
            found.update(bl["container_numbers"])
            found.update(g["container_number"] for g in bl["goods"] if g["container_number"])
    return found


def _all_flags(model: BaseModel) -> list[QualityFlag]:
    flags = list(getattr(model, "quality_flags", []))
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, BaseModel) and not isinstance(item, QualityFlag):
                flags.extend(_all_flags(item))
    return flags


@pytest.fixture(scope="module")
def clean() -> list[Doc]:
    """A Karachi batch without planted defects."""
    return list(generate_manifest_documents(101, 3000, defect_rate=0))


@pytest.fixture(scope="module")
def dirty() -> list[Manifest]:
    """A Karachi batch with a high defect rate, validated leniently."""
    return list(generate_manifests(202, 5000, defect_rate=0.1))


# --- determinism ---------------------------------------------------------------------------


def test_same_arguments_give_the_same_bytes() -> None:
    first = json.dumps(list(generate_manifest_documents(7, 900, defect_rate=0.05)))
    second = json.dumps(list(generate_manifest_documents(7, 900, defect_rate=0.05)))
    assert first == second


_DIGEST = (
    "import hashlib, json; from riskprofile.synth import generate_manifest_documents; "
    "docs = list(generate_manifest_documents(3, 1500, defect_rate=0.1)); "
    "print(hashlib.sha256(json.dumps(docs).encode()).hexdigest())"
)


def test_output_does_not_depend_on_the_process() -> None:
    # String hashing is salted per process: a generator that leaned on set order, hash()
    # or id() would give other bytes in another interpreter.
    docs = list(generate_manifest_documents(3, 1500, defect_rate=0.1))
    here = hashlib.sha256(json.dumps(docs).encode()).hexdigest()
    for salt in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": salt}
        there = subprocess.run(
            [sys.executable, "-c", _DIGEST], env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        assert there == here


def test_different_seeds_give_different_documents() -> None:
    one = json.dumps(list(generate_manifest_documents(1, 400)))
    two = json.dumps(list(generate_manifest_documents(2, 400)))
    assert one != two


def test_defect_rate_changes_only_the_defects() -> None:
    plain = list(generate_manifest_documents(5, 700, defect_rate=0))
    spoiled = list(generate_manifest_documents(5, 700, defect_rate=0.3))
    assert len(plain) == len(spoiled)
    for a, b in zip(plain, spoiled, strict=True):
        assert (a["vessel_name"], a["arrival"]) == (b["vessel_name"], b["arrival"])
        assert len(a["consignments"]) == len(b["consignments"])
        assert [c["port_of_discharge"] for c in a["consignments"]] == [
            c["port_of_discharge"] for c in b["consignments"]
        ]


def test_documents_are_plain_json() -> None:
    docs = list(generate_manifest_documents(3, 300))
    assert json.loads(json.dumps(docs)) == docs


# --- counts --------------------------------------------------------------------------------


@synth_settings
@given(seed=seeds, containers=st.integers(min_value=0, max_value=2600))
def test_the_container_count_is_exact(seed: int, containers: int) -> None:
    docs = list(generate_manifest_documents(seed, containers, defect_rate=0.05))
    assert len(_numbers(docs)) == containers
    if containers == 0:
        assert docs == []
    for doc in docs:
        named = {n for bl in doc["consignments"] for n in bl["container_numbers"]}
        named |= {box["number"] for box in doc["containers"]}
        # Vessel calls carry 200 to 2,000 containers, fewer only for a tiny batch.
        assert len(named) <= 2000
        assert len(named) >= 200 or len(docs) == 1


def test_calls_arrive_in_order_from_the_start() -> None:
    docs = list(generate_manifest_documents(9, 12000))
    arrivals = [datetime.fromisoformat(d["arrival"]) for d in docs]
    assert arrivals == sorted(arrivals)
    assert DEFAULT_START <= arrivals[0] < DEFAULT_START + timedelta(hours=3)
    assert all(a.tzinfo is not None and a.utcoffset() == timedelta(0) for a in arrivals)
    # About 5,000 containers a day.
    assert timedelta(days=1) < arrivals[-1] - arrivals[0] < timedelta(days=4)


def test_start_is_taken_as_utc() -> None:
    naive = list(generate_manifest_documents(4, 300, start=datetime(2027, 3, 1, 12)))
    karachi = timezone(timedelta(hours=5))
    aware = list(
        generate_manifest_documents(4, 300, start=datetime(2027, 3, 1, 17, tzinfo=karachi))
    )
    assert naive == aware
    assert naive[0]["arrival"].startswith("2027-03-01T1")


# --- validity ------------------------------------------------------------------------------


@synth_settings
@given(
    seed=seeds,
    containers=st.integers(min_value=1, max_value=500),
    defect_rate=st.floats(min_value=0, max_value=1),
    lcl_share=st.floats(min_value=0, max_value=1),
)
def test_every_document_validates_leniently(
    seed: int, containers: int, defect_rate: float, lcl_share: float
) -> None:
    for doc in generate_manifest_documents(
        seed, containers, defect_rate=defect_rate, lcl_share=lcl_share
    ):
        Manifest.model_validate(doc, context=LENIENT)


@synth_settings
@given(
    seed=seeds,
    containers=st.integers(min_value=1, max_value=500),
    lcl_share=st.floats(min_value=0, max_value=1),
    port=st.sampled_from(["PKKHI", "PKBQM", "AEJEA", "IRBND", "SGSIN", "NLRTM", "AFKBL"]),
)
def test_clean_documents_validate_strictly_without_a_flag(
    seed: int, containers: int, lcl_share: float, port: str
) -> None:
    for doc in generate_manifest_documents(
        seed, containers, port_of_call=port, defect_rate=0, lcl_share=lcl_share
    ):
        manifest = Manifest.model_validate(doc, context=STRICT)
        assert _all_flags(manifest) == []


def test_generate_manifests_validates_the_documents() -> None:
    docs = list(generate_manifest_documents(12, 600, defect_rate=0.2))
    models = list(generate_manifests(12, 600, defect_rate=0.2))
    assert models == [Manifest.model_validate(d, context=LENIENT) for d in docs]
    assert any(_all_flags(m) for m in models)


def test_clean_container_numbers_are_valid_unique_and_real(clean: list[Doc]) -> None:
    owners = {
        prefix
        for carrier in _reference.CARRIERS.values()
        for prefix in carrier.prefixes + carrier.reefer_prefixes
    }
    owners |= set(_reference.LEASING_PREFIXES) | set(_reference.LEASING_REEFER_PREFIXES)
    owners |= set(_reference.TANK_PREFIXES)
    records = [box["number"] for doc in clean for box in doc["containers"]]
    assert len(records) == len(set(records))
    for number in _numbers(clean):
        assert container_number_problem(number) is None
        assert number[10] == iso6346.calc_check_digit(number[:10])
        assert number[:4] in owners


def test_clean_vessels_and_codes_conform(clean: list[Doc]) -> None:
    for doc in clean:
        assert imo_problem(doc["vessel_imo"]) is None
        assert stdnum_imo.is_valid(doc["vessel_imo"])
        assert doc["carrier_scac"] in _reference.CARRIERS
        for bl in doc["consignments"]:
            route = [bl["place_of_receipt"], bl["port_of_loading"], *bl["transshipment_ports"]]
            route += [bl["port_of_discharge"], bl["place_of_delivery"]]
            for code in filter(None, route):
                assert code in _reference.PORTS
            for goods in bl["goods"]:
                assert hs_code_problem(goods["hs_code"]) is None
        for box in doc["containers"]:
            assert describe_size_type(box["size_type"]) is not None


def test_clean_weights_add_up(clean: list[Doc]) -> None:
    gaps = []
    for doc in clean:
        for box in doc["containers"]:
            equipment = _commodities.EQUIPMENT[box["size_type"]]
            assert box["tare_kg"] in equipment.tares
            if box["verified_gross_mass_kg"] is not None:
                assert box["tare_kg"] <= box["verified_gross_mass_kg"] <= 36000
        for bl in doc["consignments"]:
            for goods in bl["goods"]:
                assert goods["gross_weight_kg"] > 0
                net = goods["net_weight_kg"]
                assert net is None or 0 < net <= goods["gross_weight_kg"]
                assert goods["packages"] >= 1
        for shipment in flatten(Manifest.model_validate(doc, context=LENIENT)):
            if shipment.cargo_mass_gap_kg is not None:
                gaps.append(shipment.cargo_mass_gap_kg)
    # VGM = goods gross + tare + a little dunnage.
    assert gaps
    assert all(-1 <= gap <= 100 for gap in gaps)


def test_clean_dates_are_plausible(clean: list[Doc]) -> None:
    for doc in clean:
        arrival = datetime.fromisoformat(doc["arrival"]).date()
        for bl in doc["consignments"]:
            days = (arrival - date.fromisoformat(bl["issue_date"])).days
            assert 2 <= days <= 75, (bl["port_of_loading"], bl["transshipment_ports"], days)


def test_clean_values_are_decimal_text_in_iso_currencies(clean: list[Doc]) -> None:
    currencies = Counter()
    for doc in clean:
        for bl in doc["consignments"]:
            for goods in bl["goods"]:
                if goods["value"] is None:
                    continue
                float(goods["value"])
                assert pycountry.currencies.get(alpha_3=goods["currency"]) is not None
                currencies[goods["currency"]] += 1
    assert currencies.most_common(1)[0][0] == "USD"
    assert currencies["USD"] / sum(currencies.values()) > 0.7


# --- structure -----------------------------------------------------------------------------


def test_flattening_covers_every_container_and_bill_of_lading(clean: list[Doc]) -> None:
    for doc in clean:
        shipments = flatten(Manifest.model_validate(doc, context=LENIENT))
        assert {s.bl_number for s in shipments} >= {bl["bl_number"] for bl in doc["consignments"]}
        assert {s.container_number for s in shipments} >= _numbers([doc])
        assert len(shipments) >= max(len(doc["consignments"]), len(_numbers([doc])))


@pytest.mark.parametrize("share", [0.0, 0.15, 0.4])
def test_lcl_containers_come_at_the_requested_share(share: float) -> None:
    docs = list(generate_manifest_documents(31, 4000, defect_rate=0, lcl_share=share))
    per_box: Counter[str] = Counter()
    for doc in docs:
        for bl in doc["consignments"]:
            for number in bl["container_numbers"]:
                per_box[number] += 1
                if per_box[number] > 1:
                    assert bl["master_bl_number"] is not None
    lcl = sum(1 for count in per_box.values() if count > 1)
    assert lcl / 4000 == pytest.approx(share, abs=0.02)
    assert all(count <= 6 for count in per_box.values())


def test_multi_container_bills_attribute_their_goods(clean: list[Doc]) -> None:
    spans = Counter()
    for doc in clean:
        for bl in doc["consignments"]:
            k = len(bl["container_numbers"])
            spans[k] += 1
            if k > 1:
                assert {g["container_number"] for g in bl["goods"]} == set(bl["container_numbers"])
    assert spans[1] > 5 * sum(spans[k] for k in (2, 3, 4, 5))
    assert all(spans[k] for k in (2, 3, 4, 5))
    assert max(spans) <= 5


def test_batch_has_the_odd_cases_real_manifests_have() -> None:
    docs = list(generate_manifest_documents(8, 6000, defect_rate=0))
    models = [Manifest.model_validate(d, context=LENIENT) for d in docs]
    shipments = [s for m in models for s in flatten(m)]
    # Containers no B/L names, B/Ls naming containers with no equipment record, B/Ls
    # without any container.
    assert any(s.bl_number is None for s in shipments)
    assert any(s.container_number and not s.container_declared for s in shipments)
    assert any(s.bl_number and s.container_number is None for s in shipments)
    # Transit to Afghanistan and Central Asia, "to order" bills, third-party payers, AEO
    # traders, forwarders' house bills on full containers, transshipment via hubs.
    places = Counter(s.place_of_delivery for s in shipments)
    assert places["AFKBL"] > places["UZTAS"] > 0
    assert any((s.consignee_name or "").startswith("TO ") for s in shipments)
    forwarders = ("LOGISTICS", "FREIGHT", "CARGO", "SHIPPING")
    assert any(
        s.consignee_country == "PK" and any(w in (s.consignee_name or "") for w in forwarders)
        for s in shipments
    )
    assert any(s.freight_payer_role == "third_party" for s in shipments)
    assert any(s.consignee_aeo for s in shipments)
    assert any(s.is_house_bl and not s.is_lcl for s in shipments)
    hubs = Counter(p for s in shipments for p in s.transshipment_ports)
    assert len(set(hubs) & {"SGSIN", "AEJEA", "LKCMB", "OMSLL", "MYTPP", "PAMIT"}) >= 3
    assert any(len(s.transshipment_ports) >= 2 for s in shipments)
    # Legacy size-type codes, empties, reefers, tanks.
    types = Counter(s.container_size_type for s in shipments)
    assert all(types[code] for code in ("22G1", "45G1", "45R1", "22T1", "2200"))
    assert any(s.container_full is False for s in shipments)
    # A trader recurs: the history indicators need repeat customers.
    consignees = Counter(s.consignee_name for s in shipments if s.consignee_name)
    assert consignees.most_common(1)[0][1] > 20


def test_trade_lanes_make_sense(clean: list[Doc]) -> None:
    origins: dict[str, Counter[str]] = {}
    for doc in clean:
        for bl in doc["consignments"]:
            for goods in bl["goods"]:
                chapter = goods["hs_code"][:4]
                origins.setdefault(chapter, Counter())[goods["origin_country"]] += 1
    assert set(origins.get("0803", Counter())) <= {"EC", "CO", "PE", None}
    assert set(origins.get("1511", Counter())) <= {"MY", "ID", None}
    assert set(origins.get("0902", Counter())) <= {"KE", "LK", "TZ", "VN", "ID", None}
    assert origins["8541"].most_common(1)[0][0] == "CN"


# --- defects -------------------------------------------------------------------------------


def _flagged_share(kinds: tuple[Defect, ...]) -> float:
    return sum(k.flagged for k in kinds) / len(kinds)


def test_defects_come_at_the_requested_rate(dirty: list[Manifest]) -> None:
    rate = 0.1
    boxes = [box for m in dirty for box in m.containers]
    bls = [bl for m in dirty for bl in m.consignments]
    lines = [g for bl in bls for g in bl.goods]

    flagged_boxes = [b for b in boxes if _all_flags(b)]
    # A wrong check digit on a goods line or B/L only repeats the container's own flag.
    flagged_lines = [
        g for g in lines if any(f.field != "container_number" for f in g.quality_flags)
    ]
    flagged_bls = [
        bl
        for bl in bls
        if any(not f.field.startswith("container_numbers") for f in bl.quality_flags)
        or any(p is not None and p.quality_flags for p in (bl.shipper, bl.consignee))
    ]
    assert len(flagged_boxes) / len(boxes) == pytest.approx(
        rate * _flagged_share(CONTAINER_DEFECTS), rel=0.25
    )
    assert len(flagged_lines) / len(lines) == pytest.approx(
        rate * _flagged_share(GOODS_DEFECTS), rel=0.15
    )
    # duplicate_bl is flagged on the manifest, not on the B/L.
    on_bl = sum(k.flagged and k.name != "duplicate_bl" for k in CONSIGNMENT_DEFECTS)
    assert len(flagged_bls) / len(bls) == pytest.approx(
        rate * on_bl / len(CONSIGNMENT_DEFECTS), rel=0.25
    )
    duplicates = [f for m in dirty for f in m.quality_flags if f.code == "duplicate"]
    assert duplicates


def test_every_planted_defect_kind_shows_up(dirty: list[Manifest]) -> None:
    codes = Counter(f"{f.field.split('[')[0]}:{f.code}" for m in dirty for f in _all_flags(m))
    for expected in (
        "number:check_digit",
        "size_type:format",
        "verified_gross_mass_kg:inconsistent",
        "verified_gross_mass_kg:negative",
        "hs_code:unknown_chapter",
        "hs_code:format",
        "currency:unknown_currency",
        "net_weight_kg:inconsistent",
        "gross_weight_kg:negative",
        "origin_country:unknown_country",
        "value:invalid_value",
        "packages:invalid_value",
        "port_of_loading:unknown_country",
        "place_of_delivery:format",
        "verified_gross_mass_kg:implausible",
        "consignments:duplicate",
    ):
        assert codes[expected], expected
    boxes = [b for m in dirty for b in m.containers]
    assert any(b.tare_kg is None for b in boxes)


def test_defect_tables_are_well_formed() -> None:
    for kinds in (CONTAINER_DEFECTS, GOODS_DEFECTS, CONSIGNMENT_DEFECTS, MANIFEST_DEFECTS):
        names = [k.name for k in kinds]
        assert len(names) == len(set(names))
        assert all(k.description for k in kinds)


# --- arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"containers": -1}, ValueError),
        ({"defect_rate": 1.5}, ValueError),
        ({"defect_rate": -0.1}, ValueError),
        ({"lcl_share": 2}, ValueError),
        ({"port_of_call": "KARACHI"}, ValueError),
        ({"port_of_call": "XXKHI"}, ValueError),
        ({"port_of_call": "XZABC"}, ValueError),
        ({"seed": "1"}, TypeError),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], error: type[Exception]) -> None:
    arguments: dict[str, Any] = {"seed": 1, "containers": 10, **kwargs}
    seed, containers = arguments.pop("seed"), arguments.pop("containers")
    with pytest.raises(error):
        generate_manifest_documents(seed, containers, **arguments)


def test_port_of_call_is_normalised() -> None:
    docs = list(generate_manifest_documents(6, 250, port_of_call="pk khi"))
    assert {d["port_of_call"] for d in docs} == {"PKKHI"}


# --- reference tables ----------------------------------------------------------------------

# UN/ECE Recommendation 21 codes the tables may use.
REC21 = {"BE", "BG", "BL", "BX", "CL", "CS", "CT", "DR", "FE", "JB", "PK", "PX", "RL", "RO",
         "SK", "TE", "VL", "VN", "VS", "WA"}  # fmt: skip


def test_reference_codes_are_real() -> None:
    for code, port in _reference.PORTS.items():
        assert locode_problem(code) is None
        assert port.region in _reference.REGION_DAYS
    for country, ports in _reference.COUNTRY_PORTS.items():
        assert all(p.startswith(country) and p in _reference.PORTS for p, _ in ports)
        assert country in _traders.LOCALES
    for commodity in _commodities.COMMODITIES:
        for line in commodity.lines:
            assert hs_code_problem(line.code) is None
            assert len(line.code) == 6
            assert line.descriptions
            assert {p.code for p in line.packages} <= REC21
        assert {p.code for p in commodity.packages} <= REC21
        assert {c for c, _ in commodity.origins} <= set(_reference.COUNTRY_PORTS)
        for size_type, _ in commodity.equipment:
            assert describe_size_type(size_type) is not None
    for name, number in _reference.VESSEL_IMO.items():
        assert imo_problem(number) is None, name
        assert number[6] == stdnum_imo.calc_check_digit(number[:6])
    for code in _commodities.EQUIPMENT:
        assert describe_size_type(code) is not None
    for currency in _commodities.UNITS_PER_USD:
        assert pycountry.currencies.get(alpha_3=currency) is not None
    for service in _reference.SERVICES:
        assert set(service.hubs) <= set(service.calls)
        assert {s for s, _ in service.carriers} <= set(_reference.CARRIERS)


def test_imo_check_digit_helper_matches_stdnum() -> None:
    for stem in ("932148", "981100", "920000", "999999"):
        assert _reference.imo_with_check_digit(stem)[6] == stdnum_imo.calc_check_digit(stem)


def test_docstring_examples_run() -> None:
    for module in (riskprofile.synth, _generator):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0


def test_public_names_are_documented() -> None:
    assert riskprofile.synth.__all__ == sorted(riskprofile.synth.__all__)
    for name in riskprofile.synth.__all__:
        if name != "DEFAULT_START":
            assert getattr(riskprofile.synth, name).__doc__
