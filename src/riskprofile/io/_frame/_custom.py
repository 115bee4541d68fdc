"""Custom fields (a column mapping's ``extra:``) read column-wise.

A custom field belongs to the bill of lading: the bill table carries each one's merged
cell (the first non-empty cell as given, :meth:`TableReader.add`), which is typed here by
the model path's own :func:`~riskprofile.model._extra.parse_extra_cell`, once per distinct
cell. The shipment frame has one column per custom field that some shipment holds, after
the catalogue's, sorted by name (:func:`~riskprofile.model.frame.custom_columns`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from riskprofile.io._layout import ColumnMapping
from riskprofile.io._table import custom_cell
from riskprofile.model.frame import frame_schema
from riskprofile.model.shared import EXTRA_PREFIX, ExtraColumn, ExtraType, parse_extra_cell

__all__ = ["custom_values", "with_custom_columns", "without_empty_custom"]

_DTYPES: dict[ExtraType, pl.DataType] = {
    "text": pl.String(),
    "number": pl.Float64(),
    "date": pl.Datetime("us", "UTC"),
    "bool": pl.Boolean(),
    "list": pl.List(pl.String),
}
_FLAGS = pl.List(pl.String)


def custom_values(bills: pl.DataFrame, mapping: ColumnMapping) -> pl.DataFrame:
    """``bills`` with each custom field's merged cell (column ``x_<name>``) replaced by
    its typed value, and ``_custom_flags``: the ``x_<name>:invalid_value`` flags of the
    cells the type cannot hold, in the mapping's order (as ``TableReader._custom_fields``
    makes them)."""
    if not mapping.extra:
        return bills.with_columns(pl.lit([], _FLAGS).alias("_custom_flags"))
    values: list[pl.Series] = []
    problems: list[pl.Series] = []
    for custom in mapping.extra:
        typed, problem = _typed(bills[custom.field], custom, mapping)
        values.append(typed)
        problems.append(problem.alias(f"_p{len(problems)}"))
    flag_list = pl.DataFrame(problems).select(
        pl.concat_list(
            pl.when(pl.col(f"_p{i}")).then(pl.lit([f"{c.field}:invalid_value"], _FLAGS))
            .otherwise(pl.lit([], _FLAGS))
            for i, c in enumerate(mapping.extra)
        ).alias("_custom_flags")
    )["_custom_flags"]  # fmt: skip
    return bills.with_columns(*values, flag_list)


def _typed(
    cells: pl.Series, custom: ExtraColumn, mapping: ColumnMapping
) -> tuple[pl.Series, pl.Series]:
    """The custom field's value of each cell and whether the cell is one its type
    cannot hold: the model's verdict, once per distinct cell."""
    dtype = _DTYPES[custom.type]
    distinct = cells.drop_nulls().unique(maintain_order=True)
    parsed = [
        parse_extra_cell(
            custom,
            custom_cell(cell),
            list_separator=mapping.list_separator,
            decimal_comma=mapping.decimal_comma,
            date_format=mapping.date_format,
        )
        for cell in distinct.to_list()
    ]
    found = [value for value, _ in parsed]
    if custom.type == "date":
        # Midnight UTC, as the frame holds the catalogue's dates.
        found = [None if d is None else dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)
                 for d in found]  # fmt: skip
    table = pl.DataFrame(
        [
            distinct.alias("_cell"),
            pl.Series("_value", found, dtype=dtype),
            pl.Series("_problem", [p is not None for _, p in parsed], dtype=pl.Boolean),
        ]
    )
    joined = cells.alias("_cell").to_frame().join(table, on="_cell", how="left",
                                                  maintain_order="left")  # fmt: skip
    return (
        joined["_value"].alias(custom.field),
        joined["_problem"].fill_null(False).alias(custom.field),
    )


def with_custom_columns(frame: pl.DataFrame, extra: tuple[ExtraColumn, ...]) -> pl.DataFrame:
    """``frame`` with a column for every custom field of the mapping (null where it has
    none), typed by the mapping, in the catalogue's order then the custom fields sorted by
    name, then whatever else it holds (sort keys): so that a slice's parts, and the
    slices, concatenate."""
    if not extra:
        return frame
    catalogue = list(frame_schema())
    custom = sorted(c.field for c in extra)
    kinds = {c.field: c.type for c in extra}
    added = [
        (pl.col(n).cast(_DTYPES[kinds[n]]) if n in frame.columns
         else pl.lit(None, _DTYPES[kinds[n]])).alias(n)
        for n in custom
    ]  # fmt: skip
    rest = [c for c in frame.columns if c not in catalogue and c not in kinds]
    return frame.with_columns(added).select(*catalogue, *custom, *rest)


def without_empty_custom(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without the custom fields no shipment holds: as
    :func:`~riskprofile.model.frame.custom_columns` makes a column only for a field some
    shipment has."""
    empty = [
        n for n in frame.columns
        if n.startswith(EXTRA_PREFIX) and frame[n].null_count() == frame.height
    ]  # fmt: skip
    return frame.drop(empty) if empty else frame
