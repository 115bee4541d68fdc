"""``riskprofile history add|show|stats``: what each says, idempotence said out loud."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskprofile.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
OUTCOMES = ROOT / "examples" / "data" / "karachi-sample.outcomes.csv"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_show_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "h.duckdb")
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        OUTCOMES.read_text(encoding="utf-8") + "NOSUCHUNIT,,yes,score,yes,drugs,,2026-11-03\n",
        encoding="utf-8",
    )
    add = ["history", "add", str(SAMPLE), str(outcomes), "--store", store, "--as-of", "2026-11-02"]
    code, out, err = _run(add, capsys)
    assert code == 0
    assert "361 of 361 shipments recorded" in out
    assert "1 outcome(s) match no shipment of the batch, not recorded" in err
    assert "NOSUCHUNIT" in err
    code, out, err = _run(add, capsys)
    assert code == 0
    assert "already recorded" in out
    assert "not counted again" in out
    code, out, _ = _run(["history", "show", "--store", store, "--format", "json"], capsys)
    [run] = json.loads(out)
    assert run["shipments_added"] == 361
    assert run["as_of"] == "2026-11-02T00:00:00Z"
    code, out, _ = _run(["history", "stats", "--store", store, "--format", "json"], capsys)
    stats = json.loads(out)
    assert stats["shipments"] == 361
    assert stats["runs"] == 1
    code, out, _ = _run(["history", "stats", "--store", store, "--as-of", "2026-11-01"], capsys)
    assert "shipments     0" in out


def test_profile_fingerprints_are_kept_with_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "h.duckdb")
    argv = ["history", "add", str(SAMPLE), "--store", store, "--profiles", "bundled"]
    assert main(argv) == 0
    capsys.readouterr()
    _, out, _ = _run(["history", "show", "--store", store, "--format", "json"], capsys)
    [run] = json.loads(out)
    assert run["profile_fingerprints"]
    assert all(len(fp) >= 16 for fp in run["profile_fingerprints"].values())


def test_show_refuses_a_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["history", "show", "--store", str(tmp_path / "nope.duckdb")], capsys)
    assert code == 2
    assert "no such store" in err
    assert not (tmp_path / "nope.duckdb").exists()
