"""Stow plans: BAPLIE read into the units on board, and written back."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import InputFormatError
from riskprofile.io.edifact import StowedUnit, read_stowplan, write_baplie
from tests.depth import depth
from tests.strategies import container_numbers, locodes, size_type_codes

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "edifact" / "baplie-smdg22.edi"


def test_the_sample_gives_every_unit_with_its_details() -> None:
    plan = read_stowplan(SAMPLE)
    assert not plan.problems
    assert (plan.vessel, plan.voyage) == ("MAERSK ESSEN", "0425W")
    assert plan.container_numbers == ["MSKU9070323", "CSQU3054383", "TGHU1234567", "MSKU1234565"]
    reefer, box, dg, empty = plan.units
    assert (reefer.position, reefer.size_type, reefer.reefer_celsius) == ("0020182", "45R1", -18.0)
    assert (reefer.gross_mass_kg, reefer.port_of_loading, reefer.operator) == (
        18250.5,
        "CNSHA",
        "MAE",
    )
    assert box.gross_mass_kg == 24500.0
    assert dg.dangerous_goods == (("3", "1263"),)
    assert dg.gross_mass_kg == 21400.0  # MEA+WT when there is no MEA+VGM
    assert (empty.full, empty.port_of_discharge) == (False, "INNSA")


def test_smdg_15_messages_are_read_with_the_same_table(tmp_path: Path) -> None:
    text = SAMPLE.read_text().replace("BAPLIE:D:95B:UN:SMDG22", "BAPLIE:1:911:UN:SMDG15")
    path = tmp_path / "old.edi"
    path.write_text(text)
    assert len(read_stowplan(path).units) == 4


def test_problems_are_kept_and_no_container_is_lost(tmp_path: Path) -> None:
    text = SAMPLE.read_text().replace("MEA+WT++KGM:21400'", "MEA+WT++KGM:heavy'")
    text = text.replace("UNT+39+1'", "UNT+41+1'")
    path = tmp_path / "bad.edi"
    path.write_text(text)
    plan = read_stowplan(path)
    assert len(plan.container_numbers) == 4
    codes = {p.code for p in plan.problems}
    assert codes == {"invalid_value", "control_count"}
    (bad,) = [p for p in plan.problems if p.code == "invalid_value"]
    assert bad.where == "interchange BAP0425, message 1, segment 25 (MEA), element 3"


def test_a_file_without_baplie_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.edi"
    path.write_text("UNH+1+CUSCAR:D:95B:UN'BGM+785'UNT+3+1'")
    with pytest.raises(InputFormatError, match="no BAPLIE message"):
        read_stowplan(path)


_UNITS = st.builds(
    StowedUnit,
    position=st.from_regex(r"[0-9]{7}", fullmatch=True),
    container_number=container_numbers(),
    size_type=st.one_of(st.none(), size_type_codes()),
    full=st.one_of(st.none(), st.booleans()),
    gross_mass_kg=st.one_of(st.none(), st.integers(0, 400_000).map(lambda n: n / 10)),
    port_of_loading=st.one_of(st.none(), locodes()),
    port_of_discharge=st.one_of(st.none(), locodes()),
    dangerous_goods=st.lists(
        st.tuples(
            st.sampled_from(["3", "2.1", "8", "9"]), st.from_regex(r"[0-9]{4}", fullmatch=True)
        ),
        max_size=2,
    ).map(tuple),
    reefer_celsius=st.one_of(st.none(), st.integers(-300, 300).map(lambda n: n / 10)),
    operator=st.one_of(st.none(), st.sampled_from(["MAE", "MSC", "CMA"])),
)


def _unit_lists(**size: int) -> st.SearchStrategy[list[StowedUnit]]:
    """Units of one vessel's plan: no slot and no container twice (the reader says
    both), even once the tests write positions with a two-digit bay or numbers without
    their check digit."""
    return st.lists(
        _UNITS,
        unique_by=(
            lambda u: u.position[1:],
            lambda u: (u.container_number or "")[:10],
        ),
        **size,
    )


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_unit_lists(max_size=6), st.one_of(st.none(), st.just("0425W")))
def test_units_round_trip(
    tmp_path_factory: pytest.TempPathFactory, units: list[StowedUnit], voyage: str | None
) -> None:
    path = tmp_path_factory.mktemp("bap") / "x.edi"
    path.write_text(write_baplie(units, vessel="MSC ANNA", voyage=voyage))
    plan = read_stowplan(path)
    assert not plan.problems
    assert plan.voyage == voyage
    assert all(u.message == "1" and u.segment is not None for u in plan.units)
    back = [
        StowedUnit(
            **{k: getattr(u, k) for k in StowedUnit.__slots__ if k not in ("message", "segment")}
        )
        for u in plan.units
    ]
    assert back == units


# --- the stow plan against the manifests ---------------------------------------------------

from riskprofile.io.edifact import compare_stowplan  # noqa: E402
from riskprofile.model.manifest import Manifest  # noqa: E402

_BOX = "CSQU3054383"


def _manifest(**box: object) -> Manifest:
    return Manifest.model_validate(
        {
            "port_of_call": "PKKHI",
            "containers": [{"number": _BOX, "size_type": "22G1", **box}],
            "consignments": [
                {
                    "bl_number": "B1",
                    "port_of_loading": "AEJEA",
                    "transshipment_ports": ["OMSLL"],
                    "port_of_discharge": "PKKHI",
                    "container_numbers": [_BOX],
                }
            ],
        }
    )


def _plan(**unit: object) -> object:
    from riskprofile.io.edifact import StowPlan

    fields = {"port_of_loading": "AEJEA", "port_of_discharge": "PKKHI", **unit}
    return StowPlan("plan.edi", units=[StowedUnit("0020182", _BOX, **fields)])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("box", "unit", "kinds"),
    [
        (
            {"verified_gross_mass_kg": 20000, "full": True},
            {"gross_mass_kg": 20500.0, "full": True},
            [],
        ),
        ({"verified_gross_mass_kg": 20000}, {"gross_mass_kg": 26000.0}, ["mass_differs"]),
        ({"full": False, "tare_kg": 2200}, {"gross_mass_kg": 18000.0}, ["full_empty_differs"]),
        ({"full": True}, {"full": False}, ["full_empty_differs"]),
        ({}, {"port_of_loading": "OMSLL"}, []),  # loaded at the transhipment port
        ({}, {"port_of_loading": "CNSHA"}, ["port_of_loading_differs"]),
        ({}, {"reefer_celsius": -18.0}, ["reefer_setting_on_dry_box"]),
        ({}, {"reefer_celsius": -18.0, "size_type": "45R1"}, []),
    ],
)
def test_each_disagreement(
    box: dict[str, object], unit: dict[str, object], kinds: list[str]
) -> None:
    found = compare_stowplan([_manifest(**box)], _plan(**unit))  # type: ignore[arg-type]
    assert [d.kind for d in found] == kinds
    for d in found:
        assert (d.container_number, d.bl_numbers, d.position) == (_BOX, ("B1",), "0020182")


def test_discharge_elsewhere_is_a_disagreement_for_a_manifested_box() -> None:
    manifest = _manifest()
    plan = _plan(port_of_discharge="AEJEA")
    (found,) = compare_stowplan([manifest], plan)  # type: ignore[arg-type]
    assert found.kind == "port_of_discharge_differs"
    assert (found.declared, found.planned) == ("PKKHI", "AEJEA")


def test_on_board_not_manifested_and_manifested_not_on_board() -> None:
    manifest = _manifest()
    from riskprofile.io.edifact import StowPlan

    plan = StowPlan("p", units=[StowedUnit("0040382", "MSKU9070323", port_of_discharge="PKKHI")])
    found = compare_stowplan([manifest], plan)
    assert [(d.kind, d.container_number) for d in found] == [
        ("not_manifested", "MSKU9070323"),
        ("not_on_board", _BOX),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_given_as_the_stow_plan_is_refused_without_waiting(tmp_path: Path) -> None:
    # `riskprofile score --stowplan /dev/stdin` (or a FIFO) waited forever for a writer.
    fifo = tmp_path / "plan.edi"
    os.mkfifo(fifo)
    outcome: dict[str, str] = {}

    def read() -> None:
        try:
            read_stowplan(fifo)
            outcome["read"] = "no error"
        except InputFormatError as exc:
            outcome["error"] = str(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(60)
    if reader.is_alive():  # the old reader waits in open(): a writer lets it go on
        with open(fifo, "wb"):
            pass
        reader.join()
    assert "not a regular file" in outcome.get("error", outcome.get("read", "")), outcome
