"""Scoring: hits, profile scores, lanes, and the container roll-up.

The semantics, exactly (``docs/scoring.md`` says the same for analysts):

1. An indicator *hits* a shipment when its condition is true. A condition that cannot be
   evaluated (typically a field it needs is null) is not a hit, and the shipment carries
   a note saying so.
2. A profile whose exception holds for a shipment is *suppressed*: no hit, score 0.
3. A profile's *score* is the sum of the weights of its hits (negative weights lower it),
   floored at 0, so that one profile's discount never lowers another profile's risk.
   Indicators that test the same *fact* (:mod:`riskprofile.profiles._facts`: the same
   normalised condition, or the same ``fact:`` key) count once: within a profile, only
   the first of its hits of that fact (highest weight first, then indicator order).
4. A profile's *lane* is the lane of its highest band whose ``min_score`` the score
   reaches; green when it reaches none. A profile *fires* when its lane is not green or
   one of its hits forces a lane.
5. A hit on an indicator with a ``lane`` *forces* that lane, whatever the score.
6. A shipment's *score* is the sum of its profiles' *counted* scores; its *lane* is the
   most severe of its profiles' lanes and its forced lanes (red > yellow > blue > green).
   A profile's counted score is its score without the hits of facts that another hit of
   the shipment counts (floored at 0): each fact counts once per shipment, at its highest
   weight (ties: the first profile by id, then indicator order). The other hits of the
   fact stay hits (their explanation says "also in profile X, counted once") and still
   force their lanes; the profile's own score, and so its band, keeps them.
7. A container's result rolls up the shipments (bills of lading) it carries: the most
   severe lane, the highest shipment score, every hit and every forced reason. A
   shipment with no container is a unit of its own, keyed by its bill of lading.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile._fork import forked_after_polars, require_fork_safe, warn_rowwise_in_fork
from riskprofile._run_file import RUN_FORMAT, RUN_VERSION, read_run, run_schema, write_run
from riskprofile.engines import Engine as EvaluationEngine
from riskprofile.engines import EngineName, FrameEngine, ProfileOutcome, rowwise
from riskprofile.errors import (
    ArgumentError,
    ArgumentTypeError,
    MissingSourceWarning,
    RecordError,
)
from riskprofile.io import Batch, ReadAccount, RejectedRecord
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import (
    CompiledIndicator,
    CompiledProfile,
    SharedFact,
    describe_counted_in,
    fact_groups,
)
from riskprofile.results import (
    ContainerResult,
    Hit,
    ProfileScore,
    RankedContainer,
    RankedRun,
    ScoringRun,
    ShipmentResult,
)
from riskprofile.rules import (
    LANES,
    UNEVALUABLE_WARNING,
    Lane,
    applicable_profiles,
    band_lane,
    missing_sources,
    most_severe,
    rank_key,
    require_profiles,
    unevaluable_warnings,
    unfed_indicators,
    unit_key,
)

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.history import HistorySource
    from riskprofile.io import FrameBatch
    from riskprofile.io.edifact import StowPlan, StowplanCheck

__all__ = [
    "COLUMNAR_MIN_BATCH",
    "COLUMNAR_MIN_SHIPMENTS",
    "LANES",
    "RUN_FORMAT",
    "RUN_VERSION",
    "ContainerResult",
    "Engine",
    "Hit",
    "Lane",
    "ProfileScore",
    "RankedContainer",
    "RankedRun",
    "ScoringRun",
    "ShipmentResult",
    "UNEVALUABLE_WARNING",
    "applicable_profiles",
    "choose_engine",
    "merge_runs",
    "most_severe",
    "rank_key",
    "read_run",
    "require_profiles",
    "roll_up",
    "run_schema",
    "score",
    "unevaluable_warnings",
    "write_run",
]

Engine = EngineName
"""The ``engine`` argument of :func:`score` (:data:`riskprofile.engines.EngineName`)."""
COLUMNAR_MIN_SHIPMENTS = 175
"""From this many shipments on, ``engine="auto"`` evaluates a list of shipments with the
columnar engine: below it, building the columns and running a Polars query per
indicator (a fixed 65-85 ms with the bundled library, warm) costs more than the
row-wise engine's ~0.5 ms per shipment. Measured by ``benchmarks/engine_auto.py``:
the columnar engine is 0.93-1.03x as fast at 150, 1.16x at 175, 1.5x at 250."""
COLUMNAR_MIN_BATCH = 250
"""From this many shipments on, ``engine="auto"`` scores a batch (a path, a ``Batch``, a
``FrameBatch``, a frame) column-wise, keeping the tables: the tables and their exports
cost more than objects for fewer (``benchmarks/engine_auto.py``: 0.73-0.91x at 200,
0.97-1.22x at 250, 1.13-1.29x at 300)."""


def _score_shipment(
    shipment: Shipment,
    outcomes: list[ProfileOutcome],
    as_of: dt.datetime,
    facts: Mapping[tuple[str, str], SharedFact] | None = None,
) -> ShipmentResult:
    facts = facts or {}
    notes: list[str] = []
    unevaluable: list[str] = []
    # The hits, profile by profile; a profile suppressed by an exception has none.
    found: list[tuple[CompiledProfile, list[CompiledIndicator]]] = []
    for outcome in outcomes:
        profile = outcome.profile
        notes.extend(f"{profile.id}: {p}" for p in outcome.exception_problems)
        hit_list: list[CompiledIndicator] = []
        found.append((profile, hit_list))
        if outcome.excepted_by is not None:  # suppressed: nothing was evaluated
            continue
        for indicator, result in zip(profile.indicators, outcome.results, strict=True):
            if result.problem is not None:
                notes.append(f"{profile.id}/{indicator.id}: {result.problem}")
                unevaluable.append(f"{profile.id}/{indicator.id}")
            if result.hit:
                hit_list.append(indicator)
    # Which hit counts each shared fact: in the shipment, and within each profile.
    first: dict[int, tuple[int, str]] = {}
    for profile, hit_list in found:
        for indicator in hit_list:
            fact = facts.get((profile.id, indicator.id))
            if fact is not None and (fact.group not in first or fact.rank < first[fact.group][0]):
                first[fact.group] = (fact.rank, f"{profile.id}/{indicator.id}")
    hits: list[Hit] = []
    scores: list[ProfileScore] = []
    forced: list[str] = []
    lanes: list[Lane] = []
    for outcome, (profile, hit_list) in zip(outcomes, found, strict=True):
        if outcome.excepted_by is not None:
            scores.append(
                ProfileScore(profile.id, profile.version, Decimal(0), "green", False,
                             outcome.excepted_by, Decimal(0))
            )  # fmt: skip
            continue
        own_first: dict[int, int] = {}
        for indicator in hit_list:
            fact = facts.get((profile.id, indicator.id))
            if fact is not None:
                own_first[fact.group] = min(own_first.get(fact.group, fact.rank), fact.rank)
        total = Decimal(0)
        counted_total = Decimal(0)
        profile_forced = False
        for indicator in hit_list:
            fact = facts.get((profile.id, indicator.id))
            lane = indicator.indicator.lane
            explanation = indicator.explain(shipment, as_of)
            counted_in = None
            if fact is None or own_first[fact.group] == fact.rank:
                total += indicator.weight
            if fact is not None and first[fact.group][0] != fact.rank:
                counted_in = first[fact.group][1]
                explanation += describe_counted_in(profile.id, counted_in)
            else:
                counted_total += indicator.weight
            hits.append(
                Hit(
                    profile_id=profile.id,
                    profile_version=profile.version,
                    indicator_id=indicator.id,
                    title=indicator.indicator.title,
                    weight=indicator.weight,
                    explanation=explanation,
                    forced_lane=lane,
                    shipment_id=shipment.shipment_id,
                    counted_in=counted_in,
                )
            )
            if lane is not None:
                profile_forced = True
                lanes.append(lane)
                forced.append(f"{lane}: {profile.id}/{indicator.id} ({explanation})")
        total = max(total, Decimal(0))
        band = band_lane(profile, total)
        lanes.append(band)
        scores.append(
            ProfileScore(
                profile.id,
                profile.version,
                total,
                band,
                band != "green" or profile_forced,
                None,
                max(counted_total, Decimal(0)),
            )
        )
    return ShipmentResult(
        shipment=shipment,
        hits=tuple(hits),
        profiles=tuple(scores),
        score=sum((s.counted_score for s in scores), Decimal(0)),
        lane=most_severe(lanes),
        forced=tuple(forced),
        notes=tuple(notes),
        unevaluable=tuple(unevaluable),
    )


def roll_up(results: Sequence[ShipmentResult]) -> list[ContainerResult]:
    """Group shipment results by container and rank them (:func:`rank_key`)."""
    groups: dict[str, list[ShipmentResult]] = {}
    for result in results:
        groups.setdefault(unit_key(result.shipment), []).append(result)
    containers = []
    for key, members in groups.items():
        members.sort(key=lambda r: r.shipment_id)
        _order_duplicates(members)
        containers.append(
            ContainerResult(
                key=key,
                container_number=members[0].shipment.container_number,
                shipments=tuple(members),
                score=max(m.score for m in members),
                lane=most_severe(m.lane for m in members),
                forced=tuple(f for m in members for f in m.forced),
            )
        )
    containers.sort(key=rank_key)
    return containers


def score(
    shipments: Iterable[Shipment] | Batch | FrameBatch | pl.DataFrame | str | os.PathLike[str],
    profiles: Iterable[CompiledProfile],
    *,
    as_of: AsOf,
    include_drafts: bool = False,
    progress: Callable[[int], None] | None = None,
    engine: Engine | str | EvaluationEngine = "auto",
    history: HistorySource | None = None,
    stowplan: StowPlan | str | os.PathLike[str] | None = None,
) -> ScoringRun:
    """Score every shipment against every profile and roll the results up by container.

    Args:
        shipments: the batch: a :class:`~riskprofile.io.Batch` (``read_batch(...)``),
            the path of a batch file (read with :func:`~riskprofile.read_batch`'s
            defaults: lenient, no column mapping; column-wise with
            :func:`~riskprofile.io.read_frame`, which gives the same shipments and
            rejected records, unless ``engine="rowwise"``), a
            :class:`~riskprofile.io.FrameBatch` (``read_frame(...)``), a shipment frame
            (:func:`~riskprofile.engines.columnar.shipment_frame`), or shipments
            (``read_batch(...).shipments``). Given a batch or a path, the run keeps the
            batch's rejected records and record count (``run.rejected``,
            ``run.records_read``), so that nothing read is lost.
        profiles: compiled profiles (e.g. ``load_profiles("profiles/", country="PK")``).
        as_of: the evaluation time: ``$now``/``$today`` in every rule: a datetime, a
            date (midnight UTC) or an ISO 8601 string (``"2026-11-02"``,
            ``"2026-11-02T10:00:00+05:00"``); a naive time is taken as UTC. Required, so
            that a run can be reproduced.
        include_drafts: also score with profiles whose status is ``draft`` (to try them
            out). Retired profiles, and profiles not valid on the ``as_of`` date
            (``valid_from``/``valid_to``), never score; the run lists them in
            ``skipped_profiles`` with the reason, with the profiles a
            :class:`~riskprofile.profiles.ProfileSet` left out of its country's scope.
        progress: called with the number of shipments done so far.
        engine: ``"rowwise"`` (the reference), ``"columnar"``, or ``"auto"``:
            columnar for a batch of at least :data:`COLUMNAR_MIN_BATCH` shipments, or a
            list of at least :data:`COLUMNAR_MIN_SHIPMENTS` (measured crossovers). Both
            give the same run. The columnar engine scores a batch (a path, a ``Batch``,
            a ``FrameBatch``, a frame) column-wise
            (:func:`~riskprofile.engines.columnar.score_frame`): the run keeps the
            tables (``run.frame_run``), its exports and :func:`~riskprofile.select` read
            them, and ``run.shipments``/``run.containers`` are made on first access (a
            selection makes only the containers it holds); see ``docs/architecture.md``.
            The SQL engine gives the same run too: ``"duckdb"``, a ``postgresql://``
            URL, or a :class:`~riskprofile.engines.sql.SqlEngine` on a connection you
            opened. It scores a batch through the frame as the columnar engine does
            (the database computes the condition masks, no object per shipment), and
            shipments given as objects through its ``evaluate``. Any other object with
            the engine contract's ``evaluate`` (:class:`~riskprofile.engines.Engine`)
            is given the shipments; one with ``masks_for``
            (:class:`~riskprofile.engines.FrameEngine`) the frame.
        history: a history store (an open :class:`~riskprofile.history.HistoryStore`,
            a DuckDB file or a ``postgresql://`` DSN): the shipments' history fields
            (``consignee_first_seen_days``...) are computed from what it saw strictly
            before ``as_of``; without one they are null (rules on them do not fire).
        stowplan: the vessel's stow plan (a BAPLIE file or a
            :class:`~riskprofile.io.edifact.StowPlan`): the shipments' ``stowplan_*``
            cross-check fields are filled in from it (without one they are null), and
            ``run.stowplan`` says what is on one side only (units on board and on no
            manifest cannot be scored: they are listed there), see ``docs/edifact.md``.

    Returns:
        A :class:`ScoringRun`: the same input (in any order), profiles and ``as_of`` give
        the same run, byte for byte in every export.

    Raises:
        NoProfilesError: no profile takes part (none given, or every one skipped): a run
            that looked at nothing would call every container green.
        ArgumentError: ``as_of`` is not a date or an ISO 8601 date or time, or
            ``engine`` is not one this function takes (a ``ValueError`` too).
        RecordError: an item of ``shipments`` is not a :class:`Shipment`.
        InputFormatError: the batch file cannot be read at all.

    >>> from riskprofile.profiles import load_profiles
    >>> run = score("examples/data/karachi-sample.csv", load_profiles(bundled=True),
    ...             as_of="2026-11-02")
    >>> run.records_accepted + len(run.rejected) == run.records_read
    True
    """
    when = as_of_datetime(as_of)
    profile_list, skipped = applicable_profiles(profiles, when, include_drafts)
    require_profiles(profile_list, skipped, when)
    missing = missing_sources(history=history, stowplan=stowplan)
    for line in unfed_indicators(profile_list, missing):
        warnings.warn(line, MissingSourceWarning, stacklevel=2)
    batch: Batch | None = None
    frame_batch: FrameBatch | None = None
    frame: pl.DataFrame | None = None
    if isinstance(shipments, str | os.PathLike):
        if engine == "rowwise" or (engine == "auto" and forked_after_polars()):
            from riskprofile.io import read_batch

            batch = read_batch(Path(shipments))
        else:
            from riskprofile.io import read_frame

            frame_batch = read_frame(Path(shipments))
    elif isinstance(shipments, Batch):
        batch = shipments
    elif isinstance(shipments, ReadAccount):  # read_frame's FrameBatch
        frame_batch = shipments
    elif _is_polars_frame(shipments):  # iterating one would give its columns
        frame = cast("pl.DataFrame", shipments)
    else:
        shipment_list = _shipment_list(shipments)
        if history is not None:
            from riskprofile.history import with_history_shipments

            shipment_list = with_history_shipments(shipment_list, history, when)
        check = None
        if stowplan is not None:
            from riskprofile.io.edifact import with_stowplan_shipments

            shipment_list, check = with_stowplan_shipments(shipment_list, stowplan)
        run = _score_objects(shipment_list, None, profile_list, skipped, when, engine, progress)
        return run if check is None else dataclasses.replace(run, stowplan=check)
    if frame_batch is not None:
        frame = frame_batch.frame
    if frame is not None:
        require_fork_safe("scoring a frame")  # a frame's every use runs Polars
    if history is not None:
        batch, frame_batch, frame = _join_history(history, when, batch, frame_batch, frame)
    check = None
    if stowplan is not None:
        batch, frame_batch, frame, check = _join_stowplan(stowplan, batch, frame_batch, frame)
    count = len(batch.shipments) if batch is not None else cast("pl.DataFrame", frame).height
    frame_engine = _frame_engine(engine)
    if frame_engine is not None or (
        _is_named(engine)
        and choose_engine(cast("Engine", engine), count, tables=True) == "columnar"
    ):
        tables = _FrameTables(batch, frame_batch, frame, profile_list, skipped, when, frame_engine)
        tables.frame_run = dataclasses.replace(tables.frame_run, stowplan=check)
        if progress is not None:
            progress(count)  # scored column-wise, all at once
        return ScoringRun.of_frame(tables)
    if batch is None and frame_batch is not None:
        batch = frame_batch.to_batch()
    if batch is None:  # a bare frame
        run = _score_objects(None, None, profile_list, skipped, when, engine, progress, frame)
    else:
        run = _score_objects(
            list(batch.shipments), batch, profile_list, skipped, when, engine, progress
        )
    return run if check is None else dataclasses.replace(run, stowplan=check)


def _shipment_list(shipments: object) -> list[Shipment]:
    """The shipments :func:`score` was given as objects; anything else is refused, naming
    its place in the input (a dict or a manifest there would fail later, obscurely)."""
    if not isinstance(shipments, Iterable):
        raise ArgumentTypeError(
            "shipments must be a batch, a path, a frame or shipments, "
            f"not {type(shipments).__name__}",
            argument="shipments",
            value=type(shipments).__name__,
        )
    out = list(shipments)
    for index, item in enumerate(out):
        if not isinstance(item, Shipment):
            raise RecordError(
                f"not a Shipment ({type(item).__name__}): make shipments with "
                "flatten(manifest), Shipment.model_validate(...) or read_batch(...)",
                record=index,
            )
    return out


def _join_history(
    history: HistorySource,
    when: dt.datetime,
    batch: Batch | None,
    frame_batch: FrameBatch | None,
    frame: pl.DataFrame | None,
) -> tuple[Batch | None, FrameBatch | None, pl.DataFrame | None]:
    """The batch with its history fields filled in (column-wise; into the objects of a
    :class:`~riskprofile.io.Batch`)."""
    from dataclasses import replace

    from riskprofile.history import with_history, with_history_shipments

    if batch is not None:
        shipments = with_history_shipments(batch.shipments, history, when)
        return replace(batch, shipments=shipments), frame_batch, frame
    joined = with_history(cast("pl.DataFrame", frame), history, when)
    return batch, None if frame_batch is None else replace(frame_batch, frame=joined), joined


def _join_stowplan(
    plan: StowPlan | str | os.PathLike[str],
    batch: Batch | None,
    frame_batch: FrameBatch | None,
    frame: pl.DataFrame | None,
) -> tuple[Batch | None, FrameBatch | None, pl.DataFrame | None, StowplanCheck]:
    """The batch with its stow-plan fields filled in (column-wise; into the objects of a
    :class:`~riskprofile.io.Batch`), and what is on one side only."""
    from dataclasses import replace

    from riskprofile.io.edifact import join_stowplan, with_stowplan_shipments

    if batch is not None:
        shipments, check = with_stowplan_shipments(batch.shipments, plan)
        return replace(batch, shipments=shipments), frame_batch, frame, check
    joined, check = join_stowplan(cast("pl.DataFrame", frame), plan)
    frame_batch = None if frame_batch is None else replace(frame_batch, frame=joined)
    return batch, frame_batch, joined, check


def _score_objects(
    shipment_list: list[Shipment] | None,
    batch: Batch | None,
    profile_list: list[CompiledProfile],
    skipped: dict[str, str],
    when: dt.datetime,
    engine: Engine | str | EvaluationEngine,
    progress: Callable[[int], None] | None,
    frame: pl.DataFrame | None = None,
) -> ScoringRun:
    """The run of objects: one result per shipment, rolled up by container."""
    if shipment_list is None:
        from riskprofile.model.frame import shipments_of_frame

        shipment_list = shipments_of_frame(cast("pl.DataFrame", frame))
    results = _results(shipment_list, profile_list, when, engine, progress)
    containers = roll_up(results)
    units: Counter[str] = Counter()
    for container in containers:
        units.update({key for s in container.shipments for key in s.unevaluable})
    return ScoringRun(
        as_of=when,
        fingerprints={p.id: p.fingerprint for p in profile_list},
        shipments=tuple(results),
        containers=tuple(containers),
        profile_versions={p.id: p.version for p in profile_list},
        skipped_profiles=skipped,
        source=None if batch is None else batch.source,
        records_read=None if batch is None else batch.records_read,
        rejected=() if batch is None else tuple(batch.rejected),
        record_unit="record" if batch is None else batch.record_unit,
        unevaluable=dict(sorted(units.items())),
    )


def _results(
    shipment_list: Sequence[Shipment],
    profile_list: Sequence[CompiledProfile],
    when: dt.datetime,
    engine: Engine | str | EvaluationEngine,
    progress: Callable[[int], None] | None = None,
) -> list[ShipmentResult]:
    """Each shipment's result, by the reference scoring code, in canonical order (by
    shipment id, duplicates by content)."""
    evaluator: EvaluationEngine = rowwise
    if not _is_named(engine):
        from riskprofile.engines.sql import SqlEngine  # the database's client: when asked

        evaluator = engine if not isinstance(engine, str) else SqlEngine(engine)
    elif choose_engine(cast("Engine", engine), len(shipment_list)) == "columnar":
        from riskprofile.engines import columnar  # polars: loaded when a run needs it

        evaluator = columnar
    facts = fact_groups(profile_list)
    results = [
        _score_shipment(shipment, outcomes, when, facts)
        for shipment, outcomes in evaluator.evaluate(shipment_list, profile_list, when, progress)
    ]
    results.sort(key=lambda r: r.shipment_id)
    _order_duplicates(results)
    return results


@dataclass(frozen=True)
class _AccountedFrame:
    """A :class:`Batch`'s shipments as a frame, with its account (what
    :func:`~riskprofile.engines.columnar.score_frame` keeps for the audit)."""

    frame: pl.DataFrame
    source: str
    records_read: int
    rejected: Sequence[RejectedRecord]
    record_unit: str


class _FrameTables:
    """A batch scored column-wise (:func:`~riskprofile.engines.columnar.score_frame`), and
    its objects made on first access by the reference scoring code on the same shipments
    (:class:`~riskprofile.results.RunTables`): all of them for ``run.shipments`` or
    ``run.containers``, only the containers asked for by a selection."""

    def __init__(
        self,
        batch: Batch | None,
        frame_batch: FrameBatch | None,
        frame: pl.DataFrame | None,
        profiles: list[CompiledProfile],
        skipped: dict[str, str],
        when: dt.datetime,
        frame_engine: FrameEngine | None = None,
    ) -> None:
        from riskprofile.engines.columnar import score_frame, shipment_frame

        self._batch = batch
        self._profiles = profiles
        self._when = when
        self._results: tuple[ShipmentResult, ...] | None = None
        self._containers: tuple[ContainerResult, ...] | None = None
        source: pl.DataFrame | _AccountedFrame | FrameBatch
        if batch is not None:
            source = _AccountedFrame(
                shipment_frame(batch.shipments), batch.source, batch.records_read,
                batch.rejected, batch.record_unit,
            )  # fmt: skip
        elif frame_batch is not None:
            source = frame_batch
        else:
            source = cast("pl.DataFrame", frame)
        # The profiles are the ones taking part; the run says which were skipped and why.
        run = score_frame(
            source, profiles, as_of=when, include_drafts=True, frame_engine=frame_engine
        )
        self.frame_run = dataclasses.replace(run, skipped_profiles=skipped)

    def _shipments(self, rows: Sequence[int] | None = None) -> list[Shipment]:
        """The shipments of the frame's ``rows`` (all when None), in that order: the
        batch's own objects, or made from the frame."""
        if self._batch is not None:
            every = self._batch.shipments
            return list(every) if rows is None else [every[r] for r in rows]
        from riskprofile.model.frame import shipments_of_frame

        frame = cast("pl.DataFrame", self.frame_run.frame)
        return shipments_of_frame(frame if rows is None else frame[list(rows)])

    def shipment_results(self) -> tuple[ShipmentResult, ...]:
        """Every shipment's result (see :class:`~riskprofile.results.RunTables`)."""
        if self._results is None:
            made = _results(self._shipments(), self._profiles, self._when, "auto")
            self._results = tuple(made)
        return self._results

    def container_results(
        self, positions: Sequence[int] | None = None
    ) -> tuple[ContainerResult, ...]:
        """The containers at ``positions`` of the ranking, or all (see
        :class:`~riskprofile.results.RunTables`)."""
        if positions is None or self._containers is not None:
            if self._containers is None:
                self._containers = tuple(roll_up(self.shipment_results()))
            every = self._containers
            return every if positions is None else tuple(every[i] for i in positions)
        keys = self.frame_run.container_table.get_column("key").gather(list(positions))
        rows = (
            self.frame_run.shipment_scores.get_column("key")
            .is_in(keys.unique().implode())
            .arg_true()
            .to_list()
        )
        # Columnar even for a few: the batch was, and its translations are cached.
        made = _results(self._shipments(rows), self._profiles, self._when, "columnar")
        by_key = {c.key: c for c in roll_up(made)}
        return tuple(by_key[key] for key in keys.to_list())


def _is_named(engine: object) -> bool:
    """Whether ``engine`` names one of the library's own engines (``auto``, ``rowwise``,
    ``columnar``), not the SQL engine (``duckdb``, ``spark``, a ``postgresql://`` URL, an
    object)."""
    return (
        isinstance(engine, str)
        and engine not in ("duckdb", "spark")
        and not engine.startswith("postgres")
    )


def _frame_engine(engine: object) -> FrameEngine | None:
    """The SQL engine ``engine`` names (``"duckdb"``, a ``postgresql://`` URL), or
    ``engine`` itself when it is an object with the frame contract (a
    :class:`~riskprofile.engines.sql.SqlEngine`); None for the library's own engines and
    for an engine with ``evaluate`` alone (it is given the shipments)."""
    if isinstance(engine, str):
        if _is_named(engine):
            return None
        from riskprofile.engines.sql import SqlEngine  # the database's client: when asked

        return SqlEngine(engine)
    return engine if isinstance(engine, FrameEngine) else None


def _is_polars_frame(value: object) -> bool:
    """Whether ``value`` is a polars DataFrame (without importing polars: a frame
    exists only once polars is loaded)."""
    polars = sys.modules.get("polars")
    return polars is not None and isinstance(value, polars.DataFrame)


def choose_engine(
    engine: Engine, shipments: int, *, tables: bool = False
) -> Literal["rowwise", "columnar"]:
    """The engine a run of ``shipments`` shipments uses (see :func:`score`'s ``engine``):
    for ``"auto"``, columnar from :data:`COLUMNAR_MIN_SHIPMENTS` shipments on, or from
    :data:`COLUMNAR_MIN_BATCH` on for a batch scored into tables (``tables``).

    Raises :class:`~riskprofile.errors.ArgumentError` (a ValueError) for an unknown engine,
    :class:`~riskprofile.errors.UnsafeForkError` for the columnar engine in a process
    forked after Polars ran in its parent (``"auto"`` is row-wise there, with a warning).
    """
    if engine not in ("auto", "rowwise", "columnar"):
        raise ArgumentError(
            f"engine must be auto, rowwise or columnar, not {engine!r}",
            argument="engine",
            value=engine,
            valid=("auto", "rowwise", "columnar"),
        )
    if engine == "rowwise":
        return "rowwise"
    if engine == "auto" and forked_after_polars():
        warn_rowwise_in_fork()  # Polars would deadlock here: the same run, row-wise
        return "rowwise"
    if engine == "auto" and shipments < (COLUMNAR_MIN_BATCH if tables else COLUMNAR_MIN_SHIPMENTS):
        return "rowwise"
    require_fork_safe("the columnar engine")  # before any column is built
    return "columnar"


def _order_duplicates(results: list[ShipmentResult]) -> None:
    """Give shipments that share an id (two manifests of one vessel call in a batch) an
    order that does not depend on the input's: by their full content."""
    start = 0
    while start < len(results):
        end = start + 1
        while end < len(results) and results[end].shipment_id == results[start].shipment_id:
            end += 1
        if end - start > 1:
            results[start:end] = sorted(
                results[start:end], key=lambda r: r.shipment.model_dump_json()
            )
        start = end


def merge_runs(runs: Iterable[ScoringRun]) -> ScoringRun:
    """One run of several runs' units, ranked together: to select over a day's vessel
    calls scored one at a time (``select(merge_runs(runs), capacity="3%")``), where
    selecting per call would give each call its own share ("3 %" of one small call is
    one container, of another none).

    The runs must have been scored as of the same time with the same profiles (a
    ranking across different rules or clocks means nothing), and hold different units
    (a unit key in two runs is the same container scored twice). The merged run keeps
    every shipment, container, rejected record and skipped profile; its
    ``unevaluable`` counts are the sums; ``records_read`` is the sum when every run has
    one; ``source`` joins the runs' sources with ``"; "``.

    Raises:
        ValueError: no run, runs of different ``as_of`` or profiles (naming them), or a
            unit in two runs (naming it).

    >>> import datetime as dt
    >>> from riskprofile.model import Shipment
    >>> from riskprofile.profiles import load_profiles
    >>> profiles = load_profiles(bundled=True)
    >>> day = [score([Shipment(shipment_id=f"{call}/B/-", manifest_ref=call, bl_number="B")],
    ...              profiles, as_of="2026-11-02") for call in ("IMO1/1W", "IMO2/7E")]
    >>> [c.key for c in merge_runs(day).containers]
    ['IMO1/1W/B/L B', 'IMO2/7E/B/L B']
    """
    runs = list(runs)
    if not runs:
        raise ValueError("merge_runs needs at least one run")
    first = runs[0]
    for run in runs[1:]:
        if run.as_of != first.as_of:
            raise ValueError(
                f"runs scored as of different times cannot be ranked together: "
                f"{first.as_of.isoformat()} and {run.as_of.isoformat()}"
            )
        if run.fingerprints != first.fingerprints:
            differ = sorted(set(run.fingerprints.items()) ^ set(first.fingerprints.items()))
            raise ValueError(
                "runs scored with different profiles cannot be ranked together: "
                + ", ".join(sorted({pid for pid, _ in differ}))
            )
    seen: set[str] = set()
    containers: list[ContainerResult] = []
    for run in runs:
        for container in run.containers:
            if container.key in seen:
                raise ValueError(f"unit {container.key} is in two of the runs")
            seen.add(container.key)
            containers.append(container)
    containers.sort(key=rank_key)
    shipments = sorted((s for run in runs for s in run.shipments), key=lambda r: r.shipment_id)
    units: Counter[str] = Counter()
    for run in runs:
        units.update(run.unevaluable)
    skipped: dict[str, str] = {}
    for run in runs:
        skipped.update(run.skipped_profiles)
    sources = [run.source for run in runs if run.source is not None]
    counts = [run.records_read for run in runs]
    return ScoringRun(
        as_of=first.as_of,
        fingerprints=dict(first.fingerprints),
        shipments=tuple(shipments),
        containers=tuple(containers),
        profile_versions=dict(first.profile_versions),
        skipped_profiles=dict(sorted(skipped.items())),
        source="; ".join(sources) if sources else None,
        records_read=None if None in counts else sum(c for c in counts if c is not None),
        rejected=tuple(r for run in runs for r in run.rejected),
        record_unit=first.record_unit,
        unevaluable=dict(sorted(units.items())),
    )
