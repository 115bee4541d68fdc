"""The trust store: the partner PCUs whose messages are accepted, and their public keys.

A JSON file mapping PCU id to its keys (several during a key rotation)::

    {"KZ-AKT": [{"key_id": "3f1c…", "public_key": "<base64 of the 32 raw bytes>"}]}
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from riskprofile.exchange._signing import key_id, public_key_from_pem, raw_public_key

__all__ = ["TrustStore"]


@dataclass
class TrustStore:
    """Partner PCU id -> {key id -> public key}. Load and save with :meth:`load` and
    :meth:`save`; a missing file is an empty store."""

    partners: dict[str, dict[str, Ed25519PublicKey]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> TrustStore:
        """Read the store from ``path`` (empty when the file does not exist)."""
        path = Path(path)
        if not path.exists():
            return cls()
        doc = json.loads(path.read_text(encoding="utf-8"))
        store = cls()
        for pcu, keys in doc.items():
            for entry in keys:
                raw = base64.b64decode(entry["public_key"], validate=True)
                store.add(pcu, Ed25519PublicKey.from_public_bytes(raw))
        return store

    def save(self, path: str | Path) -> None:
        """Write the store to ``path`` (sorted, so that it diffs well)."""
        doc = {
            pcu: [
                {"key_id": kid, "public_key": base64.b64encode(raw_public_key(key)).decode()}
                for kid, key in sorted(keys.items())
            ]
            for pcu, keys in sorted(self.partners.items())
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")

    def add(self, pcu: str, key: Ed25519PublicKey | bytes) -> str:
        """Trust ``key`` (a public key, or its PEM bytes) for ``pcu``; returns its key id."""
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
