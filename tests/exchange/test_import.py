"""Import: sign -> verify -> import round trip, idempotence, expiry, outcome records."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import ReplayedError, TamperedError
from riskprofile.exchange import (
    ExchangeLog,
    Feedback,
    Seizure,
    SigningKey,
    TrustStore,
    import_message,
    refresh_watch_list,
    sign,
)
from tests.depth import depth
from tests.exchange.conftest import NOW, make_warning


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


container_numbers = st.from_regex(r"[A-Z]{4}[0-9]{7}", fullmatch=True)


@settings(max_examples=depth(25), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=container_numbers, days=st.integers(1, 90))
def test_sign_verify_import_round_trip(
    number: str, days: int, pk_key: SigningKey, kz_trust: TrustStore, tmp_path_factory: object
) -> None:
    folder = tmp_path_factory.mktemp("kz")  # type: ignore[attr-defined]
    log = ExchangeLog(folder / "log.sqlite")
    warning = make_warning(container_number=number, expires=NOW + dt.timedelta(days=days))
    result = import_message(sign(warning, pk_key), trust=kz_trust, log=log, into=folder, now=NOW)
    assert result.message == warning
    assert not result.already_imported
    rows = _rows(folder / "partner_warnings.csv")
    assert [(r["value"], r["message_id"], r["sender"]) for r in rows] == [
        (number, warning.message_id, "PK-KHI")
    ]
    assert rows[0]["reason"] == warning.reasons[0].explanation
    assert [e.direction for e in log] == ["received", "imported"]


def test_import_is_idempotent_and_a_replay_is_refused(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    signed = sign(make_warning(), pk_key)
    import_message(signed, trust=kz_trust, log=log, into=tmp_path, now=NOW)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("partner_*")}
    again = import_message(signed, trust=kz_trust, log=log, into=tmp_path, now=NOW)
    assert again.already_imported
    assert {p.name: p.read_bytes() for p in tmp_path.glob("partner_*")} == before
    # Regression (note 25): the second import rewrites every watch list and says so; it
    # listed only the container and B/L lists, not the two party lists.
    lists = set(tmp_path.glob("partner_warning*.csv"))
    assert len(lists) == 4
    assert set(again.files) == lists
    # another message under an id already received: a replay
    other = sign(make_warning(container_number="TGHU1234567"), pk_key)
    with pytest.raises(ReplayedError):
        import_message(other, trust=kz_trust, log=log, into=tmp_path, now=NOW)
    assert [e.direction for e in log] == ["received", "imported", "rejected"]
    assert log.query(direction="rejected")[0].note.startswith("replayed")


def test_refusals_are_logged_and_change_nothing(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    signed = bytearray(sign(make_warning(), pk_key))
    signed[signed.index(b"MSKU")] = ord("X")
    with pytest.raises(TamperedError):
        import_message(bytes(signed), trust=kz_trust, log=log, into=tmp_path, now=NOW)
    assert not (tmp_path / "partner_warnings.csv").exists()
    assert [e.note.split(":")[0] for e in log] == ["tampered"]


def test_expired_warnings_leave_the_watch_list(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    short = make_warning("w-short-0001", expires=NOW + dt.timedelta(days=2))
    long = make_warning("w-long-00001", container_number="TGHU1234567")
    for warning in (short, long):
        import_message(sign(warning, pk_key), trust=kz_trust, log=log, into=tmp_path, now=NOW)
    assert len(_rows(tmp_path / "partner_warnings.csv")) == 2
    assert refresh_watch_list(tmp_path, now=NOW + dt.timedelta(days=3)) == 1
    assert [r["value"] for r in _rows(tmp_path / "partner_warnings.csv")] == ["TGHU1234567"]
    assert [r["value"] for r in _rows(tmp_path / "partner_warning_bls.csv")] == ["MAEU240500001"]


def test_feedback_and_seizure_become_outcome_records(
    kz_key: SigningKey, pk_key: SigningKey, tmp_path: Path
) -> None:
    pk_trust = TrustStore()
    pk_trust.add("KZ-AKT", kz_key.public_key)
    log = ExchangeLog(tmp_path / "log.sqlite")
    header = {"sender": "KZ-AKT", "recipients": ["PK-KHI"], "created": NOW,
              "expires": NOW + dt.timedelta(days=365)}  # fmt: skip
    feedback = Feedback(
        message_id="f-00000001",
        warning_id="w-0000000001",
        container_number="MSKU1234565",
        inspected=True,
        result="seizure",
        finding="heroin in the false floor",
        **header,
    )  # type: ignore[arg-type]
    seizure = Seizure(message_id="s-00000001", warning_id="w-0000000001",
                      container_number="MSKU1234565", goods_category="heroin", quantity="41.5",
                      unit="kg", concealment="false floor", route=["AFKBL", "PKKHI", "KZALA"],
                      photos=["photo-1.jpg"], **header)  # type: ignore[arg-type]  # fmt: skip
    for message in (feedback, seizure, feedback):
        import_message(sign(message, kz_key), trust=pk_trust, log=log, into=tmp_path, now=NOW)
    rows = _rows(tmp_path / "outcomes.csv")
    assert [(r["kind"], r["result"]) for r in rows] == [("feedback", "seizure"),
                                                        ("seizure", "seizure")]  # fmt: skip
    assert rows[1]["quantity"] == "41.5"
    assert rows[1]["route"] == "AFKBL;PKKHI;KZALA"


def test_a_message_for_another_pcu_is_refused_when_the_importer_says_who_it_is(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    from riskprofile.errors import NotAddressedError

    log = ExchangeLog(tmp_path / "log.sqlite")
    warning = make_warning()
    signed = sign(warning, pk_key)
    stranger = "XX-NOT" if "XX-NOT" not in warning.recipients else "YY-NOT"
    with pytest.raises(NotAddressedError) as info:
        import_message(signed, trust=kz_trust, log=log, into=tmp_path, now=NOW,
                       recipient=stranger)  # fmt: skip
    assert info.value.reason == "not_addressed"
    assert not (tmp_path / "partner_warnings.csv").exists()
    assert [e.note.split(":")[0] for e in log] == ["not_addressed"]
    # the addressee imports it; the earlier refusal does not make it a replay
    done = import_message(signed, trust=kz_trust, log=log, into=tmp_path, now=NOW,
                          recipient=warning.recipients[0])  # fmt: skip
    assert not done.already_imported
    assert done.active_warnings == 1


def test_a_profile_beside_the_list_says_who_warned_and_when_until_it_expires(
    pk_key: SigningKey, kz_trust: TrustStore, tmp_path: Path
) -> None:
    from riskprofile import load_profiles, read_batch, score

    log = ExchangeLog(tmp_path / "log.sqlite")
    warning = make_warning(container_number="PCIU6784682", expires=NOW + dt.timedelta(days=2))
    import_message(sign(warning, pk_key), trust=kz_trust, log=log, into=tmp_path, now=NOW)
    (tmp_path / "partner.yaml").write_text(
        "id: pcu.partner-warnings\nversion: 1\ntitle: Partner warnings\ncategory: other\n"
        "owner: tests\nlists:\n  partner_warnings: {file: partner_warnings.csv}\n"
        "indicators:\n  - id: partner-warning\n    title: A partner PCU warned\n"
        "    when: container_number in $partner_warnings\n    weight: 100\n    lane: red\n"
        '    explain: "warned by {$partner_warnings.source} on {$partner_warnings.added}: '
        '{$partner_warnings.reason}"\n'
    )
    profiles = load_profiles([tmp_path / "partner.yaml"])
    batch = read_batch("examples/data/karachi-sample.csv")
    for as_of, expected in (
        (NOW, ["warned by PK-KHI on 2026-11-02: " + warning.reasons[0].explanation]),
        (NOW + dt.timedelta(days=3), []),  # expired: no longer in force
    ):
        run = score(batch, profiles, as_of=as_of)
        (box,) = [c for c in run.containers if c.container_number == "PCIU6784682"]
        assert [h.explanation for h in box.hits] == expected
