"""Fork safety: Polars' thread pool does not survive ``fork()``.

A process that forks after Polars has computed (a columnar score, ``read_frame``) leaves
its children a thread pool whose threads are gone: the child's first Polars computation
waits for them forever (4 forked workers, 0 done after 60 s). The library marks the
process in which it ran Polars (:func:`polars_ran`); a forked child inherits the mark
with its parent's pid, so it knows (:func:`forked_after_polars`). Its Polars entry
points then refuse (:func:`require_fork_safe`, :class:`~riskprofile.errors.UnsafeForkError`)
instead of hanging, and ``engine="auto"`` scores row-wise there (with a warning), which
gives the same run. Workers should start with ``spawn`` or ``forkserver``
(``docs/scoring.md``, "Workers").

Only riskprofile's own use of Polars is seen: a parent that runs Polars itself before
forking is not.
"""

from __future__ import annotations

import os
import warnings

from riskprofile.errors import UnsafeForkError

__all__ = ["forked_after_polars", "polars_ran", "require_fork_safe", "warn_rowwise_in_fork"]

_polars_pid: int | None = None
_warned = False


def polars_ran() -> None:
    """Mark this process as one whose Polars thread pool runs."""
    global _polars_pid
    if _polars_pid is None:
        _polars_pid = os.getpid()


def forked_after_polars() -> bool:
    """Whether this process is a fork of one in which riskprofile ran Polars."""
    return _polars_pid is not None and _polars_pid != os.getpid()


def require_fork_safe(what: str) -> None:
    """Raise :class:`~riskprofile.errors.UnsafeForkError` when ``what`` (Polars work)
    would deadlock here; else mark the process (Polars runs from now on)."""
    if forked_after_polars():
        raise UnsafeForkError(
            f"{what} needs Polars, and this process (pid {os.getpid()}) was forked from "
            f"process {_polars_pid} after Polars ran there: Polars' thread pool does not "
            "survive fork() and would deadlock. Start workers with the 'spawn' or "
            "'forkserver' method (multiprocessing.get_context('spawn')), or score "
            "row-wise here (engine='rowwise', read_batch)"
        )
    polars_ran()


def warn_rowwise_in_fork() -> None:
    """Warn once that ``engine="auto"`` scores row-wise in this forked process."""
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            f"process {os.getpid()} was forked after Polars ran in its parent: "
            "engine='auto' scores row-wise here (the same run, slower); start workers "
            "with 'spawn' or 'forkserver' to score column-wise",
            RuntimeWarning,
            stacklevel=3,
        )
