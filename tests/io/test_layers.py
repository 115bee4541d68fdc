"""The reading layer sits on the data model: ``riskprofile.io`` imports nothing above it.

The shipment frame (``riskprofile.model.frame``) is the data layer's columnar form of
:class:`~riskprofile.Shipment`; the reader builds it and the columnar engine evaluates
it, and neither imports the other. (Imports inside functions count too: they hide a
dependency, they do not remove it.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import riskprofile

SRC = Path(riskprofile.__file__).parent

# What each lower layer may import from riskprofile (besides itself).
ALLOWED = {
    "model": {"riskprofile.errors"},
    # riskprofile._files and riskprofile._fork are leaves (they import only errors): the
    # regular-file reader, and the check that Polars is not used in an unsafe fork.
    # riskprofile._allocator is a leaf too (Polars' allocator options, set before it loads).
    "io": {
        "riskprofile.errors",
        "riskprofile._files",
        "riskprofile._fork",
        "riskprofile._allocator",
        "riskprofile.model",
    },
}


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every ``riskprofile`` module a file imports, with its line."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        out += [(node.lineno, n) for n in names if n.split(".")[0] == "riskprofile"]
    return out


def _top(module: str) -> str:
    return ".".join(module.split(".")[:2])


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_lower_layer_imports_nothing_above_it(layer: str) -> None:
    allowed = ALLOWED[layer] | {f"riskprofile.{layer}"}
    wrong = [
        f"{path.relative_to(SRC)}:{line}: imports {module}"
        for path in sorted((SRC / layer).rglob("*.py"))
        for line, module in _imports(path)
        if _top(module) not in allowed
    ]
    assert wrong == []


def test_the_frame_schema_lives_in_the_data_layer() -> None:
    from riskprofile.engines import columnar
    from riskprofile.model import frame

    # The engine re-exports the data layer's frame, it does not own a copy.
    assert columnar.shipment_frame is frame.shipment_frame
    assert columnar.frame_schema is frame.frame_schema
    assert columnar.shipments_of_frame is frame.shipments_of_frame


def _module(path: Path) -> tuple[str, str]:
    """A source file's module and the package it belongs to."""
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        name = ".".join(parts[:-1])
        return name, name
    name = ".".join(parts)
    return name, name.rsplit(".", 1)[0]


def _package_of(module: str) -> str:
    path = SRC.parent.joinpath(*module.split("."))
    return module if path.is_dir() else module.rsplit(".", 1)[0]


def test_no_private_name_crosses_into_or_out_of_io() -> None:
    """A private name (``_x``) is imported only within its own package: io's modules
    take none from another package, and no other package takes one of io's."""
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        _name, package = _module(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
                continue
            if node.module.split(".")[0] != "riskprofile":
                continue
            source = _package_of(node.module)
            involves_io = "riskprofile.io" in (_top(package), _top(source))
            for alias in node.names:
                if alias.name.startswith("_") and source != package and involves_io:
                    wrong.append(
                        f"{path.relative_to(SRC)}:{node.lineno}: {node.module}.{alias.name}"
                    )
    assert wrong == []
