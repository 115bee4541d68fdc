"""The two tidy tables of a run: containers and hits (rows, pandas and polars frames)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from riskprofile.model.shipment import Shipment
from riskprofile.output._units import HitView, _number

if TYPE_CHECKING:  # runs and selections call output: no import back at run time
    from typing_extensions import TypeIs

    from riskprofile.results import FrameRun, ScoringRun
    from riskprofile.selection import Selection

Run: TypeAlias = "ScoringRun | FrameRun"
"""A run every output takes: a :class:`~riskprofile.results.ScoringRun`, or a column-wise
:class:`~riskprofile.results.FrameRun` (the same bytes come out of both)."""


def is_object_run(run: object) -> TypeIs[ScoringRun]:
    """Whether ``run`` is a :class:`~riskprofile.results.ScoringRun` (one object per
    shipment), not a column-wise :class:`~riskprofile.results.FrameRun` (which
    keeps its results in tables)."""
    return not hasattr(run, "container_table")


def tables_of(run: Run) -> Run:
    """The column-wise run behind a :class:`~riskprofile.results.ScoringRun` that
    :func:`riskprofile.score` computed column-wise (its ``frame_run``: the same bytes,
    without an object per shipment), else ``run`` itself."""
    frame_run: FrameRun | None = getattr(run, "frame_run", None)
    return run if frame_run is None else frame_run


CONTAINER_COLUMNS = (
    "rank", "key", "container_number", "bl_numbers", "lane", "score", "forced_lane",
    "selected", "reason", "hit_count", "top_reasons", "forced_reasons", "notes",
    "action", "consignees", "shippers", "routes", "hs_codes", "descriptions", "profile_ids",
)  # fmt: skip
HIT_COLUMNS = (
    "key", "container_number", "bl_number", "shipment_id", "profile_id",
    "profile_version", "indicator_id", "title", "weight", "forced_lane", "explanation",
)  # fmt: skip


def _selection_index(selection: Selection | None) -> dict[str, tuple[int, str]]:
    if selection is None:
        return {}
    return {s.container.key: (s.rank, s.reason) for s in selection.selected}


def _top(hits: Iterable[HitView], n: int = 3) -> str:
    # A hit whose fact another hit counts is not a reason of its own (one fact counts once).
    counted = (h for h in hits if h.counted)
    ranked = sorted(counted, key=lambda h: (-h.weight, h.profile_id, h.indicator_id))
    # An LCL container's B/Ls often hit the same container-level indicator: say it once.
    return "; ".join(list(dict.fromkeys(h.explanation for h in ranked))[:n])


def route(shipment: Shipment) -> str:
    """``POL -> transshipments -> POD`` of a shipment (``?`` for an unknown port)."""
    ports = [shipment.port_of_loading, *shipment.transshipment_ports, shipment.port_of_discharge]
    return " -> ".join(p or "?" for p in ports)


def _distinct(values: Iterable[str | None]) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def _profile_ids(hits: Iterable[HitView]) -> str:
    return ", ".join(sorted({h.profile_id for h in hits}))


def _actions(selection: Selection | None) -> dict[str, str]:
    """Key -> what the selection says to do with the unit (selected ones excepted)."""
    if selection is None:
        return {}
    actions = {c.key: "left out" for c in selection.left_out}
    actions.update((c.key, "documentary") for c in selection.documentary)
    return actions


def container_rows(run: Run, selection: Selection | None = None) -> list[dict[str, Any]]:
    """One row per container, in rank order (selected first when a selection is given).

    ``action`` says what the selection means for the unit: ``inspect`` (selected),
    ``documentary`` (blue, listed apart from the physical list), ``left out`` (red or
    yellow beyond the capacity) or ``release``; empty without a selection.

    ``run`` is a :class:`~riskprofile.results.ScoringRun` or a column-wise
    :class:`~riskprofile.results.FrameRun`: the same rows come out of both.
    """
    if not is_object_run(run):
        from riskprofile.output import _frame

        return _frame.python_rows(_frame.container_frame(run, selection), CONTAINER_COLUMNS)
    chosen = _selection_index(selection)
    actions = _actions(selection)
    containers = list(run.containers)
    if selection is not None:
        order = {key: rank for key, (rank, _) in chosen.items()}
        containers.sort(key=lambda c: (order.get(c.key, len(order) + 1),))
    rows = []
    for position, c in enumerate(containers, start=1):
        rank, reason = chosen.get(c.key, (None, None))
        notes = [n for s in c.shipments for n in s.notes]
        shipments = [s.shipment for s in c.shipments]
        action = None
        if selection is not None:
            action = "inspect" if rank is not None else actions.get(c.key, "release")
        rows.append(
            {
                "rank": position,
                "key": c.key,
                "container_number": c.container_number,
                "bl_numbers": ";".join(c.bl_numbers),
                "lane": c.lane,
                "score": _number(c.score),
                "forced_lane": c.forced_lane,
                "selected": rank is not None,
                "reason": reason,
                "hit_count": len(c.hits),
                "top_reasons": _top(c.hits),
                "forced_reasons": "; ".join(c.forced),
                "notes": "; ".join(notes),
                "action": action,
                "consignees": _distinct(s.consignee_name for s in shipments),
                "shippers": _distinct(s.shipper_name for s in shipments),
                "routes": _distinct(route(s) for s in shipments),
                "hs_codes": _distinct(h for s in shipments for h in s.hs_codes),
                "descriptions": _distinct(s.description for s in shipments),
                "profile_ids": _profile_ids(c.hits),
            }
        )
    return rows


def hit_rows(run: Run, keys: set[str] | None = None) -> list[dict[str, Any]]:
    """One row per hit, containers in rank order (only the containers ``keys`` when
    given); ``run`` as for :func:`container_rows`."""
    if not is_object_run(run):
        import polars as pl

        from riskprofile.output import _frame

        hits = _frame.hit_frame(run)
        if keys is not None:
            wanted = pl.Series(sorted(keys), dtype=pl.String).implode()
            hits = hits.filter(pl.col("key").is_in(wanted))
        return _frame.python_rows(hits, HIT_COLUMNS)
    rows = []
    for c in run.containers:
        if keys is not None and c.key not in keys:
            continue
        for s in c.shipments:
            for h in s.hits:
                rows.append(
                    {
                        "key": c.key,
                        "container_number": c.container_number,
                        "bl_number": s.shipment.bl_number,
                        "shipment_id": s.shipment_id,
                        "profile_id": h.profile_id,
                        "profile_version": h.profile_version,
                        "indicator_id": h.indicator_id,
                        "title": h.title,
                        "weight": _number(h.weight),
                        "forced_lane": h.forced_lane,
                        "explanation": h.explanation,
                    }
                )
    return rows


def to_pandas(run: ScoringRun, selection: Selection | None = None) -> tuple[Any, Any]:
    """(containers, hits) as pandas DataFrames (needs pandas)."""
    return (
        table_frame(run, selection, "containers", "pandas"),
        table_frame(run, selection, "hits", "pandas"),
    )


def to_polars(run: ScoringRun, selection: Selection | None = None) -> tuple[Any, Any]:
    """(containers, hits) as polars DataFrames (needs polars)."""
    return (
        table_frame(run, selection, "containers", "polars"),
        table_frame(run, selection, "hits", "polars"),
    )


def table_frame(
    run: Any,
    selection: Selection | None,
    table: str,
    library: Literal["pandas", "polars"],
) -> Any:
    """One table of a run (``"containers"`` or ``"hits"``) as a pandas or polars
    DataFrame: what :meth:`ScoringRun.to_pandas <riskprofile.ScoringRun.to_pandas>` and
    its kin return.

    A :class:`~riskprofile.scoring.ScoringRun` gives the columns of
    :data:`CONTAINER_COLUMNS` and :data:`HIT_COLUMNS` (one :func:`~riskprofile.score`
    computed column-wise gives the same from its tables, without making its objects); a
    column-wise :class:`~riskprofile.results.FrameRun` gives its own tables as
    they are (no copy through Python rows), with ``selected`` and ``reason`` joined when
    a selection is given.
    """
    if table not in ("containers", "hits"):
        raise ValueError(f"table must be 'containers' or 'hits', not {table!r}")
    if library not in ("pandas", "polars"):
        raise ValueError(f"library must be 'pandas' or 'polars', not {library!r}")
    if not is_object_run(run):
        frame = _frame_run_table(run, selection, table)
        return frame if library == "polars" else frame.to_pandas()
    # A ScoringRun scored column-wise: the same rows from its tables, no object per shipment.
    source = tables_of(run)
    columns: Sequence[str]
    if table == "containers":
        rows, columns = container_rows(source, selection), CONTAINER_COLUMNS
    else:
        rows, columns = hit_rows(source), HIT_COLUMNS
    if library == "pandas":
        import pandas as pd

        return pd.DataFrame(rows, columns=list(columns))
    import polars as pl

    # A score column mixes whole and fractional numbers: read every row to type it.
    return pl.DataFrame(rows, schema=list(columns), infer_schema_length=None)


def _frame_run_table(run: Any, selection: Selection | None, table: str) -> Any:
    import polars as pl

    if table == "hits":
        return run.hit_table
    containers = run.container_table.drop("points", strict=False)
    if selection is None:
        return containers
    chosen = pl.DataFrame(
        {
            "key": [s.container.key for s in selection.selected],
            "_order": [s.rank for s in selection.selected],
            "reason": [s.reason for s in selection.selected],
        },
        schema={"key": pl.String, "_order": pl.Int64, "reason": pl.String},
    )
    # Selected first, in inspection order, then the rest in rank order (as the
    # container table of a row-wise run with a selection).
    return (
        containers.join(chosen, on="key", how="left")
        .with_columns(pl.col("reason").is_not_null().alias("selected"))
        .sort(["_order", "rank"], nulls_last=True)
        .drop("_order")
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    )
