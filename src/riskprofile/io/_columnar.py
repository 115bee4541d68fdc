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
- A group (vessel call, bill of lading, container) whose rows all carry the same cells
  takes its first row's; one whose rows disagree is merged in Python exactly as the
  reference reader merges it (first value wins, the rest are ``inconsistent`` flags).
- What the column-wise path does not reproduce goes through the model path
  (:class:`~riskprofile.io._table.TableReader`, :func:`~riskprofile.model.shipment.flatten`
  and :func:`~riskprofile.engines.columnar.shipment_frame`) for just the rows concerned:
  rejected rows, seals the model must repair, amounts or counts no frame column holds
  exactly, cells longer than any text field may be, and in strict mode conflicts and
  anything that breaks a standard. Such a row takes with it every row of its bills of
  lading and containers (the closure), so that counts and totals across them stay those
  of the model; in strict mode a vessel call whose voyage columns disagree or break a
  standard goes whole.
- A whole file goes through the model path when reading it column-wise could differ from
  the reference reader at all: JSON input, a column mapping with date formats or with a
  default for a list column, CSV with line breaks inside quoted cells or unusual quoting,
  Parquet columns that are not text.
  :attr:`FrameBatch.fallback` says why.

The result is the frame :func:`~riskprofile.engines.columnar.shipment_frame` gives for
``read_batch(path).shipments`` (same rows, order, values and dtypes) and the same rejected
records; the tests prove it by property tests against the model path.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from copy import copy
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import ValidationError

from riskprofile.engines.columnar._frame import DECIMAL_SCALE, frame_schema, shipment_frame
from riskprofile.errors import BatchRejectedError
from riskprofile.io._batch import RejectedRecord
from riskprofile.io._layout import COLUMN_BY_NAME, COLUMNS, ColumnMapping
from riskprofile.io._read import BatchFormat, detect_format, read_batch
from riskprofile.io._table import TableReader, _Group, _nest, require_batch_file
from riskprofile.model._base import (
    LENIENT,
    MAX_TEXT_CHARS,
    QualityFlag,
    RecordModel,
    Strictness,
    validation_context,
)
from riskprofile.model.codes import describe_size_type, normalise_container_number
from riskprofile.model.manifest import (
    KEY_PARTIES,
    MAX_GROSS_MASS_KG,
    MAX_PACKAGES,
    MAX_TARE_KG,
    MAX_WEIGHT_KG,
    Consignment,
    Container,
    GoodsItem,
    Manifest,
    Party,
    Seal,
)
from riskprofile.model.shipment import _CONTAINER_RENAME, Shipment, _flag_names, flatten

__all__ = ["FrameBatch", "read_frame"]

# Python's str.strip()/str.split() whitespace (str.isspace), which is wider than the
# Unicode White_Space that Polars' own strip uses (it adds \x1c-\x1f).
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS_INNER = "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE)
_WS_CLASS = f"[{_WS_INNER}]"

_VOYAGE = ("vessel_name", "vessel_imo", "voyage_number", "carrier_scac", "port_of_call",
           "arrival")  # fmt: skip
_CALL_KEY = ("vessel_imo", "vessel_name", "voyage_number", "port_of_call")
_BILL = tuple(c.name for c in COLUMNS if c.group == "bill_of_lading")
_BOX = tuple(c.name for c in COLUMNS if c.group == "container")
_EQUIPMENT = tuple(n for n in _BOX if n != "container_number")
_GOODS = tuple(c.name for c in COLUMNS if c.group == "goods")
_POSITIONAL = frozenset({"seal_numbers", "seal_sealers"})
_LIST_COLUMNS = frozenset(c.name for c in COLUMNS if c.kind == "list")
_NUMBERS = frozenset(c.name for c in COLUMNS if c.kind in ("number", "integer"))
_ROLES = (("shipper", "shipper"), ("consignee", "consignee"), ("notify", "notify_party"),
          ("freight_payer", "freight_payer"))  # fmt: skip
_DUMMY_CONTAINER = "CSQU3054383"
_SALVAGED = frozenset({"invalid_value", "unknown_field"})
_CONSISTENCY = frozenset({"inconsistent", "implausible", "duplicate", "missing"})
# Plain decimal numbers that Polars and the model parse to the same value, below the
# model's MAX_AMOUNT (10**15; the rest is judged by the model).
_PLAIN_DECIMAL = r"^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,18})?$"
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

    def raise_for_rejected(self) -> None:
        """Raise :class:`~riskprofile.errors.BatchRejectedError` if any record was rejected
        (as :meth:`Batch.raise_for_rejected <riskprofile.Batch.raise_for_rejected>`)."""
        if self.rejected:
            first = self.rejected[0]
            raise BatchRejectedError(
                f"{self.source}: {len(self.rejected)} of {self.records_read} records rejected; "
                f"first: {self.record_unit} {first.record}: {first.reason}",
                list(self.rejected),
            )


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
    rejected records. JSON input, and column mappings with ``date_format`` or
    ``datetime_format`` or a default for a list column, are read through the model path
    (``fallback`` says so).

    Raises:
        InputFormatError: the file cannot be read at all (as ``read_batch``).
        MappingError: the mapping file is invalid.

    >>> batch = read_frame("examples/data/karachi-sample.csv")
    >>> batch.frame.height, batch.records_read, batch.rows_via_models
    (361, 629, 0)
    """
    path = Path(path)
    source = str(path)
    require_batch_file(path, source)
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
    if any(name in _LIST_COLUMNS for name in resolved.defaults):
        # The default applies when a list has no items, which only splitting tells.
        return _via_models(path, resolved, strictness, fmt, "a default for a list column")
    if fmt == "csv" and path.suffix.lower() == ".tsv" and resolved.delimiter == ",":
        resolved = replace(resolved, delimiter="\t")
    loaded = _load_csv(path, resolved) if fmt == "csv" else _load_parquet(path)
    if isinstance(loaded, str):
        return _via_models(path, resolved, strictness, fmt, loaded)
    # The reference reader's header checks (and errors), and which file columns feed ours.
    table = TableReader(resolved, strictness, loaded.header, source)
    try:
        return _Reader(path, fmt, resolved, strictness, table, loaded).read()
    except _UnreadableError as exc:
        return _via_models(path, resolved, strictness, fmt, str(exc))


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


class _UnreadableError(Exception):
    """The file turned out unreadable column-wise halfway: the model path reads it."""


@dataclass(frozen=True)
class _Source:
    """The file's records, loaded a slice at a time: every column as text, one chunk,
    and ``__line__`` (the record's line or row number)."""

    header: list[str]
    height: int
    load: Callable[[int, int, list[str] | None], pl.DataFrame]

    def rows(self, start: int, stop: int, columns: list[str] | None = None) -> pl.DataFrame:
        """Records ``start`` to ``stop`` (of the file's records), ``columns`` of them or
        all, with ``__line__``."""
        return self.load(start, stop, columns)


def _load_parquet(path: Path) -> _Source | str:
    try:
        schema = pl.read_parquet_schema(path)
        height = pl.scan_parquet(path).select(pl.len()).collect().item()
    except Exception:  # the model path reports an unreadable file properly
        return "the Parquet file cannot be read column-wise"
    if any(dtype not in (pl.String, pl.Null) for dtype in schema.values()):
        return "Parquet columns that are not text"

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        # Only the row groups of the slice are read. One chunk per column: every later
        # step gathers from these columns, and would otherwise join the chunks each time.
        names = list(schema) if columns is None else columns
        try:
            raw = pl.scan_parquet(path).select(names).slice(start, stop - start).collect()
        except pl.exceptions.PolarsError as exc:
            raise _UnreadableError("the Parquet file cannot be read column-wise") from exc
        raw = raw.with_columns(pl.col(pl.Null).cast(pl.String)).rechunk()
        lines = pl.int_range(start + 1, stop + 1, dtype=pl.Int64, eager=True)
        return raw.with_columns(lines.alias("__line__"))

    return _Source(list(schema), height, load)


def _field_pattern(delimiter: str) -> str:
    d = re.escape(delimiter)
    cell = f'(?:[^"{d}\\n]*|"(?:[^"]|"")*")'
    return f"^{cell}(?:{d}{cell})*$"


def _load_csv(path: Path, mapping: ColumnMapping) -> _Source | str:
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
    # Cells marked as text against spreadsheet formulas lose their quote, as csv_rows
    # does (riskprofile.io._cells.csv_text); one scan finds whether there are any.
    marked = r"^'[=+\-@\t']"
    if raw.select(pl.any_horizontal(pl.col(header).str.contains(marked)).any()).item():
        raw = raw.with_columns(
            pl.when(pl.col(h).str.contains(marked)).then(pl.col(h).str.slice(1))
            .otherwise(pl.col(h)).alias(h)
            for h in header
        )  # fmt: skip
    raw = raw.with_columns(pl.int_range(2, raw.height + 2, dtype=pl.Int64).alias("__line__"))
    # The csv module skips rows whose every cell is blank (they are not records).
    blank = pl.all_horizontal(
        [pl.col(h).is_null() | (pl.col(h).str.strip_chars(PY_WHITESPACE) == "") for h in header]
    )
    records = raw.filter(~blank)

    def load(start: int, stop: int, columns: list[str] | None) -> pl.DataFrame:
        names = [*header, "__line__"] if columns is None else [*columns, "__line__"]
        return records.select(names).slice(start, stop - start).rechunk()

    return _Source(header, records.height, load)


# --- value helpers -------------------------------------------------------------------------
#
# Text is normalised the way Python does it (str.strip, str.split, str.upper differ from
# Rust's outside ASCII), so each normaliser runs in Python once per distinct value, or on
# a vectorised fast path only for values whose shape makes both agree.


def _py_strip(value: str) -> str | None:
    return value.strip() or None


# Text _py_fold leaves as it is: printable ASCII without lower case, words one space apart.
_FOLDED = r"^[!-`{-~]+( [!-`{-~]+)*$"


def _py_fold(value: str) -> str | None:
    """The shipment's text: blanks folded, upper case."""
    return " ".join(value.split()).upper() or None


def _py_squeeze(value: str) -> str | None:
    """B/L numbers: no blanks, upper case."""
    return "".join(value.split()).upper() or None


def _py_upper(value: str) -> str | None:
    return value.strip().upper() or None


def _py_container(value: str) -> str | None:
    """How the reader keys a container: the model's normalisation, or the text as typed."""
    text = value.strip()
    return (normalise_container_number(text) or text) if text else None


def _map_distinct(s: pl.Series, fn: Callable[[str], Any], dtype: Any) -> pl.Series:
    """``fn`` applied to each distinct non-null value of ``s``."""
    values = s.drop_nulls().unique()
    mapped = pl.Series([fn(v) for v in values.to_list()], dtype=dtype)
    if dtype == pl.String:
        # Text mostly comes as it should be: replace only the values ``fn`` changes.
        changed = values.ne_missing(mapped)
        if not changed.any():
            return s
        return s.replace(values.filter(changed), mapped.filter(changed))
    return s.replace_strict(values, mapped, default=None, return_dtype=dtype)


def _canonical(s: pl.Series, shape: str, fn: Callable[[str], Any]) -> pl.Series:
    """Values of ``shape`` are already normal; the others go through ``fn`` (per distinct
    value)."""
    odd = ~s.str.contains(shape).fill_null(True)
    if not odd.any():
        return s
    idx = odd.arg_true()
    out = s.clone()
    out.scatter(idx, _map_distinct(s.gather(idx), fn, pl.String))
    return out


@dataclass(frozen=True)
class _Checked:
    """One column's values after the model's field validation, with its flag codes."""

    value: pl.Series
    salvaged: pl.Series  # invalid_value and the like: the value was dropped
    standard: pl.Series  # the value breaks its standard (format, check_digit...)


Check = Callable[[str], tuple[Any, str | None, str | None]]


def _field_check(model: type[RecordModel], field: str, base: dict[str, Any]) -> Check:
    """The model's own verdict on one (unstripped) cell of one field, in lenient mode:
    the value kept, the salvage flag code, the standard flag code."""

    @cache
    def check(text: str) -> tuple[Any, str | None, str | None]:
        stripped = text.strip()
        if not stripped:
            return None, None, None
        record = model.model_validate({**base, field: stripped}, context=LENIENT)
        salvaged = standard = None
        for flag in record.quality_flags:
            if flag.field != field or flag.code in _CONSISTENCY:
                continue
            if flag.code in _SALVAGED:
                salvaged = salvaged or flag.code
            else:
                standard = standard or flag.code
        return getattr(record, field), salvaged, standard

    return check


def _check_distinct(s: pl.Series, check: Check, dtype: Any) -> _Checked:
    """Apply ``check`` to each distinct value of ``s`` (one lookup, then gathers)."""
    values = s.drop_nulls().unique()
    results = [check(v) for v in values.to_list()]
    if dtype == pl.String and all(
        r[0] == v and r[1] is None and r[2] is None
        for v, r in zip(values.to_list(), results, strict=True)
    ):
        # Every value is kept as it is, with no flag: nothing to look up.
        nothing = pl.repeat(None, len(s), dtype=pl.String, eager=True).alias("")
        return _Checked(s.alias(""), nothing, nothing)
    index = s.replace_strict(
        values, pl.Series(range(len(values)), dtype=pl.UInt32), default=None,
        return_dtype=pl.UInt32,
    )  # fmt: skip
    out = [
        pl.Series([r[i] for r in results], dtype=t).gather(index)
        for i, t in ((0, dtype), (1, pl.String), (2, pl.String))
    ]
    return _Checked(out[0], out[1], out[2])


def _check_number(s: pl.Series, check: Check, dtype: Any) -> _Checked:
    """Numbers Polars parses as the model does are cast; the rest go to the model."""
    fast = s.cast(dtype, strict=False)
    odd = s.is_not_null() & fast.is_null()
    # Out-of-range numbers get the model's verdict (an invalid_value flag or a rejection).
    if dtype == pl.Float64:
        odd = odd | (fast.is_not_null() & ~(fast.abs() <= MAX_WEIGHT_KG).fill_null(False))
    elif dtype == pl.Int64:
        odd = odd | ((fast < 0) | (fast > MAX_PACKAGES)).fill_null(False)
    else:
        odd = odd | (s.is_not_null() & ~s.str.contains(_PLAIN_DECIMAL).fill_null(False))
    sal = pl.repeat(None, len(s), dtype=pl.String, eager=True).alias("")
    if dtype == pl.Int64:  # a negative count is not a number of packages at all (dropped)
        std = sal
    else:
        below = pl.when(pl.col("f") < 0).then(pl.lit("negative"))
        std = pl.DataFrame({"f": fast}).select(below.cast(pl.String)).to_series()
    value = fast
    if odd.any():
        idx = odd.arg_true()
        checked = _check_distinct(s.gather(idx), check, dtype)
        value, sal, std = value.clone(), sal.clone(), std.clone()
        value.scatter(idx, checked.value)
        sal.scatter(idx, checked.salvaged)
        std.scatter(idx, checked.standard)
    return _Checked(value, sal, std)


def _exact(check: Check) -> Check:
    """Amounts the frame's decimals hold exactly; others are left to the model path."""

    def inner(text: str) -> tuple[Any, str | None, str | None]:
        value, salvaged, standard = check(text)
        if isinstance(value, Decimal):
            exponent = value.as_tuple().exponent
            if not isinstance(exponent, int) or exponent < -DECIMAL_SCALE or abs(value) >= 10**19:
                return None, None, None
        if isinstance(value, int) and not -(2**63) <= value < 2**63:
            return None, None, None
        return value, salvaged, standard

    return inner


def _decimal_to_float(values: pl.Series) -> pl.Series:
    """``float(Decimal)`` exactly. An amount in whole cents is an integer of cents (exact as
    a double below 2**53) over 100.0, one correctly rounded division, as ``float()`` is;
    other amounts go through their text."""
    if values.len() == 0:
        return pl.Series([], dtype=pl.Float64)
    scale = pl.lit(10 ** (DECIMAL_SCALE - 2), pl.Int128)
    m = pl.col("m")
    cents = (m % scale == 0) & ((m // scale).abs() < 2**53)
    # A column of 100.0, not the literal: Polars turns division by a constant into a
    # multiplication by its reciprocal, which is not correctly rounded.
    hundred = pl.Series([100.0], dtype=pl.Float64).extend_constant(100.0, len(values) - 1)
    out = (
        pl.DataFrame({"m": values.to_physical(), "h": hundred})
        .select(pl.when(cents).then((m // scale).cast(pl.Float64) / pl.col("h")))
        .to_series()
    )
    odd = values.is_not_null() & out.is_null()
    if odd.any():
        idx = odd.arg_true()
        out = out.clone()
        out.scatter(idx, values.gather(idx).cast(pl.String).cast(pl.Float64))
    return out


def _plus_zero(value: pl.Expr) -> pl.Expr:
    """``value + 0.0`` as Python computes it: -0.0 becomes 0.0 (what ``sum()`` gives for a
    lone -0.0). Polars drops a literal ``+ 0.0``, so it is spelled out."""
    return pl.when(value == 0.0).then(pl.lit(0.0, pl.Float64)).otherwise(value)


def _sequential_sums(keys: pl.Series, *columns: pl.Series) -> pl.DataFrame:
    """Per key, Python's ``sum()`` of each column's non-null values in row order (the rows
    of a key need not be together), or null when there are none.

    The model path adds floats left to right, from 0; Polars' ``sum`` adds in another
    order, which can change the last bit once there are three or more values. Groups with
    at most two values are summed by ``sum`` (the order cannot matter); the others by
    ``cum_sum``, a left-to-right scan whose last value is the sequential sum (a group keeps
    its rows' order). Starting from 0 only turns a -0.0 total into 0.0.
    """
    frame = pl.DataFrame([keys, *columns])
    k = keys.name
    names = [c.name for c in columns]
    out = frame.group_by(k).agg(
        *[pl.col(c).sum() for c in names],
        *[pl.col(c).count().alias(f"_n_{c}") for c in names],
    )
    for c in names:
        n = pl.col(f"_n_{c}")
        many = out.filter(n > 2)[k]
        if many.len():
            fixed = (
                frame.select(k, c)
                .filter(pl.col(k).is_in(many.implode()) & pl.col(c).is_not_null())
                .group_by(k)
                .agg(pl.col(c).cum_sum().last())
            )
            out = out.update(fixed, on=k)
        out = out.with_columns(pl.when(n > 0).then(_plus_zero(pl.col(c))).alias(c))
    return out.select(k, *names)


def _positions(keys: pl.Series, table_keys: pl.Series) -> pl.Series:
    """Each key's row in ``table_keys`` (distinct keys), null for a null or unknown key."""
    table = table_keys.rename("_key").to_frame().with_row_index("_at")
    return (
        keys.rename("_key")
        .to_frame()
        .join(table, on="_key", how="left", maintain_order="left")
        .get_column("_at")
    )


def _mask(size: int, at: pl.Series) -> pl.Series:
    """``size`` booleans, true at the positions ``at``."""
    out = pl.repeat(False, size, eager=True, dtype=pl.Boolean).rechunk()
    return out.scatter(at, True) if at.len() else out


def _scattered(size: int, at: pl.Series, values: pl.Series) -> pl.Series:
    """``size`` nulls, holding ``values`` (a plain, not nested, column) at the positions
    ``at``."""
    out = pl.Series(values.name, dtype=values.dtype).extend_constant(None, size).rechunk()
    return out.scatter(at, values) if at.len() else out


def _compacted(table: pl.DataFrame, at: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    """``table``'s rows that ``at`` refers to, and ``at`` renumbered for them (both as
    they are when every row is referred to)."""
    used = _mask(table.height, at.drop_nulls())
    if used.all():
        return table, at
    rank = used.cast(pl.Int64).cum_sum() - 1
    return table.filter(used), rank.gather(at).cast(at.dtype)


def _sort_packed(frame: pl.DataFrame, spans: dict[str, int]) -> pl.DataFrame:
    """``frame.sort(*spans)`` for columns of integers in ``range(span)`` (no nulls, rows
    distinct): by one packed Int64 key when the spans allow, a cheap one-column sort."""
    total = 1
    for span in spans.values():
        total *= max(span, 1)
    if total >= 2**63:
        return frame.sort(*spans)
    key: pl.Expr = pl.lit(0, pl.Int64)
    for name, span in spans.items():
        key = key * max(span, 1) + pl.col(name).cast(pl.Int64)
    return frame.sort(key)


def _with_default(table: pl.DataFrame, default: dict[str, Any]) -> pl.DataFrame:
    """``table`` and one more row: ``default``'s values, null for the other columns (what
    a row that refers to no row of the table gets). In one chunk: Polars gathers from a
    column of several chunks ten times slower than it copies them into one."""
    extra = table.clear(1).with_columns(
        pl.lit(v, table.schema[k]).alias(k) for k, v in default.items()
    )
    return pl.concat([table, extra], rechunk=True)


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


def _flag(prefix: str, code: pl.Expr) -> pl.Expr:
    return pl.when(code.is_not_null()).then(pl.lit(prefix + ":") + code)


def _flag_list(items: Iterable[pl.Expr]) -> pl.Expr:
    return pl.concat_list(list(items)).list.drop_nulls()


def _folded(lists: pl.Series) -> pl.Series:
    """Each list without its nulls and without an item equal to the one before it."""
    i, v = pl.col("_i"), pl.col("v")
    long = (
        lists.to_frame("v")
        .with_row_index("_i")
        .explode("v")
        .filter(v.is_not_null())
        .filter((v != v.shift(1)).fill_null(True) | (i != i.shift(1)).fill_null(True))
        .group_by("_i")
        .agg("v")
    )
    every = pl.int_range(len(lists), dtype=pl.UInt32, eager=True).to_frame("_i")
    joined = every.join(long, on="_i", how="left", maintain_order="left")
    return joined["v"].fill_null(pl.lit([], _FLAGS))


def _is_blank(value: pl.Expr) -> pl.Expr:
    """Null, or only Python whitespace (what the reference reader reads as empty)."""
    return value.is_null() | value.str.contains(f"^{_WS_CLASS}*$")


def _unique_names(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


_ISO6346_VALUES = {
    ch: value for value, ch in enumerate("0123456789A BCDEFGHIJK LMNOPQRSTU VWXYZ") if ch != " "
}


def _iso6346_problem(number: pl.Expr) -> pl.Expr:
    """``container_number_problem(number).code`` in Polars (python-stdnum's arithmetic:
    letters 10-38 skipping multiples of 11, weights 2**i, sum mod 11 mod 10)."""
    shape = number.str.contains(r"^[A-Z]{3}[UJZ][0-9]{7}$")
    total = pl.lit(0, pl.Int64)
    for i in range(10):
        value = number.str.slice(i, 1).replace_strict(
            _ISO6346_VALUES, default=0, return_dtype=pl.Int64
        )
        total = total + value * (1 << i)
    digit = (total % 11 % 10).cast(pl.String)
    return (
        pl.when(~shape)
        .then(pl.lit("format"))
        .when(digit != number.str.slice(10, 1))
        .then(pl.lit("check_digit"))
    )


# --- the reader ----------------------------------------------------------------------------


# Records read column-wise at a time, in slices of whole vessel calls: the steps' memory
# is that of a slice, while each step still works on enough rows to pay its way.
SLICE_RECORDS = 250_000
SLICE_WORKERS = 2


@dataclass(frozen=True)
class _Slice:
    frame: pl.DataFrame
    rejected: list[RejectedRecord]
    manifests: int
    rows_via_models: int


@dataclass(frozen=True)
class _Call:
    manifest: Manifest
    flags: list[str]
    conflict: bool
    broken: bool
    key: tuple[str, ...]
    fill: dict[str, str]


class _Reader:
    def __init__(
        self,
        path: Path,
        fmt: BatchFormat,
        mapping: ColumnMapping,
        strictness: Strictness,
        table: TableReader,
        records: _Source,
    ) -> None:
        self.path = path
        self.source = str(path)
        self.fmt = fmt
        self.mapping = mapping
        self.strictness = strictness
        self.strict = strictness == "strict"
        self.table = table
        self.header = records.header
        self.records = records
        self.raw = pl.DataFrame()  # the slice being read
        self.unit = "line" if fmt == "csv" else "row"
        self._checks: dict[tuple[Any, ...], Check] = {}
        self._file_call_keys: pl.Series | None = None
        self._slice_call_keys: pl.Series | None = None

    def _field_check(self, model: type[RecordModel], field: str, base: dict[str, Any]) -> Check:
        """:func:`_field_check`, one per field for the whole read (each slice meets
        mostly the same values)."""
        key = (model, field, tuple(sorted(base.items())))
        if key not in self._checks:
            self._checks[key] = _field_check(model, field, base)
        return self._checks[key]

    # --- our columns ---------------------------------------------------------------------

    def _column(self, name: str) -> pl.Expr:
        """Our column from the file's, unstripped: the mapping's source, its default for
        blank cells, decimal commas; several source columns of a list joined."""
        names = self.table.sources.get(name, ())
        default = self.mapping.defaults.get(name)
        sep = self.mapping.list_separator
        if len(names) > 1:
            cells = [pl.when(_is_blank(pl.col(n)).not_()).then(pl.col(n)) for n in names]
            value = pl.concat_str(cells, separator=sep, ignore_nulls=True)
            value = pl.when(value != "").then(value)
        elif names:
            value = pl.col(names[0])
        else:
            value = pl.lit(None, pl.String)
        if default is not None:
            value = pl.when(_is_blank(value)).then(pl.lit(default)).otherwise(value)
        if name in _NUMBERS and self.mapping.decimal_comma:
            value = (
                value.str.strip_chars(PY_WHITESPACE)
                .str.replace_all(".", "", literal=True)
                .str.replace_all(" ", "", literal=True)
                .str.replace_all(",", ".", literal=True)
            )
        return value.alias(name)

    def _select(self, exprs: list[pl.Expr]) -> pl.DataFrame:
        """``self.raw.select(exprs)``, one row per record even when every expression is a
        literal (a file with none of a group's columns)."""
        return self.raw.select(*exprs, pl.col("__line__").alias("__keep__")).drop("__keep__")

    def _positional(self, name: str) -> bool:
        return name in _POSITIONAL and len(self.table.sources.get(name, ())) == 1

    # --- the read ----------------------------------------------------------------------

    def read(self) -> FrameBatch:
        """Read the file a slice of whole vessel calls at a time (every group, merge and
        flag of the reference reader lies within one vessel call), so that the memory
        the column-wise steps take is that of one slice."""
        frames: list[pl.DataFrame] = []
        rejected: list[RejectedRecord] = []
        manifests = rows_via_models = 0
        slices = self._slices()
        if len(slices) == 1 or SLICE_WORKERS == 1:
            parts = [copy(self)._read_records(*span) for span in slices]
        else:
            with ThreadPoolExecutor(max_workers=SLICE_WORKERS) as pool:
                parts = list(pool.map(lambda span: copy(self)._read_records(*span), slices))
        for part in parts:
            frames.append(part.frame)
            rejected += part.rejected
            manifests += part.manifests
            rows_via_models += part.rows_via_models
        # Slices hold whole calls in file order: their frames follow one another.
        frame = pl.concat(frames) if len(frames) > 1 else frames[0]
        return FrameBatch(
            source=self.source,
            format=self.fmt,
            strictness=self.strictness,
            frame=frame,
            rejected=tuple(rejected),
            records_read=self.records.height,
            manifests=manifests,
            ignored_columns=tuple(self.table.ignored_columns),
            record_unit=self.unit,
            rows_via_models=rows_via_models,
        )

    def _read_records(self, start: int, stop: int) -> _Slice:
        self.raw = self.records.rows(start, stop)
        if self._file_call_keys is not None:
            self._slice_call_keys = self._file_call_keys.slice(start, stop - start)
        return self._read_slice()

    def _slices(self) -> list[tuple[int, int]]:
        """Ranges of records, each about ``SLICE_RECORDS`` long, that cut no vessel call
        (one range for the whole file when its calls interleave)."""
        height = self.records.height
        if height <= SLICE_RECORDS:
            return [(0, height)]
        used = sorted({n for c in _CALL_KEY for n in self.table.sources.get(c, ())})
        voyages = self.records.rows(0, height, used).select(self._column(c) for c in _CALL_KEY)
        keys = self._file_call_keys = self._call_keys(voyages)
        spans = (
            keys.to_frame("_callkey")
            .with_row_index("_row")
            .group_by("_callkey")
            .agg(pl.col("_row").min().alias("_lo"), pl.col("_row").max().alias("_hi"))
            .sort("_lo")
        )
        # A cut may come before a call's first record when every earlier call has ended.
        ended = spans["_hi"].cum_max().shift(1, fill_value=-1)
        starts = spans.filter(ended < spans["_lo"])["_lo"].to_list()
        cuts = [0]
        for at in starts[1:]:
            if at - cuts[-1] >= SLICE_RECORDS:
                cuts.append(at)
        cuts.append(height)
        return list(itertools.pairwise(cuts))

    def _read_slice(self) -> _Slice:
        rows = self._rows()
        goods = self._goods(rows)
        if self.strict:
            # A goods line that breaks a standard is rejected before it joins any group.
            broken = pl.concat([goods.filter(pl.col("_broken"))["_row"], self._refused(rows)])
            rows = rows.with_columns(
                (pl.col("_lone") | pl.col("_row").is_in(broken.implode())).alias("_lone")
            )
        rows = self._ids(rows)
        goods = goods.join(
            rows.filter(~pl.col("_lone")).select("_row", "_bh", "_xh"), on="_row"
        ).sort("_row")
        calls = self._calls(rows)
        bills = self._bills(rows)
        boxes = self._boxes(rows)
        routed = self._routed(rows, calls, bills, boxes, goods)
        lone = rows["_lone"]
        slow_rows = rows.filter(routed | lone)
        fast_rows = rows.filter(~routed & ~lone)
        self._grouped_rows = rows.height - int(lone.sum())
        slow, rejected, slow_calls = self._slow_frame(slow_rows, calls, bills, boxes)
        # The file's cells are no longer needed: free them before the widest step.
        self.raw = self.raw.clear()
        fast = self._fast_frame(fast_rows, calls, bills, boxes, goods)
        # The column-wise frame is in the model path's order already; merged, it is sorted.
        frame = pl.concat([fast, slow]).sort("_k0", "_k1", "_k2", "_k3") if slow.height else fast
        frame = frame.drop("_k0", "_k1", "_k2", "_k3")
        fast_calls = set(fast_rows["_call"].unique().to_list())
        return _Slice(frame, rejected, len(fast_calls | slow_calls), slow_rows.height)

    def _refused(self, rows: pl.DataFrame) -> pl.Series:
        """Rows with a cell too long for its field (few) whose goods line the model
        refuses in strict mode, as the reference reader's ``add`` validates it: it is
        rejected before it joins any group."""
        huge = rows.filter(pl.col("_huge") & pl.col("_has_goods") & ~pl.col("_lone"))
        refused: list[int] = []
        if huge.height:
            used = sorted({n for names in self.table.sources.values() for n in names})
            records = self.raw.select(used).gather(huge["_row"]).iter_rows(named=True)
            for row, number, record in zip(huge["_row"], huge["_number"], records, strict=True):
                doc = _nest("goods", self.table._values("goods", record))
                if number is not None:
                    doc["container_number"] = number
                try:
                    GoodsItem.model_validate(doc, context=self.table.context)
                except ValidationError:
                    refused.append(row)
        return pl.Series(refused, dtype=pl.Int64)

    # --- rows: keys and ids ------------------------------------------------------------

    @staticmethod
    def _call_keys(columns: pl.DataFrame) -> pl.Series:
        """Each record's vessel call as the reference reader keys it (from the voyage key
        columns): one Python key per distinct combination, found among the runs of
        records that repeat the record before them (a file lists a call's records
        together, so there are few runs)."""
        first = pl.int_range(pl.len()) == 0
        differs = [pl.col(c).ne_missing(pl.col(c).shift(1)) for c in columns.columns]
        changed = columns.select(first | pl.any_horizontal(differs)).to_series()
        run = changed.cast(pl.UInt32).cum_sum() - 1
        runs = columns.filter(changed)
        combos = runs.unique()
        keys = [
            "\x1f".join((v.strip().upper() if v and v.strip() else "") for v in combo)
            for combo in combos.iter_rows()
        ]
        combos = combos.with_columns(pl.Series("_callkey", keys, dtype=pl.String))
        of_run = runs.join(combos, on=columns.columns, how="left", nulls_equal=True,
                           maintain_order="left")["_callkey"]  # fmt: skip
        return of_run.gather(run)

    def _rows(self) -> pl.DataFrame:
        """One row per record: its keys (normalised as the reference reader does), ids of
        its call, bill of lading and container, and whether it carries goods."""
        key_cols = ["bl_number", "container_number", *_CALL_KEY]
        # A cell longer than a field's text may be (in bytes, a bound on characters) is
        # judged by the model: the record goes through the model path.
        used = sorted({n for names in self.table.sources.values() for n in names})
        huge = pl.any_horizontal(
            [pl.col(n).str.len_bytes() > MAX_TEXT_CHARS for n in used] or [pl.lit(False)]
        ).fill_null(False)
        base = self.raw.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias("_row"),
            pl.col("__line__").alias("_line"),
            huge.alias("_huge"),
            *[self._column(c) for c in key_cols],
            pl.any_horizontal(_is_blank(self._column(c)).not_() for c in _GOODS).alias(
                "_has_goods"
            ),
        )
        bl = _canonical(base["bl_number"], r"^[A-Z0-9]+$", _py_squeeze).alias("_bl")
        number = _canonical(base["container_number"], r"^[A-Z0-9]+$", _py_container).alias(
            "_number"
        )
        rows = base.with_columns(bl, number).with_columns(
            _lone=pl.col("_bl").is_null() & (pl.col("_number").is_null() | pl.col("_has_goods"))
        )
        keys = self._slice_call_keys
        rows = rows.with_columns(
            self._call_keys(rows.select(*_CALL_KEY)) if keys is None else keys.alias("_callkey")
        )
        # The ISO 6346 verdict on each distinct container number.
        numbers = rows["_number"].drop_nulls().unique()
        verdicts = numbers.to_frame("n").select(_iso6346_problem(pl.col("n")))
        rows = rows.with_columns(
            rows["_number"]
            .replace_strict(numbers, verdicts.to_series(), default=None, return_dtype=pl.String)
            .alias("_tnum")
        )
        return rows.select(
            "_row", "_line", "_callkey", "_bl", "_number", "_tnum", "_has_goods", "_lone", "_huge"
        ).sort("_row")

    def _ids(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Ids of each row's call (its first row), bill of lading and container (hashes of
        the call and the key); rows rejected on their own belong to none."""
        first = (
            rows.filter(~pl.col("_lone"))
            .group_by("_callkey")
            .agg(pl.col("_row").min().alias("_call"))
        )
        rows = rows.join(first, on="_callkey", how="left").with_columns(
            pl.when(~pl.col("_lone")).then(pl.col("_call")).alias("_call")
        )
        rows = rows.with_columns(
            pl.when(pl.col("_bl").is_not_null() & ~pl.col("_lone"))
            .then(pl.struct("_call", "_bl").hash(seed=7))
            .alias("_bh"),
            pl.when(pl.col("_number").is_not_null() & ~pl.col("_lone"))
            .then(pl.struct("_call", "_number").hash(seed=11))
            .alias("_xh"),
        )
        # One chunk per column: the later steps gather from these columns.
        return rows.sort("_row").rechunk()

    def _group_table(
        self,
        rows: pl.DataFrame,
        key: str,
        names: list[str],
        group: str,
        flag_names: Callable[[list[QualityFlag]], list[str]],
    ) -> pl.DataFrame:
        """One row per group (call, bill of lading, container) holding the values the
        reference reader merges for it: the first non-empty value of each column, and the
        flag names of the conflicts (a later row saying otherwise).

        Groups whose rows all carry the same cells (the usual case: a flat file repeats
        them on every row) take their first row's cells; the others are merged exactly as
        the reference reader merges them (by Polars for plain text columns, by the
        reader's own code for the rest).
        """
        columns = [self._column(n) for n in names]
        cells = self._select(columns)
        # A 64-bit signature of the row's cells: a sum (wrapping) of per-column hashes,
        # seeded by position, much cheaper than hashing a struct.
        signature = self._select(
            [pl.sum_horizontal([c.hash(seed=i) for i, c in enumerate(columns)]).alias("_sig")]
        )["_sig"]
        keyed = rows.select("_row", key).with_columns(signature).filter(pl.col(key).is_not_null())
        summary = (
            keyed.group_by(key)
            .agg(
                pl.col("_row").min().alias("_first"),
                (pl.col("_sig").min() != pl.col("_sig").max()).alias("_suspect"),
            )
            .sort("_first")
        )
        firsts = summary["_first"]
        meta = rows.select(
            *[c for c in ("_call", "_callkey", "_bl", "_number") if c != key]
        ).gather(firsts)
        head = pl.concat([summary.select(key, "_first", "_suspect"), meta], how="horizontal")
        empty = pl.lit([], _FLAGS)
        if not summary["_suspect"].any():
            values = cells.gather(firsts)
            return pl.concat([head, values], how="horizontal").with_columns(
                empty.alias("_conflicts"), pl.lit(False).alias("_conflict")
            )
        suspects = summary.filter(pl.col("_suspect"))[key]
        their_rows = keyed.filter(pl.col(key).is_in(suspects.implode())).sort("_row")
        their_cells = cells.gather(their_rows["_row"])
        # Only the columns whose cells differ within a suspect group need merging: in the
        # others every row of the group says the same, as in a group that is no suspect.
        differ = (
            their_cells.with_columns(their_rows[key])
            .group_by(key)
            .agg(pl.col(n).n_unique() > 1 for n in names)
            .select(pl.col(n).any() for n in names)
            .row(0, named=True)
        )
        varying = [n for n in names if differ[n]]
        # A conflict's flag name depends on its column alone (the reference reader's
        # ``_conflicts`` makes the flag, :func:`_flag_names` names it).
        flag_of = {
            n: flag_names([QualityFlag(
                field=".".join(COLUMN_BY_NAME[n].path), code="inconsistent", message=""
            )])[0]
            for n in varying
        }  # fmt: skip
        # The reference reader merges a group's rows in order: a column's first value
        # (not empty) wins, and each later value that differs from it is a conflict,
        # flagged in the order of the records and, within one, of the columns. Plain
        # text cells (the reader only strips them) are merged by Polars; the others
        # (lists, defaults, conversions) by the reader's own code, row by row.
        plain = {c.name for c, _source, simple in self.table._plans[group] if simple}
        lines = self.raw["__line__"].gather(their_rows["_row"])
        stripped = pl.DataFrame([their_rows[key], lines.alias("_line")]).with_columns(
            their_cells[n].str.strip_chars(PY_WHITESPACE).replace("", None)
            for n in varying if n in plain
        )  # fmt: skip
        first_values = stripped.group_by(key).agg(
            pl.col(n).drop_nulls().first().alias(f"_first_{n}") for n in varying if n in plain
        )  # fmt: skip
        with_first = stripped.join(first_values, on=key, how="left")
        found: list[pl.DataFrame] = [
            with_first.filter(
                pl.col(n).is_not_null() & (pl.col(n) != pl.col(f"_first_{n}"))
            ).select(key, "_line", pl.lit(pos, pl.Int64).alias("_pos"),
                     pl.lit(flag_of[n]).alias("_name"))
            for pos, n in enumerate(varying) if n in plain
        ]  # fmt: skip
        others = [n for n in varying if n not in plain]
        schema: dict[str, pl.DataType] = {
            key: their_rows[key].dtype, "_line": pl.Int64(), "_pos": pl.Int64(),
            "_name": pl.String(),
        }  # fmt: skip
        merged: dict[Any, _Group] = {}
        if others:
            used = sorted({s for n in others for s in self.table.sources.get(n, ())})
            records = self.raw.select("__line__", *used).gather(their_rows["_row"])
            plan = [(n, COLUMN_BY_NAME[n]) for n in others]
            for k, record in zip(their_rows[key].to_list(), records.iter_rows(named=True),
                                 strict=True):  # fmt: skip
                cell = {n: self.table._value(column, record) for n, column in plan}
                merged.setdefault(k, _Group()).merge(record["__line__"], cell)
            later = [
                (k, line, varying.index(column), flag_of[column])
                for k, grp in merged.items()
                for line, column, *_rest in grp.conflicts
            ]
            found.append(pl.DataFrame(later, orient="row", schema=schema))
        named = (
            pl.concat([pl.DataFrame(schema=schema), *found])
            .sort("_line", "_pos")
            .group_by(key, maintain_order=True)
            .agg(pl.col("_name").unique(maintain_order=True))
        )
        by_suspect = (
            suspects.to_frame(key)
            .join(first_values, on=key, how="left", maintain_order="left")
            .join(named, on=key, how="left", maintain_order="left")
        )
        conflict_names = by_suspect["_name"].fill_null(pl.lit([], _FLAGS))
        exact: dict[str, pl.Series] = {}
        for n in varying:
            if n in plain:
                exact[n] = by_suspect[f"_first_{n}"]
            else:
                texts = [self._as_text(merged[k].raw.get(n)) for k in suspects.to_list()]
                exact[n] = pl.Series(texts, dtype=pl.String)
        # Each group's values: its first row's cells, or for a suspect its merged values.
        nth = pl.col("_suspect").cast(pl.UInt32).cum_sum() - 1
        at = summary.select(pl.when(pl.col("_suspect")).then(nth).alias("c"))
        values = cells.gather(firsts)
        places = summary["_suspect"].arg_true()
        values = values.with_columns(values[n].scatter(places, exact[n]) for n in varying)
        conflicts = conflict_names.gather(at["c"])
        return pl.concat([head, values], how="horizontal").with_columns(
            conflicts.fill_null(empty).alias("_conflicts"),
            (conflicts.list.len() > 0).fill_null(False).alias("_conflict"),
        )

    def _as_text(self, value: Any) -> str | None:
        """A merged value back as a cell (lists joined with the list separator)."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, list):
            return self.mapping.list_separator.join("" if v is None else str(v) for v in value)
        return str(value)

    # --- groups ------------------------------------------------------------------------

    def _calls(self, rows: pl.DataFrame) -> dict[int, _Call]:
        table = self._group_table(
            rows, "_call", list(_VOYAGE), "voyage", lambda flags: _flag_names(flags, "")
        )
        out = {}
        for row in table.iter_rows(named=True):
            values = {n: row[n] for n in _VOYAGE}
            doc = {n: v.strip() for n, v in values.items() if v is not None and v.strip()}
            manifest = Manifest.model_validate(doc, context=LENIENT)
            flags = [f for flag in manifest.quality_flags for f in _flag_names([flag], "")]
            broken = any(f.code not in _CONSISTENCY for f in manifest.quality_flags)
            fill = {n: v for n, v in values.items() if v is not None and v.strip()}
            key = tuple(row["_callkey"].split("\x1f"))
            flags = _unique_names(flags + row["_conflicts"])
            out[row["_call"]] = _Call(manifest, flags, row["_conflict"], broken, key, fill)
        return out

    def _bills(self, rows: pl.DataFrame) -> pl.DataFrame:
        rename = {"issue_date": "bl_issue_date", "container_numbers": "container_number"}
        b = self._group_table(
            rows, "_bh", list(_BILL), "bill_of_lading", lambda f: _flag_names(f, "", rename)
        ).rename({"_first": "_bill_row"})
        base = {"bl_number": "X"}
        new: dict[str, pl.Series] = {}
        new["v_master_bl_number"] = _map_distinct(b["master_bl_number"], _py_squeeze, pl.String)
        for name, field, dtype in (
            ("bl_issue_date", "issue_date", pl.Date),
            ("freight_terms", "freight_terms", pl.String),
            ("place_of_receipt", "place_of_receipt", pl.String),
            ("port_of_loading", "port_of_loading", pl.String),
            ("port_of_discharge", "port_of_discharge", pl.String),
            ("place_of_delivery", "place_of_delivery", pl.String),
        ):
            checked = _check_distinct(b[name], self._field_check(Consignment, field, base), dtype)
            new[f"v_{name}"] = checked.value
            new[f"s_{name}"] = checked.salvaged
            new[f"t_{name}"] = checked.standard
        ts_values, ts_flags = self._transshipments(b["transshipment_ports"])
        new["v_ts"], new["_ts_flags"] = ts_values, ts_flags
        for prefix, _role in _ROLES:
            party_fields: tuple[tuple[str, Any], ...] = (
                ("country", pl.String),
                ("aeo", pl.Boolean),
            )
            for field, dtype in party_fields:
                name = f"{prefix}_{field}"
                checked = _check_distinct(b[name], self._field_check(Party, field, {}), dtype)
                new[f"v_{name}"] = checked.value
                new[f"s_{name}"] = checked.salvaged
                new[f"t_{name}"] = checked.standard
            # Name and address as the shipment shows them (folded, upper case), the
            # identifier as declared and upper-cased (how payers are matched).
            new[f"f_{prefix}_name"] = _canonical(b[f"{prefix}_name"], _FOLDED, _py_fold)
            new[f"f_{prefix}_address"] = _canonical(b[f"{prefix}_address"], _FOLDED, _py_fold)
            identifier = _map_distinct(b[f"{prefix}_identifier"], _py_strip, pl.String)
            new[f"v_{prefix}_identifier"] = identifier
            new[f"u_{prefix}_identifier"] = _map_distinct(identifier, str.upper, pl.String)
            # A party is there when any of its cells is (an empty one is no party).
            new[f"p_{prefix}"] = (
                pl.DataFrame(
                    [
                        new[f"f_{prefix}_name"].is_not_null(),
                        new[f"f_{prefix}_address"].is_not_null(),
                        identifier.is_not_null(),
                        *[
                            new[f"{k}_{prefix}_{f}"].is_not_null()
                            for f in ("country", "aeo")
                            for k in ("v", "s", "t")
                        ],
                    ]
                )
                .select(pl.any_horizontal(pl.all()))
                .to_series()
            )
        b = b.with_columns(*[s.alias(k) for k, s in new.items()])
        own = [
            _flag("freight_terms", pl.col("s_freight_terms")),
            _flag("bl_issue_date", pl.col("s_bl_issue_date")),
            _flag("place_of_receipt", pl.col("t_place_of_receipt")),
            _flag("port_of_loading", pl.col("t_port_of_loading")),
            pl.col("_ts_flags"),
            _flag("port_of_discharge", pl.col("t_port_of_discharge")),
            _flag("place_of_delivery", pl.col("t_place_of_delivery")),
            # Consignment._consistency_flags: a key party without a name.
            *[
                pl.when(pl.col(f"f_{role}_name").is_null()).then(pl.lit(f"{role}_name:missing"))
                for role in KEY_PARTIES
            ],
        ]
        party_flags = []
        for prefix, _role in _ROLES:
            party_flags += [
                _flag(f"{prefix}_aeo", pl.col(f"s_{prefix}_aeo")),
                _flag(f"{prefix}_country", pl.col(f"t_{prefix}_country")),
            ]
        flag_cols = [c for c in b.columns if c[:2] in ("s_", "t_")]
        b = b.with_columns(
            pl.any_horizontal(
                [pl.col(c).is_not_null() for c in flag_cols]
                + [pl.col("_ts_flags").list.len() > 0, pl.col("_conflict")]
                + [pl.col(f"f_{role}_name").is_null() for role in KEY_PARTIES]
            ).alias("_flagged"),
        )
        flagged = b.filter(pl.col("_flagged")).select(
            "_bh",
            _flag_list(own).alias("_own_flags"),
            _flag_list(party_flags).alias("_party_flags"),
        )
        b = b.join(flagged, on="_bh", how="left").with_columns(
            pl.col("_own_flags").fill_null(pl.lit([], _FLAGS)),
            pl.col("_party_flags").fill_null(pl.lit([], _FLAGS)),
        )
        # The route: its places in order, without nulls and without repeats, and the same
        # for their countries (``_fold_repeats`` on the model path); made once for each
        # distinct combination of places.
        b = b.with_columns(pl.col("v_ts").list.join("\x1f").alias("_ts_key"))
        places = ["v_place_of_receipt", "v_port_of_loading", "_ts_key", "v_port_of_discharge",
                  "v_place_of_delivery"]  # fmt: skip
        combos = b.group_by(places).agg(pl.col("v_ts").first())
        route = _folded(
            combos.select(
                pl.concat_list(
                    "v_place_of_receipt", "v_port_of_loading", "v_ts", "v_port_of_discharge",
                    "v_place_of_delivery",
                )
            ).to_series()
        )  # fmt: skip
        countries = _folded(route.list.eval(pl.element().str.slice(0, 2)))
        combos = combos.select(places).with_columns(
            route.alias("route"), countries.alias("route_countries")
        )
        b = b.join(combos, on=places, how="left", nulls_equal=True)
        b = b.with_columns(
            pl.any_horizontal(pl.col(c).is_not_null() for c in flag_cols).alias("_broken")
            | (pl.col("_ts_flags").list.len() > 0)
        )
        # The cells and codes are folded into the values and flags now.
        return b.drop(*_BILL, *flag_cols, "_ts_flags", "_ts_key", "_callkey", "_number",
                      strict=False).rechunk()  # fmt: skip

    def _transshipments(self, raw: pl.Series) -> tuple[pl.Series, pl.Series]:
        """Each distinct cell split, each port checked by the model in one list."""
        sep = self.mapping.list_separator
        base = {"bl_number": "X"}

        def check(cell: str) -> tuple[list[str], list[str]]:
            items = [p.strip() for p in cell.split(sep)]
            items = [p for p in items if p]
            if not items:
                return [], []
            record = Consignment.model_validate(
                {**base, "transshipment_ports": items}, context=LENIENT
            )
            flags = [f"transshipment_ports:{f.code}" for f in record.quality_flags
                     if f.field.startswith("transshipment_ports[")]  # fmt: skip
            return list(record.transshipment_ports), flags

        values = raw.drop_nulls().unique()
        results = [check(v) for v in values.to_list()]
        table = pl.DataFrame(
            {
                "raw": values,
                "ports": pl.Series([r[0] for r in results], dtype=_FLAGS),
                "flags": pl.Series([r[1] for r in results], dtype=_FLAGS),
            }
        )
        frame = pl.DataFrame({"raw": raw}).join(table, on="raw", how="left", maintain_order="left")
        out = frame.select(
            pl.col("ports").fill_null(pl.lit([], _FLAGS)),
            pl.col("flags").fill_null(pl.lit([], _FLAGS)),
        )
        return out["ports"], out["flags"]

    def _boxes(self, rows: pl.DataFrame) -> pl.DataFrame:
        x = self._group_table(
            rows,
            "_xh",
            list(_EQUIPMENT),
            "container",
            lambda f: _flag_names(f, "container_", _CONTAINER_RENAME),
        ).rename({"_first": "_box_row"})
        x = x.with_columns(rows["_tnum"].gather(x["_box_row"]).alias("t_number"))
        base = {"number": _DUMMY_CONTAINER}
        size = _check_distinct(
            x["container_size_type"], self._field_check(Container, "size_type", base), pl.String
        )
        full = _check_distinct(
            x["container_full"], self._field_check(Container, "full", base), pl.Boolean
        )
        new: dict[str, pl.Series] = {
            "v_size": size.value, "t_size": size.standard,
            "v_full": full.value, "s_full": full.salvaged,
        }  # fmt: skip
        for name in ("verified_gross_mass_kg", "tare_kg"):
            checked = _check_number(x[name], self._field_check(Container, name, base), pl.Float64)
            new[f"v_{name}"], new[f"s_{name}"], new[f"t_{name}"] = (
                checked.value, checked.salvaged, checked.standard,
            )  # fmt: skip
        codes = size.value.drop_nulls().unique()
        described = [describe_size_type(c) for c in codes.to_list()]
        for name, attr, dtype in (("v_type", "group", pl.String),
                                  ("v_length", "length_ft", pl.Float64),
                                  ("v_teu", "teu", pl.Float64)):  # fmt: skip
            mapped = pl.Series([getattr(d, attr) if d else None for d in described], dtype=dtype)
            new[name] = size.value.replace_strict(codes, mapped, default=None, return_dtype=dtype)
        numbers, types, trouble = self._seals(x["seal_numbers"], x["seal_sealers"])
        new["v_seal_numbers"], new["v_sealer_types"], new["_seal_trouble"] = numbers, types, trouble
        present = [
            x.select(~_is_blank(pl.col(n))).to_series()
            for n in ("container_size_type", "container_full", "seal_numbers", "seal_sealers")
        ] + [
            new[f"v_{n}"].is_not_null() | new[f"s_{n}"].is_not_null()
            for n in ("verified_gross_mass_kg", "tare_kg")
        ]
        new["_equipment"] = pl.DataFrame(present).select(pl.any_horizontal(pl.all())).to_series()
        x = x.with_columns(*[s.alias(k) for k, s in new.items()])
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
            pl.when(vgm > MAX_GROSS_MASS_KG).then(pl.lit("verified_gross_mass_kg:implausible")),
            pl.when(tare > MAX_TARE_KG).then(pl.lit("tare_kg:implausible")),
            pl.col("_conflicts"),
        ]
        codes_cols = ("s_full", "s_tare_kg", "s_verified_gross_mass_kg", "t_number", "t_size",
                      "t_verified_gross_mass_kg", "t_tare_kg")  # fmt: skip
        broken = pl.any_horizontal(pl.col(c).is_not_null() for c in codes_cols)
        consistency = ((vgm >= 0) & (vgm < tare)) | (vgm > MAX_GROSS_MASS_KG) | (tare > MAX_TARE_KG)
        x = x.with_columns(
            broken.alias("_broken"),
            (broken | consistency.fill_null(False) | pl.col("_conflict")).alias("_flagged"),
        )
        flagged = x.filter(pl.col("_flagged")).select("_xh", _flag_list(flags).alias("_box_flags"))
        x = x.join(flagged, on="_xh", how="left").with_columns(
            pl.col("_box_flags").fill_null(pl.lit([], _FLAGS))
        )
        return x.drop(*_EQUIPMENT, *[c for c in codes_cols if c != "t_number"], "_callkey",
                      "_bl", strict=False).rechunk()  # fmt: skip

    def _seals(
        self, numbers_raw: pl.Series, sealers_raw: pl.Series
    ) -> tuple[pl.Series, pl.Series, pl.Series]:
        """Seal numbers, sealer types and whether the seals need the model's repairs."""
        sep = self.mapping.list_separator
        positional = self._positional("seal_numbers")
        sealer_check = self._field_check(Seal, "sealer", {"number": "X"})

        def split(cell: str, keep_empty: bool) -> list[str | None]:
            if not cell.strip():
                return []
            parts = [p.strip() for p in cell.split(sep)]
            return [p or None for p in parts if keep_empty or p]

        def numbers_of(cell: str) -> list[str | None]:
            return split(cell, positional)

        part = f"[^{re.escape(sep)}{_WS_INNER}]+"
        simple = numbers_raw.str.contains(f"^{part}(?:{re.escape(sep)}{part})*$")
        numbers = numbers_raw.str.split(sep)
        odd = numbers_raw.is_not_null() & ~simple.fill_null(False)
        if odd.any():
            values = numbers_raw.filter(odd).unique()
            mapped = pl.DataFrame(
                {"v": values, "n": pl.Series([numbers_of(v) for v in values], dtype=_FLAGS)}
            )
            frame = pl.DataFrame({"v": numbers_raw, "odd": odd, "split": numbers})
            numbers = (
                frame.join(mapped, on="v", how="left", maintain_order="left")
                .select(pl.when(pl.col("odd")).then(pl.col("n")).otherwise(pl.col("split")))
                .to_series()
            )
        numbers = numbers.to_frame("n").select(pl.col("n").fill_null(pl.lit([], _FLAGS)))["n"]
        count = numbers.list.len()
        missing_number = numbers.list.eval(pl.element().is_null()).list.any()
        # Sealers: few distinct cells; the types depend on them and the number of seals.
        positional_sealers = self._positional("seal_sealers")
        combos = pl.DataFrame({"s": sealers_raw, "n": count}).unique()
        types, bad = [], []
        for cell, n in combos.iter_rows():
            kinds = split(cell, positional_sealers) if cell is not None else []
            verdicts = [sealer_check(k) if k is not None else (None, None, None) for k in kinds]
            bad.append(len(kinds) > n or any(v[1] or v[2] for v in verdicts))
            padded = [v[0] for v in verdicts] + [None] * max(0, n - len(kinds))
            types.append(sorted({k or "unknown" for k in padded}) if n else [])
        combos = combos.with_columns(
            pl.Series("types", types, dtype=_FLAGS), pl.Series("bad", bad, dtype=pl.Boolean)
        )
        joined = pl.DataFrame({"s": sealers_raw, "n": count}).join(
            combos, on=["s", "n"], how="left", nulls_equal=True, maintain_order="left"
        )
        trouble = (joined["bad"] | missing_number.fill_null(False)).fill_null(False)
        return numbers, joined["types"], trouble

    def _goods(self, rows: pl.DataFrame) -> pl.DataFrame:
        keep = rows.select("_row", pl.col("_tnum").alias("t_number"), "_has_goods", "_lone")
        data = self._select([self._column(n) for n in _GOODS])
        g = pl.concat([keep, data], how="horizontal").filter(
            pl.col("_has_goods") & ~pl.col("_lone")
        )
        checks: dict[str, _Checked] = {}
        for name in ("hs_code", "currency", "origin_country"):
            checks[name] = _check_distinct(
                g[name], self._field_check(GoodsItem, name, {}), pl.String
            )
        for name in ("gross_weight_kg", "net_weight_kg"):
            checks[name] = _check_number(
                g[name], self._field_check(GoodsItem, name, {}), pl.Float64
            )
        checks["packages"] = _check_number(
            g["packages"], _exact(self._field_check(GoodsItem, "packages", {})), pl.Int64
        )
        checks["value"] = _check_number(
            g["value"], _exact(self._field_check(GoodsItem, "value", {})), _DECIMAL
        )
        g = g.select(
            "_row", "t_number",
            pl.col("value").is_not_null().alias("_value_given"),
            pl.col("packages").is_not_null().alias("_packages_given"),
            *[c.value.alias(f"v_{k}") for k, c in checks.items()],
            *[c.salvaged.alias(f"s_{k}") for k, c in checks.items()],
            *[c.standard.alias(f"t_{k}") for k, c in checks.items()],
            _canonical(g["description"], _FOLDED, _py_fold).alias("v_description"),
            _map_distinct(g["package_type"], _py_upper, pl.String).alias("v_package_type"),
        )  # fmt: skip
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
            # A flat file's goods line names its row's container (the B/L itself does not
            # check the numbers it is given afterwards).
            _flag("container_number", pl.col("t_number")),
            pl.when(net > gross).then(pl.lit("goods_net_weight_kg:inconsistent")),
        ]
        broken = pl.any_horizontal(
            [pl.col(f"{p}_{k}").is_not_null() for k in checks for p in ("s", "t")]
            + [pl.col("t_number").is_not_null()]
        )
        # An amount the frame cannot hold exactly goes to the model path (which refuses it
        # the same way the reference does).
        odd = (
            pl.col("_value_given") & pl.col("v_value").is_null() & pl.col("s_value").is_null()
        ) | (
            pl.col("_packages_given")
            & pl.col("v_packages").is_null()
            & pl.col("s_packages").is_null()
        )
        g = g.with_columns(
            broken.alias("_broken"),
            (broken | (net > gross).fill_null(False)).alias("_flagged"),
            odd.alias("_odd"),
        )
        flagged = g.filter(pl.col("_flagged")).select(
            "_row", _flag_list(flags).alias("_goods_flags")
        )
        g = g.join(flagged, on="_row", how="left").with_columns(
            pl.col("_goods_flags").fill_null(pl.lit([], _FLAGS))
        )
        return g.drop([c for c in g.columns if c[:2] in ("s_", "t_") and c != "t_number"])

    # --- routing -----------------------------------------------------------------------

    def _routed(
        self,
        rows: pl.DataFrame,
        calls: dict[int, _Call],
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
        goods: pl.DataFrame,
    ) -> pl.Series:
        # Lenient mode reads conflicts column-wise (a flag); strict mode rejects rows for
        # them and for any broken standard, which the model path does.
        bad_calls = [k for k, c in calls.items() if self.strict and (c.conflict or c.broken)]
        bill_bad = pl.lit(False)
        box_bad = pl.col("_seal_trouble")
        goods_bad = pl.col("_odd")
        if self.strict:
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

    # --- the model path for a subset ---------------------------------------------------

    def _slow_frame(
        self,
        slow_rows: pl.DataFrame,
        calls: dict[int, _Call],
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
    ) -> tuple[pl.DataFrame, list[RejectedRecord], set[int]]:
        if slow_rows.height == 0:
            empty = shipment_frame([]).with_columns(
                pl.lit(0, pl.Int64).alias(k) for k in ("_k0", "_k1", "_k2", "_k3")
            )
            return empty.clear(), [], set()
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
        for key, call in reader._calls.items():
            call_id = call_of_key[key]
            for manifest in reader._finish_call(call, strict):
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
        order = self._slow_order(kept, bills, boxes, pieces)
        rejected = reader.rejected_records()
        return pl.concat([frame, order], how="horizontal"), rejected, slow_calls

    def _slow_order(
        self,
        kept_rows: pl.DataFrame,
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
        pieces: list[tuple[int, str | None, str | None]],
    ) -> pl.DataFrame:
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

    # --- the column-wise path ----------------------------------------------------------

    def _fast_frame(
        self,
        rows: pl.DataFrame,
        calls: dict[int, _Call],
        bills: pl.DataFrame,
        boxes: pl.DataFrame,
        goods: pl.DataFrame,
    ) -> pl.DataFrame:
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
        n_boxes = pl.when(bi.is_not_null() & xi.is_not_null()).then(
            bill_count.gather(pieces["_bi"])
        )

        # Goods of each piece: its own lines, then the lines the bill shares.
        fast_goods = (
            goods
            if goods.height == 0 or rows.height == self._grouped_rows
            else goods.join(rows.select("_row"), on="_row", how="semi")
        )
        at_row = r["_row"].search_sorted(fast_goods["_row"])
        lines = pl.DataFrame([r["_bi"].gather(at_row), r["_xi"].gather(at_row)]).with_row_index(
            "_line"
        )
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
        goods_cols = ["_row", "v_hs_code", "v_currency", "v_origin_country", "v_gross_weight_kg",
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
        return self._assemble(
            pieces, goods_agg, piece_goods, calls, call_ids, bills,
            boxes.with_columns(box_known.alias("_known"), box_bl_count.alias("_bl_count"),
                               box_goods.alias("_box_goods")),
        )  # fmt: skip

    def _assemble(
        self,
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

        payer_role = (
            pl.when(~pl.col("p_freight_payer")).then(None)
            .when(same_party("shipper")).then(pl.lit("shipper"))
            .when(same_party("consignee")).then(pl.lit("consignee"))
            .when(same_party("notify")).then(pl.lit("notify_party"))
            .otherwise(pl.lit("third_party"))
        )  # fmt: skip
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
                "route": pl.col("route"),
                "route_countries": pl.col("route_countries"),
                # For the data-quality flags:
                "_bill_flagged": pl.col("_flagged"),
                "_own_flags": pl.col("_own_flags"),
                "_bill_conflicts": pl.col("_conflicts"),
                "_party_flags": pl.col("_party_flags"),
            }
        )
        schema = frame_schema()
        bill_table = _with_default(
            bills.select(
                (e.cast(schema[n]) if n in schema else e).alias(n) for n, e in bill_columns.items()
            ),
            {"is_house_bl": False, "transshipment_ports": [], "transshipment_count": 0,
             "route": [], "route_countries": [], "_bill_flagged": False, "_own_flags": [],
             "_bill_conflicts": [], "_party_flags": []},
        )  # fmt: skip

        # Each piece's row in each table; each table is let go once gathered.
        def gathered(table: pl.DataFrame, at: pl.Series) -> dict[str, pl.Series]:
            return {c.name: c for c in table.select(pl.all().gather(at)).get_columns()}

        has_bill, has_box = pieces["_bi"].is_not_null(), pieces["_xi"].is_not_null()
        at_box = pieces["_xi"].fill_null(nx)
        columns = gathered(voyage, pieces["_rank"])
        columns.update(gathered(bill_table, pieces["_bi"].fill_null(nb)))
        del bill_table

        # Containers: what any piece holding one shows, and what only a piece that
        # declares it shows.
        number = pl.col("_number")
        known = pl.col("_known")
        box_table = _with_default(
            boxes.select(
                number.alias("container_number"),
                pl.col("t_number").is_null().alias("container_number_valid"),
                pl.when(number.str.len_chars() >= 3).then(number.str.slice(0, 3))
                .alias("container_owner_code"),
                pl.when(known).then(pl.col("_box_goods")).alias("container_goods_weight_kg"),
                pl.col("_bl_count").alias("bl_count_in_container"),
                (pl.col("_bl_count") > 1).alias("is_lcl"),
                pl.col("t_number"),
                pl.col("_equipment"),
                (pl.col("_flagged") | pl.col("t_number").is_not_null()).alias("_box_flagged"),
            ),
            {"bl_count_in_container": 0, "is_lcl": False, "_equipment": False,
             "_box_flagged": False},
        )  # fmt: skip
        columns.update(gathered(box_table, at_box))
        del box_table
        declared = has_box & (columns["_equipment"] | ~has_bill)
        at_declared = pieces.select(
            pl.when(pl.lit(declared)).then(pl.col("_xi")).otherwise(nx).cast(at_box.dtype)
        ).to_series()
        vgm, tare = pl.col("v_verified_gross_mass_kg"), pl.col("v_tare_kg")
        plausible = (vgm <= MAX_GROSS_MASS_KG) & (tare <= MAX_TARE_KG)
        declared_table = _with_default(
            boxes.select(
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
                # Null when either mass is implausible (a unit error), as flatten does.
                pl.when(plausible).then(vgm - tare).alias("container_cargo_mass_kg"),
                pl.when(known & plausible)
                .then(vgm - tare - pl.col("_box_goods"))
                .alias("cargo_mass_gap_kg"),
                pl.col("_box_flags"),
            ),
            {"container_declared": False, "seal_count": 0, "seal_numbers": [],
             "sealer_types": [], "_box_flags": []},
        )  # fmt: skip
        columns.update(gathered(declared_table, at_declared))
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
                  "_bill_conflicts", "_party_flags", "_goods_flagged", "_box_flagged",
                  "t_number", "_box_flags")],
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
        flagged = with_flags.join(
            goods_flags, on="_piece", how="left", maintain_order="left"
        ).select(
            "_piece",
            pl.concat_list(
                pl.col("_call_flags"),
                pl.col("_own_flags"),
                pl.col("_bill_conflicts"),
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
        out = [
            columns[name].alias(name)
            if columns[name].dtype == dtype
            else columns[name].cast(dtype).alias(name)
            for name, dtype in schema.items()
        ]
        keys = [pieces[k].cast(pl.Int64) for k in ("_k0", "_k1", "_k2", "_k3")]
        return pl.DataFrame([*out, *keys])
