"""Loading a set of profile files: parse, validate, resolve overlays, compile.

Every problem becomes a :class:`~riskprofile.errors.ProfileError` with its file, line and
column. In collect-errors mode (the default) every problem of the set is gathered and
raised at once as a :class:`~riskprofile.errors.ProfileSetError`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.errors import ProfileError, ProfileSetError
from riskprofile.io._cells import csv_text
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import (
    CompiledCondition,
    CompiledIndicator,
    CompiledList,
    CompiledProfile,
    ListEntry,
    Location,
    ProfileSet,
)
from riskprofile.profiles._explain import explanation_fields, explanation_quotes
from riskprofile.profiles._expressions import Condition, compile_condition, list_regex_problems
from riskprofile.profiles._lists import (
    STANDARD_COLUMNS,
    FieldFormat,
    field_format,
    list_comparisons,
    parse_expiry,
)
from riskprofile.profiles._schema import (
    Indicator,
    ListChange,
    ListItem,
    Overlay,
    Profile,
    ProfileException,
    WatchList,
    _country,
)
from riskprofile.profiles._tree import CompileProblem, field_types
from riskprofile.profiles._yaml import MAX_PROFILE_BYTES, Position, YamlDocument, YamlError, parse

__all__ = [
    "MAX_LIST_BYTES",
    "MAX_LIST_FILE_BYTES",
    "bundled_profiles_path",
    "fingerprint",
    "load_all_profiles",
    "load_profiles",
    "profile_files",
]

MAX_OVERLAY_DEPTH = 16
"""Most overlays that may stack on one base profile (base -> national -> port is 2)."""
MAX_LIST_FILE_BYTES = 5 * 1024 * 1024
"""A watch-list CSV file larger than this is refused."""
MAX_LIST_BYTES = 32 * 1024 * 1024
"""All the watch-list files of a profile set together: a file counts once for every list
that names it (each list holds its own copy of the values)."""
_SUFFIXES = (".yaml", ".yml")


@dataclass
class _Source:
    """A parsed profile file."""

    path: str
    doc: YamlDocument
    model: Profile | Overlay


@dataclass
class _Origin:
    """Where a part of a resolved profile was written (for error positions)."""

    source: _Source
    path: tuple[str | int, ...]


@dataclass
class _Resolved:
    """A profile with overlays applied, and where each part came from."""

    profile: Profile
    origin: _Source
    lists: dict[str, tuple[str, tuple[ListEntry, ...], _Origin]] = field(default_factory=dict)
    parts: dict[tuple[str, str], _Origin] = field(default_factory=dict)  # (kind, id)
    chain: tuple[str, ...] = ()
    failed: bool = False  # a list could not be read: compile for errors, then drop


class _Errors:
    def __init__(self, collect: bool) -> None:
        self.collect = collect
        self.found: list[ProfileError] = []
        # Ids of profiles whose files failed: their overlays are not reported again.
        self.failed_ids: set[str] = set()
        # Per-load state of the list files: each file is read once, however many lists
        # name it, and the bytes every list reads count against MAX_LIST_BYTES.
        self.list_files: dict[str, tuple[list[tuple[int, list[str]]], int] | str] = {}
        self.list_bytes = 0
        self.list_entries: dict[tuple[str, str], tuple[ListEntry, ...] | None] = {}
        # Values already written as a field is written, by normaliser (a file's values
        # are normalised once however many lists name it).
        self.spellings: dict[Any, dict[str, tuple[str, str | None]]] = {}

    def add(self, error: ProfileError) -> None:
        if not self.collect:
            raise error
        self.found.append(error)

    def at(
        self,
        source: _Source | str,
        position: Position | None,
        message: str,
        code: str,
        suggestion: str | None = None,
        profile_id: str | None = None,
    ) -> None:
        path = source.path if isinstance(source, _Source) else source
        self.add(
            ProfileError(
                message,
                path=path,
                line=position.line if position else None,
                column=position.column if position else None,
                code=code,
                suggestion=suggestion,
                profile_id=profile_id,
            )
        )


def profile_files(paths: Iterable[str | Path]) -> list[Path]:
    """The profile files under ``paths`` (files as given, folders searched recursively for
    ``*.yaml``/``*.yml``), in a stable order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file()))
        else:
            out.append(path)
    return list(dict.fromkeys(out))


def _suggest(name: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _read_source(path: Path, errors: _Errors) -> _Source | None:
    name = str(path)
    try:
        data = read_regular_file(path, MAX_PROFILE_BYTES)
    except RefusedFileError as exc:
        errors.at(name, None, f"file {exc}", exc.code)
        return None
    except (OSError, ValueError) as exc:
        errors.at(name, None, f"cannot read: {getattr(exc, 'strerror', None) or exc}", "io")
        return None
    try:
        # Universal newlines, as text mode reads them.
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        errors.at(name, None, f"cannot read as UTF-8 text: {exc}", "io")
        return None
    try:
        doc = parse(text)
    except YamlError as exc:
        position = Position(exc.line, exc.column or 1) if exc.line else None
        errors.at(name, position, exc.message, "yaml")
        return None
    if not isinstance(doc.data, dict):
        errors.at(name, Position(1, 1), "a profile file must be a YAML mapping", "schema")
        return None
    model_type: type[BaseModel] = Overlay if "extends" in doc.data else Profile
    repeated = _repeated_ids(name, doc, errors)
    try:
        model = model_type.model_validate(doc.data)
    except ValidationError as exc:
        if isinstance(doc.data.get("id"), str):
            errors.failed_ids.add(doc.data["id"])
        elif isinstance(doc.data.get("extends"), str) and isinstance(doc.data.get("country"), str):
            errors.failed_ids.add(f"{doc.data['country'].lower()}.{doc.data['extends']}")
        reported: set[tuple[tuple[Any, ...], str]] = set()
        for err in exc.errors(include_url=False):
            # Without pydantic's union labels ("function-after[_one(), ListChange]"); an
            # overlay's list is a ListChange when it says extend or replace, else a
            # WatchList, and only that one's problems are reported.
            labels = [p for p in err["loc"] if isinstance(p, str) and "[" in p]
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            if labels and loc[:1] == ("lists",) and len(loc) >= 2:
                given = _value_at(doc.data, loc[:2])
                change = isinstance(given, dict) and ("extend" in given or "replace" in given)
                if labels[0].endswith("WatchList]" if change else "ListChange]"):
                    continue
            message = err["msg"]
            suggestion = None
            if err["type"] == "extra_forbidden" and loc:
                owner = _model_at(model_type, loc[:-1])
                if owner is not None:
                    suggestion = _suggest(str(loc[-1]), owner.model_fields)
                message = f"unknown key {loc[-1]!r}"
            elif err["type"] == "missing":
                message = f"missing required key {loc[-1]!r}"
            elif loc and loc[-1] in ("weight", "min_score"):
                given = doc.raw.get(loc, err.get("input"))
                message = (
                    f"{given!r} is not a {'weight' if loc[-1] == 'weight' else 'score'}: "
                    "write a number from -1000 to 1000 with at most 3 decimals"
                )
            elif err["type"] == "value_error":
                message = str(err["ctx"]["error"]) if "ctx" in err else message
                if repeated and " is used twice" in message:
                    continue  # reported at the repeated id itself
            else:
                message = _shape_message(err["type"], err.get("input")) or message
            if (loc, message) in reported:
                continue  # each member of a union said the same
            reported.add((loc, message))
            where = ".".join(str(p) for p in loc) or "profile"
            errors.at(name, doc.position(loc), f"{where}: {message}", "schema", suggestion)
        return None
    assert isinstance(model, Profile | Overlay)
    return _Source(name, doc, model)


def _repeated_ids(name: str, doc: YamlDocument, errors: _Errors) -> bool:
    """Report each indicator, exception or disabled id a file repeats, at the repeat,
    with the line of the first; true when there was one."""
    found = False
    for section, kind in (("indicators", "indicator"), ("exceptions", "exception"),
                          ("disable", "disabled indicator")):  # fmt: skip
        items = doc.data.get(section)
        if not isinstance(items, list):
            continue
        first: dict[str, Position] = {}
        for index, item in enumerate(items):
            path: tuple[str | int, ...] = (section, index)
            if isinstance(item, dict):
                item, path = item.get("id"), (*path, "id")
            position = doc.position(path)
            if not isinstance(item, str) or position is None:
                continue
            if item not in first:
                first[item] = position
                continue
            found = True
            at = first[item]
            if section == "disable":
                message = (f"indicator {item!r} is disabled twice (first at line {at.line}, "
                           f"column {at.column}): list it once")  # fmt: skip
            else:
                message = (f"{kind} id {item!r} is used twice (first at line {at.line}): "
                           f"give each {kind} its own id")  # fmt: skip
            errors.at(name, position, message, "duplicate_id")
    return found


_MAPPING = "a mapping ('key: value' lines, or {key: value})"
_LIST = "a list ('- ' lines, or [a, b])"


def _shape_message(kind: str, value: Any) -> str | None:
    """A list where a mapping belongs (or the reverse), in words, with what is there."""
    expected = {"dict_type": _MAPPING, "model_type": _MAPPING, "list_type": _LIST}.get(kind)
    if expected is None:
        return None
    if isinstance(value, list):
        found = "a list ('- ' lines)"
    elif isinstance(value, dict):
        found = "a mapping ('key: value' lines)"
    elif value is None:
        found = "nothing (the key has no value)"
    elif isinstance(value, str):
        found = f"the text {value[:40]!r}"
    else:
        found = f"the value {value!r}"
    return f"expected {expected} here, found {found}"


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The nested model class at a validation location, to suggest its keys."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            return current if isinstance(current, type) else None
        annotation = fields[part].annotation
        current = _first_model(annotation) or current
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _first_model(arg)
        if found is not None:
            return found
    return None


# --- lists ---------------------------------------------------------------------------------


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


# --- overlays ------------------------------------------------------------------------------


def _resolve_base(source: _Source, errors: _Errors) -> _Resolved:
    profile = source.model
    assert isinstance(profile, Profile)
    resolved = _Resolved(profile=profile, origin=source, chain=(profile.id,))
    for name, watch in profile.lists.items():
        entries = _list_entries(watch, source, ("lists", name), errors)
        if entries is None:
            # Compile with the list empty, so that the conditions' own problems are
            # reported too; the profile is dropped after compiling.
            resolved.failed = True
            entries = ()
        resolved.lists[name] = (watch.type, entries, _Origin(source, ("lists", name)))
    for i, ind in enumerate(profile.indicators):
        resolved.parts[("indicator", ind.id)] = _Origin(source, ("indicators", i))
    for i, exc in enumerate(profile.exceptions):
        resolved.parts[("exception", exc.id)] = _Origin(source, ("exceptions", i))
    return resolved


def _plain_number(value: Any) -> Any:
    """A list value as the schema types it (numbers are kept as Decimal internally)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _apply_overlay(base: _Resolved, source: _Source, errors: _Errors) -> _Resolved | None:
    overlay = source.model
    assert isinstance(overlay, Overlay)
    parent = base.profile
    known = {i.id for i in parent.indicators}
    ok = True
    for key, ids in (("disable", overlay.disable), ("override", list(overlay.override))):
        for index, ind_id in enumerate(ids):
            if ind_id not in known:
                path = (key, index) if key == "disable" else (key, ind_id)
                errors.at(source, source.doc.position(path),
                          f"{key}: {parent.id} has no indicator {ind_id!r}", "overlay",
                          _suggest(ind_id, known), overlay.resolved_id)  # fmt: skip
                ok = False
    indicators: list[Indicator] = []
    for ind in parent.indicators:
        if ind.id in overlay.disable:
            continue
        change = overlay.override.get(ind.id)
        if change is not None:
            update: dict[str, Any] = {}
            if change.weight is not None:
                update["weight"] = change.weight
            if change.lane is not None:
                update["lane"] = None if change.lane == "none" else change.lane
            if change.explain is not None:
                update["explain"] = change.explain
            ind = ind.model_copy(update=update)
        indicators.append(ind)
    parts = {
        k: v for k, v in base.parts.items() if not (k[0] == "indicator" and k[1] in overlay.disable)
    }
    for ind_id in overlay.override:
        # A problem an override causes is the overlay's: point at its override entry.
        parts[("indicator", ind_id)] = _Origin(source, ("override", ind_id))
    for i, ind in enumerate(overlay.indicators):
        if ind.id in known:
            where = _location(base.parts[("indicator", ind.id)])
            errors.at(source, source.doc.position(("indicators", i, "id")),
                      f"indicator {ind.id!r} already exists in {parent.id} "
                      f"({where.path}:{where.line}): use 'override'",
                      "overlay", profile_id=overlay.resolved_id)  # fmt: skip
            ok = False
        indicators.append(ind)
        parts[("indicator", ind.id)] = _Origin(source, ("indicators", i))
    exceptions: list[ProfileException] = list(parent.exceptions)
    for i, exc in enumerate(overlay.exceptions):
        if ("exception", exc.id) in base.parts:
            where = _location(base.parts[("exception", exc.id)])
            errors.at(source, source.doc.position(("exceptions", i, "id")),
                      f"exception {exc.id!r} already exists in {parent.id} "
                      f"({where.path}:{where.line}): give this one a new id",
                      "overlay", profile_id=overlay.resolved_id)  # fmt: skip
            ok = False
        exceptions.append(exc)
        parts[("exception", exc.id)] = _Origin(source, ("exceptions", i))
    lists = dict(base.lists)
    new_lists = dict(parent.lists)
    for name, list_change in overlay.lists.items():
        base_kind = (
            lists[name][0] if name in lists and isinstance(list_change, ListChange) else None
        )
        values = _list_entries(list_change, source, ("lists", name), errors, base_kind)
        if values is None:
            ok = False
            continue
        if isinstance(list_change, ListChange):
            if name not in lists:
                errors.at(source, source.doc.position(("lists", name)),
                          f"{parent.id} has no list {name!r} to change", "overlay",
                          _suggest(name, lists), overlay.resolved_id)  # fmt: skip
                ok = False
                continue
            kind, old, _ = lists[name]
            merged = old + values if list_change.extend is not None else values
            lists[name] = (kind, merged, _Origin(source, ("lists", name)))
            merged_plain = list(dict.fromkeys(_plain_number(e.value) for e in merged))
            new_lists[name] = parent.lists[name].model_copy(
                update={"values": merged_plain, "file": None,
                        "source": list_change.source or parent.lists[name].source}
            )  # fmt: skip
        else:
            lists[name] = (list_change.type, values, _Origin(source, ("lists", name)))
            new_lists[name] = list_change.model_copy(
                update={
                    "values": list(dict.fromkeys(_plain_number(e.value) for e in values)),
                    "file": None,
                }
            )
    if not ok:
        return None
    meta: dict[str, Any] = {
        k: getattr(overlay, k)
        for k in ("title", "owner", "valid_from", "valid_to", "review_date", "status",
                  "rationale", "instructions")
        if getattr(overlay, k) is not None
    }  # fmt: skip
    try:
        profile = Profile.model_validate(
            {
                **parent.model_dump(
                    exclude={"lists", "indicators", "exceptions", "bands", "examples"}
                ),
                **meta,
                "id": overlay.resolved_id,
                "version": overlay.version,
                "countries": [overlay.country],
                "lists": {k: v.model_dump() for k, v in new_lists.items()},
                "indicators": [i.model_dump() for i in indicators],
                "exceptions": [e.model_dump() for e in exceptions],
                "bands": [
                    b.model_dump()
                    for b in (overlay.bands if overlay.bands is not None else parent.bands)
                ],
                "examples": [e.model_dump() for e in overlay.examples],
            }
        )
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            errors.at(source, source.doc.position(()), f"resolved profile: {err['msg']}",
                      "overlay", profile_id=overlay.resolved_id)  # fmt: skip
        return None
    return _Resolved(profile, source, lists, parts, (*base.chain, profile.id), base.failed)


# --- compiling -----------------------------------------------------------------------------


def _location(origin: _Origin) -> Location:
    position = origin.source.doc.position(origin.path) or Position(1, 1)
    return Location(origin.source.path, position.line, position.column)


def _value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _problem(
    errors: _Errors, origin: _Origin, key: str, problem: CompileProblem, profile_id: str
) -> None:
    path = (*origin.path, key)
    doc = origin.source.doc
    scalar = doc.scalars.get(path)
    raw = _value_at(doc.data, path)
    # The schema strips the text; positions are in the text as written.
    lead = len(raw) - len(raw.lstrip()) if isinstance(raw, str) else 0
    position = scalar.locate(problem.offset + lead) if scalar else doc.position(path)
    errors.at(
        origin.source, position, problem.message, problem.code, problem.suggestion, profile_id
    )


class _Slot:
    """A list's place in the conditions' context, filled once its values are final: they
    are normalised for the fields the compiled conditions compare them with."""

    __slots__ = ("list",)

    def __init__(self) -> None:
        self.list: CompiledList | None = None

    def at(self, as_of: dt.datetime | None) -> set[Any]:
        """The list's values in force at ``as_of``."""
        return self.list.at(as_of) if self.list is not None else set()

    def epoch(self, as_of: dt.datetime) -> int:
        """The list's epoch at ``as_of`` (see :meth:`CompiledList.epoch`)."""
        return self.list.epoch(as_of) if self.list is not None else 0


def _compile(resolved: _Resolved, errors: _Errors) -> CompiledProfile | None:
    profile = resolved.profile
    # Each condition reads the list through its slot: no copy of the values per condition.
    slots = {name: _Slot() for name in resolved.lists}
    lists = {name: (kind, slots[name]) for name, (kind, _, _) in resolved.lists.items()}
    names = frozenset(resolved.lists)
    catalogue = field_types()
    ok = True
    pending: list[tuple[Indicator, Condition, list[tuple[str, str]]]] = []

    def condition(kind: str, part_id: str, when: str) -> Condition | None:
        origin = resolved.parts[(kind, part_id)]
        compiled = compile_condition(when, lists)
        if isinstance(compiled, list):
            for problem in compiled:
                _problem(errors, origin, "when", problem, profile.id)
            return None
        return compiled

    for ind in profile.indicators:
        origin = resolved.parts[("indicator", ind.id)]
        compiled = condition("indicator", ind.id, ind.when)
        if compiled is None:
            ok = False
            continue
        quotes: list[tuple[str, str]] = []
        if ind.explain is not None:
            try:
                fields = explanation_fields(ind.explain)
                quotes = explanation_quotes(ind.explain)
            except ValueError as exc:
                errors.at(origin.source, origin.source.doc.position((*origin.path, "explain")),
                          f"explain: {exc}", "explain", profile_id=profile.id)  # fmt: skip
                ok = False
                continue
            for name in fields:
                if name not in catalogue:
                    errors.at(origin.source, origin.source.doc.position((*origin.path, "explain")),
                              f"explain: unknown field {{{name}}}", "unknown_field",
                              _suggest(name, catalogue), profile.id)  # fmt: skip
                    ok = False
        pending.append((ind, compiled, quotes))
    exceptions = []
    for exception in profile.exceptions:
        compiled = condition("exception", exception.id, exception.when)
        if compiled is None:
            ok = False
            continue
        exceptions.append(CompiledCondition(exception.id, compiled))
    ok = _check_examples(resolved, errors) and ok

    # The fields each list is compared with, over every condition, in the order written.
    compared: dict[str, list[str]] = {name: [] for name in names}
    for cond in [c for _, c, _ in pending] + [e.condition for e in exceptions]:
        for name, field_name in list_comparisons(cond.rule.statement, names):
            compared[name].append(field_name)
    watch_lists: dict[str, CompiledList] = {}
    for name, (kind, entries, origin) in resolved.lists.items():
        fields_of = tuple(dict.fromkeys(compared[name]))
        final = _finish_list(name, kind, entries, fields_of, origin, errors, profile.id)
        if final is None:
            ok = False
            continue
        slots[name].list = watch_lists[name] = final
    # A regex built from a list's values is checked for each of the final values.
    for kind, part_id, cond in [("indicator", ind.id, c) for ind, c, _ in pending] + [
        ("exception", e.id, e.condition) for e in exceptions
    ]:
        for problem in list_regex_problems(cond, lists):
            _problem(errors, resolved.parts[(kind, part_id)], "when", problem, profile.id)
            ok = False

    indicators = []
    for ind, compiled, quotes in pending:
        quoted = _quoted(ind, compiled, quotes, watch_lists, resolved, errors, profile.id)
        if quoted is None:
            ok = False
            continue
        indicators.append(CompiledIndicator(ind, compiled, quoted))
    if not ok or resolved.failed:
        return None
    list_values = {
        name: tuple(dict.fromkeys(e.value for e in watch.entries))
        for name, watch in watch_lists.items()
    }
    positions: dict[str, Location] = {"profile": _location(_Origin(resolved.origin, ()))}
    for (kind, part_id), origin in resolved.parts.items():
        positions[f"{kind}:{part_id}"] = _location(origin)
    for name, (_, _, origin) in resolved.lists.items():
        positions[f"list:{name}"] = _location(origin)
    for index in range(len(profile.examples)):
        # An overlay's examples are its own; a base's are in the base file.
        positions[f"example:{index}"] = _location(_Origin(resolved.origin, ("examples", index)))
    return CompiledProfile(
        profile=profile,
        source=resolved.origin.path,
        fingerprint=fingerprint(profile, list_values, watch_lists),
        indicators=tuple(indicators),
        exceptions=tuple(exceptions),
        lists={name: watch.values for name, watch in watch_lists.items()},
        extends=resolved.chain[:-1],
        positions=positions,
        watch_lists=watch_lists,
    )


def _check_examples(resolved: _Resolved, errors: _Errors) -> bool:
    """Every example names shipment fields with values of their type, and indicators the
    profile has (each in ``hits`` or ``misses``, not both); false when one does not."""
    profile, source = resolved.profile, resolved.origin
    doc = source.doc
    fields = Shipment.model_fields
    indicators = [ind.id for ind in profile.indicators]
    ok = True

    def error(path: tuple[str | int, ...], message: str, suggestion: str | None = None) -> None:
        nonlocal ok
        ok = False
        errors.at(source, doc.position(path), message, "example", suggestion, profile.id)

    for index, example in enumerate(profile.examples):
        at: tuple[str | int, ...] = ("examples", index)
        name = f"example {example.name!r}"
        for key in example.shipment:
            if key not in fields:
                error((*at, "shipment", key), f"{name}: unknown shipment field {key!r}",
                      _suggest(key, fields))  # fmt: skip
        known = {k: v for k, v in example.shipment.items() if k in fields}
        try:
            Shipment.model_validate(known)
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                field_name = str(err["loc"][0]) if err["loc"] else "shipment"
                error((*at, "shipment", field_name),
                      f"{name}: {field_name}: {err['msg']} (got {err.get('input')!r})")  # fmt: skip
        for key in ("hits", "misses"):
            for position, ind_id in enumerate(getattr(example, key)):
                if ind_id not in indicators:
                    error((*at, key, position),
                          f"{name}: {key} names {ind_id!r}, which is no indicator of "
                          f"{profile.id}", _suggest(ind_id, indicators))  # fmt: skip
        for position, ind_id in enumerate(example.misses):
            if ind_id in example.hits:
                error((*at, "misses", position),
                      f"{name}: {ind_id!r} is in both hits and misses")  # fmt: skip
    return ok


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


def _quoted(
    ind: Indicator,
    compiled: Condition,
    quotes: list[tuple[str, str]],
    watch_lists: dict[str, CompiledList],
    resolved: _Resolved,
    errors: _Errors,
    profile_id: str,
) -> dict[str, tuple[CompiledList, tuple[str, ...]]] | None:
    """The lists ``ind``'s explanation quotes, with the fields its condition compares
    with each (the matched entry is found through them); None when a quote is wrong."""
    origin = resolved.parts[("indicator", ind.id)]
    position = origin.source.doc.position((*origin.path, "explain"))
    own = list_comparisons(compiled.rule.statement, frozenset(resolved.lists))
    quoted: dict[str, tuple[CompiledList, tuple[str, ...]]] = {}
    ok = True
    for name, column in quotes:
        placeholder = f"{{${name}.{column}}}"
        if name not in resolved.lists:
            errors.at(origin.source, position, f"explain: {placeholder}: unknown list ${name}",
                      "unknown_list", _suggest(name, resolved.lists), profile_id)  # fmt: skip
            ok = False
            continue
        fields = tuple(dict.fromkeys(f for n, f in own if n == name))
        if not fields:
            errors.at(origin.source, position,
                      f"explain: {placeholder}: the condition compares no field with ${name} "
                      "(as in 'field in $list'), so no entry can be said to have matched",
                      "explain", profile_id=profile_id)  # fmt: skip
            ok = False
            continue
        watch = watch_lists.get(name)
        if watch is None:  # refused above
            ok = False
            continue
        if column not in watch.columns:
            errors.at(origin.source, position,
                      f"explain: {placeholder}: ${name} has no column {column!r} "
                      f"(its columns: {', '.join(watch.columns)})", "explain",
                      _suggest(column, watch.columns), profile_id)  # fmt: skip
            ok = False
            continue
        quoted[name] = (watch, fields)
    return quoted if ok else None


def fingerprint(
    profile: Profile,
    lists: dict[str, tuple[Any, ...]],
    watch_lists: Mapping[str, CompiledList] | None = None,
) -> str:
    """sha256 of the canonical resolved profile: sorted-key JSON of the model with every
    list's values (files included) and, for a list whose entries expire, each entry's
    expiry, so any change that can change a score changes it."""
    data = profile.model_dump(mode="json")
    for indicator in data["indicators"]:
        if indicator.get("fact") is None:  # fingerprints from before ``fact`` stay the same
            indicator.pop("fact", None)
    data["lists"] = {
        name: {**data["lists"].get(name, {}), "values": [str(v) for v in values], "file": None}
        for name, values in sorted(lists.items())
    }
    for name, watch in (watch_lists or {}).items():
        if watch.expiring and name in data["lists"]:
            data["lists"][name]["expires"] = [
                [str(e.value), e.expires.isoformat() if e.expires else None] for e in watch.entries
            ]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _cycle_text(members: list[str]) -> str:
    """``a -> b -> c -> a``; a long cycle shows its ends and how many are between."""
    shown = members
    if len(members) > 8:
        shown = [*members[:3], f"({len(members) - 6} more)", *members[-3:]]
    return " -> ".join([*shown, members[0]])


def _resolve_overlays(
    overlays: dict[str, _Source],
    bases: dict[str, _Source],
    resolved: dict[str, _Resolved],
    errors: _Errors,
) -> None:
    """Apply every overlay to its parent, parents first, into ``resolved``.

    Iterative, so that no chain or cycle length can exhaust Python's stack, and linear:
    each overlay is walked to once, then applied once. A cycle is reported at each of
    its overlays; a chain more than :data:`MAX_OVERLAY_DEPTH` overlays above its base is
    refused at the first overlay too many. An overlay whose parent failed is dropped
    without a second report.
    """
    failed: set[str] = set()
    depth = dict.fromkeys(resolved, 0)
    for start in overlays:
        # Walk up to something already settled: a base, a resolved or failed overlay,
        # a missing parent, or an overlay met before on this walk (a cycle).
        walk: list[str] = []
        on_walk: dict[str, int] = {}
        key = start
        while key in overlays and key not in resolved and key not in failed:
            if key in on_walk:
                members = walk[on_walk[key] :]
                for i, member in enumerate(members):
                    source = overlays[member]
                    errors.at(source, source.doc.position(("extends",)),
                              f"overlay cycle: {_cycle_text(members[i:] + members[:i])}",
                              "cycle", profile_id=member)  # fmt: skip
                failed.update(members)
                break
            on_walk[key] = len(walk)
            walk.append(key)
            overlay = overlays[key].model
            assert isinstance(overlay, Overlay)
            key = overlay.extends
        for key in reversed(walk):
            if key in failed:
                continue
            source = overlays[key]
            overlay = source.model
            assert isinstance(overlay, Overlay)
            parent_key = overlay.extends
            parent = resolved.get(parent_key)
            if parent is None:
                if (
                    parent_key not in overlays
                    and parent_key not in bases
                    and (parent_key not in errors.failed_ids)
                ):
                    others = [k for k in (*bases, *overlays) if k != key]
                    errors.at(source, source.doc.position(("extends",)),
                              f"extends {parent_key!r}, which no loaded profile defines",
                              "missing_parent", _suggest(parent_key, others), key)  # fmt: skip
                failed.add(key)
                continue
            if depth[parent_key] >= MAX_OVERLAY_DEPTH:
                errors.at(source, source.doc.position(("extends",)),
                          f"{key!r} would be overlay number {depth[parent_key] + 1} on "
                          f"{parent.chain[0]!r}; at most {MAX_OVERLAY_DEPTH} overlays may "
                          "stack (a national overlay and a port's are 2): extend an "
                          "overlay nearer the base", "overlay", profile_id=key)  # fmt: skip
                failed.add(key)
                continue
            result = _apply_overlay(parent, source, errors)
            if result is None:
                failed.add(key)
                continue
            resolved[key] = result
            depth[key] = depth[parent_key] + 1


@dataclass
class _Loaded:
    compiled: dict[str, CompiledProfile]
    bases: dict[str, _Source]
    overlays: dict[str, _Source]


def _load(paths: str | Path | Sequence[str | Path], collect_errors: bool) -> _Loaded:
    if isinstance(paths, str | Path):
        paths = [paths]
    errors = _Errors(collect_errors)
    files = profile_files(paths)
    sources = []
    for path in files:
        if not path.exists():
            errors.at(str(path), None, "no such file or folder", "io")
            continue
        source = _read_source(path, errors)
        if source is not None:
            sources.append(source)

    bases: dict[str, _Source] = {}
    overlays: dict[str, _Source] = {}
    for source in sources:
        model = source.model
        key = model.id if isinstance(model, Profile) else model.resolved_id
        table = bases if isinstance(model, Profile) else overlays
        other = bases.get(key) or overlays.get(key)
        if other is not None:
            first = other.doc.position(("id",)) or other.doc.position(("extends",))
            at = f"{other.path}:{first.line}" if first else other.path
            errors.at(source, source.doc.position(("id",)) or source.doc.position(("extends",)),
                      f"profile id {key!r} is already used by {at}: give this one its own id",
                      "duplicate_id", profile_id=key)  # fmt: skip
            continue
        table[key] = source

    resolved: dict[str, _Resolved] = {}
    for key, source in bases.items():
        resolved[key] = _resolve_base(source, errors)

    _resolve_overlays(overlays, bases, resolved, errors)

    compiled: dict[str, CompiledProfile] = {}
    for key, item in resolved.items():
        done = _compile(item, errors)
        if done is not None:
            compiled[key] = done

    if errors.found:
        found = sorted(errors.found, key=lambda e: (e.path or "", e.line or 0, e.column or 0))
        raise ProfileSetError(found)
    return _Loaded(compiled, bases, overlays)


def load_profiles(
    paths: str | Path | Sequence[str | Path] = (),
    *,
    country: str | None = None,
    collect_errors: bool = True,
    bundled: bool = False,
) -> ProfileSet:
    """Load, validate, resolve and compile risk profiles.

    Args:
        paths: profile files or folders (searched recursively for ``*.yaml``/``*.yml``).
        country: ISO 3166 code of the PCU's country: its overlays (``extends`` with that
            ``country``) replace the profiles they adapt. Without it, base profiles are
            returned and every overlay is still checked against its base.
        collect_errors: gather every problem and raise them together
            (:class:`~riskprofile.errors.ProfileSetError`); when false, raise the first.
        bundled: also load the profile library that ships with riskprofile
            (:func:`bundled_profiles_path`), as ``--profiles bundled`` does on the
            command line: one's own profiles then sit beside the bundled ones, and one's
            own overlays can adapt them. A profile id in both is a duplicate (an error).

    Raises:
        ProfileError: a problem, with its file, line and column.

    One's own folder beside the bundled library is
    ``load_profiles("my-profiles/", bundled=True)``; the bundled library alone:

    >>> profiles = load_profiles(bundled=True, country="PK")
    >>> "pk.narcotics.maritime-trafficking" in {p.id for p in profiles}  # PK's overlay
    True
    """
    if country is not None:
        try:
            country = _country(country.strip().upper())
        except ValueError as exc:
            # No overlay or scope would ever match: a silent run with the base profiles.
            raise ProfileError(f"country: {exc}", code="schema") from None
    loaded = _load(_with_bundled(paths, bundled), collect_errors)
    compiled, bases, overlays = loaded.compiled, loaded.bases, loaded.overlays
    chosen: list[CompiledProfile] = []
    replaced: set[str] = set()
    if country is not None:
        for key, source in overlays.items():
            model = source.model
            if isinstance(model, Overlay) and model.country == country and key in compiled:
                chosen.append(compiled[key])
                replaced.update(compiled[key].extends)
    out_of_scope: dict[str, str] = {}
    for key, source in bases.items():
        scope = source.model.countries if isinstance(source.model, Profile) else []
        in_scope = country is None or not scope or country in scope
        if key in compiled and key not in replaced and in_scope:
            chosen.append(compiled[key])
        elif key in compiled and key not in replaced:
            out_of_scope[key] = f"not for {country} (countries: {', '.join(scope)})"
    # An overlay of an overlay replaces its parent overlay too.
    chosen = [p for p in chosen if p.profile.id not in replaced]
    return ProfileSet(
        tuple(sorted(chosen, key=lambda p: p.profile.id)),
        country=country,
        out_of_scope=dict(sorted(out_of_scope.items())),
    )


def load_all_profiles(
    paths: str | Path | Sequence[str | Path] = (),
    *,
    collect_errors: bool = True,
    bundled: bool = False,
) -> ProfileSet:
    """Every profile under ``paths`` (and the bundled library with ``bundled=True``, as
    for :func:`load_profiles`): the base profiles and every country's overlays,
    resolved and compiled (for validation, lint and ``riskprofile test``)."""
    loaded = _load(_with_bundled(paths, bundled), collect_errors)
    return ProfileSet(tuple(sorted(loaded.compiled.values(), key=lambda p: p.id)))


def _with_bundled(paths: str | Path | Sequence[str | Path], bundled: bool) -> list[str | Path]:
    """``paths`` as a list, with the bundled library first when ``bundled`` (once, even
    when ``paths`` names it too)."""
    listed: list[str | Path] = [paths] if isinstance(paths, str | Path) else list(paths)
    if not bundled:
        if not listed:
            raise ValueError("no profiles to load: pass paths, or bundled=True")
        return listed
    library = bundled_profiles_path()
    return [library, *(p for p in listed if Path(p).resolve() != library.resolve())]


def bundled_profiles_path() -> Path:
    """The folder of the profile library that ships with riskprofile.

    Installed packages carry it as ``riskprofile/bundled_profiles``; a source checkout
    (an editable install) uses the repository's ``profiles/`` folder.
    """
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "bundled_profiles", package.parent.parent / "profiles"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled profiles are missing from this installation")
