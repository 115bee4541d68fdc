"""Selection: which containers to inspect today, under the port's real capacity.

Lanes are actions: red (physical examination) and yellow (scanner, non-intrusive
inspection) take an officer and the equipment; blue (documentary check, post-clearance
audit) takes a desk. The capacity is the number of **physical** inspections by default:
blue containers do not fill it, and are listed apart (``Selection.documentary``).

The order follows ASYCUDA's practice:

1. **Forced** containers first (a hit that forces red or yellow): always selected, even
   beyond capacity; when they alone exceed it, the selection says so.
2. **Control**: a seeded random sample, at ``control_rate`` of the batch, of the
   containers not selected by force or by score, whatever their lane, labelled
   ``control``: the only unbiased measure of how often unselected containers are
   non-compliant. It is drawn **within** the capacity by default (capacity 7 with one
   forced container and a sample of 3 leaves 3 for the score), or on top of it
   (``control_on_top=True``).
3. **Score**: the rest of the ranked list (:func:`riskprofile.rules.rank_key`) fills
   what remains, highest score first, red and yellow containers only (and blue when the
   capacity names it), green never.

Capacity is a count (``30``) or a share of the batch (``"3%"``, rounded down, at least
one when the share is above zero), overall or per lane (``{"red": 20, "yellow": "5%"}``;
on the command line ``red=20,yellow=5%``). Every red or yellow container not selected is
listed in ``left_out``.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from riskprofile.errors import ArgumentError
from riskprofile.io import RejectedRecord
from riskprofile.results import RankedRun
from riskprofile.rules import LANES, Lane, RankedContainer

__all__ = [
    "PHYSICAL_LANES",
    "Capacity",
    "ManualReview",
    "Selected",
    "Selection",
    "capacity_from_text",
    "check_selection",
    "parse_capacity",
    "select",
]

Capacity = int | str | Mapping[str, int | str]
Reason = Literal["forced", "score", "control"]
PHYSICAL_LANES: tuple[Lane, ...] = ("red", "yellow")
"""The lanes that take a physical inspection (examination, scanner): what an overall
capacity is filled from by default."""


@dataclass(frozen=True, slots=True)
class Selected:
    """A container picked for inspection, why, and its place in the list (from 1)."""

    rank: int
    reason: Reason
    container: RankedContainer


@dataclass(frozen=True, slots=True)
class ManualReview:
    """A unit that was not scored, because records of it were rejected (strict mode, or
    a record that could not be read): on the list for an officer to review by hand.

    Attributes:
        container_number: the container, when the records name one.
        bl_numbers: the bills of lading the records name.
        records: where the rejected records are in the file (line, row or manifest).
        reasons: why each was rejected.
        partly_scored: other records of the same container were scored: it is on the
            ranked list too, scored without the rejected ones.
    """

    container_number: str | None
    bl_numbers: tuple[str, ...]
    records: tuple[int, ...]
    reasons: tuple[str, ...]
    partly_scored: bool = False


@dataclass(frozen=True)
class Selection:
    """The inspection list of a scoring run.

    Attributes:
        selected: in inspection order: forced, then by score, then the control sample.
        left_out: containers of the lanes the capacity covers (red and yellow; blue too
            when the capacity names it) not selected, in rank order: what the capacity
            could not cover.
        documentary: blue containers (documentary check, post-clearance audit) when the
            capacity does not cover blue, in rank order: listed apart, not inspected
            physically unless drawn for the control sample.
        capacity: the number of inspections allowed (overall, or the sum of the lanes').
        control_rate, seed: the control sample's share of the batch and its seed.
        control_on_top: whether the control sample came on top of the capacity (by
            default it is drawn within it).
        lanes: the lanes the capacity is filled from by score.
        quotas: the inspections per lane of a per-lane capacity (None for an overall one).
        manual_review: the units not scored because records of them were rejected
            (``not_scored``): "not scored: manual review", outside the capacity.
        warnings: e.g. forced containers exceeding capacity, a control sample cut short.
    """

    run: RankedRun
    selected: tuple[Selected, ...]
    left_out: tuple[RankedContainer, ...]
    capacity: int
    control_rate: float
    seed: int | None
    warnings: tuple[str, ...]
    documentary: tuple[RankedContainer, ...] = ()
    control_on_top: bool = False
    lanes: tuple[Lane, ...] = PHYSICAL_LANES
    quotas: Mapping[Lane, int] | None = None
    manual_review: tuple[ManualReview, ...] = ()

    @property
    def over_capacity(self) -> int:
        """How many forced containers exceed the capacity (0 when they fit)."""
        forced = sum(1 for s in self.selected if s.reason == "forced")
        return max(0, forced - self.capacity)

    @property
    def unused_capacity(self) -> int:
        """Inspections of the capacity left unused: there was no other container of the
        lanes it covers (the control sample counts in it unless drawn on top)."""
        used = self.count("forced") + self.count("score")
        if not self.control_on_top:
            used += self.count("control")
        return max(0, self.capacity - used)

    def count(self, reason: Reason) -> int:
        """How many containers were selected for ``reason``."""
        return sum(1 for s in self.selected if s.reason == reason)

    def _repr_html_(self) -> str:
        from riskprofile.output import selection_html

        return selection_html(self)

    def __repr__(self) -> str:
        reasons = {r: sum(1 for s in self.selected if s.reason == r)
                   for r in ("forced", "score", "control")}  # fmt: skip
        shown = ", ".join(f"{n} {r}" for r, n in reasons.items() if n)
        warned = f", {len(self.warnings)} warnings" if self.warnings else ""
        return (
            f"<Selection {len(self.selected)} of {len(self.run)} containers "
            f"({shown or 'none'}), capacity {self.capacity}, {len(self.left_out)} left out"
            f"{warned}>"
        )

    def to_pandas(self, table: Literal["containers", "hits"] = "containers") -> Any:
        """A table of the run with this selection, as a pandas DataFrame (needs pandas).

        ``"containers"``: every container, the selected ones first in inspection order
        (``selected`` true, ``reason`` forced/score/control), then the others in rank
        order, as :func:`riskprofile.output.write_output` writes them; ``"hits"``: one
        row per hit. ``selection.to_pandas().query("selected")`` is the inspection list.
        """
        from riskprofile.output import table_frame

        return table_frame(self.run, self, table, "pandas")

    def to_polars(self, table: Literal["containers", "hits"] = "containers") -> Any:
        """As :meth:`to_pandas`, a polars DataFrame (needs polars). For a column-wise run
        it is the run's own container table with the selection joined: no Python row per
        container."""
        from riskprofile.output import table_frame

        return table_frame(self.run, self, table, "polars")


_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def parse_capacity(value: int | str, total: int) -> int:
    """A count or a percentage of ``total`` (``"3%"``: rounded down, at least 1 when the
    share is above zero and there is anything to inspect)."""
    if isinstance(value, bool):
        raise ArgumentError(
            f"capacity must be a count or a percentage, not {value!r}",
            argument="capacity",
            value=value,
        )
    if isinstance(value, int):
        if value < 0:
            raise ArgumentError(
                f"capacity must not be negative: {value}", argument="capacity", value=value
            )
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _PERCENT.match(text)
    if not match:
        raise ArgumentError(
            f"capacity must be a count (30) or a percentage (3%), not {value!r}",
            argument="capacity",
            value=value,
        )
    share = Decimal(match.group(1))
    if share > 100:
        raise ArgumentError(
            f"capacity percentage above 100: {value!r}", argument="capacity", value=value
        )
    count = math.floor(share * total / 100)
    return max(count, 1) if share > 0 and total > 0 else count


def capacity_from_text(text: str) -> Capacity:
    """A capacity as the command line writes it: a count (``30``), a share (``3%``), or
    quotas per lane (``red=2,yellow=5%``, lanes red, yellow and blue).

    Raises ValueError naming the part at fault.
    """
    if "=" not in text:
        return text.strip()
    quotas: dict[str, str] = {}
    for part in text.split(","):
        lane, sep, value = part.partition("=")
        lane = lane.strip().lower()
        if not sep or not value.strip():
            raise ValueError(f"capacity per lane is written lane=quota (red=2), not {part!r}")
        if lane not in LANES or lane == "green":
            raise ValueError(f"capacity per lane takes red, yellow or blue, not {lane!r}")
        if lane in quotas:
            raise ValueError(f"capacity names the {lane} lane twice")
        parse_capacity(value.strip(), 100)  # its own error names the value
        quotas[lane] = value.strip()
    return quotas


def _rate_decimal(value: float | str) -> Decimal:
    if isinstance(value, str):
        match = _PERCENT.match(value)
        return Decimal(match.group(1)) / 100 if match else Decimal(value.strip())
    return Decimal(str(value))


def _rate(value: float | str) -> float:
    try:
        if isinstance(value, str):
            match = _PERCENT.match(value)
            rate = float(match.group(1)) / 100 if match else float(value)
        else:
            rate = float(value)
    except (TypeError, ValueError):
        rate = math.nan  # not a number: refused below, in the same words
    if not 0 <= rate <= 1:
        raise ValueError(f"control rate must be between 0 and 1 (or 0% and 100%): {value!r}")
    return rate


def check_selection(
    capacity: Capacity,
    *,
    control_rate: float | str = 0.0,
    seed: int | None = None,
    lanes: Iterable[Lane] = PHYSICAL_LANES,
) -> None:
    """Raise the :class:`ValueError` that :func:`select` would raise for these arguments,
    without a run: none of them depends on the batch, so a command line checks them
    before it reads anything.

    >>> check_selection("3%", control_rate="1%", seed=1)
    >>> check_selection("3%", control_rate="1%")
    Traceback (most recent call last):
    ValueError: a control sample needs an explicit seed (reproducibility)
    """
    rate = _rate(control_rate)
    if rate > 0 and seed is None:
        raise ValueError("a control sample needs an explicit seed (reproducibility)")
    _quotas(capacity, 0, lanes)


def _quotas(
    capacity: Capacity, total: int, lanes: Iterable[Lane]
) -> tuple[dict[Lane, int] | None, int, tuple[Lane, ...]]:
    """Per-lane quotas (None for an overall count), the limit, and the lanes filled."""
    if isinstance(capacity, Mapping):
        quotas: dict[Lane, int] = {}
        for lane, value in capacity.items():
            if lane not in LANES or lane == "green":
                raise ValueError(f"capacity per lane takes red, yellow or blue, not {lane!r}")
            quotas[lane] = parse_capacity(value, total)
        return quotas, sum(quotas.values()), tuple(q for q in LANES if q in quotas)
    named = tuple(lanes)
    if not named or any(lane not in LANES or lane == "green" for lane in named):
        raise ValueError(f"capacity lanes are red, yellow or blue, not {named!r}")
    chosen = tuple(lane for lane in LANES if lane in named)
    return None, parse_capacity(capacity, total), chosen


def select(
    run: RankedRun,
    *,
    capacity: Capacity,
    control_rate: float | str = 0.0,
    seed: int | None = None,
    control_on_top: bool = False,
    lanes: Iterable[Lane] = PHYSICAL_LANES,
    not_scored: Iterable[RejectedRecord] = (),
) -> Selection:
    """Pick the containers to inspect.

    Args:
        run: a scoring run (:func:`riskprofile.score`), or a column-wise run
            (:func:`riskprofile.engines.columnar.score_frame`): the same ranking gives
            the same selection.
        capacity: inspections available: a count, a percentage of the batch (``"3%"``),
            or per lane (``{"red": 20, "yellow": "5%"}``: each lane's quota is filled
            from containers in that lane; lanes not named get none by score).
        control_rate: share of the batch to sample at random among containers not
            selected (``0.01`` or ``"1%"``).
        seed: the control sample's random seed; required when ``control_rate`` > 0, so
            that the same seed gives the same sample.
        control_on_top: draw the control sample on top of the capacity; by default it
            is drawn within it (and cut short, with a warning, when forced containers
            leave no room for it).
        lanes: the lanes an overall capacity is filled from by score: the physical
            ones (red, yellow) by default; add ``"blue"`` to count documentary checks
            in the same capacity.
        not_scored: the records the batch rejected (``batch.rejected``): their units
            are listed for manual review (:class:`ManualReview`), outside the capacity,
            so that a unit dropped by strict reading is never dropped silently.

    For example ``select(run, capacity={"red": 2, "yellow": "5%"}, control_rate="1%",
    seed=1)``.
    """
    check_selection(capacity, control_rate=control_rate, seed=seed, lanes=lanes)
    # A ScoringRun scored column-wise is ranked from its tables, and makes only the
    # containers the selection holds.
    tables: RankedRun | None = getattr(run, "frame_run", None)
    frame_run = run if tables is None else tables  # (an empty run is falsy)
    ranked = _ranked_view(frame_run)
    total = ranked.total
    rate = _rate(control_rate)
    quotas, limit, filled = _quotas(capacity, total, lanes)
    forced = len(ranked.forced)

    # Positions in the ranked list; objects are made only for what the selection holds.
    chosen: list[tuple[Reason, int]] = [("forced", i) for i in ranked.forced]
    taken = set(ranked.forced)
    warnings = []
    if forced > limit:
        warnings.append(
            f"{forced} containers are forced to inspection, more than the "
            f"capacity of {limit}: all are selected ({forced - limit} over capacity)"
        )
    wanted = 0
    if rate > 0:
        # Decimal, so that "29%" of 50 is exactly 14.5 and rounds half up to 15.
        exact = _rate_decimal(control_rate) * total
        wanted = min(total - forced, int(exact.to_integral_value(rounding=ROUND_HALF_UP)))
    control = wanted
    if not control_on_top and wanted > max(0, limit - forced):
        control = max(0, limit - forced)
        warnings.append(
            f"the control sample is cut from {wanted} to {control}: "
            + (
                f"{forced} forced container{'s leave' if forced > 1 else ' leaves'} "
                if forced
                else "the capacity leaves "
            )
            + f"room for {control} within the capacity of {limit}"
        )
    used: dict[Lane, int] = dict.fromkeys(quotas or (), 0)
    if quotas is not None:
        for lane in ranked.forced_lanes:
            if lane in used:
                used[lane] += 1
    # Forced containers use the capacity first, whatever their lane, then the control
    # sample (unless on top): the rest of the list fills what remains, within each
    # lane's quota.
    budget = max(0, limit - forced - (0 if control_on_top else control))
    for i, lane in zip(ranked.candidates, ranked.candidate_lanes, strict=True):
        if budget == 0:
            break
        if i in taken or lane not in filled:
            continue
        if quotas is not None:
            if used[lane] >= quotas[lane]:
                continue
            used[lane] += 1
        budget -= 1
        chosen.append(("score", i))
        taken.add(i)
    if control > 0:
        pool = total - len(taken)
        size = min(pool, control)
        # The sample is random.Random(seed).sample(keys, size) of the pool's keys in text
        # order, listed in key order: drawn here as places in that order (the same draws),
        # so that only the containers drawn are looked up. A sample for quality control,
        # not security: reproducible from its seed.
        places = random.Random(seed).sample(range(pool), size)  # noqa: S311
        drawn = ranked.in_key_order(taken, sorted(places))
        chosen.extend(("control", i) for i in drawn)
        taken.update(drawn)
    rest = [
        (i, lane)
        for i, lane in zip(ranked.candidates, ranked.candidate_lanes, strict=True)
        if i not in taken
    ]
    left_out = _take(run, [i for i, lane in rest if lane in filled or lane != "blue"])
    documentary = _take(run, [i for i, lane in rest if lane not in filled and lane == "blue"])
    picked_containers = _take(run, [i for _, i in chosen])
    selected = tuple(
        Selected(rank, reason, c)
        for rank, ((reason, _), c) in enumerate(zip(chosen, picked_containers, strict=True), 1)
    )
    return Selection(
        run, selected, left_out, limit, rate, seed, tuple(warnings),
        documentary=documentary, control_on_top=control_on_top, lanes=filled, quotas=quotas,
        manual_review=_manual_review(frame_run, not_scored),
    )  # fmt: skip


def _manual_review(run: RankedRun, rejected: Iterable[RejectedRecord]) -> tuple[ManualReview, ...]:
    """The units of rejected records: one per container they name; a record that names
    only bills of lading joins the containers of those B/Ls (among the rejected records,
    else among the containers the run scored: that container is then partly scored), or
    stands alone."""
    by_box: dict[str, list[RejectedRecord]] = {}
    loose: list[RejectedRecord] = []
    for record in rejected:
        for number in record.container_numbers:
            by_box.setdefault(number, []).append(record)
        if not record.container_numbers:
            loose.append(record)
    alone: dict[tuple[str, ...], list[RejectedRecord]] = {}
    for record in loose:
        homes = [n for n, rs in by_box.items() if set(record.bl_numbers) & _bls(rs)]
        if not homes and record.bl_numbers:
            homes = _containers_of_bls(run, set(record.bl_numbers))
        for number in homes:
            by_box.setdefault(number, [])
            by_box[number].append(record)
        if not homes:
            alone.setdefault(record.bl_numbers or (f"record {record.record}",), []).append(record)
    scored = _scored_numbers(run, list(by_box))
    units = [_unit(number, records, number in scored) for number, records in by_box.items()]
    units += [_unit(None, records, False) for records in alone.values()]
    return tuple(sorted(units, key=lambda u: (u.container_number or "", u.bl_numbers, u.records)))


def _containers_of_bls(run: RankedRun, bls: set[str]) -> list[str]:
    """The numbers of the scored containers that carry any of these bills of lading."""
    frame = getattr(run, "frame", None)
    if frame is not None:  # a column-wise run keeps its shipment frame
        rows = frame.filter(frame["bl_number"].is_in(sorted(bls)))
        numbers = rows.get_column("container_number").drop_nulls().to_list()
        return sorted(set(map(str, numbers)))
    return sorted(
        {
            str(c.container_number)
            for c in run.containers
            if c.container_number and set(getattr(c, "bl_numbers", ())) & bls
        }
    )


def _bls(records: Iterable[RejectedRecord]) -> set[str]:
    return {bl for r in records for bl in r.bl_numbers}


def _unit(number: str | None, records: list[RejectedRecord], scored: bool) -> ManualReview:
    records = sorted(records, key=lambda r: r.record)
    return ManualReview(
        number,
        tuple(dict.fromkeys(bl for r in records for bl in r.bl_numbers)),
        tuple(r.record for r in records),
        tuple(r.reason for r in records),
        scored,
    )


def _scored_numbers(run: RankedRun, numbers: list[str]) -> set[str]:
    """Which of these container numbers the run scored."""
    if not numbers:
        return set()
    table = getattr(run, "container_table", None)
    if table is not None:
        column = table.get_column("container_number")
        return {str(n) for n in column.filter(column.is_in(numbers)).to_list()}
    return {c.container_number for c in run.containers if c.container_number} & set(numbers)


def _take(run: RankedRun, positions: list[int]) -> tuple[Any, ...]:
    """The run's containers at these places of the ranking, made in one go where the
    run keeps tables (a ScoringRun scored column-wise, a FrameRun)."""
    containers_at = getattr(run, "containers_at", None)
    if containers_at is not None:
        return tuple(containers_at(positions))
    containers: Sequence[RankedContainer] = run.containers
    take = getattr(containers, "take", None)
    if take is not None:
        return tuple(take(positions))
    return tuple(containers[i] for i in positions)


@dataclass(frozen=True)
class _RankedView:
    """What selection reads of a ranked run, by position in the ranking (from 0):
    the forced containers and the non-green ones (candidates), with their lanes, and
    ``in_key_order(taken, places)``: the containers not taken at these places (from 0,
    ascending) of their key order."""

    total: int
    forced: list[int]
    forced_lanes: list[Lane]
    candidates: list[int]
    candidate_lanes: list[Lane]
    in_key_order: Callable[[set[int], list[int]], list[int]]


def _ranked_view(run: RankedRun) -> _RankedView:
    table = getattr(run, "container_table", None)
    if table is not None:
        return _frame_view(table, getattr(run, "key_order", None))
    containers = run.containers
    keys = [c.key for c in containers]
    lanes = [c.lane for c in containers]
    forced = [i for i, c in enumerate(containers) if c.forced_lane is not None]
    candidates = [i for i, lane in enumerate(lanes) if lane != "green"]

    def in_key_order(taken: set[int], places: list[int]) -> list[int]:
        pool = sorted((i for i in range(len(keys)) if i not in taken), key=keys.__getitem__)
        return [pool[p] for p in places]

    return _RankedView(
        len(keys),
        forced,
        [lanes[i] for i in forced],
        candidates,
        [lanes[i] for i in candidates],
        in_key_order,
    )


def _frame_view(table: Any, key_order: Any) -> _RankedView:
    """A column-wise run's view, read from its container table without one object (or
    one Python string) per container."""
    import polars as pl

    lane = table.get_column("lane")
    forced = table.get_column("forced_lane").is_not_null().arg_true()
    candidates = (lane != "green").arg_true()

    def in_key_order(taken: set[int], places: list[int]) -> list[int]:
        order = key_order
        if order is None:
            by_key = table.select("key").with_row_index("row")
            order = by_key.sort("key", multithreaded=False).get_column("row")
        taken_mask = pl.repeat(False, table.height, dtype=pl.Boolean, eager=True)
        if taken:
            taken_mask = taken_mask.scatter(sorted(taken), True)
        pool = order.filter(~taken_mask.gather(order))
        return [int(i) for i in pool.gather(places).to_list()]

    return _RankedView(
        table.height,
        forced.to_list(),
        lane.gather(forced).to_list(),
        candidates.to_list(),
        lane.gather(candidates).to_list(),
        in_key_order,
    )
