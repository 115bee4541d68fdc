"""``riskprofile sql``: the SQL of each indicator, for a DBA to read or run."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from riskprofile.cli import _args

__all__ = ["register"]


def register(commands: Any) -> None:
    sql = commands.add_parser(
        "sql",
        help="print the SQL of each indicator (DuckDB, PostgreSQL or Spark)",
        description="Translate every exception and indicator of the profiles into SQL for "
        "the dialect: one query per condition over a table (or view) with the shipment "
        "frame's columns (see 'riskprofile fields') and a row number _row, giving per row "
        "hit (the condition holds), error (it cannot be evaluated) and, where some text "
        "or number must be decided by the row-wise engine, undecided. A condition the "
        "dialect cannot say exactly is named with the reason (the SQL engine runs it on "
        "the columnar engine). See docs/engines.md.",
    )
    sql.add_argument("paths", nargs="*", metavar="PATH",
                     help="profile files or folders; 'bundled' for the bundled library "
                     "(the default)")  # fmt: skip
    sql.add_argument("--dialect", type=_dialect, default="duckdb",
                     help="the SQL dialect: duckdb (default), postgres or spark - the ones "
                     "whose SQL the tests execute; any other (trino, oracle, ...) is "
                     "refused, saying why")  # fmt: skip
    sql.add_argument("--country", type=_args.country,
                     help="apply this country's overlays (ISO alpha-2)")  # fmt: skip
    sql.add_argument("--profile", metavar="ID", action="append",
                     help="only this profile (repeatable)")  # fmt: skip
    sql.add_argument("--table", default="shipments",
                     help="the table or view the queries read (default: shipments)")  # fmt: skip
    sql.add_argument("--as-of", type=_args.as_of,
                     help="evaluation date or time for $today/$now (ISO 8601; default: "
                     "today, UTC)")  # fmt: skip
    sql.set_defaults(run=_sql)


def _sql(args: argparse.Namespace) -> int:
    from riskprofile.engines.sql import profile_sql
    from riskprofile.profiles import bundled_profiles_path, load_all_profiles, load_profiles

    library = str(bundled_profiles_path())
    paths = list(dict.fromkeys(library if p == _args.BUNDLED else p for p in args.paths))
    paths = paths or [library]
    profiles = (
        load_profiles(paths, country=args.country) if args.country else load_all_profiles(paths)
    )
    chosen = list(profiles)
    if args.profile:
        wanted = set(args.profile)
        unknown = wanted - {p.id for p in profiles}
        if unknown:
            raise _args.usage_error("sql", f"no profile {', '.join(sorted(unknown))}")
        chosen = [p for p in profiles if p.id in wanted]
    as_of = args.as_of or dt.datetime.now(tz=dt.UTC).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    if not _identifier(args.table):
        raise _args.usage_error("sql", f"--table {args.table!r}: not a plain table name")
    out = sys.stdout
    total = fallbacks = 0
    out.write(f"-- riskprofile sql --dialect {args.dialect}, as of {as_of.isoformat()}\n")
    for profile in chosen:
        for name, query, reason in profile_sql(profile, as_of, args.dialect, table=args.table):
            total += 1
            out.write(f"\n-- {profile.id} {name} (v{profile.version})\n")
            if query is None:
                fallbacks += 1
                out.write(f"-- not in SQL: {reason} (runs on the columnar engine)\n")
            else:
                out.write(query + ";\n")
    out.write(
        f"\n-- {total} conditions in {len(chosen)} profiles: {total - fallbacks} in SQL, "
        f"{fallbacks} on the columnar engine\n"
    )
    return 0


def _dialect(text: str) -> str:
    """A dialect the SQL engine writes and the tests execute (``postgresql`` is
    ``postgres``); any other is refused with the reason, never printed unverified."""
    from riskprofile.engines.sql import DIALECTS, unverified_reason

    name = text.strip().lower()
    name = "postgres" if name == "postgresql" else name
    if name in DIALECTS:
        return name
    raise argparse.ArgumentTypeError(unverified_reason(name or text))


def _identifier(name: str) -> bool:
    parts = name.split(".")
    return all(p and (p[0].isalpha() or p[0] == "_") and p.replace("_", "a").isalnum()
               and p.isascii() for p in parts)  # fmt: skip
