"""The regex safety analysis: each finding on the patterns it is meant for, silence on the
patterns customs profiles actually use, and robustness on anything at all."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.profiles import _regex
from riskprofile.profiles._regex import RegexProblem, check_regex_runtime, regex_problems

CODES = {
    "syntax": "error",
    "too_long": "error",
    "too_deep": "error",
    "nested_quantifier": "error",
    "overlapping_alternation": "error",
    "adjacent_overlapping_quantifiers": "warning",
    "unbounded_repeat_large": "warning",
    "backreference": "info",
    "lookaround": "info",
    "atomic_group": "info",
    "unanalysable": "error",
}

CUSTOMS_PATTERNS = [
    r"^(FAK|FREIGHT ALL KINDS)$",
    r"\bSAID TO CONTAIN\b",
    r"SPARE PARTS?",
    r"^[A-Z]{4}\d{7}$",
    r"(?i)personal effects",
    r"\b(P\.?O\.? BOX|POSTFACH)\b",
    r"^(GENERAL CARGO|GEN\.? CARGO|CONSOLIDATED)$",
    r"(?i)\b(used|second[- ]hand) (clothing|tyres|tires)\b",
    r"^\d{4}(\.\d{2}){0,2}$",
    r"(?:FAK|FREIGHT)+",
    r"^(\d{1,3}\.){3}\d{1,3}$",
    r"^[A-Z]{2}[A-Z0-9]{3}$",
    r"\bS\.?T\.?C\.?\b",
]

CLASSIC_REDOS = [
    r"(a+)+",
    r"(a+)+$",
    r"(a*)*",
    r"(a*)*b",
    r"([a-zA-Z]+)*",
    r"(\w+\s?)*$",
    r"((ab)*c)*",
    r"(a|a)*",
    r"(a|aa)+",
    r"(a|ab)*",
    r"(a|a?)+",
    r"(\d|\w)+",
    r"(.*a){12}",
    r"^(\d+)*$",
    r"(x+x+)+y",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    # the OWASP e-mail example
    r"^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}"
    r"(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$",
    r"^(\w+\s*)+,",
    r"(?i)(k|\u212a)+",
    r"(?x) ( \w+ \s? ) *  # words",
]


def codes(pattern: str) -> list[tuple[str, str]]:
    return [(p.code, p.severity) for p in regex_problems(pattern)]


def first(pattern: str, code: str) -> RegexProblem:
    return next(p for p in regex_problems(pattern) if p.code == code)


# --- each code ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("(", "syntax"),
        ("[a-", "syntax"),
        ("a**", "syntax"),
        ("x{3,1}", "syntax"),
        ("a{99999999999}", "syntax"),
        (r"\1(a)", "syntax"),
        ("(?<=a+)b", "syntax"),  # only the compiler rejects it: checked without compiling
        ("(?<=ab|c)d", "syntax"),
        ("a" * 1001, "too_long"),
        ("(" * 60 + ")" * 60, "too_deep"),
        ("(" * 2000 + ")" * 2000, "too_long"),
        (r"(a+)+", "nested_quantifier"),
        (r"(a*)*", "nested_quantifier"),
        (r"(\w+\s?)*", "nested_quantifier"),
        (r"((ab)*c)*", "nested_quantifier"),
        (r"(a+?)+", "nested_quantifier"),
        (r"((?:x|y)+z?){2,}", "nested_quantifier"),
        (r"(a{1,5})*", "nested_quantifier"),
        (r"(a{0,2})*", "nested_quantifier"),
        (r"([A-Z]{1,35}\s?){1,4}", "nested_quantifier"),
        (r"(a+){2}", "nested_quantifier"),
        (r"(a|a)*", "overlapping_alternation"),
        (r"(a|ab)*", "overlapping_alternation"),
        (r"(\d|\w)+", "overlapping_alternation"),
        (r"(?:[a-c]|b)+", "overlapping_alternation"),
        (r"(ab|a[bc])+", "overlapping_alternation"),
        (r"(x|\w)+", "overlapping_alternation"),
        (r"(?i)(a|A)+", "overlapping_alternation"),
        (r"(a|b|a){14}", "overlapping_alternation"),
        (r"(?:(?:a|ab)c?)*", "overlapping_alternation"),
        (r"\d+\d+", "adjacent_overlapping_quantifiers"),
        (r".*.*", "adjacent_overlapping_quantifiers"),
        (r"\w*\s*\w*", "adjacent_overlapping_quantifiers"),
        (r"(\d+)(\d+)", "adjacent_overlapping_quantifiers"),
        (r"[A-Z]+\s*[A-Z]+", "adjacent_overlapping_quantifiers"),
        (r"(?i)[a-z]+[A-Z]+", "adjacent_overlapping_quantifiers"),
        (r"a{1,100000}", "unbounded_repeat_large"),
        (r"a{1001}", "unbounded_repeat_large"),
        (r"\d{2000,}", "unbounded_repeat_large"),
        (r"(a)\1", "backreference"),
        (r"(?P<x>a)(?P=x)", "backreference"),
        (r"(a)?(?(1)b|c)", "backreference"),
        (r"(?=a)", "lookaround"),
        (r"(?!a)b", "lookaround"),
        (r"(?<=a)b", "lookaround"),
        (r"(?<!a)b", "lookaround"),
        (r"(?>a+)b", "atomic_group"),
        (r"a*+b", "atomic_group"),
    ],
)
def test_each_code_on_a_representative_pattern(pattern: str, code: str) -> None:
    found = [p for p in regex_problems(pattern) if p.code == code]
    assert found, regex_problems(pattern)
    assert {p.severity for p in found} == {CODES[code]}


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a{1,3}){1,3}",  # bounded and small: 27 ways at most
        r"(\d{1,3}\.){3}\d{1,3}",
        r"(a?)*",  # one non-empty choice per iteration
        r"(ab|cd)*",
        r"(?:\s|,)*",
        r"(a|b){13}",
        r"(a|A)+",  # case-sensitive: the alternatives differ
        r"(FAK|FREIGHT)+",
        r"(a++)+",  # possessive inner repeat: nothing to give back
        r"(?>a+)+",
        r"(a+)++",
        r"(?=(a+))",
        r"(a|ab)?",  # no repeat over the alternation
        r"\d+\.\d+",
        r"\d+[a-z]+",
        r"a{1,1000}",
        r"a{1000}",
        r"\d*+\d+",
    ],
)
def test_no_error_where_there_is_no_hazard(pattern: str) -> None:
    assert [p for p in regex_problems(pattern) if p.severity == "error"] == []
    assert "adjacent_overlapping_quantifiers" not in [c for c, _ in codes(pattern)]
    assert "unbounded_repeat_large" not in [c for c, _ in codes(pattern)]


@pytest.mark.parametrize("pattern", [r"(?:\s+,)*$", r"((ab)*c)*$", r"(a|ab)*$", r"(\d|\w)+$"])
def test_the_rules_are_deliberately_conservative(pattern: str) -> None:
    # linear in CPython (a delimiter, or alternatives that cannot both match at one place,
    # or a class folded from the alternatives), yet reported: the rules are structural
    assert "error" in {p.severity for p in regex_problems(pattern)}
    compiled = re.compile(pattern)
    start = time.process_time()
    compiled.match("ab, " * 8 + "a" * 30 + "!")
    # a catastrophic pattern would take seconds to minutes here; the bound is generous
    # because timing is not what is tested (performance lives in benchmarks)
    assert time.process_time() - start < 0.5


@pytest.mark.parametrize("pattern", CUSTOMS_PATTERNS)
def test_customs_patterns_are_clean(pattern: str) -> None:
    assert regex_problems(pattern) == []


@pytest.mark.parametrize("pattern", CLASSIC_REDOS)
def test_classic_redos_patterns_are_errors(pattern: str) -> None:
    severities = {p.severity for p in regex_problems(pattern)}
    assert "error" in severities
    problem = next(p for p in regex_problems(pattern) if p.severity == "error")
    assert problem.code in ("nested_quantifier", "overlapping_alternation")


def test_portability_notes_are_only_info() -> None:
    assert codes(r"(?<=\bNO )LITHIUM") == [("lookaround", "info")]
    assert codes(r"(\w)\1{3}") == [("backreference", "info")]


# --- offsets and messages -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "code", "offset"),
    [
        ("ab(", "syntax", 2),
        ("abc[", "syntax", 3),
        ("a" * 1001, "too_long", 1000),
        (r"x(a+)+", "nested_quantifier", 1),
        (r"x(?:a|ab)*", "overlapping_alternation", 1),
        (r"x(\d|\w)+", "overlapping_alternation", 1),
        (r"a\d+\d+", "adjacent_overlapping_quantifiers", 1),
        (r"(\d+)(\d+)", "adjacent_overlapping_quantifiers", 1),
        (r"ab(?=c)", "lookaround", 2),
        (r"(a)\1", "backreference", 3),
        (r"(?P<n>a)b(?P=n)", "backreference", 9),
        (r"a{1,5000}", "unbounded_repeat_large", 1),
        (r"x(?>a)", "atomic_group", 1),
        (r"xa*+", "atomic_group", 2),
        ("(?x) ( \\w+ \\s? ) *  # words", "nested_quantifier", 5),
        ("(?x)\\d+ # comment (with parens\n \\d+", "adjacent_overlapping_quantifiers", 4),
        (r"\x41+\x41+", "adjacent_overlapping_quantifiers", 0),
        (r"[(]+[(]+", "adjacent_overlapping_quantifiers", 0),
        (r"(?#c(a+ \()\(+\(+", "adjacent_overlapping_quantifiers", 11),
    ],
)
def test_offsets_point_at_the_problem(pattern: str, code: str, offset: int) -> None:
    assert first(pattern, code).offset == offset


def test_messages_quote_the_culprit() -> None:
    assert "'(a+)+'" in first(r"^(a+)+$", "nested_quantifier").message
    message = first(r"\d+\d+", "adjacent_overlapping_quantifiers").message
    assert message.count("'\\\\d+'") == 2
    assert "does not compile" in first("(", "syntax").message


def test_errors_come_first_then_warnings_then_infos() -> None:
    problems = regex_problems(r"(?=x)\d+\d+(a+)+\1")
    assert [p.code for p in problems] == [
        "nested_quantifier",
        "adjacent_overlapping_quantifiers",
        "lookaround",
        "backreference",
    ]


def test_fatal_problems_come_alone() -> None:
    assert codes("(a+)+" + "x" * 2000) == [("too_long", "error")]
    assert codes("(a+)+(") == [("syntax", "error")]
    assert codes("(" * 60 + "a+" + ")+" * 60) == [("too_deep", "error")]


def test_max_length_is_the_callers() -> None:
    assert [p.code for p in regex_problems("abcdef", max_length=5)] == ["too_long"]
    assert regex_problems("abcdef", max_length=6) == []
    assert [p.offset for p in regex_problems("abcdef", max_length=-1)] == [0]


def test_problems_are_frozen_and_hashable() -> None:
    problem = first(r"(a+)+", "nested_quantifier")
    with pytest.raises(AttributeError):
        problem.code = "other"  # type: ignore[misc]
    assert {problem, first(r"(a+)+", "nested_quantifier")} == {problem}


def test_not_a_string_is_a_syntax_error() -> None:
    assert codes(None) == [("syntax", "error")]  # type: ignore[arg-type]
    assert codes(b"abc") == [("syntax", "error")]  # type: ignore[arg-type]


def test_warnings_turned_errors_are_reported_not_raised() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert codes("[[a]") == [("syntax", "error")]
    with pytest.warns(FutureWarning):
        assert codes("[[a]") == []


# --- speed ----------------------------------------------------------------------------------

HOSTILE = {
    "alternatives": "(?:"
    + "|".join(f"{a}{b}{c}" for a in "ab" for b in "cdef" for c in "ghijklmnopqrstuvwxyz0123")
    + ")*",
    "unicode literals": "(?i)(?:" + "".join(chr(0x100 + i) for i in range(990)) + ")*",
    "wide unicode ranges": "(?i)" + "[\u0100-\uffff]+" * 150,
    "negated classes": "(?i)"
    + "".join(f"[^{chr(0x100 + i)}{chr(0x500 + i)}]+" for i in range(150)),
    "deep": "(" * 24 + "a+" + ")+" * 24 + "b" * 900,
    "optional run": "a?" * 499,
    "stars": r"\d*" * 330,
    "alternations": "(" + "|".join("(a|b)*" for _ in range(140)) + ")*",
    "groups": "(a)" * 333,
    "backreferences": "(a)" + r"\1" * 498,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_1000_character_pattern_is_analysed_without_hanging(name: str) -> None:
    # Not a performance test (that would belong in benchmarks/): a bound two orders of
    # magnitude above the measured few milliseconds, to catch an exponential analysis.
    pattern = HOSTILE[name][:1000]
    best = min(_time(regex_problems, pattern) for _ in range(3))
    assert best < 0.5, f"{name}: {best * 1000:.1f} ms"


def _time(function: Callable[[str], object], pattern: str) -> float:
    start = time.process_time()
    function(pattern)
    return time.process_time() - start


# --- the runtime guard ----------------------------------------------------------------------


@pytest.mark.parametrize("pattern", CUSTOMS_PATTERNS)
def test_runtime_check_passes_safe_patterns(pattern: str) -> None:
    # a generous budget: a shared CI machine must not turn a safe pattern into "slow"
    assert check_regex_runtime(pattern, budget_seconds=0.5) is None


@pytest.mark.parametrize("pattern", CLASSIC_REDOS)
def test_runtime_check_never_runs_a_rejected_pattern(pattern: str) -> None:
    start = time.process_time()
    problem = check_regex_runtime(pattern)
    assert time.process_time() - start < 0.5
    assert problem is not None
    assert problem.code in ("nested_quantifier", "overlapping_alternation")


def test_runtime_check_catches_what_the_static_analysis_only_warns_about() -> None:
    pattern = r"\d*\d*\d*\d*\d*\d*\d*\d*x"  # degree-8 polynomial: a warning statically
    assert {p.severity for p in regex_problems(pattern)} == {"warning"}
    problem = check_regex_runtime(pattern)
    assert problem is not None
    assert (problem.code, problem.severity) == ("slow", "error")
    assert "0000" in problem.message


def test_runtime_check_reports_overruns_of_the_budget() -> None:
    problem = check_regex_runtime(r"^[A-Z]{4}\d{7}$", budget_seconds=0.0)
    assert problem is not None
    assert problem.code == "slow"


def test_runtime_check_on_bad_or_long_patterns() -> None:
    assert check_regex_runtime("(") == regex_problems("(")[0]
    assert check_regex_runtime("a" * 2000) is None  # the length limit is the caller's
    assert check_regex_runtime(None) is not None  # type: ignore[arg-type]


# --- anything at all ------------------------------------------------------------------------

ANALYSIS = settings(max_examples=400, deadline=None)
ATOMS = st.sampled_from(
    ["a", "b", "ab", ".", r"\d", r"\w", r"\s", r"\W", "[a-c]", "[^x]", r"\x41", "é", "K", " ",
     r"\b", "^", "$", "(?#c)", "{", "{a}", "[]a]", r"[\]]", r"\012", r"\1", "(?P=g)"]
)  # fmt: skip
QUANTIFIERS = st.sampled_from(
    ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{,4}", "{2,}", "*?", "++", "{1,2}+", "{1001}"]
)
OPENERS = st.sampled_from(
    ["(", "(?:", "(?>", "(?=", "(?!", "(?<=", "(?<!", "(?i:", "(?x:", "(?-x:", "(?P<g>", "(?(1)"]
)


def _group(opener: str, alternatives: list[str], quantifier: str) -> str:
    return opener + "|".join(alternatives) + ")" + quantifier


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    quantified = st.builds(lambda c, q: c + q, children, QUANTIFIERS)
    group = st.builds(_group, OPENERS, st.lists(children, min_size=1, max_size=3), QUANTIFIERS)
    return st.lists(st.one_of(quantified, group), min_size=1, max_size=4).map("".join)


PATTERNS = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["", "", "(?x)", "(?i)", "(a)", "(?x)(a) # c\n"]),
    st.recursive(ATOMS, _extend, max_leaves=12),
)


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
@ANALYSIS
@given(st.text())
def test_any_text_is_analysed_without_raising(pattern: str) -> None:
    start = time.process_time()
    problems = regex_problems(pattern)
    assert time.process_time() - start < 0.5
    _check_well_formed(pattern, problems)


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
@ANALYSIS
@given(PATTERNS)
def test_regex_shaped_text_is_analysed_consistently(pattern: str) -> None:
    problems = regex_problems(pattern)
    _check_well_formed(pattern, problems)
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError):
        assert [p.code for p in problems] in (["syntax"], ["too_deep"])
        return
    assert "syntax" not in [p.code for p in problems]
    # the source scanner agrees with the parse tree, so every structural finding is located
    for problem in problems:
        if problem.code not in ("too_deep", "backreference"):
            assert problem.offset is not None, problem
    for problem in problems:
        if problem.code == "lookaround":
            assert pattern.startswith("(?", problem.offset or 0)


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
@ANALYSIS
@given(st.one_of(st.text(), PATTERNS))
def test_analysis_is_deterministic(pattern: str) -> None:
    assert regex_problems(pattern) == regex_problems(pattern)


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
@settings(max_examples=300, deadline=None)
@given(PATTERNS)
def test_scanner_matches_the_parse_tree(pattern: str) -> None:
    try:
        tree = _regex._sre_parse.parse(pattern)
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError):
        return
    layout = _regex._scan(pattern, bool(tree.state.flags & re.VERBOSE))
    assert layout is not None
    analysis = _regex._Analysis(pattern, tree, layout)
    assert len(layout.quantifiers) == len(analysis.repeats)
    assert len(layout.lookarounds) == len(analysis.lookarounds)
    assert len(layout.atomics) == len(analysis.atomics)
    for quantifier in layout.quantifiers:
        assert pattern[quantifier.start] in "*+?{"
        assert quantifier.atom_start < quantifier.start


@pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")
@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_runtime_check_never_raises(pattern: str) -> None:
    problem = check_regex_runtime(pattern)
    assert problem is None or (problem.severity == "error" and problem.code != "unanalysable")


def _check_well_formed(pattern: str, problems: list[RegexProblem]) -> None:
    assert all(isinstance(p, RegexProblem) for p in problems)
    assert all(CODES.get(p.code) == p.severity for p in problems), problems
    assert "unanalysable" not in [p.code for p in problems]
    assert all(p.offset is None or 0 <= p.offset <= len(pattern) for p in problems)
    ranks = [("error", "warning", "info").index(p.severity) for p in problems]
    assert ranks == sorted(ranks)
