"""The flat Shipment record: flatten() and the field catalogue."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel

from riskprofile.model import (
    LENIENT,
    FieldSpec,
    Manifest,
    QualityFlag,
    Shipment,
    field_catalogue,
    flatten,
)
from riskprofile.model._base import RecordModel
from riskprofile.model.shipment import flatten_all, render_field_catalogue
from tests import strategies as rst
from tests.depth import depth

manifest_settings = settings(
    max_examples=depth(30), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

A, B, C, D, E = "CSQU3054383", "MSKU1234565", "TGHU1234567", "CSQU0000070", "MSCU0000012"


# The key parties every B/L names (without them a B/L is flagged missing).
PARTIES = {"shipper": {"name": "SHIPPER CO"}, "consignee": {"name": "CONSIGNEE LTD"}}


def _lenient(doc: dict[str, Any]) -> Manifest:
    return Manifest.model_validate(doc, context=LENIENT)


def _by_id(shipments: list[Shipment]) -> dict[str, Shipment]:
    return {s.shipment_id: s for s in shipments}


# A manifest with every shape of consolidation: B1 and B2 share container A (LCL); B2 also
# spans B (so B2 is in two containers); B3 spans C and D with a goods line for both; B4 has
# no container; E is declared but named by no B/L; D is named but not declared.
EXAMPLE: dict[str, Any] = {
    "vessel_imo": "9321483",
    "voyage_number": "0425W",
    "arrival": "2026-11-02T06:00:00Z",
    "consignments": [
        {
            "bl_number": "B1",
            "issue_date": "2026-10-12",
            "place_of_receipt": "ECUIO",
            "port_of_loading": "ECGYE",
            "transshipment_ports": ["PAMIT", "PAMIT", "AEJEA"],
            "port_of_discharge": "PKKHI",
            "container_numbers": [A],
            "goods": [
                {"hs_code": "08039010", "gross_weight_kg": 1000, "value": "700.50",
                 "currency": "USD", "description": " fresh  bananas "},
                {"hs_code": "080390", "gross_weight_kg": 500, "value": "300", "currency": "USD"},
            ],
        },
        {
            "bl_number": "B2",
            "container_numbers": [A, B],
            "goods": [
                {"container_number": A, "gross_weight_kg": 2000, "value": "10", "currency": "EUR"},
                {"container_number": B, "gross_weight_kg": 3000, "value": "10", "currency": "USD"},
            ],
        },
        {
            "bl_number": "B3",
            "container_numbers": [C, D],
            "goods": [{"hs_code": "610910", "gross_weight_kg": 8000, "packages": 10}],
        },
        {"bl_number": "B4", "port_of_loading": "CNSHA"},
    ],
    "containers": [
        {"number": A, "size_type": "45R1", "tare_kg": 4000, "verified_gross_mass_kg": 7600,
         "seals": [{"number": "S1", "sealer": "CA"}, {"number": "S2"}]},
        {"number": B, "size_type": "2200"},
        {"number": C},
        {"number": E, "size_type": "22T1", "full": False},
    ],
}  # fmt: skip


@pytest.fixture
def example() -> dict[str, Shipment]:
    return _by_id(flatten(Manifest.model_validate(EXAMPLE)))


def test_example_has_one_shipment_per_bl_container_pair(example: dict[str, Shipment]) -> None:
    ref = "9321483/0425W"
    assert list(example) == [
        f"{ref}/B1/{A}",
        f"{ref}/B2/{A}",
        f"{ref}/B2/{B}",
        f"{ref}/B3/{C}",
        f"{ref}/B3/{D}",
        f"{ref}/B4/-",
        f"{ref}/-/{E}",
    ]


def test_lcl_container_shared_by_two_bls(example: dict[str, Shipment]) -> None:
    b1 = example[f"9321483/0425W/B1/{A}"]
    b2 = example[f"9321483/0425W/B2/{A}"]
    for s in (b1, b2):
        assert s.is_lcl
        assert s.bl_count_in_container == 2
        # Every B/L's goods in the box: 1000 + 500 from B1, 2000 from B2.
        assert s.container_goods_weight_kg == 3500
        assert s.container_cargo_mass_kg == 3600
        assert s.cargo_mass_gap_kg == 100
    assert b1.container_count_in_bl == 1
    assert b2.container_count_in_bl == 2
    # B2's goods are split by container.
    assert b2.goods_scope == "container"
    assert b2.goods_gross_weight_kg == 2000
    assert example[f"9321483/0425W/B2/{B}"].goods_gross_weight_kg == 3000


def test_container_fields(example: dict[str, Shipment]) -> None:
    s = example[f"9321483/0425W/B1/{A}"]
    assert s.container_declared
    assert s.container_number_valid
    assert s.container_owner_code == "CSQ"
    assert (s.container_type, s.container_length_ft, s.container_teu) == ("reefer", 40.0, 2.0)
    assert s.seal_count == 2
    assert s.seal_numbers == ["S1", "S2"]
    assert s.sealer_types == ["carrier", "unknown"]
    legacy = example[f"9321483/0425W/B2/{B}"]
    assert (legacy.container_type, legacy.container_teu) == ("general", 1.0)
    empty_tank = example[f"9321483/0425W/-/{E}"]
    assert empty_tank.container_type == "tank"
    assert empty_tank.container_full is False


def test_bl_spanning_containers_with_shared_goods(example: dict[str, Shipment]) -> None:
    c = example[f"9321483/0425W/B3/{C}"]
    d = example[f"9321483/0425W/B3/{D}"]
    for s in (c, d):
        # The line names no container: its quantities are the B/L's, not the box's.
        assert s.goods_scope == "bill_of_lading"
        assert s.goods_gross_weight_kg == 8000
        assert s.container_goods_weight_kg is None
        assert s.container_count_in_bl == 2
        assert not s.is_lcl
    assert c.container_declared
    assert not d.container_declared
    assert d.container_size_type is None
    assert d.container_number_valid


def test_bl_without_container_and_container_without_bl(example: dict[str, Shipment]) -> None:
    bl_only = example["9321483/0425W/B4/-"]
    assert bl_only.container_number is None
    assert bl_only.container_number_valid is None
    assert bl_only.port_of_loading == "CNSHA"
    assert bl_only.bl_count_in_container == 0
    assert bl_only.container_count_in_bl == 0
    box_only = example[f"9321483/0425W/-/{E}"]
    assert box_only.bl_number is None
    assert box_only.bl_count_in_container == 0
    assert not box_only.is_lcl
    assert box_only.goods_item_count == 0


def test_route_goods_and_value_fields(example: dict[str, Shipment]) -> None:
    s = example[f"9321483/0425W/B1/{A}"]
    assert s.route == ["ECUIO", "ECGYE", "PAMIT", "AEJEA", "PKKHI"]
    assert s.route_countries == ["EC", "PA", "AE", "PK"]
    assert s.transshipment_ports == ["PAMIT", "PAMIT", "AEJEA"]
    assert s.transshipment_count == 3
    assert s.hs_codes == ["08039010", "080390"]
    assert s.hs_chapters == ["08"]
    assert s.hs_headings == ["0803"]
    assert s.hs_subheadings == ["080390"]
    assert s.description == "FRESH BANANAS"
    assert s.declared_value == Decimal("1000.50")
    assert s.value_currency == "USD"
    assert s.value_per_kg == pytest.approx(1000.5 / 1500)
    assert s.bl_issue_date == date(2026, 10, 12)
    assert s.days_bl_to_arrival == 21
    assert s.manifest_ref == "9321483/0425W"


def test_value_in_several_currencies_has_no_total() -> None:
    doc = {"consignments": [EXAMPLE["consignments"][1] | {"container_numbers": []}]}
    doc["consignments"][0]["goods"] = [
        {"value": "10", "currency": "EUR", "gross_weight_kg": 1},
        {"value": "10", "currency": "USD", "gross_weight_kg": 1},
    ]
    [s] = flatten(Manifest.model_validate(doc))
    assert s.value_currencies == ["EUR", "USD"]
    assert s.declared_value is None
    assert s.value_currency is None
    assert s.value_per_kg is None


def test_value_without_currency_has_no_total() -> None:
    goods = [{"value": "10", "currency": "USD"}, {"value": "5"}]
    [s] = flatten(Manifest.model_validate({"consignments": [{"bl_number": "X", "goods": goods}]}))
    assert s.declared_value is None


@pytest.mark.parametrize("weight", [0, -10])
def test_no_value_per_kg_without_a_positive_weight(weight: float) -> None:
    goods = [{"value": "100", "currency": "USD", "gross_weight_kg": weight}]
    manifest = _lenient({"consignments": [{"bl_number": "X", "goods": goods}]})
    [s] = flatten(manifest)
    assert s.declared_value == Decimal(100)
    assert s.value_per_kg is None


@pytest.mark.parametrize(
    ("payer", "role"),
    [
        ({"name": "Global  Fruits sa"}, "shipper"),
        ({"identifier": "pk1234567", "name": "other name"}, "consignee"),
        ({"name": "KHAN LOGISTICS"}, "notify_party"),
        ({"name": "ZETA LLC"}, "third_party"),
        (None, None),
    ],
)
def test_freight_payer_role(payer: dict[str, Any] | None, role: str | None) -> None:
    bl = {
        "bl_number": "X",
        "shipper": {"name": "GLOBAL FRUITS SA"},
        "consignee": {"name": "ACME", "identifier": "PK1234567"},
        "notify_party": {"name": "Khan Logistics"},
        "freight_payer": payer,
    }
    [s] = flatten(Manifest.model_validate({"consignments": [bl]}))
    assert s.freight_payer_role == role


def test_house_bl() -> None:
    bl = {"bl_number": "H1", "master_bl_number": "M1"}
    [s] = flatten(Manifest.model_validate({"consignments": [bl]}))
    assert s.is_house_bl
    assert s.master_bl_number == "M1"


def test_repeated_pairs_get_numbered_ids() -> None:
    doc = {"consignments": [{"bl_number": "B1", "container_numbers": [A]}] * 3}
    ids = [s.shipment_id for s in flatten(Manifest.model_validate(doc))]
    assert ids == [f"-/-/B1/{A}", f"-/-/B1/{A}#2", f"-/-/B1/{A}#3"]


def test_flatten_all_concatenates_in_order() -> None:
    first = Manifest.model_validate(EXAMPLE)
    second = Manifest.model_validate({"voyage_number": "2", "containers": [{"number": A}]})
    assert list(flatten_all([first, second])) == flatten(first) + flatten(second)


# --- quality flags on shipments ------------------------------------------------------------


def test_flags_are_named_field_colon_code() -> None:
    doc = {
        "consignments": [
            {
                "bl_number": "B1",
                "shipper": {"country": "XX"},
                "transshipment_ports": ["PAMIT", "QQABC"],
                "container_numbers": ["CSQU3054384"],
                "goods": [{"hs_code": "0803"}],
            }
        ],
    }
    [s] = flatten(_lenient(doc))
    assert sorted(s.quality_flags) == [
        "consignee_name:missing",
        "container_number:check_digit",
        "goods_hs_code:format",
        "shipper_country:unknown_country",
        "shipper_name:missing",
        "transshipment_ports:unknown_country",
    ]
    assert s.quality_flag_count == 6
    assert s.container_number_valid is False


def test_container_flags_renamed() -> None:
    doc = {
        "containers": [
            {
                "number": "CSQU3054384",
                "size_type": "ZZZZ",
                "tare_kg": -1,
                "seals": [{"number": "S", "sealer": "?"}],
            }
        ]
    }
    [s] = flatten(_lenient(doc))
    assert sorted(s.quality_flags) == [
        "container_number:check_digit",
        "container_size_type:format",
        "seal_sealer:invalid_value",
        "tare_kg:negative",
    ]


def test_bad_container_number_on_a_bl_flags_only_that_container() -> None:
    doc = {"consignments": [{"bl_number": "B1", **PARTIES,
                             "container_numbers": [A, "CSQU3054384"]}]}  # fmt: skip
    good, bad = flatten(_lenient(doc))
    assert good.container_number == A
    assert good.container_number_valid
    assert good.quality_flags == []
    assert bad.container_number_valid is False
    assert bad.quality_flags == ["container_number:check_digit"]


def test_duplicate_container_flag_reaches_its_shipment() -> None:
    doc = {
        "consignments": [{"bl_number": "B1", "container_numbers": [A]}],
        "containers": [{"number": A}, {"number": B}, {"number": A, "size_type": "ZZZZ"}],
    }
    shipments = _by_id(flatten(Manifest.model_validate(doc, context=LENIENT)))
    flags = shipments[f"-/-/B1/{A}"].quality_flags
    assert "container_number:duplicate" in flags
    # The second declaration's own problems are not lost either.
    assert "container_size_type:format" in flags
    assert shipments[f"-/-/-/{B}"].quality_flags == []


def test_duplicate_bl_flag_reaches_its_shipment() -> None:
    doc = {"consignments": [{"bl_number": n, **PARTIES} for n in ("B1", "B2", "B1")]}
    flags = [s.quality_flags for s in flatten(Manifest.model_validate(doc))]
    assert flags == [[], [], ["bl_number:duplicate"]]


def test_dropped_records_flag_the_whole_manifest_not_a_neighbour() -> None:
    doc = {
        "consignments": [
            {"bl_number": "B1", **PARTIES},
            {"goods": []},
            {"bl_number": "B3", **PARTIES},
        ],
        "containers": [{"number": A}, {"size_type": "22G1"}],
    }
    shipments = flatten(_lenient(doc))
    assert [s.bl_number for s in shipments] == ["B1", "B3", None]
    # The B/L that lost its number is gone; that concerns the manifest as a whole, not B3
    # (which now sits at the dropped one's index).
    for s in shipments:
        assert sorted(s.quality_flags) == ["consignments:invalid_value", "containers:invalid_value"]


def test_manifest_wide_flags_reach_every_shipment() -> None:
    doc = {
        "vessel_imo": "9321484",
        "consignments": [{"bl_number": "B1", **PARTIES}],
        "containers": [{"number": A}],
    }
    shipments = flatten(_lenient(doc))
    assert len(shipments) == 2
    assert all(s.quality_flags == ["vessel_imo:check_digit"] for s in shipments)


# --- properties ----------------------------------------------------------------------------


def _check_shipments(manifest: Manifest, shipments: list[Shipment]) -> None:
    """What holds for the shipments of any manifest, valid or leniently read."""
    # Every B/L and every container appears, and nothing else does.
    bls = {c.bl_number for c in manifest.consignments}
    boxes = {b.number for b in manifest.containers}
    boxes |= {n for c in manifest.consignments for n in c.all_container_numbers}
    assert {s.bl_number for s in shipments} - {None} == bls
    assert {s.container_number for s in shipments} - {None} == boxes
    unnamed = boxes - {n for c in manifest.consignments for n in c.all_container_numbers}
    expected = sum(max(1, len(c.all_container_numbers)) for c in manifest.consignments)
    assert len(shipments) == expected + len(unnamed)
    assert len({s.shipment_id for s in shipments}) == len(shipments)

    for s in shipments:
        assert s.manifest_ref == manifest.reference
        assert s.transshipment_count == len(s.transshipment_ports)
        assert s.quality_flag_count == len(s.quality_flags)
        assert len(set(s.quality_flags)) == len(s.quality_flags)
        assert s.is_lcl == (s.bl_count_in_container > 1)
        assert s.is_house_bl == (s.master_bl_number is not None)
        assert set(s.hs_chapters) == {h[:2] for h in s.hs_codes}
        assert all(any(h.startswith(ch) for h in s.hs_codes) for ch in s.hs_chapters)
        assert all(h[:4] in s.hs_headings and h[:6] in s.hs_subheadings for h in s.hs_codes)
        assert s.seal_count == len(s.seal_numbers)
        # Route: the known places in order, repeats next to each other folded.
        places = [
            p
            for p in [s.place_of_receipt, s.port_of_loading, *s.transshipment_ports,
                      s.port_of_discharge, s.place_of_delivery]
            if p is not None
        ]  # fmt: skip
        if places:
            assert s.route[0] == places[0]
            assert s.route[-1] == places[-1]
        assert set(s.route) == set(places)
        assert all(a != b for a, b in zip(s.route, s.route[1:], strict=False))
        countries = [p[:2] for p in s.route]
        assert s.route_countries == [
            c for i, c in enumerate(countries) if i == 0 or countries[i - 1] != c
        ]
        # Value per kg: defined exactly when there is one total and a positive weight.
        gross = s.goods_gross_weight_kg
        if s.declared_value is not None and gross is not None and gross > 0:
            assert s.value_per_kg == float(s.declared_value) / gross
        else:
            assert s.value_per_kg is None
        assert (s.value_currency is None) == (s.declared_value is None)
        if s.container_number is None:
            assert s.container_number_valid is None
            assert s.bl_count_in_container == 0
        else:
            number = s.container_number
            assert s.container_owner_code == (number[:3] if len(number) >= 3 else None)
        if s.bl_number is None:
            assert s.container_count_in_bl == 0
            assert s.goods_item_count == 0

    # Numbers about a container or a B/L agree with the shipments that carry them.
    by_box: dict[str, list[Shipment]] = {}
    for s in shipments:
        if s.container_number is not None:
            by_box.setdefault(s.container_number, []).append(s)
    for group in by_box.values():
        with_bl = [s for s in group if s.bl_number is not None]
        assert all(s.bl_count_in_container == len(with_bl) for s in group)
        assert len({s.container_goods_weight_kg for s in group}) == 1
        if all(s.goods_scope == "container" for s in group):
            weights = [
                s.goods_gross_weight_kg for s in group if s.goods_gross_weight_kg is not None
            ]
            total = group[0].container_goods_weight_kg
            if weights:
                assert total is not None
                assert math.isclose(total, sum(weights), rel_tol=1e-9, abs_tol=1e-6)
            else:
                assert total is None
        else:
            assert group[0].container_goods_weight_kg is None
    bl_counts = Counter(s.bl_number for s in shipments if s.container_number is not None)
    for s in shipments:
        if s.bl_number is not None and len(bls) == len(manifest.consignments):
            assert s.container_count_in_bl == bl_counts[s.bl_number]


@manifest_settings
@given(rst.manifests())
def test_flatten_properties_on_valid_manifests(manifest: Manifest) -> None:
    shipments = flatten(manifest)
    _check_shipments(manifest, shipments)
    for s in shipments:
        # A valid B/L may name no shipper or consignee: that alone is flagged.
        missing = [f"{role}_name:missing" for role in ("shipper", "consignee")
                   if s.bl_number is not None and getattr(s, f"{role}_name") is None]  # fmt: skip
        assert s.quality_flags == missing
        if s.container_number is not None:
            assert s.container_number_valid


@manifest_settings
@given(rst.manifest_documents(valid=False))
def test_flatten_properties_on_leniently_read_manifests(doc: dict[str, Any]) -> None:
    manifest = _lenient(doc)
    shipments = flatten(manifest)
    _check_shipments(manifest, shipments)
    for s in shipments:
        number_flags = {"container_number:check_digit", "container_number:format"}
        has_number_flag = bool(number_flags & set(s.quality_flags))
        if s.container_number is None:
            assert not has_number_flag
        else:
            assert s.container_number_valid is not has_number_flag


def _flag_codes(model: BaseModel) -> set[str]:
    codes: set[str] = set()
    if isinstance(model, RecordModel):
        codes |= {f.code for f in model.quality_flags}
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel) and not isinstance(item, QualityFlag):
                codes |= _flag_codes(item)
    return codes


@manifest_settings
@given(rst.manifest_documents(valid=False))
def test_every_kind_of_flag_reaches_a_shipment(doc: dict[str, Any]) -> None:
    manifest = _lenient(doc)
    shipments = flatten(manifest)
    if shipments:
        seen = {flag.rsplit(":", 1)[1] for s in shipments for flag in s.quality_flags}
        assert _flag_codes(manifest) <= seen


@manifest_settings
@given(rst.manifests())
def test_flatten_is_deterministic(manifest: Manifest) -> None:
    first = flatten(manifest)
    assert flatten(manifest) == first
    again = Manifest.model_validate_json(manifest.model_dump_json())
    assert flatten(again) == first


@manifest_settings
@given(rst.shipments(valid=False))
def test_shipment_json_round_trip(shipment: Shipment) -> None:
    assert Shipment.model_validate_json(shipment.model_dump_json()) == shipment


# --- the field catalogue -------------------------------------------------------------------

DOCUMENTED_TYPES = {
    "string", "integer", "float", "decimal", "boolean", "date", "datetime", "list[string]"
}  # fmt: skip
# Fields whose default is null are the nullable ones.
_NULLABLE = {name for name, info in Shipment.model_fields.items() if info.default is None}


def test_catalogue_lists_every_shipment_field_in_order() -> None:
    assert [spec.name for spec in field_catalogue()] == list(Shipment.model_fields)
    assert all(isinstance(spec, FieldSpec) for spec in field_catalogue())


@pytest.mark.parametrize("spec", field_catalogue(), ids=lambda spec: spec.name)
def test_catalogue_entry_is_documented(spec: FieldSpec) -> None:
    assert spec.type in DOCUMENTED_TYPES
    assert len(spec.description) > 10
    assert spec.example is not None
    # The example is a value the field accepts.
    Shipment.model_validate({spec.name: spec.example})
    if spec.type == "list[string]":
        assert isinstance(spec.example, list)
    assert spec.nullable == (spec.name in _NULLABLE)


def test_catalogue_types_and_choices() -> None:
    specs = {spec.name: spec for spec in field_catalogue()}
    assert specs["hs_chapters"].type == "list[string]"
    assert specs["declared_value"].type == "decimal"
    assert specs["arrival"].type == "datetime"
    assert specs["bl_issue_date"].type == "date"
    assert specs["is_lcl"].type == "boolean"
    assert specs["is_lcl"].nullable is False
    assert specs["container_teu"].type == "float"
    assert specs["seal_count"].type == "integer"
    assert specs["goods_scope"].choices == ("container", "bill_of_lading")
    assert set(specs["freight_payer_role"].choices) == {
        "shipper", "consignee", "notify_party", "third_party"
    }  # fmt: skip


def test_rendered_catalogue_has_a_row_per_field() -> None:
    page = render_field_catalogue()
    rows = [line for line in page.splitlines() if line.startswith("| `")]
    assert len(rows) == len(Shipment.model_fields)
    assert "One of: `container`, `bill_of_lading`." in page


@pytest.mark.parametrize(
    ("vgm", "tare", "cargo", "gap"),
    [
        (26_000.0, 3_800.0, 22_200.0, 2_200.0),
        (22_427_000.0, 3_800.0, None, None),  # a VGM in grams: likely unit error
        (26_000.0, 3_800_000.0, None, None),  # a tare in grams
        (45_000.0, 12_000.0, 33_000.0, 13_000.0),  # at the limits: still plausible
    ],
)
def test_an_implausible_mass_gives_no_cargo_mass_and_no_weight_gap(
    vgm: float, tare: float, cargo: float | None, gap: float | None
) -> None:
    manifest = Manifest.model_validate(
        {
            "vessel_imo": "9321483",
            "voyage_number": "0425W",
            "consignments": [{"bl_number": "BL1", "container_numbers": ["CSQU3054383"],
                              "goods": [{"description": "X", "gross_weight_kg": 20_000}]}],
            "containers": [{"number": "CSQU3054383", "verified_gross_mass_kg": vgm,
                            "tare_kg": tare}],
        }
    )  # fmt: skip
    (shipment,) = flatten(manifest)
    assert (shipment.container_cargo_mass_kg, shipment.cargo_mass_gap_kg) == (cargo, gap)
    assert (cargo is None) == any(f.endswith(":implausible") for f in shipment.quality_flags)
