"""Benchmark: the columnar engine against the row-wise reference, N shipments x R indicators.

For each N (shipments) and R (indicators) it runs, in a fresh child process (so that the
peak memory is that run's own):

1. **read**: the flat-layout Parquet batch into a shipment frame (``read_frame``);
2. **score**: every indicator on every shipment, profile scores, lanes, container
   roll-up and ranking (``score_frame``);
3. **select**: 3 % capacity and a 1 % seeded control sample (``select``);
4. **write**: the ranked container table to Parquet, and the explained hits of the
   selected containers (what the officers read);

and prints wall time per stage, shipments per second end to end, and the child's peak
RSS. The row-wise engine is timed in the same child on a subsample of the same batch
and extrapolated to N (labelled as such): the ratio is columnar score time against
row-wise score time, both measured in one run on one machine.

Data: seeded synthetic batches (``riskprofile.synth.generate_manifests``) as flat-layout
Parquet, never repeated: chunks of 20,000 containers (about 29,000 shipments) generated
with seeds 11, 12, ... in parallel processes and cached (``--cache FOLDER`` keeps them
for later runs; see ``benchmarks/_data.py``). Generating costs about 0.45 s of CPU per
1,000 containers: about 5 minutes of CPU for 1M shipments (2.5-3 minutes on 2 quiet
cores), once. (Until December 2026 one 29k-shipment seed was repeated 35 times, which
flattered the 1M figures by about 13 %.) Indicators: the bundled base profiles'
own indicators, copied under new profile ids until there are R (real conditions, real
watch lists, not toy ones).

    python benchmarks/score_columnar.py                        # N in 10k,100k,1M; R in 20,100,500
    python benchmarks/score_columnar.py -n 100000 -r 100       # one cell
    python benchmarks/score_columnar.py --distinct-text        # every description unique
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

AS_OF = dt.date(2026, 11, 2)
BASE = Path(__file__).resolve().parents[1] / "profiles" / "base"
SEED = 11  # the first chunk's seed; chunk k has SEED + k
ROWWISE_SAMPLE = 400


def make_profiles(folder: Path, indicators: int) -> int:
    """Write copies of the bundled base profiles with ``indicators`` indicators in all."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(BASE.glob("*.yaml"))]
    left, copy = indicators, 0
    while left > 0:
        for doc in docs:
            if left <= 0:
                break
            clone = dict(doc)
            clone["id"] = f"{doc['id']}.copy{copy}"
            clone["indicators"] = doc["indicators"][:left]
            clone.pop("examples", None)
            left -= len(clone["indicators"])
            (folder / f"{clone['id']}.yaml").write_text(
                yaml.safe_dump(clone, sort_keys=False), encoding="utf-8"
            )
        copy += 1
    return indicators


def make_batch(folder: Path, shipments: int, distinct_text: bool = False) -> Path:
    """A flat-layout Parquet batch of at least ``shipments`` shipments (cached), none
    repeated: chunks generated with seeds 11, 12, ... in parallel (see ``_data.py``).
    With ``distinct_text`` every goods description is made unique (a number appended),
    the worst case for conditions on text, which are evaluated per distinct value."""
    import polars as pl

    from _data import chunks, shipments_per_chunk

    per_chunk = shipments_per_chunk(folder, SEED)
    # Chunks differ a little in size: a few per cent spare.
    count = max(1, -(-shipments * 103 // (per_chunk * 100)))
    target = folder / f"batch-{SEED}-{count}{'-distinct' if distinct_text else ''}.parquet"
    if not target.exists():
        batch = pl.concat([pl.read_parquet(p) for p in chunks(folder, count, SEED)])
        if distinct_text:
            number = pl.int_range(pl.len()).cast(pl.String)
            batch = batch.with_columns(pl.col("description") + pl.lit(" #") + number)
        batch.write_parquet(target)
    return target


def one(batch: Path, profiles_dir: Path, shipments: int) -> dict[str, Any]:
    """Time one (N, R) cell in this process."""
    import polars as pl

    from riskprofile.engines.columnar import score_frame
    from riskprofile.model.frame import shipments_of_frame
    from riskprofile.profiles import load_profiles
    from riskprofile.scoring import score
    from riskprofile.selection import select

    profiles = load_profiles([profiles_dir])
    figures: dict[str, Any] = {"indicators": sum(len(p.indicators) for p in profiles)}
    start = time.perf_counter()
    try:
        from riskprofile.io import read_frame

        frame = read_frame(batch).frame.head(shipments)
        figures["read_how"] = "read_frame"
    except ImportError:  # the columnar reader is not there: build the frame from models
        from riskprofile.engines.columnar import shipment_frame
        from riskprofile.io import read_batch

        frame = shipment_frame(read_batch(batch).shipments[:shipments])
        figures["read_how"] = "read_batch + shipment_frame"
    figures["read_s"] = time.perf_counter() - start
    figures["shipments"] = frame.height

    start = time.perf_counter()
    run = score_frame(frame, profiles, as_of=AS_OF)
    figures["score_s"] = time.perf_counter() - start
    start = time.perf_counter()
    selection = select(run, capacity="3%", control_rate="1%", seed=1)
    figures["select_s"] = time.perf_counter() - start
    start = time.perf_counter()
    chosen = {s.container.key: s.reason for s in selection.selected}
    table = run.container_table.with_columns(
        pl.col("key").replace_strict(chosen, default=None, return_dtype=pl.String).alias("reason")
    )
    with tempfile.TemporaryDirectory() as tmp:
        table.write_parquet(Path(tmp) / "containers.parquet")
        # What the officers read: every hit of the selected containers, explained.
        run.explained_hits(chosen).drop("weight").write_parquet(Path(tmp) / "hits.parquet")
    figures["write_s"] = time.perf_counter() - start
    figures["containers"] = len(run)
    figures["rowwise_indicators"] = sum(1 for e in run.engines.values() if e != "columnar")

    sample = shipments_of_frame(frame.head(ROWWISE_SAMPLE))
    start = time.perf_counter()
    score(sample, profiles, as_of=AS_OF, engine="rowwise")
    per_shipment = (time.perf_counter() - start) / len(sample)
    figures["rowwise_score_s_extrapolated"] = per_shipment * frame.height
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--shipments", type=int, action="append", help="batch size(s)")
    parser.add_argument("-r", "--indicators", type=int, action="append", help="indicators")
    parser.add_argument("--cache", type=Path, help="keep generated batches here")
    parser.add_argument(
        "--distinct-text", action="store_true",
        help="make every goods description unique (the worst case for text conditions)",
    )  # fmt: skip
    parser.add_argument(
        "--one", nargs=3, metavar=("BATCH", "PROFILES", "N"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        batch, profiles_dir, n = args.one
        print(json.dumps(one(Path(batch), Path(profiles_dir), int(n))))
        return
    sizes = sorted(args.shipments or [10_000, 100_000, 1_000_000])
    counts = sorted(args.indicators or [20, 100, 500])
    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        cache.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        batches = {n: make_batch(cache, n, args.distinct_text) for n in sizes}
        print(f"batches prepared in {time.perf_counter() - start:.1f} s")
        header = (
            f"{'shipments':>9} {'ind.':>4} {'read s':>6} {'score s':>7} {'select s':>8} "
            f"{'write s':>7} {'total s':>7} {'shipm./s':>9} {'peak MiB':>8} "
            f"{'row-wise s*':>11} {'ratio':>7} {'fallback':>8}"
        )
        print(header)
        for r in counts:
            profiles_dir = Path(tmp) / f"profiles-{r}"
            make_profiles(profiles_dir, r)
            for n in sizes:
                out = subprocess.run(
                    [sys.executable, __file__, "--one", str(batches[n]), str(profiles_dir), str(n)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                f = json.loads(out.stdout.strip().splitlines()[-1])
                total = f["read_s"] + f["score_s"] + f["select_s"] + f["write_s"]
                ratio = f["rowwise_score_s_extrapolated"] / f["score_s"]
                print(
                    f"{f['shipments']:>9,} {f['indicators']:>4} {f['read_s']:>6.2f} "
                    f"{f['score_s']:>7.2f} {f['select_s']:>8.2f} {f['write_s']:>7.2f} "
                    f"{total:>7.2f} {f['shipments'] / total:>9,.0f} {f['peak_rss_mib']:>8,.0f} "
                    f"{f['rowwise_score_s_extrapolated']:>11,.0f} {ratio:>6,.0f}x "
                    f"{f['rowwise_indicators']:>8}",
                    flush=True,
                )
        print(f"read: {f['read_how']}; * row-wise: score() with engine='rowwise' on "
              f"{ROWWISE_SAMPLE} shipments of the same batch, extrapolated to N; ratio = "
              "row-wise score time / columnar score time; fallback = indicators run "
              "row-wise")  # fmt: skip


if __name__ == "__main__":
    main()
