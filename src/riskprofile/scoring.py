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

import datetime as dt
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.engines import rowwise
from riskprofile.engines._contract import Engine as EvaluationEngine
from riskprofile.engines._contract import EngineName, ProfileOutcome
from riskprofile.io._batch import Batch, ReadAccount
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import CompiledIndicator, CompiledProfile
from riskprofile.profiles._facts import SharedFact, describe_counted_in, fact_groups
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
    most_severe,
    rank_key,
    require_profiles,
    unevaluable_warnings,
    unit_key,
)

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.io import FrameBatch

__all__ = [
    "COLUMNAR_MIN_SHIPMENTS",
    "LANES",
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
    "most_severe",
    "rank_key",
    "require_profiles",
    "roll_up",
    "score",
    "unevaluable_warnings",
]

Engine = EngineName
"""The ``engine`` argument of :func:`score` (:data:`riskprofile.engines.EngineName`)."""
COLUMNAR_MIN_SHIPMENTS = 200
"""From this many shipments on, ``engine="auto"`` uses the columnar engine: below it,
building the columns costs more than it saves."""


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
            columnar when the batch has at least :data:`COLUMNAR_MIN_SHIPMENTS`
            shipments. Both give the same run. The SQL engine gives it too:
            ``"duckdb"``, a ``postgresql://`` URL, or a
            :class:`~riskprofile.engines.sql.SqlEngine` (any object with the engine
            contract's ``evaluate``, :class:`~riskprofile.engines.Engine`).

    Returns:
        A :class:`ScoringRun`: the same input (in any order), profiles and ``as_of`` give
        the same run, byte for byte in every export.

    Raises:
        NoProfilesError: no profile takes part (none given, or every one skipped): a run
            that looked at nothing would call every container green.
        ValueError: ``as_of`` is a string that is not an ISO 8601 date or time.
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
    batch: Batch | None
    if isinstance(shipments, str | os.PathLike):
        batch = _read(Path(shipments), engine)
    elif isinstance(shipments, Batch):
        batch = shipments
    elif isinstance(shipments, ReadAccount):  # read_frame's FrameBatch
        batch = shipments.to_batch()
    elif _is_polars_frame(shipments):  # iterating one would give its columns
        from riskprofile.model.frame import shipments_of_frame

        batch = None
        shipment_list = shipments_of_frame(cast("pl.DataFrame", shipments))
    else:
        batch = None
        shipment_list = list(cast("Iterable[Shipment]", shipments))
    if batch is not None:
        shipment_list = list(batch.shipments)
    evaluator: EvaluationEngine = rowwise
    if not isinstance(engine, str) or engine == "duckdb" or engine.startswith("postgres"):
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


def _read(path: Path, engine: object) -> Batch:
    """A batch file's shipments: read column-wise (``read_frame``: the same shipments and
    rejected records, no model object per record) unless the row-wise engine, the
    reference, is asked for."""
    if engine == "rowwise":
        from riskprofile.io import read_batch

        return read_batch(path)
    from riskprofile.io import read_frame

    return read_frame(path).to_batch()


def _is_polars_frame(value: object) -> bool:
    """Whether ``value`` is a polars DataFrame (without importing polars: a frame
    exists only once polars is loaded)."""
    polars = sys.modules.get("polars")
    return polars is not None and isinstance(value, polars.DataFrame)


def choose_engine(engine: Engine, shipments: int) -> Literal["rowwise", "columnar"]:
    """The engine a run of ``shipments`` shipments uses (see :func:`score`'s ``engine``).

    Raises ValueError for an unknown engine.
    """
    if engine not in ("auto", "rowwise", "columnar"):
        raise ValueError(f"engine must be auto, rowwise or columnar, not {engine!r}")
    if engine == "rowwise":
        return "rowwise"
    if engine == "auto" and shipments < COLUMNAR_MIN_SHIPMENTS:
        return "rowwise"
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
