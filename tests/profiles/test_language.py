"""The profile language refuses what could never be true, and says why.

- a text literal compared with a closed-set field (``container_type == "refer"``) must be
  one of the field's values: refused with the literal's position and a suggestion;
- membership of a number in a list of texts (or of a text in a list of numbers) is a
  ``type_mismatch``, with what to change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from riskprofile.errors import ProfileError, ProfileSetError
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles import load_profiles
from riskprofile.profiles._expressions import CompileProblem, compile_condition

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
