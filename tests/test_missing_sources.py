"""A profile whose indicators read fields of a source the run was not given (a stow
plan, a history store) cannot fire there: ``score()`` says so with a
:class:`~riskprofile.MissingSourceWarning`, as ``riskprofile score`` does on standard
error, instead of returning a run in which those indicators were silently blind."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import riskprofile
from riskprofile import MissingSourceWarning, score
from riskprofile.cli import main
from riskprofile.io.edifact import StowPlan
from riskprofile.model import Shipment
from riskprofile.profiles import load_profiles
from tests.profile_memo import TARGETS, load_once

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples/data/karachi-sample.csv"

PROFILE = """\
id: test.sources
version: 1
title: Sources
category: other
owner: tests
indicators:
  - id: mass
    title: Heavier in the plan
    when: (stowplan_mass_gap_ratio ?? 0) > 0.2
    weight: 40
  - id: new
    title: New consignee
    when: (consignee_first_seen_days ?? 999) < 90
    weight: 30
  - id: plain
    title: Heavy
    when: (verified_gross_mass_kg ?? 0) > 1000
    weight: 10
"""


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch, *TARGETS, f"{__name__}.load_profiles")


@pytest.fixture
def profiles(tmp_path: Path) -> riskprofile.ProfileSet:
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    return load_profiles(tmp_path)


def _said(**sources: object) -> list[str]:
    profiles = sources.pop("profiles")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score(
            [Shipment(container_number="CSQU3054383", verified_gross_mass_kg=5000.0)],
            profiles,  # type: ignore[arg-type]
            as_of="2026-12-08",
            **sources,  # type: ignore[arg-type]
        )
    return [str(w.message) for w in caught if issubclass(w.category, MissingSourceWarning)]


def test_each_missing_source_is_said_once_per_profile(profiles: riskprofile.ProfileSet) -> None:
    assert _said(profiles=profiles) == [
        "profile test.sources: 1 of its 3 indicators read the stow plan's fields, which "
        "this run was not given: they cannot fire (give stowplan=)",
        "profile test.sources: 1 of its 3 indicators read the history fields, which this "
        "run was not given: they cannot fire (give history=)",
    ]


def test_a_given_source_is_not_said(profiles: riskprofile.ProfileSet) -> None:
    said = _said(profiles=profiles, stowplan=StowPlan("p.edi", units=[]))
    assert len(said) == 1
    assert "history fields" in said[0]


def test_a_profile_reading_neither_source_is_silent(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(
        PROFILE.split("  - id: mass")[0]
        + "  - id: plain\n    title: Heavy\n    when: (verified_gross_mass_kg ?? 0) > 1\n"
        "    weight: 10\n",
        encoding="utf-8",
    )
    assert _said(profiles=load_profiles(tmp_path)) == []


def test_evaluate_says_it_in_its_own_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `riskprofile evaluate` has no --stowplan: it says the indicators cannot fire in the
    # command's words (once, as `score` does), not score()'s "give stowplan=" (an option
    # of the Python API the analyst cannot give it), nor as a Python source location.
    monkeypatch.chdir(ROOT)
    outcomes = ROOT / "examples/data/karachi-sample.outcomes.csv"
    main(["evaluate", str(SAMPLE), str(outcomes), "--as-of", "2026-11-02"])
    err = capsys.readouterr().err
    said = (
        "riskprofile evaluate: warning: profile general.stowplan-crosscheck: 9 of its 9 "
        "indicators read the stow plan's fields, which this run was not given: they cannot "
        "fire (riskprofile evaluate takes no stow plan)\n"
    )
    assert err.count(said) == 1
    assert "stowplan=" not in err
    assert "MissingSourceWarning" not in err
    assert ".py:" not in err


def test_exchange_warn_from_a_batch_says_it_in_its_own_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["exchange", "keygen", "--pcu", "PK-KHI", "-o", str(tmp_path)]) == 0
    run = score(str(SAMPLE), load_profiles(bundled=True), as_of="2026-11-02")
    box = next(c.container_number for c in run.containers if c.hits)
    capsys.readouterr()
    code = main([
        "exchange", "warn", "--batch", str(SAMPLE), "--container", str(box), "--to", "KZ-AKT",
        "--key", str(tmp_path / "PK-KHI.key.pem"), "-o", str(tmp_path / "out"),
        "--home", str(tmp_path / "home"), "--as-of", "2026-11-02T09:00:00Z",
    ])  # fmt: skip
    assert code == 0
    err = capsys.readouterr().err
    assert (
        err.count(
            "riskprofile exchange warn: warning: profile general.stowplan-crosscheck: 9 of its "
            "9 indicators read the stow plan's fields, which this run was not given: they "
            "cannot fire (riskprofile exchange warn takes no stow plan)\n"
        )
        == 1
    )
    assert "stowplan=" not in err
