"""The column-wise CUSCAR reader's rows: the records laid out as the flat layout's rows,
with the checks that route what the flat layout would say otherwise (see
:mod:`._columns`)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from riskprofile.io._frame.shared import PY_WHITESPACE, iso6346_problem
from riskprofile.io._layout import COLUMNS
from riskprofile.io.edifact._cutting import _State
from riskprofile.io.edifact._fields import _NAMES, _Columns
from riskprofile.io.edifact._selected import _SEP
from riskprofile.model.codes import normalise_container_number
from riskprofile.model.manifest import KEY_PARTIES
from riskprofile.model.shared import MAX_TEXT_CHARS

# The longest text a cell may hold and stay plain (as for JSON documents read so).
_LONGEST = MAX_TEXT_CHARS // 10


# A character ``str.strip`` removes (a regex class).
_BLANK = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"


def _padded_or_long(column: str) -> pl.Expr:
    """Text the flat layout would read otherwise: blanks around it (a first or last
    character that stripping removes: tested, not a stripped copy of every cell made), or
    too long (``""``: the list element being evaluated)."""
    value = pl.col(column) if column else pl.element()
    return value.str.contains(f"^{_BLANK}|{_BLANK}$") | (value.str.len_chars() > _LONGEST)


@dataclass
class _Laid:
    """The flat rows of every message (``unit``, ``bill``: the B/L's id or null), the
    containers each B/L names (``unit``, ``bill``, ``container_number``), the declared
    containers (``unit``, ``id``, ``container_number``, ``at``) and the B/Ls (``unit``,
    ``id``, ``at``)."""

    rows: pl.DataFrame
    listed: pl.DataFrame
    boxes: pl.DataFrame
    bills: pl.DataFrame


def _assemble(columns: _Columns, frame: pl.DataFrame) -> _Laid:
    """The flat layout's rows of every message (routed ones included; dropped later)."""
    read = columns.sections(frame, ["manifest", "containers", "consignments", "goods"])
    voyage, boxes = read["manifest"], read["containers"]
    bills, goods = read["consignments"], read["goods"]
    for name in ("container_number",):
        if name not in goods.columns:
            goods = goods.with_columns(pl.lit(None, pl.List(pl.String)).alias(name))
    # --- plain-text rules on every cell ---------------------------------------------------
    sections = ("manifest", "containers", "consignments", "goods")
    for scope, table in zip(sections, (voyage, boxes, bills, goods), strict=True):
        checks = [
            _padded_or_long(column).fill_null(False)
            for column in table.columns
            if table.schema[column] == pl.String
        ]
        checks += [
            pl.col(column).list.eval(_padded_or_long("")).list.any().fill_null(False)
            for column in table.columns
            if table.schema[column] == pl.List(pl.String)
        ]
        if checks:
            columns.route_where(table, pl.any_horizontal(checks), "a padded or long text", scope)
    # --- containers: keyed by their normalised number --------------------------------------
    if "number" not in boxes.columns:
        boxes = boxes.with_columns(pl.lit(None, pl.String).alias("number"))
    columns.route_where(
        boxes, pl.col("number").is_null(), "a container without a number", "containers"
    )
    boxes = boxes.with_columns(_normalised(boxes.get_column("number")).alias("container_number"))
    columns.route_where(
        boxes,
        pl.struct("unit", "container_number").is_duplicated(),
        "a container declared twice",
        "containers",
    )
    box_cells = {
        "size_type": "container_size_type",
        "full": "container_full",
        "verified_gross_mass_kg": "verified_gross_mass_kg",
        "tare_kg": "tare_kg",
        "reefer_celsius": "container_reefer_celsius",
        "seal_numbers": "seal_numbers",
        "seal_sealers": "seal_sealers",
    }
    for source in box_cells:
        if source not in boxes.columns:
            boxes = boxes.with_columns(pl.lit(None, pl.String).alias(source))
    boxes = boxes.rename({k: v for k, v in box_cells.items() if k != v})
    box_columns = list(dict.fromkeys(box_cells.values()))
    boxes = boxes.with_columns(
        pl.any_horizontal(pl.col(c).is_not_null() for c in box_columns).alias("equipped")
    )
    # --- goods lines and the containers they link -----------------------------------------
    goods_names = [c.name for c in COLUMNS if c.group == "goods"]
    for name in goods_names:
        if name not in goods.columns:
            goods = goods.with_columns(pl.lit(None, pl.String).alias(name))
    goods_depth = columns.records(frame, "goods").depth
    goods_path = columns.records(frame, "goods").path
    if goods_depth:
        # _has_data: a GID with elements, any other segment of the line, any sub-group.
        occ = pl.col(f"occ{goods_depth}")
        # One lazy query: the segment column is not copied for the goods lines' part.
        names = tuple(goods_path.split("/"))

        def line(s: _State) -> bool:  # a segment of a goods line or of its sub-groups
            return s.names[:goods_depth] == names

        def data_alone(s: _State) -> bool:  # data whatever its elements
            return line(s) and (len(s.names) > goods_depth or s.tag not in ("GID", "SGP"))

        data = (
            frame.lazy()
            .select("state", "raw", occ)
            .filter(
                columns.where(data_alone)
                | (
                    columns.where(lambda s: line(s) and s.names == names and s.tag == "GID")
                    & pl.col("raw").str.contains(columns.cut.service.element, literal=True)
                )
            )
            .select(occ.alias("id"))
            .unique()
            .collect()
        )
        goods = goods.join(data.with_columns(pl.lit(True).alias("data")), on="id", how="left")
    else:
        goods = goods.with_columns(pl.lit(None, pl.Boolean).alias("data"))
    goods = goods.with_columns(
        pl.col("container_number").fill_null(pl.lit([], pl.List(pl.String))).alias("linked"),
        pl.col("data").fill_null(False),
    )
    flat = goods.select("id", "linked").explode("linked")
    flat = flat.with_columns(_normalised(flat.get_column("linked")).alias("linked_norm"))
    normal = flat.group_by("id").agg(pl.col("linked_norm").drop_nulls())
    goods = goods.join(normal, on="id", how="left", maintain_order="left").with_columns(
        pl.col("linked_norm").fill_null(pl.lit([], pl.List(pl.String)))
    )
    kept = goods.filter((pl.col("linked").list.len() == 0) | pl.col("data"))
    kept = kept.with_columns(
        pl.when(pl.col("linked").list.len() == 1)
        .then(pl.col("linked_norm").list.first())
        .alias("container_number")
    )
    columns.route_where(
        kept,
        pl.all_horizontal(pl.col(c).is_null() for c in goods_names),
        "a goods line without a value",
        "goods",
    )
    # Every linked container, first-seen order per bill.
    links = (
        goods.select(
            "unit",
            pl.col("parent").alias("bill"),
            pl.col("parent").alias("id"),
            "at",
            "linked",
            "linked_norm",
        )
        .explode("linked", "linked_norm")
        .drop_nulls("linked")
        .with_row_index("seq")
    )
    # A container number off ISO 6346 is flagged alike by the flat reader (on the B/L,
    # the container and the goods line: the same ``container_number`` flag), but for its
    # place among a B/L's own flags: the model flags the numbers a B/L lists as it
    # validates them, before the B/L's consistency flags (a key party without a name);
    # the flat reader flags them after. Only a B/L with both goes to the models.
    nameless = [
        pl.col(f"{role}_name").is_null() | pl.col(f"{role}_name").str.contains(f"^{_BLANK}*$")
        if f"{role}_name" in bills.columns
        else pl.lit(True)
        for role in KEY_PARTIES
    ]
    unnamed_bills = bills.filter(pl.any_horizontal(nameless)).select("id")
    columns.route_where(
        links.join(unnamed_bills, on="id", how="semi"),
        iso6346_problem(pl.col("linked_norm")).is_not_null(),
        "a container number off ISO 6346 on a B/L that names no shipper or consignee",
        "consignments",
    )
    # The model dedupes the raw texts; the flat layout refuses two that normalise alike.
    raw_first = links.unique(["bill", "linked"], keep="first", maintain_order=True)
    columns.route_where(
        raw_first,
        pl.struct("bill", "linked_norm").is_duplicated(),
        "a container number twice on a bill of lading",
        "consignments",
    )
    listed = raw_first.with_columns(pl.int_range(pl.len()).over("bill").alias("k")).select(
        "unit", "bill", pl.col("linked_norm").alias("container_number"), "k"
    )
    # --- bills ------------------------------------------------------------------------------
    if "bl_number" not in bills.columns:
        bills = bills.with_columns(pl.lit(None, pl.String).alias("bl_number"))
    # The model drops such a B/L, and its flags then concern the whole manifest.
    columns.route_where(
        bills, pl.col("bl_number").is_null(), "a bill of lading without a number", "manifest"
    )
    if "master_bl_number" in bills.columns:
        bills = bills.with_columns(
            pl.when(pl.col("master_bl_number") != pl.col("bl_number").fill_null(""))
            .then(pl.col("master_bl_number"))
            .alias("master_bl_number")
        )
    if "issue_date" in bills.columns:
        bills = bills.rename({"issue_date": "bl_issue_date"})
    if "transshipment_ports" in bills.columns:
        bills = bills.with_columns(
            pl.col("transshipment_ports").list.join(_SEP).alias("transshipment_ports")
        )
        bills = bills.with_columns(
            pl.when(pl.col("transshipment_ports") != "").then(pl.col("transshipment_ports"))
        )
    # --- manifests: bills or containers, one per vessel call ---------------------------
    units_with = pl.concat([bills.select("unit"), boxes.select("unit")]).unique()
    columns.route(
        set(voyage["unit"].to_list()) - set(units_with["unit"].to_list()),
        "a message with no bill of lading or container",
    )
    call = ["vessel_imo", "vessel_name", "voyage_number", "port_of_call"]
    for name in _NAMES:
        if (
            name
            in (
                "vessel_name",
                "vessel_imo",
                "voyage_number",
                "carrier_scac",
                "port_of_call",
                "arrival",
            )
            and name not in voyage.columns
        ):
            voyage = voyage.with_columns(pl.lit(None, pl.String).alias(name))
    key = pl.concat_str(
        [pl.col(c).fill_null("").str.strip_chars(PY_WHITESPACE).str.to_uppercase() for c in call],
        separator="\x00",
    )
    voyage = voyage.with_columns(key.alias("_call"))
    # Only messages not routed so far compete for a call (as plain JSON documents do).
    plain = voyage.filter(~pl.col("unit").is_in(list(columns.bad)))
    columns.route_where(
        plain, pl.col("_call").is_duplicated(), "two messages of one vessel call", "manifest"
    )
    # --- rows ---------------------------------------------------------------------------------
    named = listed.join(
        boxes.select("unit", "container_number", *box_columns, "equipped"),
        on=["unit", "container_number"],
        how="left",
    )
    columns.route_where(
        named.with_columns(pl.col("bill").alias("id")),
        pl.col("equipped") == False,  # noqa: E712 - a Polars expression
        "a declared container without equipment data",
        "consignments",
    )
    named = named.drop("equipped")
    lines = kept.select(
        "unit", pl.col("parent").alias("bill"), "at", "container_number", *goods_names
    ).with_columns(pl.int_range(pl.len()).over("bill").alias("line"))
    with_box = lines.filter(pl.col("container_number").is_not_null()).join(
        named.select("bill", "container_number", "k"), on=["bill", "container_number"], how="left"
    )
    bare = named.join(
        with_box.select("bill", "container_number").unique(),
        on=["bill", "container_number"],
        how="anti",
    )
    rows_boxes = bare.select("unit", "bill", "k", pl.lit(-1).alias("line"), "container_number")
    rows_lines = with_box.select("unit", "bill", "k", "line", "container_number", *goods_names)
    big = 1 << 40
    rows_loose = lines.filter(pl.col("container_number").is_null()).select(
        "unit", "bill", pl.lit(big).alias("k"), "line", "container_number", *goods_names
    )
    rows = pl.concat(
        [rows_boxes, rows_lines.with_columns(pl.col("k").cast(pl.Int64)), rows_loose],
        how="diagonal_relaxed",
    )
    empty_bills = bills.join(rows.select(pl.col("bill").alias("id")).unique(), on="id", how="anti")
    rows = pl.concat(
        [
            rows,
            empty_bills.select(
                "unit", pl.col("id").alias("bill"), pl.lit(big).alias("k"), pl.lit(-1).alias("line")
            ),
        ],
        how="diagonal_relaxed",
    )
    bill_cells = [c for c in bills.columns if c in _NAMES]
    rows = rows.join(
        bills.select(pl.col("id").alias("bill"), pl.col("at").alias("bill_at"), *bill_cells),
        on="bill",
        how="left",
    )
    rows = rows.join(
        boxes.select("unit", "container_number", *box_columns),
        on=["unit", "container_number"],
        how="left",
    )
    # Containers no bill names: after the bills, in declaration order.
    unnamed = boxes.join(
        listed.select("unit", "container_number").unique(),
        on=["unit", "container_number"],
        how="anti",
    ).select("unit", pl.col("at").alias("bill_at"), "container_number", *box_columns)
    rows = rows.with_columns(pl.lit(0).alias("tail"))
    if unnamed.height:
        rows = pl.concat(
            [
                rows,
                unnamed.with_columns(
                    pl.lit(1).alias("tail"), pl.lit(0).alias("k"), pl.lit(0).alias("line")
                ),
            ],
            how="diagonal_relaxed",
        )
    rows = rows.sort("unit", "tail", "bill_at", "k", "line", maintain_order=True)
    rows = rows.join(
        voyage.select("unit", *[c for c in voyage.columns if c in _NAMES]), on="unit", how="left"
    )
    for name in _NAMES:
        if name not in rows.columns:
            rows = rows.with_columns(pl.lit(None, pl.String).alias(name))
    rows, listed = _twice(columns, bills, rows, listed.select("unit", "bill", "container_number"))
    return _Laid(
        rows.select(*[pl.col(n).cast(pl.String) for n in _NAMES], "unit", "bill"),
        listed,
        boxes.select("unit", "id", "container_number", "at"),
        bills.select("unit", "id", "at"),
    )


def _normalised(value: pl.Series) -> pl.Series:
    """How the flat reader keys a container: the model's normalisation of the stripped
    text, or the text as typed (the common shape is already normal; the others go
    through the model once per distinct value)."""
    values = value.drop_nulls().unique()
    odd = values.filter(~values.str.contains(_CONTAINER_SHAPE))
    if odd.len() == 0:
        return value
    keys = [(normalise_container_number(t.strip()) or t.strip()) or None for t in odd.to_list()]
    return value.replace(odd, pl.Series(keys, dtype=pl.String))


_CONTAINER_SHAPE = r"^[A-Z]{4}[0-9]{7}$"


# Appended to the number of each later B/L of a number given twice in a message, for the
# flat reader to keep them apart (see _twice); taken off again by ``unmark_twice``.
TWICE = "\ue000"
# The fields of a container declaration's flags (and its seals'): the model puts a
# B/L's ``bl_number:duplicate`` before them.
_BOX_FLAGS = ("container_", "tare_kg:", "verified_gross_mass_kg:", "seal_", "sealer:")


def _twice(
    columns: _Columns, bills: pl.DataFrame, rows: pl.DataFrame, listed: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """B/L numbers given twice in a message. The model keeps such B/Ls apart and flags
    the later ones (``bl_number:duplicate``); the flat reader would merge them into one.
    Each later one's rows get the number marked (``TWICE`` and its rank), so that the
    flat reader reads them apart, and :func:`unmark_twice` puts back what the model
    says otherwise; the B/Ls are tied together for the closure (a number each lists), so
    that they go to the models all or none. A file holding ``TWICE`` sends them to the
    models."""
    squeezed = pl.col("bl_number").str.replace_all(r"\s", "").str.to_uppercase()
    dup = bills.select("unit", "id", "at", squeezed.alias("sq")).filter(
        pl.struct("unit", "sq").is_duplicated()
    )
    if dup.height == 0:
        return rows, listed
    if rows.get_column("bl_number").str.contains(TWICE, literal=True).any():
        columns.route_where(dup, pl.lit(True), "a bill of lading number twice", "consignments")
        return rows, listed
    safe = dup.sort("at").with_columns(pl.int_range(pl.len()).over("unit", "sq").alias("nth"))
    tie = safe.select("unit", pl.col("id").alias("bill"), (TWICE + pl.col("sq")).alias("n"))
    listed = pl.concat(
        [listed, tie.rename({"n": "container_number"}).cast(listed.schema)], how="vertical"
    )
    later = safe.filter(pl.col("nth") > 0).select(pl.col("id").alias("bill"), "nth")
    nth = pl.col("nth")
    rows = (
        rows.join(later, on="bill", how="left", maintain_order="left")
        .with_columns(
            pl.when(nth.is_not_null())
            .then(pl.col("bl_number") + TWICE + nth.cast(pl.String))
            .otherwise(pl.col("bl_number"))
            .alias("bl_number")
        )
        .drop("nth")
    )
    return rows, listed


def unmark_twice(frame: pl.DataFrame, call: list[str]) -> pl.DataFrame:
    """The B/Ls :func:`_twice` marked, as the model reads them: the number itself, the
    shipment id made of it (``#2``... for a B/L number and container met again in the
    message), ``bl_number:duplicate`` after the B/L's, its parties' and its goods'
    flags, before its container's, and the B/Ls in a container counted by number
    (``call``: the columns that tell one message from another). Worked out on the rows
    of those B/L numbers and containers alone, and put back in place."""
    marked = frame.get_column("bl_number").str.contains(TWICE, literal=True).fill_null(False)
    if not marked.any():
        return frame
    number = pl.col("bl_number").str.replace(f"{TWICE}[0-9]+$", "")
    bl = pl.col("bl_number")
    seen = frame.filter(marked).select(number, "container_number")
    numbers = seen.get_column("bl_number").unique().implode()
    boxes = seen.get_column("container_number").drop_nulls().unique().implode()
    near = (
        frame.with_row_index("_i")
        .filter(marked | bl.is_in(numbers) | pl.col("container_number").is_in(boxes))
        .select("_i", *call, "bl_number", "container_number", "shipment_id", "quality_flags",
                "quality_flag_count", "bl_count_in_container", "is_lcl")
        .with_columns(bl.str.contains(TWICE, literal=True).alias("_m"))
    )  # fmt: skip
    flags = []
    for given, hit in near.select("quality_flags", "_m").iter_rows():
        if not hit:
            flags.append(given)
            continue
        place = next(
            (i for i, f in enumerate(given)
             if f.startswith(_BOX_FLAGS) and not f.startswith("container_number:")),
            len(given),
        )  # fmt: skip
        flags.append([*given[:place], "bl_number:duplicate", *given[place:]])
    schema = frame.schema
    box, pair = [*call, "container_number"], [*call, "bl_number", "container_number"]
    again = pl.int_range(pl.len()).over(pair)
    in_box = pl.col("_m").any().over(box) & pl.col("container_number").is_not_null()
    ident = pl.concat_str(
        pl.col("manifest_ref"), pl.lit("/"), bl, pl.lit("/"),
        pl.col("container_number").fill_null("-"),
    )  # fmt: skip
    near = (
        near.with_columns(
            number,
            pl.Series("quality_flags", flags, dtype=schema["quality_flags"]),
        )
        .with_columns(
            pl.when(pl.col("_m")).then(ident).otherwise(pl.col("shipment_id")).alias("shipment_id"),
            pl.col("quality_flags")
            .list.len()
            .cast(schema["quality_flag_count"])
            .alias("quality_flag_count"),
            pl.when(in_box)
            .then(bl.n_unique().over(box))
            .otherwise(pl.col("bl_count_in_container"))
            .cast(schema["bl_count_in_container"])
            .alias("bl_count_in_container"),
        )
        .with_columns(
            pl.when(pl.col("_m").any().over(pair) & (again > 0))
            .then(pl.col("shipment_id") + "#" + (again + 1).cast(pl.String))
            .otherwise(pl.col("shipment_id"))
            .alias("shipment_id"),
            pl.when(in_box)
            .then(pl.col("bl_count_in_container") > 1)
            .otherwise(pl.col("is_lcl"))
            .alias("is_lcl"),
        )
    )
    index = pl.get_index_type()
    spot = pl.repeat(None, frame.height, dtype=index, eager=True).scatter(
        near.get_column("_i"), pl.int_range(near.height, dtype=index, eager=True)
    )
    put = ("bl_number", "shipment_id", "quality_flags", "quality_flag_count",
           "bl_count_in_container", "is_lcl")  # fmt: skip
    return frame.with_columns(
        pl.when(spot.is_not_null())
        .then(near.get_column(name).gather(spot))
        .otherwise(pl.col(name))
        .alias(name)
        for name in put
    )
