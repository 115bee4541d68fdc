"""The standards the data model checks: ISO 6346, UN/LOCODE, ISO 3166, ISO 4217, HS, IMO,
UN numbers and IMDG classes of dangerous goods, UN/ECE Rec. 19 modes of transport.

Each code has a ``normalise_*`` function (how the value is written down canonically) and a
``*_problem`` function that returns a :class:`Problem` when the value breaks the standard,
or ``None`` when it conforms. The model layer uses the pair in both strictness modes:
strict mode raises on a problem, lenient mode keeps the value and records the problem as
a data-quality flag, because a wrong check digit is itself a risk indicator.

Check digits come from python-stdnum and country and currency lists from pycountry:
maintained implementations of the standards rather than our own tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import pycountry
from stdnum import imo as _imo
from stdnum import iso6346 as _iso6346

__all__ = [
    "ContainerType",
    "Problem",
    "container_number_problem",
    "country_problem",
    "currency_problem",
    "describe_size_type",
    "hs_code_problem",
    "imdg_class_problem",
    "imo_problem",
    "is_country",
    "locode_problem",
    "normalise_code",
    "normalise_container_number",
    "normalise_country",
    "normalise_hs_code",
    "normalise_imdg_class",
    "normalise_imo",
    "normalise_locode",
    "normalise_transport_mode",
    "normalise_un_number",
    "scac_problem",
    "size_type_problem",
    "transport_mode_problem",
    "un_number_problem",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a value breaks its standard.

    ``code`` is short and stable (rules and reports match on it, e.g. ``check_digit``);
    ``message`` is for people.
    """

    code: str
    message: str


# The same codes recur thousands of times in a batch (a container on every goods line);
# the checks are pure functions of the text, so their answers are cached.
_CACHE = 1 << 16

_SPACES = re.compile(r"[\s\-./]+")


def normalise_code(value: str) -> str:
    """Upper-case a code and drop the blanks, hyphens, dots and slashes people type in it."""
    return _SPACES.sub("", value).upper()


# --- ISO 3166-1 alpha-2 and ISO 4217 -------------------------------------------------------


@cache
def _countries() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_country(code: str) -> bool:
    """True when ``code`` is an assigned ISO 3166-1 alpha-2 country code."""
    return code in _countries()


# ISO 3166-1 exceptionally reserves UK for the United Kingdom (GB); manifests use it.
_COUNTRY_ALIASES = {"UK": "GB"}


@cache
def _alpha3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def normalise_country(value: str) -> str:
    """``"pk"`` -> ``"PK"``; an alpha-3 code (``"PAK"``) or ``"UK"`` -> its alpha-2 code."""
    code = normalise_code(value)
    if len(code) == 3:
        return _alpha3().get(code, code)
    return _COUNTRY_ALIASES.get(code, code)


@lru_cache(maxsize=_CACHE)
def country_problem(code: str) -> Problem | None:
    """Check an ISO 3166-1 alpha-2 country code (``PK``, ``KZ``)."""
    if not re.fullmatch(r"[A-Z]{2}", code):
        return Problem("format", f"{code!r} is not a two-letter ISO 3166-1 country code")
    if not is_country(code):
        return Problem("unknown_country", f"{code!r} is not an assigned ISO 3166-1 country")
    return None


@lru_cache(maxsize=_CACHE)
def currency_problem(code: str) -> Problem | None:
    """Check an ISO 4217 currency code (``USD``, ``PKR``)."""
    if not re.fullmatch(r"[A-Z]{3}", code):
        return Problem("format", f"{code!r} is not a three-letter ISO 4217 currency code")
    if code not in _currencies():
        return Problem("unknown_currency", f"{code!r} is not an ISO 4217 currency")
    return None


# --- UN/LOCODE -----------------------------------------------------------------------------

_LOCODE = re.compile(r"[A-Z]{2}[A-Z2-9]{3}")
# UN/LOCODE uses XZ for installations in international waters; it is not in ISO 3166.
_LOCODE_EXTRA_COUNTRIES = frozenset({"XZ"})


def normalise_locode(value: str) -> str:
    """``"pk khi"`` -> ``"PKKHI"``."""
    return normalise_code(value)


@lru_cache(maxsize=_CACHE)
def locode_problem(code: str) -> Problem | None:
    """Check a UN/LOCODE: two letters of a real ISO 3166 country, then three of [A-Z2-9].

    Only the shape and the country are checked: the UN/LOCODE list itself (about 115,000
    entries) is not bundled.
    """
    if not _LOCODE.fullmatch(code):
        return Problem(
            "format",
            f"{code!r} is not a UN/LOCODE (2 country letters + 3 of A-Z, 2-9, e.g. PKKHI)",
        )
    if not (is_country(code[:2]) or code[:2] in _LOCODE_EXTRA_COUNTRIES):
        return Problem("unknown_country", f"{code!r}: {code[:2]!r} is not an ISO 3166 country")
    return None


# --- ISO 6346 container numbers ------------------------------------------------------------

_CONTAINER = re.compile(r"[A-Z]{3}[UJZ][0-9]{7}")


def normalise_container_number(value: str) -> str:
    """``"csqu 305438-3"`` -> ``"CSQU3054383"``."""
    return normalise_code(value)


@lru_cache(maxsize=_CACHE)
def container_number_problem(number: str) -> Problem | None:
    """Check an ISO 6346 container number: owner code, category U/J/Z, serial, check digit.

    The check digit is computed by python-stdnum (a remainder of 10 counts as 0). Whether
    the owner code is registered with the BIC is not checked: the register is not public.
    """
    if not _CONTAINER.fullmatch(number):
        return Problem(
            "format",
            f"{number!r} is not an ISO 6346 container number "
            "(3-letter owner code, U/J/Z, 6-digit serial, check digit)",
        )
    expected = _iso6346.calc_check_digit(number[:10])
    if number[10] != expected:
        return Problem(
            "check_digit", f"{number!r} fails the ISO 6346 check digit (expected {expected})"
        )
    return None


# --- ISO 6346 size and type codes ----------------------------------------------------------

ContainerType = Literal[
    "general",
    "ventilated",
    "bulk",
    "named_cargo",
    "reefer",
    "insulated",
    "open_top",
    "platform",
    "tank",
    "air_surface",
]

# ISO 6346:1995 length codes (feet); letters are the longer and the odd sizes.
_LENGTH_1995 = {
    "1": 10.0, "2": 20.0, "3": 30.0, "4": 40.0, "B": 24.0, "C": 24.5, "G": 41.0,
    "H": 43.0, "L": 45.0, "M": 48.0, "N": 49.0, "P": 53.0,
}  # fmt: skip
# ISO 6346:1995 height codes (feet); C-F, L-P are the same heights for wider boxes.
_HEIGHT_1995 = {
    "0": 8.0, "2": 8.5, "4": 9.0, "5": 9.5, "6": 9.5, "8": 4.25, "9": 4.0,
    "C": 8.5, "D": 9.0, "E": 9.5, "F": 9.5, "L": 8.5, "M": 9.0, "N": 9.5, "P": 9.5,
}  # fmt: skip
_GROUP_1995: dict[str, ContainerType] = {
    "G": "general", "V": "ventilated", "B": "bulk", "S": "named_cargo", "R": "reefer",
    "H": "insulated", "U": "open_top", "P": "platform", "T": "tank", "A": "air_surface",
}  # fmt: skip
# ISO 6346:1984 (legacy, all digits): first digit length, second height, last two type.
_LENGTH_1984 = {"1": 10.0, "2": 20.0, "3": 30.0, "4": 40.0}
_HEIGHT_1984 = {"0": 8.0, "1": 8.0, "2": 8.5, "3": 8.5, "4": 9.5, "5": 9.5, "6": 4.25}
_GROUP_1984: dict[str, ContainerType] = {
    "0": "general", "1": "ventilated", "2": "insulated", "3": "reefer", "4": "reefer",
    "5": "open_top", "6": "platform", "7": "tank", "8": "bulk", "9": "air_surface",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SizeType:
    """What an ISO 6346 size-type code says about the box."""

    length_ft: float
    height_ft: float
    group: ContainerType
    legacy: bool

    @property
    def teu(self) -> float:
        """Twenty-foot equivalent units: 1 for 20', 2 for 40' and 45'."""
        return 1.0 if self.length_ft <= 20 else 2.0


def describe_size_type(code: str) -> SizeType | None:
    """Decode a current (``22G1``, ``45R1``) or legacy 1984 (``2200``, ``4532``) code.

    >>> describe_size_type("45R1")
    SizeType(length_ft=40.0, height_ft=9.5, group='reefer', legacy=False)
    >>> describe_size_type("2200").group
    'general'
    """
    # str.isdigit() also accepts other scripts' digits ("٠", "²"), which the tables lack.
    if len(code) != 4 or not code.isascii():
        return None
    if code.isdigit() and code[0] in _LENGTH_1984 and code[1] in _HEIGHT_1984:
        # Type 10 (passive vents) is how the ordinary dry box was written (2210, 4510): it
        # is general purpose, as its 1995 equivalent G1 is; 11-19 are ventilated.
        group_1984 = "general" if code[2:] == "10" else _GROUP_1984[code[2]]
        return SizeType(_LENGTH_1984[code[0]], _HEIGHT_1984[code[1]], group_1984, True)
    length = _LENGTH_1995.get(code[0])
    height = _HEIGHT_1995.get(code[1])
    group = _GROUP_1995.get(code[2])
    if length is None or height is None or group is None or not code[3].isdigit():
        return None
    return SizeType(length, height, group, False)


@lru_cache(maxsize=_CACHE)
def size_type_problem(code: str) -> Problem | None:
    """Check an ISO 6346 size-type code, current (1995) or legacy (1984)."""
    if describe_size_type(code) is None:
        return Problem(
            "format",
            f"{code!r} is not an ISO 6346 size-type code (e.g. 22G1, 45R1, or legacy 2200)",
        )
    return None


# --- Harmonized System ---------------------------------------------------------------------


def normalise_hs_code(value: str) -> str:
    """``"0803.90 10"`` -> ``"08039010"``: the national subheading digits are kept."""
    return normalise_code(value)


@lru_cache(maxsize=_CACHE)
def hs_code_problem(code: str) -> Problem | None:
    """Check an HS code: 6 to 10 digits, in a chapter that exists (01-97, not 77; 98-99 are
    reserved for national use and accepted).

    Whether the heading and subheading exist in a given HS edition is not checked: the
    nomenclature tables are not bundled.
    """
    if not re.fullmatch(r"[0-9]{6,10}", code):
        return Problem("format", f"{code!r} is not an HS code (6 to 10 digits)")
    if code[:2] in ("00", "77"):
        return Problem("unknown_chapter", f"{code!r}: HS chapter {code[:2]} does not exist")
    return None


# --- IMO ship numbers and SCAC carrier codes -----------------------------------------------


def normalise_imo(value: str) -> str:
    """``"IMO 9321483"`` -> ``"9321483"``."""
    code = normalise_code(value)
    return code.removeprefix("IMO")


@lru_cache(maxsize=_CACHE)
def imo_problem(number: str) -> Problem | None:
    """Check an IMO ship identification number (7 digits, the last a check digit)."""
    if not re.fullmatch(r"[0-9]{7}", number):
        return Problem("format", f"{number!r} is not an IMO number (7 digits)")
    if _imo.calc_check_digit(number[:6]) != number[6]:
        return Problem("check_digit", f"{number!r} fails the IMO check digit")
    return None


@lru_cache(maxsize=_CACHE)
def scac_problem(code: str) -> Problem | None:
    """Check the shape of a Standard Carrier Alpha Code (2 to 4 letters, e.g. MAEU)."""
    if not re.fullmatch(r"[A-Z]{2,4}", code):
        return Problem("format", f"{code!r} is not a SCAC carrier code (2 to 4 letters)")
    return None


# --- dangerous goods: UN numbers and IMDG classes ------------------------------------------


def normalise_un_number(value: str) -> str:
    """``"UN 1263"`` -> ``"1263"``."""
    return normalise_code(value).removeprefix("UN")


@lru_cache(maxsize=_CACHE)
def un_number_problem(number: str) -> Problem | None:
    """Check a UN number (the UN Model Regulations' four digits, 0004 to 3599 and a few
    above; 0000 is none).

    Whether the number is assigned in a given edition of the Dangerous Goods List is not
    checked: the list is not bundled.
    """
    if not re.fullmatch(r"[0-9]{4}", number) or number == "0000":
        return Problem("format", f"{number!r} is not a UN number (4 digits, e.g. 1263)")
    return None


# The IMDG Code's classes and divisions (Part 2); class 1 may carry its compatibility group
# (1.4S), as stow plans and dangerous goods declarations write it.
_IMDG_CLASSES = frozenset({
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "2.1", "2.2", "2.3", "3", "4.1", "4.2", "4.3",
    "5.1", "5.2", "6.1", "6.2", "7", "8", "9",
})  # fmt: skip
_IMDG_EXPLOSIVE = re.compile(r"1\.[1-6][A-HJKLNS]")


def normalise_imdg_class(value: str) -> str:
    """``"class 6.1"`` -> ``"6.1"``, ``"1.4 s"`` -> ``"1.4S"`` (the dot is kept: 6.1 is
    not 61)."""
    written = re.sub(r"\s+", "", value).upper().removeprefix("CLASS")
    return written.replace(",", ".")


@lru_cache(maxsize=_CACHE)
def imdg_class_problem(code: str) -> Problem | None:
    """Check an IMDG class or division (``3``, ``6.1``, ``1.4S``): one of the IMDG Code's."""
    if code in _IMDG_CLASSES or _IMDG_EXPLOSIVE.fullmatch(code):
        return None
    return Problem(
        "format",
        f"{code!r} is not an IMDG class or division (1.1-1.6, 2.1-2.3, 3, 4.1-4.3, 5.1, 5.2, "
        "6.1, 6.2, 7, 8, 9)",
    )


# --- UN/ECE Recommendation 19: modes of transport ------------------------------------------

# The words exports write for a mode, as Rec. 19's one-digit codes.
_MODE_WORDS = {
    "SEA": "1", "MARITIME": "1", "VESSEL": "1", "FEEDER": "1", "RAIL": "2", "TRAIN": "2",
    "ROAD": "3", "TRUCK": "3", "LORRY": "3", "AIR": "4", "MAIL": "5", "MULTIMODAL": "6",
    "PIPELINE": "7", "INLANDWATER": "8", "BARGE": "8", "RIVER": "8",
}  # fmt: skip


def normalise_transport_mode(value: str) -> str:
    """A mode of transport as its UN/ECE Rec. 19 code: ``"Road"`` -> ``"3"``."""
    written = normalise_code(value)
    return _MODE_WORDS.get(written, written)


@lru_cache(maxsize=_CACHE)
def transport_mode_problem(code: str) -> Problem | None:
    """Check a UN/ECE Rec. 19 mode of transport: one digit (1 sea, 2 rail, 3 road, 4 air,
    5 mail, 6 multimodal, 7 fixed installation, 8 inland water, 0 and 9 not said)."""
    if not re.fullmatch(r"[0-9]", code):
        return Problem(
            "format",
            f"{code!r} is not a UN/ECE Rec. 19 mode of transport (1 sea, 2 rail, 3 road...)",
        )
    return None
