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
from typing import Any

import polars as pl

from riskprofile.errors import DataError
from riskprofile.model.shipment import FieldType, Shipment, field_catalogue

__all__ = ["DECIMAL_SCALE", "frame_schema", "shipment_frame", "shipments_of_frame"]

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


def _cell(value: Any, ftype: FieldType, shipment_id: str, name: str) -> Any:
    if value is None:
        return None
    if ftype == "date" and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if ftype == "datetime":
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if ftype == "decimal":
        return _decimal(value, shipment_id, name)
    if ftype == "float":
        return float(value)
    return value


def shipment_frame(shipments: Iterable[Shipment]) -> pl.DataFrame:
    """The shipment frame of ``shipments`` (the reference way to build it, one object at a
    time; the columnar reader builds the same frame without objects).

    >>> from riskprofile.model.shipment import Shipment
    >>> frame = shipment_frame([Shipment(port_of_loading="ECGYE", packages=3)])
    >>> frame.select("port_of_loading", "packages", "hs_codes").row(0)
    ('ECGYE', 3, [])
    """
    specs = [(spec.name, spec.type) for spec in field_catalogue()]
    columns: dict[str, list[Any]] = {name: [] for name, _ in specs}
    for shipment in shipments:
        sid = shipment.shipment_id
        for name, ftype in specs:
            columns[name].append(_cell(getattr(shipment, name), ftype, sid, name))
    return pl.DataFrame(columns, schema=frame_schema())


def shipments_of_frame(frame: pl.DataFrame) -> list[Shipment]:
    """The shipments a frame holds (the inverse of :func:`shipment_frame`, up to dates
    becoming midnight-UTC datetimes, which :class:`Shipment` turns back into dates)."""
    types = {spec.name: spec.type for spec in field_catalogue()}
    out = []
    for row in frame.iter_rows(named=True):
        values = {}
        for name, value in row.items():
            if value is not None and types[name] == "date":
                value = value.date()
            elif value is not None and types[name] == "decimal":
                value = value.normalize() if value == value.to_integral_value() else value
            values[name] = value
        out.append(Shipment.model_validate(values))
    return out
