"""The same batch gives the same figures whatever the order of its B/Ls and goods lines:
float sums of goods weights (a B/L's goods, a container's goods over its B/Ls) do not
depend on the order they are added in, on the model path and the frame path alike. The
workbench's dashboard scores a batch again from its file; a cargo system may send the
same call with its B/Ls in another order."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskprofile.io import read_frame, write_json
from riskprofile.model.manifest import Manifest
from riskprofile.model.shipment import flatten
from riskprofile.synth import generate_port_day
from tests.depth import depth

# Weights whose float sum depends on the order: (0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3).
AWKWARD = [0.1, 0.2, 0.3, 0.7, 1e-3, 12345.678, 3.3, 1e6 + 0.1]
FIELDS = ("goods_gross_weight_kg", "goods_net_weight_kg", "container_goods_weight_kg",
          "cargo_mass_gap_kg")  # fmt: skip


@pytest.fixture(scope="module")
def call() -> Manifest:
    """A port call whose containers are shared by several B/Ls."""
    manifest: Manifest = generate_port_day(5, 60).manifests[0]
    # Put every B/L's goods into three containers, so each holds many goods lines.
    numbers = sorted({n for c in manifest.consignments for n in c.container_numbers})[:3]
    return manifest.model_copy(
        update={"consignments": [
            c.model_copy(update={"container_numbers": [numbers[i % 3]],
                                 "goods": [g.model_copy(update={"container_number": None})
                                           for g in c.goods]})
            for i, c in enumerate(manifest.consignments)
        ]}
    )  # fmt: skip


def _reweighed(manifest: Manifest, weights: list[float], order: random.Random) -> Manifest:
    at = iter(range(10**6))
    consignments = []
    for c in manifest.consignments:
        goods = [
            g.model_copy(update={"gross_weight_kg": weights[(i := next(at)) % len(weights)],
                                 "net_weight_kg": weights[(i + 1) % len(weights)] / 2})
            for g in c.goods
        ]  # fmt: skip
        consignments.append(c.model_copy(update={"goods": goods}))
    shuffled = [c.model_copy(update={"goods": order.sample(c.goods, len(c.goods))})
                for c in order.sample(consignments, len(consignments))]  # fmt: skip
    return manifest.model_copy(update={"consignments": shuffled})


def _figures(manifest: Manifest, tmp_path: Path) -> tuple[dict[tuple[str, str], tuple], ...]:
    model = {(s.bl_number, s.container_number or ""): tuple(getattr(s, f) for f in FIELDS)
             for s in flatten(manifest)}  # fmt: skip
    path = tmp_path / f"call-{random.random()}.json"
    write_json([manifest], path)
    frame = read_frame(path).frame
    columnar = {(r["bl_number"], r["container_number"] or ""): tuple(r[f] for f in FIELDS)
                for r in frame.iter_rows(named=True)}  # fmt: skip
    return model, columnar


@settings(max_examples=depth(25), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(weights=st.lists(st.sampled_from(AWKWARD), min_size=3, max_size=12), seed=st.integers())
def test_weight_sums_do_not_depend_on_the_order_of_bls_and_goods(
    call: Manifest, tmp_path: Path, weights: list[float], seed: int
) -> None:
    first = _reweighed(call, weights, random.Random(seed))
    again = _reweighed(call, weights, random.Random(seed + 1))
    model_a, frame_a = _figures(first, tmp_path)
    model_b, frame_b = _figures(again, tmp_path)
    assert model_a == model_b
    assert frame_a == frame_b
    assert model_a == frame_a  # the two read paths agree too
