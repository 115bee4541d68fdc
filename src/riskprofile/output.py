"""Outputs of a scoring run: tidy tables, JSON/CSV/Parquet files, terminal and HTML views.

Two tidy tables:

- **containers**: one row per container (or B/L without a container), in rank order,
  with its selection when a :class:`~riskprofile.selection.Selection` is given;
- **hits**: one row per hit, with the container, B/L, profile, indicator, weight and
  the explanation for the officer.

Every export is deterministic: the same run gives the same bytes.
"""

from __future__ import annotations

import html
import json
import textwrap
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from riskprofile.io._cells import csv_line
from riskprofile.model.shipment import Shipment
from riskprofile.scoring import (
    UNEVALUABLE_WARNING,
    ContainerResult,
    ScoringRun,
    unevaluable_warnings,
)
from riskprofile.selection import ManualReview, Selection

__all__ = [
    "container_rows",
    "frame_run_html",
    "hit_rows",
    "output_files",
    "route",
    "run_html",
    "selection_html",
    "table_frame",
    "text_table",
    "to_pandas",
    "to_polars",
    "write_output",
]

CONTAINER_COLUMNS = (
    "rank", "key", "container_number", "bl_numbers", "lane", "score", "forced_lane",
    "selected", "reason", "hit_count", "top_reasons", "forced_reasons", "notes",
    "action", "consignees", "shippers", "routes", "hs_codes", "descriptions", "profile_ids",
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
    # A hit whose fact another hit counts is not a reason of its own (one fact counts once).
    counted = (h for h in container.hits if h.counted)
    hits = sorted(counted, key=lambda h: (-h.weight, h.profile_id, h.indicator_id))
    # An LCL container's B/Ls often hit the same container-level indicator: say it once.
    return "; ".join(list(dict.fromkeys(h.explanation for h in hits))[:n])


def route(shipment: Shipment) -> str:
    """``POL -> transshipments -> POD`` of a shipment (``?`` for an unknown port)."""
    ports = [shipment.port_of_loading, *shipment.transshipment_ports, shipment.port_of_discharge]
    return " -> ".join(p or "?" for p in ports)


def _distinct(values: Iterable[str | None]) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def _profile_ids(container: ContainerResult) -> str:
    return ", ".join(sorted({h.profile_id for h in container.hits}))


def _actions(selection: Selection | None) -> dict[str, str]:
    """Key -> what the selection says to do with the unit (selected ones excepted)."""
    if selection is None:
        return {}
    actions = {c.key: "left out" for c in selection.left_out}
    actions.update((c.key, "documentary") for c in selection.documentary)
    return actions


def container_rows(run: ScoringRun, selection: Selection | None = None) -> list[dict[str, Any]]:
    """One row per container, in rank order (selected first when a selection is given).

    ``action`` says what the selection means for the unit: ``inspect`` (selected),
    ``documentary`` (blue, listed apart from the physical list), ``left out`` (red or
    yellow beyond the capacity) or ``release``; empty without a selection.
    """
    chosen = _selection_index(selection)
    actions = _actions(selection)
    containers = list(run.containers)
    if selection is not None:
        order = {key: rank for key, (rank, _) in chosen.items()}
        containers.sort(key=lambda c: (order.get(c.key, len(order) + 1),))
    rows = []
    for position, c in enumerate(containers, start=1):
        rank, reason = chosen.get(c.key, (None, None))
        notes = [n for s in c.shipments for n in s.notes]
        shipments = [s.shipment for s in c.shipments]
        action = None
        if selection is not None:
            action = "inspect" if rank is not None else actions.get(c.key, "release")
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
                "action": action,
                "consignees": _distinct(s.consignee_name for s in shipments),
                "shippers": _distinct(s.shipper_name for s in shipments),
                "routes": _distinct(route(s) for s in shipments),
                "hs_codes": _distinct(h for s in shipments for h in s.hs_codes),
                "descriptions": _distinct(s.description for s in shipments),
                "profile_ids": _profile_ids(c),
            }
        )
    return rows


def hit_rows(run: ScoringRun, keys: set[str] | None = None) -> list[dict[str, Any]]:
    """One row per hit, containers in rank order (only the containers ``keys`` when
    given)."""
    rows = []
    for c in run.containers:
        if keys is not None and c.key not in keys:
            continue
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
    return (
        table_frame(run, selection, "containers", "pandas"),
        table_frame(run, selection, "hits", "pandas"),
    )


def to_polars(run: ScoringRun, selection: Selection | None = None) -> tuple[Any, Any]:
    """(containers, hits) as polars DataFrames (needs polars)."""
    return (
        table_frame(run, selection, "containers", "polars"),
        table_frame(run, selection, "hits", "polars"),
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
        from riskprofile.io._table import require_pyarrow

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


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` wrapped to ``width`` at spaces, never inside a word (a word longer than
    the line stands on a line of its own)."""
    return textwrap.wrap(
        text,
        width=max(width, len(first) + 20),
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _unit_lines(c: ContainerResult, head: str, width: int, details: bool) -> list[str]:
    """One unit of the list: its heading, then per bill of lading who, where and what,
    the profiles that hit and the reasons (every hit with ``details``)."""
    pad = " " * 4
    lines = _wrap(head, width, "", " " * 5)
    for result in c.shipments:
        s = result.shipment
        parts = [f"B/L {s.bl_number or '(none)'}"]
        parts.append(f"consignee {s.consignee_name or '(none)'}")
        parts.append(f"shipper {s.shipper_name or '(none)'}")
        lines += _wrap("; ".join(parts), width, pad, pad + "  ")
        lines += _wrap(f"route {route(s)}", width, pad + "  ", pad + "    ")
        goods = f"HS {', '.join(s.hs_codes) or '(none)'}: {s.description or '(no description)'}"
        lines += _wrap(goods, width, pad + "  ", pad + "    ")
    hits = c.hits
    if not hits:
        lines.append(f"{pad}no hits")
        return lines
    lines += _wrap(f"profiles {_profile_ids(c)}", width, pad, pad + "  ")
    if not details:
        lines += _wrap(f"why {_top(c)}", width, pad, pad + "    ")
        return lines
    for h in sorted(hits, key=lambda h: (-h.weight, h.profile_id, h.indicator_id, h.shipment_id)):
        forced = f", forces {h.forced_lane}" if h.forced_lane else ""
        bl = next(
            (r.shipment.bl_number for r in c.shipments if r.shipment_id == h.shipment_id), None
        )
        text = (
            f"- {h.profile_id}/{h.indicator_id} ({_number(h.weight):+}{forced}; "
            f"B/L {bl or '(none)'}): {h.explanation}"
        )
        lines += _wrap(text, width, pad, pad + "  ")
    return lines


def _manual_lines(unit: ManualReview, width: int) -> list[str]:
    """A unit not scored: what it is, and why each of its records was rejected."""
    pad = " " * 4
    what = unit.container_number or "(no container)"
    head = f"  -  {what}  not scored: manual review"
    if unit.partly_scored:
        head += " (partly scored: its other records were scored)"
    lines = _wrap(head, width, "", " " * 5)
    if unit.bl_numbers:
        lines += _wrap(f"B/L {', '.join(unit.bl_numbers)}", width, pad, pad + "  ")
    for record, reason in zip(unit.records, unit.reasons, strict=True):
        lines += _wrap(f"record {record} rejected: {reason}", width, pad, pad + "  ")
    return lines


def _lanes_text(lanes: Sequence[str]) -> str:
    return " or ".join(lanes) if len(lanes) <= 2 else ", ".join(lanes[:-1]) + " or " + lanes[-1]


def text_table(
    run: ScoringRun,
    selection: Selection | None = None,
    *,
    limit: int = 30,
    width: int = 100,
    details: bool = False,
    unevaluable_warning: float = UNEVALUABLE_WARNING,
) -> str:
    """The inspection list for the terminal: a summary, the selection counts and
    warnings (and a warning for every indicator that could not be evaluated on more than
    ``unevaluable_warning`` of the units, :func:`~riskprofile.scoring.unevaluable_warnings`),
    then the selected units (or, without a selection, the non-green ones), at
    most ``limit``: each with its bills of lading, consignee, shipper, route, HS codes
    and description, the profiles that hit and the reasons, wrapped to ``width`` columns
    at spaces; ``details`` lists every hit. Blue units the capacity does not cover are
    listed apart, one line each."""
    lanes = {lane: sum(1 for c in run.containers if c.lane == lane) for lane in
             ("red", "yellow", "blue", "green")}  # fmt: skip
    out = [
        f"{len(run.containers):,} containers scored as of {run.as_of.date().isoformat()} "
        f"with {len(run.fingerprints)} profiles: "
        + ", ".join(f"{n:,} {lane}" for lane, n in lanes.items())
    ]
    if run.skipped_profiles:
        skipped = "; ".join(f"{pid} ({why})" for pid, why in sorted(run.skipped_profiles.items()))
        out.append(f"profiles not scored: {skipped}")
    by_key = {c.key: c for c in run.containers}
    if selection is not None:
        counts = {r: selection.count(r) for r in ("forced", "score", "control")}
        control = f"{counts['control']} control sample"
        if selection.control_rate > 0:
            control += " on top of capacity" if selection.control_on_top else " within capacity"
        if selection.quotas is not None:
            covers = ": " + ", ".join(f"{lane} {n:,}" for lane, n in selection.quotas.items())
        else:
            covers = " for " + " and ".join(selection.lanes)
        out.append(
            f"selected {len(selection.selected):,} (capacity {selection.capacity:,}{covers}): "
            f"{counts['forced']} forced, {counts['score']} by score, {control}"
        )
        left = (
            f"{len(selection.left_out):,} {_lanes_text(_left_lanes(selection))} containers left out"
        )
        if selection.unused_capacity:
            left += f"; {selection.unused_capacity:,} of the capacity unused"
        out.append(left)
        if selection.documentary:
            apart = len(selection.documentary)
            out.append(f"{apart:,} blue containers listed apart for documentary checks")
        if selection.manual_review:
            records = sum(len(u.records) for u in selection.manual_review)
            out.append(
                f"{len(selection.manual_review):,} units not scored ({records:,} records "
                "rejected): listed for manual review, outside the capacity"
            )
        out.extend(f"warning: {w}" for w in selection.warnings)
        units: list[tuple[int, str, ContainerResult]] = [
            (s.rank, s.reason, by_key[s.container.key]) for s in selection.selected
        ]
    else:
        units = [(n, "", c) for n, c in enumerate(
            (c for c in run.containers if c.lane != "green"), start=1)]  # fmt: skip
    out.extend(f"warning: {w}" for w in unevaluable_warnings(run, unevaluable_warning))
    body: list[str] = []
    for unit in selection.manual_review if selection is not None else ():
        body += ["", *_manual_lines(unit, width)]
    for rank, reason, c in units[: max(limit, 0)]:
        lane = c.lane + (" (forced)" if c.forced_lane else "")
        head = f"{rank:>3}  {c.container_number or c.key}  {lane}  score {_number(c.score)}"
        head += f"  {reason}" if reason else ""
        body += ["", *_unit_lines(c, head, width, details)]
    if len(units) > max(limit, 0):
        body += ["", f"... {len(units) - max(limit, 0)} more"]
    if selection is not None and selection.documentary:
        title = "listed apart for documentary checks (blue), not for physical inspection:"
        body += ["", *_wrap(title, width, "", "  ")]
        shown = selection.documentary[: max(limit, 0)]
        for item in shown:
            c = by_key[item.key]
            bls = ", ".join(c.bl_numbers) or "(no B/L)"
            body += _wrap(
                f"{c.container_number or c.key}  score {_number(c.score)}  B/L {bls}  "
                f"profiles {_profile_ids(c)}",
                width, "     ", "       ",
            )  # fmt: skip
        if len(selection.documentary) > len(shown):
            body.append(f"     ... {len(selection.documentary) - len(shown)} more")
    summary = [line for text in out for line in _wrap(text, width, "", "  ")]
    return "\n".join([*summary, *body]) + "\n"


def _left_lanes(selection: Selection) -> tuple[str, ...]:
    lanes = set(selection.lanes) | {"red", "yellow"}
    return tuple(lane for lane in ("red", "yellow", "blue") if lane in lanes)


_LANE_STYLE = {
    "red": "background:#c62828;color:#fff",
    "yellow": "background:#f9a825;color:#000",
    "blue": "background:#1565c0;color:#fff",
    "green": "background:#2e7d32;color:#fff",
}
_TABLE_STYLE = "border-collapse:collapse;font-size:0.9em"
_CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"


def _lane_badge(lane: str | None, forced: str | None = None) -> str:
    if lane is None:
        return ""
    style = _LANE_STYLE.get(lane, "")
    text = html.escape(lane) + (" (forced)" if forced else "")
    return f'<span style="{style};padding:0 6px;border-radius:3px">{text}</span>'


def _hits_html(hits: Sequence[dict[str, Any]]) -> str:
    """The hits of one container as a folded list: weight, profile/indicator, why."""
    if not hits:
        return ""
    items = "".join(
        f"<li><b>{html.escape(str(h['weight']))}</b> "
        f"<code>{html.escape(str(h['profile_id']))}/{html.escape(str(h['indicator_id']))}"
        f"</code>{' ' + _lane_badge(h['forced_lane']) if h.get('forced_lane') else ''}: "
        f"{html.escape(str(h.get('explanation') or h.get('title') or ''))}</li>"
        for h in hits
    )
    return (
        f"<details><summary>{len(hits)} hit{'s' if len(hits) != 1 else ''}</summary>"
        f'<ul style="margin:0;padding-left:1.2em">{items}</ul></details>'
    )


def _html_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """A table of ``rows``; ``lane`` cells as coloured badges, ``hits`` cells as HTML."""

    def cell(row: dict[str, Any], column: str) -> str:
        value = row.get(column)
        if column == "lane":
            return _lane_badge(value, row.get("forced_lane"))
        if column == "hits":
            return str(value or "")
        return html.escape("" if value is None else str(value))

    head = "".join(f'<th style="{_CELL_STYLE}">{html.escape(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL_STYLE}">{cell(r, c)}</td>' for c in columns)
        + "</tr>"
        for r in rows
    )  # fmt: skip
    return (
        f'<table style="{_TABLE_STYLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _lane_counts_html(lanes: Sequence[str]) -> str:
    counts = {lane: sum(1 for x in lanes if x == lane) for lane in _LANE_STYLE}
    return " ".join(f"{_lane_badge(lane)} {n:,}" for lane, n in counts.items())


def _hits_by_key(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_key.setdefault(row["key"], []).append(row)
    return by_key


def run_html(run: ScoringRun, limit: int = 50) -> str:
    """HTML for notebooks: the run's summary with its lanes, then the ranked containers
    that are not green (at most ``limit``), lanes in their colours, each with its hits
    and the officer's explanations, and the rejected records of the batch, if any."""
    rows = [r for r in container_rows(run) if r["lane"] != "green"]
    shown = rows[:limit]
    hits = _hits_by_key(hit_rows(run, {r["key"] for r in shown}))
    for row in shown:
        row["container"] = row["container_number"] or row["key"]
        row["hits"] = _hits_html(hits.get(row["key"], []))
    columns = ("rank", "container", "lane", "score", "hits")
    parts = [
        f"<p>{html.escape(repr(run))}</p>",
        f"<p>{_lane_counts_html([c.lane for c in run.containers])}</p>",
        _html_table(shown, columns),
    ]
    if len(rows) > len(shown):
        parts.append(f"<p>... {len(rows) - len(shown):,} more non-green containers</p>")
    parts.append(_rejected_html(run))
    return "".join(parts)


def frame_run_html(run: Any, limit: int = 50) -> str:
    """HTML for notebooks of a column-wise run (:class:`~riskprofile.engines.columnar.
    FrameRun`): as :func:`run_html`, the hits explained only for the containers shown."""
    import polars as pl

    table = run.container_table
    shown = table.filter(pl.col("lane") != "green").head(limit).to_dicts()
    keys = [r["key"] for r in shown]
    hits = _hits_by_key(run.explained_hits(keys).to_dicts()) if keys else {}
    for row in shown:
        row["container"] = row["container_number"] or row["key"]
        row["score"] = _number(row["score"])
        row["hits"] = _hits_html(hits.get(row["key"], []))
    non_green = int((table.get_column("lane") != "green").sum())
    parts = [
        f"<p>{html.escape(repr(run))}</p>",
        f"<p>{_lane_counts_html(table.get_column('lane').to_list())}</p>",
        _html_table(shown, ("rank", "container", "lane", "score", "hits")),
    ]
    if non_green > len(shown):
        parts.append(f"<p>... {non_green - len(shown):,} more non-green containers</p>")
    return "".join(parts)


def _rejected_html(run: ScoringRun) -> str:
    if not run.rejected:
        return ""
    items = "".join(
        f"<li>{html.escape(run.record_unit)} {r.record}: {html.escape(r.reason)}</li>"
        for r in run.rejected
    )
    return (
        f"<details><summary><b>{len(run.rejected):,} of {run.records_read or 0:,} records "
        f"rejected</b> (not scored)</summary><ul>{items}</ul></details>"
    )


def selection_html(selection: Selection, limit: int = 100) -> str:
    """HTML for notebooks: the selection's summary and warnings, then the inspection list
    (at most ``limit``): why each container is there, its lane in colour, its score and
    its hits with the officer's explanations."""
    picked = selection.selected[:limit]
    run = selection.run
    if isinstance(run, ScoringRun):
        hits = _hits_by_key(hit_rows(run, {s.container.key for s in picked}))
    else:  # a column-wise run: explain the hits of the containers shown only
        explain = getattr(run, "explained_hits", None)
        keys = [s.container.key for s in picked]
        hits = _hits_by_key(explain(keys).to_dicts()) if explain is not None and keys else {}
    rows = [
        {
            "rank": s.rank,
            "container": s.container.container_number or s.container.key,
            "reason": s.reason,
            "lane": s.container.lane,
            "forced_lane": s.container.forced_lane,
            "score": _number(s.container.score),
            "hits": _hits_html(hits.get(s.container.key, [])),
        }
        for s in picked
    ]
    columns = ("rank", "container", "reason", "lane", "score", "hits")
    parts = [f"<p>{html.escape(repr(selection))}</p>"]
    parts += [
        f'<p style="color:#b71c1c"><b>warning:</b> {html.escape(w)}</p>' for w in selection.warnings
    ]
    parts.append(_html_table(rows, columns))
    if len(selection.selected) > len(picked):
        parts.append(f"<p>... {len(selection.selected) - len(picked):,} more selected</p>")
    if isinstance(run, ScoringRun):
        parts.append(_rejected_html(run))
    return "".join(parts)


def table_frame(
    run: Any,
    selection: Selection | None,
    table: str,
    library: Literal["pandas", "polars"],
) -> Any:
    """One table of a run (``"containers"`` or ``"hits"``) as a pandas or polars
    DataFrame: what :meth:`ScoringRun.to_pandas <riskprofile.ScoringRun.to_pandas>` and
    its kin return.

    A :class:`~riskprofile.scoring.ScoringRun` gives the columns of
    :data:`CONTAINER_COLUMNS` and :data:`HIT_COLUMNS`; a column-wise
    :class:`~riskprofile.engines.columnar.FrameRun` gives its own tables as they are (no
    copy through Python rows), with ``selected`` and ``reason`` joined when a selection
    is given.
    """
    if table not in ("containers", "hits"):
        raise ValueError(f"table must be 'containers' or 'hits', not {table!r}")
    if library not in ("pandas", "polars"):
        raise ValueError(f"library must be 'pandas' or 'polars', not {library!r}")
    if not isinstance(run, ScoringRun):
        frame = _frame_run_table(run, selection, table)
        return frame if library == "polars" else frame.to_pandas()
    columns: Sequence[str]
    if table == "containers":
        rows, columns = container_rows(run, selection), CONTAINER_COLUMNS
    else:
        rows, columns = hit_rows(run), HIT_COLUMNS
    if library == "pandas":
        import pandas as pd

        return pd.DataFrame(rows, columns=list(columns))
    import polars as pl

    # A score column mixes whole and fractional numbers: read every row to type it.
    return pl.DataFrame(rows, schema=list(columns), infer_schema_length=None)


def _frame_run_table(run: Any, selection: Selection | None, table: str) -> Any:
    import polars as pl

    if table == "hits":
        return run.hit_table
    containers = run.container_table.drop("points", strict=False)
    if selection is None:
        return containers
    chosen = pl.DataFrame(
        {
            "key": [s.container.key for s in selection.selected],
            "_order": [s.rank for s in selection.selected],
            "reason": [s.reason for s in selection.selected],
        },
        schema={"key": pl.String, "_order": pl.Int64, "reason": pl.String},
    )
    # Selected first, in inspection order, then the rest in rank order (as the
    # container table of a row-wise run with a selection).
    return (
        containers.join(chosen, on="key", how="left")
        .with_columns(pl.col("reason").is_not_null().alias("selected"))
        .sort(["_order", "rank"], nulls_last=True)
        .drop("_order")
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    )
