"""Outputs of a scoring run: tidy tables, JSON/CSV/Parquet files, terminal and HTML views.

Two tidy tables:

- **containers**: one row per container (or B/L without a container), in rank order,
  with its selection when a :class:`~riskprofile.selection.Selection` is given;
- **hits**: one row per hit, with the container, B/L, profile, indicator, weight and
  the explanation for the officer.

Every export is deterministic: the same run gives the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from riskprofile.scoring import ContainerResult, ScoringRun
from riskprofile.selection import Selection

__all__ = [
    "container_rows",
    "hit_rows",
    "output_files",
    "run_html",
    "selection_html",
    "text_table",
    "to_pandas",
    "to_polars",
    "write_output",
]

CONTAINER_COLUMNS = (
    "rank", "key", "container_number", "bl_numbers", "lane", "score", "forced_lane",
    "selected", "reason", "hit_count", "top_reasons", "forced_reasons", "notes",
)  # fmt: skip
HIT_COLUMNS = (
    "key", "container_number", "bl_number", "shipment_id", "profile_id",
    "profile_version", "indicator_id", "title", "weight", "forced_lane", "explanation",
)  # fmt: skip


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _selection_index(selection: Selection | None) -> dict[str, tuple[int, str]]:
    if selection is None:
        return {}
    return {s.container.key: (s.rank, s.reason) for s in selection.selected}


def _top(container: ContainerResult, n: int = 3) -> str:
    hits = sorted(container.hits, key=lambda h: (-h.weight, h.profile_id, h.indicator_id))
    # An LCL container's B/Ls often hit the same container-level indicator: say it once.
    return "; ".join(list(dict.fromkeys(h.explanation for h in hits))[:n])


def container_rows(run: ScoringRun, selection: Selection | None = None) -> list[dict[str, Any]]:
    """One row per container, in rank order (selected first when a selection is given)."""
    chosen = _selection_index(selection)
    containers = list(run.containers)
    if selection is not None:
        order = {key: rank for key, (rank, _) in chosen.items()}
        containers.sort(key=lambda c: (order.get(c.key, len(order) + 1),))
    rows = []
    for position, c in enumerate(containers, start=1):
        rank, reason = chosen.get(c.key, (None, None))
        notes = [n for s in c.shipments for n in s.notes]
        rows.append(
            {
                "rank": position,
                "key": c.key,
                "container_number": c.container_number,
                "bl_numbers": ";".join(c.bl_numbers),
                "lane": c.lane,
                "score": _number(c.score),
                "forced_lane": c.forced_lane,
                "selected": rank is not None,
                "reason": reason,
                "hit_count": len(c.hits),
                "top_reasons": _top(c),
                "forced_reasons": "; ".join(c.forced),
                "notes": "; ".join(notes),
            }
        )
    return rows


def hit_rows(run: ScoringRun) -> list[dict[str, Any]]:
    """One row per hit, containers in rank order."""
    rows = []
    for c in run.containers:
        for s in c.shipments:
            for h in s.hits:
                rows.append(
                    {
                        "key": c.key,
                        "container_number": c.container_number,
                        "bl_number": s.shipment.bl_number,
                        "shipment_id": s.shipment_id,
                        "profile_id": h.profile_id,
                        "profile_version": h.profile_version,
                        "indicator_id": h.indicator_id,
                        "title": h.title,
                        "weight": _number(h.weight),
                        "forced_lane": h.forced_lane,
                        "explanation": h.explanation,
                    }
                )
    return rows


def to_pandas(run: ScoringRun, selection: Selection | None = None) -> tuple[Any, Any]:
    """(containers, hits) as pandas DataFrames (needs pandas)."""
    import pandas as pd

    return (
        pd.DataFrame(container_rows(run, selection), columns=list(CONTAINER_COLUMNS)),
        pd.DataFrame(hit_rows(run), columns=list(HIT_COLUMNS)),
    )


def to_polars(run: ScoringRun, selection: Selection | None = None) -> tuple[Any, Any]:
    """(containers, hits) as polars DataFrames (needs polars)."""
    import polars as pl

    return (
        pl.DataFrame(container_rows(run, selection), schema=list(CONTAINER_COLUMNS)),
        pl.DataFrame(hit_rows(run), schema=list(HIT_COLUMNS)),
    )


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
    }
    if selection is not None:
        audit.update(
            capacity=selection.capacity,
            control_rate=selection.control_rate,
            seed=selection.seed,
            selected=len(selection.selected),
            left_out=[c.key for c in selection.left_out],
            warnings=list(selection.warnings),
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
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buffer.getvalue()


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


def text_table(run: ScoringRun, selection: Selection | None = None, *, limit: int = 30) -> str:
    """An aligned table for the terminal: the selection (or the ranked list)."""
    rows = container_rows(run, selection)
    if selection is not None:
        rows = [r for r in rows if r["selected"]]
    else:
        rows = [r for r in rows if r["lane"] != "green"]
    shown = rows[:limit]
    head = ("#", "container", "lane", "score", "why", "reasons")
    body = [
        (
            str(r["rank"]),
            r["container_number"] or r["key"],
            r["lane"] + (" (forced)" if r["forced_lane"] else ""),
            str(r["score"]),
            r["reason"] or "",
            (r["top_reasons"] or "")[:90],
        )
        for r in shown
    ]
    widths = [max([len(h)] + [len(row[i]) for row in body]) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    if len(rows) > len(shown):
        lines.append(f"... {len(rows) - len(shown)} more")
    lanes = {lane: sum(1 for c in run.containers if c.lane == lane) for lane in
             ("red", "yellow", "blue", "green")}  # fmt: skip
    summary = (
        f"{len(run.containers):,} containers scored as of {run.as_of.date().isoformat()} "
        f"with {len(run.fingerprints)} profiles: "
        + ", ".join(f"{n:,} {lane}" for lane, n in lanes.items())
    )
    out = [summary]
    if selection is not None:
        counts = {r: sum(1 for s in selection.selected if s.reason == r)
                  for r in ("forced", "score", "control")}  # fmt: skip
        out.append(
            f"selected {len(selection.selected):,} (capacity {selection.capacity:,}): "
            f"{counts['forced']} forced, {counts['score']} by score, "
            f"{counts['control']} control sample; {len(selection.left_out):,} non-green "
            "containers left out"
        )
        out.extend(f"warning: {w}" for w in selection.warnings)
    return "\n".join([*out, "", *lines]) + "\n"


def _html_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(
            f"<td>{html.escape('' if r.get(c) is None else str(r.get(c)))}</td>" for c in columns
        ) + "</tr>"
        for r in rows
    )  # fmt: skip
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def run_html(run: ScoringRun, limit: int = 50) -> str:
    """HTML for notebooks: the ranked containers that are not green."""
    rows = [r for r in container_rows(run) if r["lane"] != "green"][:limit]
    columns = ("rank", "container_number", "lane", "score", "forced_lane", "top_reasons")
    return f"<p>{html.escape(repr(run))}</p>" + _html_table(rows, columns)


def selection_html(selection: Selection, limit: int = 100) -> str:
    """HTML for notebooks: the inspection list."""
    if isinstance(selection.run, ScoringRun):
        rows = [r for r in container_rows(selection.run, selection) if r["selected"]][:limit]
    else:  # a column-wise run: no explanations at hand
        rows = [
            {"rank": s.rank, "container_number": s.container.container_number,
             "reason": s.reason, "lane": s.container.lane,
             "score": _number(s.container.score), "top_reasons": ""}
            for s in selection.selected[:limit]
        ]  # fmt: skip
    columns = ("rank", "container_number", "reason", "lane", "score", "top_reasons")
    note = "".join(f"<p><b>warning:</b> {html.escape(w)}</p>" for w in selection.warnings)
    return note + _html_table(rows, columns)
