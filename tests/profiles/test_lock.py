"""A locked profile folder loads exactly as locked, or not at all; ProfileSet.reload() is
all or nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.errors import ArgumentError, ProfileError, ProfileSetError
from riskprofile.profiles import (
    LOCK_FILE,
    ProfileSet,
    bundled_profiles_path,
    load_all_profiles,
    load_profiles,
    lock_profiles,
)
from tests.depth import depth

BUNDLED = sorted(bundled_profiles_path().rglob("*.yaml"))


def _locked_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    shutil.copytree(bundled_profiles_path(), folder)
    lock_profiles(folder)
    return folder


def _codes(exc: ProfileError) -> set[str]:
    errors = exc.errors if isinstance(exc, ProfileSetError) else [exc]
    return {e.code for e in errors}


@settings(
    max_examples=depth(16), deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(file=st.sampled_from(BUNDLED), cut=st.floats(0, 1, exclude_max=True), at_line=st.booleans())
def test_every_truncation_of_a_locked_profile_is_refused(
    locked_library: Path, file: Path, cut: float, at_line: bool
) -> None:
    data = file.read_bytes()
    end = int(len(data) * cut)
    if at_line:  # the dangerous cut: at a line's end, often valid YAML and a valid profile
        end = data.rfind(b"\n", 0, end) + 1
    target = locked_library / file.relative_to(bundled_profiles_path())
    target.write_bytes(data[:end])
    try:
        with pytest.raises(ProfileError) as info:
            load_all_profiles(locked_library)
        # Refused by the lock, or (the cut does not parse) by the parser before it.
        assert _codes(info.value) & {"lock", "yaml", "schema"}
    finally:
        target.write_bytes(data)


@pytest.fixture(scope="module")
def locked_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = _locked_copy(tmp_path_factory.mktemp("library"))
    assert len(load_all_profiles(folder)) == len(BUNDLED)
    return folder


def test_a_truncation_before_the_bands_loads_unlocked_and_not_locked(tmp_path: Path) -> None:
    # Why the lock exists: cut before ``bands:``, the file is a valid profile whose every
    # score is green (the "30 without lane bands").
    source = bundled_profiles_path() / "base" / "documentary.yaml"
    data = source.read_bytes()
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / source.name).write_bytes(data)
    lock_profiles(folder)
    (folder / source.name).write_bytes(data[: data.index(b"\nbands:") + 1])
    [profile] = load_all_profiles(folder, lock=False)
    assert profile.profile.bands == []
    with pytest.raises(ProfileSetError, match="bytes are not the ones locked"):
        load_all_profiles(folder)
    with pytest.raises(ProfileSetError, match="bytes are not the ones locked"):
        load_all_profiles(folder, lock=True)


def test_added_missing_and_unlocked_files_are_refused(tmp_path: Path) -> None:
    folder = _locked_copy(tmp_path)
    extra = folder / "base" / "copy.yaml"
    shutil.copy(folder / "base" / "documentary.yaml", extra)
    with pytest.raises(ProfileSetError, match=r"not in profiles\.lock"):
        load_profiles(folder)
    extra.unlink()
    (folder / "base" / "wildlife.yaml").unlink()
    with pytest.raises(ProfileSetError, match=r"wildlife\.yaml is locked but missing"):
        load_profiles(folder)
    with pytest.raises(ProfileSetError, match=r"no profiles\.lock"):
        load_profiles(bundled_profiles_path(), lock=True)


def test_a_truncated_lock_is_not_a_lock(tmp_path: Path) -> None:
    folder = _locked_copy(tmp_path)
    lock = folder / LOCK_FILE
    text = lock.read_text(encoding="utf-8")
    assert json.loads(text)["format"] == "riskprofile.profiles-lock"
    lock.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ProfileSetError, match="cannot read the lock"):
        load_profiles(folder)


def test_reload_is_all_or_nothing(tmp_path: Path) -> None:
    folder = _locked_copy(tmp_path)
    profiles = load_profiles(folder, country="PK")
    before = profiles.fingerprints
    assert profiles.reload().fingerprints == before
    target = folder / "base" / "documentary.yaml"
    good = target.read_text(encoding="utf-8")
    # A reviewed change, not yet locked: refused; the old set is untouched.
    target.write_text(good.replace("weight: 30", "weight: 35", 1), encoding="utf-8")
    with pytest.raises(ProfileSetError):
        profiles.reload()
    assert profiles.fingerprints == before
    lock_profiles(folder)
    reloaded = profiles.reload()
    assert reloaded.country == "PK"
    changed = {k for k in before if reloaded.fingerprints[k] != before[k]}
    assert changed == {"general.documentary-anomalies"}
    # A broken file in an unlocked folder is refused too (it does not parse).
    (folder / LOCK_FILE).unlink()
    target.write_text(good + "indicators: [\n", encoding="utf-8")
    with pytest.raises(ProfileSetError):
        reloaded.reload()


def test_a_set_made_by_hand_cannot_reload() -> None:
    with pytest.raises(ArgumentError, match="not loaded from files"):
        ProfileSet(()).reload()
