"""Profile regexes run on RE2, by construction, and what RE2 cannot run is refused.

- every regex of a compiled condition, literal or built from a watch list, is compiled
  and matched by RE2, never by Python's backtracking ``re`` (the patterns that took
  seconds to forever on ``re`` load and run);
- a regex read from the shipment (``description =~~ shipper_name``) is refused;
- what RE2 refuses (backreferences, lookaround, ...) is refused when the profile loads,
  with RE2's cause, at the position in the file;
- RE2's dialect: ``$`` is the end of the text, ``\\w``/``\\d``/``\\s``/``\\b`` are ASCII.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest
import re2
import rule_engine
import rule_engine.ast.binary.comparison as re_comparison

from riskprofile.errors import ProfileSetError
from riskprofile.profiles import load_profiles
from riskprofile.profiles._expressions import Condition, compile_condition
from riskprofile.profiles._regex import (
    MAX_PATTERN_LENGTH,
    RegexProblem,
    RegexRefused,
    compile_regex,
    regex_problems,
)
from riskprofile.profiles._tree import CompileProblem, walk

AS_OF = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)

# Issue 14: (A+)+$ took 19 s on 26 A and a "!" with Python's re, doubling per character;
# ^(A?){40}A{40}$ never finished; \d+\d+\d+\d+\d+$ took 60 s on 101 characters.
PATHOLOGICAL = {
    r"(A+)+$": "A" * 40 + "!",
    r"^(A?){40}A{40}$": "A" * 40,
    r"\d+\d+\d+\d+\d+$": "1" * 100 + "!",
    r"(\w+\s?)*$": "SAID TO CONTAIN " * 10 + "!",
    r"(a|aa)+$": "a" * 60 + "!",
}


@pytest.fixture
def no_python_re(monkeypatch: pytest.MonkeyPatch) -> None:
    """rule-engine's own regex compilation (Python's re) fails the test if reached."""

    class _Forbidden:
        @staticmethod
        def compile(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError(f"Python's re compiled a profile regex: {args!r}")

        error = re2.error

    monkeypatch.setattr(re_comparison, "re", _Forbidden)


def _compiled(expression: str, **lists: tuple[str, frozenset[Any]]) -> Condition:
    found = compile_condition(expression, lists)
    assert isinstance(found, Condition), found
    return found


def _regex_nodes(condition: Condition) -> list[Any]:
    return [
        n
        for n in walk(condition.rule.statement)
        if isinstance(n, re_comparison.FuzzyComparisonExpression)
    ]


@pytest.mark.parametrize(("pattern", "text"), PATHOLOGICAL.items(), ids=PATHOLOGICAL.keys())
def test_backtracking_patterns_load_and_run_on_re2(
    pattern: str, text: str, no_python_re: None
) -> None:
    condition = _compiled(f"description =~ {pattern!r}".replace("\\", "\\\\"))
    (node,) = _regex_nodes(condition)
    assert isinstance(node._right, re2._Regexp)  # by construction: RE2 holds the pattern
    start = time.process_time()
    hit = condition.evaluate({"description": text}, AS_OF)
    # Not a timing test: RE2 is linear by construction (above). The bound only keeps a
    # regression from hanging the suite; Python's re takes hours to forever here.
    assert time.process_time() - start < 5.0
    assert hit is (re2.match(pattern, text) is not None)


def test_a_regex_between_two_literals_is_folded_by_re2(no_python_re: None) -> None:
    # rule-engine evaluates a constant comparison while parsing: that too is RE2's.
    condition = _compiled('"' + "A" * 40 + '!" =~ "(A+)+$" or description == "X"')
    assert condition.evaluate({"description": "y"}, AS_OF) is False


def test_patterns_built_from_a_watch_list_run_on_re2(no_python_re: None) -> None:
    expression = r'[n for n in $names if description =~~ ("\\b" + n + "\\b")].length > 0'
    condition = _compiled(expression, names=("string", frozenset({"ACETONE", "TOLUENE"})))
    assert condition.evaluate({"description": "200 L ACETONE, PURE"}, AS_OF)
    assert not condition.evaluate({"description": "ACETONES"}, AS_OF)


def test_every_bundled_regex_is_an_re2_regex() -> None:
    root = Path(__file__).resolve().parents[2] / "profiles"
    nodes = [
        node
        for profile in load_profiles(root)
        for compiled in (*profile.indicators, *profile.exceptions)
        for node in _regex_nodes(compiled.condition)
    ]
    assert len(nodes) > 20
    for node in nodes:
        assert type(node).__name__ == "_Re2Comparison"
        assert isinstance(getattr(node, "_right", None) or re2.compile("x"), re2._Regexp)


# --- refused at load time -----------------------------------------------------------------


def _load_error(tmp_path: Path, when: str, lists: str = "") -> tuple[Any, tuple[int, int]]:
    text = (
        "id: t.regex\nversion: 1\ntitle: T\ncategory: other\nowner: PCU Karachi\n"
        + (f"lists:\n{lists}" if lists else "")
        + f"indicators:\n  - id: probe\n    title: Probe\n    when: {when}\n    weight: 5\n"
    )
    index = text.index("@@")
    before = text[:index]
    position = (before.count("\n") + 1, index - before.rfind("\n"))
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("@@", ""), encoding="utf-8")
    with pytest.raises(ProfileSetError) as info:
        load_profiles(path)
    (error,) = info.value.errors
    return error, position


@pytest.mark.parametrize(
    ("when", "words"),
    [
        ("'description =~~ \"SAID @@(?=TO)\"'", "lookahead"),
        ("'description =~~ \"@@(?<!NOT )FAK\"'", "lookbehind"),
        ("'description =~~ \"(FAK)@@\\\\1\"'", "backreference"),
        ("'description =~~ \"FAK@@*+\"'", "possessive"),
        ("'description =~~ \"@@(?>FAK)\"'", "atomic group"),
        ("'description =~~ \"FAK@@\\\\Z\"'", r"\Z"),
        ("'description =~~ \"A@@{1001}\"'", "1000"),
        ("'description =~~ \"SAID TO @@(CONTAIN\"'", "not closed"),
    ],
)
def test_what_re2_cannot_run_is_refused_at_its_position(
    tmp_path: Path, when: str, words: str
) -> None:
    error, (line, column) = _load_error(tmp_path, when)
    assert (error.code, error.line, error.column) == ("regex", line, column), str(error)
    assert words in error.message


def test_a_regex_read_from_the_shipment_is_refused(tmp_path: Path) -> None:
    # Issue 14: a shipper named (A+)+$ made one shipment take 19 s to score.
    error, (line, column) = _load_error(tmp_path, "description =~~ @@shipper_name")
    assert (error.code, error.line, error.column) == ("regex", line, column), str(error)
    assert "shipper_name" in error.message
    assert "manifest data" in error.message


@pytest.mark.parametrize(
    "expression",
    [
        'description =~ (consignee_name ?? "X")',
        "[h for h in hs_codes if description =~~ h].length > 0",
        'description !~~ ("^" + port_of_loading)',
    ],
)
def test_every_regex_operand_read_from_the_shipment_is_refused(expression: str) -> None:
    found = compile_condition(expression, {})
    assert isinstance(found, list)
    assert [p.code for p in found] == ["regex"]


def test_a_list_value_that_makes_its_regex_invalid_is_refused(tmp_path: Path) -> None:
    error, (line, column) = _load_error(
        tmp_path,
        "'[n for n in @@$names if description =~~ (\"\\\\b\" + n)].length > 0'",
        '  names: {values: [ACETONE, "C++ (PURE"]}\n',
    )
    assert (error.code, error.line, error.column) == ("regex", line, column), str(error)
    assert "'C++ (PURE'" in error.message


def test_too_long_patterns_are_refused() -> None:
    assert regex_problems("A" * MAX_PATTERN_LENGTH) == []
    (problem,) = regex_problems("A" * (MAX_PATTERN_LENGTH + 1))
    assert problem.code == "too_long"


def test_refusals_say_why() -> None:
    assert regex_problems(r"(a)\1") == [
        RegexProblem(
            "unsupported",
            "a backreference ('\\\\1') is not supported: regexes run on RE2, which matches "
            "in linear time and has no construct that needs backtracking",
            3,
        )
    ]
    with pytest.raises(RegexRefused) as info:
        compile_regex("((a{100}){100}){100}")
    assert info.value.problem.code == "too_large"
    assert [p.code for p in regex_problems(None)] == ["syntax"]  # type: ignore[arg-type]


# --- the dialect ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "description", "hit"),
    [
        ('description =~~ "SCRAP$"', "SCRAP\n", False),  # $ is the end of the text
        ('description =~~ "(?m)SCRAP$"', "SCRAP\nX", True),
        ('description =~~ "P\\\\w"', "SCRAPé", False),  # \w is ASCII
        ('description =~~ "\\\\bCAFE\\\\b"', "CAFEé", True),  # é is no word character
        ('description =~~ "\\\\d"', "\u0663", False),  # \d is 0-9
        ('description =~~ "(?i)said to contain"', "SAID TO CONTAIN", True),
        ('description =~~ "[[:upper:]]{3}"', "FAK", True),
        ('description =~~ "A{,2}"', "A{,2}", True),  # no repeat: the text itself
        ('description =~ "CRAP"', "SCRAP", False),  # =~ matches at the start
    ],
)
def test_the_dialect_is_re2s(expression: str, description: str, hit: bool) -> None:
    assert _compiled(expression).evaluate({"description": description}, AS_OF) is hit


def test_compile_problems_are_compile_problems() -> None:
    found = compile_condition('description =~~ "x(?=y)"', {})
    assert isinstance(found, list)
    assert found == [
        CompileProblem(
            "regex",
            "regex 'x(?=y)': a lookahead ('(?=') is not supported: regexes run on RE2, which "
            "matches in linear time and has no construct that needs backtracking",
            18,
        )
    ]


def test_text_that_is_no_unicode_cannot_be_evaluated_rather_than_crash() -> None:
    condition = _compiled('description =~~ "B"')
    with pytest.raises(rule_engine.EvaluationError, match="not valid Unicode"):
        condition.evaluate({"description": "A\ud800B"}, AS_OF)
