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

The history is generated and written a chunk of declarations at a time (``--chunk``,
250,000 by default: a few hundred MiB however long the history), each declaration's
draws a function of the seed and its number, the files in row groups of a fixed size:
the same seed gives the same bytes whatever the chunk size
(``tests/evaluation/test_suggest_history_generator.py``).

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
from typing import Any

import polars as pl

DAYS = 180
SPLIT_DAY = 120
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


_MASK = (1 << 64) - 1
CHUNK = 250_000
"""Declarations generated (and held) at a time."""

ROW_GROUP = 100_000
"""Rows per Parquet row group: fixed, so that the file's bytes do not depend on the
chunk size."""


def _zipf(rng: Any, size: int, exponent: float) -> Any:
    """Zipf-like weights of ``size`` values in a seeded random order, as a cumulative
    distribution (drawn from by :func:`_pick`)."""
    import numpy as np

    ranks = np.arange(1, size + 1, dtype=np.float64)
    weights = 1 / ranks**exponent
    order = rng.permutation(size)
    return np.cumsum(weights[order] / weights.sum())


def _pick(cumulative: Any, uniform: Any) -> Any:
    import numpy as np

    return np.minimum(np.searchsorted(cumulative, uniform, side="right"), len(cumulative) - 1)


def _uniform(seed: int, stream: int, rows: Any) -> Any:
    """A uniform draw in [0, 1) per row, a function of (seed, stream, row number) alone
    (SplitMix64 of the three): the same for a row whatever chunk it is generated in."""
    import numpy as np

    offset = (seed * 0x9E3779B97F4A7C15 + (stream + 1) * 0xD1B54A32D192ED03) & _MASK
    z = rows.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(offset)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


_COUNTRIES = ("CN", "VN", "IN", "TR", "DE", "TH", "ID", "BR", "US", "MX", "BD", "PK", "EG",
              "MA", "KR", "JP", "IT", "ES", "PL", "NG", "KE", "ZA", "AR", "CL", "PE", "CO",
              "MY", "PH", "LK", "UA")  # fmt: skip
_HUBS = ("SG", "AE", "MY", "NL", "PA")
_TAXES = ("CD", "RD", "ACD", "ST", "FED")
_CONSIGNEES = 40_000


class _Draws:
    """The history's fixed draws (codes, their risks, the skewed frequencies), from one
    seeded stream: small, the same for every chunk."""

    def __init__(self, seed: int) -> None:
        import numpy as np

        rng = np.random.default_rng(seed)
        chapters = rng.choice(np.arange(1, 98), 30, replace=False)
        self.codes = np.array(
            [c * 10000 + h * 100 + s for c in chapters
             for h in rng.choice(np.arange(1, 99), 6, replace=False)
             for s in rng.choice(np.arange(1, 99), 5, replace=False)]
        )  # fmt: skip
        self.countries = np.array(_COUNTRIES)
        self.hubs = np.array(_HUBS)
        self.departures = np.array(sorted(set(_COUNTRIES) | set(_HUBS)))
        self.code_p = _zipf(rng, len(self.codes), 1.1)
        self.origin_p = _zipf(rng, len(self.countries), 1.0)
        self.consignee_p = _zipf(rng, _CONSIGNEES, 0.9)
        self.chapter_risk = rng.normal(0, 0.8, 100)
        self.code_risk = rng.normal(0, 0.6, len(self.codes))
        self.tax_p = _zipf(rng, len(_TAXES), 1.0)


def _chunk(seed: int, draws: _Draws, n: int, start: int, stop: int) -> tuple[Any, Any]:
    """Declarations ``start`` to ``stop`` (of ``n``): (history, outcomes) frames."""
    import numpy as np

    rows = np.arange(start, stop, dtype=np.uint64)
    size = stop - start

    def u(stream: int) -> Any:
        return _uniform(seed, stream, rows)

    day = np.arange(start, stop, dtype=np.int64) * DAYS // n
    code_i = _pick(draws.code_p, u(0))
    origin_i = _pick(draws.origin_p, u(1))
    via_hub = u(2) < 0.25
    hub = draws.hubs[np.minimum((u(3) * len(draws.hubs)).astype(np.int64), len(draws.hubs) - 1)]
    departure = np.where(via_hub, hub, draws.countries[origin_i])
    port = np.char.add(departure, np.where(u(4) < 0.5, "AAA", "BBB"))
    consignee_i = _pick(draws.consignee_p, u(5))
    code = draws.codes[code_i]
    logit = -2.6 + draws.chapter_risk[code // 10000] + draws.code_risk[code_i]
    # Planted combinations: one HS6 x origin x departure in 200 is risky within a window.
    departure_i = np.searchsorted(draws.departures, departure)
    triple = (code_i * len(draws.countries) + origin_i) * 64 + departure_i
    mixed = (triple * 2654435761 + seed) % 1_000_003
    begin = mixed % (DAYS + DAYS // 4) - DAYS // 4
    active = (mixed % 200 == 0) & (day >= begin) & (day <= begin + DAYS // 2)
    logit = logit + 4.5 * active
    risky = (consignee_i * 40503 + seed) % 97 == 0
    logit = logit + 2.5 * (risky & (day >= (consignee_i % DAYS) - DAYS // 3))
    finding = u(6) < 1 / (1 + np.exp(-logit))
    finding ^= u(7) < 0.03
    tax = np.array(_TAXES)[_pick(draws.tax_p, u(8))]
    office = np.minimum((u(9) * 12).astype(np.int64), 11)
    agency = np.minimum((u(10) * 300).astype(np.int64), 299)
    weight = 100 + np.minimum((u(11) * 19_900).astype(np.int64), 19_899)
    # A lognormal(1.0, 0.8) factor from two uniforms (Box-Muller).
    normal = np.sqrt(-2 * np.log1p(-u(12))) * np.cos(2 * np.pi * u(13))
    number = pl.Series("n", np.arange(start, stop)).cast(pl.String).str.zfill(8)
    history = pl.DataFrame(
        {
            "day": day,
            "hs_code": (pl.Series(code).cast(pl.String).str.zfill(6) + "00"),
            "origin_country": draws.countries[origin_i],
            "port_of_loading": port,
            "consignee_i": consignee_i,
            "tax_type": tax,
            "customs_office": np.char.add("OF", office.astype(str)),
            "declarant_name": np.char.add("AGENCY ", agency.astype(str)),
            "gross_weight_kg": weight.astype(np.float64),
            "value": np.round(weight * np.exp(1.0 + 0.8 * normal), 2),
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
    outcomes = pl.DataFrame(
        {"unit": history.get_column("bl_number"), "inspected": True, "finding": finding}
    )
    assert history.height == size
    return history, outcomes


class _Writer:
    """A Parquet file written in row groups of :data:`ROW_GROUP` rows, however the rows
    are handed to it: the same rows give the same bytes in any chunks."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: Any = None
        self.held: list[Any] = []
        self.rows = 0

    def add(self, frame: pl.DataFrame) -> None:
        self.held.append(frame)
        self.rows += frame.height
        while self.rows >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, size: int) -> None:
        import pyarrow.parquet as pq

        frame = pl.concat(self.held, rechunk=True)
        group, rest = frame.head(size), frame.slice(size)
        table = group.to_arrow()
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table, row_group_size=size)
        self.held, self.rows = ([rest] if rest.height else []), rest.height

    def close(self) -> None:
        if self.rows:
            self._flush(self.rows)
        if self.writer is not None:
            self.writer.close()


def write_history(
    declarations: int, folder: Path, seed: int = 17, chunk: int = CHUNK
) -> tuple[Path, Path]:
    """The seeded history of ``declarations`` (see the module's documentation), written
    once, ``chunk`` declarations at a time (a few hundred bytes each in memory): ``(batch,
    outcomes)``. Every random draw of a declaration is a function of the seed and its
    number, and the files are written in fixed row groups: the same seed gives the same
    bytes whatever ``chunk`` is."""
    batch = folder / f"history-{declarations}.calls.parquet"
    outcomes = folder / f"history-{declarations}.calls.outcomes.parquet"
    if batch.exists() and outcomes.exists():
        return batch, outcomes
    draws = _Draws(seed)
    parts = folder / f".{batch.name}.part", folder / f".{outcomes.name}.part"
    writers = _Writer(parts[0]), _Writer(parts[1])
    try:
        for start in range(0, declarations, chunk):
            stop = min(declarations, start + chunk)
            for writer, frame in zip(
                writers, _chunk(seed, draws, declarations, start, stop), strict=True
            ):
                writer.add(frame)
    finally:
        for writer in writers:
            writer.close()
    parts[0].replace(batch)
    parts[1].replace(outcomes)
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
    parser.add_argument("--chunk", type=int, default=CHUNK, help="declarations generated at a time")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    print("| declarations | engine | wall s | CPU s | peak MiB |")
    print("|---:|---|---:|---:|---:|")
    for count in args.declarations or [1_000_000]:
        batch, outcomes = write_history(count, args.folder, chunk=args.chunk)
        for engine in args.engine or ["columnar"]:
            wall, cpu, peak = run(batch, outcomes, engine, args.plain)
            print(f"| {count:,} | {engine} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
