"""The profile file format, as Pydantic models (and so as a JSON Schema for editors).

A profile file is one YAML mapping. Either a *base profile*::

    id: narcotics.cocaine-reefer
    version: 3
    title: Cocaine in reefer fruit from source ports
    category: narcotics
    owner: PCU Karachi
    status: active
    lists:
      source_ports: {source: "UNODC WDR 2024", values: [ECGYE, COBUN]}
    indicators:
      - id: reefer-from-source
        title: Reefer loaded at a source port
        when: container_type == "reefer" and port_of_loading in $source_ports
        weight: 40
        explain: "reefer loaded at {port_of_loading}"
    bands:
      - {min_score: 60, lane: red}

or a *country overlay* that ``extends`` one (see :class:`Overlay`).
"""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

import pycountry
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from riskprofile.model.codes import is_country, normalise_country
from riskprofile.model.shared import ExtraType

__all__ = [
    "RESERVED_LIST_NAMES",
    "Band",
    "Category",
    "Example",
    "ForcedLane",
    "Indicator",
    "IndicatorOverride",
    "Lane",
    "ListChange",
    "ListItem",
    "Overlay",
    "Profile",
    "ProfileException",
    "Requires",
    "Status",
    "WatchList",
]

Category = Literal[
    "narcotics", "precursors", "weapons", "strategic_goods", "wildlife", "ipr", "revenue",
    "other",
]  # fmt: skip
Status = Literal["draft", "active", "retired"]
Lane = Literal["red", "yellow", "blue", "green"]
ForcedLane = Literal["red", "yellow"]

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", min_length=1, max_length=100)
]
"""Lower-case ids: letters, digits, ``_``, ``.``, ``-`` (``narcotics.cocaine-reefer``)."""
RESERVED_LIST_NAMES = frozenset(
    {"now", "today", "e", "pi", "abs", "any", "all", "sum", "map", "max", "min", "filter",
     "parse_datetime", "parse_float", "parse_timedelta", "random", "range", "split",
     "re_groups", "any_starts_with", "any_ends_with", "intersects"}
)  # fmt: skip
"""rule-engine's built-in names and our helper functions: a watch list may not take one
(``$now`` must stay the evaluation time)."""


def _list_name(name: str) -> str:
    if name in RESERVED_LIST_NAMES:
        raise ValueError(f"{name!r} is a built-in name ($" + name + "); choose another list name")
    return name


ListName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64),
    AfterValidator(_list_name),
]
Expression = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


def _canonical(value: Decimal) -> Decimal:
    # 40 and 40.0 are one weight: one spelling, so one fingerprint.
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


Weight = Annotated[
    Decimal,
    Field(ge=-1000, le=1000, max_digits=8, decimal_places=3),
    AfterValidator(_canonical),
]

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _calendar_day(value: Any) -> Any:
    # YAML reads 2026-03-01 as a date; anything else that reaches a date field is a
    # mistake to name, not a value to coerce (pydantic would read 20260101 as seconds
    # since 1970, and 0 as 1970-01-01).
    if isinstance(value, datetime):
        raise ValueError(
            f"{value.isoformat(sep=' ')} has a time of day: write the date alone, YYYY-MM-DD"
        )
    if isinstance(value, date):
        return value
    if isinstance(value, bool | int | float | Decimal):
        raise ValueError(f"{value!r} is a number, not a date: write YYYY-MM-DD (2026-03-01)")
    if isinstance(value, str):
        match = _ISO_DAY.fullmatch(value.strip())
        if match is None:
            raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD (2026-03-01)")
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a calendar date ({exc})") from None
    return value


Day = Annotated[date, BeforeValidator(_calendar_day)]
"""A calendar date written ``YYYY-MM-DD``; numbers, times of day and impossible dates
(``2026-02-30``, ``0000-00-00``) are refused with a clear message."""


def _country(code: str) -> str:
    if is_country(code):
        return code
    fixed = normalise_country(code)
    if is_country(fixed):
        hint = f"did you mean {fixed!r}?"
    else:
        close = difflib.get_close_matches(code.upper(), _country_names(), n=1, cutoff=0.75)
        hint = (
            f"did you mean {_country_names()[close[0]]!r}?"
            if close
            else "use an ISO 3166-1 alpha-2 code such as 'PK', 'KZ' or 'TM'"
        )
    raise ValueError(f"{code!r} is not an ISO 3166-1 country code ({hint})")


@cache
def _country_names() -> dict[str, str]:
    return {c.name.upper(): c.alpha_2 for c in pycountry.countries}


CountryCode = Annotated[
    str, AfterValidator(_country), WithJsonSchema({"type": "string", "pattern": "^[A-Z]{2}$"})
]
"""An assigned ISO 3166-1 alpha-2 code (``PK``); ``XX``, ``UK`` or ``PAK`` are refused
with the code meant, when there is one."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ListItem(_Strict):
    """One inline list entry with what the list says about it, written as a mapping
    instead of a plain value: ``{value: PKKHI, expires: 2026-12-31, reason: ...}``.

    ``expires`` is a date (in force through that day, UTC) or a date and time (in force
    until that moment; UTC when no offset is given). The other keys are text that an
    indicator's ``explain`` may quote (``{$list.reason}``).
    """

    value: str | int | float = Field(description="The value conditions compare.")
    expires: date | datetime | str | None = Field(
        None, description="When the entry stops being in force."
    )
    added: date | str | None = Field(None, description="When the entry was added.")
    source: str | None = Field(None, description="Where the entry comes from.")
    reason: str | None = Field(None, description="Why the value is on the list.")
    owner: str | None = Field(None, description="Who answers for the entry.")


ListValue = str | int | float | ListItem


class WatchList(_Strict):
    """A named list of values that expressions use as ``$name``.

    Give the values inline (``values``) or in a CSV file next to the profile (``file``:
    its first column, or the column named ``value``; a header row is expected).
    """

    description: str | None = Field(None, description="What the list holds.")
    source: str | None = Field(
        None, description="Where the values come from (report, seizure database, date)."
    )
    type: Literal["string", "number"] = Field(
        "string", description="The type of the values: string or number."
    )
    values: list[ListValue] | None = Field(None, description="The values, inline.")
    file: str | None = Field(
        None, description="A CSV file next to the profile holding the values instead."
    )
    match: Literal["exact", "trader", "party_key"] = Field(
        "exact",
        description="How a party's name is compared with the list: 'exact' (the name as "
        "written is a value), 'trader' (the party as a trader: by identifier, normalised "
        "name and country, then a close name; see docs/lists.md) or 'party_key' (the "
        "values are partner PCUs' party keys: the name's key under the secret in "
        "'secret_env' is a value; see docs/exchange.md).",
    )
    secret_env: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")] | None = Field(
        None,
        description="For 'match: party_key': the environment variable holding the "
        "secret shared with the partner PCU (its redaction policy's salt); never the "
        "secret itself.",
    )
    threshold: float | None = Field(
        None,
        ge=50,
        le=100,
        description="For 'match: trader': the least fuzzy score (rapidfuzz ratio of the "
        "normalised names, 50-100) of a close-name match; 90 when not given.",
    )

    @model_validator(mode="after")
    def _one_source(self) -> WatchList:
        if (self.values is None) == (self.file is None):
            raise ValueError("give either 'values' or 'file' (exactly one)")
        if self.threshold is not None and self.match != "trader":
            raise ValueError("'threshold' is for a list with 'match: trader'")
        if self.match != "exact" and self.type != "string":
            raise ValueError(f"'match: {self.match}' is for a list of names (type string)")
        if (self.match == "party_key") != (self.secret_env is not None):
            raise ValueError(
                "'match: party_key' needs 'secret_env' (the environment variable holding the "
                "secret shared with the partner), and 'secret_env' is for such a list only"
            )
        return self


class Indicator(_Strict):
    """One condition over a shipment, with the weight it adds when it holds."""

    id: Identifier = Field(description="Stable id, unique in the profile.")
    title: str = Field(min_length=1, description="What the indicator detects, for people.")
    when: Expression = Field(
        description="A rule-engine expression over shipment fields and $lists."
    )
    weight: Weight = Field(description="Points added to the profile score on a hit.")
    lane: ForcedLane | None = Field(
        None, description="A hit sends the container to this lane whatever the score."
    )
    explain: str | None = Field(
        None,
        max_length=500,
        description="Explanation for the officer; {field} is replaced by the shipment's value.",
    )
    fact: Identifier | None = Field(
        None,
        description="A key naming the fact the indicator tests: indicators of a run with the "
        "same key (or the same condition) test one fact, which counts once per shipment, at "
        "the highest weight.",
    )


class ProfileException(_Strict):
    """A condition under which the whole profile does not apply to a shipment."""

    id: Identifier
    title: str | None = None
    when: Expression


class Band(_Strict):
    """A score threshold: a profile score at or above ``min_score`` gives ``lane``."""

    min_score: Weight
    lane: Lane


class Example(_Strict):
    """A partial shipment and which indicators must (``hits``) and must not (``misses``)
    fire on it; checked by ``riskprofile test``."""

    name: str = Field(min_length=1)
    shipment: dict[str, Any] = Field(description="Shipment fields; the rest take defaults.")
    hits: list[Identifier] = Field(default_factory=list)
    misses: list[Identifier] = Field(default_factory=list)
    as_of: Day | None = Field(None, description="The evaluation date ($today), if it matters.")


CustomName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Requires(_Strict):
    """What a profile needs of a run beyond the field catalogue."""

    extra: dict[CustomName, ExtraType] = Field(
        default_factory=dict,
        description="Custom fields its conditions read (``x_<name>`` in rules), by name and "
        "type (text, number, date, bool, list), as a column mapping's ``extra:`` declares "
        "them: a run whose mapping does not give one so is refused.",
    )


class _ProfileMeta(_Strict):
    id: Identifier = Field(description="Stable id, unique across the profile set.")
    version: Annotated[int, Field(ge=1)] = Field(description="Bumped on every reviewed change.")
    title: str = Field(min_length=1)
    category: Category
    owner: str = Field(min_length=1, description="Agency or PCU responsible.")
    countries: list[CountryCode] = Field(
        default_factory=list, description="ISO 3166 countries it applies in (empty: all)."
    )
    valid_from: Day | None = None
    valid_to: Day | None = None
    review_date: Day | None = None
    status: Status = "active"
    rationale: str | None = Field(None, description="Why the profile exists; its evidence.")
    instructions: str | None = Field(None, description="What the officer should do on a hit.")


class Profile(_ProfileMeta):
    """A base risk profile."""

    lists: dict[ListName, WatchList] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(min_length=1)
    exceptions: list[ProfileException] = Field(default_factory=list)
    bands: list[Band] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    requires: Requires = Field(default_factory=Requires)

    @model_validator(mode="after")
    def _coherent(self) -> Profile:
        _check_unique("indicator", [i.id for i in self.indicators])
        _check_unique("exception", [e.id for e in self.exceptions])
        _check_dates(self.valid_from, self.valid_to)
        return self


class ListChange(_Strict):
    """How an overlay changes a base list: add values, or replace them all."""

    extend: list[ListValue] | None = None
    replace: list[ListValue] | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one(self) -> ListChange:
        if (self.extend is None) == (self.replace is None):
            raise ValueError("give either 'extend' or 'replace' (exactly one)")
        return self


class IndicatorOverride(_Strict):
    """What an overlay may change in an inherited indicator."""

    weight: Weight | None = None
    lane: ForcedLane | Literal["none"] | None = None
    explain: str | None = None


class Overlay(BaseModel):
    """A country's adaptation of a base profile (``extends``): its own lists, weights,
    bands, added and disabled indicators. Unset metadata is inherited."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    extends: Identifier = Field(description="The id of the profile this one adapts.")
    country: CountryCode = Field(description="ISO 3166 country of the PCU that adapts it.")
    id: Identifier | None = Field(None, description="Defaults to '<country>.<extends>' lower.")
    version: Annotated[int, Field(ge=1)] = 1
    title: str | None = None
    owner: str | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    review_date: Day | None = None
    status: Status | None = None
    rationale: str | None = None
    instructions: str | None = None
    lists: dict[ListName, WatchList | ListChange] = Field(default_factory=dict)
    indicators: list[Indicator] = Field(default_factory=list, description="Added indicators.")
    override: dict[Identifier, IndicatorOverride] = Field(default_factory=dict)
    disable: list[Identifier] = Field(default_factory=list)
    exceptions: list[ProfileException] = Field(default_factory=list)
    bands: list[Band] | None = Field(None, description="Replaces the base bands when given.")
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> Overlay:
        _check_unique("indicator", [i.id for i in self.indicators])
        _check_unique("disabled indicator", self.disable)
        _check_dates(self.valid_from, self.valid_to)
        return self

    @property
    def resolved_id(self) -> str:
        """The id of the resolved profile."""
        return self.id or f"{self.country.lower()}.{self.extends}"


def _check_unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise ValueError(f"{kind} id {i!r} is used twice")
        seen.add(i)


def _check_dates(valid_from: date | None, valid_to: date | None) -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise ValueError(f"valid_to {valid_to} is before valid_from {valid_from}")
