"""Redaction: no redacted value appears anywhere in the bytes sent; what was sent to whom
is logged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError
from riskprofile.exchange import (
    ExchangeLog,
    PartyRef,
    Reason,
    RedactionPolicy,
    SigningKey,
    load_policy,
    redact,
    send,
)
from tests.exchange.conftest import NOW, make_warning

# Personal values carry a marker no other field of the test message contains.
personal = st.text(st.characters(exclude_categories=["Cs", "Cc"]), min_size=1, max_size=30).map(
    lambda s: f"PERSON-{s}"
)
parties = st.lists(
    st.builds(
        PartyRef,
        role=st.sampled_from(["shipper", "consignee", "notify", "freight_payer"]),
        name=personal,
        address=personal,
        identifier=personal,
        country=st.just("AF"),
    ),
    min_size=1,
    max_size=4,
)
policies = st.builds(
    lambda hashed, salt: RedactionPolicy(
        partner="KZ-AKT",
        hash=sorted(hashed),
        drop=sorted({"parties.name", "parties.address", "parties.identifier"} - hashed),
        salt=salt,
    ),
    st.sets(st.sampled_from(["parties.name", "parties.address", "parties.identifier"])),
    st.text(max_size=10),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parties=parties, policy=policies)
def test_no_redacted_value_appears_in_the_bytes_sent(
    parties: list[PartyRef], policy: RedactionPolicy, pk_key: SigningKey, tmp_path: Path
) -> None:
    log = ExchangeLog(tmp_path / "log.sqlite")
    # explanations quote parties, as the bundled profiles' do
    quoted = Reason(
        profile_id="revenue.undervaluation",
        indicator_id="third-party-payer",
        explanation=f"freight paid by {parties[0].name} at {parties[-1].address}",
    )
    warning = make_warning(parties=parties, recipients=["KZ-AKT", "TM-TKM"], reasons=[quoted])
    sent = send(warning, key=pk_key, log=log, now=NOW, policies={"KZ-AKT": policy})
    assert set(sent) == {"KZ-AKT", "TM-TKM"}
    for data in sent.values():
        for party in parties:
            for value in (party.name, party.address, party.identifier):
                assert value is not None
                assert value.encode() not in data
                assert json.dumps(value, ensure_ascii=False)[1:-1].encode() not in data
        assert b"PERSON-" not in data


def test_hash_keeps_values_matchable_and_the_log_says_what_went_where(
    pk_key: SigningKey, tmp_path: Path
) -> None:
    party = PartyRef(role="consignee", name="AZIZ TRADING", address="KABUL", identifier="AF1")
    policy = RedactionPolicy(partner="KZ-AKT", hash=["parties.name"], keep=["parties.address"])
    redacted, done = redact(make_warning(parties=[party]), policy)
    again, _ = redact(make_warning(parties=[party]), policy)
    assert redacted.parties[0].name == again.parties[0].name
    assert redacted.parties[0].name is not None
    assert redacted.parties[0].name.startswith("hmac-sha256:")
    assert redacted.parties[0].address == "KABUL"
    assert redacted.parties[0].identifier is None
    assert done == ["parties.identifier: drop", "parties.name: hash"]

    log = ExchangeLog(tmp_path / "log.sqlite")
    send(make_warning(parties=[party], recipients=["KZ-AKT", "TM-TKM"]), key=pk_key, log=log,
         now=NOW, policies={"KZ-AKT": policy})  # fmt: skip
    entries = {e.partner: e for e in log.query(direction="sent")}
    assert entries["KZ-AKT"].message_id == "w-0000000001.KZ-AKT"
    assert entries["KZ-AKT"].redacted == ("parties.identifier: drop", "parties.name: hash")
    # no policy for Turkmenistan: every personal field dropped
    assert entries["TM-TKM"].redacted == (
        "parties.address: drop", "parties.identifier: drop", "parties.name: drop"
    )  # fmt: skip


def test_policy_files(tmp_path: Path) -> None:
    good = tmp_path / "kz.yaml"
    good.write_text("partner: KZ-AKT\nhash: [parties.name]\nsalt: s3cret\n")
    assert load_policy(good).hash == ["parties.name"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("partner: KZ-AKT\ndrop: [parties.shoe_size]\n")
    with pytest.raises(InputFormatError, match="not personal fields"):
        load_policy(bad)
    twice = tmp_path / "twice.yaml"
    twice.write_text("partner: KZ-AKT\ndrop: [parties.name]\nkeep: [parties.name]\n")
    with pytest.raises(InputFormatError, match="more than one"):
        load_policy(twice)


def test_names_quoted_in_explanations_are_replaced() -> None:
    party = PartyRef(role="freight_payer", name="ZETA LLC", identifier="AF123456")
    quoted = Reason(profile_id="p", indicator_id="i", explanation="freight paid by ZETA LLC")
    policy = RedactionPolicy(partner="KZ-AKT", hash=["parties.name"])
    redacted, done = redact(make_warning(parties=[party], reasons=[quoted]), policy)
    assert "ZETA" not in redacted.reasons[0].explanation
    assert redacted.reasons[0].explanation == f"freight paid by {redacted.parties[0].name}"
    assert done[-1] == "free text: 1 mention(s) replaced"
