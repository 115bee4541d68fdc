"""Custom fields: a column mapping's ``extra:`` columns read as typed ``x_<name>`` fields,
bad cells flagged and nothing lost; profiles declare the fields they read and are refused
at load time, at the ``requires`` entry, when the run's mapping does not give them so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from riskprofile.cli import main
from riskprofile.errors import MappingError, ProfileSetError, RecordError
from riskprofile.io import ColumnMapping, read_batch, read_frame
from riskprofile.model import Shipment, field_catalogue
from riskprofile.profiles import check_custom_fields, load_profiles

CSV = """bl_number,consignee_name,Office,Tax Rate,Inspected On,Urgent,Codes
B1,ACME, kape ,17.5,2026-10-01,yes,A;B
B1,ACME, kape ,17.5,2026-10-01,yes,A;B
B2,ZETA,kapw,n/a,2026-13-01,maybe,
"""
MAPPING = """extra:
  office: {column: Office, type: text, normalise: upper}
  tax_rate: {column: "Tax Rate", type: number}
  inspected: {column: "Inspected On", type: date}
  urgent: {column: Urgent, type: bool}
  codes: {column: Codes, type: list}
"""
PROFILE = """id: test.custom
version: 1
title: Custom fields
category: other
owner: tests
requires:
  extra:
    office: text
    tax_rate: number
indicators:
  - id: office
    title: Office and rate
    when: x_office == "KAPE" and x_tax_rate >= 15
    weight: 30
    explain: "office {x_office} at {x_tax_rate} %"
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "batch.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    return tmp_path


def test_no_catalogue_field_looks_like_a_custom_field() -> None:
    assert not [f.name for f in field_catalogue() if f.name.startswith("x_")]


def test_a_shipment_takes_custom_fields_and_still_refuses_unknown_ones() -> None:
    shipment = Shipment(x_office="KAPE", x_rate=3, x_gone=None)
    assert (shipment.x_office, shipment.x_rate) == ("KAPE", 3.0)  # type: ignore[attr-defined]
    assert "x_gone" not in dict(shipment)
    with pytest.raises(RecordError, match="port_of_loadng"):
        Shipment(port_of_loadng="ECGYE")
    with pytest.raises(RecordError, match="x_bad"):
        Shipment(x_bad={"a": 1})


def test_custom_cells_are_typed_and_bad_ones_flagged_with_nothing_lost(files: Path) -> None:
    batch = read_batch(files / "batch.csv", mapping=files / "map.yaml")
    assert batch.rejected == []
    assert batch.ignored_columns == []
    first, second = batch.shipments
    assert {k: v for k, v in first if k.startswith("x_")} == {
        "x_office": "KAPE", "x_tax_rate": 17.5, "x_inspected": dt.date(2026, 10, 1),
        "x_urgent": True, "x_codes": ["A", "B"],
    }  # fmt: skip
    assert {k: v for k, v in second if k.startswith("x_")} == {"x_office": "KAPW"}
    assert [f for f in second.quality_flags if f.startswith("x_")] == [
        "x_tax_rate:invalid_value", "x_inspected:invalid_value", "x_urgent:invalid_value",
    ]  # fmt: skip
    frame = read_frame(files / "batch.csv", mapping=files / "map.yaml")
    assert (frame.fallback, frame.rows_via_models) == (None, 0)  # read column-wise
    assert frame.frame["x_tax_rate"].to_list() == [17.5, None]
    assert frame.frame["x_inspected"].dtype == pl.Datetime("us", "UTC")


def test_a_missing_column_and_bad_declarations_are_refused_with_their_line(
    files: Path,
) -> None:
    (files / "bad.yaml").write_text("extra:\n  gone: {column: Nope}\n", encoding="utf-8")
    with pytest.raises(Exception, match="'Nope' \\(custom field 'x_gone'"):
        read_batch(files / "batch.csv", mapping=files / "bad.yaml")
    for text, message in [
        ("extra:\n  Office: {column: Office}\n", "not a custom field name"),
        ("extra:\n  office: {column: Office, type: txt}\n", "type 'txt' is not one of"),
        ("extra:\n  office: {column: Office, normalize: upper}\n", "unknown key 'normalize'"),
        ("extra:\n  office: {type: text}\n", "needs a column"),
    ]:
        (files / "bad.yaml").write_text(text, encoding="utf-8")
        with pytest.raises(MappingError, match=message) as caught:
            ColumnMapping.from_file(files / "bad.yaml")
        assert caught.value.line == 2


def test_a_profile_reads_custom_fields_only_when_it_declares_them(files: Path) -> None:
    profiles = load_profiles(files / "p.yaml")
    undeclared = PROFILE.replace("    tax_rate: number\n", "")
    (files / "q.yaml").write_text(undeclared, encoding="utf-8")
    with pytest.raises(ProfileSetError) as caught:
        load_profiles(files / "q.yaml")
    (error,) = caught.value.errors
    assert error.code == "unknown_field"
    assert "x_tax_rate" in error.message
    assert "requires: {extra: {tax_rate: text}}" in (error.suggestion or "")
    assert profiles["test.custom"].profile.requires.extra == {
        "office": "text",
        "tax_rate": "number",
    }


def test_profiles_are_refused_when_the_mapping_does_not_give_their_fields(files: Path) -> None:
    profiles = load_profiles(files / "p.yaml")
    given = ColumnMapping.from_file(files / "map.yaml").extra
    check_custom_fields(profiles, given)  # gives both, with their types
    retyped = [c if c.name != "tax_rate" else type(c)(c.name, c.column, "text") for c in given]
    without = [c for c in given if c.name != "office"]
    with pytest.raises(ProfileSetError) as caught:
        check_custom_fields(profiles, retyped, "map.yaml")
    (error,) = caught.value.errors
    assert (error.line, error.column, error.code) == (9, 5, "custom_field")
    assert "declares it as text" in error.message
    with pytest.raises(ProfileSetError) as caught:
        check_custom_fields(profiles, without, "map.yaml")
    (error,) = caught.value.errors
    assert (error.line, error.column) == (8, 5)
    assert "x_office (text) is required by profile test.custom" in error.message


def test_score_refuses_them_and_explains_a_hit_on_them(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["score", str(files / "batch.csv"), "--profiles", str(files / "p.yaml"),
            "--as-of", "2026-12-07", "--format", "json"]  # fmt: skip
    assert main([*args, "-m", str(files / "map.yaml")]) == 0
    assert "office KAPE at 17.5 %" in capsys.readouterr().out
    (files / "less.yaml").write_text(MAPPING.replace("type: number", "type: text"), "utf-8")
    assert main([*args, "-m", str(files / "less.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{files / 'p.yaml'}:9:5: custom field x_tax_rate is required as number" in err


def test_data_convert_keeps_custom_fields_typed(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = str(files / "map.yaml")
    assert main(["data", "convert", str(files / "batch.csv"), str(files / "b.jsonl"),
                 "-m", mapping]) == 0  # fmt: skip
    frame = read_frame(files / "b.jsonl").frame
    # A custom date comes back a date (it came back as text), the others as they were.
    assert frame["x_inspected"].to_list() == [dt.datetime(2026, 10, 1, tzinfo=dt.UTC), None]
    assert frame["x_codes"].to_list() == [["A", "B"], None]
    assert main(["data", "convert", str(files / "batch.csv"), str(files / "b.csv"),
                 "-m", mapping]) == 0  # fmt: skip
    header = (files / "b.csv").read_text("utf-8").splitlines()[0].split(",")
    assert header[-5:] == ["x_office", "x_tax_rate", "x_inspected", "x_urgent", "x_codes"]
    said = capsys.readouterr().out.splitlines()[-1]
    assert said.startswith("custom fields written as columns x_office, x_tax_rate")
    # What it says reads the file back with every type kept.
    (files / "back.yaml").write_text(said.split("typed with ", 1)[1], encoding="utf-8")
    back = read_frame(files / "b.csv", mapping=files / "back.yaml")
    expected = read_frame(files / "batch.csv", mapping=files / "map.yaml").frame
    assert back.frame.select("^x_.*$").equals(expected.select("^x_.*$"))
