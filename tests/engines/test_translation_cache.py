"""The translation cache: one translation per condition whatever the evaluation time,
unless the condition reads that time ($now, $today, a list whose entries expire); safe
under threads."""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from pathlib import Path

import pytest

pl = pytest.importorskip("polars")

from riskprofile.engines.columnar import _translate, score_frame, shipment_frame  # noqa: E402
from riskprofile.engines.columnar._masks import condition_masks  # noqa: E402
from riskprofile.engines.columnar._translate import shared_translation, translate  # noqa: E402
from riskprofile.model import Shipment  # noqa: E402
from riskprofile.profiles import load_profiles  # noqa: E402
from riskprofile.profiles._explain import record_of  # noqa: E402
from riskprofile.profiles._expressions import Condition, compile_condition  # noqa: E402
from tests import strategies as rst  # noqa: E402

LIST_VALUES = {name: values for name, (_kind, values) in rst.RULE_LISTS.items()}
DAY = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
ROWS = [
    Shipment(bl_issue_date=dt.date(2026, 10, 1), port_of_loading="PKKHI"),
    Shipment(bl_issue_date=dt.date(2026, 11, 2), port_of_loading="AEJEA"),
    Shipment(bl_issue_date=dt.date(2026, 11, 3)),
    Shipment(),
]


def compiled(expression: str) -> Condition:
    condition = compile_condition(expression, rst.RULE_LISTS)
    assert isinstance(condition, Condition), condition
    return condition


def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    original = _translate._translate

    def wrapped(condition: Condition, *args: object, **kwargs: object) -> _translate.Translation:
        made.append(condition.expression)
        return original(condition, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_translate, "_translate", wrapped)
    return made


def reference(condition: Condition, as_of: dt.datetime) -> list[bool | None]:
    """The row-wise result per row (None where it raises)."""
    found: list[bool | None] = []
    for shipment in ROWS:
        try:
            found.append(condition.evaluate(record_of(shipment), as_of))
        except Exception:
            found.append(None)
    return found


def columnar(condition: Condition, as_of: dt.datetime) -> list[bool | None]:
    masks = condition_masks(shipment_frame(ROWS), condition, LIST_VALUES, as_of)
    return [
        None if error else hit
        for hit, error in zip(masks.hit.to_list(), masks.error.to_list(), strict=True)
    ]


def test_a_condition_reading_no_time_is_translated_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scoring many dates, or at now() again and again, translates once."""
    made = counting(monkeypatch)
    condition = compiled("port_of_loading in $codes and bl_issue_date < d'2026-11-01'")
    times = [DAY + dt.timedelta(days=d, microseconds=m) for d in range(12) for m in (0, 7)]
    first = translate(condition, LIST_VALUES, times[0])
    for moment in times:
        assert translate(condition, LIST_VALUES, moment) is first
        shared_translation(condition, LIST_VALUES, moment)
    assert made == [condition.expression] * 2  # once plain, once with shared parts


def test_today_is_translated_once_per_date_and_now_per_moment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = counting(monkeypatch)
    today = compiled("bl_issue_date == $today")
    now = compiled("($now - bl_issue_date).days == 0")
    for day in (0, 1):
        for hour in (0, 9, 23):
            moment = DAY + dt.timedelta(days=day, hours=hour)
            for condition in (today, now):
                assert columnar(condition, moment) == reference(condition, moment), (
                    condition.expression,
                    moment,
                )
    assert made.count(today.expression) == 2
    assert made.count(now.expression) == 6


def test_expiring_list_entries_are_read_at_each_time(tmp_path: Path) -> None:
    """One loaded profile scored before, at and after each expiry: the columnar engine
    follows the row-wise one at every time, and times between two expiries share one
    translation."""
    (tmp_path / "w.csv").write_text(
        "value,expires\nPKKHI,2026-11-02\nAEJEA,2026-11-03T06:00:00Z\nAEJEA,2026-11-03\n",
        encoding="utf-8",
    )
    (tmp_path / "p.yaml").write_text(
        "id: t.cache\nversion: 1\ntitle: Test profile\ncategory: narcotics\n"
        "owner: PCU Karachi\nlists:\n  w: {file: w.csv}\nindicators:\n"
        "  - id: probe\n    title: Probe\n    when: port_of_loading in $w\n    weight: 10\n",
        encoding="utf-8",
    )
    profile = load_profiles(tmp_path)["t.cache"]
    condition = profile.indicators[0].condition
    frame = shipment_frame(ROWS)
    watch = profile.watch_lists["w"]
    hours = range(-2, 56, 3)
    for hour in hours:
        moment = DAY + dt.timedelta(hours=hour)
        expected = [profile.evaluate(s, moment)[0][0].hit for s in ROWS]
        masks = condition_masks(frame, condition, profile.lists, moment)
        assert masks.hit.to_list() == expected, moment
    # 2026-11-03 06:00: PKKHI expired with 2026-11-02, AEJEA is in force through 11-03.
    run = score_frame(frame, [profile], as_of=DAY + dt.timedelta(hours=30))
    assert run.hit_table.height == 1
    epochs = {watch.epoch(DAY + dt.timedelta(hours=h)) for h in hours}
    assert epochs == {0, 1, 2, 3}  # before, and after each of the three expiry times
    assert len(_translate._TRANSLATIONS[condition.rule]) == len(epochs)


def test_the_cache_is_safe_under_threads() -> None:
    """Threads translating one condition at many times, switching as often as Python
    lets them: no error (a lookup racing with a clear of the cache raised KeyError) and
    every translation right for its time."""
    condition = compiled("($now - bl_issue_date).days == 0")
    times = [DAY + dt.timedelta(hours=h) for h in range(0, 48, 4)]  # more than kept

    class Slow(dict):  # type: ignore[type-arg]
        """The rule's entry, letting other threads run in the middle of each lookup (as
        a thread switch there would): a lookup racing with a clear shows."""

        def __contains__(self, key: object) -> bool:
            time.sleep(0.0001)
            return super().__contains__(key)

        def __getitem__(self, key: object) -> object:
            time.sleep(0.0001)
            return super().__getitem__(key)

        def get(self, key: object, default: object = None) -> object:
            time.sleep(0.0001)
            return super().get(key, default)

    _translate._TRANSLATIONS[condition.rule] = Slow()
    failures: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for round_ in range(24):
                moment = times[(offset + round_) % len(times)]
                translation = translate(condition, LIST_VALUES, moment)
                assert translation.hit is not None
                shared_translation(condition, LIST_VALUES, moment)
        except BaseException as exc:  # reported below
            failures.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []
    for moment in times:
        assert columnar(condition, moment) == reference(condition, moment)


def test_the_bundled_library_scored_at_now_again_and_again_translates_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A live service scores each request at now(): no bundled condition reads the
    clock and no bundled list entry expires, so every call after the first finds its
    translations (none is made again)."""
    profiles = load_profiles(bundled=True)
    conditions = [
        part.condition
        for profile in profiles
        for part in (*profile.indicators, *profile.exceptions)
    ]
    moment = dt.datetime.now(dt.UTC)
    later = moment + dt.timedelta(microseconds=3)
    assert conditions
    assert all(c.time_key(moment) == c.time_key(later) for c in conditions)
    made = counting(monkeypatch)
    frame = shipment_frame(ROWS)
    score_frame(frame, profiles, as_of=moment)
    first = len(made)
    for step in range(1, 4):
        score_frame(frame, profiles, as_of=moment + dt.timedelta(microseconds=step))
    assert len(made) == first


def test_translating_ahead_also_finds_the_shared_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """``translate_ahead`` (run while the command still reads the batch) also works out
    which facts the profiles share, so that ``score_frame`` finds them made for those
    profiles (0.1 s of pure Python off the path after the read)."""
    from riskprofile.profiles import _facts, bundled_profiles_path
    from riskprofile.scoring import applicable_profiles

    profiles = load_profiles([bundled_profiles_path()], country="PK")
    taking_part, _ = applicable_profiles(profiles, DAY, False)
    monkeypatch.setattr(_facts, "_GROUPS", [])  # nothing found before this test
    made: list[int] = []
    original = _facts._fact_groups

    def counting(profiles: object) -> object:
        made.append(1)
        return original(profiles)  # type: ignore[arg-type]

    monkeypatch.setattr(_facts, "_fact_groups", counting)
    _translate.translate_ahead(taking_part, DAY)
    assert made == [1]
    frame = shipment_frame([Shipment(manifest_ref="M", container_number="C1")])
    score_frame(frame, profiles, as_of=DAY)
    assert made == [1]  # found, not made again


def _fresh_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    import weakref

    from riskprofile.engines.columnar._translate import _values

    monkeypatch.setattr(_values, "_COMPILES", {})
    monkeypatch.setattr(_translate, "_TRANSLATIONS", weakref.WeakKeyDictionary())


def _queries(monkeypatch: pytest.MonkeyPatch, refuse: str | None = None) -> list[int]:
    """Counts the Polars queries made (each by how many patterns it checks); one
    checking a pattern with ``refuse`` in it raises, as one that does not compile."""
    made: list[int] = []
    original = pl.select

    def select(*exprs: object, **named: object) -> object:
        made.append(len(exprs))
        if refuse is not None and any(refuse in str(e) for e in exprs):
            raise pl.exceptions.ComputeError("regex parse error (refused by the test)")
        return original(*exprs, **named)

    monkeypatch.setattr(pl, "select", select)
    return made


def _bundled() -> list[object]:
    from riskprofile.profiles import bundled_profiles_path
    from riskprofile.scoring import applicable_profiles

    profiles = load_profiles([bundled_profiles_path()])
    return list(applicable_profiles(profiles, DAY, False)[0])


def _same(a: _translate.Translation, b: _translate.Translation) -> bool:
    exprs = [(a.hit, b.hit), (a.error, b.error), (a.undecided, b.undecided)]
    return (a.expression, a.fallback) == (b.expression, b.fallback) and all(
        (x is None and y is None) or (x is not None and y is not None and x.meta.eq(y))
        for x, y in exprs
    )


@pytest.mark.parametrize("refuse", [None, "NIKE"])
def test_translating_ahead_checks_the_regexes_in_one_query(
    monkeypatch: pytest.MonkeyPatch, refuse: str | None
) -> None:
    """``translate_ahead`` checks that the bundled library's regexes compile for Polars
    in one query (there were 134, one per pattern), and translates as one condition at a
    time does; when a pattern does not compile, each is checked on its own and the
    conditions with it fall back naming it, as before."""
    profiles = _bundled()
    conditions = [
        (c, p.lists)  # type: ignore[attr-defined]
        for p in profiles
        for c in [e.condition for e in p.exceptions] + [i.condition for i in p.indicators]  # type: ignore[attr-defined]
    ]
    _fresh_caches(monkeypatch)
    made = _queries(monkeypatch, refuse)
    _translate.translate_ahead(profiles, DAY)  # type: ignore[arg-type]
    ahead = [shared_translation(c, lists, DAY) for c, lists in conditions]
    if refuse is None:
        assert len(made) == 1
    else:
        assert all(n == 1 for n in made[1:])
        assert len(made) > 100
    assert made[0] > 100
    _fresh_caches(monkeypatch)
    _queries(monkeypatch, refuse)
    one_by_one = [shared_translation(c, lists, DAY) for c, lists in conditions]
    assert all(
        _same(a[0], b[0]) and a[1].keys() == b[1].keys()
        for a, b in zip(ahead, one_by_one, strict=True)
    )
    refused = [t.fallback for t, _ in ahead if t.fallback and "NIKE" in t.fallback]
    if refuse is None:
        assert not refused
    else:
        assert refused
        assert all("does not compile for Polars" in r for r in refused)
