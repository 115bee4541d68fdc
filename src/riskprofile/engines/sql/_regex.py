"""Profile regexes (RE2) written for each SQL dialect with the same meaning.

DuckDB matches with RE2 itself: a pattern is passed as written (``=~``, a match at the
start, becomes ``\\A(?:...)``). One doubt is left: case-insensitive matching and the
Unicode classes (``\\pL``) follow the Unicode tables of the RE2 DuckDB was built with,
which may be older or newer than the row-wise engine's; a pattern with ``(?i)`` or
``\\p`` is *guarded* (text outside printable ASCII is left to the row-wise engine).

PostgreSQL matches with its own engine (Henry Spencer's "advanced regular expressions",
ARE), whose syntax and meaning differ from RE2's in many corners: ``\\b`` is a
backspace there (RE2's word boundary is ARE's ``\\y``), ``\\w`` and ``[[:alpha:]]``
follow the database's locale, flags may only open a pattern, ``.`` matches a newline.
So a pattern is read with RE2's syntax and written out again from the few constructs
whose meaning is the same on printable ASCII text (literals, classes spelt out in ASCII,
groups, alternation, repeats, ``^``, ``$``, ``\\A``, ``\\z``, word boundaries, a leading
``(?i)``), and every pattern is guarded: a text with a character outside printable ASCII
(or a tab and carriage return) is matched by the row-wise engine. Anything else raises
:class:`UnsupportedRegex` with the reason, and the condition falls back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskprofile.profiles.shared import compile_regex

__all__ = ["SAFE_CLASS", "SqlPattern", "UnsupportedRegex", "sql_pattern"]

SAFE_CLASS = "[^\\t\\r\\x20-\\x7E]"
"""A character outside the text both engines read alike (as a regex class, in RE2's and
ARE's syntax both)."""


class UnsupportedRegex(Exception):  # noqa: N818 - a reason, not an error
    """The pattern cannot be written for the dialect with the same meaning."""


@dataclass(frozen=True)
class SqlPattern:
    """A pattern for the dialect meaning what the RE2 one means; ``guard`` when that
    holds only on text without a :data:`SAFE_CLASS` character."""

    pattern: str
    guard: bool


_PERL = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}
_CONTROL = {"a": 0x07, "f": 0x0C, "t": 0x09, "n": 0x0A, "r": 0x0D, "v": 0x0B}
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_HEX = re.compile(r"x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,6})\})")
# Where two RE2 builds may read text otherwise: case folding and Unicode classes follow
# the Unicode tables each was built with.
_UNICODE_TABLES = re.compile(r"\(\?[a-zA-Z]*i|\\[pP]")
_NAMED = re.compile(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>")


def _are_char(code: int) -> str:
    """One character as an ARE literal (outside or inside a class)."""
    if code > 0x7E or code < 0x20:
        raise UnsupportedRegex(f"the character U+{code:04X} (only printable ASCII is written)")
    ch = chr(code)
    return ch if ch.isalnum() else "\\" + ch if ch != " " else " "


def _java_char(code: int) -> str:
    """One character as a Java regex literal (outside or inside a class)."""
    if code < 0x20:  # Java's \v is a class of vertical space, not U+000B: spelt in hex
        return f"\\x{code:02X}"
    return _are_char(code)


class _AreWriter:
    """RE2 syntax written out for PostgreSQL's ARE, or (``java``) for Java's regexes
    (Spark's ``RLIKE``), from the constructs both read alike on printable ASCII."""

    def __init__(self, pattern: str, *, java: bool = False) -> None:
        self.p = pattern
        self.i = 0
        self.case_insensitive = False
        self.java = java
        self.char = _java_char if java else _are_char

    def fail(self, what: str) -> UnsupportedRegex:
        where = "Spark (Java regexes)" if self.java else "PostgreSQL"
        return UnsupportedRegex(f"{what} at {self.i} (not written for {where})")

    def write(self) -> str:
        p = self.p
        if p.startswith("(?i)"):
            self.case_insensitive = True
            self.i = 4
        out = []
        while self.i < len(p):
            ch = p[self.i]
            if ch == "\\":
                out.append(self.escape())
            elif ch == "[":
                out.append(self.char_class())
            elif ch == "(":
                out.append(self.group())
            elif ch in ")|.*+?":
                if ch == ".":
                    out.append("[^\\n]")  # RE2's dot stops at a newline, ARE's does not
                else:
                    out.append(ch)
                self.i += 1
            elif ch == "^":
                out.append("^")
                self.i += 1
            elif ch == "$":
                # RE2's $ (no multi-line flag) is the very end; Java's also matches
                # before a final line terminator (\n, \r, ...): its \z is RE2's $.
                out.append("\\z" if self.java else "$")
                self.i += 1
            elif ch == "{":
                repeat = _REPEAT.match(p, self.i)
                if (
                    repeat
                    and not self.java
                    and max(int(n) for n in (repeat.group(1), repeat.group(3)) if n) > 255
                ):
                    raise self.fail("a repeat count above 255 (PostgreSQL's limit)")
                if repeat:
                    out.append(repeat.group())
                    self.i = repeat.end()
                else:  # RE2: a brace that starts no repeat is a literal
                    out.append("\\{")
                    self.i += 1
            else:
                out.append(self.char(ord(ch)))
                self.i += 1
        return "".join(out)

    def group(self) -> str:
        p, i = self.p, self.i
        if not p.startswith("(?", i):
            self.i += 1
            return "(?:"
        if p.startswith("(?:", i):
            self.i += 3
            return "(?:"
        named = _NAMED.match(p, i)
        if named:
            self.i = named.end()
            return "(?:"
        raise self.fail("a group (?...) with flags")

    def escape(self) -> str:
        p = self.p
        ch = p[self.i + 1] if self.i + 1 < len(p) else ""
        if ch in "xX":
            return self.char(self.hex())
        self.i += 2
        if ch.lower() in _PERL:
            return f"[{'^' if ch.isupper() else ''}{_PERL[ch.lower()]}]"
        if ch == "b":
            return "\\b" if self.java else "\\y"
        if ch == "B":
            return "\\B" if self.java else "\\Y"
        if ch == "A":
            return "\\A"
        if ch == "z":
            return "\\z" if self.java else "\\Z"
        if ch in _CONTROL:
            if self.java or _CONTROL[ch] >= 0x20:
                return self.char(_CONTROL[ch])
            return "\\" + ch
        if ch.isascii() and not ch.isalnum() and ch.isprintable():
            return self.char(ord(ch))
        self.i -= 2
        raise self.fail(f"the escape \\{ch}")

    def hex(self) -> int:
        found = _HEX.match(self.p, self.i + 1)
        if found is None:  # pragma: no cover - RE2 refuses it
            raise self.fail("a malformed \\x escape")
        self.i = found.end()
        return int(found.group(1) or found.group(2), 16)

    def class_atom(self) -> tuple[int | None, str]:
        p = self.p
        if p.startswith("[:", self.i):
            raise self.fail("a class [:...:]")
        ch = p[self.i]
        if ch != "\\":
            self.i += 1
            return ord(ch), self.char(ord(ch))
        nxt = p[self.i + 1] if self.i + 1 < len(p) else ""
        if nxt in "dsw":
            self.i += 2
            return None, _PERL[nxt]
        if nxt in "xX":
            code = self.hex()
            return code, self.char(code)
        if nxt in "tnr":
            self.i += 2
            return _CONTROL[nxt], "\\" + nxt
        if nxt.isascii() and not nxt.isalnum() and nxt.isprintable() and nxt != " ":
            self.i += 2
            return ord(nxt), self.char(ord(nxt))
        raise self.fail(f"the escape \\{nxt} in a class")

    def char_class(self) -> str:
        p = self.p
        self.i += 1
        negate = p.startswith("^", self.i)
        if negate:
            self.i += 1
        parts = []
        first = True
        while True:
            if self.i >= len(p):  # pragma: no cover - RE2 refuses it
                raise self.fail("an unclosed class")
            if p[self.i] == "]" and not first:
                self.i += 1
                break
            code, text = self.class_atom()
            if p.startswith("-", self.i) and not p.startswith("-]", self.i):
                if code is None:
                    raise self.fail("a range from a class")
                self.i += 1
                high, high_text = self.class_atom()
                if high is None:
                    raise self.fail("a range to a class")
                text = f"{text}-{high_text}"
            parts.append(text)
            first = False
        # A negated class must not match a newline either way: RE2's does, ARE's too.
        return "[" + ("^" if negate else "") + "".join(parts) + "]"


def sql_pattern(pattern: str, dialect: str, *, anchored: bool) -> SqlPattern:
    """``pattern`` (RE2, searched or, when ``anchored``, matched at the start) for
    ``dialect``; raises :class:`UnsupportedRegex` with the reason when it cannot be.

    :class:`~riskprofile.profiles._regex.RegexRefused` propagates for a pattern RE2
    refuses (the caller decides what an invalid pattern means).
    """
    compile_regex(pattern)
    if dialect == "duckdb":
        written = rf"\A(?:{pattern})" if anchored else pattern
        return SqlPattern(written, _UNICODE_TABLES.search(pattern) is not None)
    writer = _AreWriter(pattern, java=dialect == "spark")
    body = writer.write()
    out = f"(?:{body})"
    if anchored:
        out = rf"\A{out}"
    if writer.case_insensitive:
        out = "(?i)" + out
    return SqlPattern(out, True)
