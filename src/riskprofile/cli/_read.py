"""How the commands read a batch file: through the shipment frame.

``read_frame`` reads a flat file column-wise, several times faster than building a model
object per record (``read_batch``), with the same shipments and the same rejected
records. A command that needs only the shipments' fields (``data check``) works on the
frame itself; one that needs :class:`~riskprofile.model.shipment.Shipment` objects
(evaluation, ``suggest``, the parties of a warning) makes them from the frame, for the
rows it needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskprofile.cli._progress import Progress

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.io import Batch, FrameBatch
    from riskprofile.model import Strictness

__all__ = ["frame_summary", "read", "read_shipments"]


def read(
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    strictness: Strictness = "lenient",
    progress: Progress | None = None,
    columns: Collection[str] | None = None,
    compact: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> FrameBatch:
    """``read_frame`` with a progress line on a terminal (``columns``: its projection,
    ``compact``: its compaction of each slice)."""
    from riskprofile.io import read_frame

    with (progress or Progress()).stage(f"reading {path}", unit="records") as step:
        return read_frame(
            path, mapping=mapping, strictness=strictness, progress=step, columns=columns,
            compact=compact,
        )  # fmt: skip


def read_shipments(
    path: str | Path,
    *,
    mapping: str | Path | None = None,
    strictness: Strictness = "lenient",
    rows: pl.Expr | None = None,
    progress: Progress | None = None,
) -> Batch:
    """The :class:`~riskprofile.io.Batch` ``read_batch`` gives (the same shipments in the
    same order, the same rejected records), read through the frame; with ``rows`` only
    the shipments the frame filter keeps are made into objects (the rest are still read,
    and the counts are the file's)."""
    reading = read(path, mapping=mapping, strictness=strictness, progress=progress)
    return reading.to_batch(rows)


def _counts(values: pl.Series) -> dict[str, int]:
    """As the model path counts a field's values: null as ``(none)``, most frequent
    first, then in text order."""
    counter = Counter("(none)" if v is None else v for v in values.to_list())
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def frame_summary(reading: FrameBatch) -> dict[str, Any]:
    """:meth:`Batch.summary <riskprofile.io.Batch.summary>` of the batch, computed on the
    frame (the tests hold the two equal on every example batch)."""
    import polars as pl

    frame = reading.frame
    flagged = frame.filter(pl.col("quality_flags").list.len() > 0)
    flags = Counter(flagged.get_column("quality_flags").explode().to_list())
    bills = frame.filter(pl.col("bl_number").is_not_null()).select("manifest_ref", "bl_number")
    # The unit an officer inspects: a container, or a B/L without one (as scoring).
    unit = pl.coalesce(
        pl.col("container_number"),
        pl.lit("B/L ") + pl.coalesce(pl.col("bl_number"), pl.col("shipment_id")),
    )
    lcl = frame.filter(pl.col("is_lcl")).get_column("container_number")
    return {
        "source": reading.source,
        "strictness": reading.strictness,
        "record_unit": reading.record_unit,
        "records_read": reading.records_read,
        "records_accepted": reading.records_accepted,
        "records_rejected": len(reading.rejected),
        "manifests": reading.manifests,
        "shipments": frame.height,
        "containers": frame.get_column("container_number").drop_nulls().n_unique(),
        "bills_of_lading": bills.n_unique() if bills.height else 0,
        "lcl_containers": lcl.n_unique() if len(lcl) else 0,
        "shipments_with_flags": flagged.height,
        "units_with_flags": flagged.select("manifest_ref", unit.alias("unit")).n_unique()
        if flagged.height
        else 0,
        "by_port_of_call": _counts(frame.get_column("port_of_call")),
        "by_port_of_loading": _counts(frame.get_column("port_of_loading")),
        "by_port_of_discharge": _counts(frame.get_column("port_of_discharge")),
        "flags": dict(sorted(flags.items(), key=lambda kv: (-kv[1], kv[0]))),
        "ignored_columns": list(reading.ignored_columns),
        "rejected": [r.as_dict() for r in reading.rejected],
    }
