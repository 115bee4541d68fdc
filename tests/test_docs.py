"""The documentation must not drift from the code.

- ``docs/fields.md`` is exactly what ``riskprofile fields`` generates;
- the flat-layout table in ``docs/input.md`` is exactly ``render_layout()``;
- every public name has a docstring;
- every Python example in ``docs/*.md`` written as ``>>>`` lines runs as a doctest, from
  the repository root (so paths like ``examples/data/...`` work).
"""

from __future__ import annotations

import ast
import dataclasses
import doctest
import importlib
import inspect
import itertools
import pkgutil
import re
from pathlib import Path

import pytest

import riskprofile
from riskprofile.io import render_layout
from riskprofile.model.shipment import render_field_catalogue

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LAYOUT_START = "<!-- layout:start -->"
LAYOUT_END = "<!-- layout:end -->"

# A fenced block: ``` or ~~~ with an optional language, up to the matching fence.
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<lang>[\w+-]*)[^\n]*\n"
    r"(?P<body>.*?)"
    r"^(?P=indent)(?P=fence)[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_PYTHON = {"python", "py", "pycon", "python3"}


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def test_docs_exist() -> None:
    names = {p.name for p in _pages()}
    assert {"index.md", "data-model.md", "input.md", "cli.md", "fields.md"} <= names


def test_fields_page_is_generated_from_the_code() -> None:
    page = (DOCS / "fields.md").read_text(encoding="utf-8")
    assert page == render_field_catalogue(), (
        "docs/fields.md is stale: run `riskprofile fields -o docs/fields.md`"
    )


def test_layout_table_matches_the_code() -> None:
    page = (DOCS / "input.md").read_text(encoding="utf-8")
    assert page.count(LAYOUT_START) == 1
    assert page.count(LAYOUT_END) == 1
    between = page.split(LAYOUT_START, 1)[1].split(LAYOUT_END, 1)[0]
    assert between.strip("\n") == render_layout().strip("\n"), (
        "the layout table in docs/input.md is stale: paste the output of "
        "`python -c 'from riskprofile.io import render_layout; print(render_layout())'`"
    )


# --- docstrings ----------------------------------------------------------------------------

PUBLIC = sorted(set(riskprofile.__all__) - {"__version__"})

# Constants and type aliases cannot carry a runtime docstring; the convention is a string
# literal right after the assignment. These still lack one (xfail is strict: the marker
# must go when the docstring arrives).
MISSING_ATTRIBUTE_DOCSTRINGS: set[str] = set()


def _attribute_docstring(name: str) -> str | None:
    """The string literal right after ``name = ...`` in any riskprofile module."""
    modules = [riskprofile.__name__] + [
        info.name
        for info in pkgutil.walk_packages(riskprofile.__path__, prefix="riskprofile.")
        # The command line and ``python -m riskprofile`` run on import.
        if not info.name.startswith("riskprofile.cli") and not info.name.endswith("__main__")
    ]
    for module_name in modules:
        try:
            source = inspect.getsource(importlib.import_module(module_name))
        except (OSError, TypeError):  # a namespace package has no source
            continue
        body = ast.parse(source).body
        for node, after in itertools.pairwise(body):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                targets = list(node.targets)
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            if not any(isinstance(t, ast.Name) and t.id == name for t in targets):
                continue
            if (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
                and after.value.value.strip()
            ):
                return after.value.value
    return None


def _docstring(name: str) -> str | None:
    obj = getattr(riskprofile, name)
    if inspect.isclass(obj):
        # A class's own docstring only: __doc__ is not inherited through __dict__.
        doc = obj.__dict__.get("__doc__")
    elif inspect.isroutine(obj):
        doc = obj.__doc__
    else:
        doc = _attribute_docstring(name)
    return doc if doc and doc.strip() else None


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                reason="no attribute docstring yet", raises=AssertionError, strict=True
            ),
        )
        if name in MISSING_ATTRIBUTE_DOCSTRINGS
        else name
        for name in PUBLIC
    ],
)
def test_public_name_has_a_docstring(name: str) -> None:
    assert _docstring(name), f"riskprofile.{name} has no docstring"


# --- examples in the pages -----------------------------------------------------------------


def _doctest_blocks(page: Path) -> list[tuple[int, str]]:
    """Python blocks of a page that start with ``>>>``, with the line each starts on."""
    text = page.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(text):
        if match.group("lang").lower() not in _PYTHON:
            continue
        body = match.group("body")
        indent = match.group("indent")
        lines = [line.removeprefix(indent) for line in body.splitlines()]
        first = next((line for line in lines if line.strip()), "")
        if not first.lstrip().startswith(">>>"):
            continue
        start_line = text.count("\n", 0, match.start("body"))  # 0-based line of the body
        blocks.append((start_line, "\n".join(lines) + "\n"))
    return blocks


PAGES_WITH_EXAMPLES = [p for p in _pages() if _doctest_blocks(p)]


def test_some_pages_have_examples() -> None:
    assert PAGES_WITH_EXAMPLES, "no >>> examples found in docs/*.md"


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=lambda p: p.name)
def test_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Paths in the examples are relative to the repository root.
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    globs: dict[str, object] = {"__name__": f"docs.{page.stem}"}
    report: list[str] = []
    name = str(page.relative_to(ROOT))
    # The blocks of one page share their names, as a reader going down the page would.
    for line, block in _doctest_blocks(page):
        test = parser.get_doctest(block, globs, name, name, line)
        runner.run(test, out=report.append, clear_globs=False)
        globs.update(test.globs)  # DocTest works on a copy
    assert runner.failures == 0, "".join(report)


# --- command output shown in the pages -----------------------------------------------------

EXAMPLE = [
    "data",
    "check",
    "examples/data/customs-export.csv",
    "--mapping",
    "examples/mappings/customs-export.yaml",
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from riskprofile.cli import main

    try:
        code = main(argv)
    except SystemExit as exc:  # --help and --version exit through argparse
        code = exc.code if isinstance(exc.code, int) else 1
    return code, capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "exit_code", "pages"),
    [
        ([], 0, ["input.md", "cli.md"]),
        (["--strict"], 1, ["input.md", "cli.md"]),
        (["--format", "json"], 0, ["cli.md"]),
    ],
    ids=["lenient", "strict", "json"],
)
def test_worked_example_output_is_current(
    extra: list[str],
    exit_code: int,
    pages: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    code, out = _run(EXAMPLE + extra, capsys)
    assert code == exit_code
    for name in pages:
        assert out in (DOCS / name).read_text(encoding="utf-8"), (
            f"docs/{name} shows stale output of `riskprofile {' '.join(EXAMPLE + extra)}`"
        )


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["score", "--help"],
        ["evaluate", "--help"],
        ["data", "check", "--help"],
        ["data", "generate", "--help"],
        ["schema", "--help"],
        ["fields", "--help"],
        ["profiles", "engines", "--help"],
    ],
    ids=" ".join,
)
def test_cli_help_in_docs_is_current(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # argparse wraps help to the terminal width; the page was made at 80 columns.
    monkeypatch.setenv("COLUMNS", "80")
    code, out = _run(argv, capsys)
    assert code == 0
    assert out in (DOCS / "cli.md").read_text(encoding="utf-8"), (
        f"docs/cli.md shows stale `riskprofile {' '.join(argv)}` output"
    )


# --- the API reference ---------------------------------------------------------------------
#
# docs/reference/*.md render the public packages with mkdocstrings (`mkdocs build
# --strict` in CI fails on a broken docstring or link); docs/reference/index.md lists
# every name of `riskprofile.__all__` with the page that documents it.

REFERENCE = DOCS / "reference"
API_START = "<!-- api:start -->"
API_END = "<!-- api:end -->"
# Reference page -> the packages it renders, in the order they are searched for a name.
REFERENCE_PAGES = {
    "model.md": ["riskprofile.model"],
    "io.md": ["riskprofile.io"],
    "profiles.md": ["riskprofile.profiles"],
    "scoring.md": ["riskprofile.scoring", "riskprofile.selection", "riskprofile.output"],
    "evaluation.md": ["riskprofile.evaluation"],
    "columnar.md": ["riskprofile.engines.columnar"],
    "exchange.md": ["riskprofile.exchange"],
    "synth.md": ["riskprofile.synth"],
    "errors.md": ["riskprofile.errors"],
}


def _reference_home(name: str) -> tuple[str, str]:
    """The reference page and package that document ``riskprofile.<name>``."""
    for page, modules in REFERENCE_PAGES.items():
        for module in modules:
            if name in importlib.import_module(module).__all__:
                return page, module
    raise AssertionError(f"riskprofile.{name} is on no reference page")


def render_api_table() -> str:
    """The table of docs/reference/index.md: each public name, what it is (the first
    line of its docstring) and where it is documented."""
    rows = ["| name | what | documented in |", "| --- | --- | --- |"]
    for name in PUBLIC:
        page, module = _reference_home(name)
        first = inspect.cleandoc(_docstring(name) or "").split("\n\n")[0]
        summary = " ".join(first.split()).split(". ")[0].rstrip(".")
        summary = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", summary).replace("``", "`")
        summary = summary.replace("|", "\\|")
        rows.append(f"| [`{name}`]({page}#{module}.{name}) | {summary} | {page[:-3]} |")
    return "\n".join(rows) + "\n"


def test_reference_pages_render_every_public_package() -> None:
    for page, modules in REFERENCE_PAGES.items():
        text = (REFERENCE / page).read_text(encoding="utf-8")
        for module in modules:
            assert f"::: {module}\n" in text, f"docs/reference/{page} does not render {module}"
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in [*sorted(p.name for p in DOCS.glob("*.md")), "reference/index.md"]:
        assert page in nav, f"{page} is not in the mkdocs.yml nav"
    for page in REFERENCE_PAGES:
        assert f"reference/{page}" in nav, f"reference/{page} is not in the mkdocs.yml nav"


def test_reference_index_lists_the_public_api() -> None:
    page = (REFERENCE / "index.md").read_text(encoding="utf-8")
    between = page.split(API_START, 1)[1].split(API_END, 1)[0]
    assert between.strip("\n") == render_api_table().strip("\n"), (
        "docs/reference/index.md is stale: run `python tests/test_docs.py --update`"
    )


def update_reference_index() -> None:
    """Rewrite the table of docs/reference/index.md."""
    path = REFERENCE / "index.md"
    page = path.read_text(encoding="utf-8")
    head, rest = page.split(API_START, 1)
    tail = rest.split(API_END, 1)[1]
    path.write_text(f"{head}{API_START}\n{render_api_table()}{API_END}{tail}", encoding="utf-8")


# --- every command shown in docs/cli.md, run -----------------------------------------------
#
# A ```text block whose first line is `$ riskprofile ...` shows commands and what they
# print: each is run (from a copy of examples/, so that commands that write files write
# there) and its standard output must be what the page shows; `...` stands for any
# text (doctest's ELLIPSIS). `$ echo $?` after a command gives its exit code. A block
# after `<!-- docs-check: skip (why) -->` is not run. After a change to the command
# line, `python tests/test_docs.py --update` rewrites the blocks without `...`.

CLI_PAGE = DOCS / "cli.md"
_SKIP = re.compile(r"^<!-- docs-check: skip \((?P<why>[^)]+)\) -->$")
_ELLIPSIS = "..."


@dataclasses.dataclass
class _Shown:
    """One command of a block and what the page shows it printing."""

    command: str
    expected: str
    raw: str  # the command's lines as written (with their continuations)
    exit_code: int | None = None


@dataclasses.dataclass
class _Block:
    line: int  # 1-based line of the block's first command
    start: int  # offsets of the block's body in the page
    end: int
    shown: list[_Shown]
    skip: str | None


def _command_blocks(text: str) -> list[_Block]:
    blocks = []
    for match in _FENCE.finditer(text):
        body = match.group("body")
        if match.group("lang") != "text" or not body.startswith("$ riskprofile "):
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = _SKIP.match(before.strip())
        shown: list[_Shown] = []
        lines = body.splitlines(keepends=True)
        i = 0
        while i < len(lines):
            raw = lines[i]
            command = lines[i][2:].rstrip("\n")
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                raw += lines[i]
                command = command[:-1].rstrip() + " " + lines[i].strip()
            i += 1
            out = []
            while i < len(lines) and not lines[i].startswith("$ "):
                out.append(lines[i])
                i += 1
            if command == "echo $?" and shown:
                shown[-1].exit_code = int("".join(out).strip())
            else:
                shown.append(_Shown(command, "".join(out), raw))
        blocks.append(
            _Block(
                line=text.count("\n", 0, match.start("body")) + 1,
                start=match.start("body"),
                end=match.end("body"),
                shown=shown,
                skip=skip.group("why") if skip else None,
            )
        )
    return blocks


def _run_shown(command: str, cwd: Path) -> tuple[int, str]:
    """Exit status and standard output of one `riskprofile ...` command line, run in
    ``cwd`` at 80 columns (argparse wraps help to the terminal)."""
    import contextlib
    import io
    import os
    import shlex

    from riskprofile.cli import main

    argv = shlex.split(command)
    assert argv[0] == "riskprofile", f"not a riskprofile command: {command}"
    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_columns = Path.cwd(), os.environ.get("COLUMNS")
    os.chdir(cwd)
    os.environ["COLUMNS"] = "80"
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv[1:])
            except SystemExit as exc:  # --help and --version exit through argparse
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(old_cwd)
        if old_columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old_columns
    return code, out.getvalue()


def _workdir(tmp: Path) -> Path:
    import shutil

    shutil.copytree(ROOT / "examples", tmp / "examples")
    return tmp


def _matches(expected: str, actual: str) -> bool:
    if _ELLIPSIS not in expected:
        return expected == actual
    return doctest.OutputChecker().check_output(expected, actual, doctest.ELLIPSIS)


CLI_BLOCKS = _command_blocks(CLI_PAGE.read_text(encoding="utf-8"))


def test_cli_page_shows_commands() -> None:
    assert len(CLI_BLOCKS) >= 20
    assert all(b.skip is None for b in CLI_BLOCKS if "--help" in b.shown[0].command)


@pytest.mark.parametrize(
    "block",
    [pytest.param(b, marks=pytest.mark.skip(reason=b.skip)) if b.skip else b for b in CLI_BLOCKS],
    ids=[f"cli.md:{b.line}" for b in CLI_BLOCKS],
)
def test_cli_page_output_is_real(block: _Block, tmp_path: Path) -> None:
    import difflib

    workdir = _workdir(tmp_path)
    for shown in block.shown:
        code, out = _run_shown(shown.command, workdir)
        assert code != 3, f"`{shown.command}` failed with an internal error"
        if shown.exit_code is not None:
            assert code == shown.exit_code, f"`{shown.command}` exited {code}"
        diff = "".join(
            difflib.unified_diff(
                shown.expected.splitlines(keepends=True),
                out.splitlines(keepends=True),
                "docs/cli.md",
                "real output",
            )
        )
        assert _matches(shown.expected, out), (
            f"docs/cli.md line {block.line}: `{shown.command}` prints something else; "
            f"run `python tests/test_docs.py --update` (blocks without '...'), or edit "
            f"the block:\n{diff}"
        )


def _is_partial(expected: str, actual: str) -> bool:
    """Whether the page shows only part of the output (its '...' stand for text left
    out), rather than output that itself contains '...' (`[PATH ...]` in a usage)."""
    lines = expected.splitlines()
    return any(line.strip() == _ELLIPSIS for line in lines) or (
        expected.count(_ELLIPSIS) != actual.count(_ELLIPSIS)
    )


def update_cli_page() -> list[str]:
    """Rewrite the blocks of docs/cli.md that show whole outputs (no ``...``) with the
    real output; returns what could not be rewritten (blocks with ``...`` that no longer
    match)."""
    import tempfile

    text = CLI_PAGE.read_text(encoding="utf-8")
    stale = []
    for block in reversed(_command_blocks(text)):
        if block.skip:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            workdir = _workdir(Path(tmp))
            parts = []
            for shown in block.shown:
                code, out = _run_shown(shown.command, workdir)
                if _matches(shown.expected, out):
                    out = shown.expected  # keep what the page leaves out as '...'
                elif _is_partial(shown.expected, out):
                    stale.append(f"docs/cli.md line {block.line}: {shown.command}")
                    out = shown.expected
                parts.append(shown.raw + out)
                if shown.exit_code is not None:
                    parts.append(f"$ echo $?\n{code}\n")
        text = text[: block.start] + "".join(parts) + text[block.end :]
    CLI_PAGE.write_text(text, encoding="utf-8")
    return stale


if __name__ == "__main__":  # python tests/test_docs.py --update
    import sys

    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_docs.py --update")
    update_reference_index()
    for problem in update_cli_page():
        print(f"stale, edit by hand: {problem}")
