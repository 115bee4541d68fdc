"""The units :func:`~riskprofile.evaluation.suggest` learns from (a container, or a B/L or
declaration without one, dated and labelled by its inspection outcome) and their
candidate features: HS codes, headings and chapters, origins, ports, parties, and
value-per-kg bands per HS chapter and currency learned on the training period.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from riskprofile.evaluation._candidates import _MIN_BAND_SHIPMENTS, _cut, binomial_tail
from riskprofile.evaluation._outcomes import Outcome, UnitOutcome, match_outcomes
from riskprofile.model.shipment import Shipment


def _explains(
    f: tuple[str, str],
    g: tuple[str, str],
    members: Mapping[tuple[str, str], set[str]],
    units: Mapping[str, _Unit],
    base: float,
    alpha: float,
) -> bool:
    """Whether candidate ``f`` is the better explanation of a kept candidate ``g``: ``g``
    lies mostly within ``f``, ``f``'s other units find more than the base rate on their
    own, and ``g`` finds no more than they do (a port and the main trade loaded there)."""
    inner, outer = members[g], members[f]
    if len(inner) >= len(outer) or 2 * len(inner & outer) < len(inner):
        return False
    rest = outer - inner
    rest_found = sum(units[k].finding for k in rest)
    inner_found = sum(units[k].finding for k in inner)
    if not rest or binomial_tail(rest_found, len(rest), base) > alpha:
        return False
    return binomial_tail(inner_found, len(inner), rest_found / len(rest)) > alpha


# --- features ----------------------------------------------------------------------------


Bands = dict[tuple[str, str], tuple[float, ...]]  # (chapter, currency) -> cut points


def _single_chapter_value(s: Shipment) -> tuple[str, str, float] | None:
    if (
        len(s.hs_chapters) == 1
        and s.value_per_kg is not None
        and s.value_per_kg > 0
        and s.value_currency is not None
    ):
        return s.hs_chapters[0], s.value_currency, s.value_per_kg
    return None


def _learn_bands(shipments: Iterable[Shipment], count: int) -> Bands:
    values: dict[tuple[str, str], list[float]] = {}
    for s in shipments:
        found = _single_chapter_value(s)
        if found is not None:
            values.setdefault((found[0], found[1]), []).append(found[2])
    bands: Bands = {}
    for key in sorted(values):
        ordered = sorted(values[key])
        if len(ordered) < count * _MIN_BAND_SHIPMENTS:
            continue
        cuts = sorted({_cut(ordered[len(ordered) * i // count]) for i in range(1, count)})
        cuts = [c for c in cuts if c > 0]
        if cuts:
            bands[key] = tuple(cuts)
    return bands


def _band_of(value: float, cuts: tuple[float, ...]) -> int:
    band = 0
    while band < len(cuts) and value >= cuts[band]:
        band += 1
    return band


_TRADER_FIELDS = ("consignee_identifier", "shipper_identifier", "declarant_identifier",
                  "declarant_name", "customs_office", "tax_type")  # fmt: skip
"""Declaration-level fields whose values are single candidates (their kind's name is the
field's)."""


def _features(s: Shipment, bands: Bands, combinations: bool = False) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    if combinations and s.port_of_loading and len(s.port_of_loading) >= 2:
        departure = s.port_of_loading[:2]
        out.update(
            ("code_origin_departure", f"{h[:6]}:{c}:{departure}")
            for h in s.hs_codes
            for c in s.origin_countries
        )
    if combinations:
        out.update(("hs_subheading", v) for v in s.hs_subheadings)
        if s.tax_type:
            out.update(("code_tax_type", f"{h}:{s.tax_type}") for h in s.hs_subheadings)
    for kind in _TRADER_FIELDS:
        value = getattr(s, kind)
        if value:
            out.add((kind, value))
    for name, value in (s.model_extra or {}).items():
        # Text custom fields (x_office): numbers, dates and lists are not values to list.
        if name.startswith("x_") and isinstance(value, str) and value:
            out.add((name, value))
    out.update(("consignee", v) for v in [s.consignee_name] if v)
    out.update(("shipper", v) for v in [s.shipper_name] if v)
    out.update(("hs_code", v) for v in s.hs_codes)
    out.update(("hs_heading", v) for v in s.hs_headings)
    out.update(("hs_chapter", v) for v in s.hs_chapters)
    out.update(("origin_country", v) for v in s.origin_countries)
    out.update(("heading_origin", f"{h}:{c}") for h in s.hs_headings for c in s.origin_countries)
    if s.port_of_loading:
        out.add(("port_of_loading", s.port_of_loading))
        if len(s.port_of_loading) >= 2:
            out.add(("loading_country", s.port_of_loading[:2]))
    if s.place_of_receipt:
        out.add(("place_of_receipt", s.place_of_receipt))
    out.update(("transshipment_port", v) for v in s.transshipment_ports)
    found = _single_chapter_value(s)
    if found is not None:
        chapter, currency, value = found
        cuts = bands.get((chapter, currency))
        if cuts is not None:
            out.add(("value_band", f"{chapter}|{currency}|{_band_of(value, cuts)}"))
    return out


def _band_limits(value: str, bands: Bands) -> tuple[str, str, float | None, float | None]:
    chapter, currency, index = value.split("|")
    cuts = bands[(chapter, currency)]
    band = int(index)
    low = cuts[band - 1] if band > 0 else None
    high = cuts[band] if band < len(cuts) else None
    return chapter, currency, low, high


def _number(value: float) -> str:
    return f"{value:g}"


def _label(kind: str, value: str, bands: Bands) -> str:
    if kind == "value_band":
        chapter, currency, low, high = _band_limits(value, bands)
        count = len(bands[(chapter, currency)]) + 1
        band = int(value.split("|")[2]) + 1
        if low is None:
            where = f"below {_number(high or 0)}"
        elif high is None:
            where = f"{_number(low)} or more"
        else:
            where = f"{_number(low)} to {_number(high)}"
        return f"HS {chapter} in {currency}, {where} per kg (band {band} of {count})"
    if kind == "heading_origin":
        heading, country = value.split(":")
        return f"HS {heading} from {country}"
    if kind == "code_origin_departure":
        code, country, departure = value.split(":")
        return f"HS {code} from {country} departed {departure}"
    if kind == "code_tax_type":
        code, tax = value.split(":", 1)
        return f"HS {code} with tax type {tax}"
    return value


def _value_condition(kind: str, value: str, bands: Bands) -> str:
    """The condition for one value of the kind written value by value (a value band)."""
    chapter, currency, low, high = _band_limits(value, bands)
    parts = [
        "hs_chapters.length == 1",
        f"{json.dumps(chapter)} in hs_chapters",
        f"value_currency == {json.dumps(currency)}",
        "value_per_kg != null",
    ]
    if low is not None:
        parts.append(f"value_per_kg >= {_number(low)}")
    if high is not None:
        parts.append(f"value_per_kg < {_number(high)}")
    return " and ".join(parts)


# --- units -------------------------------------------------------------------------------


@dataclass
class _Unit:
    key: str
    day: dt.date | None = None
    features: set[tuple[str, str]] = field(default_factory=set)
    shipments: list[Shipment] = field(default_factory=list)
    outcome: UnitOutcome | None = None

    @property
    def labelled(self) -> bool:
        return self.outcome is not None and self.outcome.inspected

    @property
    def finding(self) -> bool:
        return self.outcome is not None and self.outcome.finding


def _shipment_day(s: Shipment) -> dt.date | None:
    if s.arrival is not None:
        return s.arrival.date()
    return s.bl_issue_date


def _units(shipments: Iterable[Shipment], outcomes: Iterable[Outcome]) -> tuple[
    dict[str, _Unit], int
]:  # fmt: skip
    from riskprofile.rules import unit_key as _unit_key

    shipments = list(shipments)
    units: dict[str, _Unit] = {}
    for s in shipments:
        unit = units.setdefault(_unit_key(s), _Unit(_unit_key(s)))
        unit.shipments.append(s)
        day = _shipment_day(s)
        if day is not None and (unit.day is None or day < unit.day):
            unit.day = day
    match = match_outcomes(shipments, outcomes)
    for key, combined in match.units.items():
        unit = units[key]
        unit.outcome = combined
        if unit.day is None:
            unit.day = combined.date
    return units, len(match.unmatched)
