"""Every data-quality flag of a batch, with where it is: what ``data check --flags`` lists.

A flag (:class:`~riskprofile.QualityFlag`) sits on the model that holds the field at
fault; this module walks the manifests read from a file and says, for each flag, the
record it came from (a CSV line, a Parquet row, a JSON Lines line, a manifest of a JSON
array), the container (or bill of lading) it concerns, the column of the file (for
JSON, the path in the document) and the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskprofile.io._layout import ColumnMapping
from riskprofile.io._read import ManifestReading
from riskprofile.io._table import _LOCATIONS, FlagSource, TableReader
from riskprofile.model.manifest import Manifest
from riskprofile.model.shared import RecordModel

if TYPE_CHECKING:
    from riskprofile.io._frame import FrameBatch

__all__ = ["FlagRecord", "flag_records", "frame_flag_records"]

_PARTIES = ("shipper", "consignee", "notify_party", "freight_payer")
_PART = re.compile(r"[^.\[\]]+|\[(\d+)\]")
# A conflict between two rows names the row that disagrees (see TableReader._conflicts).
_CONFLICT_RECORD = re.compile(r"^record (\d+) says ")


@dataclass(frozen=True, slots=True)
class FlagRecord:
    """One data-quality flag and where it is.

    Attributes:
        record: the record it came from, in the batch's ``record_unit`` (null when the
            reader cannot tell).
        container: the container number it concerns (null for a voyage-level flag or a
            bill of lading without a container).
        bl_number: the bill of lading it concerns, if any.
        column: the file's column (``Curr (goods_currency)`` when a mapping renames it),
            or the path in a JSON document (``consignments[0].goods[1].currency``).
        code: the flag's code (``check_digit``, ``unknown_currency``, ``missing``...).
        value: the offending value as text (null when the problem is an absence).
        message: the explanation for people.
    """

    record: int | None
    container: str | None
    bl_number: str | None
    column: str
    code: str
    value: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "record": self.record,
            "container": self.container,
            "bl_number": self.bl_number,
            "column": self.column,
            "code": self.code,
            "value": self.value,
            "message": self.message,
        }


def _loc(field: str) -> tuple[str | int, ...]:
    """``"transshipment_ports[1]"`` -> ``("transshipment_ports", 1)``."""
    return tuple(
        int(m.group(1)) if m.group(1) is not None else m.group(0) for m in _PART.finditer(field)
    )


def _json_path(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


@dataclass(frozen=True, slots=True)
class _Where:
    """What a walk knows about a model: its JSON path, the flat layout's group and the
    model path inside that group's model, the container and B/L it concerns."""

    path: tuple[str | int, ...]
    group: str
    inner: tuple[str | int, ...]
    container: str | None
    bl_number: str | None


def _walk(manifest: Manifest) -> Iterator[tuple[RecordModel, RecordModel, _Where]]:
    """(model, the model its lines are kept for, where) for every model of a manifest."""
    yield manifest, manifest, _Where((), "voyage", (), None, None)
    for i, consignment in enumerate(manifest.consignments):
        boxes = consignment.container_numbers
        box = boxes[0] if len(boxes) == 1 else None
        here = ("consignments", i)
        bl = consignment.bl_number
        yield consignment, consignment, _Where(here, "bill_of_lading", (), box, bl)
        for role in _PARTIES:
            party = getattr(consignment, role)
            if party is not None:
                where = _Where((*here, role), "bill_of_lading", (role,), box, bl)
                yield party, consignment, where
        for j, item in enumerate(consignment.goods):
            where = _Where((*here, "goods", j), "goods", (), item.container_number or box, bl)
            yield item, item, where
    for k, container in enumerate(manifest.containers):
        here = ("containers", k)
        yield container, container, _Where(here, "container", (), container.number, None)
        for m, seal in enumerate(container.seals):
            where = _Where((*here, "seals", m), "container", ("seals", m), container.number, None)
            yield seal, container, where


def _our_column(group: str, loc: tuple[str | int, ...]) -> str | None:
    path = tuple(p for p in loc if isinstance(p, str))
    if group == "bill_of_lading" and path[:1] == ("container_numbers",):
        return "container_number"  # a B/L's containers are the rows' container column
    while path:
        column = _LOCATIONS[group].get(path)
        if column is not None:
            return column.name
        path = path[:-1]
    return None


def flag_records(reading: ManifestReading, manifests: Iterable[Manifest]) -> list[FlagRecord]:
    """Every flag of ``manifests`` (read, in order, through ``reading``) with its record,
    container, column and value, in file order of the manifests and, within one, voyage,
    bills of lading (parties, goods), then containers (seals)."""
    return _flag_records(reading._table, reading.record_numbers, manifests)


def frame_flag_records(
    batch: FrameBatch, mapping: ColumnMapping | str | Path | None = None
) -> list[FlagRecord] | None:
    """What :func:`flag_records` lists for the file ``batch`` was read from
    (:func:`~riskprofile.io.read_frame`, with ``mapping``), the model path reading only
    the records of the flagged bills of lading and containers; None when that could
    differ from reading the whole file (then read it with
    :func:`~riskprofile.io.read_manifests`)."""
    from riskprofile.io._frame.shared import flagged_manifests

    found = flagged_manifests(batch, mapping)
    if found is None:
        return None
    table, manifests = found
    return _flag_records(table, [], manifests)


def _flag_records(
    table: TableReader | None, numbers: list[int], manifests: Iterable[Manifest]
) -> list[FlagRecord]:
    out: list[FlagRecord] = []
    seen: set[tuple[Any, ...]] = set()
    for index, manifest in enumerate(manifests):
        for model, owner, where in _walk(manifest):
            for flag in model.quality_flags:
                loc = (*where.inner, *_loc(flag.field))
                container = where.container
                record: int | None
                if table is None:  # JSON: one record per manifest
                    record = numbers[index] if index < len(numbers) else None
                    column = _json_path((*where.path, *_loc(flag.field)))
                else:
                    source: FlagSource | None = table.flag_sources.get(id(owner))
                    ours = _our_column(where.group, loc)
                    record = source.line_of(ours) if source is not None else None
                    column = table._shown(ours) if ours is not None else flag.field
                    if loc[:1] == ("container_numbers",) and flag.value is not None:
                        # One of a B/L's containers: the row that named it.
                        container = flag.value
                        if source is not None:
                            record = source.container_lines.get(flag.value, record)
                conflict = _CONFLICT_RECORD.match(flag.message)
                if conflict is not None and flag.code == "inconsistent":
                    record = int(conflict.group(1))
                found = FlagRecord(
                    record=record,
                    container=container,
                    bl_number=where.bl_number,
                    column=column,
                    code=flag.code,
                    value=flag.value,
                    message=flag.message,
                )
                # A goods line, its B/L and its container flag one wrong number three
                # times over: list it once.
                key = (record, found.container, column, flag.code, flag.value)
                if key not in seen:
                    seen.add(key)
                    out.append(found)
    return out
