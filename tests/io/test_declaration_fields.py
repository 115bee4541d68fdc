"""A declaration-level export: its office, procedure, import type and use, payment type,
mode of transport, country of departure, origin indicator, tax type and rate and
declarant reach rules as first-class fields, on both read paths and in both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from riskprofile.io import ColumnMapping, read_batch, read_frame
from riskprofile.model.frame import shipment_frame
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score

HEADER = (
    "Declaration No;Office;Process Type;Import Type;Import Use;Payment Type;"
    "Mode of Transport;Declarant ID;Declarant;Tax Rate;Tax Type;Country of Departure;"
    "Origin Indicator;Importer;Seller;HS Code;Gross Mass (kg);Net Mass (kg)"
)
ROWS = [
    "D-1; kape ;4000;Home  consumption;commercial;deferred;1;PKCHAL0042;al noor agency;"
    "17,5;CD;AE;np;MEHRAN STEEL;BRIGHT STAR;847130;1000;900",
    "D-2;KAPW;4071;HC;PERSONAL;CASH;1;PKCHAL0007;KHAN CLEARING;n/a;VAT;ZZ;P;"
    "AL NOOR;HANSOL;390110;500;450",
]
MAPPING = ColumnMapping.from_dict(
    {
        "delimiter": ";",
        "decimal_comma": True,
        "columns": {
            "bl_number": "Declaration No",
            "customs_office": "Office",
            "customs_procedure": "Process Type",
            "import_type": "Import Type",
            "import_use": "Import Use",
            "payment_type": "Payment Type",
            "transport_mode": "Mode of Transport",
            "declarant_identifier": "Declarant ID",
            "declarant_name": "Declarant",
            "tax_rate": "Tax Rate",
            "tax_type": "Tax Type",
            "departure_country": "Country of Departure",
            "origin_country_indicator": "Origin Indicator",
            "consignee_name": "Importer",
            "shipper_name": "Seller",
            "hs_code": "HS Code",
            "gross_weight_kg": "Gross Mass (kg)",
            "net_weight_kg": "Net Mass (kg)",
        },
        "defaults": {"port_of_call": "PKKHI"},
    }
)


AS_OF = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "declarations.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_the_declarations_columns_are_shipment_fields(export: Path) -> None:
    first, second = read_batch(export, mapping=MAPPING).shipments
    assert (first.customs_office, first.customs_procedure, first.import_type) == (
        "KAPE", "4000", "HOME CONSUMPTION",
    )  # fmt: skip
    assert (first.import_use, first.payment_type, first.transport_mode) == (
        "COMMERCIAL", "DEFERRED", "1",
    )  # fmt: skip
    assert (first.departure_country, first.origin_country_indicator) == ("AE", "NP")
    assert (first.tax_type, first.tax_rate) == ("CD", 17.5)
    assert (first.declarant_name, first.declarant_identifier) == ("AL NOOR AGENCY", "PKCHAL0042")
    assert first.goods_net_weight_kg == 900.0  # net mass has its own column
    assert first.quality_flags == []
    # A bad cell is flagged, naming the field and value; the declaration is kept.
    assert second.tax_rate is None
    assert second.departure_country == "ZZ"
    assert second.quality_flags == ["tax_rate:invalid_value", "departure_country:unknown_country"]


def test_both_readers_give_the_same_frame(export: Path) -> None:
    batch = read_batch(export, mapping=MAPPING)
    frame = read_frame(export, mapping=MAPPING)
    assert frame.fallback is None
    assert frame.rows_via_models == 0
    assert_frame_equal(frame.frame, shipment_frame(batch.shipments), check_exact=True)


PROFILE = """
id: test.declarations
title: Declaration fields
category: other
owner: test
version: 1
indicators:
  - id: regime
    title: Home use at a high rate
    when: customs_procedure == "4000" and tax_rate >= 15
    weight: 30
    explain: "procedure {customs_procedure} at {tax_rate} % from {departure_country}"
  - id: declarant
    title: A known declarant
    when: declarant_identifier == "PKCHAL0007"
    weight: 20
    explain: "declarant {declarant_name}"
"""


@pytest.mark.parametrize("engine", ["rowwise", "columnar"])
def test_rules_read_them_alike_in_both_engines(export: Path, tmp_path: Path, engine: str) -> None:
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    profiles = load_profiles(tmp_path / "p.yaml")
    run = score(read_batch(export, mapping=MAPPING), profiles, as_of=AS_OF, engine=engine)
    hits = sorted((h.shipment_id, h.indicator_id, h.explanation) for c in run.containers
                  for h in c.hits)  # fmt: skip
    assert hits == [
        ("-/-/D-1/-", "regime", "procedure 4000 at 17.5 % from AE"),
        ("-/-/D-2/-", "declarant", "declarant KHAN CLEARING"),
    ]
