"""A cache of parsed profile files, so that a process does not parse the same YAML again.

PyYAML's pure-Python composer is the largest part of loading the bundled library (about
half of it). A file parsed once is kept in the user's cache folder as its
:class:`~riskprofile.profiles._yaml.YamlDocument` (the values, and the position of every
key, value and text character) written as JSON, under a name derived from the SHA-256 of
the file's text and of everything that decides how it is parsed (this module's and the
YAML module's source, PyYAML's and Python's versions). What is cached is exactly what
:func:`~riskprofile.profiles._yaml.parse` returned, so the schema checks, the compiling
and every error location that follow are the same with or without the cache. Files that
do not parse are never cached: their errors always come from the parser.

Profiles are untrusted input and the cache is a file anyone with the user's rights could
edit, so an entry is never trusted blindly:

* it is JSON read by a strict decoder that accepts only the shapes it writes (never
  pickle, no object is built from a name in the file);
* it carries an HMAC-SHA256 of its content under a random key kept in the cache folder
  (mode 0600) and the SHA-256 of the text it was parsed from: an entry edited, cut
  short, copied from elsewhere or meant for another text is ignored and the file parsed
  again (and the entry rewritten);
* a folder not owned by the user, or writable by others, is not used at all;
* entries are written to a temporary file and renamed into place (a reader never sees a
  half-written entry), and what was read from the cache goes through the same schema
  validation as a fresh parse.

The folder is ``$RISKPROFILE_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/riskprofile``,
else ``~/.cache/riskprofile``; ``RISKPROFILE_NO_CACHE=1`` turns the cache off. Any
problem with the cache (a read-only disk, a full one, a corrupt entry) only means the
file is parsed, as without it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from riskprofile.profiles._yaml import MAX_NODES, Position, ScalarSource, YamlDocument, parse

__all__ = ["CACHE_DIR_VARIABLE", "NO_CACHE_VARIABLE", "cache_dir", "parse_cached"]

CACHE_DIR_VARIABLE = "RISKPROFILE_CACHE_DIR"
"""The environment variable naming the cache folder."""
NO_CACHE_VARIABLE = "RISKPROFILE_NO_CACHE"
"""The environment variable that turns the cache off (``1``, ``true`` or ``yes``)."""

_FORMAT = 2  # bumped when the entries' layout changes
_SUBFOLDER = f"parsed-profiles-v{_FORMAT}"
_MAX_ENTRIES = 512  # past this many entries the oldest go when a new one is written
_MAX_ENTRY_BYTES = 64 * 1024 * 1024  # far above any entry of a 1 MiB profile file


class _CorruptEntryError(Exception):
    """An entry that is not what this module writes."""


def cache_dir() -> Path | None:
    """The folder of the parsed-profile cache, or None when the cache is turned off (or
    there is no home folder to put it in)."""
    if os.environ.get(NO_CACHE_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on"):
        return None
    chosen = os.environ.get(CACHE_DIR_VARIABLE)
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "riskprofile"
    try:
        home = Path.home()
    except RuntimeError:  # no home directory to be found
        return None
    # A user without one may get "~" back: never a cache relative to the current folder.
    return home / ".cache" / "riskprofile" if home.is_absolute() else None


def parse_cached(text: str) -> YamlDocument:
    """:func:`~riskprofile.profiles._yaml.parse` of ``text``, read from the cache when a
    sound entry for this text is there, else parsed and stored.

    Raises:
        YamlError: the text does not parse (never cached).
    """
    folder = _usable_folder()
    if folder is None:
        return parse(text)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    name = hashlib.sha256(f"{_salt()}\0{digest}".encode()).hexdigest()
    entry = folder / f"{name}.json"
    key = _key(folder)
    if key is not None:
        try:
            return _read_entry(entry, key, digest)
        except (OSError, _CorruptEntryError, ValueError, RecursionError):
            pass  # missing, unreadable or unsound: parse as without the cache
    doc = parse(text)
    if key is not None:
        _write_entry(folder, entry, key, digest, doc)
    return doc


# --- the folder and its key ----------------------------------------------------------------

_SALT: str | None = None
_LOCK = threading.Lock()


def _salt() -> str:
    """What decides how a text is parsed, besides the text: the parser's own source (a
    changed parser never reads an entry of the old one), PyYAML's and Python's versions."""
    global _SALT
    if _SALT is None:
        import yaml

        from riskprofile.profiles import _yaml

        h = hashlib.sha256(f"{_FORMAT}\0{yaml.__version__}\0{sys.version}\0{MAX_NODES}".encode())
        for module_file in (_yaml.__file__, __file__):
            try:
                h.update(Path(module_file).read_bytes())
            except OSError:  # pragma: no cover - no source (a frozen install): its version
                from riskprofile import __version__

                h.update(str(__version__).encode())
        _SALT = h.hexdigest()
    return _SALT


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (POSIX; elsewhere, the folder's
    own access control applies)."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # pragma: no cover - Windows
        return True
    return info.st_uid == getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _usable_folder() -> Path | None:
    """The cache's subfolder, created (mode 0700) if need be; None when the cache is off
    or its folder cannot be made or is not private to the user."""
    root = cache_dir()
    if root is None:
        return None
    folder = root / _SUBFOLDER
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(folder, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or not _private(info):
        return None
    return folder


def _key(folder: Path) -> bytes | None:
    """The folder's HMAC key (32 random bytes, mode 0600), made on first use; None when
    it cannot be read or made, or is not private (then nothing is read or written)."""
    path = folder / "key"
    with _LOCK:
        for _ in range(2):
            try:
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            except FileNotFoundError:
                _make_key(folder, path)
                continue
            except OSError:
                return None
            try:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode) or not _private(info) or info.st_size != 32:
                    return None
                key = os.read(fd, 33)
            except OSError:
                return None
            finally:
                os.close(fd)
            return key if len(key) == 32 else None
    return None


def _make_key(folder: Path, path: Path) -> None:
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".key-")  # mode 0600
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        # Linked, not renamed: a key another process made meanwhile is kept.
        os.link(temporary, path)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


# --- entries -------------------------------------------------------------------------------


def _mac(key: bytes, digest: str, body: bytes) -> str:
    return hmac.new(key, digest.encode() + b"\0" + body, hashlib.sha256).hexdigest()


def _read_entry(entry: Path, key: bytes, digest: str) -> YamlDocument:
    with open(entry, "rb") as handle:
        raw = handle.read(_MAX_ENTRY_BYTES + 1)
    if len(raw) > _MAX_ENTRY_BYTES:
        raise _CorruptEntryError("too large")
    head, sep, body = raw.partition(b"\n")
    if not sep:
        raise _CorruptEntryError("no header")
    header = json.loads(head)
    if not isinstance(header, dict) or set(header) != {"format", "text", "mac"}:
        raise _CorruptEntryError("header")
    if header["format"] != _FORMAT or header["text"] != digest:
        raise _CorruptEntryError("another text or format")
    mac = header["mac"]
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(key, digest, body)):
        raise _CorruptEntryError("not written with this folder's key, or changed since")
    return _decode(json.loads(body))


def _write_entry(folder: Path, entry: Path, key: bytes, digest: str, doc: YamlDocument) -> None:
    try:
        body = json.dumps(_encode(doc), ensure_ascii=False, separators=(",", ":")).encode()
    except (ValueError, TypeError, RecursionError):  # pragma: no cover - nothing to keep
        return
    header = json.dumps({"format": _FORMAT, "text": digest, "mac": _mac(key, digest, body)})
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".entry-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(header.encode() + b"\n" + body)
        os.replace(temporary, entry)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    _prune(folder)


def _prune(folder: Path) -> None:
    """Past :data:`_MAX_ENTRIES` entries, the least recently written half goes."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".json")]
        if len(entries) <= _MAX_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime)
        for old in entries[: len(entries) - _MAX_ENTRIES // 2]:
            os.unlink(old.path)
    except OSError:
        pass


# --- the document as JSON ------------------------------------------------------------------
#
# Values are tagged so that every type comes back as it was parsed: ["s", text],
# ["i", int], ["f", repr], ["b", bool], ["n"], ["d", "2026-01-31"], ["t", iso, offset
# seconds or null], ["l", [values]], ["m", [[key, value], ...]] (keys in the order
# written). Each path is written once, in "paths" (JSON lists of texts and integers);
# the tables name it by its index there, as flat lists of integers, which decode several
# times faster than a list per row: "keys" and "values" [path, line, column, ...],
# "scalars" [path, number of segments, then offset, line, column of each, ...], "raw"
# [[path, text], ...].


def _encode(doc: YamlDocument) -> dict[str, Any]:
    index: dict[tuple[str | int, ...], int] = {}

    def at(path: tuple[str | int, ...]) -> int:
        return index.setdefault(path, len(index))

    keys = [n for p, pos in doc.keys.items() for n in (at(p), pos.line, pos.column)]
    values = [n for p, pos in doc.values.items() for n in (at(p), pos.line, pos.column)]
    scalars: list[int] = []
    for path, source in doc.scalars.items():
        scalars += (at(path), len(source.segments))
        for segment in source.segments:
            scalars += segment
    raw = [[at(p), text] for p, text in doc.raw.items()]
    return {
        "data": _value(doc.data),
        "paths": [list(p) for p in index],
        "keys": keys,
        "values": values,
        "scalars": scalars,
        "raw": raw,
    }


def _value(value: Any) -> list[Any]:
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        return ["f", repr(value)]
    if value is None:
        return ["n"]
    if isinstance(value, dt.datetime):
        offset = value.utcoffset()
        naive = value.replace(tzinfo=None).isoformat()
        return ["t", naive, None if offset is None else offset // dt.timedelta(microseconds=1)]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, list):
        return ["l", [_value(v) for v in value]]
    if isinstance(value, dict):
        return ["m", [[k, _value(v)] for k, v in value.items()]]
    raise TypeError(f"cannot cache a {type(value).__name__}")  # pragma: no cover


_TABLES = frozenset({"data", "paths", "keys", "values", "scalars", "raw"})


def _decode(data: Any) -> YamlDocument:
    if not isinstance(data, dict) or set(data) != _TABLES:
        raise _CorruptEntryError("document")
    doc = YamlDocument(data=_unvalue(data["data"]))
    paths = _paths(data["paths"])
    for target, name in ((doc.keys, "keys"), (doc.values, "values")):
        flat = _ints(data[name], len(paths))
        if len(flat) % 3:
            raise _CorruptEntryError(name)
        each = iter(flat)
        for path, line, column in zip(each, each, each, strict=True):
            target[paths[path]] = Position(line, column)
    flat, at = _ints(data["scalars"]), 0
    while at < len(flat):
        path, count = flat[at], flat[at + 1] if at + 1 < len(flat) else 0
        end = at + 2 + 3 * count
        if not 0 <= path < len(paths) or count < 1 or end > len(flat):
            raise _CorruptEntryError("scalar")
        each = iter(flat[at + 2 : end])
        doc.scalars[paths[path]] = ScalarSource(tuple(zip(each, each, each, strict=True)))
        at = end
    rows = data["raw"]
    if not isinstance(rows, list):
        raise _CorruptEntryError("raw")
    for row in rows:
        if not (
            isinstance(row, list)
            and len(row) == 2
            and type(row[0]) is int
            and 0 <= row[0] < len(paths)
            and isinstance(row[1], str)
        ):
            raise _CorruptEntryError("raw")
        doc.raw[paths[row[0]]] = row[1]
    return doc


def _paths(items: Any) -> list[tuple[str | int, ...]]:
    if not isinstance(items, list):
        raise _CorruptEntryError("paths")
    paths = []
    for item in items:
        if not isinstance(item, list):
            raise _CorruptEntryError("path")
        path = tuple(item)
        for part in path:
            if type(part) is not str and type(part) is not int:
                raise _CorruptEntryError("path")
        paths.append(path)
    return paths


def _ints(values: Any, paths: int | None = None) -> list[int]:
    """``values`` when a list of integers (and, given ``paths``, every third from the
    first a path's index)."""
    if not isinstance(values, list) or not all(type(v) is int for v in values):
        raise _CorruptEntryError("integers")
    if paths is not None and values:
        indexes = values[0::3]
        if min(indexes) < 0 or max(indexes) >= paths:
            raise _CorruptEntryError("path index")
    return values


def _int(value: Any) -> int:
    if type(value) is not int:
        raise _CorruptEntryError("integer")
    return value


def _unvalue(item: Any) -> Any:
    if not isinstance(item, list) or not item or not isinstance(item[0], str):
        raise _CorruptEntryError("value")
    tag, rest = item[0], item[1:]
    if tag == "n" and not rest:
        return None
    if len(rest) == 1:
        (value,) = rest
        if tag == "s" and isinstance(value, str):
            return value
        if tag == "b" and isinstance(value, bool):
            return value
        if tag == "i" and type(value) is int:
            return value
        if tag == "f" and isinstance(value, str):
            return float(value)
        if tag == "d" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if tag == "l" and isinstance(value, list):
            return [_unvalue(v) for v in value]
        if tag == "m" and isinstance(value, list):
            out: dict[str, Any] = {}
            for pair in value:
                if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                    raise _CorruptEntryError("mapping")
                if pair[0] in out:
                    raise _CorruptEntryError("key repeated")
                out[pair[0]] = _unvalue(pair[1])
            return out
    if tag == "t" and len(rest) == 2 and isinstance(rest[0], str):
        moment = dt.datetime.fromisoformat(rest[0])
        if moment.tzinfo is not None:
            raise _CorruptEntryError("timestamp")
        if rest[1] is None:
            return moment
        return moment.replace(tzinfo=dt.timezone(dt.timedelta(microseconds=_int(rest[1]))))
    raise _CorruptEntryError(f"value tagged {tag!r}")
