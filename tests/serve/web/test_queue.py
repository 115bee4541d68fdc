"""The work queue's pages: every route, what it does for each role, and its refusals (no
session, wrong role, CSRF, oversize upload, bad file, invalid transition)."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from riskprofile.evaluation import evaluate
from riskprofile.io import write_json
from riskprofile.scoring import score
from riskprofile.synth import generate_port_day
from riskprofile.workbench import WorkbenchConfig
from tests.profile_memo import SERVE, TARGETS, load_once
from tests.serve.web.conftest import Workbench, csrf_of, make_workbench

AS_OF = "2026-11-02"
_UNIT = re.compile(r'href="/queue/units/([^"]+)"')


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every workbench here scores with the bundled library: loaded once per process."""
    load_once(monkeypatch, *TARGETS, SERVE)


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A port day of 60 containers, as the bytes of a JSON batch file."""
    path = tmp_path_factory.mktemp("day") / "day.json"
    write_json(generate_port_day(5, 60).manifests, path)
    return path.read_bytes()


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[Workbench]:
    """A workbench scoring with the bundled profiles."""
    made = make_workbench(tmp_path, profiles=("bundled",), country="PK")
    made.app.state.queue_config = WorkbenchConfig(capacity=6, control_rate="5%", seed=3)
    yield made
    made.store.close()


def upload(client: Any, content: bytes, name: str = "day.json", **more: Any) -> Any:
    data = {"csrf_token": csrf_of(client, "/queue"), "as_of": AS_OF, **more}
    return client.post("/queue/upload", data=data, files={"file": (name, content)})


def units_on(page: str) -> list[str]:
    return _UNIT.findall(page)


def post(client: Any, unit: str, action: str, htmx: bool = False, **data: Any) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    form = {"csrf_token": csrf_of(client, f"/queue/units/{unit}"), **data}
    return client.post(f"/queue/units/{unit}/{action}", data=form, headers=headers)


def audit(bench: Workbench) -> list[tuple[str, str, Any, Any]]:
    with bench.store.read() as tx:
        rows = tx.rows("SELECT actor, action, before, after FROM web_audit ORDER BY seq")
    return [(r[0], r[1], json.loads(r[2]) if r[2] else None, json.loads(r[3]) if r[3] else None)
            for r in rows if str(r[1]).startswith("queue.")]  # fmt: skip


def test_an_analyst_loads_a_batch_and_sees_the_list(bench: Workbench, day: bytes) -> None:
    client = bench.client("ana")
    assert "No batch is loaded yet" in client.get("/queue").text
    response = upload(client, day)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert 'class="lane-red"' in page.text
    listed = units_on(page.text)
    assert listed
    # The same file again is known: the list is the same, nothing is loaded twice.
    assert upload(client, day, name="again.json").status_code == 303
    [(actor, action, before, after)] = audit(bench)
    assert (actor, action, before, after["status"]) == ("ana", "queue.load", None, "loaded")
    # Sorted by score through htmx: only the table comes back.
    fragment = client.get("/queue?order=score&all=true",
                          headers={"HX-Request": "true", "HX-Target": "queue-table"})  # fmt: skip
    assert fragment.status_code == 200
    assert fragment.text.startswith('<div id="queue-table">')
    assert len(units_on(fragment.text)) > len(listed)
    assert client.get("/queue?order=weight").status_code == 422
    assert client.get("/queue?batch=b-nope").status_code == 404


def test_a_bad_file_is_refused_and_listed(bench: Workbench) -> None:
    client = bench.client("sue")
    response = upload(client, b'{"manifests": [', name="broken.json")
    assert response.status_code == 422
    assert "broken.json" in response.text
    assert "not valid JSON" in response.text
    assert "broken.json" in client.get("/queue").text  # under "Files refused"
    assert upload(client, b"x", name="day.xlsx").status_code == 422


def test_upload_refusals(tmp_path: Path, bench: Workbench, day: bytes) -> None:
    assert bench.client().post("/queue/upload", files={"file": ("d.json", day)}).status_code == 401
    assert bench.client().get("/queue").status_code == 303  # to the sign-in page
    officer = bench.client("otto")
    assert upload(officer, day).status_code == 403
    analyst = bench.client("ana")
    no_token = analyst.post("/queue/upload", data={"as_of": AS_OF}, files={"file": ("d.json", day)})
    assert no_token.status_code == 403
    assert upload(analyst, day, as_of="yesterday").status_code == 422
    small = make_workbench(tmp_path / "small", profiles=("bundled",), max_body_mib=1)
    assert upload(small.client("ana"), b"[" + b" " * (2 << 20) + b"]").status_code == 413
    small.store.close()
    with bench.store.read() as tx:
        assert tx.one("SELECT COUNT(*) FROM wb_batches") == (0,)


@pytest.fixture
def loaded(bench: Workbench, day: bytes) -> list[str]:
    """The port day loaded; its listed units, in list order."""
    client = bench.client("ana")
    upload(client, day)
    return units_on(client.get("/queue").text)


def test_the_container_page_shows_hits_and_explanations(
    bench: Workbench, loaded: list[str]
) -> None:
    page = bench.client("otto").get(f"/queue/units/{loaded[0]}")
    assert page.status_code == 200
    unit = bench.app.state.queue.unit(loaded[0])
    for hit in unit.detail["hits"]:
        assert html.escape(hit["title"]) in page.text
        assert html.escape(hit["explanation"]) in page.text
    assert html.escape(unit.detail["shipments"][0]["parties"]["consignee"]["name"]) in page.text
    assert bench.client("otto").get("/queue/units/b-nope.1").status_code == 404
    assert bench.client().get(f"/queue/units/{loaded[0]}").status_code == 303


def test_assign_dispose_result_by_role_with_the_audit_log(
    bench: Workbench, loaded: list[str]
) -> None:
    analyst, officer, supervisor = bench.client("ana"), bench.client("otto"), bench.client("sue")
    unit = loaded[0]
    # An officer cannot assign; the analyst cannot record a disposition.
    assert post(officer, unit, "assign", officer="otto").status_code == 403
    assert post(analyst, unit, "assign", officer="nobody").status_code == 422
    assert post(analyst, unit, "assign", officer="otto").status_code == 303
    assert post(analyst, unit, "dispose", disposition="physical").status_code == 403
    # A result before a disposition is refused: the state does not allow it.
    assert post(officer, unit, "result", result="nil").status_code == 409
    response = post(officer, unit, "dispose", htmx=True, disposition="physical", note="bay 4")
    assert response.status_code == 200
    assert response.text.startswith('<section id="case">')
    assert post(officer, unit, "result", result="finding").status_code == 422  # no category
    done = post(officer, unit, "result", result="finding", category="drugs", quantity="30 kg",
                seizure="true", on="2026-11-03")  # fmt: skip
    assert done.status_code == 303
    assert post(supervisor, unit, "release", reason="late").status_code == 409  # final
    trail = audit(bench)
    assert [a for _, a, _, _ in trail] == ["queue.load", "queue.assign", "queue.dispose",
                                           "queue.result"]  # fmt: skip
    actor, _, before, after = trail[-1]
    assert actor == "otto"
    assert (before["state"], after["state"], after["category"], after["seizure"]) == (
        "examining", "closed", "drugs", True)  # fmt: skip
    [outcome] = bench.app.state.queue.outcomes()
    assert (outcome.finding, outcome.category, outcome.date) == (True, "drugs",
                                                                 dt.date(2026, 11, 3))  # fmt: skip


def test_only_the_assigned_officer_acts_on_a_container(bench: Workbench, loaded: list[str]) -> None:
    from riskprofile.serve.web import add_user

    add_user(bench.store, "olga", "officer", "correct horse battery staple", actor="cli:test")
    assert post(bench.client("ana"), loaded[0], "assign", officer="otto").status_code == 303
    assert (
        post(bench.client("olga"), loaded[0], "dispose", disposition="scanner").status_code == 403
    )


def test_manual_targeting_and_release_need_a_reason(bench: Workbench, loaded: list[str]) -> None:
    analyst = bench.client("ana")
    everything = units_on(analyst.get("/queue?all=true").text)
    extra = next(u for u in everything if u not in loaded)
    assert post(analyst, extra, "target", reason=" ").status_code == 422
    assert post(analyst, extra, "target", reason="tip-off").status_code == 303
    assert extra in units_on(analyst.get("/queue").text)
    assert post(analyst, loaded[1], "release").status_code == 422
    assert post(analyst, loaded[1], "release", reason="cleared by the ministry").status_code == 303
    assert post(bench.client("otto"), extra, "target", reason="mine").status_code == 403
    assert post(analyst, extra, "fly").status_code == 404


def test_a_form_from_a_stale_page_is_refused(bench: Workbench, loaded: list[str]) -> None:
    analyst, supervisor = bench.client("ana"), bench.client("sue")
    version = bench.app.state.queue.unit(loaded[0]).version
    assert post(analyst, loaded[0], "assign", officer="otto", version=version).status_code == 303
    stale = post(supervisor, loaded[0], "assign", officer="otto", version=version)
    assert stale.status_code == 409
    assert "since it was shown" in stale.text


@pytest.mark.filterwarnings("ignore::riskprofile.errors.MissingSourceWarning")
def test_three_containers_worked_in_the_browser_are_counted_by_evaluate(
    bench: Workbench, loaded: list[str], day: bytes, tmp_path: Path
) -> None:
    analyst, officer = bench.client("ana"), bench.client("otto")
    results = [
        {"result": "finding", "category": "drugs", "quantity": "20 kg"},
        {"result": "nil"},
        {"result": "not_examined", "reason": "scanner broken"},
    ]
    for unit, result in zip(loaded[:3], results, strict=True):
        assert post(analyst, unit, "assign", officer="otto").status_code == 303
        assert post(officer, unit, "dispose", disposition="scanner").status_code == 303
        assert post(officer, unit, "result", on="2026-11-03", **result).status_code == 303
    batch = tmp_path / "day.json"
    batch.write_bytes(day)
    run = score(batch, bench.app.state.web.profiles, as_of=AS_OF)
    evaluation = evaluate(run, bench.app.state.queue.outcomes(), capacities=["100%"])
    assert (evaluation.labelled, evaluation.findings) == (2, 1)  # not examined: unlabelled
    assert evaluation.unmatched == ()
    # `riskprofile evaluate` reads the results from the workbench's own store file.
    from riskprofile.cli import main

    report = tmp_path / "evaluation.json"
    store = bench.settings.location
    assert main(["evaluate", str(batch), store, "--as-of", AS_OF, "--country", "PK",
                 "--capacity", "100%", "--json", str(report)]) == 0  # fmt: skip
    [row] = json.loads(report.read_text(encoding="utf-8"))["capacity"]
    assert (row["labelled"], row["findings"]) == (2, 1)


def test_the_drop_folder_is_loaded_from_the_list_page(tmp_path: Path, day: bytes) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    bench = make_workbench(tmp_path, profiles=("bundled",), drop_folder=str(folder))
    (folder / "day.json").write_bytes(day)
    old = dt.datetime.now().timestamp() - 60
    os.utime(folder / "day.json", (old, old))
    analyst = bench.client("ana")
    assert "drop folder" in analyst.get("/queue").text
    assert bench.client("otto").post("/queue/scan", data={
        "csrf_token": csrf_of(bench.client("otto"), "/queue")}).status_code == 403  # fmt: skip
    response = analyst.post("/queue/scan", data={"csrf_token": csrf_of(analyst, "/queue")})
    assert response.status_code == 303
    assert "batch=b-" in response.headers["location"]
    assert units_on(analyst.get(response.headers["location"]).text)
    again = analyst.post("/queue/scan", data={"csrf_token": csrf_of(analyst, "/queue")})
    assert again.headers["location"] == "/queue"  # nothing new
    bench.store.close()
    plain = make_workbench(tmp_path / "plain", profiles=("bundled",))
    client = plain.client("ana")
    assert (
        client.post("/queue/scan", data={"csrf_token": csrf_of(client, "/queue")}).status_code
        == 404
    )
    plain.store.close()


def test_every_text_of_the_queue_pages_has_a_russian_translation() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    import riskprofile.serve.web as web

    root = Path(web.__file__).parent
    with (root / "locale" / "ru" / "LC_MESSAGES" / "messages.po").open(encoding="utf-8") as f:
        translated = {m.id for m in read_po(f) if m.id and m.string}
    methods = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    used = {
        message if isinstance(message, str) else message[0]
        for name, _, message, _, _ in extract_from_dir(
            str(root), method_map=methods, keywords={"_": None, "N_": None}
        )
        if "queue" in name
    }
    assert len(used) > 100
    assert sorted(used - translated) == []


def test_a_closed_result_is_amended_by_a_supervisor_or_with_ones_password(
    bench: Workbench, loaded: list[str]
) -> None:
    from tests.serve.web.conftest import PASSWORD

    analyst, officer, supervisor = bench.client("ana"), bench.client("otto"), bench.client("sue")
    unit = loaded[0]
    assert post(analyst, unit, "assign", officer="otto").status_code == 303
    assert post(officer, unit, "dispose", disposition="physical").status_code == 303
    assert post(officer, unit, "result", result="finding", category="drugs", quantity="30 kg",
                seizure="true", on="2026-11-03").status_code == 303  # fmt: skip
    page = officer.get(f"/queue/units/{unit}").text
    assert "Amend the result" in page
    assert 'name="approver_password"' in page  # an officer needs a supervisor's approval
    assert 'name="approver_password"' not in supervisor.get(f"/queue/units/{unit}").text
    assert "Amend the result" not in analyst.get(f"/queue/units/{unit}").text
    assert post(analyst, unit, "amend", result="nil", why="typo").status_code == 403
    assert post(supervisor, unit, "amend", result="nil").status_code == 422  # no why
    nil = post(supervisor, unit, "amend", result="nil", why="the lab found sugar",
               on="2026-11-03")  # fmt: skip
    assert nil.status_code == 303
    [outcome] = bench.app.state.queue.outcomes()
    assert (outcome.inspected, outcome.finding) == (True, False)
    # The officer: refused without the approval, or with a wrong password.
    back = {"result": "finding", "category": "drugs", "quantity": "29 kg", "seizure": "true",
            "why": "the second lab found heroin", "on": "2026-11-03"}  # fmt: skip
    assert post(officer, unit, "amend", **back).status_code == 422
    assert post(officer, unit, "amend", approver="sue", approver_password="nope",
                **back).status_code == 403  # fmt: skip
    assert post(officer, unit, "amend", approver="ana", approver_password=PASSWORD,
                **back).status_code == 422  # an analyst is no supervisor  # fmt: skip
    done = post(officer, unit, "amend", approver="sue", approver_password=PASSWORD, **back)
    assert done.status_code == 303
    [outcome] = bench.app.state.queue.outcomes()
    assert (outcome.finding, outcome.category, outcome.quantity) == (True, "drugs", "29")
    assert (outcome.quantity_unit, outcome.seizure) == ("kg", True)
    amendments = [(actor, before, after) for actor, action, before, after in audit(bench)
                  if action == "queue.amend"]  # fmt: skip
    assert [(a, b["result"], c["result"], c["approved_by"]) for a, b, c in amendments] == [
        ("sue", "finding", "nil", None), ("otto", "nil", "finding", "sue")]  # fmt: skip
    assert amendments[0][2]["amended_because"] == "the lab found sugar"
    with bench.store.read() as tx:
        checks = tx.rows("SELECT actor, action FROM web_audit WHERE action LIKE 'approval%' "
                         "ORDER BY seq")  # fmt: skip
    assert [tuple(r) for r in checks] == [("sue", "approval.failed"), ("ana", "approval"),
                                          ("sue", "approval")]  # fmt: skip


def test_every_refusal_of_the_workbench_is_marked_for_translation() -> None:
    from riskprofile.serve.web._refusals import MARKED
    from riskprofile.workbench import REFUSALS

    assert sorted(MARKED) == sorted(REFUSALS.values())


def test_refusals_are_shown_in_russian(bench: Workbench, loaded: list[str]) -> None:
    analyst, officer = bench.client("ana"), bench.client("otto")
    unit = loaded[0]
    russian = {"Accept-Language": "ru"}

    def refused(client: Any, action: str, **data: Any) -> Any:
        form = {"csrf_token": csrf_of(client, f"/queue/units/{unit}"), **data}
        return client.post(f"/queue/units/{unit}/{action}", data=form, headers=russian)

    forbidden = refused(officer, "assign", officer="otto")
    assert forbidden.status_code == 403
    assert "роли «инспектор» не разрешено действие «назначение»" in forbidden.text
    assert "аналитик или руководитель" in html.unescape(forbidden.text)
    assert post(analyst, unit, "assign", officer="otto").status_code == 303
    early = refused(officer, "result", result="nil")
    assert early.status_code == 409
    text = html.unescape(early.text)
    assert "для результата сначала нужно решение" in text
    assert "состояние контейнера: назначен" in text
    assert "needs a disposition" not in text
    assert refused(officer, "dispose", disposition="referred").status_code == 422
    assert post(officer, unit, "dispose", disposition="physical").status_code == 303
    missing = refused(officer, "result", result="finding")
    assert missing.status_code == 422
    assert "для находки нужна её категория" in html.unescape(missing.text)
    # In English, the workbench's own words.
    english = post(officer, unit, "result", result="finding")
    assert "a finding needs its category" in html.unescape(english.text)


def test_the_command_refuses_bad_queue_options(tmp_path: Path) -> None:
    from riskprofile.cli import main

    data = str(tmp_path / "data")
    assert main(["serve", "--web", "--data", data, "--capacity", "lots", "--check"]) == 2
    assert main(["serve", "--web", "--data", data, "--control-rate", "lots", "--check"]) == 2
    assert main(["serve", "--web", "--data", data, "--drop-folder", str(tmp_path / "no"),
                 "--check"]) == 2  # fmt: skip
    assert main(["serve", "--web", "--data", data, "--capacity", "red=2,yellow=5%",
                 "--drop-folder", str(tmp_path), "--check"]) == 0  # fmt: skip


def test_the_queue_on_a_postgresql_store(
    request: pytest.FixtureRequest, tmp_path: Path, day: bytes
) -> None:
    from tests.history.conftest import fresh_schema_dsn, server_dsn

    dsn = fresh_schema_dsn(server_dsn(request))
    bench = make_workbench(tmp_path, profiles=("bundled",), country="PK", store=dsn)
    bench.app.state.queue_config = WorkbenchConfig(capacity=6, control_rate="5%", seed=3)
    analyst, officer = bench.client("ana"), bench.client("otto")
    assert upload(analyst, day).status_code == 303
    assert upload(analyst, day).status_code == 303  # known
    [unit, *_] = units_on(analyst.get("/queue").text)
    assert post(analyst, unit, "assign", officer="otto").status_code == 303
    assert post(officer, unit, "result", result="nil").status_code == 409
    assert post(officer, unit, "dispose", disposition="documentary").status_code == 303
    assert post(officer, unit, "result", result="nil", on="2026-11-03").status_code == 303
    assert [a for _, a, _, _ in audit(bench)] == ["queue.load", "queue.assign", "queue.dispose",
                                                  "queue.result"]  # fmt: skip
    [outcome] = bench.app.state.queue.outcomes()
    assert (outcome.inspected, outcome.finding) == (True, False)
    bench.store.close()


def test_a_long_list_shows_its_first_rows_and_says_so(
    bench: Workbench, loaded: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from riskprofile.serve.web import _queue

    monkeypatch.setattr(_queue, "_ROWS_SHOWN", 5)
    page = bench.client("ana").get("/queue?all=true&order=score").text
    assert len(units_on(page)) == 5
    assert "Showing the first 5 of" in page


def test_with_a_history_store_the_container_page_shows_history_facts(
    tmp_path: Path, day: bytes
) -> None:
    history = str(tmp_path / "history.duckdb")
    bench = make_workbench(tmp_path, profiles=("bundled",), country="PK", history=history)
    bench.app.state.queue_config = WorkbenchConfig(capacity=6, control_rate="5%", seed=3)
    analyst = bench.client("ana")
    assert upload(analyst, day).status_code == 303
    [unit, *_] = units_on(analyst.get("/queue").text)
    page = analyst.get(f"/queue/units/{unit}").text
    assert "consignee_prior_shipments: 0" in page  # a store that saw nothing yet
    assert bench.app.state.queue.history.stats().runs == 1  # the batch is recorded in it
    bench.app.state.queue.close()
    bench.store.close()
