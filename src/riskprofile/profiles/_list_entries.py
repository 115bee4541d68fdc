"""Watch-list entries, written in the profile or read from a list file (CSV/TSV/JSON/text
beside the profile, read once per load and bounded by :data:`MAX_LIST_FILE_BYTES` and
:data:`MAX_LIST_BYTES`), and a list's entries checked and normalised as its field is
written when the profile compiles (:func:`_finish_list`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.io import csv_text
from riskprofile.profiles._compiled import CompiledList, ListEntry, Location
from riskprofile.profiles._lists import STANDARD_COLUMNS, FieldFormat, field_format, parse_expiry
from riskprofile.profiles._schema import ListChange, ListItem, WatchList
from riskprofile.profiles._sources import _Errors, _location, _Origin, _Source, file_digest
from riskprofile.profiles._yaml import Position

__all__ = ["MAX_LIST_BYTES", "MAX_LIST_FILE_BYTES"]


MAX_LIST_FILE_BYTES = 5 * 1024 * 1024
"""A watch-list CSV file larger than this is refused."""


MAX_LIST_BYTES = 32 * 1024 * 1024
"""All the watch-list files of a profile set together: a file counts once for every list
that names it (each list holds its own copy of the values)."""


def _list_entries(
    watch: WatchList | ListChange,
    source: _Source,
    path: tuple[str | int, ...],
    errors: _Errors,
    kind: str | None = None,
) -> tuple[ListEntry, ...] | None:
    """A list's entries as written (values not yet normalised), or None (the problems
    reported) when the list cannot be read."""
    doc = source.doc
    if kind is None:
        kind = watch.type if isinstance(watch, WatchList) else "string"
    if isinstance(watch, WatchList) and watch.file is not None:
        read = _list_file_rows(watch.file, source, path, errors)
        if read is None:
            return None
        # A file named by several lists is made into entries once (they are immutable).
        target, rows = read
        if (target, kind) not in errors.list_entries:
            from_file = _file_items(target, rows)
            errors.list_entries[target, kind] = _make_entries(from_file, kind, path, errors)
        return errors.list_entries[target, kind]
    if isinstance(watch, ListChange):
        key = "extend" if watch.extend is not None else "replace"
        raw_items = watch.extend if watch.extend is not None else watch.replace
    else:
        key, raw_items = "values", watch.values
    items: list[tuple[Any, Mapping[str, str], Location]] = []
    for index, item in enumerate(raw_items or []):
        at: tuple[str | int, ...] = (*path, key, index)
        columns: dict[str, str] = {}
        value: Any = item
        value_at = at
        if isinstance(item, ListItem):
            value, value_at = item.value, (*at, "value")
            for column in STANDARD_COLUMNS[1:]:
                given = getattr(item, column)
                if given is not None:
                    # As typed: YAML reads 2026-11-03 as a date.
                    columns[column] = doc.raw.get((*at, column)) or str(given)
        if kind == "string":
            # An unquoted 07 or 0701 in YAML is a number; keep what was typed.
            value = doc.raw.get(value_at, value)
        position = doc.position(value_at) or Position(1, 1)
        items.append((value, columns, Location(source.path, position.line, position.column)))
    return _make_entries(items, kind, path, errors)


def _make_entries(
    items: list[tuple[Any, Mapping[str, str], Location]],
    kind: str,
    path: tuple[str | int, ...],
    errors: _Errors,
) -> tuple[ListEntry, ...] | None:
    """Entries of (value as written, columns, location) items: expiry parsed, numbers of
    a number list checked; None (the problems reported) when one is wrong."""
    out: list[ListEntry] = []
    ok = True
    for value, columns, location in items:
        expires = None
        if columns.get("expires"):
            try:
                expires = parse_expiry(columns["expires"])
            except ValueError as exc:
                errors.at(location.path, Position(location.line, location.column),
                          f"list {path[-1]}: {exc}", "list",
                          "write the date as YYYY-MM-DD, or leave the cell empty")  # fmt: skip
                ok = False
                continue
        if kind == "number":
            try:
                number = Decimal(str(value))
                # .nan, .inf and 1e999 are no amount a shipment can have
                problem = (
                    "is not a finite number" if not number.is_finite()
                    else "is too large" if abs(float(number)) == float("inf")
                    else None
                )  # fmt: skip
            except ArithmeticError:
                problem = "is not a number"
            if problem is not None:
                errors.at(location.path, Position(location.line, location.column),
                          f"list value {value!r} {problem}", "list")  # fmt: skip
                ok = False
                continue
            out.append(ListEntry(number, expires, columns, location))
        else:
            out.append(ListEntry(str(value).strip(), expires, columns, location))
    return tuple(out) if ok else None


_NO_COLUMNS: Mapping[str, str] = MappingProxyType({})


def _file_items(
    target: str, rows: list[tuple[int, list[str]]]
) -> list[tuple[Any, Mapping[str, str], Location]]:
    """The entries of a list file: (value, other columns, location) of each row with a
    value. The value is the column named ``value``, else the first column."""
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0][1]]
    column = header.index("value") if "value" in header else 0
    others: dict[str, int] = {}
    for i, h in enumerate(header):
        if h and i != column:
            others.setdefault(h, i)  # a repeated column name: its first column
    out: list[tuple[Any, Mapping[str, str], Location]] = []
    for line, row in rows[1:]:
        if len(row) <= column:
            continue
        value = row[column].strip()
        if not value:
            continue
        columns = (
            {h: (row[i].strip() if i < len(row) else "") for h, i in others.items()}
            if others
            else _NO_COLUMNS
        )
        out.append((value, columns, Location(target, line, 1)))
    return out


def _list_file_rows(
    name: str, source: _Source, path: tuple[str | int, ...], errors: _Errors
) -> tuple[str, list[tuple[int, list[str]]]] | None:
    """The path and CSV rows (with their line numbers) of list file ``name`` beside
    ``source``; None (and the problem reported) when it cannot be read.

    A file is read once per load, however many lists name it; its bytes count against
    :data:`MAX_LIST_BYTES` for each list that names it.
    """
    position = source.doc.position((*path, "file"))
    if "\x00" in name:
        errors.at(source, position, f"list file {name!r} has a NUL character in its name",
                  "list", "remove the NUL character (\\0) from the file name")  # fmt: skip
        return None
    here = Path(source.path).resolve().parent
    try:
        target = (here / name).resolve()
    except (OSError, ValueError) as exc:
        errors.at(source, position, f"cannot read list file {name!r}: {exc}", "list")
        return None
    # A profile may only read files beside it or below it: it is untrusted input.
    if Path(name).is_absolute() or here not in (target, *target.parents):
        errors.at(
            source, position, f"list file {name!r} must be inside the profile's folder", "list"
        )
        return None
    key = str(target)
    if key not in errors.list_files:
        try:
            data = read_regular_file(target, MAX_LIST_FILE_BYTES)
            text = data.decode("utf-8-sig")
        except RefusedFileError as exc:
            errors.list_files[key] = f"list file {name!r} {exc}"
        except (OSError, UnicodeDecodeError) as exc:
            errors.list_files[key] = f"cannot read list file {name!r}: {exc}"
        else:
            # A list written by riskprofile (a partner's warnings) marks cells that would
            # run as spreadsheet formulas with a quote: taken off here.
            reader = csv.reader(io.StringIO(text))
            rows = [(reader.line_num, [csv_text(cell) for cell in row]) for row in reader]
            errors.list_files[key] = (rows, len(data))
            errors.list_digests[key] = file_digest(data)  # the bytes parsed, for the lock
    read = errors.list_files[key]
    if isinstance(read, str):
        errors.at(source, position, read, "list")
        return None
    rows, size = read
    before = errors.list_bytes
    errors.list_bytes += size
    if errors.list_bytes > MAX_LIST_BYTES:
        if before <= MAX_LIST_BYTES:  # said once, at the list that crosses the limit
            errors.at(
                source,
                position,
                f"list file {name!r}: the lists of this profile set read "
                f"{errors.list_bytes:,} bytes of list files; the limit is {MAX_LIST_BYTES:,}",
                "list",
                "name each file in one list and use that list wherever it is needed",
            )
        return None
    return key, rows


def _columns(entries: tuple[ListEntry, ...]) -> tuple[str, ...]:
    extra = (column for entry in entries for column in entry.columns)
    return tuple(dict.fromkeys((*STANDARD_COLUMNS, *extra)))


def _finish_list(
    name: str,
    kind: str,
    entries: tuple[ListEntry, ...],
    fields: tuple[str, ...],
    origin: _Origin,
    errors: _Errors,
    profile_id: str,
) -> CompiledList | None:
    """The compiled list: its text values written as the ``fields`` it is compared with
    are written, a value that none of them can ever hold refused (None)."""
    if kind != "string" or not fields:
        return CompiledList(name, kind, entries, _columns(entries))
    formats = [(f, field_format(f)) for f in fields]
    spellings: dict[Any, list[tuple[str, FieldFormat]]] = {}
    for field_name, form in formats:
        key = form.normalise if form is not None else None
        spellings.setdefault(key, []).append((field_name, form))  # type: ignore[arg-type]
    if len(spellings) > 1:
        described = "; ".join(
            ", ".join(f for f, _ in group)
            + f" ({group[0][1].name if group[0][1] else 'text as declared'})"
            for group in spellings.values()
        )
        errors.at(origin.source, origin.source.doc.position(origin.path),
                  f"list ${name} is compared with fields written in different ways: "
                  f"{described}; no one spelling of a value can match them all", "list",
                  "use one list for each kind of value", profile_id)  # fmt: skip
        return None
    ((normalise, group),) = spellings.items()
    if normalise is None:
        return CompiledList(name, kind, entries, _columns(entries))
    out = []
    ok = True
    forms = tuple(dict.fromkeys(form for _, form in group))
    spelled = errors.spellings.setdefault((normalise, forms), {})
    for entry in entries:
        written = str(entry.value)
        known = spelled.get(written)
        if known is None:
            value = normalise(written)
            problem: str | None = "it is blank"
            if value:
                problems = [form.problem(value) for form in forms]
                problem = problems[0] if all(problems) else None
            known = spelled[written] = (value, problem)
        value, problem = known
        if problem is not None:
            where = entry.location or _location(origin)
            example = group[0][1]
            errors.at(where.path, Position(where.line, where.column),
                      f"list ${name}: {written!r} can never match "
                      f"{', '.join(f for f, _ in group)}: {problem}", "list",
                      f"write {example.name}, e.g. {example.example}, or remove the value",
                      profile_id)  # fmt: skip
            ok = False
            continue
        out.append(ListEntry(value, entry.expires, entry.columns, entry.location))
    if not ok:
        return None
    written_as = " or ".join(dict.fromkeys(form.name for _, form in group))
    return CompiledList(name, kind, tuple(out), _columns(entries), written_as)
