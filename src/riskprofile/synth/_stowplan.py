"""The stow plans of a port day, with planted mismatches (see :mod:`riskprofile.synth`).

The vessel operator's plan says the same as the manifests for almost every container: the
same size-type, full or empty, the declared VGM, the B/L's ports, a set temperature on a
laden reefer. Each vessel call also carries other ports' cargo (discharged further on),
which is no mismatch. A few units are then planted where the plan and the manifest
disagree the way :func:`~riskprofile.io.edifact.compare_stowplan` and the ``stowplan_*``
fields find: a laden box on board and on no manifest, a manifested box not on board, a
plan mass far above the declared VGM, an empty box planned laden, another port of
discharge, dangerous goods the manifest does not mention, a set temperature on a dry box.

Planting draws from its own random stream, seeded from the day's seed: the same
manifests and arguments always give the same plan, byte for byte.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from stdnum import iso6346

from riskprofile.io.edifact import StowedUnit, write_baplie_calls
from riskprofile.model.codes import describe_size_type
from riskprofile.model.manifest import Manifest
from riskprofile.model.shipment import Shipment, flatten
from riskprofile.synth._planting import PlantedCase

__all__ = ["STOWPLAN_SCENARIOS", "PortDayStowPlan", "generate_stowplan"]

STOWPLAN_SCENARIOS: tuple[tuple[str, str], ...] = (
    ("stowplan_not_manifested", "a laden container on board, discharged here, on no manifest"),
    ("stowplan_mass_gap", "the plan's VGM 20 to 45 % above the declared VGM"),
    ("stowplan_empty_but_laden", "declared empty, planned laden at 12 to 24 t"),
    ("stowplan_pod_mismatch", "the plan discharges it at another port than its B/L"),
    ("stowplan_undeclared_dg", "the plan carries dangerous goods its manifest does not mention"),
    ("stowplan_reefer_on_dry_box", "a reefer set temperature on a dry box"),
    ("stowplan_not_on_board", "manifested, and nowhere in the vessel's stow plan"),
)
"""What :func:`generate_stowplan` plants, in the order it deals the cases out: ``(name,
description)``."""

_CONTAINERS_PER_CASE = 250  # 20 mismatches in a 5,000-container day
_THROUGH_CARGO = 0.1  # other ports' units per manifested container
# (IMDG class, UN number): paint, petrol, lithium batteries, calcium hypochlorite, UN 1942.
_DANGEROUS = (("3", "1263"), ("3", "1203"), ("9", "3480"), ("5.1", "2880"), ("5.1", "1942"))
_OWNERS = ("TGHU", "TCNU", "FSCU", "SEGU", "BMOU", "CAIU", "GESU", "DRYU")
_NEXT_PORTS = ("INNSA", "AEJEA", "LKCMB", "OMSLL", "IRBND", "SAJED")


@dataclass(frozen=True)
class PortDayStowPlan:
    """The stow plans of a port day and the mismatches planted in them.

    Attributes:
        text: the plans as one BAPLIE interchange (SMDG 2.2 on D.95B, or 3.1 on D.13B),
            one message per vessel call, in the calls' order.
        units: every unit on board, per call: ``(vessel, voyage, units)``.
        planted: the planted mismatches, by call, then container number; a case's
            ``bl_number`` is empty for a container on no manifest.
    """

    text: str
    units: tuple[tuple[str | None, str | None, tuple[StowedUnit, ...]], ...]
    planted: tuple[PlantedCase, ...]


class _Positions:
    """Stowage cells, bay-row-tier (ISO 9711-1): odd bays for 20-foot boxes, even for
    longer ones, rows across, tiers 02-18 in the hold and 82-92 on deck."""

    def __init__(self) -> None:
        self._cells: dict[bool, Iterator[str]] = {True: self._walk(1), False: self._walk(2)}

    @staticmethod
    def _walk(first_bay: int) -> Iterator[str]:
        for bay in range(first_bay, 100, 2):
            for tier in (*range(2, 20, 2), *range(82, 94, 2)):
                for row in range(17):
                    yield f"{bay:03d}{row:02d}{tier:02d}"

    def next(self, size_type: str | None) -> str:
        size = describe_size_type(size_type) if size_type else None
        return next(self._cells[size is not None and size.length_ft <= 20])


def _number(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = rng.choice(_OWNERS) + f"{rng.randrange(10**6):06d}"
        number = body + iso6346.calc_check_digit(body)
        if number not in taken:
            taken.add(number)
            return number


def _setting(description: str | None) -> float:
    """A plausible set temperature for the goods: frozen, chilled fruit, or cool."""
    text = (description or "").upper()
    if "FROZEN" in text:
        return -18.0
    return 13.0 if "BANANA" in text else 4.0


@dataclass
class _Slot:
    """A unit of the plan, the B/L naming it, the ports its B/Ls discharge or tranship
    at, and whether its declaration carries a data-quality flag."""

    unit: StowedUnit
    bl_number: str | None
    ports: frozenset[str]
    flagged: bool


def _call_units(manifest: Manifest, rng: random.Random, positions: _Positions) -> list[_Slot]:
    """The plan's units as the manifest declares them (its shipments' fields: the mass is
    the VGM, else the tare plus the container's goods, as ``stowplan_mass_gap_ratio``
    reads it)."""
    by_box: dict[str, list[Shipment]] = {}
    for shipment in flatten(manifest):
        if shipment.container_number is not None:
            by_box.setdefault(shipment.container_number, []).append(shipment)
    out = []
    for number, shipments in by_box.items():
        first = shipments[0]
        mass = first.verified_gross_mass_kg
        if mass is None and first.tare_kg is not None:
            goods = first.container_goods_weight_kg
            mass = None if goods is None else first.tare_kg + goods
        if mass is None:
            mass = float(rng.randrange(2_200, 28_000))
        laden_reefer = first.container_type == "reefer" and first.container_full is not False
        ports = {p for s in shipments for p in (s.port_of_discharge, *s.transshipment_ports)}
        unit = StowedUnit(
            position=positions.next(first.container_size_type),
            container_number=number,
            size_type=first.container_size_type,
            full=first.container_full,
            gross_mass_kg=mass,
            port_of_loading=first.port_of_loading,
            port_of_discharge=first.port_of_discharge or manifest.port_of_call,
            reefer_celsius=_setting(first.description) if laden_reefer else None,
            operator=manifest.carrier_scac,
        )
        out.append(
            _Slot(
                unit,
                first.bl_number,
                frozenset(p for p in ports if p is not None),
                any(s.quality_flag_count for s in shipments),
            )
        )
    return out


def _through_cargo(
    manifest: Manifest, count: int, rng: random.Random, positions: _Positions, taken: set[str]
) -> list[StowedUnit]:
    """Other ports' units: on board, discharged further on."""
    out = []
    for _ in range(count):
        size_type = rng.choice(("22G1", "45G1", "42G1", "45R1"))
        full = rng.random() < 0.8
        out.append(
            StowedUnit(
                position=positions.next(size_type),
                container_number=_number(rng, taken),
                size_type=size_type,
                full=full,
                gross_mass_kg=float(rng.randrange(12_000, 28_000) if full else 3_800),
                port_of_loading=rng.choice(_NEXT_PORTS),
                port_of_discharge=rng.choice(
                    [p for p in _NEXT_PORTS if p != manifest.port_of_call]
                ),
                operator=manifest.carrier_scac,
            )
        )
    return out


def generate_stowplan(
    manifests: Sequence[Manifest],
    seed: int,
    *,
    planted: int | None = None,
    avoid: Iterable[str] = (),
    prepared: datetime | None = None,
    version: Literal["2.2", "3.1"] = "2.2",
) -> PortDayStowPlan:
    """The vessels' stow plans for ``manifests`` (a port day), with mismatches planted.

    Every declared container of a call is on board as declared (its VGM, or its tare plus
    its goods, its B/L's ports, a set temperature on a laden reefer), with a tenth as many
    units of other ports' cargo; then ``planted`` units are changed, or added, or left
    out, dealing the cases of :data:`STOWPLAN_SCENARIOS` out in turn (a scenario no
    container can carry, such as an empty box planned laden in a day without empties, is
    skipped). Containers in ``avoid`` (the port day's planted cases) and containers with
    a data-quality flag are not used, so that each mismatch is the only oddity.

    Args:
        manifests: the day's vessel calls (:func:`generate_port_day`'s ``manifests``).
        seed: the seed of the plan's random stream (the day's seed).
        planted: how many mismatches; by default one per 250 containers, at least one
            of each scenario when the day has the containers for them.
        avoid: container numbers not to plant on.
        prepared: the date of the messages (the epoch by default, for the same bytes).
        version: the BAPLIE layout of ``text``: SMDG 2.2 on D.95B, or ``"3.1"`` (SMDG 3.1
            on D.13B); the units and the planted cases are the same in both.

    Raises:
        ValueError: for a negative ``planted``.

    >>> from riskprofile.synth import generate_port_day
    >>> day = generate_port_day(3, 500)
    >>> stowage = generate_stowplan(day.manifests, 3, avoid=day.planted_containers)
    >>> sorted({case.scenario for case in stowage.planted})[:2]
    ['stowplan_empty_but_laden', 'stowplan_mass_gap']
    """
    manifests = list(manifests)
    containers = sum(len(m.containers) for m in manifests)
    if planted is None:
        planted = max(len(STOWPLAN_SCENARIOS), round(containers / _CONTAINERS_PER_CASE))
    if not isinstance(planted, int) or isinstance(planted, bool) or planted < 0:
        raise ValueError(f"planted must be a non-negative int, not {planted!r}")
    rng = random.Random(f"riskprofile.synth.stowplan:{seed}")  # noqa: S311
    taken = {box.number for m in manifests for box in m.containers}
    calls: list[list[_Slot]] = []
    positions: list[_Positions] = []
    for manifest in manifests:
        cells = _Positions()
        positions.append(cells)
        calls.append(_call_units(manifest, rng, cells))
    taken |= {slot.unit.container_number or "" for slots in calls for slot in slots}
    avoided = set(avoid)
    hosts = [
        (c, i)
        for c, slots in enumerate(calls)
        for i, slot in enumerate(slots)
        if not slot.flagged and slot.unit.container_number not in avoided
    ]
    rng.shuffle(hosts)
    cases: list[tuple[int, PlantedCase]] = []
    dropped: set[tuple[int, int]] = set()
    added: dict[int, list[StowedUnit]] = {}
    used: set[tuple[int, int]] = set()
    for n in range(planted):
        for turn in range(len(STOWPLAN_SCENARIOS)):
            name, text = STOWPLAN_SCENARIOS[(n + turn) % len(STOWPLAN_SCENARIOS)]
            case = _plant(name, text, manifests, calls, hosts, used, rng, positions, taken)
            if case is None:
                continue
            call, index, planted_case, extra = case
            cases.append((call, planted_case))
            if name == "stowplan_not_on_board":
                dropped.add((call, index))
            if extra is not None:
                added.setdefault(call, []).append(extra)
            break
    plans = []
    for c, manifest in enumerate(manifests):
        units = [slot.unit for i, slot in enumerate(calls[c]) if (c, i) not in dropped]
        units += added.get(c, [])
        units += _through_cargo(
            manifest, round(len(manifest.containers) * _THROUGH_CARGO), rng, positions[c], taken
        )
        plans.append((manifest.vessel_name, manifest.voyage_number, tuple(units)))
    cases.sort(key=lambda cc: (cc[0], cc[1].container_number))
    return PortDayStowPlan(
        text=write_baplie_calls(plans, prepared=prepared, version=version),
        units=tuple(plans),
        planted=tuple(case for _, case in cases),
    )


def _plant(
    name: str,
    text: str,
    manifests: list[Manifest],
    calls: list[list[_Slot]],
    hosts: list[tuple[int, int]],
    used: set[tuple[int, int]],
    rng: random.Random,
    positions: list[_Positions],
    taken: set[str],
) -> tuple[int, int, PlantedCase, StowedUnit | None] | None:
    """Plant one case of scenario ``name`` on the first host that can carry it."""
    if name == "stowplan_not_manifested":
        if not manifests:
            return None
        call = rng.randrange(len(manifests))
        size_type = rng.choice(("22G1", "45G1"))
        unit = StowedUnit(
            position=positions[call].next(size_type),
            container_number=_number(rng, taken),
            size_type=size_type,
            full=True,
            gross_mass_kg=float(rng.randrange(18_000, 29_000)),
            port_of_loading=rng.choice(_NEXT_PORTS),
            port_of_discharge=manifests[call].port_of_call,
            operator=manifests[call].carrier_scac,
        )
        case = PlantedCase(unit.container_number or "", "", name, text)
        return call, -1, case, unit
    for call, index in hosts:
        if (call, index) in used:
            continue
        slot = calls[call][index]
        changed = _changed(name, slot, rng)
        if changed is None:
            continue
        used.add((call, index))
        number, bl = slot.unit.container_number or "", slot.bl_number or ""
        slot.unit = changed
        return call, index, PlantedCase(number, bl, name, text), None
    return None


def _changed(name: str, slot: _Slot, rng: random.Random) -> StowedUnit | None:
    """The slot's unit as the scenario plants it, or None when it cannot carry it."""
    unit = slot.unit
    size = describe_size_type(unit.size_type) if unit.size_type else None
    if name == "stowplan_mass_gap":
        if unit.full is not True or unit.gross_mass_kg is None or unit.gross_mass_kg < 5_000:
            return None
        return replace(unit, gross_mass_kg=round(unit.gross_mass_kg * rng.uniform(1.2, 1.45), 1))
    if name == "stowplan_empty_but_laden":
        if unit.full is not False:
            return None
        return replace(unit, full=True, gross_mass_kg=float(rng.randrange(12_000, 24_000)))
    if name == "stowplan_pod_mismatch":
        if unit.port_of_discharge is None:
            return None
        other = [p for p in _NEXT_PORTS if p not in slot.ports | {unit.port_of_discharge}]
        return replace(unit, port_of_discharge=rng.choice(other))
    if name == "stowplan_undeclared_dg":
        if unit.full is not True or unit.dangerous_goods:
            return None
        return replace(unit, dangerous_goods=(rng.choice(_DANGEROUS),))
    if name == "stowplan_reefer_on_dry_box":
        if size is None or size.group == "reefer" or unit.full is not True:
            return None
        return replace(unit, reefer_celsius=rng.choice((-18.0, -20.0, 2.0)))
    if name == "stowplan_not_on_board":
        return unit
    raise AssertionError(name)  # pragma: no cover
