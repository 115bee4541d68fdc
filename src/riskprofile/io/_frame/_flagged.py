"""Where the flags of a batch read column-wise are: the model path on the flagged units.

``data check --flags`` lists each data-quality flag with its record, container, column
and value (:func:`riskprofile.io._flags.flag_records`), which only the models know. The
frame says which shipments carry a flag; :func:`flagged_manifests` reads through the
model path only the records of their bills of lading and containers (every record of
each, so that each group is read whole, as the reference reader reads it), each vessel
call given its voyage cells as :mod:`~riskprofile.io._frame._route` gives a part of a
call. A flag on a vessel call is on every shipment of the call, so such a call is read
whole.

It answers None (the caller reads the whole file through the model path) where it could
differ: strict mode, JSON, a file read through the model path, or a part whose flagged
shipments are not exactly the frame's.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from riskprofile.io._frame._load import _load_csv, _load_parquet, _UnreadableError
from riskprofile.io._frame._reader import _Reader
from riskprofile.io._frame._result import FrameBatch
from riskprofile.io._frame._values import _VOYAGE, _is_blank
from riskprofile.io._layout import ColumnMapping
from riskprofile.io._table import TableReader
from riskprofile.io._tabular import table_mapping
from riskprofile.model.manifest import Manifest
from riskprofile.model.shipment import flatten

__all__ = ["flagged_manifests"]


def flagged_manifests(
    batch: FrameBatch, mapping: ColumnMapping | str | Path | None = None
) -> tuple[TableReader, list[Manifest]] | None:
    """The manifests the model path reads from the records of ``batch``'s flagged units
    (in the reference reader's order), and the reader that read them (where each flag
    came from); None when that could differ from reading the whole file."""
    if batch.strictness != "lenient" or batch.fallback is not None:
        return None
    if batch.format not in ("csv", "parquet"):
        return None
    path = Path(batch.source)
    resolved = ColumnMapping.of(mapping)
    if batch.format == "csv":
        resolved = table_mapping(path, resolved)
    loaded = _load_csv(path, resolved) if batch.format == "csv" else _load_parquet(path)
    if isinstance(loaded, str):
        return None
    table = TableReader(resolved, "lenient", loaded.header, str(path))
    flagged = batch.frame.filter(pl.col("quality_flag_count") > 0)
    if flagged.height == 0:
        return table, []
    reader = _Reader(path, batch.format, resolved, "lenient", table, loaded)
    try:
        reader.raw = loaded.rows(0, loaded.height)
    except _UnreadableError:
        return None
    rows = reader._ids(reader._rows())
    calls = reader._calls(rows)
    bls = flagged.get_column("bl_number").drop_nulls().unique().implode()
    numbers = flagged.get_column("container_number").drop_nulls().unique().implode()
    keys = rows.select("_row", "_call", "_bh", "_xh")
    mask = rows.select(
        (pl.col("_bl").is_in(bls) | pl.col("_number").is_in(numbers)).fill_null(False)
        & ~pl.col("_lone")
    ).to_series()
    # Every record of each bill of lading and container the part holds.
    while True:
        held = keys.filter(mask)
        grown = keys.select(
            (
                pl.col("_bh").is_in(held["_bh"].drop_nulls().unique().implode())
                | pl.col("_xh").is_in(held["_xh"].drop_nulls().unique().implode())
            ).fill_null(False)
            | pl.lit(mask)
        ).to_series()
        if grown.sum() == mask.sum():
            break
        mask = grown
    part = rows.filter(mask)
    used = sorted({n for names in table.sources.values() for n in names})
    raw = reader.raw.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
    raw = raw.join(part.select("_row", "_call"), on="_row").sort("_row")
    # A part of a call gets the call's voyage cells (the first non-empty of each). A call
    # read whole keeps its own: the record that gave a voyage cell is where its flag is.
    in_call = rows.filter(~pl.col("_lone")).group_by("_call").len()
    in_part = part.group_by("_call").len()
    whole = set(in_call.join(in_part, on=["_call", "len"]).get_column("_call").to_list())
    for name in _VOYAGE:
        sources = table.sources.get(name, ())
        fill = {k: c.fill[name] for k, c in calls.items() if name in c.fill and k not in whole}
        if len(sources) != 1 or not fill:
            continue
        values = raw["_call"].replace_strict(
            pl.Series(list(fill), dtype=pl.Int64),
            pl.Series(list(fill.values()), dtype=pl.String),
            default=None,
            return_dtype=pl.String,
        )
        raw = raw.with_columns(
            pl.when(_is_blank(pl.col(sources[0])))
            .then(pl.lit(values))
            .otherwise(pl.col(sources[0]))
            .alias(sources[0])
        )
    for record in raw.select("__line__", *used).iter_rows():
        table.add(record[0], dict(zip(used, record[1:], strict=True)))
    # In the reference reader's order: vessel calls by their first record in the file.
    first_row = {c.key: k for k, c in calls.items()}
    manifests = [
        manifest
        for key, call in sorted(table.calls.items(), key=lambda kv: first_row[kv[0]])
        for manifest in table.finish_call(call, False)
    ]
    # The part's flagged shipments must be the frame's, flag for flag.
    mine = sorted(
        (s.shipment_id, tuple(s.quality_flags))
        for m in manifests
        for s in flatten(m)
        if s.quality_flags
    )
    theirs = sorted(
        (shipment_id, tuple(flags))
        for shipment_id, flags in flagged.select("shipment_id", "quality_flags").iter_rows()
    )
    return (table, manifests) if mine == theirs else None
