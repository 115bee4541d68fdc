"""The flat record that risk rules see, and its field catalogue.

A :class:`Shipment` is one container as declared under one bill of lading. A consignment
with no container yet gives one shipment with null container fields; a container on the
manifest that no bill of lading names gives one shipment with null B/L fields. So every
bill of lading and every container of a manifest appears in at least one shipment.

Derived fields spare profile authors the arithmetic: the route as a list of LOCODEs, the
HS chapters, value per kg, VGM minus tare against the declared goods weight, the number
of bills of lading sharing the container, the data-quality flags, and more.
:func:`field_catalogue` lists every field with its type; ``docs/fields.md`` is generated
from it (``riskprofile fields -o docs/fields.md``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field

from riskprofile.model._catalogue import FieldSpec, FieldType, catalogue_of, render_catalogue
from riskprofile.model._extra import EXTRA_PREFIX, CustomFieldsModel
from riskprofile.model._flag_names import flag_names, flagged_element
from riskprofile.model._pieces import (
    GoodsScope,
    _container_fields,
    _fold_repeats,
    _goods_fields,
    _pieces,
    _sum,
    _unique,
    normalised_text,
)
from riskprofile.model.codes import ContainerType, container_number_problem
from riskprofile.model.manifest import (
    Consignment,
    Container,
    FreightTerms,
    GoodsItem,
    Manifest,
    Party,
    Sealer,
)

__all__ = [
    "CONTAINER_FLAG_RENAME",
    "PAYER_ROLES",
    "HISTORY_FIELDS",
    "STOWPLAN_FIELDS",
    "FieldSpec",
    "FieldType",
    "Shipment",
    "field_catalogue",
    "flag_names",
    "flatten",
    "normalised_text",
    "render_field_catalogue",
]

PayerRole = Literal["shipper", "consignee", "notify_party", "third_party"]
SealerType = Sealer | Literal["unknown"]


def _f(description: str, example: Any, **kw: Any) -> Any:
    return Field(description=description, examples=[example], **kw)


def _none(description: str, example: Any) -> Any:
    return _f(description, example, default=None)


def _list(description: str, example: Any) -> Any:
    return _f(description, example, default_factory=list)


class Shipment(CustomFieldsModel):
    """One container under one bill of lading, flattened for rules.

    Every field has a default, so a partial record (``Shipment(port_of_loading="ECGYE")``)
    is a valid shipment for profile examples and tests. Build real ones with
    :func:`flatten`.
    """

    # Custom fields (x_<name>, riskprofile.model._extra) beside the catalogue's.
    model_config = ConfigDict(extra="allow", frozen=True)

    # --- identity ----------------------------------------------------------------------
    shipment_id: str = _f(
        "Stable key: manifest reference / B/L number / container number ('-' when absent).",
        "9321483/0425W/MAEU240512345/MSKU1234565",
        default="-",
    )
    manifest_ref: str = _f("The vessel call: IMO (or name) / voyage.", "9321483/0425W", default="-")
    # --- voyage ------------------------------------------------------------------------
    vessel_name: str | None = _none("Vessel name, upper case.", "MSC ANNA")
    vessel_imo: str | None = _none("IMO ship number.", "9321483")
    voyage_number: str | None = _none("Carrier's voyage number.", "0425W")
    carrier_scac: str | None = _none("Carrier SCAC code.", "MSCU")
    port_of_call: str | None = _none("UN/LOCODE of the port the manifest is filed at.", "PKKHI")
    arrival: datetime | None = _none("Arrival date and time, UTC.", "2026-11-02T06:00:00Z")
    # --- bill of lading ----------------------------------------------------------------
    bl_number: str | None = _none(
        "Bill of lading number; null for a container no B/L names.", "MAEU240512345"
    )
    master_bl_number: str | None = _none("Master B/L number of a house B/L.", "MAEU240500001")
    is_house_bl: bool = _f("True when the B/L is a house B/L (has a master).", False, default=False)
    bl_issue_date: date | None = _none("Date the B/L was issued.", "2026-10-12")
    days_bl_to_arrival: int | None = _none(
        "Days from B/L issue to arrival (negative when issued after arrival).", 21
    )
    shipper_name: str | None = _none("Shipper name, upper case, blanks folded.", "GLOBAL FRUITS SA")
    shipper_address: str | None = _none("Shipper address.", "AV. 9 DE OCTUBRE 100, GUAYAQUIL")
    shipper_country: str | None = _none("Shipper country (ISO 3166-1 alpha-2).", "EC")
    shipper_identifier: str | None = _none("Shipper trader identifier.", "EC0991234567001")
    shipper_aeo: bool | None = _none("Shipper is an Authorised Economic Operator.", False)
    consignee_name: str | None = _none("Consignee name, upper case, blanks folded.", "TO ORDER")
    consignee_address: str | None = _none("Consignee address.", "P.O. BOX 1234, KARACHI")
    consignee_country: str | None = _none("Consignee country.", "PK")
    consignee_identifier: str | None = _none("Consignee trader identifier.", "PK1234567")
    consignee_aeo: bool | None = _none("Consignee is an Authorised Economic Operator.", True)
    notify_name: str | None = _none("Notify party name.", "KHAN LOGISTICS")
    notify_address: str | None = _none("Notify party address.", "SHAHRAH-E-FAISAL, KARACHI")
    notify_country: str | None = _none("Notify party country.", "PK")
    notify_identifier: str | None = _none("Notify party identifier.", "PK7654321")
    freight_terms: FreightTerms | None = _none("Freight terms.", "collect")
    freight_payer_name: str | None = _none("Who pays the freight, when declared.", "ZETA LLC")
    freight_payer_role: PayerRole | None = _none(
        "The payer's role: shipper, consignee, notify_party, or third_party when it is none "
        "of them (matched on identifier, else name); null when no payer is declared.",
        "third_party",
    )
    # --- declaration (an export of goods declarations: one per B/L) --------------------
    # fmt: off
    customs_office: str | None = _none("Customs office of declaration, as the "
        "administration codes it (upper case, blanks folded, as every code below).", "KAPE")
    customs_procedure: str | None = _none("Customs procedure or regime code (WCO data "
        "element 'customs procedure'; 4000: release for home use).", "4000")
    import_type: str | None = _none("Import type, as the administration codes it.", "HC")
    import_use: str | None = _none("Declared use of the imported goods.", "COMMERCIAL")
    payment_type: str | None = _none("How duties and taxes are paid.", "DEFERRED")
    transport_mode: str | None = _none("Mode of transport at the border (UN/ECE Rec. 19: 1 "
        "sea, 3 road, 4 air).", "1")
    departure_country: str | None = _none("Country of departure (dispatch, export), ISO "
        "3166-1 alpha-2.", "AE")
    origin_country_indicator: str | None = _none("The declaration's country-of-origin "
        "indicator, as the administration codes it.", "NP")
    tax_type: str | None = _none("Type of the main duty or tax assessed.", "CD")
    tax_rate: float | None = _none("Rate of that duty or tax, percent.", 20.0)
    declarant_name: str | None = _none("Declarant (or customs broker) name, upper case, "
        "blanks folded.", "AL NOOR CUSTOMS AGENCY")
    declarant_identifier: str | None = _none("Declarant identifier (licence, NTN, EORI).",
        "PKCHAL0042")
    # fmt: on
    # --- route -------------------------------------------------------------------------
    place_of_receipt: str | None = _none("UN/LOCODE where the carrier took the goods.", "ECUIO")
    port_of_loading: str | None = _none("UN/LOCODE of the port of loading.", "ECGYE")
    transshipment_ports: list[str] = _list("Transshipment ports, in order.", ["PAMIT", "AEJEA"])
    transshipment_count: int = _f("Number of transshipment ports.", 2, default=0)
    port_of_discharge: str | None = _none("UN/LOCODE of the port of discharge.", "PKKHI")
    place_of_delivery: str | None = _none("UN/LOCODE of the place of delivery.", "AFKBL")
    pre_carriage_mode: str | None = _none(
        "Mode of the pre-carriage, place of receipt to port of loading (UN/ECE Rec. 19: 1 sea, "
        "2 rail, 3 road, 4 air, 8 inland water); null when not declared.",
        "3",
    )
    on_carriage_mode: str | None = _none(
        "Mode of the on-carriage, port of discharge to place of delivery (Rec. 19 code).", "3"
    )
    route: list[str] = _list(
        "Every known place from receipt to delivery, in order, repeats of the same place "
        "next to each other folded.",
        ["ECUIO", "ECGYE", "PAMIT", "AEJEA", "PKKHI", "AFKBL"],
    )
    route_countries: list[str] = _list(
        "Countries of the route, in order, repeats next to each other folded.",
        ["EC", "PA", "AE", "PK", "AF"],
    )
    # --- goods -------------------------------------------------------------------------
    goods_scope: GoodsScope = _f(
        "What the goods quantities below cover: 'container' when every goods line is tied "
        "to this container, 'bill_of_lading' when some line is shared by the B/L's several "
        "containers or the B/L has no container yet (the quantities are then the whole "
        "B/L's).",
        "container",
        default="container",
    )
    goods_item_count: int = _f("Number of goods lines.", 2, default=0)
    hs_codes: list[str] = _list("HS codes as declared, in order, without repeats.", ["08039010"])
    hs_chapters: list[str] = _list("HS chapters (2 digits).", ["08"])
    hs_headings: list[str] = _list("HS headings (4 digits).", ["0803"])
    hs_subheadings: list[str] = _list("HS subheadings (6 digits).", ["080390"])
    description: str | None = _none(
        "Goods descriptions, upper case, blanks folded, lines joined with ' | '.",
        "FRESH BANANAS | SAID TO CONTAIN 1200 CARTONS",
    )
    origin_countries: list[str] = _list("Countries of origin of the goods.", ["EC"])
    un_numbers: list[str] = _list(
        "UN numbers of the dangerous goods declared on the goods lines, in order, without repeats.",
        ["1263"],
    )
    imdg_classes: list[str] = _list(
        "IMDG classes or divisions of the dangerous goods declared, in order, without repeats.",
        ["3"],
    )
    packages: int | None = _none("Total packages (null when no line declares any).", 1200)
    package_types: list[str] = _list("Package types.", ["CT"])
    goods_gross_weight_kg: float | None = _none("Total gross weight of the goods, kg.", 21600.0)
    goods_net_weight_kg: float | None = _none("Total net weight of the goods, kg.", 20400.0)
    value_currencies: list[str] = _list("Currencies the values are declared in.", ["USD"])
    declared_value: Decimal | None = _none(
        "Total declared value, when every value is in one currency.", "15120.00"
    )
    value_currency: str | None = _none("That one currency.", "USD")
    value_per_kg: float | None = _none(
        "Declared value per kg of gross weight (one currency, weight above zero).", 0.7
    )
    # --- container ---------------------------------------------------------------------
    container_number: str | None = _none("ISO 6346 container number.", "MSKU1234565")
    container_number_valid: bool | None = _none(
        "The number passes the ISO 6346 format and check digit; null without a number.", True
    )
    container_owner_code: str | None = _none("Owner code: first three letters.", "MSK")
    container_declared: bool = _f(
        "The manifest has equipment data for this container.", True, default=False
    )
    container_size_type: str | None = _none("ISO 6346 size-type code.", "45R1")
    container_type: ContainerType | None = _none("Equipment group from the size-type.", "reefer")
    container_length_ft: float | None = _none("Length in feet from the size-type code.", 40.0)
    container_teu: float | None = _none("Twenty-foot equivalent units.", 2.0)
    container_full: bool | None = _none("Laden (true) or empty (false).", True)
    seal_count: int = _f("Number of seals.", 1, default=0)
    seal_numbers: list[str] = _list("Seal numbers.", ["ML-4471203"])
    sealer_types: list[SealerType] = _list(
        "Who sealed, sorted without repeats (unknown when a seal does not say).",
        ["carrier"],
    )
    verified_gross_mass_kg: float | None = _none("Verified gross mass (VGM), kg.", 26100.0)
    tare_kg: float | None = _none("Tare mass, kg.", 4500.0)
    container_reefer_celsius: float | None = _none(
        "Reefer set temperature declared for the container, degrees Celsius.", -18.0
    )
    container_cargo_mass_kg: float | None = _none(
        "VGM minus tare: what the cargo weighs, kg; null when either is unknown or flagged "
        "implausible (beyond any container: likely a unit error).",
        21600.0,
    )
    container_goods_weight_kg: float | None = _none(
        "Declared gross weight of all goods in the container, over every B/L in it; null when "
        "a B/L does not say which of its containers holds which goods.",
        21600.0,
    )
    cargo_mass_gap_kg: float | None = _none(
        "VGM minus tare minus the declared goods weight: far from zero means weight is "
        "unexplained (or missing); null when VGM minus tare is.",
        0.0,
    )
    # --- consolidation -----------------------------------------------------------------
    bl_count_in_container: int = _f(
        "Bills of lading in this container (more than one: LCL).", 1, default=0
    )
    container_count_in_bl: int = _f("Containers of this bill of lading.", 1, default=0)
    is_lcl: bool = _f("The container carries more than one bill of lading.", False, default=False)
    # --- data quality ------------------------------------------------------------------
    quality_flags: list[str] = _list(
        "Data-quality flags as 'field:code' (e.g. 'container_number:check_digit', "
        "'goods_hs_code:format'); see the data model's codes.",
        ["container_number:check_digit"],
    )
    quality_flag_count: int = _f("Number of data-quality flags.", 0, default=0)
    # --- history (null unless scored with a history store: riskprofile.history) ------
    consignee_first_seen_days: int | None = _none(
        "Days from the consignee's first shipment in the history store to the run's as_of; "
        "null when it has none before as_of (see consignee_prior_shipments) or no store "
        "is given.",
        412,
    )
    shipper_first_seen_days: int | None = _none(
        "Days from the shipper's first shipment in the history store to as_of (null as for "
        "consignee_first_seen_days).",
        1030,
    )
    notify_first_seen_days: int | None = _none(
        "Days from the notify party's first shipment in the history store to as_of (null as "
        "for consignee_first_seen_days).",
        95,
    )
    consignee_prior_shipments: int | None = _none(
        "The consignee's shipments in the history store before as_of (0: never seen); null "
        "without a store or a consignee.",
        37,
    )
    shipper_prior_shipments: int | None = _none(
        "The shipper's shipments in the history store before as_of (0: never seen).", 120
    )
    consignee_shipments_30d: int | None = _none(
        "The consignee's shipments in the 30 days before as_of.", 3
    )
    consignee_shipments_365d: int | None = _none(
        "The consignee's shipments in the 365 days before as_of.", 29
    )
    consignee_prior_inspections: int | None = _none(
        "Inspections of the consignee's shipments recorded before as_of.", 4
    )
    consignee_prior_findings: int | None = _none(
        "Inspections of the consignee's shipments that found something, before as_of.", 1
    )
    consignee_finding_rate: float | None = _none(
        "The consignee's finding rate, shrunk towards the store's rate: (findings + 5 x store "
        "rate) / (inspections + 5), so that 1 finding in 1 inspection is not 100 %; null "
        "when the store has no inspection before as_of.",
        0.21,
    )
    shipper_consignee_pair_seen: bool | None = _none(
        "This shipper has shipped to this consignee before as_of.", True
    )
    consignee_new_hs_chapter: bool | None = _none(
        "Some HS chapter of this shipment is new for the consignee (none of its shipments "
        "before as_of had it); null when the consignee has no prior shipment.",
        False,
    )
    consignee_new_port_of_loading: bool | None = _none(
        "The port of loading is new for the consignee (null as for consignee_new_hs_chapter).",
        False,
    )
    container_prior_findings: int | None = _none(
        "Inspections of this container number that found something, before as_of.", 0
    )
    # fmt: off
    container_ports_365d: int | None = _none("Distinct ports of loading of this container "
        "number in the 365 days before as_of; null without a container number.", 2)
    container_new_port_of_loading: bool | None = _none("The port of loading is new for this "
        "container number; null when it has no prior shipment.", False)
    shipper_consignee_route_new: bool | None = _none("The pair shipped before as_of, never from "
        "this port of loading to this port of discharge; null for a new pair.", False)
    value_per_kg_norm_ratio: float | None = _none("value_per_kg over the median of earlier "
        "shipments of its HS6, origin and currency; null with fewer than 5 of them.", 0.95)
    value_per_kg_robust_z: float | None = _none("(value_per_kg - that median) / (1.4826 x their "
        "median absolute deviation); null as above or when the deviation is 0.", -0.4)
    consignee_resolved_as: str | None = _none("How the history store took the consignee for an "
        "earlier trader spelled differently; null when it is its own trader.",
        "matched KHAN LOGISTIC PRIVATE LIMITED as KHAN LOGISTICS (PVT) LTD, score 96.3")
    shipper_resolved_as: str | None = _none("How the history store took the shipper for an "
        "earlier trader (as for consignee_resolved_as).", "matched ZETA TRADNG as ZETA TRADING")
    # fmt: on
    # --- stow plan (null unless scored with a stow plan: docs/edifact.md) ---------------
    stowplan_present: bool | None = _none(
        "The container is in the stow plan (BAPLIE) the run was given (false: manifested "
        "and not on board); null without a plan or a container number.",
        True,
    )
    stowplan_position: str | None = _none(
        "Its stowage position in the plan, bay-row-tier (ISO 9711-1).", "0020182"
    )
    stowplan_size_type: str | None = _none("The size-type code the plan gives.", "45R1")
    stowplan_vgm_kg: float | None = _none(
        "The mass the plan gives (its VGM, else its gross weight), kg.", 26350.0
    )
    stowplan_mass_gap_ratio: float | None = _none(
        "(plan mass - declared mass) / declared mass, the declared mass being the VGM, else "
        "the tare plus the container's declared goods weight: 0.25 means the plan is 25 % "
        "heavier; null when either mass is unknown.",
        0.01,
    )
    stowplan_full: bool | None = _none("The plan says laden (true) or empty (false).", True)
    stowplan_full_empty_mismatch: bool | None = _none(
        "Declared full and planned empty or the reverse, or declared empty and planned "
        "heavier than its tare (4,000 kg when not declared) plus 1,000 kg; null when not on "
        "board or the manifest does not say full or empty.",
        False,
    )
    stowplan_port_of_loading: str | None = _none(
        "The plan's port of loading (LOC+9) for the container.", "ECGYE"
    )
    stowplan_port_of_discharge: str | None = _none(
        "The plan's port of discharge (LOC+11) for the container.", "PKKHI"
    )
    stowplan_pol_mismatch: bool | None = _none(
        "The plan's port of loading is neither the B/L's port of loading nor one of its "
        "transshipment ports; null when either side gives none.",
        False,
    )
    stowplan_pod_mismatch: bool | None = _none(
        "The plan's port of discharge is neither the B/L's port of discharge nor one of its "
        "transshipment ports; null when either side gives none.",
        False,
    )
    stowplan_dg_classes: list[str] = _list(
        "IMDG classes of the dangerous goods the plan declares for the container (DGS).",
        ["3"],
    )
    stowplan_un_numbers: list[str] = _list(
        "UN numbers of the dangerous goods the plan declares for the container.", ["1263"]
    )
    stowplan_dg_undeclared: bool | None = _none(
        "The plan declares dangerous goods for the container and the manifest does not: "
        "neither its UN numbers (un_numbers) nor its goods description ('UN 1263', "
        "'UN1263') name any of the plan's UN numbers, its IMDG classes (imdg_classes) none "
        "of the plan's classes, and, for goods the plan gives no UN number, it declares no "
        "dangerous goods and the description does not say IMO, IMDG, HAZARDOUS or "
        "DANGEROUS; null when not on board.",
        False,
    )
    stowplan_reefer_celsius: float | None = _none(
        "The reefer set temperature the plan gives, degrees Celsius.", -0.5
    )
    stowplan_reefer_mismatch: bool | None = _none(
        "The plan sets a temperature on a container whose size-type (the plan's, else the "
        "manifest's) is not a reefer; null when not on board, or when a temperature is set "
        "and neither side gives a size-type that says.",
        False,
    )
    stowplan_reefer_gap_celsius: float | None = _none(
        "The plan's set temperature minus the one the manifest declares "
        "(container_reefer_celsius), degrees Celsius; null when either is missing.",
        0.0,
    )
    stowplan_reefer_setting_differs: bool | None = _none(
        "The manifest declares a set temperature and the plan sets another (more than 1 °C "
        "away) or none (the box is not running as a reefer); null when not on board or the "
        "manifest declares no setting.",
        False,
    )


HISTORY_FIELDS: tuple[str, ...] = tuple(
    name for name in Shipment.model_fields if name.startswith(("consignee_first", "shipper_first",
    "notify_first", "consignee_prior", "shipper_prior", "consignee_shipments_",
    "consignee_finding", "shipper_consignee_pair", "consignee_new_", "container_prior",
    "container_ports_365d", "container_new_port", "shipper_consignee_route",
    "value_per_kg_norm", "value_per_kg_robust", "consignee_resolved", "shipper_resolved"))
)  # fmt: skip
"""The fields a history store gives (:mod:`riskprofile.history`): null in a shipment read
from a batch, filled in when it is scored with a store."""

STOWPLAN_FIELDS: tuple[str, ...] = tuple(
    name for name in Shipment.model_fields if name.startswith("stowplan_")
)
"""The fields a stow plan gives (:func:`riskprofile.io.edifact.join_stowplan`): null (lists
empty) in a shipment read from a batch, filled in when it is scored with a plan."""


# --- flattening ----------------------------------------------------------------------------


def _party_fields(party: Party | None, role: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        f"{role}_name": normalised_text(party.name) if party else None,
        f"{role}_address": normalised_text(party.address) if party else None,
        f"{role}_country": party.country if party else None,
        f"{role}_identifier": party.identifier if party else None,
    }
    if role != "notify":
        fields[f"{role}_aeo"] = party.aeo if party else None
    return fields


def _same_party(a: Party, b: Party | None) -> bool:
    if b is None:
        return False
    if a.identifier and b.identifier:
        return a.identifier.upper() == b.identifier.upper()
    return bool(a.name and b.name and normalised_text(a.name) == normalised_text(b.name))


PAYER_ROLES: tuple[tuple[PayerRole, str], ...] = (
    ("shipper", "shipper"),
    ("consignee", "consignee"),
    ("notify_party", "notify"),
)
"""The parties a freight payer is matched with, in this order, each with the prefix of its
shipment fields (``notify_name``): the first one the payer is (same identifier, else the
same name) gives ``freight_payer_role``; none of them gives ``third_party``. Both readers
read this table."""


def _payer_role(c: Consignment) -> PayerRole | None:
    payer = c.freight_payer
    if payer is None:
        return None
    for role, _prefix in PAYER_ROLES:
        if _same_party(payer, getattr(c, role)):
            return role
    return "third_party"


CONTAINER_FLAG_RENAME = {
    "verified_gross_mass_kg": "verified_gross_mass_kg",
    "tare_kg": "tare_kg",
    "seals.number": "seal_number",
    "seals.sealer": "sealer",
}
"""A container declaration's flagged fields that the shipment names without the
``container_`` prefix (:func:`flag_names`' ``rename``)."""


def flatten(manifest: Manifest | Mapping[str, Any]) -> list[Shipment]:
    """Flatten a manifest into shipments, one per (bill of lading, container) pair.

    Consignments come in manifest order, each with its containers in declared order, then
    the containers that no consignment names; shipment ids are unique (a repeated pair gets
    ``#2``, ``#3``...). A manifest document (a mapping) is validated strictly first."""
    manifest = manifest if isinstance(manifest, Manifest) else Manifest.model_validate(manifest)
    # Equipment data comes from a number's first declaration; the flags of every one.
    boxes: dict[str, list[Container]] = {}
    for declared in manifest.containers:
        boxes.setdefault(declared.number, []).append(declared)
    pieces = _pieces(manifest)

    bls_in_box: Counter[str] = Counter()
    bls_seen: dict[str, set[str]] = {}
    box_goods: dict[str, list[float | None]] = {}
    box_goods_known: dict[str, bool] = {}
    for p in pieces:
        if p.container_number is None:
            continue
        if p.consignment_index is not None:
            # Distinct B/L numbers: a B/L declared twice is one B/L (flagged duplicate).
            bl = manifest.consignments[p.consignment_index].bl_number
            if bl not in bls_seen.setdefault(p.container_number, set()):
                bls_seen[p.container_number].add(bl)
                bls_in_box[p.container_number] += 1
        box_goods.setdefault(p.container_number, []).extend(g.gross_weight_kg for g in p.goods)
        known = box_goods_known.get(p.container_number, True)
        box_goods_known[p.container_number] = known and p.scope == "container"

    # Manifest flags on one consignment or container go to its shipments only (a
    # container's by number, so that a repeated declaration's flag is not lost); flags
    # on a record lenient validation dropped concern the whole manifest.
    bl_targeted: dict[int, list[str]] = {}
    box_targeted: dict[str, list[str]] = {}
    common: list[str] = []
    rename = {"consignments": "bl_number", "containers": "container_number"}
    for flag in manifest.quality_flags:
        name, index = flagged_element(flag) or ("", -1)
        if name == "consignments" and index < len(manifest.consignments):
            bl_targeted.setdefault(index, []).extend(flag_names([flag], "", rename))
        elif name == "containers" and index < len(manifest.containers):
            box_number = manifest.containers[index].number
            box_targeted.setdefault(box_number, []).extend(flag_names([flag], "", rename))
        else:
            common.extend(flag_names([flag], ""))
    voyage = {
        "manifest_ref": manifest.reference,
        "vessel_name": manifest.vessel_name,
        "vessel_imo": manifest.vessel_imo,
        "voyage_number": manifest.voyage_number,
        "carrier_scac": manifest.carrier_scac,
        "port_of_call": manifest.port_of_call,
        "arrival": manifest.arrival,
    }
    ids: Counter[str] = Counter()
    out = []
    for p in pieces:
        fields: dict[str, Any] = dict(voyage)
        flags = list(common)
        if p.consignment_index is not None:
            c = manifest.consignments[p.consignment_index]
            fields.update(_consignment_fields(c, manifest.arrival))
            flags += _consignment_flags(c, p.goods, p.container_number)
            flags += bl_targeted.get(p.consignment_index, [])
        fields.update(_goods_fields(p.goods, p.scope))
        number = p.container_number
        if number is not None:
            declarations = boxes.get(number, [])
            box = declarations[0] if declarations else None
            fields.update(_container_fields(number, box))
            fields["bl_count_in_container"] = bls_in_box[number]
            fields["is_lcl"] = bls_in_box[number] > 1
            if box_goods_known[number]:
                total = _sum(box_goods[number])
                fields["container_goods_weight_kg"] = total
                cargo = fields.get("container_cargo_mass_kg")
                if total is not None and cargo is not None:
                    fields["cargo_mass_gap_kg"] = cargo - total
            for declaration in declarations:
                flags += flag_names(declaration.quality_flags, "container_", CONTAINER_FLAG_RENAME)
                for seal in declaration.seals:
                    flags += flag_names(seal.quality_flags, "seal_")
            flags += box_targeted.get(number, [])
            if box is None:
                # A number known only from the B/L gets the flag a declared one would.
                problem = container_number_problem(number)
                if problem is not None:
                    flags.append(f"container_number:{problem.code}")
        flags = _unique(flags)
        fields["quality_flags"] = flags
        fields["quality_flag_count"] = len(flags)
        key = "/".join([manifest.reference, fields.get("bl_number") or "-", number or "-"])
        ids[key] += 1
        fields["shipment_id"] = key if ids[key] == 1 else f"{key}#{ids[key]}"
        out.append(Shipment(**fields))
    return out


# The declaration's text fields, folded and upper-cased as names are.
_DECLARATION_TEXT = ("customs_office", "customs_procedure", "import_type", "import_use",
                     "payment_type", "transport_mode", "origin_country_indicator", "tax_type",
                     "declarant_name")  # fmt: skip


def _consignment_fields(c: Consignment, arrival: datetime | None) -> dict[str, Any]:
    route = [c.place_of_receipt, c.port_of_loading, *c.transshipment_ports, c.port_of_discharge,
             c.place_of_delivery]  # fmt: skip
    folded = _fold_repeats(route)
    fields: dict[str, Any] = {
        "bl_number": c.bl_number,
        "master_bl_number": c.master_bl_number,
        "is_house_bl": c.master_bl_number is not None,
        "bl_issue_date": c.issue_date,
        "days_bl_to_arrival": (
            (arrival.date() - c.issue_date).days if arrival and c.issue_date else None
        ),
        "freight_terms": c.freight_terms,
        "freight_payer_name": normalised_text(c.freight_payer.name) if c.freight_payer else None,
        "freight_payer_role": _payer_role(c),
        "place_of_receipt": c.place_of_receipt,
        "port_of_loading": c.port_of_loading,
        "transshipment_ports": list(c.transshipment_ports),
        "transshipment_count": len(c.transshipment_ports),
        "port_of_discharge": c.port_of_discharge,
        "place_of_delivery": c.place_of_delivery,
        "pre_carriage_mode": c.pre_carriage_mode,
        "on_carriage_mode": c.on_carriage_mode,
        "route": folded,
        "route_countries": _fold_repeats(code[:2] for code in folded),
        "container_count_in_bl": len(c.all_container_numbers),
        "departure_country": c.departure_country,
        "tax_rate": c.tax_rate,
        "declarant_identifier": c.declarant_identifier,
    }
    fields.update({name: normalised_text(getattr(c, name)) for name in _DECLARATION_TEXT})
    fields.update({EXTRA_PREFIX + name: value for name, value in c.extra.items()})
    fields.update(_party_fields(c.shipper, "shipper"))
    fields.update(_party_fields(c.consignee, "consignee"))
    fields.update(_party_fields(c.notify_party, "notify"))
    return fields


def _consignment_flags(c: Consignment, goods: list[GoodsItem], number: str | None) -> list[str]:
    # A problem with one of the B/L's container numbers belongs to that container's
    # shipment, not to the shipments of its other containers.
    own = [
        flag
        for flag in c.quality_flags
        if (element := flagged_element(flag)) is None
        or element[0] != "container_numbers"
        or element[1] >= len(c.container_numbers)
        or c.container_numbers[element[1]] == number
    ]
    flags = flag_names(
        own,
        "",
        {"issue_date": "bl_issue_date", "container_numbers": "container_number"},
    )
    for role, party in (
        ("shipper_", c.shipper),
        ("consignee_", c.consignee),
        ("notify_", c.notify_party),
        ("freight_payer_", c.freight_payer),
    ):
        if party is not None:
            flags += flag_names(party.quality_flags, role)
    for item in goods:
        flags += flag_names(item.quality_flags, "goods_", {"container_number": "container_number"})
    return flags


def flatten_all(manifests: Iterable[Manifest]) -> Iterator[Shipment]:
    """Flatten several manifests, in order."""
    for manifest in manifests:
        yield from flatten(manifest)


# --- field catalogue -----------------------------------------------------------------------


def field_catalogue() -> tuple[FieldSpec, ...]:
    """Every :class:`Shipment` field with its type, nullability, description and example.

    >>> next(f for f in field_catalogue() if f.name == "hs_chapters").type
    'list[string]'
    """
    return catalogue_of(Shipment)


def render_field_catalogue() -> str:
    """The field catalogue as the Markdown page ``docs/fields.md``."""
    return render_catalogue(field_catalogue())
