"""``riskprofile score``: score a batch and print the inspection list."""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import os
import shutil
import sys
import threading
import warnings
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from riskprofile.cli import _args
from riskprofile.cli._progress import Progress

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.io import FrameBatch, RejectedRecord
    from riskprofile.model import Strictness
    from riskprofile.profiles import CompiledProfile, ProfileSet
    from riskprofile.results import FrameRun
    from riskprofile.scoring import ScoringRun
    from riskprofile.selection import Selection

__all__ = ["register"]


def register(commands: Any) -> None:
    score = commands.add_parser(
        "score",
        help="score a batch and select containers for inspection",
        description="Read a batch, score every container against the risk profiles "
        "(the bundled ones unless --profiles is given), select containers for inspection "
        "under the capacity, with an optional seeded control sample, and print or write "
        "the list with the reasons.",
    )
    score.add_argument("batch", help="batch file (JSON, JSON Lines, CSV, Parquet)")
    score.add_argument("-m", "--mapping", help="column mapping YAML for CSV/Parquet exports")
    score.add_argument(
        "--strict", action="store_true", help="reject records with invalid codes (exit 1 if any)"
    )
    score.add_argument(
        "--profiles",
        action="append",
        metavar="PATH",
        help=_args.PROFILES_HELP,
    )
    score.add_argument(
        "--country", type=_args.country,
        help="apply this country's overlays (ISO 3166, e.g. PK)",
    )  # fmt: skip
    score.add_argument(
        "--include-drafts", action="store_true",
        help="also score with draft profiles (to try them out)",
    )  # fmt: skip
    score.add_argument(
        "--as-of",
        type=_args.as_of,
        help="evaluation date or time for $today/$now (ISO 8601; default: today, UTC)",
    )
    score.add_argument(
        "--capacity",
        default="3%",
        help="physical inspections available (red and yellow lanes): a count (30), a share "
        "of the batch (3%%), or quotas per lane (red=2,yellow=5%%; blue=N counts documentary "
        "checks too); default 3%%",
    )
    score.add_argument(
        "--control-rate", default="0", help="random control sample share (e.g. 1%%); default 0"
    )
    score.add_argument("--seed", type=int, help="seed of the control sample (required with it)")
    score.add_argument(
        "--control-on-top", action="store_true",
        help="draw the control sample on top of the capacity (default: within it)",
    )  # fmt: skip
    score.add_argument(
        "--details", action="store_true", help="list every hit of each selected container"
    )
    score.add_argument(
        "--format", choices=["table", "csv", "json", "parquet"], default=None,
        help="output format (default: table, or from the -o file name)",
    )  # fmt: skip
    score.add_argument("-o", "--output", help="write to this file (csv/parquet also write .hits)")
    score.add_argument(
        "--engine", type=_engine, default="auto",
        help="evaluation engine: auto (default) and columnar score the whole batch "
        "column-wise; rowwise is the reference, one shipment at a time; duckdb, a "
        "postgresql:// URL or spark (a local Spark session) evaluates the conditions in "
        "that database (docs/engines.md); "
        "all give the same results",
    )  # fmt: skip
    score.add_argument(
        "--history", metavar="STORE",
        help="fill the history fields (consignee_first_seen_days...) from this history "
        "store: a DuckDB file or a postgresql:// DSN (see 'riskprofile history')",
    )  # fmt: skip
    score.add_argument(
        "--stowplan", metavar="BAPLIE",
        help="the vessel's stow plan (BAPLIE): fill the stowplan_* cross-check fields and "
        "list the containers on board and on no manifest (docs/edifact.md)",
    )  # fmt: skip
    score.add_argument(
        "--unevaluable-warn", type=_share, default=0.05, metavar="SHARE",
        help="warn of every indicator that could not be evaluated on more than this share "
        "of the units (5%%, 0.05); default 5%%",
    )  # fmt: skip
    score.set_defaults(run=_score)


def _engine(text: str) -> str:
    """``auto``, ``rowwise``, ``columnar``, ``duckdb``, ``spark`` or a PostgreSQL URL."""
    if text in ("auto", "rowwise", "columnar", "duckdb", "spark") or text.startswith(
        ("postgresql://", "postgres://")
    ):
        return text
    raise argparse.ArgumentTypeError(
        f"{text!r}: expected auto, rowwise, columnar, duckdb, spark or a postgresql:// URL"
    )


def _share(text: str) -> float:
    """A share from 0 to 1, written ``5%`` or ``0.05``."""
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"not a share from 0 to 1 (5% or 0.05): {text!r}")
    return value


def _usage(message: str) -> SystemExit:
    return _args.usage_error("score", message)


def _width() -> int:
    """The columns the list is wrapped to: ``COLUMNS`` when set, the terminal's width on
    a terminal, else 100 (a file or a pipe: the same bytes wherever it runs)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    return 100


def check_profiles(
    profiles: Iterable[CompiledProfile],
    as_of: dt.datetime,
    include_drafts: bool,
    command: str,
    *,
    missing_sources: Sequence[tuple[str, frozenset[str], str]] = (),
) -> None:
    """Say on standard error which profiles will not score and why; raise
    :class:`~riskprofile.errors.NoProfilesError` (its own exit code) when none will.

    ``missing_sources``: (what, its fields, what to do) for each source of fields the run
    was not given (a stow plan, a history store; :func:`~riskprofile.rules.missing_sources`):
    the indicators that read those fields are null there and cannot fire, which is said,
    not left silent."""
    from riskprofile.errors import NoProfilesError
    from riskprofile.rules import applicable_profiles, require_profiles, unfed_indicators

    taking_part, skipped = applicable_profiles(profiles, as_of, include_drafts)
    for profile_id, why in skipped.items():
        print(f"riskprofile {command}: profile {profile_id} not scored: {why}", file=sys.stderr)
    for line in unfed_indicators(taking_part, missing_sources):
        print(f"riskprofile {command}: warning: {line}", file=sys.stderr)
    for profile in taking_part:
        # A list whose every entry has expired matches nothing: a silent miss unless said.
        for name in profile.expired_lists(as_of):
            print(f"riskprofile {command}: warning: profile {profile.id}: every entry of list "
                  f"${name} has expired as of {as_of.isoformat()}, so it matches nothing "
                  "(renew or refresh the list)", file=sys.stderr)  # fmt: skip
    try:
        require_profiles(taking_part, skipped, as_of)
    except NoProfilesError as exc:
        drafts = any(why.startswith("draft") for why in skipped.values())
        hint = "; --include-drafts scores drafts" if drafts else ""
        day = as_of.date().isoformat()
        what = f"all {len(skipped)} were skipped (listed above)" if skipped else "none was given"
        raise NoProfilesError(
            f"no profile takes part in the run as of {day}: {what}{hint}", skipped=exc.skipped
        ) from None


def _check_custom_fields(args: argparse.Namespace, profiles: ProfileSet) -> None:
    """Refuse profiles requiring custom fields (``requires: extra:``) that the column
    mapping of a flat batch does not give so; a JSON batch carries its own (``extra``)."""
    from riskprofile.io import ColumnMapping, detect_format
    from riskprofile.profiles import check_custom_fields

    if detect_format(Path(args.batch)) not in ("csv", "parquet"):
        return
    mapping = ColumnMapping.of(args.mapping)
    check_custom_fields(profiles, mapping.extra, args.mapping)


def _missing_sources(args: argparse.Namespace) -> list[tuple[str, frozenset[str], str]]:
    """The sources of fields ``riskprofile score`` was not given."""
    from riskprofile.rules import missing_sources

    return missing_sources(
        history=getattr(args, "history", None),
        stowplan=getattr(args, "stowplan", None),
        command_line=True,
    )


def _score(args: argparse.Namespace) -> int:
    with _fewer_collections():
        return _score_batch(args)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """While a batch is scored, the objects made so far frozen out of the garbage
    collector's reach (again once the profiles are loaded) and its youngest generation
    collected ten times less often: the modules and profiles live until the run ends, so
    each collection walked them again for nothing (about a tenth of a port day's CPU went
    to the collector). Undone at the end (the command also runs inside other processes:
    the objects frozen meanwhile are handed back to the collector)."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(threshold[0] * 10, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _score_batch(args: argparse.Namespace) -> int:
    from riskprofile.cli._output import check_outputs
    from riskprofile.output import FilesAhead, output_files
    from riskprofile.selection import capacity_from_text, check_selection, select

    # The options that need no file are checked first, the output paths next, then the
    # input files: a bad --capacity is refused before anything is read (docs/cli.md).
    try:
        check_selection(
            capacity_from_text(args.capacity), control_rate=args.control_rate, seed=args.seed
        )
    except ValueError as exc:
        raise _usage(str(exc)) from None
    fmt = args.format
    if fmt is None:
        suffix = (args.output or "").rsplit(".", 1)[-1].lower() if args.output else ""
        fmt = suffix if suffix in ("csv", "json", "parquet") else "table"
    if args.output and fmt == "table" and args.format is None:
        raise _usage(f"cannot tell the output format from {args.output!r}: use a .json, "
                     ".csv or .parquet file, or --format")  # fmt: skip
    if fmt == "parquet" and not args.output:
        raise _usage("--format parquet needs -o FILE")
    check_outputs(
        "score",
        output_files(args.output, fmt) if args.output else [],
        [args.batch, args.mapping, args.stowplan, *(args.profiles or [])],
    )
    progress = Progress()
    strictness: Strictness = "strict" if args.strict else "lenient"
    # The column-wise read runs in a thread while the profiles load: Polars parses with
    # the GIL released, the profiles are pure Python, so a second core does the one
    # while the other does the other. Its result (or error) is taken once the profiles
    # are known good: a profile error, or a run no profile takes part in, is still
    # reported first and at once (the read is then abandoned, unfinished).
    ahead = _ReadAhead(args, strictness, progress) if args.engine != "rowwise" else None
    profiles = _args.load_profiles(args.profiles, args.country)
    _check_custom_fields(args, profiles)
    as_of = args.as_of or dt.datetime.now(tz=dt.UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    check_profiles(
        profiles, as_of, args.include_drafts, "score", missing_sources=_missing_sources(args)
    )
    gc.freeze()  # the modules and the profiles live as long as the run (see _fewer_collections)
    if ahead is not None and args.engine in ("auto", "columnar"):
        # While the batch is still being read: the conditions translated for the
        # column-wise engine, as score_frame would translate them once it has the frame.
        from riskprofile.engines.columnar import translate_ahead
        from riskprofile.scoring import applicable_profiles

        taking_part, _ = applicable_profiles(profiles, as_of, args.include_drafts)
        translate_ahead(taking_part, as_of)
    run: ScoringRun | FrameRun
    if ahead is None:
        run, read = _via_models(args, profiles, as_of, strictness, progress)
    else:
        run, read = _columnar(args, profiles, as_of, ahead, progress)
    # The files (or the JSON/CSV text) read few of the batch's columns, and their hits
    # do not depend on the selection: the run is cut for them, and its hits explained,
    # on a thread of their own while the selection and the top of the list are made
    # from the whole run.
    ahead_files = FilesAhead(run) if fmt != "table" else None
    try:
        selection = select(
            run, capacity=capacity_from_text(args.capacity), control_rate=args.control_rate,
            seed=args.seed, control_on_top=args.control_on_top, not_scored=read.rejected,
        )  # fmt: skip
    except ValueError as exc:
        raise _usage(str(exc)) from None
    top = _top_of_list(args, fmt, run, selection)
    if ahead_files is not None:
        # The list is made. Rebinding ``run`` (and the selection's) leaves no reference
        # to the whole frame, whose memory goes back before the files' tables are built.
        run = ahead_files.result()
        selection = replace(selection, run=run)
    _write(args, fmt, run, selection, progress, top)
    if read.rejected:
        print(f"{len(read.rejected):,} of {read.records_read:,} records rejected (listed on "
              "standard error)", file=sys.stderr)  # fmt: skip
    return 1 if (args.strict and read.rejected) else 0


def _top_of_list(
    args: argparse.Namespace, fmt: str, run: ScoringRun | FrameRun, selection: Selection
) -> str | None:
    """The top of the list that a command writing files prints (None for the others),
    made before the files: it shows units one by one, from the whole run."""
    from riskprofile.output import text_table

    if not args.output or fmt == "table":
        return None
    return text_table(
        run, selection, limit=10, unevaluable_warning=args.unevaluable_warn, width=_width(),
        details=args.details,
    )  # fmt: skip


@dataclass(frozen=True)
class _ReadAccount:
    """What the command keeps of the batch read once it is scored (not its frame)."""

    source: str
    record_unit: str
    records_read: int
    rejected: Sequence[RejectedRecord]


class _Read(Protocol):
    """What the command says of the batch read: a :class:`~riskprofile.io.Batch` or a
    :class:`~riskprofile.io.FrameBatch`."""

    @property
    def source(self) -> str: ...
    @property
    def record_unit(self) -> str: ...
    @property
    def records_read(self) -> int: ...
    @property
    def rejected(self) -> Sequence[RejectedRecord]: ...


def _say_rejected(read: _Read) -> None:
    for rejected in read.rejected:
        print(f"{read.source}: {read.record_unit} {rejected.record}: {rejected.reason}",
              file=sys.stderr)  # fmt: skip


def _via_models(
    args: argparse.Namespace,
    profiles: ProfileSet,
    as_of: dt.datetime,
    strictness: Strictness,
    progress: Progress,
) -> tuple[ScoringRun, _Read]:
    """The reference path (``--engine rowwise``): a model object per record and per
    shipment (``read_batch``), scored one shipment at a time by the row-wise engine."""
    from riskprofile.errors import MissingSourceWarning
    from riskprofile.io import read_batch
    from riskprofile.scoring import score

    with progress.stage(f"reading {args.batch}"):
        batch = read_batch(args.batch, mapping=args.mapping, strictness=strictness)
    _say_rejected(batch)
    with (
        progress.stage("scoring", len(batch.shipments), "shipments") as step,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", MissingSourceWarning)  # said above, on stderr
        run = score(
            batch, profiles, as_of=as_of, include_drafts=args.include_drafts, progress=step,
            engine="rowwise", history=_history(args, as_of), stowplan=args.stowplan,
        )  # fmt: skip
    return run, batch


class _ReadAhead:
    """The batch read into the shipment frame in a thread of its own, started at once;
    :meth:`result` waits for it and gives the batch, or raises what the read raised.

    The thread is a daemon: a command that fails before it wants the batch (a profile
    error) exits without waiting for the read. The modules the read uses are imported
    before it starts, so that the two threads never import one module at once."""

    def __init__(self, args: argparse.Namespace, strictness: Strictness, progress: Progress):
        from riskprofile.cli._read import read

        for module in ("riskprofile.io._frame", "riskprofile.profiles._load"):
            importlib.import_module(module)

        self._batch: FrameBatch | None = None
        self._error: BaseException | None = None

        def work() -> None:
            try:
                self._batch = read(
                    args.batch, mapping=args.mapping, strictness=strictness, progress=progress
                )
            except BaseException as exc:  # given to the main thread by result()
                self._error = exc

        self._thread = threading.Thread(target=work, name="riskprofile-read", daemon=True)
        self._thread.start()

    def result(self) -> FrameBatch:
        """The batch read (waits for the read to finish)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        batch, self._batch = self._batch, None  # handed over: the frame is not kept here
        assert batch is not None
        return batch


def _columnar(
    args: argparse.Namespace,
    profiles: ProfileSet,
    as_of: dt.datetime,
    ahead: _ReadAhead,
    progress: Progress,
) -> tuple[FrameRun, _Read]:
    """The default path: the batch read straight into the shipment frame and scored
    column-wise, no Python object per shipment."""
    from riskprofile.engines.columnar import score_frame

    frame_engine = None
    if args.engine in ("duckdb", "spark") or args.engine.startswith("postgres"):
        from riskprofile.engines.sql import SqlEngine  # the database's client: when asked

        frame_engine = SqlEngine(args.engine)

    batch = ahead.result()
    _say_rejected(batch)
    if frame_engine is None and args.history is None and args.stowplan is None:
        fields = _fields_read(profiles, as_of, args.include_drafts)
        cut = _reading_only_what_is_read(batch, fields)
        if cut is not batch:  # the whole frame is freed here: its kept columns are cut's
            batch = cut
            del cut
            _in_one_chunk(batch.frame, fields)
    store = _history(args, as_of)
    if store is not None:
        from riskprofile.history import with_history

        with progress.stage("joining the history fields"):
            batch = replace(batch, frame=with_history(batch.frame, store, as_of))
    check = None
    if args.stowplan is not None:
        from riskprofile.io.edifact import join_stowplan

        with progress.stage(f"joining the stow plan {args.stowplan}"):
            joined, check = join_stowplan(batch.frame, args.stowplan)
            batch = replace(batch, frame=joined)
    with progress.stage(f"scoring {batch.frame.height:,} shipments"):
        run = score_frame(
            batch, profiles, as_of=as_of, include_drafts=args.include_drafts,
            frame_engine=frame_engine,
        )  # fmt: skip
    account = _ReadAccount(batch.source, batch.record_unit, batch.records_read, batch.rejected)
    return (run if check is None else replace(run, stowplan=check)), account


def _reading_only_what_is_read(batch: FrameBatch, fields: Collection[str]) -> FrameBatch:
    """The batch with the shipment fields that nothing of this run reads left blank
    (:meth:`~riskprofile.io.FrameBatch.reading_only`), given the ``fields`` it reads
    (:func:`_fields_read`). Every field was read and
    checked (the rejected records and quality flags are the file's); the fields left
    blank (about a quarter of the frame's memory at a million shipments with the
    bundled library: addresses, the notify party, the vessel...) are freed before
    scoring, and the output is the same bytes.

    Kept whole when two shipments share an id: the outputs order those by their whole
    content (as the row-wise run does)."""
    ids = batch.frame.get_column("shipment_id")
    # By their hashes (a tenth of the CPU of comparing the texts at a million): two ids
    # that collide only keep the frame whole.
    if ids.hash().n_unique() != ids.len():
        return batch
    return batch.reading_only(fields)


def _fields_read(profiles: ProfileSet, as_of: dt.datetime, include_drafts: bool) -> frozenset[str]:
    """The shipment fields a run of the profiles taking part reads: those their
    conditions read (a party compared with a trader list whole) and those the outputs
    show (:func:`~riskprofile.output.shown_fields`)."""
    from riskprofile.lists.shared import party_fields
    from riskprofile.output import shown_fields
    from riskprofile.scoring import applicable_profiles

    taking_part, _ = applicable_profiles(profiles, as_of, include_drafts)
    fields = set(shown_fields(i for p in taking_part for i in p.indicators))
    for profile in taking_part:
        fields.update(*(i.condition.fields for i in profile.indicators))
        fields.update(*(e.condition.fields for e in profile.exceptions))
    for name in [f for f in fields if f.endswith("_name")]:  # a trader list reads the party
        fields.update(f for f in party_fields(name[: -len("_name")]) if f)
    return frozenset(fields)


def _in_one_chunk(frame: pl.DataFrame, kept: Collection[str]) -> None:
    """Put each column of ``frame`` (read slice by slice: one chunk a slice) in one chunk,
    in place, one column at a time, so that each column's chunks are freed as soon as it
    is copied (``frame`` must be their only holder). ``kept``: the fields
    :meth:`~riskprofile.io.FrameBatch.reading_only` kept; the others are its blanks.

    The run reads these columns many times, and polars gathers from a column in one
    chunk several times faster: the hits' explanations put every column they read in
    one chunk first, about 700 MiB at a million shipments held while the hits are
    explained, the run's peak. A blank, or a column the read left all null, is shared by
    the columns with the same value: it is made whole once, not once per column."""
    from riskprofile.model.frame import frame_schema

    schema = frame_schema()
    shared: dict[tuple[str, str], pl.Series] = {}
    for index, name in enumerate(frame.columns):
        column = frame.get_column(name)
        if column.n_chunks() == 1:
            continue
        blank = name in schema and name not in kept
        if blank or column.null_count() == column.len():
            key = (str(column.dtype), repr(column.head(1).to_list()))
            if key not in shared:
                shared[key] = column.rechunk()
            frame.replace_column(index, shared[key].alias(name))
        else:
            frame.replace_column(index, column.rechunk())
        del column


def _write(
    args: argparse.Namespace,
    fmt: str,
    run: ScoringRun | FrameRun,
    selection: Selection,
    progress: Progress,
    top: str | None,
) -> None:
    """The list on standard output, or the files ``-o`` names (with ``top``, the top of
    the list, :func:`_top_of_list`).

    Progress is drawn only while files are written: standard output may be the same
    terminal."""
    from riskprofile.output import output_files, text_table, write_output

    warn = args.unevaluable_warn
    width = _width()
    if args.output and fmt == "table":
        with progress.stage(f"writing {args.output}"):
            listing = text_table(
                run, selection, limit=10**9, unevaluable_warning=warn, width=width,
                details=args.details,
            )  # fmt: skip
            Path(args.output).write_text(listing, encoding="utf-8")
        print(f"wrote {args.output}")
    elif args.output:
        files = len(output_files(args.output, fmt))
        with progress.stage(f"writing {args.output}", files, "files") as step:
            written = write_output(run, args.output, selection=selection, format=fmt, progress=step)
        print(top, end="")
        print("wrote " + ", ".join(str(p) for p in written))
    elif fmt == "table":
        listing = text_table(
            run, selection, unevaluable_warning=warn, width=width, details=args.details
        )
        print(listing, end="")
    else:  # JSON or CSV text on standard output, in parts
        from riskprofile.output import write_text

        write_text(run, sys.stdout, selection, format=fmt)
    if fmt in ("json", "csv") and not args.output:
        from riskprofile.scoring import unevaluable_warnings

        for warning in unevaluable_warnings(run, warn):  # standard output is the data
            print(f"warning: {warning}", file=sys.stderr)
        for warning in run.stowplan.warnings if run.stowplan is not None else ():
            print(f"warning: {warning}", file=sys.stderr)


def _history(args: argparse.Namespace, as_of: dt.datetime) -> str | None:
    """The ``--history`` store, said out loud when it knows nothing before ``as_of``
    (then every party is new to it: a run that looks informed but is not)."""
    if args.history is None:
        return None
    from riskprofile.history import open_store

    store: str = args.history
    with open_store(store, create=False) as opened:
        seen = opened.stats(as_of).shipments
    if seen == 0:
        print(f"riskprofile: warning: the history store {opened.location} has no shipment before "
              f"{as_of.isoformat()}: every party is new to it", file=sys.stderr)  # fmt: skip
    return store
