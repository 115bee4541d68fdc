"""What an officer sees of a container: every hit with its explanation, the lane, the
route, the parties, the goods and the history facts, as one JSON-ready dict kept with the
case (so the page shows what the container was scored on, even after the profiles change).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from riskprofile.model.shipment import HISTORY_FIELDS, Shipment
from riskprofile.results import ContainerResult, ShipmentResult

__all__ = ["unit_detail"]

_PARTIES = ("shipper", "consignee", "notify")
_ROUTE = ("place_of_receipt", "port_of_loading", "transshipment_ports", "port_of_discharge",
          "place_of_delivery", "route")  # fmt: skip
_GOODS = ("hs_codes", "description", "origin_countries", "packages", "package_types",
          "goods_gross_weight_kg", "goods_net_weight_kg", "declared_value", "value_currency",
          "value_per_kg")  # fmt: skip
_BOX = ("container_size_type", "container_type", "container_full", "seal_numbers",
        "sealer_types", "verified_gross_mass_kg", "tare_kg", "cargo_mass_gap_kg",
        "bl_count_in_container", "is_lcl")  # fmt: skip
_VOYAGE = ("manifest_ref", "vessel_name", "vessel_imo", "voyage_number", "carrier_scac",
           "port_of_call", "arrival")  # fmt: skip


def _plain(value: Any) -> Any:
    """A value as JSON holds it: decimals and times as text, lists as lists."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fields(shipment: Shipment, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(shipment, name)) for name in names}


def _shipment(result: ShipmentResult) -> dict[str, Any]:
    s = result.shipment
    history = {
        name: _plain(value)
        for name in HISTORY_FIELDS
        if (value := getattr(s, name, None)) is not None
    }
    return {
        "shipment_id": s.shipment_id,
        "bl_number": s.bl_number,
        "score": str(result.score),
        "lane": result.lane,
        "voyage": _fields(s, _VOYAGE),
        "route": _fields(s, _ROUTE),
        "parties": {
            role: {
                "name": getattr(s, f"{role}_name"),
                "country": getattr(s, f"{role}_country"),
                "identifier": getattr(s, f"{role}_identifier"),
            }
            for role in _PARTIES
        },
        "goods": _fields(s, _GOODS),
        "container": _fields(s, _BOX),
        "quality_flags": list(s.quality_flags),
        "history": history,
        "notes": list(result.notes),
    }


def unit_detail(container: ContainerResult) -> dict[str, Any]:
    """The container's hits, lane, route, parties, goods and history facts."""
    return {
        "key": container.key,
        "container_number": container.container_number,
        "score": str(container.score),
        "lane": container.lane,
        "forced_lane": container.forced_lane,
        "bl_numbers": list(container.bl_numbers),
        "hits": [
            {
                "profile": h.profile_id,
                "version": h.profile_version,
                "indicator": h.indicator_id,
                "title": h.title,
                "weight": str(h.weight),
                "explanation": h.explanation,
                "forced_lane": h.forced_lane,
                "counted": h.counted,
                "counted_in": h.counted_in,
                "shipment_id": h.shipment_id,
            }
            for h in container.hits
        ],
        "shipments": [_shipment(s) for s in container.shipments],
    }
