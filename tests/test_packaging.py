"""What a plain ``pip install riskprofile`` brings: the columnar path is not optional.

``riskprofile score`` and every file-level command read and score batches column-wise
(polars, and pyarrow for Parquet), so both are core dependencies; the old extras stay, empty,
so that install commands written for earlier versions still work.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _project() -> dict[str, object]:
    data = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    project: dict[str, object] = data["project"]
    return project


def _names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {re.split(r"[<>=!~\[; ]", str(r), maxsplit=1)[0].lower() for r in requirements}


def test_polars_and_pyarrow_are_core_dependencies() -> None:
    assert {"polars", "pyarrow"} <= _names(_project()["dependencies"])


def test_the_old_extras_still_install_and_add_nothing() -> None:
    extras = _project()["optional-dependencies"]
    assert isinstance(extras, dict)
    assert extras["columnar"] == []
    assert extras["parquet"] == []
