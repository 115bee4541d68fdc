"""The profile language refuses what could never be true, and says why.

- a text literal compared with a closed-set field (``container_type == "refer"``) must be
  one of the field's values: refused with the literal's position and a suggestion;
- membership of a number in a list of texts (or of a text in a list of numbers) is a
  ``type_mismatch``, with what to change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import rule_engine

from riskprofile.errors import ProfileError, ProfileSetError
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles import load_profiles
from riskprofile.profiles._expressions import compile_condition
from riskprofile.profiles._tree import CompileProblem

MARK = "@@"


def _profile(when: str, lists: str = "") -> str:
    return (
        "id: t.language\nversion: 1\ntitle: Test\ncategory: narcotics\nowner: PCU Karachi\n"
        + (f"lists:\n{lists}" if lists else "")
        + "indicators:\n  - id: probe\n    title: Probe\n"
        + f"    when: {when}\n    weight: 10\n"
    )


def _refused(tmp_path: Path, text: str) -> tuple[ProfileError, tuple[int, int]]:
    """Load ``text`` (with one ``@@`` marker); the single error, and the marked
    1-based (line, column)."""
    index = text.index(MARK)
    before = text[:index]
    position = (before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)
    path = tmp_path / "p.yaml"
    path.write_text(text.replace(MARK, ""), encoding="utf-8")
    with pytest.raises(ProfileSetError) as info:
        load_profiles(path)
    (error,) = info.value.errors
    return error, position


def _problems(expression: str, **lists: tuple[str, frozenset[object]]) -> list[CompileProblem]:
    found = compile_condition(expression, lists)
    return found if isinstance(found, list) else []


# --- literals against a field's allowed values ------------------------------------------------

UNKNOWN_VALUES = {
    "misspelt": ("'container_type == @@\"refer\"'", "reefer"),
    "wrong case": ("'container_type == @@\"Reefer\"'", "reefer"),
    "space for underscore": ("'freight_payer_role == @@\"third party\"'", "third_party"),
    "not equal": ("'freight_payer_role != @@\"Shipper\"'", "shipper"),
    "literal on the left": ("'@@\"Consignee\" == freight_payer_role'", "consignee"),
    "in a literal list": ('\'container_type in ["tank", @@"open top"]\'', "open_top"),
    "in a literal set": ("'freight_terms in {@@\"pre-paid\"}'", "prepaid"),
    "element of a list field": ("'@@\"Customs\" in sealer_types'", "customs"),
    "comprehension variable": (
        "'[t for t in sealer_types if t == @@\"Carrier\"].length > 0'",
        "carrier",
    ),
}


@pytest.mark.parametrize(("when", "meant"), UNKNOWN_VALUES.values(), ids=UNKNOWN_VALUES.keys())
def test_a_literal_no_field_value_equals_is_refused_at_its_position(
    tmp_path: Path, when: str, meant: str
) -> None:
    error, (line, column) = _refused(tmp_path, _profile(when))
    assert (error.code, error.line, error.column) == ("unknown_value", line, column), str(error)
    assert error.suggestion == f"did you mean {meant!r}?"
    assert "one of:" in error.message


@pytest.mark.parametrize(
    "expression",
    [
        'container_type == "reefer"',
        'container_type in ["reefer", "tank"]',
        'freight_payer_role != "third_party"',
        '"customs" in sealer_types',
        'goods_scope == "bill_of_lading"',
        "container_type == port_of_loading or container_type == null",
        '"ref" in (container_type ?? "")',  # a substring, not a value
        '[t for t in sealer_types if t == "customs"].length > 0',
        '[container_type for container_type in hs_chapters if container_type == "08"]',
    ],
)
def test_allowed_values_and_other_tests_load(expression: str) -> None:
    assert not isinstance(compile_condition(expression, {}), list)


def test_every_closed_set_field_is_checked() -> None:
    closed = {spec.name for spec in field_catalogue() if spec.choices}
    assert {"container_type", "freight_terms", "freight_payer_role", "sealer_types"} <= closed
    for name in closed:
        spec = next(s for s in field_catalogue() if s.name == name)
        test = (
            f'"no such value" in {name}'
            if spec.type == "list[string]"
            else (f'{name} == "no such value"')
        )
        assert [p.code for p in _problems(test)] == ["unknown_value"], name


# --- element types of membership tests --------------------------------------------------------


def test_a_number_in_a_list_of_texts_is_a_type_mismatch(tmp_path: Path) -> None:
    # The list has no `type: number`: its values are texts, which no number equals.
    error, (line, column) = _refused(
        tmp_path, _profile("@@packages in $odd_counts", "  odd_counts: {values: [1, 2, 3]}\n")
    )
    assert (error.code, error.line, error.column) == ("type_mismatch", line, column), str(error)
    assert "$odd_counts holds text" in error.message
    assert error.suggestion == "give list 'odd_counts' 'type: number'"


def test_a_text_in_a_list_of_numbers_is_a_type_mismatch(tmp_path: Path) -> None:
    error, (line, column) = _refused(
        tmp_path,
        _profile("@@container_size_type in $sizes", "  sizes: {type: number, values: [20, 40]}\n"),
    )
    assert (error.code, error.line, error.column) == ("type_mismatch", line, column), str(error)
    assert error.suggestion == "remove 'type: number' from list 'sizes'"


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ('packages in ["1", "2"]', "type_mismatch"),
        ("description in [1, 2]", "type_mismatch"),
        ("3 in hs_chapters", "type_mismatch"),
        ("packages in [1, 2]", None),
        ('description in ["A", "B"]', None),
        ("packages in $numbers", None),
        ("description in $texts", None),
    ],
)
def test_membership_element_types(expression: str, code: str | None) -> None:
    lists = {"numbers": ("number", frozenset()), "texts": ("string", frozenset({"A"}))}
    assert [p.code for p in _problems(expression, **lists)] == ([code] if code else [])


# --- what the author probably meant -------------------------------------------------------------

SUGGESTIONS = {
    'port_of_loading = "ECGYE"': ("syntax", "write '=='"),
    'port_of_loading === "ECGYE"': ("syntax", "write '=='"),
    "is_lcl && packages > 1": ("syntax", "write 'and'"),
    "is_lcl || packages > 1": ("syntax", "write 'or'"),
    "is_lcl AND packages > 1": ("syntax", "keywords are lower case: write 'and'"),
    "NOT is_lcl": ("syntax", "keywords are lower case: write 'not'"),
    "port_of_loading IN $ports": ("syntax", "keywords are lower case: write 'in'"),
    "!is_lcl": ("syntax", "write 'not'"),
    'port_of_loading <> "X"': ("syntax", "write '!='"),
    'description contains "FAK"': ("syntax", "write '\"FAK\" in description'"),
    'hs_codes contains "0803"': ("syntax", "write '\"0803\" in hs_codes'"),
    'description matches "FAK"': ("syntax", "write '=~'"),
    "shipper_aeo == True": ("unknown_field", "write true"),
    "declared_value == None": ("unknown_field", "write null"),
    "$today - 45 > bl_issue_date": ("type_mismatch", 'write t"P45D" for 45 days'),
    "bl_issue_date < $today - 30": ("type_mismatch", 'write t"P30D" for 30 days'),
    'hs_codes.starts_with("08")': ("type_mismatch", '$any_starts_with(hs_codes, ["08"])'),
    "hs_codes.ends_with($ports)": ("type_mismatch", "$any_ends_with(hs_codes, $ports)"),
}


@pytest.mark.parametrize(("expression", "expected"), SUGGESTIONS.items(), ids=SUGGESTIONS.keys())
def test_common_mistakes_get_a_suggestion(expression: str, expected: tuple[str, str]) -> None:
    code, words = expected
    (problem,) = _problems(expression, ports=("string", frozenset({"ECGYE"})))
    assert problem.code == code
    assert words in (problem.suggestion or ""), problem


def test_a_date_minus_a_number_explains_itself() -> None:
    (problem,) = _problems("$today - 45 > bl_issue_date")
    assert (
        problem.message == "$today is a date but 45 is a number: they cannot be combined with '-'"
    )


def test_a_list_starts_with_explains_itself() -> None:
    (problem,) = _problems('hs_codes.starts_with("08")')
    assert "'hs_codes' is a list" in problem.message
    assert "not each element with a text" in problem.message


# --- costs that grow with a literal -------------------------------------------------------------


def test_range_of_a_million_is_refused_at_load(tmp_path: Path) -> None:
    # Issue 14: $range(10**6) cost 9.3 s per shipment and only warned.
    error, (line, column) = _refused(tmp_path, _profile("packages in @@$range(10**6)"))
    assert (error.code, error.line, error.column) == ("too_complex", line, column), str(error)
    assert "1,000,000 numbers" in error.message


def test_a_range_comprehension_inside_another_is_refused_at_load(tmp_path: Path) -> None:
    # Each $range within the bound, but nested they ran 10**6 times per shipment: validate
    # and score hung for minutes on one such condition.
    when = (
        "'[a for a in @@$range(1000) if [b for b in $range(1000) if b == a + packages]"
        ".length > 0].length > 0'"
    )
    error, (line, column) = _refused(tmp_path, _profile(when))
    assert (error.code, error.line, error.column) == ("too_complex", line, column), str(error)
    assert "1,000 x 1,000" in error.message


def test_a_list_comprehension_inside_a_range_comprehension_loads() -> None:
    when = (
        "[a for a in $range(10) if [s for s in seal_numbers if s.length == a].length > 0]"
        ".length > 0"
    )
    assert not isinstance(compile_condition(when, {}), list)


@pytest.mark.parametrize("arguments", ["1000", "0, 1000", "5, 5005, 5", "-1000, 0"])
def test_ranges_within_the_bound_load(arguments: str) -> None:
    assert not isinstance(compile_condition(f"packages in $range({arguments})", {}), list)


def test_a_range_sized_by_the_shipment_cannot_be_evaluated_beyond_the_bound() -> None:
    condition = compile_condition("3 in $range(packages)", {})
    assert not isinstance(condition, list)
    as_of = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert condition.evaluate({"packages": Decimal(1000)}, as_of)
    with pytest.raises(rule_engine.EngineError, match="more than 1,000"):
        condition.evaluate({"packages": Decimal(10**9)}, as_of)


def test_a_huge_literal_list_is_refused() -> None:
    items = ", ".join(f'"{i:05d}"' for i in range(1001))
    (problem,) = _problems(f"consignee_identifier in [{items}]")
    assert problem.code == "too_complex"
    assert "watch list" in (problem.suggestion or "")
    assert _problems(f"consignee_identifier in [{items.rsplit(', ', 1)[0]}]") == []


# --- helper functions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "record", "expected"),
    [
        ('$any_starts_with(hs_codes, ["0803", "27"])', {"hs_codes": ("08039010",)}, True),
        ('$any_starts_with(hs_codes, ["0804"])', {"hs_codes": ("08039010",)}, False),
        ("$any_starts_with(hs_codes, [])", {"hs_codes": ("08039010",)}, False),
        ("$any_starts_with(hs_codes, $ports)", {"hs_codes": ("ECGYE1",)}, True),
        ('$any_ends_with(hs_codes, ["9010"])', {"hs_codes": ("0901", "08039010")}, True),
        ('$any_starts_with(description, ["SAID"])', {"description": "SAID TO"}, True),
        ('$intersects(route_countries, ["PA", "CO"])', {"route_countries": ("EC", "PA")}, True),
        ("$intersects(route_countries, $ports)", {"route_countries": ("EC", "PA")}, False),
        (
            "$intersects(route_countries, origin_countries)",
            {"route_countries": ("EC",), "origin_countries": ("EC",)},
            True,
        ),
    ],
)
def test_helper_functions(expression: str, record: dict[str, object], expected: bool) -> None:
    condition = compile_condition(expression, {"ports": ("string", frozenset({"ECGYE"}))})
    assert not isinstance(condition, list), condition
    assert condition.evaluate(record, dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) is expected


@pytest.mark.parametrize(
    "expression",
    [
        '$any_starts_with(hs_codes, "08")',
        '$any_starts_with(packages, ["1"])',
        "$intersects(hs_codes, $numbers)",
        '$intersects(description, ["A"])',
        "$any_ends_with(hs_codes, [1, 2])",
    ],
)
def test_helper_arguments_are_typed_at_load(expression: str) -> None:
    problems = _problems(expression, numbers=("number", frozenset()))
    assert [p.code for p in problems] == ["type_mismatch"]
    assert "it takes a list of texts" in problems[0].message


def test_a_watch_list_cannot_take_a_helper_name(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(_profile("is_lcl", "  intersects: {values: [A]}\n"), encoding="utf-8")
    with pytest.raises(ProfileSetError, match="built-in name"):
        load_profiles(path)


def test_an_attribute_is_named_in_a_type_mismatch() -> None:
    (problem,) = _problems('description.length > "3"')
    assert problem.message.startswith('description.length is a number but "3" is text')


def test_intersects_normalises_a_watch_list_for_the_field(tmp_path: Path) -> None:
    # The list's values are compared with country codes, as with `x in $countries`.
    path = tmp_path / "p.yaml"
    text = _profile(
        "'$intersects(route_countries, $countries)'",
        '  countries: {values: [pa, " CO"]}\n',
    )
    path.write_text(text, encoding="utf-8")
    (profile,) = load_profiles(path)
    assert profile.lists["countries"] == frozenset({"PA", "CO"})


# --- literals against a field's spelling ----------------------------------------------------

MISSPELT = {
    "lower-case LOCODE": ("'port_of_loading == @@\"ecgye\"'", "did you mean 'ECGYE'?"),
    "LOCODE in a literal list": (
        '\'port_of_loading in ["ECGYE", @@"ec pbo"]\'',
        "did you mean 'ECPBO'?",
    ),
    "name with double blank": (
        "'consignee_name != @@\"Al  Buraq\"'",
        "did you mean 'AL BURAQ'?",
    ),
    "element of a country list": ("'@@\"ec\" in route_countries'", "did you mean 'EC'?"),
    "HS code with dots": ("'@@\"0803.90\" in hs_subheadings'", "did you mean '080390'?"),
    "comprehension variable": (
        "'[p for p in transshipment_ports if p == @@\"pamit\"].length > 0'",
        "did you mean 'PAMIT'?",
    ),
}


@pytest.mark.parametrize(("when", "suggestion"), MISSPELT.values(), ids=MISSPELT.keys())
def test_a_literal_not_written_as_the_readers_write_the_field_is_refused(
    tmp_path: Path, when: str, suggestion: str
) -> None:
    # The readers fold names and codes; a literal written otherwise never matches, as a
    # watch-list value would not if the loader did not write it the field's way.
    error, (line, column) = _refused(tmp_path, _profile(when))
    assert (error.code, error.line, error.column) == ("unknown_value", line, column), str(error)
    assert error.suggestion == suggestion


@pytest.mark.parametrize(
    "expression",
    [
        'port_of_loading == "ECGYE"',
        'consignee_name == "AL BURAQ TRADING"',
        '"EC" in route_countries',
        '[h for h in hs_chapters if h == "08"].length > 0',
        '"BURAQ" in (consignee_name ?? "")',  # a substring, not a value
        'seal_numbers == ["ml-1"]',  # seal numbers are kept as declared
        'port_of_loading != "CN"',  # kept (flagged) by the lenient readers
    ],
)
def test_literals_written_as_the_field_is_load(expression: str) -> None:
    assert not isinstance(compile_condition(expression, {}), list)


@pytest.mark.parametrize(
    "when",
    [
        "'description =~~ @@$terms.to_ary[0]'",
        "'[t for t in @@$terms if description =~~ t.as_upper].length > 0'",
    ],
    ids=["indexed list", "transformed value"],
)
def test_a_regex_built_from_a_list_in_a_shape_the_loader_cannot_check_is_refused(
    tmp_path: Path, when: str
) -> None:
    """Regression (issue 14, item 1's class): a list value that breaks the regex was
    found only at run time (the indicator unevaluable on every shipment, `validate` said
    valid) when the regex took the list through `.to_ary[i]` or `t.as_upper`."""
    lists = '  terms: {values: ["ok", "(bad"]}\n'
    error, position = _refused(tmp_path, _profile(when, lists))
    assert error.code == "regex"
    assert "must be literals and the list's value joined with '+'" in error.message
    assert (error.line, error.column) == position


def test_a_regex_built_from_a_list_by_concatenation_is_checked_per_value(
    tmp_path: Path,
) -> None:
    lists = '  terms: {values: ["ok", "(bad"]}\n'
    when = """'[t for t in @@$terms if description =~~ ("\\\\b" + t + "\\\\b")].length > 0'"""
    error, _ = _refused(tmp_path, _profile(when, lists))
    assert "list $terms holds '(bad'" in error.message
