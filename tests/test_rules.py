"""The scoring rules named once (``riskprofile.rules``): where the columnar engine must
restate a rule as a Polars expression, both statements give the same answer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile.engines.columnar import score_frame, shipment_frame, unit_key_expression
from riskprofile.model import Shipment
from riskprofile.profiles import load_profiles
from riskprofile.rules import (
    LANE_SEVERITY,
    LANES,
    NOT_FORCED,
    band_lane,
    bands_by_threshold,
    most_severe,
    rank_key,
    unit_key,
)
from riskprofile.scoring import score
from tests.depth import depth

AS_OF = dt.date(2026, 11, 2)

TIED_BANDS = """\
id: test.tied-bands
version: 1
title: Two bands at one threshold
category: other
owner: test
rationale: The first band listed at a threshold gives the lane, in both engines.
indicators:
  - id: many
    title: many packages
    when: packages >= 10
    weight: 10
bands:
  - {min_score: 5, lane: blue}
  - {min_score: 10, lane: yellow}
  - {min_score: 10, lane: red}
"""


def test_two_bands_at_one_threshold_give_the_first_ones_lane_in_both_engines(
    tmp_path: Path,
) -> None:
    # The row-wise rule tried the bands highest first, the first listed of a tie first;
    # the columnar expression was built from its own sort and let the last one win.
    (tmp_path / "p.yaml").write_text(TIED_BANDS, encoding="utf-8")
    profiles = load_profiles([tmp_path])
    shipments = [
        Shipment(manifest_ref="M", shipment_id=f"M/{n}", container_number=f"C{n}", packages=n)
        for n in (1, 10)
    ]
    (profile,) = profiles
    assert [b.min_score for b in bands_by_threshold(profile)] == [10, 10, 5]
    assert band_lane(profile, Decimal(10)) == "yellow"
    rowwise = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    columnar = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert [(c.key, c.lane) for c in rowwise.containers] == [("M/C10", "yellow"), ("M/C1", "green")]
    assert [(c.key, c.lane) for c in columnar.containers] == [
        (c.key, c.lane) for c in rowwise.containers
    ]


_texts = st.text(alphabet="AB/ 7-", max_size=6)  # empty too: an empty B/L names no B/L


@settings(max_examples=depth(40), deadline=None, database=None)
@given(
    st.lists(
        st.tuples(_texts, st.none() | _texts, st.none() | _texts, _texts), min_size=1, max_size=8
    )
)
def test_the_unit_key_is_the_same_rule_on_objects_and_on_a_frame(
    rows: list[tuple[str, str | None, str | None, str]],
) -> None:
    shipments = [
        Shipment(manifest_ref=ref, container_number=box, bl_number=bl, shipment_id=sid)
        for ref, box, bl, sid in rows
    ]
    frame = pl.DataFrame(
        {
            "manifest_ref": [s.manifest_ref for s in shipments],
            "container_number": [s.container_number for s in shipments],
            "bl_number": [s.bl_number for s in shipments],
            "shipment_id": [s.shipment_id for s in shipments],
        },
        schema=dict.fromkeys(("manifest_ref", "container_number", "bl_number", "shipment_id"),
                             pl.String),
    )  # fmt: skip
    keys = frame.select(unit_key_expression()).to_series().to_list()
    assert keys == [unit_key(s) for s in shipments]


def test_lanes_and_their_severity() -> None:
    assert [LANE_SEVERITY[lane] for lane in LANES] == [0, 1, 2, 3]
    assert most_severe([]) == "green"
    assert most_severe(["green", "blue", "red", "yellow"]) == "red"
    assert max(LANE_SEVERITY.values()) < NOT_FORCED


class _Unit:
    def __init__(self, key: str, score: int, lane: str, forced: str | None) -> None:
        self.key, self.container_number = key, None
        self.score, self.lane, self.forced_lane = Decimal(score), lane, forced


def test_the_rank_order_puts_forced_first_then_score_lane_and_key() -> None:
    units = [
        _Unit("b", 50, "red", None),
        _Unit("a", 50, "red", None),
        _Unit("c", 10, "yellow", "yellow"),
        _Unit("d", 0, "red", "red"),
        _Unit("e", 50, "yellow", None),
    ]
    assert [u.key for u in sorted(units, key=rank_key)] == ["d", "c", "a", "b", "e"]  # type: ignore[arg-type]
