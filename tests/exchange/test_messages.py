"""The message schema: published, strict, no floats; to_warning from a scored container."""

from __future__ import annotations

import datetime as dt

import pytest

from riskprofile import load_profiles, read_batch, score
from riskprofile.errors import SchemaError
from riskprofile.exchange import (
    SCHEMA_VERSION,
    RiskWarning,
    canonicalize,
    message_json_schema,
    parse_message,
    to_warning,
)
from riskprofile.profiles import bundled_profiles_path
from tests.exchange.conftest import NOW, make_warning


def test_schema_is_published_with_three_kinds() -> None:
    schema = message_json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["discriminator"]["mapping"]) == {"warning", "feedback", "seizure"}
    assert SCHEMA_VERSION == 1


def test_payload_round_trips_without_floats() -> None:
    warning = make_warning()
    payload = warning.model_dump(mode="json")
    canonicalize(payload)  # no floats anywhere
    assert parse_message(payload) == warning


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "gossip"},
        {"schema_version": 2},
        {"recipients": []},
        {"sender": "pakistan"},
        {"reasons": []},
        {"unexpected": 1},
        {"created": "2026-11-02T08:00:00"},  # no time zone
    ],
)
def test_invalid_payloads_are_schema_errors(change: dict[str, object]) -> None:
    payload = make_warning().model_dump(mode="json") | change
    with pytest.raises(SchemaError) as info:
        parse_message(payload)
    assert info.value.reason == "schema"


def test_seizure_quantity_is_a_decimal_string() -> None:
    base = {"message_id": "s-00000001", "sender": "KZ-AKT", "recipients": ["PK-KHI"],
            "created": NOW.isoformat(), "expires": (NOW + dt.timedelta(days=365)).isoformat(),
            "kind": "seizure", "goods_category": "heroin", "unit": "kg",
            "concealment": "false floor"}  # fmt: skip
    assert parse_message(base | {"quantity": "12.5"}).kind == "seizure"
    with pytest.raises(SchemaError):
        parse_message(base | {"quantity": 12.5})


def test_to_warning_from_a_scored_container() -> None:
    batch = read_batch("examples/data/karachi-sample.csv")
    run = score(batch.shipments, load_profiles([bundled_profiles_path()]), as_of=NOW)
    top = run.containers[0]
    warning = to_warning(top, sender="PK-KHI", recipients=["KZ-AKT", "TM-TKM"], created=NOW)
    assert isinstance(warning, RiskWarning)
    assert warning.container_number == top.container_number
    assert warning.reasons
    assert warning.reasons[0].explanation
    assert warning.expires == NOW + dt.timedelta(days=30)
    assert warning.parties
    canonicalize(warning.model_dump(mode="json"))
    quiet = next(c for c in run.containers if not c.hits)
    with pytest.raises(ValueError, match="no hits"):
        to_warning(quiet, sender="PK-KHI", recipients=["KZ-AKT"], created=NOW)


def test_a_schema_refusal_does_not_print_the_sender_s_text_raw() -> None:
    extra = make_warning().model_dump(mode="json") | {"x\n  imported\tforged": 1}
    with pytest.raises(SchemaError) as info:
        parse_message(extra)
    assert "x\\n  imported\\tforged" in str(info.value)
    assert info.value.message_id == "w-0000000001"
    bad_id = make_warning().model_dump(mode="json") | {"message_id": "bad id\n forged"}
    with pytest.raises(SchemaError) as info:
        parse_message(bad_id)
    assert "\n" not in str(info.value)
    assert info.value.message_id is None


def test_a_warning_from_an_overlays_hit_is_not_about_its_country() -> None:
    """Regression: a hit of the overlay ``pk.narcotics.maritime-trafficking`` made
    warnings of category ``pk`` (the country), in the command line and the workbench."""
    from riskprofile.exchange import warning_category

    assert warning_category("pk.narcotics.maritime-trafficking") == "narcotics"
    assert warning_category("narcotics.maritime-trafficking") == "narcotics"
    assert warning_category("general.documentary-anomalies") == "general"
    assert warning_category("pk.local") == "pk"  # a PCU's own profile named pk.*: as written
