"""Wall time, CPU and peak memory of ``riskprofile suggest`` on large declaration histories.

    python benchmarks/suggest_memory.py [--declarations 1000000 ...] [--folder DIR]
                                        [--engine columnar|rowwise ...] [--plain]

For each ``--declarations`` count, a seeded declaration-level history is written once
(cached in ``--folder``): a Parquet batch in the flat layout, one declaration per B/L
(HS code, origin, port of loading, consignee and its identifier, tax type, customs
office, declarant, value and gross weight in USD, every column text as an export gives
it, so that the reader reads it column-wise; the vessel and voyage, three calls a
day) over 180 days, and a Parquet outcome
file with every declaration inspected (a fraud-label history). HS codes, origins and
consignees are drawn with skewed (Zipf-like) frequencies; findings at a base rate of about
20 %, higher for some chapters and codes, for planted HS6 x origin x departure
combinations and consignees while their window of days is active, with 3 % of the labels
flipped. Then ``riskprofile suggest HISTORY OUTCOMES --split DAY120 --combinations``
(``--plain``: without combinations) runs in a fresh process per engine and count, and the
table gives its wall time, CPU (user + kernel) and peak resident memory (the child's
``ru_maxrss``).

The generator needs numpy (``pip install numpy``; it is not a riskprofile dependency).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

DAYS = 180
SPLIT_DAY = 120
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _zipf(rng: object, size: int, exponent: float) -> object:
    import numpy as np

    ranks = np.arange(1, size + 1, dtype=np.float64)
    weights = 1 / ranks**exponent
    order = rng.permutation(size)  # type: ignore[attr-defined]
    return weights[order] / weights.sum()


def write_history(declarations: int, folder: Path, seed: int = 17) -> tuple[Path, Path]:
    """The seeded history of ``declarations`` (see the module's documentation), written
    once: ``(batch, outcomes)``."""
    import numpy as np

    batch = folder / f"history-{declarations}.calls.parquet"
    outcomes = folder / f"history-{declarations}.calls.outcomes.parquet"
    if batch.exists() and outcomes.exists():
        return batch, outcomes
    rng = np.random.default_rng(seed)
    n = declarations
    chapters = rng.choice(np.arange(1, 98), 30, replace=False)
    codes = np.array(
        [c * 10000 + h * 100 + s for c in chapters
         for h in rng.choice(np.arange(1, 99), 6, replace=False)
         for s in rng.choice(np.arange(1, 99), 5, replace=False)]
    )  # fmt: skip
    countries = np.array(["CN", "VN", "IN", "TR", "DE", "TH", "ID", "BR", "US", "MX", "BD",
                          "PK", "EG", "MA", "KR", "JP", "IT", "ES", "PL", "NG", "KE", "ZA",
                          "AR", "CL", "PE", "CO", "MY", "PH", "LK", "UA"])  # fmt: skip
    hubs = np.array(["SG", "AE", "MY", "NL", "PA"])
    consignees = 40_000
    day = np.arange(n, dtype=np.int64) * DAYS // n
    code_i = rng.choice(len(codes), n, p=_zipf(rng, len(codes), 1.1))  # type: ignore[arg-type]
    origin_i = rng.choice(len(countries), n, p=_zipf(rng, len(countries), 1.0))  # type: ignore[arg-type]
    via_hub = rng.random(n) < 0.25
    departure = np.where(via_hub, hubs[rng.integers(0, len(hubs), n)], countries[origin_i])
    port = np.char.add(departure, np.where(rng.random(n) < 0.5, "AAA", "BBB"))
    consignee_i = rng.choice(consignees, n, p=_zipf(rng, consignees, 0.9))  # type: ignore[arg-type]
    code = codes[code_i]
    chapter_risk = rng.normal(0, 0.8, 100)
    code_risk = rng.normal(0, 0.6, len(codes))
    logit = -2.6 + chapter_risk[code // 10000] + code_risk[code_i]
    # Planted combinations: one HS6 x origin x departure in 200 is risky within a window.
    departure_i = np.unique(departure, return_inverse=True)[1]
    triple = (code_i * len(countries) + origin_i) * 64 + departure_i
    mixed = (triple * 2654435761 + seed) % 1_000_003
    start = mixed % (DAYS + DAYS // 4) - DAYS // 4
    active = (mixed % 200 == 0) & (day >= start) & (day <= start + DAYS // 2)
    logit = logit + 4.5 * active
    risky = (consignee_i * 40503 + seed) % 97 == 0
    logit = logit + 2.5 * (risky & (day >= (consignee_i % DAYS) - DAYS // 3))
    finding = rng.random(n) < 1 / (1 + np.exp(-logit))
    finding ^= rng.random(n) < 0.03
    tax = np.array(["CD", "RD", "ACD", "ST", "FED"])[rng.choice(5, n, p=_zipf(rng, 5, 1.0))]  # type: ignore[arg-type]
    number = pl.Series("n", np.arange(n)).cast(pl.String).str.zfill(8)
    weight = rng.integers(100, 20_000, n)
    history = pl.DataFrame(
        {
            "day": day,
            "hs_code": (pl.Series(code).cast(pl.String).str.zfill(6) + "00"),
            "origin_country": countries[origin_i],
            "port_of_loading": port,
            "consignee_i": consignee_i,
            "tax_type": tax,
            "customs_office": np.char.add("OF", (rng.integers(0, 12, n)).astype(str)),
            "declarant_name": np.char.add("AGENCY ", rng.integers(0, 300, n).astype(str)),
            "gross_weight_kg": weight.astype(np.float64),
            "value": np.round(weight * rng.lognormal(1.0, 0.8, n), 2),
        }
    ).with_columns(
        number.alias("n"),
        pl.lit("USD").alias("currency"),
        ("IMPORTER " + pl.col("consignee_i").cast(pl.String) + " LTD").alias("consignee_name"),
        ("ID" + pl.col("consignee_i").cast(pl.String)).alias("consignee_identifier"),
    )
    arrival = pl.lit(START) + pl.duration(days=pl.col("day"))
    # Three vessel calls a day: a declaration names its vessel and voyage, as an export
    # from the declaration system gives them (the reader reads a call at a time).
    vessel = pl.lit("VESSEL ") + (pl.col("n").cast(pl.Int64) % 3).cast(pl.String)
    history = history.select(
        (pl.lit("D") + pl.col("n")).alias("bl_number"),
        vessel.alias("vessel_name"), pl.col("day").cast(pl.String).alias("voyage_number"),
        arrival.alias("arrival"), "hs_code", "origin_country", "port_of_loading", "consignee_name",
        "consignee_identifier", "tax_type", "customs_office", "declarant_name",
        "gross_weight_kg", "value", "currency",
    )  # fmt: skip
    # Text columns, as an export gives them: the reader reads such a file column-wise.
    history = history.with_columns(
        pl.col("arrival").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("gross_weight_kg", "value").cast(pl.String),
    )
    history.write_parquet(batch)
    pl.DataFrame(
        {"unit": history.get_column("bl_number"), "inspected": True, "finding": finding}
    ).write_parquet(outcomes)
    return batch, outcomes


def run(batch: Path, outcomes: Path, engine: str, plain: bool) -> tuple[float, float, float]:
    """``riskprofile suggest`` in a fresh process: (wall s, CPU s, peak MiB)."""
    split = (START + dt.timedelta(days=SPLIT_DAY)).date().isoformat()
    with tempfile.TemporaryDirectory() as out:
        argv = [sys.executable, "-m", "riskprofile", "suggest", str(batch), str(outcomes),
                "--split", split, "--engine", engine, "-o", str(Path(out) / "s.yaml")]  # fmt: skip
        if not plain:
            argv.append("--combinations")
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        log, errors = Path(out) / "stdout.txt", Path(out) / "stderr.txt"
        started = time.perf_counter()
        with log.open("wb") as stdout, errors.open("wb") as stderr:
            # Files, not pipes: a child never blocks on a full pipe while it is waited for.
            child = subprocess.Popen(argv, env=env, stdout=stdout, stderr=stderr)
            _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out_text = log.read_text(encoding="utf-8", errors="replace")
        err_text = errors.read_text(encoding="utf-8", errors="replace")
        if status != 0:
            raise SystemExit(f"suggest failed ({status}):\n{out_text[-2000:]}\n{err_text[-2000:]}")
        kept = next((line for line in out_text.splitlines() if line.startswith("wrote ")), "")
        print(f"  {kept}", file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, action="append")
    parser.add_argument("--engine", choices=("columnar", "rowwise"), action="append")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "suggestmem")
    parser.add_argument("--plain", action="store_true", help="without --combinations")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    print("| declarations | engine | wall s | CPU s | peak MiB |")
    print("|---:|---|---:|---:|---:|")
    for count in args.declarations or [1_000_000]:
        batch, outcomes = write_history(count, args.folder)
        for engine in args.engine or ["columnar"]:
            wall, cpu, peak = run(batch, outcomes, engine, args.plain)
            print(f"| {count:,} | {engine} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
