"""The EU financial sanctions file (FSF, the ``export`` format of
``http://eu.europa.ec/fpi/fsd/export``): ``export`` with one ``sanctionEntity`` per
designated party, whose names, regulations, citizenships, addresses and identification
documents are child elements with attributes."""

from __future__ import annotations

import datetime as dt
from xml.etree.ElementTree import Element

from riskprofile.lists._common import Problems, imo_in_text, local, parse_date, text_of
from riskprofile.lists._model import Entity, EntityKind, Identifier, IdentifierKind

__all__ = ["TITLE", "read_eu"]

TITLE = "EU financial sanctions file"

_KINDS: dict[str, EntityKind] = {
    "person": "person",
    "enterprise": "organisation",
    "vessel": "vessel",
    "aircraft": "aircraft",
}
_DOCUMENTS: dict[str, IdentifierKind] = {
    "passport": "passport",
    "id": "national_id",
    "nationalid": "national_id",
    "fiscalcode": "tax_id",
    "tax": "tax_id",
    "taxid": "tax_id",
    "regnumber": "registration",
    "companyreg": "registration",
    "imo": "imo",
}


def read_eu(root: Element, problems: Problems) -> tuple[str | None, list[Entity]]:
    """The edition (``generationDate``) and the entities of an FSF export."""
    generated = parse_date(root.get("generationDate", ""))
    entities = []
    for index, record in enumerate(root, 1):
        if local(record.tag) == "sanctionEntity":
            entity = _record(record, index, problems)
            if entity is not None:
                entities.append(entity)
    return (generated.isoformat() if generated else None), entities


def _whole_name(alias: Element) -> str:
    whole = " ".join(alias.get("wholeName", "").split())
    if whole:
        return whole
    parts = (alias.get(p, "") for p in ("firstName", "middleName", "lastName"))
    return " ".join(" ".join(parts).split())


def _record(record: Element, index: int, problems: Problems) -> Entity | None:
    record_id = (
        record.get("logicalId") or record.get("euReferenceNumber") or f"sanctionEntity {index}"
    )
    kind: EntityKind = "other"
    names: list[str] = []
    weak: list[str] = []
    programmes: list[str] = []
    published: list[dt.date] = []
    countries: list[str] = []
    identifiers: list[Identifier] = []
    remarks: list[str] = []
    for child in record:
        name = local(child.tag)
        if name == "subjectType":
            code = child.get("code", "")
            kind = _KINDS.get(code.lower(), "other")
            if code.lower() not in _KINDS:
                problems.add(record_id, "subjectType/@code", code,
                             "not a subject type of the FSF schema (person, enterprise); "
                             "kept as 'other'")  # fmt: skip
        elif name == "nameAlias":
            whole = _whole_name(child)
            if whole:
                (weak if child.get("strong", "true") == "false" else names).append(whole)
        elif name == "regulation":
            if child.get("programme"):
                programmes.append(child.get("programme", ""))
            day = problems.date(record_id, "regulation/@publicationDate",
                                child.get("publicationDate", ""))  # fmt: skip
            if day is not None:
                published.append(day)
        elif name in ("citizenship", "address"):
            code = child.get("countryIso2Code", "") or child.get("countryDescription", "")
            if code and code != "00":
                found = problems.country(record_id, f"{name}/@countryIso2Code", code)
                if found:
                    countries.append(found)
        elif name == "identification":
            number = " ".join(child.get("number", "").split())
            if not number:
                continue
            type_code = child.get("identificationTypeCode", "")
            id_kind = _DOCUMENTS.get(type_code.lower(), "other")
            issuer = child.get("countryIso2Code", "")
            country = problems.country(record_id, "identification/@countryIso2Code",
                                       issuer) if issuer and issuer != "00" else None  # fmt: skip
            label = child.get("identificationTypeDescription") or type_code or None
            if id_kind == "imo":
                found_imo = problems.imo(record_id, "identification/@number", number, country)
                if found_imo is not None:
                    identifiers.append(found_imo)
            else:
                identifiers.append(Identifier(id_kind, number, country, label))
        elif name == "remark":
            remarks.append(text_of(child))
    if kind != "person":
        for raw in (n for text in remarks for n in imo_in_text(text)):
            found_imo = problems.imo(record_id, "remark", raw)
            if found_imo is not None and found_imo.value not in {i.value for i in identifiers}:
                identifiers.append(found_imo)
    if kind == "organisation" and any(i.kind == "imo" for i in identifiers):
        kind = "vessel"  # the FSF has no vessel subject type: a ship is an "enterprise"
    if not names and weak:  # only weak names: the first is still the one listed
        names.append(weak.pop(0))
    designated = problems.date(record_id, "@designationDate", record.get("designationDate", ""))
    listed = designated or (min(published) if published else None)
    entity = Entity(
        entity_id=record_id,
        kind=kind,
        name=names[0] if names else "",
        aliases=tuple(dict.fromkeys(n for n in names[1:] if n != names[0])),
        weak_aliases=tuple(dict.fromkeys(weak)),
        countries=tuple(sorted(set(countries))),
        identifiers=tuple(identifiers),
        programmes=tuple(dict.fromkeys(programmes)),
        listed_since=listed,
        reference=record.get("euReferenceNumber") or None,
    )
    return problems.named(entity, record_id, "nameAlias/@wholeName")
