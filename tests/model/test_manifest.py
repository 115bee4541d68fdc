"""The record models: Manifest, Consignment, Container, GoodsItem, Party, Seal, in strict and
lenient mode."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel

from riskprofile.errors import RecordError
from riskprofile.model import (
    LENIENT,
    STRICT,
    Consignment,
    Container,
    GoodsItem,
    Manifest,
    Party,
    QualityFlag,
    Seal,
    validation_context,
)
from riskprofile.model._base import RecordModel
from tests import strategies as rst
from tests.depth import depth

# Manifest generation dominates the run time; a few dozen examples find structural bugs.
manifest_settings = settings(
    max_examples=depth(30), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _flags(model: RecordModel) -> list[tuple[str, str, str | None]]:
    return [(f.field, f.code, f.value) for f in model.quality_flags]


def _without_flags(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_flags(v) for k, v in data.items() if k != "quality_flags"}
    if isinstance(data, list):
        return [_without_flags(v) for v in data]
    return data


def _all_flags(model: BaseModel) -> list[QualityFlag]:
    """Every quality flag in a record tree."""
    found: list[QualityFlag] = []
    if isinstance(model, RecordModel):
        found.extend(model.quality_flags)
    for name in type(model).model_fields:
        value = getattr(model, name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, RecordModel):
                found.extend(_all_flags(item))
    return found


# --- containers ----------------------------------------------------------------------------


def test_container_needs_only_a_number() -> None:
    box = Container.model_validate({"number": "CSQU3054383"})
    assert box.number == "CSQU3054383"
    assert box.size_type is None
    assert box.full is None
    assert box.seals == []
    assert box.quality_flags == []


def test_strict_check_digit_error_names_field_value_and_problem() -> None:
    with pytest.raises(RecordError) as info:
        Container.model_validate({"number": "CSQU3054384"})
    [error] = info.value.errors()
    assert error["loc"] == ("number",)
    assert error["type"] == "check_digit"
    assert error["input"] == "CSQU3054384"
    text = str(info.value)
    assert "number" in text
    assert "CSQU3054384" in text
    assert "check digit" in text


def test_lenient_keeps_a_wrong_check_digit_and_flags_it() -> None:
    box = Container.model_validate({"number": "CSQU3054384"}, context=LENIENT)
    assert box.number == "CSQU3054384"
    [flag] = box.quality_flags
    assert (flag.field, flag.code, flag.value) == ("number", "check_digit", "CSQU3054384")
    assert "check digit" in flag.message


def test_explicit_strict_context_is_the_default() -> None:
    with pytest.raises(RecordError):
        Container.model_validate({"number": "CSQU3054384"}, context=STRICT)
    assert validation_context("lenient") == LENIENT
    assert validation_context("strict") == STRICT
    with pytest.raises(ValueError, match="strictness"):
        validation_context("loose")  # type: ignore[arg-type]


@pytest.mark.parametrize("typed", ["csqu 305438 3", "CSQU-305438-3", " csqu3054383 "])
def test_container_number_is_normalised(typed: str) -> None:
    assert Container.model_validate({"number": typed}).number == "CSQU3054383"


def test_check_remainder_ten_number_is_accepted_with_zero() -> None:
    # CSQU000007 has a weighted sum of 10 mod 11 (see test_codes): its check digit is 0.
    assert Container.model_validate({"number": "CSQU0000070"}).number == "CSQU0000070"
    with pytest.raises(RecordError, match="check digit"):
        Container.model_validate({"number": "CSQU0000071"})


@pytest.mark.parametrize("code", ["22G1", "45R1", "2200", "4500", "l5g1"])
def test_size_type_current_and_legacy_accepted(code: str) -> None:
    box = Container.model_validate({"number": "CSQU3054383", "size_type": code})
    assert box.size_type == code.upper()


@pytest.mark.parametrize("code", ["ZZZZ", "22X1", "40", "22\u06600"])
def test_garbage_size_type_rejected(code: str) -> None:
    with pytest.raises(RecordError) as info:
        Container.model_validate({"number": "CSQU3054383", "size_type": code})
    assert info.value.errors()[0]["loc"] == ("size_type",)


@pytest.mark.parametrize(
    ("word", "full"),
    [("F", True), ("full", True), ("LCL", True), ("E", False), ("empty", False), ("MT", False)],
)
def test_full_empty_words(word: str, full: bool) -> None:
    assert Container.model_validate({"number": "CSQU3054383", "full": word}).full is full


@pytest.mark.parametrize(
    ("word", "sealer"),
    [("CA", "carrier"), ("shipper", "shipper"), ("cu", "customs"), ("TERMINAL", "other")],
)
def test_sealer_words(word: str, sealer: str) -> None:
    assert Seal.model_validate({"number": "ML-1", "sealer": word}).sealer == sealer


def test_vgm_below_tare_is_flagged_in_both_modes() -> None:
    data = {"number": "CSQU3054383", "verified_gross_mass_kg": 1000, "tare_kg": 2200}
    for context in (STRICT, LENIENT):
        box = Container.model_validate(data, context=context)
        assert _flags(box) == [("verified_gross_mass_kg", "inconsistent", "1000.0")]


def test_container_without_number_fails_even_in_lenient_mode() -> None:
    for context in (STRICT, LENIENT):
        with pytest.raises(RecordError) as info:
            Container.model_validate({"size_type": "22G1"}, context=context)
        assert info.value.errors()[0]["loc"] == ("number",)
        with pytest.raises(RecordError):
            Container.model_validate({"number": "   "}, context=context)


def test_lenient_drops_a_seal_without_number_and_keeps_the_others() -> None:
    data = {
        "number": "CSQU3054383",
        "seals": [{"sealer": "XX"}, {"number": "S2"}, {"number": "S3"}],
    }
    box = Container.model_validate(data, context=LENIENT)
    # The dropped seal had two errors (no number, unknown sealer): it is one seal, and
    # only it goes.
    assert [s.number for s in box.seals] == ["S2", "S3"]
    assert [(f.field, f.code) for f in box.quality_flags] == [("seals[0]", "invalid_value")]
    assert "'sealer': 'XX'" in (box.quality_flags[0].value or "")


# --- goods items ---------------------------------------------------------------------------


def test_hs_code_digits_after_dots_and_spaces_national_subheading_kept() -> None:
    assert GoodsItem.model_validate({"hs_code": "0803.90 10"}).hs_code == "08039010"
    assert GoodsItem.model_validate({"hs_code": "0803.90"}).hs_code == "080390"
    assert GoodsItem.model_validate({"hs_code": "2939 71 00 10"}).hs_code == "2939710010"


@pytest.mark.parametrize("code", ["0803", "08039010123", "0803AB", "770000"])
def test_malformed_hs_code_rejected_strict_flagged_lenient(code: str) -> None:
    with pytest.raises(RecordError) as info:
        GoodsItem.model_validate({"hs_code": code})
    assert info.value.errors()[0]["loc"] == ("hs_code",)
    item = GoodsItem.model_validate({"hs_code": code}, context=LENIENT)
    assert item.hs_code == code
    assert [f.field for f in item.quality_flags] == ["hs_code"]


def test_currency_and_origin_checked() -> None:
    item = GoodsItem.model_validate({"currency": "usd", "origin_country": "ec"})
    assert (item.currency, item.origin_country) == ("USD", "EC")
    with pytest.raises(RecordError, match="ISO 4217"):
        GoodsItem.model_validate({"currency": "ABC"})
    lenient = GoodsItem.model_validate({"currency": "ABC", "origin_country": "XX"}, context=LENIENT)
    assert {(f.field, f.code) for f in lenient.quality_flags} == {
        ("currency", "unknown_currency"),
        ("origin_country", "unknown_country"),
    }


@pytest.mark.parametrize("field", ["gross_weight_kg", "net_weight_kg", "value"])
def test_negative_quantities_rejected_strict_flagged_lenient(field: str) -> None:
    with pytest.raises(RecordError) as info:
        GoodsItem.model_validate({field: -5})
    assert info.value.errors()[0]["loc"] == (field,)
    assert info.value.errors()[0]["type"] == "negative"
    item = GoodsItem.model_validate({field: -5}, context=LENIENT)
    assert getattr(item, field) == -5
    assert [(f.field, f.code) for f in item.quality_flags] == [(field, "negative")]


def test_negative_container_weights_flagged_lenient() -> None:
    box = Container.model_validate(
        {"number": "CSQU3054383", "tare_kg": -1, "verified_gross_mass_kg": -2}, context=LENIENT
    )
    assert {(f.field, f.code) for f in box.quality_flags} == {
        ("tare_kg", "negative"),
        ("verified_gross_mass_kg", "negative"),
    }


def test_negative_packages_rejected_strict_dropped_lenient() -> None:
    with pytest.raises(RecordError):
        GoodsItem.model_validate({"packages": -1})
    item = GoodsItem.model_validate({"packages": -1}, context=LENIENT)
    assert item.packages is None
    assert _flags(item) == [("packages", "invalid_value", "-1")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.10", Decimal("0.10")),
        ("1234567890.123456789", Decimal("1234567890.123456789")),
        ("15120.00", Decimal("15120.00")),
    ],
)
def test_money_kept_exactly(text: str, expected: Decimal) -> None:
    item = GoodsItem.model_validate({"value": text, "currency": "USD"})
    assert isinstance(item.value, Decimal)
    assert item.value == expected
    assert str(item.value) == str(expected)
    again = GoodsItem.model_validate_json(item.model_dump_json())
    assert str(again.value) == str(expected)


def test_money_sums_exactly() -> None:
    items = [GoodsItem.model_validate({"value": v}) for v in ("0.1", "0.2")]
    assert sum(i.value for i in items if i.value is not None) == Decimal("0.3")


def test_money_from_json_number_with_cents() -> None:
    item = GoodsItem.model_validate_json('{"value": 0.1}')
    assert item.value == Decimal("0.1")


def test_unparseable_values_become_null_with_flag_holding_raw_text() -> None:
    data = {"gross_weight_kg": "12 kg", "value": "n/a", "packages": "many", "hs_code": "080390"}
    with pytest.raises(RecordError) as info:
        GoodsItem.model_validate(data)
    assert {e["loc"][0] for e in info.value.errors()} == {"gross_weight_kg", "value", "packages"}
    item = GoodsItem.model_validate(data, context=LENIENT)
    assert (item.gross_weight_kg, item.value, item.packages) == (None, None, None)
    assert item.hs_code == "080390"
    assert {(f.field, f.code, f.value) for f in item.quality_flags} == {
        ("gross_weight_kg", "invalid_value", "12 kg"),
        ("value", "invalid_value", "n/a"),
        ("packages", "invalid_value", "many"),
    }


def test_long_raw_values_are_shortened_in_flags() -> None:
    item = GoodsItem.model_validate({"gross_weight_kg": "x" * 1000}, context=LENIENT)
    value = item.quality_flags[0].value
    assert value is not None
    assert value.startswith("xxx")
    assert len(value) < 300


@pytest.mark.parametrize("placeholder", ["-", "./.", " - "])
def test_separator_only_code_is_shown_as_typed(placeholder: str) -> None:
    # "-" normalises to nothing; the problem must still show what was typed, and a
    # leniently read record must read back the same from its JSON.
    with pytest.raises(RecordError) as info:
        Party.model_validate({"country": placeholder})
    assert repr(placeholder.strip()) in str(info.value)
    party = Party.model_validate({"country": placeholder}, context=LENIENT)
    assert party.country == placeholder.strip()
    assert _flags(party) == [("country", "format", placeholder.strip())]
    assert Party.model_validate_json(party.model_dump_json(), context=LENIENT) == party


def test_unknown_keys_rejected_strict_flagged_lenient() -> None:
    with pytest.raises(RecordError) as info:
        GoodsItem.model_validate({"hs_code": "080390", "colour": "yellow"})
    assert info.value.errors()[0]["loc"] == ("colour",)
    item = GoodsItem.model_validate({"hs_code": "080390", "colour": "yellow"}, context=LENIENT)
    assert item.hs_code == "080390"
    assert _flags(item) == [("colour", "unknown_field", "yellow")]


def test_net_above_gross_flagged() -> None:
    item = GoodsItem.model_validate({"gross_weight_kg": 10, "net_weight_kg": 12})
    assert _flags(item) == [("net_weight_kg", "inconsistent", "12.0")]


def test_blank_text_is_null() -> None:
    item = GoodsItem.model_validate({"hs_code": "  ", "description": "", "currency": " "})
    assert (item.hs_code, item.description, item.currency) == (None, None, None)
    assert item.quality_flags == []


def test_package_type_upper_case() -> None:
    assert GoodsItem.model_validate({"package_type": " ct "}).package_type == "CT"


# --- parties, consignments, manifests ------------------------------------------------------


def test_party_country_and_aeo_words() -> None:
    party = Party.model_validate({"name": "ACME", "country": "pk", "aeo": "yes"})
    assert (party.country, party.aeo) == ("PK", True)
    assert Party.model_validate({"aeo": "N"}).aeo is False
    with pytest.raises(RecordError) as info:
        Party.model_validate({"country": "XX"})
    assert "XX" in str(info.value)
    lenient = Party.model_validate({"country": "XX", "aeo": "maybe"}, context=LENIENT)
    assert (lenient.country, lenient.aeo) == ("XX", None)
    assert {(f.field, f.code) for f in lenient.quality_flags} == {
        ("country", "unknown_country"),
        ("aeo", "invalid_value"),
    }


def test_consignment_locodes_checked_and_normalised() -> None:
    bl = Consignment.model_validate(
        {
            "bl_number": "maeu 2405 12345",
            "port_of_loading": "ec gye",
            "transshipment_ports": ["pa-mit", "AEJEA"],
            "freight_terms": "CC",
        }
    )
    assert bl.bl_number == "MAEU240512345"
    assert bl.port_of_loading == "ECGYE"
    assert bl.transshipment_ports == ["PAMIT", "AEJEA"]
    assert bl.freight_terms == "collect"
    with pytest.raises(RecordError) as info:
        Consignment.model_validate({"bl_number": "B1", "transshipment_ports": ["PAMIT", "QQABC"]})
    assert info.value.errors()[0]["loc"] == ("transshipment_ports", 1)


def test_consignment_lenient_flags_list_elements_by_index() -> None:
    bl = Consignment.model_validate(
        {"bl_number": "B1", "transshipment_ports": ["PAMIT", "QQABC"], "port_of_loading": "PKKH1"},
        context=LENIENT,
    )
    assert bl.transshipment_ports == ["PAMIT", "QQABC"]
    assert {(f.field, f.code) for f in bl.quality_flags} == {
        ("transshipment_ports[1]", "unknown_country"),
        ("port_of_loading", "format"),
        ("shipper.name", "missing"),
        ("consignee.name", "missing"),
    }


def test_consignment_without_bl_number_fails_in_both_modes() -> None:
    for context in (STRICT, LENIENT):
        with pytest.raises(RecordError):
            Consignment.model_validate({"port_of_loading": "ECGYE"}, context=context)


def test_all_container_numbers_adds_those_named_on_goods_lines() -> None:
    bl = Consignment.model_validate(
        {
            "bl_number": "B1",
            "container_numbers": ["CSQU3054383"],
            "goods": [
                {"container_number": "MSKU1234565"},
                {"container_number": "CSQU3054383"},
                {},
            ],
        }
    )
    assert bl.all_container_numbers == ["CSQU3054383", "MSKU1234565"]


def test_manifest_voyage_fields() -> None:
    manifest = Manifest.model_validate(
        {
            "vessel_name": " msc   anna ",
            "vessel_imo": "IMO 9321483",
            "voyage_number": "0425w",
            "carrier_scac": "mscu",
            "port_of_call": "pkkhi",
            "arrival": "2026-11-02T06:00:00",
        }
    )
    assert manifest.vessel_name == "MSC ANNA"
    assert manifest.vessel_imo == "9321483"
    assert manifest.carrier_scac == "MSCU"
    assert manifest.port_of_call == "PKKHI"
    # A naive time is taken as UTC.
    assert manifest.arrival == datetime(2026, 11, 2, 6, tzinfo=UTC)
    assert manifest.reference == "9321483/0425W"
    assert Manifest().reference == "-/-"
    assert Manifest(vessel_name="X").reference == "X/-"


def test_manifest_arrival_with_offset_converted_to_utc() -> None:
    manifest = Manifest.model_validate({"arrival": "2026-11-02T06:00:00+05:00"})
    assert manifest.arrival == datetime(2026, 11, 2, 1, tzinfo=UTC)
    assert manifest.arrival is not None
    assert manifest.arrival.utcoffset() is not None


def test_manifest_imo_check_digit() -> None:
    with pytest.raises(RecordError) as info:
        Manifest.model_validate({"vessel_imo": "9321484"})
    assert info.value.errors()[0]["type"] == "check_digit"
    lenient = Manifest.model_validate({"vessel_imo": "9321484"}, context=LENIENT)
    assert _flags(lenient) == [("vessel_imo", "check_digit", "9321484")]


def test_nested_strict_error_names_the_path() -> None:
    data = {
        "consignments": [
            {"bl_number": "B1"},
            {"bl_number": "B2", "goods": [{"hs_code": "080390"}, {"origin_country": "XX"}]},
        ]
    }
    with pytest.raises(RecordError) as info:
        Manifest.model_validate(data)
    [error] = info.value.errors()
    assert error["loc"] == ("consignments", 1, "goods", 1, "origin_country")
    assert error["input"] == "XX"


def test_nested_lenient_flags_sit_on_the_record_that_holds_the_field() -> None:
    data = {
        "consignments": [{"bl_number": "B1", "goods": [{"origin_country": "XX"}]}],
        "containers": [{"number": "CSQU3054384", "seals": [{"number": "1", "sealer": "?"}]}],
    }
    manifest = Manifest.model_validate(data, context=LENIENT)
    assert manifest.quality_flags == []
    assert _flags(manifest.consignments[0].goods[0]) == [
        ("origin_country", "unknown_country", "XX")
    ]
    assert _flags(manifest.containers[0]) == [("number", "check_digit", "CSQU3054384")]
    assert _flags(manifest.containers[0].seals[0]) == [("sealer", "invalid_value", "?")]


def test_lenient_manifest_drops_records_missing_required_values() -> None:
    data = {
        "consignments": [{"bl_number": "B1"}, {"port_of_loading": "ECGYE"}, {"bl_number": "B3"}],
        "containers": [{"size_type": "22G1"}, {"number": "CSQU3054383"}],
    }
    manifest = Manifest.model_validate(data, context=LENIENT)
    assert [c.bl_number for c in manifest.consignments] == ["B1", "B3"]
    assert [c.number for c in manifest.containers] == ["CSQU3054383"]
    assert {(f.field, f.code) for f in manifest.quality_flags} == {
        ("consignments[1]", "invalid_value"),
        ("containers[0]", "invalid_value"),
    }


def test_duplicates_flagged_on_the_manifest() -> None:
    data = {
        "consignments": [{"bl_number": "B1"}, {"bl_number": "b1"}],
        "containers": [{"number": "CSQU3054383"}, {"number": "CSQU 305438 3"}],
    }
    for context in (STRICT, LENIENT):
        manifest = Manifest.model_validate(data, context=context)
        assert _flags(manifest) == [
            ("consignments[1]", "duplicate", "B1"),
            ("containers[1]", "duplicate", "CSQU3054383"),
        ]


def test_quality_flag_is_frozen_and_strict() -> None:
    flag = QualityFlag(field="number", code="check_digit", value="X", message="m")
    with pytest.raises(ValueError, match="frozen"):  # pydantic's own: not a record's problem
        flag.code = "other"  # type: ignore[misc]
    with pytest.raises(RecordError):
        QualityFlag.model_validate({"field": "f", "code": "c", "message": "m", "extra": 1})


# --- properties ----------------------------------------------------------------------------

_MODELS: list[tuple[type[RecordModel], Any]] = [
    (Party, rst.parties()),
    (Seal, rst.seals()),
    (Container, rst.containers()),
    (GoodsItem, rst.goods_items()),
    (Consignment, rst.consignments()),
    (Manifest, rst.manifests()),
]


@pytest.mark.parametrize(("cls", "strategy"), _MODELS, ids=[m.__name__ for m, _ in _MODELS])
def test_json_round_trip_in_both_modes(cls: type[RecordModel], strategy: Any) -> None:
    @manifest_settings
    @given(strategy)
    def check(model: RecordModel) -> None:
        text = model.model_dump_json()
        for context in (STRICT, LENIENT):
            again = cls.model_validate_json(text, context=context)
            assert again == model
            assert again.model_dump_json() == text

    check()


@manifest_settings
@given(rst.manifest_documents(valid=False))
def test_json_round_trip_of_leniently_read_manifests(doc: dict[str, Any]) -> None:
    manifest = Manifest.model_validate(doc, context=LENIENT)
    again = Manifest.model_validate_json(manifest.model_dump_json(), context=LENIENT)
    assert again == manifest


@manifest_settings
@given(rst.manifest_documents(valid=True))
def test_valid_documents_validate_strictly_without_flags(doc: dict[str, Any]) -> None:
    json.dumps(doc)  # JSON-ready
    manifest = Manifest.model_validate(doc)
    # A valid B/L may name no shipper or consignee: that alone is flagged, in both modes.
    missing = [
        f"{role}.name"
        for c in manifest.consignments
        for role in ("shipper", "consignee")
        if getattr(c, role) is None or getattr(c, role).name is None
    ]
    assert [f.field for f in _all_flags(manifest)] == missing
    assert {f.code for f in _all_flags(manifest)} <= {"missing"}
    assert Manifest.model_validate(doc, context=LENIENT) == manifest
    # Valid documents are canonical: dumping gives them back (with the flags found).
    assert _without_flags(manifest.model_dump(mode="json", exclude_defaults=True)) == doc


@manifest_settings
@given(rst.manifest_documents(valid=False))
def test_invalid_documents_rejected_strict_kept_and_flagged_lenient(doc: dict[str, Any]) -> None:
    json.dumps(doc)
    with pytest.raises(RecordError):
        Manifest.model_validate(doc)
    manifest = Manifest.model_validate(doc, context=LENIENT)
    assert _all_flags(manifest) != []
    # Nothing is removed: every B/L and container of the document is still there.
    assert len(manifest.consignments) == len(doc.get("consignments", []))
    assert len(manifest.containers) == len(doc.get("containers", []))
    for bl, bl_doc in zip(manifest.consignments, doc.get("consignments", []), strict=True):
        assert len(bl.goods) == len(bl_doc.get("goods", []))
        assert len(bl.transshipment_ports) == len(bl_doc.get("transshipment_ports", []))
        assert len(bl.container_numbers) == len(bl_doc.get("container_numbers", []))


@manifest_settings
@given(rst.manifest_documents(valid=False))
def test_lenient_flags_point_at_real_fields(doc: dict[str, Any]) -> None:
    manifest = Manifest.model_validate(doc, context=LENIENT)

    def check(model: BaseModel) -> None:
        if isinstance(model, RecordModel):
            for flag in model.quality_flags:
                name = flag.field.split("[")[0].split(".")[0]
                assert name in type(model).model_fields or flag.code == "unknown_field"
        for name in type(model).model_fields:
            value = getattr(model, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, BaseModel):
                    check(item)

    check(manifest)


@manifest_settings
@given(rst.junk_manifest_documents())
def test_lenient_keeps_every_record_whatever_the_optional_values(doc: dict[str, Any]) -> None:
    manifest = Manifest.model_validate(doc, context=LENIENT)

    def records(key: str, required: str) -> list[Any]:
        # Junk may replace a whole list of records; the records still there are kept.
        items = doc.get(key)
        return (
            [r for r in items if isinstance(r, dict) and required in r]
            if isinstance(items, list)
            else []
        )

    assert len(manifest.consignments) == len(records("consignments", "bl_number"))
    assert len(manifest.containers) == len(records("containers", "number"))
    assert Manifest.model_validate_json(manifest.model_dump_json(), context=LENIENT) == manifest
    try:
        strict = Manifest.model_validate(doc)
    except RecordError:
        return
    # What strict mode accepts, lenient mode reads the same.
    assert strict == manifest


def test_a_mass_no_container_reaches_is_flagged_implausible() -> None:
    from riskprofile import Container

    box = Container.model_validate(
        {"number": "CSQU3054383", "verified_gross_mass_kg": 26_000_000, "tare_kg": 3_800_000}
    )
    assert {(f.field, f.code) for f in box.quality_flags} == {
        ("verified_gross_mass_kg", "implausible"),
        ("tare_kg", "implausible"),
    }
    fine = Container.model_validate(
        {"number": "CSQU3054383", "verified_gross_mass_kg": 30_480, "tare_kg": 3_900}
    )
    assert fine.quality_flags == []


def test_an_empty_party_is_no_party() -> None:
    from riskprofile import Consignment

    bl = Consignment.model_validate(
        {"bl_number": "B1", "freight_payer": {}, "shipper": {"aeo": False}}
    )
    assert bl.freight_payer is None
    assert bl.shipper is not None  # it says something: not an AEO


# --- ranges: what the shipment frame can hold (issue 14) -----------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("packages", 18446744073709551618),
        ("packages", 1_000_000_001),
        ("packages", "9" * 5000),
        ("value", 1e30),
        ("value", "1000000000000000.01"),
        ("value", "0.1234567890123456789012"),
        ("value", "9" * 5000),
        ("gross_weight_kg", 1e30),
        ("net_weight_kg", -1.1e15),
    ],
)
def test_out_of_range_numbers_rejected_strict_dropped_lenient(field: str, value: Any) -> None:
    with pytest.raises(RecordError) as caught:
        GoodsItem.model_validate({field: value})
    assert caught.value.errors()[0]["loc"] == (field,)
    item = GoodsItem.model_validate({field: value, "hs_code": "080390"}, context=LENIENT)
    assert getattr(item, field) is None
    assert [(f.field, f.code) for f in item.quality_flags] == [(field, "invalid_value")]


@pytest.mark.parametrize(
    ("field", "value", "kept"),
    [
        ("packages", 1_000_000_000, 1_000_000_000),
        ("value", "-1000000000000000", Decimal("-1000000000000000")),
        ("value", "0.123456789012345678", Decimal("0.123456789012345678")),
        ("value", "1.500000000000000000000000", Decimal("1.500000000000000000000000")),
        ("value", "0." + "0" * 30, Decimal(0)),
        ("gross_weight_kg", 1e15, 1e15),
    ],
)
def test_numbers_at_the_limits_are_kept(field: str, value: Any, kept: Any) -> None:
    assert getattr(GoodsItem.model_validate({field: value}, context=LENIENT), field) == kept


def test_container_weights_out_of_range() -> None:
    box = Container.model_validate(
        {"number": "CSQU3054383", "verified_gross_mass_kg": 1e300, "tare_kg": "1e16"},
        context=LENIENT,
    )
    assert box.verified_gross_mass_kg is None
    assert box.tare_kg is None
    assert {f.field for f in box.quality_flags} == {"verified_gross_mass_kg", "tare_kg"}


@pytest.mark.parametrize("arrival", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_an_arrival_outside_the_utc_calendar_is_an_error_not_a_crash(arrival: str) -> None:
    """Regression: converting it to UTC raised OverflowError out of validation."""
    with pytest.raises(RecordError, match="out of range in UTC"):
        Manifest.model_validate({"arrival": arrival})
    manifest = Manifest.model_validate({"arrival": arrival}, context=LENIENT)
    assert manifest.arrival is None
    assert [f.code for f in manifest.quality_flags] == ["invalid_value"]


def test_text_longer_than_the_limit_rejected_strict_dropped_lenient() -> None:
    from riskprofile.model._base import MAX_TEXT_CHARS

    long = "SAID TO CONTAIN " * (MAX_TEXT_CHARS // 16 + 1)
    with pytest.raises(RecordError, match="at most 10000 characters"):
        GoodsItem.model_validate({"description": long})
    item = GoodsItem.model_validate({"description": long, "hs_code": "080390"}, context=LENIENT)
    assert item.description is None
    assert [(f.field, f.code) for f in item.quality_flags] == [("description", "invalid_value")]
    assert item.quality_flags[0].value is not None
    assert len(item.quality_flags[0].value) <= 203  # the flag shows the start of it
    padded = " " * MAX_TEXT_CHARS + "FAK" + " " * MAX_TEXT_CHARS
    assert GoodsItem.model_validate({"description": padded}).description == "FAK"
