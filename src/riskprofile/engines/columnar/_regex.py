"""RE2 patterns written for Polars (Rust ``regex``) with the same meaning.

Rules match with RE2 (see :mod:`riskprofile.profiles._regex`); Polars matches with the
Rust ``regex`` crate. Both are automaton engines with almost the same syntax, but not
quite the same meaning: Rust's ``\\d``, ``\\s``, ``\\w`` and ``\\b`` are Unicode-aware
where RE2's are ASCII, Rust reads ``[`` inside a class as a nested class and ``&&``,
``--``, ``~~`` as set operations where RE2 reads plain characters, and Rust has no
``a{,3}`` (RE2: the literal text). So the pattern is not copied: it is read with RE2's
syntax and written out again, every literal escaped and every class spelt out in ASCII.
Constructs this writer does not know (``\\pL``, ``\\Q...\\E``, octal escapes, ...) are
refused with a reason (the caller then leaves the condition to the row-wise engine).

Two differences are left, both on non-ASCII text only: case-insensitive matching (both
fold case by Unicode's simple folding, from their own Unicode versions), and ``\\B``,
which RE2 also finds between the bytes of one multi-byte character. A pattern with
``(?i)`` or ``\\B`` is *guarded* (:attr:`RustPattern.guard`): text outside
:data:`SAFE_TEXT` is matched by RE2 itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from riskprofile.profiles.shared import compile_regex

__all__ = ["SAFE_TEXT", "RustPattern", "UnsupportedRegex", "rust_pattern"]

# Text made only of these characters is matched identically by both engines whatever
# the flags.
SAFE_TEXT = r"^[\t\r\x20-\x7E]*$"


class UnsupportedRegex(Exception):  # noqa: N818 - a reason, not an error
    """The pattern cannot be written for Rust with the same meaning."""


@dataclass(frozen=True)
class RustPattern:
    """A Rust pattern meaning what the RE2 one means; ``guard`` when that holds only on
    text matching :data:`SAFE_TEXT` (other rows must be matched by RE2)."""

    pattern: str
    guard: bool


# RE2's Perl classes (ASCII), as the contents of a class.
_PERL = {"d": "0-9", "s": r"\t\n\x0C\r ", "w": "0-9A-Za-z_"}
_CONTROL = {"a": 0x07, "f": 0x0C, "t": 0x09, "n": 0x0A, "r": 0x0D, "v": 0x0B}
_POSIX = frozenset(
    [
        "alnum",
        "alpha",
        "ascii",
        "blank",
        "cntrl",
        "digit",
        "graph",
        "lower",
        "print",
        "punct",
        "space",
        "upper",
        "word",
        "xdigit",
    ]
)
_REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
_FLAGS = re.compile(r"\(\?([imsU]*)(?:-([imsU]*))?([:)])")
_NAMED = re.compile(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>")
_HEX = re.compile(r"x(?:([0-9A-Fa-f]{2})|\{([0-9A-Fa-f]{1,6})\})")


def _char(code: int) -> str:
    return f"\\x{{{code:X}}}"


def _literal(ch: str) -> str:
    return ch if ch.isascii() and ch.isalnum() else _char(ord(ch))


class _Writer:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0
        self.guard = False

    def fail(self, what: str) -> UnsupportedRegex:
        return UnsupportedRegex(f"{what} at {self.i} (not written for Rust)")

    def write(self) -> str:
        out = []
        p = self.p
        while self.i < len(p):
            ch = p[self.i]
            if ch == "\\":
                out.append(self.escape())
            elif ch == "[":
                out.append(self.char_class())
            elif ch == "(":
                out.append(self.group())
            elif ch in ")|.^$*+?":
                out.append(ch)
                self.i += 1
            elif ch == "{":
                repeat = _REPEAT.match(p, self.i)
                if repeat:  # RE2 checked it follows something to repeat
                    out.append(repeat.group())
                    self.i = repeat.end()
                else:  # RE2: a brace that starts no repeat is a literal
                    out.append(_char(ord(ch)))
                    self.i += 1
            else:
                out.append(_literal(ch))
                self.i += 1
        return "".join(out)

    def group(self) -> str:
        p, i = self.p, self.i
        if not p.startswith("(?", i):
            self.i += 1
            return "(?:"  # capture groups do not matter for a yes/no match
        named = _NAMED.match(p, i)
        if named:
            self.i = named.end()
            return "(?:"
        flags = _FLAGS.match(p, i)
        if flags:
            on, off, end = flags.group(1), flags.group(2) or "", flags.group(3)
            if "i" in on:
                self.guard = True
            self.i = flags.end()
            return "(?" + on + (f"-{off}" if off else "") + end
        raise self.fail("a group (?...) of an unknown kind")

    def escape(self) -> str:
        p = self.p
        if self.i + 1 >= len(p):
            raise self.fail("a trailing backslash")  # pragma: no cover - RE2 refuses it
        ch = p[self.i + 1]
        if ch in "xX":
            return _char(self.hex())
        self.i += 2
        if ch.lower() in _PERL:
            return f"[{'^' if ch.isupper() else ''}{_PERL[ch.lower()]}]"
        if ch == "b":
            return r"(?-u:\b)"
        if ch == "B":
            # RE2 also finds \B inside a multi-byte character, Rust never does.
            self.guard = True
            return r"(?-u:\B)"
        if ch in "Az":
            return "\\" + ch
        if ch in _CONTROL:
            return _char(_CONTROL[ch])
        if ch.isascii() and not ch.isalnum() and ch.isprintable() and ch != " ":
            return _char(ord(ch))
        self.i -= 2
        raise self.fail(f"the escape \\{ch}")

    def hex(self) -> int:
        found = _HEX.match(self.p, self.i + 1)
        if found is None:
            raise self.fail("a malformed \\x escape")  # pragma: no cover - RE2 refuses it
        self.i = found.end()
        return int(found.group(1) or found.group(2), 16)

    def class_atom(self) -> tuple[int | None, str]:
        """One item of a class: (code point, text) for a character, (None, text) for a
        class such as ``\\d`` or ``[:alpha:]``."""
        p = self.p
        if p.startswith("[:", self.i):
            end = p.find(":]", self.i + 2)
            name = p[self.i + 2 : end].removeprefix("^") if end > 0 else ""
            if name not in _POSIX:
                raise self.fail("a class [:...:] of an unknown name")  # pragma: no cover
            text = p[self.i : end + 2]
            self.i = end + 2
            return None, text
        ch = p[self.i]
        if ch != "\\":
            self.i += 1
            return ord(ch), _char(ord(ch))
        nxt = p[self.i + 1] if self.i + 1 < len(p) else ""
        if nxt.lower() in _PERL:
            self.i += 2
            body = _PERL[nxt.lower()]
            return None, f"[^{body}]" if nxt.isupper() else body
        if nxt in "xX":
            code = self.hex()
            return code, _char(code)
        if nxt in _CONTROL:
            self.i += 2
            return _CONTROL[nxt], _char(_CONTROL[nxt])
        if nxt.isascii() and not nxt.isalnum() and nxt.isprintable() and nxt != " ":
            self.i += 2
            return ord(nxt), _char(ord(nxt))
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
            if self.i >= len(p):
                raise self.fail("an unclosed class")  # pragma: no cover - RE2 refuses it
            if p[self.i] == "]" and not first:
                self.i += 1
                break
            at = self.i
            code, text = self.class_atom()
            if p.startswith("-", self.i) and not p.startswith("-]", self.i):
                if code is None:
                    raise self.fail("a range from a class")  # pragma: no cover
                self.i += 1
                high, high_text = self.class_atom()
                if high is None:
                    raise self.fail("a range to a class")  # pragma: no cover
                text = f"{text}-{high_text}"
            elif code == ord("-") and not first and not p.startswith("]", self.i):
                self.i = at
                raise self.fail("a '-' inside a class that is no range")
            parts.append(text)
            first = False
        return "[" + ("^" if negate else "") + "".join(parts) + "]"


def rust_pattern(pattern: str, *, anchored: bool) -> RustPattern:
    """``pattern`` (an RE2 regex, searched or, when ``anchored``, matched at the start)
    written for Rust; raises :class:`UnsupportedRegex` with the reason when it cannot be.

    :class:`~riskprofile.profiles._regex.RegexRefused` propagates for a pattern RE2
    refuses: the caller decides what an invalid pattern means.
    """
    compile_regex(pattern)
    writer = _Writer(pattern)
    body = writer.write()
    out = f"(?:{body})"
    if anchored:
        out = rf"\A{out}"
    return RustPattern(out, writer.guard)
