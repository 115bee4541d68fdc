"""``each_at_once``: Polars steps side by side, the plain loop's results and errors."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile._parallel import each_at_once
from tests.depth import depth

pl = pytest.importorskip("polars")


@settings(max_examples=depth(30), deadline=None)
@given(st.lists(st.integers(-1000, 1000), max_size=20), st.integers(1, 4))
def test_the_results_are_the_plain_loops_in_order(items: list[int], threads: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pl, "thread_pool_size", lambda: threads)
        found = each_at_once(lambda n: pl.Series([n]).cum_sum().item() * 2, items)
    assert found == [n * 2 for n in items]


def test_two_threads_work_side_by_side_and_one_thread_alone() -> None:
    both = threading.Barrier(2, timeout=20)  # each item waits for the other: side by side

    def meet(n: int) -> str:
        both.wait()
        return threading.current_thread().name

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pl, "thread_pool_size", lambda: 2)
        names = each_at_once(meet, [1, 2])
        assert len(set(names)) == 2
        patch.setattr(pl, "thread_pool_size", lambda: 1)
        assert (
            each_at_once(lambda n: threading.current_thread().name, [1, 2])
            == [threading.current_thread().name] * 2
        )


def test_an_items_error_is_raised() -> None:
    def fail_on_two(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pl, "thread_pool_size", lambda: 2)
        with pytest.raises(ValueError, match="two"):
            each_at_once(fail_on_two, [1, 2, 3])
