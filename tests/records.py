"""Shipments as the records conditions read, made once for a test that evaluates many
conditions on the same shipments.

``record_of`` iterates every field of the pydantic model: for the bundled library's
references (every condition on every shipment) it was a third of their time or more.
:func:`fresh` gives each evaluation a record as ``record_of`` makes it, without going
through the model again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from riskprofile.model import Shipment
from riskprofile.profiles import record_of


def records_of(shipments: Iterable[Shipment]) -> list[dict[str, Any]]:
    """``record_of`` of each shipment, to be handed out through :func:`fresh`."""
    return [record_of(shipment) for shipment in shipments]


def fresh(record: dict[str, Any]) -> dict[str, Any]:
    """A copy of a record made by ``record_of``, as ``record_of`` makes it: the same
    values, nothing read yet (a record keeps the fields a condition has read)."""
    copy = type(record)()
    copy.update(record)
    return copy
