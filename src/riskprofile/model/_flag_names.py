"""Data-quality flags as the shipment names them (``<field>:<code>``), shared by
:func:`riskprofile.model.shipment.flatten` and the column-wise reader."""

from __future__ import annotations

import re

from riskprofile.model._base import QualityFlag

__all__ = ["flag_names", "flagged_element"]

_INDEX = re.compile(r"\[\d+\]")
_ELEMENT = re.compile(r"(\w+)\[(\d+)\]")
# Lenient validation flags a list element it had to drop with this code; the index is
# then the input's, and the record it pointed at is gone.
_DROPPED = "invalid_value"


def flagged_element(flag: QualityFlag) -> tuple[str, int] | None:
    """The list and index a flag is about, when it is about a kept list element."""
    match = _ELEMENT.fullmatch(flag.field)
    if match is None or flag.code == _DROPPED:
        return None
    return match[1], int(match[2])


def flag_names(
    flags: list[QualityFlag], prefix: str, rename: dict[str, str] | None = None
) -> list[str]:
    """The shipment's ``quality_flags`` entries (``<field>:<code>``) for a model's flags:
    the field named as the shipment names it (``prefix`` + field, or ``rename``'s name;
    list indices dropped). Both readers name flags with it."""
    out = []
    for flag in flags:
        field = _INDEX.sub("", flag.field)
        field = (rename or {}).get(field, prefix + field)
        # A nested model path names the shipment field: shipper.name -> shipper_name.
        field = field.replace("notify_party.", "notify.").replace(".", "_")
        out.append(f"{field}:{flag.code}")
    return out
