"""Small output helpers shared by the commands.

Every command checks the files it will write *before* it reads or scores anything
(:func:`check_outputs`): a missing folder, a folder given where a file is expected, a file
that cannot be written, or - worst - an output that is one of the command's own inputs
(``score b.csv -o b.csv``, or ``-o`` onto the ``.hits.csv`` that is now the input) is a
usage error at once, not a traceback after minutes of work or a batch overwritten.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path

from riskprofile.cli import _args

__all__ = ["check_outputs", "emit", "folder_problem", "inside"]


def emit(text: str, output: str | None) -> None:
    """Write ``text`` to the file ``output``, or to standard output when it is None/'-'."""
    if output and output != "-":
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they would be
        return a.resolve() == b.resolve()


def folder_problem(folder: str | Path) -> str | None:
    """Why ``folder`` (an output folder the command makes when missing, with its parents)
    could not be made or written into, found without making anything; None when it can.
    Checked before a command reads its inputs (a key, a message, a batch)."""
    folder = Path(folder)
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent  # the nearest part of the path that exists
    if not probe.is_dir():
        return "it is a file, not a folder" if probe == folder else f"{probe} is a file"
    if not os.access(probe, os.W_OK | os.X_OK):
        return "permission denied"
    return None


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (links resolved)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def check_outputs(
    command: str,
    outputs: Iterable[str | Path | None],
    inputs: Iterable[str | Path | None] = (),
    *,
    folders: Iterable[str | Path | None] = (),
) -> None:
    """Refuse, before any work, output files that cannot be written or are inputs.

    Args:
        command: the command's name, for the message (``score``, ``data convert``).
        outputs: the files the command will write (None and ``-`` mean standard output
            and are skipped); derived files (``x.hits.csv``) must be listed too.
        inputs: the files and folders the command reads. An output may not be the same
            file as an input file, nor overwrite an existing file inside an input folder
            (a profile folder, say).
        folders: output *folders* (``exchange keygen -o``): each must be an existing,
            writable folder.

    Raises:
        SystemExit: a usage error (exit 2) naming the file and what is wrong.
    """
    given = [Path(p) for p in inputs if p not in (None, "", "-")]
    for raw in outputs:
        if raw in (None, "", "-"):
            continue
        out = Path(raw)
        if out.is_dir():
            raise _args.usage_error(command, f"{str(out)!r} is a folder, not a file to write")
        parent = out.parent if str(out.parent) else Path()
        if not parent.is_dir():
            raise _args.usage_error(
                command, f"cannot write {str(out)!r}: the folder {str(parent)!r} does not exist"
            )
        if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
            raise _args.usage_error(command, f"cannot write {str(out)!r}: permission denied")
        for source in given:
            if source.is_dir():
                if out.exists() and inside(out, source):
                    raise _args.usage_error(
                        command,
                        f"refusing to write {str(out)!r}: it would overwrite a file of the "
                        f"input folder {str(source)!r}",
                    )
            elif _same_file(out, source):
                raise _args.usage_error(
                    command,
                    f"refusing to write {str(out)!r}: it is an input of this command "
                    f"({str(source)!r}); choose another output file",
                )
    for raw in folders:
        if raw in (None, ""):
            continue
        folder = Path(raw)
        if not folder.is_dir():
            raise _args.usage_error(command, f"{str(folder)!r} is not an existing folder")
        if not os.access(folder, os.W_OK):
            raise _args.usage_error(
                command, f"cannot write into {str(folder)!r}: permission denied"
            )
