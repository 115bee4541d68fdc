"""The seeded generator of synthetic manifests (see :mod:`riskprofile.synth`)."""

from __future__ import annotations

import math
import random
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import cache
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

import pycountry
from stdnum import iso6346

from riskprofile.model._base import LENIENT
from riskprofile.model.codes import is_country, locode_problem, normalise_locode
from riskprofile.model.manifest import Manifest
from riskprofile.synth._reference import (
    AEO_COUNTRIES,
    AFFINITY,
    AGENT_TRADES,
    CARRIERS,
    COMMODITIES,
    COUNTRY_PORTS,
    CURRENCY_BY_COUNTRY,
    EQUIPMENT,
    EU_COUNTRIES,
    FEEDS,
    FORWARDER_TRADES,
    GENERIC_TRADES,
    GENERIC_WORDS,
    HINTERLAND,
    LCL_EQUIPMENT,
    LCL_ORIGINS,
    LEASING_PREFIXES,
    LEASING_REEFER_PREFIXES,
    LOCALES,
    ORDER_BANKS,
    PORTS,
    REEXPORT_COUNTRIES,
    REGION_DAYS,
    SERVICES,
    SIZE_TYPE_WORDS,
    TANK_PREFIXES,
    TRANSIT_DELIVERY,
    TRANSIT_SHARE,
    TRANSSHIPMENT_DAYS,
    UNITS_PER_USD,
    VAGUE_DESCRIPTIONS,
    VESSEL_IMO,
    Carrier,
    Commodity,
    Equipment,
    Locale,
    Package,
    Service,
)

__all__ = [
    "CONSIGNMENT_DEFECTS",
    "CONTAINER_DEFECTS",
    "DEFAULT_START",
    "GOODS_DEFECTS",
    "MANIFEST_DEFECTS",
    "Defect",
    "generate_manifest_documents",
    "generate_manifests",
]

DEFAULT_START = datetime(2026, 11, 2, tzinfo=UTC)
"""Where generated arrivals begin when no ``start`` is given (never the wall clock)."""

# Vessel calls carry 200 to 2,000 containers; Karachi sees about 5,000 a day.
_MIN_CALL, _MAX_CALL = 200, 2000
_CONTAINERS_PER_DAY = 5000.0

# Rates of features that are normal in real manifests, not defects.
_UNNAMED_RATE = 0.004  # containers on the manifest that no B/L names (mostly empties)
_NO_EQUIPMENT_RATE = 0.003  # FCL B/Ls whose containers have no equipment record
_NO_CONTAINER_BL_RATE = 0.002  # B/Ls that name no container at all
_NVOCC_RATE = 0.08  # FCL B/Ls that are a forwarder's house B/L under a carrier master
_TO_ORDER_RATE = 0.06
_FORWARDER_CONSIGNEE_RATE = 0.04  # consigned to a forwarder; the buyer is the notify party
_THIRD_PARTY_PAYER_RATE = 0.03
_VAGUE_RATE = 0.025
_NAME_VARIANT_RATE = 0.03

_SERVICE_FORMATS = ("{word} {trade} {suffix}",)
# Pakistani trade suffixes (TRADERS, IMPEX...) do not fit an agent or a forwarder.
_SERVICE_SUFFIXES = {"PK": ("(PVT) LTD", "(PRIVATE) LIMITED", "", "")}

_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, as in most reference numbers
_USCI_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

T = TypeVar("T")
Doc = dict[str, Any]


class Defect(NamedTuple):
    """A planted data-quality defect.

    ``flagged`` tells whether lenient validation turns it into a quality flag on the
    record that carries it; the others (a missing tare, an absurd weight) are left for
    rules to find.
    """

    name: str
    flagged: bool
    description: str


CONTAINER_DEFECTS: tuple[Defect, ...] = (
    Defect("check_digit", True, "container number fails the ISO 6346 check digit"),
    Defect("size_type_words", True, "size-type written as 40HC/20GP instead of ISO 6346"),
    Defect("missing_tare", False, "no tare mass"),
    Defect("vgm_in_tonnes", True, "VGM declared in tonnes, so below the tare"),
    Defect("negative_vgm", True, "negative VGM"),
    Defect("absurd_vgm", True, "VGM declared in grams (flagged implausible)"),
    Defect("duplicate_seal", False, "seal number already used on another container"),
    Defect("missing_seal", False, "full container without a seal"),
)
"""Defects planted on a container (one chance per container)."""

GOODS_DEFECTS: tuple[Defect, ...] = (
    Defect("hs_bad_chapter", True, "HS code in a chapter that does not exist (00, 77)"),
    Defect("hs_short", True, "HS code with only 4 digits"),
    Defect("unknown_currency", True, "currency that is not ISO 4217 (RMB, USS, EURO...)"),
    Defect("net_above_gross", True, "net weight above gross weight"),
    Defect("negative_weight", True, "negative gross weight"),
    Defect("absurd_weight", False, "gross weight in grams (a thousand times too heavy)"),
    Defect("origin_country_bad", True, "origin country that is not ISO 3166 (EU, XX)"),
    Defect("value_text", True, "value written as text (N/A, NCV, AS PER INVOICE)"),
    Defect("negative_packages", True, "negative number of packages"),
)
"""Defects planted on a goods line (one chance per line)."""

CONSIGNMENT_DEFECTS: tuple[Defect, ...] = (
    Defect("locode_unknown_country", True, "port of loading with a mistyped country (UKFXT)"),
    Defect("locode_text", True, "place of delivery as a city name instead of a LOCODE"),
    Defect(
        "party_country_alpha3", False, "shipper country as ISO alpha-3 (CHN; the model converts it)"
    ),
    Defect("duplicate_bl", True, "B/L number repeated in the manifest (flag on manifest)"),
    Defect("issued_after_arrival", False, "B/L issued after the vessel's arrival"),
    Defect("missing_consignee", True, "no consignee (flagged consignee_name:missing)"),
)
"""Defects planted on a bill of lading (one chance per B/L)."""

MANIFEST_DEFECTS: tuple[Defect, ...] = (
    Defect("imo_check_digit", True, "vessel IMO number fails its check digit"),
    Defect("duplicate_container", True, "one container listed twice"),
    Defect("missing_voyage", False, "no voyage number"),
)
"""Defects planted on a manifest (one chance per vessel call)."""


class _Table(Generic[T]):
    """Weighted choice in O(log n) with one draw from the generator."""

    __slots__ = ("_cum", "_items", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        self._items: list[T] = []
        self._cum: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                self._items.append(item)
                self._cum.append(total)
        self._total = total

    def __bool__(self) -> bool:
        return bool(self._items)

    def pick(self, rng: random.Random) -> T:
        return self._items[bisect_right(self._cum, rng.random() * self._total)]


class _Pool:
    """Traders seen so far: a Chinese-restaurant process, so a few big traders recur,
    many small ones appear once, and new names keep arriving over time."""

    __slots__ = ("alpha", "items", "tickets")

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self.items: list[Doc] = []
        self.tickets: list[int] = []

    def wants_new(self, rng: random.Random) -> bool:
        n = len(self.tickets)
        return not self.items or rng.random() * (n + self.alpha) < self.alpha

    def add(self, party: Doc) -> Doc:
        self.items.append(party)
        self.tickets.append(len(self.items) - 1)
        return party

    def reuse(self, rng: random.Random) -> Doc:
        index = self.tickets[int(rng.random() * len(self.tickets))]
        self.tickets.append(index)
        return self.items[index]


class _Origin(NamedTuple):
    port: str
    shipper_country: str
    reexport: bool


class _ServicePlan(NamedTuple):
    service: Service
    calls: tuple[str, ...]
    hubs: tuple[str, ...]
    commodities: _Table[Commodity]
    lcl_commodities: _Table[Commodity]
    lcl_origins: _Table[str]
    origins: dict[str, _Table[_Origin]]
    carriers: _Table[Carrier]


class _Call:
    """One vessel call being built."""

    def __init__(
        self, plan: _ServicePlan, rotation: tuple[str, ...], carrier: Carrier, arrival: datetime
    ) -> None:
        self.plan = plan
        self.rotation = rotation
        self.order = {port: i for i, port in enumerate(rotation)}
        self.hubs = tuple(h for h in rotation if h in plan.hubs) or rotation[-1:]
        self.carrier = carrier
        self.arrival = arrival
        self.consignments: list[tuple[int, int, Doc]] = []
        self.records: dict[str, Doc] = {}
        self.unnamed: list[Doc] = []
        self.last_seal: str | None = None
        self.last_bl: str | None = None


class _Route(NamedTuple):
    port_of_loading: str
    transshipment: list[str]
    days: float
    boarding: int  # position in the rotation where the cargo joins this vessel


@cache
def _alpha3(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(country.alpha_3) if country is not None else code + "X"


@cache
def _country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name).upper() if country is not None else code


def _style_tokens(style: str) -> list[tuple[str, int]]:
    return [(kind, int(size)) for kind, size in re.findall(r"([pad])(\d+)", style)]


class _Batch:
    """State shared by every vessel call of one generated batch."""

    def __init__(
        self,
        seed: int,
        port_of_call: str,
        start: datetime,
        defect_rate: float,
        lcl_share: float,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        # Defects draw from their own stream, so the rate changes nothing else.
        self.drng = random.Random(f"riskprofile.synth.defects:{seed}")  # noqa: S311
        self.defect_rate = defect_rate
        self.lcl_share = lcl_share
        self.port_of_call = port_of_call
        self.country = port_of_call[:2]
        self.start = start
        self.used_containers: set[str] = set()
        self.used_bls: set[str] = set()
        self.used_voyages: set[tuple[str, str]] = set()
        self.transit = _Table(
            ((place, country), w) for place, country, w in TRANSIT_DELIVERY.get(self.country, ())
        )
        self.locale = LOCALES.get(self.country) or self._generic_locale()
        self.plans = _Table((plan, plan.service.weight) for plan in self._plans())
        if not self.plans:
            raise ValueError(f"no trade lane reaches {port_of_call}")
        self.consignees: dict[str, _Pool] = {}
        self.all_consignees: list[Doc] = []
        self.transit_consignees: dict[str, _Pool] = {}
        self.shippers: dict[tuple[str, str], _Pool] = {}
        self.consolidators: dict[str, _Pool] = {}
        self.forwarders = _Pool(4)
        self.agents = _Pool(8)
        self.payers = _Pool(4)
        # Trader name -> short code for house B/L and seal numbers. Keyed by name, never by
        # id(): ids of freed copies are reused, which would make output depend on memory.
        self.codes: dict[str, str] = {}
        self.bl_tokens = {c.scac: _style_tokens(c.bl_style) for c in CARRIERS.values()}

    # --- set-up ------------------------------------------------------------------------

    def _generic_locale(self) -> Locale:
        port = PORTS.get(self.port_of_call)
        city = port.name if port is not None else self.port_of_call[2:]
        return Locale(
            _country_name(self.country),
            GENERIC_WORDS,
            ("{word} {trade} {suffix}", "{word} {word2} {suffix}"),
            ("LTD", "LLC", "CO.", "TRADING"),
            (city,),
            ("MAIN", "HARBOUR", "STATION", "MARKET", "INDUSTRIAL"),
            ("{n} {street} STREET, {city}, " + _country_name(self.country),),
        )

    def _plans(self) -> Iterator[_ServicePlan]:
        for service in SERVICES:
            calls = tuple(c for c in service.calls if c != self.port_of_call)
            if not calls:
                continue
            affinity = AFFINITY.get(service.key, {})
            commodities: list[tuple[Commodity, float]] = []
            lcl: list[tuple[Commodity, float]] = []
            origins: dict[str, _Table[_Origin]] = {}
            for com in COMMODITIES:
                total = sum(w for _, w in com.origins)
                pairs: list[tuple[_Origin, float]] = []
                for country, weight in com.origins:
                    if country == self.country:
                        continue
                    ports = COUNTRY_PORTS[country]
                    port_total = sum(w for _, w in ports)
                    for port, pw in ports:
                        if port == self.port_of_call:
                            continue
                        aff = affinity.get(PORTS[port].region, 0.0)
                        pairs.append(
                            (_Origin(port, country, False), weight * pw / port_total * aff)
                        )
                if com.reexport and self.country != "AE":
                    aff = affinity.get("GULF", 0.0)
                    pairs.append((_Origin("AEJEA", "AE", True), total * com.reexport * aff))
                table = _Table(pairs)
                if not table:
                    continue
                origins[com.key] = table
                available = sum(w for _, w in pairs) / total
                commodities.append((com, com.share * available))
                if com.lcl:
                    lcl.append((com, com.share * available))
            if not commodities:
                continue
            yield _ServicePlan(
                service,
                calls,
                tuple(h for h in service.hubs if h in calls),
                _Table(commodities),
                _Table(lcl) if lcl else _Table(commodities),
                _Table(
                    (port, weight * affinity.get(PORTS[port].region, 0.0))
                    for port, weight in LCL_ORIGINS
                    if port[:2] != self.country
                ),
                origins,
                _Table((CARRIERS[scac], w) for scac, w in service.carriers),
            )

    # --- small draws -------------------------------------------------------------------

    def _defect(self, kinds: tuple[Defect, ...]) -> str | None:
        if self.defect_rate and self.drng.random() < self.defect_rate:
            return kinds[int(self.drng.random() * len(kinds))].name
        return None

    def _digits(self, n: int) -> str:
        return str(int(self.rng.random() * 10**n)).zfill(n)

    def _letters(self, n: int) -> str:
        rnd = self.rng.random
        return "".join([_LETTERS[int(rnd() * 24)] for _ in range(n)])

    # --- parties -----------------------------------------------------------------------

    def _identifier(self, country: str) -> str | None:
        rng, d = self.rng, self._digits
        if country == "PK":
            return f"{d(7)}-{d(1)}" if rng.random() < 0.9 else None
        if country == "CN" and rng.random() < 0.5:
            tail = "".join(_USCI_CHARS[int(rng.random() * len(_USCI_CHARS))] for _ in range(10))
            return f"91{_choice(rng, ('3302', '3101', '3702', '4403', '3502', '1201'))}00{tail}"
        if country in EU_COUNTRIES and rng.random() < 0.4:
            return country + d(_choice(rng, (9, 10, 12)))
        if country == "IN" and rng.random() < 0.6:
            return self._letters(5) + d(4) + self._letters(1)
        if country == "AE" and rng.random() < 0.4:
            return "100" + d(12)
        if country == "EC" and rng.random() < 0.7:
            return "09" + d(8) + "001"
        if country == "AF" and rng.random() < 0.6:
            return d(10)
        if country in ("UZ", "KZ", "TM") and rng.random() < 0.5:
            return d(9 if country == "UZ" else 12)
        if country == "US" and rng.random() < 0.2:
            return f"{d(2)}-{d(7)}"
        return None

    def _aeo(self, country: str, importer: bool) -> bool | None:
        r = self.rng.random()
        if importer:
            return True if r < 0.04 else (False if r < 0.6 else None)
        if country in AEO_COUNTRIES:
            return True if r < 0.08 else (False if r < 0.3 else None)
        return False if r < 0.15 else None

    def _new_party(
        self,
        country: str,
        trade: str,
        *,
        importer: bool = False,
        service: bool = False,
        city: str | None = None,
    ) -> Doc:
        """A new trader; a ``service`` company (forwarder, customs agent) always says what
        it does in its name."""
        rng = self.rng
        loc = LOCALES.get(country)
        if loc is None:
            loc = self.locale if country == self.country else LOCALES["AE"]
        word = _choice(rng, loc.words)
        word2 = _choice(rng, loc.words)
        if word2 == word:
            word2 = _choice(rng, GENERIC_WORDS)
        if city is None:
            city = _choice(rng, loc.cities)
        formats, suffixes = loc.formats, loc.suffixes
        if service:
            formats = tuple(f for f in formats if "{trade}" in f) or _SERVICE_FORMATS
            suffixes = _SERVICE_SUFFIXES.get(country, suffixes)
        name = _choice(rng, formats).format(
            word=word,
            word2=word2,
            trade=trade,
            city=city.split(",")[0].split(" - ")[0],
            suffix=_choice(rng, suffixes),
        )
        address = _choice(rng, loc.addresses).format(
            n=_randint(rng, 1, 480),
            m=_randint(rng, 1, 9),
            k=_randint(rng, 1, 9),
            box=_randint(rng, 1000, 99999),
            zip=self._digits(5),
            street=_choice(rng, loc.streets),
            city=city,
        )
        return {
            "name": _tidy_name(name),
            "address": address,
            "country": country,
            "identifier": self._identifier(country),
            "aeo": self._aeo(country, importer),
        }

    def _use(self, party: Doc) -> Doc:
        """A copy of a trader's record, now and then spelled differently."""
        copy = dict(party)
        if self.rng.random() < _NAME_VARIANT_RATE:
            name = str(copy["name"])
            variant = name.replace(".", "").replace(",", "")
            copy["name"] = variant if variant != name else "M/S " + name
        return copy

    def _from_pool(self, pool: _Pool, make: Callable[[], Doc]) -> Doc:
        if pool.wants_new(self.rng):
            return pool.add(make())
        return pool.reuse(self.rng)

    def _consignee(self, com: Commodity) -> Doc:
        pool = self.consignees.get(com.key)
        if pool is None:
            pool = self.consignees[com.key] = _Pool(12)
        if pool.wants_new(self.rng):
            if self.all_consignees and self.rng.random() < 0.08:
                # A trading house that deals in several lines of goods.
                party = self.all_consignees[int(self.rng.random() * len(self.all_consignees))]
            else:
                party = self._new_party(
                    self.country, self._trade(com), importer=self.country == "PK"
                )
                self.all_consignees.append(party)
            return pool.add(party)
        return pool.reuse(self.rng)

    def _trade(self, com: Commodity) -> str:
        if self.rng.random() < 0.25:
            return _choice(self.rng, GENERIC_TRADES)
        return _choice(self.rng, com.trades)

    def _transit_consignee(self, country: str, com: Commodity) -> Doc:
        pool = self.transit_consignees.get(country)
        if pool is None:
            pool = self.transit_consignees[country] = _Pool(6)
        return self._from_pool(pool, lambda: self._new_party(country, self._trade(com)))

    def _shipper(self, com: Commodity, country: str, port: str) -> Doc:
        """An exporter of ``com``; in a big country, one near the port of loading."""
        cities = HINTERLAND.get(port) if port[:2] == country else None
        key = (com.key, port if cities else country)
        pool = self.shippers.get(key)
        if pool is None:
            pool = self.shippers[key] = _Pool(5)
        return self._from_pool(
            pool,
            lambda: self._new_party(
                country, self._trade(com), city=_choice(self.rng, cities) if cities else None
            ),
        )

    def _forwarder_code(self, party: Doc) -> str:
        key = str(party["name"])
        code = self.codes.get(key)
        if code is None:
            initials = "".join(w[0] for w in str(party["name"]).split() if w[0].isalpha())
            code = (initials + self._letters(4))[:4]
            self.codes[key] = code
        return code

    def _consolidator(self, country: str) -> Doc:
        pool = self.consolidators.get(country)
        if pool is None:
            pool = self.consolidators[country] = _Pool(3)
        return self._from_pool(
            pool,
            lambda: self._new_party(country, _choice(self.rng, FORWARDER_TRADES), service=True),
        )

    def _agent(self) -> Doc:
        return self._from_pool(
            self.agents,
            lambda: self._new_party(self.country, _choice(self.rng, AGENT_TRADES), service=True),
        )

    def _dest_forwarder(self) -> Doc:
        return self._from_pool(
            self.forwarders,
            lambda: self._new_party(
                self.country, _choice(self.rng, FORWARDER_TRADES), service=True
            ),
        )

    def _third_party(self) -> Doc:
        def make() -> Doc:
            country = _choice(self.rng, ("AE", "AE", "AE", "HK", "SG"))
            return self._new_party(country, "GENERAL TRADING")

        return self._from_pool(self.payers, make)

    def _to_order(self) -> Doc:
        r = self.rng.random()
        if self.country == "PK" and r < 0.55:
            name = "TO THE ORDER OF " + _choice(self.rng, ORDER_BANKS)
        elif r < 0.85:
            name = "TO ORDER"
        else:
            name = "TO ORDER OF SHIPPER"
        return {"name": name, "address": None, "country": None, "identifier": None, "aeo": None}

    # --- numbers -----------------------------------------------------------------------

    def _bl_number(self, carrier: Carrier, pol: str) -> str:
        while True:
            parts = [carrier.bl_prefix]
            for kind, size in self.bl_tokens[carrier.scac]:
                if kind == "p":
                    parts.append(pol[2:])
                elif kind == "d":
                    parts.append(self._digits(size))
                else:
                    parts.append(self._letters(size))
            number = "".join(parts)
            if number not in self.used_bls:
                self.used_bls.add(number)
                return number

    def _house_number(self, forwarder: Doc, pol: str) -> str:
        code = self._forwarder_code(forwarder)
        while True:
            number = f"{code}{pol[2:]}{self.port_of_call[2:]}{self._digits(7)}"
            if number not in self.used_bls:
                self.used_bls.add(number)
                return number

    def _container_number(self, carrier: Carrier, eq: Equipment, defect: str | None) -> str:
        rng = self.rng
        r = rng.random()
        if eq.group == "tank":
            prefixes: tuple[str, ...] = TANK_PREFIXES
        elif eq.group == "reefer":
            prefixes = carrier.reefer_prefixes if r < 0.7 else LEASING_REEFER_PREFIXES
        elif r < 0.6:
            prefixes = carrier.prefixes
        elif r < 0.95:
            prefixes = LEASING_PREFIXES
        else:
            prefixes = _choice(rng, tuple(CARRIERS.values())).prefixes
        owner = _choice(rng, prefixes)
        while True:
            body = owner + self._digits(6)
            if body not in self.used_containers:
                self.used_containers.add(body)
                break
        digit = iso6346.calc_check_digit(body)
        if defect == "check_digit":
            digit = str((int(digit) + _randint(self.drng, 1, 9)) % 10)
        return body + digit

    # --- routes ------------------------------------------------------------------------

    def _route(self, call: _Call, origin: str) -> _Route:
        rng = self.rng
        region = PORTS[origin].region
        low, high = REGION_DAYS[region]
        days = rng.uniform(low, high)
        if origin in call.order:
            return _Route(origin, [], days, call.order[origin])
        feeds = _FEEDS.get((region, call.plan.service.key))
        feed = feeds.pick(rng) if feeds else None
        hubs = [h for h in (feed.hubs if feed else ()) if h in call.order] or list(call.hubs)
        hub = _choice(rng, hubs)
        chain: list[str] = []
        for port in (*(feed.before if feed else ()), hub):
            if port not in (origin, self.port_of_call) and (not chain or chain[-1] != port):
                chain.append(port)
        for _ in chain:
            days += rng.uniform(*TRANSSHIPMENT_DAYS)
        return _Route(origin, chain, days, call.order.get(hub, len(call.rotation)))

    # --- goods -------------------------------------------------------------------------

    def _spoil_goods(self, doc: Doc, defect: str) -> None:
        rng = self.drng
        gross = float(doc["gross_weight_kg"])
        if defect == "hs_bad_chapter":
            doc["hs_code"] = _choice(rng, ("77", "00")) + str(doc["hs_code"])[2:]
        elif defect == "hs_short":
            doc["hs_code"] = str(doc["hs_code"])[:4]
        elif defect == "unknown_currency":
            doc["currency"] = _choice(rng, ("RMB", "USS", "EURO", "US$", "DHS", "UAD"))
        elif defect == "net_above_gross":
            doc["net_weight_kg"] = round(gross * rng.uniform(1.02, 1.25), 2)
        elif defect == "negative_weight":
            doc["gross_weight_kg"] = -gross
        elif defect == "absurd_weight":
            doc["gross_weight_kg"] = round(gross * 1000, 2)
        elif defect == "origin_country_bad":
            origin = doc["origin_country"]
            doc["origin_country"] = "EU" if origin in EU_COUNTRIES else "XX"
        elif defect == "value_text":
            doc["value"] = _choice(rng, ("N/A", "NCV", "AS PER INVOICE"))
        elif defect == "negative_packages":
            doc["packages"] = -int(doc["packages"])

    def _goods_for(
        self, com: Commodity, cargo: float, eq: Equipment, terms: _Terms, number: str | None
    ) -> tuple[list[Doc], float]:
        """Goods lines filling one container (or one LCL house's share of it), and their
        true gross weight (before any planted defect).

        This is the innermost loop of the generator, written for speed: one ``random()``
        per decision and no helper calls.
        """
        rnd = self.rng.random
        r = rnd()
        table = _LINES[com.key]
        if r < 0.7 or len(com.lines) == 1:
            lines = [table.pick(self.rng)]
            shares = [1.0]
        else:
            lines = []
            for _ in range(2 if r < 0.92 else 3):
                line = table.pick(self.rng)
                if line not in lines:
                    lines.append(line)
            shares = [0.3 + 0.7 * rnd() for _ in lines]
        total = sum(shares)
        tank = eq.group == "tank"
        shipper_country = terms.shipper_country
        currency = terms.currency
        rate = terms.usd_per_kg * UNITS_PER_USD[currency]
        low, high = com.net
        out: list[Doc] = []
        weight = 0.0
        for line, share in zip(lines, shares, strict=True):
            if tank:
                pkg = _TANK_LOAD
            elif line.packages:
                pkg = line.packages[int(rnd() * len(line.packages))]
            else:
                pkg = terms.package
            load = cargo * share / total
            if pkg.kg_min == 0:
                packages = 1
                gross = round(load, 1)
            else:
                per = round(pkg.kg_min + (pkg.kg_max - pkg.kg_min) * rnd(), 2)
                packages = int(load / per + 0.5) or 1
                gross = round(packages * per, 2)
            weight += gross
            net: float | None = gross
            if low < 1.0:
                net = round(gross * (low + (high - low) * rnd()), 2)
            if rnd() < 0.08:
                net = None
            value: str | None = None
            declared: str | None = None
            if rnd() < 0.93:
                amount = gross * rate * (0.95 + 0.1 * rnd())
                value = f"{amount:.0f}" if currency == "JPY" else f"{amount:.2f}"
                declared = currency
            code = line.code
            hs = code
            r = rnd()
            if r < 0.15 and shipper_country == "CN":
                hs = code + "0000"  # China declares 10 digits
            elif r < 0.3:
                hs = code + _NATIONAL_DIGITS[int(rnd() * 3)]
            if rnd() < _VAGUE_RATE:
                text = VAGUE_DESCRIPTIONS[int(rnd() * len(VAGUE_DESCRIPTIONS))]
            else:
                text = line.descriptions[int(rnd() * len(line.descriptions))]
                r = rnd()
                if r < 0.18:
                    if r < 0.08:
                        text = f"SAID TO CONTAIN {packages} {pkg.code} {text}"
                    elif r < 0.13:
                        text = "STC " + text
                    else:
                        text = "SHIPPER'S LOAD, STOW AND COUNT: " + text
                r = rnd()
                if r < 0.08:
                    text += f" HS CODE: {code[:4]}.{code[4:]}"
                elif r < 0.12 and net is not None:
                    text += f" NET WT: {net:.2f} KGS"
            doc: Doc = {
                "hs_code": hs,
                "description": text,
                "packages": packages,
                "package_type": pkg.code,
                "gross_weight_kg": gross,
                "net_weight_kg": net,
                "value": value,
                "currency": declared,
                "origin_country": terms.origin_country if rnd() < 0.95 else None,
                "container_number": number,
            }
            if self.defect_rate:
                defect = self._defect(GOODS_DEFECTS)
                if defect is not None:
                    self._spoil_goods(doc, defect)
            out.append(doc)
        return out, weight

    # --- containers --------------------------------------------------------------------

    def _seals(self, call: _Call, eq: Equipment, shipper: Doc | None, lcl: bool) -> list[Doc]:
        rng = self.rng
        carrier = call.carrier
        r = rng.random()
        seals: list[Doc] = []
        if eq.group == "tank":
            for _ in range(_randint(rng, 2, 4)):
                seals.append({"number": self._digits(7), "sealer": "shipper"})
            if r < 0.5:
                seals.append({"number": carrier.seal_prefix + self._digits(7), "sealer": "carrier"})
        elif r < 0.01:
            return []  # a full box without a seal happens, rarely
        elif r < 0.89 or lcl:
            seals.append({"number": carrier.seal_prefix + self._digits(7), "sealer": "carrier"})
            if rng.random() < 0.15:
                seals.append({"number": self._shipper_seal(shipper), "sealer": "shipper"})
        elif r < 0.97:
            seals.append({"number": self._shipper_seal(shipper), "sealer": "shipper"})
        else:
            country = shipper["country"] if shipper else "XX"
            seals.append({"number": f"{country}{self._digits(7)}", "sealer": "customs"})
        for seal in seals:
            if rng.random() < 0.04:
                seal["sealer"] = None
        return seals

    def _shipper_seal(self, shipper: Doc | None) -> str:
        if shipper is not None and self.rng.random() < 0.4:
            return self._forwarder_code(shipper)[:2] + self._digits(6)
        return self._digits(_choice(self.rng, (6, 7, 8)))

    def _container(
        self,
        call: _Call,
        number: str,
        eq: Equipment,
        cargo: float | None,
        seals: list[Doc],
        defect: str | None,
    ) -> Doc:
        """The equipment record; ``cargo`` is the goods gross weight, None when empty."""
        rng = self.rng
        tare = float(_choice(rng, eq.tares))
        vgm: float | None = float(round(tare + (cargo + rng.uniform(0, 90) if cargo else 0)))
        if rng.random() < 0.02 and defect is None:
            vgm = None  # not declared
        doc: Doc = {
            "number": number,
            "size_type": eq.code,
            "full": cargo is not None,
            "seals": seals,
            "verified_gross_mass_kg": vgm,
            "tare_kg": tare,
        }
        if defect is not None and vgm is not None:
            if defect == "size_type_words":
                doc["size_type"] = SIZE_TYPE_WORDS[eq.code]
            elif defect == "missing_tare":
                doc["tare_kg"] = None
            elif defect == "vgm_in_tonnes":
                doc["verified_gross_mass_kg"] = round(vgm / 1000, 3)
            elif defect == "negative_vgm":
                doc["verified_gross_mass_kg"] = -vgm
            elif defect == "absurd_vgm":
                doc["verified_gross_mass_kg"] = vgm * 1000
            elif defect == "duplicate_seal":
                copied = call.last_seal or (seals[0]["number"] if seals else "NIL")
                if seals and call.last_seal:
                    seals[0]["number"] = copied
                else:
                    seals.append({"number": copied, "sealer": "carrier"})
            elif defect == "missing_seal":
                seals.clear()
        if seals:
            call.last_seal = str(seals[-1]["number"])
        return doc

    # --- bills of lading ---------------------------------------------------------------

    def _terms(self, com: Commodity, origin: _Origin) -> _Terms:
        rng = self.rng
        if origin.reexport:
            makers = [c for c, _ in com.origins if c != origin.shipper_country]
            makers = makers or [origin.shipper_country]
            origin_country = _choice(rng, makers)
        else:
            origin_country = origin.shipper_country
        currency = "USD"
        special = CURRENCY_BY_COUNTRY.get(origin.shipper_country)
        if special is not None and rng.random() < special[1]:
            currency = special[0]
        return _Terms(
            origin.shipper_country,
            origin_country,
            currency,
            rng.uniform(*com.usd_per_kg),
            _PACKAGES[com.key].pick(rng),
        )

    def _parties(
        self, com: Commodity, shipper: Doc, transit: tuple[str, str] | None
    ) -> tuple[Doc | None, Doc | None, str | None]:
        """Consignee, notify party and inland place of delivery (transit) of a B/L."""
        rng = self.rng
        if transit is not None:
            place, country = transit
            consignee = self._use(self._transit_consignee(country, com))
            agent = self._use(self._agent()) if rng.random() < 0.7 else dict(consignee)
            return consignee, agent, place
        buyer = self._use(self._consignee(com))
        r = rng.random()
        if r < _TO_ORDER_RATE:
            return self._to_order(), buyer, None
        if r < _TO_ORDER_RATE + _FORWARDER_CONSIGNEE_RATE:
            return self._use(self._dest_forwarder()), buyer, None
        notify: Doc | None
        r = rng.random()
        if r < 0.55:
            notify = dict(buyer)
        elif r < 0.65:
            notify = {
                "name": "SAME AS CONSIGNEE",
                "address": None,
                "country": None,
                "identifier": None,
                "aeo": None,
            }
        elif r < 0.95:
            notify = self._use(self._agent())
        else:
            notify = None
        return buyer, notify, None

    def _consignment(
        self,
        call: _Call,
        route: _Route,
        shipper: Doc,
        consignee: Doc | None,
        notify: Doc | None,
        place_of_delivery: str | None,
        goods: list[Doc],
        numbers: list[str],
        bl_number: str,
        master: str | None,
        issue: date,
        collect_share: float = 0.35,
    ) -> Doc:
        rng = self.rng
        terms = "collect" if rng.random() < collect_share else "prepaid"
        payer: Doc | None = None
        r = rng.random()
        if r < _THIRD_PARTY_PAYER_RATE * (1.5 if terms == "collect" else 0.7):
            payer = self._use(self._third_party())
        elif r < 0.12:
            payer = dict(shipper) if terms == "prepaid" or consignee is None else dict(consignee)
        r = rng.random()
        receipt: str | None = route.port_of_loading if r < 0.5 else None
        if r > 0.95:
            others = [p for p, _ in COUNTRY_PORTS.get(route.port_of_loading[:2], ())]
            receipt = _choice(rng, others)
        doc: Doc = {
            "bl_number": bl_number,
            "master_bl_number": master,
            "shipper": shipper,
            "consignee": consignee,
            "notify_party": notify,
            "place_of_receipt": receipt,
            "port_of_loading": route.port_of_loading,
            "transshipment_ports": list(route.transshipment),
            "port_of_discharge": self.port_of_call,
            "place_of_delivery": place_of_delivery
            or (self.port_of_call if rng.random() < 0.75 else None),
            "freight_terms": terms,
            "freight_payer": payer,
            "issue_date": issue.isoformat(),
            "goods": goods,
            "container_numbers": numbers,
        }
        defect = self._defect(CONSIGNMENT_DEFECTS)
        if defect is not None:
            self._spoil_consignment(call, doc, defect)
        call.last_bl = str(doc["bl_number"])
        call.consignments.append((route.boarding, len(call.consignments), doc))
        return doc

    def _spoil_consignment(self, call: _Call, doc: Doc, defect: str) -> None:
        rng = self.drng
        if defect == "locode_unknown_country":
            doc["port_of_loading"] = _mistyped_locode(str(doc["port_of_loading"]), rng)
        elif defect == "locode_text":
            port = PORTS.get(self.port_of_call)
            city = port.name if port else self.port_of_call
            doc["place_of_delivery"] = _choice(
                rng, (city, f"{city}, {_country_name(self.country)}")
            )
        elif defect == "party_country_alpha3":
            shipper = doc["shipper"]
            shipper["country"] = _alpha3(str(shipper["country"]))
        elif defect == "duplicate_bl" and call.last_bl is not None:
            doc["bl_number"] = call.last_bl
        elif defect == "issued_after_arrival":
            doc["issue_date"] = (
                call.arrival.date() + timedelta(days=_randint(rng, 1, 4))
            ).isoformat()
        elif defect == "missing_consignee":
            doc["consignee"] = None

    def _issue_date(self, call: _Call, route: _Route) -> date:
        sailed = call.arrival - timedelta(days=route.days + self.rng.uniform(0.3, 2.5))
        return sailed.date()

    def _pick_origin(self, call: _Call, com: Commodity) -> _Origin:
        return call.plan.origins[com.key].pick(self.rng)

    def _fcl(self, call: _Call, remaining: int) -> int:
        """One full-container B/L (1 to 5 containers); returns the containers used."""
        rng = self.rng
        com = call.plan.commodities.pick(rng)
        origin = self._pick_origin(call, com)
        route = self._route(call, origin.port)
        k = 1
        if rng.random() < com.multi:
            k = _MULTI.pick(rng)
        k = min(k, remaining)
        eq = EQUIPMENT[_EQUIPMENT[com.key].pick(rng)]
        terms = self._terms(com, origin)
        shipper = self._use(self._shipper(com, origin.shipper_country, origin.port))
        transit: tuple[str, str] | None = None
        if com.transit and self.transit and rng.random() < TRANSIT_SHARE:
            transit = self.transit.pick(rng)
        consignee, notify, place = self._parties(com, shipper, transit)
        fill = com.fill20 if eq.length == 20 else com.fill40
        no_records = rng.random() < _NO_EQUIPMENT_RATE
        goods: list[Doc] = []
        numbers: list[str] = []
        for _ in range(k):
            defect = self._defect(CONTAINER_DEFECTS)
            number = self._container_number(call.carrier, eq, defect)
            cargo = min(rng.uniform(*fill), eq.payload)
            lines, weight = self._goods_for(com, cargo, eq, terms, number if k > 1 else None)
            goods.extend(lines)
            numbers.append(number)
            if not no_records:
                seals = self._seals(call, eq, shipper, lcl=False)
                call.records[number] = self._container(call, number, eq, weight, seals, defect)
        if k == 1 and rng.random() < 0.2:
            for line in goods:
                line["container_number"] = numbers[0]
        master = None
        if rng.random() < _NVOCC_RATE:
            master = self._bl_number(call.carrier, origin.port)
            bl_number = self._house_number(self._consolidator(origin.shipper_country), origin.port)
        else:
            bl_number = self._bl_number(call.carrier, origin.port)
        self._consignment(
            call, route, shipper, consignee, notify, place, goods, numbers, bl_number, master,
            self._issue_date(call, route),
        )  # fmt: skip
        if rng.random() < _NO_CONTAINER_BL_RATE:
            self._bl_without_container(call)
        return k

    def _lcl(self, call: _Call) -> None:
        """One consolidated container carrying 2 to 6 house B/Ls under one master."""
        rng = self.rng
        if call.plan.lcl_origins:
            port = call.plan.lcl_origins.pick(rng)
        else:
            port = self._pick_origin(call, call.plan.lcl_commodities.pick(rng)).port
        route = self._route(call, port)
        country = port[:2]
        consolidator = self._consolidator(country)
        master = self._bl_number(call.carrier, port)
        eq = EQUIPMENT[_LCL_TABLE.pick(rng)]
        defect = self._defect(CONTAINER_DEFECTS)
        number = self._container_number(call.carrier, eq, defect)
        houses = _randint(rng, 2, 6)
        total = rng.uniform(2500, 9000) if eq.length == 20 else rng.uniform(3500, 15000)
        shares = [rng.uniform(0.2, 1.0) for _ in range(houses)]
        share_total = sum(shares)
        sailed = self._issue_date(call, route)
        weight = 0.0
        for share in shares:
            com = self._lcl_commodity(country)
            house_origin = _Origin(port, country, country not in _ORIGIN_COUNTRIES[com.key])
            terms = self._terms(com, house_origin)
            shipper = self._use(self._shipper(com, country, port))
            transit: tuple[str, str] | None = None
            if com.transit and self.transit and rng.random() < TRANSIT_SHARE:
                transit = self.transit.pick(rng)
            consignee, notify, place = self._parties(com, shipper, transit)
            if notify is not None and rng.random() < 0.3:
                notify = self._use(self._dest_forwarder())
            lines, gross = self._goods_for(com, total * share / share_total, eq, terms, None)
            weight += gross
            issue = sailed - timedelta(days=_randint(rng, 0, 1))
            self._consignment(
                call, route, shipper, consignee, notify, place, lines, [number],
                self._house_number(consolidator, port), master, issue, collect_share=0.5,
            )  # fmt: skip
        seals = self._seals(call, eq, consolidator, lcl=True)
        call.records[number] = self._container(call, number, eq, weight, seals, defect)

    def _lcl_commodity(self, country: str) -> Commodity:
        """Goods for an LCL house B/L: made in the consolidation country, unless that is a
        re-export hub (Jebel Ali consolidates goods from everywhere)."""
        com = _LCL_COMMODITIES.pick(self.rng)
        for _ in range(8):
            if country in REEXPORT_COUNTRIES or country in _ORIGIN_COUNTRIES[com.key]:
                break
            com = _LCL_COMMODITIES.pick(self.rng)
        return com

    def _unnamed(self, call: _Call) -> None:
        """A container on the manifest that no B/L names: usually an empty."""
        rng = self.rng
        eq = EQUIPMENT[_choice(rng, ("22G1", "22G1", "45G1", "42G1", "45R1"))]
        defect = self._defect(CONTAINER_DEFECTS)
        number = self._container_number(call.carrier, eq, defect)
        if rng.random() < 0.7:
            record = self._container(call, number, eq, None, [], defect)
        else:
            cargo = rng.uniform(3000, 20000)
            seals = [{"number": call.carrier.seal_prefix + self._digits(7), "sealer": "carrier"}]
            record = self._container(call, number, eq, cargo, seals, defect)
        call.unnamed.append(record)

    def _bl_without_container(self, call: _Call) -> None:
        """A small B/L that names no container (goods still to be stuffed or tallied)."""
        rng = self.rng
        com = call.plan.lcl_commodities.pick(rng)
        origin = self._pick_origin(call, com)
        route = self._route(call, origin.port)
        terms = self._terms(com, origin)
        shipper = self._use(self._shipper(com, origin.shipper_country, origin.port))
        consignee, notify, place = self._parties(com, shipper, None)
        eq = EQUIPMENT["22G1"]
        lines, _ = self._goods_for(com, rng.uniform(300, 4000), eq, terms, None)
        self._consignment(
            call, route, shipper, consignee, notify, place, lines, [],
            self._bl_number(call.carrier, origin.port), None, self._issue_date(call, route),
        )  # fmt: skip

    # --- vessel calls ------------------------------------------------------------------

    def _rotation(self, plan: _ServicePlan) -> tuple[str, ...]:
        rng = self.rng
        calls = plan.calls
        k = _randint(
            rng, min(plan.service.min_calls, len(calls)), min(plan.service.max_calls, len(calls))
        )
        chosen = sorted(rng.sample(range(len(calls)), k))
        hub_index = [i for i, port in enumerate(calls) if port in plan.hubs]
        if hub_index and not any(i in hub_index for i in chosen):
            chosen[_below(rng, k)] = _choice(rng, hub_index)
            chosen = sorted(set(chosen))
        return tuple(calls[i] for i in chosen)

    def _voyage(self, carrier: Carrier, vessel: str, arrival: datetime, direction: str) -> str:
        rng = self.rng
        year, week = arrival.year % 100, arrival.isocalendar().week
        for attempt in range(100):
            if carrier.voyage_style == "YW":
                voyage = f"{year:02d}{(week + attempt - 1) % 53 + 1:02d}{direction}"
            elif carrier.voyage_style == "WK":
                voyage = f"{year % 10}{(week + attempt - 1) % 53 + 1:02d}{direction}"
            else:
                voyage = f"{_randint(rng, 1, 999):03d}{direction}"
            if (vessel, voyage) not in self.used_voyages:
                break
        self.used_voyages.add((vessel, voyage))
        return voyage

    def manifest(self, plan: _ServicePlan, size: int, arrival: datetime) -> Doc:
        """One vessel call of ``size`` containers on a service."""
        rng = self.rng
        carrier = plan.carriers.pick(rng)
        call = _Call(plan, self._rotation(plan), carrier, arrival)
        vessel = _choice(rng, carrier.vessels)
        voyage = self._voyage(carrier, vessel, arrival, plan.service.direction)

        # Counts rounded at random keep the expected shares exact at any size.
        unnamed = int(size * _UNNAMED_RATE + rng.random())
        lcl = min(int((size - unnamed) * self.lcl_share + rng.random()), size - unnamed)
        fcl = size - unnamed - lcl
        while unnamed + lcl + fcl:
            r = rng.random() * (unnamed + lcl + fcl)
            if r < unnamed:
                self._unnamed(call)
                unnamed -= 1
            elif r < unnamed + lcl:
                self._lcl(call)
                lcl -= 1
            else:
                fcl -= self._fcl(call, fcl)

        call.consignments.sort(key=itemgetter(0, 1))
        consignments = [doc for _, _, doc in call.consignments]
        containers: list[Doc] = []
        for doc in consignments:
            for number in doc["container_numbers"]:
                record = call.records.pop(number, None)
                if record is not None:
                    containers.append(record)
        for record in call.unnamed:
            containers.insert(_below(rng, len(containers) + 1), record)

        imo = VESSEL_IMO[vessel]
        manifest: Doc = {
            "vessel_name": vessel,
            "vessel_imo": imo,
            "voyage_number": voyage,
            "carrier_scac": carrier.scac,
            "port_of_call": self.port_of_call,
            "arrival": arrival.isoformat(),
            "consignments": consignments,
            "containers": containers,
        }
        defect = self._defect(MANIFEST_DEFECTS)
        if defect == "imo_check_digit":
            manifest["vessel_imo"] = imo[:6] + str((int(imo[6]) + _randint(self.drng, 1, 9)) % 10)
        elif defect == "duplicate_container" and containers:
            twin = containers[int(self.drng.random() * len(containers))]
            copy = dict(twin, seals=[dict(s) for s in twin["seals"]])
            containers.insert(int(self.drng.random() * (len(containers) + 1)), copy)
        elif defect == "missing_voyage":
            manifest["voyage_number"] = None
        return manifest

    def calls(self, containers: int) -> Iterator[Doc]:
        rng = self.rng
        remaining = containers
        clock = self.start + timedelta(minutes=5 * _below(rng, 24))
        while remaining > 0:
            plan = self.plans.pick(rng)
            size = round(rng.lognormvariate(math.log(plan.service.call_size), 0.5))
            size = max(_MIN_CALL, min(_MAX_CALL, size))
            if remaining - size < _MIN_CALL:
                size = remaining if remaining <= _MAX_CALL else remaining - _MIN_CALL
            yield self.manifest(plan, size, clock)
            remaining -= size
            hours = size / _CONTAINERS_PER_DAY * 24 * rng.uniform(0.5, 1.5)
            clock += timedelta(minutes=5 * max(1, round(hours * 12)))


class _Terms(NamedTuple):
    """What every goods line of one B/L shares."""

    shipper_country: str
    origin_country: str
    currency: str
    usd_per_kg: float
    package: Package


_MULTI = _Table(((2, 45.0), (3, 25.0), (4, 15.0), (5, 15.0)))
_LCL_TABLE = _Table(LCL_EQUIPMENT)
_LCL_COMMODITIES = _Table((c, c.share) for c in COMMODITIES if c.lcl)


# Per-commodity tables, keyed by the commodity's name (hashing the whole NamedTuple on
# every draw would cost more than the draw).
_LINES = {c.key: _Table((line, line.weight) for line in c.lines) for c in COMMODITIES}
_PACKAGES = {c.key: _Table((p, p.weight) for p in c.packages) for c in COMMODITIES}
_EQUIPMENT = {c.key: _Table(c.equipment) for c in COMMODITIES}
_TANK_LOAD = Package("VL", 1, 0, 0)  # a tank container's load: bulk liquid, one package
_NATIONAL_DIGITS = ("00", "10", "90")  # national subheadings added to the 6 HS digits
_FEEDS = {
    (region, service): _Table((f, f.weight) for f in feeds)
    for region, by_service in FEEDS.items()
    for service, feeds in by_service.items()
}
_ORIGIN_COUNTRIES = {c.key: frozenset(country for country, _ in c.origins) for c in COMMODITIES}


def _choice(rng: random.Random, seq: Sequence[T]) -> T:
    """``rng.choice`` with one ``random()`` draw (several times faster)."""
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint`` with one ``random()`` draw."""
    return low + int(rng.random() * (high - low + 1))


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _tidy_name(name: str) -> str:
    """Fold blanks and drop a word that repeats the one before (TRADING TRADERS)."""
    words: list[str] = []
    for word in name.split():
        if words and len(word) > 3 and words[-1][:4] == word[:4]:
            continue
        words.append(word)
    return " ".join(words)


def _mistyped_locode(code: str, rng: random.Random) -> str:
    """The LOCODE with a country that does not exist: UK for GB, else a one-letter slip."""
    if code.startswith("GB"):
        return "UK" + code[2:]
    start = int(rng.random() * 26)
    for i in range(26):
        country = code[0] + chr(ord("A") + (start + i) % 26)
        if not is_country(country) and country != "XZ":
            return country + code[2:]
    return "XX" + code[2:]  # pragma: no cover - every first letter has gaps


def _check_rate(name: str, value: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")
    return float(value)


def generate_manifest_documents(
    seed: int,
    containers: int,
    *,
    port_of_call: str = "PKKHI",
    start: datetime | None = None,
    defect_rate: float = 0.02,
    lcl_share: float = 0.15,
) -> Iterator[dict[str, Any]]:
    """Generate realistic synthetic manifests as plain JSON-ready documents.

    Yields one document per vessel call, in arrival order, each in the shape
    :meth:`Manifest.model_validate <riskprofile.model.manifest.Manifest>` accepts: the
    model's field names as keys (every field but ``quality_flags`` is present, null when
    absent), dates and times as ISO 8601 text (UTC), money as decimal text. Bills of
    lading come in loading order, containers in the order the bills name them. Documents
    are not validated here, so generation stays fast (100,000 containers in a few
    seconds); :func:`generate_manifests` validates them.

    Args:
        seed: the seed of the only random generator used; the same arguments always give
            the same documents, byte for byte.
        containers: the exact number of distinct containers over all calls. Calls carry
            200 to 2,000 containers each (fewer only when ``containers`` is below 200).
        port_of_call: the UN/LOCODE the manifests are filed at. The trade lanes model the
            Arabian Sea (Karachi ``PKKHI``, Port Qasim ``PKBQM``); for Pakistan some
            cargo is in transit to Kabul or Central Asia.
        start: when the first vessel arrives (naive times are taken as UTC); defaults to
            :data:`DEFAULT_START`, never the wall clock. Calls follow at the pace of a
            port handling about 5,000 containers a day.
        defect_rate: the chance that each container, goods line, bill of lading and
            manifest carries one planted data-quality defect, drawn independently (the
            kinds are in :data:`CONTAINER_DEFECTS`, :data:`GOODS_DEFECTS`,
            :data:`CONSIGNMENT_DEFECTS` and :data:`MANIFEST_DEFECTS`). Lenient validation
            keeps every one of them, as a quality flag when the model detects it.
            Defects come from a separate random stream: changing the rate changes
            nothing else.
        lcl_share: the share of containers consolidated (LCL): each carries 2 to 6 house
            bills of lading with ``master_bl_number`` set.

    Raises:
        TypeError: when ``seed`` is not an int.
        ValueError: for a negative container count, a rate outside 0..1, or a port of
            call that is not a UN/LOCODE of a country.

    >>> docs = list(generate_manifest_documents(7, 250))
    >>> sum(len({n for c in d["consignments"] for n in c["container_numbers"]}
    ...         | {c["number"] for c in d["containers"]}) for d in docs)
    250
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    if not isinstance(containers, int) or isinstance(containers, bool) or containers < 0:
        raise ValueError(f"containers must be a non-negative int, not {containers!r}")
    defect_rate = _check_rate("defect_rate", defect_rate)
    lcl_share = _check_rate("lcl_share", lcl_share)
    code = normalise_locode(port_of_call) if isinstance(port_of_call, str) else ""
    problem = locode_problem(code) if code else None
    if not code or problem is not None:
        reason = problem.message if problem else "not a UN/LOCODE"
        raise ValueError(f"port_of_call {port_of_call!r}: {reason}")
    if not is_country(code[:2]):
        # XZ (international waters) is a LOCODE country but no importer lives there.
        raise ValueError(f"port_of_call {port_of_call!r} is not in a country")
    if start is None:
        start = DEFAULT_START
    start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    batch = _Batch(seed, code, start, defect_rate, lcl_share)
    return batch.calls(containers)


def generate_manifests(
    seed: int,
    containers: int,
    *,
    port_of_call: str = "PKKHI",
    start: datetime | None = None,
    defect_rate: float = 0.02,
    lcl_share: float = 0.15,
) -> Iterator[Manifest]:
    """Generate synthetic manifests as validated :class:`Manifest` models.

    Each document of :func:`generate_manifest_documents` (same arguments) is validated in
    lenient mode, so the planted defects become quality flags instead of errors.
    """
    documents = generate_manifest_documents(
        seed,
        containers,
        port_of_call=port_of_call,
        start=start,
        defect_rate=defect_rate,
        lcl_share=lcl_share,
    )
    for document in documents:
        yield Manifest.model_validate(document, context=LENIENT)
