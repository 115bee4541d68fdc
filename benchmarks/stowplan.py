"""Benchmark: read a BAPLIE stow plan of N units in each layout (CPU seconds).

Writes the same seeded units with ``write_baplie`` in SMDG's 2.2 layout (D.95B) and its
3.1 layout (D.13B) and times ``read_stowplan`` on each (``time.process_time``, so that
other work on the machine does not count; best of ``--repeat`` runs). The issue asks for
a 20,000-container BAPLIE in under a second, in every version.

    python benchmarks/stowplan.py                 # 20,000 units
    python benchmarks/stowplan.py --units 100000
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from stdnum import iso6346

    from riskprofile.io.edifact import BAPLIE_VERSIONS, StowedUnit, read_stowplan, write_baplie

    rng = random.Random(args.seed)
    # Real plans' numbers carry their check digits: each one off ISO 6346 is a problem.
    numbers = [f"MSKU{n:06d}" for n in range(args.units)]
    units = [
        StowedUnit(
            f"{n % 90:03d}{n % 20:02d}{n % 50:02d}",
            numbers[n] + iso6346.calc_check_digit(numbers[n]),
            rng.choice(["22G1", "45G1", "45R1"]),
            rng.random() > 0.1,
            round(rng.uniform(2_000, 30_000), 1),
            "CNSHA",
            rng.choice(["PKKHI", "AEJEA"]),
            (("3", "1263"),) if rng.random() < 0.03 else (),
            -18.0 if rng.random() < 0.1 else None,
            "MAE",
        )
        for n in range(args.units)
    ]
    with tempfile.TemporaryDirectory() as folder:
        for version in BAPLIE_VERSIONS:
            path = Path(folder) / f"plan-{version}.edi"
            path.write_text(write_baplie(units, version=version), encoding="utf-8")  # type: ignore[arg-type]
            best = float("inf")
            for _ in range(args.repeat):
                plan = None  # the last plan freed outside the timing
                start = time.process_time()
                plan = read_stowplan(path)
                best = min(best, time.process_time() - start)
            assert len(plan.units) == len(units), (version, len(plan.units))
            size = path.stat().st_size / 1e6
            print(
                f"BAPLIE {version}: {len(plan.units):,} units, {size:.1f} MB, "
                f"read_stowplan {best:.2f} s CPU, {len(plan.problems)} problems"
            )
        # The same plans as real files vary (tests/io/edifact/test_baplie_variation.py):
        # the worst cases for time.
        two = write_baplie(units, version="2.2")
        three = write_baplie(units, version="3.1")
        varied = {
            "2.2 wrapped at 80, CRLF": "\r\n".join(
                two.replace("\n", "")[i : i + 80] for i in range(0, len(two), 80)
            ),
            "2.2 in lower case": two.lower(),
            "3.1 labelled SMDG22": three.replace(
                "BAPLIE:D:13B:UN:SMDG31", "BAPLIE:D:95B:UN:SMDG22"
            ),
            "2.2 labelled SMDG31": two.replace("BAPLIE:D:95B:UN:SMDG22", "BAPLIE:D:13B:UN:SMDG31"),
        }
        for name, text in varied.items():
            path = Path(folder) / "varied.edi"
            path.write_text(text, encoding="utf-8")
            best = float("inf")
            for _ in range(args.repeat):
                plan = None
                start = time.process_time()
                plan = read_stowplan(path)
                best = min(best, time.process_time() - start)
            assert len(plan.units) == len(units), (name, len(plan.units))
            print(f"BAPLIE {name}: read_stowplan {best:.2f} s CPU, {len(plan.problems)} problems")


if __name__ == "__main__":
    main()
