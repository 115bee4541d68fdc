"""Drawing the bills of lading of a vessel call: B/L and house B/L numbers, routes, the
consignment (ports, dates, parties, payer) with its defects, FCL and LCL B/Ls, B/Ls that
name no container and containers no B/L names.
"""

from __future__ import annotations

from datetime import date, timedelta

from riskprofile.synth._cargo import _CargoDraws
from riskprofile.synth._commodities import EQUIPMENT, REEXPORT_COUNTRIES, Commodity
from riskprofile.synth._defects import CONSIGNMENT_DEFECTS, CONTAINER_DEFECTS
from riskprofile.synth._draw import (
    _EQUIPMENT,
    _FEEDS,
    _LCL_COMMODITIES,
    _LCL_TABLE,
    _MULTI,
    _NO_CONTAINER_BL_RATE,
    _NO_EQUIPMENT_RATE,
    _NVOCC_RATE,
    _ORIGIN_COUNTRIES,
    _THIRD_PARTY_PAYER_RATE,
    Doc,
    _alpha3,
    _Call,
    _choice,
    _country_name,
    _mistyped_locode,
    _Origin,
    _randint,
    _Route,
)
from riskprofile.synth._reference import (
    COUNTRY_PORTS,
    PORTS,
    REGION_DAYS,
    TRANSIT_SHARE,
    TRANSSHIPMENT_DAYS,
    Carrier,
)


class _BillDraws(_CargoDraws):
    """B/Ls and consignments (a mixin of the generator's batch)."""

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

    # --- bills of lading ---------------------------------------------------------------

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
