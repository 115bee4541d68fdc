"""Conditions compiled into Python closures, for the row-wise engine.

rule-engine evaluates a condition by walking its syntax tree: each node resolves its
operands through the context, checks them against the language's data types and coerces
them, on every evaluation (about 70 us per condition and shipment: 95 % of scoring one
shipment). Here each node of a compiled condition becomes, once, a small Python function
doing the same operation on the same values (:func:`compiled_rule`).

The one rule that makes it exact: **a compiled condition either returns the value
rule-engine returns, or raises.** It raises whenever it meets a case it does not decide
itself - a null where rule-engine raises, a value of another type than the fast path
expects, anything rule-engine would refuse - and the caller then evaluates the condition
with rule-engine, the reference, which gives the hit or the problem text. So the
problem texts are always rule-engine's own, and a shipment that cannot be evaluated
costs a compiled attempt plus the reference. A node the compiler does not know makes
the whole condition run on rule-engine (:func:`compiled_rule` returns None).

What it keeps from rule-engine, node by node (``rule_engine/ast``): evaluation order and
short-circuits; ``==`` false between values of different types; ordered comparisons of
two nulls, of arrays member by member, refused between types; a regex on null; the
containment test of text in text; comprehension variables resolved outermost first (as
rule-engine's assignment scopes are searched); numbers as Decimals in the rule's decimal
context (the caller enters it: :attr:`CompiledRule.decimal_context`). Field values are
read once per record and shared with rule-engine's own reads (``_Record.read``); what a
condition reads is in :mod:`._compiled_reads`.

Two shapes of the bundled library run as one closure each, with the same result: a
comprehension keeping a list field's values that are in watch lists
(``[x for x in hs_codes if x in $list or x in $other]``), and a watch list's words
searched in a text (``text =~~ ("\\b" + word + "\\b")``: a text that does not contain
a word without regex syntax is not searched, since the pattern can only match where the
word is written).
"""

from __future__ import annotations

import datetime as dt
import decimal
import operator
import weakref
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import rule_engine
from rule_engine import DataType
from rule_engine import ast as re_ast

from riskprofile.engines._compiled_reads import (
    FIRST_SLOT,
    NOW,
    TODAY,
    Node,
    Unsure,
    accepted_types,
    field_read,
    ordered,
    timed_list,
    variable_read,
)
from riskprofile.profiles import field_types
from riskprofile.profiles.shared import (
    HELPERS,
    BuiltinSymbol,
    Condition,
    Containment,
    FieldSymbol,
    RegexComparison,
    evaluation_time,
)

__all__ = ["CompiledRule", "compiled_rule"]

_PROBE = dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=dt.UTC)  # checks what $now/$today are


class _NotCompiled(Exception):  # noqa: N818
    """A node the compiler does not know: the condition runs on rule-engine."""


class CompiledRule:
    """A condition compiled into closures.

    Calling it with a record made by :func:`~riskprofile.profiles._explain.record_of`, the
    evaluation time (aware, UTC) and its midnight returns what rule-engine's
    ``Condition.evaluate`` returns, or raises (then evaluate with the reference). Decimal
    arithmetic and comparisons must run in :attr:`decimal_context`, as rule-engine's do:
    the caller enters ``decimal.localcontext(rule.decimal_context)`` (once for a whole
    shipment) or calls :meth:`alone`.
    """

    __slots__ = ("_run", "_slots", "decimal_context")

    def __init__(self, run: Node, slots: int, decimal_context: decimal.Context) -> None:
        self._run = run
        self._slots = slots
        self.decimal_context = decimal_context

    def __call__(self, record: Any, as_of: dt.datetime, today: dt.datetime) -> bool:
        frame: list[Any] = [as_of, today]
        if self._slots:
            frame += [None] * self._slots
        return bool(self._run(record, frame))

    def alone(self, record: Any, as_of: dt.datetime, today: dt.datetime) -> bool:
        """:meth:`__call__` in the rule's decimal context."""
        with decimal.localcontext(self.decimal_context):
            return self(record, as_of, today)


# Compiled conditions by rule (None: the condition runs on rule-engine). Weak keys: a
# rule no longer loaded goes; the closures hold the syntax tree, never the rule.
_COMPILED: weakref.WeakKeyDictionary[Any, CompiledRule | None] = weakref.WeakKeyDictionary()


def compiled_rule(condition: Condition) -> CompiledRule | None:
    """``condition`` compiled (once per loaded condition), or None when a node of it is
    not compiled: then rule-engine evaluates it."""
    rule = condition.rule
    try:
        return _COMPILED[rule]
    except KeyError:
        pass
    try:
        compiler = _Compiler(condition)
        run = compiler.node(rule.statement)
        compiled: CompiledRule | None = CompiledRule(
            run, compiler.slots, rule.context.decimal_context
        )
    except _NotCompiled:
        compiled = None
    _COMPILED[rule] = compiled
    return compiled


class _Compiler:
    """Turns one condition's syntax tree into closures."""

    def __init__(self, condition: Condition) -> None:
        self.condition = condition
        self.slots = 0
        self.scopes: list[tuple[str, int]] = []  # comprehension variables, outermost first
        self.fields = field_types()

    def node(self, node: Any) -> Node:
        method = _METHODS.get(type(node))
        if method is None:
            raise _NotCompiled(type(node).__name__)
        return method(self, node)

    # --- structure -----------------------------------------------------------------------

    def statement(self, node: Any) -> Node:
        return self.node(node.expression)

    def literal(self, node: Any) -> Node:
        value = node.value
        return lambda _record, _frame: value

    def collection(self, node: Any) -> Node:
        members = [self.node(member) for member in node.value]
        make = node.result_type.python_type
        if all(type(member) in _LITERALS for member in node.value):
            value = make(member.value for member in node.value)  # the same on every call
            return lambda _record, _frame: value
        return lambda record, frame: make(m(record, frame) for m in members)

    def logic(self, node: Any) -> Node:
        left, right = self.node(node.left), self.node(node.right)
        if node.type == "and":
            return lambda record, frame: bool(left(record, frame) and right(record, frame))
        if node.type == "or":
            return lambda record, frame: bool(left(record, frame) or right(record, frame))
        raise _NotCompiled(node.type)

    def unary(self, node: Any) -> Node:
        right = self.node(node.right)
        if node.type == "not":
            return lambda record, frame: not right(record, frame)
        if node.type == "uminus":

            def minus(record: Any, frame: list[Any]) -> Any:
                value = right(record, frame)
                if type(value) is Decimal or type(value) is dt.timedelta:
                    return -value
                raise Unsure

            return minus
        raise _NotCompiled(node.type)

    def ternary(self, node: Any) -> Node:
        test = self.node(node.condition)
        case_true, case_false = self.node(node.case_true), self.node(node.case_false)
        return lambda record, frame: (
            case_true(record, frame) if test(record, frame) else case_false(record, frame)
        )

    def coalesce(self, node: Any) -> Node:
        left, right = self.node(node.left), self.node(node.right)

        def coalesce(record: Any, frame: list[Any]) -> Any:
            value = left(record, frame)
            return right(record, frame) if value is None else value

        return coalesce

    def comprehension(self, node: Any) -> Node:
        iterable = self.node(node.iterable)  # outside the variable's scope, as evaluated
        slot = FIRST_SLOT + self.slots
        self.slots += 1
        self.scopes.append((node.variable, slot))
        try:
            test = None if node.condition is None else self.node(node.condition)
            result = self.node(node.result)
        finally:
            self.scopes.pop()
        kept = self._kept_from_list(node, iterable)
        if kept is not None:
            return kept

        def comprehension(record: Any, frame: list[Any]) -> tuple[Any, ...]:
            values = iterable(record, frame)
            if type(values) is not tuple and type(values) is not set:
                raise Unsure  # null, or text (not iterable in rule-engine)
            out = []
            for value in values:
                frame[slot] = value
                if test is None or test(record, frame):
                    out.append(result(record, frame))
            return tuple(out)

        return comprehension

    def _kept_from_list(self, node: Any, iterable: Node) -> Node | None:
        """``[x for x in values if x in $list]`` (or ``x in $a or x in $b ...``), the
        commonest comprehension of the bundled library, in one loop: the same values
        tested the same way, each list looked up once (rule-engine looks them up for
        each value; looking one up early changes nothing, and one that raised would be
        given back). None for any other comprehension."""
        test, result = node.condition, node.result
        variable = node.variable
        tests = _or_operands(test)
        if not (
            all(
                type(t) is Containment
                and type(t.container) is BuiltinSymbol
                and t.container.name in self.condition.lists
                and type(t.member) is re_ast.SymbolExpression
                and t.member.name == variable
                and t.member.scope is None
                for t in tests
            )
            and type(result) is re_ast.SymbolExpression
            and result.name == variable
            and result.scope is None
            and all(name != variable for name, _slot in self.scopes)  # not an outer one's
        ):
            return None
        lookups = [self.node(t.container) for t in tests]
        accepted = set(accepted_types(result.result_type))
        for t in tests:
            accepted &= set(accepted_types(t.member.result_type))
        types = tuple(accepted)

        def kept_from_list(record: Any, frame: list[Any]) -> tuple[Any, ...]:
            values = iterable(record, frame)
            if type(values) is not tuple and type(values) is not set:
                raise Unsure
            if not values:
                return ()
            lists = [lookup(record, frame) for lookup in lookups]
            for listed in lists:
                if type(listed) is not set:
                    raise Unsure
            out = []
            for value in values:
                if value is not None and type(value) not in types:
                    raise Unsure
                for listed in lists:
                    if value in listed:
                        out.append(value)
                        break
            return tuple(out)

        return kept_from_list

    # --- symbols -------------------------------------------------------------------------

    def symbol(self, node: Any) -> Node:
        if node.scope is not None:
            raise _NotCompiled(f"scope {node.scope}")
        for variable, slot in self.scopes:  # outermost first, as rule-engine looks
            if variable == node.name:
                return variable_read(slot, node.result_type)
        if node.name not in self.fields:
            raise _NotCompiled(node.name)
        return field_read(node, self.fields[node.name])

    def builtin(self, node: Any) -> Node:
        name = node.name
        if name == "now" or name == "today":
            with evaluation_time(_PROBE):
                seen = node.evaluate(None)
            if seen != (
                _PROBE
                if name == "now"
                else _PROBE.replace(hour=0, minute=0, second=0, microsecond=0)
            ):
                raise _NotCompiled(f"${name}")  # fmt: skip
            index = NOW if name == "now" else TODAY
            return lambda _record, frame: frame[index]
        if name in self.condition.timed_lists:
            return timed_list(node)
        if name in self.condition.lists or (name in HELPERS or name == "range"):
            try:
                value = node.evaluate(None)  # a set or a function, the same on every call
            except rule_engine.EngineError as exc:
                raise _NotCompiled(f"${name}") from exc
            if name in HELPERS and value is not HELPERS[name]:
                raise _NotCompiled(f"${name}")
            return lambda _record, _frame: value
        raise _NotCompiled(f"${name}")

    # --- comparisons ---------------------------------------------------------------------

    def comparison(self, node: Any) -> Node:
        left, right = self.node(node.left), self.node(node.right)
        if node.type == "eq":

            def equal(record: Any, frame: list[Any]) -> Any:
                a, b = left(record, frame), right(record, frame)
                return type(a) is type(b) and a == b

            return equal
        if node.type == "ne":

            def unequal(record: Any, frame: list[Any]) -> Any:
                a, b = left(record, frame), right(record, frame)
                return type(a) is not type(b) or a != b

            return unequal
        raise _NotCompiled(node.type)

    def ordered(self, node: Any) -> Node:
        op = _ORDERINGS.get(node.type)
        if op is None:
            raise _NotCompiled(node.type)
        left, right = self.node(node.left), self.node(node.right)
        return lambda record, frame: ordered(op, left(record, frame), right(record, frame))

    def regex(self, node: Any) -> Node:
        kind = node.type
        if kind not in ("eq_fzm", "eq_fzs", "ne_fzm", "ne_fzs"):
            raise _NotCompiled(kind)
        use_match = kind.endswith("fzm")
        found_wanted = kind.startswith("eq")
        left = self.node(node.left)
        fixed = node._right if isinstance(node.right, re_ast.StringExpression) else None
        right = None if fixed is not None else self.node(node.right)
        compile_regex = node._compile_regex
        if fixed is None:
            worded = self._worded_regex(node, left, use_match, found_wanted)
            if worded is not None:
                return worded

        def regex(record: Any, frame: list[Any]) -> bool:
            text = left(record, frame)
            if text is not None and type(text) is not str:
                raise Unsure
            if right is None:
                pattern = fixed
            else:
                pattern = right(record, frame)
                if type(pattern) is str:
                    pattern = compile_regex(pattern)
                elif pattern is not None:
                    raise Unsure
            if text is None or pattern is None:
                # rule-engine: not modifier(left, regex)
                return (text is pattern) if found_wanted else (text is not pattern)
            match = pattern.match(text) if use_match else pattern.search(text)
            return (match is not None) if found_wanted else (match is None)

        return regex

    def _worded_regex(
        self, node: Any, left: Node, use_match: bool, found_wanted: bool
    ) -> Node | None:
        """``text =~~ ("\\b" + word + "\\b")``, the way a condition looks for each word
        of a watch list in a text: when the word has no regex syntax in it, the pattern
        matches only where the word is written, so a text that does not contain the
        word is not searched (the pattern is still compiled, as rule-engine compiles it:
        one that does not compile raises the same). The compiled patterns are kept per
        word. None for any other right side."""
        parts = _added_parts(node.right)
        varying = [n for n, part in enumerate(parts) if type(part) is not re_ast.StringExpression]
        if len(varying) != 1 or any(
            part.value not in _ZERO_WIDTH for n, part in enumerate(parts) if n != varying[0]
        ):
            return None
        compile_regex = node._compile_regex
        if compile_regex("A").search("a") is not None:  # a case-blind pattern: not literal
            return None
        prefix = "".join(part.value for part in parts[: varying[0]])
        suffix = "".join(part.value for part in parts[varying[0] + 1 :])
        word = self.node(parts[varying[0]])
        kept: dict[str, tuple[Any, bool]] = {}

        def regex(record: Any, frame: list[Any]) -> bool:
            text = left(record, frame)
            if text is not None and type(text) is not str:
                raise Unsure
            value = word(record, frame)
            if type(value) is not str:
                raise Unsure
            known = kept.get(value)
            if known is None:
                known = (compile_regex(prefix + value + suffix), _REGEX_SYNTAX.isdisjoint(value))
                if len(kept) < _KEPT_WORDS:
                    kept[value] = known
            if text is None:  # rule-engine: not modifier(left, regex), the regex not null
                return not found_wanted
            if known[1] and value not in text:
                return not found_wanted
            pattern = known[0]
            match = pattern.match(text) if use_match else pattern.search(text)
            return (match is not None) if found_wanted else (match is None)

        return regex

    def contains(self, node: Any) -> Node:
        container, member = self.node(node.container), self.node(node.member)

        def contains(record: Any, frame: list[Any]) -> bool:
            values = container(record, frame)
            if type(values) is str:
                item = member(record, frame)
                if type(item) is not str:
                    raise Unsure  # rule-engine refuses a member that is not text
                return item in values
            if type(values) is not tuple and type(values) is not set:
                raise Unsure
            return member(record, frame) in values

        return contains

    # --- arithmetic ----------------------------------------------------------------------

    def add(self, node: Any) -> Node:
        left, right = self.node(node.left), self.node(node.right)

        def add(record: Any, frame: list[Any]) -> Any:
            a, b = left(record, frame), right(record, frame)
            ta, tb = type(a), type(b)
            if (ta is tb and (ta is Decimal or ta is str or ta is dt.timedelta)) or (
                (ta is dt.datetime and tb is dt.timedelta)
                or (ta is dt.timedelta and tb is dt.datetime)
            ):
                return a + b
            raise Unsure

        return add

    def subtract(self, node: Any) -> Node:
        left, right = self.node(node.left), self.node(node.right)

        def subtract(record: Any, frame: list[Any]) -> Any:
            a, b = left(record, frame), right(record, frame)
            ta, tb = type(a), type(b)
            if (ta is tb and (ta is Decimal or ta is dt.timedelta or ta is dt.datetime)) or (
                ta is dt.datetime and tb is dt.timedelta
            ):
                return a - b
            raise Unsure

        return subtract

    def arithmetic(self, node: Any) -> Node:
        op = _ARITHMETIC.get(node.type)
        if op is None:
            raise _NotCompiled(node.type)
        left, right = self.node(node.left), self.node(node.right)

        def arithmetic(record: Any, frame: list[Any]) -> Any:
            a = left(record, frame)
            if type(a) is not Decimal:
                raise Unsure
            b = right(record, frame)
            if type(b) is not Decimal:
                raise Unsure
            return op(a, b)  # a division by zero raises: rule-engine words it

        return arithmetic

    # --- access --------------------------------------------------------------------------

    def attribute(self, node: Any) -> Node:
        if node._object_type is not None:  # an OBJECT type's attribute
            raise _NotCompiled(node.name)
        target = self.node(node.object)
        name, safe = node.name, node.safe
        resolve, new_value = node.context.resolve_attribute, node._new_value
        if name == "to_set":

            def to_set(record: Any, frame: list[Any]) -> Any:
                value = target(record, frame)
                if type(value) is str or type(value) is tuple or type(value) is set:
                    return set(value)
                if value is None and safe:
                    return None
                raise Unsure

            return to_set
        if name in ("length", "is_empty"):
            empty = name == "is_empty"

            def sized(record: Any, frame: list[Any]) -> Any:
                value = target(record, frame)
                if type(value) is str or type(value) is tuple or type(value) is set:
                    return len(value) == 0 if empty else Decimal(len(value))
                if value is None and safe:
                    return None
                raise Unsure

            return sized

        def attribute(record: Any, frame: list[Any]) -> Any:
            value = target(record, frame)
            if value is None:
                if safe:
                    return None
                raise Unsure
            if isinstance(value, Mapping):
                raise Unsure  # rule-engine may look the name up as a key
            # rule-engine's own attribute resolution, on the value.
            return new_value(resolve(record, value, name), verify_type=False)

        return attribute

    def item(self, node: Any) -> Node:
        container, key = self.node(node.container), self.node(node.item)
        safe = node.safe

        def item(record: Any, frame: list[Any]) -> Any:
            values = container(record, frame)
            if values is None:
                if safe:
                    return None
                raise Unsure
            if type(values) is not str and type(values) is not tuple:
                raise Unsure
            index = key(record, frame)
            if type(index) is not Decimal or not rule_engine.types.is_integer_number(index):
                raise Unsure
            try:
                value = values[int(index)]
            except IndexError:
                if safe:
                    return None
                raise Unsure from None
            if value is None or type(value) is str or type(value) is Decimal:
                return value
            raise Unsure

        return item

    def slice(self, node: Any) -> Node:
        container = self.node(node.container)
        start, stop = self.node(node.start), self.node(node.stop)
        safe = node.safe

        def bound(value: Any) -> int | None:
            if value is None:
                return None
            if type(value) is not Decimal or not rule_engine.types.is_integer_number(value):
                raise Unsure
            return int(value)

        def sliced(record: Any, frame: list[Any]) -> Any:
            values = container(record, frame)
            if values is None:
                if safe:
                    return None
                raise Unsure
            if type(values) is not str and type(values) is not tuple:
                raise Unsure
            first = bound(start(record, frame))
            last = bound(stop(record, frame))
            part = values[first:last]
            if type(part) is tuple and not all(
                v is None or type(v) is str or type(v) is Decimal for v in part
            ):
                raise Unsure
            return part

        return sliced

    def call(self, node: Any) -> Node:
        general = self._call(node)
        callee = node.function
        if not (
            type(callee) is re_ast.GetAttributeExpression
            and callee.name in ("starts_with", "ends_with")
            and callee._object_type is None
            and len(node.arguments) == 1
            and DataType.is_compatible(DataType.BOOLEAN, node.result_type)
        ):
            return general
        # text.starts_with(text): rule-engine's check of the argument passes for two
        # texts, and its test is a slice compared.
        target, argument = self.node(callee.object), self.node(node.arguments[0])
        starts = callee.name == "starts_with"

        def affix(record: Any, frame: list[Any]) -> Any:
            value = target(record, frame)
            if type(value) is str:
                part = argument(record, frame)
                if type(part) is str:
                    if starts:
                        return value[: len(part)] == part
                    return value[len(value) - len(part) :] == part
            return general(record, frame)

        return affix

    def _call(self, node: Any) -> Node:
        function = self.node(node.function)
        arguments = [self.node(a) for a in node.arguments]
        function_type = node.function.result_type
        result_type = node.result_type
        validate, new_value = node._validate_function, node._new_value
        typed = function_type != DataType.UNDEFINED

        def call(record: Any, frame: list[Any]) -> Any:
            callee = function(record, frame)
            if not callable(callee):
                raise Unsure
            values = tuple(a(record, frame) for a in arguments)
            if typed:
                validate(function_type, values)  # rule-engine's own check, on the values
            result = new_value(callee(*values))
            if type(result) is bool and result_type == DataType.BOOLEAN:
                return result
            if not DataType.is_compatible(DataType.from_value(result), result_type):
                raise Unsure
            return result

        return call


def _or_operands(node: Any) -> list[Any]:
    """The operands of a chain of ``or``, left to right (the node itself otherwise)."""
    if type(node) is re_ast.LogicExpression and node.type == "or":
        return _or_operands(node.left) + _or_operands(node.right)
    return [node]


def _added_parts(node: Any) -> list[Any]:
    """The operands of a chain of ``+``, left to right (the node itself when it is not
    an addition)."""
    if type(node) is re_ast.AddExpression:
        return _added_parts(node.left) + _added_parts(node.right)
    return [node]


# Text around a word in a pattern that matches no character (a word boundary), and the
# characters that are regex syntax in RE2's grammar (outside a class) or that a text
# could hold around a match differently (line ends): a word without any of them matches
# only itself.
_ZERO_WIDTH = frozenset({"", "\\b"})
_REGEX_SYNTAX = frozenset("\\.+*?()|[]{}^$\n\r")
_KEPT_WORDS = 4096


_ORDERINGS = {"ge": operator.ge, "gt": operator.gt, "le": operator.le, "lt": operator.lt}
_ARITHMETIC = {
    "mul": operator.mul,
    "tdiv": operator.truediv,
    "fdiv": operator.floordiv,
    "mod": operator.mod,
    "pow": operator.pow,
}
_LITERALS = (
    re_ast.FloatExpression,
    re_ast.StringExpression,
    re_ast.BooleanExpression,
    re_ast.NullExpression,
    re_ast.DatetimeExpression,
    re_ast.TimedeltaExpression,
    re_ast.BytesExpression,
)
_METHODS: dict[type, Callable[[_Compiler, Any], Node]] = {
    re_ast.Statement: _Compiler.statement,
    **dict.fromkeys(_LITERALS, _Compiler.literal),
    re_ast.ArrayExpression: _Compiler.collection,
    re_ast.SetExpression: _Compiler.collection,
    re_ast.LogicExpression: _Compiler.logic,
    re_ast.UnaryExpression: _Compiler.unary,
    re_ast.TernaryExpression: _Compiler.ternary,
    re_ast.CoalesceExpression: _Compiler.coalesce,
    re_ast.ComprehensionExpression: _Compiler.comprehension,
    re_ast.SymbolExpression: _Compiler.symbol,
    FieldSymbol: _Compiler.symbol,
    BuiltinSymbol: _Compiler.builtin,
    re_ast.ComparisonExpression: _Compiler.comparison,
    re_ast.ArithmeticComparisonExpression: _Compiler.ordered,
    RegexComparison: _Compiler.regex,
    Containment: _Compiler.contains,
    re_ast.AddExpression: _Compiler.add,
    re_ast.SubtractExpression: _Compiler.subtract,
    re_ast.ArithmeticExpression: _Compiler.arithmetic,
    re_ast.GetAttributeExpression: _Compiler.attribute,
    re_ast.GetItemExpression: _Compiler.item,
    re_ast.GetSliceExpression: _Compiler.slice,
    re_ast.FunctionCallExpression: _Compiler.call,
}
