"""Python API conveniences: what an analyst types in a notebook.

- ``score()`` takes a :class:`~riskprofile.io.Batch` or a path, and the run keeps the
  batch's rejected records (nothing read is lost);
- ``as_of`` as an ISO 8601 string wherever the API takes it;
- short reprs, ``to_pandas()``/``to_polars()``, a styled ``_repr_html_``;
- ``load_profiles(..., bundled=True)`` and the CLI's ``--profiles bundled``;
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskprofile import output
from riskprofile.cli import main
from riskprofile.io import read_batch, write_json
from riskprofile.profiles import (
    ProfileSet,
    bundled_profiles_path,
    load_all_profiles,
    load_profiles,
    record_of,
)
from riskprofile.scoring import ScoringRun, score
from riskprofile.selection import select
from riskprofile.synth import generate_manifests
from tests.depth import depth
from tests.profile_memo import TARGETS, load_once

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
EXPORT = ROOT / "examples" / "data" / "customs-export.csv"
EXPORT_MAPPING = ROOT / "examples" / "mappings" / "customs-export.yaml"

OWN_PROFILE = """\
id: own.heavy
version: 1
title: A PCU's own profile
category: other
owner: tests
indicators:
  - id: heavy
    title: Heavy goods
    when: goods_gross_weight_kg > 20000
    weight: 10
bands:
  - {min_score: 10, lane: blue}
"""


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch, *TARGETS, f"{__name__}.load_profiles")


@pytest.fixture(scope="module")
def bundled() -> ProfileSet:
    return load_profiles(bundled_profiles_path())


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> ProfileSet:
    folder = tmp_path_factory.mktemp("own")
    (folder / "own.yaml").write_text(OWN_PROFILE, encoding="utf-8")
    return load_profiles(folder)


@pytest.fixture(scope="module")
def manifests_jsonl(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Eight manifests (vessel calls), one JSON Lines line each."""
    folder = tmp_path_factory.mktemp("batch")
    lines = []
    for seed in range(8):
        path = folder / f"{seed}.jsonl"
        write_json(generate_manifests(seed, 2), path, lines=True)
        lines += path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8
    return lines


@pytest.fixture(scope="module")
def run(bundled: ProfileSet) -> ScoringRun:
    return score(SAMPLE, bundled, as_of="2026-11-02")


# --- score(batch) and score(path) ----------------------------------------------------------


def test_score_of_a_batch_keeps_its_rejected_records(bundled: ProfileSet) -> None:
    batch = read_batch(EXPORT, mapping=EXPORT_MAPPING, strictness="strict")
    assert len(batch.rejected) == 2  # the worked example of docs/input.md
    run = score(batch, bundled, as_of="2026-11-02")
    assert run.source == batch.source
    assert run.records_read == 12
    assert run.rejected == tuple(batch.rejected)
    assert run.records_accepted == 10
    assert run.record_unit == "line"
    assert "12 records read (2 rejected)" in repr(run)
    # The same shipments scored as when they are passed bare.
    bare = score(batch.shipments, bundled, as_of=dt.date(2026, 11, 2))
    assert run.shipments == bare.shipments
    assert run.containers == bare.containers
    assert (bare.records_read, bare.rejected, bare.records_accepted) == (None, (), None)


def test_exports_of_a_batch_run_carry_its_rejected_records(
    bundled: ProfileSet, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = read_batch(EXPORT, mapping=EXPORT_MAPPING, strictness="strict")
    audit = json.loads(output.to_json(score(batch, bundled, as_of="2026-11-02")))["audit"]
    assert (audit["records_read"], audit["records_accepted"]) == (12, 10)
    assert [(r["record_unit"], r["record"]) for r in audit["rejected"]] == [
        ("line", 5),
        ("line", 8),
    ]
    argv = ["score", str(EXPORT), "--mapping", str(EXPORT_MAPPING), "--strict",
            "--as-of", "2026-11-02", "--format", "json"]  # fmt: skip
    code, out, _ = _cli(argv, capsys)
    assert code == 1  # rejected records in strict mode
    assert json.loads(out)["audit"]["rejected"] == audit["rejected"]
    bare = json.loads(output.to_json(score(batch.shipments, bundled, as_of="2026-11-02")))
    assert "rejected" not in bare["audit"]


def test_score_of_a_path_reads_it(
    run: ScoringRun, bundled: ProfileSet, manifests_jsonl: list[str], tmp_path: Path
) -> None:
    batch = read_batch(SAMPLE)
    assert run.records_read == batch.records_read == 629
    assert run.source == str(SAMPLE)
    assert run.containers == score(batch.shipments, bundled, as_of="2026-11-02").containers
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(manifests_jsonl) + "\n", encoding="utf-8")
    small = score(str(path), bundled, as_of="2026-11-02")
    assert (small.source, small.records_read, small.record_unit) == (str(path), 8, "line")


def test_score_of_a_path_reads_it_column_wise_unless_rowwise(
    run: ScoringRun, bundled: ProfileSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    import riskprofile.io

    reference = score(read_batch(SAMPLE), bundled, as_of="2026-11-02", engine="rowwise")

    def unused(*args: object, **kwargs: object) -> None:
        raise AssertionError("read_batch: the slow reader, for the row-wise engine only")

    monkeypatch.setattr(riskprofile.io, "read_batch", unused)
    for engine in ("auto", "columnar"):
        got = score(SAMPLE, bundled, as_of="2026-11-02", engine=engine)  # type: ignore[arg-type]
        assert got == reference
    assert run == reference
    with pytest.raises(AssertionError, match="slow reader"):
        score(SAMPLE, bundled, as_of="2026-11-02", engine="rowwise")


@settings(max_examples=depth(15))
@given(broken=st.sets(st.integers(min_value=0, max_value=7)))
def test_nothing_read_is_lost(
    broken: set[int],
    manifests_jsonl: list[str],
    own: ProfileSet,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    lines = ["{not json" if i in broken else line for i, line in enumerate(manifests_jsonl)]
    path = tmp_path_factory.mktemp("broken") / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = score(path, own, as_of="2026-11-02")
    assert run.records_read == 8
    assert run.records_accepted is not None
    assert run.records_accepted + len(run.rejected) == run.records_read
    assert sorted(r.record for r in run.rejected) == sorted(i + 1 for i in broken)
    kept = [json.loads(line) for i, line in enumerate(manifests_jsonl) if i not in broken]
    assert len(run.shipments) == len(read_batch(path).shipments)
    assert (len(run.shipments) == 0) == (not kept)
    assert all(r.reason.startswith("not valid JSON") for r in run.rejected)


# --- as_of as an ISO 8601 string ---------------------------------------------------------


def test_as_of_strings_mean_what_dates_mean(bundled: ProfileSet) -> None:
    shipments = read_batch(SAMPLE).shipments[:25]
    by_date = score(shipments, bundled, as_of=dt.date(2026, 11, 2))
    by_text = score(shipments, bundled, as_of="2026-11-02")
    assert by_text == by_date
    zoned = score(shipments[:5], bundled, as_of="2026-11-02T10:00:00+05:00")
    assert zoned.as_of == dt.datetime(2026, 11, 2, 5, tzinfo=dt.UTC)


@pytest.mark.parametrize("text", ["02/11/2026", "2026-13-01", "", "yesterday"])
def test_a_bad_as_of_string_is_named(text: str, bundled: ProfileSet) -> None:
    with pytest.raises(ValueError, match="as_of must be an ISO 8601 date or time") as info:
        score([], bundled, as_of=text)
    assert repr(text) in str(info.value)


def test_an_as_of_past_year_9999_in_utc_is_named(bundled: ProfileSet) -> None:
    """Regression: it raised a bare OverflowError ("date value out of range")."""
    with pytest.raises(ValueError, match="beyond year 9999 in UTC"):
        score([], bundled, as_of="9999-12-31T23:59:59-12:00")


def test_as_of_of_another_type_is_refused(bundled: ProfileSet) -> None:
    with pytest.raises(TypeError, match="not int"):
        score([], bundled, as_of=20261102)  # type: ignore[arg-type]


def test_score_frame_takes_an_as_of_string(bundled: ProfileSet) -> None:
    pytest.importorskip("polars")
    from riskprofile.engines.columnar import score_frame
    from riskprofile.io import read_frame

    frame = read_frame(SAMPLE).frame
    by_text = score_frame(frame, bundled, as_of="2026-11-02")
    by_date = score_frame(frame, bundled, as_of=dt.date(2026, 11, 2))
    assert by_text.as_of == by_date.as_of
    assert by_text.container_table.equals(by_date.container_table)


def test_profile_evaluate_takes_a_date_or_a_string(bundled: ProfileSet) -> None:
    shipments = read_batch(SAMPLE).shipments[:12]
    at_midnight = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    for profile in bundled:
        for shipment in shipments:
            expected = profile.evaluate(shipment, at_midnight)
            assert profile.evaluate(shipment, dt.date(2026, 11, 2)) == expected
            assert profile.evaluate(shipment, "2026-11-02") == expected
    with pytest.raises(ValueError, match="'2 Nov'"):
        bundled.profiles[0].evaluate(shipments[0], "2 Nov")


@settings(max_examples=depth(25))
@given(
    when=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 1, 1)),
    offset=st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_an_as_of_and_its_iso_string_evaluate_alike(
    when: dt.datetime, offset: int, bundled: ProfileSet
) -> None:
    zoned = when.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
    shipment = read_batch(EXPORT, mapping=EXPORT_MAPPING).shipments[0]
    record = record_of(shipment)
    for profile in bundled:
        assert profile.evaluate(shipment, zoned.isoformat()) == profile.evaluate(shipment, zoned)
        for indicator in profile.indicators:
            assert indicator.evaluate(record, zoned.isoformat()) == indicator.evaluate(
                record, zoned.astimezone(dt.UTC)
            )
        for exception in profile.exceptions:
            assert exception.holds(record, zoned.date()) == exception.holds(
                record, dt.datetime.combine(zoned.date(), dt.time(), dt.UTC)
            )


# --- reprs, data frames, HTML ------------------------------------------------------------


def test_selection_repr_is_short(run: ScoringRun) -> None:
    selection = select(run, capacity="3%", control_rate="1%", seed=1)
    counts = {r: sum(1 for s in selection.selected if s.reason == r) for r in
              ("forced", "score", "control")}  # fmt: skip
    reasons = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    assert repr(selection) == (
        f"<Selection {len(selection.selected)} of 251 containers ({reasons}), capacity "
        f"{selection.capacity}, {len(selection.left_out)} left out>"
    )
    assert len(repr(selection)) < 120  # not the whole run, as the dataclass repr was
    assert "warnings" in repr(select(run, capacity=0))


def test_results_have_short_reprs(run: ScoringRun) -> None:
    top = run.containers[0]
    assert repr(top) == (
        f"<ContainerResult {top.key} {top.lane}"
        f"{' (forced)' if top.forced_lane else ''} {top.score}: "
        f"{len(top.shipments)} B/Ls, {len(top.hits)} hits>"
    )
    assert all(len(repr(c)) < 150 for c in run.containers)
    assert all(len(repr(s)) < 150 and s.shipment_id in repr(s) for s in run.shipments)


def test_run_and_selection_to_pandas(run: ScoringRun) -> None:
    pytest.importorskip("pandas")
    containers = run.to_pandas()
    assert tuple(containers.columns) == output.CONTAINER_COLUMNS
    assert containers["key"].tolist() == [c.key for c in run.containers]
    hits = run.to_pandas("hits")
    assert tuple(hits.columns) == output.HIT_COLUMNS
    assert len(hits) == sum(len(c.hits) for c in run.containers)
    selection = select(run, capacity="3%", control_rate="1%", seed=1)
    table = selection.to_pandas()
    listed = table[table["selected"]]
    assert listed["key"].tolist() == [s.container.key for s in selection.selected]
    assert listed["reason"].tolist() == [s.reason for s in selection.selected]
    with pytest.raises(ValueError, match="'shipments'"):
        run.to_pandas("shipments")  # type: ignore[arg-type]


def test_run_and_selection_to_polars_agree_across_engines(
    run: ScoringRun, bundled: ProfileSet
) -> None:
    pytest.importorskip("polars")
    from riskprofile.engines.columnar import score_frame
    from riskprofile.io import read_frame

    frame_run = score_frame(read_frame(SAMPLE).frame, bundled, as_of="2026-11-02")
    rowwise = run.to_polars()
    columnar = frame_run.to_polars()
    assert "points" not in columnar.columns
    assert columnar.height == frame_run.container_table.height
    assert rowwise["key"].to_list() == columnar["key"].to_list()
    assert rowwise["lane"].to_list() == columnar["lane"].to_list()
    assert frame_run.to_polars("hits").equals(frame_run.hit_table)
    # The same selection, the same inspection list, whichever engine scored.
    picked_rows = select(run, capacity="3%", control_rate="1%", seed=1).to_polars()
    picked_cols = select(frame_run, capacity="3%", control_rate="1%", seed=1).to_polars()
    for table in (picked_rows, picked_cols):
        assert table["rank"].to_list() == list(range(1, table.height + 1))
    chosen = ["key", "selected", "reason"]
    assert picked_rows.select(chosen).equals(picked_cols.select(chosen))
    assert frame_run.to_pandas().shape == (columnar.height, columnar.width)


def test_html_shows_lanes_in_colour_hits_and_rejected_records(bundled: ProfileSet) -> None:
    run = score(
        read_batch(EXPORT, mapping=EXPORT_MAPPING, strictness="strict"),
        bundled,
        as_of="2026-11-02",
    )
    page = run._repr_html_()
    assert page.startswith("<p>&lt;ScoringRun ")
    non_green = [c for c in run.containers if c.lane != "green"]
    assert non_green
    for container in non_green:
        assert output._LANE_STYLE[container.lane] in page
        for hit in container.hits:
            assert hit.indicator_id in page
    assert "2 of 12 records rejected" in page
    assert "line 5: Curr (currency): &#x27;RMB&#x27; is not an ISO 4217 currency" in page
    selection = select(run, capacity=2)
    listing = selection._repr_html_()
    assert listing.startswith("<p>&lt;Selection ")
    for s in selection.selected:
        assert str(s.container.container_number) in listing
    assert "<details><summary>" in listing


def test_column_wise_run_html_lists_what_the_row_wise_one_does(
    run: ScoringRun, bundled: ProfileSet
) -> None:
    pytest.importorskip("polars")
    import re

    from riskprofile.engines.columnar import score_frame
    from riskprofile.io import read_frame

    frame_run = score_frame(read_frame(SAMPLE).frame, bundled, as_of="2026-11-02")
    rowwise, columnar = run._repr_html_(), frame_run._repr_html_()
    assert columnar.startswith("<p>&lt;FrameRun ")
    boxes = re.compile(r"<td[^>]*>([A-Z]{4}\d{7})</td>")
    assert boxes.findall(columnar) == boxes.findall(rowwise)
    assert boxes.findall(columnar)
    explained = re.compile(r"<code>([^<]+)</code>[^:]*: ([^<]*)</li>")
    assert sorted(explained.findall(columnar)) == sorted(explained.findall(rowwise))


# --- profiles: one's own beside the bundled ones ------------------------------------------


def test_load_profiles_bundled(tmp_path: Path, bundled: ProfileSet) -> None:
    assert load_profiles(bundled=True).fingerprints == bundled.fingerprints
    (tmp_path / "own.yaml").write_text(OWN_PROFILE, encoding="utf-8")
    both = load_profiles(tmp_path, bundled=True)
    assert [p.id for p in both] == sorted([*(p.id for p in bundled), "own.heavy"])
    # Naming the bundled folder too loads it once, not as duplicates.
    again = load_profiles([bundled_profiles_path(), tmp_path], bundled=True)
    assert again.fingerprints == both.fingerprints
    with pytest.raises(ValueError, match="no profiles to load"):
        load_profiles([])


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_profiles_bundled_adds_the_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bundled: ProfileSet
) -> None:
    (tmp_path / "own.yaml").write_text(OWN_PROFILE, encoding="utf-8")
    base = ["score", str(SAMPLE), "--as-of", "2026-11-02"]
    code, out, _ = _cli([*base, "--profiles", str(tmp_path)], capsys)
    assert (code, out.splitlines()[0].split(" with ")[1].split(":")[0]) == (0, "1 profiles")
    code, out, _ = _cli([*base, "--profiles", str(tmp_path), "--profiles", "bundled"], capsys)
    assert code == 0
    assert f"with {len(bundled) + 1} profiles" in out.splitlines()[0]
    code, out, _ = _cli([*base, "--profiles", "bundled"], capsys)
    assert f"with {len(bundled)} profiles" in out.splitlines()[0]
    for argv in (["score", "--help"], ["evaluate", "--help"], ["exchange", "warn", "--help"]):
        _, out, _ = _cli(argv, capsys)
        assert "'bundled'" in out


def test_profile_commands_take_bundled_among_their_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bundled: ProfileSet
) -> None:
    (tmp_path / "own.yaml").write_text(OWN_PROFILE, encoding="utf-8")
    library = [p.id for p in load_all_profiles(bundled=True)]
    code, out, _ = _cli(["profiles", "list", str(tmp_path), "bundled"], capsys)
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == sorted([*library, "own.heavy"])
    code, out, _ = _cli(["profiles", "list", "bundled", "bundled"], capsys)
    assert [line.split()[0] for line in out.splitlines()] == library
    _, out, _ = _cli(["validate", "--help"], capsys)
    assert "'bundled'" in out
