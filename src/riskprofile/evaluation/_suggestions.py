"""What :func:`~riskprofile.evaluation.suggest` returns (:class:`Suggestions`): every tested
candidate with its figures, the kept ones, and the suggested draft profile, its kept
values grouped by kind and weight into watch lists and indicators and written as YAML.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from riskprofile.evaluation._candidates import (
    _KIND,
    _LIST_FIELDS,
    _ORDER,
    RATED,
    Candidate,
    Figures,
    PrecisionAtCapacity,
    _pct,
    _round,
)
from riskprofile.evaluation._features import _band_limits, _number, _value_condition
from riskprofile.evaluation._suggest_stack import Stack

__all__ = ["Suggestions"]


# --- the profile -------------------------------------------------------------------------


INLINE_VALUES = 12
"""A watch list of more values than this is written to a CSV file beside the profile,
one row per value with its figures as columns, instead of inline."""

_PER_CONDITION = 10
"""Value bands one indicator tests at most (each is written into its condition, about
170 characters): more make further indicators, so no condition nears the 4,000
characters a condition may have."""


@dataclass(frozen=True, slots=True)
class _Group:
    """The kept values of one kind with one weight: one watch list, one indicator (value
    bands: one indicator per :data:`_PER_CONDITION` values, ``part`` 1, 2...)."""

    kind: str
    weight: int
    candidates: tuple[Candidate, ...]
    part: int = 1

    @property
    def list_name(self) -> str:
        return f"{_KIND[self.kind].list_name}_w{self.weight}"

    @property
    def indicator_id(self) -> str:
        name = f"{self.kind.replace('_', '-')}-w{self.weight}"
        return name if self.part == 1 else f"{name}-{self.part}"


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
        prior_strength: for each combination kind proposed, the strength ``m`` of the
            beta prior its hit rates are shrunk with (:func:`beta_prior`); and of each
            level its prior's mean backs off through (``hs6``, ``hs_heading``,
            ``hs_chapter``).
        stack: with combinations, the coefficient of each tier (single values, HS6
            codes, combinations), the half-life of the combinations' evidence, and the
            rolling folds before the split they were chosen on
            (:class:`~._suggest_stack.Stack`).
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
    prior_strength: Mapping[str, float] = field(default_factory=dict)
    stack: Stack | None = None

    @property
    def kept(self) -> tuple[Candidate, ...]:
        """The candidates in the suggested profile, strongest first."""
        return tuple(c for c in self.candidates if c.kept)

    def _groups(self) -> list[_Group]:
        groups: dict[tuple[str, int], list[Candidate]] = {}
        for c in self.kept:
            assert c.weight is not None
            groups.setdefault((c.kind, c.weight), []).append(c)
        out: list[_Group] = []
        for (kind, weight), members in sorted(
            groups.items(), key=lambda kv: (_ORDER[kv[0][0]], -kv[0][1])
        ):
            ordered = tuple(sorted(members, key=lambda c: c.value))
            size = len(ordered) if _KIND[kind].condition else _PER_CONDITION
            for part, start in enumerate(range(0, len(ordered), size), start=1):
                out.append(_Group(kind, weight, ordered[start : start + size], part))
        return out

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
        hit: dict[str, Any]
        miss: dict[str, Any]
        spec = _KIND[kind]
        if kind == "code_origin_departure":
            code, country, departure = first.split(":")
            triples = {c.value for c in group.candidates}
            other = next(a + b for a in "ZYX" for b in "ZYXWV"
                         if f"{code}:{a}{b}:{departure}" not in triples)  # fmt: skip
            port = departure + "XXX"
            hit = {"hs_codes": [code], "origin_countries": [country], "port_of_loading": port}
            miss = {"hs_codes": [code], "origin_countries": [other], "port_of_loading": port}
        elif kind == "code_tax_type":
            code, tax = first.split(":", 1)
            pairs = {c.value for c in group.candidates}
            other = next(t for t in ("ZZ", "ZY", "ZX", "ZW", "ZV") if f"{code}:{t}" not in pairs)
            hit = {"hs_subheadings": [code], "tax_type": tax}
            miss = {"hs_subheadings": [code], "tax_type": other}
        elif kind == "heading_origin":
            heading, country = first.split(":")
            hit = {"hs_headings": [heading], "origin_countries": [country]}
            pairs = {c.value for c in group.candidates}
            other = next(a + b for a in "ZYX" for b in "ZYXWV" if f"{heading}:{a}{b}" not in pairs)
            miss = {"hs_headings": [heading], "origin_countries": [other]}
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
                    "hs_code": "00000000",
                    "hs_subheading": "000000",
                    "hs_heading": "0000",
                    "hs_chapter": "00",
                    "origin_country": "ZZ",
                    "port_of_loading": "ZZZZZ",
                    "place_of_receipt": "ZZZZZ",
                    "transshipment_port": "ZZZZZ",
                }.get(kind, "NOT ON THE LIST")
            while miss_value in values:
                miss_value = "Z" + miss_value  # a value nobody would declare
            miss = {spec.field: [miss_value] if spec.field in _LIST_FIELDS else miss_value}
        return hit, miss

    def files(self, name: str) -> dict[str, str]:
        """The suggested profile written as files: file name -> text, the profile
        ``name`` first, then a CSV file beside it for each watch list of more than
        :data:`INLINE_VALUES` values (``<stem>.<list>.csv``: one row per value, its
        training and test figures as columns). Write them all in one folder.

        Raises:
            ValueError: when no candidate was kept (there is nothing to suggest).
        """
        stem = name.rsplit(".", 1)[0] if "." in name else name
        out = {name: self.to_yaml(list_files=stem)}
        for group in self._groups():
            if self._in_file(group):
                out[f"{stem}.{group.list_name}.csv"] = self._csv(group)
        return out

    @staticmethod
    def _in_file(group: _Group) -> bool:
        """Whether a group's list goes to a CSV file (with :meth:`files`): a long one,
        and every list of combinations (their figures are the review)."""
        if not _KIND[group.kind].condition:
            return False
        return len(group.candidates) > INLINE_VALUES or group.kind in RATED

    def _csv(self, group: _Group) -> str:
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["value", "label", "units_before", "findings_before",
                         "hit_rate_before", "lift_before", "units_after", "findings_after",
                         "hit_rate_after", "p_value"]
                        + (["shrunk_rate", "recent_rate", "first_finding", "last_finding"]
                           if group.kind in RATED else []))  # fmt: skip
        for c in group.candidates:
            writer.writerow([
                c.value, c.label, c.train.units, c.train.findings,
                _text(c.train.hit_rate), _text(c.train.lift), c.test.units, c.test.findings,
                _text(c.test.hit_rate), f"{c.p_value:.4g}",
            ] + ([_text(c.shrunk), _text(c.recent), c.first_finding or "", c.last_finding or ""]
                 if group.kind in RATED else []))  # fmt: skip
        return buffer.getvalue()

    def to_yaml(self, *, list_files: str | None = None) -> str:
        """The suggested profile as YAML in the profile language, with every figure.

        The profile is ``status: draft``; each watch-list value carries its training and
        test figures in a comment, each indicator the figures of its whole list, and
        each indicator has an example it hits and one it misses (``riskprofile test``).
        No condition names values one by one beyond a few value bands: a long list of
        values is a watch list, and a long value-band set several indicators.

        Args:
            list_files: the profile file's name without its suffix: a watch list of more
                than :data:`INLINE_VALUES` values is then read from
                ``<list_files>.<list>.csv`` beside it (:meth:`files` writes them);
                without it every list is inline.

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
        levels = self.prior_strength
        for kind, strength in sorted(levels.items()):
            if kind not in _KIND:
                continue  # a parent level of the back-off, said below
            out.append(
                f"# Combinations ({_KIND[kind].title}): any with a finding, kept when its hit"
                f" rate shrunk to its parents' (beta prior of strength {strength:.3g}, from"
            )
            out.append(
                f"# the data) is at least {_number(self.min_lift)} x the base rate; not held"
                " to the support or the false discovery test. The prior's mean backs off"
            )
            out.append(
                f"# HS6 code (strength {levels.get('hs6', 0):.3g}) -> heading"
                f" ({levels.get('hs_heading', 0):.3g}) -> chapter"
                f" ({levels.get('hs_chapter', 0):.3g}) -> base rate, each over the other units."
            )
        if self.stack is not None:
            out += [f"# {line}" for line in self.stack.text()]
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
            note = precision.tie_note()
            if note is not None:
                out.append(f"# ({note}.)")
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
        custom = sorted({g.kind for g in groups if g.kind.startswith("x_")})
        if custom:
            # The custom fields the conditions read, as the column mapping declares them.
            out.append("requires:")
            out.append("  extra:")
            out += [f"    {kind[2:]}: text" for kind in custom]
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
            if list_files is not None and self._in_file(group):
                # One row per value, its figures as columns.
                out.append(f"    file: {_yaml(f'{list_files}.{group.list_name}.csv')}")
                continue
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
            "prior_strength": {k: float(f"{v:.4g}") for k, v in self.prior_strength.items()},
            "stack": self.stack.as_dict() if self.stack else None,
            "indicators": {
                name: {"train": train.as_dict(), "test": test.as_dict()}
                for name, (train, test) in self.indicators.items()
            },
            "candidates": [c.as_dict() for c in self.candidates],
        }


def _text(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _explain(kind: str) -> str:
    if kind.startswith("x_"):
        return f"{kind} {{{kind}}} is on the suggested list"
    return {
        "consignee": "consignee {consignee_name} is on the suggested list",
        "shipper": "shipper {shipper_name} is on the suggested list",
        "heading_origin": "HS headings {hs_headings} from {origin_countries}",
        "hs_code": "HS codes {hs_codes}",
        "hs_subheading": "HS6 codes {hs_subheadings}: past findings above the base rate",
        "hs_heading": "HS headings {hs_headings}",
        "hs_chapter": "HS chapters {hs_chapters}",
        "value_band": "HS {hs_chapters} declared at {value_per_kg} {value_currency} per kg",
        "port_of_loading": "loaded at {port_of_loading}",
        "place_of_receipt": "received at {place_of_receipt}",
        "transshipment_port": "transshipped at {transshipment_ports}",
        "loading_country": "departed from {port_of_loading}",
        "origin_country": "goods from {origin_countries}",
        "code_origin_departure": "HS {hs_codes} from {origin_countries} loaded at "
        "{port_of_loading}: a combination with past findings",
        "code_tax_type": "HS {hs_subheadings} with tax type {tax_type}: a combination with "
        "past findings",
        "consignee_identifier": "importer {consignee_identifier} is on the suggested list",
        "shipper_identifier": "seller {shipper_identifier} is on the suggested list",
        "declarant_identifier": "declarant {declarant_identifier} is on the suggested list",
        "declarant_name": "declarant {declarant_name} is on the suggested list",
        "customs_office": "declared at office {customs_office}",
        "tax_type": "tax type {tax_type}",
    }[kind]
