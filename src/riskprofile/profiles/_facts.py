"""Facts: which indicators of a run test the same thing, so that it counts once.

Two indicators test the same *fact* when their conditions are the same once normalised
(the rule-engine syntax tree written out canonically, each watch list replaced by its
sorted values, so that two profiles' ``$source_ports`` are the same fact only when they
hold the same ports), or when they declare the same ``fact:`` key. Both relations chain:
indicators linked either way form one fact.

Only indicators that add risk (weight above 0) share facts: a risk-lowering indicator
lowers its own profile's score only (floored at 0, so never another profile's), and an
indicator of weight 0 adds nothing to count twice. :func:`fact_groups` gives each
indicator of a shared fact its group and its precedence: the highest weight first, then
profile order (by id), then indicator order. On a shipment, the first hit of a group in
that order is the one that counts (see :mod:`riskprofile.scoring`).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rule_engine import ast as re_ast

from riskprofile.profiles._compiled import CompiledIndicator, CompiledProfile
from riskprofile.profiles._expressions import Condition

__all__ = ["SharedFact", "condition_fact", "describe_counted_in", "fact_groups"]

_SKIPPED = frozenset({"context", "result_type", "comment"})


def _node_text(node: Any, lists: Mapping[str, frozenset[Any]]) -> str:
    if isinstance(node, re_ast.SymbolExpression):
        if node.scope == "built-in" and node.name in lists:
            return "list[" + ",".join(sorted(repr(_plain(v)) for v in lists[node.name])) + "]"
        return f"symbol({node.scope},{node.name})"
    names: list[str] = []
    for cls in type(node).__mro__:
        names += [n for n in getattr(cls, "__slots__", ()) if n not in names]
    names += [n for n in getattr(node, "__dict__", {}) if n not in names]
    parts = [
        f"{name}={_value_text(getattr(node, name, None), lists)}"
        for name in names
        if name not in _SKIPPED and not name.startswith("_")
    ]
    return f"{type(node).__name__}(" + ",".join(parts) + ")"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):
        return Decimal(repr(value)).normalize()
    return value


def _value_text(value: Any, lists: Mapping[str, frozenset[Any]]) -> str:
    if isinstance(value, re_ast.ASTNodeBase):
        return _node_text(value, lists)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_value_text(v, lists) for v in value) + "]"
    if isinstance(value, set | frozenset):
        return "{" + ",".join(sorted(_value_text(v, lists) for v in value)) + "}"
    return repr(_plain(value))


def condition_fact(condition: Condition, lists: Mapping[str, frozenset[Any]]) -> str:
    """The normalised form of a condition: equal for conditions that test the same thing
    written with other spacing, line breaks, comments or list names (a watch list stands
    for its sorted values).

    >>> from riskprofile.profiles._expressions import compile_condition
    >>> a = compile_condition('freight_payer_role == "third_party"', {})
    >>> b = compile_condition('freight_payer_role  ==  "third_party"  # paid by another', {})
    >>> condition_fact(a, {}) == condition_fact(b, {})
    True
    """
    cached = _FACTS.get(condition.rule)
    if cached is not None and cached[0] is lists:
        return cached[1]
    text = _node_text(condition.rule.statement.expression, lists)
    _FACTS[condition.rule] = (lists, text)
    return text


# Normalised conditions by compiled rule, with the lists they were made with (a compiled
# profile's, never changed after loading): every run recomputed them for every indicator,
# about a third of the time of scoring one shipment. Weak keys: a rule no longer loaded
# goes.
_FACTS: weakref.WeakKeyDictionary[Any, tuple[Mapping[str, frozenset[Any]], str]] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class SharedFact:
    """An indicator's place in a fact that several indicators of a run test.

    Attributes:
        group: the fact's number in the run (from 0).
        rank: the indicator's precedence in the run (lower first): the first hit of a
            group on a shipment, in this order, is the one that counts.
    """

    group: int
    rank: int


# The groups of the last few runs' profiles (the very objects: compiled profiles never
# change), so that scoring one shipment at a time does not regroup 100 indicators on
# every call (about 0.4 ms of the 0.6 ms a call spends outside evaluation).
_GROUPS: list[tuple[tuple[CompiledProfile, ...], dict[tuple[str, str], SharedFact]]] = []
_GROUPS_KEPT = 4


def fact_groups(profiles: Sequence[CompiledProfile]) -> dict[tuple[str, str], SharedFact]:
    """(profile id, indicator id) -> :class:`SharedFact` for every indicator whose fact
    another indicator of ``profiles`` (in run order: by id) also tests; indicators that
    test a fact alone are not in the result."""
    key = tuple(profiles)
    for kept, groups in _GROUPS:
        if len(kept) == len(key) and all(a is b for a, b in zip(kept, key, strict=True)):
            return dict(groups)
    groups = _fact_groups(key)
    _GROUPS.insert(0, (key, groups))
    del _GROUPS[_GROUPS_KEPT:]
    return dict(groups)


def _fact_groups(profiles: Sequence[CompiledProfile]) -> dict[tuple[str, str], SharedFact]:
    candidates: list[tuple[CompiledProfile, CompiledIndicator, int, int]] = []
    for p_index, profile in enumerate(profiles):
        for i_index, ind in enumerate(profile.indicators):
            if ind.weight > 0:
                candidates.append((profile, ind, p_index, i_index))
    parent = list(range(len(candidates)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    first: dict[str, int] = {}
    for n, (profile, ind, _p, _i) in enumerate(candidates):
        keys = ["when:" + condition_fact(ind.condition, profile.lists)]
        if ind.indicator.fact is not None:
            keys.append("fact:" + ind.indicator.fact)
        for key in keys:
            other = first.setdefault(key, n)
            parent[root(n)] = root(other)
    members: dict[int, list[int]] = {}
    for n in range(len(candidates)):
        members.setdefault(root(n), []).append(n)
    order = sorted(
        range(len(candidates)),
        key=lambda n: (-candidates[n][1].weight, candidates[n][2], candidates[n][3]),
    )
    rank = {n: place for place, n in enumerate(order)}
    shared: dict[tuple[str, str], SharedFact] = {}
    groups = [m for m in members.values() if len(m) > 1]
    groups.sort(key=lambda m: min(rank[n] for n in m))
    for group, found in enumerate(groups):
        for n in found:
            profile, ind, _p, _i = candidates[n]
            shared[(profile.id, ind.id)] = SharedFact(group, rank[n])
    return shared


def describe_counted_in(own_profile: str, counted_in: str) -> str:
    """The words added to a hit that does not count because another hit of the same fact
    does (``counted_in`` is ``<profile>/<indicator>``)."""
    profile, _, indicator = counted_in.partition("/")
    if profile == own_profile:
        return f" (also as indicator {indicator} of this profile, counted once)"
    return f" (also in profile {profile}, counted once)"
