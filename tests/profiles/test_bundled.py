"""The bundled profile library: valid, lint-clean, and every example passes."""

from __future__ import annotations

import pytest

from riskprofile.profiles import bundled_profiles_path, load_all_profiles, run_examples

PROFILES = load_all_profiles(bundled_profiles_path())
OUTCOMES = run_examples(PROFILES)


def test_bundled_profiles_load() -> None:
    assert len(PROFILES) >= 1
    assert all(p.fingerprint.startswith("sha256:") for p in PROFILES)


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: f"{o.profile_id}/{o.example}")
def test_bundled_example(outcome: object) -> None:
    assert getattr(outcome, "passed", False), str(outcome)


def test_every_bundled_indicator_has_a_hit_and_a_miss_example() -> None:
    for profile in PROFILES:
        hits = {i for e in profile.profile.examples for i in e.hits}
        misses = {i for e in profile.profile.examples for i in e.misses}
        for indicator in profile.indicators:
            assert indicator.id in hits, f"{profile.id}: no example hits {indicator.id}"
            assert indicator.id in misses, f"{profile.id}: no example misses {indicator.id}"
