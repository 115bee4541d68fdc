"""What the generator draws with: the rates of features that are normal in real manifests
(unnamed containers, house B/Ls, to-order consignments...), the tables and pools it draws
from, service plans, vessel calls and routes, the terms of a B/L, random helpers
(:func:`_choice`, :func:`_randint`, :func:`_below`) and name helpers; and
:class:`_BatchState`, the state of one generated batch every part of the generator reads.
"""

from __future__ import annotations

import random
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any, Generic, NamedTuple, TypeVar

import pycountry

from riskprofile.model.codes import is_country
from riskprofile.synth._commodities import (
    COMMODITIES,
    LCL_EQUIPMENT,
    LCL_ORIGINS,
    Commodity,
    Package,
)
from riskprofile.synth._defects import Defect
from riskprofile.synth._reference import (
    AFFINITY,
    CARRIERS,
    COUNTRY_PORTS,
    FEEDS,
    PORTS,
    SERVICES,
    TRANSIT_DELIVERY,
    Carrier,
    Service,
)
from riskprofile.synth._traders import EU_COUNTRIES, GENERIC_WORDS, LOCALES, Locale

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


class _BatchState:
    """One batch's random streams (``rng`` for the data, ``drng`` for defects), country and
    port of call, pools of parties, service plans and the numbers already used; and the
    small draws every part makes (digits, letters, identifiers, defects)."""

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
