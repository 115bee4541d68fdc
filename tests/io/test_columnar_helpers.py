"""The column-wise reader's helpers: exact float sums (Python's ``sum()`` per key, in row
order), sorting by a packed key, keeping only the rows referred to, the ISO 6346 verdict
in Polars."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import depth

pl = pytest.importorskip("polars")

from polars.testing import assert_frame_equal  # noqa: E402

from riskprofile.io._frame._values import (  # noqa: E402
    _check_distinct,
    _compacted,
    _iso6346_problem,
    _sequential_sums,
    _sort_packed,
)
from riskprofile.model.codes import container_number_problem  # noqa: E402
from tests.strategies import (  # noqa: E402
    bad_check_digit_container_numbers,
    container_numbers,
    malformed_container_numbers,
)

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


@settings(max_examples=depth(300), deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), FLOATS, FLOATS), max_size=60),
)
def test_sequential_sums_are_python_sums_smallest_first(
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
            expected = sum(sorted(values)) if values else None
            assert _bits(got_sum) == _bits(expected), (key, values)


@settings(max_examples=depth(200), deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=4).flatmap(
        lambda spans: st.tuples(
            st.just(spans),
            st.lists(st.tuples(*[st.integers(0, s - 1) for s in spans]), unique=True),
        )
    ),
    st.booleans(),
)
def test_sort_packed_sorts_as_sort(
    case: tuple[list[int], list[tuple[int, ...]]], huge: bool
) -> None:
    spans, rows = case
    names = [f"c{i}" for i in range(len(spans))]
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.Int64), orient="row")
    frame = frame.with_columns(pl.int_range(pl.len()).alias("payload"))
    # A span too large to pack takes the plain sort (the same order).
    given_spans = {n: (2**62 if huge and i == 0 else s) for i, (n, s) in
                   enumerate(zip(names, spans, strict=True))}  # fmt: skip
    assert_frame_equal(_sort_packed(frame, given_spans), frame.sort(names))


@settings(max_examples=depth(200), deadline=None)
@given(st.integers(0, 8), st.lists(st.one_of(st.none(), st.integers(0, 7))))
def test_compacted_keeps_the_rows_referred_to(size: int, at: list[int | None]) -> None:
    at = [a if a is None or a < size else None for a in at]
    table = pl.DataFrame({"v": [f"row {i}" for i in range(size)]})
    positions = pl.Series("at", at, dtype=pl.UInt32)
    kept, renumbered = _compacted(table, positions)
    assert renumbered.dtype == positions.dtype
    # Each position still names the same row, and every kept row is named.
    assert kept["v"].gather(renumbered).to_list() == table["v"].gather(positions).to_list()
    assert sorted(set(renumbered.drop_nulls().to_list())) == list(range(kept.height))


# Near misses of the shape: lower case, look-alike letters and digits (Cyrillic, full
# width, Arabic-Indic), blanks, NBSP, BOM, control characters, a last line break.
_NEAR = "ABCJUZxyz019\u0410\u0421\uff21\uff10\u0661 \xa0\ufeff\x00\x1f\n"


@settings(max_examples=depth(300), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            container_numbers(),
            bad_check_digit_container_numbers(),
            malformed_container_numbers(),
            container_numbers().flatmap(
                lambda n: st.tuples(st.integers(0, 10), st.sampled_from(_NEAR)).map(
                    lambda c: n[: c[0]] + c[1] + n[c[0] + 1 :]
                )
            ),
            st.text(alphabet=_NEAR, max_size=14),
            st.text(max_size=30),
        ),
        max_size=30,
    )
)
def test_iso6346_problem_is_the_models_verdict(numbers: list[str | None]) -> None:
    # The column-wise verdict on every container number is the model's own code.
    got = (
        pl.Series("n", numbers, dtype=pl.String)
        .to_frame()
        .select(_iso6346_problem(pl.col("n")))
        .to_series()
        .to_list()
    )
    expected = [
        None if n is None else getattr(container_number_problem(n), "code", None) for n in numbers
    ]
    assert got == expected


def test_iso6346_problem_reads_each_byte_of_the_number_once() -> None:
    """Regression (issue 15): each letter's value was written with its byte four times
    (``10 + k + (k >= 1) + (k >= 11) + (k >= 21)``), and an expression used twice is
    computed twice: 23 byte reads per row at a million rows. Now one per character."""
    expression = str(_iso6346_problem(pl.col("n")))
    assert expression.count("bin.get(") == 11


_CHECK_TEXTS = st.sampled_from(["A", "b", " A ", "BAD", "odd", "", "x y"])


@settings(max_examples=depth(60), deadline=None)
@given(
    cells=st.lists(st.one_of(st.none(), _CHECK_TEXTS), max_size=30),
    kept=st.booleans(),
    dtype=st.sampled_from(["text", "bool"]),
)
def test_check_distinct_is_the_check_of_each_cell(
    cells: list[str | None], kept: bool, dtype: str
) -> None:
    """The model's verdict on each cell, looked up per distinct value: the value kept,
    the salvage and the standard flag codes, null for a null cell."""

    def check(text: str) -> tuple[object, str | None, str | None]:
        if dtype == "bool":
            return text.startswith("A"), ("invalid_value" if text == "odd" else None), None
        value = text if kept else text.strip().upper()
        return value, None, ("format" if text in ("BAD", "x y") else None)

    series = pl.Series("c", cells, dtype=pl.String)
    checked = _check_distinct(series, check, pl.Boolean if dtype == "bool" else pl.String)
    expected = [check(c) if c is not None else (None, None, None) for c in cells]
    assert checked.value.to_list() == [e[0] for e in expected]
    assert checked.salvaged.to_list() == [e[1] for e in expected]
    assert checked.standard.to_list() == [e[2] for e in expected]


def test_check_distinct_looks_up_only_the_values_with_a_flag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression (issue 15): every column checked by distinct value was looked up whole
    (each cell's distinct value, then three gathers), about a tenth of a millisecond per
    thousand cells and column; text the model keeps as it is now takes no lookup, and a
    flag column looks up only the values that have the flag."""
    lookups: list[list[str]] = []
    replace = pl.Series.replace_strict

    def spy(self: pl.Series, old: pl.Series, *args: object, **kwargs: object) -> pl.Series:
        lookups.append(sorted(old.to_list()))
        return replace(self, old, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pl.Series, "replace_strict", spy)
    series = pl.Series("port", ["PKKHI", "AEJEA", None, "XXBAD", "PKKHI"] * 100)
    checked = _check_distinct(
        series, lambda t: (t, None, "unknown" if t == "XXBAD" else None), pl.String
    )
    assert lookups == [["XXBAD"]]
    assert checked.value.to_list() == series.to_list()
    assert checked.standard.to_list()[:5] == [None, None, None, "unknown", None]
