"""Every public entry point refuses bad input with a RiskProfileError that says where:
a record (record, field, value, Pydantic's error as ``__cause__``) or an argument (its
name, the value, the valid values). A strictness is taken exactly as documented."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import riskprofile as rp
from riskprofile.errors import ArgumentError, RecordError, RiskProfileError
from riskprofile.io import read_frame
from riskprofile.model import (
    LENIENT,
    STRICT,
    Container,
    GoodsItem,
    Manifest,
    Shipment,
    StrictnessMode,
    parse_strictness,
    validation_context,
)
from tests.depth import depth

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "karachi-sample.csv"
BAD_DIGIT = {"number": "CSQU3054384"}  # ISO 6346 check digit should be 3


@pytest.fixture(scope="module")
def profiles() -> list[rp.CompiledProfile]:
    return list(rp.load_profiles(bundled=True))


# --- records ---------------------------------------------------------------------------


def test_model_validate_raises_record_error_with_the_pydantic_error_as_cause() -> None:
    with pytest.raises(RecordError) as info:
        Container.model_validate(BAD_DIGIT)
    err = info.value
    assert isinstance(err, RiskProfileError)
    assert isinstance(err, ValueError)  # as Pydantic's ValidationError was
    assert isinstance(err.__cause__, ValidationError)
    assert (err.field, err.value) == ("number", "CSQU3054384")
    assert err.record == "Container number='CSQU3054384'"
    assert "check digit" in err.reason
    assert err.errors()[0]["type"] == "check_digit"


def test_constructor_names_the_field_value_and_every_problem() -> None:
    with pytest.raises(RecordError) as info:
        Shipment(shipment_id="S1", gross_weight_kg="abc", teu="x")  # type: ignore[arg-type]
    err = info.value
    assert err.record == "Shipment shipment_id='S1'"
    assert {field for field, _, _ in err.problems} == {"gross_weight_kg", "teu"}
    assert "(and 1 more problem)" in str(err)
    assert str(err).startswith("record Shipment shipment_id='S1', field ")


def test_nested_problem_is_located_by_its_path() -> None:
    doc = {"vessel_name": "MSC ANNA", "containers": [{"number": "CSQU3054383"}, BAD_DIGIT]}
    with pytest.raises(RecordError) as info:
        Manifest.model_validate(doc)
    assert info.value.field == "containers.1.number"
    assert info.value.record == "Manifest vessel_name='MSC ANNA'"


def test_model_validate_json_raises_record_error() -> None:
    with pytest.raises(RecordError, match="check digit"):
        Container.model_validate_json('{"number": "CSQU3054384"}')


def test_record_error_pickles_with_its_problems() -> None:
    with pytest.raises(RecordError) as info:
        GoodsItem.model_validate({"packages": "many", "value": "n/a"})
    back = pickle.loads(pickle.dumps(info.value))
    assert str(back) == str(info.value)
    assert back.problems == info.value.problems
    assert [e["loc"] for e in back.errors()] == [("packages",), ("value",)]


def test_flatten_validates_a_manifest_document() -> None:
    with pytest.raises(RecordError, match="consignments"):
        rp.flatten({"consignments": 5})
    shipments = rp.flatten({"containers": [{"number": "CSQU3054383"}]})
    assert [s.container_number for s in shipments] == ["CSQU3054383"]


def test_score_refuses_what_is_not_a_shipment_naming_its_place(
    profiles: list[rp.CompiledProfile],
) -> None:
    items: list[Any] = [Shipment(), {"bl_number": "X"}]
    with pytest.raises(RecordError) as info:
        rp.score(items, profiles, as_of="2026-11-02")
    assert info.value.record == 1
    assert "not a Shipment (dict)" in str(info.value)


def test_evaluate_refuses_what_is_not_an_outcome(profiles: list[rp.CompiledProfile]) -> None:
    run = rp.score(SAMPLE, profiles, as_of="2026-11-02", engine="rowwise")
    with pytest.raises(RecordError, match="record 0: not an Outcome"):
        rp.evaluate(run, [{"container_number": "X"}])  # type: ignore[list-item]


# --- arguments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda p: rp.score([], p, as_of="yesterday"), "as_of"),
        (lambda p: rp.score([], p, as_of=20261102), "as_of"),
        (lambda p: rp.score([Shipment()], p, as_of="2026-11-02", engine="fast"), "engine"),
        (lambda p: rp.score(5, p, as_of="2026-11-02"), "shipments"),
        (lambda p: rp.read_batch(SAMPLE, strictness="Lenient"), "strictness"),
        (lambda p: read_frame(SAMPLE, strictness="strict "), "strictness"),
        (
            lambda p: rp.select(rp.score([Shipment()], p, as_of="2026-11-02"), capacity=-1),
            "capacity",
        ),
    ],
)
def test_bad_argument_is_an_argument_error_naming_it(
    call: Callable[[list[rp.CompiledProfile]], object],
    argument: str,
    profiles: list[rp.CompiledProfile],
) -> None:
    with pytest.raises(ArgumentError) as info:
        call(profiles)
    assert info.value.argument == argument
    assert isinstance(info.value, ValueError)


# --- strictness --------------------------------------------------------------------------


def test_the_documented_strictness_values_are_accepted() -> None:
    for given_, mode in [
        ("strict", "strict"),
        ("lenient", "lenient"),
        (StrictnessMode.STRICT, "strict"),
        (StrictnessMode.LENIENT, "lenient"),
        (STRICT, "strict"),
        (LENIENT, "lenient"),
    ]:
        assert parse_strictness(given_) == mode
        assert type(parse_strictness(given_)) is str
    assert validation_context(StrictnessMode.LENIENT) == LENIENT


@pytest.mark.parametrize("context", ["lenient", StrictnessMode.LENIENT, LENIENT, {**LENIENT}])
def test_every_documented_lenient_context_is_lenient(context: Any) -> None:
    box = Container.model_validate(BAD_DIGIT, context=context)
    assert [f.code for f in box.quality_flags] == ["check_digit"]


@pytest.mark.parametrize(
    "context",
    [{"strictness": "lenEnt"}, {"strictness": "strict "}, {"strictness": "LENIENT"}, "loose", 3],
)
def test_a_misspelt_context_is_refused_not_taken_as_strict(context: Any) -> None:
    with pytest.raises(ArgumentError) as info:
        Container.model_validate(BAD_DIGIT, context=context)
    assert info.value.valid == ("strict", "lenient")
    assert "must be" in str(info.value)


@settings(max_examples=depth(60), deadline=None)
@given(st.text(max_size=12).filter(lambda s: s not in ("strict", "lenient")))
def test_any_other_strictness_is_refused_everywhere(text: str) -> None:
    with pytest.raises(ArgumentError, match="'strict' or 'lenient'"):
        parse_strictness(text)
    with pytest.raises(ArgumentError):
        validation_context(text)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError):
        Container.model_validate(BAD_DIGIT, context={"strictness": text})
    with pytest.raises(ArgumentError):
        rp.read_batch(SAMPLE, strictness=text)  # type: ignore[arg-type]
