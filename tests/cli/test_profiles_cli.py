"""``riskprofile validate``, ``test`` and ``profiles``: what an analyst sees, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from riskprofile.cli import main

GOOD = """\
id: demo.reefer
version: 2
title: Reefers from source ports
category: narcotics
owner: PCU Demo
lists:
  source_ports: {values: [ECGYE, COBUN]}
indicators:
  - id: reefer-from-source
    title: Reefer loaded at a source port
    when: container_type == "reefer" and port_of_loading in $source_ports
    weight: 40
    explain: "reefer loaded at {port_of_loading}"
bands:
  - {min_score: 40, lane: red}
examples:
  - name: banana reefer
    shipment: {container_type: reefer, port_of_loading: ECGYE}
    hits: [reefer-from-source]
  - name: dry box
    shipment: {container_type: general, port_of_loading: ECGYE}
    misses: [reefer-from-source]
"""

OVERLAY = """\
extends: demo.reefer
country: PK
lists:
  source_ports: {extend: [PECLL]}
override:
  reefer-from-source: {weight: 55}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "demo.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "pk").mkdir()
    (tmp_path / "pk" / "demo.yaml").write_text(OVERLAY, encoding="utf-8")
    return tmp_path


def test_validate_valid_set_exits_0(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--today", "2026-11-28", str(folder)]) == 0
    assert "2 profiles (1 overlays), 2 indicators: valid" in capsys.readouterr().out


def test_validate_lists_every_error_with_file_line_col(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = GOOD.replace("port_of_loading in", "port_of_loadng in").replace(
        "lane: red", "lane: purple"
    )
    (folder / "demo.yaml").write_text(broken, encoding="utf-8")
    (folder / "other.yaml").write_text(
        GOOD.replace("demo.reefer", "demo.other").replace('"reefer"', "3"), encoding="utf-8"
    )
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert any(
        line.startswith(f"{folder / 'demo.yaml'}:15:21:") and "[schema]" in line for line in out
    )
    assert any(
        line.startswith(f"{folder / 'other.yaml'}:11:11:") and "[type_mismatch]" in line
        for line in out
    )


def test_test_command_reports_failures(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(folder)]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
    (folder / "demo.yaml").write_text(
        GOOD.replace("misses: [reefer-from-source]", "hits: [reefer-from-source]"),
        encoding="utf-8",
    )
    assert main(["test", str(folder)]) == 1
    out = capsys.readouterr().out
    assert (
        "dry box: FAILED: 'reefer-from-source' should hit but does not "
        "[container_type='general', port_of_loading='ECGYE']"
    ) in out
    assert "1 passed, 1 failed" in out
    # Both examples state container_type without a size-type: said, not hidden.
    assert "note: 2 example(s) give a derived field without the fields it comes from" in out


def test_profiles_show_resolved_overlay(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "show", "pk.demo.reefer", str(folder), "--resolved"]) == 0
    out = capsys.readouterr().out
    header = json.loads(out.splitlines()[0].removeprefix("# "))
    assert header["extends"] == ["demo.reefer"]
    assert header["fingerprint"].startswith("sha256:")
    assert "weight: 55" in out
    assert "- PECLL" in out


def test_profiles_show_unknown_id_suggests(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["profiles", "show", "demo.refer", str(folder)]) == 2
    assert "did you mean 'demo.reefer'?" in capsys.readouterr().err


def test_profiles_list_for_a_country(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "list", "--country", "PK", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "pk.demo.reefer  v1" in out
    assert "demo.reefer  v2" not in out.replace("pk.demo.reefer", "")


def test_schema_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "profile"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "Risk profile file"
    assert {"Profile", "Overlay", "Indicator"} <= set(schema["$defs"])


def test_bundled_profiles_are_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test"]) == 0
    assert " 0 failed" in capsys.readouterr().out
