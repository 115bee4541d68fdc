"""Facts of a run: the normalised conditions are made once per loaded profile, not on
every run (scoring one shipment at a time spent a third of its time on them)."""

from __future__ import annotations

from typing import Any

import pytest

from riskprofile.profiles import _facts, bundled_profiles_path, load_profiles
from riskprofile.profiles._facts import condition_fact, fact_groups


def test_fact_groups_normalise_each_condition_once(monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = list(load_profiles([bundled_profiles_path() / "base"]))
    expected = fact_groups(profiles)
    made: list[Any] = []
    original = _facts._node_text

    def counting(node: Any, lists: Any) -> str:
        made.append(node)
        return original(node, lists)

    monkeypatch.setattr(_facts, "_node_text", counting)
    for _ in range(3):
        assert fact_groups(profiles) == expected
    assert made == []  # made by the first call above, before counting


def test_the_same_rule_with_other_lists_is_normalised_again() -> None:
    profile = next(p for p in load_profiles([bundled_profiles_path() / "base"]) if p.lists)
    indicator = next(i for i in profile.indicators if i.condition.lists)
    name = sorted(indicator.condition.lists)[0]
    fact = condition_fact(indicator.condition, profile.lists)
    other = {**profile.lists, name: frozenset({"ZZZZZ"})}
    assert condition_fact(indicator.condition, other) != fact
    assert condition_fact(indicator.condition, profile.lists) == fact


def test_the_groups_of_the_same_profiles_are_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Scoring one shipment at a time regrouped every indicator on every call (0.4 ms of
    # the 0.6 ms a call spent outside evaluation).
    profiles = list(load_profiles([bundled_profiles_path() / "base"]))
    expected = fact_groups(profiles)
    looked_up: list[Any] = []
    original = _facts.condition_fact

    def counting(condition: Any, lists: Any) -> str:
        looked_up.append(condition)
        return original(condition, lists)

    monkeypatch.setattr(_facts, "condition_fact", counting)
    for _ in range(3):
        groups = fact_groups(profiles)
        assert groups == expected
        groups.clear()  # each call's own dict: changing it changes no other run's
    assert looked_up == []
    # Other profile objects (a reload) are grouped afresh, and give the same groups.
    reloaded = list(load_profiles([bundled_profiles_path() / "base"]))
    assert fact_groups(reloaded) == expected
    assert looked_up != []
