"""Safety checks for the regular expressions in risk profiles.

Profile conditions are ``rule-engine`` expressions, and their regex operators (``=~`` for
``re.match``, ``=~~`` for ``re.search``) run Python's backtracking :mod:`re` engine on every
container of a batch. Profiles are untrusted input, and one careless pattern such as
``(\\w+\\s?)*$`` can take minutes on a single 30-character description, which Python cannot
interrupt. So patterns are judged when a profile is loaded, never while a batch runs.

:func:`regex_problems` is a static analysis of the pattern's parse tree (``re._parser``, the
tree Python's own compiler works from). It reports, errors first:

==================================== ========= ===============================================
code                                 severity  meaning
==================================== ========= ===============================================
``syntax``                           error     the pattern does not compile
``too_long``                         error     the pattern is longer than ``max_length``
``too_deep``                         error     groups nest more than :data:`MAX_NESTING` deep
``nested_quantifier``                error     a repeat over something that repeats unboundedly,
                                               e.g. ``(a+)+``, ``(\\w+\\s?)*`` (exponential)
``overlapping_alternation``          error     a repeat over alternatives that can match the
                                               same text, e.g. ``(a|ab)*`` (exponential)
``adjacent_overlapping_quantifiers`` warning   unbounded repeats in sequence over overlapping
                                               characters, e.g. ``\\d+\\d+`` (polynomial)
``unbounded_repeat_large``           warning   an explicit bound above :data:`LARGE_BOUND`
``backreference``                    info      ``\\1``, ``(?P=name)``, ``(?(1)...)``: fine in
                                               Python, unsupported by the columnar engine
``lookaround``                       info      ``(?=...)``, ``(?!...)``, ``(?<=...)``,
                                               ``(?<!...)``: likewise not portable
``atomic_group``                     info      ``(?>...)`` or a possessive ``a*+``: likewise
``unanalysable``                     error     the analysis itself failed (a bug: fail closed)
==================================== ========= ===============================================

What the static analysis approximates (it is deliberately conservative: a pattern it lets
through is linear or low-degree polynomial in Python, a pattern it rejects may be harmless):

* ``nested_quantifier`` is the classic *star height* test: a repeat that can iterate more than
  once (``*``, ``+``, ``{2,}``, ``{1,5}``...) containing a backtracking repeat that can match
  a varying number of times. It does not check whether the iterations could actually divide
  the text in several ways, so ``((ab)*c)*`` and ``(\\w+\\s)+`` are reported even though a
  delimiter makes them linear. Small bounded nests are allowed: a nest is reported when
  ``choices ** iterations`` exceeds 10 000, where *choices* is the number of non-zero counts
  the inner repeat can take (unbounded, or above :data:`LARGE_BOUND`, counts as infinite) and
  *iterations* the outer maximum; ``(a{1,3}){1,3}`` (27) and ``(\\d{1,3}\\.){3}`` pass,
  ``(a{1,5})*`` and ``(a+){2}`` do not. Possessive repeats and repeats inside atomic groups
  or lookarounds do not backtrack and are not counted.
* ``overlapping_alternation`` compares alternatives under a repeat that can iterate more than
  13 times (2 ** 14 > 10 000) position by position over their first few fixed characters:
  two alternatives *may match the same text* when the character sets at each position
  intersect until one of them can end (``a`` vs ``ab``) or becomes variable, where the first
  characters of the variable rest are compared. ``(FAK|FREIGHT)+`` passes (``A`` and ``R``
  differ), ``(a|ab)*`` and ``(a|a?)+`` are reported. CPython folds single-character
  alternatives into a character class (``(\\d|\\w)+`` runs as ``[\\d\\w]+``, which is safe);
  such alternations are still reported when they are the whole repeated body, because they
  are the classic textbook form and other engines do not fold them.
* ``adjacent_overlapping_quantifiers`` looks at unbounded repeats in one sequence (groups
  without their own quantifier are flattened, so ``(\\d+)(\\d+)`` counts) separated only by
  items that can match the empty string (``\\w*\\s*\\w*``), and compares the sets of all
  characters each repeat can consume.
* Character sets are compared exactly for literals, ranges and negations, and by sampling
  for ``\\d``, ``\\w`` and ``\\s``: on all of ASCII, every character the pattern mentions, and
  a fixed set of non-ASCII representatives (Arabic-Indic digits, no-break space, CJK, ...).
  Case-insensitive matching folds simple case pairs (including ``ſ``/``s`` and the Kelvin
  sign); beyond 64 cased characters in one set it assumes every fold.
* A backreference is assumed to match what its group can match.

:func:`check_regex_runtime` is the empirical second line: it times the compiled pattern on
short adversarial strings built from the pattern's own characters. It never runs a pattern
the static analysis rejects, because a running match cannot be stopped.

The analysis never raises and never runs the pattern; on a 1000-character pattern it takes a
few milliseconds. It does not change global state (no warning filters are touched: Python's
own ``FutureWarning`` for ``[[`` in a class is emitted as usual, and reported as ``syntax``
when warnings are turned into errors).
"""

from __future__ import annotations

import bisect
import importlib
import math
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Any, Final, Literal

__all__ = [
    "LARGE_BOUND",
    "MAX_NESTING",
    "RegexProblem",
    "Severity",
    "check_regex_runtime",
    "regex_problems",
]

Severity = Literal["error", "warning", "info"]
"""How bad a :class:`RegexProblem` is: errors reject a profile, the rest inform."""


@dataclass(frozen=True)
class RegexProblem:
    """One finding about a regular expression.

    Attributes:
        code: a stable identifier such as ``"nested_quantifier"`` (see the module docstring).
        severity: ``"error"`` (the pattern must not be used), ``"warning"`` or ``"info"``.
        message: what is wrong and how to fix it, in words.
        offset: the 0-based character position in the pattern where the problem starts,
            when known.
    """

    code: str
    severity: Severity
    message: str
    offset: int | None


LARGE_BOUND: Final = 1000
"""Repeat bounds above this are reported and, for backtracking, treated as unbounded."""

MAX_NESTING: Final = 50
"""Deepest nesting of groups and repeats the analysis accepts (real patterns use < 10)."""

_EXPLOSION: Final = 10_000  # backtracking choices per position beyond which a nest is fatal
_PREFIX_POSITIONS: Final = 8  # fixed characters compared between alternatives
_LOOKAHEAD: Final = 32  # items searched after an unbounded repeat for an overlapping one
_MAX_BRANCH_COMPARISONS: Final = 5000  # beyond this an alternation is assumed to overlap
_FOLD_EXACT_LIMIT: Final = 64  # cased characters folded one by one; beyond, fold all
_SEVERITY_RANK: Final = {"error": 0, "warning": 1, "info": 2}


def _import(name: str, fallback: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:  # pragma: no cover - interpreters without re._parser
        return importlib.import_module(fallback)


_sre_parse: Final = _import("re._parser", "sre_parse")
_sre: Final = _import("re._constants", "sre_constants")
_MISSING: Final = object()

_LITERAL: Final[object] = _sre.LITERAL
_NOT_LITERAL: Final[object] = _sre.NOT_LITERAL
_ANY: Final[object] = _sre.ANY
_IN: Final[object] = _sre.IN
_RANGE: Final[object] = _sre.RANGE
_CATEGORY: Final[object] = _sre.CATEGORY
_NEGATE: Final[object] = _sre.NEGATE
_AT: Final[object] = _sre.AT
_BRANCH: Final[object] = _sre.BRANCH
_SUBPATTERN: Final[object] = _sre.SUBPATTERN
_MAX_REPEAT: Final[object] = _sre.MAX_REPEAT
_MIN_REPEAT: Final[object] = _sre.MIN_REPEAT
_POSSESSIVE_REPEAT: Final[object] = getattr(_sre, "POSSESSIVE_REPEAT", _MISSING)
_ATOMIC_GROUP: Final[object] = getattr(_sre, "ATOMIC_GROUP", _MISSING)
_GROUPREF: Final[object] = _sre.GROUPREF
_GROUPREF_EXISTS: Final[object] = _sre.GROUPREF_EXISTS
_ASSERT: Final[object] = _sre.ASSERT
_ASSERT_NOT: Final[object] = _sre.ASSERT_NOT
_MAXREPEAT: Final[int] = int(_sre.MAXREPEAT)
_MAXCODE: Final[int] = int(_import("re._compiler", "sre_compile").MAXCODE)

_IGNORECASE: Final = int(re.IGNORECASE)
_DOTALL: Final = int(re.DOTALL)
_ASCII: Final = int(re.ASCII)
_VERBOSE: Final = int(re.VERBOSE)

_ASCII_SPACE: Final = " \t\n\r\f\v"
_CharTest = Callable[[str], bool]
_CATEGORY_TESTS: Final[dict[str, tuple[_CharTest, _CharTest]]] = {
    "DIGIT": (str.isdecimal, lambda c: "0" <= c <= "9"),
    "SPACE": (str.isspace, lambda c: c in _ASCII_SPACE),
    "WORD": (
        lambda c: c.isalnum() or c == "_",
        lambda c: c.isascii() and (c.isalnum() or c == "_"),
    ),
    "LINEBREAK": (lambda c: c == "\n", lambda c: c == "\n"),
}
_CATEGORIES: Final[dict[object, tuple[str, bool]]] = {
    getattr(_sre, f"CATEGORY_{negated}{name}"): (name, negated == "NOT_")
    for name in _CATEGORY_TESTS
    for negated in ("", "NOT_")
}

_SAMPLES: Final = (
    "\x85\xa0\xb2\xb5\xc9\xdf\xe9\u0130\u0131\u017f\u0663\u1e9e\u2028\u212a\u3000\u4e2d"
    "\ufffd\U0001f600"
)
"""Non-ASCII stand-ins for ``\\d``, ``\\w`` and ``\\s`` beyond ASCII, and tricky case pairs."""


# --- character sets as bit masks over a small universe ------------------------------------


def _case_variants(char: str) -> set[str]:
    variants = {char.lower(), char.upper(), char.swapcase(), char.title(), char.casefold()}
    return {v for v in variants if len(v) == 1 and v != char}


@dataclass(eq=False)
class _Universe:
    """The characters a pattern's sets are compared on; bit *i* stands for ``cps[i]``.

    All of ASCII, every code point the pattern names (range ends plus one, so that ranges
    and their complements compare exactly), the :data:`_SAMPLES`, and the case variants of
    all of these.
    """

    cps: list[int]
    index: dict[int, int]
    full: int
    newline: int
    categories: dict[tuple[str, bool], int]
    partners: dict[int, int]  # bit index -> mask of its case-equivalence class
    cased: int  # mask of every character with a case partner
    cased_closure: int

    def range_mask(self, lo: int, hi: int) -> int:
        i = bisect.bisect_left(self.cps, lo)
        j = bisect.bisect_right(self.cps, hi)
        return ((1 << j) - 1) ^ ((1 << i) - 1)

    def char_mask(self, cp: int) -> int:
        i = self.index.get(cp)
        return self.full if i is None else 1 << i

    def fold(self, mask: int) -> int:
        cased = mask & self.cased
        if not cased:
            return mask
        if cased.bit_count() > _FOLD_EXACT_LIMIT:
            return mask | self.cased_closure
        while cased:
            low = cased & -cased
            mask |= self.partners[low.bit_length() - 1]
            cased ^= low
        return mask


def _bits(flags: list[bool]) -> int:
    return int("".join("1" if f else "0" for f in reversed(flags)) or "0", 2)


@lru_cache(maxsize=64)
def _universe(extra: frozenset[int]) -> _Universe:
    chars = set(map(chr, range(128))) | set(_SAMPLES) | {chr(cp) for cp in extra}
    for char in list(chars):
        chars |= _case_variants(char)
    cps = sorted(map(ord, chars))
    index = {cp: i for i, cp in enumerate(cps)}
    text = [chr(cp) for cp in cps]
    full = (1 << len(cps)) - 1
    categories: dict[tuple[str, bool], int] = {}
    for name, (unicode_test, ascii_test) in _CATEGORY_TESTS.items():
        categories[name, False] = _bits([unicode_test(c) for c in text])
        categories[name, True] = _bits([ascii_test(c) for c in text])
    # case-equivalence classes: union-find over the variants inside the universe
    parent = list(range(len(cps)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, char in enumerate(text):
        for variant in _case_variants(char):
            j = index.get(ord(variant))
            if j is not None:
                parent[find(i)] = find(j)
    classes: dict[int, int] = {}
    for i in range(len(cps)):
        classes[find(i)] = classes.get(find(i), 0) | (1 << i)
    partners = {i: classes[find(i)] for i in range(len(cps)) if classes[find(i)].bit_count() > 1}
    cased = sum(1 << i for i in partners)
    return _Universe(
        cps=cps,
        index=index,
        full=full,
        newline=1 << index[10],
        categories=categories,
        partners=partners,
        cased=cased,
        cased_closure=cased,
    )


# --- where things are in the source --------------------------------------------------------

_DIGITS: Final = frozenset("0123456789")
_OCTDIGITS: Final = frozenset("01234567")
_WHITESPACE: Final = frozenset(" \t\n\r\v\f")
_FLAG_LETTERS: Final = frozenset("aiLmsux-")


@dataclass
class _Group:
    start: int  # the "("
    kind: str  # capture, noncapture, flags, atomic, lookaround, conditional, root
    verbose: bool
    branch_starts: list[int]
    end: int = -1  # the ")"


@dataclass(frozen=True)
class _Quantifier:
    atom_start: int  # first character of what is repeated
    start: int  # first character of the quantifier
    end: int  # just past it (lazy "?" and possessive "+" included)
    group: _Group | None  # the repeated group, if a group is repeated


@dataclass
class _Layout:
    """Positions of what the parse tree does not locate, in source order."""

    quantifiers: list[_Quantifier] = field(default_factory=list)
    lookarounds: list[int] = field(default_factory=list)
    references: list[int] = field(default_factory=list)
    atomics: list[int] = field(default_factory=list)


def _escape_end(p: str, i: int) -> tuple[int, bool]:
    """End of the escape at ``p[i]`` outside a class, and whether it is a group reference."""
    c = p[i + 1]
    if c == "x":
        return i + 4, False
    if c == "u":
        return i + 6, False
    if c == "U":
        return i + 10, False
    if c == "N":
        return p.index("}", i) + 1, False
    if c == "0":
        j = i + 2
        while j < min(len(p), i + 4) and p[j] in _OCTDIGITS:
            j += 1
        return j, False
    if c in _DIGITS:
        j = i + 2
        if j < len(p) and p[j] in _DIGITS:
            if c in _OCTDIGITS and p[j] in _OCTDIGITS and j + 1 < len(p) and p[j + 1] in _OCTDIGITS:
                return j + 2, False
            return j + 1, True
        return j, True
    return i + 2, False


def _class_end(p: str, i: int) -> int:
    j = i + 1
    if p[j] == "^":
        j += 1
    first = True
    while True:
        if p[j] == "]" and not first:
            return j + 1
        j += 2 if p[j] == "\\" else 1
        first = False


def _brace_end(p: str, i: int) -> int | None:
    """End of a ``{m,n}`` quantifier at ``p[i]``, or None when the brace is a literal."""
    j = i + 1
    if j < len(p) and p[j] == "}":
        return None
    while j < len(p) and p[j] in _DIGITS:
        j += 1
    if j < len(p) and p[j] == ",":
        j += 1
        while j < len(p) and p[j] in _DIGITS:
            j += 1
    return j + 1 if j < len(p) and p[j] == "}" else None


def _scan(p: str, verbose: bool) -> _Layout | None:
    """Locate quantifiers, lookarounds, references and atomic groups in a *valid* pattern.

    Mirrors the tokenizer of ``re._parser``; the result is only used when its counts agree
    with the parse tree, so a disagreement costs offsets, never correctness.
    """
    try:
        return _scan_valid(p, verbose)
    except (IndexError, ValueError):
        return None


def _scan_valid(p: str, verbose: bool) -> _Layout:
    layout = _Layout()
    stack = [_Group(0, "root", verbose, [0])]
    atom: int | None = None
    atom_group: _Group | None = None
    n = len(p)
    i = 0
    while i < n:
        c = p[i]
        top = stack[-1]
        if top.verbose and c in _WHITESPACE:
            i += 1
        elif top.verbose and c == "#":
            newline = p.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif c == "\\":
            end, reference = _escape_end(p, i)
            if reference:
                layout.references.append(i)
            atom, atom_group, i = i, None, end
        elif c == "[":
            atom, atom_group, i = i, None, _class_end(p, i)
        elif c == "(":
            group = _open_group(p, i, top, layout)
            if group is None:  # comment, global flags or (?P=name): no new sequence
                if p.startswith("(?P=", i):
                    atom, atom_group = i, None
                i = p.index(")", i) + 1
            else:
                stack.append(group)
                atom = atom_group = None
                i = group.branch_starts[0]
        elif c == ")":
            group = stack.pop()
            group.end = i
            atom, atom_group, i = group.start, group, i + 1
        elif c == "|":
            top.branch_starts.append(i + 1)
            atom = atom_group = None
            i += 1
        elif c in "*+?" or (c == "{" and _brace_end(p, i) is not None):
            end = _brace_end(p, i) or i + 1 if c == "{" else i + 1
            if end < n and p[end] in "?+":
                end += 1
            if atom is None:
                raise ValueError("quantifier without an atom")
            layout.quantifiers.append(_Quantifier(atom, i, end, atom_group))
            atom = atom_group = None
            i = end
        elif c in "^$":
            atom = atom_group = None
            i += 1
        else:
            atom, atom_group, i = i, None, i + 1
    if len(stack) != 1:
        raise ValueError("unbalanced parentheses")
    return layout


def _open_group(p: str, i: int, top: _Group, layout: _Layout) -> _Group | None:
    if not p.startswith("(?", i):
        return _Group(i, "capture", top.verbose, [i + 1])
    c = p[i + 2]
    if c == "#":
        return None
    if c == "P":
        if p[i + 3] == "=":
            layout.references.append(i)
            return None
        return _Group(i, "capture", top.verbose, [p.index(">", i) + 1])
    if c == ":":
        return _Group(i, "noncapture", top.verbose, [i + 3])
    if c == ">":
        layout.atomics.append(i)
        return _Group(i, "atomic", top.verbose, [i + 3])
    if c in "=!<":
        layout.lookarounds.append(i)
        return _Group(i, "lookaround", top.verbose, [i + (4 if c == "<" else 3)])
    if c == "(":
        layout.references.append(i)
        return _Group(i, "conditional", top.verbose, [p.index(")", i + 3) + 1])
    j = i + 2
    while p[j] in _FLAG_LETTERS:
        j += 1
    if p[j] == ")":
        return None  # global flags: the caller already knows them
    added, _, removed = p[i + 2 : j].partition("-")
    sub_verbose = (top.verbose or "x" in added) and "x" not in removed
    return _Group(i, "flags", sub_verbose, [j + 1])


# --- the parse tree -----------------------------------------------------------------------

_Item = tuple[Any, Any]


def _is_repeat(op: object) -> bool:
    return op is _MAX_REPEAT or op is _MIN_REPEAT or op is _POSSESSIVE_REPEAT


def _is_char(op: object) -> bool:
    return op is _LITERAL or op is _NOT_LITERAL or op is _IN or op is _ANY


def _scoped(flags: int, added: int, removed: int) -> int:
    return (flags | added) & ~removed


def _unbounded(hi: int) -> bool:
    return hi >= _MAXREPEAT or hi > LARGE_BOUND


def _children(op: object, av: Any) -> list[Any]:
    """The sub-sequences of one tree item, in source order."""
    if op is _SUBPATTERN:
        return [av[3]]
    if op is _BRANCH:
        return list(av[1])
    if _is_repeat(op):
        return [av[2]]
    if op is _GROUPREF_EXISTS:
        return [arm for arm in (av[1], av[2]) if arm is not None]
    if op is _ASSERT or op is _ASSERT_NOT:
        return [av[1]]
    if op is _ATOMIC_GROUP:
        return [av]
    return []


def _depth(tree: Any) -> int:
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        seq, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_NESTING:
            break
        for op, av in seq.data:
            stack.extend((child, level + 1) for child in _children(op, av))
    return deepest


def _explodes(choices: float, iterations: int) -> bool:
    """Whether ``choices ** iterations`` backtracking paths are too many."""
    if choices < 2:
        return False
    if _unbounded(iterations) or math.isinf(choices):
        return True
    return iterations * math.log(choices) > math.log(_EXPLOSION)


_Signature = tuple[list[int], int, bool]
"""An alternative's fixed leading sets, the first set of its rest, and whether it may end."""


def _compatible(a: _Signature, b: _Signature) -> bool:
    """Whether two alternatives' signatures may match the same text (or one a prefix of it)."""
    (fixed_a, tail_a, end_a), (fixed_b, tail_b, end_b) = a, b
    common = min(len(fixed_a), len(fixed_b))
    if any(not fixed_a[k] & fixed_b[k] for k in range(common)):
        return False
    if len(fixed_a) == len(fixed_b):
        return end_a or end_b or bool(tail_a & tail_b)
    if len(fixed_a) < len(fixed_b):
        return end_a or bool(tail_a & fixed_b[common])
    return end_b or bool(tail_b & fixed_a[common])


class _Analysis:
    """One pass over a parsed, valid pattern."""

    def __init__(self, pattern: str, tree: Any, layout: _Layout | None) -> None:
        self.pattern = pattern
        self.groups: dict[int, tuple[Any, int]] = {}
        self.repeats: list[tuple[_Item, int]] = []  # post-order = source order of quantifiers
        self.references: list[_Item] = []
        self.lookarounds: list[_Item] = []
        self.atomics: list[_Item] = []
        self.sequences: list[tuple[Any, int]] = []
        self.codepoints: set[int] = set()
        flags = int(tree.state.flags)
        self.sequences.append((tree, flags))
        self._index(tree, flags)
        self.u = _universe(frozenset(cp for cp in self.codepoints if cp >= 128))
        self.first_memo: dict[tuple[int, int], tuple[int, bool]] = {}
        self.chars_memo: dict[tuple[int, int], int] = {}
        self.set_memo: dict[tuple[int, int, bool], tuple[int, Any]] = {}
        self.comparisons = _MAX_BRANCH_COMPARISONS
        self.reparsed: list[Any] = []
        lay = layout or _Layout()
        self.quantifiers: list[_Quantifier | None] = self._align(self.repeats, lay.quantifiers)
        self.quantifier_of = {
            id(item): q for (item, _), q in zip(self.repeats, self.quantifiers, strict=True)
        }
        self.reference_at = self._align(self.references, lay.references)
        self.lookaround_at = self._align(self.lookarounds, lay.lookarounds)
        self.atomic_at = self._align(self.atomics, lay.atomics)

    @staticmethod
    def _align(nodes: list[Any], found: list[Any]) -> list[Any]:
        return list(found) if len(found) == len(nodes) else [None] * len(nodes)

    def _index(self, seq: Any, flags: int) -> None:
        for item in seq.data:
            op, av = item
            if op is _SUBPATTERN:
                inner = _scoped(flags, av[1], av[2])
                if av[0] is not None:
                    self.groups[av[0]] = (av[3], inner)
                self._index(av[3], inner)
                continue
            if op is _LITERAL or op is _NOT_LITERAL:
                self.codepoints.add(av)
            elif op is _IN:
                for member_op, member in av:
                    if member_op is _LITERAL:
                        self.codepoints.add(member)
                    elif member_op is _RANGE:
                        self.codepoints.update((member[0], member[1], member[1] + 1))
            elif op is _GROUPREF or op is _GROUPREF_EXISTS:
                self.references.append(item)
            elif op is _ASSERT or op is _ASSERT_NOT:
                self.lookarounds.append(item)
            elif op is _ATOMIC_GROUP:
                self.atomics.append(item)
            for child in _children(op, av):
                self.sequences.append((child, flags))
                self._index(child, flags)
            if _is_repeat(op):
                self.repeats.append((item, flags))

    # character sets ---------------------------------------------------------------------

    def _set_mask(self, op: object, av: Any, flags: int) -> int:
        """Characters one single-character item matches."""
        u = self.u
        if op is _ANY:
            return u.full if flags & _DOTALL else u.full & ~u.newline
        # IN lists are keyed by identity and kept alive in the memo, so an id is never reused
        key = (id(av) if op is _IN else av, flags, op is _NOT_LITERAL)
        cached = self.set_memo.get(key)
        if cached is not None:
            return cached[0]
        negate = op is _NOT_LITERAL
        if op is _IN:
            mask = 0
            for member_op, member in av:
                if member_op is _NEGATE:
                    negate = True
                elif member_op is _LITERAL:
                    mask |= u.char_mask(member)
                elif member_op is _RANGE:
                    mask |= u.range_mask(member[0], member[1])
                elif member_op is _CATEGORY and member in _CATEGORIES:
                    name, negated = _CATEGORIES[member]
                    cat = u.categories[name, bool(flags & _ASCII)]
                    mask |= u.full ^ cat if negated else cat
                else:
                    mask = u.full
        else:
            mask = u.char_mask(av)
        if flags & _IGNORECASE:
            mask = u.fold(mask)
        mask = u.full ^ mask if negate else mask
        self.set_memo[key] = (mask, av)
        return mask

    def _item_first(self, item: _Item, flags: int) -> tuple[int, bool]:
        """Characters a non-empty match of the item can start with; whether it can be empty."""
        op, av = item
        if _is_char(op):
            return self._set_mask(op, av, flags), False
        if op is _SUBPATTERN:
            return self._first(av[3], _scoped(flags, av[1], av[2]))
        if op is _ATOMIC_GROUP:
            return self._first(av, flags)
        if op is _BRANCH:
            mask, empty = 0, False
            for alt in av[1]:
                m, e = self._first(alt, flags)
                mask, empty = mask | m, empty or e
            return mask, empty
        if _is_repeat(op):
            if av[1] == 0:
                return 0, True
            m, e = self._first(av[2], flags)
            return m, e or av[0] == 0
        if op is _GROUPREF:
            group = self.groups.get(av)
            return self._first(*group) if group else (self.u.full, True)
        if op is _GROUPREF_EXISTS:
            m, e = self._first(av[1], flags)
            if av[2] is None:
                return m, True
            m2, e2 = self._first(av[2], flags)
            return m | m2, e or e2
        if op is _AT or op is _ASSERT or op is _ASSERT_NOT:
            return 0, True
        return self.u.full, True  # an item this analysis does not know: assume anything

    def _first_of(self, items: list[tuple[_Item, int]]) -> tuple[int, bool]:
        mask = 0
        for item, flags in items:
            m, empty = self._item_first(item, flags)
            mask |= m
            if not empty:
                return mask, False
        return mask, True

    def _first(self, seq: Any, flags: int) -> tuple[int, bool]:
        key = (id(seq), flags)
        cached = self.first_memo.get(key)
        if cached is None:
            cached = self.first_memo[key] = self._first_of([(item, flags) for item in seq.data])
        return cached

    def _chars(self, seq: Any, flags: int) -> int:
        """Every character a match of the sequence can consume."""
        key = (id(seq), flags)
        cached = self.chars_memo.get(key)
        if cached is not None:
            return cached
        mask = 0
        for op, av in seq.data:
            if _is_char(op):
                mask |= self._set_mask(op, av, flags)
            elif op is _SUBPATTERN:
                mask |= self._chars(av[3], _scoped(flags, av[1], av[2]))
            elif op is _GROUPREF:
                group = self.groups.get(av)
                mask |= self._chars(*group) if group else self.u.full
            elif op is _BRANCH or _is_repeat(op) or op is _GROUPREF_EXISTS or op is _ATOMIC_GROUP:
                # (a repeat of at most 0 consumes nothing)
                if not (_is_repeat(op) and av[1] == 0):
                    for child in _children(op, av):
                        mask |= self._chars(child, flags)
            elif not (op is _ASSERT or op is _ASSERT_NOT or op is _AT):
                mask = self.u.full  # an item this analysis does not know: assume anything
        self.chars_memo[key] = mask
        return mask

    def _flatten(self, seq: Any, flags: int) -> list[tuple[_Item, int]]:
        """The items of a sequence with plain groups opened up."""
        out: list[tuple[_Item, int]] = []
        for item in seq.data:
            op, av = item
            if op is _SUBPATTERN:
                out.extend(self._flatten(av[3], _scoped(flags, av[1], av[2])))
            else:
                out.append((item, flags))
        return out

    # reporting --------------------------------------------------------------------------

    def _snippet(self, quantifier: _Quantifier | None) -> str:
        if quantifier is None:
            return "a repeat"
        text = self.pattern[quantifier.atom_start : quantifier.end]
        return repr(text if len(text) <= 40 else text[:37] + "...")

    def problems(self) -> list[RegexProblem]:
        out: list[RegexProblem] = []
        for (item, flags), quantifier in zip(self.repeats, self.quantifiers, strict=True):
            out.extend(self._repeat_problems(item, flags, quantifier))
        for seq, flags in self.sequences:
            out.extend(self._adjacent_problems(seq, flags))
        for (op, av), offset in zip(self.references, self.reference_at, strict=True):
            what = (
                f"conditional group on group {av[0]}"
                if op is _GROUPREF_EXISTS
                else (f"backreference to group {av}")
            )
            out.append(
                RegexProblem(
                    "backreference", "info",
                    f"{what}: fine in Python, but the columnar engine (Rust regex) does not "
                    "support backreferences",
                    offset,
                )
            )  # fmt: skip
        for (op, av), offset in zip(self.lookarounds, self.lookaround_at, strict=True):
            kind = "lookbehind" if av[0] < 0 else "lookahead"
            kind = ("negative " if op is _ASSERT_NOT else "") + kind
            out.append(
                RegexProblem(
                    "lookaround", "info",
                    f"{kind}: fine in Python, but the columnar engine (Rust regex) does not "
                    "support lookaround",
                    offset,
                )
            )  # fmt: skip
        for offset in self.atomic_at:
            out.append(_atomic_info("atomic group (?>...)", offset))
        return out

    def _repeat_problems(
        self, item: _Item, flags: int, quantifier: _Quantifier | None
    ) -> Iterator[RegexProblem]:
        op, (lo, hi, body) = item
        snippet = self._snippet(quantifier)
        if lo > LARGE_BOUND or (hi < _MAXREPEAT and hi > LARGE_BOUND):
            yield RegexProblem(
                "unbounded_repeat_large",
                "warning",
                f"{snippet} repeats up to {hi if hi < _MAXREPEAT else lo} times; bounds above "
                f"{LARGE_BOUND} are slow to match and backtrack like an unbounded repeat",
                quantifier.start if quantifier else None,
            )
        if op is _POSSESSIVE_REPEAT:
            yield _atomic_info(
                f"possessive repeat {snippet}", quantifier.start if quantifier else None
            )
            return
        if hi <= 1:
            return
        where = quantifier.atom_start if quantifier else None
        inner = self._explosive_inner_repeat(body, hi)
        if inner is not None:
            inner_lo, inner_hi = inner[1][0], inner[1][1]
            bound = "unbounded" if _unbounded(inner_hi) else f"{inner_lo}..{inner_hi} times"
            yield RegexProblem(
                "nested_quantifier",
                "error",
                f"{snippet} repeats a group that itself contains a backtracking repeat "
                f"({bound}): the ways to split the text multiply (catastrophic backtracking, "
                "ReDoS); repeat the inner part once, or make it possessive (a++) or atomic "
                "(?>...)",
                where,
            )
        if _explodes(2, hi) and self._alternatives_overlap(body, flags, quantifier):
            yield RegexProblem(
                "overlapping_alternation",
                "error",
                f"{snippet} repeats alternatives that can match the same text, so each "
                "repetition can be tried in several ways (catastrophic backtracking, ReDoS); "
                "make the alternatives start differently, e.g. factor out the common part",
                where,
            )

    def _explosive_inner_repeat(self, body: Any, iterations: int) -> _Item | None:
        for inner in self._inner_repeats(body):
            lo, hi, inner_body = inner[1]
            if inner_body.getwidth()[1] == 0:
                continue
            choices = math.inf if _unbounded(hi) else hi - max(lo, 1) + 1
            if _explodes(choices, iterations):
                return inner
        return None

    def _inner_repeats(self, seq: Any) -> Iterator[_Item]:
        """Backtracking repeats inside a sequence (not inside atomic or lookaround parts)."""
        for item in seq.data:
            op, av = item
            if op is _POSSESSIVE_REPEAT or op is _ATOMIC_GROUP:
                continue
            if op is _ASSERT or op is _ASSERT_NOT:
                continue
            if op is _MAX_REPEAT or op is _MIN_REPEAT:
                yield item
            for child in _children(op, av):
                yield from self._inner_repeats(child)

    def _branches(self, seq: Any, flags: int) -> Iterator[tuple[list[Any], int]]:
        """Alternations under one repeat, leaving those a nested repeat answers for."""
        for op, av in seq.data:
            if op is _POSSESSIVE_REPEAT or op is _ATOMIC_GROUP:
                continue
            if op is _ASSERT or op is _ASSERT_NOT:
                continue
            if (op is _MAX_REPEAT or op is _MIN_REPEAT) and _explodes(2, av[1]):
                continue
            if op is _BRANCH:
                yield list(av[1]), flags
            inner = _scoped(flags, av[1], av[2]) if op is _SUBPATTERN else flags
            for child in _children(op, av):
                yield from self._branches(child, inner)

    def _signature(self, alt: Any, flags: int) -> _Signature:
        """The first fixed characters of an alternative, the first characters of the rest,
        and whether the alternative can end right after the fixed part."""
        items = self._flatten(alt, flags)
        fixed: list[int] = []
        k = 0
        while k < len(items) and len(fixed) < _PREFIX_POSITIONS and _is_char(items[k][0][0]):
            (op, av), fl = items[k]
            fixed.append(self._set_mask(op, av, fl))
            k += 1
        if k == len(items):
            return fixed, 0, True
        if len(fixed) == _PREFIX_POSITIONS:
            return fixed, self.u.full, True
        tail, empty = self._first_of(items[k:])
        return fixed, tail, empty

    def _alternatives_overlap(self, body: Any, flags: int, quantifier: _Quantifier | None) -> bool:
        self.comparisons = _MAX_BRANCH_COMPARISONS
        for alts, fl in self._branches(body, flags):
            signatures = [self._signature(alt, fl) for alt in alts]
            if self._any_compatible(signatures, list(range(len(signatures))), 0):
                return True
        return self._folded_alternatives_overlap(body, flags, quantifier)

    def _any_compatible(self, sigs: list[_Signature], members: list[int], k: int) -> bool:
        """Whether two of ``members`` may match the same text, given that their fixed
        characters before position ``k`` are the same sets.

        A trie over the position masks: alternatives ending at ``k`` are compared with every
        other member, the rest are grouped by their set at ``k``; groups whose sets intersect
        are compared pairwise, and each group is split again at ``k + 1``. After
        :data:`_MAX_BRANCH_COMPARISONS` pairwise comparisons the answer is yes (fail closed).
        """
        ended = [i for i in members if len(sigs[i][0]) == k]
        going: dict[int, list[int]] = {}
        for i in members:
            if len(sigs[i][0]) > k and sigs[i][0][k]:  # an empty set never matches
                going.setdefault(sigs[i][0][k], []).append(i)
        others = ended + [i for group in going.values() for i in group]
        for x, i in enumerate(ended):
            for j in others[x + 1 :]:
                if self._compare(sigs[i], sigs[j]):
                    return True
        masks = list(going)
        union = 0
        for y, mask in enumerate(masks):
            if mask & union:
                for earlier in masks[:y]:
                    if earlier & mask and any(
                        self._compare(sigs[i], sigs[j]) for i in going[earlier] for j in going[mask]
                    ):
                        return True
            union |= mask
        return any(
            len(group) > 1 and self._any_compatible(sigs, group, k + 1) for group in going.values()
        )

    def _compare(self, a: _Signature, b: _Signature) -> bool:
        self.comparisons -= 1
        return self.comparisons < 0 or _compatible(a, b)

    def _folded_alternatives_overlap(
        self, body: Any, flags: int, quantifier: _Quantifier | None
    ) -> bool:
        """Alternatives the parser folded away: ``(\\d|\\w)+`` runs as ``[\\d\\w]+`` and
        ``(ab|a[bc])+`` as ``(a[bc])+``. When the repeated group has alternatives in the
        source but none in the tree, each alternative is parsed on its own and compared."""
        group = quantifier.group if quantifier else None
        if group is None or len(group.branch_starts) < 2:
            return False
        if group.kind not in ("capture", "noncapture", "flags"):
            return False
        seq = body
        while len(seq.data) == 1 and seq.data[0][0] is _SUBPATTERN:
            av = seq.data[0][1]
            flags, seq = _scoped(flags, av[1], av[2]), av[3]
        if any(item[0] is _BRANCH for item, _ in self._flatten(seq, flags)):
            return False
        ends = [start - 1 for start in group.branch_starts[1:]] + [group.end]
        signatures = []
        for start, end in zip(group.branch_starts, ends, strict=True):
            try:
                alt = _sre_parse.parse(self.pattern[start:end], _VERBOSE if group.verbose else 0)
            except Exception:  # an alternative that does not parse alone: no verdict
                return False
            self.reparsed.append(alt)  # alive, so that the memos' ids stay unique
            signatures.append(self._signature(alt, flags))
        return self._any_compatible(signatures, list(range(len(signatures))), 0)

    def _adjacent_problems(self, seq: Any, flags: int) -> Iterator[RegexProblem]:
        items = self._flatten(seq, flags)
        for i, ((op, av), fl) in enumerate(items):
            if not (op is _MAX_REPEAT or op is _MIN_REPEAT) or not _unbounded(av[1]):
                continue
            mask = self._chars(av[2], fl)
            if not mask:
                continue
            for item2, fl2 in items[i + 1 : i + 1 + _LOOKAHEAD]:
                op2, av2 = item2
                if _is_repeat(op2) and _unbounded(av2[1]) and self._chars(av2[2], fl2) & mask:
                    first = self.quantifier_of.get(id(items[i][0]))
                    second = self.quantifier_of.get(id(item2))
                    yield RegexProblem(
                        "adjacent_overlapping_quantifiers",
                        "warning",
                        f"{self._snippet(first)} and {self._snippet(second)} can consume the "
                        "same characters, so a failing match tries every split between them "
                        "(polynomial backtracking); make the repeats match disjoint characters",
                        first.atom_start if first else None,
                    )
                    break
                if not self._item_first(item2, fl2)[1]:
                    break


def _atomic_info(what: str, offset: int | None) -> RegexProblem:
    return RegexProblem(
        "atomic_group",
        "info",
        f"{what}: fine in Python, but the columnar engine (Rust regex) does not support "
        "atomic groups or possessive repeats",
        offset,
    )


# --- public API ---------------------------------------------------------------------------


def _failure(exc: Exception) -> RegexProblem:
    if isinstance(exc, re.error):
        return RegexProblem("syntax", "error", f"does not compile: {exc.msg}", exc.pos)
    if isinstance(exc, RecursionError):
        return RegexProblem("too_deep", "error", "nests too deeply for Python's re", None)
    # OverflowError for huge repeat counts, a warning the filters turned into an error, ...
    return RegexProblem("syntax", "error", f"does not compile: {exc}", None)


def _parse(pattern: str) -> tuple[Any, RegexProblem | None]:
    """The parse tree, or why the pattern does not compile.

    Parsing is cheap; compiling is not (CPython spends ~5 ms per wide Unicode range such
    as ``[\u0100-\uffff]``), so the two errors only the compiler raises are checked here.
    """
    try:
        tree = _sre_parse.parse(pattern)
    except Exception as exc:  # re.error, OverflowError, RecursionError, ...
        return None, _failure(exc)
    stack = [tree]
    while stack:
        seq = stack.pop()
        for op, av in seq.data:
            if (op is _ASSERT or op is _ASSERT_NOT) and av[0] < 0:
                lo, hi = av[1].getwidth()
                if lo > _MAXCODE:
                    return None, RegexProblem("syntax", "error", "looks too much behind", None)
                if lo != hi:
                    message = "does not compile: look-behind requires fixed-width pattern"
                    return None, RegexProblem("syntax", "error", message, None)
            stack.extend(_children(op, av))
    return tree, None


def _compile(pattern: str) -> tuple[re.Pattern[str] | None, RegexProblem | None]:
    try:
        return re.compile(pattern), None
    except Exception as exc:
        return None, _failure(exc)


def _analyse(pattern: str, max_length: int) -> tuple[list[RegexProblem], Any]:
    if not isinstance(pattern, str):
        message = f"a pattern must be a string, not {type(pattern).__name__}"
        return [RegexProblem("syntax", "error", message, None)], None
    if len(pattern) > max_length:
        message = (
            f"is {len(pattern)} characters long; at most {max_length} are allowed, "
            "split the condition or simplify the pattern"
        )
        return [RegexProblem("too_long", "error", message, max(max_length, 0))], None
    tree, problem = _parse(pattern)
    if problem is not None:
        return [problem], None
    depth = _depth(tree)
    if depth > MAX_NESTING:
        message = f"nests more than {MAX_NESTING} groups and repeats deep; simplify it"
        return [RegexProblem("too_deep", "error", message, None)], None
    layout = _scan(pattern, bool(tree.state.flags & _VERBOSE))
    problems = _Analysis(pattern, tree, layout).problems()
    problems.sort(
        key=lambda p: (
            _SEVERITY_RANK[p.severity],
            -1 if p.offset is None else p.offset,
            p.code,
            p.message,
        )
    )
    return problems, tree


def regex_problems(pattern: str, *, max_length: int = 1000) -> list[RegexProblem]:
    """Analyse a Python :mod:`re` pattern statically, without running it.

    Args:
        pattern: the regular expression, as written in a profile condition.
        max_length: longer patterns are rejected with ``too_long`` and not analysed further.

    Returns:
        The problems found, errors first, then warnings, then infos, each group by offset;
        the same pattern always gives the same list. An empty list means the pattern
        compiles and has no known backtracking hazard or portability issue. ``syntax``,
        ``too_long`` and ``too_deep`` come alone: nothing else is analysed after them.

    Never raises: should the analysis itself fail, the answer is a single ``unanalysable``
    error, so that a profile with a pattern nobody understands is rejected, not trusted.
    See the module docstring for the codes and what the analysis approximates.
    """
    try:
        return _analyse(pattern, max_length)[0]
    except Exception as exc:  # fail closed on untrusted input
        message = f"could not be analysed ({type(exc).__name__}); simplify the pattern"
        return [RegexProblem("unanalysable", "error", message, None)]


_LENGTHS: Final = (4, 8, 12, 16, 18, 20, 22, 24, 26, 28)
_SUFFIXES: Final = ("!", "\x00", "#", "~", " ")
_CATEGORY_SAMPLES: Final = {"DIGIT": "0", "WORD": "a", "SPACE": " ", "LINEBREAK": "\n"}
_NEGATED_SAMPLES: Final = {"DIGIT": "a", "WORD": " ", "SPACE": "a", "LINEBREAK": "a"}


def _sample_chars(tree: Any) -> tuple[list[str], str]:
    """Characters the pattern matches, in order of appearance, and its literal prefix."""
    chars: dict[str, None] = {}
    stack = [tree]
    while stack and len(chars) < 8:
        seq = stack.pop()
        for op, av in seq.data:
            if op is _LITERAL:
                chars[chr(av)] = None
            elif op is _NOT_LITERAL or op is _ANY:
                chars["b" if av == ord("a") else "a"] = None
            elif op is _IN:
                for member_op, member in av:
                    if member_op is _LITERAL:
                        chars[chr(member)] = None
                    elif member_op is _RANGE:
                        chars[chr(member[0])] = None
                    elif member_op is _CATEGORY and member in _CATEGORIES:
                        name, negated = _CATEGORIES[member]
                        chars[(_NEGATED_SAMPLES if negated else _CATEGORY_SAMPLES)[name]] = None
            stack.extend(reversed(_children(op, av)))
    prefix: list[str] = []
    for op, av in tree.data:
        if op is _LITERAL and len(prefix) < 16:
            prefix.append(chr(av))
        elif op is not _AT:
            break
    return list(chars)[:8] or ["a"], "".join(prefix)


def _adversarial(chars: list[str], prefix: str, length: int) -> Iterator[str]:
    suffix = next((s for s in _SUFFIXES if s not in chars), "!")
    for char in chars[:6]:
        yield prefix + char * length + suffix
    if len(chars) > 1:
        cycle = "".join(chars)
        yield prefix + (cycle * (length // len(cycle) + 1))[:length] + suffix


def _timed(compiled: re.Pattern[str], text: str) -> float:
    start = time.perf_counter()
    compiled.search(text)
    return time.perf_counter() - start


def check_regex_runtime(pattern: str, *, budget_seconds: float = 0.05) -> RegexProblem | None:
    """Time the pattern on short adversarial strings; report ``slow`` if one takes too long.

    An empirical guard behind :func:`regex_problems`, run in-process (no subprocess). The
    inputs are built from the pattern's own characters: each character repeated, and all of
    them in turn, after the pattern's literal prefix and before a character that makes the
    match fail (``'a' * n + '!'``). Lengths grow from 4 to 28 and the search stops at the
    first match (timed twice, to ride out a scheduler hiccup) that exceeds
    ``budget_seconds``.

    Python's :mod:`re` cannot be interrupted, so this only ever runs patterns the static
    analysis accepts: when :func:`regex_problems` (without a length limit) reports an error,
    that error is returned and nothing is run. For such patterns a safe match of these short
    strings takes microseconds; a pattern exponential in the input length overruns the
    budget by at most the growth between two lengths (about 4x for a doubling per
    character) before it is caught.

    Returns:
        ``None`` when every match stayed within budget, else a ``slow`` error (or the static
        error that kept the pattern from running). Never raises.
    """
    try:
        # the length limit is the caller's policy; only the safety errors matter here
        problems, tree = _analyse(pattern, len(pattern) if isinstance(pattern, str) else 0)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            return errors[0]
        compiled, problem = _compile(pattern)
        if compiled is None:
            return problem
        chars, prefix = _sample_chars(tree)
        for length in _LENGTHS:
            for text in _adversarial(chars, prefix, length):
                # timed twice, so that one scheduler hiccup is not reported as a slow pattern
                if (
                    _timed(compiled, text) > budget_seconds
                    and _timed(compiled, text) > budget_seconds
                ):
                    shown = text if len(text) <= 40 else text[:37] + "..."
                    return RegexProblem(
                        "slow",
                        "error",
                        f"matching {shown!r} ({len(text)} characters) took longer than "
                        f"{budget_seconds:g} s: the pattern backtracks badly on some inputs",
                        None,
                    )
        return None
    except Exception as exc:  # fail closed on untrusted input
        message = f"could not be checked ({type(exc).__name__}); simplify the pattern"
        return RegexProblem("unanalysable", "error", message, None)
