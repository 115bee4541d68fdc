"""Files of the exchange: written atomically, read within a size limit.

A watch list a scoring run reads must never be seen half written, and a kill between two
writes must leave every file whole: :func:`write_atomic` writes a temporary file beside
the target, flushes it to disk and renames it over the target (a rename is atomic on
POSIX and Windows), then flushes the folder so that the rename itself is durable.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from riskprofile._files import RefusedFileError, read_regular_file
from riskprofile.errors import InputFormatError

__all__ = ["folder_lock", "read_limited", "sync_folder", "write_atomic"]


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: a reader (or a kill) sees the old file
    or the new one, never a part. Raises ``OSError`` when the folder is not writable."""
    # The file keeps its mode; a new one gets the usual mode (0o666 less the umask), not
    # the owner-only mode of tempfile.mkstemp, so that a scoring run under another user
    # can still read the watch list.
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = 0o666
    temporary = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make a rename or a deletion in ``folder`` durable (its entries written to disk);
    Windows cannot open a folder for this, and does not need to."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_limited(path: str | Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, refused with :class:`InputFormatError` (naming the file)
    when it is missing, unreadable, or larger than ``limit`` bytes: a larger file is not
    read at all."""
    try:
        return read_regular_file(path, limit)
    except RefusedFileError as exc:
        raise InputFormatError(f"{what} {exc}", path=str(path)) from None
    except OSError as exc:
        raise InputFormatError(f"cannot read the {what}: {exc.strerror or exc}",
                               path=str(path)) from None  # fmt: skip


@contextlib.contextmanager
def folder_lock(folder: Path, name: str) -> Iterator[None]:
    """Hold an exclusive lock on ``folder/name`` (made if missing) while the block runs,
    so that two imports into one folder do not interleave their read-modify-write. The
    system releases it when the process ends, killed or not. Without ``fcntl``
    (Windows) the block runs unlocked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
