"""Watch lists: how their files are read (once, regular files only, within limits)."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest

import riskprofile.profiles._load as loader
from riskprofile.errors import ProfileError, ProfileSetError
from riskprofile.profiles import load_profiles

HEADER = """\
id: {id}
version: 1
title: Test profile
category: narcotics
owner: PCU Karachi
"""


def _profile(lists: str, when: str, *, id: str = "t.lists", explain: str = "") -> str:
    return (
        HEADER.format(id=id)
        + "lists:\n"
        + lists
        + "indicators:\n  - id: probe\n    title: Probe\n"
        + f"    when: {when}\n    weight: 10\n"
        + (f"    explain: {explain}\n" if explain else "")
    )


def _errors(paths: Any, **kwargs: Any) -> list[ProfileError]:
    with pytest.raises(ProfileSetError) as info:
        load_profiles(paths, **kwargs)
    return info.value.errors


# --- reading list files ---------------------------------------------------------------------


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    original = loader.read_regular_file

    def counting(path: Path, limit: int) -> bytes:
        reads.append(Path(path).name)
        return original(path, limit)

    monkeypatch.setattr(loader, "read_regular_file", counting)
    return reads


def test_a_list_file_is_read_once_per_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: 40 lists naming one 5 MiB file read and parsed it 40 times (224 s)."""
    (tmp_path / "names.csv").write_text("value\nACME LLC\nZETA LLC\n", encoding="utf-8")
    lists = "".join(f"  l{i}: {{file: names.csv}}\n" for i in range(6))
    when = " or ".join(f"consignee_name in $l{i}" for i in range(6))
    (tmp_path / "p.yaml").write_text(_profile(lists, when), encoding="utf-8")
    reads = _count_reads(monkeypatch)
    profile = load_profiles(tmp_path)["t.lists"]
    assert reads.count("names.csv") == 1
    assert all(profile.lists[f"l{i}"] == {"ACME LLC", "ZETA LLC"} for i in range(6))


def test_list_bytes_of_a_profile_set_are_limited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every list naming a file counts its bytes: the set is refused at the list that
    crosses the limit, once, and the file is still read once."""
    monkeypatch.setattr(loader, "MAX_LIST_BYTES", 1000)
    (tmp_path / "names.csv").write_text("value\n" + "ACME LLC\n" * 40, encoding="utf-8")  # 366 B
    lists = "".join(f"  l{i}: {{file: names.csv}}\n" for i in range(5))
    when = " or ".join(f"consignee_name in $l{i}" for i in range(5))
    (tmp_path / "p.yaml").write_text(_profile(lists, when), encoding="utf-8")
    reads = _count_reads(monkeypatch)
    (error,) = _errors(tmp_path)
    assert (error.code, error.line) == ("list", 9)  # l2: 3 x 366 > 1000
    assert "1,098 bytes" in error.message
    assert "the limit is 1,000" in error.message
    assert reads.count("names.csv") == 1


def test_lists_within_the_limit_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_LIST_BYTES", 1098)
    (tmp_path / "names.csv").write_text("value\n" + "ACME LLC\n" * 40, encoding="utf-8")
    lists = "".join(f"  l{i}: {{file: names.csv}}\n" for i in range(3))
    (tmp_path / "p.yaml").write_text(_profile(lists, "consignee_name in $l0"), encoding="utf-8")
    assert load_profiles(tmp_path)["t.lists"].lists["l2"] == {"ACME LLC"}


def _load_in_thread(path: Path) -> list[ProfileError] | BaseException | None:
    """Load ``path`` in a thread that may not come back; the errors, or None on a hang."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            load_profiles(path)
            outcome.append(AssertionError("loaded"))
        except ProfileSetError as exc:
            outcome.append(exc.errors)
        except BaseException as exc:  # reported to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=30)
    return outcome[0] if outcome else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("which", ["list file", "profile file"])
def test_a_fifo_is_refused_without_waiting(tmp_path: Path, which: str) -> None:
    """Regression: a list file that is a FIFO made ``validate`` wait for ever."""
    fifo = tmp_path / ("names.csv" if which == "list file" else "p.yaml")
    os.mkfifo(fifo)
    if which == "list file":
        profile = tmp_path / "p.yaml"
        profile.write_text(
            _profile("  names: {file: names.csv}\n", "consignee_name in $names"),
            encoding="utf-8",
        )
    try:
        outcome = _load_in_thread(tmp_path / "p.yaml")
    finally:
        # Give a reader stuck on the FIFO (the old behaviour) its end of file.
        with contextlib.suppress(OSError):  # ENXIO: nobody is reading
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert outcome is not None, "loading waited on the FIFO"
    assert isinstance(outcome, list), outcome
    (error,) = outcome
    assert "not a regular file" in error.message
    assert error.code == ("list" if which == "list file" else "io")
    if which == "list file":
        assert (error.line, error.column) == (7, 11)


def test_a_folder_as_list_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "names").mkdir()
    (tmp_path / "p.yaml").write_text(
        _profile("  names: {file: names}\n", "consignee_name in $names"), encoding="utf-8"
    )
    (error,) = _errors(tmp_path)
    assert error.code == "list"
    assert "not a regular file" in error.message


def test_a_nul_byte_in_a_list_file_name_is_an_error(tmp_path: Path) -> None:
    """Regression: ``file: "a\\0b.csv"`` crashed the loader with a ValueError."""
    (tmp_path / "p.yaml").write_text(
        _profile('  names: {file: "names\\0.csv"}\n', "consignee_name in $names"),
        encoding="utf-8",
    )
    (error,) = _errors(tmp_path)
    assert (error.code, error.line, error.column) == ("list", 7, 11)
    assert "NUL" in error.message


def test_a_symlink_out_of_the_folder_is_still_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.csv").write_text("value\nTOP SECRET LLC\n", encoding="utf-8")
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "names.csv").symlink_to(tmp_path / "secret.csv")
    (tmp_path / "profiles" / "p.yaml").write_text(
        _profile("  names: {file: names.csv}\n", "consignee_name in $names"), encoding="utf-8"
    )
    (error,) = _errors(tmp_path / "profiles")
    assert error.code == "list"
    assert "inside the profile's folder" in error.message


def test_a_list_file_over_its_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_LIST_FILE_BYTES", 100)
    (tmp_path / "names.csv").write_text("value\n" + "ACME LLC\n" * 20, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        _profile("  names: {file: names.csv}\n", "consignee_name in $names"), encoding="utf-8"
    )
    (error,) = _errors(tmp_path)
    assert error.code == "list"
    assert "the limit is 100" in error.message
