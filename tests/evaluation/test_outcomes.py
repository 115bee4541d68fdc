"""Outcome records: reading (CSV, JSON, JSON Lines, Parquet, mappings), rejecting with
line, field and value, and matching to the units of a run."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError, MappingError
from riskprofile.evaluation import (
    Outcome,
    match_outcomes,
    outcome_mapping,
    read_outcomes,
)
from riskprofile.evaluation._outcomes import parse_bool, parse_selected_by
from riskprofile.model import Shipment
from tests.depth import depth
from tests.evaluation import CALL, Unit, make_run


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_our_layout_with_lenient_yes_no(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "o.csv",
        "unit,inspected,selected_by,finding,category,quantity,date\n"
        "MSKU9045125,Y,score,yes,drugs,120 kg,2026-11-03\n"
        "TGHU9876542,true,random,0,,,2026-11-04\n"
        "BL77,no,,,,,\n",
    )
    reading = read_outcomes(path)
    assert reading.rejected == ()
    assert reading.records_read == 3
    first, second, third = reading.outcomes
    assert first == Outcome("MSKU9045125", True, True, "score", "drugs", "120 kg",
                            dt.date(2026, 11, 3), 2)  # fmt: skip
    assert (second.inspected, second.finding, second.selected_by) == (True, False, "control")
    assert (third.inspected, third.finding, third.source_line) == (False, False, 4)


def test_reads_a_seized_quantity_with_its_unit_apart(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "o.csv",
        "unit,inspected,finding,category,quantity,quantity_unit,seizure\n"
        "MSKU9045125,yes,yes,drugs,120.5,kg,yes\n"
        "TGHU9876542,yes,no,,,,\n"
        "BL77,yes,no,,,,yes\n",
    )
    reading = read_outcomes(path)
    first, second = reading.outcomes
    assert (first.quantity, first.quantity_unit, first.seizure) == ("120.5", "kg", True)
    assert (second.quantity_unit, second.seizure) == (None, None)
    [rejected] = reading.rejected
    assert "a seizure needs a finding" in str(rejected)


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), (1, True), (1.0, True),
     ("no", False), ("n", False), ("False", False), ("0", False), (0, False), (False, False),
     ("maybe", None), ("2", None), ("", None)],
)  # fmt: skip
def test_parse_bool(text: object, value: bool | None) -> None:
    assert parse_bool(text) is value


def test_parse_selected_by() -> None:
    assert parse_selected_by("Random sample") == "control"
    assert parse_selected_by("WATCH_LIST") == "forced"
    assert parse_selected_by("criteria") == "score"
    assert parse_selected_by("manual") == "other"
    assert parse_selected_by("lottery") is None


def test_every_record_is_read_or_rejected_with_line_field_and_value(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "o.csv",
        "unit,inspected,finding,selected_by,date\n"
        "A1,maybe,no,score,2026-11-01\n"  # line 2: bad yes/no
        "A2,yes,,score,2026-11-01\n"  # line 3: inspected, finding missing
        "A3,no,yes,,\n"  # line 4: finding without inspection
        ",yes,no,,\n"  # line 5: no unit
        "A5,yes,no,lottery,2026-13-01\n"  # line 6: bad reason and bad date
        "A6,yes,no,score,2026-11-01,extra\n"  # line 7: extra cell
        "A7,yes,no,control,2026-11-02\n",  # line 8: fine
    )
    reading = read_outcomes(path)
    assert [o.unit for o in reading.outcomes] == ["A7"]
    assert reading.records_read == len(reading.outcomes) + len(reading.rejected) == 7
    by_line = {r.record: r for r in reading.rejected}
    assert set(by_line) == {2, 3, 4, 5, 6, 7}
    (problem,) = by_line[2].problems
    assert (problem.field, problem.value) == ("inspected", "maybe")
    assert "yes/no" in problem.reason
    assert by_line[3].problems[0].field == "finding"
    assert "not inspected" in by_line[4].reason
    assert by_line[5].problems[0].field == "unit"
    assert {(p.field, p.value) for p in by_line[6].problems} == {
        ("selected_by", "lottery"),
        ("date", "2026-13-01"),
    }
    assert "more cells" in by_line[7].reason


MAPPING = """\
delimiter: ";"
date_format: "%d/%m/%Y"
columns:
  bl_number: Declaration
  finding: Fraud
  category: Kind
  date: Checked on
defaults:
  inspected: yes
"""


def test_mapping_renames_columns_and_gives_defaults(tmp_path: Path) -> None:
    mapping = _write(tmp_path / "m.yaml", MAPPING)
    path = _write(
        tmp_path / "o.csv",
        "Declaration;Fraud;Kind;Checked on;Office\nD-1;1;revenue;03/11/2026;KHI\nD-2;0;;x;KHI\n",
    )
    reading = read_outcomes(path, mapping)
    (outcome,) = reading.outcomes
    assert (outcome.unit, outcome.bl_number, outcome.inspected, outcome.finding) == (
        "D-1", "D-1", True, True,
    )  # fmt: skip
    assert outcome.date == dt.date(2026, 11, 3)
    (rejected,) = reading.rejected
    assert (rejected.record, rejected.problems[0].field, rejected.problems[0].value) == (
        3, "Checked on (date)", "x",
    )  # fmt: skip
    assert reading.ignored_columns == ("Office",)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("columns:\n  findings: Fraud\n", "did you mean 'finding'?", 2),
        ("defaults:\n  inspected: yes\n  categroy: drugs\n", "did you mean 'category'?", 3),
        ("delimiter: ';;'\n", "one character", 1),
        ("columns:\n  finding: [A, B]\n", "must name a column", 2),
        ("colums: {}\n", "did you mean 'columns'?", 1),
    ],
)
def test_mapping_errors_name_file_line_and_fix(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    mapping = _write(tmp_path / "m.yaml", text)
    path = _write(tmp_path / "o.csv", "unit,inspected,finding\nA,yes,no\n")
    with pytest.raises(MappingError) as info:
        read_outcomes(path, mapping)
    assert message in str(info.value)
    assert info.value.line == line
    assert info.value.path == str(mapping)


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match="no unit, container_number or bl_number"):
        read_outcomes(_write(tmp_path / "a.csv", "box,inspected\nA,yes\n"))
    with pytest.raises(InputFormatError, match="no inspected column"):
        read_outcomes(_write(tmp_path / "b.csv", "unit,finding\nA,yes\n"))
    with pytest.raises(InputFormatError, match=r"'Fraud' .* is not in the file"):
        read_outcomes(
            _write(tmp_path / "c.csv", "unit,inspected\nA,yes\n"),
            outcome_mapping({"columns": {"finding": "Fraud"}}),
        )
    with pytest.raises(InputFormatError, match="no such file"):
        read_outcomes(tmp_path / "missing.csv")


def test_json_json_lines_and_parquet_read_the_same(tmp_path: Path) -> None:
    records = [
        {"Box": "MSKU9045125", "Checked": "yes", "Found": True, "Date": "2026-11-03"},
        {"Box": "TGHU9876542", "Checked": "no", "Found": None, "Date": None},
    ]
    mapping = outcome_mapping(
        {"columns": {"container_number": "Box", "inspected": "Checked", "finding": "Found",
                     "date": "Date"}}
    )  # fmt: skip
    _write(tmp_path / "o.json", json.dumps({"outcomes": records}))
    _write(tmp_path / "o.jsonl", "\n".join(json.dumps(r) for r in records) + "\n{oops\n")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.Table.from_pylist(records), str(tmp_path / "o.parquet"))
    readings = [read_outcomes(tmp_path / f"o.{s}", mapping) for s in ("json", "jsonl", "parquet")]
    for reading in readings:
        assert [(o.unit, o.inspected, o.finding, o.date) for o in reading.outcomes] == [
            ("MSKU9045125", True, True, dt.date(2026, 11, 3)),
            ("TGHU9876542", False, False, None),
        ]
    assert readings[0].record_unit == "record"
    assert readings[2].record_unit == "row"
    (bad,) = readings[1].rejected
    assert bad.record == 3
    assert "not valid JSON" in bad.reason


def test_outcome_refuses_a_finding_without_inspection() -> None:
    with pytest.raises(ValueError, match="needs an inspection"):
        Outcome("A", inspected=False, finding=True)
    with pytest.raises(ValueError, match="selected_by"):
        Outcome("A", inspected=True, finding=False, selected_by="lottery")  # type: ignore[arg-type]


# --- matching ------------------------------------------------------------------------------


def test_match_by_unit_key_container_then_bill_of_lading() -> None:
    run = make_run(
        [Unit("MSKU9045125", 5, bl="BLX"), Unit("TGHU9876542", 3, bl="BLX"),
         Unit("CSQU3054383", 1, bl="BLY")]
    )  # fmt: skip
    outcomes = [
        Outcome(f"{CALL}/CSQU3054383", True, False),
        Outcome("msku 904512-5", True, True, "score", "drugs"),
        Outcome("BLX", True, False, "control"),  # an FCL B/L: both its containers
        Outcome("NOPE", True, True),
    ]
    match = match_outcomes(run, outcomes)
    assert [keys for _, keys in match.matched] == [
        (f"{CALL}/CSQU3054383",),
        (f"{CALL}/MSKU9045125",),
        (f"{CALL}/MSKU9045125", f"{CALL}/TGHU9876542"),
    ]
    (unmatched,) = match.unmatched
    assert unmatched.outcome.unit == "NOPE"
    assert "no unit" in unmatched.reason
    box = match.units[f"{CALL}/MSKU9045125"]
    # Two records for one container: a finding in either is a finding; control wins.
    assert (box.inspected, box.finding, box.selected_by, box.categories) == (
        True, True, "control", ("drugs",),
    )  # fmt: skip
    assert list(match.units) == [c.key for c in run.containers if c.key in match.units]


def test_a_container_in_two_vessel_calls_is_ambiguous_unless_keyed() -> None:
    shipments = [
        Shipment(shipment_id=f"{call}/B{i}/MSKU9045125", manifest_ref=call,
                 container_number="MSKU9045125", bl_number=f"B{i}")
        for i, call in enumerate(["1111111/1", "2222222/2"])
    ]  # fmt: skip
    match = match_outcomes(shipments, [Outcome("MSKU9045125", True, True),
                                       Outcome("2222222/2/MSKU9045125", True, True)])  # fmt: skip
    assert "2 vessel calls" in match.unmatched[0].reason
    assert list(match.units) == ["2222222/2/MSKU9045125"]


@given(st.permutations(list(range(6))))
def test_matching_does_not_depend_on_outcome_order(order: list[int]) -> None:
    run = make_run([Unit(n, s) for n, s in
                    [("MSKU9045125", 5), ("TGHU9876542", 3), ("CSQU3054383", 1)]])  # fmt: skip
    outcomes = [
        Outcome("MSKU9045125", True, False, "score"),
        Outcome("MSKU9045125", True, True, "control", "ipr"),
        Outcome("TGHU9876542", True, False, "score", date=dt.date(2026, 11, 5)),
        Outcome("TGHU9876542", True, False, date=dt.date(2026, 11, 3)),
        Outcome("CSQU3054383", False, False),
        Outcome("ZZZ", True, False),
    ]
    base = match_outcomes(run, outcomes)
    shuffled = match_outcomes(run, [outcomes[i] for i in order])
    strip = {k: (u.inspected, u.finding, u.selected_by, u.categories, u.date)
             for k, u in base.units.items()}  # fmt: skip
    assert strip == {k: (u.inspected, u.finding, u.selected_by, u.categories, u.date)
                     for k, u in shuffled.units.items()}  # fmt: skip
    assert list(base.units) == list(shuffled.units)
    assert strip[f"{CALL}/TGHU9876542"][4] == dt.date(2026, 11, 3)


def test_outcome_layout_table_in_the_docs_matches_the_code() -> None:
    from riskprofile.evaluation import render_outcome_layout

    page = (Path(__file__).resolve().parents[2] / "docs" / "evaluation.md").read_text("utf-8")
    between = page.split("<!-- outcome-layout:start -->", 1)[1].split(
        "<!-- outcome-layout:end -->", 1
    )[0]
    assert between.strip("\n") == render_outcome_layout().strip("\n"), (
        "the outcome layout in docs/evaluation.md is stale: paste render_outcome_layout()"
    )


_CELLS = st.sampled_from(["yes", "no", "Y", "n", "1", "0", "true", "maybe", "", " ", "2"])


@settings(max_examples=depth(50), deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "MSKU9045125", "BL-1"]), _CELLS, _CELLS,
            st.sampled_from(["", "score", "random", "lottery"]),
            st.sampled_from(["", "2026-11-02", "02/11/2026", "yesterday"]),
        ),
        max_size=12,
    )
)  # fmt: skip
def test_every_record_is_either_read_or_rejected_with_a_named_field(
    rows: list[tuple[str, str, str, str, str]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "o.csv"
        lines = ["unit,inspected,finding,selected_by,date"]
        lines += [",".join(row) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        reading = read_outcomes(path)
    non_blank = [r for r in rows if any(c.strip() for c in r)]
    assert reading.records_read == len(non_blank)
    assert len(reading.outcomes) + len(reading.rejected) == reading.records_read
    read_lines = {o.source_line for o in reading.outcomes}
    assert read_lines.isdisjoint(r.record for r in reading.rejected)
    for rejected in reading.rejected:
        assert rejected.problems
        assert all(p.field in {"unit", "inspected", "finding", "selected_by", "date"}
                   for p in rejected.problems)  # fmt: skip
    for outcome in reading.outcomes:
        assert outcome.inspected or not outcome.finding


def test_mapping_file_problems(tmp_path: Path) -> None:
    path = _write(tmp_path / "o.csv", "unit,inspected,finding\nA,yes,no\n")
    with pytest.raises(MappingError, match="cannot read"):
        read_outcomes(path, tmp_path / "missing.yaml")
    big = _write(tmp_path / "big.yaml", "# " + "x" * 300_000 + "\n")
    with pytest.raises(MappingError, match="limited to"):
        read_outcomes(path, big)
    broken = _write(tmp_path / "broken.yaml", "columns:\n  unit: [unclosed\n")
    with pytest.raises(MappingError, match="not valid YAML") as info:
        read_outcomes(path, broken)
    assert info.value.line == 3


def test_a_line_separator_or_a_huge_cell_in_an_outcome_csv_is_read_as_a_cell(
    tmp_path: Path,
) -> None:
    """Regression: the outcome CSV was split with str.splitlines (U+2028, \\x1c... ended a
    record) and a cell over 128 KiB made the file unreadable."""
    path = tmp_path / "o.csv"
    path.write_text(
        "container_number,inspected,finding,notes\n"
        "MSKU9045125,yes,no,first\u2028second\n"
        f"TGHU9876542,yes,yes,{'X' * 200_000}\n",
        encoding="utf-8",
    )
    reading = read_outcomes(path)
    assert reading.rejected == ()
    assert [(o.unit, o.finding) for o in reading.outcomes] == [
        ("MSKU9045125", False),
        ("TGHU9876542", True),
    ]
