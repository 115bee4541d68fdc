"""``riskprofile exchange``: keys, trust, and signed messages between PCUs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import warnings
from decimal import Decimal
from pathlib import Path
from typing import Any

from riskprofile.cli import _args
from riskprofile.cli._exchange_keys import (
    HOME_VARIABLE,
    _home,
    _keygen,
    _now,
    _read_message,
    _revoke,
    _rotate,
    _signing_key,
    _trust_add,
    _trust_apply,
    _trust_list,
)

__all__ = ["register"]


def _home_and_time(
    parser: argparse.ArgumentParser, *, time: bool = True, home: bool = True
) -> None:
    if home:
        parser.add_argument(
            "--home",
            help=f"folder of the trust store and the log (default: ${HOME_VARIABLE}, or "
            "./.riskprofile-exchange)",
        )
    if time:
        parser.add_argument(
            "--as-of", type=_args.as_of, help="the time to judge expiry at (ISO 8601; default: now)"
        )


def _pcu(text: str) -> str:
    """A PCU id argument (``PK-KHI``): it names files, so nothing else is accepted."""
    from riskprofile.exchange.shared import valid_pcu

    try:
        return valid_pcu(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _valid_days(text: str) -> int:
    """Days a warning stays valid: 1 to the maximum a message may be valid."""
    from riskprofile.exchange import MAX_VALIDITY

    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if not 1 <= days <= MAX_VALIDITY.days:
        raise argparse.ArgumentTypeError(
            f"must be from 1 to {MAX_VALIDITY.days} days, not {days:,}"
        )
    return days


MAX_TEXT = 2000
"""The longest free text a command line puts into a message (a finding, a unit)."""


def _text(text: str) -> str:
    """A free-text argument: not blank, at most :data:`MAX_TEXT` characters."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be blank")
    if len(text) > MAX_TEXT or not text.isprintable():
        raise argparse.ArgumentTypeError(
            f"must be printable text of at most {MAX_TEXT:,} characters"
        )
    return text.strip()


def _quantity(text: str) -> str:
    """A quantity: a decimal number, written as messages carry it (``12.5``)."""
    import re

    if not re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,6})?", text):
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a decimal number such as 12.5")
    return text


def _key_id(text: str) -> str:
    """A key id argument: 64 lower-case hex digits."""
    from riskprofile.exchange.shared import KEY_ID

    if not KEY_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{text[:40]!r} is not a key id (64 hex digits, as `trust list` shows)"
        )
    return text


def _answer_options(parser: argparse.ArgumentParser) -> None:
    """The options feedback and seizure reports share with warnings."""
    parser.add_argument("--key", required=True, help="this PCU's private key (<PCU>.key.pem)")
    parser.add_argument("--valid-days", type=_valid_days, default=30,
                        help="days until expiry, 1 to 365 (30)")  # fmt: skip
    parser.add_argument("-o", "--output", default=".", help="folder for the signed files (.)")
    _home_and_time(parser)


def register(commands: Any) -> None:
    exchange = commands.add_parser(
        "exchange",
        help="signed warnings, feedback and seizure reports between PCUs",
        description="Exchange signed messages with partner PCUs: make keys, manage the "
        "trust store, send warnings (redacted per partner), verify and import what "
        "partners send, and query the log of everything sent and received.",
    )
    sub = exchange.add_subparsers(dest="exchange_command", metavar="SUBCOMMAND", required=True)

    keygen = sub.add_parser(
        "keygen",
        help="make this PCU's Ed25519 key pair",
        description="Write <PCU>.key.pem (private: keep it) and <PCU>.pub.pem (give it to "
        "partners) into a folder. Existing keys are never overwritten.",
    )
    keygen.add_argument("--pcu", required=True, type=_pcu,
                        help="this PCU's id, e.g. PK-KHI (country, hyphen, 2-12 capitals "
                        "or digits)")  # fmt: skip
    keygen.add_argument("-o", "--output", required=True, help="folder to write the keys to")
    keygen.add_argument(
        "--encrypt",
        action="store_true",
        help="encrypt the private key with a passphrase, read from "
        "$RISKPROFILE_KEY_PASSPHRASE or typed at the prompt (never an argument)",
    )
    keygen.set_defaults(run=_keygen)

    trust = sub.add_parser(
        "trust",
        help="add or list trusted partner keys",
        description="Manage the trust store of partner public keys.",
    )
    trust_sub = trust.add_subparsers(dest="trust_command", metavar="ACTION", required=True)
    add = trust_sub.add_parser("add", help="trust a partner's public key")
    add.add_argument("pcu", type=_pcu, help="the partner PCU id, e.g. KZ-AKT")
    add.add_argument("public_key", help="its public key PEM file (<PCU>.pub.pem)")
    _home_and_time(add, time=False)
    add.set_defaults(run=_trust_add)
    listing = trust_sub.add_parser("list", help="list the trusted partners and key ids")
    _home_and_time(listing, time=False)
    listing.set_defaults(run=_trust_list)
    apply = trust_sub.add_parser(
        "apply",
        help="apply a partner's signed key rotation or revocation",
        description="Check a key statement (from `exchange rotate` or `exchange revoke` at "
        "a partner) against the trust store, and apply it: a rotation signed by the "
        "partner's trusted key and by the new key trusts the new key; a revocation signed "
        "by a trusted key of the partner revokes the key it names. Exits 1 with the reason "
        "when the statement is refused.",
    )
    apply.add_argument("statement", help="the signed key statement (JSON)")
    _home_and_time(apply)
    apply.set_defaults(run=_trust_apply)

    rotate = sub.add_parser(
        "rotate",
        help="make a new key pair, signed over by the current key",
        description="Generate this PCU's new key pair into -o (a folder other than the "
        "current key's) and a key statement signed by the current key and the new one "
        "(<PCU>.rotation.json) for partners to apply (`exchange trust apply`). Revoke the "
        "old key once partners trust the new one.",
    )
    rotate.add_argument("--key", required=True, help="this PCU's current private key")
    rotate.add_argument("-o", "--output", required=True, help="folder for the new keys")
    rotate.add_argument("--reason", type=_text, default="key rotation",
                        help="why, for partners (default: key rotation)")  # fmt: skip
    rotate.add_argument("--encrypt", action="store_true",
                        help="encrypt the new private key with a passphrase")  # fmt: skip
    _home_and_time(rotate)
    rotate.set_defaults(run=_rotate)

    revoke = sub.add_parser(
        "revoke",
        help="sign the revocation of one of this PCU's keys",
        description="Write a key statement revoking one of this PCU's keys, signed by "
        "--key (the revoked key itself, or another key partners trust), for partners to "
        "apply (`exchange trust apply`): messages signed with the key are then refused.",
    )
    revoke.add_argument(
        "key_id", type=_key_id, help="the id of the key to revoke (64 hex digits; trust list)"
    )
    revoke.add_argument("--key", required=True, help="the private key that signs it")
    revoke.add_argument("--reason", required=True, type=_text,
                        help="why (compromised, retired, ...)")  # fmt: skip
    revoke.add_argument("-o", "--output", default=".", help="folder for the statement (.)")
    _home_and_time(revoke)
    revoke.set_defaults(run=_revoke)

    warn = sub.add_parser(
        "warn",
        help="sign a warning about a container for partner PCUs",
        description="Build a warning about a container from a written scoring run "
        "(--run: a run file from write_run, or the JSON report of `riskprofile score`) or "
        "by scoring a batch (--batch), then write one signed copy per partner, redacted by "
        "its policy (every personal field dropped for a partner without one), and log what "
        "was sent to whom.",
    )
    warn.add_argument(
        "--run",
        dest="run_json",
        metavar="RUN",
        help="a run file (riskprofile.write_run: route, vessel, voyage and parties come "
        "from it) or the JSON report of `riskprofile score -o run.json` (no route or voyage "
        "in it: give --batch too, so that they and the parties are known)",
    )
    warn.add_argument("--batch", help="the batch: scored when --run is not given")
    warn.add_argument("-m", "--mapping",
                      help="column mapping YAML for a CSV/Parquet --batch")  # fmt: skip
    warn.add_argument("--container", help="the container number (or --party)")
    warn.add_argument("--party", type=_text, metavar="NAME",
                      help="warn about a party instead: its name (give --reason)")  # fmt: skip
    warn.add_argument("--role", default="consignee",
                      choices=["shipper", "consignee", "notify", "freight_payer"],
                      help="the party's role (consignee)")  # fmt: skip
    warn.add_argument("--party-country", type=_args.country, help="the party's country")
    warn.add_argument("--reason", type=_text, help="why the party is high-risk (--party)")
    warn.add_argument("--to", action="append", required=True, metavar="PCU", type=_pcu,
                      help="a partner PCU (repeatable)")  # fmt: skip
    warn.add_argument("--key", required=True, help="this PCU's private key (<PCU>.key.pem)")
    warn.add_argument("--policy", action="append", default=[], metavar="YAML",
                      help="a partner's redaction policy (repeatable)")  # fmt: skip
    warn.add_argument("--profiles", action="append", metavar="PATH",
                      help="profiles to score --batch with: " + _args.PROFILES_HELP)  # fmt: skip
    warn.add_argument(
        "--country", type=_args.country, help="apply this country's overlays when scoring"
    )
    warn.add_argument("--category", help="what is suspected (default: from the profile id)")
    warn.add_argument("--urgency", choices=["routine", "high", "immediate"], default="high")
    warn.add_argument("--valid-days", type=_valid_days, default=30,
                      help="days until expiry, 1 to 365 (30)")  # fmt: skip
    warn.add_argument("-o", "--output", default=".", help="folder for the signed files (.)")
    _home_and_time(warn)
    warn.set_defaults(run=_warn)

    feedback = sub.add_parser(
        "feedback",
        help="answer a partner's warning: what the inspection found",
        description="Sign feedback on a warning this PCU received (the signed file, "
        "checked against the trust store; it may have expired): the result of the "
        "inspection of its container, sent to the PCU that warned and naming the warning. "
        "Written into -o and logged as sent.",
    )
    feedback.add_argument("warning", help="the signed warning received (JSON)")
    feedback.add_argument("--result", required=True,
                          choices=["seizure", "irregularity", "nothing_found", "not_inspected"],
                          help="what the inspection found")  # fmt: skip
    feedback.add_argument("--finding", type=_text, help="what was found, in words")
    _answer_options(feedback)
    feedback.set_defaults(run=_feedback)

    seizure = sub.add_parser(
        "seizure",
        help="report a seizure to partner PCUs",
        description="Sign a seizure report: what was seized, how much, how it was hidden. "
        "Given --warning (the signed warning that led to it), the report names it, goes to "
        "the PCU that warned and takes its container, bills of lading and route.",
    )
    seizure.add_argument("--warning", help="the signed warning that led to the seizure")
    seizure.add_argument(
        "--to", action="append", metavar="PCU", type=_pcu,
        help="a partner PCU (repeatable; with --warning, its sender is one)",
    )  # fmt: skip
    seizure.add_argument("--container", help="the container (default: the warning's)")
    seizure.add_argument("--goods-category", required=True, type=_text,
                         help="what was seized (heroin, cigarettes, …)")  # fmt: skip
    seizure.add_argument("--quantity", required=True, type=_quantity,
                         help="how much, a decimal number (12.5)")  # fmt: skip
    seizure.add_argument("--unit", required=True, type=_text, help="its unit (kg, pieces)")
    seizure.add_argument("--concealment", required=True, type=_text,
                         help="how it was hidden")  # fmt: skip
    seizure.add_argument("--photo", action="append", default=[], type=_text, metavar="REF",
                         help="a reference to a photo (repeatable)")  # fmt: skip
    _answer_options(seizure)
    seizure.set_defaults(run=_seizure)

    verify = sub.add_parser(
        "verify",
        help="check a partner's signed message",
        description="Check a signed message: schema, signature against the trust store, "
        "expiry, replay (against the log). Exits 1 with the reason when it is refused.",
    )
    verify.add_argument("file", help="the signed message (JSON)")
    _home_and_time(verify)
    verify.set_defaults(run=_verify)

    imp = sub.add_parser(
        "import",
        help="verify and import a message: warnings into a watch list",
        description="Verify a signed message and import it into a folder: warnings into "
        "the watch list partner_warnings.csv (expired ones left out), feedback and "
        "seizures into outcomes.csv. Importing the same message again changes nothing.",
    )
    imp.add_argument("file", help="the signed message (JSON)")
    imp.add_argument("--into", required=True, help="the folder of the watch lists")
    imp.add_argument(
        "--as",
        dest="recipient",
        metavar="PCU",
        type=_pcu,
        help="this PCU's id: refuse a message not addressed to it",
    )
    _home_and_time(imp)
    imp.set_defaults(run=_import)

    match = sub.add_parser(
        "match",
        help="find the parties of a batch that partners' party warnings name",
        description="List the containers of a batch with a party (shipper, consignee, "
        "notify, freight payer) that a partner's party warning in force names: by its "
        "name (normalised: spelling, case and legal form do not count) or, when the "
        "partner sent only a key, by the key under the secret of the policy (--policy). "
        "Exits 1 when a party matches, 0 when none does.",
    )
    match.add_argument("batch", help="the batch (JSON, CSV, Parquet)")
    match.add_argument("-m", "--mapping", help="column mapping YAML for a CSV/Parquet batch")
    match.add_argument("--into", required=True, help="the folder of the partner watch lists")
    match.add_argument("--policy", action="append", default=[], metavar="YAML",
                       help="a partner's redaction policy: its salt is the key secret "
                       "(repeatable)")  # fmt: skip
    match.add_argument(
        "--as-of", type=_args.as_of, help="the time to judge expiry at (ISO 8601; default: now)"
    )
    match.set_defaults(run=_match)

    refresh = sub.add_parser(
        "refresh",
        help="rewrite the partner watch lists without the expired warnings",
        description="Rewrite partner_warnings.csv and partner_warning_bls.csv in a folder "
        "from its imported warnings, leaving out those expired at --as-of (default: now), "
        "and say how many are in force and how many have expired.",
    )
    refresh.add_argument("--into", required=True, help="the folder of the watch lists")
    refresh.add_argument(
        "--as-of", type=_args.as_of, help="the time to judge expiry at (ISO 8601; default: now)"
    )
    refresh.set_defaults(run=_refresh)

    log = sub.add_parser("log", help="query the log of messages sent and received",
                         description="List log entries, oldest first.")  # fmt: skip
    log.add_argument("--kind", choices=["warning", "feedback", "seizure", "key_rotation",
                                        "key_revocation"])  # fmt: skip
    log.add_argument("--direction", choices=["sent", "received", "imported", "rejected"])
    log.add_argument("--partner", help="the other PCU")
    log.add_argument("--message-id")
    log.add_argument(
        "--warning", metavar="MESSAGE_ID",
        help="a warning and the feedback and seizure reports answering it",
    )  # fmt: skip
    log.add_argument("--since", type=_args.as_of, help="from this time (ISO 8601)")
    log.add_argument("--until", type=_args.as_of, help="before this time (ISO 8601)")
    log.add_argument("--format", choices=["text", "json"], default="text")
    _home_and_time(log, time=False)
    log.set_defaults(run=_log)

    schema = sub.add_parser("schema", help="print the JSON Schema of the messages")
    schema.set_defaults(run=_schema)


def _warning_from_run(args: argparse.Namespace, sender: str, now: dt.datetime) -> Any:
    from riskprofile._run_file import RUN_FORMAT, read_run
    from riskprofile.errors import InputFormatError
    from riskprofile.io.shared import read_document

    doc = read_document(args.run_json)
    if isinstance(doc, dict) and doc.get("format") == RUN_FORMAT:
        # A run file holds every shipment with its fields: the route, the vessel call and
        # the parties come from it, as from a batch scored here.
        return _warning_from_scoring_run(read_run(args.run_json), args, sender, now)
    try:
        return _warning_from_run_doc(doc, args, sender, now)
    except (KeyError, TypeError, AttributeError, ValueError, ArithmeticError) as exc:
        detail = f"no {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
        raise InputFormatError(f"not a run file or the JSON output of `riskprofile score` "
                               f"({detail})", path=args.run_json) from None  # fmt: skip


def _warning_from_scoring_run(
    run: Any, args: argparse.Namespace, sender: str, now: dt.datetime
) -> Any:
    from riskprofile.exchange import to_warning

    found = [c for c in run.containers if c.container_number == args.container]
    if not found:
        raise _not_found(args)
    if not found[0].hits:
        raise _not_found(args, "has no hits")
    return to_warning(found[0], sender=sender, recipients=args.to, created=now,
                      valid_for=dt.timedelta(days=args.valid_days), category=args.category,
                      urgency=args.urgency)  # fmt: skip


def _warning_from_run_doc(doc: Any, args: argparse.Namespace, sender: str, now: dt.datetime) -> Any:
    import uuid

    from riskprofile.exchange import Reason, RiskWarning, Voyage

    rows = [r for r in doc.get("containers", []) if r.get("container_number") == args.container]
    if not rows:
        raise _not_found(args)
    row = rows[0]
    hits = [h for h in doc.get("hits", []) if h.get("key") == row["key"]]
    hits.sort(key=lambda h: (-Decimal(str(h["weight"])), h["profile_id"], h["indicator_id"]))
    if not hits:
        raise _not_found(args, "has no hits")
    reasons = list(dict.fromkeys(
        Reason(profile_id=h["profile_id"], indicator_id=h["indicator_id"],
               explanation=h["explanation"]) for h in hits
    ))  # fmt: skip
    parties: list[Any] = []
    voyage, route = Voyage(), []
    if args.batch:
        from riskprofile.exchange import parties_of

        shipments = _shipments_of(args)
        parties = parties_of(shipments)
        if shipments:
            first = shipments[0]
            voyage = Voyage(vessel_name=first.vessel_name, vessel_imo=first.vessel_imo,
                            voyage_number=first.voyage_number)  # fmt: skip
            route = list(first.route)
    else:
        print("riskprofile exchange warn: warning: a report (not a run file) without --batch "
              "has no route, vessel or parties: they are sent empty, and names quoted in "
              "explanations cannot be redacted", file=sys.stderr)  # fmt: skip
    return RiskWarning(
        parties=parties,
        message_id=str(uuid.uuid4()),
        sender=sender,
        recipients=args.to,
        created=now,
        expires=now + dt.timedelta(days=args.valid_days),
        container_number=args.container,
        bl_numbers=[b for b in (row.get("bl_numbers") or "").split(";") if b],
        voyage=voyage,
        route=route,
        reasons=reasons,
        category=args.category or hits[0]["profile_id"].split(".")[0],
        urgency=args.urgency,
        score=str(row["score"]),
        lane=row.get("lane"),
    )


class _NotFoundError(Exception):
    """The container to warn about is not there, or has no hits: exit 2."""


def _not_found(args: argparse.Namespace, what: str = "is not in the run") -> _NotFoundError:
    return _NotFoundError(f"container {args.container} {what}")


def _shipments_of(args: argparse.Namespace) -> list[Any]:
    """The shipments of ``--batch`` in ``--container``: the file is read column-wise and
    only that container's shipments are made into objects."""
    import polars as pl

    from riskprofile.cli._read import read_shipments

    rows = pl.col("container_number") == pl.lit(args.container, pl.String)
    return read_shipments(args.batch, mapping=args.mapping, rows=rows).shipments


def _party_warning(args: argparse.Namespace, sender: str, now: dt.datetime) -> Any:
    from riskprofile.exchange import PartyRef, to_party_warning

    party = PartyRef(role=args.role, name=args.party, country=args.party_country)
    return to_party_warning(party, sender=sender, recipients=args.to, created=now,
                            explanation=args.reason, category=args.category or "other",
                            valid_for=dt.timedelta(days=args.valid_days),
                            urgency=args.urgency)  # fmt: skip


def _warning_from_batch(args: argparse.Namespace, sender: str, now: dt.datetime) -> Any:
    from riskprofile.cli._score import check_profiles
    from riskprofile.errors import MissingSourceWarning
    from riskprofile.rules import missing_sources
    from riskprofile.scoring import score

    profiles = _args.load_profiles(args.profiles, args.country)
    # Said as `score` says it: profiles skipped, lists expired, indicators that read a
    # stow plan or history this command is never given (in its own words).
    check_profiles(
        profiles, now, False, "exchange warn",
        missing_sources=missing_sources(history=None, stowplan=None, command="exchange warn"),
    )  # fmt: skip
    # A container's result depends on its own shipments only: scoring them alone gives
    # the very result (hits, score, lane) the whole batch's run gives it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MissingSourceWarning)  # said above, on stderr
        run = score(_shipments_of(args), profiles, as_of=now)
    if not any(c.container_number == args.container for c in run.containers):
        raise _not_found(args, "is not in the batch")
    return _warning_from_scoring_run(run, args, sender, now)


def _warn(args: argparse.Namespace) -> int:
    from riskprofile.exchange import load_policy

    if (args.container is None) == (args.party is None):
        print("riskprofile exchange warn: error: give --container (with --run or --batch) "
              "or --party (with --reason)", file=sys.stderr)  # fmt: skip
        return 2
    if args.party is not None and not args.reason:
        print("riskprofile exchange warn: error: --party needs --reason (why)", file=sys.stderr)
        return 2
    if args.container is not None and not (args.run_json or args.batch):
        print("riskprofile exchange warn: error: give --run or --batch", file=sys.stderr)
        return 2
    if _cannot_write_into(args, "warn"):
        return 2
    now = _now(args)
    key = _signing_key(args.key)
    policies = {p.partner: p for p in (load_policy(path) for path in args.policy)}
    unused = sorted(set(policies) - set(args.to))
    if unused:
        print(f"riskprofile exchange warn: error: policies for PCUs not in --to: {unused}",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.party is not None:
        from riskprofile.exchange import RedactionPolicy

        for partner in args.to:
            policy = policies.get(partner) or RedactionPolicy.strict(partner)
            if policy.party_names() == "refused":
                dropped = policy.action("parties.name") == "drop"
                what = "drops party names" if dropped else "hashes names without a salt"
                print(f"riskprofile exchange warn: error: the policy for {partner} {what}: the "
                      "warning would name no one it can match; keep parties.name, or hash it "
                      "with the salt you share (--policy)", file=sys.stderr)  # fmt: skip
                return 2
    build = (_party_warning if args.party is not None
             else _warning_from_run if args.run_json else _warning_from_batch)  # fmt: skip
    try:
        warning = build(args, key.pcu, now)
    except _NotFoundError as exc:
        print(_args.shorten(f"riskprofile exchange warn: error: {exc}"), file=sys.stderr)
        return 2
    return _send_and_write(args, "warn", warning, key, now, policies)


def _cannot_write_into(args: argparse.Namespace, command: str) -> bool:
    """Say (and return True) when the ``-o`` folder cannot be made or written into:
    checked before the key and the messages are read, nothing made."""
    from riskprofile.cli._output import folder_problem

    problem = folder_problem(args.output)
    if problem is not None:
        print(_args.shorten(f"riskprofile exchange {command}: error: cannot write into "
                            f"{args.output}: {problem}"), file=sys.stderr)  # fmt: skip
    return problem is not None


def _send_and_write(
    args: argparse.Namespace,
    command: str,
    message: Any,
    key: Any,
    now: dt.datetime,
    policies: dict[str, Any],
) -> int:
    """Sign one copy of ``message`` per recipient, log it as sent and write it into
    ``-o``; exit 2 (nothing signed or logged) when the folder cannot be written."""
    from riskprofile.exchange import ExchangeLog, send
    from riskprofile.exchange.shared import write_atomic

    out = Path(args.output)
    try:  # before anything is signed and logged as sent
        out.mkdir(parents=True, exist_ok=True)
        writable = os.access(out, os.W_OK)
    except OSError as exc:
        writable, reason = False, exc.strerror or str(exc)
        if out.exists() and not out.is_dir():
            reason = "it is a file, not a folder"
    else:
        reason = "permission denied"
    if not writable:
        print(f"riskprofile exchange {command}: error: cannot write into {out}: {reason}",
              file=sys.stderr)  # fmt: skip
        return 2
    log = ExchangeLog(_home(args) / "log.sqlite")
    sent = send(message, key=key, log=log, now=now, policies=policies)
    for partner, data in sent.items():
        path = out / f"{message.message_id}.{partner}.json"
        write_atomic(path, data)
        how = "redacted by its policy" if partner in policies else "personal fields dropped"
        print(f"wrote {path} for {partner} ({how})")
    return 0


def _answered_warning(args: argparse.Namespace, pcu: str) -> Any:
    """The warning ``--warning`` names (a signed warning this PCU received), checked
    against the trust store but not for expiry: feedback may come after it expired."""
    from riskprofile.errors import ExchangeError, InputFormatError
    from riskprofile.exchange import RiskWarning, TrustStore, authenticate

    trust = TrustStore.load(_home(args) / "trust.json")
    try:
        verified = authenticate(_read_message(args.warning), trust)
    except ExchangeError as exc:
        raise InputFormatError(f"not a warning to answer: rejected [{exc.reason}]: "
                               f"{exc.detail}", path=args.warning) from None  # fmt: skip
    warning = verified.message
    if not isinstance(warning, RiskWarning):
        raise InputFormatError(f"a {warning.kind} message, not a warning", path=args.warning)
    if pcu not in warning.recipients:
        raise InputFormatError(f"warning {warning.message_id} is addressed to "
                               f"{', '.join(warning.recipients)}, not to {pcu} (the --key's "
                               "PCU)", path=args.warning)  # fmt: skip
    return warning


def _feedback(args: argparse.Namespace) -> int:
    from riskprofile.exchange import to_feedback

    if _cannot_write_into(args, "feedback"):
        return 2
    now = _now(args)
    key = _signing_key(args.key)
    warning = _answered_warning(args, key.pcu)
    message = to_feedback(warning, sender=key.pcu, created=now, result=args.result,
                          finding=args.finding,
                          valid_for=dt.timedelta(days=args.valid_days))  # fmt: skip
    return _send_and_write(args, "feedback", message, key, now, {})


def _seizure(args: argparse.Namespace) -> int:
    from riskprofile.exchange import to_seizure

    if not (args.warning or args.to):
        print("riskprofile exchange seizure: error: give --warning (the warning that led to "
              "the seizure) or --to", file=sys.stderr)  # fmt: skip
        return 2
    if _cannot_write_into(args, "seizure"):
        return 2
    now = _now(args)
    key = _signing_key(args.key)
    warning = _answered_warning(args, key.pcu) if args.warning else None
    message = to_seizure(warning, sender=key.pcu, created=now, recipients=args.to or (),
                         goods_category=args.goods_category, quantity=args.quantity,
                         unit=args.unit, concealment=args.concealment,
                         container_number=args.container, photos=args.photo,
                         valid_for=dt.timedelta(days=args.valid_days))  # fmt: skip
    return _send_and_write(args, "seizure", message, key, now, {})


def _verify(args: argparse.Namespace) -> int:
    from riskprofile.errors import ExchangeError
    from riskprofile.exchange import ExchangeLog, TrustStore, verify

    home = _home(args)
    trust = TrustStore.load(home / "trust.json")
    try:
        verified = verify(_read_message(args.file), trust, now=_now(args),
                          log=ExchangeLog(home / "log.sqlite"))  # fmt: skip
    except ExchangeError as exc:
        print(f"rejected [{exc.reason}]: {exc.detail}")
        return 1
    m = verified.message
    refers = getattr(m, "warning_id", None)
    answers = f" on warning {refers}" if refers else ""
    print(f"ok: {m.kind}{answers} {m.message_id} from {verified.sender} "
          f"(key {verified.key_id[:16]}…), expires {m.expires.isoformat()}")  # fmt: skip
    return 0


def _import(args: argparse.Namespace) -> int:
    from riskprofile.errors import ExchangeError
    from riskprofile.exchange import ExchangeLog, TrustStore, import_message

    home = _home(args)
    try:
        result = import_message(
            _read_message(args.file),
            trust=TrustStore.load(home / "trust.json"),
            log=ExchangeLog(home / "log.sqlite"),
            into=args.into,
            now=_now(args),
            recipient=args.recipient,
        )
    except ExchangeError as exc:
        print(f"rejected [{exc.reason}]: {exc.detail}")
        return 1
    m = result.message
    if result.already_imported:
        print(f"{m.kind} {m.message_id} was already imported: nothing changed")
    else:
        print(f"imported {m.kind} {m.message_id} from {m.sender} into {args.into}")
        if result.answers:
            print(result.answers)
    print(f"{result.active_warnings} partner warning(s) in force")
    return 0


def _match(args: argparse.Namespace) -> int:
    from riskprofile.cli._read import read
    from riskprofile.exchange import load_policy
    from riskprofile.exchange.shared import match_parties

    secrets: list[str | None] = [
        p.salt for p in (load_policy(path) for path in args.policy) if p.salt
    ]
    frame = read(args.batch, mapping=args.mapping).frame
    found = []
    for secret in secrets or [None]:
        found.extend(match_parties(frame, args.into, now=_now(args), secret=secret))
    seen = set()
    for m in found:
        line = (f"{m.container_number}\t{m.bl_number or '-'}\t{m.role}\t{m.name}\t"
                f"by {m.by}: warned by {m.source} on {m.added}: {m.reason}")  # fmt: skip
        if line not in seen:
            seen.add(line)
            print(line)
    print(f"{len(seen)} part(y/ies) of {args.batch} named by partner party warnings",
          file=sys.stderr)  # fmt: skip
    return 1 if seen else 0


def _refresh(args: argparse.Namespace) -> int:
    from riskprofile.exchange.shared import refresh

    active, expired = refresh(args.into, now=_now(args))
    print(f"{active} partner warning(s) in force, {expired} expired (left out) in {args.into}")
    return 0


def _log(args: argparse.Namespace) -> int:
    from riskprofile.exchange import ExchangeLog

    entries = ExchangeLog(_home(args) / "log.sqlite").query(
        direction=args.direction, kind=args.kind, partner=args.partner,
        message_id=args.message_id, since=args.since, until=args.until,
        chain=args.warning,
    )  # fmt: skip
    if args.format == "json":
        rows = [{**e.__dict__, "at": e.at.isoformat(), "redacted": list(e.redacted),
                 "recorded": e.recorded.isoformat() if e.recorded else None}
                for e in entries]  # fmt: skip
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for e in entries:
        extra = f"  redacted: {', '.join(e.redacted)}" if e.redacted else ""
        answers = f"  re {e.refers_to}" if e.refers_to else ""
        note = f"  {e.note}" if e.note else ""
        # `at` is the time the message was judged at (--as-of); `recorded` the clock's.
        recorded = f" (recorded {e.recorded.isoformat(timespec='seconds')})" if e.recorded else ""
        print(f"{e.seq:>4}  {e.at.isoformat()}{recorded}  {e.direction:<8}  "
              f"{e.kind or '-':<8}  {e.message_id or '-'}  {e.partner or '-'}"
              f"{answers}{extra}{note}")  # fmt: skip
    return 0


def _schema(args: argparse.Namespace) -> int:
    from riskprofile.exchange import message_json_schema

    print(json.dumps(message_json_schema(), indent=2))
    return 0
