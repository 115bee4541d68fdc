"""Scoring: the semantics of ``riskprofile.scoring``, worked out by hand on small profiles,
and the properties the issue asks for (order, determinism, monotonicity, total order).

Each hand-computed test writes its profiles as YAML files (``load``) and scores a few
:class:`Shipment` records built field by field, so that the expected numbers can be read
off the test itself.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile import output
from riskprofile.model import Manifest, Shipment, flatten
from riskprofile.profiles import ProfileSet, load_profiles
from riskprofile.profiles._facts import fact_groups
from riskprofile.scoring import (
    LANES,
    ContainerResult,
    ScoringRun,
    most_severe,
    rank_key,
    roll_up,
    score,
    unevaluable_warnings,
)
from riskprofile.selection import select
from tests import strategies as rst
from tests.depth import depth

AS_OF = dt.date(2026, 11, 2)
PROPERTIES = settings(
    max_examples=depth(25),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- helpers -------------------------------------------------------------------------------


def profile(
    pid: str,
    *indicators: dict[str, Any],
    bands: tuple[tuple[float, str], ...] = (),
    exceptions: tuple[tuple[str, str], ...] = (),
    lists: dict[str, list[str]] | None = None,
    version: int = 1,
) -> dict[str, Any]:
    """A base profile document; indicators as dicts with at least id, when and weight."""
    doc: dict[str, Any] = {
        "id": pid,
        "version": version,
        "title": f"Profile {pid}",
        "category": "other",
        "owner": "tests",
        "indicators": [{"title": f"Indicator {i['id']}", **i} for i in indicators],
    }
    if lists:
        doc["lists"] = {name: {"values": values} for name, values in lists.items()}
    if exceptions:
        doc["exceptions"] = [{"id": eid, "when": when} for eid, when in exceptions]
    if bands:
        doc["bands"] = [{"min_score": s, "lane": lane} for s, lane in bands]
    return doc


def ind(iid: str, when: str, weight: float, **extra: Any) -> dict[str, Any]:
    """An indicator document."""
    return {"id": iid, "when": when, "weight": weight, **extra}


def load(folder: Path, *docs: dict[str, Any]) -> ProfileSet:
    """Write each profile document to ``folder`` as YAML and load the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / f"{doc['id']}.yaml").write_text(
            yaml.safe_dump(doc, sort_keys=False), encoding="utf-8"
        )
    return load_profiles(folder)


def ship(sid: str, **fields: Any) -> Shipment:
    """A shipment with id ``sid``; container ``C-<sid>`` unless given (None: no container)."""
    fields.setdefault("container_number", f"C-{sid}")
    fields.setdefault("bl_number", f"BL-{sid}")
    fields.setdefault("manifest_ref", "9321483/0425W")
    return Shipment(shipment_id=sid, **fields)


def only(run: ScoringRun) -> Any:
    """The single shipment result of a one-shipment run."""
    assert len(run.shipments) == 1
    return run.shipments[0]


# --- weights, floor, bands -----------------------------------------------------------------


def test_weights_add_within_a_profile(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.add",
            ind("reefer", 'container_type == "reefer"', 10),
            ind("hub", "transshipment_count >= 1", 15),
            ind("collect", 'freight_terms == "collect"', 7),
        ),
    )
    result = only(
        score([ship("s", container_type="reefer", transshipment_count=2)], profiles, as_of=AS_OF)
    )
    assert [h.indicator_id for h in result.hits] == ["reefer", "hub"]
    assert [p.score for p in result.profiles] == [Decimal(25)]
    assert result.score == Decimal(25)
    assert result.notes == ()


def test_decimal_weights_add_exactly(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.dec", ind("a", "seal_count == 0", 0.1), ind("b", "seal_count >= 0", 0.2)),
    )
    result = only(score([ship("s")], profiles, as_of=AS_OF))
    assert result.score == Decimal("0.3")


def test_negative_weights_lower_a_profile_score(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.aeo",
            ind("reefer", 'container_type == "reefer"', 30),
            ind("aeo", "consignee_aeo == true", -20),
        ),
    )
    plain, aeo = score(
        [
            ship("a", container_type="reefer"),
            ship("b", container_type="reefer", consignee_aeo=True),
        ],
        profiles,
        as_of=AS_OF,
    ).shipments
    assert plain.score == Decimal(30)
    assert aeo.score == Decimal(10)
    # A negative hit is a hit like any other: listed, with its weight.
    assert [(h.indicator_id, h.weight) for h in aeo.hits] == [
        ("reefer", Decimal(30)),
        ("aeo", Decimal(-20)),
    ]


def test_profile_score_is_floored_at_zero_and_does_not_lower_other_profiles(
    tmp_path: Path,
) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.a",
            ind("reefer", 'container_type == "reefer"', 10),
            ind("aeo", "consignee_aeo == true", -25),
        ),
        profile("t.b", ind("hub", "transshipment_count >= 1", 30)),
    )
    result = only(
        score(
            [ship("s", container_type="reefer", consignee_aeo=True, transshipment_count=1)],
            profiles,
            as_of=AS_OF,
        )
    )
    by_id = {p.profile_id: p for p in result.profiles}
    assert by_id["t.a"].score == Decimal(0)  # 10 - 25, floored
    assert by_id["t.b"].score == Decimal(30)
    assert result.score == Decimal(30)  # not 15


BANDS = ((25, "blue"), (45, "yellow"), (80, "red"))  # written low to high on purpose


@pytest.mark.parametrize(
    ("points", "lane"),
    [(0, "green"), (24, "green"), (25, "blue"), (44, "blue"), (45, "yellow"), (79, "yellow"),
     (80, "red"), (500, "red")],
)  # fmt: skip
def test_bands_map_a_profile_score_to_its_lane(tmp_path: Path, points: int, lane: str) -> None:
    profiles = load(tmp_path, profile("t.band", ind("any", "seal_count >= 0", points), bands=BANDS))
    result = only(score([ship("s")], profiles, as_of=AS_OF))
    assert result.profiles[0].lane == lane
    assert result.lane == lane
    assert result.profiles[0].fired is (lane != "green")


def test_a_profile_without_bands_is_green_whatever_its_score(tmp_path: Path) -> None:
    profiles = load(tmp_path, profile("t.noband", ind("any", "seal_count >= 0", 900)))
    result = only(score([ship("s")], profiles, as_of=AS_OF))
    assert (result.score, result.lane) == (Decimal(900), "green")


def test_a_band_at_zero_puts_every_shipment_in_its_lane(tmp_path: Path) -> None:
    profiles = load(
        tmp_path, profile("t.zero", ind("never", "seal_count < 0", 10), bands=((0, "blue"),))
    )
    result = only(score([ship("s")], profiles, as_of=AS_OF))
    assert (result.hits, result.score, result.lane) == ((), Decimal(0), "blue")


# --- forced lanes, exceptions --------------------------------------------------------------


def test_a_forced_lane_overrides_the_score(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.watch",
            ind("watched", 'consignee_name == "ZETA LLC"', 0, lane="red",
                explain="consignee {consignee_name} on the watch list"),
            ind("hub", "transshipment_count >= 1", 10),
            bands=((50, "red"), (10, "blue")),
        ),
    )  # fmt: skip
    result = only(score([ship("s", consignee_name="ZETA LLC")], profiles, as_of=AS_OF))
    assert result.score == Decimal(0)
    assert result.lane == "red"
    assert result.profiles[0].lane == "green"  # the band lane; the forced lane is separate
    assert result.profiles[0].fired
    assert result.forced == ("red: t.watch/watched (consignee ZETA LLC on the watch list)",)
    assert result.hits[0].forced_lane == "red"


def test_a_forced_yellow_does_not_lower_a_red_band(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.mix",
            ind("doc", 'freight_terms == "collect"', 0, lane="yellow"),
            ind("heavy", "transshipment_count >= 3", 90),
            bands=((80, "red"),),
        ),
    )
    run = score([ship("s", freight_terms="collect", transshipment_count=3)], profiles, as_of=AS_OF)
    (container,) = run.containers
    assert container.lane == "red"  # most severe of band red and forced yellow
    assert container.forced_lane == "yellow"


def test_an_exception_suppresses_the_whole_profile(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.exc",
            ind("reefer", 'container_type == "reefer"', 50),
            ind("watched", 'consignee_name == "ZETA LLC"', 0, lane="red"),
            bands=((40, "red"),),
            exceptions=(("empty", "container_full == false"),),
        ),
        profile("t.other", ind("hub", "transshipment_count >= 1", 5)),
    )
    result = only(
        score(
            [ship("s", container_type="reefer", consignee_name="ZETA LLC", container_full=False,
                  transshipment_count=1)],
            profiles,
            as_of=AS_OF,
        )
    )  # fmt: skip
    by_id = {p.profile_id: p for p in result.profiles}
    assert by_id["t.exc"].excepted_by == "empty"
    assert (by_id["t.exc"].score, by_id["t.exc"].lane, by_id["t.exc"].fired) == (
        Decimal(0),
        "green",
        False,
    )
    # Its forced lane is suppressed too; the other profile is untouched.
    assert [h.indicator_id for h in result.hits] == ["hub"]
    assert result.forced == ()
    assert (result.score, result.lane) == (Decimal(5), "green")


def test_an_exception_that_cannot_be_evaluated_does_not_hold_and_leaves_a_note(
    tmp_path: Path,
) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.exc",
            ind("reefer", 'container_type == "reefer"', 50),
            exceptions=(("light", "goods_gross_weight_kg < 100"),),
        ),
    )
    result = only(score([ship("s", container_type="reefer")], profiles, as_of=AS_OF))
    assert result.profiles[0].excepted_by is None
    assert result.score == Decimal(50)
    assert len(result.notes) == 1
    assert result.notes[0].startswith("t.exc: exception light: cannot be evaluated")


# --- one fact counts once --------------------------------------------------------------------

THIRD_PARTY = 'freight_payer_role == "third_party"'


def test_a_fact_in_four_profiles_counts_once_and_says_where(tmp_path: Path) -> None:
    # The issue's case: a third-party freight payer scored in four profiles added 40.
    own = ["seal_count == 0", 'container_type == "reefer"', "transshipment_count >= 1",
           'freight_terms == "collect"']  # fmt: skip
    docs = [
        profile(f"t.p{n}", ind("payer", THIRD_PARTY, 10), ind(f"own{n}", own[n], n + 1),
                bands=((10, "blue"),))
        for n in range(4)
    ]  # fmt: skip
    profiles = load(tmp_path, *docs)
    shipment = ship("s", freight_payer_role="third_party", seal_count=0, container_type="reefer",
                    transshipment_count=1, freight_terms="collect")  # fmt: skip
    for engine in ("rowwise", "columnar"):
        result = only(score([shipment], profiles, as_of=AS_OF, engine=engine))  # type: ignore[arg-type]
        # 10 once, plus each profile's own 1 + 2 + 3 + 4; not 40 + 10.
        assert result.score == Decimal(20)
        payer = [h for h in result.hits if h.indicator_id == "payer"]
        assert [h.counted for h in payer] == [True, False, False, False]
        assert [h.explanation for h in payer] == ["Indicator payer"] + [
            "Indicator payer (also in profile t.p0, counted once)"
        ] * 3
        assert {h.counted_in for h in payer[1:]} == {"t.p0/payer"}
        # Each profile's own score and band still see the fact: lanes are a maximum, not
        # a sum, so nothing is counted twice there.
        assert [(p.score, p.counted_score, p.lane) for p in result.profiles] == [
            (Decimal(11), Decimal(11), "blue"),
            (Decimal(12), Decimal(2), "blue"),
            (Decimal(13), Decimal(3), "blue"),
            (Decimal(14), Decimal(4), "blue"),
        ]


def test_a_shared_fact_counts_at_its_highest_weight(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.a", ind("payer", THIRD_PARTY, 10)),
        profile("t.b", ind("paid-by-other", 'freight_payer_role  ==  "third_party"', 25)),
    )
    result = only(score([ship("s", freight_payer_role="third_party")], profiles, as_of=AS_OF))
    assert result.score == Decimal(25)
    a, b = result.hits
    assert (a.counted_in, b.counted) == ("t.b/paid-by-other", True)
    assert a.explanation == "Indicator payer (also in profile t.b, counted once)"
    assert [p.counted_score for p in result.profiles] == [Decimal(0), Decimal(25)]


def test_lists_are_compared_by_their_values(tmp_path: Path) -> None:
    when = "port_of_loading in $ports"
    profiles = load(
        tmp_path,
        profile("t.a", ind("port", when, 10), lists={"ports": ["ECGYE", "COBUN"]}),
        profile("t.b", ind("port", "port_of_loading in $sources", 10),
                lists={"sources": ["COBUN", "ECGYE"]}),
        profile("t.c", ind("port", when, 10), lists={"ports": ["ECGYE", "PAONX"]}),
    )  # fmt: skip
    result = only(score([ship("s", port_of_loading="ECGYE")], profiles, as_of=AS_OF))
    # t.a and t.b test the same ports; t.c another list, so another fact.
    assert [h.counted for h in result.hits] == [True, False, True]
    assert result.score == Decimal(20)


def test_a_fact_key_grades_one_fact_inside_a_profile(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.gap",
            ind("gap-1t", "cargo_mass_gap_kg > 1000", 10, fact="weight-gap"),
            ind("gap-5t", "cargo_mass_gap_kg > 5000", 25, fact="weight-gap"),
            ind("seal", "seal_count == 0", 10),
            bands=((35, "yellow"), (20, "blue")),
        ),
    )
    for engine in ("rowwise", "columnar"):
        big, small = score([ship("a", cargo_mass_gap_kg=6000.0, seal_count=0),
                            ship("b", cargo_mass_gap_kg=2000.0, seal_count=0)],
                           profiles, as_of=AS_OF, engine=engine).shipments  # type: ignore[arg-type]  # fmt: skip
        # 25 + 10, not 10 + 25 + 10: the fact counts once, at its highest weight.
        assert (big.score, big.lane) == (Decimal(35), "yellow")
        assert (small.score, small.lane) == (Decimal(20), "blue")
        assert [h.explanation for h in big.hits] == [
            "Indicator gap-1t (also as indicator gap-5t of this profile, counted once)",
            "Indicator gap-5t",
            "Indicator seal",
        ]


def test_an_uncounted_hit_still_forces_its_lane(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.a", ind("payer", THIRD_PARTY, 20)),
        profile("t.b", ind("payer", THIRD_PARTY, 5, lane="red")),
    )
    result = only(score([ship("s", freight_payer_role="third_party")], profiles, as_of=AS_OF))
    assert (result.score, result.lane) == (Decimal(20), "red")
    assert result.forced == (
        "red: t.b/payer (Indicator payer (also in profile t.a, counted once))",
    )


def test_risk_lowering_indicators_are_never_shared(tmp_path: Path) -> None:
    aeo = ind("aeo", "consignee_aeo == true", -20)
    profiles = load(
        tmp_path,
        profile("t.a", ind("seal", "seal_count == 0", 30), aeo),
        profile("t.b", ind("reefer", 'container_type == "reefer"', 30), aeo),
    )
    shipment = ship("s", seal_count=0, container_type="reefer", consignee_aeo=True)
    result = only(score([shipment], profiles, as_of=AS_OF))
    # Each profile's discount lowers that profile: 10 + 10.
    assert result.score == Decimal(20)
    assert all(h.counted for h in result.hits)


def test_a_suppressed_profile_leaves_the_fact_to_the_others(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.a", ind("payer", THIRD_PARTY, 30),
                exceptions=(("empty", "container_full == false"),)),
        profile("t.b", ind("payer", THIRD_PARTY, 10)),
    )  # fmt: skip
    result = only(score([ship("s", freight_payer_role="third_party", container_full=False)],
                        profiles, as_of=AS_OF))  # fmt: skip
    assert result.score == Decimal(10)
    (hit,) = result.hits
    assert (hit.profile_id, hit.counted) == ("t.b", True)


# --- indicators that cannot be evaluated ---------------------------------------------------


def test_an_indicator_on_a_null_field_is_no_hit_and_leaves_a_note(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.null",
            ind("heavy", "goods_gross_weight_kg > 100", 40, lane="red"),
            ind("any", "seal_count >= 0", 5),
        ),
    )
    unknown, known = score(
        [ship("a"), ship("b", goods_gross_weight_kg=150.0)], profiles, as_of=AS_OF
    ).shipments
    assert [h.indicator_id for h in unknown.hits] == ["any"]
    assert (unknown.score, unknown.lane, unknown.forced) == (Decimal(5), "green", ())
    assert len(unknown.notes) == 1
    note = unknown.notes[0]
    assert note.startswith("t.null/heavy: cannot be evaluated")
    assert "goods_gross_weight_kg" in note
    assert [h.indicator_id for h in known.hits] == ["heavy", "any"]
    assert known.notes == ()
    assert known.lane == "red"


def test_the_note_reaches_the_container_table(tmp_path: Path) -> None:
    profiles = load(tmp_path, profile("t.null", ind("heavy", "goods_gross_weight_kg > 100", 40)))
    run = score([ship("a")], profiles, as_of=AS_OF)
    (row,) = output.container_rows(run)
    assert row["notes"].startswith("t.null/heavy: cannot be evaluated")


def test_the_run_counts_the_units_each_indicator_could_not_be_evaluated_on(
    tmp_path: Path,
) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.null",
            ind("heavy", "goods_gross_weight_kg > 100", 40),
            ind("late", "days_bl_to_arrival < 0", 5),
            exceptions=(("empty", "container_full == false"),),
        ),
    )
    shipments = [
        # One LCL container, both B/Ls without a weight: one unit, counted once.
        ship("a1", container_number="LCL1"),
        ship("a2", container_number="LCL1"),
        ship("b", goods_gross_weight_kg=150.0, days_bl_to_arrival=3),
        ship("c", days_bl_to_arrival=3),
        # Suppressed by the exception: nothing was evaluated, so nothing is unevaluable.
        ship("d", container_full=False),
    ]
    for engine in ("rowwise", "columnar"):
        run = score(shipments, profiles, as_of=AS_OF, engine=engine)  # type: ignore[arg-type]
        assert len(run) == 4
        assert run.unevaluable == {"t.null/heavy": 2, "t.null/late": 1}
        assert unevaluable_warnings(run) == [
            "t.null/heavy could not be evaluated on 2 of 4 units (50.0%): it hits none of "
            "them (see the notes)",
            "t.null/late could not be evaluated on 1 of 4 units (25.0%): it hits none of "
            "them (see the notes)",
        ]
        assert unevaluable_warnings(run, 0.25) == [unevaluable_warnings(run)[0]]
        assert unevaluable_warnings(run, 1.0) == []
        text = output.text_table(run, unevaluable_warning=0.3)
        assert "warning: t.null/heavy could not be evaluated on 2 of 4 units (50.0%)" in text
        assert "t.null/late" not in text
        audit = json.loads(output.to_json(run))["audit"]
        assert audit["unevaluable"] == {
            "t.null/heavy": {"units": 2, "share": 0.5},
            "t.null/late": {"units": 1, "share": 0.25},
        }


def test_a_run_without_unevaluable_indicators_says_nothing_of_them(tmp_path: Path) -> None:
    profiles = load(tmp_path, profile("t.ok", ind("reefer", 'container_type == "reefer"', 5)))
    run = score([ship("a")], profiles, as_of=AS_OF)
    assert run.unevaluable == {}
    assert unevaluable_warnings(run, 0.0) == []
    assert json.loads(output.to_json(run))["audit"]["unevaluable"] == {}


def test_equality_with_a_null_field_is_simply_false(tmp_path: Path) -> None:
    profiles = load(tmp_path, profile("t.eq", ind("collect", 'freight_terms == "collect"', 5)))
    result = only(score([ship("a")], profiles, as_of=AS_OF))
    assert (result.hits, result.notes) == ((), ())


# --- profiles combine ----------------------------------------------------------------------


def test_shipment_score_sums_profiles_and_its_lane_is_the_most_severe(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.a", ind("reefer", 'container_type == "reefer"', 30), bands=((30, "blue"),)),
        profile("t.b", ind("hub", "transshipment_count >= 1", 20), bands=((20, "yellow"),)),
        profile("t.c", ind("never", "seal_count < 0", 99), bands=((1, "red"),)),
    )
    result = only(
        score([ship("s", container_type="reefer", transshipment_count=1)], profiles, as_of=AS_OF)
    )
    assert [(p.profile_id, p.score, p.lane) for p in result.profiles] == [
        ("t.a", Decimal(30), "blue"),
        ("t.b", Decimal(20), "yellow"),
        ("t.c", Decimal(0), "green"),
    ]
    assert result.score == Decimal(50)
    assert result.lane == "yellow"


def test_most_severe() -> None:
    assert most_severe([]) == "green"
    assert most_severe(["blue", "green"]) == "blue"
    assert most_severe(["blue", "red", "yellow"]) == "red"
    assert LANES == ("red", "yellow", "blue", "green")


def test_explanations_fill_in_the_shipment_values(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.exp",
            ind("pol", "port_of_loading in $ports", 10, explain="loaded at {port_of_loading}"),
            ind("untold", "seal_count == 0", 5),
            lists={"ports": ["ECGYE"]},
        ),
    )
    result = only(score([ship("s", port_of_loading="ECGYE")], profiles, as_of=AS_OF))
    assert [h.explanation for h in result.hits] == ["loaded at ECGYE", "Indicator untold"]


# --- the container roll-up -----------------------------------------------------------------


@pytest.fixture
def rollup_profiles(tmp_path: Path) -> ProfileSet:
    return load(
        tmp_path,
        profile(
            "t.roll",
            ind("reefer", 'container_type == "reefer"', 30),
            ind("hub", "transshipment_count >= 1", 10),
            ind("watched", 'consignee_name == "ZETA LLC"', 0, lane="yellow"),
            bands=((30, "blue"),),
        ),
    )


def test_an_lcl_container_takes_its_riskiest_bl_and_keeps_every_hit(
    rollup_profiles: ProfileSet,
) -> None:
    shipments = [
        ship("m/BL2/LCL1", container_number="LCL1", bl_number="BL2", transshipment_count=1,
             consignee_name="ZETA LLC"),
        ship("m/BL1/LCL1", container_number="LCL1", bl_number="BL1", container_type="reefer"),
    ]  # fmt: skip
    run = score(shipments, rollup_profiles, as_of=AS_OF)
    (box,) = run.containers
    assert box.key == "9321483/0425W/LCL1"
    assert box.container_number == "LCL1"
    assert box.bl_numbers == ("BL1", "BL2")  # by shipment id
    assert [s.score for s in box.shipments] == [Decimal(30), Decimal(10)]
    assert box.score == Decimal(30)  # the riskiest B/L, not the sum
    assert box.lane == "yellow"  # BL1 blue by band, BL2 forced yellow
    assert box.forced_lane == "yellow"
    assert [h.indicator_id for h in box.hits] == ["reefer", "hub", "watched"]
    assert {h.shipment_id for h in box.hits} == {"m/BL1/LCL1", "m/BL2/LCL1"}
    assert box.forced == ("yellow: t.roll/watched (Indicator watched)",)


def test_a_bl_without_container_is_a_unit_of_its_own(rollup_profiles: ProfileSet) -> None:
    shipments = [
        ship("m/BL1/-", container_number=None, bl_number="BL1", container_type="reefer"),
        ship("m/BL2/-", container_number=None, bl_number="BL2"),
        ship("m/BL3/C1", container_number="C1", bl_number="BL3"),
    ]
    run = score(shipments, rollup_profiles, as_of=AS_OF)
    keys = {c.key: c for c in run.containers}
    assert set(keys) == {"9321483/0425W/B/L BL1", "9321483/0425W/B/L BL2", "9321483/0425W/C1"}
    assert keys["9321483/0425W/B/L BL1"].container_number is None
    assert keys["9321483/0425W/B/L BL1"].score == Decimal(30)
    assert keys["9321483/0425W/B/L BL2"].score == Decimal(0)


def test_a_bl_over_two_containers_counts_in_each(rollup_profiles: ProfileSet) -> None:
    shipments = [
        ship("m/BL1/C1", container_number="C1", bl_number="BL1", container_type="reefer"),
        ship("m/BL1/C2", container_number="C2", bl_number="BL1"),
    ]
    run = score(shipments, rollup_profiles, as_of=AS_OF)
    assert [(c.key, c.score, c.bl_numbers) for c in run.containers] == [
        ("9321483/0425W/C1", Decimal(30), ("BL1",)),
        ("9321483/0425W/C2", Decimal(0), ("BL1",)),
    ]


def test_the_same_container_on_two_vessel_calls_is_two_units(
    rollup_profiles: ProfileSet,
) -> None:
    shipments = [
        ship("a", container_number="C1", manifest_ref="9321483/0425W"),
        ship("b", container_number="C1", manifest_ref="9321483/0426E"),
    ]
    run = score(shipments, rollup_profiles, as_of=AS_OF)
    assert sorted(c.key for c in run.containers) == ["9321483/0425W/C1", "9321483/0426E/C1"]


def test_a_real_manifest_rolls_up_like_its_containers(rollup_profiles: ProfileSet) -> None:
    manifest = Manifest.model_validate(
        {
            "vessel_imo": "9321483",
            "voyage_number": "0425W",
            "consignments": [
                {"bl_number": "BL1", "container_numbers": ["CSQU3054383"]},
                {"bl_number": "BL2", "container_numbers": ["CSQU3054383"],
                 "transshipment_ports": ["AEJEA"]},
                {"bl_number": "BL3"},
            ],
            "containers": [{"number": "CSQU3054383", "size_type": "45R1"}],
        }
    )  # fmt: skip
    run = score(flatten(manifest), rollup_profiles, as_of=AS_OF)
    by_key = {c.key: c for c in run.containers}
    assert set(by_key) == {"9321483/0425W/CSQU3054383", "9321483/0425W/B/L BL3"}
    lcl = by_key["9321483/0425W/CSQU3054383"]
    assert lcl.bl_numbers == ("BL1", "BL2")
    assert lcl.score == Decimal(40)  # BL2: reefer 30 + hub 10; BL1: reefer 30
    assert len(lcl.hits) == 3


# --- ranking -------------------------------------------------------------------------------


def test_rank_order_forced_red_then_forced_yellow_then_by_score_lane_and_key(
    tmp_path: Path,
) -> None:
    profiles = load(
        tmp_path,
        profile(
            "t.rank",
            ind("red", 'consignee_name == "RED"', 0, lane="red"),
            ind("yellow", 'consignee_name == "YELLOW"', 0, lane="yellow"),
            ind("ts1", "transshipment_count >= 1", 10),
            ind("ts2", "transshipment_count >= 2", 10),
            bands=((20, "yellow"), (10, "blue")),
        ),
    )
    shipments = [
        ship("a", transshipment_count=2),  # 20, yellow
        ship("b", transshipment_count=1),  # 10, blue
        ship("c", consignee_name="YELLOW", transshipment_count=2),  # forced yellow, 20
        ship("d", consignee_name="RED"),  # forced red, 0
        ship("e", consignee_name="YELLOW", transshipment_count=1),  # forced yellow, 10
        ship("f"),  # 0, green
        ship("g", transshipment_count=2),  # 20, yellow: tie with a, broken by key
    ]
    run = score(shipments, profiles, as_of=AS_OF)
    assert [c.key.rsplit("/", 1)[1] for c in run.containers] == [
        "C-d", "C-c", "C-e", "C-a", "C-g", "C-b", "C-f",
    ]  # fmt: skip
    keys = [rank_key(c) for c in run.containers]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_at_equal_score_the_more_severe_lane_ranks_first(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.a", ind("x", 'container_type == "reefer"', 20), bands=((20, "yellow"),)),
        profile("t.b", ind("y", "transshipment_count >= 1", 20), bands=((20, "blue"),)),
    )
    run = score(
        [ship("a", transshipment_count=1), ship("b", container_type="reefer")],
        profiles,
        as_of=AS_OF,
    )
    assert [(c.key, c.lane) for c in run.containers] == [
        ("9321483/0425W/C-b", "yellow"),
        ("9321483/0425W/C-a", "blue"),
    ]


def test_roll_up_ranks_its_result(tmp_path: Path) -> None:
    profiles = load(tmp_path, profile("t.r", ind("hub", "transshipment_count >= 1", 10)))
    run = score([ship("a"), ship("b", transshipment_count=1)], profiles, as_of=AS_OF)
    assert [c.key for c in roll_up(list(run.shipments))] == [c.key for c in run.containers]
    assert run.containers[0].key.endswith("C-b")


# --- audit trail and as_of -----------------------------------------------------------------


def test_the_run_records_as_of_fingerprints_and_versions(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.b", ind("x", "seal_count == 0", 1), version=3),
        profile("t.a", ind("y", "seal_count == 0", 1)),
    )
    run = score([ship("z"), ship("a")], profiles, as_of=dt.datetime(2026, 11, 2, 6, 30))
    assert run.as_of == dt.datetime(2026, 11, 2, 6, 30, tzinfo=dt.UTC)  # naive = UTC
    assert run.fingerprints == {p.id: p.fingerprint for p in profiles}
    assert all(f.startswith("sha256:") for f in run.fingerprints.values())
    assert run.profile_versions == {"t.a": 1, "t.b": 3}
    assert [s.shipment_id for s in run.shipments] == ["a", "z"]  # canonical order
    audit = json.loads(output.to_json(run))["audit"]
    assert audit["as_of"] == "2026-11-02T06:30:00+00:00"
    assert audit["profiles"] == [
        {"id": "t.a", "version": 1, "fingerprint": profiles["t.a"].fingerprint},
        {"id": "t.b", "version": 3, "fingerprint": profiles["t.b"].fingerprint},
    ]
    assert (audit["containers"], audit["shipments"]) == (2, 2)


def test_a_changed_profile_changes_its_fingerprint(tmp_path: Path) -> None:
    before = load(tmp_path / "a", profile("t.f", ind("x", "seal_count == 0", 10)))
    after = load(tmp_path / "b", profile("t.f", ind("x", "seal_count == 0", 11)))
    runs = [score([ship("s")], p, as_of=AS_OF) for p in (before, after)]
    assert runs[0].fingerprints["t.f"] != runs[1].fingerprints["t.f"]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (dt.date(2026, 11, 2), dt.datetime(2026, 11, 2, tzinfo=dt.UTC)),
        (dt.datetime(2026, 11, 2, 23, 0), dt.datetime(2026, 11, 2, 23, 0, tzinfo=dt.UTC)),
        (
            dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            dt.datetime(2026, 11, 1, 22, 0, tzinfo=dt.UTC),
        ),
    ],
    ids=["date", "naive", "aware"],
)
def test_as_of_is_taken_as_utc(as_of: dt.date, expected: dt.datetime, tmp_path: Path) -> None:
    profiles = load(tmp_path, profile("t.t", ind("x", "seal_count == 0", 1)))
    assert score([], profiles, as_of=as_of).as_of == expected


def test_as_of_is_required_to_be_a_date() -> None:
    with pytest.raises(TypeError, match="as_of must be a date, a datetime or an ISO 8601 string"):
        score([], [], as_of=20261102)  # type: ignore[arg-type]


def test_as_of_feeds_today(tmp_path: Path) -> None:
    profiles = load(
        tmp_path,
        profile("t.today", ind("recent", 'bl_issue_date >= $today - t"P30D"', 10)),
    )
    shipments = [ship("s", bl_issue_date=dt.date(2026, 10, 15))]
    early = only(score(shipments, profiles, as_of=dt.date(2026, 11, 2)))
    late = only(score(shipments, profiles, as_of=dt.date(2027, 1, 1)))
    assert early.score == Decimal(10)
    assert late.score == Decimal(0)
    # $today is the date of as_of (in UTC), whatever its time of day.
    boundary = only(score(shipments, profiles, as_of=dt.datetime(2026, 11, 14, 23, 59)))
    after = only(score(shipments, profiles, as_of=dt.datetime(2026, 11, 15, 0, 1)))
    assert (boundary.score, after.score) == (Decimal(10), Decimal(0))


def test_progress_is_reported(tmp_path: Path) -> None:
    profiles = load(tmp_path, profile("t.p", ind("x", "seal_count == 0", 1)))
    seen: list[int] = []
    score([ship("a"), ship("b"), ship("c")], profiles, as_of=AS_OF, progress=seen.append)
    assert seen == [1, 2, 3]


def test_run_repr_and_len(tmp_path: Path) -> None:
    profiles = load(
        tmp_path, profile("t.r", ind("hub", "transshipment_count >= 1", 10), bands=((10, "red"),))
    )
    run = score([ship("a"), ship("b", transshipment_count=1)], profiles, as_of=AS_OF)
    assert len(run) == 2
    assert repr(run) == (
        "<ScoringRun 2 containers (1 red, 1 green), 1 profiles, as of 2026-11-02T00:00:00+00:00>"
    )


# --- properties ----------------------------------------------------------------------------


@st.composite
def batches(draw: st.DrawFn) -> list[Shipment]:
    """Shipments of one to three generated manifests, each its own vessel call (distinct
    references: see the duplicate-id test below for why)."""
    count = draw(st.integers(1, 3))
    shipments: list[Shipment] = []
    for number in range(count):
        manifest = draw(rst.manifests())
        voyage = f"V{number}"
        shipments += flatten(manifest.model_copy(update={"voyage_number": voyage}))
    return shipments


def _json(shipments: list[Shipment], profiles: ProfileSet, seed: int = 7) -> str:
    run = score(shipments, profiles, as_of=AS_OF)
    selection = select(run, capacity="20%", control_rate="10%", seed=seed)
    return output.to_json(run, selection)


@PROPERTIES
@given(batches(), rst.profile_sets(), st.randoms(use_true_random=False))
def test_permuting_the_input_never_changes_the_result(
    shipments: list[Shipment], profiles: ProfileSet, rnd: Any
) -> None:
    shuffled = list(shipments)
    rnd.shuffle(shuffled)
    assert _json(shuffled, profiles) == _json(shipments, profiles)


@PROPERTIES
@given(batches(), rst.profile_sets())
def test_the_same_input_gives_byte_identical_files(
    shipments: list[Shipment], profiles: ProfileSet
) -> None:
    contents = []
    for _ in range(2):
        run = score(shipments, profiles, as_of=AS_OF)
        selection = select(run, capacity=3, control_rate=0.2, seed=11)
        with tempfile.TemporaryDirectory() as folder:
            written = output.write_output(run, Path(folder, "run.json"), selection=selection)
            written += output.write_output(run, Path(folder, "run.csv"), selection=selection)
            contents.append([(p.name, p.read_bytes()) for p in written])
    assert contents[0] == contents[1]
    assert [name for name, _ in contents[0]] == ["run.json", "run.csv", "run.hits.csv"]


@PROPERTIES
@given(
    batches(),
    st.lists(rst.profile_documents(), min_size=1, max_size=1),
    st.sampled_from([0.125, 1, 5, 30, 200]),
)
def test_adding_a_positive_weight_hit_never_lowers_a_score(
    shipments: list[Shipment], docs: list[dict[str, Any]], weight: float
) -> None:
    before = rst.load_profile_documents(docs)
    extended = dict(docs[0])
    extended["indicators"] = [
        *docs[0]["indicators"],
        {"id": "always", "title": "Always", "when": "seal_count >= 0", "weight": weight},
    ]
    after = rst.load_profile_documents([extended])
    old = score(shipments, before, as_of=AS_OF)
    new = score(shipments, after, as_of=AS_OF)
    for a, b in zip(old.shipments, new.shipments, strict=True):
        assert a.shipment_id == b.shipment_id
        assert b.score >= a.score
        assert LANES.index(b.lane) <= LANES.index(a.lane)
        if b.profiles[0].excepted_by is None:
            assert "always" in [h.indicator_id for h in b.hits]
    old_boxes = {c.key: c for c in old.containers}
    for c in new.containers:
        assert c.score >= old_boxes[c.key].score


def _is_total_order(containers: tuple[ContainerResult, ...]) -> None:
    keys = [rank_key(c) for c in containers]
    assert len(set(keys)) == len(keys)
    assert len({c.key for c in containers}) == len(containers)
    assert keys == sorted(keys)


@PROPERTIES
@given(batches(), rst.profile_sets(), st.randoms(use_true_random=False))
def test_the_ranking_is_a_total_order(
    shipments: list[Shipment], profiles: ProfileSet, rnd: Any
) -> None:
    run = score(shipments, profiles, as_of=AS_OF)
    _is_total_order(run.containers)
    shuffled = list(shipments)
    rnd.shuffle(shuffled)
    again = score(shuffled, profiles, as_of=AS_OF)
    assert [c.key for c in again.containers] == [c.key for c in run.containers]
    # Forced containers come first, red before yellow.
    forced = [c.forced_lane for c in run.containers]
    first_unforced = next((i for i, f in enumerate(forced) if f is None), len(forced))
    assert all(f is None for f in forced[first_unforced:])
    assert forced[:first_unforced] == sorted(forced[:first_unforced], key=LANES.index)  # type: ignore[arg-type]


@PROPERTIES
@given(batches(), rst.profile_sets())
def test_scores_follow_the_stated_arithmetic(
    shipments: list[Shipment], profiles: ProfileSet
) -> None:
    run = score(shipments, profiles, as_of=AS_OF)
    facts = fact_groups(sorted(profiles, key=lambda p: p.id))
    for result in run.shipments:
        fact_of = {id(h): facts.get((h.profile_id, h.indicator_id)) for h in result.hits}
        for p in result.profiles:
            hits = [h for h in result.hits if h.profile_id == p.profile_id]
            # Within the profile, each fact it tests counts once, at its highest weight.
            alone = [h.weight for h in hits if fact_of[id(h)] is None]
            best: dict[int, Decimal] = {}
            for h in hits:
                fact = fact_of[id(h)]
                if fact is not None:
                    best[fact.group] = max(best.get(fact.group, h.weight), h.weight)
            assert p.score == max(sum(alone + list(best.values()), Decimal(0)), Decimal(0))
            assert p.score >= 0
            counted = [h.weight for h in hits if h.counted]
            assert p.counted_score == max(sum(counted, Decimal(0)), Decimal(0))
            assert p.counted_score <= p.score
            if p.excepted_by is not None:
                assert hits == []
        # Across the shipment, each fact counts once: in one hit, of the highest weight.
        for group in {f.group for f in fact_of.values() if f is not None}:
            members = [h for h in result.hits if (f := fact_of[id(h)]) and f.group == group]
            (winner,) = [h for h in members if h.counted]
            assert winner.weight == max(h.weight for h in members)
            for h in members:
                if h is not winner:
                    assert h.counted_in == f"{winner.profile_id}/{winner.indicator_id}"
                    assert h.explanation.endswith(", counted once)")
        assert all(h.counted for h in result.hits if fact_of[id(h)] is None)
        assert result.score == sum((p.counted_score for p in result.profiles), Decimal(0))
        forced = [h.forced_lane for h in result.hits if h.forced_lane]
        assert result.lane == most_severe([p.lane for p in result.profiles] + forced)
    for c in run.containers:
        assert c.score == max(s.score for s in c.shipments)
        assert c.lane == most_severe(s.lane for s in c.shipments)


# --- known bugs ----------------------------------------------------------------------------


def _same_call(description: str) -> list[Shipment]:
    manifest = Manifest.model_validate(
        {
            "vessel_imo": "9321483",
            "voyage_number": "0425W",
            "consignments": [
                {"bl_number": "BL1", "container_numbers": ["CSQU3054383"],
                 "goods": [{"description": description}]}
            ],
            "containers": [{"number": "CSQU3054383"}],
        }
    )  # fmt: skip
    return flatten(manifest)


def test_duplicate_shipment_ids_from_two_manifests_of_one_call_are_order_independent(
    tmp_path: Path,
) -> None:
    profiles = load(
        tmp_path,
        profile("t.vague", ind("vague", 'description =~~ "FAK|CARGO"', 15,
                               explain="goods described as '{description}'")),
    )  # fmt: skip
    first, second = _same_call("FAK"), _same_call("GENERAL CARGO")
    assert first[0].shipment_id == second[0].shipment_id
    one = score(first + second, profiles, as_of=AS_OF)
    two = score(second + first, profiles, as_of=AS_OF)
    assert output.to_json(one) == output.to_json(two)


def test_retired_draft_and_out_of_date_profiles_do_not_score(tmp_path: Path) -> None:
    from riskprofile import Shipment, load_profiles, score

    template = """\
id: t.{name}
version: 1
title: {name}
category: other
owner: test
status: {status}
valid_from: 2026-01-01
valid_to: 2026-06-30
indicators:
  - id: always
    title: always
    when: "true"
    weight: 10
    explain: always
"""
    for name, status in (("active", "active"), ("draft", "draft"), ("retired", "retired")):
        (tmp_path / f"{name}.yaml").write_text(
            template.format(name=name, status=status), encoding="utf-8"
        )
    profiles = load_profiles(tmp_path)
    shipments = [Shipment(shipment_id="s1", container_number="CSQU3054383")]
    run = score(shipments, profiles, as_of=dt.date(2026, 3, 1))
    assert set(run.fingerprints) == {"t.active"}
    assert run.skipped_profiles == {
        "t.draft": "draft (drafts score only when included)",
        "t.retired": "retired",
    }
    with_drafts = score(shipments, profiles, as_of=dt.date(2026, 3, 1), include_drafts=True)
    assert set(with_drafts.fingerprints) == {"t.active", "t.draft"}
    from riskprofile.errors import NoProfilesError

    # Every profile shares the validity dates: out of them, nothing takes part.
    with pytest.raises(NoProfilesError) as expired:
        score(shipments, profiles, as_of=dt.date(2026, 7, 1))
    assert expired.value.skipped["t.active"] == "expired on 2026-06-30"
    with pytest.raises(NoProfilesError) as early:
        score(shipments, profiles, as_of=dt.date(2025, 12, 31))
    assert early.value.skipped["t.active"] == "not valid before 2026-01-01"


_DATED = """\
id: t.{name}
version: 1
title: {name}
category: other
owner: test
status: {status}
valid_to: 2026-06-30
{extra}indicators:
  - id: always
    title: always
    when: "true"
    weight: 10
"""


def _dated(tmp_path: Path, *profiles: tuple[str, str, str]) -> Path:
    for name, status, extra in profiles:
        (tmp_path / f"{name}.yaml").write_text(
            _DATED.format(name=name, status=status, extra=extra), encoding="utf-8"
        )
    return tmp_path


@pytest.mark.parametrize(
    ("as_of", "include_drafts", "message"),
    [
        # Only drafts: the Python hint names the Python argument.
        (dt.date(2026, 3, 1), False, r"t\.a: draft .*t\.b: draft .*include_drafts=True"),
        # After every valid_to, drafts included or not.
        (dt.date(2026, 7, 1), True, r"t\.a: expired on 2026-06-30; t\.b: expired on"),
    ],
)
def test_a_run_no_profile_takes_part_in_is_refused_naming_why(
    tmp_path: Path, as_of: dt.date, include_drafts: bool, message: str
) -> None:
    from riskprofile.errors import NoProfilesError, RiskProfileError

    profiles = load_profiles(_dated(tmp_path, ("a", "draft", ""), ("b", "draft", "")))
    shipments = [Shipment(shipment_id="s1", container_number="CSQU3054383")]
    with pytest.raises(NoProfilesError, match=message) as info:
        score(shipments, profiles, as_of=as_of, include_drafts=include_drafts)
    assert isinstance(info.value, RiskProfileError)
    assert set(info.value.skipped) == {"t.a", "t.b"}
    assert "as of " + as_of.isoformat() in str(info.value)
    # Both engines, and the column-wise run, refuse alike.
    with pytest.raises(NoProfilesError, match=message):
        score(shipments, profiles, as_of=as_of, include_drafts=include_drafts, engine="columnar")
    from riskprofile.engines.columnar import score_frame, shipment_frame

    with pytest.raises(NoProfilesError, match=message):
        score_frame(shipment_frame(shipments), profiles, as_of=as_of, include_drafts=include_drafts)


def test_no_profiles_at_all_is_refused() -> None:
    from riskprofile.errors import NoProfilesError

    with pytest.raises(NoProfilesError, match="none was given") as info:
        score([Shipment(shipment_id="s1")], [], as_of=AS_OF)
    assert info.value.skipped == {}
    # An empty batch is not an empty profile set: it scores (to nothing).
    assert len(score([], rst.load_profile_documents([_one_profile()]), as_of=AS_OF)) == 0


def _one_profile() -> dict[str, Any]:
    return {"id": "t.one", "version": 1, "title": "one", "category": "other", "owner": "t",
            "indicators": [{"id": "i", "title": "i", "when": "true", "weight": 1}]}  # fmt: skip


def test_profiles_out_of_the_country_scope_are_listed_as_skipped(tmp_path: Path) -> None:
    from riskprofile.errors import NoProfilesError

    folder = _dated(tmp_path, ("pk", "active", "countries: [PK]\n"), ("any", "active", ""))
    shipments = [Shipment(shipment_id="s1", container_number="CSQU3054383")]
    kz = load_profiles(folder, country="KZ")
    run = score(shipments, kz, as_of=dt.date(2026, 3, 1))
    assert set(run.fingerprints) == {"t.any"}
    assert run.skipped_profiles == {"t.pk": "not for KZ (countries: PK)"}
    assert load_profiles(folder, country="PK").out_of_scope == {}
    (tmp_path / "pk-only").mkdir()
    only_pk = _dated(tmp_path / "pk-only", ("pk", "active", "countries: [PK]\n"))
    with pytest.raises(NoProfilesError, match=r"t\.pk: not for KZ \(countries: PK\)"):
        score(shipments, load_profiles(only_pk, country="KZ"), as_of=dt.date(2026, 3, 1))


# --- implausible masses ----------------------------------------------------------------------


def test_a_vgm_in_grams_is_a_likely_unit_error_not_a_weight_gap() -> None:
    from riskprofile.profiles import bundled_profiles_path

    profiles = load_profiles(bundled_profiles_path() / "base" / "documentary.yaml")
    shipments = []
    for number, vgm in (("CSQU3054383", 22_427_000), ("MSKU1234565", 30_000)):
        manifest = Manifest.model_validate(
            {
                "vessel_imo": "9321483",
                "voyage_number": "0425W",
                "consignments": [{"bl_number": f"BL{number}", "container_numbers": [number],
                                  "shipper": {"name": "ACME TILES"},
                                  "consignee": {"name": "KARACHI TRADERS"},
                                  "goods": [{"description": "TILES", "gross_weight_kg": 20_000}]}],
                "containers": [{"number": number, "verified_gross_mass_kg": vgm,
                                "tare_kg": 3_800, "full": True,
                                "seals": [{"number": "S1", "sealer": "carrier"}]}],
            }
        )  # fmt: skip
        shipments += flatten(manifest)
    for engine in ("rowwise", "columnar"):
        run = score(shipments, profiles, as_of=AS_OF, engine=engine)  # type: ignore[arg-type]
        hits = {s.shipment.container_number: s.hits for s in run.shipments}
        (grams,) = hits["CSQU3054383"]
        assert grams.indicator_id == "implausible-mass"
        assert "likely unit error" in grams.explanation
        assert grams.explanation.startswith(
            "VGM 22,427,000 kg, tare 3,800 kg: beyond any container"
        )
        # A real 6.2 t gap in kilograms is still a weight gap.
        assert [h.indicator_id for h in hits["MSKU1234565"]] == ["weight-gap"]
        assert all(s.notes == () for s in run.shipments)


# --- a batch scored column-wise: the same run, objects made on first access ----------------


def _as_batch(shipments: list[Shipment]) -> Any:
    from riskprofile.io import Batch

    return Batch("batch.csv", "lenient", shipments, [], len(shipments), 1, record_unit="row")


@settings(PROPERTIES, max_examples=depth(10))
@given(batches(), rst.profile_sets(), st.sampled_from(["batch", "frame"]))
def test_a_batch_scored_column_wise_is_the_reference_run_in_every_export(
    shipments: list[Shipment], profiles: ProfileSet, given_as: str
) -> None:
    from riskprofile.engines.columnar import shipment_frame

    batch = _as_batch(shipments)
    source = batch if given_as == "batch" else shipment_frame(shipments)
    columnar = score(source, profiles, as_of=AS_OF, engine="columnar")
    reference = score(batch if given_as == "batch" else shipments, profiles, as_of=AS_OF,
                      engine="rowwise")  # fmt: skip
    assert columnar.frame_run is not None
    assert reference.frame_run is None
    assert repr(columnar) == repr(reference)
    assert len(columnar) == len(reference)
    for kwargs in ({"capacity": "20%", "control_rate": "10%", "seed": 7}, {"capacity": 1}):
        selected, expected = select(columnar, **kwargs), select(reference, **kwargs)
        # The selection holds the very objects the reference run holds.
        assert selected.selected == expected.selected
        assert selected.left_out == expected.left_out
        assert selected.documentary == expected.documentary
        assert output.to_json(columnar, selected) == output.to_json(reference, expected)
        assert output.to_csv(columnar, selected) == output.to_csv(reference, expected)
        assert output.text_table(columnar, selected, details=True) == output.text_table(
            reference, expected, details=True
        )
        for table in ("containers", "hits"):
            assert selected.to_polars(table).equals(expected.to_polars(table))  # type: ignore[arg-type]
        assert selected._repr_html_() == expected._repr_html_()
    for table in ("containers", "hits"):
        assert columnar.to_polars(table).equals(reference.to_polars(table))  # type: ignore[arg-type]
    assert columnar._repr_html_() == reference._repr_html_()
    assert "containers" not in columnar.__dict__  # none of that made every object
    assert columnar.shipments == reference.shipments
    assert columnar.containers == reference.containers
    assert columnar == reference


def _counted_hub_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """300 shipments (43 red, auto scores them column-wise) and the ids of the shipments
    the run makes objects of, as it makes them."""
    from riskprofile import scoring

    profiles = load(
        tmp_path / "p",
        profile("t.hub", ind("hub", "transshipment_count >= 1", 10), bands=((10, "red"),)),
    )
    shipments = [ship(f"s{n:03}", transshipment_count=n % 7 == 0) for n in range(300)]
    made: list[str] = []
    real = scoring._score_shipment

    def counted(shipment: Shipment, *args: Any) -> Any:
        made.append(shipment.shipment_id)
        return real(shipment, *args)

    monkeypatch.setattr(scoring, "_score_shipment", counted)
    return score(_as_batch(shipments), profiles, as_of=AS_OF), made


def test_score_makes_objects_only_for_the_containers_a_selection_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, made = _counted_hub_run(tmp_path, monkeypatch)
    selection = select(run, capacity=5)
    text = output.to_json(run, selection)
    # 43 red containers: 5 selected, 38 left out; the 257 green ones are never made.
    assert len(selection.selected) == 5
    assert len(selection.left_out) == 38
    assert sorted(made) == sorted(
        s.shipment_id
        for c in (*selection.left_out, *(s.container for s in selection.selected))
        for s in c.shipments  # type: ignore[attr-defined]
    )
    assert json.loads(text)["audit"]["containers"] == 300
    assert len(run.shipments) == 300  # on first access, every shipment is made
    assert len(made) == 43 + 300


def test_tables_and_notebook_view_of_a_column_wise_run_make_no_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run, made = _counted_hub_run(tmp_path, monkeypatch)
    assert run.frame_run is not None
    containers, hits = run.to_polars("containers"), run.to_polars("hits")
    html = run._repr_html_()
    assert made == []  # answered from the tables
    assert containers.height == 300
    assert hits.height == 43
    assert html.count("<tr>") == 1 + 43  # the head, then the 43 red containers
    selection = select(run, capacity=5)
    made.clear()
    assert selection.to_polars("containers").height == 300
    assert selection._repr_html_().count("<tr>") == 1 + 5
    assert made == []


def test_a_replaced_column_wise_run_is_a_run_of_objects(tmp_path: Path) -> None:
    import dataclasses

    profiles = load(tmp_path / "p", profile("t.p", ind("x", "seal_count == 0", 1)))
    shipments = [ship(f"s{n:03}") for n in range(3)]
    run = score(_as_batch(shipments), profiles, as_of=AS_OF, engine="columnar")
    changed = dataclasses.replace(run, skipped_profiles={"t.old": "retired"})
    assert changed.frame_run is None
    assert json.loads(output.to_json(changed))["audit"]["skipped_profiles"] == {"t.old": "retired"}
    assert changed.containers == run.containers


def test_a_run_scored_column_wise_pickles_as_its_objects(tmp_path: Path) -> None:
    import pickle

    profiles = load(tmp_path / "p", profile("t.p", ind("x", "seal_count == 0", 1)))
    shipments = [ship(f"s{n:03}") for n in range(3)]
    run = score(_as_batch(shipments), profiles, as_of=AS_OF, engine="columnar")
    copy = pickle.loads(pickle.dumps(run))
    assert copy.frame_run is None
    assert copy == score(_as_batch(shipments), profiles, as_of=AS_OF, engine="rowwise")


# --- merge_runs: a day's vessel calls scored apart, ranked together ------------------------


def _two_calls() -> tuple[list[Shipment], list[Shipment]]:
    from riskprofile.io import read_batch

    shipments = read_batch("examples/data/karachi-sample.csv").shipments
    other = [
        s.model_copy(update={"manifest_ref": "9740055/731W",
                             "shipment_id": s.shipment_id.replace("/730W/", "/731W/")})
        for s in shipments[:120]
    ]  # fmt: skip
    return list(shipments), other


def test_merged_runs_rank_and_select_as_one_run_of_every_call() -> None:
    from riskprofile.scoring import merge_runs

    profiles = load_profiles(bundled=True, country="PK")
    first, second = _two_calls()
    apart = [score(calls, profiles, as_of="2026-11-02", engine="rowwise")
             for calls in (first, second)]  # fmt: skip
    together = score(first + second, profiles, as_of="2026-11-02", engine="rowwise")
    merged = merge_runs(apart)
    assert merged.containers == together.containers
    assert merged.shipments == together.shipments
    assert merged.unevaluable == together.unevaluable
    day = select(merged, capacity="3%", control_rate="1%", seed=7)
    whole = select(together, capacity="3%", control_rate="1%", seed=7)
    assert [s.container.key for s in day.selected] == [s.container.key for s in whole.selected]


def test_merge_runs_refuses_what_cannot_be_ranked_together() -> None:
    from riskprofile.scoring import merge_runs

    profiles = load_profiles(bundled=True, country="PK")
    first, second = _two_calls()
    run = score(first[:5], profiles, as_of="2026-11-02")
    with pytest.raises(ValueError, match="different times"):
        merge_runs([run, score(second[:5], profiles, as_of="2026-11-03")])
    fewer = ProfileSet(tuple(p for p in profiles if p.id != "ipr.counterfeits"))
    with pytest.raises(
        ValueError, match=r"different profiles cannot be ranked together: ipr\.counterfeits"
    ):
        merge_runs([run, score(second[:5], fewer, as_of="2026-11-02")])
    with pytest.raises(ValueError, match="is in two of the runs"):
        merge_runs([run, run])
    with pytest.raises(ValueError, match="at least one run"):
        merge_runs([])
