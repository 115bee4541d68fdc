"""``riskprofile suggest``: propose indicators from an inspection history."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.evaluation import Candidate, Figures, Suggestions
    from riskprofile.model.shipment import Shipment

from riskprofile.cli import _args
from riskprofile.cli._output import inside

__all__ = ["read_history", "register"]

_SHOWN = 25
_CATEGORIES = ("narcotics", "precursors", "weapons", "strategic_goods", "wildlife", "ipr",
               "revenue", "other")  # fmt: skip


def _share(text: str) -> float:
    try:
        value = float(text.removesuffix("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share (0.1 or 10%)") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, not {text}")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def register(commands: Any) -> None:
    suggest = commands.add_parser(
        "suggest",
        help="propose indicators from an inspection history (a draft profile)",
        description="Learn from the units before --split which values (HS codes, "
        "headings, chapters, origins, ports, traders, value-per-kg bands) found more "
        "than the base rate, measure them on the units from --split on, print the "
        "candidates with their figures and write the kept ones as a draft profile (YAML) "
        "to review. Nothing is applied: the profile's status is draft.",
    )
    suggest.add_argument("history", help="batch file of the history (JSON, JSON Lines, CSV, ...)")
    suggest.add_argument(
        "outcomes",
        help="outcome file (CSV, JSON, JSON Lines, Parquet), or a workbench store (its "
        "SQLite file or postgresql:// DSN)",
    )
    suggest.add_argument(
        "--split", type=_args.iso_date, required=True, metavar="DATE",
        help="first day of the test period: learn before it, measure from it on",
    )  # fmt: skip
    suggest.add_argument("-m", "--mapping", help="column mapping YAML for the history")
    suggest.add_argument(
        "--outcomes-mapping", metavar="MAPPING", help="column mapping YAML for the outcomes"
    )
    suggest.add_argument(
        "-o", "--output", metavar="YAML",
        help="profile file to write (default: suggested-<split>.yaml here)",
    )  # fmt: skip
    suggest.add_argument("--force", action="store_true", help="overwrite the output file")
    suggest.add_argument(
        "--min-support", type=_args.positive, default=10, metavar="N",
        help="inspected units before the split a value needs to be tested (default 10)",
    )  # fmt: skip
    suggest.add_argument(
        "--min-findings", type=_args.positive, default=5, metavar="N",
        help="findings before the split a value needs to be kept (default 5)",
    )  # fmt: skip
    suggest.add_argument(
        "--min-lift", type=_number, default=2.0, metavar="X",
        help="lift before the split a value needs to be kept (default 2)",
    )  # fmt: skip
    suggest.add_argument(
        "--alpha", type=_number, default=0.05, metavar="Q",
        help="false discovery rate of the selection (default 0.05)",
    )  # fmt: skip
    suggest.add_argument(
        "--capacity", type=_share, default=0.1, metavar="SHARE",
        help="share of the test period's inspected units the precision is measured at "
        "(default 10%%)",
    )  # fmt: skip
    suggest.add_argument(
        "--combinations", action="store_true",
        help="also propose HS6 codes by their past hit rate and HS6 code x origin x "
        "departure country and HS6 code x tax type combinations by their shrunk hit rate, "
        "as CSV watch lists beside the profile, each tier weighted by how it ranked "
        "rolling folds before the split (the HS6 codes always in)",
    )  # fmt: skip
    suggest.add_argument(
        "--engine", choices=("columnar", "rowwise"), default="columnar",
        help="columnar (default): the units and their candidates counted column-wise on "
        "the shipment frame; rowwise: the reference, a shipment object per record; both "
        "give the same suggestions",
    )  # fmt: skip
    suggest.add_argument("--id", dest="profile_id", help="the profile's id")
    suggest.add_argument(
        "--category", default="other", choices=_CATEGORIES, metavar="CATEGORY",
        help=f"the profile's category: {', '.join(_CATEGORIES)} (default other)",
    )  # fmt: skip
    suggest.add_argument("--all", action="store_true", help="list every tested candidate")
    suggest.add_argument("--json", metavar="FILE", help="write every candidate as JSON here")
    suggest.set_defaults(run=_suggest)


def _usage(message: str) -> SystemExit:
    return _args.usage_error("suggest", message)


def _suggest(args: argparse.Namespace) -> int:
    from riskprofile.cli._outcomes import read_outcomes_of
    from riskprofile.cli._output import check_outputs
    from riskprofile.evaluation import OutcomeTable, suggest
    from riskprofile.profiles import bundled_profiles_path

    output = Path(args.output or f"suggested-{args.split.isoformat()}.yaml")
    if output.suffix.lower() not in (".yaml", ".yml"):
        raise _usage(f"the profile file must end in .yaml or .yml, not {output.name!r}")
    if output.exists() and not args.force:
        raise _usage(f"{output} exists (use --force to overwrite it)")
    if inside(output, bundled_profiles_path()) and not args.force:
        raise _usage("refusing to write a suggestion into the bundled profiles (use --force)")
    check_outputs(
        "suggest",
        [output, args.json],
        [args.history, args.outcomes, args.mapping, args.outcomes_mapping],
    )
    # The frame is counted column-wise and the outcomes are read into columns; the
    # objects are the reference (as for scoring).
    columnar = args.engine == "columnar"
    reading = read_outcomes_of(args.outcomes, args.outcomes_mapping, "suggest", columns=columnar)
    history = read_history(args.history, args.mapping, columnar=columnar)
    for rejected in reading.rejected:
        print(f"{reading.source}: {reading.record_unit} {rejected.record}: {rejected.reason}",
              file=sys.stderr)  # fmt: skip
    try:
        result = suggest(
            history,
            reading if isinstance(reading, OutcomeTable) else reading.outcomes,
            split=args.split,
            min_support=args.min_support,
            min_findings=args.min_findings,
            min_lift=args.min_lift,
            alpha=args.alpha,
            capacity=args.capacity,
            combinations=args.combinations,
            profile_id=args.profile_id,
            category=args.category,
        )
    except ValueError as exc:
        raise _usage(str(exc)) from None
    sys.stdout.write(render(result, show_all=args.all))
    if args.json:
        import json

        Path(args.json).write_text(json.dumps(result.as_dict(), indent=2) + "\n", "utf-8")
        print(f"wrote {args.json}")
    if not result.kept:
        print("nothing kept: no profile written")
        return 0
    files = result.files(output.name)
    lists = [output.with_name(name) for name in files if name != output.name]
    existing = [path for path in lists if path.exists()]
    if existing and not args.force:
        raise _usage(f"{existing[0]} exists (use --force to overwrite it)")
    for name, text in files.items():
        output.with_name(name).write_text(text, encoding="utf-8")
    print(
        f"wrote {output}: profile {result.profile_id}, {len(result.kept)} values, status "
        "draft\n  (review it, then run `riskprofile validate` and `riskprofile test` on it)"
    )
    for path in lists:
        print(f"wrote {path}: a watch list of the profile, one row per value with its figures")
    return 0


def read_history(
    path: str, mapping: str | None, *, columnar: bool = True
) -> pl.DataFrame | list[Shipment]:
    """The history as ``riskprofile suggest`` holds it, its rejected records told on
    standard error: columnar, the shipment frame read for the columns the method uses
    (a history of millions of declarations is held in a fraction of the whole frame),
    each slice compacted as it is read (text of repeated values as categoricals) and
    its columns of one value as literals (see evaluation's _compact), the reading let go;
    else the shipments (the reference)."""
    from riskprofile.cli._read import read
    from riskprofile.evaluation import HISTORY_COLUMNS
    from riskprofile.evaluation.shared import compact_history, literal_constants

    if columnar:
        batch = read(path, mapping=mapping, columns=HISTORY_COLUMNS, compact=compact_history)
    else:
        batch = read(path, mapping=mapping)
    for rejected in batch.rejected:
        print(f"{batch.source}: {batch.record_unit} {rejected.record}: {rejected.reason}",
              file=sys.stderr)  # fmt: skip
    return literal_constants(batch.frame) if columnar else batch.to_batch().shipments


def _figures(f: Figures) -> str:
    rate = f"{f.hit_rate * 100:5.1f}%" if f.hit_rate is not None else "     -"
    lift = f"{f.lift:5.1f}" if f.lift is not None else "    -"
    return f"{f.findings:>4}/{f.units:<5} {rate} {lift}"


def _row(c: Candidate) -> str:
    label = c.label if len(c.label) <= 37 else c.label[:36] + "~"
    status = f"kept, weight {c.weight}" if c.kept else c.reason
    return f"  {c.kind:<18} {label:<37} {_figures(c.train)}  {_figures(c.test)}  {status}"


def render(result: Suggestions, *, show_all: bool = False) -> str:
    """The summary ``riskprofile suggest`` prints: both periods, the candidates with their
    training and test figures (kept first), and the profile's precision after the split."""
    split = result.split.isoformat()
    train, test = result.train, result.test
    lines = [
        f"before {split}: {train.seen:,} units, {train.units:,} inspected, "
        f"{train.findings:,} findings (base rate {_pct(train.base_rate)})",
        f"from {split}:   {test.seen:,} units, {test.units:,} inspected, "
        f"{test.findings:,} findings (base rate {_pct(test.base_rate)})",
        f"{result.tests:,} candidates tested (support >= {result.min_support}); kept when "
        f"findings >= {result.min_findings}, lift >= {result.min_lift:g},",
        (
            f"  and p-value <= {result.threshold:.3g} (Benjamini-Hochberg, false discovery "
            f"rate {result.alpha:g})"
            if result.threshold
            else f"  and a p-value within the Benjamini-Hochberg threshold: none is, at a "
            f"false discovery rate of {result.alpha:g}"
        ),
    ]
    if result.undated or result.unmatched:
        lines.append(
            f"left out: {result.undated:,} units without a date, {result.unmatched:,} "
            "outcomes matching no unit"
        )
    lines.append("")
    pad = " " * 59
    lines.append(f"{pad}{'before ' + split:^23}  {'from ' + split:^23}".rstrip())
    figures = f"{'found/insp':>10} {'rate':>6} {'lift':>5}"
    lines.append(f"  {'kind':<18} {'value':<37} {figures}  {figures}  status")
    kept = list(result.kept)
    rest = [c for c in result.candidates if not c.kept]
    shown = kept + (rest if show_all else rest[: max(0, _SHOWN - len(kept))])
    lines += [_row(c) for c in shown]
    if len(shown) < len(result.candidates):
        lines.append(f"  ... {len(result.candidates) - len(shown):,} more (use --all)")
    precision = result.precision
    if precision is not None and precision.precision is not None:
        lines.append("")
        lines.append(
            f"from {split}, the {precision.capacity:,} of {precision.labelled:,} inspected "
            f"units the profile scores highest hold {precision.found:.1f} of "
            f"{precision.findings:,} findings:"
        )
        lines.append(
            f"  precision {_pct(precision.precision)} vs base rate "
            f"{_pct(precision.base_rate)}"
            + (f" (lift {precision.lift:.1f})" if precision.lift is not None else "")
            + f", recall {_pct(precision.recall)}"
        )
        note = precision.tie_note()
        if note is not None:
            lines.append(f"  ({note})")
    if result.stack is not None:
        # Which tiers the draft weighs and why: a tier left out is said, not silent.
        lines.append("")
        lines += [line[0].lower() + line[1:] for line in result.stack.text()]
    return "\n".join(lines) + "\n"


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"
