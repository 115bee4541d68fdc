"""A port day with planted high-risk cases (see :mod:`riskprofile.synth`).

The day is an ordinary generated batch (:func:`generate_manifest_documents`) in which a
few consignments are rewritten, in place, into the shapes real seizures take. Each case
combines several indicators of the domain primer, never just one: a cocaine reefer from
Guayaquil is also consigned "to order", paid for by a third party and sealed by the
shipper alone. Everything else in the batch is left exactly as the generator wrote it,
and the rewritten consignments keep their vessel call, their place in it and plausible
weights, so that only the indicators give them away.

Planting draws from its own random stream, seeded from the batch's seed: the same
arguments always give the same manifests and the same planted list.
"""

from __future__ import annotations

import csv
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from stdnum import iso6346

from riskprofile.io._cells import CsvWriter, csv_text
from riskprofile.model._base import LENIENT
from riskprofile.model.manifest import Manifest
from riskprofile.synth._commodities import EQUIPMENT, UNITS_PER_USD, Equipment
from riskprofile.synth._draw import _choice, _randint
from riskprofile.synth._generator import DEFAULT_START, _Batch, generate_manifest_documents
from riskprofile.synth._reference import (
    CARRIERS,
    COUNTRY_PORTS,
    PORTS,
    REGION_DAYS,
    TRANSIT_DELIVERY,
    TRANSSHIPMENT_DAYS,
    Carrier,
)

__all__ = [
    "SCENARIOS",
    "PlantedCase",
    "PortDay",
    "Scenario",
    "generate_port_day",
    "read_planted",
    "write_planted",
]

Doc = dict[str, Any]
T = TypeVar("T")

PLANTED_COLUMNS = ("container_number", "bl_number", "scenario", "description")
"""The columns of a planted-cases CSV file, in order."""

_CONTAINERS_PER_CASE = 125  # the default density: 40 cases in a 5,000-container day


class Scenario(NamedTuple):
    """A trafficking pattern that :func:`generate_port_day` plants.

    ``weight`` is its share of the planted cases; ``description`` says what is hidden
    and which indicators of the domain primer the planted data combines.
    """

    name: str
    weight: float
    description: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "cocaine_reefer", 6,
        "cocaine in a reefer of bananas from Guayaquil or Buenaventura, transshipped at "
        "Manzanillo (Panama) and a Mediterranean or Gulf hub; consignee 'to order' or new, "
        "freight collect paid by a third party, shipper's seal only",
    ),
    Scenario(
        "heroin_southern_route", 6,
        "heroin or methamphetamine on the southern route: Afghan or Iranian goods loaded at "
        "Bandar Abbas or re-exported from Jebel Ali, in cover goods (marble, ceramic tiles, "
        "rice) vaguely described, for a new consignee",
    ),
    Scenario(
        "precursor_transit", 6,
        "a drug precursor (acetic anhydride above all) in transit to Kabul, declared vaguely "
        "or as a harmless chemical, for a new Afghan consignee, freight paid by a third party",
    ),
    Scenario(
        "counterfeit_lcl", 5,
        "counterfeit footwear or bags made in China, consolidated (LCL) at Jebel Ali or a "
        "Chinese port, at a small fraction of the usual value per kg, for a new consignee",
    ),
    Scenario(
        "undervalued_electronics", 5,
        "mobile phones or laptops declared at a tenth of their value per kg, re-exported "
        "through Jebel Ali or Hong Kong, freight paid by a third party",
    ),
    Scenario(
        "wildlife_concealment", 4,
        "ivory or pangolin scales from Mombasa or Lagos described as plastic scrap or raw "
        "cashew nuts, for a new or 'to order' consignee",
    ),
    Scenario(
        "firearms_parts", 3,
        "firearms parts hidden in machinery described only as spare parts, sometimes on "
        "concealment-prone equipment, for a new consignee",
    ),
    Scenario(
        "undeclared_weight", 3,
        "undeclared cargo: the container weighs tonnes more than the goods declared, with "
        "a vague description or a 'to order' consignee or a third-party payer",
    ),
    Scenario(
        "fictitious_container", 2,
        "a container number that fails the ISO 6346 check digit, a consignee at a P.O. box, "
        "and a vague description or a missing carrier seal",
    ),
)  # fmt: skip
"""The scenarios :func:`generate_port_day` plants, with their shares of the cases."""


@dataclass(frozen=True, slots=True)
class PlantedCase:
    """The ground truth of one planted case: where it is and what it is.

    ``description`` says, in an officer's words, what is hidden and which signals the
    data carries (they are what a good profile should catch).
    """

    container_number: str
    bl_number: str
    scenario: str
    description: str


@dataclass(frozen=True)
class PortDay:
    """A generated port day: its manifests and the cases planted in them.

    Attributes:
        manifests: the vessel calls, in arrival order, validated in lenient mode (the
            data-quality defects become quality flags, nothing is rejected).
        planted: the planted cases, in the order of the manifests.
    """

    manifests: list[Manifest]
    planted: tuple[PlantedCase, ...]

    @property
    def planted_containers(self) -> frozenset[str]:
        """The container numbers of the planted cases."""
        return frozenset(case.container_number for case in self.planted)


# --- places ------------------------------------------------------------------------------

# Ports the generator's lanes do not use, with their region's days at sea.
_EXTRA_PORTS = {"NGAPP": ("LAGOS-APAPA", "AFRICA_W"), "TGLFW": ("LOME", "AFRICA_W")}
_EXTRA_DAYS = {"AFRICA_W": (19.0, 26.0)}
_MED_GULF_HUBS = ("AEJEA", "OMSLL", "SAJED", "ESALG", "ITGIT", "GRPIR", "EGPSD")
_GULF_HUBS = ("AEJEA", "OMSLL", "SAJED")
_ASIA_HUBS = ("SGSIN", "LKCMB", "MYPKG", "MYTPP", "KRPUS", "HKHKG")
_CN_PORTS = tuple(port for port, _ in COUNTRY_PORTS["CN"])
_PORT_NAMES = {
    **{code: port.name.title() for code, port in PORTS.items()},
    **{code: name.title() for code, (name, _) in _EXTRA_PORTS.items()},
}


def _region(port: str) -> str:
    extra = _EXTRA_PORTS.get(port)
    return extra[1] if extra else PORTS[port].region


def _port(code: str) -> str:
    return f"{_PORT_NAMES.get(code, code)} ({code})"


def _ports(codes: Sequence[str]) -> str:
    names = [_port(c) for c in codes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# Nigeria has no locale in the generator's tables (no lane starts there).
_NG_WORDS = ("ROYAL", "DELTA", "NIGER", "APAPA", "OGUN", "UNITY", "ZENITH", "CROWN", "OKE")
_NG_STREETS = ("WHARF ROAD", "CREEK ROAD", "IKORODU ROAD", "BROAD STREET", "MARINA")

# Where a new importer of the port's country can be reached: houses and flats in
# residential areas, and P.O. boxes (indicator 13 of the domain primer).
_RESIDENTIAL_PK = (
    "HOUSE NO. {n}, STREET {k}, BLOCK {m}, GULSHAN-E-IQBAL, KARACHI, PAKISTAN",
    "FLAT NO. {m}0{k}, {n} CLIFTON BLOCK {k}, KARACHI, PAKISTAN",
    "HOUSE NO. {n}-B, DEFENCE PHASE {m}, KARACHI, PAKISTAN",
    "HOUSE NO. {n}, SECTOR {k}, NORTH NAZIMABAD, KARACHI, PAKISTAN",
)


# --- goods -------------------------------------------------------------------------------


class _Cover(NamedTuple):
    """Goods declared on a planted B/L: the HS subheading, what the B/L says, packing."""

    hs: str
    descriptions: tuple[str, ...]
    package: str
    kg_per_package: tuple[float, float]
    net: tuple[float, float]  # net / gross
    usd_per_kg: tuple[float, float]  # as declared (planted undervaluation included)


_BANANAS = _Cover(
    "080390",
    ("FRESH BANANAS", "FRESH CAVENDISH BANANAS", "GREEN BANANAS FRESH",
     "BANANAS FRESH 18.14 KG NET PER BOX"),
    "CT", (19.2, 19.9), (0.92, 0.94), (0.35, 0.62),
)  # fmt: skip
_SOUTHERN_COVERS = (
    ("marble", _Cover("680221", ("MARBLE", "STONE", "SAID TO CONTAIN MARBLE",
                                 "BUILDING MATERIAL"), "CR", (1200, 2600), (0.98, 1.0),
                      (0.25, 0.6))),
    ("ceramic tiles", _Cover("690721", ("TILES", "CERAMIC GOODS", "SAID TO CONTAIN TILES",
                                        "BUILDING MATERIAL"), "PX", (1000, 1400),
                             (0.95, 0.97), (0.3, 0.6))),
    ("rice", _Cover("100630", ("FOODSTUFF", "RICE", "FOOD ITEMS", "GENERAL CARGO"), "BG",
                    (25.05, 50.3), (0.994, 0.997), (0.45, 0.85))),
)  # fmt: skip
# (what it is, cover): acetic anhydride is declared as such but vaguely, under a generic
# subheading, or as the harmless acetic acid it is so often passed off as.
_PRECURSORS = (
    ("acetic anhydride", _Cover("291524", ("ACETIC ANHYDRIDE 99% MIN", "ACETIC ANHYDRIDE"), "DR",
                                (215, 240), (0.93, 0.95), (0.9, 1.4))),
    ("acetic anhydride", _Cover("291524", ("INDUSTRIAL CHEMICAL", "CHEMICALS",
                                           "CHEMICAL LIQUID IN DRUMS"), "DR", (215, 240),
                                (0.93, 0.95), (0.9, 1.4))),
    ("acetic anhydride", _Cover("291590", ("INDUSTRIAL CHEMICAL", "ORGANIC CHEMICAL"), "DR",
                                (215, 240), (0.93, 0.95), (0.7, 1.2))),
    ("acetic anhydride", _Cover("291521", ("GLACIAL ACETIC ACID 99.85% MIN", "ACETIC ACID"),
                                "DR", (215, 240), (0.93, 0.95), (0.6, 1.0))),
    ("pseudoephedrine", _Cover("293942", ("PHARMACEUTICAL RAW MATERIAL", "PHARMA INTERMEDIATE"),
                               "DR", (25, 50), (0.9, 0.95), (8.0, 20.0))),
    ("methylamine", _Cover("292111", ("INDUSTRIAL CHEMICAL", "CHEMICALS"), "DR", (160, 190),
                           (0.93, 0.95), (0.8, 1.5))),
)  # fmt: skip
_COUNTERFEITS = (
    ("sports shoes", _Cover("640411", ("SPORTS SHOES", "SHOES ASSORTED", "FOOTWEAR"), "CT",
                            (8, 16), (0.85, 0.9), (0.3, 1.2))),
    ("slippers and sandals", _Cover("640299", ("SLIPPERS", "FOOTWEAR ASSORTED"), "CT",
                                    (8, 16), (0.85, 0.9), (0.2, 0.8))),
    ("handbags", _Cover("420222", ("LADIES HANDBAGS", "BAGS ASSORTED", "HAND BAGS"), "CT",
                        (6, 14), (0.85, 0.9), (0.4, 1.5))),
)  # fmt: skip
_ELECTRONICS = (
    ("smartphones", _Cover("851713", ("MOBILE PHONES", "MOBILE PHONE ACCESSORIES",
                                      "USED MOBILE PHONES"), "CT", (8, 20), (0.7, 0.8),
                           (2.0, 6.0))),
    ("laptops", _Cover("847130", ("LAPTOP COMPUTERS", "USED LAPTOPS", "COMPUTER ACCESSORIES"),
                       "CT", (5, 15), (0.75, 0.85), (1.5, 5.0))),
)  # fmt: skip
_WILDLIFE_COVERS = (
    ("plastic scrap", _Cover("391590", ("PLASTIC SCRAP", "PLASTIC WASTE IN BALES",
                                        "SCRAP OF PLASTICS"), "BL", (400, 600), (1.0, 1.0),
                             (0.15, 0.35))),
    ("raw cashew nuts", _Cover("080131", ("RAW CASHEW NUTS IN SHELL", "CASHEW NUTS",
                                          "RAW CASHEW NUTS"), "BG", (79.5, 80.5),
                               (0.99, 0.995), (1.0, 1.6))),
)  # fmt: skip
_MACHINERY_PARTS = _Cover(
    "847990", ("SPARE PARTS", "MACHINERY PARTS", "SPARE PARTS FOR MACHINES",
               "MACHINE SPARE PARTS"),
    "CS", (300, 1200), (0.85, 0.92), (2.0, 6.0),
)  # fmt: skip
_VAGUE = ("GENERAL CARGO", "HOUSEHOLD GOODS", "FAK", "MIXED GOODS", "SAID TO CONTAIN")

_CURRENCY = {"AE": ("AED", 0.35), "CN": ("CNY", 0.05), "DE": ("EUR", 0.55), "BE": ("EUR", 0.55)}


# --- the batch as found ------------------------------------------------------------------


@dataclass
class _Host:
    """A consignment that can be rewritten into a planted case, with its container."""

    manifest: Doc
    consignment: Doc
    container: Doc
    lcl: bool

    @property
    def boarding(self) -> str:
        """Where the goods joined the vessel: the last transshipment, else the loading."""
        ports = self.consignment["transshipment_ports"]
        return str(ports[-1] if ports else self.consignment["port_of_loading"])

    @property
    def carrier(self) -> Carrier:
        return CARRIERS[str(self.manifest["carrier_scac"])]

    @property
    def group(self) -> str:
        return EQUIPMENT[str(self.container["size_type"])].group

    @property
    def cargo(self) -> float:
        """The declared goods weight of the B/L, kg."""
        return sum(float(g["gross_weight_kg"]) for g in self.consignment["goods"])


def _sound_goods(goods: list[Doc]) -> bool:
    """No goods line carries a planted defect (weights, packages, value, codes)."""
    for g in goods:
        gross, net, value = g["gross_weight_kg"], g["net_weight_kg"], g["value"]
        if not (isinstance(gross, float | int) and 0 < gross < 35_000):
            return False
        if net is not None and not 0 < net <= gross:
            return False
        if not (isinstance(g["packages"], int) and g["packages"] > 0):
            return False
        if value is not None and not (_is_number(value) and g["currency"] in UNITS_PER_USD):
            return False
        hs, origin = str(g["hs_code"]), g["origin_country"]
        if len(hs) < 6 or hs[:2] in ("00", "77") or origin in ("EU", "XX"):
            return False
    return bool(goods)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _sound_consignment(c: Doc, arrival: str) -> bool:
    """No planted defect on the B/L itself (ports, parties, dates)."""
    ports = [c["port_of_loading"], *c["transshipment_ports"]]
    return (
        all(p in PORTS for p in ports)
        and (c["place_of_delivery"] is None or c["place_of_delivery"] in PORTS)
        and c["consignee"] is not None
        and len(str(c["shipper"]["country"])) == 2
        and c["issue_date"] is not None
        and c["issue_date"] < arrival[:10]
        and _sound_goods(c["goods"])
    )


def _hosts(documents: list[Doc]) -> tuple[list[_Host], list[_Host]]:
    """FCL and LCL consignments that carry no planted defect and can be rewritten.

    A host names exactly one container, which has a sound equipment record (valid
    number, known size-type, masses declared) and is declared once; its goods weights
    are sound; its B/L number is unique in the batch; its ports are real.
    """
    bl_counts = Counter(c["bl_number"] for d in documents for c in d["consignments"])
    fcl: list[_Host] = []
    lcl: list[_Host] = []
    for doc in documents:
        if doc["carrier_scac"] not in CARRIERS or doc["arrival"] is None:
            continue
        declared = Counter(box["number"] for box in doc["containers"])
        records = {box["number"]: box for box in doc["containers"]}
        named: dict[str, list[Doc]] = {}
        for c in doc["consignments"]:
            for number in c["container_numbers"]:
                named.setdefault(number, []).append(c)
        for c in doc["consignments"]:
            if len(c["container_numbers"]) != 1 or bl_counts[c["bl_number"]] != 1:
                continue
            number = c["container_numbers"][0]
            box = records.get(number)
            if box is None or declared[number] != 1 or not _sound_box(box):
                continue
            if not _sound_consignment(c, str(doc["arrival"])):
                continue
            sharing = named[number]
            if len(sharing) == 1:
                fcl.append(_Host(doc, c, box, lcl=False))
            elif all(len(s["container_numbers"]) == 1 for s in sharing):
                lcl.append(_Host(doc, c, box, lcl=True))
    return fcl, lcl


def _sound_box(box: Doc) -> bool:
    vgm, tare = box["verified_gross_mass_kg"], box["tare_kg"]
    return (
        box["full"] is True
        and box["size_type"] in EQUIPMENT
        and iso6346.is_valid(box["number"])
        and bool(box["seals"])
        and isinstance(vgm, float | int)
        and isinstance(tare, float | int)
        and tare < vgm < 40_000
    )


# --- planting ----------------------------------------------------------------------------


class _Route(NamedTuple):
    port_of_loading: str
    transshipment: tuple[str, ...]
    shipper_country: str


Planter = Callable[["_Planting", _Host, _Route], PlantedCase]


class _Planting:
    """Rewrites hosts into planted cases with its own random stream."""

    def __init__(self, seed: int, documents: list[Doc], port_of_call: str) -> None:
        # The generator's helpers make names, numbers and addresses as it would; they
        # draw from the planting stream, never from the batch's.
        self.rng = random.Random(f"riskprofile.synth.planted:{seed}")  # noqa: S311
        self.batch = _Batch(seed, port_of_call, DEFAULT_START, 0.0, 0.0)
        self.batch.rng = self.rng
        self.port_of_call = port_of_call
        self.country = port_of_call[:2]
        self.names: set[str] = set()
        for doc in documents:
            for c in doc["consignments"]:
                self.batch.used_bls.add(str(c["bl_number"]))
                if c["master_bl_number"]:
                    self.batch.used_bls.add(str(c["master_bl_number"]))
                for role in ("shipper", "consignee", "notify_party", "freight_payer"):
                    if c[role] is not None and c[role]["name"]:
                        self.names.add(str(c[role]["name"]))
            for box in doc["containers"]:
                self.batch.used_containers.add(str(box["number"])[:10])
            for c in doc["consignments"]:
                self.batch.used_containers.update(str(n)[:10] for n in c["container_numbers"])

    # --- small draws ---------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.rng.random()

    def pick(self, seq: Sequence[T]) -> T:
        return _choice(self.rng, seq)

    # --- parties -------------------------------------------------------------------------

    def new_party(self, country: str, trade: str, *, service: bool = False) -> Doc:
        """A trader never seen in the batch (a fresh name)."""
        for _ in range(20):
            if country == "NG":
                party = self._nigerian(trade)
            else:
                party = self.batch._new_party(
                    country, trade, importer=country == self.country, service=service
                )
            if party["name"] not in self.names:
                break
        self.names.add(str(party["name"]))
        party["aeo"] = None if self.chance(0.5) else False
        return party

    def _nigerian(self, trade: str) -> Doc:
        word = self.pick(_NG_WORDS)
        suffix = self.pick(("LIMITED", "NIGERIA LTD", "VENTURES LTD", "GLOBAL RESOURCES"))
        street = self.pick(_NG_STREETS)
        city = self.pick(("APAPA, LAGOS", "LAGOS ISLAND, LAGOS", "IKEJA, LAGOS"))
        return {
            "name": f"{word} {trade} {suffix}",
            "address": f"{_randint(self.rng, 1, 120)} {street}, {city}, NIGERIA",
            "country": "NG",
            "identifier": f"RC{_randint(self.rng, 100000, 1999999)}" if self.chance(0.4) else None,
            "aeo": None,
        }

    def new_consignee(self, trade: str, *, address: str | None = None) -> tuple[Doc, str]:
        """A new importer at the port of call; ``address``: "residential" or "po_box"."""
        party = self.new_party(self.country, trade)
        party["aeo"] = False if self.chance(0.6) else None
        if self.chance(0.5):
            party["identifier"] = None
        what = "new consignee"
        if address is None and self.chance(0.35):
            address = self.pick(("residential", "po_box"))
        if address == "residential" and self.country == "PK":
            party["address"] = self.pick(_RESIDENTIAL_PK).format(
                n=_randint(self.rng, 1, 480), k=_randint(self.rng, 1, 9), m=_randint(self.rng, 1, 9)
            )
            what += " at a residential address"
        elif address is not None:
            city = self.pick(self.batch.locale.cities)
            box = _randint(self.rng, 1000, 99999)
            party["address"] = f"P.O. BOX {box}, {city}, {self.batch.locale.country}"
            what += " at a P.O. box"
        return party, what

    def to_order(self) -> Doc:
        return {
            "name": self.pick(("TO ORDER", "TO ORDER", "TO ORDER OF SHIPPER")),
            "address": None,
            "country": None,
            "identifier": None,
            "aeo": None,
        }

    def third_party(self) -> Doc:
        """A freight payer unrelated to shipper and consignee (planted cases share a few)."""
        return dict(self.batch._third_party())

    def agent(self) -> Doc:
        return dict(self.batch._agent())

    # --- goods, containers, B/Ls -----------------------------------------------------------

    def hs(self, code: str, shipper_country: str) -> str:
        r = self.rng.random()
        if r < 0.15 and shipper_country == "CN":
            return code + "0000"
        if r < 0.3:
            return code + self.pick(("00", "10", "90"))
        return code

    def goods(
        self,
        cover: _Cover,
        cargo: float,
        shipper_country: str,
        origin: str,
        *,
        description: str | None = None,
        number: str | None = None,
        usd: bool = False,
    ) -> list[Doc]:
        """One goods line of ``cargo`` kg of ``cover`` (valued in US dollars when ``usd``,
        else in the shipper's usual currency)."""
        per = round(self.uniform(*cover.kg_per_package), 2)
        packages = max(1, int(cargo / per + 0.5))
        gross = round(packages * per, 2)
        net = round(gross * self.uniform(*cover.net), 2)
        currency = "USD"
        special = _CURRENCY.get(shipper_country)
        if special is not None and self.chance(special[1]) and not usd:
            currency = special[0]
        amount = gross * self.uniform(*cover.usd_per_kg) * UNITS_PER_USD[currency]
        return [
            {
                "hs_code": self.hs(cover.hs, shipper_country),
                "description": description or self.pick(cover.descriptions),
                "packages": packages,
                "package_type": cover.package,
                "gross_weight_kg": gross,
                "net_weight_kg": net,
                "value": f"{amount:.2f}",
                "currency": currency,
                "origin_country": origin,
                "container_number": number if number and self.chance(0.2) else None,
            }
        ]

    def equip(self, host: _Host, code: str) -> Equipment:
        """Put the host's container on ``code`` equipment; a reefer or a tank gets a number
        from its own owners (the box is swapped, its old number is kept nowhere)."""
        eq = EQUIPMENT[code]
        box = host.container
        old = EQUIPMENT[str(box["size_type"])]
        if old.code == code:
            return eq
        box["size_type"] = code
        box["tare_kg"] = float(self.pick(eq.tares))
        special = ("reefer", "tank")
        if eq.group != old.group and (eq.group in special or old.group in special):
            self.renumber(host, self.batch._container_number(host.carrier, eq, None))
        return eq

    def renumber(self, host: _Host, number: str) -> None:
        old = host.container["number"]
        host.container["number"] = number
        c = host.consignment
        c["container_numbers"] = [number if n == old else n for n in c["container_numbers"]]
        for line in c["goods"]:
            if line["container_number"] == old:
                line["container_number"] = number

    def fill(self, host: _Host, eq: Equipment, cargo: float, hidden: float = 0.0) -> None:
        """Set the VGM for ``cargo`` kg of declared goods and ``hidden`` kg more."""
        tare = float(host.container["tare_kg"])
        mass = min(cargo + hidden, eq.payload) + self.uniform(0, 90)
        host.container["verified_gross_mass_kg"] = float(round(tare + mass))

    def seals(self, host: _Host, kind: str) -> str:
        """Reseal: ``shipper`` (the shipper's seal only), ``none`` or ``carrier``."""
        if kind == "shipper":
            host.container["seals"] = [
                {"number": self.batch._digits(self.pick((6, 7, 8))), "sealer": "shipper"}
            ]
            return "shipper's seal only"
        if kind == "none":
            host.container["seals"] = []
            return "no seal on a laden container"
        return ""

    def route(self, host: _Host, route: _Route, place_of_delivery: str | None = None) -> None:
        """Send the B/L on ``route``: ports, a B/L number naming the new port of loading,
        and an issue date as many days before arrival as the voyage takes."""
        c = host.consignment
        old = c["port_of_loading"]
        c["port_of_loading"] = route.port_of_loading
        c["transshipment_ports"] = list(route.transshipment)
        c["place_of_receipt"] = route.port_of_loading if self.chance(0.5) else None
        c["place_of_delivery"] = place_of_delivery or self.port_of_call
        if route.port_of_loading != old or c["master_bl_number"] is not None:
            c["bl_number"] = self.batch._bl_number(host.carrier, route.port_of_loading)
            c["master_bl_number"] = None
        region = _region(route.port_of_loading)
        low, high = REGION_DAYS.get(region) or _EXTRA_DAYS[region]
        days = self.uniform(low, high)
        for _ in route.transshipment:
            days += self.uniform(*TRANSSHIPMENT_DAYS)
        arrival = datetime.fromisoformat(str(host.manifest["arrival"]))
        sailed = arrival - timedelta(days=days + self.uniform(0.3, 2.5))
        c["issue_date"] = sailed.date().isoformat()

    def parties(self, host: _Host, shipper: Doc, consignee: Doc) -> None:
        """New parties, and freight terms of their own: a payer declared for the old
        ones would now look like a third party."""
        c = host.consignment
        c["shipper"], c["consignee"] = shipper, consignee
        self.freight(host, "collect" if self.chance(0.35) else "prepaid", None)

    def freight(self, host: _Host, terms: str, payer: Doc | None) -> str:
        c = host.consignment
        c["freight_terms"] = terms
        c["freight_payer"] = payer
        if payer is None:
            return ""
        return f"freight {terms}, paid by {payer['name']} (a third party)"


# --- the scenarios -----------------------------------------------------------------------
#
# Each scenario has a router, which says on which routes (if any) the host's vessel call
# can bring it in, given where the host's goods joined the vessel (the boarding port stays
# the same, so the B/L keeps its place in the call), and a planter, which rewrites the
# host. A router returns an empty list when the call cannot carry the scenario.


def _routes_cocaine(host: _Host, poc: str) -> list[_Route]:
    b = host.boarding
    if b not in _MED_GULF_HUBS or b == poc:
        return []
    routes = [
        _Route("ECGYE", ("PAMIT", b), "EC"),
        _Route("ECGYE", ("PAMIT", b), "EC"),
        _Route("COBUN", ("PAMIT", b), "CO"),
    ]
    if b == "AEJEA":
        routes.append(_Route("ECGYE", ("PAMIT", "ESALG", b), "EC"))
    return routes


def _plant_cocaine(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    shipper = p.new_party(route.shipper_country, "FRUITS")
    signals = [f"source route {_ports([route.port_of_loading, *route.transshipment])}"]
    if p.chance(0.5):
        consignee = p.to_order()
        c["notify_party"], _ = p.new_consignee("FRUITS")
        signals.append("consignee TO ORDER, notify party new")
    else:
        consignee, what = p.new_consignee(p.pick(("FRUITS", "TRADING", "FRESH PRODUCE")))
        c["notify_party"] = dict(consignee)
        signals.append(what)
    p.parties(host, shipper, consignee)
    code = str(host.container["size_type"]) if host.group == "reefer" else "45R1"
    eq = p.equip(host, code)
    p.route(host, route)
    cargo = p.uniform(19800, 21600) if eq.length == 40 else p.uniform(9800, 10600)
    c["goods"] = p.goods(
        _BANANAS,
        cargo,
        route.shipper_country,
        route.shipper_country,
        number=host.container["number"],
    )
    hidden = p.uniform(150, 650)
    p.fill(host, eq, _weight(c), hidden)
    signals.append(p.freight(host, "collect", p.third_party()))
    signals.append(p.seals(host, "shipper"))
    return _case(
        host,
        "cocaine_reefer",
        f"about {hidden:.0f} kg of cocaine in a {eq.code} reefer of bananas",
        signals,
    )


def _routes_southern(host: _Host, poc: str) -> list[_Route]:
    b = host.boarding
    if b not in _GULF_HUBS or b == poc:
        return []
    routes = [_Route("IRBND", (b,), "IR"), _Route("IRBND", (b,), "AF")]
    if b == "AEJEA":
        routes.append(_Route("AEJEA", (), "AE"))
    return routes


def _plant_southern(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    drug = "heroin" if route.shipper_country == "AF" or p.chance(0.4) else "methamphetamine"
    origin = route.shipper_country if route.shipper_country != "AE" else p.pick(("AF", "IR"))
    what, cover = p.pick(_SOUTHERN_COVERS)
    if route.shipper_country == "AF":
        # Afghan exporters ship through Iran: the shipper is Afghan, the port Iranian.
        shipper = p.new_party("AF", p.pick(("MARBLE", "TRADING", "IMPORT & EXPORT")))
    else:
        shipper = p.new_party(route.shipper_country, "GENERAL TRADING")
    consignee, who = p.new_consignee(p.pick(("TRADING", "BUILDING MATERIAL", "FOODS")))
    p.parties(host, shipper, consignee)
    c["notify_party"] = dict(consignee) if p.chance(0.6) else p.agent()
    eq = p.equip(host, "22G1" if host.group != "general" or p.chance(0.7) else "42G1")
    p.route(host, route)
    cargo = p.uniform(22000, 26500) if eq.length == 20 else p.uniform(24000, 26400)
    description = p.pick(cover.descriptions)
    c["goods"] = p.goods(
        cover,
        cargo,
        route.shipper_country,
        origin,
        description=description,
        number=host.container["number"],
    )
    p.fill(host, eq, _weight(c), p.uniform(20, 150))
    loaded = (
        f"loaded at {_port('IRBND')}, transshipped at {_ports(route.transshipment)}"
        if route.port_of_loading == "IRBND"
        else f"re-exported from {_port('AEJEA')} by a UAE trader"
    )
    signals = [
        f"origin {origin}, {loaded}",
        f"{what} (HS {cover.hs}) described as '{description}'",
        who,
    ]
    if p.chance(0.5):
        signals.append(p.freight(host, "collect", p.third_party()))
    if p.chance(0.5):
        signals.append(p.seals(host, "shipper"))
    return _case(host, "heroin_southern_route", f"{drug} in {what}", signals)


def _routes_precursor(host: _Host, poc: str) -> list[_Route]:
    b = host.boarding
    if b == poc:
        return []
    if b in _CN_PORTS:
        return [_Route(b, (), "CN")]
    if b == "KRPUS":
        return [_Route(b, (), "KR")]
    if b in ("DEHAM", "BEANR", "NLRTM"):
        return [_Route(b, (), "DE" if b != "BEANR" else "BE")]
    if b in ("AEJEA", "OMSLL", "LKCMB"):
        # India and Pakistan do not trade directly: Indian cargo comes through a hub.
        return [
            _Route("CNSHA", (b,), "CN"),
            _Route("CNTAO", (b,), "CN"),
            _Route("INNSA", (b,), "IN"),
            _Route("INMUN", (b,), "IN"),
        ]
    if b in _ASIA_HUBS or b in ("SAJED", "ESALG", "ITGIT", "GRPIR", "EGPSD"):
        return [_Route("CNSHA", (b,), "CN"), _Route("CNNGB", (b,), "CN")]
    return []


def _plant_precursor(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    what, cover = p.pick(_PRECURSORS)
    place = "AFKBL"
    shipper = p.new_party(route.shipper_country, p.pick(("CHEMICAL", "CHEMICALS", "TRADING")))
    consignee = p.new_party("AF", p.pick(("TRADING", "IMPORT & EXPORT", "CHEMICALS")))
    consignee["identifier"] = None
    p.parties(host, shipper, consignee)
    c["notify_party"] = p.agent()
    eq = p.equip(host, "22G1")
    p.route(host, route, place_of_delivery=place)
    cargo = p.uniform(14000, 19000)
    c["goods"] = p.goods(
        cover, cargo, route.shipper_country, route.shipper_country, number=host.container["number"]
    )
    p.fill(host, eq, _weight(c))
    description = c["goods"][0]["description"]
    declared = f"declared as '{description}' under HS {cover.hs}"
    signals = [
        f"{declared} (a sensitive chapter 29 code)",
        f"in transit to Kabul (AFKBL) for a new Afghan consignee from "
        f"{_ports([route.port_of_loading, *route.transshipment])}",
        p.freight(host, p.pick(("prepaid", "collect")), p.third_party()),
    ]
    return _case(host, "precursor_transit", f"{_weight(c):,.0f} kg of {what}", signals)


def _routes_counterfeit(host: _Host, poc: str) -> list[_Route]:
    b, pol = host.boarding, str(host.consignment["port_of_loading"])
    if host.lcl:
        if pol == "AEJEA":
            return [_Route(pol, tuple(host.consignment["transshipment_ports"]), "AE")]
        if pol in _CN_PORTS:
            return [_Route(pol, tuple(host.consignment["transshipment_ports"]), "CN")]
        return []
    if b == poc:
        return []
    if b == "AEJEA":
        return [_Route("AEJEA", (), "AE")]
    if b in _CN_PORTS:
        return [_Route(b, (), "CN")]
    if b in _ASIA_HUBS:
        return [_Route("CNNGB", (b,), "CN"), _Route("CNYTN", (b,), "CN")]
    return []


def _plant_counterfeit(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    what, cover = p.pick(_COUNTERFEITS)
    shipper = p.new_party(route.shipper_country, "GENERAL TRADING")
    consignee, who = p.new_consignee(p.pick(("TRADERS", "FOOTWEAR", "IMPEX")))
    p.parties(host, shipper, consignee)
    c["notify_party"] = dict(consignee) if p.chance(0.6) else p.agent()
    if host.lcl:
        # The house B/L keeps the consolidation's route and its share of the box's mass.
        c["goods"] = p.goods(cover, host.cargo, route.shipper_country, "CN", usd=True)
        c["place_of_delivery"] = p.port_of_call if p.chance(0.75) else None
        how = f"LCL house B/L consolidated at {_port(route.port_of_loading)}"
    else:
        eq = p.equip(host, "45G1" if host.group != "general" else str(host.container["size_type"]))
        p.route(host, route)
        cargo = p.uniform(3000, 6000) if eq.length == 20 else p.uniform(5000, 9000)
        c["goods"] = p.goods(
            cover, cargo, route.shipper_country, "CN", number=host.container["number"], usd=True
        )
        p.fill(host, eq, _weight(c))
        how = f"FCL from {_ports([route.port_of_loading, *route.transshipment])}"
    per_kg = _value_per_kg(c)
    signals = [
        f"IPR-prone goods (HS {cover.hs}) made in CN, {how}",
        f"declared at {per_kg:.2f} USD per kg (genuine goods: 6-25)",
        who,
    ]
    if p.chance(0.3):
        signals.append(p.freight(host, "prepaid", p.third_party()))
    return _case(host, "counterfeit_lcl", f"counterfeit {what}", signals)


def _routes_electronics(host: _Host, poc: str) -> list[_Route]:
    b = host.boarding
    if b == poc:
        return []
    if b == "AEJEA":
        return [_Route("AEJEA", (), "AE")]
    if b in _CN_PORTS or b == "HKHKG":
        return [_Route(b, (), b[:2])]
    if b in _ASIA_HUBS:
        return [_Route("HKHKG", (b,), "HK"), _Route("CNYTN", (b,), "CN")]
    return []


def _plant_electronics(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    what, cover = p.pick(_ELECTRONICS)
    shipper = p.new_party(route.shipper_country, p.pick(("ELECTRONICS", "TRADING", "DIGITAL")))
    consignee, who = p.new_consignee(p.pick(("ELECTRONICS", "MOBILE", "TRADERS")))
    p.parties(host, shipper, consignee)
    c["notify_party"] = p.agent()
    eq = p.equip(host, "22G1" if host.group != "general" else str(host.container["size_type"]))
    p.route(host, route)
    cargo = p.uniform(2000, 5000) if eq.length == 20 else p.uniform(3500, 8000)
    c["goods"] = p.goods(
        cover, cargo, route.shipper_country, "CN", number=host.container["number"], usd=True
    )
    p.fill(host, eq, _weight(c))
    per_kg = _value_per_kg(c)
    signals = [
        f"{what} (HS {cover.hs}) at {per_kg:.2f} USD per kg (usual: 15-200)",
        f"shipped by a trader in {route.shipper_country} from "
        f"{_ports([route.port_of_loading, *route.transshipment])}",
        p.freight(host, p.pick(("prepaid", "collect")), p.third_party()),
        who,
    ]
    return _case(host, "undervalued_electronics", f"undervalued {what}", signals)


def _routes_wildlife(host: _Host, poc: str) -> list[_Route]:
    b = host.boarding
    if b == poc:
        return []
    if b == "KEMBA":
        return [_Route("KEMBA", (), "KE")]
    if b in ("OMSLL", "AEJEA", "LKCMB", "SAJED"):
        return [
            _Route("KEMBA", (b,), "KE"),
            _Route("KEMBA", (b,), "KE"),
            _Route("NGAPP", (b,), "NG"),
            _Route("NGAPP", ("TGLFW", b), "NG"),
        ]
    if b in ("ESALG", "ITGIT", "GRPIR"):
        return [_Route("NGAPP", (b,), "NG"), _Route("NGAPP", ("TGLFW", b), "NG")]
    return []


def _plant_wildlife(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    what, cover = p.pick(_WILDLIFE_COVERS)
    contraband = p.pick(("ivory", "pangolin scales", "ivory and pangolin scales"))
    trade = "RECYCLING" if what == "plastic scrap" else "AGRO"
    shipper = p.new_party(route.shipper_country, trade)
    signals = [
        f"{what} (HS {cover.hs}) loaded at {_port(route.port_of_loading)}"
        + (f", transshipped at {_ports(route.transshipment)}" if route.transshipment else ""),
    ]
    if p.chance(0.4):
        consignee = p.to_order()
        c["notify_party"], _ = p.new_consignee(trade)
        signals.append("consignee TO ORDER")
    else:
        consignee, who = p.new_consignee(trade)
        c["notify_party"] = dict(consignee)
        signals.append(who)
    p.parties(host, shipper, consignee)
    eq = p.equip(host, "42G1" if host.group != "general" else str(host.container["size_type"]))
    p.route(host, route)
    cargo = p.uniform(16000, 19000) if eq.length == 20 else p.uniform(18000, 24000)
    c["goods"] = p.goods(
        cover, cargo, route.shipper_country, route.shipper_country, number=host.container["number"]
    )
    # The tusks or scales are hidden among the cover goods and weighed as such.
    hidden = p.uniform(300, 1500)
    p.fill(host, eq, _weight(c))
    signals.append(p.freight(host, "collect", p.third_party()))
    if p.chance(0.6):
        signals.append(p.seals(host, "shipper"))
    return _case(
        host,
        "wildlife_concealment",
        f"about {hidden:,.0f} kg of {contraband} under {what}",
        signals,
    )


def _routes_firearms(host: _Host, poc: str) -> list[_Route]:
    b = host.boarding
    if b == poc:
        return []
    if b == "TRMER":
        return [_Route("TRMER", (), "TR")]
    if b == "AEJEA":
        return [_Route("AEJEA", (), "AE"), _Route("TRMER", (b,), "TR")]
    if b in _MED_GULF_HUBS:
        return [_Route("TRMER", (b,), "TR")]
    if b in _CN_PORTS:
        return [_Route(b, (), "CN")]
    return []


def _plant_firearms(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    origin = route.shipper_country if route.shipper_country != "AE" else p.pick(("TR", "US"))
    shipper = p.new_party(route.shipper_country, p.pick(("MACHINERY", "ENGINEERING", "TRADING")))
    consignee, who = p.new_consignee(p.pick(("ENGINEERING", "TRADERS", "INDUSTRIES")))
    p.parties(host, shipper, consignee)
    c["notify_party"] = dict(consignee)
    code = p.pick(("42P1", "22U1")) if p.chance(0.3) else "22G1"
    eq = p.equip(host, code)
    p.route(host, route)
    cargo = p.uniform(4000, 12000)
    description = p.pick(_MACHINERY_PARTS.descriptions)
    c["goods"] = p.goods(
        _MACHINERY_PARTS,
        cargo,
        route.shipper_country,
        origin,
        description=description,
        number=host.container["number"],
    )
    hidden = p.uniform(200, 900)
    p.fill(host, eq, _weight(c), hidden)
    signals = [
        f"described only as '{description}' (HS {_MACHINERY_PARTS.hs})",
        f"origin {origin}, from {_ports([route.port_of_loading, *route.transshipment])}",
        who,
    ]
    if eq.group != "general":
        signals.append(f"concealment-prone {eq.group.replace('_', ' ')} equipment ({eq.code})")
    else:
        signals.append(p.seals(host, p.pick(("shipper", "none"))))
    return _case(host, "firearms_parts", "firearms parts inside machinery", signals)


def _routes_any(host: _Host, poc: str) -> list[_Route]:
    c = host.consignment
    if c["place_of_delivery"] not in (None, poc):
        return []  # transit cargo: its consignee lives elsewhere
    pol = str(c["port_of_loading"])
    return [_Route(pol, tuple(c["transshipment_ports"]), pol[:2])]


def _routes_heavy(host: _Host, poc: str) -> list[_Route]:
    return _routes_any(host, poc) if host.cargo >= 10_000 else []


def _plant_weight(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    """The goods as generated, a fraction of their weight declared; the VGM is the truth."""
    c = host.consignment
    share = p.uniform(0.25, 0.5)
    true = host.cargo
    for line in c["goods"]:
        line["packages"] = max(1, round(line["packages"] * share))
        line["gross_weight_kg"] = round(line["gross_weight_kg"] * share, 2)
        if line["net_weight_kg"] is not None:
            line["net_weight_kg"] = round(line["net_weight_kg"] * share, 2)
        if line["value"] is not None:
            line["value"] = f"{float(line['value']) * share:.2f}"
    signals = [f"VGM minus tare is {true - _weight(c):,.0f} kg above the declared goods weight"]
    options = ["vague", "to_order", "payer"]
    p.rng.shuffle(options)
    for option in options[:2]:
        if option == "vague":
            text = p.pick(_VAGUE)
            c["goods"][0]["description"] = text
            signals.append(f"goods described as '{text}'")
        elif option == "to_order":
            c["notify_party"] = dict(c["consignee"])
            c["consignee"] = p.to_order()
            signals.append("consignee TO ORDER")
        else:
            signals.append(p.freight(host, "collect", p.third_party()))
    return _case(host, "undeclared_weight", "undeclared cargo", signals)


def _plant_fictitious(p: _Planting, host: _Host, route: _Route) -> PlantedCase:
    c = host.consignment
    number = str(host.container["number"])
    good = int(number[10])
    bad = (good + _randint(p.rng, 1, 9)) % 10
    p.renumber(host, number[:10] + str(bad))
    consignee, who = p.new_consignee(p.pick(("TRADERS", "IMPEX", "ENTERPRISES")), address="po_box")
    p.parties(host, c["shipper"], consignee)
    c["notify_party"] = dict(consignee)
    signals = [f"container number fails the ISO 6346 check digit (it should end in {good})", who]
    if p.chance(0.5):
        text = p.pick(_VAGUE)
        c["goods"][0]["description"] = text
        signals.append(f"goods described as '{text}'")
    else:
        signals.append(p.seals(host, p.pick(("shipper", "none"))))
    return _case(host, "fictitious_container", "a cloned or fictitious container number", signals)


_RULES: dict[str, tuple[Callable[[_Host, str], list[_Route]], Planter, bool]] = {
    # name: (router, planter, LCL host wanted)
    "cocaine_reefer": (_routes_cocaine, _plant_cocaine, False),
    "heroin_southern_route": (_routes_southern, _plant_southern, False),
    "precursor_transit": (_routes_precursor, _plant_precursor, False),
    "counterfeit_lcl": (_routes_counterfeit, _plant_counterfeit, True),
    "undervalued_electronics": (_routes_electronics, _plant_electronics, False),
    "wildlife_concealment": (_routes_wildlife, _plant_wildlife, False),
    "firearms_parts": (_routes_firearms, _plant_firearms, False),
    "undeclared_weight": (_routes_heavy, _plant_weight, False),
    "fictitious_container": (_routes_any, _plant_fictitious, False),
}


def _weight(c: Doc) -> float:
    return sum(float(g["gross_weight_kg"]) for g in c["goods"])


def _value_per_kg(c: Doc) -> float:
    usd = sum(float(g["value"]) / UNITS_PER_USD[g["currency"]] for g in c["goods"])
    return usd / _weight(c)


def _case(host: _Host, scenario: str, what: str, signals: list[str]) -> PlantedCase:
    said = [s for s in signals if s]
    return PlantedCase(
        container_number=str(host.container["number"]),
        bl_number=str(host.consignment["bl_number"]),
        scenario=scenario,
        description=f"{what}: " + "; ".join(said),
    )


def _apportion(count: int, rng: random.Random) -> list[str]:
    """``count`` scenario names in the scenarios' shares: whole shares first, the
    remaining cases drawn without replacement in proportion to the fractions left."""
    total = sum(s.weight for s in SCENARIOS)
    exact = {s.name: count * s.weight / total for s in SCENARIOS}
    names = [name for name, share in exact.items() for _ in range(math.floor(share))]
    left = {name: share - math.floor(share) for name, share in exact.items()}
    # Weighted sampling without replacement: the largest u ** (1 / w) keys win.
    keys = sorted(
        ((rng.random() ** (1 / w) if w > 0 else 0.0, name) for name, w in left.items()),
        reverse=True,
    )
    names += [name for _, name in keys[: count - len(names)]]
    rng.shuffle(names)
    return names


def _plant(planting: _Planting, documents: list[Doc], count: int) -> list[PlantedCase]:
    fcl, lcl = _hosts(documents)
    if count > len(fcl):
        raise ValueError(
            f"cannot plant {count} cases: only {len(fcl)} containers of the batch can carry one"
        )
    rng = planting.rng
    poc = planting.port_of_call
    # Per scenario, the hosts that can carry it and their routes, best hosts first: an
    # LCL house for counterfeits, a reefer for cocaine, a dry box for the rest.
    tiers: dict[str, list[list[tuple[_Host, list[_Route]]]]] = {}
    kabul = any(place == "AFKBL" for place, _, _ in TRANSIT_DELIVERY.get(planting.country, ()))
    for name, (router, _, wants_lcl) in _RULES.items():
        if name == "precursor_transit" and not kabul:
            tiers[name] = []  # no Afghan transit trade through this port
            continue
        fit = [(h, routes) for h in (lcl if wants_lcl else []) + fcl if (routes := router(h, poc))]
        if wants_lcl:
            best = [hr for hr in fit if hr[0].lcl]
        elif name == "cocaine_reefer":
            best = [hr for hr in fit if hr[0].group == "reefer"]
        else:
            best = [hr for hr in fit if hr[0].group == "general"]
        tiers[name] = [best, fit]
    used: set[int] = set()  # ids of the host consignments' containers
    calls: set[tuple[str, int]] = set()  # (scenario, id of the manifest) planted so far
    weights = {s.name: s.weight for s in SCENARIOS}
    done: list[tuple[_Host, PlantedCase]] = []
    for wanted in _apportion(count, rng):
        # The wanted scenario, else (the day's calls cannot bring it in) another one,
        # drawn in proportion to the shares.
        draws = {s: weights[s] * rng.random() for s in weights if s != wanted}
        others = sorted(draws, key=lambda s: -draws[s])
        for name in (wanted, *others):
            _, planter, _ = _RULES[name]
            candidates: list[tuple[_Host, list[_Route]]] = []
            # A scenario spreads over the day's calls before it repeats in one.
            for fresh, tier in itertools.product((True, False), tiers[name]):
                candidates = [
                    hr
                    for hr in tier
                    if id(hr[0].container) not in used
                    and not (fresh and (name, id(hr[0].manifest)) in calls)
                ]
                if candidates:
                    break
            if not candidates:
                continue
            host, routes = candidates[int(rng.random() * len(candidates))]
            used.add(id(host.container))
            calls.add((name, id(host.manifest)))
            route = routes[int(rng.random() * len(routes))]
            done.append((host, planter(planting, host, route)))
            break
    order = {id(doc): i for i, doc in enumerate(documents)}
    done.sort(key=lambda hc: (order[id(hc[0].manifest)], hc[1].container_number))
    return [case for _, case in done]


def generate_port_day(
    seed: int,
    containers: int = 5000,
    *,
    port_of_call: str = "PKKHI",
    start: datetime | None = None,
    planted: int | None = None,
    defect_rate: float = 0.02,
) -> PortDay:
    """Generate a port day with planted high-risk cases, and the list of them.

    The batch is :func:`generate_manifests` with the same arguments, in which a few
    consignments (and their containers) are rewritten into the cases of
    :data:`SCENARIOS`. Each case combines several indicators: a source route, a cover
    commodity, a vague or false description, a new or "to order" consignee, a third-party
    freight payer, a shipper's seal alone, a mass the goods do not explain... A case keeps
    its vessel call and the port where its goods joined the vessel (so its bill of lading
    stays in loading order), and gets a plausible voyage time, weight and value; hosts
    carry no planted data-quality defect, so the planted signals are the only oddities.
    Every other consignment and container is exactly what the generator wrote.

    Args:
        seed: the seed of the batch and of the planting; the same arguments always give
            the same manifests and the same planted list.
        containers: the number of containers of the day (Karachi handles about 5,000).
        port_of_call: the UN/LOCODE the manifests are filed at (see
            :func:`generate_manifest_documents`). Precursors in transit to Kabul need a
            port with Afghan transit trade (Pakistan).
        start: when the first vessel arrives; defaults to :data:`DEFAULT_START`.
        planted: how many cases to plant; by default one per 125 containers, rounded
            (40 in 5,000; at least one in a non-empty day). Scenarios the day's vessel
            calls cannot bring in (cocaine needs a call at a Mediterranean or Gulf hub)
            are replaced by others.
        defect_rate: the rate of planted data-quality defects, as for the generator.

    Raises:
        ValueError: for a negative ``planted``, more cases than the batch has containers
            able to carry them, or any argument the generator refuses.

    >>> day = generate_port_day(3, 1000)
    >>> len(day.planted), {case.scenario for case in day.planted} <= {s.name for s in SCENARIOS}
    (8, True)
    """
    documents = list(
        generate_manifest_documents(
            seed, containers, port_of_call=port_of_call, start=start, defect_rate=defect_rate
        )
    )
    if planted is None:
        planted = max(1, round(containers / _CONTAINERS_PER_CASE)) if containers else 0
    if not isinstance(planted, int) or isinstance(planted, bool) or planted < 0:
        raise ValueError(f"planted must be a non-negative int, not {planted!r}")
    cases: list[PlantedCase] = []
    if planted:
        if not documents:
            raise ValueError(f"cannot plant {planted} cases in an empty day")
        planting = _Planting(seed, documents, str(documents[0]["port_of_call"]))
        cases = _plant(planting, documents, planted)
    manifests = [Manifest.model_validate(doc, context=LENIENT) for doc in documents]
    return PortDay(manifests, tuple(cases))


def write_planted(planted: Iterable[PlantedCase], path: str | Path) -> int:
    """Write planted cases as CSV (``container_number,bl_number,scenario,description``),
    the ground truth to keep next to the batch; returns the number of cases written."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = CsvWriter(handle)
        writer.writerow(PLANTED_COLUMNS)
        for case in planted:
            writer.writerow(
                [case.container_number, case.bl_number, case.scenario, case.description]
            )
            count += 1
    return count


def read_planted(path: str | Path) -> tuple[PlantedCase, ...]:
    """Read a CSV written by :func:`write_planted`.

    Raises:
        ValueError: when the header is not ``container_number,bl_number,scenario,
            description``.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header) != PLANTED_COLUMNS:
            raise ValueError(f"{path}: not a planted-cases file (header {header!r})")
        return tuple(PlantedCase(*map(csv_text, row)) for row in reader if row)
