"""Selection: which containers to inspect today, under the port's real capacity.

The order follows ASYCUDA's practice:

1. **Forced** containers first (a hit that forces red or yellow): always selected, even
   beyond capacity; when they alone exceed it, the selection says so.
2. **Score**: the rest of the ranked list (:func:`riskprofile.scoring.rank_key`) fills
   the remaining capacity, highest score first, green containers never.
3. **Control**: a seeded random sample of the containers not selected above, at
   ``control_rate`` of the batch, labelled ``control``: the only unbiased measure of how
   often unselected containers are non-compliant.

Capacity is a count (``30``) or a share of the batch (``"3%"``, rounded down, at least
one when the share is above zero), overall or per lane (``{"red": 20, "yellow": "5%"}``).
Every container with a non-green lane that is not selected is listed in ``left_out``.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from riskprofile.scoring import LANES, Lane, RankedContainer, RankedRun

__all__ = ["Capacity", "Selected", "Selection", "parse_capacity", "select"]

Capacity = int | str | Mapping[str, int | str]
Reason = Literal["forced", "score", "control"]


@dataclass(frozen=True, slots=True)
class Selected:
    """A container picked for inspection, why, and its place in the list (from 1)."""

    rank: int
    reason: Reason
    container: RankedContainer


@dataclass(frozen=True)
class Selection:
    """The inspection list of a scoring run.

    Attributes:
        selected: in inspection order: forced, then by score, then the control sample.
        left_out: non-green containers not selected, in rank order (capacity ran out).
        capacity: the number of inspections allowed (overall, or the sum of the lanes').
        control_rate, seed: the control sample's share of the batch and its seed.
        warnings: e.g. forced containers exceeding capacity.
    """

    run: RankedRun
    selected: tuple[Selected, ...]
    left_out: tuple[RankedContainer, ...]
    capacity: int
    control_rate: float
    seed: int | None
    warnings: tuple[str, ...]

    @property
    def over_capacity(self) -> int:
        """How many forced containers exceed the capacity (0 when they fit)."""
        forced = sum(1 for s in self.selected if s.reason == "forced")
        return max(0, forced - self.capacity)

    def _repr_html_(self) -> str:
        from riskprofile.output import selection_html

        return selection_html(self)

    def __repr__(self) -> str:
        reasons = {r: sum(1 for s in self.selected if s.reason == r)
                   for r in ("forced", "score", "control")}  # fmt: skip
        shown = ", ".join(f"{n} {r}" for r, n in reasons.items() if n)
        warned = f", {len(self.warnings)} warnings" if self.warnings else ""
        return (
            f"<Selection {len(self.selected)} of {len(self.run.containers)} containers "
            f"({shown or 'none'}), capacity {self.capacity}, {len(self.left_out)} non-green "
            f"left out{warned}>"
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
        raise ValueError(f"capacity must be a count or a percentage, not {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"capacity must not be negative: {value}")
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _PERCENT.match(text)
    if not match:
        raise ValueError(f"capacity must be a count (30) or a percentage (3%), not {value!r}")
    share = Decimal(match.group(1))
    if share > 100:
        raise ValueError(f"capacity percentage above 100: {value!r}")
    count = math.floor(share * total / 100)
    return max(count, 1) if share > 0 and total > 0 else count


def _rate_decimal(value: float | str) -> Decimal:
    if isinstance(value, str):
        match = _PERCENT.match(value)
        return Decimal(match.group(1)) / 100 if match else Decimal(value.strip())
    return Decimal(str(value))


def _rate(value: float | str) -> float:
    if isinstance(value, str):
        match = _PERCENT.match(value)
        rate = float(match.group(1)) / 100 if match else float(value)
    else:
        rate = float(value)
    if not 0 <= rate <= 1:
        raise ValueError(f"control rate must be between 0 and 1 (or 0% and 100%): {value!r}")
    return rate


def select(
    run: RankedRun,
    *,
    capacity: Capacity,
    control_rate: float | str = 0.0,
    seed: int | None = None,
) -> Selection:
    """Pick the containers to inspect.

    Args:
        run: a scoring run (:func:`riskprofile.score`), or a column-wise run
            (:func:`riskprofile.engines.columnar.score_frame`): the same ranking gives
            the same selection.
        capacity: inspections available: a count, a percentage of the batch (``"3%"``),
            or per lane (``{"red": 20, "yellow": "5%"}``: each lane's quota is filled
            from containers in that lane).
        control_rate: share of the batch to sample at random among containers not
            selected (``0.01`` or ``"1%"``).
        seed: the control sample's random seed; required when ``control_rate`` > 0, so
            that the same seed gives the same sample.
    """
    containers = run.containers  # already in rank order
    ranked = _ranked_view(run)
    total = ranked.total
    rate = _rate(control_rate)
    if rate > 0 and seed is None:
        raise ValueError("a control sample needs an explicit seed (reproducibility)")
    quotas: dict[Lane | None, int]
    if isinstance(capacity, Mapping):
        quotas = {}
        for lane, value in capacity.items():
            if lane not in LANES or lane == "green":
                raise ValueError(f"capacity per lane takes red, yellow or blue, not {lane!r}")
            quotas[lane] = parse_capacity(value, total)
    else:
        quotas = {None: parse_capacity(capacity, total)}
    limit = sum(quotas.values())
    per_lane = None not in quotas

    # Positions in the ranked list; objects are made only for what the selection holds.
    chosen: list[tuple[Reason, int]] = [("forced", i) for i in ranked.forced]
    taken = set(ranked.forced)
    warnings = []
    if len(ranked.forced) > limit:
        warnings.append(
            f"{len(ranked.forced)} containers are forced to inspection, more than the "
            f"capacity of {limit}: all are selected ({len(ranked.forced) - limit} over capacity)"
        )
    used: dict[Lane | None, int] = dict.fromkeys(quotas, 0)
    for lane in ranked.forced_lanes:
        key: Lane | None = lane if per_lane else None
        if key in used:
            used[key] += 1
    # Forced containers use the capacity first, whatever their lane: the rest of the
    # list fills what remains, within each lane's quota.
    budget = max(0, limit - len(ranked.forced))
    for i, lane in zip(ranked.candidates, ranked.candidate_lanes, strict=True):
        if budget == 0:
            break
        if i in taken:
            continue
        key = lane if per_lane else None
        if key not in quotas or used[key] >= quotas[key]:
            continue
        used[key] += 1
        budget -= 1
        chosen.append(("score", i))
        taken.add(i)
    if rate > 0:
        pool = total - len(taken)
        # Decimal, so that "29%" of 50 is exactly 14.5 and rounds half up to 15.
        exact = _rate_decimal(control_rate) * total
        size = min(pool, int(exact.to_integral_value(rounding=ROUND_HALF_UP)))
        # The sample is random.Random(seed).sample(keys, size) of the pool's keys in text
        # order, listed in key order: drawn here as places in that order (the same draws),
        # so that only the containers drawn are looked up. A sample for quality control,
        # not security: reproducible from its seed.
        places = random.Random(seed).sample(range(pool), size)  # noqa: S311
        for i in ranked.in_key_order(taken, sorted(places)):
            chosen.append(("control", i))
        taken.update(i for reason, i in chosen if reason == "control")
    left_out = _take(containers, [i for i in ranked.candidates if i not in taken])
    picked_containers = _take(containers, [i for _, i in chosen])
    selected = tuple(
        Selected(rank, reason, c)
        for rank, ((reason, _), c) in enumerate(zip(chosen, picked_containers, strict=True), 1)
    )
    return Selection(run, selected, left_out, limit, rate, seed, tuple(warnings))


def _take(containers: Sequence[RankedContainer], positions: list[int]) -> tuple[Any, ...]:
    take = getattr(containers, "take", None)  # a column-wise run makes them in one go
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
