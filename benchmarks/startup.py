"""Benchmark: how long a user waits before riskprofile does anything.

Times, in fresh processes, ``import riskprofile``, ``riskprofile --help`` and
``riskprofile --version`` (what a shell completion or a script probing the tool pays), and
for comparison a bare interpreter and ``import riskprofile`` followed by first use of the
scoring API (which loads pydantic and rule-engine). Prints the minimum and median of
``--runs`` runs of each, side by side in one run.

``--port-day FILE`` times instead the issue's fixed-cost target, ``riskprofile score`` on
the bundled port day (``riskprofile data generate --port-day --containers 5000 --seed
1``), end to end in fresh processes: wall time and the child's CPU (user + system, from
``wait4``), for this tree and, with ``--against SRC``, another source tree (a checkout of
an older commit), interleaved run by run. One warm-up run of each comes first: it writes
the bytecode caches (the benchmark unsets ``PYTHONDONTWRITEBYTECODE``: without ``.pyc``
files every run compiles every module again, about 0.5 s) and the parsed-profile cache,
as any second run on a user's machine has them. ``--stages`` adds one in-process run
that says where the CPU goes (imports, loading the profiles, reading, scoring, selecting,
writing, garbage collection, exit).

    python benchmarks/startup.py            # 15 runs each
    python benchmarks/startup.py --runs 40
    python benchmarks/startup.py --port-day /tmp/pipeline-bench/port-day-5000.csv \\
        --against /tmp/fixed15-base/src --runs 9 --stages
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    "python -c pass (interpreter alone)": "pass",
    "import riskprofile": "import riskprofile",
    "riskprofile --help": "from riskprofile.cli import main\ntry:\n    main(['--help'])\n"
    "except SystemExit:\n    pass",
    "riskprofile --version": "from riskprofile.cli import main\ntry:\n    main(['--version'])\n"
    "except SystemExit:\n    pass",
    "import riskprofile; riskprofile.score (first use)": "import riskprofile\nriskprofile.score",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--port-day", metavar="FILE", help="time `riskprofile score FILE`")
    parser.add_argument("--against", metavar="SRC", help="another source tree, side by side")
    parser.add_argument("--stages", action="store_true", help="CPU per stage (with --port-day)")
    args = parser.parse_args()
    if args.port_day:
        port_day(Path(args.port_day), args.runs, args.against, args.stages)
        return
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.runs):  # interleaved, so that a busy moment hits every case alike
        for name, code in CASES.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    width = max(len(name) for name in CASES)
    print(f"{'case':<{width}}  {'min':>8}  {'median':>8}   ({args.runs} runs each)")
    for name, values in times.items():
        print(f"{name:<{width}}  {min(values):8.3f}  {statistics.median(values):8.3f}")


SCORE_ARGS = ["--as-of", "2026-11-02", "--capacity", "3%", "--control-rate", "1%", "--seed", "1"]
SRC = str(Path(__file__).resolve().parents[1] / "src")


def _child_env(src: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = src
    return env


def _score_once(src: str, batch: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one `riskprofile score` in a fresh process."""
    command = [sys.executable, "-m", "riskprofile", "score", str(batch), *SCORE_ARGS, "-o"]
    start = time.perf_counter()
    child = subprocess.Popen([*command, str(out)], env=_child_env(src), stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{src}: riskprofile score exited with status {status}")
    return wall, usage.ru_utime + usage.ru_stime


def port_day(batch: Path, runs: int, against: str | None, stages: bool) -> None:
    trees = {"this tree": SRC, **({f"against {against}": against} if against else {})}
    with tempfile.TemporaryDirectory() as folder:
        outs = {name: Path(folder) / f"out-{i}.csv" for i, name in enumerate(trees)}
        for name, src in trees.items():  # warm-up: bytecode and parse caches written
            _score_once(src, batch, outs[name])
        walls: dict[str, list[float]] = {name: [] for name in trees}
        cpus: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(runs):
            for name, src in trees.items():
                wall, cpu = _score_once(src, batch, outs[name])
                walls[name].append(wall)
                cpus[name].append(cpu)
        same = len({o.read_bytes() for o in outs.values()}) == 1
    width = max(len(name) for name in trees)
    print(f"riskprofile score {batch.name} ({runs} runs each, interleaved; load average "
          f"{os.getloadavg()[0]:.1f} at the end)")  # fmt: skip
    print(f"{'tree':<{width}}  {'wall min':>8}  {'median':>8}  {'CPU min':>8}  {'median':>8}")
    for name in trees:
        w, c = walls[name], cpus[name]
        print(f"{name:<{width}}  {min(w):8.2f}  {statistics.median(w):8.2f}  {min(c):8.2f}  "
              f"{statistics.median(c):8.2f}")  # fmt: skip
    if against:
        print("containers CSV: " + ("the same bytes" if same else "DIFFERENT BYTES"))
    if stages:
        code = _STAGES.replace("BATCH", repr(str(batch)))
        done = subprocess.run(
            [sys.executable, "-c", code], env=_child_env(SRC), check=True,
            capture_output=True, text=True,
        )  # fmt: skip
        print(done.stdout, end="")


# One in-process run, CPU seconds per stage (process_time: every thread of the process).
_STAGES = """
import datetime as dt, gc, sys, tempfile, time
spent = {"garbage collection": 0.0}
began = [0.0]
def collecting(phase, info):
    if phase == "start":
        began[0] = time.process_time()
    else:
        spent["garbage collection"] += time.process_time() - began[0]
gc.callbacks.append(collecting)
marks = [("interpreter start", time.process_time())]
def mark(stage):
    marks.append((stage, time.process_time()))
from riskprofile.cli import _score  # what the command imports before it reads
import riskprofile.output, riskprofile.selection, riskprofile.profiles._load
import riskprofile.io._frame, riskprofile.engines.columnar
mark("imports")
from riskprofile.profiles import load_profiles
profiles = load_profiles(bundled=True)
mark("loading the bundled profiles")
from riskprofile.io import read_frame
batch = read_frame(BATCH)
mark("reading")
from riskprofile.engines.columnar import score_frame
run = score_frame(batch, profiles, as_of=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
mark("scoring (translating the conditions the first time)")
start = time.process_time()
score_frame(batch, profiles, as_of=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
cached = time.process_time() - start  # every condition's translation cached this time
mark("")
from riskprofile.selection import capacity_from_text, select
selection = select(run, capacity=capacity_from_text("3%"), control_rate="1%", seed=1)
mark("selecting")
from riskprofile.output import write_output
with tempfile.TemporaryDirectory() as folder:
    write_output(run, folder + "/out.csv", selection=selection, format="csv")
mark("writing the containers and hits CSV")
print("where the CPU goes, one in-process run (seconds):")
previous = 0.0
for stage, at in marks:
    if stage and stage != "interpreter start":
        print(f"  {stage:<52} {at - previous:6.3f}")
    previous = at
times = dict(marks)
first = times["scoring (translating the conditions the first time)"] - times["reading"]
print(f"  {'  of which translating (scoring again, all cached)':<52} {first - cached:6.3f}")
print(f"  {'garbage collection (within the stages above)':<52} "
      f"{spent['garbage collection']:6.3f}")
"""


if __name__ == "__main__":
    main()
