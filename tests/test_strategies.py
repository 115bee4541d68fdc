"""The shared strategies produce the shapes their docstrings promise.

Other test modules rely on generated manifests covering LCL and multi-container bills of
lading; these tests make sure such cases are actually generated, not merely allowed.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, Phase, find, given, settings
from stdnum import iso6346

from riskprofile.model import Manifest, flatten
from tests import strategies as rst
from tests.depth import depth

_SEARCH = settings(
    max_examples=depth(2_000, floor=2_000),
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _named(m: Manifest) -> set[str]:
    return {n for c in m.consignments for n in c.all_container_numbers}


SHAPES: dict[str, Callable[[Manifest], bool]] = {
    "LCL container shared by several B/Ls": lambda m: any(s.is_lcl for s in flatten(m)),
    "B/L spanning several containers": lambda m: any(
        len(c.container_numbers) > 1 for c in m.consignments
    ),
    "container named by no B/L": lambda m: any(b.number not in _named(m) for b in m.containers),
    "B/L without containers": lambda m: any(not c.all_container_numbers for c in m.consignments),
    "container named but not declared": lambda m: bool(
        _named(m) - {b.number for b in m.containers}
    ),
    "container named only on a goods line": lambda m: any(
        set(c.all_container_numbers) - set(c.container_numbers) for c in m.consignments
    ),
    "goods line shared by a B/L's containers": lambda m: any(
        s.goods_scope == "bill_of_lading" for s in flatten(m)
    ),
}


class _AllShapesSeenError(Exception):
    """Ends the search early: the budget bounds how long it may take, not how long it must."""


def test_manifests_cover_the_consolidation_shapes() -> None:
    seen: Counter[str] = Counter()

    # Generation only (no shrinking), derandomized so that the test is not flaky.
    @settings(max_examples=depth(400, floor=400), derandomize=True, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(rst.manifests())
    def count(manifest: Manifest) -> None:
        seen.update(name for name, shape in SHAPES.items() if shape(manifest))
        if set(seen) == set(SHAPES):
            raise _AllShapesSeenError

    with contextlib.suppress(_AllShapesSeenError):
        count()
    assert set(seen) == set(SHAPES), f"never generated: {set(SHAPES) - set(seen)}"


def test_container_numbers_include_check_remainder_ten() -> None:
    def remainder_ten(number: str) -> bool:
        # ISO 6346 values skip multiples of 11: a character's value is its index here.
        padded = "0123456789A_BCDEFGHIJK_LMNOPQRSTU_VWXYZ"
        total = sum(padded.index(c) * (1 << i) for i, c in enumerate(number[:10]))
        return total % 11 == 10

    number = find(rst.container_numbers(), remainder_ten, settings=_SEARCH)
    assert number[10] == "0"
    assert iso6346.is_valid(number)


@settings(max_examples=depth(30), deadline=None)
@given(rst.manifest_documents(valid=False))
def test_invalid_documents_keep_the_valid_structure(doc: dict[str, Any]) -> None:
    # Spoilt values replace codes; the records that carry required values stay whole.
    for bl in doc.get("consignments", []):
        assert isinstance(bl["bl_number"], str)
    for box in doc.get("containers", []):
        assert isinstance(box["number"], str)
        for seal in box.get("seals", []):
            assert isinstance(seal["number"], str)


@settings(max_examples=depth(30), deadline=None)
@given(rst.manifests())
def test_generated_manifests_stay_small(manifest: Manifest) -> None:
    assert len(manifest.consignments) <= 4
    assert len(manifest.containers) <= 5
    assert all(len(c.goods) <= 3 for c in manifest.consignments)
