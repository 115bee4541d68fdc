"""The bundled profile library: valid, lint-clean, and every example passes.

The library is loaded when a test first needs it, not on import: pytest-xdist's workers
each collect every file, and loading the library at collection cost each of them about a
second of CPU. So the examples are one test that names every failing example, not one
test per example (which would need the examples to be run to be collected).
"""

from __future__ import annotations

from functools import cache

from riskprofile.profiles import (
    CompiledProfile,
    bundled_profiles_path,
    load_all_profiles,
    run_examples,
)


@cache
def _profiles() -> list[CompiledProfile]:
    return load_all_profiles(bundled_profiles_path())


def test_bundled_profiles_load() -> None:
    assert len(_profiles()) >= 1
    assert all(p.fingerprint.startswith("sha256:") for p in _profiles())


def test_the_library_covers_every_category_and_three_countries() -> None:
    categories = {p.profile.category for p in _profiles() if not p.extends}
    assert categories >= {
        "narcotics", "precursors", "weapons", "strategic_goods", "wildlife", "ipr",
        "revenue", "other",
    }  # fmt: skip
    countries = {p.profile.countries[0] for p in _profiles() if p.extends}
    assert countries >= {"PK", "KZ", "TM"}


def test_bundled_profiles_are_lint_clean() -> None:
    import datetime as dt

    from riskprofile.profiles import lint_profiles

    findings = lint_profiles(_profiles(), today=dt.date(2026, 11, 28))
    assert [str(f) for f in findings if f.severity != "info"] == []


def test_every_bundled_example_passes() -> None:
    outcomes = run_examples(_profiles())
    assert len(outcomes) >= 100, "the bundled library's examples were not found"
    assert [str(o) for o in outcomes if not o.passed] == []


def test_every_bundled_indicator_has_a_hit_and_a_miss_example() -> None:
    # Base profiles test every indicator; an overlay tests the indicators it adds (its
    # inherited ones are tested in the base, whose examples it does not inherit).
    for profile in _profiles():
        hits = {i for e in profile.profile.examples for i in e.hits}
        misses = {i for e in profile.profile.examples for i in e.misses}
        own = profile.positions["profile"].path
        for indicator in profile.indicators:
            if profile.extends and profile.positions[f"indicator:{indicator.id}"].path != own:
                continue
            assert indicator.id in hits, f"{profile.id}: no example hits {indicator.id}"
            assert indicator.id in misses, f"{profile.id}: no example misses {indicator.id}"
