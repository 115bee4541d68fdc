"""The two places a history store lives: an embedded DuckDB file, or a PostgreSQL server.

Both take the same SQL (:mod:`riskprofile.history._sql`) and the same Polars frames: a
backend runs a statement, returns a query's rows as a frame, and stages a frame as a
table for the statements that follow (DuckDB reads the frame's Arrow memory in place;
PostgreSQL receives it by ``COPY``, as CSV written by Polars: no Python object per row
either way).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from riskprofile._locations import is_dsn as is_dsn
from riskprofile._locations import shown_location as shown_location
from riskprofile.errors import HistoryStoreError

__all__ = ["DUCKDB_MEMORY_LIMIT", "Backend", "connect", "shown_location"]

DUCKDB_MEMORY_LIMIT = "2GB"
"""The memory an embedded store's queries may use before spilling to disk: the features of
a 1M-shipment batch against 10M declarations peaked at 2.6 GiB for the whole process
with it, 5.2 GiB without (benchmarks/history.py)."""

_DUCKDB_MAGIC = b"DUCK"  # at byte 8 of every DuckDB database file
_PARAM = re.compile(r":([a-z_][a-z0-9_]*)")

_PG_TYPES: dict[Any, str] = {
    pl.String: "VARCHAR",
    pl.Int64: "BIGINT",
    pl.Int32: "BIGINT",
    pl.UInt32: "BIGINT",
    pl.Float64: "DOUBLE PRECISION",
    pl.Boolean: "BOOLEAN",
    pl.Date: "DATE",
}


def _used(sql: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The parameters ``sql`` names (DuckDB refuses any other)."""
    names = set(_PARAM.findall(sql))
    return {k: v for k, v in (params or {}).items() if k in names}


class Backend(Protocol):
    """What the store needs of a database."""

    dialect: str
    location: str

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        """Run one statement."""

    def frame(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        """A query's rows."""

    def stage(self, name: str, frame: pl.DataFrame) -> None:
        """Make ``frame`` readable as the table ``name`` until :meth:`unstage`."""

    def unstage(self, name: str) -> None:
        """Drop a staged table."""

    def commit(self) -> None:
        """Make the statements since the last commit durable."""

    def rollback(self) -> None:
        """Undo the statements since the last commit."""

    def close(self) -> None:
        """Close the connection."""


class _DuckDB:
    dialect = "duckdb"

    def __init__(self, path: str, *, create: bool = True) -> None:
        try:
            import duckdb
        except ImportError:  # pragma: no cover - an install without the extra
            raise HistoryStoreError(
                "the embedded store needs duckdb: pip install 'riskprofile[history]'",
                store=path,
            ) from None
        self.location = path
        _check_duckdb_file(Path(path), create)
        try:
            self._con = duckdb.connect(
                path,
                # A bounded footprint (DuckDB spills the rest to disk), and no promise of
                # row order the queries do not need: every result is ORDER BY'd.
                config={"memory_limit": DUCKDB_MEMORY_LIMIT, "preserve_insertion_order": False},
            )
        except (duckdb.Error, OSError) as exc:
            raise HistoryStoreError(f"cannot open the DuckDB file: {exc}", store=path) from None
        self._con.begin()

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        self._con.execute(_PARAM.sub(r"$\1", sql), _used(sql, params))

    def frame(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        frame: pl.DataFrame = self._con.sql(_PARAM.sub(r"$\1", sql), params=_used(sql, params)).pl()
        return frame

    def stage(self, name: str, frame: pl.DataFrame) -> None:
        self._con.register(name, frame.to_arrow())

    def unstage(self, name: str) -> None:
        self._con.unregister(name)

    def commit(self) -> None:
        self._con.commit()
        self._con.begin()

    def rollback(self) -> None:
        self._con.rollback()
        self._con.begin()

    def close(self) -> None:
        self._con.rollback()
        self._con.close()


class _Postgres:
    dialect = "postgresql"

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.location = shown_location(dsn)
        try:
            self._con = psycopg.connect(dsn, connect_timeout=10)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise HistoryStoreError(
                f"cannot connect: {reason.replace(dsn, self.location)}", store=self.location
            ) from None

    def run(self, sql: str, params: dict[str, Any] | None = None) -> None:
        with self._con.cursor() as cur:
            cur.execute(_PARAM.sub(r"%(\1)s", sql).encode(), _used(sql, params))

    def frame(self, sql: str, params: dict[str, Any] | None = None) -> pl.DataFrame:
        with self._con.cursor() as cur:
            cur.execute(_PARAM.sub(r"%(\1)s", sql).encode(), _used(sql, params))
            names = [d.name for d in cur.description or ()]
            rows = cur.fetchall()
        return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)

    def stage(self, name: str, frame: pl.DataFrame) -> None:
        columns = ", ".join(f"{c} {_pg_type(frame.schema[c])}" for c in frame.columns)
        with self._con.cursor() as cur:
            cur.execute(f"CREATE TEMP TABLE {name} ({columns})".encode())
            sql = f"COPY {name} FROM STDIN (FORMAT csv, HEADER true)"
            with cur.copy(sql.encode()) as copy:
                copy.write(frame.write_csv(datetime_format="%Y-%m-%d %H:%M:%S%.6f"))

    def unstage(self, name: str) -> None:
        self.run(f"DROP TABLE IF EXISTS {name}")

    def commit(self) -> None:
        self._con.commit()

    def rollback(self) -> None:
        self._con.rollback()

    def close(self) -> None:
        self._con.rollback()
        self._con.close()


def _pg_type(dtype: Any) -> str:
    if isinstance(dtype, pl.Datetime):
        return "TIMESTAMP"
    return _PG_TYPES[dtype.base_type()]


def _check_duckdb_file(path: Path, create: bool) -> None:
    """Refuse, before DuckDB touches it, a path that is not a DuckDB file (a batch given
    by mistake must not become a database), and a missing store when one must exist."""
    where = str(path)
    if not str(path).strip():
        raise HistoryStoreError("give a DuckDB file or a postgresql:// DSN", store="''")
    if path.is_dir():
        raise HistoryStoreError("is a folder, not a DuckDB file", store=where)
    if not path.exists():
        if not create:
            raise HistoryStoreError(
                "no such store (record a batch first: riskprofile history add)", store=where
            )
        if not path.parent.is_dir():
            raise HistoryStoreError(
                f"cannot create it: the folder {str(path.parent)!r} does not exist", store=where
            )
        return
    if not path.is_file():  # a FIFO or a device: reading it could wait for ever
        raise HistoryStoreError("is not a regular file", store=where)
    with path.open("rb") as handle:
        head = handle.read(12)
    if head[8:12] != _DUCKDB_MAGIC:
        raise HistoryStoreError("is not a DuckDB history store (left untouched)", store=where)


def connect(location: str, *, create: bool = True) -> Backend:
    """The backend of a store location: a ``postgresql://`` DSN, else a DuckDB file
    (created when missing, unless ``create`` is false).

    Raises:
        HistoryStoreError: the store cannot be opened, or the file is not a DuckDB one.
    """
    if is_dsn(location):
        return _Postgres(location)
    return _DuckDB(location, create=create)
