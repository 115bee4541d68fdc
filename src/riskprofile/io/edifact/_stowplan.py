"""Stow plans: BAPLIE messages read into the units on board (written back by
:mod:`riskprofile.io.edifact._stowwriter`).

The stow plan is written by the vessel operator, not by whoever filed the manifest, so
the two can contradict each other (a container on board and not manifested, a VGM far
from the declared weight, a port of discharge that disagrees). This module reads what
the plan says; comparing it with a manifest is for the caller.

Read: BAPLIE in the D.95B layout of SMDG's manuals 1.5 (``BAPLIE:1:911``), 2.0 and 2.2
(``BAPLIE:D:95B:UN:SMDG22``), and in the layout of the message's revision 7 that SMDG's
BAPLIE 3 manuals use (``BAPLIE:D:13B:UN:SMDG31``; D.13A to D.20B, and D.21A and later
with their ``ATT`` segments): each message is read with the segment table of its
directory, or of the SMDG manual its ``UNH`` names (:func:`baplie_table`). Each
container (``EQD``) in a stowage location
(``LOC+147``, bay-row-tier) becomes a :class:`StowedUnit`; every problem is kept with its
place (:attr:`StowPlan.problems`) and no unit with a container number is ever dropped.

>>> plan = read_stowplan("tests/data/edifact/baplie-smdg22.edi")
>>> [(u.position, u.container_number) for u in plan.units][:2]
[('0020182', 'MSKU9070323'), ('0040382', 'CSQU3054383')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from operator import mul
from pathlib import Path

from riskprofile.errors import InputFormatError
from riskprofile.io.edifact._envelope import Message, Problem, open_envelopes
from riskprofile.io.edifact._groups import GroupNode, SegmentTable, place_segments, segment_table
from riskprofile.io.edifact._reader import paused_gc, read_text
from riskprofile.io.edifact._stowtext import decimal_at, stowplan_tokens
from riskprofile.io.edifact._syntax import (
    Segment,
)
from riskprofile.io.edifact._values import (
    FULL_EMPTY,
    parse_temperature,
    parse_weight,
)
from riskprofile.model.codes import container_number_problem, normalise_container_number

__all__ = ["StowPlan", "StowedUnit", "baplie_table", "read_stowplan"]

# The BAPLIE 3 mass qualifiers, first found wins: MEA+AAE+VGM, +AET (gross), then the
# BAPLIE 2 writing (MEA+VGM++, MEA+WT++) keyed "2:<qualifier>".
_MASSES_3 = ("VGM", "AET", "2:VGM", "2:WT")
# Tables read location-first with an equipment group per container (revision 7).
_EQUIPMENT_FIRST = ("D13B", "D21A")
# ISO 6346 at the speed of a 20,000-unit plan: the shape, then the check digit from each
# character's value (letters 10 to 38, the multiples of 11 skipped) weighted 2**i. Only
# a number that fails is handed to model.codes for the reason.
_ISO6346 = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")
_VALUES = {str(d): d for d in range(10)} | dict(
    zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [v for v in range(10, 39) if v % 11], strict=True)
)
_WEIGHTS = tuple(2**i for i in range(10))


def _iso6346(number: str) -> bool:
    """``number`` is an ISO 6346 container number with its check digit right."""
    if _ISO6346.fullmatch(number) is None:
        return False
    total = sum(map(mul, map(_VALUES.__getitem__, number[:10]), _WEIGHTS))
    return str(total % 11 % 10) == number[10]


@dataclass(frozen=True, slots=True)
class StowedUnit:
    """One occupied stowage location of a stow plan.

    Attributes:
        position: the stowage cell, bay-row-tier as written (``0020182``: bay 002, row
            01, tier 82), ISO 9711-1.
        container_number: the container's number as written (``EQD`` element 2).
        size_type: the ISO 6346 size-type code.
        full: true when laden, false when empty (``EQD`` 8169: 5 full, 4 empty).
        gross_mass_kg: the verified gross mass (``MEA+VGM``; BAPLIE 3: ``MEA+AAE+VGM``) or,
            failing that, the gross weight (``MEA+WT``; BAPLIE 3: ``MEA+AAE+AET``), in kg.
        port_of_loading, port_of_discharge: ``LOC+9`` and ``LOC+11`` of the location
            (BAPLIE 3: of the container).
        dangerous_goods: ``(IMDG class, UN number)`` of each ``DGS``.
        reefer_celsius: the set temperature (``TMP+2``), in degrees Celsius.
        operator: the container operator (``NAD+CA``; BAPLIE 3: ``NAD+CF``).
        message, segment: the message reference and the position of the ``LOC+147`` in it.
        equipment: the ``EQD`` qualifier (8053): ``CN`` a container, ``BB`` break-bulk
            cargo, ``TE`` a trailer...
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
    equipment: str = "CN"

    @property
    def is_container(self) -> bool:
        """A container: ``EQD+CN``, or other equipment numbered as an ISO 6346 container
        (a swap body, a box on a trailer). Break-bulk cargo (``EQD+BB``) is on board but
        is no container: the stow plan's cross-check leaves it out."""
        if self.equipment == "CN":
            return True
        number = self.container_number
        return number is not None and _iso6346(normalise_container_number(number))


@dataclass(slots=True)
class StowPlan:
    """The units of a stow plan file, the voyage it is for, and every problem found.

    Attributes:
        source: the file.
        vessel, voyage: from the first message's ``TDT+20`` (vessel name, voyage number).
        units: every container on board, in file order (a location holding several
            containers gives a unit for each).
        problems: control counts, segments out of place, values that cannot be read:
            each with its place in the file.
        empty_locations: the positions a plan lists without equipment (lost or blocked
            slots, empty locations reported by agreement), in either layout: no container
            is missing there, so they are no problem, but they are not silently dropped.
    """

    source: str
    vessel: str | None = None
    voyage: str | None = None
    units: list[StowedUnit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    empty_locations: list[str] = field(default_factory=list)

    @property
    def container_numbers(self) -> list[str]:
        """The container numbers on board, in file order, as written (break-bulk and
        other equipment that is no container left out: :attr:`StowedUnit.is_container`)."""
        return [
            u.container_number
            for u in self.units
            if u.container_number is not None and u.is_container
        ]


def read_stowplan(path: str | Path) -> StowPlan:
    """Read a BAPLIE file into a :class:`StowPlan`.

    Raises:
        InputFormatError: the file cannot be read, or holds no BAPLIE message.
    """
    path = Path(path)
    source = str(path)
    plan = StowPlan(source)
    with paused_gc():
        # The segments die when _read returns, the collector still off: turned back on
        # beside them, it would scan the whole file's tuples once more (a third of the
        # read at 20,000 units).
        messages = _read(path, plan)
    if not messages:
        raise InputFormatError("no BAPLIE message in the file", path=source)
    return plan


def _read(path: Path, plan: StowPlan) -> int:
    """Read ``path``'s messages into ``plan``; the number of BAPLIE messages."""
    try:
        tokens, decimals = stowplan_tokens(read_text(path))
    except InputFormatError as exc:
        raise InputFormatError(exc.message, path=plan.source) from None
    envelope = open_envelopes(tokens)
    messages = 0
    transfers: dict[str, list[Message]] = {}
    seen: dict[tuple[str | None, str | None], _Seen] = {}  # per vessel call
    for unit in envelope.units:
        if not isinstance(unit, Message):
            plan.problems.extend(unit.problems)
            continue
        if unit.type != "BAPLIE":
            plan.problems.append(
                unit.problem("message_type", f"a {unit.type or '(none)'} message, not BAPLIE", 1)
            )
            continue
        messages += 1
        unh = unit.segments[0]
        if unh.value(4, 1) is not None or unh.value(4, 2) is not None:
            key = unh.value(3) or f"interchange {unit.interchange}"
            transfers.setdefault(key, []).append(unit)
        decimal = decimal_at(decimals, unit.first)
        start = len(plan.units)
        root, table, placing = _placed(unit)
        plan.problems.extend(unit.problems)
        plan.problems.extend(_named(unit, _ship_size(unit, table, p)) for p in placing)
        if table.directory in _EQUIPMENT_FIRST:
            call = _voyage(plan, root, "SG4")
            _equipment_units(unit, root, decimal, plan)
        else:
            call = _voyage(plan, root, "SG1")
            for location in root.groups.get("SG2", ()):
                plan.units.extend(_unit(unit, location, decimal, plan))
        _twice(unit, plan.units, start, seen.setdefault(call, ({}, {})), plan.problems)
    for key, parts in transfers.items():
        plan.problems.extend(_sequence(key, parts))
    return messages


# The first unit read of each container number (upper case, no blanks) and of each
# position in one vessel call's messages, with its message.
_Seen = tuple[dict[str, tuple[StowedUnit, Message]], dict[str, tuple[StowedUnit, Message]]]


def _twice(
    message: Message, units: list[StowedUnit], start: int, seen: _Seen, problems: list[Problem]
) -> None:
    """Say a container number found again in one vessel call's plan (in another
    location, or a part of the plan sent twice) and a position found again in another
    location (two containers in one slot): both units are kept, the later one's
    location is named. Several containers of one location (a BAPLIE 2 location with
    two ``EQD``) are no slot taken twice; the plans of other vessels in the file are
    not compared (``seen`` is the call's)."""
    numbers, cells = seen
    for index in range(start, len(units)):
        unit = units[index]
        if not unit.is_container:
            continue
        number = unit.container_number
        if number is not None:
            key = "".join(number.split()).upper()
            first, where = numbers.setdefault(key, (unit, message))
            if first is not unit:
                problems.append(
                    message.problem(
                        "duplicate",
                        f"container {number} is also at position {first.position or '(none)'} "
                        f"({_place(first, where)}): both units are kept",
                        unit.segment,
                        "2.1",
                        number,
                    )
                )
        if unit.position:
            first, where = cells.setdefault(unit.position, (unit, message))
            if first is not unit and (first.segment != unit.segment or where is not message):
                other = first.container_number or "(no number)"
                problems.append(
                    message.problem(
                        "duplicate",
                        f"position {unit.position} also holds {other} "
                        f"({_place(first, where)}): two containers in one slot, both kept",
                        unit.segment,
                        "2.1",
                        unit.position,
                    )
                )


def _place(unit: StowedUnit, message: Message) -> str:
    """``interchange 1, message 2, segment 8`` of a unit's location."""
    inside = f"message {message.reference}, segment {unit.segment}"
    return inside if message.interchange is None else f"interchange {message.interchange}, {inside}"


# The group of one stowage location in each layout's segment table.
_LOCATION_GROUP = {"D95B": "SG2", "D13B": "SG6", "D21A": "SG6"}


def _ship_size(message: Message, table: SegmentTable, problem: Problem) -> Problem:
    """More stowage locations in one message than its table allows is a large ship's
    plan sent whole, not a broken one: said as such, every location being read."""
    group = _LOCATION_GROUP[table.directory]
    if problem.code != "too_many" or not problem.reason.startswith(f"{group} occurs"):
        return problem
    limit = table.group(group).repeat
    return replace(
        problem,
        reason=f"more than {limit:,} stowage locations in one message, the limit of the "
        f"{table.directory} segment table ({group}): every location is read (a plan this "
        "large may be split over several messages)",
    )


def _sequence(key: str, parts: list[Message]) -> list[Problem]:
    """The messages of one plan sent as a sequence of transfers (``UNH`` common access
    reference ``key``, ``S010``: the part's number, ``C`` on the first, ``F`` on the
    last): a part missing or sent twice is said, for its containers are missing from
    the plan or read twice. One message numbered 1 without ``C`` or ``F`` is whole."""
    problems = []
    seen: dict[int, Message] = {}
    last = None
    started = False
    for part in parts:
        unh = part.segments[0]
        number_text, flag = unh.value(4, 1), (unh.value(4, 2) or "").upper()
        started = started or flag == "C"
        if flag == "F":
            last = part
        if number_text is None or not number_text.isdigit():
            problems.append(
                part.problem(
                    "transfer_sequence",
                    f"the part of the plan sent as the sequence {key!r} has no number",
                    1,
                    "4.1",
                    number_text,
                )
            )
            continue
        number = int(number_text)
        if number in seen:
            problems.append(
                part.problem(
                    "transfer_sequence",
                    f"part {number} of the plan sent as the sequence {key!r} comes twice (also "
                    f"message {seen[number].reference}): its containers are read twice",
                    1,
                    "4.1",
                    number_text,
                )
            )
        seen.setdefault(number, part)
    if not seen:
        return problems
    top = max(seen)
    final = last.segments[0].value(4, 1) if last is not None else None
    end = int(final) if final is not None and final.isdigit() else top
    missing = [n for n in range(1, max(end, top) + 1) if n not in seen]
    first = parts[0]
    if last is None and (started or top > 1):
        problems.append(
            first.problem(
                "transfer_sequence",
                f"the plan sent as the sequence {key!r} has no last part (F) in the file: "
                f"parts after {top} may be missing, and their containers with them",
                1,
                "4.2",
            )
        )
    if missing:
        several = len(missing) > 1
        shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
        problems.append(
            first.problem(
                "transfer_sequence",
                f"the plan sent as the sequence {key!r} lacks part{'s' if several else ''} "
                f"{shown} of {max(end, top)}: the containers in {'them' if several else 'it'} "
                "are missing from the plan",
                1,
                "4.1",
            )
        )
    return problems


def _placed(message: Message) -> tuple[GroupNode, SegmentTable, list[Problem]]:
    """The message placed in its segment table, as its ``UNH`` labels it; when that
    leaves containers without a place and the other layout places every one of them
    (a 3.x plan labelled ``SMDG22`` or ``D:95B``, a 2.x one labelled ``D:13B``), the
    other layout, said (``directory``). A ``UNS`` (which only the 3.x layout has) that
    disagrees with the label has the other layout tried first, so that a mislabelled
    plan is placed once, not twice."""
    association = message.segments[0].value(2, 5) if message.segments else None
    labelled = baplie_table(message.directory, association)
    other = segment_table("BAPLIE", "D95B" if labelled.directory in _EQUIPMENT_FIRST else "D21A")
    has_uns = any(s.tag == "UNS" for s in message.segments)
    tried = [labelled, other]
    if has_uns is (labelled.directory not in _EQUIPMENT_FIRST):
        tried.reverse()
    placed = {}
    for table in tried:
        root, placing = place_segments(message, table)
        placed[table.directory] = (root, placing)
        if any(p.code == "unplaced_segment" and p.tag == "EQD" for p in placing):
            continue
        if table is labelled:
            return root, table, placing
        label = ":".join(v or "" for v in message.segments[0].elements[1][:5]).rstrip(":")
        layout = "SMDG 2.x (D.95B)" if table.directory == "D95B" else "SMDG 3.x (revision 7)"
        note = message.problem(
            "directory",
            f"labelled {label} but written in the {layout} layout: read with the "
            f"{table.directory} segment table",
            1,
            "2",
            label,
        )
        return root, table, [note, *placing]
    root, placing = placed[labelled.directory]
    return root, labelled, placing


def _named(message: Message, problem: Problem) -> Problem:
    """An ``EQD`` without a place names its container: the unit is not read, and the
    problem says which one it is."""
    if problem.code != "unplaced_segment" or problem.tag != "EQD" or problem.position is None:
        return problem
    number = message.segments[problem.position - 1].value(2, 1)
    if not number:
        return problem
    return replace(
        problem, reason=f"{problem.reason}: container {number} is not read", value=number
    )


def baplie_table(directory: str, association: str | None = None) -> SegmentTable:
    """The segment table a BAPLIE message of ``directory`` (``D13B``) is read with.

    D.13A to D.20B have the message's revision 7 (BAPLIE 3), D.21A and later add ``ATT``
    to it; every older directory, and SMDG 1.5's ``1:911``, is read with D.95B's (the
    layout SMDG's manuals 1.5 to 2.2 use). The SMDG manual a message names in its ``UNH``
    (``association``, ``SMDG22``, ``SMDG31``) says its layout whatever its directory: a
    2.x message sent on D.13B is read with D.95B's table, a 3.x one on an older
    directory with D.13B's.

    >>> baplie_table("D16A").directory, baplie_table("D95B").directory
    ('D13B', 'D95B')
    >>> baplie_table("D13B", "SMDG22").directory
    'D95B'
    """
    match = re.fullmatch(r"D(\d\d)([AB])", directory.upper())
    year = int(match[1]) if match is not None and int(match[1]) < 90 else 0  # 2000 on
    manual = re.fullmatch(r"SMDG(\d)", (association or "").upper()[:5])
    if manual is not None and manual[1] in "12":
        year = 0
    elif manual is not None and manual[1] == "3":
        year = max(year, 13)
    if year >= 21:
        return segment_table("BAPLIE", "D21A")
    if year >= 13:
        return segment_table("BAPLIE", "D13B")
    return segment_table("BAPLIE", "D95B")


def _voyage(plan: StowPlan, root: GroupNode, group: str) -> tuple[str | None, str | None]:
    """The message's vessel and voyage (``TDT+20``), given to ``plan`` when it has
    neither yet (the first message's)."""
    call: tuple[str | None, str | None] = (None, None)
    for transport in root.groups.get(group, ()):
        found = transport.first("TDT")
        if found is not None and found[1].value(1) == "20":
            call = (found[1].value(8, 4), found[1].value(2))
            break
    if plan.vessel is None and plan.voyage is None:
        plan.vessel, plan.voyage = call
    return call


def _mass(
    message: Message,
    masses: dict[str | None, tuple[int, Segment]],
    qualifiers: tuple[str, ...],
    decimal: str,
    problems: list[Problem],
) -> float | None:
    """The first of ``qualifiers`` the ``MEA`` segments have, in kg (``None`` when its
    value is absent: a location's ``MEA`` is mandatory in BAPLIE 2, its value is not)."""
    for qualifier in qualifiers:
        if qualifier in masses:
            at, mea = masses[qualifier]
            unit_code, text = mea.value(3, 1), mea.value(3, 2)
            if text is None:
                return None
            try:
                return parse_weight(unit_code, text, decimal)
            except ValueError as exc:
                problems.append(message.problem("invalid_value", str(exc), at, "3", text))
                return None
    return None


def _reefer(
    message: Message, tmp: tuple[int, Segment] | None, decimal: str, problems: list[Problem]
) -> float | None:
    if tmp is None:
        return None
    value, unit_code = tmp[1].value(2, 1), tmp[1].value(2, 2)
    try:
        return parse_temperature(unit_code, value or "", decimal)
    except ValueError as exc:
        problems.append(message.problem("invalid_value", str(exc), tmp[0], "2.1", value))
        return None


def _full(box: Segment) -> bool | None:
    code = box.value(6)
    return FULL_EMPTY.get(code) if code else None


def _unit(message: Message, node: GroupNode, decimal: str, plan: StowPlan) -> list[StowedUnit]:
    """The containers of one BAPLIE 2 stowage location (``SG2``): the location's weight,
    temperature and dangerous goods are the first container's; every further ``EQD``
    there (bundled flat racks...) is a unit of its own with the location's ports. A
    location without equipment is an empty location, as in BAPLIE 3."""
    problems = plan.problems
    cell = node.first("LOC")
    if cell is None:
        return []
    position, loc = cell
    places = {s.value(1): s.value(2, 1) for _, s in node.segments.get("LOC", [])[1:]}
    equipment = node.groups.get("SG3", [])
    cell_text = _cell(message, position, loc, bool(equipment), problems)
    if cell_text is None:  # a port where the location should be: it is a port
        places.setdefault(loc.value(1), loc.value(2, 1))
    if not equipment:
        # SMDG 2.x lists empty (or blocked) locations by agreement, as 3.x does: no
        # container is missing there, and the position is kept, not dropped.
        if cell_text is not None:
            plan.empty_locations.append(cell_text)
        return []
    masses: dict[str | None, tuple[int, Segment]] = {}
    for at, mea in node.segments.get("MEA", []):
        masses.setdefault((mea.value(1) or "").upper(), (at, mea))
    dangerous = tuple(
        (dgs.value(2, 1), dgs.value(3, 1))
        for group in node.groups.get("SG4", ())
        for _, dgs in group.segments.get("DGS", [])
    )
    units = []
    for index, group in enumerate(equipment):
        eqd = group.first("EQD")
        if eqd is None:  # the group's trigger: never absent
            continue
        box = eqd[1]
        nad = group.first("NAD")
        first = index == 0
        kind = _equipment(box)
        number = box.value(2, 1)
        if number is not None and kind == "CN":
            _number_flag(message, eqd[0], number, problems)
        units.append(
            StowedUnit(
                position=cell_text or "",
                container_number=number,
                size_type=box.value(3, 1),
                full=_full(box),
                gross_mass_kg=(
                    _mass(message, masses, ("VGM", "WT", "AAE"), decimal, problems)
                    if first
                    else None
                ),
                port_of_loading=places.get("9"),
                port_of_discharge=places.get("11"),
                dangerous_goods=dangerous if first else (),
                reefer_celsius=(
                    _reefer(message, node.first("TMP"), decimal, problems) if first else None
                ),
                operator=nad[1].value(2, 1) if nad is not None else None,
                message=message.reference,
                segment=position,
                equipment=kind,
            )
        )
    return units


def _equipment(box: Segment) -> str:
    """The ``EQD`` qualifier (``CN`` when absent), in upper case."""
    kind = box.value(1)
    return kind.upper() if kind is not None else "CN"


def _cell(
    message: Message, position: int, loc: Segment, equipped: bool, problems: list[Problem]
) -> str | None:
    """The bay-row-tier of a location's first ``LOC``, as written; ``None``, said, when
    that ``LOC`` is no stowage location (``LOC+9`` where the ``LOC+147`` is missing)."""
    qualifier = loc.value(1)
    if qualifier == "147":
        return loc.value(2, 1) or ""
    if equipped:
        problems.append(
            message.problem(
                "no_position",
                f"a location opened by LOC+{qualifier or ''}, not LOC+147 (bay-row-tier): "
                "its containers are read without a position",
                position,
                "1",
                qualifier,
            )
        )
    else:
        problems.append(
            message.problem(
                "unplaced_segment",
                f"LOC+{qualifier or ''} where a stowage location (LOC+147) was expected, and "
                "no container after it: not a location",
                position,
                "1",
                qualifier,
            )
        )
    return None


def _number_flag(message: Message, at: int, number: str, problems: list[Problem]) -> None:
    """Flag a container number off ISO 6346 (``format``, ``check_digit``): the unit keeps
    it as written. Lower case alone is not flagged: the cross-check matches numbers in
    upper case, without blanks."""
    if _iso6346(number) or _iso6346(number.upper()):  # lower case alone: no flag
        return
    normal = normalise_container_number(number)
    found = container_number_problem(normal)
    if found is None:
        if normal != number.upper():
            problems.append(
                message.problem(
                    "format",
                    f"container number written with blanks or signs: kept as written, "
                    f"matched as {normal}",
                    at,
                    "2.1",
                    number,
                )
            )
        return
    problems.append(
        message.problem(found.code, f"{found.message}: kept as written", at, "2.1", number)
    )


def _equipment_units(message: Message, root: GroupNode, decimal: str, plan: StowPlan) -> None:
    """The containers of a BAPLIE 3 message (revision 7): one unit per ``EQD`` (``SG7``)
    of each stowage location (``SG6``), everything read from the container's own group.

    A location whose ``CNT`` is missing lets the next ``LOC+147`` be placed as a port of
    the previous container (``SG8``): it is said, and the containers after it get its
    position, not the previous one's. One in the voyage's places (``SG5``: ``UNS+D``
    missing or out of place) is said too."""
    for voyage in root.groups.get("SG4", ()):
        for place in voyage.groups.get("SG5", ()):
            found = place.first("LOC")
            if found is not None and found[1].value(1) == "147":
                plan.problems.append(
                    message.problem(
                        "misplaced_location",
                        "a stowage location (LOC+147) among the voyage's places: no UNS+D "
                        "before it; its container is not read",
                        found[0],
                        "2.1",
                        found[1].value(2, 1),
                    )
                )
    for location in root.groups.get("SG6", ()):
        trigger = location.first("LOC")
        if trigger is None:  # the group's trigger: never absent
            continue
        equipment = location.groups.get("SG7", ())
        cell_text = _cell(message, trigger[0], trigger[1], bool(equipment), plan.problems)
        cells = [(trigger[0], cell_text or "")]
        if not equipment:
            if cell_text is not None:
                plan.empty_locations.append(cell_text)
            continue
        used: set[int] = set()
        for group in equipment:
            segments, groups = group.segments, group.groups
            at_box, box = segments["EQD"][0]  # the group's trigger
            cell_at, position = (
                cells[0] if len(cells) == 1 else max(c for c in cells if c[0] < at_box)
            )
            used.add(cell_at)
            places: dict[str | None, str | None] = {}
            for leg in groups.get("SG8", ()):
                at, loc = leg.segments["LOC"][0]
                qualifier = loc.value(1)
                if qualifier == "147":
                    cells.append((at, loc.value(2, 1) or ""))
                    plan.problems.append(
                        message.problem(
                            "misplaced_location",
                            "a stowage location (LOC+147) after a container's ports: the "
                            "location before it has no CNT; read as a location of its own",
                            at,
                        )
                    )
                elif qualifier not in places:
                    places[qualifier] = loc.value(2, 1)
            masses: dict[str | None, tuple[int, Segment]] = {}
            for at, mea in segments.get("MEA", ()):
                # MEA+AAE+VGM as SMDG 3 writes it; MEA+VGM++ as BAPLIE 2 did, which some
                # senders keep: read, not silently passed over.
                masses.setdefault((mea.value(2, 1) or "").upper(), (at, mea))
                masses.setdefault(f"2:{(mea.value(1) or '').upper()}", (at, mea))
            kind = _equipment(box)
            number = box.value(2, 1)
            if number is not None and kind == "CN":
                _number_flag(message, at_box, number, plan.problems)
            operator = None
            for _, nad in segments.get("NAD", ()):
                role = (nad.value(1) or "").upper()
                if role == "CF" or (role == "CA" and operator is None):
                    operator = nad.value(2, 1)
                    if role == "CF":
                        break
            settings = groups.get("SG9")
            goods = groups.get("SG11")
            plan.units.append(
                StowedUnit(
                    position,
                    number,
                    box.value(3, 1),
                    _full(box),
                    _mass(message, masses, _MASSES_3, decimal, plan.problems),
                    places.get("9"),
                    places.get("11"),
                    tuple(
                        (dgs.value(2, 1), dgs.value(3, 1))
                        for group in goods
                        for _, dgs in group.segments["DGS"]
                    )
                    if goods
                    else (),
                    _reefer(message, settings[0].first("TMP"), decimal, plan.problems)
                    if settings
                    else None,
                    operator,
                    message.reference,
                    cell_at,
                    kind,
                )
            )
        # A misplaced LOC+147 no container follows is an empty location, not a lost one.
        plan.empty_locations.extend(p for at, p in cells[1:] if at not in used)
