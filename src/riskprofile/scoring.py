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
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Protocol

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.engines.rowwise import ProfileOutcome, evaluate
from riskprofile.errors import NoProfilesError
from riskprofile.io._batch import Batch, RejectedRecord
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import CompiledIndicator, CompiledProfile
from riskprofile.profiles._facts import SharedFact, describe_counted_in, fact_groups

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

Lane = Literal["red", "yellow", "blue", "green"]
Engine = Literal["auto", "rowwise", "columnar"]
COLUMNAR_MIN_SHIPMENTS = 200
"""From this many shipments on, ``engine="auto"`` uses the columnar engine: below it,
building the columns costs more than it saves."""
LANES: tuple[Lane, ...] = ("red", "yellow", "blue", "green")
"""Lanes from most to least severe, each an action: red physical examination, yellow
scanner (non-intrusive inspection), blue documentary check or post-clearance audit,
green release. Red and yellow are the physical inspections a capacity counts."""
_SEVERITY = {lane: rank for rank, lane in enumerate(LANES)}
UNEVALUABLE_WARNING = 0.05
"""The share of a run's units on which an indicator could not be evaluated above which the
run summary warns (:func:`unevaluable_warnings`)."""


def most_severe(lanes: Iterable[Lane]) -> Lane:
    """The most severe lane of ``lanes`` (green for none)."""
    return min(lanes, key=_SEVERITY.__getitem__, default="green")


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
        containers: the container roll-ups, ranked (see :func:`rank_key`).
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


class RankedContainer(Protocol):
    """What selection needs of a container: a :class:`ContainerResult`, or a
    :class:`~riskprofile.engines.columnar.FrameContainer` of a column-wise run."""

    @property
    def key(self) -> str: ...
    @property
    def container_number(self) -> str | None: ...
    @property
    def score(self) -> Decimal: ...
    @property
    def lane(self) -> Lane: ...
    @property
    def forced_lane(self) -> Lane | None: ...


class RankedRun(Protocol):
    """A run whose containers come in rank order (:func:`rank_key`): a
    :class:`ScoringRun`, or a :class:`~riskprofile.engines.columnar.FrameRun`."""

    @property
    def containers(self) -> Sequence[RankedContainer]: ...


def rank_key(container: ContainerResult) -> tuple[int, Decimal, int, str]:
    """The total order of the inspection list: forced red, forced yellow, then the rest;
    within each, higher score first, then more severe lane, then the key (manifest
    reference and container number) in text order, which is unique."""
    forced = container.forced_lane
    forced_rank = _SEVERITY[forced] if forced is not None else len(LANES)
    return (forced_rank, -container.score, _SEVERITY[container.lane], container.key)


def _band_lane(profile: CompiledProfile, value: Decimal) -> Lane:
    for band in sorted(profile.profile.bands, key=lambda b: b.min_score, reverse=True):
        if value >= band.min_score:
            return band.lane
    return "green"


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
        band = _band_lane(profile, total)
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


def _unit_key(shipment: Shipment) -> str:
    if shipment.container_number is not None:
        return f"{shipment.manifest_ref}/{shipment.container_number}"
    return f"{shipment.manifest_ref}/B/L {shipment.bl_number or shipment.shipment_id}"


def roll_up(results: Sequence[ShipmentResult]) -> list[ContainerResult]:
    """Group shipment results by container and rank them (:func:`rank_key`)."""
    groups: dict[str, list[ShipmentResult]] = {}
    for result in results:
        groups.setdefault(_unit_key(result.shipment), []).append(result)
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
    shipments: Iterable[Shipment] | Batch | str | os.PathLike[str],
    profiles: Iterable[CompiledProfile],
    *,
    as_of: AsOf,
    include_drafts: bool = False,
    progress: Callable[[int], None] | None = None,
    engine: Engine = "auto",
) -> ScoringRun:
    """Score every shipment against every profile and roll the results up by container.

    Args:
        shipments: the batch: a :class:`~riskprofile.io.Batch` (``read_batch(...)``),
            the path of a batch file (read with :func:`~riskprofile.read_batch`'s
            defaults: lenient, no column mapping), or shipments
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
            shipments. Both give the same run.

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
    when = _as_datetime(as_of)
    profile_list, skipped = applicable_profiles(profiles, when, include_drafts)
    require_profiles(profile_list, skipped, when)
    batch: Batch | None
    if isinstance(shipments, str | os.PathLike):
        from riskprofile.io import read_batch

        batch = read_batch(Path(shipments))
    elif isinstance(shipments, Batch):
        batch = shipments
    else:
        batch = None
        shipment_list = list(shipments)
    if batch is not None:
        shipment_list = list(batch.shipments)
    evaluator = evaluate
    if choose_engine(engine, len(shipment_list)) == "columnar":
        from riskprofile.engines.columnar import evaluate as evaluator
    facts = fact_groups(profile_list)
    results = [
        _score_shipment(shipment, outcomes, when, facts)
        for shipment, outcomes in evaluator(shipment_list, profile_list, when, progress)
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


class _UnevaluableRun(Protocol):
    @property
    def unevaluable(self) -> Mapping[str, int]: ...
    def __len__(self) -> int: ...


def unevaluable_warnings(run: _UnevaluableRun, threshold: float = UNEVALUABLE_WARNING) -> list[str]:
    """One line for each indicator that could not be evaluated on more than ``threshold``
    (a share, 0.05 for 5 %) of the run's units, largest share first; ``run`` is a
    :class:`ScoringRun` or a :class:`~riskprofile.engines.columnar.FrameRun`.

    An indicator that cannot be evaluated is no hit: above a few percent of the units, the
    profile is blind to part of the batch (typically a field it needs is null), which
    must be said, not left to the notes of each container.
    """
    units = len(run)
    shares = [
        (-count, key, count) for key, count in run.unevaluable.items()
        if units and count / units > threshold
    ]  # fmt: skip
    return [
        f"{key} could not be evaluated on {count:,} of {units:,} units "
        f"({count / units:.1%}): it hits none of them (see the notes)"
        for _, key, count in sorted(shares)
    ]


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


def applicable_profiles(
    profiles: Iterable[CompiledProfile], when: dt.datetime, include_drafts: bool
) -> tuple[list[CompiledProfile], dict[str, str]]:
    """The profiles that take part in a run at ``when``, sorted by id, and why each of
    the others does not (retired, draft, not valid on that date; and, for a
    :class:`~riskprofile.profiles.ProfileSet` loaded for a country, outside its scope)."""
    taking_part = []
    skipped: dict[str, str] = dict(getattr(profiles, "out_of_scope", None) or {})
    for profile in sorted(profiles, key=lambda p: p.id):
        reason = _not_applicable(profile, when.date(), include_drafts)
        if reason is None:
            taking_part.append(profile)
        else:
            skipped[profile.id] = reason
    return taking_part, dict(sorted(skipped.items()))


def require_profiles(
    taking_part: Sequence[CompiledProfile], skipped: dict[str, str], when: dt.datetime
) -> None:
    """Raise :class:`~riskprofile.errors.NoProfilesError` when no profile takes part,
    naming why each one was skipped."""
    if taking_part:
        return
    day = when.date().isoformat()
    if not skipped:
        raise NoProfilesError(f"no profile takes part in the run as of {day}: none was given")
    reasons = "; ".join(f"{pid}: {why}" for pid, why in sorted(skipped.items()))
    hint = (
        " (include_drafts=True scores drafts)"
        if any(why.startswith("draft") for why in skipped.values())
        else ""
    )
    raise NoProfilesError(
        f"no profile takes part in the run as of {day}: every one of the {len(skipped)} "
        f"was skipped ({reasons}){hint}",
        skipped=skipped,
    )


def _not_applicable(profile: CompiledProfile, day: dt.date, include_drafts: bool) -> str | None:
    """Why a profile does not take part in a run on ``day`` (None when it does)."""
    meta = profile.profile
    if meta.status == "retired":
        return "retired"
    if meta.status == "draft" and not include_drafts:
        return "draft (drafts score only when included)"
    if meta.valid_from is not None and day < meta.valid_from:
        return f"not valid before {meta.valid_from.isoformat()}"
    if meta.valid_to is not None and day > meta.valid_to:
        return f"expired on {meta.valid_to.isoformat()}"
    return None


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


def _as_datetime(value: Any) -> dt.datetime:
    return as_of_datetime(value)
