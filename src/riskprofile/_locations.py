"""Where a database is, as messages show it: a PostgreSQL URL without its password.

The history store (``--store``) and the SQL engine (``--engine``) both take a
``postgresql://`` URL, and both name it in their errors.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

__all__ = ["is_dsn", "shown_location"]


def is_dsn(location: str) -> bool:
    """Whether a location names a PostgreSQL server (``postgresql://...``)."""
    return location.startswith(("postgresql://", "postgres://"))


def shown_location(location: str) -> str:
    """A location as messages show it: a DSN without its password.

    >>> shown_location("postgresql://pcu:secret@db.example:5432/history")
    'postgresql://pcu:***@db.example:5432/history'
    """
    if not is_dsn(location):
        return location
    parts = urlsplit(location)
    if parts.password is None:
        return location
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
