"""What compiling conditions shares, to load faster, never changes what they compile to.

A condition's rule-engine ``Context`` is copied from one made once per set of custom
field types (making one is a third of what compiling a condition cost), and a condition's
syntax tree is walked once for all the load-time checks. The property: for generated
conditions, with and without watch lists, compiling with the shared parts gives what a
fresh ``rule_engine.Context`` and a walk per check give: the same problems, or the same
fields, lists and tree.
"""

from __future__ import annotations

import datetime as dt
import decimal
import threading
from typing import Any

import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule_engine import ast as re_ast

from riskprofile.profiles import _expressions
from riskprofile.profiles._expressions import Condition, compile_condition
from riskprofile.profiles._tree import CompileProblem, _slot_names, walk
from tests.depth import depth
from tests.strategies import rule_conditions

_LISTS: dict[str, tuple[str, Any]] = {
    "names": ("string", frozenset({"ACME", "FOO (BAR"})),
    "codes": ("number", frozenset({1.0, 2.0})),
}


def _fresh_context(lists: Any, builtins: Any = None, custom: Any = None) -> rule_engine.Context:
    """The context as compiling made it before it was shared: a new one every time."""
    types_ = _expressions.field_types()
    types_.update(custom or {})
    context = rule_engine.Context(type_resolver=types_, default_timezone="utc")
    context.builtins = _expressions.condition_builtins(lists) if builtins is None else builtins
    return context


def _shape(compiled: Condition | list[CompileProblem]) -> Any:
    """What a compile gave, as comparable values: the problems, or the condition's
    fields, lists, clock and every node of its tree with its own values."""
    if isinstance(compiled, list):
        return compiled
    nodes = []
    for node in walk(compiled.rule.statement):
        attrs = [(s, getattr(node, s, None)) for s in _slot_names(type(node))]
        attrs += sorted(getattr(node, "__dict__", {}).items())
        nodes.append(
            (
                type(node),
                [
                    (k, repr(v))
                    for k, v in attrs
                    if k not in ("context", "_evaluator", "_checked")
                    and not isinstance(v, re_ast.ASTNodeBase | list | tuple)
                ],
            )
        )
    return (
        compiled.fields,
        compiled.lists,
        compiled.reads_time,
        sorted(compiled.timed_lists),
        sorted(compiled.rule.context.symbols),
        nodes,
    )


_JUNK = ["", "$nope", " and ", ")", " in $names", "=~ '('", "$random", "consignee_nam", "$codes"]


@settings(max_examples=depth(200), suppress_health_check=[HealthCheck.too_slow])
@given(rule_conditions(), st.integers(0, 200), st.sampled_from(_JUNK), st.booleans())
def test_sharing_compiles_what_a_fresh_context_compiles(
    expression: str, cut: int, junk: str, with_lists: bool
) -> None:
    lists = _LISTS if with_lists else {}
    for text in (expression, expression[:cut] + junk + expression[cut:]):
        shared = compile_condition(text, lists)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(_expressions, "_context", _fresh_context)
            fresh = compile_condition(text, lists)
        assert _shape(shared) == _shape(fresh)


def test_each_condition_has_a_context_of_its_own() -> None:
    first = compile_condition('port_of_loading == "PKKHI"', _LISTS)
    second = compile_condition("goods_gross_weight_kg > 10 and port_of_loading in $names", _LISTS)
    assert isinstance(first, Condition)
    assert isinstance(second, Condition)
    one, two = first.rule.context, second.rule.context
    assert one is not two
    assert one.symbols == {"port_of_loading"}
    assert two.symbols == {"goods_gross_weight_kg", "port_of_loading", "names"}
    for name in ("symbols", "_thread_local", "_mapping_fallback_lock"):
        assert getattr(one, name) is not getattr(two, name)
    assert type(one) is rule_engine.Context  # pickles and behaves as rule-engine's own


def test_a_context_takes_the_decimal_context_of_the_thread_that_compiles() -> None:
    compile_condition("goods_gross_weight_kg > 1", {})  # the shared template exists
    with decimal.localcontext() as local:
        compiled = compile_condition("goods_gross_weight_kg > 1", {})
        assert isinstance(compiled, Condition)
        assert compiled.rule.context.decimal_context is local


def test_the_copy_knows_every_attribute_of_rule_engines_context() -> None:
    # A rule-engine that gives its Context new state is compiled with fresh contexts
    # (a copy would share that state between conditions) until this module knows it.
    fresh = vars(rule_engine.Context(default_timezone="utc"))
    assert fresh.keys() <= _expressions._SHARED_STATE | set(_expressions._OWN_STATE)
    template = _expressions._template_context(None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_expressions, "_SHARED_STATE", frozenset({"regex_flags"}))
        copied = _expressions._copy_context(template)
    assert copied.builtins is not template.builtins  # made by rule_engine.Context itself


def test_custom_field_types_get_their_own_template() -> None:
    number = _expressions.custom_field_types({"office": "number"})
    text = _expressions.custom_field_types({"office": "text"})
    assert isinstance(compile_condition("x_office > 3", {}, custom=number), Condition)
    refused = compile_condition("x_office > 3", {}, custom=text)
    assert isinstance(refused, list)
    assert refused[0].code == "type_mismatch"
    plain = compile_condition("x_office > 3", {})
    assert isinstance(plain, list)
    assert plain[0].code == "unknown_field"


def test_shared_contexts_evaluate_conditions_apart_in_threads() -> None:
    # Comprehension variables live in each context's thread state.
    compiled = [
        compile_condition(f"[h for h in hs_codes if h.starts_with('{n}')].length > 0", {})
        for n in ("01", "02")
    ]
    results: list[bool] = []

    def run(condition: Any, codes: tuple[str, ...]) -> None:
        record = {"hs_codes": codes}
        results.append(condition.evaluate(record, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))

    threads = [
        threading.Thread(target=run, args=(compiled[0], ("010101",))),
        threading.Thread(target=run, args=(compiled[1], ("010101",))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True]


def test_loading_profiles_without_trader_lists_leaves_the_lists_package_unread() -> None:
    # riskprofile.lists brings the official lists' XML readers: a load needs it only for
    # a list matched by trader or party key.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from riskprofile.profiles import load_profiles\n"
        "load_profiles(bundled=True)\n"
        "print('riskprofile.lists' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
