"""The ``riskprofile`` command line.

Exit codes (the same for every command):

- 0: done;
- 1: done, but the data had problems the caller asked to fail on (records rejected in
  strict mode);
- 2: the command could not run: bad arguments, a file that cannot be read or written
  (named in a one-line message), an output that would overwrite an input, an invalid
  column mapping;
- 3: an internal error (a bug in riskprofile: the traceback is printed; please report it);
- 4: nothing was scored: no profile takes part in the run (each skipped one is listed
  with its reason: a draft, expired, out of the country's scope...).
"""

from __future__ import annotations

import argparse
import atexit
import gc
import sys
import traceback
import warnings
from collections.abc import Sequence
from typing import TextIO

from riskprofile.cli import (
    _args,
    _data,
    _evaluate,
    _exchange,
    _history,
    _lists,
    _memory,
    _profiles,
    _reference,
    _score,
    _serve,
    _sql,
    _suggest,
)
from riskprofile.errors import NoProfilesError, ProfileSetError, RiskProfileError

__all__ = [
    "EXIT_DATA_PROBLEMS",
    "EXIT_INTERNAL_ERROR",
    "EXIT_NO_PROFILES",
    "EXIT_OK",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_DATA_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL_ERROR = 3
EXIT_NO_PROFILES = 4


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``riskprofile`` command."""
    parser = _args.Parser(
        prog="riskprofile",
        description="Rule-based risk profiling of sea containers: score manifest batches "
        "against risk profiles and select containers for inspection; check batches; "
        "validate and test profiles.",
        epilog="Exit codes: 0 done; 1 data problems (e.g. rejected records in strict mode); "
        "2 the command could not run; 3 internal error; 4 no profile took part in the run. "
        "See docs/cli.md.",
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _score.register(commands)
    _evaluate.register(commands)
    _suggest.register(commands)
    _data.register(commands)
    _profiles.register(commands)
    _reference.register(commands)
    _exchange.register(commands)
    _lists.register(commands)
    _history.register(commands)
    _sql.register(commands)
    _serve.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    _freeze_at_exit()
    warnings.showwarning = _show_warning
    parser = build_parser()
    args = parser.parse_args(argv)
    # Before anything loads Polars. A Parquet batch scored keeps its freed pages (see
    # riskprofile._allocator: measured so at a million shipments).
    batch = str(getattr(args, "batch", "") or "").lower()
    _memory.configure_allocator(args.command == "score" and batch.endswith(".parquet"))
    try:
        code: int = args.run(args)
    except SystemExit as exc:  # a usage error found while running (already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except ProfileSetError as exc:
        for error in exc.errors:
            print(_args.shorten(f"{error.location_text()} [{error.code}]"), file=sys.stderr)
        print(f"riskprofile: error: {len(exc.errors)} problem(s) in the profiles", file=sys.stderr)
        return EXIT_USAGE
    except NoProfilesError as exc:
        print(f"riskprofile: error: {exc}", file=sys.stderr)
        return EXIT_NO_PROFILES
    except RiskProfileError as exc:
        print(_args.shorten(f"riskprofile: error: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. piped into `head`
        return EXIT_OK
    except OSError as exc:  # a file or folder the system refused: name it, no traceback
        print(_args.shorten(f"riskprofile: error: {_os_error_text(exc)}"), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception:
        traceback.print_exc()
        print("riskprofile: internal error (a bug; please report it)", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    return code


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A library warning (e.g. a profile whose indicators read fields the run was not
    given) said as the command's own warnings are, without a source file and line."""
    print(_args.shorten(f"riskprofile: warning: {message}"), file=file or sys.stderr)


class _Version(argparse.Action):
    """``--version``, as argparse's own, with the version read only when asked for: the
    package metadata needs ``importlib.metadata`` (and ``email``), about 45 ms of CPU
    that every other command paid for nothing."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS) -> None:
        super().__init__(
            option_strings, dest, nargs=0, default=argparse.SUPPRESS,
            help="show program's version number and exit",
        )  # fmt: skip

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from riskprofile import __version__

        parser._print_message(f"riskprofile {__version__}\n", sys.stdout)
        parser.exit()


def _freeze_at_exit() -> None:
    """At exit, move every object out of the garbage collector's reach (``gc.freeze``):
    the interpreter's final collection then walks none of them. The process is ending,
    so nothing is lost but time: that collection was about 0.2 s of CPU, a tenth of a
    port day's ``score``, after the last output was written (docs/performance.md)."""
    global _FREEZING
    if not _FREEZING:
        _FREEZING = True
        atexit.register(gc.freeze)


_FREEZING = False


def _os_error_text(exc: OSError) -> str:
    reason = (exc.strerror or str(exc)).rstrip(".")
    if exc.filename is None:
        return reason
    where = f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 is not None else "")
    return f"{where}: {reason[:1].lower()}{reason[1:]}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
