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
from collections.abc import Mapping, Sequence
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
    keys, lanes, forced_flags = _ranked_columns(run)
    total = len(keys)
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

    # Positions in the ranked list; objects are made only for what the selection holds.
    chosen: list[tuple[Reason, int]] = []
    taken = [False] * total
    forced = [i for i in range(total) if forced_flags[i]]
    for i in forced:
        chosen.append(("forced", i))
        taken[i] = True
    warnings = []
    if len(forced) > limit:
        warnings.append(
            f"{len(forced)} containers are forced to inspection, more than the capacity of "
            f"{limit}: all are selected ({len(forced) - limit} over capacity)"
        )
    used: dict[Lane | None, int] = dict.fromkeys(quotas, 0)
    for i in forced:
        key: Lane | None = lanes[i] if None not in quotas else None
        if key in used:
            used[key] += 1
    # Forced containers use the capacity first, whatever their lane: the rest of the
    # list fills what remains, within each lane's quota.
    budget = max(0, limit - len(forced))
    for i in range(total):
        if budget == 0:
            break
        if taken[i] or lanes[i] == "green":
            continue
        key = lanes[i] if None not in quotas else None
        if key not in quotas or used[key] >= quotas[key]:
            continue
        used[key] += 1
        budget -= 1
        chosen.append(("score", i))
        taken[i] = True
    if rate > 0:
        position = {keys[i]: i for i in range(total) if not taken[i]}
        pool = sorted(position)
        # Decimal, so that "29%" of 50 is exactly 14.5 and rounds half up to 15.
        exact = _rate_decimal(control_rate) * total
        size = min(len(pool), int(exact.to_integral_value(rounding=ROUND_HALF_UP)))
        # A sample for quality control, not security: reproducible from its seed.
        picked = random.Random(seed).sample(pool, size)  # noqa: S311
        for key_ in sorted(picked):
            chosen.append(("control", position[key_]))
            taken[position[key_]] = True
    left_out = _take(containers, [i for i in range(total) if not taken[i] and lanes[i] != "green"])
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


def _ranked_columns(run: RankedRun) -> tuple[list[str], list[Lane], list[bool]]:
    """Each ranked container's key, lane and whether a hit forces it, in rank order:
    read from a column-wise run's table without making one object per container."""
    table = getattr(run, "container_table", None)
    if table is not None:
        return (
            table["key"].to_list(),
            table["lane"].to_list(),
            table["forced_lane"].is_not_null().to_list(),
        )
    containers = run.containers
    return (
        [c.key for c in containers],
        [c.lane for c in containers],
        [c.forced_lane is not None for c in containers],
    )
