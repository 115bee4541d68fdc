"""``riskprofile lists``: official sanctions lists imported as watch lists."""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from riskprofile.cli import _args
from riskprofile.cli._output import check_outputs

__all__ = ["register"]

_PROBLEMS_SHOWN = 20
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _list_name(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a list name: a lower-case letter, then up to 39 lower-case "
            "letters, digits or _ (un, ofac_sdn)"
        )
    return text


def register(commands: Any) -> None:
    lists = commands.add_parser(
        "lists",
        help="import official sanctions lists (UN, EU, OFAC, FtM)",
        description="Official sanctions lists turned into the watch-list files profiles read.",
    )
    sub = lists.add_subparsers(dest="lists_command", metavar="SUBCOMMAND", required=True)
    imp = sub.add_parser(
        "import",
        help="read an official list file and write its names and identifiers as watch lists",
        description="Read an official sanctions list - the UN Security Council consolidated "
        "list (un), the 1718 Committee's designated vessels as a CSV table (un1718), the EU "
        "financial sanctions file (eu), OFAC's advanced SDN XML (ofac) or FollowTheMoney "
        "JSON lines (ftm); auto detects it - and write into the output folder "
        "NAME_entities.csv (the entity table), NAME_names.csv (names and aliases, to compare "
        "with party names), one list per identifier kind with values (NAME_imo.csv for "
        "vessel_imo, NAME_passports.csv, NAME_tax_ids.csv, ...) and NAME_problems.csv "
        "(every record or value not used, with its reason). Exits 1 with --strict when "
        "something was not used. See docs/lists.md.",
    )
    imp.add_argument("source", choices=["auto", "un", "un1718", "eu", "ofac", "ftm"],
                     help="the list's format; auto detects it")  # fmt: skip
    imp.add_argument("file", help="the list file (XML; JSON lines for ftm; CSV for un1718)")
    imp.add_argument("-o", "--output", required=True,
                     help="the folder to write into (created if its parent exists)")  # fmt: skip
    imp.add_argument("--name", type=_list_name,
                     help="the files' name prefix (default: the format, e.g. un)")  # fmt: skip
    imp.add_argument("--programme", action="append", metavar="NAME",
                     help="keep only the parties listed under this programme (repeatable; "
                     "DPRK, IRAN-EO13846...)")  # fmt: skip
    imp.add_argument("--edition", type=_args.iso_date,
                     help="the list's publication date (YYYY-MM-DD), for a file that does "
                     "not give it (un1718, ftm)")  # fmt: skip
    imp.add_argument("--strict", action="store_true",
                     help="exit 1 when a record or value could not be used")  # fmt: skip
    imp.set_defaults(run=_import)


def _import(args: argparse.Namespace) -> int:
    from riskprofile.lists import SOURCES, import_list, write_watch_lists

    command = "lists import"
    if not args.file:
        raise _args.usage_error(command, "give the list file")
    if not args.output:
        raise _args.usage_error(command, "give the output folder (-o)")
    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise _args.usage_error(command, f"{args.output!r} is a file, not a folder")
    if not folder.exists():
        parent = folder.parent if str(folder.parent) else Path()
        if not parent.is_dir():
            raise _args.usage_error(
                command, f"cannot create {args.output!r}: the folder {str(parent)!r} does not exist"
            )
    name = args.name or (args.source if args.source != "auto" else None)
    stated = args.edition.isoformat() if args.edition else None
    imported = import_list(args.source, args.file, edition=stated)
    name = name or imported.source
    if args.programme:
        try:
            imported = imported.with_programmes(args.programme)
        except ValueError as exc:
            raise _args.usage_error(command, f"{args.file}: {exc}") from None
    if not imported.entities:
        raise _args.usage_error(
            command,
            f"{args.file}: no designated party found in this {SOURCES[imported.source]} "
            f"({len(imported.problems)} record(s) not used); nothing written",
        )
    folder.mkdir(exist_ok=True)
    suffixes = ("entities", "names", "imo", "passports", "national_ids", "tax_ids",
                "registrations", "problems")  # fmt: skip
    check_outputs(command, [folder / f"{name}_{s}.csv" for s in suffixes], [args.file])
    written = write_watch_lists(imported, folder, name)
    kinds = Counter(e.kind for e in imported.entities)
    described = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in sorted(kinds.items()))
    shown = imported.edition or "unknown: the file does not say"
    print(f"{imported.title}, edition {shown}: {len(imported.entities)} entities "
          f"({described})")  # fmt: skip
    for item in written:
        print(f"  {item.path}: {item.rows} {item.what}")
    from riskprofile.profiles.shared import MAX_LIST_FILE_BYTES

    for item in written:
        size = item.path.stat().st_size
        if item.watch_list and size > MAX_LIST_FILE_BYTES:
            print(f"riskprofile: warning: {item.path} is {size:,} bytes, over the "
                  f"{MAX_LIST_FILE_BYTES:,} a profile's list file may have: a profile naming "
                  "it will not load; keep the programmes you screen with --programme",
                  file=sys.stderr)  # fmt: skip
    missing = [s for s in suffixes[2:-1] if not any(w.path.name == f"{name}_{s}.csv"
                                                     for w in written)]  # fmt: skip
    if missing:
        print(f"  no {', '.join(missing)} in this list: those files are not written")
    if stated is not None and imported.edition != stated:
        print(f"riskprofile: note: the file gives its edition, {imported.edition}; "
              f"--edition {stated} is not used", file=sys.stderr)  # fmt: skip
    if imported.edition is None:
        print("riskprofile: warning: the list gives no edition date; check it is current "
              "and give it with --edition", file=sys.stderr)  # fmt: skip
    problems = imported.problems
    if problems:
        print(f"riskprofile: {len(problems)} record(s) or value(s) not used "
              f"(all in {name}_problems.csv):", file=sys.stderr)  # fmt: skip
        for problem in problems[:_PROBLEMS_SHOWN]:
            print(_args.shorten(f"  {problem}"), file=sys.stderr)
        if len(problems) > _PROBLEMS_SHOWN:
            print(f"  ... and {len(problems) - _PROBLEMS_SHOWN} more", file=sys.stderr)
    return 1 if args.strict and problems else 0
