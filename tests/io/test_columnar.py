"""read_frame gives the model path's shipment frame and rejected records, field for field."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import InputFormatError, Manifest, read_batch, write_csv
from riskprofile.io import COLUMNS
from riskprofile.model import LENIENT
from tests import strategies as rst
from tests.depth import depth

pl = pytest.importorskip("polars")
pytest.importorskip("pyarrow")

from polars.testing import assert_frame_equal  # noqa: E402

from riskprofile.engines.columnar import shipment_frame  # noqa: E402
from riskprofile.io import FrameBatch, read_frame  # noqa: E402
from riskprofile.io._frame import _reader as columnar_reader  # noqa: E402
from riskprofile.io._frame._values import PY_WHITESPACE  # noqa: E402

SETTINGS = settings(
    max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
NAMES = [c.name for c in COLUMNS]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def assert_same_as_models(path: Path, **kwargs: Any) -> FrameBatch:
    """read_frame equals the model path: frame (exact values and dtypes), rejected records,
    counts. Neither may raise: a number no frame column can hold is the model's
    ``invalid_value`` flag or rejection on both paths."""
    batch = read_batch(path, **kwargs)
    expected = shipment_frame(batch.shipments)
    got = read_frame(path, **kwargs)
    assert_frame_equal(got.frame, expected, check_exact=True)
    assert_same_signed_zeros(got.frame, expected)
    assert got.rejected == tuple(batch.rejected)
    assert got.records_read == batch.records_read
    assert got.records_accepted == batch.records_accepted
    assert got.manifests == batch.manifests
    assert list(got.ignored_columns) == batch.ignored_columns
    assert got.record_unit == batch.record_unit
    assert got.source == batch.source
    assert 0 <= got.rows_via_models <= got.records_read
    # Read again a few records at a time (slices of whole vessel calls): the same.
    sliced = _read_in_slices(path, 3, **kwargs)
    assert_frame_equal(sliced.frame, expected, check_exact=True)
    assert sliced == FrameBatch(**{**got.__dict__, "frame": sliced.frame})
    return got


def assert_same_signed_zeros(got: Any, expected: Any) -> None:
    """-0.0 where the model path has -0.0 (assert_frame_equal takes -0.0 for 0.0)."""
    floats = [c for c, t in expected.schema.items() if t == pl.Float64]
    negative = [(pl.col(c) == 0) & (1 / pl.col(c) < 0) for c in floats]
    assert_frame_equal(got.select(negative), expected.select(negative))


def _read_in_slices(path: Path, records: int, workers: int = 2, **kwargs: Any) -> FrameBatch:
    saved = columnar_reader.SLICE_RECORDS, columnar_reader.SLICE_WORKERS
    columnar_reader.SLICE_RECORDS, columnar_reader.SLICE_WORKERS = records, workers
    try:
        return read_frame(path, **kwargs)
    finally:
        columnar_reader.SLICE_RECORDS, columnar_reader.SLICE_WORKERS = saved


def _same(path: Path, **kwargs: Any) -> FrameBatch:
    return assert_same_as_models(path, **kwargs)


def _write_rows(rows: list[list[str]], directory: Path, stem: str) -> tuple[Path, Path]:
    """The same cells as a CSV file and as a Parquet file (all columns text)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path = directory / f"{stem}.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NAMES)
        writer.writerows(rows)
    columns = {n: [r[i] if r[i] != "" else None for r in rows] for i, n in enumerate(NAMES)}
    parquet_path = directory / f"{stem}.parquet"
    table = pa.table({n: pa.array(v, type=pa.string()) for n, v in columns.items()})
    # Row groups of a few rows: the reader keeps a slice's cells in the chunks it read
    # them in, so that every read here crosses chunks (a file of up to 4 rows has one).
    pq.write_table(table, parquet_path, row_group_size=4)
    return csv_path, parquet_path


def _rows_of(manifests: list[Manifest], directory: Path) -> list[list[str]]:
    path = directory / "written.csv"
    write_csv(manifests, path)
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


# --- the example batches -------------------------------------------------------------------


def test_the_karachi_sample_reads_as_on_the_model_path() -> None:
    got = _same(EXAMPLES / "data" / "karachi-sample.csv")
    assert got.fallback is None
    # Only the bills of lading and containers whose rows disagree go through the models.
    assert got.rows_via_models < got.records_read // 10


def test_the_customs_export_with_its_mapping_reads_as_on_the_model_path() -> None:
    got = _same(
        EXAMPLES / "data" / "customs-export.csv",
        mapping=EXAMPLES / "mappings" / "customs-export.yaml",
    )
    # Its mapping has date formats: the whole file goes through the model path, and says so.
    assert got.fallback == "date formats in the column mapping"
    assert got.rows_via_models == got.records_read


def test_a_mapping_without_date_formats_is_read_column_wise(tmp_path: Path) -> None:
    source = (EXAMPLES / "data" / "customs-export.csv").read_text(encoding="utf-8")
    source = source.replace("12/10/2026", "2026-10-12").replace("14/10/2026", "2026-10-14")
    path = tmp_path / "export.csv"
    path.write_text(source, encoding="utf-8")
    mapping = (EXAMPLES / "mappings" / "customs-export.yaml").read_text(encoding="utf-8")
    mapping = "\n".join(
        line for line in mapping.splitlines() if not line.startswith(("date_format", "datetime"))
    )
    mapping_path = tmp_path / "export.yaml"
    mapping_path.write_text(mapping, encoding="utf-8")
    got = _same(path, mapping=mapping_path)
    assert got.fallback is None


@pytest.mark.parametrize("strictness", ["lenient", "strict"])
def test_the_karachi_sample_as_parquet(tmp_path: Path, strictness: str) -> None:
    frame = pl.read_csv(EXAMPLES / "data" / "karachi-sample.csv", infer_schema=False)
    path = tmp_path / "sample.parquet"
    frame.write_parquet(path)
    got = _same(path, strictness=strictness)
    assert got.record_unit == "row"


def test_json_with_our_quality_flags_reads_as_the_model_path(tmp_path: Path) -> None:
    from riskprofile import read_manifests, write_json

    # write_json keeps each model's quality_flags, which the JSON path reads back in (a
    # flat file has no such column). Flags that are the model's own no longer route a
    # document (6cd7aa9); the sample's planted container numbers off ISO 6346 route only
    # the bills that name them (and those containers), not the whole document (c8efc69).
    from riskprofile.io._frame._json_split import flat_documents

    manifests = list(read_manifests(EXAMPLES / "data" / "karachi-sample.csv"))
    path = tmp_path / "b.jsonl"
    write_json(manifests, path)
    got = _same(path)
    assert got.fallback is None
    split = flat_documents(path, "jsonl")
    assert not split.others  # no document read whole by the models
    parts = list(split.parts.values())
    assert parts
    assert all("ISO 6346" in part.reason for part in parts)
    assert all("plain object" not in part.reason for part in parts)
    routed = sum(len(part.shipments) for part in parts)
    assert 0 < routed < got.frame.height / 10  # the rest of each call column-wise


# --- the hybrid routing --------------------------------------------------------------------


def test_clean_generated_data_is_read_column_wise(tmp_path: Path) -> None:
    from riskprofile import write_parquet
    from riskprofile.synth import generate_manifests

    path = tmp_path / "clean.parquet"
    write_parquet(generate_manifests(seed=3, containers=400, defect_rate=0.0), path)
    got = _same(path)
    assert got.rows_via_models == 0
    assert got.rows_column_wise == got.records_read


def test_generated_data_with_defects_is_mostly_read_column_wise(tmp_path: Path) -> None:
    from riskprofile import write_parquet
    from riskprofile.synth import generate_manifests

    path = tmp_path / "defects.parquet"
    write_parquet(generate_manifests(seed=5, containers=600, defect_rate=0.05), path)
    got = _same(path)
    assert got.frame["quality_flag_count"].sum() > 0  # flags made column-wise too
    assert got.rows_via_models < got.records_read * 0.2


def test_polars_whitespace_set_is_pythons() -> None:
    expected = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert expected == PY_WHITESPACE


def test_read_frame_needs_no_polars_to_import_riskprofile() -> None:
    import subprocess

    code = "import sys, riskprofile, riskprofile.io; print('polars' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- properties ----------------------------------------------------------------------------


@SETTINGS
@given(
    st.lists(
        st.one_of(rst.manifest_documents(valid=True), rst.manifest_documents(valid=False)),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["lenient", "strict"]),
)
def test_written_manifests_read_back_as_on_the_model_path(
    docs: list[dict[str, Any]], strictness: str
) -> None:
    manifests = [Manifest.model_validate(d, context=LENIENT) for d in docs]
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rows = _rows_of(manifests, directory)
        for path in _write_rows(rows, directory, "b"):
            assert_same_as_models(path, strictness=strictness)


# Spoilt cells: what exports really contain.
_BAD: dict[str, list[str]] = {
    "container_number": ["CSQU3054384", "csqu 305438 3", "ABC", "---", "MSKU12345", "ÄBCU1234567"],
    "bl_number": ["", "  ", "maeu 123", "X Y"],
    "bl_issue_date": ["2026-13-45", "yesterday", "12/10/2026", "2026-02-30", "20261012", " "],
    "arrival": ["2026-11-02", "tomorrow", "2026-11-02T06:00:00+05:00", "2026-11-02 06:00"],
    "verified_gross_mass_kg": [
        "N/A",
        "-5",
        "1e3",
        "inf",
        "12 kg",
        "60000",
        "3.000,5",
        ".5",
        "1e30",
        "1e15",
        "-1e16",
        "1000000000000000.2",
    ],
    "tare_kg": ["abc", "-1", "13000", "4,5", "+4500", "nan"],
    "gross_weight_kg": ["n/a", "-0", "1E2", "12.5.1", "  7  ", "0"],
    "net_weight_kg": ["999999", "x", "-3.5"],
    "packages": [
        "-3",
        "12.0",
        "twelve",
        "+5",
        "007",
        "99999999999999999999",
        "18446744073709551618",
        "1000000000",
        "1000000001",
        "9" * 5000,
    ],
    "value": [
        "AS PER INVOICE",
        "-10.5",
        "1e2",
        "0.1234567890123456789012",
        "12,50",
        "1e30",
        "1000000000000000",
        "-1000000000000000.5",
        "999999999999999.999999999999999999",
        "1.500000000000000000000",
        "NaN",
        "9" * 5000,
    ],
    "currency": ["usd", "RMB", "EURO", "U$D"],
    "origin_country": ["XX", "EU", "PAK", "uk", "de", "1"],
    "shipper_country": ["CHN", "ZZ", "u.k."],
    "consignee_aeo": ["maybe", "ON", "off", "Y", "0"],
    "container_full": ["maybe", "MT", "T", "ON", "laden"],
    "hs_code": ["0803.90 10", "7701", "12", "ABCDEF", "0000000"],
    "port_of_loading": ["ukfxt", "GUAYAQUIL", "XZ123", "--"],
    "transshipment_ports": ["PAMIT;;AEJEA", "pamit ; XXABC", ";", "SGSIN;SGSIN"],
    "seal_numbers": ["A;;B", "S1;S2;S3", " ; "],
    "seal_sealers": ["carrier;bogus", "CA;SH;CU;TO", ";customs"],
    "freight_terms": ["CC", "cash", "Pre-Paid"],
    "container_size_type": ["40HC", "22g1", "2200", "ZZZZ"],
    "vessel_imo": ["IMO 9321484", "1234567", "IMO"],
    "carrier_scac": ["m4eu", "ABCDE"],
    "description": ["  said   to\tcontain ", "ÇAY\u2003BARDAĞI", "\x1cX\x1d"],
    "shipper_name": ["Other Name", "  acme  trading "],
    "freight_payer_identifier": ["pk1234567", "X"],
    "departure_country": ["ARE", "zz", "u.a.e.", " ae ", "-"],
    "tax_rate": ["17,5", "-2", "n/a", "1e30", "  12.5 ", "inf"],
    "customs_office": ["  kape  west ", "Ärztekammer", "\x1cX"],
    "declarant_identifier": [" pk-ch 42 ", "X"],
}


@st.composite
def _spoilt_rows(draw: st.DrawFn) -> tuple[list[Manifest], list[tuple[int, str, str]]]:
    docs = draw(
        st.lists(
            st.one_of(rst.manifest_documents(valid=True), rst.manifest_documents(valid=False)),
            min_size=1,
            max_size=2,
        )
    )
    manifests = [Manifest.model_validate(d, context=LENIENT) for d in docs]
    spoils = draw(
        st.lists(
            st.tuples(
                st.integers(0, 200),
                st.sampled_from(sorted(_BAD)),
                st.integers(0, 10),
            ),
            max_size=4,
        )
    )
    return manifests, [(row, col, _BAD[col][i % len(_BAD[col])]) for row, col, i in spoils]


@SETTINGS
@given(_spoilt_rows(), st.sampled_from(["lenient", "strict"]))
def test_spoilt_rows_give_the_same_rejects_and_flags(
    case: tuple[list[Manifest], list[tuple[int, str, str]]], strictness: str
) -> None:
    manifests, spoils = case
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        rows = _rows_of(manifests, directory)
        if not rows:
            return
        for row, column, value in spoils:
            rows[row % len(rows)][NAMES.index(column)] = value
        for path in _write_rows(rows, directory, "spoilt"):
            assert_same_as_models(path, strictness=strictness)


def test_a_call_with_a_routed_row_keeps_its_call_wide_flags(tmp_path: Path) -> None:
    """Regression (found by the property above): one row's seals need the model path and
    another row's carrier code differs from the rest of the call; the carrier code is
    inconsistent on every shipment of the call, the routed one included."""
    manifest = Manifest.model_validate(
        {
            "vessel_imo": "1000008",
            "carrier_scac": "AA",
            "port_of_call": "PKKHI",
            "containers": [{"number": n} for n in
                           ("AADU0000001", "AACU0000008", "AABU0000004", "AAEU0000005")],
        },
        context=LENIENT,
    )  # fmt: skip
    rows = _rows_of([manifest], tmp_path)
    rows[0][NAMES.index("carrier_scac")] = "m4eu"
    rows[0][NAMES.index("seal_numbers")] = "A;;B"
    for path in _write_rows(rows, tmp_path, "spoilt"):
        got = assert_same_as_models(path, strictness="lenient")
        assert got is not None
        assert all("carrier_scac:inconsistent" in f for f in got.frame["quality_flags"])


def test_rows_with_neither_key_and_goods_without_a_bill_are_rejected_alike(
    tmp_path: Path,
) -> None:
    sample = (EXAMPLES / "data" / "karachi-sample.csv").read_text(encoding="utf-8").splitlines()
    header, first, second = sample[0], sample[1], sample[2]
    cells = next(csv.reader([second]))
    cells[NAMES.index("bl_number")] = ""
    no_bill = ",".join(f'"{c}"' for c in cells)
    cells[NAMES.index("container_number")] = ""
    no_key = ",".join(f'"{c}"' for c in cells)
    path = tmp_path / "b.csv"
    path.write_text("\n".join([header, first, no_bill, "", " , ", no_key, second]) + "\n")
    got = _same(path)
    assert [r.record for r in got.rejected] == [3, 6]


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.floats(min_value=-1e17, max_value=1e17, allow_nan=False, allow_infinity=False),
            st.sampled_from([0.1, 0.2, 0.3, -0.0, 1e16, -1e16, 3.3]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_weights_add_up_in_the_model_paths_order(weights: list[float]) -> None:
    # Float addition is not associative: totals over a container's lines must be summed
    # in the model path's order, to the last bit.
    sample = (EXAMPLES / "data" / "karachi-sample.csv").read_text(encoding="utf-8").splitlines()
    given = dict(zip(next(csv.reader([sample[0]])), next(csv.reader([sample[1]])), strict=True))
    cells = [given.get(name, "") for name in NAMES]
    rows = []
    for weight in weights:
        row = list(cells)
        row[NAMES.index("gross_weight_kg")] = repr(weight)
        row[NAMES.index("net_weight_kg")] = repr(weight / 3)
        rows.append(row)
    with tempfile.TemporaryDirectory() as tmp:
        for path in _write_rows(rows, Path(tmp), "weights"):
            _same(path)


def _sample_rows() -> tuple[list[str], list[list[str]]]:
    with open(EXAMPLES / "data" / "karachi-sample.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    # In the layout's column order (the sample has no declaration columns).
    at = {name: i for i, name in enumerate(rows[0])}
    return NAMES, [[r[at[n]] if n in at else "" for n in NAMES] for r in rows[1:]]


@pytest.mark.parametrize("strictness", ["lenient", "strict"])
def test_edge_files_read_as_on_the_model_path(tmp_path: Path, strictness: str) -> None:
    header, rows = _sample_rows()
    line = ",".join(header)
    (tmp_path / "header.csv").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "blank.csv").write_text(line + "\n,,,,\n \n\n", encoding="utf-8")
    with open(tmp_path / "multiline.csv", "w", newline="", encoding="utf-8") as handle:
        spoilt = list(rows[0])
        spoilt[header.index("description")] = "LINE ONE\nLINE TWO"
        csv.writer(handle).writerows([header, spoilt, rows[1]])
    pl.DataFrame(
        {"bl_number": ["A1"], "container_number": ["CSQU3054383"], "packages": [3]}
    ).write_parquet(tmp_path / "typed.parquet")
    pl.DataFrame({n: pl.Series([], dtype=pl.String) for n in NAMES}).write_parquet(
        tmp_path / "empty.parquet"
    )
    expected_fallback = {
        "multiline.csv": "CSV quoting that only the csv module reads the same way",
        "typed.parquet": "Parquet columns that are not text",
    }
    for name in ("header.csv", "blank.csv", "multiline.csv", "typed.parquet", "empty.parquet"):
        got = _same(tmp_path / name, strictness=strictness)
        if name in expected_fallback:
            assert got.fallback == expected_fallback[name]
            assert got.rows_via_models == got.records_read


def test_raise_for_rejected_says_what_read_batch_says(tmp_path: Path) -> None:
    from riskprofile.errors import BatchRejectedError

    header, rows = _sample_rows()
    spoilt = list(rows[0])
    spoilt[header.index("bl_number")] = ""
    path, _ = _write_rows([spoilt, rows[1]], tmp_path, "rejects")
    got = _same(path)
    with pytest.raises(BatchRejectedError) as ours:
        got.raise_for_rejected()
    with pytest.raises(BatchRejectedError) as theirs:
        read_batch(path).raise_for_rejected()
    assert str(ours.value) == str(theirs.value)


def test_a_default_for_a_list_column_goes_through_the_model_path(tmp_path: Path) -> None:
    from riskprofile.io import ColumnMapping

    mapping = ColumnMapping(columns={}, defaults={"transshipment_ports": "AEJEA"})
    got = _same(EXAMPLES / "data" / "karachi-sample.csv", mapping=mapping)
    assert got.fallback == "a default for a list column"


# --- slices of whole vessel calls ----------------------------------------------------------


def _slices_taken(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[int, int]]]:
    taken: list[list[tuple[int, int]]] = []
    slices = columnar_reader._Reader._slices

    def spy(reader: Any) -> list[tuple[int, int]]:
        taken.append(slices(reader))
        return taken[-1]

    monkeypatch.setattr(columnar_reader._Reader, "_slices", spy)
    return taken


@pytest.mark.parametrize(("strictness", "workers"), [("lenient", 1), ("strict", 2)])
def test_a_batch_is_read_in_slices_that_cut_no_vessel_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strictness: str, workers: int
) -> None:
    from riskprofile.synth import generate_manifests

    manifests = [m for seed in (5, 6, 7, 8) for m in generate_manifests(seed, containers=40)]
    assert len({(m.vessel_imo, m.voyage_number) for m in manifests}) == 4
    path = tmp_path / "calls.csv"
    write_csv(manifests, path)
    expected = _same(path, strictness=strictness)
    taken = _slices_taken(monkeypatch)
    got = _read_in_slices(path, 40, workers, strictness=strictness)
    assert_frame_equal(got.frame, expected.frame, check_exact=True)
    assert got.rejected == expected.rejected
    assert got.manifests == expected.manifests == len(manifests)
    (slices,) = taken
    assert len(slices) > 1
    # Consecutive ranges covering every record, each cut between two vessel calls.
    assert slices[0][0] == 0
    assert slices[-1][1] == got.records_read
    assert all(a[1] == b[0] for a, b in itertools.pairwise(slices))
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    voyages = [(r["vessel_imo"], r["voyage_number"]) for r in rows]
    for start, _stop in slices[1:]:
        assert voyages[start] not in voyages[:start]


def test_interleaved_vessel_calls_are_read_in_one_slice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskprofile.synth import generate_manifests

    path = tmp_path / "calls.csv"
    write_csv([m for seed in (5, 6) for m in generate_manifests(seed, containers=40)], path)
    header, *rows = list(csv.reader(path.open(encoding="utf-8")))
    # The last record of the file belongs to the first vessel call.
    rows.append(rows.pop(0))
    with (tmp_path / "interleaved.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *rows])
    taken = _slices_taken(monkeypatch)
    got = _same(tmp_path / "interleaved.csv")
    assert taken[-1] == [(0, got.records_read)]


def test_slices_share_the_records_evenly_among_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 15): slices were cut at the first vessel call starting
    ``SLICE_RECORDS`` records on, so the last slice was whatever was left (at a million
    shipments seven slices of about 251,000 records and one of 30,743): one worker read the
    last long slice alone while the other had nothing left. The slices are now as many
    as ``SLICE_RECORDS`` asks, rounded up to a multiple of the workers, each within one
    vessel call of an equal share."""
    from riskprofile.synth import generate_manifests

    manifests = [
        m.model_copy(update={"voyage_number": f"V{seed:03d}"})
        for seed in range(5, 35)
        for m in generate_manifests(seed, containers=5)
    ]
    path = tmp_path / "calls.csv"
    write_csv(manifests, path)
    expected = _same(path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    calls = [len(list(g)) for _k, g in itertools.groupby(r["voyage_number"] for r in rows)]
    assert len(calls) == 30
    taken = _slices_taken(monkeypatch)
    got = _read_in_slices(path, 100, 2)
    assert_frame_equal(got.frame, expected.frame, check_exact=True)
    (slices,) = taken
    sizes = [stop - start for start, stop in slices]
    assert len(sizes) == 2 * -(-len(rows) // 200), sizes
    share = len(rows) / len(sizes)
    assert all(abs(size - share) < max(calls) for size in sizes), (sizes, max(calls))


def test_balanced_cuts_fall_on_the_first_start_at_or_after_each_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(columnar_reader, "SLICE_RECORDS", 300)
    monkeypatch.setattr(columnar_reader, "SLICE_WORKERS", 2)
    starts = list(range(0, 1000, 10))
    assert columnar_reader.balanced_cuts(starts, 1000) == [0, 250, 500, 750, 1000]
    # Few places to cut: no empty slice, no cut twice.
    assert columnar_reader.balanced_cuts([0, 990], 1000) == [0, 990, 1000]
    assert columnar_reader.balanced_cuts([0], 1000) == [0, 1000]
    monkeypatch.setattr(columnar_reader, "SLICE_WORKERS", 1)
    assert columnar_reader.balanced_cuts(starts, 1000) == [0, 250, 500, 750, 1000]
    assert columnar_reader.balanced_cuts(starts, 700) == [0, 240, 470, 700]


def test_goods_cells_are_tested_for_blanks_about_once_a_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 15): whether a record has goods was found by a blank test (a
    regular expression) of every goods cell, nine a record (about 3 % of the read's CPU
    at a million shipments); now a record of null goods cells takes none, and a later
    goods column is tested only where the earlier ones were blank."""
    tested: list[int] = []
    blank = columnar_reader._is_blank

    def counting(value: Any) -> Any:
        def count(verdicts: Any) -> Any:
            tested.append(len(verdicts))
            return verdicts

        return blank(value).map_batches(count, return_dtype=pl.Boolean)

    monkeypatch.setattr(columnar_reader, "_is_blank", counting)
    got = read_frame(EXAMPLES / "data" / "karachi-sample.csv")
    assert got.records_read == 629
    assert 629 <= sum(tested) < 629 * 1.5, tested


def test_a_record_whose_only_goods_cell_is_a_late_column_has_goods(tmp_path: Path) -> None:
    """Goods found by a later column, or by none (blank cells of Python whitespace), as
    on the model path."""
    from riskprofile.synth import generate_manifests

    rows = _rows_of(list(generate_manifests(6, containers=4)), tmp_path)
    goods = [i for i, n in enumerate(NAMES) if COLUMNS[i].group == "goods"]
    last = goods[-1]
    for at, filled in ((0, None), (1, last), (2, goods[1]), (3, None)):
        for i in goods:
            if i != filled:
                rows[at][i] = ["", " ", "\u3000", "\x1c"][(i + at) % 4]
    for path in _write_rows(rows, tmp_path, "late-goods"):
        _same(path)


def test_a_lone_negative_zero_weight_totals_zero_as_on_the_model_path(tmp_path: Path) -> None:
    """Python's sum() of a lone -0.0 is 0.0; Polars drops a literal ``+ 0.0``."""
    manifest = Manifest.model_validate(
        {
            "vessel_imo": "9321483",
            "port_of_call": "PKKHI",
            "consignments": [
                {"bl_number": "MAEU1", "container_numbers": ["CSQU3054383"],
                 "goods": [{"container_number": "CSQU3054383", "gross_weight_kg": 1.0}]},
            ],
            "containers": [{"number": "CSQU3054383"}],
        },
        context=LENIENT,
    )  # fmt: skip
    rows = _rows_of([manifest], tmp_path)
    rows[0][NAMES.index("gross_weight_kg")] = "-0"
    for path in _write_rows(rows, tmp_path, "negative-zero"):
        got = _same(path)
        (total,) = got.frame["goods_gross_weight_kg"].to_list()
        assert total == 0.0
        assert str(total) == "0.0"


@settings(max_examples=depth(500), deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=12))
def test_text_of_the_folded_shape_is_what_python_folds_it_to(text: str) -> None:
    """The reader keeps names, addresses and descriptions of this shape as they are and
    folds the rest in Python: the shape must be exactly text that folding leaves alone."""
    from riskprofile.io._frame._values import _FOLDED, _py_fold

    if pl.Series([text]).str.contains(_FOLDED).item():
        assert _py_fold(text) == text


@settings(max_examples=depth(500), deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=12),
    st.sampled_from(["strip", "upper", "squeeze"]),
)
def test_text_of_each_kept_shape_is_what_python_makes_it(text: str, rule: str) -> None:
    """The reader keeps identifiers, upper-cased identifiers and B/L numbers of these
    shapes as they are and runs the Python rule on the rest (``_canonical``): each
    shape must be text that its rule leaves alone."""
    from riskprofile.io._frame import _values as v

    shape, fn = {
        "strip": (v._STRIPPED, v._py_strip),
        "upper": (v._UPPER, str.upper),
        "squeeze": (v._SQUEEZED, v._py_squeeze),
    }[rule]
    if pl.Series([text]).str.contains(shape).item():
        assert fn(text) == text


# --- numbers no frame column can hold ------------------------------------------------------

# (column, cell, the shipment flag in lenient mode)
_OUT_OF_RANGE = [
    ("value", "1e30", "goods_value:invalid_value"),
    ("packages", "18446744073709551618", "goods_packages:invalid_value"),
    ("packages", "9" * 5000, "goods_packages:invalid_value"),
    ("value", "9" * 5000, "goods_value:invalid_value"),
    ("value", "0.1234567890123456789012", "goods_value:invalid_value"),
    ("gross_weight_kg", "1e30", "goods_gross_weight_kg:invalid_value"),
    ("net_weight_kg", "-1e16", "goods_net_weight_kg:invalid_value"),
    ("verified_gross_mass_kg", "1e300", "verified_gross_mass_kg:invalid_value"),
    ("tare_kg", "1e16", "tare_kg:invalid_value"),
]


@pytest.mark.parametrize("strictness", ["lenient", "strict"])
def test_out_of_range_numbers_are_flags_or_rejections_in_both_readers(
    tmp_path: Path, strictness: str
) -> None:
    """Regression (issue 14): one value of 1e30 or packages of 18446744073709551618 made
    the columnar engine crash the whole batch; now both readers flag (lenient) or reject
    (strict) the record, and both engines score the batch alike."""
    from riskprofile.engines.columnar import score_frame
    from riskprofile.profiles import bundled_profiles_path, load_profiles
    from riskprofile.scoring import score

    header, rows = _sample_rows()
    assert header == NAMES
    rows = rows[:120]
    spoilt = {}
    for i, (column, cell, flag) in enumerate(_OUT_OF_RANGE):
        row = rows[10 * i + 3]
        row[NAMES.index(column)] = cell
        spoilt[10 * i + 5] = (column, flag)  # the line it is on (header is line 1)
    profiles = load_profiles(bundled_profiles_path())
    for path in _write_rows(rows, tmp_path, "out-of-range"):
        got = _same(path, strictness=strictness)
        batch = read_batch(path, strictness=strictness)  # type: ignore[arg-type]
        line = (lambda n: n) if path.suffix == ".csv" else (lambda n: n - 1)
        if strictness == "lenient":
            assert got.rejected == ()
            flags = {f for fs in got.frame["quality_flags"].to_list() for f in fs}
            assert {flag for _column, flag in spoilt.values()} <= flags
        else:
            rejected = {r.record: r.problems[0].field for r in got.rejected}
            for at, (column, _flag) in spoilt.items():
                assert rejected.get(line(at)) == column
        rowwise = score(batch.shipments, profiles, as_of=dt.date(2026, 11, 2), engine="rowwise")
        columnar = score(batch.shipments, profiles, as_of=dt.date(2026, 11, 2), engine="columnar")
        assert columnar == rowwise
        from_frame = score_frame(got.frame, profiles, as_of=dt.date(2026, 11, 2))
        assert [(c.key, c.score, c.lane) for c in from_frame.containers] == [
            (c.key, c.score, c.lane) for c in rowwise.containers
        ]


@pytest.mark.parametrize("strictness", ["lenient", "strict"])
def test_a_huge_cell_is_one_records_problem_in_both_readers(
    tmp_path: Path, strictness: str
) -> None:
    """Regression (issue 14): one CSV cell over 128 KiB made the whole batch unreadable
    (the csv module's field limit); now text over MAX_TEXT_CHARS is the model's verdict on
    that record alone, in every reader."""
    from riskprofile.model._base import MAX_TEXT_CHARS

    _header, rows = _sample_rows()
    rows = rows[:40]
    rows[3][NAMES.index("description")] = "SAID TO CONTAIN " * 10_000  # 160 KB
    rows[7][NAMES.index("bl_number")] = "X" * (MAX_TEXT_CHARS + 1)
    rows[9][NAMES.index("shipper_name")] = " " * 20 + "ACME" + " " * MAX_TEXT_CHARS  # fits
    for path in _write_rows(rows, tmp_path, "huge"):
        got = _same(path, strictness=strictness)
        first = 2 if path.suffix == ".csv" else 1
        problems = {r.record - first: r.problems[0].field for r in got.rejected}
        assert problems.get(7) == "bl_number"
        if strictness == "strict":
            assert problems.get(3) == "description"
        else:
            assert 3 not in problems
            flags = {f for fs in got.frame["quality_flags"].to_list() for f in fs}
            assert "goods_description:invalid_value" in flags
        assert "ACME" in got.frame["shipper_name"].to_list()
        assert got.records_read == 40


@pytest.mark.parametrize("strictness", ["lenient", "strict"])
def test_a_bill_of_lading_without_shipper_or_consignee_is_flagged_missing_by_both_readers(
    tmp_path: Path, strictness: str
) -> None:
    """Issue 13: blank key parties are flagged ``missing``, the same on both paths."""
    _header, rows = _sample_rows()
    rows = rows[:30]
    bills = [r[NAMES.index("bl_number")] for r in rows]
    blank_shipper, blank_consignee = bills[2], bills[12]
    for row in rows:
        if row[NAMES.index("bl_number")] == blank_shipper:
            row[NAMES.index("shipper_name")] = "  "
        if row[NAMES.index("bl_number")] == blank_consignee:
            for column in ("consignee_name", "consignee_address", "consignee_country",
                           "consignee_identifier", "consignee_aeo"):  # fmt: skip
                row[NAMES.index(column)] = ""
    for path in _write_rows(rows, tmp_path, "parties"):
        got = _same(path, strictness=strictness)
        flags = dict(zip(got.frame["bl_number"], got.frame["quality_flags"], strict=True))
        assert "shipper_name:missing" in flags[blank_shipper]
        assert "consignee_name:missing" in flags[blank_consignee]
        others = [f for bl, fs in flags.items() if bl not in (blank_shipper, blank_consignee)
                  for f in fs]  # fmt: skip
        assert not any(f.endswith(":missing") for f in others)


@pytest.mark.parametrize("column", ["description", "package_type", "container_number"])
def test_a_goods_line_refused_for_a_huge_cell_joins_no_group_in_strict_mode(
    tmp_path: Path, column: str
) -> None:
    """Regression (found by tests/io/test_fuzz.py): the model path rejects such a goods
    line before it joins its bill of lading, so the bill's place in the order is that of
    its next row; read_frame put it at the rejected row."""
    header = ["bl_number", "container_number", "hs_code", "description", "package_type"]
    cells = {"description": "X" * 20_000, "package_type": "CT" * 6_000,
             "container_number": "CSQU3054383" + " " * 20_000 + "9"}  # fmt: skip
    rows = [
        ["B1", "CSQU3054383", "080390", "BANANAS", "CT"],
        ["B2", "CSQU3054383", "080390", "BANANAS", "CT"],
        ["B1", "MSKU9045125", "080390", "BANANAS", "CT"],
    ]
    at = header.index(column)
    rows[0][at] = cells[column]
    path = tmp_path / "huge.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    got = _same(path, strictness="strict")
    assert [r.record for r in got.rejected] == [2]
    assert got.frame["bl_number"].to_list()[0] == "B2"


def test_an_implausible_mass_gives_no_cargo_mass_or_weight_gap_on_either_path() -> None:
    # The sample's PCIU0172226 declares a VGM of 22,427,000 kg (grams): flagged, and VGM
    # minus tare and the weight gap are unknown rather than 22,000 t of hidden cargo.
    got = _same(EXAMPLES / "data" / "karachi-sample.csv")
    box = got.frame.filter(pl.col("container_number") == "PCIU0172226").row(0, named=True)
    assert box["verified_gross_mass_kg"] == 22_427_000
    assert "verified_gross_mass_kg:implausible" in box["quality_flags"]
    assert (box["container_cargo_mass_kg"], box["cargo_mass_gap_kg"]) == (None, None)
    plausible = got.frame.filter(
        ~pl.col("quality_flags").list.contains("verified_gross_mass_kg:implausible")
        & pl.col("verified_gross_mass_kg").is_not_null()
        & pl.col("tare_kg").is_not_null()
    )
    assert plausible.height > 100
    assert plausible.get_column("container_cargo_mass_kg").null_count() == 0


@pytest.mark.parametrize("strictness", ["lenient", "strict"])
def test_a_byte_that_is_not_utf8_costs_its_record_not_the_batch(
    tmp_path: Path, strictness: str
) -> None:
    """Regression (issue 14, item 7's class): one byte that is not UTF-8 in a CSV data
    row made the whole batch unreadable ("cannot read the header: 'utf-8' codec can't
    decode byte 0xff"); now that line is rejected, naming the column and showing the byte,
    and both readers agree."""
    header, rows = _sample_rows()
    path = tmp_path / "byte.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows[:30])
    data = path.read_bytes().split(b"\n")
    data[5] = data[5].replace(b"PKKHI", b"PK\xffHI", 1)  # line 6 of the file
    path.write_bytes(b"\n".join(data))
    got = _same(path, strictness=strictness)
    assert got.records_read == 30
    [rejected] = got.rejected
    assert rejected.record == 6
    [problem] = rejected.problems
    assert problem.field == "port_of_call"
    assert problem.value == "PK\\xffHI"
    assert "not utf-8-sig text" in problem.reason


def test_a_header_that_is_not_text_in_the_encoding_is_said(tmp_path: Path) -> None:
    header, _rows = _sample_rows()
    path = tmp_path / "header.csv"
    path.write_bytes(b"bl_\xffnumber," + ",".join(header[1:]).encode() + b"\n")
    with pytest.raises(InputFormatError, match="the header is not utf-8-sig text"):
        read_batch(path)


def test_a_file_without_vessel_call_columns_is_read_in_one_slice(tmp_path: Path) -> None:
    """Declarations with no vessel or voyage column, more records than a slice: one call,
    read in one slice (it crashed: the call keys came out one row long, 'Series _callkey,
    length 1 doesn't match the DataFrame height')."""
    path = tmp_path / "declarations.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["bl_number", "arrival", "hs_code", "origin_country", "value"])
        writer.writerows(
            [f"D{n:04d}", "2026-01-02T00:00:00Z", "85171300", "CN", str(n + 1)] for n in range(30)
        )
    got = _read_in_slices(path, 8)
    assert got.fallback is None
    assert got.rows_via_models == 0
    assert_frame_equal(got.frame, read_frame(path).frame)
    assert got.frame.height == 30
