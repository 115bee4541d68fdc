"""The reader's shared state: the file, its mapping, the slice being read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from riskprofile.io._frame._load import _Source
from riskprofile.io._frame._values import (
    _NUMBERS,
    _POSITIONAL,
    PY_WHITESPACE,
    Check,
    _field_check,
    _is_blank,
)
from riskprofile.io._layout import ColumnMapping
from riskprofile.io._read import BatchFormat
from riskprofile.io._table import TableReader
from riskprofile.model import Strictness
from riskprofile.model.manifest import Manifest
from riskprofile.model.shared import RecordModel


@dataclass(frozen=True)
class _Call:
    manifest: Manifest
    flags: list[str]
    conflict: bool
    broken: bool
    key: tuple[str, ...]
    fill: dict[str, str]


class _ReaderState:
    """What every step of the reader shares: the file, the mapping and the slice."""

    def __init__(
        self,
        path: Path,
        fmt: BatchFormat,
        mapping: ColumnMapping,
        strictness: Strictness,
        table: TableReader,
        records: _Source,
        keep: Callable[[str], bool] | None = None,
    ) -> None:
        self.path = path
        # The frame's columns kept (read_frame's projection); None keeps every one.
        self.keep = keep
        # Applied to each slice once projected (read_frame's ``compact``); None: none.
        self.compact: Callable[[pl.DataFrame], pl.DataFrame] | None = None
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

    def _as_text(self, value: Any) -> str | None:
        """A merged value back as a cell (lists joined with the list separator)."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, list):
            return self.mapping.list_separator.join("" if v is None else str(v) for v in value)
        return str(value)
