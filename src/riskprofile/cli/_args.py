"""Argument types and the usage error shared by the command modules."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

__all__ = ["as_of", "country", "iso_date", "positive", "usage_error"]


def as_of(text: str) -> dt.datetime:
    """An ISO 8601 date or time; a naive one is taken as UTC."""
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}") from None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


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
    """A date written YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def positive(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def usage_error(command: str, message: str) -> SystemExit:
    """A usage error: the message on standard error, exit code 2 (as argparse does)."""
    print(f"riskprofile {command}: error: {message}", file=sys.stderr)
    return SystemExit(2)
