"""Every example in the source modules' docstrings runs as written (doctest).

An example that is only shown can drift from what the code does (the ``lint_profiles``
module example showed a finding the bundled library never had, behind ``+SKIP``), so
none is skipped: an example that cannot run is written as prose. The examples run from
the repository's root, since some name its files (``examples/data/karachi-sample.csv``).
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from tests.profile_memo import load_once

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "riskprofile"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# Only the modules with an example: importing all of them at collection would be slow.
MODULES = sorted(
    _module_name(path)
    for path in SOURCE.rglob("*.py")
    if ">>>" in path.read_text(encoding="utf-8") and path.name != "__main__.py"
)


def run_examples(name: str) -> tuple[doctest.TestResults, str]:
    """Run the docstring examples of module ``name``: the results and the report."""
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):
        runner.run(test, out=report.append)
    return runner.summarize(verbose=False), "".join(report)


def test_the_modules_with_examples_are_found() -> None:
    assert {"riskprofile", "riskprofile.profiles._lint", "riskprofile.scoring"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    load_once(monkeypatch)  # many examples load the bundled library: once per process
    results, report = run_examples(name)
    assert results.attempted > 0, f"{name}: '>>>' in the source but no example found"
    assert results.failed == 0, report


def test_no_example_is_skipped() -> None:
    skipped = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(SOURCE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "doctest: +SKIP" in line
    ]
    assert skipped == [], "skipped docstring examples (write prose instead): " + ", ".join(skipped)


def test_a_wrong_example_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "wrong_example.py").write_text('"""\n>>> 1 + 1\n3\n"""\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    results, report = run_examples("wrong_example")
    assert results.failed == 1
    assert "Expected:\n    3\nGot:\n    2" in report
