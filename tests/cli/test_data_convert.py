"""``riskprofile data convert``: each conversion path writes the bytes the model path
writes (``write_*`` of the manifests ``read_manifests`` gives, gathered), and a flat
file's manifests are written as they are read, never gathered first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from riskprofile.cli import main
from riskprofile.io import read_manifests, write_csv, write_json, write_parquet
from riskprofile.io._cells import CsvWriter
from riskprofile.io._table import TableReader
from riskprofile.synth import generate_manifests

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
    assert main(["data", "convert", str(batches[".csv"]), str(tmp_path / f"o{target}")]) == 0
    assert events.count("read") >= 3
    last_read = len(events) - 1 - events[::-1].index("read")
    assert "write" in events[:last_read]
