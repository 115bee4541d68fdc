"""Row-wise masks over a frame: the stand-in used until the translator's masks land."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
import rule_engine

from riskprofile.engines.columnar._frame import shipments_of_frame
from riskprofile.profiles._expressions import Condition, record_of


@dataclass(frozen=True)
class ConditionMasks:
    """Where a condition hits and where it cannot be evaluated."""

    hit: pl.Series
    error: pl.Series
    fallback: str | None


def masks_for(
    frame: pl.DataFrame,
    items: Sequence[tuple[str, Condition]],
    lists: Mapping[str, Mapping[str, frozenset[Any]]],
    as_of: dt.datetime,
) -> dict[str, ConditionMasks]:
    """Every condition's masks, evaluated row-wise."""
    records = [record_of(s) for s in shipments_of_frame(frame)]
    out = {}
    for key, cond in items:
        hit, err = [], []
        for r in records:
            try:
                hit.append(cond.evaluate(r, as_of))
                err.append(False)
            except rule_engine.EngineError:
                hit.append(False)
                err.append(True)
        out[key] = ConditionMasks(
            pl.Series(hit, dtype=pl.Boolean), pl.Series(err, dtype=pl.Boolean), "row-wise"
        )
    return out
