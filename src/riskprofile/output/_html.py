"""HTML views of a run and a selection, for notebooks."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from riskprofile.output._tables import (
    CONTAINER_COLUMNS,
    Run,
    container_rows,
    hit_rows,
    is_object_run,
    tables_of,
)
from riskprofile.output._units import _number

if TYPE_CHECKING:  # runs and selections call output: no import back at run time
    from riskprofile.results import ScoringRun
    from riskprofile.selection import Selection

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
    and the officer's explanations, and the rejected records of the batch, if any.

    A run :func:`~riskprofile.score` computed column-wise is shown from its tables (the
    same HTML; no object per shipment is made)."""
    source = tables_of(run)
    lanes: Sequence[str]
    if is_object_run(source):
        rows = [r for r in container_rows(source) if r["lane"] != "green"]
        shown, non_green = rows[:limit], len(rows)
        lanes = [c.lane for c in source.containers]
    else:  # scored column-wise: the same rows from the tables, no object per shipment
        import polars as pl

        from riskprofile.output import _frame

        table = _frame.container_frame(source).filter(pl.col("lane") != "green")
        shown = _frame.python_rows(table.head(max(limit, 0)), CONTAINER_COLUMNS)
        non_green = table.height
        lanes = source.container_table.get_column("lane").to_list()
    hits = _hits_by_key(hit_rows(source, {r["key"] for r in shown})) if shown else {}
    for row in shown:
        row["container"] = row["container_number"] or row["key"]
        row["hits"] = _hits_html(hits.get(row["key"], []))
    columns = ("rank", "container", "lane", "score", "hits")
    parts = [
        f"<p>{html.escape(repr(run))}</p>",
        f"<p>{_lane_counts_html(lanes)}</p>",
        _html_table(shown, columns),
    ]
    if non_green > len(shown):
        parts.append(f"<p>... {non_green - len(shown):,} more non-green containers</p>")
    parts.append(_rejected_html(run))
    parts.append(_stowplan_html(run))
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
    parts.append(_rejected_html(run))
    parts.append(_stowplan_html(run))
    return "".join(parts)


def _stowplan_html(run: Run) -> str:
    """The stow plan's warnings and the units on board and on no manifest (not scored)."""
    check = getattr(run, "stowplan", None)
    if check is None:
        return ""
    warnings = "".join(f"<li>{html.escape(w)}</li>" for w in check.warnings)
    units = "".join(
        f"<li>{html.escape(u.container_number or '')} at {html.escape(u.position)}</li>"
        for u in check.not_manifested
    )
    listed = (
        f"<details><summary><b>on board and on no manifest: {len(check.not_manifested):,}"
        f"</b> (not scored)</summary><ul>{units}</ul></details>"
        if units
        else ""
    )
    return (
        f"<p>stow plan {html.escape(check.source)}: {check.units:,} units on board, "
        f"{check.matched:,} in the batch</p>"
        + (f"<ul>{warnings}</ul>" if warnings else "")
        + listed
    )


def _rejected_html(run: Run) -> str:
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
    if is_object_run(run):
        # A run score() computed column-wise: the same rows from its tables (no object
        # per shipment is made).
        hits = _hits_by_key(hit_rows(tables_of(run), {s.container.key for s in picked}))
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
    if hasattr(run, "rejected"):  # a ScoringRun, or a FrameRun (what its batch rejected)
        parts.append(_rejected_html(cast("Run", run)))
    return "".join(parts)
