"""Tables of a large history held in the memory their values need: a column of one value
in every row (every cell empty, most often) kept as that value, not as a cell per row.

A text column is held by Polars as a 16-byte view per row, whether the row has text or
nothing: a column the file does not give (the shipment frame's ``shipper_name`` of a
declaration export, an outcome file's ``category``) costs 16 bytes a row, and its size
estimate (``estimated_size``) says 0. A history of ten million declarations read for the
columns :func:`~riskprofile.evaluation.suggest` reads had five such columns, and its
outcomes eight: some 2 GiB of views of nothing. Polars keeps a literal column (one value,
a length) without a row each, and filters, joins, gathers and concatenations keep it so.
"""

from __future__ import annotations

import polars as pl

__all__ = ["literal_constants"]


def literal_constants(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each column that holds one value in every row (None included) as a
    literal of that value: the same values and schema, without a cell per row.

    >>> frame = pl.DataFrame({"a": [1, 2], "b": [None, None], "c": ["x", "x"]},
    ...                      schema={"a": pl.Int64, "b": pl.String, "c": pl.String})
    >>> compact = literal_constants(frame)
    >>> compact.equals(frame), compact.schema == frame.schema
    (True, True)
    """
    if frame.height < 2:
        return frame
    constant = [
        name
        for name, column in frame.to_dict().items()
        if column.null_count() == frame.height
        or (_exact(column.dtype) and not column.has_nulls() and _one_value(column))
    ]
    if not constant:
        return frame
    return frame.with_columns(
        pl.lit(frame.get_column(name).head(1)).first().alias(name) for name in constant
    )


def _exact(dtype: object) -> bool:
    """Whether two values of ``dtype`` that hash alike are the same value (not so for
    floats: 0.0 and -0.0, NaNs)."""
    if isinstance(dtype, pl.List):
        return _exact(dtype.inner)
    if dtype == pl.String or dtype == pl.Boolean:
        return True
    return isinstance(dtype, pl.DataType) and (dtype.is_integer() or dtype.is_temporal())


def _one_value(column: pl.Series) -> bool:
    """Whether every cell of ``column`` (no null among them) holds the same value."""
    try:
        return column.n_unique() == 1
    except pl.exceptions.PolarsError:  # a type Polars cannot hash: kept as it is
        return False
