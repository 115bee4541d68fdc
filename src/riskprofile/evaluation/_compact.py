"""Tables of a large history held in the memory their values need: a column of one value
in every row (every cell empty, most often) kept as that value, not as a cell per row.

A text column is held by Polars as a 16-byte view per row, whether the row has text or
nothing: a column the file does not give (the shipment frame's ``shipper_name`` of a
declaration export, an outcome file's ``category``) costs 16 bytes a row, and its size
estimate (``estimated_size``) says 0. A history of ten million declarations read for the
columns :func:`~riskprofile.evaluation.suggest` reads had five such columns, and its
outcomes eight: some 2 GiB of views of nothing. Polars keeps a literal column (one value,
a length) without a row each, and filters, joins, gathers and concatenations keep it so.

Text of repeated values (a manifest, a trader, an office, a port; an HS code or an origin
as a list's item) is held as a categorical: 4 bytes a row (or item) and each distinct
value once, where text takes a 16-byte view a row (an item's view and its 8-byte offset
a list row) and the text itself when longer than 12 bytes. A history of a million
declarations read for the method's columns holds its buffers in 154 MiB so, 293 MiB as
text (``docs/performance.md``). The text of one value a row (``shipment_id``,
``bl_number``, ``container_number``: the units' keys) stays text: a categorical would
hold every value once more in its categories.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

__all__ = [
    "DERIVED",
    "TEXT_OF_ONE_ROW",
    "as_text",
    "compact_history",
    "literal_constants",
    "text_columns",
]


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
    if dtype == pl.String or dtype == pl.Boolean or isinstance(dtype, pl.Categorical):
        return True
    return isinstance(dtype, pl.DataType) and (dtype.is_integer() or dtype.is_temporal())


def _one_value(column: pl.Series) -> bool:
    """Whether every cell of ``column`` (no null among them) holds the same value."""
    try:
        return column.n_unique() == 1
    except pl.exceptions.PolarsError:  # a type Polars cannot hash: kept as it is
        return False


TEXT_OF_ONE_ROW = frozenset({"shipment_id", "bl_number", "container_number"})
"""Text columns of the shipment frame whose values are (nearly) one a row: kept as text
by :func:`compact_history`."""

DERIVED = "_compact_derived"
"""The column :func:`compact_history` adds: whether the row's derived columns
(:func:`_derivations`) were left out, to be made again from the others."""


def _derivations(names: Collection[str]) -> dict[str, pl.Expr]:
    """The columns among ``names`` that the reader makes from others, as it makes them,
    read from text or categoricals alike: ``shipment_id`` (manifest, B/L, container) and
    the HS chapters, headings and subheadings (the codes' first 2, 4 and 6 characters, in
    order, without repeats)."""
    out: dict[str, pl.Expr] = {}
    if {"shipment_id", "manifest_ref", "bl_number", "container_number"} <= set(names):
        out["shipment_id"] = pl.concat_str(
            pl.col("manifest_ref").cast(pl.String), pl.lit("/"),
            pl.col("bl_number").cast(pl.String).fill_null("-"), pl.lit("/"),
            pl.col("container_number").cast(pl.String).fill_null("-"),
        )  # fmt: skip
    if "hs_codes" in names:
        codes = pl.col("hs_codes").cast(pl.List(pl.String))
        for name, width in (("hs_chapters", 2), ("hs_headings", 4), ("hs_subheadings", 6)):
            if name in names:
                out[name] = codes.list.eval(pl.element().str.slice(0, width)).list.unique(
                    maintain_order=True
                )
    return out


def _categorical(dtype: object) -> object | None:
    """``dtype`` with its text as categoricals (a list's items likewise); None when it
    holds no text."""
    if dtype == pl.String:
        return pl.Categorical()
    if isinstance(dtype, pl.List) and dtype.inner == pl.String:
        return pl.List(pl.Categorical())
    return None


def compact_history(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its text columns (and lists of text) as categoricals, but for the
    text of one value a row (:data:`TEXT_OF_ONE_ROW`), and the columns made from others
    (``shipment_id``; the HS chapters, headings and subheadings) left out (null) in the
    rows where they are as the reader makes them (:data:`DERIVED` says which rows; a row
    whose ``shipment_id`` its unit key reads, without a B/L number, keeps them): the same
    values in less memory. Every frame of the same columns gets the same schema (slices
    of a read concatenate), and a frame it made comes back as it is. :func:`as_text`
    gives the frame it was given; :func:`text_columns` reads its columns so in a query.

    >>> frame = pl.DataFrame({"bl_number": ["B1", "B2"], "port": ["PKKHI", "PKKHI"],
    ...                       "codes": [["8703"], ["8703", "8704"]]})
    >>> compact = compact_history(frame)
    >>> [str(t) for t in compact.dtypes]
    ['String', 'Categorical', 'List(Categorical)']
    >>> as_text(compact).equals(frame)
    True
    """
    if DERIVED in frame.columns:
        return frame
    derived = _derivations(frame.columns)
    if derived:
        made = [pl.col(name).eq_missing(expression) for name, expression in derived.items()]
        if "shipment_id" in derived:  # the unit key of a row without a B/L number reads it
            bl = pl.col("bl_number")
            made.append(bl.is_not_null() & (bl != ""))
        marker = frame.select(pl.all_horizontal(made).alias(DERIVED)).to_series()
        frame = frame.with_columns(
            *(pl.when(marker).then(None).otherwise(pl.col(name)).alias(name) for name in derived),
            marker,
        )
    casts = {
        name: dtype
        for name, dtype in ((n, _categorical(t)) for n, t in frame.schema.items())
        if dtype is not None and name not in TEXT_OF_ONE_ROW
    }
    return frame.cast(casts) if casts else frame  # type: ignore[arg-type]


def _textual(dtype: object) -> object | None:
    if isinstance(dtype, pl.Categorical):
        return pl.String
    if isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Categorical):
        return pl.List(pl.String)
    return None


def text_columns(frame: pl.LazyFrame | pl.DataFrame) -> list[pl.Expr]:
    """Expressions that read ``frame``'s columns as :func:`compact_history` was given
    them, named as they are: categoricals (and lists of them) as text, the columns it
    left out made again (for ``with_columns`` where text functions read them)."""
    schema = frame.collect_schema()
    exprs = {
        name: pl.col(name).cast(dtype)  # type: ignore[arg-type]
        for name, dtype in ((n, _textual(t)) for n, t in schema.items())
        if dtype is not None
    }
    if DERIVED in schema:
        for name, expression in _derivations(schema.names()).items():
            kept = exprs.get(name, pl.col(name))
            exprs[name] = pl.when(pl.col(DERIVED)).then(expression).otherwise(kept).alias(name)
    return list(exprs.values())


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` as :func:`compact_history` was given it (the same values, text as text,
    the columns it left out made again)."""
    exprs = text_columns(frame)
    if exprs:
        frame = frame.with_columns(exprs)
    return frame.drop(DERIVED) if DERIVED in frame.columns else frame
