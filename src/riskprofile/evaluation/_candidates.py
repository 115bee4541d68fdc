"""What :func:`~riskprofile.evaluation.suggest` measures: the kinds of candidate feature
(:data:`KINDS`), a candidate's figures on a period (support, findings, hit rate with its
Wilson interval, lift), the candidates and the suggested profile's precision at an
inspection capacity; and the statistics that choose them (:func:`binomial_tail`,
:func:`benjamini_hochberg`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from riskprofile.evaluation._metrics import wilson_interval

__all__ = [
    "Candidate",
    "CandidateKind",
    "Figures",
    "KINDS",
    "PrecisionAtCapacity",
    "benjamini_hochberg",
    "beta_prior",
    "binomial_tail",
    "shrunk_rate",
]


@dataclass(frozen=True, slots=True)
class CandidateKind:
    """A kind of candidate feature and how a profile tests it.

    Attributes:
        name: the kind's name (``consignee``, ``port_of_loading``...).
        title: what it is, for people.
        list_name: the stem of its watch lists' names.
        condition: the condition over a watch list ``$L``, with ``{list}`` for the list's
            name; empty for the kind written value by value (``value_band``).
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
    CandidateKind("consignee_identifier", "importer (consignee) identifier",
                  "importer_ids", "consignee_identifier in ${list}", "consignee_identifier"),
    CandidateKind("shipper_identifier", "seller (shipper) identifier", "seller_ids",
                  "shipper_identifier in ${list}", "shipper_identifier"),
    CandidateKind("declarant_identifier", "declarant identifier", "declarant_ids",
                  "declarant_identifier in ${list}", "declarant_identifier"),
    CandidateKind("declarant_name", "declarant", "declarants", "declarant_name in ${list}",
                  "declarant_name"),
    CandidateKind("customs_office", "customs office", "customs_offices",
                  "customs_office in ${list}", "customs_office"),
    CandidateKind("tax_type", "tax type", "tax_types", "tax_type in ${list}", "tax_type"),
    CandidateKind("heading_origin", "HS heading from an origin country", "heading_origins",
                  # The list holds "<heading>:<country>" texts: some heading and some
                  # origin of the shipment together.
                  '[h for h in hs_headings if [c for c in origin_countries '
                  'if h + ":" + c in ${list}].length > 0].length > 0',
                  "hs_headings"),
    CandidateKind("hs_code", "HS code", "hs_codes", _any_of("hs_codes"), "hs_codes"),
    CandidateKind("hs_subheading", "HS6 code, by its past hit rate", "hs6_codes",
                  _any_of("hs_subheadings"), "hs_subheadings"),
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
    CandidateKind("code_origin_departure",
                  "HS6 code from an origin country, departed from a country",
                  "code_origin_departures",
                  # "<HS6>:<origin>:<departure country>" texts; null port first (a slice of
                  # a missing port cannot be evaluated).
                  'port_of_loading != null and [h for h in hs_codes if [c for c in '
                  'origin_countries if h[:6] + ":" + c + ":" + port_of_loading[:2] in '
                  '${list}].length > 0].length > 0',
                  "hs_codes"),
    CandidateKind("code_tax_type", "HS6 code with a tax type", "code_tax_types",
                  # "<HS6>:<tax type>" texts; null tax type first.
                  'tax_type != null and [h for h in hs_subheadings '
                  'if h + ":" + tax_type in ${list}].length > 0',
                  "hs_subheadings"),
)  # fmt: skip
"""The candidate kinds, most specific first (ties between candidates with the same units
go to the earlier kind: a port before its country, an HS code before its heading)."""


def custom_kind(name: str) -> CandidateKind:
    """The kind of a text custom field (``x_office``): its values as single values, a
    watch list tested by ``x_office in $list`` (the draft declares the field under
    ``requires: extra:``)."""
    return CandidateKind(name, f"custom field {name}", f"{name}_values",
                         f"{name} in ${{list}}", name)  # fmt: skip


_LISTED = {
    k.name: k.field for k in KINDS if k.condition in (_any_of(k.field), f"{k.field} in ${{list}}")
}
"""The kinds whose watch list is compared with a field's own values (not a text made
of several fields): the profile language refuses a value no value of the field equals."""


def unlistable(kind: str, value: str) -> str | None:
    """Why ``value`` cannot be written in a watch list of ``kind`` (a 4-digit text in
    ``hs_codes``, which the profile language refuses: no HS code equals it), or None.

    >>> unlistable("hs_code", "3004")
    "'3004' is not an HS code (6 to 10 digits); compare it with hs_headings"
    >>> unlistable("hs_code", "300490") is None
    True
    """
    field = _LISTED.get(kind)
    if field is None:
        return None
    from riskprofile.profiles.shared import field_format

    form = field_format(field)
    return None if form is None else form.problem(form.normalise(value))


class _Kinds(dict[str, CandidateKind]):
    """The kinds by name; a custom field's (``x_...``) made on demand."""

    def __missing__(self, name: str) -> CandidateKind:
        if name.startswith("x_"):
            return custom_kind(name)
        raise KeyError(name)


class _Order(dict[str, int]):
    """Each kind's place: a custom field's after every kind of the catalogue."""

    def __missing__(self, name: str) -> int:
        if name.startswith("x_"):
            return len(KINDS)
        raise KeyError(name)


_KIND = _Kinds({k.name: k for k in KINDS})


COMBINATIONS = frozenset({"code_origin_departure", "code_tax_type"})
"""The kinds that combine fields at full code level: rare by nature, so they are not held
to ``min_support`` and the false discovery test but kept by their shrunk hit rate
(:func:`shrunk_rate`), and only when :func:`~riskprofile.evaluation.suggest` is asked
for combinations."""


RATED = COMBINATIONS | {"hs_subheading"}
"""The kinds judged by their rate rather than by the false discovery test, and only when
:func:`~riskprofile.evaluation.suggest` is asked for combinations: the combinations and
the HS6 codes (the one-list tier: every code whose past hit rate is above the base rate).
Their lists go to CSV files with their first and last finding."""


def beta_prior(groups: Iterable[tuple[int, int]], rate: float) -> float:
    """The strength ``m`` of the beta prior of the hit rates of a kind's values (the
    prior is ``Beta(rate * m, (1 - rate) * m)``), from how much more their hit rates
    differ than chance alone would make them differ (empirical Bayes, method of moments).

    For values with ``n_i`` labelled units and hit rates ``r_i`` drawn from a beta with
    mean ``rate`` and intra-class correlation ``rho = 1 / (m + 1)``, the expected
    ``sum(n_i (r_i - rate)^2)`` is ``rate (1 - rate) (k + rho (N - k))`` (``k`` values,
    ``N`` units): solved for ``rho``. ``rho`` is held within 0.001 and 0.5 (``m``
    between 1 and 999); with every value seen once (``N == k``) nothing tells, and
    ``m`` is 2.

    >>> beta_prior([(1, 1), (1, 0), (1, 0)], 0.3)
    2.0
    >>> round(beta_prior([(3, 3), (3, 0), (3, 0), (3, 0)], 0.25), 2)
    1.0
    """
    if not 0 < rate < 1:
        return 2.0
    k = total = 0
    spread = 0.0
    for units, findings in groups:
        if units:
            k += 1
            total += units
            spread += units * (findings / units - rate) ** 2
    if total <= k:
        return 2.0
    rho = (spread / (rate * (1 - rate)) - k) / (total - k)
    rho = min(0.5, max(0.001, rho))
    return 1 / rho - 1


def shrunk_rate(findings: float, units: float, rate: float, strength: float) -> float:
    """The posterior mean hit rate of a value with ``findings`` in ``units`` under the
    prior ``Beta(rate * strength, (1 - rate) * strength)``: its own record, pulled
    towards ``rate`` the less of it there is. ``findings`` and ``units`` may be
    recency-weighted counts (each unit counted by its weight).

    >>> shrunk_rate(2, 2, 0.05, 2.0)
    0.525
    """
    return (findings + rate * strength) / (units + strength)


_LIST_FIELDS = frozenset({"hs_codes", "hs_subheadings", "hs_headings", "hs_chapters",
                          "origin_countries", "transshipment_ports"})  # fmt: skip


_ORDER = _Order({k.name: i for i, k in enumerate(KINDS)})


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
        shrunk: a combination's shrunk training hit rate (:func:`shrunk_rate`).
        prior: a combination's prior mean (its parents' rate it is shrunk towards).
        recent: a combination's shrunk rate from recency-weighted units
            (:func:`~._suggest_stack.recency`), which weighs it when set.
        first_finding, last_finding: a combination's first and last training finding
            (ISO dates of the units' days).
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
    shrunk: float | None = None
    prior: float | None = None
    recent: float | None = None
    first_finding: str | None = None
    last_finding: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The candidate as plain values (JSON-ready)."""
        extra: dict[str, Any] = {}
        if self.shrunk is not None:
            extra["shrunk_rate"] = _round(self.shrunk)
        if self.recent is not None:
            extra["recent_rate"] = _round(self.recent)
        if self.first_finding is not None:
            extra |= {"first_finding": self.first_finding, "last_finding": self.last_finding}
        return extra | {
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
    "inspected" (:func:`~riskprofile.evaluation.cut_at_capacity`, as ``evaluate`` counts
    it). Units with the same score at the cut are taken at random, so their findings
    count in proportion (the expected precision of such a draw), and the tie is said
    (``tied``, ``tied_taken``).

    Attributes:
        capacity: units inspected (a share of the labelled units, rounded as the
            selection rounds it: down, at least 1).
        labelled: labelled units in the test period.
        findings: their findings.
        found: expected findings among the ``capacity`` best-ranked units.
        flagged: labelled units the profile scores above 0.
        flagged_findings: their findings.
        tied: units with the score at the cut (0 with none inspected).
        tied_taken: of them, those within the capacity; fewer than ``tied`` when the cut
            splits the tie.
        cut_score: the score at the cut.
    """

    capacity: int
    labelled: int
    findings: int
    found: float
    flagged: int
    flagged_findings: int
    tied: int = 0
    tied_taken: int = 0
    cut_score: str | None = None

    def tie_note(self) -> str | None:
        """What the cut did with a tie, in words; None when it split none."""
        if self.tied_taken >= self.tied:
            return None
        return (
            f"{self.tied:,} units tie at the cut score {self.cut_score}: {self.tied_taken:,} "
            f"of them are counted in, their findings in proportion"
        )

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
            "tied": self.tied,
            "tied_taken": self.tied_taken,
            "cut_score": self.cut_score,
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
