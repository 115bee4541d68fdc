"""History fields in scoring: joined column-wise, the same run in both engines, explained
in hits, and null (never a crash) without a store."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskprofile.cli import main
from riskprofile.engines.columnar import score_frame
from riskprofile.errors import HistoryStoreError
from riskprofile.history import open_store, with_history
from riskprofile.io import read_frame
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
OUTCOMES = ROOT / "examples" / "data" / "karachi-sample.outcomes.csv"
AS_OF = "2026-12-01"

PROFILE = """\
id: demo.history
version: 1
title: History indicators
category: other
owner: tests
indicators:
  - id: new-consignee
    title: Consignee new to the port
    when: consignee_prior_shipments == 0 or consignee_first_seen_days < 90
    weight: 30
    explain: "consignee first seen {consignee_first_seen_days} days ago"
  - id: seized-box
    title: Container with a prior finding
    when: container_prior_findings > 0 and consignee_finding_rate > 0.01
    weight: 50
    explain: "{container_prior_findings} earlier finding(s) in this container"
bands:
  - {min_score: 25, lane: yellow}
  - {min_score: 50, lane: red}
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("history") / "history.duckdb"
    with open_store(path) as opened:
        opened.add(SAMPLE, OUTCOMES, as_of="2026-11-02")
    return str(path)


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = tmp_path_factory.mktemp("profiles")
    (folder / "history.yaml").write_text(PROFILE, encoding="utf-8")
    return load_profiles(folder)


def _hits(run: object) -> list[tuple[str, str, str]]:
    return sorted(
        (h.shipment_id, h.indicator_id, h.explanation)
        for s in run.shipments  # type: ignore[attr-defined]
        for h in s.hits
    )


def test_both_engines_give_the_same_run_with_history(store: str, profiles: object) -> None:
    rowwise = score(SAMPLE, profiles, as_of=AS_OF, engine="rowwise", history=store)
    columnar = score(SAMPLE, profiles, as_of=AS_OF, engine="columnar", history=store)
    assert columnar == rowwise
    hits = _hits(rowwise)
    seized = [h for h in hits if h[1] == "seized-box"]
    assert seized, "the container with a finding in the store is flagged"
    assert all(h[2] == "1 earlier finding(s) in this container" for h in seized)
    assert any(h[1] == "new-consignee" and "first seen 28 days ago" in h[2] for h in hits)
    # The object-free path joins the same fields to the frame.
    frame = with_history(read_frame(SAMPLE).frame, store, AS_OF)
    frame_run = score_frame(frame, profiles, as_of=AS_OF)
    assert (
        sorted(
            (r["shipment_id"], r["indicator_id"], r["explanation"])
            for r in frame_run.explained_hits().iter_rows(named=True)
        )
        == hits
    )


def test_without_a_store_history_rules_do_not_fire(profiles: object) -> None:
    run = score(SAMPLE, profiles, as_of=AS_OF, engine="columnar")
    assert _hits(run) == []
    assert run == score(SAMPLE, profiles, as_of=AS_OF, engine="rowwise")


def test_a_missing_store_is_an_error_not_an_empty_history(tmp_path: Path, profiles: object) -> None:
    with pytest.raises(HistoryStoreError, match="no such store"):
        score(SAMPLE, profiles, as_of=AS_OF, history=tmp_path / "nope.duckdb")
    assert not (tmp_path / "nope.duckdb").exists()


def test_score_history_option(
    store: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    outputs = []
    for engine in ("columnar", "rowwise"):
        out = tmp_path / f"{engine}.json"
        argv = ["score", str(SAMPLE), "--profiles", str(tmp_path / "p.yaml"), "--as-of", AS_OF,
                "--history", store, "--engine", engine, "-o", str(out)]  # fmt: skip
        assert main(argv) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"earlier finding(s) in this container" in outputs[0]
    capsys.readouterr()
    argv = ["score", str(SAMPLE), "--profiles", str(tmp_path / "p.yaml"), "--as-of",
            "2026-10-01", "--history", store, "-o", str(tmp_path / "early.json")]  # fmt: skip
    assert main(argv) == 0
    assert "has no shipment before 2026-10-01" in capsys.readouterr().err
