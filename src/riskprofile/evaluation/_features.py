"""The units :func:`~riskprofile.evaluation.suggest` learns from (a container, or a B/L or
declaration without one, dated and labelled by its inspection outcome) and their
candidate features: HS codes, headings and chapters, origins, ports, parties, and
value-per-kg bands per HS chapter and currency learned on the training period.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from riskprofile.evaluation._candidates import (
    _MIN_BAND_SHIPMENTS,
    COMBINATIONS,
    RATED,
    _cut,
    binomial_tail,
)
from riskprofile.evaluation._matching import UnitOutcome, match_outcomes
from riskprofile.evaluation._members import MEMBER_SCHEMA, Members
from riskprofile.evaluation._outcomes import Outcome
from riskprofile.evaluation._unit_table import UnitTable
from riskprofile.model.shipment import Shipment

Feature = tuple[str, str]
"""A candidate feature: its kind and value."""


def _explains(
    f: tuple[str, str], g: tuple[str, str], members: Members, base: float, alpha: float
) -> bool:
    """Whether candidate ``f`` is the better explanation of a kept candidate ``g``: ``g``
    lies mostly within ``f``, ``f``'s other units find more than the base rate on their
    own, and ``g`` finds no more than they do (a port and the main trade loaded there).

    ``members`` holds each candidate's labelled training units, those with a finding,
    and what two candidates share (:class:`~._members.Members`)."""
    size, outer = members.size(g), members.size(f)
    shared, shared_found = members.shared(f).get(g, (0, 0))
    if size >= outer or 2 * shared < size:
        return False
    rest_size = outer - shared
    rest_found = members.found(f) - shared_found
    inner_found = members.found(g)
    if not rest_size or binomial_tail(rest_found, rest_size, base) > alpha:
        return False
    return binomial_tail(inner_found, size, rest_found / rest_size) > alpha


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
    id: int = -1

    @property
    def labelled(self) -> bool:
        return self.outcome is not None and self.outcome.inspected

    @property
    def finding(self) -> bool:
        return self.outcome is not None and self.outcome.finding


def _shipment_day(s: Shipment) -> dt.date | None:
    """The arrival's day in UTC (as rules and the shipment frame read it), else the B/L
    issue date."""
    if s.arrival is not None:
        arrival = s.arrival
        if arrival.tzinfo is not None:
            arrival = arrival.astimezone(dt.UTC)
        return arrival.date()
    return s.bl_issue_date


def _units(shipments: Iterable[Shipment], outcomes: Iterable[Outcome]) -> tuple[
    dict[str, _Unit], int, str | None
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
    first = match.unmatched[0].outcome.unit if match.unmatched else None
    return units, len(match.unmatched), first


# --- the counts the method selects on ----------------------------------------------------


COUNT_SCHEMA = {
    "kind": pl.String,
    "value": pl.String,
    "seen": pl.UInt32,
    "support": pl.UInt32,
    "found": pl.UInt32,
    "test_seen": pl.UInt32,
    "test_support": pl.UInt32,
    "test_found": pl.UInt32,
    "first": pl.Date,
    "last": pl.Date,
}
"""The columns of :attr:`Counts.table`: a feature (kind, value); all training units with
it, of them the labelled ones (its support) and those with a finding; the same on the
test period; its first and last training day with a finding (read for the kinds judged
by their rate, :data:`~._candidates.RATED`)."""


@dataclass(frozen=True, slots=True)
class Counts:
    """Each candidate's counts on the training and test periods (step 3 of the method),
    and what the selection asks of the training units, from either history.

    Attributes:
        table: the counts of every feature with a labelled training unit
            (:data:`COUNT_SCHEMA`, sorted by kind and value): one row each, as columns
            (the others are never read: at ten million declarations most values are
            seen once, in one period).
        parents, parents_found: labelled training units and findings per parent of the
            combinations (``("hs6", code)``, ``("hs_heading", ...)``,
            ``("hs_chapter", ...)``), each counted once per unit; empty without
            combinations.
        members: the labelled training units of the features asked for, those with a
            finding and what two of them share (:class:`~._members.Members`).
    """

    table: pl.DataFrame
    parents: Counter[Feature]
    parents_found: Counter[Feature]
    members: Callable[[Collection[Feature]], Members]


COMBINATION_LEVELS = ("hs6", "hs_heading", "hs_chapter")
"""The parent levels a combination's shrinkage backs off to, nearest first."""


def combination_parents(features: Iterable[Feature]) -> set[Feature]:
    """The HS6 codes, headings and chapters of a unit's combinations."""
    out: set[Feature] = set()
    for kind, value in features:
        if kind in COMBINATIONS:
            code = value.split(":")[0][:6]
            out |= {("hs6", code), ("hs_heading", code[:4]), ("hs_chapter", code[:2])}
    return out


FEATURE_SCHEMA = {"_unit": pl.UInt32, "_row": pl.UInt32, "feature": pl.UInt32}
"""The columns of :meth:`History.unit_features`: a unit's id, one of its shipments (a
number unique in the table), and a feature of that shipment (its index among those
asked for)."""


class History(Protocol):
    """A history the method learns from: its units (sorted by key, as a
    :class:`~._unit_table.UnitTable`), the outcomes that match none of them (how many,
    and the first one's unit as given), and the counts of their features.
    :class:`ObjectHistory` is the reference; the shipment frame's
    (:class:`~._suggest_frame.FrameHistory`) gives the same figures column-wise."""

    @property
    def units(self) -> UnitTable: ...
    @property
    def unmatched(self) -> int: ...
    @property
    def first_unmatched(self) -> str | None: ...
    def learn_bands(self, train: UnitTable, count: int) -> Bands: ...
    def add_features(self, bands: Bands, combinations: bool) -> None: ...
    def count(self, train: UnitTable, test: UnitTable, combinations: bool) -> Counts: ...
    def unit_features(self, units: UnitTable, wanted: Sequence[Feature]) -> pl.DataFrame: ...
    def indicator_counts(
        self, units: UnitTable, indicator: Mapping[Feature, str]
    ) -> dict[str, tuple[int, int, int]]: ...
    def batch(self, units: UnitTable) -> tuple[list[Shipment] | pl.DataFrame, pl.DataFrame]: ...


class ObjectHistory:
    """A history of :class:`~riskprofile.model.shipment.Shipment` objects: the reference
    way the method reads its units and counts their features (the shipment frame's,
    :class:`~._suggest_frame.FrameHistory`, gives the same counts column-wise)."""

    def __init__(self, shipments: Iterable[Shipment], outcomes: Iterable[Outcome]) -> None:
        units, self.unmatched, self.first_unmatched = _units(shipments, outcomes)
        self._units: list[_Unit] = [units[k] for k in sorted(units)]
        for number, unit in enumerate(self._units):
            unit.id = number
        self.units = UnitTable.of(
            [u.id for u in self._units],
            [u.day for u in self._units],
            [u.labelled for u in self._units],
            [u.finding for u in self._units],
        )
        self._bands: Bands = {}

    def _own(self, units: UnitTable) -> list[_Unit]:
        return [self._units[i] for i in units.table.get_column("_unit").to_list()]

    def learn_bands(self, train: UnitTable, count: int) -> Bands:
        """The value-per-kg bands of the training period's shipments."""
        return _learn_bands((s for u in self._own(train) for s in u.shipments), count)

    def add_features(self, bands: Bands, combinations: bool) -> None:
        """Every unit's candidate features, over its shipments."""
        self._bands = bands
        for u in self._units:
            for s in u.shipments:
                u.features |= _features(s, bands, combinations)

    def count(self, train: UnitTable, test: UnitTable, combinations: bool) -> Counts:
        """The features' counts on ``train`` and ``test``."""
        train_units, test_units = self._own(train), self._own(test)
        support: Counter[Feature] = Counter()
        found: Counter[Feature] = Counter()
        seen: Counter[Feature] = Counter()
        finding_days: dict[Feature, list[dt.date]] = {}
        parents: Counter[Feature] = Counter()
        parents_found: Counter[Feature] = Counter()
        for u in train_units:
            seen.update(u.features)
            if u.labelled:
                support.update(u.features)
                if combinations:
                    levels = combination_parents(u.features)
                    parents.update(levels)
                    if u.finding:
                        parents_found.update(levels)
                if u.finding:
                    found.update(u.features)
                    for f in u.features:
                        if f[0] in RATED and u.day is not None:
                            finding_days.setdefault(f, []).append(u.day)
        test_support: Counter[Feature] = Counter()
        test_found: Counter[Feature] = Counter()
        test_seen: Counter[Feature] = Counter()
        for u in test_units:
            test_seen.update(u.features)
            if u.labelled:
                test_support.update(u.features)
                if u.finding:
                    test_found.update(u.features)
        labelled = [u for u in train_units if u.labelled]

        def members(features: Collection[Feature]) -> Members:
            chosen = list(features)
            index = {f: i for i, f in enumerate(chosen)}
            cells: dict[str, list[int | bool]] = {name: [] for name in MEMBER_SCHEMA}
            for u in labelled:
                for i in sorted(index[f] for f in u.features if f in index):
                    cells["feature"].append(i)
                    cells["_unit"].append(u.id)
                    cells["_finding"].append(u.finding)
            rows = pl.DataFrame(cells, schema=MEMBER_SCHEMA)
            return Members(chosen, rows, len(self._units))

        chosen = sorted(support)
        days = [sorted(finding_days.get(f, [])) for f in chosen]
        table = pl.DataFrame(
            {
                "kind": [f[0] for f in chosen],
                "value": [f[1] for f in chosen],
                **{
                    name: [counter[f] for f in chosen]
                    for name, counter in (
                        ("seen", seen), ("support", support), ("found", found),
                        ("test_seen", test_seen), ("test_support", test_support),
                        ("test_found", test_found),
                    )
                },
                "first": [d[0] if d else None for d in days],
                "last": [d[-1] if d else None for d in days],
            },
            schema=COUNT_SCHEMA,
        )  # fmt: skip
        return Counts(table, parents, parents_found, members)

    def unit_features(self, units: UnitTable, wanted: Sequence[Feature]) -> pl.DataFrame:
        """The features among ``wanted`` (with combinations) of each shipment of
        ``units`` (:data:`FEATURE_SCHEMA`)."""
        index = {f: i for i, f in enumerate(wanted)}
        cells: dict[str, list[int]] = {name: [] for name in FEATURE_SCHEMA}
        row = 0
        for u in self._own(units):
            per_shipment = (
                [u.features] if len(u.shipments) == 1
                else [_features(s, self._bands, True) for s in u.shipments]
            )  # fmt: skip
            for found in per_shipment:
                for i in sorted(index[f] for f in found if f in index):
                    cells["_unit"].append(u.id)
                    cells["_row"].append(row)
                    cells["feature"].append(i)
                row += 1
        return pl.DataFrame(cells, schema=FEATURE_SCHEMA)

    def indicator_counts(
        self, units: UnitTable, indicator: Mapping[Feature, str]
    ) -> dict[str, tuple[int, int, int]]:
        """Per indicator: units with any of its values, of them labelled, and found."""
        counts: dict[str, list[int]] = {}
        for u in self._own(units):
            for name in {indicator[f] for f in u.features if f in indicator}:
                row = counts.setdefault(name, [0, 0, 0])
                row[0] += 1
                if u.labelled:
                    row[1] += 1
                    row[2] += u.finding
        return {name: (a, b, c) for name, (a, b, c) in counts.items()}

    def batch(self, units: UnitTable) -> tuple[list[Shipment] | pl.DataFrame, pl.DataFrame]:
        """The shipments of ``units``, to score, and each unit's key (``_unit``,
        ``_key``)."""
        own = self._own(units)
        keys = pl.DataFrame(
            {"_unit": [u.id for u in own], "_key": [u.key for u in own]},
            schema={"_unit": pl.UInt32, "_key": pl.String},
        )
        return [s for u in own for s in u.shipments], keys
