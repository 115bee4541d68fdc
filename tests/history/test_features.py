"""History features: what each one means on a small history written by hand, that none
sees the future (a property), and that DuckDB and PostgreSQL give the same features."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.evaluation import Outcome
from riskprofile.history import HistoryStore, open_store
from riskprofile.model.frame import shipment_frame
from riskprofile.model.shipment import HISTORY_FIELDS, Shipment
from tests.depth import depth

UTC = dt.UTC
T0 = dt.datetime(2026, 1, 1, tzinfo=UTC)
BOXES = ("MSCU1234565", "MSKU7654321", "TGHU0000001")
# With spellings resolved to another's trader by a close name (KHAN LOGISTIC, EAST EXPORTS).
CONSIGNEES = ("KHAN LOGISTICS", "ZETA TRADING", "AL BURAQ", "KHAN LOGISTIC PVT LTD", None)
SHIPPERS = ("GLOBAL FRUITS SA", "EAST EXPORT", "EAST EXPORTS", None)


def shipment(i: int, day: float, **fields: Any) -> Shipment:
    """History shipment ``i`` arriving ``day`` days after T0 (its own vessel call)."""
    base: dict[str, Any] = {
        "shipment_id": f"M{i}/B{i}/{fields.get('container_number') or '-'}",
        "manifest_ref": f"M{i}",
        "bl_number": f"B{i}",
        "arrival": T0 + dt.timedelta(days=day),
        "consignee_country": "PK",
        "shipper_country": "EC",
    }
    base.update(fields)
    return Shipment(**base)


def unit(s: Shipment) -> str:
    return f"{s.manifest_ref}/{s.container_number}"


def features(store: HistoryStore, probe: list[Shipment], as_of: dt.datetime) -> pl.DataFrame:
    return store.features(shipment_frame(probe), as_of)


def test_each_feature_on_a_history_written_by_hand() -> None:
    box = "MSCU1234565"
    history = [
        shipment(
            1,
            0,
            consignee_name="KHAN LOGISTICS",
            shipper_name="GLOBAL FRUITS SA",
            hs_chapters=["08"],
            port_of_loading="ECGYE",
            container_number=box,
        ),
        shipment(
            2,
            50,
            consignee_name="KHAN LOGISTICS",
            shipper_name="EAST EXPORT",
            hs_chapters=["08", "09"],
            port_of_loading="ECGYE",
            container_number=box,
        ),
        shipment(
            3,
            95,
            consignee_name="KHAN LOGISTICS",
            shipper_name="EAST EXPORT",
            hs_chapters=["09"],
            port_of_loading="PAMIT",
            container_number="MSKU7654321",
        ),
        shipment(
            4,
            99,
            consignee_name="ZETA TRADING",
            shipper_name="EAST EXPORT",
            hs_chapters=["61"],
            port_of_loading="CNSHA",
            container_number="TGHU0000001",
        ),
        # Seen after as_of: no feature may count it.
        shipment(
            5,
            120,
            consignee_name="KHAN LOGISTICS",
            shipper_name="GLOBAL FRUITS SA",
            hs_chapters=["61"],
            port_of_loading="CNSHA",
            container_number=box,
        ),
    ]
    outcomes = [
        Outcome(unit(history[0]), inspected=True, finding=True, date=dt.date(2026, 1, 3)),
        Outcome(unit(history[1]), inspected=True, finding=False, date=dt.date(2026, 2, 21)),
        Outcome(unit(history[3]), inspected=True, finding=False, date=dt.date(2026, 4, 10)),
        # Known only from the as_of day: not before as_of.
        Outcome(unit(history[2]), inspected=True, finding=True, date=dt.date(2026, 4, 11)),
    ]
    as_of = T0 + dt.timedelta(days=100, hours=6)  # 2026-04-11 06:00
    probe = [
        shipment(10, 101, consignee_name="KHAN LOGISTICS", shipper_name="GLOBAL FRUITS SA",
                 hs_chapters=["08"], port_of_loading="ECGYE", container_number=box),
        shipment(11, 101, consignee_name="KHAN LOGISTICS", shipper_name="NEW SHIPPER LTD",
                 hs_chapters=["08", "85"], port_of_loading="AEJEA"),
        shipment(12, 101, consignee_name="NEVER SEEN CO", shipper_name="EAST EXPORT"),
        shipment(13, 101),  # no parties at all
    ]  # fmt: skip
    with open_store(":memory:") as store:
        store.add(shipment_frame(history), outcomes, as_of=T0)
        got = features(store, probe, as_of).to_dicts()
    khan, khan_new, stranger, nobody = got
    assert khan["consignee_first_seen_days"] == 100
    assert khan["shipper_first_seen_days"] == 100
    assert khan["consignee_prior_shipments"] == 3
    assert khan["shipper_prior_shipments"] == 1
    assert khan["consignee_shipments_30d"] == 1  # day 95 only
    assert khan["consignee_shipments_365d"] == 3
    assert khan["consignee_prior_inspections"] == 2  # 1 finding; day 95's comes later
    assert khan["consignee_prior_findings"] == 1
    # Store: 3 inspections, 1 finding before as_of -> (1 + 5 * 1/3) / (2 + 5).
    assert khan["consignee_finding_rate"] == pytest.approx((1 + 5 / 3) / 7)
    assert khan["shipper_consignee_pair_seen"] is True
    assert khan["consignee_new_hs_chapter"] is False
    assert khan["consignee_new_port_of_loading"] is False
    assert khan["container_prior_findings"] == 1
    assert khan_new["shipper_consignee_pair_seen"] is False
    assert khan_new["shipper_first_seen_days"] is None
    assert khan_new["shipper_prior_shipments"] == 0
    assert khan_new["consignee_new_hs_chapter"] is True  # 85
    assert khan_new["consignee_new_port_of_loading"] is True
    assert khan_new["container_prior_findings"] is None  # no container
    assert stranger["consignee_prior_shipments"] == 0
    assert stranger["consignee_first_seen_days"] is None
    assert stranger["consignee_new_hs_chapter"] is None  # nothing to compare with
    assert stranger["consignee_prior_inspections"] == 0
    assert stranger["consignee_finding_rate"] == pytest.approx(1 / 3)  # the store's rate
    assert stranger["shipper_prior_shipments"] == 3
    assert all(nobody[name] is None for name in HISTORY_FIELDS)


def test_a_party_is_one_trader_by_identifier_whatever_its_name() -> None:
    history = [shipment(1, 0, consignee_name="KHAN LOGISTICS (PVT) LTD",
                        consignee_identifier="PK-1234567")]  # fmt: skip
    probe = [shipment(2, 10, consignee_name="KHAN LOGISTIC PRIVATE LIMITED",
                      consignee_identifier="pk1234567")]  # fmt: skip
    with open_store(":memory:") as store:
        store.add(shipment_frame(history), as_of=T0)
        [row] = features(store, probe, T0 + dt.timedelta(days=10)).to_dicts()
    assert row["consignee_prior_shipments"] == 1
    assert row["consignee_first_seen_days"] == 10


def test_value_norm_route_and_container_ports_on_a_history_written_by_hand() -> None:
    """Value per kg against the norm of its HS6, origin and currency; a known pair's new
    route; a container's ports of loading; how a party was resolved to another trader."""

    def goods(i: int, day: float, per_kg: float | None, **fields: Any) -> Shipment:
        return shipment(
            i,
            day,
            **{
                "hs_subheadings": ["080390"],
                "origin_countries": ["EC"],
                "value_currency": "USD",
                "value_per_kg": per_kg,
                **fields,
            },
        )

    history = [
        goods(
            i,
            i,
            per_kg,
            consignee_name="KHAN LOGISTICS",
            shipper_name="EAST EXPORT",
            port_of_loading="ECGYE",
            port_of_discharge="PKKHI",
            container_number="MSCU1234565" if i < 3 else None,
        )
        for i, per_kg in enumerate([1.0, 1.2, 0.9, 1.1, 1.0, 2.0])
    ]
    history += [
        goods(10, 10, 50.0, value_currency="EUR"),  # another currency: another norm
        goods(11, 11, 1.0, container_number="MSCU1234565", port_of_loading="PAMIT"),
        goods(12, 400, 9.0, container_number="MSCU1234565", port_of_loading="CNSHA"),  # late
    ]
    as_of = T0 + dt.timedelta(days=365)
    probe = [
        goods(20, 365, 0.25, consignee_name="KHAN LOGISTIC PVT LTD", shipper_name="EAST EXPORT",
              port_of_loading="AEJEA", port_of_discharge="PKKHI", container_number="MSCU1234565"),
        goods(21, 365, 1.0, consignee_name="KHAN LOGISTICS", shipper_name="EAST EXPORT",
              port_of_loading="ECGYE", port_of_discharge="PKKHI", container_number="TGHU0000001"),
        goods(22, 365, 1.0, value_currency="EUR", consignee_name="ZETA TRADING",
              shipper_name="EAST EXPORT"),
    ]  # fmt: skip
    with open_store(":memory:") as store:
        store.add(shipment_frame(history), as_of=T0)
        cheap, usual, other = features(store, probe, as_of).to_dicts()
    # USD values per kg before as_of: 1.0 1.2 0.9 1.1 1.0 2.0 1.0 -> median 1.0, absolute
    # deviations 0 .2 .1 .1 0 1 0 -> MAD 0.1 (the lower middle value of seven: exact).
    assert cheap["value_per_kg_norm_ratio"] == pytest.approx(0.25)
    assert cheap["value_per_kg_robust_z"] == pytest.approx((0.25 - 1.0) / (1.4826 * 0.1))
    assert usual["value_per_kg_norm_ratio"] == pytest.approx(1.0)
    assert usual["value_per_kg_robust_z"] == 0
    assert other["value_per_kg_norm_ratio"] is None  # one EUR shipment: no norm
    assert other["value_per_kg_robust_z"] is None
    assert cheap["shipper_consignee_route_new"] is True  # the pair, never from AEJEA
    assert usual["shipper_consignee_route_new"] is False
    assert other["shipper_consignee_route_new"] is None  # a new pair: no route to change
    assert cheap["container_ports_365d"] == 2  # ECGYE, PAMIT (CNSHA comes after as_of)
    assert cheap["container_new_port_of_loading"] is True
    assert usual["container_ports_365d"] == 0
    assert usual["container_new_port_of_loading"] is None  # no prior shipment
    assert cheap["consignee_resolved_as"] == (
        "matched KHAN LOGISTIC PVT LTD as KHAN LOGISTICS, score 96.3"
    )
    assert usual["consignee_resolved_as"] is None
    assert cheap["shipper_resolved_as"] is None


# --- property: no feature sees the future ---------------------------------------------------

_row = st.fixed_dictionaries(
    {
        "day": st.integers(0, 60),
        "consignee": st.sampled_from(CONSIGNEES),
        "shipper": st.sampled_from(SHIPPERS),
        "box": st.sampled_from((*BOXES, None)),
        "chapters": st.lists(st.sampled_from(("08", "09", "61")), max_size=2, unique=True),
        "pol": st.sampled_from(("ECGYE", "PAMIT", None)),
        "inspected": st.sampled_from((None, False, True)),
        "inspected_after": st.integers(0, 5),
        "pod": st.sampled_from(("PKKHI", "PKBQM", None)),
        "per_kg": st.sampled_from((None, 0.5, 1.0, 1.5, 4.0)),
        "currency": st.sampled_from(("USD", "EUR")),
    }
)


# Later rows land on as_of itself or just after it: where an off-by-one would show.
_future_row = _row.map(lambda r: {**r, "day": r["day"] % 3})


def _history(rows: list[dict[str, Any]], first: int) -> tuple[list[Shipment], list[Outcome]]:
    shipments, outcomes = [], []
    for i, row in enumerate(rows, start=first):
        s = shipment(i, row["day"], consignee_name=row["consignee"], shipper_name=row["shipper"],
                     container_number=row["box"], hs_chapters=row["chapters"],
                     port_of_loading=row["pol"], port_of_discharge=row["pod"],
                     hs_subheadings=["080390"], origin_countries=["EC"],
                     value_currency=row["currency"], value_per_kg=row["per_kg"])  # fmt: skip
        shipments.append(s)
        if row["inspected"] is not None:
            key = unit(s) if s.container_number else f"{s.manifest_ref}/B/L {s.bl_number}"
            when = (T0 + dt.timedelta(days=row["day"] + row["inspected_after"])).date()
            outcomes.append(Outcome(key, inspected=True, finding=row["inspected"], date=when))
    return shipments, outcomes


@contextmanager
def _store_of(
    location: str, batches: list[tuple[list[Shipment], list[Outcome]]]
) -> Iterator[HistoryStore]:
    with open_store(location) as store:
        for shipments, outcomes in batches:
            if shipments:
                store.add(shipment_frame(shipments), outcomes, as_of=T0)
        yield store


@settings(max_examples=depth(60), suppress_health_check=[HealthCheck.too_slow])
@given(
    past=st.lists(_row, max_size=12),
    future=st.lists(_future_row, min_size=1, max_size=6),
    probe=st.lists(_row, min_size=1, max_size=4),
    cut=st.integers(1, 60),
)
def test_no_feature_sees_the_future(
    past: list[dict[str, Any]], future: list[dict[str, Any]], probe: list[dict[str, Any]],
    cut: int,
) -> None:  # fmt: skip
    """Adding history seen at or after as_of (later shipments, and inspections known
    only from the as_of day on) never changes a feature at as_of."""
    as_of = T0 + dt.timedelta(days=cut)
    before = [r for r in past if r["day"] < cut]
    known, later = _history(before, 0)
    # What only the future knows: shipments from as_of on, and inspections of past
    # shipments dated on or after the as_of day.
    late_rows = [{**r, "day": cut + r["day"]} for r in future]
    late, late_outcomes = _history(late_rows, 1000)
    past_outcomes = [o for o in later if o.date is not None and o.date < as_of.date()]
    future_inspections = [
        Outcome(o.unit, inspected=True, finding=not o.finding, date=as_of.date()) for o in later
    ]
    probe_shipments, _ = _history(probe, 5000)
    with _store_of(":memory:", [(known, past_outcomes)]) as store:
        now = features(store, probe_shipments, as_of)
    with _store_of(":memory:", [(known, past_outcomes + future_inspections),
                                (late, late_outcomes)]) as store:  # fmt: skip
        with_future = features(store, probe_shipments, as_of)
    assert now.to_dicts() == with_future.to_dicts()


# --- DuckDB and PostgreSQL --------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres(request: pytest.FixtureRequest) -> str:
    from tests.history.conftest import server_dsn

    return server_dsn(request)


@settings(max_examples=depth(20), suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    rows=st.lists(_row, max_size=12),
    probe=st.lists(_row, min_size=1, max_size=4),
    cut=st.integers(1, 70),
)
def test_duckdb_and_postgresql_give_the_same_features(
    postgres: str, rows: list[dict[str, Any]], probe: list[dict[str, Any]], cut: int
) -> None:
    from tests.history.conftest import fresh_schema_dsn

    as_of = T0 + dt.timedelta(days=cut, hours=3)
    batch = _history(rows, 0)
    probe_shipments, _ = _history(probe, 5000)
    with _store_of(":memory:", [batch]) as store:
        embedded = features(store, probe_shipments, as_of)
    with _store_of(fresh_schema_dsn(postgres), [batch]) as store:
        server = features(store, probe_shipments, as_of)
    assert embedded.schema == server.schema
    assert embedded.to_dicts() == server.to_dicts()
