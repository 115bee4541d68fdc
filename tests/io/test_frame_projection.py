"""``read_frame(..., columns=...)``: a projected read gives the whole read's columns that
were asked for (and every custom field), with the same rows, rejected records and counts,
whichever path reads the file; each slice is projected as soon as it is read."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from riskprofile.evaluation import HISTORY_COLUMNS
from riskprofile.io import read_frame
from riskprofile.io._frame import _reader

pl = pytest.importorskip("polars")

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
COLUMNS = ("shipment_id", "bl_number", "hs_codes", "arrival", "value_per_kg")


def _calls_with_office(tmp_path: Path) -> tuple[Path, Path]:
    """The sample five times over, each time other voyages (so that it is read in
    slices), with a custom text field."""
    with open(DATA / "karachi-sample.csv", newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    voyage = header.index("voyage_number")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, "Office"])
    for n in range(5):
        for i, row in enumerate(rows):
            changed = [*row[:voyage], f"{row[voyage]}-{n}", *row[voyage + 1 :]]
            writer.writerow([*changed, f"of{i % 3}"])
    path = tmp_path / "calls.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("extra:\n  office: {column: Office, type: text}\n", encoding="utf-8")
    return path, mapping


def _same(projected: Any, whole: Any, columns: tuple[str, ...]) -> None:
    kept = [c for c in whole.frame.columns if c in columns or c.startswith("x_")]
    assert projected.frame.columns == kept
    assert projected.frame.equals(whole.frame.select(kept))
    assert projected.rejected == whole.rejected
    assert (projected.records_read, projected.manifests, projected.rows_via_models) == (
        whole.records_read,
        whole.manifests,
        whole.rows_via_models,
    )


def test_a_projected_read_in_slices_gives_the_whole_reads_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, mapping = _calls_with_office(tmp_path)
    monkeypatch.setattr(_reader, "SLICE_RECORDS", 700)
    sliced: list[list[str]] = []
    read_slice = _reader._Reader._read_slice

    def counted(self: Any) -> Any:
        part = read_slice(self)
        sliced.append(part.frame.columns)
        return part

    monkeypatch.setattr(_reader._Reader, "_read_slice", counted)
    whole = read_frame(path, mapping=mapping)
    sliced.clear()
    projected = read_frame(path, mapping=mapping, columns=COLUMNS)
    assert len(sliced) > 1, "the file is read in slices"
    # Each slice holds only the projection: nothing else adds up over the slices.
    assert all(columns == projected.frame.columns for columns in sliced)
    assert "x_office" in projected.frame.columns
    _same(projected, whole, COLUMNS)


@pytest.mark.parametrize(
    ("name", "mapping"),
    [
        ("karachi-sample.csv", None),
        ("customs-export.csv", "customs-export.yaml"),
        ("declarations.csv", "declarations.yaml"),
    ],
)
def test_a_projected_read_of_the_examples_gives_the_whole_reads_columns(
    name: str, mapping: str | None
) -> None:
    mapping_path = DATA.parent / "mappings" / mapping if mapping else None
    if mapping_path is not None and not mapping_path.exists():
        pytest.skip(f"no mapping {mapping}")
    whole = read_frame(DATA / name, mapping=mapping_path)
    projected = read_frame(DATA / name, mapping=mapping_path, columns=HISTORY_COLUMNS)
    _same(projected, whole, HISTORY_COLUMNS)


def test_a_projected_read_through_the_model_path_gives_the_same_columns(tmp_path: Path) -> None:
    """A mapping with a date format sends the whole file through the model path: the
    projection holds there too."""
    path = tmp_path / "dated.csv"
    path.write_text(
        "bl_number,arrival,hs_code,origin_country\nB1,02/11/2026,851713,CN\n"
        "B2,03/11/2026,620342,VN\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "dated.yaml"
    mapping.write_text("date_format: '%d/%m/%Y'\n", encoding="utf-8")
    whole = read_frame(path, mapping=mapping)
    assert whole.fallback is not None
    projected = read_frame(path, mapping=mapping, columns=COLUMNS)
    _same(projected, whole, COLUMNS)


def test_a_column_the_frame_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="no column 'hs_code'"):
        read_frame(DATA / "karachi-sample.csv", columns=["hs_code", "bl_number"])


def test_a_compacted_read_compacts_each_slice_as_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``compact`` is applied to each slice before the slices add up (so the read's peak
    is near the frame it returns), and the frame holds the same values."""
    from riskprofile.evaluation.shared import as_text, compact_history

    path, mapping = _calls_with_office(tmp_path)
    monkeypatch.setattr(_reader, "SLICE_RECORDS", 700)
    seen: list[int] = []

    def compact(frame: Any) -> Any:
        seen.append(frame.height)
        return compact_history(frame)

    plain = read_frame(path, mapping=mapping, columns=HISTORY_COLUMNS)
    compacted = read_frame(path, mapping=mapping, columns=HISTORY_COLUMNS, compact=compact)
    # Every slice, then the whole frame (a no-op on a frame it made).
    assert len(seen) > 2
    assert sum(seen[:-1]) == seen[-1] == plain.frame.height
    assert compacted.frame.schema["manifest_ref"] == pl.Categorical()
    assert compacted.frame.schema["hs_codes"] == pl.List(pl.Categorical())
    assert compacted.frame.schema["x_office"] == pl.Categorical()
    assert compacted.frame.schema["bl_number"] == pl.String  # one value a row: text
    # The reader's shipment ids and HS chapters, headings, subheadings: made again (in
    # the rows where they are as the reader makes them: most of them).
    assert compacted.frame.get_column("shipment_id").null_count() > plain.frame.height * 0.9
    assert compacted.frame.get_column("hs_headings").null_count() > plain.frame.height * 0.9
    assert as_text(compacted.frame).equals(plain.frame)
    assert compacted.rejected == plain.rejected


def test_a_read_not_in_slices_is_compacted_whole(tmp_path: Path) -> None:
    """Through the model path (a date format), ``compact`` is applied to the frame."""
    from riskprofile.evaluation.shared import as_text, compact_history

    path = tmp_path / "dated.csv"
    path.write_text(
        "bl_number,arrival,hs_code,origin_country\nB1,02/11/2026,851713,CN\n"
        "B2,03/11/2026,620342,VN\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "dated.yaml"
    mapping.write_text("date_format: '%d/%m/%Y'\n", encoding="utf-8")
    plain = read_frame(path, mapping=mapping, columns=COLUMNS)
    compacted = read_frame(path, mapping=mapping, columns=COLUMNS, compact=compact_history)
    assert compacted.fallback is not None
    assert compacted.frame.schema["hs_codes"] == pl.List(pl.Categorical())
    assert as_text(compacted.frame).equals(plain.frame)


def test_suggest_reads_its_history_compacted(tmp_path: Path) -> None:
    """``riskprofile suggest`` reads the history compacted (categoricals, the reader's
    shipment ids left out), its values the plain read's."""
    from riskprofile.cli._suggest import read_history
    from riskprofile.evaluation.shared import as_text

    path, mapping = _calls_with_office(tmp_path)
    plain = read_frame(path, mapping=mapping, columns=HISTORY_COLUMNS).frame
    held = read_history(str(path), str(mapping))
    assert isinstance(held, pl.DataFrame)
    assert held.schema["port_of_loading"] == pl.Categorical()
    assert held.get_column("shipment_id").null_count() > held.height * 0.9
    assert as_text(held).equals(plain)
