"""A seeded inspection history with planted fraud patterns (see :mod:`riskprofile.synth`).

Months of ordinary generated traffic (:func:`generate_manifest_documents`), re-timed to a
steady number of containers a day, in which a few patterns make findings more likely:

- ``trader``: an importer (consignee) that is fraudulent in about 40 % of its shipments;
- ``heading_origin``: one HS heading from one origin country, often mis-declared;
- ``loading_port``: a port of loading used by traffickers;
- ``undervaluation``: shipments of one HS chapter declared at a fraction of their value
  per kg (the cheapest band of the chapter);
- ``drift``: a new shipper at a busy port of loading that appears only in the second half
  of the period (traffickers move).

Everything else finds something at a low background rate (1 %). Inspections follow a
realistic regime: a random control sample, plus officers' targeting, which picks units
carrying a planted pattern more often than others (they know some signs, not all), and
each inspection finds something with the unit's planted probability. Only inspected units
get an outcome record, as in a real inspection log.

Every draw comes from random streams seeded from ``seed``: the same arguments always give
the same manifests, outcomes and ground truth.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from riskprofile.evaluation import Outcome, SelectedBy
from riskprofile.io import csv_text
from riskprofile.io.shared import CsvWriter
from riskprofile.model import LENIENT
from riskprofile.model.manifest import Manifest
from riskprofile.model.shipment import Shipment, flatten
from riskprofile.synth._generator import DEFAULT_START, _Batch, generate_manifest_documents
from riskprofile.synth._history_common import (
    PlantedPattern,
    _arrival_day,
    _divide_values,
    _sound,
)
from riskprofile.synth._history_patterns import HISTORY_PATTERNS, HistoryPlanting

__all__ = [
    "PATTERN_COLUMNS",
    "History",
    "PlantedPattern",
    "generate_history",
    "read_patterns",
    "write_history",
]

Doc = dict[str, Any]

PATTERN_COLUMNS = ("name", "kind", "value", "finding_rate", "start", "description")
"""The columns of a planted-patterns CSV file, in order."""

OUTCOME_FILE_COLUMNS = ("unit", "inspected", "selected_by", "finding", "category", "date")
"""The columns of the outcome CSV file :func:`write_history` writes (outcome layout)."""

_TRADER_SHARE = 0.008  # of the period's bills of lading, given to the planted importer
_DRIFT_SHARE = 0.15  # of the drift port's bills of lading after the drift starts
_UNDERVALUED_SHARE = 0.2  # of the chapter's bills of lading
_UNDERVALUED_CHAPTERS = ("87", "64", "52", "61", "62", "54", "95")  # narrow value bands
_PAIR_SHARE = (0.008, 0.03)  # heading-origin pairs eligible for the pattern, by unit share
_PORT_SHARE = (0.01, 0.03)  # ports of loading eligible for the trafficking pattern


@dataclass(frozen=True)
class History:
    """A generated inspection history.

    Attributes:
        manifests: the vessel calls, in arrival order.
        shipments: their flat shipments (:func:`~riskprofile.flatten`), in the same order.
        outcomes: one record per inspected unit (unit key, selection reason, finding,
            category, inspection date), in unit-key order.
        patterns: the planted patterns (the ground truth).
        planted_units: unit key -> the names of the patterns it carries (units with none
            are left out).
        start: the first day of the period.
        days: the length of the period in days.
        background_rate: the finding rate of units with no pattern.
    """

    manifests: tuple[Manifest, ...]
    shipments: tuple[Shipment, ...]
    outcomes: tuple[Outcome, ...]
    patterns: tuple[PlantedPattern, ...]
    planted_units: Mapping[str, tuple[str, ...]]
    start: dt.date
    days: int
    background_rate: float

    def pattern(self, name: str) -> PlantedPattern:
        """The planted pattern called ``name``.

        Raises:
            KeyError: when no pattern has that name.
        """
        for pattern in self.patterns:
            if pattern.name == name:
                return pattern
        raise KeyError(name)


def _unit_key(shipment: Shipment) -> str:
    from riskprofile.rules import unit_key as key

    return key(shipment)


def _retime(documents: list[Doc], start: dt.date, containers_per_day: int) -> None:
    """Spread the vessel calls evenly: call ``i`` arrives when the containers before it
    reach ``i``'s share of the days. B/L issue dates move with their call's arrival, so
    that voyage times stay what the generator drew."""
    origin = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)
    done = 0
    for doc in documents:
        old = dt.datetime.fromisoformat(str(doc["arrival"]))
        minutes = round(done / containers_per_day * 24 * 12) * 5
        new = origin + dt.timedelta(minutes=minutes)
        shift = new.date() - old.date()
        doc["arrival"] = new.isoformat()
        for c in doc["consignments"]:
            if c["issue_date"]:
                issued = dt.date.fromisoformat(str(c["issue_date"]))
                c["issue_date"] = (issued + shift).isoformat()
        numbers = {n for c in doc["consignments"] for n in c["container_numbers"]}
        numbers |= {box["number"] for box in doc["containers"]}
        done += len(numbers)


def _pick_share(
    counts: Counter[tuple[str, int]], total: int, low: float, high: float, rng: random.Random
) -> str | None:
    """A value (counted per key and quarter of the period) whose count is between ``low``
    and ``high`` of ``total`` and that is present all along (at least a tenth of its count
    in each quarter), so that a time split sees it on both sides. A short history may
    have none: then the evenest value in the range, else the value nearest the range."""
    totals: Counter[str] = Counter()
    for (key, _), n in counts.items():
        totals[key] += n
    if not totals:
        return None
    in_range = sorted(k for k, n in totals.items() if low * total <= n <= high * total)
    even = [k for k in in_range if all(counts[(k, q)] >= totals[k] / 10 for q in range(4))]
    if even:
        return even[int(rng.random() * len(even))]
    if in_range:
        return max(in_range, key=lambda k: (min(counts[(k, q)] for q in range(4)), k))
    middle = (low + high) / 2 * total
    return min(sorted(totals), key=lambda k: abs(totals[k] - middle))


def _check_rate(name: str, value: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")
    return float(value)


def generate_history(
    seed: int,
    *,
    start: dt.date = dt.date(2026, 1, 5),
    days: int = 120,
    containers_per_day: int = 250,
    port_of_call: str = "PKKHI",
    background_rate: float = 0.01,
    control_rate: float = 0.02,
    targeting_rate: float = 0.04,
    drift_start: float = 0.5,
    history_patterns: bool = False,
    late_start: float = 2 / 3,
) -> History:
    """Generate months of traffic with planted fraud patterns and the inspections' outcomes.

    Args:
        seed: the seed of every random stream; the same arguments always give the same
            history.
        start: the first day of the period.
        days: the number of days.
        containers_per_day: containers arriving each day (vessel calls are spread evenly).
        port_of_call: the UN/LOCODE the manifests are filed at.
        background_rate: the chance that inspecting a unit with no pattern finds something.
        control_rate: the share of units in the random control sample.
        targeting_rate: the share of the other units officers pick; a unit with a planted
            pattern is picked three times as often.
        drift_start: when the ``drift`` pattern begins, as a fraction of the period.
        history_patterns: also plant the patterns only a history store finds
            (:data:`~riskprofile.synth.HISTORY_PATTERNS`: a renamed importer, a known
            shipper's new consignee, a route change, an HS6 undervalued against its norm),
            from their own random stream: without them the history is unchanged.
        late_start: when those begin, as a fraction of the period (the part before is the
            history a store would hold).

    Returns:
        A :class:`History`: manifests, shipments, outcomes and the planted patterns.

    Raises:
        ValueError: for a non-positive ``days`` or ``containers_per_day``, a rate outside
            0..1, or any argument the generator refuses.

    >>> history = generate_history(1, days=30, containers_per_day=100)
    >>> sorted(p.name for p in history.patterns)  # doctest: +NORMALIZE_WHITESPACE
    ['drift', 'heading_origin', 'loading_port', 'trader', 'undervaluation']
    """
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ValueError(f"days must be a positive int, not {days!r}")
    if (
        not isinstance(containers_per_day, int)
        or isinstance(containers_per_day, bool)
        or containers_per_day < 1
    ):
        raise ValueError(f"containers_per_day must be a positive int, not {containers_per_day!r}")
    background_rate = _check_rate("background_rate", background_rate)
    control_rate = _check_rate("control_rate", control_rate)
    targeting_rate = _check_rate("targeting_rate", targeting_rate)
    drift_start = _check_rate("drift_start", drift_start)
    origin = dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC)
    documents = list(
        generate_manifest_documents(
            seed, days * containers_per_day, port_of_call=port_of_call, start=origin
        )
    )
    _retime(documents, start, containers_per_day)
    planting = _Planting(seed, documents, port_of_call, start, days)
    patterns = planting.plant(drift_start)
    if history_patterns:
        late_start = _check_rate("late_start", late_start)
        planting.late = HistoryPlanting(seed, planting, late_start)
        taken = {f"chapter:{p.value[:2]}" for p in patterns
                 if p.name in ("undervaluation", "heading_origin")}  # fmt: skip
        taken |= {f"shipper:{p.value}" for p in patterns if p.name == "drift"}
        patterns = (*patterns, *planting.late.plant(taken))
    manifests = tuple(Manifest.model_validate(doc, context=LENIENT) for doc in documents)
    shipments: list[Shipment] = []
    units: dict[str, set[str]] = {}
    unit_day: dict[str, dt.date] = {}
    for index, manifest in enumerate(manifests):
        for shipment in flatten(manifest):
            shipments.append(shipment)
            key = _unit_key(shipment)
            found = units.setdefault(key, set())
            found.update(planting.patterns_of(index, shipment, patterns))
            if shipment.arrival is not None:
                unit_day.setdefault(key, shipment.arrival.date())
    by_name = {p.name: p for p in patterns}
    outcomes = _inspect(
        seed, units, unit_day, by_name, background_rate, control_rate, targeting_rate
    )
    planted_units = {key: tuple(sorted(names)) for key, names in sorted(units.items()) if names}
    return History(
        manifests=manifests,
        shipments=tuple(shipments),
        outcomes=outcomes,
        patterns=patterns,
        planted_units=planted_units,
        start=start,
        days=days,
        background_rate=background_rate,
    )


_CATEGORIES = {
    "trader": "revenue",
    "heading_origin": "ipr",
    "loading_port": "drugs",
    "undervaluation": "revenue",
    "drift": "precursors",
    "renamed": "revenue",
    "new_consignee": "drugs",
    "route_change": "drugs",
    "undervalued_hs6": "revenue",
}
_BACKGROUND_CATEGORIES = ("revenue", "ipr", "drugs", "weapons")


def _inspect(
    seed: int,
    units: dict[str, set[str]],
    unit_day: dict[str, dt.date],
    patterns: dict[str, PlantedPattern],
    background: float,
    control: float,
    targeting: float,
) -> tuple[Outcome, ...]:
    # Four draws per unit, always, so that changing one rate changes nothing else.
    rng = random.Random(f"riskprofile.synth.history.inspections:{seed}")  # noqa: S311
    outcomes: list[Outcome] = []
    for key in sorted(units):
        names = sorted(units[key])
        r_control, r_target, r_finding, r_days = (rng.random() for _ in range(4))
        selected_by: SelectedBy | None = None
        if r_control < control:
            selected_by = "control"
        elif r_target < min(1.0, targeting * (3 if names else 1)):
            selected_by = "score"
        if selected_by is None:
            continue
        clean = 1.0 - background
        for name in names:
            clean *= 1.0 - patterns[name].finding_rate
        finding = r_finding < 1.0 - clean
        category = None
        if finding:
            # The first planted cause that could explain it, else a background category.
            category = (
                _CATEGORIES[names[0]]
                if names
                else _BACKGROUND_CATEGORIES[int(r_days * 16) % len(_BACKGROUND_CATEGORIES)]
            )
        day = unit_day.get(key)
        outcomes.append(
            Outcome(
                unit=key,
                inspected=True,
                finding=finding,
                selected_by=selected_by,
                category=category,
                date=day + dt.timedelta(days=int(r_days * 3)) if day is not None else None,
            )
        )
    return tuple(outcomes)


class _Planting:
    """Chooses and plants the patterns in the documents, with its own random stream."""

    def __init__(
        self, seed: int, documents: list[Doc], port_of_call: str, start: dt.date, days: int
    ) -> None:
        self.rng = random.Random(f"riskprofile.synth.history:{seed}")  # noqa: S311
        self.batch = _Batch(seed, port_of_call, DEFAULT_START, 0.0, 0.0)
        self.batch.rng = self.rng
        self.documents = documents
        self.country = port_of_call[:2]
        self.start = start
        self.days = days
        self.names = {
            str(c[role]["name"])
            for doc in documents
            for c in doc["consignments"]
            for role in ("shipper", "consignee", "notify_party", "freight_payer")
            if c[role] is not None and c[role]["name"]
        }
        self.undervalued: set[tuple[int, str]] = set()  # (manifest index, B/L number)
        self.port: str | None = None  # the trafficking port of loading, once chosen
        self.late: HistoryPlanting | None = None  # the patterns only history finds

    def quarter(self, index: int) -> int:
        """The quarter of the period (0 to 3) in which manifest ``index`` arrives."""
        day = _arrival_day(self.documents[index])
        return min(3, max(0, (day - self.start).days * 4 // self.days))

    def _new_party(self, country: str, trade: str, importer: bool) -> Doc:
        for _ in range(50):
            party = self.batch._new_party(country, trade, importer=importer)
            if party["name"] not in self.names:
                break
        self.names.add(str(party["name"]))
        party["aeo"] = False if importer else None
        return party

    def plant(self, drift_start: float) -> tuple[PlantedPattern, ...]:
        bills = [(i, c) for i, doc in enumerate(self.documents) for c in doc["consignments"]]
        units = sum(
            len({n for c in doc["consignments"] for n in c["container_numbers"]})
            for doc in self.documents
        )
        # The undervalued chapter first, so that the heading-origin pair is chosen outside
        # it and the two patterns stay apart.
        undervaluation = self._undervaluation(bills)
        patterns = [
            self._trader(bills),
            self._heading_origin(bills, units, undervaluation.value if undervaluation else None),
            self._loading_port(bills, units),
            undervaluation,
            self._drift(bills, drift_start),
        ]
        return tuple(p for p in patterns if p is not None)

    def _trader(self, bills: list[tuple[int, Doc]]) -> PlantedPattern | None:
        home = [c for _, c in bills if _sound(c) and c["consignee"]["country"] == self.country]
        if not home:
            return None
        party = self._new_party(self.country, "IMPEX", importer=True)
        for c in home:
            if self.rng.random() < _TRADER_SHARE * len(bills) / len(home):
                c["consignee"] = dict(party)
                if c["freight_terms"] == "collect" and c["freight_payer"] is not None:
                    c["freight_payer"] = dict(party)
        return PlantedPattern(
            "trader", "consignee", str(party["name"]), 0.4, self.start,
            f"importer {party['name']} smuggles in about 40 % of its shipments",
        )  # fmt: skip

    def _heading_origin(
        self, bills: list[tuple[int, Doc]], units: int, chapter: str | None
    ) -> PlantedPattern | None:
        counts: Counter[tuple[str, int]] = Counter()
        headings: dict[str, set[str]] = {}
        for index, c in bills:
            pairs = {
                (str(g["hs_code"])[:4], str(g["origin_country"]))
                for g in c["goods"]
                if g["hs_code"] and g["origin_country"]
            }
            for heading, country in pairs:
                counts[(f"{heading}:{country}", self.quarter(index))] += 1
                headings.setdefault(heading, set()).add(country)
        # A heading that comes from several countries, so that the pair, not the heading
        # alone, carries the risk.
        counts = Counter(
            {
                (k, q): n
                for (k, q), n in counts.items()
                if len(headings[k.split(":")[0]]) > 1 and k[:2] not in ("00", chapter)
            }
        )
        chosen = _pick_share(counts, units, *_PAIR_SHARE, self.rng)
        if chosen is None:
            return None
        heading, country = chosen.split(":")
        return PlantedPattern(
            "heading_origin", "heading_origin", chosen, 0.3, self.start,
            f"goods of HS heading {heading} from {country} are often mis-declared",
        )  # fmt: skip

    def _loading_port(self, bills: list[tuple[int, Doc]], units: int) -> PlantedPattern | None:
        counts = Counter(
            (str(c["port_of_loading"]), self.quarter(index))
            for index, c in bills
            if c["port_of_loading"] and not str(c["port_of_loading"]).startswith(self.country)
        )
        chosen = _pick_share(counts, units, *_PORT_SHARE, self.rng)
        if chosen is None:
            return None
        self.port = chosen
        return PlantedPattern(
            "loading_port", "port_of_loading", chosen, 0.25, self.start,
            f"traffickers load at {chosen}",
        )  # fmt: skip

    def _undervaluation(self, bills: list[tuple[int, Doc]]) -> PlantedPattern | None:
        chapters: Counter[str] = Counter()
        for _, c in bills:
            chapters.update({str(g["hs_code"])[:2] for g in c["goods"] if g["hs_code"]})
        chapter = next((ch for ch in _UNDERVALUED_CHAPTERS if chapters[ch] >= 50), None)
        if chapter is None:
            return None
        for index, c in bills:
            lines = c["goods"]
            if not lines or any(not g["hs_code"] for g in lines):
                continue
            if any(str(g["hs_code"])[:2] != chapter for g in lines):
                continue
            if self.rng.random() >= _UNDERVALUED_SHARE:
                continue
            factor = Decimal(str(round(6 + 6 * self.rng.random(), 1)))
            _divide_values(lines, factor)
            self.undervalued.add((index, str(c["bl_number"])))
        return PlantedPattern(
            "undervaluation", "value_band", chapter, 0.3, self.start,
            f"HS chapter {chapter} declared at a sixth to a twelfth of its value per kg",
        )  # fmt: skip

    def _drift(self, bills: list[tuple[int, Doc]], drift_start: float) -> PlantedPattern | None:
        begin = self.start + dt.timedelta(days=math.floor(self.days * drift_start))
        ports = Counter(
            str(c["port_of_loading"])
            for _, c in bills
            if c["port_of_loading"]
            and not str(c["port_of_loading"]).startswith(self.country)
            and str(c["port_of_loading"]) != self.port
        )
        if not ports:
            return None
        port = sorted(ports.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        party = self._new_party(port[:2], "GENERAL TRADING", importer=False)
        for index, c in bills:
            day = _arrival_day(self.documents[index])
            if (
                c["port_of_loading"] == port
                and day >= begin
                and c["goods"]
                and self.rng.random() < _DRIFT_SHARE
            ):
                c["shipper"] = dict(party)
        return PlantedPattern(
            "drift", "shipper", str(party["name"]), 0.35, begin,
            f"a new shipper at {port}, {party['name']}, from {begin.isoformat()} on",
        )  # fmt: skip

    def patterns_of(
        self, index: int, shipment: Shipment, patterns: Iterable[PlantedPattern]
    ) -> set[str]:
        """The planted patterns a shipment of manifest ``index`` carries."""
        found = set()
        for p in patterns:
            if p.name in ("trader", "drift"):
                name = shipment.consignee_name if p.name == "trader" else shipment.shipper_name
                hit = name == p.value
            elif p.name == "heading_origin":
                heading, country = p.value.split(":")
                hit = heading in shipment.hs_headings and country in shipment.origin_countries
            elif p.name == "loading_port":
                hit = shipment.port_of_loading == p.value
            elif p.name in HISTORY_PATTERNS:
                hit = self.late is not None and self.late.carries(p.name, index, shipment)
            else:
                hit = (index, str(shipment.bl_number)) in self.undervalued
            if hit:
                found.add(p.name)
        return found


def write_history(history: History, path: str | Path) -> dict[str, Path]:
    """Write a history as files: the batch in the flat CSV layout at ``path``, the
    outcomes next to it (``history.csv``: ``history.outcomes.csv``, outcome layout) and the
    planted patterns (``history.patterns.csv``).

    Returns:
        The paths written, under the keys ``batch``, ``outcomes`` and ``patterns``.
    """
    from riskprofile.io import write_csv

    path = Path(path)
    outcomes_path = path.with_suffix(".outcomes.csv")
    patterns_path = path.with_suffix(".patterns.csv")
    write_csv(history.manifests, path)
    with open(outcomes_path, "w", newline="", encoding="utf-8") as handle:
        writer = CsvWriter(handle)
        writer.writerow(OUTCOME_FILE_COLUMNS)
        for o in history.outcomes:
            writer.writerow(
                [
                    o.unit,
                    "yes" if o.inspected else "no",
                    o.selected_by or "",
                    "yes" if o.finding else "no",
                    o.category or "",
                    o.date.isoformat() if o.date else "",
                ]
            )
    with open(patterns_path, "w", newline="", encoding="utf-8") as handle:
        writer = CsvWriter(handle)
        writer.writerow(PATTERN_COLUMNS)
        for p in history.patterns:
            writer.writerow(
                [p.name, p.kind, p.value, p.finding_rate, p.start.isoformat(), p.description]
            )
    return {"batch": path, "outcomes": outcomes_path, "patterns": patterns_path}


def read_patterns(path: str | Path) -> tuple[PlantedPattern, ...]:
    """Read a planted-patterns CSV written by :func:`write_history`.

    Raises:
        ValueError: when the header is not that of a patterns file.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header) != PATTERN_COLUMNS:
            raise ValueError(f"{path}: not a planted-patterns file (header {header!r})")
        return tuple(
            PlantedPattern(
                row[0], row[1], row[2], float(row[3]), dt.date.fromisoformat(row[4]), row[5]
            )
            for row in ([csv_text(cell) for cell in cells] for cells in reader)
            if row
        )
