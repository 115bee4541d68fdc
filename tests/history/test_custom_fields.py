"""Custom fields (``x_<name>``, a column mapping's ``extra:``) recorded with the batch in
the history store, typed, and read back point-in-time, alike on DuckDB and PostgreSQL."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal

from riskprofile.errors import HistoryStoreError
from riskprofile.history import open_store
from riskprofile.io import read_frame
from tests.depth import depth
from tests.engines.test_custom_fields import exports, write_export

FIELDS = {
    "office": {"column": "Office", "type": "text", "normalise": "upper"},
    "rate": {"column": "Tax Rate", "type": "number", "normalise": "strip"},
    "seen": {"column": "Seen", "type": "date", "normalise": "strip"},
    "urgent": {"column": "Urgent", "type": "bool", "normalise": "strip"},
    "codes": {"column": "Codes", "type": "list", "normalise": "upper"},
}
BATCH = (
    "bl_number,container_number,consignee_name,bl_issue_date,Office,Tax Rate,Seen,Urgent,Codes\n"
    "B1,MSKU1234565,ACME,2026-10-01,kape,17.5,2026-01-02,yes,a;b\n"
    "B2,MSKU1234565,ACME,2026-11-01,,,,,\n"
)


def _write(folder: Path, batch: str, fields: dict[str, dict[str, str]]) -> tuple[Path, Path]:
    (folder / "batch.csv").write_text(batch, encoding="utf-8")
    (folder / "map.yaml").write_text(yaml.safe_dump({"extra": fields}), encoding="utf-8")
    return folder / "batch.csv", folder / "map.yaml"


def test_custom_fields_are_stored_typed_and_read_point_in_time(
    store_location: str, tmp_path: Path
) -> None:
    batch, mapping = _write(tmp_path, BATCH, FIELDS)
    with open_store(store_location) as store:
        store.add(batch, mapping=mapping, as_of="2026-11-02")
        assert store.custom_fields().rows() == [
            ("x_codes", "list", 1), ("x_office", "text", 1), ("x_rate", "number", 1),
            ("x_seen", "date", 1), ("x_urgent", "bool", 1),
        ]  # fmt: skip
        names = ["x_office", "x_rate", "x_seen", "x_urgent", "x_codes"]
        later = store.custom_values(names, "2026-12-01")
        # Only what was seen strictly before: B1 (issued 2026-10-01), not B2.
        early = store.custom_values(names, "2026-10-15")
    frame = read_frame(batch, mapping=mapping).frame
    expected = frame.select("shipment_id", *names).with_columns(
        pl.col("x_codes").list.eval(pl.element())
    )
    assert_frame_equal(
        later.select("shipment_id", *names).sort("shipment_id"),
        expected.sort("shipment_id"),
        check_dtypes=True,
    )
    assert early.height == 1
    assert early.row(0, named=True)["x_codes"] == ["A", "B"]
    assert early.row(0, named=True)["x_rate"] == 17.5


def test_a_field_keeps_its_type_in_a_store(store_location: str, tmp_path: Path) -> None:
    batch, mapping = _write(tmp_path, BATCH, FIELDS)
    other = tmp_path / "other"
    other.mkdir()
    retyped = {**FIELDS, "rate": {**FIELDS["rate"], "type": "text"}}
    batch2, mapping2 = _write(other, BATCH.replace("B1,", "B7,").replace("B2,", "B8,"), retyped)
    with open_store(store_location) as store:
        store.add(batch, mapping=mapping, as_of="2026-11-02")
        with pytest.raises(HistoryStoreError, match="x_rate is stored as number; this batch "
                           "gives it as text"):  # fmt: skip
            store.add(batch2, mapping=mapping2, as_of="2026-11-03")
        # Nothing of the refused batch was kept.
        assert store.stats().shipments == 2
        with pytest.raises(HistoryStoreError, match="no custom field x_nope"):
            store.custom_values(["x_nope"], "2026-12-01")


@settings(max_examples=depth(15), deadline=None, suppress_health_check=list(HealthCheck))
@given(exports())
def test_random_custom_fields_read_back_as_read(
    export: tuple[dict[str, dict[str, str]], list[dict[str, str]]],
) -> None:
    fields, rows = export
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        batch, mapping = write_export(folder, fields, rows)
        frame = read_frame(batch, mapping=mapping).frame
        unique = frame.unique("shipment_id", keep="first", maintain_order=True)
        names = [c for c in frame.columns if c.startswith("x_")]
        with open_store(folder / "h.duckdb") as store:
            store.add(batch, mapping=mapping, as_of="2026-11-02")
            given_values = [n for n in names if unique[n].is_not_null().any()]
            read = store.custom_values(given_values, "2026-11-03")
        expected = unique.select("shipment_id", *given_values)
        assert_frame_equal(
            read.select("shipment_id", *given_values).sort("shipment_id"),
            expected.sort("shipment_id"),
        )


def test_history_add_and_stats_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskprofile.cli import main

    batch, mapping = _write(tmp_path, BATCH, FIELDS)
    store = str(tmp_path / "h.duckdb")
    assert main(["history", "add", str(batch), "-m", str(mapping), "--store", store,
                 "--as-of", "2026-11-02"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["history", "stats", "--store", store]) == 0
    assert "custom fields x_codes (list, 1), x_office (text, 1)" in capsys.readouterr().out
    assert main(["history", "stats", "--store", store, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["custom_fields"][0] == {"name": "x_codes", "kind": "list", "shipments": 1}
