"""The results of a scoring run as objects (:class:`ScoringRun` and what it holds), and
what selection reads of any run (:class:`RankedRun`). See :mod:`riskprofile.results`.

This module depends on the rules (:mod:`riskprofile.rules`) and on the data model only:
the engines, scoring, selection and output all build on it, and it on none of them
(``tests/test_architecture.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar, overload

from riskprofile.rules import LANES, Lane, RankedContainer, most_severe

if TYPE_CHECKING:
    from riskprofile.io import RejectedRecord
    from riskprofile.io.edifact import StowplanCheck
    from riskprofile.model.shipment import Shipment
    from riskprofile.results._frame import FrameRun

__all__ = [
    "ContainerResult",
    "Hit",
    "ProfileScore",
    "RankedContainer",
    "RankedRun",
    "RunTables",
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


class RunTables(Protocol):
    """What a :class:`ScoringRun` scored column-wise keeps (:meth:`ScoringRun.of_frame`):
    the column-wise run, and how to make the run's objects from it when they are first
    asked for (the reference scoring code, on the same shipments)."""

    @property
    def frame_run(self) -> FrameRun:
        """The column-wise run: its tables, ranking and notes."""
        ...

    def shipment_results(self) -> tuple[ShipmentResult, ...]:
        """Every shipment's result, in the run's canonical order."""
        ...

    def container_results(
        self, positions: Sequence[int] | None = None
    ) -> tuple[ContainerResult, ...]:
        """The containers at these places of the ranking (from 0), in that order; all of
        them, in rank order, when ``positions`` is None."""
        ...


_Made = TypeVar("_Made")


class _MadeOnFirstAccess(Generic[_Made]):
    """A field of :class:`ScoringRun` that a run scored column-wise makes from its
    :class:`RunTables` on first access (a run scored object-wise is given it)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, run: None, owner: type | None = None) -> _MadeOnFirstAccess[_Made]: ...
    @overload
    def __get__(self, run: ScoringRun, owner: type | None = None) -> _Made: ...
    def __get__(
        self, run: ScoringRun | None, owner: type | None = None
    ) -> _Made | _MadeOnFirstAccess[_Made]:
        if run is None:  # no default: the dataclass field stays required
            raise AttributeError(self._name)
        made: dict[str, Any] = run.__dict__
        if self._name not in made:
            tables = run.tables
            assert tables is not None, "a ScoringRun without tables is given its results"
            if self._name == "shipments":
                made[self._name] = tables.shipment_results()
            else:
                made[self._name] = tables.container_results()
        value: _Made = made[self._name]
        return value

    def __set__(self, run: ScoringRun, value: _Made) -> None:
        run.__dict__[self._name] = value


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
        stowplan: when the run was given a stow plan (``score(..., stowplan=...)``), what
            joining it found beyond the shipments' ``stowplan_*`` fields: the units on
            board and on no manifest (not scored: listed), the containers not on board,
            and its warnings (:class:`~riskprofile.io.edifact.StowplanCheck`).
        tables: for a run :func:`~riskprofile.score` computed column-wise (a batch file,
            a :class:`~riskprofile.io.Batch`, a frame), what it keeps instead of objects
            (:class:`RunTables`); None for a run scored object-wise.

    A run scored column-wise (:meth:`of_frame`) keeps its results as tables
    (:attr:`frame_run`) and makes ``shipments`` and ``containers`` on first access, with
    the reference scoring code on the same shipments: the same objects an object-wise run
    holds. Its length, ``repr``, exports (:func:`riskprofile.output.write_output`,
    ``to_json``, ``to_csv``, ``text_table``), :meth:`to_polars`, :meth:`to_pandas`, the
    notebook view and :func:`riskprofile.select` read the tables, and a selection makes
    only the containers it holds.
    """

    as_of: dt.datetime
    fingerprints: dict[str, str]
    # Required fields (the descriptor gives no default) that a run scored column-wise
    # makes on first access; typed as what they hold.
    shipments: tuple[ShipmentResult, ...] = _MadeOnFirstAccess()  # type: ignore[assignment]
    containers: tuple[ContainerResult, ...] = _MadeOnFirstAccess()  # type: ignore[assignment]
    profile_versions: dict[str, int] = field(default_factory=dict)
    skipped_profiles: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    records_read: int | None = None
    rejected: tuple[RejectedRecord, ...] = ()
    record_unit: str = "record"
    unevaluable: dict[str, int] = field(default_factory=dict)
    stowplan: StowplanCheck | None = None
    tables: RunTables | None = field(default=None, init=False, compare=False, repr=False)

    @classmethod
    def of_frame(cls, tables: RunTables) -> ScoringRun:
        """A run scored column-wise: its audit from ``tables.frame_run``, its objects made
        from ``tables`` on first access (see the class docstring)."""
        frame_run = tables.frame_run
        run = cls(
            as_of=frame_run.as_of,
            fingerprints=frame_run.fingerprints,
            shipments=(),
            containers=(),
            profile_versions=frame_run.profile_versions,
            skipped_profiles=frame_run.skipped_profiles,
            source=frame_run.source,
            records_read=frame_run.records_read,
            rejected=frame_run.rejected,
            record_unit=frame_run.record_unit,
            unevaluable=frame_run.unevaluable,
            stowplan=frame_run.stowplan,
        )
        object.__setattr__(run, "tables", tables)
        del run.__dict__["shipments"], run.__dict__["containers"]  # made on first access
        return run

    def __getstate__(self) -> dict[str, Any]:
        # A run scored column-wise pickles as the run of objects it stands for: its tables
        # hold the compiled profiles, which do not pickle.
        state = {name: getattr(self, name) for name in self.__dataclass_fields__}
        state["tables"] = None
        return state

    @property
    def frame_run(self) -> FrameRun | None:
        """The column-wise run behind a run scored column-wise (its tables, the same
        bytes in every export); None for a run scored object-wise."""
        return None if self.tables is None else self.tables.frame_run

    def containers_at(self, positions: Sequence[int]) -> tuple[ContainerResult, ...]:
        """The containers at these places of the ranking (from 0), in that order: what
        a selection holds. A run scored column-wise makes only these."""
        if self.tables is not None and "containers" not in self.__dict__:
            return self.tables.container_results(positions)
        containers = self.containers
        return tuple(containers[i] for i in positions)

    def __len__(self) -> int:
        frame_run = self.frame_run
        return len(self.containers) if frame_run is None else len(frame_run)

    def _repr_html_(self) -> str:
        from riskprofile.output import run_html

        return run_html(self)

    def _lanes(self) -> dict[str, int]:
        frame_run = self.frame_run
        if frame_run is None:
            return {lane: sum(1 for c in self.containers if c.lane == lane) for lane in LANES}
        counts = frame_run.container_table.get_column("lane").value_counts()
        found = dict(zip(counts["lane"].to_list(), counts["count"].to_list(), strict=True))
        return {lane: int(found.get(lane, 0)) for lane in LANES}

    def __repr__(self) -> str:
        lanes = self._lanes()
        shown = ", ".join(f"{n} {lane}" for lane, n in lanes.items() if n)
        records = (
            ""
            if self.records_read is None
            else f", {self.records_read:,} records read ({len(self.rejected):,} rejected)"
        )
        return (
            f"<ScoringRun {len(self)} containers ({shown or 'none'}), "
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
    :class:`ScoringRun`, or a :class:`~riskprofile.results.FrameRun`."""

    @property
    def containers(self) -> Sequence[RankedContainer]: ...

    def __len__(self) -> int: ...
