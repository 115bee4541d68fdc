"""Suggestions from history: indicators proposed from past inspections, measured on a
time split.

The method, exactly (``docs/evaluation.md`` says the same for analysts):

1. Each unit (container, or bill of lading or declaration without one) gets a date: the
   arrival of its vessel, else the B/L (declaration) issue date, else the inspection
   date. Units before ``split`` are the *training* period, the others the *test* period.
   A unit is *labelled* when an outcome says it was inspected.
2. Candidate features of a unit, over every shipment it carries: HS codes, headings and
   chapters, origin countries, HS heading and origin country together, port of loading,
   its country (the departure country), place of receipt, transshipment ports, shipper
   and consignee names, and value-per-kg bands per HS chapter and currency (quantiles of
   the training period's shipments of a single chapter, labelled or not).
3. For each candidate, on each period: *support* (labelled units with it), *findings*,
   *hit rate* with its Wilson interval, and *lift* (hit rate over the period's base rate,
   the hit rate of all its labelled units).
4. Selection, on the training period only. A candidate is *tested* when its support is
   at least ``min_support``. Its *p-value* is the chance of at least its findings among
   its units if they had the base rate (the exact binomial tail). Many candidates are
   tested at once, so the p-values are held to the Benjamini-Hochberg threshold for a
   false discovery rate ``alpha``: the largest ``p(r)`` with ``p(r) <= r / tests *
   alpha``, ``p(1) <= ... <= p(tests)`` being the sorted p-values. A candidate is *kept*
   when its p-value is at most that threshold, it has at least ``min_findings``
   findings, and its lift is at least ``min_lift``. So the more candidates are tested,
   the stronger the evidence each needs, and at most a share ``alpha`` of the kept
   candidates is expected to be chance.
5. Redundancy: kept candidates are taken strongest first (highest lower bound of the
   95 % Wilson interval). One that shares at least half of its labelled units, or of a
   taken candidate's, with a candidate already taken, and whose units that no taken
   candidate has no longer pass the same test, is dropped as covered (a port and its
   country, a heading and its only HS code, a heading and the pair that makes up most
   of it, a chapter and its cheapest band). The other way round, a broader candidate
   replaces the taken ones that lie mostly within it when they find no more than the
   rest of it and that rest finds more than the base rate on its own (one-sided
   binomial tests at ``alpha``): a port replaces the main trade loaded there.
6. Weights: ten times the base-2 logarithm of the lift at the 95 % lower bound, rounded
   to a multiple of 5, from 5 to 50. The kept values of a kind with the same weight
   form one watch list and one indicator.
7. The test period is never used to choose: its figures (support, findings, hit rate,
   lift) are reported next to the training figures, and the suggested profile scores
   the test period's labelled units to measure its precision at an inspection capacity
   against the base rate, which is what random selection would find.

The profile comes out as ``status: draft``: it never scores unless a run asks for
drafts, and an analyst reviews it before it is activated.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from riskprofile.evaluation._metrics import wilson_interval
from riskprofile.evaluation._outcomes import Outcome, UnitOutcome, match_outcomes
from riskprofile.model.shipment import Shipment

__all__ = [
    "KINDS",
    "Candidate",
    "CandidateKind",
    "Figures",
    "PrecisionAtCapacity",
    "Suggestions",
    "benjamini_hochberg",
    "binomial_tail",
    "suggest",
]


@dataclass(frozen=True, slots=True)
class CandidateKind:
    """A kind of candidate feature and how a profile tests it.

    Attributes:
        name: the kind's name (``consignee``, ``port_of_loading``...).
        title: what it is, for people.
        list_name: the stem of its watch lists' names.
        condition: the condition over a watch list ``$L``, with ``{list}`` for the list's
            name; empty for the kinds written value by value (``heading_origin``,
            ``value_band``).
        field: the shipment field an example sets.
    """

    name: str
    title: str
    list_name: str
    condition: str
    field: str


def _any_of(name: str) -> str:
    return f"[x for x in {name} if x in ${{list}}].length > 0"


KINDS: tuple[CandidateKind, ...] = (
    CandidateKind("consignee", "consignee", "consignees", "consignee_name in ${list}",
                  "consignee_name"),
    CandidateKind("shipper", "shipper", "shippers", "shipper_name in ${list}", "shipper_name"),
    CandidateKind("heading_origin", "HS heading from an origin country", "heading_origins", "",
                  "hs_headings"),
    CandidateKind("hs_code", "HS code", "hs_codes", _any_of("hs_codes"), "hs_codes"),
    CandidateKind("hs_heading", "HS heading", "hs_headings", _any_of("hs_headings"),
                  "hs_headings"),
    CandidateKind("hs_chapter", "HS chapter", "hs_chapters", _any_of("hs_chapters"),
                  "hs_chapters"),
    CandidateKind("value_band", "value per kg band of an HS chapter", "value_bands", "",
                  "value_per_kg"),
    CandidateKind("port_of_loading", "port of loading", "loading_ports",
                  "port_of_loading in ${list}", "port_of_loading"),
    CandidateKind("place_of_receipt", "place of receipt", "receipt_places",
                  "place_of_receipt in ${list}", "place_of_receipt"),
    CandidateKind("transshipment_port", "transshipment port", "transshipment_ports",
                  _any_of("transshipment_ports"), "transshipment_ports"),
    CandidateKind("loading_country", "departure country (of the port of loading)",
                  "departure_countries",
                  # The null test first: slicing a missing port cannot be evaluated.
                  "port_of_loading != null and port_of_loading[:2] in ${list}",
                  "port_of_loading"),
    CandidateKind("origin_country", "origin country of the goods", "origin_countries",
                  _any_of("origin_countries"), "origin_countries"),
)  # fmt: skip
"""The candidate kinds, most specific first (ties between candidates with the same units
go to the earlier kind: a port before its country, an HS code before its heading)."""

_KIND = {k.name: k for k in KINDS}
_LIST_FIELDS = frozenset({"hs_codes", "hs_headings", "hs_chapters", "origin_countries",
                          "transshipment_ports"})  # fmt: skip
_ORDER = {k.name: i for i, k in enumerate(KINDS)}
_MIN_BAND_SHIPMENTS = 20  # per band: a chapter needs value_bands * 20 shipments for bands


@dataclass(frozen=True, slots=True)
class Figures:
    """A candidate's (or a period's) figures on one period.

    Attributes:
        units: labelled units with the feature (its support).
        findings: those with a finding.
        seen: all units of the period with the feature, labelled or not (the volume an
            indicator would flag).
        base_rate: the period's hit rate over all its labelled units.
    """

    units: int
    findings: int
    seen: int
    base_rate: float | None

    @property
    def hit_rate(self) -> float | None:
        """Findings over units; None with no units."""
        return self.findings / self.units if self.units else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """The Wilson 95 % interval of the hit rate; None with no units."""
        return wilson_interval(self.findings, self.units)

    @property
    def lift(self) -> float | None:
        """The hit rate over the base rate; None when either is unknown or zero."""
        rate = self.hit_rate
        if rate is None or not self.base_rate:
            return None
        return rate / self.base_rate

    def text(self) -> str:
        """``9/22 found, hit rate 40.9 % (95 % CI 22.8-61.3 %), lift 8.3``."""
        if not self.units:
            return f"0 labelled ({self.seen} seen)"
        low, high = self.interval or (0.0, 0.0)
        lift = self.lift
        return (
            f"{self.findings}/{self.units} found, hit rate {_pct(self.hit_rate)} "
            f"(95 % CI {low * 100:.1f}-{high * 100:.1f} %), lift "
            + (f"{lift:.1f}" if lift is not None else "n/a")
        )

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain values (JSON-ready)."""
        interval = self.interval
        return {
            "units": self.units,
            "findings": self.findings,
            "seen": self.seen,
            "hit_rate": _round(self.hit_rate),
            "hit_rate_low": _round(interval[0]) if interval else None,
            "hit_rate_high": _round(interval[1]) if interval else None,
            "lift": _round(self.lift),
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A tested candidate feature, its figures, and whether it was kept.

    Attributes:
        kind: its :class:`CandidateKind` name.
        value: the value (a name, a code, ``"<heading>:<country>"``, or for a value band
            ``"<chapter>|<currency>|<band>"``).
        label: the value for people (``HS 85 in USD, below 3.21 per kg``).
        train, test: its figures on each period.
        p_value: the chance of its training findings or more if its units had the base
            rate (exact one-sided binomial test), held to the Benjamini-Hochberg
            threshold.
        kept: it is in the suggested profile.
        reason: why it was kept or not.
        weight: its suggested weight when kept.
    """

    kind: str
    value: str
    label: str
    train: Figures
    test: Figures
    p_value: float
    kept: bool
    reason: str
    weight: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The candidate as plain values (JSON-ready)."""
        return {
            "kind": self.kind,
            "value": self.value,
            "label": self.label,
            "kept": self.kept,
            "reason": self.reason,
            "weight": self.weight,
            "p_value": float(f"{self.p_value:.4g}"),
            "train": self.train.as_dict(),
            "test": self.test.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class PrecisionAtCapacity:
    """How the suggested profile ranks the test period's labelled units.

    The labelled units are ranked by the profile's score; ``capacity`` of them are
    "inspected". Units with the same score at the cut are taken at random, so their
    findings count in proportion (the expected precision of such a draw).

    Attributes:
        capacity: units inspected (a share of the labelled units, rounded up).
        labelled: labelled units in the test period.
        findings: their findings.
        found: expected findings among the ``capacity`` best-ranked units.
        flagged: labelled units the profile scores above 0.
        flagged_findings: their findings.
    """

    capacity: int
    labelled: int
    findings: int
    found: float
    flagged: int
    flagged_findings: int

    @property
    def precision(self) -> float | None:
        """Expected findings over capacity."""
        return self.found / self.capacity if self.capacity else None

    @property
    def base_rate(self) -> float | None:
        """Findings over labelled units: the precision of a random choice."""
        return self.findings / self.labelled if self.labelled else None

    @property
    def lift(self) -> float | None:
        """Precision over the base rate."""
        precision, base = self.precision, self.base_rate
        return precision / base if precision is not None and base else None

    @property
    def recall(self) -> float | None:
        """Expected findings at capacity over all findings."""
        return self.found / self.findings if self.findings else None

    def as_dict(self) -> dict[str, Any]:
        """The figures as plain values (JSON-ready)."""
        return {
            "capacity": self.capacity,
            "labelled": self.labelled,
            "findings": self.findings,
            "found": _round(self.found),
            "precision": _round(self.precision),
            "base_rate": _round(self.base_rate),
            "lift": _round(self.lift),
            "recall": _round(self.recall),
            "flagged": self.flagged,
            "flagged_findings": self.flagged_findings,
        }


def binomial_tail(successes: int, trials: int, rate: float) -> float:
    """``P(X >= successes)`` for ``X ~ Binomial(trials, rate)``: the one-sided p-value of
    seeing that many findings or more by chance.

    >>> round(binomial_tail(3, 10, 0.1), 4)
    0.0702
    >>> binomial_tail(0, 10, 0.1)
    1.0
    """
    if successes <= 0:
        return 1.0
    if successes > trials or rate <= 0:
        return 0.0
    if rate >= 1:
        return 1.0
    log_term = (
        math.lgamma(trials + 1)
        - math.lgamma(successes + 1)
        - math.lgamma(trials - successes + 1)
        + successes * math.log(rate)
        + (trials - successes) * math.log1p(-rate)
    )
    term = math.exp(log_term)
    total = term
    odds = rate / (1 - rate)
    for i in range(successes, trials):
        term *= (trials - i) / (i + 1) * odds
        total += term
        if term < total * 1e-17:
            break
    return min(1.0, total)


def benjamini_hochberg(p_values: Iterable[float], alpha: float) -> float:
    """The Benjamini-Hochberg threshold: the largest sorted ``p(r) <= r / m * alpha``
    (0 when none is), so that p-values at most the threshold keep the expected share
    of false discoveries at most ``alpha``.

    >>> benjamini_hochberg([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205], 0.05)
    0.008
    """
    ordered = sorted(p_values)
    m = len(ordered)
    threshold = 0.0
    for rank, p in enumerate(ordered, start=1):
        if p <= rank / m * alpha:
            threshold = p
    return threshold


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


def _lower(figures: Figures) -> float:
    interval = figures.interval
    return interval[0] if interval else 0.0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _cut(value: float) -> float:
    """A band limit rounded to 3 significant digits (readable, and exact in the YAML)."""
    return float(f"{value:.3g}")


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


def _features(s: Shipment, bands: Bands) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
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
    return value


def _value_condition(kind: str, value: str, bands: Bands) -> str:
    """The condition for one value of a kind written value by value."""
    if kind == "heading_origin":
        heading, country = value.split(":")
        return f"{json.dumps(heading)} in hs_headings and {json.dumps(country)} in origin_countries"
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


# --- the profile -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Group:
    """The kept values of one kind with one weight: one watch list, one indicator."""

    kind: str
    weight: int
    candidates: tuple[Candidate, ...]

    @property
    def list_name(self) -> str:
        return f"{_KIND[self.kind].list_name}_w{self.weight}"

    @property
    def indicator_id(self) -> str:
        # The same id as _indicator_figures gives.
        return f"{self.kind.replace('_', '-')}-w{self.weight}"


def _weight(train: Figures) -> int:
    interval = train.interval
    if interval is None or not train.base_rate or interval[0] <= train.base_rate:
        return 5
    step = round(2 * math.log2(interval[0] / train.base_rate))
    return max(5, min(50, 5 * step))


def _yaml(value: Any) -> str:
    """A YAML scalar: JSON strings are YAML double-quoted scalars, numbers plain."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _expression(text: str) -> str:
    """A condition as a YAML scalar: single-quoted when it can be (its text literals keep
    their double quotes unescaped), else double-quoted."""
    if "'" not in text and "\n" not in text and "\\" not in text:
        return f"'{text}'"
    return _yaml(text)


def _flow(mapping: Mapping[str, Any]) -> str:
    items = []
    for key, value in mapping.items():
        if isinstance(value, list):
            shown = "[" + ", ".join(_yaml(v) for v in value) + "]"
        else:
            shown = _yaml(value)
        items.append(f"{key}: {shown}")
    return "{" + ", ".join(items) + "}"


# --- the result --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestions:
    """What :func:`suggest` found: every tested candidate with its figures, the kept ones,
    and the ready-to-review profile (:meth:`to_yaml`).

    Attributes:
        split: the first day of the test period.
        train, test: each period's figures over all its labelled units (``units``,
            ``findings``, ``seen`` = all its units, ``base_rate``).
        candidates: every tested candidate (support at least ``min_support`` in the
            training period), strongest first.
        tests: how many candidates were tested.
        threshold: the Benjamini-Hochberg p-value threshold (0 when nothing passes).
        alpha, min_support, min_findings, min_lift, value_bands: the settings used.
        precision: the suggested profile on the test period's labelled units (None when
            nothing was kept or the test period has no labelled unit).
        profile_id, owner, category: the suggested profile's.
        undated: units with no date (left out).
        unmatched: outcomes that matched no unit (left out).
        bands: the value-per-kg bands learned on the training period: (HS chapter,
            currency) -> the band limits.
        indicators: each suggested indicator's figures (training, test) over the units
            that carry any of its values.
    """

    split: dt.date
    train: Figures
    test: Figures
    candidates: tuple[Candidate, ...]
    tests: int
    threshold: float
    alpha: float
    min_support: int
    min_findings: int
    min_lift: float
    value_bands: int
    precision: PrecisionAtCapacity | None
    profile_id: str
    owner: str
    category: str
    undated: int
    unmatched: int
    bands: Mapping[tuple[str, str], tuple[float, ...]] = field(repr=False)
    indicators: Mapping[str, tuple[Figures, Figures]] = field(default_factory=dict, repr=False)

    @property
    def kept(self) -> tuple[Candidate, ...]:
        """The candidates in the suggested profile, strongest first."""
        return tuple(c for c in self.candidates if c.kept)

    def _groups(self) -> list[_Group]:
        groups: dict[tuple[str, int], list[Candidate]] = {}
        for c in self.kept:
            assert c.weight is not None
            groups.setdefault((c.kind, c.weight), []).append(c)
        return [
            _Group(kind, weight, tuple(sorted(members, key=lambda c: c.value)))
            for (kind, weight), members in sorted(
                groups.items(), key=lambda kv: (_ORDER[kv[0][0]], -kv[0][1])
            )
        ]

    def _condition(self, group: _Group) -> str:
        spec = _KIND[group.kind]
        if spec.condition:
            return spec.condition.replace("{list}", group.list_name)
        bands = dict(self.bands)
        parts = [_value_condition(group.kind, c.value, bands) for c in group.candidates]
        return parts[0] if len(parts) == 1 else " or ".join(f"({p})" for p in parts)

    def _examples(self, group: _Group) -> tuple[dict[str, Any], dict[str, Any]]:
        """A shipment the indicator hits and one it misses."""
        first = group.candidates[0].value
        kind = group.kind
        spec = _KIND[kind]
        if kind == "heading_origin":
            heading, country = first.split(":")
            hit: dict[str, Any] = {"hs_headings": [heading], "origin_countries": [country]}
            miss: dict[str, Any] = {"hs_headings": [heading], "origin_countries": ["ZZ"]}
        elif kind == "value_band":
            bands = dict(self.bands)
            chapter, currency, low, high = _band_limits(first, bands)
            inside = (
                (low + high) / 2 if low is not None and high is not None
                else (high / 2 if high is not None else (low or 0) * 2)
            )  # fmt: skip
            base = {"hs_chapters": [chapter], "value_currency": currency}
            hit = {**base, "value_per_kg": float(f"{inside:.4g}")}
            limits = [_band_limits(c.value, bands) for c in group.candidates]
            outside = next(
                (
                    point
                    for point in sorted(
                        {lim for _, _, lo, hi in limits for lim in (lo, hi) if lim is not None}
                    )
                    if not any(
                        (lo is None or point >= lo) and (hi is None or point < hi)
                        for _, _, lo, hi in limits
                    )
                ),
                None,
            )
            miss = (
                {**base, "value_per_kg": outside}
                if outside is not None
                else {**base, "value_currency": "XXX", "value_per_kg": hit["value_per_kg"]}
            )
        else:
            values = {c.value for c in group.candidates}
            if kind == "loading_country":
                hit = {"port_of_loading": first + "XXX"}
                country = next(a + b for a in "ZYX" for b in "ZYXWV" if a + b not in values)
                miss_value = country + "XXX"
            else:
                hit = {spec.field: [first] if spec.field in _LIST_FIELDS else first}
                miss_value = {
                    "consignee": "NOT ON THE LIST",
                    "shipper": "NOT ON THE LIST",
                    "hs_code": "00000000",
                    "hs_heading": "0000",
                    "hs_chapter": "00",
                    "origin_country": "ZZ",
                    "port_of_loading": "ZZZZZ",
                    "place_of_receipt": "ZZZZZ",
                    "transshipment_port": "ZZZZZ",
                }[kind]
            while miss_value in values:
                miss_value = "Z" + miss_value  # a value nobody would declare
            miss = {spec.field: [miss_value] if spec.field in _LIST_FIELDS else miss_value}
        return hit, miss

    def to_yaml(self) -> str:
        """The suggested profile as YAML in the profile language, with every figure.

        The profile is ``status: draft``; each watch-list value carries its training and
        test figures in a comment, each indicator the figures of its whole list, and
        each indicator has an example it hits and one it misses (``riskprofile test``).

        Raises:
            ValueError: when no candidate was kept (there is nothing to suggest).
        """
        groups = self._groups()
        if not groups:
            raise ValueError(
                "no candidate was kept: nothing to suggest (lower --min-support or "
                "--min-lift, or give a longer history)"
            )
        split = self.split.isoformat()
        train, test = self.train, self.test
        out: list[str] = [
            "# Suggested by `riskprofile suggest` from an inspection history: learned on the",
            f"# units before {split}, measured on the units from {split} on. Nothing here is",
            "# applied: the profile is a draft. Review every value and weight, then set",
            "# status: active.",
            f"# Training: {train.seen} units, {train.units} labelled, {train.findings} findings"
            f" (base rate {_pct(train.base_rate)}).",
            f"# Test: {test.seen} units, {test.units} labelled, {test.findings} findings"
            f" (base rate {_pct(test.base_rate)}).",
            f"# Selection: support >= {self.min_support}, findings >= {self.min_findings},"
            f" lift >= {_number(self.min_lift)}, binomial p-value",
            f"# <= {self.threshold:.3g} (Benjamini-Hochberg, false discovery rate"
            f" {_number(self.alpha)}, over {self.tests} tested candidates).",
        ]
        precision = self.precision
        if precision is not None:
            out.append(
                f"# Test period, {precision.capacity} of {precision.labelled} labelled units "
                f"inspected by score: precision {_pct(precision.precision)}"
            )
            out.append(
                f"# vs base rate {_pct(precision.base_rate)} (lift "
                + (f"{precision.lift:.1f}" if precision.lift is not None else "n/a")
                + f"), recall {_pct(precision.recall)}."
            )
        rationale = (
            f"Suggested from the inspection history: {len(self.kept)} values whose "
            f"hit rate before {split} was well above the base rate of "
            f"{_pct(train.base_rate)} ({train.findings} findings in {train.units} "
            f"inspected units). Figures per value are in the comments of the lists; "
            f"measured after {split} on {test.units} inspected units "
            f"(base rate {_pct(test.base_rate)})."
        )
        if precision is not None and precision.precision is not None:
            rationale += (
                f" Inspecting the {precision.capacity} best-scored of them would have found "
                f"{precision.found:.1f} of {precision.findings} findings: precision "
                f"{_pct(precision.precision)} against {_pct(precision.base_rate)}."
            )
        out += [
            f"id: {self.profile_id}",
            "version: 1",
            f"title: {_yaml(f'Indicators suggested from inspection history before {split}')}",
            f"category: {self.category}",
            f"owner: {_yaml(self.owner)}",
            "status: draft",
            f"rationale: {_yaml(rationale)}",
            "instructions: "
            + _yaml(
                "Suggested indicators: check the documents against the explanation; "
                "record every result, found or not, so the suggestion can be measured."
            ),
        ]
        listed = [g for g in groups if _KIND[g.kind].condition]
        if listed:
            out.append("lists:")
        for group in listed:
            spec = _KIND[group.kind]
            out.append(f"  {group.list_name}:")
            description = f"Suggested {spec.title} values (weight {group.weight})."
            out.append(f"    description: {_yaml(description)}")
            source = (
                f"inspection history, {train.units} units inspected before {split}; "
                "riskprofile suggest"
            )
            out.append(f"    source: {_yaml(source)}")
            out.append("    values:")
            for c in group.candidates:
                out.append(f"      # before {split}: {c.train.text()}")
                out.append(f"      # from {split}: {c.test.text()}")
                out.append(f"      - {_yaml(c.value)}")
        out.append("indicators:")
        for group in groups:
            spec = _KIND[group.kind]
            members = group.candidates
            together_train, together_test = self.indicators[group.indicator_id]
            if not spec.condition and len(members) > 1:
                # Written value by value: the figures of each value, then of them all.
                for c in members:
                    out.append(f"  # {c.label}: before {split}: {c.train.text()};")
                    out.append(f"  #   from {split}: {c.test.text()}")
            which = "any of its values, " if len(members) > 1 else ""
            out.append(f"  # {which}before {split}: {together_train.text()}")
            out.append(f"  # {which}from {split}: {together_test.text()}")
            out.append(f"  - id: {group.indicator_id}")
            title = f"Suggested {spec.title} (weight {group.weight})"
            out.append(f"    title: {_yaml(title)}")
            out.append(f"    when: {_expression(self._condition(group))}")
            out.append(f"    weight: {group.weight}")
            explain = _explain(group.kind)
            out.append(f"    explain: {_yaml(explain)}")
        # Any hit: a documentary check; a strong one (lift 8 or more), or several: red.
        weights = [g.weight for g in groups]
        out.append("bands:")
        if sum(weights) >= 30:
            out.append(f"  - {{min_score: {max(30, min(weights))}, lane: red}}")
        out.append(f"  - {{min_score: {min(weights)}, lane: yellow}}")
        out.append("examples:")
        for group in groups:
            hit, miss = self._examples(group)
            out.append(f"  - name: {_yaml(group.indicator_id + ' hits')}")
            out.append(f"    shipment: {_flow(hit)}")
            out.append(f"    hits: [{group.indicator_id}]")
            out.append(f"  - name: {_yaml(group.indicator_id + ' misses')}")
            out.append(f"    shipment: {_flow(miss)}")
            out.append(f"    misses: [{group.indicator_id}]")
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain values (JSON-ready)."""
        return {
            "split": self.split.isoformat(),
            "profile_id": self.profile_id,
            "train": self.train.as_dict() | {"base_rate": _round(self.train.base_rate)},
            "test": self.test.as_dict() | {"base_rate": _round(self.test.base_rate)},
            "tests": self.tests,
            "threshold": float(f"{self.threshold:.4g}"),
            "alpha": self.alpha,
            "min_support": self.min_support,
            "min_findings": self.min_findings,
            "min_lift": self.min_lift,
            "value_bands": self.value_bands,
            "undated": self.undated,
            "unmatched": self.unmatched,
            "precision": self.precision.as_dict() if self.precision else None,
            "indicators": {
                name: {"train": train.as_dict(), "test": test.as_dict()}
                for name, (train, test) in self.indicators.items()
            },
            "candidates": [c.as_dict() for c in self.candidates],
        }


def _explain(kind: str) -> str:
    return {
        "consignee": "consignee {consignee_name} is on the suggested list",
        "shipper": "shipper {shipper_name} is on the suggested list",
        "heading_origin": "HS headings {hs_headings} from {origin_countries}",
        "hs_code": "HS codes {hs_codes}",
        "hs_heading": "HS headings {hs_headings}",
        "hs_chapter": "HS chapters {hs_chapters}",
        "value_band": "HS {hs_chapters} declared at {value_per_kg} {value_currency} per kg",
        "port_of_loading": "loaded at {port_of_loading}",
        "place_of_receipt": "received at {place_of_receipt}",
        "transshipment_port": "transshipped at {transshipment_ports}",
        "loading_country": "departed from {port_of_loading}",
        "origin_country": "goods from {origin_countries}",
    }[kind]


# --- suggest -------------------------------------------------------------------------------


def _figures(units: list[_Unit], feature: tuple[str, str] | None, base: float | None) -> Figures:
    chosen = [u for u in units if feature is None or feature in u.features]
    labelled = [u for u in chosen if u.labelled]
    return Figures(
        units=len(labelled),
        findings=sum(u.finding for u in labelled),
        seen=len(chosen),
        base_rate=base,
    )


def suggest(
    shipments: Iterable[Shipment],
    outcomes: Iterable[Outcome],
    *,
    split: dt.date,
    min_support: int = 10,
    min_findings: int = 5,
    min_lift: float = 2.0,
    alpha: float = 0.05,
    value_bands: int = 5,
    capacity: float = 0.1,
    profile_id: str | None = None,
    category: str = "other",
    owner: str = "PCU risk analysis (suggested, to review)",
    progress: Callable[[str], None] | None = None,
) -> Suggestions:
    """Propose indicators from past inspections, learned before ``split`` and measured
    from ``split`` on (the method is in this module's documentation).

    Args:
        shipments: the history's shipments (e.g. ``read_batch(...).shipments``).
        outcomes: the inspections' outcomes (e.g. ``read_outcomes(...).outcomes``),
            matched to the units by unit key, container number or B/L number.
        split: the first day of the test period.
        min_support: labelled training units a candidate needs to be tested.
        min_findings: training findings a candidate needs to be kept.
        min_lift: training lift a candidate needs to be kept.
        alpha: the false discovery rate of the Benjamini-Hochberg selection.
        value_bands: value-per-kg bands per HS chapter and currency (quantiles).
        capacity: the share of the test period's labelled units inspected when the
            suggested profile's precision is measured.
        profile_id: the suggested profile's id; ``<category>.suggested-<split>`` by
            default.
        category: the suggested profile's category.
        owner: the suggested profile's owner.
        progress: called with a short message at each stage.

    Returns:
        :class:`Suggestions`. The same history in any order gives the same suggestions.

    Raises:
        ValueError: for a setting out of range, or no labelled unit before ``split``.
    """
    if min_support < 1 or min_findings < 1:
        raise ValueError("min_support and min_findings must be at least 1")
    if not min_lift >= 1:
        raise ValueError(f"min_lift must be at least 1, not {min_lift!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    if value_bands < 2:
        raise ValueError(f"value_bands must be at least 2, not {value_bands!r}")
    if not 0 < capacity <= 1:
        raise ValueError(f"capacity must be a share above 0 and at most 1, not {capacity!r}")
    say = progress or (lambda _message: None)
    say("matching outcomes to units")
    units, unmatched = _units(shipments, outcomes)
    ordered = [units[k] for k in sorted(units)]
    train = [u for u in ordered if u.day is not None and u.day < split]
    test = [u for u in ordered if u.day is not None and u.day >= split]
    undated = sum(1 for u in ordered if u.day is None)
    train_all = _figures(train, None, None)
    if not train_all.units:
        raise ValueError(f"no inspected unit before {split.isoformat()}: nothing to learn from")
    base = train_all.findings / train_all.units
    test_all = _figures(test, None, None)
    test_base = test_all.findings / test_all.units if test_all.units else None
    train_all = Figures(train_all.units, train_all.findings, train_all.seen, base)
    test_all = Figures(test_all.units, test_all.findings, test_all.seen, test_base)

    say("learning value bands")
    bands = _learn_bands((s for u in train for s in u.shipments), value_bands)
    for u in ordered:
        for s in u.shipments:
            u.features |= _features(s, bands)

    say("counting candidates")
    support: Counter[tuple[str, str]] = Counter()
    found: Counter[tuple[str, str]] = Counter()
    seen: Counter[tuple[str, str]] = Counter()
    for u in train:
        seen.update(u.features)
        if u.labelled:
            support.update(u.features)
            if u.finding:
                found.update(u.features)
    tested = sorted(f for f, n in support.items() if n >= min_support)
    test_support: Counter[tuple[str, str]] = Counter()
    test_found: Counter[tuple[str, str]] = Counter()
    test_seen: Counter[tuple[str, str]] = Counter()
    for u in test:
        test_seen.update(u.features)
        if u.labelled:
            test_support.update(u.features)
            if u.finding:
                test_found.update(u.features)

    say(f"testing {len(tested)} candidates")
    figures: dict[tuple[str, str], tuple[Figures, Figures, float]] = {}
    for f in tested:
        tr = Figures(support[f], found[f], seen[f], base)
        te = Figures(test_support[f], test_found[f], test_seen[f], test_base)
        figures[f] = (tr, te, binomial_tail(found[f], support[f], base))
    threshold = benjamini_hochberg([p for _, _, p in figures.values()], alpha)
    order = sorted(tested, key=lambda f: (-_lower(figures[f][0]), _ORDER[f[0]], f[1]))

    labelled_train = {u.key: u for u in train if u.labelled}
    members: dict[tuple[str, str], set[str]] = {}
    for u in labelled_train.values():
        for f in u.features:
            if f in figures:
                members.setdefault(f, set()).add(u.key)
    covered: set[str] = set()
    kept_labels: list[tuple[tuple[str, str], str]] = []
    candidates: list[Candidate] = []
    position: dict[tuple[str, str], int] = {}
    coverer: dict[tuple[str, str], tuple[str, str]] = {}  # covered -> the kept one
    for f in order:
        tr, te, p_value = figures[f]
        label = _label(f[0], f[1], bands)
        lift = tr.lift or 0.0
        keep = False
        if tr.findings < min_findings:
            reason = f"{tr.findings} findings, below {min_findings}"
        elif lift < min_lift:
            reason = f"lift {lift:.2f}, below {_number(min_lift)}"
        elif p_value > threshold:
            reason = f"p-value {p_value:.2g} above the threshold " + (
                f"{threshold:.2g}" if threshold else "(none passes)"
            )
        else:
            # Covered: a kept candidate shares at least half of its units or of their
            # own, and the units that no kept candidate has no longer pass the test.
            rest = members[f] - covered
            rest_found = sum(labelled_train[k].finding for k in rest)
            nested = [
                (g, label_g)
                for g, label_g in kept_labels
                if 2 * len(members[g] & members[f]) >= min(len(members[g]), len(members[f]))
            ]
            within = [g for g, _ in nested if _explains(f, g, members, labelled_train, base, alpha)]
            if nested and len(within) == len(nested):
                # The kept candidates it overlaps are parts of it that find no more than
                # the rest of it: it is the better explanation, and replaces them.
                keep = True
                reason = "kept"
                replaced = set(within)
                for h, by in list(coverer.items()):
                    if by in replaced:
                        replaced.add(h)
                for h in replaced:
                    coverer[h] = f
                    index = position[h]
                    candidates[index] = replace(
                        candidates[index],
                        kept=False,
                        weight=None,
                        reason=f"covered by {_KIND[f[0]].title} {label}",
                    )
                kept_labels = [(g, lab) for g, lab in kept_labels if g not in within]
                kept_labels.append((f, label))
                covered = {k for g, _ in kept_labels for k in members[g]}
            elif nested and (
                rest_found < min_findings or binomial_tail(rest_found, len(rest), base) > threshold
            ):
                nearest = max(nested, key=lambda kl: len(members[kl[0]] & members[f]))
                coverer[f] = nearest[0]
                reason = f"covered by {_KIND[nearest[0][0]].title} {nearest[1]}"
            else:
                keep = True
                reason = "kept"
                covered |= members[f]
                kept_labels.append((f, label))
        position[f] = len(candidates)
        candidates.append(
            Candidate(
                kind=f[0],
                value=f[1],
                label=label,
                train=tr,
                test=te,
                p_value=p_value,
                kept=keep,
                reason=reason,
                weight=_weight(tr) if keep else None,
            )
        )

    identifier = profile_id or f"{category}.suggested-{split.isoformat()}"
    result = Suggestions(
        split=split,
        train=train_all,
        test=test_all,
        candidates=tuple(candidates),
        tests=len(tested),
        threshold=threshold,
        alpha=alpha,
        min_support=min_support,
        min_findings=min_findings,
        min_lift=min_lift,
        value_bands=value_bands,
        precision=None,
        profile_id=identifier,
        owner=owner,
        category=category,
        undated=undated,
        unmatched=unmatched,
        bands=bands,
        indicators=_indicator_figures(candidates, train, test, base, test_base),
    )
    if not result.kept or not test_all.units:
        return result
    say("scoring the test period with the suggested profile")
    precision = _precision(result, [u for u in test if u.labelled], capacity)
    return replace(result, precision=precision)


def _indicator_figures(
    candidates: list[Candidate],
    train: list[_Unit],
    test: list[_Unit],
    base: float,
    test_base: float | None,
) -> dict[str, tuple[Figures, Figures]]:
    """Each indicator's figures over the units that carry any of its values (a unit with
    two of them counts once)."""
    indicator = {
        (c.kind, c.value): f"{c.kind.replace('_', '-')}-w{c.weight}" for c in candidates if c.kept
    }
    figures: dict[str, list[Figures]] = {}
    for units, rate in ((train, base), (test, test_base)):
        counts: dict[str, list[int]] = {name: [0, 0, 0] for name in indicator.values()}
        for u in units:
            for name in {indicator[f] for f in u.features if f in indicator}:
                counts[name][0] += 1
                if u.labelled:
                    counts[name][1] += 1
                    counts[name][2] += u.finding
        for name, (seen, labelled, found) in counts.items():
            figures.setdefault(name, []).append(Figures(labelled, found, seen, rate))
    return {name: (pair[0], pair[1]) for name, pair in sorted(figures.items())}


def _precision(result: Suggestions, labelled: list[_Unit], capacity: float) -> PrecisionAtCapacity:
    from decimal import Decimal

    from riskprofile.profiles import load_profiles
    from riskprofile.scoring import score

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "suggested.yaml"
        path.write_text(result.to_yaml(), encoding="utf-8")
        profiles = load_profiles(path)
    as_of = dt.datetime(result.split.year, result.split.month, result.split.day, tzinfo=dt.UTC)
    run = score(
        [s for u in labelled for s in u.shipments],
        profiles,
        as_of=as_of,
        include_drafts=True,
        engine="rowwise",
    )
    scores = {c.key: c.score for c in run.containers}
    by_score: dict[Decimal, list[bool]] = {}
    for u in labelled:
        by_score.setdefault(scores.get(u.key, Decimal(0)), []).append(u.finding)
    k = max(1, math.ceil(capacity * len(labelled)))
    left = k
    expected = 0.0
    for value in sorted(by_score, reverse=True):
        group = by_score[value]
        if left <= 0:
            break
        taken = min(left, len(group))
        expected += sum(group) * taken / len(group)
        left -= taken
    flagged = [u for u in labelled if scores.get(u.key, Decimal(0)) > 0]
    return PrecisionAtCapacity(
        capacity=k,
        labelled=len(labelled),
        findings=sum(u.finding for u in labelled),
        found=expected,
        flagged=len(flagged),
        flagged_findings=sum(u.finding for u in flagged),
    )
