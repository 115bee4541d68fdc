"""Comprehensions over a list field whose body reads more than the element: evaluated on
the list exploded to one row per element.

``[h for h in hs_subheadings if h + ":" + tax_type in $code_tax_types]`` cannot run in
``list.eval`` (Polars lets an element expression read the element only). Such a
comprehension is evaluated by :class:`_Exploded`, a batch function over a struct of the
iterated list and every column the body reads: it explodes the list (a row with an
empty list has no element; the others' elements follow in the rows' order), evaluates
the body's masks (kept, error, undecided) as ordinary column expressions there, with the
other fields repeated for each element, and sums them back per row (the differences of
their running sums at the ends of each row's elements: no grouping). A comprehension
in the body over another list field is one more such function inside the exploded
frame: a cross product of the two lists per row.

The exploded frame is built a batch of rows at a time, at most :data:`ELEMENTS_PER_BATCH`
elements and those of one more row, so that memory is bounded whatever the lists'
lengths; the time grows with the elements (the product of the lengths, for a
nested comprehension), as it does row-wise. Comprehensions over list fields nested
deeper than :data:`MAX_NESTING` are not translated (the condition falls back to the
row-wise engine, saying so).
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

import polars as pl

from riskprofile.engines.columnar._translate._values import Part, Untranslatable

ELEMENTS_PER_BATCH = 1 << 20
"""The most list elements (of all rows together) exploded at once."""

MAX_NESTING = 2
"""How deep comprehensions over list fields that read other fields may nest."""

# The struct's field holding the iterated list.
_LIST = "~list"
_RESULT = pl.Struct({"count": pl.Int64, "error": pl.Boolean, "undecided": pl.Boolean})
_UNIQUE = itertools.count()


@dataclass(frozen=True, eq=False)
class _Exploded:
    """For each row of a struct (the iterated list as ``~list``, the columns the body
    reads by name): how many elements are kept, whether one raises, whether one is
    undecided (a struct of ``count``, ``error``, ``undecided``, never null).

    ``parts`` are sub-expressions the body's masks read as columns (computed in this
    order on the exploded frame: a part may read an earlier one); ``element`` is the
    column holding the element there.
    """

    element: str
    keep: pl.Expr
    error: pl.Expr
    undecided: pl.Expr
    parts: tuple[tuple[str, pl.Expr], ...] = ()

    def __call__(self, rows: pl.Series) -> pl.Series:
        frame = rows.struct.unnest()
        height = frame.height
        lengths = frame.get_column(_LIST).list.len().fill_null(0)
        if height and lengths.max() == 1:
            return self._at_most_one(frame, lengths).alias(rows.name)
        if not height or lengths.sum() == 0:
            count = pl.zeros(height, pl.Int64, eager=True).alias("count")
            never = pl.repeat(False, height, dtype=pl.Boolean, eager=True)
            return pl.struct(count, never.alias("error"), never.alias("undecided"),
                             eager=True).alias(rows.name)  # fmt: skip
        found = [
            self._per_row(frame.slice(start, stop - start), lengths.slice(start, stop - start))
            for start, stop in _batches(lengths, ELEMENTS_PER_BATCH)
        ]
        per_row = found[0] if len(found) == 1 else pl.concat(found)
        return per_row.to_struct(rows.name)

    def _at_most_one(self, rows: pl.DataFrame, lengths: pl.Series) -> pl.Series:
        """As :meth:`__call__` where no list has more than one element (a declaration's
        one HS code and origin): the body on each row's element, no explode."""
        one = pl.lit(lengths == 1)
        elements = rows.lazy().with_columns(pl.col(_LIST).list.first().alias(self.element))
        for name, expr in self.parts:
            elements = elements.with_columns(expr.alias(name))
        # A row with no element has none kept, none raising: whatever the body gives
        # on its null element is dropped.
        result = elements.select(
            pl.struct(
                # Nulls as the per-row sums and anys of __call__ read them.
                pl.when(one)
                .then(self.keep.cast(pl.Int64).fill_null(0))
                .otherwise(0)
                .alias("count"),
                (one & self.error.fill_null(False)).alias("error"),
                (one & self.undecided.fill_null(False)).alias("undecided"),
            )
        ).collect()
        return result.to_series()

    def _per_row(self, rows: pl.DataFrame, lengths: pl.Series) -> pl.DataFrame:
        """The rows' counts and masks (``count``, ``error``, ``undecided``)."""
        # An empty (or null) list gives no element, as row-wise; the others' elements
        # follow in the rows' order, so each row's are a stretch: its sums are the
        # differences of the running sums at the stretch's ends.
        elements = (
            rows.lazy()
            .explode(_LIST, empty_as_null=False, keep_nulls=False)
            .rename({_LIST: self.element})
            .with_columns(pl.col(self.element).cast(pl.String))
        )
        for name, expr in self.parts:
            elements = elements.with_columns(expr.alias(name))
        running = (
            elements.select(
                # Nulls as sums and anys read them: nothing.
                self.keep.cast(pl.Int64).fill_null(0).alias("count"),
                self.error.fill_null(False).cast(pl.Int64).alias("error"),
                self.undecided.fill_null(False).cast(pl.Int64).alias("undecided"),
            )
            .select(pl.all().cum_sum())
            .collect()
        )
        zero = pl.DataFrame({name: [0] for name in running.columns}, schema=running.schema)
        running = pl.concat([zero, running])
        ends = lengths.cast(pl.Int64).cum_sum()
        starts = ends - lengths.cast(pl.Int64)
        sums = {
            name: running.get_column(name).gather(ends) - running.get_column(name).gather(starts)
            for name in running.columns
        }
        return pl.DataFrame(
            {
                "count": sums["count"],
                "error": sums["error"] > 0,
                "undecided": sums["undecided"] > 0,
            }
        )


def _batches(lengths: pl.Series, budget: int) -> list[tuple[int, int]]:
    """Consecutive row ranges ``[start, stop)`` whose lists hold at most ``budget``
    elements together, plus the elements of one row (the rows whose first element falls
    in the same ``budget``-long stretch of all the elements)."""
    if lengths.sum() <= budget:
        return [(0, len(lengths))]
    stretch = (lengths.cum_sum() - lengths) // budget
    firsts = (stretch != stretch.shift(1)).fill_null(True).arg_true().to_list()
    return list(zip(firsts, [*firsts[1:], len(lengths)], strict=True))


def exploded(
    iterable: pl.Expr,
    element: str,
    masks: tuple[pl.Expr | None, pl.Expr | None, pl.Expr | None],
    local: dict[str, Part],
    outer: dict[str, Part] | None,
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The count of kept elements, and whether one raises or is undecided, of a
    comprehension over ``iterable`` (a list expression) whose body's element masks
    (``masks``: kept, error, undecided; None for always, never, never) read ``element``
    and other columns, with the body's parts ``local``. Evaluated once per frame as a
    part of ``outer`` (when sharing; else repeated in each expression)."""
    keep, error, undecided = masks
    function = _Exploded(
        element,
        keep if keep is not None else pl.lit(True),
        error if error is not None else pl.lit(False),
        undecided if undecided is not None else pl.lit(False),
        tuple((name, part.expr) for name, part in local.items()),
    )
    reads: set[str] = set()
    body = [function.keep, function.error, function.undecided]
    for expr in body + [part.expr for part in local.values()]:
        reads.update(expr.meta.root_names())
    reads -= {element, *local}
    if outer is not None and reads & outer.keys():  # pragma: no cover - bodies share locally
        raise Untranslatable("a comprehension whose body reads a shared part")
    inputs = [iterable.alias(_LIST), *(pl.col(name) for name in sorted(reads))]
    per_row = pl.struct(inputs).map_batches(function, return_dtype=_RESULT)
    if outer is not None:
        name = f"~~exploded~{_identity(iterable, function, sorted(reads))}"
        # A part of no single column: evaluated on every row (see _masks._select).
        outer.setdefault(name, Part("", per_row, 1.0 + len(local)))
        per_row = pl.col(name)
    return (
        per_row.struct.field("count"),
        per_row.struct.field("error"),
        per_row.struct.field("undecided"),
    )


def _identity(iterable: pl.Expr, function: _Exploded, reads: list[str]) -> str:
    """A digest equal for equal comprehensions (what they iterate and their body's masks
    and parts; the parts are named by digests of what they compute), or a name of its
    own when an expression cannot be serialized."""
    digest = hashlib.blake2b(digest_size=12)
    try:
        for expr in (iterable, function.keep, function.error, function.undecided):
            digest.update(expr.meta.serialize())
            digest.update(b"\0")
    except Exception:  # a Python function in the body: not shared between conditions
        return f"own{next(_UNIQUE)}"
    for name, _ in function.parts:
        digest.update(name.encode() + b"\0")
    digest.update(repr((function.element, reads)).encode())
    return digest.hexdigest()
