"""Profile sets loaded once per test process, for the tests that load the same files
again and again (the command line loads the bundled library on every run).

Loading, validating and compiling the bundled library costs about 0.1 s of CPU; the
suite did it some 1,700 times, most of them in files that run ``riskprofile score``
in-process dozens of times. :func:`load_once` patches the loaders those files reach
with a memo: the same call on the same files gives the set made the first time.

The memo is keyed on everything a load reads: the call's arguments, the resolved
paths, every file under them (path, modification time, size and a hash of the bytes:
a test that edits, adds or removes a profile or a list file gets a fresh load) and the
environment (a party-key list reads its secret from it). A file named directly keys on
the whole folder it is in, where its list files may be. A load that raises is never
remembered, and neither is one over symbolic links or over a large folder. A
:class:`~riskprofile.profiles.ProfileSet` is immutable, so handing the same one to
several runs is what one process scoring several batches does; a test that changes
the loader itself (a monkeypatch of ``riskprofile.profiles._load``) must not use it.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

import riskprofile.profiles

_MEMO: dict[tuple[Any, ...], Any] = {}
_MAX_FILES = 400
_MAX_BYTES = 32 * 1024 * 1024
_VOLATILE = frozenset({"PYTEST_CURRENT_TEST"})

# Where the loaders are read: the command line imports them from ``riskprofile.profiles``
# when it runs (cli._args, cli._profiles, cli._sql), the services at import; a test module
# that imported one names its own (``f"{__name__}.load_profiles"``).
TARGETS = (
    "riskprofile.profiles.load_profiles",
    "riskprofile.profiles.load_all_profiles",
    "riskprofile.load_profiles",
    "riskprofile.load_all_profiles",
)
SERVE = "riskprofile.serve._app.load_profiles"


def _files(root: Path) -> list[Path] | None:
    """The regular files under ``root`` (itself if a file), or None when it has links."""
    if root.is_symlink():
        return None
    if root.is_file():
        return [root]
    found: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        for name in [*subfolders, *names]:
            if (here / name).is_symlink():
                return None
        found += (here / name for name in names)
        if len(found) > _MAX_FILES:
            return None
    return sorted(found)


def _signature(paths: Sequence[str | Path], bundled: bool) -> tuple[Any, ...] | None:
    """What the files the load may read are now, or None when not to remember it."""
    roots = [Path(p).resolve() for p in paths]
    if bundled:
        roots.append(riskprofile.profiles.bundled_profiles_path().resolve())
    entries: list[tuple[str, int, int, str]] = []
    total = 0
    for root in roots:
        if not root.exists():
            return None
        files = _files(root.parent if root.is_file() else root)
        if files is None:
            return None
        for file in files:
            stat = file.stat()
            total += stat.st_size
            if total > _MAX_BYTES:
                return None
            digest = hashlib.blake2b(file.read_bytes(), digest_size=16).hexdigest()
            entries.append((str(file), stat.st_mtime_ns, stat.st_size, digest))
    return (tuple(str(r) for r in roots), tuple(entries))


def remembered(load: Callable[..., Any]) -> Callable[..., Any]:
    """``load`` (``load_profiles`` or ``load_all_profiles``) with the memo."""

    @functools.wraps(load)
    def once(paths: str | Path | Sequence[str | Path] = (), **options: Any) -> Any:
        listed = [paths] if isinstance(paths, str | Path) else list(paths)
        signature = _signature(listed, bool(options.get("bundled")))
        if signature is None:
            return load(paths, **options)
        environment = tuple(sorted(kv for kv in os.environ.items() if kv[0] not in _VOLATILE))
        key = (load, signature, tuple(sorted(options.items())), environment)
        if key not in _MEMO:
            _MEMO[key] = load(paths, **options)
        return _MEMO[key]

    return once


def load_once(monkeypatch: pytest.MonkeyPatch, *targets: str) -> None:
    """Patch the loaders at ``targets`` (dotted names; :data:`TARGETS` when none) with
    the memo, for one test (call it from an autouse fixture of the file)."""
    for target in targets or TARGETS:
        module, _, name = target.rpartition(".")
        real = getattr(__import__(module, fromlist=[name]), name)
        monkeypatch.setattr(target, remembered(real))
