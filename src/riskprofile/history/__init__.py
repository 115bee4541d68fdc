"""The history store: what was shipped, scored and found before, for rules to use.

A :class:`HistoryStore` keeps scored batches' shipments (ids, parties and their trader
keys, ports, HS, value, weight, dates), the runs that recorded them (``as_of``, profile
fingerprints) and inspection outcomes (the evaluation's outcome format), in an embedded
DuckDB file or a PostgreSQL database, behind one interface. Its features - a consignee's
first appearance, shipments in the last 30 and 365 days, prior inspections and findings,
a new shipper-consignee pair, a new HS chapter or port of loading for the consignee, a
container's prior findings - are SQL over the store (:mod:`riskprofile.history._sql`),
point-in-time: a feature at ``as_of`` sees only history strictly before it. They become
the history fields of the shipment record
(:data:`~riskprofile.model.shipment.HISTORY_FIELDS`), null unless a store is given.

    >>> import tempfile, os
    >>> from riskprofile.history import open_store, with_history
    >>> from riskprofile.io import read_frame
    >>> path = os.path.join(tempfile.mkdtemp(), "history.duckdb")
    >>> with open_store(path) as store:
    ...     _ = store.add("examples/data/karachi-sample.csv", as_of="2026-11-02")
    ...     frame = with_history(read_frame("examples/data/karachi-sample.csv").frame,
    ...                          store, as_of="2027-01-01")
    >>> frame["consignee_prior_shipments"].min() > 0
    True

The store's names (:func:`open_store`, :class:`HistoryStore`, ...) are imported on first
use (PEP 562): the store reads inspection outcomes, which are evaluation's, and
evaluation imports scoring, which joins history to a frame from here. Loaded with the
package, they would close an import cycle (``tests/test_architecture.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskprofile.history._features import SHRINK_STRENGTH
from riskprofile.history._join import (
    FeatureSource,
    HistorySource,
    with_history,
    with_history_shipments,
)
from riskprofile.history._keys import LEGAL_FORMS, PARTY_ROLES, trader_key, trader_name

if TYPE_CHECKING:
    from riskprofile.history._store import AddReport, HistoryStore, StoreStats, open_store

__all__ = [
    "LEGAL_FORMS",
    "PARTY_ROLES",
    "SHRINK_STRENGTH",
    "AddReport",
    "FeatureSource",
    "HistorySource",
    "HistoryStore",
    "StoreStats",
    "open_store",
    "trader_key",
    "trader_name",
    "with_history",
    "with_history_shipments",
]

_STORE_NAMES = frozenset({"AddReport", "HistoryStore", "StoreStats", "open_store"})


def __getattr__(name: str) -> Any:
    """The store's names, imported on first use (the store reads evaluation's outcomes)."""
    if name in _STORE_NAMES:
        from riskprofile.history import _store

        return getattr(_store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _STORE_NAMES)
