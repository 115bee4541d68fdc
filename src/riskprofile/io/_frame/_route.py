"""Routing rows to the model path, and reading them there."""

from __future__ import annotations

import polars as pl

from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame._state import _Call, _ReaderState
from riskprofile.io._frame._values import _VOYAGE, _is_blank
from riskprofile.io._table import TableReader
from riskprofile.model.frame import frame_schema, shipment_frame
from riskprofile.model.shipment import Shipment, flatten


def routed(
    rows: pl.DataFrame,
    calls: dict[int, _Call],
    bills: pl.DataFrame,
    boxes: pl.DataFrame,
    goods: pl.DataFrame,
    strict: bool,
) -> pl.Series:
    """Which rows the model path must read: rows of what the column-wise path does not
    reproduce, with every row of their vessel calls, bills and containers."""
    # Lenient mode reads conflicts column-wise (a flag); strict mode rejects rows for
    # them and for any broken standard, which the model path does.
    bad_calls = [k for k, c in calls.items() if strict and (c.conflict or c.broken)]
    bill_bad = pl.lit(False)
    box_bad = pl.col("_seal_trouble")
    goods_bad = pl.col("_odd")
    if strict:
        bill_bad = pl.col("_conflict") | pl.col("_broken")
        box_bad = box_bad | pl.col("_conflict") | pl.col("_broken")
        goods_bad = goods_bad | pl.col("_broken")
    bad_bills = pl.concat(
        [bills.filter(bill_bad)["_bh"], goods.filter(goods_bad)["_bh"].drop_nulls()]
    ).unique()
    bad_boxes = boxes.filter(box_bad)["_xh"]
    keys = rows.select("_call", "_bh", "_xh", "_huge")
    mask = keys.select(
        (
            pl.col("_call").is_in(pl.Series(bad_calls, dtype=pl.Int64).implode())
            | pl.col("_bh").is_in(bad_bills.implode())
            | pl.col("_xh").is_in(bad_boxes.implode())
        ).fill_null(False)
        | pl.col("_huge")
    ).to_series()
    keys = keys.drop("_huge")
    # The closure: every row of a routed vessel call. A call's flags come from all
    # of its rows (a carrier code that differs between rows is inconsistent on every
    # shipment of the call), so the model path must see the whole call.
    while True:
        routed = keys.filter(mask)
        grown = keys.select(
            (
                pl.col("_call").is_in(routed["_call"].drop_nulls().unique().implode())
                | pl.col("_bh").is_in(routed["_bh"].drop_nulls().unique().implode())
                | pl.col("_xh").is_in(routed["_xh"].drop_nulls().unique().implode())
            ).fill_null(False)
            | pl.lit(mask)
        ).to_series()
        if grown.sum() == mask.sum():
            return mask
        mask = grown


def slow_order(
    kept_rows: pl.DataFrame,
    bills: pl.DataFrame,
    boxes: pl.DataFrame,
    pieces: list[tuple[int, str | None, str | None]],
) -> pl.DataFrame:
    """The sort keys of the shipments the model path made (``pieces``), in the
    column-wise path's order."""
    wanted = pl.DataFrame(
        pieces, schema={"_call": pl.Int64, "_bl": pl.String, "_number": pl.String},
        orient="row",
    ).with_row_index("_i")  # fmt: skip
    pair_first = (
        kept_rows.filter(pl.col("_bh").is_not_null() & pl.col("_xh").is_not_null())
        .group_by("_call", "_bl", "_number")
        .agg(pl.col("_row").min().alias("_pair_row"))
    )
    joined = (
        wanted.join(bills.select("_call", "_bl", "_bill_row"), on=["_call", "_bl"], how="left")
        .join(pair_first, on=["_call", "_bl", "_number"], how="left")
        .join(boxes.select("_call", "_number", "_box_row"), on=["_call", "_number"],
              how="left")
        .sort("_i")
    )  # fmt: skip
    no_bill = pl.col("_bl").is_null()
    return joined.select(
        pl.col("_call").alias("_k0"),
        pl.when(no_bill).then(1).otherwise(0).cast(pl.Int64).alias("_k1"),
        pl.when(no_bill).then(pl.col("_box_row")).otherwise(pl.col("_bill_row"))
        .cast(pl.Int64).alias("_k2"),
        pl.when(no_bill).then(0).otherwise(pl.col("_pair_row").fill_null(-1))
        .cast(pl.Int64).alias("_k3"),
    )  # fmt: skip


class _ModelPath(_ReaderState):
    """The model path, for just the rows routed to it."""

    def _slow_frame(
        self,
        slow_rows: pl.DataFrame,
        calls: dict[int, _Call],
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
    ) -> tuple[pl.DataFrame, list[RejectedRecord], set[int]]:
        if slow_rows.height == 0:
            # The frame of no shipment, from its schema (building it from no objects costs
            # ~10 ms, in every slice).
            keys = dict.fromkeys(("_k0", "_k1", "_k2", "_k3"), pl.Int64)
            return pl.DataFrame(schema={**frame_schema(), **keys}), [], set()
        used = sorted({n for names in self.table.sources.values() for n in names})
        raw = self.raw.select("__line__", *used)
        raw = raw.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row")).join(
            slow_rows.select("_row", "_call"), on="_row", how="semi"
        )
        raw = raw.join(slow_rows.select("_row", "_call"), on="_row").sort("_row")
        # A part of a call gets the call's voyage values (the first non-empty wins), so
        # that it has the call's header.
        for name in _VOYAGE:
            sources = self.table.sources.get(name, ())
            if len(sources) != 1:
                continue
            source = sources[0]
            fill = {k: c.fill[name] for k, c in calls.items() if name in c.fill}
            if not fill:
                continue
            values = raw["_call"].replace_strict(
                pl.Series(list(fill), dtype=pl.Int64),
                pl.Series(list(fill.values()), dtype=pl.String),
                default=None,
                return_dtype=pl.String,
            )
            raw = raw.with_columns(
                pl.when(_is_blank(pl.col(source)))
                .then(pl.lit(values))
                .otherwise(pl.col(source))
                .alias(source)
            )
        reader = TableReader(self.mapping, self.strictness, self.header, self.source)
        for record in raw.select("__line__", *used).iter_rows():
            reader.add(record[0], dict(zip(used, record[1:], strict=True)))
        strict = self.strictness == "strict"
        call_of_key = {c.key: k for k, c in calls.items()}
        pieces: list[tuple[int, str | None, str | None]] = []
        shipments: list[Shipment] = []
        slow_calls: set[int] = set()
        for key, call in reader.calls.items():
            call_id = call_of_key[key]
            for manifest in reader.finish_call(call, strict):
                slow_calls.add(call_id)
                for s in flatten(manifest):
                    shipments.append(s)
                    pieces.append((call_id, s.bl_number, s.container_number))
            reader.note_units(call)
        frame = shipment_frame(shipments)
        # A bill's containers come in the order of its first rows the reader kept.
        kept = slow_rows.filter(
            ~pl.col("_line").is_in(pl.Series(list(reader.problems), dtype=pl.Int64).implode())
        )
        order = slow_order(kept, bills, boxes, pieces)
        rejected = reader.rejected_records()
        return pl.concat([frame, order], how="horizontal"), rejected, slow_calls

    # --- the column-wise path ----------------------------------------------------------
