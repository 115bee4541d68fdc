"""The evaluation report: a terminal summary, and one self-contained HTML page.

The HTML page has no external resource (no script, stylesheet, font or image URL): the
plots are inline SVG drawn here, so that the page can be mailed or archived as one file
and opened offline. Every text that comes from profiles or data is escaped. The same
evaluation gives the same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskprofile.evaluation._units import ranked_units

if TYPE_CHECKING:
    from riskprofile.evaluation._metrics import Evaluation

__all__ = ["evaluation_html", "report_html", "text_summary", "write_report"]

_WIDTH, _HEIGHT = 640, 260
_MAX_POINTS = 600
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 30, 44
_COLOURS = {"finding": "#c0392b", "no finding": "#2e86c1", "not inspected": "#aab7b8",
            "precision": "#c0392b", "recall": "#2e86c1", "base rate": "#7f8c8d",
            "inspected": "#aab7b8", "findings": "#c0392b"}  # fmt: skip


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{digits}f}%"


def _f(value: float) -> str:
    """A coordinate: fixed precision, so that the bytes do not depend on float noise."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- text ----------------------------------------------------------------------------------


def _aligned(head: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    return lines


def _interval(row: dict[str, Any], prefix: str = "hit_rate") -> str:
    if row.get(prefix) is None:
        return "n/a"
    return f"{_pct(row[prefix])} ({_pct(row[prefix + '_low'], 0)}-{_pct(row[prefix + '_high'], 0)})"


def text_summary(evaluation: Evaluation, *, limit: int = 15) -> str:
    """The evaluation for the terminal: headline figures, precision and recall at each
    capacity, the selection reasons, the profiles, and what needs attention."""
    ev = evaluation
    lines = [
        f"{ev.units_total:,} units scored as of {ev.run.as_of.date().isoformat()} with "
        f"{len(ev.run.fingerprints)} profiles; {len(ev.match.matched):,} outcomes matched, "
        f"{len(ev.match.unmatched):,} unmatched",
        f"{ev.labelled:,} units inspected, {ev.findings:,} with a finding; base rate "
        f"{ev.base_rate} from the "
        + ("random control sample" if ev.base_rate_source == "control"
           else "inspected units (no control sample: biased by the selection)"),
    ]  # fmt: skip
    if ev.lift is not None:
        lines.append(f"lift of score-selected units over the control sample: {ev.lift:.2f}x")
    lines += ["", "precision and recall by capacity (first k of the ranked list):"]
    lines += _aligned(
        ("capacity", "k", "inspected", "findings", "precision (95% CI)", "recall", "coverage"),
        [
            (r["capacity"], str(r["k"]), str(r["labelled"]), str(r["findings"]),
             _interval(r, "precision"), _pct(r["recall"]), _pct(r["coverage"]))
            for r in ev.capacity
        ],
    )  # fmt: skip
    for r in ev.capacity:
        # A split tie is said: the units ranked equal on both sides of the cut.
        if r["tied_taken"] < r["tied_at_cut"]:
            first = r["k"] - r["tied_taken"] + 1
            lines.append(
                f"  at {r['capacity']}: {r['tied_at_cut']:,} units tie at the cut (ranks "
                f"{first:,}-{first + r['tied_at_cut'] - 1:,}, same score and lane): the cut "
                f"took {r['tied_taken']:,} of them in rank order (by unit key)"
            )
    if ev.selection:
        lines += ["", "hit rate by how units were selected:"]
        lines += _aligned(
            ("selected by", "inspected", "findings", "hit rate (95% CI)", "lift"),
            [
                (r["selected_by"], str(r["inspected"]), str(r["findings"]), _interval(r),
                 "n/a" if r["lift"] is None else f"{r['lift']:.2f}x")
                for r in ev.selection
            ],
        )  # fmt: skip
    profiles = sorted(ev.profiles, key=lambda r: (-r["findings"], -r["inspected"], r["profile_id"]))
    shown = [r for r in profiles if r["fired"]][:limit]
    if shown:
        lines += ["", "profiles (fired on at least one unit):"]
        lines += _aligned(
            ("profile", "fired", "inspected", "findings", "hit rate (95% CI)"),
            [
                (r["profile_id"], str(r["fired"]), str(r["inspected"]), str(r["findings"]),
                 _interval(r))
                for r in shown
            ],
        )  # fmt: skip
        rest = sum(1 for r in profiles if r["fired"]) - len(shown)
        if rest > 0:
            lines.append(f"... {rest} more")
    silent = [r["profile_id"] for r in ev.profiles if not r["fired"]]
    if silent:
        lines.append("")
        lines.append(f"profiles that fired on no unit: {', '.join(silent)}")
    if ev.never_found:
        lines += [
            "",
            f"indicators that hit inspected units but found nothing "
            f"({len(ev.never_found)}; inspected units in brackets):",
        ]
        lines += [
            f"  {r['profile_id']}/{r['indicator_id']} ({r['inspected']})"
            for r in ev.never_found[:limit]
        ]
        if len(ev.never_found) > limit:
            lines.append(f"  ... {len(ev.never_found) - limit} more")
    if ev.never_fired is not None:
        lines.append("")
        lines.append(f"{len(ev.never_fired)} indicators of the run's profiles never hit a unit")
    for u in ev.unmatched[:limit]:
        where = f" (record {u['source_line']})" if u["source_line"] is not None else ""
        lines.append(f"unmatched outcome {u['unit']!r}{where}: {u['reason']}")
    if len(ev.unmatched) > limit:
        lines.append(f"... {len(ev.unmatched) - limit} more unmatched outcomes")
    return "\n".join(lines) + "\n"


# --- SVG plots -----------------------------------------------------------------------------


def _frame(title: str, y_label: str, x_label: str) -> list[str]:
    w, h = _WIDTH, _HEIGHT
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<line x1="{_LEFT}" y1="{h - _BOTTOM}" x2="{w - _RIGHT}" y2="{h - _BOTTOM}" '
        'stroke="#333"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{h - _BOTTOM}" stroke="#333"/>',
        f'<text x="{(w + _LEFT) // 2}" y="{h - 6}" text-anchor="middle">{_e(x_label)}</text>',
        f'<text x="14" y="{(h - _BOTTOM + _TOP) // 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(h - _BOTTOM + _TOP) // 2})">{_e(y_label)}</text>',
    ]


def _x(share: float) -> float:
    return _LEFT + share * (_WIDTH - _LEFT - _RIGHT)


def _y(share: float) -> float:
    return _HEIGHT - _BOTTOM - share * (_HEIGHT - _BOTTOM - _TOP)


def _y_ticks(top: float, as_percent: bool) -> list[str]:
    out = []
    for i in range(5):
        share = i / 4
        label = f"{share * top * 100:.0f}%" if as_percent else f"{share * top:.0f}"
        out.append(
            f'<line x1="{_LEFT - 4}" y1="{_f(_y(share))}" x2="{_WIDTH - _RIGHT}" '
            f'y2="{_f(_y(share))}" stroke="#ddd"/>'
            f'<text x="{_LEFT - 6}" y="{_f(_y(share) + 4)}" text-anchor="end">{label}</text>'
        )
    return out


def _legend(names: Sequence[str]) -> str:
    parts = []
    x = _LEFT + 10
    for name in names:
        parts.append(
            f'<rect x="{x}" y="6" width="10" height="10" fill="{_COLOURS[name]}"/>'
            f'<text x="{x + 14}" y="15">{_e(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return "".join(parts)


def score_distribution_svg(evaluation: Evaluation, bins: int = 10) -> str:
    """Histogram of unit scores: units with a finding, without, and not inspected (each
    as a share of its own group, so that the small groups stay visible)."""
    labelled = {u["key"]: u for u in evaluation.units if u["inspected"]}
    groups: dict[str, list[Decimal]] = {"finding": [], "no finding": [], "not inspected": []}
    for c in ranked_units(evaluation.run):
        unit = labelled.get(c.key)
        name = "not inspected" if unit is None else "finding" if unit["finding"] else "no finding"
        groups[name].append(c.score)
    scores = [s for values in groups.values() for s in values]
    top = max(scores, default=Decimal(0))
    width = max(Decimal(1), (top / bins).to_integral_value(rounding="ROUND_CEILING"))
    count = int(top // width) + 1
    shares: dict[str, list[float]] = {}
    for name, values in groups.items():
        counts = [0] * count
        for value in values:
            counts[min(int(value // width), count - 1)] += 1
        shares[name] = [c / len(values) if values else 0.0 for c in counts]
    peak = max((s for v in shares.values() for s in v), default=0.0) or 1.0
    parts = _frame("Score distribution by finding", "share of group", "score")
    parts += _y_ticks(peak, as_percent=True)
    slot = (_WIDTH - _LEFT - _RIGHT) / count
    bar = slot / 4
    for i in range(count):
        x0 = _LEFT + i * slot
        for j, name in enumerate(groups):
            height = shares[name][i] / peak
            parts.append(
                f'<rect x="{_f(x0 + bar * (j + 0.5))}" y="{_f(_y(height))}" width="{_f(bar)}" '
                f'height="{_f(_y(0) - _y(height))}" fill="{_COLOURS[name]}">'
                f"<title>{_e(name)}: score {_e(width * i)}-{_e(width * (i + 1))}: "
                f"{_pct(shares[name][i])}</title></rect>"
            )
        parts.append(
            # Bin edges on the axis: a bin holds scores from its left edge up to the next.
            f'<line x1="{_f(x0)}" y1="{_HEIGHT - _BOTTOM}" x2="{_f(x0)}" '
            f'y2="{_HEIGHT - _BOTTOM + 4}" stroke="#333"/>'
            f'<text x="{_f(x0)}" y="{_HEIGHT - _BOTTOM + 14}" '
            f'text-anchor="middle">{_e(width * i)}</text>'
        )
    parts.append(_legend(list(groups)))
    parts.append("</svg>")
    return "".join(parts)


def capacity_svg(evaluation: Evaluation) -> str:
    """Precision and recall against capacity (share of the ranked list), with the base
    rate and a mark at each reported capacity."""
    parts = _frame("Precision and recall against capacity", "rate", "capacity (share of units)")
    parts += _y_ticks(1.0, as_percent=True)
    for share in (0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<text x="{_f(_x(share))}" y="{_HEIGHT - _BOTTOM + 14}" '
            f'text-anchor="middle">{share * 100:.0f}%</text>'
        )
    curve = evaluation.curve
    if len(curve) > _MAX_POINTS:
        # One point per pixel column is all a 640-pixel plot can show.
        step = len(curve) / _MAX_POINTS
        curve = (*(curve[int(i * step)] for i in range(_MAX_POINTS)), curve[-1])
    for name in ("precision", "recall"):
        points = [f"{_f(_x(0))},{_f(_y(0))}"] if name == "recall" else []
        for row in curve:
            if row[name] is not None:
                points.append(f"{_f(_x(row['share_of_units']))},{_f(_y(row[name]))}")
        if points:
            parts.append(
                f'<polyline fill="none" stroke="{_COLOURS[name]}" stroke-width="2" '
                f'points="{" ".join(points)}"/>'
            )
    base = evaluation.base_rate.value
    if base is not None:
        parts.append(
            f'<line x1="{_LEFT}" y1="{_f(_y(base))}" x2="{_WIDTH - _RIGHT}" y2="{_f(_y(base))}" '
            f'stroke="{_COLOURS["base rate"]}" stroke-dasharray="4 3">'
            f"<title>base rate {_pct(base)}</title></line>"
        )
    for row in evaluation.capacity:
        if row["share_of_units"] is None:
            continue
        x = _f(_x(row["share_of_units"]))
        parts.append(
            f'<line x1="{x}" y1="{_TOP}" x2="{x}" y2="{_HEIGHT - _BOTTOM}" stroke="#999" '
            f'stroke-dasharray="1 3"><title>capacity {_e(row["capacity"])}: precision '
            f"{_pct(row['precision'])}, recall {_pct(row['recall'])}</title></line>"
        )
    parts.append(_legend(["precision", "recall", "base rate"]))
    parts.append("</svg>")
    return "".join(parts)


def trend_svg(evaluation: Evaluation) -> str:
    """Inspected units and findings per period, as bars."""
    rows = evaluation.trend
    title = f"Inspections and findings per {evaluation.by}"
    parts = _frame(title, "units", evaluation.by)
    peak = max((r["inspected"] for r in rows), default=0) or 1
    parts += _y_ticks(float(peak), as_percent=False)
    slot = (_WIDTH - _LEFT - _RIGHT) / max(len(rows), 1)
    bar = min(slot / 3, 40.0)
    for i, row in enumerate(rows):
        x0 = _LEFT + i * slot
        for j, name in enumerate(("inspected", "findings")):
            value = row[name] / peak
            parts.append(
                f'<rect x="{_f(x0 + slot / 2 - bar + bar * j)}" y="{_f(_y(value))}" '
                f'width="{_f(bar)}" height="{_f(_y(0) - _y(value))}" fill="{_COLOURS[name]}">'
                f"<title>{_e(row['period'])}: {row[name]} {name}</title></rect>"
            )
        if len(rows) <= 26 or i % max(1, len(rows) // 13) == 0:
            parts.append(
                f'<text x="{_f(x0 + slot / 2)}" y="{_HEIGHT - _BOTTOM + 14}" '
                f'text-anchor="middle">{_e(row["period"])}</text>'
            )
    parts.append(_legend(["inspected", "findings"]))
    parts.append("</svg>")
    return "".join(parts)


# --- HTML ----------------------------------------------------------------------------------


def _cell(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if column in ("lift",):
            return f"{value:.2f}x"
        return _pct(value)
    return _e(value)


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str], empty: str = "none") -> str:
    if not rows:
        return f"<p><i>{_e(empty)}</i></p>"
    head = "".join(f"<th>{_e(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(r.get(c), c)}</td>" for c in columns) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rate_columns(prefix: str = "hit_rate") -> tuple[str, ...]:
    return (prefix, f"{prefix}_low", f"{prefix}_high")


def evaluation_html(evaluation: Evaluation) -> str:
    """The report's body: figures, plots and tables (for notebooks and the HTML page)."""
    ev = evaluation
    source = ("the random control sample" if ev.base_rate_source == "control"
              else "the inspected units (no control sample: biased by the selection)")  # fmt: skip
    parts = [
        "<section><h2>Summary</h2><ul>",
        f"<li>{ev.units_total:,} units scored as of {_e(ev.run.as_of.isoformat())}</li>",
        f"<li>{len(ev.match.matched):,} outcomes matched, {len(ev.match.unmatched):,} "
        "unmatched</li>",
        f"<li>{ev.labelled:,} units inspected, {ev.findings:,} with a finding</li>",
        f"<li>base rate {_e(ev.base_rate)} from {source}</li>",
    ]
    if ev.lift is not None:
        parts.append(f"<li>lift of score-selected units over the control sample: "
                     f"{ev.lift:.2f}x</li>")  # fmt: skip
    parts.append("</ul></section>")
    parts.append(
        "<section><h2>Precision and recall by capacity</h2>"
        "<p>Among the inspected units in the first <i>k</i> places of the ranked list: "
        "precision is the share with a finding, recall the share of all findings, coverage "
        "the share of the <i>k</i> places that was inspected. Units not inspected are left "
        "out (their outcome is unknown).</p>"
        + capacity_svg(ev)
        + _table(
            ev.capacity,
            (
                "capacity",
                "k",
                "labelled",
                "findings",
                *_rate_columns("precision"),
                "recall",
                "coverage",
            ),
        )
        + "</section>"
    )
    parts.append(
        "<section><h2>Score distribution by finding</h2>" + score_distribution_svg(ev)
        + "</section>"
    )  # fmt: skip
    parts.append(
        "<section><h2>How inspected units were selected</h2>"
        + _table(
            ev.selection,
            ("selected_by", "inspected", "findings", *_rate_columns(), "lift"),
            "no inspected units",
        )
        + "</section>"
    )
    parts.append(
        "<section><h2>Profiles</h2><p>Hit rate: the share with a finding among the inspected "
        "units the profile fired on, with its Wilson 95% interval.</p>"
        + _table(
            ev.profiles,
            (
                "profile_id",
                "version",
                "fired",
                "inspected",
                "findings",
                *_rate_columns(),
                "share_of_findings",
            ),
        )
        + "</section>"
    )
    parts.append(
        "<section><h2>Indicators</h2>"
        + _table(
            ev.indicators,
            (
                "profile_id",
                "indicator_id",
                "title",
                "hit",
                "inspected",
                "findings",
                *_rate_columns(),
                "share_of_findings",
            ),
            "no indicator hit",
        )
        + "</section>"
    )
    parts.append(
        f"<section><h2>Trend per {_e(ev.by)}</h2>" + trend_svg(ev)
        + _table(ev.trend, ("period", "inspected", "findings", *_rate_columns(), "flagged",
                            "flagged_findings", "detected_share"), "no inspected units")
        + "</section>"
    )  # fmt: skip
    parts.append(
        "<section><h2>Indicators that hit inspected units but never found anything</h2>"
        + _table(ev.never_found, ("profile_id", "indicator_id", "title", "inspected"))
        + "</section>"
    )
    parts.append("<section><h2>Indicators that never fired</h2>")
    if ev.never_fired is None:
        parts.append("<p><i>not known: the profiles were not given</i></p>")
    else:
        parts.append(_table(ev.never_fired, ("profile_id", "indicator_id")))
    parts.append("</section>")
    parts.append(
        "<section><h2>Outcomes that match no unit</h2>"
        + _table(ev.unmatched, ("unit", "source_line", "reason"))
        + "</section>"
    )
    audit = ev.audit()
    parts.append(
        "<section><h2>Audit</h2>"
        f"<p>as of {_e(audit['as_of'])}</p>"
        + _table(audit["profiles"], ("id", "version", "fingerprint"), "no profiles")
        + (
            _table(
                [{"profile": k, "reason": v} for k, v in audit["skipped_profiles"].items()],
                ("profile", "reason"),
            )
            if audit["skipped_profiles"]
            else ""
        )
        + "</section>"
    )
    return "".join(parts)


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1em}"
    "th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;font-size:.9em}"
    "th{background:#f3f3f3}svg{display:block;margin:.5em 0;font-size:11px}"
)


def report_html(evaluation: Evaluation, *, title: str = "riskprofile evaluation") -> str:
    """A complete, self-contained HTML page (no external resources)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1>" + evaluation_html(evaluation) + "</body></html>\n"
    )


def write_report(
    evaluation: Evaluation, path: str | Path, *, title: str = "riskprofile evaluation"
) -> Path:
    """Write the HTML report to ``path``; returns the path."""
    path = Path(path)
    path.write_text(report_html(evaluation, title=title), encoding="utf-8")
    return path
