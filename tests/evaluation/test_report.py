"""The evaluation report: self-contained, escaped, deterministic; and the text summary."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from riskprofile.evaluation import (
    Evaluation,
    Outcome,
    evaluate,
    report_html,
    text_summary,
    write_report,
)
from tests.evaluation import Unit, make_run
from tests.evaluation.test_metrics import OUTCOMES, UNITS

HOSTILE = '<script>alert("x")</script>'


def _evaluation(
    outcomes: list[Outcome] | None = None, units: list[Unit] | None = None
) -> Evaluation:
    return evaluate(
        make_run(units or UNITS, profiles=["p3"]),
        outcomes if outcomes is not None else OUTCOMES,
        capacities=(2, "50%", "100%"),
    )


def test_report_is_one_self_contained_page() -> None:
    page = report_html(_evaluation())
    assert page.startswith("<!DOCTYPE html>")
    # Nothing fetched from elsewhere: no script, stylesheet link, image or URL but the
    # SVG namespace.
    assert "<script" not in page
    assert "<link" not in page
    assert "<img" not in page
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"] * 3
    svgs = re.findall(r"<svg.*?</svg>", page, re.DOTALL)
    assert len(svgs) == 3
    for svg in svgs:
        ET.fromstring(svg)  # well-formed


def test_report_shows_every_part_and_the_audit() -> None:
    page = report_html(_evaluation())
    for heading in ("Precision and recall by capacity", "Score distribution by finding",
                    "How inspected units were selected", "Profiles", "Indicators",
                    "Trend per week", "never found anything", "never fired", "Audit"):  # fmt: skip
        assert heading in page, heading
    assert "sha256:p1" in page
    assert "2026-11-02T00:00:00+00:00" in page
    assert "2026-W46" in page
    assert "not known: the profiles were not given" in page


def test_report_bytes_are_deterministic(tmp_path: Path) -> None:
    first = write_report(_evaluation(), tmp_path / "a.html")
    second = write_report(
        _evaluation(list(reversed(OUTCOMES))),
        tmp_path / "b.html",
    )
    assert first.read_bytes() == second.read_bytes()


def test_untrusted_text_is_escaped() -> None:
    units = [Unit("A", 9, (f"p1/{HOSTILE}",)), Unit("B", 1)]
    outcomes = [Outcome("A", True, False), Outcome(HOSTILE, True, True, source_line=3)]
    page = report_html(_evaluation(outcomes, units))
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_text_summary_of_the_hand_fixture() -> None:
    text = text_summary(_evaluation())
    assert text.startswith("8 units scored as of 2026-11-02 with 3 profiles; 7 outcomes matched")
    assert "6 units inspected, 3 with a finding" in text
    assert "base rate 33.3% (1/3; 95% CI 6.1%-79.2%) from the random control sample" in text
    assert "lift of score-selected units over the control sample: 1.50x" in text
    assert re.search(r"^50%\s+4\s+3\s+2\s+66\.7%", text, re.MULTILINE)
    assert "profiles that fired on no unit: p3" in text
    assert "  p1/i4 (1)" in text


def test_empty_outcomes_still_report() -> None:
    ev = _evaluation([])
    text = text_summary(ev)
    assert "0 units inspected, 0 with a finding; base rate n/a" in text
    page = report_html(ev)
    assert page.count("<svg") == 3


def test_notebook_html_is_the_report_body() -> None:
    ev = _evaluation()
    body = ev._repr_html_()
    assert body in report_html(ev)
    assert "<html" not in body


def test_dates_only_in_outcomes_give_the_trend_periods() -> None:
    outcomes = [Outcome("A", True, True, date=dt.date(2026, 1, 1))]
    page = report_html(_evaluation(outcomes))
    assert "2026-W01" in page  # 1 January 2026 is a Thursday: ISO week 1


def test_a_long_curve_is_thinned_for_the_plot() -> None:
    units = [Unit(f"U{i:04d}", i % 50) for i in range(2000)]
    outcomes = [Outcome(u.container, True, i % 7 == 0) for i, u in enumerate(units)]
    ev = evaluate(make_run(units), outcomes)
    assert len(ev.curve) == 2000  # the table keeps every point
    page = report_html(ev)
    precision = re.search(r'<polyline[^>]*stroke="#c0392b"[^>]*points="([^"]*)"', page)
    assert precision is not None
    assert len(precision.group(1).split()) == 601
    # The last point is k = every unit: precision 286/2000, y = 216 - 0.143 * 186.
    assert precision.group(1).split()[-1] == "624,189.4"


def test_an_empty_run_reports_without_failing() -> None:
    ev = evaluate(make_run([]), [Outcome("X", True, True)])
    text = text_summary(ev)
    assert "0 units scored" in text
    assert "unmatched outcome 'X': no unit, container or bill of lading 'X' in the run" in text
    assert report_html(ev).count("<svg") == 3
    assert all(r["k"] == 0 and r["precision"] is None for r in ev.capacity)
