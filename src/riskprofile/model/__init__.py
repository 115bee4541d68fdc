"""The data model: the declaration as filed, the standards it is checked against, and the
flat :class:`Shipment` record that rules see."""

from riskprofile.model._base import (
    FLAG_CODES,
    LENIENT,
    STRICT,
    QualityFlag,
    Strictness,
    StrictnessMode,
    parse_strictness,
    validation_context,
)
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Manifest, Party, Seal
from riskprofile.model.shipment import FieldSpec, Shipment, field_catalogue, flatten

__all__ = [
    "FLAG_CODES",
    "LENIENT",
    "STRICT",
    "Consignment",
    "Container",
    "FieldSpec",
    "GoodsItem",
    "Manifest",
    "Party",
    "QualityFlag",
    "Seal",
    "Shipment",
    "Strictness",
    "StrictnessMode",
    "field_catalogue",
    "flatten",
    "parse_strictness",
    "validation_context",
]
