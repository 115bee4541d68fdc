"""The evaluation time (``as_of``) as every part of the API accepts it.

A run's ``as_of`` is ``$now`` in every rule, and its date is ``$today``. The API takes it
as a :class:`datetime.datetime`, a :class:`datetime.date` (midnight UTC) or an ISO 8601
string (``"2026-11-02"``, ``"2026-11-02T10:00:00+05:00"``), the form a notebook, a
configuration file or a command line has at hand. A naive time is taken as UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from riskprofile.errors import ArgumentError, ArgumentTypeError

__all__ = ["AsOf", "as_of_datetime"]

AsOf = dt.datetime | dt.date | str
"""What an ``as_of`` argument accepts: a datetime, a date, or an ISO 8601 string."""


def as_of_datetime(value: Any) -> dt.datetime:
    """``value`` as an aware datetime in UTC.

    >>> as_of_datetime("2026-11-02T10:00:00+05:00")
    datetime.datetime(2026, 11, 2, 5, 0, tzinfo=datetime.timezone.utc)
    >>> as_of_datetime(dt.date(2026, 11, 2))
    datetime.datetime(2026, 11, 2, 0, 0, tzinfo=datetime.timezone.utc)

    Raises :class:`~riskprofile.errors.ArgumentError` (a ValueError) for a string that is
    not an ISO 8601 date or time (the message quotes it),
    :class:`~riskprofile.errors.ArgumentTypeError` (a TypeError) for anything else that
    is not a date.
    """
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ArgumentError(
                f"as_of must be an ISO 8601 date or time (2026-11-02, "
                f"2026-11-02T10:00:00+05:00), not {value!r}",
                argument="as_of",
                value=value,
            ) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        try:
            return value.astimezone(dt.UTC)
        except OverflowError:  # 9999-12-31T23:59:59-12:00 is past year 9999 in UTC
            raise ArgumentError(
                f"as_of {value.isoformat()!r} is beyond year 9999 in UTC",
                argument="as_of",
                value=value,
            ) from None
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    raise ArgumentTypeError(
        f"as_of must be a date, a datetime or an ISO 8601 string, not {type(value).__name__}",
        argument="as_of",
        value=value,
    )
