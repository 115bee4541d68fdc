"""Reading untrusted files safely: one place for the rule every reader of profiles,
list files, mappings and exchange messages follows (regular files only, never waited on,
never read past a limit)."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

__all__ = ["RefusedFileError", "read_regular_file"]


class RefusedFileError(Exception):
    """A file that is not read: not a regular file, or larger than its limit."""

    def __init__(self, message: str, code: str, size: int | None = None) -> None:
        super().__init__(message)
        self.code = code  # "io" (not a regular file) or "too_large"
        self.size = size  # the file's size, when it is too large


def read_regular_file(path: str | Path, limit: int, *, refuse_larger: bool = True) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    A FIFO, a device or a socket is refused without waiting on it (opened non-blocking,
    checked on the open descriptor, so that no other file can be swapped in between),
    and at most ``limit + 1`` bytes are ever read, even from a file that grows. With
    ``refuse_larger=False`` a larger file is not refused: its first ``limit + 1`` bytes
    are returned, for a caller that refuses it its own way.

    Raises:
        RefusedFileError: not a regular file, or too large.
        OSError: it cannot be opened or read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFileError("is not a regular file (a FIFO, device or socket?)", "io")
        if refuse_larger and info.st_size > limit:
            message = f"is {info.st_size:,} bytes; the limit is {limit:,}"
            raise RefusedFileError(message, "too_large", info.st_size)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if refuse_larger and size > limit:
            raise RefusedFileError(f"is over {limit:,} bytes, the limit", "too_large", size)
        return b"".join(chunks)
    finally:
        os.close(fd)


def files_signature(paths: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Every file under ``paths`` (files, or folders searched recursively; the word
    ``bundled`` skipped) with the SHA-256 of its bytes, or why it could not be read: what
    changes when a profile or list file is edited, added or removed. A modification time
    is not enough: it can stay the same across two quick writes of the same size."""
    found: list[tuple[str, str]] = []
    for path in paths:
        if path == "bundled":
            continue
        root = Path(path)
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for file in files:
            try:
                digest = hashlib.sha256(file.read_bytes()).hexdigest()
            except OSError as exc:
                digest = f"unreadable: {exc.strerror}"
            found.append((str(file), digest))
    return tuple(found)
