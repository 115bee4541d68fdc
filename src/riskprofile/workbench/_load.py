"""Turning a batch file into the day's cases: read, score, select, and the rows to store.

A file is identified by the SHA-256 of its bytes. It is read column-wise
(:func:`~riskprofile.io.read_frame`) from a private temporary copy, scored with the
workbench's profiles (and history store, when there is one), and the inspection list is
drawn as ``riskprofile score`` draws it (:func:`~riskprofile.select`: forced, score,
seeded control sample, under the capacity). Nothing here writes to the store: the caller
inserts every row in one transaction, so a batch is loaded whole or not at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskprofile.errors import DataError, InputFormatError, MissingSourceWarning, WorkbenchError
from riskprofile.io import FrameBatch, RejectedRecord, read_frame
from riskprofile.profiles import CompiledProfile
from riskprofile.results import ScoringRun
from riskprofile.scoring import score
from riskprofile.selection import Capacity, Selection, select
from riskprofile.workbench._detail import unit_detail

__all__ = [
    "BATCH_SUFFIXES",
    "Scored",
    "WorkbenchConfig",
    "batch_id_of",
    "read_content",
    "score_batch",
]

BATCH_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", ".parquet", ".edi", ".cuscar")
"""The file names a batch may have: the suffix says the format."""


@dataclass(frozen=True)
class WorkbenchConfig:
    """How the workbench draws each batch's inspection list, and what it accepts.

    Attributes:
        capacity: inspections a batch's list may hold: a count, a share (``"3%"``) or
            per lane, as for :func:`~riskprofile.select`.
        control_rate: the seeded random control sample's share (``"1%"``; 0 for none).
        seed: the control sample's seed; None: taken from the batch's content hash, so
            each day draws its own sample and the same file always draws the same one.
        control_on_top: draw the control sample on top of the capacity.
        mapping: a column mapping for the files loaded (a cargo system's own columns).
        max_bytes: the largest file accepted.
        settle_seconds: a file in the drop folder is loaded once it has not changed for
            this long (so a file still being written is never loaded half-way).
    """

    capacity: Capacity = "3%"
    control_rate: float | str = "1%"
    seed: int | None = None
    control_on_top: bool = False
    mapping: str | Path | None = None
    max_bytes: int = 64 * 2**20
    settle_seconds: float = 2.0


@dataclass(frozen=True)
class Scored:
    """A batch read, scored and selected: what the store keeps of it."""

    frame_batch: FrameBatch
    run: ScoringRun
    selection: Selection
    seed: int | None
    units: list[dict[str, Any]]
    rejected: tuple[RejectedRecord, ...]
    notes: tuple[str, ...] = ()


def batch_id_of(content: bytes) -> str:
    """The batch's id: ``b-`` and the first 16 hex digits of its bytes' SHA-256."""
    return "b-" + hashlib.sha256(content).hexdigest()[:16]


def _suffix(name: str) -> str:
    suffix = "".join(Path(name).suffixes[-1:]).lower()
    if suffix not in BATCH_SUFFIXES:
        raise WorkbenchError(
            f"cannot tell the format from the file name; use one of {', '.join(BATCH_SUFFIXES)}",
            unit=name,
        )
    return suffix


@contextmanager
def read_content(content: bytes, name: str, mapping: str | Path | None) -> Iterator[FrameBatch]:
    """Read ``content`` (a file called ``name``) as a batch, from a private temporary copy.

    Raises:
        WorkbenchError: the file cannot be read as a batch at all (its name and why).
    """
    suffix = _suffix(name)
    with tempfile.TemporaryDirectory(prefix="riskprofile-workbench-") as folder:
        path = Path(folder) / f"batch{suffix}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        try:
            read = read_frame(path, mapping=mapping)
        except (InputFormatError, DataError) as exc:
            message = getattr(exc, "message", None) or str(exc).replace(str(path), name)
            raise WorkbenchError(message, unit=name) from None
        yield dataclasses.replace(read, source=name)


def _seed(config: WorkbenchConfig, batch_id: str) -> int | None:
    if config.seed is not None:
        return config.seed
    return int(batch_id.removeprefix("b-")[:8], 16)


def score_batch(
    read: FrameBatch,
    batch_id: str,
    profiles: list[CompiledProfile],
    as_of: dt.datetime,
    config: WorkbenchConfig,
    history: Any,
    unit_id: Callable[[int], str],
) -> Scored:
    """Score and select a batch read; the unit rows to insert, in rank order.

    Raises:
        WorkbenchError: no shipment of the file could be read.
    """
    if read.frame.height == 0:
        why = "; ".join(f"{read.record_unit} {r.record}: {r.reason}" for r in read.rejected[:3])
        raise WorkbenchError(
            f"no shipment could be read from {read.records_read} record(s)"
            + (f" ({why})" if why else ""),
            unit=read.source,
        )
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", MissingSourceWarning)
        run = score(read, profiles, as_of=as_of, history=history)
    # Said out loud with the batch (a page shows it), not lost on a server's stderr.
    notes = tuple(str(w.message) for w in said if issubclass(w.category, MissingSourceWarning))
    seed = _seed(config, batch_id)
    selection = select(
        run, capacity=config.capacity, control_rate=config.control_rate, seed=seed,
        control_on_top=config.control_on_top, not_scored=read.rejected,
    )  # fmt: skip
    picked = {s.container.key: (s.rank, s.reason) for s in selection.selected}
    units = []
    for position, container in enumerate(run.containers):
        rank, reason = picked.get(container.key, (None, None))
        units.append(
            {
                "unit_id": unit_id(position),
                "batch_id": batch_id,
                "unit_key": container.key,
                "container_number": container.container_number,
                "bl_numbers": json.dumps(list(container.bl_numbers)),
                "position": position,
                "score": str(container.score),
                "lane": container.lane,
                "forced_lane": container.forced_lane,
                "list_rank": rank,
                "state": "selected" if rank is not None else "not_selected",
                "selected_by": reason,
                "detail": json.dumps(unit_detail(container), sort_keys=True),
            }
        )
    return Scored(read, run, selection, seed, units, read.rejected, notes)
