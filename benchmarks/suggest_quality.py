"""How well ``suggest``'s draft ranks declarations it never saw, beside two baselines.

    python benchmarks/suggest_quality.py [--declarations 20000] [--seed 17 ...] [--days 180]
                                         [--traders]

Builds a seeded declaration-level history (every declaration inspected, as a fraud-label
history is), learns before a time split (the first two thirds of the days) and measures
after it, at 5 % and 10 % capacity of the measured declarations:

- the draft: :func:`riskprofile.evaluation.suggest` with ``combinations=True``, its
  files loaded as ``riskprofile suggest`` writes them and the measured declarations
  scored with ``include_drafts=True``;
- the one-list baseline: each HS6 code's finding rate before the split (a code not seen
  before gets the base rate);
- a gradient-boosted model on the same fields (HS6, HS4, chapter, origin, departure
  country, port of loading, consignee; each an ordinal category, the 250 most frequent
  values of a field kept and the rest one "infrequent" category): scikit-learn's
  ``HistGradientBoostingClassifier`` with its defaults. scikit-learn is optional
  (``pip install 'riskprofile[bench]'``); without it the column is skipped and said.

Precision at capacity is counted as ``evaluate`` counts it
(:func:`riskprofile.evaluation.cut_at_capacity`: capacity rounded down, a tie at the cut
counted in proportion), with its Wilson 95 % interval. Beside it, the draft's precision
minus the one-list baseline's on the same declarations, with a paired bootstrap 95 %
interval (the measured declarations resampled with replacement, both rankings cut on
each resample; seeded): whether the draft is below the baseline by more than chance.
Several ``--seed`` values make one history each, measured side by side.

The history: HS6 codes in chapters and headings, origin countries, consignees, each drawn
with skewed (Zipf-like) frequencies, most HS6 x origin x departure combinations rare; a
declaration departs from its origin country or, one in four, from a hub. Findings at a
base rate of about 20 %: some chapters and HS6 codes riskier than others, some
consignees that are found again and again, and many fraud combinations (HS6 x origin x
departure country) each seen a handful of times, found almost always while active.
Patterns drift: each combination and consignee pattern is active for a window of days,
some ending before the split (not repeated after), some starting after it (nothing can
learn them). Labels are noisy: 3 % of the declarations' findings flipped. Each
declaration carries its HS6 code, heading and chapter as a reader derives them from the
goods item, and its consignee's identifier.

With ``--traders``, each declaration also has a tax type (5, skewed), a customs office
(12) and a declarant (300, skewed), drawn from their own seeded generator (the other
columns and the labels' draws are those without it), and one HS6 x tax type pair in 400
of the traffic is planted with an active window of days (+3 on the log-odds of a finding
within it); the boosted model gets those columns too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from riskprofile.evaluation import Outcome, cut_at_capacity
from riskprofile.evaluation._metrics import wilson_interval
from riskprofile.evaluation._suggest import suggest
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import load_profiles
from riskprofile.rules import unit_key
from riskprofile.scoring import score

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CAPACITIES = ("5%", "10%")


@dataclass(frozen=True, slots=True)
class Declaration:
    number: int
    day: int
    hs6: str
    origin: str
    port: str
    consignee: str
    finding: bool
    # With --traders: the declaration-level columns.
    tax_type: str | None = None
    office: str | None = None
    declarant: str | None = None

    @property
    def departure(self) -> str:
        return self.port[:2]


def _zipf(rng: random.Random, values: Sequence[str], exponent: float) -> list[float]:
    """Cumulative weights of a Zipf-like law over ``values`` in a random order."""
    ranks = list(range(1, len(values) + 1))
    rng.shuffle(ranks)
    weights = [1 / r**exponent for r in ranks]
    total = 0.0
    out = []
    for w in weights:
        total += w
        out.append(total)
    return out


def history(declarations: int, days: int, seed: int, traders: bool = False) -> list[Declaration]:
    """The seeded history (see the module's documentation)."""
    rng = random.Random(seed)
    chapters = [f"{c:02d}" for c in rng.sample(range(1, 98), 30)]
    headings = [c + f"{h:02d}" for c in chapters for h in rng.sample(range(1, 99), 6)]
    codes = [h + f"{s:02d}" for h in headings for s in rng.sample(range(1, 99), 5)]
    countries = ["CN", "VN", "IN", "TR", "DE", "TH", "ID", "BR", "US", "MX", "BD", "PK",
                 "EG", "MA", "KR", "JP", "IT", "ES", "PL", "NG", "KE", "ZA", "AR", "CL",
                 "PE", "CO", "MY", "PH", "LK", "UA"]  # fmt: skip
    hubs = ["SG", "AE", "MY", "NL", "PA"]
    ports = {c: [c + p for p in ("AAA", "BBB")] for c in {*countries, *hubs}}
    consignees = [f"IMPORTER {i:05d} LTD" for i in range(4000)]
    code_w = _zipf(rng, codes, 1.1)
    origin_w = _zipf(rng, countries, 1.0)
    consignee_w = _zipf(rng, consignees, 0.9)
    # Risk: a log-odds per chapter and per HS6 code (skewed), consignee patterns and
    # combination patterns with active windows of days.
    chapter_risk = {c: rng.gauss(0, 0.8) for c in chapters}
    code_risk = {c: rng.gauss(0, 0.6) for c in codes}
    risky_consignees = {
        name: (start, start + rng.randint(days // 3, days))
        for name in rng.sample(consignees, 120)
        for start in [rng.randint(-days // 3, days)]
    }
    base_logit = -2.6
    draws: list[tuple[int, str, str, str, str]] = []
    for n in range(declarations):
        day = n * days // declarations
        code = rng.choices(codes, cum_weights=code_w)[0]
        origin = rng.choices(countries, cum_weights=origin_w)[0]
        via = origin if rng.random() < 0.75 else rng.choice(hubs)
        port = rng.choice(ports[via])
        consignee = rng.choices(consignees, cum_weights=consignee_w)[0]
        draws.append((day, code, origin, port, consignee))
    # Fraud combinations: triples of the traffic (so they look like trade) re-used a
    # few times within a window, found almost always while active.
    combos: dict[tuple[str, str, str], tuple[int, int]] = {}
    for _ in range(declarations // 25):
        _, code, origin, port, _ = rng.choice(draws)
        start = rng.randint(-days // 4, days - 1)
        combos[(code, origin, port[:2])] = (start, start + rng.randint(days // 4, days))
    for triple, (start, end) in sorted(combos.items()):
        for _ in range(rng.randint(1, 6)):
            day = rng.randint(start, end)
            if not 0 <= day < days:
                continue  # used outside the history's days
            origin_port = rng.choice(ports[triple[2]])
            consignee = rng.choices(consignees, cum_weights=consignee_w)[0]
            draws.append((day, triple[0], triple[1], origin_port, consignee))
    draws.sort(key=lambda d: d[0])
    columns, pairs = _trader_columns(draws, days, seed) if traders else ([], {})
    out = []
    for n, (day, code, origin, port, consignee) in enumerate(draws):
        logit = base_logit + chapter_risk[code[:2]] + code_risk[code]
        tax, office, declarant = columns[n] if traders else (None, None, None)
        window = pairs.get((code, tax or ""))
        if window and window[0] <= day <= window[1]:
            logit += 3.0
        window = combos.get((code, origin, port[:2]))
        if window and window[0] <= day <= window[1]:
            logit += 4.5
        window = risky_consignees.get(consignee)
        if window and window[0] <= day <= window[1]:
            logit += 2.5
        finding = rng.random() < 1 / (1 + math.exp(-logit))
        if rng.random() < 0.03:
            finding = not finding
        out.append(
            Declaration(n, day, code, origin, port, consignee, finding, tax, office, declarant)
        )
    return out


TAX_TYPES = ("CD", "RD", "ACD", "ST", "FED")


def _trader_columns(
    draws: Sequence[tuple[int, str, str, str, str]], days: int, seed: int
) -> tuple[list[tuple[str, str, str]], dict[tuple[str, str], tuple[int, int]]]:
    """With --traders: each declaration's tax type, customs office and declarant (their
    own seeded draws, so the other columns and the labels' draws stay as without them);
    and the planted HS6 x tax type pairs with their active windows of days (a declaration
    of a pair within its window: +3 on the log-odds of a finding)."""
    rng = random.Random(seed * 7919 + 1)
    tax_w = _zipf(rng, TAX_TYPES, 1.0)
    offices = [f"OF{i:02d}" for i in range(12)]
    declarants = [f"AGENCY {i:03d}" for i in range(300)]
    declarant_w = _zipf(rng, declarants, 1.0)
    columns = [
        (
            rng.choices(TAX_TYPES, cum_weights=tax_w)[0],
            rng.choice(offices),
            rng.choices(declarants, cum_weights=declarant_w)[0],
        )
        for _ in draws
    ]
    pairs: dict[tuple[str, str], tuple[int, int]] = {}
    for _ in range(len(draws) // 400):
        n = rng.randrange(len(draws))
        start = rng.randint(-days // 4, days - 1)
        pairs[(draws[n][1], columns[n][0])] = (start, start + rng.randint(days // 3, days))
    return columns, pairs


def _shipment(d: Declaration) -> Shipment:
    bl = f"D{d.number:07d}"
    return Shipment(
        shipment_id=f"DECL/{bl}/-",
        manifest_ref="DECL",
        bl_number=bl,
        arrival=START + dt.timedelta(days=d.day),
        # The derived code levels a reader fills in from the goods items.
        hs_codes=[d.hs6 + "00"],
        hs_subheadings=[d.hs6],
        hs_headings=[d.hs6[:4]],
        hs_chapters=[d.hs6[:2]],
        origin_countries=[d.origin],
        port_of_loading=d.port,
        consignee_name=d.consignee,
        consignee_identifier=f"ID{d.consignee[9:14]}",
        tax_type=d.tax_type,
        customs_office=d.office,
        declarant_name=d.declarant,
    )


def _measure(ranked: list[tuple[object, bool]]) -> dict[str, tuple[float, int, float, float, int]]:
    """Precision at each capacity: (precision, capacity, Wilson low, Wilson high, tied at
    the cut when the cut splits a tie, else 0)."""
    out = {}
    for capacity in CAPACITIES:
        cut = cut_at_capacity(ranked, capacity)
        low, high = wilson_interval(round(cut.expected_findings), cut.k) or (0.0, 0.0)
        tied = cut.tied if cut.tied_taken < cut.tied else 0
        out[capacity] = (cut.expected_findings / cut.k, cut.k, low, high, tied)
    return out


Scored = list[tuple[float | Decimal, int, bool]]
"""One (score, declaration number, finding) per measured declaration, in their order."""


def _ranked(scored: Scored) -> list[tuple[object, bool]]:
    """(score, declaration number, finding) best first; equal scores stay equal ranks."""
    return [(s, f) for s, _, f in sorted(scored, key=lambda r: (-r[0], r[1]))]


def _precision(scored: Scored, capacity: str) -> float:
    cut = cut_at_capacity(_ranked(scored), capacity)
    return cut.expected_findings / cut.k


def paired_difference(
    first: Scored, second: Scored, capacity: str, seed: int, resamples: int = 200
) -> tuple[float, float, float]:
    """``first``'s precision at ``capacity`` minus ``second``'s (both score the same
    declarations in the same order), with a paired bootstrap 95 % interval: the
    declarations resampled with replacement ``resamples`` times (seeded), both rankings
    cut on each resample."""
    rng = random.Random(seed)
    n = len(first)
    differences = []
    for _ in range(resamples):
        chosen = [rng.randrange(n) for _ in range(n)]
        differences.append(
            _precision([first[i] for i in chosen], capacity)
            - _precision([second[i] for i in chosen], capacity)
        )
    differences.sort()
    low = differences[int(0.025 * resamples)]
    high = differences[int(0.975 * resamples) - 1]
    return _precision(first, capacity) - _precision(second, capacity), low, high


def draft(train: list[Declaration], test: list[Declaration], split: dt.date) -> Scored:
    """The draft's scores of the measured declarations."""
    shipments = [_shipment(d) for d in [*train, *test]]
    outcomes = [
        Outcome(f"D{d.number:07d}", inspected=True, finding=d.finding) for d in [*train, *test]
    ]
    result = suggest(shipments, outcomes, split=split, combinations=True)
    print(
        f"draft: {len(result.kept)} values kept "
        f"({sum(c.kind == 'code_origin_departure' for c in result.kept)} combinations), "
        f"{len(result._groups())} indicators"
    )
    with tempfile.TemporaryDirectory() as folder:
        for name, text in result.files("draft.yaml").items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        profiles = load_profiles(Path(folder) / "draft.yaml")
    as_of = dt.datetime(split.year, split.month, split.day, tzinfo=dt.UTC)
    measured = [_shipment(d) for d in test]
    run = score(measured, profiles, as_of=as_of, include_drafts=True)
    from riskprofile.evaluation._units import ranked_units

    scores = {c.key: c.score for c in ranked_units(run)}
    return [
        (scores.get(unit_key(s), Decimal(0)), d.number, d.finding)
        for s, d in zip(measured, test, strict=True)
    ]


def one_list(train: list[Declaration], test: list[Declaration]) -> Scored:
    """Each HS6 code's finding rate before the split (the base rate for a new code)."""
    seen: Counter[str] = Counter(d.hs6 for d in train)
    found: Counter[str] = Counter(d.hs6 for d in train if d.finding)
    base = sum(d.finding for d in train) / len(train)
    return [
        (found[d.hs6] / seen[d.hs6] if seen[d.hs6] else base, d.number, d.finding) for d in test
    ]


FIELDS = ("hs6", "hs4", "chapter", "origin", "departure", "port", "consignee", "tax_type",
          "office", "declarant")  # fmt: skip


def _row(d: Declaration) -> list[str]:
    return [d.hs6, d.hs6[:4], d.hs6[:2], d.origin, d.departure, d.port, d.consignee,
            d.tax_type or "", d.office or "", d.declarant or ""]  # fmt: skip


def boosted(train: list[Declaration], test: list[Declaration], seed: int) -> Scored | None:
    """A gradient-boosted model's ranking; None without scikit-learn."""
    try:
        import numpy as np
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.preprocessing import OrdinalEncoder
    except ImportError:
        return None
    encoder = OrdinalEncoder(
        max_categories=250, handle_unknown="use_encoded_value", unknown_value=np.nan
    )
    x_train = encoder.fit_transform(np.array([_row(d) for d in train], dtype=object))
    x_test = encoder.transform(np.array([_row(d) for d in test], dtype=object))
    model = HistGradientBoostingClassifier(
        categorical_features=[True] * len(FIELDS), random_state=seed
    )
    model.fit(x_train, np.array([d.finding for d in train]))
    proba = model.predict_proba(x_test)[:, 1]
    return [(float(p), d.number, d.finding) for p, d in zip(proba, test, strict=True)]


def measure(declarations: int, days: int, seed: int, traders: bool = False) -> None:
    """One seeded history, its three rankings measured side by side (printed)."""
    history_ = history(declarations, days, seed, traders)
    split_day = days * 2 // 3
    split = (START + dt.timedelta(days=split_day)).date()
    train = [d for d in history_ if d.day < split_day]
    test = [d for d in history_ if d.day >= split_day]
    triples = Counter((d.hs6, d.origin, d.departure) for d in train)
    print(
        f"history: {len(history_):,} declarations, seed {seed}; learned on "
        f"{len(train):,} before {split} (base rate "
        f"{sum(d.finding for d in train) / len(train):.3f}), measured on {len(test):,} "
        f"(base rate {sum(d.finding for d in test) / len(test):.3f}); "
        f"{sum(n <= 3 for n in triples.values()) / len(triples):.0%} of the "
        f"{len(triples):,} HS6 x origin x departure combinations seen at most 3 times"
    )
    scored: dict[str, Scored | None] = {}
    timings: dict[str, float] = {}
    for name, make in (
        (DRAFT, lambda: draft(train, test, split)),
        (ONE_LIST, lambda: one_list(train, test)),
        ("gradient-boosted model", lambda: boosted(train, test, seed)),
    ):
        started = time.process_time()
        scored[name] = make()
        timings[name] = time.process_time() - started
    print()
    print(f"| method | {' | '.join(f'precision@{c} (95 % CI)' for c in CAPACITIES)} | CPU s |")
    print(f"|---|{'---|' * len(CAPACITIES)}---|")
    for name, scores in scored.items():
        if scores is None:
            print(
                f"| {name} | skipped: scikit-learn is not installed "
                f"(pip install 'riskprofile[bench]') |"
            )
            continue
        cells = [
            f"{p:.3f} ({lo:.3f}-{hi:.3f}) of {k:,}" + (f", {tied:,} tied" if tied else "")
            for p, k, lo, hi, tied in _measure(_ranked(scores)).values()
        ]
        print(f"| {name} | {' | '.join(cells)} | {timings[name]:.1f} |")
    first, second = scored[DRAFT], scored[ONE_LIST]
    assert first is not None
    assert second is not None
    cells = []
    for capacity in CAPACITIES:
        difference, low, high = paired_difference(first, second, capacity, seed)
        cells.append(f"{difference:+.3f} ({low:+.3f} to {high:+.3f})")
    print(f"| draft minus one list (paired bootstrap 95 % CI) | {' | '.join(cells)} | |")
    print(
        "\n(of k: the capacity; tied: declarations with the score at the cut, of which the "
        "capacity takes a part, counted in proportion)\n"
    )


DRAFT = "draft profile (suggest --combinations)"
ONE_LIST = "one list (HS6 past finding rate)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, nargs="+", default=[17])
    parser.add_argument(
        "--traders", action="store_true",
        help="add tax type, customs office and declarant columns, and planted HS6 x tax "
        "type patterns",
    )  # fmt: skip
    args = parser.parse_args()
    for seed in args.seed:
        measure(args.declarations, args.days, seed, args.traders)


if __name__ == "__main__":
    main()
