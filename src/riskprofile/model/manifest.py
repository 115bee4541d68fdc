"""The cargo declaration as filed: manifest, bills of lading, containers, goods, parties.

The models follow the advance cargo data a Port Control Unit receives (a CUSCAR message or
an administration's export): a :class:`Manifest` for one vessel call holds its
:class:`Consignment` records (bills of lading) and its :class:`Container` records. A
consignment names the containers it is stuffed in; one container may carry several
consignments (LCL) and one consignment may span several containers (FCL).

Every code is checked against its standard (see :mod:`riskprofile.model.codes`), in
strict or lenient mode (see :mod:`riskprofile.model._base`).

>>> Container.model_validate({"number": "csqu 305438 3"}).number
'CSQU3054383'
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, field_validator
from pydantic_core import PydanticCustomError

from riskprofile.model._base import QualityFlag, RecordModel, standard
from riskprofile.model._extra import is_extra_name
from riskprofile.model.codes import (
    Problem,
    container_number_problem,
    country_problem,
    currency_problem,
    hs_code_problem,
    imdg_class_problem,
    imo_problem,
    locode_problem,
    normalise_code,
    normalise_container_number,
    normalise_country,
    normalise_hs_code,
    normalise_imdg_class,
    normalise_imo,
    normalise_locode,
    normalise_transport_mode,
    normalise_un_number,
    scac_problem,
    size_type_problem,
    transport_mode_problem,
    un_number_problem,
)

__all__ = [
    "Consignment",
    "Container",
    "ContainerNumber",
    "CountryCode",
    "CurrencyCode",
    "FreightTerms",
    "GoodsItem",
    "HSCode",
    "IMDGClass",
    "IMONumber",
    "Locode",
    "Manifest",
    "Party",
    "Rate",
    "Seal",
    "Sealer",
    "Temperature",
    "TransportMode",
    "UNNumber",
    "Weight",
]


def _negative(value: float) -> Problem | None:
    if value < 0:
        return Problem("negative", f"{value} is negative")
    return None


ContainerNumber = Annotated[str, *standard(normalise_container_number, container_number_problem)]
"""ISO 6346 container number, normalised (``CSQU3054383``)."""
Locode = Annotated[str, *standard(normalise_locode, locode_problem)]
"""UN/LOCODE, normalised (``PKKHI``)."""
CountryCode = Annotated[str, *standard(normalise_country, country_problem)]
"""ISO 3166-1 alpha-2 country code (``PK``); alpha-3 (``PAK``) and ``UK`` are converted."""
CurrencyCode = Annotated[str, *standard(normalise_code, currency_problem)]
"""ISO 4217 currency code (``USD``)."""
HSCode = Annotated[str, *standard(normalise_hs_code, hs_code_problem)]
"""Harmonized System code, 6 to 10 digits with the national subheading kept."""
IMONumber = Annotated[str, *standard(normalise_imo, imo_problem)]
"""IMO ship identification number, 7 digits (``9321483``)."""
SCAC = Annotated[str, *standard(normalise_code, scac_problem)]
UNNumber = Annotated[str, *standard(normalise_un_number, un_number_problem)]
"""UN number of dangerous goods, four digits (``1263``; ``UN 1263`` is read as it)."""
IMDGClass = Annotated[str, *standard(normalise_imdg_class, imdg_class_problem)]
"""IMDG class or division of dangerous goods (``3``, ``6.1``, ``1.4S``)."""
TransportMode = Annotated[str, *standard(normalise_transport_mode, transport_mode_problem)]
"""UN/ECE Rec. 19 mode of transport, one digit (``3`` road; ``ROAD`` is read as it)."""
SizeTypeCode = Annotated[str, *standard(normalise_code, size_type_problem)]
MAX_WEIGHT_KG = 1e15
"""The largest weight (either sign) a mass field holds, in kg: far beyond any cargo (the
largest ship carries 2.5e8 kg), so that any total of a batch's weights stays finite and
exact to the kilogram. A weight beyond it is not a measurement: it is refused (strict) or
dropped with an ``invalid_value`` flag (lenient), as ``"abc"`` would be."""
MAX_PACKAGES = 1_000_000_000
"""The largest package count of one goods line, so that a shipment's total always fits
a 64-bit integer (the shipment frame's ``Int64``)."""
MAX_AMOUNT = Decimal(10) ** 15
"""The largest declared value (either sign) of one goods line, in any currency (10^15
dong is some 40 billion US dollars): the total of up to 100,000 such lines in one shipment
stays within the shipment frame's ``Decimal(38, 18)`` (20 integer digits)."""
AMOUNT_PLACES = 18
"""Decimal places a declared value may have (trailing zeros aside): the frame's scale."""


def _weight_range(value: float) -> float:
    if abs(value) > MAX_WEIGHT_KG:
        raise PydanticCustomError(
            "out_of_range",
            "{value} kg is out of range (a weight is at most 1e15 kg either way)",
            {"value": value},
        )
    return value


def _decimal_places(value: Decimal) -> int:
    """Places after the point, trailing zeros aside (no decimal context involved)."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def _amount_range(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise PydanticCustomError(
            "out_of_range",
            "{value} is out of range (a value is at most 10^15 either way)",
            {"value": str(value)},
        )
    if _decimal_places(value) > AMOUNT_PLACES:
        raise PydanticCustomError(
            "out_of_range",
            "{value} has more than {places} decimal places",
            {"value": str(value), "places": AMOUNT_PLACES},
        )
    return value


MAX_REEFER_CELSIUS = 100.0
"""The warmest or coldest (either sign) set temperature a reefer field holds, in degrees
Celsius: no reefer is set beyond it (super-freezers go to -70 °C), so a value beyond is
not a setting (most often a misplaced field or a unit error); it is refused (strict) or
dropped with an ``invalid_value`` flag (lenient)."""


def _temperature_range(value: float) -> float:
    if not -MAX_REEFER_CELSIUS <= value <= MAX_REEFER_CELSIUS:
        raise PydanticCustomError(
            "out_of_range",
            "{value} °C is out of range (a reefer is set between -100 and +100 °C)",
            {"value": value},
        )
    return value


Temperature = Annotated[float, AfterValidator(_temperature_range)]
"""A reefer set temperature in degrees Celsius, within ±:data:`MAX_REEFER_CELSIUS`."""
Weight = Annotated[float, *standard(None, _negative), AfterValidator(_weight_range)]
"""A mass in kilograms, within ±:data:`MAX_WEIGHT_KG`; negative values are a standards
problem."""
Money = Annotated[Decimal, *standard(None, _negative), AfterValidator(_amount_range)]
CustomDate = Annotated[date, PlainSerializer(lambda d: {"date": d.isoformat()}, when_used="json")]
"""A custom date: JSON has no date, so it is written ``{"date": "2026-10-12"}``, which
reads back as a date (a plain ``"2026-10-12"`` stays text)."""
CustomValue = str | float | bool | CustomDate | list[str] | None
"""A custom field's value (:mod:`riskprofile.model._extra`)."""


def _rate_range(value: float) -> float:
    if abs(value) > MAX_WEIGHT_KG:
        raise PydanticCustomError(
            "out_of_range",
            "{value} is out of range (a rate is at most 1e15 either way)",
            {"value": value},
        )
    return value


Rate = Annotated[float, *standard(None, _negative), AfterValidator(_rate_range)]
"""A duty or tax rate in percent, within the bounds of a weight (the column-wise reader
checks every number of the layout alike); negative values are a standards problem."""

MAX_GROSS_MASS_KG = 45_000
"""No ISO container is rated above about 36 t gross (45' high cube); beyond this margin a
verified gross mass is flagged ``implausible`` (typically declared in grams or pounds)."""
MAX_TARE_KG = 12_000
"""Heavier than any container's tare (a 45' reefer is about 5 t): flagged ``implausible``."""

KEY_PARTIES = ("shipper", "consignee")
"""The parties every bill of lading must name: a B/L without a shipper's or a consignee's
name is flagged ``missing`` (``shipper_name:missing`` on its shipments), in both modes."""

Sealer = Literal["carrier", "shipper", "customs", "other"]
FreightTerms = Literal["prepaid", "collect"]

# What exports write for who sealed a container (UN/EDIFACT 9303 sealing party codes and
# plain words).
_SEALER_WORDS: dict[str, Sealer] = {
    "CA": "carrier", "CARRIER": "carrier", "LINE": "carrier",
    "SH": "shipper", "SHIPPER": "shipper", "SHP": "shipper",
    "CU": "customs", "CUSTOMS": "customs", "CUS": "customs",
    "AA": "other", "AB": "other", "AC": "other", "TO": "other", "OTHER": "other",
    "TERMINAL": "other", "QUARANTINE": "other", "AGENT": "other",
}  # fmt: skip
_FREIGHT_WORDS: dict[str, FreightTerms] = {
    "P": "prepaid", "PP": "prepaid", "PREPAID": "prepaid", "PRE-PAID": "prepaid",
    "C": "collect", "CC": "collect", "COLLECT": "collect",
}  # fmt: skip
_TRUE = frozenset({"TRUE", "T", "YES", "Y", "1"})
_FALSE = frozenset({"FALSE", "F", "NO", "N", "0"})
_FULL = frozenset({"F", "FULL", "FCL", "LCL", "LADEN", "5", "TRUE", "Y", "YES", "1"})
_EMPTY = frozenset({"E", "EMPTY", "MT", "MTY", "4", "FALSE", "N", "NO", "0"})


def _word(table: dict[str, Any]) -> Any:
    def parse(value: Any) -> Any:
        if isinstance(value, str):
            return table.get(value.strip().upper(), value)
        return value

    return BeforeValidator(parse)


def _bool_word(true: frozenset[str], false: frozenset[str]) -> BeforeValidator:
    def parse(value: Any) -> Any:
        if isinstance(value, str):
            word = value.strip().upper()
            if word in true:
                return True
            if word in false:
                return False
        return value

    return BeforeValidator(parse)


def _utc(value: datetime) -> datetime:
    # Naive times are taken as UTC so that the same batch always gives the same result.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is in year 10000 in UTC
        raise PydanticCustomError(
            "out_of_range", "{value} is out of range in UTC", {"value": value.isoformat()}
        ) from None


YesNo = Annotated[bool, _bool_word(_TRUE, _FALSE)]
UTCDateTime = Annotated[datetime, AfterValidator(_utc)]


class Party(RecordModel):
    """A shipper, consignee, notify party or freight payer."""

    name: str | None = Field(None, description="Name as declared.", examples=["ACME TRADING LLC"])
    address: str | None = Field(None, description="Address as declared, one line.")
    country: CountryCode | None = Field(None, description="ISO 3166-1 alpha-2 country.")
    identifier: str | None = Field(
        None, description="Trader identifier (EORI, TIN, NTN, BIN...).", examples=["PK1234567"]
    )
    aeo: YesNo | None = Field(
        None, description="Authorised Economic Operator status; null when unknown."
    )


class Seal(RecordModel):
    """A seal on a container and who put it there."""

    number: str = Field(description="Seal number as printed.", examples=["ML-4471203"])
    sealer: Annotated[Sealer, _word(_SEALER_WORDS)] | None = Field(
        None, description="Who sealed: carrier, shipper, customs or other; null when unknown."
    )


class Container(RecordModel):
    """A piece of equipment as declared for this call. Only the number is required.

    >>> Container.model_validate({"number": "CSQU3054383"}).size_type is None
    True
    """

    number: ContainerNumber = Field(description="ISO 6346 container number.")
    size_type: SizeTypeCode | None = Field(
        None, description="ISO 6346 size-type code, current (22G1) or legacy (2200)."
    )
    full: Annotated[bool, _bool_word(_FULL, _EMPTY)] | None = Field(
        None, description="True when laden, false when empty; null when not declared."
    )
    seals: list[Seal] = Field(default_factory=list, description="Seals, in declared order.")
    verified_gross_mass_kg: Weight | None = Field(
        None, description="Verified gross mass (SOLAS VGM): cargo, packing and tare, in kg."
    )
    tare_kg: Weight | None = Field(None, description="Tare mass of the empty container, kg.")
    reefer_celsius: Temperature | None = Field(
        None,
        description="Reefer set temperature, degrees Celsius (EDIFACT TMP); null for a "
        "box that is not a running reefer or when not declared.",
    )

    def _consistency_flags(self) -> list[QualityFlag]:
        vgm, tare = self.verified_gross_mass_kg, self.tare_kg
        flags = []
        if vgm is not None and tare is not None and 0 <= vgm < tare:
            flags.append(
                QualityFlag(
                    field="verified_gross_mass_kg",
                    code="inconsistent",
                    value=str(vgm),
                    message=f"verified gross mass {vgm} kg is below the tare {tare} kg",
                )
            )
        # Above any container's rating: most often a mass declared in grams or pounds.
        for name, value, limit in (
            ("verified_gross_mass_kg", vgm, MAX_GROSS_MASS_KG),
            ("tare_kg", tare, MAX_TARE_KG),
        ):
            if value is not None and value > limit:
                flags.append(
                    QualityFlag(
                        field=name,
                        code="implausible",
                        value=str(value),
                        message=f"{value} kg is above the {limit:,} kg no container reaches",
                    )
                )
        return flags


class GoodsItem(RecordModel):
    """One goods line of a bill of lading."""

    hs_code: HSCode | None = Field(None, description="HS code, 6 to 10 digits.")
    description: str | None = Field(None, description="Goods description as declared.")
    packages: Annotated[int, Field(ge=0, le=MAX_PACKAGES)] | None = Field(
        None, description="Number of packages."
    )
    package_type: str | None = Field(
        None, description="Package type (UN/ECE Rec. 21 code or text).", examples=["CT"]
    )
    gross_weight_kg: Weight | None = Field(None, description="Gross weight, kg.")
    net_weight_kg: Weight | None = Field(None, description="Net weight, kg.")
    value: Money | None = Field(None, description="Declared value (exact decimal).")
    currency: CurrencyCode | None = Field(None, description="ISO 4217 currency of the value.")
    origin_country: CountryCode | None = Field(None, description="Country of origin.")
    un_number: UNNumber | None = Field(
        None,
        description="UN number of the dangerous goods of this line (EDIFACT DGS).",
        examples=["1263"],
    )
    imdg_class: IMDGClass | None = Field(
        None, description="IMDG class or division of those dangerous goods.", examples=["3"]
    )
    container_number: ContainerNumber | None = Field(
        None,
        description="Container this line is stuffed in; null means every container of the "
        "bill of lading (or the only one).",
    )

    @field_validator("package_type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    def _consistency_flags(self) -> list[QualityFlag]:
        gross, net = self.gross_weight_kg, self.net_weight_kg
        if gross is not None and net is not None and net > gross:
            return [
                QualityFlag(
                    field="net_weight_kg",
                    code="inconsistent",
                    value=str(net),
                    message=f"net weight {net} kg exceeds gross weight {gross} kg",
                )
            ]
        return []


def _custom_date(value: Any) -> Any:
    """A custom field's value as JSON gives it: ``{"date": "2026-10-12"}`` is a date (a
    text that is not one is left for the union to refuse)."""
    if isinstance(value, dict) and set(value) == {"date"} and isinstance(value["date"], str):
        try:
            return date.fromisoformat(value["date"])
        except ValueError:
            return value
    return value


class Consignment(RecordModel):
    """A bill of lading: who ships what to whom, by which route, in which containers."""

    bl_number: str = Field(description="Bill of lading number.", examples=["MAEU240512345"])
    master_bl_number: str | None = Field(
        None, description="Master B/L number when this is a house B/L (a forwarder's)."
    )
    shipper: Party | None = None
    consignee: Party | None = None
    notify_party: Party | None = None
    place_of_receipt: Locode | None = None
    port_of_loading: Locode | None = None
    transshipment_ports: list[Locode] = Field(
        default_factory=list, description="Transshipment ports, in the order called."
    )
    port_of_discharge: Locode | None = None
    place_of_delivery: Locode | None = None
    pre_carriage_mode: TransportMode | None = Field(
        None,
        description="Mode of the leg from the place of receipt to the port of loading "
        "(UN/ECE Rec. 19: 2 rail, 3 road, 8 inland water...).",
    )
    on_carriage_mode: TransportMode | None = Field(
        None, description="Mode of the leg from the port of discharge to the place of delivery."
    )
    freight_terms: Annotated[FreightTerms, _word(_FREIGHT_WORDS)] | None = None
    freight_payer: Party | None = Field(None, description="Who pays the freight, when declared.")
    issue_date: date | None = Field(None, description="Date the B/L was issued.")
    # The declaration's own data, where an export is one goods declaration per B/L (WCO
    # Data Model names; text as declared, the shipment folds it).
    customs_office: str | None = Field(None, description="Customs office of declaration.")
    customs_procedure: str | None = Field(None, description="Customs procedure or regime code.")
    import_type: str | None = Field(None, description="Import type, as the office codes it.")
    import_use: str | None = Field(None, description="Declared use of the imported goods.")
    payment_type: str | None = Field(None, description="How duties and taxes are paid.")
    transport_mode: str | None = Field(None, description="Mode of transport at the border.")
    departure_country: CountryCode | None = Field(
        None, description="Country of departure (dispatch, export)."
    )
    origin_country_indicator: str | None = Field(
        None, description="The declaration's country-of-origin indicator."
    )
    tax_type: str | None = Field(None, description="Type of the main duty or tax.")
    tax_rate: Rate | None = Field(None, description="Rate of that duty or tax, percent.")
    declarant_name: str | None = Field(None, description="Declarant (or customs broker) name.")
    declarant_identifier: str | None = Field(None, description="Declarant identifier.")
    goods: list[GoodsItem] = Field(default_factory=list)
    extra: dict[str, CustomValue] = Field(
        default_factory=dict,
        description="Custom fields (a column mapping's `extra:`), by name without their x_ "
        "prefix: text, a number, a date, a bool or a list of texts.",
    )
    container_numbers: list[ContainerNumber] = Field(
        default_factory=list, description="Containers the goods are stuffed in."
    )

    @field_validator("shipper", "consignee", "notify_party", "freight_payer", mode="after")
    @classmethod
    def _empty_party_is_absent(cls, party: Party | None) -> Party | None:
        # A party object with nothing in it says nothing (and a flat file cannot even
        # write it): treat it as absent rather than as an unknown third party.
        if party is not None and not party.quality_flags and all(
            getattr(party, name) is None for name in ("name", "address", "country",
                                                      "identifier", "aeo")
        ):  # fmt: skip
            return None
        return party

    @field_validator("extra", mode="before")
    @classmethod
    def _tagged_dates(cls, extra: Any) -> Any:
        # JSON has no date: a custom date is written {"date": "2026-10-12"} (see
        # CustomDate), so that it is read back a date, not text.
        if not isinstance(extra, dict):
            return extra
        return {name: _custom_date(value) for name, value in extra.items()}

    @field_validator("extra", mode="after")
    @classmethod
    def _custom_names(cls, extra: dict[str, Any]) -> dict[str, Any]:
        for name in extra:
            if not is_extra_name(name):
                raise ValueError(
                    f"{name!r} is not a custom field name (lower case letters, digits and _, "
                    "starting with a letter, at most 40 characters)"
                )
        return {name: value for name, value in extra.items() if value is not None}

    @field_validator("bl_number", "master_bl_number", mode="before")
    @classmethod
    def _reference(cls, value: Any) -> Any:
        # B/L numbers are compared across messages: one spelling, no blanks.
        return "".join(value.split()).upper() if isinstance(value, str) else value

    def _consistency_flags(self) -> list[QualityFlag]:
        # A rule about the shipper or consignee can never match a B/L that names none:
        # say so, rather than let the rule miss in silence.
        flags = []
        for role in KEY_PARTIES:
            party: Party | None = getattr(self, role)
            if party is None or party.name is None:
                flags.append(
                    QualityFlag(
                        field=f"{role}.name",
                        code="missing",
                        message=f"the bill of lading names no {role}",
                    )
                )
        return flags

    @property
    def all_container_numbers(self) -> list[str]:
        """Declared containers plus any named only on goods lines, in first-seen order."""
        seen = dict.fromkeys(self.container_numbers)
        for item in self.goods:
            if item.container_number is not None:
                seen.setdefault(item.container_number)
        return list(seen)


class Manifest(RecordModel):
    """One vessel call's cargo declaration: the voyage, its consignments and containers.

    A container listed in ``containers`` but named by no consignment is kept (it is on
    board but not declared, itself an indicator); a container named by a consignment but
    absent from ``containers`` has no equipment data yet.
    """

    vessel_name: str | None = Field(None, description="Vessel name.", examples=["MSC ANNA"])
    vessel_imo: IMONumber | None = Field(None, description="IMO ship number.")
    voyage_number: str | None = Field(None, description="Carrier's voyage number.")
    carrier_scac: SCAC | None = Field(None, description="Carrier SCAC code.")
    port_of_call: Locode | None = Field(None, description="Port this manifest is filed at.")
    arrival: UTCDateTime | None = Field(
        None, description="Expected or actual arrival (UTC; naive times are taken as UTC)."
    )
    consignments: list[Consignment] = Field(default_factory=list)
    containers: list[Container] = Field(default_factory=list)

    @field_validator("vessel_name", "voyage_number", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return " ".join(value.split()).upper() if isinstance(value, str) else value

    def _consistency_flags(self) -> list[QualityFlag]:
        flags = []
        for name, keys in (
            ("consignments", [c.bl_number for c in self.consignments]),
            ("containers", [c.number for c in self.containers]),
        ):
            seen: set[str] = set()
            for index, key in enumerate(keys):
                if key in seen:
                    flags.append(
                        QualityFlag(
                            field=f"{name}[{index}]",
                            code="duplicate",
                            value=key,
                            message=f"{key} is declared more than once in this manifest",
                        )
                    )
                seen.add(key)
        return flags

    @property
    def reference(self) -> str:
        """A readable key of the call: ``IMO/voyage`` (vessel name when no IMO)."""
        return f"{self.vessel_imo or self.vessel_name or '-'}/{self.voyage_number or '-'}"
