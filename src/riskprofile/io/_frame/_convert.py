"""``data convert`` column-wise: a flat file's manifests written as flat rows again
(CSV or Parquet) without a model per record.

The model path reads every record into :class:`~riskprofile.Manifest` objects and
writes them back with :func:`~riskprofile.io.table_rows`. This module writes the same
bytes from the file's columns:

- the file is read as :func:`~riskprofile.read_frame` reads it (the same slices of
  whole vessel calls, keys, ids and group tables), and the same rows go to the model
  path (:func:`~riskprofile.io._frame._route.routed`: rejected rows, seals the model
  repairs, amounts no frame column holds, overlong cells, and in strict mode anything
  that breaks a standard or disagrees). Routing takes whole vessel calls, so a call is
  written either from its manifest (the model path, as before) or from its columns;
- each column's distinct cells are mapped once to the text the model path writes for
  them: the model's own field rule (``_field_check``: the field validated alone), or
  for the columns of many distinct cells a rule that gives the same text (plain text is
  the stripped cell; a plain decimal is ``str(float(cell))``, ``str(Decimal(cell))``).
  Text is kept as declared: names, addresses and descriptions are not folded as in the
  shipment frame;
- a group's cells are the reference reader's merge (``_GroupTables._group_table``: the
  first non-empty value of each column), kept before the group tables check them;
- the rows are laid out in :func:`~riskprofile.io.table_rows`' order: calls in
  first-seen order, in each its bills of lading in first-seen order, each bill's
  containers with their goods lines (or the container alone), the bill's goods lines
  without a container, the bill alone when it has neither; then the containers no bill
  names.

``tests/cli/test_data_convert.py`` holds the output equal to the model path's, byte for
byte, on random flat files with planted problems.
"""

from __future__ import annotations

import itertools
import re
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from riskprofile.io._batch import RejectedRecord
from riskprofile.io._frame import _reader
from riskprofile.io._frame._load import _UnreadableError
from riskprofile.io._frame._reader import Progress, _Reader, load_flat, whole_file_reason
from riskprofile.io._frame._values import (
    _BILL,
    _EQUIPMENT,
    _GOODS,
    _VOYAGE,
    _map_distinct,
)
from riskprofile.io._layout import COLUMNS, ColumnMapping
from riskprofile.io._read import BatchFormat
from riskprofile.io._table import TableReader, custom_cell, list_parts
from riskprofile.io._table_write import cell_text, checked_row, table_rows
from riskprofile.model import LENIENT, QualityFlag, Strictness
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Party, Seal
from riskprofile.model.shared import EXTRA_PREFIX, RecordModel, parse_extra_cell

__all__ = ["FlatConversion", "convert_flat", "flat_names", "run_slices"]

_KEYS = ("_k0", "_k1", "_k2", "_k3", "_k4", "_k5")
_NO_KEYS = (None,) * (len(_KEYS) - 1)
_DUMMY_CONTAINER = "CSQU3054383"
# Decimal text that Python's float() and Decimal() read as the model does (pydantic's
# float and decimal parsing), within every range the model checks (at most 10**15).
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,18})?")
_PLAIN_COUNT = re.compile(r"0|[1-9][0-9]{0,8}")  # below MAX_PACKAGES, written as read
_SQUEEZED = re.compile(r"[A-Z0-9]+")  # what the model's B/L and container rules keep
_PARTIES = (("shipper", "shipper"), ("consignee", "consignee"), ("notify", "notify_party"),
            ("freight_payer", "freight_payer"))  # fmt: skip


@dataclass(frozen=True)
class FlatConversion:
    """What a column-wise conversion did: ``rows`` written, ``records_read``, the
    ``rejected`` records (in record order), ``record_unit`` (line or row), and
    ``rows_via_models``, the records whose vessel calls went through the model path."""

    rows: int
    records_read: int
    rejected: tuple[RejectedRecord, ...]
    record_unit: str
    rows_via_models: int


def flat_names(mapping: ColumnMapping) -> list[str]:
    """The columns of a flat file written from a file read with ``mapping``: the
    layout's, then a column per custom field of the mapping (as ``write_csv`` is given
    them by ``data convert``)."""
    return [c.name for c in COLUMNS] + [EXTRA_PREFIX + c.name for c in mapping.extra]


Sink = Callable[[pl.DataFrame], None]
"""Takes the next rows to write (text columns, :func:`flat_names`), in order."""


def convert_flat(
    path: Path,
    fmt: BatchFormat,
    mapping: ColumnMapping,
    strictness: Strictness,
    sink: Sink,
    progress: Progress | None = None,
) -> FlatConversion | str:
    """Write a flat CSV or Parquet file's manifests to ``sink`` as the model path's
    :func:`~riskprofile.io.table_rows` lays them out, a slice of whole vessel calls at a
    time; or, before anything is given to ``sink``, the reason the whole file must go
    through the model path (as :func:`~riskprofile.read_frame` would say it).

    ``mapping`` is the resolved column mapping (a ``.tsv`` file's tab included)."""
    return convert_slices(_Converter, path, fmt, mapping, strictness, sink, progress)


def convert_slices(
    converter: type[_Converter],
    path: Path,
    fmt: BatchFormat,
    mapping: ColumnMapping,
    strictness: Strictness,
    sink: Sink,
    progress: Progress | None = None,
) -> FlatConversion | str:
    """:func:`convert_flat` with the reader ``converter`` (its ``_convert_records``
    gives each slice's output): a slice of whole vessel calls at a time, in file order."""
    reason = whole_file_reason(mapping)
    if reason is not None:
        return reason
    loaded = load_flat(path, fmt, mapping, strictness)
    if isinstance(loaded, str):
        return loaded
    table, records = loaded
    return run_slices(converter(path, fmt, mapping, strictness, table, records), sink, progress)


def run_slices(
    reader: _Converter, sink: Sink, progress: Progress | None = None
) -> FlatConversion | str:
    """The slices of ``reader``'s records converted (its ``_convert_records``), two at a
    time, and given to ``sink`` in file order; or, before anything is given to
    ``sink``, the reason the whole file must go through the model path."""
    try:
        slices = reader._slices()
    except _UnreadableError as exc:
        return str(exc)
    total = reader.records.height
    if progress is not None:
        progress(0, total)
    rows = done = via_models = 0
    rejected: list[RejectedRecord] = []

    def convert(start: int, stop: int) -> tuple[pl.DataFrame, list[RejectedRecord], int]:
        part = copy(reader)
        part._merged = {}
        return part._convert_records(start, stop)

    # Slices are converted two at a time (as read_frame reads them) and written in file
    # order; the next starts once a slice is written, so that the memory stays two
    # slices', whatever the file's size.
    with ThreadPoolExecutor(max_workers=max(1, _reader.SLICE_WORKERS)) as pool:
        pending: deque[tuple[int, Future[Any]]] = deque()
        ahead = iter(slices)
        for start, stop in itertools.islice(ahead, max(1, _reader.SLICE_WORKERS)):
            pending.append((stop - start, pool.submit(convert, start, stop)))
        while pending:
            size, future = pending.popleft()
            try:
                out, refused, slow = future.result()
            except _UnreadableError as exc:
                if done == 0:  # nothing written yet: the model path reads the file
                    for _size, other in pending:
                        other.cancel()
                    return str(exc)
                raise
            sink(out)
            rows += out.height
            del out, future
            following = next(ahead, None)
            if following is not None:
                start, stop = following
                pending.append((stop - start, pool.submit(convert, start, stop)))
            rejected += refused
            via_models += slow
            done += size
            if progress is not None:
                progress(done, total)
    return FlatConversion(rows, total, tuple(rejected), reader.unit, via_models)


class _Converter(_Reader):
    """The column-wise reader, writing manifests' rows instead of shipments."""

    _merged: dict[str, pl.DataFrame]

    def _group_table(
        self,
        rows: pl.DataFrame,
        key: str,
        names: list[str],
        group: str,
        names_of: Callable[[list[QualityFlag]], list[str]],
    ) -> pl.DataFrame:
        # The merged cells of each group, kept: the group tables drop them once checked.
        table = super()._group_table(rows, key, names, group, names_of)
        self._merged[key] = table
        return table

    def _convert_records(
        self, start: int, stop: int
    ) -> tuple[pl.DataFrame, list[RejectedRecord], int]:
        self.raw = self.records.rows(start, stop)
        if self._file_call_keys is not None:
            self._slice_call_keys = self._file_call_keys.slice(start, stop - start)
        # The same rows, groups and routing as read_frame (_Reader._grouped).
        rows, _goods, calls, _bills, _boxes, to_models = self._grouped()
        lone = rows["_lone"]
        slow_rows = rows.filter(to_models | lone)
        fast_rows = rows.filter(~to_models & ~lone)
        slow, rejected = self._slow_rows(slow_rows, calls)
        fast = self._fast_rows(fast_rows, calls)
        self.raw = self.raw.clear()
        # Routing takes whole calls: each call's rows are one part's, in its order.
        out = fast if slow.height == 0 else pl.concat([fast, slow]).sort("_k0", maintain_order=True)
        return out.drop(_KEYS, strict=False), rejected, slow_rows.height

    # --- the model path, for the routed calls ---------------------------------------

    def _slow_rows(
        self, slow_rows: pl.DataFrame, calls: dict[int, Any]
    ) -> tuple[pl.DataFrame, list[RejectedRecord]]:
        names = flat_names(self.mapping)
        schema = {**dict.fromkeys(names, pl.String), **dict.fromkeys(_KEYS, pl.Int64)}
        if slow_rows.height == 0:
            return pl.DataFrame(schema=schema), []
        used = sorted({n for names_ in self.table.sources.values() for n in names_})
        raw = (
            self.raw.select("__line__", *used)
            .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
            .join(slow_rows.select("_row"), on="_row", how="semi")
            .sort("_row")
        )
        reader = TableReader(self.mapping, self.strictness, self.header, self.source)
        for record in raw.select("__line__", *used).iter_rows():
            reader.add(record[0], dict(zip(used, record[1:], strict=True)))
        strict = self.strictness == "strict"
        call_of_key = {c.key: k for k, c in calls.items()}
        custom = {n for n in names if n.startswith(EXTRA_PREFIX)}
        cells: list[list[Any]] = []
        for key, call in reader.calls.items():
            call_id = call_of_key[key]
            for manifest in reader.finish_call(call, strict):
                for row in table_rows([manifest]):
                    checked_row(row, custom)
                    cells.append([cell_text(row.get(n)) for n in names] + [call_id, *_NO_KEYS])
            reader.note_units(call)
        frame = pl.DataFrame(cells, schema=schema, orient="row")
        return frame, reader.rejected_records()

    # --- the column-wise path ---------------------------------------------------------

    def _fast_rows(self, fast_rows: pl.DataFrame, calls: dict[int, Any]) -> pl.DataFrame:
        """The rows ``table_rows`` writes for the calls read column-wise, in its order,
        with their sort keys."""
        r = fast_rows.select("_row", "_call", "_bh", "_xh", "_has_goods")
        has_bill, has_box = pl.col("_bh").is_not_null(), pl.col("_xh").is_not_null()
        bill_first = r.filter(has_bill).group_by("_bh").agg(pl.col("_row").min().alias("_bf"))
        pair_first = (
            r.filter(has_bill & has_box)
            .group_by("_bh", "_xh")
            .agg(pl.col("_row").min().alias("_pf"))
        )
        r = r.join(bill_first, on="_bh", how="left").join(
            pair_first, on=["_bh", "_xh"], how="left", nulls_equal=False
        )
        i64 = pl.Int64

        def slots(frame: pl.DataFrame, *keys: Any, box: bool, goods: bool) -> pl.DataFrame:
            return frame.select(
                pl.col("_call").alias("_k0"),
                *[(k if isinstance(k, pl.Expr) else pl.lit(k)).cast(i64).alias(n)
                  for n, k in zip(_KEYS[1:], keys, strict=True)],
                pl.col("_bh") if "_bh" in frame.columns else pl.lit(None, pl.UInt64).alias("_bh"),
                pl.col("_xh") if box else pl.lit(None, pl.UInt64).alias("_xh"),
                pl.col("_row").alias("_g") if goods else pl.lit(None, i64).alias("_g"),
            )  # fmt: skip

        goods_in_box = r.filter(pl.col("_has_goods") & has_box)
        # A container of a bill: its goods lines, or itself alone when it has none.
        lone_pairs = (
            r.filter(has_bill & has_box)
            .unique(["_bh", "_xh"], keep="first", maintain_order=True)
            .join(goods_in_box.select("_bh", "_xh").unique(), on=["_bh", "_xh"], how="anti")
        )
        with_any = r.filter(has_bill).group_by("_bh").agg(
            pl.col("_call").first(), pl.col("_bf").first(),
            (has_box | pl.col("_has_goods")).any().alias("_any"),
        )  # fmt: skip
        named = r.filter(has_bill & has_box).select("_xh").unique()
        bare = (
            r.filter(~has_bill & has_box)
            .group_by("_xh")
            .agg(pl.col("_call").first(), pl.col("_row").min())
            .join(named, on="_xh", how="anti")
        )
        parts = [
            slots(goods_in_box, 0, pl.col("_bf"), 0, pl.col("_pf"), pl.col("_row"),
                  box=True, goods=True),
            slots(lone_pairs, 0, pl.col("_bf"), 0, pl.col("_pf"), -1, box=True, goods=False),
            slots(r.filter(pl.col("_has_goods") & ~has_box), 0, pl.col("_bf"), 1,
                  pl.col("_row"), 0, box=False, goods=True),
            slots(with_any.filter(~pl.col("_any")), 0, pl.col("_bf"), 0, -1, -1,
                  box=False, goods=False),
            slots(bare, 1, pl.col("_row"), 0, 0, 0, box=True, goods=False),
        ]  # fmt: skip
        layout = pl.concat(parts).sort(*_KEYS)
        layout = (
            layout.join(self._voyage_texts(calls), left_on="_k0", right_on="_call",
                        how="left", maintain_order="left")
            .join(self._bill_texts(), on="_bh", how="left", maintain_order="left")
            .join(self._box_texts(), on="_xh", how="left", maintain_order="left")
            .join(self._goods_texts(fast_rows), left_on="_g", right_on="_row", how="left",
                  maintain_order="left")
        )  # fmt: skip
        names = flat_names(self.mapping)
        return layout.select(
            *[pl.col(n) if n in layout.columns else pl.lit(None, pl.String).alias(n)
              for n in names],
            *_KEYS,
        )  # fmt: skip

    # --- each group's text ------------------------------------------------------------

    def _voyage_texts(self, calls: dict[int, Any]) -> pl.DataFrame:
        """Each call's voyage columns, from its header as the model reads it (the call
        table's manifest)."""
        rows = []
        for call_id, call in calls.items():
            m = call.manifest
            values = [getattr(m, n) for n in _VOYAGE]
            values[-1] = m.arrival.isoformat() if m.arrival is not None else None
            rows.append([call_id, *[cell_text(v) for v in values]])
        schema = {"_call": pl.Int64, **dict.fromkeys(_VOYAGE, pl.String)}
        return pl.DataFrame(rows, schema=schema, orient="row")

    def _texts(self, cells: pl.Series, model: type[RecordModel], field: str,
               base: dict[str, Any]) -> pl.Series:  # fmt: skip
        """The text the model path writes for each cell of one field: its rule, once per
        distinct cell."""
        return _map_distinct(cells, self._text_rule(model, field, base), pl.String)

    def _text_rule(
        self, model: type[RecordModel], field: str, base: dict[str, Any]
    ) -> Callable[[str], str | None]:
        check = self._field_check(model, field, base)

        def by_model(cell: str) -> str | None:
            return cell_text(check(cell)[0])

        kind = _field_kind(model, field)
        if kind == "text":  # the model strips text (a cell of any length is routed)
            return _stripped
        if kind == "float":
            return lambda cell: _float_text(cell) or by_model(cell)
        if kind == "decimal":
            return lambda cell: _decimal_text(cell) or by_model(cell)
        if kind == "count":
            return lambda cell: _count_text(cell) or by_model(cell)
        if kind == "key":  # B/L and container numbers: canonical ones are kept
            return lambda cell: _key_text(cell) or by_model(cell)
        return by_model

    def _bill_texts(self) -> pl.DataFrame:
        b = self._merged["_bh"]
        base = {"bl_number": "X"}
        out: dict[str, pl.Series] = {"_bh": b["_bh"], "bl_number": b["_bl"]}
        fields = {c.name: c.path for c in COLUMNS if c.group == "bill_of_lading"}
        roles = dict(_PARTIES)
        for name in _BILL:
            if name == "bl_number":
                continue
            path = fields[name]
            if name == "transshipment_ports":
                out[name] = _map_distinct(b[name], self._ports_rule(), pl.String)
            elif len(path) == 2:
                prefix = name.rsplit("_", 1)[0]
                assert roles[prefix] == path[0]
                out[name] = self._texts(b[name], Party, path[1], {})
            else:
                out[name] = self._texts(b[name], Consignment, path[0], base)
        mapping = self.mapping
        for custom in mapping.extra:

            def custom_rule(cell: str, custom: Any = custom) -> str | None:
                value, _problem = parse_extra_cell(
                    custom, custom_cell(cell), list_separator=mapping.list_separator,
                    decimal_comma=mapping.decimal_comma, date_format=mapping.date_format,
                )  # fmt: skip
                return cell_text(value)

            out[custom.field] = _map_distinct(b[custom.field], custom_rule, pl.String)
        return pl.DataFrame([s.alias(k) for k, s in out.items()])

    def _ports_rule(self) -> Callable[[str], str | None]:
        sep = self.mapping.list_separator

        def rule(cell: str) -> str | None:
            items = [p for p in (p.strip() for p in cell.split(sep)) if p]
            if not items:
                return None
            record = Consignment.model_validate(
                {"bl_number": "X", "transshipment_ports": items}, context=LENIENT
            )
            return cell_text(list(record.transshipment_ports))

        return rule

    def _box_texts(self) -> pl.DataFrame:
        x = self._merged["_xh"]
        base = {"number": _DUMMY_CONTAINER}
        out: dict[str, pl.Series] = {
            "_xh": x["_xh"],
            "container_number": self._texts(x["_number"], Container, "number", {}),
        }
        fields = {c.name: c.path[0] for c in COLUMNS if c.group == "container"}
        for name in _EQUIPMENT:
            if name not in ("seal_numbers", "seal_sealers"):
                out[name] = self._texts(x[name], Container, fields[name], base)
        out["seal_numbers"], out["seal_sealers"] = self._seal_texts(
            x["seal_numbers"], x["seal_sealers"]
        )
        return pl.DataFrame([s.alias(k) for k, s in out.items()])

    def _seal_texts(self, numbers: pl.Series, sealers: pl.Series) -> tuple[pl.Series, pl.Series]:
        """The seal columns of containers whose seals the model takes as they are (the
        others are routed: ``_GroupTables._seals``): the numbers, and who sealed each."""
        sep = self.mapping.list_separator
        positional = self._positional("seal_sealers")
        sealer = self._field_check(Seal, "sealer", {"number": "X"})

        distinct = numbers.drop_nulls().unique()
        found = [
            [p for p in list_parts(v, sep, positional=False) if p is not None]
            for v in distinct.to_list()
        ]
        number_texts = numbers.replace_strict(
            distinct, pl.Series([cell_text(f) for f in found], dtype=pl.String),
            default=None, return_dtype=pl.String,
        )  # fmt: skip
        count = numbers.replace_strict(
            distinct, pl.Series([len(f) for f in found], dtype=pl.Int64),
            default=0, return_dtype=pl.Int64,
        ).fill_null(0)  # fmt: skip
        combos = pl.DataFrame({"s": sealers, "n": count}).unique()
        texts = []
        for cell, n in combos.iter_rows():
            kinds = list_parts(cell, sep, positional=positional) if cell is not None else []
            said = [sealer(k)[0] if k is not None else None for k in kinds]
            said += [None] * max(0, n - len(said))
            texts.append(cell_text([k or "" for k in said]) if any(said) else None)
        combos = combos.with_columns(pl.Series("t", texts, dtype=pl.String))
        sealer_texts = (
            pl.DataFrame({"s": sealers, "n": count})
            .join(combos, on=["s", "n"], how="left", nulls_equal=True, maintain_order="left")
            .get_column("t")
        )
        return number_texts, sealer_texts

    def _goods_texts(self, fast_rows: pl.DataFrame) -> pl.DataFrame:
        wanted = fast_rows.filter(pl.col("_has_goods")).select("_row")
        cells = self._select([self._column(n) for n in _GOODS]).with_columns(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row")
        )
        g = cells.join(wanted, on="_row", how="semi")
        out = {"_row": g["_row"]}
        for name in _GOODS:
            out[name] = self._texts(g[name], GoodsItem, name, {})
        return pl.DataFrame([s.alias(k) for k, s in out.items()])


# --- the model's rules, for the columns of many distinct cells ------------------------


def _field_kind(model: type[RecordModel], field: str) -> str:
    """How the model reads a field, where a shortcut gives the model's own text: plain
    text (``str``, stripped), a weight or rate (``float``), an amount (``Decimal``), a
    count (``int``), a B/L or container number (``key``); else ``model``."""
    if (model, field) in ((Consignment, "master_bl_number"), (Container, "number")):
        return "key"
    if (model, field) in (
        (GoodsItem, "gross_weight_kg"), (GoodsItem, "net_weight_kg"),
        (Container, "verified_gross_mass_kg"), (Container, "tare_kg"),
        (Consignment, "tax_rate"),
    ):  # fmt: skip
        return "float"
    if (model, field) == (GoodsItem, "value"):
        return "decimal"
    if (model, field) == (GoodsItem, "packages"):
        return "count"
    info = model.model_fields[field]
    validators = model.__pydantic_decorators__.field_validators.values()
    if info.annotation == (str | None) and not any(
        field in v.info.fields for v in validators
    ):  # fmt: skip
        return "text"
    return "model"


def _stripped(cell: str) -> str | None:
    return cell.strip() or None


def _float_text(cell: str) -> str | None:
    text = cell.strip()
    return str(float(text)) if _PLAIN_NUMBER.fullmatch(text) else None


def _decimal_text(cell: str) -> str | None:
    text = cell.strip()
    return str(Decimal(text)) if _PLAIN_NUMBER.fullmatch(text) else None


def _count_text(cell: str) -> str | None:
    text = cell.strip()
    return text if _PLAIN_COUNT.fullmatch(text) else None


def _key_text(cell: str) -> str | None:
    text = cell.strip()
    return text if _SQUEEZED.fullmatch(text) else None
