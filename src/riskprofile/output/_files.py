"""The run's files: JSON, CSV and Parquet, with the audit block."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskprofile.io._cells import csv_line
from riskprofile.output._tables import CONTAINER_COLUMNS, HIT_COLUMNS, container_rows, hit_rows

if TYPE_CHECKING:  # runs and selections call output: no import back at run time
    from riskprofile.results import ScoringRun
    from riskprofile.selection import Selection


def _audit(run: ScoringRun, selection: Selection | None) -> dict[str, Any]:
    audit: dict[str, Any] = {
        "as_of": run.as_of.isoformat(),
        "profiles": [
            {"id": pid, "version": run.profile_versions.get(pid), "fingerprint": fp}
            for pid, fp in sorted(run.fingerprints.items())
        ],
        "skipped_profiles": dict(sorted(run.skipped_profiles.items())),
        "containers": len(run.containers),
        "shipments": len(run.shipments),
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
    if run.records_read is not None:
        # Scored from a batch: what was read and what was not, so that nothing is lost.
        audit.update(
            source=run.source,
            records_read=run.records_read,
            records_accepted=run.records_accepted,
            rejected=[{"record_unit": run.record_unit, **r.as_dict()} for r in run.rejected],
        )
    return audit


def to_json(run: ScoringRun, selection: Selection | None = None) -> str:
    """The run as one JSON document: audit trail, containers, hits."""
    doc = {
        "audit": _audit(run, selection),
        "containers": container_rows(run, selection),
        "hits": hit_rows(run),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    # Manifest text (vessel, B/L, container numbers, names) is untrusted: no cell may run
    # as a spreadsheet formula, none may hide a row break (riskprofile.io._cells).
    lines = [csv_line(columns)]
    lines += [csv_line(row.get(c) for c in columns) for row in rows]
    return "".join(lines)


def to_csv(run: ScoringRun, selection: Selection | None = None) -> str:
    """The container table as CSV text (what ``write_output(..., format="csv")`` writes
    to its first file): one row per container, in rank order (selected first with a
    selection), every cell safe to open in a spreadsheet."""
    return _csv(container_rows(run, selection), CONTAINER_COLUMNS)


def output_files(path: str | Path, format: str | None = None) -> list[Path]:
    """The files :func:`write_output` writes for ``path``: the file itself, and for
    ``csv`` and ``parquet`` the hits beside it (``out.csv`` -> ``out.hits.csv``)."""
    path = Path(path)
    fmt = format or path.suffix.lower().lstrip(".")
    if fmt in ("csv", "parquet"):
        return [path, path.with_name(path.stem + ".hits" + path.suffix)]
    return [path]


def write_output(
    run: ScoringRun,
    path: str | Path,
    *,
    selection: Selection | None = None,
    format: str | None = None,
) -> list[Path]:
    """Write the run: ``json`` (one file), ``csv`` (containers, plus ``<name>.hits.csv``),
    ``parquet`` (likewise, needs pyarrow). Returns the files written."""
    path = Path(path)
    fmt = format or path.suffix.lower().lstrip(".")
    if fmt == "parquet":
        from riskprofile.io._tabular import require_pyarrow

        require_pyarrow("writing", str(path))
    if fmt == "json":
        path.write_text(to_json(run, selection), encoding="utf-8")
        return [path]
    hits_path = output_files(path, fmt)[-1]
    containers = container_rows(run, selection)
    hits = hit_rows(run)
    if fmt == "csv":
        path.write_text(_csv(containers, CONTAINER_COLUMNS), encoding="utf-8")
        hits_path.write_text(_csv(hits, HIT_COLUMNS), encoding="utf-8")
        return [path, hits_path]
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        metadata = {b"riskprofile.audit": json.dumps(_audit(run, selection)).encode()}
        for rows, columns, target in ((containers, CONTAINER_COLUMNS, path),
                                      (hits, HIT_COLUMNS, hits_path)):  # fmt: skip
            table = (
                pa.Table.from_pylist([{c: r.get(c) for c in columns} for r in rows])
                if rows
                else pa.table({c: pa.array([], pa.string()) for c in columns})
            )
            pq.write_table(table.replace_schema_metadata(metadata), str(target))
        return [path, hits_path]
    raise ValueError(f"unknown output format {fmt!r}: use json, csv or parquet")
