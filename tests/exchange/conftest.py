"""Shared fixtures of the exchange tests: two PCUs that trust each other, a warning."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from riskprofile.exchange import Reason, RiskWarning, SigningKey, TrustStore

NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)

# Key generation is the slow part of a property test: make the keys once per session.
_PK = SigningKey("PK-KHI", Ed25519PrivateKey.generate())
_KZ = SigningKey("KZ-AKT", Ed25519PrivateKey.generate())


@pytest.fixture
def pk_key() -> SigningKey:
    return _PK


@pytest.fixture
def kz_key() -> SigningKey:
    return _KZ


@pytest.fixture
def kz_trust() -> TrustStore:
    """Kazakhstan's trust store: it trusts Pakistan."""
    store = TrustStore()
    store.add("PK-KHI", _PK.public_key)
    return store


def make_warning(message_id: str = "w-0000000001", **changes: object) -> RiskWarning:
    fields: dict[str, object] = {
        "message_id": message_id,
        "sender": "PK-KHI",
        "recipients": ["KZ-AKT"],
        "created": NOW,
        "expires": NOW + dt.timedelta(days=30),
        "container_number": "MSKU1234565",
        "bl_numbers": ["MAEU240500001"],
        "route": ["AEJEA", "PKKHI", "KZALA"],
        "reasons": [
            Reason(
                profile_id="narcotics.maritime-trafficking",
                indicator_id="southern-route-origin",
                explanation="goods of Afghan origin re-exported from Jebel Ali",
            )
        ],
        "category": "narcotics",
    }
    fields.update(changes)
    return RiskWarning.model_validate(fields)
