"""A day at Karachi with planted high-risk cases: how many do the bundled profiles find?

Generates the 5,000-container port day (seed 2026) with its planted cases, writes the
batch and the ground truth to a scratch folder (never to the repository), reads the batch
back as an analyst would, scores it with the bundled profiles and selects 3 % of the
containers for inspection. Prints how many planted cases the selection caught and how many
clean containers it sent to inspection with them.

    python examples/generate_port_day.py
    python examples/generate_port_day.py --containers 20000 --out /tmp/day
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

import riskprofile
from riskprofile.profiles import bundled_profiles_path
from riskprofile.synth import generate_port_day, write_planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--containers", type=int, default=5000)
    parser.add_argument("--capacity", default="3%", help="inspections available (default 3%%)")
    parser.add_argument(
        "--country",
        default="PK",
        help="apply this country's profile overlays (default PK; '' for the base profiles)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "riskprofile-port-day",
        help="folder to write the batch to (default: a folder in the temp directory)",
    )
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    batch_path = args.out / f"karachi-{args.containers}.csv"
    day = generate_port_day(args.seed, args.containers)
    riskprofile.write_csv(day.manifests, batch_path)
    truth_path = batch_path.with_suffix(".planted.csv")
    write_planted(day.planted, truth_path)
    print(f"wrote {batch_path} and {truth_path} ({len(day.planted)} planted cases)")

    batch = riskprofile.read_batch(batch_path)
    profiles = riskprofile.load_profiles(bundled_profiles_path(), country=args.country or None)
    run = riskprofile.score(batch.shipments, profiles, as_of=dt.date(2026, 11, 2))
    selection = riskprofile.select(run, capacity=args.capacity)

    selected = {item.container.container_number for item in selection.selected}
    planted = {case.container_number: case.scenario for case in day.planted}
    caught = selected & set(planted)
    clean = selected - set(planted)
    print(
        f"{len(run)} containers scored with {len(run.fingerprints)} bundled profiles "
        f"({'overlays for ' + args.country if args.country else 'base profiles only'}); "
        f"{len(selected)} selected at {args.capacity} capacity"
    )
    print(f"planted cases selected: {len(caught)} of {len(planted)}")
    print(f"clean containers selected with them: {len(clean)}")
    found = Counter(planted[number] for number in caught)
    for scenario, total in sorted(Counter(planted.values()).items()):
        print(f"  {scenario:<24} {found[scenario]} of {total}")


if __name__ == "__main__":
    main()
