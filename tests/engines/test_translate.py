"""Translated conditions give exactly the row-wise engine's hits and errors.

The row-wise engine is the reference: for every condition (the bundled library's, and
random ones over edge-case shipments) the columnar masks must equal, row for row, what
``Condition.evaluate`` on ``record_of(shipment)`` returns or raises, whether the
condition was translated, partly left undecided, or fell back entirely.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.depth import depth, size
from tests.records import fresh, records_of

pl = pytest.importorskip("polars")

from riskprofile import read_batch  # noqa: E402
from riskprofile.engines.columnar import _masks, shipment_frame  # noqa: E402
from riskprofile.engines.columnar._masks import (  # noqa: E402
    condition_masks,
    masks_for,
    records_of_frame,
)
from riskprofile.engines.columnar._translate import shared_translation, translate  # noqa: E402
from riskprofile.model import Shipment, flatten  # noqa: E402
from riskprofile.profiles import bundled_profiles_path, load_all_profiles  # noqa: E402
from riskprofile.profiles._explain import record_of  # noqa: E402
from riskprofile.profiles._expressions import Condition, compile_condition  # noqa: E402
from riskprofile.synth import generate_manifests  # noqa: E402
from tests import strategies as rst  # noqa: E402

AS_OF = rst.RULE_AS_OF
EXAMPLE = Path(__file__).parents[2] / "examples" / "data" / "karachi-sample.csv"
LIST_VALUES = {name: values for name, (_kind, values) in rst.RULE_LISTS.items()}


def rowwise(
    condition: Condition, shipments: Sequence[Shipment], as_of: dt.datetime = AS_OF
) -> tuple[list[bool], list[bool]]:
    """The reference: hit and error per shipment, as the row-wise engine sees them."""
    return rowwise_records(condition, records_of(shipments), as_of)


def rowwise_records(
    condition: Condition, records: Sequence[dict[str, Any]], as_of: dt.datetime = AS_OF
) -> tuple[list[bool], list[bool]]:
    """:func:`rowwise` on the shipments' records (``record_of``), each condition on a
    fresh copy of each."""
    hits, errors = [], []
    for record in records:
        try:
            hits.append(condition.evaluate(fresh(record), as_of))
            errors.append(False)
        except rule_engine.EngineError:
            hits.append(False)
            errors.append(True)
    return hits, errors


def compiled(expression: str) -> Condition:
    condition = compile_condition(expression, rst.RULE_LISTS)
    assert isinstance(condition, Condition), condition
    return condition


def columnar(expression: str, shipments: Sequence[Shipment]) -> tuple[list[bool], list[bool]]:
    """The columnar masks, checked against the row-wise ones before they are returned (so
    that a test's own expectation is checked against the reference too)."""
    condition = compiled(expression)
    masks = condition_masks(shipment_frame(shipments), condition, LIST_VALUES, AS_OF)
    result = masks.hit.to_list(), masks.error.to_list()
    assert result == rowwise(condition, shipments), expression
    return result


def assert_same(expression: str, shipments: Sequence[Shipment]) -> None:
    assert columnar(expression, shipments) == rowwise(compiled(expression), shipments), expression


@contextlib.contextmanager
def parts_evaluated(way: str) -> Iterator[None]:
    """Shared sub-expressions evaluated on every row, or on each column's distinct values
    whatever their number and weight (normally chosen by cost)."""
    with pytest.MonkeyPatch.context() as patch:
        if way == "rows":
            patch.setattr(_masks, "_WEIGHT_FOR_DISTINCT", float("inf"))
        else:
            patch.setattr(_masks, "_WEIGHT_FOR_DISTINCT", 0.0)
            patch.setattr(_masks, "_DISTINCT_SHARE", 1.0)
        yield


# --- the bundled library ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def library() -> list[tuple[str, Condition, Any]]:
    profiles = load_all_profiles(bundled_profiles_path())
    items = []
    for profile in profiles:
        for indicator in profile.indicators:
            items.append((f"{profile.id}:{indicator.id}", indicator.condition, profile.lists))
        for exception in profile.exceptions:
            items.append((f"{profile.id}:except:{exception.id}", exception.condition,
                          profile.lists))  # fmt: skip
    return items


def test_every_bundled_condition_translates(library: list[tuple[str, Condition, Any]]) -> None:
    assert len(library) >= 161
    fallbacks = {
        key: translate(condition, lists, AS_OF).fallback for key, condition, lists in library
    }
    assert {key: reason for key, reason in fallbacks.items() if reason} == {}


def _library_shipments() -> dict[str, list[Shipment]]:
    sample = list(read_batch(EXAMPLE).shipments)
    # Fewer generated containers in dev: every condition is evaluated row-wise on each
    # shipment for the reference (about 0.12 ms each), the cost of these tests.
    containers = size(300, dev=100)
    generated = [s for m in generate_manifests(seed=7, containers=containers) for s in flatten(m)]
    return {"sample": sample, "generated": generated}


Reference = dict[str, tuple[list[bool], list[bool]]]


@pytest.fixture(scope="module")
def library_reference(
    library: list[tuple[str, Condition, Any]],
) -> dict[str, tuple[list[Shipment], Reference]]:
    """Per source, its shipments and every bundled condition's row-wise hits and errors:
    the reference the three ways of evaluating parts are compared with. Computed once
    (it was computed again for each way, most of these tests' time)."""
    reference = {}
    for source, shipments in _library_shipments().items():
        records = records_of(shipments)
        results = {key: rowwise_records(condition, records) for key, condition, _ in library}
        reference[source] = (shipments, results)
    return reference


@pytest.mark.parametrize("way", ["chosen", "rows", "distinct"])
@pytest.mark.parametrize("source", ["sample", "generated"])
def test_bundled_masks_equal_rowwise(
    library: list[tuple[str, Condition, Any]],
    library_reference: dict[str, tuple[list[Shipment], Reference]],
    source: str,
    way: str,
) -> None:
    shipments, reference = library_reference[source]
    frame = shipment_frame(shipments)
    items = [(key, condition) for key, condition, _ in library]
    with parts_evaluated(way) if way != "chosen" else contextlib.nullcontext():
        masks = masks_for(frame, items, {key: lists for key, _, lists in library}, AS_OF)
    hits = 0
    for key, _condition, _ in library:
        expected_hit, expected_error = reference[key]
        assert masks[key].fallback is None
        assert masks[key].hit.to_list() == expected_hit, key
        assert masks[key].error.to_list() == expected_error, key
        hits += sum(expected_hit)
    assert hits > 0  # the comparison is not between two empty sets


# --- random conditions over edge-case shipments ----------------------------------------------


@settings(max_examples=depth(200), deadline=None, suppress_health_check=list(HealthCheck))
@given(rst.rule_conditions(), st.lists(rst.rule_shipments(), min_size=1, max_size=6))
def test_random_conditions_equal_rowwise(expression: str, shipments: list[Shipment]) -> None:
    condition = compile_condition(expression, rst.RULE_LISTS)
    if not isinstance(condition, Condition):
        return  # a type mismatch the generator does not avoid: nothing to evaluate
    frame = shipment_frame(shipments)
    try:
        expected = rowwise(condition, shipments)
    except Exception as exc:  # row-wise crashes (e.g. `"A" in null`): so must columnar
        with pytest.raises(type(exc)):
            condition_masks(frame, condition, LIST_VALUES, AS_OF)
        return
    masks = condition_masks(frame, condition, LIST_VALUES, AS_OF)
    assert (masks.hit.to_list(), masks.error.to_list()) == expected


@settings(max_examples=depth(150), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(rst.rule_conditions(), min_size=1, max_size=4),
    st.lists(rst.rule_shipments(), min_size=1, max_size=4),
    st.sampled_from(["rows", "distinct"]),
)
def test_shared_parts_give_the_same_masks_either_way(
    expressions: list[str], shipments: list[Shipment], way: str
) -> None:
    # Several conditions in one evaluation (sharing their sub-expressions), over
    # shipments that repeat, so that distinct values are fewer than rows.
    rows = [*shipments, *reversed(shipments), *shipments]
    items = []
    for index, expression in enumerate(expressions):
        condition = compile_condition(expression, rst.RULE_LISTS)
        if isinstance(condition, Condition):
            try:
                expected = rowwise(condition, rows)
            except Exception:  # a crash row-wise: covered by the test above
                continue
            items.append((str(index), condition, expected))
    with parts_evaluated(way):
        masks = masks_for(
            shipment_frame(rows),
            [(key, condition) for key, condition, _ in items],
            {key: LIST_VALUES for key, _, _ in items},
            AS_OF,
        )
    for key, _, expected in items:
        assert (masks[key].hit.to_list(), masks[key].error.to_list()) == expected


_HELPER_CALLS = st.one_of(
    st.tuples(
        st.sampled_from(["$any_starts_with", "$any_ends_with"]),
        st.sampled_from([*rst.RULE_LIST_FIELDS, *rst.RULE_TEXT_FIELDS]),
        st.sampled_from(['["A", "8"]', "$codes", "[]", '["", "K"]', '["PKKHI AF", "é"]']),
    ).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
    st.tuples(
        st.sampled_from([*rst.RULE_LIST_FIELDS, "$codes", '["AF", "84"]']),
        st.sampled_from([*rst.RULE_LIST_FIELDS, "$codes", "[]", '["PKKHI"]']),
    ).map(lambda t: f"$intersects({t[0]}, {t[1]})"),
)


@settings(max_examples=depth(120), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    _HELPER_CALLS,
    st.sampled_from(["{}", "not {}", "is_lcl or {}"]),
    st.lists(rst.rule_shipments(), min_size=1, max_size=6),
)
def test_helper_functions_are_translated_and_equal_rowwise(
    call: str, shape: str, shipments: list[Shipment]
) -> None:
    condition = compiled(shape.format(call))
    translation = translate(condition, LIST_VALUES, AS_OF)
    if not call.startswith("$intersects(["):  # a constant first: nothing to translate
        assert translation.fallback is None, translation.fallback
    masks = condition_masks(shipment_frame(shipments), condition, LIST_VALUES, AS_OF)
    assert (masks.hit.to_list(), masks.error.to_list()) == rowwise(condition, shipments)


@settings(max_examples=depth(100), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(rst.rule_shipments(), min_size=1, max_size=5))
def test_records_of_frame_are_the_rowwise_records(shipments: list[Shipment]) -> None:
    fields = [*rst.RULE_NUMBER_FIELDS, *rst.RULE_TEXT_FIELDS, *rst.RULE_LIST_FIELDS,
              "bl_issue_date", "arrival"]  # fmt: skip
    records = records_of_frame(shipment_frame(shipments), fields)
    for record, shipment in zip(records, shipments, strict=True):
        reference = record_of(shipment)
        assert record == {name: reference[name] for name in fields}


# --- semantic corners, one by one ------------------------------------------------------------

NULL = Shipment()
CN = Shipment(place_of_delivery="CNSHA", port_of_loading="CN")


def test_null_is_unequal_to_text() -> None:
    assert columnar('port_of_loading != "CN"', [NULL, CN]) == ([True, False], [False, False])
    assert columnar('port_of_loading == "CN"', [NULL, CN]) == ([False, True], [False, False])


def test_ordering_a_null_raises_and_two_nulls_are_equal() -> None:
    rows = [NULL, Shipment(packages=0)]
    assert columnar("packages < 1", rows) == ([False, True], [True, False])
    assert columnar("packages <= days_bl_to_arrival", rows) == ([True, False], [False, True])
    assert columnar("packages < days_bl_to_arrival", rows) == ([False, False], [False, True])


def test_short_circuit_hides_errors_on_the_right() -> None:
    rows = [NULL, Shipment(is_lcl=True)]
    assert columnar("is_lcl and packages > 1", rows) == ([False, False], [False, True])
    assert columnar("is_lcl or packages > 1", rows) == ([False, True], [True, False])
    assert columnar("packages > 1 or is_lcl", rows) == ([False, False], [True, True])


def test_truthiness_and_regexes_on_null() -> None:
    rows = [NULL, Shipment(description=""), Shipment(description="X")]
    assert columnar("description", rows)[0] == [False, False, True]
    assert columnar('description =~~ "X"', rows)[0] == [False, False, True]
    assert columnar('description !~~ "X"', rows)[0] == [True, True, False]
    # re.match: "$" at the start of "X" is not its end.
    assert columnar('description =~ "$"', rows)[0] == [False, True, False]


def test_safe_navigation_still_raises_on_a_call() -> None:
    rows = [NULL, Shipment(place_of_delivery="AFKBL")]
    expected = ([False, True], [True, False])
    assert columnar('place_of_delivery&.starts_with("AF")', rows) == expected
    assert columnar('route_countries&[0] == "AF"', rows) == ([False, False], [False, False])
    assert columnar('route_countries[0] == "AF"', rows) == ([False, False], [True, True])


def test_re2_regex_meaning_is_kept() -> None:
    rows = [Shipment(description="SCRAP\n"), Shipment(description="SCRAP"),
            Shipment(description="SCRAPé")]  # fmt: skip
    # RE2's $ is the end of the text, and its \w is ASCII (Rust's is Unicode).
    assert columnar('description =~~ "SCRAP$"', rows)[0] == [False, True, False]
    assert columnar('description =~ "CRAP"', rows)[0] == [False, False, False]
    assert columnar('description =~~ "CRAP"', rows)[0] == [True, True, True]
    assert columnar('description =~~ "P\\\\w"', rows)[0] == [False, False, False]
    assert columnar('description =~~ "A{,2}"', [Shipment(description="A{,2}")])[0] == [True]


@pytest.mark.parametrize("way", ["rows", "distinct"])
def test_text_rust_could_read_otherwise_is_matched_by_re2(way: str) -> None:
    # Case-insensitive patterns on non-ASCII text: RE2 decides those rows, inside the
    # columnar evaluation (no row is left undecided), with the row-wise meaning.
    rows = [Shipment(description=d) for d in ("SCRAP\n", "ÉCRAN SCRAP", "SCRAPé", "SCRAP", "")]
    rows = [*rows, *rows]
    expressions = [
        'description =~~ "(?i)scrap$"',
        'description =~ "(?i)\\\\w+ SCRAP"',
        'description =~~ "\\\\Bé"',
        '[t for t in ["SCRAP", "CRAN"] if description =~~ ("\\\\b" + t + "\\\\b")]',
    ]
    for expression in expressions:
        condition = compiled(expression)
        translation, _parts = shared_translation(condition, LIST_VALUES, AS_OF)
        assert translation.undecided is None, expression
        with parts_evaluated(way):
            masks = condition_masks(shipment_frame(rows), condition, LIST_VALUES, AS_OF)
        assert (masks.hit.to_list(), masks.error.to_list()) == rowwise(condition, rows)


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ('description =~~ "\\\\pLA"', "the escape \\p"),
        ('description =~~ "\\\\QA\\\\E"', "the escape \\Q"),
        ("packages ** 2 > 1", "**"),
        ("goods_gross_weight_kg // 2 > 1", "not integers"),
        (
            "[a for a in hs_chapters if [b for b in route_countries if "
            "[c for c in hs_chapters if a + b + c == description]]]",
            "nested more than 2 deep",
        ),
    ],
)
def test_untranslatable_conditions_fall_back_with_a_reason(expression: str, reason: str) -> None:
    translation = translate(compiled(expression), LIST_VALUES, AS_OF)
    assert translation.hit is None
    assert translation.fallback is not None
    assert reason in translation.fallback
    rows = [NULL, Shipment(description="AA", packages=7, hs_chapters=["AA"])]
    masks = condition_masks(shipment_frame(rows), compiled(expression), LIST_VALUES, AS_OF)
    assert masks.fallback == translation.fallback
    assert (masks.hit.to_list(), masks.error.to_list()) == rowwise(compiled(expression), rows)


def test_float_fields_compare_as_their_shortest_decimal() -> None:
    rows = [Shipment(goods_gross_weight_kg=v) for v in (0.1, 0.30000000000000004, 0.3, 1e-7)]
    assert columnar("goods_gross_weight_kg == 0.1", rows)[0] == [True, False, False, False]
    assert columnar("goods_gross_weight_kg > 0.3", rows)[0] == [False, True, False, False]
    assert columnar("goods_gross_weight_kg <= 1e-7", rows)[0] == [False, False, False, True]
    # 0.1 + 0.2 is exactly 0.3 in Decimal, not 0.30000000000000004 as in floats.
    assert columnar("goods_gross_weight_kg + 0.2 == 0.3", rows)[0] == [True, False, False, False]


def test_decimals_compare_exactly() -> None:
    rows = [Shipment(declared_value=Decimal(v)) for v in ("10000.0000000001", "10000", "0.10")]
    assert columnar("declared_value > 10000", rows)[0] == [True, False, False]
    assert columnar("declared_value == 10000.0000000001", rows)[0] == [True, False, False]
    assert columnar("declared_value == 0.1", rows)[0] == [False, False, True]
    assert columnar("declared_value < 0.1000000000000000000001", rows)[0] == [False, False, True]


def test_integers_beyond_float_precision_compare_exactly() -> None:
    rows = [Shipment(packages=2**53 + 1), Shipment(packages=2**53)]
    assert columnar("packages > 9007199254740992", rows)[0] == [True, False]
    assert columnar("packages == (goods_gross_weight_kg ?? 9007199254740992)", rows)[0] == [
        False,
        True,
    ]


def test_watch_lists_of_numbers() -> None:
    rows = [Shipment(goods_gross_weight_kg=v) for v in (0.1, 2999.9999999, 3000.0, None)]
    assert columnar("goods_gross_weight_kg in $limits", rows) == (
        [True, False, True, False],
        [False] * 4,
    )
    # 0.1 and 2999.9999999 reach two of the limits (1e-7 and 0.1), 3000 all three.
    assert columnar("[k for k in $limits if goods_gross_weight_kg >= k].length >= 2", rows) == (
        [True, True, True, False],
        [False, False, False, True],
    )


def test_dates_against_today() -> None:
    rows = [
        Shipment(bl_issue_date=dt.date(2026, 10, 1)),
        Shipment(bl_issue_date=dt.date(2026, 11, 2)),
        NULL,
    ]
    assert columnar('$today - bl_issue_date > t"P30D"', rows) == ([True, False, False],
                                                                  [False, False, True])  # fmt: skip
    assert columnar("bl_issue_date == $today", rows)[0] == [False, True, False]
    assert columnar("($now - bl_issue_date).days == 0", rows)[0] == [False, True, False]


def test_the_watch_lists_given_must_be_those_compiled() -> None:
    with pytest.raises(ValueError, match=r"\$codes"):
        translate(compiled("port_of_loading in $codes"), {"codes": frozenset({"X"})}, AS_OF)


# --- reporting what runs row-wise --------------------------------------------------------------

PROFILE = """\
id: t.engines
version: 1
title: Engines
category: other
owner: PCU test
valid_from: 2025-01-01
valid_to: 2030-12-31
review_date: 2029-12-01
bands:
  - {min_score: 10, lane: red}
indicators:
  - id: plain
    title: Plain
    when: port_of_loading == "ECGYE"
    weight: 10
    explain: "{port_of_loading}"
  - id: letter-class
    title: Unicode letter class
    when: description =~ "FA\\\\pL"
    weight: 10
    explain: "{description}"
"""


def test_rowwise_fallback_lint_names_the_condition_and_reason(tmp_path: Path) -> None:
    from riskprofile.engines.columnar import RowwiseFallback
    from riskprofile.profiles import ALL_LINTS, lint_profiles, load_profiles

    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    findings = lint_profiles(
        load_profiles(tmp_path), today=dt.date(2026, 1, 1), lints=[RowwiseFallback()]
    )
    assert [(f.code, f.severity, f.location.line if f.location else 0) for f in findings] == [
        ("rowwise_fallback", "info", PROFILE.splitlines().index("  - id: letter-class") + 1)
    ]
    assert "indicator 'letter-class' runs row-wise" in findings[0].message
    assert "the escape \\p" in findings[0].message
    # The engine's lint lives with the engine (the profile language knows no engine).
    assert not any(lint.code == "rowwise_fallback" for lint in ALL_LINTS)
    bundled = lint_profiles(
        load_all_profiles(bundled_profiles_path()),
        today=dt.date(2026, 1, 1),
        lints=[RowwiseFallback()],
    )
    assert bundled == []


def test_validate_runs_the_engines_lint_after_the_profile_lints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskprofile.cli import main

    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    assert main(["validate", "--today", "2026-01-01", str(tmp_path)]) == 0
    found = [line for line in capsys.readouterr().out.splitlines() if "rowwise_fallback" in line]
    assert len(found) == 1
    assert "indicator 'letter-class' runs row-wise in the columnar engine" in found[0]


def test_profiles_engines_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from riskprofile.cli import main

    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    assert main(["profiles", "engines", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "t.engines  indicator plain  columnar"
    assert lines[1].startswith("t.engines  indicator letter-class  row-wise: the regex 'FA\\\\pL'")
    assert lines[2] == "2 conditions in 1 profiles: 1 columnar, 1 row-wise"


def test_the_same_text_with_other_list_values_is_not_shared() -> None:
    expression = "port_of_loading in $codes"
    first = compiled(expression)
    other_lists = {**rst.RULE_LISTS, "codes": ("string", frozenset({"CN"}))}
    second = compile_condition(expression, other_lists)
    assert isinstance(second, Condition)
    rows = [CN, Shipment(port_of_loading="AF")]
    masks = masks_for(
        shipment_frame(rows),
        [("a", first), ("b", second), ("c", compiled(expression))],
        {"a": LIST_VALUES, "b": {"codes": frozenset({"CN"})}, "c": LIST_VALUES},
        AS_OF,
    )
    assert masks["a"].hit.to_list() == [False, True]
    assert masks["b"].hit.to_list() == [True, False]
    assert masks["c"].hit.to_list() == [False, True]


def test_integer_division_truncates_toward_zero_as_decimal_does() -> None:
    rows = [Shipment(packages=v, transshipment_count=c) for v, c in ((-7, 2), (7, -2), (7, 0))]
    assert columnar("packages // transshipment_count == -3", rows) == (
        [True, True, False],
        [False, False, True],
    )
    assert columnar("packages % transshipment_count == -1", rows) == (
        [True, False, False],
        [False, False, True],
    )


@pytest.mark.parametrize("way", ["rows", "distinct"])
def test_a_list_holding_a_null_is_left_to_rowwise(way: str) -> None:
    # No Shipment holds one, but a frame read from elsewhere might: rule-engine refuses
    # the field's value (an error), and the columnar masks say the same.
    frame = shipment_frame([Shipment(hs_chapters=["84"])] * 3)
    frame = frame.with_columns(
        pl.Series("hs_chapters", [["84", None], ["84"], ["84", None]], dtype=pl.List(pl.String))
    )
    condition = compiled('"84" in hs_chapters')
    with parts_evaluated(way):
        masks = condition_masks(frame, condition, LIST_VALUES, AS_OF)
    assert (masks.hit.to_list(), masks.error.to_list()) == (
        [False, True, False],
        [True, False, True],
    )
