"""The engine contracts (:class:`riskprofile.engines.Engine` and
:class:`~riskprofile.engines.FrameEngine`): the engines satisfy them as they are, in shape
and in behaviour, and the checks a third engine would have to pass find an engine that
breaks them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings

from riskprofile.engines import (
    ConditionMasks,
    Engine,
    FrameEngine,
    ProfileOutcome,
    columnar,
    rowwise,
)
from riskprofile.engines.columnar import records_of_frame
from riskprofile.model import Shipment
from riskprofile.model.frame import shipment_frame
from riskprofile.profiles import CompiledProfile, ProfileSet, load_profiles
from riskprofile.profiles._expressions import Condition
from riskprofile.rules import applicable_profiles
from riskprofile.scoring import score
from tests import strategies as rst
from tests.depth import depth
from tests.engines.test_columnar_scoring import batches

AS_OF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
EXAMPLE = Path(__file__).parents[2] / "examples" / "data" / "karachi-sample.csv"
ENGINES: dict[str, ModuleType] = {"rowwise": rowwise, "columnar": columnar}


def outcomes_of(
    engine: Engine,
    shipments: list[Shipment],
    profiles: list[CompiledProfile],
    progress: Callable[[int], None] | None = None,
) -> list[tuple[str, list[ProfileOutcome]]]:
    return [(s.shipment_id, o) for s, o in engine.evaluate(shipments, profiles, AS_OF, progress)]


def check_contract(
    engine: Engine,
    shipments: list[Shipment],
    profiles: list[CompiledProfile],
    expected: list[tuple[str, list[ProfileOutcome]]] | None = None,
) -> None:
    """What any engine must do on this batch: the shape of its answer, its progress calls,
    and the reference's answer, field by field (``expected``: the reference's outcomes
    when the caller has them already)."""
    assert isinstance(engine, Engine)
    calls: list[int] = []
    got = outcomes_of(engine, shipments, profiles, calls.append)
    assert [sid for sid, _ in got] == [s.shipment_id for s in shipments]  # input order
    for _sid, outcomes in got:
        assert [o.profile.id for o in outcomes] == [p.id for p in profiles]
        for outcome in outcomes:
            if outcome.excepted_by is None:
                ids = [r.indicator_id for r in outcome.results]
                assert ids == [i.id for i in outcome.profile.indicators]
            else:
                assert outcome.results == ()
    assert calls == list(range(1, len(shipments) + 1))
    reference = outcomes_of(rowwise, shipments, profiles) if expected is None else expected
    # Not a bare `assert got == reference`: on a failure pytest would diff two lists of
    # thousands of outcomes, which takes many minutes when CI=true lifts its truncation.
    assert len(got) == len(reference)
    for (sid, outcomes), (_ref_sid, ref_outcomes) in zip(got, reference, strict=True):
        if outcomes != ref_outcomes:
            raise AssertionError(f"shipment {sid}: {outcomes!r}\n!= reference {ref_outcomes!r}")


def test_both_engines_are_engines_as_they_are() -> None:
    for module in ENGINES.values():
        assert isinstance(module, Engine)
        engine: Engine = module  # what mypy checks: the module satisfies the Protocol
        assert callable(engine.evaluate)


@pytest.fixture(scope="module")
def example() -> tuple[list[Shipment], list[CompiledProfile]]:
    from riskprofile.io import read_batch

    profiles, _ = applicable_profiles(load_profiles(bundled=True), AS_OF, False)
    return list(read_batch(EXAMPLE).shipments)[:120], profiles


@pytest.fixture(scope="module")
def example_outcomes(
    example: tuple[list[Shipment], list[CompiledProfile]],
) -> list[tuple[str, list[ProfileOutcome]]]:
    """The reference's outcomes on the example, computed once for the tests below."""
    return outcomes_of(rowwise, *example)


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_each_engine_keeps_the_contract_on_the_example_port_day(
    name: str,
    example: tuple[list[Shipment], list[CompiledProfile]],
    example_outcomes: list[tuple[str, list[ProfileOutcome]]],
) -> None:
    shipments, profiles = example
    check_contract(ENGINES[name], shipments, profiles, example_outcomes)
    # The engine's answer equals the reference's (checked above): count the latter's hits.
    hits = sum(r.hit for _, o in example_outcomes
               for outcome in o for r in outcome.results)  # fmt: skip
    assert hits > 0  # the batch has teeth


@settings(
    max_examples=depth(10),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batches(), rst.profile_sets())
def test_the_columnar_engine_keeps_the_contract_on_random_batches(
    shipments: list[Shipment], profiles: ProfileSet
) -> None:
    taking_part, _ = applicable_profiles(profiles, AS_OF, False)
    check_contract(columnar, shipments, taking_part)


class _Blind:
    """An engine that breaks the contract: the right shape, but every condition misses."""

    def evaluate(
        self,
        shipments: Iterable[Shipment],
        profiles: Iterable[CompiledProfile],
        as_of: dt.datetime,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
        for shipment, outcomes in rowwise.evaluate(shipments, profiles, as_of, progress):
            yield (
                shipment,
                [
                    ProfileOutcome(
                        o.profile,
                        tuple(type(r)(r.indicator_id, False, r.problem) for r in o.results),
                        o.excepted_by,
                        o.exception_problems,
                    )
                    for o in outcomes
                ],
            )


def test_an_engine_that_breaks_the_contract_is_found(
    example: tuple[list[Shipment], list[CompiledProfile]],
    example_outcomes: list[tuple[str, list[ProfileOutcome]]],
) -> None:
    shipments, profiles = example
    assert isinstance(_Blind(), Engine)  # the right shape...
    with pytest.raises(AssertionError):
        check_contract(_Blind(), shipments, profiles, example_outcomes)  # ...not the right answers


def test_score_runs_whichever_engine_through_the_contract(
    example: tuple[list[Shipment], list[CompiledProfile]],
) -> None:
    shipments, profiles = example
    runs = [score(shipments, profiles, as_of=AS_OF, engine=name) for name in sorted(ENGINES)]
    assert runs[0] == runs[1]


def test_what_is_not_an_engine() -> None:
    assert not isinstance(object(), Engine)
    assert not isinstance(load_profiles, Engine)


# --- the frame door: FrameEngine -----------------------------------------------------------


class RowByRowMasks:
    """A third frame engine, the plainest one: each condition evaluated on each row's
    record with rule-engine (what a SQL engine's answers are checked against)."""

    def masks_for(
        self,
        frame: pl.DataFrame,
        conditions: Sequence[tuple[str, Condition]],
        lists_by_key: Mapping[str, Mapping[str, frozenset[Any]]],
        as_of: dt.datetime,
    ) -> dict[str, ConditionMasks]:
        out = {}
        for key, condition in conditions:
            hits, errors = [], []
            for record in records_of_frame(frame, condition.fields):
                try:
                    hits.append(bool(condition.evaluate(record, as_of)))
                    errors.append(False)
                except rule_engine.EngineError:
                    hits.append(False)
                    errors.append(True)
            out[key] = ConditionMasks(
                pl.Series("hit", hits, dtype=pl.Boolean),
                pl.Series("error", errors, dtype=pl.Boolean),
                "row by row",
            )
        return out


def _conditions(
    profiles: Iterable[CompiledProfile],
) -> tuple[list[tuple[str, Condition]], dict[str, Mapping[str, frozenset[Any]]]]:
    items: list[tuple[str, Condition]] = []
    lists: dict[str, Mapping[str, frozenset[Any]]] = {}
    for profile in profiles:
        for item in (*profile.exceptions, *profile.indicators):
            key = f"{profile.id}/{item.id}"
            items.append((key, item.condition))
            lists[key] = profile.lists
    return items, lists


def check_frame_contract(
    engine: FrameEngine,
    shipments: list[Shipment],
    profiles: Iterable[CompiledProfile],
    expected: dict[str, ConditionMasks] | None = None,
) -> None:
    """What any frame engine must do: every key answered, one value per row, never a hit
    and an error on one row, and the reference's hits and errors (``expected``: the
    reference's masks when the caller has them already)."""
    assert isinstance(engine, FrameEngine)
    frame = shipment_frame(shipments)
    items, lists = _conditions(profiles)
    got = engine.masks_for(frame, items, lists, AS_OF)
    if expected is None:
        expected = RowByRowMasks().masks_for(frame, items, lists, AS_OF)
    assert set(got) == {key for key, _ in items}
    for key, masks in got.items():
        assert len(masks.hit) == len(masks.error) == frame.height
        assert masks.hit.null_count() == masks.error.null_count() == 0
        assert not (masks.hit & masks.error).any()
        assert masks.hit.to_list() == expected[key].hit.to_list(), key
        assert masks.error.to_list() == expected[key].error.to_list(), key


def test_the_columnar_engine_is_a_frame_engine_on_the_example_port_day(
    example: tuple[list[Shipment], list[CompiledProfile]],
) -> None:
    shipments, profiles = example
    assert isinstance(columnar, FrameEngine)
    assert not isinstance(rowwise, FrameEngine)  # it scores objects only
    items, lists = _conditions(profiles)
    expected = RowByRowMasks().masks_for(shipment_frame(shipments), items, lists, AS_OF)
    check_frame_contract(columnar, shipments, profiles, expected)
    check_frame_contract(RowByRowMasks(), shipments, profiles, expected)


@settings(
    max_examples=depth(10),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batches(), rst.profile_sets())
def test_the_columnar_engine_keeps_the_frame_contract_on_random_batches(
    shipments: list[Shipment], profiles: ProfileSet
) -> None:
    check_frame_contract(columnar, shipments, profiles)


class _Swapped(RowByRowMasks):
    """A frame engine of the right shape that calls every error a hit."""

    def masks_for(
        self,
        frame: pl.DataFrame,
        conditions: Sequence[tuple[str, Condition]],
        lists_by_key: Mapping[str, Mapping[str, frozenset[Any]]],
        as_of: dt.datetime,
    ) -> dict[str, ConditionMasks]:
        right = super().masks_for(frame, conditions, lists_by_key, as_of)
        return {
            k: ConditionMasks(m.hit | m.error, m.error & False, m.fallback)
            for k, m in right.items()
        }


def test_a_frame_engine_that_breaks_the_contract_is_found(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        "id: t.null\nversion: 1\ntitle: t\ncategory: other\nowner: t\n"
        "indicators:\n  - {id: big, title: big, when: value_per_kg > 10, weight: 1}\n",
        encoding="utf-8",
    )
    profiles = list(load_profiles([tmp_path]))
    shipments = [Shipment(shipment_id="a"), Shipment(shipment_id="b", value_per_kg=20)]
    check_frame_contract(RowByRowMasks(), shipments, profiles)
    with pytest.raises(AssertionError):
        check_frame_contract(_Swapped(), shipments, profiles)
