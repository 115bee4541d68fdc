"""The units of a scoring run as evaluation reads them: in rank order, and the fields
that place an outcome on them, from the objects of a run or from the tables of a run
scored column-wise (then no object is made per shipment)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from riskprofile.rules import RankedContainer
from riskprofile.scoring import ScoringRun

__all__ = ["ranked_units", "unit_rows"]


def ranked_units(run: ScoringRun) -> Sequence[RankedContainer]:
    """The run's units in rank order, as selection sees them: a run scored column-wise
    gives them from its container table, without making its objects."""
    frame_run = run.frame_run
    return run.containers if frame_run is None else frame_run.containers


def unit_rows(run: ScoringRun) -> Iterable[tuple[str, str | None, str | None, str]]:
    """``(unit key, container number, B/L number, manifest reference)`` of every shipment
    of the run, units in rank order: from the objects, or from the frame of a run scored
    column-wise (no object per shipment)."""
    frame_run = run.frame_run
    if frame_run is None or frame_run.frame is None:
        return (
            (c.key, s.shipment.container_number, s.shipment.bl_number, s.shipment.manifest_ref)
            for c in run.containers
            for s in c.shipments
        )
    rank = frame_run.container_table.select("key", "rank")
    rows = (
        frame_run.shipment_scores.select("key")
        .with_row_index("row")
        .join(rank, on="key", how="left", maintain_order="left")
        .sort("rank", maintain_order=True)
    )
    fields = frame_run.frame.select("container_number", "bl_number", "manifest_ref")[
        rows.get_column("row")
    ]
    return zip(
        rows.get_column("key").to_list(),
        fields.get_column("container_number").to_list(),
        fields.get_column("bl_number").to_list(),
        fields.get_column("manifest_ref").to_list(),
        strict=True,
    )
