"""Benchmark: read a flat CSV batch into shipments (time and peak memory).

Generates seeded synthetic batches of about N rows (one row per goods line) for each
size, then reads each in a fresh child process so that peak memory (max RSS) belongs to
that read alone. Prints one line per size; the ratio column compares each size's time
per row with the smallest size's, measured in the same run.

    python benchmarks/read_batch.py                 # 25k, 50k and 100k rows
    python benchmarks/read_batch.py --rows 100000   # one size
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, resource, sys, time
from riskprofile import read_batch
start = time.perf_counter()
batch = read_batch(sys.argv[1], strictness=sys.argv[2])
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "rows": batch.records_read,
    "rejected": len(batch.rejected),
    "shipments": len(batch.shipments),
    "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""

BASELINE = "import riskprofile, resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def generate(rows: int, directory: Path) -> tuple[Path, int, float]:
    from riskprofile import write_csv
    from riskprofile.synth import generate_manifests

    # The generator writes about 2.5 goods lines per container; aim a little high.
    containers = max(1, int(rows / 2.4))
    path = directory / f"batch-{rows}.csv"
    start = time.perf_counter()
    written = write_csv(generate_manifests(seed=7, containers=containers), path)
    return path, written, time.perf_counter() - start


def read_in_child(path: Path, strictness: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), strictness],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="batch size(s) in rows")
    parser.add_argument("--strictness", default="lenient", choices=["lenient", "strict"])
    args = parser.parse_args()
    sizes = sorted(args.rows or [25_000, 50_000, 100_000])

    baseline = int(
        subprocess.run(
            [sys.executable, "-c", BASELINE], capture_output=True, text=True, check=True
        ).stdout
    )
    print(f"python {sys.version.split()[0]}, import-only max RSS {baseline / 1024:.0f} MiB")
    print(
        f"{'rows':>8} {'MiB':>6} {'shipments':>9} {'read s':>7} {'rows/s':>8} "
        f"{'us/row':>7} {'ratio':>6} {'peak RSS MiB':>12} {'+ over import':>13}"
    )
    first_per_row = None
    with tempfile.TemporaryDirectory() as tmp:
        for rows in sizes:
            path, written, _ = generate(rows, Path(tmp))
            result = read_in_child(path, args.strictness)
            per_row = result["seconds"] / result["rows"]
            first_per_row = first_per_row or per_row
            size_mib = path.stat().st_size / 2**20
            rss = result["max_rss_kib"] / 1024
            print(
                f"{int(result['rows']):>8,} {size_mib:>6.1f} {int(result['shipments']):>9,} "
                f"{result['seconds']:>7.2f} {result['rows'] / result['seconds']:>8,.0f} "
                f"{per_row * 1e6:>7.1f} {per_row / first_per_row:>6.2f} {rss:>12.0f} "
                f"{rss - baseline / 1024:>13.0f}"
            )
            del written
    print(f"strictness {args.strictness}; peak RSS from getrusage in a fresh process per size")


if __name__ == "__main__":
    _ = resource  # imported for the child's measurements too; keeps the dependency visible
    main()
