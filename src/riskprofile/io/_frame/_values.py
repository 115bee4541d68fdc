"""Values as the model reads them, and the Polars helpers the reader's steps share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import polars as pl

from riskprofile.io._layout import COLUMNS
from riskprofile.model import LENIENT
from riskprofile.model.codes import normalise_container_number
from riskprofile.model.frame import DECIMAL_SCALE
from riskprofile.model.manifest import MAX_PACKAGES, MAX_WEIGHT_KG
from riskprofile.model.shared import RecordModel

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


# --- value helpers -------------------------------------------------------------------------
#
# Text is normalised the way Python does it (str.strip, str.split, str.upper differ from
# Rust's outside ASCII), so each normaliser runs in Python once per distinct value, or on
# a vectorised fast path only for values whose shape makes both agree.


def _py_strip(value: str) -> str | None:
    return value.strip() or None


# Text _py_strip leaves as it is: not empty, no Python whitespace at either end.
_STRIPPED = f"^[^{_WS_INNER}](?s:.*[^{_WS_INNER}])?$"
# Text str.upper leaves as it is: ASCII without lower case.
_UPPER = r"^[\x00-\x60\x7b-\x7f]*$"
# B/L numbers _py_squeeze leaves as they are.
_SQUEEZED = r"^[A-Z0-9]+$"


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
    value). For short keys of many distinct values (B/L and container numbers): the
    shape is tested on every cell."""
    odd = ~s.str.contains(shape).fill_null(True)
    if not odd.any():
        return s
    idx = odd.arg_true()
    out = s.clone()
    out.scatter(idx, _map_distinct(s.gather(idx), fn, pl.String))
    return out


def _canonical_distinct(s: pl.Series, shape: str, fn: Callable[[str], Any]) -> pl.Series:
    """:func:`_canonical` for text that repeats (names, addresses, descriptions,
    identifiers): the shape is tested once per distinct value, and only the values
    ``fn`` changes are replaced."""
    values = s.drop_nulls().unique()
    odd = values.filter(~values.str.contains(shape))
    if odd.len() == 0:
        return s
    mapped = pl.Series([fn(v) for v in odd.to_list()], dtype=pl.String)
    changed = odd.ne_missing(mapped)
    if not changed.any():
        return s
    return s.replace(odd.filter(changed), mapped.filter(changed))


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
    """Apply ``check`` to each distinct value of ``s``, then one lookup a column: none
    for text the model keeps as it is (most values of most columns), and for a flag
    column a lookup of the few values that have the flag, not of every value."""
    values = s.drop_nulls().unique()
    texts = values.to_list()
    results = [check(v) for v in texts]
    nothing = pl.repeat(None, len(s), dtype=pl.String, eager=True).alias("")
    if dtype == pl.String and all(r[0] == v for v, r in zip(texts, results, strict=True)):
        value = s.alias("")
    else:
        mapped = pl.Series([r[0] for r in results], dtype=dtype)
        value = s.replace_strict(values, mapped, default=None, return_dtype=dtype).alias("")
    flags = []
    for i in (1, 2):
        # A flag no value has is a column of nulls, with no lookup.
        having = [(v, r[i]) for v, r in zip(texts, results, strict=True) if r[i] is not None]
        if not having:
            flags.append(nothing)
            continue
        keys = pl.Series([v for v, _code in having], dtype=pl.String)
        codes = pl.Series([code for _v, code in having], dtype=pl.String)
        flags.append(s.replace_strict(keys, codes, default=None, return_dtype=pl.String).alias(""))
    return _Checked(value, flags[0], flags[1])


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
    """Per key, Python's ``sum()`` of each column's non-null values, smallest first (the
    rows of a key need not be together), or null when there are none.

    The model path adds floats sorted, left to right, from 0, so that a total does not
    depend on the order of the B/Ls or goods lines; Polars' ``sum`` adds in another order,
    which can change the last bit once there are three or more values. Groups with at most
    two values are summed by ``sum`` (the order cannot matter); the others by ``cum_sum``
    over the sorted values, a left-to-right scan whose last value is the sequential sum (a
    group keeps its rows' order). Starting from 0 only turns a -0.0 total into 0.0.
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
                .sort(k, c)
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


def _iso6346_problem(number: pl.Expr) -> pl.Expr:
    """``container_number_problem(number).code`` in Polars (python-stdnum's arithmetic:
    letters 10-38 skipping multiples of 11, weights 2**i, sum mod 11 mod 10).

    On the bytes of the text: a number of the standard's shape is eleven ASCII bytes, so
    each character's value is integer arithmetic on its byte (no text per character)."""
    shape = number.str.contains(r"^[A-Z]{3}[UJZ][0-9]{7}$")
    raw = number.cast(pl.Binary)

    def byte(i: int) -> pl.Expr:
        return raw.bin.get(i, null_on_oob=True).cast(pl.Int64)

    total = pl.lit(0, pl.Int64)
    for i in range(10):
        # Each byte read once (an expression used twice is computed twice). A letter:
        # A is 10, then 12-21, 23-32, 34-38 (multiples of 11 skipped), that is
        # 10 + k + ceil(k / 10) for k = byte - ord("A"): (11 * byte - 606) // 10.
        value = (byte(i) * 11 - 606) // 10 if i < 4 else byte(i) - ord("0")
        total = total + value * (1 << i)
    digit = total % 11 % 10
    return (
        pl.when(~shape)
        .then(pl.lit("format"))
        .when(digit != byte(10) - ord("0"))
        .then(pl.lit("check_digit"))
    )


iso6346_problem = _iso6346_problem  # its public name, for the column-wise EDIFACT reader


# --- the reader ----------------------------------------------------------------------------
