"""Compiled conditions mean what they say.

The property: for generated conditions over the field catalogue (numbers compared with
numbers, texts with texts and lists, true/false fields, nulls, membership in list fields
and watch lists, combined with ``and``, ``or`` and ``not``), the compiled rule and a
plain-Python reading of the same condition agree on generated shipments, nulls included.

The reference semantics, as rule-engine documents them:

- numbers are decimals (a Python float enters as ``Decimal(repr(value))``), so integer,
  float and decimal fields compare alike with a literal;
- ``==`` with null is false and ``!=`` is true; an ordering comparison (``<``, ``<=``,
  ``>``, ``>=``) with null *cannot be evaluated*: an error, which an indicator reports
  as "not a hit" with the reason;
- ``x in $list`` and ``x in [...]`` are false for a null ``x`` (``not in`` true);
- a bare true/false field is its truth value, null counting as false, and ``not`` negates
  the truth value (so ``not null`` is true);
- ``and`` and ``or`` evaluate left to right and stop as soon as the result is known: an
  error on the right of ``false and ...`` never happens.

Also: ``$now``/``$today`` are the ``as_of`` time given, and explanations are readable.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import rule_engine
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from riskprofile.model import Shipment
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles import (
    CompiledIndicator,
    Indicator,
    field_types,
    record_of,
    render_explanation,
)
from riskprofile.profiles._expressions import Condition, compile_condition
from tests.depth import depth

AS_OF = dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.UTC)

# --- the field catalogue, by kind -----------------------------------------------------------

NUMBER_FIELDS = {
    "packages": st.none() | st.integers(-2, 50) | st.sampled_from([1200, 1500]),
    "transshipment_count": st.integers(0, 4),
    "seal_count": st.integers(0, 3),
    "days_bl_to_arrival": st.none() | st.integers(-3, 45),
    "value_per_kg": st.none()
    | st.sampled_from([0.0, 0.001, 0.3, 0.7, 2.5, 1499.99, 1500.0])
    | st.just(0.1 + 0.2),
    "goods_gross_weight_kg": st.none() | st.sampled_from([0.0, 12.0, 21600.0, 1500.0, 2.5]),
    "declared_value": st.none()
    | st.sampled_from([Decimal("0.70"), Decimal("1500"), Decimal("15120.00"), Decimal(-1)]),
    "container_length_ft": st.none() | st.sampled_from([20.0, 40.0, 45.0, 10.0]),
}
NUMBER_LITERALS = ["0", "1", "2", "3", "12", "20", "40", "45", "0.3", "0.7", "2.5", "-1", "1500"]

PORTS = ["ECGYE", "COBUN", "PAMIT", "AEJEA", "PKKHI", "NLRTM"]
COUNTRIES = ["EC", "CO", "PA", "AE", "PK", "CN"]
TEXT_FIELDS = {
    "port_of_loading": PORTS,
    "port_of_discharge": PORTS,
    "shipper_country": COUNTRIES,
    "consignee_country": COUNTRIES,
    "container_type": ["reefer", "general", "tank", "open_top"],
    "freight_terms": ["prepaid", "collect"],
    "consignee_name": ["TO ORDER", "ZETA TRADING LLC", "KHAN LOGISTICS"],
}
NOT_NULL_TEXT_FIELDS = {"goods_scope": ["container", "bill_of_lading"]}
BOOLEAN_FIELDS = ["shipper_aeo", "consignee_aeo", "container_full", "container_number_valid"]
NOT_NULL_BOOLEAN_FIELDS = ["is_lcl", "is_house_bl", "container_declared"]
CHAPTERS = ["08", "20", "27", "29", "69", "85"]
LIST_FIELDS = {
    "hs_chapters": CHAPTERS,
    "transshipment_ports": PORTS,
    "route_countries": COUNTRIES,
    "origin_countries": COUNTRIES,
}

WATCH_LISTS: dict[str, tuple[str, frozenset[Any]]] = {
    # As the loader builds them: texts, or decimals for a number list.
    "ports": ("string", frozenset(["ECGYE", "COBUN", "PAMIT"])),
    "countries": ("string", frozenset(["EC", "CO", "AE"])),
    "chapters": ("string", frozenset(["08", "20", "27"])),
    "sizes": ("number", frozenset([Decimal(20), Decimal(40)])),
}
STRING_LISTS = {"ports": PORTS, "countries": COUNTRIES, "chapters": CHAPTERS}


def test_the_generated_fields_cover_every_kind_in_the_catalogue() -> None:
    types = {f.name: f.type for f in field_catalogue()}
    nullable = {f.name for f in field_catalogue() if f.nullable}
    assert {types[n] for n in NUMBER_FIELDS} == {"integer", "float", "decimal"}
    assert {types[n] for n in [*TEXT_FIELDS, *NOT_NULL_TEXT_FIELDS]} == {"string"}
    assert {types[n] for n in [*BOOLEAN_FIELDS, *NOT_NULL_BOOLEAN_FIELDS]} == {"boolean"}
    assert {types[n] for n in LIST_FIELDS} == {"list[string]"}
    assert set(TEXT_FIELDS) | set(BOOLEAN_FIELDS) <= nullable
    assert not (set(NOT_NULL_TEXT_FIELDS) | set(NOT_NULL_BOOLEAN_FIELDS)) & nullable
    assert set(field_types()) == set(types)


# --- generated shipments --------------------------------------------------------------------


def _text_values(pool: list[str]) -> st.SearchStrategy[str | None]:
    return st.none() | st.sampled_from(pool)


@st.composite
def shipments(draw: st.DrawFn) -> Shipment:
    fields: dict[str, Any] = {name: draw(values) for name, values in NUMBER_FIELDS.items()}
    fields.update({name: draw(_text_values(pool)) for name, pool in TEXT_FIELDS.items()})
    fields.update({n: draw(st.sampled_from(p)) for n, p in NOT_NULL_TEXT_FIELDS.items()})
    fields.update({name: draw(st.none() | st.booleans()) for name in BOOLEAN_FIELDS})
    fields.update({name: draw(st.booleans()) for name in NOT_NULL_BOOLEAN_FIELDS})
    fields.update(
        {
            name: draw(st.lists(st.sampled_from(pool), max_size=3, unique=True))
            for name, pool in LIST_FIELDS.items()
        }
    )
    return Shipment(**fields)


# --- generated conditions and their reference meaning -----------------------------------------


class NullOperandError(Exception):
    """The reference cannot evaluate the condition (an ordering comparison with null)."""


Reference = Callable[[Shipment], bool]


@dataclass(frozen=True)
class Cond:
    """A condition's text and its plain-Python meaning."""

    text: str
    reference: Reference

    def __str__(self) -> str:
        return self.text


def _number(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(int(value))


_ORDERING: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(field: str, op: str, literal: Any, as_value: Callable[[Any], Any]) -> Reference:
    def reference(shipment: Shipment) -> bool:
        value = getattr(shipment, field)
        if op == "==":
            return value is not None and as_value(value) == literal
        if op == "!=":
            return value is None or as_value(value) != literal
        if value is None:
            raise NullOperandError(field)
        return _ORDERING[op](as_value(value), literal)

    return reference


@st.composite
def number_comparisons(draw: st.DrawFn) -> Cond:
    field = draw(st.sampled_from(sorted(NUMBER_FIELDS)))
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
    literal = draw(st.sampled_from(NUMBER_LITERALS))
    return Cond(f"{field} {op} {literal}", _compare(field, op, Decimal(literal), _number))


@st.composite
def text_comparisons(draw: st.DrawFn) -> Cond:
    pools = {**TEXT_FIELDS, **NOT_NULL_TEXT_FIELDS}
    field = draw(st.sampled_from(sorted(pools)))
    op = draw(st.sampled_from(["==", "!="]))
    # A value outside a closed set (container_type, freight_terms) is refused at load.
    closed = any(f.name == field and f.choices for f in field_catalogue())
    literal = draw(st.sampled_from([*pools[field], *([] if closed else ["XXXXX"])]))
    return Cond(f'{field} {op} "{literal}"', _compare(field, op, literal, str))


def _member(field: str, items: frozenset[Any], negated: bool, as_value: Any) -> Reference:
    def reference(shipment: Shipment) -> bool:
        value = getattr(shipment, field)
        inside = value is not None and as_value(value) in items
        return not inside if negated else inside

    return reference


@st.composite
def text_memberships(draw: st.DrawFn) -> Cond:
    field = draw(st.sampled_from(sorted(TEXT_FIELDS)))
    negated = draw(st.booleans())
    operator = "not in" if negated else "in"
    if draw(st.booleans()):
        name = draw(st.sampled_from(sorted(STRING_LISTS)))
        items = WATCH_LISTS[name][1]
        return Cond(f"{field} {operator} ${name}", _member(field, items, negated, str))
    literal = draw(st.lists(st.sampled_from(TEXT_FIELDS[field]), min_size=1, max_size=3))
    array = "[" + ", ".join(f'"{v}"' for v in literal) + "]"
    return Cond(f"{field} {operator} {array}", _member(field, frozenset(literal), negated, str))


@st.composite
def number_memberships(draw: st.DrawFn) -> Cond:
    negated = draw(st.booleans())
    operator = "not in" if negated else "in"
    items = WATCH_LISTS["sizes"][1]
    reference = _member("container_length_ft", items, negated, _number)
    return Cond(f"container_length_ft {operator} $sizes", reference)


@st.composite
def booleans(draw: st.DrawFn) -> Cond:
    field = draw(st.sampled_from([*BOOLEAN_FIELDS, *NOT_NULL_BOOLEAN_FIELDS]))
    form = draw(st.sampled_from(["", " == true", " == false", " != true", " != false"]))
    if form == "":
        return Cond(field, lambda s: getattr(s, field) is True)
    op, literal = form.split()
    value = literal == "true"
    if op == "==":
        return Cond(field + form, lambda s: getattr(s, field) is value)
    return Cond(field + form, lambda s: getattr(s, field) is not value)


@st.composite
def null_checks(draw: st.DrawFn) -> Cond:
    field = draw(st.sampled_from(sorted([*NUMBER_FIELDS, *TEXT_FIELDS, *BOOLEAN_FIELDS])))
    if draw(st.booleans()):
        return Cond(f"{field} == null", lambda s: getattr(s, field) is None)
    return Cond(f"{field} != null", lambda s: getattr(s, field) is not None)


@st.composite
def list_field_conditions(draw: st.DrawFn) -> Cond:
    field = draw(st.sampled_from(sorted(LIST_FIELDS)))
    pool = LIST_FIELDS[field]
    kind = draw(st.sampled_from(["contains", "any in list", "length"]))
    if kind == "contains":
        item = draw(st.sampled_from(pool))
        negated = draw(st.booleans())
        text = f'"{item}" {"not in" if negated else "in"} {field}'
        return Cond(text, lambda s: (item in getattr(s, field)) != negated)
    if kind == "any in list":
        name = draw(st.sampled_from(sorted(STRING_LISTS)))
        items = WATCH_LISTS[name][1]
        text = f"[x for x in {field} if x in ${name}].length > 0"
        return Cond(text, lambda s: any(x in items for x in getattr(s, field)))
    op = draw(st.sampled_from(sorted(_ORDERING)))
    size = draw(st.integers(0, 3))
    return Cond(
        f"{field}.length {op} {size}",
        lambda s: _ORDERING[op](Decimal(len(getattr(s, field))), Decimal(size)),
    )


ATOMS = st.one_of(
    number_comparisons(),
    text_comparisons(),
    text_memberships(),
    number_memberships(),
    booleans(),
    null_checks(),
    list_field_conditions(),
)


def _not(a: Cond) -> Cond:
    return Cond(f"not ({a.text})", lambda s: not a.reference(s))


def _and(a: Cond, b: Cond) -> Cond:
    return Cond(f"({a.text}) and ({b.text})", lambda s: a.reference(s) and b.reference(s))


def _or(a: Cond, b: Cond) -> Cond:
    return Cond(f"({a.text}) or ({b.text})", lambda s: a.reference(s) or b.reference(s))


def _combine(children: st.SearchStrategy[Cond]) -> st.SearchStrategy[Cond]:
    return st.one_of(
        children.map(_not),
        st.builds(_and, children, children),
        st.builds(_or, children, children),
    )


CONDITIONS = st.recursive(ATOMS, _combine, max_leaves=6)


# --- the property ---------------------------------------------------------------------------

Outcome = bool | str  # True/False, or "error" when it cannot be evaluated


def _compiled(cond: Cond) -> CompiledIndicator:
    condition = compile_condition(cond.text, WATCH_LISTS)
    assert isinstance(condition, Condition), (cond.text, condition)
    indicator = Indicator(id="generated", title="Generated", when=cond.text, weight=Decimal(1))
    return CompiledIndicator(indicator, condition)


def _engine(indicator: CompiledIndicator, shipment: Shipment) -> Outcome:
    result = indicator.evaluate(record_of(shipment), AS_OF)
    if result.problem is not None:
        assert not result.hit
        return "error"
    return result.hit


def _reference(cond: Cond, shipment: Shipment) -> Outcome:
    try:
        return bool(cond.reference(shipment))
    except NullOperandError:
        return "error"


@settings(max_examples=depth(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cond=CONDITIONS, cases=st.lists(shipments(), min_size=1, max_size=6))
def test_compiled_conditions_agree_with_python(cond: Cond, cases: list[Shipment]) -> None:
    indicator = _compiled(cond)
    for shipment in cases:
        assert _engine(indicator, shipment) == _reference(cond, shipment), cond.text


@pytest.mark.parametrize("outcome", [True, False, "error"])
def test_the_generators_reach_every_outcome(outcome: Outcome) -> None:
    # The property would be weak if the generated conditions never hit, or never failed
    # on a null: show that each outcome is reached.
    find(
        st.tuples(CONDITIONS, shipments()),
        lambda pair: _reference(pair[0], pair[1]) == outcome,
        settings=settings(
            max_examples=depth(500, floor=500), database=None, phases=[Phase.generate]
        ),
    )


@pytest.mark.parametrize(
    ("text", "fields", "expected"),
    [
        # The documented null rules, one by one.
        ('shipper_country != "CN"', {}, True),
        ('shipper_country == "CN"', {}, False),
        ("packages > 3", {}, "error"),
        ("packages != null and packages > 3", {}, False),
        ("false and packages > 3", {}, False),
        ("packages > 3 and false", {}, "error"),
        ("true or packages > 3", {}, True),
        ("port_of_loading in $ports", {}, False),
        ("port_of_loading not in $ports", {}, True),
        ("consignee_aeo", {}, False),
        ("not consignee_aeo", {}, True),
        ("consignee_aeo == false", {}, False),
        ("description.length > 3", {}, "error"),
        ("description&.length > 3", {}, "error"),
        ('(description ?? "") =~~ "FAK"', {}, False),
        ('(description ?? "") =~~ "FAK"', {"description": "1 X 20 FAK"}, True),
        ("value_per_kg == 0.3", {"value_per_kg": 0.1 + 0.2}, False),
        ("value_per_kg > 0.3", {"value_per_kg": 0.1 + 0.2}, True),
        ("declared_value == 15120", {"declared_value": Decimal("15120.00")}, True),
        ("container_length_ft in $sizes", {"container_length_ft": 40.0}, True),
    ],
)
def test_null_and_number_rules(text: str, fields: dict[str, Any], expected: Outcome) -> None:
    indicator = _compiled(Cond(text, lambda s: False))
    assert _engine(indicator, Shipment(**fields)) == expected


def test_a_condition_that_cannot_be_evaluated_says_why() -> None:
    indicator = _compiled(Cond("declared_value > 10000", lambda s: False))
    result = indicator.evaluate(record_of(Shipment()), AS_OF)
    assert not result.hit
    assert result.problem is not None
    assert "declared_value" in result.problem


# --- $now and $today --------------------------------------------------------------------------

ISSUED = Shipment(
    bl_issue_date=dt.date(2026, 1, 5), arrival=dt.datetime(2026, 2, 20, 6, tzinfo=dt.UTC)
)


def _evaluate(text: str, shipment: Shipment, as_of: dt.datetime) -> bool:
    condition = compile_condition(text, {})
    assert isinstance(condition, Condition), condition
    return condition.evaluate(record_of(shipment), as_of)


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [
        ('bl_issue_date < $today - t"P30D"', dt.datetime(2026, 2, 4, 23, 59, tzinfo=dt.UTC),
         dt.datetime(2026, 2, 5, 0, 1, tzinfo=dt.UTC)),
        ("arrival < $now", dt.datetime(2026, 2, 20, 5, 59, tzinfo=dt.UTC),
         dt.datetime(2026, 2, 20, 6, 1, tzinfo=dt.UTC)),
        ("arrival < $today", dt.datetime(2026, 2, 20, 23, 59, tzinfo=dt.UTC),
         dt.datetime(2026, 2, 21, 0, 0, tzinfo=dt.UTC)),
        ("$today.year == 2027", dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
         dt.datetime(2027, 1, 1, tzinfo=dt.UTC)),
    ],
)  # fmt: skip
def test_now_and_today_are_the_given_as_of(
    text: str, before: dt.datetime, after: dt.datetime
) -> None:
    assert _evaluate(text, ISSUED, before) is False
    assert _evaluate(text, ISSUED, after) is True
    # Again, in the other order: nothing is remembered between evaluations.
    assert _evaluate(text, ISSUED, before) is False


def test_today_is_midnight_of_the_as_of_day() -> None:
    as_of = dt.datetime(2026, 2, 20, 17, 45, tzinfo=dt.UTC)
    assert _evaluate('$today == d"2026-02-20"', ISSUED, as_of)
    assert _evaluate('$now - $today == t"PT17H45M"', ISSUED, as_of)


def test_the_clock_is_never_read() -> None:
    # Without an as_of there is no time: $now cannot be evaluated, it does not fall back
    # to the computer's clock.
    condition = compile_condition("arrival < $now", {})
    assert isinstance(condition, Condition)
    no_time: Any = None
    with pytest.raises(rule_engine.EngineError):
        condition.evaluate(record_of(ISSUED), no_time)


def test_as_of_is_per_thread() -> None:
    condition = compile_condition("arrival < $now", {})
    assert isinstance(condition, Condition)
    record = record_of(ISSUED)
    early = dt.datetime(2026, 2, 20, 5, tzinfo=dt.UTC)
    late = dt.datetime(2026, 2, 20, 7, tzinfo=dt.UTC)
    wrong: list[str] = []

    def run(as_of: dt.datetime, expected: bool) -> None:
        for _ in range(300):
            if condition.evaluate(record, as_of) is not expected:
                wrong.append(f"{as_of}: not {expected}")

    threads = [threading.Thread(target=run, args=a) for a in ((early, False), (late, True))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_today_does_not_depend_on_the_time_zone_of_as_of() -> None:
    utc = dt.datetime(2026, 2, 20, 20, tzinfo=dt.UTC)
    karachi = utc.astimezone(dt.timezone(dt.timedelta(hours=5)))
    assert utc == karachi
    shipment = Shipment(bl_issue_date=dt.date(2026, 2, 20))
    assert _evaluate("bl_issue_date == $today", shipment, utc)
    assert _evaluate("bl_issue_date == $today", shipment, karachi)


# --- explanations -----------------------------------------------------------------------------


def test_explanation_fills_placeholders_readably() -> None:
    shipment = Shipment(
        port_of_loading="ECGYE",
        transshipment_ports=["PAMIT", "AEJEA"],
        hs_chapters=[],
        goods_gross_weight_kg=21600.0,
        value_per_kg=0.7,
        declared_value=Decimal("15120.00"),
        packages=1200,
        cargo_mass_gap_kg=-2.5,
        shipper_aeo=True,
        container_full=False,
        bl_issue_date=dt.date(2026, 10, 12),
        arrival=dt.datetime(2026, 11, 2, 6, tzinfo=dt.UTC),
    )
    template = (
        "reefer loaded at {port_of_loading} via {transshipment_ports} (chapters "
        "{hs_chapters}); {goods_gross_weight_kg} kg at {value_per_kg} USD/kg, "
        "{declared_value} USD, {packages} packages, gap {cargo_mass_gap_kg} kg; AEO "
        "{shipper_aeo}, full {container_full}, consignee AEO {consignee_aeo}; B/L "
        "{bl_issue_date}, arrival {arrival}; {{literal}}"
    )
    assert render_explanation(template, shipment) == (
        "reefer loaded at ECGYE via PAMIT, AEJEA (chapters none); 21,600 kg at 0.7 USD/kg, "
        "15,120 USD, 1200 packages, gap -2.5 kg; AEO yes, full no, consignee AEO unknown; "
        "B/L 2026-10-12, arrival 2026-11-02 06:00 UTC; {literal}"
    )


def test_explanation_without_placeholders_is_unchanged() -> None:
    assert render_explanation("Reefer from a source port", Shipment()) == (
        "Reefer from a source port"
    )


def test_explanation_does_not_show_a_small_value_as_zero() -> None:
    shown = render_explanation("{value_per_kg} USD/kg", Shipment(value_per_kg=0.004))
    assert shown != "0 USD/kg"
