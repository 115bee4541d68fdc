"""Operation counts of the column-wise reader's steps (what a step no longer does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from riskprofile.io._frame._load import _load_csv
from riskprofile.io._frame._reader import _Reader
from riskprofile.io._layout import ColumnMapping
from riskprofile.io._table import TableReader

SAMPLE = Path(__file__).resolve().parents[2] / "examples/data/karachi-sample.csv"


def test_ids_keep_the_rows_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each row's call was found by a join, which does not keep the rows' order, so the
    # rows were sorted again (every column gathered); a lookup of the few calls keeps
    # them in record order.
    mapping = ColumnMapping.of(None)
    loaded = _load_csv(SAMPLE, mapping)
    assert not isinstance(loaded, str)
    table = TableReader(mapping, "lenient", loaded.header, str(SAMPLE))
    reader = _Reader(SAMPLE, "csv", mapping, "lenient", table, loaded)
    reader.raw = loaded.rows(0, loaded.height)
    rows = reader._rows()
    done: list[str] = []
    for name in ("sort", "join"):
        real = getattr(pl.DataFrame, name)

        def counted(self: pl.DataFrame, *args: Any, _n: str = name, _r: Any = real,
                    **kwargs: Any) -> Any:  # fmt: skip
            done.append(_n)
            return _r(self, *args, **kwargs)

        monkeypatch.setattr(pl.DataFrame, name, counted)
    ids = reader._ids(rows)
    monkeypatch.undo()
    assert done == []
    assert ids["_row"].to_list() == rows["_row"].to_list()
    # A call's id is its first row (of the rows not rejected alone), the same for all.
    grouped = ids.filter(~pl.col("_lone"))
    first = grouped.group_by("_callkey").agg(pl.col("_row").min().alias("first"))
    joined = grouped.join(first, on="_callkey")
    assert (joined["_call"] == joined["first"]).all()
    assert ids.filter(pl.col("_lone"))["_call"].null_count() == int(ids["_lone"].sum())
    assert ids["_bh"].null_count() < ids.height
