"""Comprehensions over a list field whose body reads other fields, or another list (a
cross product per row), translated for the columnar engine (the list exploded to one
row per element, :mod:`riskprofile.engines.columnar._translate._exploded`) and equal,
row for row, to the row-wise engine: random bodies over random lists with empty and
short texts, null fields, empty lists; the shapes ``suggest`` writes in its drafts; the
batches that bound the exploded frame; what still falls back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import rule_engine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import strategies as rst
from tests.depth import depth

pl = pytest.importorskip("polars")

from riskprofile.engines.columnar import _masks, shipment_frame  # noqa: E402
from riskprofile.engines.columnar._masks import condition_masks, masks_for  # noqa: E402
from riskprofile.engines.columnar._translate import _exploded, translate  # noqa: E402
from riskprofile.evaluation._candidates import KINDS  # noqa: E402
from riskprofile.model import Shipment  # noqa: E402
from riskprofile.profiles._explain import record_of  # noqa: E402
from riskprofile.profiles._expressions import Condition, compile_condition  # noqa: E402

AS_OF = rst.RULE_AS_OF
# Combination texts as suggest writes them ("<code>:<country>[:<departure>]"), made of
# the generated shipments' codes, texts and their first letters.
PAIRS = frozenset(
    [
        "84:AF",
        "AF:PK",
        "AF:AF",
        "84:PKKHI",
        "8:CN",
        "AF:84:PK",
        "84:AF:AF",
        "A:",
        ":AF",
        "PK:",
        "::",
        "84:PK:PK",
        "AF:CN:AF",
        "84:USD",
        "CN:84",
    ]
)
LISTS: dict[str, tuple[str, frozenset[Any]]] = {**rst.RULE_LISTS, "pairs": ("string", PAIRS)}
LIST_VALUES = {name: values for name, (_kind, values) in LISTS.items()}


def rowwise(condition: Condition, shipments: Sequence[Shipment]) -> tuple[list[bool], list[bool]]:
    hits, errors = [], []
    for shipment in shipments:
        try:
            hits.append(bool(condition.evaluate(record_of(shipment), AS_OF)))
            errors.append(False)
        except rule_engine.EngineError:
            hits.append(False)
            errors.append(True)
    return hits, errors


@contextlib.contextmanager
def parts_evaluated(way: str) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        if way == "rows":
            patch.setattr(_masks, "_WEIGHT_FOR_DISTINCT", float("inf"))
        elif way == "distinct":
            patch.setattr(_masks, "_WEIGHT_FOR_DISTINCT", 0.0)
            patch.setattr(_masks, "_DISTINCT_SHARE", 1.0)
        yield


# --- random bodies -----------------------------------------------------------------------------

_LISTS = (*rst.RULE_LIST_FIELDS, "hs_chapters[:2]", "route_countries[1:]")
_TEXTS = ("port_of_loading", "port_of_loading[:2]", '(description ?? "")', "consignee_name",
          "place_of_delivery&[:2]", "value_currency", '"AF"')  # fmt: skip


def _element(v: str) -> st.SearchStrategy[str]:
    """Text made of the element ``v`` (short and empty texts: slices, indexes)."""
    return st.sampled_from([v, f"{v}[:1]", f"{v}[1:]", f"{v}[0]", f"{v}.as_lower", f"{v}[-2:]"])


def _body(variables: Sequence[str]) -> st.SearchStrategy[str]:
    """A condition reading the elements ``variables`` and other fields."""
    elements = st.one_of(*(_element(v) for v in variables))
    texts = st.one_of(elements, st.sampled_from(_TEXTS))
    joined = st.lists(texts, min_size=2, max_size=3).map(lambda t: ' + ":" + '.join(t))
    atoms = st.one_of(
        joined.map(lambda j: f"{j} in $pairs"),
        st.tuples(elements, st.sampled_from(["==", "!=", "<", ">="]), texts).map(" ".join),
        st.tuples(elements, st.sampled_from(["in", "not in"]), st.sampled_from(_LISTS)).map(
            " ".join
        ),
        st.tuples(elements, st.sampled_from(_TEXTS)).map(lambda t: f"{t[0]}.starts_with({t[1]})"),
        st.tuples(st.sampled_from(_TEXTS), elements).map(lambda t: f"{t[1]} in {t[0]}"),
        elements.map(lambda e: f"{e}.length > packages"),
        st.tuples(elements, texts).map(lambda t: f'({t[0]} + {t[1]}) =~ "^A"'),
        elements.map(lambda e: f"{e} in $codes"),
        st.sampled_from(rst.RULE_BOOLEAN_FIELDS),
    )
    return st.one_of(
        atoms,
        st.tuples(atoms, st.sampled_from(["and", "or"]), atoms).map(" ".join),
        atoms.map(lambda a: f"not ({a})"),
    )


def _use(comprehension: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        ["{}", "{}.length > 0", "{}.length == 1", "{}.is_empty", "not {}", "{}.length > packages"]
    ).map(lambda use: use.format(comprehension))


@st.composite
def comprehensions(draw: st.DrawFn) -> str:
    """``[v for v in LIST if BODY]`` (or with a result reading a field), whose body reads
    other fields and may hold ``[c for c in LIST2 if BODY2]`` over v, c and fields."""
    outer = draw(st.sampled_from(_LISTS))
    body = draw(_body(["v"]))
    if draw(st.booleans()):
        inner = f"[c for c in {draw(st.sampled_from(_LISTS))} if {draw(_body(['v', 'c']))}]"
        body = draw(st.sampled_from(["{}", "{} and ({})", "{} or ({})"])).format(
            draw(_use(inner)), body
        )
    result = draw(st.sampled_from(["v", "v", "v + port_of_loading", "v + description[:1]"]))
    shape = draw(_use(f"[{result} for v in {outer} if {body}]"))
    around = draw(st.sampled_from(["{}", "is_lcl and ({})", "({}) or consignee_aeo"]))
    return str(around.format(shape))


def _equal_rowwise(expressions: Sequence[str], shipments: Sequence[Shipment], way: str) -> int:
    """Every expression that compiles: translated (no fallback) and masks equal to the
    row-wise engine's, all in one evaluation; returns how many were compared."""
    items = []
    for index, expression in enumerate(expressions):
        condition = compile_condition(expression, LISTS)
        if not isinstance(condition, Condition):
            continue  # a type mismatch the generator does not avoid
        assert translate(condition, LIST_VALUES, AS_OF).fallback is None, expression
        try:
            expected = rowwise(condition, shipments)
        except Exception as exc:  # a crash row-wise (`"A" in null`): so must columnar
            with pytest.raises(type(exc)):
                condition_masks(shipment_frame(shipments), condition, LIST_VALUES, AS_OF)
            continue
        items.append((str(index), condition, expected))
    with parts_evaluated(way):
        masks = masks_for(
            shipment_frame(shipments),
            [(key, condition) for key, condition, _ in items],
            {key: LIST_VALUES for key, _, _ in items},
            AS_OF,
        )
    for key, condition, expected in items:
        assert masks[key].fallback is None
        got = (masks[key].hit.to_list(), masks[key].error.to_list())
        assert got == expected, condition.expression
    return len(items)


@settings(max_examples=depth(300), deadline=None, suppress_health_check=list(HealthCheck))
@given(comprehensions(), st.lists(rst.rule_shipments(), min_size=1, max_size=6))
def test_random_comprehensions_reading_other_fields_equal_rowwise(
    expression: str, shipments: list[Shipment]
) -> None:
    _equal_rowwise([expression], shipments, "chosen")


@settings(max_examples=depth(100), deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(comprehensions(), min_size=1, max_size=3),
    st.lists(rst.rule_shipments(), min_size=1, max_size=4),
    st.sampled_from(["rows", "distinct"]),
    st.integers(1, 4),
)
def test_several_in_one_evaluation_in_small_batches_equal_rowwise(
    expressions: list[str], shipments: list[Shipment], way: str, batch: int
) -> None:
    # Equal comprehensions of different conditions share one evaluation; each condition
    # still gets its own masks. Batches of a few elements: rows split across batches.
    rows = [*shipments, *reversed(shipments)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_exploded, "ELEMENTS_PER_BATCH", batch)
        _equal_rowwise([*expressions, *expressions[:1]], rows, way)


@settings(max_examples=depth(100), deadline=None, suppress_health_check=list(HealthCheck))
@given(comprehensions(), st.lists(rst.rule_shipments(), min_size=1, max_size=6))
def test_lists_of_at_most_one_element_equal_rowwise(
    expression: str, shipments: list[Shipment]
) -> None:
    # A declaration has one HS code and one origin: no list to explode (a path of its own).
    rows = [
        s.model_copy(update={f: getattr(s, f)[:1] for f in rst.RULE_LIST_FIELDS}) for s in shipments
    ]
    _equal_rowwise([expression], rows, "chosen")


# --- the shapes suggest writes ----------------------------------------------------------------

COMBINATIONS = {kind.name: kind.condition for kind in KINDS if kind.list_name in (
    "heading_origins", "code_origin_departures", "code_tax_types")}  # fmt: skip
DRAFT_LISTS: dict[str, tuple[str, frozenset[Any]]] = {
    "heading_origins": ("string", frozenset({"8401:CN", "9301:AF", "3004:IN"})),
    "code_origin_departures": ("string", frozenset({"840120:CN:PK", "930120:AF:AE"})),
    "code_tax_types": ("string", frozenset({"840120:VAT", "300490:EXCISE"})),
}


def _draft_shipments() -> list[Shipment]:
    codes = (["84012011", "93012000"], ["840120"], [], ["8"], ["30049000", "8401201"], [""])
    origins = (["CN", "AF"], [], ["IN"], ["AF", "CN", ""], ["C"])
    ports = (None, "PKKHI", "AEJEA", "P", "")
    taxes = (None, "VAT", "EXCISE", "")
    return [
        Shipment(
            hs_codes=codes[i % 6],
            hs_headings=[c[:4] for c in codes[i % 6]],
            hs_subheadings=[c[:6] for c in codes[i % 6]],
            origin_countries=origins[i % 5],
            port_of_loading=ports[i % 5 - 1],
            tax_type=taxes[i % 4],
        )
        for i in range(60)
    ]


@pytest.mark.parametrize("kind", sorted(COMBINATIONS))
def test_the_combination_conditions_of_a_draft_are_translated(kind: str) -> None:
    # Row by row in rule-engine before (23 conditions, 147,309 evaluations at 100k).
    condition = compile_condition(
        COMBINATIONS[kind].replace("${list}", "$" + KINDS_LIST[kind]), DRAFT_LISTS
    )
    assert isinstance(condition, Condition)
    values = {name: values for name, (_, values) in DRAFT_LISTS.items()}
    assert translate(condition, values, AS_OF).fallback is None
    shipments = _draft_shipments()
    masks = condition_masks(shipment_frame(shipments), condition, values, AS_OF)
    expected = rowwise(condition, shipments)
    assert (masks.hit.to_list(), masks.error.to_list()) == expected
    assert any(expected[0])  # the comparison is not between two empty sets


KINDS_LIST = {kind.name: kind.list_name for kind in KINDS}


# --- the bound -------------------------------------------------------------------------------


def test_the_exploded_frame_is_built_in_bounded_batches() -> None:
    seen: list[int] = []
    original = _exploded._Exploded._per_row

    def recording(self: Any, rows: Any, lengths: Any) -> Any:
        seen.append(int(rows.get_column("~list").list.len().sum()))
        return original(self, rows, lengths)

    shipments = [Shipment(hs_chapters=[f"{n:02}"] * (n % 7), route_countries=["AF", "PK"],
                          port_of_loading="AFKBL") for n in range(40)]  # fmt: skip
    expression = (
        "[h for h in hs_chapters if [c for c in route_countries "
        'if h + ":" + c + ":" + port_of_loading[:2] in $pairs]].length > 0'
    )
    condition = compile_condition(expression, LISTS)
    assert isinstance(condition, Condition)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_exploded, "ELEMENTS_PER_BATCH", 10)
        patch.setattr(_exploded._Exploded, "_per_row", recording)
        masks = condition_masks(shipment_frame(shipments), condition, LIST_VALUES, AS_OF)
    assert (masks.hit.to_list(), masks.error.to_list()) == rowwise(condition, shipments)
    assert len(seen) > 10
    assert max(seen) <= 10 + 6 - 1  # the budget, and a row's elements but its first


def test_comprehensions_nested_three_deep_fall_back_and_say_why() -> None:
    expression = (
        "[a for a in hs_chapters if [b for b in route_countries if "
        "[c for c in transshipment_ports if a + b + c + port_of_loading in $pairs]]]"
    )
    condition = compile_condition(expression, LISTS)
    assert isinstance(condition, Condition)
    translation = translate(condition, LIST_VALUES, AS_OF)
    assert translation.fallback is not None
    assert "nested more than 2 deep" in translation.fallback
    rows = [Shipment(hs_chapters=["8"], route_countries=["4"], transshipment_ports=[":AF"],
                     port_of_loading=""), Shipment()]  # fmt: skip
    masks = condition_masks(shipment_frame(rows), condition, LIST_VALUES, AS_OF)
    assert masks.fallback == translation.fallback
    assert (masks.hit.to_list(), masks.error.to_list()) == ([True, False], [False, False])


def test_an_element_body_over_another_list_is_not_read_as_its_own_element() -> None:
    # Both elements would be pl.element() in one list.eval: h == c must compare the two.
    rows = [Shipment(hs_chapters=["AF", "84"], route_countries=["84"]),
            Shipment(hs_chapters=["AF"], route_countries=["PK"]),
            Shipment(hs_chapters=[], route_countries=["PK"])]  # fmt: skip
    condition = compile_condition(
        "[h for h in hs_chapters if [c for c in route_countries if h == c]].length", LISTS
    )
    assert isinstance(condition, Condition)
    masks = condition_masks(shipment_frame(rows), condition, LIST_VALUES, AS_OF)
    assert masks.fallback is None
    assert masks.hit.to_list() == [True, False, False]


def test_a_frame_of_no_rows_and_lists_all_empty() -> None:
    condition = compile_condition(
        '[h for h in hs_chapters if h + ":" + port_of_loading in $pairs]', LISTS
    )
    assert isinstance(condition, Condition)
    for rows in ([], [Shipment(), Shipment(port_of_loading="PK")]):
        frame = shipment_frame(rows)
        masks = condition_masks(frame, condition, LIST_VALUES, AS_OF)
        assert masks.fallback is None
        assert (masks.hit.to_list(), masks.error.to_list()) == rowwise(condition, rows)


def test_the_same_comprehension_with_other_list_values_is_not_shared() -> None:
    rows = [Shipment(hs_chapters=["84"], route_countries=["AF"], port_of_loading="PKKHI")]
    expression = '[h for h in hs_chapters if h + ":" + port_of_loading in $pairs]'
    one = compile_condition(expression, {"pairs": ("string", frozenset({"84:PKKHI"}))})
    other = compile_condition(expression, {"pairs": ("string", frozenset({"85:PKKHI"}))})
    assert isinstance(one, Condition)
    assert isinstance(other, Condition)
    masks = masks_for(
        shipment_frame(rows),
        [("one", one), ("other", other)],
        {"one": {"pairs": frozenset({"84:PKKHI"})}, "other": {"pairs": frozenset({"85:PKKHI"})}},
        dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
    )
    assert masks["one"].hit.to_list() == [True]
    assert masks["other"].hit.to_list() == [False]
