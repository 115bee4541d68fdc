"""Outcomes for the Karachi sample: what the inspections of that day would have found.

Scores ``examples/data/karachi-sample.csv`` with the bundled profiles (PK overlays) as of
2026-11-02, selects 3 % of the containers by score plus a seeded 2 % random control
sample, and "inspects" every selected container: a container has a finding exactly when
it is one of the planted cases of ``examples/data/karachi-sample.planted.csv`` (the
category from its scenario, the quantity from its description). Inspection dates fall on
the two days after arrival, drawn from the seed. Containers not selected get no record:
their outcome is unknown, as in a real port.

    python examples/generate_outcomes.py            # rewrites the checked-in file
    python examples/generate_outcomes.py -o /tmp/outcomes.csv

The same seed gives the same bytes (a test checks the checked-in file against it).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
from pathlib import Path

import riskprofile
from riskprofile.profiles import bundled_profiles_path
from riskprofile.synth import read_planted

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "data" / "karachi-sample.csv"
PLANTED = ROOT / "data" / "karachi-sample.planted.csv"
OUTCOMES = ROOT / "data" / "karachi-sample.outcomes.csv"
AS_OF = dt.date(2026, 11, 2)
CAPACITY = "3%"
CONTROL_RATE = "2%"
SEED = 2026

CATEGORY = {
    "cocaine_reefer": "drugs",
    "heroin_southern_route": "drugs",
    "precursor_transit": "precursors",
    "counterfeit_lcl": "ipr",
    "undervalued_electronics": "revenue",
    "wildlife_concealment": "wildlife",
    "firearms_parts": "weapons",
    "undeclared_weight": "undeclared goods",
    "fictitious_container": "fictitious container",
}
COLUMNS = (
    "unit",
    "container_number",
    "inspected",
    "selected_by",
    "finding",
    "category",
    "quantity",
    "date",
)
_QUANTITY = re.compile(r"^([\d,.]+ (?:kg|t|pieces|pcs|cartons))\b")


def outcomes_csv(seed: int = SEED) -> str:
    """The outcome file's text."""
    batch = riskprofile.read_batch(SAMPLE)
    profiles = riskprofile.load_profiles(bundled_profiles_path(), country="PK")
    run = riskprofile.score(batch.shipments, profiles, as_of=AS_OF)
    # The day these outcomes record counted documentary checks (blue) in the capacity and
    # drew the control sample on top of it: kept so, so that the file stays that day's.
    selection = riskprofile.select(
        run, capacity=CAPACITY, control_rate=CONTROL_RATE, seed=seed,
        control_on_top=True, lanes=("red", "yellow", "blue"),
    )  # fmt: skip
    planted = {case.container_number: case for case in read_planted(PLANTED)}
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for item in selection.selected:
        box = item.container
        case = planted.get(box.container_number or "")
        quantity = _QUANTITY.match(case.description) if case else None
        day = AS_OF + dt.timedelta(days=rng.randint(0, 2))
        writer.writerow(
            (box.key, box.container_number or "", "yes",
             item.reason, "yes" if case else "no", CATEGORY[case.scenario] if case else "",
             quantity.group(1) if quantity else "", day.isoformat())
        )  # fmt: skip
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTCOMES)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    args.output.write_text(outcomes_csv(args.seed), encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
