"""The UN Security Council consolidated list (``consolidated.xml``, schema
``sc-sanctions.xsd``): ``CONSOLIDATED_LIST`` with ``INDIVIDUALS/INDIVIDUAL`` and
``ENTITIES/ENTITY`` records. Vessels designated by the 1718 Committee (DPRK) carry their
IMO numbers in the entity's comments or aliases (``IMO: 8916293``)."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from riskprofile.lists._common import Problems, imo_in_text, local, parse_date, text_of
from riskprofile.lists._model import Entity, Identifier, IdentifierKind

__all__ = ["TITLE", "read_un"]

TITLE = "UN Security Council consolidated list"

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_DOCUMENTS: dict[str, IdentifierKind] = {
    "PASSPORT": "passport",
    "NATIONAL IDENTIFICATION NUMBER": "national_id",
    "IDENTIFICATION NUMBER": "national_id",
    "TAX IDENTIFICATION NUMBER": "tax_id",
}


class _Kids:
    """An element's children by name (the consolidated list has no namespace), indexed
    once: a record is looked up a dozen times."""

    __slots__ = ("by_name",)

    def __init__(self, element: Element) -> None:
        self.by_name: dict[str, list[Element]] = {}
        for child in element:
            self.by_name.setdefault(local(child.tag), []).append(child)

    def all(self, name: str) -> list[Element]:
        return self.by_name.get(name, [])

    def text(self, name: str) -> str:
        found = self.by_name.get(name)
        return text_of(found[0]) if found else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if local(child.tag) == name]


def _child_text(element: Element, name: str) -> str:
    found = _children(element, name)
    return text_of(found[0]) if found else ""


def read_un(root: Element, problems: Problems) -> tuple[str | None, list[Entity]]:
    """The edition (``dateGenerated``) and the entities of a consolidated list."""
    generated = parse_date(root.get("dateGenerated", ""))
    entities: list[Entity] = []
    for group in root:
        kind = {"INDIVIDUALS": "INDIVIDUAL", "ENTITIES": "ENTITY"}.get(local(group.tag))
        if kind is None:
            continue
        for index, record in enumerate(group, 1):
            if local(record.tag) != kind:
                continue
            entity = _record(record, kind, index, problems)
            if entity is not None:
                entities.append(entity)
    return (generated.isoformat() if generated else None), entities


def _record(element: Element, kind: str, index: int, problems: Problems) -> Entity | None:
    record = _Kids(element)
    record_id = record.text("DATAID") or f"{kind} {index}"
    parts = [record.text(part) for part in _NAME_PARTS]
    name = " ".join(p for p in parts if p)
    aliases: list[str] = []
    weak: list[str] = []
    original = record.text("NAME_ORIGINAL_SCRIPT")
    if original:
        aliases.append(original)
    for alias in record.all(f"{kind}_ALIAS"):
        alias_name = _child_text(alias, "ALIAS_NAME")
        if alias_name:
            quality = _child_text(alias, "QUALITY").lower()
            (weak if quality == "low" else aliases).append(alias_name)
    countries: list[str] = []
    for nationality in record.all("NATIONALITY"):
        for value in _children(nationality, "VALUE"):
            code = problems.country(record_id, "NATIONALITY", text_of(value))
            if code:
                countries.append(code)
    for address in record.all(f"{kind}_ADDRESS"):
        code = problems.country(record_id, f"{kind}_ADDRESS/COUNTRY",
                                _child_text(address, "COUNTRY"))  # fmt: skip
        if code:
            countries.append(code)
    identifiers: list[Identifier] = []
    for document in record.all("INDIVIDUAL_DOCUMENT"):
        number = _child_text(document, "NUMBER")
        if not number:
            continue
        label = _child_text(document, "TYPE_OF_DOCUMENT")
        issuer = _child_text(document, "ISSUING_COUNTRY") or _child_text(
            document, "COUNTRY_OF_ISSUE"
        )
        country = problems.country(record_id, "INDIVIDUAL_DOCUMENT/ISSUING_COUNTRY", issuer)
        id_kind = _DOCUMENTS.get(label.upper(), "other")
        identifiers.append(Identifier(id_kind, number, country, label or None))
    is_vessel = False
    if kind == "ENTITY":
        texts = [("COMMENTS1", record.text("COMMENTS1")), *(
            (f"{kind}_ALIAS", a) for a in aliases)]  # fmt: skip
        for field, text in texts:
            for raw in imo_in_text(text):
                found = problems.imo(record_id, field, raw)
                if found is not None and found not in identifiers:
                    identifiers.append(found)
                    is_vessel = True
    listed = problems.date(record_id, "LISTED_ON", record.text("LISTED_ON"))
    programme = record.text("UN_LIST_TYPE")
    entity = Entity(
        entity_id=record_id,
        kind="person" if kind == "INDIVIDUAL" else "vessel" if is_vessel else "organisation",
        name=name,
        aliases=tuple(dict.fromkeys(a for a in aliases if a != name)),
        weak_aliases=tuple(dict.fromkeys(weak)),
        countries=tuple(sorted(set(countries))),
        identifiers=tuple(identifiers),
        programmes=(programme,) if programme else (),
        listed_since=listed,
        reference=record.text("REFERENCE_NUMBER") or None,
    )
    return problems.named(entity, record_id, "FIRST_NAME")
