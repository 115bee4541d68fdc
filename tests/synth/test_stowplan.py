"""The port day's stow plans: as declared but for the planted mismatches, which the
bundled stow-plan profile finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskprofile import score
from riskprofile.cli import main
from riskprofile.io.edifact import read_stowplan
from riskprofile.profiles import load_profiles
from riskprofile.synth import (
    STOWPLAN_SCENARIOS,
    generate_port_day,
    generate_stowplan,
    read_planted,
)

# The indicator of profiles/base/stowplan.yaml each planted mismatch must hit.
FOUND_BY = {
    "stowplan_mass_gap": "heavier-than-declared",
    "stowplan_empty_but_laden": "empty-but-laden",
    "stowplan_pod_mismatch": "other-port-of-discharge",
    "stowplan_undeclared_dg": "undeclared-dangerous-goods",
    "stowplan_reefer_on_dry_box": "reefer-setting-on-dry-box",
    "stowplan_not_on_board": "not-on-board",
}
PROFILE = "general.stowplan-crosscheck"


@pytest.fixture(scope="module")
def day_and_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("stowplan")
    batch, plan = folder / "day.jsonl", folder / "plan.edi"
    argv = ["data", "generate", "--port-day", "--seed", "5", "--containers", "600",
            "-o", str(batch), "--stowplan", str(plan)]  # fmt: skip
    assert main(argv) == 0
    return batch, plan


def test_every_scenario_is_planted_and_written(day_and_plan: tuple[Path, Path]) -> None:
    _, plan = day_and_plan
    planted = read_planted(plan.with_suffix(".planted.csv"))
    assert {case.scenario for case in planted} == {name for name, _ in STOWPLAN_SCENARIOS}
    read = read_stowplan(plan)
    # The only problems: container numbers the generator spoilt on purpose (a planted
    # check-digit defect, a fictitious container), flagged where the plan names them.
    assert {p.code for p in read.problems} <= {"check_digit", "format"}
    assert {p.value for p in read.problems} <= set(read.container_numbers)
    on_board = set(read.container_numbers)
    for case in planted:
        assert (case.container_number in on_board) is (case.scenario != "stowplan_not_on_board")


@pytest.mark.parametrize("engine", ["rowwise", "columnar"])
def test_the_bundled_profile_finds_the_planted_mismatches(
    day_and_plan: tuple[Path, Path], engine: str
) -> None:
    batch, plan = day_and_plan
    planted = read_planted(plan.with_suffix(".planted.csv"))
    profiles = [p for p in load_profiles(bundled=True) if p.id == PROFILE]
    run = score(batch, profiles, as_of="2026-11-02", engine=engine, stowplan=plan)
    hits: dict[str, set[str]] = {}
    flagged: set[str] = set()
    for result in run.shipments:
        number = result.shipment.container_number or ""
        hits.setdefault(number, set()).update(h.indicator_id for h in result.hits)
        if result.shipment.quality_flags:
            flagged.add(number)
    assert run.stowplan is not None
    listed = {u.container_number for u in run.stowplan.not_manifested}
    for case in planted:
        if case.scenario == "stowplan_not_manifested":
            assert case.container_number in listed  # no shipment: listed apart
        else:
            assert FOUND_BY[case.scenario] in hits[case.container_number], case
    # Nothing else disagrees but where the generator planted a data-quality defect.
    truth = {case.container_number for case in planted}
    assert {n for n, ids in hits.items() if ids} - truth <= flagged
    assert listed == {
        c.container_number for c in planted if c.scenario == "stowplan_not_manifested"
    }


def test_the_same_day_gives_the_same_plan() -> None:
    day = generate_port_day(2, 300)
    one = generate_stowplan(day.manifests, 2, avoid=day.planted_containers)
    two = generate_stowplan(day.manifests, 2, avoid=day.planted_containers)
    assert one == two
    assert not {c.container_number for c in one.planted} & day.planted_containers


def test_stowplan_needs_a_port_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "data",
        "generate",
        "-o",
        str(tmp_path / "d.csv"),
        "--stowplan",
        str(tmp_path / "p.edi"),
    ]
    assert main(argv) == 2
    assert "--stowplan needs --port-day" in capsys.readouterr().err
