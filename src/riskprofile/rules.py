"""The scoring rules of a run, each named once: both engines read them from here.

The row-wise path (:mod:`riskprofile.scoring`, one Python object per shipment) and the
columnar path (:mod:`riskprofile.engines.columnar`, Polars expressions) implement the same
rules in two languages. What can be data is data here, and each path reads it rather than
restating it:

- the lanes and their order of severity (:data:`LANES`, :data:`LANE_SEVERITY`,
  :func:`most_severe`);
- a profile's band lane (:func:`band_lane`, bands from :func:`bands_by_threshold`);
- the container unit a shipment rolls up into (:func:`unit_key`, from
  :data:`UNIT_KEY_CONTAINER` and :data:`UNIT_KEY_NO_CONTAINER`);
- the total order of the inspection list (:func:`rank_key`, :data:`NOT_FORCED`);
- the profiles that take part in a run (:func:`applicable_profiles`,
  :func:`require_profiles`);
- the warning for an indicator blind to part of a run (:func:`unevaluable_warnings`),
  and for indicators that read fields of a source the run was not given
  (:func:`missing_sources`, :func:`unfed_indicators`).

Where the columnar engine must restate a rule as an expression (the unit key, the band
lane), the tests in ``tests/test_rules.py`` hold the two statements equal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from riskprofile.errors import NoProfilesError
from riskprofile.profiles.shared import Lane

if TYPE_CHECKING:
    from riskprofile.model.shipment import Shipment
    from riskprofile.profiles import Band, CompiledProfile

__all__ = [
    "LANES",
    "LANE_SEVERITY",
    "NOT_FORCED",
    "UNEVALUABLE_WARNING",
    "UNIT_KEY_CONTAINER",
    "UNIT_KEY_NO_CONTAINER",
    "Lane",
    "RankedContainer",
    "applicable_profiles",
    "band_lane",
    "bands_by_threshold",
    "missing_sources",
    "most_severe",
    "rank_key",
    "require_profiles",
    "unevaluable_warnings",
    "unfed_indicators",
    "unit_key",
]

LANES: tuple[Lane, ...] = ("red", "yellow", "blue", "green")
"""The lanes (:data:`Lane`, as the profile language names them) from most to least
severe, each an action: red physical examination, yellow scanner (non-intrusive
inspection), blue documentary check or post-clearance audit, green release. Red and
yellow are the physical inspections a capacity counts."""
LANE_SEVERITY: Mapping[Lane, int] = {lane: rank for rank, lane in enumerate(LANES)}
"""Each lane's place in :data:`LANES`: 0 for red (most severe) to 3 for green. A shipment's
lane is the lane of least severity number among its profiles' and forced lanes."""
NOT_FORCED = len(LANES)
"""The forced rank (first key of :func:`rank_key`) of a container nothing forces: after
every forced lane."""
UNIT_KEY_CONTAINER = "{manifest_ref}/{container_number}"
"""The unit key of a shipment with a container (see :func:`unit_key`)."""
UNIT_KEY_NO_CONTAINER = "{manifest_ref}/B/L {bl_number}"
"""The unit key of a shipment without a container: its bill of lading (its shipment id
when it has none) stands alone as a unit."""
UNEVALUABLE_WARNING = 0.05
"""The share of a run's units on which an indicator could not be evaluated above which the
run summary warns (:func:`unevaluable_warnings`)."""


def most_severe(lanes: Iterable[Lane]) -> Lane:
    """The most severe lane of ``lanes`` (green for none).

    >>> most_severe(["blue", "yellow", "green"])
    'yellow'
    """
    return min(lanes, key=LANE_SEVERITY.__getitem__, default="green")


def bands_by_threshold(profile: CompiledProfile) -> list[Band]:
    """A profile's bands from the highest ``min_score`` down: the order in which
    :func:`band_lane` tries them (the first one a score reaches is its lane)."""
    return sorted(profile.profile.bands, key=lambda b: b.min_score, reverse=True)


def band_lane(profile: CompiledProfile, score: Decimal) -> Lane:
    """The lane of a profile's ``score``: the lane of its highest band whose ``min_score``
    the score reaches; green when it reaches none."""
    for band in bands_by_threshold(profile):
        if score >= band.min_score:
            return band.lane
    return "green"


def unit_key(shipment: Shipment) -> str:
    """The container unit a shipment rolls up into, unique in a batch of several vessel
    calls: ``<manifest reference>/<container number>``, or ``<manifest reference>/B/L
    <bill of lading>`` for a shipment without a container (its shipment id when it has
    no bill of lading either).

    >>> from riskprofile.model import Shipment
    >>> unit_key(Shipment(manifest_ref="PKKHI-1", container_number="MSCU1234565"))
    'PKKHI-1/MSCU1234565'
    >>> unit_key(Shipment(manifest_ref="PKKHI-1", bl_number="BL7"))
    'PKKHI-1/B/L BL7'
    """
    if shipment.container_number is not None:
        return UNIT_KEY_CONTAINER.format(
            manifest_ref=shipment.manifest_ref, container_number=shipment.container_number
        )
    return UNIT_KEY_NO_CONTAINER.format(
        manifest_ref=shipment.manifest_ref, bl_number=shipment.bl_number or shipment.shipment_id
    )


class RankedContainer(Protocol):
    """What selection needs of a container: a :class:`~riskprofile.scoring.ContainerResult`,
    or a :class:`~riskprofile.engines.columnar.FrameContainer` of a column-wise run."""

    @property
    def key(self) -> str: ...
    @property
    def container_number(self) -> str | None: ...
    @property
    def score(self) -> Decimal: ...
    @property
    def lane(self) -> Lane: ...
    @property
    def forced_lane(self) -> Lane | None: ...


def rank_key(container: RankedContainer) -> tuple[int, Decimal, int, str]:
    """The total order of the inspection list: forced red, forced yellow, then the rest;
    within each, higher score first, then more severe lane, then the key (manifest
    reference and container number) in text order, which is unique."""
    forced = container.forced_lane
    forced_rank = LANE_SEVERITY[forced] if forced is not None else NOT_FORCED
    return (forced_rank, -container.score, LANE_SEVERITY[container.lane], container.key)


class _UnevaluableRun(Protocol):
    @property
    def unevaluable(self) -> Mapping[str, int]: ...
    def __len__(self) -> int: ...


def unevaluable_warnings(run: _UnevaluableRun, threshold: float = UNEVALUABLE_WARNING) -> list[str]:
    """One line for each indicator that could not be evaluated on more than ``threshold``
    (a share, 0.05 for 5 %) of the run's units, largest share first; ``run`` is a
    :class:`~riskprofile.scoring.ScoringRun` or a
    :class:`~riskprofile.engines.columnar.FrameRun`.

    An indicator that cannot be evaluated is no hit: above a few percent of the units, the
    profile is blind to part of the batch (typically a field it needs is null), which
    must be said, not left to the notes of each container.
    """
    units = len(run)
    shares = [
        (-count, key, count) for key, count in run.unevaluable.items()
        if units and count / units > threshold
    ]  # fmt: skip
    return [
        f"{key} could not be evaluated on {count:,} of {units:,} units "
        f"({count / units:.1%}): it hits none of them (see the notes)"
        for _, key, count in sorted(shares)
    ]


def applicable_profiles(
    profiles: Iterable[CompiledProfile], when: dt.datetime, include_drafts: bool
) -> tuple[list[CompiledProfile], dict[str, str]]:
    """The profiles that take part in a run at ``when``, sorted by id, and why each of
    the others does not (retired, draft, not valid on that date; and, for a
    :class:`~riskprofile.profiles.ProfileSet` loaded for a country, outside its scope)."""
    taking_part = []
    skipped: dict[str, str] = dict(getattr(profiles, "out_of_scope", None) or {})
    for profile in sorted(profiles, key=lambda p: p.id):
        reason = _not_applicable(profile, when.date(), include_drafts)
        if reason is None:
            taking_part.append(profile)
        else:
            skipped[profile.id] = reason
    return taking_part, dict(sorted(skipped.items()))


def require_profiles(
    taking_part: Sequence[CompiledProfile], skipped: dict[str, str], when: dt.datetime
) -> None:
    """Raise :class:`~riskprofile.errors.NoProfilesError` when no profile takes part,
    naming why each one was skipped."""
    if taking_part:
        return
    day = when.date().isoformat()
    if not skipped:
        raise NoProfilesError(f"no profile takes part in the run as of {day}: none was given")
    reasons = "; ".join(f"{pid}: {why}" for pid, why in sorted(skipped.items()))
    hint = (
        " (include_drafts=True scores drafts)"
        if any(why.startswith("draft") for why in skipped.values())
        else ""
    )
    raise NoProfilesError(
        f"no profile takes part in the run as of {day}: every one of the {len(skipped)} "
        f"was skipped ({reasons}){hint}",
        skipped=skipped,
    )


def _not_applicable(profile: CompiledProfile, day: dt.date, include_drafts: bool) -> str | None:
    """Why a profile does not take part in a run on ``day`` (None when it does)."""
    meta = profile.profile
    if meta.status == "retired":
        return "retired"
    if meta.status == "draft" and not include_drafts:
        return "draft (drafts score only when included)"
    if meta.valid_from is not None and day < meta.valid_from:
        return f"not valid before {meta.valid_from.isoformat()}"
    if meta.valid_to is not None and day > meta.valid_to:
        return f"expired on {meta.valid_to.isoformat()}"
    return None


def missing_sources(
    *,
    history: object | None,
    stowplan: object | None,
    command_line: bool = False,
    command: str | None = None,
) -> list[tuple[str, frozenset[str], str]]:
    """(what, its fields, what to do) for each source of fields a run was not given: a
    stow plan (``stowplan_*`` fields) and a history store (history fields).

    What to do names the option that gives the source, spelt as :func:`score`'s
    argument, or with ``command_line`` as ``riskprofile score``'s; ``command`` names a
    command that has no such option (``evaluate``, ``exchange warn``), which is said
    instead of an option the command would refuse."""
    from riskprofile.model.shipment import HISTORY_FIELDS, STOWPLAN_FIELDS

    def todo(option: str, noun: str) -> str:
        if command is not None:
            return f"riskprofile {command} takes no {noun}"
        return f"give --{option}" if command_line else f"give {option}="

    missing = []
    if stowplan is None:
        missing.append(
            ("stow plan's fields", frozenset(STOWPLAN_FIELDS), todo("stowplan", "stow plan"))
        )
    if history is None:
        missing.append(
            ("history fields", frozenset(HISTORY_FIELDS), todo("history", "history store"))
        )
    return missing


def unfed_indicators(
    profiles: Iterable[CompiledProfile], missing: Sequence[tuple[str, frozenset[str], str]]
) -> list[str]:
    """One line per profile whose indicators read the fields of a source the run was not
    given (their fields are null, so those indicators cannot fire): the same words on
    the command line (standard error) and in :func:`score` (a
    :class:`~riskprofile.errors.MissingSourceWarning`)."""
    lines = []
    for profile in profiles:
        for what, fields, todo in missing:
            unfed = [i for i in profile.indicators if i.condition.fields & fields]
            if unfed:
                lines.append(
                    f"profile {profile.id}: {len(unfed)} of its {len(profile.indicators)} "
                    f"indicators read the {what}, which this run was not given: they "
                    f"cannot fire ({todo})"
                )
    return lines
