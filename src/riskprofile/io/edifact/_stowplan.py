"""Stow plans: BAPLIE messages read into the units on board, and written back.

The stow plan is written by the vessel operator, not by whoever filed the manifest, so
the two can contradict each other (a container on board and not manifested, a VGM far
from the declared weight, a port of discharge that disagrees). This module reads what
the plan says; comparing it with a manifest is for the caller.

Read: BAPLIE in the D.95B layout of SMDG's manuals 1.5 (``BAPLIE:1:911``), 2.0 and 2.2
(``BAPLIE:D:95B:UN:SMDG22``). Each stowage location (``LOC+147``, bay-row-tier) with its
container (``EQD``) becomes a :class:`StowedUnit`; every problem is kept with its place
(:attr:`StowPlan.problems`) and no unit with a container number is ever dropped.

>>> plan = read_stowplan("tests/data/edifact/baplie-smdg22.edi")
>>> [(u.position, u.container_number) for u in plan.units][:2]
[('0020182', 'MSKU9070323'), ('0040382', 'CSQU3054383')]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from riskprofile.errors import InputFormatError
from riskprofile.io.edifact._envelope import Message, Problem, open_envelopes
from riskprofile.io.edifact._groups import GroupNode, place_segments, segment_table
from riskprofile.io.edifact._reader import paused_gc, read_text
from riskprofile.io.edifact._syntax import (
    DEFAULT_SERVICE,
    Segment,
    segment,
    tokenize,
    write_segments,
)
from riskprofile.io.edifact._values import (
    FULL_EMPTY,
    format_number,
    parse_temperature,
    parse_weight,
)

__all__ = ["StowPlan", "StowedUnit", "read_stowplan", "write_baplie", "write_baplie_calls"]


@dataclass(frozen=True, slots=True)
class StowedUnit:
    """One occupied stowage location of a stow plan.

    Attributes:
        position: the stowage cell, bay-row-tier as written (``0020182``: bay 002, row
            01, tier 82), ISO 9711-1.
        container_number: the container's number as written (``EQD`` element 2).
        size_type: the ISO 6346 size-type code.
        full: true when laden, false when empty (``EQD`` 8169: 5 full, 4 empty).
        gross_mass_kg: the verified gross mass (``MEA+VGM``) or, failing that, the gross
            weight (``MEA+WT``), in kg.
        port_of_loading, port_of_discharge: ``LOC+9`` and ``LOC+11`` of the location.
        dangerous_goods: ``(IMDG class, UN number)`` of each ``DGS``.
        reefer_celsius: the set temperature (``TMP+2``), in degrees Celsius.
        operator: the container operator (``NAD+CA``).
        message, segment: the message reference and the position of the ``LOC+147`` in it.
    """

    position: str
    container_number: str | None = None
    size_type: str | None = None
    full: bool | None = None
    gross_mass_kg: float | None = None
    port_of_loading: str | None = None
    port_of_discharge: str | None = None
    dangerous_goods: tuple[tuple[str | None, str | None], ...] = ()
    reefer_celsius: float | None = None
    operator: str | None = None
    message: str | None = None
    segment: int | None = None


@dataclass(slots=True)
class StowPlan:
    """The units of a stow plan file, the voyage it is for, and every problem found.

    Attributes:
        source: the file.
        vessel, voyage: from the first message's ``TDT+20`` (vessel name, voyage number).
        units: every occupied location, in file order.
        problems: control counts, segments out of place, values that cannot be read,
            locations without a container: each with its place in the file.
    """

    source: str
    vessel: str | None = None
    voyage: str | None = None
    units: list[StowedUnit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def container_numbers(self) -> list[str]:
        """The container numbers on board, in file order."""
        return [u.container_number for u in self.units if u.container_number is not None]


def read_stowplan(path: str | Path) -> StowPlan:
    """Read a BAPLIE file into a :class:`StowPlan`.

    Raises:
        InputFormatError: the file cannot be read, or holds no BAPLIE message.
    """
    path = Path(path)
    source = str(path)
    plan = StowPlan(source)
    with paused_gc():
        try:
            tokens = tokenize(read_text(path))
        except InputFormatError as exc:
            raise InputFormatError(exc.message, path=source) from None
        envelope = open_envelopes(tokens)
        decimal = tokens.service.decimal
        table = segment_table("BAPLIE", "D95B")
        messages = 0
        for unit in envelope.units:
            if not isinstance(unit, Message):
                plan.problems.extend(unit.problems)
                continue
            if unit.type != "BAPLIE":
                plan.problems.append(
                    unit.problem(
                        "message_type", f"a {unit.type or '(none)'} message, not BAPLIE", 1
                    )
                )
                continue
            messages += 1
            root, placing = place_segments(unit, table)
            plan.problems.extend(unit.problems)
            plan.problems.extend(placing)
            _voyage(plan, root)
            for location in root.groups.get("SG2", ()):
                stowed = _unit(unit, location, decimal, plan.problems)
                if stowed is not None:
                    plan.units.append(stowed)
    if not messages:
        raise InputFormatError("no BAPLIE message in the file", path=source)
    return plan


def _voyage(plan: StowPlan, root: GroupNode) -> None:
    if plan.vessel is not None or plan.voyage is not None:
        return
    for transport in root.groups.get("SG1", ()):
        found = transport.first("TDT")
        if found is not None and found[1].value(1) == "20":
            plan.voyage = found[1].value(2)
            plan.vessel = found[1].value(8, 4)
            return


def _unit(
    message: Message, node: GroupNode, decimal: str, problems: list[Problem]
) -> StowedUnit | None:
    cell = node.first("LOC")
    if cell is None:
        return None
    position, loc = cell
    places = {s.value(1): s.value(2, 1) for _, s in node.segments.get("LOC", [])[1:]}
    equipment = node.groups.get("SG3", [])
    eqd = equipment[0].first("EQD") if equipment else None
    if eqd is None:
        problems.append(
            message.problem("no_container", "a stowage location without a container", position)
        )
        return None
    _, box = eqd
    operator = None
    nad = equipment[0].first("NAD")
    if nad is not None:
        operator = nad[1].value(2, 1)
    mass: float | None = None
    masses = {s.value(1): (p, s) for p, s in node.segments.get("MEA", [])}
    for qualifier in ("VGM", "WT", "AAE"):
        if qualifier in masses:
            at, mea = masses[qualifier]
            unit_code, text = mea.value(3, 1), mea.value(3, 2)
            if text is None:  # a location's MEA is mandatory, its value is not
                break
            try:
                mass = parse_weight(unit_code, text, decimal)
            except ValueError as exc:
                problems.append(message.problem("invalid_value", str(exc), at, "3", text))
            break
    reefer = None
    tmp = node.first("TMP")
    if tmp is not None:
        value, unit_code = tmp[1].value(2, 1), tmp[1].value(2, 2)
        try:
            reefer = parse_temperature(unit_code, value or "", decimal)
        except ValueError as exc:
            problems.append(message.problem("invalid_value", str(exc), tmp[0], "2.1", value))
    dangerous = tuple(
        (dgs.value(2, 1), dgs.value(3, 1))
        for group in node.groups.get("SG4", ())
        for _, dgs in group.segments.get("DGS", [])
    )
    full_code = box.value(6)
    return StowedUnit(
        position=loc.value(2, 1) or "",
        container_number=box.value(2, 1),
        size_type=box.value(3, 1),
        full=FULL_EMPTY.get(full_code) if full_code else None,
        gross_mass_kg=mass,
        port_of_loading=places.get("9"),
        port_of_discharge=places.get("11"),
        dangerous_goods=dangerous,
        reefer_celsius=reefer,
        operator=operator,
        message=message.reference,
        segment=position,
    )


def write_baplie(
    units: Iterable[StowedUnit],
    *,
    vessel: str | None = None,
    voyage: str | None = None,
    prepared: datetime | None = None,
) -> str:
    """Units as one BAPLIE message (SMDG 2.2 layout, D.95B) in one interchange: the same
    units always give the same bytes (``prepared`` defaults to the epoch)."""
    return write_baplie_calls([(vessel, voyage, units)], prepared=prepared)


def write_baplie_calls(
    calls: Iterable[tuple[str | None, str | None, Iterable[StowedUnit]]],
    *,
    prepared: datetime | None = None,
) -> str:
    """Several vessels' plans, ``(vessel, voyage, units)`` each, as one BAPLIE message per
    vessel (SMDG 2.2 layout, D.95B) in one interchange; :func:`read_stowplan` reads them
    all back into one plan. The same calls always give the same bytes."""
    stamp = (prepared or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
    when = f"{stamp.year:04d}{stamp.month:02d}{stamp.day:02d}{stamp.hour:02d}{stamp.minute:02d}"
    segments = [
        segment("UNB", ("UNOA", "2"), "RISKPROFILE", "RECEIVER", (when[2:8], when[8:]), "1")
    ]
    count = 0
    for vessel, voyage, units in calls:
        count += 1
        segments += _baplie_message(str(count), vessel, voyage, units, when)
    segments.append(segment("UNZ", str(count), "1"))
    return write_segments(segments, DEFAULT_SERVICE, una=True)


def _baplie_message(
    reference: str,
    vessel: str | None,
    voyage: str | None,
    units: Iterable[StowedUnit],
    when: str,
) -> list[Segment]:
    body = [
        segment("UNH", reference, ("BAPLIE", "D", "95B", "UN", "SMDG22")),
        segment("BGM", None, reference, "9"),
        segment("DTM", ("137", when, "203")),
        segment("TDT", "20", voyage, None, None, None, None, None, ("", "", "", vessel or "")),
        segment("LOC", "5", "XXXXX"),
        segment("DTM", ("178", when, "203")),
    ]
    for unit in units:
        body.append(segment("LOC", "147", (unit.position, "", "5")))
        if unit.gross_mass_kg is not None:
            body.append(segment("MEA", "VGM", None, ("KGM", format_number(unit.gross_mass_kg))))
        else:
            body.append(segment("MEA", "WT", None, "KGM"))
        if unit.reefer_celsius is not None:
            body.append(segment("TMP", "2", (format_number(unit.reefer_celsius), "CEL")))
        for code, port in (("9", unit.port_of_loading), ("11", unit.port_of_discharge)):
            if port is not None:
                body.append(segment("LOC", code, (port, "139", "6")))
        body.append(segment("RFF", ("BM", "1")))
        full = None if unit.full is None else ("5" if unit.full else "4")
        body.append(
            segment(
                "EQD",
                "CN",
                unit.container_number,
                (unit.size_type, "102", "5") if unit.size_type else None,
                None,
                None,
                full,
            )
        )
        if unit.operator is not None:
            body.append(segment("NAD", "CA", (unit.operator, "172", "20")))
        for imdg, un in unit.dangerous_goods:
            body.append(segment("DGS", "IMD", imdg, un))
    body.append(segment("UNT", str(len(body) + 1), reference))
    return body
