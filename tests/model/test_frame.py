"""The shipment frame (riskprofile.model.frame): built column by column, it is exactly
the frame built one cell at a time, the way it was defined."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from riskprofile.errors import DataError
from riskprofile.model.frame import DECIMAL_SCALE, frame_schema, shipment_frame
from riskprofile.model.shipment import Shipment, field_catalogue, flatten
from tests import strategies as rst
from tests.depth import depth


def _reference_cell(value: Any, ftype: str, shipment_id: str, name: str) -> Any:
    if value is None:
        return None
    if ftype == "date" and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if ftype == "datetime":
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if ftype == "decimal":
        exponent = value.as_tuple().exponent
        if exponent < -DECIMAL_SCALE and value != round(value, DECIMAL_SCALE):
            raise DataError(f"shipment {shipment_id}: {name}")
    if ftype == "float":
        return float(value)
    return value


def _reference_frame(shipments: list[Shipment]) -> pl.DataFrame:
    """One cell at a time, in shipment order (the definition)."""
    specs = [(spec.name, spec.type) for spec in field_catalogue()]
    columns: dict[str, list[Any]] = {name: [] for name, _ in specs}
    for s in shipments:
        for name, ftype in specs:
            columns[name].append(_reference_cell(getattr(s, name), ftype, s.shipment_id, name))
    return pl.DataFrame(columns, schema=frame_schema())


@settings(max_examples=depth(20), deadline=None)
@given(st.lists(rst.manifests(), min_size=0, max_size=3), st.lists(rst.shipments(), max_size=4))
def test_the_frame_is_the_cell_by_cell_frame(manifests: list[Any], loose: list[Shipment]) -> None:
    shipments = [s for m in manifests for s in flatten(m)] + loose
    got = shipment_frame(iter(shipments))  # any iterable, read once
    assert got.schema == frame_schema()
    assert_frame_equal(got, _reference_frame(shipments), check_exact=True)


def test_an_empty_batch_is_an_empty_frame_of_the_schema() -> None:
    frame = shipment_frame([])
    assert frame.height == 0
    assert frame.schema == frame_schema()


def test_list_columns_are_never_null_and_keep_their_items() -> None:
    shipments = [
        Shipment(hs_codes=["850440", "850440", "8471"], route=[]),
        Shipment(),
        Shipment(hs_codes=["0901"], seal_numbers=["ML-1", ""]),
    ]
    frame = shipment_frame(shipments)
    assert frame["hs_codes"].to_list() == [["850440", "850440", "8471"], [], ["0901"]]
    assert frame["seal_numbers"].to_list() == [[], [], ["ML-1", ""]]
    assert frame["route"].null_count() == 0


def test_the_first_decimal_too_fine_is_named_in_shipment_order() -> None:
    fine = Decimal("1." + "0" * 19 + "1")
    shipments = [
        Shipment(shipment_id="A"),
        Shipment(shipment_id="B", declared_value=fine),
        Shipment(shipment_id="C", declared_value=fine),
    ]
    with pytest.raises(DataError, match=r"shipment B: declared_value = 1\.0+1 has more than 18"):
        shipment_frame(shipments)
