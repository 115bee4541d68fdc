"""API keys: one per calling system, kept only as hashes in a keys file.

The keys file is text, one key per line: ``<caller> sha256:<hex digest of the key>``;
blank lines and lines starting with ``#`` are ignored. A key is 32 random bytes
(``rpk_`` and URL-safe base64), so a plain SHA-256 is enough to keep it (no password to
stretch): the file can be read by whoever runs the service without giving a key away.
``riskprofile serve --new-key CALLER --keys FILE`` adds one and prints the key once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from riskprofile.errors import RiskProfileError

__all__ = ["ApiKeys", "KeysFileError", "hash_key", "new_key"]

_LINE = re.compile(
    r"^(?P<caller>[A-Za-z0-9][A-Za-z0-9._-]{0,63})\s+sha256:(?P<digest>[0-9a-f]{64})$"
)
MAX_KEYS_FILE_BYTES = 1024 * 1024


class KeysFileError(RiskProfileError):
    """The keys file cannot be used (``path``, and ``line`` when one line is at fault)."""

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")


def hash_key(key: str) -> str:
    """The hash a keys file keeps of ``key``: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A new random API key."""
    return "rpk_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ApiKeys:
    """The callers and the hashes of their keys."""

    callers: dict[str, str]  # digest (hex) -> caller

    @classmethod
    def read(cls, path: str | Path) -> ApiKeys:
        """Read a keys file; raises :class:`KeysFileError` naming the file and line."""
        where = str(path)
        target = Path(path)
        if not target.is_file():  # a folder, a FIFO or nothing at all
            raise KeysFileError("not a keys file (no such regular file)", path=where)
        with target.open("rb") as handle:
            data = handle.read(MAX_KEYS_FILE_BYTES + 1)
        if len(data) > MAX_KEYS_FILE_BYTES:
            raise KeysFileError(f"larger than {MAX_KEYS_FILE_BYTES} bytes", path=where)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise KeysFileError("not UTF-8 text", path=where) from None
        callers: dict[str, str] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            found = _LINE.match(line)
            if found is None:
                raise KeysFileError(
                    "expected '<caller> sha256:<64 hex digits>' (see 'riskprofile serve "
                    "--new-key')",
                    path=where,
                    line=number,
                )
            if found["caller"] in callers.values():
                raise KeysFileError(
                    f"caller {found['caller']} has a key already", path=where, line=number
                )
            callers[found["digest"]] = found["caller"]
        if not callers:
            raise KeysFileError(
                "holds no key (add one with 'riskprofile serve --new-key')", path=where
            )
        return cls(callers)

    def caller(self, key: str | None) -> str | None:
        """The caller whose key this is, or None."""
        if not key or len(key) > 256:
            return None
        digest = hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()
        for known, caller in self.callers.items():
            if hmac.compare_digest(known, digest):
                return caller
        return None


def add_key(path: str | Path, caller: str) -> str:
    """Add a new key for ``caller`` to the keys file (created when missing); returns the
    key, which is not kept anywhere."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", caller):
        raise KeysFileError(
            f"caller {caller[:80]!r}: letters, digits, '.', '_' and '-' only (64 at most)",
            path=str(path),
        )
    target = Path(path)
    if target.exists():
        keys = ApiKeys.read(target)
        if caller in keys.callers.values():
            raise KeysFileError(f"caller {caller} has a key already", path=str(path))
    key = new_key()
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f"{caller} {hash_key(key)}\n")
    return key
