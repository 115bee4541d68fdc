"""History store benchmark: a history of N declarations, features joined to a batch of M.

    python benchmarks/history.py --history 10000000 --batch 1000000 [--folder /tmp/bench]

Builds a DuckDB store of ``--history`` synthetic shipments (parties drawn from pools of
realistic size, a year of arrival dates, a few HS chapters and ports, 3 % inspected and
a tenth of those with a finding), recorded through :meth:`HistoryStore.add` in chunks of
a million, then joins the history fields to a ``--batch`` frame of shipments by the same
parties (:func:`riskprofile.history.with_history`). Prints the wall and CPU time of each
step and the peak resident memory of the process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from riskprofile.evaluation import Outcome
from riskprofile.history import open_store, with_history
from riskprofile.model.frame import frame_schema
from riskprofile.model.shipment import Shipment

CHUNK = 1_000_000
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _frame(rng: np.random.Generator, first: int, rows: int, days: int) -> pl.DataFrame:
    """``rows`` shipments numbered from ``first``, as a shipment frame."""
    consignee = rng.integers(0, 200_000, rows)
    shipper = rng.integers(0, 300_000, rows)
    chapter = rng.choice(["08", "09", "39", "52", "61", "84", "85", "87"], rows)
    seconds = rng.integers(0, days * 86_400, rows)
    numbers = np.arange(first, first + rows)
    frame = pl.DataFrame(
        {
            "shipment_id": [f"M{n // 50}/B{n}/BOXU{n % 9_999_999:07d}" for n in numbers],
            "manifest_ref": [f"M{n // 50}" for n in numbers],
            "bl_number": [f"B{n}" for n in numbers],
            "container_number": [f"BOXU{n % 9_999_999:07d}" for n in numbers],
        }
    )
    arrival = (
        pl.lit(START.replace(tzinfo=None)) + pl.duration(seconds=pl.Series(seconds))
    ).dt.replace_time_zone("UTC")
    frame = frame.with_columns(
        arrival.alias("arrival"),
        pl.Series("consignee_name", [f"CONSIGNEE {c} LTD" for c in consignee]),
        pl.lit("PK").alias("consignee_country"),
        pl.Series("shipper_name", [f"SHIPPER {s} CO" for s in shipper]),
        pl.lit("CN").alias("shipper_country"),
        pl.Series("hs_chapters", [[c] for c in chapter]),
        pl.Series("hs_subheadings", [[c + "0390"] for c in chapter]),
        pl.Series("origin_countries", [[o] for o in rng.choice(["CN", "EC", "BR", "US"], rows)]),
        pl.lit("USD").alias("value_currency"),
        pl.Series("value_per_kg", rng.integers(100, 10_000, rows) / 100),
        pl.Series("port_of_loading", rng.choice(["CNSHA", "CNNGB", "AEJEA", "SGSIN"], rows)),
        pl.lit("PKKHI").alias("port_of_discharge"),
    )
    schema = frame_schema()
    defaults = {
        name: info.get_default(call_default_factory=True)
        for name, info in Shipment.model_fields.items()
    }
    missing = [
        pl.lit(defaults[n] if not isinstance(defaults[n], list) else [], dtype=schema[n]).alias(n)
        for n in schema
        if n not in frame.columns
    ]
    return frame.with_columns(missing).select(
        pl.col(n).cast(schema[n]) if n != "hs_chapters" else pl.col(n) for n in schema
    )


def _fill_sql(path: Path, rows: int) -> None:
    """``rows`` shipments, their chapters and 3 % inspections, generated inside DuckDB
    with the parties, dates and keys :func:`_frame` gives (and the keys trader_key
    gives them)."""
    import duckdb

    con = duckdb.connect(str(path))
    start = START.replace(tzinfo=None).isoformat(sep=" ")
    con.execute(f"""
        INSERT INTO rp_shipments (shipment_id, run_id, seen_at, manifest_ref, bl_number,
            container_number, arrival, shipper_key, shipper_name, shipper_country,
            consignee_key, consignee_name, consignee_country, port_of_loading,
            port_of_discharge, hs6, origin_country, value_currency, value_per_kg)
        SELECT 'M' || (i // 50) || '/B' || i || '/' || box, 'bench', t, 'M' || (i // 50),
               'B' || i, box, t,
               'name:SHIPPER ' || (hash(i, 2) % 300000) || '|CN',
               'SHIPPER ' || (hash(i, 2) % 300000) || ' CO', 'CN',
               'name:CONSIGNEE ' || (hash(i, 1) % 200000) || '|PK',
               'CONSIGNEE ' || (hash(i, 1) % 200000) || ' LTD', 'PK',
               ['CNSHA', 'CNNGB', 'AEJEA', 'SGSIN'][CAST(1 + hash(i, 3) % 4 AS INTEGER)],
               'PKKHI', chapter || '0390',
               ['CN', 'EC', 'BR', 'US'][CAST(1 + hash(i, 7) % 4 AS INTEGER)], 'USD',
               CAST(100 + hash(i, 8) % 9900 AS DOUBLE) / 100
        FROM (SELECT i, 'BOXU' || lpad(CAST(i % 9999999 AS VARCHAR), 7, '0') AS box,
                     TIMESTAMP '{start}'
                     + to_seconds(CAST(hash(i, 4) % (365 * 86400) AS BIGINT)) AS t,
                     ['08', '09', '39', '52', '61', '84', '85', '87']
                     [CAST(1 + hash(i, 6) % 8 AS INTEGER)] AS chapter
              FROM range({rows}) r(i))
    """)
    con.execute("""
        INSERT INTO rp_chapters SELECT shipment_id, substr(hs6, 1, 2) FROM rp_shipments
    """)
    # The trader registry HistoryStore.add keeps (every key, its name, first time seen).
    for role, country in (("shipper", "CN"), ("consignee", "PK")):
        con.execute(f"""
            INSERT INTO rp_trader_names
            SELECT {role}_key, substr({role}_key, 6, length({role}_key) - 8),
                   MIN({role}_name), '{country}',
                   '{country}|' || substr({role}_key, 6, 2) || '|'
                   || regexp_replace({role}_key, '[^0-9]', '', 'g'),
                   MIN(seen_at)
            FROM rp_shipments GROUP BY {role}_key
        """)
    con.execute("""
        INSERT INTO rp_inspections (outcome_id, shipment_id, run_id, unit, inspected_on,
            inspected, finding)
        SELECT shipment_id, shipment_id, 'bench', manifest_ref || '/' || container_number,
               CAST(seen_at AS DATE), true, hash(shipment_id, 5) % 10 = 0
        FROM rp_shipments WHERE hash(shipment_id, 6) % 100 < 3
    """)
    con.close()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument(
        "--fill-sql", action="store_true",
        help="fill the store with SQL inside DuckDB instead of HistoryStore.add (to measure "
        "the features of a large history without the hours recording it takes on a busy "
        "machine): the same shapes of data",
    )  # fmt: skip
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.mkdtemp(prefix="riskprofile-history-bench-"))
    store_path = folder / f"history-{args.history}.duckdb"
    rng = np.random.default_rng(2026)
    wall, cpu = time.perf_counter(), time.process_time()
    if args.fill_sql and not store_path.exists():
        open_store(store_path).close()
        _fill_sql(store_path, args.history)
    with open_store(store_path) as store:
        if store.stats().shipments < args.history:
            for first in range(0, args.history, CHUNK):
                rows = min(CHUNK, args.history - first)
                frame = _frame(rng, first, rows, 365)
                inspected = frame.select("manifest_ref", "container_number", "arrival").sample(
                    fraction=0.03, seed=first
                )
                outcomes = [
                    Outcome(f"{m}/{c}", inspected=True, finding=i % 10 == 0, date=a.date())
                    for i, (m, c, a) in enumerate(inspected.iter_rows())
                ]
                store.add(frame, outcomes, as_of=START)
        took = f"{time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU"
        print(f"history of {args.history:,}: recorded in {took}; peak {_peak_mib():,.0f} MiB")
        batch = _frame(rng, 10**9, args.batch, 30).with_columns(
            (pl.col("arrival") + pl.duration(days=365)).alias("arrival")
        )
        wall, cpu = time.perf_counter(), time.process_time()
        joined = with_history(batch, store, START + dt.timedelta(days=365))
        print(f"features of {args.batch:,} shipments: {time.perf_counter() - wall:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU; peak {_peak_mib():,.0f} MiB; "
              f"{joined['consignee_prior_shipments'].mean():.1f} prior shipments per consignee "
              "on average")  # fmt: skip


if __name__ == "__main__":
    main()
