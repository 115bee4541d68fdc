"""The seeded generator of synthetic manifests (see :mod:`riskprofile.synth`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

from riskprofile.model import LENIENT
from riskprofile.model.codes import is_country, locode_problem, normalise_locode
from riskprofile.model.manifest import Manifest
from riskprofile.synth._bills import _BillDraws
from riskprofile.synth._defects import MANIFEST_DEFECTS
from riskprofile.synth._draw import (
    _UNNAMED_RATE,
    Doc,
    _below,
    _Call,
    _choice,
    _randint,
    _ServicePlan,
)
from riskprofile.synth._reference import VESSEL_IMO, Carrier

__all__ = ["DEFAULT_START", "generate_manifest_documents", "generate_manifests"]

DEFAULT_START = datetime(2026, 11, 2, tzinfo=UTC)
"""Where generated arrivals begin when no ``start`` is given (never the wall clock)."""

# Vessel calls carry 200 to 2,000 containers; Karachi sees about 5,000 a day.
_MIN_CALL, _MAX_CALL = 200, 2000
_CONTAINERS_PER_DAY = 5000.0


class _Batch(_BillDraws):
    """State shared by every vessel call of one generated batch: its parts are the
    mixins (parties, cargo, B/Ls over :class:`~riskprofile.synth._draw._BatchState`);
    this class draws the vessel calls and their manifests."""

    # --- vessel calls ------------------------------------------------------------------

    def _rotation(self, plan: _ServicePlan) -> tuple[str, ...]:
        rng = self.rng
        calls = plan.calls
        k = _randint(
            rng, min(plan.service.min_calls, len(calls)), min(plan.service.max_calls, len(calls))
        )
        chosen = sorted(rng.sample(range(len(calls)), k))
        hub_index = [i for i, port in enumerate(calls) if port in plan.hubs]
        if hub_index and not any(i in hub_index for i in chosen):
            chosen[_below(rng, k)] = _choice(rng, hub_index)
            chosen = sorted(set(chosen))
        return tuple(calls[i] for i in chosen)

    def _voyage(self, carrier: Carrier, vessel: str, arrival: datetime, direction: str) -> str:
        rng = self.rng
        year, week = arrival.year % 100, arrival.isocalendar().week
        for attempt in range(100):
            if carrier.voyage_style == "YW":
                voyage = f"{year:02d}{(week + attempt - 1) % 53 + 1:02d}{direction}"
            elif carrier.voyage_style == "WK":
                voyage = f"{year % 10}{(week + attempt - 1) % 53 + 1:02d}{direction}"
            else:
                voyage = f"{_randint(rng, 1, 999):03d}{direction}"
            if (vessel, voyage) not in self.used_voyages:
                break
        self.used_voyages.add((vessel, voyage))
        return voyage

    def manifest(self, plan: _ServicePlan, size: int, arrival: datetime) -> Doc:
        """One vessel call of ``size`` containers on a service."""
        rng = self.rng
        carrier = plan.carriers.pick(rng)
        call = _Call(plan, self._rotation(plan), carrier, arrival)
        vessel = _choice(rng, carrier.vessels)
        voyage = self._voyage(carrier, vessel, arrival, plan.service.direction)

        # Counts rounded at random keep the expected shares exact at any size.
        unnamed = int(size * _UNNAMED_RATE + rng.random())
        lcl = min(int((size - unnamed) * self.lcl_share + rng.random()), size - unnamed)
        fcl = size - unnamed - lcl
        while unnamed + lcl + fcl:
            r = rng.random() * (unnamed + lcl + fcl)
            if r < unnamed:
                self._unnamed(call)
                unnamed -= 1
            elif r < unnamed + lcl:
                self._lcl(call)
                lcl -= 1
            else:
                fcl -= self._fcl(call, fcl)

        call.consignments.sort(key=itemgetter(0, 1))
        consignments = [doc for _, _, doc in call.consignments]
        containers: list[Doc] = []
        for doc in consignments:
            for number in doc["container_numbers"]:
                record = call.records.pop(number, None)
                if record is not None:
                    containers.append(record)
        for record in call.unnamed:
            containers.insert(_below(rng, len(containers) + 1), record)

        imo = VESSEL_IMO[vessel]
        manifest: Doc = {
            "vessel_name": vessel,
            "vessel_imo": imo,
            "voyage_number": voyage,
            "carrier_scac": carrier.scac,
            "port_of_call": self.port_of_call,
            "arrival": arrival.isoformat(),
            "consignments": consignments,
            "containers": containers,
        }
        defect = self._defect(MANIFEST_DEFECTS)
        if defect == "imo_check_digit":
            manifest["vessel_imo"] = imo[:6] + str((int(imo[6]) + _randint(self.drng, 1, 9)) % 10)
        elif defect == "duplicate_container" and containers:
            twin = containers[int(self.drng.random() * len(containers))]
            copy = dict(twin, seals=[dict(s) for s in twin["seals"]])
            containers.insert(int(self.drng.random() * (len(containers) + 1)), copy)
        elif defect == "missing_voyage":
            manifest["voyage_number"] = None
        return manifest

    def calls(self, containers: int) -> Iterator[Doc]:
        rng = self.rng
        remaining = containers
        clock = self.start + timedelta(minutes=5 * _below(rng, 24))
        while remaining > 0:
            plan = self.plans.pick(rng)
            size = round(rng.lognormvariate(math.log(plan.service.call_size), 0.5))
            size = max(_MIN_CALL, min(_MAX_CALL, size))
            if remaining - size < _MIN_CALL:
                size = remaining if remaining <= _MAX_CALL else remaining - _MIN_CALL
            yield self.manifest(plan, size, clock)
            remaining -= size
            hours = size / _CONTAINERS_PER_DAY * 24 * rng.uniform(0.5, 1.5)
            clock += timedelta(minutes=5 * max(1, round(hours * 12)))


def _check_rate(name: str, value: float) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number from 0 to 1, not {value!r}")
    return float(value)


def generate_manifest_documents(
    seed: int,
    containers: int,
    *,
    port_of_call: str = "PKKHI",
    start: datetime | None = None,
    defect_rate: float = 0.02,
    lcl_share: float = 0.15,
) -> Iterator[dict[str, Any]]:
    """Generate realistic synthetic manifests as plain JSON-ready documents.

    Yields one document per vessel call, in arrival order, each in the shape
    :meth:`Manifest.model_validate <riskprofile.model.manifest.Manifest>` accepts: the
    model's field names as keys (every field but ``quality_flags`` is present, null when
    absent), dates and times as ISO 8601 text (UTC), money as decimal text. Bills of
    lading come in loading order, containers in the order the bills name them. Documents
    are not validated here, so generation stays fast (100,000 containers in a few
    seconds); :func:`generate_manifests` validates them.

    Args:
        seed: the seed of the only random generator used; the same arguments always give
            the same documents, byte for byte.
        containers: the exact number of distinct containers over all calls. Calls carry
            200 to 2,000 containers each (fewer only when ``containers`` is below 200).
        port_of_call: the UN/LOCODE the manifests are filed at. The trade lanes model the
            Arabian Sea (Karachi ``PKKHI``, Port Qasim ``PKBQM``); for Pakistan some
            cargo is in transit to Kabul or Central Asia.
        start: when the first vessel arrives (naive times are taken as UTC); defaults to
            :data:`DEFAULT_START`, never the wall clock. Calls follow at the pace of a
            port handling about 5,000 containers a day.
        defect_rate: the chance that each container, goods line, bill of lading and
            manifest carries one planted data-quality defect, drawn independently (the
            kinds are in :data:`CONTAINER_DEFECTS`, :data:`GOODS_DEFECTS`,
            :data:`CONSIGNMENT_DEFECTS` and :data:`MANIFEST_DEFECTS`). Lenient validation
            keeps every one of them, as a quality flag when the model detects it.
            Defects come from a separate random stream: changing the rate changes
            nothing else.
        lcl_share: the share of containers consolidated (LCL): each carries 2 to 6 house
            bills of lading with ``master_bl_number`` set.

    Raises:
        TypeError: when ``seed`` is not an int.
        ValueError: for a negative container count, a rate outside 0..1, or a port of
            call that is not a UN/LOCODE of a country.

    >>> docs = list(generate_manifest_documents(7, 250))
    >>> sum(len({n for c in d["consignments"] for n in c["container_numbers"]}
    ...         | {c["number"] for c in d["containers"]}) for d in docs)
    250
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    if not isinstance(containers, int) or isinstance(containers, bool) or containers < 0:
        raise ValueError(f"containers must be a non-negative int, not {containers!r}")
    defect_rate = _check_rate("defect_rate", defect_rate)
    lcl_share = _check_rate("lcl_share", lcl_share)
    code = normalise_locode(port_of_call) if isinstance(port_of_call, str) else ""
    problem = locode_problem(code) if code else None
    if not code or problem is not None:
        reason = problem.message if problem else "not a UN/LOCODE"
        raise ValueError(f"port_of_call {port_of_call!r}: {reason}")
    if not is_country(code[:2]):
        # XZ (international waters) is a LOCODE country but no importer lives there.
        raise ValueError(f"port_of_call {port_of_call!r} is not in a country")
    if start is None:
        start = DEFAULT_START
    start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
    batch = _Batch(seed, code, start, defect_rate, lcl_share)
    return batch.calls(containers)


def generate_manifests(
    seed: int,
    containers: int,
    *,
    port_of_call: str = "PKKHI",
    start: datetime | None = None,
    defect_rate: float = 0.02,
    lcl_share: float = 0.15,
) -> Iterator[Manifest]:
    """Generate synthetic manifests as validated :class:`Manifest` models.

    Each document of :func:`generate_manifest_documents` (same arguments) is validated in
    lenient mode, so the planted defects become quality flags instead of errors.
    """
    documents = generate_manifest_documents(
        seed,
        containers,
        port_of_call=port_of_call,
        start=start,
        defect_rate=defect_rate,
        lcl_share=lcl_share,
    )
    for document in documents:
        yield Manifest.model_validate(document, context=LENIENT)
