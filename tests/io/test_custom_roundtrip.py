"""Custom fields end to end in files: every custom type written by ``write_json``,
``write_csv`` and ``write_parquet`` reads back as the same value (a date stays a date),
and a flat file with custom columns reads column-wise exactly as on the model path."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from riskprofile import DataError, Manifest
from riskprofile.io import (
    read_batch,
    read_frame,
    read_manifests,
    write_csv,
    write_json,
    write_parquet,
)
from riskprofile.model import LENIENT
from riskprofile.model.frame import shipment_frame
from tests import strategies as rst
from tests.depth import depth
from tests.io.test_columnar import assert_same_as_models

_WORD = st.text(alphabet="AZaz09 -=+@'.,/\"Äé", min_size=1, max_size=8).map(str.strip).filter(bool)
_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "text": _WORD,
    "number": st.floats(min_value=-1e15, max_value=1e15, allow_nan=False),
    "date": st.dates(min_value=dt.date(1000, 1, 1)),
    "bool": st.booleans(),
    "list": st.lists(_WORD, min_size=1, max_size=3),
}


@st.composite
def _batches(draw: st.DrawFn, valid: bool | None = None) -> tuple[dict[str, str], list[Manifest]]:
    """Custom field declarations (name -> type) and manifests whose bills of lading
    carry some of them."""
    names = draw(st.lists(st.sampled_from(["office", "rate", "seen", "a1", "b_2"]),
                          min_size=1, max_size=3, unique=True))  # fmt: skip
    kinds = {name: draw(st.sampled_from(sorted(_VALUES))) for name in names}
    documents = (
        rst.manifest_documents(valid=valid)
        if valid is not None
        else st.one_of(rst.manifest_documents(valid=True), rst.manifest_documents(valid=False))
    )
    docs = draw(st.lists(documents, min_size=1, max_size=2 if valid is None else 1))
    for doc in docs:
        for bill in doc.get("consignments") or []:
            bill["extra"] = {n: draw(st.none() | _VALUES[k]) for n, k in kinds.items()}
    return kinds, [Manifest.model_validate(d, context=LENIENT) for d in docs]


def _mapping(kinds: dict[str, str], folder: Path) -> Path:
    path = folder / "map.yaml"
    extra = {name: {"column": f"x_{name}", "type": kind} for name, kind in kinds.items()}
    path.write_text(yaml.safe_dump({"extra": extra}), encoding="utf-8")
    return path


def _extras(manifests: list[Manifest]) -> dict[str, dict[str, Any]]:
    return {c.bl_number: c.extra for m in manifests for c in m.consignments}


_SETTINGS = settings(
    max_examples=depth(30), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@_SETTINGS
@given(_batches(valid=True))
def test_every_custom_type_round_trips_through_json_csv_and_parquet(
    batch: tuple[dict[str, str], list[Manifest]],
) -> None:
    kinds, manifests = batch
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mapping = _mapping(kinds, folder)
        for name in ("b.json", "b.jsonl"):
            write_json(manifests, folder / name)
            assert _extras(list(read_manifests(folder / name))) == _extras(manifests)
            assert_same_as_models(folder / name)  # custom fields read column-wise too
        for name, write in (("b.csv", write_csv), ("b.parquet", write_parquet)):
            write(manifests, folder / name, extra=sorted(kinds))
            back = list(read_manifests(folder / name, mapping=mapping))
            assert _extras(back) == _extras(manifests)


@_SETTINGS
@given(_batches(), st.sampled_from(["lenient", "strict"]))
def test_custom_columns_read_column_wise_as_on_the_model_path(
    batch: tuple[dict[str, str], list[Manifest]], strictness: str
) -> None:
    kinds, manifests = batch
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mapping = _mapping(kinds, folder)
        write_csv(manifests, folder / "b.csv", extra=sorted(kinds))
        got = assert_same_as_models(folder / "b.csv", mapping=mapping, strictness=strictness)
        assert got.fallback is None


def test_a_custom_date_stays_a_date_in_json(tmp_path: Path) -> None:
    doc = {"bl_number": "B1", "extra": {"cleared": dt.date(2026, 10, 12), "note": "2026-10-12"}}
    manifest = Manifest.model_validate({"consignments": [doc]})
    write_json([manifest], tmp_path / "b.jsonl")
    assert '"cleared":{"date":"2026-10-12"}' in (tmp_path / "b.jsonl").read_text("utf-8")
    (back,) = read_manifests(tmp_path / "b.jsonl")
    # A date is a date again; a text that looks like one stays text.
    assert back.consignments[0].extra == {"cleared": dt.date(2026, 10, 12), "note": "2026-10-12"}
    frame = read_frame(tmp_path / "b.jsonl").frame
    assert frame["x_cleared"].to_list() == [dt.datetime(2026, 10, 12, tzinfo=dt.UTC)]


def test_write_csv_refuses_a_custom_field_it_was_not_told_of(tmp_path: Path) -> None:
    bill = {"bl_number": "B1", "extra": {"office": "KAPE"}}
    manifest = Manifest.model_validate({"consignments": [bill]})
    with pytest.raises(DataError, match="custom field x_office is not among"):
        write_csv([manifest], tmp_path / "b.csv", extra=["rate"])
    assert write_csv(iter([manifest]), tmp_path / "b.csv") == 1  # found, not dropped
    assert (tmp_path / "b.csv").read_text("utf-8").splitlines()[0].endswith(",x_office")


def test_json_custom_fields_are_read_column_wise_as_on_the_model_path(tmp_path: Path) -> None:
    parties = {"shipper": {"name": "S"}, "consignee": {"name": "C"}}
    extra = {"office": "KAPE", "seen": {"date": "2026-10-12"}, "rate": 3, "urgent": True,
             "codes": ["A", "B"]}  # fmt: skip
    plain = {"vessel_name": "A", "consignments": [{"bl_number": "B1", **parties}]}
    custom = {"vessel_name": "B", "consignments": [{"bl_number": "B2", **parties,
                                                    "extra": extra}]}  # fmt: skip
    spaced = {"vessel_name": "C", "consignments": [{"bl_number": "B3", **parties,
                                                    "extra": {"office": " KAPE "}}]}  # fmt: skip
    path = tmp_path / "b.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in (plain, custom, spaced)), "utf-8")
    got = assert_same_as_models(path)  # the frames put together (it raised ShapeError)
    # Text with blanks around it would read back stripped: that document alone goes
    # through the models; the custom fields of the others are read column-wise.
    assert got.rows_via_models == 1
    assert got.frame.columns[-5:] == ["x_codes", "x_office", "x_rate", "x_seen", "x_urgent"]
    assert got.frame["x_rate"].to_list() == [None, 3.0, None]
    # A custom field of two types is the model path's error on both paths.
    retyped = {"vessel_name": "D", "consignments": [{"bl_number": "B4", **parties,
                                                     "extra": {"office": 7}}]}  # fmt: skip
    path.write_text("".join(json.dumps(d) + "\n" for d in (custom, retyped)), "utf-8")
    for read in (lambda: shipment_frame(read_batch(path).shipments), lambda: read_frame(path)):
        with pytest.raises(DataError, match="a column holds one type"):
            read()


_JSON_VALUES = st.one_of(
    st.none(),
    st.text(alphabet="Ab ;-", max_size=4),
    st.integers(-(10**16), 10**16),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.text(alphabet="Ab ;", max_size=3), max_size=3),
    st.dates().map(lambda d: {"date": d.isoformat()}),
    st.just({"date": "2026-13-01"}),
)


@_SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(["office", "rate", "seen"]), _JSON_VALUES),
                min_size=1, max_size=3))  # fmt: skip
def test_json_custom_values_read_column_wise_exactly_or_through_the_models(
    extras: list[dict[str, Any]],
) -> None:
    parties = {"shipper": {"name": "S"}, "consignee": {"name": "C"}}
    docs = [
        {
            "vessel_name": f"V{i}",
            "consignments": [{"bl_number": f"B{i}", **parties, "extra": extra}],
        }
        for i, extra in enumerate(extras)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), "utf-8")
        try:
            expected = shipment_frame(read_batch(path).shipments)
        except DataError:  # a field of two types: the same error on both paths
            with pytest.raises(DataError):
                read_frame(path)
            return
        got = read_frame(path)
        assert_frame_equal(got.frame, expected, check_exact=True)
        assert got.rejected == tuple(read_batch(path).rejected)
