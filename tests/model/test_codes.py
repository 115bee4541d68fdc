"""The standards checks of riskprofile.model.codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskprofile.model.codes import (
    container_number_problem,
    country_problem,
    currency_problem,
    describe_size_type,
    hs_code_problem,
    imo_problem,
    is_country,
    locode_problem,
    normalise_code,
    normalise_container_number,
    normalise_hs_code,
    normalise_imo,
    normalise_locode,
    scac_problem,
    size_type_problem,
)
from tests import strategies as rst

# ISO 6346 letter values: A=10, then counting on but skipping multiples of 11.
_LETTER_VALUES = dict(
    zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [v for v in range(10, 39) if v % 11], strict=True)
)


def _iso6346_remainder(body: str) -> int:
    """The weighted sum mod 11 of the first ten characters, computed from the standard."""
    values = [int(c) if c.isdigit() else _LETTER_VALUES[c] for c in body]
    return sum(v * (1 << i) for i, v in enumerate(values)) % 11


# --- ISO 6346 container numbers ------------------------------------------------------------


def test_known_good_container_number() -> None:
    assert container_number_problem("CSQU3054383") is None


def test_wrong_check_digit_names_value_and_expected_digit() -> None:
    problem = container_number_problem("CSQU3054384")
    assert problem is not None
    assert problem.code == "check_digit"
    assert "CSQU3054384" in problem.message
    assert "expected 3" in problem.message


def test_check_remainder_of_ten_maps_to_zero() -> None:
    # Found by search: the weighted sum of CSQU000007 leaves 10 modulo 11.
    body = "CSQU000007"
    assert _iso6346_remainder(body) == 10
    assert container_number_problem(body + "0") is None
    problem = container_number_problem(body + "1")
    assert problem is not None
    assert problem.code == "check_digit"
    assert "expected 0" in problem.message


@pytest.mark.parametrize(
    "number",
    [
        "CSQA3054383",  # category must be U, J or Z
        "CSQU305438",  # too short
        "CSQU30543833",  # too long
        "CSQUX054383",  # letter in serial
        "CS1U3054383",  # digit in owner code
        "",
    ],
)
def test_malformed_container_numbers(number: str) -> None:
    problem = container_number_problem(number)
    assert problem is not None
    assert problem.code == "format"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("csqu 305438 3", "CSQU3054383"),
        ("CSQU-305438-3", "CSQU3054383"),
        (" CSQU 305438/3 ", "CSQU3054383"),
        ("csqu.3054383", "CSQU3054383"),
    ],
)
def test_container_number_normalisation(typed: str, canonical: str) -> None:
    assert normalise_container_number(typed) == canonical


@given(rst.container_numbers())
def test_generated_container_numbers_pass_and_match_the_standard(number: str) -> None:
    assert container_number_problem(number) is None
    assert int(number[10]) == _iso6346_remainder(number[:10]) % 10


@given(rst.container_numbers(), st.integers(1, 9))
def test_any_other_check_digit_fails(number: str, offset: int) -> None:
    spoilt = number[:10] + str((int(number[10]) + offset) % 10)
    problem = container_number_problem(spoilt)
    assert problem is not None
    assert problem.code == "check_digit"


@given(rst.container_number_spellings())
def test_spellings_normalise_to_the_canonical_number(pair: tuple[str, str]) -> None:
    typed, canonical = pair
    assert normalise_container_number(typed) == canonical


@given(rst.malformed_container_numbers())
def test_generated_malformed_numbers_fail_on_format(number: str) -> None:
    problem = container_number_problem(normalise_container_number(number))
    assert problem is not None
    assert problem.code == "format"


# --- ISO 6346 size-type codes --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "length", "group", "legacy"),
    [
        ("22G1", 20.0, "general", False),
        ("45R1", 40.0, "reefer", False),
        ("22T1", 20.0, "tank", False),
        ("22U1", 20.0, "open_top", False),
        ("42P1", 40.0, "platform", False),
        ("L5G1", 45.0, "general", False),
        ("2200", 20.0, "general", True),
        ("4500", 40.0, "general", True),
        ("4532", 40.0, "reefer", True),
        ("2270", 20.0, "tank", True),
    ],
)
def test_size_type_codes_current_and_legacy(
    code: str, length: float, group: str, legacy: bool
) -> None:
    assert size_type_problem(code) is None
    size = describe_size_type(code)
    assert size is not None
    assert (size.length_ft, size.group, size.legacy) == (length, group, legacy)


def test_teu_of_twenty_forty_and_forty_five_foot_boxes() -> None:
    teus = {code: describe_size_type(code).teu for code in ("22G1", "45R1", "L5G1", "2200")}  # type: ignore[union-attr]
    assert teus == {"22G1": 1.0, "45R1": 2.0, "L5G1": 2.0, "2200": 1.0}


@pytest.mark.parametrize(
    "code",
    [
        "ZZZZ",
        "22X1",  # unknown type group
        "22GX",  # last character must be a digit
        "22G",
        "22G11",
        "9200",  # no length 9 in 1984 codes
        "",
        "22G\u00b2",  # superscript two is not a digit of the code
        "22\u06600",  # Arabic-Indic zero
    ],
)
def test_garbage_size_type_codes_are_rejected(code: str) -> None:
    assert describe_size_type(code) is None
    problem = size_type_problem(code)
    assert problem is not None
    assert problem.code == "format"


@given(rst.size_type_codes())
def test_generated_size_types_are_described(code: str) -> None:
    size = describe_size_type(code)
    assert size is not None
    assert size.legacy == code.isdigit()
    assert size.teu in (1.0, 2.0)


@given(rst.malformed_size_type_codes())
def test_generated_malformed_size_types_are_rejected(code: str) -> None:
    assert size_type_problem(code) is not None


@given(st.text(max_size=6))
def test_describe_size_type_never_raises(code: str) -> None:
    # Arbitrary text (any script) is either a code or None; never an exception.
    describe_size_type(code)
    size_type_problem(code)


# --- UN/LOCODE -----------------------------------------------------------------------------


def test_locode_shape_and_country() -> None:
    assert locode_problem("PKKHI") is None
    assert locode_problem("AEJEA") is None
    assert locode_problem("XZAAA") is None  # installations in international waters
    unknown = locode_problem("QQKHI")
    assert unknown is not None
    assert unknown.code == "unknown_country"
    for bad in ("PKKH1", "PKKH", "PKKHII", "P1KHI", ""):
        problem = locode_problem(bad)
        assert problem is not None, bad
        assert problem.code == "format"


def test_locode_normalisation() -> None:
    assert normalise_locode(" pk khi ") == "PKKHI"
    assert normalise_locode("PK-KHI") == "PKKHI"


@given(rst.locodes())
def test_generated_locodes_pass(code: str) -> None:
    assert locode_problem(code) is None


@given(rst.unknown_country_locodes())
def test_unknown_country_locodes_fail_on_country(code: str) -> None:
    problem = locode_problem(code)
    assert problem is not None
    assert problem.code == "unknown_country"


@given(rst.malformed_locodes())
def test_malformed_locodes_fail_on_format(code: str) -> None:
    problem = locode_problem(code)
    assert problem is not None
    assert problem.code == "format"


# --- countries and currencies --------------------------------------------------------------


def test_country_codes() -> None:
    assert country_problem("PK") is None
    assert is_country("KZ")
    assert not is_country("XX")
    problem = country_problem("XX")
    assert problem is not None
    assert problem.code == "unknown_country"
    for bad in ("P1", "PAK", "p", ""):
        problem = country_problem(bad)
        assert problem is not None, bad
        assert problem.code == "format"


@given(rst.country_codes())
def test_generated_countries_pass(code: str) -> None:
    assert country_problem(code) is None


@given(rst.unknown_country_codes())
def test_unknown_countries_fail(code: str) -> None:
    problem = country_problem(code)
    assert problem is not None
    assert problem.code == "unknown_country"


def test_currency_codes() -> None:
    assert currency_problem("USD") is None
    assert currency_problem("PKR") is None
    unknown = currency_problem("ABC")
    assert unknown is not None
    assert unknown.code == "unknown_currency"
    malformed = currency_problem("US")
    assert malformed is not None
    assert malformed.code == "format"


@given(rst.currency_codes())
def test_generated_currencies_pass(code: str) -> None:
    assert currency_problem(code) is None


@given(rst.unknown_currency_codes())
def test_unknown_currencies_fail(code: str) -> None:
    problem = currency_problem(code)
    assert problem is not None
    assert problem.code == "unknown_currency"


# --- Harmonized System ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("0803.90", "080390"),
        ("0803.90 10", "08039010"),
        ("0803 90 1000", "0803901000"),
        ("2939.71", "293971"),
    ],
)
def test_hs_normalisation_keeps_national_subheading(typed: str, canonical: str) -> None:
    assert normalise_hs_code(typed) == canonical
    assert hs_code_problem(canonical) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("08039", "format"),  # 5 digits
        ("08039010123", "format"),  # 11 digits
        ("0803AB", "format"),
        ("0803", "format"),
        ("000000", "unknown_chapter"),
        ("770000", "unknown_chapter"),
        # Digits of another script are not HS digits.
        ("\u0660\u0668\u0660\u0663\u0669\u0660", "format"),
    ],
)
def test_malformed_hs_codes(code: str, expected: str) -> None:
    problem = hs_code_problem(code)
    assert problem is not None
    assert problem.code == expected


def test_national_use_chapters_are_accepted() -> None:
    assert hs_code_problem("980100") is None
    assert hs_code_problem("99000000") is None


@given(rst.hs_code_spellings())
def test_generated_hs_spellings_normalise_and_pass(pair: tuple[str, str]) -> None:
    typed, canonical = pair
    assert normalise_hs_code(typed) == canonical
    assert hs_code_problem(canonical) is None
    assert 6 <= len(canonical) <= 10


@given(rst.malformed_hs_codes())
def test_generated_malformed_hs_codes_fail(code: str) -> None:
    assert hs_code_problem(normalise_hs_code(code)) is not None


# --- IMO and SCAC --------------------------------------------------------------------------


def test_imo_numbers() -> None:
    assert imo_problem("9321483") is None
    wrong = imo_problem("9321484")
    assert wrong is not None
    assert wrong.code == "check_digit"
    short = imo_problem("932148")
    assert short is not None
    assert short.code == "format"
    assert normalise_imo("IMO 9321483") == "9321483"
    assert normalise_imo("imo9321483") == "9321483"


@given(rst.imo_numbers())
def test_generated_imo_numbers_pass(number: str) -> None:
    assert imo_problem(number) is None


@given(rst.bad_check_digit_imo_numbers())
def test_bad_imo_check_digits_fail(number: str) -> None:
    problem = imo_problem(number)
    assert problem is not None
    assert problem.code == "check_digit"


def test_scac_codes() -> None:
    assert scac_problem("MAEU") is None
    assert scac_problem("MS") is None
    for bad in ("M", "MAERSK", "M4EU"):
        assert scac_problem(bad) is not None, bad


@given(rst.scac_codes())
def test_generated_scac_codes_pass(code: str) -> None:
    assert scac_problem(code) is None


# --- normalisation in general --------------------------------------------------------------


@given(st.text(max_size=20))
def test_normalise_code_is_idempotent(text: str) -> None:
    once = normalise_code(text)
    assert normalise_code(once) == once


def test_alpha3_and_uk_country_codes_are_converted_to_alpha2() -> None:
    from riskprofile.model.codes import normalise_country

    assert normalise_country("pak") == "PK"
    assert normalise_country("CHN") == "CN"
    assert normalise_country("UK") == "GB"
    assert normalise_country("XYZ") == "XYZ"  # left for the check to flag


def test_legacy_type_10_is_the_ordinary_dry_box() -> None:
    from riskprofile.model.codes import describe_size_type

    high_cube = describe_size_type("4510")
    assert high_cube is not None
    assert (high_cube.group, high_cube.length_ft, high_cube.height_ft) == ("general", 40.0, 9.5)
    vented = describe_size_type("2213")
    assert vented is not None
    assert vented.group == "ventilated"
