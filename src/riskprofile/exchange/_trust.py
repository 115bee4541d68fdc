"""The trust store: the partner PCUs whose messages are accepted, and their public keys.

A JSON file mapping PCU id to its keys (several during a key rotation)::

    {"KZ-AKT": [{"key_id": "3f1c…", "public_key": "<base64 of the 32 raw bytes>"}]}

Each ``key_id`` must be the id of its key (:func:`key_id`): a store edited by hand to
give a key another id is refused, not trusted.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from riskprofile.errors import InputFormatError
from riskprofile.exchange._files import write_atomic
from riskprofile.exchange._messages import valid_pcu
from riskprofile.exchange._signing import key_id, public_key_from_pem, raw_public_key
from riskprofile.io._json import JsonInputError, JsonLimits, read_document

__all__ = ["MAX_TRUST_STORE_BYTES", "TrustStore"]

MAX_TRUST_STORE_BYTES = 4 * 1024 * 1024
"""The largest trust store read (tens of thousands of keys)."""
_LIMITS = JsonLimits(max_bytes=MAX_TRUST_STORE_BYTES, max_depth=4, allow_constants=False)


def _entries(doc: Any) -> list[tuple[str, str, bytes]]:
    """(PCU, key id, raw key) of every key of a parsed store; ValueError says what is
    wrong, and where."""
    if not isinstance(doc, dict):
        raise ValueError("not an object mapping PCU ids to their keys")
    out = []
    for pcu, keys in doc.items():
        valid_pcu(pcu)
        if not isinstance(keys, list):
            raise ValueError(f"{pcu}: not a list of keys")
        for index, entry in enumerate(keys):
            where = f"{pcu}[{index}]"
            if not isinstance(entry, dict) or set(entry) != {"key_id", "public_key"}:
                raise ValueError(f"{where}: not an object with key_id and public_key")
            if not isinstance(entry["public_key"], str) or not isinstance(entry["key_id"], str):
                raise ValueError(f"{where}: key_id and public_key must be strings")
            try:
                raw = base64.b64decode(entry["public_key"], validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(f"{where}: public_key is not base64") from None
            out.append((pcu, entry["key_id"], raw))
    return out


@dataclass
class TrustStore:
    """Partner PCU id -> {key id -> public key}. Load and save with :meth:`load` and
    :meth:`save`; a missing file is an empty store."""

    partners: dict[str, dict[str, Ed25519PublicKey]] = field(default_factory=dict)

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
        doc = {
            pcu: [
                {"key_id": kid, "public_key": base64.b64encode(raw_public_key(key)).decode()}
                for kid, key in sorted(keys.items())
            ]
            for pcu, keys in sorted(self.partners.items())
        }
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
        self.partners.setdefault(pcu, {})[kid] = key
        return kid

    def remove(self, pcu: str, kid: str | None = None) -> None:
        """Stop trusting one key of ``pcu``, or all of them."""
        if kid is None:
            self.partners.pop(pcu, None)
        else:
            self.partners.get(pcu, {}).pop(kid, None)

    def key(self, pcu: str, kid: str) -> Ed25519PublicKey | None:
        """The trusted key ``kid`` of ``pcu``, or None."""
        return self.partners.get(pcu, {}).get(kid)
