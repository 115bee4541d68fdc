"""Every output of a column-wise run (:func:`score_frame`) is the row-wise run's, byte for
byte: JSON, CSV, Parquet, the text table, the audit block, notes and explanations.

The row-wise :func:`riskprofile.score` is the reference; the same batch (with the same
rejected records), profiles, ``as_of`` and selection must give the same bytes whichever
run writes them.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.depth import depth, size

pl = pytest.importorskip("polars")
pq = pytest.importorskip("pyarrow.parquet")

from riskprofile import output  # noqa: E402
from riskprofile.engines.columnar import FrameRun, score_frame, shipment_frame  # noqa: E402
from riskprofile.io import Batch, FieldProblem, RejectedRecord, read_batch, read_frame  # noqa: E402
from riskprofile.model import Shipment  # noqa: E402
from riskprofile.profiles import ProfileSet, load_profiles  # noqa: E402
from riskprofile.scoring import ScoringRun, score, unevaluable_warnings  # noqa: E402
from riskprofile.selection import Selection, select  # noqa: E402
from tests import strategies as rst  # noqa: E402
from tests.engines.test_columnar_scoring import batches  # noqa: E402

AS_OF = dt.date(2026, 11, 2)
EXAMPLE = Path(__file__).parents[2] / "examples" / "data" / "karachi-sample.csv"
PROPERTIES = settings(
    max_examples=depth(30),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Manifest text is untrusted: cells a spreadsheet would run, cells that break a CSV row.
HOSTILE = ("=HYPERLINK(\"http://x\")", "+1", "-5", "-x", "@SUM(A1)", "\tTAB", "\rCR",
           "'=x", "'quoted'", "a,b", 'say "hi"', "two\nlines", "cr\rin", "", "café; «ÆØÅ»",
           " ", "back\\slash", "\x00nul\x1f\x7f\b\f", "\u2028line")  # fmt: skip
TEXT_FIELDS = ("consignee_name", "shipper_name", "description", "bl_number")


@dataclasses.dataclass(frozen=True)
class _FrameBatch:
    """What :func:`score_frame` takes from :func:`read_frame` (a FrameSource)."""

    frame: Any
    source: str
    records_read: int
    rejected: tuple[RejectedRecord, ...]
    record_unit: str


@st.composite
def hostile_batches(draw: st.DrawFn) -> list[Shipment]:
    """Generated batches with hostile text in some cells and, sometimes, two shipments
    that share an id (two manifests of one call), which the row-wise run orders by
    content."""
    shipments = draw(batches())
    edited = []
    for shipment in shipments:
        changes = draw(
            st.dictionaries(st.sampled_from(TEXT_FIELDS), st.sampled_from(HOSTILE), max_size=2)
        )
        if draw(st.booleans()):  # an unknown port is "?" in the route, wherever it is
            changes["transshipment_ports"] = draw(
                st.lists(st.sampled_from(["", "AEJEA", "=X", "a,b"]), max_size=3)
            )
            changes["port_of_loading"] = draw(st.sampled_from([None, "", "PKKHI"]))
        edited.append(shipment.model_copy(update=changes) if changes else shipment)
    if edited and draw(st.booleans()):
        twin = draw(st.sampled_from(edited))
        edited.append(twin.model_copy(update={"description": draw(st.sampled_from(HOSTILE))}))
    return edited


@st.composite
def rejected_records(draw: st.DrawFn, shipments: Sequence[Shipment]) -> list[RejectedRecord]:
    """Rejected records naming units of the batch (partly scored) or others."""
    boxes = sorted({s.container_number for s in shipments if s.container_number})
    bls = sorted({s.bl_number for s in shipments if s.bl_number})
    records = []
    for number in range(draw(st.integers(0, 3))):
        container = draw(st.one_of(st.none(), st.sampled_from([*boxes, "ZZZU0000000"])))
        bl = draw(st.one_of(st.none(), st.sampled_from([*bls, "NOSUCHBL"])))
        records.append(
            RejectedRecord(
                source="batch.csv",
                record=number + 2,
                problems=(FieldProblem("gross_weight", draw(st.sampled_from(HOSTILE)), "bad"),),
                container_numbers=(container,) if container else (),
                bl_numbers=(bl,) if bl else (),
            )
        )
    return records


SELECTIONS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "capacity": st.sampled_from(["1", "10%", "50%", {"red": 1, "yellow": "20%"}]),
            "control_rate": st.sampled_from(["0", "10%", "50%"]),
            "seed": st.integers(0, 2**16),
        },
        optional={
            "control_on_top": st.booleans(),
            "lanes": st.sampled_from([("red", "yellow", "blue"), ("yellow",)]),
        },
    ),
)


def runs(
    shipments: list[Shipment], profiles: ProfileSet, rejected: list[RejectedRecord]
) -> tuple[ScoringRun, FrameRun]:
    """The row-wise run of a batch and the column-wise run of the same batch's frame."""
    records = len(shipments) + len(rejected)
    batch = Batch("batch.csv", "lenient", shipments, rejected, records, record_unit="line")
    reference = score(batch, profiles, as_of=AS_OF, engine="rowwise")
    source = _FrameBatch(shipment_frame(shipments), "batch.csv", records, tuple(rejected), "line")
    return reference, score_frame(source, profiles, as_of=AS_OF)


def written(run: Any, selection: Selection | None, folder: Path, fmt: str) -> dict[str, Any]:
    """What write_output writes: file name -> bytes (Parquet: the table read back, its
    schema with the audit metadata, and the bytes)."""
    out: dict[str, Any] = {}
    target = folder / f"out.{fmt}"
    for path in output.write_output(run, target, selection=selection, format=fmt):
        data = path.read_bytes()
        if fmt == "parquet":
            table = pq.read_table(path)
            out[path.name] = (table.to_pylist(), table.schema, table.schema.metadata, data)
        else:
            out[path.name] = data
        path.unlink()
    return out


def assert_same_files(
    reference: ScoringRun, frame_run: FrameRun, chosen: Selection | None, other: Selection | None
) -> None:
    assert output.to_json(frame_run, other) == output.to_json(reference, chosen)
    assert output.to_csv(frame_run, other) == output.to_csv(reference, chosen)
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("json", "csv", "parquet"):
            assert written(frame_run, other, Path(folder), fmt) == written(
                reference, chosen, Path(folder), fmt
            ), fmt


def assert_same_outputs(
    reference: ScoringRun, frame_run: FrameRun, chosen: Selection | None, other: Selection | None
) -> None:
    assert_same_files(reference, frame_run, chosen, other)
    for options in ({}, {"details": True}, {"limit": 1, "width": 40},
                    {"limit": 0, "unevaluable_warning": 0.0}):  # fmt: skip
        expected = output.text_table(reference, chosen, **options)
        assert output.text_table(frame_run, other, **options) == expected, options
        # A fresh run, whose tables no other output has built: the units shown alone.
        fresh = dataclasses.replace(frame_run)
        assert output.text_table(fresh, other, **options) == expected, options
    assert unevaluable_warnings(frame_run, 0.0) == unevaluable_warnings(reference, 0.0)
    keys = {c.key for c in list(reference.containers)[::2]}
    assert repr(output.hit_rows(frame_run, keys)) == repr(output.hit_rows(reference, keys))


@PROPERTIES
@given(st.data(), hostile_batches(), rst.profile_sets(), SELECTIONS)
def test_every_output_of_a_frame_run_is_the_row_wise_runs_byte_for_byte(
    data: st.DataObject,
    shipments: list[Shipment],
    profiles: ProfileSet,
    options: dict[str, Any] | None,
) -> None:
    rejected = data.draw(rejected_records(shipments))
    reference, frame_run = runs(shipments, profiles, rejected)
    chosen = other = None
    if options is not None:
        chosen = select(reference, not_scored=rejected, **options)
        other = select(frame_run, not_scored=rejected, **options)
    assert_same_outputs(reference, frame_run, chosen, other)


@PROPERTIES
@given(hostile_batches(), rst.profile_sets())
def test_a_frame_runs_notes_are_the_row_wise_runs(
    shipments: list[Shipment], profiles: ProfileSet
) -> None:
    reference, frame_run = runs(shipments, profiles, [])
    expected = sorted((r.shipment_id, r.notes) for r in reference.shipments if r.notes)
    ids = shipment_frame(shipments).get_column("shipment_id")
    found = sorted(
        (ids[row], tuple(notes))
        for row, notes in frame_run.notes.select("row", "notes").iter_rows()
    )
    assert found == expected


# --- the bundled library on the example port day ------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> ProfileSet:
    return load_profiles(bundled=True)


def _example_runs(
    path: Path, profiles: ProfileSet
) -> tuple[ScoringRun, FrameRun, list[RejectedRecord]]:
    batch = read_batch(path)
    frame_batch = read_frame(path)
    assert frame_batch.rejected == tuple(batch.rejected)
    return (
        score(batch, profiles, as_of=AS_OF),
        score_frame(frame_batch, profiles, as_of=AS_OF),
        list(batch.rejected),
    )


@pytest.fixture(scope="module")
def example_runs(bundled: ProfileSet) -> tuple[ScoringRun, FrameRun, list[RejectedRecord]]:
    return _example_runs(EXAMPLE, bundled)


@pytest.fixture(scope="module")
def seam_runs(
    bundled: ProfileSet, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ScoringRun, FrameRun, list[RejectedRecord]]:
    """The example port day, for the tests that cut a run's text at every seam: its
    first 40 records at dev depth (a part of one row costs some 10 ms, about 3 s a run
    for the whole day, and every seam is between two rows like any other), the whole day
    at CI depth. The whole day's files are compared, cut the usual way, by the tests
    above at every depth."""
    with EXAMPLE.open(encoding="utf-8", newline="") as whole:
        records = list(csv.reader(whole))
    records = records[: 1 + size(len(records) - 1, dev=40)]
    path = tmp_path_factory.mktemp("seams") / "first-records.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(records)
    return _example_runs(path, bundled)


@pytest.mark.parametrize("with_selection", [False, True])
def test_the_example_port_day_gives_the_same_files(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]], with_selection: bool
) -> None:
    reference, frame_run, rejected = example_runs
    assert frame_run.source == reference.source
    assert frame_run.records_read == reference.records_read
    assert frame_run.record_unit == reference.record_unit
    chosen = other = None
    if with_selection:
        options: dict[str, Any] = {"capacity": "5%", "control_rate": "1%", "seed": 7}
        chosen = select(reference, not_scored=rejected, **options)
        other = select(frame_run, not_scored=rejected, **options)
    assert_same_outputs(reference, frame_run, chosen, other)


DATA = EXAMPLE.parent
MAPPINGS = DATA.parent / "mappings"


@pytest.mark.parametrize(
    ("name", "mapping", "strictness"),
    [
        ("customs-export.csv", "customs-export.yaml", "lenient"),
        ("customs-export.csv", "customs-export.yaml", "strict"),
        ("declarations.csv", "declarations.yaml", "lenient"),
        ("karachi-cuscar.edi", None, "lenient"),
    ],
)
def test_the_other_example_batches_give_the_same_files(
    name: str, mapping: str | None, strictness: Any, bundled: ProfileSet
) -> None:
    profiles = bundled
    options: dict[str, Any] = {"strictness": strictness}
    if mapping is not None:
        options["mapping"] = MAPPINGS / mapping
    batch = read_batch(DATA / name, **options)
    frame_batch = read_frame(DATA / name, **options)
    assert frame_batch.rejected == tuple(batch.rejected)
    reference = score(batch, profiles, as_of=AS_OF)
    frame_run = score_frame(frame_batch, profiles, as_of=AS_OF)
    chosen = select(reference, capacity="20%", control_rate="5%", seed=2,
                    not_scored=batch.rejected)  # fmt: skip
    other = select(frame_run, capacity="20%", control_rate="5%", seed=2,
                   not_scored=frame_batch.rejected)  # fmt: skip
    assert_same_outputs(reference, frame_run, None, None)
    assert_same_outputs(reference, frame_run, chosen, other)


def test_the_example_port_day_has_notes_and_forced_reasons_to_compare(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
) -> None:
    # The comparison above means something only if the cells it compares are filled.
    _reference, frame_run, _rejected = example_runs
    rows = output.container_rows(frame_run)
    for column in ("forced_reasons", "top_reasons", "hs_codes", "routes", "consignees"):
        assert any(row[column] for row in rows), column


NOTED = {
    "id": "t.noted",
    "version": 1,
    "title": "Notes",
    "category": "other",
    "owner": "tests",
    "indicators": [
        {"id": "heavy", "title": "Heavy", "when": "goods_gross_weight_kg > 20000", "weight": 10,
         "explain": "heavy: {goods_gross_weight_kg} kg"},
        {"id": "reefer", "title": "Reefer", "when": 'container_type == "reefer"', "weight": 50,
         "lane": "yellow"},
    ],
    "exceptions": [{"id": "light", "when": "packages < 2"}],
    "bands": [{"min_score": 10, "lane": "blue"}],
}  # fmt: skip


def test_a_frame_run_shows_its_rejected_records_in_a_notebook(bundled: ProfileSet) -> None:
    profiles = bundled
    shipments = list(read_batch(EXAMPLE).shipments)[:20]
    rejected = [
        RejectedRecord("batch.csv", 7, (FieldProblem("gross_weight", "x", "not a number"),))
    ]
    reference, frame_run = runs(shipments, profiles, rejected)
    assert "line 7: gross_weight" in frame_run._repr_html_()
    chosen = select(frame_run, capacity=1, not_scored=rejected)
    assert "line 7: gross_weight" in chosen._repr_html_()
    assert "line 7: gross_weight" in reference._repr_html_()


def test_notes_of_indicators_and_exceptions_that_cannot_be_evaluated(tmp_path: Path) -> None:
    import yaml

    (tmp_path / "noted.yaml").write_text(yaml.safe_dump(NOTED), encoding="utf-8")
    profiles = load_profiles(tmp_path)
    shipments = [
        Shipment(shipment_id=f"M/{n}", manifest_ref="M", bl_number=f"BL{n // 2}",
                 container_number=box, container_type=kind, packages=packages,
                 goods_gross_weight_kg=weight)
        for n, (box, kind, packages, weight) in enumerate([
            ("MSKU0000001", "reefer", None, None), ("MSKU0000001", None, 5, 30000.0),
            ("TGHU0000002", "reefer", 1, None), (None, None, None, 25000.0),
        ])
    ]  # fmt: skip
    reference, frame_run = runs(shipments, profiles, [])
    rows = output.container_rows(frame_run)
    assert "t.noted: exception light: cannot be evaluated" in rows[0]["notes"]
    assert "t.noted/heavy: cannot be evaluated" in rows[0]["notes"]
    assert frame_run.notes.height == 2  # the suppressed shipment has no note of heavy
    assert_same_outputs(reference, frame_run, None, None)


def test_an_empty_bl_number_keys_its_unit_by_the_shipment_id_in_both_engines(
    bundled: ProfileSet,
) -> None:
    # The row-wise unit key is "<ref>/B/L <bl_number or shipment_id>"; the columnar one
    # took an empty B/L number as a name ("<ref>/B/L "), so that the two runs' keys, and
    # their outputs, differed.
    shipments = [Shipment(shipment_id=f"M/{n}", manifest_ref="M", bl_number="") for n in (1, 2)]
    profiles = bundled
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    frame_run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert [c.key for c in frame_run.containers] == ["M/B/L M/1", "M/B/L M/2"]
    assert [c.key for c in frame_run.containers] == [c.key for c in reference.containers]


def test_text_is_escaped_in_json_as_json_dumps_escapes_it() -> None:
    from riskprofile.output._frame_files import json_list

    texts = [chr(c) for c in range(0x300)] + ['a\\"b', "\U0001f600", "\u2028", ""]
    table = pl.DataFrame({"text": [*texts, None]})
    expected = json.dumps({"k": [{"text": v} for v in [*texts, None]]}, indent=2,
                          ensure_ascii=False)  # fmt: skip
    assert '{\n  "k": ' + json_list(table, ["text"]) + "\n}" == expected


def test_csv_cells_are_made_safe_as_csv_cell_makes_them() -> None:
    """Every first character up to U+0300 (the formula triggers, the quote, other ASCII,
    characters whose UTF-8 starts with another byte), alone and followed by more text:
    the column-wise cells are ``csv_cell``'s, empty text null."""
    from riskprofile.io import csv_cell
    from riskprofile.output._frame_files import csv_frame

    firsts = [chr(c) for c in range(0x300)] + ["\U0001f600", "\u2028"]
    texts = [*firsts, *(f + rest for f in firsts for rest in ("=1", "x", "-5", "5"))]
    table = pl.DataFrame({"text": [*texts, "", None, "-5", "'=x", "'quoted'"]})
    cells = csv_frame(table, ["text"]).get_column("text").to_list()
    assert cells == [csv_cell(v) or None for v in table.get_column("text").to_list()]


def test_a_frame_run_without_a_batch_writes_no_batch_audit(bundled: ProfileSet) -> None:
    profiles = bundled
    shipments = list(read_batch(EXAMPLE).shipments)[:50]
    reference = score(shipments, profiles, as_of=AS_OF, engine="rowwise")
    frame_run = score_frame(shipment_frame(shipments), profiles, as_of=AS_OF)
    assert frame_run.records_read is None
    assert frame_run.records_accepted is None
    assert output.to_json(frame_run) == output.to_json(reference)


def test_json_put_together_in_many_parts_is_the_same_text(
    seam_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A run's JSON is put together and written some rows at a time; the seams (the comma
    # after every row but the list's last) must not show, however the rows are cut.
    from riskprofile.output import _frame_files

    reference, frame_run, rejected = seam_runs
    chosen = select(reference, capacity="5%", control_rate="1%", seed=7, not_scored=rejected)
    other = select(frame_run, capacity="5%", control_rate="1%", seed=7, not_scored=rejected)
    expected = output.to_json(reference, chosen)
    for rows in (1, 2, 7, len(frame_run) - 1, len(frame_run)):
        monkeypatch.setattr(_frame_files, "_JSON_ROWS", rows)
        assert output.to_json(frame_run, other) == expected, rows
        output.write_output(frame_run, tmp_path / "out.json", selection=other)
        assert (tmp_path / "out.json").read_text(encoding="utf-8") == expected, rows


def test_text_written_to_a_stream_in_parts_is_the_same_text(
    seam_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``write_text`` (standard output) writes the JSON and CSV text some rows at a time,
    each part a write of its own: the same text as ``to_json``/``to_csv``, the row-wise
    run's, however the rows are cut."""
    import io

    from riskprofile.output import _frame_files

    class Parts(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.writes = 0

        def write(self, text: str) -> int:
            self.writes += 1
            return super().write(text)

    reference, frame_run, rejected = seam_runs
    chosen = select(reference, capacity="5%", control_rate="1%", seed=7, not_scored=rejected)
    other = select(frame_run, capacity="5%", control_rate="1%", seed=7, not_scored=rejected)
    cut = output.for_files(dataclasses.replace(frame_run))
    for fmt, whole in (("json", output.to_json), ("csv", output.to_csv)):
        expected = whole(reference, chosen)
        for rows in (1, 7, len(frame_run) - 1, len(frame_run)):
            monkeypatch.setattr(_frame_files, "_JSON_ROWS", rows)
            for run, selection in ((frame_run, other), (cut, other), (reference, chosen)):
                stream = Parts()
                output.write_text(run, stream, selection, format=fmt)
                assert stream.getvalue() == expected, (fmt, rows)
                if rows == 1 and run is not reference:
                    assert stream.writes >= len(frame_run), "not written in parts"
    empty = output.for_files(dataclasses.replace(frame_run))
    with pytest.raises(ValueError, match="unknown text format"):
        output.write_text(empty, io.StringIO(), format="parquet")


SAME_WORDS = {
    "id": "t.words",
    "version": 1,
    "title": "Two indicators, one text",
    "category": "other",
    "owner": "tests",
    "indicators": [
        {"id": "a", "title": "A", "when": "packages > 0", "weight": 30, "explain": "same words"},
        {"id": "b", "title": "B", "when": "packages > 1", "weight": 20,
         "explain": "{packages} packages"},
        {"id": "c", "title": "C", "when": "packages > 2", "weight": 10, "explain": "same words"},
        {"id": "d", "title": "D", "when": "packages > 3", "weight": 5, "explain": "last words"},
    ],
    "bands": [{"min_score": 10, "lane": "blue"}],
}  # fmt: skip


def test_top_reasons_skip_a_text_two_indicators_word_alike(tmp_path: Path) -> None:
    # The top reasons are the three heaviest distinct texts. Sorted by weight, one unit's
    # texts read "same words", "4 packages", "same words", "last words": the third
    # distinct text is the fourth hit's. An LCL container's B/Ls repeat texts too.
    import yaml

    (tmp_path / "words.yaml").write_text(yaml.safe_dump(SAME_WORDS), encoding="utf-8")
    profiles = load_profiles(tmp_path)
    shipments = [
        Shipment(shipment_id=f"M/{n}", manifest_ref="M", bl_number=f"BL{n}",
                 container_number=box, packages=packages)
        for n, (box, packages) in enumerate([
            ("MSKU0000001", 4), ("TGHU0000002", 4), ("TGHU0000002", 4), ("TGHU0000002", 2),
            ("CAIU0000003", 3), ("CAIU0000003", 1), ("BMOU0000004", 2),
        ])
    ]  # fmt: skip
    reference, frame_run = runs(shipments, profiles, [])
    tops = {row["key"]: row["top_reasons"] for row in output.container_rows(frame_run)}
    assert tops["M/MSKU0000001"] == "same words; 4 packages; last words"
    assert tops["M/TGHU0000002"] == "same words; 4 packages; 2 packages"
    assert tops["M/CAIU0000003"] == "same words; 3 packages"
    assert tops["M/BMOU0000004"] == "same words; 2 packages"
    assert_same_outputs(reference, frame_run, None, None)


@PROPERTIES
@given(st.data(), hostile_batches(), rst.profile_sets(), SELECTIONS)
def test_a_run_cut_for_its_files_writes_the_same_files(
    data: st.DataObject,
    shipments: list[Shipment],
    profiles: ProfileSet,
    options: dict[str, Any] | None,
) -> None:
    """``for_files`` keeps only the frame's columns the files read (what needs whole
    shipments - notes, shipments sharing an id - worked out first): the same bytes in
    every format; units shown one by one are refused, not made from a partial frame."""
    rejected = data.draw(rejected_records(shipments))
    reference, frame_run = runs(shipments, profiles, rejected)
    chosen = other = None
    if options is not None:
        chosen = select(reference, not_scored=rejected, **options)
        other = select(frame_run, not_scored=rejected, **options)
    cut = output.for_files(frame_run)
    assert isinstance(cut, FrameRun)
    assert cut.frame is not None
    assert frame_run.frame is not None
    assert set(cut.frame.columns) < set(frame_run.frame.columns)
    assert_same_files(reference, cut, chosen, other)
    if len(reference.containers):
        with pytest.raises(ValueError, match="cut for its files"):
            output.text_table(cut, other, limit=len(reference.containers), unevaluable_warning=1)
    assert output.for_files(reference) is reference


def test_a_run_cut_for_its_files_keeps_the_fields_the_explanations_show(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]], tmp_path: Path
) -> None:
    """Every field a bundled indicator's explanation shows stays in the cut frame; the
    columns no file reads go; the files are the reference run's."""
    from riskprofile.profiles._explain import explanation_fields

    reference, frame_run, _rejected = example_runs
    cut = output.for_files(dataclasses.replace(frame_run))
    assert cut.frame is not None
    kept = set(cut.frame.columns)
    shown = {
        name
        for i in frame_run.indicators.values()
        for name in explanation_fields(i.indicator.explain or i.indicator.title)
    }
    assert shown
    assert shown <= kept
    assert "shipper_address" not in kept
    for fmt in ("json", "csv"):
        assert written(cut, None, tmp_path, fmt) == written(reference, None, tmp_path, fmt)


@pytest.mark.parametrize("threads", [1, 2])
def test_the_container_tables_text_columns_are_made_on_polars_threads_count(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
    threads: int,
) -> None:
    """The container table's text columns (B/Ls, parties, routes, goods, reasons) are
    made as many at a time as Polars has threads (it lets go of the interpreter's lock
    while it works): on worker threads with two, on the calling thread with one; the
    same table either way, the row-wise run's."""
    import threading

    from riskprofile.output import _frame

    reference, frame_run, _rejected = example_runs
    expected = output.to_csv(reference)
    seen: list[str] = []
    original = _frame._joined

    def joined(*args: Any, **kwargs: Any) -> Any:
        seen.append(threading.current_thread().name)
        return original(*args, **kwargs)

    monkeypatch.setattr(_frame, "_joined", joined)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: threads)
    fresh = dataclasses.replace(frame_run)
    assert output.to_csv(fresh) == expected
    assert len(seen) == 5
    if threads == 1:
        assert set(seen) == {threading.current_thread().name}
    else:
        assert all(name.startswith("riskprofile-polars") for name in seen)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_two_files_are_written_side_by_side(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fmt: str,
) -> None:
    """A column-wise run's container and hit files are built and written on two threads
    at once (the hits' file while the container table is still being made: Polars lets
    go of the interpreter's lock); the progress hears of each file as it ends; the files
    are the row-wise run's."""
    import threading

    from riskprofile.output import _frame_files

    reference, frame_run, _rejected = example_runs
    expected = written(reference, None, tmp_path, fmt)
    both = threading.Barrier(2, timeout=20)  # each file waits for the other: side by side
    threads: list[str] = []
    original_csv, original_arrow = _frame_files.write_csv, _frame_files.arrow_table

    def meet(original: Any) -> Any:
        def waiting(*args: Any, **kwargs: Any) -> Any:
            both.wait()
            threads.append(threading.current_thread().name)
            return original(*args, **kwargs)

        return waiting

    monkeypatch.setattr(_frame_files, "write_csv", meet(original_csv))
    monkeypatch.setattr(_frame_files, "arrow_table", meet(original_arrow))
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 2)
    fresh = dataclasses.replace(frame_run)
    assert written(fresh, None, tmp_path, fmt) == expected
    assert len(set(threads)) == 2
    told: list[int] = []
    output.write_output(fresh, tmp_path / f"again.{fmt}", format=fmt, progress=told.append)
    assert told == [1, 2]


def test_the_hits_are_explained_once_beside_the_container_tables_shipment_columns(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Writing a column-wise run's CSV files, the hits are explained (for the hits' file)
    while the container table's columns made from shipments are built (for the other),
    on two threads at once; the container table's reasons, which read the explained hits
    too, wait for them: every hit is explained once, not once per file."""
    import threading

    from riskprofile.output import _frame

    reference, frame_run, _rejected = example_runs
    expected = written(reference, None, tmp_path, "csv")
    both = threading.Barrier(2, timeout=20)
    explained: list[str] = []
    original_explain, original_texts = FrameRun.explained_hits, _frame._unit_texts

    def explain(self: FrameRun, keys: Any = None) -> Any:
        explained.append(threading.current_thread().name)
        both.wait()
        return original_explain(self, keys)

    def unit_texts(*args: Any, **kwargs: Any) -> Any:
        both.wait()
        return original_texts(*args, **kwargs)

    monkeypatch.setattr(FrameRun, "explained_hits", explain)
    monkeypatch.setattr(_frame, "_unit_texts", unit_texts)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 2)
    assert written(dataclasses.replace(frame_run), None, tmp_path, "csv") == expected
    assert len(explained) == 1


def test_the_shipment_texts_of_units_of_several_shipments_are_grouped_once(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The five container columns made from shipment columns (B/Ls, consignees, shippers,
    routes, descriptions) group the shipments of the units of several once, all five
    together, not once per column; the table is still the row-wise run's."""
    reference, frame_run, _rejected = example_runs
    assert frame_run.container_table.get_column("shipment_count").max() > 1  # units of several
    groupings: list[list[str]] = []
    original = pl.DataFrame.group_by

    def group_by(self: Any, *by: Any, **kwargs: Any) -> Any:
        groupings.append(list(self.columns))
        return original(self, *by, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "group_by", group_by)
    monkeypatch.setattr(pl, "thread_pool_size", lambda: 1)
    fresh = dataclasses.replace(frame_run)
    assert output.to_csv(fresh) == output.to_csv(reference)
    shipment_columns = {"bl_numbers", "consignees", "shippers", "routes", "descriptions"}
    grouping_them = [g for g in groupings if shipment_columns & set(g)]
    assert grouping_them == [
        ["rank", "bl_numbers", "consignees", "shippers", "routes", "descriptions"]
    ]


def test_the_shipment_texts_are_grouped_by_a_plain_aggregation(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The grouping of the shipment columns only gathers each unit's texts (what a unit
    does not show, empty or already shown, is made null before, column-wise): an
    aggregation that filters, deduplicates and joins runs group by group, about twice
    the CPU at a million shipments. The table is still the row-wise run's."""
    from polars.dataframe.group_by import GroupBy

    reference, frame_run, _rejected = example_runs
    expected = output.to_csv(reference)
    aggregations: list[list[bool]] = []
    original = GroupBy.agg

    def agg(self: Any, *aggs: Any, **named: Any) -> Any:
        exprs = [e for a in aggs for e in ([a] if isinstance(a, pl.Expr | str) else list(a))]
        names = {e.meta.output_name() for e in exprs if isinstance(e, pl.Expr)}
        if {"consignees", "descriptions"} <= names:
            aggregations.append([e.meta.is_column() for e in exprs])
        return original(self, *exprs, **named)

    monkeypatch.setattr(GroupBy, "agg", agg)
    assert output.to_csv(dataclasses.replace(frame_run)) == expected
    assert aggregations == [[True] * 5]


def test_each_shipments_unit_rank_comes_from_the_roll_up_not_a_join_of_the_keys(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The files place each shipment under its unit by the rank the roll-up's grouping
    gave it (``FrameRun.shipment_ranks``), not by joining every shipment's unit key to
    the container table's (a join of a million texts, about 0.25 s of CPU). The same
    files; a run without the ranks still finds them by the keys."""
    reference, frame_run, _rejected = example_runs
    expected = output.to_csv(reference)
    ranks = frame_run.shipment_ranks
    assert ranks is not None
    assert ranks.len() == frame_run.shipment_scores.height
    joins: list[list[str]] = []
    original = pl.DataFrame.join

    def join(self: Any, other: Any, *args: Any, **kwargs: Any) -> Any:
        joins.append(list(other.columns))
        return original(self, other, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "join", join)
    assert output.to_csv(dataclasses.replace(frame_run)) == expected
    assert ["key", "rank", "shipment_count"] not in joins
    without = dataclasses.replace(frame_run, shipment_ranks=None)
    assert output.to_csv(without) == expected
    assert ["key", "rank", "shipment_count"] in joins


def test_the_units_a_list_shows_are_taken_from_the_frame_without_a_gather(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The few units the top of a list shows are made from one-row slices of the
    frame: no gather of the whole frame by row numbers (at a million shipments read in
    chunks it copied every column first). The list is still the row-wise run's."""
    reference, frame_run, rejected = example_runs
    options: dict[str, Any] = {"capacity": "5%", "control_rate": "1%", "seed": 7}
    expected = output.text_table(reference, select(reference, not_scored=rejected, **options))
    chosen = select(frame_run, not_scored=rejected, **options)
    gathers: list[int] = []
    original = pl.DataFrame.__getitem__

    def getitem(self: Any, key: Any) -> Any:
        if isinstance(key, list) and self.height == frame_run.shipment_scores.height:
            gathers.append(len(key))
        return original(self, key)

    monkeypatch.setattr(pl.DataFrame, "__getitem__", getitem)
    assert output.text_table(dataclasses.replace(frame_run), chosen) == expected
    assert gathers == []


@given(st.lists(st.integers(0, 299), max_size=300))
@settings(max_examples=depth(30), deadline=None, database=None)
def test_rows_of_a_frame_in_chunks_are_its_gathered_rows(rows: list[int]) -> None:
    from riskprofile.output._frame import _rows_of

    frame = pl.concat(
        [
            pl.DataFrame(
                {
                    "n": list(range(start, start + 100)),
                    "text": [f"t{start}"] * 100,
                    "codes": [[str(start)]] * 100,
                }
            )
            for start in (0, 100, 200)
        ],
        rechunk=False,
    )
    assert _rows_of(frame, rows).equals(frame[rows])


def test_a_frame_in_chunks_is_gathered_from_in_one_chunk(
    example_runs: tuple[ScoringRun, FrameRun, list[RejectedRecord]],
    bundled: ProfileSet,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Scoring and writing a frame read in several chunks gather many rows only from
    columns in one chunk: polars gathers from a column in chunks 5-20 times slower (at a
    million shipments about a second of the files' CPU). The files are the same."""
    reference, _frame_run, rejected = example_runs
    whole = read_frame(EXAMPLE).frame.rechunk()
    step = -(-whole.height // 5)
    frame = pl.concat([whole.slice(n * step, step) for n in range(5)], rechunk=False)
    assert frame.n_chunks() == 5
    from_chunks: list[tuple[str, int]] = []  # (column, rows) gathered from several chunks
    series_gather, frame_item = pl.Series.gather, pl.DataFrame.__getitem__

    def gather(self: pl.Series, indices: Any) -> pl.Series:
        if self.n_chunks() > 1 and len(indices) > 256:
            from_chunks.append((self.name, len(indices)))
        return series_gather(self, indices)

    def getitem(self: pl.DataFrame, key: Any) -> Any:
        if isinstance(key, pl.Series | list) and len(key) > 256 and self.n_chunks() > 1:
            from_chunks.append(("<frame>", len(key)))
        return frame_item(self, key)

    monkeypatch.setattr(pl.Series, "gather", gather)
    monkeypatch.setattr(pl.DataFrame, "__getitem__", getitem)
    run = score_frame(frame, bundled, as_of=AS_OF)
    chosen = select(run, not_scored=rejected, capacity="5%", control_rate="1%", seed=3)
    expected = select(reference, not_scored=rejected, capacity="5%", control_rate="1%", seed=3)
    output.write_output(run, tmp_path / "frame.csv", selection=chosen)
    assert from_chunks == []
    output.write_output(reference, tmp_path / "rows.csv", selection=expected)
    for name in ("frame.csv", "frame.hits.csv"):
        assert (tmp_path / name).read_bytes() == (
            tmp_path / name.replace("frame", "rows")
        ).read_bytes()
