"""The flag list of a batch read column-wise (``data check --flags``): the model path on
the flagged units only gives what it gives on the whole file, flag for flag."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given

from riskprofile.io import read_frame, read_manifests, write_csv
from riskprofile.io._flags import flag_records, frame_flag_records
from riskprofile.model.manifest import Manifest
from riskprofile.synth import generate_manifests
from tests.io.test_columnar import NAMES, SETTINGS, _rows_of, _spoilt_rows, _write_rows

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _whole_file(path: Path, mapping: Any = None) -> list[Any]:
    reading = read_manifests(path, mapping=mapping)
    return flag_records(reading, list(reading))


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each goods line the model validates (one per record of a flat file that holds
    goods), counted."""
    from riskprofile.model.manifest import GoodsItem

    made: list[int] = []
    real = GoodsItem.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls: type[GoodsItem], obj: object, *args: object, **kwargs: object) -> Any:
        made.append(1)
        return real(cls, obj, *args, **kwargs)

    monkeypatch.setattr(GoodsItem, "model_validate", classmethod(counted))
    return made


def test_the_examples_flags_from_the_flagged_units() -> None:
    path = EXAMPLES / "data" / "karachi-sample.csv"
    got = frame_flag_records(read_frame(path))
    assert got is not None
    assert got == _whole_file(path)
    # The export's mapping has date formats: read through the model path, and so its flags.
    mapping = EXAMPLES / "mappings" / "customs-export.yaml"
    export = read_frame(EXAMPLES / "data" / "customs-export.csv", mapping=mapping)
    assert export.fallback is not None
    assert frame_flag_records(export, mapping) is None


def test_only_the_flagged_units_go_through_the_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "b.csv"
    write_csv(generate_manifests(5, 400, defect_rate=0.01), path)
    batch = read_frame(path)
    expected = _whole_file(path)
    made = _counting(monkeypatch)
    got = frame_flag_records(batch)
    assert got == expected
    assert expected  # the batch has flags...
    assert 0 < len(made) < batch.records_read // 4  # ...on a few units, read alone


def test_a_voyage_flag_is_on_the_record_that_gave_the_cell(tmp_path: Path) -> None:
    """Regression (found by the property below): a carrier code given on the third
    record only is flagged there, not on the first (which a part of a call is given)."""
    rows = _rows_of(list(generate_manifests(2, 3, defect_rate=0)), tmp_path)
    carrier = NAMES.index("carrier_scac")
    for row in rows:
        row[carrier] = ""
    rows[2][carrier] = "M4EU"
    for path in _write_rows(rows, tmp_path, "b"):
        got = frame_flag_records(read_frame(path))
        assert got == _whole_file(path)
        assert got is not None
        assert [(f.record, f.code) for f in got if f.column == "carrier_scac"] == [
            (4 if path.suffix == ".csv" else 3, "format")
        ]


@SETTINGS
@given(_spoilt_rows())
def test_spoilt_rows_give_the_flags_of_the_whole_file(
    case: tuple[list[Manifest], list[tuple[int, str, str]]],
) -> None:
    manifests, spoils = case
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rows = _rows_of(manifests, directory)
        if not rows:
            return
        for row, column, value in spoils:
            rows[row % len(rows)][NAMES.index(column)] = value
        for path in _write_rows(rows, directory, "spoilt"):
            got = frame_flag_records(read_frame(path))
            event("from the flagged units" if got is not None else "the whole file")
            if got is not None:
                assert got == _whole_file(path)


@pytest.mark.parametrize("strictness", ["strict"])
def test_strict_and_json_read_the_whole_file(tmp_path: Path, strictness: str) -> None:
    path = EXAMPLES / "data" / "karachi-sample.csv"
    assert frame_flag_records(read_frame(path, strictness=strictness)) is None  # type: ignore[arg-type]
    jsonl = tmp_path / "b.jsonl"
    from riskprofile.io import write_json

    write_json(list(read_manifests(path)), jsonl)
    assert frame_flag_records(read_frame(jsonl)) is None
