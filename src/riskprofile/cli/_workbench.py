"""``riskprofile serve users ...`` and ``riskprofile serve audit verify``: the workbench's
people and its audit log, from the server's command line (docs/serve.md)."""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskprofile.cli import _args

if TYPE_CHECKING:
    from riskprofile.serve.web import WebStore

__all__ = ["add_store_options", "open_store", "register"]

_ROLES = ("analyst", "officer", "supervisor")


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """``--data`` and ``--store``: where the workbench keeps its state."""
    parser.add_argument(
        "--data",
        metavar="FOLDER",
        help="the workbench's data folder (its store is workbench.sqlite there; default "
        "riskprofile-data in the current folder)",
    )
    parser.add_argument(
        "--store",
        metavar="URL",
        help="keep the workbench's state on a PostgreSQL server instead "
        "(postgresql://user@host/db)",
    )


def _actor() -> str:
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"cli:{account}"[:64]


def open_store(command: str, args: argparse.Namespace, *, create: bool) -> WebStore:
    """The store ``--data``/``--store`` name (``create``: make the data folder, whose
    parent must exist; else the store must already be there)."""
    try:
        from riskprofile.serve.web import WebStore
    except ImportError as exc:
        raise _args.usage_error(
            command,
            f"needs the serve extra: pip install 'riskprofile[serve]' ({exc.name} is missing)",
        ) from None
    if args.store is not None:
        if args.data is not None:
            raise _args.usage_error(command, "give --data or --store, not both")
        if not args.store.startswith(("postgresql://", "postgres://")):
            raise _args.usage_error(
                command,
                f"--store {args.store[:80]!r}: give a postgresql://... URL (or --data FOLDER)",
            )
        return WebStore(args.store)
    data = Path(args.data if args.data is not None else "riskprofile-data")
    if not str(data).strip():
        raise _args.usage_error(command, "--data: give a folder")
    if data.exists() and not data.is_dir():
        raise _args.usage_error(command, f"--data {data}: not a folder")
    location = data / "workbench.sqlite"
    if location.exists() and not location.is_file():
        raise _args.usage_error(command, f"--data {data}: {location.name} is not a file")
    if not location.exists():
        if not create:
            raise _args.usage_error(
                command,
                f"--data {data}: no workbench store there (add the first user with "
                "'riskprofile serve users add NAME --role supervisor')",
            )
        if not data.parent.is_dir():
            raise _args.usage_error(
                command, f"--data {data}: the folder {data.parent} does not exist"
            )
        data.mkdir(exist_ok=True)
    return WebStore(str(location))


def register(serve: argparse.ArgumentParser) -> Any:
    """Add ``users`` and ``audit`` under ``riskprofile serve``; the subcommands' parser
    (``queue`` joins it: cli/_queue.py)."""
    sub = serve.add_subparsers(dest="serve_command", metavar="[users|audit|queue]", required=False)
    users = sub.add_parser(
        "users",
        help="the workbench's users",
        description="Add, list, disable, enable a "
        "workbench user or set a password. Run on the server; each change is audited.",
    )
    verbs = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = verbs.add_parser(
        "add",
        help="add a user",
        description="Add a user with a role. The first supervisor is created here. "
        "Without --password-stdin a password is made and shown once.",
    )
    add.add_argument("username", help="the user name (lower-case letters, digits, . _ -)")
    add.add_argument("--role", required=True, choices=_ROLES, help="what the user does")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (its first line)",
    )
    add_store_options(add)
    add.set_defaults(run=_users_add)
    listing = verbs.add_parser("list", help="list the users", description="List the users.")
    add_store_options(listing)
    listing.set_defaults(run=_users_list)
    for verb, text in (
        ("disable", "disable a user (their sessions end)"),
        ("enable", "enable a disabled user again"),
    ):
        parser = verbs.add_parser(verb, help=text, description=text[0].upper() + text[1:] + ".")
        parser.add_argument("username")
        add_store_options(parser)
        parser.set_defaults(run=_users_disable, disable=verb == "disable")
    passwd = verbs.add_parser(
        "passwd",
        help="set a user's password",
        description="Set a user's password (their sessions end). Without --password-stdin "
        "a password is made and shown once.",
    )
    passwd.add_argument("username")
    passwd.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (its first line)",
    )
    add_store_options(passwd)
    passwd.set_defaults(run=_users_passwd)

    audit = sub.add_parser(
        "audit", help="the workbench's audit log", description="Check the workbench's audit log."
    )
    audit_verbs = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = audit_verbs.add_parser(
        "verify",
        help="check the audit log's hash chain",
        description="Read the whole audit log and check every entry's hash and its link "
        "to the one before: an entry edited, removed or inserted is named (exit 1). "
        "Prints the head (number and hash): keep it elsewhere and give it back with "
        "--head to find entries cut off the end.",
    )
    verify.add_argument(
        "--head", metavar="SEQ:HASH", help="a head printed earlier: it must still be in the log"
    )
    add_store_options(verify)
    verify.set_defaults(run=_audit_verify)
    return sub


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(the password, whether it was made here)."""
    if not args.password_stdin:
        return secrets.token_urlsafe(12), True
    line = sys.stdin.readline()
    return line.rstrip("\r\n"), False


def _users_add(args: argparse.Namespace) -> int:
    store = open_store("serve users add", args, create=True)
    password, made = _password(args)
    from riskprofile.serve.web import add_user

    user = add_user(store, args.username, args.role, password, actor=_actor())
    print(f"added {user.username} ({user.role})")
    if made:
        print(f"password (shown once; change it on the Account page): {password}")
    return 0


def _users_list(args: argparse.Namespace) -> int:
    store = open_store("serve users list", args, create=False)
    from riskprofile.serve.web import list_users

    with store.read() as tx:
        users = list_users(tx)
    for user in users:
        state = "disabled" if user.disabled else "enabled"
        print(f"{user.username}\t{user.role}\t{state}\t{user.language or '-'}")
    if not users:
        print(
            "no users (add one: riskprofile serve users add NAME --role supervisor)",
            file=sys.stderr,
        )
    return 0


def _users_disable(args: argparse.Namespace) -> int:
    verb = "disable" if args.disable else "enable"
    store = open_store(f"serve users {verb}", args, create=False)
    from riskprofile.serve.web import set_disabled

    user = set_disabled(store, args.username, args.disable, actor=_actor())
    print(f"{user.username}: {'disabled' if user.disabled else 'enabled'}")
    return 0


def _users_passwd(args: argparse.Namespace) -> int:
    store = open_store("serve users passwd", args, create=False)
    password, made = _password(args)
    from riskprofile.serve.web import set_password

    set_password(store, args.username, password, actor=_actor())
    print(f"{args.username}: password set; their sessions ended")
    if made:
        print(f"password (shown once): {password}")
    return 0


def _head(text: str) -> tuple[int, str]:
    seq, _sep, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise _args.usage_error(
            "serve audit verify", f"--head {text[:100]!r}: give SEQ:HASH as printed by verify"
        )
    return int(seq), digest


def _audit_verify(args: argparse.Namespace) -> int:
    head = _head(args.head) if args.head is not None else None
    store = open_store("serve audit verify", args, create=False)
    from riskprofile.serve.web import verify

    report = verify(store, head=head)
    for problem in report.problems:
        print(problem)
    state = "intact" if report.intact else f"BROKEN ({len(report.problems)} problem(s))"
    noun = "entry" if report.entries == 1 else "entries"
    print(
        f"audit log {state}: {report.entries:,} {noun}; head {report.head_seq}:{report.head_hash}"
    )
    return 0 if report.intact else 1
