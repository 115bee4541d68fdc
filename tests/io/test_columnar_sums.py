"""The column-wise reader's exact float sums: Python's ``sum()`` per key, in row order."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

from riskprofile.io._columnar import _sequential_sums  # noqa: E402

# Magnitudes far apart, so that any other order of additions changes the result.
FLOATS = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1e16, -1e16, 1.0, 0.1, 1e-300, 1e308, -1e308]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e17, max_value=1e17),
)


def _bits(value: float | None) -> bytes | None:
    """The value's exact bits (-0.0 is not 0.0), any NaN as one."""
    if value is None:
        return None
    if math.isnan(value):
        return b"nan"
    return struct.pack("<d", value)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), FLOATS, FLOATS), max_size=60),
)
def test_sequential_sums_are_python_sums_in_row_order(
    rows: list[tuple[int, float | None, float | None]],
) -> None:
    keys = pl.Series("k", [r[0] for r in rows], dtype=pl.Int64)
    a = pl.Series("a", [r[1] for r in rows], dtype=pl.Float64)
    b = pl.Series("b", [r[2] for r in rows], dtype=pl.Float64)
    got = _sequential_sums(keys, a, b)
    assert got.columns == ["k", "a", "b"]
    assert got.schema == {"k": pl.Int64, "a": pl.Float64, "b": pl.Float64}
    by_key = {k: (x, y) for k, x, y in got.iter_rows()}
    assert sorted(by_key) == sorted({r[0] for r in rows})
    for key, (x, y) in by_key.items():
        for got_sum, column in ((x, 1), (y, 2)):
            values = [r[column] for r in rows if r[0] == key and r[column] is not None]
            expected = sum(values) if values else None
            assert _bits(got_sum) == _bits(expected), (key, values)
