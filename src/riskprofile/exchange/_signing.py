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
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from riskprofile.errors import (
    BadSignatureError,
    ExpiredError,
    InputFormatError,
    ReplayedError,
    SchemaError,
    TamperedError,
    UnknownSenderError,
    UnsignedError,
)
from riskprofile.exchange._canonical import canonicalize
from riskprofile.exchange._messages import Feedback, RiskWarning, Seizure, parse_message

if TYPE_CHECKING:
    from riskprofile.exchange._log import ExchangeLog
    from riskprofile.exchange._trust import TrustStore

__all__ = [
    "SigningKey",
    "Verified",
    "digest",
    "generate_keys",
    "key_id",
    "public_key_from_pem",
    "raw_public_key",
    "sign",
    "verify",
]


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """A key's id: the SHA-256 (hex) of its raw public bytes."""
    return hashlib.sha256(raw_public_key(key)).hexdigest()


def public_key_from_pem(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM bytes (``ValueError`` for anything else)."""
    key = serialization.load_pem_public_key(data)
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
    def load(cls, path: str | Path, pcu: str | None = None) -> SigningKey:
        """Read a private key PEM written by :func:`generate_keys`. The PCU id defaults to
        the file name before ``.key.pem`` (``PK-KHI.key.pem``)."""
        path = Path(path)
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:  # not PEM, encrypted, or not a private key
            raise InputFormatError(
                f"not a private key PEM file written by `riskprofile exchange keygen` ({exc})",
                path=str(path),
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InputFormatError("not an Ed25519 private key", path=str(path))
        return cls(pcu or path.name.removesuffix(".pem").removesuffix(".key"), key)


def generate_keys(pcu: str, folder: str | Path) -> tuple[Path, Path]:
    """Generate a key pair for ``pcu``: ``<pcu>.key.pem`` (private, readable by the owner
    only) and ``<pcu>.pub.pem`` (for partners) in ``folder``. Refuses to overwrite."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / f"{pcu}.key.pem", folder / f"{pcu}.pub.pem"
    if private_path.exists():
        raise FileExistsError(f"{private_path} exists: keys are not overwritten")
    key = SigningKey(pcu, Ed25519PrivateKey.generate())
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
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


def verify(
    data: bytes,
    trust: TrustStore,
    *,
    now: dt.datetime,
    log: ExchangeLog | None = None,
) -> Verified:
    """Check a signed message; return it, or raise the :class:`ExchangeError` that says
    why it is refused: ``schema``, ``unsigned``, ``bad_signature``, ``unknown_sender``,
    ``tampered``, ``expired``, or ``replayed`` (its id is already in ``log`` as received).

    ``now`` is the time expiry is judged at: library code never reads the clock.
    """
    try:
        envelope = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise TamperedError("not UTF-8 JSON: damaged or changed in transit") from None
    if not isinstance(envelope, dict) or "payload" not in envelope:
        raise SchemaError("not a signed message envelope (no payload)")
    payload = envelope["payload"]
    raw_id = payload.get("message_id") if isinstance(payload, dict) else None
    message_id = raw_id if isinstance(raw_id, str) else None
    signature_text = envelope.get("signature")
    kid = envelope.get("key_id")
    sender = envelope.get("sender")
    if not signature_text or not kid:
        raise UnsignedError("the message carries no signature", message_id=message_id)
    if set(envelope) != {"key_id", "payload", "sender", "signature"}:
        raise SchemaError("unexpected envelope fields", message_id=message_id)
    if not isinstance(signature_text, str) or not isinstance(kid, str):
        raise BadSignatureError("signature and key id must be strings", message_id=message_id)
    try:
        signature = base64.b64decode(signature_text, validate=True)
    except (binascii.Error, ValueError):
        raise BadSignatureError("the signature is not base64", message_id=message_id) from None
    # A base64 text with stray bits decodes to the same bytes: accept only the one form.
    if len(signature) != 64 or base64.b64encode(signature).decode() != signature_text:
        raise BadSignatureError("not a 64-byte Ed25519 signature", message_id=message_id)
    if not isinstance(sender, str):
        raise SchemaError("the sender must be a string", message_id=message_id)
    if sender not in trust.partners:
        raise UnknownSenderError(f"sender {sender!r} is not in the trust store",
                                 message_id=message_id)  # fmt: skip
    public_key = trust.key(sender, kid)
    if public_key is None:
        raise UnknownSenderError(f"key {kid[:16]}… is not a trusted key of {sender}",
                                 message_id=message_id)  # fmt: skip
    try:
        signed = _signed_part(payload, sender, kid)
        canonical = canonicalize(envelope)
    except ValueError:
        raise TamperedError("not canonical JSON", message_id=message_id) from None
    try:
        public_key.verify(signature, signed)
    except InvalidSignature:
        raise TamperedError(f"the signature of {sender} does not match the content",
                            message_id=message_id) from None  # fmt: skip
    if canonical != data:
        raise TamperedError("the bytes are not the canonical form that was signed",
                            message_id=message_id)  # fmt: skip
    message = parse_message(payload)
    if message.sender != sender:
        raise TamperedError(f"payload sender {message.sender} is not the signer {sender}",
                            message_id=message_id)  # fmt: skip
    if message.expires <= now:
        raise ExpiredError(f"expired at {message.expires.isoformat()}", message_id=message_id)
    fingerprint = digest(data)
    if log is not None and log.received(message.message_id):
        raise ReplayedError("already received", message_id=message.message_id)
    return Verified(message, sender, kid, fingerprint, data)
