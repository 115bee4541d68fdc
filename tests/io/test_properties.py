"""Properties of batch reading: nothing is lost, and every format gives the same shipments."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from riskprofile import Manifest, flatten, read_batch, write_csv, write_json, write_parquet
from riskprofile.model import LENIENT
from tests import strategies as rst
from tests.depth import depth

SETTINGS = settings(
    max_examples=depth(25), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _comparable(shipment: Any) -> dict[str, Any]:
    # A flat file cannot say whether a container with no equipment data at all was
    # declared on the manifest (its row carries only the number), so that one field is
    # left out of the comparison; everything else must survive.
    data: dict[str, Any] = shipment.model_dump()
    data.pop("container_declared")
    return data


@SETTINGS
@given(st.lists(rst.manifests(), min_size=1, max_size=2))
def test_flat_and_json_files_give_the_shipments_of_the_models(manifests: list[Manifest]) -> None:
    # A flat row holds at least one goods value: a goods line with none at all cannot be
    # written (documented in docs/input.md), so such manifests are not compared here.
    assume(
        all(
            any(
                v is not None
                for k, v in g.model_dump().items()
                if k not in ("quality_flags", "container_number")
            )
            for m in manifests
            for c in m.consignments
            for g in c.goods
        )
    )
    # Distinct vessel calls, as in a real batch (a flat file groups rows by call).
    calls = [m.model_copy(update={"voyage_number": f"V{i}"}) for i, m in enumerate(manifests)]
    expected = [_comparable(s) for m in calls for s in flatten(m)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, writer in (
            ("b.jsonl", write_json),
            ("b.csv", write_csv),
            ("b.parquet", write_parquet),
        ):
            path = Path(tmp) / name
            writer(calls, path)
            batch = read_batch(path, strictness="strict")
            assert batch.rejected == []
            assert batch.records_accepted == batch.records_read
            assert [_comparable(s) for s in batch.shipments] == expected, name


@SETTINGS
@given(st.lists(st.one_of(rst.manifest_documents(valid=True),
                          rst.manifest_documents(valid=False)), min_size=1, max_size=3),
       st.sampled_from(["strict", "lenient"]))  # fmt: skip
def test_every_record_is_accepted_or_rejected(docs: list[dict[str, Any]], mode: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "b.jsonl"
        jsonl.write_text("".join(json.dumps(d, default=str) + "\n" for d in docs), "utf-8")
        batch = read_batch(jsonl, strictness=mode)  # type: ignore[arg-type]
        assert batch.records_read == len(docs)
        assert batch.records_accepted + len(batch.rejected) == batch.records_read
        if mode == "lenient":
            assert batch.rejected == []  # lenient keeps every structurally sound record
        # the same data as a flat file: every row accepted or rejected
        models = [Manifest.model_validate(d, context=LENIENT) for d in docs]
        csv_path = Path(tmp) / "b.csv"
        rows = write_csv(models, csv_path)
        flat = read_batch(csv_path, strictness=mode)  # type: ignore[arg-type]
        assert flat.records_read == rows
        assert flat.records_accepted + len(flat.rejected) == flat.records_read


_OUT_OF_RANGE: dict[str, list[Any]] = {
    "packages": [18446744073709551618, 10**9 + 1, -(2**63), 1e30],
    "value": [1e30, -1e16, "0.1234567890123456789012", "9" * 400],
    "gross_weight_kg": [1e30, -1e300, 1e15 * 1.0001],
    "net_weight_kg": [1e16, "1e309"],
}


@SETTINGS
@given(
    st.lists(rst.manifest_documents(valid=True), min_size=1, max_size=3),
    st.lists(st.tuples(st.sampled_from(sorted(_OUT_OF_RANGE)), st.integers(0, 3),
                       st.integers(0, 100)), min_size=1, max_size=4),
    st.sampled_from(["strict", "lenient"]),
)  # fmt: skip
def test_out_of_range_numbers_never_reach_the_shipment_frame(
    docs: list[dict[str, Any]], spoils: list[tuple[str, int, int]], mode: str
) -> None:
    """Issue 14: a JSON batch with a number no frame column holds is read record by record
    (a flag or a rejection) and its shipments always make a shipment frame."""
    import pytest

    pl = pytest.importorskip("polars")
    from riskprofile.engines.columnar import shipment_frame

    lines = [dict(d) for d in docs]
    goods = [g for d in lines for c in d.get("consignments", []) for g in c.get("goods", [])]
    assume(goods)
    for field, which, at in spoils:
        choices = _OUT_OF_RANGE[field]
        goods[at % len(goods)][field] = choices[which % len(choices)]
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "b.jsonl"
        jsonl.write_text("".join(json.dumps(d) + "\n" for d in lines), "utf-8")
        batch = read_batch(jsonl, strictness=mode)  # type: ignore[arg-type]
        assert batch.records_accepted + len(batch.rejected) == batch.records_read == len(lines)
        if mode == "lenient":
            assert batch.rejected == []
            flags = {f for s in batch.shipments for f in s.quality_flags}
            assert {f"goods_{field}:invalid_value" for field, _, _ in spoils} <= flags
        else:
            assert batch.rejected
        assert isinstance(shipment_frame(batch.shipments), pl.DataFrame)
