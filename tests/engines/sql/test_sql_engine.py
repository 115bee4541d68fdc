"""The SQL engine gives exactly the row-wise engine's hits and errors, on every dialect
it supports, and the SQL it runs is executed here (a dialect counts as supported only
then: sqlglot writes some constructs a dialect lacks without a word).

Each test takes ``sql_engine`` (``conftest.py``): DuckDB in-process, then PostgreSQL on
the throwaway server of ``tests/pgserver.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import read_batch
from riskprofile.engines import Engine, FrameEngine, ProfileOutcome
from riskprofile.engines import rowwise as rowwise_engine
from riskprofile.engines.columnar import condition_masks, shipment_frame
from riskprofile.engines.sql import SqlEngine, condition_sql
from riskprofile.model import Shipment, flatten
from riskprofile.profiles import (
    CompiledProfile,
    ProfileSet,
    bundled_profiles_path,
    load_all_profiles,
)
from riskprofile.profiles._expressions import Condition, compile_condition
from riskprofile.rules import applicable_profiles
from riskprofile.synth import generate_manifests
from tests import strategies as rst
from tests.depth import depth
from tests.engines.test_columnar_scoring import batches
from tests.engines.test_contract import check_contract, check_frame_contract, outcomes_of
from tests.engines.test_translate import rowwise, rowwise_records
from tests.records import records_of

AS_OF = rst.RULE_AS_OF
LISTS = {name: values for name, (_kind, values) in rst.RULE_LISTS.items()}
EXAMPLE = Path(__file__).parents[3] / "examples" / "data" / "karachi-sample.csv"


def compiled(expression: str) -> Condition:
    condition = compile_condition(expression, rst.RULE_LISTS)
    assert isinstance(condition, Condition), condition
    return condition


def sql_masks(
    engine: SqlEngine, expression: str, shipments: Sequence[Shipment]
) -> tuple[list[bool], list[bool], str | None]:
    masks = engine.masks_for(
        shipment_frame(shipments), [("c", compiled(expression))], {"c": LISTS}, AS_OF
    )["c"]
    return masks.hit.to_list(), masks.error.to_list(), masks.fallback


def assert_same_in_sql(engine: SqlEngine, expression: str, shipments: Sequence[Shipment]) -> None:
    """The condition translates for the engine's dialect, and its masks are the row-wise
    engine's."""
    translation = condition_sql(compiled(expression), AS_OF, engine.dialect)
    assert translation.fallback is None, (expression, translation.fallback)
    hit, error, fallback = sql_masks(engine, expression, shipments)
    assert fallback is None
    assert (hit, error) == rowwise(compiled(expression), shipments), expression


# --- the contracts -----------------------------------------------------------------------------


def test_the_sql_engine_is_an_engine_and_a_frame_engine(sql_engine: SqlEngine) -> None:
    assert isinstance(sql_engine, Engine)
    assert isinstance(sql_engine, FrameEngine)
    assert sql_engine.dialect in ("duckdb", "postgres")


def test_unknown_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="expected 'duckdb', 'spark' or a postgresql:// URL"):
        SqlEngine("oracle")
    with pytest.raises(ValueError, match="not a DuckDB or psycopg connection or a Spark session"):
        SqlEngine(object())


@pytest.fixture(scope="module")
def example() -> tuple[list[Shipment], list[CompiledProfile]]:
    profiles = load_all_profiles(bundled_profiles_path())
    taking_part, _ = applicable_profiles(profiles, AS_OF, False)
    return list(read_batch(EXAMPLE).shipments)[:60], taking_part


@pytest.fixture(scope="module")
def example_outcomes(
    example: tuple[list[Shipment], list[CompiledProfile]],
) -> list[tuple[str, list[ProfileOutcome]]]:
    return outcomes_of(rowwise_engine, *example)


def test_the_sql_engine_keeps_the_contract_on_the_example(
    sql_engine: SqlEngine,
    example: tuple[list[Shipment], list[CompiledProfile]],
    example_outcomes: list[tuple[str, list[ProfileOutcome]]],
) -> None:
    shipments, profiles = example
    check_contract(sql_engine, shipments, profiles, example_outcomes)


@settings(
    max_examples=depth(10),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(batches(), rst.profile_sets())
def test_the_sql_engine_keeps_the_frame_contract_on_random_batches(
    sql_engine: SqlEngine, shipments: list[Shipment], profiles: ProfileSet
) -> None:
    check_frame_contract(sql_engine, shipments, profiles)


# --- the bundled library -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def library() -> list[tuple[str, Condition, Any]]:
    items = []
    for profile in load_all_profiles(bundled_profiles_path()):
        for item in (*profile.exceptions, *profile.indicators):
            items.append((f"{profile.id}:{item.id}", item.condition, profile.lists))
    return items


@pytest.fixture(scope="module")
def library_shipments() -> list[Shipment]:
    sample = list(read_batch(EXAMPLE).shipments)
    generated = [s for m in generate_manifests(seed=7, containers=40) for s in flatten(m)]
    return sample[:160] + generated


@pytest.fixture(scope="module")
def library_reference(
    library: list[tuple[str, Condition, Any]], library_shipments: list[Shipment]
) -> dict[str, tuple[list[bool], list[bool]]]:
    records = records_of(library_shipments)
    return {key: rowwise_records(condition, records) for key, condition, _ in library}


# The one bundled condition that computes (0.1 * a weight): it runs on the columnar engine.
LIBRARY_FALLBACKS = {"revenue.valuation-and-classification:cargo-heavier-than-declared"}


def test_the_bundled_library_in_sql_equals_rowwise(
    sql_engine: SqlEngine,
    library: list[tuple[str, Condition, Any]],
    library_shipments: list[Shipment],
    library_reference: dict[str, tuple[list[bool], list[bool]]],
) -> None:
    frame = shipment_frame(library_shipments)
    masks = sql_engine.masks_for(
        frame,
        [(key, condition) for key, condition, _ in library],
        {key: lists for key, _, lists in library},
        AS_OF,
    )
    hits = 0
    for key, _condition, _ in library:
        got = masks[key]
        assert (got.fallback is not None) == (key in LIBRARY_FALLBACKS), (key, got.fallback)
        assert got.hit.to_list() == library_reference[key][0], key
        assert got.error.to_list() == library_reference[key][1], key
        hits += sum(library_reference[key][0])
    assert hits > 0
    fallback = masks[min(LIBRARY_FALLBACKS)].fallback
    assert fallback is not None
    assert fallback.startswith("not in SQL: arithmetic")


# --- random conditions over edge-case shipments ---------------------------------------------


@settings(max_examples=depth(100), deadline=None, suppress_health_check=list(HealthCheck))
@given(rst.rule_conditions(), st.lists(rst.rule_shipments(), min_size=1, max_size=6))
def test_random_conditions_equal_rowwise(
    sql_engine: SqlEngine, expression: str, shipments: list[Shipment]
) -> None:
    condition = compile_condition(expression, rst.RULE_LISTS)
    if not isinstance(condition, Condition):
        return  # a type mismatch the generator does not avoid: nothing to evaluate
    frame = shipment_frame(shipments)
    try:
        expected = rowwise(condition, shipments)
    except TypeError:  # `"A" in null` crashes on a record: the frame engines say "error"
        columnar = condition_masks(frame, condition, LISTS, AS_OF)
        expected = (columnar.hit.to_list(), columnar.error.to_list())
    masks = sql_engine.masks_for(frame, [("c", condition)], {"c": LISTS}, AS_OF)["c"]
    assert (masks.hit.to_list(), masks.error.to_list()) == expected


@settings(max_examples=depth(60), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(rst.rule_conditions(), min_size=2, max_size=5),
    st.lists(rst.rule_shipments(), min_size=1, max_size=5),
)
def test_many_conditions_in_one_query_equal_rowwise(
    sql_engine: SqlEngine, expressions: list[str], shipments: list[Shipment]
) -> None:
    items = []
    for index, expression in enumerate(expressions):
        condition = compile_condition(expression, rst.RULE_LISTS)
        if isinstance(condition, Condition):
            try:
                expected = rowwise(condition, shipments)
            except Exception:  # a crash row-wise: covered above
                continue
            items.append((str(index), condition, expected))
    masks = sql_engine.masks_for(
        shipment_frame(shipments),
        [(key, condition) for key, condition, _ in items],
        {key: LISTS for key, _, _ in items},
        AS_OF,
    )
    for key, _, expected in items:
        assert (masks[key].hit.to_list(), masks[key].error.to_list()) == expected


# The kinds of condition the SQL translator writes: each must translate for every dialect
# (no fallback) and give the row-wise masks on the edge-case shipments below.
TRANSLATED = [
    'port_of_loading == "CN"',
    'port_of_loading != "CN"',
    "packages < 1",
    "packages <= days_bl_to_arrival",
    "goods_gross_weight_kg == 0.1",
    "goods_gross_weight_kg > 0.3",
    "declared_value > 10000",
    "declared_value == 0.1",
    "packages > 9007199254740992",
    "is_lcl and packages > 1",
    "packages > 1 or is_lcl",
    "not (consignee_aeo)",
    "consignee_aeo < true",
    "description",
    'description =~~ "X"',
    'description !~~ "X"',
    'description =~ "$"',
    'description =~~ "SCRAP$"',
    'description =~~ "(?i)scrap"',
    'consignee_name =~~ "^TO (THE )?ORDER"',
    'description =~~ "\\\\bBOX\\\\b"',
    'description =~~ "[A-C]+"',
    'description =~~ "A{,2}"',
    "port_of_loading in $codes",
    'port_of_loading in ["AF", "PK", null]',
    '"84" in hs_chapters',
    '"AF" not in route_countries',
    'place_of_delivery in "PKKHI AFKBL"',
    "goods_gross_weight_kg in $limits",
    "[x for x in hs_chapters if x in $codes].length > 0",
    '[x for x in route_countries if x in $codes or x in ["PK", "ZZ"] or x in $words].length > 0',
    '[x for x in hs_chapters if x in $codes or x == "AF"].length > 0',
    '[x for x in route_countries if x.starts_with("A") or x == "84"].is_empty',
    "route_countries.length > route_countries.to_set.length",
    "route_countries.length == 0",
    'route_countries == ["AF"]',
    'route_countries&[0] == "AF"',
    'route_countries[0] == "AF"',
    "route_countries[-1] in $codes",
    '"AF" in route_countries[0:2]',
    '(port_of_loading ?? "")[0:2] in $codes',
    "description&.length > 3",
    'place_of_delivery&.starts_with("AF")',
    'consignee_name&.ends_with("P")',
    "port_of_loading.as_lower == 'cn'",
    '[w for w in $words if description =~~ ("\\\\b" + w + "\\\\b")].length > 0',
    "[k for k in $limits if packages >= k].length > 0",
    '(is_lcl ? port_of_loading : place_of_delivery) == "CN"',
    "arrival == null",
    "bl_issue_date < $today",
    '$any_starts_with(hs_chapters, ["A", "8"])',
    '$any_ends_with(description, ["", "K"])',
    "$any_starts_with(port_of_loading, $codes)",
    '$any_ends_with(route_countries, ["F"])',
    "$intersects(route_countries, $codes)",
    "$intersects($codes, hs_chapters)",
    "$intersects(hs_chapters, route_countries)",
    "packages + 1 > 2",
    "-packages < 0",
    "-goods_gross_weight_kg < -0.1",
    "-declared_value >= -0.1",
    "packages * transshipment_count >= 3",
    "(transshipment_count - 2) * 3 == 3",
    "days_bl_to_arrival - packages < 0",
    '(consignee_name + "X") == "SHIPX"',
]

EDGES = [
    Shipment(),
    Shipment(port_of_loading="CN", place_of_delivery="AFKBL", packages=0, is_lcl=True),
    Shipment(description="SCRAP\n", consignee_name="TO THE ORDER OF BANK", packages=7),
    Shipment(description="P.O. BOX 12, DUBAI", route_countries=["AF", "AF"], consignee_aeo=True),
    Shipment(description="ÆØÅ SCRAP", hs_chapters=["84", "AF"], route_countries=[]),
    Shipment(description="scrap", goods_gross_weight_kg=0.1, declared_value=Decimal("0.10")),
    Shipment(goods_gross_weight_kg=0.30000000000000004, declared_value=Decimal("10000.0000000001")),
    Shipment(
        packages=2**53 + 1, days_bl_to_arrival=-3, consignee_name="SHIP", route_countries=["PK"]
    ),
    Shipment(description="A{,2} CARGO", place_of_delivery="", transshipment_count=3),
    Shipment(bl_issue_date=dt.date(2026, 10, 1), arrival=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)),
]


@pytest.mark.parametrize("expression", TRANSLATED)
def test_each_kind_of_condition_translates_and_equals_rowwise(
    sql_engine: SqlEngine, expression: str
) -> None:
    assert_same_in_sql(sql_engine, expression, EDGES)


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_membership_in_several_watch_lists_is_one_overlap_test(dialect: str) -> None:
    # `s in $a or s in $b or ...` on an element of a list field (as the precursor
    # profiles write) is membership in the lists' union: one array-overlap test, not a
    # subquery (PostgreSQL) or lambda per row (precursors' diversion-destination took
    # 1.86 s per 20,000 rows in PostgreSQL with one).
    condition = compiled(
        '[x for x in route_countries if x in $codes or x in ["PK", "ZZ"]].length > 0'
    )
    t = condition_sql(condition, AS_OF, dialect)  # type: ignore[arg-type]
    assert t.hit is not None
    text = t.hit.sql(dialect=dialect)
    overlap = {"duckdb": "LIST_HAS_ANY(", "postgres": " && ", "spark": "ARRAYS_OVERLAP("}
    assert overlap[dialect] in text.upper(), text
    assert "UNNEST" not in text.upper(), text
    assert "FILTER" not in text.upper(), text
    assert "'ZZ'" in text, text
    assert "'AEJEA'" in text, text


WHOLE_WORDS = ["SCRAP", "A.B", "MDP\\-2\\-P", "X+", "[0-9]{3}", "\\(R\\)"]
WHOLE_WORD_TEXTS = ["SCRAP", "SCRAPS", "IRON SCRAP, USED", "AXB", "A.BC", "MDP-2-P OIL",
                    "XXX", "BOX 123", "1234", "(R) MARK", "BRAND(R)", "", "a.b"]  # fmt: skip


def test_a_list_of_whole_words_is_one_regex_with_its_boundaries_factored_out(
    sql_engine: SqlEngine,
) -> None:
    # [n for n in NAMES if description =~~ ("\\b" + n + "\\b")] (precursors, vague
    # descriptions): \b(?:N1|N2|...)\b, one boundary test per side instead of one per
    # name (PostgreSQL's regex engine took 1.23 s for the 40 precursor names over
    # 20,000 descriptions, 0.62 s factored); the masks stay the row-wise engine's.
    words = ", ".join(f'"{w}"' for w in WHOLE_WORDS).replace("\\", "\\\\")
    expression = f'[n for n in [{words}] if description =~~ ("\\\\b" + n + "\\\\b")].length > 0'
    text = condition_sql(compiled(expression), AS_OF, sql_engine.dialect).hit
    assert text is not None
    rendered = text.sql(dialect=sql_engine.dialect)
    assert rendered.count("\\y") + rendered.count("\\b") == 2, rendered  # \b: \y in PG
    rows = [Shipment(description=t) for t in WHOLE_WORD_TEXTS]
    assert_same_in_sql(sql_engine, expression, rows)
    assert sql_masks(sql_engine, expression, rows)[0].count(True) >= 6


def test_an_empty_list_has_length_zero_not_null(sql_engine: SqlEngine) -> None:
    # PostgreSQL's array_length('{}', 1) is NULL; rule-engine's length of [] is 0.
    rows = [Shipment(route_countries=[]), Shipment(route_countries=["AF"])]
    assert sql_masks(sql_engine, "route_countries.length == 0", rows)[:2] == (
        [True, False],
        [False, False],
    )
    assert sql_masks(sql_engine, "not route_countries", rows)[:2] == ([True, False], [False] * 2)


def test_a_null_port_an_empty_list_and_a_null_description(sql_engine: SqlEngine) -> None:
    # The issue's measured case: null rules spelled out, the same on every dialect.
    row = [Shipment(port_of_loading=None, route_countries=[], description=None)]
    expression = 'port_of_loading != "CN" and route_countries.length == 0 and description !~~ "X"'
    assert sql_masks(sql_engine, expression, row)[:2] == ([True], [False])
    assert sql_masks(sql_engine, "packages > 1", row)[:2] == ([False], [True])


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("goods_gross_weight_kg * 2 > 1", "arithmetic"),
        ('$today - bl_issue_date > t"P30D"', "arithmetic"),
        ("[x for x in hs_chapters if x == description].length > 0", "other fields"),
    ],
)
def test_what_does_not_translate_runs_on_the_columnar_engine(
    sql_engine: SqlEngine, expression: str, reason: str
) -> None:
    hit, error, fallback = sql_masks(sql_engine, expression, EDGES)
    assert fallback is not None
    assert fallback.startswith("not in SQL: ")
    assert reason in fallback
    assert (hit, error) == rowwise(compiled(expression), EDGES)


def test_a_comprehension_reading_other_fields_runs_translated_on_the_columnar_engine(
    sql_engine: SqlEngine,
) -> None:
    # suggest's combination shape: not in SQL, and no longer row-wise behind it.
    expression = (
        "port_of_loading != null and [h for h in hs_chapters if [c for c in route_countries "
        "if h + c + port_of_loading[2:] in $codes]].length > 0"
    )
    rows = [*EDGES, Shipment(hs_chapters=["A"], route_countries=["F"], port_of_loading="PK")]
    hit, error, fallback = sql_masks(sql_engine, expression, rows)
    assert fallback is not None
    assert fallback.startswith("not in SQL: ")
    assert fallback.endswith("ran columnar")
    assert (hit, error) == rowwise(compiled(expression), rows)
    assert hit[-1]


def test_a_regex_postgres_cannot_say_alike_runs_on_the_columnar_engine(
    sql_engine: SqlEngine,
) -> None:
    # A Unicode class: RE2 in DuckDB runs it (on ASCII text; other text row-wise),
    # PostgreSQL's ARE has no such syntax.
    expression = 'description =~~ "\\\\pLA"'
    hit, error, fallback = sql_masks(sql_engine, expression, EDGES)
    assert (hit, error) == rowwise(compiled(expression), EDGES)
    if sql_engine.dialect == "postgres":
        assert fallback is not None
        assert "the escape \\p" in fallback
    else:
        assert fallback is None


def test_postgres_regexes_on_text_outside_ascii_are_decided_row_wise(
    sql_engine: SqlEngine,
) -> None:
    # ARE's \y and case folding follow the locale: such text goes to the row-wise engine.
    rows = [Shipment(description=d) for d in ("ÉCRAN SCRAP", "SCRAPé", "SCRAP\nX", "scrap")]
    for expression in ('description =~~ "(?i)scrap$"', 'description =~~ "\\\\bSCRAP\\\\b"'):
        assert_same_in_sql(sql_engine, expression, rows)


def test_a_list_holding_a_null_is_left_to_rowwise(sql_engine: SqlEngine) -> None:
    frame = shipment_frame([Shipment(hs_chapters=["84"])] * 3).with_columns(
        pl.Series("hs_chapters", [["84", None], ["84"], ["84", None]], dtype=pl.List(pl.String))
    )
    masks = sql_engine.masks_for(frame, [("c", compiled('"84" in hs_chapters'))], {}, AS_OF)
    assert (masks["c"].hit.to_list(), masks["c"].error.to_list()) == (
        [False, True, False],
        [True, False, True],
    )


def test_text_postgres_cannot_hold_is_decided_row_wise(sql_engine: SqlEngine) -> None:
    rows = [Shipment(description="A\x00B"), Shipment(description="AB")]
    assert_same_in_sql(sql_engine, 'description =~~ "A"', rows)
    assert_same_in_sql(sql_engine, 'description == "AB"', rows)


def test_text_in_a_null_text_is_what_the_columnar_engine_says(sql_engine: SqlEngine) -> None:
    # `"A" in description` on a null description: rule-engine raises TypeError on a
    # shipment's record (a crash) but an EvaluationError on a plain mapping, which both
    # frame engines evaluate (their masks say "error"). SQL leaves the row to that same
    # row-wise evaluation.
    condition = compiled('"A" in description')
    frame = shipment_frame([Shipment(), Shipment(description="BAD")])
    expected = condition_masks(frame, condition, {}, AS_OF)
    got = sql_engine.masks_for(frame, [("c", condition)], {}, AS_OF)["c"]
    assert (got.hit.to_list(), got.error.to_list()) == ([False, True], [True, False])
    assert (got.hit.to_list(), got.error.to_list()) == (
        expected.hit.to_list(),
        expected.error.to_list(),
    )


def test_the_sql_of_a_condition_is_the_same_every_time() -> None:
    condition = compiled('[x for x in hs_chapters if x.starts_with("8")].length > 0')
    for dialect in ("duckdb", "postgres"):
        first = condition_sql(condition, AS_OF, dialect)
        again = condition_sql(compiled(condition.expression), AS_OF, dialect)
        assert first.hit is not None
        assert again.hit is not None
        assert first.hit.sql(dialect) == again.hit.sql(dialect)
        assert "_x1" in first.hit.sql(dialect)


def test_rowwise_reference_is_the_reference() -> None:
    # The helper the tests compare with raises nothing itself on a rule error.
    condition = compiled("packages > 1")
    assert rowwise(condition, [Shipment()]) == ([False], [True])
    with pytest.raises(rule_engine.EngineError):
        condition.evaluate({"packages": None}, AS_OF)
