"""The service's request and response bodies (they make its OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

__all__ = [
    "CallOut",
    "CallsResponse",
    "ContainerOut",
    "FieldProblemOut",
    "HitOut",
    "OutcomeIn",
    "OutcomesListResponse",
    "OutcomesRequest",
    "OutcomesResponse",
    "ProblemResponse",
    "ProfileOut",
    "ProfilesResponse",
    "ScoreRequest",
    "ScoreResponse",
    "ScreenMatch",
    "ScreenRequest",
    "ScreenResponse",
    "ScreenResult",
    "SelectRequest",
    "SelectResponse",
    "SelectedOut",
    "ShipmentOut",
]

Lane = Literal["red", "yellow", "blue", "green"]
Scalar = str | int | float | bool | None
_FORBID = ConfigDict(extra="forbid")


class FieldProblemOut(BaseModel):
    """Why a request (or one record of it) was refused."""

    record: int | None = Field(None, description="The document or record, from 1.")
    field: str | None = Field(None, description="The field at fault, as a JSON path.")
    value: str | None = Field(None, description="The offending value (cut at 200 chars).")
    reason: str


class ProblemResponse(BaseModel):
    """A refusal: every problem found."""

    detail: list[FieldProblemOut] | str


class ScoreRequest(BaseModel):
    """Manifests (JSON documents, see docs/input.md) or flat records (the CSV layout's
    columns, one goods line per record), scored as of ``as_of``."""

    model_config = _FORBID
    as_of: str = Field(description="Evaluation date or time, ISO 8601.", examples=["2026-11-02"])
    manifests: list[dict[str, Any]] | None = Field(
        None,
        description="Manifest documents: a whole vessel call, or one or more of its "
        "bills of lading at a time (with the voyage fields).",
    )
    records: list[dict[str, Scalar]] | None = Field(
        None, description="Flat records in the layout of docs/input.md, one goods line each."
    )
    keep: bool = Field(
        True,
        description="Add the documents to the pool of their vessel call and score them "
        "within the call as it stands (default); false scores them on their own and keeps "
        "nothing (a container's fields then see only this request's bills of lading).",
    )


class HitOut(BaseModel):
    """An indicator that hit."""

    profile_id: str
    profile_version: int
    indicator_id: str
    title: str
    weight: float
    explanation: str
    forced_lane: Lane | None
    shipment_id: str
    counted: bool


class ShipmentOut(BaseModel):
    """One bill of lading in the unit, scored."""

    shipment_id: str
    bl_number: str | None
    score: float
    lane: Lane
    forced: list[str]
    notes: list[str]


class ContainerOut(BaseModel):
    """A unit (a container of a call, or a B/L without one), scored."""

    key: str
    container_number: str | None
    call: str
    lane: Lane
    score: float
    forced_lane: Lane | None
    forced: list[str]
    bl_numbers: list[str]
    shipments: list[ShipmentOut]
    hits: list[HitOut]


class ProfileOut(BaseModel):
    """A profile that takes part."""

    id: str
    version: int
    title: str
    category: str
    fingerprint: str


class CallOut(BaseModel):
    """A vessel call of the pool, as it stands."""

    key: str
    bills_of_lading: int
    shipments: int | None = Field(
        description="Null when the worker asked has not built the "
        "call since its last addition (ask for it by key)."
    )
    containers: int | None
    arrival_day: str | None


class ScoreResponse(BaseModel):
    """The containers the request's documents name, scored within their calls so far."""

    as_of: str
    pooled: bool
    note: str
    profiles: list[ProfileOut]
    skipped_profiles: dict[str, str]
    containers: list[ContainerOut]
    changed: list[ContainerOut] = Field(
        description="Other units of the calls whose score, lane or forced lane this "
        "addition changed (an LCL partner of an added B/L)."
    )
    calls: list[CallOut]
    replaced: list[str] = Field(description="B/L numbers that replaced an earlier version.")
    evicted: list[str] = Field(description="Calls dropped from the pool to stay within its size.")
    records_read: int
    rejected: list[FieldProblemOut]
    unevaluable: dict[str, int]
    warnings: list[str] = Field(
        description="What the run cannot see or did: a profile whose indicators read a stow "
        "plan's or a history store's fields, which the service is not given (they cannot "
        "fire); a call dropped from a full pool."
    )


class CallsResponse(BaseModel):
    """The calls of the pool (and one call's units, when asked for)."""

    as_of: str | None
    calls: list[CallOut]
    containers: list[ContainerOut]


class SelectRequest(BaseModel):
    """Selection over the pool's calls: all, those named, or those arriving on a day."""

    model_config = _FORBID
    as_of: str = Field(examples=["2026-11-02"])
    capacity: StrictInt | StrictStr | dict[str, StrictInt | StrictStr] = Field(
        description="A count, a share ('3%') or quotas per lane ({'red': 2, 'yellow': '5%'}).",
        examples=["3%"],
    )
    control_rate: float | str = 0.0
    seed: int | None = None
    control_on_top: bool = False
    calls: list[str] | None = Field(None, description="The calls' keys (default: every one).")
    day: dt.date | None = Field(None, description="Only the calls arriving on this day.")


class SelectedOut(BaseModel):
    """A unit picked for inspection."""

    rank: int
    reason: Literal["forced", "score", "control"]
    key: str
    lane: Lane
    score: float


class SelectResponse(BaseModel):
    """The inspection list over the calls' pool."""

    as_of: str
    calls: list[str]
    units: int
    capacity: int
    selected: list[SelectedOut]
    left_out: list[str]
    documentary: list[str]
    unused_capacity: int
    over_capacity: int
    warnings: list[str]


class OutcomeIn(BaseModel):
    """One inspection result (the outcome layout of docs/evaluation.md)."""

    model_config = _FORBID
    unit: str | None = None
    container_number: str | None = None
    bl_number: str | None = None
    inspected: bool
    finding: bool = False
    selected_by: Literal["score", "forced", "control", "other"] | None = None
    category: str | None = None
    quantity: str | None = Field(
        None, description="How much: `120 kg`, or `120` with `quantity_unit`."
    )
    quantity_unit: str | None = Field(None, description="The unit of `quantity` (`kg`).")
    seizure: bool | None = Field(None, description="What was found was seized.")
    date: dt.date | None = None


class OutcomesRequest(BaseModel):
    """Inspection results to record against the pool's units."""

    model_config = _FORBID
    outcomes: list[OutcomeIn]


class OutcomesResponse(BaseModel):
    """Which unit each outcome was recorded for; the ones that match none, and why."""

    recorded: list[dict[str, Any]]
    unmatched: list[FieldProblemOut]


class OutcomesListResponse(BaseModel):
    """The outcomes recorded, in the order received."""

    outcomes: list[dict[str, Any]]


class ScreenRequest(BaseModel):
    """Party names to screen against the profiles' name lists."""

    model_config = _FORBID
    names: list[str] = Field(examples=[["ZETA TRADING LLC"]])
    as_of: str | None = Field(None, description="The day the lists' entries are taken at.")
    threshold: float = Field(85.0, ge=50.0, le=100.0)
    limit: int = Field(5, ge=1, le=50)


class ScreenMatch(BaseModel):
    """A list entry a name resembles."""

    list: str
    profile_id: str
    entry: str
    score: float
    reason: str
    details: dict[str, str]


class ScreenResult(BaseModel):
    """A name and its matches, best first."""

    name: str
    matches: list[ScreenMatch]


class ScreenResponse(BaseModel):
    """Every name screened."""

    lists: list[str]
    results: list[ScreenResult]


class ProfilesResponse(BaseModel):
    """The profiles the service scores with."""

    profiles: list[ProfileOut]
    skipped: dict[str, str]
    reload_error: str | None = Field(
        None,
        description="Why the profile files, changed since, could not be loaded again "
        "(the set listed is the last one that loaded).",
    )
