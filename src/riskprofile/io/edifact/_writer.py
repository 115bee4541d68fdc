"""Writing manifests as CUSCAR messages, laid out as the default mapping reads them.

One message per manifest, all in one interchange. What the message has no place for is
not written: a party's AEO status (CUSCAR has none), fractions of a second of the
arrival time, and, in D.95B, the goods' country of origin (``LOC+27`` in the goods group
came with D.00B).

>>> from riskprofile.model.manifest import Manifest
>>> text = write_cuscar([Manifest(voyage_number="0425W")], interchange="1")
>>> text.splitlines()[2]
"UNH+1+CUSCAR:D:00B:UN'"
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from riskprofile.io.edifact._syntax import (
    DEFAULT_SERVICE,
    Segment,
    ServiceChars,
    segment,
    write_segments,
)
from riskprofile.io.edifact._values import (
    SEALER_CODES,
    format_number,
    split_text,
    write_date,
    write_datetime,
)
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Manifest, Party

__all__ = ["cuscar_segments", "write_cuscar", "write_edifact"]

_DIRECTORIES = ("D95B", "D00B")


def _weight(qualifier: str, kg: float | None) -> list[Segment]:
    if kg is None:
        return []
    return [segment("MEA", "AAE", qualifier, ("KGM", format_number(kg)))]


def _party(role: str, party: Party | None) -> list[Segment]:
    if party is None:
        return []
    name = split_text(party.name, 35, 5) if party.name else None
    address = split_text(party.address, 35, 4) if party.address else None
    return [
        segment(
            "NAD",
            role,
            (party.identifier,) if party.identifier else None,
            None,
            name,
            address,
            None,
            None,
            None,
            party.country,
        )
    ]


def _container(box: Container) -> list[Segment]:
    full = None if box.full is None else ("5" if box.full else "4")
    out = [
        segment(
            "EQD",
            "CN",
            box.number,
            (box.size_type, "102", "5") if box.size_type else None,
            None,
            None,
            full,
        )
    ]
    out += _weight("VGM", box.verified_gross_mass_kg)
    out += _weight("T", box.tare_kg)
    for seal in box.seals:
        out.append(segment("SEL", seal.number, SEALER_CODES[seal.sealer] if seal.sealer else None))
    if box.reefer_celsius is not None:  # SG6: the set temperature
        out.append(segment("TMP", "2", (format_number(box.reefer_celsius), "CEL")))
    return out


def _goods(number: int, item: GoodsItem, boxes: list[str], directory: str) -> list[Segment]:
    packages = None
    if item.packages is not None or item.package_type is not None:
        count = str(item.packages) if item.packages is not None else ""
        packages = (count, item.package_type or "")
    out = [segment("GID", str(number), packages)]
    if item.description is not None:
        out.append(segment("FTX", "AAA", None, None, split_text(item.description, 70, 5)))
    out += _weight("G", item.gross_weight_kg)
    out += _weight("AAL", item.net_weight_kg)
    if item.value is not None or item.currency is not None:
        value = format_number(item.value) if item.value is not None else ""
        out.append(segment("MOA", ("40", value, item.currency or "")))
    out += [segment("SGP", box) for box in boxes]
    if item.un_number is not None or item.imdg_class is not None:
        out.append(segment("DGS", "IMD", item.imdg_class, item.un_number))
    if item.hs_code is not None:
        out.append(segment("CST", None, item.hs_code))
    if item.origin_country is not None and directory != "D95B":
        out.append(segment("LOC", "27", item.origin_country))
    return out


def _consignment(number: int, bill: Consignment, directory: str) -> list[Segment]:
    issue = (bill.bl_number, "", "", "", write_date(bill.issue_date)) if bill.issue_date else None
    out = [segment("CNI", str(number), issue)]
    if bill.master_bl_number is not None and bill.master_bl_number != bill.bl_number:
        out.append(segment("RFF", ("MB", bill.master_bl_number)))
        out.append(segment("RFF", ("BH", bill.bl_number)))
    else:
        out.append(segment("RFF", ("BM", bill.bl_number)))
    places = [("88", bill.place_of_receipt), ("9", bill.port_of_loading)]
    places += [("13", port) for port in bill.transshipment_ports]
    places += [("11", bill.port_of_discharge), ("7", bill.place_of_delivery)]
    out += [segment("LOC", code, place) for code, place in places if place is not None]
    if bill.freight_terms is not None:
        out.append(segment("CPI", "4", None, "P" if bill.freight_terms == "prepaid" else "C"))
    # SG9: the consignment's own legs before and after the main carriage.
    for stage, mode in (("10", bill.pre_carriage_mode), ("30", bill.on_carriage_mode)):
        if mode is not None:
            out.append(segment("TDT", stage, None, mode))
    for role, party in (
        ("CZ", bill.shipper),
        ("CN", bill.consignee),
        ("NI", bill.notify_party),
        ("FP", bill.freight_payer),
    ):
        out += _party(role, party)
    # A line names its container, or (none named) every container of the B/L.
    covered: set[str] = set()
    for index, item in enumerate(bill.goods, start=1):
        boxes = [item.container_number] if item.container_number else list(bill.container_numbers)
        covered.update(boxes)
        out += _goods(index, item, boxes, directory)
    rest = [box for box in bill.container_numbers if box not in covered]
    if rest:  # containers no goods line names: a bare GID (no item number) links them
        out += [segment("GID"), *(segment("SGP", box) for box in rest)]
    return out


def cuscar_segments(
    manifest: Manifest, reference: str = "1", directory: str = "D00B"
) -> list[Segment]:
    """One manifest as the segments of a CUSCAR message (``UNH`` to ``UNT``)."""
    if directory not in _DIRECTORIES:
        raise ValueError(f"directory must be one of {', '.join(_DIRECTORIES)}, not {directory!r}")
    out = [
        segment("UNH", reference, ("CUSCAR", "D", directory[1:], "UN")),
        segment("BGM", "785", reference, "9"),
    ]
    transport = [
        manifest.voyage_number,
        manifest.carrier_scac,
        manifest.vessel_imo,
        manifest.vessel_name,
    ]
    if any(v is not None for v in transport) or manifest.port_of_call or manifest.arrival:
        vessel = None
        if manifest.vessel_imo or manifest.vessel_name:
            ids = (
                ("", "", "") if manifest.vessel_imo is None else (manifest.vessel_imo, "146", "11")
            )
            vessel = (*ids, manifest.vessel_name or "")
        carrier = (manifest.carrier_scac, "172", "166") if manifest.carrier_scac else None
        out.append(
            segment("TDT", "20", manifest.voyage_number, None, None, carrier, None, None, vessel)
        )
        if manifest.port_of_call is not None:
            out.append(segment("LOC", "60", manifest.port_of_call))
        if manifest.arrival is not None:
            out.append(segment("DTM", ("132", *write_datetime(manifest.arrival))))
    for box in manifest.containers:
        out += _container(box)
    for number, bill in enumerate(manifest.consignments, start=1):
        out += _consignment(number, bill, directory)
    out.append(segment("UNT", str(len(out) + 1), reference))
    return out


def write_cuscar(
    manifests: Iterable[Manifest],
    *,
    directory: str = "D00B",
    sender: str = "RISKPROFILE",
    recipient: str = "CUSTOMS",
    interchange: str = "1",
    prepared: datetime | None = None,
    service: ServiceChars = DEFAULT_SERVICE,
) -> str:
    """Manifests as one EDIFACT interchange of CUSCAR messages (syntax UNOC 3, a ``UNA``
    first). ``prepared`` (default: the epoch, so that the same manifests always give the
    same bytes) is the interchange's date and time."""
    stamp = (prepared or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC)
    segments = [
        segment(
            "UNB",
            ("UNOW", "3"),
            sender,
            recipient,
            (stamp.strftime("%y%m%d"), stamp.strftime("%H%M")),
            interchange,
        )
    ]
    count = 0
    for count, manifest in enumerate(manifests, start=1):
        segments += cuscar_segments(manifest, str(count), directory)
    segments.append(segment("UNZ", str(count), interchange))
    return write_segments(segments, service, una=True)


def write_edifact(
    manifests: Iterable[Manifest], path: str | Path, *, directory: str = "D00B"
) -> int:
    """Write manifests to an EDIFACT file (UTF-8, syntax UNOW); returns the count."""
    manifests = list(manifests)
    Path(path).write_text(write_cuscar(manifests, directory=directory), encoding="utf-8")
    return len(manifests)
