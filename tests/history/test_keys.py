"""Trader identity: a party is its identifier, else its normalised name and country."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.history import open_store
from riskprofile.history._keys import LEGAL_FORMS, trader_name
from riskprofile.model.frame import shipment_frame
from riskprofile.model.shipment import Shipment
from tests.depth import depth

UTC = dt.UTC


@pytest.mark.parametrize(
    ("spellings", "name"),
    [
        (["KHAN LOGISTICS (PVT) LTD", "Khan Logistics Private Limited", "KHAN LOGISTICS PVT. LTD.",
          "M/S KHAN LOGISTICS (PRIVATE) LIMITED"], "KHAN LOGISTICS"),
        (["ТОО «Қазақ Экспорт»", "TOO KAZAK EKSPORT", "Kazak Eksport LLP"], "KAZAK EKSPORT"),
        (["Al-Buraq Trading F.Z.E.", "AL BURAQ TRADING FZE", "al buraq trading"],
         "AL BURAQ TRADING"),
        (["ZETA CO., LTD", "Zeta Company Limited", "ZETA L.L.C."], "ZETA"),
        (["Société Générale S.A.", "SOCIETE GENERALE SA"], "SOCIETE GENERALE"),
        (["ООО Ромашка", "OOO ROMASHKA"], "ROMASHKA"),
    ],
)  # fmt: skip
def test_spellings_of_one_trader_give_one_name(spellings: list[str], name: str) -> None:
    assert {trader_name(s) for s in spellings} == {name}


def test_a_name_that_is_only_a_legal_form_is_kept_and_an_empty_one_is_null() -> None:
    assert trader_name("LTD") == "LTD"
    assert trader_name("  ...  ") is None
    assert trader_name(None) is None


@settings(max_examples=depth(100))
@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(name: str) -> None:
    once = trader_name(name)
    assert trader_name(once) == once


@given(st.sampled_from(LEGAL_FORMS), st.sampled_from(["KHAN LOGISTICS", "ZETA TRADING"]))
def test_a_legal_form_at_the_end_is_stripped(form: str, name: str) -> None:
    assert trader_name(f"{name} {form}") == name


def test_the_store_counts_two_spellings_as_one_trader() -> None:
    arrival = dt.datetime(2026, 1, 1, tzinfo=UTC)
    history = [
        Shipment(shipment_id="M1/B1/-", manifest_ref="M1", bl_number="B1", arrival=arrival,
                 consignee_name="KHAN LOGISTICS (PVT) LTD", consignee_country="PK"),
        Shipment(shipment_id="M2/B2/-", manifest_ref="M2", bl_number="B2",
                 arrival=arrival + dt.timedelta(days=5),
                 consignee_name="KHAN LOGISTICS PRIVATE LIMITED", consignee_country="PK"),
        # The same name in another country is another trader.
        Shipment(shipment_id="M3/B3/-", manifest_ref="M3", bl_number="B3", arrival=arrival,
                 consignee_name="KHAN LOGISTICS LTD", consignee_country="AE"),
    ]  # fmt: skip
    probe = [Shipment(consignee_name="Khan Logistics Pvt. Ltd.", consignee_country="PK")]
    with open_store(":memory:") as store:
        store.add(shipment_frame(history), as_of=arrival)
        [row] = store.features(shipment_frame(probe), arrival + dt.timedelta(days=30)).to_dicts()
    assert row["consignee_prior_shipments"] == 2
    assert row["consignee_first_seen_days"] == 30


# Names as parties are written: Latin with accents, Cyrillic (Russian and Kazakh),
# punctuation, legal forms anywhere, digits, and any other character now and then.
_PIECES = st.sampled_from(
    [*LEGAL_FORMS, "M/S", "L.L.C.", "(PVT)", "CO.,", "S.A.", "ТОО", "ООО", "Қазақ", "Ёлка",
     "Йошкар", "Щит", "Élan", "Müller", "Ñandú", "ﬁne", "Ⅻ", "ß", "İ", "ǅ", "&", "-", "«", "»",
     "12", "007", "Khan", "logistics", " ", "\t"]
)  # fmt: skip
_NAMES = st.one_of(
    st.lists(_PIECES, max_size=8).map(" ".join),
    st.text(max_size=20),
    st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=6).map("".join),
)


@settings(max_examples=depth(400))
@given(st.lists(_NAMES, min_size=1, max_size=20))
def test_one_name_in_python_is_the_expression(names: list[str]) -> None:
    import polars as pl

    from riskprofile.history._keys import trader_name_expr, trader_name_text

    frame = pl.DataFrame({"name": names}, schema={"name": pl.String})
    expected = frame.select(trader_name_expr(pl.col("name")))["name"].to_list()
    assert [trader_name_text(n) for n in names] == expected
