"""Outcomes: what the officers found, fed back so that profiles can be measured.

One outcome record per inspected unit: a container, a bill of lading or a declaration.
Outcome files are read like batches: CSV, JSON, JSON Lines or Parquet, with a column
mapping (the same YAML keys as a batch mapping, with the outcome layout's column names)
when the file's columns are named otherwise. Every record is either read or rejected
with its line, field, value and reason; nothing is dropped silently.

Matching an outcome to the run's units is in :mod:`._matching`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from riskprofile.errors import InputFormatError, MappingError, RecordError
from riskprofile.io import (
    BatchFormat,
    ColumnMapping,
    FieldProblem,
    RejectedRecord,
    csv_text,
    detect_format,
)
from riskprofile.io.shared import (
    DOCUMENT_LIMITS,
    FILE_LIMITS,
    UNCLOSED,
    LinesRead,
    allow_any_csv_cell,
    did_you_mean,
    iter_lines,
    open_table,
    parquet_rows,
    read_document,
    read_mapping_yaml,
    table_mapping,
    unclosed_header,
    unclosed_reason,
    yaml_line,
)
from riskprofile.model.codes import normalise_container_number

__all__ = [
    "OUTCOME_COLUMNS",
    "Outcome",
    "OutcomeColumn",
    "OutcomeReading",
    "SelectedBy",
    "outcome_mapping",
    "read_outcomes",
    "render_outcome_layout",
    "require_outcome",
]

SelectedBy = Literal["score", "forced", "control", "other"]
"""How an inspected unit was chosen: by its score, forced by a hit (watch list), in the
random control sample, or otherwise (intelligence, an officer's choice)."""

SELECTED_BY: tuple[SelectedBy, ...] = ("score", "forced", "control", "other")

# Words administrations use for each way of selecting, folded to lower case.
_WORDS: dict[SelectedBy, tuple[str, ...]] = {
    "score": ("score", "scored", "risk", "risk score", "profile", "criteria", "selectivity",
              "targeted", "target"),
    "forced": ("forced", "force", "watch list", "watchlist", "mandatory", "alert"),
    "control": ("control", "control sample", "random", "random sample", "qc",
                "quality control"),
    "other": ("other", "manual", "officer", "intelligence", "tip", "tip-off"),
}  # fmt: skip
_SELECTED_BY_WORDS: dict[str, SelectedBy] = {w: r for r, words in _WORDS.items() for w in words}

_TRUE = frozenset({"yes", "y", "true", "t", "1", "1.0", "x", "ja", "oui", "si", "found",
                   "positive", "seizure", "seized"})  # fmt: skip
_FALSE = frozenset({"no", "n", "false", "f", "0", "0.0", "nil", "none", "negative", "clean",
                    "not found", "no finding"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one inspection (or the note that a unit was not inspected).

    Attributes:
        unit: what was inspected: a unit key as in a :class:`~riskprofile.ScoringRun`
            (``<manifest_ref>/<container_number>``), a container number, or a bill of
            lading (or declaration) number.
        inspected: the unit was inspected (a document check, scan or physical exam).
        finding: something was found; False when not inspected.
        selected_by: why it was inspected: ``score``, ``forced``, ``control`` (the random
            control sample) or ``other``; None when not recorded.
        category: what was found, e.g. ``drugs``, ``precursors``, ``weapons``,
            ``wildlife``, ``ipr``, ``revenue``.
        quantity: as reported (``"120 kg"``, or ``"120"`` and ``quantity_unit``); seizure: seized.
        date: the inspection date.
        source_line: where in the outcome file (line, row or position), when read from one.
        container_number: the container number, when the file gives it apart from ``unit``.
        bl_number: the bill of lading number, when the file gives it apart from ``unit``.

    >>> Outcome("PCIU6784682", inspected=True, finding=True, selected_by="score").finding
    True
    """

    unit: str
    inspected: bool
    finding: bool
    selected_by: SelectedBy | None = None
    category: str | None = None
    quantity: str | None = None
    date: dt.date | None = None
    source_line: int | None = None
    container_number: str | None = None
    bl_number: str | None = None
    quantity_unit: str | None = None
    seizure: bool | None = None

    def __post_init__(self) -> None:
        if self.finding and not self.inspected:
            raise ValueError(f"outcome {self.unit!r}: a finding needs an inspection")
        if self.seizure and not self.finding:
            raise ValueError(f"outcome {self.unit!r}: a seizure needs a finding")
        if self.selected_by is not None and self.selected_by not in SELECTED_BY:
            raise ValueError(
                f"outcome {self.unit!r}: selected_by must be one of {', '.join(SELECTED_BY)}, "
                f"not {self.selected_by!r}"
            )


def require_outcome(outcome: object, number: int) -> Outcome:
    """``outcome`` if it is an :class:`Outcome`; else the error that says how to make one
    (``number``: its place among the outcomes given)."""
    if not isinstance(outcome, Outcome):
        raise RecordError(
            f"not an Outcome ({type(outcome).__name__}): read outcomes with "
            "read_outcomes(...) or make Outcome(...) records",
            record=number,
        )
    return outcome


# --- the layout ----------------------------------------------------------------------------

OutcomeKind = Literal["text", "bool", "date", "selected_by"]


@dataclass(frozen=True, slots=True)
class OutcomeColumn:
    """One column of the outcome layout."""

    name: str
    kind: OutcomeKind
    description: str


OUTCOME_COLUMNS: tuple[OutcomeColumn, ...] = (
    OutcomeColumn("unit", "text", "Unit key as in a scoring run (`<manifest_ref>/<container>`), "
                  "a container number, or a B/L or declaration number."),
    OutcomeColumn("container_number", "text", "Container number (matched when `unit` is absent)."),
    OutcomeColumn("bl_number", "text", "Bill of lading or declaration number (matched last)."),
    OutcomeColumn("inspected", "bool", "Inspected: yes/no, y/n, true/false, 1/0."),
    OutcomeColumn("selected_by", "selected_by", "Why: score, forced, control (random sample) "
                  "or other; also random, watch list, manual."),
    OutcomeColumn("finding", "bool", "Something was found: yes/no, y/n, true/false, 1/0 "
                  "(empty means no when not inspected)."),
    OutcomeColumn("category", "text", "What was found: drugs, precursors, weapons, wildlife, "
                  "ipr, revenue, ..."),
    OutcomeColumn("quantity", "text", "How much, as reported (`120 kg`), or the number alone."),
    OutcomeColumn("quantity_unit", "text", "The unit of `quantity` when apart (`kg`, `pieces`)."),
    OutcomeColumn("seizure", "bool", "What was found was seized: yes/no (empty: not said)."),
    OutcomeColumn("date", "date", "Inspection date (ISO 8601, or the mapping's date_format)."),
)  # fmt: skip
"""The outcome layout: our column names, as used in an outcome column mapping."""

_BY_NAME = {c.name: c for c in OUTCOME_COLUMNS}
_NAMES = [c.name for c in OUTCOME_COLUMNS]


def render_outcome_layout() -> str:
    """The outcome layout as a Markdown table (in ``docs/evaluation.md``)."""
    lines = ["| column | kind | description |", "| --- | --- | --- |"]
    for c in OUTCOME_COLUMNS:
        kind = "text" if c.kind == "selected_by" else c.kind
        lines.append(f"| `{c.name}` | {kind} | {c.description} |")
    return "\n".join(lines) + "\n"


def outcome_mapping(
    data: Mapping[str, Any], *, source: str | None = None, node: yaml.Node | None = None
) -> ColumnMapping:
    """A column mapping for outcome files, from a dict as in a mapping file.

    The keys are those of a batch mapping (``columns``, ``defaults``, ``delimiter``,
    ``encoding``, ``date_format``, ...); ``columns`` and ``defaults`` name outcome columns
    (:data:`OUTCOME_COLUMNS`). Errors name the mapping file, the line and a likely fix.
    """
    if not isinstance(data, Mapping):
        raise MappingError("a mapping file must be a YAML mapping of options", path=source)
    # The batch mapping checks every option but the column names, which are ours here.
    options = {k: v for k, v in data.items() if k not in ("columns", "defaults")}
    base = ColumnMapping.from_dict(options, source=source, node=node)
    columns: dict[str, str | tuple[str, ...]] = {}
    defaults: dict[str, str] = {}
    for section in ("columns", "defaults"):
        raw = data.get(section) or {}
        if not isinstance(raw, Mapping):
            raise MappingError(
                f"{section!r} must map outcome column names to "
                + ("the file's column names" if section == "columns" else "values"),
                path=source,
                line=yaml_line(node, section),
            )
        for ours, value in raw.items():
            line = yaml_line(node, section, str(ours))
            if ours not in _BY_NAME:
                raise MappingError(
                    f"{ours!r} is not a column of the outcome layout",
                    path=source,
                    line=line,
                    suggestion=did_you_mean(str(ours), _NAMES),
                )
            if section == "columns":
                if not isinstance(value, str) or not value:
                    raise MappingError(
                        f"{ours!r} must name a column of the file (text)", path=source, line=line
                    )
                columns[ours] = value
            else:
                if not isinstance(value, str | int | float | bool):
                    raise MappingError(
                        f"the default for {ours!r} must be a single value", path=source, line=line
                    )
                defaults[ours] = str(value).lower() if isinstance(value, bool) else str(value)
    return replace(base, columns=columns, defaults=defaults)


def _mapping_from_file(path: str | Path) -> ColumnMapping:
    data, node = read_mapping_yaml(path)
    return outcome_mapping(data, source=str(path), node=node)


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeReading:
    """What reading an outcome file gave: the outcomes and every rejected record.

    ``len(outcomes) + len(rejected) == records_read`` always.

    Attributes:
        source: the file read.
        outcomes: the records read, in file order.
        rejected: the records that could not be used, each with its line (row, position),
            field, value and reason.
        records_read: records in the file.
        record_unit: what a record number counts: ``line``, ``row`` or ``record``.
        ignored_columns: columns the layout and the mapping do not use.
    """

    source: str
    outcomes: tuple[Outcome, ...]
    rejected: tuple[RejectedRecord, ...]
    records_read: int
    record_unit: str = "line"
    ignored_columns: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __len__(self) -> int:
        return len(self.outcomes)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_bool(value: Any) -> bool | None:
    """Lenient yes/no: ``yes``/``no``, ``y``/``n``, ``true``/``false``, ``1``/``0`` (any
    case); None when the value is none of them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = " ".join(str(value).strip().lower().split())
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def parse_selected_by(value: Any) -> SelectedBy | None:
    """``score``, ``forced``, ``control`` or ``other`` from the words administrations use
    (``random`` is the control sample, ``watch list`` forced, ``manual`` other); None when
    not recognised."""
    text = " ".join(str(value).strip().lower().replace("_", " ").split())
    return _SELECTED_BY_WORDS.get(text)


class _RowReader:
    """Turn rows (file column -> cell) into outcomes through a mapping."""

    def __init__(self, mapping: ColumnMapping, header: list[str], source: str) -> None:
        self.mapping = mapping
        self.source = source
        present = set(header)
        self.sources: dict[str, str] = {}
        for column in OUTCOME_COLUMNS:
            wanted = mapping.columns.get(column.name, column.name)
            assert isinstance(wanted, str)
            if wanted in present:
                self.sources[column.name] = wanted
            elif column.name in mapping.columns:
                hint = did_you_mean(wanted, header)
                raise InputFormatError(
                    f"column {wanted!r} (mapped to {column.name!r}"
                    + (f" in {mapping.source}" if mapping.source else "")
                    + ") is not in the file"
                    + (f"; {hint}" if hint else ""),
                    path=source,
                )
        keys = {"unit", "container_number", "bl_number"}
        if not keys & (set(self.sources) | set(mapping.defaults)):
            hint = next(
                (h for name in ("unit", "container_number", "bl_number")
                 if (h := did_you_mean(name, header))),
                None,
            )  # fmt: skip
            raise InputFormatError(
                "the file has no unit, container_number or bl_number column "
                "(name one in an outcome column mapping)" + (f"; {hint}" if hint else ""),
                path=source,
            )
        if "inspected" not in self.sources and "inspected" not in mapping.defaults:
            raise InputFormatError(
                "the file has no inspected column (name it in an outcome column mapping, "
                "or give a default: `defaults: {inspected: yes}` when every record was "
                "inspected)" + (f"; {h}" if (h := did_you_mean("inspected", header)) else ""),
                path=source,
            )
        used = set(self.sources.values())
        self.ignored_columns = tuple(h for h in header if h not in used)
        self.outcomes: list[Outcome] = []
        self.rejected: list[RejectedRecord] = []
        self.records_read = 0

    def _shown(self, ours: str) -> str:
        theirs = self.sources.get(ours)
        return f"{theirs} ({ours})" if theirs is not None and theirs != ours else ours

    def _cell(self, ours: str, row: Mapping[str, Any]) -> Any:
        theirs = self.sources.get(ours)
        value = row.get(theirs) if theirs is not None else None
        if _empty(value):
            value = self.mapping.defaults.get(ours)
        if _empty(value):
            return None
        return value.strip() if isinstance(value, str) else value

    def add(self, line: int, row: Mapping[str, Any]) -> None:
        self.records_read += 1
        problems: list[FieldProblem] = []
        values: dict[str, Any] = {}
        for column in OUTCOME_COLUMNS:
            raw = self._cell(column.name, row)
            if raw is None:
                values[column.name] = None
                continue
            if column.kind == "bool":
                parsed: Any = parse_bool(raw)
                if parsed is None:
                    problems.append(
                        FieldProblem(self._shown(column.name), _text(raw),
                                     "not a yes/no value (yes/no, y/n, true/false, 1/0)")
                    )  # fmt: skip
            elif column.kind == "selected_by":
                parsed = parse_selected_by(raw)
                if parsed is None:
                    problems.append(
                        FieldProblem(self._shown(column.name), _text(raw),
                                     "not a selection reason (score, forced, control, other)")
                    )  # fmt: skip
            elif column.kind == "date":
                parsed = _parse_date(raw, self.mapping.date_format)
                if parsed is None:
                    fmt = self.mapping.date_format or "ISO 8601, YYYY-MM-DD"
                    problems.append(
                        FieldProblem(self._shown(column.name), _text(raw), f"not a date ({fmt})")
                    )
            else:
                parsed = str(raw).strip()
            values[column.name] = parsed
        number = values["container_number"]
        if number is not None:
            values["container_number"] = normalise_container_number(number) or number
        unit = values["unit"] or values["container_number"] or values["bl_number"]
        if unit is None:
            problems.append(
                FieldProblem(self._shown("unit"), None,
                             "an outcome needs a unit, a container number or a B/L number")
            )  # fmt: skip
        inspected, finding = values["inspected"], values["finding"]
        if inspected is None and not any(p.field == self._shown("inspected") for p in problems):
            problems.append(FieldProblem(self._shown("inspected"), None, "missing (yes or no)"))
        if (
            inspected is True
            and finding is None
            and not any(p.field == self._shown("finding") for p in problems)
        ):
            problems.append(
                FieldProblem(self._shown("finding"), None,
                             "an inspected unit needs its finding (yes or no)")
            )  # fmt: skip
        if inspected is False and finding is True:
            problems.append(
                FieldProblem(self._shown("finding"), _text(self._cell("finding", row)),
                             "a finding on a unit that was not inspected")
            )  # fmt: skip
        if values["seizure"] is True and finding is not True:
            unfound = FieldProblem(self._shown("seizure"), "yes", "a seizure needs a finding")
            problems.append(unfound)
        if problems:
            self.rejected.append(RejectedRecord(self.source, line, tuple(problems)))
            return
        assert unit is not None
        self.outcomes.append(
            Outcome(
                unit=unit,
                inspected=bool(inspected),
                finding=bool(finding) if inspected else False,
                selected_by=values["selected_by"],
                category=values["category"],
                quantity=values["quantity"],
                date=values["date"],
                source_line=line,
                container_number=values["container_number"],
                bl_number=values["bl_number"],
                quantity_unit=values["quantity_unit"],
                seizure=values["seizure"],
            )
        )


def _reject(reader: _RowReader, number: int, reason: str) -> None:
    reader.records_read += 1
    reader.rejected.append(
        RejectedRecord(reader.source, number, (FieldProblem(None, None, reason),))
    )


def _record(reader: _RowReader, number: int, record: Any) -> None:
    """Read one record of any format (a row, a JSON object, or what could not be one)."""
    if isinstance(record, _Bad):
        _reject(reader, number, record.reason)
    elif not isinstance(record, dict):
        _reject(reader, number, "an outcome must be an object of column names and values")
    elif UNCLOSED in record:
        _reject(reader, number, unclosed_reason(number, record[UNCLOSED]))
    elif "__extra__" in record:
        extra = ", ".join(map(repr, record["__extra__"]))
        _reject(reader, number, f"more cells than header columns: {extra}")
    else:
        reader.add(number, record)


def _text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _parse_date(value: Any, fmt: str | None) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if fmt:
            return dt.datetime.strptime(text, fmt).date()
        if len(text) > 10:
            return dt.datetime.fromisoformat(text).date()
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _csv_records(
    path: Path, mapping: ColumnMapping, source: str
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    # The file policies every tabular reader shares (riskprofile.io._tabular).
    delimiter = table_mapping(path, mapping).delimiter
    try:
        with open_table(path, mapping, source) as handle:
            text = handle.read()
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            f"not {mapping.encoding} text ({exc.reason} at byte {exc.start}); "
            "set 'encoding' in the column mapping",
            path=source,
        ) from None
    allow_any_csv_cell()
    lines = LinesRead(io.StringIO(text, newline=""))
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputFormatError("the file is empty (no header row)", path=source) from None
    except csv.Error as exc:
        raise InputFormatError(f"cannot read the header: {exc}", path=source) from None
    if lines.ended:
        raise unclosed_header(reader.line_num, source)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        line = reader.line_num
        while True:
            start = line + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputFormatError(f"line {start}: {exc}", path=source) from None
            line = reader.line_num
            if lines.ended:
                yield start, {UNCLOSED: line}
                return
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                yield start, {"__extra__": [c for c in cells[len(header) :] if c.strip()]}
                continue
            # Cells marked as text against spreadsheet formulas (riskprofile.io.csv_cell)
            # lose their quote.
            yield start, dict(zip(header, map(csv_text, cells), strict=False))

    return header, rows()


def _json_records(path: Path, fmt: BatchFormat, source: str) -> list[tuple[int, Any]]:
    if fmt == "jsonl":
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputFormatError(f"cannot open: {exc.strerror or exc}", path=source) from None
        out: list[tuple[int, Any]] = []
        with handle:
            for line in iter_lines(handle, DOCUMENT_LIMITS):
                if line.error is not None:
                    out.append((line.number, _Bad(line.error.reason)))
                else:
                    out.append((line.number, line.value))
        return out
    data = read_document(path, FILE_LIMITS)
    if isinstance(data, dict) and isinstance(data.get("outcomes"), list):
        data = data["outcomes"]
    if not isinstance(data, list):
        raise InputFormatError(
            "expected a list of outcome objects or {'outcomes': [...]}", path=source
        )
    return list(enumerate(data, start=1))


@dataclass(frozen=True, slots=True)
class _Bad:
    reason: str


@dataclass(frozen=True, slots=True)
class _Opened:
    """An outcome file opened: its mapping, header and records (read lazily)."""

    source: str
    format: BatchFormat
    mapping: ColumnMapping
    header: list[str]
    records: Iterable[tuple[int, Any]]
    record_unit: str


def _open(
    path: str | Path, mapping: ColumnMapping | str | Path | None, format: BatchFormat | None
) -> _Opened:
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputFormatError("no such file", path=source)
    fmt = format or detect_format(path)
    if fmt == "edifact":
        raise InputFormatError(
            "outcomes are read from CSV, Parquet, JSON or JSON Lines, not EDIFACT", path=source
        )
    if mapping is None:
        resolved = ColumnMapping.identity()
    elif isinstance(mapping, ColumnMapping):
        resolved = mapping
    else:
        resolved = _mapping_from_file(mapping)
    unit = "line"
    records: Iterable[tuple[int, Any]]
    if fmt == "csv":
        header, records = _csv_records(path, resolved, source)
    elif fmt == "parquet":
        header, records = parquet_rows(path, source)
        unit = "row"
    else:
        records = _json_records(path, fmt, source)
        unit = "line" if fmt == "jsonl" else "record"
        keys: dict[str, None] = {}
        for _, doc in records:
            if isinstance(doc, dict):
                keys.update(dict.fromkeys(str(k) for k in doc))
        header = list(keys)
    return _Opened(source, fmt, resolved, header, records, unit)


def read_outcomes(
    path: str | Path,
    mapping: ColumnMapping | str | Path | None = None,
    *,
    format: BatchFormat | None = None,
) -> OutcomeReading:
    """Read an outcome file: CSV, JSON (a list of objects, or ``{"outcomes": [...]}``),
    JSON Lines or Parquet, one record per inspected (or not inspected) unit.

    Args:
        path: the file.
        mapping: an outcome :class:`~riskprofile.ColumnMapping` (see
            :func:`outcome_mapping`) or the path of its YAML file, when the columns (or
            the JSON keys) are not named as in :data:`OUTCOME_COLUMNS`.
        format: ``csv``, ``json``, ``jsonl`` or ``parquet``; from the file name when
            omitted.

    Returns:
        An :class:`OutcomeReading`: every record is either an outcome or rejected with its
        line, field, value and reason.

    Raises:
        InputFormatError: the file cannot be read at all, or it lacks a unit or an
            inspected column (and the mapping gives no default).
        MappingError: the mapping file is invalid.

    >>> reading = read_outcomes("examples/data/karachi-sample.outcomes.csv")
    >>> reading.records_read == len(reading.outcomes) + len(reading.rejected)
    True
    """
    opened = _open(path, mapping, format)
    reader = _RowReader(opened.mapping, opened.header, opened.source)
    for number, record in opened.records:
        _record(reader, number, record)
    source, unit = opened.source, opened.record_unit
    return OutcomeReading(
        source=source,
        outcomes=tuple(reader.outcomes),
        rejected=tuple(reader.rejected),
        records_read=reader.records_read,
        record_unit=unit,
        ignored_columns=reader.ignored_columns,
    )
