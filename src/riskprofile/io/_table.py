"""Flat tables (CSV, Parquet) in: rows grouped back into manifests.

Reading works in two phases. While rows stream in, each goods line is validated at once
and the voyage, bill-of-lading and container columns are merged into their groups (the
first non-empty value wins; a different non-empty value later is a conflict). When the
file ends, each group is validated once; a group that fails rejects every row that
carries it, because every such row repeats the bad value. Only the validated models are
kept, never the raw rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from riskprofile.errors import InputFormatError, RecordError
from riskprofile.io._batch import FieldProblem, RejectedRecord, problems_from_validation
from riskprofile.io._layout import COLUMN_BY_NAME, COLUMNS, Column, ColumnMapping, did_you_mean
from riskprofile.io._tabular import UNCLOSED, UNDECODABLE, unclosed_reason
from riskprofile.model import QualityFlag, Strictness, validation_context
from riskprofile.model.codes import normalise_container_number
from riskprofile.model.manifest import Consignment, Container, GoodsItem, Manifest
from riskprofile.model.shared import RecordModel, is_extra_field, parse_extra_cell

__all__ = ["FlagSource", "TableReader", "custom_cell", "list_parts"]

_GROUP_COLUMNS = {
    group: [c for c in COLUMNS if c.group == group]
    for group in ("voyage", "bill_of_lading", "container", "goods")
}
# Model location (without list indexes) -> our column, to name the column at fault.
_LOCATIONS: dict[str, dict[tuple[str, ...], Column]] = {
    group: {c.path: c for c in cols} for group, cols in _GROUP_COLUMNS.items()
}
# A goods line's container number comes from the row's container column.
_LOCATIONS["goods"][("container_number",)] = COLUMN_BY_NAME["container_number"]
_POSITIONAL = frozenset({"seal_numbers", "seal_sealers"})


@dataclass
class Group:
    """A voyage, bill of lading or container being assembled from rows."""

    raw: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, int] = field(default_factory=dict)  # column -> line that gave it
    lines: list[int] = field(default_factory=list)
    conflicts: list[tuple[int, str, Any, Any, int]] = field(default_factory=list)

    def merge(self, line: int, values: dict[str, Any]) -> None:
        self.lines.append(line)
        for column, value in values.items():
            if value is None:
                continue
            if column not in self.raw:
                self.raw[column] = value
                self.origin[column] = line
            elif self.raw[column] != value:
                self.conflicts.append((line, column, value, self.raw[column], self.origin[column]))


@dataclass
class _Bill:
    header: Group = field(default_factory=Group)
    goods: list[tuple[int, GoodsItem]] = field(default_factory=list)
    containers: dict[str, None] = field(default_factory=dict)  # ordered set
    rows: list[tuple[int, str | None]] = field(default_factory=list)  # (line, container)


@dataclass
class _Call:
    header: Group = field(default_factory=Group)
    bills: dict[str, _Bill] = field(default_factory=dict)
    containers: dict[str, Group] = field(default_factory=dict)
    declared: set[str] = field(default_factory=set)
    bare_container_lines: dict[str, list[int]] = field(default_factory=dict)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def list_parts(cell: str, separator: str, *, positional: bool) -> list[str | None]:
    """A list cell's items as a flat file's reader takes them: split at ``separator``,
    each stripped; an empty place is kept (None) only where places pair up by position
    (seal numbers and their sealers), else dropped. A blank cell has no item."""
    if not cell.strip():
        return []
    parts = [p.strip() for p in cell.split(separator)]
    return [p or None for p in parts if positional or p]


def custom_cell(value: Any) -> Any:
    """A custom field's cell as a B/L merges it: as given, blank is nothing."""
    return None if _empty(value) else value


class TableReader:
    """Assemble manifests from flat rows that follow the layout through a mapping."""

    def __init__(
        self,
        mapping: ColumnMapping,
        strictness: Strictness,
        header: list[str],
        source: str,
    ) -> None:
        self.mapping = mapping
        self.strictness = strictness
        self.context = validation_context(strictness)
        self.source = source
        self.problems: dict[int, list[FieldProblem]] = {}
        # Rejected line -> (B/L number, container number), as far as the row gives them.
        self.units: dict[int, tuple[str | None, str | None]] = {}
        # Where each flagged model's values came from (see ``_note_source``).
        self.flag_sources: dict[int, FlagSource] = {}
        self.rows_read = 0
        self.calls: dict[tuple[str, ...], _Call] = {}
        self._check_header(header)

    # --- header --------------------------------------------------------------------------

    def _check_header(self, header: list[str]) -> None:
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise InputFormatError(
                    f"column {name!r} appears twice in the header", path=self.source
                )
            seen.add(name)
        present = set(header)
        self.sources: dict[str, tuple[str, ...]] = {}
        for column in COLUMNS:
            wanted = self.mapping.source_columns(column.name)
            found = tuple(w for w in wanted if w in present)
            explicit = column.name in self.mapping.columns
            missing = [w for w in wanted if w not in present]
            if explicit and missing:
                raise InputFormatError(
                    f"column {missing[0]!r} (mapped to {column.name!r}"
                    + (f" in {self.mapping.source}" if self.mapping.source else "")
                    + ") is not in the file"
                    + (f"; {s}" if (s := did_you_mean(missing[0], list(header))) else ""),
                    path=self.source,
                )
            if found:
                self.sources[column.name] = found
        if not (
            {"bl_number", "container_number"} & (set(self.sources) | set(self.mapping.defaults))
        ):
            hint = did_you_mean("bl_number", list(header)) or did_you_mean(
                "container_number", list(header)
            )
            raise InputFormatError(
                "the file has neither a bl_number nor a container_number column "
                "(name them in a column mapping)" + (f"; {hint}" if hint else ""),
                path=self.source,
            )
        for custom in self.mapping.extra:
            if custom.column not in present:
                raise InputFormatError(
                    f"column {custom.column!r} (custom field {custom.field!r}"
                    + (f" in {self.mapping.source}" if self.mapping.source else "")
                    + ") is not in the file"
                    + (f"; {s}" if (s := did_you_mean(custom.column, list(header))) else ""),
                    path=self.source,
                )
            self.sources[custom.field] = (custom.column,)
        used = {name for names in self.sources.values() for name in names}
        self.ignored_columns = [h for h in header if h not in used]
        # Per group: (column, its one source column, whether a plain text cell needs no
        # further work: no default, no list, no number or date conversion).
        self.plans: dict[str, list[tuple[Column, str | None, bool]]] = {}
        for group, columns in _GROUP_COLUMNS.items():
            plan = []
            for column in columns:
                names = self.sources.get(column.name, ())
                simple = (
                    len(names) == 1
                    and column.name not in self.mapping.defaults
                    and column.kind in ("text", "bool", "integer", "number", "date", "datetime")
                    and not (column.kind in ("number", "integer") and self.mapping.decimal_comma)
                    and not (column.kind == "date" and self.mapping.date_format)
                    and not (column.kind == "datetime" and self.mapping.datetime_format)
                )
                plan.append((column, names[0] if names else None, simple))
            self.plans[group] = plan

    # --- rows --------------------------------------------------------------------------

    def column_value(self, column: Column, row: dict[str, Any]) -> Any:
        names = self.sources.get(column.name, ())
        if column.kind == "list":
            sep = self.mapping.list_separator
            # Seal numbers and sealers pair up by position: keep empty places in one cell.
            positional = column.name in _POSITIONAL and len(names) == 1
            items: list[Any] = []
            for name in names:
                cell = row.get(name)
                if isinstance(cell, list | tuple):
                    items.extend(c for c in cell if positional or not _empty(c))
                elif not _empty(cell):
                    items.extend(list_parts(str(cell), sep, positional=positional))
            if not items and column.name in self.mapping.defaults:
                default = self.mapping.defaults[column.name]
                items = [p.strip() for p in default.split(self.mapping.list_separator) if p.strip()]
            return items or None
        value = row.get(names[0]) if names else None
        if _empty(value):
            value = self.mapping.defaults.get(column.name)
        if _empty(value):
            return None
        if isinstance(value, str):
            value = value.strip()
            if column.kind in ("number", "integer") and self.mapping.decimal_comma:
                value = value.replace(".", "").replace(" ", "").replace(",", ".")
            elif column.kind == "date" and self.mapping.date_format:
                value = _parse_time(value, self.mapping.date_format, date_only=True)
            elif column.kind == "datetime" and self.mapping.datetime_format:
                value = _parse_time(value, self.mapping.datetime_format, date_only=False)
        return value

    def group_values(self, group: str, row: dict[str, Any]) -> dict[str, Any]:
        # The hot loop of a read: most cells are plain text or empty, so those are
        # handled inline and only the rest goes through _value.
        out: dict[str, Any] = {}
        for column, source, simple in self.plans[group]:
            if source is not None and simple:
                value = row.get(source)
                if value is None or value == "":
                    out[column.name] = None
                    continue
                if type(value) is str:
                    value = value.strip()
                    out[column.name] = value or None
                    continue
            out[column.name] = self.column_value(column, row)
        return out

    def _note_source(
        self, model: RecordModel, group: str, grp: Group, containers: dict[str, int] | None = None
    ) -> None:
        """Remember the lines a model carrying data-quality flags (itself, or a party or
        seal in it) was built from, for ``data check --flags``. Only flagged models are
        kept, so that a clean batch is not held in memory."""
        nested = [getattr(model, n, None) for n in ("shipper", "consignee", "notify_party",
                                                    "freight_payer")]  # fmt: skip
        nested += list(getattr(model, "seals", ()))
        if model.quality_flags or any(m is not None and m.quality_flags for m in nested):
            self.flag_sources[id(model)] = FlagSource(
                model, group, dict(grp.origin), list(grp.lines), containers or {}
            )

    def _reject(self, line: int, problems: Iterable[FieldProblem]) -> None:
        known = self.problems.setdefault(line, [])
        known.extend(p for p in problems if p not in known)

    def _column_name(self, group: str, loc: tuple[int | str, ...]) -> str | None:
        path = tuple(p for p in loc if isinstance(p, str))
        while path:
            column = _LOCATIONS[group].get(path)
            if column is not None:
                return self._shown(column.name)
            path = path[:-1]
        return None

    def _shown(self, ours: str) -> str:
        names = self.sources.get(ours)
        if names and names[0] != ours:
            return f"{names[0]} ({ours})"
        return ours

    def add(self, line: int, row: dict[str, Any]) -> None:
        """Take one row (file column name -> cell)."""
        self.rows_read += 1
        if UNDECODABLE in row:
            column, shown = row[UNDECODABLE]
            reason = (
                f"not {row['__encoding__']} text (the bytes shown as \\xNN); if the file is "
                "in another encoding, set 'encoding' in the column mapping"
            )
            self._reject(line, [FieldProblem(self._shown(column), shown, reason)])
            return
        if UNCLOSED in row:
            reason = unclosed_reason(line, row[UNCLOSED])
            self._reject(line, [FieldProblem(None, None, reason)])
            return
        if "__extra__" in row:
            extra = ", ".join(map(repr, row["__extra__"]))
            self._reject(
                line, [FieldProblem(None, None, f"more cells than header columns: {extra}")]
            )
            return
        voyage = self.group_values("voyage", row)
        bill = self.group_values("bill_of_lading", row)
        for custom in self.mapping.extra:  # the cells as given, typed once per B/L
            cell = row.get(custom.column)
            bill[custom.field] = custom_cell(cell)
        box = self.group_values("container", row)
        goods = self.group_values("goods", row)
        bl_number = bill["bl_number"]
        number = box["container_number"]
        has_goods = any(v is not None for v in goods.values())
        if bl_number is None and number is None:
            reason = "a row needs a bill of lading or a container number"
            self._reject(line, [FieldProblem(self._shown("bl_number"), None, reason)])
            return
        if bl_number is None and has_goods:
            reason = "a goods line needs a bill of lading number"
            self._reject(line, [FieldProblem(self._shown("bl_number"), None, reason)])
            return
        if number is not None:
            # The model's own normalisation, so that "CSQU 305438 3" and "CSQU3054383" on
            # two rows are one container.
            number = normalise_container_number(str(number)) or str(number)
            box["container_number"] = number
        item: GoodsItem | None = None
        if has_goods:
            goods_doc = nest("goods", goods)
            if number is not None:
                goods_doc["container_number"] = number
            try:
                item = GoodsItem.model_validate(goods_doc, context=self.context)
            except RecordError as exc:
                # Rejected before any of its values reach the groups.
                self._reject(
                    line, problems_from_validation(exc, lambda loc: self._column_name("goods", loc))
                )
                self.units[line] = (None if bl_number is None else str(bl_number), number)
                return
            self._note_source(item, "goods", Group(lines=[line]))
        key = tuple(str(voyage[c]).upper() if voyage[c] is not None else "" for c in
                    ("vessel_imo", "vessel_name", "voyage_number", "port_of_call"))  # fmt: skip
        call = self.calls.setdefault(key, _Call())
        call.header.merge(line, voyage)
        if number is not None:
            group = call.containers.setdefault(number, Group())
            equipment = {k: v for k, v in box.items() if k != "container_number"}
            if any(v is not None for v in equipment.values()):
                call.declared.add(number)
            group.merge(line, box)
        if bl_number is None:
            assert number is not None
            call.bare_container_lines.setdefault(number, []).append(line)
            return
        bl_key = "".join(str(bl_number).split()).upper()
        record = call.bills.setdefault(bl_key, _Bill())
        record.header.merge(line, bill)
        record.rows.append((line, number))
        if number is not None:
            record.containers.setdefault(number)
        if item is not None:
            record.goods.append((line, item))

    # --- assembly ----------------------------------------------------------------------

    def _validate_group(
        self, model: type[BaseModel], group: str, grp: Group, doc: dict[str, Any]
    ) -> tuple[Any, list[FieldProblem]]:
        try:
            return model.model_validate(doc, context=self.context), []
        except RecordError as exc:
            return None, problems_from_validation(exc, lambda loc: self._column_name(group, loc))

    def _custom_fields(self, grp: Group) -> tuple[dict[str, Any], list[QualityFlag]]:
        """A B/L's custom fields, typed, and a flag for each cell its type cannot hold
        (in either mode: the record is kept, the field null)."""
        values: dict[str, Any] = {}
        flags: list[QualityFlag] = []
        for custom in self.mapping.extra:
            cell = grp.raw.get(custom.field)
            value, problem = parse_extra_cell(
                custom,
                cell,
                list_separator=self.mapping.list_separator,
                decimal_comma=self.mapping.decimal_comma,
                date_format=self.mapping.date_format,
            )
            values[custom.name] = value
            if problem is not None:
                line = grp.origin.get(custom.field)
                flags.append(
                    QualityFlag(
                        field=custom.field,
                        code="invalid_value",
                        value=str(cell),
                        message=f"{problem} (column {custom.column!r}, record {line}; "
                        "the field is null)",
                    )
                )
        return values, flags

    def _conflicts(self, grp: Group) -> tuple[dict[int, list[FieldProblem]], list[QualityFlag]]:
        by_line: dict[int, list[FieldProblem]] = {}
        flags: list[QualityFlag] = []
        for line, column, value, first, first_line in grp.conflicts:
            reason = f"differs from {first!r} on record {first_line} for the same key"
            by_line.setdefault(line, []).append(
                FieldProblem(self._shown(column), str(value), reason)
            )
            path = COLUMN_BY_NAME[column].path if column in COLUMN_BY_NAME else (column,)
            flags.append(
                QualityFlag(
                    field=".".join(path),
                    code="inconsistent",
                    value=str(value),
                    message=f"record {line} says {value!r}, record {first_line} said {first!r}",
                )
            )
        return by_line, flags

    def finish(self) -> Iterator[Manifest]:
        """Validate the groups and yield the manifests, in first-seen order."""
        strict = self.strictness == "strict"
        for call in self.calls.values():
            yield from self.finish_call(call, strict)
            self.note_units(call)

    def note_units(self, call: _Call) -> None:
        """Remember the B/L and container of each rejected row of ``call``."""
        for bill in call.bills.values():
            bl = bill.header.raw.get("bl_number")
            for line, number in bill.rows:
                if line in self.problems:
                    self.units.setdefault(line, (None if bl is None else str(bl), number))
        for number, lines in call.bare_container_lines.items():
            for line in lines:
                if line in self.problems:
                    self.units.setdefault(line, (None, number))

    def rejected_records(self) -> list[RejectedRecord]:
        """Every rejected row, in line order, with its reasons and its unit."""
        out = []
        for line, problems in sorted(self.problems.items()):
            bl, number = self.units.get(line, (None, None))
            out.append(
                RejectedRecord(
                    self.source,
                    line,
                    tuple(problems),
                    (number,) if number else (),
                    (bl,) if bl else (),
                )
            )
        return out

    def finish_call(self, call: _Call, strict: bool) -> Iterator[Manifest]:
        header_doc = nest("voyage", call.header.raw)
        header, problems = self._validate_group(Manifest, "voyage", call.header, header_doc)
        conflict_rows, call_flags = self._conflicts(call.header)
        if header is None:
            for line in call.header.lines:
                self._reject(line, problems)
            return
        bad_lines: set[int] = set()
        if strict:
            for line, found in conflict_rows.items():
                self._reject(line, found)
                bad_lines.add(line)

        containers: dict[str, Container] = {}
        bad_containers: set[str] = set()
        noted: list[tuple[RecordModel, str, Group, dict[str, int] | None]] = []
        for number, grp in call.containers.items():
            doc = _container_doc(grp.raw)
            box, problems = self._validate_group(Container, "container", grp, doc)
            rows, flags = self._conflicts(grp)
            if box is None:
                bad_containers.add(number)
                for line in grp.lines:
                    self._reject(line, problems)
                continue
            if strict and rows:
                for line, found in rows.items():
                    self._reject(line, found)
                    bad_lines.add(line)
            if not strict:
                box._add_flags(flags)
            noted.append((box, "container", grp, None))
            containers[number] = box

        consignments = []
        for bill in call.bills.values():
            doc = nest("bill_of_lading", bill.header.raw)
            doc["extra"], custom_flags = self._custom_fields(bill.header)
            consignment, problems = self._validate_group(
                Consignment, "bill_of_lading", bill.header, doc
            )
            rows, flags = self._conflicts(bill.header)
            if consignment is None:
                for line in bill.header.lines:
                    self._reject(line, problems)
                continue
            if strict:
                for line, found in rows.items():
                    self._reject(line, found)
                    bad_lines.add(line)
            if not strict:
                consignment._add_flags(flags)
            consignment._add_flags(custom_flags)
            kept_lines = {
                line for line, number in bill.rows
                if line not in bad_lines and line not in self.problems
                and (number is None or number not in bad_containers)
            }  # fmt: skip
            lost = [line for line, _ in bill.rows if line not in kept_lines]
            if not kept_lines:
                continue
            consignment.goods.extend(item for line, item in bill.goods if line in kept_lines)
            consignment.container_numbers.extend(
                number for line, number in bill.rows
                if line in kept_lines and number is not None
                and number not in consignment.container_numbers
            )  # fmt: skip
            if lost:
                consignment._add_flags(
                    [
                        QualityFlag(
                            field="goods",
                            code="incomplete",
                            value=None,
                            message=f"records {', '.join(map(str, lost))} of this bill of lading "
                            "were rejected",
                        )
                    ]
                )
            first_lines: dict[str, int] = {}
            for line, box_number in bill.rows:
                if box_number is not None:
                    first_lines.setdefault(box_number, line)
            noted.append((consignment, "bill_of_lading", bill.header, first_lines))
            consignments.append(consignment)

        if not consignments and all(line in self.problems for line in call.header.lines):
            return
        # Containers in first-seen order: those with equipment data, and those that no
        # surviving B/L names (the row said they are on board, data or not).
        named = {n for c in consignments for n in c.container_numbers}
        declared = []
        for number, group in call.containers.items():
            if number not in containers:
                continue
            if number in call.declared:
                keep = not all(line in self.problems for line in group.lines)
            else:
                lines = call.bare_container_lines.get(number, [])
                keep = number not in named and any(line not in self.problems for line in lines)
            if keep:
                declared.append(containers[number])
        manifest = Manifest.model_validate(
            {**header_doc, "consignments": consignments, "containers": declared},
            context=self.context,
        )
        if not strict:
            manifest._add_flags(call_flags)
        # Once the manifest is built: it flags its consignments and containers too.
        for model, layout_group, grp, named_at in [(manifest, "voyage", call.header, None), *noted]:
            self._note_source(model, layout_group, grp, named_at)
        yield manifest


@dataclass(frozen=True, slots=True)
class FlagSource:
    """Where a flagged model of a flat file came from: its layout group (``voyage``,
    ``bill_of_lading``, ``container``, ``goods``), the line (row) that gave each of our
    columns, and every line it was built from."""

    model: RecordModel
    group: str
    origin: dict[str, int]
    lines: list[int]
    container_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, column: str | None) -> int | None:
        """The line that gave ``column`` (our name), else the first line."""
        if column is not None and column in self.origin:
            return self.origin[column]
        return self.lines[0] if self.lines else None


def _parse_time(value: str, fmt: str, *, date_only: bool) -> Any:
    try:
        parsed = datetime.strptime(value, fmt)  # naive means UTC, as in the model
    except ValueError:
        return value  # left to the model, which names the field and the value
    return parsed.date() if date_only else parsed


def nest(group: str, values: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or is_extra_field(name):  # custom fields: _custom_fields
            continue
        path = COLUMN_BY_NAME[name].path
        if len(path) == 1:
            doc[path[0]] = value
        else:
            doc.setdefault(path[0], {})[path[1]] = value
    return doc


def _container_doc(raw: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for name in ("container_number", "container_size_type", "container_full",
                 "verified_gross_mass_kg", "tare_kg", "container_reefer_celsius"):  # fmt: skip
        if raw.get(name) is not None:
            doc[COLUMN_BY_NAME[name].path[0]] = raw[name]
    numbers = list(raw.get("seal_numbers") or [])
    sealers = list(raw.get("seal_sealers") or [])
    if numbers or sealers:
        seals = []
        for i in range(max(len(numbers), len(sealers))):
            seal: dict[str, Any] = {}
            if i < len(numbers) and numbers[i] is not None:
                seal["number"] = numbers[i]
            if i < len(sealers) and sealers[i] is not None:
                seal["sealer"] = sealers[i]
            seals.append(seal)
        doc["seals"] = seals
    return doc
