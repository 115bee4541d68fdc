"""The row-wise engine runs compiled conditions and gives exactly rule-engine's outcomes:
every indicator result, every exception, every problem text.

The reference here is the engine as it was before conditions were compiled: rule-engine
(``CompiledCondition.holds``, ``CompiledIndicator.evaluate``) on every condition.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import read_batch
from riskprofile.engines import ProfileOutcome, rowwise
from riskprofile.model import Shipment, flatten
from riskprofile.profiles import CompiledProfile, bundled_profiles_path, load_all_profiles
from riskprofile.profiles._explain import record_of
from riskprofile.profiles._expressions import Condition
from riskprofile.synth import generate_manifests
from tests import strategies as rst
from tests.depth import depth

AS_OF = dt.datetime(2026, 11, 2, 10, 30, tzinfo=dt.UTC)
EXAMPLE = Path(__file__).parents[2] / "examples" / "data" / "karachi-sample.csv"


def reference_outcomes(
    shipments: Sequence[Shipment], profiles: Sequence[CompiledProfile], as_of: dt.datetime
) -> list[list[ProfileOutcome]]:
    """rule-engine on every condition: the engine before compiled conditions."""
    out = []
    for shipment in shipments:
        record = record_of(shipment)
        outcomes = []
        for profile in profiles:
            excepted_by, problems = None, []
            for exception in profile.exceptions:
                holds, problem = exception.holds(record, as_of)
                if problem:
                    problems.append(f"exception {exception.id}: {problem}")
                if holds:
                    excepted_by = exception.id
                    break
            results = (
                ()
                if excepted_by is not None
                else tuple(ind.evaluate(record, as_of) for ind in profile.indicators)
            )
            outcomes.append(ProfileOutcome(profile, results, excepted_by, tuple(problems)))
        out.append(outcomes)
    return out


def engine_outcomes(
    shipments: Sequence[Shipment], profiles: Sequence[CompiledProfile], as_of: dt.datetime
) -> list[list[ProfileOutcome]]:
    return [outcomes for _shipment, outcomes in rowwise.evaluate(shipments, profiles, as_of)]


@pytest.fixture(scope="module")
def library() -> list[CompiledProfile]:
    return list(load_all_profiles(bundled_profiles_path()))


def test_the_bundled_library_gives_rule_engines_outcomes(library: list[CompiledProfile]) -> None:
    sample = list(read_batch(EXAMPLE).shipments)[:150]
    generated = [s for m in generate_manifests(seed=5, containers=60) for s in flatten(m)]
    # Mostly empty shipments: the "cannot be evaluated" problems and their words.
    sparse = [Shipment(), Shipment(packages=3), Shipment(description="ACETONE", hs_codes=["2914"])]
    shipments = sample + generated + sparse
    expected = reference_outcomes(shipments, library, AS_OF)
    assert engine_outcomes(shipments, library, AS_OF) == expected


def null_profile() -> list[CompiledProfile]:
    """A profile whose exception and indicators cannot be evaluated on nulls."""
    doc = {
        "id": "test.nulls",
        "version": 1,
        "title": "Conditions that raise on nulls",
        "category": "other",
        "owner": "tests",
        "indicators": [
            {"id": "many", "title": "Many packages", "when": "packages > 100", "weight": 10},
            {"id": "heavy", "title": "Heavy", "when": "goods_gross_weight_kg > 5000",
             "weight": 5},
            {"id": "aeo", "title": "AEO", "when": "consignee_aeo == true", "weight": 1},
        ],
        "exceptions": [{"id": "light", "when": "goods_gross_weight_kg < 100"}],
    }  # fmt: skip
    return list(rst.load_profile_documents([doc]))


def test_problems_are_worded_by_rule_engine() -> None:
    profiles = null_profile()
    shipments = [Shipment(), Shipment(packages=300), Shipment(goods_gross_weight_kg=6000.5)]
    expected = reference_outcomes(shipments, profiles, AS_OF)
    assert engine_outcomes(shipments, profiles, AS_OF) == expected
    first = expected[0][0]
    assert first.exception_problems
    assert first.exception_problems[0].startswith("exception light:")
    assert [r.problem is not None for r in first.results] == [True, True, False]


@settings(max_examples=depth(100), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    rst.profile_sets(),
    st.lists(st.one_of(rst.shipments(), rst.rule_shipments()), min_size=1, max_size=5),
    st.sampled_from([AS_OF, AS_OF.date(), "2026-11-02T09:00:00+05:00"]),
)
def test_random_profiles_give_rule_engines_outcomes(
    profiles: Any, shipments: list[Shipment], as_of: Any
) -> None:
    profile_list = list(profiles)
    expected = reference_outcomes(shipments, profile_list, as_of)
    assert engine_outcomes(shipments, profile_list, as_of) == expected


def test_rule_engine_evaluates_only_what_the_compiled_conditions_give_back(
    library: list[CompiledProfile], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipments = list(read_batch(EXAMPLE).shipments)[:20]
    calls: list[str] = []
    original = Condition.evaluate

    def counting(self: Condition, record: Any, as_of: Any) -> bool:
        calls.append(self.expression)
        return original(self, record, as_of)

    monkeypatch.setattr(Condition, "evaluate", counting)
    engine_outcomes(shipments, library, AS_OF)
    conditions = sum(len(p.indicators) + len(p.exceptions) for p in library)
    # Before: every condition on every shipment (here 20 x 161). The sample's shipments
    # are complete: nothing is given back.
    assert conditions >= 100
    assert calls == []
    # Only the conditions that cannot be evaluated on a null go to rule-engine.
    engine_outcomes([Shipment(), Shipment(packages=3)], null_profile(), AS_OF)
    assert calls == ["goods_gross_weight_kg < 100", "packages > 100",
                     "goods_gross_weight_kg > 5000", "goods_gross_weight_kg < 100",
                     "goods_gross_weight_kg > 5000"]  # fmt: skip


def test_threads_evaluating_at_other_times_each_get_their_own_answer() -> None:
    # A scoring service evaluates on several threads: the compiled conditions keep no
    # state between calls but caches of the same values (a list's entries in force are
    # looked up per evaluation time).
    doc = {
        "id": "test.threads",
        "version": 1,
        "title": "Lists in force at other times",
        "category": "other",
        "owner": "tests",
        "lists": {
            "ports": {
                "values": [{"value": "AEJEA", "expires": "2026-11-01"}, {"value": "PKKHI"}]
            }
        },
        "indicators": [
            {"id": "port", "title": "Listed port", "when": "port_of_loading in $ports",
             "weight": 10},
            {"id": "words", "title": "Word", "weight": 5,
             "when": '[w for w in ["SCRAP", "ACETONE"]'
                     ' if description =~~ ("\\\\b" + w + "\\\\b")]'},
            {"id": "heavy", "title": "Heavy", "when": "goods_gross_weight_kg > 5000", "weight": 1},
        ],
    }  # fmt: skip
    profiles = list(rst.load_profile_documents([doc]))
    shipments = [
        Shipment(port_of_loading=port, description=text, goods_gross_weight_kg=weight)
        for port in ("AEJEA", "PKKHI", None)
        for text in ("STEEL SCRAP", "ACETONE IN DRUMS", None)
        for weight in (6000.0, None)
    ]
    times = [AS_OF - dt.timedelta(days=10), AS_OF, AS_OF - dt.timedelta(days=3)]
    expected = {t: reference_outcomes(shipments, profiles, t) for t in times}
    assert expected[times[0]] != expected[times[1]]  # the list's entry expired between
    failures: list[str] = []

    def work(offset: int) -> None:
        for round_ in range(30):
            moment = times[(offset + round_) % len(times)]
            if engine_outcomes(shipments, profiles, moment) != expected[moment]:
                failures.append(f"thread {offset}, round {round_}, {moment}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
