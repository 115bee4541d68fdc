"""Benchmark: ``riskprofile.score()`` given a batch file, then ``select`` and a CSV export.

What a Python user of the library runs on a day's batch:

    run = riskprofile.score(path, profiles, as_of=...)
    selection = riskprofile.select(run, capacity="3%")
    riskprofile.output.write_output(run, "out.csv", selection=selection)

Each stage's CPU time (``time.process_time``: a loaded machine disturbs it far less than
the wall time) and the process' peak memory, in a fresh child process per source tree,
so that ``--against SRC`` measures another version (e.g. ``git archive main | tar -x -C
/tmp/main`` then ``--against /tmp/main/src``) on the same file, side by side.

    python benchmarks/score_api.py BATCH                       # this checkout
    python benchmarks/score_api.py BATCH --against /tmp/main/src
    python benchmarks/score_api.py BATCH --engine rowwise      # the reference path
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "src"

_CHILD = """
import json, resource, sys, time
from pathlib import Path
import riskprofile
from riskprofile.output import write_output
from riskprofile.profiles import load_profiles

path, engine, out = sys.argv[1], sys.argv[2], sys.argv[3]
profiles = load_profiles(bundled=True)
laps = {}
start = time.process_time()
run = riskprofile.score(path, profiles, as_of="2026-11-02", engine=engine)
laps["score"] = time.process_time() - start
start = time.process_time()
selection = riskprofile.select(run, capacity="3%")
laps["select"] = time.process_time() - start
start = time.process_time()
write_output(run, Path(out), selection=selection)
laps["write csv"] = time.process_time() - start
laps["peak MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
laps["containers"] = len(run)
print(json.dumps(laps))
"""


def measure(src: Path, batch: str, engine: str) -> dict[str, float]:
    """One run in a fresh process with ``src`` first on the path."""
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYTHONPATH": str(src)}
        out = Path(folder, "out.csv")
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, batch, engine, str(out)],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("batch", help="a batch file (CSV, Parquet, JSON Lines)")
    parser.add_argument("--against", type=Path, help="another source tree to compare with")
    parser.add_argument("--engine", default="auto", help="score()'s engine (default auto)")
    args = parser.parse_args()
    trees = [("this checkout", HERE)] + ([("against", args.against)] if args.against else [])
    for name, src in trees:
        laps = measure(src, args.batch, args.engine)
        cpu = laps["score"] + laps["select"] + laps["write csv"]
        print(
            f"{name}: {int(laps['containers']):,} containers: score {laps['score']:.2f} + "
            f"select {laps['select']:.2f} + write csv {laps['write csv']:.2f} = {cpu:.2f} s "
            f"CPU, peak {laps['peak MiB']:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
