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
