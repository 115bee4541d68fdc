"""The run file: write_run/read_run round-trip a ScoringRun, refuse what is not a run file
of a known version, and match the published JSON Schema."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import riskprofile as rp
from riskprofile.errors import InputFormatError
from riskprofile.io import FieldProblem, RejectedRecord
from riskprofile.output import to_json
from riskprofile.profiles import ProfileSet
from riskprofile.scoring import RUN_VERSION, read_run, run_schema, write_run
from tests import strategies as rst
from tests.depth import depth

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
SCHEMA_FILE = ROOT / "docs" / "schemas" / "scoring-run-1.schema.json"


@pytest.fixture(scope="module")
def bundled() -> ProfileSet:
    return rp.load_profiles(bundled=True)


def _assert_same_run(back: rp.ScoringRun, run: rp.ScoringRun) -> None:
    """Equal, field by field where a user reads it (the message then says which)."""
    for field in dataclasses.fields(rp.ScoringRun):
        if field.compare:
            assert getattr(back, field.name) == getattr(run, field.name), field.name
    for mine, theirs in zip(back.shipments, run.shipments, strict=True):
        assert mine.shipment.model_dump() == theirs.shipment.model_dump()
        assert mine.hits == theirs.hits
        assert mine.profiles == theirs.profiles
    assert [c.key for c in back.containers] == [c.key for c in run.containers]
    assert back == run


@settings(
    max_examples=depth(25), deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip
@given(
    profiles=rst.profile_sets(max_profiles=2),
    shipments=st.lists(st.one_of(rst.rule_shipments(), rst.shipments(valid=False)), max_size=6),
)
def test_read_of_write_is_the_run(profiles: ProfileSet, shipments: list[rp.Shipment]) -> None:
    run = rp.score(shipments, profiles, as_of=rst.RULE_AS_OF, include_drafts=True)
    text = write_run(run)
    back = read_run(text)
    _assert_same_run(back, run)
    assert write_run(back) == text  # and the same bytes again


def test_a_batch_run_keeps_its_account_and_rejected_records(
    bundled: ProfileSet, tmp_path: Path
) -> None:
    batch = rp.read_batch(SAMPLE)
    rejected = [RejectedRecord(str(SAMPLE), 7, (FieldProblem("hs_code", "12", "too short"),
                                                FieldProblem(None, None, "no B/L")),
                               ("MSCU1234565",), ("BL1",))]  # fmt: skip
    batch = dataclasses.replace(batch, rejected=rejected, records_read=batch.records_read + 1)
    for engine in ("rowwise", "columnar"):
        run = rp.score(batch, bundled, as_of="2026-11-02", engine=engine)
        back = read_run(write_run(run, tmp_path / "run.json"))
        _assert_same_run(back, run)
        assert read_run(tmp_path / "run.json") == run
        assert back.rejected == tuple(rejected)
        assert back.records_accepted == run.records_accepted


def test_decimals_are_written_as_canonical_text(bundled: ProfileSet) -> None:
    one = rp.Shipment(shipment_id="A", declared_value=Decimal("18619.34"))
    other = rp.Shipment(shipment_id="A", declared_value=Decimal("18619.340000000000000000"))
    texts = [write_run(rp.score([s], bundled, as_of="2026-11-02")) for s in (one, other)]
    assert texts[0] == texts[1]
    assert '"declared_value": "18619.34"' in texts[0]


def test_the_document_matches_the_published_schema(bundled: ProfileSet) -> None:
    run = rp.score(SAMPLE, bundled, as_of="2026-11-02")
    doc = json.loads(write_run(run))
    assert (doc["format"], doc["version"]) == ("riskprofile.scoring-run", RUN_VERSION)
    jsonschema.Draft202012Validator.check_schema(run_schema())
    jsonschema.validate(doc, run_schema(), cls=jsonschema.Draft202012Validator)
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    current = run_schema()
    stale = (
        "docs/schemas/scoring-run-1.schema.json is stale: "
        "python -c 'import json, riskprofile.scoring as s; print(json.dumps(s.run_schema(), "
        "indent=2))' > docs/schemas/scoring-run-1.schema.json"
    )
    # The shipment's fields grow with the field catalogue: a file of version 1 must stay
    # readable, so none of its fields may go (that would be version 2); the rest is exact.
    shipment, published_shipment = (s["$defs"].pop("Shipment") for s in (current, published))
    assert set(published_shipment["properties"]) <= set(shipment["properties"]), (
        "a Shipment field the run file of version 1 holds was removed: a new version"
    )
    assert published == current, stale


def _doc(bundled: ProfileSet) -> dict[str, object]:
    run = rp.score([rp.Shipment(shipment_id="A")], bundled, as_of="2026-11-02")
    doc: dict[str, object] = json.loads(write_run(run))
    return doc


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_an_unknown_version_is_refused(bundled: ProfileSet, version: object) -> None:
    doc = {**_doc(bundled), "version": version}
    with pytest.raises(InputFormatError, match=r"version .* is not one this riskprofile reads"):
        read_run(json.dumps(doc))


def test_a_report_is_not_a_run_file(bundled: ProfileSet, tmp_path: Path) -> None:
    run = rp.score([rp.Shipment(shipment_id="A")], bundled, as_of="2026-11-02")
    path = tmp_path / "report.json"
    path.write_text(to_json(run), encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"report\.json: not a run file"):
        read_run(path)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"as_of": "yesterday"}, "as_of"),
        ({"shipments": [{"shipment": {}}]}, "shipments.0.hits"),
        ({"containers": [{"key": "k", "container_number": None, "shipments": [5],
                          "score": "0", "lane": "green", "forced": []}]},
         "containers.0.shipments names a shipment past"),
        ({"unknown": 1}, "unknown"),
    ],
)  # fmt: skip
def test_a_malformed_run_file_names_where(
    bundled: ProfileSet, change: dict[str, object], where: str
) -> None:
    with pytest.raises(InputFormatError, match=f"not a valid run file: {where}"):
        read_run(json.dumps({**_doc(bundled), **change}))
