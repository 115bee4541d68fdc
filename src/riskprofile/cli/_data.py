"""``riskprofile data``: check a batch, generate synthetic batches."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from riskprofile.cli import _args
from riskprofile.cli._output import check_outputs

__all__ = ["register"]

_REJECTED_SHOWN = 20


def register(commands: Any) -> None:
    data = commands.add_parser(
        "data",
        help="check and generate manifest batches",
        description="Check the data quality of a batch, or generate a synthetic one.",
    )
    sub = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)

    check = sub.add_parser(
        "check",
        help="summarise a batch: counts, ports, data-quality flags, rejected records",
        description="Read a batch (JSON, JSON Lines, CSV or Parquet) and print its summary: "
        "records read, accepted and rejected with reasons, shipments, containers, bills of "
        "lading, counts by port and data-quality flags. Exits 1 when records were rejected "
        "in strict mode.",
    )
    check.add_argument("file", help="the batch file")
    check.add_argument("-m", "--mapping", help="column mapping YAML for CSV/Parquet exports")
    check.add_argument(
        "--strict",
        action="store_true",
        help="reject records with invalid codes (default: keep them and flag the problem)",
    )
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.add_argument(
        "--all",
        action="store_true",
        help=f"list every rejected record and flag (default: first {_REJECTED_SHOWN})",
    )
    check.add_argument(
        "--flags",
        action="store_true",
        help="list each data-quality flag: record, container, column, value and code",
    )
    check.set_defaults(run=_check)

    convert = sub.add_parser(
        "convert",
        help="convert a batch between formats (e.g. an export's CSV to JSON Lines)",
        description="Read a batch (with a column mapping for CSV/Parquet exports) and write "
        "its manifests in another format, chosen by the output file name (.json, .jsonl, "
        ".csv, .parquet). Rejected records are listed on standard error and not written.",
    )
    convert.add_argument("file", help="the batch file to read")
    convert.add_argument("output", help="the file to write")
    convert.add_argument("-m", "--mapping", help="column mapping YAML for CSV/Parquet exports")
    convert.add_argument("--strict", action="store_true", help="reject records with invalid codes")
    convert.add_argument(
        "--engine", choices=["columnar", "rowwise"], default="columnar",
        help="columnar (default): a flat file to a flat file, JSON or JSON Lines, and "
        "JSON or JSON Lines to a flat file, are converted from their columns, only what "
        "the data model must read (to JSON the flagged records, from JSON the bills of "
        "lading and containers a flat file says otherwise) going through it; rowwise: "
        "every record through the data model (the reference; the same output)",
    )  # fmt: skip
    convert.set_defaults(run=_convert)

    gen = sub.add_parser(
        "generate",
        help="write a seeded synthetic batch of realistic manifests",
        description="Write a synthetic batch (real UN/LOCODEs and HS codes, FCL/LCL mix, "
        "planted data-quality defects). The same seed gives the same file, byte for byte. "
        "With --port-day, high-risk cases are planted too, and their list is written "
        "next to the batch (karachi.csv: karachi.planted.csv).",
    )
    gen.add_argument(
        "-o", "--output", required=True, help="file to write (.csv, .jsonl, .json, .parquet)"
    )
    gen.add_argument(
        "--containers",
        type=_args.at_most(10_000_000),
        default=1000,
        help="number of containers (default 1000)",
    )
    gen.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    gen.add_argument(
        "--port-of-call", default="PKKHI", help="UN/LOCODE of the port (default PKKHI)"
    )
    gen.add_argument(
        "--defect-rate",
        type=_args.fraction,
        default=0.02,
        help="share of records with planted defects",
    )
    gen.add_argument(
        "--port-day",
        action="store_true",
        help="plant high-risk cases (cocaine, heroin, precursors, counterfeits, wildlife, "
        "firearms...) and write them to <output stem>.planted.csv",
    )
    gen.add_argument(
        "--planted",
        type=_count,
        metavar="N",
        help="number of planted cases with --port-day (default: 1 per 125 containers)",
    )
    gen.add_argument(
        "--stowplan", metavar="FILE",
        help="with --port-day, also write the vessels' stow plans (BAPLIE .edi) with planted "
        "mismatches, and their list next to it (plan.edi: plan.planted.csv)",
    )  # fmt: skip
    gen.add_argument(
        "--baplie-version", choices=("2.2", "3.1"), default="2.2",
        help="the --stowplan layout: SMDG 2.2 on D.95B (default) or SMDG 3.1 on D.13B",
    )  # fmt: skip
    gen.set_defaults(run=_generate)

    history = sub.add_parser(
        "history",
        help="write a seeded inspection history with planted fraud patterns",
        description="Write months of synthetic traffic (flat CSV) with planted fraud "
        "patterns (an importer, an HS heading from one country, a port of loading, an "
        "undervalued chapter, a shipper appearing mid-period), the outcomes of the "
        "inspections made (control sample and targeting) next to it "
        "(history.csv: history.outcomes.csv) and the planted patterns "
        "(history.patterns.csv): the input of `riskprofile suggest`.",
    )
    history.add_argument("-o", "--output", required=True, help="the batch file to write (.csv)")
    history.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    history.add_argument(
        "--start", type=_args.iso_date, default=dt.date(2026, 1, 5), metavar="DATE",
        help="first day (default 2026-01-05)",
    )  # fmt: skip
    history.add_argument(
        "--days", type=_args.at_most(36_500), default=120, help="days (default 120)"
    )
    history.add_argument(
        "--containers-per-day", type=_args.at_most(1_000_000), default=250, metavar="N",
        help="containers a day (default 250)",
    )  # fmt: skip
    history.add_argument(
        "--control-rate", type=_args.fraction, default=0.02, metavar="SHARE",
        help="share of units in the random control sample (default 0.02)",
    )  # fmt: skip
    history.add_argument(
        "--targeting-rate", type=_args.fraction, default=0.04, metavar="SHARE",
        help="share of the other units officers pick; three times that for units with a "
        "planted pattern (default 0.04)",
    )  # fmt: skip
    history.set_defaults(run=_history)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value


def _check(args: argparse.Namespace) -> int:
    from riskprofile.cli._progress import Progress
    from riskprofile.cli._read import frame_summary, read
    from riskprofile.io import read_manifests
    from riskprofile.io.shared import flag_records, frame_flag_records
    from riskprofile.model import Strictness

    strictness: Strictness = "strict" if args.strict else "lenient"
    progress = Progress()
    frame = read(args.file, mapping=args.mapping, strictness=strictness, progress=progress)
    summary = frame_summary(frame)
    rejected = len(frame.rejected)
    if args.flags:
        # Where each flag is (its record and field) only the models know: they read the
        # records of the flagged units only, or the whole file where that could differ.
        with progress.stage("finding where each flag is"):
            flags = frame_flag_records(frame, args.mapping)
            if flags is None:
                reading = read_manifests(args.file, mapping=args.mapping, strictness=strictness)
                flags = flag_records(reading, list(reading))
        summary["flag_list"] = [f.as_dict() for f in flags]
    if args.format == "json":
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        sys.stdout.write(_render(summary, show_all=args.all))
    return 1 if (args.strict and rejected) else 0


def _top(counts: dict[str, int], limit: int = 8) -> str:
    items = list(counts.items())
    shown = ", ".join(f"{k} {v:,}" for k, v in items[:limit])
    if len(items) > limit:
        shown += f", ... ({len(items) - limit} more)"
    return shown or "-"


def _render(s: dict[str, Any], *, show_all: bool) -> str:
    lines = [
        f"{s['source']} ({s['strictness']})",
        f"  records          {s['records_read']:,} read, {s['records_accepted']:,} accepted, "
        f"{s['records_rejected']:,} rejected",
        f"  manifests        {s['manifests']:,}",
        f"  shipments        {s['shipments']:,} ({s['containers']:,} containers, "
        f"{s['bills_of_lading']:,} bills of lading, {s['lcl_containers']:,} LCL containers)",
        f"  port of call     {_top(s['by_port_of_call'])}",
        f"  port of loading  {_top(s['by_port_of_loading'])}",
        f"  port of discharge {_top(s['by_port_of_discharge'])}",
    ]
    flags: dict[str, int] = s["flags"]
    lines.append(
        f"  data-quality flags on {s['units_with_flags']:,} units "
        f"({s['shipments_with_flags']:,} shipments)" + (":" if flags else ": none")
    )
    width = max((len(k) for k in flags), default=0)
    for name, count in flags.items():
        lines.append(f"    {name:<{width}}  {count:,}")
    if "flag_list" in s:
        lines += _flag_lines(s["flag_list"], s["record_unit"], show_all=show_all)
    if s["ignored_columns"]:
        lines.append("  ignored columns  " + ", ".join(s["ignored_columns"]))
    rejected = s["rejected"]
    if rejected:
        lines.append("  rejected records:")
        shown = rejected if show_all else rejected[:_REJECTED_SHOWN]
        for r in shown:
            for p in r["problems"]:
                where = f"{p['field']}: " if p["field"] else ""
                value = f" (value {p['value']!r})" if p["value"] is not None else ""
                lines.append(f"    {s['record_unit']} {r['record']}: {where}{p['reason']}{value}")
        if len(shown) < len(rejected):
            lines.append(f"    ... {len(rejected) - len(shown)} more (use --all)")
    return "\n".join(lines) + "\n"


def _check_writable_format(path: Path) -> None:
    """Fail on an output format that cannot be written (unknown) before anything is
    read or generated."""
    from riskprofile.io import detect_format

    detect_format(path)


def _cut(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _flag_lines(flags: list[dict[str, Any]], unit: str, *, show_all: bool) -> list[str]:
    """The ``--flags`` table: one line per flag, aligned."""
    if not flags:
        return []
    shown = flags if show_all else flags[:_REJECTED_SHOWN]
    head = (unit, "container", "column", "value", "flag")
    body = [
        (
            "-" if f["record"] is None else str(f["record"]),
            f["container"] or (f"B/L {f['bl_number']}" if f["bl_number"] else "-"),
            f["column"],
            "-" if f["value"] is None else _cut(repr(f["value"])),
            f["code"],
        )
        for f in shown
    ]
    widths = [max([len(h)] + [len(row[i]) for row in body]) for i, h in enumerate(head)]

    def line(cells: tuple[str, ...]) -> str:
        return ("    " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))).rstrip()

    out = ["  flags:", line(head)]
    out += [line(row) for row in body]
    if len(shown) < len(flags):
        out.append(f"    ... {len(flags) - len(shown)} more (use --all)")
    return out


def _write(
    manifests: Any, path: Path, extra: list[str] | None = None, fmt: str | None = None
) -> tuple[int, str]:
    """Write ``manifests`` in the format ``fmt`` (None: of ``path``'s name); ``extra``:
    the custom fields a flat file gets columns for (None: those the manifests have)."""
    from riskprofile.io import detect_format, write_csv, write_json, write_parquet

    fmt = fmt or detect_format(path)
    if not path.parent.is_dir():
        from riskprofile.errors import InputFormatError

        raise InputFormatError("the folder to write into does not exist", path=str(path))
    if fmt == "csv":
        return write_csv(manifests, path, extra=extra), "rows"
    if fmt == "parquet":
        return write_parquet(manifests, path, extra=extra), "rows"
    if fmt == "edifact":  # CUSCAR, one message per manifest (docs/edifact.md)
        from riskprofile.io.edifact import write_edifact

        return write_edifact(manifests, path), "manifests"
    return write_json(manifests, path, lines=fmt == "jsonl"), "manifests"


@contextlib.contextmanager
def _whole_or_nothing(out: Path) -> Iterator[Path]:
    """A file beside ``out`` to write into: renamed to ``out`` when the block ends, and
    removed when it raises (or is interrupted), so that a failed conversion leaves no
    partial file (nor a header alone) and an existing ``out`` as it was. A symbolic link
    is written through (its target replaced, keeping its mode); a device or a pipe, or a
    file in a folder that cannot be written, is written in place."""
    target = out.resolve() if out.is_symlink() else out
    if (target.exists() and not target.is_file()) or not os.access(
        target.parent if str(target.parent) else Path(), os.W_OK
    ):
        yield out
        return
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        yield partial
        if mode is not None:
            os.chmod(partial, mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        if isinstance(exc, OSError) and exc.filename == str(partial):
            exc.filename = str(out)  # the message names the file asked for
        raise
    os.replace(partial, target)


_NAMES = {"json": "JSON", "jsonl": "JSON Lines", "edifact": "EDIFACT"}


def _note(text: str) -> None:
    """Say on standard error which path a conversion took, when it is not the one
    ``--engine`` asked for (never silently)."""
    print(f"riskprofile: note: data convert: {text}", file=sys.stderr)


def _convert(args: argparse.Namespace) -> int:
    from riskprofile.io import detect_format

    out = Path(args.output)
    fmt = detect_format(out)  # fail on an unknown output format before reading
    check_outputs("data convert", [out], [args.file, args.mapping])
    with _whole_or_nothing(out) as partial:
        return _convert_into(args, out, partial, fmt)


def _convert_into(args: argparse.Namespace, out: Path, partial: Path, fmt: str) -> int:
    """Convert into ``partial`` (the file to write, renamed to ``out`` after), saying
    ``out`` in the messages."""
    from riskprofile.cli._progress import Progress
    from riskprofile.io import ColumnMapping, detect_format, read_manifests

    progress = Progress()
    flat_formats = ("csv", "parquet")
    source_fmt = detect_format(Path(args.file))
    if args.engine == "columnar":
        if source_fmt in flat_formats and fmt in (*flat_formats, "json", "jsonl"):
            done = _convert_columns(args, out, partial, progress, fmt)
            if done is not None:
                return done
        elif source_fmt in ("json", "jsonl") and fmt in flat_formats and args.mapping is None:
            done = _convert_json_columns(args, out, partial, progress, fmt)
            if done is not None:
                return done
        elif source_fmt not in flat_formats and args.mapping is None:
            _note(
                f"{_NAMES[source_fmt]} input is read through the data model (--engine "
                "columnar converts a CSV, TSV or Parquet file from its columns, and JSON "
                "or JSON Lines to CSV or Parquet)"
            )
        else:
            _note(
                f"{_NAMES[fmt]} output is written through the data model (--engine "
                "columnar converts to CSV, Parquet, JSON or JSON Lines from the columns)"
            )
    # The models are read, not the shipment frame: what is written is each manifest
    # (goods lines, seals, parties), which the frame folds into one row per shipment.
    with progress.stage(f"reading {args.file}"):  # a flat file: every row, here
        reading = read_manifests(
            args.file, mapping=args.mapping, strictness="strict" if args.strict else "lenient"
        )
    # A flat file gets a column for each custom field of the mapping, even one no record
    # fills, so that the mapping reads it back.
    flat = source_fmt in flat_formats
    custom = ColumnMapping.of(args.mapping).extra if flat else ()
    extra = [c.name for c in custom]
    with progress.stage(f"writing {out}", unit="manifests") as step:
        # A flat file's custom fields are the mapping's (none without one): known before
        # reading, so the manifests are written as they come, never gathered first.
        count, unit = _write(_counted(reading, step), partial, extra if flat else None, fmt)
    for r in reading.rejected:
        print(f"{reading.record_unit} {r.record}: {r.reason}", file=sys.stderr)
    print(
        f"wrote {count:,} {unit} to {out}; {reading.records_read:,} records read, "
        f"{len(reading.rejected):,} rejected"
    )
    if flat:
        _say_custom(custom, out)
    return 1 if (args.strict and reading.rejected) else 0


def _convert_columns(
    args: argparse.Namespace, out: Path, partial: Path, progress: Any, out_fmt: str
) -> int | None:
    """A flat file to a flat file, JSON or JSON Lines from its columns (the vessel calls
    the model must read through it), written into ``partial``; None when the whole file
    must go through the model path (said on standard error)."""
    from riskprofile._fork import require_fork_safe
    from riskprofile.io import ColumnMapping, detect_format
    from riskprofile.io.shared import (
        FlatConversion,
        FlatSink,
        JsonSink,
        convert_flat,
        convert_json,
        flat_names,
        require_batch_file,
        table_mapping,
    )
    from riskprofile.model import Strictness

    require_fork_safe("data convert")
    path = Path(args.file)
    require_batch_file(path, str(path))
    fmt = detect_format(path)
    mapping = ColumnMapping.of(args.mapping)
    if fmt == "csv":
        mapping = table_mapping(path, mapping)
    if not out.parent.is_dir():
        from riskprofile.errors import InputFormatError

        raise InputFormatError("the folder to write into does not exist", path=str(out))
    strictness: Strictness = "strict" if args.strict else "lenient"
    to_json = out_fmt in ("json", "jsonl")
    sink: Any = (
        JsonSink(partial, lines=out_fmt == "jsonl")
        if to_json
        else FlatSink(partial, flat_names(mapping), out_fmt)
    )
    convert = convert_json if to_json else convert_flat
    with progress.stage(f"converting {args.file}", unit="records") as step, sink:
        done = convert(path, fmt, mapping, strictness, sink.write, step)
    if not isinstance(done, FlatConversion):
        # Nothing was given to the sink: the model path writes the file again.
        _note(f"the whole file is read through the data model: {done}")
        return None
    _say_converted(done, out, "manifests" if to_json else "rows")
    if not to_json:
        _say_custom(mapping.extra, out)
    return 1 if (args.strict and done.rejected) else 0


def _convert_json_columns(
    args: argparse.Namespace, out: Path, partial: Path, progress: Any, out_fmt: str
) -> int | None:
    """A JSON or JSON Lines file to a flat file from the columns of its plain bills of
    lading and containers (the rest through the model path), written into ``partial``;
    None when the whole file must go through the model path (said on standard error)."""
    from riskprofile._fork import require_fork_safe
    from riskprofile.io import detect_format
    from riskprofile.io.shared import (
        FlatConversion,
        FlatSink,
        plan_json_to_flat,
        require_batch_file,
    )

    if args.strict:
        # Strict JSON refuses a whole manifest where a flat file refuses a row.
        _note("the whole file is read through the data model: strict JSON input")
        return None
    require_fork_safe("data convert")
    path = Path(args.file)
    require_batch_file(path, str(path))
    if not out.parent.is_dir():
        from riskprofile.errors import InputFormatError

        raise InputFormatError("the folder to write into does not exist", path=str(out))
    with progress.stage(f"reading {args.file}"):
        plan = plan_json_to_flat(path, detect_format(path))
    if isinstance(plan, str):
        _note(f"the whole file is read through the data model: {plan}")
        return None
    with (
        progress.stage(f"converting {args.file}", unit="records") as step,
        FlatSink(partial, plan.names, out_fmt) as sink,
    ):
        done = plan.convert(sink.write, step)
    if not isinstance(done, FlatConversion):
        _note(f"the whole file is read through the data model: {done}")
        return None
    _say_converted(done, out, "rows")
    return 0


def _say_converted(done: Any, out: Path, noun: str) -> None:
    """A column-wise conversion's rejected records (standard error) and its summary."""
    for r in done.rejected:
        print(f"{done.record_unit} {r.record}: {r.reason}", file=sys.stderr)
    print(
        f"wrote {done.rows:,} {noun} to {out}; {done.records_read:,} records read, "
        f"{len(done.rejected):,} rejected"
    )


def _say_custom(custom: Any, out: Path) -> None:
    """How to read a flat file's custom columns (``custom``: the mapping's) back typed:
    a flat file does not say a column's type."""
    from riskprofile.io import detect_format

    if custom and detect_format(out) in ("csv", "parquet"):
        fields = ", ".join(f"{c.name}: {{column: {c.field}, type: {c.type}}}" for c in custom)
        print(f"custom fields written as columns {', '.join(c.field for c in custom)}; "
              f"a column mapping reads them back typed with extra: {{{fields}}}")  # fmt: skip


def _counted(manifests: Iterable[Any], step: Callable[[int], None]) -> Iterator[Any]:
    """``manifests``, telling ``step`` how many have gone by."""
    for done, manifest in enumerate(manifests, start=1):
        yield manifest
        step(done)


def _generate(args: argparse.Namespace) -> int:
    from riskprofile.synth import generate_manifests, generate_port_day, write_planted

    path = Path(args.output)
    _check_writable_format(path)
    if args.planted is not None and not args.port_day:
        print("riskprofile: error: --planted needs --port-day", file=sys.stderr)
        return 2
    truth = path.with_suffix(".planted.csv")
    if args.stowplan is not None and not args.port_day:
        print("riskprofile: error: --stowplan needs --port-day", file=sys.stderr)
        return 2
    if args.baplie_version != "2.2" and args.stowplan is None:
        print("riskprofile: error: --baplie-version needs --stowplan", file=sys.stderr)
        return 2
    plan = None if args.stowplan is None else Path(args.stowplan)
    plan_truth = None if plan is None else plan.with_suffix(".planted.csv")
    check_outputs("data generate", [path, truth if args.port_day else None, plan, plan_truth])
    if not args.port_day:
        manifests = generate_manifests(
            args.seed,
            args.containers,
            port_of_call=args.port_of_call,
            defect_rate=args.defect_rate,
        )
        rows, unit = _write(manifests, path, extra=[])  # streamed: no custom fields
        print(f"wrote {rows:,} {unit} ({args.containers:,} containers, seed {args.seed}) to {path}")
        return 0
    try:
        day = generate_port_day(
            args.seed,
            args.containers,
            port_of_call=args.port_of_call,
            planted=args.planted,
            defect_rate=args.defect_rate,
        )
    except ValueError as exc:
        print(f"riskprofile: error: {exc}", file=sys.stderr)
        return 2
    rows, unit = _write(day.manifests, path, extra=[])
    cases = write_planted(day.planted, truth)
    print(
        f"wrote {rows:,} {unit} ({args.containers:,} containers, seed {args.seed}) to {path}; "
        f"{cases:,} planted cases to {truth}"
    )
    if plan is not None and plan_truth is not None:
        from riskprofile.synth import generate_stowplan

        stowage = generate_stowplan(
            day.manifests, args.seed, avoid=day.planted_containers, version=args.baplie_version
        )
        plan.write_text(stowage.text, encoding="utf-8")
        mismatches = write_planted(stowage.planted, plan_truth)
        units = sum(len(units) for _, _, units in stowage.units)
        print(f"wrote {units:,} units on board to {plan}; {mismatches:,} planted mismatches "
              f"to {plan_truth}")  # fmt: skip
    return 0


def _history(args: argparse.Namespace) -> int:
    from riskprofile.errors import InputFormatError
    from riskprofile.synth import generate_history, write_history

    path = Path(args.output)
    if path.suffix.lower() != ".csv":
        raise InputFormatError("a history is written as CSV (.csv)", path=str(path))
    check_outputs(
        "data history",
        [path, path.with_suffix(".outcomes.csv"), path.with_suffix(".patterns.csv")],
    )
    try:
        history = generate_history(
            args.seed,
            start=args.start,
            days=args.days,
            containers_per_day=args.containers_per_day,
            control_rate=args.control_rate,
            targeting_rate=args.targeting_rate,
        )
    except ValueError as exc:
        print(f"riskprofile: error: {exc}", file=sys.stderr)
        return 2
    paths = write_history(history, path)
    findings = sum(o.finding for o in history.outcomes)
    print(
        f"wrote {len(history.shipments):,} shipments ({args.days} days from "
        f"{args.start.isoformat()}, seed {args.seed}) to {paths['batch']}; "
        f"{len(history.outcomes):,} inspections ({findings:,} findings) to "
        f"{paths['outcomes']}; {len(history.patterns)} planted patterns to {paths['patterns']}"
    )
    return 0
