"""The bundled example data: reproducible from its seed, and readable as shipped."""

from __future__ import annotations

from pathlib import Path

from riskprofile import read_batch
from riskprofile.cli import main

SAMPLE = Path("examples/data/karachi-sample.csv")


def test_sample_is_what_the_seeded_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "sample.csv"
    assert main(["data", "generate", "--seed", "2026", "--containers", "250", "-o", str(out)]) == 0
    assert out.read_bytes() == SAMPLE.read_bytes(), (
        "examples/data/karachi-sample.csv is stale: regenerate it with the command in "
        "examples/README.md"
    )


def test_sample_reads_without_rejections_and_keeps_every_container() -> None:
    batch = read_batch(SAMPLE, strictness="lenient")
    assert batch.rejected == []
    assert batch.records_accepted == batch.records_read
    assert len({s.container_number for s in batch.shipments if s.container_number}) == 250
    # the planted defects are visible to rules as flags
    assert any(s.quality_flags for s in batch.shipments)
