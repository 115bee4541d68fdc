"""Steps of Polars work run side by side from Python (:func:`each_at_once`).

Polars lets go of the interpreter's lock while it works, and many of its steps on one
column (a gather, a text join, a concatenation) run on one thread: independent steps run
from a few Python threads then use the other cores. Only pure steps on data made ready
before are run so: the results are the same as one after the other, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["each_at_once"]

T = TypeVar("T")
R = TypeVar("R")


def each_at_once(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[function(item) for item in items]``, computed as many at a time as Polars has
    threads (on the calling thread alone when it has one). An exception of any item is
    raised, as the plain loop would raise it (the first in the items' order)."""
    import polars as pl

    work = list(items)
    workers = min(len(work), pl.thread_pool_size())
    if workers <= 1:
        return [function(item) for item in work]
    with ThreadPoolExecutor(workers, thread_name_prefix="riskprofile-polars") as pool:
        return list(pool.map(function, work))
