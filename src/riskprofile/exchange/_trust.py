"""The trust store: the partner PCUs whose messages are accepted, and their public keys.

A JSON file mapping PCU id to its keys (several during a key rotation)::

    {"KZ-AKT": [{"key_id": "3f1c…", "public_key": "<base64 of the 32 raw bytes>"},
                {"key_id": "9a0e…", "revoked": "2026-11-05T10:00:00+00:00",
                 "reason": "laptop stolen"}]}

Each ``key_id`` must be the id of its key (:func:`key_id`): a store edited by hand to
give a key another id is refused, not trusted. A revoked key (a signed revocation
applied, see :mod:`riskprofile.exchange._keys`) is kept as its id, when and why: a
message signed with it is refused as ``revoked_key``, and the key cannot be trusted
again.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from riskprofile.errors import InputFormatError
from riskprofile.exchange._files import write_atomic
from riskprofile.exchange._messages import valid_pcu
from riskprofile.exchange._signing import key_id, public_key_from_pem, raw_public_key
from riskprofile.io.shared import JsonInputError, JsonLimits, read_document

__all__ = ["MAX_TRUST_STORE_BYTES", "Revocation", "TrustStore"]

KEY_ID = re.compile("[0-9a-f]{64}")
"""A key id: the SHA-256 of the raw public key, in lower-case hex."""

MAX_TRUST_STORE_BYTES = 4 * 1024 * 1024
"""The largest trust store read (tens of thousands of keys)."""
_LIMITS = JsonLimits(max_bytes=MAX_TRUST_STORE_BYTES, max_depth=4, allow_constants=False)


@dataclass(frozen=True)
class Revocation:
    """A revoked key: when its PCU revoked it (the signed statement's time) and why."""

    at: dt.datetime
    reason: str


_REVOKED_FIELDS = {"key_id", "revoked", "reason"}


def _entries(doc: Any) -> list[tuple[str, str, bytes | Revocation | None]]:
    """(PCU, key id, raw key or revocation) of every entry of a parsed store (None for a
    PCU listed without keys); ValueError says what is wrong, and where."""
    if not isinstance(doc, dict):
        raise ValueError("not an object mapping PCU ids to their keys")
    out: list[tuple[str, str, bytes | Revocation | None]] = []
    for pcu, keys in doc.items():
        valid_pcu(pcu)
        if not isinstance(keys, list):
            raise ValueError(f"{pcu}: not a list of keys")
        if not keys:
            out.append((pcu, "", None))
        for index, entry in enumerate(keys):
            where = f"{pcu}[{index}]"
            if isinstance(entry, dict) and set(entry) == _REVOKED_FIELDS:
                out.append((pcu, *_revoked(entry, where)))
                continue
            if not isinstance(entry, dict) or set(entry) != {"key_id", "public_key"}:
                raise ValueError(f"{where}: not an object with key_id and public_key "
                                 "(or a revoked key's key_id, revoked, reason)")  # fmt: skip
            if not isinstance(entry["public_key"], str) or not isinstance(entry["key_id"], str):
                raise ValueError(f"{where}: key_id and public_key must be strings")
            try:
                raw = base64.b64decode(entry["public_key"], validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"{where}: public_key is not base64") from None
            out.append((pcu, entry["key_id"], raw))
    return out


def _revoked(entry: dict[str, Any], where: str) -> tuple[str, Revocation]:
    kid, at, reason = entry["key_id"], entry["revoked"], entry["reason"]
    if not all(isinstance(v, str) for v in (kid, at, reason)):
        raise ValueError(f"{where}: key_id, revoked and reason must be strings")
    if not KEY_ID.fullmatch(kid):
        raise ValueError(f"{where}: key_id is not a key id (64 hex digits)")
    try:
        when = dt.datetime.fromisoformat(at)
    except ValueError:
        raise ValueError(f"{where}: revoked is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise ValueError(f"{where}: revoked has no time zone")
    return kid, Revocation(when, reason)


@dataclass
class TrustStore:
    """Partner PCU id -> {key id -> public key}. Load and save with :meth:`load` and
    :meth:`save`; a missing file is an empty store."""

    partners: dict[str, dict[str, Ed25519PublicKey]] = field(default_factory=dict)
    revoked: dict[str, dict[str, Revocation]] = field(default_factory=dict)
    """Partner PCU id -> {revoked key id -> when and why}."""

    @classmethod
    def load(cls, path: str | Path) -> TrustStore:
        """Read the store from ``path`` (empty when the file does not exist). A damaged
        store is an :class:`InputFormatError` naming the file and the entry."""
        path = Path(path)
        if not path.exists():
            return cls()
        try:
            entries = _entries(read_document(path, _LIMITS))
        except JsonInputError as exc:
            raise InputFormatError(f"not a trust store: {exc.reason}", path=str(path)) from None
        except ValueError as exc:
            raise InputFormatError(f"not a trust store: {exc}", path=str(path)) from None
        store = cls()
        for pcu, kid, raw in entries:
            if raw is None:
                store.partners.setdefault(pcu, {})
                continue
            if isinstance(raw, Revocation):
                store.revoke(pcu, kid, raw)
                continue
            if kid in store.revoked.get(pcu, {}):
                raise InputFormatError(f"not a trust store: {pcu}: key {kid[:16]}… is both "
                                       "trusted and revoked", path=str(path))  # fmt: skip
            try:
                key = Ed25519PublicKey.from_public_bytes(raw)
            except ValueError:
                detail = f"{pcu}: key {kid[:16]}… is not an Ed25519 public key"
                raise InputFormatError(f"not a trust store: {detail}", path=str(path)) from None
            if key_id(key) != kid:
                raise InputFormatError(f"not a trust store: {pcu}: key_id {kid[:16]}… is not "
                                       "the id of its key", path=str(path))  # fmt: skip
            store.add(pcu, key)
        return store

    def save(self, path: str | Path) -> None:
        """Write the store to ``path`` (sorted, so that it diffs well), atomically."""
        doc: dict[str, list[dict[str, str]]] = {}
        for pcu in sorted(set(self.partners) | set(self.revoked)):
            keys = self.partners.get(pcu, {})
            doc[pcu] = [
                {"key_id": kid, "public_key": base64.b64encode(raw_public_key(key)).decode()}
                for kid, key in sorted(keys.items())
            ]
            doc[pcu] += [
                {"key_id": kid, "revoked": r.at.isoformat(), "reason": r.reason}
                for kid, r in sorted(self.revoked.get(pcu, {}).items())
            ]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))

    def add(self, pcu: str, key: Ed25519PublicKey | bytes) -> str:
        """Trust ``key`` (a public key, or its PEM bytes) for ``pcu``; returns its key id.
        ``ValueError`` when ``pcu`` is not a PCU id or the bytes not a public key."""
        valid_pcu(pcu)
        if isinstance(key, bytes):
            key = public_key_from_pem(key)
        kid = key_id(key)
        revocation = self.revocation(pcu, kid)
        if revocation is not None:
            raise ValueError(f"key {kid[:16]}… of {pcu} was revoked on "
                             f"{revocation.at.date().isoformat()} ({revocation.reason}): "
                             "a revoked key is never trusted again")  # fmt: skip
        self.partners.setdefault(pcu, {})[kid] = key
        return kid

    def revoke(self, pcu: str, kid: str, revocation: Revocation) -> None:
        """Record that ``pcu`` revoked its key ``kid``: the key is no longer trusted,
        and messages signed with it are refused as ``revoked_key``. Callers apply a
        signed revocation (:func:`~riskprofile.exchange.apply_key_statement`)."""
        valid_pcu(pcu)
        self.partners.setdefault(pcu, {}).pop(kid, None)
        self.revoked.setdefault(pcu, {}).setdefault(kid, revocation)

    def revocation(self, pcu: str, kid: str) -> Revocation | None:
        """When and why ``pcu`` revoked its key ``kid``; None when it has not."""
        return self.revoked.get(pcu, {}).get(kid)

    def remove(self, pcu: str, kid: str | None = None) -> None:
        """Stop trusting one key of ``pcu``, or all of them."""
        if kid is None:
            self.partners.pop(pcu, None)
        else:
            self.partners.get(pcu, {}).pop(kid, None)

    def key(self, pcu: str, kid: str) -> Ed25519PublicKey | None:
        """The trusted key ``kid`` of ``pcu``, or None."""
        return self.partners.get(pcu, {}).get(kid)
