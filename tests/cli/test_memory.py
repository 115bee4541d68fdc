"""The command sets Polars' allocator options before Polars loads (riskprofile.cli._memory).

jemalloc prints its options at exit when ``stats_print`` is among them: the child's own
report says which options it read, so these tests see what the allocator got, not a
timing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from riskprofile.cli._memory import ALLOCATOR_OPTIONS, configure_allocator

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"


def _allocator_options(user: str | None) -> dict[str, str]:
    """The jemalloc options a ``riskprofile data check`` child ran with (read from its
    statistics at exit), the user's ``_RJEM_MALLOC_CONF`` being ``user``."""
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    env["PYTHONPATH"] = str(ROOT / "src")
    if user is not None:
        env["_RJEM_MALLOC_CONF"] = user
    child = subprocess.run(
        [sys.executable, "-m", "riskprofile", "data", "check", str(SAMPLE)],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert child.returncode in (0, 1), child.stderr[-2000:]
    return dict(re.findall(r"^\s*opt\.(\w+): (\S+)", child.stderr, flags=re.MULTILINE))


def test_the_options_reach_polars_allocator_before_it_loads() -> None:
    options = _allocator_options("stats_print:true")
    assert options["stats_print"] == "true"  # the user's own option is kept
    assert options["oversize_threshold"] == "0"
    assert options["muzzy_decay_ms"] == "0"
    assert options["narenas"] == str(max(1, (os.cpu_count() or 1) // 2))
    assert options["dirty_decay_ms"] == ALLOCATOR_OPTIONS.split("dirty_decay_ms:")[1].split(",")[0]


def test_an_option_the_user_sets_wins() -> None:
    options = _allocator_options("stats_print:true,dirty_decay_ms:777,oversize_threshold:8388608")
    assert options["dirty_decay_ms"] == "777"
    assert options["oversize_threshold"] == "8388608"
    assert options["muzzy_decay_ms"] == "0"  # ours, where the user says nothing


def test_nothing_is_set_once_polars_is_loaded(monkeypatch: object) -> None:
    import polars  # noqa: F401  (loaded: its allocator has read its options already)

    before = os.environ.get("_RJEM_MALLOC_CONF")
    assert configure_allocator() is False
    assert os.environ.get("_RJEM_MALLOC_CONF") == before


def test_set_once_in_a_fresh_process() -> None:
    code = (
        "import os, sys\n"
        "from riskprofile.cli._memory import configure_allocator\n"
        "assert configure_allocator() and configure_allocator()\n"
        "assert 'polars' not in sys.modules\n"
        "print(os.environ['_RJEM_MALLOC_CONF'])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "_RJEM_MALLOC_CONF": "narenas:2"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert out == ALLOCATOR_OPTIONS + ",narenas:2"


def test_score_of_a_parquet_file_keeps_every_freed_page(tmp_path: Path) -> None:
    # riskprofile score of Parquet: no decay (its peak at a million shipments fits under
    # 3 GiB once its frame is cut and in one chunk); CSV and the other commands keep the
    # 2 s decay (from CSV the same run peaked at 3.8 GiB without it).
    from riskprofile.io import read_frame

    read_frame(SAMPLE).frame.write_parquet(tmp_path / "batch.parquet")
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["_RJEM_MALLOC_CONF"] = "stats_print:true"

    def options(batch: Path) -> dict[str, str]:
        child = subprocess.run(
            [sys.executable, "-m", "riskprofile", "score", str(batch), "--as-of",
             "2026-11-02", "-o", str(tmp_path / "out.csv")],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        assert child.returncode in (0, 1), child.stderr[-2000:]
        return dict(re.findall(r"^\s*opt\.(\w+): (\S+)", child.stderr, flags=re.MULTILINE))

    kept = options(tmp_path / "batch.parquet")
    assert (kept["dirty_decay_ms"], kept["muzzy_decay_ms"]) == ("-1", "-1")
    assert kept["oversize_threshold"] == "0"
    assert options(SAMPLE)["dirty_decay_ms"] == "2000"
    assert _allocator_options("stats_print:true")["dirty_decay_ms"] == "2000"
