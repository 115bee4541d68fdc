"""Writing manifests as CUSCAR: random manifests round-trip through EDIFACT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.io import read_batch, read_manifests
from riskprofile.io._layout import DECLARATION_COLUMNS
from riskprofile.io.edifact import ServiceChars, cuscar_segments, write_cuscar, write_edifact
from riskprofile.model.manifest import Manifest
from tests.depth import depth
from tests.strategies import manifests


def _comparable(manifest: Manifest, directory: str) -> dict[str, Any]:
    """A manifest as EDIFACT can carry it: no AEO status (CUSCAR has none), the arrival to
    the second, B/L container lists as sets (the message links goods to containers), a
    line naming no container of a one-container B/L read as naming it, and, in D.95B, no
    country of origin, and none of the goods declaration's fields."""
    doc = manifest.model_dump(mode="json", exclude_defaults=True)
    if "arrival" in doc:
        doc["arrival"] = manifest.arrival.replace(microsecond=0).isoformat()  # type: ignore[union-attr]
    for bill, model in zip(doc.get("consignments", []), manifest.consignments, strict=True):
        for role in ("shipper", "consignee", "notify_party", "freight_payer"):
            if role in bill:
                bill[role].pop("aeo", None)
        for name in DECLARATION_COLUMNS:  # a cargo report carries no goods declaration
            bill.pop(name, None)
        if bill.get("master_bl_number") == bill["bl_number"]:
            del bill["master_bl_number"]
        only = model.container_numbers[0] if len(model.container_numbers) == 1 else None
        for item in bill.get("goods", []):
            if "container_number" not in item and only is not None:
                item["container_number"] = only
            if directory == "D95B":
                item.pop("origin_country", None)
        boxes = sorted(model.all_container_numbers)
        bill.pop("container_numbers", None)
        if boxes:
            bill["container_numbers"] = boxes
    return doc


@settings(max_examples=depth(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(manifests(), min_size=1, max_size=3),
    st.sampled_from(["D00B", "D95B"]),
    st.sampled_from(["lenient", "strict"]),
)
def test_random_manifests_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    originals: list[Manifest],
    directory: str,
    strictness: str,
) -> None:
    path = tmp_path_factory.mktemp("rt") / "x.edi"
    write_edifact(originals, path, directory=directory)
    reading = read_manifests(path, strictness=strictness)  # type: ignore[arg-type]
    back = list(reading)
    assert not reading.rejected
    assert not [f for m in back for f in m.quality_flags]
    assert [_comparable(m, directory) for m in back] == [
        _comparable(m, directory) for m in originals
    ]


def test_written_text_is_deterministic_and_counts_are_right(tmp_path: Path) -> None:
    (manifest,) = read_manifests(
        Path(__file__).parents[2] / "data" / "edifact" / "karachi-d95b.edi"
    )
    first = write_cuscar([manifest, manifest])
    assert first == write_cuscar([manifest, manifest])
    lines = first.splitlines()
    assert lines[0] == "UNA:+.? '"
    assert lines[-1] == "UNZ+2+1'"
    segments = cuscar_segments(manifest)
    assert segments[-1].value(1) == str(len(segments))
    path = tmp_path / "two.edi"
    path.write_text(first, encoding="utf-8")
    batch = read_batch(path, strictness="strict")
    assert not batch.rejected
    assert batch.manifests == 2


def test_other_service_characters_are_announced_and_read(tmp_path: Path) -> None:
    manifest = Manifest.model_validate(
        {
            "voyage_number": "V1",
            "consignments": [{"bl_number": "B1", "shipper": {"name": "A+B'C:D"}}],
        }
    )
    text = write_cuscar([manifest], service=ServiceChars("|", "*", ",", "#", " ", "~"))
    assert text.startswith("UNA|*,# ~")
    path = tmp_path / "x.edi"
    path.write_text(text, encoding="utf-8")
    (back,) = read_manifests(path, strictness="strict")
    assert back.consignments[0].shipper is not None
    assert back.consignments[0].shipper.name == "A+B'C:D"


def test_an_unknown_directory_is_refused() -> None:
    with pytest.raises(ValueError, match="directory"):
        cuscar_segments(Manifest(), directory="D96A")


def test_data_convert_and_generate_write_cuscar(tmp_path: Path) -> None:
    from riskprofile.cli import main

    out = tmp_path / "export.edi"
    code = main(
        [
            "data",
            "convert",
            "examples/data/customs-export.csv",
            str(out),
            "--mapping",
            "examples/mappings/customs-export.yaml",
        ]
    )
    assert code == 0
    assert out.read_text(encoding="utf-8").startswith("UNA:+.? '\nUNB+UNOW:3")
    original = read_batch(
        "examples/data/customs-export.csv", mapping="examples/mappings/customs-export.yaml"
    )
    back = read_batch(out)  # the export's own defects (a bad check digit...) stay flagged
    assert not back.rejected

    def units(batch: Any) -> list[tuple[Any, ...]]:
        return sorted(
            (s.container_number or "", s.bl_number or "", tuple(sorted(s.quality_flags)))
            for s in batch.shipments
        )

    assert units(back) == units(original)
    day = tmp_path / "day.edi"
    assert main(["data", "generate", "--seed", "3", "--containers", "20", "-o", str(day)]) == 0
    generated = read_batch(day)
    assert not generated.rejected
    assert len({s.container_number for s in generated.shipments if s.container_number}) >= 15
