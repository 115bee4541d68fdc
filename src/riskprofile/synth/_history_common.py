"""What the generated history's modules share: the ground truth of a planted pattern, and
how they read a generated document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["PlantedPattern"]

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class PlantedPattern:
    """The ground truth of one planted pattern.

    Attributes:
        name: ``trader``, ``heading_origin``, ``loading_port``, ``undervaluation`` or
            ``drift``; with ``history_patterns``, also ``renamed``, ``new_consignee``,
            ``route_change`` or ``undervalued_hs6``.
        kind: the feature that carries it, as :func:`riskprofile.evaluation.suggest`
            names its candidate kinds: ``consignee``, ``heading_origin``,
            ``port_of_loading``, ``value_band`` or ``shipper`` (and, for the patterns
            only history finds, ``shipper_consignee`` and ``hs6_origin``).
        value: the planted value: a trader's name, ``"<heading>:<country>"``, a
            UN/LOCODE, or an HS chapter (for ``value_band``: its cheapest band);
            ``renamed``: the later spelling; ``route_change``:
            ``"<shipper>><consignee>@<new port>"``; ``undervalued_hs6``:
            ``"<hs6>:<origin>"``.
        finding_rate: the chance that an inspection of a unit with the pattern finds
            something (on top of the background rate).
        start: the first day the pattern is present (the period's first day, except for
            ``drift``).
        description: what is planted, in an officer's words.
    """

    name: str
    kind: str
    value: str
    finding_rate: float
    start: dt.date
    description: str


def _arrival_day(doc: Doc) -> dt.date:
    return dt.datetime.fromisoformat(str(doc["arrival"])).date()


def _sound(c: Doc) -> bool:
    """A consignment fit to carry a rewritten trader: named consignee, at home."""
    consignee = c["consignee"]
    return (
        consignee is not None
        and bool(consignee["name"])
        and "ORDER" not in str(consignee["name"])
        and bool(c["goods"])
    )


def _divide_values(goods: Iterable[Doc], factor: Decimal) -> None:
    """Each goods line's declared value divided by ``factor`` (to the cent), in place: an
    undervaluation; a planted non-number ("N/A") or a non-finite value stays as it is."""
    for g in goods:
        try:
            value = Decimal(str(g["value"]))
        except ArithmeticError:
            continue  # a planted "N/A" stays as it is
        if value.is_finite():
            g["value"] = str((value / factor).quantize(Decimal("0.01")))
