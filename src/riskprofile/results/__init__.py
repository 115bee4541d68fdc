"""The results of a scoring run, one home for both engines' result types, shared by
scoring, selection and output.

- :class:`ScoringRun` (:mod:`._objects`) holds one :class:`ShipmentResult` per shipment
  (its :class:`Hit` and :class:`ProfileScore` list) and the :class:`ContainerResult`
  roll-ups in rank order: what :func:`riskprofile.score` returns.
- :class:`FrameRun` (:mod:`._frame`) keeps the same results as Polars tables (hits,
  shipment scores, ranked containers), with the notes and explanations worded as the
  row-wise run words them: what the columnar engine's
  :func:`~riskprofile.engines.columnar.score_frame` returns (and builds: the tables are
  the engine's work, the type and its methods live here).
- Selection sees either through :class:`RankedRun` and :class:`RankedContainer`.

The column-wise types need Polars: they are loaded when first asked for (PEP 562), so
that importing this package, as every row-wise run does, loads no Polars. Both modules
depend on the data model, the rules and the profile language only, never on an engine,
scoring, selection or output (``tests/test_architecture.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from riskprofile.results._objects import (
    ContainerResult,
    Hit,
    ProfileScore,
    RankedContainer,
    RankedRun,
    RunTables,
    ScoringRun,
    ShipmentResult,
)

if TYPE_CHECKING:
    from riskprofile.results._frame import (
        FrameContainer,
        FrameContainers,
        FrameRun,
        outcome_notes,
    )

__all__ = [
    "ContainerResult",
    "FrameContainer",
    "FrameContainers",
    "FrameRun",
    "Hit",
    "ProfileScore",
    "RankedContainer",
    "RankedRun",
    "RunTables",
    "ScoringRun",
    "ShipmentResult",
    "outcome_notes",
]

_FRAME_NAMES = frozenset({"FrameContainer", "FrameContainers", "FrameRun", "outcome_notes"})


def __getattr__(name: str) -> Any:
    """The column-wise run's names, imported on first use (they import Polars)."""
    if name in _FRAME_NAMES:
        from riskprofile.results import _frame

        return getattr(_frame, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _FRAME_NAMES)
