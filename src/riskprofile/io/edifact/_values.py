"""Values as EDIFACT writes them: text cut into components, weights with their unit,
dates with their format code, the full/empty and freight codes.

Shared by the reader and the writer, so that what one writes the other reads back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

__all__ = [
    "FULL_EMPTY",
    "SEALER_CODES",
    "WEIGHT_UNITS",
    "format_number",
    "join_text",
    "parse_date",
    "parse_datetime",
    "parse_decimal",
    "parse_temperature",
    "parse_weight",
    "split_text",
    "write_date",
    "write_datetime",
]

# UN/EDIFACT 6411 units of mass, in kilograms.
WEIGHT_UNITS: dict[str, float] = {
    "KGM": 1.0,
    "KG": 1.0,
    "TNE": 1000.0,
    "GRM": 0.001,
    "LBR": 0.45359237,
}
# UN/EDIFACT 8169 full or empty indicator: 4 empty, 5 full, 6 ?, 7 full LCL, 8 full FCL.
FULL_EMPTY: dict[str, bool] = {"4": False, "5": True, "7": True, "8": True}
# The model's sealer -> UN/EDIFACT 9303 sealing party code.
SEALER_CODES: dict[str, str] = {"carrier": "CA", "shipper": "SH", "customs": "CU", "other": "AC"}


def split_text(text: str, width: int, most: int) -> list[str]:
    """Cut ``text`` into at most ``most`` components of at most ``width`` characters.

    Cuts at the last space that keeps a component shorter than ``width`` (the space
    goes); a word longer than that is cut at exactly ``width`` characters. What does not
    fit in ``most`` components stays in the last one, beyond ``width``: nothing is cut
    off (a receiver keeping the standard's lengths may shorten it).
    :func:`join_text` reverses it exactly.

    >>> split_text("GULF STAR GENERAL TRADING COMPANY LLC", 35, 5)
    ['GULF STAR GENERAL TRADING COMPANY', 'LLC']
    """
    parts: list[str] = []
    while len(text) > width and len(parts) < most - 1:
        cut = text.rfind(" ", 0, width)
        if cut > 0:
            parts.append(text[:cut])
            text = text[cut + 1 :]
        else:
            parts.append(text[:width])
            text = text[width:]
    parts.append(text)
    return parts


def join_text(parts: tuple[str, ...] | list[str], width: int) -> str | None:
    """Join components back into one text: with a space, except after a component of
    exactly ``width`` characters (a word was cut there).

    >>> join_text(("GULF STAR GENERAL TRADING COMPANY", "LLC"), 35)
    'GULF STAR GENERAL TRADING COMPANY LLC'
    """
    out = ""
    glue = False
    for part in parts:
        if not part:
            continue
        if out and not glue:
            out += " "
        out += part
        glue = len(part) == width
    return out or None


def parse_decimal(text: str, decimal_mark: str = ".") -> Decimal:
    """A number as EDIFACT writes it (either decimal mark; sign before the digits).

    Raises:
        ValueError: not a number.
    """
    cleaned = text.strip().replace(decimal_mark, ".").replace(",", ".")
    if not cleaned or cleaned.count(".") > 1 or cleaned.lower() != cleaned.upper():
        raise ValueError(f"{text!r} is not a number")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a number")
    return value


def parse_weight(unit: str | None, text: str, decimal_mark: str = ".") -> float:
    """A mass in kilograms from a measure value and its 6411 unit (``KGM`` when absent).

    Raises:
        ValueError: not a number, or not a unit of mass.
    """
    factor = WEIGHT_UNITS.get((unit or "KGM").upper())
    if factor is None:
        raise ValueError(f"{unit!r} is not a unit of mass (KGM, TNE, GRM, LBR)")
    value = float(parse_decimal(text, decimal_mark)) * factor
    return round(value, 6) if factor != 1.0 else value


def parse_temperature(unit: str | None, text: str, decimal_mark: str = ".") -> float:
    """A temperature in degrees Celsius from a value and its 6411 unit (``CEL`` when
    absent; ``FAH`` converted, to the hundredth).

    Raises:
        ValueError: not a number, or not a unit of temperature.
    """
    scale = (unit or "CEL").upper()
    if scale not in ("CEL", "FAH"):
        raise ValueError(f"{unit!r} is not a unit of temperature (CEL, FAH)")
    value = float(parse_decimal(text, decimal_mark))
    return round((value - 32) * 5 / 9, 2) if scale == "FAH" else value


def format_number(value: float | Decimal) -> str:
    """A number for a segment: no exponent, no trailing ``.0``."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text
    return format(value, "f")


# 2379 date/time format codes -> strptime patterns.
_FORMATS = {
    "102": "%Y%m%d",
    "101": "%y%m%d",
    "201": "%y%m%d%H%M",
    "203": "%Y%m%d%H%M",
    "204": "%Y%m%d%H%M%S",
}
_BY_LENGTH = {8: "102", 6: "101", 10: "201", 12: "203", 14: "204"}


def parse_datetime(text: str, code: str | None = None) -> datetime:
    """A date/time in one of the usual 2379 formats (102, 101, 201, 203, 204), taken
    as UTC; the format is guessed from the length when no code is given.

    Raises:
        ValueError: the format is not one of these, or the value does not fit it.
    """
    text = text.strip()
    code = code or _BY_LENGTH.get(len(text))
    pattern = _FORMATS.get(code or "")
    if pattern is None:
        raise ValueError(f"date/time format {code!r} is not read (102, 101, 201, 203, 204)")
    try:
        return datetime.strptime(text, pattern).replace(tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{text!r} is not a date/time in format {code}") from None


def parse_date(text: str, code: str | None = None) -> date:
    """A date (format 102 ``CCYYMMDD`` unless ``code`` says otherwise)."""
    return parse_datetime(text, code).date()


def write_datetime(value: datetime) -> tuple[str, str]:
    """A UTC date/time as (value, format code): 204 (to the second)."""
    v = value.astimezone(UTC)
    return f"{write_date(v)}{v.hour:02d}{v.minute:02d}{v.second:02d}", "204"


def write_date(value: date) -> str:
    """A date in format 102 (``CCYYMMDD``)."""
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"
