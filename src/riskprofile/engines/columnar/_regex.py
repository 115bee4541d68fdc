"""Python regular expressions rewritten for Polars (Rust ``regex``), when they mean the same.

Rules are evaluated with Python's :mod:`re`; Polars matches with the Rust ``regex`` crate.
The two differ in syntax (nested classes, ``{`` literals, octal escapes) and in meaning
(``$`` before a final newline, ``\\w``/``\\s``/``\\b`` on non-ASCII text, and Rust has no
backreferences or lookaround). So the pattern is not copied: it is parsed with Python's
own parser and the parsed tree is written out again in Rust syntax, every literal
escaped. Constructs Rust cannot express are refused with a reason. Where the meaning
differs only on unusual text (non-ASCII characters, control characters, newlines), the
caller matches such text with Python's ``re`` instead, or leaves it to the row-wise
engine (see :attr:`RustPattern.guard`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["RustPattern", "UnsupportedRegex", "rust_pattern"]

# Python's regex parser: the only exact way to know what a pattern means to `re`.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]

# Text made only of these characters is read identically by both engines for every
# construct we emit (\w, \d, \s, \b, case folding, $ at the end).
SAFE_TEXT = r"^[\t\r\x20-\x7E]*$"


class UnsupportedRegex(Exception):  # noqa: N818 - a reason, not an error
    """The pattern cannot be written for Rust with the same meaning."""


@dataclass(frozen=True)
class RustPattern:
    """A Rust pattern meaning what the Python one means; ``guard`` when that holds only
    on text matching :data:`SAFE_TEXT` (other rows must be evaluated row-wise)."""

    pattern: str
    guard: bool


# On guarded (printable ASCII) text Python's Unicode classes are these ASCII ones, which
# Rust matches much faster than its own Unicode classes. Python's \s also has \x1c-\x1f.
_DIGIT = r"0-9"
_SPACE = r"\t\n\x0B\x0C\r\x1C-\x1F "
_WORD = r"0-9A-Za-z_"
_CATEGORIES = {
    _c.CATEGORY_DIGIT: (_DIGIT, False),
    _c.CATEGORY_NOT_DIGIT: (_DIGIT, True),
    _c.CATEGORY_SPACE: (_SPACE, False),
    _c.CATEGORY_NOT_SPACE: (_SPACE, True),
    _c.CATEGORY_WORD: (_WORD, False),
    _c.CATEGORY_NOT_WORD: (_WORD, True),
}
_FLAG_LETTERS = {_c.SRE_FLAG_IGNORECASE: "i", _c.SRE_FLAG_MULTILINE: "m", _c.SRE_FLAG_DOTALL: "s"}
_IGNORED_FLAGS = _c.SRE_FLAG_UNICODE | _c.SRE_FLAG_VERBOSE | _c.SRE_FLAG_ASCII


def _char(code: int) -> str:
    return f"\\x{{{code:X}}}"


class _Writer:
    def __init__(self) -> None:
        self.guard = False
        self.flags = 0

    def sequence(self, items: Any) -> str:
        return "".join(self.item(op, av) for op, av in items)

    def item(self, op: Any, av: Any) -> str:
        if op is _c.LITERAL:
            return _char(av)
        if op is _c.NOT_LITERAL:
            return f"[^{_char(av)}]"
        if op is _c.ANY:
            return "(?s:.)" if self.flags & _c.SRE_FLAG_DOTALL else "[^\\n]"
        if op is _c.IN:
            return self.char_class(av)
        if op is _c.BRANCH:
            return "(?:" + "|".join(self.sequence(branch) for branch in av[1]) + ")"
        if op is _c.SUBPATTERN:
            _group, add, remove, body = av
            if (add | remove) & ~(_IGNORED_FLAGS | sum(_FLAG_LETTERS)):
                raise UnsupportedRegex("inline flags other than i, m, s, x")
            if add & _c.SRE_FLAG_IGNORECASE:
                self.guard = True
            on = "".join(letter for flag, letter in _FLAG_LETTERS.items() if add & flag)
            off = "".join(letter for flag, letter in _FLAG_LETTERS.items() if remove & flag)
            saved = self.flags
            self.flags = (self.flags | add) & ~remove
            try:
                inner = self.sequence(body)
            finally:
                self.flags = saved
            flags = on + (f"-{off}" if off else "")
            return f"(?{flags}:{inner})"
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT):
            low, high, body = av
            if high is _c.MAXREPEAT:
                count = "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
            elif low == high:
                count = f"{{{low}}}"
            elif (low, high) == (0, 1):
                count = "?"
            else:
                count = f"{{{low},{high}}}"
            lazy = "?" if op is _c.MIN_REPEAT else ""
            return f"(?:{self.sequence(body)}){count}{lazy}"
        if op is _c.AT:
            return self.at(av)
        if op is _c.CATEGORY:  # pragma: no cover - categories only occur inside IN
            self.guard = True
            chars, negated = _CATEGORIES[av]
            return f"[{'^' if negated else ''}{chars}]"
        names = {
            _c.GROUPREF: "a backreference",
            _c.GROUPREF_EXISTS: "a conditional group",
            _c.ASSERT: "a lookahead/lookbehind",
            _c.ASSERT_NOT: "a negative lookahead/lookbehind",
        }
        name = names.get(op) or str(op).lower().replace("_", " ")
        raise UnsupportedRegex(f"{name} (the Rust regex engine has none)")

    def at(self, where: Any) -> str:
        multiline = bool(self.flags & _c.SRE_FLAG_MULTILINE)
        if where is _c.AT_BEGINNING:
            if multiline:
                self.guard = True
                return "(?m:^)"
            return r"\A"
        if where is _c.AT_BEGINNING_STRING:
            return r"\A"
        if where in (_c.AT_END, _c.AT_END_STRING):
            # Python's $ also matches before a final newline: text with a newline is
            # left to the row-wise engine (the guard), where the two agree.
            self.guard = True
            if where is _c.AT_END and multiline:
                return "(?m:$)"
            return r"\z"
        if where is _c.AT_BOUNDARY:
            self.guard = True
            return r"(?-u:\b)"
        if where is _c.AT_NON_BOUNDARY:
            # Python's \B never matches empty text, Rust's does.
            raise UnsupportedRegex(r"\B (Python's differs from Rust's on empty text)")
        raise UnsupportedRegex(f"the anchor {where}")  # pragma: no cover

    def char_class(self, items: Any) -> str:
        parts = []
        negate = False
        for op, av in items:
            if op is _c.NEGATE:
                negate = True
            elif op is _c.LITERAL:
                parts.append(_char(av))
            elif op is _c.RANGE:
                parts.append(f"{_char(av[0])}-{_char(av[1])}")
            elif op is _c.CATEGORY:
                self.guard = True
                chars, negated_category = _CATEGORIES[av]
                if negated_category:
                    # [^...] inside a class: Rust's nested class (Python has none).
                    parts.append(f"[^{chars}]")
                else:
                    parts.append(chars)
            else:
                raise UnsupportedRegex(f"{op} in a character class")
        if not parts:
            # Python's parser never yields an empty class; be safe anyway.
            raise UnsupportedRegex("an empty character class")  # pragma: no cover
        return "[" + ("^" if negate else "") + "".join(parts) + "]"


def rust_pattern(pattern: str, *, anchored: bool, flags: int = 0) -> RustPattern:
    """``pattern`` (a Python regex, searched or, when ``anchored``, matched at the start)
    written for Rust; raises :class:`UnsupportedRegex` with the reason when it cannot be.

    ``re.error`` propagates: the caller decides what an invalid pattern means.
    """
    re.compile(pattern, flags)
    parsed = _p.parse(pattern, flags)
    writer = _Writer()
    global_flags = parsed.state.flags
    if global_flags & ~(_IGNORED_FLAGS | sum(_FLAG_LETTERS)):
        raise UnsupportedRegex("flags other than i, m, s, x")
    if any(ord(ch) > 0x7E for ch in pattern):
        raise UnsupportedRegex("non-ASCII characters in the pattern")
    writer.flags = global_flags
    if global_flags & _c.SRE_FLAG_IGNORECASE:
        writer.guard = True
    body = writer.sequence(parsed.data)
    prefix = "".join(letter for flag, letter in _FLAG_LETTERS.items() if global_flags & flag)
    out = f"(?:{body})"
    if prefix:
        out = f"(?{prefix}){out}"
    if anchored:
        out = rf"\A{out}"
    return RustPattern(out, writer.guard)
