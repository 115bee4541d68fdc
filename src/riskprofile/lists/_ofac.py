"""OFAC's advanced sanctions data (``SDN_ADVANCED.XML``, the "advanced" schema of the
Sanctions List Service, published in the ``.../ADVANCED_XML`` namespace and before it in
``http://www.un.org/sanctions/1.0``).

The format is normalised: ``ReferenceValueSets`` name every type by id (party sub-types,
alias types, countries, document types, feature types, sanctions types, lists);
``Locations`` and ``IDRegDocuments`` are top-level tables; each ``DistinctParty`` has one
``Profile`` whose ``Identity`` holds the names; ``SanctionsEntries`` says, by
``ProfileID``, when (``EntryEvent/Date``) and under which programmes
(``SanctionsMeasure`` of type ``Program``) a profile was listed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from xml.etree.ElementTree import Element

from riskprofile.lists._common import Problems, country_code, local, text_of
from riskprofile.lists._model import Entity, EntityKind, Identifier, IdentifierKind

__all__ = ["TITLE", "read_ofac"]

TITLE = "OFAC SDN list"

_KINDS: dict[str, EntityKind] = {
    "Individual": "person",
    "Entity": "organisation",
    "Vessel": "vessel",
    "Aircraft": "aircraft",
}
# Feature types whose value is a country (a reference) or a location (with a country).
_COUNTRY_FEATURES = ("Nationality Country", "Citizenship Country", "Vessel Flag",
                     "Nationality of Registration", "Location")  # fmt: skip


def _kids(element: Element | None, name: str) -> list[Element]:
    return [] if element is None else [c for c in element if local(c.tag) == name]


def _kid(element: Element | None, name: str) -> Element | None:
    found = _kids(element, name)
    return found[0] if found else None


def _date(element: Element | None) -> dt.date | None:
    if element is None:
        return None
    try:
        parts = [int(text_of(_kid(element, part))) for part in ("Year", "Month", "Day")]
        return dt.date(*parts)
    except ValueError:
        return None


class _Refs:
    """The reference value sets, by type and id."""

    def __init__(self, root: Element) -> None:
        self.values: dict[str, dict[str, Element]] = defaultdict(dict)
        for values in _kids(root, "ReferenceValueSets"):
            for group in values:
                for value in group:
                    if value.get("ID") is not None:
                        self.values[local(value.tag)][value.get("ID", "")] = value
        # AreaCode elements carry the ISO code of a CountryID as their text.
        self.iso: dict[str, str] = {}
        for area in self.values["AreaCode"].values():
            if area.get("CountryID") and len(text_of(area)) == 2:
                self.iso.setdefault(area.get("CountryID", ""), text_of(area))

    def text(self, kind: str, ref_id: str | None) -> str:
        return text_of(self.values[kind].get(ref_id or ""))

    def country(self, country_id: str | None, record: str, field: str,
                problems: Problems) -> str | None:  # fmt: skip
        if not country_id:
            return None
        element = self.values["Country"].get(country_id)
        code = (element.get("ISO2") if element is not None else None) or self.iso.get(country_id)
        if code and country_code(code):
            return country_code(code)
        name = text_of(element)
        if not name:
            problems.add(record, field, country_id, "no such CountryID in ReferenceValueSets")
            return None
        if name.lower() == "undetermined":
            return None
        return problems.country(record, field, name)


def read_ofac(root: Element, problems: Problems) -> tuple[str | None, list[Entity]]:
    """The edition (``DateOfIssue``) and the entities of an advanced SDN file."""
    refs = _Refs(root)
    issued = _date(_kid(root, "DateOfIssue"))
    locations = {loc.get("ID", ""): loc for loc in _kids(_kid(root, "Locations"), "Location")}
    documents: dict[str, list[Element]] = defaultdict(list)
    for document in _kids(_kid(root, "IDRegDocuments"), "IDRegDocument"):
        documents[document.get("IdentityID", "")].append(document)
    entries: dict[str, list[Element]] = defaultdict(list)
    for entry in _kids(_kid(root, "SanctionsEntries"), "SanctionsEntry"):
        entries[entry.get("ProfileID", "")].append(entry)
    entities = []
    for party in _kids(_kid(root, "DistinctParties"), "DistinctParty"):
        for profile in _kids(party, "Profile"):
            entity = _profile(profile, refs, locations, documents, entries, problems)
            if entity is not None:
                entities.append(entity)
    return (issued.isoformat() if issued else None), entities


def _names(identity: Element, refs: _Refs, person: bool) -> tuple[list[str], list[str]]:
    """(primary name first, then the other names; low-quality names) of an identity."""
    groups: dict[str, str] = {}
    for group in identity.iter():
        if local(group.tag) == "NamePartGroup":
            groups[group.get("ID", "")] = refs.text("NamePartType", group.get("NamePartTypeID"))
    order = {"First Name": 0, "Middle Name": 1, "Patronymic": 2, "Matronymic": 3,
             "Maiden Name": 4, "Last Name": 5}  # fmt: skip
    primary: list[str] = []
    names: list[str] = []
    weak: list[str] = []
    for alias in _kids(identity, "Alias"):
        for documented in _kids(alias, "DocumentedName"):
            parts = []
            for position, part in enumerate(_kids(documented, "DocumentedNamePart")):
                for value in _kids(part, "NamePartValue"):
                    kind = groups.get(value.get("NamePartGroupID", ""), "")
                    rank = order.get(kind, 9) if person else 0
                    parts.append((rank, position, text_of(value)))
            name = " ".join(text for _, _, text in sorted(parts) if text)
            if not name:
                continue
            if alias.get("LowQuality") == "true":
                weak.append(name)
            elif alias.get("Primary") == "true" and not primary:
                primary.append(name)
            else:
                names.append(name)
    return [*primary, *names], weak


def _profile(
    profile: Element,
    refs: _Refs,
    locations: dict[str, Element],
    documents: dict[str, list[Element]],
    entries: dict[str, list[Element]],
    problems: Problems,
) -> Entity | None:
    record = profile.get("ID", "?")
    sub_type = refs.values["PartySubType"].get(profile.get("PartySubTypeID", ""))
    type_name = text_of(sub_type)
    if type_name in ("Unknown", "") and sub_type is not None:
        type_name = refs.text("PartyType", sub_type.get("PartyTypeID"))
    kind = _KINDS.get(type_name, "other")
    if kind == "other":
        problems.add(record, "Profile/@PartySubTypeID", profile.get("PartySubTypeID", ""),
                     f"party type {type_name or 'unknown'!r} is none of individual, entity, "
                     "vessel, aircraft; kept as 'other'")  # fmt: skip
    names: list[str] = []
    weak: list[str] = []
    identifiers: list[Identifier] = []
    countries: list[str] = []
    for identity in _kids(profile, "Identity"):
        found, low = _names(identity, refs, kind == "person")
        names += found
        weak += low
        for document in documents.get(identity.get("ID", ""), []):
            found_id = _document(document, refs, record, kind, problems)
            if found_id is not None:
                identifiers.append(found_id)
                if found_id.country:
                    countries.append(found_id.country)
    for feature in _kids(profile, "Feature"):
        feature_type = refs.text("FeatureType", feature.get("FeatureTypeID"))
        if feature_type not in _COUNTRY_FEATURES:
            continue
        for version in _kids(feature, "FeatureVersion"):
            for place in _kids(version, "VersionLocation"):
                location = locations.get(place.get("LocationID", ""))
                for country in _kids(location, "LocationCountry"):
                    code = refs.country(country.get("CountryID"), record,
                                        f"Feature {feature_type}", problems)  # fmt: skip
                    if code:
                        countries.append(code)
            for detail in _kids(version, "VersionDetail"):
                name = refs.text("DetailReference", detail.get("DetailReferenceID")) or text_of(
                    detail
                )
                code = problems.country(record, f"Feature {feature_type}", name)
                if code:
                    countries.append(code)
    programmes: list[str] = []
    listed: list[dt.date] = []
    for entry in entries.get(record, []):
        for measure in _kids(entry, "SanctionsMeasure"):
            if refs.text("SanctionsType", measure.get("SanctionsTypeID")) == "Program":
                programme = text_of(_kid(measure, "Comment"))
                if programme:
                    programmes.append(programme)
        for event in _kids(entry, "EntryEvent"):
            day = _date(_kid(event, "Date"))
            if day is not None:
                listed.append(day)
    entity = Entity(
        entity_id=record,
        kind=kind,
        name=names[0] if names else (weak.pop(0) if weak else ""),
        aliases=tuple(dict.fromkeys(n for n in names[1:] if n != names[0])),
        weak_aliases=tuple(dict.fromkeys(weak)),
        countries=tuple(sorted(set(countries))),
        identifiers=tuple(identifiers),
        programmes=tuple(dict.fromkeys(programmes)),
        listed_since=min(listed) if listed else None,
        reference=None,
    )
    return problems.named(entity, record, "Identity/Alias/DocumentedName")


def _id_kind(label: str) -> IdentifierKind:
    text = label.lower()
    if "passport" in text:
        return "passport"
    if "tax" in text or text in ("rfc", "nit", "ruc", "inn", "cuit", "ntn", "vat number"):
        return "tax_id"
    if "registration" in text or "company number" in text or text in ("ogrn", "lei"):
        return "registration"
    if "national id" in text or "identification number" in text or "cedula" in text:
        return "national_id"
    return "other"


def _document(
    document: Element, refs: _Refs, record: str, kind: EntityKind, problems: Problems
) -> Identifier | None:
    number = text_of(_kid(document, "IDRegistrationNo"))
    if not number:
        return None
    label = refs.text("IDRegDocType", document.get("IDRegDocTypeID"))
    country = refs.country(document.get("IssuedBy-CountryID"), record,
                           "IDRegDocument/@IssuedBy-CountryID", problems)  # fmt: skip
    # A vessel's IMO number is its "Vessel Registration Identification" (IMO 9321483).
    if kind == "vessel" and (label == "Vessel Registration Identification" or
                             number.upper().startswith("IMO")):  # fmt: skip
        return problems.imo(record, "IDRegDocument/IDRegistrationNo", number, country)
    return Identifier(_id_kind(label), number, country, label or None)
