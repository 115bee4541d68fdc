"""JSON and JSON Lines batches read column-wise (riskprofile.io._frame._json).

``read_frame`` flattens plain manifest documents into the flat layout's rows and reads
them column-wise; whatever the flat layout would say differently goes through the model
path. Either way the frame and the rejected records are exactly the JSON path's:
``shipment_frame(read_batch(path).shipments)`` and ``read_batch(path).rejected``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum import iso6346

from riskprofile.io import read_batch, read_frame, read_manifests, write_json
from riskprofile.io._frame._json_split import flat_documents
from riskprofile.model import LENIENT
from riskprofile.model.codes import container_number_problem
from riskprofile.model.manifest import Manifest
from tests import strategies as rst
from tests.depth import depth
from tests.io.test_columnar import assert_same_as_models

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "data" / "karachi-sample.csv"


def _without_flags(value: Any) -> Any:
    """A document as a customs system sends it: no ``quality_flags`` of ours."""
    if isinstance(value, dict):
        return {k: _without_flags(v) for k, v in value.items() if k != "quality_flags"}
    if isinstance(value, list):
        return [_without_flags(v) for v in value]
    return value


def _iso6346_numbers(doc: Any) -> Any:
    """The sample with each container number that breaks ISO 6346 replaced by a valid one
    (the sample plants check-digit errors, which JSON and a flat file flag in another
    order: such a batch goes through the model path)."""
    fixed: dict[str, str] = {}

    def valid(number: str) -> str:
        if container_number_problem(number) is None:
            return number
        if number not in fixed:
            base = f"ZZZU{len(fixed):06d}"
            fixed[number] = base + iso6346.calc_check_digit(base)
        return fixed[number]

    def walk(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, key) for v in value]
        if (
            key in ("number", "container_number", "container_numbers")
            and isinstance(value, str)
            and len(value) >= 4
            and not value.startswith("ML-")
        ):
            return valid(value)
        return value

    return walk(doc)


def _sample_documents() -> list[dict[str, Any]]:
    return [
        _iso6346_numbers(_without_flags(m.model_dump(mode="json", exclude_defaults=True)))
        for m in read_manifests(SAMPLE)
    ]


def _write(path: Path, docs: list[Any]) -> Path:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(d, default=str) + "\n" for d in docs), "utf-8")
    else:
        path.write_text(json.dumps(docs, default=str), "utf-8")
    return path


@settings(max_examples=depth(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.one_of(
                rst.manifest_documents(valid=True),
                rst.manifest_documents(valid=False),
                rst.junk_manifest_documents(),
            ),
            st.sampled_from(["V1", "V2", "V3"]),  # two documents may be one vessel call
        ),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["b.jsonl", "b.json"]),
    st.sampled_from(["lenient", "strict"]),
)
def test_json_reads_as_the_model_path_reads_it(
    docs: list[tuple[dict[str, Any], str]], name: str, strictness: str
) -> None:
    written = [dict(doc, voyage_number=voyage) for doc, voyage in docs]
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / name, written)
        got = assert_same_as_models(path, strictness=strictness)
        if got.fallback is None:
            # Only documents read through the model path (whole) can be rejected; some
            # bill or container was read column-wise.
            assert len(got.rejected) <= got.rows_via_models <= got.records_read
            assert len(got.rejected) < got.records_read


@pytest.mark.parametrize("name", ["sample.jsonl", "sample.json"])
def test_plain_manifests_are_read_column_wise(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path / name, _sample_documents())
    got = assert_same_as_models(path)
    assert got.fallback is None
    assert got.rows_via_models == 0
    assert got.records_read == got.manifests == 1
    assert got.frame.height == 361
    assert got.record_unit == ("line" if name.endswith("jsonl") else "manifest")


def _spoilt(change: str) -> list[dict[str, Any]]:
    docs = _sample_documents()
    doc = docs[0]
    bills, boxes = doc["consignments"], doc.get("containers", [])
    if change == "duplicate B/L":
        bills.append(dict(bills[0]))
    elif change == "our flags given in":
        bills[0]["quality_flags"] = []
    elif change == "an unknown key":
        bills[0]["remarks"] = "x"
    elif change == "a number for a text field":
        doc["vessel_imo"] = int(doc["vessel_imo"])
    elif change == "blanks around text":
        bills[0]["port_of_loading"] = " " + bills[0]["port_of_loading"]
    elif change == "null for a list":
        bills[0]["container_numbers"] = None
    elif change == "a goods line with no value":
        bills[0]["goods"].append({"container_number": bills[0]["container_numbers"][0]})
    elif change == "a declared container without equipment":
        named = bills[0]["container_numbers"][0]
        for box in boxes:
            if box["number"] == named:
                for key in list(box):
                    if key != "number":
                        del box[key]
    elif change == "one vessel call twice":
        docs.append({k: v for k, v in doc.items() if k not in ("consignments", "containers")}
                    | {"containers": [{"number": "CSQU3054383"}]})  # fmt: skip
    elif change == "a line that is not JSON":
        docs.append("not json")  # type: ignore[arg-type]
    return docs


@pytest.mark.parametrize(
    "change",
    ["a number for a text field", "one vessel call twice", "a line that is not JSON"],
)
def test_what_the_flat_layout_says_otherwise_of_a_voyage_goes_whole_through_the_models(
    tmp_path: Path, change: str
) -> None:
    docs = _spoilt(change)
    if change == "a line that is not JSON":
        path = tmp_path / "b.jsonl"
        path.write_text(json.dumps(docs[0]) + "\nnot json\n", "utf-8")
    else:
        path = _write(tmp_path / "b.jsonl", docs)
    got = assert_same_as_models(path)
    if change == "a line that is not JSON":  # that line alone: the manifest before it is plain
        assert got.fallback is None
        assert (got.rows_via_models, got.records_read) == (1, 2)
        return
    assert got.fallback is not None
    assert got.fallback.startswith("JSON input: ")
    assert got.rows_via_models == got.records_read


@pytest.mark.parametrize(
    ("change", "bills", "reason"),
    [("duplicate B/L", 2, "a bill of lading number twice"),
     ("our flags given in", 1, "a bill of lading has quality flags given in"),
     ("an unknown key", 1, "a bill of lading is not a plain object"),
     ("blanks around text", 1, "port_of_loading has blanks around it"),
     ("null for a list", 1, "container_numbers is not a list"),
     ("a goods line with no value", 1, "a goods line without a value"),
     ("a declared container without equipment", 1,
      "a declared container without equipment data")],
)  # fmt: skip
def test_what_the_flat_layout_says_otherwise_of_a_bill_routes_only_that_bill(
    tmp_path: Path, change: str, bills: int, reason: str
) -> None:
    """Only the bill (and what it is read with: its containers, a bill of its number)
    goes through the model path; the other 271 bills of the call are read column-wise,
    and the frame is the model path's, each shipment in its place."""
    path = _write(tmp_path / "b.jsonl", _spoilt(change))
    got = assert_same_as_models(path)
    assert got.fallback is None
    assert (got.rows_via_models, got.records_read, got.manifests) == (1, 1, 1)
    split = flat_documents(path, "jsonl")
    assert not split.others
    part = split.parts[1]
    # Bill 0 of the sample names two containers, and no other bill names them.
    assert (part.bills, part.containers) == (bills, 2)
    assert part.reason.startswith(reason)
    assert len(part.fast_at) + len(part.shipments) == got.frame.height
    assert len(part.shipments) == 2 * bills


@pytest.mark.parametrize("name", ["b.jsonl", "b.json"])
def test_a_bill_that_is_not_plain_goes_alone_through_the_models(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other documents of the file, and the other bills of its document, are still
    read column-wise, and the frame is the model path's, in file order (the plain
    documents before and after it)."""
    from riskprofile.model.manifest import Manifest

    (doc,) = _sample_documents()
    bills, boxes = doc["consignments"], doc["containers"]
    # Three vessel calls of the sample's bills and containers, the middle one not plain.
    docs = []
    for n, voyage in enumerate(["V1", "V2", "V3"]):
        part = dict(doc, voyage_number=voyage, consignments=bills[n::3], containers=boxes[n::3])
        docs.append(part)
    docs[1] = dict(docs[1], consignments=[dict(docs[1]["consignments"][0], remarks="x"),
                                          *docs[1]["consignments"][1:]])  # fmt: skip
    path = _write(tmp_path / name, docs)
    validated: list[object] = []
    real = Manifest.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Manifest], obj: object, *args: object, **kwargs: object) -> Manifest:
        validated.append(obj)
        return real(cls, obj, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Manifest, "model_validate", classmethod(counted))
    got = read_frame(path)
    # The column-wise reader checks each call's voyage cells with the model; the only
    # manifest the model reads is the voyage of the middle document with the bill that
    # is not plain (no other bill names its containers).
    read = [v for v in validated if "consignments" in v]  # type: ignore[operator]
    bill = docs[1]["consignments"][0]
    voyage = {k: v for k, v in docs[1].items() if k not in ("consignments", "containers")}
    boxes = [b for b in docs[1]["containers"] if b["number"] in bill["container_numbers"]]
    assert read == [{**voyage, "consignments": [bill], "containers": boxes}]
    monkeypatch.undo()
    assert got.fallback is None
    assert (got.rows_via_models, got.records_read, got.manifests) == (1, 3, 3)
    assert_same_as_models(path)
    voyages = got.frame.get_column("voyage_number").unique(maintain_order=True).to_list()
    assert voyages == ["V1", "V2", "V3"]


def test_strict_json_and_a_mapping_go_through_the_models(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.jsonl", _sample_documents())
    assert assert_same_as_models(path, strictness="strict").fallback == "strict JSON input"
    from riskprofile.errors import InputFormatError
    from riskprofile.io import ColumnMapping

    with pytest.raises(InputFormatError, match="column mapping applies to CSV and Parquet"):
        read_frame(path, mapping=ColumnMapping.identity())
    with pytest.raises(InputFormatError, match="column mapping applies to CSV and Parquet"):
        read_batch(path, mapping=ColumnMapping.identity())


def test_progress_counts_documents(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.jsonl", _sample_documents())
    calls: list[tuple[int, int]] = []
    got = read_frame(path, progress=lambda done, total: calls.append((done, total)))
    assert got.fallback is None
    assert calls[0] == (0, 1)
    assert calls[-1] == (1, 1)


# Flags a record cannot give itself again from what our writer wrote: a value dropped
# (``invalid_value``, ``unknown_field``) is not in the file, a duplicate is the manifest's.
# (A container number off ISO 6346 is flagged in another order by a flat file.)
_NOT_OWN = ("invalid_value", "unknown_field", "duplicate")


def _off_iso(field: str) -> bool:
    return field == "number" or field.startswith("container_number")


@settings(max_examples=depth(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(rst.manifest_documents(valid=True), rst.manifest_documents(valid=False)),
        min_size=1,
        max_size=3,
    ),
    st.sampled_from(["b.jsonl", "b.json"]),
)
def test_what_our_writer_writes_is_read_column_wise(docs: list[dict[str, Any]], name: str) -> None:
    """``write_json`` writes each record's own quality flags (an ISO 6346 check digit, an
    unknown country...); they never send a document to the model path, and the batch
    reads as the model path reads it."""
    manifests = []
    for k, doc in enumerate(docs):
        manifest = Manifest.model_validate(dict(doc, voyage_number=f"V{k}"), context=LENIENT)
        flags = [f for r in _records(manifest) for f in r.quality_flags]
        assume(not any(f.code in _NOT_OWN or _off_iso(f.field) for f in flags))
        assume(manifest.consignments or manifest.containers)
        manifests.append(manifest)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        write_json(manifests, path)
        assert_same_as_models(path, strictness="lenient")
        # Other things the flat layout says otherwise (a goods line with no value...)
        # may still route a document; the flags our writer wrote never do.
        fmt = "jsonl" if name.endswith("jsonl") else "json"
        reasons = flat_documents(path, fmt).others.values()
        assert not [r for r in reasons if "plain object" in r or "quality flags" in r]


def _records(manifest: Manifest) -> list[Any]:
    out: list[Any] = [manifest, *manifest.containers, *manifest.consignments]
    for box in manifest.containers:
        out += box.seals
    for bill in manifest.consignments:
        out += [*bill.goods, bill.shipper, bill.consignee, bill.notify_party, bill.freight_payer]
    return [r for r in out if r is not None]
