"""Rates with their intervals, and which units each profile fired on and each indicator
hit: what the evaluation's tables and its breakdowns both count (one home, so that
``_metrics`` and ``_breakdown`` do not import each other)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from riskprofile.scoring import ScoringRun

Z95 = 1.959963984540054
"""The two-sided 95 % quantile of the standard normal distribution."""


def wilson_interval(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (95 % by default); None with no trials.

    Unlike the plain ``p ± z·sqrt(p(1-p)/n)``, it stays within [0, 1] and is sensible for
    the small counts and rates near 0 that inspections give.

    >>> low, high = wilson_interval(5, 10)
    >>> round(low, 4), round(high, 4)
    (0.2366, 0.7634)
    >>> wilson_interval(0, 0) is None
    True
    """
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return None
    n = trials
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Rounding must not push the bounds past the point estimate or out of [0, 1].
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


@dataclass(frozen=True, slots=True)
class Rate:
    """A proportion ``successes / trials`` with its Wilson 95 % interval."""

    successes: int
    trials: int

    @property
    def value(self) -> float | None:
        """The point estimate; None with no trials."""
        return self.successes / self.trials if self.trials else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The Wilson 95 % interval; None with no trials."""
        return wilson_interval(self.successes, self.trials)

    def fields(self, prefix: str = "hit_rate") -> dict[str, Any]:
        """``{prefix, prefix_low, prefix_high}`` for a table row."""
        interval = self.interval
        return {
            prefix: self.value,
            f"{prefix}_low": interval[0] if interval else None,
            f"{prefix}_high": interval[1] if interval else None,
        }

    def __str__(self) -> str:
        if not self.trials:
            return "n/a (0 inspected)"
        low, high = self.interval or (0.0, 0.0)
        return f"{self.value:.1%} ({self.successes}/{self.trials}; 95% CI {low:.1%}-{high:.1%})"


def fired_and_hit(
    run: ScoringRun,
) -> tuple[dict[str, list[str]], dict[tuple[str, str], list[str]], dict[tuple[str, str], str]]:
    """The units (keys) each profile fired on, the units each indicator hit, and each
    indicator's title: from the objects, or from the tables of a run scored column-wise
    (the same: the units in rank order)."""
    fired: dict[str, list[str]] = {}
    hit: dict[tuple[str, str], list[str]] = {}
    titles: dict[tuple[str, str], str] = {}
    frame_run = run.frame_run
    if frame_run is None:
        for container in run.containers:
            for pid in {p.profile_id for s in container.shipments for p in s.profiles if p.fired}:
                fired.setdefault(pid, []).append(container.key)
            indicators = {(h.profile_id, h.indicator_id): h.title for h in container.hits}
            for ind, title in indicators.items():
                hit.setdefault(ind, []).append(container.key)
                titles.setdefault(ind, title)
        return fired, hit, titles
    assert frame_run.fired_table is not None, "score_frame gives the fired table"
    for (pid,), group in frame_run.fired_table.group_by("profile_id", maintain_order=True):
        fired[str(pid)] = group.get_column("key").to_list()
    pairs = frame_run.hit_table.select("profile_id", "indicator_id", "key").unique(
        maintain_order=True
    )
    for (pid, iid), group in pairs.group_by("profile_id", "indicator_id", maintain_order=True):
        ind = (str(pid), str(iid))
        hit[ind] = group.get_column("key").to_list()
        titles[ind] = frame_run.indicators[ind].indicator.title
    return fired, hit, titles
