"""What the tables and the terminal list read of a run's units and hits, whichever run
(row-wise or column-wise) they come from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # runs call output: no import back at run time
    from riskprofile.model.shipment import Shipment
    from riskprofile.results import ContainerResult
    from riskprofile.rules import Lane


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class HitView(Protocol):
    """What the tables and the list read of a hit (a :class:`~riskprofile.results.Hit`)."""

    @property
    def profile_id(self) -> str: ...
    @property
    def indicator_id(self) -> str: ...
    @property
    def weight(self) -> Decimal: ...
    @property
    def explanation(self) -> str: ...
    @property
    def forced_lane(self) -> str | None: ...
    @property
    def shipment_id(self) -> str: ...
    @property
    def counted(self) -> bool: ...


@dataclass(frozen=True)
class Unit:
    """One unit as the list shows it: its shipments in order and its hits. Made from a
    :class:`~riskprofile.results.ContainerResult`, or for a column-wise run from its
    tables, for the few units shown."""

    key: str
    container_number: str | None
    score: Decimal
    lane: Lane
    forced_lane: Lane | None
    shipments: tuple[Shipment, ...]
    hits: tuple[HitView, ...]

    @classmethod
    def of(cls, c: ContainerResult) -> Unit:
        """The unit of a row-wise run's container."""
        shipments = tuple(s.shipment for s in c.shipments)
        return cls(c.key, c.container_number, c.score, c.lane, c.forced_lane, shipments, c.hits)

    @property
    def bl_numbers(self) -> tuple[str, ...]:
        """The bills of lading in the unit."""
        return tuple(s.bl_number for s in self.shipments if s.bl_number)
