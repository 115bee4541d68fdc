"""Rules the test suite keeps about itself.

No test asserts wall-clock time: a shared or loaded machine (CI, eight jobs on two cores)
makes any wall-clock bound flaky. A test that must bound work counts operations, or
measures CPU time (``time.process_time()``) with a wide margin. The check below reads
every test module's syntax tree and fails on a comparison that involves
``time.perf_counter()``, ``time.time()``, ``time.monotonic()`` (or their ``_ns`` forms),
directly, through a variable assigned from one, or through a helper that returns one;
and on a hypothesis ``deadline`` other than ``None``.

No test pins a number of hypothesis examples: ``max_examples`` goes through
``tests.depth.depth()``, so that ``RISKPROFILE_TEST_DEPTH`` (``dev``, ``ci``, ``nightly``)
scales every property alike; a literal would override the profile at every depth.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest
from hypothesis import settings

from tests.depth import VARIABLE, current, depth, size

TESTS = Path(__file__).resolve().parent
WALL_CLOCK = frozenset(
    {"perf_counter", "perf_counter_ns", "time", "time_ns", "monotonic", "monotonic_ns"}
)


@functools.cache
def _parse(source: str) -> ast.Module:
    """Each test file's tree, parsed once for the three rules that read it (only read)."""
    return ast.parse(source)


def _is_wall_clock_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute):
        # time.perf_counter(), time.time(); not dt.datetime.time() or a frame's .time()
        return (
            func.attr in WALL_CLOCK
            and isinstance(func.value, ast.Name)
            and func.value.id in ("time", "_time")
        )
    return isinstance(func, ast.Name) and func.id in WALL_CLOCK - {"time"}


def _uses(node: ast.AST, names: set[str], functions: set[str]) -> bool:
    for child in ast.walk(node):
        if _is_wall_clock_call(child):
            return True
        if isinstance(child, ast.Name) and child.id in names:
            return True
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Name)
            and child.func.id in functions
        ):
            return True
    return False


def wall_clock_comparisons(source: str) -> list[int]:
    """The lines of ``source`` that compare a wall-clock reading against something."""
    tree = _parse(source)
    names: set[str] = set()
    functions: set[str] = set()
    # Taint spreads through assignments and return values until nothing changes.
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) and node.value:
                if _uses(node.value, names, functions):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        for leaf in ast.walk(target):
                            if isinstance(leaf, ast.Name) and leaf.id not in names:
                                names.add(leaf.id)
                                changed = True
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                returns = [n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value]
                if node.name not in functions and any(_uses(r, names, functions) for r in returns):
                    functions.add(node.name)
                    changed = True
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare) and _uses(node, names, functions)
    )


def test_no_test_asserts_wall_clock_time() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        for line in wall_clock_comparisons(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(TESTS.parent)}:{line}")
    assert found == [], (
        "wall-clock time compared in tests (use an operation count, or "
        "time.process_time() with a wide margin): " + ", ".join(found)
    )


def hypothesis_deadlines(source: str) -> list[int]:
    """The lines of ``source`` that give a hypothesis example a deadline (wall-clock time
    per example; ``conftest.py`` sets none for the whole suite)."""
    return sorted(
        keyword.value.lineno
        for node in ast.walk(_parse(source))
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "deadline"
        and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is None)
    )


def test_no_test_gives_hypothesis_a_deadline() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in hypothesis_deadlines(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "hypothesis deadline (wall-clock per example) in: " + ", ".join(found)


def test_the_deadline_rule_catches_a_deadline() -> None:
    assert hypothesis_deadlines("@settings(max_examples=5, deadline=500)\ndef t(): ...\n") == [1]
    assert hypothesis_deadlines("@settings(deadline=None)\ndef t(): ...\n") == []


def pinned_max_examples(source: str) -> list[int]:
    """The lines of ``source`` that give ``max_examples`` a number written out (only
    constants, no ``depth(...)`` call or name), which no depth would scale."""
    return sorted(
        keyword.value.lineno
        for node in ast.walk(_parse(source))
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "max_examples"
        and not any(isinstance(n, ast.Call | ast.Name) for n in ast.walk(keyword.value))
    )


def test_no_test_pins_a_number_of_examples() -> None:
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in pinned_max_examples(path.read_text(encoding="utf-8"))
    ]
    assert found == [], (
        "max_examples written as a number (use max_examples=depth(N), tests/depth.py): "
        + ", ".join(found)
    )


def test_the_depth_rule_catches_a_pinned_number() -> None:
    assert pinned_max_examples("@settings(max_examples=200)\ndef t(): ...\n") == [1]
    assert pinned_max_examples("s = settings(PARENT, max_examples=2 * 100)\n") == [1]
    assert pinned_max_examples("@settings(max_examples=depth(200))\ndef t(): ...\n") == []
    assert pinned_max_examples("s = settings(max_examples=EXAMPLES)\n") == []


@pytest.mark.parametrize(("name", "expected"), [("dev", 20), ("ci", 200), ("nightly", 2000)])
def test_depth_scales_from_the_ci_depth(name: str, expected: int) -> None:
    assert depth(200, name=name) == expected


def test_depth_keeps_a_floor_and_a_search_budget() -> None:
    assert depth(80, name="dev") == 8  # a tenth
    assert depth(25, name="dev") == 5  # a tenth would be 3: the floor
    assert depth(4, name="dev") == 4  # never more than the CI depth
    assert depth(100, name="ci") == 100  # CI keeps its depth whatever the floor
    assert depth(12, name="ci") == 12
    assert depth(500, floor=500, name="dev") == 500  # a search keeps its budget
    assert depth(500, floor=500, name="nightly") == 5000


def test_size_is_smaller_in_dev_only() -> None:
    assert size(300, dev=100, name="dev") == 100
    assert size(300, dev=100, name="ci") == 300
    assert size(300, dev=100, name="nightly") == 300
    assert size(50, dev=100, name="dev") == 50  # never more than CI's


def test_the_depth_variable_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    assert current() == "dev"
    monkeypatch.setenv(VARIABLE, " CI ")
    assert current() == "ci"
    monkeypatch.setenv(VARIABLE, "deep")
    with pytest.raises(ValueError, match="RISKPROFILE_TEST_DEPTH='deep'"):
        current()


def test_the_loaded_profile_follows_the_variable() -> None:
    assert settings.default.deadline is None
    assert settings.default.max_examples == depth(100)


CAUGHT = {
    "direct": "start = time.perf_counter()\nwork()\nassert time.perf_counter() - start < 1\n",
    "through a variable": (
        "t0 = time.time()\nwork()\nelapsed = time.time() - t0\nassert elapsed < 0.5\n"
    ),
    "through a helper": (
        "def _time(f):\n    start = time.perf_counter()\n    f()\n"
        "    return time.perf_counter() - start\n\n"
        "best = min(_time(work) for _ in range(3))\nassert best < 0.5\n"
    ),
    "imported name": "from time import monotonic\nassert monotonic() - s < 2\n",
    "a bound in a branch": (
        "start = time.monotonic()\nwork()\nif time.monotonic() - start > 1:\n    fail()\n"
    ),
}

ALLOWED = {
    "cpu time": "start = time.process_time()\nwork()\nassert time.process_time() - start < 5\n",
    "an operation count": "calls = []\nwork(calls.append)\nassert len(calls) < 1000\n",
    "a datetime's time": "assert stamp.time() == dt.time(14, 30)\n",
}


@pytest.mark.parametrize("source", CAUGHT.values(), ids=CAUGHT.keys())
def test_the_rule_catches_wall_clock_bounds(source: str) -> None:
    assert wall_clock_comparisons(source) != []


@pytest.mark.parametrize("source", ALLOWED.values(), ids=ALLOWED.keys())
def test_the_rule_allows_cpu_time_and_counts(source: str) -> None:
    assert wall_clock_comparisons(source) == []


class _Item:
    def __init__(self, slow: bool) -> None:
        self.marks = [pytest.mark.slow.mark] if slow else []

    def get_closest_marker(self, name: str) -> object:
        return next((m for m in self.marks if m.name == name), None)

    def add_marker(self, marker: pytest.MarkDecorator) -> None:
        self.marks.append(marker.mark)


class _Config:
    def __init__(self, markexpr: str = "") -> None:
        self.markexpr = markexpr

    def getoption(self, name: str) -> str:
        assert name == "markexpr"
        return self.markexpr


@pytest.mark.parametrize(
    ("name", "markexpr", "skipped"),
    [("dev", "", True), ("ci", "", False), ("nightly", "", False), ("dev", "slow", False)],
)
def test_slow_tests_skip_at_dev_depth_only(
    monkeypatch: pytest.MonkeyPatch, name: str, markexpr: str, *, skipped: bool
) -> None:
    from tests.conftest import pytest_collection_modifyitems

    monkeypatch.setenv(VARIABLE, name)
    slow, quick = _Item(slow=True), _Item(slow=False)
    pytest_collection_modifyitems(_Config(markexpr), [slow, quick])  # type: ignore[list-item, arg-type]
    assert [m.name for m in slow.marks] == (["slow", "skip"] if skipped else ["slow"])
    assert quick.marks == []


def _readme_test_command() -> str:
    # As .ci/run reads it: the first line between the markers that is not a fence.
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- test-command -->", 1)[1].split("<!-- /test-command -->", 1)[0]
    return next(line for line in block.splitlines() if line and not line.startswith("```"))


def test_the_readme_test_command_runs_on_every_core() -> None:
    """The README's test command (which .ci/run runs word for word) runs the suite on every
    core, whole files to each worker; the test extra installs pytest-xdist for it; and
    docs/testing.md shows the same command."""
    import tomllib

    command = _readme_test_command()
    assert command.endswith("-m pytest -q -n auto --dist loadfile"), command
    extras = tomllib.loads((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    test_extra = extras["project"]["optional-dependencies"]["test"]
    assert any(r.startswith("pytest-xdist") for r in test_extra), test_extra
    assert command in (TESTS.parent / "docs" / "testing.md").read_text(encoding="utf-8")


def test_no_terminal_size_reaches_the_tests() -> None:
    # pytest-xdist sets COLUMNS=80 and LINES=24 in its workers; the command line wraps to
    # COLUMNS, so the tests would read another list than in a one-process run.
    import os

    assert "COLUMNS" not in os.environ
    assert "LINES" not in os.environ
