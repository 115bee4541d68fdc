"""Ed25519 keys, signing and verification of messages.

A signed message is an *envelope*, sent as its RFC 8785 canonical bytes::

    {"key_id": "<sha256 hex of the raw public key>", "payload": {...message...},
     "sender": "PK-KHI", "signature": "<base64 Ed25519 signature>"}

The signature covers the canonical bytes of ``{"key_id", "payload", "sender"}``, so
neither the sender nor the key can be swapped. A receiver also insists that the bytes
are exactly the canonical form: then every byte counts, and no re-encoding of a signed
message (spacing, escapes, key order) passes as the original.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import errno
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from riskprofile.errors import (
    BadSignatureError,
    ExchangeError,
    ExpiredError,
    InputFormatError,
    NotJsonError,
    ReplayedError,
    RevokedKeyError,
    SchemaError,
    TamperedError,
    TooLargeError,
    UnknownSenderError,
    UnsignedError,
)
from riskprofile.exchange._canonical import canonicalize
from riskprofile.exchange._files import read_limited
from riskprofile.exchange._messages import (
    MAX_CLOCK_SKEW,
    MESSAGE_ID_PATTERN,
    PCU_PATTERN,
    Feedback,
    RiskWarning,
    Seizure,
    parse_message,
    valid_pcu,
)
from riskprofile.io.shared import JsonInputError, JsonLimits, loads

if TYPE_CHECKING:
    from riskprofile.exchange._log import ExchangeLog
    from riskprofile.exchange._trust import Revocation, TrustStore

__all__ = [
    "MAX_MESSAGE_BYTES",
    "MAX_MESSAGE_DEPTH",
    "PASSPHRASE_VARIABLE",
    "SigningKey",
    "Verified",
    "authenticate",
    "digest",
    "generate_keys",
    "is_encrypted",
    "key_id",
    "private_pem",
    "public_key_from_pem",
    "raw_public_key",
    "sign",
    "verify",
]


MAX_MESSAGE_BYTES = 1024 * 1024
"""The largest signed message accepted (1 MiB; a warning with every reason and party is a
few KiB). A larger one is refused before it is read or parsed."""
MAX_MESSAGE_DEPTH = 16
"""The deepest nesting of arrays and objects in a message (a warning needs 4)."""
MAX_KEY_FILE_BYTES = 64 * 1024
"""The largest key file read (an Ed25519 PEM is about 120 bytes)."""
MESSAGE_LIMITS = JsonLimits(max_bytes=MAX_MESSAGE_BYTES, max_depth=MAX_MESSAGE_DEPTH,
                            max_integer_digits=16, allow_constants=False)  # fmt: skip


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A key's id: the SHA-256 (hex) of its raw public bytes."""
    return hashlib.sha256(raw_public_key(key)).hexdigest()


def public_key_from_pem(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM bytes (``ValueError`` for anything else)."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


@dataclass(frozen=True)
class SigningKey:
    """A PCU's private key and its id in the exchange (``PK-KHI``)."""

    pcu: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The public half, for partners' trust stores."""
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        """The id of the public key."""
        return key_id(self.public_key)

    def public_pem(self) -> bytes:
        """The public key as PEM (SubjectPublicKeyInfo)."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @classmethod
    def load(
        cls, path: str | Path, pcu: str | None = None, *, passphrase: bytes | None = None
    ) -> SigningKey:
        """Read a private key PEM written by :func:`generate_keys`. The PCU id defaults to
        the file name before ``.key.pem`` (``PK-KHI.key.pem``). An encrypted key needs its
        ``passphrase`` (:func:`is_encrypted` tells). A file that is missing, unreadable
        or not an Ed25519 private key, a name that is not a PCU id, an encrypted key
        without its passphrase or with a wrong one, is an :class:`InputFormatError`
        naming the file."""
        path = Path(path)
        data = read_limited(path, MAX_KEY_FILE_BYTES, "private key file")
        pcu = pcu or path.name.removesuffix(".pem").removesuffix(".key")
        try:
            valid_pcu(pcu)
        except ValueError as exc:
            raise InputFormatError(f"the key file must be named <PCU>.key.pem: {exc}",
                                   path=str(path)) from None  # fmt: skip
        encrypted = _ENCRYPTED_PEM in data
        if encrypted and not passphrase:
            raise InputFormatError(
                f"the private key is encrypted: give its passphrase (${PASSPHRASE_VARIABLE}, "
                "or typed at the prompt)",
                path=str(path),
            )
        try:
            key = serialization.load_pem_private_key(
                data, password=passphrase if encrypted else None
            )
        except (ValueError, TypeError) as exc:
            if encrypted:
                raise InputFormatError("wrong passphrase for the encrypted private key",
                                       path=str(path)) from None  # fmt: skip
            raise InputFormatError(
                f"not a private key PEM file written by `riskprofile exchange keygen` ({exc})",
                path=str(path),
            ) from None
        except UnsupportedAlgorithm:
            raise InputFormatError("not an Ed25519 private key", path=str(path)) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InputFormatError("not an Ed25519 private key", path=str(path))
        return cls(pcu, key)


PASSPHRASE_VARIABLE = "RISKPROFILE_KEY_PASSPHRASE"  # noqa: S105 - a variable's name
"""The environment variable the command line reads a private key's passphrase from
(else it asks at the prompt; never from an argument, which other users can see)."""
_ENCRYPTED_PEM = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"


def is_encrypted(path: str | Path) -> bool:
    """Whether the private key file at ``path`` is encrypted with a passphrase."""
    return _ENCRYPTED_PEM in read_limited(path, MAX_KEY_FILE_BYTES, "private key file")


def private_pem(key: Ed25519PrivateKey, passphrase: bytes | None = None) -> bytes:
    """A private key as PKCS#8 PEM, encrypted with ``passphrase`` when one is given
    (``cryptography``'s ``BestAvailableEncryption``: the strongest PKCS#8 encryption the
    installed version writes)."""
    protection: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, protection
    )


def write_private_key(path: Path, pem: bytes) -> None:
    """Write a private key file readable by its owner only; never over an existing one
    (``FileExistsError``)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)


def generate_keys(
    pcu: str, folder: str | Path, *, passphrase: bytes | None = None
) -> tuple[Path, Path]:
    """Generate a key pair for ``pcu``: ``<pcu>.key.pem`` (private, readable by the owner
    only; encrypted with ``passphrase`` when one is given) and ``<pcu>.pub.pem`` (for
    partners) in ``folder`` (made if missing).

    Raises:
        ValueError: ``pcu`` is not a PCU id (:data:`PCU_PATTERN`): an id like
            ``../../x`` would write outside ``folder``.
        FileExistsError: the key exists: keys are never overwritten.
        OSError: the folder cannot be made or written.
    """
    valid_pcu(pcu)
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "a file, not a folder", str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / f"{pcu}.key.pem", folder / f"{pcu}.pub.pem"
    if private_path.exists():
        raise FileExistsError(f"{private_path} exists: keys are not overwritten")
    key = SigningKey(pcu, Ed25519PrivateKey.generate())
    write_private_key(private_path, private_pem(key.private_key, passphrase))
    public_path.write_bytes(key.public_pem())
    return private_path, public_path


def _signed_part(payload: Any, sender: str, kid: str) -> bytes:
    return canonicalize({"key_id": kid, "payload": payload, "sender": sender})


def sign(message: RiskWarning | Feedback | Seizure | dict[str, Any], key: SigningKey) -> bytes:
    """The signed envelope of ``message``, as the canonical bytes to send."""
    payload = message if isinstance(message, dict) else message.model_dump(mode="json")
    if payload.get("sender") != key.pcu:
        raise ValueError(f"the message's sender {payload.get('sender')!r} is not {key.pcu!r}")
    signature = key.private_key.sign(_signed_part(payload, key.pcu, key.key_id))
    envelope = {
        "key_id": key.key_id,
        "payload": payload,
        "sender": key.pcu,
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    return canonicalize(envelope)


@dataclass(frozen=True)
class Verified:
    """A message that passed verification, and the bytes it came in."""

    message: RiskWarning | Feedback | Seizure
    sender: str
    key_id: str
    digest: str
    data: bytes


def digest(data: bytes) -> str:
    """The SHA-256 (hex) of a message's bytes, as the log records it."""
    return hashlib.sha256(data).hexdigest()


def _refusal_reason(data: bytes, trust: TrustStore) -> ExchangeError:
    """Why ``data``, which is not in the one form a signed message takes, is refused:
    read it (within the limits) and say what is wrong with it."""
    envelope = _parse(data)
    if not isinstance(envelope, dict) or "payload" not in envelope:
        return SchemaError("not a signed message envelope (no payload)")
    payload = envelope["payload"]
    message_id = _message_id(payload)
    signature_text = envelope.get("signature")
    kid = envelope.get("key_id")
    sender = envelope.get("sender")
    if not signature_text or not kid:
        return UnsignedError("the message carries no signature", message_id=message_id)
    if set(envelope) != {"key_id", "payload", "sender", "signature"}:
        return SchemaError("unexpected envelope fields", message_id=message_id)
    if not isinstance(signature_text, str) or not isinstance(kid, str):
        return BadSignatureError("signature and key id must be strings", message_id=message_id)
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        return BadSignatureError("the signature is not base64", message_id=message_id)
    # A base64 text with stray bits decodes to the same bytes: accept only the one form.
    if len(signature) != 64 or base64.b64encode(signature).decode() != signature_text:
        return BadSignatureError("not a 64-byte Ed25519 signature", message_id=message_id)
    if not isinstance(sender, str):
        return SchemaError("the sender must be a string", message_id=message_id)
    if sender not in trust.partners:
        return UnknownSenderError(f"sender {sender[:40]!r} is not in the trust store",
                                  message_id=message_id)  # fmt: skip
    if (revoked := trust.revocation(sender, kid)) is not None:
        return _revoked(revoked, sender, kid, message_id)
    if trust.key(sender, kid) is None:
        shown = kid[:16] if re.fullmatch("[0-9a-f]*", kid[:16]) else repr(kid[:16])
        return UnknownSenderError(f"key {shown}… is not a trusted key of {sender}",
                                  message_id=message_id)  # fmt: skip
    return TamperedError("the bytes are not the canonical form that was signed",
                         message_id=message_id)  # fmt: skip


def _revoked(
    revocation: Revocation, sender: str, kid: str, message_id: str | None
) -> ExchangeError:
    """The refusal of a message signed with a revoked key, naming the key, when and why
    it was revoked."""
    return RevokedKeyError(
        f"signed with key {kid} of {sender}, revoked on {revocation.at.isoformat()} "
        f"({revocation.reason[:80]})",
        message_id=message_id,
    )


def _message_id(payload: Any) -> str | None:
    """The payload's message id, to name it in a refusal: only a well-formed one, since
    it is printed and logged."""
    raw = payload.get("message_id") if isinstance(payload, dict) else None
    return raw if isinstance(raw, str) and re.fullmatch(MESSAGE_ID_PATTERN, raw) else None


def _parse(data: bytes) -> Any:
    try:
        return loads(data, MESSAGE_LIMITS)
    except JsonInputError as exc:
        if exc.problem in ("size", "depth"):
            raise TooLargeError(exc.reason) from None
        if exc.problem == "integer":
            raise SchemaError(f"not a message: {exc.reason}") from None
        # Not the signed form and not even JSON: a wrong file, or one damaged beyond
        # reading; a signed message whose bytes were changed is `tampered` (above).
        raise NotJsonError(f"not UTF-8 JSON ({exc.reason}): not a signed message, or damaged "
                           "beyond reading") from None  # fmt: skip


# The one form a signed message takes: its canonical bytes, whose members come in this
# order. Its signed part is the same bytes up to the sender, closed: no parsing needed.
_ENVELOPE = re.compile(
    rb'\{"key_id":"(?P<kid>[0-9a-f]{64})","payload":\{.*\},"sender":"(?P<sender>'
    + PCU_PATTERN.strip("^$").encode()
    + rb')","signature":"(?P<signature>[A-Za-z0-9+/]{86}==)"\}',
    re.DOTALL,
)


def authenticate(data: bytes, trust: TrustStore) -> Verified:
    """Check that ``data`` is a message its sender signed with a key ``trust`` holds, in
    the one canonical form, and of the schema; raise the :class:`ExchangeError` that
    says why not. Unlike :func:`verify`, neither expiry nor replay is judged: this is how
    a PCU reads back a warning it received, to answer it with feedback or a seizure
    report after it expired."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise TooLargeError(f"more than the {MAX_MESSAGE_BYTES:,} bytes a message may have "
                            f"({len(data):,} read)")  # fmt: skip
    form = _ENVELOPE.fullmatch(data)
    if form is None:
        raise _refusal_reason(data, trust)
    sender, kid = form["sender"].decode(), form["kid"].decode()
    if sender not in trust.partners:
        raise UnknownSenderError(f"sender {sender!r} is not in the trust store")
    if (revoked := trust.revocation(sender, kid)) is not None:
        raise _revoked(revoked, sender, kid, None)
    public_key = trust.key(sender, kid)
    if public_key is None:
        raise UnknownSenderError(f"key {kid[:16]}… is not a trusted key of {sender}")
    signed = data[: form.end("sender") + 1] + b"}"
    try:
        public_key.verify(base64.b64decode(form["signature"]), signed)
    except InvalidSignature:
        raise TamperedError(f"the signature of {sender} does not match the content") from None
    envelope = _parse(data)
    payload = envelope.get("payload") if isinstance(envelope, dict) else None
    if not isinstance(payload, dict):  # duplicate members, say: signed, but not a message
        raise SchemaError("not a signed message envelope (no payload object)")
    message_id = _message_id(payload)
    try:
        canonical = canonicalize(envelope)
    except ValueError:
        raise TamperedError("not canonical JSON", message_id=message_id) from None
    if canonical != data:
        raise TamperedError("the bytes are not the canonical form that was signed",
                            message_id=message_id)  # fmt: skip
    message = parse_message(payload)
    if message.sender != sender:
        raise TamperedError(f"payload sender {message.sender} is not the signer {sender}",
                            message_id=message_id)  # fmt: skip
    return Verified(message, sender, kid, digest(data), data)


def verify(
    data: bytes,
    trust: TrustStore,
    *,
    now: dt.datetime,
    log: ExchangeLog | None = None,
) -> Verified:
    """Check a signed message; return it, or raise the :class:`ExchangeError` that says
    why it is refused: ``too_large``, ``schema``, ``unsigned``, ``bad_signature``,
    ``unknown_sender``, ``tampered``, ``expired``, or ``replayed`` (its id is already in
    ``log`` as received).

    The cheap checks come first, so that a forged message costs little: the size
    (:data:`MAX_MESSAGE_BYTES`), then the sender, key and signature, read from the bytes
    without parsing them; only a message its sender really signed is parsed (within
    :data:`MAX_MESSAGE_DEPTH` levels of nesting) and checked against the schema
    (:func:`authenticate`).

    ``now`` is the time expiry is judged at: library code never reads the clock.
    """
    verified = authenticate(data, trust)
    message = verified.message
    message_id = message.message_id
    if message.expires <= now:
        raise ExpiredError(f"expired at {message.expires.isoformat()}", message_id=message_id)
    if message.created > now + MAX_CLOCK_SKEW:
        raise ExpiredError(f"not yet valid: created {message.created.isoformat()}, more than "
                           f"{MAX_CLOCK_SKEW.days} day after {now.isoformat()}",
                           message_id=message_id)  # fmt: skip
    if log is not None and log.received(message.message_id):
        raise ReplayedError("already received", message_id=message.message_id)
    return verified
