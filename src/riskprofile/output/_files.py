"""The run's files: JSON, CSV and Parquet, with the audit block."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from riskprofile.io.shared import csv_line
from riskprofile.output._tables import (
    CONTAINER_COLUMNS,
    HIT_COLUMNS,
    Run,
    container_rows,
    hit_rows,
    is_object_run,
    tables_of,
)

if TYPE_CHECKING:  # runs and selections call output: no import back at run time
    import polars as pl

    from riskprofile.profiles import CompiledIndicator
    from riskprofile.results import FrameRun, ScoringRun
    from riskprofile.selection import Selection


def _shipment_count(run: Run) -> int:
    if is_object_run(run):
        return len(run.shipments)
    return run.shipment_scores.height


def _audit(run: Run, selection: Selection | None) -> dict[str, Any]:
    audit: dict[str, Any] = {
        "as_of": run.as_of.isoformat(),
        "profiles": [
            {"id": pid, "version": run.profile_versions.get(pid), "fingerprint": fp}
            for pid, fp in sorted(run.fingerprints.items())
        ],
        "skipped_profiles": dict(sorted(run.skipped_profiles.items())),
        "containers": len(run.containers),
        "shipments": _shipment_count(run),
        # Per indicator, the units it could not be evaluated on (no hit there).
        "unevaluable": {
            key: {"units": count, "share": round(count / len(run.containers), 4)}
            for key, count in run.unevaluable.items()
        },
    }
    if selection is not None:
        audit.update(
            capacity=selection.capacity,
            control_rate=selection.control_rate,
            seed=selection.seed,
            capacity_lanes=list(selection.lanes),
            control_on_top=selection.control_on_top,
            selected=len(selection.selected),
            left_out=[c.key for c in selection.left_out],
            documentary=[c.key for c in selection.documentary],
            not_scored=[
                {
                    "container_number": u.container_number,
                    "bl_numbers": list(u.bl_numbers),
                    "records": list(u.records),
                    "reasons": list(u.reasons),
                    "partly_scored": u.partly_scored,
                }
                for u in selection.manual_review
            ],
            warnings=list(selection.warnings),
        )
    if run.stowplan is not None:
        # Units on board and on no manifest are no shipment: listed here, not lost.
        audit["stowplan"] = run.stowplan.as_dict()
    if run.records_read is not None:
        # Scored from a batch: what was read and what was not, so that nothing is lost.
        audit.update(
            source=run.source,
            records_read=run.records_read,
            records_accepted=run.records_accepted,
            rejected=[{"record_unit": run.record_unit, **r.as_dict()} for r in run.rejected],
        )
    return audit


def to_json(run: Run, selection: Selection | None = None) -> str:
    """The run as one JSON document: audit trail, containers, hits (``run``: a
    :class:`~riskprofile.results.ScoringRun` or a column-wise
    :class:`~riskprofile.results.FrameRun`, the same text for both)."""
    run = tables_of(run)
    if not is_object_run(run):
        from riskprofile.output import _frame_files

        return "".join(
            p if isinstance(p, str) else _frame_files.json_text(p)
            for p in _json_parts(run, selection)
        )
    doc = {
        "audit": _audit(run, selection),
        "containers": container_rows(run, selection),
        "hits": hit_rows(run),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _json_parts(run: FrameRun, selection: Selection | None) -> Iterator[str | pl.DataFrame]:
    """A column-wise run's JSON document in parts (:func:`~riskprofile.output._frame_files.
    json_parts`): the audit block by ``json.dumps``, the two tables' text by polars."""
    from riskprofile.output import _frame, _frame_files

    head = json.dumps({"audit": _audit(run, selection)}, indent=2, ensure_ascii=False)
    yield head[:-2] + ',\n  "containers": '
    yield from _frame_files.json_parts(_frame.container_frame(run, selection), CONTAINER_COLUMNS)
    yield ',\n  "hits": '
    yield from _frame_files.json_parts(_frame.hit_frame(run), HIT_COLUMNS)
    yield "\n}\n"


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    # Manifest text (vessel, B/L, container numbers, names) is untrusted: no cell may run
    # as a spreadsheet formula, none may hide a row break (riskprofile.io._cells).
    lines = [csv_line(columns)]
    lines += [csv_line(row.get(c) for c in columns) for row in rows]
    return "".join(lines)


def to_csv(run: Run, selection: Selection | None = None) -> str:
    """The container table as CSV text (what ``write_output(..., format="csv")`` writes
    to its first file): one row per container, in rank order (selected first with a
    selection), every cell safe to open in a spreadsheet; ``run`` as for :func:`to_json`.
    """
    run = tables_of(run)
    if not is_object_run(run):
        from riskprofile.output import _frame, _frame_files

        return _frame_files.csv_text(_frame.container_frame(run, selection), CONTAINER_COLUMNS)
    return _csv(container_rows(run, selection), CONTAINER_COLUMNS)


def write_text(
    run: Run, stream: TextIO, selection: Selection | None = None, *, format: str = "json"
) -> None:
    """Write :func:`to_json` (``format="json"``) or :func:`to_csv` (``"csv"``) to a text
    stream (standard output): the same text, written in parts for a column-wise run, so
    that a big run's text (gigabytes at a million containers) is never held whole."""
    if format not in ("json", "csv"):
        raise ValueError(f"unknown text format {format!r}: use json or csv")
    run = tables_of(run)
    if is_object_run(run):
        stream.write(to_json(run, selection) if format == "json" else to_csv(run, selection))
        return
    from riskprofile.output import _frame, _frame_files

    if format == "json":
        for part in _json_parts(run, selection):
            stream.write(part if isinstance(part, str) else _frame_files.json_text(part))
        return
    for text in _frame_files.csv_parts(_frame.container_frame(run, selection), CONTAINER_COLUMNS):
        stream.write(text)


def _hits_csv(run: Run) -> str:
    if not is_object_run(run):
        from riskprofile.output import _frame, _frame_files

        return _frame_files.csv_text(_frame.hit_frame(run), HIT_COLUMNS)
    return _csv(hit_rows(run), HIT_COLUMNS)


def _arrow_tables(run: ScoringRun, selection: Selection | None) -> tuple[Any, Any]:
    """The container and hit tables of a row-wise run as the Arrow tables the Parquet
    files hold (a column-wise run's are made by :func:`write_output`, side by side)."""
    import pyarrow as pa

    tables = []
    for rows, columns in ((container_rows(run, selection), CONTAINER_COLUMNS),
                          (hit_rows(run), HIT_COLUMNS)):  # fmt: skip
        tables.append(
            pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
            if rows
            else pa.table({c: pa.array([], pa.string()) for c in columns})
        )
    return tables[0], tables[1]


def shown_fields(indicators: Iterable[CompiledIndicator]) -> frozenset[str]:
    """The shipment fields the outputs of a column-wise run of ``indicators`` read (its
    files and its list): :func:`~riskprofile.output._frame.shown_fields`."""
    from riskprofile.output import _frame

    return _frame.shown_fields(indicators)


def for_files(run: Run) -> Run:
    """``run`` as its files need it: for a column-wise run, the run with its frame cut to
    the columns the files read, what needs whole shipments (notes, the order of shipments
    that share an id) worked out first (:func:`~riskprofile.output._frame.for_files`);
    any other run as it is. The files written from it are the same bytes; what shows
    units one by one (:func:`~riskprofile.output.text_table`) is made from ``run``.

    A command that writes a big run's files and keeps nothing else of it frees most of
    the batch's memory so (``riskprofile score -o``)."""
    tables = tables_of(run)
    if is_object_run(tables):
        return run
    from riskprofile.output import _frame

    return _frame.for_files(tables)


class FilesAhead:
    """:func:`for_files` of ``run`` on a thread of its own, started at once, and then the
    explained hits its files will need (the largest table of a big run's files), while
    the caller does what needs the whole run: the selection, the top of the list.
    :meth:`result` gives :func:`for_files`' run as soon as it is there (the hits may
    still be being explained: :func:`write_output` then waits for them, it does not make
    them again).

    Nothing of the files depends on the selection but the container table's selection
    columns, so the work moved ahead is the same work, done sooner: the files are the
    same bytes. An error while explaining is not lost: the files' writer meets it again.
    """

    def __init__(self, run: Run) -> None:
        self._run: Run | None = run
        self._files: Run | None = None
        self._error: BaseException | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._work, name="riskprofile-files", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        run, self._run = self._run, None  # the whole run is the caller's to free
        assert run is not None
        try:
            files = for_files(run)
        except BaseException as exc:  # given to the caller by result()
            self._error = exc
            self._ready.set()
            return
        self._files = files
        self._ready.set()
        del run
        tables = tables_of(files)
        if not is_object_run(tables):
            from riskprofile.output import _frame

            # An error here is met again, and raised, when the files are written.
            with contextlib.suppress(Exception):
                _frame.hit_frame(tables)

    def result(self) -> Run:
        """The run cut for its files (:func:`for_files`); waits for it, not for the
        explanations."""
        self._ready.wait()
        if self._error is not None:
            raise self._error
        files = self._files
        assert files is not None
        return files


def output_files(path: str | Path, format: str | None = None) -> list[Path]:
    """The files :func:`write_output` writes for ``path``: the file itself, and for
    ``csv`` and ``parquet`` the hits beside it (``out.csv`` -> ``out.hits.csv``)."""
    path = Path(path)
    fmt = format or path.suffix.lower().lstrip(".")
    if fmt in ("csv", "parquet"):
        return [path, path.with_name(path.stem + ".hits" + path.suffix)]
    return [path]


def _side_by_side(jobs: Sequence[Callable[[], object]], done: Callable[[int], None]) -> None:
    """Each job (writing one file of a column-wise run) on a thread of its own, side by
    side: Polars lets go of the interpreter's lock while it builds a table and while its
    writer serializes and writes. The hits are explained while the container table's
    columns made from shipments are built, and written while the rest of that table is
    (the tables the two share are made once: the second thread waits for the first's).
    ``done`` is told the files written so far, as each one ends."""
    from riskprofile._parallel import each_at_once

    finished = threading.Lock()
    count = [0]

    def run(job: Callable[[], object]) -> None:
        job()
        with finished:
            count[0] += 1
            done(count[0])

    each_at_once(run, jobs)


def write_output(
    run: Run,
    path: str | Path,
    *,
    selection: Selection | None = None,
    format: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Write the run: ``json`` (one file), ``csv`` (containers, plus ``<name>.hits.csv``),
    ``parquet`` (likewise, needs pyarrow). Returns the files written.

    ``run`` is a :class:`~riskprofile.results.ScoringRun` or a column-wise
    :class:`~riskprofile.results.FrameRun`: the same bytes are written for both.
    ``progress``, when given, is called with the number of files written so far.
    """
    run = tables_of(run)
    path = Path(path)
    fmt = format or path.suffix.lower().lstrip(".")
    done = progress or (lambda _files: None)
    if fmt == "json":
        if is_object_run(run):
            path.write_text(to_json(run, selection), encoding="utf-8")
        else:  # column-wise, straight to the file: the run's text is never held whole
            from riskprofile.output import _frame_files

            with path.open("wb") as handle:
                _frame_files.write_parts(_json_parts(run, selection), handle)
        done(1)
        return [path]
    hits_path = output_files(path, fmt)[-1]
    if fmt == "csv":
        if not is_object_run(run):  # column-wise, straight to the files
            from riskprofile.output import _frame, _frame_files

            _side_by_side(
                [
                    lambda: _frame_files.write_csv(
                        _frame.container_frame(run, selection), CONTAINER_COLUMNS, path
                    ),
                    lambda: _frame_files.write_csv(_frame.hit_frame(run), HIT_COLUMNS, hits_path),
                ],
                done,
            )
            return [path, hits_path]
        path.write_text(to_csv(run, selection), encoding="utf-8")
        done(1)
        hits_path.write_text(_hits_csv(run), encoding="utf-8")
        done(2)
        return [path, hits_path]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        metadata = {b"riskprofile.audit": json.dumps(_audit(run, selection)).encode()}
        if not is_object_run(run):
            from riskprofile.output import _frame, _frame_files

            def write(table: pl.DataFrame, columns: Sequence[str], target: Path) -> None:
                arrow = _frame_files.arrow_table(table, columns)
                pq.write_table(arrow.replace_schema_metadata(metadata), str(target))

            _side_by_side(
                [
                    lambda: write(_frame.container_frame(run, selection), CONTAINER_COLUMNS, path),
                    lambda: write(_frame.hit_frame(run), HIT_COLUMNS, hits_path),
                ],
                done,
            )
            return [path, hits_path]
        for written, (table, target) in enumerate(
            zip(_arrow_tables(run, selection), (path, hits_path), strict=True), start=1
        ):
            pq.write_table(table.replace_schema_metadata(metadata), str(target))
            done(written)
        return [path, hits_path]
    raise ValueError(f"unknown output format {fmt!r}: use json, csv or parquet")
