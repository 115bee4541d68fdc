"""Redaction: no redacted value appears anywhere in the bytes sent; what was sent to whom
is logged."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError
from riskprofile.exchange import (
    PERSONAL_FIELDS,
    ExchangeLog,
    PartyRef,
    Reason,
    RedactionPolicy,
    SigningKey,
    load_policy,
    redact,
    send,
)
from tests.depth import depth
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


@settings(max_examples=depth(60), suppress_health_check=[HealthCheck.function_scoped_fixture])
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


# --- by field, over random batches ------------------------------------------------------

# Personal values in an alphabet no other part of a message uses (Cyrillic capitals), of
# any length from one letter: whatever of them reaches the bytes sent is a leak.
_CYRILLIC = "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"
cyrillic = st.text(st.sampled_from(_CYRILLIC + " "), min_size=1, max_size=12).filter(
    lambda s: s.strip() != ""
)
_QUOTING_PROFILE = {
    "id": "test.quoting",
    "version": 1,
    "title": "Explanations that quote every personal field",
    "category": "other",
    "owner": "tests",
    "indicators": [
        {"id": "consignee", "title": "Consignee quoted", "when": "container_number != null",
         "weight": 10,
         "explain": "to {consignee_name} at {consignee_address} ({consignee_identifier}),"
                    "{consignee_name}{consignee_address}"},
        {"id": "others", "title": "Other parties quoted", "when": "container_number != null",
         "weight": 5,
         "explain": "from {shipper_name}, {shipper_address}, {shipper_identifier}; notify "
                    "{notify_name} {notify_address} {notify_identifier}; paid by "
                    "{freight_payer_name}."},
    ],
}  # fmt: skip
_PERSONAL = [f"{role}_{part}" for role in ("shipper", "consignee", "notify")
             for part in ("name", "address", "identifier")] + ["freight_payer_name"]  # fmt: skip


@st.composite
def _party(draw: st.DrawFn) -> dict[str, str]:
    return {"name": draw(cyrillic), "address": draw(cyrillic), "identifier": draw(cyrillic)}


@st.composite
def _one_container_batches(draw: st.DrawFn) -> list[dict[str, object]]:
    """1 to 3 bills of lading in one container; the consignee is often the same name at
    another address on each."""
    consignee = draw(_party())
    bills = []
    for number in range(draw(st.integers(1, 3))):
        this = dict(consignee)
        if draw(st.booleans()):
            this["address"] = draw(cyrillic)
        if draw(st.booleans()):
            this = draw(_party())
        bill: dict[str, object] = {"bl_number": f"MAEU{number:09d}", "consignee": this,
                                   "shipper": draw(_party()), "notify_party": draw(_party()),
                                   "container_numbers": ["MSKU1234565"]}  # fmt: skip
        if draw(st.booleans()):
            bill["freight_payer"] = draw(_party())
        bills.append(bill)
    return bills


@functools.cache
def _quoting_profiles() -> object:
    from tests.strategies import load_profile_documents

    return load_profile_documents([_QUOTING_PROFILE])


@settings(
    max_examples=depth(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(bills=_one_container_batches(), hashed=st.sets(st.sampled_from(PERSONAL_FIELDS)))
def test_no_personal_value_of_a_random_batch_reaches_the_bytes_sent(
    bills: list[dict[str, object]], hashed: set[str], pk_key: SigningKey,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:  # fmt: skip
    from riskprofile import score
    from riskprofile.exchange import to_warning
    from riskprofile.model import Manifest, flatten

    shipments = flatten(Manifest.model_validate({"consignments": bills}))
    run = score(shipments, _quoting_profiles(), as_of=NOW)  # type: ignore[arg-type]
    (container,) = [c for c in run.containers if c.container_number == "MSKU1234565"]
    warning = to_warning(container, sender="PK-KHI", recipients=["KZ-AKT", "TM-TKM"],
                         created=NOW)  # fmt: skip
    values = {getattr(s, f) for s in shipments for f in _PERSONAL} - {None}
    assert values
    # the explanations do quote them, so there is something to leak
    assert any(v in r.explanation for v in values for r in warning.reasons)
    policy = RedactionPolicy(partner="KZ-AKT", hash=sorted(hashed),
                             drop=sorted(set(PERSONAL_FIELDS) - hashed), salt="s")  # fmt: skip
    log = ExchangeLog(tmp_path_factory.mktemp("log") / "log.sqlite")
    sent = send(warning, key=pk_key, log=log, now=NOW, policies={"KZ-AKT": policy})
    for data in sent.values():
        text = data.decode("utf-8")
        assert not any(letter in text for letter in _CYRILLIC), text


def test_one_consignee_at_two_addresses_sends_neither_address() -> None:
    from riskprofile import score
    from riskprofile.exchange import to_warning
    from riskprofile.model import Manifest, flatten

    bills = [
        {"bl_number": f"MAEU00000000{n}", "container_numbers": ["MSKU1234565"],
         "consignee": {"name": "AZIZ TRADING", "address": address, "identifier": "AF1"}}
        for n, address in enumerate(["12 CHICKEN STREET, KABUL", "7 SHAR-E-NAU, KABUL"])
    ]  # fmt: skip
    shipments = flatten(Manifest.model_validate({"consignments": bills}))
    run = score(shipments, _quoting_profiles(), as_of=NOW)  # type: ignore[arg-type]
    warning = to_warning(run.containers[0], sender="PK-KHI", recipients=["KZ-AKT"],
                         created=NOW)  # fmt: skip
    assert "7 SHAR-E-NAU, KABUL" in " ".join(r.explanation for r in warning.reasons)
    redacted, done = redact(warning, RedactionPolicy.strict("KZ-AKT"))
    text = redacted.model_dump_json()
    for value in ("AZIZ", "CHICKEN", "SHAR-E-NAU", "AF1"):
        assert value not in text
    assert "free text" in done[-1]


def test_short_values_are_replaced_as_words() -> None:
    party = PartyRef(role="consignee", name="AB", address="K1", identifier="Z")
    quoted = Reason(profile_id="p", indicator_id="i",
                    explanation="ABSORBENT for AB at K1 (Z), Zinc")  # fmt: skip
    redacted, _ = redact(make_warning(parties=[party], reasons=[quoted]),
                         RedactionPolicy.strict("KZ-AKT"))  # fmt: skip
    assert redacted.reasons[0].explanation == (
        "ABSORBENT for [redacted] at [redacted] ([redacted]), Zinc"
    )
