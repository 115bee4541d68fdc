"""``Batch`` and ``FrameBatch`` share one account of the read (``ReadAccount``), not two
copies of it: the same fields, counts and refusal."""

from __future__ import annotations

import csv
import dataclasses
import itertools
from pathlib import Path

import pytest

from riskprofile.errors import BatchRejectedError
from riskprofile.io import Batch, FrameBatch, ReadAccount, read_batch, read_frame

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "karachi-sample.csv"


def test_both_results_are_one_account() -> None:
    account = set(ReadAccount.__annotations__)
    for result in (Batch, FrameBatch):
        assert issubclass(result, ReadAccount)
        assert account <= {f.name for f in dataclasses.fields(result)}
        # Defined once, on the account: neither result keeps its own copy.
        assert "raise_for_rejected" not in vars(result)
        assert "records_accepted" not in vars(result)


def test_both_refuse_a_batch_in_the_same_words(tmp_path: Path) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(itertools.islice(csv.reader(handle), 30))
    rows[5][rows[0].index("gross_weight_kg")] = "heavy"  # line 6
    path = tmp_path / "spoilt.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    messages = []
    for read in (read_batch, read_frame):
        result = read(path, strictness="strict")
        assert result.records_accepted == result.records_read - len(result.rejected) == 28
        with pytest.raises(BatchRejectedError) as caught:
            result.raise_for_rejected()
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "line 6" in messages[0]
