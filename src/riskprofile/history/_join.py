"""History fields joined to a batch, column-wise, for either engine."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import polars as pl

from riskprofile._as_of import AsOf
from riskprofile.history._backends import connect
from riskprofile.history._features import ensure_schema, history_features

if TYPE_CHECKING:
    from riskprofile.model.shipment import Shipment

__all__ = ["FeatureSource", "HistorySource", "with_history", "with_history_shipments"]


class FeatureSource(Protocol):
    """What gives history features: an open :class:`~riskprofile.history.HistoryStore`."""

    def features(self, frame: pl.DataFrame, as_of: AsOf) -> pl.DataFrame:
        """The history fields of each row of ``frame`` at ``as_of``."""
        ...  # pragma: no cover


HistorySource = FeatureSource | str | Path
"""What ``history=`` accepts: an open store, a DuckDB file path, or a PostgreSQL DSN."""


def with_history(frame: pl.DataFrame, history: HistorySource, as_of: AsOf) -> pl.DataFrame:
    """``frame`` (a shipment frame) with its history fields filled in from ``history`` at
    ``as_of`` (history seen strictly before it). The other columns are unchanged.

    Raises:
        HistoryStoreError: the store cannot be opened or read.
    """
    if not isinstance(history, str | Path):  # an open HistoryStore
        return frame.with_columns(history.features(frame, as_of))
    # Opened here without the store class, which reaches up to evaluation (outcomes):
    # scoring imports this module.
    db = connect(str(history), create=False)
    try:
        ensure_schema(db)
        return frame.with_columns(history_features(db, frame, as_of))
    finally:
        db.close()


def with_history_shipments(
    shipments: Sequence[Shipment], history: HistorySource, as_of: AsOf
) -> list[Shipment]:
    """Shipments with their history fields filled in (computed column-wise, as
    :func:`with_history` does, and copied into each shipment)."""
    from riskprofile.model.frame import shipment_frame
    from riskprofile.model.shipment import HISTORY_FIELDS

    frame = shipment_frame(shipments)
    features = with_history(frame, history, as_of).select(HISTORY_FIELDS)
    return [
        shipment.model_copy(update=row)
        for shipment, row in zip(shipments, features.iter_rows(named=True), strict=True)
    ]
