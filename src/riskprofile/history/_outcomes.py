"""Inspection outcomes as history rows: each matched to the shipments it is about.

The matching is the evaluation's (:func:`~riskprofile.evaluation.match_outcomes`: unit
key, else container number, else bill of lading number), run on just the batch rows an
outcome could name (found column-wise), so that a million-shipment batch makes model
objects only for its few inspected units.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import polars as pl

from riskprofile.evaluation import Outcome, UnmatchedOutcome, match_outcomes
from riskprofile.model.codes import normalise_container_number
from riskprofile.model.frame import shipments_of_frame
from riskprofile.rules import unit_key

__all__ = ["inspection_rows"]

_SCHEMA = {
    "outcome_id": pl.String,
    "shipment_id": pl.String,
    "run_id": pl.String,
    "unit": pl.String,
    "inspected_on": pl.Date,
    "inspected": pl.Boolean,
    "finding": pl.Boolean,
    "selected_by": pl.String,
    "category": pl.String,
    "quantity": pl.String,
    "quantity_unit": pl.String,
    "seizure": pl.Boolean,
}


def _fold(value: str) -> str:
    return "".join(value.split()).upper()


def _outcome_id(outcome: Outcome, shipment_id: str) -> str:
    """The same inspection of the same shipment has the same id, whichever file (and
    line) it comes from: adding it twice records it once."""
    fields = (shipment_id, outcome.unit, outcome.inspected, outcome.finding,
              outcome.selected_by, outcome.category, outcome.quantity, outcome.date,
              outcome.container_number, outcome.bl_number)  # fmt: skip
    return hashlib.sha256(repr(fields).encode()).hexdigest()[:32]


def inspection_rows(
    frame: pl.DataFrame, outcomes: Iterable[Outcome], run_id: str
) -> tuple[pl.DataFrame, tuple[UnmatchedOutcome, ...]]:
    """The ``rp_inspections`` rows of ``outcomes`` on the batch ``frame`` (one per outcome
    and shipment it applies to), and the outcomes that match no shipment, with why."""
    given = list(outcomes)
    names: set[str] = set()
    for o in given:
        for value in (o.unit, o.container_number, o.bl_number):
            if value:
                names.add(_fold(value))
                names.add(normalise_container_number(value) or _fold(value))
    unit = pl.concat_str(pl.col("manifest_ref"), pl.lit("/"), pl.col("container_number"))
    no_box = pl.concat_str(pl.col("manifest_ref"), pl.lit("/B/L "), pl.col("bl_number"))
    wanted = list(names)
    units = {o.unit for o in given}
    candidates = frame.filter(
        pl.col("container_number").is_in(wanted)
        | pl.col("bl_number").str.replace_all(r"\s", "").str.to_uppercase().is_in(wanted)
        | unit.is_in(list(units))
        | no_box.is_in(list(units))
        | pl.col("shipment_id").is_in(list(units))
    )
    shipments = shipments_of_frame(candidates)
    match = match_outcomes(shipments, given)
    by_unit: dict[str, list[str]] = {}
    for shipment in shipments:
        by_unit.setdefault(unit_key(shipment), []).append(shipment.shipment_id)
    rows = [
        {
            "outcome_id": _outcome_id(outcome, shipment_id),
            "shipment_id": shipment_id,
            "run_id": run_id,
            "unit": key,
            "inspected_on": outcome.date,
            "inspected": outcome.inspected,
            "finding": outcome.finding,
            "selected_by": outcome.selected_by,
            "category": outcome.category,
            "quantity": outcome.quantity,
            "quantity_unit": outcome.quantity_unit,
            "seizure": outcome.seizure,
        }
        for outcome, keys in match.matched
        for key in keys
        for shipment_id in by_unit.get(key, [])
    ]
    table = pl.DataFrame(rows, schema=_SCHEMA).unique("outcome_id", maintain_order=True)
    return table, match.unmatched
