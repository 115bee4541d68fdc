"""The pool: bills of lading that arrive one at a time give, once the call is complete,
exactly the results of scoring the whole call as one manifest."""

from __future__ import annotations

import datetime as dt
import random
from functools import cached_property
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile import load_profiles, score
from riskprofile.model import flatten
from riskprofile.rules import applicable_profiles
from riskprofile.serve import CallPool, DocumentsRefusedError, PoolStore
from tests.depth import depth
from tests.serve.conftest import AS_OF, bill_documents, karachi_call


class _Karachi:
    """The Karachi call, its documents and the reference runs, each made when a test first
    needs it (not when the module is imported: every pytest-xdist worker collects every
    file, and scoring the call twice cost each one about a second)."""

    @cached_property
    def profiles(self) -> list[Any]:
        return load_profiles(bundled=True, country="PK")

    @cached_property
    def applicable(self) -> tuple[Any, Any]:
        return applicable_profiles(self.profiles, AS_OF, False)

    @cached_property
    def whole(self) -> Any:
        return karachi_call()

    @cached_property
    def whole_run(self) -> Any:
        return score(flatten(self.whole), self.profiles, as_of=AS_OF, engine="rowwise")

    @cached_property
    def documents(self) -> list[dict[str, Any]]:
        return bill_documents(self.whole)

    @cached_property
    def few(self) -> list[Any]:
        # The property runs on one profile: what it proves is the shipments (and so any
        # profile's results) equal; the Karachi test above runs the whole library.
        return [p for p in self.applicable[0] if p.id == "general.documentary-anomalies"]

    @cached_property
    def few_run(self) -> Any:
        return score(flatten(self.whole), self.few, as_of=AS_OF, engine="rowwise")


KARACHI = _Karachi()


def _add(pool: CallPool, documents: list[dict[str, Any]]) -> None:
    for document in documents:
        pool.add(pool.parse([document]), KARACHI.applicable[0], AS_OF, KARACHI.applicable[1])


def _final(pool: CallPool) -> Any:
    return pool.run(pool.call_keys(), KARACHI.applicable[0], AS_OF, KARACHI.applicable[1])


def test_the_karachi_call_bill_by_bill_equals_the_whole_call() -> None:
    """The issue's blocker: 273 single-B/L documents used to lose the LCL and container
    weight fields of 148 shipments and change 139 lanes."""
    pool = CallPool(PoolStore(":memory:"))
    documents = list(KARACHI.documents)
    random.Random(20261102).shuffle(documents)
    _add(pool, documents)
    final = _final(pool)
    assert final.shipments == KARACHI.whole_run.shipments
    assert final.containers == KARACHI.whole_run.containers
    assert final.unevaluable == KARACHI.whole_run.unevaluable


def test_scored_on_their_own_the_bills_lose_the_container_fields() -> None:
    """Why the pool exists: the same documents scored one by one, each alone."""
    lost = 0
    whole = {s.shipment_id: s for s in flatten(KARACHI.whole)}
    for document in KARACHI.documents:
        pool = CallPool(PoolStore(":memory:"))
        pool.add(pool.parse([document]), KARACHI.few, AS_OF, KARACHI.applicable[1])
        alone = {s.shipment_id: s for s in pool.shipments(pool.call_keys())}
        for sid, mine in alone.items():
            if mine.bl_count_in_container != whole[sid].bl_count_in_container:
                lost += 1
    assert lost > 100


@settings(max_examples=depth(10, floor=3), deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    chunk=st.integers(1, 40),
    # Which documents are resent: an index taken modulo the number of documents (not
    # known before the call is read, which the module no longer does on import).
    amend=st.lists(st.integers(0, 2**16 - 1), max_size=3),
)
def test_any_order_any_grouping_and_resent_bills_give_the_whole_call(
    seed: int, chunk: int, amend: list[int]
) -> None:
    """Documents of several B/Ls, in any order, some sent twice (a resend replaces):
    the call, once complete, is the whole call's, field for field."""
    rng = random.Random(seed)
    documents = list(KARACHI.documents)
    rng.shuffle(documents)
    # A first version of some B/Ls with other goods weights, replaced later.
    for index in amend:
        first = documents[index % len(documents)]
        if first.get("consignments"):
            bill = dict(first["consignments"][0])
            bill["goods"] = [dict(g, gross_weight_kg=1.0) for g in bill.get("goods", [])]
            documents.insert(0, {**first, "consignments": [bill]})
    pool = CallPool(PoolStore(":memory:"))
    for start in range(0, len(documents), chunk):
        merged: dict[str, Any] = {}
        part = documents[start : start + chunk]
        # Several B/Ls in one document (each B/L number once per document).
        bills: dict[str, Any] = {}
        boxes: dict[str, Any] = {}
        for document in part:
            for bill in document.get("consignments", []):
                if bill["bl_number"] in bills:
                    so_far = {**merged, "consignments": list(bills.values()),
                              "containers": list(boxes.values())}  # fmt: skip
                    pool.add(pool.parse([so_far]), KARACHI.few, AS_OF, KARACHI.applicable[1])
                    bills, boxes = {}, {}
                bills[bill["bl_number"]] = bill
            for box in document.get("containers", []):
                boxes[box["number"]] = box
            merged = {k: v for k, v in document.items() if k not in ("consignments", "containers")}
        last = {**merged, "consignments": list(bills.values()), "containers": list(boxes.values())}
        pool.add(pool.parse([last]), KARACHI.few, AS_OF, KARACHI.applicable[1])
    final = pool.run(pool.call_keys(), KARACHI.few, AS_OF, KARACHI.applicable[1])
    assert final.shipments == KARACHI.few_run.shipments
    assert final.containers == KARACHI.few_run.containers


def test_an_addition_returns_its_units_and_names_the_partners_it_changed() -> None:
    pool = CallPool(PoolStore(":memory:"))
    lcl = next(c for c in KARACHI.whole_run.containers if len(c.shipments) > 1)
    bills = set(lcl.bl_numbers)
    mine = [
        d for d in KARACHI.documents if {c["bl_number"] for c in d.get("consignments", [])} & bills
    ]
    first = pool.add(pool.parse([mine[0]]), KARACHI.applicable[0], AS_OF, KARACHI.applicable[1])
    [unit] = [c for c in first.units if c.key == lcl.key]
    assert unit.shipments[0].shipment.bl_count_in_container == 1
    later = pool.add(pool.parse([mine[1]]), KARACHI.applicable[0], AS_OF, KARACHI.applicable[1])
    [unit] = [c for c in later.units if c.key == lcl.key]
    assert all(s.shipment.is_lcl for s in unit.shipments)
    # The first B/L's other containers are not the second's: only what changed is said.
    assert all(c.key not in {u.key for u in later.units} for c in later.changed)


def test_a_document_that_contradicts_its_call_is_refused_naming_the_field() -> None:
    pool = CallPool(PoolStore(":memory:"))
    _add(pool, KARACHI.documents[:1])
    other = {**KARACHI.documents[1], "port_of_call": "KZAKT"}
    with pytest.raises(DocumentsRefusedError) as caught:
        pool.add(pool.parse([other]), KARACHI.applicable[0], AS_OF, KARACHI.applicable[1])
    [problem] = caught.value.problems
    assert problem.field == "port_of_call"
    assert problem.value == "KZAKT"


def test_two_workers_sharing_one_store_see_each_others_bills(tmp_path: Any) -> None:
    path = tmp_path / "pool.sqlite"
    one, two = CallPool(PoolStore(path)), CallPool(PoolStore(path))
    for index, document in enumerate(KARACHI.documents):
        pool = one if index % 3 else two
        pool.add(pool.parse([document]), KARACHI.few, AS_OF, KARACHI.applicable[1])
    for pool in (one, two):
        final = pool.run(pool.call_keys(), KARACHI.few, AS_OF, KARACHI.applicable[1])
        assert final.containers == KARACHI.few_run.containers


def test_a_new_as_of_rescores_every_shipment() -> None:
    pool = CallPool(PoolStore(":memory:"))
    _add(pool, KARACHI.documents[:20])
    later = AS_OF + dt.timedelta(days=400)
    chosen, skipped = applicable_profiles(KARACHI.profiles, later, False)
    run = pool.run(pool.call_keys(), chosen, later, skipped)
    expected = score(
        pool.shipments(pool.call_keys()), KARACHI.profiles, as_of=later, engine="rowwise"
    )
    assert run.containers == expected.containers


def test_threads_of_one_worker_add_to_one_call_at_once() -> None:
    """FastAPI runs requests on a thread pool: additions to one call from several
    threads at once are taken one at a time (scoring included), none lost."""
    import threading

    pool = CallPool(PoolStore(":memory:"))
    failures: list[BaseException] = []

    def send(part: list[dict[str, Any]]) -> None:
        try:
            for document in part:
                pool.add(pool.parse([document]), KARACHI.few, AS_OF, KARACHI.applicable[1])
                pool.summaries()  # a reader in between (GET /v1/calls)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=send, args=(KARACHI.documents[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    final = pool.run(pool.call_keys(), KARACHI.few, AS_OF, KARACHI.applicable[1])
    assert final.containers == KARACHI.few_run.containers


def test_listing_the_calls_builds_none_and_a_full_pool_drops_the_oldest(tmp_path: Any) -> None:
    path = tmp_path / "pool.sqlite"
    writer = CallPool(PoolStore(path), max_calls=2)
    other = [dict(d, voyage_number=f"V{i}") for i, d in enumerate(KARACHI.documents[:3])]
    evicted = [
        writer.add(writer.parse([d]), KARACHI.few, AS_OF, KARACHI.applicable[1]).evicted
        for d in other
    ]
    assert evicted == [(), (), ("9740055/V0",)]
    reader = CallPool(PoolStore(path))
    listed = reader.summaries()
    assert [(c.key, c.bills_of_lading, c.shipments) for c in listed] == [
        ("9740055/V1", 1, None), ("9740055/V2", 1, None)]  # fmt: skip
    assert reader._states == {}, "listing built no call"
    [built] = [c for c in reader.summaries(["9740055/V2"]) if c.key == "9740055/V2"]
    assert built.shipments is not None


def test_a_call_over_its_bill_limit_is_refused_naming_it() -> None:
    pool = CallPool(PoolStore(":memory:"), max_bills=2)
    _add(pool, KARACHI.documents[:2])
    with pytest.raises(DocumentsRefusedError, match="more than the limit of 2"):
        pool.add(pool.parse(KARACHI.documents[2:3]), KARACHI.few, AS_OF, KARACHI.applicable[1])
    assert [c.bills_of_lading for c in pool.summaries()] == [2]
    _add(pool, KARACHI.documents[:1])  # a resend replaces: still two
