"""The suite's memo of profile loads (tests/profile_memo.py) gives the set loaded the
first time only while nothing the load reads has changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import riskprofile.profiles
from riskprofile.errors import ProfileError
from tests.profile_memo import load_once

_PROFILE = """\
id: t.memo
version: 1
title: memo
category: other
owner: tests
lists:
  names: {{file: names.csv}}
indicators:
  - id: named
    title: a listed consignee
    when: consignee_name in $names
    weight: {weight}
bands:
  - {{min_score: 10, lane: yellow}}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    load_once(monkeypatch)
    (tmp_path / "names.csv").write_text("value\nACME LLC\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(_PROFILE.format(weight=10), encoding="utf-8")
    return tmp_path


def _load(*args: object, **kwargs: object) -> riskprofile.profiles.ProfileSet:
    return riskprofile.profiles.load_profiles(*args, **kwargs)  # type: ignore[arg-type]


def test_the_same_files_give_the_set_loaded_first(folder: Path) -> None:
    first = _load(folder)
    assert _load(str(folder)) is first
    assert _load(folder, country="PK") is not first  # another call: its own load
    bundled = _load(bundled=True)
    assert _load(bundled=True) is bundled
    assert riskprofile.profiles.load_all_profiles(folder) is not first


def test_an_edited_profile_or_list_file_loads_again(folder: Path) -> None:
    first = _load(folder)
    (folder / "p.yaml").write_text(_PROFILE.format(weight=20), encoding="utf-8")
    edited = _load(folder)
    assert edited is not first
    assert edited["t.memo"].fingerprint != first["t.memo"].fingerprint
    (folder / "names.csv").write_text("value\nZETA LLC\n", encoding="utf-8")
    assert _load(folder)["t.memo"].lists["names"] == {"ZETA LLC"}
    # A profile named by its file keys on its folder too (its list files are there).
    by_file = _load(folder / "p.yaml")
    (folder / "names.csv").write_text("value\nOMEGA LLC\n", encoding="utf-8")
    assert _load(folder / "p.yaml") is not by_file
    assert _load(folder / "p.yaml")["t.memo"].lists["names"] == {"OMEGA LLC"}


def test_the_environment_is_part_of_the_key(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _load(folder)
    monkeypatch.setenv("RISKPROFILE_MEMO_TEST", "1")
    assert _load(folder) is not first


def test_a_load_that_raises_is_not_remembered(folder: Path) -> None:
    (folder / "p.yaml").write_text("id: [", encoding="utf-8")
    with pytest.raises(ProfileError):
        _load(folder)
    (folder / "p.yaml").write_text(_PROFILE.format(weight=10), encoding="utf-8")
    assert "t.memo" in {p.id for p in _load(folder)}
