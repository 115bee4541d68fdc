"""The history store: batches and outcomes recorded once, refused stores left untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskprofile.errors import HistoryStoreError, RiskProfileError
from riskprofile.evaluation import Outcome
from riskprofile.history import open_store
from riskprofile.io import read_frame
from riskprofile.model.shipment import HISTORY_FIELDS

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
OUTCOMES = ROOT / "examples" / "data" / "karachi-sample.outcomes.csv"


def test_a_batch_added_twice_is_recorded_once(store_location: str) -> None:
    with open_store(store_location) as store:
        first = store.add(SAMPLE, OUTCOMES, as_of="2026-11-02")
        again = store.add(SAMPLE, OUTCOMES, as_of="2026-11-03")
        stats = store.stats()
        runs = store.runs()
    assert (first.batch_known, first.shipments_added, first.shipments_known) == (False, 361, 0)
    assert (again.batch_known, again.shipments_added, again.shipments_known) == (True, 0, 361)
    assert again.run_id == first.run_id
    assert first.outcomes_added > 0
    assert (again.outcomes_added, again.outcomes_known) == (0, first.outcomes_added)
    assert stats.shipments == 361
    assert stats.runs == 1
    assert stats.inspections == first.outcomes_added
    assert runs.height == 1
    assert runs["shipments_added"].to_list() == [361]


def test_shipments_already_recorded_from_another_file_are_not_counted_again(
    store_location: str, tmp_path: Path
) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    part = tmp_path / "part.csv"
    part.write_text("".join(lines[:60]), encoding="utf-8")
    with open_store(store_location) as store:
        some = store.add(part, as_of="2026-11-02")
        whole = store.add(SAMPLE, as_of="2026-11-02")
        stats = store.stats()
    assert some.shipments_added > 0
    assert not whole.batch_known
    assert whole.shipments_known == some.shipments_added
    assert whole.shipments_added == 361 - some.shipments_added
    assert stats.shipments == 361
    assert stats.runs == 2


def test_an_outcome_naming_no_shipment_is_reported_not_dropped(store_location: str) -> None:
    frame = read_frame(SAMPLE).frame
    box = frame["container_number"].drop_nulls()[0]
    outcomes = [
        Outcome(box, inspected=True, finding=True, category="drugs"),
        Outcome("ZZZU0000000", inspected=True, finding=False),
    ]
    with open_store(store_location) as store:
        report = store.add(SAMPLE, outcomes, as_of="2026-11-02")
        stats = store.stats()
    assert report.outcomes_read == 2
    assert [u.outcome.unit for u in report.unmatched] == ["ZZZU0000000"]
    assert "no unit, container or bill of lading" in report.unmatched[0].reason
    assert report.outcomes_added == frame.filter(frame["container_number"] == box).height
    assert stats.findings == report.outcomes_added


def test_a_file_that_is_not_a_store_is_refused_and_left_untouched(tmp_path: Path) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_bytes(SAMPLE.read_bytes())
    with pytest.raises(HistoryStoreError, match="is not a DuckDB history store") as caught:
        open_store(batch)
    assert isinstance(caught.value, RiskProfileError)
    assert batch.read_bytes() == SAMPLE.read_bytes()


def test_reading_a_missing_store_does_not_create_one(tmp_path: Path) -> None:
    missing = tmp_path / "nope.duckdb"
    with pytest.raises(HistoryStoreError, match="no such store"):
        open_store(missing, create=False)
    assert not missing.exists()
    with pytest.raises(HistoryStoreError, match="does not exist"):
        open_store(tmp_path / "no-folder" / "h.duckdb")
    with pytest.raises(HistoryStoreError, match="is a folder"):
        open_store(tmp_path)


def test_a_batch_read_has_null_history_fields() -> None:
    frame = read_frame(SAMPLE).frame
    assert frame.select(HISTORY_FIELDS).null_count().row(0) == (frame.height,) * len(HISTORY_FIELDS)


def test_a_dsn_password_is_never_shown() -> None:
    from riskprofile.history._backends import shown_location

    shown = shown_location("postgresql://pcu:s3cret@127.0.0.1:1/history")
    assert "s3cret" not in shown
    with pytest.raises(HistoryStoreError) as caught:
        open_store("postgresql://pcu:s3cret@127.0.0.1:1/history?connect_timeout=1")
    assert "s3cret" not in str(caught.value)


def test_a_store_made_before_quantities_were_kept_gets_their_columns(tmp_path: Path) -> None:
    import duckdb

    from riskprofile.history import open_store

    path = tmp_path / "old.duckdb"
    with open_store(str(path)):
        pass
    with duckdb.connect(str(path)) as db:
        for column in ("quantity", "quantity_unit", "seizure"):
            db.execute(f"ALTER TABLE rp_inspections DROP COLUMN {column}")
    with open_store(str(path)) as store:
        columns = store._db.frame("SELECT * FROM rp_inspections LIMIT 0").columns
    assert columns[-3:] == ["quantity", "quantity_unit", "seizure"]
