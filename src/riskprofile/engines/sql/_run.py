"""Running translated conditions in a database: the shipment table loaded (DuckDB: the
frame registered as it is; PostgreSQL: ``COPY`` into a temporary table), one ``SELECT``
computing every condition's hit, error and undecided columns, and the masks built from
its result. Rows a translation leaves undecided are evaluated row-wise; a condition that
does not translate runs on the columnar engine, which says why in ``fallback``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import uuid
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import polars as pl
from sqlglot import exp

from riskprofile._locations import shown_location
from riskprofile.engines import columnar
from riskprofile.engines._contract import ConditionMasks
from riskprofile.engines.columnar.shared import patched as _patched
from riskprofile.engines.columnar.shared import same_meaning as _same_meaning
from riskprofile.engines.sql._dialects import DIALECTS, Dialect
from riskprofile.engines.sql._translate import SqlTranslation, translate
from riskprofile.engines.sql._values import custom_field_type
from riskprofile.errors import DatabaseError
from riskprofile.model.frame import custom_field_kind
from riskprofile.model.shared import extra_catalogue_type, is_extra_field
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles.shared import Condition

STRICT_MASKS = False
"""Raise on a NULL hit or error column (the tests do: the translation promises none)
instead of leaving such rows to the row-wise engine."""

TABLE = "shipments"
"""The table name the printed SQL reads (a table or view with the shipment frame's
columns; ``_row``, the row's position, orders the result)."""


def checked_lists(condition: Condition, lists: Mapping[str, frozenset[Any]]) -> None:
    """Refuse watch lists given with other values than ``condition`` was compiled with."""
    builtins = condition.rule.context.builtins
    for name in condition.lists:
        if name in lists and frozenset(builtins[name]) != frozenset(lists[name]):
            raise ValueError(
                f"${name}: the values given differ from those {condition.expression!r} "
                "was compiled with"
            )


# Each translation's columns as SQL text, by dialect: rendering a tree is most of the
# cost of a query's text, and a translation (cached itself) is rendered once.
_TEXTS: weakref.WeakKeyDictionary[SqlTranslation, dict[str, list[str | None]]] = (
    weakref.WeakKeyDictionary()
)
_TEXTS_LOCK = threading.Lock()


def _texts(t: SqlTranslation, dialect: Dialect) -> list[str | None]:
    with _TEXTS_LOCK:
        found = _TEXTS.get(t, {}).get(dialect.name)
    if found is None:
        found = [None if e is None else e.sql(dialect=dialect.sqlglot)
                 for e in (t.hit, t.error, t.undecided)]  # fmt: skip
        with _TEXTS_LOCK:
            _TEXTS.setdefault(t, {})[dialect.name] = found
    return found


def query_text(
    translations: Sequence[tuple[str, SqlTranslation]], dialect: Dialect, table: str
) -> str:
    """The text of :func:`select_sql` (not pretty), each condition rendered once, and
    without its ``ORDER BY``: the caller sorts the result by ``_row`` (a sort in the
    database costs a shuffle in Spark and, at 300 columns, a sort spilled to disk in
    PostgreSQL; Polars sorts the returned frame in milliseconds)."""
    columns = ["_row"]
    for index, (_key, t) in enumerate(translations):
        hit, error, undecided = _texts(t, dialect)
        columns += [f"{hit} AS h{index}", f"{error} AS e{index}"]
        if undecided is not None:
            columns.append(f"{undecided} AS u{index}")
    name = exp.to_table(table).sql(dialect=dialect.sqlglot)
    # Every part is SQL rendered by sqlglot from our own trees (literals quoted by it).
    return f"SELECT {', '.join(columns)} FROM {name}"  # noqa: S608


def select_sql(
    translations: Sequence[tuple[str, SqlTranslation]],
    dialect: Dialect,
    table: str = TABLE,
    *,
    pretty: bool = False,
) -> str:
    """One ``SELECT`` of each translation's ``h<i>``, ``e<i>`` (and ``u<i>``) columns,
    named by position in ``translations``, over ``table`` in ``_row`` order."""
    columns: list[exp.Expression] = [exp.column("_row")]
    for index, (_key, t) in enumerate(translations):
        assert t.hit is not None
        assert t.error is not None
        # alias_ copies the (shared, cached) expressions: copy=False keeps them as they are.
        columns.append(exp.Alias(this=t.hit, alias=exp.to_identifier(f"h{index}")))
        columns.append(exp.Alias(this=t.error, alias=exp.to_identifier(f"e{index}")))
        undecided = t.guarded_undecided(dialect)
        if undecided is not None:
            columns.append(exp.Alias(this=undecided, alias=exp.to_identifier(f"u{index}")))
    query = exp.select(*columns, copy=False).from_(exp.to_table(table), copy=False)
    query = query.order_by("_row", copy=False)
    return query.sql(dialect=dialect.sqlglot, pretty=pretty)


def _types() -> dict[str, str]:
    return {spec.name: spec.type for spec in field_catalogue()}


def _column_type(name: str, dtype: pl.DataType, types: Mapping[str, str]) -> str:
    """The catalogue type of frame column ``name``: the catalogue's, or, for a custom
    field (``x_<name>``), the one its column's dtype holds (text, number, date, bool,
    list are String, Float64, UTC Datetime, Boolean, List(String))."""
    if name in types:
        return types[name]
    kind = custom_field_kind(dtype)
    if kind is not None:
        return extra_catalogue_type(kind)
    raise TypeError(f"column {name!r}: no SQL type for {dtype}")


def _with_nul(frame: pl.DataFrame, names: Iterable[str]) -> pl.Series:
    """Rows with a NUL character in one of the text columns ``names`` (PostgreSQL text
    cannot hold one)."""
    tests = []
    for name in names:
        column = pl.col(name)
        if frame.schema[name] == pl.String:
            tests.append(column.str.contains("\x00", literal=True).fill_null(False))
        elif isinstance(frame.schema[name], pl.List):
            tests.append(
                column.list.eval(pl.element().str.contains("\x00", literal=True))
                .list.any()
                .fill_null(False)
            )
    if not tests:
        return pl.Series("nul", [False] * frame.height, dtype=pl.Boolean)
    return frame.select(pl.any_horizontal(tests).alias("nul")).get_column("nul")


class Database:
    """A connection the engine runs its queries on: DuckDB (in-process), PostgreSQL or
    Spark.

    ``target`` is ``"duckdb"`` (a new in-memory database), a DuckDB connection, a
    PostgreSQL URL (``postgresql://user@host:port/db``), a psycopg connection,
    ``"spark"`` (a local Spark session, :func:`local_spark`) or a Spark session.
    """

    def __init__(self, target: Any = "duckdb") -> None:
        self.target = target
        self.dialect = DIALECTS[self._dialect_name(target)]

    @staticmethod
    def _dialect_name(target: Any) -> str:
        if isinstance(target, str):
            if target in ("duckdb", "spark"):
                return target
            if target.startswith(("postgresql://", "postgres://")):
                return "postgres"
            raise ValueError(
                f"engine target {target!r}: expected 'duckdb', 'spark' or a postgresql:// URL"
            )
        module = type(target).__module__
        if module.startswith(("duckdb", "_duckdb")):
            return "duckdb"
        if module.startswith("psycopg"):
            return "postgres"
        if module.startswith("pyspark"):
            return "spark"
        raise ValueError(
            f"engine target {type(target).__name__}: not a DuckDB or psycopg connection "
            "or a Spark session"
        )

    def query(
        self, frame: pl.DataFrame, translations: Sequence[tuple[str, SqlTranslation]]
    ) -> pl.DataFrame:
        """The ``SELECT`` of :func:`select_sql` run on ``frame`` (only the columns the
        conditions read are loaded); a ``nul`` column marks rows loaded without a value
        the database cannot hold (undecided for every condition)."""
        names = sorted({c.name for _, t in translations for c in _columns(t)} & set(frame.columns))
        table = f"riskprofile_shipments_{uuid.uuid4().hex[:12]}"
        sql = query_text(translations, self.dialect, table)
        # (A frame of no columns has no rows: the row numbers alone keep the height.)
        rows = pl.DataFrame({"_row": pl.int_range(frame.height, eager=True, dtype=pl.UInt32)})
        data = rows.hstack(frame.select(names)) if names else rows
        if self.dialect.name == "duckdb":
            result = self._duckdb(data, table, sql).sort("_row")
            return result.with_columns(pl.lit(False).alias("nul"))
        if self.dialect.name == "spark":
            result = self._spark(data, table, sql).sort("_row")
            return result.with_columns(pl.lit(False).alias("nul"))
        nul = _with_nul(frame, names)
        if nul.any():
            data = data.with_columns(
                [pl.when(nul).then(None).otherwise(pl.col(n)).alias(n) for n in names]
            )
        return self._postgres(data, table, sql).sort("_row").with_columns(nul.alias("nul"))

    def _duckdb(self, data: pl.DataFrame, table: str, sql: str) -> pl.DataFrame:
        import duckdb

        connection = duckdb.connect() if self.target == "duckdb" else self.target
        try:
            connection.register(table, data.to_arrow())
            relation: Any = connection.sql(sql)
            # duckdb 2.x: to_arrow_table(); 1.x: arrow().
            fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
            arrow = fetch()
            return pl.DataFrame(pl.from_arrow(arrow))
        finally:
            connection.unregister(table)
            if self.target == "duckdb":
                connection.close()

    def _spark(self, data: pl.DataFrame, table: str, sql: str) -> pl.DataFrame:
        session = local_spark() if self.target == "spark" else self.target
        # The session's time zone does not matter: dates and times are instants (UTC in
        # the frame, Spark's TIMESTAMP), and the query's literals carry their offset.
        # Spark has no unsigned integers; Arrow's large (64-bit offset) strings and
        # lists, as Polars' oldest compatibility level writes them.
        data = data.with_columns(pl.col("_row").cast(pl.Int64))
        arrow = data.to_arrow(compat_level=pl.CompatLevel.oldest())
        session.createDataFrame(arrow).createOrReplaceTempView(table)
        try:
            with _rules_excluded(session, _SPARK_EXCLUDED_RULES):
                return pl.DataFrame(pl.from_arrow(session.sql(sql).toArrow()))
        finally:
            session.catalog.dropTempView(table)

    def _postgres(self, data: pl.DataFrame, table: str, sql: str) -> pl.DataFrame:
        import psycopg

        where = shown_location(self.target) if isinstance(self.target, str) else "(connection)"

        def refused(exc: psycopg.Error) -> DatabaseError:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if isinstance(self.target, str):
                reason = reason.replace(self.target, where)
            return DatabaseError(reason, database=where)

        try:
            connection = (
                psycopg.connect(self.target, connect_timeout=10)
                if isinstance(self.target, str)
                else self.target
            )
        except psycopg.Error as exc:
            raise refused(exc) from None
        try:
            with connection.cursor() as cursor:
                load_postgres(cursor, data, table)
                # COPY out as CSV: a third faster than fetching rows of Python objects.
                text = bytearray()
                with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT CSV, HEADER)") as copy:
                    for chunk in copy:
                        text += chunk
                cursor.execute(f'DROP TABLE "{table}"')
            connection.commit()
        except psycopg.Error as exc:
            connection.rollback()  # a caller's connection stays usable
            raise refused(exc) from exc
        except BaseException:
            connection.rollback()
            raise
        finally:
            if isinstance(self.target, str):
                connection.close()
        result = pl.read_csv(bytes(text), infer_schema=False)
        return result.select(
            pl.col("_row").cast(pl.Int64),
            *(pl.col(c) == "t" for c in result.columns if c != "_row"),
        )


def load_postgres(cursor: Any, data: pl.DataFrame, table: str, *, temporary: bool = True) -> None:
    """Create ``table`` (temporary unless said) with ``data``'s columns - ``_row`` first,
    then shipment-frame columns - and ``COPY`` its rows in, through a psycopg cursor."""
    types = _types()
    dialect = DIALECTS["postgres"]
    columns = list(data.columns)
    sql_types = [
        "BIGINT" if n == "_row" else dialect.column_type(_column_type(n, data.schema[n], types))  # type: ignore[arg-type]
        for n in columns
    ]
    spec = ", ".join(f'"{n}" {t}' for n, t in zip(columns, sql_types, strict=True))
    kind = "TEMPORARY TABLE" if temporary else "TABLE"
    cursor.execute(f'CREATE {kind} "{table}" ({spec})')
    names = ", ".join(f'"{n}"' for n in columns)
    with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        for chunk in _copy_text(data):
            copy.write(chunk)


_COPY_ROWS = 100_000
"""Rows per block of ``COPY`` text (written by Polars; the block is the memory used)."""


def _copy_escaped(e: pl.Expr) -> pl.Expr:
    """Text in ``COPY``'s text format: backslash, tab, newline and carriage return
    escaped (NUL cannot be loaded: those rows were emptied, see :func:`_with_nul`)."""
    for raw, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        e = e.str.replace_all(raw, escaped, literal=True)
    return e


def _copy_value(name: str, dtype: pl.DataType) -> pl.Expr:
    """Column ``name`` as ``COPY`` text (``\\N`` for NULL)."""
    column = pl.col(name)
    if dtype == pl.String:
        text = _copy_escaped(column)
    elif dtype == pl.Boolean:
        text = pl.when(column).then(pl.lit("t")).when(~column).then(pl.lit("f"))
    elif dtype.is_integer() or isinstance(dtype, pl.Decimal):
        text = column.cast(pl.String)
    elif dtype.is_float():
        text = (
            pl.when(column.is_nan()).then(pl.lit("NaN"))
            .when(column == float("inf")).then(pl.lit("Infinity"))
            .when(column == float("-inf")).then(pl.lit("-Infinity"))
            .otherwise(column.cast(pl.String))
        )  # fmt: skip
    elif isinstance(dtype, pl.Datetime) and dtype.time_zone == "UTC":
        text = column.dt.to_string("%Y-%m-%d %H:%M:%S%.6f+00")
    elif isinstance(dtype, pl.List) and dtype.inner == pl.String:
        # An array literal: each element quoted, backslash and quote escaped in it.
        element = pl.element().str.replace_all("\\", "\\\\", literal=True)
        element = element.str.replace_all('"', '\\"', literal=True)
        quoted = (
            pl.when(pl.element().is_null())
            .then(pl.lit("NULL"))
            .otherwise(pl.lit('"') + element + pl.lit('"'))
        )
        text = _copy_escaped(pl.lit("{") + column.list.eval(quoted).list.join(",") + pl.lit("}"))
    else:
        raise TypeError(f"column {name!r}: no COPY text for {dtype}")
    return text.fill_null(pl.lit("\\N")).alias(name)


def _copy_text(data: pl.DataFrame) -> Iterator[bytes]:
    """``data``'s rows in ``COPY``'s text format, in blocks: Polars writes the text of
    a whole column at once (one Python call per row cost 86 s at 1M shipments)."""
    values = [_copy_value(name, dtype) for name, dtype in data.schema.items()]
    for start in range(0, data.height, _COPY_ROWS):
        lines = data.slice(start, _COPY_ROWS).select(
            pl.concat_str(values, separator="\t").alias("line")
        )
        yield ("\n".join(lines.get_column("line").to_list()) + "\n").encode()


_SPARK_LOCK = threading.Lock()

_SPARK_EXCLUDED_RULES = ("org.apache.spark.sql.catalyst.optimizer.ConvertToLocalRelation",)
"""Optimizer rules turned off while the engine's query runs. A frame made from Arrow is
a ``LocalRelation`` (its rows held by the driver), and ``ConvertToLocalRelation`` would
compute the whole ``SELECT`` over it while *optimizing* the plan - every condition on
every row, interpreted, in one driver thread (measured at 2,000 shipments x 95
conditions: 15.6 s of the optimizer's 16.3 s). Without it the projection runs as Spark
tasks, compiled, on every core."""

_EXCLUDED_RULES_KEY = "spark.sql.optimizer.excludedRules"


@contextlib.contextmanager
def _rules_excluded(session: Any, rules: Sequence[str]) -> Iterator[None]:
    """``rules`` added to the session's excluded optimizer rules, the setting the
    session had restored afterwards (the optimizer reads it when a query runs)."""
    before = session.conf.get(_EXCLUDED_RULES_KEY, None)
    have = [r for r in (before or "").split(",") if r.strip()]
    session.conf.set(_EXCLUDED_RULES_KEY, ",".join([*have, *(r for r in rules if r not in have)]))
    try:
        yield
    finally:
        if before is None:
            session.conf.unset(_EXCLUDED_RULES_KEY)
        else:
            session.conf.set(_EXCLUDED_RULES_KEY, before)


def local_spark() -> Any:
    """The process's local Spark session (``local[*]``, web UI off, Arrow transfers),
    made on first use - starting one takes tens of seconds - and kept for later runs;
    an active session (``SparkSession.getActiveSession()``) is used as it is."""
    from pyspark.sql import SparkSession

    with _SPARK_LOCK:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        return (
            SparkSession.builder.master("local[*]")
            .appName("riskprofile")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            # Local mode runs in the driver: its default heap (1 GiB) runs out at about
            # 100,000 shipments x 160 conditions.
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )


def _columns(t: SqlTranslation) -> Iterator[exp.Column]:
    for e in (t.hit, t.error, t.undecided):
        if e is not None:
            yield from e.find_all(exp.Column)


def _list_holes(frame: pl.DataFrame, names: Iterable[str]) -> dict[str, pl.Series]:
    """For each list column: the rows where it holds a NULL (or is NULL), once."""
    present = sorted(set(names) & set(frame.columns))
    if not present:
        return {}
    exprs = [
        (pl.col(n).is_null() | pl.col(n).list.eval(pl.element().is_null()).list.any())
        .fill_null(True)
        .alias(n)
        for n in present
    ]
    found = frame.select(exprs)
    return {n: found.get_column(n) for n in present if found.get_column(n).any()}


_CUSTOM_DTYPES: dict[str, pl.DataType] = {
    "string": pl.String(), "float": pl.Float64(), "boolean": pl.Boolean(),
    "date": pl.Datetime("us", "UTC"), "list[string]": pl.List(pl.String()),
}  # fmt: skip


def _with_absent_custom_fields(
    frame: pl.DataFrame, conditions: Iterable[Condition]
) -> pl.DataFrame:
    """``frame`` with a null column of its declared type for each custom field the
    conditions read and the batch has no column for (no record gave it a value): null
    in every row, as the row-wise engine reads it."""
    added: dict[str, pl.Expr] = {}
    for condition in conditions:
        for name in sorted(condition.fields):
            if is_extra_field(name) and name not in frame.columns and name not in added:
                kind = custom_field_type(condition.rule.context.resolve_type(name))
                if kind is not None:
                    added[name] = pl.lit(None, _CUSTOM_DTYPES[kind]).alias(name)
    return frame.with_columns(added.values()) if added else frame


def masks_for(
    database: Database,
    frame: pl.DataFrame,
    conditions: Sequence[tuple[str, Condition]],
    lists_by_key: Mapping[str, Mapping[str, frozenset[Any]]],
    as_of: dt.datetime,
) -> dict[str, ConditionMasks]:
    """The :class:`~riskprofile.engines.FrameEngine` contract on ``database`` (see
    :class:`riskprofile.engines.sql.SqlEngine`)."""
    first: dict[tuple[Any, ...], str] = {}
    same_as: dict[str, str] = {}
    for key, condition in conditions:
        checked_lists(condition, lists_by_key.get(key, {}))
        same_as[key] = first.setdefault(_same_meaning(condition, as_of), key)
    translated: list[tuple[str, SqlTranslation]] = []
    fallback: list[tuple[str, Condition, str]] = []
    by_key = dict(conditions)
    for key, condition in conditions:
        if same_as[key] != key:
            continue
        t = translate(condition, as_of, database.dialect)
        if t.fallback is None:
            translated.append((key, t))
        else:
            fallback.append((key, condition, t.fallback))
    out: dict[str, ConditionMasks] = {}
    if translated:
        frame = _with_absent_custom_fields(frame, [by_key[key] for key, _ in translated])
        result = database.query(frame, translated)
        nul = result.get_column("nul")
        holes = _list_holes(frame, {f for _, t in translated for f in t.list_fields})
        for index, (key, t) in enumerate(translated):
            hit = result.get_column(f"h{index}").cast(pl.Boolean)
            error = result.get_column(f"e{index}").cast(pl.Boolean)
            undecided = result.get_column(f"u{index}") if t.undecided is not None else None
            for extra in (nul, *(holes[f] for f in t.list_fields if f in holes)):
                if extra.any():
                    undecided = extra if undecided is None else undecided | extra
            unknown = hit.is_null() | error.is_null()
            if unknown.any():  # never, by construction; if it were, rule-engine decides
                if STRICT_MASKS:
                    raise AssertionError(f"NULL in the SQL masks of {t.expression!r}")
                undecided = unknown if undecided is None else undecided.fill_null(True) | unknown
            out[key] = _patched(
                frame,
                by_key[key],
                as_of,
                hit.fill_null(False),
                error.fill_null(False),
                None if undecided is None else undecided.cast(pl.Boolean).fill_null(True),
            )
    if fallback:
        masks = columnar.masks_for(
            frame,
            [(key, condition) for key, condition, _ in fallback],
            {key: lists_by_key[key] for key, _, _ in fallback if key in lists_by_key},
            as_of,
        )
        for key, _condition, reason in fallback:
            m = masks[key]
            where = "columnar" if m.fallback is None else f"row-wise ({m.fallback})"
            out[key] = ConditionMasks(m.hit, m.error, f"not in SQL: {reason}; ran {where}")
    return {key: out[same_as[key]] for key, _ in conditions}
