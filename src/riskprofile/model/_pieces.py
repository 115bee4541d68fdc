"""The pieces a manifest is flattened from: each (bill of lading, container) pair with its
goods lines, and the goods and container fields of a shipment (see
:func:`riskprofile.model.shipment.flatten`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from riskprofile.model.codes import container_number_problem, describe_size_type
from riskprofile.model.manifest import (
    MAX_GROSS_MASS_KG,
    MAX_TARE_KG,
    Container,
    GoodsItem,
    Manifest,
)

GoodsScope = Literal["container", "bill_of_lading"]


def _unique(items: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i is not None))


def _fold_repeats(items: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item is not None and (not out or out[-1] != item):
            out.append(item)
    return out


def normalised_text(value: str | None) -> str | None:
    """A name, address or description as the shipment holds it: runs of white space as
    one space, upper case (None for a blank or missing value).

    >>> normalised_text("  Al  Buraq\tTrading ")
    'AL BURAQ TRADING'
    """
    return " ".join(value.split()).upper() if value else None


def _sum(values: list[float | None]) -> float | None:
    # Added smallest first: float addition is not associative, and the same goods in
    # another order (B/Ls sent in another order) must give the same total, to the bit.
    known = sorted(v for v in values if v is not None)
    return sum(known) if known else None


def _goods_fields(goods: list[GoodsItem], scope: GoodsScope) -> dict[str, Any]:
    hs = _unique(g.hs_code for g in goods)
    currencies = _unique(g.currency for g in goods if g.value is not None)
    gross = _sum([g.gross_weight_kg for g in goods])
    value: Decimal | None = None
    if len(currencies) == 1 and all(g.value is None or g.currency for g in goods):
        value = sum((g.value for g in goods if g.value is not None), Decimal(0))
    packages = [g.packages for g in goods if g.packages is not None]
    descriptions = [normalised_text(g.description) for g in goods]
    return {
        "goods_scope": scope,
        "goods_item_count": len(goods),
        "hs_codes": hs,
        "hs_chapters": _unique(h[:2] for h in hs),
        "hs_headings": _unique(h[:4] for h in hs),
        "hs_subheadings": _unique(h[:6] for h in hs),
        "description": " | ".join(d for d in descriptions if d) or None,
        "origin_countries": _unique(g.origin_country for g in goods),
        "un_numbers": _unique(g.un_number for g in goods),
        "imdg_classes": _unique(g.imdg_class for g in goods),
        "packages": sum(packages) if packages else None,
        "package_types": _unique(g.package_type for g in goods),
        "goods_gross_weight_kg": gross,
        "goods_net_weight_kg": _sum([g.net_weight_kg for g in goods]),
        "value_currencies": currencies,
        "declared_value": value,
        "value_currency": currencies[0] if value is not None else None,
        "value_per_kg": (
            float(value) / gross if value is not None and gross is not None and gross > 0 else None
        ),
    }


def _container_fields(number: str | None, box: Container | None) -> dict[str, Any]:
    if number is None:
        return {}
    size = describe_size_type(box.size_type) if box and box.size_type else None
    vgm = box.verified_gross_mass_kg if box else None
    tare = box.tare_kg if box else None
    seals = box.seals if box else []
    return {
        "container_number": number,
        "container_number_valid": container_number_problem(number) is None,
        "container_owner_code": number[:3] if len(number) >= 3 else None,
        "container_declared": box is not None,
        "container_size_type": box.size_type if box else None,
        "container_type": size.group if size else None,
        "container_length_ft": size.length_ft if size else None,
        "container_teu": size.teu if size else None,
        "container_full": box.full if box else None,
        "seal_count": len(seals),
        "seal_numbers": [s.number for s in seals],
        "sealer_types": sorted({s.sealer or "unknown" for s in seals}),
        "verified_gross_mass_kg": vgm,
        "tare_kg": tare,
        "container_reefer_celsius": box.reefer_celsius if box else None,
        "container_cargo_mass_kg": (
            vgm - tare
            if vgm is not None and tare is not None and _plausible_masses(vgm, tare)
            else None
        ),
    }


def _plausible_masses(vgm: float, tare: float) -> bool:
    """Whether VGM minus tare means anything: neither beyond any container
    (:data:`~riskprofile.model.manifest.MAX_GROSS_MASS_KG`, ``MAX_TARE_KG``; such a value
    is flagged ``implausible``, most often a unit error: grams or pounds). The derived
    cargo mass and weight gap are null otherwise, so no rule takes a unit error for a
    22,000-tonne gap."""
    return vgm <= MAX_GROSS_MASS_KG and tare <= MAX_TARE_KG


@dataclass
class _Piece:
    """One (consignment, container) pair of a manifest before it becomes a Shipment."""

    consignment_index: int | None
    container_number: str | None
    goods: list[GoodsItem]
    scope: GoodsScope


def _pieces(manifest: Manifest) -> list[_Piece]:
    pieces: list[_Piece] = []
    named: set[str] = set()
    for ci, c in enumerate(manifest.consignments):
        numbers = c.all_container_numbers
        named.update(numbers)
        if not numbers:
            # No container yet: the quantities are the whole B/L's.
            pieces.append(_Piece(ci, None, list(c.goods), "bill_of_lading"))
            continue
        shared = [g for g in c.goods if g.container_number is None]
        scope: GoodsScope = "bill_of_lading" if shared and len(numbers) > 1 else "container"
        for number in numbers:
            own = [g for g in c.goods if g.container_number == number]
            pieces.append(_Piece(ci, number, own + shared, scope))
    for box in manifest.containers:
        if box.number not in named:
            named.add(box.number)
            pieces.append(_Piece(None, box.number, [], "container"))
    return pieces
