"""The request limits' scans agree with what they stand in for."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.serve._limits import Limits, field_problems, lone_surrogate, nesting_depth
from tests.depth import depth

# Text with surrogates among ordinary and astral characters, and backslashes.
TEXT = st.text(st.one_of(st.characters(), st.sampled_from(["\\", "\ud800", "\udfff", "😀"])))


@settings(max_examples=depth(200))
@given(TEXT)
def test_a_lone_surrogate_is_found_exactly_when_the_text_cannot_be_written(text: str) -> None:
    data = json.dumps({"k\\": [text, "\\"]}).encode()  # surrogates written as escapes
    try:
        text.encode("utf-8")
        writable = True
    except UnicodeEncodeError:
        writable = False
    assert (lone_surrogate(data) is None) == writable


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=20,
)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


@settings(max_examples=depth(200))
@given(JSON)
def test_the_nesting_scan_is_the_documents_depth(value: Any) -> None:
    assert nesting_depth(json.dumps(value).encode()) == _depth(value)


def test_field_problems_name_the_path_size_and_limit() -> None:
    limits = Limits(max_text_chars=5, max_items=2)
    found = field_problems({"a": [{"b": "x" * 6}], "c": [1, 2, 3]}, limits)
    assert {p["field"] for p in found} == {"a[0].b", "c"}
    assert any("6 characters, more than the limit of 5" in p["reason"] for p in found)
