"""The lock of a profile folder: the SHA-256 of every profile file, so that a set is loaded
exactly as it was reviewed, or not at all.

A half-written profile file is often valid YAML and a valid profile: cut at the end of
a line inside the indicator list, it is the same profile with fewer indicators; cut
before ``bands:``, one whose every score is green. No parser can tell such a file from
one written that way on purpose. The lock can: ``lock_profiles(folder)`` writes
``profiles.lock`` beside the files (atomically) once the set is reviewed, and every load
of the folder then refuses a file whose bytes are not the ones locked, a locked file
that is missing and a profile file the lock does not list (each a
:class:`~riskprofile.errors.ProfileError` with code ``lock``). The bytes checked are the
bytes parsed: a file that changes while it is read cannot slip through.

The lock covers the watch-list files too (``*.csv``, ``*.tsv``, ``*.txt``, ``*.json``
under the folder, :data:`LIST_SUFFIXES`): a list file a profile reads must be locked, with
the bytes read (a half-written list is a shorter list, and loads as one), and a locked
list file must not be missing. A lock of version 1 (profile files only) still checks the
profile files, and refuses a load that reads a list file from its folder: lock again.

The lock is JSON: cut short, it is not a lock (and is refused as such).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from riskprofile.errors import ProfileError
from riskprofile.profiles._sources import file_digest, profile_files

__all__ = ["LIST_SUFFIXES", "LOCK_FILE", "check_list_locks", "check_locks", "lock_profiles"]

LOCK_FILE = "profiles.lock"
"""The name of a profile folder's lock file."""
LIST_SUFFIXES = (".csv", ".tsv", ".txt", ".json")
"""The watch-list files a lock covers, beside the profile files."""
_FORMAT = "riskprofile.profiles-lock"
_VERSION = 2  # 1: profile files only; 2: list files too


def _relative(folder: Path, path: Path) -> str:
    return path.resolve().relative_to(folder.resolve()).as_posix()


def lock_profiles(folder: str | os.PathLike[str]) -> Path:
    """Lock the profile folder ``folder``: write ``profiles.lock`` with the SHA-256 of
    every profile file under it (``*.yaml``/``*.yml``, recursively) and every list file
    (:data:`LIST_SUFFIXES`; hidden files and folders left out), atomically (a
    temporary file renamed over the old lock). Run it once the set is reviewed, and
    again after every reviewed change; returns the lock's path.

    Lock a set that loads: the lock says "these bytes", not "these bytes are valid".
    """
    root = Path(folder)
    if not root.is_dir():
        raise ProfileError("not a folder: only a folder of profiles is locked", path=str(root),
                           code="lock")  # fmt: skip
    files = {
        _relative(root, p): file_digest(p.read_bytes())
        for p in [*profile_files([root]), *list_files(root)]
    }
    text = json.dumps(
        {"format": _FORMAT, "version": _VERSION, "files": dict(sorted(files.items()))},
        indent=2,
    )
    fd, temporary = tempfile.mkstemp(prefix=".profiles.lock.", dir=root)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, root / LOCK_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return root / LOCK_FILE


def list_files(root: Path) -> list[Path]:
    """The list files under ``root`` a lock covers (:data:`LIST_SUFFIXES`; no hidden file
    or folder), in a stable order."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix.lower() in LIST_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def _read_lock(path: Path) -> tuple[dict[str, str], int]:
    """The locked files (relative path -> digest) of a lock file and its version, or
    ProfileError."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError(f"cannot read the lock ({exc}): lock the folder again",
                           path=str(path), code="lock") from None  # fmt: skip
    files = doc.get("files") if isinstance(doc, dict) else None
    if (
        not isinstance(doc, dict)
        or doc.get("format") != _FORMAT
        or doc.get("version") not in (1, _VERSION)
        or not isinstance(files, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
    ):
        raise ProfileError(
            f"not a profile lock of version {_VERSION}: lock the folder again",
            path=str(path),
            code="lock",
        )
    return files, int(doc["version"])


def check_locks(
    paths: Iterable[str | os.PathLike[str]],
    digests: Mapping[Path, str],
    require: bool | None,
) -> list[ProfileError]:
    """The lock problems of a load of ``paths``: every folder among them that has a lock
    (every folder, when ``require``; none when ``require`` is False) must hold exactly
    the files it locks, each with the bytes it locks. ``digests`` maps each profile file
    read (resolved path) to the digest of the bytes parsed; a file that could not be
    read is reported by the load itself."""
    if require is False:
        return []
    problems: list[ProfileError] = []
    for raw in paths:
        folder = Path(raw)
        if not folder.is_dir():
            continue
        lock = folder / LOCK_FILE
        if not lock.exists():
            if require:
                problems.append(ProfileError(
                    f"no {LOCK_FILE}: a locked load needs the folder locked "
                    "(riskprofile.profiles.lock_profiles)", path=str(folder), code="lock",
                ))  # fmt: skip
            continue
        try:
            locked = _profiles_only(_read_lock(lock)[0])
        except ProfileError as exc:
            problems.append(exc)
            continue
        present = {_relative(folder, p): p for p in profile_files([folder])}
        for name in sorted(set(locked) | set(present)):
            if name not in present:
                problems.append(ProfileError(
                    f"{name} is locked but missing: restore it, or lock the folder again",
                    path=str(lock), code="lock",
                ))  # fmt: skip
            elif name not in locked:
                problems.append(ProfileError(
                    f"not in {LOCK_FILE}: a file added since the folder was locked (or "
                    "being written); lock the folder again once it is reviewed",
                    path=str(present[name]), code="lock",
                ))  # fmt: skip
            else:
                found = digests.get(present[name].resolve())
                if found is not None and found != locked[name]:
                    problems.append(ProfileError(
                        f"its bytes are not the ones locked in {LOCK_FILE} ({found[:19]}..., "
                        f"locked {locked[name][:19]}...): changed, or half-written, since the "
                        "folder was locked; lock it again once the change is reviewed",
                        path=str(present[name]), code="lock",
                    ))  # fmt: skip
    return problems


def _is_list(name: str) -> bool:
    return Path(name).suffix.lower() in LIST_SUFFIXES


def _profiles_only(locked: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in locked.items() if not _is_list(k)}


def check_list_locks(
    paths: Iterable[str | os.PathLike[str]],
    digests: Mapping[Path, str],
    require: bool | None,
) -> list[ProfileError]:
    """The lock problems of the list files a load read: ``digests`` maps each list file
    read (resolved path) to the digest of the bytes parsed. In every locked folder among
    ``paths`` (see :func:`check_locks` for ``require``), a list file read must be locked
    with those bytes, and a locked list file must be there. A folder without a lock is
    reported by :func:`check_locks` when one is required."""
    if require is False:
        return []
    problems: list[ProfileError] = []
    for raw in paths:
        folder = Path(raw)
        lock = folder / LOCK_FILE
        if not folder.is_dir() or not lock.exists():
            continue
        try:
            locked, version = _read_lock(lock)
        except ProfileError:
            continue  # said by check_locks
        root = folder.resolve()
        read = {
            _relative(folder, path): (path, digest)
            for path, digest in digests.items()
            if root in path.parents
        }
        if version == 1:
            if read:
                problems.append(ProfileError(
                    f"{LOCK_FILE} (version 1) covers the profile files only, and the "
                    f"profiles read list files ({', '.join(sorted(read)[:3])}): lock the folder "
                    "again so that the lists are checked too", path=str(lock), code="lock",
                ))  # fmt: skip
            continue
        lists = {k: v for k, v in locked.items() if _is_list(k)}
        for name in sorted(set(lists) - {_relative(folder, p) for p in list_files(folder)}):
            problems.append(ProfileError(
                f"{name} is locked but missing: restore it, or lock the folder again",
                path=str(lock), code="lock",
            ))  # fmt: skip
        for name, (path, digest) in sorted(read.items()):
            if name not in lists:
                hint = ""
                if any(part.startswith(".") for part in Path(name).parts):
                    hint = " (a lock leaves hidden files out: give it a name without a dot)"
                elif path.suffix.lower() not in LIST_SUFFIXES:
                    hint = f" (a lock covers list files named *{', *'.join(LIST_SUFFIXES)})"
                problems.append(ProfileError(
                    f"a list file not in {LOCK_FILE}: added since the folder was locked "
                    f"(or being written); lock the folder again once it is reviewed{hint}",
                    path=str(path), code="lock",
                ))  # fmt: skip
            elif lists[name] != digest:
                problems.append(ProfileError(
                    f"its bytes are not the ones locked in {LOCK_FILE} ({digest[:19]}..., "
                    f"locked {lists[name][:19]}...): a list changed, or half-written, since "
                    "the folder was locked; lock it again once the change is reviewed",
                    path=str(path), code="lock",
                ))  # fmt: skip
    return problems
