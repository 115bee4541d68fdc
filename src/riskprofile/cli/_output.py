"""Small output helpers shared by the commands."""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["emit"]


def emit(text: str, output: str | None) -> None:
    """Write ``text`` to the file ``output``, or to standard output when it is None/'-'."""
    if output and output != "-":
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
