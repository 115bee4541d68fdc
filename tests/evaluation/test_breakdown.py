"""An evaluation broken down by a field's values, custom fields (``x_<name>``) included:
the same rows from a run scored row-wise (objects) and column-wise (the frame); only
fields that group; nothing dropped when there are many values."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from riskprofile.cli import main
from riskprofile.errors import ArgumentError
from riskprofile.evaluation import breakdown, evaluate, read_outcomes
from riskprofile.io import read_batch, read_frame
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score

AS_OF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
MAPPING = """extra:
  office: {column: "Office", type: text, normalise: upper}
  urgent: {column: "Urgent", type: bool}
  codes: {column: "Codes", type: list, normalise: upper}
  rate: {column: "Tax Rate", type: number}
"""
PROFILE = """id: test.office
version: 1
title: Office
category: other
owner: tests
requires: {extra: {office: text}}
indicators:
  - {id: kape, title: Karachi East office, when: 'x_office == "KAPE"', weight: 50}
bands:
  - {min_score: 50, lane: yellow}
"""
NUMBERS = ["MSKU1234565", "TGHU3456781", "TCLU1234565", "MSCU1234566", "CAIU1234568"]


def _files(folder: Path, offices: list[str], codes: list[str]) -> tuple[Path, Path, Path]:
    lines = ["bl_number,container_number,consignee_name,Office,Urgent,Codes,Tax Rate"]
    for i, (office, code) in enumerate(zip(offices, codes, strict=True)):
        number = NUMBERS[i % len(NUMBERS)] if i < len(NUMBERS) else f"ABCU{i:06d}"
        lines.append(f"B{i},{number},ACME,{office},{'yes' if i % 2 else 'no'},{code},{i}")
    (folder / "batch.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "map.yaml").write_text(MAPPING, encoding="utf-8")
    (folder / "p.yaml").write_text(PROFILE, encoding="utf-8")
    outcomes = ["container_number,inspected,finding"]
    outcomes += [f"{n},true,{'true' if i in (0, 1) else 'false'}" for i, n in enumerate(NUMBERS)]
    (folder / "outcomes.csv").write_text("\n".join(outcomes) + "\n", encoding="utf-8")
    return folder / "batch.csv", folder / "map.yaml", folder / "outcomes.csv"


def test_a_custom_field_breaks_down_alike_from_objects_and_from_the_frame(tmp_path: Path) -> None:
    batch, mapping, outcomes = _files(tmp_path, ["kape", "kape", "lhe", "", "kape"],
                                      ["A;B", "B", "", "C", "A"])  # fmt: skip
    profiles = load_profiles([tmp_path / "p.yaml"])
    reading = read_outcomes(outcomes)
    by_objects = evaluate(
        score(read_batch(batch, mapping=mapping), profiles, as_of=AS_OF, engine="rowwise"),
        reading,
    )
    by_frame = evaluate(
        score(read_frame(batch, mapping=mapping), profiles, as_of=AS_OF, engine="columnar"),
        reading,
    )
    assert by_objects.run.frame_run is None
    assert by_frame.run.frame_run is not None
    for field in ("x_office", "x_urgent", "x_codes", "consignee_name"):
        assert breakdown(by_objects, field) == breakdown(by_frame, field), field
    office = {r["value"]: r for r in by_frame.breakdown("x_office")}
    assert set(office) == {"KAPE", "LHE", "(none)"}
    assert (office["KAPE"]["units"], office["KAPE"]["fired"], office["KAPE"]["inspected"],
            office["KAPE"]["findings"]) == (3, 3, 3, 2)  # fmt: skip
    assert office["KAPE"]["hit_rate"] == pytest.approx(2 / 3)
    assert office["KAPE"]["lift"] == pytest.approx((2 / 3) / by_frame.base_rate.value)
    assert (office["LHE"]["findings"], office["(none)"]["findings"]) == (0, 0)
    # A list field: a unit counts once in each of its values.
    codes = {r["value"]: r["units"] for r in by_frame.breakdown("x_codes")}
    assert codes == {"A": 2, "B": 2, "C": 1, "(none)": 1}


def test_fields_that_do_not_group_are_refused(tmp_path: Path) -> None:
    batch, mapping, outcomes = _files(tmp_path, ["kape"] * 5, ["A"] * 5)
    run = score(read_frame(batch, mapping=mapping), load_profiles([tmp_path / "p.yaml"]),
                as_of=AS_OF)  # fmt: skip
    evaluation = evaluate(run, read_outcomes(outcomes))
    with pytest.raises(ArgumentError, match="x_rate is a number: it does not group"):
        evaluation.breakdown("x_rate")
    with pytest.raises(ArgumentError, match="bl_issue_date is a date"):
        evaluation.breakdown("bl_issue_date")
    with pytest.raises(ArgumentError, match="did you mean consignee_name"):
        evaluation.breakdown("consigne_name")
    with pytest.raises(ArgumentError, match="custom field x_nope"):
        evaluation.breakdown("x_nope")


def test_many_values_keep_every_unit(tmp_path: Path) -> None:
    offices = [f"O{i:02d}" for i in range(12)]
    batch, mapping, outcomes = _files(tmp_path, offices, ["A"] * 12)
    run = score(read_frame(batch, mapping=mapping), load_profiles([tmp_path / "p.yaml"]),
                as_of=AS_OF)  # fmt: skip
    evaluation = evaluate(run, read_outcomes(outcomes))
    rows = evaluation.breakdown("x_office", limit=5)
    assert len(rows) == 5
    assert rows[-1]["value"] == f"(other: {len(offices) - 4} values)"
    assert sum(r["units"] for r in rows) == evaluation.units_total
    assert sum(r["findings"] for r in rows) == evaluation.findings


def test_the_command_line_prints_and_writes_breakdowns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch, mapping, outcomes = _files(tmp_path, ["kape", "kape", "lhe", "", "kape"],
                                      ["A", "B", "", "C", "A"])  # fmt: skip
    out = tmp_path / "e.json"
    code = main(["evaluate", str(batch), str(outcomes), "-m", str(mapping), "--as-of",
                 "2026-11-02", "--profiles", str(tmp_path / "p.yaml"), "--group-by",
                 "x_office", "--json", str(out)])  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "by x_office:" in printed
    assert "KAPE" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [r["value"] for r in document["breakdowns"]["x_office"]] == ["KAPE", "(none)", "LHE"]
    code = main(["evaluate", str(batch), str(outcomes), "-m", str(mapping), "--as-of",
                 "2026-11-02", "--profiles", str(tmp_path / "p.yaml"),
                 "--group-by", "x_rate"])  # fmt: skip
    assert code == 2
    assert "x_rate is a number" in capsys.readouterr().err
