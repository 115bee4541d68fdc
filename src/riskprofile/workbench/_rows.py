"""The work queue's records as the store gives them: a change for the audit log, a
load's report, a batch, a container with its case, and the outcome a case has given."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from riskprofile.evaluation import Outcome, SelectedBy
from riskprofile.workbench._states import Case

__all__ = [
    "BATCH_COLUMNS",
    "CASE_COLUMNS",
    "UNIT_COLUMNS",
    "BatchInfo",
    "Change",
    "LoadReport",
    "UnitRow",
    "batch_info",
    "case_of",
    "outcome_of",
    "unit_row",
]

CASE_COLUMNS = ("state", "selected_by", "officer", "disposition", "partner", "note", "reason",
         "result", "category", "quantity", "quantity_unit", "seizure", "result_date")  # fmt: skip
UNIT_COLUMNS = ("unit_id", "batch_id", "unit_key", "container_number", "bl_numbers", "position",
         "score", "lane", "forced_lane", "list_rank", *CASE_COLUMNS, "version", "updated_at",
         "updated_by")  # fmt: skip
BATCH_COLUMNS = ("batch_id", "name", "origin", "status", "error", "loaded_at", "loaded_by", "as_of",
          "seed", "capacity", "control_rate", "records_read", "shipments", "units",
          "selected", "fingerprints", "warnings")  # fmt: skip
_OUTCOME_SELECTED_BY: dict[str, SelectedBy] = {
    "forced": "forced", "score": "score", "control": "control", "manual": "other",
}  # fmt: skip


@dataclass(frozen=True)
class Change:
    """One change, for the audit log: who did what, when, and the state before and after
    (None before a batch's load; a case's fields otherwise)."""

    seq: int
    action: str
    batch_id: str
    unit_id: str | None
    unit: str | None
    actor: str
    role: str
    at: dt.datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class LoadReport:
    """What loading a file gave.

    ``status``: ``loaded``; ``known`` (the same bytes were loaded before: nothing done);
    or ``refused`` (``reason`` says why; nothing of it was stored but the refusal).
    """

    batch_id: str
    name: str
    status: Literal["loaded", "known", "refused"]
    reason: str | None = None
    records_read: int = 0
    shipments: int = 0
    units: int = 0
    selected: int = 0
    rejected: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    change: Change | None = None


@dataclass(frozen=True)
class BatchInfo:
    """A batch as the store keeps it (see :class:`LoadReport` for ``status``)."""

    batch_id: str
    name: str
    origin: str
    status: str
    error: str | None
    loaded_at: str
    loaded_by: str
    as_of: str | None
    seed: int | None
    capacity: str | None
    control_rate: str | None
    records_read: int | None
    shipments: int | None
    units: int | None
    selected: int | None
    fingerprints: dict[str, str]
    warnings: list[str]


@dataclass(frozen=True)
class UnitRow:
    """A container of a batch and its case. ``detail`` (its hits with explanations,
    route, parties, goods, history facts) is filled by :meth:`Workbench.unit` only."""

    unit_id: str
    batch_id: str
    unit_key: str
    container_number: str | None
    bl_numbers: tuple[str, ...]
    position: int
    score: Decimal
    lane: str
    forced_lane: str | None
    list_rank: int | None
    case: Case
    version: int
    updated_at: str
    updated_by: str
    detail: dict[str, Any] | None = None

    @property
    def on_list(self) -> bool:
        """Whether the container is (or was) on the inspection list."""
        return self.case.selected_by is not None


def case_of(values: Mapping[str, Any]) -> Case:
    # A case from its stored columns, or from an event's before/after.
    # An event written before a column was added lacks its key: None, as the column.
    given: dict[str, Any] = {name: values.get(name) for name in CASE_COLUMNS}
    case = Case(**given)
    return dataclasses.replace(
        case,
        seizure=bool(case.seizure),
        result_date=dt.date.fromisoformat(str(values["result_date"]))
        if values["result_date"]
        else None,
    )


def unit_row(row: tuple[Any, ...]) -> UnitRow:
    values = dict(zip(UNIT_COLUMNS, row, strict=True))
    case = case_of(values)
    return UnitRow(
        unit_id=values["unit_id"], batch_id=values["batch_id"], unit_key=values["unit_key"],
        container_number=values["container_number"],
        bl_numbers=tuple(json.loads(values["bl_numbers"])), position=int(values["position"]),
        score=Decimal(values["score"]), lane=values["lane"], forced_lane=values["forced_lane"],
        list_rank=None if values["list_rank"] is None else int(values["list_rank"]),
        case=case, version=int(values["version"]), updated_at=values["updated_at"],
        updated_by=values["updated_by"],
    )  # fmt: skip


def batch_info(row: tuple[Any, ...]) -> BatchInfo:
    values = dict(zip(BATCH_COLUMNS, row, strict=True))
    values["fingerprints"] = json.loads(values["fingerprints"] or "{}")
    values["warnings"] = json.loads(values["warnings"] or "[]")
    return BatchInfo(**values)


def outcome_of(unit: UnitRow) -> Outcome | None:
    """The outcome a case has given, as :func:`~riskprofile.evaluate` reads it: a closed
    case's result (a finding, NIL, or not examined), a released container (not
    inspected); None while the case is open. A finding carries its category, quantity,
    quantity unit and whether it was seized; NIL was seized nothing (``seizure`` False);
    a container not inspected has ``seizure`` None."""
    case = unit.case
    if case.state not in ("closed", "released") or case.selected_by is None:
        return None
    inspected = case.state == "closed" and case.result != "not_examined"
    when = case.result_date or dt.date.fromisoformat(unit.updated_at[:10])
    return Outcome(
        unit=unit.unit_key, inspected=inspected, finding=case.result == "finding",
        selected_by=_OUTCOME_SELECTED_BY[case.selected_by], category=case.category,
        quantity=case.quantity, date=when, container_number=unit.container_number,
        quantity_unit=case.quantity_unit, seizure=case.seizure if inspected else None,
    )  # fmt: skip
