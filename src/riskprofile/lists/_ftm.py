"""FollowTheMoney entities as JSON lines (OpenSanctions' ``entities.ftm.json`` and
``targets.nested.json``): one JSON object a line, ``{"id", "schema", "properties":
{name: [values]}}``.

The parties (``Person``, ``Organization``, ``Company``, ``LegalEntity``, ``PublicBody``,
``Vessel``, ``Airplane``) become entities. A ``Sanction`` adds its programme and date to
the party its ``entity`` property names, an ``Identification`` or ``Passport`` its
number to its ``holder``; in the nested export both come inside the party
(``properties.sanctions``, ``properties.identification``). Every other line (addresses,
ownerships, family links) is reported as not used.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from riskprofile.lists._common import Problems, parse_date
from riskprofile.lists._model import Entity, EntityKind, Identifier, IdentifierKind

__all__ = ["TITLE", "read_ftm"]

TITLE = "FollowTheMoney entities"

_KINDS: dict[str, EntityKind] = {
    "Person": "person",
    "Organization": "organisation",
    "Company": "organisation",
    "LegalEntity": "organisation",
    "PublicBody": "organisation",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
_COUNTRIES = ("country", "nationality", "citizenship", "jurisdiction", "flag", "mainCountry")
_IDENTIFIERS: dict[str, IdentifierKind] = {
    "imoNumber": "imo",
    "passportNumber": "passport",
    "idNumber": "national_id",
    "taxNumber": "tax_id",
    "innCode": "tax_id",
    "vatCode": "tax_id",
    "registrationNumber": "registration",
    "ogrnCode": "registration",
    "leiCode": "registration",
}


@dataclass
class _Party:
    line: int
    data: dict[str, Any]
    programmes: list[str] = field(default_factory=list)
    dates: list[dt.date] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)


def _values(props: dict[str, Any], name: str) -> list[str]:
    raw = props.get(name, [])
    if not isinstance(raw, list):
        raw = [raw]
    return [" ".join(v.split()) for v in raw if isinstance(v, str) and v.strip()]


def read_ftm(text: str, problems: Problems) -> tuple[str | None, list[Entity]]:
    """The edition (the latest ``last_change``) and the entities of FtM JSON lines."""
    parties: dict[str, _Party] = {}
    links: list[tuple[int, dict[str, Any]]] = []
    changes: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as exc:
            problems.add(f"line {number}", "line", line, f"not a JSON object: {exc}")
            continue
        if not isinstance(data, dict) or not isinstance(data.get("properties", {}), dict):
            problems.add(f"line {number}", "line", line,
                         "not a FollowTheMoney entity (an object with properties)")  # fmt: skip
            continue
        record = str(data.get("id") or f"line {number}")
        schema = str(data.get("schema", ""))
        if isinstance(data.get("last_change"), str):
            changes.append(data["last_change"])
        if schema in _KINDS:
            if record in parties:
                reason = f"the id is used again on line {number}; that line not used"
                problems.add(record, "id", record, reason)
                continue
            parties[record] = _Party(number, data)
        elif schema in ("Sanction", "Identification", "Passport"):
            links.append((number, data))
        else:
            problems.add(record, "schema", schema,
                         "not a party that is screened (person, organisation, company, "
                         "vessel, airplane); not used")  # fmt: skip
    for party in parties.values():  # the nested export: links inside the party
        props = party.data.get("properties", {})
        for name in ("sanctions", "identification", "passport"):
            for nested in props.get(name, []) if isinstance(props.get(name), list) else []:
                if isinstance(nested, dict):
                    _link(party, nested, problems)
    for number, data in links:
        props = data.get("properties", {})
        target = (_values(props, "entity") or _values(props, "holder") or [""])[0]
        linked = parties.get(target)
        if linked is None:
            problems.add(str(data.get("id") or f"line {number}"), "entity", target,
                         "names no party of the file; not used")  # fmt: skip
            continue
        _link(linked, data, problems)
    edition = max((d for d in map(parse_date, changes) if d), default=None)
    entities = [e for p in parties.values() if (e := _entity(p, problems)) is not None]
    return (edition.isoformat() if edition else None), entities


def _link(party: _Party, data: dict[str, Any], problems: Problems) -> None:
    props = data.get("properties", {})
    if not isinstance(props, dict):
        return
    record = str(data.get("id") or party.data.get("id"))
    if data.get("schema") == "Sanction":
        party.programmes += _values(props, "program") or _values(props, "programId")
        for name in ("listingDate", "startDate"):
            for raw in _values(props, name):
                day = problems.date(record, name, raw)
                if day is not None:
                    party.dates.append(day)
        return
    kind: IdentifierKind = "passport" if data.get("schema") == "Passport" else "national_id"
    label = next(iter(_values(props, "type")), None)
    country = next((c for raw in _values(props, "country")
                    if (c := problems.country(record, "country", raw))), None)  # fmt: skip
    for number in _values(props, "number"):
        party.identifiers.append(Identifier(kind, number, country, label))


def _entity(party: _Party, problems: Problems) -> Entity | None:
    data = party.data
    record = str(data.get("id") or f"line {party.line}")
    props = data.get("properties", {})
    kind = _KINDS[str(data.get("schema"))]
    names = _values(props, "name")
    aliases = [*names[1:], *_values(props, "alias"), *_values(props, "previousName")]
    countries = [c for prop in _COUNTRIES for raw in _values(props, prop)
                 if (c := problems.country(record, prop, raw))]  # fmt: skip
    identifiers = list(party.identifiers)
    for prop, id_kind in _IDENTIFIERS.items():
        for raw in _values(props, prop):
            if id_kind == "imo":
                found = problems.imo(record, prop, raw)
                if found is not None:
                    identifiers.append(found)
            else:
                identifiers.append(Identifier(id_kind, raw, None, prop))
    programmes = party.programmes or _values(props, "program")
    if not programmes and isinstance(data.get("datasets"), list):
        programmes = [str(d) for d in data["datasets"]]
    entity = Entity(
        entity_id=record,
        kind=kind,
        name=names[0] if names else "",
        aliases=tuple(dict.fromkeys(a for a in aliases if a not in names[:1])),
        weak_aliases=tuple(dict.fromkeys(_values(props, "weakAlias"))),
        countries=tuple(sorted(set(countries))),
        identifiers=tuple(dict.fromkeys(identifiers)),
        programmes=tuple(dict.fromkeys(programmes)),
        listed_since=min(party.dates) if party.dates else None,
        reference=None,
    )
    return problems.named(entity, record, "name")
