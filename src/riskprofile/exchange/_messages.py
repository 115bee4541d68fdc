"""The messages PCUs exchange: warning, feedback and seizure report (schema version 1).

Every message is a JSON object with a ``kind``; :func:`message_json_schema` publishes the
schema. Messages hold no floats (quantities and scores are decimal strings), so that
their canonical form, which is what is signed, is exact.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from riskprofile.errors import SchemaError
from riskprofile.model.shipment import Shipment
from riskprofile.scoring import ContainerResult

__all__ = [
    "MAX_VALIDITY",
    "MESSAGE_ID_PATTERN",
    "PCU_PATTERN",
    "SCHEMA_VERSION",
    "Feedback",
    "Message",
    "PartyRef",
    "Reason",
    "Seizure",
    "Voyage",
    "RiskWarning",
    "message_json_schema",
    "parse_message",
    "parties_of",
    "party_key",
    "to_feedback",
    "to_party_warning",
    "to_seizure",
    "to_warning",
    "valid_pcu",
    "warning_category",
]

SCHEMA_VERSION = 1
"""The version of the message schema this library writes and reads."""

PCU_PATTERN = r"^[A-Z]{2}-[A-Z0-9]{2,12}$"
"""A PCU's id: its country (ISO 3166-1 alpha-2), a hyphen, and 2 to 12 capital letters or
digits (``PK-KHI``, ``KZ-AKT``). Ids name key files, so nothing else is accepted."""
MESSAGE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,99}$"
"""A message id: 8 to 100 letters, digits, ``.``, ``_``, ``:`` and ``-``, not starting
with a punctuation mark (a UUID, ``w-0000000001``, ``<uuid>.KZ-AKT``)."""
MAX_VALIDITY = dt.timedelta(days=365)
"""The longest a message may be valid (``expires - created``): a warning about a
container in transit has no business living for years."""
MAX_CLOCK_SKEW = dt.timedelta(days=1)
"""How far in the future a received message's ``created`` may lie (clocks differ)."""

PcuId = Annotated[str, StringConstraints(pattern=PCU_PATTERN)]
MessageId = Annotated[str, StringConstraints(pattern=MESSAGE_ID_PATTERN)]
Decimal = Annotated[str, StringConstraints(pattern=r"^-?[0-9]+(\.[0-9]+)?$")]
Urgency = Literal["routine", "high", "immediate"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Reason(_Model):
    """Why a container is high-risk: a profile's indicator and its explanation."""

    profile_id: str
    indicator_id: str
    explanation: str


class Voyage(_Model):
    """The vessel call the container travels on."""

    vessel_name: str | None = None
    vessel_imo: str | None = None
    voyage_number: str | None = None


class PartyRef(_Model):
    """A party to the consignment. Name, address and identifier are personal data: a
    redaction policy drops or hashes them before a message leaves. ``name_key`` is the
    party's :func:`party_key` under the secret the two PCUs share: the partner matches
    it against its own parties' keys without the name travelling."""

    role: Literal["shipper", "consignee", "notify", "freight_payer"]
    name: str | None = None
    address: str | None = None
    country: str | None = None
    identifier: str | None = None
    name_key: Annotated[str, StringConstraints(pattern=r"^pk1:[0-9a-f]{64}$")] | None = None


def party_key(name: str, secret: str) -> str | None:
    """The key two PCUs match a party by without sending its name: HMAC-SHA256, under
    their shared ``secret``, of the name normalised as the history store resolves
    traders (upper case, accents dropped, Cyrillic transliterated, punctuation folded,
    the legal form stripped: ``Khan Logistics (Pvt.) Ltd.`` and ``KHAN LOGISTICS PRIVATE
    LIMITED`` give one key). None for a name that normalises to nothing.

    >>> party_key("Khan Logistics (Pvt.) Ltd.", "s3cret") == party_key(
    ...     "KHAN LOGISTICS PRIVATE LIMITED", "s3cret")
    True
    """
    from riskprofile.history import trader_name

    if not secret:
        raise ValueError("a party key needs the secret the two PCUs share")
    normal = trader_name(name)
    return _normal_party_key(normal, secret) if normal else None


def _normal_party_key(normal: str, secret: str) -> str:
    """:func:`party_key` of a name already normalised (``trader_name``'s): the one
    derivation, which the party-key watch lists match by too."""
    from riskprofile.lists.shared import normal_party_key

    return normal_party_key(normal, secret)


def valid_pcu(text: str) -> str:
    """``text`` if it is a PCU id (:data:`PCU_PATTERN`), else ``ValueError`` saying why.

    >>> valid_pcu("PK-KHI")
    'PK-KHI'
    """
    if not re.fullmatch(PCU_PATTERN.strip("^$"), text):
        raise ValueError(
            f"{text!r} is not a PCU id: two capital letters of the country, a hyphen, and "
            "2 to 12 capital letters or digits (PK-KHI)"
        )
    return text


class _Header(_Model):
    schema_version: Literal[1] = 1
    message_id: MessageId
    sender: PcuId
    recipients: Annotated[list[PcuId], Field(min_length=1)]
    created: AwareDatetime
    expires: AwareDatetime

    @model_validator(mode="after")
    def _validity(self) -> Self:
        # A message already expired when made, or valid for decades, is a mistake or an
        # attack: both are refused, when made and when received.
        validity = self.expires - self.created
        if not dt.timedelta(0) < validity <= MAX_VALIDITY:
            raise ValueError(
                f"valid for {_days(validity)}: expires must be after created, by at most "
                f"{MAX_VALIDITY.days} days"
            )
        return self


def _days(span: dt.timedelta) -> str:
    days = span / dt.timedelta(days=1)
    return f"{days:g} day(s)"


class RiskWarning(_Header):
    """This container (or bill of lading), heading your way, is high-risk, because …"""

    kind: Literal["warning"] = "warning"
    container_number: str | None = None
    bl_numbers: list[str] = Field(default_factory=list)
    voyage: Voyage = Field(default_factory=Voyage)
    route: list[str] = Field(default_factory=list)
    reasons: Annotated[list[Reason], Field(min_length=1)]
    category: str = Field(description="What is suspected: narcotics, precursors, weapons, …")
    urgency: Urgency = "high"
    score: Decimal | None = None
    lane: str | None = None
    parties: list[PartyRef] = Field(default_factory=list)


class Feedback(_Header):
    """What the inspection of a warned container found."""

    kind: Literal["feedback"] = "feedback"
    warning_id: MessageId
    container_number: str | None = None
    inspected: bool
    result: Literal["seizure", "irregularity", "nothing_found", "not_inspected"]
    finding: str | None = None


class Seizure(_Header):
    """A seizure report: what, how much, how it was hidden, which way it came."""

    kind: Literal["seizure"] = "seizure"
    warning_id: MessageId | None = None
    container_number: str | None = None
    bl_numbers: list[str] = Field(default_factory=list)
    goods_category: str
    quantity: Decimal
    unit: str
    concealment: str
    route: list[str] = Field(default_factory=list)
    photos: list[str] = Field(default_factory=list, description="References to photos.")


Message = Annotated[RiskWarning | Feedback | Seizure, Field(discriminator="kind")]
"""Any message: a :class:`RiskWarning`, :class:`Feedback` or :class:`Seizure`."""

_ADAPTER: TypeAdapter[RiskWarning | Feedback | Seizure] = TypeAdapter(Message)


def message_json_schema() -> dict[str, Any]:
    """The published JSON Schema of a message payload."""
    schema = _ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"riskprofile exchange message, schema version {SCHEMA_VERSION}"
    return schema


def parse_message(payload: Any) -> RiskWarning | Feedback | Seizure:
    """Validate a payload (a JSON value) as a message; :class:`SchemaError` if it is not."""
    try:
        return _ADAPTER.validate_python(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        # Field names come from the sender: shown escaped and cut, since the reason is
        # printed and logged.
        where = ".".join(str(p) for p in first["loc"])
        where = where.encode("unicode_escape").decode("ascii")[:80]
        message_id = payload.get("message_id") if isinstance(payload, dict) else None
        well_formed = isinstance(message_id, str) and re.fullmatch(MESSAGE_ID_PATTERN, message_id)
        raise SchemaError(
            f"not a valid message: {where}: {first['msg']}",
            message_id=message_id if well_formed else None,
        ) from None


_ROLES = (("shipper", "shipper"), ("consignee", "consignee"), ("notify", "notify"),
          ("freight_payer", "freight_payer"))  # fmt: skip


def parties_of(shipments: Sequence[Shipment]) -> list[PartyRef]:
    """The parties of some shipments, in full: each distinct party once, a party whose
    fields differ between bills of lading (one consignee at two addresses) once per
    variant, so that a redaction of the message's party fields covers every value."""
    parties: list[PartyRef] = []
    for shipment in shipments:
        for role, prefix in _ROLES:
            fields = {
                part: getattr(shipment, f"{prefix}_{part}", None)
                for part in ("name", "address", "country", "identifier")
            }
            if all(fields[part] is None for part in ("name", "address", "identifier")):
                continue
            party = PartyRef(role=role, **fields)  # type: ignore[arg-type]
            if party not in parties:
                parties.append(party)
    return parties


def to_warning(
    result: ContainerResult,
    *,
    sender: str,
    recipients: Sequence[str],
    created: dt.datetime,
    valid_for: dt.timedelta = dt.timedelta(days=30),
    category: str | None = None,
    urgency: Urgency = "high",
    message_id: str | None = None,
) -> RiskWarning:
    """A warning about a scored container: its hits become the reasons.

    ``category`` defaults to the first part of the id of the profile with the heaviest
    hit (``narcotics.maritime-trafficking`` gives ``narcotics``; a country's overlay
    ``pk.narcotics.maritime-trafficking`` too: :func:`warning_category`). Parties are included in
    full: redact them per partner (:func:`redact`) before signing.
    """
    hits = sorted(result.hits, key=lambda h: (-h.weight, h.profile_id, h.indicator_id))
    if not hits:
        raise ValueError(f"container {result.key} has no hits: nothing to warn about")
    reasons = list(
        dict.fromkeys(
            Reason(profile_id=h.profile_id, indicator_id=h.indicator_id, explanation=h.explanation)
            for h in hits
        )
    )
    first = result.shipments[0].shipment
    parties = parties_of([s.shipment for s in result.shipments])
    return RiskWarning(
        message_id=message_id or str(uuid.uuid4()),
        sender=sender,
        recipients=list(recipients),
        created=created,
        expires=created + valid_for,
        container_number=result.container_number,
        bl_numbers=list(result.bl_numbers),
        voyage=Voyage(
            vessel_name=first.vessel_name,
            vessel_imo=first.vessel_imo,
            voyage_number=first.voyage_number,
        ),
        route=list(first.route),
        reasons=reasons,
        category=category or warning_category(hits[0].profile_id),
        urgency=urgency,
        score=format(result.score, "f"),
        lane=result.lane,
        parties=parties,
    )


def warning_category(profile_id: str) -> str:
    """What a warning from a hit of profile ``profile_id`` is about, by default: the first
    part of its id, after the country of an overlay (``<country>.<base id>``).

    >>> warning_category("narcotics.maritime-trafficking")
    'narcotics'
    >>> warning_category("pk.narcotics.maritime-trafficking")
    'narcotics'
    """
    parts = profile_id.split(".")
    if len(parts) > 2 and re.fullmatch(r"[a-z]{2}", parts[0]):
        parts = parts[1:]
    return parts[0]


FeedbackResult = Literal["seizure", "irregularity", "nothing_found", "not_inspected"]


def _answering(warning: RiskWarning, sender: str) -> None:
    if sender not in warning.recipients:
        raise ValueError(
            f"warning {warning.message_id} is addressed to {', '.join(warning.recipients)}, "
            f"not to {sender}: only a PCU it warned answers it"
        )


def to_feedback(
    warning: RiskWarning,
    *,
    sender: str,
    created: dt.datetime,
    result: FeedbackResult,
    finding: str | None = None,
    valid_for: dt.timedelta = dt.timedelta(days=30),
    message_id: str | None = None,
) -> Feedback:
    """Feedback on a warning received: what the inspection of its container found, sent
    back to the PCU that warned (``recipients``) and naming the warning (``warning_id``).

    ``inspected`` follows from ``result`` (everything but ``not_inspected``). ``sender``
    must be one of the warning's recipients (``ValueError`` otherwise).
    """
    _answering(warning, sender)
    return Feedback(
        message_id=message_id or str(uuid.uuid4()),
        sender=sender,
        recipients=[warning.sender],
        created=created,
        expires=created + valid_for,
        warning_id=warning.message_id,
        container_number=warning.container_number,
        inspected=result != "not_inspected",
        result=result,
        finding=finding,
    )


def to_seizure(
    warning: RiskWarning | None,
    *,
    sender: str,
    created: dt.datetime,
    goods_category: str,
    quantity: str,
    unit: str,
    concealment: str,
    recipients: Sequence[str] = (),
    container_number: str | None = None,
    photos: Sequence[str] = (),
    valid_for: dt.timedelta = dt.timedelta(days=30),
    message_id: str | None = None,
) -> Seizure:
    """A seizure report. Given the warning that led to it, the report names it
    (``warning_id``), goes to the PCU that warned (and to ``recipients``) and takes its
    container, bills of lading and route; without one, ``recipients`` and
    ``container_number`` say what and to whom."""
    route: list[str] = []
    bls: list[str] = []
    to = list(recipients)
    if warning is not None:
        _answering(warning, sender)
        to = [warning.sender, *(p for p in to if p != warning.sender)]
        container_number = container_number or warning.container_number
        bls, route = list(warning.bl_numbers), list(warning.route)
    return Seizure(
        message_id=message_id or str(uuid.uuid4()),
        sender=sender,
        recipients=to,
        created=created,
        expires=created + valid_for,
        warning_id=None if warning is None else warning.message_id,
        container_number=container_number,
        bl_numbers=bls,
        goods_category=goods_category,
        quantity=quantity,
        unit=unit,
        concealment=concealment,
        route=route,
        photos=list(photos),
    )


def to_party_warning(
    party: PartyRef,
    *,
    sender: str,
    recipients: Sequence[str],
    created: dt.datetime,
    explanation: str,
    category: str,
    valid_for: dt.timedelta = dt.timedelta(days=30),
    urgency: Urgency = "high",
    message_id: str | None = None,
) -> RiskWarning:
    """A warning about a party (a trader, a freight payer), not a container: the
    partner's imports put it in the party watch lists (its name, or its ``name_key``
    when the redaction policy hashes names). ``explanation`` says why, in words."""
    if not (party.name or party.identifier or party.name_key):
        raise ValueError("a party warning names the party (name, identifier or name_key)")
    return RiskWarning(
        message_id=message_id or str(uuid.uuid4()),
        sender=sender,
        recipients=list(recipients),
        created=created,
        expires=created + valid_for,
        reasons=[
            Reason(profile_id="analyst", indicator_id="party-warning", explanation=explanation)
        ],
        category=category,
        urgency=urgency,
        parties=[party],
    )
