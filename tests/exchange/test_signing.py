"""Signing and verification: the round trip, every rejection reason, every byte counts."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import (
    BadSignatureError,
    ExchangeError,
    ExpiredError,
    NotJsonError,
    ReplayedError,
    SchemaError,
    TamperedError,
    UnknownSenderError,
    UnsignedError,
)
from riskprofile.exchange import (
    ExchangeLog,
    SigningKey,
    TrustStore,
    canonicalize,
    generate_keys,
    key_id,
    sign,
    verify,
)
from tests.depth import depth
from tests.exchange.conftest import NOW, make_warning


def test_sign_then_verify(pk_key: SigningKey, kz_trust: TrustStore) -> None:
    warning = make_warning()
    verified = verify(sign(warning, pk_key), kz_trust, now=NOW)
    assert verified.message == warning
    assert verified.sender == "PK-KHI"
    assert verified.key_id == pk_key.key_id


@settings(max_examples=depth(300), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_changing_any_byte_fails_verification(
    pk_key: SigningKey, kz_trust: TrustStore, data: st.DataObject
) -> None:
    signed = sign(make_warning(), pk_key)
    index = data.draw(st.integers(0, len(signed) - 1), label="index")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != signed[index]), label="byte")
    changed = signed[:index] + bytes([byte]) + signed[index + 1 :]
    with pytest.raises(ExchangeError):
        verify(changed, kz_trust, now=NOW)


def _resigned(signed: bytes, **envelope_changes: object) -> bytes:
    envelope = json.loads(signed)
    envelope.update(envelope_changes)
    return canonicalize({k: v for k, v in envelope.items() if v is not None})


def test_rejection_reasons(pk_key: SigningKey, kz_key: SigningKey, kz_trust: TrustStore) -> None:
    signed = sign(make_warning(), pk_key)
    envelope = json.loads(signed)

    cases: list[tuple[bytes, type[ExchangeError], str]] = [
        (b"\xff not json", NotJsonError, "not_json"),
        (canonicalize({"x": 1}), SchemaError, "schema"),
        (_resigned(signed, signature=None), UnsignedError, "unsigned"),
        (canonicalize({"payload": envelope["payload"]}), UnsignedError, "unsigned"),
        (_resigned(signed, signature="!!!"), BadSignatureError, "bad_signature"),
        (
            _resigned(signed, signature=base64.b64encode(b"x" * 10).decode()),
            BadSignatureError,
            "bad_signature",
        ),
        (_resigned(signed, sender="TM-TKM"), UnknownSenderError, "unknown_sender"),
        (_resigned(signed, key_id=kz_key.key_id), UnknownSenderError, "unknown_sender"),
        (json.dumps(envelope, indent=1).encode(), TamperedError, "tampered"),
    ]
    payload = dict(envelope["payload"], container_number="TGHU0000000")
    cases.append((_resigned(signed, payload=payload), TamperedError, "tampered"))
    for data, error, reason in cases:
        with pytest.raises(error) as info:
            verify(data, kz_trust, now=NOW)
        assert info.value.reason == reason


def test_a_message_signed_by_a_stranger_is_refused(kz_key: SigningKey) -> None:
    other = TrustStore()
    with pytest.raises(UnknownSenderError):
        verify(sign(make_warning(sender="KZ-AKT"), kz_key), other, now=NOW)


def test_a_sender_cannot_sign_for_another(pk_key: SigningKey, kz_trust: TrustStore) -> None:
    with pytest.raises(ValueError, match="sender"):
        sign(make_warning(sender="TM-TKM"), pk_key)


def test_expired(pk_key: SigningKey, kz_trust: TrustStore) -> None:
    signed = sign(make_warning(), pk_key)
    with pytest.raises(ExpiredError) as info:
        verify(signed, kz_trust, now=NOW + dt.timedelta(days=31))
    assert info.value.reason == "expired"
    assert info.value.message_id == "w-0000000001"


def test_a_replayed_message_is_detected(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    signed = sign(make_warning(), pk_key)
    verified = verify(signed, kz_trust, now=NOW, log=log)
    log.record("received", at=NOW, kind="warning", message_id=verified.message.message_id,
               sender="PK-KHI", partner="PK-KHI", digest=verified.digest)  # fmt: skip
    with pytest.raises(ReplayedError) as info:
        verify(signed, kz_trust, now=NOW + dt.timedelta(hours=1), log=log)
    assert info.value.reason == "replayed"


def test_errors_pickle() -> None:
    import pickle

    error = TamperedError("changed", message_id="m-1")
    again = pickle.loads(pickle.dumps(error))
    assert (again.reason, again.message_id, str(again)) == ("tampered", "m-1", str(error))


def test_keys_on_disk_and_trust_store_file(tmp_path: Path) -> None:
    private, public = generate_keys("PK-KHI", tmp_path)
    assert private.stat().st_mode & 0o077 == 0
    key = SigningKey.load(private)
    assert key.pcu == "PK-KHI"
    with pytest.raises(FileExistsError):
        generate_keys("PK-KHI", tmp_path)
    store = TrustStore()
    kid = store.add("PK-KHI", public.read_bytes())
    assert kid == key.key_id == key_id(key.public_key)
    assert len(kid) == 64
    store.save(tmp_path / "trust.json")
    again = TrustStore.load(tmp_path / "trust.json")
    verify(sign(make_warning(), key), again, now=NOW)
    assert TrustStore.load(tmp_path / "missing.json").partners == {}
