"""The bundled profile library: valid, lint-clean, and every example passes."""

from __future__ import annotations

import pytest

from riskprofile.profiles import bundled_profiles_path, load_all_profiles, run_examples

PROFILES = load_all_profiles(bundled_profiles_path())
OUTCOMES = run_examples(PROFILES)


def test_bundled_profiles_load() -> None:
    assert len(PROFILES) >= 1
    assert all(p.fingerprint.startswith("sha256:") for p in PROFILES)


def test_the_library_covers_every_category_and_three_countries() -> None:
    categories = {p.profile.category for p in PROFILES if not p.extends}
    assert categories >= {
        "narcotics", "precursors", "weapons", "strategic_goods", "wildlife", "ipr",
        "revenue", "other",
    }  # fmt: skip
    countries = {p.profile.countries[0] for p in PROFILES if p.extends}
    assert countries >= {"PK", "KZ", "TM"}


def test_bundled_profiles_are_lint_clean() -> None:
    import datetime as dt

    from riskprofile.profiles import lint_profiles

    findings = lint_profiles(PROFILES, today=dt.date(2026, 11, 28))
    assert [str(f) for f in findings if f.severity != "info"] == []


@pytest.mark.parametrize("outcome", OUTCOMES, ids=lambda o: f"{o.profile_id}/{o.example}")
def test_bundled_example(outcome: object) -> None:
    assert getattr(outcome, "passed", False), str(outcome)


def test_every_bundled_indicator_has_a_hit_and_a_miss_example() -> None:
    # Base profiles test every indicator; an overlay tests the indicators it adds (its
    # inherited ones are tested in the base, whose examples it does not inherit).
    for profile in PROFILES:
        hits = {i for e in profile.profile.examples for i in e.hits}
        misses = {i for e in profile.profile.examples for i in e.misses}
        own = profile.positions["profile"].path
        for indicator in profile.indicators:
            if profile.extends and profile.positions[f"indicator:{indicator.id}"].path != own:
                continue
            assert indicator.id in hits, f"{profile.id}: no example hits {indicator.id}"
            assert indicator.id in misses, f"{profile.id}: no example misses {indicator.id}"
