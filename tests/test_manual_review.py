"""Units whose records were rejected are never dropped silently: they are listed "not
scored: manual review" on the inspection list and counted in every summary, in the model
path and the column-wise path alike."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from riskprofile.cli import EXIT_DATA_PROBLEMS, main
from riskprofile.io import FieldProblem, RejectedRecord, read_batch
from riskprofile.model import Shipment
from riskprofile.profiles import bundled_profiles_path, load_profiles
from riskprofile.scoring import score
from riskprofile.selection import ManualReview, select
from tests import strategies as rst
from tests.profile_memo import TARGETS, load_once

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
AS_OF = dt.date(2026, 11, 2)


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch, *TARGETS, f"{__name__}.load_profiles")


def _rejected(record: int, boxes: tuple[str, ...], bls: tuple[str, ...]) -> RejectedRecord:
    return RejectedRecord("b.csv", record, (FieldProblem("x", "1", f"bad {record}"),), boxes, bls)


def _profiles() -> Any:
    return rst.load_profile_documents(
        [{"id": "t.mr", "version": 1, "title": "t", "category": "other", "owner": "t",
          "indicators": [{"id": "i", "title": "i", "when": "true", "weight": 1}]}]
    )  # fmt: skip


SHIPMENTS = [Shipment(shipment_id="M/B1/C1", manifest_ref="M", bl_number="B1",
                      container_number="MSKU1234565")]  # fmt: skip


def _run() -> object:
    return score(SHIPMENTS, _profiles(), as_of=AS_OF)


def test_rejected_records_become_units_for_manual_review() -> None:
    run = _run()
    rejected = [
        _rejected(7, ("MSKU1234565",), ("B1",)),  # its other B/L was scored
        _rejected(3, ("TGHU1234567",), ("B2",)),
        _rejected(4, (), ("B2",)),  # a goods line of B2 without a container: joins it
        _rejected(9, (), ("B9",)),  # a B/L alone
        _rejected(2, (), ()),  # a row that names nothing
    ]
    selection = select(run, capacity=1, not_scored=rejected)  # type: ignore[arg-type]
    assert list(selection.manual_review) == [
        ManualReview(None, (), (2,), ("x: bad 2 (value '1')",), False),
        ManualReview(None, ("B9",), (9,), ("x: bad 9 (value '1')",), False),
        ManualReview("MSKU1234565", ("B1",), (7,), ("x: bad 7 (value '1')",), True),
        ManualReview(
            "TGHU1234567", ("B2",), (3, 4), ("x: bad 3 (value '1')", "x: bad 4 (value '1')"),
            False,
        ),
    ]  # fmt: skip
    # Outside the capacity: the selection itself is unchanged.
    plain = select(run, capacity=1)  # type: ignore[arg-type]
    assert (selection.selected, selection.left_out) == (plain.selected, plain.left_out)
    assert plain.manual_review == ()


def test_strict_scoring_lists_the_rejected_units_and_counts_them(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")
    argv = ["score", "examples/data/karachi-sample.csv", "--as-of", "2026-11-02", "--strict"]
    code = main(argv)
    out = capsys.readouterr().out
    assert code == EXIT_DATA_PROBLEMS
    batch = read_batch(SAMPLE, strictness="strict")
    assert len(batch.rejected) == 10
    text = " ".join(out.split())
    assert "7 units not scored (10 records rejected): listed for manual review" in text
    # The wrong check digit the README calls a risk indicator: on the list, with why.
    assert "- PCIU4391883 not scored: manual review" in text
    assert "record 130 rejected: container_number: 'PCIU4391883' fails the ISO 6346 check" in text
    code = main([*argv, "--format", "json"])
    audit = json.loads(capsys.readouterr().out)["audit"]
    assert code == EXIT_DATA_PROBLEMS
    assert sum(len(u["records"]) for u in audit["not_scored"]) == 10
    assert {u["container_number"] for u in audit["not_scored"]} >= {"PCIU4391883"}
    # Lenient reading keeps those records (flagged): nothing to review by hand.
    code = main([*argv[:-1], "--format", "json"])
    assert json.loads(capsys.readouterr().out)["audit"]["not_scored"] == []


def test_the_column_wise_path_gives_the_same_units_to_review() -> None:
    pytest.importorskip("polars")
    from riskprofile.engines.columnar import score_frame
    from riskprofile.io import read_frame

    profiles = load_profiles(bundled_profiles_path(), country="PK")
    batch = read_batch(SAMPLE, strictness="strict")
    frame = read_frame(SAMPLE, strictness="strict")
    assert frame.rejected == tuple(batch.rejected)
    run = score(batch.shipments, profiles, as_of=AS_OF)
    frame_run = score_frame(frame.frame, profiles, as_of=AS_OF)
    rows = select(run, capacity="3%", not_scored=batch.rejected).manual_review
    columns = select(frame_run, capacity="3%", not_scored=frame.rejected).manual_review
    assert rows == columns
    assert len(rows) == 7
    assert any(u.partly_scored for u in rows)


def test_a_rejected_manifest_names_its_units(tmp_path: Path) -> None:
    doc = {
        "vessel_name": "MSC ANNA", "voyage_number": "0425W", "port_of_call": "PKKHI",
        "containers": [{"number": "TGHU1234560"}],
        "consignments": [{"bl_number": "MAEU1", "container_numbers": ["MSKU1234566"],
                          "goods": [{"description": "X", "container_number": "MSKU1234566"}]}],
    }  # fmt: skip
    path = tmp_path / "m.jsonl"
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    (record,) = read_batch(path, strictness="strict").rejected
    assert record.container_numbers == ("TGHU1234560", "MSKU1234566")
    assert record.bl_numbers == ("MAEU1",)


def test_a_bill_only_record_joins_the_scored_container_of_its_bill() -> None:
    """A rejected goods line that names its B/L but no container (its container cell is
    blank) points the officer at the container that B/L was scored in, as partly scored,
    in both kinds of run (it stood alone as "(no container)" before)."""
    run = _run()
    expected = (ManualReview("MSKU1234565", ("B1",), (5,), ("x: bad 5 (value '1')",), True),)
    rejected = [_rejected(5, (), ("B1",))]
    assert select(run, capacity=1, not_scored=rejected).manual_review == expected  # type: ignore[arg-type]
    pytest.importorskip("polars")
    from riskprofile.engines.columnar import score_frame, shipment_frame

    frame_run = score_frame(shipment_frame(SHIPMENTS), _profiles(), as_of=AS_OF)
    assert select(frame_run, capacity=1, not_scored=rejected).manual_review == expected
