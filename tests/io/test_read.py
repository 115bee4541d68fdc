"""Reading batches: every format, rejected records with their reasons, column mappings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from riskprofile import (
    ColumnMapping,
    InputFormatError,
    Manifest,
    MappingError,
    flatten,
    read_batch,
    write_csv,
    write_json,
    write_parquet,
)
from riskprofile.io import COLUMNS, iter_json_manifests
from riskprofile.model import LENIENT

HEADER = [c.name for c in COLUMNS]


def manifest_doc() -> dict[str, Any]:
    """A small call at Karachi: an FCL B/L over two containers (one shared goods line), an
    LCL container with two house B/Ls, a B/L with no container, a container no B/L names."""
    return {
        "vessel_name": "msc anna",
        "vessel_imo": "IMO 9321483",
        "voyage_number": "0425w",
        "carrier_scac": "MSCU",
        "port_of_call": "PKKHI",
        "arrival": "2026-11-02T06:00:00",
        "consignments": [
            {
                "bl_number": "MSCU240512345",
                "issue_date": "2026-10-12",
                "shipper": {"name": "Global Fruits SA", "country": "EC", "aeo": True},
                "consignee": {"name": "TO ORDER", "country": "PK"},
                "freight_payer": {"name": "Zeta Holdings"},
                "port_of_loading": "ECGYE",
                "transshipment_ports": ["PAMIT", "AEJEA"],
                "port_of_discharge": "PKKHI",
                "place_of_delivery": "AFKBL",
                "freight_terms": "collect",
                "goods": [
                    {
                        "hs_code": "0803.90",
                        "description": "fresh bananas",
                        "packages": 2400,
                        "package_type": "ct",
                        "gross_weight_kg": 43200.5,
                        "net_weight_kg": 40800,
                        "value": "30240.10",
                        "currency": "usd",
                        "origin_country": "EC",
                    }
                ],
                "container_numbers": ["CSQU3054383", "MSKU1234565"],
            },
            {
                "bl_number": "HBL0001",
                "master_bl_number": "MSCU240599999",
                "port_of_loading": "CNSHA",
                "port_of_discharge": "PKKHI",
                "goods": [
                    {
                        "hs_code": "611020",
                        "description": "T-shirts",
                        "gross_weight_kg": 800,
                        "value": "4000",
                        "currency": "USD",
                        "container_number": "TGHU1234567",
                    },
                ],
            },
            {
                "bl_number": "HBL0002",
                "master_bl_number": "MSCU240599999",
                "port_of_loading": "CNSHA",
                "goods": [
                    {
                        "hs_code": "950300",
                        "description": "toys",
                        "gross_weight_kg": 1200,
                        "container_number": "TGHU1234567",
                    },
                ],
            },
            {"bl_number": "NOBOX1", "port_of_loading": "SGSIN"},
        ],
        "containers": [
            {
                "number": "CSQU3054383",
                "size_type": "45R1",
                "full": True,
                "seals": [{"number": "ML-1", "sealer": "CA"}, {"number": "S-2"}],
                "verified_gross_mass_kg": 26100,
                "tare_kg": 4500,
            },
            {"number": "MSKU1234565", "size_type": "4500", "full": "F"},
            {
                "number": "TGHU1234567",
                "size_type": "22G1",
                "verified_gross_mass_kg": 4200,
                "tare_kg": 2200,
            },
            {"number": "SEGU1234569", "size_type": "22G1", "full": "E"},
        ],
    }


@pytest.fixture
def manifest() -> Manifest:
    return Manifest.model_validate(manifest_doc(), context=LENIENT)


def write_rows(
    path: Path, rows: list[dict[str, str]], header: list[str] | None = None, delimiter: str = ","
) -> Path:
    header = header or HEADER
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(delimiter.join(header) + "\n")
        for row in rows:
            handle.write(delimiter.join(row.get(h, "") for h in header) + "\n")
    return path


ROW = {
    "vessel_imo": "9321483",
    "voyage_number": "0425W",
    "port_of_call": "PKKHI",
    "bl_number": "BL1",
    "shipper_name": "GLOBAL FRUITS SA",
    "consignee_name": "KHAN TRADERS",
    "port_of_loading": "ECGYE",
    "container_number": "CSQU3054383",
    "container_size_type": "45R1",
    "hs_code": "080390",
    "gross_weight_kg": "1000",
}


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json", ".parquet"])
def test_every_format_round_trips_to_the_same_shipments(
    tmp_path: Path, manifest: Manifest, suffix: str
) -> None:
    path = tmp_path / f"batch{suffix}"
    writer = {".csv": write_csv, ".parquet": write_parquet}.get(suffix, write_json)
    writer([manifest], path)
    batch = read_batch(path)
    assert batch.rejected == []
    assert batch.shipments == flatten(manifest)
    assert batch.manifests == 1


def test_flat_file_keeps_every_container_and_bill_of_lading(
    tmp_path: Path, manifest: Manifest
) -> None:
    batch = read_batch(write_csv_path(tmp_path, manifest))
    assert {s.container_number for s in batch.shipments} == {
        "CSQU3054383", "MSKU1234565", "TGHU1234567", "SEGU1234569", None,
    }  # fmt: skip
    assert {s.bl_number for s in batch.shipments} == {
        "MSCU240512345", "HBL0001", "HBL0002", "NOBOX1", None,
    }  # fmt: skip
    lcl = [s for s in batch.shipments if s.container_number == "TGHU1234567"]
    assert [s.bl_count_in_container for s in lcl] == [2, 2]
    assert all(s.is_lcl for s in lcl)
    # the LCL box: 4200 VGM - 2200 tare = 2000 kg of cargo = 800 + 1200 declared
    assert lcl[0].cargo_mass_gap_kg == 0
    fcl = [s for s in batch.shipments if s.bl_number == "MSCU240512345"]
    assert [s.goods_scope for s in fcl] == ["bill_of_lading", "bill_of_lading"]
    assert all(s.container_goods_weight_kg is None for s in fcl)


def write_csv_path(tmp_path: Path, manifest: Manifest) -> Path:
    path = tmp_path / "batch.csv"
    write_csv([manifest], path)
    return path


# --- rejected records ----------------------------------------------------------------------


def test_strict_rejects_bad_check_digit_naming_line_column_and_value(tmp_path: Path) -> None:
    bad = {**ROW, "bl_number": "BL2", "container_number": "CSQU3054384"}
    path = write_rows(tmp_path / "b.csv", [ROW, bad])
    batch = read_batch(path, strictness="strict")
    assert batch.records_read == 2
    assert batch.records_accepted == 1
    [rejected] = batch.rejected
    assert rejected.record == 3  # header is line 1
    [problem] = rejected.problems
    assert problem.field == "container_number"
    assert problem.value == "CSQU3054384"
    assert "check digit" in problem.reason
    assert [s.bl_number for s in batch.shipments] == ["BL1"]


def test_lenient_keeps_bad_check_digit_as_a_flag(tmp_path: Path) -> None:
    bad = {**ROW, "container_number": "CSQU3054384"}
    batch = read_batch(write_rows(tmp_path / "b.csv", [bad]))
    assert batch.rejected == []
    [shipment] = batch.shipments
    assert shipment.container_number == "CSQU3054384"
    assert shipment.container_number_valid is False
    assert "container_number:check_digit" in shipment.quality_flags


def test_unparseable_number_is_rejected_strict_and_dropped_with_a_flag_lenient(
    tmp_path: Path,
) -> None:
    path = write_rows(tmp_path / "b.csv", [{**ROW, "gross_weight_kg": "12kg"}])
    strict = read_batch(path, strictness="strict")
    [problem] = strict.rejected[0].problems
    assert (problem.field, problem.value) == ("gross_weight_kg", "12kg")
    lenient = read_batch(path)
    [shipment] = lenient.shipments
    assert shipment.goods_gross_weight_kg is None
    assert "goods_gross_weight_kg:invalid_value" in shipment.quality_flags


def test_rows_without_keys_or_with_extra_cells_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    write_rows(path, [ROW, {"hs_code": "080390"}, {**ROW, "container_number": ""}])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(",".join([""] * len(HEADER)) + ",surplus\n")
    batch = read_batch(path)
    assert batch.records_read == 4
    reasons = {r.record: r.reason for r in batch.rejected}
    assert set(reasons) == {3, 5}
    assert "bill of lading or a container number" in reasons[3]
    assert "surplus" in reasons[5]
    assert batch.records_accepted + len(batch.rejected) == batch.records_read


def test_goods_line_without_bl_is_rejected(tmp_path: Path) -> None:
    batch = read_batch(write_rows(tmp_path / "b.csv", [{**ROW, "bl_number": ""}]))
    assert "goods line needs a bill of lading" in batch.rejected[0].reason


def test_conflicting_bl_header_rejects_the_row_strict_and_flags_lenient(tmp_path: Path) -> None:
    second = {**ROW, "container_number": "MSKU1234565", "port_of_loading": "CNSHA"}
    path = write_rows(tmp_path / "b.csv", [ROW, second])
    strict = read_batch(path, strictness="strict")
    [rejected] = strict.rejected
    assert rejected.record == 3
    assert rejected.problems[0].field == "port_of_loading"
    assert rejected.problems[0].value == "CNSHA"
    assert "goods:incomplete" in strict.shipments[0].quality_flags
    lenient = read_batch(path)
    assert lenient.rejected == []
    assert {s.port_of_loading for s in lenient.shipments} == {"ECGYE"}  # first value wins
    assert all("port_of_loading:inconsistent" in s.quality_flags for s in lenient.shipments)


def test_invalid_bl_value_rejects_every_row_of_that_bl_in_strict_mode(tmp_path: Path) -> None:
    rows = [
        {**ROW, "port_of_loading": "QQXXX"},
        {**ROW, "container_number": "MSKU1234565", "port_of_loading": "QQXXX"},
        {**ROW, "bl_number": "BL9"},
    ]
    batch = read_batch(write_rows(tmp_path / "b.csv", rows), strictness="strict")
    assert [r.record for r in batch.rejected] == [2, 3]
    assert batch.rejected[0].problems[0].field == "port_of_loading"
    assert [s.bl_number for s in batch.shipments] == ["BL9"]


def test_json_document_errors_name_the_json_path(tmp_path: Path) -> None:
    doc = manifest_doc()
    doc["consignments"][0]["goods"][0]["hs_code"] = "08"
    path = tmp_path / "b.json"
    path.write_text(json.dumps([manifest_doc(), doc]), encoding="utf-8")
    batch = read_batch(path, strictness="strict")
    assert batch.records_read == 2
    [rejected] = batch.rejected
    assert rejected.record == 2
    assert batch.record_unit == "manifest"
    assert rejected.problems[0].field == "consignments[0].goods[0].hs_code"
    assert rejected.problems[0].value == "08"


def test_json_lines_reports_bad_lines_and_streams(tmp_path: Path) -> None:
    path = tmp_path / "b.jsonl"
    good = json.dumps(manifest_doc())
    path.write_text(f"{good}\n\n{{not json\n[1, 2]\n{good}\n", encoding="utf-8")
    batch = read_batch(path)
    assert batch.records_read == 4
    assert [r.record for r in batch.rejected] == [3, 4]
    assert "not valid JSON" in batch.rejected[0].reason
    assert "JSON object" in batch.rejected[1].reason
    # lazily: the first manifest is available before the bad lines are parsed
    first = next(iter_json_manifests(path))
    assert first.voyage_number == "0425W"


# --- column mappings -----------------------------------------------------------------------


def test_mapping_reads_an_administration_export(tmp_path: Path) -> None:
    header = ["BL No", "Cntr", "Seal 1", "Seal 2", "HS", "Gross (kg)", "Issued", "Extra"]
    rows = [
        {"BL No": "KHI-001", "Cntr": "CSQU 305438 3", "Seal 1": "A1", "Seal 2": "", "HS": "0803.90",
         "Gross (kg)": "1.234,5", "Issued": "12/10/2026", "Extra": "x"},
        {"BL No": "KHI-001", "Cntr": "CSQU 305438 3", "Seal 1": "A1", "Seal 2": "", "HS": "0804.40",
         "Gross (kg)": "10,5", "Issued": "12/10/2026", "Extra": "y"},
    ]  # fmt: skip
    path = write_rows(tmp_path / "export.csv", rows, header=header, delimiter=";")
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(
        "delimiter: ';'\n"
        "decimal_comma: true\n"
        "date_format: '%d/%m/%Y'\n"
        "columns:\n"
        "  bl_number: BL No\n"
        "  container_number: Cntr\n"
        "  seal_numbers: [Seal 1, Seal 2]\n"
        "  hs_code: HS\n"
        "  gross_weight_kg: Gross (kg)\n"
        "  bl_issue_date: Issued\n"
        "defaults:\n"
        "  port_of_call: PKKHI\n",
        encoding="utf-8",
    )
    batch = read_batch(path, mapping=mapping_file, strictness="strict")
    assert batch.rejected == []
    assert batch.ignored_columns == ["Extra"]
    [shipment] = batch.shipments
    assert shipment.bl_number == "KHI-001"
    assert shipment.container_number == "CSQU3054383"
    assert shipment.seal_numbers == ["A1"]
    assert shipment.hs_codes == ["080390", "080440"]
    assert shipment.goods_gross_weight_kg == pytest.approx(1245.0)
    assert shipment.port_of_call == "PKKHI"
    assert str(shipment.bl_issue_date) == "2026-10-12"


def test_mapping_rejects_unknown_column_with_line_and_suggestion(tmp_path: Path) -> None:
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text("columns:\n  bl_number: BL\n  containr_number: C\n", encoding="utf-8")
    with pytest.raises(MappingError) as info:
        ColumnMapping.from_file(mapping_file)
    assert info.value.line == 3
    assert info.value.suggestion == "did you mean 'container_number'?"
    assert str(mapping_file) in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("delimter: ';'\n", "unknown option 'delimter'"),
        ("delimiter: ';;'\n", "one character"),
        ("encoding: klingon\n", "unknown encoding"),
        ("columns:\n  hs_code: [A, B]\n", "takes one column"),
        ("decimal_comma: maybe\n", "true or false"),
        ("columns: [1, 2]\n", "'columns' must map"),
        ("!!python/object:os.system x\n", "not valid YAML"),
    ],
)
def test_mapping_errors(tmp_path: Path, text: str, message: str) -> None:
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match=message):
        ColumnMapping.from_file(mapping_file)


def test_mapped_column_missing_from_file_is_a_format_error(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "b.csv", [{"B/L no.": "X"}], header=["B/L no."])
    mapping = ColumnMapping.from_dict({"columns": {"bl_number": "B/L No"}})
    with pytest.raises(InputFormatError, match=r"'B/L No'.*did you mean 'B/L no.'"):
        read_batch(path, mapping=mapping)


def test_file_without_key_columns_is_a_format_error(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "b.csv", [{"BL": "X"}], header=["BL", "Box"])
    with pytest.raises(InputFormatError, match="neither a bl_number nor a container_number"):
        read_batch(path)


def test_duplicate_header_column_is_a_format_error(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "b.csv", [], header=["bl_number", "bl_number"])
    with pytest.raises(InputFormatError, match="appears twice"):
        read_batch(path)


def test_wrong_encoding_names_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(b"bl_number,description\nBL1,caf\xe9\n")  # latin-1, not UTF-8
    # The row that is not UTF-8 is rejected (not the batch), and the reason names the
    # setting that reads the file right.
    [rejected] = read_batch(path).rejected
    assert rejected.problems[0].field == "description"
    assert "set 'encoding' in the column mapping" in rejected.problems[0].reason
    mapping = ColumnMapping.from_dict({"encoding": "latin-1"})
    assert read_batch(path, mapping=mapping).rejected == []


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "b.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(InputFormatError, match="format"):
        read_batch(tmp_path / "b.xlsx")
    with pytest.raises(InputFormatError, match="no such file"):
        read_batch(tmp_path / "missing.csv")


def test_tsv_is_read_with_tabs(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "b.tsv", [ROW], delimiter="\t")
    assert [s.bl_number for s in read_batch(path).shipments] == ["BL1"]


def test_bad_strictness_is_refused(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "b.csv", [ROW])
    with pytest.raises(ValueError, match="strictness"):
        read_batch(path, strictness="sloppy")  # type: ignore[arg-type]


def test_a_rejected_goods_line_does_not_set_the_voyage(tmp_path: Path) -> None:
    rows = [
        {**ROW, "hs_code": "08", "arrival": "2026-11-01T00:00:00"},
        {**ROW, "arrival": "2026-11-02T00:00:00"},
        {**ROW, "bl_number": "BL2", "arrival": "2026-11-02T00:00:00"},
    ]
    batch = read_batch(write_rows(tmp_path / "b.csv", rows), strictness="strict")
    assert [r.record for r in batch.rejected] == [2]
    assert [s.bl_number for s in batch.shipments] == ["BL1", "BL2"]
    assert all(s.quality_flags == [] for s in batch.shipments)


def test_container_spellings_are_one_container(tmp_path: Path) -> None:
    rows = [ROW, {**ROW, "container_number": "csqu.305438-3", "hs_code": "080440"}]
    batch = read_batch(write_rows(tmp_path / "b.csv", rows), strictness="strict")
    [shipment] = batch.shipments
    assert shipment.container_number == "CSQU3054383"
    assert shipment.hs_codes == ["080390", "080440"]


def test_a_call_whose_rows_are_all_rejected_is_not_a_manifest(tmp_path: Path) -> None:
    rows = [{**ROW, "vessel_imo": "9321484"}]  # wrong IMO check digit
    batch = read_batch(write_rows(tmp_path / "b.csv", rows), strictness="strict")
    assert (batch.manifests, batch.records_accepted, len(batch.rejected)) == (0, 0, 1)
    assert batch.rejected[0].problems[0].field == "vessel_imo"


def test_mapping_error_in_defaults_points_at_the_defaults_line(tmp_path: Path) -> None:
    mapping_file = tmp_path / "m.yaml"
    mapping_file.write_text(
        "columns:\n  port_of_call: Port\ndefaults:\n  port_of_call: [PKKHI]\n", encoding="utf-8"
    )
    with pytest.raises(MappingError) as info:
        ColumnMapping.from_file(mapping_file)
    assert info.value.line == 4


def test_a_rejected_document_whose_lists_are_not_lists_is_reported(tmp_path: Path) -> None:
    """Regression (found by tests/io/test_fuzz.py): naming the units of a rejected JSON
    manifest iterated its containers, consignments and goods whatever they held (an
    integer raised TypeError out of read_batch)."""
    path = tmp_path / "b.jsonl"
    path.write_text(
        '{"voyage_number": "V2", "containers": ' + "1" + "0" * 99 + ', "consignments": 5}\n'
        '{"consignments": [{"bl_number": "B1", "goods": 7}]}\n',
        encoding="utf-8",
    )
    batch = read_batch(path, strictness="strict")
    assert [r.record for r in batch.rejected] == [1, 2]
    assert batch.records_read == 2


def test_a_batch_that_is_no_regular_file_is_named_as_what_it_is(tmp_path: Path) -> None:
    """A FIFO or a folder given as the batch was refused as "no such file" (wrong words);
    each is said for what it is, by both readers, without reading (a FIFO would wait)."""
    import os

    from riskprofile.io import read_frame

    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    for reader in (read_batch, read_frame):
        with pytest.raises(InputFormatError, match="not a regular file"):
            reader(fifo)
        with pytest.raises(InputFormatError, match="a folder, not a batch file"):
            reader(tmp_path)
        with pytest.raises(InputFormatError, match="no such file"):
            reader(tmp_path / "missing.csv")
