"""The PCU's work queue: batches loaded, the day's inspection list, and each container's
case from selection to result. No HTTP here: the web pages (``riskprofile serve``), the
command line and Python all use this.

A batch file (uploaded, or dropped in a watched folder) is loaded once, by content hash:
read, scored with the workbench's profiles (and history store), and its inspection list
drawn as ``riskprofile score`` draws it (forced, score, a seeded control sample, under the
capacity). Each container is a case (:class:`Case`) that moves through the states of
:mod:`riskprofile.workbench._states` by actions (:class:`Target`, :class:`Release`,
:class:`Assign`, :class:`Unassign`, :class:`Dispose`, :class:`RecordResult`), each allowed
to some roles (:class:`Actor`: analyst, officer, supervisor) and each returning a
:class:`Change` with the case before and after, for the audit log. A closed case's result
is an outcome (:meth:`Workbench.outcomes`) that ``evaluate``, ``suggest`` and the history
store read directly.

>>> from riskprofile.workbench import Case, Assign, Actor, apply
>>> apply(Case(state="selected", selected_by="score"), Assign("ivan"),
...       Actor("amina", "analyst")).state
'assigned'
"""

from riskprofile.workbench._db import is_sqlite_file
from riskprofile.workbench._load import BATCH_SUFFIXES, WorkbenchConfig
from riskprofile.workbench._refusals import REFUSALS, refusal_text
from riskprofile.workbench._rows import BatchInfo, Change, LoadReport, UnitRow, outcome_of
from riskprofile.workbench._states import (
    ACTIONS,
    DISPOSITIONS,
    RESULTS,
    ROLES,
    STATES,
    Action,
    Actor,
    Amend,
    Assign,
    Case,
    Dispose,
    Disposition,
    RecordResult,
    Release,
    ResultKind,
    Role,
    State,
    Target,
    Unassign,
    allowed_actions,
    apply,
    may,
    why_not,
)
from riskprofile.workbench._store import SORT_KEYS, Workbench, open_workbench

__all__ = [
    "ACTIONS",
    "BATCH_SUFFIXES",
    "DISPOSITIONS",
    "REFUSALS",
    "RESULTS",
    "ROLES",
    "SORT_KEYS",
    "STATES",
    "Action",
    "Actor",
    "Amend",
    "Assign",
    "BatchInfo",
    "Case",
    "Change",
    "Disposition",
    "Dispose",
    "LoadReport",
    "RecordResult",
    "Release",
    "ResultKind",
    "Role",
    "State",
    "Target",
    "Unassign",
    "UnitRow",
    "Workbench",
    "WorkbenchConfig",
    "allowed_actions",
    "apply",
    "is_sqlite_file",
    "may",
    "open_workbench",
    "outcome_of",
    "refusal_text",
    "why_not",
]
