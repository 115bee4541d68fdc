"""``riskprofile score`` scores a frame whose fields nothing of the run reads are blank
(``FrameBatch.reading_only``): the read checks every field, the memory of the others is
freed before scoring, and every output is the same bytes as with the whole frame."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import riskprofile.cli._score as score_command
import riskprofile.engines.columnar
from riskprofile.cli import main
from riskprofile.io import FrameBatch, read_frame
from riskprofile.model.frame import frame_schema, shipments_of_frame
from tests.profile_memo import load_once

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"

WATCH_CSV = "value,country,identifier,programme,expires\nACME TRADING FZE,,AE-555,DUAL USE,\n"
# A trader list matches a party by its identifier, which no condition names: the run
# must keep the party's identifier (and country) for the hit and its explanation.
WATCH_PROFILE = """\
id: trader.watch
version: 1
title: Parties on the watch list
category: other
owner: tests
lists:
  watch: {file: watch.csv, match: trader}
indicators:
  - id: watched-party
    title: A party is on the watch list
    when: consignee_name in $watch
    weight: 100
    lane: red
    explain: EXPLAIN
"""


@pytest.fixture(autouse=True)
def _profiles_loaded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same profiles again and again: loaded once per process."""
    load_once(monkeypatch)


@pytest.fixture(autouse=True)
def _width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _scored_frames(monkeypatch: pytest.MonkeyPatch) -> list[pl.DataFrame]:
    """The frames ``riskprofile score`` hands to ``score_frame`` (recorded)."""
    frames: list[pl.DataFrame] = []
    real = riskprofile.engines.columnar.score_frame

    def recording(batch: Any, *args: Any, **kwargs: Any) -> Any:
        frames.append(batch.frame)
        return real(batch, *args, **kwargs)

    monkeypatch.setattr(riskprofile.engines.columnar, "score_frame", recording)
    return frames


def test_the_fields_nothing_reads_are_blank_in_the_frame_scored(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    frames = _scored_frames(monkeypatch)
    code, _, _ = _run(["score", str(SAMPLE), "--as-of", "2026-11-02"], capsys)
    assert code == 0
    (scored,) = frames
    whole = read_frame(SAMPLE).frame
    assert scored.schema == whole.schema  # every column, the same types
    # Read by no condition of the bundled library and shown by no output: blank.
    for name in ("notify_address", "shipper_address", "vessel_name"):
        assert whole.get_column(name).null_count() < whole.height
        assert scored.get_column(name).null_count() == scored.height
    # Read (conditions, explanations, the tables): whole.
    for name in ("consignee_name", "hs_codes", "port_of_loading", "value_per_kg"):
        assert scored.get_column(name).equals(whole.get_column(name))


# An indicator's explanation says how its trader list matched; an exception is not
# explained: its condition alone must keep the party whole.
EXCEPTION = """\
exceptions:
  - id: watched
    title: a watched consignee is another team's
    when: consignee_name in $watch
"""


@pytest.mark.parametrize("where", ["indicator", "exception"])
def test_a_trader_list_keeps_the_party_whole_and_the_bytes_are_the_same(
    where: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    profile = WATCH_PROFILE
    if where == "exception":
        profile = profile.replace("when: consignee_name in $watch", "when: packages > 0")
        profile += EXCEPTION
    (tmp_path / "watch.csv").write_text(WATCH_CSV, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(profile, encoding="utf-8")
    batch = pl.read_csv(SAMPLE, infer_schema=False)
    # Two consignees on the list by their identifier alone (their names are not).
    batch = batch.with_columns(
        pl.when(pl.int_range(pl.len()) < 2)
        .then(pl.lit("AE 555"))
        .otherwise(pl.col("consignee_identifier"))
        .alias("consignee_identifier")
    )
    batch.write_csv(tmp_path / "batch.csv")
    argv = ["score", str(tmp_path / "batch.csv"), "--profiles", str(tmp_path / "p.yaml"),
            "--as-of", "2026-12-07", "--details"]  # fmt: skip

    def outputs(folder: str) -> tuple[Any, ...]:
        (tmp_path / folder).mkdir()
        out = tmp_path / folder / "run.csv"
        listing = _run([*argv, "-o", str(out)], capsys)
        text = _run([*argv, "--format", "json"], capsys)
        table = _run(argv, capsys)
        files = (out.read_bytes(), out.with_name("run.hits.csv").read_bytes())
        return listing[0], listing[1].replace(folder, "-"), listing[2], text, table, files

    frames = _scored_frames(monkeypatch)
    cut = outputs("cut")
    whole = read_frame(tmp_path / "batch.csv").frame
    assert (
        frames[0]
        .get_column("consignee_identifier")
        .equals(whole.get_column("consignee_identifier"))
    )
    assert frames[0].get_column("notify_identifier").null_count() == frames[0].height
    hits = cut[5][1]
    if where == "indicator":  # the two hits, matched by the identifier alone
        assert hits.count(b"watched-party") == 2
        assert hits.count(b"by identifier") == 2
    else:  # every shipment with packages but the watched consignee's
        fired = whole.filter(pl.col("packages") > 0)
        watched = fired.filter(pl.col("consignee_identifier") == "AE 555").height
        assert watched > 0
        assert hits.count(b"watched-party") == fired.height - watched
    monkeypatch.setattr(score_command, "_reading_only_what_is_read", lambda batch, *_: batch)
    assert outputs("whole") == cut


def test_shipments_sharing_an_id_keep_the_frame_whole() -> None:
    # The outputs order shipments sharing an id by their whole content.
    batch = read_frame(SAMPLE)
    profiles = score_command._args.load_profiles(None, None)
    import datetime as dt

    as_of = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    fields = score_command._fields_read(profiles, as_of, False)
    cut = score_command._reading_only_what_is_read(batch, fields)
    assert cut is not batch
    twice = dataclasses.replace(batch, frame=pl.concat([batch.frame, batch.frame.head(1)]))
    assert score_command._reading_only_what_is_read(twice, fields) is twice


def test_reading_only_blanks_the_other_fields_as_a_shipment_without_them() -> None:
    batch = read_frame(SAMPLE)
    # Two slices' worth of chunks: the blanks are chunked as the kept columns are.
    chunked = dataclasses.replace(batch, frame=pl.concat([batch.frame, batch.frame], rechunk=False))
    kept = {"shipment_id", "consignee_name", "hs_codes"}
    blank = chunked.reading_only(kept).frame
    assert isinstance(chunked.reading_only(kept), FrameBatch)
    assert blank.schema == frame_schema()
    for name in blank.columns:
        column = blank.get_column(name)
        assert column.chunk_lengths() == [batch.frame.height] * 2, name
        if name in kept:
            assert column.equals(chunked.frame.get_column(name))
    assert blank.get_column("notify_name").null_count() == blank.height
    assert blank.get_column("package_types").list.len().sum() == 0  # a list: empty
    # Shipments are made back, with the model's defaults in the blank fields.
    first = shipments_of_frame(blank.head(1))[0]
    assert (first.consignee_name, first.notify_name, first.package_types) == (
        batch.frame.get_column("consignee_name")[0],
        None,
        [],
    )
    assert batch.reading_only(frame_schema()) is batch  # nothing to blank


def test_the_frame_scored_is_in_one_chunk_its_blanks_shared() -> None:
    # Read slice by slice, a frame is in one chunk a slice: the run's gathers (the hits'
    # explanations first) would each copy the columns they read into one chunk.
    batch = read_frame(SAMPLE)
    kept = {"shipment_id", "consignee_name", "hs_codes", "packages"}
    frame = pl.concat([batch.frame] * 3, rechunk=False)
    frame = dataclasses.replace(batch, frame=frame).reading_only(kept).frame
    expected = frame.clone()
    score_command._in_one_chunk(frame, kept)
    assert {frame.get_column(c).n_chunks() for c in frame.columns} == {1}
    assert frame.equals(expected)
    # The blanks with one value are one column still (not one copy each).
    floats = [c for c in frame.columns if c not in kept and frame.schema[c] == pl.Float64]
    pointers = {frame.get_column(c).to_arrow().buffers()[1].address for c in floats}
    assert len(floats) > 5
    assert len(pointers) == 1


def test_the_command_scores_a_frame_in_one_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import riskprofile.io._frame._reader as reader

    # Three vessel calls read in three slices (a slice holds whole calls).
    sample = pl.read_csv(SAMPLE, infer_schema=False)
    calls = [sample.with_columns(pl.lit(f"73{n}W").alias("voyage_number")) for n in range(3)]
    pl.concat(calls).write_csv(tmp_path / "calls.csv")
    monkeypatch.setattr(reader, "SLICE_RECORDS", sample.height)
    assert read_frame(tmp_path / "calls.csv").frame.get_column("shipment_id").n_chunks() > 1
    frames = _scored_frames(monkeypatch)
    code, _, _ = _run(["score", str(tmp_path / "calls.csv"), "--as-of", "2026-11-02"], capsys)
    assert code == 0
    (scored,) = frames
    assert {scored.get_column(c).n_chunks() for c in scored.columns} == {1}
