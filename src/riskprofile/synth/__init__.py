"""Seeded synthetic manifests for examples, tests and benchmarks.

The generator writes what a Port Control Unit receives: vessel calls with their bills of
lading and containers, on real trade lanes into the Arabian Sea (by default Karachi),
with real UN/LOCODEs, HS codes, ISO 6346 size-types and owner prefixes, and plausible
weights, values, traders, routes and dates. FCL and LCL cargo, house and master bills of
lading, transit to Afghanistan and Central Asia, and a controlled rate of planted
data-quality defects are all there. Vessel names, IMO numbers and traders are invented.

>>> from riskprofile.synth import generate_manifests
>>> manifests = list(generate_manifests(seed=1, containers=300))
>>> sum(len(m.containers) for m in manifests) >= 290
True

The same arguments always give the same output, byte for byte. The planted defects are
listed in :data:`CONTAINER_DEFECTS`, :data:`GOODS_DEFECTS`, :data:`CONSIGNMENT_DEFECTS` and
:data:`MANIFEST_DEFECTS`.
"""

from riskprofile.synth._generator import (
    CONSIGNMENT_DEFECTS,
    CONTAINER_DEFECTS,
    DEFAULT_START,
    GOODS_DEFECTS,
    MANIFEST_DEFECTS,
    Defect,
    generate_manifest_documents,
    generate_manifests,
)

__all__ = [
    "CONSIGNMENT_DEFECTS",
    "CONTAINER_DEFECTS",
    "DEFAULT_START",
    "Defect",
    "GOODS_DEFECTS",
    "MANIFEST_DEFECTS",
    "generate_manifest_documents",
    "generate_manifests",
]
