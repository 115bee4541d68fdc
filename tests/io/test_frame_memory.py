"""What the shipment frame ``read_frame`` returns holds in memory: it is held through
scoring and writing, so that a column it need not own adds to the command's peak."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from riskprofile.io import read_frame, write_csv
from riskprofile.io._frame import _reader
from riskprofile.model.shipment import HISTORY_FIELDS, STOWPLAN_FIELDS
from riskprofile.synth import generate_manifests

SAMPLE = Path(__file__).resolve().parents[2] / "examples/data/karachi-sample.csv"


def _buffers(frame: pl.DataFrame, names: list[str], *, views: bool = False) -> set[int]:
    """The addresses of the value buffers of ``names`` (exported without a copy: numbers,
    and text as views), one per chunk."""
    found = set()
    level = pl.CompatLevel.newest() if views else pl.CompatLevel.oldest()
    for name in names:
        exported = frame.get_column(name).to_arrow(compat_level=level)
        for chunk in getattr(exported, "chunks", [exported]):
            found.add(chunk.buffers()[1].address)
    return found


def test_shared_columns_read_as_separate_columns() -> None:
    # Writing into one shared column (a scatter, a new column of the same name) leaves
    # the others as they were: Polars copies a buffer another column holds.
    frame = read_frame(SAMPLE).frame
    a, b = "shipper_prior_shipments", "consignee_prior_shipments"
    assert frame.schema[a] == frame.schema[b] == pl.Int64
    changed = frame.with_columns(pl.lit(7, pl.Int64).alias(a))
    series = frame.get_column(b).clone()
    series.scatter([0], [5])
    assert changed.get_column(a).to_list() == [7] * frame.height
    assert frame.get_column(a).null_count() == frame.height
    assert frame.get_column(b).null_count() == frame.height
    assert changed.get_column(b).null_count() == frame.height


def test_a_column_the_file_lacks_is_shared_and_equal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A field the file has no column for (here the declarations' tax rate and customs
    # office: a flat file without the declaration columns) is all null: it took a buffer
    # of nulls of its own, gathered, beside the history fields' (shared by Polars).
    path = tmp_path / "calls.csv"
    write_csv([m for seed in (5, 6) for m in generate_manifests(seed, containers=10)], path)
    whole = read_frame(path).frame
    assert whole.get_column("tax_rate").null_count() == whole.height
    floats = [n for n in (*HISTORY_FIELDS, *STOWPLAN_FIELDS) if whole.schema[n] == pl.Float64]
    assert len(_buffers(whole, ["tax_rate", *floats])) == 1
    texts = [n for n in (*HISTORY_FIELDS, *STOWPLAN_FIELDS) if whole.schema[n] == pl.String]
    assert len(_buffers(whole, ["customs_office", "tax_type", *texts], views=True)) == 1
    monkeypatch.setattr(_reader, "SLICE_RECORDS", 5)  # a slice per vessel call
    sliced = read_frame(path).frame
    assert sliced.equals(whole)
    assert len(_buffers(sliced, ["tax_rate", *floats])) == 2  # one per slice


def test_a_field_the_file_lacks_is_not_copied_or_gathered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each group table was copied with a row of defaults and gathered to the shipments
    # whole, the columns of fields the file lacks too (a quarter of the bills' columns in
    # a flat file without the declaration columns).
    from riskprofile.io._frame import _assemble

    path = tmp_path / "calls.csv"
    write_csv(generate_manifests(5, containers=10), path)
    expected = read_frame(path).frame
    copied: list[str] = []
    real = _assemble._with_default

    def recording(table: pl.DataFrame, default: dict[str, object]) -> pl.DataFrame:
        copied.extend(table.columns)
        return real(table, default)

    monkeypatch.setattr(_assemble, "_with_default", recording)
    frame = read_frame(path).frame
    assert frame.equals(expected)
    assert "bl_number" in copied  # the columns with values are
    assert "seal_numbers" in copied
    assert not {"tax_rate", "customs_office", "declarant_name"} & set(copied)
    for name in ("tax_rate", "customs_office", "declarant_name"):
        assert frame.get_column(name).null_count() == frame.height
