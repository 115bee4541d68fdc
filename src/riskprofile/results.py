"""The results of a scoring run, shared by both engines and by selection and output.

:class:`ScoringRun` holds one :class:`ShipmentResult` per shipment (its :class:`Hit` and
:class:`ProfileScore` list) and the :class:`ContainerResult` roll-ups in rank order. A
column-wise run (:class:`~riskprofile.engines.columnar.FrameRun`) keeps the same results
as tables; selection sees either through :class:`RankedRun` and :class:`RankedContainer`.

This module depends on the rules (:mod:`riskprofile.rules`) and on the data model only:
the engines, scoring, selection and output all build on it, and it on none of them
(``tests/test_architecture.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol

from riskprofile.rules import LANES, Lane, RankedContainer, most_severe

if TYPE_CHECKING:
    from riskprofile.io._batch import RejectedRecord
    from riskprofile.model.shipment import Shipment

__all__ = [
    "ContainerResult",
    "Hit",
    "ProfileScore",
    "RankedContainer",
    "RankedRun",
    "ScoringRun",
    "ShipmentResult",
]


@dataclass(frozen=True, slots=True)
class Hit:
    """An indicator that hit: which, how much, why, in the officer's words."""

    profile_id: str
    profile_version: int
    indicator_id: str
    title: str
    weight: Decimal
    explanation: str
    forced_lane: Lane | None
    shipment_id: str
    counted_in: str | None = None
    """None when the hit counts in the shipment's score; else the hit that counts the same
    fact instead, as ``<profile>/<indicator>`` (its explanation then says so)."""

    @property
    def counted(self) -> bool:
        """Whether the hit's weight counts in the shipment's score (one fact counts once)."""
        return self.counted_in is None


@dataclass(frozen=True, slots=True)
class ProfileScore:
    """One profile's verdict on one shipment.

    ``score`` (which sets ``lane``) counts each fact the profile tests once; ``counted``
    is what the profile adds to the shipment's score: ``score`` without the facts another
    profile counts, floored at 0 (equal to ``score`` when no fact is shared).
    """

    profile_id: str
    profile_version: int
    score: Decimal
    lane: Lane
    fired: bool
    excepted_by: str | None = None
    counted: Decimal | None = None

    @property
    def counted_score(self) -> Decimal:
        """What the profile adds to the shipment's score (``score`` when not set)."""
        return self.score if self.counted is None else self.counted


@dataclass(frozen=True)
class ShipmentResult:
    """The score of one shipment (one container under one bill of lading)."""

    shipment: Shipment
    hits: tuple[Hit, ...]
    profiles: tuple[ProfileScore, ...]
    score: Decimal
    lane: Lane
    forced: tuple[str, ...]
    notes: tuple[str, ...]
    unevaluable: tuple[str, ...] = ()
    """The indicators (``<profile>/<indicator>``) that could not be evaluated on it."""

    @property
    def shipment_id(self) -> str:
        """The shipment's id."""
        return self.shipment.shipment_id

    def __repr__(self) -> str:
        forced = " (forced)" if self.forced else ""
        return (
            f"<ShipmentResult {self.shipment_id} {self.lane}{forced} {self.score}: "
            f"{len(self.hits)} hits, {len(self.notes)} notes>"
        )


@dataclass(frozen=True)
class ContainerResult:
    """A container's roll-up: the unit a PCU inspects.

    ``key`` is ``<manifest reference>/<container number>``, or ``<manifest
    reference>/B/L <number>`` for a bill of lading without a container yet: unique in a
    batch of several vessel calls.
    """

    key: str
    container_number: str | None
    shipments: tuple[ShipmentResult, ...]
    score: Decimal
    lane: Lane
    forced: tuple[str, ...]

    @property
    def hits(self) -> tuple[Hit, ...]:
        """Every hit of every bill of lading in the container."""
        return tuple(h for s in self.shipments for h in s.hits)

    @property
    def forced_lane(self) -> Lane | None:
        """The most severe forced lane, if any hit forces one."""
        lanes = [h.forced_lane for h in self.hits if h.forced_lane is not None]
        return most_severe(lanes) if lanes else None

    @property
    def bl_numbers(self) -> tuple[str, ...]:
        """The bills of lading in the container."""
        return tuple(s.shipment.bl_number for s in self.shipments if s.shipment.bl_number)

    def __repr__(self) -> str:
        forced = " (forced)" if self.forced_lane is not None else ""
        return (
            f"<ContainerResult {self.key} {self.lane}{forced} {self.score}: "
            f"{len(self.shipments)} B/Ls, {len(self.hits)} hits>"
        )


@dataclass(frozen=True)
class ScoringRun:
    """Everything a scoring run produced, with its audit trail.

    Attributes:
        as_of: the evaluation time ($now/$today).
        fingerprints: profile id -> fingerprint of each profile used.
        shipments: one result per input shipment, in a canonical order (by shipment id).
        containers: the container roll-ups, ranked (see :func:`~riskprofile.rules.rank_key`).
        profile_versions: profile id -> version of each profile used.
        skipped_profiles: profile id -> why it did not score (retired, draft, not valid
            on the ``as_of`` date).
        source: the batch file scored, when :func:`score` was given a
            :class:`~riskprofile.io.Batch` or a path (None for bare shipments).
        records_read: records in that file (None for bare shipments).
        rejected: the records of that file that could not be used, with their reasons:
            they are not scored, but not lost either (``records_accepted +
            len(rejected) == records_read``).
        record_unit: what a rejected record's number counts (``line``, ``row``,
            ``manifest``).
        unevaluable: ``<profile>/<indicator>`` -> the number of units (containers) on
            which that indicator could not be evaluated for at least one bill of lading,
            for every indicator where that happened, in key order (see
            :func:`unevaluable_warnings`).
    """

    as_of: dt.datetime
    fingerprints: dict[str, str]
    shipments: tuple[ShipmentResult, ...]
    containers: tuple[ContainerResult, ...]
    profile_versions: dict[str, int] = field(default_factory=dict)
    skipped_profiles: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    records_read: int | None = None
    rejected: tuple[RejectedRecord, ...] = ()
    record_unit: str = "record"
    unevaluable: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.containers)

    def _repr_html_(self) -> str:
        from riskprofile.output import run_html

        return run_html(self)

    def __repr__(self) -> str:
        lanes = {lane: sum(1 for c in self.containers if c.lane == lane) for lane in LANES}
        shown = ", ".join(f"{n} {lane}" for lane, n in lanes.items() if n)
        records = (
            ""
            if self.records_read is None
            else f", {self.records_read:,} records read ({len(self.rejected):,} rejected)"
        )
        return (
            f"<ScoringRun {len(self.containers)} containers ({shown or 'none'}), "
            f"{len(self.fingerprints)} profiles, as of {self.as_of.isoformat()}{records}>"
        )

    @property
    def records_accepted(self) -> int | None:
        """Records of the batch file that were scored: ``records_read - len(rejected)``
        (None when the run was given bare shipments)."""
        return None if self.records_read is None else self.records_read - len(self.rejected)

    def to_pandas(self, table: Literal["containers", "hits"] = "containers") -> Any:
        """A table of the run as a pandas DataFrame (needs pandas: ``pip install
        'riskprofile[pandas]'``).

        Args:
            table: ``"containers"``: one row per container, in rank order (the columns of
                :data:`riskprofile.output.CONTAINER_COLUMNS`); ``"hits"``: one row per
                hit, with the officer's explanation (:data:`~riskprofile.output.HIT_COLUMNS`).
        """
        from riskprofile.output import table_frame

        return table_frame(self, None, table, "pandas")

    def to_polars(self, table: Literal["containers", "hits"] = "containers") -> Any:
        """A table of the run as a polars DataFrame (needs polars); ``table`` as for
        :meth:`to_pandas`."""
        from riskprofile.output import table_frame

        return table_frame(self, None, table, "polars")


class RankedRun(Protocol):
    """A run whose containers come in rank order (:func:`~riskprofile.rules.rank_key`): a
    :class:`ScoringRun`, or a :class:`~riskprofile.engines.columnar.FrameRun`."""

    @property
    def containers(self) -> Sequence[RankedContainer]: ...
