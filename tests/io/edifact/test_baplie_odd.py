"""Odd shapes of real stow plans, each read with every container or reported at its place
(interchange, message, segment): empty slots, a container number in two bays, two
containers in one slot, 6- and 7-digit positions, one segment per line, no UNA, tags in
lower case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from riskprofile.io.edifact import StowedUnit, read_stowplan, write_baplie, write_baplie_calls

_A, _B, _C = "MSKU9070323", "CSQU3054383", "TGHU1234567"


def _read(tmp_path: Path, text: str) -> object:
    path = tmp_path / "plan.edi"
    path.write_text(text, encoding="utf-8")
    return read_stowplan(path)


@pytest.mark.parametrize("version", ["2.2", "3.1"])
def test_a_container_number_in_two_bays_is_kept_twice_and_said_at_the_second(
    tmp_path: Path, version: str
) -> None:
    units = [StowedUnit("0020182", _A), StowedUnit("0040382", _B), StowedUnit("0420682", _A)]
    plan = _read(tmp_path, write_baplie(units, version=version))  # type: ignore[arg-type]
    assert [u.container_number for u in plan.units] == [_A, _B, _A]  # type: ignore[attr-defined]
    (problem,) = plan.problems  # type: ignore[attr-defined]
    third = plan.units[2]  # type: ignore[attr-defined]
    assert problem.code == "duplicate"
    assert problem.where == f"interchange 1, message 1, segment {third.segment} (LOC), element 2.1"
    first = plan.units[0].segment  # type: ignore[attr-defined]
    assert problem.reason == (
        f"container {_A} is also at position 0020182 (interchange 1, message 1, segment "
        f"{first}): both units are kept"
    )


@pytest.mark.parametrize("version", ["2.2", "3.1"])
def test_two_containers_in_one_slot_are_both_kept_and_said(tmp_path: Path, version: str) -> None:
    units = [StowedUnit("0020182", _A), StowedUnit("0040382", _B), StowedUnit("0020182", _C)]
    plan = _read(tmp_path, write_baplie(units, version=version))  # type: ignore[arg-type]
    assert [u.container_number for u in plan.units] == [_A, _B, _C]  # type: ignore[attr-defined]
    (problem,) = plan.problems  # type: ignore[attr-defined]
    assert (problem.code, problem.value) == ("duplicate", "0020182")
    assert problem.reason.startswith(f"position 0020182 also holds {_A} (interchange 1, ")
    assert problem.reason.endswith("two containers in one slot, both kept")


def test_two_containers_of_one_baplie2_location_are_no_slot_taken_twice(tmp_path: Path) -> None:
    text = write_baplie([StowedUnit("0020182", _A)]).replace(
        f"EQD+CN+{_A}'", f"EQD+CN+{_A}'EQD+CN+{_B}'"
    )
    text = re.sub(r"UNT\+(\d+)\+1'", lambda m: f"UNT+{int(m[1]) + 1}+1'", text)
    plan = _read(tmp_path, text)
    assert [u.container_number for u in plan.units] == [_A, _B]  # type: ignore[attr-defined]
    assert plan.problems == []  # type: ignore[attr-defined]


def test_other_vessels_in_the_file_are_not_compared(tmp_path: Path) -> None:
    # One message per vessel call: the same slot (and a box moved on) on two vessels.
    calls = [("MSC ANNA", "1", [StowedUnit("0020182", _A)]),
             ("MSC IRINA", "2", [StowedUnit("0020182", _A)])]  # fmt: skip
    plan = _read(tmp_path, write_baplie_calls(calls))
    assert len(plan.units) == 2  # type: ignore[attr-defined]
    assert plan.problems == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("version", ["2.2", "3.1"])
def test_an_empty_slot_is_listed_not_lost(tmp_path: Path, version: str) -> None:
    text = write_baplie([StowedUnit("0020182", _A), StowedUnit("0040382", _B)], version=version)  # type: ignore[arg-type]
    segments = text.split("'")
    # The second location's equipment (and what hangs on it) taken out: an empty slot.
    start = next(i for i, s in enumerate(segments) if s.strip().startswith(f"EQD+CN+{_B}"))
    end = start + 1
    if version == "3.1":
        end = next(i for i in range(start, len(segments)) if segments[i].strip().startswith("CNT"))
    del segments[start:end]
    plan = _read(tmp_path, "'".join(segments))
    assert [u.container_number for u in plan.units] == [_A]  # type: ignore[attr-defined]
    assert plan.empty_locations == ["0040382"]  # type: ignore[attr-defined]
    assert {p.code for p in plan.problems} <= {"control_count"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "shape",
    ["6-digit positions", "newline after each segment", "no UNA", "lower-case tags", "all"],
)
@pytest.mark.parametrize("version", ["2.2", "3.1"])
def test_real_shapes_keep_every_container(tmp_path: Path, version: str, shape: str) -> None:
    positions = ["0020182", "0040382", "0420682"]
    if shape in ("6-digit positions", "all"):
        positions = [p[1:] for p in positions]  # BBRRTT, as older plans write it
    units = [StowedUnit(p, n) for p, n in zip(positions, [_A, _B, _C], strict=True)]
    text = write_baplie(units, vessel="MSC ANNA", version=version)  # type: ignore[arg-type]
    if shape in ("newline after each segment", "all"):
        text = text.replace("\n", "").replace("'", "'\r\n")
    if shape in ("no UNA", "all"):
        text = text[text.index("UNB") :]
    if shape in ("lower-case tags", "all"):
        text = "'".join(s[:3].lower() + s[3:] if s.strip() else s for s in text.split("'"))
        text = "'".join(
            s.lstrip()[:3].lower() + s.lstrip()[3:] if s.strip() else s for s in text.split("'")
        )
    plan = _read(tmp_path, text)
    assert [(u.position, u.container_number) for u in plan.units] == [  # type: ignore[attr-defined]
        (u.position, u.container_number) for u in units
    ]
    assert plan.vessel == "MSC ANNA"  # type: ignore[attr-defined]
    assert {p.code for p in plan.problems} <= {"syntax"}  # type: ignore[attr-defined]
    if "lower" in shape or shape == "all":
        (said,) = plan.problems  # type: ignore[attr-defined]
        assert said.code == "syntax"
