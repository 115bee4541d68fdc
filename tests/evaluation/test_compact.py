"""A history's columns of one value kept as literals: the same table, without a cell per
row (``evaluation/_compact.py``)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.evaluation.shared import as_text, compact_history, literal_constants
from tests.depth import depth

_COLUMNS = {
    "text": (pl.String, st.sampled_from([None, "", "A", "B"])),
    "flag": (pl.Boolean, st.sampled_from([None, True, False])),
    "day": (pl.Date, st.sampled_from([None, dt.date(2026, 1, 1)])),
    "codes": (pl.List(pl.String), st.sampled_from([None, [], ["01"], ["01", None]])),
    "value": (pl.Float64, st.sampled_from([None, 0.0, -0.0, float("nan"), 1.5])),
}


@settings(max_examples=depth(200))
@given(st.data(), st.integers(0, 6))
def test_the_same_table(data: st.DataObject, height: int) -> None:
    # Most draws make some column constant: all None, all one value, or mixed.
    columns = {}
    for name, (dtype, cells) in _COLUMNS.items():
        one = data.draw(st.booleans())
        first = data.draw(cells)
        columns[name] = pl.Series(
            name, [first if one else data.draw(cells) for _ in range(height)], dtype=dtype
        )
    frame = pl.DataFrame(columns)
    compact = literal_constants(frame)
    assert compact.schema == frame.schema
    assert compact.equals(frame)
    # Still the same after what suggest does with it.
    assert compact.filter(pl.int_range(pl.len()) % 2 == 0).equals(
        frame.filter(pl.int_range(pl.len()) % 2 == 0)
    )
    assert pl.concat([compact, compact]).equals(pl.concat([frame, frame]))


def test_a_float_column_of_one_value_stays_as_it_is() -> None:
    # 0.0 and -0.0 hash alike: a float column is made a literal only when all null.
    frame = pl.DataFrame(
        {"v": [0.0, -0.0], "n": [None, None]}, schema={"v": pl.Float64, "n": pl.Float64}
    )
    compact = literal_constants(frame)
    assert compact.get_column("v").to_list() == [0.0, -0.0]
    assert str(compact.get_column("v").to_list()[1]) == "-0.0"
    assert compact.get_column("n").to_list() == [None, None]


_TEXTS = {
    "bl_number": (pl.String, st.sampled_from([None, "", "B1", "B2"])),
    "port_of_loading": (pl.String, st.sampled_from([None, "", "PKKHI", "CNSHA"])),
    "hs_codes": (pl.List(pl.String), st.sampled_from([None, [], ["01"], ["01", None], ["02"]])),
    "value": (pl.Float64, st.sampled_from([None, 1.5])),
}


@settings(max_examples=depth(200))
@given(st.data(), st.integers(0, 5), st.integers(0, 5))
def test_a_compacted_history_holds_the_same_values(
    data: st.DataObject, first: int, second: int
) -> None:
    def part(height: int) -> pl.DataFrame:
        return pl.DataFrame(
            [
                pl.Series(name, [data.draw(cells) for _ in range(height)], dtype=dtype)
                for name, (dtype, cells) in _TEXTS.items()
            ]
        )

    one, two = part(first), part(second)
    compact = compact_history(one)
    assert compact.schema["bl_number"] == pl.String
    assert compact.schema["port_of_loading"] == pl.Categorical()
    assert compact.schema["hs_codes"] == pl.List(pl.Categorical())
    assert as_text(compact).equals(one)
    assert compact_history(compact) is compact  # a frame it made comes back as it is
    # Slices compacted apart concatenate to the whole, compacted or read back as text.
    joined = pl.concat([compact, compact_history(two)])
    assert joined.schema == compact.schema
    assert as_text(joined).equals(pl.concat([one, two]))
    # And its columns of one value as literals, as suggest holds it.
    assert as_text(literal_constants(joined)).equals(pl.concat([one, two]))
