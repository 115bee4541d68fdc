"""The lock covers the watch-list files the profiles read: a list changed, cut short,
added or missing since the folder was locked is refused, like a profile file (note 25:
`profiles.lock` did not cover list files, so a half-written list loaded as a shorter
one)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import ProfileSetError
from riskprofile.profiles import LOCK_FILE, load_profiles, lock_profiles
from tests.depth import depth

PROFILE = """\
id: test.ports
title: Ports on a watch list
category: other
version: 1
owner: Test PCU
valid_from: 2026-01-01
status: active
rationale: a test
lists:
  ports:
    file: lists/ports.csv
indicators:
  - id: port
    title: Loaded at a port on the list
    when: port_of_loading in $ports
    weight: 40
"""
PORTS = b"value,reason\nPKKHI,one\nAEJEA,two\nIRBND,three\nCNSHA,four\n"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    (folder / "lists").mkdir(parents=True)
    (folder / "ports.yaml").write_text(PROFILE, encoding="utf-8")
    (folder / "lists" / "ports.csv").write_bytes(PORTS)
    lock_profiles(folder)
    return folder


def _ports(folder: Path, **kwargs: object) -> set[str]:
    [profile] = load_profiles(folder, **kwargs)  # type: ignore[arg-type]
    return {str(v) for v in profile.lists["ports"]}


def test_the_lock_lists_the_list_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    locked = json.loads((folder / LOCK_FILE).read_text(encoding="utf-8"))
    assert set(locked["files"]) == {"ports.yaml", "lists/ports.csv"}
    assert _ports(folder) == {"PKKHI", "AEJEA", "IRBND", "CNSHA"}


@settings(max_examples=depth(20), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(1, len(PORTS) - 1))
def test_a_cut_list_loads_unlocked_and_is_refused_locked(tmp_path: Path, cut: int) -> None:
    folder = _folder(Path(tempfile.mkdtemp(dir=tmp_path)))
    (folder / "lists" / "ports.csv").write_bytes(PORTS[:cut])
    if PORTS[cut - 1 : cut] == b"\n" and PORTS[:cut].count(b"\n") >= 2:  # a line end, 1+ entry
        assert len(_ports(folder, lock=False)) < 4  # a shorter list, and no error
    with pytest.raises(ProfileSetError) as info:
        load_profiles(folder)
    assert {e.code for e in info.value.errors} == {"lock"}
    assert "ports.csv" in str(info.value)


def test_added_missing_and_version_1_locks(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "lists" / "ports.csv").write_bytes(PORTS + b"SAJED,five\n")
    with pytest.raises(ProfileSetError, match="bytes are not the ones locked"):
        load_profiles(folder)
    lock_profiles(folder)  # the change reviewed
    assert "SAJED" in _ports(folder)
    # a list file the profile reads that was not there when the folder was locked
    (folder / "ports.yaml").write_text(PROFILE.replace("lists/ports.csv", "new.csv"))
    (folder / "new.csv").write_bytes(PORTS)
    lock = json.loads((folder / LOCK_FILE).read_text(encoding="utf-8"))
    lock["files"].pop("new.csv", None)
    lock["files"]["ports.yaml"] = _relock_digest(folder, "ports.yaml")
    (folder / LOCK_FILE).write_text(json.dumps(lock), encoding="utf-8")
    with pytest.raises(ProfileSetError, match=r"a list file not in profiles\.lock"):
        load_profiles(folder)
    # a locked list file that is missing
    lock_profiles(folder)
    (folder / "lists" / "ports.csv").unlink()
    with pytest.raises(ProfileSetError, match=r"lists/ports\.csv is locked but missing"):
        load_profiles(folder)
    # a lock of version 1 covers profile files only: a load reading lists is refused
    lock_profiles(folder)
    lock = json.loads((folder / LOCK_FILE).read_text(encoding="utf-8"))
    lock["version"] = 1
    lock["files"] = {k: v for k, v in lock["files"].items() if k.endswith(".yaml")}
    (folder / LOCK_FILE).write_text(json.dumps(lock), encoding="utf-8")
    with pytest.raises(ProfileSetError, match=r"version 1\) covers the profile files only"):
        load_profiles(folder)
    assert _ports(folder, lock=False)


def _relock_digest(folder: Path, name: str) -> str:
    from riskprofile.profiles._sources import file_digest

    return file_digest((folder / name).read_bytes())
