"""Conditions compiled into closures return exactly what rule-engine returns, or give the
case back (raise) for rule-engine to decide: never another value.

The reference is ``Condition.evaluate`` on ``record_of(shipment)``; the compiled form is
called as the row-wise engine calls it (inside the rule's decimal context).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import read_batch
from riskprofile.engines._compiled_rules import CompiledRule, compiled_rule
from riskprofile.model import Shipment, flatten
from riskprofile.profiles import bundled_profiles_path, load_all_profiles
from riskprofile.profiles._builtins import _Re2Rule
from riskprofile.profiles._compiled import CompiledList, ListEntry
from riskprofile.profiles._explain import record_of
from riskprofile.profiles._expressions import Condition, _context, compile_condition
from riskprofile.synth import generate_manifests
from tests import strategies as rst
from tests.depth import depth
from tests.records import fresh, records_of

AS_OF = rst.RULE_AS_OF
TODAY = AS_OF.replace(hour=0, minute=0)
EXAMPLE = Path(__file__).parents[2] / "examples" / "data" / "karachi-sample.csv"

_GIVEN_BACK = object()


def reference(condition: Condition, record: Any, as_of: dt.datetime = AS_OF) -> Any:
    """rule-engine's answer: the hit, or the error it raises (its type and words)."""
    try:
        return condition.evaluate(record, as_of)
    except rule_engine.EngineError as exc:
        return (type(exc).__name__, str(getattr(exc, "message", exc)))


def fast(rule: CompiledRule, record: Any, as_of: dt.datetime = AS_OF) -> Any:
    """The compiled answer, or ``_GIVEN_BACK`` when it leaves the case to rule-engine."""
    today = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return rule.alone(record, as_of, today)
    except Exception:
        return _GIVEN_BACK


def compiled(expression: str, lists: Any = rst.RULE_LISTS) -> tuple[Condition, CompiledRule]:
    condition = compile_condition(expression, lists)
    assert isinstance(condition, Condition), condition
    rule = compiled_rule(condition)
    assert rule is not None, expression
    return condition, rule


def check(condition: Condition, rule: CompiledRule, shipments: Sequence[Shipment]) -> int:
    """Compare on every shipment; the number of shipments the compiled form decided."""
    return check_records(condition, rule, shipments, records_of(shipments))


def check_records(
    condition: Condition,
    rule: CompiledRule,
    shipments: Sequence[Shipment],
    records: Sequence[dict[str, Any]],
) -> int:
    """:func:`check` with the shipments' records made once (``records_of``): each answer
    on a fresh copy."""
    decided = 0
    for shipment, record in zip(shipments, records, strict=True):
        expected = reference(condition, fresh(record))
        got = fast(rule, fresh(record))
        if got is not _GIVEN_BACK:
            assert got is expected, (condition.expression, shipment, got, expected)
            decided += 1
    return decided


@settings(max_examples=depth(300), deadline=None, suppress_health_check=list(HealthCheck))
@given(rst.rule_conditions(), st.lists(rst.rule_shipments(), min_size=1, max_size=6))
def test_random_conditions_give_rule_engines_answer_or_give_back(
    expression: str, shipments: list[Shipment]
) -> None:
    condition = compile_condition(expression, rst.RULE_LISTS)
    if not isinstance(condition, Condition):
        return  # a generated expression that does not type-check
    rule = compiled_rule(condition)
    assert rule is not None, expression  # every node the generator makes is compiled
    check(condition, rule, shipments)
    # The record's field reads are shared with rule-engine's own: a compiled pass first
    # must not change what rule-engine then reads.
    for shipment in shipments:
        record = record_of(shipment)
        fast(rule, record)
        assert reference(condition, record) == reference(condition, record_of(shipment))


@pytest.fixture(scope="module")
def library() -> list[tuple[str, Condition]]:
    items = []
    for profile in load_all_profiles(bundled_profiles_path()):
        for indicator in profile.indicators:
            items.append((f"{profile.id}:{indicator.id}", indicator.condition))
        for exception in profile.exceptions:
            items.append((f"{profile.id}:except:{exception.id}", exception.condition))
    return items


def test_every_bundled_condition_is_compiled_and_decides_the_example_data(
    library: list[tuple[str, Condition]],
) -> None:
    sample = list(read_batch(EXAMPLE).shipments)[:120]
    generated = [s for m in generate_manifests(seed=11, containers=40) for s in flatten(m)]
    shipments = sample + generated
    records = records_of(shipments)
    evaluations = decided = 0
    for key, condition in library:
        rule = compiled_rule(condition)
        assert rule is not None, key
        decided += check_records(condition, rule, shipments, records)
        evaluations += len(shipments)
    # Giving a case back is for what cannot be evaluated (nulls): rare in real data.
    assert decided >= 0.9 * evaluations


@pytest.mark.parametrize(
    ("expression", "shipment"),
    [
        ("packages > 1", Shipment()),  # ordering a null: rule-engine raises
        ("packages > 1", Shipment(packages=3)),
        ("packages <= days_bl_to_arrival", Shipment()),  # two nulls are equal
        ('"A" in description', Shipment()),  # a null container
        ('route_countries[0] == "AF"', Shipment()),
        ('route_countries&[0] == "AF"', Shipment()),
        ('place_of_delivery&.starts_with("AF")', Shipment()),
        ("(declared_value ?? 0) / (packages ?? 0) > 1", Shipment(declared_value=Decimal(5))),
        ("description.length > 3", Shipment()),
        ('description =~~ "X"', Shipment()),
        ('description !~ "X"', Shipment()),
        # Values of two types are never equal in rule-engine (Python: Decimal(1) == True).
        ("(is_lcl ? 1 : false) == true", Shipment(is_lcl=True)),
        ("(is_lcl ? 1 : false) != true", Shipment(is_lcl=True)),
    ],
)
def test_a_case_given_back_gets_rule_engines_own_words(expression: str, shipment: Shipment) -> None:
    condition, rule = compiled(expression)
    check(condition, rule, [shipment])


def test_comprehension_variables_resolve_outermost_first() -> None:
    # rule-engine searches its assignment scopes from the outermost: in the inner
    # comprehension, x is still the outer x.
    expression = '[x for x in route_countries if [x for x in ["AF"] if x == "PK"].length > 0]'
    condition, rule = compiled(expression)
    shipments = [Shipment(route_countries=["PK", "AF"]), Shipment(route_countries=["AF"])]
    assert [reference(condition, record_of(s)) for s in shipments] == [True, False]
    assert check(condition, rule, shipments) == 2


def test_values_kept_from_a_list() -> None:
    # [x for x in values if x in $list] runs as one loop; inside another comprehension
    # binding x, x is the outer x (and the loop is not used).
    shipments = [
        Shipment(route_countries=["PK", "AF"], hs_chapters=["84", "AF", "CN"]),
        Shipment(route_countries=["CN"], hs_chapters=["84"]),
        Shipment(route_countries=[], hs_chapters=[]),
        Shipment(route_countries=["AF"], hs_chapters=["93"]),
    ]
    for expression in (
        "[x for x in hs_chapters if x in $codes]",
        "[x for x in hs_chapters if x in $codes].length > 0",
        "[x for x in route_countries if [x for x in hs_chapters if x in $codes].length > 0]",
        "[y for y in route_countries if [x for x in hs_chapters if x in $codes].length > 1]",
        "[x for x in hs_chapters if x in $words or x in $codes]",
        "[x for x in hs_chapters if x in $codes or x in $codes]",
        '[x for x in hs_chapters if x in $words or x == "84"]',
    ):
        condition, rule = compiled(expression)
        assert check(condition, rule, shipments) == len(shipments), expression
        for shipment in shipments:
            expected = condition.rule.evaluate(record_of(shipment))
            with decimal.localcontext(rule.decimal_context):
                assert rule._run(record_of(shipment), [AS_OF, TODAY, None, None]) == expected


def test_arithmetic_runs_in_the_rules_decimal_context() -> None:
    condition, rule = compiled("packages * 1.2345 == 12.345")
    shipment = Shipment(packages=10)
    with decimal.localcontext(prec=3):  # the caller's context is not the rule's
        assert reference(condition, record_of(shipment)) is True
        assert fast(rule, record_of(shipment)) is True


def test_a_list_with_expiring_entries_is_the_one_in_force() -> None:
    expires = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    ports = CompiledList(
        "ports", "string", (ListEntry("AEJEA", expires), ListEntry("PKKHI")), ("value",)
    )
    condition, rule = compiled("port_of_loading in $ports", {"ports": ("string", ports)})
    shipment = Shipment(port_of_loading="AEJEA")
    before, after = expires - dt.timedelta(days=1), expires + dt.timedelta(days=1)
    for as_of in (before, after, before):
        expected = reference(condition, record_of(shipment), as_of)
        assert fast(rule, record_of(shipment), as_of) is expected
    assert reference(condition, record_of(shipment), before) is True
    assert reference(condition, record_of(shipment), after) is False


def test_a_condition_with_an_unknown_node_is_left_to_rule_engine() -> None:
    condition = compile_condition("(packages & 1) == 1", {})
    assert isinstance(condition, Condition)
    assert compiled_rule(condition) is None
    assert compiled_rule(condition) is None  # decided once


def test_now_and_today_are_the_evaluation_time() -> None:
    condition, rule = compiled('arrival >= $now - t"PT12H" and bl_issue_date < $today')
    shipment = Shipment(
        arrival=AS_OF - dt.timedelta(hours=1), bl_issue_date=(AS_OF - dt.timedelta(days=1)).date()
    )
    assert reference(condition, record_of(shipment)) is True
    assert check(condition, rule, [shipment]) == 1


@pytest.mark.parametrize("operator", ["=~~", "=~", "!~~", "!~"])
def test_words_of_a_list_searched_in_a_text(operator: str) -> None:
    # A word without regex syntax matches only where it is written: a text without it is
    # not searched. Words with regex syntax are searched as rule-engine does.
    words = frozenset({"SCRAP", "C+", "A.B", "ÆØÅ", "SCRAP METAL", "", "a", "X|Y"})
    expression = f'[w for w in $words if description {operator} ("\\\\b" + w + "\\\\b")]'
    texts = ["SCRAP", "scrap", "AXB STEEL", "A.B", "C++ BOOKS", "CCC", "ÆØÅ SCRAP", "SCRAPMETAL",
             "SCRAP METAL\nX", "", "a b", "Y", None]  # fmt: skip
    shipments = [Shipment(description=t) for t in texts]
    lists = {"words": ("string", words)}
    condition, rule = compiled(f"{expression}.length > 0", lists)
    assert check(condition, rule, shipments) == len(shipments)
    # The words found, in the list's order: the very tuple rule-engine builds.
    condition, rule = compiled(expression, lists)
    for shipment in shipments:
        expected = condition.rule.evaluate(record_of(shipment))
        with decimal.localcontext(rule.decimal_context):
            assert rule._run(record_of(shipment), [AS_OF, TODAY, None]) == expected


def test_a_word_that_makes_an_invalid_pattern_is_given_back() -> None:
    # Loading refuses such a list; a condition compiled around the loader still gives
    # rule-engine's error, through rule-engine.
    expression = '[w for w in $words if description =~~ ("\\\\b" + w + "\\\\b")]'
    lists = {"words": ("string", frozenset({"(X", "X"}))}
    rule_ = _Re2Rule(expression, context=_context(lists))
    condition = Condition(expression, rule_, frozenset({"description"}), frozenset({"words"}))
    rule = compiled_rule(condition)
    assert rule is not None
    shipments = [Shipment(description=t) for t in ("A (X", "Q", None)]
    assert {reference(condition, record_of(s))[0] for s in shipments} == {"RegexSyntaxError"}
    assert check(condition, rule, shipments) == 0
