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
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Protocol, overload

import polars as pl

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.engines._contract import ProfileOutcome
from riskprofile.engines.columnar._masks import ConditionMasks, masks_for
from riskprofile.engines.rowwise import evaluate as evaluate_rowwise
from riskprofile.errors import DataError
from riskprofile.model.frame import frame_schema, shipment_frame, shipments_of_frame
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import (
    CompiledIndicator,
    CompiledProfile,
    IndicatorResult,
)
from riskprofile.profiles._explain import (
    explanation_fields,
    explanation_quotes,
    record_of,
    render_explanation,
    show_value,
)
from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._facts import SharedFact, describe_counted_in, fact_groups
from riskprofile.rules import (
    LANE_SEVERITY,
    LANES,
    NOT_FORCED,
    UNIT_KEY_CONTAINER,
    UNIT_KEY_NO_CONTAINER,
    Lane,
    applicable_profiles,
    bands_by_threshold,
    require_profiles,
)

if TYPE_CHECKING:
    from riskprofile.io import RejectedRecord

__all__ = ["FrameContainer", "FrameRun", "FrameSource", "evaluate", "score_frame"]

_SEVERITY = LANE_SEVERITY


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
    frame: pl.DataFrame, profiles: Sequence[CompiledProfile], as_of: dt.datetime
) -> dict[str, ConditionMasks]:
    items, lists = _conditions(profiles)
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
) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
    """Evaluate every profile on every shipment column-wise, in input order.

    Gives exactly what :func:`riskprofile.engines.rowwise.evaluate` gives, notes
    included: a cell that cannot be evaluated is evaluated row-wise again for the
    reason, which only those cells pay for.
    """
    shipment_list = list(shipments)
    profile_list = list(profiles)
    frame = shipment_frame(shipment_list)
    masks = _all_masks(frame, profile_list, as_of)

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


@dataclass(frozen=True, slots=True)
class FrameContainer:
    """A container of a :class:`FrameRun`, as selection sees it (key, lane, score...)."""

    key: str
    container_number: str | None
    score: Decimal
    lane: Lane
    forced_lane: Lane | None
    hit_count: int


class FrameContainers(Sequence[FrameContainer]):
    """The ranked containers of a :class:`FrameRun`, made on demand from its table (a
    million objects at once would cost more than the scoring)."""

    def __init__(self, table: pl.DataFrame, scale: int) -> None:
        self._table = table
        self._unit = Decimal(1).scaleb(-scale)

    def __len__(self) -> int:
        return self._table.height

    @overload
    def __getitem__(self, index: int) -> FrameContainer: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FrameContainer]: ...
    def __getitem__(self, index: int | slice) -> FrameContainer | Sequence[FrameContainer]:
        if isinstance(index, slice):
            return self.take(list(range(len(self)))[index])
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self.take([index % len(self)])[0]

    def __iter__(self) -> Iterator[FrameContainer]:
        start = 0
        while start < len(self):  # in chunks: no million objects at once
            yield from self.take(list(range(start, min(start + 65_536, len(self)))))
            start += 65_536

    def take(self, positions: Sequence[int]) -> list[FrameContainer]:
        """The containers at these places of the ranking, in that order."""
        rows = self._table.select(
            "key", "container_number", "points", "lane", "forced_lane", "hit_count"
        )[list(positions)]
        scores: dict[int, Decimal] = {}  # few distinct scores: each made once
        for points in rows.get_column("points").unique().to_list():
            scores[points] = (Decimal(points) * self._unit).normalize() + 0
        return [
            FrameContainer(key, number, scores[points], lane, forced, hits)
            for key, number, points, lane, forced, hits in zip(
                rows.get_column("key").to_list(),
                rows.get_column("container_number").to_list(),
                rows.get_column("points").to_list(),
                rows.get_column("lane").to_list(),
                rows.get_column("forced_lane").to_list(),
                rows.get_column("hit_count").to_list(),
                strict=True,
            )
        ]


@dataclass(frozen=True)
class FrameRun:
    """A scoring run computed column-wise (:func:`score_frame`).

    Attributes:
        as_of: the evaluation time.
        fingerprints, profile_versions, skipped_profiles: as in
            :class:`~riskprofile.scoring.ScoringRun`.
        shipment_scores: one row per shipment, in the frame's order: ``shipment_id``,
            ``key`` (the container unit), ``score``, ``lane``, ``forced_lane``,
            ``hit_count``, ``unevaluable`` (indicators that could not be evaluated).
        container_table: one row per container unit, ranked by
            :func:`riskprofile.scoring.rank_key`: ``rank``, ``key``,
            ``container_number``, ``score``, ``lane``, ``forced_lane``, ``hit_count``,
            ``shipment_count``.
        hit_table: one row per hit: ``row`` (the shipment's row in the frame), ``key``,
            ``shipment_id``, ``profile_id``, ``profile_version``, ``indicator_id``,
            ``weight``, ``forced_lane``, ``counted_in`` (null when the hit counts in the
            shipment's score, else the ``<profile>/<indicator>`` that counts its fact);
            :meth:`explained_hits` adds the officer's text.
        engines: profile/indicator -> ``"columnar"`` or ``"row-wise: <why>"``.
        key_order: the container table's row positions (from 0) in the order of its
            ``key`` (text order), which selection's control sample draws from.
        unevaluable: ``<profile>/<indicator>`` -> units on which it could not be
            evaluated, as in :class:`~riskprofile.scoring.ScoringRun`.
        source, records_read, rejected, record_unit: as in
            :class:`~riskprofile.scoring.ScoringRun`, when :func:`score_frame` was given
            the :class:`~riskprofile.io.FrameBatch` of :func:`~riskprofile.io.read_frame`
            (None, None, ``()`` and ``"record"`` for a bare frame).
        profiles: the profiles that took part, sorted by id.
        problem_rows: the frame's rows (from 0) on which some condition could not be
            evaluated: the only rows that can carry notes (:attr:`notes`).

    Scores are exact: they are kept as integers of ``10**-scale`` points and shown as
    decimals.
    """

    as_of: dt.datetime
    fingerprints: dict[str, str]
    shipment_scores: pl.DataFrame
    container_table: pl.DataFrame
    hit_table: pl.DataFrame
    scale: int
    profile_versions: dict[str, int] = field(default_factory=dict)
    skipped_profiles: dict[str, str] = field(default_factory=dict)
    engines: dict[str, str] = field(default_factory=dict)
    frame: pl.DataFrame | None = field(default=None, repr=False, compare=False)
    indicators: Mapping[tuple[str, str], CompiledIndicator] = field(
        default_factory=dict, repr=False, compare=False
    )
    key_order: pl.Series | None = field(default=None, repr=False, compare=False)
    unevaluable: dict[str, int] = field(default_factory=dict)
    source: str | None = None
    records_read: int | None = None
    rejected: tuple[RejectedRecord, ...] = ()
    record_unit: str = "record"
    profiles: tuple[CompiledProfile, ...] = field(default=(), repr=False, compare=False)
    problem_rows: pl.Series | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return self.container_table.height

    @property
    def records_accepted(self) -> int | None:
        """Records of the batch file that were scored: ``records_read - len(rejected)``
        (None when the run was given a bare frame)."""
        return None if self.records_read is None else self.records_read - len(self.rejected)

    @cached_property
    def notes(self) -> pl.DataFrame:
        """The shipments that carry notes, worded as the row-wise run words them
        (:attr:`ShipmentResult.notes <riskprofile.scoring.ShipmentResult.notes>`):
        ``row`` (the shipment's row in the frame) and ``notes`` (a list of texts: ``"<profile>:
        exception <id>: <problem>"`` for an exception, ``"<profile>/<indicator>:
        <problem>"`` for an indicator that could not be evaluated), in row order.

        Only the rows where a condition could not be evaluated (:attr:`problem_rows`,
        usually few) are evaluated again, row-wise, for the wording.
        """
        rows: list[int] = [] if self.problem_rows is None else self.problem_rows.to_list()
        found_rows: list[int] = []
        found: list[list[str]] = []
        if rows and self.frame is not None:
            shipments = shipments_of_frame(self.frame[rows])
            outcomes = evaluate_rowwise(shipments, self.profiles, self.as_of)
            for row, (_shipment, profile_outcomes) in zip(rows, outcomes, strict=True):
                notes = outcome_notes(profile_outcomes)
                if notes:
                    found_rows.append(row)
                    found.append(notes)
        return pl.DataFrame(
            {"row": found_rows, "notes": found},
            schema={"row": pl.UInt32, "notes": pl.List(pl.String)},
        )

    def explained_hits(self, keys: Iterable[str] | None = None) -> pl.DataFrame:
        """The hits of the containers ``keys`` (all when None) with each hit's title and
        explanation for the officer, as the row-wise run words them.

        Rendering text costs a Python call per hit, so a big run explains what an officer
        will read (the selected containers), not every hit of a million containers.
        """
        hits = self.hit_table
        if keys is not None:
            hits = hits.filter(
                pl.col("key").is_in(pl.Series(list(keys), dtype=pl.String).implode())
            )
        if hits.height == 0:
            return hits.with_columns(
                pl.Series("title", [], dtype=pl.String),
                pl.Series("explanation", [], dtype=pl.String),
            )
        # One gather per indicator for the fields its template shows, each distinct value
        # shown once, the text put together column-wise; then back in the hits' order.
        groups = hits.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("position"),
            "profile_id",
            "indicator_id",
            "row",
            "counted_in",
        ).partition_by("profile_id", "indicator_id", maintain_order=True, as_dict=True)
        columns: dict[str, pl.Series] = {}

        def column(name: str) -> pl.Series:
            # Gathering from a list column in several chunks costs a copy each time.
            if name not in columns:
                assert self.frame is not None
                values = self.frame.get_column(name)
                if isinstance(values.dtype, pl.List) and values.n_chunks() > 1:
                    values = values.rechunk()
                columns[name] = values
            return columns[name]

        parts = []
        for ident, group in groups.items():
            indicator = self.indicators[(str(ident[0]), str(ident[1]))]
            text = self._explain(indicator, group.get_column("row"), column)
            # A hit whose fact another hit counts says so (one fact counts once).
            elsewhere = group.get_column("counted_in")
            if elsewhere.null_count() < len(elsewhere):
                words = {
                    v: describe_counted_in(str(ident[0]), v)
                    for v in elsewhere.drop_nulls().unique().to_list()
                }
                suffix = elsewhere.replace_strict(words, default="", return_dtype=pl.String)
                text = (text + suffix.fill_null("")).alias("explanation")
            parts.append(
                group.select(
                    "position",
                    pl.lit(indicator.indicator.title, pl.String).alias("title"),
                    text.alias("explanation"),
                )
            )
        texts = pl.concat(parts).sort("position")
        return hits.with_columns(texts.get_column("title"), texts.get_column("explanation"))

    def _explain(
        self, indicator: CompiledIndicator, rows: pl.Series, column: Callable[[str], pl.Series]
    ) -> pl.Series:
        """The explanations of ``indicator`` on the frame's ``rows``, as
        :func:`~riskprofile.profiles._explain.render_explanation` words them
        (``column``: a frame column by name)."""
        template = indicator.indicator.explain or indicator.indicator.title
        names = explanation_fields(template)
        quotes = explanation_quotes(template)
        if self.frame is None or not (names or quotes):
            text = render_explanation(template, Shipment())
            return pl.Series("explanation", [text] * len(rows), dtype=pl.String)
        shown = {n: _shown(n, column(n).gather(rows)) for n in dict.fromkeys(names)}
        for list_name, column_name in quotes:
            # The matched entry's column, as the row-wise run quotes it (a Python call per
            # row: only for the hits explained).
            compared = indicator.quoted[list_name][1]
            values = {f: column(f).gather(rows).to_list() for f in compared}
            shown[f"${list_name}.{column_name}"] = pl.Series(
                [
                    indicator.quote(list_name, column_name, _row_of(values, i), self.as_of)
                    for i in range(len(rows))
                ],
                dtype=pl.String,
            )
        pieces: list[pl.Series | str] = []
        for literal, name, _spec, _conversion in string.Formatter().parse(template):
            if literal:
                pieces.append(literal)
            if name is not None:
                pieces.append(shown[name])
        return _concat_text(pieces, len(rows))

    @cached_property
    def containers(self) -> FrameContainers:
        """The container units in rank order, for :func:`riskprofile.select`: a sequence
        that makes each :class:`FrameContainer` when it is asked for."""
        return FrameContainers(self.container_table, self.scale)

    def __repr__(self) -> str:
        counts = self.container_table["lane"].value_counts()
        by_lane = dict(zip(counts["lane"].to_list(), counts["count"].to_list(), strict=True))
        shown = ", ".join(f"{by_lane[lane]} {lane}" for lane in LANES if by_lane.get(lane))
        return (
            f"<FrameRun {len(self)} containers ({shown or 'none'}), "
            f"{len(self.fingerprints)} profiles, as of {self.as_of.isoformat()}>"
        )

    def _repr_html_(self) -> str:
        from riskprofile.output import frame_run_html

        return frame_run_html(self)

    def to_polars(self, table: Literal["containers", "hits"] = "containers") -> pl.DataFrame:
        """The run's ``container_table`` (without its internal ``points``) or its
        ``hit_table``, as they are: no Python row per container. :meth:`explained_hits`
        adds the officers' explanations to the hits."""
        from riskprofile.output import table_frame

        frame: pl.DataFrame = table_frame(self, None, table, "polars")
        return frame

    def to_pandas(self, table: Literal["containers", "hits"] = "containers") -> Any:
        """As :meth:`to_polars`, converted to a pandas DataFrame (needs pandas and
        pyarrow)."""
        from riskprofile.output import table_frame

        return table_frame(self, None, table, "pandas")


def outcome_notes(outcomes: Iterable[ProfileOutcome]) -> list[str]:
    """A shipment's notes from its profiles' outcomes, worded as
    :class:`~riskprofile.scoring.ScoringRun` words them: each exception that could not be
    evaluated, then (unless an exception suppressed the profile) each indicator."""
    notes: list[str] = []
    for outcome in outcomes:
        profile = outcome.profile
        notes.extend(f"{profile.id}: {p}" for p in outcome.exception_problems)
        if outcome.excepted_by is not None:
            continue
        for indicator, result in zip(profile.indicators, outcome.results, strict=True):
            if result.problem is not None:
                notes.append(f"{profile.id}/{indicator.id}: {result.problem}")
    return notes


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


def _row_of(values: Mapping[str, list[Any]], index: int) -> Callable[[str], Any]:
    """A row's value of each field, from columns gathered as Python lists."""
    return lambda name: values[name][index]


def _date_fields() -> frozenset[str]:
    from riskprofile.model.shipment import field_catalogue

    return frozenset(f.name for f in field_catalogue() if f.type == "date")


_DATES = _date_fields()


def _as_record_type(name: str, value: Any) -> Any:
    """A frame value as the :class:`Shipment` holds it (dates are dates there)."""
    if name in _DATES and isinstance(value, dt.datetime):
        return value.date()
    return value


def _shown(name: str, values: pl.Series) -> pl.Series:
    """``show_value`` of each value of a frame column (dates as the Shipment holds them),
    worded once per distinct value; floats each time (``-0.0`` equals ``0.0`` but is shown
    ``-0``)."""
    if values.dtype == pl.Float64 or values.dtype == pl.Float32:
        return pl.Series(name, [show_value(v) for v in values.to_list()], dtype=pl.String)
    groups = (
        values.alias("value")
        .to_frame()
        .with_row_index("place")
        .group_by("value", maintain_order=True)
        .agg("place")
    )
    words = [show_value(_as_record_type(name, v)) for v in groups.get_column("value").to_list()]
    return (
        groups.select(pl.Series("text", words, dtype=pl.String), "place")
        .explode("place")
        .sort("place")
        .get_column("text")
        .alias(name)
    )


def _concat_text(pieces: Sequence[pl.Series | str], height: int) -> pl.Series:
    """Literal texts and text columns (no nulls) joined row by row."""
    columns = {f"c{i}": p for i, p in enumerate(pieces) if isinstance(p, pl.Series)}
    exprs = [
        pl.lit(p, pl.String) if isinstance(p, str) else pl.col(f"c{i}")
        for i, p in enumerate(pieces)
    ]
    frame = pl.DataFrame(columns) if columns else pl.DataFrame({"_": [0] * height})
    return frame.select(pl.concat_str(exprs).alias("explanation")).to_series()


def _lane_expr(severity: pl.Expr) -> pl.Expr:
    return severity.replace_strict(list(range(len(LANES))), list(LANES), return_dtype=pl.String)


def score_frame(
    frame: pl.DataFrame | FrameSource,
    profiles: Iterable[CompiledProfile],
    *,
    as_of: AsOf,
    include_drafts: bool = False,
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

    Raises:
        NoProfilesError: no profile takes part (as :func:`riskprofile.score`).
        DataError: ``frame`` is not a shipment frame.
    """
    batch: FrameSource | None = None
    if not isinstance(frame, pl.DataFrame):
        batch, frame = frame, frame.frame
    _check_frame(frame)
    when = as_of_datetime(as_of)
    profile_list, skipped = applicable_profiles(profiles, when, include_drafts)
    require_profiles(profile_list, skipped, when)
    scale = _scale(profile_list)
    masks = _all_masks(frame, profile_list, when)
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
            _unit_key().alias("key"),
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
    )
    # Every column aggregated is the same for any order of the group's rows, and the
    # ranking ends on the unique key. Units in order of first appearance all the same:
    # a frame read as manifests list their containers comes nearly in key order, which
    # the key sort then finds (1M shipments: 0.65 s -> 0.41 s for roll-up and ranking;
    # no slower on a shuffled frame).
    grouped = scored.group_by("key", maintain_order=True).agg(
        pl.col("container_number").first(),
        pl.col("points").max(),
        pl.col("severity").min(),
        pl.col("forced_severity").min(),
        pl.col("hit_count").sum(),
        pl.len().alias("shipment_count"),
    )
    containers, key_order = _ranked(grouped)
    unit = Decimal(1).scaleb(-scale)

    def decimal_score(points: pl.Expr) -> pl.Expr:
        if scale == 0:  # whole weights: the points are the score
            return points.cast(pl.Decimal(38, 0))
        return (points.cast(pl.Decimal(38, scale)) * pl.lit(unit, pl.Decimal(38, scale))).cast(
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
    )
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
    )


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


def _check_frame(frame: pl.DataFrame) -> None:
    """A frame that is not a shipment frame is refused, naming the columns at fault."""
    problems = []
    for name, dtype in frame_schema().items():
        if name not in frame.schema:
            problems.append(f"column {name!r} is missing")
        elif frame.schema[name] != dtype:
            problems.append(f"column {name!r} is {frame.schema[name]}, not {dtype}")
    if problems:
        raise DataError(
            "not a shipment frame (build it with read_frame or shipment_frame): "
            + "; ".join(problems)
        )


def _unit_key() -> pl.Expr:
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
    that counts the same fact where this one does not."""
    schema: dict[str, Any] = {
        "row": pl.UInt32, "key": pl.String, "shipment_id": pl.String, "profile_id": pl.String,
        "profile_version": pl.Int64, "indicator_id": pl.String, "weight": pl.Decimal(38, 9),
        "forced_lane": pl.String, "counted_in": pl.String,
    }  # fmt: skip
    parts = []
    for n, (column, (profile, ind)) in enumerate(zip(effective.columns, hit_of, strict=True)):
        rows = effective[column].arg_true()
        if len(rows):
            parts.append(
                pl.DataFrame({"row": rows.cast(pl.UInt32)}).with_columns(
                    pl.lit(profile.id, pl.String).alias("profile_id"),
                    pl.lit(profile.version, pl.Int64).alias("profile_version"),
                    pl.lit(ind.id, pl.String).alias("indicator_id"),
                    pl.lit(ind.weight, pl.Decimal(38, 9)).alias("weight"),
                    pl.lit(ind.indicator.lane, pl.String).alias("forced_lane"),
                    counted_in.get_column(f"c{n}").gather(rows).alias("counted_in"),
                )
            )
    if not parts:
        return pl.DataFrame(schema=schema)
    hits = pl.concat(parts, how="vertical").sort("row", maintain_order=True)
    return hits.with_columns(
        scored["key"].gather(hits["row"]).alias("key"),
        scored["shipment_id"].gather(hits["row"]).alias("shipment_id"),
    ).select(*schema)
