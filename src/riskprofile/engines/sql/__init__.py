"""The SQL engine: compiled profiles run where the data lives, in DuckDB, PostgreSQL or
Spark.

Each condition is translated from its rule-engine syntax tree into a sqlglot expression
tree and written in the database's dialect (:func:`condition_sql`); the row-wise
engine's meaning is kept exactly, null rules included (see :mod:`._translate`). A run
loads the shipment frame into the database (DuckDB reads the frame in place; PostgreSQL
gets a temporary table by ``COPY``; Spark a temporary view from Arrow), computes every
condition's hit and error columns in one ``SELECT``, and scores the masks it returns the
same way the columnar engine does, so scores, lanes, the container roll-up and the
ranking are the columnar engine's code.

What does not translate (arithmetic, date arithmetic, the helper functions, a regex the
dialect cannot say alike) runs on the columnar engine, condition by condition, and the
masks' ``fallback`` says why; a row the SQL cannot decide exactly (a regex on text
outside printable ASCII in PostgreSQL, a float that is NaN) is evaluated row-wise.

>>> from riskprofile.engines.sql import SqlEngine
>>> engine = SqlEngine("duckdb")   # or SqlEngine("postgresql://user@host/db"),
>>> engine.dialect                 # a duckdb / psycopg connection, a Spark session
'duckdb'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from riskprofile.engines._contract import ConditionMasks, Engine, FrameEngine, ProfileOutcome
from riskprofile.engines.sql._dialects import DIALECTS, Dialect, DialectName, unverified_reason
from riskprofile.engines.sql._run import TABLE, Database, masks_for, select_sql
from riskprofile.engines.sql._translate import SqlTranslation, translate

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.model.shipment import Shipment
    from riskprofile.profiles import CompiledProfile
    from riskprofile.profiles.shared import Condition

__all__ = [
    "DIALECTS",
    "TABLE",
    "DialectName",
    "SqlEngine",
    "SqlTranslation",
    "condition_sql",
    "profile_sql",
    "unverified_reason",
]


class SqlEngine:
    """An engine that evaluates conditions in a database.

    ``target`` is ``"duckdb"`` (an in-memory DuckDB per call), a DuckDB connection, a
    PostgreSQL URL (``postgresql://user@host:port/db``, connected per call), a
    psycopg connection (then its transaction is committed after each call), a Spark
    session (``pyspark.sql.SparkSession``) or ``"spark"`` (the active session, or a
    local one started on first use). It
    satisfies both engine contracts: :class:`~riskprofile.engines.FrameEngine`
    (``masks_for``) and :class:`~riskprofile.engines.Engine` (``evaluate``), and
    :func:`riskprofile.score` takes it as its ``engine``.
    """

    def __init__(self, target: Any = "duckdb") -> None:
        self._database = Database(target)

    @property
    def dialect(self) -> DialectName:
        """The SQL dialect the engine writes (``duckdb``, ``postgres`` or ``spark``)."""
        return self._database.dialect.name

    def __repr__(self) -> str:
        return f"SqlEngine({self.dialect})"

    def masks_for(
        self,
        frame: pl.DataFrame,
        conditions: Sequence[tuple[str, Condition]],
        lists_by_key: Mapping[str, Mapping[str, frozenset[Any]]],
        as_of: dt.datetime,
    ) -> dict[str, ConditionMasks]:
        """Each condition's masks (the :class:`~riskprofile.engines.FrameEngine`
        contract): translated conditions in one query, the others on the columnar
        engine (``fallback`` then starts with ``"not in SQL: "`` and the reason)."""
        return masks_for(self._database, frame, conditions, lists_by_key, as_of)

    def evaluate(
        self,
        shipments: Iterable[Shipment],
        profiles: Iterable[CompiledProfile],
        as_of: dt.datetime,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
        """Every profile on every shipment (the :class:`~riskprofile.engines.Engine`
        contract), the conditions evaluated in the database."""
        from riskprofile.engines.columnar import evaluate

        return evaluate(shipments, profiles, as_of, progress, frame_engine=self)


def condition_sql(
    condition: Condition, as_of: dt.datetime, dialect: DialectName = "duckdb"
) -> SqlTranslation:
    """``condition`` translated for ``dialect``: ``hit``, ``error`` and ``undecided``
    as sqlglot expressions (render one with ``.sql(dialect)``), or ``fallback``.
    A dialect other than ``duckdb``, ``postgres`` and ``spark`` (those the tests
    execute) raises ValueError with the reason."""
    return translate(condition, as_of, _supported(dialect))


def profile_sql(
    profile: CompiledProfile,
    as_of: dt.datetime,
    dialect: DialectName = "duckdb",
    *,
    table: str = TABLE,
    pretty: bool = True,
) -> list[tuple[str, str | None, str]]:
    """For each of ``profile``'s exceptions and indicators: its id, the SQL of a query
    over ``table`` computing its ``hit``, ``error`` (and ``undecided``) columns per row,
    or None, and the reason it runs on the columnar engine instead."""
    found: list[tuple[str, str | None, str]] = []
    items = [(f"exception {e.id}", e.condition) for e in profile.exceptions]
    items += [(f"indicator {i.id}", i.condition) for i in profile.indicators]
    for name, condition in items:
        t = translate(condition, as_of, _supported(dialect))
        if t.fallback is not None:
            found.append((name, None, t.fallback))
            continue
        sql = select_sql([(name, t)], _supported(dialect), table, pretty=pretty)
        found.append((name, sql, ""))
    return found


def _supported(dialect: str) -> Dialect:
    found = DIALECTS.get(dialect)
    if found is None:
        raise ValueError(unverified_reason(dialect))
    return found


if TYPE_CHECKING:  # the type checker proves that the engine keeps both contracts
    _ENGINE: Engine = SqlEngine()
    _FRAME_ENGINE: FrameEngine = SqlEngine()
