"""Drawing the parties of a B/L: shippers, consignees (to order, a forwarder, in transit),
notify parties, agents, consolidators and third-party payers, new or from the batch's
pools, with names, addresses and identifiers as the country writes them.
"""

from __future__ import annotations

from collections.abc import Callable

from riskprofile.synth._commodities import Commodity
from riskprofile.synth._draw import (
    _FORWARDER_CONSIGNEE_RATE,
    _NAME_VARIANT_RATE,
    _SERVICE_FORMATS,
    _SERVICE_SUFFIXES,
    _TO_ORDER_RATE,
    Doc,
    _BatchState,
    _choice,
    _Pool,
    _randint,
    _tidy_name,
)
from riskprofile.synth._traders import (
    AEO_COUNTRIES,
    AGENT_TRADES,
    FORWARDER_TRADES,
    GENERIC_TRADES,
    GENERIC_WORDS,
    HINTERLAND,
    LOCALES,
    ORDER_BANKS,
)


class _PartyDraws(_BatchState):
    """The parties of a B/L (a mixin of the generator's batch)."""

    # --- parties -----------------------------------------------------------------------

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

    # --- bills of lading ---------------------------------------------------------------

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
