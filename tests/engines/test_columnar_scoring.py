"""The columnar engine scores exactly as the row-wise reference does.

Two levels are compared: ``score(..., engine="columnar")`` must build the very same
:class:`ScoringRun` (hits, notes, explanations, ranking, byte-identical exports), and the
object-free :func:`score_frame` must give the same container scores, lanes, forced lanes,
ranking, hits and selection.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.depth import depth
from tests.profile_memo import TARGETS, load_once

pl = pytest.importorskip("polars")

from riskprofile import output, read_batch  # noqa: E402
from riskprofile.engines.columnar import FrameRun, score_frame, shipment_frame  # noqa: E402
from riskprofile.errors import DataError  # noqa: E402
from riskprofile.model import Shipment, flatten  # noqa: E402
from riskprofile.profiles import ProfileSet, bundled_profiles_path, load_profiles  # noqa: E402
from riskprofile.scoring import (  # noqa: E402
    COLUMNAR_MIN_BATCH,
    COLUMNAR_MIN_SHIPMENTS,
    ScoringRun,
    choose_engine,
    score,
    unevaluable_warnings,
)
from riskprofile.selection import select  # noqa: E402
from tests import strategies as rst  # noqa: E402

AS_OF = dt.date(2026, 11, 2)
EXAMPLE = Path(__file__).parents[2] / "examples" / "data" / "karachi-sample.csv"
PROPERTIES = settings(
    max_examples=depth(30),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch, *TARGETS, f"{__name__}.load_profiles")


@st.composite
def batches(draw: st.DrawFn) -> list[Shipment]:
    """Shipments of one to three generated manifests, each its own vessel call."""
    shipments: list[Shipment] = []
    for number in range(draw(st.integers(1, 3))):
        manifest = draw(rst.manifests())
        shipments += flatten(manifest.model_copy(update={"voyage_number": f"V{number}"}))
    return shipments


def frame_view(run: FrameRun) -> list[tuple[Any, ...]]:
    return [(c.key, c.container_number, c.score, c.lane, c.forced_lane, c.hit_count)
            for c in run.containers]  # fmt: skip


def object_view(run: ScoringRun) -> list[tuple[Any, ...]]:
    return [(c.key, c.container_number, c.score, c.lane, c.forced_lane, len(c.hits))
            for c in run.containers]  # fmt: skip


def assert_frame_run_matches(frame_run: FrameRun, run: ScoringRun) -> None:
    assert frame_view(frame_run) == object_view(run)
    assert frame_run.key_order is not None
    keys = frame_run.container_table["key"]
    assert keys.gather(frame_run.key_order).to_list() == sorted(keys.to_list())
    shipments = {
        (r["shipment_id"], r["key"]): (r["score"], r["lane"], r["hit_count"])
        for r in frame_run.shipment_scores.iter_rows(named=True)
    }
    expected = {}
    for c in run.containers:
        for s in c.shipments:
            expected[(s.shipment_id, c.key)] = (s.score, s.lane, len(s.hits))
    assert shipments == expected
    hits = sorted(
        (r["shipment_id"], r["profile_id"], r["profile_version"], r["indicator_id"],
         r["weight"], r["forced_lane"])
        for r in frame_run.hit_table.iter_rows(named=True)
    )  # fmt: skip
    assert hits == sorted(
        (h.shipment_id, h.profile_id, h.profile_version, h.indicator_id, h.weight, h.forced_lane)
        for s in run.shipments
        for h in s.hits
    )
    explained = sorted(
        (r["shipment_id"], r["profile_id"], r["indicator_id"], r["title"], r["explanation"])
        for r in frame_run.explained_hits().iter_rows(named=True)
    )
    assert explained == sorted(
        (h.shipment_id, h.profile_id, h.indicator_id, h.title, h.explanation)
        for s in run.shipments
        for h in s.hits
    )
    assert frame_run.fingerprints == run.fingerprints
    assert frame_run.skipped_profiles == run.skipped_profiles
    assert frame_run.unevaluable == run.unevaluable


def selections(
    run: Any, capacity: Any, rate: str, seed: int, **options: Any
) -> list[tuple[Any, ...]]:
    chosen = select(run, capacity=capacity, control_rate=rate, seed=seed, **options)
    return (
        [(s.rank, s.reason, s.container.key) for s in chosen.selected]
        + [("left out", c.key) for c in chosen.left_out]
        + [("documentary", c.key) for c in chosen.documentary]
        + [("warning", w) for w in chosen.warnings]
        + [("unused", chosen.unused_capacity)]
    )


# --- properties ----------------------------------------------------------------------------


@PROPERTIES
@given(batches(), rst.profile_sets())
def test_columnar_scoring_builds_the_very_same_run(
    shipments: list[Shipment], profiles: ProfileSet
) -> None:
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    columnar = score(shipments, profiles, as_of=AS_OF, engine="columnar")
    assert columnar == reference
    chosen = select(columnar, capacity="20%", control_rate="10%", seed=3)
    assert output.to_json(columnar, chosen) == output.to_json(
        reference, select(reference, capacity="20%", control_rate="10%", seed=3)
    )


@PROPERTIES
@given(
    batches(),
    rst.profile_sets(),
    st.sampled_from(["1", "10%", "50%", {"red": 1, "yellow": "20%"}, {"blue": 2}]),
    st.sampled_from(["0", "10%", "50%"]),
    st.integers(0, 2**16),
    st.fixed_dictionaries(
        {},
        optional={
            "control_on_top": st.booleans(),
            "lanes": st.sampled_from([("red", "yellow", "blue"), ("yellow",)]),
        },
    ),
)
def test_frame_scoring_gives_the_same_scores_ranking_hits_and_selection(
    shipments: list[Shipment],
    profiles: ProfileSet,
    capacity: Any,
    rate: str,
    seed: int,
    options: dict[str, Any],
) -> None:
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    frame_run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert_frame_run_matches(frame_run, reference)
    expected = selections(reference, capacity, rate, seed, **options)
    assert selections(frame_run, capacity, rate, seed, **options) == expected
    # A run without its key order (made by hand) finds it from its table.
    without = dataclasses.replace(frame_run, key_order=None)
    assert selections(without, capacity, rate, seed, **options) == expected


@PROPERTIES
@given(batches(), rst.profile_sets(), st.randoms(use_true_random=False))
def test_frame_scoring_does_not_depend_on_the_input_order(
    shipments: list[Shipment], profiles: ProfileSet, rnd: Any
) -> None:
    shuffled = list(shipments)
    rnd.shuffle(shuffled)
    first = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    second = score_frame(shipment_frame(shuffled), profiles, as_of=AS_OF)
    assert first.container_table.equals(second.container_table)


# --- the bundled library on the example port day ------------------------------------------


@pytest.fixture(scope="module")
def example() -> list[Shipment]:
    return list(read_batch(EXAMPLE).shipments)


@pytest.mark.parametrize("country", [None, "PK", "KZ", "TM"])
def test_the_bundled_library_scores_the_example_identically(
    example: list[Shipment], country: str | None
) -> None:
    profiles = load_profiles([bundled_profiles_path()], country=country)
    reference = score(example, profiles, as_of=AS_OF, engine="rowwise")
    assert score(example, profiles, as_of=AS_OF, engine="columnar") == reference
    frame_run = score_frame(shipment_frame(example), profiles, as_of=AS_OF)
    assert_frame_run_matches(frame_run, reference)
    assert selections(frame_run, "3%", "1%", 1) == selections(reference, "3%", "1%", 1)
    assert any(c.lane != "green" for c in reference.containers)  # the test has teeth


# --- hand-computed corners -----------------------------------------------------------------


def _profiles(tmp_path: Path, text: str) -> ProfileSet:
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    return load_profiles([tmp_path])


DECIMALS = """\
id: test.decimals
version: 1
title: Decimal weights
category: other
owner: test
rationale: Weights with decimals add exactly.
indicators:
  - id: a
    title: a
    when: packages > 0
    weight: 0.1
  - id: b
    title: b
    when: packages > 1
    weight: 0.1
  - id: c
    title: c
    when: packages > 2
    weight: 0.1
  - id: forced
    title: forced
    when: packages == 7
    weight: 0
    lane: yellow
bands:
  - {min_score: 0.3, lane: red}
  - {min_score: 0.2, lane: blue}
"""


def test_decimal_weights_reach_a_band_exactly(tmp_path: Path) -> None:
    profiles = _profiles(tmp_path, DECIMALS)
    shipments = [
        Shipment(manifest_ref="M", shipment_id=f"M/{n}", container_number=f"C{n}", packages=n)
        for n in (1, 2, 3, 7)
    ]
    run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert frame_view(run) == [
        ("M/C7", "C7", Decimal("0.3"), "red", "yellow", 4),
        ("M/C3", "C3", Decimal("0.3"), "red", None, 3),
        ("M/C2", "C2", Decimal("0.2"), "blue", None, 2),
        ("M/C1", "C1", Decimal("0.1"), "green", None, 1),
    ]
    assert_frame_run_matches(run, score(shipments, profiles, as_of=AS_OF, engine="rowwise"))
    assert run.container_table["score"].to_list() == [
        Decimal("0.3"), Decimal("0.3"), Decimal("0.2"), Decimal("0.1")
    ]  # fmt: skip


def test_explained_hits_can_be_limited_to_some_containers(example: list[Shipment]) -> None:
    profiles = load_profiles([bundled_profiles_path()], country="PK")
    run = score_frame(shipment_frame(example), profiles, as_of=AS_OF)
    top = [c.key for c in run.containers[:3]]
    explained = run.explained_hits(top)
    assert set(explained["key"]) == set(top)
    assert explained.height == sum(c.hit_count for c in run.containers[:3])
    assert all(text for text in explained["explanation"])


def _every_field_profile() -> ProfileSet:
    """Indicators that explain every field of the catalogue (fifteen to a template)."""
    from riskprofile.model.shipment import field_catalogue

    names = [f.name for f in field_catalogue()]
    indicators: list[dict[str, Any]] = [
        {
            "id": f"fields{start}",
            "title": f"Fields from {start}",
            "when": "true",
            "explain": "{{x}} " + "/".join(f"{{{n}}}" for n in names[start : start + 15]),
            "weight": 1,
        }
        for start in range(0, len(names), 15)
    ]
    indicators.append(
        {
            "id": "twice",
            "title": "A field twice",
            "when": "packages != null",
            "explain": "{packages} and again {packages}, {route}",
            "weight": 1,
        }
    )
    indicators.append({"id": "plain", "title": "No fields", "when": "true", "weight": 1})
    return rst.load_profile_documents(
        [
            {
                "id": "test.every-field",
                "version": 1,
                "title": "Every field explained",
                "category": "other",
                "owner": "test",
                "indicators": indicators,
            }
        ]
    )


@settings(PROPERTIES, max_examples=depth(40))
@given(st.lists(rst.rule_shipments(), min_size=1, max_size=12), st.data())
def test_explanations_show_every_type_of_value_as_the_row_wise_run_does(
    drawn: list[Shipment], data: st.DataObject
) -> None:
    profiles = _every_field_profile()
    # Values repeated on other rows (explanations are worded once per distinct value).
    repeated = drawn + data.draw(st.lists(st.sampled_from(drawn), max_size=6))
    shipments = [
        s.model_copy(
            update={"manifest_ref": "M", "shipment_id": f"M/{n}", "container_number": f"C{n}"}
        )
        for n, s in enumerate(repeated)
    ]
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert_frame_run_matches(run, reference)
    keys = [c.key for c in run.containers][::2]
    some = run.explained_hits(keys)
    assert some.height == sum(len(c.hits) for c in reference.containers if c.key in keys)
    assert set(some["key"]) == set(keys)
    assert run.explained_hits([]).columns == run.explained_hits().columns


@pytest.mark.parametrize("values", [(0.0, -0.0, 0.0), (-0.0, 0.0, -0.0)])
def test_explanations_tell_negative_zero_from_zero(values: tuple[float, ...]) -> None:
    shipments = [
        Shipment(manifest_ref="M", shipment_id=f"M/{n}", container_number=f"C{n}",
                 value_per_kg=v, cargo_mass_gap_kg=v)
        for n, v in enumerate(values)
    ]  # fmt: skip
    profiles = _every_field_profile()
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    assert_frame_run_matches(
        score_frame(shipment_frame(shipments), profiles, as_of=AS_OF), reference
    )
    texts = {h.explanation for c in reference.containers for h in c.hits}
    assert any("/-0/" in t for t in texts)
    assert any("/0/" in t for t in texts)


NULL_TEXT = """\
id: test.null-text
version: 1
title: A word in the description
category: other
owner: test
rationale: rule-engine lets 'in' on a null text escape as a Python error.
indicators:
  - id: word
    title: word
    when: '"BANANA" in description'
    weight: 10
bands:
  - {min_score: 10, lane: yellow}
"""


def test_a_rule_on_a_null_text_leaves_a_note_in_both_engines_never_a_crash(
    tmp_path: Path,
) -> None:
    profiles = _profiles(tmp_path, NULL_TEXT)
    shipments = [
        Shipment(manifest_ref="M", container_number="C1", description="FRESH BANANAS"),
        Shipment(manifest_ref="M", container_number="C2"),
    ]
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    assert score(shipments, profiles, as_of=AS_OF, engine="columnar") == reference
    by_key = {c.key: c for c in reference.containers}
    assert by_key["M/C1"].lane == "yellow"
    assert by_key["M/C2"].lane == "green"
    (note,) = by_key["M/C2"].shipments[0].notes
    assert note.startswith("test.null-text/word: cannot be evaluated (cannot apply to a null")
    frame_run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert_frame_run_matches(frame_run, reference)
    assert frame_run.shipment_scores["unevaluable"].to_list() == [0, 1]
    assert frame_run.unevaluable == reference.unevaluable == {"test.null-text/word": 1}
    assert unevaluable_warnings(frame_run) == [
        "test.null-text/word could not be evaluated on 1 of 2 units (50.0%): it hits none of "
        "them (see the notes)"
    ]


def test_a_frame_that_is_not_a_shipment_frame_is_refused_naming_its_columns(
    tmp_path: Path,
) -> None:
    profiles = _profiles(tmp_path, DECIMALS)
    frame = shipment_frame([Shipment(manifest_ref="M", container_number="C1", packages=3)])
    broken = frame.drop("packages").with_columns(pl.col("seal_count").cast(pl.String))
    with pytest.raises(DataError) as info:
        score_frame(broken, profiles, as_of=AS_OF)
    assert "column 'packages' is missing" in str(info.value)
    assert "column 'seal_count' is String, not Int64" in str(info.value)


def test_a_frame_run_says_what_it_holds(tmp_path: Path) -> None:
    profiles = _profiles(tmp_path, DECIMALS)
    shipments = [Shipment(manifest_ref="M", container_number="C1", packages=3)]
    run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert len(run) == 1
    assert repr(run) == (
        "<FrameRun 1 containers (1 red), 1 profiles, as of 2026-11-02T00:00:00+00:00>"
    )
    assert set(run.engines) == {"test.decimals/a", "test.decimals/b", "test.decimals/c",
                                "test.decimals/forced"}  # fmt: skip


# --- choosing the engine -------------------------------------------------------------------


def test_auto_uses_the_columnar_engine_for_large_batches_only() -> None:
    assert choose_engine("auto", COLUMNAR_MIN_SHIPMENTS - 1) == "rowwise"
    assert choose_engine("auto", COLUMNAR_MIN_SHIPMENTS) == "columnar"
    assert choose_engine("auto", COLUMNAR_MIN_BATCH - 1, tables=True) == "rowwise"
    assert choose_engine("auto", COLUMNAR_MIN_BATCH, tables=True) == "columnar"
    # The measured crossovers (benchmarks/engine_auto.py): a list of 180 shipments is
    # faster column-wise, a batch of 220 kept as tables is not.
    assert choose_engine("auto", 180) == "columnar"
    assert choose_engine("auto", 220, tables=True) == "rowwise"
    assert choose_engine("rowwise", 10**6) == "rowwise"
    assert choose_engine("columnar", 1) == "columnar"


def test_an_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="auto, rowwise or columnar"):
        choose_engine("fast", 10)  # type: ignore[arg-type]


SHARED_FACTS = {
    "a.yaml": """\
id: test.a
version: 1
title: A
category: other
owner: test
indicators:
  - {id: gap-1t, title: gap-1t, when: cargo_mass_gap_kg > 1000, weight: 10, fact: weight-gap}
  - {id: gap-5t, title: gap-5t, when: cargo_mass_gap_kg > 5000, weight: 25, fact: weight-gap}
  - id: payer
    title: payer
    when: freight_payer_role == "third_party"
    weight: 10
    explain: "paid by {freight_payer_name}"
bands:
  - {min_score: 30, lane: yellow}
""",
    "b.yaml": """\
id: test.b
version: 1
title: B
category: other
owner: test
indicators:
  - id: payer
    title: payer
    when: 'freight_payer_role == "third_party"  # the same fact'
    weight: 15
    explain: "freight paid by {freight_payer_name}"
  - {id: gap, title: gap, when: cargo_mass_gap_kg > 3000, weight: 5, fact: weight-gap, lane: yellow}
""",
}


def test_the_column_wise_run_counts_each_fact_once_as_the_row_wise_run_does(
    tmp_path: Path,
) -> None:
    for name, text in SHARED_FACTS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    profiles = load_profiles([tmp_path])
    shipments = [
        Shipment(manifest_ref="M", container_number="C1", cargo_mass_gap_kg=6000.0,
                 freight_payer_role="third_party", freight_payer_name="ZETA"),
        Shipment(manifest_ref="M", container_number="C2", cargo_mass_gap_kg=2000.0,
                 freight_payer_role="third_party", freight_payer_name="ZETA"),
        Shipment(manifest_ref="M", container_number="C3", cargo_mass_gap_kg=4000.0),
    ]  # fmt: skip
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    frame_run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert_frame_run_matches(frame_run, reference)
    by_key = {c.key: c for c in reference.containers}
    # C1: the weight gap once at 25, the payer once at 15.
    assert (by_key["M/C1"].score, by_key["M/C1"].lane) == (Decimal(40), "yellow")
    # C2: gap-1t (10) and the payer (15, in test.b).
    assert by_key["M/C2"].score == Decimal(25)
    # C3: test.a's gap-1t (10) counts; test.b's gap (5) still forces yellow.
    assert (by_key["M/C3"].score, by_key["M/C3"].lane) == (Decimal(10), "yellow")
    texts = {
        (r["key"], r["profile_id"], r["indicator_id"]): r["explanation"]
        for r in frame_run.explained_hits().iter_rows(named=True)
    }
    assert (
        texts[("M/C1", "test.a", "payer")] == "paid by ZETA (also in profile test.b, counted once)"
    )
    assert texts[("M/C1", "test.a", "gap-1t")] == (
        "gap-1t (also as indicator gap-5t of this profile, counted once)"
    )
    assert texts[("M/C3", "test.b", "gap")] == "gap (also in profile test.a, counted once)"
    assert frame_run.hit_table.filter(pl.col("counted_in").is_null()).height == 5


def test_the_hits_are_put_in_order_without_their_indicators_texts(
    example: list[Shipment], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hits of every indicator are put in shipment order as (row, indicator number)
    pairs (and the rare ``counted_in``), the indicator's ids, version, weight and lane
    gathered afterwards from the few indicators: a sort of a million hits does not carry
    five more columns. The hit table is still the row-wise run's (as above)."""
    profiles = load_profiles([bundled_profiles_path()])
    sorted_columns: list[list[str]] = []
    original = pl.DataFrame.sort

    def sort(self: Any, *args: Any, **kwargs: Any) -> Any:
        sorted_columns.append(list(self.columns))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "sort", sort)
    frame_run = score_frame(shipment_frame(example), profiles, as_of=AS_OF)
    monkeypatch.undo()
    assert frame_run.hit_table.height > 0
    hit_sorts = [c for c in sorted_columns if "row" in c and "counted_in" in c]
    assert hit_sorts == [["row", "indicator", "counted_in"]]
    assert_frame_run_matches(frame_run, score(example, profiles, as_of=AS_OF, engine="rowwise"))


def test_the_frame_schema_is_read_once_not_once_per_column(
    example: list[Shipment], monkeypatch: pytest.MonkeyPatch
) -> None:
    """polars builds ``DataFrame.schema`` anew on every read (a dictionary of the frame's
    ~130 columns): checking the frame read it twice per expected column, and the
    distinct-value step once per column it evaluates (0.25 s of CPU at a million
    shipments, on the main thread). Now a handful of reads, whatever the frame's width."""
    from riskprofile.model.frame import frame_schema

    profiles = load_profiles([bundled_profiles_path()])
    frame = shipment_frame(example)
    reads = [0]
    original = pl.DataFrame.schema

    def schema(self: Any) -> Any:
        reads[0] += 1
        return original.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(pl.DataFrame, "schema", property(schema))
    run = score_frame(frame, profiles, as_of=AS_OF)
    monkeypatch.undo()
    assert 0 < reads[0] <= 12 < len(frame_schema())
    assert_frame_run_matches(run, score(example, profiles, as_of=AS_OF, engine="rowwise"))


def test_the_columns_distinct_values_are_evaluated_side_by_side(
    example: list[Shipment], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A column's sub-expressions evaluated on its distinct values (found, then joined
    back) are worked out for several columns at once: each such join here waits until
    another is running too. The run is the one-at-a-time run's (and the reference's)."""
    import threading

    from riskprofile.engines.columnar._translate import translate_ahead
    from riskprofile.rules import applicable_profiles

    profiles = load_profiles([bundled_profiles_path()])
    frame = shipment_frame(example * 3)  # every value repeated: distinct values pay
    when = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    translate_ahead(applicable_profiles(profiles, when, False)[0], when)
    one_at_a_time = score_frame(frame, profiles, as_of=AS_OF)
    both = threading.Barrier(2, timeout=20)
    joins: list[str] = []
    original = pl.DataFrame.join

    def join(self: Any, *args: Any, **kwargs: Any) -> Any:
        if len(joins) < 2:
            joins.append(threading.current_thread().name)
            both.wait()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "join", join)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 2)
    run = score_frame(frame, profiles, as_of=AS_OF)
    monkeypatch.undo()
    assert len(set(joins)) == 2
    assert run.hit_table.equals(one_at_a_time.hit_table)
    assert run.container_table.equals(one_at_a_time.container_table)
