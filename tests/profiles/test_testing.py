"""Profile examples: built the way real data is built, failures that show the values,
and examples checked when the profiles load (``riskprofile validate``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.errors import ProfileSetError
from riskprofile.model import Manifest
from riskprofile.model.shipment import flatten
from riskprofile.profiles import load_all_profiles, run_examples
from riskprofile.profiles._testing import DERIVED_FROM, example_shipment
from tests.depth import depth

HEADER = """\
id: t.examples
version: 1
title: Examples
category: other
owner: PCU Karachi
"""


def _profile(tmp_path: Path, indicators: str, examples: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(HEADER + "indicators:\n" + indicators + "examples:\n" + examples)
    return path


def _outcomes(tmp_path: Path, when: str, shipment: dict[str, Any], hit: bool) -> list[str]:
    example = {"name": "e", "shipment": shipment, ("hits" if hit else "misses"): ["x"]}
    path = _profile(
        tmp_path,
        f"  - {{id: x, title: X, when: {json.dumps(when)}, weight: 1}}\n",
        "  " + yaml.safe_dump([example], default_flow_style=True, width=10**6),
    )
    (outcome,) = run_examples(load_all_profiles(path))
    return list(outcome.failures)


# Each was a flat record: the derived field stayed at its default, so the example failed
# (or, written as a miss, passed for the wrong reason).
DERIVED = {
    "hs_codes give hs_chapters": ('"08" in hs_chapters', {"hs_codes": ["08039010"]}),
    "hs_codes give hs_headings": ('"0803" in hs_headings', {"hs_codes": ["08039010"]}),
    "transshipment_ports give transshipment_count": (
        "transshipment_count >= 2",
        {"transshipment_ports": ["PAMIT", "AEJEA"]},
    ),
    "size-type gives container_type": (
        'container_type == "reefer"',
        {"container_size_type": "45R1"},
    ),
    "ports give the route": (
        '"PA" in route_countries',
        {"port_of_loading": "ECGYE", "transshipment_ports": ["PAMIT"]},
    ),
    "value and weight give value_per_kg": (
        "value_per_kg < 1",
        {"declared_value": 500, "value_currency": "USD", "goods_gross_weight_kg": 1000},
    ),
    "a laden box with no seal": (
        "container_full == true and seal_count == 0",
        {"container_full": True},
    ),
    "VGM and tare give the cargo mass": (
        "container_cargo_mass_kg > 20000",
        {"container_number": "MSKU1234565", "verified_gross_mass_kg": 26100, "tare_kg": 4500},
    ),
    "a bad check digit is flagged": (
        "container_number_valid == false",
        {"container_number": "CSQU3054384"},
    ),
    "a master B/L makes a house B/L": ("is_house_bl", {"master_bl_number": "MAEU240500001"}),
}


@pytest.mark.parametrize(("when", "shipment"), DERIVED.values(), ids=DERIVED.keys())
def test_an_example_is_built_like_real_data(
    when: str, shipment: dict[str, Any], tmp_path: Path
) -> None:
    assert _outcomes(tmp_path, when, shipment, hit=True) == []
    assert _outcomes(tmp_path, when, shipment, hit=False) != []


def test_names_are_folded_as_a_feed_folds_them(tmp_path: Path) -> None:
    shipment = {"consignee_name": "  zeta   trading llc ", "description": "fresh  bananas"}
    when = 'consignee_name == "ZETA TRADING LLC" and description == "FRESH BANANAS"'
    assert _outcomes(tmp_path, when, shipment, hit=True) == []


def test_a_derived_value_that_disagrees_with_its_source_fails_the_example(
    tmp_path: Path,
) -> None:
    shipment = {"hs_codes": ["290511"], "hs_chapters": ["28"]}
    assert _outcomes(tmp_path, '"28" in hs_chapters', shipment, hit=True) == [
        "hs_chapters is ['28'] in the example but ['29'] in a shipment built from it "
        "(derived from hs_codes): correct it, or leave it out"
    ]


def test_a_derived_value_agreeing_with_its_source_is_accepted(tmp_path: Path) -> None:
    shipment = {"hs_codes": ["290511"], "hs_chapters": ["29"], "transshipment_ports": ["PAMIT"],
                "transshipment_count": 1}  # fmt: skip
    assert _outcomes(tmp_path, '"29" in hs_chapters', shipment, hit=True) == []


def test_a_derived_value_without_its_source_is_taken_as_stated(tmp_path: Path) -> None:
    # The example cannot declare it (a route with no ports, LCL, data-quality flags).
    assert _outcomes(tmp_path, '"IR" in route_countries', {"route_countries": ["IR"]}, True) == []
    assert _outcomes(tmp_path, "is_lcl", {"is_lcl": True, "bl_count_in_container": 3}, True) == []


def test_a_derived_value_taken_as_stated_is_said(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        "  - {id: x, title: X, when: '\"IR\" in route_countries', weight: 1}\n",
        "  - {name: stated, shipment: {route_countries: [IR], seal_count: 0}, hits: [x]}\n"
        "  - {name: declared, shipment: {port_of_loading: IRBND}, hits: [x]}\n",
    )
    stated, declared = run_examples(load_all_profiles(path))
    assert (stated.passed, stated.stated) == (True, ("route_countries",))  # 0 seals: as built
    assert str(stated).endswith(
        "stated: ok (states route_countries without the fields they come from)"
    )
    assert (declared.passed, declared.stated) == (True, ())


def test_what_the_example_does_not_say_stays_null(tmp_path: Path) -> None:
    shipment, problems = example_shipment({"container_size_type": "45R1"})
    assert problems == []
    assert (shipment.container_type, shipment.container_length_ft) == ("reefer", 40.0)
    # a stand-in number and bill made the manifest valid; the example did not give them
    assert (shipment.container_number, shipment.bl_number) == (None, None)
    assert shipment.container_number_valid is None


def test_a_failing_example_shows_the_values_its_condition_uses(tmp_path: Path) -> None:
    when = 'container_type == "reefer" and port_of_loading == "ECGYE"'
    shipment = {"container_size_type": "22G1", "port_of_loading": "ECGYE"}
    assert _outcomes(tmp_path, when, shipment, hit=True) == [
        "'x' should hit but does not [container_type='general', port_of_loading='ECGYE']"
    ]
    shipment["container_size_type"] = "45R1"
    assert _outcomes(tmp_path, when, shipment, hit=False) == [
        "'x' should not hit but does [container_type='reefer', port_of_loading='ECGYE']"
    ]


def test_an_exception_that_holds_shows_its_values(tmp_path: Path) -> None:
    path = _profile(
        tmp_path,
        '  - {id: x, title: X, when: container_type == "reefer", weight: 1}\n'
        "exceptions:\n  - {id: empty, when: container_full == false}\n",
        "  - {name: e, shipment: {container_size_type: 45R1, container_full: false}, hits: [x]}\n",
    )
    (outcome,) = run_examples(load_all_profiles(path))
    assert outcome.failures == (
        "exception 'empty' holds, so no indicator can hit [container_full=false]",
    )


def test_derived_from_names_shipment_fields() -> None:
    from riskprofile.model import Shipment

    for name, sources in DERIVED_FROM.items():
        assert name in Shipment.model_fields
        assert set(sources) <= set(Shipment.model_fields) - set(DERIVED_FROM) | {"declared_value"}


SHIPMENT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "port_of_loading": st.sampled_from(["ECGYE", "COBUN", "PKKHI"]),
        "transshipment_ports": st.lists(st.sampled_from(["PAMIT", "AEJEA", "ESALG"]), max_size=3),
        "port_of_discharge": st.sampled_from(["PKKHI", "KZALA"]),
        "hs_codes": st.lists(
            st.sampled_from(["08039010", "290511", "680221"]), max_size=2, unique=True
        ),
        "origin_countries": st.lists(st.sampled_from(["EC", "IR"]), max_size=2, unique=True),
        "container_size_type": st.sampled_from(["45R1", "22G1", "42P1", "2200"]),
        "container_full": st.booleans(),
        "seal_numbers": st.lists(st.sampled_from(["S1", "S2"]), max_size=2, unique=True),
        "consignee_name": st.sampled_from(["TO ORDER", "ZETA TRADING LLC"]),
        "goods_gross_weight_kg": st.floats(1, 30000),
        "value_currency": st.sampled_from(["USD", "EUR"]),
    },
)


def test_a_value_without_its_currency_is_no_value() -> None:
    _, problems = example_shipment({"declared_value": 100})
    assert problems == [
        "declared_value is 100 in the example but null in a shipment built from it (a "
        "feed's value counts only with its value_currency): correct it, or leave it out"
    ]


@settings(max_examples=depth(60), deadline=None)
@given(SHIPMENT_FIELDS)
def test_an_example_agrees_with_flatten_on_every_derived_field(fields: dict[str, Any]) -> None:
    # The same declared fields, as a feed sends them, flatten to the same derived fields:
    # examples reuse flatten, they do not copy it.
    shipment, problems = example_shipment(fields)
    assert problems == []
    number = "MSKU1234565"
    manifest = Manifest.model_validate(
        {
            "consignments": [
                {
                    "bl_number": "B1",
                    "port_of_loading": fields.get("port_of_loading"),
                    "transshipment_ports": fields.get("transshipment_ports", []),
                    "port_of_discharge": fields.get("port_of_discharge"),
                    "consignee": {"name": fields["consignee_name"]}
                    if "consignee_name" in fields
                    else None,
                    "container_numbers": [number],
                    "goods": [
                        {"hs_code": code, "container_number": number}
                        for code in fields.get("hs_codes", [])
                    ],
                }
            ],
            "containers": [
                {
                    "number": number,
                    "size_type": fields.get("container_size_type"),
                    "full": fields.get("container_full"),
                    "seals": [{"number": n} for n in fields.get("seal_numbers", [])],
                }
            ],
        }
    )
    (real,) = flatten(manifest)
    for name in ("route", "route_countries", "transshipment_count", "hs_chapters",
                 "hs_headings", "container_type", "container_teu", "seal_count",
                 "sealer_types"):  # fmt: skip
        assert getattr(shipment, name) == getattr(real, name), name


# --- examples checked at load time --------------------------------------------------------

BAD_EXAMPLES = {
    "unknown field": (
        "    shipment: {@@port_of_loadin: ECGYE}\n    hits: [x]\n",
        "example 'e': unknown shipment field 'port_of_loadin'",
        "did you mean 'port_of_loading'?",
    ),
    "value of the wrong type": (
        "    shipment: {@@packages: many}\n    hits: [x]\n",
        "example 'e': packages: Input should be a valid integer",
        None,
    ),
    "unknown indicator in hits": (
        "    shipment: {packages: 3}\n    hits: [@@xx]\n",
        "example 'e': hits names 'xx', which is no indicator of t.examples",
        "did you mean 'x'?",
    ),
    "unknown indicator in misses": (
        "    shipment: {packages: 3}\n    misses: [@@y]\n",
        "example 'e': misses names 'y', which is no indicator of t.examples",
        None,
    ),
    "an indicator in hits and misses": (
        "    shipment: {packages: 3}\n    hits: [x]\n    misses: [@@x]\n",
        "example 'e': 'x' is in both hits and misses",
        None,
    ),
}


@pytest.mark.parametrize(
    ("example", "message", "suggestion"), BAD_EXAMPLES.values(), ids=BAD_EXAMPLES.keys()
)
def test_validate_checks_examples(
    example: str, message: str, suggestion: str | None, tmp_path: Path
) -> None:
    text = HEADER + "indicators:\n  - {id: x, title: X, when: packages > 1, weight: 1}\n"
    text += "examples:\n  - name: e\n" + example
    index = text.index("@@")
    line = text[:index].count("\n") + 1
    column = index - text.rfind("\n", 0, index)
    path = tmp_path / "p.yaml"
    path.write_text(text.replace("@@", ""))
    with pytest.raises(ProfileSetError) as info:
        load_all_profiles(path)
    (error,) = info.value.errors
    assert (error.path, error.line, error.column, error.code) == (
        str(path),
        line,
        column,
        "example",
    )
    assert error.message.startswith(message), error.message
    assert error.suggestion == suggestion
