"""Benchmark: where ``score(..., engine="auto")`` should switch to the columnar engine.

For each batch size, the same shipments (the first N of the bundled Karachi sample, the
whole bundled library, as of 2026-11-02) are scored by both engines through the Python
API, as a list of shipments (``score(shipments, engine=...)``, the containers read as
objects) and as a ``Batch`` (``score(batch, engine=...)``, the column-wise run kept as
tables, written as JSON by :func:`riskprofile.output.to_json`), and the median CPU
time (``time.process_time``) of ``--repeat`` calls is printed per engine, with the
ratio. Every engine is warmed up first at every size: a long-lived process (a service, a
notebook) translates each condition once, and that is the case ``auto`` decides for;
the first columnar call of a process also pays the translation (printed once, apart).

    python benchmarks/engine_auto.py
    python benchmarks/engine_auto.py --sizes 1,5,10,25,50,100,200 --repeat 15

The thresholds :data:`riskprofile.scoring.COLUMNAR_MIN_SHIPMENTS` (a list) and
:data:`~riskprofile.scoring.COLUMNAR_MIN_BATCH` (a batch kept as tables) are set from
this output (docs/performance.md has the figures).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
AS_OF = "2026-11-02"
DEFAULT_SIZES = "1,2,5,10,15,20,25,35,50,75,100,150,200"


def _cpu(call: Callable[[], object], repeat: int) -> float:
    """The median CPU seconds of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        call()
        times.append(time.process_time() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="batch sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=9, help="calls per size and engine")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    import riskprofile
    from riskprofile.output import to_json
    from riskprofile.profiles import load_profiles

    profiles = list(load_profiles(bundled=True))
    batch = riskprofile.read_batch(SAMPLE)
    every = list(batch.shipments)
    sizes = [n for n in sizes if n <= len(every)]
    start = time.process_time()
    riskprofile.score(every[:1], profiles, as_of=AS_OF, engine="columnar")
    first = time.process_time() - start
    print(f"first columnar call of the process (translations): {first:.3f} s CPU")
    print(f"{len(profiles)} profiles, {sum(len(p.indicators) for p in profiles)} indicators; "
          f"median CPU ms of {args.repeat} calls, warm")  # fmt: skip
    print(f"{'size':>5} | {'list rowwise':>12} {'list columnar':>13} {'ratio':>6} | "
          f"{'batch rowwise':>13} {'batch columnar':>14} {'ratio':>6}")  # fmt: skip
    for n in sizes:
        shipments = every[:n]
        part = dataclasses.replace(batch, shipments=shipments, records_read=n, rejected=[])
        row = []
        for given in (shipments, part):
            times = {}
            for engine in ("rowwise", "columnar"):

                def call(given: object = given, engine: str = engine) -> object:
                    run = riskprofile.score(given, profiles, as_of=AS_OF, engine=engine)  # type: ignore[arg-type]
                    # What a caller reads: the objects, or the export of the tables.
                    return run.containers if isinstance(given, list) else to_json(run)

                call()  # warm: this size's shapes
                times[engine] = _cpu(call, args.repeat)
            row.append(times)
        (lr, lc), (br, bc) = ((t["rowwise"], t["columnar"]) for t in row)
        print(f"{n:>5} | {lr * 1e3:>12.1f} {lc * 1e3:>13.1f} {lr / lc:>6.2f} | "
              f"{br * 1e3:>13.1f} {bc * 1e3:>14.1f} {br / bc:>6.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
