"""Flat records (``/v1/score``'s ``records``) made into manifest documents by the CSV
reader itself, and the problems that refuse them before."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from riskprofile.io import COLUMNS, read_manifests
from riskprofile.serve._models import FieldProblemOut

__all__ = ["record_problems", "records_as_documents"]


def record_problems(records: Sequence[Mapping[str, Any]]) -> list[FieldProblemOut]:
    """Why flat records are refused whole: a key that is not a column of the flat layout,
    or no record naming a bill or a container (empty when none)."""
    known = {c.name for c in COLUMNS}
    problems: list[FieldProblemOut] = []
    for index, record in enumerate(records, start=1):
        unknown = sorted(set(record) - known)
        if unknown:
            problems.append(
                FieldProblemOut(
                    record=index,
                    field=unknown[0],
                    value=None,
                    reason="not a column of the flat layout (docs/input.md)",
                )
            )
    if not any(r.get("bl_number") or r.get("container_number") for r in records):
        problems.append(FieldProblemOut(field="records", reason="no record names a "
                                        "bl_number or a container_number"))  # fmt: skip
    return problems


def records_as_documents(
    records: Sequence[Mapping[str, Any]], strictness: str
) -> tuple[list[dict[str, Any]], list[FieldProblemOut]]:
    """Flat records (without :func:`record_problems`) grouped into manifest documents by
    the CSV reader itself (its grouping, conflicts and strictness), with each rejected
    record's problems."""
    header = [c.name for c in COLUMNS if any(c.name in r for r in records)]
    handle, name = tempfile.mkstemp(suffix=".csv", prefix="riskprofile-serve-")
    try:
        # The reader numbers a record by the line it starts on, and a value may hold a
        # line break: each record's first line, to give its index back.
        index_of: dict[int, int] = {}
        line = 2
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            for index, record in enumerate(records, start=1):
                row = io.StringIO()
                csv.writer(row, lineterminator="\n").writerow(
                    [_cell(record.get(column)) for column in header]
                )
                text = row.getvalue()
                out.write(text)
                index_of[line] = index
                line += text.count("\n")
        reading = read_manifests(name, format="csv", strictness=strictness)  # type: ignore[arg-type]
        documents = [m.model_dump(mode="json", exclude_defaults=True) for m in reading]
        rejected = [
            FieldProblemOut(
                record=index_of.get(r.record), field=p.field, value=p.value, reason=p.reason
            )
            for r in reading.rejected
            for p in r.problems
        ]
    finally:
        Path(name).unlink(missing_ok=True)
    return documents, rejected


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
