"""How the process asks Polars' memory allocator to give memory back (a leaf: it imports
no riskprofile module, so that the command line and the readers can both use it).

Polars allocates its columns with its own jemalloc, whose configuration is read once,
from the environment variable ``_RJEM_MALLOC_CONF``, when the first allocation
initialises it: on ``import polars``. The command line imports Polars lazily (``--help``
loads nothing heavy), and so does ``riskprofile.io`` (``read_frame`` loads it on first
use), so :func:`configure_allocator` can set the variable from inside the process, before
that import, with no second process: ``os.environ`` writes the C environment that jemalloc
reads. Both call it; when something else has loaded Polars first it does nothing.

Why: with jemalloc's defaults a million-shipment run touched about 9 GiB of fresh pages
for a 3 GiB peak and spent about a third of its CPU in the kernel, faulting in again the
memory it had just given back. Two defaults do it (docs/performance.md measures them):

- an allocation above 8 MiB (a column of a million rows) goes to a separate arena whose
  freed pages are returned to the system at once (``oversize_threshold``): the next
  column of the same size faults every page in again. ``oversize_threshold:0`` keeps
  them in the ordinary arenas, where a freed page waits ``dirty_decay_ms`` for reuse;
- a page is then returned in two steps, first lazily (``MADV_FREE``: the page still
  counts in the process's memory until the system needs it), then for good
  (``muzzy_decay_ms``). ``muzzy_decay_ms:0`` returns it for good at once, so that the
  memory the process holds is what it uses;
- jemalloc keeps four arenas per CPU, and a page freed in one arena is not reused by
  another: Polars' threads and the reader's threads each took fresh pages. Half an arena
  per CPU (one on two cores) reuses them: fewer faults and a lower peak together.

``riskprofile score`` of a Parquet file keeps every freed page instead
(:data:`KEEP_FREED_PAGES`: no decay at all): a page freed is reused without a fault, and
the run holds its high-water mark until it exits. Measured at a million shipments
(docs/performance.md, 7 December evening): once the frame it scores is cut to the fields
it reads and put in one chunk, that mark is 2.7 GiB (3.1-3.2 GiB before those cuts),
with 8 % fewer page faults and about 2.5 s less kernel CPU than the 2 s decay. From CSV
the same run peaked at 3.8 GiB (the file's lines, held before its slices are read, set
a mark the rest never comes back under), so a CSV file, the other commands and the
readers keep the 2 s decay (``suggest`` on a large history, ``data convert``... were
not measured without it).

A configuration the user sets in ``_RJEM_MALLOC_CONF`` comes after ours, so each of its
options wins (jemalloc reads the options left to right, the last one counting).
"""

from __future__ import annotations

import os
import sys

__all__ = ["ALLOCATOR_OPTIONS", "KEEP_FREED_PAGES", "configure_allocator"]

ALLOCATOR_OPTIONS = (
    f"narenas:{max(1, (os.cpu_count() or 1) // 2)},"
    "oversize_threshold:0,dirty_decay_ms:2000,muzzy_decay_ms:0"
)
"""The jemalloc options the command sets for Polars (before the user's own)."""

KEEP_FREED_PAGES = "dirty_decay_ms:-1,muzzy_decay_ms:-1"
"""Put after :data:`ALLOCATOR_OPTIONS` when asked (no page returned to the system)."""

_VARIABLE = "_RJEM_MALLOC_CONF"


def configure_allocator(keep_freed_pages: bool = False) -> bool:
    """Put :data:`ALLOCATOR_OPTIONS` (and :data:`KEEP_FREED_PAGES` when
    ``keep_freed_pages``) before any ``_RJEM_MALLOC_CONF`` of the user, if Polars is not
    loaded yet (its allocator reads the variable once, when it is loaded). Returns
    whether the variable was set.

    The variable is also seen by the processes the command starts: a child that loads
    Polars gets the same options, which is what it should get."""
    if "polars" in sys.modules:
        return False
    own = os.environ.get(_VARIABLE, "")
    if own.startswith(ALLOCATOR_OPTIONS):  # already set (a command started by a command)
        return True
    ours = ALLOCATOR_OPTIONS + ("," + KEEP_FREED_PAGES if keep_freed_pages else "")
    os.environ[_VARIABLE] = ours + ("," + own if own else "")
    return True
