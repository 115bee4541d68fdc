"""An imported list written as watch-list files a profile reads (``file:`` of a list,
a CSV with a header whose ``value`` column is compared and whose other columns an
explanation quotes as ``{$list.column}``), beside the entity table and the problems."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from riskprofile.io import csv_cell
from riskprofile.lists._model import Entity, IdentifierKind, ListImport
from riskprofile.model.shipment import normalised_text

__all__ = ["WrittenList", "watch_list_rows", "write_watch_lists"]

NAME_COLUMNS = ("value", "matched_name", "name_type", "entity_id", "kind", "list",
                "programme", "listed_since", "reference")  # fmt: skip
"""The columns of a names list: ``value`` is the name as party names are written (upper
case, blanks folded), ``matched_name`` as the list writes it."""

ID_COLUMNS = ("value", "name", "entity_id", "kind", "country", "list", "programme",
              "listed_since", "reference")  # fmt: skip
"""The columns of an identifier list (IMO numbers, passports, tax ids...)."""

ENTITY_COLUMNS = ("entity_id", "kind", "name", "aliases", "weak_aliases", "countries",
                  "identifiers", "programmes", "listed_since", "reference", "list")  # fmt: skip
"""The columns of the entity table."""

PROBLEM_COLUMNS = ("record", "field", "value", "reason")

# File suffix of each identifier kind written as a watch list of its own.
_ID_FILES: dict[IdentifierKind, str] = {
    "imo": "imo",
    "passport": "passports",
    "national_id": "national_ids",
    "tax_id": "tax_ids",
    "registration": "registrations",
}
_WHAT = {
    "imo": "IMO numbers",
    "passports": "passport numbers",
    "national_ids": "national id numbers",
    "tax_ids": "tax ids",
    "registrations": "registration numbers",
}


@dataclass(frozen=True)
class WrittenList:
    """One file written: what it holds, how many rows (header excluded), and whether it
    is a watch list a profile reads (the names and identifier lists)."""

    path: Path
    what: str
    rows: int
    watch_list: bool = True


def _joined(values: Iterable[str]) -> str:
    return "; ".join(values)


def _cell(value: object) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return str(csv_cell(text))


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def watch_list_rows(imported: ListImport) -> dict[str, list[tuple[str, ...]]]:
    """The rows of each watch list of ``imported``: ``names`` and one list per
    identifier kind that has values (``imo``, ``passports``, ``national_ids``,
    ``tax_ids``, ``registrations``), each sorted by value then entity id, without
    repeated rows."""
    label = imported.list_label
    names: set[tuple[str, ...]] = set()
    ids: dict[str, set[tuple[str, ...]]] = {suffix: set() for suffix in _ID_FILES.values()}
    for entity in imported.entities:
        common = (_joined(entity.programmes), _date(entity), entity.reference or "")
        for name, name_type in _names(entity):
            folded = normalised_text(name)
            if folded:
                names.add((folded, name, name_type, entity.entity_id, entity.kind, label, *common))
        for identifier in entity.identifiers:
            suffix = _ID_FILES.get(identifier.kind)
            value = " ".join(identifier.value.split())
            if suffix is not None and value:
                ids[suffix].add((value, entity.name, entity.entity_id, entity.kind,
                                 identifier.country or "", label, *common))  # fmt: skip
    out = {"names": sorted(names)}
    out.update({suffix: sorted(rows) for suffix, rows in ids.items() if rows})
    return out


def _names(entity: Entity) -> list[tuple[str, str]]:
    names = [(entity.name, "primary")] if entity.name else []
    return [*names, *((a, "alias") for a in entity.aliases)]


def _date(entity: Entity) -> str:
    return entity.listed_since.isoformat() if entity.listed_since else ""


def write_watch_lists(imported: ListImport, folder: str | Path, name: str) -> list[WrittenList]:
    """Write ``imported`` into ``folder`` as ``{name}_entities.csv`` (the entity table),
    ``{name}_names.csv`` (the names list), one ``{name}_{kind}.csv`` per identifier kind
    with values (``{name}_imo.csv``...) and ``{name}_problems.csv`` (what was not used,
    always written, so that an older one is never left beside new lists).

    Identifier lists without values are not written; an older file of that name is
    removed, so that a profile naming it fails to load rather than screen against a
    former edition.
    """
    target = Path(folder)
    written: list[WrittenList] = []

    def write(suffix: str, what: str, header: Sequence[str], rows: list[Sequence[object]]) -> None:
        path = target / f"{name}_{suffix}.csv"
        path.write_text(_csv(header, rows), encoding="utf-8")
        is_list = suffix not in ("entities", "problems")
        written.append(WrittenList(path, what, len(rows), is_list))

    label = imported.list_label
    entity_rows: list[Sequence[object]] = [
        (e.entity_id, e.kind, e.name, _joined(e.aliases), _joined(e.weak_aliases),
         _joined(e.countries),
         _joined(f"{i.kind}:{i.value}" + (f" ({i.country})" if i.country else "")
                 for i in e.identifiers),
         _joined(e.programmes), _date(e), e.reference or "", label)
        for e in imported.entities
    ]  # fmt: skip
    write("entities", "entities", ENTITY_COLUMNS, entity_rows)
    rows = watch_list_rows(imported)
    write("names", "names and aliases", NAME_COLUMNS, list(rows["names"]))
    for suffix in _ID_FILES.values():
        if suffix in rows:
            write(suffix, _WHAT[suffix], ID_COLUMNS, list(rows[suffix]))
        else:
            (target / f"{name}_{suffix}.csv").unlink(missing_ok=True)
    problem_rows: list[Sequence[object]] = [
        (p.record, p.field, p.value, p.reason) for p in imported.problems
    ]
    write("problems", "records or values not used", PROBLEM_COLUMNS, problem_rows)
    return written
