"""Argument types and the usage error shared by the command modules."""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import typing
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from riskprofile.profiles import ProfileSet

__all__ = [
    "PROFILES_HELP",
    "Parser",
    "as_of",
    "at_most",
    "country",
    "fraction",
    "iso_date",
    "load_profiles",
    "positive",
    "shorten",
    "usage_error",
]

# A word longer than this in a message (a pasted blob, a 5,000-digit number) is cut in
# the middle, so that every error stays one readable line.
_LONG_WORD = re.compile(r"\S{121,}")


def shorten(message: str) -> str:
    """``message`` with every overlong word cut to its ends: ``'1111…(5,000 characters)…111'``."""
    return _LONG_WORD.sub(
        lambda m: f"{m.group()[:40]}…({len(m.group()):,} characters)…{m.group()[-20:]}", message
    )


class Parser(argparse.ArgumentParser):
    """argparse's parser whose usage errors never echo a huge argument back in full."""

    def error(self, message: str) -> typing.NoReturn:
        super().error(shorten(message))


# The evaluation times a run accepts: wide enough for any real manifest, narrow enough
# that date arithmetic in a condition (`$today - 45` days, a UTC offset) cannot overflow.
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)

BUNDLED = "bundled"
PROFILES_HELP = (
    "profile file or folder, or 'bundled' for the profiles that ship with riskprofile "
    "(repeatable; default: bundled)"
)
"""The help of every command's ``--profiles`` option."""


def as_of(text: str) -> dt.datetime:
    """An ISO 8601 date or time from 1900 to 9000; a naive one is taken as UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}") from None
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
    try:
        in_range = EARLIEST <= value < LATEST
    except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is past year 9999 in UTC
        in_range = False
    if not in_range:
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range: give a time from {EARLIEST.date()} to {LATEST.date()}"
        )
    return value


def fraction(text: str) -> float:
    """A share from 0 to 1 (``0.05``), or a percentage (``5%``)."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number from 0 to 1") from None
    if not 0 <= value <= 1:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be from 0 to 1 (or 0% to 100%), not {text!r}")
    return value


def country(text: str) -> str:
    """An assigned ISO 3166-1 alpha-2 country code (``pk`` is taken as ``PK``): a code
    that names no country would silently apply no overlay."""
    from riskprofile.model.codes import country_problem

    code = text.strip().upper()
    problem = country_problem(code)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{problem.message} (e.g. PK, KZ, TM)")
    return code


def iso_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD, from 1900 to 9000."""
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    if not EARLIEST.date() <= value < LATEST.date():
        raise argparse.ArgumentTypeError(
            f"{text!r} is out of range: give a date from {EARLIEST.date()} to {LATEST.date()}"
        )
    return value


def positive(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def at_most(maximum: int) -> Callable[[str], int]:
    """A whole number from 1 to ``maximum`` (a count a run can afford)."""

    def count(text: str) -> int:
        value = positive(text)
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,}, not {value:,}")
        return value

    return count


def usage_error(command: str, message: str) -> SystemExit:
    """A usage error: the message on standard error, exit code 2 (as argparse does)."""
    print(f"riskprofile {command}: error: {shorten(message)}", file=sys.stderr)
    return SystemExit(2)


def load_profiles(paths: Sequence[str] | None, country: str | None) -> ProfileSet:
    """The profiles a command's ``--profiles`` options name: the bundled library when
    there is none; the word ``bundled`` adds it to one's own (a folder of that name is
    ``./bundled``)."""
    from riskprofile.profiles import load_profiles as load

    if not paths:
        return load(bundled=True, country=country)
    own = [p for p in paths if p != BUNDLED]
    return load(own, bundled=len(own) < len(paths), country=country)
