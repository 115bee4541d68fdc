"""Tests of riskprofile.evaluation.

``make_run`` builds a small :class:`~riskprofile.ScoringRun` by hand (units with a score,
the profiles that fired and the indicators that hit), so that every metric can be
checked against values worked out on paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from riskprofile.model import Shipment
from riskprofile.scoring import (
    ContainerResult,
    Hit,
    Lane,
    ProfileScore,
    ScoringRun,
    ShipmentResult,
    rank_key,
)

AS_OF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
CALL = "9321483/0425W"


@dataclass(frozen=True)
class Unit:
    """One hand-made unit: a container with one B/L, its score and its hits
    (``profile/indicator`` strings; a profile fires when it has a hit)."""

    container: str
    score: int = 0
    hits: tuple[str, ...] = ()
    bl: str | None = None
    forced: Lane | None = None


def make_run(units: Sequence[Unit], profiles: Sequence[str] = ()) -> ScoringRun:
    """A scoring run over ``units``; ``profiles`` adds profiles that take part (their
    fingerprints appear in the audit) even when nothing fires."""
    results = []
    all_profiles = sorted({h.split("/")[0] for u in units for h in u.hits} | set(profiles))
    for u in units:
        bl = u.bl or f"BL{u.container}"
        sid = f"{CALL}/{bl}/{u.container}"
        shipment = Shipment(
            shipment_id=sid, manifest_ref=CALL, container_number=u.container, bl_number=bl
        )
        hits = tuple(
            Hit(
                profile_id=h.split("/")[0],
                profile_version=1,
                indicator_id=h.split("/")[1],
                title=f"title of {h}",
                weight=Decimal(1),
                explanation=f"because {h}",
                forced_lane=u.forced if i == 0 else None,
                shipment_id=sid,
            )
            for i, h in enumerate(u.hits)
        )
        fired = {h.profile_id for h in hits}
        lane: Lane = u.forced or ("red" if u.score >= 10 else "yellow" if u.score > 0 else "green")
        scores = tuple(
            ProfileScore(p, 1, Decimal(u.score) if p in fired else Decimal(0),
                         lane if p in fired else "green", p in fired)
            for p in all_profiles
        )  # fmt: skip
        results.append(
            ShipmentResult(shipment, hits, scores, Decimal(u.score), lane,
                           (f"{u.forced}: forced",) if u.forced else (), ())
        )  # fmt: skip
    containers = [
        ContainerResult(f"{CALL}/{r.shipment.container_number}", r.shipment.container_number,
                        (r,), r.score, r.lane, r.forced)
        for r in results
    ]  # fmt: skip
    containers.sort(key=rank_key)
    results.sort(key=lambda r: r.shipment_id)
    return ScoringRun(
        as_of=AS_OF,
        fingerprints={p: f"sha256:{p}" for p in all_profiles},
        shipments=tuple(results),
        containers=tuple(containers),
        profile_versions=dict.fromkeys(all_profiles, 1),
    )
