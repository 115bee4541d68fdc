"""Benchmark: the latency of scoring one shipment through the Python API.

A live customs call scores one shipment at a time: this measures, per shipment, over a
few hundred different shipments of the bundled Karachi sample and the whole bundled
library:

- **score**: ``riskprofile.score([shipment], profiles, as_of=...)`` (the row-wise engine,
  as the API picks for one shipment: evaluation, scores, lanes, the container roll-up);
- **evaluate**: the row-wise engine's evaluation of every profile on the shipment alone
  (``riskprofile.engines.rowwise.evaluate``), what ``score`` spends most of its time in;

and prints p50/p90/p99 and the mean, in milliseconds, after a warm-up: wall time, and
the CPU time of the process (``time.process_time``), which a loaded machine disturbs far
less than the wall time. Each shipment is
measured once per round, rounds repeated (``--rounds``).

``--against SRC`` compares with another source tree (e.g. ``git archive main | tar -x
-C /tmp/main`` then ``--against /tmp/main/src``): both versions run in worker processes
started side by side and are measured interleaved, shipment by shipment, so that a
change in the machine's load hits both alike; the ratio is the reliable part.

    python benchmarks/latency.py                        # this checkout
    python benchmarks/latency.py --shipments 300 --rounds 3
    python benchmarks/latency.py --against /tmp/main/src
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
AS_OF = "2026-11-02"


def worker(shipments: int) -> None:
    """Load, warm up, then time one shipment per line read from stdin ("index")."""
    import riskprofile
    from riskprofile.engines.rowwise import evaluate
    from riskprofile.profiles import load_profiles

    # This checkout's library for both versions compared (the same indicators).
    profiles = list(load_profiles([ROOT / "profiles"]))
    batch = riskprofile.read_batch(SAMPLE)
    sample = list(batch.shipments[:shipments])
    when = riskprofile.score([sample[0]], profiles, as_of=AS_OF).as_of
    for shipment in sample[:20]:  # warm-up: caches, first calls
        riskprofile.score([shipment], profiles, as_of=AS_OF)
    indicators = sum(len(p.indicators) + len(p.exceptions) for p in profiles)
    print(f"ready {len(sample)} {len(profiles)} {indicators}", flush=True)
    for line in sys.stdin:
        shipment = sample[int(line)]
        wall, cpu = time.perf_counter(), time.process_time()
        riskprofile.score([shipment], profiles, as_of=AS_OF)
        scored = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in evaluate([shipment], profiles, when):
            pass
        evaluated = (time.perf_counter() - wall, time.process_time() - cpu)
        print(*scored, *evaluated, flush=True)


def _start(src: Path) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ, PYTHONPATH=str(src))
    process = subprocess.Popen(
        [sys.executable, __file__, "--worker", "--shipments", str(ARGS.shipments)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    sources = {"this": ROOT / "src"}
    if ARGS.against:
        sources = {"against": Path(ARGS.against).resolve(), "this": ROOT / "src"}
    workers = {}
    for label, src in sources.items():
        process, ready = _start(src)
        _, count, profiles, conditions = ready.split()
        workers[label] = process
        print(f"{label} ({src}): {profiles} profiles, {conditions} conditions, {count} shipments")
    calls = ("score wall", "score CPU", "evaluate wall", "evaluate CPU")
    times: dict[str, dict[str, list[float]]] = {
        label: {call: [] for call in calls} for label in workers
    }
    for _round in range(ARGS.rounds):
        for index in range(int(count)):
            for label, process in workers.items():  # interleaved, shipment by shipment
                assert process.stdin is not None
                assert process.stdout is not None
                process.stdin.write(f"{index}\n")
                process.stdin.flush()
                for call, value in zip(calls, process.stdout.readline().split(), strict=True):
                    times[label][call].append(float(value))
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| version | call | p50 | p90 | p99 | mean |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, measured in times.items():
        for call, values in measured.items():
            ms = [v * 1000 for v in values]
            shown = [_percentile(ms, share) for share in (0.5, 0.9, 0.99)] + [sum(ms) / len(ms)]
            print(f"| {label} | {call} | " + " | ".join(f"{v:.2f} ms" for v in shown) + " |")
    if ARGS.against:
        for call in calls:
            ratio = _percentile(times["against"][call], 0.5) / _percentile(times["this"][call], 0.5)
            print(f"{call}: p50 against / this = {ratio:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shipments", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--against", help="another source tree (its src folder) to compare")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ARGS = parser.parse_args()
    if ARGS.worker:
        worker(ARGS.shipments)
    else:
        main()
