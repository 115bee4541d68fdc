"""Profile tests: the examples a profile carries must hit, or miss, the named indicators.

An example is a partial shipment with the indicators that must fire on it (``hits``) and
those that must not (``misses``). Its shipment is built the way real data is (see
:func:`example_shipment`): the fields a manifest declares go through the same lenient
validation and :func:`~riskprofile.model.shipment.flatten` as a feed, so derived fields
are filled, never left at their defaults. ``riskprofile test`` runs them; the test suite
runs them for the bundled profiles.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from riskprofile.errors import RecordError
from riskprofile.model import LENIENT, Manifest
from riskprofile.model.shared import validation_errors
from riskprofile.model.shipment import HISTORY_FIELDS, STOWPLAN_FIELDS, Shipment, flatten
from riskprofile.profiles._compiled import CompiledProfile, Location
from riskprofile.profiles._explain import record_of
from riskprofile.profiles._schema import Example

__all__ = [
    "DEFAULT_EXAMPLE_AS_OF",
    "DERIVED_FROM",
    "ExampleOutcome",
    "example_shipment",
    "run_examples",
]

_PORTS = ("place_of_receipt", "port_of_loading", "transshipment_ports", "port_of_discharge",
          "place_of_delivery")  # fmt: skip
_GOODS = ("hs_codes", "origin_countries", "package_types", "description", "packages",
          "goods_gross_weight_kg", "goods_net_weight_kg", "declared_value", "un_numbers",
          "imdg_classes")  # fmt: skip
_DECLARATION = ("customs_office", "customs_procedure", "import_type", "import_use",
                "payment_type", "transport_mode", "origin_country_indicator", "tax_type",
                "tax_rate", "declarant_name", "declarant_identifier",
                "departure_country")  # fmt: skip
"""The declaration-level fields, declared on the consignment as a declaration export
gives them."""
_SITUATIONAL = frozenset(
    {"shipment_id", "manifest_ref", "goods_scope", "bl_count_in_container",
     "container_count_in_bl", "is_lcl", "quality_flags", "quality_flag_count",
     "container_declared", *HISTORY_FIELDS, *STOWPLAN_FIELDS}
)  # fmt: skip
"""Fields that describe more than one bill and one container, data problems, or history
(a store's, not the document's): an example states them."""

DEFAULT_EXAMPLE_AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""``$now``/``$today`` for an example that gives no ``as_of`` and whose profile gives no
``valid_from``: fixed, so that a profile's tests never depend on the day they run."""


@dataclass(frozen=True, slots=True)
class ExampleOutcome:
    """The result of one example: ``failures`` is empty when it passed."""

    profile_id: str
    example: str
    failures: tuple[str, ...]
    location: Location | None
    stated: tuple[str, ...] = ()
    """Derived fields the example gives without the fields they come from (taken as
    stated: a feed would not produce them so)."""

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.failures

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        status = "ok" if self.passed else "FAILED: " + "; ".join(self.failures)
        if self.stated:
            status += f" (states {', '.join(self.stated)} without the fields they come from)"
        return f"{where}{self.profile_id} / {self.example}: {status}"


def _as_of(example: Example, profile: CompiledProfile) -> dt.datetime:
    day = example.as_of or profile.profile.valid_from
    if day is None:
        return DEFAULT_EXAMPLE_AS_OF
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# --- building an example's shipment --------------------------------------------------------

DERIVED_FROM: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "hs_chapters": ("hs_codes",),
        "hs_headings": ("hs_codes",),
        "hs_subheadings": ("hs_codes",),
        "transshipment_count": ("transshipment_ports",),
        "route": _PORTS,
        "route_countries": _PORTS,
        "container_type": ("container_size_type",),
        "container_length_ft": ("container_size_type",),
        "container_teu": ("container_size_type",),
        "container_number_valid": ("container_number",),
        "container_owner_code": ("container_number",),
        "seal_count": ("seal_numbers",),
        "sealer_types": ("seal_numbers",),
        "container_cargo_mass_kg": ("verified_gross_mass_kg", "tare_kg"),
        "container_goods_weight_kg": ("goods_gross_weight_kg",),
        "cargo_mass_gap_kg": ("verified_gross_mass_kg", "tare_kg", "goods_gross_weight_kg"),
        "value_per_kg": ("declared_value", "goods_gross_weight_kg"),
        "value_currency": ("declared_value",),
        "value_currencies": ("declared_value",),
        "goods_item_count": _GOODS,
        "is_house_bl": ("master_bl_number",),
        "days_bl_to_arrival": ("bl_issue_date", "arrival"),
        "freight_payer_role": ("freight_payer_name",),
    }
)
"""Each derived shipment field an example may leave out, and the declared fields it is
derived from. Given without any of them, an example's value is taken as it is (the
example states a fact it cannot declare); given with them, it must agree."""

_DECLARED_HINTS = {
    "declared_value": "a feed's value counts only with its value_currency",
}
_STANDS_IN_BL = "EXAMPLE"
_STANDS_IN_CONTAINER = "MSKU1234565"  # a valid ISO 6346 number: only its equipment matters


def _party(fields: Mapping[str, Any], role: str) -> dict[str, Any] | None:
    party = {
        key: fields.get(f"{role}_{key}")
        for key in ("name", "address", "country", "identifier", "aeo")
        if fields.get(f"{role}_{key}") is not None
    }
    return party or None


def _manifest(given: Shipment, stated: set[str]) -> dict[str, Any]:
    """The manifest a real feed would carry for the example's declared fields."""
    g = given.model_dump()
    number = g["container_number"]
    box = [f for f in ("container_size_type", "container_full", "seal_numbers",
                       "verified_gross_mass_kg", "tare_kg", "container_reefer_celsius")
           if f in stated]  # fmt: skip
    if number is None and box:
        number = _STANDS_IN_CONTAINER
    listed = ("hs_codes", "origin_countries", "package_types", "un_numbers", "imdg_classes")
    items = max(len(g[name]) for name in listed)
    if not items and stated & set(_GOODS):
        items = 1
    goods = []
    for i in range(items):
        item: dict[str, Any] = {
            "hs_code": g["hs_codes"][i] if i < len(g["hs_codes"]) else None,
            "origin_country": g["origin_countries"][i] if i < len(g["origin_countries"]) else None,
            "package_type": g["package_types"][i] if i < len(g["package_types"]) else None,
            "un_number": g["un_numbers"][i] if i < len(g["un_numbers"]) else None,
            "imdg_class": g["imdg_classes"][i] if i < len(g["imdg_classes"]) else None,
            "container_number": number,
        }
        if i == 0:  # the totals, declared once
            item.update(
                description=g["description"], packages=g["packages"],
                gross_weight_kg=g["goods_gross_weight_kg"],
                net_weight_kg=g["goods_net_weight_kg"], value=g["declared_value"],
                currency=g["value_currency"] if g["declared_value"] is not None else None,
            )  # fmt: skip
        goods.append(item)
    payer = g["freight_payer_name"]
    consignment = {
        "bl_number": g["bl_number"] or _STANDS_IN_BL,
        "master_bl_number": g["master_bl_number"],
        "shipper": _party(g, "shipper"),
        "consignee": _party(g, "consignee"),
        "notify_party": _party(g, "notify"),
        **{port: g[port] for port in _PORTS},
        "pre_carriage_mode": g["pre_carriage_mode"],
        "on_carriage_mode": g["on_carriage_mode"],
        "freight_terms": g["freight_terms"],
        "freight_payer": {"name": payer} if payer else None,
        "issue_date": g["bl_issue_date"],
        "goods": goods,
        "container_numbers": [number] if number else [],
        **{name: g[name] for name in _DECLARATION},
    }
    containers = []
    if number is not None:
        sealers = [None if s == "unknown" else s for s in g["sealer_types"]] or [None]
        containers.append(
            {
                "number": number,
                "size_type": g["container_size_type"],
                "full": g["container_full"],
                "seals": [
                    {"number": seal, "sealer": sealers[min(i, len(sealers) - 1)]}
                    for i, seal in enumerate(g["seal_numbers"])
                ],
                "verified_gross_mass_kg": g["verified_gross_mass_kg"],
                "tare_kg": g["tare_kg"],
                "reefer_celsius": g["container_reefer_celsius"],
            }
        )
    voyage = ("vessel_name", "vessel_imo", "voyage_number", "carrier_scac", "port_of_call",
              "arrival")  # fmt: skip
    return {**{key: g[key] for key in voyage}, "consignments": [consignment],
            "containers": containers}  # fmt: skip


def _same(given: Any, built: Any) -> bool:
    if isinstance(given, float | Decimal) and isinstance(built, float | Decimal):
        return math.isclose(float(given), float(built), rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(given, str) and isinstance(built, str) and given != built:
        # Names and descriptions are folded as a feed's are: that is no disagreement.
        return " ".join(given.split()).upper() == built
    return bool(given == built)


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return repr(value) if isinstance(value, str) else str(value)


def example_shipment(fields: Mapping[str, Any]) -> tuple[Shipment, list[str]]:
    """The shipment an example's fields describe, built the way real data is built.

    The declared fields (ports, HS codes, parties, container size-type, weights...) make
    a one-bill, one-container manifest, validated leniently and flattened as a feed's
    would be, so every derived field is filled (``hs_codes`` gives ``hs_chapters``,
    ``transshipment_ports`` gives ``transshipment_count``, a size-type gives
    ``container_type``). A derived field the example also gives must agree with what its
    declared fields give; given without them it is taken as stated (see
    :data:`DERIVED_FROM`). Returns the shipment and the disagreements, in words.

    Raises:
        RecordError: a field is unknown or its value has the wrong type.
    """
    shipment, problems, _ = _build(fields)
    return shipment, problems


def _build(fields: Mapping[str, Any]) -> tuple[Shipment, list[str], tuple[str, ...]]:
    """The shipment, the disagreements and the derived fields taken as stated (those
    whose stated value differs from what the declared fields give)."""
    given = Shipment.model_validate(fields)
    stated = set(fields)
    manifest = Manifest.model_validate(_manifest(given, stated), context=LENIENT)
    (built,) = flatten(manifest)
    update: dict[str, Any] = {}
    problems: list[str] = []
    taken: list[str] = []
    for name in sorted(stated):
        if name.startswith("x_"):
            # A custom field: no manifest carries it, taken as stated.
            update[name] = getattr(given, name)
            continue
        value, result = getattr(given, name), getattr(built, name)
        sources = DERIVED_FROM.get(name)
        if sources is not None and not stated & set(sources):
            update[name] = value  # stated, not derivable from what the example declares
            if not _same(value, result):
                taken.append(name)
        elif name in _SITUATIONAL:
            update[name] = value
        elif not _same(value, result):
            why = (
                f"derived from {', '.join(s for s in sources if s in stated)}"
                if sources
                else _DECLARED_HINTS.get(name, "as a feed declares it")
            )
            problems.append(
                f"{name} is {_shown(value)} in the example but {_shown(result)} in a "
                f"shipment built from it ({why}): correct it, or leave it out"
            )
    # A stand-in made the manifest valid; the example said nothing about it.
    if "bl_number" not in stated:
        update["bl_number"] = None
    if "container_number" not in stated:
        for name in ("container_number", "container_number_valid", "container_owner_code"):
            update.setdefault(name, None)
    update.setdefault("shipment_id", given.shipment_id)
    update.setdefault("manifest_ref", given.manifest_ref)
    return built.model_copy(update=update), problems, tuple(taken)


def _values(profile: CompiledProfile, name: str, shipment: Shipment) -> str:
    fields = sorted(profile.indicator(name).condition.fields)
    shown = ", ".join(f"{f}={_shown(getattr(shipment, f))}" for f in fields)
    return f" [{shown}]" if shown else ""


def _check(profile: CompiledProfile, example: Example) -> tuple[list[str], tuple[str, ...]]:
    try:
        shipment, problems, stated = _build(example.shipment)
    except RecordError as exc:
        return [
            f"shipment.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in validation_errors(exc)
        ], ()
    return _expectations(profile, example, shipment, problems), stated


def _expectations(
    profile: CompiledProfile, example: Example, shipment: Shipment, problems: list[str]
) -> list[str]:
    known = {ind.id for ind in profile.indicators}
    failures = [
        f"no indicator {name!r} in this profile"
        for name in (*example.hits, *example.misses)
        if name not in known
    ]
    if failures or problems:
        return failures + problems
    record = record_of(shipment)
    as_of = _as_of(example, profile)
    for exception in profile.exceptions:
        holds, _ = exception.holds(record, as_of)
        if holds and example.hits:
            fields = sorted(exception.condition.fields)
            shown = ", ".join(f"{f}={_shown(getattr(shipment, f))}" for f in fields)
            return [f"exception {exception.id!r} holds, so no indicator can hit [{shown}]"]
    for name in example.hits:
        result = profile.indicator(name).evaluate(record, as_of)
        if not result.hit:
            why = f" ({result.problem})" if result.problem else ""
            failures.append(
                f"{name!r} should hit but does not{why}{_values(profile, name, shipment)}"
            )
    for name in example.misses:
        if profile.indicator(name).evaluate(record, as_of).hit:
            failures.append(f"{name!r} should not hit but does{_values(profile, name, shipment)}")
    return failures


def run_examples(profiles: Iterable[CompiledProfile]) -> list[ExampleOutcome]:
    """Run every example of every profile, in profile and example order."""
    outcomes = []
    for profile in profiles:
        for index, example in enumerate(profile.profile.examples):
            location = profile.positions.get(f"example:{index}") or profile.positions.get("profile")
            failures, stated = _check(profile, example)
            outcomes.append(
                ExampleOutcome(profile.id, example.name, tuple(failures), location, stated)
            )
    return outcomes
