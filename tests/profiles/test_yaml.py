"""Safe YAML: any text either parses or is refused with a located YamlError in words."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.profiles._yaml import MAX_DEPTH, YamlError, parse
from tests.depth import depth

# The pieces YAML mistakes are made of.
YAMLISH = st.lists(
    st.sampled_from(
        [
            *"ab:-'\"[]{},#&*!|>?%@`\t\n \\\x00",
            "  ",
            ": ",
            "- ",
            "\n  ",
            "2026-02-30",
            "<<",
            "&x ",
            "*x",
        ]
    ),
    max_size=40,
).map("".join)


def _problem(text: str) -> YamlError | None:
    try:
        parse(text)
    except YamlError as exc:
        return exc
    return None


@settings(max_examples=depth(300), deadline=None)
@given(YAMLISH)
def test_any_text_parses_or_is_refused_in_words(text: str) -> None:
    error = _problem(text)  # anything but a YamlError escapes and fails the test
    if error is None:
        return
    assert error.message
    assert "<block" not in error.message
    assert "<scalar>" not in error.message
    if error.line is not None:
        assert 1 <= error.line <= text.count("\n") + 2
        assert error.column is not None
        assert error.column >= 1


@pytest.mark.parametrize(
    "text", ["a: &x [1, *x]\n", "a: &x {b: *x}\n", "a: &x [1, [2, {c: *x}]]\n", "&x [*x]\n"]
)
def test_an_alias_inside_its_own_value_is_refused_not_looped(text: str) -> None:
    # Once an endless loop (a denial of service from one profile file).
    with pytest.raises(YamlError) as info:
        parse(text)
    assert info.value.message.startswith("an alias (*name) is used inside the value its anchor")
    assert info.value.line == 1


@pytest.mark.parametrize(
    "text",
    ["a: 1\n\tb: 2\n", "a: [1, 2\n", "a: {b: 1\n", "a: 'x\n", 'a: "x\n', "a:\n -b\n  c: 1\n"],
)
def test_common_mistakes_are_refused_with_a_position(text: str) -> None:
    with pytest.raises(YamlError) as info:
        parse(text)
    assert info.value.line is not None


def test_a_huge_integer_is_refused_in_a_short_message() -> None:
    # Python refuses to read more than 4,300 digits; the message once quoted all of them.
    with pytest.raises(YamlError) as info:
        parse("weight: " + "9" * 5000 + "\n")
    assert info.value.message == (
        "bad value '9999999999999999999999999999999999999...': a number of 5,000 digits is too "
        "large"
    )
    assert (info.value.line, info.value.column) == (1, 9)


@pytest.mark.parametrize("opening", ["[", "{a: "])
@pytest.mark.parametrize("extra", [1, 5_000])
def test_a_flow_collection_too_deep_is_refused_at_its_bracket(opening: str, extra: int) -> None:
    """The bracket that goes deeper than any value may is named, whatever follows it: the
    scanner stops there instead of reading ahead through every bracket of the file (a
    file of 20,000 brackets took about a second before being refused at the first)."""
    levels = MAX_DEPTH + 1 + extra
    closing = "]" if opening == "[" else "}"
    body = "1" if opening != "[" else ""
    text = "a: " + opening * levels + body + closing * levels + "\n"
    with pytest.raises(YamlError, match=f"nested more than {MAX_DEPTH} deep") as caught:
        parse(text)
    # The (MAX_DEPTH + 1)-th bracket, or the one after it: never the outermost.
    column = caught.value.column
    assert column is not None
    assert column > 3 + len(opening) * MAX_DEPTH


def test_a_flow_collection_as_deep_as_allowed_still_parses() -> None:
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse(text).data is not None
