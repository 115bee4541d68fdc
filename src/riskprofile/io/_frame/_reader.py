"""The column-wise reader: slices of the file, rows, keys and ids."""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import polars as pl

from riskprofile.errors import RecordError
from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame._assemble import fast_frame
from riskprofile.io._frame._custom import with_custom_columns, without_empty_custom
from riskprofile.io._frame._groups import _GroupTables
from riskprofile.io._frame._load import _load_csv, _load_parquet, _Source
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._frame._route import _ModelPath, routed
from riskprofile.io._frame._state import _Call
from riskprofile.io._frame._values import (
    _CALL_KEY,
    _GOODS,
    _LIST_COLUMNS,
    _SQUEEZED,
    _canonical,
    _is_blank,
    _iso6346_problem,
    _py_container,
    _py_squeeze,
)
from riskprofile.io._layout import COLUMNS, ColumnMapping
from riskprofile.io._read import BatchFormat
from riskprofile.io._table import TableReader, nest
from riskprofile.model import Strictness
from riskprofile.model.manifest import GoodsItem
from riskprofile.model.shared import MAX_TEXT_CHARS

SLICE_RECORDS = 250_000
SLICE_WORKERS = 2

Progress = Callable[[int, int], None]
"""A read's progress hook: called with (records done, records in the file)."""

# How far a slice's read is after each of its steps, as a share of its records: the
# share of the read's CPU the steps up to it take (``benchmarks/read_frame.py --stages``
# on the million-shipment Parquet file: loading 0.8 s, rows and keys 0.9 s, goods lines
# 0.7 s, calls 0.1 s, bills of lading 2.4 s, containers 0.7 s, assembling 3.1 s, of
# which the shipments and their goods about 1.3 s), so that the progress line advances
# at about an even pace within a slice, not once per slice (a quarter of a million
# records).
SLICE_STEPS = {
    "loaded": 0.10,
    "rows": 0.20,
    "goods": 0.28,
    "calls": 0.30,
    "bills": 0.57,
    "containers": 0.65,
    "routed": 0.66,
    "pieces": 0.80,
}


class _SliceProgress:
    """Records done, counted as each step of each slice is done, and reported to the
    read's hook on the calling thread only (a slice worker records its share and wakes
    that thread). The count never goes down and ends at the file's records."""

    def __init__(self, sizes: list[int], total: int, progress: Progress | None) -> None:
        self.sizes = sizes
        self.total = total
        self.progress = progress
        self.credited = [0] * len(sizes)
        self.reported = 0
        self.lock = threading.Lock()
        self.woken = threading.Event()

    def reach(self, index: int, share: float) -> None:
        """Slice ``index`` has done ``share`` of its work (any thread)."""
        with self.lock:
            done = min(self.sizes[index], int(self.sizes[index] * share))
            self.credited[index] = max(self.credited[index], done)
        self.woken.set()

    def finish(self, index: int) -> None:
        """Slice ``index`` is read (its records all done)."""
        with self.lock:
            self.credited[index] = self.sizes[index]

    def report(self) -> None:
        """Tell the hook the records done, when more than it was last told (calling
        thread only)."""
        with self.lock:
            done = sum(self.credited)
        if self.progress is not None and done > self.reported:
            self.reported = done
            self.progress(done, self.total)

    def wait(self) -> None:
        """Until a slice worker reached a step or finished (calling thread)."""
        self.woken.wait()
        self.woken.clear()

    def wake(self, _future: Future[_Slice]) -> None:
        self.woken.set()


def call_key_sources(table: TableReader) -> list[str]:
    """The file's columns that key the vessel calls: what cutting a file into slices
    reads of every record."""
    return sorted({n for c in _CALL_KEY for n in table.sources.get(c, ())})


def every_record_needs(
    table: Callable[[list[str]], TableReader],
) -> Callable[[list[str], int], list[str]]:
    """What :meth:`_Reader.read` reads of every record of a file with this header and
    number of records before its slices (``table`` makes the file's table reader):
    the call keys, when there is more than one slice to cut."""

    def columns(header: list[str], records: int) -> list[str]:
        return [] if records <= SLICE_RECORDS else call_key_sources(table(header))

    return columns


def whole_file_reason(mapping: ColumnMapping) -> str | None:
    """Why a flat file read with ``mapping`` goes through the model path whole, said
    before it is loaded (None: it is read column-wise): ``read_frame`` and the
    column-wise ``data convert`` alike."""
    if mapping.date_format or mapping.datetime_format:
        return "date formats in the column mapping"
    if any(name in _LIST_COLUMNS for name in mapping.defaults):
        # The default applies when a list has no items, which only splitting tells.
        return "a default for a list column"
    return None


def load_flat(
    path: Path, fmt: BatchFormat, mapping: ColumnMapping, strictness: Strictness
) -> tuple[TableReader, _Source] | str:
    """A flat file loaded for the column-wise reader, with the reference reader's header
    checks (and errors) and the file columns that feed each field; or why the model path
    must read it whole (``mapping`` is resolved, a ``.tsv`` file's tab included)."""
    source = str(path)
    if fmt == "csv":
        # The columns cutting the file into slices reads are parsed with the file.
        every = every_record_needs(lambda header: TableReader(mapping, strictness, header, source))
        loaded = _load_csv(path, mapping, every)
    else:
        loaded = _load_parquet(path)
    if isinstance(loaded, str):
        return loaded
    return TableReader(mapping, strictness, loaded.header, source), loaded


def balanced_cuts(starts: list[int], height: int) -> list[int]:
    """Where to cut ``height`` records into slices: 0, some of ``starts`` (the records
    a slice may begin at, ascending), ``height``. As many slices as ``SLICE_RECORDS``
    asks for, rounded up to a multiple of ``SLICE_WORKERS``, each as near an equal share
    as the starts allow: slices of ``SLICE_RECORDS`` and a short last one kept one
    worker alone on the last long slice while the other had nothing left to do.

    >>> balanced_cuts(list(range(0, 100, 10)), 100)  # SLICE_RECORDS is 250,000
    [0, 100]
    >>> balanced_cuts(list(range(0, 600_000, 1_000)), 600_000)  # and two workers
    [0, 150000, 300000, 450000, 600000]
    """
    count = -(-height // SLICE_RECORDS)
    if count > 1:
        count = -(-count // SLICE_WORKERS) * SLICE_WORKERS
    cuts = [0]
    for i in range(1, count):
        target = i * height // count
        at = bisect.bisect_left(starts, max(target, cuts[-1] + 1))
        if at < len(starts) and starts[at] < height:
            cuts.append(starts[at])
    cuts.append(height)
    return cuts


@dataclass(frozen=True)
class _Slice:
    frame: pl.DataFrame
    rejected: list[RejectedRecord]
    manifests: int
    rows_via_models: int


class _Grouped(NamedTuple):
    rows: pl.DataFrame
    goods: pl.DataFrame
    calls: dict[int, _Call]
    bills: pl.DataFrame
    boxes: pl.DataFrame
    to_models: pl.Series


class _Reader(_GroupTables, _ModelPath):
    """Reads a flat file into the shipment frame, a slice of whole vessel calls at a time."""

    def read(self, progress: Progress | None = None) -> FrameBatch:
        """Read the file a slice of whole vessel calls at a time (every group, merge and
        flag of the reference reader lies within one vessel call), so that the memory
        the column-wise steps take is that of one slice.

        ``progress`` is called on this thread with (records done, records in the file):
        once before the first slice, then as each step of a slice is done (a share of
        the slice's records by ``SLICE_STEPS``) and as each slice is done."""
        frames: list[pl.DataFrame] = []
        rejected: list[RejectedRecord] = []
        manifests = rows_via_models = 0
        total = self.records.height
        if progress is not None:
            progress(0, total)
        slices = self._slices()
        tracker = _SliceProgress([stop - start for start, stop in slices], total, progress)

        def reader(index: int, *, here: bool) -> _Reader:
            part = copy(self)

            def reached(share: float) -> None:
                tracker.reach(index, share)
                if here:  # on the calling thread: told at once
                    tracker.report()

            part._reached = reached if progress is not None else None
            return part

        if len(slices) == 1 or SLICE_WORKERS == 1:
            parts = []
            for index, (start, stop) in enumerate(slices):
                parts.append(reader(index, here=True)._read_records(start, stop))
                tracker.finish(index)
                tracker.report()
        else:
            with ThreadPoolExecutor(max_workers=SLICE_WORKERS) as pool:
                futures: dict[Future[_Slice], int] = {}
                for index, (start, stop) in enumerate(slices):
                    future = pool.submit(reader(index, here=False)._read_records, start, stop)
                    future.add_done_callback(tracker.wake)
                    futures[future] = index
                pending = set(futures)
                while pending:
                    tracker.wait()
                    for future in [f for f in pending if f.done()]:
                        future.result()  # a slice that failed stops the read here
                        pending.discard(future)
                        tracker.finish(futures[future])
                    tracker.report()
                # In file order (a dict keeps the order the slices were submitted in).
                parts = [future.result() for future in futures]
        for part in parts:
            frames.append(part.frame)
            rejected += part.rejected
            manifests += part.manifests
            rows_via_models += part.rows_via_models
        # Slices hold whole calls in file order: their frames follow one another.
        frame = pl.concat(frames) if len(frames) > 1 else frames[0]
        frame = without_empty_custom(frame)
        return FrameBatch(
            source=self.source,
            format=self.fmt,
            strictness=self.strictness,
            frame=frame,
            rejected=tuple(rejected),
            records_read=self.records.height,
            manifests=manifests,
            ignored_columns=tuple(self.table.ignored_columns),
            record_unit=self.unit,
            rows_via_models=rows_via_models,
        )

    # Told the share of the slice done after each step (set per slice by ``read``).
    _reached: Callable[[float], None] | None = None

    def _step_done(self, step: str) -> None:
        if self._reached is not None:
            self._reached(SLICE_STEPS[step])

    def _read_records(self, start: int, stop: int) -> _Slice:
        self.raw = self.records.rows(start, stop)
        self._step_done("loaded")
        if self._file_call_keys is not None:
            self._slice_call_keys = self._file_call_keys.slice(start, stop - start)
        return self._read_slice()

    def _slices(self) -> list[tuple[int, int]]:
        """Ranges of records, each about ``SLICE_RECORDS`` long, that cut no vessel call
        (one range for the whole file when its calls interleave)."""
        height = self.records.height
        if height <= SLICE_RECORDS:
            return [(0, height)]
        used = call_key_sources(self.table)
        if not used:  # no vessel call columns: one call, which no cut may split
            return [(0, height)]
        voyages = self.records.every(used).select(self._column(c) for c in _CALL_KEY)
        keys = self._file_call_keys = self._call_keys(voyages)
        spans = (
            keys.to_frame("_callkey")
            .with_row_index("_row")
            .group_by("_callkey")
            .agg(pl.col("_row").min().alias("_lo"), pl.col("_row").max().alias("_hi"))
            .sort("_lo")
        )
        # A cut may come before a call's first record when every earlier call has ended.
        ended = spans["_hi"].cum_max().shift(1, fill_value=-1)
        starts = spans.filter(ended < spans["_lo"])["_lo"].to_list()
        return list(itertools.pairwise(balanced_cuts(starts, height)))

    def _grouped(self) -> _Grouped:
        """The slice's rows and goods lines, its calls', bills' and containers' group
        tables, and which rows the model path must read: one routing for ``read_frame``
        and the column-wise ``data convert`` alike."""
        rows = self._rows()
        self._step_done("rows")
        goods = self._goods(rows)
        if self.strict:
            # A goods line that breaks a standard is rejected before it joins any group.
            broken = pl.concat([goods.filter(pl.col("_broken"))["_row"], self._refused(rows)])
            rows = rows.with_columns(
                (pl.col("_lone") | pl.col("_row").is_in(broken.implode())).alias("_lone")
            )
        rows = self._ids(rows)
        goods = goods.join(
            rows.filter(~pl.col("_lone")).select("_row", "_bh", "_xh"), on="_row"
        ).sort("_row")
        self._step_done("goods")
        calls = self._calls(rows)
        self._step_done("calls")
        bills = self._bills(rows)
        self._step_done("bills")
        boxes = self._boxes(rows)
        self._step_done("containers")
        to_models = routed(rows, calls, bills, boxes, goods, self.strict)
        return _Grouped(rows, goods, calls, bills, boxes, to_models)

    def _read_slice(self) -> _Slice:
        rows, goods, calls, bills, boxes, to_models = self._grouped()
        lone = rows["_lone"]
        slow_rows = rows.filter(to_models | lone)
        fast_rows = rows.filter(~to_models & ~lone)
        grouped_rows = rows.height - int(lone.sum())
        slow, rejected, slow_calls = self._slow_frame(slow_rows, calls, bills, boxes)
        self._step_done("routed")
        # The file's cells are no longer needed: free them before the widest step.
        self.raw = self.raw.clear()
        fast = fast_frame(
            fast_rows, calls, bills, boxes, goods, grouped_rows, lambda: self._step_done("pieces")
        )
        # The column-wise frame is in the model path's order already; merged, it is sorted.
        if self.mapping.extra:  # the parts' custom columns alike (frames concatenate)
            fast = with_custom_columns(fast, self.mapping.extra)
            slow = with_custom_columns(slow, self.mapping.extra)
        frame = pl.concat([fast, slow]).sort("_k0", "_k1", "_k2", "_k3") if slow.height else fast
        frame = frame.drop("_k0", "_k1", "_k2", "_k3")
        if self.keep is not None:  # read_frame's projection, before the slices add up
            frame = frame.select([c for c in frame.columns if self.keep(c)])
        if self.compact is not None:  # read_frame's compaction, likewise
            frame = self.compact(frame)
        fast_calls = set(fast_rows["_call"].unique().to_list())
        return _Slice(frame, rejected, len(fast_calls | slow_calls), slow_rows.height)

    def _refused(self, rows: pl.DataFrame) -> pl.Series:
        """Rows with a cell too long for its field (few) whose goods line the model
        refuses in strict mode, as the reference reader's ``add`` validates it: it is
        rejected before it joins any group."""
        huge = rows.filter(pl.col("_huge") & pl.col("_has_goods") & ~pl.col("_lone"))
        refused: list[int] = []
        if huge.height:
            used = sorted({n for names in self.table.sources.values() for n in names})
            records = self.raw.select(used).gather(huge["_row"]).iter_rows(named=True)
            for row, number, record in zip(huge["_row"], huge["_number"], records, strict=True):
                doc = nest("goods", self.table.group_values("goods", record))
                if number is not None:
                    doc["container_number"] = number
                try:
                    GoodsItem.model_validate(doc, context=self.table.context)
                except RecordError:
                    refused.append(row)
        return pl.Series(refused, dtype=pl.Int64)

    # --- rows: keys and ids ------------------------------------------------------------

    @staticmethod
    def _call_keys(columns: pl.DataFrame) -> pl.Series:
        """Each record's vessel call as the reference reader keys it (from the voyage key
        columns): one Python key per distinct combination, found among the runs of
        records that repeat the record before them (a file lists a call's records
        together, so there are few runs)."""
        first = pl.int_range(pl.len()) == 0
        differs = [pl.col(c).ne_missing(pl.col(c).shift(1)) for c in columns.columns]
        changed = columns.select(first | pl.any_horizontal(differs)).to_series()
        run = changed.cast(pl.UInt32).cum_sum() - 1
        runs = columns.filter(changed)
        combos = runs.unique()
        keys = [
            "\x1f".join((v.strip().upper() if v and v.strip() else "") for v in combo)
            for combo in combos.iter_rows()
        ]
        combos = combos.with_columns(pl.Series("_callkey", keys, dtype=pl.String))
        of_run = runs.join(combos, on=columns.columns, how="left", nulls_equal=True,
                           maintain_order="left")["_callkey"]  # fmt: skip
        return of_run.gather(run)

    def _rows(self) -> pl.DataFrame:
        """One row per record: its keys (normalised as the reference reader does), ids of
        its call, bill of lading and container, and whether it carries goods."""
        key_cols = ["bl_number", "container_number", *_CALL_KEY]
        # A cell longer than a field's text may be (in bytes, a bound on characters) is
        # judged by the model: the record goes through the model path.
        used = sorted({n for names in self.table.sources.values() for n in names})
        huge = pl.any_horizontal(
            [pl.col(n).str.len_bytes() > MAX_TEXT_CHARS for n in used] or [pl.lit(False)]
        ).fill_null(False)
        base = self.raw.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
            pl.col("__line__").alias("_line"),
            huge.alias("_huge"),
            *[self._column(c) for c in key_cols],
        ).with_columns(self._has_goods())
        bl = _canonical(base["bl_number"], _SQUEEZED, _py_squeeze).alias("_bl")
        number = _canonical(base["container_number"], r"^[A-Z0-9]+$", _py_container).alias(
            "_number"
        )
        rows = base.with_columns(bl, number).with_columns(
            _lone=pl.col("_bl").is_null() & (pl.col("_number").is_null() | pl.col("_has_goods"))
        )
        keys = self._slice_call_keys
        rows = rows.with_columns(
            self._call_keys(rows.select(*_CALL_KEY)) if keys is None else keys.alias("_callkey")
        )
        # The ISO 6346 verdict on each container number (arithmetic on every row costs
        # less than finding the distinct numbers and looking the verdicts up).
        rows = rows.with_columns(_iso6346_problem(pl.col("_number")).alias("_tnum"))
        # In record order already (every step above keeps the rows in place).
        return rows.select(
            pl.col("_row").set_sorted(), "_line", "_callkey", "_bl", "_number", "_tnum",
            "_has_goods", "_lone", "_huge",
        )  # fmt: skip

    def _has_goods(self) -> pl.Series:
        """Whether each record has a goods cell that is not blank, with few blank tests
        (a regular expression a cell): a record whose goods cells are all null has none
        (a third of the records of a flat file: container and B/L rows), nearly every
        goods line has an HS code, and a later goods column is tested only on the
        records whose earlier cells were all blank."""
        cells = self._select([self._column(n) for n in _GOODS])
        first, *later = _GOODS
        filled = cells.select(~_is_blank(pl.col(first))).to_series()
        some = cells.select(~pl.all_horizontal(pl.all().is_null())).to_series()
        pending = (some & ~filled).arg_true()
        for name in later:
            if pending.len() == 0:
                break
            found = cells.select(pl.col(name).gather(pending)).select(~_is_blank(pl.col(name)))
            filled = filled.scatter(pending.filter(found.to_series()), True)
            pending = pending.filter(~found.to_series())
        return filled.alias("_has_goods")

    def _ids(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Ids of each row's call (its first row), bill of lading and container (hashes of
        the call and the key); rows rejected on their own belong to none."""
        first = (
            rows.filter(~pl.col("_lone"))
            .group_by("_callkey")
            .agg(pl.col("_row").min().alias("_call"))
        )
        # A lookup of the few calls keeps the rows in record order (a join did not: the
        # rows were sorted again, every column gathered).
        call = pl.col("_callkey").replace_strict(
            first["_callkey"], first["_call"], default=None, return_dtype=pl.Int64
        )
        rows = rows.with_columns(pl.when(~pl.col("_lone")).then(call).alias("_call"))
        rows = rows.with_columns(
            pl.when(pl.col("_bl").is_not_null() & ~pl.col("_lone"))
            .then(pl.struct("_call", "_bl").hash(seed=7))
            .alias("_bh"),
            pl.when(pl.col("_number").is_not_null() & ~pl.col("_lone"))
            .then(pl.struct("_call", "_number").hash(seed=11))
            .alias("_xh"),
        )
        # One chunk per column: the later steps gather from these columns.
        return rows.rechunk()


def read_text_rows(
    path: Path,
    cells: pl.DataFrame,
    fmt: BatchFormat,
    strictness: Strictness,
    progress: Progress | None = None,
) -> FrameBatch:
    """Rows of the flat layout held as text columns (each of ``COLUMNS``; a missing one
    is empty), read column-wise as a flat file's rows are: for readers that lay their
    records out so (the column-wise EDIFACT reader). ``path`` names the source;
    ``progress`` counts rows. The caller checks ``rejected`` and ``rows_via_models``."""
    names = [c.name for c in COLUMNS]
    missing = [pl.lit(None, pl.String).alias(n) for n in names if n not in cells.columns]
    cells = cells.with_columns(missing).select(names)
    cells = cells.with_columns(pl.int_range(1, cells.height + 1, dtype=pl.Int64).alias("__line__"))

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        wanted = [*names, "__line__"] if columns is None else [*columns, "__line__"]
        return cells.select(wanted).slice(start, stop - start).rechunk()

    mapping = ColumnMapping.identity()
    table = TableReader(mapping, strictness, names, str(path))
    source = _Source(names, cells.height, load)
    return _Reader(path, fmt, mapping, strictness, table, source).read(progress)
