"""The normalised entity table every official list is read into.

Each format (the UN consolidated list, the EU financial sanctions file, OFAC's advanced
SDN XML, FollowTheMoney JSON lines) has its own way of writing a designated party; the
readers turn each into one :class:`Entity`, so that what is written from it (the watch
lists a profile uses) does not depend on the format it came in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

__all__ = ["Entity", "EntityKind", "Identifier", "IdentifierKind", "ImportProblem", "ListImport"]

EntityKind = Literal["person", "organisation", "vessel", "aircraft", "other"]
"""What a listed party is."""

IdentifierKind = Literal["imo", "passport", "national_id", "tax_id", "registration", "other"]
"""The kinds of identifier written as watch lists of their own (``other`` is kept in the
entity table only)."""


@dataclass(frozen=True, slots=True)
class Identifier:
    """One identifier of a listed party.

    Attributes:
        kind: what it is; an ``imo`` value is a valid IMO ship number (7 digits, check
            digit right).
        value: the number as the list writes it (an IMO number as its 7 digits).
        country: the ISO 3166 alpha-2 code of the issuing country, when known.
        label: the document type as the list names it (``National passport``).
    """

    kind: IdentifierKind
    value: str
    country: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Entity:
    """One designated party of an official list, in one shape whatever its format.

    Attributes:
        entity_id: the list's own id for it (UN DATAID, EU logical id, OFAC profile id,
            FollowTheMoney id).
        kind: person, organisation, vessel, aircraft or other.
        name: its primary name, as listed.
        aliases: its other names (a.k.a., f.k.a., names in their original script).
        weak_aliases: names the list itself marks as low quality (short nicknames,
            ``Abu Ahmad``): kept in the entity table, never written to a names list, where
            they would match too much.
        countries: ISO 3166 alpha-2 codes of its nationality, citizenship, addresses or
            flag, sorted.
        identifiers: its identifiers (IMO number, passport, tax id...).
        programmes: the sanctions programmes or regimes it is listed under (``DPRK``,
            ``RUSSIA-EO14024``), as the list names them.
        listed_since: the date it was first listed, when the list says.
        reference: the list's public reference (UN ``KPe.029``, EU ``EU.27.28``), when
            it has one beside the id.
    """

    entity_id: str
    kind: EntityKind
    name: str
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    programmes: tuple[str, ...] = ()
    listed_since: dt.date | None = None
    reference: str | None = None

    def imo_numbers(self) -> tuple[str, ...]:
        """Its IMO ship numbers."""
        return tuple(i.value for i in self.identifiers if i.kind == "imo")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """Something of the file that could not be used, and why: a whole record (an entity
    without a name) or one value of it (an IMO number with a wrong check digit, a
    country name no ISO code is known for). The entity is kept when only a value is
    dropped.

    Attributes:
        record: the list's id of the record (or ``line 12`` for a JSON line without one).
        field: the element, attribute or property the value was in.
        value: the value as written (shortened when long).
        reason: what is wrong with it, in words.
    """

    record: str
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"record {self.record}, {self.field} {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class ListImport:
    """An official list file read into the entity table.

    Attributes:
        source: the format it was read as: ``un``, ``eu``, ``ofac`` or ``ftm``.
        title: the list's name for people (``UN Security Council consolidated list``).
        edition: the list's own publication date (ISO ``YYYY-MM-DD``), None when the
            file does not say (FollowTheMoney lines without ``last_change``).
        path: the file read.
        entities: the designated parties, in the file's order.
        problems: what could not be used, each with its reason.
    """

    source: str
    title: str
    edition: str | None
    path: str
    entities: tuple[Entity, ...]
    problems: tuple[ImportProblem, ...]

    def with_programmes(self, programmes: Iterable[str]) -> ListImport:
        """Only the entities listed under one of ``programmes`` (compared without regard
        to case: ``dprk`` is ``DPRK``); the problems are kept.

        Raises:
            ValueError: a programme no entity of the list is listed under (the message
                names the programmes the list has).
        """
        wanted = {p.strip().casefold() for p in programmes}
        known = {p.casefold(): p for e in self.entities for p in e.programmes}
        unknown = sorted(wanted - known.keys())
        if unknown:
            have = ", ".join(sorted(set(known.values()))[:40]) or "none"
            raise ValueError(
                f"no entity of the {self.title} is listed under {', '.join(unknown)}; "
                f"its programmes: {have}"
            )
        kept = tuple(e for e in self.entities if wanted & {p.casefold() for p in e.programmes})
        return replace(self, entities=kept)

    @property
    def list_label(self) -> str:
        """The list and its edition, as written in the ``list`` column of the watch
        lists (``UN Security Council consolidated list, 2026-11-02``)."""
        return f"{self.title}, {self.edition or 'edition unknown'}"
