"""The defects the generator plants, by level (container, goods, consignment, manifest): each
a stable code, what it spoils and how often relative to the others. A planted defect is
recorded in the record's ``_defects`` so that tests and evaluations can find it.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "CONSIGNMENT_DEFECTS",
    "CONTAINER_DEFECTS",
    "Defect",
    "GOODS_DEFECTS",
    "MANIFEST_DEFECTS",
]


class Defect(NamedTuple):
    """A planted data-quality defect.

    ``flagged`` tells whether lenient validation turns it into a quality flag on the
    record that carries it; the others (a missing tare, an absurd weight) are left for
    rules to find.
    """

    name: str
    flagged: bool
    description: str


CONTAINER_DEFECTS: tuple[Defect, ...] = (
    Defect("check_digit", True, "container number fails the ISO 6346 check digit"),
    Defect("size_type_words", True, "size-type written as 40HC/20GP instead of ISO 6346"),
    Defect("missing_tare", False, "no tare mass"),
    Defect("vgm_in_tonnes", True, "VGM declared in tonnes, so below the tare"),
    Defect("negative_vgm", True, "negative VGM"),
    Defect("absurd_vgm", True, "VGM declared in grams (flagged implausible)"),
    Defect("duplicate_seal", False, "seal number already used on another container"),
    Defect("missing_seal", False, "full container without a seal"),
)
"""Defects planted on a container (one chance per container)."""


GOODS_DEFECTS: tuple[Defect, ...] = (
    Defect("hs_bad_chapter", True, "HS code in a chapter that does not exist (00, 77)"),
    Defect("hs_short", True, "HS code with only 4 digits"),
    Defect("unknown_currency", True, "currency that is not ISO 4217 (RMB, USS, EURO...)"),
    Defect("net_above_gross", True, "net weight above gross weight"),
    Defect("negative_weight", True, "negative gross weight"),
    Defect("absurd_weight", False, "gross weight in grams (a thousand times too heavy)"),
    Defect("origin_country_bad", True, "origin country that is not ISO 3166 (EU, XX)"),
    Defect("value_text", True, "value written as text (N/A, NCV, AS PER INVOICE)"),
    Defect("negative_packages", True, "negative number of packages"),
)
"""Defects planted on a goods line (one chance per line)."""


CONSIGNMENT_DEFECTS: tuple[Defect, ...] = (
    Defect("locode_unknown_country", True, "port of loading with a mistyped country (UKFXT)"),
    Defect("locode_text", True, "place of delivery as a city name instead of a LOCODE"),
    Defect(
        "party_country_alpha3", False, "shipper country as ISO alpha-3 (CHN; the model converts it)"
    ),
    Defect("duplicate_bl", True, "B/L number repeated in the manifest (flag on manifest)"),
    Defect("issued_after_arrival", False, "B/L issued after the vessel's arrival"),
    Defect("missing_consignee", True, "no consignee (flagged consignee_name:missing)"),
)
"""Defects planted on a bill of lading (one chance per B/L)."""


MANIFEST_DEFECTS: tuple[Defect, ...] = (
    Defect("imo_check_digit", True, "vessel IMO number fails its check digit"),
    Defect("duplicate_container", True, "one container listed twice"),
    Defect("missing_voyage", False, "no voyage number"),
)
"""Defects planted on a manifest (one chance per vessel call)."""
