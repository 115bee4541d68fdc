"""Python regexes rewritten for Polars find exactly what Python's ``re`` finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

from riskprofile.engines.columnar._regex import (  # noqa: E402
    SAFE_TEXT,
    UnsupportedRegex,
    rust_pattern,
)

_ATOMS = ("A", "B", "a", "1", " ", ".", r"\d", r"\w", r"\s", r"\W", r"\S", r"\D", "[A-C]",
          "[^A1]", r"[\w.]", r"[^\s]", r"\.", r"\$", "-", r"\n", "é", "[a-zA-Z]",
          r"\\")  # fmt: skip
_ANCHORS = ("^", "$", r"\b", r"\B", r"\A", r"\Z")
_QUANTIFIERS = ("", "*", "+", "?", "{2}", "{1,3}", "{2,}", "*?", "+?", "??")


@st.composite
def patterns(draw: st.DrawFn, depth: int = 2) -> str:
    """Small Python regexes from atoms, anchors, groups, alternation and quantifiers."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        choice = draw(st.integers(0, 9))
        if choice < 6 or depth == 0:
            part = draw(st.sampled_from(_ATOMS))
        elif choice < 8:
            part = draw(st.sampled_from(_ANCHORS))
            parts.append(part)
            continue
        else:
            inner = draw(patterns(depth - 1))
            other = draw(patterns(depth - 1))
            group = draw(st.sampled_from(["(?:{}|{})", "({}|{})", "(?i:{}{})", "({}{})"]))
            part = group.format(inner, other)
        parts.append(part + draw(st.sampled_from(_QUANTIFIERS)))
    flags = draw(st.sampled_from(["", "(?i)", "(?m)", "(?s)", "(?x)"]))
    return flags + "".join(parts)


_TEXT = st.text(st.sampled_from("AaBb1 .-_\n\té$\\\x1cK"), max_size=8)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(patterns(), st.lists(_TEXT, min_size=1, max_size=6), st.booleans())
def test_rewritten_regexes_find_what_python_finds(
    pattern: str, texts: list[str], anchored: bool
) -> None:
    try:
        rust = rust_pattern(pattern, anchored=anchored)
    except (re.error, UnsupportedRegex):
        return
    compiled = re.compile(pattern)
    python = [(compiled.match if anchored else compiled.search)(text) is not None for text in texts]
    found = pl.Series(texts, dtype=pl.String).str.contains(rust.pattern).to_list()
    safe = [re.fullmatch(SAFE_TEXT[1:-1], text) is not None for text in texts]
    for text, want, got, is_safe in zip(texts, python, found, safe, strict=True):
        if is_safe or not rust.guard:
            assert got == want, (pattern, rust.pattern, text)


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(?=A)", "lookahead"),
        ("(?<!A)B", "lookahead/lookbehind"),
        (r"(A)\1", "backreference"),
        ("(A)?(?(1)B|C)", "conditional"),
        ("A*+", "possessive"),
        ("(?>A)", "atomic"),
        ("ÄB", "non-ASCII"),
    ],
)
def test_what_rust_cannot_say_is_refused_with_a_reason(pattern: str, reason: str) -> None:
    with pytest.raises(UnsupportedRegex, match=reason):
        rust_pattern(pattern, anchored=False)


def test_guard_only_when_meaning_depends_on_the_text() -> None:
    assert not rust_pattern("^TO (THE )?ORDER", anchored=False).guard
    assert rust_pattern(r"\bBOX\b", anchored=False).guard
    assert rust_pattern("X$", anchored=False).guard
    assert rust_pattern("(?i)x", anchored=False).guard
