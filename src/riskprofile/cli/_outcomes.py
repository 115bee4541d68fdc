"""Where a command's outcomes come from: an outcome file, or a workbench store.

A workbench store (a SQLite file or a ``postgresql://`` DSN that the work queue of
``riskprofile serve`` keeps) holds the results the officers recorded: ``evaluate``,
``suggest`` and ``history add`` read them from it as they would an outcome file, with
no export step.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

__all__ = ["is_workbench_store", "read_outcomes_of"]


def is_workbench_store(location: str) -> bool:
    """Whether ``location`` is a workbench store: a DSN, or a SQLite file."""
    from riskprofile._locations import is_dsn
    from riskprofile.workbench import is_sqlite_file

    return is_dsn(location) or is_sqlite_file(location)


def read_outcomes_of(
    location: str,
    mapping: str | None,
    command: str,
    batch: str | None = None,
    *,
    columns: bool = False,
) -> Any:
    """The outcomes of an outcome file or of a workbench store (an ``OutcomeReading``;
    with ``columns``, an outcome file's as an ``OutcomeTable``: no object per outcome).

    From a store: the outcomes recorded for ``batch`` when the store loaded that very
    file (the same bytes), else every outcome the store holds.
    """
    from riskprofile.cli import _args
    from riskprofile.evaluation import read_outcome_table, read_outcomes

    if not is_workbench_store(location):
        return (read_outcome_table if columns else read_outcomes)(location, mapping)
    if mapping:
        raise _args.usage_error(
            command, "--outcomes-mapping is for an outcome file, not a workbench store"
        )
    from riskprofile.workbench import Workbench

    with Workbench(location, (), create=False) as workbench:
        batch_id = None
        if batch is not None and Path(batch).is_file():
            digest = hashlib.sha256(Path(batch).read_bytes()).hexdigest()
            known = workbench.batch("b-" + digest[:16])
            batch_id = known.batch_id if known is not None else None
        return workbench.outcomes(batch_id)
