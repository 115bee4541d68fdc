"""A record made by ``record_of`` keeps each field's value once a condition has read it
(rule-engine checks the value's type on every read): the same results, fewer reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.model import Shipment
from riskprofile.profiles._explain import record_of
from riskprofile.profiles._expressions import Condition, compile_condition
from tests import strategies as rst
from tests.depth import depth

AS_OF = rst.RULE_AS_OF


def compiled(expression: str) -> Condition:
    condition = compile_condition(expression, rst.RULE_LISTS)
    assert isinstance(condition, Condition), condition
    return condition


def outcome(condition: Condition, record: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "value", condition.evaluate(record, AS_OF)
    except rule_engine.EngineError as exc:
        return type(exc).__name__, str(getattr(exc, "message", exc))


def test_a_field_is_resolved_once_per_record(monkeypatch: pytest.MonkeyPatch) -> None:
    resolved: list[str] = []
    original = rule_engine.Context.resolve

    def counting(self: rule_engine.Context, thing: Any, name: str, scope: Any = None) -> Any:
        if scope is None:
            resolved.append(name)
        return original(self, thing, name, scope)

    monkeypatch.setattr(rule_engine.Context, "resolve", counting)
    conditions = [
        compiled('port_of_loading == "PKKHI"'),
        compiled('port_of_loading =~ "PK.*" and port_of_loading != "AEJEA"'),
        compiled("port_of_loading in $codes or goods_gross_weight_kg > 10"),
    ]
    record = record_of(Shipment(port_of_loading="PKKHI", goods_gross_weight_kg=20.0))
    assert [c.evaluate(record, AS_OF) for c in conditions] == [True, True, True]
    assert sorted(resolved) == ["goods_gross_weight_kg", "port_of_loading"]
    plain = dict(record)  # any other mapping is read as rule-engine reads it
    resolved.clear()
    assert [c.evaluate(plain, AS_OF) for c in conditions] == [True, True, True]
    assert resolved.count("port_of_loading") == 4


def test_a_comprehension_variable_named_like_a_field_is_not_kept() -> None:
    condition = compiled(
        '[port_of_loading for port_of_loading in transshipment_ports if port_of_loading == "SGSIN"]'
    )
    record = record_of(Shipment(port_of_loading="PKKHI", transshipment_ports=["SGSIN"]))
    assert outcome(compiled('port_of_loading == "PKKHI"'), record) == ("value", True)
    assert outcome(condition, record) == ("value", True)
    record = record_of(Shipment(port_of_loading="SGSIN", transshipment_ports=["AEJEA"]))
    assert outcome(compiled('port_of_loading == "SGSIN"'), record) == ("value", True)
    assert outcome(condition, record) == ("value", False)


@settings(max_examples=depth(100), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(rst.rule_conditions(), min_size=1, max_size=5), rst.rule_shipments())
def test_kept_values_give_what_rule_engine_gives(
    expressions: list[str], shipment: Shipment
) -> None:
    """Several conditions on one record, twice over, give exactly (result or error and
    its message) what each gives on a plain copy of the record."""
    conditions = [compile_condition(e, rst.RULE_LISTS) for e in expressions]
    conditions = [c for c in conditions if isinstance(c, Condition)]
    record = record_of(shipment)
    for _ in range(2):
        for condition in conditions:
            try:
                expected = outcome(condition, dict(record))
            except Exception as exc:  # row-wise crashes: so must the kept record
                with pytest.raises(type(exc)):
                    outcome(condition, record)
                continue
            assert outcome(condition, record) == expected, condition.expression


def test_as_of_is_still_read_at_each_evaluation() -> None:
    condition = compiled("bl_issue_date == $today")
    record = record_of(Shipment(bl_issue_date=dt.date(2026, 11, 2)))
    assert condition.evaluate(record, dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC))
    assert not condition.evaluate(record, dt.datetime(2026, 11, 3, 9, tzinfo=dt.UTC))
