"""Benchmark: a flat Parquet batch into the shipment frame, column-wise vs the model path.

Generates a seeded synthetic batch with :func:`riskprofile.synth.generate_manifests`
(cached under the system temp folder, never in the repository) and reads it in fresh
child processes so that peak memory (max RSS) belongs to that read alone:

- ``read_frame(path)``: the column-wise reader, on the whole file;
- ``shipment_frame(read_batch(path).shipments)``: the model path, on a subsample of the
  same file (the first ``--sample`` rows), its time extrapolated to the whole file and
  labelled so.

Sizes above ``--generate`` rows are made of chunks generated in parallel processes, each
with its own seed and its voyages renamed (nothing repeated, nothing merged across
chunks; see ``_data.py``: about 0.45 s of CPU per 1,000 containers, some 2.5-3 minutes on
2 quiet cores for 1M rows, once); the output says so.

    python benchmarks/read_frame.py                       # 100k and 1M rows
    python benchmarks/read_frame.py --rows 100000 --sample 20000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "riskprofile-benchmarks"
SEED = 7

CHILD_FRAME = """
import json, resource, sys, time
from riskprofile.io import read_frame
usage = resource.getrusage(resource.RUSAGE_SELF)
cpu = usage.ru_utime + usage.ru_stime
start = time.perf_counter()
batch = read_frame(sys.argv[1])
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({
    "seconds": seconds,
    "cpu_seconds": usage.ru_utime + usage.ru_stime - cpu,
    "rows": batch.records_read,
    "shipments": batch.frame.height,
    "rejected": len(batch.rejected),
    "rows_via_models": batch.rows_via_models,
    "fallback": batch.fallback,
    "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""

CHILD_MODELS = """
import json, resource, sys, time
from riskprofile import read_batch
from riskprofile.engines.columnar import shipment_frame
start = time.perf_counter()
batch = read_batch(sys.argv[1])
frame = shipment_frame(batch.shipments)
seconds = time.perf_counter() - start
print(json.dumps({
    "seconds": seconds,
    "rows": batch.records_read,
    "shipments": frame.height,
    "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""

BASELINE = (
    "import resource, polars, riskprofile.io._frame; "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


def generated(rows: int) -> Path:
    """A generated flat Parquet batch of about ``rows`` rows (cached)."""
    from riskprofile import write_parquet
    from riskprofile.synth import generate_manifests

    path = CACHE / f"generated-{SEED}-{rows}.parquet"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        # The generator writes about 2.5 goods lines per container; aim a little high.
        containers = max(1, int(rows / 2.4))
        start = time.perf_counter()
        written = write_parquet(generate_manifests(seed=SEED, containers=containers), path)
        print(f"generated {written:,} rows in {time.perf_counter() - start:.1f} s -> {path}")
    return path


def batch_of(rows: int, generate: int) -> tuple[Path, str]:
    """A batch of about ``rows`` rows: generated in one piece up to ``generate`` rows,
    else of chunks generated in parallel with their own seeds (nothing repeated)."""
    from _data import CHUNK_CONTAINERS, batch_of_rows

    if rows <= generate:
        return generated(rows), "generated"
    note = f"chunks of {CHUNK_CONTAINERS:,} containers generated with seeds {SEED}, {SEED + 1}, ..."
    return batch_of_rows(CACHE / "chunks", rows, SEED), note


def sample_of(path: Path, rows: int) -> Path:
    import polars as pl

    out = path.with_name(path.stem + f"-first-{rows}.parquet")
    if not out.exists():
        pl.read_parquet(path).head(rows).write_parquet(out)
    return out


def run(child: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", child, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="batch size(s) in rows")
    parser.add_argument("--sample", type=int, default=25_000, help="rows the model path reads")
    parser.add_argument(
        "--generate", type=int, default=100_000, help="largest batch generated outright"
    )
    args = parser.parse_args()
    sizes = sorted(args.rows or [100_000, 1_000_000])
    baseline = int(
        subprocess.run(
            [sys.executable, "-c", BASELINE], capture_output=True, text=True, check=True
        ).stdout
    )
    load = os.getloadavg()[0]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load:.1f}, "
        f"import-only max RSS {baseline / 1024:.0f} MiB"
    )
    for rows in sizes:
        path, note = batch_of(rows, args.generate)
        frame = run(CHILD_FRAME, path)
        n = int(frame["rows"])
        sample_rows = min(args.sample, n)
        models = run(CHILD_MODELS, sample_of(path, sample_rows) if sample_rows < n else path)
        extrapolated = models["seconds"] * n / models["rows"]
        label = "measured" if sample_rows >= n else f"extrapolated from {int(models['rows']):,}"
        share = 100 * frame["rows_via_models"] / n
        print(f"\n{n:,} rows ({note}), {int(frame['shipments']):,} shipments")
        seconds = frame["seconds"]
        print(
            f"  read_frame          {seconds:7.2f} s  {n / seconds:>10,.0f} rows/s"
            f"  peak RSS {frame['max_rss_kib'] / 1024:6.0f} MiB"
            f"  (CPU {frame['cpu_seconds']:.2f} s)"
        )
        print(
            f"  read_batch + frame  {extrapolated:7.2f} s  {n / extrapolated:>10,.0f} rows/s"
            f"  ({label} rows; peak RSS {models['max_rss_kib'] / 1024:.0f} MiB on those)"
        )
        print(f"  ratio               {extrapolated / frame['seconds']:7.1f} x")
        print(
            f"  rows via the model path: {int(frame['rows_via_models']):,} ({share:.2f} %),"
            f" column-wise: {n - int(frame['rows_via_models']):,} ({100 - share:.2f} %)"
            + (f"; whole file via models: {frame['fallback']}" if frame["fallback"] else "")
        )


if __name__ == "__main__":
    main()
