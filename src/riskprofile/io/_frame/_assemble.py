"""The shipment frame assembled column-wise from the group tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from riskprofile.io._frame._state import _Call
from riskprofile.io._frame._values import (
    _DECIMAL,
    _FLAGS,
    _UTC,
    _compacted,
    _decimal_to_float,
    _flag,
    _flag_list,
    _mask,
    _plus_zero,
    _positions,
    _scattered,
    _sequential_sums,
    _sort_packed,
    _with_default,
)
from riskprofile.io._layout import DECLARATION_COLUMNS
from riskprofile.model.frame import frame_schema
from riskprofile.model.manifest import MAX_GROSS_MASS_KG, MAX_TARE_KG
from riskprofile.model.shared import is_extra_field
from riskprofile.model.shipment import HISTORY_FIELDS, PAYER_ROLES, STOWPLAN_FIELDS


def _goods_per_piece(piece_goods: pl.DataFrame, n_pieces: int) -> pl.DataFrame:
    """The goods columns of each piece (``piece_goods`` is sorted by piece), one row per
    piece in piece order; a piece without goods gets no goods."""
    with_value = pl.col("v_value").is_not_null()
    hs = pl.col("v_hs_code")
    # Values in order, without repeats, per piece.
    listed = {
        "hs_codes": hs,
        "hs_chapters": hs.str.slice(0, 2),
        "hs_headings": hs.str.slice(0, 4),
        "hs_subheadings": hs.str.slice(0, 6),
        "origin_countries": pl.col("v_origin_country"),
        "un_numbers": pl.col("v_un_number"),
        "imdg_classes": pl.col("v_imdg_class"),
        "package_types": pl.col("v_package_type"),
        "value_currencies": pl.when(with_value).then(pl.col("v_currency")),
    }
    # Most pieces have one goods line: their totals are that line's values, with no
    # grouping; the others are aggregated.
    piece = pl.col("_piece")
    alone = piece_goods.select(
        (piece != piece.shift(1)).fill_null(True) & (piece != piece.shift(-1)).fill_null(True)
    ).to_series()
    single, multi = piece_goods.filter(alone), piece_goods.filter(~alone)
    empty = pl.lit([], _FLAGS)
    single_agg = single.select(
        "_piece",
        pl.lit(1, pl.Int64).alias("goods_item_count"),
        # A one-element list, or an empty one for null (a reshape is a view of the
        # values, far cheaper than concat_list or repeat_by).
        *[
            pl.when(e.is_not_null())
            .then(e.reshape((-1, 1)).arr.to_list())
            .otherwise(empty)
            .alias(n)
            for n, e in listed.items()
        ],
        pl.col("v_description").alias("description"),
        pl.col("v_packages").alias("_packages_sum"),
        pl.col("v_packages").is_not_null().alias("_has_packages"),
        (with_value & pl.col("v_currency").is_null()).alias("_value_without_currency"),
        pl.col("v_value").alias("_value_sum"),
        pl.col("_flagged").alias("_goods_flagged"),
        _plus_zero(pl.col("v_gross_weight_kg")).alias("goods_gross_weight_kg"),
        _plus_zero(pl.col("v_net_weight_kg")).alias("goods_net_weight_kg"),
    )
    # The lines' values are made first: expressions evaluated per group are far slower
    # than the same over the column (and the descriptions joined as lists).
    multi_agg = (
        multi.with_columns(
            pl.col("_piece").set_sorted(),
            *[e.alias(f"_line_{n}") for n, e in listed.items()],
            pl.col("v_packages").is_not_null().alias("_line_has_packages"),
            (with_value & pl.col("v_currency").is_null()).alias("_line_without_currency"),
        )
        .group_by("_piece", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("goods_item_count"),
            *[pl.col(f"_line_{n}").drop_nulls().unique(maintain_order=True).alias(n)
              for n in listed],
            pl.col("v_description").drop_nulls().alias("description"),
            pl.col("v_packages").sum().alias("_packages_sum"),
            pl.col("_line_has_packages").any().alias("_has_packages"),
            pl.col("_line_without_currency").any().alias("_value_without_currency"),
            pl.col("v_value").sum().alias("_value_sum"),
            pl.col("_flagged").any().alias("_goods_flagged"),
        )
        .with_columns(pl.col("description").list.join(" | "))
    )  # fmt: skip
    weights = _sequential_sums(
        multi["_piece"],
        multi["v_gross_weight_kg"].alias("goods_gross_weight_kg"),
        multi["v_net_weight_kg"].alias("goods_net_weight_kg"),
    )
    multi_agg = multi_agg.join(weights, on="_piece")
    agg = pl.concat([single_agg, multi_agg.select(single_agg.columns)])
    # Aligned to the pieces: a piece without goods takes the last row, no goods.
    table = _with_default(
        agg.drop("_piece"),
        {"goods_item_count": 0, **{n: [] for n in listed}, "_has_packages": False,
         "_value_without_currency": False, "_goods_flagged": False},
    )  # fmt: skip
    rows = pl.int_range(agg.height, dtype=pl.get_index_type(), eager=True)
    at = _scattered(n_pieces, agg["_piece"], rows).fill_null(agg.height)
    g = table.select(pl.all().gather(at))
    one_currency = (pl.col("value_currencies").list.len() == 1) & ~pl.col("_value_without_currency")
    g = g.with_columns(
        pl.when(pl.col("description") != "").then(pl.col("description")).alias("description"),
        pl.when(pl.col("_has_packages")).then(pl.col("_packages_sum")).cast(pl.Int64)
        .alias("packages"),
        pl.when(one_currency).then(pl.col("_value_sum")).cast(_DECIMAL).alias("declared_value"),
    )  # fmt: skip
    gross = pl.col("goods_gross_weight_kg")
    g = g.with_columns(_decimal_to_float(g["declared_value"]).alias("_value_float"))
    return g.with_columns(
        pl.when(pl.col("declared_value").is_not_null())
        .then(pl.col("value_currencies").list.first()).alias("value_currency"),
        pl.when(pl.col("declared_value").is_not_null() & (gross > 0))
        .then(pl.col("_value_float") / gross)
        .alias("value_per_kg"),
    )  # fmt: skip


class _Blank:
    """One all-null column of each type, shared by every column of the frame that is all
    null. Polars never writes into a column another holds, so they read as separate
    columns. A field whose column the file does not have (a flat file without the
    declarations' eleven columns, say) was gathered into a buffer of nulls of its own:
    some 220 MB at a million shipments, held as long as the frame (through scoring and
    writing). (Polars shares the history and stow-plan fields' nulls already.)"""

    def __init__(self, height: int) -> None:
        self.height = height
        self.made: dict[pl.DataType, pl.Series] = {}

    def null(self, dtype: pl.DataType, name: str) -> pl.Series:
        """The shared all-null column of ``dtype``, named ``name``."""
        if dtype not in self.made:
            self.made[dtype] = pl.repeat(None, self.height, dtype=dtype, eager=True)
        return self.made[dtype].alias(name)

    def shared(self, column: pl.Series) -> pl.Series:
        """``column``, or the shared all-null column of its type (with its name) when it
        is all null."""
        if not self.height or column.len() != self.height:
            return column
        if column.null_count() != self.height:
            return column
        if column.dtype not in self.made:
            self.made[column.dtype] = column
            return column
        return self.made[column.dtype].alias(column.name)


def fast_frame(
    rows: pl.DataFrame,
    calls: dict[int, _Call],
    bills: pl.DataFrame,
    boxes: pl.DataFrame,
    goods: pl.DataFrame,
    grouped_rows: int,
    pieces_done: Callable[[], None] | None = None,
) -> pl.DataFrame:
    """The shipment frame of the rows read column-wise (``rows``, of the slice's
    ``grouped_rows`` rows that belong to a group), from the group tables.
    ``pieces_done`` is called when the shipments (pieces) and their goods are made,
    before the columns are gathered (the read's progress)."""
    # Bills and containers are referred to by their row in ``bills`` and ``boxes``
    # (``_bi``, ``_xi``): gathers by position instead of joins by hash. Only those of
    # these rows are kept (the rows may be a part of the file's).
    idx = pl.get_index_type()
    r = rows.select("_row", "_bh", "_xh")
    if not r["_row"].is_sorted():
        r = r.sort("_row")
    bills, at_bills = _compacted(bills, _positions(r["_bh"], bills["_bh"]))
    boxes, at_boxes = _compacted(boxes, _positions(r["_xh"], boxes["_xh"]))
    nb, nx = bills.height, boxes.height
    r = pl.DataFrame([r["_row"], at_bills.alias("_bi"), at_boxes.alias("_xi")]).rechunk()
    del at_bills, at_boxes
    # (Gathers below read tables of one chunk: see _with_default.)
    bill_ends = bills.select("_call", "_bill_row").rechunk()
    box_ends = boxes.select("_call", "_box_row").rechunk()
    bi, xi = pl.col("_bi"), pl.col("_xi")
    # Pieces: (bill, container) pairs in first-seen order, a bill without containers
    # alone, then containers no bill names. Each row's (bill, container), first seen:
    combo = bi.cast(pl.UInt64).fill_null(nb) * (nx + 1) + xi.cast(pl.UInt64).fill_null(nx)
    combos = r.filter(combo.is_first_distinct())
    pairs = combos.filter(bi.is_not_null() & xi.is_not_null())
    lonely = combos.filter(bi.is_not_null() & xi.is_null())
    lonely = lonely.filter(~_mask(nb, pairs["_bi"]).gather(lonely["_bi"]))
    bare = combos.filter(bi.is_null() & xi.is_not_null())
    bare = bare.filter(~_mask(nx, pairs["_xi"]).gather(bare["_xi"]))
    no_bill = no_box = pl.lit(None, idx)
    pieces = pl.concat(
        [
            pairs.select("_bi", "_xi", pl.col("_row").alias("_k3")),
            lonely.select("_bi", no_box.alias("_xi"), pl.lit(-1, pl.Int64).alias("_k3")),
            bare.select(no_bill.alias("_bi"), "_xi", pl.lit(0, pl.Int64).alias("_k3")),
        ]
    )  # fmt: skip
    at_bill, at_box = pieces["_bi"], pieces["_xi"]
    ends = pl.DataFrame(
        [
            bill_ends["_call"].gather(at_bill).alias("b_call"),
            box_ends["_call"].gather(at_box).alias("x_call"),
            bill_ends["_bill_row"].gather(at_bill).alias("b_row"),
            box_ends["_box_row"].gather(at_box).alias("x_row"),
        ]
    )
    pieces = pl.concat([pieces, ends], how="horizontal").select(
        "_bi", "_xi",
        pl.coalesce("b_call", "x_call").alias("_k0"),
        pl.when(bi.is_null()).then(1).otherwise(0).cast(pl.Int64).alias("_k1"),
        pl.coalesce("b_row", "x_row").alias("_k2"),
        "_k3",
    )  # fmt: skip
    # The model path's order: by call, bills before bare containers, first rows.
    call_ids = pl.Series(sorted(calls), dtype=pl.Int64)
    if pieces.height:
        pieces = pieces.with_columns(call_ids.search_sorted(pieces["_k0"]).alias("_rank"))
        spans = {
            "_rank": call_ids.len() + 1,
            "_k1": 2,
            "_k2": int(pieces["_k2"].max()) + 1,  # type: ignore[arg-type]
            "_k3": int(pieces["_k3"].max()) + 2,  # type: ignore[arg-type]
        }
        pieces = _sort_packed(pieces.with_columns(pl.col("_k3") + 1), spans).with_columns(
            pl.col("_k3") - 1
        )
    else:
        pieces = pieces.with_columns(pl.lit(0, idx).alias("_rank"))
    pieces = pieces.with_row_index("_piece")
    n_pieces = pieces.height
    # A bill's pieces are together (a run): its first piece and how many.
    runs = pieces["_bi"].rle().struct.unnest()
    runs = runs.with_columns(
        (pl.col("len").cum_sum() - pl.col("len")).cast(idx).alias("_start")
    ).filter(pl.col("value").is_not_null())
    bill_start = _scattered(nb, runs["value"], runs["_start"])
    bill_count = _scattered(nb, runs["value"], runs["len"].cast(idx))
    n_boxes = pl.when(bi.is_not_null() & xi.is_not_null()).then(bill_count.gather(pieces["_bi"]))

    # Goods of each piece: its own lines, then the lines the bill shares.
    fast_goods = (
        goods
        if goods.height == 0 or rows.height == grouped_rows
        else goods.join(rows.select("_row"), on="_row", how="semi")
    )
    at_row = r["_row"].search_sorted(fast_goods["_row"])
    lines = pl.DataFrame([r["_bi"].gather(at_row), r["_xi"].gather(at_row)]).with_row_index("_line")
    pair_key = bi.cast(pl.UInt64) * (nx + 1) + xi.cast(pl.UInt64)
    own = (
        lines.filter(xi.is_not_null())
        .select("_line", pair_key.alias("_pk"))
        .join(
            pieces.filter(bi.is_not_null() & xi.is_not_null()).select(
                pair_key.alias("_pk"), "_piece"
            ),
            on="_pk",
            how="left",
            maintain_order="left",
        )
    )
    shared_lines = lines.filter(xi.is_null())
    shared = (
        pl.DataFrame(
            [
                shared_lines["_line"],
                bill_start.gather(shared_lines["_bi"]).alias("_s"),
                bill_count.gather(shared_lines["_bi"]).alias("_n"),
            ]
        )
        .select("_line",
                pl.int_ranges("_s", pl.col("_s") + pl.col("_n"), dtype=idx).alias("_piece"))
        .explode("_piece")
    )  # fmt: skip
    order = pl.concat(
        [
            own.select("_line", "_piece", pl.lit(0, pl.Int8).alias("_shared")),
            shared.select("_line", "_piece", pl.lit(1, pl.Int8).alias("_shared")),
        ]
    )
    order = _sort_packed(order, {"_piece": n_pieces, "_shared": 2, "_line": fast_goods.height})
    goods_cols = ["_row", "v_hs_code", "v_currency", "v_origin_country", "v_un_number",
                  "v_imdg_class", "v_gross_weight_kg",
                  "v_net_weight_kg", "v_packages", "v_value", "v_description",
                  "v_package_type", "_flagged", "_goods_flags"]  # fmt: skip
    piece_goods = pl.concat(
        [
            order.select("_piece", "_shared"),
            fast_goods.select(goods_cols).rechunk().select(pl.all().gather(order["_line"])),
            pieces["_xi"].gather(order["_piece"]).to_frame(),
        ],
        how="horizontal",
    )
    has_shared = _mask(nb, shared_lines["_bi"])
    del r, combos, pairs, lonely, bare, lines, own, shared_lines, shared, order
    pieces = pieces.with_columns(
        n_boxes.cast(pl.Int64).alias("_n_boxes"),
        has_shared.gather(pieces["_bi"]).alias("_has_shared"),
    ).with_columns(
        pl.when(bi.is_null()).then(pl.lit("container"))
        .when(xi.is_null()).then(pl.lit("bill_of_lading"))
        .when(pl.col("_has_shared").fill_null(False) & (pl.col("_n_boxes") > 1))
        .then(pl.lit("bill_of_lading")).otherwise(pl.lit("container")).alias("goods_scope")
    )  # fmt: skip

    goods_agg = _goods_per_piece(piece_goods, n_pieces)
    # Container totals over every piece that holds the container, in piece order
    # (piece_goods is in that order).
    in_boxes = piece_goods.filter(xi.is_not_null())
    box_totals = _sequential_sums(
        in_boxes["_xi"], in_boxes["v_gross_weight_kg"].alias("_box_goods")
    )
    del in_boxes
    # A container's goods weight is known when none of its pieces has its bill's goods
    # (each of these containers has a piece); its bills are its pairs.
    box_known = ~_mask(
        nx, pieces.filter(xi.is_not_null() & (pl.col("goods_scope") == "bill_of_lading"))["_xi"]
    )
    in_pairs = pieces.filter(bi.is_not_null() & xi.is_not_null()).group_by("_xi").len()
    box_bl_count = _scattered(nx, in_pairs["_xi"], in_pairs["len"].cast(pl.Int64)).fill_null(0)
    box_goods = _scattered(nx, box_totals["_xi"], box_totals["_box_goods"])
    if pieces_done is not None:
        pieces_done()
    return assemble(
        pieces, goods_agg, piece_goods, calls, call_ids, bills,
        boxes.with_columns(box_known.alias("_known"), box_bl_count.alias("_bl_count"),
                           box_goods.alias("_box_goods")),
    )  # fmt: skip


def assemble(
    pieces: pl.DataFrame,
    goods: pl.DataFrame,
    piece_goods: pl.DataFrame,
    calls: dict[int, _Call],
    call_ids: pl.Series,
    bills: pl.DataFrame,
    boxes: pl.DataFrame,
) -> pl.DataFrame:
    """The shipment frame: each column gathered once from the table it belongs to,
    finished there (a call, a bill, a container, a piece's goods). Each table has one
    more row, the values of a piece that has no such thing."""
    ids = call_ids.to_list()
    voyage = pl.DataFrame(
        {
            "manifest_ref": [calls[c].manifest.reference for c in ids],
            "vessel_name": [calls[c].manifest.vessel_name for c in ids],
            "vessel_imo": [calls[c].manifest.vessel_imo for c in ids],
            "voyage_number": [calls[c].manifest.voyage_number for c in ids],
            "carrier_scac": [calls[c].manifest.carrier_scac for c in ids],
            "port_of_call": [calls[c].manifest.port_of_call for c in ids],
            "arrival": [calls[c].manifest.arrival for c in ids],
            "_call_flags": [calls[c].flags for c in ids],
        },
        schema={
            "manifest_ref": pl.String, "vessel_name": pl.String,
            "vessel_imo": pl.String, "voyage_number": pl.String, "carrier_scac": pl.String,
            "port_of_call": pl.String, "arrival": _UTC, "_call_flags": _FLAGS,
        },
    )  # fmt: skip
    empty = pl.lit([], _FLAGS)
    nb, nx = bills.height, boxes.height

    # Bills.
    issue = pl.col("v_bl_issue_date")

    def same_party(prefix: str) -> pl.Expr:
        a_id, b_id = pl.col("u_freight_payer_identifier"), pl.col(f"u_{prefix}_identifier")
        a_name, b_name = pl.col("f_freight_payer_name"), pl.col(f"f_{prefix}_name")
        by_name = a_name.is_not_null() & b_name.is_not_null() & (a_name == b_name)
        same = (
            pl.when(a_id.is_not_null() & b_id.is_not_null())
            .then(a_id == b_id)
            .otherwise(by_name.fill_null(False))
        )
        return pl.col(f"p_{prefix}") & same

    payer_role: Any = pl.when(~pl.col("p_freight_payer")).then(None)
    for role, prefix in PAYER_ROLES:  # the model's order: the first party it is
        payer_role = payer_role.when(same_party(prefix)).then(pl.lit(role))
    payer_role = payer_role.otherwise(pl.lit("third_party"))
    bill_arrival = voyage["arrival"].gather(call_ids.search_sorted(bills["_call"]))
    bill_columns: dict[str, pl.Expr] = {
        "bl_number": pl.col("_bl"),
        "master_bl_number": pl.col("v_master_bl_number"),
        "is_house_bl": pl.col("v_master_bl_number").is_not_null(),
        "bl_issue_date": issue.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        "days_bl_to_arrival": (pl.lit(bill_arrival).dt.date() - issue).dt.total_days(),
    }
    for prefix in ("shipper", "consignee", "notify"):
        bill_columns[f"{prefix}_name"] = pl.col(f"f_{prefix}_name")
        bill_columns[f"{prefix}_address"] = pl.col(f"f_{prefix}_address")
        bill_columns[f"{prefix}_country"] = pl.col(f"v_{prefix}_country")
        bill_columns[f"{prefix}_identifier"] = pl.col(f"v_{prefix}_identifier")
        if prefix != "notify":
            bill_columns[f"{prefix}_aeo"] = pl.col(f"v_{prefix}_aeo")
    bill_columns.update(
        {
            "freight_terms": pl.col("v_freight_terms"),
            "freight_payer_name": pl.col("f_freight_payer_name"),
            "freight_payer_role": payer_role,
            "place_of_receipt": pl.col("v_place_of_receipt"),
            "port_of_loading": pl.col("v_port_of_loading"),
            "transshipment_ports": pl.col("v_ts"),
            "transshipment_count": pl.col("v_ts").list.len(),
            "port_of_discharge": pl.col("v_port_of_discharge"),
            "place_of_delivery": pl.col("v_place_of_delivery"),
            "pre_carriage_mode": pl.col("v_pre_carriage_mode"),
            "on_carriage_mode": pl.col("v_on_carriage_mode"),
            "route": pl.col("route"),
            "route_countries": pl.col("route_countries"),
            **{name: pl.col(f"v_{name}") for name in DECLARATION_COLUMNS},
            # For the data-quality flags:
            "_bill_flagged": pl.col("_flagged"),
            "_own_flags": pl.col("_own_flags"),
            "_bill_conflicts": pl.col("_conflicts"),
            "_party_flags": pl.col("_party_flags"),
            "_custom_flags": pl.col("_custom_flags"),
            # Custom fields (riskprofile.io._frame._custom), typed already.
            **{n: pl.col(n) for n in bills.columns if is_extra_field(n)},
        }
    )
    schema = frame_schema()
    bill_table = bills.select(
        (e.cast(schema[n]) if n in schema else e).alias(n) for n, e in bill_columns.items()
    )
    bill_defaults = {
        "is_house_bl": False, "transshipment_ports": [], "transshipment_count": 0,
        "route": [], "route_countries": [], "_bill_flagged": False, "_own_flags": [],
        "_bill_conflicts": [], "_party_flags": [], "_custom_flags": [],
    }  # fmt: skip
    blank = _Blank(pieces.height)

    # Each piece's row in each table; each table is let go once gathered.
    def gathered(
        table: pl.DataFrame, at: pl.Series, default: dict[str, Any] | None = None
    ) -> dict[str, pl.Series]:
        """``table``'s columns at the rows ``at`` (``len(table)`` for the row of
        ``default``, when given). A column all null with no default (a field the file
        has no column for: a flat file without the eleven declaration columns, say) is
        the shared null column: not copied with the default row, nor gathered."""
        empty = [
            c.name for c in table.get_columns()
            if c.null_count() == c.len() and (default is None or c.name not in default)
        ]  # fmt: skip
        rest = table.drop(empty) if empty else table
        if default is not None:
            rest = _with_default(rest, default)
        out = {c.name: c for c in rest.select(pl.all().gather(at)).get_columns()}
        return {n: out[n] if n in out else blank.null(table.schema[n], n) for n in table.columns}

    has_bill, has_box = pieces["_bi"].is_not_null(), pieces["_xi"].is_not_null()
    at_box = pieces["_xi"].fill_null(nx)
    columns = gathered(voyage, pieces["_rank"])
    columns.update(gathered(bill_table, pieces["_bi"].fill_null(nb), bill_defaults))
    del bill_table

    # Containers: what any piece holding one shows, and what only a piece that
    # declares it shows.
    number = pl.col("_number")
    known = pl.col("_known")
    box_table = boxes.select(
        number.alias("container_number"),
        pl.col("t_number").is_null().alias("container_number_valid"),
        pl.when(number.str.len_chars() >= 3)
        .then(number.str.slice(0, 3))
        .alias("container_owner_code"),
        pl.when(known).then(pl.col("_box_goods")).alias("container_goods_weight_kg"),
        pl.col("_bl_count").alias("bl_count_in_container"),
        (pl.col("_bl_count") > 1).alias("is_lcl"),
        pl.col("t_number"),
        pl.col("_equipment"),
        (pl.col("_flagged") | pl.col("t_number").is_not_null()).alias("_box_flagged"),
    )
    box_defaults = {
        "bl_count_in_container": 0, "is_lcl": False, "_equipment": False, "_box_flagged": False
    }  # fmt: skip
    columns.update(gathered(box_table, at_box, box_defaults))
    del box_table
    declared = has_box & (columns["_equipment"] | ~has_bill)
    at_declared = pieces.select(
        pl.when(pl.lit(declared)).then(pl.col("_xi")).otherwise(nx).cast(at_box.dtype)
    ).to_series()
    vgm, tare = pl.col("v_verified_gross_mass_kg"), pl.col("v_tare_kg")
    plausible = (vgm <= MAX_GROSS_MASS_KG) & (tare <= MAX_TARE_KG)
    declared_table = boxes.select(
        pl.lit(True).alias("container_declared"),
        pl.col("v_size").alias("container_size_type"),
        pl.col("v_type").alias("container_type"),
        pl.col("v_length").alias("container_length_ft"),
        pl.col("v_teu").alias("container_teu"),
        pl.col("v_full").alias("container_full"),
        pl.col("v_seal_numbers").list.len().cast(pl.Int64).alias("seal_count"),
        pl.col("v_seal_numbers").alias("seal_numbers"),
        pl.col("v_sealer_types").alias("sealer_types"),
        vgm.alias("verified_gross_mass_kg"),
        tare.alias("tare_kg"),
        pl.col("v_reefer_celsius").alias("container_reefer_celsius"),
        # Null when either mass is implausible (a unit error), as flatten does.
        pl.when(plausible).then(vgm - tare).alias("container_cargo_mass_kg"),
        pl.when(known & plausible)
        .then(vgm - tare - pl.col("_box_goods"))
        .alias("cargo_mass_gap_kg"),
        pl.col("_box_flags"),
    )
    declared_defaults = {
        "container_declared": False, "seal_count": 0, "seal_numbers": [], "sealer_types": [],
        "_box_flags": [],
    }  # fmt: skip
    columns.update(gathered(declared_table, at_declared, declared_defaults))
    del declared_table
    columns.update({c.name: c for c in goods.get_columns()})
    columns["goods_scope"] = pieces["goods_scope"]
    columns["container_count_in_bl"] = pieces["_n_boxes"].fill_null(0)
    columns["shipment_id"] = pl.DataFrame(
        [columns["manifest_ref"], columns["bl_number"], columns["container_number"]]
    ).select(
        pl.concat_str(
            pl.col("manifest_ref"), pl.lit("/"), pl.col("bl_number").fill_null("-"),
            pl.lit("/"), pl.col("container_number").fill_null("-"),
        )
    ).to_series()  # fmt: skip

    # Data-quality flags, in the model path's order (made only where there are any).
    flag_sources = pl.DataFrame(
        [
            pieces["_piece"], has_bill.alias("_has_bill"), has_box.alias("_has_box"),
            declared.alias("_declared"),
            *[columns[n] for n in ("_call_flags", "_bill_flagged", "_own_flags",
              "_bill_conflicts", "_custom_flags", "_party_flags", "_goods_flagged",
              "_box_flagged", "t_number", "_box_flags")],
        ]
    )  # fmt: skip
    with_flags = flag_sources.filter(
        (pl.col("_call_flags").list.len() > 0)
        | pl.col("_bill_flagged")
        | pl.col("_goods_flagged")
        | pl.col("_box_flagged")
    )
    goods_flags = (
        piece_goods.filter(pl.col("_flagged"))
        .join(with_flags.select("_piece"), on="_piece", how="semi", maintain_order="left")
        .group_by("_piece", maintain_order=True)
        .agg(
            pl.col("_goods_flags")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .alias("_gflags")
        )
    )
    number_flag = _flag_list([_flag("container_number", pl.col("t_number"))])
    has_bill_, declared_ = pl.col("_has_bill"), pl.col("_declared")
    flagged = with_flags.join(goods_flags, on="_piece", how="left", maintain_order="left").select(
        "_piece",
        pl.concat_list(
            pl.col("_call_flags"),
            pl.col("_own_flags"),
            pl.col("_bill_conflicts"),
            pl.col("_custom_flags"),
            # The B/L's own check of its container numbers comes last: the reader
            # gives it the numbers after validating it.
            pl.when(has_bill_).then(number_flag).otherwise(empty),
            pl.col("_party_flags"),
            pl.col("_gflags").fill_null(empty),
            pl.col("_box_flags"),
            pl.when(pl.col("_has_box") & ~declared_).then(number_flag).otherwise(empty),
        )
        .list.unique(maintain_order=True)
        .alias("quality_flags"),
    )
    flags_table = _with_default(flagged.select("quality_flags"), {"quality_flags": []})
    at_flags = _scattered(
        pieces.height,
        flagged["_piece"],
        pl.int_range(flagged.height, dtype=pl.get_index_type(), eager=True),
    ).fill_null(flagged.height)
    flags = flags_table["quality_flags"].gather(at_flags)
    columns["quality_flags"] = flags
    columns["quality_flag_count"] = flags.list.len()
    # History and stow-plan fields come from a store or a plan, never from the file: null
    # here (lists empty, as lists never are null).
    columns.update(
        {n: pl.repeat(None, pieces.height, dtype=schema[n], eager=True) for n in HISTORY_FIELDS}
    )
    columns.update(
        {
            n: pl.repeat([] if schema[n] == pl.List(pl.String) else None, pieces.height,
                         dtype=schema[n], eager=True)
            for n in STOWPLAN_FIELDS
        }
    )  # fmt: skip
    out = [
        blank.shared(
            columns[name].alias(name)
            if columns[name].dtype == dtype
            else columns[name].cast(dtype).alias(name)
        )
        for name, dtype in schema.items()
    ]
    custom = [columns[n] for n in sorted(columns) if is_extra_field(n)]
    keys = [pieces[k].cast(pl.Int64) for k in ("_k0", "_k1", "_k2", "_k3")]
    return pl.DataFrame([*out, *custom, *keys])
