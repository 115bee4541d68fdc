"""Hit and error masks of compiled conditions on a shipment frame, whichever way they run.

:func:`masks_for` is what the columnar scorer calls: every condition that translates
(:func:`~riskprofile.engines.columnar._translate.translate`) is evaluated in one
``frame.select`` (much faster than one select per condition); a condition that does
not translate, and any row a translation leaves undecided, is evaluated row-wise on
records built from the frame exactly as :func:`~riskprofile.profiles._explain.record_of`
builds them from shipments. The caller never needs to know which way a condition ran.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

import polars as pl
import rule_engine

from riskprofile._parallel import each_at_once
from riskprofile.engines._contract import ConditionMasks
from riskprofile.engines.columnar._translate import Part, Translation, shared_translation
from riskprofile.model.shipment import field_catalogue
from riskprofile.profiles.shared import Condition, evaluation_time

__all__ = ["ConditionMasks", "condition_masks", "masks_for", "records_of_frame"]


@cache
def _types() -> dict[str, str]:
    return {spec.name: spec.type for spec in field_catalogue()}


def _converter(kind: str) -> Any:
    if kind == "list[string]":
        return lambda v: () if v is None else tuple(v)
    if kind in ("date", "datetime"):
        return lambda v: None if v is None else v.astimezone(dt.UTC)
    if kind == "decimal":

        def decimal_value(v: Decimal | None) -> Decimal | None:
            if v is None:
                return None
            # As shipments_of_frame reads it back: whole numbers without the 18 zeros.
            return v.normalize() if v == v.to_integral_value() else v

        return decimal_value
    return None


def _custom_converter(value: Any) -> Any:
    """A custom field's value as :func:`~riskprofile.profiles._explain.record_of` gives it
    (lists as tuples, dates at midnight UTC; a null list stays null)."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value


def records_of_frame(
    frame: pl.DataFrame, fields: Iterable[str], rows: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """The records the row-wise engine evaluates (tuples for lists, Decimal, UTC
    datetimes), with only ``fields``; for ``rows`` (indices) or every row."""
    names = sorted(set(fields))
    types = _types()
    # A custom field no shipment of the frame has is null, as in the row-wise record.
    absent = [pl.lit(None).alias(n) for n in names if n not in frame.columns]
    frame = frame.with_columns(absent) if absent else frame
    selected = frame.select(names) if names else pl.DataFrame({"_": [0] * frame.height})
    if rows is not None:
        selected = selected[list(rows)]
    if not names:
        return [{} for _ in range(selected.height)]
    columns = []
    for name in names:
        values = selected.get_column(name).to_list()
        convert = _converter(types[name]) if name in types else _custom_converter
        columns.append(values if convert is None else [convert(v) for v in values])
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def _rowwise(
    condition: Condition, records: Sequence[Mapping[str, Any]], as_of: dt.datetime
) -> tuple[list[bool], list[bool]]:
    hits, errors = [], []
    # Records with the same values (same types and reprs: 1.0 and 1, -0.0 and 0.0 stay
    # apart) give the same result: each is evaluated once. Many rows left undecided
    # share a text (a description with non-ASCII letters, say).
    known: dict[tuple[tuple[type, str], ...], tuple[bool, bool]] = {}
    for record in records:
        key = tuple((type(v), repr(v)) for v in record.values())
        found = known.get(key)
        if found is None:
            try:
                found = (bool(condition.evaluate(record, as_of)), False)
            except rule_engine.EngineError:
                found = (False, True)
            known[key] = found
        hits.append(found[0])
        errors.append(found[1])
    return hits, errors


def _rowwise_masks(
    frame: pl.DataFrame, condition: Condition, as_of: dt.datetime, reason: str
) -> ConditionMasks:
    hits, errors = _rowwise(condition, records_of_frame(frame, condition.fields), as_of)
    return ConditionMasks(
        pl.Series("hit", hits, dtype=pl.Boolean),
        pl.Series("error", errors, dtype=pl.Boolean),
        reason,
    )


def _patched(
    frame: pl.DataFrame,
    condition: Condition,
    as_of: dt.datetime,
    hit: pl.Series,
    error: pl.Series,
    undecided: pl.Series | None,
) -> ConditionMasks:
    if undecided is not None and undecided.any():
        rows = undecided.arg_true().to_list()
        hits, errors = _rowwise(condition, records_of_frame(frame, condition.fields, rows), as_of)
        hit = hit.scatter(rows, pl.Series(hits, dtype=pl.Boolean))
        error = error.scatter(rows, pl.Series(errors, dtype=pl.Boolean))
    return ConditionMasks(hit.alias("hit"), error.alias("error"), None)


def condition_masks(
    frame: pl.DataFrame,
    condition: Condition,
    lists: Mapping[str, frozenset[Any]],
    as_of: dt.datetime,
) -> ConditionMasks:
    """The hit and error masks of one condition on ``frame`` (a shipment frame)."""
    return masks_for(frame, [("condition", condition)], {"condition": lists}, as_of)["condition"]


def _same_meaning(condition: Condition, as_of: dt.datetime) -> tuple[Any, ...]:
    """Conditions with equal keys mean the same (same text, same list values in force at
    ``as_of``): an overlay repeats most of its base's indicators."""
    builtins = condition.rule.context.builtins
    with evaluation_time(as_of):  # a list's values are those in force at the evaluation time
        values = tuple(sorted((name, frozenset(builtins[name])) for name in condition.lists))
    return (condition.expression, values)


# Evaluating a column's parts on its distinct values pays when there are at most
# _DISTINCT_SHARE of them per row and the parts weigh at least _WEIGHT_FOR_DISTINCT:
# finding a text column's distinct values and joining them back costs about one regex
# over every row (the unit of Part.cost), a list column's about two and a half.
_DISTINCT_SHARE = 0.5
_WEIGHT_FOR_DISTINCT = 1.0


def _weight(parts: Sequence[Part], is_list: bool) -> float:
    """What evaluating ``parts`` on every row costs, over what evaluating them on the
    distinct values of their column costs (worth it from _WEIGHT_FOR_DISTINCT on)."""
    return sum(part.cost for part in parts) / (2.5 if is_list else 1.0)


def _select(
    frame: pl.DataFrame, exprs: Sequence[pl.Expr], parts: Mapping[str, Part]
) -> pl.DataFrame:
    """``frame.select(exprs)``, where ``exprs`` may read the ``parts`` as columns.

    A column's parts are evaluated on its distinct values and joined back when that
    pays, else on every row; then ``exprs`` in one lazy select, so that Polars
    evaluates a sub-expression repeated among them once."""
    used: set[str] = set()
    for e in exprs:
        used.update(e.meta.root_names())
    by_column: dict[str, list[tuple[str, Part]]] = {}
    for name in sorted(used & parts.keys()):
        by_column.setdefault(parts[name].column, []).append((name, parts[name]))
    schema = frame.schema  # built anew by polars on each read: once

    def on_distinct(item: tuple[str, list[tuple[str, Part]]]) -> list[pl.Series] | None:
        """The column's parts evaluated on its distinct values and joined back, or None
        when that does not pay (they are then evaluated on every row)."""
        column, named = item
        dtype = schema.get(column)  # None: missing, for Polars to say so
        weight = _weight([part for _, part in named], isinstance(dtype, pl.List))
        if not column or dtype is None or weight < _WEIGHT_FOR_DISTINCT:
            return None
        values = frame.select(pl.col(column).unique())
        if values.height > frame.height * _DISTINCT_SHARE:
            return None
        joined = frame.select(column).join(
            values.with_columns(part.expr.alias(name) for name, part in named),
            on=column,
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        return [joined.get_column(name) for name, _ in named]

    # Each column's distinct values found and joined back on their own (a text column's
    # ``unique`` runs on one thread), side by side; the results in the columns' order.
    columns = list(by_column.items())
    added: list[pl.Series] = []
    direct: list[pl.Expr] = []
    for (_column, named), found in zip(columns, each_at_once(on_distinct, columns), strict=True):
        if found is None:
            direct += [part.expr.alias(name) for name, part in named]
        else:
            added += found
    base = frame.hstack(added) if added else frame
    return base.lazy().with_columns(direct).select(exprs).collect()


def masks_for(
    frame: pl.DataFrame,
    conditions: Sequence[tuple[str, Condition]],
    lists_by_key: Mapping[str, Mapping[str, frozenset[Any]]],
    as_of: dt.datetime,
    translations: Mapping[str, Translation] | None = None,
) -> dict[str, ConditionMasks]:
    """The masks of many conditions, keyed as given: the translated ones in one select,
    the others row-wise; a condition repeated under several keys is evaluated once.

    Args:
        frame: a shipment frame (:func:`~riskprofile.engines.columnar.shipment_frame`).
        conditions: ``(key, condition)`` pairs; keys are the caller's (unique).
        lists_by_key: each key's watch lists (its profile's ``lists``); a key may be
            missing when its condition uses no list.
        as_of: the evaluation time, as for the row-wise engine.
        translations: translations made earlier, by key (optional; others are made here).
    """
    done: dict[str, Translation] = {}
    parts: dict[str, Part] = {}
    for key, condition in conditions:
        known = translations.get(key) if translations is not None else None
        if known is None:
            known, shared = shared_translation(condition, lists_by_key.get(key, {}), as_of)
            parts.update(shared)
        done[key] = known
    first: dict[tuple[Any, ...], str] = {}
    same_as: dict[str, str] = {}
    for key, condition in conditions:
        same_as[key] = first.setdefault(_same_meaning(condition, as_of), key)
    # A row number keeps constant masks (a condition that is a literal) frame-long.
    exprs: list[pl.Expr] = [pl.int_range(pl.len()).alias("row")]
    columnar: list[tuple[str, Condition, bool]] = []
    for index, (key, condition) in enumerate(conditions):
        t = done[key]
        if same_as[key] != key or t.hit is None or t.error is None:
            continue
        exprs.append(t.hit.alias(f"h{index}"))
        exprs.append(t.error.alias(f"e{index}"))
        if t.undecided is not None:
            exprs.append(t.undecided.alias(f"u{index}"))
        columnar.append((key, condition, t.undecided is not None))
    # Lists holding a null (no Shipment does; a frame from elsewhere might) make
    # rule-engine raise when the field is read: such rows are left to the row-wise engine.
    types = _types()
    list_fields = sorted(
        {f for _, c, _ in columnar for f in c.fields if types[f] == "list[string]"}
        & set(frame.columns)
    )
    for f in list_fields:
        parts[f"n:{f}"] = Part(
            f, pl.col(f).list.eval(pl.element().is_null()).list.any().fill_null(False), 0.4
        )
        exprs.append(pl.col(f"n:{f}"))
    out: dict[str, ConditionMasks] = {}
    selected = _select(frame, exprs, parts) if len(exprs) > 1 else None
    holes = {f for f in list_fields if selected is not None and selected[f"n:{f}"].any()}
    positions = {key: index for index, (key, _) in enumerate(conditions)}
    for key, condition, has_undecided in columnar:
        assert selected is not None
        index = positions[key]
        undecided = selected.get_column(f"u{index}") if has_undecided else None
        for field in sorted(holes & condition.fields):
            with_hole = selected.get_column(f"n:{field}")
            undecided = with_hole if undecided is None else undecided | with_hole
        out[key] = _patched(
            frame,
            condition,
            as_of,
            selected.get_column(f"h{index}"),
            selected.get_column(f"e{index}"),
            undecided,
        )
    for key, condition in conditions:
        if same_as[key] == key and key not in out:
            reason = done[key].fallback or "not translated"
            out[key] = _rowwise_masks(frame, condition, as_of, reason)
    return {key: out[same_as[key]] for key, _ in conditions}
