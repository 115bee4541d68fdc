"""``exchange warn`` from a run file (``--run``) and from a mapped batch (``--mapping``):
the route, vessel and voyage travel with the warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskprofile.cli import main
from tests.profile_memo import load_once

SAMPLE = "examples/data/karachi-sample.csv"
EXPORT = "examples/data/customs-export.csv"
EXPORT_MAPPING = "examples/mappings/customs-export.yaml"
AS_OF = "2026-11-02T09:00:00Z"


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> str:
    keys = tmp_path_factory.mktemp("keys")
    assert main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(keys)]) == 0
    return str(keys / "PK-KHI.key.pem")


def _warn(tmp_path: Path, key: str, *argv: str) -> dict[str, object]:
    out = tmp_path / "out"
    code = main(["exchange", "warn", *argv, "--to", "KZ-AKT", "--key", key, "-o", str(out),
                 "--home", str(tmp_path / "home"), "--as-of", AS_OF])  # fmt: skip
    assert code == 0
    (sent,) = out.glob("*.KZ-AKT.json")
    payload: dict[str, object] = json.loads(sent.read_bytes())["payload"]
    return payload


def test_warn_from_a_run_file_fills_route_vessel_and_voyage(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import riskprofile as rp

    batch = rp.read_batch(SAMPLE).shipments
    box = "PCIU6784682"
    mine = [s for s in batch if s.container_number == box]
    run = rp.score(mine, rp.load_profiles(bundled=True), as_of="2026-11-02")
    run_file = tmp_path / "run.json"
    rp.write_run(run, run_file)
    payload = _warn(tmp_path, key, "--run", str(run_file), "--container", box)
    first = mine[0]
    assert payload["route"] == first.route != []
    assert payload["voyage"] == {"vessel_name": first.vessel_name,
                                 "vessel_imo": first.vessel_imo,
                                 "voyage_number": first.voyage_number}  # fmt: skip
    assert first.vessel_name
    assert first.voyage_number
    assert payload["lane"] == run.containers[0].lane
    # the run file holds the parties: no warning that they are unknown
    assert "sent empty" not in capsys.readouterr().err


def test_warn_from_a_report_with_its_batch_fills_route_and_voyage(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    assert main(["score", SAMPLE, "--as-of", AS_OF, "-o", str(report)]) == 0
    box = json.loads(report.read_text())["containers"][0]["container_number"]
    payload = _warn(tmp_path, key, "--run", str(report), "--batch", SAMPLE, "--container", box)
    assert payload["route"]
    assert payload["voyage"]["vessel_name"]  # type: ignore[index]


def test_warn_from_a_report_alone_says_what_is_sent_empty(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    assert main(["score", SAMPLE, "--as-of", AS_OF, "-o", str(report)]) == 0
    box = json.loads(report.read_text())["containers"][0]["container_number"]
    capsys.readouterr()
    payload = _warn(tmp_path, key, "--run", str(report), "--container", box)
    assert payload["route"] == []
    assert "no route, vessel or parties" in capsys.readouterr().err


def test_warn_reads_a_mapped_batch(tmp_path: Path, key: str) -> None:
    import riskprofile as rp

    batch = rp.read_batch(EXPORT, mapping=EXPORT_MAPPING)
    run = rp.score(batch.shipments, rp.load_profiles(bundled=True), as_of="2026-11-02")
    box = next(c.container_number for c in run.containers if c.hits)
    payload = _warn(tmp_path, key, "--batch", EXPORT, "--mapping", EXPORT_MAPPING,
                    "--container", str(box))  # fmt: skip
    assert payload["container_number"] == box
    assert payload["route"]
    assert payload["voyage"]["voyage_number"]  # type: ignore[index]
