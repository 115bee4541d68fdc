"""``riskprofile evaluate``: score a batch and measure the run against inspection outcomes."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from riskprofile.cli import _args
from riskprofile.cli._progress import Progress
from riskprofile.cli._score import check_profiles

__all__ = ["register"]


def register(commands: Any) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="measure profiles against inspection outcomes (HTML report)",
        description="Score a batch as `riskprofile score` does, match the outcome records "
        "(what the inspections found) to its containers, and report precision and recall "
        "at each capacity, hit rates per profile and indicator with 95% intervals, lift "
        "over the random control sample, the detection trend, and the indicators that "
        "never fire or never find anything.",
    )
    evaluate.add_argument("batch", help="batch file (JSON, JSON Lines, CSV, Parquet)")
    evaluate.add_argument(
        "outcomes",
        help="outcome file (CSV, JSON, JSON Lines, Parquet), or a workbench store (its "
        "SQLite file or postgresql:// DSN: the results recorded there)",
    )
    evaluate.add_argument(
        "--as-of", type=_args.as_of, required=True, metavar="DATE",
        help="the date or time the batch was scored as of (ISO 8601)",
    )  # fmt: skip
    evaluate.add_argument("-m", "--mapping", help="column mapping YAML for the batch")
    evaluate.add_argument(
        "--outcomes-mapping", metavar="MAPPING", help="column mapping YAML for the outcomes"
    )
    evaluate.add_argument(
        "--profiles", action="append", metavar="PATH",
        help=_args.PROFILES_HELP,
    )  # fmt: skip
    evaluate.add_argument(
        "--country", type=_args.country,
        help="apply this country's overlays (ISO 3166, e.g. PK)",
    )  # fmt: skip
    evaluate.add_argument(
        "--include-drafts", action="store_true",
        help="also score with draft profiles (to try them out)",
    )  # fmt: skip
    evaluate.add_argument(
        "--capacity", action="append", metavar="K",
        help="capacity to report: a count (30) or a share of the batch (3%%); repeatable "
        "(default: 1%% 3%% 5%% 10%% 100%%)",
    )  # fmt: skip
    evaluate.add_argument(
        "--by", choices=["week", "month"], default="week", help="trend period (default: week)"
    )
    evaluate.add_argument(
        "--group-by", action="append", metavar="FIELD", default=[],
        help="also break the evaluation down by a field's values (a text, true/false or "
        "list field, custom fields x_<name> too): units, inspected, findings, hit rate and "
        "lift per value; repeatable",
    )  # fmt: skip
    evaluate.add_argument(
        "--strict", action="store_true",
        help="exit 1 if any batch or outcome record is rejected or any outcome is unmatched",
    )  # fmt: skip
    evaluate.add_argument("-o", "--output", metavar="HTML", help="write the HTML report here")
    evaluate.add_argument("--json", metavar="FILE", help="write every table as JSON here")
    evaluate.set_defaults(run=_evaluate)


def _usage(message: str) -> SystemExit:
    return _args.usage_error("evaluate", message)


def _evaluate(args: argparse.Namespace) -> int:
    from riskprofile.cli._outcomes import read_outcomes_of
    from riskprofile.cli._output import check_outputs
    from riskprofile.cli._read import read
    from riskprofile.errors import ArgumentError, MissingSourceWarning
    from riskprofile.evaluation import DEFAULT_CAPACITIES, evaluate, text_summary, write_report
    from riskprofile.evaluation.shared import check_group_field
    from riskprofile.rules import missing_sources
    from riskprofile.scoring import score
    from riskprofile.selection import parse_capacity

    capacities = tuple(args.capacity) if args.capacity else DEFAULT_CAPACITIES
    for value in capacities:
        try:
            parse_capacity(value, 100)
        except ValueError as exc:
            raise _usage(str(exc)) from None
    check_outputs(
        "evaluate",
        [args.output, args.json],
        [args.batch, args.outcomes, args.mapping, args.outcomes_mapping, *(args.profiles or [])],
    )
    profiles = _args.load_profiles(args.profiles, args.country)
    # The command has no --stowplan or --history: indicators reading those fields are
    # said to be unable to fire, in the command's own words (not score()'s "stowplan=").
    check_profiles(
        profiles, args.as_of, args.include_drafts, "evaluate",
        missing_sources=missing_sources(history=None, stowplan=None, command="evaluate"),
    )  # fmt: skip
    # Read the outcomes first: a bad outcome file is found before the batch is scored.
    reading = read_outcomes_of(args.outcomes, args.outcomes_mapping, "evaluate", args.batch)
    progress = Progress()
    # Scored through the frame: the run keeps its tables, and the evaluation reads them
    # (objects only for the units with an outcome).
    batch = read(args.batch, mapping=args.mapping, progress=progress)
    for rejected in batch.rejected:
        print(f"{batch.source}: {batch.record_unit} {rejected.record}: {rejected.reason}",
              file=sys.stderr)  # fmt: skip
    for rejected in reading.rejected:
        print(f"{reading.source}: {reading.record_unit} {rejected.record}: {rejected.reason}",
              file=sys.stderr)  # fmt: skip
    for field in args.group_by:  # refused before the batch is scored
        try:
            check_group_field(field, batch.frame.schema)
        except ArgumentError as exc:
            raise _usage(f"--group-by {field}: {exc}") from None
    with (
        progress.stage("scoring", batch.frame.height, "shipments") as step,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", MissingSourceWarning)  # said above, on stderr
        run = score(
            batch, profiles, as_of=args.as_of, include_drafts=args.include_drafts, progress=step
        )
    evaluation = evaluate(run, reading, capacities=capacities, by=args.by, profiles=profiles)
    sys.stdout.write(text_summary(evaluation))
    breakdowns = {field: evaluation.breakdown(field) for field in args.group_by}
    for field, rows in breakdowns.items():
        sys.stdout.write(breakdown_text(field, rows))
    if args.output:
        write_report(
            evaluation, args.output, title=f"riskprofile evaluation: {Path(args.batch).name}"
        )
        print(f"wrote {args.output}")
    if args.json:
        text = evaluation.to_json()
        if breakdowns:  # the evaluation's document, with the breakdowns asked for
            document = json.loads(text)
            document["breakdowns"] = {f: [dict(r) for r in rows] for f, rows in breakdowns.items()}
            text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
        Path(args.json).write_text(text, encoding="utf-8")
        print(f"wrote {args.json}")
    problems = len(batch.rejected) + len(reading.rejected) + len(evaluation.unmatched)
    if problems:
        print(
            f"{len(batch.rejected):,} batch records and {len(reading.rejected):,} outcome "
            f"records rejected, {len(evaluation.unmatched):,} outcomes unmatched",
            file=sys.stderr,
        )
    return 1 if (args.strict and problems) else 0


def breakdown_text(field: str, rows: Any) -> str:
    """A breakdown (:meth:`~riskprofile.evaluation.Evaluation.breakdown`) as a terminal
    table."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    lines = [f"\nby {field}:", f"  {'value':<28} {'units':>7} {'fired':>7} {'inspected':>9} "
             f"{'findings':>8} {'hit rate':>9} {'95% interval':>15} {'lift':>6}"]  # fmt: skip
    for r in rows:
        interval = (f"{pct(r['hit_rate_low'])}-{pct(r['hit_rate_high'])}"
                    if r["hit_rate_low"] is not None else "")  # fmt: skip
        lift = f"{r['lift']:.2f}" if r["lift"] is not None else ""
        lines.append(
            f"  {str(r['value'])[:28]:<28} {r['units']:>7,} {r['fired']:>7,} {r['inspected']:>9,} "
            f"{r['findings']:>8,} {pct(r['hit_rate']):>9} {interval:>15} {lift:>6}"
        )
    return "\n".join(lines) + "\n"
