"""The engine contract: what an engine is given, and what it must return.

An engine evaluates compiled profiles on a batch of shipments. It decides nothing about
scores, lanes or ranking: :func:`riskprofile.score` builds those from what the engine
returns, the same way for every engine, so that a new engine only has to get the
conditions right. Each engine is a module with an ``evaluate`` function; the modules
:mod:`riskprofile.engines.rowwise` (the reference) and
:mod:`riskprofile.engines.columnar` satisfy :class:`Engine`, and a third one (SQL) would
too. ``docs/architecture.md`` tells the whole story.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.engines import columnar, rowwise
    from riskprofile.model.shipment import Shipment
    from riskprofile.profiles import CompiledProfile, IndicatorResult
    from riskprofile.profiles.shared import Condition

__all__ = ["ConditionMasks", "Engine", "EngineName", "FrameEngine", "ProfileOutcome"]

EngineName = Literal["auto", "rowwise", "columnar", "duckdb"]
"""The engines :func:`riskprofile.score` can run (its ``engine`` argument): ``"auto"``
chooses by batch size (:func:`riskprofile.scoring.choose_engine`); ``"duckdb"`` is the
SQL engine on an in-process DuckDB (:class:`riskprofile.engines.sql.SqlEngine`, which
``score`` also takes itself, as does a ``postgresql://`` URL)."""


@dataclass(frozen=True, slots=True)
class ProfileOutcome:
    """One profile on one shipment: each indicator's result, or the exception that
    suppressed the profile (then ``results`` is empty).

    Attributes:
        profile: the compiled profile.
        results: one :class:`~riskprofile.profiles.IndicatorResult` per indicator, in the
            profile's indicator order: ``hit`` when the condition holds; ``problem``
            worded as the row-wise engine words it when it cannot be evaluated (then
            ``hit`` is false). Empty when an exception suppressed the profile.
        excepted_by: the id of the first exception (in the profile's order) that holds,
            or None; exceptions after it are not evaluated.
        exception_problems: ``"exception <id>: <problem>"`` for each exception before it
            (or each one, when none holds) that could not be evaluated.
    """

    profile: CompiledProfile
    results: tuple[IndicatorResult, ...]
    excepted_by: str | None
    exception_problems: tuple[str, ...] = ()


@runtime_checkable
class Engine(Protocol):
    """An engine: a module (or any object) with this ``evaluate``.

    It is given ``shipments`` (any iterable of :class:`~riskprofile.model.Shipment`, read
    once), ``profiles`` (the compiled profiles that take part, already chosen and sorted
    by :func:`~riskprofile.rules.applicable_profiles`), ``as_of`` (an aware UTC datetime:
    ``$now`` and ``$today`` in every condition, and the day a watch list's entries are
    taken at), and an optional ``progress`` callback.

    It returns an iterator of ``(shipment, outcomes)``, one per shipment, in input order,
    where ``outcomes`` has one :class:`ProfileOutcome` per profile in the order given.
    Every field of every outcome equals the row-wise engine's (the reference): the same
    hits, the same exception, and the same problem text for a condition that cannot be
    evaluated. ``progress``, when given, is called with the number of shipments done so
    far, in increasing order, the last call with the batch's size.

    How an engine gets there is its own business: the columnar engine evaluates each
    condition on whole Polars columns and re-runs only the cells that cannot be evaluated
    row-wise, for their problem text. An engine may run a condition it cannot translate
    with the reference (:meth:`~riskprofile.profiles.CompiledProfile.evaluate`); it must
    not give a different answer.
    """

    def evaluate(
        self,
        shipments: Iterable[Shipment],
        profiles: Iterable[CompiledProfile],
        as_of: dt.datetime,
        progress: Callable[[int], None] | None = None,
    ) -> Iterator[tuple[Shipment, list[ProfileOutcome]]]:
        """Evaluate every profile on every shipment (see the class docstring)."""
        ...


@dataclass(frozen=True)
class ConditionMasks:
    """Where a condition holds (``hit``) and where it cannot be evaluated (``error``):
    Boolean Series without nulls, one value per frame row; ``fallback`` says why the
    condition ran row-wise (None when it ran columnar)."""

    hit: pl.Series
    error: pl.Series
    fallback: str | None


@runtime_checkable
class FrameEngine(Protocol):
    """An engine that evaluates conditions on a whole shipment frame at once (one Polars
    column per field, :func:`~riskprofile.model.frame.shipment_frame`): the door to
    scoring without a Python object per shipment.

    ``masks_for`` is given the frame, ``(key, condition)`` pairs (the caller's keys,
    unique), each key's watch lists (its profile's ``lists``; a key may be missing when its
    condition uses none) and ``as_of``. It returns, for every key, the condition's
    :class:`ConditionMasks`: ``hit`` true exactly where the row-wise engine's condition
    holds on that row's record, ``error`` true exactly where it cannot be evaluated
    (the row-wise engine's problem), never both. The module
    :mod:`riskprofile.engines.columnar` satisfies it.
    """

    def masks_for(
        self,
        frame: pl.DataFrame,
        conditions: Sequence[tuple[str, Condition]],
        lists_by_key: Mapping[str, Mapping[str, frozenset[Any]]],
        as_of: dt.datetime,
    ) -> dict[str, ConditionMasks]:
        """The masks of each condition (see the class docstring)."""
        ...


if TYPE_CHECKING:  # the type checker proves that the engine modules keep the contract
    _ROWWISE: Engine = rowwise
    _COLUMNAR: Engine = columnar
    _COLUMNAR_FRAME: FrameEngine = columnar
