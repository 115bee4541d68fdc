"""Benchmark: read a BAPLIE stow plan of N units in each layout (CPU seconds).

Writes the same seeded units with ``write_baplie`` in SMDG's 2.2 layout (D.95B) and its
3.1 layout (D.13B) and times ``read_stowplan`` on each (``time.process_time``, so that
other work on the machine does not count; best of ``--repeat`` runs). The issue asks for
a 20,000-container BAPLIE in under a second, in every version: the 2.2 plan is also read
labelled as SMDG 1.5 (``BAPLIE:1:911``) and 2.0, and, beyond 9,999 locations, both as
the writer splits it (several messages) and in one message (as some carriers send it).

    python benchmarks/stowplan.py                 # 20,000 units
    python benchmarks/stowplan.py --units 40000
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
            f"{n // 1_000 + 1:03d}{n % 1_000 // 40:02d}{n % 40 + 2:02d}",  # each slot once
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
    from riskprofile.io.edifact import _stowwriter

    with tempfile.TemporaryDirectory() as folder:
        plans = {}
        for version in BAPLIE_VERSIONS:
            text = write_baplie(units, version=version)  # type: ignore[arg-type]
            parts = text.count("UNH+")
            plans[f"{version} ({parts} message{'s' if parts > 1 else ''})"] = text
            if parts > 1:  # the same plan in one message, over the table's limit
                limit = _stowwriter._location_limit
                _stowwriter._location_limit = lambda version: 10**9  # type: ignore[assignment]
                plans[f"{version} (1 message)"] = write_baplie(units, version=version)  # type: ignore[arg-type]
                _stowwriter._location_limit = limit
        for label, unh in (("1.5", "BAPLIE:1:911:UN:SMDG15"), ("2.0", "BAPLIE:D:95B:UN:SMDG20")):
            for name, text in list(plans.items()):
                if name.startswith("2.2"):
                    plans[label + name[3:]] = text.replace("BAPLIE:D:95B:UN:SMDG22", unh)
        for name, text in plans.items():
            path = Path(folder) / "plan.edi"
            path.write_text(text, encoding="utf-8")
            best = float("inf")
            for _ in range(args.repeat):
                plan = None  # the last plan freed outside the timing
                start = time.process_time()
                plan = read_stowplan(path)
                best = min(best, time.process_time() - start)
            assert len(plan.units) == len(units), (name, len(plan.units))
            size = path.stat().st_size / 1e6
            print(
                f"BAPLIE {name}: {len(plan.units):,} units, {size:.1f} MB, "
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
