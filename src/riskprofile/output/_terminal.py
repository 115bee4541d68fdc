"""The inspection list for the terminal (:func:`text_table`)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from riskprofile.output._tables import Run, _profile_ids, _top, is_object_run, route, tables_of
from riskprofile.output._units import Unit, _number
from riskprofile.rules import LANES, UNEVALUABLE_WARNING, unevaluable_warnings

if TYPE_CHECKING:  # runs and selections call output: no import back at run time
    from riskprofile.io.edifact import StowplanCheck
    from riskprofile.selection import ManualReview, Selection


def _units(run: Run, keys: Iterable[str]) -> Mapping[str, Unit]:
    """The units ``keys`` of the run, by key."""
    if is_object_run(run):
        wanted = set(keys)
        return {c.key: Unit.of(c) for c in run.containers if c.key in wanted}
    from riskprofile.output import _frame

    return _frame.frame_units(run, keys)


def _lane_counts(run: Run) -> dict[str, int]:
    if is_object_run(run):
        return {lane: sum(1 for c in run.containers if c.lane == lane) for lane in LANES}
    from riskprofile.output import _frame

    counts = _frame.lane_counts(run)
    return {lane: counts.get(lane, 0) for lane in LANES}


def _non_green(run: Run, limit: int) -> tuple[list[str], int]:
    """The keys of the first ``limit`` units that are not green, and how many there are."""
    if is_object_run(run):
        keys = [c.key for c in run.containers if c.lane != "green"]
        return keys[: max(limit, 0)], len(keys)
    from riskprofile.output import _frame

    return _frame.non_green_keys(run, limit)


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


def _unit_lines(c: Unit, head: str, width: int, details: bool) -> list[str]:
    """One unit of the list: its heading, then per bill of lading who, where and what,
    the profiles that hit and the reasons (every hit with ``details``)."""
    pad = " " * 4
    lines = _wrap(head, width, "", " " * 5)
    for s in c.shipments:
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
    lines += _wrap(f"profiles {_profile_ids(hits)}", width, pad, pad + "  ")
    if not details:
        lines += _wrap(f"why {_top(hits)}", width, pad, pad + "    ")
        return lines
    for h in sorted(hits, key=lambda h: (-h.weight, h.profile_id, h.indicator_id, h.shipment_id)):
        forced = f", forces {h.forced_lane}" if h.forced_lane else ""
        bl = next((s.bl_number for s in c.shipments if s.shipment_id == h.shipment_id), None)
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
    run: Run,
    selection: Selection | None = None,
    *,
    limit: int = 30,
    width: int = 100,
    details: bool = False,
    unevaluable_warning: float = UNEVALUABLE_WARNING,
) -> str:
    """The inspection list for the terminal: a summary, the selection counts and
    warnings (and a warning for every indicator that could not be evaluated on more than
    ``unevaluable_warning`` of the units, :func:`~riskprofile.rules.unevaluable_warnings`),
    then the selected units (or, without a selection, the non-green ones), at
    most ``limit``: each with its bills of lading, consignee, shipper, route, HS codes
    and description, the profiles that hit and the reasons, wrapped to ``width`` columns
    at spaces; ``details`` lists every hit. Blue units the capacity does not cover are
    listed apart, one line each.

    ``run`` is a :class:`~riskprofile.results.ScoringRun` or a column-wise
    :class:`~riskprofile.results.FrameRun` (the same text for both; only the
    units shown are looked at one by one)."""
    run = tables_of(run)
    lanes = _lane_counts(run)
    out = [
        f"{len(run):,} containers scored as of {run.as_of.date().isoformat()} "
        f"with {len(run.fingerprints)} profiles: "
        + ", ".join(f"{n:,} {lane}" for lane, n in lanes.items())
    ]
    if run.skipped_profiles:
        skipped = "; ".join(f"{pid} ({why})" for pid, why in sorted(run.skipped_profiles.items()))
        out.append(f"profiles not scored: {skipped}")
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
        picked: list[tuple[int, str, str]] = [
            (s.rank, s.reason, s.container.key) for s in selection.selected[: max(limit, 0)]
        ]
        total = len(selection.selected)
    else:
        keys, total = _non_green(run, limit)
        picked = [(n, "", key) for n, key in enumerate(keys, start=1)]
    documentary = [] if selection is None else selection.documentary[: max(limit, 0)]
    by_key = _units(run, [key for _, _, key in picked] + [c.key for c in documentary])
    out.extend(f"warning: {w}" for w in unevaluable_warnings(run, unevaluable_warning))
    if run.stowplan is not None:
        out += _stowplan_lines(run.stowplan)
    body: list[str] = []
    for unit in selection.manual_review if selection is not None else ():
        body += ["", *_manual_lines(unit, width)]
    for rank, reason, key in picked:
        c = by_key[key]
        lane = c.lane + (" (forced)" if c.forced_lane else "")
        head = f"{rank:>3}  {c.container_number or c.key}  {lane}  score {_number(c.score)}"
        head += f"  {reason}" if reason else ""
        body += ["", *_unit_lines(c, head, width, details)]
    if total > max(limit, 0):
        body += ["", f"... {total - max(limit, 0)} more"]
    if selection is not None and selection.documentary:
        title = "listed apart for documentary checks (blue), not for physical inspection:"
        body += ["", *_wrap(title, width, "", "  ")]
        for item in documentary:
            c = by_key[item.key]
            bls = ", ".join(c.bl_numbers) or "(no B/L)"
            body += _wrap(
                f"{c.container_number or c.key}  score {_number(c.score)}  B/L {bls}  "
                f"profiles {_profile_ids(c.hits)}",
                width, "     ", "       ",
            )  # fmt: skip
        if len(selection.documentary) > len(documentary):
            body.append(f"     ... {len(selection.documentary) - len(documentary)} more")
    if run.stowplan is not None and run.stowplan.not_manifested:
        body += ["", *_not_manifested_lines(run.stowplan, limit, width)]
    summary = [line for text in out for line in _wrap(text, width, "", "  ")]
    return "\n".join([*summary, *body]) + "\n"


def _stowplan_lines(check: StowplanCheck) -> list[str]:
    """The stow plan's account, then its warnings."""
    line = (
        f"stow plan {check.source}: {check.units:,} units on board, {check.matched:,} in the "
        f"batch, {len(check.not_manifested):,} on no manifest, {len(check.not_on_board):,} "
        "manifested containers not on board"
    )
    return [line, *(f"warning: {w}" for w in check.warnings)]


def _not_manifested_lines(check: StowplanCheck, limit: int, width: int) -> list[str]:
    """Each unit on board and on no manifest: not scored (it is no shipment), listed."""
    lines = _wrap("on board and on no manifest (not scored: no declaration to score):",
                  width, "", "  ")  # fmt: skip
    shown = check.not_manifested[: max(limit, 0)]
    for unit in shown:
        parts = [f"{unit.container_number}  position {unit.position}"]
        if unit.size_type:
            parts.append(unit.size_type)
        if unit.full is not None:
            parts.append("full" if unit.full else "empty")
        if unit.gross_mass_kg is not None:
            parts.append(f"{unit.gross_mass_kg:,.0f} kg")
        if unit.port_of_loading or unit.port_of_discharge:
            parts.append(f"{unit.port_of_loading or '?'} -> {unit.port_of_discharge or '?'}")
        if unit.dangerous_goods:
            parts.append("DG " + ", ".join(f"{c or '?'}/UN{n or '?'}" for c, n in
                                           unit.dangerous_goods))  # fmt: skip
        lines += _wrap("  ".join(parts), width, "     ", "       ")
    if len(check.not_manifested) > len(shown):
        lines.append(f"     ... {len(check.not_manifested) - len(shown)} more")
    return lines


def _left_lanes(selection: Selection) -> tuple[str, ...]:
    lanes = set(selection.lanes) | {"red", "yellow"}
    return tuple(lane for lane in ("red", "yellow", "blue") if lane in lanes)
