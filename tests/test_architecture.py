"""The layout's rules, read from the source with :mod:`ast` (nothing is imported):

- no import cycle among riskprofile's modules, counting the imports inside functions
  (an import under ``if TYPE_CHECKING:`` is for type checkers only and does not count)
  and the packages an import runs: importing ``a.b.c`` runs ``a/__init__`` and
  ``a/b/__init__`` first (those the importer is not already inside). A package's lazy
  re-export (PEP 562: a name imported under ``if TYPE_CHECKING:`` in its ``__init__``
  and loaded by its module-level ``__getattr__``) is an edge of whoever uses the name,
  to the module that defines it, not an edge of the package;
- no private name (``_x``) imported or used outside its package (a top-level module's
  outside the module): what two packages share has a public name in its home;
- no private module (``_x.py``, or any module under a ``_x`` package) imported from
  outside the package that holds it, under ``if TYPE_CHECKING:`` too: another part takes
  a package's names from the package or from its public modules (``shared``, ...). The
  root package's own private modules (``riskprofile._files``, ``_as_of``, ...) are the
  library's shared internals: every module is inside the root, so any may import them;
- no module over :data:`MAX_LINES` lines.

Each rule has an allow-list of what is still known to break it, naming who removes it.
An entry that no longer applies fails the test too, so the lists only shrink.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MAX_LINES = 800

# Known cycles, each as its sorted modules (a strongly connected component).
ALLOWED_CYCLES: set[tuple[str, ...]] = set()
# Private names used outside their package (a top-level module's: outside the module), as
# (importing module, home module, name).
ALLOWED_PRIVATE: set[tuple[str, str, str]] = set()
# Private modules imported from outside the package that holds them, as (importing
# module, private module).
ALLOWED_PRIVATE_MODULES: set[tuple[str, str]] = set()
# Modules over MAX_LINES lines ("splits" and "readers" are splitting them).
ALLOWED_LONG: set[str] = set()


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool

    @property
    def package(self) -> str:
        """The package the module belongs to (a package's ``__init__`` is its own)."""
        return self.name if self.is_package else self.name.rpartition(".")[0]

    @property
    def part(self) -> str:
        """The part of the library it is in: its first-level package (``io`` for
        ``riskprofile.io._frame._groups``), or itself for a top-level module."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]


@dataclass(frozen=True)
class Use:
    """A module's use of another module, or of a name in it."""

    importer: str
    home: str
    name: str | None
    line: int


def modules(root: Path = SRC) -> dict[str, Module]:
    found = {}
    for path in sorted((root / "riskprofile").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = Module(".".join(parts), path, is_package)
    return found


@functools.lru_cache(maxsize=1024)
def _parsed(text: str) -> ast.Module:
    """The syntax tree of a module's text, parsed once per text (the rules read each
    module several times; nothing changes a tree once parsed)."""
    return ast.parse(text)


@functools.lru_cache(maxsize=1024)
def _type_checking_only(tree: ast.AST) -> frozenset[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:`` (imports there do not run)."""
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in (
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        ):
            for statement in node.body:
                ids.update(id(n) for n in ast.walk(statement))
    return frozenset(ids)


def _loading_on_first_use(tree: ast.Module) -> set[int]:
    """The ids of the nodes of a module-level ``__getattr__`` or ``__dir__`` (PEP 562):
    in a package's ``__init__`` they load its lazy re-exports when a name is asked for."""
    ids: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in ("__getattr__", "__dir__"):
            ids.update(id(n) for n in ast.walk(node))
    return ids


def uses(
    module: Module, known: dict[str, Module], typed: bool = False, lazy: bool = True
) -> Iterator[Use]:
    """Every run-time import of a riskprofile module by ``module``, wherever it is (in
    a function too), and every ``alias._name`` on an imported riskprofile module; with
    ``typed``, the imports under ``if TYPE_CHECKING:`` too; without ``lazy``, not a
    package's loading of its lazy re-exports (its ``__getattr__``: see
    :func:`import_graph`)."""
    tree = _parsed(module.path.read_text(encoding="utf-8"))
    skipped = set() if typed else set(_type_checking_only(tree))
    if not lazy and module.is_package:
        skipped |= _loading_on_first_use(tree)
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.package.split(".")
                base = base[: len(base) - node.level + 1]
                home = ".".join([*base, *([node.module] if node.module else [])])
            else:
                home = node.module or ""
            if home.split(".")[0] != "riskprofile":
                continue
            for alias in node.names:
                submodule = f"{home}.{alias.name}"
                if submodule in known:
                    aliases[alias.asname or alias.name] = submodule
                    yield Use(module.name, submodule, None, node.lineno)
                else:
                    yield Use(module.name, home, alias.name, node.lineno)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "riskprofile":
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    yield Use(module.name, alias.name, None, node.lineno)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or id(node) in skipped:
            continue
        if isinstance(node.value, ast.Name) and node.value.id in aliases:
            yield Use(module.name, aliases[node.value.id], node.attr, node.lineno)
        elif isinstance(node.value, ast.Attribute) and ast.unparse(node.value) in known:
            # ``import riskprofile.scoring`` then ``riskprofile.scoring._unit_key``
            yield Use(module.name, ast.unparse(node.value), node.attr, node.lineno)


def lazy_names(module: Module, known: dict[str, Module]) -> dict[str, str]:
    """A package's lazy re-exports: each name its ``__init__`` imports under ``if
    TYPE_CHECKING:`` (for type checkers) and loads in a module-level ``__getattr__`` on
    first use, with the module it is imported from. Empty for a package without
    ``__getattr__`` (its type-checking imports are for annotations only)."""
    if not module.is_package:
        return {}
    tree = _parsed(module.path.read_text(encoding="utf-8"))
    if not any(
        isinstance(node, ast.FunctionDef) and node.name == "__getattr__" for node in tree.body
    ):
        return {}
    run = {(use.home, use.name) for use in uses(module, known, lazy=False)}
    return {
        use.name: use.home
        for use in uses(module, known, typed=True, lazy=False)
        if use.name is not None and (use.home, use.name) not in run
    }


def packages_run(name: str, importer: str) -> list[str]:
    """The packages whose ``__init__`` importing ``name`` runs for ``importer``: each
    package above ``name``, but not those ``importer`` is inside (Python ran them before
    ``importer``)."""
    parts = name.split(".")
    above = [".".join(parts[:i]) for i in range(1, len(parts))]
    return [p for p in above if p != importer and not importer.startswith(p + ".")]


def import_graph(known: dict[str, Module]) -> dict[str, set[str]]:
    """Which modules each module makes Python run: what it imports (in a function too),
    the packages above those, and for a name a package re-exports lazily, the module
    that defines it (see :func:`lazy_names`)."""
    lazy = {name: lazy_names(module, known) for name, module in known.items()}
    graph: dict[str, set[str]] = {name: set() for name in known}
    for module in known.values():
        for use in uses(module, known, lazy=False):
            home, name = use.home, use.name
            while home in known:
                for run in [*packages_run(home, module.name), home]:
                    if run != module.name:
                        graph[module.name].add(run)
                if name is None or name not in lazy[home] or lazy[home][name] == home:
                    break
                home = lazy[home][name]
    return graph


def cycles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.add(tuple(sorted(component)))
    return found


def private_uses(known: dict[str, Module]) -> set[tuple[str, str, str]]:
    """``(importer, home, name)`` for each private name a module takes from a module
    outside its package: a name of ``engines.columnar._masks`` is the columnar engine's,
    not the SQL engine's; a name of a top-level module (``scoring._unit_key``) or of the
    root package is that module's alone. Dunders such as ``__version__`` are not
    private."""
    found = set()
    for module in known.values():
        for use in uses(module, known):
            name = use.name
            if name is None or not name.startswith("_") or name.startswith("__"):
                continue
            home = known.get(use.home)
            if home is None or module.name == home.name:
                continue
            holder = home.package
            inside = module.name == holder or module.name.startswith(holder + ".")
            if holder == "riskprofile" or not inside:
                found.add((module.name, use.home, name))
    return found


def private_holder(name: str) -> str | None:
    """The package a private module is private to, the one that holds its last private
    part: ``riskprofile.io._frame`` for ``riskprofile.io._frame._groups``,
    ``riskprofile.io`` for ``riskprofile.io._frame`` and ``riskprofile.io._frame.shared``,
    ``riskprofile`` for ``riskprofile._files``; ``None`` for a public module."""
    parts = name.split(".")
    private = [
        i for i, part in enumerate(parts) if part.startswith("_") and not part.startswith("__")
    ]
    return ".".join(parts[: private[-1]]) if private else None


def private_module_uses(known: dict[str, Module]) -> set[tuple[str, str]]:
    """``(importer, private module)`` for each import of a private module from outside the
    package it is private to (under ``if TYPE_CHECKING:`` too)."""
    found = set()
    for module in known.values():
        for use in uses(module, known, typed=True):
            holder = private_holder(use.home)
            if holder is None or use.home not in known:
                continue
            if module.name != holder and not module.name.startswith(holder + "."):
                found.add((module.name, use.home))
    return found


def long_modules(known: dict[str, Module], root: Path = SRC) -> set[str]:
    return {
        m.path.relative_to(root).as_posix()
        for m in known.values()
        if len(m.path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    }


def test_no_import_cycle() -> None:
    found = cycles(import_graph(modules()))
    assert found - ALLOWED_CYCLES == set(), "import cycles (imports in functions count)"
    assert ALLOWED_CYCLES - found == set(), "gone from the source: remove from ALLOWED_CYCLES"


def test_no_private_name_across_packages() -> None:
    found = private_uses(modules())
    assert found - ALLOWED_PRIVATE == set(), (
        "private names used across packages: give each a public name in its home"
    )
    assert ALLOWED_PRIVATE - found == set(), "gone from the source: remove from ALLOWED_PRIVATE"


def test_no_private_module_across_packages() -> None:
    found = private_module_uses(modules())
    assert found - ALLOWED_PRIVATE_MODULES == set(), (
        "private modules imported from outside their package: import the package or its "
        "shared module (give the name a place there)"
    )
    assert ALLOWED_PRIVATE_MODULES - found == set(), (
        "gone from the source: remove from ALLOWED_PRIVATE_MODULES"
    )


def _all_of(path: Path) -> set[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__":
            return set(ast.literal_eval(node.value))
    return set()


# Names a shared module repeats from its package's __all__, with why (none today: the
# last ones were there to step round an import cycle, gone since).
ALLOWED_TWO_DOORS: dict[str, set[str]] = {}


def test_a_shared_module_repeats_nothing_of_its_package() -> None:
    """One name, one door: a package's ``shared`` module holds what its ``__all__`` does
    not (see docs/architecture.md, "Each package's doors")."""
    found = {}
    for path in sorted((SRC / "riskprofile").rglob("shared.py")):
        both = _all_of(path) & _all_of(path.with_name("__init__.py"))
        if both:
            found[".".join(path.relative_to(SRC).with_suffix("").parts)] = both
    assert found == ALLOWED_TWO_DOORS


def test_no_module_over_max_lines() -> None:
    found = long_modules(modules())
    assert found - ALLOWED_LONG == set(), f"modules over {MAX_LINES} lines: split them by job"
    assert ALLOWED_LONG - found == set(), "now short enough: remove from ALLOWED_LONG"


# --- the checks check: each finds what it is for ------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Module]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return modules(tmp_path)


def test_a_cycle_through_an_import_in_a_function_is_found(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "riskprofile/__init__.py": "",
            "riskprofile/a.py": "from riskprofile.b import x\n",
            "riskprofile/b.py": "def x():\n    from riskprofile import a\n",
            "riskprofile/c.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from riskprofile.a import y\n"
            ),
            "riskprofile/d.py": "from riskprofile.c import z\n",
        },
    )
    assert cycles(import_graph(known)) == {("riskprofile.a", "riskprofile.b")}


def test_a_type_checking_import_makes_no_cycle(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "riskprofile/__init__.py": "",
            "riskprofile/a.py": "from riskprofile.b import x\n",
            "riskprofile/b.py": (
                "import typing\nif typing.TYPE_CHECKING:\n    from riskprofile.a import y\n"
            ),
        },
    )
    assert cycles(import_graph(known)) == set()


def test_a_cycle_through_a_package_init_is_found(tmp_path: Path) -> None:
    """Importing ``history.shared`` runs ``history/__init__`` first: its re-export of the
    store closes the cycle, although no module imports the package by name."""
    known = _tree(
        tmp_path,
        {
            "riskprofile/__init__.py": "",
            "riskprofile/history/__init__.py": "from riskprofile.history._store import S\n",
            "riskprofile/history/_store.py": "def f():\n    from riskprofile import scoring\n",
            "riskprofile/history/shared.py": "",
            "riskprofile/scoring.py": "from riskprofile.history.shared import x\n",
            # inside its own package: Python ran history/__init__ before it
            "riskprofile/history/_join.py": "from riskprofile.history.shared import x\n",
        },
    )
    assert cycles(import_graph(known)) == {
        ("riskprofile.history", "riskprofile.history._store", "riskprofile.scoring")
    }


LAZY_INIT = """from typing import TYPE_CHECKING, Any
from riskprofile.history._join import J
if TYPE_CHECKING:
    from riskprofile.history._store import S
def __getattr__(name: str) -> Any:
    if name == "S":
        from riskprofile.history import _store
        return _store.S
    raise AttributeError(name)
"""


def test_a_lazy_re_export_is_an_edge_of_its_user(tmp_path: Path) -> None:
    """A name loaded by the package's ``__getattr__`` is no edge of the package: whoever
    asks for it runs the module that defines it."""
    files = {
        "riskprofile/__init__.py": "",
        "riskprofile/history/__init__.py": LAZY_INIT,
        "riskprofile/history/_join.py": "J = 1\n",
        "riskprofile/history/_store.py": "def f():\n    from riskprofile import scoring\n",
        "riskprofile/history/shared.py": "",
        "riskprofile/scoring.py": "from riskprofile.history.shared import x\n",
    }
    known = _tree(tmp_path, files)
    assert lazy_names(known["riskprofile.history"], known) == {"S": "riskprofile.history._store"}
    assert import_graph(known)["riskprofile.history"] == {"riskprofile.history._join"}
    assert cycles(import_graph(known)) == set()
    # scoring asking for the lazy name closes the cycle again, through the store
    files["riskprofile/scoring.py"] = "from riskprofile.history import S\n"
    assert cycles(import_graph(_tree(tmp_path, files))) == {
        ("riskprofile.history._store", "riskprofile.scoring")
    }


def loaded_undeclared(known: dict[str, Module]) -> set[tuple[str, str]]:
    """``(package, module)`` for each riskprofile module a package's ``__getattr__``
    imports that is the home of none of its lazy names: the cycle test would not see the
    names it loads."""
    found = set()
    for module in known.values():
        homes = set(lazy_names(module, known).values())
        loading = set(uses(module, known)) - set(uses(module, known, lazy=False))
        found |= {(module.name, u.home) for u in loading if u.home not in homes}
    return found


def test_every_lazy_re_export_is_declared_for_type_checkers() -> None:
    assert loaded_undeclared(modules()) == set()


def test_an_undeclared_lazy_re_export_is_found(tmp_path: Path) -> None:
    init = LAZY_INIT.replace("    from riskprofile.history._store import S\n", "    pass\n")
    known = _tree(
        tmp_path,
        {
            "riskprofile/__init__.py": "",
            "riskprofile/history/__init__.py": init,
            "riskprofile/history/_join.py": "J = 1\n",
            "riskprofile/history/_store.py": "S = 1\n",
        },
    )
    assert loaded_undeclared(known) == {("riskprofile.history", "riskprofile.history._store")}


def test_private_names_across_packages_are_found(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "riskprofile/__init__.py": "",
            "riskprofile/scoring.py": "def _unit_key(): ...\n",
            "riskprofile/_clock.py": "",
            "riskprofile/evaluation/__init__.py": "",
            "riskprofile/evaluation/_a.py": "from riskprofile.scoring import _unit_key\n",
            "riskprofile/evaluation/deep/__init__.py": "",
            "riskprofile/evaluation/deep/_c.py": "from riskprofile.scoring import _unit_key\n",
            "riskprofile/evaluation/_b.py": (
                "from riskprofile import scoring\nscoring._unit_key()\n"
                "from riskprofile.evaluation._a import _x\n"  # same part: allowed
                "from riskprofile.evaluation.deep._c import _y\n"  # a subpackage's: its own
                "from riskprofile import __version__\n"  # a dunder is not private
            ),
            "riskprofile/selection.py": "from riskprofile._clock import now\n",  # public name
            "riskprofile/output.py": (
                "import riskprofile.scoring\nriskprofile.scoring._unit_key()\n"
            ),
            "riskprofile/engines/__init__.py": "",
            "riskprofile/engines/columnar/__init__.py": "from ._masks import _patched\n",
            "riskprofile/engines/columnar/_masks.py": "def _patched(): ...\n",
            "riskprofile/engines/columnar/_score.py": (
                "from riskprofile.engines.columnar._masks import _patched\n"  # its package
            ),
            "riskprofile/engines/sql/__init__.py": "",
            "riskprofile/engines/sql/_run.py": (
                "from riskprofile.engines.columnar._masks import _patched\n"  # another one
                "from riskprofile import _seen\n"  # the root package's own
            ),
        },
    )
    assert private_uses(known) == {
        ("riskprofile.engines.sql._run", "riskprofile.engines.columnar._masks", "_patched"),
        ("riskprofile.engines.sql._run", "riskprofile", "_seen"),
        ("riskprofile.output", "riskprofile.scoring", "_unit_key"),
        ("riskprofile.evaluation._b", "riskprofile.evaluation.deep._c", "_y"),
        ("riskprofile.evaluation._a", "riskprofile.scoring", "_unit_key"),
        ("riskprofile.evaluation._b", "riskprofile.scoring", "_unit_key"),
        ("riskprofile.evaluation.deep._c", "riskprofile.scoring", "_unit_key"),
    }


def test_private_modules_across_packages_are_found(tmp_path: Path) -> None:
    known = _tree(
        tmp_path,
        {
            "riskprofile/__init__.py": "",
            "riskprofile/_files.py": "",
            "riskprofile/model/__init__.py": "from riskprofile.model._base import A\n",
            "riskprofile/model/_base.py": "A = 1\n",
            "riskprofile/model/shared.py": "from riskprofile.model._base import A\n",
            "riskprofile/model/manifest.py": "from riskprofile.model._base import A\n",
            "riskprofile/io/__init__.py": "",
            "riskprofile/io/_frame/__init__.py": "",
            "riskprofile/io/_frame/_groups.py": "from riskprofile.io._frame._values import B\n",
            "riskprofile/io/_frame/_values.py": "B = 2\n",
            "riskprofile/io/_json.py": (
                "from riskprofile.model._base import A\n"  # another package's: refused
                "from riskprofile.model import A\n"  # its package: fine
                "from riskprofile.model.shared import A\n"  # its shared module: fine
                "from riskprofile._files import read\n"  # the root's: fine
                "from riskprofile.io._frame import groups\n"  # io's own private package
            ),
            "riskprofile/io/edifact/__init__.py": "",
            "riskprofile/io/edifact/_rows.py": (
                "from riskprofile.io._frame._values import B\n"  # _frame's, not edifact's
                "from riskprofile.io import _json\n"  # io's: edifact is in io
            ),
            "riskprofile/engines/__init__.py": "",
            "riskprofile/engines/rowwise.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from riskprofile.model import _base\n"
                "def f():\n    import riskprofile.io._json\n"
            ),
        },
    )
    assert private_module_uses(known) == {
        ("riskprofile.io._json", "riskprofile.model._base"),
        ("riskprofile.io.edifact._rows", "riskprofile.io._frame._values"),
        ("riskprofile.engines.rowwise", "riskprofile.model._base"),
        ("riskprofile.engines.rowwise", "riskprofile.io._json"),
    }


@pytest.mark.parametrize(("lines", "long"), [(MAX_LINES, False), (MAX_LINES + 1, True)])
def test_long_modules_are_found(tmp_path: Path, lines: int, long: bool) -> None:
    known = _tree(tmp_path, {"riskprofile/__init__.py": "", "riskprofile/m.py": "x\n" * lines})
    assert long_modules(known, tmp_path) == ({"riskprofile/m.py"} if long else set())
