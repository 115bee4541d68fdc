"""A set of a history's units as columns: what :func:`~riskprofile.evaluation.suggest`
splits into periods and rolling folds, with no Python object per unit.

A history of ten million declarations has millions of units; as objects they cost some
200 bytes each before any stage's working memory, as columns under 10 (a key as text
would be some 40 more: the history gives a unit's key when its shipments are scored).
The method reads a unit's id (a bit in the redundancy step's bit sets, unique in a
history), day, and whether it was inspected and found something; the periods and folds
are filters of one table, in the order of the ids (the history's units sorted by key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

__all__ = ["UNIT_SCHEMA", "UnitTable"]

UNIT_SCHEMA = {
    "_unit": pl.UInt32,
    "_day": pl.Date,
    "_labelled": pl.Boolean,
    "_finding": pl.Boolean,
}
"""The columns of a :class:`UnitTable`: id, day (None when the unit has no date),
labelled (an outcome says it was inspected) and finding."""


@dataclass(frozen=True, slots=True)
class UnitTable:
    """Units of a history as columns (:data:`UNIT_SCHEMA`), sorted by id.

    >>> units = UnitTable.of([0, 1], [dt.date(2026, 1, 2), None], [True, False], [True, False])
    >>> len(units), len(units.labelled()), units.findings
    (2, 1, 1)
    """

    table: pl.DataFrame

    @classmethod
    def of(
        cls,
        ids: Sequence[int],
        days: Sequence[dt.date | None],
        labelled: Sequence[bool],
        finding: Sequence[bool],
    ) -> UnitTable:
        """A table from one value per unit in each sequence (ids ascending)."""
        return cls(
            pl.DataFrame(
                {
                    "_unit": ids,
                    "_day": days,
                    "_labelled": labelled,
                    "_finding": finding,
                },
                schema=UNIT_SCHEMA,
            )
        )

    def __len__(self) -> int:
        return self.table.height

    def where(self, predicate: pl.Expr) -> UnitTable:
        """The units for which ``predicate`` (over :data:`UNIT_SCHEMA`) holds."""
        return UnitTable(self.table.filter(predicate))

    def slice(self, start: int, length: int) -> UnitTable:
        """``length`` units from the ``start``-th, in the order of the ids."""
        return UnitTable(self.table.slice(start, length))

    def labelled(self) -> UnitTable:
        """The units an outcome says were inspected."""
        return self.where(pl.col("_labelled"))

    def dated(self, start: dt.date | None, end: dt.date | None) -> UnitTable:
        """The units dated from ``start`` (None: any day) up to ``end`` (excluded; None:
        any day); a unit without a date is in none."""
        day = pl.col("_day")
        predicate = day.is_not_null()
        if start is not None:
            predicate = predicate & (day >= start)
        if end is not None:
            predicate = predicate & (day < end)
        return self.where(predicate)

    @property
    def findings(self) -> int:
        """How many units have a finding."""
        return int(self.table.get_column("_finding").sum())

    @property
    def undated(self) -> int:
        """How many units have no date."""
        return self.table.get_column("_day").null_count()

    def first_day(self) -> dt.date | None:
        """The earliest day of the units, None when none is dated."""
        day = self.table.get_column("_day").min()
        assert day is None or isinstance(day, dt.date)
        return day

    def ids(self) -> pl.DataFrame:
        """The units' ids, as a one-column table (``_unit``) to join on."""
        return self.table.select("_unit")
