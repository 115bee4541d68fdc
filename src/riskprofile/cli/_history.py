"""``riskprofile history``: record scored batches and outcomes in a history store."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from riskprofile.cli import _args
from riskprofile.cli._output import check_outputs

__all__ = ["STORE_HELP", "register"]

_SHOWN = 20

STORE_HELP = (
    "the history store: a DuckDB file (created by 'history add' when missing) or a "
    "PostgreSQL DSN (postgresql://user@host/db)"
)
"""The help of every ``--store``/``--history`` option."""


def register(commands: Any) -> None:
    history = commands.add_parser(
        "history",
        help="record scored batches and inspection outcomes in a history store",
        description="The history store keeps scored batches and inspection outcomes, for "
        "the history fields of rules (consignee first seen, prior findings...): an embedded "
        "DuckDB file, or PostgreSQL. See docs/history.md.",
    )
    sub = history.add_subparsers(dest="history_command", metavar="SUBCOMMAND", required=True)
    add = sub.add_parser(
        "add",
        help="record a batch (and the outcomes of its inspections)",
        description="Record a batch's shipments and, when given, the outcomes of its "
        "inspections (the outcome layout of 'evaluate'). The same batch file twice is "
        "recorded once, and a shipment, or an outcome, already in the store is not counted "
        "again: the command says so. Outcomes that match no shipment of the batch are "
        "listed, never dropped silently.",
    )
    add.add_argument("batch", help="batch file (JSON, JSON Lines, CSV, Parquet)")
    add.add_argument("outcomes", nargs="?", help="outcome file of the batch's inspections")
    add.add_argument("--store", required=True, help=STORE_HELP)
    add.add_argument("-m", "--mapping", help="column mapping YAML for the batch")
    add.add_argument("--outcomes-mapping", help="column mapping YAML for the outcome file")
    add.add_argument("--as-of", type=_args.as_of,
                     help="when the batch was scored (ISO 8601; default: today, UTC): the "
                     "time of a shipment with no arrival or B/L date")  # fmt: skip
    add.add_argument("--profiles", action="append", metavar="PATH",
                     help="the profiles the batch was scored with: their fingerprints are "
                     "kept with the run (repeatable; 'bundled' for the bundled ones)")  # fmt: skip
    add.set_defaults(run=_add)
    show = sub.add_parser(
        "show",
        help="list the batches recorded",
        description="List the batches a history store holds, oldest first: run id, source, "
        "as_of, shipments added, outcomes recorded.",
    )
    show.add_argument("--store", required=True, help=STORE_HELP)
    show.add_argument("--format", choices=["table", "json"], default="table")
    show.set_defaults(run=_show)
    stats = sub.add_parser(
        "stats",
        help="count what a history store holds",
        description="Count the runs, shipments, traders, inspections and findings a history "
        "store holds (seen before --as-of when given).",
    )
    stats.add_argument("--store", required=True, help=STORE_HELP)
    stats.add_argument("--as-of", type=_args.as_of,
                       help="count only history seen strictly before this time")  # fmt: skip
    stats.add_argument("--format", choices=["table", "json"], default="table")
    stats.set_defaults(run=_stats)
    _register_traders(sub)


def _register_traders(sub: Any) -> None:
    traders = sub.add_parser(
        "traders",
        help="review how parties were resolved to traders; merge or split them",
        description="Parties are resolved to traders by identifier, then by normalised "
        "name and country, then by a close name (rapidfuzz, with its score). List the "
        "resolutions with their score and reason, and override them: an analyst's merge "
        "or split is kept in the store and used by every history field from then on.",
    )
    verbs = traders.add_subparsers(dest="traders_command", metavar="SUBCOMMAND", required=True)
    listing = verbs.add_parser(
        "list",
        help="list the parties resolved to another trader, with score and reason",
        description="List every party key resolved to another trader (by name, by a close "
        "name, or by an analyst), with how: method, score, reason, who decided.",
    )
    listing.add_argument("--store", required=True, help=STORE_HELP)
    listing.add_argument("--format", choices=["table", "json"], default="table")
    listing.set_defaults(run=_traders_list)
    merge = verbs.add_parser(
        "merge",
        help="an analyst's decision: one trader key is the same trader as another",
        description="Resolve the trader key KEY (as 'history traders list' shows them: "
        "'name:KHAN LOGISTIC|PK', 'id:PK1234567') to the trader INTO is, for every history "
        "field from now on. Kept in the store.",
    )
    merge.add_argument("key", help="the trader key to merge")
    merge.add_argument("into", help="the trader key it is the same trader as")
    merge.add_argument("--store", required=True, help=STORE_HELP)
    merge.add_argument("--note", default="", help="why (kept with the decision)")
    merge.set_defaults(run=_traders_merge)
    split = verbs.add_parser(
        "split",
        help="an analyst's decision: a trader key is a trader of its own",
        description="Keep the trader key KEY apart from the trader it was resolved to (by "
        "a close name, or by an earlier merge), for every history field from now on. Kept "
        "in the store: the key is never resolved automatically again.",
    )
    split.add_argument("key", help="the trader key to split off")
    split.add_argument("--store", required=True, help=STORE_HELP)
    split.add_argument("--note", default="", help="why (kept with the decision)")
    split.set_defaults(run=_traders_split)


def _store_path_checked(command: str, store: str, inputs: list[str | None]) -> None:
    from riskprofile._locations import is_dsn

    if not store.strip():
        raise _args.usage_error(command, "--store: give a DuckDB file or a postgresql:// DSN")
    if not is_dsn(store):
        check_outputs(command, [store], inputs)


def _add(args: argparse.Namespace) -> int:
    from riskprofile.cli._outcomes import is_workbench_store, read_outcomes_of
    from riskprofile.history import open_store

    command = "history add"
    if not args.batch:
        raise _args.usage_error(command, "give the batch file")
    _store_path_checked(command, args.store, [args.batch, args.outcomes, args.mapping,
                                              args.outcomes_mapping])  # fmt: skip
    as_of = args.as_of or dt.datetime.now(tz=dt.UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    fingerprints = None
    if args.profiles:
        fingerprints = {p.id: p.fingerprint for p in _args.load_profiles(args.profiles, None)}
    outcomes: Any = args.outcomes or None
    if outcomes is not None and is_workbench_store(outcomes):  # the work queue's results
        outcomes = read_outcomes_of(outcomes, args.outcomes_mapping, command, args.batch)
    with open_store(args.store) as store:
        report = store.add(
            args.batch,
            outcomes,
            as_of=as_of,
            fingerprints=fingerprints,
            mapping=args.mapping,
            outcome_mapping=args.outcomes_mapping,
        )
    where = store.location
    if report.batch_known:
        print(f"{args.batch}: already recorded in {where} as {report.run_id}: its "
              f"{report.shipments_read:,} shipments are not counted again")  # fmt: skip
    else:
        known = (f"; {report.shipments_known:,} already in the store, not counted again"
                 if report.shipments_known else "")  # fmt: skip
        print(f"{args.batch}: {report.shipments_added:,} of {report.shipments_read:,} "
              f"shipments recorded in {where} as {report.run_id}{known}")  # fmt: skip
    if report.duplicate_ids:
        print(f"  {report.duplicate_ids:,} shipment(s) repeat an id of the same batch: the "
              "first of each is kept")  # fmt: skip
    if args.outcomes:
        known = (f"; {report.outcomes_known:,} already recorded, not counted again"
                 if report.outcomes_known else "")  # fmt: skip
        print(f"{args.outcomes}: {report.outcomes_read:,} outcome record(s): "
              f"{report.outcomes_added:,} inspection row(s) recorded{known}")  # fmt: skip
    problems = 0
    if report.rejected:
        problems += len(report.rejected)
        print(f"riskprofile: {len(report.rejected):,} batch record(s) rejected, not recorded:",
              file=sys.stderr)  # fmt: skip
        for rejected in report.rejected[:_SHOWN]:
            print(_args.shorten(f"  {args.batch}: record {rejected.record}: {rejected.reason}"),
                  file=sys.stderr)  # fmt: skip
    if report.outcomes_rejected:
        problems += len(report.outcomes_rejected)
        print(f"riskprofile: {len(report.outcomes_rejected):,} outcome record(s) rejected:",
              file=sys.stderr)  # fmt: skip
        for rejected in report.outcomes_rejected[:_SHOWN]:
            print(_args.shorten(f"  {args.outcomes}: record {rejected.record}: "
                                f"{rejected.reason}"), file=sys.stderr)  # fmt: skip
    if report.unmatched:
        problems += len(report.unmatched)
        print(f"riskprofile: {len(report.unmatched):,} outcome(s) match no shipment of the "
              "batch, not recorded:", file=sys.stderr)  # fmt: skip
        for item in report.unmatched[:_SHOWN]:
            line = f" (line {item.outcome.source_line})" if item.outcome.source_line else ""
            print(_args.shorten(f"  {item.outcome.unit}{line}: {item.reason}"), file=sys.stderr)
    if problems > _SHOWN:
        print(f"  (the first {_SHOWN} of each kind are shown)", file=sys.stderr)
    return 0


def _show(args: argparse.Namespace) -> int:
    from riskprofile.history import open_store

    _store_path_checked("history show", args.store, [])
    with open_store(args.store, create=False) as store:
        runs = store.runs()
    if args.format == "json":
        rows = [
            {**row, "as_of": row["as_of"].isoformat() + "Z",
             "added_at": row["added_at"].isoformat() + "Z",
             "profile_fingerprints": json.loads(row["profile_fingerprints"])}
            for row in runs.iter_rows(named=True)
        ]  # fmt: skip
        print(json.dumps(rows, indent=2))
        return 0
    if runs.height == 0:
        print(f"{store.location}: no batch recorded yet")
        return 0
    print(f"{'run':<22} {'as_of':<16} {'shipments':>9} {'outcomes':>8}  source")
    for row in runs.iter_rows(named=True):
        print(f"{row['run_id']:<22} {row['as_of']:%Y-%m-%d %H:%M} {row['shipments_added']:>9,} "
              f"{row['outcomes']:>8,}  {row['source']}")  # fmt: skip
    return 0


def _stats(args: argparse.Namespace) -> int:
    from riskprofile.history import open_store

    _store_path_checked("history stats", args.store, [])
    with open_store(args.store, create=False) as store:
        stats = store.stats(args.as_of)
        custom = store.custom_fields().rows()
    if args.format == "json":
        document: dict[str, Any] = {
            "runs": stats.runs, "shipments": stats.shipments, "consignees": stats.consignees,
            "shippers": stats.shippers,
            "first_seen": stats.first_seen.isoformat() + "Z" if stats.first_seen else None,
            "last_seen": stats.last_seen.isoformat() + "Z" if stats.last_seen else None,
            "inspections": stats.inspections, "findings": stats.findings,
            "finding_rate": stats.finding_rate,
        }  # fmt: skip
        if custom:  # recorded with the batches (a column mapping's extra:)
            document["custom_fields"] = [
                {"name": name, "kind": kind, "shipments": count} for name, kind, count in custom
            ]
        print(json.dumps(document, indent=2))
        return 0
    before = f" before {args.as_of.isoformat()}" if args.as_of else ""
    span = (f"{stats.first_seen:%Y-%m-%d} to {stats.last_seen:%Y-%m-%d}"
            if stats.first_seen and stats.last_seen else "none")  # fmt: skip
    rate = f"{stats.finding_rate:.1%}" if stats.finding_rate is not None else "n/a"
    print(f"{store.location}{before}:")
    print(f"  runs          {stats.runs:,}")
    print(f"  shipments     {stats.shipments:,} (seen {span})")
    print(f"  consignees    {stats.consignees:,}")
    print(f"  shippers      {stats.shippers:,}")
    print(f"  inspections   {stats.inspections:,}")
    print(f"  findings      {stats.findings:,} (rate {rate})")
    if custom:
        fields = ", ".join(f"{name} ({kind}, {count:,})" for name, kind, count in custom)
        print(f"  custom fields {fields}")
    return 0


def _traders_list(args: argparse.Namespace) -> int:
    from riskprofile.history import open_store

    _store_path_checked("history traders list", args.store, [])
    with open_store(args.store, create=False) as store:
        links = store.traders()
    if args.format == "json":
        rows = [{**row, "decided_at": row["decided_at"].isoformat() + "Z"}
                for row in links.iter_rows(named=True)]  # fmt: skip
        print(json.dumps(rows, indent=2))
        return 0
    if links.height == 0:
        print(f"{store.location}: every party is its own trader (nothing merged)")
        return 0
    for row in links.iter_rows(named=True):
        score = f" {row['score']:g}" if row["score"] is not None else ""
        print(_args.shorten(f"{row['key']} -> {row['trader']} [{row['method']}{score}, "
                            f"{row['decided_by']}]: {row['reason']}"))  # fmt: skip
    return 0


def _decided(args: argparse.Namespace, command: str) -> int:
    from riskprofile.history import open_store

    for name in ("key", "into"):
        if name in args and not str(getattr(args, name)).strip():
            raise _args.usage_error(command, f"{name.upper()}: give a trader key, e.g. "
                                    "'name:KHAN LOGISTICS|PK' (history traders list)")  # fmt: skip
    _store_path_checked(command, args.store, [])
    with open_store(args.store, create=False) as store:
        if command.endswith("merge"):
            link = store.merge_traders(args.key, args.into, note=args.note)
        else:
            link = store.split_trader(args.key, note=args.note)
    print(_args.shorten(f"{link.key} -> {link.trader}: {link.reason}"))
    return 0


def _traders_merge(args: argparse.Namespace) -> int:
    return _decided(args, "history traders merge")


def _traders_split(args: argparse.Namespace) -> int:
    return _decided(args, "history traders split")
