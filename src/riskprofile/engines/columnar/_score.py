"""Columnar evaluation and scoring: whole batches at once, with the row-wise results.

Two entry points:

- :func:`evaluate` has the row-wise engine's interface (shipments in, one
  :class:`~riskprofile.engines.rowwise.ProfileOutcome` list per shipment out), so that
  :func:`riskprofile.score` can use either engine and build the very same
  :class:`~riskprofile.scoring.ScoringRun`. Conditions are evaluated on whole columns;
  only the cells that cannot be evaluated are run row-wise again, for their note.
- :func:`score_frame` scores a shipment frame without building one Python object per
  shipment: hits, profile scores, lanes, the container roll-up and the ranking are all
  computed column-wise. It is what scores a million containers in seconds; its scores,
  lanes, forced lanes and ranking equal :func:`riskprofile.score`'s (the tests prove it).
  What it returns, :class:`~riskprofile.results.FrameRun`, is the results' type (in
  :mod:`riskprofile.results`, beside :class:`~riskprofile.results.ScoringRun`): this
  module builds its tables, and gives it the row-wise engine to word its notes.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile._fork import require_fork_safe
from riskprofile.engines import rowwise
from riskprofile.engines._contract import FrameEngine, ProfileOutcome
from riskprofile.engines.columnar._masks import ConditionMasks, masks_for
from riskprofile.errors import DataError
from riskprofile.model.frame import frame_schema, shipment_frame
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import (
    CompiledIndicator,
    CompiledProfile,
    IndicatorResult,
    SharedFact,
    fact_groups,
    record_of,
)
from riskprofile.profiles.shared import Condition
from riskprofile.results import FrameRun
from riskprofile.rules import (
    LANE_SEVERITY,
    LANES,
    NOT_FORCED,
    UNIT_KEY_CONTAINER,
    UNIT_KEY_NO_CONTAINER,
    applicable_profiles,
    bands_by_threshold,
    require_profiles,
)

if TYPE_CHECKING:
    from riskprofile.io import RejectedRecord

__all__ = ["FrameSource", "evaluate", "score_frame"]

_SEVERITY = LANE_SEVERITY


class FrameSource(Protocol):
    """What :func:`score_frame` takes besides a bare frame: the
    :class:`~riskprofile.io.FrameBatch` of :func:`~riskprofile.io.read_frame` (its
    frame, and what was read and rejected, which the run keeps for its audit)."""

    @property
    def frame(self) -> pl.DataFrame: ...
    @property
    def source(self) -> str: ...
    @property
    def records_read(self) -> int: ...
    @property
    def rejected(self) -> Sequence[RejectedRecord]: ...
    @property
    def record_unit(self) -> str: ...


def _key(profile: CompiledProfile, kind: str, item_id: str) -> str:
    return f"{profile.id}\x1f{kind}\x1f{item_id}"


def _conditions(
    profiles: Sequence[CompiledProfile],
) -> tuple[list[tuple[str, Condition]], dict[str, Mapping[str, frozenset[Any]]]]:
    items: list[tuple[str, Condition]] = []
    lists: dict[str, Mapping[str, frozenset[Any]]] = {}
    for profile in profiles:
        for exc in profile.exceptions:
            key = _key(profile, "exception", exc.id)
            items.append((key, exc.condition))
            lists[key] = profile.lists
        for ind in profile.indicators:
            key = _key(profile, "indicator", ind.id)
            items.append((key, ind.condition))
            lists[key] = profile.lists
    return items, lists


def _all_masks(
    frame: pl.DataFrame,
    profiles: Sequence[CompiledProfile],
    as_of: dt.datetime,
    frame_engine: FrameEngine | None = None,
) -> dict[str, ConditionMasks]:
    items, lists = _conditions(profiles)
    if frame_engine is not None:  # another engine's masks (the SQL engine's)
        return frame_engine.masks_for(frame, items, lists, as_of)
    return masks_for(frame, items, lists, as_of)


def _rows(series: pl.Series) -> set[int]:
    return {int(i) for i in series.arg_true()}


@dataclass(frozen=True, slots=True)
class _Cells:
    """Where one condition hits and where it cannot be evaluated, as row sets: looking a
    row up in a set is what the per-shipment loop can afford, indexing a Series is not."""

    hit: set[int]
    error: set[int]

    @classmethod
    def of(cls, masks: ConditionMasks) -> _Cells:
        return cls(_rows(masks.hit), _rows(masks.error))


def evaluate(
    shipments: Iterable[Shipment],
    profiles: Iterable[CompiledProfile],
    as_of: dt.datetime,
    progress: Callable[[int], None] | None = None,
    frame_engine: FrameEngine | None = None,
) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
    """Evaluate every profile on every shipment column-wise, in input order.

    Gives exactly what :func:`riskprofile.engines.rowwise.evaluate` gives, notes
    included: a cell that cannot be evaluated is evaluated row-wise again for the
    reason, which only those cells pay for. ``frame_engine``, when given, computes the
    condition masks instead of this engine (the SQL engine does).
    """
    require_fork_safe("a columnar score")
    shipment_list = list(shipments)
    profile_list = list(profiles)
    frame = shipment_frame(shipment_list)
    masks = _all_masks(frame, profile_list, as_of, frame_engine)

    # Most cells are misses: a profile's all-miss outcome is one shared tuple, and only
    # the rows where something hit or could not be evaluated are built one by one.
    plans = []
    for profile in profile_list:
        plan = _Plan(
            profile,
            [_Cells.of(masks[_key(profile, "exception", e.id)]) for e in profile.exceptions],
            [_Cells.of(masks[_key(profile, "indicator", i.id)]) for i in profile.indicators],
        )
        plans.append(plan)

    records: dict[int, dict[str, Any]] = {}

    def record(row: int) -> dict[str, Any]:
        if row not in records:
            records[row] = record_of(shipment_list[row])
        return records[row]

    for row, shipment in enumerate(shipment_list):
        outcomes = [
            plan.outcome(row, record, as_of)
            if row in plan.special
            else ProfileOutcome(plan.profile, plan.misses, None, ())
            for plan in plans
        ]
        records.pop(row, None)
        yield shipment, outcomes
        if progress is not None:
            progress(row + 1)


class _Plan:
    """One profile's cells over the batch, and its outcome on a row."""

    def __init__(
        self, profile: CompiledProfile, exceptions: list[_Cells], indicators: list[_Cells]
    ) -> None:
        self.profile = profile
        self.exceptions = exceptions
        self.indicators = indicators
        self.misses = tuple(IndicatorResult(i.id, False) for i in profile.indicators)
        self.hits = tuple(IndicatorResult(i.id, True) for i in profile.indicators)
        self.special: set[int] = set()
        for cells in (*exceptions, *indicators):
            self.special |= cells.hit | cells.error

    def outcome(
        self, row: int, record: Callable[[int], dict[str, Any]], as_of: dt.datetime
    ) -> ProfileOutcome:
        """The profile's outcome on ``row``: what the row-wise engine gives."""
        problems: list[str] = []
        for exc, cells in zip(self.profile.exceptions, self.exceptions, strict=True):
            if row in cells.error:
                _holds, problem = exc.holds(record(row), as_of)
                problems.append(f"exception {exc.id}: {problem}")
            elif row in cells.hit:
                return ProfileOutcome(self.profile, (), exc.id, tuple(problems))
        results = []
        for position, (ind, cells) in enumerate(
            zip(self.profile.indicators, self.indicators, strict=True)
        ):
            if row in cells.error:
                results.append(ind.evaluate(record(row), as_of))
            elif row in cells.hit:
                results.append(self.hits[position])
            else:
                results.append(self.misses[position])
        return ProfileOutcome(self.profile, tuple(results), None, tuple(problems))


# --- scoring without objects -------------------------------------------------------------


def _scale(profiles: Sequence[CompiledProfile]) -> int:
    """Decimal places needed so that every weight and band threshold is an integer."""
    places = 0
    for profile in profiles:
        numbers = [i.weight for i in profile.indicators]
        numbers += [b.min_score for b in profile.profile.bands]
        for number in numbers:
            exponent = number.normalize().as_tuple().exponent
            if isinstance(exponent, int):
                places = max(places, -exponent)
    if places > 9:
        raise ValueError("weights with more than 9 decimal places are not supported")
    return places


def _scaled(value: Decimal, scale: int) -> int:
    return int(value.scaleb(scale))


def _lane_expr(severity: pl.Expr) -> pl.Expr:
    return severity.replace_strict(list(range(len(LANES))), list(LANES), return_dtype=pl.String)


def score_frame(
    frame: pl.DataFrame | FrameSource,
    profiles: Iterable[CompiledProfile],
    *,
    as_of: AsOf,
    include_drafts: bool = False,
    frame_engine: FrameEngine | None = None,
) -> FrameRun:
    """Score a shipment frame column-wise (see the module docstring).

    Args:
        frame: what :func:`~riskprofile.io.read_frame` returns (the run then keeps the
            batch's source, record count and rejected records, as :func:`riskprofile.score`
            does given a :class:`~riskprofile.io.Batch`), or a bare shipment frame
            (its ``.frame``, or :func:`~riskprofile.engines.columnar.shipment_frame`).
        profiles: compiled profiles, as for :func:`riskprofile.score`.
        as_of: the evaluation time, as for :func:`riskprofile.score` (a datetime, a
            date or an ISO 8601 string).
        include_drafts: as for :func:`riskprofile.score`.
        frame_engine: the engine whose condition masks are scored (e.g. a
            :class:`riskprofile.engines.sql.SqlEngine`); None: this columnar engine.

    Raises:
        NoProfilesError: no profile takes part (as :func:`riskprofile.score`).
        DataError: ``frame`` is not a shipment frame.
    """
    require_fork_safe("a columnar score")
    batch: FrameSource | None = None
    if not isinstance(frame, pl.DataFrame):
        batch, frame = frame, frame.frame
    _check_frame(frame)
    when = as_of_datetime(as_of)
    profile_list, skipped = applicable_profiles(profiles, when, include_drafts)
    require_profiles(profile_list, skipped, when)
    scale = _scale(profile_list)
    masks = _all_masks(frame, profile_list, when, frame_engine)
    problem_rows = _problem_rows(masks.values(), frame.height)

    columns: dict[str, pl.Series] = {}
    profile_points: list[pl.Expr] = []
    severities: list[pl.Expr] = []
    forced_severities: list[pl.Expr] = []
    hit_counts: list[pl.Expr] = []
    unevaluable: list[pl.Expr] = []
    unevaluable_of: list[str] = []
    effective: list[pl.Expr] = []
    facts = fact_groups(profile_list)
    fact_hits: dict[int, list[tuple[int, str, str, pl.Expr]]] = {}
    suppressions: list[pl.Expr | None] = []
    hits_by_profile: list[list[tuple[CompiledIndicator, pl.Expr]]] = []
    hit_of: list[tuple[CompiledProfile, CompiledIndicator]] = []
    fired: list[pl.Expr] = []
    engines: dict[str, str] = {}
    for p_index, profile in enumerate(profile_list):
        # None for a profile without exceptions: nothing to mask, row by row.
        suppressed: pl.Expr | None = None
        for exc in profile.exceptions:
            m = masks[_key(profile, "exception", exc.id)]
            name = f"x{p_index}_{len(columns)}"
            columns[name] = m.hit
            suppressed = pl.col(name) if suppressed is None else suppressed | pl.col(name)
        profile_hits: list[tuple[CompiledIndicator, pl.Expr]] = []
        for i_index, ind in enumerate(profile.indicators):
            m = masks[_key(profile, "indicator", ind.id)]
            engines[f"{profile.id}/{ind.id}"] = (
                "columnar" if m.fallback is None else f"row-wise: {m.fallback}"
            )
            hit_name, err_name = f"h{p_index}_{i_index}", f"e{p_index}_{i_index}"
            columns[hit_name] = m.hit
            columns[err_name] = m.error
            hit = pl.col(hit_name) if suppressed is None else pl.col(hit_name) & ~suppressed
            error = pl.col(err_name) if suppressed is None else pl.col(err_name) & ~suppressed
            profile_hits.append((ind, hit))
            fact = facts.get((profile.id, ind.id))
            if fact is not None:
                fact_hits.setdefault(fact.group, []).append((fact.rank, profile.id, ind.id, hit))
            hit_counts.append(hit)
            unevaluable.append(error)
            unevaluable_of.append(f"{profile.id}/{ind.id}")
            if ind.indicator.lane is not None:
                forced_severities.append(
                    pl.when(hit).then(_SEVERITY[ind.indicator.lane]).otherwise(None)
                )
            effective.append(hit.alias(hit_name))
            hit_of.append((profile, ind))
        suppressions.append(suppressed)
        hits_by_profile.append(profile_hits)
    for profile, suppressed, profile_hits in zip(
        profile_list, suppressions, hits_by_profile, strict=True
    ):
        # A shared fact counts once: in the profile's score, its first hit in the profile;
        # in the shipment's score, its first hit of all (the order of fact_groups).
        weights: list[pl.Expr] = []
        counted_weights: list[pl.Expr] = []
        for ind, hit in profile_hits:
            weight = pl.lit(_scaled(ind.weight, scale), pl.Int64)
            fact = facts.get((profile.id, ind.id))
            own = counted = hit
            if fact is not None:
                before = [(r, pid, h) for r, pid, _iid, h in fact_hits[fact.group] if r < fact.rank]
                mine = [h for _r, pid, h in before if pid == profile.id]
                own = hit & ~pl.any_horizontal(mine) if mine else hit
                counted = hit & ~pl.any_horizontal([h for _r, _p, h in before]) if before else hit
            weights.append(pl.when(own).then(weight).otherwise(pl.lit(0, pl.Int64)))
            counted_weights.append(pl.when(counted).then(weight).otherwise(pl.lit(0, pl.Int64)))
        # One horizontal sum, not a chain of additions; a sum of Booleans counts them.
        total = pl.sum_horizontal(weights) if weights else pl.lit(0, dtype=pl.Int64)
        points = pl.max_horizontal(total, pl.lit(0, dtype=pl.Int64))
        counted_total = (
            pl.sum_horizontal(counted_weights) if counted_weights else pl.lit(0, dtype=pl.Int64)
        )
        contribution = pl.max_horizontal(counted_total, pl.lit(0, dtype=pl.Int64))
        band = pl.lit(_SEVERITY["green"], dtype=pl.Int64)
        # The first band band_lane tries must be the outermost "when": built from the last.
        for b in reversed(bands_by_threshold(profile)):
            band = (
                pl.when(points >= _scaled(b.min_score, scale))
                .then(_SEVERITY[b.lane])
                .otherwise(band)
            )
        if suppressed is not None:
            band = pl.when(suppressed).then(_SEVERITY["green"]).otherwise(band)
            contribution = pl.when(suppressed).then(0).otherwise(contribution)
        profile_points.append(contribution)
        severities.append(band)
        # As ProfileScore.fired: a lane other than green, or a hit that forces one.
        forcing = [hit for ind, hit in profile_hits if ind.indicator.lane is not None]
        fired.append(pl.any_horizontal(band != _SEVERITY["green"], *forcing))
    counted_in = _counted_in(hit_of, facts, fact_hits)

    base = frame.select(
        "shipment_id", "manifest_ref", "container_number", "bl_number"
    ).with_columns(**columns)
    zero = pl.lit(0, dtype=pl.Int64)
    forced = pl.min_horizontal(*forced_severities) if forced_severities else pl.lit(None)
    lane = pl.min_horizontal(*severities, *forced_severities) if severities else None
    # Lazily, so that the hit expressions shared by scores, counts and lanes are computed
    # once (common subexpression elimination is off in eager selects).
    scored = (
        base.lazy()
        .select(
            pl.col("shipment_id"),
            unit_key_expression().alias("key"),
            pl.col("container_number"),
            pl.sum_horizontal(*profile_points).alias("points")
            if profile_points
            else zero.alias("points"),
            (lane if lane is not None else pl.lit(_SEVERITY["green"]))
            .fill_null(_SEVERITY["green"])
            .cast(pl.Int64)
            .alias("severity"),
            forced.cast(pl.Int64).alias("forced_severity"),
            (pl.sum_horizontal(hit_counts).cast(pl.Int64) if hit_counts else zero).alias(
                "hit_count"
            ),
            (pl.sum_horizontal(unevaluable).cast(pl.Int64) if unevaluable else zero).alias(
                "unevaluable"
            ),
        )
        .collect()
        # In one chunk: the hit table and the outputs gather from these columns by row,
        # which polars does many times slower from a column in several chunks (a frame
        # read slice by slice); a text column's views are copied, not its texts.
        .rechunk()
    )
    # Every column aggregated is the same for any order of the group's rows, and the
    # ranking ends on the unique key. Units in order of first appearance all the same:
    # a frame read as manifests list their containers comes nearly in key order, which
    # the key sort then finds (1M shipments: 0.65 s -> 0.41 s for roll-up and ranking;
    # no slower on a shuffled frame).
    # The grouping also gives each unit's shipment rows, from which each shipment's unit
    # rank is placed (the outputs joined the million shipment keys to the units' for it).
    grouped = (
        scored.with_row_index("_row")
        .group_by("key", maintain_order=True)
        .agg(
            pl.col("container_number").first(),
            pl.col("points").max(),
            pl.col("severity").min(),
            pl.col("forced_severity").min(),
            pl.col("hit_count").sum(),
            pl.len().alias("shipment_count"),
            pl.col("_row"),
        )
    )
    unit_rows = grouped.get_column("_row")
    containers, key_order = _ranked(grouped.drop("_row").with_row_index("_group"))
    shipment_ranks = _shipment_ranks(containers, unit_rows, scored.height)
    unit = Decimal(1).scaleb(-scale)

    def decimal_score(points: pl.Expr) -> pl.Expr:
        if scale == 0:  # whole weights: the points are the score
            return points.cast(pl.Decimal(38, 0))
        return (points.cast(pl.Decimal(38, scale)) * _decimal_lit(unit, scale)).cast(
            pl.Decimal(38, scale)
        )

    container_table = containers.select(
        pl.col("rank").cast(pl.Int64),
        "key",
        "container_number",
        decimal_score(pl.col("points")).alias("score"),
        "points",
        _lane_expr(pl.col("severity")).alias("lane"),
        _lane_expr(pl.col("forced_severity")).alias("forced_lane"),
        "hit_count",
        pl.col("shipment_count").cast(pl.Int64),
    ).rechunk()
    shipment_scores = scored.select(
        "shipment_id",
        "key",
        decimal_score(pl.col("points")).alias("score"),
        _lane_expr(pl.col("severity")).alias("lane"),
        _lane_expr(pl.col("forced_severity")).alias("forced_lane"),
        "hit_count",
        "unevaluable",
    )
    # with_columns, not select: a column of nulls (no shared fact) is broadcast to every row.
    counted_frame = base.with_columns(counted_in).select(e.meta.output_name() for e in counted_in)
    hit_table = _hit_table(base.select(effective), hit_of, scored, counted_frame)
    fired_table = _fired_table(
        base.lazy().select(f.alias(f"f{n}") for n, f in enumerate(fired)).collect(),
        profile_list,
        scored.get_column("key"),
    )
    errors = base.select(e.alias(f"u{n}") for n, e in enumerate(unevaluable))
    units: dict[str, int] = {}
    for name, indicator_key in zip(errors.columns, unevaluable_of, strict=True):
        mask = errors.get_column(name)
        if mask.any():
            units[indicator_key] = scored.get_column("key").filter(mask).n_unique()
    return FrameRun(
        as_of=when,
        fingerprints={p.id: p.fingerprint for p in profile_list},
        shipment_scores=shipment_scores,
        container_table=container_table,
        hit_table=hit_table,
        scale=scale,
        profile_versions={p.id: p.version for p in profile_list},
        skipped_profiles=skipped,
        engines=engines,
        frame=frame,
        indicators={(p.id, i.id): i for p in profile_list for i in p.indicators},
        key_order=key_order,
        unevaluable=dict(sorted(units.items())),
        source=None if batch is None else batch.source,
        records_read=None if batch is None else batch.records_read,
        rejected=() if batch is None else tuple(batch.rejected),
        record_unit="record" if batch is None else batch.record_unit,
        profiles=tuple(profile_list),
        problem_rows=problem_rows,
        fired_table=fired_table,
        reference=rowwise,
        shipment_ranks=shipment_ranks,
    )


def _shipment_ranks(containers: pl.DataFrame, unit_rows: pl.Series, height: int) -> pl.Series:
    """Each shipment's unit's rank, in frame order: ``containers`` ranked with their
    ``_group`` (the grouping's row), ``unit_rows`` each group's shipment rows."""
    group_rank = pl.zeros(unit_rows.len(), dtype=pl.Int64, eager=True).scatter(
        containers.get_column("_group"), containers.get_column("rank").cast(pl.Int64)
    )
    placed = unit_rows.to_frame("row").with_columns(group_rank.alias("rank")).explode("row")
    return pl.zeros(height, dtype=pl.Int64, eager=True).scatter(
        placed.get_column("row"), placed.get_column("rank")
    )


def _fired_table(
    fired: pl.DataFrame, profiles: Sequence[CompiledProfile], keys: pl.Series
) -> pl.DataFrame:
    """The units each profile fired on (on any of their shipments): ``key``,
    ``profile_id``, by profile in run order, then by the units' first row."""
    parts = [
        keys.filter(column).unique(maintain_order=True).to_frame("key")
        .with_columns(pl.lit(profile.id, pl.String).alias("profile_id"))
        for column, profile in zip(fired.get_columns(), profiles, strict=True)
    ]  # fmt: skip
    if not parts:
        return pl.DataFrame(schema={"key": pl.String, "profile_id": pl.String})
    return pl.concat(parts)


def _problem_rows(masks: Iterable[ConditionMasks], height: int) -> pl.Series:
    """The rows on which some condition could not be evaluated."""
    errors = [m.error.alias(f"e{n}") for n, m in enumerate(masks) if m.error.any()]
    if not errors:
        return pl.Series("row", [], dtype=pl.UInt32)
    return pl.DataFrame(errors).select(pl.any_horizontal(pl.all())).to_series().arg_true()


def _ranked(grouped: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The containers in rank order (:func:`riskprofile.scoring.rank_key`) with their
    ``rank``, and the ranks' positions in key order.

    Sorting on the text key last is what costs: sorted first on its own (a single-threaded
    sort carrying row numbers beats an arg-sort of text several times over), the key
    order is kept by a stable sort on the integer columns."""
    by_key = grouped.select("key").with_row_index("row").sort("key", multithreaded=False)
    in_key_order = grouped[by_key.get_column("row")]
    ranking = (
        in_key_order.select(pl.col("forced_severity").fill_null(NOT_FORCED), "points", "severity")
        .with_row_index("place")
        .sort(
            ["forced_severity", "points", "severity"],
            descending=[False, True, False],
            maintain_order=True,
            multithreaded=False,
        )
        .get_column("place")
    )
    ranked = in_key_order[ranking].with_row_index("rank", offset=1)
    return ranked, ranking.arg_sort().alias("position")


def _decimal_lit(value: Decimal, scale: int) -> pl.Expr:
    """``pl.lit(value, pl.Decimal(38, scale))``, read from its text by polars: a Decimal
    object given to polars imports numpy (0.1-0.2 s of a port day's run, for nothing
    else)."""
    return pl.lit(format(value, "f"), pl.String).cast(pl.Decimal(38, scale))


def _check_frame(frame: pl.DataFrame) -> None:
    """A frame that is not a shipment frame is refused, naming the columns at fault."""
    problems = []
    # The frame's schema read once: polars builds it anew on every ``frame.schema`` (a
    # dictionary of the frame's ~130 columns; 0.25 s of CPU when read twice per column).
    schema = frame.schema
    for name, dtype in frame_schema().items():
        found = schema.get(name)
        if found is None:
            problems.append(f"column {name!r} is missing")
        elif found != dtype:
            problems.append(f"column {name!r} is {found}, not {dtype}")
    if problems:
        raise DataError(
            "not a shipment frame (build it with read_frame or shipment_frame): "
            + "; ".join(problems)
        )


def unit_key_expression() -> pl.Expr:
    """:func:`riskprofile.rules.unit_key` as an expression, from the same templates."""
    bl = pl.col("bl_number")
    # As unit_key's ``bl_number or shipment_id``: an empty B/L number names no B/L.
    named = pl.when(bl.is_not_null() & (bl != "")).then(bl).otherwise(pl.col("shipment_id"))
    return (
        pl.when(pl.col("container_number").is_not_null())
        .then(_template(UNIT_KEY_CONTAINER, container_number=pl.col("container_number")))
        .otherwise(_template(UNIT_KEY_NO_CONTAINER, bl_number=named))
    )


def _template(template: str, **columns: pl.Expr) -> pl.Expr:
    """A ``str.format`` template of field names as a text expression (``manifest_ref``
    and the names given)."""
    columns.setdefault("manifest_ref", pl.col("manifest_ref"))
    pieces: list[pl.Expr] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            pieces.append(pl.lit(literal, pl.String))
        if name is not None:
            pieces.append(columns[name])
    return pl.concat_str(pieces)


def _counted_in(
    hit_of: Sequence[tuple[CompiledProfile, CompiledIndicator]],
    facts: Mapping[tuple[str, str], SharedFact],
    fact_hits: Mapping[int, list[tuple[int, str, str, pl.Expr]]],
) -> list[pl.Expr]:
    """Per indicator, where it hits without counting: the ``<profile>/<indicator>`` of the
    hit that counts the same fact (the first of the fact's hits in rank order)."""
    exprs = []
    for n, (profile, ind) in enumerate(hit_of):
        fact = facts.get((profile.id, ind.id))
        before = sorted(
            (m for m in fact_hits.get(fact.group, []) if m[0] < fact.rank) if fact else [],
            key=lambda m: m[0],
        )
        if not before:
            exprs.append(pl.lit(None, pl.String).alias(f"c{n}"))
            continue
        # Built from the last: the first hit of the fact in rank order wins.
        chain: pl.Expr = pl.lit(None, pl.String)
        for _rank, pid, iid, hit in reversed(before):
            chain = pl.when(hit).then(pl.lit(f"{pid}/{iid}", pl.String)).otherwise(chain)
        exprs.append(chain.alias(f"c{n}"))
    return exprs


def _hit_table(
    effective: pl.DataFrame,
    hit_of: Sequence[tuple[CompiledProfile, CompiledIndicator]],
    scored: pl.DataFrame,
    counted_in: pl.DataFrame,
) -> pl.DataFrame:
    """One row per hit (suppressed profiles' hits excluded), by shipment row, then
    profile and indicator order; ``counted_in`` (one column per indicator) names the hit
    that counts the same fact where this one does not.

    The hits are put in order as (row, indicator number) pairs; the indicator's own
    columns (ids, version, weight, lane) are then gathered from a table of the few
    indicators, not carried through the sort (1.3 million hits at a million shipments)."""
    schema: dict[str, Any] = {
        "row": pl.UInt32, "key": pl.String, "shipment_id": pl.String, "profile_id": pl.String,
        "profile_version": pl.Int64, "indicator_id": pl.String, "weight": pl.Decimal(38, 9),
        "forced_lane": pl.String, "counted_in": pl.String,
    }  # fmt: skip
    parts = []
    for n, column in enumerate(effective.columns):
        rows = effective[column].arg_true()
        if len(rows):
            parts.append(
                pl.DataFrame({"row": rows.cast(pl.UInt32)}).with_columns(
                    pl.lit(n, pl.UInt32).alias("indicator"),
                    counted_in.get_column(f"c{n}").gather(rows).alias("counted_in"),
                )
            )
    if not parts:
        return pl.DataFrame(schema=schema)
    indicators = pl.DataFrame(
        {
            "profile_id": [profile.id for profile, _ in hit_of],
            "profile_version": [profile.version for profile, _ in hit_of],
            "indicator_id": [ind.id for _, ind in hit_of],
            # As _decimal_lit: read from the text (a Decimal object given to polars
            # imports numpy).
            "weight": [format(ind.weight, "f") for _, ind in hit_of],
            "forced_lane": [ind.indicator.lane for _, ind in hit_of],
        },
        schema={
            "profile_id": pl.String,
            "profile_version": pl.Int64,
            "indicator_id": pl.String,
            "weight": pl.String,
            "forced_lane": pl.String,
        },
    ).with_columns(pl.col("weight").cast(pl.Decimal(38, 9)))
    hits = pl.concat(parts, how="vertical").sort("row", maintain_order=True)
    row, number = hits.get_column("row"), hits.get_column("indicator")
    return hits.with_columns(
        scored["key"].gather(row).alias("key"),
        scored["shipment_id"].gather(row).alias("shipment_id"),
        *(indicators.get_column(name).gather(number) for name in indicators.columns),
    ).select(*schema)
