"""The public surface: what ``import riskprofile`` offers, and nothing private."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import riskprofile

REQUIRED = {
    "Manifest",
    "Consignment",
    "Container",
    "GoodsItem",
    "Party",
    "Shipment",
    "read_batch",
}


def test_all_is_sorted_and_complete() -> None:
    assert riskprofile.__all__ == sorted(riskprofile.__all__)
    assert set(riskprofile._MODULE_OF) == set(riskprofile.__all__) - {"__version__"}
    assert set(dir(riskprofile)) >= set(riskprofile.__all__)


def test_the_lazy_table_matches_the_typed_imports() -> None:
    """The names a type checker sees (the TYPE_CHECKING imports) are the ones that load."""
    tree = ast.parse(Path(riskprofile.__file__).read_text(encoding="utf-8"))
    [guard] = [node for node in tree.body if isinstance(node, ast.If)]
    typed = {
        alias.name: node.module.removeprefix("riskprofile.")
        for node in guard.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    assert typed == riskprofile._MODULE_OF


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Scorer'"):
        riskprofile.Scorer  # noqa: B018


_CLI = "from riskprofile.cli import main\ntry:\n    main(['{}'])\nexcept SystemExit:\n    pass"
HEAVY = ("pydantic", "rule_engine", "polars", "pyarrow", "yaml", "cryptography")


@pytest.mark.parametrize(
    "code",
    [
        "import riskprofile",
        _CLI.format("--help"),
        _CLI.format("--version"),
    ],
    ids=["import", "--help", "--version"],
)
def test_startup_loads_nothing_heavy(code: str) -> None:
    """`import riskprofile` and `riskprofile --help` stay fast by importing no heavy
    library (measured in benchmarks/startup.py; asserted here by what is loaded, not by
    time)."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_required_names_are_importable() -> None:
    assert set(riskprofile.__all__) >= REQUIRED
    for name in riskprofile.__all__:
        assert getattr(riskprofile, name) is not None


def test_only_number_is_required_for_a_container() -> None:
    box = riskprofile.Container.model_validate({"number": "CSQU3054383"})
    assert box.number == "CSQU3054383"
    assert box.quality_flags == []
