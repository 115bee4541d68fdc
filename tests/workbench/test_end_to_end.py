"""From a port day to `evaluate`, with no export step: load the example port day into a
workbench, work three containers to a result, and see `evaluate` count them, read from
the workbench's store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from riskprofile.cli import main
from riskprofile.evaluation import evaluate
from riskprofile.profiles import ProfileSet
from riskprofile.scoring import score
from riskprofile.workbench import (
    Actor,
    Assign,
    Dispose,
    RecordResult,
    Target,
    Workbench,
    WorkbenchConfig,
)
from tests.profile_memo import load_once

ANALYST = Actor("amina", "analyst")
OFFICER = Actor("ivan", "officer")
AS_OF = "2026-11-02"
DAY = dt.date(2026, 11, 3)


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


@pytest.fixture(scope="module")
def generated_day(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example port day as `riskprofile data generate --port-day` writes it (small)."""
    path = tmp_path_factory.mktemp("day") / "karachi.json"
    code = main(["data", "generate", "--port-day", "--containers", "80", "--seed", "3",
                 "-o", str(path)])  # fmt: skip
    assert code == 0
    return path


def _work_three(workbench: Workbench, batch_id: str) -> list[str]:
    listed = workbench.units(batch_id)
    extra = next(u for u in workbench.units(batch_id, on_list=False) if not u.on_list)
    workbench.act(extra.unit_id, Target("a tip-off from the terminal"), ANALYST)
    worked = [listed[0], listed[1], extra]
    for unit in worked:
        workbench.act(unit.unit_id, Assign(OFFICER.name), ANALYST)
        workbench.act(unit.unit_id, Dispose("physical"), OFFICER)
    results = [
        RecordResult("finding", DAY, category="drugs", quantity="20 kg", seizure=True),
        RecordResult("nil", DAY),
        RecordResult("finding", DAY, category="ipr", quantity="400 pairs"),
    ]
    for unit, result in zip(worked, results, strict=True):
        workbench.act(unit.unit_id, result, OFFICER)
    return [u.unit_key for u in worked]


@pytest.mark.filterwarnings("ignore::riskprofile.errors.MissingSourceWarning")
def test_evaluate_counts_the_results_recorded_in_the_workbench(
    generated_day: Path, tmp_path: Path, profiles: ProfileSet, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "workbench.sqlite"
    config = WorkbenchConfig(capacity=5, control_rate="2%", seed=7)
    with Workbench(store, profiles, config=config) as workbench:
        batch = workbench.load(generated_day, actor=ANALYST, as_of=AS_OF)
        assert batch.status == "loaded"
        worked = _work_three(workbench, batch.batch_id)
        recorded = workbench.outcomes()
    # In Python: the run's evaluation counts the three, with no file in between.
    run = score(generated_day, profiles, as_of=AS_OF)
    evaluation = evaluate(run, recorded, capacities=["100%"])
    assert (evaluation.labelled, evaluation.findings) == (3, 2)
    assert evaluation.unmatched == ()
    # On the command line: the store is the outcome file.
    report = tmp_path / "evaluation.json"
    capsys.readouterr()
    code = main(["evaluate", str(generated_day), str(store), "--as-of", AS_OF, "--country", "PK",
                 "--capacity", "100%", "--json", str(report)])  # fmt: skip
    assert code == 0
    doc = json.loads(report.read_text(encoding="utf-8"))
    [row] = doc["capacity"]
    assert (row["labelled"], row["findings"]) == (3, 2)
    assert "outcomes unmatched" not in capsys.readouterr().err
    by_unit = {u["key"]: u for u in doc["units"] if u["key"] in worked}
    assert set(by_unit) == set(worked)
    assert [by_unit[k]["finding"] for k in worked] == [True, False, True]


def test_a_store_takes_no_outcome_mapping(
    generated_day: Path, tmp_path: Path, profiles: ProfileSet, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "workbench.sqlite"
    Workbench(store, profiles).close()
    code = main(["evaluate", str(generated_day), str(store), "--as-of", AS_OF,
                 "--outcomes-mapping", "m.yaml"])  # fmt: skip
    assert code == 2
    assert "not a workbench store" in capsys.readouterr().err


def test_the_command_line_loads_a_file_and_a_drop_folder(
    generated_day: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import time

    data = str(tmp_path / "data")
    assert main(["serve", "users", "add", "ana", "--role", "analyst", "--data", data]) == 0
    capsys.readouterr()
    base = ["--data", data, "--as-of", AS_OF, "--country", "PK", "--capacity", "5"]
    assert main(["serve", "queue", "load", str(generated_day), "--as", "nobody", *base]) == 2
    assert "enabled analyst or supervisor" in capsys.readouterr().err
    assert main(["serve", "queue", "load", str(generated_day), "--as", "ana", *base]) == 0
    out = capsys.readouterr().out
    assert "loaded as b-" in out
    assert " on the list" in out
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "same.json").write_bytes(generated_day.read_bytes())
    (folder / "bad.json").write_bytes(b"{")
    old = time.time() - 60
    for f in folder.iterdir():
        os.utime(f, (old, old))
    assert main(["serve", "queue", "scan", str(folder), "--as", "ana", *base]) == 1
    captured = capsys.readouterr()
    assert "same.json: already loaded" in captured.out
    assert "bad.json: refused" in captured.err
    assert main(["serve", "queue", "scan", str(folder), "--as", "ana", *base]) == 0
    assert "no new file" in capsys.readouterr().out
    from riskprofile.serve.web import WebStore

    store = WebStore(str(tmp_path / "data" / "workbench.sqlite"))
    with store.read() as tx:
        actions = [r[0] for r in tx.rows("SELECT action FROM web_audit ORDER BY seq")]
    store.close()
    assert actions.count("queue.load") == 2  # the file loaded, the bad one refused


@pytest.mark.filterwarnings("ignore::riskprofile.errors.MissingSourceWarning")
def test_suggest_reads_the_results_recorded_in_the_workbench(
    generated_day: Path, tmp_path: Path, profiles: ProfileSet, capsys: pytest.CaptureFixture[str]
) -> None:
    """`riskprofile suggest DAY STORE`: the store is the outcome file, its three results
    (two findings) counted as inspected and findings, none left out as unmatched."""
    store = tmp_path / "workbench.sqlite"
    config = WorkbenchConfig(capacity=5, control_rate="2%", seed=7)
    with Workbench(store, profiles, config=config) as workbench:
        batch = workbench.load(generated_day, actor=ANALYST, as_of=AS_OF)
        _work_three(workbench, batch.batch_id)
    report, draft = tmp_path / "suggest.json", tmp_path / "draft.yaml"
    capsys.readouterr()
    code = main(["suggest", str(generated_day), str(store), "--split", "2027-01-01",
                 "-o", str(draft), "--json", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    doc = json.loads(report.read_text(encoding="utf-8"))
    train, test = doc["train"], doc["test"]
    assert (train["units"], train["findings"]) == (3, 2)  # before the split: all three
    assert (test["units"], test["findings"]) == (0, 0)
    assert doc["unmatched"] == 0
    assert "3 inspected, 2 findings" in out
