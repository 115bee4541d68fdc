"""The commands read batches through the frame: the same shipments, summaries and
rejected records as the model path (``read_batch``), which stays the reference."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.cli._read import frame_summary, read, read_shipments
from riskprofile.io import read_batch, write_csv, write_parquet
from riskprofile.synth import generate_manifests
from tests.depth import depth

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"


@pytest.mark.parametrize(
    ("name", "mapping", "strictness"),
    [
        ("karachi-sample.csv", None, "lenient"),
        ("karachi-sample.csv", None, "strict"),
        ("customs-export.csv", "customs-export.yaml", "lenient"),
        ("customs-export.csv", "customs-export.yaml", "strict"),
    ],
)
def test_frame_summary_is_the_batch_summary(
    name: str, mapping: str | None, strictness: str
) -> None:
    path = DATA / name
    mapped = None if mapping is None else ROOT / "examples" / "mappings" / mapping
    expected = read_batch(path, mapping=mapped, strictness=strictness).summary()  # type: ignore[arg-type]
    got = read(path, mapping=mapped, strictness=strictness)  # type: ignore[arg-type]
    assert frame_summary(got) == expected


@settings(
    max_examples=depth(10, floor=3),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 10_000),
    containers=st.integers(1, 40),
    defects=st.sampled_from([0.0, 0.3]),
    parquet=st.booleans(),
)
def test_generated_batches_read_alike(
    tmp_path: Path, seed: int, containers: int, defects: float, parquet: bool
) -> None:
    path = tmp_path / ("batch.parquet" if parquet else "batch.csv")
    manifests = list(generate_manifests(seed, containers, defect_rate=defects))
    (write_parquet if parquet else write_csv)(manifests, path)
    for strictness in ("lenient", "strict"):
        batch = read_batch(path, strictness=strictness)  # type: ignore[arg-type]
        assert frame_summary(read(path, strictness=strictness)) == batch.summary()  # type: ignore[arg-type]
        got = read_shipments(path, strictness=strictness)  # type: ignore[arg-type]
        assert got.shipments == batch.shipments
        assert got.rejected == batch.rejected
        assert (got.records_read, got.manifests, got.record_unit) == (
            batch.records_read,
            batch.manifests,
            batch.record_unit,
        )


def test_read_shipments_of_some_rows_keeps_the_file_counts() -> None:
    path = DATA / "karachi-sample.csv"
    batch = read_batch(path)
    box = batch.shipments[5].container_number
    got = read_shipments(path, rows=pl.col("container_number") == box)
    assert got.shipments == [s for s in batch.shipments if s.container_number == box]
    assert got.records_read == batch.records_read
    assert got.rejected == batch.rejected


def test_a_container_scored_alone_is_scored_as_in_its_batch() -> None:
    """``exchange warn --batch`` scores only the container it warns about."""
    from riskprofile.profiles import load_profiles
    from riskprofile.scoring import score

    path = DATA / "karachi-sample.csv"
    profiles = load_profiles(bundled=True, country="PK")
    whole = score(read_batch(path), profiles, as_of="2026-11-02")
    boxes = [c for c in whole.containers if c.hits and c.container_number][:6]
    assert boxes
    for box in boxes:
        alone = read_shipments(path, rows=pl.col("container_number") == box.container_number)
        (got,) = score(alone.shipments, profiles, as_of="2026-11-02").containers
        assert got == box
