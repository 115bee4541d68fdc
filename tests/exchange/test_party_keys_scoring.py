"""Key-matched party warnings at scoring time: a partner's party warning that carried only
the party's key (its name normalised and keyed under the secret the two PCUs share) hits
in a scoring run, in both engines alike, explained ("party ... matched warning W from PCU
X through the shared key"); the list refuses to load without the secret, and a key in
force only hits while it is in force."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import ProfileError
from riskprofile.exchange import party_key
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score
from tests.depth import depth

AS_OF = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
SECRET = "agreed by PK-KHI and KZ-AKT"
VARIABLE = "RISKPROFILE_TEST_PARTY_SECRET"
WARNED = ("Faisal Trading Co. Ltd.", "Khan Logistics (Pvt.) Ltd.")

PROFILE = f"""\
id: partner.party-keys
version: 1
title: Parties partner PCUs warned about
category: other
owner: tests
lists:
  partner_party_keys:
    file: partner_warning_party_keys.csv
    match: party_key
    secret_env: {VARIABLE}
indicators:
  - id: partner-party-warning
    title: A partner PCU warned about a party
    when: >-
      consignee_name in $partner_party_keys or shipper_name in $partner_party_keys
      or notify_name in $partner_party_keys
    weight: 100
    lane: red
    explain: "partner warning: {{$partner_party_keys.reason}}"
"""


def _keys_csv(names: tuple[str, ...], expires: str = "2026-12-01T00:00:00+00:00") -> str:
    lines = ["value,expires,message_id,sender,category,urgency,reason,source,added,role"]
    for index, name in enumerate(names):
        lines.append(f"{party_key(name, SECRET)},{expires},w-party-{index:04d}.KZ-AKT,"
                     f"PK-KHI,fraud,high,undervalued textiles {index},PK-KHI,2026-11-01,"
                     "consignee")  # fmt: skip
    return "\n".join(lines) + "\n"


def _profiles(folder: Path, csv: str) -> object:
    (folder / "partner_warning_party_keys.csv").write_text(csv, encoding="utf-8")
    (folder / "p.yaml").write_text(PROFILE, encoding="utf-8")
    return load_profiles([folder / "p.yaml"])


def _ship(index: int, consignee: str | None, shipper: str | None = None) -> Shipment:
    return Shipment.model_validate(
        {"shipment_id": f"S{index}", "consignee_name": consignee, "shipper_name": shipper}
    )


def test_a_key_matched_party_warning_hits_in_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, SECRET)
    profiles = _profiles(tmp_path, _keys_csv(WARNED))
    ships = [
        _ship(0, "FAISAL TRADING COMPANY LIMITED"),  # another spelling, the same trader
        _ship(1, "NOBODY LLC", "KHAN LOGISTICS PRIVATE LIMITED"),
        _ship(2, "FAISAL TEXTILES"),
        _ship(3, None),
    ]
    said = []
    for engine in ("rowwise", "columnar"):
        run = score(ships, profiles, as_of=AS_OF, engine=engine)  # type: ignore[arg-type]
        said.append({s.shipment_id: [h.explanation for h in s.hits] for s in run.shipments})
    assert said[0] == said[1]
    assert said[0]["S0"] == [
        "partner warning: undervalued textiles 0 (party FAISAL TRADING COMPANY LIMITED "
        "matched warning w-party-0000.KZ-AKT from PK-KHI through the shared key)"
    ]
    assert said[0]["S1"] == [
        "partner warning: undervalued textiles 1 (party KHAN LOGISTICS PRIVATE LIMITED "
        "matched warning w-party-0001.KZ-AKT from PK-KHI through the shared key)"
    ]
    assert said[0]["S2"] == said[0]["S3"] == []
    # once the warning expired, it no longer hits
    expired = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
    # under another secret, the keys are someone else's: nothing hits (the same profile
    # text and keys, so nothing translated for the first secret may be reused)
    monkeypatch.setenv(VARIABLE, "another secret")
    other = load_profiles([tmp_path / "p.yaml"])
    for engine in ("rowwise", "columnar"):
        later = score(ships, profiles, as_of=expired, engine=engine)  # type: ignore[arg-type]
        assert not any(s.hits for s in later.shipments)
        assert not any(s.hits for s in score(ships, other, as_of=AS_OF, engine=engine).shipments)


def test_a_party_key_list_without_its_secret_or_with_names_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    with pytest.raises(ProfileError, match=f"{VARIABLE} is not set: without the secret"):
        _profiles(tmp_path, _keys_csv(WARNED))
    monkeypatch.setenv(VARIABLE, SECRET)
    names = _keys_csv(WARNED).replace(party_key(WARNED[0], SECRET) or "", "FAISAL TRADING")
    with pytest.raises(ProfileError, match="'FAISAL TRADING' is not a party key"):
        _profiles(tmp_path, names)
    (tmp_path / "q.yaml").write_text(PROFILE.replace(f"    secret_env: {VARIABLE}\n", ""))
    with pytest.raises(ProfileError, match="needs 'secret_env'"):
        load_profiles([tmp_path / "q.yaml"])


_SPELLINGS = [
    "FAISAL TRADING CO LTD", "Faisal Trading Company Limited", "FAISAL  TRADING.",
    "FAISAL TRADERS", "KHAN LOGISTICS PVT LTD", "Khan Logistics (Private) Limited",
    "KHAN LOGISTIC", "ТОО КАЗАК ЭКСПОРТ", "KAZAK EKSPORT", "NOBODY", "LTD",
]  # fmt: skip


@settings(max_examples=depth(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(
        st.tuples(st.none() | st.sampled_from(_SPELLINGS), st.none() | st.sampled_from(_SPELLINGS)),
        min_size=1,
        max_size=12,
    ),
    warned=st.lists(st.sampled_from(_SPELLINGS), min_size=1, max_size=3, unique=True),
)
def test_engines_agree_and_hit_exactly_the_keyed_names(
    rows: list[tuple[str | None, str | None]], warned: list[str]
) -> None:
    """Both engines give the same hits, and a shipment hits exactly when one of its
    parties' names has the key of a warned name (the sender's ``party_key``)."""
    import os

    keys = {party_key(name, SECRET) for name in warned} - {None}
    if not keys:
        return
    os.environ[VARIABLE] = SECRET
    try:
        with tempfile.TemporaryDirectory() as tmp:
            profiles = _profiles(Path(tmp), _keys_csv(tuple(warned)))
            ships = [_ship(i, c, s) for i, (c, s) in enumerate(rows)]
            said = []
            for engine in ("rowwise", "columnar"):
                run = score(ships, profiles, as_of=AS_OF, engine=engine)  # type: ignore[arg-type]
                said.append([(s.shipment_id, [h.explanation for h in s.hits])
                             for s in run.shipments])  # fmt: skip
    finally:
        del os.environ[VARIABLE]
    assert said[0] == said[1]
    hits_of = dict(said[0])
    for index, (consignee, shipper) in enumerate(rows):
        expected = any(n is not None and party_key(n, SECRET) in keys for n in (consignee, shipper))
        assert bool(hits_of[f"S{index}"]) == expected


def test_an_imported_key_matched_warning_hits_the_sample_in_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole way: Karachi warns Aktau about FAISAL TRADING under a policy that hashes
    names; Aktau imports it and scores its batch with a profile reading the key list: the
    parties named FAISAL TRADING, however spelt, hit in both engines, and nothing else."""
    import polars as pl

    from riskprofile.history._keys import trader_name_expr
    from riskprofile.io import read_batch, read_frame
    from tests.exchange.test_party_warnings import SAMPLE, _main, _warn_party

    keys = tmp_path / "keys"
    assert _main(capsys, "keygen", "--pcu", "PK-KHI", "-o", str(keys))[0] == 0
    kz = str(tmp_path / "kz")
    assert _main(capsys, "trust", "add", "PK-KHI", str(keys / "PK-KHI.pub.pem"),
                 "--home", kz)[0] == 0  # fmt: skip
    pcus = {"key": str(keys / "PK-KHI.key.pem"), "kz": kz, "tmp": str(tmp_path)}
    policy = f'partner: KZ-AKT\nhash: [parties.name]\nsalt: "{SECRET}"\n'
    assert _warn_party(capsys, pcus, policy, str(tmp_path / "out"))[0] == 0
    (sent,) = (tmp_path / "out").glob("*.json")
    folder = tmp_path / "aktau-profiles"
    assert _main(capsys, "import", str(sent), "--into", str(folder), "--home", kz,
                 "--as-of", "2026-11-02T09:00:00Z")[0] == 0  # fmt: skip
    (folder / "p.yaml").write_text(PROFILE.replace(
        "or notify_name in $partner_party_keys",
        "or notify_name in $partner_party_keys or freight_payer_name in $partner_party_keys",
    ), encoding="utf-8")  # fmt: skip
    monkeypatch.setenv(VARIABLE, SECRET)
    profiles = load_profiles([folder / "p.yaml"])
    frame = read_frame(SAMPLE).frame
    faisal = frame.filter(
        pl.any_horizontal(
            trader_name_expr(pl.col(f"{role}_name")) == "FAISAL TRADING"
            for role in ("shipper", "consignee", "notify", "freight_payer")
        )
    )["shipment_id"].to_list()
    assert faisal
    batch = read_batch(SAMPLE)
    hit = []
    for engine in ("rowwise", "columnar"):
        run = score(batch, profiles, as_of=AS_OF, engine=engine)
        hit.append(sorted(s.shipment_id for s in run.shipments if s.hits))
        explained = {h.explanation for s in run.shipments for h in s.hits}
        assert all("from PK-KHI through the shared key" in e for e in explained)
        assert all("undervalued textiles through three ports" in e for e in explained)
    assert hit[0] == hit[1] == sorted(faisal)


def test_a_party_key_list_used_otherwise_or_never_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, SECRET)
    (tmp_path / "partner_warning_party_keys.csv").write_text(_keys_csv(WARNED))
    otherwise = PROFILE.replace(
        "or notify_name in $partner_party_keys",
        'or [k for k in $partner_party_keys if k == "x"]',
    )
    (tmp_path / "p.yaml").write_text(otherwise, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"matched by party key \(match: party_key\)"):
        load_profiles([tmp_path / "p.yaml"])
    never = PROFILE.split("indicators:")[0] + (
        "indicators:\n  - id: vessel\n    title: A vessel\n    when: vessel_name == 'X'\n"
        "    weight: 1\n"
    )
    (tmp_path / "p.yaml").write_text(never, encoding="utf-8")
    with pytest.raises(ProfileError, match="can never match"):
        load_profiles([tmp_path / "p.yaml"])
