"""JSON documents routed below the document (riskprofile.io._frame._json_split).

A bill of lading or container the flat layout would say otherwise goes through the
model path with what it is read with (its containers, the bills that name them, a bill
of its number); the rest of its document is read column-wise. Whatever is routed, the
frame, the rejected records and the counts are the model path's: a hypothesis
differential test over random documents with planted problems.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from riskprofile.errors import DataError
from riskprofile.io import read_batch, read_frame, write_json
from riskprofile.io._frame._json_split import flat_documents
from riskprofile.model import LENIENT
from riskprofile.model.frame import shipment_frame
from riskprofile.model.manifest import Manifest
from tests import strategies as rst
from tests.depth import depth
from tests.io.test_columnar import assert_same_as_models

# What each planted problem does to a document; ``pick`` chooses the record.
PROBLEMS = (
    "duplicate B/L",
    "container off ISO 6346",
    "container listed off ISO 6346",
    "bad issue date",
    "bad arrival",
    "goods value dropped",
    "unknown key on a bill",
    "unknown key on a container",
    "invalid code on a bill",
    "declared twice",
    "bill without a number",
    "goods line without a value",
    "custom field",
)


def _plant(doc: dict[str, Any], problem: str, pick: int, draw: st.DrawFn) -> None:
    bills: list[dict[str, Any]] = doc.setdefault("consignments", [])
    boxes: list[dict[str, Any]] = doc.setdefault("containers", [])
    bill = bills[pick % len(bills)] if bills else None
    box = boxes[pick % len(boxes)] if boxes else None
    if problem == "duplicate B/L" and bill is not None:
        bills.insert(draw(st.integers(0, len(bills))), copy.deepcopy(bill))
    elif problem == "container off ISO 6346" and box is not None:
        # The declaration and every bill naming it.
        bad = draw(rst.invalid_values("container_number"))
        old = box["number"]
        box["number"] = bad
        for b in bills:
            listed = b.get("container_numbers", [])
            b["container_numbers"] = [bad if n == old else n for n in listed]
            for g in b.get("goods", []):
                if g.get("container_number") == old:
                    g["container_number"] = bad
    elif problem == "container listed off ISO 6346" and bill is not None:
        bad = draw(rst.bad_check_digit_container_numbers())
        bill.setdefault("container_numbers", []).append(bad)
    elif problem == "bad issue date" and bill is not None:
        bill["issue_date"] = draw(st.sampled_from(["2026-02-30", "yesterday", "31/12/2025"]))
    elif problem == "bad arrival":
        doc["arrival"] = "2026-13-01T00:00:00Z"
    elif problem == "goods value dropped" and bill is not None:
        goods = bill.setdefault("goods", [])
        goods.append({"description": "PARTS", "value": draw(rst.unparseable_numbers())})
    elif problem == "unknown key on a bill" and bill is not None:
        bill["remarks_unknown"] = "x"
    elif problem == "unknown key on a container" and box is not None:
        box["remarks_unknown"] = "x"
    elif problem == "invalid code on a bill" and bill is not None:
        bill["port_of_loading"] = draw(rst.invalid_values("locode"))
    elif problem == "declared twice" and box is not None:
        boxes.append(copy.deepcopy(box))
    elif problem == "bill without a number" and bill is not None:
        bill["bl_number"] = draw(st.sampled_from(["", "   ", None]))
    elif problem == "custom field" and bill is not None:
        # A type of its own on a bill or two: the model path refuses a field of two types.
        value = draw(st.one_of(st.integers(0, 99), st.sampled_from(["A", "B"]),
                               st.just({"date": "2026-10-12"})))  # fmt: skip
        bill["extra"] = {"f": value}
    elif problem == "goods line without a value" and bill is not None:
        numbers = bill.get("container_numbers") or [None]
        bill.setdefault("goods", []).append({"container_number": numbers[0]})


@st.composite
def planted_documents(draw: st.DrawFn, voyage: str) -> dict[str, Any]:
    """A vessel call of several random manifests' bills and containers (some shared
    container numbers, some bills of one number) with up to three problems planted."""
    parts = draw(st.lists(rst.manifest_documents(valid=True), min_size=1, max_size=3))
    doc = {k: v for k, v in parts[0].items() if k not in ("consignments", "containers")}
    doc["voyage_number"] = voyage
    doc["consignments"] = [b for p in parts for b in p.get("consignments", [])]
    doc["containers"] = [c for p in parts for c in p.get("containers", [])]
    for problem in draw(st.lists(st.sampled_from(PROBLEMS), max_size=3)):
        _plant(doc, problem, draw(st.integers(0, 50)), draw)
    return {k: v for k, v in doc.items() if v != []}


def _written(path: Path, docs: list[dict[str, Any]], ours: bool) -> Path:
    """The documents as a customs system sends them, or as ``write_json`` writes
    their lenient manifests (with the quality flags of each record, the manifest's
    ``duplicate`` flags over its bills among them)."""
    if ours:
        manifests = []
        for doc in docs:
            try:
                manifests.append(Manifest.model_validate(doc, context=LENIENT))
            except ValueError:
                continue  # rejected: what a customs system sent, nothing of ours
        if manifests:
            write_json(manifests, path)
            return path
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), "utf-8")
    else:
        path.write_text(json.dumps(docs), "utf-8")
    return path


def _model_path_error(path: Path) -> str | None:
    try:
        shipment_frame(read_batch(path).shipments)
    except DataError as exc:
        return str(exc)
    return None


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(["V1", "V2", "V3"]), min_size=1, max_size=2, unique=True).flatmap(
        lambda voyages: st.tuples(*[planted_documents(v) for v in voyages])
    ),
    st.sampled_from(["b.jsonl", "b.json"]),
    st.booleans(),
)
def test_routed_bills_and_containers_read_as_the_model_path_reads_them(
    docs: tuple[dict[str, Any], ...], name: str, ours: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = _written(Path(tmp) / name, list(docs), ours)
        refused = _model_path_error(path)
        if refused is not None:
            # A custom field of two types: the model path's error, word for word.
            with pytest.raises(DataError, match=re.escape(refused)):
                read_frame(path)
            return
        got = assert_same_as_models(path, strictness="lenient")
        fmt = "jsonl" if name.endswith("jsonl") else "json"
        split = flat_documents(path, fmt)
        # A document is read whole, in part or not at all by the model path.
        assert set(split.parts).isdisjoint(split.others)
        event(f"documents in part through the models: {len(split.parts)}")
        event(f"whole through the models: {len(split.others)}")
        if got.fallback is None:
            assert got.rows_via_models == len(split.parts) + len(split.others)
        for part in split.parts.values():
            # Each shipment in one place; some of the document was read column-wise.
            places = sorted([*part.at, *part.fast_at])
            assert places == list(range(len(places)))
            assert part.fast_at
