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

:func:`generate_port_day` goes further: a realistic day at the port with a few high-risk
cases planted in it (cocaine in a banana reefer, heroin in marble, precursors in transit
to Kabul, counterfeits, undervalued phones, ivory as plastic scrap, firearms parts...),
each a combination of indicators, and the ground truth to measure profiles against
(:func:`write_planted` keeps it next to the batch).

>>> from riskprofile.synth import generate_port_day
>>> day = generate_port_day(seed=1, containers=500)
>>> [case.scenario for case in day.planted][:2]
['undeclared_weight', 'cocaine_reefer']

:func:`generate_stowplan` writes the vessels' stow plans (BAPLIE) for a port day, with
mismatches against the manifests planted in them (a laden box on board and on no
manifest, a plan mass far above the VGM, dangerous goods the manifest does not
mention...) and their list, for ``score --stowplan`` and the ``stowplan_*`` fields.

:func:`generate_history` generates months of traffic with planted fraud patterns (a
fraudulent importer, a risky HS heading from one country, a traffickers' port of loading,
an undervalued chapter, a shipper that appears mid-period) and the outcomes of the
inspections made, the history that :func:`riskprofile.evaluation.suggest` learns from;
:func:`write_history` writes it as a flat CSV batch, an outcome file and the patterns.
"""

from riskprofile.synth._defects import (
    CONSIGNMENT_DEFECTS,
    CONTAINER_DEFECTS,
    GOODS_DEFECTS,
    MANIFEST_DEFECTS,
    Defect,
)
from riskprofile.synth._generator import (
    DEFAULT_START,
    generate_manifest_documents,
    generate_manifests,
)
from riskprofile.synth._history import (
    History,
    PlantedPattern,
    generate_history,
    read_patterns,
    write_history,
)
from riskprofile.synth._history_patterns import HISTORY_PATTERNS
from riskprofile.synth._planted import (
    SCENARIOS,
    PlantedCase,
    PortDay,
    Scenario,
    generate_port_day,
    read_planted,
    write_planted,
)
from riskprofile.synth._stowplan import STOWPLAN_SCENARIOS, PortDayStowPlan, generate_stowplan

__all__ = [
    "CONSIGNMENT_DEFECTS",
    "CONTAINER_DEFECTS",
    "DEFAULT_START",
    "Defect",
    "GOODS_DEFECTS",
    "HISTORY_PATTERNS",
    "History",
    "MANIFEST_DEFECTS",
    "PlantedCase",
    "PlantedPattern",
    "PortDay",
    "PortDayStowPlan",
    "SCENARIOS",
    "STOWPLAN_SCENARIOS",
    "Scenario",
    "generate_history",
    "generate_manifest_documents",
    "generate_manifests",
    "generate_port_day",
    "generate_stowplan",
    "read_patterns",
    "read_planted",
    "write_history",
    "write_planted",
]
