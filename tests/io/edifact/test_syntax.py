"""The EDIFACT tokenizer and segment writer: service characters, releases, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError
from riskprofile.io.edifact import (
    DEFAULT_SERVICE,
    Segment,
    ServiceChars,
    tokenize,
    write_segment,
    write_segments,
)
from riskprofile.io.edifact._syntax import _placeholders, unreleased
from tests.depth import depth


def test_defaults_apply_without_una() -> None:
    tokens = tokenize("UNH+1+CUSCAR:D:95B:UN'BGM+785+X+9'")
    assert not tokens.has_una
    assert tokens.service == DEFAULT_SERVICE
    assert [s.tag for s in tokens.segments] == ["UNH", "BGM"]
    assert tokens.segments[0].elements == (("1",), ("CUSCAR", "D", "95B", "UN"))


def test_una_changes_every_separator_and_the_decimal_mark() -> None:
    tokens = tokenize("UNA|*,#^~UNH*1*CUSCAR|D|95B|UN~MEA*AAE*G*KGM|12,5~FTX*AAA***A#*B#~C~")
    assert tokens.service == ServiceChars("|", "*", ",", "#", "^", "~")
    assert tokens.segments[1].value(3, 2) == "12,5"
    assert tokens.segments[2].value(4) == "A*B~C"


def test_release_character_escapes_every_service_character() -> None:
    tokens = tokenize("FTX+AAA+++IT?'S 50?% OFF?: 2?+1 ??'")
    # A release character before a plain character is dropped (ISO 9735 allows it only
    # before service characters).
    assert tokens.segments[0].value(4) == "IT'S 50% OFF: 2+1 ?"
    assert not tokens.problems


def test_line_breaks_between_segments_are_ignored() -> None:
    tokens = tokenize("UNH+1+CUSCAR:D:95B:UN'\r\nBGM+785'\n  \nUNT+3+1'\n")
    assert [s.tag for s in tokens.segments] == ["UNH", "BGM", "UNT"]
    assert not tokens.problems


def test_problems_name_the_segment() -> None:
    tokens = tokenize("UNH+1'bad+1''BGM+785")
    reasons = {(p.segment, p.reason) for p in tokens.problems}
    assert (2, "not a segment tag") in reasons
    assert (3, "empty segment") in reasons
    assert (4, "the last segment has no terminator") in reasons


def test_a_dangling_release_character_is_reported() -> None:
    tokens = tokenize("FTX+AAA+++WHY?")
    assert any(p.reason == "a release character ends the text" for p in tokens.problems)


@pytest.mark.parametrize(
    "una",
    ["UNA:::.? '", "UNA:+.+ '", "UNA:+;? '", "UNA", "UNAA+.? '"],
)
def test_an_unusable_una_is_refused(una: str) -> None:
    with pytest.raises(InputFormatError):
        tokenize(una + "UNH+1'")


def test_repetitions_of_syntax_4() -> None:
    service = ServiceChars(repetition="*")
    tokens = tokenize(service.una() + "NAD+CZ+A:1*B:2+X'")
    segment = tokens.segments[0]
    assert segment.elements[1] == ("A", "1")
    assert segment.repetitions is not None
    assert segment.repetitions[1] == (("A", "1"), ("B", "2"))
    assert write_segment(segment, service) == "NAD+CZ+A:1*B:2+X'"


def test_writer_drops_trailing_empty_components_and_elements() -> None:
    segment = Segment("EQD", (("CN",), ("CSQU3054383", ""), ("",), ("",)))
    assert write_segment(segment) == "EQD+CN+CSQU3054383'"


def test_the_slow_path_reads_text_holding_private_use_characters() -> None:
    tokens = tokenize("FTX+AAA+++A\uf8f0B?:C'")
    assert tokens.segments[0].value(4) == "A\uf8f0B:C"


# --- property: any segments -> text -> the same segments -----------------------------------

_SERVICES = st.sampled_from(
    [
        DEFAULT_SERVICE,
        ServiceChars("|", "*", ",", "#", " ", "~"),
        ServiceChars(":", "+", ".", "?", "*", "'"),
    ]
)
_VALUES = st.text(alphabet=st.sampled_from("AZ09 .,-'+:?*|#~\u00e9\u4e2d\n"), max_size=8)


@st.composite
def _segments(draw: st.DrawFn) -> list[Segment]:
    out = []
    for _ in range(draw(st.integers(1, 5))):
        tag = draw(st.from_regex(r"[A-Z][A-Z0-9]{2}", fullmatch=True))
        elements = draw(st.lists(st.lists(_VALUES, min_size=1, max_size=3), max_size=4))
        # The writer drops trailing empty components and elements (ISO 9735): generate
        # the normal form it writes.
        cleaned = []
        for element in elements:
            while len(element) > 1 and not element[-1]:
                element.pop()
            cleaned.append(tuple(element))
        while cleaned and cleaned[-1] == ("",):
            cleaned.pop()
        out.append(Segment(tag, tuple(cleaned)))
    return out


@settings(max_examples=depth(150), deadline=None)
@given(_segments(), _SERVICES)
def test_segments_round_trip_through_text(segments: list[Segment], service: ServiceChars) -> None:
    text = write_segments(segments, service, una=True, newline=False)
    tokens = tokenize(text)
    assert tokens.service == service
    assert tokens.segments == segments
    assert not tokens.problems


@settings(max_examples=depth(150), deadline=None)
@given(st.text(max_size=60))
def test_any_text_tokenizes_without_crashing(text: str) -> None:
    try:
        tokens = tokenize(text)
    except InputFormatError:
        assert text.startswith("UNA")
        return
    for problem in tokens.problems:
        assert 1 <= problem.segment <= max(1, len(tokens.segments))


_RELEASED = st.text(alphabet=st.sampled_from("AB1 +:?'*|#~,\n\r\u00e9"), max_size=40)


def _unreleased_by_replaces(text: str, service: ServiceChars) -> tuple[str, bool]:
    """The reference: the chain of ``str.replace`` calls ``unreleased`` made before it
    became one regex pass (pairs of release characters first, then each released
    service character, then every other release character but one at the very end)."""
    release = service.release
    forward, _back = _placeholders(service)
    stripped = text.rstrip("\r\n\t ")
    dangling = (len(stripped) - len(stripped.rstrip(release))) % 2 == 1
    text = text.replace(release + release, forward[release])
    for char, placeholder in forward.items():
        if char != release:
            text = text.replace(release + char, placeholder)
    if release in text:
        if text.endswith(release):
            text = text[:-1].replace(release, "") + release
        else:
            text = text.replace(release, "")
    return text, dangling


@settings(max_examples=depth(300), deadline=None)
@given(_RELEASED, _SERVICES)
def test_released_characters_are_swapped_in_one_pass_as_by_the_replaces(
    text: str, service: ServiceChars
) -> None:
    found = unreleased(text, service)
    assert found is not None
    swapped, back, dangling = found
    if service.release not in text:
        assert (swapped, back, dangling) == (text, None, False)
        return
    assert (swapped, dangling) == _unreleased_by_replaces(text, service)
    assert back == _placeholders(service)[1]
