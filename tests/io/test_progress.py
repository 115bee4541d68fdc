"""``read_frame(..., progress=)``: (records done, records in the file) as each step of
each slice is done."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from riskprofile.io import read_frame, write_csv, write_json
from riskprofile.io._frame import _reader
from riskprofile.model import Manifest
from riskprofile.synth import generate_manifests


@pytest.fixture(scope="module")
def manifests() -> list[Manifest]:
    # Three vessel calls, so that a small slice size cuts the file in several slices.
    return [m for seed in (5, 6, 7) for m in generate_manifests(seed, containers=12)]


@pytest.mark.parametrize("workers", [1, 2])
def test_progress_is_reported_per_step_on_the_calling_thread(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    manifests: list[Manifest],
    workers: int,
) -> None:
    path = tmp_path / "calls.csv"
    write_csv(manifests, path)
    whole = read_frame(path)
    monkeypatch.setattr(_reader, "SLICE_RECORDS", 5)
    monkeypatch.setattr(_reader, "SLICE_WORKERS", workers)
    calls: list[tuple[int, int]] = []
    threads: set[int] = set()

    def progress(done: int, total: int) -> None:
        calls.append((done, total))
        threads.add(threading.get_ident())

    batch = read_frame(path, progress=progress)
    total = batch.records_read
    assert batch.frame.equals(whole.frame)
    assert calls[0] == (0, total)
    assert calls[-1] == (total, total)
    done = [d for d, _ in calls]
    assert done == sorted(set(done))  # never down, never the same count twice
    assert {t for _, t in calls} == {total}
    assert threads == {threading.get_ident()}
    if workers == 1:
        # Each of the three vessel calls is a slice, and each step of a slice moves the
        # count: not only once per slice (the start and three calls, as it was).
        assert batch.manifests == 3
        # (Some steps' shares of a slice of 30 records round to the same count.)
        assert len(calls) >= 1 + 3 * 5


def test_each_step_of_one_slice_moves_the_count(tmp_path: Path) -> None:
    # The whole file is one slice: the count used to go from 0 straight to the total.
    calls: list[tuple[int, int]] = []
    batch = read_frame(
        "examples/data/karachi-sample.csv", progress=lambda d, t: calls.append((d, t))
    )
    total = batch.records_read
    expected = [0, *sorted({int(total * s) for s in _reader.SLICE_STEPS.values()}), total]
    assert [d for d, _ in calls] == expected
    assert len(expected) == len(_reader.SLICE_STEPS) + 2


def test_a_file_read_through_the_models_reports_once(
    tmp_path: Path, manifests: list[Manifest]
) -> None:
    path = tmp_path / "calls.jsonl"
    write_json(manifests, path)
    calls: list[tuple[int, int]] = []
    # Strict JSON goes through the model path (it refuses whole manifests).
    batch = read_frame(
        path, strictness="strict", progress=lambda done, total: calls.append((done, total))
    )
    assert batch.fallback == "strict JSON input"
    assert calls == [(batch.records_read, batch.records_read)] == [(3, 3)]


def test_a_failing_hook_stops_the_read(tmp_path: Path, manifests: list[Manifest]) -> None:
    path = tmp_path / "calls.csv"
    write_csv(manifests, path)

    def refuse(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read_frame(path, progress=refuse)
