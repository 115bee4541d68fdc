"""The values an explanation shows, worded column-wise (``FrameRun.explained_hits``), are
the words ``show_value`` gives each value one by one, for every field of the shipment
frame."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from riskprofile.model import Shipment
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles._explain import show_value
from tests.depth import depth

pl = pytest.importorskip("polars")

from riskprofile.engines.columnar import shipment_frame  # noqa: E402
from riskprofile.engines.columnar._run import _as_record_type, _shown  # noqa: E402
from tests.engines.test_columnar_scoring import batches  # noqa: E402


def _one_by_one(name: str, values: pl.Series) -> list[str]:
    return [show_value(_as_record_type(name, v)) for v in values.to_list()]


@settings(
    max_examples=depth(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batches())
def test_every_field_is_shown_as_show_value_words_it(shipments: list[Shipment]) -> None:
    frame = shipment_frame(shipments)
    for spec in field_catalogue():
        values = frame.get_column(spec.name)
        assert _shown(spec.name, values).to_list() == _one_by_one(spec.name, values), spec.name


@pytest.mark.parametrize(
    "values",
    [
        pl.Series(["ACME", "", None, "=1", "two\nlines"], dtype=pl.String),
        pl.Series([True, False, None], dtype=pl.Boolean),
        pl.Series([0, -3, 12_345_678, None], dtype=pl.Int64),
        pl.Series(
            [["PKKHI", "AEJEA"], [], [""], None, ["", None], [None]], dtype=pl.List(pl.String)
        ),
        pl.Series(["a", None], dtype=pl.Categorical),
    ],
    ids=["text", "boolean", "integer", "list of texts", "categorical"],
)
def test_edge_values_are_shown_as_show_value_words_them(values: pl.Series) -> None:
    assert _shown("field", values).to_list() == _one_by_one("field", values)
