"""Benchmark: ``riskprofile score`` end to end, the issue's target rows side by side.

Every row runs the command in a fresh child process - process start, imports, loading
the bundled profiles, reading, scoring, selection and writing the output - and reports
its wall time and the child's own peak memory (max RSS, from ``wait4``). The rows:

- the bundled 5,000-container port day (``riskprofile data generate --port-day``), CSV;
- N shipments (default 100,000 and 1,000,000) as Parquet and as CSV;
- the old paths on smaller batches of the same data (``--old-size``, default 1,000 and
  5,000 shipments): ``--engine rowwise`` (the reference engine, read into models), and
  with ``--against SRC`` the command of another source tree (a checkout of the previous
  commit: ``git worktree add /tmp/before <commit>`` then ``--against /tmp/before/src``).
  Their times are extrapolated to the largest N (labelled ``*``) for the ratio: the
  time at the larger old size plus the slope between the two sizes (so that the fixed
  cost of a process - imports, loading the profiles - is not multiplied), or linearly
  from one size when only one is given.

Data: the non-repeated seeded chunks of ``benchmarks/_data.py`` (20,000 containers each,
about 29,000 shipments), cached in ``--cache`` (default ``/tmp/riskprofile-bench``),
concatenated and cut at a bill of lading so that no shipment is split; the row states how
many shipments the file holds. Generating a million shipments costs about 5 minutes of
CPU, once.

    python benchmarks/score_cli.py                          # port day, 100k, 1M, old path
    python benchmarks/score_cli.py -n 100000 --old-size 2000 --old-size 10000
    python benchmarks/score_cli.py -n 100000 --against /tmp/before/src
    python benchmarks/score_cli.py -n 1000000 --no-old --compare /tmp/before/src
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

AS_OF = "2026-11-02"
SEED = 11
ARGS = ["--as-of", AS_OF, "--capacity", "3%", "--control-rate", "1%", "--seed", "1"]


def _shipments(path: Path) -> int:
    from riskprofile.io import read_frame

    return read_frame(path).frame.height


def make_batch(cache: Path, shipments: int, fmt: str) -> tuple[Path, int]:
    """A flat batch of about ``shipments`` shipments (cut at a bill of lading), cached;
    returns the file and the shipments it holds."""
    import polars as pl

    from _data import chunks, shipments_per_chunk

    target = cache / f"cli-{SEED}-{shipments}.{fmt}"
    count_file = target.with_suffix(target.suffix + ".shipments")
    if target.exists() and count_file.exists():
        return target, int(count_file.read_text())
    parquet = cache / f"cli-{SEED}-{shipments}.parquet"
    if not parquet.exists():
        per_chunk = shipments_per_chunk(cache, SEED)
        count = max(1, -(-shipments * 103 // (per_chunk * 100)))
        rows = pl.concat([pl.read_parquet(p) for p in chunks(cache, count, SEED)])
        # The bills of lading in file order; shipments per bill of lading from the data.
        bl = (pl.col("bl_number") != pl.col("bl_number").shift(1)).fill_null(True)
        rows = rows.with_columns(bl.cum_sum().alias("_bl"))
        bls = rows.get_column("_bl").max()
        assert isinstance(bls, int)
        total = _frame_height(rows.drop("_bl"), cache)
        cut = min(bls, round(bls * shipments / total))
        rows.filter(pl.col("_bl") <= cut).drop("_bl").write_parquet(parquet)
    if fmt == "csv":
        pl.read_parquet(parquet).write_csv(target)
    held = _shipments(target)
    count_file.write_text(str(held))
    return target, held


def _frame_height(rows: object, cache: Path) -> int:
    import polars as pl

    assert isinstance(rows, pl.DataFrame)
    scratch = cache / "scratch.parquet"
    rows.write_parquet(scratch)
    try:
        return _shipments(scratch)
    finally:
        scratch.unlink()


def port_day(cache: Path, cli: list[str]) -> tuple[Path, int]:
    path = cache / "port-day-5000.csv"
    if not path.exists():
        subprocess.run(
            [*cli, "data", "generate", "--port-day", "--containers", "5000", "--seed", "1",
             "-o", str(path)],
            check=True, capture_output=True,
        )  # fmt: skip
    return path, _shipments(path)


def run(
    cli: list[str], batch: Path, out: Path, extra: list[str], env: dict[str, str]
) -> tuple[float, float, float, float]:
    """Wall seconds, peak RSS (MiB), and user and kernel CPU seconds of one ``riskprofile
    score`` child process (its own and its threads': ``wait4``'s account). On a machine
    other jobs share, the CPU is the steady figure; the wall is the target's."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [*cli, "score", str(batch), *ARGS, "-o", str(out), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        sys.exit(f"riskprofile score {batch} failed ({child.returncode}): {stderr.decode()}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime, usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--shipments", type=int, action="append", help="batch size(s)")
    parser.add_argument(
        "--old-size", type=int, action="append", help="old paths' sizes (default 1000, 5000)"
    )
    parser.add_argument("--against", metavar="SRC", help="also time this source tree's CLI")
    parser.add_argument(
        "--compare", metavar="SRC",
        help="run every default row with this source tree's CLI too, right after this "
        "tree's (before/after side by side, in one run)",
    )  # fmt: skip
    parser.add_argument("--formats", default="parquet,csv", help="input formats (parquet,csv)")
    parser.add_argument("--output", default="csv", choices=["csv", "json", "parquet"],
                        help="output format written with -o (default csv)")  # fmt: skip
    parser.add_argument("--no-port-day", action="store_true", help="skip the port-day row")
    parser.add_argument("--no-old", action="store_true",
                        help="skip the old paths' rows (row-wise, --against)")  # fmt: skip
    parser.add_argument("--cache", type=Path, default=Path("/tmp/riskprofile-bench"))
    args = parser.parse_args()
    sizes = sorted(args.shipments or [100_000, 1_000_000])
    args.cache.mkdir(parents=True, exist_ok=True)
    src = Path(__file__).resolve().parents[1] / "src"
    cli = [sys.executable, "-m", "riskprofile"]
    # Bytecode caches as an installed package has them: with PYTHONDONTWRITEBYTECODE set
    # a source tree never gets its .pyc files and every run compiles ~110 modules again.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(src)
    # label, engine, shipments, wall, peak RSS, (user, kernel) CPU, note
    rows: list[tuple[str, str, int, float, float, tuple[float, float] | None, str]] = []
    out = args.cache / f"out.{args.output}"

    def time_it(label: str, batch: Path, held: int, extra: list[str], tree: Path = src) -> float:
        child_env = {**env, "PYTHONPATH": str(tree)}
        elapsed, rss, user, kernel = run(cli, batch, out, extra, child_env)
        engine = " ".join(extra) or "default"
        rows.append((label, engine, held, elapsed, rss, (user, kernel), ""))
        print(f"  {label}: {held:,} shipments, {engine}: {elapsed:.2f} s, CPU {user:.2f} + "
              f"{kernel:.2f} s, {rss:,.0f} MiB", flush=True)  # fmt: skip
        return elapsed

    def both(label: str, batch: Path, held: int) -> None:
        time_it(label, batch, held, [])
        if args.compare:
            time_it(f"{label}, {args.compare}", batch, held, [], Path(args.compare))

    if not args.no_port_day:
        batch, held = port_day(args.cache, cli)
        both("port day, CSV", batch, held)
    for n in sizes:
        for fmt in args.formats.split(","):
            batch, held = make_batch(args.cache, n, fmt)
            both(f"{fmt}", batch, held)
    old_batches = [
        make_batch(args.cache, n, "parquet")
        for n in ([] if args.no_old else sorted(args.old_size or [1_000, 5_000]))
    ]
    largest = max(sizes)
    olds = [] if args.no_old else [("--engine rowwise", ["--engine", "rowwise"], src)]
    if args.against and not args.no_old:
        olds.append((f"CLI of {args.against}", [], Path(args.against)))
    new = next((r for r in rows if r[0] == "parquet" and r[2] >= largest * 0.9), None)
    for label, extra, tree in olds if new is not None else []:
        timed = [(held, time_it(f"old path: {label}, parquet", old, held, extra, tree))
                 for old, held in old_batches]  # fmt: skip
        (n2, t2) = timed[-1]
        if len(timed) > 1:
            (n1, t1) = timed[-2]
            guess, how = t2 + (t2 - t1) / (n2 - n1) * (new[2] - n2), "slope of the two sizes"
        else:
            guess, how = t2 * new[2] / n2, "linear from one size"
        rows.append((f"{label} extrapolated* ({how})", "", new[2], guess, float("nan"), None,
                     f"{guess / new[3]:,.0f}x the default"))  # fmt: skip
    print()
    print("| input | engine | shipments | wall | CPU, user + kernel | peak RSS | note |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for label, engine, held, elapsed, rss, cpu, note in rows:
        shown_rss = "" if rss != rss else f"{rss:,.0f} MiB"
        shown_cpu = "" if cpu is None else f"{cpu[0]:.2f} + {cpu[1]:.2f} s"
        print(
            f"| {label} | {engine} | {held:,} | {elapsed:,.2f} s | {shown_cpu} | {shown_rss} "
            f"| {note} |"
        )
    load = os.getloadavg()
    print(f"\nload average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; output -o out.{args.output}; "
          f"profiles: bundled; * extrapolated from the old path's own rows")  # fmt: skip


if __name__ == "__main__":
    main()
