"""RFC 8785 canonical JSON: the examples of the RFC, and agreement with json.dumps."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskprofile.exchange import canonicalize

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(exclude_categories=["Cs"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def test_sorts_keys_by_utf16_code_units() -> None:
    # RFC 8785 section 3.2.3: U+10000 (a surrogate pair, D800...) sorts before U+FB33.
    assert canonicalize({"\ufb33": 1, "\U00010000": 2}) == ('{"\U00010000":2,"\ufb33":1}'.encode())


def test_escapes_as_ecmascript_does() -> None:
    assert canonicalize('\u2028\x1f\t"\\/é') == '"\u2028\\u001f\\t\\"\\\\/é"'.encode()


@pytest.mark.parametrize("value", [1.5, 2**53, {1: "x"}, "\ud800", object()])
def test_refuses_what_is_not_exact(value: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - several different messages
        canonicalize(value)


@given(json_values)
def test_round_trips_and_matches_sorted_compact_json(value: object) -> None:
    data = canonicalize(value)
    assert json.loads(data) == value
    assert canonicalize(json.loads(data)) == data
