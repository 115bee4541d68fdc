"""``riskprofile exchange``'s keys and trust store: make, encrypt, rotate and revoke this
PCU's keys, and add, list and apply (signed) updates to the partners' trusted keys; the
exchange home folder and clock the other exchange commands share."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

from riskprofile.cli import _args

HOME_VARIABLE = "RISKPROFILE_EXCHANGE_HOME"


def _home(args: argparse.Namespace) -> Path:
    return Path(args.home or os.environ.get(HOME_VARIABLE) or ".riskprofile-exchange")


def _now(args: argparse.Namespace) -> dt.datetime:
    # The command line is where the wall clock enters; the library takes `now` as given.
    return getattr(args, "as_of", None) or dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def _keygen(args: argparse.Namespace) -> int:
    from riskprofile.exchange import generate_keys

    passphrase = (
        _passphrase(f"{args.pcu}'s new private key", confirm=True) if args.encrypt else None
    )
    try:
        private, public = generate_keys(args.pcu, args.output, passphrase=passphrase)
    except FileExistsError as exc:
        print(_args.shorten(f"riskprofile exchange keygen: error: {exc}"), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"riskprofile exchange keygen: error: cannot write the keys into "
              f"{args.output}: {exc.strerror or exc}", file=sys.stderr)  # fmt: skip
        return 2
    how = "encrypted with the passphrase" if passphrase else "not encrypted: --encrypt protects it"
    print(f"wrote {private} (private: keep it; {how})\nwrote {public} (give it to partners)")
    return 0


def _passphrase(what: str, *, confirm: bool = False) -> bytes:
    """A private key's passphrase: from $RISKPROFILE_KEY_PASSPHRASE, else typed at the
    prompt when there is a terminal. Never an argument: other users see a command line."""
    import getpass

    from riskprofile.errors import InputFormatError
    from riskprofile.exchange.shared import PASSPHRASE_VARIABLE

    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given is not None:
        if not given:
            raise InputFormatError(f"${PASSPHRASE_VARIABLE} is set but empty")
        return given.encode("utf-8")
    if not sys.stdin.isatty():
        raise InputFormatError(
            f"the passphrase of {what} is needed: set ${PASSPHRASE_VARIABLE}, or run at a "
            "terminal to type it"
        )
    typed = getpass.getpass(f"passphrase of {what}: ")
    if confirm and getpass.getpass("again: ") != typed:
        raise InputFormatError("the two passphrases differ")
    if not typed:
        raise InputFormatError("an empty passphrase protects nothing")
    return typed.encode("utf-8")


def _signing_key(path: str) -> Any:
    """This PCU's private key from ``--key``: its passphrase asked for when encrypted."""
    from riskprofile.exchange import SigningKey
    from riskprofile.exchange.shared import is_encrypted

    if is_encrypted(path):
        return SigningKey.load(path, passphrase=_passphrase(f"the private key {path}"))
    return SigningKey.load(path)


def _trust_add(args: argparse.Namespace) -> int:
    from riskprofile.exchange import TrustStore
    from riskprofile.exchange.shared import read_limited

    path = _home(args) / "trust.json"
    store = TrustStore.load(path)
    pem = read_limited(args.public_key, 64 * 1024, "public key file")
    try:
        kid = store.add(args.pcu, pem)
    except ValueError as exc:
        print(
            _args.shorten(f"riskprofile exchange trust: error: {args.public_key}: {exc}"),
            file=sys.stderr,
        )
        return 2
    store.save(path)
    print(f"trusted {args.pcu} key {kid} in {path}")
    return 0


def _trust_list(args: argparse.Namespace) -> int:
    from riskprofile.exchange import TrustStore

    store = TrustStore.load(_home(args) / "trust.json")
    for pcu in sorted(set(store.partners) | set(store.revoked)):
        for kid in sorted(store.partners.get(pcu, {})):
            print(f"{pcu}\t{kid}")
        for kid, r in sorted(store.revoked.get(pcu, {}).items()):
            print(f"{pcu}\t{kid}\trevoked {r.at.isoformat()}: {r.reason}")
    return 0


def _trust_apply(args: argparse.Namespace) -> int:
    from riskprofile.errors import ExchangeError, InputFormatError
    from riskprofile.exchange import (
        ExchangeLog,
        TrustStore,
        apply_key_statement,
        log_key_statement,
    )
    from riskprofile.exchange.shared import MAX_STATEMENT_BYTES

    path = _home(args) / "trust.json"
    store = TrustStore.load(path)
    log = ExchangeLog(_home(args) / "log.sqlite")
    data = _read_message(args.statement, MAX_STATEMENT_BYTES)
    now = _now(args)
    try:
        applied = apply_key_statement(data, store, now=now)
    except ExchangeError as exc:
        log_key_statement(log, "rejected", data, at=now, note=f"{exc.reason}: {exc.detail}")
        print(f"rejected [{exc.reason}]: {exc.detail}")
        return 1
    pcu = applied.statement.pcu
    if not applied.changed:
        note = f"nothing to change: {applied.summary}"
        log_key_statement(log, "imported", data, at=now, note=note, partner=pcu)
        print(note)
        return 0
    try:
        store.save(path)
    except OSError as exc:
        raise InputFormatError(f"cannot write the trust store: {exc.strerror or exc}",
                               path=str(path)) from None  # fmt: skip
    # Logged once the store is written: the log says what the trust store holds.
    log_key_statement(log, "imported", data, at=now, note=applied.summary, partner=pcu)
    print(applied.summary)
    return 0


def _rotate(args: argparse.Namespace) -> int:
    from riskprofile.cli._output import folder_problem
    from riskprofile.exchange import (
        ExchangeLog,
        SigningKey,
        generate_keys,
        log_key_statement,
        rotation,
    )
    from riskprofile.exchange.shared import write_atomic

    problem = folder_problem(args.output)  # before the key is read (and a passphrase asked)
    if problem is not None:
        print(_args.shorten(f"riskprofile exchange rotate: error: cannot write the keys into "
                            f"{args.output}: {problem}"), file=sys.stderr)  # fmt: skip
        return 2
    old = _signing_key(args.key)
    log = ExchangeLog(_home(args) / "log.sqlite")  # opened first: a bad --home writes nothing
    passphrase = _passphrase(f"{old.pcu}'s new private key", confirm=True) if args.encrypt else None
    try:
        private, public = generate_keys(old.pcu, args.output, passphrase=passphrase)
    except FileExistsError as exc:
        print(_args.shorten(f"riskprofile exchange rotate: error: {exc} (give another -o)"),
              file=sys.stderr)  # fmt: skip
        return 2
    except OSError as exc:
        print(f"riskprofile exchange rotate: error: cannot write the keys into "
              f"{args.output}: {exc.strerror or exc}", file=sys.stderr)  # fmt: skip
        return 2
    new = SigningKey.load(private, passphrase=passphrase)
    statement = Path(args.output) / f"{old.pcu}.rotation.json"
    now = _now(args)
    data = rotation(old, new, created=now, reason=args.reason)
    write_atomic(statement, data)
    log_key_statement(log, "sent", data, at=now,
                      note=f"rotated from key {old.key_id} to {new.key_id}: {args.reason}; "
                      f"statement {statement}")  # fmt: skip
    print(f"wrote {private} (private: keep it)\nwrote {public}\nwrote {statement} (give it "
          f"to partners: `riskprofile exchange trust apply {statement.name}`)")  # fmt: skip
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from riskprofile.cli._output import folder_problem
    from riskprofile.exchange import ExchangeLog, log_key_statement, revocation
    from riskprofile.exchange.shared import write_atomic

    problem = folder_problem(args.output)  # before the key is read
    if problem is not None:
        print(_args.shorten(f"riskprofile exchange revoke: error: cannot write into "
                            f"{args.output}: {problem}"), file=sys.stderr)  # fmt: skip
        return 2
    signer = _signing_key(args.key)
    log = ExchangeLog(_home(args) / "log.sqlite")  # opened first: a bad --home writes nothing
    out = Path(args.output)
    now = _now(args)
    data = revocation(signer, args.key_id, created=now, reason=args.reason)
    path = out / f"{signer.pcu}.revocation.{args.key_id[:16]}.json"
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        print(f"riskprofile exchange revoke: error: cannot write into {out}: "
              f"{exc.strerror or exc}", file=sys.stderr)  # fmt: skip
        return 2
    note = f"revoked key {args.key_id}: {args.reason}; statement {path}"
    log_key_statement(log, "sent", data, at=now, note=note)
    print(f"wrote {path} (give it to partners: `riskprofile exchange trust apply "
          f"{path.name}`)")  # fmt: skip
    return 0


def _read_message(path: str, limit: int | None = None) -> bytes:
    """A message file's bytes, read no further than one byte past the size limit: a
    larger file is refused by the verification (and logged by an import) unread."""
    from riskprofile._files import RefusedFileError, read_regular_file
    from riskprofile.errors import InputFormatError
    from riskprofile.exchange import MAX_MESSAGE_BYTES

    try:
        # Not waited on: a FIFO (or a device) is refused before any read.
        return read_regular_file(path, limit or MAX_MESSAGE_BYTES, refuse_larger=False)
    except RefusedFileError as exc:
        raise InputFormatError(f"the message {exc}", path=path) from None
    except OSError as exc:
        raise InputFormatError(f"cannot read the message: {exc.strerror or exc}",
                               path=path) from None  # fmt: skip
