"""BAPLIE 3 (SMDG 3.x, the message's revision 7 on D.13A and later): the segment tables,
the reader, the writer, and the cross-check on such a plan."""

from __future__ import annotations

import gc
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.errors import ArgumentError
from riskprofile.io import read_frame, read_manifests
from riskprofile.io.edifact import (
    BAPLIE_VERSIONS,
    StowedUnit,
    StowPlan,
    baplie_table,
    compare_stowplan,
    join_stowplan,
    open_envelopes,
    place_segments,
    read_stowplan,
    tokenize,
    with_stowplan_shipments,
    write_baplie,
)
from riskprofile.model import Manifest, flatten
from riskprofile.model.shipment import STOWPLAN_FIELDS
from tests.depth import depth
from tests.io.edifact.test_stowfields import _plans
from tests.io.edifact.test_stowplan import _unit_lists
from tests.profile_memo import load_once
from tests.strategies import manifests

DATA = Path(__file__).resolve().parents[2] / "data" / "edifact"
SMDG22 = DATA / "baplie-smdg22.edi"
SMDG31 = DATA / "baplie-smdg31.edi"
CUSCAR = Path(__file__).resolve().parents[3] / "examples" / "data" / "karachi-cuscar.edi"


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


def _bare(plan: StowPlan) -> list[StowedUnit]:
    """The units without where they were read (message, segment)."""
    return [replace(u, message=None, segment=None) for u in plan.units]


def _write(tmp_path: Path, text: str, name: str = "plan.edi") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_baplie3_sample_gives_the_units_of_the_baplie2_sample() -> None:
    # The same four containers written in each layout: the 3.x file uses every group of
    # the D.13B table (RFF-DTM, NAD-CTA-COM, TDT-LOC-DTM, UNS, the location's FTX/RFF,
    # the equipment's NAD/MEA/HAN/DIM/RFF, its ports, TMP-RNG, EQA, DGS-ATT-MEA-FTX-CTA).
    three, two = read_stowplan(SMDG31), read_stowplan(SMDG22)
    assert three.problems == []
    assert (three.vessel, three.voyage) == ("MAERSK ESSEN", "0425W")
    assert _bare(three) == _bare(two)
    reefer, _, dg, empty = three.units
    assert (reefer.reefer_celsius, reefer.gross_mass_kg, reefer.operator) == (-18.0, 18250.5, "MAE")
    assert dg.gross_mass_kg == 21400.0  # MEA+AAE+AET when there is no VGM
    assert dg.dangerous_goods == (("3", "1263"),)  # the DGS group's own MEA is not the box's
    assert (empty.full, empty.port_of_discharge) == (False, "INNSA")
    # A lost slot (no equipment, FTX+AGW, RFF+EQ naming the box that takes it) is no
    # missing container: listed apart, not a problem.
    assert three.empty_locations == ["0010182"]
    assert [u.segment for u in three.units] == [16, 28, 36, 49]


def test_every_segment_of_the_sample_is_placed_in_its_group() -> None:
    tokens = tokenize(SMDG31.read_text(encoding="utf-8"))
    (message,) = open_envelopes(tokens).messages
    root, problems = place_segments(message, baplie_table(message.directory))
    assert problems == []
    assert [len(root.groups[g]) for g in ("SG1", "SG2", "SG4", "SG6")] == [1, 1, 1, 5]
    dg_box = root.groups["SG6"][2].groups["SG7"][0]
    (goods,) = dg_box.groups["SG11"]
    assert sorted(goods.segments) == ["ATT", "DGS", "FTX", "MEA"]
    assert sorted(goods.groups) == ["SG12"]
    assert sorted(root.groups["SG6"][0].groups["SG7"][0].groups) == ["SG10", "SG8", "SG9"]


@pytest.mark.parametrize(
    ("directory", "table"),
    [
        ("D13A", "D13B"),
        ("D13B", "D13B"),
        ("D16A", "D13B"),
        ("D17B", "D13B"),
        ("D20B", "D13B"),
        ("D21A", "D21A"),
        ("D24A", "D21A"),
        ("D95B", "D95B"),
        ("D04B", "D95B"),
        ("D12B", "D95B"),
        ("1911", "D95B"),  # SMDG 1.5: BAPLIE:1:911
        ("", "D95B"),
    ],
)
def test_each_directory_is_read_with_its_table(directory: str, table: str) -> None:
    assert baplie_table(directory).directory == table


@pytest.mark.parametrize(
    ("directory", "association", "table"),
    [
        ("D13B", "SMDG22", "D95B"),  # a 2.x message sent on a newer directory
        ("D16A", "SMDG20", "D95B"),
        ("D95B", "SMDG31", "D13B"),  # a 3.x message on an older one
        ("D22A", "SMDG31", "D21A"),
        ("D13B", "SMDG31", "D13B"),
        ("D95B", "SMDG15", "D95B"),
        ("D16A", "ACME1", "D13B"),  # not an SMDG manual: the directory decides
        ("D16A", None, "D13B"),
    ],
)
def test_the_smdg_manual_named_in_unh_says_the_layout(
    directory: str, association: str | None, table: str
) -> None:
    assert baplie_table(directory, association).directory == table


def test_a_message_labelled_with_another_directory_is_read_by_its_smdg_manual(
    tmp_path: Path,
) -> None:
    two = SMDG22.read_text(encoding="utf-8").replace(
        "BAPLIE:D:95B:UN:SMDG22", "BAPLIE:D:13B:UN:SMDG22"
    )
    three = SMDG31.read_text(encoding="utf-8").replace(
        "BAPLIE:D:13B:UN:SMDG31", "BAPLIE:D:95B:UN:SMDG31"
    )
    for text, sample in ((two, SMDG22), (three, SMDG31)):
        plan = read_stowplan(_write(tmp_path, text))
        assert plan.problems == []
        assert _bare(plan) == _bare(read_stowplan(sample))


def test_a_d21a_plan_reads_the_att_segments_the_d13b_table_has_no_place_for(
    tmp_path: Path,
) -> None:
    text = SMDG31.read_text(encoding="utf-8")
    text = text.replace("LOC+147+0040382:9711:5'\n", "LOC+147+0040382:9711:5'\nATT+9+STW'\n")
    text = text.replace("HAN+KC:HANDLING:306'\n", "HAN+KC:HANDLING:306'\nATT+9+OOG'\n")
    count = int(re.search(r"UNT\+(\d+)", text)[1])  # type: ignore[index]
    text = text.replace(f"UNT+{count}+", f"UNT+{count + 2}+")
    newer = read_stowplan(_write(tmp_path, text.replace("D:13B", "D:21A"), "d21a.edi"))
    assert newer.problems == []
    assert _bare(newer) == _bare(read_stowplan(SMDG31))
    older = read_stowplan(_write(tmp_path, text, "d13b.edi"))
    assert {p.code for p in older.problems} == {"unplaced_segment"}
    assert {p.tag for p in older.problems} == {"ATT"}
    assert _bare(older) == _bare(newer)  # nothing else is lost


def test_several_containers_in_one_location_are_each_read(tmp_path: Path) -> None:
    # BAPLIE 3: a location may hold up to 9 equipment (SG7), e.g. flat racks bundled.
    text = SMDG31.read_text(encoding="utf-8").replace(
        "CNT+8:1'\nLOC+147+0040382",
        "EQD+CN+FSCU7654321:6346:5+22P1:6346:5+++4'\nCNT+8:2'\nLOC+147+0040382",
        1,
    )
    text = text.replace("UNT+60+", "UNT+61+")
    plan = read_stowplan(_write(tmp_path, text))
    assert plan.problems == []
    first, second = plan.units[:2]
    assert (second.position, second.container_number, second.size_type) == (
        "0020182",
        "FSCU7654321",
        "22P1",
    )
    assert second.reefer_celsius is None
    assert second.gross_mass_kg is None
    assert first.reefer_celsius == -18.0


def test_a_baplie2_location_holding_two_containers_loses_neither(tmp_path: Path) -> None:
    # The D.95B table allows 3 EQD per location (SG3); only the first one was read, the
    # others dropped without a word.
    text = SMDG22.read_text(encoding="utf-8").replace(
        "NAD+CA+MAE:172:20'\nLOC+147+0040382",
        "NAD+CA+MAE:172:20'\nEQD+CN+TCLU1234568+22P1:102:5+++4'\nLOC+147+0040382",
        1,
    )
    text = text.replace("UNT+39+", "UNT+40+")
    plan = read_stowplan(_write(tmp_path, text))
    assert plan.problems == []
    assert plan.container_numbers[:2] == ["MSKU9070323", "TCLU1234568"]
    first, second = plan.units[:2]
    assert second.position == first.position == "0020182"
    assert (second.port_of_loading, second.full, second.gross_mass_kg) == ("CNSHA", False, None)
    assert first.gross_mass_kg == 18250.5


def test_a_location_without_its_cnt_does_not_give_its_container_to_the_one_before(
    tmp_path: Path,
) -> None:
    # Without CNT, a LOC+147 right after a container's ports (SG8) has a place as one
    # more port of that container: its own container must keep its position, and the
    # slip is said. (After a later group, TMP or DGS, it opens a location as it should.)
    text = SMDG31.read_text(encoding="utf-8")
    for cnt in ("CNT+8:1'\nLOC+147+0060484", "CNT+8:1'\nLOC+147+0040382"):
        text = text.replace(cnt, cnt[len("CNT+8:1'\n") :], 1)
    text = text.replace("UNT+60+", "UNT+58+")
    plan = read_stowplan(_write(tmp_path, text))
    assert [(p.code, p.position) for p in plan.problems] == [("misplaced_location", 34)]
    assert _bare(plan) == _bare(read_stowplan(SMDG31))
    assert [u.segment for u in plan.units] == [16, 27, 34, 47]


def test_version_is_checked() -> None:
    with pytest.raises(ArgumentError, match=r"version must be one of 2\.2, 3\.1"):
        write_baplie([], version="3.0")  # type: ignore[arg-type]
    assert set(BAPLIE_VERSIONS) == {"2.2", "3.1"}


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_unit_lists(max_size=6), st.one_of(st.none(), st.just("0425W")))
def test_units_round_trip_through_both_layouts(
    tmp_path_factory: pytest.TempPathFactory, units: list[StowedUnit], voyage: str | None
) -> None:
    folder = tmp_path_factory.mktemp("bap3")
    plans = {}
    for version in BAPLIE_VERSIONS:
        text = write_baplie(units, vessel="MSC ANNA", voyage=voyage, version=version)
        assert text == write_baplie(units, vessel="MSC ANNA", voyage=voyage, version=version)
        plans[version] = read_stowplan(_write(folder, text, f"{version}.edi"))
        assert plans[version].problems == []
        assert (plans[version].vessel, plans[version].voyage) == ("MSC ANNA", voyage)
    assert "UNH+1+BAPLIE:D:13B:UN:SMDG31'" in write_baplie(units, version="3.1")
    assert _bare(plans["3.1"]) == units == _bare(plans["2.2"])


def _cross(plan: StowPlan) -> list[tuple[object, ...]]:
    manifests = list(read_manifests(CUSCAR))
    return [
        (d.kind, d.container_number, d.bl_numbers, d.position, d.declared, d.planned)
        for d in compare_stowplan(manifests, plan)
    ]


def test_the_cross_check_is_the_same_on_a_baplie3_plan() -> None:
    three, two = read_stowplan(SMDG31), read_stowplan(SMDG22)
    assert (
        _cross(three)
        == _cross(two)
        == [("not_manifested", "TGHU1234567", (), "0060484", None, "TGHU1234567")]
    )
    frame = read_frame(CUSCAR).frame
    joined3, check3 = join_stowplan(frame, three)
    joined2, check2 = join_stowplan(frame, two)
    assert joined3.equals(joined2)
    assert (check3.matched, check3.units) == (check2.matched, check2.units)
    assert [u.container_number for u in check3.not_manifested] == ["TGHU1234567"]


@settings(max_examples=depth(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.data())
def test_random_plans_cross_check_alike_in_both_layouts(
    tmp_path_factory: pytest.TempPathFactory, manifest: Manifest, data: st.DataObject
) -> None:
    # The planted disagreements of test_stowfields' plans, written as BAPLIE 2.2 and 3.1:
    # both files give the in-memory plan's discrepancies and stowplan_* fields exactly.
    plan = data.draw(_plans(manifest))
    folder = tmp_path_factory.mktemp("cross")
    expected = compare_stowplan([manifest], plan)
    shipments, _ = with_stowplan_shipments(flatten(manifest), plan)
    fields = [{f: getattr(s, f) for f in STOWPLAN_FIELDS} for s in shipments]
    for version in BAPLIE_VERSIONS:
        text = write_baplie(plan.units, vessel=plan.vessel, version=version)  # type: ignore[arg-type]
        read = read_stowplan(_write(folder, text, f"{version}.edi"))
        assert read.problems == []
        assert compare_stowplan([manifest], read) == expected
        again, _ = with_stowplan_shipments(flatten(manifest), read)
        assert [{f: getattr(s, f) for f in STOWPLAN_FIELDS} for s in again] == fields


_NUMBER = {
    "MEA": (re.compile(r"(KGM:)[^']*"), r"\g<1>x1"),
    "TMP": (re.compile(r"(TMP\+2\+)[^:']*"), r"\g<1>x1"),
}


@settings(max_examples=depth(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _unit_lists(min_size=1, max_size=4),
    st.sampled_from(sorted(BAPLIE_VERSIONS)),
    st.sampled_from(["tag", "value", "drop"]),
    st.data(),
)
def test_a_spoilt_segment_never_crashes_the_reader_and_is_reported(
    tmp_path_factory: pytest.TempPathFactory,
    units: list[StowedUnit],
    version: str,
    spoil: str,
    data: st.DataObject,
) -> None:
    lines = write_baplie(units, version=version).splitlines()  # type: ignore[arg-type]
    unh = next(i for i, line in enumerate(lines) if line.startswith("UNH"))
    unt = next(i for i, line in enumerate(lines) if line.startswith("UNT"))
    candidates = list(range(unh + 1, unt))
    if spoil == "value":  # a segment with a number (BAPLIE 2 writes MEA+WT++KGM without)
        candidates = [
            i
            for i in candidates
            if lines[i][:3] in _NUMBER and _NUMBER[lines[i][:3]][0].search(lines[i])
        ]
        if not candidates:
            return
    index = data.draw(st.sampled_from(candidates))
    position = index - unh + 1  # in the message, UNH being 1
    line = lines[index]
    if spoil == "tag":
        lines[index] = "ZZZ" + line[3:]
    elif spoil == "value":
        pattern, replacement = _NUMBER[line[:3]]
        lines[index] = pattern.sub(replacement, line)
    else:
        del lines[index]
    path = _write(tmp_path_factory.mktemp("spoilt"), "\n".join(lines) + "\n")
    plan = read_stowplan(path)  # never raises: the file still holds a BAPLIE message
    found = {(p.code, p.position) for p in plan.problems}
    if spoil == "tag":
        assert ("unplaced_segment", position) in found
    elif spoil == "value":
        assert ("invalid_value", position) in found
    else:
        assert any(code == "control_count" for code, _ in found)
    # Nothing lost without a word: every container number written is read, or a problem
    # names a segment of the message (its EQD unplaced, or the count that is off).
    if len(plan.container_numbers) < len(units):
        assert plan.problems


# --- sample messages from public repositories (origin and licence: tests/data/README.md) --


def test_a_parser_fixture_from_a_public_repository_reads_without_a_problem() -> None:
    # apimeister/edifact-types' test-data/d04b_baplie.edi (MIT OR Apache-2.0): a D.04B
    # message (read with the D.95B table: the same layout), placeholder values.
    plan = read_stowplan(DATA / "apimeister-d04b-baplie.edi")
    # No segment rejected; its placeholder container number is flagged, kept as written.
    assert [(p.code, p.tag, p.value) for p in plan.problems] == [("format", "EQD", "CONTAINER")]
    assert plan.empty_locations == []
    (unit,) = plan.units
    assert (unit.position, unit.container_number, unit.full) == ("0050302", "CONTAINER", True)
    assert (unit.gross_mass_kg, unit.operator, plan.voyage) == (23000.0, "TSL", "RFN234")


def test_a_parser_issue_sample_reads_its_container_with_every_detail() -> None:
    # xlate/staedi's src/test/resources/EDIFACT/issue122/baplie-test.edi (Apache-2.0): an
    # SMDG 2.0 location as a user sent it with an issue, sender and voyage blanked: a DG
    # box (UN 2198) loaded at Port Said for La Spezia, a container number with a space,
    # empty DTMs. Its UNT counts 18 segments where there are 19: said; the number with
    # its blank is kept as written and flagged (matched as TOLU2566410). Nothing else.
    plan = read_stowplan(DATA / "staedi-baplie-test.edi")
    assert [(p.code, p.value) for p in plan.problems] == [
        ("control_count", "18"),
        ("format", "TOLU 2566410"),
    ]
    (unit,) = plan.units
    assert (unit.position, unit.container_number, unit.full) == ("0030586", "TOLU 2566410", True)
    assert (unit.port_of_loading, unit.port_of_discharge) == ("EGPSD", "ITSPE")
    assert (unit.gross_mass_kg, unit.dangerous_goods) == (10000.0, (("2.3", "2198"),))


def test_an_equipment_first_sample_is_refused_container_by_container() -> None:
    # nezpik/Pistology-3DBaplie's frontend/public/sample_baplie.txt (MIT): a D.15A message
    # written equipment first (EQD before its LOC+147) and without UNS+D, which is not the
    # UN layout. No container can be read; each is named in a problem, nothing is silent.
    plan = read_stowplan(DATA / "pistology-sample-baplie.txt")
    assert plan.units == []
    named = [p.value for p in plan.problems if p.code == "unplaced_segment" and p.tag == "EQD"]
    assert named == ["NYKU1234567", "MSKU9876543", "TRIU5555555", "CMAU7777777", "OOLU8888888"]
    misplaced = [p.value for p in plan.problems if p.code == "misplaced_location"]
    assert misplaced == ["0200404", "0400204", "0300606", "0600204", "0500404"]
    assert "control_count" in {p.code for p in plan.problems}  # UNT says 24, there are 23


def test_score_with_a_baplie3_plan_says_what_it_says_with_the_baplie2_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The whole way: `riskprofile score MANIFEST --stowplan BAPLIE` in both engines and
    # both outputs gives the same scores, audit and warnings for the two layouts of a plan.
    outputs = {}
    for plan in (SMDG22, SMDG31):
        for engine in ("auto", "rowwise"):
            for form in ("json", "table"):
                argv = ["score", str(CUSCAR), "--stowplan", str(plan), "--as-of", "2026-12-08",
                        "--engine", engine, "--format", form]  # fmt: skip
                assert main(argv) == 0
                out, err = capsys.readouterr()
                outputs[plan.name, engine, form] = (
                    out.replace(plan.name, "PLAN"),
                    err.replace(plan.name, "PLAN"),
                )
    for engine in ("auto", "rowwise"):
        for form in ("json", "table"):
            assert outputs[SMDG31.name, engine, form] == outputs[SMDG22.name, engine, form]
    out, err = outputs[SMDG31.name, "auto", "json"]
    assert json.loads(out)["audit"]["stowplan"]["matched"] == 2
    assert "warning: 1 container on board and on no manifest of the batch" in err
    assert "TGHU1234567  position 0060484" in outputs[SMDG31.name, "auto", "table"][0]


def test_a_baplie3_plan_keeping_the_baplie2_mass_writing_still_gives_the_mass(
    tmp_path: Path,
) -> None:
    text = SMDG31.read_text(encoding="utf-8")
    text = text.replace("MEA+AAE+VGM+KGM:24500'", "MEA+VGM++KGM:24500'")
    text = text.replace("MEA+AAE+AET+KGM:21400'", "MEA+WT++KGM:21400'")
    plan = read_stowplan(_write(tmp_path, text))
    assert plan.problems == []
    assert [u.gross_mass_kg for u in plan.units] == [18250.5, 24500.0, 21400.0, 2200.0]


def test_a_synthetic_port_days_plans_in_baplie3_read_as_in_baplie2(tmp_path: Path) -> None:
    from riskprofile.synth import generate_port_day, generate_stowplan

    day = generate_port_day(3, 300)
    plans = {
        version: generate_stowplan(day.manifests, 3, avoid=day.planted_containers, version=version)
        for version in BAPLIE_VERSIONS
    }
    assert plans["2.2"].units == plans["3.1"].units
    assert plans["2.2"].planted == plans["3.1"].planted
    assert "BAPLIE:D:13B:UN:SMDG31" in plans["3.1"].text
    read = {v: read_stowplan(_write(tmp_path, p.text, f"{v}.edi")) for v, p in plans.items()}
    # The same problems in both: the port day's spoilt container numbers, flagged.
    flags = {v: [(p.code, p.value) for p in read[v].problems] for v in read}
    assert flags["3.1"] == flags["2.2"]
    assert {code for code, _ in flags["2.2"]} <= {"check_digit", "format"}
    assert _bare(read["3.1"]) == _bare(read["2.2"])
    assert _bare(read["3.1"]) == [u for _, _, units in plans["3.1"].units for u in units]


def test_a_d04b_header_in_its_own_groups_is_said_and_loses_no_container(tmp_path: Path) -> None:
    # D.96A-D.12B group the header's RFF-DTM and NAD-CTA-COM; read with the D.95B table
    # (SMDG 2.x's), the segments it has no place for are said, the units are all read.
    extra = (
        "RFF+ACW:X1'\nDTM+171:202612061800:203'\nNAD+CA+MAE:172:20'\nCTA+IC+:DESK'\nCOM+123:TE'\n"
    )
    text = SMDG22.read_text(encoding="utf-8").replace("BAPLIE:D:95B:UN:SMDG22", "BAPLIE:D:04B:UN")
    text = text.replace("DTM+137:202612070600:203'\n", "DTM+137:202612070600:203'\n" + extra)
    plan = read_stowplan(_write(tmp_path, text.replace("UNT+39+", "UNT+44+")))
    assert [(p.code, p.tag) for p in plan.problems] == [
        ("unplaced_segment", "DTM"),
        ("unplaced_segment", "CTA"),
        ("unplaced_segment", "COM"),
    ]
    assert _bare(plan) == _bare(read_stowplan(SMDG22))


@pytest.mark.parametrize("version", sorted(BAPLIE_VERSIONS))
def test_the_file_s_segments_are_freed_before_the_collector_is_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str
) -> None:
    # The read pauses the cyclic collector. Turned back on while the tokens were still
    # alive, it scanned every segment's tuples once more: a third of the read of a
    # 20,000-unit plan (benchmarks/stowplan.py: 2.2 1.08 s -> 0.72 s CPU). Counted, not
    # timed: the young objects the collector finds when it is turned back on.
    units = [StowedUnit(f"{n:07d}", f"MSKU{n:07d}", "45R1", True, 20_000.0, "CNSHA", "PKKHI",
                        (("3", "1263"),), -18.0, "MAE") for n in range(2_000)]  # fmt: skip
    path = _write(tmp_path, write_baplie(units, version=version))  # type: ignore[arg-type]
    young: list[int] = []
    enable = gc.enable

    def counting() -> None:
        young.append(len(gc.get_objects(generation=0)))
        enable()

    gc.collect()
    monkeypatch.setattr(gc, "enable", counting)
    plan = read_stowplan(path)
    assert len(plan.units) == 2_000
    assert len(young) == 1
    assert young[0] < 5 * len(units)  # the units and their tuples, not ~30 per segment


# --- one answer for an empty location, and BAPLIE 3 from the command line -----------------


def test_an_empty_location_is_listed_alike_in_both_layouts(tmp_path: Path) -> None:
    # The 3.1 sample's lost slot 0010182, written in the 2.2 sample as a location without
    # equipment: BAPLIE 2 reported it as a problem (no_container), BAPLIE 3 listed it in
    # empty_locations. Both now list it, and neither calls it a problem.
    lost = "LOC+147+0010182::5'\nFTX+AGW+++LOST SLOT'\nMEA+WT++KGM'\nRFF+BM:1'\n"
    text = SMDG22.read_text(encoding="utf-8").replace("LOC+147+0020182", lost + "LOC+147+0020182")
    two = read_stowplan(_write(tmp_path, text.replace("UNT+39+", "UNT+43+")))
    three = read_stowplan(SMDG31)
    assert two.problems == three.problems == []
    assert two.empty_locations == three.empty_locations == ["0010182"]
    assert _bare(two) == _bare(three)


def test_data_generate_writes_the_stow_plan_in_baplie3_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["data", "generate", "--port-day", "--seed", "3", "--containers", "300"]
    plans = {}
    for version in ("2.2", "3.1"):
        out = tmp_path / version
        out.mkdir()
        assert main([*argv, "-o", str(out / "day.csv"), "--stowplan", str(out / "plan.edi"),
                     "--baplie-version", version]) == 0  # fmt: skip
        capsys.readouterr()
        text = (out / "plan.edi").read_text(encoding="utf-8")
        assert BAPLIE_VERSIONS[version][-1] in text  # SMDG22, SMDG31 in the UNH
        plans[version] = read_stowplan(out / "plan.edi")
        flags = [(p.code, p.value) for p in plans[version].problems]
        assert {code for code, _ in flags} <= {"check_digit", "format"}  # spoilt on purpose
        planted = (out / "plan.planted.csv").read_bytes()
        assert planted == (tmp_path / "2.2" / "plan.planted.csv").read_bytes()
    assert _bare(plans["3.1"]) == _bare(plans["2.2"])


def test_baplie_version_needs_a_stow_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["data", "generate", "--port-day", "-o", str(tmp_path / "d.csv"),
            "--baplie-version", "3.1"]  # fmt: skip
    assert main(argv) == 2
    assert "--baplie-version needs --stowplan" in capsys.readouterr().err


def test_the_head_of_a_real_vessel_plan_reads_every_container_without_a_rejected_segment() -> None:
    # henry0hai/parse-baplie's demo_v22.edi (ISC), its first 15 locations: a real 2.2 plan
    # (X-PRESS EUPHRATES 0133, Khalifa and Jebel Ali for Bahrain), blank lines between
    # locations, DTMs without a qualifier, EQA numbers with blanks, GDS, LOC+76/83. The
    # excerpt has no UNT/UNZ (cut after a whole location): that, and only that, is said.
    path = DATA / "parse-baplie-demo-v22-head.edi"
    plan = read_stowplan(path)
    assert [p.code for p in plan.problems] == ["truncated", "truncated"]
    assert (plan.vessel, plan.voyage) == ("X-PRESS EUPHRATES", "0133")
    written = re.findall(r"EQD\+CN\+([^+']+)", path.read_text(encoding="utf-8"))
    assert plan.container_numbers == written
    assert len(written) == 14
    reefers = [
        (u.container_number, u.reefer_celsius, u.full) for u in plan.units if u.reefer_celsius
    ]
    assert reefers == [("FSCU5705950", 2.0, True), ("TRIU8898774", -25.0, True)]
    assert sum(u.full is False for u in plan.units) == 11
    assert {u.port_of_discharge for u in plan.units} == {"BHBAH"}
