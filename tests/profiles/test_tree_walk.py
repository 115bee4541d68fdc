"""walk() over rule-engine syntax trees, with each node class's slots worked out once."""

from __future__ import annotations

from typing import Any

import rule_engine
from rule_engine import ast as re_ast

from riskprofile.profiles._tree import _slot_names, walk


def test_walk_visits_every_node_parents_first() -> None:
    rule = rule_engine.Rule("a + b > 1 and not c", context=rule_engine.Context())
    names = [type(node).__name__ for node in walk(rule.statement)]
    assert names == [
        "Statement",
        "LogicExpression",
        "ArithmeticComparisonExpression",
        "AddExpression",
        "SymbolExpression",
        "SymbolExpression",
        "FloatExpression",
        "UnaryExpression",
        "SymbolExpression",
    ]


def test_slots_are_worked_out_per_class_not_per_base() -> None:
    # The slot names are cached by node class: a subclass that adds a slot has its own
    # entry, and a child held in that slot is walked.
    class Wrapped(re_ast.UnaryExpression):  # type: ignore[misc]
        __slots__ = ("extra",)

    context = rule_engine.Context()
    inner = re_ast.SymbolExpression(context, "x")
    extra = re_ast.SymbolExpression(context, "y")
    base_node: Any = re_ast.UnaryExpression(context, "NOT", inner)
    node: Any = Wrapped(context, "NOT", inner)
    node.extra = extra
    assert "extra" not in _slot_names(re_ast.UnaryExpression)
    assert _slot_names(Wrapped)[0] == "extra"
    assert [n.name for n in walk(base_node) if isinstance(n, re_ast.SymbolExpression)] == ["x"]
    walked = [n.name for n in walk(node) if isinstance(n, re_ast.SymbolExpression)]
    assert sorted(walked) == ["x", "y"]
    assert "context" not in _slot_names(Wrapped)


def test_walk_gives_the_order_of_a_recursive_walk_on_every_bundled_condition() -> None:
    from riskprofile.profiles import load_all_profiles
    from riskprofile.profiles._tree import _children

    def recursive(node: Any) -> list[Any]:
        found = [node]
        for child in _children(node):
            found += recursive(child)
        return found

    conditions = [
        part.condition
        for profile in load_all_profiles(bundled=True)
        for part in (*profile.indicators, *profile.exceptions)
    ]
    assert conditions
    for condition in conditions:
        statement = condition.rule.statement
        assert [id(n) for n in walk(statement)] == [id(n) for n in recursive(statement)]
