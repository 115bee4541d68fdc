"""The dashboard: the profiles in use, and a batch's evaluation on the results recorded
in the queue - the same figures `evaluate` gives for the batch and those outcomes."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskprofile.evaluation import evaluate
from riskprofile.scoring import score
from tests.serve.web.conftest import Workbench
from tests.serve.web.test_queue import AS_OF, bench, day, loaded, post  # noqa: F401 - fixtures

pytestmark = pytest.mark.filterwarnings("ignore::riskprofile.errors.MissingSourceWarning")


def test_before_any_batch_the_dashboard_says_so(bench: Workbench) -> None:  # noqa: F811
    page = bench.client("otto").get("/")
    assert page.status_code == 200
    assert "No batch is loaded yet." in page.text
    assert "general.documentary-anomalies" in page.text  # the profiles in use


def test_a_batch_without_results_says_so(bench: Workbench, loaded: list[str]) -> None:  # noqa: F811
    page = bench.client("ana").get("/")
    assert "No results are recorded for this batch yet." in page.text
    assert bench.client("ana").get("/dashboard/report").status_code == 404


def test_the_dashboard_shows_the_evaluation_of_the_recorded_results(
    bench: Workbench,  # noqa: F811
    loaded: list[str],  # noqa: F811
    day: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    analyst, officer = bench.client("ana"), bench.client("otto")
    for unit, result in zip(
        loaded[:2], [{"result": "finding", "category": "drugs"}, {"result": "nil"}], strict=True
    ):
        assert post(analyst, unit, "assign", officer="otto").status_code == 303
        assert post(officer, unit, "dispose", disposition="physical").status_code == 303
        assert post(officer, unit, "result", on="2026-11-03", **result).status_code == 303
    batch = tmp_path / "day.json"
    batch.write_bytes(day)
    profiles = list(bench.app.state.web.profiles)
    expected = evaluate(
        score(batch, profiles, as_of=AS_OF), bench.app.state.queue.outcomes(), profiles=profiles
    )
    page = bench.client("sue").get("/").text
    assert f"Inspected (a result recorded): {expected.labelled}" in page
    assert f"With a finding: {expected.findings}" in page
    assert expected.labelled == 2
    assert expected.findings == 1
    for row in expected.profiles:  # every profile that fired, with its figures
        assert (
            f"<td>{row['profile_id']}</td><td>{row['version']}</td><td>{row['fired']}</td>" in page
        )
    report = bench.client("sue").get("/dashboard/report")
    assert report.status_code == 200
    assert "style-src 'unsafe-inline'" in report.headers["content-security-policy"]
    assert "script" not in report.headers["content-security-policy"]
    assert "2 units inspected, 1 with a finding" in report.text


def test_the_dashboard_refuses_without_a_session_and_an_unknown_batch(
    bench: Workbench,  # noqa: F811
    loaded: list[str],  # noqa: F811
) -> None:
    assert bench.client().get("/").status_code == 303
    assert bench.client().get("/dashboard/report").status_code == 303
    assert bench.client("ana").get("/?batch=b-nope").status_code == 404
