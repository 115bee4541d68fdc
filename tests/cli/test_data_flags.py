"""``riskprofile data check --flags``: each data-quality flag with its record, container,
column and value, and the count of units that carry flags."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.io import read_batch, read_manifests, write_csv, write_json
from riskprofile.io._flags import flag_records
from riskprofile.synth import generate_manifests
from tests.depth import depth

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ["examples/data/customs-export.csv", "--mapping", "examples/mappings/customs-export.yaml"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["data", "check", *argv])
    return code, capsys.readouterr().out


def test_flags_of_the_worked_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _check([*EXPORT, "--flags"], capsys)
    assert code == 0
    assert "  data-quality flags on 2 units (2 shipments):" in out
    listing = out.split("  flags:\n", 1)[1].split("  ignored columns", 1)[0]
    assert listing.splitlines() == [
        "    line  container    column                           value          flag",
        "    5     TGHU9876542  Curr (currency)                  'RMB'          unknown_currency",
        "    8     CSQU3054384  Container No (container_number)  'CSQU3054384'  check_digit",
    ]
    # Without --flags, no listing (the summary is unchanged).
    _, plain = _check(EXPORT, capsys)
    assert "  flags:" not in plain
    assert "data-quality flags on 2 units (2 shipments):" in plain


def test_flags_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _check([*EXPORT, "--flags", "--format", "json"], capsys)
    summary = json.loads(out)
    assert summary["units_with_flags"] == 2
    assert summary["flag_list"] == [
        {"record": 5, "container": "TGHU9876542", "bl_number": "MEDUCN240003",
         "column": "Curr (currency)", "code": "unknown_currency", "value": "RMB",
         "message": "'RMB' is not an ISO 4217 currency"},
        {"record": 8, "container": "CSQU3054384", "bl_number": "MEDUMY240005",
         "column": "Container No (container_number)", "code": "check_digit",
         "value": "CSQU3054384",
         "message": "'CSQU3054384' fails the ISO 6346 check digit (expected 3)"},
    ]  # fmt: skip


def test_flags_of_json_lines_name_the_line_and_the_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reading = read_manifests(EXPORT[0], mapping=EXPORT[2])
    path = tmp_path / "export.jsonl"
    write_json(list(reading), path, lines=True)
    # A line that is not JSON first: the manifest is on line 2 now.
    path.write_text("{broken\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    _, out = _check([str(path), "--flags", "--format", "json"], capsys)
    flags = json.loads(out)["flag_list"]
    assert {f["record"] for f in flags} == {2}
    assert [f["column"] for f in flags] == [
        "consignments[2].goods[0].currency",
        "consignments[4].container_numbers[0]",
        "consignments[4].goods[0].container_number",
        "containers[4].number",
    ]


def test_long_listings_are_cut_unless_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "defects.csv"
    write_csv(generate_manifests(3, 60, defect_rate=0.5), path)
    _, out = _check([str(path), "--flags"], capsys)
    assert "more (use --all)" in out
    _, everything = _check([str(path), "--flags", "--all"], capsys)
    assert "more (use --all)" not in everything
    _, as_json = _check([str(path), "--flags", "--format", "json"], capsys)
    listed = everything.split("  flags:\n", 1)[1].splitlines()[1:]
    assert len(listed) == len(json.loads(as_json)["flag_list"])


@settings(max_examples=depth(8))
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_every_flag_is_listed_where_its_value_is(
    seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("flags") / "batch.csv"
    write_csv(generate_manifests(seed, 12, defect_rate=0.4), path)
    reading = read_manifests(path)
    manifests = list(reading)
    flags = flag_records(reading, manifests)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = dict(enumerate(csv.DictReader(handle), start=2))
    for flag in flags:
        assert flag.record in rows, flag
        if flag.value is not None and flag.code not in ("inconsistent", "invalid_value"):
            cell = rows[flag.record].get(flag.column.split(" ")[0], "")
            # The cell holds the value (a list column holds it among others).
            assert flag.value.replace(" ", "").upper() in cell.replace(" ", "").upper(), flag
    # Every flag a shipment carries is listed with its code.
    batch = read_batch(path)
    codes = {name.split(":")[-1] for s in batch.shipments for name in s.quality_flags}
    assert codes <= {f.code for f in flags}


def test_flags_read_only_the_flagged_units_through_the_models(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch is read through the frame; the models read only the records of the
    bills of lading and containers that carry a flag (the same listing as the whole
    file's)."""
    from riskprofile.model.manifest import GoodsItem

    path = tmp_path / "b.csv"
    write_csv(generate_manifests(5, 400, defect_rate=0.01), path)
    _, expected = _check([str(path), "--flags", "--format", "json"], capsys)
    made: list[int] = []
    real = GoodsItem.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls: type[GoodsItem], obj: object, *args: object, **kwargs: object) -> object:
        made.append(1)
        return real(cls, obj, *args, **kwargs)

    monkeypatch.setattr(GoodsItem, "model_validate", classmethod(counted))
    reading = read_manifests(path)
    whole = [f.as_dict() for f in flag_records(reading, list(reading))]
    by_the_whole_file = len(made)
    made.clear()
    _, out = _check([str(path), "--flags", "--format", "json"], capsys)
    assert out == expected
    assert json.loads(out)["flag_list"] == whole != []
    # The frame checks each distinct goods value once; the models read the flagged units.
    assert 0 < len(made) < by_the_whole_file // 2
