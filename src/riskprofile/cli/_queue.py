"""``riskprofile serve queue load|scan``: load batch files into the work queue from the
command line (a cron job watching the cargo system's drop folder, a file given by hand),
on the same store as ``riskprofile serve --web``, audited as the user named by ``--as``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from riskprofile.cli import _args, _workbench

__all__ = ["check_queue_options", "register"]


def register(sub: Any) -> None:
    """Add ``queue load`` and ``queue scan`` under ``riskprofile serve``."""
    queue = sub.add_parser(
        "queue",
        help="load batch files into the work queue",
        description="Load batch files into the workbench's work queue, as its pages do: "
        "each file once (by content hash), scored and its inspection list drawn; a file "
        "that cannot be loaded is refused with why (exit 1). See docs/serve.md.",
    )
    verbs = queue.add_subparsers(dest="queue_command", metavar="ACTION", required=True)
    load = verbs.add_parser("load", help="load a batch file", description="Load a batch file.")
    load.add_argument("file", help="the batch file (JSON, JSON Lines, CSV, Parquet, CUSCAR)")
    scan = verbs.add_parser(
        "scan",
        help="load a drop folder's new files",
        description="Load each file of the folder not loaded from it before (a file "
        "changed in the last 2 seconds waits for the next scan; names starting with '.' "
        "or ending in .part, .tmp or ~ are skipped). Run it from cron to watch the folder.",
    )
    scan.add_argument("folder", help="the drop folder")
    for parser, run in ((load, _load), (scan, _scan)):
        parser.add_argument(
            "--as", dest="user", required=True, metavar="USER",
            help="the workbench user loading (an analyst or a supervisor), as audited",
        )  # fmt: skip
        parser.add_argument("--as-of", type=_args.as_of, metavar="DATE",
                            help="score as of this date or time (default: now)")  # fmt: skip
        parser.add_argument("--profiles", action="append", metavar="PATH",
                            help=_args.PROFILES_HELP)  # fmt: skip
        parser.add_argument("--country", type=_args.country,
                            help="apply this country's overlays (ISO alpha-2)")  # fmt: skip
        parser.add_argument(
            "--capacity",
            default="3%",
            help="the inspection list: a count, a share or per lane (3%%)",
        )
        parser.add_argument(
            "--control-rate", default="1%", help="the control sample's share (default 1%%)"
        )
        parser.add_argument("--seed", type=int, help="the control sample's seed")
        _workbench.add_store_options(parser)
        parser.set_defaults(run=run, drop_folder=None)


def check_queue_options(args: argparse.Namespace, command: str = "serve") -> None:
    """Refuse (exit 2) a capacity, control rate or drop folder that cannot be used."""
    from collections.abc import Mapping

    from riskprofile.cli._score import _share
    from riskprofile.selection import capacity_from_text, parse_capacity

    try:
        capacity = capacity_from_text(args.capacity)
        values = list(capacity.values()) if isinstance(capacity, Mapping) else [capacity]
        for value in values:
            parse_capacity(value, 100)
        _share(args.control_rate)
    except (ValueError, argparse.ArgumentTypeError) as exc:
        raise _args.usage_error(command, str(exc)) from None
    if args.drop_folder is not None and not Path(args.drop_folder).is_dir():
        raise _args.usage_error(command, f"--drop-folder {args.drop_folder}: not a folder")


def _workbench_of(args: argparse.Namespace, command: str) -> tuple[Any, Any, Any]:
    from riskprofile.selection import capacity_from_text
    from riskprofile.serve.web import list_users, record
    from riskprofile.workbench import Actor, Workbench, WorkbenchConfig
    from riskprofile.workbench.shared import SharedDatabase

    check_queue_options(args, command)
    store = _workbench.open_store(command, args, create=False)
    with store.read() as tx:
        users = {u.username: u for u in list_users(tx)}
    user = users.get(args.user)
    if user is None or user.disabled or user.role not in ("analyst", "supervisor"):
        store.close()
        raise _args.usage_error(
            command,
            f"--as {args.user[:64]!r}: give an enabled analyst or supervisor of the workbench",
        )
    shared = SharedDatabase(store)

    def audit(change: Any) -> None:
        target = change.unit or change.batch_id
        record(shared.current, change.actor, f"queue.{change.action}", target,
               before=change.before, after=change.after)  # fmt: skip

    config = WorkbenchConfig(
        capacity=capacity_from_text(args.capacity), control_rate=args.control_rate,
        seed=args.seed,
    )  # fmt: skip
    try:
        profiles = _args.load_profiles(args.profiles, args.country)
    except BaseException:
        store.close()
        raise
    workbench = Workbench(shared, profiles, config=config, on_change=audit)
    return workbench, Actor(user.username, user.role), store


def _say(reports: list[Any]) -> int:
    refused = 0
    for r in reports:
        if r.status == "loaded":
            print(f"{r.name}: loaded as {r.batch_id}: {r.shipments:,} shipments, {r.units:,} "
                  f"containers, {r.selected:,} on the list")  # fmt: skip
            for warning in r.warnings:
                print(f"  warning: {warning}")
            if r.rejected:
                print(f"  {len(r.rejected):,} record(s) could not be read (on the batch's page)")
        elif r.status == "known":
            print(f"{r.name}: already loaded ({r.reason})")
        else:
            refused += 1
            print(f"{r.name}: refused: {r.reason}", file=sys.stderr)
    return 1 if refused else 0


def _load(args: argparse.Namespace) -> int:
    workbench, actor, store = _workbench_of(args, "serve queue load")
    try:
        when = args.as_of or dt.datetime.now(dt.UTC)
        report = workbench.load(args.file, actor=actor, as_of=when, origin="cli")
    finally:
        store.close()
    return _say([report])


def _scan(args: argparse.Namespace) -> int:
    workbench, actor, store = _workbench_of(args, "serve queue scan")
    try:
        reports = workbench.scan(args.folder, actor=actor,
                                 as_of=args.as_of or dt.datetime.now(dt.UTC))  # fmt: skip
    finally:
        store.close()
    if not reports:
        print(f"{args.folder}: no new file")
    return _say(reports)
