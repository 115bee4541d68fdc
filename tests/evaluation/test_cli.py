"""``riskprofile evaluate``, and the example data it is shown with."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskprofile.cli import main
from tests.profile_memo import load_once

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SAMPLE = EXAMPLES / "data" / "karachi-sample.csv"
SAMPLE_OUTCOMES = EXAMPLES / "data" / "karachi-sample.outcomes.csv"
DECLARATIONS = EXAMPLES / "data" / "declarations.csv"
DECLARATION_MAPPING = EXAMPLES / "mappings" / "declarations.yaml"
DECLARATION_OUTCOMES = EXAMPLES / "mappings" / "declarations.outcomes.yaml"


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors and --help
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_the_karachi_sample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, tables = tmp_path / "report.html", tmp_path / "tables.json"
    code, out, err = _run(
        ["evaluate", str(SAMPLE), str(SAMPLE_OUTCOMES), "--as-of", "2026-11-02", "--country",
         "PK", "--capacity", "3%", "--capacity", "10", "-o", str(report), "--json", str(tables)],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    assert "251 units scored as of 2026-11-02 with 9 profiles" in out
    assert "12 outcomes matched, 0 unmatched" in out
    assert "12 units inspected, 1 with a finding" in out
    assert f"wrote {report}" in out
    doc = json.loads(tables.read_text(encoding="utf-8"))
    assert doc["audit"]["as_of"] == "2026-11-02T00:00:00+00:00"
    assert doc["audit"]["labelled"] == 12
    assert [r["capacity"] for r in doc["capacity"]] == ["3%", "10"]
    # The planted precursor case was forced to inspection and found.
    assert {r["selected_by"]: r["findings"] for r in doc["selection"]} == {
        "score": 0, "forced": 1, "control": 0,
    }  # fmt: skip
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_declaration_export_works_through_column_mappings_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tables = tmp_path / "tables.json"
    code, out, err = _run(
        ["evaluate", str(DECLARATIONS), str(DECLARATIONS), "--mapping", str(DECLARATION_MAPPING),
         "--outcomes-mapping", str(DECLARATION_OUTCOMES), "--as-of", "2026-11-02",
         "--by", "month", "--json", str(tables), "--strict"],
        capsys,
    )  # fmt: skip
    assert code == 0, err  # strict: nothing rejected, nothing unmatched
    assert "400 outcomes matched, 0 unmatched" in out
    doc = json.loads(tables.read_text(encoding="utf-8"))
    assert doc["audit"]["labelled"] == doc["audit"]["units"] == 400
    # Each declaration is a unit of its own, keyed by its number.
    assert all("/B/L KAPE-HC-" in u["key"] for u in doc["units"])
    assert [r["period"] for r in doc["trend"]] == ["2026-09", "2026-10", "2026-11"]
    # The planted undervaluation is what the revenue profile looks for: the top of the
    # ranking finds far more than the random draws do.
    top = next(r for r in doc["capacity"] if r["capacity"] == "10%")
    assert top["precision_low"] > doc["audit"]["base_rate"]


# --- errors and exit codes -----------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> dict[str, Path]:
    profile = {
        "id": "t.seal", "version": 1, "title": "Seals", "category": "other", "owner": "tests",
        "indicators": [{"id": "no-seal", "title": "No seal", "when": "seal_count == 0",
                        "weight": 10}],
        "bands": [{"min_score": 10, "lane": "red"}],
    }  # fmt: skip
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "t.seal.yaml").write_text(yaml.safe_dump(profile), encoding="utf-8")
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "bl_number,container_number,seal_numbers\n"
        "B1,MSKU9045125,\nB2,TGHU9876542,S1\nB3,CSQU3054383,S2\n",
        encoding="utf-8",
    )
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(
        "unit,inspected,finding,selected_by\nMSKU9045125,yes,yes,score\n"
        "TGHU9876542,yes,no,random\nNOPE1234567,yes,no,random\nCSQU3054383,perhaps,no,\n",
        encoding="utf-8",
    )
    return {"profiles": tmp_path / "profiles", "batch": batch, "outcomes": outcomes}


def _base(small: dict[str, Path]) -> list[str]:
    return ["evaluate", str(small["batch"]), str(small["outcomes"]), "--profiles",
            str(small["profiles"]), "--as-of", "2026-11-02"]  # fmt: skip


def test_rejected_and_unmatched_outcomes_are_listed_and_fail_only_when_strict(
    small: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(_base(small), capsys)
    assert code == 0
    assert "2 outcomes matched, 1 unmatched" in out
    assert "unmatched outcome 'NOPE1234567' (record 4)" in out
    assert f"{small['outcomes']}: line 5: inspected: not a yes/no value" in err
    assert "(value 'perhaps')" in err
    assert "1 outcome records rejected, 1 outcomes unmatched" in err
    code, _, _ = _run([*_base(small), "--strict"], capsys)
    assert code == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--capacity", "lots"], "capacity must be a count"),
        (["--capacity", "120%"], "above 100"),
        (["-o", "/no/such/folder/report.html"], "does not exist"),
        (["--by", "day"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(
    small: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code, _, err = _run([*_base(small), *extra], capsys)
    assert code == 2
    assert message in err


def test_as_of_is_required(small: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a for a in _base(small) if a not in ("--as-of", "2026-11-02")]
    code, _, err = _run(argv, capsys)
    assert code == 2
    assert "--as-of" in err


def test_a_bad_outcome_mapping_names_its_file_and_line(
    small: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  unit: unit\n  findings: finding\n", encoding="utf-8")
    code, _, err = _run([*_base(small), "--outcomes-mapping", str(mapping)], capsys)
    assert code == 2
    assert f"{mapping}:3: 'findings' is not a column of the outcome layout" in err
    assert "did you mean 'finding'?" in err


def test_help_is_in_the_docs(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = _run(["evaluate", "--help"], capsys)
    assert code == 0
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert out in page, "docs/cli.md shows stale `riskprofile evaluate --help` output"


# --- the example data is what its seeded scripts write -------------------------------------


def test_sample_outcomes_are_what_the_script_writes() -> None:
    script = runpy.run_path(str(EXAMPLES / "generate_outcomes.py"))
    assert script["outcomes_csv"]().encode("utf-8") == SAMPLE_OUTCOMES.read_bytes(), (
        f"{SAMPLE_OUTCOMES} is stale: run python examples/generate_outcomes.py"
    )


def test_declarations_are_what_the_script_writes() -> None:
    script = runpy.run_path(str(EXAMPLES / "generate_declarations.py"))
    assert script["declarations_csv"]().encode("utf-8") == DECLARATIONS.read_bytes(), (
        f"{DECLARATIONS} is stale: run python examples/generate_declarations.py"
    )
