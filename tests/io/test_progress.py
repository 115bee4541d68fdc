"""``read_frame(..., progress=)``: (records done, records in the file) as slices finish."""

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
def test_progress_is_reported_per_slice_on_the_calling_thread(
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
    assert len(calls) == 4  # the start, then one per vessel call (each a slice)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert {t for _, t in calls} == {total}
    assert threads == {threading.get_ident()}


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
