"""Stow plans written as BAPLIE: units back into SMDG's 2.2 layout (D.95B) or its 3.1
layout (D.13B), for the synthetic port day and for round trips through the reader
(:func:`riskprofile.io.edifact.read_stowplan`).

A message holds at most as many stowage locations as its segment table allows (D.95B:
9,999; D.13B: 99,999): a larger plan, an ultra-large ship's, is written as several
messages of one interchange, each a whole BAPLIE (its own header, the next locations),
tied together as one sequence of transfers in their ``UNH`` (common access reference and
``S010``: part 1 ``C``, ..., the last ``F``), which the reader joins back into one plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

from riskprofile.errors import ArgumentError
from riskprofile.io.edifact._groups import segment_table
from riskprofile.io.edifact._stowplan import StowedUnit
from riskprofile.io.edifact._syntax import DEFAULT_SERVICE, Segment, segment, write_segments
from riskprofile.io.edifact._values import format_number

__all__ = ["BAPLIE_VERSIONS", "BaplieVersion", "write_baplie", "write_baplie_calls"]

BaplieVersion = Literal["2.2", "3.1"]
# The SMDG manual versions write_baplie writes: the UNH message identifier of each.
BAPLIE_VERSIONS: dict[str, tuple[str, str, str, str, str]] = {
    "2.2": ("BAPLIE", "D", "95B", "UN", "SMDG22"),
    "3.1": ("BAPLIE", "D", "13B", "UN", "SMDG31"),
}


# The group of one stowage location in each version's segment table.
_LOCATION_GROUP = {"2.2": ("D95B", "SG2"), "3.1": ("D13B", "SG6")}


def _location_limit(version: str) -> int:
    """How many stowage locations one message of ``version`` may hold: the repeat of
    its location group in the segment table (9,999 in D.95B, 99,999 in D.13B)."""
    directory, group = _LOCATION_GROUP[version]
    return segment_table("BAPLIE", directory).group(group).repeat


def _check_version(version: str) -> None:
    if version not in BAPLIE_VERSIONS:
        raise ArgumentError(
            f"version must be one of {', '.join(BAPLIE_VERSIONS)}, not {version!r}",
            argument="version",
            value=version,
            valid=tuple(BAPLIE_VERSIONS),
        )


def write_baplie(
    units: Iterable[StowedUnit],
    *,
    vessel: str | None = None,
    voyage: str | None = None,
    prepared: datetime | None = None,
    version: BaplieVersion = "2.2",
) -> str:
    """Units as one BAPLIE message in one interchange: SMDG's 2.2 layout on D.95B
    (``version="2.2"``, the default) or its 3.1 layout on D.13B (``version="3.1"``). The
    same units always give the same bytes (``prepared`` defaults to the epoch). More
    units than one message may hold (9,999 in 2.2, 99,999 in 3.1) are written as several
    messages of the interchange, one sequence of transfers (see the module's docstring).

    >>> text = write_baplie([StowedUnit("0020182", "MSKU9070323")], version="3.1")
    >>> text.splitlines()[2]
    "UNH+1+BAPLIE:D:13B:UN:SMDG31'"

    Raises:
        ArgumentError: another ``version``.
    """
    return write_baplie_calls([(vessel, voyage, units)], prepared=prepared, version=version)


def write_baplie_calls(
    calls: Iterable[tuple[str | None, str | None, Iterable[StowedUnit]]],
    *,
    prepared: datetime | None = None,
    version: BaplieVersion = "2.2",
) -> str:
    """Several vessels' plans, ``(vessel, voyage, units)`` each, as one BAPLIE message per
    vessel in one interchange (``version`` as for :func:`write_baplie`; a plan larger
    than a message may hold as several); :func:`read_stowplan` reads them all back into
    one plan. The same calls always give the same bytes.

    Raises:
        ArgumentError: another ``version``.
    """
    _check_version(version)
    stamp = (prepared or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
    when = f"{stamp.year:04d}{stamp.month:02d}{stamp.day:02d}{stamp.hour:02d}{stamp.minute:02d}"
    segments = [
        segment("UNB", ("UNOA", "2"), "RISKPROFILE", "RECEIVER", (when[2:8], when[8:]), "1")
    ]
    count = 0
    write = _baplie_message if version == "2.2" else _baplie3_message
    limit = _location_limit(version)
    for vessel, voyage, units in calls:
        listed = list(units)
        parts = [listed[i : i + limit] for i in range(0, len(listed), limit)] or [listed]
        first = str(count + 1)
        for number, part in enumerate(parts, start=1):
            count += 1
            unh = segment("UNH", str(count), BAPLIE_VERSIONS[version])
            if len(parts) > 1:  # S010: the sequence number, C on the first, F on the last
                flag = "C" if number == 1 else "F" if number == len(parts) else None
                unh = segment(
                    "UNH", str(count), BAPLIE_VERSIONS[version], first, (str(number), flag)
                )
            segments += write(unh, vessel, voyage, part, when)
    segments.append(segment("UNZ", str(count), "1"))
    return write_segments(segments, DEFAULT_SERVICE, una=True)


def _baplie_message(
    unh: Segment,
    vessel: str | None,
    voyage: str | None,
    units: Iterable[StowedUnit],
    when: str,
) -> list[Segment]:
    reference = unh.elements[0][0]
    body = [
        unh,
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
        body.append(_eqd(unit, "102"))
        if unit.operator is not None:
            body.append(segment("NAD", "CA", (unit.operator, "172", "20")))
        for imdg, un in unit.dangerous_goods:
            body.append(segment("DGS", "IMD", imdg, un))
    body.append(segment("UNT", str(len(body) + 1), reference))
    return body


def _eqd(unit: StowedUnit, code_list: str) -> Segment:
    full = None if unit.full is None else ("5" if unit.full else "4")
    return segment(
        "EQD",
        unit.equipment,
        unit.container_number,
        (unit.size_type, code_list, "5") if unit.size_type else None,
        None,
        None,
        full,
    )


def _baplie3_message(
    unh: Segment,
    vessel: str | None,
    voyage: str | None,
    units: Iterable[StowedUnit],
    when: str,
) -> list[Segment]:
    """One message in SMDG's BAPLIE 3.1 layout (D.13B): a header closed by ``UNS+D``,
    then per unit its location (``SG6``), its equipment (``SG7``) with the operator,
    the VGM, the ports (``SG8``), the set temperature (``SG9``), the dangerous goods
    (``SG11``), and the location's ``CNT``."""
    reference = unh.elements[0][0]
    body = [
        unh,
        segment("BGM", "658", reference, "9"),  # 658: a full bay plan
        segment("DTM", ("137", when, "203")),
        segment("TDT", "20", voyage, None, None, None, None, None, ("", "", "", vessel or "")),
        segment("UNS", "D"),
    ]
    for unit in units:
        body.append(segment("LOC", "147", (unit.position, "9711", "5")))
        body.append(_eqd(unit, "6346"))
        if unit.operator is not None:
            body.append(segment("NAD", "CF", (unit.operator, "LINES", "306")))
        if unit.gross_mass_kg is not None:
            body.append(segment("MEA", "AAE", "VGM", ("KGM", format_number(unit.gross_mass_kg))))
        for code, port in (("9", unit.port_of_loading), ("11", unit.port_of_discharge)):
            if port is not None:
                body.append(segment("LOC", code, (port, "139", "6")))
        if unit.reefer_celsius is not None:
            body.append(segment("TMP", "2", (format_number(unit.reefer_celsius), "CEL")))
        for imdg, un in unit.dangerous_goods:
            body.append(segment("DGS", "IMD", imdg, un))
        body.append(segment("CNT", ("8", "1")))
    body.append(segment("UNT", str(len(body) + 1), reference))
    return body
