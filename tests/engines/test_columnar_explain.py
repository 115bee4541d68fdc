"""The values an explanation shows, worded column-wise (``FrameRun.explained_hits``), are
the words ``show_value`` gives each value one by one, for every field of the shipment
frame."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.model import Shipment
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles._explain import show_value
from tests.depth import depth

pl = pytest.importorskip("polars")

from riskprofile.engines.columnar import shipment_frame  # noqa: E402
from riskprofile.results._frame import _as_record_type, _shown  # noqa: E402
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


@settings(max_examples=depth(60), deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.just(-0.0)),
        max_size=30,
    ),
    st.sampled_from([pl.Float64, pl.Float32]),
    st.integers(1, 6),
)
def test_floats_are_shown_as_show_value_words_each_of_them(
    floats: list[float | None], dtype: pl.DataType, repeats: int
) -> None:
    """Zeros of either sign, NaNs, infinities, nulls, values mostly distinct or repeated
    (worded once each): as ``show_value`` words each value (``-0.0`` equals ``0.0`` but
    is shown ``-0``)."""
    values = pl.Series("value_per_kg", floats * repeats + floats[:5], dtype=dtype)
    assert _shown("value_per_kg", values).to_list() == _one_by_one("value_per_kg", values)


def test_a_float_column_is_worded_once_per_distinct_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Python call per hit was the largest Python part of explaining a million
    shipments' hits (``value_per_kg`` is shown by 17 bundled indicators): each distinct
    value is worded once now; zeros and NaNs (few) still one by one."""
    import riskprofile.results._frame as run_module

    calls = [0]

    def counting(value: object) -> str:
        calls[0] += 1
        return show_value(value)

    values = pl.Series("value_per_kg", [1.5, 2.25, 1.5, None, 0.0, -0.0] * 500)
    monkeypatch.setattr(run_module, "show_value", counting)
    shown = _shown("value_per_kg", values).to_list()
    monkeypatch.undo()
    assert shown == _one_by_one("value_per_kg", values)
    assert calls[0] == 2 + 2 * 500  # 1.5 and 2.25 once; each zero on its own row
    # Mostly distinct values: row by row (a mapping as long as the column costs more).
    calls[0] = 0
    distinct = pl.Series("value_per_kg", [n / 7 for n in range(1, 1001)] * 2)
    monkeypatch.setattr(run_module, "show_value", counting)
    assert _shown("value_per_kg", distinct).to_list() == _one_by_one("value_per_kg", distinct)
    assert calls[0] == 1000  # each distinct value once: one in two

    calls[0] = 0
    distinct = pl.Series("value_per_kg", [n / 7 for n in range(1, 1001)])
    assert _shown("value_per_kg", distinct).to_list() == _one_by_one("value_per_kg", distinct)
    assert calls[0] == 1000
