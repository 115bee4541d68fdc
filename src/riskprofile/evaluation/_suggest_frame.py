""":func:`~riskprofile.evaluation.suggest` on the shipment frame: the units and their
candidate features made column-wise, their counts by group-by, no object per shipment.

:class:`FrameHistory` reads a shipment frame (:func:`~riskprofile.io.read_frame`, or
:func:`~riskprofile.model.frame.shipment_frame`) and gives the method what the reference
:class:`~._features.ObjectHistory` gives it from shipment objects, the same figures to
the unit: the units (a container, or a B/L without one; dated by the earliest arrival,
else B/L issue date, of their shipments, else by their inspection), each feature kind
exploded to one row per unit and value, and per candidate the support, findings and
units seen on each period, its first and last finding, the combinations' parents, and
the labelled units of the candidates the selection compares (as bit sets). Only these
small tables of candidates reach the selection and weighting code, which both histories
share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

import polars as pl

from riskprofile.engines.columnar import frame_schema, shipment_frame, unit_key_expression
from riskprofile.errors import DataError
from riskprofile.evaluation._candidates import _MIN_BAND_SHIPMENTS, COMBINATIONS, _cut
from riskprofile.evaluation._compact import (
    DERIVED,
    as_text,
    compact_history,
    literal_constants,
    text_columns,
)
from riskprofile.evaluation._features import (
    _TRADER_FIELDS,
    COMBINATION_LEVELS,
    COUNT_SCHEMA,
    FEATURE_SCHEMA,
    Bands,
    Counts,
    Feature,
)
from riskprofile.evaluation._members import MEMBER_SCHEMA, Members
from riskprofile.evaluation._outcome_table import OutcomeTable, outcome_table
from riskprofile.evaluation._outcomes import Outcome
from riskprofile.evaluation._suggest_units import frame_units
from riskprofile.evaluation._unit_table import UnitTable
from riskprofile.model.shipment import Shipment

__all__ = ["COUNTED_UNITS", "HISTORY_COLUMNS", "FrameHistory"]

COUNTED_UNITS = 1 << 18
"""Units whose features are exploded and counted at a time (:meth:`FrameHistory._ranges`):
the counting's working memory is a range's, however many units the history has."""

_LISTS = {
    "hs_code": "hs_codes",
    "hs_heading": "hs_headings",
    "hs_chapter": "hs_chapters",
    "origin_country": "origin_countries",
    "transshipment_port": "transshipment_ports",
}
"""Kinds whose values are a list field's items."""

_TEXTS = {
    **{name: name for name in _TRADER_FIELDS},
    "consignee": "consignee_name",
    "shipper": "shipper_name",
    "port_of_loading": "port_of_loading",
    "place_of_receipt": "place_of_receipt",
}
"""Kinds whose value is a text field's, when not empty."""

HISTORY_COLUMNS = (
    "shipment_id", "manifest_ref", "container_number", "bl_number", "arrival",
    "bl_issue_date", "hs_codes", "hs_subheadings", "hs_headings", "hs_chapters",
    "origin_countries", "transshipment_ports", "value_per_kg", "value_currency",
    *_TEXTS.values(),
)  # fmt: skip
"""The shipment frame's columns the method reads (and every text custom field): the
projection ``read_frame(..., columns=HISTORY_COLUMNS)`` reads a history with. The test
period is scored on these columns, the others empty (a draft profile reads no other)."""


def _text(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column) != "")


class FrameHistory:
    """A history read from the shipment frame (see the module's documentation).

    Raises:
        DataError: the frame lacks a column the method reads.
    """

    def __init__(self, frame: pl.DataFrame, outcomes: Iterable[Outcome] | OutcomeTable) -> None:
        missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(
                f"the history frame has no column {', '.join(missing)}: give the shipment "
                "frame (read_frame or shipment_frame)"
            )
        # Text of repeated values as categoricals, a column of one value (most often a
        # field the history does not give) as a literal: no 16-byte view per row (see
        # _compact; a frame read with compact_history is so already). Text is read
        # back where a step needs it, a query (or a range of units) at a time.
        frame = literal_constants(compact_history(frame))
        self._customs = sorted(
            c
            for c, t in frame.schema.items()
            if c.startswith("x_") and (t == pl.String or isinstance(t, pl.Categorical))
        )
        self._frame = frame
        derived = [DERIVED] if DERIVED in frame.columns else []  # see _compact
        table = outcomes.table if isinstance(outcomes, OutcomeTable) else outcome_table(outcomes)
        # The units as columns (ids in key order), each row's unit id: no object per
        # unit, no key held as text (see _suggest_units).
        found = frame_units(frame, table)
        self.units, self.unmatched, self.first_unmatched = (
            found.units, found.unmatched, found.first_unmatched
        )  # fmt: skip
        self._rows = pl.DataFrame(
            [pl.int_range(frame.height, dtype=pl.UInt32, eager=True).alias("_row"),
             found.rows.alias("_unit")]
        ).hstack(frame.select(*HISTORY_COLUMNS[6:], *self._customs, *derived))  # fmt: skip
        self._bands: Bands = {}
        self._combinations = False
        self._labels = self.units.table.select("_unit", "_day", "_labelled", "_finding")

    # --- the units' features ---------------------------------------------------------

    def learn_bands(self, train: UnitTable, count: int) -> Bands:
        """The value-per-kg bands of the training period's shipments (as
        :func:`~._features._learn_bands`)."""
        rows = self._rows.lazy()
        values = (
            rows.with_columns(text_columns(rows))
            .join(train.ids().lazy(), on="_unit", how="semi")
            .filter(_single_chapter())
            .select(
                pl.col("hs_chapters").list.first().alias("chapter"),
                pl.col("value_currency").alias("currency"),
                pl.col("value_per_kg").alias("v"),
            )
            .group_by("chapter", "currency")
            .agg(
                pl.len().alias("n"),
                *(
                    pl.col("v").sort().get(pl.len() * i // count).alias(f"q{i}")
                    for i in range(1, count)
                ),
            )
            .filter(pl.col("n") >= count * _MIN_BAND_SHIPMENTS)
            .sort("chapter", "currency")
            .collect()
        )
        bands: Bands = {}
        for row in values.iter_rows(named=True):
            cuts = sorted({_cut(row[f"q{i}"]) for i in range(1, count)})
            cuts = [c for c in cuts if c > 0]
            if cuts:
                bands[(row["chapter"], row["currency"])] = tuple(cuts)
        return bands

    def add_features(self, bands: Bands, combinations: bool) -> None:
        """Remember the bands and whether combinations are candidates (the features
        themselves are made column-wise each time they are counted)."""
        self._bands = bands
        self._combinations = combinations

    def _kinds(
        self,
        rows: pl.LazyFrame,
        combinations: bool,
        level: str = "_unit",
        carry: Sequence[str] = (),
    ) -> Iterator[tuple[str, pl.LazyFrame]]:
        """Each kind's ``(level, value)`` rows, distinct: ``level`` is ``_unit`` (a unit's
        features over its shipments) or ``_row`` (a shipment's); ``carry``: columns of
        ``rows`` that are the unit's own (its period, labels), kept beside it."""
        keep = (level, *carry)

        def distinct(values: pl.LazyFrame) -> pl.LazyFrame:
            return values.select(*keep, "value").unique(subset=[level, "value"])

        def items(column: str) -> pl.LazyFrame:
            return (
                rows.select(*keep, pl.col(column).alias("value"))
                .explode("value")
                .drop_nulls("value")
            )

        def pairs(first: str, second: str, *, where: pl.Expr | None = None) -> pl.LazyFrame:
            chosen = rows if where is None else rows.filter(where)
            return (
                chosen.select(*keep, pl.col(first).alias("a"), pl.col(second).alias("b"), "_pol")
                .explode("a")
                .explode("b")
                .drop_nulls(["a", "b"])
            )

        departure = pl.col("port_of_loading").str.len_chars() >= 2
        rows = rows.with_columns(text_columns(rows))  # the columns a query reads, as text
        rows = rows.with_columns(pl.col("port_of_loading").str.slice(0, 2).alias("_pol"))
        if combinations:
            yield (
                "code_origin_departure",
                distinct(
                    pairs("hs_codes", "origin_countries", where=departure).select(
                        *keep,
                        pl.concat_str(
                            pl.col("a").str.slice(0, 6), pl.col("b"), pl.col("_pol"), separator=":"
                        ).alias("value"),
                    )
                ),
            )
            yield "hs_subheading", distinct(items("hs_subheadings"))
            yield (
                "code_tax_type",
                distinct(
                    rows.filter(_text("tax_type"))
                    .select(*keep, pl.col("hs_subheadings").alias("a"), "tax_type")
                    .explode("a")
                    .drop_nulls("a")
                    .select(*keep, pl.concat_str("a", "tax_type", separator=":").alias("value"))
                ),
            )
        for kind, column in _TEXTS.items():
            yield (
                kind,
                distinct(rows.filter(_text(column)).select(*keep, pl.col(column).alias("value"))),
            )
        for name in self._customs:
            yield (
                name,
                distinct(rows.filter(_text(name)).select(*keep, pl.col(name).alias("value"))),
            )
        for kind, column in _LISTS.items():
            yield kind, distinct(items(column))
        yield (
            "heading_origin",
            distinct(
                pairs("hs_headings", "origin_countries").select(
                    *keep, pl.concat_str("a", "b", separator=":").alias("value")
                )
            ),
        )
        yield (
            "loading_country",
            distinct(rows.filter(departure).select(*keep, pl.col("_pol").alias("value"))),
        )
        if self._bands:
            yield "value_band", distinct(self._value_bands(rows, keep))

    def _value_bands(self, rows: pl.LazyFrame, keep: Sequence[str]) -> pl.LazyFrame:
        width = max(len(cuts) for cuts in self._bands.values())
        table = pl.LazyFrame(
            {
                "_chapter": [k[0] for k in self._bands],
                "_currency": [k[1] for k in self._bands],
                **{
                    f"_c{i}": [c[i] if i < len(c) else None for c in self._bands.values()]
                    for i in range(width)
                },
            },
            schema={
                "_chapter": pl.String,
                "_currency": pl.String,
                **{f"_c{i}": pl.Float64 for i in range(width)},
            },
        )
        band = pl.sum_horizontal(
            (pl.col("value_per_kg") >= pl.col(f"_c{i}")).fill_null(False).cast(pl.Int64)
            for i in range(width)
        )
        return (
            rows.filter(_single_chapter())
            .select(
                *keep,
                pl.col("hs_chapters").list.first().alias("_chapter"),
                pl.col("value_currency").alias("_currency"),
                "value_per_kg",
            )
            .join(table, on=["_chapter", "_currency"], how="inner")
            .select(
                *keep,
                pl.concat_str("_chapter", "_currency", band.cast(pl.String), separator="|").alias(
                    "value"
                ),
            )
        )

    # --- counts ----------------------------------------------------------------------

    def _ranges(self, units: pl.DataFrame) -> Iterator[pl.LazyFrame]:
        """The rows (shipments) of ``units`` with ``units``' columns beside them,
        :data:`COUNTED_UNITS` units at a time (lazily: each query reads only its columns
        of the range's rows): a unit's features are its own shipments', so each range is
        counted alone and the counts summed (a kind exploded for the whole history at
        once held rows of every unit and value together)."""
        top = units.get_column("_unit").max()
        if top is None:
            return
        assert isinstance(top, int)
        for low in range(0, top + 1, COUNTED_UNITS):
            within = pl.col("_unit").is_between(low, low + COUNTED_UNITS - 1)
            part = units.filter(within)
            if not part.is_empty():
                yield self._rows.lazy().filter(within).join(part.lazy(), on="_unit", how="inner")

    def count(self, train: UnitTable, test: UnitTable, combinations: bool) -> Counts:
        """The features' counts on ``train`` and ``test``, by group-by, a range of units
        at a time (:meth:`_ranges`)."""
        periods = pl.concat(
            [
                train.ids().with_columns(pl.lit(0, pl.UInt8).alias("_period")),
                test.ids().with_columns(pl.lit(1, pl.UInt8).alias("_period")),
            ]
        ).join(self._labels, on="_unit", how="left")
        found_day = pl.col("_day").filter(
            (pl.col("_period") == 0) & pl.col("_labelled") & pl.col("_finding")
        )
        learned_ = (pl.col("_period") == 0) & pl.col("_labelled")
        totals: dict[str, pl.DataFrame] = {}
        parents: list[pl.DataFrame] = []
        carry = ("_period", "_labelled", "_finding", "_day")
        for rows in self._ranges(periods):
            codes = []
            for kind, values in self._kinds(rows, combinations, carry=carry):
                # A combination's rows are read twice (its counts, its parents): made once.
                combination = combinations and kind in COMBINATIONS
                distinct = values.collect().lazy() if combination else values
                counted = distinct.group_by("value").agg(
                    *(
                        _period_count(period, labelled, finding).alias(prefix + name)
                        for period, prefix in ((0, ""), (1, "test_"))
                        for name, labelled, finding in (
                            ("seen", False, False),
                            ("support", True, False),
                            ("found", True, True),
                        )
                    ),
                    found_day.min().alias("first"),
                    found_day.max().alias("last"),
                )
                totals[kind] = _summed(totals.get(kind), counted.collect())
                if combination:
                    codes.append(
                        distinct.filter(learned_).select(
                            "_unit",
                            "_finding",
                            pl.col("value").str.split(":").list.first().str.slice(0, 6).alias("c"),
                        )
                    )
            if codes:
                # A unit's parents are its own: each counted once per unit in its range.
                joined = pl.concat(codes).collect()
                for level, width in zip(COMBINATION_LEVELS, (6, 4, 2), strict=True):
                    parents.append(
                        joined.select("_unit", "_finding", pl.col("c").str.slice(0, width))
                        .unique()
                        .group_by("c")
                        .agg(pl.len().alias("n"), pl.col("_finding").sum().alias("f"))
                        .with_columns(pl.lit(level).alias("level"))
                    )
        table = pl.concat(
            [
                counted.filter(pl.col("support") > 0).with_columns(pl.lit(kind).alias("kind"))
                for kind, counted in totals.items()
            ]
            or [pl.DataFrame(schema=COUNT_SCHEMA)],
            how="diagonal_relaxed",
        )
        table = table.select(*COUNT_SCHEMA).cast(COUNT_SCHEMA).sort("kind", "value")  # type: ignore[arg-type]
        parent_units: Counter[Feature] = Counter()
        parent_found: Counter[Feature] = Counter()
        if parents:
            summed = (
                pl.concat(parents).group_by("level", "c").agg(pl.col("n").sum(), pl.col("f").sum())
            )
            for level, code, n, f in summed.select("level", "c", "n", "f").iter_rows():
                parent_units[(level, code)] = n
                if f:
                    parent_found[(level, code)] = f
        learned = periods.filter(learned_).select("_unit", "_finding")
        bound = len(self.units)

        def members(features: Collection[Feature]) -> Members:
            chosen = list(features)
            table = _feature_table(chosen)
            kinds = set(table.get_column("kind").to_list())
            parts = [
                values.join(
                    table.lazy().filter(pl.col("kind") == kind).select("value", "feature"),
                    on="value",
                )
                .select(*MEMBER_SCHEMA)
                .collect()
                for rows in self._ranges(learned)
                for kind, values in self._kinds(rows, combinations, carry=("_finding",))
                if kind in kinds
            ]
            rows = pl.concat(parts) if parts else pl.DataFrame(schema=MEMBER_SCHEMA)
            return Members(chosen, rows, bound)

        return Counts(table, parent_units, parent_found, members)

    def unit_features(self, units: UnitTable, wanted: Sequence[Feature]) -> pl.DataFrame:
        """The features among ``wanted`` (with combinations) of each shipment of
        ``units`` (:data:`~._features.FEATURE_SCHEMA`), made column-wise, a range of
        units at a time (:meth:`_ranges`)."""
        table = _feature_table(wanted)
        kinds = set(table.get_column("kind").to_list())
        parts = [
            values.join(
                table.lazy().filter(pl.col("kind") == kind).select("value", "feature"),
                on="value",
            )
            .select("_unit", "_row", "feature")
            .collect()
            for rows in (self._ranges(units.ids()) if kinds else ())
            for kind, values in self._kinds(rows, True, level="_row", carry=("_unit",))
            if kind in kinds
        ]
        if not parts:
            return pl.DataFrame(schema=FEATURE_SCHEMA)
        return pl.concat(parts).cast(FEATURE_SCHEMA)  # type: ignore[arg-type]

    def indicator_counts(
        self, units: UnitTable, indicator: Mapping[Feature, str]
    ) -> dict[str, tuple[int, int, int]]:
        """Per indicator: units with any of its values, of them labelled, and found (a
        range of units at a time, :meth:`_ranges`)."""
        if not indicator:
            return {}
        table = pl.DataFrame(
            {
                "kind": [f[0] for f in indicator],
                "value": [f[1] for f in indicator],
                "name": list(indicator.values()),
            },
            schema={"kind": pl.String, "value": pl.String, "name": pl.String},
        )
        kinds = set(table["kind"].to_list())
        counted = []
        for rows in self._ranges(units.ids()):
            parts = [
                values.join(
                    table.lazy().filter(pl.col("kind") == kind).select("value", "name"),
                    on="value",
                ).select("_unit", "name")
                for kind, values in self._kinds(rows, self._combinations)
                if kind in kinds
            ]
            if parts:
                counted.append(
                    pl.concat(parts)
                    .unique()
                    .join(self._labels.lazy(), on="_unit", how="left")
                    .group_by("name")
                    .agg(
                        pl.len().alias("seen"),
                        pl.col("_labelled").sum().alias("labelled"),
                        (pl.col("_labelled") & pl.col("_finding")).sum().alias("found"),
                    )
                    .collect()
                )
        if not counted:
            return {}
        summed = (
            pl.concat(counted, how="vertical_relaxed")
            .group_by("name")
            .agg(pl.col("seen").sum(), pl.col("labelled").sum(), pl.col("found").sum())
        )
        return {
            name: (seen, labelled, found)
            for name, seen, labelled, found in summed.select(
                "name", "seen", "labelled", "found"
            ).iter_rows()
        }

    def batch(self, units: UnitTable) -> tuple[list[Shipment] | pl.DataFrame, pl.DataFrame]:
        """The shipments of ``units``, as a frame to score, and each unit's key as the
        run names it (``_unit``, ``_key``)."""
        rows = (
            self._rows.select("_row", "_unit")
            .join(units.ids(), on="_unit", how="semi")
            .sort("_row")
        )
        frame = _whole(as_text(self._frame[rows.get_column("_row")]))
        keys = frame.select(rows.get_column("_unit"), unit_key_expression().alias("_key")).unique(
            "_unit"
        )
        return frame, keys


def _whole(frame: pl.DataFrame) -> pl.DataFrame:
    """A projected frame (:data:`HISTORY_COLUMNS`) with the shipment frame's other
    columns as a shipment that gives none of them has them, so that it scores: a draft
    profile's conditions read none of them."""
    schema = frame_schema()
    missing = [name for name in schema if name not in frame.schema]
    if not missing:
        return frame
    blank = shipment_frame([Shipment(shipment_id="-")]).select(missing)
    # As literals: Polars keeps a column of one repeated value without a row each (the
    # test period of a large history is most of a hundred columns wide).
    filled = frame.with_columns(
        pl.lit(blank.get_column(name)).first().alias(name) for name in missing
    )
    return filled.select(*schema, *(c for c in frame.columns if c not in schema))


def _feature_table(features: Sequence[Feature]) -> pl.DataFrame:
    """``features`` as a table of ``kind`` and ``value``, numbered (``feature``) in their
    order."""
    return pl.DataFrame(
        {"kind": [f[0] for f in features], "value": [f[1] for f in features]},
        schema={"kind": pl.String, "value": pl.String},
    ).with_row_index("feature")


def _single_chapter() -> pl.Expr:
    """As :func:`~._features._single_chapter_value`: one chapter, a value per kg above 0
    and a currency."""
    value = pl.col("value_per_kg")
    return (
        (pl.col("hs_chapters").list.len() == 1)
        & value.is_not_null()
        & value.is_not_nan()
        & (value > 0)
        & pl.col("value_currency").is_not_null()
    )


def _summed(total: pl.DataFrame | None, part: pl.DataFrame) -> pl.DataFrame:
    """The counts of a kind so far and of one more range of units, per value: summed, the
    first and last finding days the earliest and latest."""
    if total is None:
        return part
    return (
        pl.concat([total, part], how="vertical_relaxed")
        .group_by("value")
        .agg(
            *(
                pl.col(name).sum()
                for name in part.columns
                if name not in ("value", "first", "last")
            ),
            pl.col("first").min(),
            pl.col("last").max(),
        )
    )


def _period_count(period: int, labelled: bool, finding: bool) -> pl.Expr:
    chosen = pl.col("_period") == period
    if labelled:
        chosen = chosen & pl.col("_labelled")
    if finding:
        chosen = chosen & pl.col("_finding")
    return chosen.sum()
