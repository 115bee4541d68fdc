"""One policy for delimited text files, followed by each of the three tabular readers.

``read_batch`` (the model path), ``read_frame`` (the column-wise reader) and
``read_outcomes`` each read a ``.tsv``, a file with a byte order mark (under the default
encoding and under a mapping that says ``utf-8``), a latin-1 and a UTF-16 file exactly as
they read the same table written as plain UTF-8 CSV (riskprofile.io._tabular).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from riskprofile.errors import InputFormatError
from riskprofile.evaluation import read_outcomes
from riskprofile.io import ColumnMapping, read_batch, read_frame
from riskprofile.io._tabular import BOM, decode_table, table_mapping
from riskprofile.model.frame import shipment_frame

ROOT = Path(__file__).resolve().parents[2]
BATCH = ROOT / "examples" / "data" / "karachi-sample.csv"
OUTCOMES = ROOT / "examples" / "data" / "karachi-sample.outcomes.csv"

# A variant: the file's name, its bytes from the table's text, the mapping's options.
Variant = tuple[str, Callable[[str], bytes], dict[str, str]]


def _tab_separated(text: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(
        csv.reader(io.StringIO(text, newline=""))
    )
    return out.getvalue()


VARIANTS: list[Variant] = [
    ("tab.tsv", lambda t: _tab_separated(t).encode("utf-8"), {}),
    ("bom.csv", lambda t: (BOM + t).encode("utf-8"), {}),
    ("bom-declared-utf8.csv", lambda t: (BOM + t).encode("utf-8"), {"encoding": "utf-8"}),
    ("bom-tab.tsv", lambda t: (BOM + _tab_separated(t)).encode("utf-8"), {"encoding": "utf-8"}),
    ("latin1.csv", lambda t: t.encode("latin-1"), {"encoding": "latin-1"}),
    ("utf16.csv", lambda t: t.encode("utf-16"), {"encoding": "utf-16"}),
    ("utf16le-bom.csv", lambda t: (BOM + t).encode("utf-16-le"), {"encoding": "utf-16-le"}),
]
IDS = [name for name, _, _ in VARIANTS]


def _table(source: Path, rows: int) -> str:
    """The first ``rows`` records of ``source``, with text outside ASCII (latin-1's
    range) in a name, so that a wrong encoding would show."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)[: rows + 1]
    text = "".join(lines)
    return text.replace("TRADING", "TRADïNG ÉTÉ", 3) if "TRADING" in text else text


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture(scope="module")
def batch_text() -> str:
    text = _table(BATCH, 60)
    assert "ï" in text  # the sample names a trading company: the latin-1 check bites
    return text


def test_the_policy_functions() -> None:
    identity = ColumnMapping.identity()
    assert table_mapping(Path("X.TSV"), identity).delimiter == "\t"
    semicolon = ColumnMapping.from_dict({"delimiter": ";"})
    assert table_mapping(Path("x.tsv"), semicolon).delimiter == ";"  # the mapping wins
    utf8 = ColumnMapping.from_dict({"encoding": "utf-8"})
    assert decode_table(b"\xef\xbb\xbfa,b\n", utf8) == "a,b\n"
    assert decode_table(b"\xef\xbb\xbfa,b\n", identity) == "a,b\n"
    latin = ColumnMapping.from_dict({"encoding": "latin-1"})
    assert decode_table("é,b".encode("latin-1"), latin) == "é,b"


@pytest.mark.parametrize(("name", "encode", "options"), VARIANTS, ids=IDS)
def test_read_batch_follows_the_policy(
    tmp_path: Path, batch_text: str, name: str, encode: Callable[[str], bytes],
    options: dict[str, str],
) -> None:  # fmt: skip
    plain = read_batch(_write(tmp_path, "plain.csv", batch_text.encode("utf-8")))
    batch = read_batch(
        _write(tmp_path, name, encode(batch_text)), mapping=ColumnMapping.from_dict(options)
    )
    assert batch.ignored_columns == [] == plain.ignored_columns
    assert batch.rejected == [] == plain.rejected
    assert batch.records_read == plain.records_read == 60
    assert batch.shipments == plain.shipments
    assert "TRADÏNG ÉTÉ" in repr(batch.shipments)


@pytest.mark.parametrize(("name", "encode", "options"), VARIANTS, ids=IDS)
def test_read_frame_follows_the_policy(
    tmp_path: Path, batch_text: str, name: str, encode: Callable[[str], bytes],
    options: dict[str, str],
) -> None:  # fmt: skip
    plain = read_batch(_write(tmp_path, "plain.csv", batch_text.encode("utf-8")))
    batch = read_frame(
        _write(tmp_path, name, encode(batch_text)), mapping=ColumnMapping.from_dict(options)
    )
    assert batch.ignored_columns == ()
    assert batch.rejected == ()
    assert batch.records_read == 60
    assert batch.frame.equals(shipment_frame(plain.shipments))
    # Read column-wise: the policy holds on the fast path, not only through the fallback.
    assert batch.fallback is None
    assert batch.rows_via_models == 0


@pytest.mark.parametrize(("name", "encode", "options"), VARIANTS, ids=IDS)
def test_read_outcomes_follows_the_policy(
    tmp_path: Path, name: str, encode: Callable[[str], bytes], options: dict[str, str]
) -> None:
    text = _table(OUTCOMES, 12)
    plain = read_outcomes(_write(tmp_path, "plain.csv", text.encode("utf-8")))
    reading = read_outcomes(_write(tmp_path, name, encode(text)), ColumnMapping.from_dict(options))
    assert reading.ignored_columns == () == plain.ignored_columns
    assert reading.rejected == () == plain.rejected
    assert reading.outcomes == plain.outcomes
    assert len(reading.outcomes) == 12


def test_no_reader_keeps_its_own_copy_of_the_policies() -> None:
    """The ``.tsv`` rule and the byte order mark are spelt in one module."""
    src = ROOT / "src" / "riskprofile"
    home = {src / "io" / "_tabular.py", src / "io" / "_json.py"}  # JSON drops its own BOM
    spelt = [
        str(path.relative_to(src))
        for path in sorted(src.rglob("*.py"))
        if path not in home
        and any(s in path.read_text(encoding="utf-8") for s in ('== ".tsv"', "\\ufeff"))
    ]
    assert spelt == []


_UNCLOSED_HEADER = "bl_number,container_number,port_of_loading,port_of_discharge\n"
_GOOD_ROW = "MEDU{n:04d},MSCU1234565,CNSHA,PKKHI\n"


@pytest.mark.parametrize("rows_after", [0, 1, 3])
@pytest.mark.parametrize("line_break_at_end", [True, False])
def test_a_quoted_cell_that_never_closes_is_rejected_not_read_into_one_cell(
    tmp_path: Path, rows_after: int, line_break_at_end: bool
) -> None:
    """The csv module, lenient, reads an unclosed quote to the end of the file: every
    later record became part of one cell, and the file read as fewer records without a
    word. The record is rejected, naming the lines it would have swallowed; the records
    before it are read as they were (both paths: the frame's routes such a file to the
    reference reader)."""
    before = "".join(_GOOD_ROW.format(n=n) for n in range(2))
    after = "".join(_GOOD_ROW.format(n=n) for n in range(10, 10 + rows_after))
    text = _UNCLOSED_HEADER + before + '"MEDU9999,MSCU1234565,CNSHA,PKKHI\n' + after
    if not line_break_at_end:
        text = text.rstrip("\n")
    path = tmp_path / "unclosed.csv"
    path.write_text(text, encoding="utf-8")
    last = text.count("\n") + (0 if text.endswith("\n") else 1)
    batch, frame = read_batch(path), read_frame(path)
    for reading in (batch, frame):
        assert reading.records_read == 3
        [rejected] = reading.rejected
        assert rejected.record == 4
        assert f"lines 4 to {last} (the end of the file)" in rejected.reason
        assert "never closes" in rejected.reason
    assert sorted(s.bl_number for s in batch.shipments) == ["MEDU0000", "MEDU0001"]
    assert frame.frame.height == 2


def test_a_quoted_cell_closed_on_the_last_line_is_read(tmp_path: Path) -> None:
    path = tmp_path / "closed.csv"
    text = _UNCLOSED_HEADER + _GOOD_ROW.format(n=1) + 'MEDU0002,MSCU1234565,CNSHA,"PK\nKHI"'
    path.write_text(text, encoding="utf-8")
    batch = read_batch(path)
    assert batch.records_read == 2
    assert [r.reason for r in batch.rejected if "never closes" in r.reason] == []


def test_an_outcome_whose_quoted_cell_never_closes_is_rejected(tmp_path: Path) -> None:
    """The outcome reader has its own CSV loop: the same rule holds there."""
    lines = OUTCOMES.read_text(encoding="utf-8").splitlines(keepends=True)[:6]
    header, rows = lines[0], lines[1:]
    broken = '"' + rows[2]  # a quote opened at the start of the third record
    path = tmp_path / "outcomes.csv"
    path.write_text(header + "".join(rows[:2]) + broken + "".join(rows[3:]), encoding="utf-8")
    reading = read_outcomes(path)
    assert len(reading.outcomes) == 2
    [rejected] = reading.rejected
    assert rejected.record == 4
    assert "lines 4 to 6 (the end of the file)" in rejected.reason


@pytest.mark.parametrize("reader", ["batch", "frame", "outcomes"])
def test_a_header_whose_quoted_cell_never_closes_is_refused(tmp_path: Path, reader: str) -> None:
    """The whole file would be the header and no record left: 0 records read, no word."""
    path = tmp_path / "header.csv"
    path.write_text('unit,"inspected\nA,yes\nB,no\n', encoding="utf-8")
    read = {"batch": read_batch, "frame": read_frame, "outcomes": read_outcomes}[reader]
    with pytest.raises(InputFormatError, match=r"header never closes: lines 1 to 3"):
        read(path)
