"""What differs between the SQL dialects the engine writes: list functions, regexes,
text comparison, the column types of the shipment table.

The translator builds one sqlglot expression tree per condition; only the constructs
whose spelling (or meaning) differs by dialect come from here. sqlglot's own
transpilation is not trusted for them: it writes ``LENGTH(array)`` for PostgreSQL (no
such function) and an ``ARRAY_LENGTH`` that is NULL for an empty array, so each
construct below is written out per dialect, and each dialect is executed by the tests
(``tests/engines/sql/``).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from sqlglot import exp

from riskprofile.model.shipment import FieldType

__all__ = ["DIALECTS", "Dialect", "DialectName"]

DialectName = Literal["duckdb", "postgres", "spark"]

# Element and table variables are numbered per condition, so that a condition's SQL
# text is always the same (and two conditions never nest).
_NAMES: contextvars.ContextVar[Iterator[int]] = contextvars.ContextVar("sql_variable_names")
_OUTSIDE = itertools.count(1)


def _names() -> Iterator[int]:
    return _NAMES.get(_OUTSIDE)


@contextlib.contextmanager
def naming() -> Iterator[None]:
    """Number the variables made inside from 1."""
    token = _NAMES.set(itertools.count(1))
    try:
        yield
    finally:
        _NAMES.reset(token)


def fn(name: str, *args: exp.Expression) -> exp.Expression:
    """A function call written as given (sqlglot does not rename it per dialect)."""
    return exp.Anonymous(this=name, expressions=list(args))


def lit(value: str | int | float) -> exp.Expression:
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, bool):  # pragma: no cover - booleans go through TRUE/FALSE
        raise TypeError("a boolean literal")
    if value < 0:
        return exp.Neg(this=exp.Literal.number(-value))
    return exp.Literal.number(value)


def paren(e: exp.Expression) -> exp.Expression:
    return (
        e
        if isinstance(e, exp.Paren | exp.Column | exp.Literal | exp.Boolean)
        else exp.Paren(this=e)
    )


@dataclass(frozen=True)
class Dialect:
    """One SQL dialect's spelling of the constructs that differ.

    Attributes:
        name: the dialect's name here (``duckdb``, ``postgres``).
        sqlglot: the sqlglot dialect the tree is rendered with.
    """

    name: DialectName
    sqlglot: str
    _types: dict[str, str] = field(default_factory=dict)

    # -- the shipment table --

    def column_type(self, kind: FieldType) -> str:
        """The SQL type of a shipment-frame column of catalogue type ``kind``."""
        duck = {
            "string": "VARCHAR",
            "integer": "BIGINT",
            "float": "DOUBLE",
            "decimal": "DECIMAL(38, 18)",
            "boolean": "BOOLEAN",
            "date": "TIMESTAMPTZ",
            "datetime": "TIMESTAMPTZ",
            "list[string]": "VARCHAR[]",
        }
        if self.name == "duckdb":
            return duck[kind]
        if self.name == "spark":  # TIMESTAMP is an instant there (with local time zone)
            spark = {"string": "STRING", "date": "TIMESTAMP", "datetime": "TIMESTAMP",
                     "list[string]": "ARRAY<STRING>"}  # fmt: skip
            return spark.get(kind, duck[kind])
        pg = {"string": "TEXT", "float": "DOUBLE PRECISION", "decimal": "NUMERIC(38, 18)",
              "list[string]": "TEXT[]"}  # fmt: skip
        return pg.get(kind, duck[kind])

    # -- numbers --

    def decimal(self, value: str) -> exp.Expression:
        return exp.cast(exp.Literal.string(value), "DECIMAL(38, 18)", dialect=self.sqlglot)

    def double(self, value: float) -> exp.Expression:
        return exp.cast(exp.Literal.string(repr(value)), "DOUBLE", dialect=self.sqlglot)

    def finite(self, e: exp.Expression) -> exp.Expression:
        """True where the double ``e`` is finite (NULL where it is NULL)."""
        if self.name == "duckdb":
            return fn("isfinite", e)
        # PostgreSQL orders NaN above +Infinity.
        return exp.And(
            this=exp.GT(this=e, expression=exp.cast(lit("-Infinity"), "DOUBLE")),
            expression=exp.LT(this=e, expression=exp.cast(lit("Infinity"), "DOUBLE")),
        )

    # -- text --

    def text_order(self, e: exp.Expression) -> exp.Expression:
        """``e`` compared by code point (Python's order) rather than by a locale's."""
        if self.name == "postgres":
            return exp.Collate(this=paren(e), expression=exp.Identifier(this="C", quoted=True))
        return e  # DuckDB compares text by its UTF-8 bytes: code point order

    def text_length(self, e: exp.Expression) -> exp.Expression:
        return fn("length", e)

    def contains_text(self, haystack: exp.Expression, needle: exp.Expression) -> exp.Expression:
        position = "instr" if self.name == "spark" else "strpos"
        return exp.GT(this=fn(position, haystack, needle), expression=lit(0))

    def starts_with(self, e: exp.Expression, prefix: exp.Expression) -> exp.Expression:
        return fn("startswith" if self.name == "spark" else "starts_with", e, prefix)

    def ends_with(self, e: exp.Expression, suffix: exp.Expression) -> exp.Expression:
        if self.name == "duckdb":
            return fn("ends_with", e, suffix)
        if self.name == "spark":
            return fn("endswith", e, suffix)
        return exp.EQ(this=fn("right", e, self.text_length(suffix)), expression=suffix)

    def substring(
        self, e: exp.Expression, start: exp.Expression, length: exp.Expression
    ) -> exp.Expression:
        """Characters from ``start`` (1-based), ``length`` of them."""
        return fn("substring", e, start, length)

    def regex_search(self, e: exp.Expression, pattern: str) -> exp.Expression:
        """Whether ``pattern`` (already written for this dialect) is found in ``e``."""
        if self.name == "duckdb":
            return fn("regexp_matches", e, lit(pattern))
        return exp.RegexpLike(this=e, expression=lit(pattern))  # Spark: RLIKE (a search)

    # -- lists --

    def list_length(self, e: exp.Expression) -> exp.Expression:
        # PostgreSQL's array_length of an empty array is NULL: cardinality is 0.
        return fn({"duckdb": "len", "spark": "size"}.get(self.name, "cardinality"), e)

    def list_distinct_count(self, e: exp.Expression) -> exp.Expression:
        if self.name == "duckdb":
            return fn("len", fn("list_distinct", e))
        if self.name == "spark":
            return fn("size", fn("array_distinct", e))
        x = _variable()
        return exp.Subquery(
            this=exp.select(exp.Count(this=exp.Distinct(expressions=[x]))).from_(_unnest(e, x))
        )

    def list_get(self, e: exp.Expression, index: int) -> exp.Expression:
        """The element at ``index`` (0-based, negative from the end), NULL outside."""
        if self.name == "duckdb":
            at = lit(index + 1 if index >= 0 else index)
            return exp.Bracket(this=paren(e), expressions=[at], offset=1)
        if self.name == "spark":  # element_at raises outside the list (ANSI mode)
            return fn("try_element_at", e, lit(index + 1 if index >= 0 else index))
        position: exp.Expression = lit(index + 1)
        if index < 0:
            position = exp.Add(this=self.list_length(e), expression=lit(index + 1))
        return exp.Bracket(this=paren(e), expressions=[position], offset=1)

    def list_slice(
        self, e: exp.Expression, begin: exp.Expression, size: exp.Expression
    ) -> exp.Expression:
        """``size`` elements from ``begin`` (0-based; both non-negative)."""
        first = exp.Add(this=begin, expression=lit(1))
        last = exp.Add(this=begin, expression=size)
        if self.name == "duckdb":
            return fn("list_slice", e, first, last)
        if self.name == "spark":
            return fn("slice", e, first, size)
        return exp.Bracket(
            this=paren(e), expressions=[exp.Slice(this=first, expression=last)], offset=1
        )

    def list_contains(self, e: exp.Expression, member: exp.Expression) -> exp.Expression:
        if self.name == "duckdb":
            return fn("list_contains", e, member)
        if self.name == "spark":
            return fn("array_contains", e, member)
        return exp.EQ(this=member, expression=exp.Any(this=exp.Paren(this=e)))

    def list_overlaps(self, e: exp.Expression, texts: list[str]) -> exp.Expression:
        """Whether the list ``e`` holds one of ``texts`` (never NULL)."""
        wanted = [lit(t) for t in texts]
        if self.name == "duckdb":
            found = fn("list_has_any", e, exp.Array(expressions=wanted))
        elif self.name == "spark":
            found = fn("arrays_overlap", e, fn("array", *wanted))
        else:
            array = exp.cast(exp.Array(expressions=wanted), "TEXT[]")
            found = exp.ArrayOverlaps(this=e, expression=array)
        return exp.Coalesce(this=found, expressions=[exp.false()])

    def list_has_null(self, e: exp.Expression) -> exp.Expression:
        """Whether the list ``e`` holds a NULL (or is NULL itself): never NULL."""
        x = _variable()
        return exp.Or(
            this=exp.Is(this=e, expression=exp.Null()),
            expression=self.list_any(e, x, exp.Is(this=x, expression=exp.Null())),
        )

    def list_count(self, e: exp.Expression, x: exp.Column, keep: exp.Expression) -> exp.Expression:
        """How many elements ``x`` of ``e`` make ``keep`` true."""
        if self.name == "duckdb":
            return fn("len", fn("list_filter", e, _lambda(x, keep)))
        if self.name == "spark":  # filter keeps the elements where keep is TRUE (not NULL)
            return fn("size", fn("filter", e, _lambda(x, keep)))
        return exp.Subquery(
            this=exp.select(exp.Count(this=exp.Star())).from_(_unnest(e, x)).where(keep)
        )

    def list_any(self, e: exp.Expression, x: exp.Column, test: exp.Expression) -> exp.Expression:
        """Whether some element ``x`` of ``e`` makes ``test`` true (never NULL)."""
        if self.name in ("duckdb", "spark"):
            # (Spark's exists is NULL where test is NULL for some element and TRUE for none.)
            count = self.list_count(e, x, test)
            return exp.GT(this=exp.Coalesce(this=count, expressions=[lit(0)]), expression=lit(0))
        return exp.Exists(this=exp.select(lit(1)).from_(_unnest(e, x)).where(test))


def _variable() -> exp.Column:
    return exp.column(f"_x{next(_names())}")


def new_variable() -> exp.Column:
    """A fresh name for a list element (never a field's name)."""
    return _variable()


def _lambda(x: exp.Column, body: exp.Expression) -> exp.Expression:
    return exp.Lambda(this=body, expressions=[x.this])


def _unnest(e: exp.Expression, x: exp.Column) -> exp.Expression:
    name = f"_u{next(_names())}"
    return exp.Unnest(
        expressions=[e],
        alias=exp.TableAlias(this=exp.to_identifier(name), columns=[x.this]),
    )


DIALECTS: dict[str, Dialect] = {
    "duckdb": Dialect("duckdb", "duckdb"),
    "postgres": Dialect("postgres", "postgres"),
    "spark": Dialect("spark", "spark"),
}
"""The dialects the engine writes, each executed by the tests."""


def unverified_reason(name: str) -> str:
    """Why the engine does not write SQL for the dialect ``name``, one it does not
    support (not in :data:`DIALECTS`): a sqlglot dialect the tests do not execute, such
    as Trino, or no SQL dialect at all."""
    import sqlglot

    supported = ", ".join(DIALECTS)
    try:
        sqlglot.Dialect.get_or_raise(name)
    except ValueError:
        return f"{name!r} is not a SQL dialect (supported: {supported})"
    return (
        f"{name}: not supported - its SQL has never been executed on a real {name} engine "
        "by the tests, and sqlglot writes constructs a dialect lacks without an error "
        "(it wrote invalid Oracle SQL for a list filter), so the text could not be "
        f"trusted (supported, each executed in the tests: {supported}; docs/engines.md)"
    )
