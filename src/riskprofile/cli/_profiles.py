"""``riskprofile validate``, ``riskprofile test`` and ``riskprofile profiles``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from riskprofile.cli import _args

__all__ = ["register"]


_PATHS_HELP = "profile files or folders; 'bundled' for the bundled library (the default)"


def _paths(args: argparse.Namespace) -> list[str]:
    """The PATH arguments, the word ``bundled`` standing for the bundled library (as in
    ``--profiles``): ``riskprofile validate my-overlays/ bundled``."""
    from riskprofile.profiles import bundled_profiles_path

    library = str(bundled_profiles_path())
    paths = [library if p == _args.BUNDLED else p for p in args.paths]
    return list(dict.fromkeys(paths)) or [library]


def register(commands: Any) -> None:
    validate = commands.add_parser(
        "validate",
        help="check profile files: every error as file:line:col, lint warnings",
        description="Load, resolve and compile every profile and overlay under PATH "
        "(the bundled profiles when none is given). Prints every error as "
        "file:line:col: message and exits 1 if there is any; otherwise prints lint "
        "findings and a summary and exits 0.",
    )
    validate.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    validate.add_argument(
        "--today",
        "--as-of",
        dest="today",
        metavar="DATE",
        type=dt.date.fromisoformat,
        help="the date expiry lints (profiles, list entries) compare with (default: today's date)",
    )
    validate.add_argument(
        "--strict", action="store_true", help="treat lint warnings as errors (exit 1)"
    )
    validate.set_defaults(run=_validate)

    test = commands.add_parser(
        "test",
        help="run the examples the profiles carry",
        description="Run every profile's examples: the indicators named in 'hits' must "
        "fire on the example shipment and those in 'misses' must not. The shipment is "
        "built as real data is (derived fields such as hs_chapters filled); a failure "
        "shows the values of the fields the indicator uses. Exits 1 on any failure.",
    )
    test.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    test.add_argument("-v", "--verbose", action="store_true", help="list passing examples too")
    test.set_defaults(run=_test)

    profiles = commands.add_parser(
        "profiles", help="list and show profiles", description="List and show profiles."
    )
    sub = profiles.add_subparsers(dest="profiles_command", metavar="SUBCOMMAND", required=True)
    listing = sub.add_parser("list", help="list the profiles with version and fingerprint")
    listing.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    listing.add_argument(
        "--country", type=_args.country, help="resolve this country's overlays (ISO 3166)"
    )
    listing.set_defaults(run=_list)
    show = sub.add_parser("show", help="print one profile as YAML")
    show.add_argument("id", help="the profile id")
    show.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    show.add_argument(
        "--country", type=_args.country, help="resolve this country's overlays (ISO 3166)"
    )
    show.add_argument(
        "--resolved",
        action="store_true",
        help="show the profile with overlays applied and list files read (the form "
        "that is fingerprinted)",
    )
    show.set_defaults(run=_show)
    engines = sub.add_parser(
        "engines",
        help="which conditions the columnar engine runs columnar, which row-wise and why",
        description="Translate every indicator's and exception's condition for the "
        "columnar engine and print, per profile, 'columnar' or 'row-wise: <reason>' "
        "(a condition it cannot translate exactly runs row-wise, with the same result), "
        "then a summary.",
    )
    engines.add_argument("paths", nargs="*", metavar="PATH", help=_PATHS_HELP)
    engines.add_argument(
        "--country", type=_args.country, help="resolve this country's overlays (ISO 3166)"
    )
    engines.set_defaults(run=_engines)


def _validate(args: argparse.Namespace) -> int:
    from riskprofile.errors import ProfileSetError
    from riskprofile.profiles import load_all_profiles

    try:
        profiles = load_all_profiles(_paths(args))
    except ProfileSetError as exc:
        for error in exc.errors:
            print(f"{error.location_text()} [{error.code}]")
        print(f"{len(exc.errors)} error(s)", file=sys.stderr)
        return 1
    findings = _lint(profiles, args.today or dt.datetime.now(tz=dt.UTC).date())
    for finding in findings:
        print(finding)
    indicators = sum(len(p.indicators) for p in profiles)
    overlays = sum(1 for p in profiles if p.extends)
    warnings = sum(1 for f in findings if f.severity in ("error", "warning"))
    print(
        f"{len(profiles)} profiles ({overlays} overlays), {indicators} indicators: valid"
        + (f"; {warnings} lint warning(s)" if warnings else "")
    )
    errors = any(f.severity == "error" for f in findings)
    return 1 if errors or (args.strict and warnings) else 0


def _lint(profiles: Any, today: dt.date) -> list[Any]:
    """The profile language's lints, then the columnar engine's (which lives with it)."""
    from riskprofile.engines.columnar import RowwiseFallback
    from riskprofile.profiles import ALL_LINTS, lint_profiles

    return list(lint_profiles(profiles, today=today, lints=[*ALL_LINTS, RowwiseFallback()]))


def _test(args: argparse.Namespace) -> int:
    from riskprofile.profiles import load_all_profiles, run_examples

    outcomes = run_examples(load_all_profiles(_paths(args)))
    failed = [o for o in outcomes if not o.passed]
    for outcome in outcomes:
        if args.verbose or not outcome.passed:
            print(outcome)
    print(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    stated = sum(1 for o in outcomes if o.stated)
    if stated:
        # Said, not hidden: such an example tests a shipment no feed produces as such.
        print(
            f"note: {stated} example(s) give a derived field without the fields it comes "
            "from (taken as stated; -v lists them)"
        )
    return 1 if failed else 0


def _load(args: argparse.Namespace) -> Any:
    from riskprofile.profiles import load_all_profiles, load_profiles

    if args.country:
        return load_profiles(_paths(args), country=args.country)
    return load_all_profiles(_paths(args))


def _list(args: argparse.Namespace) -> int:
    for p in _load(args):
        base = f" (adapts {p.extends[-1]})" if p.extends else ""
        print(f"{p.id}  v{p.version}  {p.profile.category}  {p.fingerprint[:19]}{base}")
    return 0


def _plain(value: Any) -> Any:
    """Model dump -> YAML-friendly values (numbers as numbers, dates as text)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _show(args: argparse.Namespace) -> int:
    from riskprofile.errors import ProfileError

    profiles = _load(args)
    try:
        profile = profiles[args.id]
    except KeyError:
        ids = [p.id for p in profiles]
        import difflib

        close = difflib.get_close_matches(args.id, ids, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ProfileError(f"no profile {args.id!r}{hint}", code="unknown_profile") from None
    data = _plain(profile.profile.model_dump(exclude_defaults=not args.resolved))
    if args.resolved:
        data["lists"] = {
            name: {**data["lists"].get(name, {}), "file": None,
                   "values": sorted(str(v) for v in values)}
            for name, values in sorted(profile.lists.items())
        }  # fmt: skip
        for name, watch in profile.watch_lists.items():
            if watch.expiring:  # each value is in force until its last entry expires
                last: dict[str, Any] = {}
                for e in watch.entries:
                    key = str(e.value)
                    known, now = last.get(key, e.expires), e.expires
                    last[key] = None if known is None or now is None else max(known, now)
                data["lists"][name]["expires"] = {
                    k: v.isoformat() for k, v in sorted(last.items()) if v is not None
                }
    header = {
        "fingerprint": profile.fingerprint,
        "source": str(Path(profile.source)),
        "extends": list(profile.extends),
    }
    sys.stdout.write("# " + json.dumps(header) + "\n")
    import yaml

    sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88))
    return 0


def _engines(args: argparse.Namespace) -> int:
    from riskprofile.engines.columnar import translate

    profiles = _load(args)
    today = dt.datetime.now(tz=dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    total = rowwise = 0
    for profile in profiles:
        parts = [("indicator", i.id, i.condition) for i in profile.indicators] + [
            ("exception", e.id, e.condition) for e in profile.exceptions
        ]
        for kind, part_id, condition in parts:
            reason = translate(condition, profile.lists, today).fallback
            total += 1
            rowwise += reason is not None
            engine = "columnar" if reason is None else f"row-wise: {reason}"
            print(f"{profile.id}  {kind} {part_id}  {engine}")
    print(
        f"{total} conditions in {len(profiles)} profiles: {total - rowwise} columnar, "
        f"{rowwise} row-wise"
    )
    return 0
