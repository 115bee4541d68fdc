"""Regexes in risk profiles: RE2's dialect, matched in time linear in the text.

Profiles are untrusted input, and so is every manifest they run on. A backtracking regex
engine (Python's :mod:`re`) takes exponential time on some pattern and text pairs
(``(A+)+$`` on 26 ``A`` and a ``!`` took 19 s, doubling with every character), and a
static analysis of patterns only ever catches the shapes it knows. So no regex of a
profile runs on a backtracking engine: the row-wise engine compiles and matches every
pattern with RE2 (``google-re2``), and the columnar engine with Rust's ``regex`` crate
(:mod:`riskprofile.engines.columnar._regex` writes each pattern for it with RE2's
meaning). Both are automaton engines: matching takes time linear in the length of the
text for every pattern, whatever the pattern.

:func:`regex_problems` says why a pattern is refused when a profile loads:

* RE2 does not compile it: a syntax error (in RE2's words, with where), a construct only
  a backtracking engine has (backreferences ``\\1``, lookahead ``(?=...)`` and lookbehind
  ``(?<=...)``, atomic groups ``(?>...)`` and possessive repeats ``a*+``, conditionals,
  ``\\Z``, verbose mode ``(?x)``), a repeat count above 1000, or a program larger than
  RE2's memory budget;
* it is longer than :data:`MAX_PATTERN_LENGTH` characters.

:func:`compile_regex` gives the compiled pattern (cached), for both engines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import re2

__all__ = [
    "MAX_PATTERN_LENGTH",
    "RegexProblem",
    "RegexRefused",
    "compile_regex",
    "regex_problems",
]

MAX_PATTERN_LENGTH: Final = 1000
"""Longest pattern a profile may use, in characters."""


@dataclass(frozen=True)
class RegexProblem:
    """Why a pattern is refused.

    Attributes:
        code: ``syntax`` (RE2 does not compile it), ``unsupported`` (a construct only a
            backtracking engine has), ``too_long`` or ``too_large``.
        message: what is wrong and what to write instead, in words.
        offset: the 0-based position in the pattern where the problem is, when known.
    """

    code: str
    message: str
    offset: int | None = None


class RegexRefused(ValueError):  # noqa: N818 - a refusal with its reason
    """A pattern :func:`compile_regex` refuses; ``problem`` says why."""

    def __init__(self, problem: RegexProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    return options


_OPTIONS: Final = _options()

# RE2's error text for constructs of backtracking engines, and what to say instead.
_UNSUPPORTED: Final = (
    (re.compile(r"^\\[1-9]"), "a backreference"),
    (re.compile(r"^\(\?P="), "a backreference"),
    (re.compile(r"^\(\?[=!]"), "a lookahead"),
    (re.compile(r"^\(\?<[=!]"), "a lookbehind"),
    (re.compile(r"^\(\?>"), "an atomic group"),
    (re.compile(r"^[*+?}]\+$|^.*[*+?}]\+$"), "a possessive repeat"),
    (re.compile(r"^\(\?\("), "a conditional group"),
    (re.compile(r"^\(\?[a-zA-Z-]*x"), "verbose mode"),
    (re.compile(r"^\(\?#"), "a comment group"),
)


def _problem_of(pattern: str, error: str) -> RegexProblem:
    """RE2's error message (``"<what>: <fragment>"``) as a problem with its position."""
    what, _, fragment = error.partition(": ")
    offset = pattern.find(fragment) if fragment else -1
    where = None if offset < 0 else offset
    if where is not None and pattern.startswith("(?P=", where):
        fragment = "(?P="
    if what == "missing )":
        return RegexProblem("syntax", "a group '(' is not closed", _unclosed(pattern))
    if what == "missing ]":
        return RegexProblem("syntax", "a class '[' is not closed", _unclosed(pattern, "["))
    if what == "unexpected )":
        return RegexProblem("syntax", "a ')' closes no group", None)
    if fragment == r"\Z":
        return RegexProblem(
            "unsupported", r"\Z is not supported: write $ (the end of the text) or \z", where
        )
    for shape, name in _UNSUPPORTED:
        if shape.search(fragment):
            return RegexProblem(
                "unsupported",
                f"{name} ({fragment!r}) is not supported: regexes run on RE2, which "
                "matches in linear time and has no construct that needs backtracking",
                where,
            )
    if "repetition size" in what:
        return RegexProblem(
            "too_large",
            f"the repeat {fragment!r} is too large: RE2 allows at most 1000 repetitions, "
            "nested repeats multiplied",
            where,
        )
    if "pattern too large" in what:
        return RegexProblem(
            "too_large",
            "the pattern compiles to more than RE2's memory budget; simplify it",
            None,
        )
    return RegexProblem("syntax", f"{what}: {fragment}" if fragment else what, where)


def _unclosed(pattern: str, kind: str = "(") -> int | None:
    """Where the last unclosed group (or class) of ``pattern`` opens."""
    opened: list[int] = []
    i = 0
    in_class: int | None = None
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class is not None:
            if ch == "]" and i > in_class + 1:
                in_class = None
        elif ch == "[":
            in_class = i + (1 if pattern.startswith("[^", i) else 0)
        elif ch == "(":
            opened.append(i)
        elif ch == ")" and opened:
            opened.pop()
        i += 1
    if kind == "[":
        return None if in_class is None else pattern.rfind("[", 0, in_class + 1)
    return opened[-1] if opened else None


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> Any:
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RegexRefused(
            RegexProblem(
                "too_long",
                f"is {len(pattern)} characters long; at most {MAX_PATTERN_LENGTH} are "
                "allowed: split the condition or simplify the pattern",
                MAX_PATTERN_LENGTH,
            )
        )
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        message = exc.args[0] if exc.args else str(exc)
        if isinstance(message, bytes):
            message = message.decode("utf-8", "replace")
        raise RegexRefused(_problem_of(pattern, str(message))) from None


def compile_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2 (``.match`` anchors at the start, ``.search`` looks
    anywhere, as in :mod:`re`); raises :class:`RegexRefused` with the reason when it is
    refused. Compiled patterns are cached."""
    if not isinstance(pattern, str):
        raise RegexRefused(
            RegexProblem("syntax", f"a pattern must be text, not {type(pattern).__name__}")
        )
    return _compiled(pattern)


def regex_problems(pattern: str) -> list[RegexProblem]:
    """Why ``pattern`` is refused (at most one problem); empty when RE2 runs it."""
    try:
        compile_regex(pattern)
    except RegexRefused as exc:
        return [exc.problem]
    return []
