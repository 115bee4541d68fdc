"""The work queue's store, on SQLite and on PostgreSQL: a batch loaded once and whole,
the inspection list as ``riskprofile score`` draws it, every change with before and after,
and the outcomes read back as they were recorded."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import TransitionError, WorkbenchError
from riskprofile.evaluation import Outcome
from riskprofile.profiles import ProfileSet
from riskprofile.scoring import score
from riskprofile.selection import select
from riskprofile.workbench import (
    Actor,
    Amend,
    Assign,
    Dispose,
    RecordResult,
    Release,
    Target,
    Workbench,
    WorkbenchConfig,
    apply,
    outcome_of,
)
from tests.depth import depth
from tests.workbench.conftest import AS_OF
from tests.workbench.test_states import actions, actors

ANALYST = Actor("amina", "analyst")
OFFICER = Actor("ivan", "officer")
SUPERVISOR = Actor("sara", "supervisor")
DAY = dt.date(2026, 11, 3)
CLOCK = dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC)
CONFIG = WorkbenchConfig(capacity=6, control_rate="5%", seed=11)


def _workbench(location: str, profiles: ProfileSet, **more: object) -> Workbench:
    return Workbench(location, profiles, config=CONFIG, clock=lambda: CLOCK, **more)  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore::riskprofile.errors.MissingSourceWarning")
def test_a_batch_is_loaded_once_and_listed_as_score_selects(
    location: str, port_day: Path, profiles: ProfileSet
) -> None:
    with _workbench(location, profiles) as wb:
        report = wb.load(port_day, actor=ANALYST, as_of=AS_OF)
        assert report.status == "loaded"
        run = score(port_day, profiles, as_of=AS_OF)
        selection = select(run, capacity=6, control_rate="5%", seed=11)
        listed = wb.units(report.batch_id)
        assert [(u.unit_key, u.case.selected_by, u.list_rank) for u in listed] == [
            (s.container.key, s.reason, s.rank) for s in selection.selected
        ]
        every = wb.units(report.batch_id, on_list=False, order="score")
        assert sorted(u.unit_key for u in every) == sorted(c.key for c in run.containers)
        assert report.units == len(run.containers)
        assert report.selected == len(selection.selected)
        events = wb.events()
        assert [e.action for e in events] == ["load"]
        # The same bytes again, by path or uploaded under another name: nothing is done.
        again = wb.load(port_day.read_bytes(), actor=ANALYST, as_of=AS_OF, name="again.json")
        assert again.status == "known"
        assert again.batch_id == report.batch_id
        assert "port-day.json" in (again.reason or "")
        assert len(wb.events()) == 1
        assert len(wb.batches()) == 1
        detail = wb.unit(listed[0].unit_id).detail
        assert detail is not None
        assert detail["hits"]
        assert all(h["explanation"] for h in detail["hits"])
        assert detail["shipments"][0]["parties"]["consignee"]["name"]


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b'{"manifests": [', "day.json", "not valid JSON"),
        (b"container_number,bl_number\n", "day.csv", "no shipment could be read"),
        (b"anything", "day.xlsx", "cannot tell the format"),
    ],
)
def test_a_bad_file_is_refused_whole_and_said(
    location: str, profiles: ProfileSet, content: bytes, name: str, reason: str
) -> None:
    with _workbench(location, profiles) as wb:
        report = wb.load(content, actor=ANALYST, as_of=AS_OF, name=name)
        assert report.status == "refused"
        assert reason in (report.reason or "")
        [batch] = wb.batches()
        assert (batch.status, batch.name) == ("refused", name)
        assert wb.units(on_list=False) == []
        assert wb.db.rows("SELECT COUNT(*) FROM wb_batch_files")[0][0] == 0
        [event] = wb.events()
        assert event.after == {"status": "refused", "name": name, "reason": report.reason}


def test_only_an_analyst_or_supervisor_loads(port_day: Path, profiles: ProfileSet) -> None:
    with _workbench(":memory:", profiles) as wb:
        with pytest.raises(TransitionError, match="a officer may not load"):
            wb.load(port_day, actor=OFFICER, as_of=AS_OF)
        assert wb.batches() == []


def test_three_containers_to_a_result_with_before_and_after(
    location: str, port_day: Path, profiles: ProfileSet
) -> None:
    with _workbench(location, profiles) as wb:
        batch = wb.load(port_day, actor=ANALYST, as_of=AS_OF).batch_id
        first, second = wb.units(batch)[:2]
        extra = next(u for u in wb.units(batch, on_list=False) if not u.on_list)
        wb.act(extra.unit_id, Target("a tip-off"), ANALYST)
        for unit in (first, second, extra):
            wb.act(unit.unit_id, Assign("ivan"), ANALYST)
        wb.act(first.unit_id, Dispose("physical"), OFFICER)
        wb.act(second.unit_id, Dispose("scanner"), OFFICER)
        wb.act(extra.unit_id, Dispose("referred", partner="AEJEA PCU"), OFFICER)
        found = RecordResult("finding", DAY, category="drugs", quantity="40 kg", seizure=True)
        change = wb.act(first.unit_id, found, OFFICER)
        assert change.before is not None
        assert change.after is not None
        assert (change.before["state"], change.after["state"]) == ("examining", "closed")
        assert (change.actor, change.role, change.unit) == ("ivan", "officer", first.unit_key)
        wb.act(second.unit_id, RecordResult("nil", DAY), SUPERVISOR)
        wb.act(extra.unit_id, RecordResult("not_examined", DAY, reason="partner did not scan"),
               OFFICER)  # fmt: skip
        reading = wb.outcomes(batch)
        assert set(reading.outcomes) == {
            Outcome(first.unit_key, True, True, first.case.selected_by, "drugs", "40", DAY,  # type: ignore[arg-type]
                    container_number=first.container_number, quantity_unit="kg", seizure=True),
            Outcome(second.unit_key, True, False, second.case.selected_by, date=DAY,  # type: ignore[arg-type]
                    container_number=second.container_number, seizure=False),
            Outcome(extra.unit_key, False, False, "other", date=DAY,
                    container_number=extra.container_number),
        }  # fmt: skip
        assert reading.records_read == 3
        assert not reading.rejected
        trail = wb.events(extra.unit_id)
        assert [e.action for e in trail] == ["target", "assign", "dispose", "result"]
        assert all(a.after == b.before for a, b in itertools.pairwise(trail))
        [targeted] = [u for u in wb.units(batch) if u.unit_id == extra.unit_id]
        assert targeted.list_rank == max(u.list_rank or 0 for u in wb.units(batch))


def test_an_action_on_a_stale_page_is_refused(port_day: Path, profiles: ProfileSet) -> None:
    with _workbench(":memory:", profiles) as wb:
        unit = wb.units(wb.load(port_day, actor=ANALYST, as_of=AS_OF).batch_id)[0]
        wb.act(unit.unit_id, Assign("ivan"), ANALYST, version=unit.version)
        with pytest.raises(TransitionError, match="changed by amina"):
            wb.act(unit.unit_id, Assign("olga"), SUPERVISOR, version=unit.version)
        assert wb.unit(unit.unit_id).case.officer == "ivan"
        with pytest.raises(WorkbenchError, match="no such container"):
            wb.act("b-0.0", Assign("ivan"), ANALYST)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, port_day: Path, profiles: ProfileSet) -> Path:
    """A SQLite workbench with the port day loaded, copied by each example below."""
    path = tmp_path_factory.mktemp("loaded") / "workbench.sqlite"
    with _workbench(str(path), profiles) as wb:
        wb.load(port_day, actor=ANALYST, as_of=AS_OF)
    return path


@settings(max_examples=depth(40), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 7), actions, actors), max_size=25))
def test_outcomes_read_back_equal_what_was_recorded(
    loaded: Path, profiles: ProfileSet, tmp_path: Path, steps: list[tuple[int, object, Actor]]
) -> None:
    target = tmp_path / f"wb-{time.monotonic_ns()}.sqlite"
    shutil.copy(loaded, target)
    with _workbench(str(target), profiles) as wb:
        units = wb.units(on_list=False, order="rank")[:8]
        cases = {u.unit_id: u.case for u in units}
        for index, action, actor in steps:
            unit = units[index % len(units)]
            try:
                expected = apply(cases[unit.unit_id], action, actor)  # type: ignore[arg-type]
            except TransitionError:
                with pytest.raises(TransitionError):
                    wb.act(unit.unit_id, action, actor)  # type: ignore[arg-type]
                continue
            change = wb.act(unit.unit_id, action, actor)  # type: ignore[arg-type]
            assert change.after is not None
            if isinstance(action, Amend):
                assert change.after.pop("amended_because") == action.why
                assert change.after.pop("approved_by") == (
                    action.approved_by.name if action.approved_by else None)  # fmt: skip
            assert change.after == expected.as_dict()
            cases[unit.unit_id] = expected
        stored = {u.unit_id: u for u in wb.units(on_list=False)}
        assert {k: stored[k].case for k in cases} == cases
        wanted = [o for u in units if (o := outcome_of(stored[u.unit_id])) is not None]
        assert sorted(wb.outcomes().outcomes, key=repr) == sorted(wanted, key=repr)
        for outcome in wanted:
            case = cases[next(u.unit_id for u in units if u.unit_key == outcome.unit)]
            assert outcome.finding == (case.result == "finding")
            assert outcome.inspected == (case.state == "closed" and case.result != "not_examined")


def _drop(folder: Path, name: str, content: bytes, age: float = 60) -> Path:
    path = folder / name
    path.write_bytes(content)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_a_drop_folder_loads_each_new_file_once(
    tmp_path: Path, port_day: Path, profiles: ProfileSet
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    with _workbench(str(tmp_path / "wb.sqlite"), profiles) as wb:
        _drop(folder, "day1.json", port_day.read_bytes())
        _drop(folder, "broken.json", b'{"manifests": [')
        _drop(folder, "half.json", b"[", age=0)  # still being written
        _drop(folder, "day2.json.part", b"[")  # written under a temporary name
        first = wb.scan(folder, actor=ANALYST, as_of=AS_OF)
        assert [(r.name, r.status) for r in first] == [("broken.json", "refused"),
                                                       ("day1.json", "loaded")]  # fmt: skip
        assert wb.scan(folder, actor=ANALYST, as_of=AS_OF) == []  # each file once
        # The same bytes under another name are known; new bytes in an old name are new.
        _drop(folder, "copy.json", port_day.read_bytes())
        _drop(folder, "broken.json", b"[]")
        second = wb.scan(folder, actor=ANALYST, as_of=AS_OF)
        assert [(r.name, r.status) for r in second] == [("broken.json", "refused"),
                                                        ("copy.json", "known")]  # fmt: skip
        assert "no shipment" in (second[0].reason or "")
        assert next(b.origin for b in wb.batches()) == f"folder {folder}"
        with pytest.raises(WorkbenchError, match="is not a folder"):
            wb.scan(tmp_path / "nowhere", actor=ANALYST, as_of=AS_OF)


def test_results_reach_the_history_store_as_they_are_recorded(
    tmp_path: Path, port_day: Path, profiles: ProfileSet
) -> None:
    from riskprofile.history import open_store

    history = str(tmp_path / "history.duckdb")
    with _workbench(str(tmp_path / "wb.sqlite"), profiles, history=history) as wb:
        batch = wb.load(port_day, actor=ANALYST, as_of=AS_OF).batch_id
        unit = wb.units(batch)[0]
        assert wb.history.stats().inspections == 0
        wb.act(unit.unit_id, Assign("ivan"), ANALYST)
        wb.act(unit.unit_id, Dispose("physical"), OFFICER)
        wb.act(unit.unit_id, RecordResult("finding", DAY, category="drugs"), OFFICER)
        stats = wb.history.stats()
        assert stats.runs == 1
        assert stats.inspections >= 1
        assert stats.findings >= 1
        released = wb.units(batch)[1]
        wb.act(released.unit_id, Release("cleared by the ministry"), ANALYST)
        assert wb.sync_history() == 2  # again: known to the store, counted once
        assert wb.history.stats().findings == stats.findings
        # The next batch (the same call sent again a month later) is scored with the
        # history: its container page shows what the store knew.
        later = wb.load(port_day.read_bytes() + b"\n", actor=ANALYST, as_of="2026-12-01",
                        name="resent.json")  # fmt: skip
        assert later.status == "loaded"
        again = next(u for u in wb.units(later.batch_id, on_list=False)
                     if u.unit_key == unit.unit_key)  # fmt: skip
        detail = wb.unit(again.unit_id).detail
        assert detail is not None
        facts = detail["shipments"][0]["history"]
        assert facts["container_prior_findings"] >= 1
        assert facts["consignee_prior_shipments"] >= 1
    with open_store(history) as store:
        assert store.stats().inspections == stats.inspections
    # A workbench store with a wrong file is refused, not overwritten.
    with pytest.raises(WorkbenchError, match="not a SQLite file"):
        Workbench(port_day, profiles)


def test_an_amended_result_is_the_outcome_and_replaces_the_history_row(
    tmp_path: Path, port_day: Path, profiles: ProfileSet
) -> None:
    history = str(tmp_path / "history.duckdb")
    with _workbench(str(tmp_path / "wb.sqlite"), profiles, history=history) as wb:
        batch = wb.load(port_day, actor=ANALYST, as_of=AS_OF).batch_id
        unit = wb.units(batch)[0]
        wb.act(unit.unit_id, Assign("ivan"), ANALYST)
        wb.act(unit.unit_id, Dispose("physical"), OFFICER)
        found = RecordResult("finding", DAY, category="drugs", quantity="40 kg", seizure=True)
        wb.act(unit.unit_id, found, OFFICER)
        recorded = wb.history.stats()
        assert recorded.findings >= 1
        change = wb.act(unit.unit_id, Amend("nil", DAY, "the lab found sugar"), SUPERVISOR)
        assert change.before is not None
        assert change.after is not None
        assert (change.before["result"], change.before["category"]) == ("finding", "drugs")
        assert (change.after["result"], change.after["category"]) == ("nil", None)
        assert (change.after["amended_because"], change.after["approved_by"]) == (
            "the lab found sugar", None)  # fmt: skip
        [outcome] = wb.outcomes(batch).outcomes
        assert (outcome.inspected, outcome.finding, outcome.category) == (True, False, None)
        # The history counts the latest result only, not both.
        assert wb.history.stats().findings == 0
        assert wb.history.stats().inspections == recorded.inspections
        # The officer amends again, with a supervisor's approval.
        with pytest.raises(TransitionError, match="needs the supervisor"):
            wb.act(unit.unit_id, Amend("finding", DAY, "weighed", category="drugs"), OFFICER)
        back = Amend("finding", DAY, "the second lab found heroin", category="drugs",
                     quantity="39.5 kg", seizure=True, approved_by=SUPERVISOR)  # fmt: skip
        wb.act(unit.unit_id, back, OFFICER)
        [outcome] = wb.outcomes(batch).outcomes
        assert (outcome.finding, outcome.quantity, outcome.quantity_unit) == (True, "39.5", "kg")
        assert wb.history.stats() == recorded
        assert [e.action for e in wb.events(unit.unit_id)][-3:] == ["result", "amend", "amend"]
        # Written again whole: each amendment's earlier result is replaced, not added.
        wb.sync_history()
        assert wb.history.stats() == recorded


def test_a_seized_quantity_reaches_the_outcomes_and_the_history_store(
    tmp_path: Path, port_day: Path, profiles: ProfileSet
) -> None:
    import sqlite3

    from riskprofile.history import open_store

    location, history = tmp_path / "wb.sqlite", str(tmp_path / "history.duckdb")
    with _workbench(str(location), profiles, history=history) as wb:
        batch = wb.load(port_day, actor=ANALYST, as_of=AS_OF).batch_id
        first, second = wb.units(batch)[:2]
    # A store made before quantities had units (no quantity_unit column) is upgraded.
    with sqlite3.connect(location) as db:
        db.execute("ALTER TABLE wb_units DROP COLUMN quantity_unit")
    with _workbench(str(location), profiles, history=history) as wb:
        for unit in (first, second):
            wb.act(unit.unit_id, Assign("ivan"), ANALYST)
            wb.act(unit.unit_id, Dispose("physical"), OFFICER)
        seized = RecordResult("finding", DAY, category="drugs", quantity="12.5",
                              quantity_unit="kg", seizure=True)  # fmt: skip
        wb.act(first.unit_id, seized, OFFICER)
        wb.act(second.unit_id, RecordResult("finding", DAY, category="ipr",
                                            quantity="400 pairs"), OFFICER)  # fmt: skip
        got = {o.unit: (o.category, o.quantity, o.quantity_unit, o.seizure)
               for o in wb.outcomes(batch)}  # fmt: skip
        assert got == {first.unit_key: ("drugs", "12.5", "kg", True),
                       second.unit_key: ("ipr", "400", "pairs", False)}  # fmt: skip
    with open_store(history) as store:
        rows = store._db.frame(
            "SELECT DISTINCT unit, category, quantity, quantity_unit, seizure "
            "FROM rp_inspections ORDER BY category"
        ).rows()
    assert rows == [(first.unit_key, "drugs", "12.5", "kg", True),
                    (second.unit_key, "ipr", "400", "pairs", False)]  # fmt: skip


@pytest.mark.filterwarnings("ignore::riskprofile.errors.MissingSourceWarning")
def test_a_batch_is_evaluated_through_the_public_api_whatever_its_bl_order(
    tmp_path: Path, profiles: ProfileSet
) -> None:
    import random

    from riskprofile.evaluation import evaluate
    from riskprofile.io import write_json
    from riskprofile.synth import generate_port_day
    from tests.workbench.test_weight_order import AWKWARD

    [call] = generate_port_day(7, 40).manifests
    # Goods weights whose float sums depend on the order they are added in.
    weights = iter(AWKWARD * 1000)
    call = call.model_copy(update={"consignments": [
        c.model_copy(update={"goods": [g.model_copy(update={"gross_weight_kg": next(weights)})
                                       for g in c.goods]})
        for c in call.consignments]})  # fmt: skip
    shuffled = call.model_copy(update={"consignments": random.Random(3).sample(
        call.consignments, len(call.consignments))})  # fmt: skip
    files = [tmp_path / "call.json", tmp_path / "shuffled.json"]
    write_json([call], files[0])
    write_json([shuffled], files[1])
    figures = []
    with _workbench(str(tmp_path / "wb.sqlite"), profiles) as wb:
        for path in files:
            batch = wb.load(path, actor=ANALYST, as_of=AS_OF).batch_id
            assert wb.evaluation(batch) is None  # no result yet
            for unit, result in zip(wb.units(batch)[:3], [
                RecordResult("finding", DAY, category="drugs", quantity="2 kg"),
                RecordResult("nil", DAY), RecordResult("nil", DAY)], strict=False):  # fmt: skip
                wb.act(unit.unit_id, Assign("ivan"), ANALYST)
                wb.act(unit.unit_id, Dispose("scanner"), OFFICER)
                wb.act(unit.unit_id, result, OFFICER)
            evaluation = wb.evaluation(batch)
            assert evaluation is not None
            # The same as evaluating a fresh run of the file on the recorded outcomes.
            fresh = evaluate(score(path, profiles, as_of=AS_OF), wb.outcomes(batch),
                             profiles=profiles)  # fmt: skip
            assert evaluation.tables() == fresh.tables()
            assert wb.rescore(batch).containers == score(path, profiles, as_of=AS_OF).containers
            figures.append(sorted(map(repr, evaluation.units)))
            assert wb.frame(batch).height == len(evaluation.run.shipments)
        with pytest.raises(WorkbenchError, match="no batch"):
            wb.rescore("b-nope")
    assert figures[0] == figures[1]


def test_an_amendment_made_without_the_history_store_is_replaced_by_sync(
    tmp_path: Path, port_day: Path, profiles: ProfileSet
) -> None:
    history = str(tmp_path / "history.duckdb")
    location = str(tmp_path / "wb.sqlite")
    with _workbench(location, profiles, history=history) as wb:
        batch = wb.load(port_day, actor=ANALYST, as_of=AS_OF).batch_id
        unit = wb.units(batch)[0]
        wb.act(unit.unit_id, Assign("ivan"), ANALYST)
        wb.act(unit.unit_id, Dispose("physical"), OFFICER)
        wb.act(unit.unit_id, RecordResult("finding", DAY, category="drugs"), OFFICER)
        recorded = wb.history.stats()
    with _workbench(location, profiles) as wb:  # no history store configured today
        wb.act(unit.unit_id, Amend("nil", DAY, "the lab found sugar"), SUPERVISOR)
    with _workbench(location, profiles, history=history) as wb:
        wb.sync_history()
        assert (wb.history.stats().findings, wb.history.stats().inspections) == (
            0, recorded.inspections)  # fmt: skip


def test_a_folder_or_a_fifo_given_as_the_file_is_refused(
    tmp_path: Path, profiles: ProfileSet
) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    with _workbench(":memory:", profiles) as wb:
        for source in (tmp_path, fifo, tmp_path / "missing.json"):
            report = wb.load(source, actor=ANALYST, as_of=AS_OF)
            assert report.status == "refused"
            assert report.reason
