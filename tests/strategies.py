"""Hypothesis strategies for the data model, shared by every test of the suite.

Three layers, each built on the one before:

- **codes**: valid values of each standard (container numbers with a correct ISO 6346
  check digit, UN/LOCODEs of real countries, HS codes, IMO numbers, ISO 3166 countries,
  ISO 4217 currencies, size-type codes, SCAC codes) and *invalid* ones (a wrong check
  digit, an unassigned country, a malformed HS code...);
- **documents**: plain JSON-ready dicts of each record, as a reader would receive them
  (``container_documents()``, ..., ``manifest_documents(valid)``, and
  ``junk_manifest_documents()`` with arbitrary JSON in optional fields);
- **models**: the same validated in strict mode (``containers()``, ..., ``manifests()``),
  and the flat records (``shipments()``).

Valid documents are canonical (codes already normalised, money as decimal text, times in
UTC) and consistent (VGM not below tare, net weight not above gross), so strict
validation accepts them without a single quality flag. Sizes are kept small so that
property tests stay fast; draw several manifests rather than one big one.

``profile_documents()`` draws small base profiles (YAML-ready dicts) over fields that
generated shipments really vary in, some of which are null often enough that conditions
cannot always be evaluated; ``profile_sets()`` draws loaded and compiled sets of them.
"""

from __future__ import annotations

import copy
import functools
import string
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
import yaml
from hypothesis import strategies as st
from stdnum import imo as _imo
from stdnum import iso6346 as _iso6346

from riskprofile.model import (
    LENIENT,
    Consignment,
    Container,
    GoodsItem,
    Manifest,
    Party,
    Seal,
    Shipment,
    flatten,
)
from riskprofile.profiles import ProfileSet, load_profiles

__all__ = [
    "COUNTRY_CODES",
    "CURRENCY_CODES",
    "bad_check_digit_container_numbers",
    "bad_check_digit_imo_numbers",
    "consignment_documents",
    "consignments",
    "container_documents",
    "container_number_spellings",
    "container_numbers",
    "containers",
    "country_codes",
    "currency_codes",
    "goods_item_documents",
    "goods_items",
    "hs_code_spellings",
    "hs_codes",
    "imo_numbers",
    "invalid_values",
    "json_values",
    "junk_manifest_documents",
    "load_profile_documents",
    "locodes",
    "malformed_container_numbers",
    "malformed_hs_codes",
    "malformed_locodes",
    "malformed_size_type_codes",
    "manifest_documents",
    "manifests",
    "negative_weights",
    "parties",
    "party_documents",
    "profile_documents",
    "profile_sets",
    "scac_codes",
    "seal_documents",
    "seals",
    "separator_only_codes",
    "rule_conditions",
    "rule_shipments",
    "shipments",
    "size_type_codes",
    "unknown_country_codes",
    "unknown_country_locodes",
    "unknown_currency_codes",
    "unparseable_numbers",
    "weights",
]

COUNTRY_CODES: tuple[str, ...] = tuple(sorted(c.alpha_2 for c in pycountry.countries))
"""Every assigned ISO 3166-1 alpha-2 code known to pycountry."""
CURRENCY_CODES: tuple[str, ...] = tuple(sorted(c.alpha_3 for c in pycountry.currencies))
"""Every ISO 4217 alphabetic code known to pycountry."""

_UPPER = string.ascii_uppercase
_DIGITS = string.digits
# Real ports, so that failures print something a customs officer would recognise.
_KNOWN_LOCODES = ("PKKHI", "AEJEA", "ECGYE", "PAMIT", "NLRTM", "CNSHA", "SGSIN", "KZALA")
_KNOWN_SIZE_TYPES = ("22G1", "42G1", "45G1", "L5G1", "22R1", "45R1", "22T1", "22U1", "42P1",
                     "2200", "4500", "4510", "2232")  # fmt: skip
_PACKAGE_TYPES = ("CT", "PK", "BX", "BG", "PL", "DR", "CS")
_SEALERS = ("carrier", "shipper", "customs", "other")
# Names and descriptions: upper and lower case, some punctuation and non-ASCII letters as
# they occur in real declarations.
_TEXT_ALPHABET = _UPPER + "abcdefxyz" + _DIGITS + " .,&-/'" + "ÄÉÇÑØŞĞ"

# A strategy built afresh inside every draw is validated afresh by hypothesis (its
# emptiness and recursion checked over the whole tree): that took three quarters of the
# time of drawing a manifest. Each factory below builds its strategy once; what is drawn
# from it is unchanged.
_once = functools.cache
_sampled = _once(st.sampled_from)  # for tuples, which are hashable


# --- valid codes ---------------------------------------------------------------------------


@_once
def country_codes() -> st.SearchStrategy[str]:
    """Assigned ISO 3166-1 alpha-2 country codes (``PK``, ``EC``)."""
    return st.sampled_from(COUNTRY_CODES)


@_once
def currency_codes() -> st.SearchStrategy[str]:
    """ISO 4217 currency codes (``USD``, ``PKR``)."""
    return st.sampled_from(CURRENCY_CODES)


@_once
def locodes() -> st.SearchStrategy[str]:
    """UN/LOCODEs: a real country then three of A-Z and 2-9 (``PKKHI``), real ports often."""
    generated = st.builds(
        lambda country, place: country + place,
        country_codes(),
        st.text(alphabet=_UPPER + "23456789", min_size=3, max_size=3),
    )
    return st.one_of(st.sampled_from(_KNOWN_LOCODES), generated)


@_once
def container_numbers() -> st.SearchStrategy[str]:
    """ISO 6346 container numbers with a correct check digit (``CSQU3054383``).

    The check digit comes from python-stdnum, so serials whose check remainder is 10 (and
    whose digit is therefore 0) occur like any other.
    """

    def build(owner: str, category: str, serial: int) -> str:
        body = f"{owner}{category}{serial:06d}"
        return body + _iso6346.calc_check_digit(body)

    return st.builds(
        build,
        st.text(alphabet=_UPPER, min_size=3, max_size=3),
        st.sampled_from("UJZ"),
        st.integers(0, 999_999),
    )


def container_number_spellings() -> st.SearchStrategy[tuple[str, str]]:
    """Pairs ``(as typed, canonical)``: a valid container number in lower case and/or with
    blanks, hyphens, dots or slashes between its parts (``"csqu 305438-3"``)."""

    def spell(number: str, lower: bool, seps: list[str]) -> tuple[str, str]:
        parts = [number[:4], number[4:10], number[10]]
        typed = parts[0] + seps[0] + parts[1] + seps[1] + parts[2]
        return (typed.lower() if lower else typed), number

    return st.builds(
        spell,
        container_numbers(),
        st.booleans(),
        st.lists(st.sampled_from(["", " ", "-", ".", "/", "  "]), min_size=2, max_size=2),
    )


@_once
def size_type_codes() -> st.SearchStrategy[str]:
    """ISO 6346 size-type codes: current 1995 ones (``22G1``, ``45R1``, ``L5G1``) and legacy
    1984 ones (``2200``, ``4500``)."""
    current = st.builds(
        lambda *parts: "".join(parts),
        st.sampled_from("1234BCGHLMNP"),
        st.sampled_from("024568" + "9CDEFLMNP"),
        st.sampled_from("GVBSRHUPTA"),
        st.sampled_from(_DIGITS),
    )
    legacy = st.builds(
        lambda *parts: "".join(parts),
        st.sampled_from("1234"),
        st.sampled_from("0123456"),
        st.sampled_from(_DIGITS),
        st.sampled_from(_DIGITS),
    )
    return st.one_of(st.sampled_from(_KNOWN_SIZE_TYPES), current, legacy)


@_once
def hs_codes() -> st.SearchStrategy[str]:
    """HS codes as normalised: 6 digits (international) to 10 (national subheadings), in an
    existing chapter (01-97 but 77, or the national 98-99)."""
    chapters = [f"{n:02d}" for n in range(1, 100) if n != 77]
    return st.builds(
        lambda chapter, rest: chapter + rest,
        st.sampled_from(chapters),
        st.text(alphabet=_DIGITS, min_size=4, max_size=8),
    )


def hs_code_spellings() -> st.SearchStrategy[tuple[str, str]]:
    """Pairs ``(as typed, canonical)`` of HS codes written with dots and blanks
    (``"0803.90 10"`` -> ``"08039010"``)."""

    def spell(code: str, sep1: str, sep2: str) -> tuple[str, str]:
        return code[:4] + sep1 + code[4:6] + sep2 + code[6:], code

    seps = st.sampled_from(["", ".", " ", ". "])
    return st.builds(spell, hs_codes(), seps, seps)


@_once
def imo_numbers() -> st.SearchStrategy[str]:
    """IMO ship numbers: 7 digits, the last a correct check digit (``9321483``)."""
    return st.integers(100_000, 999_999).map(lambda n: f"{n}{_imo.calc_check_digit(str(n))}")


@_once
def scac_codes() -> st.SearchStrategy[str]:
    """Standard Carrier Alpha Codes: 2 to 4 capital letters (``MAEU``)."""
    return st.text(alphabet=_UPPER, min_size=2, max_size=4)


@_once
def weights(max_kg: int = 30_000) -> st.SearchStrategy[float]:
    """Non-negative masses in kg with one decimal, at most ``max_kg``."""
    return st.integers(0, max_kg * 10).map(lambda n: n / 10)


@_once
def _money() -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=10_000_000, places=2)


@_once
def _text(max_size: int = 24) -> st.SearchStrategy[str]:
    """Free text that is never blank (blank text is read as absent)."""
    return st.builds(
        lambda first, rest: first + rest,
        st.sampled_from(_UPPER),
        st.text(alphabet=_TEXT_ALPHABET, max_size=max_size - 1),
    ).map(str.strip)


@functools.lru_cache(maxsize=1024)  # keyed by the strategy object: bounded
def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _drop_none(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v is not None}


# --- invalid codes -------------------------------------------------------------------------


def bad_check_digit_container_numbers() -> st.SearchStrategy[str]:
    """Well-formed container numbers whose check digit is wrong (``CSQU3054384``)."""

    def spoil(number: str, offset: int) -> str:
        return number[:10] + str((int(number[10]) + offset) % 10)

    return st.builds(spoil, container_numbers(), st.integers(1, 9))


def malformed_container_numbers() -> st.SearchStrategy[str]:
    """Text that is not shaped like a container number even after normalisation: wrong
    length, a category letter other than U/J/Z, or letters in the serial."""
    wrong_category = st.builds(
        lambda n, c: n[:3] + c + n[4:], container_numbers(), st.sampled_from("ABKXY")
    )
    letter_in_serial = st.builds(
        lambda n, i, c: n[: 4 + i] + c + n[5 + i :],
        container_numbers(),
        st.integers(1, 6),
        st.sampled_from(_UPPER),
    )
    wrong_length = st.builds(lambda n, k: n[:k], container_numbers(), st.integers(1, 10))
    return st.one_of(wrong_category, letter_in_serial, wrong_length)


def unknown_country_codes() -> st.SearchStrategy[str]:
    """Two capital letters that are not an assigned ISO 3166-1 code (``XX``, ``QQ``)."""
    assigned = set(COUNTRY_CODES)
    unassigned = sorted(a + b for a in _UPPER for b in _UPPER if a + b not in assigned)
    return st.sampled_from(unassigned)


def unknown_currency_codes() -> st.SearchStrategy[str]:
    """Three capital letters that are not an ISO 4217 code (``ABC``)."""
    known = set(CURRENCY_CODES)
    return st.text(alphabet=_UPPER, min_size=3, max_size=3).filter(lambda c: c not in known)


def unknown_country_locodes() -> st.SearchStrategy[str]:
    """Well-shaped UN/LOCODEs whose first two letters are no country (nor ``XZ``)."""
    return st.builds(
        lambda country, place: country + place,
        unknown_country_codes().filter(lambda c: c != "XZ"),
        st.text(alphabet=_UPPER + "23456789", min_size=3, max_size=3),
    )


def malformed_locodes() -> st.SearchStrategy[str]:
    """Text that is not shaped like a UN/LOCODE: wrong length, or a 0/1 in the place part."""
    bad_digit = st.builds(
        lambda code, i, d: code[: 2 + i] + d + code[3 + i :],
        locodes(),
        st.integers(0, 2),
        st.sampled_from("01"),
    )
    wrong_length = st.builds(lambda code, k: code[:k], locodes(), st.integers(1, 4))
    return st.one_of(bad_digit, wrong_length)


def malformed_hs_codes() -> st.SearchStrategy[str]:
    """HS codes that break the standard: fewer than 6 or more than 10 digits, a letter
    among the digits, or the non-existent chapters 00 and 77."""
    short = st.text(alphabet=_DIGITS, min_size=1, max_size=5)
    long = st.text(alphabet=_DIGITS, min_size=11, max_size=14)
    letter = st.builds(
        lambda code, i, c: code[:i] + c + code[i + 1 :],
        hs_codes(),
        st.integers(0, 5),
        st.sampled_from(_UPPER),
    )
    no_chapter = st.builds(
        lambda ch, rest: ch + rest,
        st.sampled_from(["00", "77"]),
        st.text(alphabet=_DIGITS, min_size=4, max_size=8),
    )
    return st.one_of(short, long, letter, no_chapter)


def bad_check_digit_imo_numbers() -> st.SearchStrategy[str]:
    """7-digit IMO numbers whose check digit is wrong."""
    return st.builds(
        lambda n, k: n[:6] + str((int(n[6]) + k) % 10), imo_numbers(), st.integers(1, 9)
    )


def malformed_size_type_codes() -> st.SearchStrategy[str]:
    """Four characters that are no ISO 6346 size-type code (``ZZZZ``, ``22X1``)."""
    return st.one_of(
        st.builds(lambda c: c[:2] + "X" + c[3:], size_type_codes().filter(lambda c: c[2] != "X")),
        st.builds(lambda c: "Z" + c[1:], size_type_codes()),
        st.sampled_from(["ZZZZ", "9999", "22G", "22G1X"]),
    )


def separator_only_codes() -> st.SearchStrategy[str]:
    """Placeholders typed into code fields that normalise to nothing (``"-"``, ``"./"``)."""
    return st.text(alphabet="-./", min_size=1, max_size=3)


def negative_weights() -> st.SearchStrategy[float]:
    """Masses below zero (-0.1 kg and less)."""
    return st.integers(-300_000, -1).map(lambda n: n / 10)


def unparseable_numbers() -> st.SearchStrategy[str]:
    """Text a number field cannot hold (``"n/a"``, ``"12 kg"``)."""
    return st.sampled_from(["n/a", "12 kg", "abc", "1,2,3", "--", "twelve"])


# What makes each kind of field invalid; used to spoil documents.
_INVALID: dict[str, st.SearchStrategy[Any]] = {
    "container_number": st.one_of(
        bad_check_digit_container_numbers(), malformed_container_numbers(), separator_only_codes()
    ),
    "locode": st.one_of(unknown_country_locodes(), malformed_locodes(), separator_only_codes()),
    "country": st.one_of(unknown_country_codes(), separator_only_codes()),
    "currency": unknown_currency_codes(),
    "hs_code": st.one_of(malformed_hs_codes(), separator_only_codes()),
    "imo": bad_check_digit_imo_numbers(),
    "size_type": malformed_size_type_codes(),
    "scac": st.sampled_from(["M4EU", "A", "ABCDE", "12"]),
    "weight": st.one_of(negative_weights(), unparseable_numbers()),
    "money": st.one_of(
        st.decimals(max_value=Decimal("-0.01"), min_value=-1000, places=2).map(str),
        unparseable_numbers(),
    ),
    "un_number": st.sampled_from(["12", "12345", "ABCD", "0000", "UN-0"]),
    "imdg_class": st.sampled_from(["4", "10", "6.3", "2.4", "1.7", "X"]),
    "temperature": st.one_of(st.sampled_from(["150", "-300", "1e9"]), unparseable_numbers()),
    "transport_mode": st.sampled_from(["X", "12", "RAILWAY", "sea-air"]),
}


def invalid_values(kind: str) -> st.SearchStrategy[Any]:
    """Invalid values for one kind of field: ``container_number``, ``locode``, ``country``,
    ``currency``, ``hs_code``, ``imo``, ``size_type``, ``scac``, ``weight`` (negative or
    unparseable), ``money`` (negative or unparseable), ``un_number``, ``imdg_class``,
    ``temperature`` (beyond any reefer or unparseable), ``transport_mode``. Code kinds also
    include placeholders of separators only (``"-"``)."""
    return _INVALID[kind]


# --- documents and models ------------------------------------------------------------------


@_once
def _party_identifiers() -> st.SearchStrategy[str]:
    return st.builds(lambda c, n: f"{c}{n}", country_codes(), st.integers(0, 10**9))


@_once
@st.composite
def party_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A party (shipper, consignee, notify party, payer) as a JSON-ready dict, never
    empty: an empty party says nothing and the model reads it as no party at all."""
    return _drop_none(
        {
            "name": draw(_text()),
            "address": draw(_optional(_text(40))),
            "country": draw(_optional(country_codes())),
            "identifier": draw(_optional(_party_identifiers())),
            "aeo": draw(_optional(st.booleans())),
        }
    )


def parties() -> st.SearchStrategy[Party]:
    """Valid :class:`Party` models."""
    return party_documents().map(Party.model_validate)


@_once
@st.composite
def seal_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A seal as a JSON-ready dict: a number and, usually, who sealed."""
    number = draw(_seal_numbers())
    return _drop_none({"number": number, "sealer": draw(_optional(_sampled(_SEALERS)))})


@_once
def _seal_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        lambda p, n: f"{p}{n}", st.sampled_from(["", "ML-", "SL", "CUS/"]), st.integers(0, 10**8)
    )


def seals() -> st.SearchStrategy[Seal]:
    """Valid :class:`Seal` models."""
    return seal_documents().map(Seal.model_validate)


@_once
def _tares() -> st.SearchStrategy[float]:
    return st.integers(1_500, 5_000).map(float)


@st.composite
def container_documents(
    draw: st.DrawFn, number: st.SearchStrategy[str] | None = None
) -> dict[str, Any]:
    """A container as a JSON-ready dict; ``number`` draws its number (default: any valid).

    The VGM, when given with the tare, is the tare plus a cargo mass, so never below it.
    """
    tare = draw(_optional(_tares()))
    cargo = draw(_optional(weights()))
    vgm = None if cargo is None else (tare or 0.0) + cargo
    return _drop_none(
        {
            "number": draw(number if number is not None else container_numbers()),
            "size_type": draw(_optional(size_type_codes())),
            "full": draw(_optional(st.booleans())),
            "seals": draw(_seal_lists()) or None,
            "verified_gross_mass_kg": vgm,
            "tare_kg": tare,
            "reefer_celsius": draw(_optional(_reefer_settings())),
        }
    )


@_once
def _reefer_settings() -> st.SearchStrategy[float]:
    return st.integers(-600, 300).map(lambda n: n / 10)


@_once
def un_numbers() -> st.SearchStrategy[str]:
    """UN numbers of dangerous goods (four digits)."""
    return st.integers(4, 3599).map(lambda n: f"{n:04d}")


IMDG_CLASSES = ("1.1", "1.4", "1.4S", "2.1", "2.2", "2.3", "3", "4.1", "4.2", "4.3", "5.1",
                "5.2", "6.1", "6.2", "7", "8", "9")  # fmt: skip


@_once
def _transport_modes() -> st.SearchStrategy[str]:
    return st.sampled_from(("1", "2", "3", "4", "8"))


@_once
def _seal_lists() -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(seal_documents(), max_size=2)


def containers() -> st.SearchStrategy[Container]:
    """Valid :class:`Container` models."""
    return container_documents().map(Container.model_validate)


@st.composite
def goods_item_documents(
    draw: st.DrawFn, container_number: st.SearchStrategy[str | None] | None = None
) -> dict[str, Any]:
    """A goods line as a JSON-ready dict (value as decimal text, net weight not above gross);
    ``container_number`` draws the container it names (default: none or any valid)."""
    gross = draw(_optional(st.integers(0, 300_000)))
    net = None if gross is None else draw(_optional(st.integers(0, gross)))
    value = draw(_optional(_money()))
    if container_number is None:
        container_number = _optional(container_numbers())
    return _drop_none(
        {
            "hs_code": draw(_optional(hs_codes())),
            "description": draw(_optional(_text(40))),
            "packages": draw(_optional(st.integers(0, 5_000))),
            "package_type": draw(_optional(_sampled(_PACKAGE_TYPES))),
            "gross_weight_kg": None if gross is None else gross / 10,
            "net_weight_kg": None if net is None else net / 10,
            "value": None if value is None else str(value),
            "currency": draw(currency_codes()) if value is not None else None,
            "origin_country": draw(_optional(country_codes())),
            "un_number": draw(_optional(un_numbers())),
            "imdg_class": draw(_optional(_sampled(IMDG_CLASSES))),
            "container_number": draw(container_number),
        }
    )


def goods_items() -> st.SearchStrategy[GoodsItem]:
    """Valid :class:`GoodsItem` models."""
    return goods_item_documents().map(GoodsItem.model_validate)


@_once
def _bl_numbers() -> st.SearchStrategy[str]:
    return st.builds(
        lambda scac, n: f"{scac}{n:09d}",
        st.sampled_from(["MAEU", "MSCU", "CMDU", "HLCU", "COSU"]),
        st.integers(0, 10**9 - 1),
    )


@st.composite
def consignment_documents(
    draw: st.DrawFn,
    bl_number: st.SearchStrategy[str] | None = None,
    container_pool: list[str] | None = None,
) -> dict[str, Any]:
    """A bill of lading as a JSON-ready dict.

    ``container_pool``, when given, is where its container numbers (and those its goods
    lines name) are drawn from, so that several B/Ls can share a container; otherwise they
    are fresh valid numbers. The freight payer is sometimes the shipper or consignee.
    """
    if container_pool is None:
        numbers = draw(st.lists(container_numbers(), unique=True, max_size=3))
        pool = numbers
    else:
        pool = container_pool
        numbers = draw(st.lists(st.sampled_from(pool), unique=True, max_size=3)) if pool else []
    # Mostly the B/L's own containers; now and then one named only on a goods line.
    if numbers:
        line_number = st.one_of(st.none(), st.sampled_from(numbers))
        if pool and len(pool) > len(numbers):
            line_number = st.one_of(line_number, st.sampled_from(pool))
    else:
        line_number = st.none()
    shipper = draw(_optional(party_documents()))
    consignee = draw(_optional(party_documents()))
    payer_choices = [st.none(), party_documents()]
    payer_choices += [st.just(copy.deepcopy(p)) for p in (shipper, consignee) if p]
    return _drop_none(
        {
            "bl_number": draw(bl_number if bl_number is not None else _bl_numbers()),
            "master_bl_number": draw(_optional(_bl_numbers())),
            "shipper": shipper,
            "consignee": consignee,
            "notify_party": draw(_optional(party_documents())),
            "place_of_receipt": draw(_optional(locodes())),
            "port_of_loading": draw(_optional(locodes())),
            "transshipment_ports": draw(st.lists(locodes(), max_size=3)) or None,
            "port_of_discharge": draw(_optional(locodes())),
            "place_of_delivery": draw(_optional(locodes())),
            "pre_carriage_mode": draw(_optional(_transport_modes())),
            "on_carriage_mode": draw(_optional(_transport_modes())),
            "freight_terms": draw(_optional(_sampled(("prepaid", "collect")))),
            "freight_payer": draw(st.one_of(*payer_choices)),
            "issue_date": draw(_optional(_issue_dates())),
            **draw(_declaration_documents()),
            "goods": draw(st.lists(goods_item_documents(container_number=line_number), max_size=3))
            or None,
            "container_numbers": numbers or None,
        }
    )


@_once
@st.composite
def _declaration_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A B/L's goods declaration fields (an export of declarations), each often absent."""
    codes = _optional(_sampled(("KAPE", "kape", "4000", "Home Consumption", "1", "Cd")))
    doc: dict[str, Any] = {
        name: draw(codes)
        for name in ("customs_office", "customs_procedure", "import_type", "import_use",
                     "payment_type", "transport_mode", "origin_country_indicator", "tax_type")
    }  # fmt: skip
    doc["departure_country"] = draw(_optional(country_codes()))
    doc["tax_rate"] = draw(_optional(st.integers(0, 400).map(lambda n: n / 4)))
    doc["declarant_name"] = draw(_optional(_text()))
    doc["declarant_identifier"] = draw(_optional(_party_identifiers()))
    return doc


@_once
def _issue_dates() -> st.SearchStrategy[str]:
    return st.dates(date(2020, 1, 1), date(2027, 12, 31)).map(date.isoformat)


def consignments() -> st.SearchStrategy[Consignment]:
    """Valid :class:`Consignment` models."""
    return consignment_documents().map(Consignment.model_validate)


@_once
def _arrivals() -> st.SearchStrategy[datetime]:
    return st.datetimes(datetime(2020, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))


@st.composite
def _valid_manifest_documents(draw: st.DrawFn) -> dict[str, Any]:
    # A small pool of container numbers that the B/Ls draw from: shared ones are LCL
    # containers, B/Ls drawing several span several containers, pool numbers no B/L
    # draws are containers named by no B/L, and B/Ls drawing none have no container.
    pool = draw(st.lists(container_numbers(), unique=True, max_size=5))
    bl_numbers = draw(st.lists(_bl_numbers(), unique=True, max_size=4))
    docs = [
        draw(consignment_documents(bl_number=st.just(bl), container_pool=pool)) for bl in bl_numbers
    ]
    # Some containers named by a B/L have no equipment data yet.
    declared = [n for n in pool if draw(st.booleans()) or draw(st.booleans())]
    boxes = [draw(container_documents(number=st.just(n))) for n in draw(st.permutations(declared))]
    arrival = draw(_optional(_arrivals()))
    return _drop_none(
        {
            "vessel_name": draw(_optional(_sampled(("MSC ANNA", "MAERSK ESSEN", "CMA CGM T")))),
            "vessel_imo": draw(_optional(imo_numbers())),
            "voyage_number": draw(_optional(_sampled(("0425W", "112E", "FE2611")))),
            "carrier_scac": draw(_optional(scac_codes())),
            "port_of_call": draw(_optional(locodes())),
            "arrival": None if arrival is None else arrival.isoformat().replace("+00:00", "Z"),
            "consignments": docs or None,
            "containers": boxes or None,
        }
    )


# Where each kind of code sits in each record, for spoiling documents.
_SLOTS: dict[str, dict[str, str]] = {
    "manifest": {"vessel_imo": "imo", "carrier_scac": "scac", "port_of_call": "locode"},
    "consignment": {
        "place_of_receipt": "locode",
        "port_of_loading": "locode",
        "port_of_discharge": "locode",
        "place_of_delivery": "locode",
        "departure_country": "country",
        "tax_rate": "weight",
        "pre_carriage_mode": "transport_mode",
        "on_carriage_mode": "transport_mode",
    },
    "party": {"country": "country"},
    "goods": {
        "hs_code": "hs_code",
        "currency": "currency",
        "origin_country": "country",
        "container_number": "container_number",
        "gross_weight_kg": "weight",
        "net_weight_kg": "weight",
        "value": "money",
        "un_number": "un_number",
        "imdg_class": "imdg_class",
    },
    "container": {
        "number": "container_number",
        "size_type": "size_type",
        "verified_gross_mass_kg": "weight",
        "tare_kg": "weight",
        "reefer_celsius": "temperature",
    },
}
_LIST_SLOTS: dict[str, dict[str, str]] = {
    "consignment": {"transshipment_ports": "locode", "container_numbers": "container_number"},
}


def _slots(doc: dict[str, Any]) -> list[tuple[Any, Any, str]]:
    """Every place in a manifest document that holds a code: (holder, key, kind)."""
    found: list[tuple[Any, Any, str]] = []

    def record(holder: dict[str, Any], kind: str) -> None:
        for key, code_kind in _SLOTS[kind].items():
            if key in holder:
                found.append((holder, key, code_kind))
        for key, code_kind in _LIST_SLOTS.get(kind, {}).items():
            for i in range(len(holder.get(key, []))):
                found.append((holder[key], i, code_kind))

    record(doc, "manifest")
    for c in doc.get("consignments", []):
        record(c, "consignment")
        for role in ("shipper", "consignee", "notify_party", "freight_payer"):
            if role in c:
                record(c[role], "party")
        for g in c.get("goods", []):
            record(g, "goods")
    for box in doc.get("containers", []):
        record(box, "container")
    return found


@st.composite
def _invalid_manifest_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(draw(_valid_manifest_documents()))
    slots = _slots(doc)
    # The voyage is always there to spoil, so every document has at least one problem.
    slots.append((doc, "vessel_imo", "imo"))
    chosen = draw(st.lists(st.sampled_from(range(len(slots))), min_size=1, max_size=3, unique=True))
    for i in chosen:
        holder, key, kind = slots[i]
        holder[key] = draw(invalid_values(kind))
    if draw(st.booleans()):
        holders = [doc, *doc.get("consignments", []), *doc.get("containers", [])]
        draw(st.sampled_from(holders))["remarks_unknown"] = "not a field"
    return doc


def manifest_documents(valid: bool = True) -> st.SearchStrategy[dict[str, Any]]:
    """Manifests as plain JSON-ready dicts (what ``json.loads`` of a file gives).

    ``valid=True``: strict validation accepts them without any quality flag. The B/Ls
    reference containers of the manifest; some containers are shared by several B/Ls
    (LCL), some B/Ls span several containers, some declared containers are named by no
    B/L, some named containers are not declared, and some B/Ls have no container.

    ``valid=False``: the same structure with one to three values spoilt (a wrong check
    digit, an unknown country, a malformed HS code, a negative or unparseable weight...)
    and sometimes an unknown key: strict validation rejects them, lenient validation
    keeps them and flags each problem (only a missing required value rejects a record
    in lenient mode, and none is removed).
    """
    return _valid_manifest_documents() if valid else _invalid_manifest_documents()


def json_values() -> st.SearchStrategy[Any]:
    """Any small JSON value: null, booleans, numbers (NaN and infinities too, as Python's
    json module reads them), text, and lists and objects of those."""
    scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(st.text(max_size=5), children, max_size=3),
        ),
        max_leaves=6,
    )


def _records(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every record (dict) of a manifest document, the manifest first."""
    found = [doc]
    for c in doc.get("consignments", []):
        found.append(c)
        found += [c[r] for r in ("shipper", "consignee", "notify_party", "freight_payer") if r in c]
        found += c.get("goods", [])
    for box in doc.get("containers", []):
        found.append(box)
        found += box.get("seals", [])
    return found


_REQUIRED_KEYS = frozenset({"bl_number", "number"})


@st.composite
def junk_manifest_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid manifest documents with one to four optional fields (or new keys) of any
    record replaced by arbitrary JSON values: lenient validation must keep every record;
    strict validation may reject them. Required values (B/L and container and seal
    numbers) are left alone."""
    doc = copy.deepcopy(draw(_valid_manifest_documents()))
    records = _records(doc)
    for _ in range(draw(st.integers(1, 4))):
        record = draw(st.sampled_from(records))
        keys = [*sorted(k for k in record if k not in _REQUIRED_KEYS), "remarks_unknown"]
        record[draw(st.sampled_from(keys))] = draw(json_values())
    return doc


def manifests() -> st.SearchStrategy[Manifest]:
    """Valid :class:`Manifest` models (strictly validated ``manifest_documents(True)``)."""
    return _valid_manifest_documents().map(Manifest.model_validate)


def shipments(valid: bool = True) -> st.SearchStrategy[Shipment]:
    """Single :class:`Shipment` records flattened from generated manifests; with
    ``valid=False`` from leniently read invalid documents, so they carry quality flags."""
    if valid:
        source = manifests()
    else:
        source = manifest_documents(valid=False).map(
            lambda doc: Manifest.model_validate(doc, context=LENIENT)
        )
    return source.map(flatten).filter(bool).flatmap(lambda items: st.sampled_from(items))


# --- risk profiles -------------------------------------------------------------------------

# Conditions over fields that generated shipments vary in. The ordered comparisons on
# goods weight, packages and value per kg, and the B/L date, raise on a null field: the
# "cannot be evaluated" path is exercised too.
_PROFILE_CONDITIONS = (
    'container_type == "reefer"',
    "transshipment_count >= 1",
    "transshipment_count >= 2",
    "goods_gross_weight_kg > 5000",
    "container_full == true",
    "seal_count == 0",
    "consignee_aeo == true",
    "port_of_loading in $ports",
    "hs_chapters.length > 1",
    "is_lcl == true",
    "value_per_kg < 5",
    'bl_issue_date < $today - t"P30D"',
    'description =~~ "A"',
    'freight_terms == "collect"',
    "bl_number == null",
    "packages > 100",
    'customs_procedure == "4000"',
    "tax_rate >= 20",
    "departure_country != consignee_country",
)
_PROFILE_EXCEPTIONS = (
    "consignee_aeo == true",
    "container_full == false",
    "goods_gross_weight_kg < 100",
)
# Exact in binary, so that YAML floats become the intended decimals.
_PROFILE_WEIGHTS = st.one_of(st.integers(-30, 60), st.sampled_from([0.5, 2.5, 12.25, -7.5, 0.125]))


@st.composite
def profile_documents(draw: st.DrawFn, profile_id: str = "test.profile") -> dict[str, Any]:
    """A small base profile as a YAML-ready dict: one to five indicators drawn from
    conditions that generated shipments vary in (weights from -30 to 60, some with
    decimals, now and then a forced lane and a ``fact`` key), sometimes an exception, and
    zero to three bands (red at or above yellow at or above blue). The list ``$ports`` is
    always defined."""
    conditions = draw(
        st.lists(st.sampled_from(_PROFILE_CONDITIONS), min_size=1, max_size=5, unique=True)
    )
    indicators = []
    for number, condition in enumerate(conditions):
        indicator: dict[str, Any] = {
            "id": f"i{number}",
            "title": f"Indicator {number}",
            "when": condition,
            "weight": draw(_PROFILE_WEIGHTS),
        }
        lane = draw(st.sampled_from([None, None, None, None, None, "red", "yellow"]))
        if lane is not None:
            indicator["lane"] = lane
        # A shared fact key now and then: one fact tested by several indicators, in one
        # profile or in several (the same condition in two profiles is one fact too).
        fact = draw(st.sampled_from([None, None, None, "f1", "f2"]))
        if fact is not None:
            indicator["fact"] = fact
        indicators.append(indicator)
    lanes = draw(st.lists(st.sampled_from(["red", "yellow", "blue"]), unique=True, max_size=3))
    lanes.sort(key=["red", "yellow", "blue"].index)
    # Not unique: two bands at one threshold give the first one's lane, in both engines.
    thresholds = sorted(
        draw(st.lists(st.integers(1, 100) | st.just(30), min_size=len(lanes), max_size=len(lanes))),
        reverse=True,
    )
    doc: dict[str, Any] = {
        "id": profile_id,
        "version": draw(st.integers(1, 3)),
        "title": f"Generated profile {profile_id}",
        "category": "other",
        "owner": "tests",
        "lists": {"ports": {"values": ["PKKHI", "AEJEA", "ECGYE", "SGSIN"]}},
        "indicators": indicators,
        "bands": [
            {"min_score": t, "lane": lane} for t, lane in zip(thresholds, lanes, strict=True)
        ],
    }
    exceptions = draw(st.lists(st.sampled_from(_PROFILE_EXCEPTIONS), max_size=1))
    if exceptions:
        doc["exceptions"] = [{"id": "e0", "when": exceptions[0]}]
    return doc


def load_profile_documents(docs: Sequence[dict[str, Any]]) -> ProfileSet:
    """Write profile documents as YAML files to a temporary folder and load them (cached
    by content, so that a property test does not compile the same set twice)."""
    return _load_profile_texts(tuple(yaml.safe_dump(d, sort_keys=False) for d in docs))


@functools.lru_cache(maxsize=512)
def _load_profile_texts(texts: tuple[str, ...]) -> ProfileSet:
    with tempfile.TemporaryDirectory() as folder:
        for number, text in enumerate(texts):
            Path(folder, f"profile{number}.yaml").write_text(text, encoding="utf-8")
        return load_profiles(folder)


@st.composite
def profile_sets(draw: st.DrawFn, max_profiles: int = 3) -> ProfileSet:
    """Loaded, compiled sets of one to ``max_profiles`` generated profiles
    (:func:`profile_documents`, ids ``test.p0``, ``test.p1``...)."""
    count = draw(st.integers(1, max_profiles))
    return load_profile_documents([draw(profile_documents(f"test.p{n}")) for n in range(count)])


# --- rule expressions and the shipments they read (columnar vs row-wise) -------------------

# Values at the edges rule-engine cares about: nulls, zero and negative zero, numbers that
# are not floats (0.1, 1e-7, 10000.0000000001), text that is empty, non-ASCII or multi-line.
_EDGE_FLOATS = (0.0, -0.0, 0.1, 0.3, 0.30000000000000004, 1e-7, 1.5, 2.0, 3000.0, -3000.0,
                10000.0000000001, 10000.0, 2.0**53 + 2)  # fmt: skip
_EDGE_DECIMALS = tuple(Decimal(v) for v in ("0", "0.1", "0.10", "1E-7", "1.5", "3000",
                                            "10000.0000000001", "15120.00", "-2.5"))  # fmt: skip
_EDGE_TEXTS = ("", "CN", "AF", "AFKBL", "PKKHI", "USD", "TO ORDER", "TO THE ORDER OF BANK",
               "P.O. BOX 12, DUBAI", "ACETONE IN DRUMS", "STEEL SCRAP", "café au lait",
               "SCRAP\nMETAL", "GENERAL CARGO", "ÆØÅ SCRAP", "A\tB", "scrap")  # fmt: skip
_EDGE_CODES = ("AF", "PK", "CN", "IR", "84", "85", "93", "3604", "AEJEA", "")
RULE_NUMBER_FIELDS = ("packages", "transshipment_count", "days_bl_to_arrival",
                      "goods_gross_weight_kg", "value_per_kg", "cargo_mass_gap_kg",
                      "declared_value", "consignee_first_seen_days",
                      "consignee_finding_rate", "stowplan_mass_gap_ratio")  # fmt: skip
RULE_TEXT_FIELDS = ("description", "port_of_loading", "place_of_delivery", "value_currency",
                    "consignee_name")  # fmt: skip
RULE_LIST_FIELDS = ("hs_chapters", "route_countries", "transshipment_ports", "stowplan_dg_classes")
RULE_BOOLEAN_FIELDS = ("consignee_aeo", "is_lcl", "container_full", "shipper_consignee_pair_seen",
                       "stowplan_present", "stowplan_full_empty_mismatch")  # fmt: skip
RULE_AS_OF = datetime(2026, 11, 2, 15, 30, tzinfo=UTC)
RULE_LISTS: dict[str, tuple[str, frozenset[Any]]] = {
    "codes": ("string", frozenset({"AF", "PK", "AEJEA", "84"})),
    "words": ("string", frozenset({"SCRAP", "CARGO", "ACETONE", "ORDER"})),
    "limits": ("number", frozenset({Decimal("0.1"), Decimal("1E-7"), Decimal("3000")})),
}
"""Watch lists the generated expressions use ($codes, $words, $limits)."""


def _floats(nullable: bool = True) -> st.SearchStrategy[Any]:
    values = st.one_of(
        st.sampled_from(_EDGE_FLOATS), st.floats(-1e6, 1e6, allow_nan=False, width=64)
    )
    return st.one_of(st.none(), values) if nullable else values


@st.composite
def rule_shipments(draw: st.DrawFn) -> Shipment:
    """Shipments whose rule-visible fields take edge values (see ``RULE_*_FIELDS``)."""
    ints = st.one_of(st.integers(-3, 4), st.sampled_from([0, 1, 3000, 2**53 + 1, -(2**40)]))
    texts = st.one_of(st.none(), st.sampled_from(_EDGE_TEXTS), st.text("AFSCRP .\n", max_size=6))
    codes = st.lists(st.sampled_from(_EDGE_CODES), max_size=4)
    moment = st.integers(-60 * 24 * 3600, 30 * 24 * 3600).map(
        lambda s: datetime.fromtimestamp(RULE_AS_OF.timestamp() + s, tz=UTC)
    )
    values: dict[str, Any] = {
        "packages": draw(st.one_of(st.none(), ints)),
        "transshipment_count": draw(ints),
        "days_bl_to_arrival": draw(st.one_of(st.none(), ints)),
        "goods_gross_weight_kg": draw(_floats()),
        "value_per_kg": draw(_floats()),
        "cargo_mass_gap_kg": draw(_floats()),
        "declared_value": draw(
            st.one_of(
                st.none(),
                st.sampled_from(_EDGE_DECIMALS),
                st.decimals(-(10**6), 10**6, places=4, allow_nan=False, allow_infinity=False),
            )
        ),
        "consignee_aeo": draw(st.one_of(st.none(), st.booleans())),
        # History fields (riskprofile.history): null without a store.
        "consignee_first_seen_days": draw(st.one_of(st.none(), ints)),
        "consignee_finding_rate": draw(_floats()),
        "shipper_consignee_pair_seen": draw(st.one_of(st.none(), st.booleans())),
        # Stow-plan fields (riskprofile.io.edifact.join_stowplan): null without a plan.
        "stowplan_mass_gap_ratio": draw(_floats()),
        "stowplan_present": draw(st.one_of(st.none(), st.booleans())),
        "stowplan_full_empty_mismatch": draw(st.one_of(st.none(), st.booleans())),
        "is_lcl": draw(st.booleans()),
        "container_full": draw(st.one_of(st.none(), st.booleans())),
        "bl_issue_date": draw(st.one_of(st.none(), moment.map(lambda m: m.date()))),
        "arrival": draw(st.one_of(st.none(), moment)),
    }
    for name in RULE_TEXT_FIELDS:
        values[name] = draw(texts)
    for name in RULE_LIST_FIELDS:
        values[name] = draw(codes)
    return Shipment(**values)


_NUMBER_LITERALS = ("0", "1", "2", "0.1", "0.3", "1e-7", "10000.0000000001", "3000", "-3000",
                    "2.5", "0.30000000000000004", "9007199254740993")  # fmt: skip
# As written inside a rule's double-quoted string (backslashes doubled).
_REGEXES = (r"AF", r"^TO (THE )?ORDER", r"\\bBOX\\b", r"P$", r"\\d{2}", r"(?i)scrap", r"A|",
            r"[A-C]+", r"\\w+\\s", r"\\pLA", r"A{,2}", r"[^A-Z]", r"\\bSCRAP\\b",
            r"(?i)É", r"\\B")  # fmt: skip


def _number_exprs(depth: int) -> st.SearchStrategy[str]:
    atoms = st.one_of(
        st.sampled_from(RULE_NUMBER_FIELDS),
        st.sampled_from(_NUMBER_LITERALS),
        st.sampled_from([f"{f}.length" for f in RULE_LIST_FIELDS]),
        st.sampled_from(
            [
                "description.length",
                "description&.length",
                "(packages ?? 0)",
                "(declared_value ?? 1.5)",
                "(arrival - bl_issue_date).days",
                "($today - bl_issue_date).total_seconds",
                "(arrival - $now).seconds",
                "(is_lcl ? packages : goods_gross_weight_kg)",
                "(value_per_kg ?? packages)",
                "(declared_value ?? cargo_mass_gap_kg)",
                "[c for c in $codes if c in route_countries].length",
                '[h.length for h in hs_chapters if h != "84"].length',
                "description&.as_upper&.length",
                "goods_gross_weight_kg.floor",
                "value_per_kg&.ceiling",
                "cargo_mass_gap_kg.to_int",
                "packages.to_int",
            ]
        ),
        st.sampled_from(RULE_LIST_FIELDS).map(lambda f: f"[x for x in {f} if x in $codes].length"),
    )
    if depth <= 0:
        return atoms
    smaller = _number_exprs(depth - 1)
    return st.one_of(
        atoms,
        st.tuples(smaller, st.sampled_from(["+", "-", "*", "/", "//", "%"]), smaller).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        smaller.map(lambda e: f"-{e}"),
    )


_TEXT_EXPRS = (
    *RULE_TEXT_FIELDS,
    '"CN"', '""', '"AF"', "null", '(description ?? "")', "place_of_delivery&[0:2]",
    "route_countries&[0]", "port_of_loading.as_lower", '(consignee_name + "X")',
    "description[0]", "route_countries[-1]", "(is_lcl ? port_of_loading : place_of_delivery)",
    "description&[-3:]", '(consignee_name ?? "")[1:-1]', "place_of_delivery&.as_upper",
    "route_countries&[1]", '(description ?? "X")[0:0]',
)  # fmt: skip


def _bool_atoms() -> st.SearchStrategy[str]:
    numbers = _number_exprs(1)
    texts = st.sampled_from(_TEXT_EXPRS)
    comparisons = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        st.tuples(numbers, comparisons, numbers).map(" ".join),
        st.tuples(numbers, st.sampled_from(["==", "!="]), st.just("null")).map(" ".join),
        st.tuples(texts, comparisons, texts).map(" ".join),
        st.sampled_from(RULE_BOOLEAN_FIELDS),
        st.sampled_from(RULE_BOOLEAN_FIELDS).map(lambda f: f"{f} == true"),
        st.sampled_from(RULE_BOOLEAN_FIELDS).map(lambda f: f"{f} < true"),
        st.tuples(
            texts,
            st.sampled_from(["in", "not in"]),
            st.sampled_from(
                [
                    "$codes",
                    '["AF", "PK", null]',
                    "hs_chapters",
                    "route_countries",
                    "description",
                    '"PKKHI AFKBL"',
                ]
            ),
        ).map(" ".join),
        st.tuples(
            texts, st.sampled_from(["=~", "=~~", "!~", "!~~"]), st.sampled_from(_REGEXES)
        ).map(lambda t: f'{t[0]} {t[1]} "{t[2]}"'),
        texts.map(lambda t: f'{t}.starts_with("A")'),
        st.sampled_from(RULE_TEXT_FIELDS).map(lambda f: f'{f}&.ends_with("P")'),
        st.sampled_from(RULE_TEXT_FIELDS).map(lambda f: f"{f}"),
        st.sampled_from(RULE_LIST_FIELDS).map(
            lambda f: f'[x for x in {f} if x.starts_with("A") or x == "84"].is_empty'
        ),
        st.sampled_from(RULE_LIST_FIELDS).map(lambda f: f"{f}.length > {f}.to_set.length"),
        st.sampled_from(RULE_LIST_FIELDS).map(lambda f: f'{f} == ["AF"]'),
        st.sampled_from(RULE_LIST_FIELDS).map(lambda f: f'"AF" in {f}[0:2]'),
        st.sampled_from(RULE_LIST_FIELDS).map(lambda f: f'[x for x in {f} if x != "AF"] == []'),
        st.sampled_from(RULE_LIST_FIELDS).map(lambda f: f"{f}.to_set.is_empty"),
        # The helper functions (riskprofile.profiles._builtins.HELPERS).
        st.tuples(
            st.sampled_from(["$any_starts_with", "$any_ends_with"]),
            st.sampled_from([*RULE_LIST_FIELDS, *RULE_TEXT_FIELDS]),
            st.sampled_from(['["A", "8"]', "$codes", "[]", '["", "K"]', '["PKKHI AF"]']),
        ).map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(
            st.sampled_from([*RULE_LIST_FIELDS, "$codes", '["AF", "84"]']),
            st.sampled_from([*RULE_LIST_FIELDS, "$codes", "[]"]),
        ).map(lambda t: f"$intersects({t[0]}, {t[1]})"),
        st.sampled_from(RULE_TEXT_FIELDS).map(lambda f: f"{f}&.is_empty"),
        st.sampled_from(RULE_TEXT_FIELDS).map(
            lambda f: f'[w for w in $words if {f} =~~ ("\\\\b" + w + "\\\\b")].length > 0'
        ),
        st.sampled_from(["goods_gross_weight_kg", "value_per_kg", "packages"]).map(
            lambda f: f"[k for k in $limits if {f} >= k].length > 0"
        ),
        st.sampled_from(["goods_gross_weight_kg", "declared_value"]).map(
            lambda f: f"{f} in $limits"
        ),
        st.sampled_from(
            [
                "bl_issue_date < $today",
                '$today - bl_issue_date > t"P30D"',
                'arrival >= $now - t"PT12H"',
                "arrival == null",
                "bl_issue_date.year == 2026",
                "arrival.date == $today",
                '(arrival - bl_issue_date) < t"P3D"',
                '-(arrival - bl_issue_date) < t"P1D"',
                '(arrival + t"PT36H").day == 3',
            ]
        ),
    )


def rule_conditions(depth: int = 2) -> st.SearchStrategy[str]:
    """Rule-engine conditions over ``RULE_*_FIELDS`` and ``RULE_LISTS``: comparisons
    (with null), and/or/not, arithmetic, in/not in, regexes (some Polars cannot run),
    string and list attributes, comprehensions, dates against $today. Some do not
    compile (a type mismatch): callers skip those."""
    if depth <= 0:
        return _bool_atoms()
    smaller = rule_conditions(depth - 1)
    return st.one_of(
        _bool_atoms(),
        st.tuples(smaller, st.sampled_from(["and", "or"]), smaller).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        smaller.map(lambda e: f"not ({e})"),
        st.tuples(smaller, smaller, smaller).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
    )
