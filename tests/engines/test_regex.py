"""RE2 regexes rewritten for Polars (Rust ``regex``) find exactly what RE2 finds."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.depth import depth

pl = pytest.importorskip("polars")

from riskprofile.engines.columnar._regex import (  # noqa: E402
    SAFE_TEXT,
    UnsupportedRegex,
    rust_pattern,
)
from riskprofile.profiles._regex import RegexRefused, compile_regex  # noqa: E402

# RE2 syntax, including where Rust reads the same text otherwise: Unicode \d \w \s \b in
# Rust, nested classes and set operations ([[a], [a&&b]), x{,2} (RE2: the literal text).
_ATOMS = ("A", "B", "a", "1", " ", ".", r"\d", r"\w", r"\s", r"\W", r"\S", r"\D", "[A-C]",
          "[^A1]", r"[\w.]", r"[^\s]", r"\.", r"\$", "-", r"\n", "é", "[a-zA-Z]", r"\\",
          "[[:alpha:]]", "[[:^digit:]]", "[[A]", "[A&&a]", "[a~~-]", "[--]", "A{,2}", "{",
          "}", r"\x41", r"\x{e9}", r"[\D]", r"\t", r"\v", r"\f", "&", "~", "#")  # fmt: skip
_ANCHORS = ("^", "$", r"\b", r"\B", r"\A", r"\z")
_QUANTIFIERS = ("", "*", "+", "?", "{2}", "{1,3}", "{2,}", "*?", "+?", "??")


@st.composite
def patterns(draw: st.DrawFn, depth: int = 2) -> str:
    """Small RE2 regexes from atoms, anchors, groups, alternation and quantifiers."""
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
            group = draw(
                st.sampled_from(["(?:{}|{})", "({}|{})", "(?i:{}{})", "(?P<g>{}{})", "({}{})"])
            )
            part = group.format(inner, other)
        parts.append(part + draw(st.sampled_from(_QUANTIFIERS)))
    flags = draw(st.sampled_from(["", "(?i)", "(?m)", "(?s)", "(?U)", "(?ms)"]))
    return flags + "".join(parts)


_TEXT = st.text(st.sampled_from("AaBb1 .-_\n\t\x0b\x0cé$\\\x1cK\u212a[&~{},2#"), max_size=8)


@settings(max_examples=depth(300), deadline=None, suppress_health_check=list(HealthCheck))
@given(patterns(), st.lists(_TEXT, min_size=1, max_size=6), st.booleans())
def test_rewritten_regexes_find_what_re2_finds(
    pattern: str, texts: list[str], anchored: bool
) -> None:
    try:
        rust = rust_pattern(pattern, anchored=anchored)
    except (RegexRefused, UnsupportedRegex):
        return
    compiled = compile_regex(pattern)
    want = [(compiled.match if anchored else compiled.search)(text) is not None for text in texts]
    found = pl.Series(texts, dtype=pl.String).str.contains(rust.pattern).to_list()
    safe = [re.fullmatch(SAFE_TEXT[1:-1], text) is not None for text in texts]
    for text, wanted, got, is_safe in zip(texts, want, found, safe, strict=True):
        if is_safe or not rust.guard:
            assert got == wanted, (pattern, rust.pattern, text)


def test_most_generated_patterns_are_written() -> None:
    # The property above must not pass by refusing everything.
    @settings(max_examples=depth(100), deadline=None, suppress_health_check=list(HealthCheck))
    @given(patterns())
    def count(pattern: str) -> None:
        try:
            rust_pattern(pattern, anchored=False)
            written.append(pattern)
        except (RegexRefused, UnsupportedRegex):
            refused.append(pattern)

    written: list[str] = []
    refused: list[str] = []
    count()
    assert len(written) > 3 * len(refused), refused[:5]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"\pL", r"\\p"),
        (r"\p{Greek}", r"\\p"),
        (r"\Qa.b\E", r"\\Q"),
        (r"\C", r"\\C"),
        (r"\101", r"\\1"),
        ("[a-c-e]", "'-'"),
    ],
)
def test_what_the_writer_does_not_know_is_refused_with_a_reason(pattern: str, reason: str) -> None:
    compile_regex(pattern)  # RE2 runs it: the row-wise engine will
    with pytest.raises(UnsupportedRegex, match=reason):
        rust_pattern(pattern, anchored=False)


@pytest.mark.parametrize("pattern", ["(?=A)", "(?<!A)B", r"(A)\1", "A*+", "(?>A)", "(", r"\Z"])
def test_what_re2_refuses_is_refused(pattern: str) -> None:
    with pytest.raises(RegexRefused):
        rust_pattern(pattern, anchored=False)


def test_guard_only_when_case_folding_meets_other_text() -> None:
    # RE2's \b, \w, $ are ASCII and end-of-text: written exactly, so no guard.
    assert not rust_pattern("^TO (THE )?ORDER", anchored=False).guard
    assert not rust_pattern(r"\bBOX\b", anchored=False).guard
    assert not rust_pattern("X$", anchored=False).guard
    assert not rust_pattern("ÄB", anchored=False).guard
    assert rust_pattern("(?i)x", anchored=False).guard
    assert rust_pattern("a(?i:x)", anchored=False).guard
    assert not rust_pattern("(?-i:x)", anchored=False).guard
