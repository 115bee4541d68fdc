"""The bundled example data: reproducible from its seed, and readable as shipped."""

from __future__ import annotations

from pathlib import Path

from riskprofile import read_batch
from riskprofile.cli import main
from riskprofile.synth import read_planted

SAMPLE = Path("examples/data/karachi-sample.csv")
PLANTED = Path("examples/data/karachi-sample.planted.csv")


def test_sample_is_what_the_seeded_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "sample.csv"
    command = ["data", "generate", "--port-day", "--seed", "2026", "--containers", "250"]
    assert main([*command, "-o", str(out)]) == 0
    stale = "is stale: regenerate it with the command in examples/README.md"
    assert out.read_bytes() == SAMPLE.read_bytes(), f"{SAMPLE} {stale}"
    assert (tmp_path / "sample.planted.csv").read_bytes() == PLANTED.read_bytes(), (
        f"{PLANTED} {stale}"
    )


def test_sample_reads_without_rejections_and_keeps_every_container() -> None:
    batch = read_batch(SAMPLE, strictness="lenient")
    assert batch.rejected == []
    assert batch.records_accepted == batch.records_read
    assert len({s.container_number for s in batch.shipments if s.container_number}) == 250
    # the planted defects are visible to rules as flags
    assert any(s.quality_flags for s in batch.shipments)


def test_planted_cases_are_in_the_sample() -> None:
    planted = read_planted(PLANTED)
    assert planted
    pairs = {(s.container_number, s.bl_number) for s in read_batch(SAMPLE).shipments}
    for case in planted:
        assert (case.container_number, case.bl_number) in pairs


def test_the_stow_plan_day_is_what_the_seeded_generator_writes(tmp_path: Path) -> None:
    data = Path("examples/data")
    day, plan = tmp_path / "day.edi", tmp_path / "plan.edi"
    command = ["data", "generate", "--port-day", "--seed", "4", "--containers", "60"]
    assert main([*command, "-o", str(day), "--stowplan", str(plan)]) == 0
    stale = "is stale: regenerate it with the command in examples/README.md"
    for made, shipped in (
        (day, data / "karachi-stowday.edi"),
        (plan, data / "karachi-stowplan.edi"),
        (tmp_path / "plan.planted.csv", data / "karachi-stowplan.planted.csv"),
    ):
        assert made.read_bytes() == shipped.read_bytes(), f"{shipped} {stale}"
