"""The stow plan joined to a batch: cross-check fields on every shipment, and a report of
what is on one side only.

:func:`join_stowplan` fills the shipment frame's ``stowplan_*`` fields
(:data:`~riskprofile.model.shipment.STOWPLAN_FIELDS`) from a BAPLIE stow plan, column-wise,
and returns a :class:`StowplanCheck`: the units on board that no shipment is (they cannot be
scored: they are listed), the shipments nowhere in the plan, and warnings when the plan does
not look like this call's (no unit matching, another vessel). The fields are defined here
once; the row-wise path (:func:`with_stowplan_shipments`) copies them into the objects, so
both engines read the same values.

>>> from riskprofile.io import read_frame
>>> batch = read_frame("examples/data/karachi-cuscar.edi")
>>> frame, check = join_stowplan(batch.frame, "tests/data/edifact/baplie-smdg22.edi")
>>> frame.select("container_number", "stowplan_present", "stowplan_position").rows()
[('CSQU3054383', True, '0040382'), ('MSKU9070323', True, '0020182')]
>>> [u.container_number for u in check.not_manifested]
['TGHU1234567']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskprofile.io.edifact._crosscheck import (
    EMPTY_MARGIN_KG,
    EMPTY_TARE_KG,
    REEFER_TOLERANCE_CELSIUS,
)
from riskprofile.io.edifact._envelope import Problem
from riskprofile.io.edifact._stowplan import StowedUnit, StowPlan, read_stowplan
from riskprofile.model.codes import describe_size_type
from riskprofile.model.shipment import STOWPLAN_FIELDS

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.model.shipment import Shipment

__all__ = ["StowplanCheck", "join_stowplan", "load_stowplan", "with_stowplan_shipments"]

_DG_WORDS = r"\b(IMO|IMDG|HAZARDOUS|DANGEROUS)\b"
_UN_NUMBER = r"\bUN ?\d{4}\b"
_SHOWN = 10  # units named in a warning; the report lists them all


@dataclass(frozen=True, slots=True)
class StowplanCheck:
    """What joining a stow plan to a batch found, beyond the shipments' fields.

    Attributes:
        source: the plan file (or what the :class:`StowPlan` says it came from).
        vessel, voyage: as the plan gives them.
        units: occupied locations with a container number.
        matched: container numbers on board that are a shipment's container.
        not_manifested: units on board that no shipment of the batch is, discharged at a
            port of call of the batch (or with no port of discharge, or when the batch
            gives no port of call), by container number: they cannot be scored, so they
            are listed here.
        discharged_elsewhere: units on board and not in the batch that are discharged at
            another port (another port's cargo: not counted against this batch).
        not_on_board: container numbers of the batch nowhere in the plan (their shipments
            have ``stowplan_present`` false).
        on_board_twice: container numbers in more than one location of the plan (the
            fields come from the first).
        unnumbered: containers whose equipment gives no container number.
        problems: every problem found reading the plan, with its place.
        batch_vessels: the vessel names of the batch, to tell another vessel's plan.
        other_equipment: units on board that are no container (break-bulk cargo,
            ``EQD+BB``: :attr:`StowedUnit.is_container`), left out of the comparison.
    """

    source: str
    vessel: str | None
    voyage: str | None
    units: int
    matched: int
    not_manifested: tuple[StowedUnit, ...]
    discharged_elsewhere: int
    not_on_board: tuple[str, ...]
    on_board_twice: tuple[str, ...]
    unnumbered: int
    problems: tuple[Problem, ...]
    batch_vessels: tuple[str, ...] = ()
    other_equipment: int = 0

    @property
    def warnings(self) -> list[str]:
        """What an officer must be told: units on board and on no manifest, a plan none
        of whose units is in the batch, another vessel's plan, problems reading it."""
        out = []
        where = f"the stow plan {self.source}"
        if self.units == 0:
            out.append(f"{where} has no container on board: no shipment could be checked")
        elif self.matched == 0:
            out.append(
                f"no container of {where} ({self.units:,} units) is in the batch: is it the "
                "plan of this vessel call? Every shipment is 'not on board'"
            )
        if (
            self.vessel is not None
            and self.batch_vessels
            and _folded(self.vessel) not in {_folded(v) for v in self.batch_vessels}
        ):
            out.append(
                f"{where} is for vessel {self.vessel!r}, the batch for "
                + ", ".join(repr(v) for v in self.batch_vessels)
            )
        if self.not_manifested:
            shown = ", ".join(
                f"{u.container_number} ({u.position})" for u in self.not_manifested[:_SHOWN]
            )
            more = len(self.not_manifested) - _SHOWN
            out.append(
                f"{_count(len(self.not_manifested), 'container')} on board and on no manifest "
                f"of the batch: {shown}" + (f" and {more:,} more" if more > 0 else "")
            )
        if self.on_board_twice:
            out.append(
                f"{_count(len(self.on_board_twice), 'container number')} in more than one "
                f"location of {where}: " + ", ".join(self.on_board_twice[:_SHOWN])
            )
        if self.unnumbered:
            out.append(f"{_count(self.unnumbered, 'unit')} of {where} without a container number")
        if self.problems:
            out.append(
                f"{_count(len(self.problems), 'problem')} reading {where}; first: "
                f"{self.problems[0]}"
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """The check as plain data (the run's JSON audit block ``stowplan``)."""
        return {
            "source": self.source,
            "vessel": self.vessel,
            "voyage": self.voyage,
            "units": self.units,
            "matched": self.matched,
            "not_manifested": [
                {
                    "container_number": u.container_number,
                    "position": u.position,
                    "size_type": u.size_type,
                    "full": u.full,
                    "gross_mass_kg": u.gross_mass_kg,
                    "port_of_loading": u.port_of_loading,
                    "port_of_discharge": u.port_of_discharge,
                    "dangerous_goods": [list(dg) for dg in u.dangerous_goods],
                }
                for u in self.not_manifested
            ],
            "discharged_elsewhere": self.discharged_elsewhere,
            "not_on_board": list(self.not_on_board),
            "on_board_twice": list(self.on_board_twice),
            "unnumbered": self.unnumbered,
            "other_equipment": self.other_equipment,
            "problems": [str(p) for p in self.problems],
            "warnings": self.warnings,
        }


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")


def _folded(text: str) -> str:
    return " ".join(text.upper().split())


def _number(text: str) -> str:
    return "".join(text.split()).upper()


def load_stowplan(plan: StowPlan | str | os.PathLike[str]) -> StowPlan:
    """``plan`` itself, or the plan read from that BAPLIE file (:func:`read_stowplan`)."""
    return plan if isinstance(plan, StowPlan) else read_stowplan(Path(plan))


def _plan_frame(units: Sequence[StowedUnit]) -> pl.DataFrame:
    """One row per container number on board (its first location), with the fields."""
    import polars as pl

    def reefer_box(code: str | None) -> bool | None:
        size = describe_size_type(code.upper()) if code else None
        return None if size is None else size.group == "reefer"

    rows = [u for u in units if u.container_number is not None and u.is_container]
    return pl.DataFrame(
        {
            "_stow_key": [_number(u.container_number or "") for u in rows],
            "stowplan_position": [u.position for u in rows],
            "stowplan_size_type": [u.size_type for u in rows],
            "stowplan_vgm_kg": [u.gross_mass_kg for u in rows],
            "stowplan_full": [u.full for u in rows],
            "stowplan_port_of_loading": [u.port_of_loading for u in rows],
            "stowplan_port_of_discharge": [u.port_of_discharge for u in rows],
            "stowplan_dg_classes": [
                list(dict.fromkeys(c for c, _ in u.dangerous_goods if c)) for u in rows
            ],
            "stowplan_un_numbers": [
                list(dict.fromkeys(n for _, n in u.dangerous_goods if n)) for u in rows
            ],
            "stowplan_reefer_celsius": [u.reefer_celsius for u in rows],
            "_stow_dg": [len(u.dangerous_goods) for u in rows],
            "_stow_dg_unnumbered": [any(not n for _, n in u.dangerous_goods) for u in rows],
            "_stow_reefer_box": [reefer_box(u.size_type) for u in rows],
        },
        schema={
            "_stow_key": pl.String,
            "stowplan_position": pl.String,
            "stowplan_size_type": pl.String,
            "stowplan_vgm_kg": pl.Float64,
            "stowplan_full": pl.Boolean,
            "stowplan_port_of_loading": pl.String,
            "stowplan_port_of_discharge": pl.String,
            "stowplan_dg_classes": pl.List(pl.String),
            "stowplan_un_numbers": pl.List(pl.String),
            "stowplan_reefer_celsius": pl.Float64,
            "_stow_dg": pl.Int64,
            "_stow_dg_unnumbered": pl.Boolean,
            "_stow_reefer_box": pl.Boolean,
        },
    ).unique("_stow_key", keep="first", maintain_order=True)


def _fields() -> list[pl.Expr]:
    """The ``stowplan_*`` fields from the joined plan columns and the shipment's own."""
    import polars as pl

    on = pl.col("stowplan_position").is_not_null()
    off = pl.lit(None, pl.Boolean)
    plan_mass = pl.col("stowplan_vgm_kg")
    tare = pl.col("tare_kg")
    declared = pl.coalesce(
        pl.col("verified_gross_mass_kg"), tare + pl.col("container_goods_weight_kg")
    )
    box_full = pl.col("container_full")
    planned_full = pl.col("stowplan_full")
    heavy = plan_mass > tare.fill_null(EMPTY_TARE_KG) + EMPTY_MARGIN_KG
    full_empty = (
        pl.when(~on | box_full.is_null())
        .then(off)
        .when(planned_full.is_not_null() & (planned_full != box_full))
        .then(True)
        .when(~box_full & heavy.fill_null(False))
        .then(True)
        .otherwise(False)
    )
    ts = pl.col("transshipment_ports")
    plan_pod, plan_pol = pl.col("stowplan_port_of_discharge"), pl.col("stowplan_port_of_loading")
    pod, pol = pl.col("port_of_discharge"), pl.col("port_of_loading")
    pod_mismatch = (
        pl.when(on & plan_pod.is_not_null() & pod.is_not_null())
        .then((plan_pod != pod) & ~ts.list.contains(plan_pod))
        .otherwise(off)
    )
    pol_mismatch = (
        pl.when(on & plan_pol.is_not_null() & (pol.is_not_null() | (ts.list.len() > 0)))
        .then(~((plan_pol == pol).fill_null(False) | ts.list.contains(plan_pol)))
        .otherwise(off)
    )
    description = pl.col("description")
    plan_un = pl.col("stowplan_un_numbers").fill_null(pl.lit([], pl.List(pl.String)))
    named_un = (
        description.str.extract_all(_UN_NUMBER)
        .list.eval(pl.element().str.slice(-4))
        .fill_null(pl.lit([], pl.List(pl.String)))
        .list.set_intersection(plan_un)
        .list.len()
        > 0
    )
    # The manifest's own dangerous goods fields (DGS on the cargo report).
    declared_un = pl.col("un_numbers").list.set_intersection(plan_un).list.len() > 0
    declared_class = (
        pl.col("imdg_classes")
        .list.set_intersection(
            pl.col("stowplan_dg_classes").fill_null(pl.lit([], pl.List(pl.String)))
        )
        .list.len()
        > 0
    )
    declares_dg = (pl.col("un_numbers").list.len() > 0) | (pl.col("imdg_classes").list.len() > 0)
    words = description.str.contains(_DG_WORDS).fill_null(False)
    dg_undeclared = (
        pl.when(~on)
        .then(off)
        .when(pl.col("_stow_dg") == 0)
        .then(False)
        .otherwise(
            ~(
                named_un
                | declared_un
                | declared_class
                | (pl.col("_stow_dg_unnumbered") & (words | declares_dg))
            )
        )
    )
    declared_setting = pl.col("container_reefer_celsius")
    plan_setting = pl.col("stowplan_reefer_celsius")
    reefer_gap = pl.when(on).then(plan_setting - declared_setting)
    setting_differs = (
        pl.when(~on | declared_setting.is_null())
        .then(off)
        .when(plan_setting.is_null())
        .then(True)
        .otherwise((plan_setting - declared_setting).abs() > REEFER_TOLERANCE_CELSIUS)
    )
    reefer_box = pl.coalesce(
        pl.col("_stow_reefer_box"),
        pl.when(pl.col("container_type").is_not_null()).then(pl.col("container_type") == "reefer"),
    )
    reefer_mismatch = (
        pl.when(~on)
        .then(off)
        .when(pl.col("stowplan_reefer_celsius").is_null())
        .then(False)
        .otherwise(~reefer_box)
    )
    return [
        pl.when(pl.col("container_number").is_null()).then(off).otherwise(on)
        .alias("stowplan_present"),
        pl.when(on & (declared > 0))
        .then((plan_mass - declared) / declared)
        .alias("stowplan_mass_gap_ratio"),
        full_empty.alias("stowplan_full_empty_mismatch"),
        pol_mismatch.alias("stowplan_pol_mismatch"),
        pod_mismatch.alias("stowplan_pod_mismatch"),
        dg_undeclared.alias("stowplan_dg_undeclared"),
        reefer_mismatch.alias("stowplan_reefer_mismatch"),
        reefer_gap.alias("stowplan_reefer_gap_celsius"),
        setting_differs.alias("stowplan_reefer_setting_differs"),
        pl.col("stowplan_dg_classes").fill_null(pl.lit([], pl.List(pl.String))),
        pl.col("stowplan_un_numbers").fill_null(pl.lit([], pl.List(pl.String))),
    ]  # fmt: skip


def join_stowplan(
    frame: pl.DataFrame, plan: StowPlan | str | os.PathLike[str]
) -> tuple[pl.DataFrame, StowplanCheck]:
    """``frame`` (a shipment frame) with its ``stowplan_*`` fields filled in from ``plan``
    (a :class:`StowPlan` or a BAPLIE file), matched on the container number; the other
    columns, and their order, are unchanged. Also returns what is on one side only
    (:class:`StowplanCheck`).

    Raises:
        InputFormatError: the plan file cannot be read, or holds no BAPLIE message.
    """
    import polars as pl

    from riskprofile.model.frame import frame_schema

    plan = load_stowplan(plan)
    schema = frame_schema()
    planned = _plan_frame(plan.units)
    keyed = frame.drop(STOWPLAN_FIELDS, strict=False).with_columns(
        pl.col("container_number").str.replace_all(r"\s", "").str.to_uppercase().alias("_stow_key")
    )
    joined = keyed.join(planned, on="_stow_key", how="left", maintain_order="left")
    joined = joined.with_columns(_fields()).with_columns(
        pl.col(name).cast(schema[name]) for name in STOWPLAN_FIELDS
    )
    order = [*frame.columns, *(n for n in STOWPLAN_FIELDS if n not in frame.columns)]
    out = joined.select(order)
    return out, _check(plan, keyed, planned, out)


def _check(
    plan: StowPlan, keyed: pl.DataFrame, planned: pl.DataFrame, joined: pl.DataFrame
) -> StowplanCheck:
    import polars as pl

    in_batch = set(keyed.get_column("_stow_key").drop_nulls().to_list())
    ports = set(keyed.get_column("port_of_call").drop_nulls().to_list())
    boxes = [u for u in plan.units if u.is_container]
    counts: dict[str, int] = {}
    for unit in boxes:
        if unit.container_number is not None:
            key = _number(unit.container_number)
            counts[key] = counts.get(key, 0) + 1
    not_manifested: list[StowedUnit] = []
    elsewhere = 0
    for unit in boxes:
        if unit.container_number is None or _number(unit.container_number) in in_batch:
            continue
        if not ports or unit.port_of_discharge is None or unit.port_of_discharge in ports:
            not_manifested.append(unit)
        else:
            elsewhere += 1
    missing = (
        joined.filter(pl.col("stowplan_present").not_())
        .get_column("container_number")
        .unique()
        .sort()
        .to_list()
    )
    vessels = sorted(set(keyed.get_column("vessel_name").drop_nulls().to_list()))
    return StowplanCheck(
        source=plan.source,
        vessel=plan.vessel,
        voyage=plan.voyage,
        units=sum(counts.values()),
        matched=len(set(planned.get_column("_stow_key").to_list()) & in_batch),
        not_manifested=tuple(
            sorted(not_manifested, key=lambda u: (_number(u.container_number or ""), u.position))
        ),
        discharged_elsewhere=elsewhere,
        not_on_board=tuple(missing),
        on_board_twice=tuple(sorted(k for k, n in counts.items() if n > 1)),
        unnumbered=sum(1 for u in boxes if u.container_number is None),
        problems=tuple(plan.problems),
        batch_vessels=tuple(vessels),
        other_equipment=len(plan.units) - len(boxes),
    )


def with_stowplan_shipments(
    shipments: Sequence[Shipment], plan: StowPlan | str | os.PathLike[str]
) -> tuple[list[Shipment], StowplanCheck]:
    """Shipments with their ``stowplan_*`` fields filled in (computed column-wise, as
    :func:`join_stowplan` does, and copied into each shipment), and the check."""
    from riskprofile.model.frame import shipment_frame

    joined, check = join_stowplan(shipment_frame(shipments), plan)
    fields = joined.select(STOWPLAN_FIELDS)
    return [
        shipment.model_copy(update=row)
        for shipment, row in zip(shipments, fields.iter_rows(named=True), strict=True)
    ], check
