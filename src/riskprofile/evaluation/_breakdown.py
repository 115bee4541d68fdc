"""An evaluation broken down by a field's values: where the findings are.

:func:`breakdown` groups the evaluated units by the values their shipments give a field
- a catalogue field (``customs_office``, ``consignee_country``) or a custom field
(``x_office``, a column mapping's ``extra:``) - and gives each group its units, the units
some profile fired on, the inspected ones, the findings, the hit rate with its 95 %
interval and its lift over the run's base rate. A unit whose shipments give several
values (a list field, or two B/Ls with two offices) counts in each of them, once; a unit
with none is in ``(none)``. Only fields that group do: text, true/false and lists; a
number or a date does not (every value would be a group of its own), and is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from riskprofile.errors import ArgumentError
from riskprofile.evaluation._rates import Rate, fired_and_hit

if TYPE_CHECKING:
    from riskprofile.evaluation._metrics import Evaluation
    from riskprofile.scoring import ScoringRun

__all__ = ["BREAKDOWN_COLUMNS", "MAX_GROUPS", "breakdown", "check_group_field"]

BREAKDOWN_COLUMNS = ("field", "value", "units", "fired", "inspected", "findings", "hit_rate",
                     "hit_rate_low", "hit_rate_high", "lift")  # fmt: skip
"""The columns of a breakdown's rows."""

MAX_GROUPS = 30
"""The most groups shown: the others (fewest units) are summed in one ``(other: N
values)`` row, so that nothing is dropped."""

NONE = "(none)"
_GROUPING = ("string", "boolean", "list[string]")


def _unknown(field: str, specs: Iterable[str]) -> ArgumentError:
    import difflib

    close = difflib.get_close_matches(field, list(specs), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return ArgumentError(f"no field {field!r} to break the evaluation down by{hint}",
                         argument="group_by", value=field)  # fmt: skip


def _schema_type(field: str, schema: Mapping[str, Any]) -> str:
    """The catalogue type of ``field`` in a shipment frame of ``schema``."""
    from riskprofile.model.frame import custom_field_kind
    from riskprofile.model.shared import extra_catalogue_type, is_extra_field
    from riskprofile.model.shipment import field_catalogue

    specs = {spec.name: spec.type for spec in field_catalogue()}
    if field in specs:
        return specs[field]
    if not is_extra_field(field):
        raise _unknown(field, specs)
    if field not in schema:
        raise ArgumentError(
            f"the batch has no custom field {field} (its column mapping's extra: declares "
            "none of that name, or no record gives it a value)",
            argument="group_by",
            value=field,
        )
    kind = custom_field_kind(schema[field])
    return "float" if kind is None else extra_catalogue_type(kind)


def _field_type(run: ScoringRun, field: str) -> str:
    """The catalogue type of ``field`` in the run (a custom field's from its values)."""
    import datetime as dt

    from riskprofile.model.shared import is_extra_field
    from riskprofile.model.shipment import field_catalogue

    frame_run = run.frame_run
    if frame_run is not None and frame_run.frame is not None:
        return _schema_type(field, frame_run.frame.schema)
    specs = {spec.name: spec.type for spec in field_catalogue()}
    if field in specs:
        return specs[field]
    if not is_extra_field(field):
        raise _unknown(field, specs)
    for container in run.containers:
        for scored in container.shipments:
            value = getattr(scored.shipment, field, None)
            if value is None:
                continue
            if isinstance(value, bool):
                return "boolean"
            if isinstance(value, str):
                return "string"
            if isinstance(value, list | tuple):
                return "list[string]"
            return "date" if isinstance(value, dt.date) else "float"
    raise ArgumentError(
        f"no shipment of the run gives the custom field {field}",
        argument="group_by",
        value=field,
    )


def _refuse_if_not_grouping(field: str, kind: str) -> None:
    if kind not in _GROUPING:
        what = "a number" if kind in ("integer", "float", "decimal") else "a date"
        raise ArgumentError(
            f"{field} is {what}: it does not group (each value would be a group of its "
            "own); break down by a text, true/false or list field",
            argument="group_by",
            value=field,
        )


def check_group_field(field: str, schema: Mapping[str, Any]) -> None:
    """Refuse, before scoring, a field a batch of frame ``schema`` cannot be broken down
    by (unknown, absent, a number or a date): an :class:`ArgumentError` saying why."""
    _refuse_if_not_grouping(field, _schema_type(field, schema))


def _labels(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, list | tuple):
        yield from (str(v) for v in value if v is not None)
    else:
        yield str(value)


def _unit_values(run: ScoringRun, field: str) -> dict[str, set[str]]:
    """Each unit's values of ``field`` (over its shipments), from the objects of a run or
    the frame of a run scored column-wise (no object per shipment)."""
    out: dict[str, set[str]] = defaultdict(set)
    frame_run = run.frame_run
    pairs: Iterable[tuple[str, Any]]
    if frame_run is None or frame_run.frame is None:
        pairs = (
            (c.key, getattr(s.shipment, field, None)) for c in run.containers for s in c.shipments
        )
    else:
        keys = frame_run.shipment_scores.get_column("key").to_list()
        pairs = zip(keys, frame_run.frame.get_column(field).to_list(), strict=True)
    for key, value in pairs:
        out[key].update(_labels(value))
    return out


def breakdown(
    evaluation: Evaluation, field: str, *, limit: int = MAX_GROUPS
) -> tuple[dict[str, Any], ...]:
    """The evaluation's units grouped by ``field``'s values (see the module docstring),
    the most inspected groups first (then by value); rows as :data:`BREAKDOWN_COLUMNS`.

    Raises:
        ArgumentError: ``field`` is no field of the run, or one that does not group (a
            number or a date): the message says why.
    """
    _refuse_if_not_grouping(field, _field_type(evaluation.run, field))
    values = _unit_values(evaluation.run, field)
    fired = {k for keys in fired_and_hit(evaluation.run)[0].values() for k in keys}
    known = evaluation.match.units
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for key, labels in values.items():  # every unit of the run, inspected or not
        outcome = known.get(key)
        inspected = outcome is not None and outcome.inspected
        unit = {"key": key, "fired": key in fired, "inspected": inspected,
                "finding": inspected and bool(outcome and outcome.finding)}  # fmt: skip
        for label in sorted(labels or {NONE}):
            groups[label].append(unit)
    base = evaluation.base_rate.value

    def row(value: str, units: list[dict[str, Any]]) -> dict[str, Any]:
        inspected = [u for u in units if u["inspected"]]
        rate = Rate(sum(1 for u in inspected if u["finding"]), len(inspected))
        return {
            "field": field,
            "value": value,
            "units": len(units),
            "fired": sum(1 for u in units if u["fired"]),
            "inspected": rate.trials,
            "findings": rate.successes,
            **rate.fields("hit_rate"),
            "lift": rate.value / base if rate.value is not None and base else None,
        }

    rows = sorted((row(v, us) for v, us in groups.items()),
                  key=lambda r: (-r["inspected"], -r["units"], r["value"]))  # fmt: skip
    if len(rows) > limit:
        kept, rest = rows[: limit - 1], rows[limit - 1 :]
        units = {u["key"]: u for value, us in groups.items()
                 if value in {r["value"] for r in rest} for u in us}  # fmt: skip
        rows = [*kept, row(f"(other: {len(rest)} values)", list(units.values()))]
    return tuple(rows)
