"""Outcomes read into columns (``read_outcome_table``) equal the row reader's
(``read_outcomes``): the same outcomes, rejected records, counts and ignored columns, for
Parquet files read column-wise and CSV/JSON read a slice at a time."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError
from riskprofile.evaluation import read_outcome_table, read_outcomes
from riskprofile.evaluation._outcome_table import outcome_table
from tests.depth import depth

_TEXTS = ["MSKU9045125", " msku 904512-5 ", "BL77", "  ", "", "D0001", "\x1cBL8\x1f",
          "\u00a0BL9\u00a0", "ÉTÉ ", "\u2003", "12"]  # fmt: skip
_BOOLS = ["yes", "Y", "no", "0", "1", " true ", "found", "maybe", "", "  ", "NO FINDING"]
_DATES = ["2026-11-03", "2026-11-03T10:00:00", "03/11/2026", "not a date", "", " 2026-01-02 "]
_BY = ["score", "random", "Watch List", "manual", "intelligence", "bogus", ""]


def _same(path: Path, mapping: Any = None) -> None:
    expected = read_outcomes(path, mapping)
    got = read_outcome_table(path, mapping)
    assert got.table.equals(outcome_table(expected.outcomes))
    assert got.rejected == expected.rejected
    assert got.records_read == expected.records_read
    assert got.record_unit == expected.record_unit
    assert got.ignored_columns == expected.ignored_columns
    assert list(got.outcomes) == list(expected.outcomes)


@st.composite
def _columns(draw: st.DrawFn) -> dict[str, pl.Series]:
    """A random outcome file's columns: text with blanks Python and Polars strip apart,
    lenient yes/no words and bad ones, dates as text, dates and datetimes, typed
    booleans and numbers, nulls, missing columns."""
    rows = draw(st.integers(5, 40))
    some = st.sampled_from

    def cells(values: list[Any]) -> list[Any]:
        return [draw(st.none() | some(values)) for _ in range(rows)]

    columns: dict[str, pl.Series] = {}
    for name in ("unit", "container_number", "bl_number"):
        if draw(st.booleans()):
            columns[name] = pl.Series(name, cells(_TEXTS), dtype=pl.String)
    inspected = draw(some(["text", "bool", "int", "missing"]))
    if inspected == "text":
        columns["inspected"] = pl.Series("inspected", cells(_BOOLS), dtype=pl.String)
    elif inspected == "bool":
        columns["inspected"] = pl.Series("inspected", cells([True, False]), dtype=pl.Boolean)
    elif inspected == "int":
        columns["inspected"] = pl.Series("inspected", cells([0, 1, 2]), dtype=pl.Int64)
    finding = draw(some(["text", "bool", "float"]))
    if finding == "text":
        columns["finding"] = pl.Series("finding", cells(_BOOLS), dtype=pl.String)
    elif finding == "bool":
        columns["finding"] = pl.Series("finding", cells([True, False]), dtype=pl.Boolean)
    else:
        columns["finding"] = pl.Series("finding", cells([0.0, 1.0, 0.5]), dtype=pl.Float64)
    if draw(st.booleans()):
        columns["seizure"] = pl.Series("seizure", cells(_BOOLS), dtype=pl.String)
    if draw(st.booleans()):
        columns["selected_by"] = pl.Series("selected_by", cells(_BY), dtype=pl.String)
    dates = draw(some(["text", "date", "datetime", "missing"]))
    if dates == "text":
        columns["date"] = pl.Series("date", cells(_DATES), dtype=pl.String)
    elif dates == "date":
        columns["date"] = pl.Series("date", cells([dt.date(2026, 1, 2)]), dtype=pl.Date)
    elif dates == "datetime":
        moment = dt.datetime(2026, 1, 2, 23, 30, tzinfo=dt.UTC)
        columns["date"] = pl.Series("date", cells([moment]), dtype=pl.Datetime("us", "UTC"))
    if draw(st.booleans()):
        columns["quantity"] = pl.Series("quantity", cells([1, 20, 300]), dtype=pl.Int64)
    if draw(st.booleans()):
        columns["category"] = pl.Series("category", cells(["drugs", " ipr ", ""]))
    if draw(st.booleans()):
        columns["notes"] = pl.Series("notes", cells(["x"]), dtype=pl.String)
    return columns


@settings(max_examples=depth(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_columns(), st.sampled_from([None, "yes", "no", " "]), st.sampled_from(["csv", "parquet"]))
def test_a_table_read_column_wise_is_what_the_row_reader_reads(
    columns: dict[str, pl.Series], default: str | None, kind: str
) -> None:
    frame = pl.DataFrame(list(columns.values()))
    mapping: dict[str, Any] = {}
    if default is not None:
        mapping["defaults"] = {"inspected": default, "finding": "no"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"o.{kind}"
        if kind == "csv":
            frame.select(pl.all().cast(pl.String)).write_csv(path)
        else:
            frame.write_parquet(path)
        from riskprofile.evaluation import outcome_mapping

        given_mapping = outcome_mapping(mapping) if mapping else None
        try:
            read_outcomes(path, given_mapping)
        except InputFormatError as exc:
            message = str(exc)
        else:
            _same(path, given_mapping)
            return
        with pytest.raises(InputFormatError) as got:
            read_outcome_table(path, given_mapping)
        assert str(got.value) == message


def test_a_large_parquet_file_is_read_in_slices(tmp_path: Path) -> None:
    """More records than a slice: the slices' lines follow on, a bad record in the second
    slice is rejected with its own row number."""
    from riskprofile.evaluation import _outcome_table

    count = _outcome_table._SLICE + 10
    finding = ["yes"] * count
    finding[_outcome_table._SLICE + 3] = "perhaps"
    pl.DataFrame(
        {"unit": [f"D{n:07d}" for n in range(count)], "inspected": "yes", "finding": finding}
    ).write_parquet(tmp_path / "o.parquet")
    got = read_outcome_table(tmp_path / "o.parquet")
    assert len(got) == count - 1
    assert [r.record for r in got.rejected] == [_outcome_table._SLICE + 4]
    _same(tmp_path / "o.parquet")
