"""What every list reader shares: the bounded read, safe XML parsing, country names,
IMO numbers found in free text, dates, and the problems collected while reading."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import pycountry
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.errors import InputFormatError
from riskprofile.lists._model import Entity, Identifier, ImportProblem
from riskprofile.model.codes import imo_problem, is_country, normalise_country, normalise_imo

__all__ = [
    "MAX_LIST_SOURCE_BYTES",
    "Problems",
    "country_code",
    "imo_in_text",
    "local",
    "parse_date",
    "parse_xml",
    "read_source",
    "text_of",
]

MAX_LIST_SOURCE_BYTES = 512 * 1024 * 1024
"""An official list file larger than this is refused (OFAC's advanced SDN XML, the
largest, is about a fifth of it)."""


def read_source(path: str | Path, limit: int = MAX_LIST_SOURCE_BYTES) -> bytes:
    """The bytes of a list file: a regular file of at most ``limit`` bytes.

    Raises:
        InputFormatError: not a regular file, or too large.
        OSError: it cannot be opened or read.
    """
    try:
        return read_regular_file(path, limit)
    except RefusedFileError as exc:
        raise InputFormatError(str(exc), path=str(path)) from None


def parse_xml(data: bytes, path: str) -> Element:
    """The root element of an XML list file, parsed with :mod:`defusedxml`: a document
    type declaration (where entity bombs and external entities live; no official list
    has one) is refused, as is anything that is not well-formed XML.

    Raises:
        InputFormatError: naming the file and what is wrong.
    """
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except DTDForbidden:
        message = (
            "has a document type declaration (<!DOCTYPE>): no official list has one, and it "
            "can declare entities that expand without bound or read other files; refused"
        )
        raise InputFormatError(message, path=path) from None
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise InputFormatError(f"declares XML entities ({exc}); refused", path=path) from None
    except ParseError as exc:
        raise InputFormatError(f"is not well-formed XML ({exc})", path=path) from None
    return root


def local(tag: object) -> str:
    """An element's name without its namespace (``{http://...}export`` -> ``export``)."""
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    return tag if tag[:1] != "{" else tag.rpartition("}")[2]


def text_of(element: Element | None) -> str:
    """An element's text with its blanks folded; empty when there is none."""
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


class Problems:
    """The problems found while reading one file, in the order found."""

    def __init__(self) -> None:
        self.found: list[ImportProblem] = []

    def add(self, record: str, field: str, value: object, reason: str) -> None:
        text = str(value)
        if len(text) > 200:
            text = text[:200] + "..."
        self.found.append(ImportProblem(record, field, text, reason))

    def country(self, record: str, field: str, name: str) -> str | None:
        """The ISO code of a country written ``name`` (a code or a name), or None with
        the problem noted."""
        if not name or name in ("00", "XX"):
            return None
        code = country_code(name)
        if code is None:
            self.add(record, field, name, "no ISO 3166 country is known by this name")
        return code

    def imo(
        self, record: str, field: str, raw: str, country: str | None = None
    ) -> Identifier | None:
        """An ``imo`` identifier of ``raw``, or None with the problem noted."""
        number = normalise_imo(raw)
        problem = imo_problem(number)
        if problem is not None:
            self.add(record, field, raw, f"not a valid IMO ship number: {problem.message}")
            return None
        return Identifier("imo", number, country, "IMO number")

    def date(self, record: str, field: str, raw: str) -> dt.date | None:
        """The date ``raw`` (``2016-11-30``, ``2016-11-30T00:00:00``), or None with the
        problem noted."""
        if not raw:
            return None
        day = parse_date(raw)
        if day is None:
            self.add(record, field, raw, "not a date (YYYY-MM-DD)")
        return day

    def named(self, entity: Entity | None, record: str, field: str) -> Entity | None:
        """``entity``, or None with a problem noted when it has neither a name nor an
        identifier to screen (one without a name but with an IMO number is kept, and the
        missing name noted)."""
        if entity is None:
            return None
        if not entity.name:
            if not entity.identifiers:
                self.add(record, field, "", "the record has no name: nothing to screen; not used")
                return None
            self.add(record, field, "", "the record has no name: screened by its identifiers only")
        return entity


def parse_date(raw: str) -> dt.date | None:
    """The date at the start of ``raw`` (``2016-11-30``, ``2016-11-30T10:00:03-05:00``),
    or None."""
    match = re.match(r"\s*([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", raw)
    if match is None:
        return None
    try:
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


# "IMO 9321483", "IMO number: 9321483", "IMO No. 9321483"; not "IMO company number
# 5342883" (a company's number, which no vessel_imo can hold).
_IMO_TEXT = re.compile(r"\bIMO(?:\s*(?:number|no\.?|#))?\s*[:.]?\s*([0-9]{7})\b", re.IGNORECASE)


def imo_in_text(text: str) -> list[str]:
    """The IMO ship numbers written in free text (a remark, a comment), as found."""
    return _IMO_TEXT.findall(text)


# Names the official lists give countries that ISO 3166 spells otherwise.
_COUNTRY_NAMES = {
    "BURMA": "MM",
    "IRAN": "IR",
    "KOREA, NORTH": "KP",
    "NORTH KOREA": "KP",
    "KOREA, SOUTH": "KR",
    "SOUTH KOREA": "KR",
    "DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA": "KP",
    "REPUBLIC OF KOREA": "KR",
    "RUSSIA": "RU",
    "SYRIA": "SY",
    "LAOS": "LA",
    "VIETNAM": "VN",
    "TURKEY": "TR",
    "CONGO, DEMOCRATIC REPUBLIC OF THE": "CD",
    "DEMOCRATIC REPUBLIC OF THE CONGO": "CD",
    "CONGO, REPUBLIC OF THE": "CG",
    "REPUBLIC OF THE CONGO": "CG",
    "COTE D IVOIRE": "CI",
    "THE GAMBIA": "GM",
    "BAHAMAS, THE": "BS",
    "UNITED KINGDOM": "GB",
    "UNITED STATES": "US",
    "MOLDOVA": "MD",
    "TANZANIA": "TZ",
    "VENEZUELA": "VE",
    "BOLIVIA": "BO",
    "PALESTINE": "PS",
    "STATE OF PALESTINE": "PS",
    "CZECH REPUBLIC": "CZ",
    "MACEDONIA": "MK",
    "SWAZILAND": "SZ",
    "BRUNEI": "BN",
}


def _key(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("’", "'").upper().split())


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                names.setdefault(_key(value), country.alpha_2)
    for name, code in _COUNTRY_NAMES.items():
        names[_key(name)] = code
    return names


def country_code(value: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country written as a code (``ir``, ``IRN``) or a
    name (``Iran (Islamic Republic of)``, ``Korea, North``); None when unknown."""
    text = value.strip()
    if not text:
        return None
    if len(text) in (2, 3) and text.isalpha():
        code = normalise_country(text)
        if is_country(code):
            return code
    key = _key(text)
    names = _country_names()
    # "The Bahamas", "Gambia, The": the article is no part of the name
    key = re.sub(r"^THE |, THE$", "", key)
    if key in names:
        return names[key]
    # "Iran (Islamic Republic of)" is ISO's "Iran, Islamic Republic of"
    bracketed = re.fullmatch(r"(.+?)\s*\((.+)\)", key)
    if bracketed:
        for candidate in (f"{bracketed[1]}, {bracketed[2]}", bracketed[1]):
            if candidate in names:
                return names[candidate]
    return None
