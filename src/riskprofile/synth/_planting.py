"""What planting a case works with: the places (ports, hubs, regions), the cover goods each
scenario hides behind, the batch as found (the sound containers that may host a case,
:class:`_Host`) and :class:`_Planting`, which rewrites a host's documents (parties, goods,
equipment, seals, route) as a smuggler or a careless declarant would; and
:class:`PlantedCase`, what was planted where.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from stdnum import iso6346

from riskprofile.synth._commodities import EQUIPMENT, UNITS_PER_USD, Equipment
from riskprofile.synth._draw import _choice, _randint
from riskprofile.synth._generator import DEFAULT_START, _Batch
from riskprofile.synth._reference import (
    CARRIERS,
    COUNTRY_PORTS,
    PORTS,
    REGION_DAYS,
    TRANSSHIPMENT_DAYS,
    Carrier,
)

__all__ = ["PlantedCase"]


Doc = dict[str, Any]


T = TypeVar("T")


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
