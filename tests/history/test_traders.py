"""Trader resolution: spellings of one trader counted as one (by name, by a close name, with
score and reason), kept apart when the digits or the country differ, an analyst's merge
and split kept in the store and used by the features - on DuckDB and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from riskprofile.cli import main
from riskprofile.errors import HistoryStoreError
from riskprofile.history import HistoryStore, open_store
from riskprofile.model.frame import shipment_frame
from riskprofile.model.shipment import Shipment

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def shipment(i: int, day: float, **fields: Any) -> Shipment:
    base: dict[str, Any] = {
        "shipment_id": f"M{i}/B{i}/-",
        "manifest_ref": f"M{i}",
        "bl_number": f"B{i}",
        "arrival": T0 + dt.timedelta(days=day),
        "consignee_country": "PK",
    }
    return Shipment(**{**base, **fields})


HISTORY = [
    shipment(1, 0, consignee_name="KHAN LOGISTICS (PVT) LTD"),
    shipment(2, 5, consignee_name="KHAN LOGISTIC PRIVATE LIMITED"),
    shipment(3, 6, consignee_name="TRADER 12"),
    shipment(4, 7, consignee_name="TRADER 13"),  # other digits: another trader
    shipment(5, 8, consignee_name="KHAN LOGISTICS", consignee_country="AE"),  # other country
    shipment(
        6, 9, consignee_name="NATIONAL IMPEX (PRIVATE) LIMITED", consignee_identifier="PK-999"
    ),
    shipment(7, 10, consignee_name="National Impex Pvt. Ltd."),  # no identifier this time
]


def prior(store: HistoryStore, names: list[str], day: int = 30) -> list[int]:
    probe = [shipment(100 + i, day, consignee_name=n) for i, n in enumerate(names)]
    got = store.features(shipment_frame(probe), T0 + dt.timedelta(days=day))
    return [int(n) for n in got["consignee_prior_shipments"]]


def test_close_names_are_one_trader_with_score_and_reason(store_location: str) -> None:
    with open_store(store_location) as store:
        store.add(shipment_frame(HISTORY), as_of=T0)
        links = {row["key"]: row for row in store.traders().iter_rows(named=True)}
        assert set(links) == {"name:KHAN LOGISTIC|PK", "name:NATIONAL IMPEX|PK"}
        khan = links["name:KHAN LOGISTIC|PK"]
        assert khan["trader"] == "name:KHAN LOGISTICS|PK"
        assert (khan["method"], khan["score"], khan["decided_by"]) == ("fuzzy", 96.3, "auto")
        assert khan["reason"] == (
            "matched KHAN LOGISTIC PRIVATE LIMITED as KHAN LOGISTICS (PVT) LTD, score 96.3"
        )
        impex = links["name:NATIONAL IMPEX|PK"]
        assert (impex["trader"], impex["method"], impex["score"]) == ("id:PK999", "name", 100)
        # The history fields count the resolved trader, whichever spelling comes.
        assert prior(store, ["Khan Logistics Pvt Ltd", "KHAN LOGISTIC", "Khan Logistcs",
                             "NATIONAL IMPEX PVT LTD", "TRADER 12", "TRADER 14"]) == [
            2, 2, 2, 2, 1, 0]  # fmt: skip
        assert store.stats().consignees == 5  # KHAN x2, TRADER 12, 13, KHAN (AE), IMPEX x2


def test_a_new_spelling_in_the_batch_is_matched_against_history_before_as_of() -> None:
    with open_store(":memory:") as store:
        store.add(shipment_frame(HISTORY[:1]), as_of=T0)
        # Before as_of: KHAN LOGISTICS is not yet known, so no spelling resolves to it.
        assert prior(store, ["KHAN LOGISTIC"], day=0) == [0]
        assert prior(store, ["KHAN LOGISTIC"], day=1) == [1]


def test_a_lower_threshold_merges_more() -> None:
    names = [shipment(1, 0, consignee_name="ZETA TRADING"),
             shipment(2, 1, consignee_name="ZETA TRADERS")]  # fmt: skip
    with open_store(":memory:") as store:  # ratio 75: under the default 90
        store.add(shipment_frame(names), as_of=T0)
        assert store.traders().height == 0
    with open_store(":memory:", fuzzy_threshold=75) as store:
        store.add(shipment_frame(names), as_of=T0)
        assert store.traders()["trader"].to_list() == ["name:ZETA TRADING|PK"]
    with pytest.raises(HistoryStoreError, match="fuzzy_threshold"):
        open_store(":memory:", fuzzy_threshold=0)


def test_an_analyst_merge_and_split_are_kept_and_used(store_location: str) -> None:
    with open_store(store_location) as store:
        store.add(shipment_frame(HISTORY), as_of=T0)
        assert prior(store, ["TRADER 12", "KHAN LOGISTIC"]) == [1, 2]
        merged = store.merge_traders("name:TRADER 13|PK", "name:TRADER 12|PK", note="one NTN")
        assert merged.trader == "name:TRADER 12|PK"
        assert merged.reason == "merged by an analyst into name:TRADER 12|PK: one NTN"
        split = store.split_trader("name:KHAN LOGISTIC|PK")
        assert (split.trader, split.method) == ("name:KHAN LOGISTIC|PK", "split")
    with open_store(store_location, create=False) as store:  # kept in the store
        assert prior(store, ["TRADER 12", "TRADER 13", "KHAN LOGISTIC", "KHAN LOGISTICS"]) == [
            2, 2, 1, 1]  # fmt: skip
        with pytest.raises(HistoryStoreError, match="one trader already"):
            store.merge_traders("name:TRADER 12|PK", "name:TRADER 13|PK")
        with pytest.raises(HistoryStoreError, match="not merged with another trader"):
            store.split_trader("name:TRADER 12|PK")
        suggested = r"did you mean 'name:TRADER 12\|PK', 'name:TRADER 13\|PK'"
        with pytest.raises(HistoryStoreError, match=suggested):
            store.merge_traders("name:TRADER 21|PK", "name:TRADER 12|PK")


def test_merging_a_trader_moves_the_keys_resolved_to_it() -> None:
    with open_store(":memory:") as store:
        store.add(shipment_frame(HISTORY), as_of=T0)
        store.merge_traders("name:KHAN LOGISTICS|PK", "name:TRADER 12|PK")
        traders = dict(store.traders().select("key", "trader").iter_rows())
        assert traders["name:KHAN LOGISTIC|PK"] == "name:TRADER 12|PK"
        assert prior(store, ["TRADER 12"]) == [3]


def test_the_cli_lists_merges_and_splits(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    location = str(tmp_path / "h.duckdb")
    with open_store(location) as store:
        store.add(shipment_frame(HISTORY), as_of=T0)
    assert main(["history", "traders", "list", "--store", location]) == 0
    out = capsys.readouterr().out
    assert (
        "name:KHAN LOGISTIC|PK -> name:KHAN LOGISTICS|PK [fuzzy 96.3, auto]: matched "
        "KHAN LOGISTIC PRIVATE LIMITED as KHAN LOGISTICS (PVT) LTD, score 96.3"
    ) in out
    assert main(["history", "traders", "split", "name:KHAN LOGISTIC|PK", "--store", location,
                 "--note", "two firms"]) == 0  # fmt: skip
    assert "split by an analyst from name:KHAN LOGISTICS|PK: two firms" in capsys.readouterr().out
    assert main(["history", "traders", "merge", "name:TRADER 13|PK", "name:TRADER 12|PK",
                 "--store", location]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["history", "traders", "list", "--store", location, "--format", "json"]) == 0
    import json

    rows = json.loads(capsys.readouterr().out)
    assert {(r["key"], r["method"], r["decided_by"]) for r in rows} == {
        ("name:KHAN LOGISTIC|PK", "split", "analyst"),
        ("name:NATIONAL IMPEX|PK", "name", "auto"),
        ("name:TRADER 13|PK", "merge", "analyst"),
    }
    assert main(["history", "traders", "merge", "name:NOPE|PK", "name:TRADER 12|PK",
                 "--store", location]) == 2  # fmt: skip
    assert "no trader key 'name:NOPE|PK' recorded" in capsys.readouterr().err
