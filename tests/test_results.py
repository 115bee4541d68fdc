"""The results' home (:mod:`riskprofile.results`): both runs' types in one package, the
column-wise one loaded only when asked for, and its notes worded by the engine it was
given, not by an engine the results import."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

import riskprofile.results as results
from riskprofile.model import Shipment
from riskprofile.profiles import load_profiles

pl = pytest.importorskip("polars")

from riskprofile.engines import columnar, rowwise  # noqa: E402

AS_OF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
NULL_TEXT = """\
id: test.null-text
version: 1
title: A word in the description
category: other
owner: test
rationale: a null description cannot be searched (a note, no hit).
indicators:
  - id: word
    title: word
    when: '"BANANA" in description'
    weight: 10
bands:
  - {min_score: 10, lane: yellow}
"""


def test_both_runs_types_have_one_home_and_the_engine_path_still_works() -> None:
    for name in ("FrameRun", "FrameContainer", "FrameContainers", "outcome_notes"):
        found = getattr(results, name)
        assert found.__module__ == "riskprofile.results._frame", name
        assert name in results.__all__
    assert columnar.FrameRun is results.FrameRun
    assert columnar.FrameContainer is results.FrameContainer
    assert results.ScoringRun.__module__ == "riskprofile.results._objects"
    assert set(results.__all__) <= set(dir(results))
    with pytest.raises(AttributeError, match="no attribute 'Frame'"):
        results.Frame  # noqa: B018


def test_importing_the_results_loads_no_polars() -> None:
    """Every row-wise run imports the results: the column-wise types (Polars) wait until
    they are asked for."""
    probe = (
        "import sys\nimport riskprofile.results\nfrom riskprofile.results import ScoringRun, Hit\n"
        "print('polars' in sys.modules)\n"
        "from riskprofile.results import FrameRun\nprint('polars' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "True"]


def _run_with_a_note(tmp_path: Path) -> results.FrameRun:
    (tmp_path / "p.yaml").write_text(NULL_TEXT, encoding="utf-8")
    profiles = load_profiles([tmp_path])
    shipments = [
        Shipment(manifest_ref="M", container_number="C1", description="FRESH BANANAS"),
        Shipment(manifest_ref="M", container_number="C2"),
        Shipment(manifest_ref="M", container_number="C3", description="APPLES"),
    ]
    return columnar.score_frame(columnar.shipment_frame(shipments), profiles, as_of=AS_OF)


def test_the_notes_are_worded_by_the_runs_reference_engine(tmp_path: Path) -> None:
    """``score_frame`` gives its run the row-wise engine (the reference); the run asks it
    for the rows with problems only, and words their notes."""
    run = _run_with_a_note(tmp_path)
    assert run.reference is rowwise
    asked: list[list[str | None]] = []

    class Recording:
        def evaluate(
            self, shipments: Iterable[Shipment], profiles: Any, as_of: Any, progress: Any = None
        ) -> Iterator[Any]:
            shipments = list(shipments)
            asked.append([s.container_number for s in shipments])
            return rowwise.evaluate(shipments, profiles, as_of)

    recorded = dataclasses.replace(run, reference=Recording())
    assert recorded.notes["row"].to_list() == [1]
    assert asked == [["C2"]]
    (note,) = recorded.notes["notes"][0]
    assert note.startswith("test.null-text/word: cannot be evaluated")
    assert run.notes.equals(recorded.notes)


def test_a_run_without_a_reference_engine_says_it_cannot_word_its_notes(
    tmp_path: Path,
) -> None:
    run = dataclasses.replace(_run_with_a_note(tmp_path), reference=None)
    with pytest.raises(ValueError, match=r"1 rows with problems and no reference engine"):
        run.notes  # noqa: B018
