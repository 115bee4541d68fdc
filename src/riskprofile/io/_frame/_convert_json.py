"""``data convert`` column-wise to JSON and JSON Lines: a flat file's manifests written
as :func:`~riskprofile.io.write_json` writes them, without a model per record.

The file is read as :mod:`riskprofile.io._frame._convert` reads it for a flat output
(the same slices, group tables and routing: a routed vessel call, or one whose voyage
cells disagree, is read and written by the model path whole). In a call read
column-wise, each record's JSON object is made in one of two ways:

- a bill of lading, container or goods line the column-wise reader finds no
  data-quality flag on (most of them) is written from its columns: each field's
  ``"name":value`` made once per distinct cell from the value the model gives that cell
  (its own field rule, or for the columns of many distinct cells a rule that gives the
  same value), serialised by pydantic's own JSON encoder, the fields in the model's
  order;
- a bill of lading with a flag (on itself, a party or a goods line) and a container with
  a flag are built by the model path from all their rows (the reference reader's merge,
  validation and flags), so that every flag's message is the model's own words, in its
  order: a flag is never worded twice.

``tests/cli/test_data_convert.py`` holds the output equal to the model path's, byte for
byte, on random flat files with planted problems.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from pydantic_core import to_json

from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame._convert import (
    _DUMMY_CONTAINER,
    _PLAIN_COUNT,
    _PLAIN_NUMBER,
    _SQUEEZED,
    FlatConversion,
    Sink,
    _Converter,
    _field_kind,
    convert_slices,
)
from riskprofile.io._frame._reader import Progress
from riskprofile.io._frame._values import _map_distinct
from riskprofile.io._layout import COLUMNS, ColumnMapping
from riskprofile.io._read import BatchFormat
from riskprofile.io._table import TableReader, custom_cell, list_parts
from riskprofile.model import LENIENT, Strictness
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Party, Seal
from riskprofile.model.shared import RecordModel, parse_extra_cell

__all__ = ["convert_json"]

_PARTY_FIELDS = ("shipper", "consignee", "notify_party", "freight_payer")
_PREFIX = {"shipper": "shipper", "consignee": "consignee", "notify_party": "notify",
           "freight_payer": "freight_payer"}  # fmt: skip
_TEXT = pl.String


def convert_json(
    path: Path,
    fmt: BatchFormat,
    mapping: ColumnMapping,
    strictness: Strictness,
    sink: Sink,
    progress: Progress | None = None,
) -> FlatConversion | str:
    """Give ``sink`` a flat CSV or Parquet file's manifests as JSON texts (a frame of one
    ``manifest`` column, a row per manifest, in the model path's order), a slice of
    whole vessel calls at a time; or, before anything is given to ``sink``, the reason
    the whole file must go through the model path. ``rows`` of the result counts the
    manifests."""
    return convert_slices(_JsonConverter, path, fmt, mapping, strictness, sink, progress)


def _json(value: Any) -> str:
    return to_json(value).decode()


def _object(fragments: list[pl.Expr]) -> pl.Expr:
    """``{`` the fragments present, comma-separated ``}``."""
    return pl.concat_str([pl.lit("{"), pl.concat_str(fragments, separator=",",
                                                      ignore_nulls=True), pl.lit("}")])  # fmt: skip


def _listed(name: str, items: pl.Expr) -> pl.Expr:
    """``"name":[items]`` from a list of JSON texts; null when the list is empty."""
    return (
        pl.when(items.list.len() > 0)
        .then(pl.concat_str([pl.lit(f'"{name}":['), items.list.join(","), pl.lit("]")]))
        .otherwise(pl.lit(None, _TEXT))
    )


class _JsonConverter(_Converter):
    """The column-wise reader, writing manifests' JSON texts."""

    def _convert_records(
        self, start: int, stop: int
    ) -> tuple[pl.DataFrame, list[RejectedRecord], int]:
        self.raw = self.records.rows(start, stop)
        if self._file_call_keys is not None:
            self._slice_call_keys = self._file_call_keys.slice(start, stop - start)
        rows, goods, calls, bills, boxes, to_models = self._grouped()
        # A call whose voyage cells disagree is flagged with the records that said
        # what: the model path words it.
        conflicted = [k for k, c in calls.items() if c.conflict]
        to_models = to_models | rows["_call"].is_in(conflicted).fill_null(False)
        lone = rows["_lone"]
        slow_rows = rows.filter(to_models | lone)
        fast_rows = rows.filter(~to_models & ~lone)
        slow, rejected = self._slow_manifests(slow_rows, calls)
        fast = self._fast_manifests(fast_rows, calls, goods, bills, boxes)
        self.raw = self.raw.clear()
        out = fast if slow.height == 0 else pl.concat([fast, slow]).sort("_k0", maintain_order=True)
        return out.select("manifest"), rejected, slow_rows.height

    # --- the model path ---------------------------------------------------------------

    def _model_reader(self, rows: pl.DataFrame) -> TableReader:
        """A reference reader given ``rows`` (of the slice), in record order."""
        used = sorted({n for names_ in self.table.sources.values() for n in names_})
        # Only their cells are copied (a few per cent of the slice's, mostly).
        raw = self.raw.select("__line__", *used).gather(rows["_row"].unique().sort())
        reader = TableReader(self.mapping, self.strictness, self.header, self.source)
        for record in raw.iter_rows():
            reader.add(record[0], dict(zip(used, record[1:], strict=True)))
        return reader

    def _slow_manifests(
        self, slow_rows: pl.DataFrame, calls: dict[int, Any]
    ) -> tuple[pl.DataFrame, list[RejectedRecord]]:
        schema = {"_k0": pl.Int64, "manifest": _TEXT}
        if slow_rows.height == 0:
            return pl.DataFrame(schema=schema), []
        reader = self._model_reader(slow_rows)
        strict = self.strictness == "strict"
        call_of_key = {c.key: k for k, c in calls.items()}
        out: list[tuple[int, str]] = []
        for key, call in reader.calls.items():
            for manifest in reader.finish_call(call, strict):
                out.append((call_of_key[key], manifest.model_dump_json(exclude_defaults=True)))
            reader.note_units(call)
        return pl.DataFrame(out, schema=schema, orient="row"), reader.rejected_records()

    def _model_records(
        self, fast_rows: pl.DataFrame, model_bills: pl.Series, model_boxes: pl.Series
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The JSON texts of the flagged bills of lading (``_bh``) and containers
        (``_xh``), each built by the model path from all its rows."""
        bill_schema = {"_bh": pl.UInt64, "_bill_json": _TEXT}
        box_schema = {"_xh": pl.UInt64, "_box_json": _TEXT}
        if model_bills.len() == 0 and model_boxes.len() == 0:
            return pl.DataFrame(schema=bill_schema), pl.DataFrame(schema=box_schema)
        wanted = fast_rows.filter(
            pl.col("_bh").is_in(model_bills.implode()).fill_null(False)
            | pl.col("_xh").is_in(model_boxes.implode()).fill_null(False)
        )
        reader = self._model_reader(wanted)
        strict = self.strictness == "strict"
        bill_ids = {
            (c, b): h for c, b, h in
            wanted.select("_call", "_bl", "_bh").unique().drop_nulls().iter_rows()
        }  # fmt: skip
        box_ids = {
            (c, n): h for c, n, h in
            wanted.select("_call", "_number", "_xh").unique().drop_nulls().iter_rows()
        }  # fmt: skip
        bills_wanted, boxes_wanted = set(model_bills.to_list()), set(model_boxes.to_list())
        call_of_key = {k: c for c, k in wanted.select("_call", "_callkey").unique().iter_rows()}
        bill_texts: list[tuple[int, str]] = []
        box_texts: list[tuple[int, str]] = []
        for key, call in reader.calls.items():
            call_id = call_of_key["\x1f".join(key)]
            for manifest in reader.finish_call(call, strict):
                for consignment in manifest.consignments:
                    h = bill_ids.get((call_id, consignment.bl_number))
                    if h is not None and h in bills_wanted:
                        bill_texts.append((h, consignment.model_dump_json(exclude_defaults=True)))
                for box in manifest.containers:
                    h = box_ids.get((call_id, box.number))
                    if h is not None and h in boxes_wanted:
                        box_texts.append((h, box.model_dump_json(exclude_defaults=True)))
        return (
            pl.DataFrame(bill_texts, schema=bill_schema, orient="row"),
            pl.DataFrame(box_texts, schema=box_schema, orient="row"),
        )

    # --- the column-wise path ---------------------------------------------------------

    def _fast_manifests(
        self,
        fast_rows: pl.DataFrame,
        calls: dict[int, Any],
        goods: pl.DataFrame,
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
    ) -> pl.DataFrame:
        """Each call read column-wise as its manifest's JSON text, with its id (``_k0``)."""
        schema = {"_k0": pl.Int64, "manifest": _TEXT}
        if fast_rows.height == 0:
            return pl.DataFrame(schema=schema)
        r = fast_rows.select("_row", "_call", "_bh", "_xh", "_bl", "_number", "_has_goods")
        fast_calls = r.select("_call").unique()
        has_bill, has_box = pl.col("_bh").is_not_null(), pl.col("_xh").is_not_null()
        fast_goods = goods.join(r.select("_row"), on="_row", how="semi")
        model_bills = pl.concat([
            bills.filter(pl.col("_flagged")).select("_bh"),
            fast_goods.filter(pl.col("_flagged")).select("_bh").drop_nulls(),
            # The manifest flags a bill's container numbers that break ISO 6346 (lenient).
            fast_rows.filter(pl.col("_tnum").is_not_null()).select("_bh").drop_nulls(),
        ]).unique().join(r.select("_bh").unique(), on="_bh", how="semi")["_bh"]  # fmt: skip
        model_boxes = (
            boxes.filter(pl.col("_flagged"))
            .select("_xh")
            .join(r.select("_xh").unique(), on="_xh", how="semi")["_xh"]
        )
        model_bill_json, model_box_json = self._model_records(fast_rows, model_bills, model_boxes)
        # Container numbers as the model writes them (a goods line's and a bill's too).
        box_numbers = r.filter(has_box).select("_xh", "_number").unique("_xh", keep="first")
        number_json = box_numbers.select(
            "_xh",
            _map_distinct(
                box_numbers["_number"], self._value_json(Container, "number", {}), _TEXT
            ).alias("_number_json"),
        )
        # Goods lines of the bills written column-wise, in record order.
        clean_goods = (
            fast_goods.filter(pl.col("_bh").is_not_null())
            .join(model_bills.to_frame(), on="_bh", how="anti")
            .select("_row", "_bh", "_xh")
        )
        goods_json = self._goods_json(clean_goods, number_json)
        goods_lists = (
            goods_json.sort("_row").group_by("_bh", maintain_order=True).agg(pl.col("_goods_json"))
        )
        # Each bill's containers, in the order its records name them.
        bill_boxes = (
            r.filter(has_bill & has_box)
            .unique(["_bh", "_xh"], keep="first", maintain_order=True)
            .join(number_json, on="_xh", how="left", maintain_order="left")
            .group_by("_bh", maintain_order=True)
            .agg(pl.col("_number_json"))
        )
        merged_bills = self._merged["_bh"].join(fast_calls, on="_call", how="semi")
        clean_bills = merged_bills.join(model_bills.to_frame(), on="_bh", how="anti")
        bill_json = self._bills_json(clean_bills, goods_lists, bill_boxes)
        bill_order = merged_bills.select("_bh", "_call", "_first")
        all_bills = (
            bill_order.join(
                pl.concat([bill_json, model_bill_json.rename({"_bill_json": "_json"})]),
                on="_bh", how="left",
            )
            .sort("_first")
            .group_by("_call", maintain_order=True)
            .agg(pl.col("_json"))
        )  # fmt: skip
        # The call's containers: those with equipment data, and those no bill names.
        merged_boxes = self._merged["_xh"].join(fast_calls, on="_call", how="semi")
        named = r.filter(has_bill & has_box).select("_xh").unique()
        bare = r.filter(~has_bill & has_box).select("_xh").unique()
        equipment = boxes.select("_xh", "_equipment")
        kept = (
            merged_boxes.select("_xh", "_call", "_first")
            .join(equipment, on="_xh", how="left")
            .with_columns(
                pl.col("_xh").is_in(bare["_xh"].implode()).alias("_bare"),
                pl.col("_xh").is_in(named["_xh"].implode()).alias("_named"),
            )
            .filter(pl.col("_equipment") | (pl.col("_bare") & ~pl.col("_named")))
        )
        clean_boxes = merged_boxes.join(kept.select("_xh"), on="_xh", how="semi").join(
            model_boxes.to_frame(), on="_xh", how="anti"
        )
        box_json = self._boxes_json(clean_boxes, number_json)
        all_boxes = (
            kept.select("_xh", "_call", "_first")
            .join(
                pl.concat([box_json, model_box_json.rename({"_box_json": "_json"})]),
                on="_xh", how="left",
            )
            .sort("_first")
            .group_by("_call", maintain_order=True)
            .agg(pl.col("_json"))
        )  # fmt: skip
        for name, table in (("bill of lading", all_bills), ("container", all_boxes)):
            if table["_json"].list.eval(pl.element().is_null()).list.any().any():
                # The two paths disagree on which records a call holds: never written
                # short of one.
                raise AssertionError(f"data convert to JSON: a {name} was not written")
        heads = pl.DataFrame(
            [(k, calls[k].manifest.model_dump_json(exclude_defaults=True)[1:-1])
             for k in fast_calls["_call"].to_list()],
            schema={"_call": pl.Int64, "_head": _TEXT}, orient="row",
        )  # fmt: skip
        return (
            heads.join(all_bills.rename({"_json": "_bills"}), on="_call", how="left")
            .join(all_boxes.rename({"_json": "_boxes"}), on="_call", how="left")
            .sort("_call")
            .select(
                pl.col("_call").alias("_k0"),
                _object([
                    pl.when(pl.col("_head") != "").then(pl.col("_head")),
                    _listed("consignments", pl.col("_bills").fill_null(pl.lit([], pl.List(_TEXT)))),
                    _listed("containers", pl.col("_boxes").fill_null(pl.lit([], pl.List(_TEXT)))),
                ]).alias("manifest"),
            )
        )  # fmt: skip

    # --- each record's JSON -------------------------------------------------------------

    def _value_json(
        self, model: type[RecordModel], field: str, base: dict[str, Any], key: str | None = None
    ) -> Callable[[str], str | None]:
        """``"key":value`` (``key``: the field's name) as the model writes the value it
        gives a cell of one field: its rule, once per distinct cell."""
        check = self._field_check(model, field, base)

        def by_model(cell: str) -> Any:
            return check(cell)[0]

        kind = _field_kind(model, field)
        rule: Callable[[str], Any] = by_model
        if kind == "text":  # the model strips text (a cell of any length is routed)
            rule = _stripped_value
        elif kind == "float":
            rule = lambda cell: _plain(cell, float, _PLAIN_NUMBER) or by_model(cell)  # noqa: E731
        elif kind == "decimal":
            rule = lambda cell: _plain(cell, Decimal, _PLAIN_NUMBER) or by_model(cell)  # noqa: E731
        elif kind == "count":
            rule = lambda cell: _plain(cell, int, _PLAIN_COUNT) or by_model(cell)  # noqa: E731
        elif kind == "key":
            rule = lambda cell: _plain(cell, str, _SQUEEZED) or by_model(cell)  # noqa: E731
        prefix = "" if key is None else f'"{key}":'

        def fragment(cell: str) -> str | None:
            value = rule(cell)
            return None if value is None else prefix + _json(value)

        return fragment

    def _goods_json(self, clean: pl.DataFrame, number_json: pl.DataFrame) -> pl.DataFrame:
        names = {c.path: c.name for c in COLUMNS if c.group == "goods"}
        cells = self._select([self._column(n) for n in names.values()]).with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row")
        )
        g = clean.join(cells, on="_row", how="left", maintain_order="left")
        g = g.join(number_json, on="_xh", how="left", maintain_order="left")
        parts: list[pl.Expr] = []
        for field in GoodsItem.model_fields:
            if field == "quality_flags":
                continue
            if field == "container_number":
                parts.append(pl.concat_str([pl.lit('"container_number":'), pl.col("_number_json")]))
                continue
            column = names[(field,)]
            g = g.with_columns(
                _map_distinct(g[column], self._value_json(GoodsItem, field, {}, field), _TEXT)
                .alias(f"_j_{column}")
            )  # fmt: skip
            parts.append(pl.col(f"_j_{column}"))
        return g.select("_row", "_bh", _object(parts).alias("_goods_json"))

    def _bills_json(
        self, b: pl.DataFrame, goods_lists: pl.DataFrame, bill_boxes: pl.DataFrame
    ) -> pl.DataFrame:
        names = {c.path: c.name for c in COLUMNS if c.group == "bill_of_lading"}
        base = {"bl_number": "X"}
        b = b.join(goods_lists, on="_bh", how="left").join(bill_boxes, on="_bh", how="left")
        new: dict[str, pl.Series] = {
            "_j_bl": _map_distinct(b["_bl"], lambda c: '"bl_number":' + _json(c), _TEXT)
        }
        parts: list[pl.Expr] = []
        empty = pl.lit([], pl.List(_TEXT))
        for field in Consignment.model_fields:
            if field == "quality_flags":
                continue
            if field == "bl_number":
                parts.append(pl.col("_j_bl"))
            elif field in _PARTY_FIELDS:
                inner = []
                for sub in Party.model_fields:
                    if sub == "quality_flags":
                        continue
                    column = names[(field, sub)]
                    new[f"_j_{column}"] = _map_distinct(
                        b[column], self._value_json(Party, sub, {}, sub), _TEXT
                    )
                    inner.append(pl.col(f"_j_{column}"))
                joined = pl.concat_str(inner, separator=",", ignore_nulls=True)
                parts.append(
                    pl.when(pl.any_horizontal(c.is_not_null() for c in inner)).then(
                        pl.concat_str([pl.lit(f'"{field}":{{'), joined, pl.lit("}")])
                    )
                )
            elif field == "transshipment_ports":
                new["_j_ts"] = _map_distinct(b["transshipment_ports"], self._ports_json(), _TEXT)
                parts.append(pl.col("_j_ts"))
            elif field == "goods":
                parts.append(_listed("goods", pl.col("_goods_json").fill_null(empty)))
            elif field == "extra":
                parts.append(self._extra_json(b, new))
            elif field == "container_numbers":
                parts.append(_listed("container_numbers", pl.col("_number_json").fill_null(empty)))
            else:
                column = names[(field,)]
                new[f"_j_{column}"] = _map_distinct(
                    b[column], self._value_json(Consignment, field, base, field), _TEXT
                )
                parts.append(pl.col(f"_j_{column}"))
        b = b.with_columns(*[s.alias(k) for k, s in new.items()])
        return b.select("_bh", _object(parts).alias("_json"))

    def _ports_json(self) -> Callable[[str], str | None]:
        sep = self.mapping.list_separator

        def rule(cell: str) -> str | None:
            items = [p for p in (p.strip() for p in cell.split(sep)) if p]
            if not items:
                return None
            record = Consignment.model_validate(
                {"bl_number": "X", "transshipment_ports": items}, context=LENIENT
            )
            return '"transshipment_ports":' + _json(list(record.transshipment_ports))

        return rule

    def _extra_json(self, b: pl.DataFrame, new: dict[str, pl.Series]) -> pl.Expr:
        """``"extra":{...}``: each custom field's value, typed as the model path types
        the B/L's cell, written by the model."""
        mapping = self.mapping
        inner = []
        for custom in mapping.extra:

            def rule(cell: str, custom: Any = custom) -> str | None:
                value, _problem = parse_extra_cell(
                    custom, custom_cell(cell), list_separator=mapping.list_separator,
                    decimal_comma=mapping.decimal_comma, date_format=mapping.date_format,
                )  # fmt: skip
                if value is None:
                    return None
                record = Consignment.model_validate(
                    {"bl_number": "X", "extra": {custom.name: value}}, context=LENIENT
                )
                text = record.model_dump_json(include={"extra"}, exclude_defaults=True)
                return text[len('{"extra":{') : -2] or None

            new[f"_j_{custom.field}"] = _map_distinct(b[custom.field], rule, _TEXT)
            inner.append(pl.col(f"_j_{custom.field}"))
        if not inner:
            return pl.lit(None, _TEXT)
        joined = pl.concat_str(inner, separator=",", ignore_nulls=True)
        return pl.when(pl.any_horizontal(c.is_not_null() for c in inner)).then(
            pl.concat_str([pl.lit('"extra":{'), joined, pl.lit("}")])
        )

    def _boxes_json(self, x: pl.DataFrame, number_json: pl.DataFrame) -> pl.DataFrame:
        names = {c.path: c.name for c in COLUMNS if c.group == "container"}
        base = {"number": _DUMMY_CONTAINER}
        x = x.join(number_json, on="_xh", how="left", maintain_order="left")
        new: dict[str, pl.Series] = {"_j_seals": self._seals_json(x["seal_numbers"],
                                                                 x["seal_sealers"])}  # fmt: skip
        parts: list[pl.Expr] = []
        for field in Container.model_fields:
            if field == "quality_flags":
                continue
            if field == "number":
                parts.append(pl.concat_str([pl.lit('"number":'), pl.col("_number_json")]))
            elif field == "seals":
                parts.append(pl.col("_j_seals"))
            else:
                column = names[(field,)]
                new[f"_j_{column}"] = _map_distinct(
                    x[column], self._value_json(Container, field, base, field), _TEXT
                )
                parts.append(pl.col(f"_j_{column}"))
        x = x.with_columns(*[s.alias(k) for k, s in new.items()])
        return x.select("_xh", _object(parts).alias("_json"))

    def _seals_json(self, numbers: pl.Series, sealers: pl.Series) -> pl.Series:
        """``"seals":[...]`` of containers whose seals the model takes as they are (the
        others are routed: ``_GroupTables._seals``)."""
        sep = self.mapping.list_separator
        positional = self._positional("seal_sealers")
        sealer = self._field_check(Seal, "sealer", {"number": "X"})
        combos = pl.DataFrame({"n": numbers, "s": sealers}).unique()
        texts = []
        for n_cell, s_cell in combos.iter_rows():
            found = [p for p in list_parts(n_cell, sep, positional=False) if p is not None] \
                if n_cell is not None else []  # fmt: skip
            kinds = list_parts(s_cell, sep, positional=positional) if s_cell is not None else []
            said = [sealer(k)[0] if k is not None else None for k in kinds]
            seals: list[dict[str, Any]] = []
            for i in range(max(len(found), len(said))):
                seal: dict[str, Any] = {"number": found[i]} if i < len(found) else {}
                if i < len(said) and said[i] is not None:
                    seal["sealer"] = said[i]
                seals.append(seal)
            texts.append('"seals":' + _json(seals) if seals else None)
        combos = combos.with_columns(pl.Series("t", texts, dtype=_TEXT))
        return (
            pl.DataFrame({"n": numbers, "s": sealers})
            .join(combos, on=["n", "s"], how="left", nulls_equal=True, maintain_order="left")
            .get_column("t")
        )


def _stripped_value(cell: str) -> str | None:
    return cell.strip() or None


def _plain(cell: str, kind: Callable[[str], Any], shape: Any) -> Any:
    text = cell.strip()
    return kind(text) if shape.fullmatch(text) else None
