"""The labelled training units of the candidates :func:`~riskprofile.evaluation.suggest`'s
redundancy step compares, held compactly: each candidate's unit ids as a sorted array (4
bytes a unit it has, not a bit for every unit of the history: at ten million units a bit
set is 1.2 MB, and thousands of candidates pass the tests), those with a finding
likewise, and what each pair of candidates shares (units, findings), counted by one
self-join per range of units.

The step asks only these of the sets it compared as bit sets: a candidate's size and
findings, what it shares with another, and what it has outside the units already
covered by the kept candidates (a mask of one byte per unit, :meth:`Members.outside`).
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Sequence

import polars as pl

__all__ = ["MEMBER_SCHEMA", "Members"]

Feature = tuple[str, str]

MEMBER_SCHEMA = {"feature": pl.UInt32, "_unit": pl.UInt32, "_finding": pl.Boolean}
"""The rows :class:`Members` is made of: a candidate (its index among the features), one of
its labelled training units, and whether that unit has a finding."""

PAIR_UNITS = 1 << 20
"""Units whose shared candidates are counted at a time (each range's self-join holds, per
unit, the square of the candidates it has)."""


def _ids(column: pl.Series) -> array[int]:
    """A UInt32 column as an array of its values, made from its buffer (no Python int per
    value)."""
    out = array("I")
    if column.len():
        values = column.cast(pl.UInt32).rechunk().to_arrow()
        data = values.buffers()[1]
        assert data is not None
        out.frombytes(data.to_pybytes()[values.offset * 4 : (values.offset + len(values)) * 4])
    return out


def _count_zeros(ids: array[int], mask: bytearray) -> int:
    """How many of ``ids`` are 0 in ``mask`` (gathered in C by ``itemgetter``)."""
    if not ids:
        return 0
    if len(ids) == 1:
        return 0 if mask[ids[0]] else 1
    gathered: tuple[int, ...] = operator.itemgetter(*ids)(mask)
    return gathered.count(0)


class Members:
    """Each feature's labelled training units and what pairs of features share (see the
    module's documentation).

    ``rows``: :data:`MEMBER_SCHEMA`, one row per feature and unit (distinct); ``bound``:
    more than the largest unit id of the history (the size of a covered-units mask).

    >>> rows = pl.DataFrame(
    ...     {"feature": [0, 0, 0, 1, 1], "_unit": [1, 2, 5, 2, 7],
    ...      "_finding": [True, False, True, False, True]}, schema=MEMBER_SCHEMA)
    >>> m = Members([("a", "x"), ("b", "y")], rows, 8)
    >>> m.size(("a", "x")), m.found(("a", "x")), m.shared(("a", "x"))
    (3, 2, {('b', 'y'): (1, 0)})
    >>> covered = m.mask()
    >>> m.cover(covered, ("b", "y"))
    >>> m.outside(("a", "x"), covered)
    (2, 2)
    """

    def __init__(self, features: Sequence[Feature], rows: pl.DataFrame, bound: int) -> None:
        self._features = list(features)
        self._index = {f: i for i, f in enumerate(self._features)}
        self._bound = bound
        rows = rows.select(*MEMBER_SCHEMA).cast(MEMBER_SCHEMA)  # type: ignore[arg-type]
        ordered = rows.sort("feature", "_unit")
        found = ordered.filter(pl.col("_finding"))
        self._ids = _ids(ordered.get_column("_unit"))
        self._found_ids = _ids(found.get_column("_unit"))
        self._spans = _spans(ordered.get_column("feature"), len(self._features))
        self._found_spans = _spans(found.get_column("feature"), len(self._features))
        self._pairs = _pairs(rows)
        self._pair_spans = _spans(self._pairs.get_column("feature"), len(self._features))

    def __contains__(self, feature: Feature) -> bool:
        return feature in self._index

    def size(self, feature: Feature) -> int:
        """How many units the feature has."""
        start, end = self._spans[self._index[feature]]
        return end - start

    def found(self, feature: Feature) -> int:
        """How many of its units have a finding."""
        start, end = self._found_spans[self._index[feature]]
        return end - start

    def shared(self, feature: Feature) -> dict[Feature, tuple[int, int]]:
        """The other features that share units with it: the units shared, and of them
        those with a finding (a feature sharing none is not in it)."""
        start, end = self._pair_spans[self._index[feature]]
        part = self._pairs.slice(start, end - start)
        return {
            self._features[other]: (units, found)
            for other, units, found in part.select("other", "units", "found").iter_rows()
        }

    def mask(self) -> bytearray:
        """An empty covered-units mask (one byte per unit)."""
        return bytearray(self._bound)

    def cover(self, mask: bytearray, feature: Feature) -> None:
        """Mark the feature's units in ``mask``."""
        start, end = self._spans[self._index[feature]]
        for unit in self._ids[start:end]:
            mask[unit] = 1

    def outside(self, feature: Feature, mask: bytearray) -> tuple[int, int]:
        """The feature's units not marked in ``mask``, and of them those with a finding."""
        start, end = self._spans[self._index[feature]]
        found_start, found_end = self._found_spans[self._index[feature]]
        return (
            _count_zeros(self._ids[start:end], mask),
            _count_zeros(self._found_ids[found_start:found_end], mask),
        )


def _spans(features: pl.Series, count: int) -> list[tuple[int, int]]:
    """Per feature index below ``count``, the rows of ``features`` (sorted) that hold it."""
    spans = [(0, 0)] * count
    if not features.len():
        return spans
    runs = (
        features.to_frame("feature")
        .with_row_index("start")
        .group_by("feature", maintain_order=True)
        .agg(pl.col("start").first(), pl.len().alias("n"))
    )
    for feature, start, n in runs.select("feature", "start", "n").iter_rows():
        spans[feature] = (start, start + n)
    return spans


def _pairs(rows: pl.DataFrame) -> pl.DataFrame:
    """Per ordered pair of features that share units: ``feature``, ``other``, the units
    shared and their findings, sorted by ``feature``; counted :data:`PAIR_UNITS` units at
    a time (a unit's pairs are its own)."""
    schema = {"feature": pl.UInt32, "other": pl.UInt32, "units": pl.UInt32, "found": pl.UInt32}
    parts = []
    top = rows.get_column("_unit").max() if rows.height else None
    assert top is None or isinstance(top, int)
    for low in range(0, (top or 0) + 1 if top is not None else 0, PAIR_UNITS):
        part = rows.filter(pl.col("_unit").is_between(low, low + PAIR_UNITS - 1))
        parts.append(
            part.join(part.select(pl.col("feature").alias("other"), "_unit"), on="_unit")
            .filter(pl.col("feature") != pl.col("other"))
            .group_by("feature", "other")
            .agg(pl.len().alias("units"), pl.col("_finding").sum().alias("found"))
            .cast(schema)  # type: ignore[arg-type]
        )
    if not parts:
        return pl.DataFrame(schema=schema)
    return (
        pl.concat(parts)
        .group_by("feature", "other")
        .agg(pl.col("units").sum(), pl.col("found").sum())
        .cast(schema)  # type: ignore[arg-type]
        .sort("feature", "other")
    )
