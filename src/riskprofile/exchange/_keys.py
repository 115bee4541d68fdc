"""Signed updates of a partner's trust store: key rotation and key revocation.

A PCU changes its key without meeting its partners again: it signs a *key statement*
with a key they already trust, and each partner applies it to its trust store
(:func:`apply_key_statement`). A statement is a JSON document sent as its RFC 8785
canonical bytes::

    {"signatures": [{"key_id": "<old key>", "signature": "<base64>"},
                    {"key_id": "<new key>", "signature": "<base64>"}],
     "statement": {"kind": "key_rotation", "pcu": "PK-KHI", "key_id": "<old key>",
                   "new_key": "<base64 of the new key's 32 raw bytes>",
                   "created": "2026-11-05T10:00:00+00:00", "reason": "yearly rotation",
                   "schema_version": 1}}

Each signature covers the canonical bytes of ``{"statement": ...}``.

- A **rotation** is signed by the old key (the authority the partner already trusts)
  and by the new key (proof that its owner holds it); the partner then trusts the new
  key beside the old one, until the old one is revoked.
- A **revocation** names a key of the PCU and is signed by any key of that PCU the
  partner trusts, the revoked key itself included (whoever holds a stolen key can only
  revoke it, which harms nobody). From then on a message signed with that key is
  refused as ``revoked_key``, and the key is never trusted again.

A statement signed by no key the trust store holds for that PCU changes nothing and is
refused with the reason an :class:`~riskprofile.errors.ExchangeError` gives.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)

from riskprofile.errors import (
    BadSignatureError,
    ExchangeError,
    ExpiredError,
    NotJsonError,
    RevokedKeyError,
    SchemaError,
    TamperedError,
    TooLargeError,
    UnknownSenderError,
    UnsignedError,
)
from riskprofile.exchange._canonical import canonicalize
from riskprofile.exchange._log import Direction, ExchangeLog
from riskprofile.exchange._messages import MAX_CLOCK_SKEW, PCU_PATTERN
from riskprofile.exchange._signing import SigningKey, digest, key_id, raw_public_key
from riskprofile.exchange._trust import KEY_ID, Revocation, TrustStore
from riskprofile.io.shared import JsonInputError, JsonLimits, loads

__all__ = [
    "MAX_STATEMENT_BYTES",
    "KeyStatement",
    "StatementApplied",
    "apply_key_statement",
    "log_key_statement",
    "revocation",
    "rotation",
]

MAX_STATEMENT_BYTES = 64 * 1024
"""The largest key statement read (one is under 1 KiB)."""
_LIMITS = JsonLimits(max_bytes=MAX_STATEMENT_BYTES, max_depth=4, max_integer_digits=4,
                     allow_constants=False)  # fmt: skip

KeyId = Annotated[str, StringConstraints(pattern=f"^{KEY_ID.pattern}$")]


class KeyStatement(BaseModel):
    """What a PCU says about its keys: a rotation to ``new_key`` from ``key_id``, or the
    revocation of ``key_id``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    kind: Literal["key_rotation", "key_revocation"]
    pcu: Annotated[str, StringConstraints(pattern=PCU_PATTERN)]
    key_id: KeyId
    new_key: str | None = None
    created: AwareDatetime
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _new_key_for_a_rotation(self) -> Self:
        if (self.kind == "key_rotation") != (self.new_key is not None):
            raise ValueError("a rotation, and only a rotation, names a new_key")
        if self.new_key is not None:
            _public_key(self.new_key)
        return self


def _public_key(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise ValueError("new_key is not the base64 of an Ed25519 public key") from None


def _signed_part(statement: dict[str, Any]) -> bytes:
    return canonicalize({"statement": statement})


def _document(statement: KeyStatement, keys: list[SigningKey]) -> bytes:
    body = statement.model_dump(mode="json")
    signed = _signed_part(body)
    signatures = [
        {"key_id": k.key_id, "signature": base64.b64encode(k.private_key.sign(signed)).decode()}
        for k in keys
    ]
    return canonicalize({"signatures": signatures, "statement": body})


def rotation(old: SigningKey, new: SigningKey, *, created: dt.datetime, reason: str) -> bytes:
    """The signed statement that ``old``'s PCU now also signs with ``new``: signed by
    both keys. Give it to every partner (:func:`apply_key_statement`)."""
    if old.pcu != new.pcu:
        raise ValueError(f"the new key is {new.pcu}'s, not {old.pcu}'s")
    if old.key_id == new.key_id:
        raise ValueError("the new key is the old one")
    statement = KeyStatement(
        kind="key_rotation",
        pcu=old.pcu,
        key_id=old.key_id,
        new_key=base64.b64encode(raw_public_key(new.public_key)).decode(),
        created=created,
        reason=reason,
    )
    return _document(statement, [old, new])


def revocation(
    signer: SigningKey, revoked_key_id: str, *, created: dt.datetime, reason: str
) -> bytes:
    """The signed statement that ``signer``'s PCU revokes its key ``revoked_key_id``
    (which may be ``signer``'s own)."""
    statement = KeyStatement(
        kind="key_revocation", pcu=signer.pcu, key_id=revoked_key_id, created=created,
        reason=reason,
    )  # fmt: skip
    return _document(statement, [signer])


@dataclass(frozen=True)
class StatementApplied:
    """What applying a key statement did.

    Attributes:
        statement: the statement.
        signed_by: the ids of the trusted keys whose signatures were checked.
        changed: False when the store already said so (applied before).
        summary: what was done, in words.
    """

    statement: KeyStatement
    signed_by: tuple[str, ...]
    changed: bool
    summary: str


def _read(data: bytes) -> tuple[KeyStatement, dict[str, Any], list[tuple[str, bytes]]]:
    """The statement, its JSON body and its (key id, signature) pairs, checked for form."""
    if len(data) > MAX_STATEMENT_BYTES:
        raise TooLargeError(f"more than the {MAX_STATEMENT_BYTES:,} bytes a key statement "
                            f"may have ({len(data):,} read)")  # fmt: skip
    try:
        doc = loads(data, _LIMITS)
    except JsonInputError as exc:
        if exc.problem in ("size", "depth"):
            raise TooLargeError(exc.reason) from None
        # A wrong file (a message, a PDF) is not a statement someone changed.
        raise NotJsonError(f"not UTF-8 JSON ({exc.reason}): not a key statement") from None
    if not isinstance(doc, dict) or set(doc) != {"signatures", "statement"}:
        raise SchemaError("not a key statement: an object of signatures and statement")
    body, entries = doc["statement"], doc["signatures"]
    if not isinstance(entries, list) or not entries:
        raise UnsignedError("the key statement carries no signature")
    signatures = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"key_id", "signature"}:
            raise SchemaError("a signature is not an object of key_id and signature")
        kid, text = entry["key_id"], entry["signature"]
        if not isinstance(kid, str) or not isinstance(text, str):
            raise BadSignatureError("key id and signature must be strings")
        try:
            signature = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise BadSignatureError("a signature is not base64") from None
        if len(signature) != 64 or base64.b64encode(signature).decode() != text:
            raise BadSignatureError("not a 64-byte Ed25519 signature")
        signatures.append((kid, signature))
    try:
        statement = KeyStatement.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).encode("unicode_escape").decode()[:80]
        raise SchemaError(f"not a key statement: {where}: {first['msg']}") from None
    try:
        canonical = canonicalize(doc)
    except ValueError:
        raise TamperedError("not canonical JSON") from None
    if canonical != data:
        raise TamperedError("the bytes are not the canonical form that was signed")
    return statement, body, signatures


def apply_key_statement(data: bytes, trust: TrustStore, *, now: dt.datetime) -> StatementApplied:
    """Check a key statement against ``trust`` and apply it there (in memory: save the
    store after, then :func:`log_key_statement`). Raises the
    :class:`~riskprofile.errors.ExchangeError` that says why a statement is refused:
    ``too_large``, ``not_json``, ``schema``, ``unsigned``, ``bad_signature``,
    ``tampered``, ``unknown_sender`` (the PCU or the signing key is not trusted),
    ``revoked_key`` (a rotation signed with a revoked key) or ``expired`` (created more
    than a day after ``now``)."""
    statement, body, signatures = _read(data)
    pcu = statement.pcu
    if pcu not in trust.partners:
        raise UnknownSenderError(f"{pcu} is not in the trust store: trust its first key by "
                                 "hand (`exchange trust add`)")  # fmt: skip
    if statement.created > now + MAX_CLOCK_SKEW:
        raise ExpiredError(f"not yet valid: created {statement.created.isoformat()}, more "
                           f"than {MAX_CLOCK_SKEW.days} day after {now.isoformat()}")  # fmt: skip
    signed = _signed_part(body)
    by_id = dict(signatures)
    if statement.kind == "key_rotation":
        return _rotate(statement, trust, signed, by_id)
    return _revoke(statement, trust, signed, by_id)


def _check(public: Ed25519PublicKey, signature: bytes | None, signed: bytes, whose: str) -> None:
    if signature is None:
        raise UnsignedError(f"the key statement is not signed by {whose}")
    try:
        public.verify(signature, signed)
    except InvalidSignature:
        raise TamperedError(f"the signature of {whose} does not match the statement") from None


def _rotate(
    statement: KeyStatement, trust: TrustStore, signed: bytes, by_id: dict[str, bytes]
) -> StatementApplied:
    pcu, old_id = statement.pcu, statement.key_id
    revoked = trust.revocation(pcu, old_id)
    if revoked is not None:
        raise RevokedKeyError(f"rotation signed with key {old_id} of {pcu}, revoked on "
                              f"{revoked.at.isoformat()} ({revoked.reason[:80]})")  # fmt: skip
    old = trust.key(pcu, old_id)
    if old is None:
        raise UnknownSenderError(f"key {old_id[:16]}… is not a trusted key of {pcu}")
    assert statement.new_key is not None
    new = _public_key(statement.new_key)
    new_id = key_id(new)
    _check(old, by_id.get(old_id), signed, f"{pcu}'s old key {old_id[:16]}…")
    _check(new, by_id.get(new_id), signed, f"the new key {new_id[:16]}…")
    if trust.revocation(pcu, new_id) is not None:
        raise RevokedKeyError(f"the new key {new_id} of {pcu} was revoked before")
    changed = trust.key(pcu, new_id) is None
    trust.add(pcu, new)
    summary = (f"{pcu}: trusted the new key {new_id} (rotated from {old_id[:16]}…, "
               f"{statement.created.date().isoformat()}: {statement.reason})")  # fmt: skip
    return StatementApplied(statement, (old_id, new_id), changed, summary)


def _revoke(
    statement: KeyStatement, trust: TrustStore, signed: bytes, by_id: dict[str, bytes]
) -> StatementApplied:
    pcu, target = statement.pcu, statement.key_id
    checked = []
    for kid, signature in by_id.items():
        # a key the store trusts, or the revoked key itself (revoking it again is no harm)
        public = trust.key(pcu, kid)
        if public is None:
            continue
        _check(public, signature, signed, f"{pcu}'s key {kid[:16]}…")
        checked.append(kid)
    if not checked:
        if target in trust.revoked.get(pcu, {}) and target in by_id:
            return StatementApplied(statement, (), False, f"{pcu}: key {target} was revoked "
                                    "already")  # fmt: skip
        raise UnknownSenderError(f"the revocation is signed by no key of {pcu} this trust "
                                 "store holds")  # fmt: skip
    changed = trust.revocation(pcu, target) is None
    trust.revoke(pcu, target, Revocation(statement.created, statement.reason))
    summary = (f"{pcu}: revoked key {target} ({statement.created.date().isoformat()}: "
               f"{statement.reason})")  # fmt: skip
    return StatementApplied(statement, tuple(checked), changed, summary)


def _subject(statement: KeyStatement) -> str:
    """The key a statement is about: the new key of a rotation, the revoked key."""
    if statement.new_key is not None:
        return key_id(_public_key(statement.new_key))
    return statement.key_id


def log_key_statement(
    log: ExchangeLog,
    direction: Direction,
    data: bytes,
    *,
    at: dt.datetime,
    note: str = "",
    partner: str | None = None,
) -> int:
    """Record a key statement in the exchange log: ``sent`` when this PCU made it
    (``exchange rotate``/``revoke``), ``imported`` when it was applied to the trust store,
    ``rejected`` when it was refused (``note``: the reason). The entry's ``kind`` is
    ``key_rotation`` or ``key_revocation``, its ``message_id`` the key the statement is
    about (the new key of a rotation, the revoked key), its ``sender`` the PCU whose keys
    they are; like every entry it is ``recorded`` at the wall-clock time. A statement
    too damaged to read is logged with what could be read (nothing but its digest)."""
    try:
        statement, _body, _signatures = _read(data)
    except ExchangeError:
        statement = None
    if statement is None:
        return log.record(direction, at=at, digest=digest(data), note=note, partner=partner)
    return log.record(
        direction,
        at=at,
        kind=statement.kind,
        message_id=_subject(statement),
        sender=statement.pcu,
        partner=partner,
        digest=digest(data),
        note=note,
    )
