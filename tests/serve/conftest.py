"""Shared pieces of the service's tests: the Karachi call split into documents."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")

from riskprofile.io import read_manifests
from riskprofile.model import Manifest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "data" / "karachi-sample.csv"
AS_OF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def karachi_call() -> Manifest:
    """The sample's vessel call, its B/Ls in B/L-number order (the pool's order)."""
    [manifest] = list(read_manifests(SAMPLE))
    ordered = sorted(manifest.consignments, key=lambda c: c.bl_number)
    return manifest.model_copy(update={"consignments": ordered})


def bill_documents(manifest: Manifest) -> list[dict[str, Any]]:
    """The call as one document per bill of lading (each with the voyage fields and the
    containers it names), then one document of the containers no B/L names."""
    raw = manifest.model_dump(mode="json", exclude_defaults=True)
    header = {k: v for k, v in raw.items() if k not in ("consignments", "containers")}
    boxes = {b["number"]: b for b in raw.get("containers", [])}
    documents = []
    named: set[str] = set()
    for bill in raw.get("consignments", []):
        numbers = list(bill.get("container_numbers", []))
        numbers += [g["container_number"] for g in bill.get("goods", []) if "container_number" in g]
        numbers = list(dict.fromkeys(numbers))
        named.update(numbers)
        documents.append(
            {
                **header,
                "consignments": [bill],
                "containers": [boxes[n] for n in numbers if n in boxes],
            }
        )
    rest = [b for n, b in boxes.items() if n not in named]
    if rest:
        documents.append({**header, "containers": rest})
    return documents


@pytest.fixture
def keys_file(tmp_path: Path) -> tuple[str, str]:
    """A keys file with one caller; (path, key)."""
    from riskprofile.serve import add_key

    path = tmp_path / "keys.txt"
    return str(path), add_key(path, "asycuda")


os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
