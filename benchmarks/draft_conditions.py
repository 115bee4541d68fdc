"""CPU of the columnar engine on the conditions of a ``suggest`` draft, and how many of
them it evaluates row by row in rule-engine.

    python benchmarks/draft_conditions.py DRAFT.yaml HISTORY.parquet [--src SRC ...]

``DRAFT.yaml`` is a draft written by ``riskprofile suggest ... --combinations`` (its watch
lists beside it), ``HISTORY.parquet`` a batch to score (``benchmarks/suggest_memory.py``
writes one: ``history-N.calls.parquet``). For each ``--src`` (a source tree: this one by
default; ``git worktree add /tmp/before <commit>`` and ``--src /tmp/before/src`` for a
comparison) a fresh process reads the batch (``read_frame``), then evaluates every
condition of the draft on the whole frame with ``masks_for`` as scoring does; the table
gives the CPU of that evaluation alone (``time.process_time``, every thread of the
process: the machine may be shared, wall time would say little), the conditions and how
many fell back to the row-wise engine, and the hits (the same in every tree).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

_CHILD = """
import json, sys, time, datetime as dt
from riskprofile.io import read_frame
from riskprofile.profiles import load_profiles
from riskprofile.engines.columnar._masks import masks_for

draft, history = sys.argv[1], sys.argv[2]
frame = read_frame(history).frame
profiles = list(load_profiles(draft))
items, lists = [], {}
for profile in profiles:
    for indicator in profile.indicators:
        key = f"{profile.id}:{indicator.id}"
        items.append((key, indicator.condition))
        lists[key] = profile.lists
as_of = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
started = time.process_time()
masks = masks_for(frame, items, lists, as_of)
cpu = time.process_time() - started
fallbacks = sorted({m.fallback for m in masks.values() if m.fallback})
hits = sum(int(m.hit.sum()) for m in masks.values())
print(json.dumps({"rows": frame.height, "conditions": len(items), "cpu": cpu,
                  "fallback": sum(1 for m in masks.values() if m.fallback),
                  "reasons": fallbacks, "hits": hits}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("draft", type=Path)
    parser.add_argument("history", type=Path)
    parser.add_argument("--src", type=Path, action="append")
    args = parser.parse_args()
    print("| source | rows | conditions | row-wise | hits | CPU s |")
    print("|---|---:|---:|---:|---:|---:|")
    for src in args.src or [Path(__file__).parents[1] / "src"]:
        env = dict(os.environ, PYTHONPATH=str(src))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        argv = [sys.executable, "-c", _CHILD, str(args.draft), str(args.history)]
        out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(f"| {src} | {r['rows']:,} | {r['conditions']} | {r['fallback']} | {r['hits']:,} "
              f"| {r['cpu']:.2f} |", flush=True)  # fmt: skip
        for reason in r["reasons"]:
            print(f"|  | row-wise: {reason} | | | | |")


if __name__ == "__main__":
    main()
