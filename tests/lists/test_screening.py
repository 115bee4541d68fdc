"""Party watch lists matched through trader identity (``match: trader``): identifier,
then normalised name and country, then a close name over a per-list threshold; the same
hits in every engine, each explained with the entry, the method and the score; the list
side prepared once and each distinct party matched once."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import ProfileError
from riskprofile.lists._screening import ScreenedValues, TraderScreen
from riskprofile.model.shipment import Shipment
from riskprofile.profiles import ProfileSet, load_profiles
from riskprofile.profiles._compiled import ListEntry
from riskprofile.scoring import score
from tests.depth import depth

AS_OF = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)

LIST_CSV = """value,country,identifier,programme,expires
KHAN LOGISTICS (PVT) LTD,PK,,NARCOTICS,
ACME TRADING FZE,,AE-555,DUAL USE,
TRADER 12 LLC,,,FRAUD,
OLD FRONT COMPANY LTD,,,EXPIRED,2026-01-01
ТОО КАЗАК ЭКСПОРТ,KZ,,SMUGGLING,
"""

PROFILE = """\
id: trader.watch
version: 1
title: Parties on the watch list
category: other
owner: tests
lists:
  watch: {file: watch.csv, match: trader, threshold: 85}
indicators:
  - id: watched-party
    title: A party is on the watch list
    when: consignee_name in $watch or shipper_name in $watch
    weight: 100
    lane: red
    explain: "{$watch.value} ({$watch.programme})"
"""


def _profiles(folder: Path, profile: str = PROFILE, csv: str = LIST_CSV) -> ProfileSet:
    (folder / "watch.csv").write_text(csv, encoding="utf-8")
    (folder / "p.yaml").write_text(profile, encoding="utf-8")
    return load_profiles([folder / "p.yaml"])


def _entry(value: str, **columns: str) -> ListEntry:
    return ListEntry(value, columns={"value": value, **columns})


def _match(entries: list[ListEntry], party: tuple[str | None, str | None, str | None],
           threshold: float = 90.0) -> str | None:  # fmt: skip
    screen = TraderScreen(entries, threshold)
    found = ScreenedValues({e.value for e in entries}, screen).match(party)
    return None if found is None else found.sentence()


def test_a_close_name_is_explained_with_the_entry_and_its_score() -> None:
    entries = [_entry("KHAN LOGISTICS (PVT) LTD", country="PK")]
    said = _match(entries, (None, "KHAN LOGISTIC PRIVATE LIMITED", "PK"))
    assert said == "matched KHAN LOGISTIC PRIVATE LIMITED as KHAN LOGISTICS (PVT) LTD, score 96.3"


def test_the_order_identifier_name_close_name() -> None:
    entries = [_entry("ACME TRADING FZE", identifier="AE-555"), _entry("ACME TRADING")]
    # An identifier wins over any name, written with other punctuation and case.
    assert _match(entries, ("ae 555", "SOMEBODY", None)) == (
        "matched SOMEBODY as ACME TRADING FZE by identifier"
    )
    # Two identifiers are two traders: ACME TRADING FZE is not taken by its name, the
    # entry without an identifier is.
    assert _match(entries, ("XX-1", "ACME TRADING LLC", None)) == (
        "matched ACME TRADING LLC as ACME TRADING, the same name"
    )
    assert _match(entries[:1], ("XX-1", "ACME TRADING LLC", None)) is None
    assert _match(entries[:1], (None, "ACME TRADING LLC", None)) == (
        "matched ACME TRADING LLC as ACME TRADING FZE, the same name"
    )


def test_country_digits_and_threshold() -> None:
    khan = [_entry("KHAN LOGISTICS (PVT) LTD", countries="PK; AF")]
    assert _match(khan, (None, "KHAN LOGISTICS LIMITED", "AF")) is not None
    assert _match(khan, (None, "KHAN LOGISTICS LIMITED", "AE")) is None  # another country
    assert _match(khan, (None, "KHAN LOGISTICS LIMITED", None)) is not None  # unknown
    assert _match([_entry("TRADER 12 LLC")], (None, "TRADER 13 LLC", None)) is None
    assert _match([_entry("KHAN LOGISTICS")], (None, "KHAN LOGISTIX", None)) is None
    assert _match([_entry("KHAN LOGISTICS")], (None, "KHAN LOGISTIX", None), 80) is not None
    # Cyrillic and a legal form of its own: one trader name.
    said = _match([_entry("ТОО «Қазақ Экспорт»")], (None, "KAZAK EKSPORT LLP", None))
    assert said is not None
    assert said.endswith("the same name")


def test_a_trader_list_scores_alike_in_every_engine_and_says_how(tmp_path: Path) -> None:
    profiles = _profiles(tmp_path)
    rows = [
        {"consignee_name": "KHAN LOGISTIC PRIVATE LIMITED", "consignee_country": "PK"},
        {"consignee_name": "KHAN LOGISTIC PRIVATE LIMITED", "consignee_country": "AE"},
        {"consignee_name": "KHAN LOGISTICS (PVT) LTD", "consignee_country": "AE"},  # as listed
        {"consignee_name": "NOBODY", "consignee_identifier": "ae555"},
        {"shipper_name": "ACME TRADNG LLC"},
        {"consignee_name": "OLD FRONT COMPANY LTD"},  # its entry expired
        {"consignee_name": "КАЗАК ЭКСПОРТ ТОО", "consignee_country": "KZ"},
    ]
    ships = [Shipment.model_validate({"shipment_id": f"S{i}", **r}) for i, r in enumerate(rows)]
    runs = {e: score(ships, profiles, as_of=AS_OF, engine=e)
            for e in ("rowwise", "columnar", "duckdb")}  # fmt: skip
    said = {
        engine: {s.shipment_id: [h.explanation for h in s.hits] for s in run.shipments}
        for engine, run in runs.items()
    }
    assert said["rowwise"] == said["columnar"] == said["duckdb"]
    assert said["rowwise"] == {
        "S0": ["KHAN LOGISTICS (PVT) LTD (NARCOTICS) (matched KHAN LOGISTIC PRIVATE LIMITED "
               "as KHAN LOGISTICS (PVT) LTD, score 96.3)"],
        "S1": [],
        "S2": ["KHAN LOGISTICS (PVT) LTD (NARCOTICS) (matched KHAN LOGISTICS (PVT) LTD exactly)"],
        "S3": ["ACME TRADING FZE (DUAL USE) (matched NOBODY as ACME TRADING FZE by identifier)"],
        "S4": ["ACME TRADING FZE (DUAL USE) (matched ACME TRADNG LLC as ACME TRADING FZE, "
               "score 95.7)"],
        "S5": [],
        "S6": ["ТОО КАЗАК ЭКСПОРТ (SMUGGLING) (matched КАЗАК ЭКСПОРТ ТОО as ТОО КАЗАК ЭКСПОРТ, "
               "the same name)"],
    }  # fmt: skip


def test_a_batch_file_is_explained_alike_column_wise(tmp_path: Path) -> None:
    profiles = _profiles(tmp_path)
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "bl_number,container_number,consignee_name,consignee_country\n"
        "B1,MSKU1234565,Khan Logistic Private Limited,PK\n"
        "B2,MSKU1234565,KHAN LOGISTICS PVT LTD,PK\n"
        "B3,MSKU1234565,SOMEONE ELSE,PK\n",
        encoding="utf-8",
    )
    explained = []
    for engine in ("rowwise", "columnar"):
        run = score(batch, profiles, as_of=AS_OF, engine=engine)
        explained.append(sorted(h.explanation for s in run.shipments for h in s.hits))
    assert explained[0] == explained[1]
    assert explained[0] == [
        "KHAN LOGISTICS (PVT) LTD (NARCOTICS) (matched KHAN LOGISTIC PRIVATE LIMITED as "
        "KHAN LOGISTICS (PVT) LTD, score 96.3)",
        "KHAN LOGISTICS (PVT) LTD (NARCOTICS) (matched KHAN LOGISTICS PVT LTD as "
        "KHAN LOGISTICS (PVT) LTD, the same name)",
    ]


def test_each_distinct_party_is_matched_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = _profiles(tmp_path)
    calls: list[object] = []
    original = TraderScreen.match

    def counting(self: TraderScreen, *args: object) -> object:
        calls.append(args[0])
        return original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(TraderScreen, "match", counting)
    names = ["KHAN LOGISTIC PRIVATE LIMITED", "NOBODY", "ACME TRADING"]
    ships = [
        Shipment.model_validate({"shipment_id": f"S{i}", "consignee_name": names[i % 3],
                                 "shipper_name": names[(i + 1) % 3]})
        for i in range(300)
    ]  # fmt: skip
    run = score(ships, profiles, as_of=AS_OF, engine="columnar")
    assert sum(1 for s in run.shipments if s.hits) == 300
    # Three names, one party each (no identifier, no country): three matches at most,
    # not one per row and role (600).
    assert len(set(map(str, calls))) == len(calls) <= 3


def test_a_trader_list_used_otherwise_is_refused_with_its_place(tmp_path: Path) -> None:
    profile = PROFILE.replace(
        "when: consignee_name in $watch or shipper_name in $watch",
        'when: consignee_name in $watch or [n for n in $watch if n == "X"]',
    )
    with pytest.raises(ProfileError) as caught:
        _profiles(tmp_path, profile)
    assert "p.yaml:11:" in str(caught.value)
    assert "matched by trader" in str(caught.value)


def test_a_trader_list_that_can_never_match_is_said(tmp_path: Path) -> None:
    profile = PROFILE.replace(
        "when: consignee_name in $watch or shipper_name in $watch", 'when: vessel_name == "X"'
    ).replace(' "{$watch.value} ({$watch.programme})"', " vessel")
    with pytest.raises(ProfileError) as caught:
        _profiles(tmp_path, profile)
    assert "p.yaml:7:" in str(caught.value)
    assert "can never match" in str(caught.value)


def test_threshold_is_only_for_a_trader_list(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="threshold"):
        _profiles(tmp_path, PROFILE.replace("match: trader, ", ""))


def test_an_exact_list_keeps_its_fingerprint(tmp_path: Path) -> None:
    # The fingerprint this profile had before lists had ``match`` (main at fe40ce4): a
    # list matched exactly, as every list was, must not change any audit trail.
    exact = PROFILE.replace("match: trader, threshold: 85", "description: names")
    (profile,) = _profiles(tmp_path, exact)
    assert profile.fingerprint == (
        "sha256:1764cdc5122ac67da7515ae5cbc9eabed6ec8b6e1886d8e5d9d6042bb52b4917"
    )


# --- the engines agree on random parties --------------------------------------------------

_SPELLINGS = [
    "KHAN LOGISTICS (PVT) LTD", "KHAN LOGISTIC PRIVATE LIMITED", "Khan Logistics Pvt. Ltd.",
    "KHAN LOGISTIX", "ACME TRADING", "ACME TRADNG FZE", "TRADER 12 LLC", "TRADER 13 LLC",
    "OLD FRONT COMPANY", "КАЗАК ЭКСПОРТ", "NOBODY", "LTD",
]  # fmt: skip


@st.composite
def _parties(draw: st.DrawFn) -> dict[str, str | None]:
    role = {}
    for prefix in ("consignee", "shipper"):
        role[f"{prefix}_name"] = draw(st.none() | st.sampled_from(_SPELLINGS))
        role[f"{prefix}_country"] = draw(st.none() | st.sampled_from(["PK", "AE", "KZ"]))
        role[f"{prefix}_identifier"] = draw(st.none() | st.sampled_from(["AE-555", "XX1"]))
    return role


@settings(max_examples=depth(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_parties(), min_size=1, max_size=12), st.sampled_from([70.0, 85.0, 95.0]))
def test_engines_agree_on_random_parties(
    rows: list[dict[str, str | None]], threshold: float
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        profiles = _profiles(Path(tmp), PROFILE.replace("85", f"{threshold:g}"))
        ships = [Shipment.model_validate({"shipment_id": f"S{i}", **r})
                 for i, r in enumerate(rows)]  # fmt: skip
        said = []
        for engine in ("rowwise", "columnar"):
            run = score(ships, profiles, as_of=AS_OF, engine=engine)
            said.append([(s.shipment_id, [h.explanation for h in s.hits]) for s in run.shipments])
        assert said[0] == said[1]
        # Each party on its own, against a fresh screen (no answer remembered): the same.
        (profile,) = profiles
        watch = profile.watch_lists["watch"]
        hits_of = dict(said[0])
        for ship in ships:
            hits = hits_of[ship.shipment_id]
            fresh = ScreenedValues(watch.at(AS_OF), TraderScreen(watch.entries, threshold))
            expected = any(
                fresh.match((getattr(ship, f"{r}_identifier"), getattr(ship, f"{r}_name"),
                             getattr(ship, f"{r}_country"))) is not None
                for r in ("consignee", "shipper") if getattr(ship, f"{r}_name") is not None
            )  # fmt: skip
            assert bool(hits) == expected


def test_an_imported_official_names_list_screens_by_trader(tmp_path: Path) -> None:
    from riskprofile.lists import import_list, write_watch_lists

    imported = import_list("auto", "examples/lists/un-consolidated-sample.xml")
    write_watch_lists(imported, tmp_path, "un")
    profile = (
        "id: un.trader\nversion: 1\ntitle: UN list\ncategory: other\nowner: tests\n"
        "lists:\n  un_names: {file: un_names.csv, match: trader}\n"
        "indicators:\n  - id: listed\n    title: A party is on the UN list\n"
        "    when: consignee_name in $un_names\n    weight: 100\n"
        '    explain: "{$un_names.list} ({$un_names.programme}): {$un_names.match}"\n'
    )
    (tmp_path / "p.yaml").write_text(profile, encoding="utf-8")
    profiles = load_profiles([tmp_path / "p.yaml"])
    # Written otherwise than listed (legal form spelt out, a missing letter): the names
    # list has no country column, so a listed party is screened wherever it ships from.
    ships = [
        Shipment(shipment_id="S1", consignee_name="KORYO OCEAN SHIPPING CO LIMITED",
                 consignee_country="CN"),
        Shipment(shipment_id="S2", consignee_name="KORYO OCEAN SHIPING COMPANY"),
        Shipment(shipment_id="S3", consignee_name="KORYO TRADING"),
    ]  # fmt: skip
    said = {}
    for engine in ("rowwise", "columnar"):
        run = score(ships, profiles, as_of=AS_OF, engine=engine)
        said[engine] = {s.shipment_id: [h.explanation for h in s.hits] for s in run.shipments}
    assert said["rowwise"] == said["columnar"]
    assert said["rowwise"] == {
        "S1": ["UN Security Council consolidated list, 2026-11-02 (DPRK): matched KORYO OCEAN "
               "SHIPPING CO LIMITED as Koryo Ocean Shipping Co. Ltd, the same name"],
        "S2": ["UN Security Council consolidated list, 2026-11-02 (DPRK): matched KORYO OCEAN "
               "SHIPING COMPANY as Koryo Ocean Shipping Co. Ltd, score 97.4"],
        "S3": [],
    }  # fmt: skip
