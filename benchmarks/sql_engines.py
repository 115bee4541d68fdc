"""Benchmark: the SQL engine on DuckDB, PostgreSQL and Spark beside the columnar engine.

For N shipments and R indicators (the bundled base profiles' own indicators, copied
until there are R; see ``score_columnar.py``), on the same shipment frame, it times each
engine's ``masks_for`` - every condition's hit and error mask, which is all an engine
computes (scores, lanes, roll-up and ranking are the same code for every engine) - and
checks that every engine's masks equal the columnar engine's:

- **columnar**: Polars (``riskprofile.engines.columnar.masks_for``);
- **duckdb**: an in-memory DuckDB reading the frame in place (Arrow), one ``SELECT``;
- **postgres**: a PostgreSQL server (``--postgres URL``, or a throwaway one started as
  the tests start it): the frame's columns ``COPY``-ed into a temporary table, then one
  ``SELECT``; the load is also timed alone;
- **spark**: a local Spark session (``local[*]``, the library's ``local_spark``; needs
  the ``spark`` extra and Java 17+): the frame made a temporary view from Arrow, one
  ``SELECT``, the result back as Arrow. Its ``translate`` line includes the session's
  start and the JVM's first (compiling) query.

The SQL engine's first call translates the conditions (cached afterwards): timed apart
as ``translate``. Data: the seeded synthetic batches of ``score_columnar.py`` (cached in
``--cache``).

Each line gives wall time and CPU time: this process's (Polars, DuckDB, the Arrow and
COPY conversions) plus the database's where it runs in another process (the PostgreSQL
backend serving the connection, Spark's JVM), read from ``/proc`` (Linux; the server on
this machine). On a shared machine the CPU time is the steadier figure. The run ends
with a Markdown table of the engines side by side.

    python benchmarks/sql_engines.py -n 100000 -r 100
    python benchmarks/sql_engines.py -n 1000000 -r 100 --postgres postgresql://me@host/db
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def _items(profiles: Any) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    items, lists = [], {}
    for profile in profiles:
        for item in (*profile.exceptions, *profile.indicators):
            key = f"{profile.id}/{item.id}"
            items.append((key, item.condition))
            lists[key] = profile.lists
    return items, lists


CPU: dict[str, float] = {}
"""CPU seconds of each timed step (this process plus the server's processes)."""

_SERVER_PIDS: list[int] = []
"""Processes doing the current engine's work outside this one (PostgreSQL backend,
Spark's JVM)."""


def _process_cpu(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children() -> list[int]:
    """This process's child processes (Spark's JVM in local mode)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == os.getpid():
                found.append(int(entry))
    return found


def _cpu_now() -> float:
    return time.process_time() + sum(_process_cpu(pid) for pid in _SERVER_PIDS)


def _timed(label: str, results: dict[str, float], run: Any) -> Any:
    start, cpu = time.perf_counter(), _cpu_now()
    value = run()
    results[label] = time.perf_counter() - start
    CPU[label] = _cpu_now() - cpu
    print(f"  {label:<22} {results[label]:8.2f} s  (CPU {CPU[label]:8.2f} s)", flush=True)
    return value


def _same(reference: dict[str, Any], got: dict[str, Any], engine: str) -> None:
    for key, masks in reference.items():
        if not (masks.hit.equals(got[key].hit) and masks.error.equals(got[key].error)):
            raise SystemExit(f"{engine}: masks of {key} differ from the columnar engine's")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--shipments", type=int, default=100_000)
    parser.add_argument("-r", "--indicators", type=int, default=100)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "riskprofile-benchmarks"
    )
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a throwaway server)")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["duckdb", "postgres", "spark"]
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from score_columnar import make_batch, make_profiles

    # Before the library starts Polars' thread pool: chunks are made in forked workers.
    args.cache.mkdir(parents=True, exist_ok=True)
    batch = make_batch(args.cache, args.shipments)

    from riskprofile.engines import columnar
    from riskprofile.engines.sql import SqlEngine
    from riskprofile.engines.sql._run import Database
    from riskprofile.io import read_frame
    from riskprofile.profiles import load_all_profiles

    frame = read_frame(batch).frame.head(args.shipments)
    with tempfile.TemporaryDirectory() as folder:
        make_profiles(Path(folder), args.indicators)
        profiles = load_all_profiles(folder)
    items, lists = _items(profiles)
    print(f"{frame.height:,} shipments x {len(items)} conditions "
          f"({args.indicators} indicators and their profiles' exceptions)")  # fmt: skip
    results: dict[str, float] = {}
    reference = _timed("columnar", results, lambda: columnar.masks_for(frame, items, lists, AS_OF))
    if "duckdb" not in args.skip:
        duck = SqlEngine("duckdb")
        small = frame.head(10)
        _timed("duckdb translate", results, lambda: duck.masks_for(small, items, lists, AS_OF))
        got = _timed("duckdb", results, lambda: duck.masks_for(frame, items, lists, AS_OF))
        _same(reference, got, "duckdb")
    if "postgres" not in args.skip:
        server = None
        url = args.postgres
        if url is None:
            sys.path.insert(0, str(ROOT))
            from tests.pgserver import PostgresServer

            server = PostgresServer()
            server.start()
            url = server.dsn
        try:
            import psycopg

            with psycopg.connect(url) as connection:
                pid = connection.execute("SELECT pg_backend_pid()").fetchone()
                _SERVER_PIDS[:] = [int(pid[0])] if pid else []
                pg = SqlEngine(connection)
                small = frame.head(10)
                _timed("postgres translate", results,
                       lambda: pg.masks_for(small, items, lists, AS_OF))  # fmt: skip
                got = _timed("postgres", results, lambda: pg.masks_for(frame, items, lists, AS_OF))
                _same(reference, got, "postgres")
                _time_load(connection, frame, items, results, Database(connection))
        finally:
            if server is not None:
                server.stop()
    if "spark" not in args.skip:
        from riskprofile.engines.sql._run import local_spark

        _SERVER_PIDS[:] = []
        session = local_spark()
        _SERVER_PIDS[:] = _children()  # the JVM (its start is before the figures)
        spark = SqlEngine(session)
        small = frame.head(10)
        _timed("spark translate", results, lambda: spark.masks_for(small, items, lists, AS_OF))
        got = _timed("spark", results, lambda: spark.masks_for(frame, items, lists, AS_OF))
        _same(reference, got, "spark")
    print("masks equal on every engine")
    for name in ("duckdb", "postgres", "spark"):
        if name in results:
            print(f"{name}: {results[name] / results['columnar']:.1f} x the columnar time")
    print("\n| engine | wall s | CPU s | x columnar (wall) | x columnar (CPU) |"
          "\n|---|---:|---:|---:|---:|")  # fmt: skip
    for name in ("columnar", "duckdb", "postgres", "postgres load alone", "spark"):
        if name in results:
            print(f"| {name} | {results[name]:.2f} | {CPU[name]:.2f} | "
                  f"{results[name] / results['columnar']:.1f} | "
                  f"{CPU[name] / max(CPU['columnar'], 1e-9):.1f} |")  # fmt: skip


def _time_load(connection: Any, frame: Any, items: Any, results: dict[str, float],
               database: Any) -> None:  # fmt: skip
    """The PostgreSQL load alone: the columns the conditions read, COPY-ed in."""
    import polars as pl

    from riskprofile.engines.sql._run import load_postgres

    fields = sorted({f for _, c in items for f in c.fields} & set(frame.columns))
    data = pl.DataFrame({"_row": pl.int_range(frame.height, eager=True)}).hstack(
        frame.select(fields)
    )
    with connection.cursor() as cursor:
        _timed("postgres load alone", results, lambda: load_postgres(cursor, data, "bench"))
        cursor.execute('DROP TABLE "bench"')
    connection.commit()
    del database


if __name__ == "__main__":
    main()
