"""A history's columns of one value kept as literals: the same table, without a cell per
row (``evaluation/_compact.py``)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.evaluation._compact import DERIVED, text_columns
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
    "manifest_ref": (pl.String, st.sampled_from([None, "M1", "M2"])),
    "bl_number": (pl.String, st.sampled_from([None, "", "B1", "B2"])),
    "container_number": (pl.String, st.sampled_from([None, "MSCU1234565"])),
    "port_of_loading": (pl.String, st.sampled_from([None, "", "PKKHI", "CNSHA"])),
    "hs_codes": (
        pl.List(pl.String),
        st.sampled_from([None, [], ["01"], ["01", None], ["870321"], ["870321", "870390"]]),
    ),
    "value": (pl.Float64, st.sampled_from([None, 1.5])),
}
_MADE = {
    "shipment_id": (pl.String, st.sampled_from([None, "", "M1/B1/-", "X"])),
    "hs_chapters": (pl.List(pl.String), st.sampled_from([None, [], ["87"], ["01"]])),
    "hs_headings": (pl.List(pl.String), st.sampled_from([None, [], ["8703"], ["01"]])),
    "hs_subheadings": (pl.List(pl.String), st.sampled_from([[], ["870321"], ["870321", "870390"]])),
}


def _history(data: st.DataObject, height: int) -> pl.DataFrame:
    """Columns of a history; the made ones (shipment id, HS chapters...) most often as
    the reader makes them, else drawn."""
    frame = pl.DataFrame(
        [
            pl.Series(name, [data.draw(cells) for _ in range(height)], dtype=dtype)
            for name, (dtype, cells) in _TEXTS.items()
        ]
    )
    made = frame.select(
        pl.concat_str(
            pl.col("manifest_ref"), pl.lit("/"), pl.col("bl_number").fill_null("-"), pl.lit("/"),
            pl.col("container_number").fill_null("-"),
        ).alias("shipment_id"),
        *(
            pl.col("hs_codes").list.eval(pl.element().str.slice(0, width))
            .list.unique(maintain_order=True).alias(name)
            for name, width in (("hs_chapters", 2), ("hs_headings", 4), ("hs_subheadings", 6))
        ),
    )  # fmt: skip
    columns = {}
    for name, (dtype, cells) in _MADE.items():
        values = made.get_column(name).to_list()
        columns[name] = pl.Series(
            name,
            [v if data.draw(st.integers(0, 3)) else data.draw(cells) for v in values],
            dtype=dtype,
        )
    return frame.with_columns(**columns)


@settings(max_examples=depth(200))
@given(st.data(), st.integers(0, 5), st.integers(0, 5))
def test_a_compacted_history_holds_the_same_values(
    data: st.DataObject, first: int, second: int
) -> None:
    one, two = _history(data, first), _history(data, second)
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
    # Read in a query as the text it was given.
    queried = joined.lazy().with_columns(text_columns(joined)).drop(DERIVED).collect()
    assert queried.equals(pl.concat([one, two]))


def test_a_row_whose_unit_key_reads_its_shipment_id_keeps_it() -> None:
    """Without a B/L number, a unit is keyed by its shipment id: kept in the frame."""
    frame = pl.DataFrame(
        {
            "shipment_id": ["M1/-/-", "M1/B1/-"],
            "manifest_ref": ["M1", "M1"],
            "bl_number": [None, "B1"],
            "container_number": [None, None],
        },
        schema=dict.fromkeys(
            ("shipment_id", "manifest_ref", "bl_number", "container_number"), pl.String
        ),
    )  # fmt: skip
    compact = compact_history(frame)
    assert compact.get_column("shipment_id").to_list() == ["M1/-/-", None]
    assert compact.get_column(DERIVED).to_list() == [False, True]
    assert as_text(compact).equals(frame)


def test_suggest_holds_its_history_compactly() -> None:
    """``FrameHistory`` keeps the frame with its text of repeated values as categoricals
    and the reader's shipment ids and HS chapters... left out, and gives the test
    period's shipments back as they were (the differential tests hold the figures)."""
    from riskprofile import Shipment
    from riskprofile.evaluation._suggest_frame import FrameHistory
    from riskprofile.model.frame import shipment_frame

    shipments = [
        Shipment(
            shipment_id=f"M1/B{n}/-", manifest_ref="M1", bl_number=f"B{n}",
            arrival=dt.datetime(2026, 1, 1 + n, tzinfo=dt.UTC),
            hs_codes=["87032100"], hs_subheadings=["870321"], hs_headings=["8703"],
            hs_chapters=["87"], origin_countries=["CN" if n % 2 else "VN"],
            port_of_loading="CNSHA", consignee_name=f"IMPORTER {n % 3}",
        )
        for n in range(6)
    ]  # fmt: skip
    frame = shipment_frame(shipments)
    history = FrameHistory(frame, [])
    held = history._frame
    assert held.schema["consignee_name"] == pl.Categorical()
    assert held.schema["origin_countries"] == pl.List(pl.Categorical())
    for name in ("shipment_id", "hs_chapters", "hs_headings", "hs_subheadings"):
        assert held.get_column(name).null_count() == held.height, name
    scored, _keys = history.batch(history.units)
    assert isinstance(scored, pl.DataFrame)
    assert scored.select(frame.columns).equals(frame)
