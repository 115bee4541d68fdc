"""Compiled conditions reused across loads (profiles._reuse) behave as freshly compiled
ones, each reading its own profile's lists; a change that can change what a condition
compiles to (its text, a list's kind, a custom field's type) is compiled again."""

from __future__ import annotations

import datetime as dt
import functools
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_engine import ast as re_ast

from riskprofile.errors import ProfileSetError
from riskprofile.model import Shipment
from riskprofile.profiles import _reuse, load_all_profiles, load_profiles
from riskprofile.profiles._explain import record_of
from riskprofile.profiles._expressions import (
    Condition,
    compile_condition,
    condition_builtins,
    custom_field_types,
)
from riskprofile.profiles._tree import walk
from tests.depth import depth
from tests.strategies import RULE_AS_OF, RULE_LISTS, rule_conditions, rule_shipments


@pytest.fixture(autouse=True)
def _no_templates() -> Iterator[None]:
    _reuse.forget_compiled()
    yield
    _reuse.forget_compiled()


class _Slot:
    """A list filled after its conditions compile, as the loader's are."""

    def __init__(self) -> None:
        self.values: set[Any] = set()

    def at(self, as_of: dt.datetime | None) -> set[Any]:
        return self.values

    def epoch(self, as_of: dt.datetime) -> int:
        return 0


def _slots() -> tuple[dict[str, tuple[str, Any]], dict[str, _Slot]]:
    slots = {name: _Slot() for name in RULE_LISTS}
    return {name: (kind, slots[name]) for name, (kind, _) in RULE_LISTS.items()}, slots


def _outcome(condition: Condition, shipment: Shipment) -> Any:
    try:
        return condition.evaluate(record_of(shipment), RULE_AS_OF)
    except rule_engine.EngineError as exc:
        return type(exc).__name__


def _reused(expression: str) -> tuple[Any, dict[str, _Slot]]:
    lists, slots = _slots()
    return _reuse.compile_reused(expression, lists, builtins=condition_builtins(lists)), slots


@settings(max_examples=depth(150), suppress_health_check=[HealthCheck.too_slow])
@given(rule_conditions(), st.lists(rule_shipments(), min_size=1, max_size=4), st.booleans())
def test_a_copy_evaluates_as_a_fresh_compile_with_its_own_lists(
    expression: str, shipments: list[Shipment], emptied: bool
) -> None:
    first, first_slots = _reused(expression)  # compiled, and kept as a template
    copy, copy_slots = _reused(expression)  # copied from the template
    lists, slots = _slots()
    fresh = compile_condition(expression, lists)
    if isinstance(fresh, list):
        assert first == fresh
        assert copy == fresh
        return
    assert isinstance(first, Condition)
    assert isinstance(copy, Condition)
    assert copy.rule is not first.rule
    for name, (_, values) in RULE_LISTS.items():
        slots[name].values = copy_slots[name].values = set(values)
        # The first one's lists differ: the copy must never read them.
        first_slots[name].values = set() if emptied else {"XX", 99}
    for shipment in shipments:
        assert _outcome(copy, shipment) == _outcome(fresh, shipment), expression
    assert (copy.fields, copy.lists, copy.reads_time) == (
        fresh.fields,
        fresh.lists,
        fresh.reads_time,
    )
    assert sorted(copy.timed_lists) == sorted(fresh.timed_lists)
    assert all(copy.timed_lists[n] is copy_slots[n] for n in copy.timed_lists)


def _nodes_of(condition: Condition) -> list[Any]:
    return list(walk(condition.rule.statement))


def test_a_copy_shares_no_node_context_or_evaluator_with_its_template() -> None:
    text = (
        '[w for w in $words if description =~~ ("\\\\b" + w + "\\\\b")] and '
        "goods_gross_weight_kg + 1 > 3 and not port_of_loading in $codes and "
        "[h for h in hs_codes if h[:2] in $codes].length > 0"
    )
    lists, _ = _slots()
    builtins = condition_builtins(lists)
    first = _reuse.compile_reused(text, lists, builtins=builtins)
    copy = _reuse.compile_reused(text, lists, builtins=builtins)
    assert isinstance(first, Condition)
    assert isinstance(copy, Condition)
    template = next(iter(_reuse._TEMPLATES.values()))
    others = {id(n) for n in _nodes_of(first) + _nodes_of(template)}
    context = copy.rule.context
    assert context is not first.rule.context
    assert context.builtins is builtins
    assert context.symbols == first.rule.context.symbols
    assert context.symbols is not first.rule.context.symbols
    assert template.rule.context.builtins is None  # no profile's lists kept alive
    for node in _nodes_of(copy):
        assert id(node) not in others
        assert node.context is context
        evaluator = getattr(node, "_evaluator", None)
        if isinstance(evaluator, functools.partial):
            evaluator = evaluator.func
        if isinstance(evaluator, types.MethodType):
            assert evaluator.__self__ is node
        for value in list(getattr(node, "__dict__", {}).values()):
            assert not isinstance(value, rule_engine.Context) or value is context


def test_a_condition_compiled_with_list_values_is_never_kept() -> None:
    # A list's values can make a condition fail its checks: never shared.
    compiled = _reuse.compile_reused(
        "port_of_loading in $codes", RULE_LISTS, builtins=condition_builtins(RULE_LISTS)
    )
    assert isinstance(compiled, Condition)
    assert not _reuse._TEMPLATES


def test_problems_are_never_kept() -> None:
    lists, _ = _slots()
    for _ in range(2):
        found = _reuse.compile_reused("nope == 1", lists, builtins=condition_builtins(lists))
        assert isinstance(found, list)
    assert not _reuse._TEMPLATES


def test_a_list_of_another_kind_is_compiled_again() -> None:
    number = {"codes": ("number", _Slot())}
    text = {"codes": ("string", _Slot())}
    expression = "packages in $codes"
    for first, second in ((number, text), (text, number)):
        _reuse.forget_compiled()
        one = _reuse.compile_reused(expression, first, builtins=condition_builtins(first))
        two = _reuse.compile_reused(expression, second, builtins=condition_builtins(second))
        kinds = [isinstance(c, Condition) for c in (one, two)]
        assert kinds == ([True, False] if first is number else [False, True])


def test_a_custom_field_of_another_type_is_compiled_again() -> None:
    lists: dict[str, Any] = {}
    builtins = condition_builtins(lists)
    number = custom_field_types({"office": "number"})
    text = custom_field_types({"office": "text"})
    ok = _reuse.compile_reused("x_office > 3", lists, builtins=builtins, custom=number)
    refused = _reuse.compile_reused("x_office > 3", lists, builtins=builtins, custom=text)
    assert isinstance(ok, Condition)
    assert isinstance(refused, list)


def test_a_tree_holding_what_is_not_known_to_be_shareable_is_never_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_reuse, "_SHARED", (str, type(None)))  # numbers unknown
    lists, _ = _slots()
    for _ in range(2):
        compiled = _reuse.compile_reused(
            "goods_gross_weight_kg > 3", lists, builtins=condition_builtins(lists)
        )
        assert isinstance(compiled, Condition)
    assert not _reuse._TEMPLATES


PROFILE = """\
id: test.reuse
version: 1
title: Reuse
category: other
owner: test
lists:
  ports: {values: [%s]}
indicators:
  - id: port
    title: Port
    weight: 10
    when: port_of_loading in $ports
"""


def _hit(path: Path, port: str) -> bool:
    profile = load_profiles(path).profiles[0]
    shipment = Shipment.model_validate({"shipment_id": "s1", "port_of_loading": port})
    return profile.indicators[0].evaluate(record_of(shipment), RULE_AS_OF).hit


def test_two_loads_with_other_list_values_give_their_own_results(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(PROFILE % "PKKHI", encoding="utf-8")
    b.write_text(PROFILE % "AEJEA", encoding="utf-8")
    assert _hit(a, "PKKHI")
    assert not _hit(b, "PKKHI")  # copied from a's template, reading b's list
    assert _hit(b, "AEJEA")
    assert not _hit(a, "AEJEA")
    a.write_text(PROFILE % "AEJEA", encoding="utf-8")  # the file changed
    assert _hit(a, "AEJEA")
    assert not _hit(a, "PKKHI")


def test_a_changed_condition_is_compiled_again(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PROFILE % "PKKHI", encoding="utf-8")
    assert _hit(path, "PKKHI")
    path.write_text(
        (PROFILE % "PKKHI").replace("port_of_loading in $ports", "port_of_loading in $port"),
        encoding="utf-8",
    )
    with pytest.raises(ProfileSetError, match=r"unknown list \$port"):
        load_profiles(path)


def test_the_bundled_library_loads_the_same_from_templates() -> None:
    first = load_all_profiles(bundled=True)
    second = load_all_profiles(bundled=True)  # every condition a copy
    assert [p.fingerprint for p in first] == [p.fingerprint for p in second]
    for one, two in zip(first, second, strict=True):
        for a, b in zip(one.indicators, two.indicators, strict=True):
            assert a.condition.rule is not b.condition.rule
            assert (a.condition.expression, a.condition.fields, a.condition.lists) == (
                b.condition.expression,
                b.condition.fields,
                b.condition.lists,
            )
            assert [type(n) for n in _nodes_of(a.condition)] == [
                type(n) for n in _nodes_of(b.condition)
            ]
            for n in _nodes_of(b.condition):
                assert n.context is b.condition.rule.context
        builtins = {id(i.condition.rule.context.builtins) for i in two.indicators}
        assert len(builtins) <= 1  # one set of built-ins per profile, as compiled
    assert re_ast  # (the module's node types are what walk() yields)
