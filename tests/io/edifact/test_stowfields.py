"""The stow plan joined to a batch: the ``stowplan_*`` fields, and what is on one side only."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import score
from riskprofile.cli import main
from riskprofile.io import read_batch, read_frame, read_manifests
from riskprofile.io.edifact import (
    StowedUnit,
    StowPlan,
    compare_stowplan,
    join_stowplan,
    read_stowplan,
    with_stowplan_shipments,
)
from riskprofile.model import Manifest, Shipment, flatten
from riskprofile.model.frame import shipment_frame
from riskprofile.model.shipment import STOWPLAN_FIELDS
from riskprofile.output import text_table, to_json
from riskprofile.profiles import load_profiles
from tests.depth import depth
from tests.profile_memo import TARGETS, load_once
from tests.strategies import container_numbers, locodes, manifests, size_type_codes

DATA = Path(__file__).resolve().parents[2] / "data" / "edifact"
PLAN = DATA / "baplie-smdg22.edi"
CUSCAR = Path(__file__).resolve().parents[3] / "examples" / "data" / "karachi-cuscar.edi"

PROFILE = """\
id: test.stowplan
version: 1
title: Stow plan against the manifest
category: other
owner: tests
indicators:
  - id: mass
    title: Heavier in the plan
    when: (stowplan_mass_gap_ratio ?? 0) > 0.1
    weight: 20
  - id: absent
    title: Not on board
    when: stowplan_present == false
    weight: 5
  - id: dg
    title: Dangerous goods not declared
    when: stowplan_dg_undeclared == true
    weight: 30
bands:
  - {min_score: 20, lane: yellow}
"""


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch, *TARGETS, f"{__name__}.load_profiles")


def _fields(shipment: Shipment) -> dict[str, Any]:
    return {name: getattr(shipment, name) for name in STOWPLAN_FIELDS}


def _units(plan: StowPlan, **changes: dict[str, Any]) -> StowPlan:
    """The plan with some units changed, by container number."""
    units = [replace(u, **changes.get(u.container_number or "", {})) for u in plan.units]
    return replace(plan, units=units)


def test_the_karachi_call_against_its_plan() -> None:
    batch = read_batch(CUSCAR)
    shipments, check = with_stowplan_shipments(batch.shipments, PLAN)
    by_box = {s.container_number: s for s in shipments}
    reefer = by_box["MSKU9070323"]
    assert _fields(reefer) | {} == {
        "stowplan_present": True,
        "stowplan_position": "0020182",
        "stowplan_size_type": "45R1",
        "stowplan_vgm_kg": 18250.5,
        "stowplan_mass_gap_ratio": 0.0,
        "stowplan_full": True,
        "stowplan_full_empty_mismatch": False,
        "stowplan_port_of_loading": "CNSHA",
        "stowplan_port_of_discharge": "PKKHI",
        "stowplan_pol_mismatch": False,
        "stowplan_pod_mismatch": False,
        "stowplan_dg_classes": [],
        "stowplan_un_numbers": [],
        "stowplan_dg_undeclared": False,
        "stowplan_reefer_celsius": -18.0,
        "stowplan_reefer_mismatch": False,
        # The cargo report sets it at -18 °C too (its TMP).
        "stowplan_reefer_gap_celsius": 0.0,
        "stowplan_reefer_setting_differs": False,
    }
    # On board and on no manifest: listed (it is no shipment); the empty box discharged
    # at Nhava Sheva is another port's cargo.
    assert [(u.container_number, u.position) for u in check.not_manifested] == [
        ("TGHU1234567", "0060484")
    ]
    assert (check.units, check.matched, check.discharged_elsewhere) == (4, 2, 1)
    assert check.not_on_board == ()
    assert check.warnings == [
        "1 container on board and on no manifest of the batch: TGHU1234567 (0060484)"
    ]


def test_the_frame_reader_and_the_objects_get_the_same_fields() -> None:
    frame, frame_check = join_stowplan(read_frame(CUSCAR).frame, PLAN)
    shipments, check = with_stowplan_shipments(read_batch(CUSCAR).shipments, PLAN)
    assert frame.select(STOWPLAN_FIELDS).equals(shipment_frame(shipments).select(STOWPLAN_FIELDS))
    assert frame_check == check


def test_without_a_plan_the_fields_are_null_and_lists_empty() -> None:
    frame = read_frame(CUSCAR).frame
    for name in STOWPLAN_FIELDS:
        column = frame.get_column(name)
        if column.dtype == pl.List(pl.String):
            assert column.list.len().to_list() == [0] * frame.height
        else:
            assert column.null_count() == frame.height, name
    for shipment in read_batch(CUSCAR).shipments:
        assert _fields(shipment) == _fields(Shipment())
    run = score(CUSCAR, load_profiles(bundled=True), as_of="2026-12-08")
    assert run.stowplan is None
    assert "stowplan" not in json.loads(to_json(run))["audit"]


def test_each_planted_mismatch_sets_its_field() -> None:
    plan = _units(
        read_stowplan(PLAN),
        # The phones box: 30 % heavier, said empty, discharged elsewhere, loaded elsewhere,
        # dangerous goods the description does not name, a set temperature on a dry box.
        CSQU3054383={
            "gross_mass_kg": 24500.0 * 1.3,
            "full": False,
            "port_of_discharge": "IRBND",
            "port_of_loading": "CNSHA",
            "dangerous_goods": (("1.1D", "0081"),),
            "reefer_celsius": 5.0,
        },
        MSKU9070323={"container_number": None},  # the reefer is not on board
    )
    shipments, check = with_stowplan_shipments(read_batch(CUSCAR).shipments, plan)
    by_box = {s.container_number: s for s in shipments}
    phones = by_box["CSQU3054383"]
    assert phones.stowplan_mass_gap_ratio == pytest.approx(0.3)
    assert phones.stowplan_full_empty_mismatch is True
    assert phones.stowplan_pod_mismatch is True
    assert phones.stowplan_pol_mismatch is True
    assert (phones.stowplan_dg_classes, phones.stowplan_un_numbers) == (["1.1D"], ["0081"])
    assert phones.stowplan_dg_undeclared is True
    assert phones.stowplan_reefer_mismatch is True
    fish = by_box["MSKU9070323"]
    assert fish.stowplan_present is False
    assert {k: v for k, v in _fields(fish).items() if k != "stowplan_present"} == {
        k: v for k, v in _fields(Shipment()).items() if k != "stowplan_present"
    }
    assert check.not_on_board == ("MSKU9070323",)
    assert check.unnumbered == 1


@pytest.mark.parametrize(
    ("description", "dangerous_goods", "undeclared"),
    [
        ("PAINT UN 1263 CLASS 3", (("3", "1263"),), False),
        ("PAINT UN1263", (("3", "1263"),), False),
        ("PAINT UN1993", (("3", "1263"),), True),  # another UN number than the plan's
        ("PAINT, IMO CLASS 3", (("3", "1263"),), True),  # the plan's number is not named
        ("PAINT, IMO CLASS 3", (("3", None),), False),  # the plan gives no number
        ("HAZARDOUS PAINT", (("3", None),), False),
        ("GENERAL CARGO", (("3", None),), True),
        (None, (("3", "1263"),), True),
        ("GENERAL CARGO", (), False),
    ],
)
def test_dangerous_goods_undeclared(
    description: str | None,
    dangerous_goods: tuple[tuple[str | None, str | None], ...],
    undeclared: bool,
) -> None:
    shipment = Shipment(container_number="CSQU3054383", description=description)
    unit = StowedUnit("0020182", "CSQU3054383", dangerous_goods=dangerous_goods)
    (joined,), _ = with_stowplan_shipments([shipment], StowPlan("plan.edi", units=[unit]))
    assert joined.stowplan_dg_undeclared is undeclared


def test_a_plan_of_another_call_is_said_out_loud() -> None:
    plan = StowPlan(
        "other.edi", vessel="MSC ANNA", units=[StowedUnit("0010101", "MSKU1234565", full=True)]
    )
    shipments, check = with_stowplan_shipments(read_batch(CUSCAR).shipments, plan)
    assert all(s.stowplan_present is False for s in shipments)
    assert check.matched == 0
    warnings = check.warnings
    assert any("no container of the stow plan other.edi (1 units)" in w for w in warnings)
    assert any("is for vessel 'MSC ANNA', the batch for 'MAERSK ESSEN'" in w for w in warnings)
    empty = StowPlan("empty.edi")
    assert "has no container on board" in with_stowplan_shipments([], empty)[1].warnings[0]


def test_numbers_are_matched_whatever_their_spacing_and_case() -> None:
    shipment = Shipment(container_number="CSQU3054383")
    unit = StowedUnit("0020182", "csqu 305438 3")
    (joined,), check = with_stowplan_shipments([shipment], StowPlan("p.edi", units=[unit]))
    assert joined.stowplan_present is True
    assert check.matched == 1


def test_a_container_on_board_twice_is_said_and_read_from_its_first_place() -> None:
    units = [StowedUnit("0020182", "CSQU3054383"), StowedUnit("0040382", "CSQU3054383")]
    (joined,), check = with_stowplan_shipments(
        [Shipment(container_number="CSQU3054383")], StowPlan("p.edi", units=units)
    )
    assert joined.stowplan_position == "0020182"
    assert check.on_board_twice == ("CSQU3054383",)
    assert any("more than one location" in w for w in check.warnings)


@pytest.mark.parametrize("engine", ["rowwise", "columnar"])
def test_score_with_a_plan_in_both_engines(engine: str, tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    plan = _units(read_stowplan(PLAN), CSQU3054383={"gross_mass_kg": 40000.0})
    run = score(CUSCAR, profiles, as_of="2026-12-08", engine=engine, stowplan=plan)
    reference = score(
        read_batch(CUSCAR).shipments, profiles, as_of="2026-12-08", engine="rowwise",
        stowplan=plan,
    )  # fmt: skip
    hits = {(s.shipment.container_number, h.indicator_id) for s in run.shipments for h in s.hits}
    assert hits == {("CSQU3054383", "mass")}
    assert run.stowplan is not None
    assert run.stowplan == reference.stowplan
    audit = json.loads(to_json(run))["audit"]["stowplan"]
    assert [u["container_number"] for u in audit["not_manifested"]] == ["TGHU1234567"]
    assert "on board and on no manifest (not scored" in text_table(run)
    shown = run._repr_html_()
    assert "on board and on no manifest: 1</b>" in shown
    assert "TGHU1234567 at 0060484" in shown
    ours, theirs = json.loads(to_json(run)), json.loads(to_json(reference))
    assert (ours["containers"], ours["hits"]) == (theirs["containers"], theirs["hits"])


def test_the_command_line_joins_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    outs = []
    for engine in ("auto", "rowwise"):
        argv = ["score", str(CUSCAR), "--stowplan", str(PLAN), "--as-of", "2026-12-08",
                "--engine", engine, "--format", "json"]  # fmt: skip
        assert main(argv) == 0
        out, err = capsys.readouterr()
        outs.append(out)
        assert "warning: 1 container on board and on no manifest of the batch" in err
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["audit"]["stowplan"]["matched"] == 2
    assert main(["score", str(CUSCAR), "--stowplan", str(PLAN), "--as-of", "2026-12-08"]) == 0
    out = capsys.readouterr().out
    assert "stow plan" in out
    assert "TGHU1234567  position 0060484" in out


# --- the fields against compare_stowplan's discrepancies ----------------------------------


@st.composite
def _plans(draw: st.DrawFn, manifest: Manifest) -> StowPlan:
    """A plan for ``manifest``: most of its containers on board, each with its declared
    details or others, and a few containers it does not have."""
    declared = {box.number: box for box in manifest.containers}
    numbers = list(declared)
    for bill in manifest.consignments:
        numbers += [n for n in bill.all_container_numbers if n not in numbers]
    ports = [manifest.port_of_call, *(b.port_of_discharge for b in manifest.consignments)]
    pols = [b.port_of_loading for b in manifest.consignments]
    others = st.lists(container_numbers(), max_size=2, unique=True).map(
        lambda ns: [n for n in ns if n not in numbers]
    )
    units = []
    for position, number in enumerate(numbers + draw(others)):
        if number in declared and not draw(st.integers(0, 5)):
            continue  # not on board
        box = declared.get(number)
        vgm = box.verified_gross_mass_kg if box is not None else None
        setting = box.reefer_celsius if box is not None else None
        mass = draw(
            st.one_of(
                st.none(),
                st.just(vgm),
                st.floats(0, 40_000, allow_nan=False),
                st.sampled_from([0.95, 1.04, 1.06, 1.5]).map(
                    lambda f, vgm=vgm: None if vgm is None else vgm * f
                ),
            )
        )  # fmt: skip
        units.append(
            StowedUnit(
                position=f"{position:07d}",
                container_number=number,
                size_type=draw(st.one_of(st.none(), size_type_codes())),
                full=draw(st.one_of(st.none(), st.booleans())),
                gross_mass_kg=mass,
                port_of_loading=draw(st.one_of(st.none(), st.sampled_from(pols or [None]),
                                               locodes())),
                port_of_discharge=draw(st.one_of(st.none(), st.sampled_from(ports), locodes())),
                reefer_celsius=draw(st.one_of(st.none(), st.just(-18.0), st.sampled_from(
                    [setting + 0.5, setting + 3.0] if setting is not None else [5.0]))),
            )
        )  # fmt: skip
    return StowPlan("plan.edi", vessel=manifest.vessel_name, units=units)


def _keys(shipments: list[Shipment], field: str) -> set[tuple[str | None, str | None]]:
    return {(s.container_number, s.bl_number) for s in shipments if getattr(s, field) is True}


@settings(max_examples=depth(100), suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.data())
def test_the_fields_say_what_compare_stowplan_says(manifest: Manifest, data: st.DataObject) -> None:
    plan = data.draw(_plans(manifest))
    shipments, check = with_stowplan_shipments(flatten(manifest), plan)
    found = compare_stowplan([manifest], plan)

    def kind(name: str) -> set[str]:
        return {d.container_number for d in found if d.kind == name}

    def per_bill(name: str) -> set[tuple[str | None, str | None]]:
        # d.bl_numbers lists every B/L naming the container; the detail names the one.
        return {(d.container_number, d.detail.split()[1]) for d in found if d.kind == name}

    if shipments:
        assert {u.container_number for u in check.not_manifested} == kind("not_manifested")
    else:  # a call with nothing declared: no port of call to tell other ports' cargo by
        assert len(check.not_manifested) == len(plan.units)
    assert set(check.not_on_board) == kind("not_on_board")
    assert {s.container_number for s in shipments if s.stowplan_present is False} == kind(
        "not_on_board"
    )
    assert {s.container_number for s in shipments if s.stowplan_full_empty_mismatch} == kind(
        "full_empty_differs"
    )
    assert {s.container_number for s in shipments if s.stowplan_reefer_mismatch} == kind(
        "reefer_setting_on_dry_box"
    )
    assert {s.container_number for s in shipments if s.stowplan_reefer_setting_differs} == kind(
        "reefer_setting_differs"
    )
    assert _keys(shipments, "stowplan_pod_mismatch") == per_bill("port_of_discharge_differs")
    assert _keys(shipments, "stowplan_pol_mismatch") == per_bill("port_of_loading_differs")
    for s in shipments:
        # With a declared VGM both measure the gap against it (away from the edge, where
        # the two ways of writing it may round apart).
        ratio = s.stowplan_mass_gap_ratio
        vgm = s.verified_gross_mass_kg
        if ratio is None or vgm is None or vgm < 1 or abs(abs(ratio) - 0.05) < 1e-9:
            continue
        assert (abs(ratio) > 0.05) == (s.container_number in kind("mass_differs"))


def test_the_documented_example_runs_on_a_manifest_read_from_cuscar() -> None:
    manifests_read = list(read_manifests(CUSCAR))
    found = compare_stowplan(manifests_read, read_stowplan(PLAN))
    assert [d.kind for d in found] == ["not_manifested"]


def _one_box(tare: float | None, size_type: str | None) -> Manifest:
    return Manifest.model_validate(
        {
            "vessel_name": "MAERSK ESSEN",
            "voyage_number": "0425W",
            "port_of_call": "PKKHI",
            "containers": [
                {"number": "CSQU3054383", "full": False, "tare_kg": tare, "size_type": size_type}
            ],
            "consignments": [{"bl_number": "MAEU1", "container_numbers": ["CSQU3054383"]}],
        }
    )


@pytest.mark.parametrize(
    ("tare", "planned", "differs"),
    [(0.0, 4_500.0, True), (None, 4_500.0, False), (2_000.0, 3_100.0, True)],
)
def test_an_empty_box_heavy_in_the_plan_counts_a_zero_tare(
    tare: float | None, planned: float, differs: bool
) -> None:
    # A tare of 0 is a tare (the margin is over it), not a missing one (4,000 kg).
    manifest = _one_box(tare, "22G1")
    plan = StowPlan("p.edi", units=[StowedUnit("0020182", "CSQU3054383", gross_mass_kg=planned)])
    kinds = [d.kind for d in compare_stowplan([manifest], plan)]
    assert ("full_empty_differs" in kinds) is differs
    (shipment,), _ = with_stowplan_shipments(flatten(manifest), plan)
    assert shipment.stowplan_full_empty_mismatch is differs


@pytest.mark.parametrize(
    ("plan_code", "declared_code", "dry"),
    [
        ("22G1", "22R1", True),  # the plan's code first
        ("22R1", "22G1", False),
        ("2240", None, False),  # legacy 4x: heated or refrigerated, a reefer
        ("2232", None, False),
        (None, "45R1", False),
        (None, "45G1", True),
        ("XXXX", "45G1", True),  # a code that says nothing: the manifest's
        ("XXXX", None, None),  # nothing to tell by
    ],
)
def test_a_reefer_setting_on_a_dry_box(
    plan_code: str | None, declared_code: str | None, dry: bool | None
) -> None:
    manifest = _one_box(2_000.0, declared_code)
    unit = StowedUnit("0020182", "CSQU3054383", size_type=plan_code, reefer_celsius=-18.0)
    plan = StowPlan("p.edi", units=[unit])
    kinds = [d.kind for d in compare_stowplan([manifest], plan)]
    assert ("reefer_setting_on_dry_box" in kinds) is bool(dry)
    (shipment,), _ = with_stowplan_shipments(flatten(manifest), plan)
    assert shipment.stowplan_reefer_mismatch is dry
