"""``riskprofile data convert`` from JSON and JSON Lines to CSV and Parquet, column-wise
(``riskprofile.io._frame._convert_from_json``): the bytes, messages and exit code of the
model path (``--engine rowwise``) on random documents with planted problems: bills of
lading and containers that go to the model path below the document, documents that go
whole (not JSON, not an object, two of one vessel call, rejected), vessel calls the flat
converter routes (a sealer the model repairs), custom fields, many slices."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from riskprofile.cli import main
from riskprofile.io import write_json
from riskprofile.io._frame import _convert_from_json, _reader
from riskprofile.synth import generate_manifests
from tests import strategies as rst
from tests.depth import depth
from tests.io.test_json_routing import _written, planted_documents

_NOTE = "riskprofile: note: data convert: "


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _same_as_rowwise(path: Path, target: str, *extra: str) -> tuple[int, str, str]:
    """Converts ``path`` both ways; asserts the same bytes, output, messages (but the
    notes of which path ran) and exit code; returns the column-wise run's."""
    a, b = path.with_name(f"columnar{target}"), path.with_name(f"rowwise{target}")
    got = _run(["data", "convert", str(path), str(a), *extra])
    expected = _run(["data", "convert", str(path), str(b), *extra, "--engine", "rowwise"])
    said = "".join(line for line in got[2].splitlines(keepends=True) if not line.startswith(_NOTE))
    assert (got[0], got[1], said) == (expected[0], expected[1].replace(str(b), str(a)), expected[2])
    assert a.read_bytes() == b.read_bytes()
    return got


def _bad_sealer(doc: dict[str, Any]) -> None:
    """A sealer the model repairs: the flat converter routes the whole vessel call."""
    for box in doc.get("containers", []):
        if box.get("seals"):
            box["seals"][0]["sealer"] = "XX"
            return


@st.composite
def _documents(draw: st.DrawFn) -> list[Any]:
    voyages = draw(st.lists(st.sampled_from(["V1", "V2", "V3"]), min_size=1, max_size=3))
    docs: list[Any] = [draw(planted_documents(v)) for v in voyages]  # a voyage twice: merged
    for doc in docs:
        if draw(st.booleans()):
            _bad_sealer(doc)
    if draw(st.booleans()):  # values the model flags (or, strict, refuses)
        docs.insert(draw(st.integers(0, len(docs))), draw(rst.manifest_documents(valid=False)))
    if draw(st.booleans()):
        docs.insert(draw(st.integers(0, len(docs))), draw(st.sampled_from([[1, 2], "text", {}])))
    return docs


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=_documents(),
    name=st.sampled_from(["b.jsonl", "b.json"]),
    ours=st.booleans(),
    target=st.sampled_from([".csv", ".parquet"]),
    slices=st.sampled_from([_reader.SLICE_RECORDS, 5]),
    garbage=st.booleans(),
)
def test_json_to_a_flat_file_writes_the_model_paths_bytes(
    tmp_path_factory: pytest.TempPathFactory,
    docs: list[Any],
    name: str,
    ours: bool,
    target: str,
    slices: int,
    garbage: bool,
) -> None:
    """Random documents (bills and containers routed below the document, documents
    routed whole or rejected, vessel calls the flat converter routes), as a customs
    system sends them or as ``write_json`` writes them (with each record's flags), in one
    slice or many: the column-wise convert writes what the model path writes and says
    what it says."""
    folder = tmp_path_factory.mktemp("json-convert")
    if ours:  # our writer writes manifests: the lenient model's of the documents
        path = _written(folder / name, [d for d in docs if isinstance(d, dict)], True)
    else:
        path = _written(folder / name, docs, False)
    if garbage and name.endswith(".jsonl"):  # a line that is not JSON
        lines = path.read_text("utf-8").splitlines(keepends=True)
        lines.insert(len(lines) // 2, '{"vessel_name": \n')
        path.write_text("".join(lines), "utf-8")
    with mock.patch.object(_reader, "SLICE_RECORDS", slices):
        _code, _out, err = _same_as_rowwise(path, target)
    event(f"whole file through the models: {_NOTE in err}")


def test_json_rows_go_to_the_models_by_bill_and_container(tmp_path: Path) -> None:
    """A batch whose every document has a routed part (records flagged as the model
    flags them, given in): each document is converted from its columns but for its part;
    a document the flat converter routes (a sealer to repair) is read whole, held until
    the end with the rest; a line that is not JSON is rejected as the model path rejects
    it. The bytes and messages are the model path's, in one slice or many."""
    manifests = [m for seed in (3, 4, 5) for m in generate_manifests(seed, 40, defect_rate=0.2)]
    path = tmp_path / "b.jsonl"
    write_json(manifests, path)
    docs = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    _bad_sealer(docs[1])
    lines = [json.dumps(d) + "\n" for d in docs]
    lines.insert(1, "{not json\n")
    path.write_text("".join(lines), "utf-8")
    plan = _convert_from_json.plan_json_to_flat(path, "jsonl")
    assert not isinstance(plan, str)
    assert (len(plan.split.plain), len(plan.split.parts), len(plan.split.others)) == (3, 3, 1)
    for slices in (_reader.SLICE_RECORDS, 40):
        with mock.patch.object(_reader, "SLICE_RECORDS", slices):
            plan = _convert_from_json.plan_json_to_flat(path, "jsonl")
            assert not isinstance(plan, str)
            sizes: list[int] = []
            done = plan.convert(lambda frame, sizes=sizes: sizes.append(frame.height))
            assert not isinstance(done, str)
            assert plan.routed == {3}  # the document of the sealer
            assert [r.record for r in done.rejected] == [2]
            assert sum(sizes) == done.rows
            for target in (".csv", ".parquet"):
                code, _out, err = _same_as_rowwise(path, target)
                assert (code, _NOTE in err) == (0, False)
                assert "line 2: not valid JSON" in err


def test_strict_json_and_a_json_output_go_through_the_models(tmp_path: Path) -> None:
    """Strict JSON refuses a whole manifest where a flat file refuses a row: the model
    path converts it, and says so; JSON to JSON is the model path's too."""
    manifests = [m for seed in (3, 4) for m in generate_manifests(seed, 10, defect_rate=0.2)]
    path = tmp_path / "b.jsonl"
    write_json(manifests, path)
    _code, _out, err = _same_as_rowwise(path, ".csv", "--strict")
    assert f"{_NOTE}the whole file is read through the data model: strict JSON input" in err
    _code, _out, err = _same_as_rowwise(path, ".json")
    assert "JSON Lines input is read through the data model" in err


def test_a_json_convert_whose_rows_are_not_matched_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document whose converted rows do not match its plain rows one for one stops the
    conversion with an internal error (exit 3), and leaves no file."""
    manifests = list(generate_manifests(3, 10, defect_rate=0.0))
    path = tmp_path / "b.jsonl"
    write_json(manifests, path)
    fast_rows = _convert_from_json._FromJson._fast_rows

    def one_short(self: Any, rows: Any, calls: Any) -> Any:
        return fast_rows(self, rows, calls).slice(1)

    monkeypatch.setattr(_convert_from_json._FromJson, "_fast_rows", one_short)
    out = tmp_path / "out" / "a.csv"
    out.parent.mkdir()
    code, _out, err = _run(["data", "convert", str(path), str(out)])
    assert code == 3, err
    assert "a document's rows were not all written" in err
    assert list(out.parent.iterdir()) == []


def test_copied_rows_keep_their_documents_places(tmp_path: Path) -> None:
    """Rows matched by place: a document converted whole column-wise next to one whose
    bills go in part to the models, and one the models read whole, keep file order."""
    manifests = [m for seed in (6, 7, 8) for m in generate_manifests(seed, 15, defect_rate=0.3)]
    path = tmp_path / "b.json"
    write_json(manifests, path, lines=False)
    docs = json.loads(path.read_text("utf-8"))
    docs.insert(1, copy.deepcopy(docs[0]) | {"voyage_number": "OTHER", "remarks": "x"})
    path.write_text(json.dumps(docs), "utf-8")
    code, _out, err = _same_as_rowwise(path, ".csv")
    assert (code, _NOTE in err) == (0, False)
