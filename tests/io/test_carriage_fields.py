"""The dangerous goods (UN number, IMDG class), reefer set temperature and pre- and
on-carriage fields: checked by the model against their standards, read alike by the
model path and the column-wise reader from flat files and CUSCAR, written back, and
usable in rules by both engines."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from riskprofile import load_profiles, score
from riskprofile.io import read_batch, read_frame
from riskprofile.io.edifact import (
    StowedUnit,
    StowPlan,
    compare_stowplan,
    with_stowplan_shipments,
    write_cuscar,
)
from riskprofile.model._base import LENIENT
from riskprofile.model.codes import (
    imdg_class_problem,
    normalise_imdg_class,
    normalise_transport_mode,
    normalise_un_number,
    transport_mode_problem,
    un_number_problem,
)
from riskprofile.model.frame import shipment_frame
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Manifest
from riskprofile.model.shipment import flatten
from tests.io.test_columnar import assert_same_as_models

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "karachi-sample.csv"


@pytest.mark.parametrize(
    ("written", "code", "problem"),
    [
        ("UN 1263", "1263", None),
        ("un1090", "1090", None),
        ("0004", "0004", None),
        ("12", "12", "format"),
        ("0000", "0000", "format"),
        ("12345", "12345", "format"),
    ],
)
def test_un_numbers_are_four_digits(written: str, code: str, problem: str | None) -> None:
    assert normalise_un_number(written) == code
    found = un_number_problem(code)
    assert (found.code if found else None) == problem


@pytest.mark.parametrize(
    ("written", "code", "problem"),
    [
        ("3", "3", None),
        ("class 6.1", "6.1", None),
        ("1.4 s", "1.4S", None),
        ("2,1", "2.1", None),
        ("4", "4", "format"),  # class 4 has divisions only
        ("6.3", "6.3", "format"),
        ("10", "10", "format"),
        ("1.4X", "1.4X", "format"),
    ],
)
def test_imdg_classes_come_from_the_imdg_list(written: str, code: str, problem: str | None) -> None:
    assert normalise_imdg_class(written) == code
    found = imdg_class_problem(code)
    assert (found.code if found else None) == problem


@pytest.mark.parametrize(
    ("written", "code", "problem"),
    [("3", "3", None), ("Road", "3", None), ("rail", "2", None), ("barge", "8", None),
     ("12", "12", "format"), ("X", "X", "format")],
)  # fmt: skip
def test_modes_of_transport_are_rec_19_codes(written: str, code: str, problem: str | None) -> None:
    assert normalise_transport_mode(written) == code
    found = transport_mode_problem(code)
    assert (found.code if found else None) == problem


def test_strict_refuses_and_lenient_flags_a_bad_value() -> None:
    with pytest.raises(ValueError, match="UN number"):
        GoodsItem.model_validate({"un_number": "12"})
    with pytest.raises(ValueError, match="reefer"):
        Container.model_validate({"number": "CSQU3054383", "reefer_celsius": 150})
    item = GoodsItem.model_validate({"un_number": "12", "imdg_class": "4"}, context=LENIENT)
    assert [(f.field, f.code) for f in item.quality_flags] == [
        ("un_number", "format"),
        ("imdg_class", "format"),
    ]
    box = Container.model_validate(
        {"number": "CSQU3054383", "reefer_celsius": "-300"}, context=LENIENT
    )
    assert box.reefer_celsius is None
    assert [(f.field, f.code) for f in box.quality_flags] == [("reefer_celsius", "invalid_value")]
    bill = Consignment.model_validate({"bl_number": "X", "pre_carriage_mode": "ROAD"})
    assert bill.pre_carriage_mode == "3"


def _manifest() -> Manifest:
    return Manifest.model_validate(
        {
            "vessel_name": "KOTA NABIL",
            "voyage_number": "730W",
            "port_of_call": "PKKHI",
            "consignments": [
                {
                    "bl_number": "BL1",
                    "shipper": {"name": "PAINTS LLC"},
                    "consignee": {"name": "KHAN TRADERS"},
                    "pre_carriage_mode": "2",
                    "on_carriage_mode": "3",
                    "container_numbers": ["CSQU3054383"],
                    "goods": [
                        {"description": "PAINT", "un_number": "1263", "imdg_class": "3"},
                        {"description": "RESIN", "un_number": "1866", "imdg_class": "3"},
                    ],
                },
                {
                    "bl_number": "BL2",
                    "shipper": {"name": "FISH CO"},
                    "consignee": {"name": "COLD STORE"},
                    "container_numbers": ["MSKU9070323"],
                    "goods": [{"description": "FROZEN FISH", "hs_code": "030389"}],
                },
            ],
            "containers": [
                {"number": "CSQU3054383", "size_type": "22G1"},
                {"number": "MSKU9070323", "size_type": "45R1", "reefer_celsius": -18.5},
            ],
        }
    )


def test_the_shipment_carries_the_new_fields() -> None:
    paint, fish = flatten(_manifest())
    assert (paint.un_numbers, paint.imdg_classes) == (["1263", "1866"], ["3"])
    assert (paint.pre_carriage_mode, paint.on_carriage_mode) == ("2", "3")
    assert paint.container_reefer_celsius is None
    assert fish.container_reefer_celsius == -18.5
    assert (fish.un_numbers, fish.imdg_classes, fish.on_carriage_mode) == ([], [], None)


def test_both_flat_readers_read_and_flag_the_new_columns_alike(tmp_path: Path) -> None:
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        base = next(csv.DictReader(handle))
    changes = [
        {"un_number": "UN 1263", "imdg_class": "3", "container_reefer_celsius": "-18.5",
         "pre_carriage_mode": "road", "on_carriage_mode": "8"},
        {"un_number": "12", "imdg_class": "4", "container_reefer_celsius": "-300",
         "pre_carriage_mode": "X", "on_carriage_mode": ""},
        {"un_number": "", "imdg_class": "1.4S", "container_reefer_celsius": "abc"},
    ]  # fmt: skip
    numbers = ["TSTU0000001", "TSTU0000012", "TSTU0000028"]
    path = tmp_path / "dg.csv"
    rows = [
        {**base, "bl_number": f"BL{n}", "container_number": numbers[n], **change}
        for n, change in enumerate(changes)
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    fast = assert_same_as_models(path, strictness="lenient")
    assert fast.rows_via_models == 0  # computed column-wise, not handed over
    frame = fast.frame.sort("bl_number")
    assert frame["un_numbers"].to_list() == [["1263"], ["12"], []]
    assert frame["imdg_classes"].to_list() == [["3"], ["4"], ["1.4S"]]
    assert frame["container_reefer_celsius"].to_list() == [-18.5, None, None]
    assert frame["pre_carriage_mode"].to_list() == ["3", "X", None]
    assert frame["on_carriage_mode"].to_list() == ["8", None, None]
    flags = frame["quality_flags"].to_list()
    assert {"goods_un_number:format", "goods_imdg_class:format", "pre_carriage_mode:format",
            "container_reefer_celsius:invalid_value"} <= set(flags[1])  # fmt: skip
    assert "container_reefer_celsius:invalid_value" in flags[2]


@pytest.mark.parametrize("directory", ["D00B", "D95B"])
def test_cuscar_carries_them_both_ways(tmp_path: Path, directory: str) -> None:
    path = tmp_path / "day.edi"
    text = write_cuscar([_manifest()], directory=directory)
    assert "TMP+2+-18.5:CEL'" in text
    assert "DGS+IMD+3+1263'" in text
    assert "TDT+10++2'" in text
    assert "TDT+30++3'" in text
    path.write_text(text, encoding="utf-8")
    reference = read_batch(path)
    assert not reference.rejected
    assert [s.model_dump() for s in reference.shipments] == [
        s.model_dump() for s in flatten(_manifest())
    ]
    fast = read_frame(path)
    assert fast.rows_via_models == 0
    assert fast.frame.equals(shipment_frame(reference.shipments))


def test_a_fahrenheit_setting_is_converted_on_both_paths(tmp_path: Path) -> None:
    text = write_cuscar([_manifest()]).replace("TMP+2+-18.5:CEL'", "TMP+2+0:FAH'")
    path = tmp_path / "fah.edi"
    path.write_text(text, encoding="utf-8")
    reference = read_batch(path)
    assert [s.container_reefer_celsius for s in reference.shipments] == [None, -17.78]
    fast = read_frame(path)
    assert fast.frame["container_reefer_celsius"].to_list() == [None, -17.78]


def test_a_bad_dgs_is_flagged_with_its_place(tmp_path: Path) -> None:
    text = write_cuscar([_manifest()]).replace("DGS+IMD+3+1263'", "DGS+IMD+4+12'")
    path = tmp_path / "bad.edi"
    path.write_text(text, encoding="utf-8")
    strict = read_batch(path, strictness="strict")
    assert len(strict.rejected) == 1
    assert "un_number" in str(strict.rejected[0])
    lenient = read_batch(path, strictness="lenient")
    assert {"goods_un_number:format", "goods_imdg_class:format"} <= set(
        lenient.shipments[0].quality_flags
    )
    assert read_frame(path, strictness="lenient").frame.equals(shipment_frame(lenient.shipments))


PROFILE = """\
id: test.dg
version: 1
title: Dangerous goods and carriage
category: other
owner: tests
indicators:
  - id: flammable
    title: Class 3 declared
    when: '"3" in imdg_classes'
    weight: 20
  - id: paint
    title: UN 1263
    when: '"1263" in un_numbers'
    weight: 5
  - id: frozen
    title: Set below -10
    when: (container_reefer_celsius ?? 0) < -10
    weight: 7
  - id: by-road
    title: On-carriage by road
    when: on_carriage_mode == "3"
    weight: 3
bands:
  - {min_score: 1, lane: blue}
"""


def test_rules_on_them_give_the_same_hits_in_both_engines(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "dg.yaml").write_text(PROFILE, encoding="utf-8")
    profiles = load_profiles(tmp_path / "profiles")
    shipments = flatten(_manifest())
    runs = [
        score(shipments, profiles, as_of=dt.date(2026, 12, 8), engine=engine)
        for engine in ("rowwise", "columnar")
    ]
    hits = [
        {r.shipment_id: sorted(h.indicator_id for h in r.hits) for r in run.shipments}
        for run in runs
    ]
    assert hits[0] == hits[1]
    assert list(hits[0].values()) == [["by-road", "flammable", "paint"], ["frozen"]]


def _plan(**units: dict[str, object]) -> StowPlan:
    return StowPlan(
        "plan.edi",
        vessel="KOTA NABIL",
        units=[
            StowedUnit(f"00{n}0182", number, **fields)  # type: ignore[arg-type]
            for n, (number, fields) in enumerate(units.items())
        ],
    )


@pytest.mark.parametrize(
    ("dangerous_goods", "undeclared"),
    [
        ((("3", "1263"),), False),  # the manifest's DGS names UN 1263
        ((("3", "1090"),), False),  # another number of a class the manifest declares
        ((("8", "1789"),), True),  # corrosives the manifest does not mention
        ((("8", ""),), False),  # no number: the manifest declares dangerous goods
    ],
)
def test_the_manifests_dangerous_goods_count_against_the_plan(
    dangerous_goods: tuple[tuple[str, str], ...], undeclared: bool
) -> None:
    plan = _plan(CSQU3054383={"dangerous_goods": dangerous_goods}, MSKU9070323={})
    shipments, _check = with_stowplan_shipments(flatten(_manifest()), plan)
    paint, fish = shipments
    assert paint.stowplan_dg_undeclared is undeclared
    assert fish.stowplan_dg_undeclared is False


@pytest.mark.parametrize(
    ("planned", "differs", "gap"),
    [
        (-18.0, False, 0.5),
        (-19.0, False, -0.5),
        (-17.0, True, 1.5),
        (2.0, True, 20.5),
        (None, True, None),
    ],  # declared: -18.5 °C
)
def test_a_reefer_set_otherwise_than_declared(
    planned: float | None, differs: bool, gap: float | None
) -> None:
    plan = _plan(CSQU3054383={}, MSKU9070323={"size_type": "45R1", "reefer_celsius": planned})
    manifest = _manifest()
    shipments, _check = with_stowplan_shipments(flatten(manifest), plan)
    dry, fish = shipments
    assert fish.stowplan_reefer_setting_differs is differs
    assert fish.stowplan_reefer_gap_celsius == gap
    assert dry.stowplan_reefer_setting_differs is None  # nothing declared for it
    kinds = [(d.kind, d.container_number) for d in compare_stowplan([manifest], plan)]
    assert (("reefer_setting_differs", "MSKU9070323") in kinds) is differs
