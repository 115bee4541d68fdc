"""Benchmark: how long a user waits before riskprofile does anything.

Times, in fresh processes, ``import riskprofile``, ``riskprofile --help`` and
``riskprofile --version`` (what a shell completion or a script probing the tool pays), and
for comparison a bare interpreter and ``import riskprofile`` followed by first use of the
scoring API (which loads pydantic and rule-engine). Prints the minimum and median of
``--runs`` runs of each, side by side in one run.

    python benchmarks/startup.py            # 15 runs each
    python benchmarks/startup.py --runs 40
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

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
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
