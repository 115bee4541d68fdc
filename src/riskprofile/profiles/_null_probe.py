"""Probing a condition on null fields, for the ``unevaluable_on_null`` lint: the values worth
trying per field so that the parts of a condition guarded by ``and`` are reached, and a
complete example record (every field of the catalogue at its example value) to null
fields in one at a time.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from typing import Any

from rule_engine import ast as re_ast

from riskprofile.profiles._compiled import CompiledProfile
from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._tree import walk


def _null_probe_values(condition: Condition, profile: CompiledProfile) -> dict[str, list[Any]]:
    """Values worth trying per field so that the parts of a condition guarded by ``and``
    are reached: the literals it compares the field with, a value of the list it looks the
    field up in, both truth values of a true/false field."""
    values: dict[str, list[Any]] = defaultdict(list)
    for node in walk(condition.rule.statement):
        if isinstance(node, re_ast.ComparisonExpression):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if not (isinstance(side, re_ast.SymbolExpression) and side.scope is None):
                    continue
                if isinstance(other, re_ast.StringExpression | re_ast.BooleanExpression):
                    values[side.name].append(other.value)
                elif isinstance(other, re_ast.FloatExpression):
                    step = {"gt": 1, "ge": 0, "lt": -1, "le": 0}.get(node.type, 0)
                    values[side.name].append(float(other.value) + step)
        elif isinstance(node, re_ast.ContainsExpression):
            member, container = node.member, node.container
            if (
                isinstance(member, re_ast.SymbolExpression)
                and member.scope is None
                and isinstance(container, re_ast.SymbolExpression)
                and container.scope == "built-in"
                and profile.lists.get(container.name)
            ):
                values[member.name].append(sorted(profile.lists[container.name], key=str)[0])
    # A list field a comprehension walks: a one-element list of what its variable is
    # compared with ([h for h in hs_headings if h != "8517"] reaches past it with 8517).
    for node in walk(condition.rule.statement):
        if (
            isinstance(node, re_ast.ComprehensionExpression)
            and isinstance(node.iterable, re_ast.SymbolExpression)
            and node.iterable.scope is None
        ):
            for value in values.get(node.variable, []):
                values[node.iterable.name].append((value,))
    types = _catalogue_types()
    for name in condition.fields:
        if types.get(name) == "boolean":
            values[name] += [True, False]
    return {name: list(dict.fromkeys(found))[:4] for name, found in values.items() if name in types}


@functools.cache
def _catalogue_types() -> dict[str, str]:
    from riskprofile.model.shipment import field_catalogue

    return {f.name: f.type for f in field_catalogue()}


@functools.cache
def _example_record() -> dict[str, Any]:
    from riskprofile.model.shipment import Shipment, field_catalogue
    from riskprofile.profiles._explain import record_of

    return record_of(
        Shipment(**{f.name: f.example for f in field_catalogue() if f.example is not None})
    )
