"""The stow plan against the manifest: what one says and the other contradicts.

CBP's first stated use of stow plans is finding containers on board that are not on the
manifest; the vessel operator writes the plan, the carrier or agent the manifest, so a
disagreement between them is worth an officer's look. :func:`compare_stowplan` lists
each one as a :class:`Discrepancy`, in a stable order.

>>> from riskprofile.io import read_manifests
>>> from riskprofile.io.edifact import read_stowplan
>>> manifests = list(read_manifests("examples/data/karachi-cuscar.edi"))
>>> plan = read_stowplan("tests/data/edifact/baplie-smdg22.edi")
>>> [(d.kind, d.container_number) for d in compare_stowplan(manifests, plan)]
[('not_manifested', 'TGHU1234567')]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from riskprofile.io.edifact._stowplan import StowedUnit, StowPlan
from riskprofile.model.codes import describe_size_type
from riskprofile.model.manifest import Consignment, Container, Manifest

__all__ = [
    "EMPTY_MARGIN_KG",
    "EMPTY_TARE_KG",
    "REEFER_TOLERANCE_CELSIUS",
    "VGM_TOLERANCE",
    "Discrepancy",
    "DiscrepancyKind",
    "compare_stowplan",
]

DiscrepancyKind = Literal[
    "not_manifested",
    "not_on_board",
    "mass_differs",
    "full_empty_differs",
    "port_of_discharge_differs",
    "port_of_loading_differs",
    "reefer_setting_on_dry_box",
    "reefer_setting_differs",
]
"""What disagrees (see :func:`compare_stowplan`)."""

VGM_TOLERANCE = 0.05
"""The share by which the plan's mass may differ from the declared one before it is a
discrepancy (SOLAS VGM guidance lets administrations accept about ±5 %)."""
EMPTY_TARE_KG = 4_000.0
"""The tare taken for a container declared empty without one (a 40' high cube's, about)."""
EMPTY_MARGIN_KG = 1_000.0
"""How much over its tare a container declared empty may weigh in the plan."""
REEFER_TOLERANCE_CELSIUS = 1.0
"""How far the plan's set temperature may be from the declared one (a reefer holds its
setting to within about half a degree; the two documents round differently)."""


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One disagreement between a stow plan and the manifests.

    Attributes:
        kind: what disagrees.
        container_number: the container concerned.
        manifest: the manifest's reference (``IMO/voyage``), when it is manifested.
        bl_numbers: the bills of lading that name the container.
        position: its stowage position in the plan (bay-row-tier), when on board.
        declared: what the manifest says, as text.
        planned: what the plan says, as text.
        detail: the disagreement in words.
    """

    kind: DiscrepancyKind
    container_number: str
    manifest: str | None
    bl_numbers: tuple[str, ...]
    position: str | None
    declared: str | None
    planned: str | None
    detail: str


@dataclass(slots=True)
class _Declared:
    manifest: Manifest
    box: Container | None
    bills: list[Consignment]


def _declared(manifests: Iterable[Manifest]) -> dict[str, _Declared]:
    found: dict[str, _Declared] = {}
    for manifest in manifests:
        for box in manifest.containers:
            found.setdefault(box.number, _Declared(manifest, box, [])).box = box
        for bill in manifest.consignments:
            for number in bill.all_container_numbers:
                found.setdefault(number, _Declared(manifest, None, [])).bills.append(bill)
    return found


def compare_stowplan(
    manifests: Iterable[Manifest], plan: StowPlan, *, tolerance: float = VGM_TOLERANCE
) -> list[Discrepancy]:
    """Every disagreement between ``plan`` and ``manifests``, ordered by kind and
    container number:

    - ``not_manifested``: on board, discharged at a port of call of the manifests (or
      with no port of discharge in the plan), and on no manifest;
    - ``not_on_board``: on a manifest and nowhere in the plan;
    - ``mass_differs``: the plan's mass and the declared VGM (or, failing it, the goods'
      gross weight plus the tare) differ by more than ``tolerance``;
    - ``full_empty_differs``: declared empty and planned full or the reverse, or declared
      empty with a planned mass over the tare (4,000 kg when not declared) plus 1,000 kg;
    - ``port_of_discharge_differs``, ``port_of_loading_differs``: the plan's port is not
      the B/L's (its transhipment ports count for loading);
    - ``reefer_setting_on_dry_box``: a set temperature on a container whose size-type
      (the plan's, else the manifest's, when it is an ISO 6346 code) is not a reefer
      (group R, legacy types 3x and 4x);
    - ``reefer_setting_differs``: the manifest declares a set temperature and the plan
      sets none or one more than :data:`REEFER_TOLERANCE_CELSIUS` away.
    """
    manifests = list(manifests)
    declared = _declared(manifests)
    ports = {m.port_of_call for m in manifests if m.port_of_call is not None}
    out: list[Discrepancy] = []
    on_board: set[str] = set()
    for unit in plan.units:
        number = unit.container_number
        if number is None or not unit.is_container:  # break-bulk: on no container manifest
            continue
        number = "".join(number.split()).upper()
        on_board.add(number)
        known = declared.get(number)
        if known is None:
            if not ports or unit.port_of_discharge is None or unit.port_of_discharge in ports:
                out.append(
                    _found(
                        "not_manifested",
                        number,
                        None,
                        unit,
                        None,
                        number,
                        "on board and on no manifest",
                    )
                )
            continue
        out.extend(_compare(number, known, unit, tolerance))
    for number, known in declared.items():
        if number not in on_board:
            out.append(
                _found(
                    "not_on_board",
                    number,
                    known,
                    None,
                    number,
                    None,
                    "manifested and nowhere in the stow plan",
                )
            )
    return sorted(out, key=lambda d: (d.kind, d.container_number, d.position or ""))


def _found(
    kind: DiscrepancyKind,
    number: str,
    known: _Declared | None,
    unit: StowedUnit | None,
    declared: str | None,
    planned: str | None,
    detail: str,
) -> Discrepancy:
    return Discrepancy(
        kind,
        number,
        known.manifest.reference if known is not None else None,
        tuple(dict.fromkeys(b.bl_number for b in known.bills)) if known is not None else (),
        unit.position if unit is not None else None,
        declared,
        planned,
        detail,
    )


def _declared_mass(known: _Declared) -> float | None:
    box = known.box
    if box is not None and box.verified_gross_mass_kg is not None:
        return box.verified_gross_mass_kg
    goods = [
        item.gross_weight_kg
        for bill in known.bills
        for item in bill.goods
        if item.container_number in (None, box.number if box else None)
    ]
    if box is None or box.tare_kg is None or not goods or any(g is None for g in goods):
        return None
    return box.tare_kg + sum(g for g in goods if g is not None)


def _compare(
    number: str, known: _Declared, unit: StowedUnit, tolerance: float
) -> list[Discrepancy]:
    out = []
    mass = _declared_mass(known)
    planned = unit.gross_mass_kg
    if mass is not None and planned is not None and abs(planned - mass) > tolerance * max(mass, 1):
        out.append(
            _found(
                "mass_differs",
                number,
                known,
                unit,
                f"{mass:g} kg",
                f"{planned:g} kg",
                f"planned {planned:g} kg, declared {mass:g} kg",
            )
        )
    box = known.box
    if box is not None and box.full is not None:
        tare = EMPTY_TARE_KG if box.tare_kg is None else box.tare_kg
        heavy = planned is not None and planned > tare + EMPTY_MARGIN_KG
        if unit.full is not None and unit.full != box.full:
            out.append(
                _found(
                    "full_empty_differs",
                    number,
                    known,
                    unit,
                    _state(box.full),
                    _state(unit.full),
                    f"declared {_state(box.full)}, planned {_state(unit.full)}",
                )
            )
        elif box.full is False and heavy:
            out.append(
                _found(
                    "full_empty_differs",
                    number,
                    known,
                    unit,
                    "empty",
                    f"{planned:g} kg",
                    f"declared empty, planned at {planned:g} kg",
                )
            )
    for bill in known.bills:
        if (
            unit.port_of_discharge is not None
            and bill.port_of_discharge is not None
            and unit.port_of_discharge != bill.port_of_discharge
            and unit.port_of_discharge not in bill.transshipment_ports
        ):
            out.append(
                _found(
                    "port_of_discharge_differs",
                    number,
                    known,
                    unit,
                    bill.port_of_discharge,
                    unit.port_of_discharge,
                    f"B/L {bill.bl_number} discharges at "
                    f"{bill.port_of_discharge}, the plan at {unit.port_of_discharge}",
                )
            )
        loading = {bill.port_of_loading, *bill.transshipment_ports} - {None}
        if unit.port_of_loading is not None and loading and unit.port_of_loading not in loading:
            out.append(
                _found(
                    "port_of_loading_differs",
                    number,
                    known,
                    unit,
                    bill.port_of_loading,
                    unit.port_of_loading,
                    f"B/L {bill.bl_number} loads at "
                    f"{bill.port_of_loading}, the plan at {unit.port_of_loading}",
                )
            )
    size_type = _size_type(unit, box)
    if unit.reefer_celsius is not None and size_type is not None and not _reefer(size_type):
        out.append(
            _found(
                "reefer_setting_on_dry_box",
                number,
                known,
                unit,
                size_type,
                f"{unit.reefer_celsius:g} °C",
                f"set to {unit.reefer_celsius:g} °C on a {size_type}, not a reefer",
            )
        )
    declared_setting = box.reefer_celsius if box is not None else None
    if declared_setting is not None and (
        unit.reefer_celsius is None
        or abs(unit.reefer_celsius - declared_setting) > REEFER_TOLERANCE_CELSIUS
    ):
        planned_setting = (
            "no setting" if unit.reefer_celsius is None else f"{unit.reefer_celsius:g} °C"
        )
        out.append(
            _found(
                "reefer_setting_differs",
                number,
                known,
                unit,
                f"{declared_setting:g} °C",
                planned_setting,
                f"declared {declared_setting:g} °C, the plan {planned_setting}",
            )
        )
    return out


def _state(full: bool) -> str:
    return "full" if full else "empty"


def _size_type(unit: StowedUnit, box: Container | None) -> str | None:
    """The plan's size-type when it is an ISO 6346 code, else the manifest's, else none
    (a code that says nothing cannot show a reefer setting to be wrong)."""
    for code in (unit.size_type, box.size_type if box is not None else None):
        if code is not None and describe_size_type(code.upper()) is not None:
            return code
    return None


def _reefer(size_type: str) -> bool:
    """ISO 6346 (:func:`~riskprofile.model.codes.describe_size_type`): group R
    (``22R1``), legacy types 3x and 4x (``2232``)."""
    size = describe_size_type(size_type.upper())
    return size is not None and size.group == "reefer"
