"""A column-wise run, what :func:`~riskprofile.engines.columnar.score_frame` returns
(:class:`FrameRun`: the hit, profile and container tables, the ranking, the batch's
source and rejected records, notes and explanations worded as the row-wise run words
them) and its containers as objects on demand (:class:`FrameContainers`,
:class:`FrameContainer`).

The engine builds the tables; this module holds them and reads them. It imports no
engine: the notes are worded by the engine the run was given as its reference
(:attr:`FrameRun.reference`, the row-wise engine for the runs of
:func:`~riskprofile.engines.columnar.score_frame`).
"""

from __future__ import annotations

import datetime as dt
import string
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, overload

import polars as pl

from riskprofile._parallel import each_at_once
from riskprofile.model.frame import shipments_of_frame
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import (
    CompiledIndicator,
    CompiledProfile,
    describe_counted_in,
    render_explanation,
)
from riskprofile.profiles.shared import explanation_fields, explanation_quotes, show_value
from riskprofile.rules import LANES, Lane

if TYPE_CHECKING:
    from riskprofile.engines import Engine, ProfileOutcome
    from riskprofile.io import RejectedRecord
    from riskprofile.io.edifact import StowplanCheck

__all__ = ["FrameContainer", "FrameContainers", "FrameRun", "outcome_notes"]

# Up to this many hits, explaining gathers from the frame's columns as they are (see
# FrameRun.explained_hits).
_FEW_HITS = 256


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
    """A scoring run computed column-wise
    (:func:`~riskprofile.engines.columnar.score_frame`, which builds its tables).

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
            :class:`~riskprofile.scoring.ScoringRun`, when ``score_frame`` was given
            the :class:`~riskprofile.io.FrameBatch` of :func:`~riskprofile.io.read_frame`
            (None, None, ``()`` and ``"record"`` for a bare frame).
        profiles: the profiles that took part, sorted by id.
        problem_rows: the frame's rows (from 0) on which some condition could not be
            evaluated: the only rows that can carry notes (:attr:`notes`).
        fired_table: the units each profile fired on (``key``, ``profile_id``): a lane
            other than green, or a hit that forces one, on any of the unit's shipments
            (:attr:`ProfileScore.fired <riskprofile.results.ProfileScore.fired>`), which
            evaluation counts per profile.
        shipment_ranks: each shipment's unit's ``rank`` in :attr:`container_table`, in
            the frame's order (Int64), as the roll-up grouped them; None: the outputs
            find it by the unit ``key``.
        stowplan: what joining a stow plan found, as in
            :class:`~riskprofile.scoring.ScoringRun` (set by the caller that joined it).
        reference: the engine that words the :attr:`notes` by evaluating the rows with
            problems again (:mod:`riskprofile.engines.rowwise`, the reference, for the
            runs of :func:`~riskprofile.engines.columnar.score_frame`); None: a run with
            problem rows cannot word its notes (:attr:`notes` raises).

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
    fired_table: pl.DataFrame | None = field(default=None, repr=False, compare=False)
    shipment_ranks: pl.Series | None = field(default=None, repr=False, compare=False)
    stowplan: StowplanCheck | None = None
    reference: Engine | None = field(default=None, repr=False, compare=False)

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
        usually few) are evaluated again, by the :attr:`reference` engine, for the
        wording.
        """
        rows: list[int] = [] if self.problem_rows is None else self.problem_rows.to_list()
        found_rows: list[int] = []
        found: list[list[str]] = []
        if rows and self.frame is not None:
            if self.reference is None:
                raise ValueError(
                    f"this FrameRun has {len(rows)} rows with problems and no reference "
                    "engine to word their notes (FrameRun.reference)"
                )
            shipments = shipments_of_frame(self.frame[rows])
            outcomes = self.reference.evaluate(shipments, self.profiles, self.as_of)
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
        made = threading.Lock()

        def column(name: str) -> pl.Series:
            # Gathering from a list column in several chunks costs a copy each time; many
            # rows from any column in several chunks (a frame read slice by slice) are
            # gathered several times slower than from one. Such a column is put in one
            # chunk once (a text column's 16-byte views are copied, not its texts), unless
            # the hits are few (the units a list shows) and it holds no lists. The
            # indicators are explained side by side: one copy per column, under a lock.
            with made:
                if name not in columns:
                    assert self.frame is not None
                    values = self.frame.get_column(name)
                    many = hits.height > _FEW_HITS or isinstance(values.dtype, pl.List)
                    if values.n_chunks() > 1 and many:
                        values = values.rechunk()
                    columns[name] = values
                return columns[name]

        def explain(item: tuple[tuple[Any, ...], pl.DataFrame]) -> pl.DataFrame:
            ident, group = item
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
            return group.select(
                "position",
                pl.lit(indicator.indicator.title, pl.String).alias("title"),
                text.alias("explanation"),
            )

        # Each indicator's hits on their own (the frame is only read), side by side.
        parts = each_at_once(explain, groups.items())
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
    """``show_value`` of each value of a frame column (dates as the Shipment holds them).

    Texts, whole numbers, Booleans and lists of texts are worded column-wise, as
    ``show_value`` words them (a text as it is, None "unknown", a list's items joined by
    ", " or "none"); the other values once per distinct value (floats too when they
    repeat: :func:`_shown_floats`)."""
    value = pl.lit(values)
    dtype = values.dtype
    words: pl.Expr | None = None
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        words = value.cast(pl.String)
    elif dtype == pl.Boolean:
        words = pl.when(value).then(pl.lit("yes")).when(~value).then(pl.lit("no"))
    elif dtype.is_integer():
        words = value.cast(pl.String)
    elif dtype == pl.List(pl.String):
        joined = value.list.eval(pl.element().fill_null("unknown")).list.join(", ")
        words = pl.when(joined == "").then(pl.lit("none")).otherwise(joined)
    if words is not None:
        return pl.select(words.fill_null("unknown").alias(name)).to_series()
    if values.dtype == pl.Float64 or values.dtype == pl.Float32:
        return _shown_floats(name, values)
    groups = (
        values.alias("value")
        .to_frame()
        .with_row_index("place")
        .group_by("value", maintain_order=True)
        .agg("place")
    )
    texts = [show_value(_as_record_type(name, v)) for v in groups.get_column("value").to_list()]
    return (
        groups.select(pl.Series("text", texts, dtype=pl.String), "place")
        .explode("place")
        .sort("place")
        .get_column("text")
        .alias(name)
    )


def _shown_floats(name: str, values: pl.Series) -> pl.Series:
    """``show_value`` of each float: once per distinct value when they repeat (at most
    one distinct value in two), but for zeros and NaNs, worded row by row (``-0.0``
    equals ``0.0`` and is shown ``-0``; a NaN equals nothing); else row by row (a
    mapping of as many values as rows costs more than the calls it spares)."""
    special = ((values == 0) | values.is_nan()).fill_null(False)
    plain = values.filter(~special).drop_nulls().unique()
    if 2 * len(plain) > len(values) - values.null_count():
        return pl.Series(name, [show_value(v) for v in values.to_list()], dtype=pl.String)
    if len(plain):
        distinct = plain.to_list()
        words = [show_value(v) for v in distinct]
        text = values.replace_strict(distinct, words, default=None, return_dtype=pl.String)
    else:
        text = pl.repeat(None, len(values), dtype=pl.String, eager=True)
    if special.any():
        at = special.arg_true()
        shown = [show_value(v) for v in values.gather(at).to_list()]
        text = text.scatter(at, pl.Series(shown, dtype=pl.String))
    return text.fill_null("unknown").alias(name)


def _concat_text(pieces: Sequence[pl.Series | str], height: int) -> pl.Series:
    """Literal texts and text columns (no nulls) joined row by row."""
    columns = {f"c{i}": p for i, p in enumerate(pieces) if isinstance(p, pl.Series)}
    exprs = [
        pl.lit(p, pl.String) if isinstance(p, str) else pl.col(f"c{i}")
        for i, p in enumerate(pieces)
    ]
    frame = pl.DataFrame(columns) if columns else pl.DataFrame({"_": [0] * height})
    return frame.select(pl.concat_str(exprs).alias("explanation")).to_series()
