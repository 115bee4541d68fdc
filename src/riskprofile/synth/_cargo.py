"""Drawing the cargo: container numbers (ISO 6346, leasing and tank prefixes), the
container with its equipment, seals, the goods lines a container carries (HS codes,
descriptions, packages, weights) and the terms of a B/L, with their planted defects.
"""

from __future__ import annotations

from stdnum import iso6346

from riskprofile.synth._commodities import (
    CURRENCY_BY_COUNTRY,
    SIZE_TYPE_WORDS,
    UNITS_PER_USD,
    VAGUE_DESCRIPTIONS,
    Commodity,
    Equipment,
)
from riskprofile.synth._defects import GOODS_DEFECTS
from riskprofile.synth._draw import (
    _LINES,
    _NATIONAL_DIGITS,
    _PACKAGES,
    _TANK_LOAD,
    _VAGUE_RATE,
    Doc,
    _Call,
    _choice,
    _Origin,
    _randint,
    _Terms,
)
from riskprofile.synth._parties import _PartyDraws
from riskprofile.synth._reference import (
    CARRIERS,
    LEASING_PREFIXES,
    LEASING_REEFER_PREFIXES,
    TANK_PREFIXES,
    Carrier,
)
from riskprofile.synth._traders import EU_COUNTRIES


class _CargoDraws(_PartyDraws):
    """Containers, seals, goods and terms (a mixin of the generator's batch)."""

    # --- numbers -----------------------------------------------------------------------

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
