"""Reading profile files into sources: a file's parsed YAML, its schema model and where each
value was written (:class:`_Source`, :class:`_Origin`, :class:`_Resolved`), the errors
of a load collected with their file:line:col (:class:`_Errors`), and the messages for a
file whose shape is wrong or whose ids repeat.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.errors import ProfileError
from riskprofile.profiles._compiled import ListEntry, Location
from riskprofile.profiles._parse_cache import parse_cached
from riskprofile.profiles._schema import Overlay, Profile
from riskprofile.profiles._tree import CompileProblem
from riskprofile.profiles._yaml import MAX_PROFILE_BYTES, Position, YamlDocument, YamlError

__all__ = ["file_digest", "profile_files"]


_SUFFIXES = (".yaml", ".yml")


@dataclass
class _Source:
    """A parsed profile file."""

    path: str
    doc: YamlDocument
    model: Profile | Overlay
    digest: str = ""  # of the bytes parsed (file_digest), for the folder's lock


def file_digest(data: bytes) -> str:
    """``sha256:<hex>`` of a profile file's bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


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
        # resolved path -> digest of the bytes read, for the folder's lock
        self.list_digests: dict[str, str] = {}
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
        # A file parsed before is read from the cache (the same document: errors that
        # follow are located alike); one that does not parse always goes to the parser.
        doc = parse_cached(text)
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
    return _Source(name, doc, model, file_digest(data))


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
