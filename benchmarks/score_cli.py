"""Benchmark: score a synthetic batch end to end through the ``riskprofile score`` CLI.

Generates a seeded batch of N containers (CSV, flat layout), then runs
``riskprofile score`` on it with the bundled profiles in a child process (the engine as
``--engine auto`` chooses it), measuring wall time and the child's peak memory (max RSS).
Prints one line per size.

    python benchmarks/score_cli.py                      # 10k and 100k containers
    python benchmarks/score_cli.py --containers 100000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, action="append", help="batch size(s)")
    args = parser.parse_args()
    sizes = sorted(args.containers or [10_000, 100_000])
    cli = [sys.executable, "-m", "riskprofile"]
    print(f"{'containers':>10} {'rows':>8} {'CSV MiB':>7} {'generate s':>10} {'score s':>8} "
          f"{'containers/s':>12} {'peak RSS MiB':>12}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            batch = Path(tmp) / f"batch-{n}.csv"
            start = time.perf_counter()
            generate = [*cli, "data", "generate", "--seed", "11", "--containers", str(n)]
            out = subprocess.run(
                [*generate, "-o", str(batch)], capture_output=True, text=True, check=True
            )
            generated = time.perf_counter() - start
            rows = int(out.stdout.split()[1].replace(",", ""))
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            subprocess.run(
                [*cli, "score", str(batch), "--as-of", "2026-11-02", "--capacity", "3%",
                 "--control-rate", "1%", "--seed", "1", "-o", str(Path(tmp) / "out.json")],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            elapsed = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            # RUSAGE_CHILDREN reports the largest child so far: sizes run in increasing
            # order, so the figure belongs to this run unless an earlier one was larger.
            rss = max(peak, before) / 1024
            print(f"{n:>10,} {rows:>8,} {batch.stat().st_size / 2**20:>7.1f} {generated:>10.1f} "
                  f"{elapsed:>8.1f} {n / elapsed:>12,.0f} {rss:>12,.0f}")  # fmt: skip
    print("engine: --engine auto (columnar with polars for 200 shipments or more); "
          "profiles: bundled; one process per command")  # fmt: skip


if __name__ == "__main__":
    main()
