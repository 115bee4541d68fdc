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

``--jsonl`` reads the generated batch written as JSON Lines by ``write_json`` instead
(sizes up to ``--generate``): CPU and peak memory of ``read_frame`` in a fresh process,
and how many documents, bills of lading and containers went through the model path;
with ``--against SRC`` the same for another source tree, side by side:

    python benchmarks/read_frame.py --jsonl --rows 100000 --against /tmp/before/src

``--stages FILE`` says where the CPU of ``read_frame(FILE)`` goes instead: each run a
fresh child process with the command line's allocator options and one slice worker (so
that a step's process CPU is its own, Polars' threads included), the CPU of each step of
the reader (inclusive: the bills' table holds its group table), and the child's peak
memory. With ``--against SRC``
the same for another source tree (``git worktree add /tmp/before <commit>``), the runs
alternating, so that the two are measured side by side on a shared machine:

    python benchmarks/read_frame.py --stages /tmp/pipeline-bench/cli-11-1000000.parquet \
        --against /tmp/before/src --runs 2
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

CHILD_STAGES = """
import functools, json, os, resource, sys, time
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])
from riskprofile.cli._memory import configure_allocator
configure_allocator()
import riskprofile.io._frame._read as read_module
import riskprofile.io._frame._reader as reader_module
from riskprofile.io import read_frame
from riskprofile.io._frame import _load
reader_module.SLICE_WORKERS = 1
cpu = {}
def timed(label, fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        start = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            cpu[label] = cpu.get(label, 0.0) + time.process_time() - start
    return inner
steps = {"_slices": "cut into slices of whole calls", "_rows": "rows and keys",
         "_ids": "rows and keys", "_goods": "goods lines", "_calls": "vessel calls",
         "_bills": "bills of lading", "_boxes": "containers",
         "_group_table": "  of which group tables (first rows, merges)",
         "_slow_frame": "model path"}
for name, label in steps.items():
    if hasattr(reader_module._Reader, name):
        setattr(reader_module._Reader, name, timed(label, getattr(reader_module._Reader, name)))
reader_module.fast_frame = timed("assembling the frame", reader_module.fast_frame)
def loading(original, label):
    def load_file(*args, **kwargs):
        source = timed(label, original)(*args, **kwargs)
        if isinstance(source, str):
            return source
        source = _load._Source(source.header, source.height,
                               timed("loading the slices", source.load), source.kept)
        return source
    return load_file
read_module._load_csv = loading(read_module._load_csv, "the file, before its slices")
read_module._load_parquet = loading(read_module._load_parquet, "the file, before its slices")
usage = resource.getrusage(resource.RUSAGE_SELF)
start = time.process_time()
batch = read_frame(sys.argv[1])
cpu["total"] = time.process_time() - start
after = resource.getrusage(resource.RUSAGE_SELF)
cpu["  of which kernel"] = after.ru_stime - usage.ru_stime
cpu["peak RSS, GiB (one slice worker)"] = after.ru_maxrss / 2**20
print(json.dumps({"cpu": cpu, "shipments": batch.frame.height, "load": os.getloadavg()[0]}))
"""

CHILD_JSONL = """
import json, os, resource, sys, time
from pathlib import Path
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])
from riskprofile.io import read_frame
start = time.process_time()
batch = read_frame(sys.argv[1])
cpu = time.process_time() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {"cpu": cpu, "max_rss_kib": peak, "documents": batch.records_read,
       "shipments": batch.frame.height, "via_models": batch.rows_via_models,
       "fallback": batch.fallback, "load": os.getloadavg()[0]}
try:  # the split below the document (not in older trees)
    from riskprofile.io._frame._json_split import flat_documents
except ImportError:
    pass
else:
    if batch.fallback is None:
        split = flat_documents(Path(sys.argv[1]), "jsonl")
        out["parts"] = len(split.parts)
        out["whole"] = len(split.others)
        out["bills"] = sum(p.bills for p in split.parts.values())
        out["containers"] = sum(p.containers for p in split.parts.values())
        out["shipments_via_models"] = sum(len(p.shipments) for p in split.parts.values())
print(json.dumps(out))
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


def generated_jsonl(rows: int) -> Path:
    """The generated batch of about ``rows`` rows as JSON Lines, written by ``write_json``
    straight from the generator (cached)."""
    from riskprofile import write_json
    from riskprofile.synth import generate_manifests

    path = CACHE / f"generated-{SEED}-{rows}.jsonl"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        containers = max(1, int(rows / 2.4))
        written = write_json(generate_manifests(seed=SEED, containers=containers), path)
        print(f"generated {written:,} documents -> {path}")
    return path


def jsonl(sizes: list[int], generate: int, against: str | None) -> None:
    """``read_frame`` of the generated batches as JSON Lines, this tree and ``against``."""
    here = str(Path(__file__).resolve().parents[1] / "src")
    trees = {"this tree": here, **({against: against} if against else {})}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for rows in sizes:
        if rows > generate:
            print(f"{rows:,} rows: JSON Lines only up to --generate ({generate:,}) rows")
            continue
        path = generated_jsonl(rows)
        for tree, src in trees.items():
            out = subprocess.run(
                [sys.executable, "-c", CHILD_JSONL, str(path), src],
                capture_output=True, text=True, check=True, env=env,
            )  # fmt: skip
            r = json.loads(out.stdout)
            print(
                f"{path.name} ({tree}): read_frame CPU {r['cpu']:.2f} s, peak RSS "
                f"{r['max_rss_kib'] / 1024:.0f} MiB, load {r['load']:.1f}; "
                f"{r['documents']:,} documents, {r['shipments']:,} shipments, "
                f"{r['via_models']:,} documents via the model path"
                + (f" (whole file: {r['fallback']})" if r["fallback"] else "")
            )
            if "parts" in r:
                print(
                    f"  {r['parts']:,} in part, {r['whole']:,} whole; {r['bills']:,} bills of "
                    f"lading, {r['containers']:,} container declarations and "
                    f"{r['shipments_via_models']:,} shipments through the models"
                )


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


def stages(path: Path, against: str | None, runs: int) -> None:
    """CPU per step of ``read_frame(path)``, this tree and ``against``, runs alternating."""
    here = str(Path(__file__).resolve().parents[1] / "src")
    trees = {"this tree": here, **({against: against} if against else {})}
    results: dict[str, list[dict[str, float]]] = {tree: [] for tree in trees}
    loads = []
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(runs):
        for tree, src in trees.items():
            out = subprocess.run(
                [sys.executable, "-c", CHILD_STAGES, str(path), src],
                capture_output=True, text=True, check=True, env=env,
            )  # fmt: skip
            result = json.loads(out.stdout)
            results[tree].append(result["cpu"])
            loads.append(result["load"])
    print(f"read_frame({path.name}), one slice worker, CPU seconds per step (inclusive), "
          f"{runs} run(s) each, load average {min(loads):.1f}-{max(loads):.1f}")  # fmt: skip
    order = ["the file, before its slices", "cut into slices of whole calls",
             "loading the slices", "rows and keys", "goods lines", "vessel calls",
             "bills of lading", "containers", "  of which group tables (first rows, merges)",
             "model path", "assembling the frame", "total", "  of which kernel",
             "peak RSS, GiB (one slice worker)"]  # fmt: skip
    found = {k for rs in results.values() for r in rs for k in r}
    labels = [k for k in order if k in found]
    print(f"  {'step':46s}" + "".join(f"{t[-24:]:>26s}" for t in trees))
    for label in labels:
        cells = [", ".join(f"{r.get(label, 0.0):.2f}" for r in results[tree]) for tree in trees]
        print(f"  {label:46s}" + "".join(f"{c:>26s}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stages", type=Path, metavar="FILE", help="CPU per reader step")
    parser.add_argument(
        "--against", metavar="SRC", help="with --stages or --jsonl: another source tree"
    )
    parser.add_argument("--jsonl", action="store_true", help="the batch as JSON Lines")
    parser.add_argument("--runs", type=int, default=1, help="with --stages: runs of each tree")
    parser.add_argument("--rows", type=int, action="append", help="batch size(s) in rows")
    parser.add_argument("--sample", type=int, default=25_000, help="rows the model path reads")
    parser.add_argument(
        "--generate", type=int, default=100_000, help="largest batch generated outright"
    )
    args = parser.parse_args()
    if args.stages:
        stages(args.stages, args.against, args.runs)
        return
    sizes = sorted(args.rows or [100_000, 1_000_000])
    if args.jsonl:
        jsonl(sizes, args.generate, args.against)
        return
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
