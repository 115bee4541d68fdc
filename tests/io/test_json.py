"""Bounded JSON: every JSON input is parsed within size, depth and integer limits, and a
bad JSON Lines line is one rejected record, never the end of the batch."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile import read_batch
from riskprofile.errors import InputFormatError
from riskprofile.evaluation import read_outcomes
from riskprofile.io._json import (
    JsonInputError,
    JsonLimits,
    iter_lines,
    loads,
    nesting_depth,
    read_document,
)
from tests.depth import depth

DEEP = "[" * 5000 + "]" * 5000
GOOD = {
    "vessel_imo": "9321483",
    "voyage_number": "0425W",
    "port_of_call": "PKKHI",
    "consignments": [{"bl_number": "MEDUEC240001", "container_numbers": ["MSKU9045125"]}],
}


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab\n', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\k', max_size=3), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=depth(200), deadline=None)
@given(_VALUES)
def test_the_depth_scan_counts_what_the_parser_nests(value: Any) -> None:
    text = json.dumps(value)
    assert nesting_depth(text.encode()) == _depth(value)
    assert loads(text) == value


def test_deep_nesting_is_refused_before_the_parser_recurses() -> None:
    with pytest.raises(JsonInputError) as caught:
        loads(DEEP)
    assert caught.value.problem == "depth"
    assert isinstance(caught.value, InputFormatError)
    assert loads("[" * 64 + "]" * 64) is not None
    # Brackets inside strings are not nesting.
    assert loads(json.dumps({"s": DEEP})) == {"s": DEEP}


def test_long_integers_are_refused_and_long_floats_are_not_integers() -> None:
    with pytest.raises(JsonInputError, match="5,000 digits"):
        loads('{"packages": ' + "9" * 5000 + "}")
    assert loads("-" + "9" * 100) == -int("9" * 100)
    assert loads("1e400") == float("inf")  # the model refuses it, naming the field


def test_size_encoding_surrogates_and_constants() -> None:
    with pytest.raises(JsonInputError, match="more than the 10 bytes"):
        loads(b"[1, 2, 3, 4, 5]", JsonLimits(max_bytes=10))
    with pytest.raises(JsonInputError, match=r"not UTF-8 text.*0xff\) at column 8"):
        loads(b'{"a": "\xff"}')
    with pytest.raises(JsonInputError, match="lone UTF-16 surrogate"):
        loads('{"name": "\\ud800"}')
    assert loads('"\\ud83d\\ude00"') == "\U0001f600"  # a pair is fine
    assert loads(b"\xef\xbb\xbf[1]") == [1]
    with pytest.raises(JsonInputError, match="NaN is not JSON"):
        loads("[NaN]", JsonLimits(allow_constants=False))


def test_json_lines_end_at_line_feeds_only_and_skip_long_lines_unread() -> None:
    data = b'{"a": 1}\r\n\r\n{"a":\r 2}\n' + b"x" * 100 + b"\n\n[3]"
    lines = list(iter_lines(io.BytesIO(data), JsonLimits(max_bytes=50)))
    assert [(line.number, line.value) for line in lines] == [
        (1, {"a": 1}), (3, {"a": 2}), (4, None), (6, [3])
    ]  # fmt: skip
    assert lines[2].error is not None
    assert "more than 50 bytes" in lines[2].error.reason
    # A line of exactly the limit is read, its line feed not counted.
    exact = b"[" + b"1," * 23 + b"12]"
    assert len(exact) == 50
    [line] = iter_lines(io.BytesIO(exact + b"\n"), JsonLimits(max_bytes=50))
    assert line.error is None


def test_a_json_batch_nested_too_deep_is_an_input_format_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(DEEP)
    with pytest.raises(InputFormatError, match=r"deep\.json: nested deeper than 64 levels"):
        read_batch(path)
    with pytest.raises(InputFormatError, match=r"no\.json: cannot open"):
        read_document(tmp_path / "no.json")


def test_each_bad_json_lines_line_is_one_rejected_record(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    good = json.dumps(GOOD).encode()
    path.write_bytes(
        b"\n".join(
            [
                good,
                DEEP.encode(),
                b'{"vessel_imo": ' + b"9" * 5000 + b"}",
                b'{"vessel_name": "\xff"}',
                b'{"vessel_name":\r"X"}',  # a carriage return is JSON whitespace
                b'{"vessel_name": "\\udc80"}',
                good,
            ]
        )
        + b"\n"
    )
    batch = read_batch(path)
    assert batch.records_read == 7
    assert [(r.record, r.problems[0].field) for r in batch.rejected] == [
        (2, None), (3, None), (4, None), (6, None)
    ]  # fmt: skip
    reasons = [r.reason for r in batch.rejected]
    assert "nested deeper than 64 levels" in reasons[0]
    assert "an integer of 5,000 digits" in reasons[1]
    assert "not UTF-8 text" in reasons[2]
    assert "lone UTF-16 surrogate" in reasons[3]
    assert batch.records_accepted == 3


def test_outcome_files_have_the_same_limits(tmp_path: Path) -> None:
    deep = tmp_path / "outcomes.json"
    deep.write_text(DEEP)
    with pytest.raises(InputFormatError, match="nested deeper than 64 levels"):
        read_outcomes(deep)
    lines = tmp_path / "outcomes.jsonl"
    good = b'{"container_number": "MSKU9045125", "inspected": true, "finding": false}'
    lines.write_bytes(good + b"\n" + DEEP.encode() + b"\n\xff\n\x1c" + good + b"\n")
    reading = read_outcomes(lines)
    assert [r.record for r in reading.rejected] == [2, 3, 4]
    assert reading.records_read == 4
