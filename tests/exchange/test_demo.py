"""The example script runs end to end: the partner's run selects the warned container."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_exchange_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location(
        "exchange_demo", ROOT / "examples" / "exchange_demo.py"
    )
    assert spec is not None
    assert spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    assert demo.main(tmp_path) == 0
    out = capsys.readouterr().out
    assert "KZ-AKT: verified warning pk-khi-2026-0001.KZ-AKT from PK-KHI" in out
    assert "KZ-AKT: selected" in out
    assert "partner warning on container" in out
    assert "warned by PK-KHI" in out
