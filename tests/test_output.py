"""Outputs of a scoring run: the two tidy tables, the files, the terminal and HTML views."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from riskprofile import output
from riskprofile.model import Shipment
from riskprofile.output import CONTAINER_COLUMNS, HIT_COLUMNS
from riskprofile.profiles import ProfileSet, load_profiles
from riskprofile.scoring import ScoringRun, score
from riskprofile.selection import Selection, select

PROFILE = {
    "id": "t.out",
    "version": 2,
    "title": "Output test profile",
    "category": "other",
    "owner": "tests",
    "indicators": [
        {"id": "watched", "title": "Watched consignee", "when": 'consignee_name == "ZETA & CO"',
         "weight": 5, "lane": "red", "explain": "consignee {consignee_name} is watched"},
        {"id": "reefer", "title": "Reefer", "when": 'container_type == "reefer"', "weight": 30,
         "explain": "reefer {container_number}"},
        {"id": "hub", "title": "Hub", "when": "transshipment_count >= 1", "weight": 12.5,
         "explain": "transshipped at {transshipment_ports}"},
        {"id": "heavy", "title": "Heavy", "when": "goods_gross_weight_kg > 20000", "weight": 10},
        {"id": "aeo", "title": "AEO", "when": "consignee_aeo == true", "weight": -5},
    ],
    "bands": [{"min_score": 40, "lane": "yellow"}, {"min_score": 10, "lane": "blue"}],
}  # fmt: skip


def _ship(sid: str, box: str | None, bl: str, **fields: Any) -> Shipment:
    fields.setdefault("goods_gross_weight_kg", 1000.0)
    return Shipment(
        shipment_id=f"9321483/0425W/{sid}",
        manifest_ref="9321483/0425W",
        bl_number=bl,
        container_number=box,
        **fields,
    )


SHIPMENTS = [
    # An LCL box: two B/Ls, one reefer-and-hub (42.5, yellow), one hub only (12.5).
    _ship("BL1/MSKU0000001", "MSKU0000001", "BL1", container_type="reefer",
          transshipment_count=1, transshipment_ports=["AEJEA"], port_of_loading="ECGYE",
          port_of_discharge="PKKHI", shipper_name="GLOBAL FRUITS SA",
          consignee_name="ALPHA TRADING", hs_codes=["08039010"],
          description="FRESH BANANAS IN CARTONS"),
    _ship("BL2/MSKU0000001", "MSKU0000001", "BL2", transshipment_count=2,
          transshipment_ports=["SGSIN", "AEJEA"]),
    # Forced red, 5 points, and its goods weight unknown: a note.
    _ship("BL3/TGHU0000002", "TGHU0000002", "BL3", consignee_name="ZETA & CO",
          goods_gross_weight_kg=None),
    # Blue: 12.5 + 10 - 5.
    _ship("BL4/CSQU0000003", "CSQU0000003", "BL4", transshipment_count=1,
          transshipment_ports=["PAMIT"], consignee_aeo=True, goods_gross_weight_kg=25000.0),
    # A B/L without a container, green.
    _ship("BL5/-", None, "BL5"),
    # Green.
    _ship("BL6/CSQU0000004", "CSQU0000004", "BL6"),
]  # fmt: skip


@pytest.fixture(scope="module")
def profiles(tmp_path_factory: pytest.TempPathFactory) -> ProfileSet:
    folder = tmp_path_factory.mktemp("profiles")
    (folder / "out.yaml").write_text(yaml.safe_dump(PROFILE), encoding="utf-8")
    return load_profiles(folder)


@pytest.fixture(scope="module")
def run(profiles: ProfileSet) -> ScoringRun:
    return score(SHIPMENTS, profiles, as_of=dt.date(2026, 11, 2))


@pytest.fixture(scope="module")
def selection(run: ScoringRun) -> Selection:
    return select(run, capacity=2, control_rate="40%", seed=3, control_on_top=True)


# --- tables --------------------------------------------------------------------------------


def test_column_orders() -> None:
    assert CONTAINER_COLUMNS == (
        "rank", "key", "container_number", "bl_numbers", "lane", "score", "forced_lane",
        "selected", "reason", "hit_count", "top_reasons", "forced_reasons", "notes",
        "action", "consignees", "shippers", "routes", "hs_codes", "descriptions", "profile_ids",
    )  # fmt: skip
    assert HIT_COLUMNS == (
        "key", "container_number", "bl_number", "shipment_id", "profile_id",
        "profile_version", "indicator_id", "title", "weight", "forced_lane", "explanation",
    )  # fmt: skip


def test_container_rows_in_rank_order(run: ScoringRun) -> None:
    rows = output.container_rows(run)
    assert all(tuple(r) == CONTAINER_COLUMNS for r in rows)
    assert [(r["rank"], r["container_number"], r["lane"], r["score"]) for r in rows] == [
        (1, "TGHU0000002", "red", 5),
        (2, "MSKU0000001", "yellow", 42.5),
        (3, "CSQU0000003", "blue", 17.5),
        (4, None, "green", 0),
        (5, "CSQU0000004", "green", 0),
    ]
    red, lcl, blue, no_box, _ = rows
    assert red["forced_lane"] == "red"
    assert red["forced_reasons"] == "red: t.out/watched (consignee ZETA & CO is watched)"
    assert red["notes"].startswith("t.out/heavy: cannot be evaluated")
    assert (red["selected"], red["reason"]) == (False, None)
    assert lcl["bl_numbers"] == "BL1;BL2"
    assert lcl["hit_count"] == 3
    # Highest weights first, the same explanation once, at most three.
    assert lcl["top_reasons"] == (
        "reefer MSKU0000001; transshipped at AEJEA; transshipped at SGSIN, AEJEA"
    )
    assert isinstance(blue["score"], float)
    assert isinstance(red["score"], int)
    assert no_box["key"] == "9321483/0425W/B/L BL5"
    assert no_box["bl_numbers"] == "BL5"
    assert (no_box["hit_count"], no_box["top_reasons"], no_box["notes"]) == (0, "", "")


def test_container_rows_with_a_selection_list_the_selected_first(
    run: ScoringRun, selection: Selection
) -> None:
    assert [(s.reason, s.container.container_number) for s in selection.selected][:2] == [
        ("forced", "TGHU0000002"),
        ("score", "MSKU0000001"),
    ]
    rows = output.container_rows(run, selection)
    chosen = len(selection.selected)
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    assert [r["key"] for r in rows[:chosen]] == [s.container.key for s in selection.selected]
    assert all(r["selected"] for r in rows[:chosen])
    assert not any(r["selected"] for r in rows[chosen:])
    assert [r["reason"] for r in rows[:chosen]] == [s.reason for s in selection.selected]
    assert all(r["reason"] is None for r in rows[chosen:])
    assert "control" in [r["reason"] for r in rows]


def test_hit_rows_one_per_hit_in_rank_order(run: ScoringRun) -> None:
    rows = output.hit_rows(run)
    assert all(tuple(r) == HIT_COLUMNS for r in rows)
    seen = [(r["container_number"], r["bl_number"], r["indicator_id"], r["weight"]) for r in rows]
    assert seen == [
        ("TGHU0000002", "BL3", "watched", 5),
        ("MSKU0000001", "BL1", "reefer", 30),
        ("MSKU0000001", "BL1", "hub", 12.5),
        ("MSKU0000001", "BL2", "hub", 12.5),
        ("CSQU0000003", "BL4", "hub", 12.5),
        ("CSQU0000003", "BL4", "heavy", 10),
        ("CSQU0000003", "BL4", "aeo", -5),
    ]  # fmt: skip
    first = rows[0]
    assert first["key"] == "9321483/0425W/TGHU0000002"
    assert first["shipment_id"] == "9321483/0425W/BL3/TGHU0000002"
    assert (first["profile_id"], first["profile_version"]) == ("t.out", 2)
    assert (first["title"], first["forced_lane"]) == ("Watched consignee", "red")
    assert first["explanation"] == "consignee ZETA & CO is watched"


# --- files ---------------------------------------------------------------------------------


def test_json_carries_the_audit_and_both_tables(
    run: ScoringRun, selection: Selection, profiles: ProfileSet, tmp_path: Path
) -> None:
    (path,) = output.write_output(run, tmp_path / "run.json", selection=selection)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert list(doc) == ["audit", "containers", "hits"]
    assert doc["audit"] == {
        "as_of": "2026-11-02T00:00:00+00:00",
        "profiles": [{"id": "t.out", "version": 2, "fingerprint": profiles["t.out"].fingerprint}],
        "skipped_profiles": {},
        "containers": 5,
        "shipments": 6,
        "unevaluable": {"t.out/heavy": {"units": 1, "share": 0.2}},
        "capacity": 2,
        "control_rate": 0.4,
        "seed": 3,
        "capacity_lanes": ["red", "yellow"],
        "control_on_top": True,
        "selected": len(selection.selected),
        "left_out": [c.key for c in selection.left_out],
        "documentary": [c.key for c in selection.documentary],
        "not_scored": [],
        "warnings": [],
    }
    assert doc["containers"] == output.container_rows(run, selection)
    assert doc["hits"] == output.hit_rows(run)
    assert path.read_text(encoding="utf-8") == output.to_json(run, selection)
    # Without a selection, the audit has no selection keys.
    assert set(json.loads(output.to_json(run))["audit"]) == {
        "as_of", "profiles", "skipped_profiles", "containers", "shipments", "unevaluable",
    }  # fmt: skip


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def test_csv_round_trips(run: ScoringRun, selection: Selection, tmp_path: Path) -> None:
    written = output.write_output(run, tmp_path / "out.csv", selection=selection)
    assert written == [tmp_path / "out.csv", tmp_path / "out.hits.csv"]
    for path, rows, columns in (
        (written[0], output.container_rows(run, selection), CONTAINER_COLUMNS),
        (written[1], output.hit_rows(run), HIT_COLUMNS),
    ):
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert tuple(reader.fieldnames or ()) == columns
            back = list(reader)
        assert back == [{c: _text(r[c]) for c in columns} for r in rows]
    assert b"\r\n" not in written[0].read_bytes()


def test_parquet_round_trips_with_the_audit(
    run: ScoringRun, selection: Selection, tmp_path: Path
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    written = output.write_output(run, tmp_path / "out.parquet", selection=selection)
    assert written == [tmp_path / "out.parquet", tmp_path / "out.hits.parquet"]
    containers = pq.read_table(written[0])
    hits = pq.read_table(written[1])
    assert tuple(containers.column_names) == CONTAINER_COLUMNS
    assert tuple(hits.column_names) == HIT_COLUMNS
    assert containers.to_pylist() == output.container_rows(run, selection)
    assert hits.to_pylist() == output.hit_rows(run)
    audit = json.loads(containers.schema.metadata[b"riskprofile.audit"])
    assert audit["as_of"] == "2026-11-02T00:00:00+00:00"
    assert audit["seed"] == 3


def test_parquet_without_hits_still_has_the_columns(profiles: ProfileSet, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    quiet = score([SHIPMENTS[-1]], profiles, as_of=dt.date(2026, 11, 2))
    _, hits_path = output.write_output(quiet, tmp_path / "q.parquet")
    hits = pq.read_table(hits_path)
    assert (tuple(hits.column_names), hits.num_rows) == (HIT_COLUMNS, 0)


def test_format_overrides_the_suffix_and_unknown_formats_fail(
    run: ScoringRun, tmp_path: Path
) -> None:
    (path,) = output.write_output(run, tmp_path / "run.txt", format="json")
    assert json.loads(path.read_text(encoding="utf-8"))["audit"]["containers"] == 5
    with pytest.raises(ValueError, match="unknown output format 'xlsx'"):
        output.write_output(run, tmp_path / "run.xlsx")


def test_files_are_byte_identical_for_the_same_run(profiles: ProfileSet, tmp_path: Path) -> None:
    contents = []
    for attempt in ("a", "b"):
        again = score(list(reversed(SHIPMENTS)), profiles, as_of=dt.date(2026, 11, 2))
        chosen = select(again, capacity=2, control_rate="40%", seed=3, control_on_top=True)
        folder = tmp_path / attempt
        folder.mkdir()
        paths = output.write_output(again, folder / "r.json", selection=chosen)
        paths += output.write_output(again, folder / "r.csv", selection=chosen)
        contents.append([p.read_bytes() for p in paths])
    assert contents[0] == contents[1]


# --- terminal and notebooks ----------------------------------------------------------------


def test_text_table_warns_of_indicators_it_could_not_evaluate(
    run: ScoringRun, selection: Selection
) -> None:
    # The fixture's heavy indicator cannot be evaluated on one unit of five: above 5 %.
    lines = output.text_table(run, selection, width=120).splitlines()
    assert lines[4] == (
        "warning: t.out/heavy could not be evaluated on 1 of 5 units (20.0%): it hits none "
        "of them (see the notes)"
    )
    assert lines[5] == ""
    assert "warning" not in output.text_table(run, selection, unevaluable_warning=0.2)


def test_text_table_shows_the_summary_and_the_selection_counts(
    run: ScoringRun, selection: Selection
) -> None:
    text = output.text_table(run, selection, width=120, unevaluable_warning=1.0)
    lines = text.splitlines()
    assert lines[:4] == [
        "5 containers scored as of 2026-11-02 with 1 profiles: 1 red, 1 yellow, 1 blue, 2 green",
        "selected 4 (capacity 2 for red and yellow): 1 forced, 1 by score, 2 control sample "
        "on top of capacity",
        "0 red or yellow containers left out",
        "1 blue containers listed apart for documentary checks",
    ]
    assert lines[4] == ""
    assert lines[5] == "  1  TGHU0000002  red (forced)  score 5  forced"
    assert "  2  MSKU0000001  yellow  score 42.5  score" in lines
    # Blue is listed apart, one line each, after the list.
    title = "listed apart for documentary checks (blue), not for physical inspection:"
    apart = lines.index(title)
    assert lines[apart + 1].split() == ["CSQU0000003", "score", "17.5", "B/L", "BL4", "profiles",
                                        "t.out"]  # fmt: skip


def test_the_list_shows_who_where_what_and_which_profiles(
    run: ScoringRun, selection: Selection
) -> None:
    text = output.text_table(run, selection, width=100)
    block = text.split("\n\n")[2]  # the yellow LCL box, by score
    assert block.splitlines() == [
        "  2  MSKU0000001  yellow  score 42.5  score",
        "    B/L BL1; consignee ALPHA TRADING; shipper GLOBAL FRUITS SA",
        "      route ECGYE -> AEJEA -> PKKHI",
        "      HS 08039010: FRESH BANANAS IN CARTONS",
        "    B/L BL2; consignee (none); shipper (none)",
        "      route ? -> SGSIN -> AEJEA -> ?",
        "      HS (none): (no description)",
        "    profiles t.out",
        "    why reefer MSKU0000001; transshipped at AEJEA; transshipped at SGSIN, AEJEA",
    ]
    row = next(r for r in output.container_rows(run, selection) if r["key"].endswith("0001"))
    assert (row["consignees"], row["shippers"], row["hs_codes"]) == (
        "ALPHA TRADING", "GLOBAL FRUITS SA", "08039010"
    )  # fmt: skip
    assert row["routes"] == "ECGYE -> AEJEA -> PKKHI; ? -> SGSIN -> AEJEA -> ?"
    assert (row["descriptions"], row["profile_ids"], row["action"]) == (
        "FRESH BANANAS IN CARTONS", "t.out", "inspect"
    )  # fmt: skip
    actions = {r["container_number"]: r["action"] for r in output.container_rows(run, selection)}
    assert actions["CSQU0000003"] == "documentary"
    assert all(r["action"] is None for r in output.container_rows(run))


@pytest.mark.parametrize("details", [False, True])
def test_reasons_are_wrapped_to_the_width_never_inside_a_word(
    run: ScoringRun, selection: Selection, details: bool
) -> None:
    wide = output.text_table(run, selection, width=400, details=details)
    for width in range(40, 130, 7):
        text = output.text_table(run, selection, width=width, details=details)
        # Wrapping changes only where lines break: the same words in the same order.
        assert text.split() == wide.split()
        for line in text.splitlines():
            assert len(line) <= width or len(line.split()) == 1 or " " not in line.strip()


def test_details_show_every_hit(run: ScoringRun, selection: Selection) -> None:
    text = " ".join(output.text_table(run, selection, details=True, width=50).split())
    short = " ".join(output.text_table(run, selection, width=50).split())
    for item in selection.selected:
        container = next(c for c in run.containers if c.key == item.container.key)
        for h in container.hits:
            assert f"{h.profile_id}/{h.indicator_id} " in text
            assert " ".join(h.explanation.split()) in text
    assert "t.out/hub (+12.5; B/L BL2): transshipped at SGSIN, AEJEA" in text
    assert "t.out/watched (+5, forces red; B/L BL3): consignee ZETA & CO is watched" in text
    assert "t.out/hub" not in short


def test_text_table_without_selection_lists_the_non_green(run: ScoringRun) -> None:
    text = output.text_table(run, unevaluable_warning=1.0)
    assert "selected" not in text.splitlines()[1]
    heads = [line.split()[1] for line in text.splitlines() if line[:5].strip().isdigit()]
    assert heads == ["TGHU0000002", "MSKU0000001", "CSQU0000003"]


def test_text_table_limit_and_warnings(run: ScoringRun) -> None:
    over = select(run, capacity=0)
    text = output.text_table(run, over, limit=0)
    assert "warning: 1 containers are forced to inspection" in text
    assert "\n... 1 more\n" in text
    assert output.text_table(run, limit=1).rstrip("\n").endswith("... 2 more")


def test_skipped_profiles_are_listed_in_the_summary(run: ScoringRun) -> None:
    import dataclasses

    skipped = dataclasses.replace(run, skipped_profiles={"t.old": "expired on 2026-06-30"})
    lines = output.text_table(skipped).splitlines()
    assert lines[1] == "profiles not scored: t.old (expired on 2026-06-30)"


def test_html_views_show_the_container_numbers(run: ScoringRun, selection: Selection) -> None:
    page = run._repr_html_()
    assert page.startswith("<p>&lt;ScoringRun 5 containers")
    for number in ("TGHU0000002", "MSKU0000001", "CSQU0000003"):
        assert number in page
    assert "CSQU0000004" not in page  # green is not listed
    assert "ZETA &amp; CO" in page  # escaped
    listing = selection._repr_html_()
    assert "<table " in listing
    for s in selection.selected:
        assert str(s.container.container_number or "") in listing
    warned = select(run, capacity=0)._repr_html_()
    assert "<b>warning:</b> 1 containers are forced" in warned


def test_to_pandas(run: ScoringRun, selection: Selection) -> None:
    pytest.importorskip("pandas")
    containers, hits = output.to_pandas(run, selection)
    assert tuple(containers.columns) == CONTAINER_COLUMNS
    assert tuple(hits.columns) == HIT_COLUMNS
    assert len(containers) == 5
    assert len(hits) == 7


def test_to_polars(run: ScoringRun, selection: Selection) -> None:
    pytest.importorskip("polars")
    containers, hits = output.to_polars(run, selection)
    assert tuple(containers.columns) == CONTAINER_COLUMNS
    assert tuple(hits.columns) == HIT_COLUMNS
    assert containers.height == 5
    assert hits.height == 7
