"""``read_frame``: a flat CSV or Parquet batch straight into the shipment frame.

:func:`~riskprofile.read_batch` builds one Pydantic model per record and one
:class:`~riskprofile.Shipment` per container and bill of lading; that is the reference
semantics, and too slow for a million containers. ``read_frame`` reads the same file into
Polars and builds the shipment frame column by column: grouping rows into vessel calls,
bills of lading and containers, the standards' normalisation and checks, the
data-quality flags and every derived field.

It is a hybrid, and exact by construction where it is not exact by computation:

- Every value with a standard (a country, a LOCODE, an HS code, a size-type, a date, a
  yes/no word...) is checked by the data model itself, once per *distinct* value of the
  column, so normalisation and flags are the model's own. High-cardinality values
  (container numbers, weights, amounts, names) are checked by vectorised expressions for
  their common shapes (ISO 6346 check digits in Polars) and by the model for the rest.
- What the column-wise path does not reproduce goes through the model path
  (:class:`~riskprofile.io._table.TableReader`, :func:`~riskprofile.model.shipment.flatten`
  and :func:`~riskprofile.engines.columnar.shipment_frame`) for just the rows concerned:
  rows that are rejected, bills of lading and containers whose rows disagree (conflicting
  values for the same key), seals the model must repair, unusual yes/no words, and in
  strict mode anything that breaks a standard. Such a row takes with it every row of its
  bills of lading and containers (the closure), so that counts and totals across them
  stay those of the model; a vessel call whose voyage columns disagree goes whole.
- A whole file goes through the model path when reading it column-wise could differ from
  the reference reader at all: JSON input, a column mapping with date formats, CSV with
  line breaks inside quoted cells or unusual quoting, Parquet columns that are not text.
  :attr:`FrameBatch.fallback` says why.

The result is the frame :func:`~riskprofile.engines.columnar.shipment_frame` gives for
``read_batch(path).shipments`` (same rows, order, values and dtypes) and the same rejected
records; the tests prove it by property tests against the model path.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from riskprofile.engines.columnar._frame import DECIMAL_SCALE, frame_schema, shipment_frame
from riskprofile.errors import InputFormatError
from riskprofile.io._batch import RejectedRecord
from riskprofile.io._layout import COLUMNS, ColumnMapping
from riskprofile.io._read import BatchFormat, detect_format, read_batch
from riskprofile.io._table import TableReader
from riskprofile.model._base import LENIENT, RecordModel, Strictness, validation_context
from riskprofile.model.codes import describe_size_type
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Manifest, Party, Seal
from riskprofile.model.shipment import Shipment, _flag_names, flatten

__all__ = ["FrameBatch", "read_frame"]

# Python's str.strip()/str.split() whitespace (str.isspace), which is wider than the
# Unicode White_Space that Polars' own strip uses (it adds \x1c-\x1f).
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"
_ASCII_ONLY = r"^[\x00-\x7f]*$"
# normalise_code's pattern ([\s\-./]+ in Python) for ASCII text.
_CODE_JUNK = r"[\t\n\x0b\x0c\r\x1c-\x1f \-./]+"

_VOYAGE = ("vessel_name", "vessel_imo", "voyage_number", "carrier_scac", "port_of_call",
           "arrival")  # fmt: skip
_CALL_KEY = ("vessel_imo", "vessel_name", "voyage_number", "port_of_call")
_BILL = tuple(c.name for c in COLUMNS if c.group == "bill_of_lading")
_BOX = tuple(c.name for c in COLUMNS if c.group == "container")
_EQUIPMENT = tuple(n for n in _BOX if n != "container_number")
_GOODS = tuple(c.name for c in COLUMNS if c.group == "goods")
_LISTS = frozenset(c.name for c in COLUMNS if c.kind == "list")
_POSITIONAL = frozenset({"seal_numbers", "seal_sealers"})
_NUMBERS = frozenset(c.name for c in COLUMNS if c.kind in ("number", "integer"))
_ROLES = (("shipper", "shipper"), ("consignee", "consignee"), ("notify", "notify_party"),
          ("freight_payer", "freight_payer"))  # fmt: skip
_DUMMY_CONTAINER = "CSQU3054383"
_SALVAGED = frozenset({"invalid_value", "unknown_field"})
_CONSISTENCY = frozenset({"inconsistent", "implausible", "duplicate"})
_MAX_GROSS_MASS_KG = 45_000.0
_MAX_TARE_KG = 12_000.0
# Plain decimal numbers that Polars and the model parse to the same value.
_PLAIN_FLOAT = r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?$"
_PLAIN_INT = r"^(0|[1-9][0-9]{0,17})$"
_PLAIN_DECIMAL = r"^-?(0|[1-9][0-9]{0,19})(\.[0-9]{1,18})?$"
_DECIMAL = pl.Decimal(38, DECIMAL_SCALE)
_UTC = pl.Datetime("us", "UTC")
_FLAGS = pl.List(pl.String)


@dataclass(frozen=True)
class FrameBatch:
    """The result of :func:`read_frame`: the shipment frame and every rejected record.

    Attributes:
        source: the file read.
        format: ``csv`` or ``parquet`` (``json``/``jsonl`` when the file was JSON, read
            through the model path).
        strictness: the validation mode used.
        frame: the shipment frame (:func:`~riskprofile.engines.columnar.frame_schema`),
            equal to ``shipment_frame(read_batch(path).shipments)``.
        rejected: every record that could not be used, as ``read_batch`` reports it.
        records_read: records in the file (rows of a flat file).
        manifests: vessel calls read.
        ignored_columns: columns of a flat file that the layout and mapping do not use.
        record_unit: what a record number counts: ``line`` (CSV), ``row`` (Parquet), or
            for JSON ``line``/``manifest``.
        rows_via_models: records that went through the model path (the rest were read
            column-wise); all of them when ``fallback`` is set.
        fallback: why the whole file went through the model path, or null.
    """

    source: str
    format: BatchFormat
    strictness: Strictness
    frame: pl.DataFrame
    rejected: tuple[RejectedRecord, ...]
    records_read: int
    manifests: int
    ignored_columns: tuple[str, ...]
    record_unit: str
    rows_via_models: int
    fallback: str | None = None

    @property
    def records_accepted(self) -> int:
        """Records that made it into shipments: ``records_read - len(rejected)``."""
        return self.records_read - len(self.rejected)

    @property
    def rows_column_wise(self) -> int:
        """Records read column-wise, without a model object."""
        return self.records_read - self.rows_via_models


def read_frame(
    path: str | Path,
    *,
    mapping: ColumnMapping | str | Path | None = None,
    strictness: Strictness = "lenient",
    format: BatchFormat | None = None,
) -> FrameBatch:
    """Read a flat CSV or Parquet batch straight into the shipment frame (needs polars).

    Arguments as for :func:`~riskprofile.read_batch`; the frame equals
    ``shipment_frame(read_batch(path, ...).shipments)`` and ``rejected`` equals its
    rejected records. JSON input and column mappings with ``date_format`` or
    ``datetime_format`` are read through the model path (``fallback`` says so).

    Raises:
        InputFormatError: the file cannot be read at all (as ``read_batch``).
        MappingError: the mapping file is invalid.

    >>> batch = read_frame("examples/data/karachi-sample.csv")
    >>> batch.frame.height, batch.rows_via_models < batch.records_read
    (255, True)
    """
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputFormatError("no such file", path=source)
    fmt = format or detect_format(path)
    validation_context(strictness)
    if fmt in ("json", "jsonl"):
        return _via_models(path, mapping, strictness, fmt, "JSON input")
    if mapping is None:
        resolved = ColumnMapping.identity()
    elif isinstance(mapping, ColumnMapping):
        resolved = mapping
    else:
        resolved = ColumnMapping.from_file(mapping)
    if resolved.date_format or resolved.datetime_format:
        return _via_models(path, resolved, strictness, fmt, "date formats in the column mapping")
    if fmt == "csv" and path.suffix.lower() == ".tsv" and resolved.delimiter == ",":
        resolved = replace(resolved, delimiter="\t")
    loaded = _load_csv(path, resolved) if fmt == "csv" else _load_parquet(path)
    if isinstance(loaded, str):
        return _via_models(path, resolved, strictness, fmt, loaded)
    header, raw = loaded
    # The reference reader's header checks (and errors), and which file columns feed ours.
    table = TableReader(resolved, strictness, header, source)
    return _Reader(path, fmt, resolved, strictness, table, raw).read()


def _via_models(
    path: Path,
    mapping: ColumnMapping | str | Path | None,
    strictness: Strictness,
    fmt: BatchFormat,
    reason: str,
) -> FrameBatch:
    batch = read_batch(path, mapping=mapping, strictness=strictness, format=fmt)
    return FrameBatch(
        source=batch.source,
        format=fmt,
        strictness=strictness,
        frame=shipment_frame(batch.shipments),
        rejected=tuple(batch.rejected),
        records_read=batch.records_read,
        manifests=batch.manifests,
        ignored_columns=tuple(batch.ignored_columns),
        record_unit=batch.record_unit,
        rows_via_models=batch.records_read,
        fallback=reason,
    )


# --- loading -------------------------------------------------------------------------------


def _load_parquet(path: Path) -> tuple[list[str], pl.DataFrame] | str:
    try:
        raw = pl.read_parquet(path)
    except Exception:  # the model path reports an unreadable file properly
        return "the Parquet file cannot be read column-wise"
    if any(dtype not in (pl.String, pl.Null) for dtype in raw.schema.values()):
        return "Parquet columns that are not text"
    raw = raw.with_columns(pl.col(pl.Null).cast(pl.String))
    lines = pl.int_range(1, raw.height + 1, dtype=pl.Int64, eager=True)
    return list(raw.columns), raw.with_columns(lines.alias("__line__"))


def _field_pattern(delimiter: str) -> str:
    d = re.escape(delimiter)
    cell = f'(?:[^"{d}\\n]*|"(?:[^"]|"")*")'
    return f"^{cell}(?:{d}{cell})*$"


def _load_csv(path: Path, mapping: ColumnMapping) -> tuple[list[str], pl.DataFrame] | str:
    try:
        text = path.read_bytes().decode(mapping.encoding)
    except (OSError, UnicodeDecodeError, LookupError):
        return "the file cannot be decoded column-wise"
    if mapping.delimiter in ('"', "\n", "\r"):
        return "an unusual delimiter"
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        return "line breaks other than LF and CRLF"
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or "\x00" in text:
        return "an empty file or NUL characters"
    # Every line must be one record of plain RFC 4180 cells (quoted cells with doubled
    # quotes, no line breaks inside): then line numbers are physical lines and Polars
    # splits cells exactly as Python's csv module does.
    checked = pl.Series(lines, dtype=pl.String).str.contains(_field_pattern(mapping.delimiter))
    if not checked.all():
        return "CSV quoting that only the csv module reads the same way"
    header = [h.strip() for h in next(csv.reader([lines[0]], delimiter=mapping.delimiter))]
    if len(set(header)) != len(header) or not header:
        return "a header the reference reader must judge"
    try:
        raw = pl.read_csv(
            "\n".join(lines).encode("utf-8"),
            separator=mapping.delimiter,
            has_header=True,
            infer_schema=False,
            quote_char='"',
            new_columns=header,
        )
    except pl.exceptions.PolarsError:
        return "rows with more cells than the header"
    if raw.height != len(lines) - 1 or raw.width != len(header):
        return "rows that Polars splits differently"
    raw = raw.with_columns(pl.int_range(2, raw.height + 2, dtype=pl.Int64).alias("__line__"))
    # The csv module skips rows whose every cell is blank (they are not records).
    blank = pl.all_horizontal(
        [pl.col(h).is_null() | (pl.col(h).str.strip_chars(PY_WHITESPACE) == "") for h in header]
    )
    return header, raw.filter(~blank)


# --- value helpers -------------------------------------------------------------------------


def _strip(expr: pl.Expr) -> pl.Expr:
    """Python's ``str.strip()``, empty text as null."""
    stripped = expr.str.strip_chars(PY_WHITESPACE)
    return pl.when(stripped != "").then(stripped)


def _by_python(
    s: pl.Series, vectorised: Callable[[pl.Expr], pl.Expr], python: Callable[[str], Any]
) -> pl.Series:
    """``vectorised`` for ASCII text, ``python`` for the distinct non-ASCII values (Python's
    upper-casing and whitespace differ from Rust's outside ASCII)."""
    frame = s.rename("v").to_frame()
    out = frame.select(vectorised(pl.col("v"))).to_series()
    odd = s.str.contains(_ASCII_ONLY).not_().fill_null(False)
    if odd.any():
        values = s.filter(odd).unique()
        mapped = pl.Series([python(v) for v in values], dtype=out.dtype)
        replaced = s.replace_strict(values, mapped, default=None, return_dtype=out.dtype)
        out = replaced.zip_with(odd, out)
    return out.rename(s.name)


def _fold_upper(s: pl.Series) -> pl.Series:
    """``" ".join(value.split()).upper()`` (the shipment's text fields)."""
    return _by_python(
        s,
        lambda e: (
            e.str.replace_all(f"{_WS_CLASS}+", " ")
            .str.strip_chars(" ")
            .str.to_uppercase()
            .pipe(lambda x: pl.when(x != "").then(x))
        ),
        lambda v: " ".join(v.split()).upper() or None,
    )


def _squeeze_upper(s: pl.Series) -> pl.Series:
    """``"".join(value.split()).upper()`` (B/L numbers)."""
    return _by_python(
        s,
        lambda e: e.str.replace_all(f"{_WS_CLASS}+", "").str.to_uppercase(),
        lambda v: "".join(v.split()).upper(),
    )


def _upper(s: pl.Series) -> pl.Series:
    return _by_python(s, lambda e: e.str.to_uppercase(), lambda v: v.upper())


def _container_key(s: pl.Series) -> pl.Series:
    """``normalise_container_number(value) or value`` (how the reader keys containers)."""
    from riskprofile.model.codes import normalise_container_number

    return _by_python(
        s,
        lambda e: (
            e.str.replace_all(_CODE_JUNK, "")
            .str.to_uppercase()
            .pipe(lambda x: pl.when(x != "").then(x).otherwise(e))
        ),
        lambda v: normalise_container_number(v) or v,
    )


@dataclass(frozen=True)
class _Checked:
    """One column's values after the model's field validation, with its flag codes."""

    value: pl.Series
    salvaged: pl.Series  # invalid_value and the like: the value was dropped
    standard: pl.Series  # the value breaks its standard (format, check_digit...)


def _field_check(
    model: type[RecordModel], field: str, base: dict[str, Any], element: bool = False
) -> Callable[[str], tuple[Any, str | None, str | None]]:
    """The model's own verdict on one value of one field (lenient mode)."""

    @cache
    def check(text: str) -> tuple[Any, str | None, str | None]:
        doc = {**base, field: [text] if element else text}
        record = model.model_validate(doc, context=LENIENT)
        value = getattr(record, field)
        if element:
            value = value[0] if value else None
        salvaged = standard = None
        for flag in record.quality_flags:
            name = re.sub(r"\[\d+\]$", "", flag.field)
            if name != field or flag.code in _CONSISTENCY:
                continue
            if flag.code in _SALVAGED:
                salvaged = salvaged or flag.code
            else:
                standard = standard or flag.code
        return value, salvaged, standard

    return check


def _check_distinct(
    s: pl.Series, check: Callable[[str], tuple[Any, str | None, str | None]], dtype: Any
) -> _Checked:
    """Apply ``check`` to each distinct value of ``s``."""
    values = s.drop_nulls().unique()
    results = [check(v) for v in values]
    mapped = [
        pl.Series([r[i] for r in results], dtype=t)
        for i, t in ((0, dtype), (1, pl.String), (2, pl.String))
    ]
    out = [s.replace_strict(values, m, default=None, return_dtype=m.dtype) for m in mapped]
    return _Checked(out[0], out[1], out[2])


def _check_number(
    s: pl.Series,
    check: Callable[[str], tuple[Any, str | None, str | None]],
    plain: str,
    dtype: Any,
    negative_flag: bool,
) -> _Checked:
    """Numbers of a plain shape parsed by Polars; the rest by the model."""
    is_plain = s.str.contains(plain).fill_null(False)
    values = s.filter(~is_plain & s.is_not_null()).unique()
    odd = _check_distinct(values, check, dtype)
    frame = pl.DataFrame({"s": s, "plain": is_plain})
    fast = pl.when(pl.col("plain")).then(pl.col("s").cast(dtype, strict=False))
    odd_value = s.replace_strict(values, odd.value, default=None, return_dtype=odd.value.dtype)
    odd_sal = s.replace_strict(values, odd.salvaged, default=None, return_dtype=pl.String)
    odd_std = s.replace_strict(values, odd.standard, default=None, return_dtype=pl.String)
    out = frame.with_columns(
        odd_value.alias("ov"), odd_sal.alias("os"), odd_std.alias("ot")
    ).select(
        pl.when(pl.col("plain")).then(fast).otherwise(pl.col("ov")).alias("value"),
        pl.when(pl.col("plain")).then(None).otherwise(pl.col("os")).cast(pl.String).alias("sal"),
        (
            pl.when(pl.col("plain"))
            .then(pl.when(fast < 0).then(pl.lit("negative")) if negative_flag else None)
            .otherwise(pl.col("ot"))
        )
        .cast(pl.String)
        .alias("std"),
    )
    return _Checked(out["value"], out["sal"], out["std"])


def _exact(
    check: Callable[[str], tuple[Any, str | None, str | None]],
) -> Callable[[str], tuple[Any, str | None, str | None]]:
    """Amounts the frame's decimals hold exactly; others are left to the model path."""

    def inner(text: str) -> tuple[Any, str | None, str | None]:
        value, salvaged, standard = check(text)
        if isinstance(value, Decimal):
            exponent = value.as_tuple().exponent
            if not isinstance(exponent, int) or exponent < -DECIMAL_SCALE or abs(value) >= 10**19:
                return None, None, None
        return value, salvaged, standard

    return inner


def _seq_sum(name: str) -> pl.Expr:
    """Python's ``sum()`` of the known values in order: left to right, as the model path
    adds them (Polars' own float sum adds in another order), and ``0 + x`` for one value."""
    return pl.col(name).drop_nulls().cum_sum().last() + 0.0


def _flag(prefix: str, code: pl.Expr) -> pl.Expr:
    return pl.when(code.is_not_null()).then(pl.lit(prefix + ":") + code)


def _flag_list(items: Iterable[pl.Expr]) -> pl.Expr:
    return pl.concat_list(list(items)).list.drop_nulls()


# --- the reader ----------------------------------------------------------------------------


class _Reader:
    def __init__(
        self,
        path: Path,
        fmt: BatchFormat,
        mapping: ColumnMapping,
        strictness: Strictness,
        table: TableReader,
        raw: pl.DataFrame,
    ) -> None:
        self.path = path
        self.source = str(path)
        self.fmt = fmt
        self.mapping = mapping
        self.strictness = strictness
        self.strict = strictness == "strict"
        self.table = table
        self.raw = raw
        self.unit = "line" if fmt == "csv" else "row"

    # --- layout columns ----------------------------------------------------------------

    def _layout(self) -> pl.DataFrame:
        """Our columns as the reference reader's ``_values`` sees them: stripped text or
        null; lists as lists of stripped parts (null when empty)."""
        exprs = []
        sep = self.mapping.list_separator
        for column in COLUMNS:
            names = self.table.sources.get(column.name, ())
            default = self.mapping.defaults.get(column.name)
            if column.kind == "list":
                positional = column.name in _POSITIONAL and len(names) == 1
                parts = []
                for name in names:
                    cell = pl.col(name)
                    blank = cell.is_null() | (cell.str.strip_chars(PY_WHITESPACE) == "")
                    items = cell.str.split(sep).list.eval(
                        pl.element().str.strip_chars(PY_WHITESPACE)
                    )
                    if positional:
                        items = items.list.eval(pl.when(pl.element() != "").then(pl.element()))
                    else:
                        items = items.list.eval(pl.element().filter(pl.element() != ""))
                    parts.append(pl.when(~blank).then(items).otherwise(pl.lit([], _FLAGS)))
                joined = pl.concat_list(parts) if parts else pl.lit([], _FLAGS)
                if default is not None:
                    fallback = [p.strip() for p in default.split(sep) if p.strip()]
                    joined = (
                        pl.when(joined.list.len() == 0)
                        .then(pl.lit(fallback, _FLAGS))
                        .otherwise(joined)
                    )
                exprs.append(pl.when(joined.list.len() > 0).then(joined).alias(column.name))
                continue
            value = _strip(pl.col(names[0])) if names else pl.lit(None, pl.String)
            if default is not None:
                value = pl.coalesce(value, _strip(pl.lit(default, pl.String)))
            if column.kind in ("number", "integer") and self.mapping.decimal_comma:
                value = (
                    value.str.replace_all(".", "", literal=True)
                    .str.replace_all(" ", "", literal=True)
                    .str.replace_all(",", ".", literal=True)
                )
            exprs.append(value.alias(column.name))
        return self.raw.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
            pl.col("__line__").alias("_line"),
            *exprs,
        )

    # --- the read ----------------------------------------------------------------------

    def read(self) -> FrameBatch:
        rows = self._layout()
        goods_cols = [pl.col(c).is_not_null() for c in _GOODS]
        rows = rows.with_columns(_has_goods=pl.any_horizontal(goods_cols))
        # Rows rejected on their own (no key, goods without a B/L) never join a group.
        lone = (pl.col("bl_number").is_null() & pl.col("container_number").is_null()) | (
            pl.col("bl_number").is_null() & pl.col("_has_goods")
        )
        rows = rows.with_columns(_lone=lone)
        keys = self._keys(rows)
        rows = rows.with_columns(keys)
        rows = self._ids(rows)

        calls = self._calls(rows)
        bills = self._bills(rows)
        boxes = self._boxes(rows)
        goods = self._goods(rows)

        routed = self._routed(rows, calls, bills, boxes, goods)
        fast_rows = rows.filter(~routed & ~pl.col("_lone"))
        slow_rows = rows.filter(routed | pl.col("_lone"))

        fast = self._fast_frame(fast_rows, calls, bills, boxes, goods)
        slow, rejected, slow_calls = self._slow_frame(slow_rows, rows)
        frame = pl.concat([fast, slow]) if slow.height else fast
        frame = frame.sort("_k0", "_k1", "_k2", "_k3").drop("_k0", "_k1", "_k2", "_k3")
        fast_calls = set(fast_rows["_call"].unique().to_list())
        return FrameBatch(
            source=self.source,
            format=self.fmt,
            strictness=self.strictness,
            frame=frame,
            rejected=tuple(rejected),
            records_read=rows.height,
            manifests=len(fast_calls | slow_calls),
            ignored_columns=tuple(self.table.ignored_columns),
            record_unit=self.unit,
            rows_via_models=slow_rows.height,
        )

    # --- keys and ids --------------------------------------------------------------------

    def _keys(self, rows: pl.DataFrame) -> list[pl.Series]:
        number = _container_key(rows["container_number"]).alias("_number")
        bl_key = _squeeze_upper(rows["bl_number"]).alias("_bl")
        parts = [_upper(rows[c]).fill_null("") for c in _CALL_KEY]
        call_key = pl.DataFrame(parts).select(
            pl.concat_str([pl.col(c) for c in _CALL_KEY], separator="\x1f").alias("_callkey")
        )["_callkey"]
        return [number, bl_key, call_key]

    def _ids(self, rows: pl.DataFrame) -> pl.DataFrame:
        grouped = rows.filter(~pl.col("_lone"))
        call_ids = grouped.group_by("_callkey").agg(pl.col("_row").min().alias("_call"))
        rows = rows.join(call_ids, on="_callkey", how="left").with_columns(
            pl.when(~pl.col("_lone")).then(pl.col("_call")).alias("_call")
        )
        bill = pl.when(pl.col("_bl").is_not_null() & ~pl.col("_lone"))
        box = pl.when(pl.col("_number").is_not_null() & ~pl.col("_lone"))
        row = pl.when(~pl.col("_lone")).then(pl.col("_row"))
        rows = rows.with_columns(
            bill.then(row.min().over("_call", "_bl")).alias("_bill"),
            box.then(row.min().over("_call", "_number")).alias("_box"),
        )
        return rows.sort("_row")

    # --- groups ------------------------------------------------------------------------

    @staticmethod
    def _group(rows: pl.DataFrame, key: str, columns: Iterable[str]) -> pl.DataFrame:
        """First non-null value per column and whether the rows disagree."""
        aggs: list[pl.Expr] = []
        conflicts: list[pl.Expr] = []
        for c in columns:
            col = pl.col(c)
            if c in _LISTS:
                text = col.list.eval(pl.element().fill_null("\x00")).list.join("\x1f")
                conflicts.append(text.drop_nulls().n_unique() > 1)
            else:
                conflicts.append(col.drop_nulls().n_unique() > 1)
            aggs.append(col.drop_nulls().first().alias(c))
        return (
            rows.filter(pl.col(key).is_not_null())
            .group_by(key)
            .agg(*aggs, pl.any_horizontal(conflicts).alias("_conflict"))
            .sort(key)
        )

    def _calls(self, rows: pl.DataFrame) -> dict[int, _Call]:
        groups = self._group(rows, "_call", _VOYAGE)
        out = {}
        context = validation_context("lenient")
        for row in groups.iter_rows(named=True):
            doc = {k: row[k] for k in _VOYAGE if row[k] is not None}
            # The voyage columns go to the model as the reader nests them.
            manifest = Manifest.model_validate(doc, context=context)
            flags = [f for flag in manifest.quality_flags for f in _flag_names([flag], "")]
            broken = any(f.code not in _CONSISTENCY for f in manifest.quality_flags)
            out[row["_call"]] = _Call(manifest, flags, row["_conflict"], broken)
        return out

    def _bills(self, rows: pl.DataFrame) -> pl.DataFrame:
        b = self._group(rows, "_bill", ("_bl", *_BILL))
        b = b.with_columns(pl.col("_bl").alias("bl_number_norm"))
        cols: dict[str, pl.Series] = {}
        sal: dict[str, pl.Series] = {}
        std: dict[str, pl.Series] = {}
        base = {"bl_number": "X"}
        cols["master_bl_number"] = _squeeze_upper(b["master_bl_number"])
        for name, field, dtype in (
            ("bl_issue_date", "issue_date", pl.Date),
            ("freight_terms", "freight_terms", pl.String),
            ("place_of_receipt", "place_of_receipt", pl.String),
            ("port_of_loading", "port_of_loading", pl.String),
            ("port_of_discharge", "port_of_discharge", pl.String),
            ("place_of_delivery", "place_of_delivery", pl.String),
        ):
            checked = _check_distinct(b[name], _field_check(Consignment, field, base), dtype)
            cols[name], sal[name], std[name] = checked.value, checked.salvaged, checked.standard
        # Transshipment ports: each element checked, kept in order.
        ts = b.select("_bill", "transshipment_ports").explode("transshipment_ports")
        ts = ts.with_columns(pl.int_range(pl.len()).over("_bill").alias("_i"))
        checked = _check_distinct(
            ts["transshipment_ports"],
            _field_check(Consignment, "transshipment_ports", base, element=True),
            pl.String,
        )
        ts = ts.with_columns(
            checked.value.alias("_v"),
            _flag("transshipment_ports", pl.lit(checked.standard)).alias("_f"),
        )
        ts_lists = ts.group_by("_bill", maintain_order=True).agg(
            pl.col("_v").drop_nulls().alias("ts"), pl.col("_f").drop_nulls().alias("ts_flags")
        )
        parties: dict[str, pl.Series] = {}
        for prefix, _role in _ROLES:
            party_fields: tuple[tuple[str, Any], ...] = (
                ("country", pl.String),
                ("aeo", pl.Boolean),
            )
            for field, dtype in party_fields:
                name = f"{prefix}_{field}"
                checked = _check_distinct(b[name], _field_check(Party, field, {}), dtype)
                parties[name] = checked.value
                sal[name], std[name] = checked.salvaged, checked.standard
            for field in ("name", "address"):
                parties[f"{prefix}_{field}_text"] = _fold_upper(b[f"{prefix}_{field}"])
            parties[f"{prefix}_identifier_upper"] = _upper(b[f"{prefix}_identifier"])
        b = b.with_columns(
            *[s.alias(f"v_{k}") for k, s in cols.items()],
            *[s.alias(f"s_{k}") for k, s in sal.items()],
            *[s.alias(f"t_{k}") for k, s in std.items()],
            *[s.alias(f"p_{k}") for k, s in parties.items()],
        )
        b = b.join(ts_lists, on="_bill", how="left")
        own = [
            _flag("freight_terms", pl.col("s_freight_terms")),
            _flag("bl_issue_date", pl.col("s_bl_issue_date")),
            _flag("place_of_receipt", pl.col("t_place_of_receipt")),
            _flag("port_of_loading", pl.col("t_port_of_loading")),
            pl.col("ts_flags").fill_null(pl.lit([], _FLAGS)),
            _flag("port_of_discharge", pl.col("t_port_of_discharge")),
            _flag("place_of_delivery", pl.col("t_place_of_delivery")),
        ]
        party_flags = []
        for prefix, _role in _ROLES:
            party_flags += [
                _flag(f"{prefix}_aeo", pl.col(f"s_{prefix}_aeo")),
                _flag(f"{prefix}_country", pl.col(f"t_{prefix}_country")),
            ]
        b = b.with_columns(
            _flag_list(own).alias("_own_flags"),
            _flag_list(party_flags).alias("_party_flags"),
        )
        bad = [pl.col(f"s_{k}").is_not_null() | pl.col(f"t_{k}").is_not_null() for k in sal]
        bad.append(pl.col("ts_flags").list.len().fill_null(0) > 0)
        return b.with_columns(pl.any_horizontal(bad).alias("_broken"))

    def _boxes(self, rows: pl.DataFrame) -> pl.DataFrame:
        x = self._group(rows, "_box", ("_number", *_EQUIPMENT))
        number = pl.col("_number")
        shape = number.str.contains(r"^[A-Z]{3}[UJZ][0-9]{7}$")
        total = pl.lit(0, pl.Int64)
        for i in range(10):
            total = total + number.str.slice(i, 1).replace_strict(
                _ISO6346_VALUES, default=0, return_dtype=pl.Int64
            ) * (1 << i)
        digit = (total % 11 % 10).cast(pl.String)
        code = (
            pl.when(~shape)
            .then(pl.lit("format"))
            .when(digit != number.str.slice(10, 1))
            .then(pl.lit("check_digit"))
        )
        x = x.with_columns(code.alias("t_number"))
        base = {"number": _DUMMY_CONTAINER}
        size = _check_distinct(
            x["container_size_type"], _field_check(Container, "size_type", base), pl.String
        )
        full = _check_distinct(
            x["container_full"], _field_check(Container, "full", base), pl.Boolean
        )
        weights = {
            name: _check_number(
                x[name], _field_check(Container, field, base), _PLAIN_FLOAT, pl.Float64, True
            )
            for name, field in (("verified_gross_mass_kg", "verified_gross_mass_kg"),
                                ("tare_kg", "tare_kg"))
        }  # fmt: skip
        x = x.with_columns(
            size.value.alias("v_size"), size.standard.alias("t_size"),
            full.value.alias("v_full"), full.salvaged.alias("s_full"),
            *[w.value.alias(f"v_{n}") for n, w in weights.items()],
            *[w.salvaged.alias(f"s_{n}") for n, w in weights.items()],
            *[w.standard.alias(f"t_{n}") for n, w in weights.items()],
        )  # fmt: skip
        # Size-type facts, once per distinct code.
        codes = x["v_size"].drop_nulls().unique()
        described = [describe_size_type(c) for c in codes]
        x = x.with_columns(
            x["v_size"].replace_strict(
                codes, pl.Series([d.group if d else None for d in described], dtype=pl.String),
                default=None, return_dtype=pl.String).alias("v_type"),
            x["v_size"].replace_strict(
                codes, pl.Series([d.length_ft if d else None for d in described],
                                 dtype=pl.Float64),
                default=None, return_dtype=pl.Float64).alias("v_length"),
            x["v_size"].replace_strict(
                codes, pl.Series([d.teu if d else None for d in described], dtype=pl.Float64),
                default=None, return_dtype=pl.Float64).alias("v_teu"),
        )  # fmt: skip
        # Seals: numbers and sealers pair up by position.
        seals = x.select("_box", "seal_numbers", "seal_sealers")
        sealer_words = seals["seal_sealers"].explode().drop_nulls().unique()
        sealer_check = _field_check(Seal, "sealer", {"number": "X"})
        verdicts = [sealer_check(w) for w in sealer_words]
        sealer_map = pl.Series([v[0] for v in verdicts], dtype=pl.String)
        bad_words = pl.Series(
            [w for w, v in zip(sealer_words, verdicts, strict=True) if v[1] or v[2]],
            dtype=pl.String,
        )
        numbers = pl.col("seal_numbers").fill_null(pl.lit([], _FLAGS))
        sealers = pl.col("seal_sealers").fill_null(pl.lit([], _FLAGS))
        seal_trouble = (
            (sealers.list.len() > numbers.list.len())
            | (numbers.list.eval(pl.element().is_null()).list.any())
            | sealers.list.eval(pl.element().is_in(pl.lit(bad_words).implode())).list.any()
        )
        kinds = sealers.list.eval(
            pl.element().replace_strict(sealer_words, sealer_map, default=None,
                                        return_dtype=pl.String)
        )  # fmt: skip
        missing = (numbers.list.len() - kinds.list.len()).clip(lower_bound=0)
        padded = pl.concat_list(kinds, pl.lit(None, pl.String).repeat_by(missing))
        sealer_types = padded.list.eval(pl.element().fill_null("unknown")).list.unique().list.sort()
        x = x.with_columns(
            numbers.alias("v_seal_numbers"),
            pl.when(numbers.list.len() > 0).then(sealer_types).otherwise(
                pl.lit([], _FLAGS)).alias("v_sealer_types"),
            seal_trouble.fill_null(False).alias("_seal_trouble"),
        )  # fmt: skip
        vgm, tare = pl.col("v_verified_gross_mass_kg"), pl.col("v_tare_kg")
        flags = [
            _flag("container_full", pl.col("s_full")),
            _flag("tare_kg", pl.col("s_tare_kg")),
            _flag("verified_gross_mass_kg", pl.col("s_verified_gross_mass_kg")),
            _flag("container_number", pl.col("t_number")),
            _flag("container_size_type", pl.col("t_size")),
            _flag("verified_gross_mass_kg", pl.col("t_verified_gross_mass_kg")),
            _flag("tare_kg", pl.col("t_tare_kg")),
            pl.when((vgm >= 0) & (vgm < tare)).then(pl.lit("verified_gross_mass_kg:inconsistent")),
            pl.when(vgm > _MAX_GROSS_MASS_KG).then(pl.lit("verified_gross_mass_kg:implausible")),
            pl.when(tare > _MAX_TARE_KG).then(pl.lit("tare_kg:implausible")),
        ]
        broken = pl.any_horizontal(
            pl.col(c).is_not_null()
            for c in ("s_full", "s_tare_kg", "s_verified_gross_mass_kg", "t_number", "t_size",
                      "t_verified_gross_mass_kg", "t_tare_kg")
        )  # fmt: skip
        equipment = pl.any_horizontal(pl.col(c).is_not_null() for c in _EQUIPMENT)
        return x.with_columns(
            _flag_list(flags).alias("_box_flags"),
            broken.alias("_broken"),
            equipment.alias("_equipment"),
        )

    def _goods(self, rows: pl.DataFrame) -> pl.DataFrame:
        g = rows.filter(pl.col("_has_goods") & ~pl.col("_lone")).select(
            "_row", "_bill", "_box", *_GOODS
        )
        base: dict[str, Any] = {}
        checks: dict[str, _Checked] = {}
        for name, dtype in (("hs_code", pl.String), ("currency", pl.String),
                            ("origin_country", pl.String)):  # fmt: skip
            checks[name] = _check_distinct(g[name], _field_check(GoodsItem, name, base), dtype)
        for name in ("gross_weight_kg", "net_weight_kg"):
            checks[name] = _check_number(
                g[name], _field_check(GoodsItem, name, base), _PLAIN_FLOAT, pl.Float64, True
            )
        checks["packages"] = _check_number(
            g["packages"], _field_check(GoodsItem, "packages", base), _PLAIN_INT, pl.Int64, False
        )
        checks["value"] = _check_number(
            g["value"],
            _exact(_field_check(GoodsItem, "value", base)),
            _PLAIN_DECIMAL,
            _DECIMAL,
            True,
        )
        g = g.with_columns(
            *[c.value.alias(f"v_{k}") for k, c in checks.items()],
            *[c.salvaged.alias(f"s_{k}") for k, c in checks.items()],
            *[c.standard.alias(f"t_{k}") for k, c in checks.items()],
            _fold_upper(g["description"]).alias("v_description"),
            _upper(g["package_type"]).alias("v_package_type"),
        )
        gross, net = pl.col("v_gross_weight_kg"), pl.col("v_net_weight_kg")
        flags = [
            _flag("goods_gross_weight_kg", pl.col("s_gross_weight_kg")),
            _flag("goods_net_weight_kg", pl.col("s_net_weight_kg")),
            _flag("goods_packages", pl.col("s_packages")),
            _flag("goods_value", pl.col("s_value")),
            _flag("goods_hs_code", pl.col("t_hs_code")),
            _flag("goods_gross_weight_kg", pl.col("t_gross_weight_kg")),
            _flag("goods_net_weight_kg", pl.col("t_net_weight_kg")),
            _flag("goods_value", pl.col("t_value")),
            _flag("goods_currency", pl.col("t_currency")),
            _flag("goods_origin_country", pl.col("t_origin_country")),
            pl.when(net > gross).then(pl.lit("goods_net_weight_kg:inconsistent")),
        ]
        broken = pl.any_horizontal(
            pl.col(f"{p}_{k}").is_not_null() for k in checks for p in ("s", "t")
        )
        # An amount the frame cannot hold exactly goes to the model path (which refuses it
        # the same way the reference does).
        odd_value = (
            pl.col("value").is_not_null()
            & pl.col("v_value").is_null()
            & pl.col("s_value").is_null()
        )
        return g.with_columns(
            _flag_list(flags).alias("_goods_flags"), broken.alias("_broken"),
            odd_value.alias("_odd"),
        )  # fmt: skip

    # --- routing -----------------------------------------------------------------------

    def _routed(
        self,
        rows: pl.DataFrame,
        calls: dict[int, _Call],
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
        goods: pl.DataFrame,
    ) -> pl.Series:
        bad_calls = [k for k, c in calls.items() if c.conflict or (self.strict and c.broken)]
        bill_bad = pl.col("_conflict")
        box_bad = pl.col("_conflict") | pl.col("_seal_trouble")
        goods_bad = pl.col("_odd")
        if self.strict:
            bill_bad = bill_bad | pl.col("_broken")
            box_bad = box_bad | pl.col("_broken")
            goods_bad = goods_bad | pl.col("_broken")
        bad_bills = pl.concat(
            [bills.filter(bill_bad)["_bill"], goods.filter(goods_bad)["_bill"].drop_nulls()]
        ).unique()
        bad_boxes = boxes.filter(box_bad)["_box"]
        marked = (
            pl.col("_call").is_in(pl.Series(bad_calls, dtype=pl.Int64).implode())
            | pl.col("_bill").is_in(bad_bills.implode()).fill_null(False)
            | pl.col("_box").is_in(bad_boxes.implode()).fill_null(False)
        )
        mask = rows.select(marked.fill_null(False)).to_series()
        # The closure: every row of a routed bill of lading or container.
        while True:
            routed = rows.filter(mask)
            more = pl.col("_bill").is_in(routed["_bill"].drop_nulls().unique().implode()).fill_null(
                False
            ) | pl.col("_box").is_in(routed["_box"].drop_nulls().unique().implode()).fill_null(
                False
            )
            grown = rows.select(more.fill_null(False) | pl.lit(mask)).to_series()
            if grown.sum() == mask.sum():
                return mask
            mask = grown

    # --- the model path for a subset ---------------------------------------------------

    def _slow_frame(
        self, slow_rows: pl.DataFrame, rows: pl.DataFrame
    ) -> tuple[pl.DataFrame, list[RejectedRecord], set[int]]:
        empty = shipment_frame([]).with_columns(
            pl.lit(0, pl.Int64).alias(k) for k in ("_k0", "_k1", "_k2", "_k3")
        )
        if slow_rows.height == 0:
            return empty.clear(), [], set()
        # The routed rows' voyage columns as the whole call merged them (first value
        # wins), so that a part of a call has the call's header.
        header_fill = self._call_header_fill(rows, slow_rows)
        raw = self.raw.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row")).join(
            slow_rows.select("_row"), on="_row", how="semi"
        ).sort("_row")  # fmt: skip
        for source, values in header_fill.items():
            blank = pl.col(source).is_null() | (pl.col(source).str.strip_chars(PY_WHITESPACE) == "")
            raw = raw.with_columns(
                pl.when(blank).then(pl.lit(values)).otherwise(pl.col(source)).alias(source)
            )
        reader = TableReader(self.mapping, self.strictness, self.table_header, self.source)
        columns = [c for c in raw.columns if c not in ("_row", "__line__")]
        for record in raw.iter_rows(named=True):
            reader.add(record["__line__"], {c: record[c] for c in columns})
        strict = self.strictness == "strict"
        shipments: list[tuple[int, Shipment]] = []
        call_of_key = self._call_of_key(rows)
        slow_calls: set[int] = set()
        for key, call in reader._calls.items():
            call_id = call_of_key[key]
            for manifest in reader._finish_call(call, strict):
                slow_calls.add(call_id)
                shipments.extend((call_id, s) for s in flatten(manifest))
        frame = shipment_frame([s for _, s in shipments])
        order = self._slow_order(rows, [(c, s.bl_number, s.container_number) for c, s in shipments])
        frame = pl.concat([frame, order], how="horizontal")
        rejected = [
            RejectedRecord(self.source, line, tuple(problems))
            for line, problems in sorted(reader.problems.items())
        ]
        return frame, rejected, slow_calls

    @property
    def table_header(self) -> list[str]:
        return [c for c in self.raw.columns if c != "__line__"]

    def _call_header_fill(
        self, rows: pl.DataFrame, slow_rows: pl.DataFrame
    ) -> dict[str, pl.Series]:
        out: dict[str, pl.Series] = {}
        slow = slow_rows.select("_row", "_call")
        for name in _VOYAGE:
            sources = self.table.sources.get(name, ())
            if len(sources) != 1:
                continue
            source = sources[0]
            firsts = (
                self.raw.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"))
                .join(rows.select("_row", "_call"), on="_row")
                .filter(pl.col(source).str.strip_chars(PY_WHITESPACE) != "")
                .group_by("_call")
                .agg(pl.col(source).sort_by("_row").first().alias("_v"))
            )
            filled = slow.join(firsts, on="_call", how="left").sort("_row")["_v"]
            out[source] = filled
        return out

    def _call_of_key(self, rows: pl.DataFrame) -> dict[tuple[str, ...], int]:
        # The reference reader's call key for each call id.
        out: dict[tuple[str, ...], int] = {}
        for key, call in (
            rows.filter(pl.col("_call").is_not_null())
            .group_by("_callkey")
            .agg(pl.col("_call").first())
            .iter_rows()
        ):
            out[tuple(key.split("\x1f"))] = call
        return out

    def _slow_order(
        self, rows: pl.DataFrame, pieces: list[tuple[int, str | None, str | None]]
    ) -> pl.DataFrame:
        wanted = pl.DataFrame(
            {
                "_call": [p[0] for p in pieces],
                "_bl": [p[1] for p in pieces],
                "_number": [p[2] for p in pieces],
            },
            schema={"_call": pl.Int64, "_bl": pl.String, "_number": pl.String},
        ).with_row_index("_i")
        grouped = rows.filter(pl.col("_call").is_not_null())
        bill_first = (
            grouped.filter(pl.col("_bill").is_not_null())
            .group_by("_call", "_bl")
            .agg(pl.col("_row").min().alias("_bill_row"))
        )
        pair_first = (
            grouped.filter(pl.col("_bill").is_not_null() & pl.col("_box").is_not_null())
            .group_by("_call", "_bl", "_number")
            .agg(pl.col("_row").min().alias("_pair_row"))
        )
        box_first = (
            grouped.filter(pl.col("_box").is_not_null())
            .group_by("_call", "_number")
            .agg(pl.col("_row").min().alias("_box_row"))
        )
        joined = (
            wanted.join(bill_first, on=["_call", "_bl"], how="left", nulls_equal=False)
            .join(pair_first, on=["_call", "_bl", "_number"], how="left")
            .join(box_first, on=["_call", "_number"], how="left")
            .sort("_i")
        )
        return joined.select(
            pl.col("_call").cast(pl.Int64).alias("_k0"),
            pl.when(pl.col("_bl").is_null()).then(1).otherwise(0).cast(pl.Int64).alias("_k1"),
            pl.when(pl.col("_bl").is_null()).then(pl.col("_box_row"))
            .otherwise(pl.col("_bill_row")).cast(pl.Int64).alias("_k2"),
            pl.when(pl.col("_bl").is_null()).then(0)
            .otherwise(pl.col("_pair_row").fill_null(-1)).cast(pl.Int64).alias("_k3"),
        )  # fmt: skip

    # --- the column-wise path ----------------------------------------------------------

    def _fast_frame(
        self,
        rows: pl.DataFrame,
        calls: dict[int, _Call],
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
        goods: pl.DataFrame,
    ) -> pl.DataFrame:
        grouped = rows
        # Pieces: (bill, container) pairs in first-seen order, a bill without containers
        # alone, then containers no bill names.
        pairs = (
            grouped.filter(pl.col("_bill").is_not_null() & pl.col("_box").is_not_null())
            .group_by("_bill", "_box")
            .agg(pl.col("_row").min().alias("_pair_row"), pl.col("_call").first())
        )
        bill_rows = (
            grouped.filter(pl.col("_bill").is_not_null())
            .group_by("_bill")
            .agg(
                pl.col("_call").first(),
                pl.col("_box").drop_nulls().n_unique().alias("_n_boxes"),
            )
        )
        lonely = bill_rows.filter(pl.col("_n_boxes") == 0).select(
            "_bill", pl.lit(None, pl.Int64).alias("_box"),
            pl.lit(-1, pl.Int64).alias("_pair_row"), "_call",
        )  # fmt: skip
        named = pairs.select("_box").unique()
        box_calls = (
            grouped.filter(pl.col("_box").is_not_null())
            .group_by("_box")
            .agg(pl.col("_call").first())
        )
        bare = box_calls.join(named, on="_box", how="anti").select(
            pl.lit(None, pl.Int64).alias("_bill"), "_box", pl.lit(0, pl.Int64).alias("_pair_row"),
            "_call",
        )  # fmt: skip
        pieces = pl.concat(
            [pairs.select("_bill", "_box", "_pair_row", "_call"), lonely, bare]
        ).with_columns(
            pl.col("_call").alias("_k0"),
            pl.when(pl.col("_bill").is_null()).then(1).otherwise(0).cast(pl.Int64).alias("_k1"),
            pl.coalesce("_bill", "_box").cast(pl.Int64).alias("_k2"),
            pl.col("_pair_row").cast(pl.Int64).alias("_k3"),
        )
        pieces = pieces.sort("_k0", "_k1", "_k2", "_k3").with_row_index("_piece")
        n_boxes = bill_rows.select("_bill", "_n_boxes")

        # Goods of each piece: its own lines, then the lines the bill shares.
        fast_goods = goods.join(rows.select("_row"), on="_row", how="semi")
        own = (
            fast_goods.filter(pl.col("_box").is_not_null())
            .join(pieces.select("_piece", "_bill", "_box"), on=["_bill", "_box"])
            .with_columns(pl.lit(0).alias("_shared"))
        )
        shared = (
            fast_goods.filter(pl.col("_box").is_null())
            .drop("_box")
            .join(
                pieces.filter(pl.col("_bill").is_not_null()).select("_piece", "_bill", "_box"),
                on="_bill",
            )
            .with_columns(pl.lit(1).alias("_shared"))
        )
        piece_goods = pl.concat([own, shared], how="diagonal_relaxed").sort(
            "_piece", "_shared", "_row"
        )
        shared_bills = (
            shared.select("_bill").unique().with_columns(pl.lit(True).alias("_has_shared"))
        )
        pieces = pieces.join(n_boxes, on="_bill", how="left").join(
            shared_bills, on="_bill", how="left"
        ).with_columns(
            pl.when(pl.col("_bill").is_null()).then(pl.lit("container"))
            .when(pl.col("_box").is_null()).then(pl.lit("bill_of_lading"))
            .when(pl.col("_has_shared").fill_null(False) & (pl.col("_n_boxes") > 1))
            .then(pl.lit("bill_of_lading")).otherwise(pl.lit("container")).alias("goods_scope")
        ).sort("_piece")  # fmt: skip

        with_currency = pl.col("v_value").is_not_null()
        goods_agg = piece_goods.group_by("_piece").agg(
            pl.len().alias("goods_item_count"),
            pl.col("v_hs_code").drop_nulls().unique(maintain_order=True).alias("hs_codes"),
            pl.col("v_description").drop_nulls().str.join(" | ").alias("description"),
            pl.col("v_origin_country").drop_nulls().unique(maintain_order=True)
            .alias("origin_countries"),
            pl.col("v_packages").drop_nulls().sum().alias("_packages_sum"),
            pl.col("v_packages").is_not_null().any().alias("_has_packages"),
            pl.col("v_package_type").drop_nulls().unique(maintain_order=True)
            .alias("package_types"),
            _seq_sum("v_gross_weight_kg").alias("goods_gross_weight_kg"),
            _seq_sum("v_net_weight_kg").alias("goods_net_weight_kg"),
            pl.col("v_currency").filter(with_currency).drop_nulls().unique(maintain_order=True)
            .alias("value_currencies"),
            (with_currency & pl.col("v_currency").is_null()).any().alias("_value_without_currency"),
            pl.col("v_value").drop_nulls().sum().alias("_value_sum"),
            pl.col("_goods_flags").list.explode(keep_nulls=False, empty_as_null=False)
            .alias("_goods_flags"),
            pl.col("v_gross_weight_kg").alias("_gross_list"),
        )  # fmt: skip
        p = pieces.join(goods_agg, on="_piece", how="left").sort("_piece")
        empty_list = pl.lit([], _FLAGS)
        hs = pl.col("hs_codes").fill_null(empty_list)
        p = p.with_columns(
            pl.col("goods_item_count").fill_null(0).cast(pl.Int64),
            hs.alias("hs_codes"),
            *[
                hs.list.eval(pl.element().str.slice(0, n)).list.unique(maintain_order=True)
                .alias(name)
                for name, n in (("hs_chapters", 2), ("hs_headings", 4), ("hs_subheadings", 6))
            ],
            pl.when(pl.col("description") != "").then(pl.col("description")).alias("description"),
            pl.col("origin_countries").fill_null(empty_list),
            pl.when(pl.col("_has_packages").fill_null(False)).then(pl.col("_packages_sum"))
            .cast(pl.Int64).alias("packages"),
            pl.col("package_types").fill_null(empty_list),
            pl.col("value_currencies").fill_null(empty_list),
            pl.col("_goods_flags").fill_null(empty_list),
        )  # fmt: skip
        one_currency = (pl.col("value_currencies").list.len() == 1) & ~pl.col(
            "_value_without_currency"
        ).fill_null(False)
        p = p.with_columns(
            pl.when(one_currency).then(pl.col("_value_sum")).cast(_DECIMAL).alias("declared_value")
        )
        p = p.with_columns(
            pl.when(pl.col("declared_value").is_not_null()).then(
                pl.col("value_currencies").list.first()
            ).alias("value_currency"),
            pl.when(
                pl.col("declared_value").is_not_null()
                & pl.col("goods_gross_weight_kg").is_not_null()
                & (pl.col("goods_gross_weight_kg") > 0)
            ).then(
                pl.col("declared_value").cast(pl.String).cast(pl.Float64)
                / pl.col("goods_gross_weight_kg")
            ).alias("value_per_kg"),
        )  # fmt: skip

        # Container totals over every piece that holds the container.
        box_pieces = p.filter(pl.col("_box").is_not_null())
        box_weights = (
            box_pieces.select("_piece", "_box", "_gross_list", "goods_scope")
            .explode("_gross_list")
            .sort("_piece", maintain_order=True)
            .group_by("_box", maintain_order=True)
            .agg(
                _seq_sum("_gross_list").alias("_box_goods"),
                (pl.col("goods_scope") == "container").all().alias("_known"),
            )
        )
        bl_counts = (
            box_pieces.filter(pl.col("_bill").is_not_null())
            .group_by("_box")
            .agg(pl.col("_bill").n_unique().alias("bl_count_in_container"))
        )
        # A container no bill names is on the manifest (declared) whatever its data.
        declared_boxes = boxes.join(named, on="_box", how="left").with_columns(
            (pl.col("_equipment") | ~pl.col("_box").is_in(named["_box"].implode()))
            .alias("_declared")
        )  # fmt: skip
        p = p.join(box_weights, on="_box", how="left").join(bl_counts, on="_box", how="left")
        p = p.join(
            declared_boxes.select(
                "_box", "_number", "_declared", "t_number", "v_size", "v_type", "v_length",
                "v_teu", "v_full", "v_seal_numbers", "v_sealer_types",
                "v_verified_gross_mass_kg", "v_tare_kg", "_box_flags",
            ),
            on="_box", how="left",
        )  # fmt: skip
        p = p.join(
            bills.select(
                "_bill", "bl_number_norm", "v_master_bl_number", "v_bl_issue_date",
                "v_freight_terms", "v_place_of_receipt", "v_port_of_loading",
                "v_port_of_discharge", "v_place_of_delivery", "ts", "_own_flags", "_party_flags",
                *[c for c in bills.columns if c.startswith("p_")],
                *[f"{r}_{f}" for r, _ in _ROLES
                  for f in ("name", "address", "identifier", "country", "aeo")],
            ),
            on="_bill", how="left",
        ).sort("_piece")  # fmt: skip
        return self._assemble(p, calls)

    def _assemble(self, p: pl.DataFrame, calls: dict[int, _Call]) -> pl.DataFrame:
        call_ids = sorted(calls)
        voyage = pl.DataFrame(
            {
                "_call": call_ids,
                "manifest_ref": [calls[c].manifest.reference for c in call_ids],
                "vessel_name": [calls[c].manifest.vessel_name for c in call_ids],
                "vessel_imo": [calls[c].manifest.vessel_imo for c in call_ids],
                "voyage_number": [calls[c].manifest.voyage_number for c in call_ids],
                "carrier_scac": [calls[c].manifest.carrier_scac for c in call_ids],
                "port_of_call": [calls[c].manifest.port_of_call for c in call_ids],
                "arrival": [calls[c].manifest.arrival for c in call_ids],
                "_call_flags": [calls[c].flags for c in call_ids],
            },
            schema={
                "_call": pl.Int64, "manifest_ref": pl.String, "vessel_name": pl.String,
                "vessel_imo": pl.String, "voyage_number": pl.String, "carrier_scac": pl.String,
                "port_of_call": pl.String, "arrival": _UTC, "_call_flags": _FLAGS,
            },
        )  # fmt: skip
        p = p.join(voyage, on="_call", how="left").sort("_piece")
        has_bill = pl.col("_bill").is_not_null()
        has_box = pl.col("_box").is_not_null()
        declared = has_box & pl.col("_declared").fill_null(False)
        number = pl.col("_number")
        vgm = pl.when(declared).then(pl.col("v_verified_gross_mass_kg"))
        tare = pl.when(declared).then(pl.col("v_tare_kg"))
        cargo = vgm - tare
        issue = pl.col("v_bl_issue_date")
        route_parts = pl.concat_list(
            pl.col("v_place_of_receipt"), pl.col("v_port_of_loading"),
            pl.col("ts").fill_null(pl.lit([], _FLAGS)), pl.col("v_port_of_discharge"),
            pl.col("v_place_of_delivery"),
        ).list.drop_nulls()  # fmt: skip

        def fold(expr: pl.Expr) -> pl.Expr:
            return expr.list.eval(
                pl.element().filter((pl.element() != pl.element().shift(1)).fill_null(True))
            )

        route = fold(route_parts)
        empty = pl.lit([], _FLAGS)

        def party_present(prefix: str) -> pl.Expr:
            return pl.any_horizontal(
                pl.col(f"{prefix}_{f}").is_not_null()
                for f in ("name", "address", "identifier", "country", "aeo")
            )

        def same_party(prefix: str) -> pl.Expr:
            a_id, b_id = (
                pl.col("p_freight_payer_identifier_upper"),
                pl.col(f"p_{prefix}_identifier_upper"),
            )
            a_name, b_name = pl.col("p_freight_payer_name_text"), pl.col(f"p_{prefix}_name_text")
            by_id = a_id.is_not_null() & b_id.is_not_null()
            return party_present(prefix) & pl.when(by_id).then(a_id == b_id).otherwise(
                (a_name.is_not_null() & b_name.is_not_null() & (a_name == b_name)).fill_null(False)
            )

        payer_role = (
            pl.when(~party_present("freight_payer")).then(None)
            .when(same_party("shipper")).then(pl.lit("shipper"))
            .when(same_party("consignee")).then(pl.lit("consignee"))
            .when(same_party("notify")).then(pl.lit("notify_party"))
            .otherwise(pl.lit("third_party"))
        )  # fmt: skip
        number_flag = _flag("container_number", pl.col("t_number"))
        flags = pl.concat_list(
            pl.col("_call_flags"),
            pl.when(has_bill).then(pl.col("_own_flags")).otherwise(empty),
            pl.when(has_bill).then(_flag_list([number_flag])).otherwise(empty),
            pl.when(has_bill).then(pl.col("_party_flags")).otherwise(empty),
            pl.col("_goods_flags"),
            pl.when(declared).then(pl.col("_box_flags")).otherwise(empty),
            pl.when(has_box & ~declared).then(_flag_list([number_flag])).otherwise(empty),
        ).list.unique(maintain_order=True)
        bl = pl.col("bl_number_norm")
        ref_key = pl.concat_str(
            pl.col("manifest_ref"), pl.lit("/"), bl.fill_null("-"), pl.lit("/"),
            number.fill_null("-"),
        )  # fmt: skip

        def text_of(prefix: str, field: str) -> pl.Expr:
            return pl.when(has_bill).then(pl.col(f"p_{prefix}_{field}_text"))

        def bill(expr: pl.Expr) -> pl.Expr:
            return pl.when(has_bill).then(expr)

        columns: dict[str, pl.Expr] = {
            "shipment_id": ref_key,
            "manifest_ref": pl.col("manifest_ref"),
            "vessel_name": pl.col("vessel_name"),
            "vessel_imo": pl.col("vessel_imo"),
            "voyage_number": pl.col("voyage_number"),
            "carrier_scac": pl.col("carrier_scac"),
            "port_of_call": pl.col("port_of_call"),
            "arrival": pl.col("arrival"),
            "bl_number": bl,
            "master_bl_number": bill(pl.col("v_master_bl_number")),
            "is_house_bl": pl.col("v_master_bl_number").is_not_null() & has_bill,
            "bl_issue_date": bill(issue.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")),
            "days_bl_to_arrival": bill((pl.col("arrival").dt.date() - issue).dt.total_days()),
        }
        for prefix in ("shipper", "consignee", "notify"):
            columns[f"{prefix}_name"] = text_of(prefix, "name")
            columns[f"{prefix}_address"] = text_of(prefix, "address")
            columns[f"{prefix}_country"] = bill(pl.col(f"p_{prefix}_country"))
            columns[f"{prefix}_identifier"] = bill(pl.col(f"{prefix}_identifier"))
            if prefix != "notify":
                columns[f"{prefix}_aeo"] = bill(pl.col(f"p_{prefix}_aeo"))
        columns.update(
            {
                "freight_terms": bill(pl.col("v_freight_terms")),
                "freight_payer_name": text_of("freight_payer", "name"),
                "freight_payer_role": bill(payer_role),
                "place_of_receipt": bill(pl.col("v_place_of_receipt")),
                "port_of_loading": bill(pl.col("v_port_of_loading")),
                "transshipment_ports": pl.when(has_bill).then(pl.col("ts").fill_null(empty))
                .otherwise(empty),
                "transshipment_count": pl.when(has_bill)
                .then(pl.col("ts").list.len().fill_null(0)).otherwise(0),
                "port_of_discharge": bill(pl.col("v_port_of_discharge")),
                "place_of_delivery": bill(pl.col("v_place_of_delivery")),
                "route": pl.when(has_bill).then(route).otherwise(empty),
                "route_countries": pl.when(has_bill).then(
                    fold(route.list.eval(pl.element().str.slice(0, 2)))
                ).otherwise(empty),
                "goods_scope": pl.col("goods_scope"),
                "goods_item_count": pl.col("goods_item_count"),
                "hs_codes": pl.col("hs_codes"),
                "hs_chapters": pl.col("hs_chapters"),
                "hs_headings": pl.col("hs_headings"),
                "hs_subheadings": pl.col("hs_subheadings"),
                "description": pl.col("description"),
                "origin_countries": pl.col("origin_countries"),
                "packages": pl.col("packages"),
                "package_types": pl.col("package_types"),
                "goods_gross_weight_kg": pl.col("goods_gross_weight_kg"),
                "goods_net_weight_kg": pl.col("goods_net_weight_kg"),
                "value_currencies": pl.col("value_currencies"),
                "declared_value": pl.col("declared_value"),
                "value_currency": pl.col("value_currency"),
                "value_per_kg": pl.col("value_per_kg"),
                "container_number": number,
                "container_number_valid": pl.when(has_box).then(pl.col("t_number").is_null()),
                "container_owner_code": pl.when(number.str.len_chars() >= 3)
                .then(number.str.slice(0, 3)),
                "container_declared": declared,
                "container_size_type": pl.when(declared).then(pl.col("v_size")),
                "container_type": pl.when(declared).then(pl.col("v_type")),
                "container_length_ft": pl.when(declared).then(pl.col("v_length")),
                "container_teu": pl.when(declared).then(pl.col("v_teu")),
                "container_full": pl.when(declared).then(pl.col("v_full")),
                "seal_count": pl.when(declared).then(pl.col("v_seal_numbers").list.len())
                .otherwise(0),
                "seal_numbers": pl.when(declared).then(pl.col("v_seal_numbers")).otherwise(empty),
                "sealer_types": pl.when(declared).then(pl.col("v_sealer_types"))
                .otherwise(empty),
                "verified_gross_mass_kg": vgm,
                "tare_kg": tare,
                "container_cargo_mass_kg": cargo,
                "container_goods_weight_kg": pl.when(has_box & pl.col("_known"))
                .then(pl.col("_box_goods")),
                "cargo_mass_gap_kg": pl.when(has_box & pl.col("_known"))
                .then(cargo - pl.col("_box_goods")),
                "bl_count_in_container": pl.when(has_box)
                .then(pl.col("bl_count_in_container").fill_null(0)).otherwise(0),
                "container_count_in_bl": pl.when(has_bill).then(pl.col("_n_boxes")).otherwise(0),
                "is_lcl": (pl.col("bl_count_in_container").fill_null(0) > 1) & has_box,
                "quality_flags": flags,
                "quality_flag_count": flags.list.len(),
            }
        )  # fmt: skip
        schema = frame_schema()
        return p.select(
            *[columns[name].cast(dtype).alias(name) for name, dtype in schema.items()],
            pl.col("_k0"), pl.col("_k1"), pl.col("_k2"), pl.col("_k3"),
        )  # fmt: skip


@dataclass(frozen=True)
class _Call:
    manifest: Manifest
    flags: list[str]
    conflict: bool
    broken: bool


_ISO6346_VALUES = {
    ch: value for value, ch in enumerate("0123456789A BCDEFGHIJK LMNOPQRSTU VWXYZ") if ch != " "
}
