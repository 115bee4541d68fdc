"""The scenarios, one pair of functions each: where a case may come from (``_routes_*``:
which hosts fit its route) and how it is planted (``_plant_*``: what the documents say
once it is); :data:`_RULES` maps each scenario's code to its pair.
"""

from __future__ import annotations

from collections.abc import Callable

from riskprofile.synth._draw import _randint
from riskprofile.synth._planting import (
    _ASIA_HUBS,
    _BANANAS,
    _CN_PORTS,
    _COUNTERFEITS,
    _ELECTRONICS,
    _GULF_HUBS,
    _MACHINERY_PARTS,
    _MED_GULF_HUBS,
    _PRECURSORS,
    _SOUTHERN_COVERS,
    _VAGUE,
    _WILDLIFE_COVERS,
    PlantedCase,
    Planter,
    _case,
    _Host,
    _Planting,
    _port,
    _ports,
    _Route,
    _value_per_kg,
    _weight,
)


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
