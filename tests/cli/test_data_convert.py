"""``riskprofile data convert``: each conversion path writes the bytes the model path
writes (``write_*`` of the manifests ``read_manifests`` gives, gathered); a flat file to a
flat file is converted from its columns (``--engine columnar``, the default), the same
bytes, messages and exit code as the model path (``--engine rowwise``) on random flat
files with planted problems; and the model path writes a flat file's manifests as they
are read, never gathered first."""

from __future__ import annotations

import contextlib
import io
import itertools
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.io import COLUMNS, read_manifests, table_rows, write_csv, write_json, write_parquet
from riskprofile.io._cells import CsvWriter, csv_line
from riskprofile.io._table import TableReader
from riskprofile.io._table_write import cell_text
from riskprofile.synth import generate_manifests
from tests.depth import depth

WRITERS: dict[str, Any] = {".csv": write_csv, ".parquet": write_parquet, ".jsonl": write_json}


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A few vessel calls (with some defects), as CSV, Parquet and JSON Lines; and a
    mapping declaring a custom column the CSV carries."""
    folder = tmp_path_factory.mktemp("convert")
    manifests = [m for seed in (3, 4, 5) for m in generate_manifests(seed, 40, defect_rate=0.2)]
    assert len({m.reference for m in manifests}) == 3
    out = {}
    for suffix, writer in WRITERS.items():
        out[suffix] = folder / f"batch{suffix}"
        writer(manifests, out[suffix])
    text = out[".csv"].read_text("utf-8").splitlines()
    custom = [text[0] + ",x_office"] + [f"{line},KHI{n % 3}" for n, line in enumerate(text[1:])]
    out["custom"] = folder / "custom.csv"
    out["custom"].write_text("\n".join(custom) + "\n", "utf-8")
    out["mapping"] = folder / "map.yaml"
    mapping = {"extra": {"office": {"column": "x_office", "type": "text"}}}
    out["mapping"].write_text(yaml.safe_dump(mapping), "utf-8")
    return out


@pytest.mark.parametrize("source", [".csv", ".parquet", ".jsonl", "custom"])
@pytest.mark.parametrize("target", [".csv", ".parquet", ".jsonl"])
def test_each_conversion_writes_the_model_paths_bytes(
    batches: dict[str, Path], tmp_path: Path, source: str, target: str
) -> None:
    path = batches[source]
    mapping = batches["mapping"] if source == "custom" else None
    out = tmp_path / f"out{target}"
    args = ["data", "convert", str(path), str(out)]
    assert main([*args, "--mapping", str(mapping)] if mapping else args) == 0
    manifests = list(read_manifests(path, mapping=mapping))
    expected = tmp_path / f"expected{target}"
    if target == ".jsonl":
        write_json(manifests, expected)
    else:
        extra = ["office"] if mapping else None
        WRITERS[target](manifests, expected, extra=extra)
    assert out.read_bytes() == expected.read_bytes()


@pytest.mark.parametrize("target", [".csv", ".parquet"])
def test_a_flat_file_is_written_as_it_is_read(
    batches: dict[str, Path], tmp_path: Path, target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each vessel call's manifest is written before the next is assembled (they were
    all gathered first, to look for custom fields a flat file can only have from its
    mapping)."""
    events: list[str] = []
    finish = TableReader.finish_call

    def assembled(self: TableReader, call: Any, strict: bool) -> Any:
        for manifest in finish(self, call, strict):
            events.append("read")
            yield manifest

    monkeypatch.setattr(TableReader, "finish_call", assembled)
    if target == ".csv":
        row = CsvWriter.writerow

        def written(self: CsvWriter, cells: Any) -> None:
            events.append("write")
            row(self, cells)

        monkeypatch.setattr(CsvWriter, "writerow", written)
    else:
        import pyarrow.parquet as pq

        table = pq.ParquetWriter.write_table

        def chunk(self: Any, *args: Any, **kwargs: Any) -> None:
            events.append("write")
            table(self, *args, **kwargs)

        monkeypatch.setattr(pq.ParquetWriter, "write_table", chunk)
        # A chunk of rows at a time: one row makes each call's rows a chunk of their own.
        import riskprofile.io._table_write as table_write

        monkeypatch.setattr(table_write, "_CHUNK_ROWS", 1)
    args = ["data", "convert", str(batches[".csv"]), str(tmp_path / f"o{target}")]
    assert main([*args, "--engine", "rowwise"]) == 0
    assert events.count("read") >= 3
    last_read = len(events) - 1 - events[::-1].index("read")
    assert "write" in events[:last_read]


# --- the column-wise convert against the model path -----------------------------------

_TEXT = ["", "  ", " padded ", "=HYPERLINK(1)", "-5", "a,b", 'say "hi"',
         "\u00a0nbsp\u2003", "stra\u00dfe", "'=quoted", "+3.25", "@x", "lower case",
         "\x1ceparator\x1f", "\tTAB", "L" * 10_001]  # fmt: skip
_NUMBER = ["12.50", "1E+2", "007", "-0", "0.0000001", "1e15", "1e16", "abc", "1,5", " 3 ", "-12",
           "999999999999999.9", "1_000", "0.1", "2.675", "1000000001", "", " "]  # fmt: skip
_CODE = ["pkkhi", "PK KHI", "XXXXX", "12", "usd", "US", "PAK", "zz", "", "cn sha", "3", "ROAD"]
_BOX = ["csqu 305438 3", "MSCU1234566", "BADNUMBER", "", "CSQU3054383", "tcnu 123456-0"]
_SEALS = ["S1;S2", ";S1", "S1;;S2", " S1 ; S2 ", "", "S9", "S1; S1"]
_SEALERS = ["CA;SH", "XX", "CA;;CU", "CA;SH;CU;CA", "", "customs", " sh "]
_WORD = ["Y", "no", "maybe", "F", "E", "FCL", "x", "collect", "PP", ""]
_DATE = ["2026-01-02", "2026-13-01", "02/01/2026", "2026-11-02T08:00:00", ""]
_KIND = {
    "text": _TEXT, "number": _NUMBER, "integer": _NUMBER, "date": _DATE,
    "datetime": _DATE, "bool": _WORD, "list": _SEALS,
}  # fmt: skip


def _palette(column: str, kind: str) -> list[str]:
    if column == "container_number":
        return _BOX
    if column == "seal_sealers":
        return _SEALERS
    if column in ("freight_terms", "container_full"):
        return _WORD
    if column.endswith(
        (
            "country",
            "port_of_loading",
            "port_of_discharge",
            "place_of_receipt",
            "place_of_delivery",
            "currency",
            "port_of_call",
            "_mode",
            "hs_code",
        )
    ):
        return _CODE + _TEXT[:3]  # fmt: skip
    return _KIND[kind]


@cache
def _base_rows() -> tuple[list[str], list[list[str]]]:
    """Made when a test first needs them, not on import (every pytest-xdist worker
    collects every file). The strategies below draw row numbers from a wide range, taken
    modulo the number of rows."""
    # Three vessel calls: LCL containers of several bills, bills of several containers,
    # goods lines without a container, sealers given or not.
    manifests = [m for seed in (8, 9, 10) for m in generate_manifests(seed, 5, defect_rate=0.2)]
    header = [c.name for c in COLUMNS]
    rows = [
        ["" if (v := cell_text(row.get(n))) is None else v for n in header]
        for row in table_rows(manifests)
    ]
    return header, rows


_KINDS = {c.name: c.kind for c in COLUMNS}
_COLUMN_NAMES = [c.name for c in COLUMNS]

_edits = st.lists(
    st.tuples(
        st.integers(0, 2**16 - 1),
        st.sampled_from(_COLUMN_NAMES),
        st.integers(0, 40),
    ),
    min_size=1,
    max_size=25,
)
# Rows copied (a goods line twice, a bill's row in another call's place), given another
# row's B/L or container, or moved to the end.
_moves = st.lists(
    st.tuples(
        st.sampled_from(["copy", "bill", "box", "last", "drop_bill", "drop_box"]),
        st.integers(0, 2**16 - 1),
        st.integers(0, 2**16 - 1),
    ),
    max_size=5,
)


def _planted(
    edits: list[tuple[int, str, int]], moves: list[tuple[str, int, int]]
) -> list[list[str]]:
    header, base = _base_rows()
    rows = [list(r) for r in base]
    at = {n: i for i, n in enumerate(header)}
    for row, column, pick in edits:
        row %= len(base)
        palette = _palette(column, _KINDS[column])
        rows[row][at[column]] = palette[pick % len(palette)]
    for how, a, b in moves:
        a, b = a % len(base), b % len(base)
        if how == "copy":
            rows.insert(b, list(rows[a]))
        elif how == "bill":
            rows[a][at["bl_number"]] = rows[b][at["bl_number"]].lower()
        elif how == "box":
            rows[a][at["container_number"]] = rows[b][at["container_number"]]
        elif how == "last":
            rows.append(rows.pop(a))
        elif how == "drop_bill":
            rows[a][at["bl_number"]] = ""
        else:
            rows[a][at["container_number"]] = ""
    return rows


_NOTE = "riskprofile: note: data convert: "


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=depth(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=_edits,
    moves=_moves,
    source=st.sampled_from([".csv", ".parquet", ".tsv"]),
    target=st.sampled_from([".csv", ".parquet", ".json", ".jsonl"]),
    strict=st.booleans(),
    mapping=st.sampled_from(["none", "custom", "comma", "defaults", "renamed"]),
)
def test_the_columnwise_convert_writes_the_model_paths_bytes(
    tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[int, str, int]],
    moves: list[tuple[str, int, int]],
    source: str,
    target: str,
    strict: bool,
    mapping: str,
) -> None:
    """A flat file with planted problems (padded, blank, odd and conflicting cells, bad
    codes, seals the model repairs, rows without a B/L or copied into other calls), read
    with or without a column mapping (a custom column, decimal commas, defaults, columns
    of other names and seals from two columns): ``--engine columnar`` writes the same
    bytes, says the same and exits alike as the model path; to JSON and JSON Lines too
    (each record's data-quality flags with their messages)."""
    folder = tmp_path_factory.mktemp("differential")
    rows = _planted(edits, moves)
    header = list(_base_rows()[0])
    options: dict[str, Any] = {
        "none": {},
        "custom": {"extra": {"rate": {"column": "office_rate", "type": "number"}}},
        "comma": {"decimal_comma": True},
        "defaults": {"defaults": {"port_of_call": "PKKHI", "currency": "USD", "packages": 1}},
        "renamed": {"columns": {"bl_number": "B/L No", "seal_numbers": ["Seal 1", "Seal 2"]}},
    }[mapping]
    if mapping == "custom":  # a custom column (a number)
        header.append("office_rate")
        rows = [[*r, _NUMBER[i % len(_NUMBER)]] for i, r in enumerate(rows)]
    if mapping == "renamed":  # the seals in two columns, the first seal and the rest
        at = header.index("seal_numbers")
        header[header.index("bl_number")] = "B/L No"
        header[at : at + 1] = ["Seal 1", "Seal 2"]
        rows = [[*r[:at], *[*r[at].split(";", 1), ""][:2], *r[at + 1 :]] for r in rows]
    path = folder / f"in{source}"
    if source == ".parquet":
        pl.DataFrame(
            [
                pl.Series(n, [r[i] or None for r in rows], dtype=pl.String)
                for i, n in enumerate(header)
            ]
        ).write_parquet(path)
    else:
        sep = "\t" if source == ".tsv" else ","
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write("".join(csv_line(r, delimiter=sep) for r in [header, *rows]))
    args = ["data", "convert", str(path)]
    if options:
        (folder / "map.yaml").write_text(yaml.safe_dump(options), "utf-8")
        args += ["--mapping", str(folder / "map.yaml")]
    if strict:
        args.append("--strict")
    expected_path, out_path = folder / f"expected{target}", folder / f"out{target}"
    expected = _run([*args[:3], str(expected_path), *args[3:], "--engine", "rowwise"])
    got = _run([*args[:3], str(out_path), *args[3:]])
    # A file the column-wise path hands to the model path whole is said (a note).
    said = "".join(line for line in got[2].splitlines(keepends=True) if not line.startswith(_NOTE))
    assert (*got[:2], said) == (
        expected[0],
        expected[1].replace(str(expected_path), str(out_path)),
        expected[2],
    )
    assert out_path.read_bytes() == expected_path.read_bytes()


def test_the_columnwise_convert_reads_no_model_for_plain_calls(
    batches: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file with defects the model flags but keeps (lenient) is converted from its
    columns: no vessel call is assembled by the model path."""
    assembled: list[Any] = []
    finish = TableReader.finish_call

    def counted(self: TableReader, call: Any, strict: bool) -> Any:
        assembled.append(call)
        yield from finish(self, call, strict)

    monkeypatch.setattr(TableReader, "finish_call", counted)
    out = tmp_path / "out.csv"
    assert main(["data", "convert", str(batches[".parquet"]), str(out)]) == 0
    assert assembled == []
    assert main(["data", "convert", str(batches[".parquet"]), str(tmp_path / "o.csv"),
                 "--engine", "rowwise"]) == 0  # fmt: skip
    assert len(assembled) == 3
    assert out.read_bytes() == (tmp_path / "o.csv").read_bytes()


def test_to_json_the_model_reads_only_the_flagged_records(
    batches: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """To JSON Lines, a call read column-wise has the model path read only the rows of
    its flagged bills of lading and containers (their flags worded by the model); the
    others are written from their columns. The same bytes as the model path."""
    added: list[int] = []
    add = TableReader.add

    def counted(self: TableReader, line: int, row: Any) -> None:
        added.append(line)
        add(self, line, row)

    monkeypatch.setattr(TableReader, "add", counted)
    out, expected = tmp_path / "out.jsonl", tmp_path / "expected.jsonl"
    assert main(["data", "convert", str(batches[".parquet"]), str(out)]) == 0
    through_models = len(added)
    added.clear()
    assert main(["data", "convert", str(batches[".parquet"]), str(expected),
                 "--engine", "rowwise"]) == 0  # fmt: skip
    assert 0 < through_models < len(added) / 2
    assert out.read_bytes() == expected.read_bytes()


def test_every_planted_value_in_every_column(tmp_path: Path) -> None:
    """Each value of the palettes in each column, three to a vessel call (routing takes
    whole calls, so that a value routed leaves most others column-wise): the same bytes
    as the model path, in both modes, to CSV and to JSON Lines."""
    header, base = _base_rows()
    at = {n: i for i, n in enumerate(header)}
    # The second call: a bill of two containers, two bills sharing one, goods lines
    # without a container.
    second = base[[r[at["voyage_number"]] for r in base].index("133W") :]
    base = [r for r in second if r[at["voyage_number"]] == "133W"]
    # And a container no bill names (on board, not declared), between the bills' rows.
    bare = ["" if c.group in ("bill_of_lading", "goods") else v
            for c, v in zip(COLUMNS, base[1], strict=True)]  # fmt: skip
    bare[at["container_number"]] = "CSQU3054383"
    base.insert(2, bare)
    planted = [
        (column, value)
        for column in _COLUMN_NAMES
        if column not in ("voyage_number", "vessel_imo", "vessel_name", "port_of_call")
        for value in _palette(column, _KINDS[column])
    ]
    rows = []
    for n in range(0, len(planted), 3):
        call = [list(r) for r in base]
        for r in call:
            r[at["voyage_number"]] = f"V{n}"
        for i, (column, value) in enumerate(planted[n : n + 3]):
            call[(n + 4 * i) % len(call)][at[column]] = value
        rows += call
    path = tmp_path / "planted.csv"
    path.write_text("".join(csv_line(r) for r in [_base_rows()[0], *rows]), "utf-8")
    for mode, target in itertools.product(([], ["--strict"]), (".csv", ".jsonl")):
        a, b = f"a{target}", f"b{target}"
        got = _run(["data", "convert", str(path), str(tmp_path / a), *mode])
        expected = _run(["data", "convert", str(path), str(tmp_path / b), *mode,
                         "--engine", "rowwise"])  # fmt: skip
        assert got == (expected[0], expected[1].replace(b, a), expected[2])
        assert (tmp_path / a).read_bytes() == (tmp_path / b).read_bytes()


def test_a_file_of_many_slices_is_written_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slices of whole vessel calls, converted two at a time, are written in file order
    (a slice per few records here; a million records make eight)."""
    from riskprofile.io._frame import _reader

    monkeypatch.setattr(_reader, "SLICE_RECORDS", 7)
    rows = _planted([(3, "seal_sealers", 1), (30, "description", 2)], [("copy", 4, 5)])
    path = tmp_path / "many.csv"
    path.write_text("".join(csv_line(r) for r in [_base_rows()[0], *rows]), "utf-8")
    calls: list[int] = []
    convert = _reader._Reader._slices

    def slices(self: Any) -> Any:
        found = convert(self)
        calls.append(len(found))
        return found

    monkeypatch.setattr(_reader._Reader, "_slices", slices)
    for target in (".csv", ".json"):
        a, b = f"a{target}", f"b{target}"
        got = _run(["data", "convert", str(path), str(tmp_path / a)])
        assert calls[-1] > 2
        expected = _run(["data", "convert", str(path), str(tmp_path / b), "--engine", "rowwise"])
        assert got == (expected[0], expected[1].replace(b, a), expected[2])
        assert (tmp_path / a).read_bytes() == (tmp_path / b).read_bytes()


# --- which path ran, said; and no partial file -------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "said"),
    [
        (".csv", ".jsonl", None),
        (".parquet", ".json", None),
        (".jsonl", ".csv", None),
        (".jsonl", ".json", "JSON Lines input is read through the data model"),
        (".csv", ".parquet", None),
    ],
)
def test_the_path_that_ran_is_said(
    batches: dict[str, Path], tmp_path: Path, source: str, target: str, said: str | None
) -> None:
    """``--engine columnar`` (the default) says on standard error when the conversion
    goes through the data model instead; ``--engine rowwise`` asked for it."""
    args = ["data", "convert", str(batches[source])]
    code, _out, err = _run([*args, str(tmp_path / f"a{target}")])
    assert code == 0
    notes = [line for line in err.splitlines() if line.startswith(_NOTE)]
    assert notes == ([] if said is None else [notes[0]])
    if said is not None:
        assert said in notes[0]
    _code, _out, err = _run([*args, str(tmp_path / f"b{target}"), "--engine", "rowwise"])
    assert _NOTE not in err
    assert (tmp_path / f"a{target}").read_bytes() == (tmp_path / f"b{target}").read_bytes()


def test_a_whole_file_through_the_model_is_said(batches: dict[str, Path], tmp_path: Path) -> None:
    """A mapping the column-wise path cannot read (date formats) sends the whole file to
    the model path, with the reason, and the same bytes (the column-wise attempt's
    header is not left behind)."""
    mapping = tmp_path / "dates.yaml"
    mapping.write_text(yaml.safe_dump({"date_format": "%Y-%m-%d"}), "utf-8")
    args = ["data", "convert", str(batches[".csv"]), "--mapping", str(mapping)]
    code, _out, err = _run([*args[:3], str(tmp_path / "a.csv"), *args[3:]])
    assert code == 0
    assert f"{_NOTE}the whole file is read through the data model: date formats" in err
    _run([*args[:3], str(tmp_path / "b.csv"), *args[3:], "--engine", "rowwise"])
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def _fail_after_first_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The model path fails once it has assembled (and the writer written) one call."""
    from riskprofile.errors import InputFormatError

    finish = TableReader.finish_call
    calls: list[Any] = []

    def failing(self: TableReader, call: Any, strict: bool) -> Any:
        calls.append(call)
        if len(calls) > 1:
            raise InputFormatError("planted failure", path="batch")
        yield from finish(self, call, strict)

    monkeypatch.setattr(TableReader, "finish_call", failing)


@pytest.mark.parametrize(
    ("target", "engine", "dated"),
    [
        (".jsonl", "rowwise", False),
        (".csv", "rowwise", False),
        (".csv", "columnar", True),
        (".parquet", "columnar", True),
    ],
)
def test_a_failed_conversion_leaves_no_partial_file(
    batches: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    engine: str,
    dated: bool,
) -> None:
    """A conversion that fails part-way leaves no file behind (a new output) or the old
    file as it was (an existing one): not the calls written so far, nor the header the
    column-wise path wrote before handing the file to the model path (``dated``: date
    formats in the mapping send it there)."""
    folder = tmp_path / "out"
    folder.mkdir()
    args = ["data", "convert", str(batches[".csv"]), "--engine", engine]
    if dated:
        mapping = tmp_path / "dates.yaml"
        mapping.write_text(yaml.safe_dump({"date_format": "%Y-%m-%d"}), "utf-8")
        args += ["--mapping", str(mapping)]
    _fail_after_first_call(monkeypatch)
    code, _out, err = _run([*args[:3], str(folder / f"new{target}"), *args[3:]])
    assert code == 2
    assert "planted failure" in err
    assert sorted(p.name for p in folder.iterdir()) == []
    old = folder / f"old{target}"
    old.write_bytes(b"the previous output\n")
    assert _run([*args[:3], str(old), *args[3:]])[0] == 2
    assert sorted(p.name for p in folder.iterdir()) == [old.name]
    assert old.read_bytes() == b"the previous output\n"


def test_a_columnwise_conversion_failing_midway_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The column-wise path fails after its first slices were written: no file."""
    from riskprofile.errors import InputFormatError
    from riskprofile.io._frame import _convert, _reader

    monkeypatch.setattr(_reader, "SLICE_RECORDS", 7)
    path = tmp_path / "many.csv"
    header, rows = _base_rows()
    path.write_text("".join(csv_line(r) for r in [header, *rows]), "utf-8")
    converted = _convert._Converter._convert_records
    seen: list[int] = []

    def failing(self: Any, start: int, stop: int) -> Any:
        seen.append(start)
        if start > 0 and len(seen) > 2:
            raise InputFormatError("planted failure", path=str(path))
        return converted(self, start, stop)

    monkeypatch.setattr(_convert._Converter, "_convert_records", failing)
    folder = tmp_path / "out"
    folder.mkdir()
    code, _out, err = _run(["data", "convert", str(path), str(folder / "a.csv")])
    assert code == 2, err
    assert "planted failure" in err
    assert list(folder.iterdir()) == []


def test_a_link_is_written_through_and_a_files_mode_kept(
    batches: dict[str, Path], tmp_path: Path
) -> None:
    """Written whole then renamed: an output that is a symbolic link stays a link (its
    target gets the manifests), and an existing output keeps its mode."""
    target = tmp_path / "real.jsonl"
    target.write_text("old\n", "utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    assert main(["data", "convert", str(batches[".csv"]), str(link)]) == 0
    assert link.is_symlink()
    assert (target.stat().st_mode & 0o777) == 0o640
    expected = tmp_path / "expected.jsonl"
    assert main(["data", "convert", str(batches[".csv"]), str(expected)]) == 0
    assert target.read_bytes() == expected.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "expected.jsonl",
        "link.jsonl",
        "real.jsonl",
    ]
