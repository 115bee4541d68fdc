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


def _lazy_packages() -> list[str]:
    """The packages whose ``__init__`` loads names on first use (PEP 562)."""
    src = Path(riskprofile.__file__).resolve().parents[1]
    found = []
    for path in sorted((src / "riskprofile").rglob("__init__.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body):
            found.append(".".join(path.parent.relative_to(src).parts))
    return found


@pytest.mark.parametrize("package", _lazy_packages())
def test_a_lazy_package_gives_every_name_of_its_all(package: str) -> None:
    """A name a package loads on first use is there when asked for (``from package
    import name``), and ``dir()`` lists it, as an eager re-export would be."""
    import importlib

    module = importlib.import_module(package)
    assert {"riskprofile", "riskprofile.history", "riskprofile.io._frame"} <= set(_lazy_packages())
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"
    assert set(module.__all__) <= set(dir(module))
