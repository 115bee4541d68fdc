"""Benchmark: read a CUSCAR interchange, phase by phase (CPU seconds).

Generates a seeded synthetic port day (``riskprofile.synth.generate_manifests``), writes
it as one CUSCAR interchange (``write_cuscar``, D.00B) and times, each in CPU seconds
(``time.process_time``, so that other work on the machine does not count):

- tokenize: text -> segments (the tokenizer the issue asked to measure: pydifact was
  measured at 16.5 s for 120k segments, a 40-line tokenizer at under 4 s);
- envelopes: segments -> messages with control counts checked;
- groups: every segment placed in its segment group;
- read_batch: the whole read, to shipments (models validated, lenient);
- read_batch is the model path (the reference, and what ``read_frame`` did for EDIFACT
  before the column-wise reader);
- read_frame: the whole read to the shipment frame, the columnar output the issue's
  100k-container target (< 5 s) is for, column-wise (``riskprofile.io.edifact._columns``),
  timed in a child process of its own (CPU, wall, and the main thread's CPU: the reader
  puts work on other threads) and again in this one;
- read_stowplan: a BAPLIE stow plan of ``--baplie`` units (default 20,000; the issue
  asks for under a second), written by ``write_baplie``;
- join_stowplan: that plan joined to the frame (the ``stowplan_*`` fields, the check).

The first three run with the cyclic garbage collector paused, as the reader runs them.

    python benchmarks/edifact.py                      # 20,000 containers
    python benchmarks/edifact.py --containers 100000  # the issue's size
    python benchmarks/edifact.py --containers 100000 --defect-rate 0  # no planted defects
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CHILD = """
import sys, time
from riskprofile.io import read_frame
start, wall, main = time.process_time(), time.perf_counter(), time.thread_time()
batch = read_frame(sys.argv[1])
cpu, wall = time.process_time() - start, time.perf_counter() - wall
print(cpu, batch.rows_via_models, wall, time.thread_time() - main)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--baplie", type=int, default=20_000, help="stow plan units")
    parser.add_argument(
        "--defect-rate",
        type=float,
        default=None,
        help="planted defects (the generator's default when not given; 0 for none)",
    )
    args = parser.parse_args()

    from riskprofile.io import read_batch, read_frame
    from riskprofile.io.edifact import (
        StowedUnit,
        join_stowplan,
        open_envelopes,
        place_segments,
        read_stowplan,
        tokenize,
        write_baplie,
        write_cuscar,
    )
    from riskprofile.io.edifact._groups import table_for
    from riskprofile.synth import generate_manifests

    planted = {} if args.defect_rate is None else {"defect_rate": args.defect_rate}
    manifests = list(generate_manifests(seed=args.seed, containers=args.containers, **planted))
    text = write_cuscar(manifests)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "day.edi"
        path.write_text(text, encoding="utf-8")

        gc.disable()  # as the reader does while it tokenizes and places segments
        start = time.process_time()
        tokens = tokenize(text)
        tokenized = time.process_time() - start

        start = time.process_time()
        envelope = open_envelopes(tokens)
        enveloped = time.process_time() - start

        start = time.process_time()
        problems = 0
        for message in envelope.messages:
            table, _note = table_for(message)
            assert table is not None
            problems += len(place_segments(message, table)[1])
        grouped = time.process_time() - start
        gc.enable()

        start = time.process_time()
        batch = read_batch(path)
        whole = time.process_time() - start
        del batch
        gc.collect()

        # The column-wise read in a process of its own: this one holds the day's models,
        # which the collector would walk again and again.
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)],
            capture_output=True,
            text=True,
            check=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        )
        framed_alone, via_models, framed_wall, framed_main = child.stdout.split()
        start = time.process_time()
        frame_batch = read_frame(path)
        framed = time.process_time() - start

        # The day's own containers first (so that the join matches), then others.
        numbers = [box.number for m in manifests for box in m.containers][: args.baplie]
        numbers += [f"MSKU{n:07d}" for n in range(args.baplie - len(numbers))]
        units = [
            StowedUnit(f"{n % 90:03d}{n % 20:02d}{n % 50:02d}", number, "45G1", True,
                       24_000.0, "CNSHA", "PKKHI")
            for n, number in enumerate(numbers)
        ]  # fmt: skip
        plan_path = Path(folder) / "plan.edi"
        plan_path.write_text(write_baplie(units), encoding="utf-8")
        start = time.process_time()
        plan = read_stowplan(plan_path)
        stowed = time.process_time() - start

        start = time.process_time()
        joined, check = join_stowplan(frame_batch.frame, plan)
        join_time = time.process_time() - start

    segments = len(tokens.segments)
    boxes = sum(len(m.containers) for m in manifests)
    print(
        f"{boxes:,} containers, {len(envelope.messages):,} messages, {segments:,} segments, "
        f"{len(text) / 1e6:.1f} MB"
    )
    rate = segments / max(tokenized, 1e-9) / 1e3
    print(f"tokenize    {tokenized:6.2f} s  ({rate:,.0f}k segments/s)")
    print(f"envelopes   {enveloped:6.2f} s")
    print(f"groups      {grouped:6.2f} s  ({problems} segments without a place)")
    print(f"read_batch  {whole:6.2f} s")
    print(
        f"read_frame  {float(framed_alone):6.2f} s  column-wise, in a process of its own "
        f"({frame_batch.frame.height:,} shipments, {len(frame_batch.rejected)} rejected, "
        f"{via_models} messages with a part read through the models; {framed:.2f} s in "
        "this process, beside the day's models)"
    )
    # Wall time counts only on a quiet machine; the main thread's CPU is the part of
    # the read that no other thread takes over.
    print(
        f"            {float(framed_wall):6.2f} s  wall, {float(framed_main):.2f} s CPU on "
        "the main thread (the process of its own)"
    )
    print(f"read_stowplan {stowed:4.2f} s  ({len(plan.units):,} units of a BAPLIE)")
    print(
        f"join_stowplan {join_time:4.2f} s  ({joined.height:,} shipments, "
        f"{check.matched:,} on board)"
    )


if __name__ == "__main__":
    main()
