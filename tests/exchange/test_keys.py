"""Key rotation and revocation: signed updates of a partner's trust store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.errors import (
    ExchangeError,
    RevokedKeyError,
    TamperedError,
    UnknownSenderError,
    UnsignedError,
)
from riskprofile.exchange import (
    SigningKey,
    TrustStore,
    apply_key_statement,
    canonicalize,
    revocation,
    rotation,
    sign,
    verify,
)
from tests.depth import depth
from tests.exchange.conftest import _PK, NOW, make_warning

_NEW = SigningKey("PK-KHI", Ed25519PrivateKey.generate())
_OTHER = SigningKey("TM-ASB", Ed25519PrivateKey.generate())


def _trusting() -> TrustStore:
    store = TrustStore()
    store.add("PK-KHI", _PK.public_key)
    store.add("TM-ASB", _OTHER.public_key)
    return store


def test_a_rotation_trusts_the_new_key() -> None:
    trust = _trusting()
    signed_new = sign(make_warning(), _NEW)
    with pytest.raises(UnknownSenderError):
        verify(signed_new, trust, now=NOW)
    applied = apply_key_statement(rotation(_PK, _NEW, created=NOW, reason="yearly"), trust, now=NOW)
    assert applied.changed
    assert set(applied.signed_by) == {_PK.key_id, _NEW.key_id}
    assert verify(signed_new, trust, now=NOW).key_id == _NEW.key_id
    assert verify(sign(make_warning("w-0000000002"), _PK), trust, now=NOW)  # old still trusted
    again = apply_key_statement(rotation(_PK, _NEW, created=NOW, reason="yearly"), trust, now=NOW)
    assert not again.changed


def test_a_revocation_refuses_the_key_and_names_it(tmp_path: Path) -> None:
    trust = _trusting()
    apply_key_statement(rotation(_PK, _NEW, created=NOW, reason="yearly"), trust, now=NOW)
    statement = revocation(_NEW, _PK.key_id, created=NOW, reason="laptop stolen")
    applied = apply_key_statement(statement, trust, now=NOW)
    assert applied.changed
    with pytest.raises(RevokedKeyError) as refused:
        verify(sign(make_warning(), _PK), trust, now=NOW)
    assert refused.value.reason == "revoked_key"
    assert _PK.key_id in refused.value.detail
    assert "laptop stolen" in refused.value.detail
    assert verify(sign(make_warning(), _NEW), trust, now=NOW)
    # the revoked key is never trusted again, and the store keeps the revocation
    with pytest.raises(ValueError, match="revoked"):
        trust.add("PK-KHI", _PK.public_key)
    trust.save(tmp_path / "trust.json")
    loaded = TrustStore.load(tmp_path / "trust.json")
    assert loaded.revoked == trust.revoked
    assert set(loaded.partners["PK-KHI"]) == {_NEW.key_id}
    with pytest.raises(RevokedKeyError):
        verify(sign(make_warning(), _PK), loaded, now=NOW)
    # a rotation signed with the revoked key changes nothing
    third = SigningKey("PK-KHI", Ed25519PrivateKey.generate())
    with pytest.raises(RevokedKeyError):
        apply_key_statement(rotation(_PK, third, created=NOW, reason="x"), loaded, now=NOW)
    assert third.key_id not in loaded.partners["PK-KHI"]


def test_a_key_revokes_itself() -> None:
    trust = _trusting()
    apply_key_statement(
        revocation(_PK, _PK.key_id, created=NOW, reason="compromised"), trust, now=NOW
    )
    with pytest.raises(RevokedKeyError):
        verify(sign(make_warning(), _PK), trust, now=NOW)
    assert "PK-KHI" in trust.partners  # still a partner, with no key in force


def test_statements_not_signed_by_a_trusted_key_of_that_pcu_are_refused() -> None:
    trust = _trusting()
    stranger = SigningKey("PK-KHI", Ed25519PrivateKey.generate())
    newer = SigningKey("PK-KHI", Ed25519PrivateKey.generate())
    with pytest.raises(UnknownSenderError):
        apply_key_statement(rotation(stranger, newer, created=NOW, reason="x"), trust, now=NOW)
    with pytest.raises(UnknownSenderError):
        apply_key_statement(
            revocation(stranger, _PK.key_id, created=NOW, reason="x"), trust, now=NOW
        )
    # another PCU's key cannot revoke Karachi's
    forged = json.loads(revocation(_OTHER, _PK.key_id, created=NOW, reason="x"))
    forged["statement"]["pcu"] = "PK-KHI"
    with pytest.raises(ExchangeError):
        apply_key_statement(canonicalize(forged), trust, now=NOW)
    # a rotation without the new key's signature proves no one holds it
    doc = json.loads(rotation(_PK, newer, created=NOW, reason="x"))
    doc["signatures"] = [s for s in doc["signatures"] if s["key_id"] == _PK.key_id]
    with pytest.raises(UnsignedError):
        apply_key_statement(canonicalize(doc), trust, now=NOW)
    assert set(trust.partners["PK-KHI"]) == {_PK.key_id}
    assert not trust.revoked


@settings(max_examples=depth(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), kind=st.sampled_from(["rotation", "revocation"]))
def test_changing_any_byte_of_a_statement_refuses_it(data: st.DataObject, kind: str) -> None:
    signed = (
        rotation(_PK, _NEW, created=NOW, reason="yearly")
        if kind == "rotation"
        else revocation(_PK, _NEW.key_id, created=NOW, reason="retired")
    )
    index = data.draw(st.integers(0, len(signed) - 1), label="index")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != signed[index]), label="byte")
    changed = signed[:index] + bytes([byte]) + signed[index + 1 :]
    trust = _trusting()
    with pytest.raises(ExchangeError):
        apply_key_statement(changed, trust, now=NOW)
    assert set(trust.partners["PK-KHI"]) == {_PK.key_id}
    assert not trust.revoked


@settings(max_examples=depth(50))
@given(
    reason=st.text(min_size=1, max_size=50).filter(lambda t: t.strip() == t and t),
    hours=st.integers(-1000, 20),
)
def test_statements_round_trip(reason: str, hours: int) -> None:
    created = NOW + dt.timedelta(hours=hours)
    trust = _trusting()
    assert (
        apply_key_statement(
            rotation(_PK, _NEW, created=created, reason=reason), trust, now=NOW
        ).statement.reason
        == reason
    )
    applied = apply_key_statement(
        revocation(_PK, _PK.key_id, created=created, reason=reason), trust, now=NOW
    )
    assert trust.revoked["PK-KHI"][_PK.key_id].at == created
    assert applied.statement.created == created


def test_tampered_statement_names_the_reason() -> None:
    doc = json.loads(revocation(_PK, _NEW.key_id, created=NOW, reason="retired"))
    doc["statement"]["reason"] = "compromised"
    with pytest.raises(TamperedError):
        apply_key_statement(canonicalize(doc), _trusting(), now=NOW)


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["exchange", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_rotate_apply_revoke_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    keys, new_keys = tmp_path / "keys", tmp_path / "keys-2027"
    kz = str(tmp_path / "kz")
    pk = tmp_path / "pk"  # the home of the PCU that rotates and revokes: its log
    monkeypatch.setenv("RISKPROFILE_EXCHANGE_HOME", str(pk))
    assert _main(capsys, "keygen", "--pcu", "PK-KHI", "-o", str(keys))[0] == 0
    assert (
        _main(capsys, "trust", "add", "PK-KHI", str(keys / "PK-KHI.pub.pem"), "--home", kz)[0] == 0
    )
    old_id = _main(capsys, "trust", "list", "--home", kz)[1].split()[1]
    code, out, err = _main(
        capsys,
        "rotate",
        "--key",
        str(keys / "PK-KHI.key.pem"),
        "-o",
        str(new_keys),
        "--reason",
        "yearly",
        "--as-of",
        "2026-11-05",
    )
    assert code == 0, err
    statement = new_keys / "PK-KHI.rotation.json"
    code, out, _ = _main(
        capsys, "trust", "apply", str(statement), "--home", kz, "--as-of", "2026-11-05"
    )
    assert (code, out.split()[:4]) == (0, ["PK-KHI:", "trusted", "the", "new"])
    code, out, _ = _main(capsys, "trust", "apply", str(statement), "--home", kz)
    assert out.startswith("nothing to change")
    # the new key revokes the old one; a warning signed with the old key is then refused
    code, out, err = _main(
        capsys,
        "revoke",
        old_id,
        "--key",
        str(new_keys / "PK-KHI.key.pem"),
        "--reason",
        "retired",
        "-o",
        str(tmp_path / "out"),
        "--as-of",
        "2026-11-06",
    )
    assert code == 0, err
    (revoked,) = (tmp_path / "out").glob("PK-KHI.revocation.*.json")
    assert _main(capsys, "trust", "apply", str(revoked), "--home", kz)[0] == 0
    listing = _main(capsys, "trust", "list", "--home", kz)[1]
    assert f"PK-KHI\t{old_id}\trevoked 2026-11-06T00:00:00+00:00: retired" in listing
    message = tmp_path / "old.json"
    message.write_bytes(sign(make_warning(), SigningKey.load(keys / "PK-KHI.key.pem")))
    code, out, _ = _main(capsys, "verify", str(message), "--home", kz, "--as-of", NOW.isoformat())
    assert code == 1
    assert out.startswith(f"rejected [revoked_key]: signed with key {old_id} of PK-KHI")
    # a statement from a PCU the store does not know
    code, out, _ = _main(capsys, "trust", "apply", str(revoked), "--home", str(tmp_path / "x"))
    assert (code, out.split()[:2]) == (1, ["rejected", "[unknown_sender]:"])
    # refusals on the command line: one line, exit 2
    code, _, err = _main(
        capsys, "revoke", "not-a-key-id", "--key", str(keys / "PK-KHI.key.pem"), "--reason", "x"
    )
    assert code == 2
    assert "not a key id" in err
    code, _, err = _main(
        capsys, "rotate", "--key", str(keys / "PK-KHI.key.pem"), "-o", str(new_keys)
    )
    assert code == 2
    assert "exists" in err
    _the_statements_are_in_both_logs(capsys, pk, Path(kz), old_id, tmp_path / "x")


def _the_statements_are_in_both_logs(
    capsys: pytest.CaptureFixture[str], pk: Path, kz: Path, old_id: str, other: Path
) -> None:
    """Regression (note 25): rotations and revocations were not in the exchange log. The
    PCU that made them logs them as sent, the partner as imported (or rejected), each with
    the wall-clock time beside `at` and the key it is about."""
    from riskprofile.exchange import ExchangeLog

    made = [(e.direction, e.kind, e.sender) for e in ExchangeLog(pk / "log.sqlite")]
    assert made == [("sent", "key_rotation", "PK-KHI"), ("sent", "key_revocation", "PK-KHI")]
    applied = list(ExchangeLog(kz / "log.sqlite"))
    assert [(e.direction, e.kind, e.partner) for e in applied] == [
        ("imported", "key_rotation", "PK-KHI"),
        ("imported", "key_rotation", "PK-KHI"),
        ("imported", "key_revocation", "PK-KHI"),
    ]
    assert applied[1].note.startswith("nothing to change")
    assert applied[2].message_id == old_id
    assert all(e.recorded is not None for e in applied)
    assert applied[0].at == dt.datetime(2026, 11, 5, tzinfo=dt.UTC)
    (refused,) = ExchangeLog(other / "log.sqlite")
    assert (refused.direction, refused.kind, refused.message_id) == (
        "rejected", "key_revocation", old_id,
    )  # fmt: skip
    assert refused.note.startswith("unknown_sender: ")
    code, out, _ = _main(capsys, "log", "--home", str(kz), "--kind", "key_revocation")
    assert code == 0
    (line,) = out.splitlines()
    assert f"imported  key_revocation  {old_id}  PK-KHI" in line
    assert "(recorded " in line


@pytest.mark.parametrize("data", [b"%PDF-1.7 not a statement", b"\xff\xfe", b"{no json"])
def test_a_file_that_is_not_json_is_not_called_tampered(
    data: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regression (note 25): `trust apply` on a wrong file said "rejected [tampered]"; a
    file that is not JSON is `not_json`, and a message likewise."""
    with pytest.raises(ExchangeError) as info:
        apply_key_statement(data, _trusting(), now=NOW)
    assert info.value.reason == "not_json"
    with pytest.raises(ExchangeError) as info:
        verify(data, _trusting(), now=NOW)
    assert info.value.reason == "not_json"
    wrong = tmp_path / "statement.pdf"
    wrong.write_bytes(data)
    code, out, _ = _main(capsys, "trust", "apply", str(wrong), "--home", str(tmp_path))
    assert (code, out.split()[:2]) == (1, ["rejected", "[not_json]:"])
    assert "not a key statement" in out
