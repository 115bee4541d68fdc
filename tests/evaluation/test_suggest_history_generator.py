"""The seeded declaration history of ``benchmarks/suggest_memory.py`` is written in chunks
(a 10-million history does not fit in memory at once), and the chunks change nothing: the
same seed gives the same bytes whatever the chunk size."""

from __future__ import annotations

import functools
import importlib.util
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.depth import depth

# numpy is the generator's own requirement, not riskprofile's.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("numpy") is None, reason="the generator needs numpy"
)

_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "suggest_memory.py"


@functools.cache
def _generator() -> ModuleType:
    """The benchmark script as a module (loaded by the first test that needs it)."""
    spec = importlib.util.spec_from_file_location("suggest_memory_bench", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _files(declarations: int, seed: int, chunk: int, folder: Path) -> tuple[bytes, bytes]:
    batch, outcomes = _generator().write_history(declarations, folder, seed=seed, chunk=chunk)
    return batch.read_bytes(), outcomes.read_bytes()


@settings(max_examples=depth(20))
@given(
    declarations=st.integers(1, 2_500),
    seed=st.integers(0, 2**32),
    chunks=st.tuples(st.integers(1, 20), st.integers(1, 20)),
    row_group=st.integers(1, 3_000),
)
def test_same_bytes_whatever_the_chunk_size(
    declarations: int, seed: int, chunks: tuple[int, int], row_group: int
) -> None:
    # Chunks of a twentieth of the history up to the whole of it, and beyond.
    sizes = [max(1, declarations * k // 20) + (k == 20) for k in chunks]
    generator = _generator()
    original = generator.ROW_GROUP
    generator.ROW_GROUP = row_group
    try:
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as other:
            first = _files(declarations, seed, sizes[0], Path(one))
            second = _files(declarations, seed, sizes[1], Path(other))
    finally:
        generator.ROW_GROUP = original
    assert first == second


def test_a_row_is_drawn_from_its_number(tmp_path: Path) -> None:
    # A declaration's draws depend on the seed and its number alone, not on the rows
    # drawn before it: a history is the start of a longer one (but for the days, spread
    # over its length, and what they decide), and another seed draws another history.
    import polars as pl

    drawn = ["bl_number", "hs_code", "origin_country", "port_of_loading", "consignee_name",
             "tax_type", "customs_office", "declarant_name", "value"]  # fmt: skip
    read = {}
    for name, count, seed in (("short", 300, 5), ("long", 700, 5), ("other", 300, 6)):
        folder = tmp_path / name
        folder.mkdir()
        batch, _ = _generator().write_history(count, folder, seed=seed, chunk=128)
        read[name] = pl.read_parquet(batch).select(drawn)
    assert read["short"].equals(read["long"].head(300))
    assert not read["short"].drop("bl_number").equals(read["other"].drop("bl_number"))
