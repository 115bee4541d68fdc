"""Engines that evaluate compiled profiles on shipments (row-wise is the reference).

Every engine satisfies the contract :class:`Engine` (given shipments, compiled profiles
and ``as_of``, it returns one :class:`ProfileOutcome` per profile per shipment, equal to
the reference's): :mod:`riskprofile.engines.rowwise` and
:mod:`riskprofile.engines.columnar` (Polars). Scores, lanes and ranking are built from
the outcomes by :mod:`riskprofile.scoring`, the same way for every engine. An engine
that evaluates a whole shipment frame at once also satisfies :class:`FrameEngine` (the
columnar one does).
"""

from riskprofile.engines._contract import (
    ConditionMasks,
    Engine,
    EngineName,
    FrameEngine,
    ProfileOutcome,
)

__all__ = ["ConditionMasks", "Engine", "EngineName", "FrameEngine", "ProfileOutcome"]
