"""The column-wise reader's load of a flat file (riskprofile.io._frame._load): a CSV file
is handled as bytes and split by Polars, never held as Python text, and reads exactly as
the model path reads it, byte-level edge cases included."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.io import ColumnMapping, read_frame
from riskprofile.io._tabular import BOM, decode_table, table_utf8

pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")

from riskprofile.io._frame._load import _load_csv, _Source, _UnreadableError  # noqa: E402
from tests.depth import depth  # noqa: E402
from tests.io.test_columnar import assert_same_as_models  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "karachi-sample.csv"


def _sample(rows: int) -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE, newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    return table[0], table[1 : rows + 1]


def _csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([header, *rows])
    return out.getvalue()


def _big_csv(tmp_path: Path) -> tuple[Path, list[str], int]:
    header, rows = _sample(200)
    path = tmp_path / "big.csv"
    path.write_text(_csv_text(header, rows * 20), encoding="utf-8")
    return path, header, path.stat().st_size


def test_the_csv_load_holds_no_python_text_of_the_file(tmp_path: Path) -> None:
    """Regression (issue 15): the CSV load decoded the whole file to one Python string,
    split it into a Python string per line, joined the lines again and encoded them: five
    copies of a 1M-shipment file (5.7 GiB peak). Now the file's bytes are the only Python
    copy; Polars (not traced here) splits them."""
    path, _header, size = _big_csv(tmp_path)
    assert size > 1_000_000
    tracemalloc.start()
    try:
        loaded = _load_csv(path, ColumnMapping.identity())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(loaded, _Source), loaded
    assert loaded.height == 4000
    assert peak < 1.5 * size, f"{peak:,} bytes of Python objects for a {size:,}-byte file"


def test_the_loaded_csv_does_not_hold_the_file_bytes(tmp_path: Path) -> None:
    """Regression (issue 15): the file's bytes (933 MB at a million shipments) were held
    from the load to the last slice, on top of the slices being parsed. A UTF-8 file
    with LF line breaks is now read again a slice at a time: the loaded source holds
    its line ends and the header only."""
    path, _header, size = _big_csv(tmp_path)
    tracemalloc.start()
    try:
        loaded = _load_csv(path, ColumnMapping.identity())
        held, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(loaded, _Source), loaded
    assert held < 0.1 * size, f"{held:,} bytes held for a {size:,}-byte file"


def test_loading_records_reads_their_lines_once(tmp_path: Path) -> None:
    """Regression (issue 15): each load of records sliced the file's bytes and then put
    the header before them, two copies; the read of every record's vessel call (the
    whole file, before the slices) copied the file twice. Records from the start of the
    file are now one read of its bytes."""
    path, header, size = _big_csv(tmp_path)
    loaded = _load_csv(path, ColumnMapping.identity())
    assert isinstance(loaded, _Source), loaded

    def peak_of(start: int, stop: int) -> int:
        tracemalloc.start()
        try:
            frame = loaded.rows(start, stop, header[:2])
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert frame.height == stop - start
        return peak

    assert peak_of(0, loaded.height) < 1.2 * size
    assert peak_of(0, 1000) < 0.35 * size


def test_cutting_a_csv_file_into_slices_parses_it_once_before_the_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 15): to cut a CSV file into slices of whole vessel calls, the
    reader loaded every record's call keys after the load, reading the whole file from
    disk and parsing it a second time (0.6-0.9 s of CPU at a million shipments). Those
    columns are now parsed during the load, from the bytes it already holds: after the
    load, only the slices are read. The frame is the model path's, whole or sliced."""
    from riskprofile.io._frame import _reader

    header, rows = _sample(200)
    voyage = header.index("voyage_number")
    # Twenty times the sample, each time other voyages: the calls follow one another.
    repeated = [
        [*r[:voyage], f"{r[voyage]}-{n}", *r[voyage + 1 :]] for n in range(20) for r in rows
    ]
    path = _write(tmp_path, "calls.csv", _csv_text(header, repeated).encode("utf-8"))
    loads: list[tuple[int, int]] = []
    rows = _Source.rows

    def counted(self: _Source, start: int, stop: int, columns: list[str] | None = None) -> Any:
        loads.append((start, stop))
        return rows(self, start, stop, columns)

    monkeypatch.setattr(_Source, "rows", counted)
    monkeypatch.setattr(_reader, "SLICE_RECORDS", 1000)
    got = read_frame(path)
    assert got.fallback is None
    assert got.records_read == 4000
    slices = sorted(loads)
    assert len(slices) > 1, slices
    assert slices[0][0] == 0, slices
    assert slices[-1][1] == 4000, slices
    # Each record read once, by its slice.
    assert all(a[1] == b[0] for a, b in itertools.pairwise(slices)), slices
    monkeypatch.undo()
    assert_same_as_models(path)


@pytest.mark.parametrize("change", ["append", "rewrite"])
def test_a_csv_file_changed_while_it_is_read_is_not_read_from_its_new_bytes(
    tmp_path: Path, change: str
) -> None:
    path, header, _size = _big_csv(tmp_path)
    loaded = _load_csv(path, ColumnMapping.identity())
    assert isinstance(loaded, _Source), loaded
    text = path.read_bytes()
    if change == "append":
        path.write_bytes(text + text.split(b"\n", 2)[1] + b"\n")
    else:  # the same size, other bytes
        path.write_bytes(text.replace(b"KARACHI", b"KARAKUM"))
    with pytest.raises(_UnreadableError, match="changed while it was read"):
        loaded.rows(0, 10, header[:2])


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "UTF8", "latin-1", "utf-16"])
@pytest.mark.parametrize("marks", [0, 1, 2, 3])
def test_table_utf8_is_decode_table_in_utf8(codec: str, marks: int) -> None:
    mapping = ColumnMapping.from_dict({"encoding": codec})
    body = "a,Ïb\n1,2\n"
    if codec == "latin-1":  # a UTF-8 mark read as latin-1 is three characters, kept
        data = (BOM * marks).encode("utf-8") + body.encode(codec)
    else:
        data = (BOM * marks + body).encode(codec)
    assert table_utf8(data, mapping) == decode_table(data, mapping).encode("utf-8")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_crlf_and_marks_and_no_last_line_break_read_as_on_the_model_path(
    tmp_path: Path,
) -> None:
    header, rows = _sample(12)
    text = _csv_text(header, rows, newline="\r\n").removesuffix("\r\n")
    path = _write(tmp_path, "crlf.csv", (BOM + BOM + text).encode("utf-8"))
    got = assert_same_as_models(path)
    assert got.fallback is None
    assert got.records_read == 12


def test_blank_rows_anywhere_are_no_records_on_either_path(tmp_path: Path) -> None:
    header, rows = _sample(8)
    empty = [""] * len(header)
    spaced = [" "] * len(header)
    spaced[-1] = "\u3000"  # Python whitespace beyond ASCII
    text = _csv_text(header, [empty, *rows[:3], spaced, *rows[3:], empty])
    text = text.replace("\n", "\n\n", 1)  # an empty line after the header
    got = assert_same_as_models(_write(tmp_path, "blank.csv", text.encode("utf-8")))
    assert got.records_read == 8
    assert got.fallback is not None or got.rows_column_wise == 8


def test_cells_marked_against_formulas_in_one_column_lose_their_mark(tmp_path: Path) -> None:
    header, rows = _sample(6)
    at = header.index("shipper_name")
    rows[2][at] = "'=SUM(A1)"
    rows[4][at] = "'plain quote stays"
    got = assert_same_as_models(
        _write(tmp_path, "marked.csv", _csv_text(header, rows).encode("utf-8"))
    )
    assert got.fallback is None
    names = got.frame.get_column("shipper_name").to_list()
    assert "=SUM(A1)" in names
    assert "'PLAIN QUOTE STAYS" in names


@pytest.mark.parametrize(
    ("name", "spoil", "reason"),
    [
        ("cr.csv", lambda b: b.replace(b"\n", b"\r", 1), "line breaks other than LF and CRLF"),
        ("nul.csv", lambda b: b.replace(b"PKKHI", b"PK\x00HI", 1),
         "an empty file or NUL characters"),
        ("byte.csv", lambda b: b + b"X\xff", "the file cannot be decoded column-wise"),
        ("quote.csv", lambda b: b.replace(b"PKKHI", b'PK"KHI', 1),
         "CSV quoting that only the csv module reads the same way"),
    ],
)  # fmt: skip
def test_files_the_bytes_path_cannot_read_go_to_the_model_path(
    tmp_path: Path, name: str, spoil: object, reason: str
) -> None:
    header, rows = _sample(10)
    data = _csv_text(header, rows).encode("utf-8")
    assert callable(spoil)
    path = _write(tmp_path, name, spoil(data))
    assert _load_csv(path, ColumnMapping.identity()) == reason


def test_a_row_blank_only_once_its_formula_mark_is_dropped_is_a_record(tmp_path: Path) -> None:
    """Regression: a row whose one cell is ``'`` and a tab (a tab marked as text against
    spreadsheet formulas) is a record for the csv module - it tells blank rows before it
    drops the mark - but the column-wise reader dropped the mark first and skipped the
    row as blank: one record fewer than the model path, and its rejection lost."""
    header, rows = _sample(4)
    marked = [""] * len(header)
    marked[header.index("shipper_name")] = "'\t"
    path = _write(tmp_path, "tab.csv", _csv_text(header, [*rows[:2], marked, *rows[2:]]).encode())
    got = assert_same_as_models(path)
    assert got.records_read == 5
    assert [r.record for r in got.rejected] == [4]


def test_a_row_with_more_cells_than_the_header_sends_the_file_to_the_model_path(
    tmp_path: Path,
) -> None:
    """Each slice is parsed when it is read: a row with a cell beyond the header, found
    in a later slice, still sends the whole file through the model path (and read in
    slices of three records, the same)."""
    header, rows = _sample(9)
    rows[7] = [*rows[7], "AN EXTRA CELL"]
    path = _write(tmp_path, "extra.csv", _csv_text(header, rows).encode("utf-8"))
    got = assert_same_as_models(path)
    assert got.fallback == "rows with more cells than the header"
    assert got.rows_via_models == got.records_read == 9


def test_a_parquet_slice_keeps_its_row_groups_chunks_with_the_line_numbers_alike(
    tmp_path: Path,
) -> None:
    """Regression (issue 15): each Parquet slice's cells were copied into one chunk per
    column (a tenth of the read's CPU at a million shipments, mostly fresh pages), for
    the gathers after; the group tables now take their first rows by a mask, so the
    chunks are kept. The line numbers must be chunked as the cells are: an expression
    over columns chunked differently joins their chunks first, in every step."""
    from riskprofile.io._frame._load import _load_parquet

    header, rows = _sample(40)
    frame = pl.DataFrame([pl.Series(n, [r[i] or None for r in rows], pl.String)
                          for i, n in enumerate(header)])  # fmt: skip
    path = tmp_path / "groups.parquet"
    frame.write_parquet(path, row_group_size=8)
    source = _load_parquet(path)
    assert isinstance(source, _Source)
    raw = source.rows(5, 30)
    lengths = {tuple(len(chunk) for chunk in raw[c].get_chunks()) for c in raw.columns}
    assert len(lengths) == 1, lengths  # every column chunked alike
    assert len(next(iter(lengths))) > 1  # the row groups' chunks, not joined
    assert raw["__line__"].to_list() == list(range(6, 31))
    assert raw.drop("__line__").rows() == frame.slice(5, 25).rows()


def test_a_parquet_files_row_groups_are_each_decoded_once_across_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 15): a slice beginning or ending inside a row group made Polars
    decode that whole row group, so slices cut at vessel calls decoded most row groups
    twice (a quarter of loading the 1M Parquet file). Each row group is now decoded once
    and its rows handed to the slices that hold them, in the same chunks and with the
    same line numbers."""
    from riskprofile.io._frame import _load
    from riskprofile.io._frame._row_groups import row_group_sizes

    header, rows = _sample(40)
    frame = pl.DataFrame([pl.Series(n, [r[i] or None for r in rows], pl.String)
                          for i, n in enumerate(header)])  # fmt: skip
    path = tmp_path / "groups.parquet"
    frame.write_parquet(path, row_group_size=8)
    assert row_group_sizes(path) == [8] * 5
    scans: list[tuple[int, int]] = []
    scan = _load._scan

    def spy(path: Path, start: int, stop: int, names: list[str]) -> pl.DataFrame:
        scans.append((start, stop))
        return scan(path, start, stop, names)

    monkeypatch.setattr(_load, "_scan", spy)
    source = _load._load_parquet(path)
    assert isinstance(source, _Source)
    cuts = [0, 5, 13, 14, 27, 40]
    for start, stop in itertools.pairwise(cuts):
        raw = source.rows(start, stop)
        assert raw["__line__"].to_list() == list(range(start + 1, stop + 1))
        assert raw.drop("__line__").rows() == frame.slice(start, stop - start).rows()
        lengths = {tuple(len(chunk) for chunk in raw[c].get_chunks()) for c in raw.columns}
        assert len(lengths) == 1, lengths  # every column chunked alike
    assert sorted(scans) == [(0, 8), (8, 16), (16, 24), (24, 32), (32, 40)]
    # Columns of every record (the call keys) are read as they are asked for.
    assert source.rows(0, 40, ["vessel_imo"]).columns == ["vessel_imo", "__line__"]


@settings(max_examples=depth(40), deadline=None)
@given(
    height=st.integers(1, 30),
    group=st.integers(1, 9),
    data=st.data(),
)
def test_parquet_slices_read_through_row_groups_are_the_files_rows(
    height: int, group: int, data: st.DataObject
) -> None:
    """Any cut of a Parquet file into consecutive slices, loaded in any order, gives each
    slice's rows and line numbers (each row group decoded once)."""
    from riskprofile.io._frame._load import _load_parquet

    cuts = (
        sorted(set(data.draw(st.lists(st.integers(1, height - 1), max_size=6))))
        if height > 1
        else []
    )
    bounds = [0, *cuts, height]
    slices = list(itertools.pairwise(bounds))
    order = data.draw(st.permutations(slices))
    frame = pl.DataFrame(
        {
            "a": [f"a{i}" for i in range(height)],
            "b": [None if i % 3 else "b" for i in range(height)],
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "slices.parquet"
        frame.write_parquet(path, row_group_size=group)
        source = _load_parquet(path)
        assert isinstance(source, _Source)
        for start, stop in order:
            raw = source.rows(start, stop)
            assert raw["__line__"].to_list() == list(range(start + 1, stop + 1))
            assert raw.drop("__line__").rows() == frame.slice(start, stop - start).rows()


@pytest.mark.parametrize(
    "footer",
    [b"", b"PAR1", b"\x00" * 12, b"PAR1" + b"\xff" * 8 + b"\x04\x00\x00\x00PAR1",
     b"PAR1\x19\xfc\x08\x00\x00\x00PAR1", b"PAR1\x4c\x00\x02\x00\x00\x00PAR1"],
)  # fmt: skip
def test_a_parquet_footer_that_cannot_be_read_gives_no_row_groups(
    tmp_path: Path, footer: bytes
) -> None:
    from riskprofile.io._frame._row_groups import row_group_sizes

    path = tmp_path / "odd.parquet"
    path.write_bytes(footer)
    assert row_group_sizes(path) is None


@settings(max_examples=depth(200), deadline=None)
@given(
    cells=st.lists(
        st.lists(st.text(alphabet="a'=\",; \t", max_size=4), min_size=1, max_size=4),
        min_size=1,
        max_size=6,
    ),
    delimiter=st.sampled_from([",", ";", "\t", "§"]),
)
def test_the_apostrophe_precheck_never_misses_a_cell_that_starts_with_one(
    cells: list[list[str]], delimiter: str
) -> None:
    """The CSV slice's bytes tell whether any cell may start with an apostrophe (a mark
    against spreadsheet formulas) before Polars tests each column: a False must be
    certain, for cells as the csv module writes and reads them."""
    from riskprofile.io._frame._load import _may_start_cells

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(cells)
    text = out.getvalue()
    parsed = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    starts = any(cell.startswith("'") for row in parsed for cell in row)
    if starts:
        assert _may_start_cells(text.encode(), delimiter.encode())
    assert not _may_start_cells(b"MEN'S SHOES,O'BRIEN\nA,B'\n", b",")


def test_records_after_the_start_are_read_in_one_piece(tmp_path: Path) -> None:
    """Regression (issue 15): records after the start of a CSV file were read from the
    file and then copied after the header (two copies of each slice's lines, 230k more
    page faults at a million shipments). The line before them, as wide as the header,
    now stands in for it: one read of the bytes."""
    path, _header, size = _big_csv(tmp_path)
    loaded = _load_csv(path, ColumnMapping.identity())
    assert isinstance(loaded, _Source), loaded
    tracemalloc.start()
    try:
        frame = loaded.rows(2000, 3000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert frame.height == 1000
    assert peak < 0.35 * size, f"{peak:,} bytes for a quarter of a {size:,}-byte file"


_LINE_BEFORE = st.sampled_from(
    [
        "",
        "   ",
        ",,",
        "a,b",
        "__line__,x,y",
        'x,"__line__",y',
        '"p,q",r,s',
        "1,2,3,4",
        "x,y,z",
        '"q"",r",s,t',
        '"q""","""r",t',
    ]
)


@settings(max_examples=depth(40), deadline=None)
@given(st.lists(st.tuples(_LINE_BEFORE, st.booleans()), min_size=1, max_size=12), st.data())
def test_any_run_of_records_reads_as_in_the_whole_file(
    lines: list[tuple[str, bool]], data: st.DataObject
) -> None:
    """Whatever line comes before a run of records (blank, narrower or wider than the
    header, a cell named ``__line__``, quoted delimiters), the run's cells, names and
    line numbers are those of the whole file's records."""
    text = "a,b,c\n" + "".join(
        (line if keep else f'{n},"{n}, x",{n}') + "\n" for n, (line, keep) in enumerate(lines)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.csv"
        path.write_text(text, encoding="utf-8")
        loaded = _load_csv(path, ColumnMapping.identity())
        assert isinstance(loaded, _Source), loaded
        try:
            whole = loaded.rows(0, loaded.height)
        except _UnreadableError:  # rows wider than the header: the model path's
            return
        start = data.draw(st.integers(0, loaded.height))
        stop = data.draw(st.integers(start, loaded.height))
        part = loaded.rows(start, stop)
        assert part.to_dicts() == whole.slice(start, stop - start).to_dicts()
        assert part.columns == whole.columns == ["a", "b", "c", "__line__"]
