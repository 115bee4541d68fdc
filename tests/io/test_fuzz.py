"""Fuzzing the batch readers: JSON, JSON Lines, CSV and Parquet batches spoilt with the
values and bytes real and hostile exports contain.

For every spoilt batch:

- no exception escapes but :class:`~riskprofile.errors.InputFormatError`, and only for a
  file that cannot be read at all (a whole JSON document that is not JSON, text that is
  not in the file's encoding); a JSON Lines line, a CSV cell or a Parquet cell never
  costs more than its own record;
- ``records_accepted + len(rejected) == records_read``;
- both readers agree (``read_frame`` equals ``read_batch``: frame, rejected records,
  counts), and both engines score the batch alike with the bundled profiles (row-wise,
  columnar from shipments, and columnar from ``read_frame``'s frame).

The default depth keeps the suite fast. For a release, run it long (see "Fuzzing the
readers" in ``docs/input.md``)::

    RISKPROFILE_FUZZ_EXAMPLES=2000 pytest tests/io/test_fuzz.py
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import Manifest, read_batch, write_csv
from riskprofile.errors import InputFormatError
from riskprofile.io import COLUMNS
from riskprofile.model import LENIENT
from tests import strategies as rst
from tests.depth import depth

pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from riskprofile import output  # noqa: E402
from riskprofile.engines.columnar import score_frame  # noqa: E402
from riskprofile.io import read_frame  # noqa: E402
from riskprofile.profiles import ProfileSet, bundled_profiles_path, load_profiles  # noqa: E402
from riskprofile.scoring import score  # noqa: E402
from riskprofile.selection import select  # noqa: E402
from tests.engines.test_columnar_scoring import frame_view, object_view  # noqa: E402
from tests.io.test_columnar import assert_same_as_models  # noqa: E402

# RISKPROFILE_FUZZ_EXAMPLES, when set, overrides the suite's depth (tests/depth.py).
EXAMPLES = int(os.environ.get("RISKPROFILE_FUZZ_EXAMPLES") or depth(12))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
AS_OF = dt.date(2026, 11, 2)
NAMES = [c.name for c in COLUMNS]

# Cells exports and attackers write: out-of-range and unreadable numbers, dates off the
# calendar, blanks of every kind, line breaks, quotes, huge text.
NASTY_CELLS = [
    "", " ", "\t", "\u2028", "\u3000", "\x1c", "\x00", "\r", "a\nb", "a\r\nb", "a\rb",
    '"', '""', ";;", "1e30", "-1e30", "1e309", "-1e-400", "nan", "NaN", "inf", "-0",
    "18446744073709551618", "9" * 5000, "0." + "1" * 30, "0." + "0" * 30, "1000000001", "1,5",
    "1.000.000,5", "-1", "+7", "0x10", "\U0001f600", "X" * 10_001, "SAID TO CONTAIN " * 9_000,
    "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "2026-02-30", "CSQU3054384",
    "csqu 305438 3", "IMO 9321484", "TRUE", "N/A", "=HYPERLINK(\"x\")",
]  # fmt: skip

# JSON values put anywhere in a manifest document.
NASTY_JSON: list[Any] = [
    None, True, 0, -0.0, 1e30, -1e308, 2**64 + 2, 10**99, "", " ", "\u2028", "\x00",
    "9" * 5000, "X" * 10_001, [], {}, [[[[[]]]]], {"a": {"b": {"c": 1}}}, "1e30", "NaN",
    "9999-12-31T23:59:59-05:00",
]  # fmt: skip

# Whole lines a JSON Lines file may hold instead of a manifest.
NASTY_LINES = [
    b"[" * 5000 + b"]" * 5000,
    b'{"vessel_imo": ' + b"9" * 5000 + b"}",
    b'{"vessel_name": "\xff\xfe"}',
    b'{"vessel_name": "\\ud800"}',
    b'{"vessel_name":\r"CR"}',
    b"\r",
    b"not json",
    b"[]",
    b"null",
    b'{"consignments": [' + b'{"bl_number": "X"},' * 50 + b"{}]}",
    b"\xef\xbb\xbf{}",
    b"NaN",
]


@cache
def _profiles() -> ProfileSet:
    return load_profiles(bundled_profiles_path())


@st.composite
def _manifests(draw: st.DrawFn) -> list[Manifest]:
    docs = draw(
        st.lists(
            st.one_of(rst.manifest_documents(valid=True), rst.manifest_documents(valid=False)),
            min_size=1,
            max_size=3,
        )
    )
    # Distinct vessel calls, as in a real batch.
    return [
        Manifest.model_validate({**d, "voyage_number": f"V{i}"}, context=LENIENT)
        for i, d in enumerate(docs)
    ]


def _spoil_document(doc: Any, draw: st.DrawFn) -> Any:
    """``doc`` with a few values (anywhere in it) replaced by nasty ones."""
    slots: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                slots.append((node, key))
                walk(value)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                slots.append((node, index))
                walk(value)

    walk(doc)
    for _ in range(draw(st.integers(0, 4))):
        if not slots:
            break
        holder, key = draw(st.sampled_from(slots))
        holder[key] = draw(st.sampled_from(NASTY_JSON))
    return doc


def _assert_scored_alike(path: Path, strictness: str) -> None:
    """Both readers agree, and both engines score the batch alike."""
    try:
        batch = read_batch(path, strictness=strictness)  # type: ignore[arg-type]
    except InputFormatError:
        # The file as a whole is unreadable: read_frame says so too.
        with pytest.raises(InputFormatError):
            read_frame(path, strictness=strictness)  # type: ignore[arg-type]
        return
    assert batch.records_accepted + len(batch.rejected) == batch.records_read
    frame_batch = assert_same_as_models(path, strictness=strictness)
    profiles = _profiles()
    rowwise = score(batch.shipments, profiles, as_of=AS_OF, engine="rowwise")
    columnar = score(batch.shipments, profiles, as_of=AS_OF, engine="columnar")
    assert columnar == rowwise
    from_frame = score_frame(frame_batch.frame, profiles, as_of=AS_OF)
    assert frame_view(from_frame) == object_view(rowwise)
    # Shipment ids repeat across vessel calls of one voyage (two ports of call): compared
    # as lists, not by id.
    assert sorted(
        (r["shipment_id"], r["key"], r["score"], r["lane"], r["hit_count"])
        for r in from_frame.shipment_scores.iter_rows(named=True)
    ) == sorted(
        (s.shipment_id, c.key, s.score, s.lane, len(s.hits))
        for c in rowwise.containers
        for s in c.shipments
    )
    chosen = select(rowwise, capacity="20%", control_rate="10%", seed=1)
    json.loads(output.to_json(rowwise, chosen))  # every export can be written


@FUZZ
@given(_manifests(), st.data(), st.sampled_from(["lenient", "strict"]))
def test_spoilt_json_and_json_lines_batches(
    manifests: list[Manifest], data: st.DataObject, strictness: str
) -> None:
    docs = [
        _spoil_document(m.model_dump(mode="json", exclude_defaults=True), data.draw)
        for m in manifests
    ]
    lines = [json.dumps(d).encode() for d in docs]
    for _ in range(data.draw(st.integers(0, 3))):
        at = data.draw(st.integers(0, len(lines)))
        lines.insert(at, data.draw(st.sampled_from(NASTY_LINES)))
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "batch.jsonl"
        jsonl.write_bytes(b"\n".join(lines) + b"\n")
        batch = read_batch(jsonl, strictness=strictness)  # type: ignore[arg-type]
        assert batch.records_read == sum(1 for line in lines if line.strip(b" \t\r\n"))
        _assert_scored_alike(jsonl, strictness)
        whole = Path(tmp) / "batch.json"
        whole.write_text(json.dumps(docs), encoding="utf-8")
        _assert_scored_alike(whole, strictness)


@FUZZ
@given(_manifests(), st.data(), st.sampled_from(["lenient", "strict"]))
def test_spoilt_csv_and_parquet_batches(
    manifests: list[Manifest], data: st.DataObject, strictness: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        written = Path(tmp) / "written.csv"
        write_csv(manifests, written)
        with open(written, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))[1:]
        if not rows:
            return
        for _ in range(data.draw(st.integers(1, 6))):
            row = data.draw(st.integers(0, len(rows) - 1))
            column = data.draw(st.sampled_from(NAMES))
            rows[row][NAMES.index(column)] = data.draw(st.sampled_from(NASTY_CELLS))
        # Exports leave columns out: a whole group of them, or the keys themselves.
        dropped = set(data.draw(st.lists(st.sampled_from(NAMES), max_size=len(NAMES))))
        names = [n for n in NAMES if n not in dropped]
        if not names:
            return
        rows = [[r[NAMES.index(n)] for n in names] for r in rows]
        csv_path = Path(tmp) / "batch.csv"
        with open(csv_path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            writer.writerows(rows)
        _assert_scored_alike(csv_path, strictness)
        columns = {n: [r[i] if r[i] != "" else None for r in rows] for i, n in enumerate(names)}
        parquet_path = Path(tmp) / "batch.parquet"
        table = pa.table({n: pa.array(v, type=pa.string()) for n, v in columns.items()})
        pq.write_table(table, parquet_path)
        _assert_scored_alike(parquet_path, strictness)


# Parquet columns of other types than text, with values at and beyond their ends.
TYPED_COLUMNS: list[tuple[str, Any]] = [
    ("packages", pa.array([2**63 - 1, -(2**63), 0], pa.int64())),
    ("packages", pa.array([2**64 - 1, 5, None], pa.uint64())),
    ("gross_weight_kg", pa.array([float("inf"), float("nan"), -0.0], pa.float64())),
    ("tare_kg", pa.array([1e300, 3.5, None], pa.float64())),
    ("value", pa.array([Decimal("1e30"), Decimal("0.1"), None], pa.decimal128(38, 1))),
    ("value", pa.array([Decimal("9" * 70), Decimal(1), None], pa.decimal256(76, 0))),
    ("arrival", pa.array([253402300799 * 100, 0, None], pa.timestamp("s"))),
    ("arrival", pa.array([253402300799, -62135596800, 0], pa.timestamp("s", tz="+05:00"))),
    ("arrival", pa.array([1, 2, None], pa.duration("s"))),
    ("bl_issue_date", pa.array([2932896 * 10, 0, None], pa.date32())),
    ("description", pa.array([b"\xff\xfe", b"ok", None], pa.binary())),
    ("description", pa.array(["x" * 200_000, "y", None], pa.large_string())),
    ("description", pa.array([None, None, None], pa.null())),
    ("description", pa.array([[("k", "v")], [], None], pa.map_(pa.string(), pa.string()))),
    ("transshipment_ports", pa.array([["PAMIT", None], [], None], pa.list_(pa.string()))),
    ("shipper_name", pa.array([{"a": 1}, None, {"a": 2}], pa.struct([("a", pa.int64())]))),
    ("container_full", pa.array([True, None, False], pa.bool_())),
    ("hs_code", pa.array(["080390", "x", None]).dictionary_encode()),
]


@FUZZ
@given(
    st.lists(st.sampled_from(range(len(TYPED_COLUMNS))), min_size=1, max_size=4, unique=True),
    st.sampled_from(["lenient", "strict"]),
)
def test_parquet_columns_of_any_type(picked: list[int], strictness: str) -> None:
    """Regression: a timestamp or date beyond year 9999 in a typed Parquet column made
    pyarrow raise OverflowError out of read_batch; a file with no voyage (or no goods)
    column at all made read_frame raise ShapeError."""
    columns: dict[str, Any] = {
        "bl_number": pa.array(["B1", "B2", "B1"]),
        "container_number": pa.array(["CSQU3054383", "CSQU3054383", "MSKU9045125"]),
    }
    for index in picked:
        name, values = TYPED_COLUMNS[index]
        columns[name] = values
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "typed.parquet"
        pq.write_table(pa.table(columns), path)
        _assert_scored_alike(path, strictness)


@FUZZ
@given(_manifests(), st.binary(min_size=1, max_size=8), st.integers(0, 10**6))
def test_stray_bytes_in_a_csv_batch_cost_at_most_the_file(
    manifests: list[Manifest], junk: bytes, where: int
) -> None:
    """Bytes that are not text make a CSV file unreadable as a whole (a clear
    InputFormatError from both readers); anything else is read record by record."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.csv"
        write_csv(manifests, path)
        raw = path.read_bytes()
        at = len(raw.split(b"\n", 1)[0]) + 1 + where % max(1, len(raw))
        path.write_bytes(raw[:at] + junk + raw[at:])
        _assert_scored_alike(path, "lenient")


def test_one_voyage_at_two_ports_of_call_is_scored_alike(tmp_path: Path) -> None:
    """Found by the stray-bytes test (a NUL in one row's port of call): two vessel calls
    of one voyage give shipments with the same id; both readers and engines still agree
    on every one of them."""
    path = tmp_path / "two-calls.csv"
    path.write_text(
        "vessel_imo,voyage_number,port_of_call,bl_number,shipper_name,hs_code,description\n"
        "9321483,V0,PKKHI,B1,ACME,080390,FAK\n"
        "9321483,V0,PKBQM,B1,ACME,080390,\n"
        "9321483,V0,PKKHI,B1,ACME,080450,SPARE PARTS\n",
        encoding="utf-8",
    )
    batch = read_batch(path)
    assert len({s.shipment_id for s in batch.shipments}) < len(batch.shipments)
    _assert_scored_alike(path, "lenient")
