"""A port day with planted high-risk cases (see :mod:`riskprofile.synth`).

The day is an ordinary generated batch (:func:`generate_manifest_documents`) in which a
few consignments are rewritten, in place, into the shapes real seizures take. Each case
combines several indicators of the domain primer, never just one: a cocaine reefer from
Guayaquil is also consigned "to order", paid for by a third party and sealed by the
shipper alone. Everything else in the batch is left exactly as the generator wrote it,
and the rewritten consignments keep their vessel call, their place in it and plausible
weights, so that only the indicators give them away.

Planting draws from its own random stream, seeded from the batch's seed: the same
arguments always give the same manifests and the same planted list.
"""

from __future__ import annotations

import csv
import itertools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from riskprofile.io import csv_text
from riskprofile.io.shared import CsvWriter
from riskprofile.model import LENIENT
from riskprofile.model.manifest import Manifest
from riskprofile.synth._generator import generate_manifest_documents
from riskprofile.synth._planting import Doc, PlantedCase, _Host, _hosts, _Planting, _Route
from riskprofile.synth._reference import TRANSIT_DELIVERY
from riskprofile.synth._scenarios import _RULES

__all__ = [
    "SCENARIOS",
    "PlantedCase",
    "PortDay",
    "Scenario",
    "generate_port_day",
    "read_planted",
    "write_planted",
]


PLANTED_COLUMNS = ("container_number", "bl_number", "scenario", "description")
"""The columns of a planted-cases CSV file, in order."""

_CONTAINERS_PER_CASE = 125  # the default density: 40 cases in a 5,000-container day


class Scenario(NamedTuple):
    """A trafficking pattern that :func:`generate_port_day` plants.

    ``weight`` is its share of the planted cases; ``description`` says what is hidden
    and which indicators of the domain primer the planted data combines.
    """

    name: str
    weight: float
    description: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "cocaine_reefer", 6,
        "cocaine in a reefer of bananas from Guayaquil or Buenaventura, transshipped at "
        "Manzanillo (Panama) and a Mediterranean or Gulf hub; consignee 'to order' or new, "
        "freight collect paid by a third party, shipper's seal only",
    ),
    Scenario(
        "heroin_southern_route", 6,
        "heroin or methamphetamine on the southern route: Afghan or Iranian goods loaded at "
        "Bandar Abbas or re-exported from Jebel Ali, in cover goods (marble, ceramic tiles, "
        "rice) vaguely described, for a new consignee",
    ),
    Scenario(
        "precursor_transit", 6,
        "a drug precursor (acetic anhydride above all) in transit to Kabul, declared vaguely "
        "or as a harmless chemical, for a new Afghan consignee, freight paid by a third party",
    ),
    Scenario(
        "counterfeit_lcl", 5,
        "counterfeit footwear or bags made in China, consolidated (LCL) at Jebel Ali or a "
        "Chinese port, at a small fraction of the usual value per kg, for a new consignee",
    ),
    Scenario(
        "undervalued_electronics", 5,
        "mobile phones or laptops declared at a tenth of their value per kg, re-exported "
        "through Jebel Ali or Hong Kong, freight paid by a third party",
    ),
    Scenario(
        "wildlife_concealment", 4,
        "ivory or pangolin scales from Mombasa or Lagos described as plastic scrap or raw "
        "cashew nuts, for a new or 'to order' consignee",
    ),
    Scenario(
        "firearms_parts", 3,
        "firearms parts hidden in machinery described only as spare parts, sometimes on "
        "concealment-prone equipment, for a new consignee",
    ),
    Scenario(
        "undeclared_weight", 3,
        "undeclared cargo: the container weighs tonnes more than the goods declared, with "
        "a vague description or a 'to order' consignee or a third-party payer",
    ),
    Scenario(
        "fictitious_container", 2,
        "a container number that fails the ISO 6346 check digit, a consignee at a P.O. box, "
        "and a vague description or a missing carrier seal",
    ),
)  # fmt: skip
"""The scenarios :func:`generate_port_day` plants, with their shares of the cases."""


@dataclass(frozen=True)
class PortDay:
    """A generated port day: its manifests and the cases planted in them.

    Attributes:
        manifests: the vessel calls, in arrival order, validated in lenient mode (the
            data-quality defects become quality flags, nothing is rejected).
        planted: the planted cases, in the order of the manifests.
    """

    manifests: list[Manifest]
    planted: tuple[PlantedCase, ...]

    @property
    def planted_containers(self) -> frozenset[str]:
        """The container numbers of the planted cases."""
        return frozenset(case.container_number for case in self.planted)


# --- the scenarios -----------------------------------------------------------------------
#
# Each scenario has a router, which says on which routes (if any) the host's vessel call
# can bring it in, given where the host's goods joined the vessel (the boarding port stays
# the same, so the B/L keeps its place in the call), and a planter, which rewrites the
# host. A router returns an empty list when the call cannot carry the scenario.


def _apportion(count: int, rng: random.Random) -> list[str]:
    """``count`` scenario names in the scenarios' shares: whole shares first, the
    remaining cases drawn without replacement in proportion to the fractions left."""
    total = sum(s.weight for s in SCENARIOS)
    exact = {s.name: count * s.weight / total for s in SCENARIOS}
    names = [name for name, share in exact.items() for _ in range(math.floor(share))]
    left = {name: share - math.floor(share) for name, share in exact.items()}
    # Weighted sampling without replacement: the largest u ** (1 / w) keys win.
    keys = sorted(
        ((rng.random() ** (1 / w) if w > 0 else 0.0, name) for name, w in left.items()),
        reverse=True,
    )
    names += [name for _, name in keys[: count - len(names)]]
    rng.shuffle(names)
    return names


def _plant(planting: _Planting, documents: list[Doc], count: int) -> list[PlantedCase]:
    fcl, lcl = _hosts(documents)
    if count > len(fcl):
        raise ValueError(
            f"cannot plant {count} cases: only {len(fcl)} containers of the batch can carry one"
        )
    rng = planting.rng
    poc = planting.port_of_call
    # Per scenario, the hosts that can carry it and their routes, best hosts first: an
    # LCL house for counterfeits, a reefer for cocaine, a dry box for the rest.
    tiers: dict[str, list[list[tuple[_Host, list[_Route]]]]] = {}
    kabul = any(place == "AFKBL" for place, _, _ in TRANSIT_DELIVERY.get(planting.country, ()))
    for name, (router, _, wants_lcl) in _RULES.items():
        if name == "precursor_transit" and not kabul:
            tiers[name] = []  # no Afghan transit trade through this port
            continue
        fit = [(h, routes) for h in (lcl if wants_lcl else []) + fcl if (routes := router(h, poc))]
        if wants_lcl:
            best = [hr for hr in fit if hr[0].lcl]
        elif name == "cocaine_reefer":
            best = [hr for hr in fit if hr[0].group == "reefer"]
        else:
            best = [hr for hr in fit if hr[0].group == "general"]
        tiers[name] = [best, fit]
    used: set[int] = set()  # ids of the host consignments' containers
    calls: set[tuple[str, int]] = set()  # (scenario, id of the manifest) planted so far
    weights = {s.name: s.weight for s in SCENARIOS}
    done: list[tuple[_Host, PlantedCase]] = []
    for wanted in _apportion(count, rng):
        # The wanted scenario, else (the day's calls cannot bring it in) another one,
        # drawn in proportion to the shares.
        draws = {s: weights[s] * rng.random() for s in weights if s != wanted}
        others = sorted(draws, key=lambda s: -draws[s])
        for name in (wanted, *others):
            _, planter, _ = _RULES[name]
            candidates: list[tuple[_Host, list[_Route]]] = []
            # A scenario spreads over the day's calls before it repeats in one.
            for fresh, tier in itertools.product((True, False), tiers[name]):
                candidates = [
                    hr
                    for hr in tier
                    if id(hr[0].container) not in used
                    and not (fresh and (name, id(hr[0].manifest)) in calls)
                ]
                if candidates:
                    break
            if not candidates:
                continue
            host, routes = candidates[int(rng.random() * len(candidates))]
            used.add(id(host.container))
            calls.add((name, id(host.manifest)))
            route = routes[int(rng.random() * len(routes))]
            done.append((host, planter(planting, host, route)))
            break
    order = {id(doc): i for i, doc in enumerate(documents)}
    done.sort(key=lambda hc: (order[id(hc[0].manifest)], hc[1].container_number))
    return [case for _, case in done]


def generate_port_day(
    seed: int,
    containers: int = 5000,
    *,
    port_of_call: str = "PKKHI",
    start: datetime | None = None,
    planted: int | None = None,
    defect_rate: float = 0.02,
) -> PortDay:
    """Generate a port day with planted high-risk cases, and the list of them.

    The batch is :func:`generate_manifests` with the same arguments, in which a few
    consignments (and their containers) are rewritten into the cases of
    :data:`SCENARIOS`. Each case combines several indicators: a source route, a cover
    commodity, a vague or false description, a new or "to order" consignee, a third-party
    freight payer, a shipper's seal alone, a mass the goods do not explain... A case keeps
    its vessel call and the port where its goods joined the vessel (so its bill of lading
    stays in loading order), and gets a plausible voyage time, weight and value; hosts
    carry no planted data-quality defect, so the planted signals are the only oddities.
    Every other consignment and container is exactly what the generator wrote.

    Args:
        seed: the seed of the batch and of the planting; the same arguments always give
            the same manifests and the same planted list.
        containers: the number of containers of the day (Karachi handles about 5,000).
        port_of_call: the UN/LOCODE the manifests are filed at (see
            :func:`generate_manifest_documents`). Precursors in transit to Kabul need a
            port with Afghan transit trade (Pakistan).
        start: when the first vessel arrives; defaults to :data:`DEFAULT_START`.
        planted: how many cases to plant; by default one per 125 containers, rounded
            (40 in 5,000; at least one in a non-empty day). Scenarios the day's vessel
            calls cannot bring in (cocaine needs a call at a Mediterranean or Gulf hub)
            are replaced by others.
        defect_rate: the rate of planted data-quality defects, as for the generator.

    Raises:
        ValueError: for a negative ``planted``, more cases than the batch has containers
            able to carry them, or any argument the generator refuses.

    >>> day = generate_port_day(3, 1000)
    >>> len(day.planted), {case.scenario for case in day.planted} <= {s.name for s in SCENARIOS}
    (8, True)
    """
    documents = list(
        generate_manifest_documents(
            seed, containers, port_of_call=port_of_call, start=start, defect_rate=defect_rate
        )
    )
    if planted is None:
        planted = max(1, round(containers / _CONTAINERS_PER_CASE)) if containers else 0
    if not isinstance(planted, int) or isinstance(planted, bool) or planted < 0:
        raise ValueError(f"planted must be a non-negative int, not {planted!r}")
    cases: list[PlantedCase] = []
    if planted:
        if not documents:
            raise ValueError(f"cannot plant {planted} cases in an empty day")
        planting = _Planting(seed, documents, str(documents[0]["port_of_call"]))
        cases = _plant(planting, documents, planted)
    manifests = [Manifest.model_validate(doc, context=LENIENT) for doc in documents]
    return PortDay(manifests, tuple(cases))


def write_planted(planted: Iterable[PlantedCase], path: str | Path) -> int:
    """Write planted cases as CSV (``container_number,bl_number,scenario,description``),
    the ground truth to keep next to the batch; returns the number of cases written."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = CsvWriter(handle)
        writer.writerow(PLANTED_COLUMNS)
        for case in planted:
            writer.writerow(
                [case.container_number, case.bl_number, case.scenario, case.description]
            )
            count += 1
    return count


def read_planted(path: str | Path) -> tuple[PlantedCase, ...]:
    """Read a CSV written by :func:`write_planted`.

    Raises:
        ValueError: when the header is not ``container_number,bl_number,scenario,
            description``.
    """
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header) != PLANTED_COLUMNS:
            raise ValueError(f"{path}: not a planted-cases file (header {header!r})")
        return tuple(PlantedCase(*map(csv_text, row)) for row in reader if row)
