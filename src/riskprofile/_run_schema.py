"""The run file's document as pydantic models: what :func:`riskprofile.read_run`
validates a run file against, and what :func:`riskprofile.scoring.run_schema` publishes
as JSON Schema. Imported when a run file is first read (building the models costs about
10 ms, which scoring alone need not pay)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from riskprofile.model.shipment import Shipment
from riskprofile.rules import Lane

__all__ = [
    "ContainerResult",
    "FieldProblem",
    "Hit",
    "ProfileScore",
    "RejectedRecord",
    "RunDocument",
    "ShipmentResult",
]

# A decimal as its exact text (str(Decimal)): a JSON number would go through a float.
_DecimalText = Annotated[
    str, StringConstraints(pattern=r"^-?[0-9]+(\.[0-9]+)?(E[+-]?[0-9]+)?$", max_length=80)
]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldProblem(_Doc):
    field: str | None
    value: str | None
    reason: str


class RejectedRecord(_Doc):
    source: str
    record: int
    problems: list[FieldProblem]
    container_numbers: list[str] = Field(default_factory=list)
    bl_numbers: list[str] = Field(default_factory=list)


class Hit(_Doc):
    profile_id: str
    profile_version: int
    indicator_id: str
    title: str
    weight: _DecimalText
    explanation: str
    forced_lane: Lane | None
    counted_in: str | None = Field(
        None, description="The hit that counts the same fact instead (<profile>/<indicator>)."
    )


class ProfileScore(_Doc):
    profile_id: str
    profile_version: int
    score: _DecimalText
    lane: Lane
    fired: bool
    excepted_by: str | None
    counted: _DecimalText | None


class ShipmentResult(_Doc):
    shipment: Shipment
    hits: list[Hit]
    profiles: list[ProfileScore]
    score: _DecimalText
    lane: Lane
    forced: list[str]
    notes: list[str]
    unevaluable: list[str]


class ContainerResult(_Doc):
    key: str
    container_number: str | None
    shipments: list[Annotated[int, Field(ge=0)]] = Field(
        description="The container's shipments: their places in the run's ``shipments``."
    )
    score: _DecimalText
    lane: Lane
    forced: list[str]


class RunDocument(_Doc):
    """A scoring run as a JSON document (version 1): what :func:`write_run` writes and
    :func:`read_run` reads."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="riskprofile scoring run",
        json_schema_extra={"$id": "https://riskprofile.dev/schemas/scoring-run-1.schema.json"},
    )

    format: Literal["riskprofile.scoring-run"]
    version: Literal[1]
    as_of: dt.datetime
    fingerprints: dict[str, str]
    profile_versions: dict[str, int]
    skipped_profiles: dict[str, str]
    source: str | None
    records_read: int | None
    record_unit: str
    rejected: list[RejectedRecord]
    unevaluable: dict[str, int]
    shipments: list[ShipmentResult]
    containers: list[ContainerResult] = Field(description="The containers, in rank order.")
