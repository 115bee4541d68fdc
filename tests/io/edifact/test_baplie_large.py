"""Stow plans of ultra-large ships: more stowage locations than one BAPLIE message may hold
(9,999 in D.95B), sent in one message or split over several, read with every container."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import iso6346

from riskprofile.io.edifact import StowedUnit, StowPlan, _stowwriter, read_stowplan, write_baplie
from riskprofile.io.edifact._syntax import tokenize
from tests.depth import depth
from tests.io.edifact.test_stowplan import _unit_lists

# Each SMDG version as the reader sees it: the layout written and the UNH label it has.
_LABELS = {
    "1.5": ("2.2", "BAPLIE:1:911:UN:SMDG15"),
    "2.0": ("2.2", "BAPLIE:D:95B:UN:SMDG20"),
    "2.2": ("2.2", "BAPLIE:D:95B:UN:SMDG22"),
    "3.1": ("3.1", "BAPLIE:D:13B:UN:SMDG31"),
}


def _units(count: int, seed: int = 7) -> list[StowedUnit]:
    """``count`` units with every field the reader gives, as a large ship carries them."""
    rng = random.Random(seed)
    units = []
    for n in range(count):
        body = f"{rng.choice(['MSKU', 'MSCU', 'CMAU'])}{n:06d}"
        units.append(
            StowedUnit(
                f"{n // 1_000 + 1:03d}{n % 1_000 // 40:02d}{n % 40 + 2:02d}",  # each slot once
                body + iso6346.calc_check_digit(body),
                rng.choice(["22G1", "45G1", "45R1", "22T6"]),
                rng.random() > 0.1,
                round(rng.uniform(2_000, 32_000), 1),
                rng.choice(["CNSHA", "SGSIN"]),
                rng.choice(["PKKHI", "AEJEA", "NLRTM"]),
                (("3", "1263"), ("8", "1789")) if rng.random() < 0.03 else (),
                round(rng.uniform(-25, 13), 1) if rng.random() < 0.1 else None,
                rng.choice(["MAE", "MSC", "CMA"]),
            )
        )
    return units


def _bare(plan: StowPlan) -> list[StowedUnit]:
    keep = [k for k in StowedUnit.__slots__ if k not in ("message", "segment")]
    return [StowedUnit(**{k: getattr(u, k) for k in keep}) for u in plan.units]


def _written(
    units: list[StowedUnit], label: str, split: bool, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The units as one BAPLIE interchange of SMDG ``label`` (``1.5`` ... ``3.1``), in
    one message (``split=False``, as some carriers send a large plan) or as the writer
    splits it."""
    version, unh = _LABELS[label]
    with monkeypatch.context() as patched:
        if not split:
            patched.setattr(_stowwriter, "_location_limit", lambda version: 10**9)
        text = write_baplie(units, vessel="MSC IRINA", voyage="FL123E", version=version)  # type: ignore[arg-type]
    return text.replace("BAPLIE:" + ":".join(_stowwriter.BAPLIE_VERSIONS[version][1:]), unh)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.edi"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("count", [20_000, 30_000, 40_000])
@pytest.mark.parametrize("label", sorted(_LABELS))
def test_every_container_of_a_large_plan_is_recovered_in_each_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str, count: int
) -> None:
    units = _units(count)
    for split in (False, True):
        plan = read_stowplan(_write(tmp_path, _written(units, label, split, monkeypatch)))
        assert _bare(plan) == units, (label, split)
        assert (plan.vessel, plan.voyage) == ("MSC IRINA", "FL123E")
        assert plan.empty_locations == []
        if split or label == "3.1":  # 99,999 locations per message from D.13B
            assert plan.problems == []
        else:
            (notice,) = plan.problems
            assert notice.code == "too_many"
            assert "every location is read" in notice.reason


def test_a_plan_over_the_limit_in_one_message_is_read_whole_and_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = _units(10_050)
    plan = read_stowplan(_write(tmp_path, _written(units, "2.2", False, monkeypatch)))
    assert _bare(plan) == units
    (notice,) = plan.problems
    # At the 10,000th location, its LOC+147.
    assert (notice.code, notice.tag, notice.position) == (
        "too_many",
        "LOC",
        plan.units[9_999].segment,
    )
    assert notice.reason.startswith("more than 9,999 stowage locations in one message, the ")
    assert "D95B segment table (SG2): every location is read" in notice.reason


def test_the_writer_splits_at_the_table_s_limit() -> None:
    # The limit each version writes to: its location group's repeat in the segment table
    # (the splitting itself is tested below with the limit patched small).
    assert _stowwriter._location_limit("2.2") == 9_999
    assert _stowwriter._location_limit("3.1") == 99_999


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    _unit_lists(max_size=12),
    st.integers(1, 5),
    st.sampled_from(["2.2", "3.1"]),
    st.booleans(),
)
def test_a_split_plan_is_one_sequence_of_transfers_read_back_as_one_plan(
    tmp_path_factory: pytest.TempPathFactory,
    units: list[StowedUnit],
    limit: int,
    version: str,
    two_calls: bool,
) -> None:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_stowwriter, "_location_limit", lambda version: limit)
        calls = [("MSC IRINA", "FL123E", units)] + ([("MSC ANNA", "7", units[:3])] * two_calls)
        text = _stowwriter.write_baplie_calls(calls, version=version)  # type: ignore[arg-type]
    segments = tokenize(text).segments
    headers = [s for s in segments if s.tag == "UNH"]
    parts = max(1, -(-len(units) // limit))
    # One sequence per call split in parts: numbered from 1, C on the first, F on the last.
    first = headers[:parts]
    if parts == 1:
        assert first[0].value(3) is None
        assert first[0].value(4) is None
    else:
        assert {h.value(3) for h in first} == {"1"}
        assert [h.value(4, 1) for h in first] == [str(n) for n in range(1, parts + 1)]
        assert [h.value(4, 2) for h in first] == ["C"] + [None] * (parts - 2) + ["F"]
    assert next(s for s in segments if s.tag == "UNZ").value(1) == str(len(headers))
    plan = read_stowplan(_write(tmp_path_factory.mktemp("bap"), text))
    assert plan.problems == []
    assert _bare(plan) == units + units[:3] * two_calls
    assert (plan.vessel, plan.voyage) == ("MSC IRINA", "FL123E")


def _sequence(tmp_path: Path, keep: list[int], flags: dict[int, str] | None = None) -> StowPlan:
    """A 2.2 plan of 5 units written as 5 messages, only the parts ``keep`` (from 1, in
    that order) left in the file."""
    units = _units(5)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(_stowwriter, "_location_limit", lambda version: 1)
        text = write_baplie(units)
    head, *messages = text.split("UNH+")
    last = messages[-1]
    messages[-1] = last[: last.index("UNZ+")]
    chosen = []
    for n in keep:
        message = messages[n - 1]
        for number, flag in (flags or {}).items():
            if number == n:
                message = message.replace(f"+1+{n}:F'", f"+1+{n}{flag}'").replace(
                    f"+1+{n}'", f"+1+{n}{flag}'"
                )
        chosen.append("UNH+" + message)
    text = head + "".join(chosen) + f"UNZ+{len(keep)}+1'\n"
    return read_stowplan(_write(tmp_path, text))


def test_a_whole_sequence_is_no_problem(tmp_path: Path) -> None:
    plan = _sequence(tmp_path, [1, 2, 3, 4, 5])
    assert plan.problems == []
    assert len(plan.units) == 5


def test_a_part_missing_from_the_middle_is_said(tmp_path: Path) -> None:
    plan = _sequence(tmp_path, [1, 2, 4, 5])
    assert len(plan.units) == 4
    (problem,) = plan.problems
    assert problem.code == "transfer_sequence"
    assert problem.where == "interchange 1, message 1, segment 1 (UNH), element 4.1"
    assert "lacks part 3 of 5: the containers in it are missing from the plan" in problem.reason


def test_a_plan_without_its_last_part_is_said(tmp_path: Path) -> None:
    plan = _sequence(tmp_path, [1, 2, 3])
    assert len(plan.units) == 3
    (problem,) = plan.problems
    assert (problem.code, problem.element) == ("transfer_sequence", "4.2")
    assert "has no last part (F) in the file: parts after 3 may be missing" in problem.reason


def test_a_part_sent_twice_is_said(tmp_path: Path) -> None:
    plan = _sequence(tmp_path, [1, 2, 2, 3, 4, 5])
    assert len(plan.units) == 6
    number, slot, sequence = plan.problems
    assert sequence.code == "transfer_sequence"
    assert "part 2 of the plan sent as the sequence '1' comes twice" in sequence.reason
    assert sequence.message == "2"
    # Its container is on board twice, in the same slot: both said at the second part.
    assert (number.code, slot.code) == ("duplicate", "duplicate")
    assert number.reason.startswith(f"container {plan.units[1].container_number} is also at ")


def test_the_first_part_missing_is_said(tmp_path: Path) -> None:
    plan = _sequence(tmp_path, [2, 3, 4, 5])
    (problem,) = plan.problems
    assert "lacks part 1 of 5" in problem.reason


def test_parts_numbered_without_c_and_f_are_read_and_a_gap_said(tmp_path: Path) -> None:
    plan = _sequence(tmp_path, [1, 3], flags={1: "", 3: ""})
    assert [p.reason.split(": ")[0] for p in plan.problems] == [
        "the plan sent as the sequence '1' has no last part (F) in the file",
        "the plan sent as the sequence '1' lacks part 2 of 3",
    ]


def test_score_strict_with_a_plan_over_the_limit_keeps_every_unit_and_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskprofile.cli import main

    sample = read_stowplan(Path(__file__).parents[2] / "data" / "edifact" / "baplie-smdg22.edi")
    with monkeypatch.context() as patched:
        patched.setattr(_stowwriter, "_location_limit", lambda version: 10**9)
        text = write_baplie([*sample.units, *_units(10_000)], vessel=sample.vessel)
    plan = _write(tmp_path, text)
    argv = ["score", "examples/data/karachi-cuscar.edi", "--stowplan", str(plan)]
    code = main([*argv, "--as-of", "2026-12-08", "--strict"])
    out = " ".join(capsys.readouterr().out.split())  # the listing wraps long lines
    assert code == 0
    assert f"stow plan {plan}: 10,004 units on board, 2 in the batch" in out
    assert "more than 9,999 stowage locations in one message" in out
    assert "every location is read" in out
