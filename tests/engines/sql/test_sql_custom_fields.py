"""Custom fields (a column mapping's ``extra:``, ``x_<name>``) on the SQL engines: read
as ordinary typed columns (text, number, date, bool, list), translated, and giving the
columnar engine's masks on random declarations and cells, on DuckDB and PostgreSQL."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from riskprofile.engines import columnar
from riskprofile.engines.sql import SqlEngine
from riskprofile.io import read_frame
from riskprofile.profiles._expressions import Condition, compile_condition, custom_field_types
from tests.depth import depth
from tests.engines.test_custom_fields import AS_OF, exports, write_export

# Conditions over a custom field of each type: comparisons, membership, text functions,
# nulls; each is translated to SQL (none is left to another engine).
CONDITIONS = {
    "text": ['{f} == "KAPE"', '{f} in ["KAPE", "X Y"]', "{f} == null", '{f} =~ "K.*"',
             "{f}.length > 2", '{f} != "kape"'],
    "number": ["{f} > 5", "{f} == 17.5", "{f} == null", "{f} <= -3", "{f} != 1000"],
    "date": ['{f} < d"2026-06-01"', "{f} == null", '{f} >= d"2026-01-01"'],
    "bool": ["{f} == true", "{f}", "not {f}", "{f} == null"],
    "list": ['"A" in {f}', "{f} == null", "{f}.length > 1"],
}  # fmt: skip


def _conditions(fields: dict[str, dict[str, str]]) -> list[tuple[str, Condition]]:
    custom = custom_field_types({name: spec["type"] for name, spec in fields.items()})
    out = []
    for name, spec in fields.items():
        for index, text in enumerate(CONDITIONS[spec["type"]]):
            condition = compile_condition(text.format(f=f"x_{name}"), {}, custom=custom)
            assert isinstance(condition, Condition), (text, condition)
            out.append((f"{name}:{index}", condition))
    return out


def _frame(fields: dict[str, dict[str, str]], rows: list[dict[str, str]]) -> pl.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        batch, mapping = write_export(Path(tmp), fields, rows)
        return read_frame(batch, mapping=mapping).frame


@settings(max_examples=depth(25), deadline=None, suppress_health_check=list(HealthCheck))
@given(exports())
def test_custom_fields_in_sql_equal_the_columnar_engine(
    sql_engine: SqlEngine, export: tuple[dict[str, dict[str, str]], list[dict[str, str]]]
) -> None:
    fields, rows = export
    frame = _frame(fields, rows)
    conditions = _conditions(fields)
    expected = columnar.masks_for(frame, conditions, {}, AS_OF)
    found = sql_engine.masks_for(frame, conditions, {}, AS_OF)
    for key, condition in conditions:
        assert found[key].fallback is None, (condition.expression, found[key].fallback)
        assert found[key].hit.to_list() == expected[key].hit.to_list(), condition.expression
        assert found[key].error.to_list() == expected[key].error.to_list(), condition.expression


def test_a_custom_field_is_translated_not_refused(sql_engine: SqlEngine) -> None:
    fields = {"office": {"column": "Office", "type": "text", "normalise": "upper"},
              "rate": {"column": "Rate", "type": "number", "normalise": "strip"}}  # fmt: skip
    rows = [{"bl_number": "B1", "consignee_name": "A", "Office": "kape", "Rate": "17.5"},
            {"bl_number": "B2", "consignee_name": "A", "Office": "", "Rate": ""}]  # fmt: skip
    frame = _frame(fields, rows)
    custom = custom_field_types({"office": "text", "rate": "number"})
    condition = compile_condition('x_office == "KAPE" and x_rate > 10', {}, custom=custom)
    assert isinstance(condition, Condition)
    masks = sql_engine.masks_for(frame, [("c", condition)], {}, AS_OF)["c"]
    assert masks.fallback is None
    assert masks.hit.to_list() == [True, False]


def test_a_custom_field_missing_from_the_batch_is_null(sql_engine: SqlEngine) -> None:
    frame = _frame({}, [{"bl_number": "B1", "consignee_name": "A"}])
    custom = custom_field_types({"office": "text"})
    condition = compile_condition("x_office == null", {}, custom=custom)
    assert isinstance(condition, Condition)
    masks = sql_engine.masks_for(frame, [("c", condition)], {}, AS_OF)["c"]
    assert masks.hit.to_list() == [True]
    assert masks.fallback is None


@pytest.mark.parametrize("kind", sorted(CONDITIONS))
def test_every_kind_of_custom_field_loads_into_postgres(kind: str, sql_engine: SqlEngine) -> None:
    cells = {"text": "kape", "number": "2.5", "date": "2026-01-02", "bool": "yes", "list": "A;B"}
    fields = {"f": {"column": "F", "type": kind, "normalise": "strip"}}
    frame = _frame(fields, [{"bl_number": "B1", "consignee_name": "A", "F": cells[kind]}])
    conditions = _conditions(fields)
    expected = columnar.masks_for(frame, conditions, {}, AS_OF)
    found = sql_engine.masks_for(frame, conditions, {}, AS_OF)
    for key, condition in conditions:
        assert found[key].fallback is None, condition.expression
        assert found[key].hit.to_list() == expected[key].hit.to_list(), condition.expression
