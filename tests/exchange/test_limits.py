"""Limits: size and nesting refused before parsing, forged messages refused before
parsing, validity periods, PCU and message ids that could name files elsewhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from riskprofile.errors import (
    ExchangeError,
    ExpiredError,
    InputFormatError,
    SchemaError,
    TamperedError,
    TooLargeError,
)
from riskprofile.exchange import (
    ExchangeLog,
    RedactionPolicy,
    SigningKey,
    TrustStore,
    _signing,
    generate_keys,
    import_message,
    sign,
    verify,
)
from riskprofile.exchange._signing import MAX_MESSAGE_BYTES, MAX_MESSAGE_DEPTH
from tests.exchange.conftest import NOW, make_warning


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the message was parsed before it was refused")

    monkeypatch.setattr(_signing, "loads", refuse)
    monkeypatch.setattr(_signing, "canonicalize", refuse)


def test_deep_nesting_is_refused_not_a_crash(kz_trust: TrustStore, tmp_path: Path) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    for data in (b"[" * 5000 + b"]" * 5000, b'{"payload":' * 3000 + b"1" + b"}" * 3000):
        with pytest.raises(TooLargeError) as info:
            import_message(data, trust=kz_trust, log=log, into=tmp_path, now=NOW)
        assert info.value.reason == "too_large"
        assert f"deeper than {MAX_MESSAGE_DEPTH}" in info.value.detail
    assert [e.note.split(":")[0] for e in log] == ["too_large", "too_large"]


def test_an_oversize_message_is_refused_unparsed_and_logged(
    kz_trust: TrustStore, pk_key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    signed = sign(make_warning(), pk_key)
    big = signed[:-2] + b" " * (50 * 1024 * 1024) + signed[-2:]
    _no_parsing(monkeypatch)
    with pytest.raises(TooLargeError, match=f"{MAX_MESSAGE_BYTES:,} bytes"):
        import_message(big, trust=kz_trust, log=log, into=tmp_path, now=NOW)
    (entry,) = log
    assert (entry.direction, entry.note.split(":")[0]) == ("rejected", "too_large")


def test_a_forged_message_is_refused_before_it_is_parsed(
    kz_trust: TrustStore, pk_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = sign(make_warning(), pk_key)
    # a megabyte of deeply nested payload under a real sender and key, signature forged
    payload_start = signed.index(b'"payload":') + len(b'"payload":')
    junk = b'{"x":' + b"[" * 400 + b"]" * 400 + b',"y":"' + b"A" * 900_000 + b'"}'
    forged = signed[:payload_start] + junk + signed[signed.rindex(b',"sender":') :]
    assert len(forged) < MAX_MESSAGE_BYTES
    _no_parsing(monkeypatch)
    with pytest.raises(TamperedError, match="does not match"):
        verify(forged, kz_trust, now=NOW)


def _signed_payload(pk_key: SigningKey, created: dt.datetime, expires: dt.datetime) -> bytes:
    payload = make_warning().model_dump(mode="json")
    payload.update(created=created.isoformat(), expires=expires.isoformat())
    return sign(payload, pk_key)


@pytest.mark.parametrize(
    ("created", "expires"),
    [
        (NOW, NOW - dt.timedelta(days=5)),  # --valid-days -5
        (NOW, NOW),
        (NOW, dt.datetime(9999, 12, 31, tzinfo=dt.UTC)),  # valid until 9999
        (NOW, NOW + dt.timedelta(days=366)),
    ],
)
def test_absurd_validity_is_refused_when_made_and_when_received(
    pk_key: SigningKey, kz_trust: TrustStore, created: dt.datetime, expires: dt.datetime
) -> None:
    with pytest.raises(ValidationError, match="at most 365 days"):
        make_warning(created=created, expires=expires)
    with pytest.raises(SchemaError, match="at most 365 days"):
        verify(_signed_payload(pk_key, created, expires), kz_trust, now=NOW - dt.timedelta(days=6))


def test_a_message_created_in_the_future_is_not_yet_valid(
    pk_key: SigningKey, kz_trust: TrustStore
) -> None:
    far = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
    data = _signed_payload(pk_key, far, far + dt.timedelta(days=30))
    with pytest.raises(ExpiredError, match="not yet valid"):
        verify(data, kz_trust, now=NOW)
    # a clock a few hours ahead is fine
    ahead = NOW + dt.timedelta(hours=5)
    verify(_signed_payload(pk_key, ahead, ahead + dt.timedelta(days=1)), kz_trust, now=NOW)


@pytest.mark.parametrize("pcu", ["../../x", "PK-KHI/../..", "pk-khi", "PK KHI", "", "PK-"])
def test_ids_that_are_not_pcu_ids_are_refused(pcu: str, pk_key: SigningKey, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a PCU id"):
        generate_keys(pcu, tmp_path / "keys")
    assert not (tmp_path / "keys" / f"{pcu}.key.pem").resolve().exists()
    with pytest.raises(ValueError, match="not a PCU id"):
        TrustStore().add(pcu, pk_key.public_key)
    with pytest.raises(ValidationError):
        RedactionPolicy(partner=pcu)


@pytest.mark.parametrize("message_id", ["../../../etc/x", "w-1/2/3/4", ".hidden-id", "a b c d e"])
def test_message_ids_are_safe_to_name_files(message_id: str) -> None:
    with pytest.raises(ValidationError, match="message_id"):
        make_warning(message_id)


def test_key_files_missing_damaged_or_misnamed_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match="cannot read the private key file") as info:
        SigningKey.load(tmp_path / "PK-KHI.key.pem")
    assert str(tmp_path / "PK-KHI.key.pem") in str(info.value)
    (tmp_path / "PK-KHI.key.pem").write_text("not a key")
    with pytest.raises(InputFormatError, match="not a private key PEM file"):
        SigningKey.load(tmp_path / "PK-KHI.key.pem")
    (tmp_path / "x y.key.pem").write_bytes((tmp_path / "PK-KHI.key.pem").read_bytes())
    with pytest.raises(InputFormatError, match=r"named <PCU>\.key\.pem"):
        SigningKey.load(tmp_path / "x y.key.pem")


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "[]",
        '{"pk-khi": []}',
        '{"PK-KHI": [{"key_id": "00", "public_key": "AAAA"}]}',
        '{"PK-KHI": [{"key_id": "00", "public_key": "' + "A" * 43 + '="}]}',
        "[" * 5000,
    ],
)
def test_a_damaged_trust_store_is_named(text: str, tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(text)
    with pytest.raises(InputFormatError, match="not a trust store") as info:
        TrustStore.load(path)
    assert str(path) in str(info.value)


def test_a_trust_store_round_trips(pk_key: SigningKey, tmp_path: Path) -> None:
    store = TrustStore()
    store.add("PK-KHI", pk_key.public_key)
    store.save(tmp_path / "trust.json")
    again = TrustStore.load(tmp_path / "trust.json")
    assert again.key("PK-KHI", pk_key.key_id) is not None


def test_a_damaged_log_is_named(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputFormatError, match="cannot use the exchange log") as info:
        ExchangeLog(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("text", ["{", "[" * 5000, '{"w-0000000001": 1}', "[]"])
def test_a_damaged_warning_state_is_named_not_overwritten(
    text: str, pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    state = tmp_path / "partner_warnings.json"
    state.write_text(text)
    log = ExchangeLog(tmp_path / "log.sqlite")
    with pytest.raises(InputFormatError, match=r"partner_warnings\.json") as info:
        import_message(sign(make_warning(), pk_key), trust=kz_trust, log=log, into=tmp_path,
                       now=NOW)  # fmt: skip
    assert "restore it from a backup" in str(info.value)
    assert state.read_text() == text
    assert list(log) == []


def test_a_refusal_names_only_a_well_formed_message_id(kz_trust: TrustStore) -> None:
    from riskprofile.exchange import canonicalize

    payload = make_warning().model_dump(mode="json")
    for raw, named in (("w-0000000001", "w-0000000001"), ("w-1\n  imported  forged", None)):
        data = canonicalize({"payload": {**payload, "message_id": raw}})
        with pytest.raises(ExchangeError) as info:
            verify(data, kz_trust, now=NOW)
        assert (info.value.reason, info.value.message_id) == ("unsigned", named)
