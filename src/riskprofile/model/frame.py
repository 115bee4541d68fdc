"""The shipment frame: shipments as one Polars column per field, as rules see them.

The columnar form of :class:`~riskprofile.model.shipment.Shipment`, and so part of the
data model: the reader (:func:`riskprofile.io.read_frame`) builds it straight from a file,
the columnar engine (:mod:`riskprofile.engines.columnar`, which re-exports these names)
evaluates compiled profiles on it, and neither imports the other. Its
values are those of :func:`riskprofile.profiles._explain.record_of`, the mapping the
row-wise engine evaluates, so that both engines read the same data:

====================  ====================================================================
catalogue type        column dtype
====================  ====================================================================
string                ``String``
integer               ``Int64``
float                 ``Float64``
decimal               ``Decimal(38, 18)`` (exact; a value needing more than 18 decimal
                      places is refused, naming the shipment)
boolean               ``Boolean``
date, datetime        ``Datetime("us", "UTC")`` (a date is midnight UTC, as in rules)
list[string]          ``List(String)`` (never null: empty when there is nothing)
====================  ====================================================================

Columns come in field-catalogue order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any

import polars as pl

from riskprofile.errors import DataError
from riskprofile.model._extra import ExtraType
from riskprofile.model.shipment import FieldType, Shipment, field_catalogue

__all__ = [
    "DECIMAL_SCALE",
    "custom_columns",
    "custom_field_kind",
    "frame_schema",
    "shipment_frame",
    "shipments_of_frame",
]

DECIMAL_SCALE = 18
"""Decimal places kept exactly in decimal columns."""

_DTYPES: dict[FieldType, Any] = {
    "string": pl.String,
    "integer": pl.Int64,
    "float": pl.Float64,
    "decimal": pl.Decimal(38, DECIMAL_SCALE),
    "boolean": pl.Boolean,
    "date": pl.Datetime("us", "UTC"),
    "datetime": pl.Datetime("us", "UTC"),
    "list[string]": pl.List(pl.String),
}


@cache
def _schema() -> tuple[tuple[str, Any], ...]:
    return tuple((spec.name, _DTYPES[spec.type]) for spec in field_catalogue())


def frame_schema() -> pl.Schema:
    """The shipment frame's column names and dtypes, in field-catalogue order."""
    return pl.Schema(list(_schema()))


def _decimal(value: Decimal, shipment_id: str, name: str) -> Decimal:
    exponent = value.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and exponent < -DECIMAL_SCALE
        and value != round(value, DECIMAL_SCALE)
    ):
        raise DataError(
            f"shipment {shipment_id}: {name} = {value} has more than {DECIMAL_SCALE} "
            "decimal places, which the columnar engine cannot hold exactly"
        )
    return value


def _dates(values: list[Any]) -> list[Any]:
    """Dates as midnight UTC (a datetime already one is kept)."""
    return [
        None if v is None
        else v if isinstance(v, dt.datetime)
        else dt.datetime(v.year, v.month, v.day, tzinfo=dt.UTC)
        for v in values
    ]  # fmt: skip


def _datetimes(values: list[Any]) -> list[Any]:
    """Naive datetimes read as UTC, as in rules."""
    return (
        [None if v is None or v.tzinfo else v.replace(tzinfo=dt.UTC) for v in values]
        if any(v is not None and v.tzinfo is None for v in values)
        else values
    )


def _string_lists(name: str, values: list[Any]) -> pl.Series:
    """A column of lists of text, built from one flat column of every item and its row:
    Polars builds a list column from Python lists one inner list at a time, which made
    most of the frame's cost."""
    owner = [row for row, items in enumerate(values) for _ in items]
    flat = [item for items in values for item in items]
    lists = (
        pl.DataFrame(
            {"row": pl.Series(owner, dtype=pl.UInt32), "v": pl.Series(flat, dtype=pl.String)}
        )
        .group_by("row", maintain_order=True)
        .agg("v")
    )
    every = pl.DataFrame({"row": pl.int_range(len(values), dtype=pl.UInt32, eager=True)})
    joined = every.join(lists, on="row", how="left", maintain_order="left")
    return joined["v"].fill_null(pl.lit([], pl.List(pl.String))).alias(name)


def shipment_frame(shipments: Iterable[Shipment]) -> pl.DataFrame:
    """The shipment frame of ``shipments`` (the reference way to build it, from the
    objects; the columnar reader builds the same frame without objects).

    Raises:
        DataError: a decimal needs more than ``DECIMAL_SCALE`` places (naming the first
            such shipment and field, in shipment order).

    >>> from riskprofile.model.shipment import Shipment
    >>> frame = shipment_frame([Shipment(port_of_loading="ECGYE", packages=3)])
    >>> frame.select("port_of_loading", "packages", "hs_codes").row(0)
    ('ECGYE', 3, [])
    """
    specs = [(spec.name, spec.type) for spec in field_catalogue()]
    names = [name for name, _ in specs]
    # One C-level call per shipment gathers its fields; the columns are then made whole.
    every = attrgetter(*names)
    shipments = list(shipments)
    cells = [every(s) for s in shipments]
    by_column = list(zip(*cells, strict=True)) if cells else [() for _ in names]
    columns: dict[str, list[Any] | pl.Series] = {}
    for (name, ftype), column in zip(specs, by_column, strict=True):
        values = list(column)
        if ftype == "float":
            values = [None if v is None else float(v) for v in values]
        elif ftype == "date":
            values = _dates(values)
        elif ftype == "datetime":
            values = _datetimes(values)
        elif ftype == "list[string]":
            columns[name] = _string_lists(name, values)
            continue
        columns[name] = values
    decimals = [i for i, (_, ftype) in enumerate(specs) if ftype == "decimal"]
    ids = names.index("shipment_id")
    # Checked in shipment order, then field order: the first offender is named.
    for row in cells:
        for i in decimals:
            if row[i] is not None:
                _decimal(row[i], row[ids], names[i])
    frame = pl.DataFrame(columns, schema=frame_schema())
    custom = custom_columns(shipments)
    return frame.with_columns(custom) if custom else frame


def custom_columns(shipments: list[Shipment]) -> list[pl.Series]:
    """The shipments' custom fields (``x_<name>``) as columns, sorted by name, after the
    catalogue's: each typed by its values (text ``String``, number ``Float64``, bool
    ``Boolean``, date ``Datetime`` at midnight UTC, list ``List(String)``; ``String`` when
    every value is null). A shipment without the field has null."""
    names = sorted({n for s in shipments if s.__pydantic_extra__ for n in s.__pydantic_extra__})
    out = []
    for name in names:
        values = [(s.__pydantic_extra__ or {}).get(name) for s in shipments]
        first = next((v for v in values if v is not None), None)
        kind = _kind(first)
        for shipment, value in zip(shipments, values, strict=True):
            if value is not None and _kind(value) != kind:
                raise DataError(
                    f"shipment {shipment.shipment_id}: {name} = {value!r} is {_kind(value)}, "
                    f"where another shipment's {name} is {kind}: a column holds one type"
                )
        if isinstance(first, bool):
            out.append(pl.Series(name, values, dtype=pl.Boolean))
        elif isinstance(first, float | int):
            out.append(pl.Series(name, [None if v is None else float(v) for v in values],
                                 dtype=pl.Float64))  # fmt: skip
        elif isinstance(first, dt.date):
            out.append(pl.Series(name, _dates(values), dtype=_DTYPES["date"]))
        elif isinstance(first, list):
            out.append(pl.Series(name, values, dtype=pl.List(pl.String)))
        else:
            out.append(pl.Series(name, values, dtype=pl.String))
    return out


def custom_field_kind(dtype: pl.DataType) -> ExtraType | None:
    """The type (text, number, date, bool, list) of a custom field whose frame column
    has ``dtype`` (String, Float64, UTC Datetime, Boolean, List(String)), or None."""
    if dtype == pl.String:
        return "text"
    if dtype == pl.Float64:
        return "number"
    if dtype == pl.Boolean:
        return "bool"
    if isinstance(dtype, pl.Datetime):
        return "date"
    if isinstance(dtype, pl.List) and dtype.inner == pl.String:
        return "list"
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, float | int):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    return "a list" if isinstance(value, list) else "a text"


def shipments_of_frame(frame: pl.DataFrame) -> list[Shipment]:
    """The shipments a frame holds (the inverse of :func:`shipment_frame`, up to dates
    becoming midnight-UTC datetimes, which :class:`Shipment` turns back into dates)."""
    types = {spec.name: spec.type for spec in field_catalogue()}
    out = []
    for row in frame.iter_rows(named=True):
        values = {}
        for name, value in row.items():
            if name not in types:  # a custom field: dates are midnight UTC in the frame
                value = value.date() if isinstance(value, dt.datetime) else value
            elif value is not None and types[name] == "date":
                value = value.date()
            elif value is not None and types[name] == "decimal":
                value = value.normalize() if value == value.to_integral_value() else value
            values[name] = value
        out.append(Shipment.model_validate(values))
    return out
