"""CPU and peak memory of each stage of ``riskprofile suggest``, in one process.

    python benchmarks/suggest_stages.py [--declarations 1000000] [--folder DIR]
                                        [--plain] [--output DIR] [--split DAY]

Makes the library calls ``riskprofile suggest HISTORY OUTCOMES --split DAY120
--combinations`` makes (``--plain``: without combinations), on the seeded history of
``benchmarks/suggest_memory.py`` (written once into ``--folder`` if it is not there):
the outcomes read into a table, the history read as the command reads it
(``read_history`` of ``cli/_suggest.py``; in a tree before it,
``read_frame(..., columns=HISTORY_COLUMNS)`` and its constant columns as literals), then
:func:`~riskprofile.evaluation.suggest` with a ``progress`` callback that marks its
stages (matching outcomes to units, learning value bands, counting, testing, shrinking,
the rolling folds, scoring the test period), then the draft's files written.

Per stage, a table row: CPU (user + kernel of the whole process, every thread, from
``getrusage``), the peak resident memory within the stage (a thread reads
``/proc/self/statm`` every 20 ms; ``tracemalloc`` does not see Polars), and the resident
memory at its end (what the stage leaves held). The last row is the whole run (CPU and
``ru_maxrss``). The draft's files go to ``--output`` (to ``diff -r`` two trees'
drafts), and a SHA-256 of all of them (names and bytes, in name order) is printed: the
same digest is the same draft, byte for byte.

Wall times are printed too, but on a shared machine only the CPU and memory count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

_PAGE = os.sysconf("SC_PAGE_SIZE")
_MIB = 1024 * 1024


def _resident() -> int:
    """The process's resident memory now, in bytes (``/proc/self/statm``)."""
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * _PAGE


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stages:
    """Stage by stage: CPU, wall time, the peak of the resident memory (sampled every
    ``interval`` seconds by a thread, and at each stage's ends) and what is resident at
    each stage's end."""

    def __init__(self, interval: float = 0.02) -> None:
        self.rows: list[tuple[str, float, float, int, int]] = []
        self._name: str | None = None
        self._lock = threading.Lock()
        self._peak = _resident()
        self._stop = threading.Event()
        self._interval = interval
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._cpu = _cpu()
        self._wall = time.perf_counter()

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            now = _resident()
            with self._lock:
                self._peak = max(self._peak, now)

    def start(self, name: str) -> None:
        """End the current stage (if any) and start ``name``."""
        self._end()
        print(f"  {time.strftime('%H:%M:%S')} {name}", file=sys.stderr, flush=True)
        self._name = name

    def _end(self) -> None:
        now = _resident()
        cpu, wall = _cpu(), time.perf_counter()
        with self._lock:
            peak = max(self._peak, now)
            self._peak = now
        if self._name is not None:
            self.rows.append((self._name, cpu - self._cpu, wall - self._wall, peak, now))
        self._cpu, self._wall = cpu, wall

    def close(self) -> None:
        self._end()
        self._name = None
        self._stop.set()
        self._thread.join()


def draft_digest(folder: Path) -> str:
    """SHA-256 of the files of ``folder`` (each name and its bytes, in name order)."""
    digest = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_history(path: str, mapping: str | None) -> Any:
    """The reading of ``riskprofile suggest`` before it was a function of the command
    (``cli/_suggest.py``'s ``read_history``): to measure an older tree alike."""
    from riskprofile.cli._read import read
    from riskprofile.evaluation import HISTORY_COLUMNS
    from riskprofile.evaluation.shared import literal_constants

    return literal_constants(read(path, mapping=mapping, columns=HISTORY_COLUMNS).frame)


def run(
    batch: Path, outcomes: Path, split: dt.date, output: Path, *, combinations: bool
) -> tuple[Stages, Any]:
    """The library calls of ``riskprofile suggest`` (see the module's documentation),
    stage by stage; the draft's files written into ``output``."""
    stages = Stages()
    stages.start("imports, outcomes read (read_outcome_table)")
    from riskprofile.cli._outcomes import read_outcomes_of
    from riskprofile.evaluation import suggest

    try:  # the command's own reading, where the tree has it as a function
        from riskprofile.cli._suggest import read_history
    except ImportError:
        read_history = _read_history
    reading = read_outcomes_of(str(outcomes), None, "suggest", columns=True)
    stages.start("history read (read_frame, as the command reads it)")
    history = read_history(str(batch), None)
    say: Callable[[str], None] = stages.start
    result = suggest(history, reading, split=split, combinations=combinations, progress=say)
    stages.start("draft's files written")
    if result.kept:
        for name, text in result.files("suggested.yaml").items():
            (output / name).write_text(text, encoding="utf-8")
    stages.close()
    return stages, result


def main() -> None:
    from suggest_memory import SPLIT_DAY, START, write_history

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "suggestmem")
    parser.add_argument("--plain", action="store_true", help="without --combinations")
    parser.add_argument(
        "--output", type=Path, help="folder for the draft's files (default: a temporary one)"
    )
    parser.add_argument(
        "--split",
        type=dt.date.fromisoformat,
        default=(START + dt.timedelta(days=SPLIT_DAY)).date(),
        help="first day of the test period (default: the benchmark history's day 120)",
    )
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    batch, outcomes = write_history(args.declarations, args.folder)
    with tempfile.TemporaryDirectory() as scratch:
        output = args.output or Path(scratch)
        output.mkdir(parents=True, exist_ok=True)
        stages, result = run(batch, outcomes, args.split, output, combinations=not args.plain)
        digest = draft_digest(output)
        files = len(list(output.iterdir()))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{args.declarations:,} declarations, {batch.name}, split {args.split}")
    print("| stage | CPU s | wall s | peak MiB | held MiB at its end |")
    print("|---|---:|---:|---:|---:|")
    for name, cpu, wall, peak, held in stages.rows:
        print(f"| {name} | {cpu:.1f} | {wall:.1f} | {peak / _MIB:,.0f} | {held / _MIB:,.0f} |")
    total_cpu = sum(row[1] for row in stages.rows)
    total_wall = sum(row[2] for row in stages.rows)
    print(
        f"| whole run (CPU of the stages, ru_maxrss) | {total_cpu:.1f} | {total_wall:.1f} "
        f"| {usage.ru_maxrss / 1024:,.0f} | |"
    )
    print(f"draft: {len(result.kept):,} values, {files} files, sha256 {digest}")


if __name__ == "__main__":
    main()
