"""Profile lint: problems that do not stop a profile set from loading but that an analyst
should look at before it scores containers.

Loading (:func:`~riskprofile.profiles.load_profiles`) refuses what cannot work; the lint
looks at compiled profiles for what is probably wrong, stale or wasteful. Each lint is a
small class with a stable ``code`` and a ``severity``; :func:`lint_profiles` runs them all
(or the ones given) and returns the findings in file and line order.

Lints, by code (severity):

- ``expired`` (error): ``valid_to`` is before today.
- ``expiring`` (warning): ``valid_to`` is within the next 30 days.
- ``review_overdue`` (warning): ``review_date`` is before today.
- ``not_yet_valid`` (info): ``valid_from`` is after today.
- ``duplicate_id`` (error): two profiles of the set have the same id.
- ``duplicate_title`` (warning): two profiles of the set have the same title.
- ``duplicate_condition`` (warning): two indicators of a profile have the same ``when``.
- ``unused_list`` (warning): a watch list that no indicator or exception uses.
- ``empty_list`` (warning): a watch list with no values.
- ``list_expired`` (warning; error when every entry has expired): watch-list entries
  past their ``expires`` at today.
- ``no_explanation`` (warning): an indicator without ``explain`` for the officer.
- ``zero_weight`` (warning): an indicator of weight 0 that forces no lane (it does nothing).
- ``expensive_builtin`` (warning): a condition uses ``$range``, which builds a list on
  every evaluation.
- ``contradiction`` (warning): a condition, or an ``and`` inside it, that can never hold
  (``x == "A" and x == "B"``, ``x > 5 and x < 3``, ``x in $l and x not in $l``) or that
  is a constant (``true``, ``1 == 1``).
- ``unreachable_band`` (warning): a band whose ``min_score`` is above the highest score
  the indicators can add up to.
- ``no_bands`` (info): a profile without bands (only forced lanes can select).
- ``no_examples`` (info): a profile without examples for ``riskprofile test``.
- ``draft_or_retired`` (info): a profile whose status is not ``active``.
- ``unevaluable_on_null`` (warning): a condition that cannot be evaluated when a field
  it uses is null, which the field catalogue allows (``place_of_delivery&.starts_with(
  "AF")``, ``days_bl_to_arrival < 0``): each such shipment gets a note, not a result.

Validity and review lints skip retired profiles: being out of date is what retired means.

A lint that asks an engine about a condition lives with that engine, since the profile
language sits below the engines: the columnar engine's ``rowwise_fallback`` (info; a
condition it cannot translate exactly runs row-wise there, slower, same result) is
:class:`riskprofile.engines.columnar.RowwiseFallback`, which ``riskprofile validate`` runs
after these (``lint_profiles(profiles, today=..., lints=[*ALL_LINTS, RowwiseFallback()])``).

>>> from datetime import date
>>> from riskprofile.profiles import load_profiles
>>> profiles = load_profiles(bundled=True)
>>> findings = lint_profiles(profiles, today=date(2025, 1, 31), lints=[NotYetValid()])
>>> finding = findings[0]
>>> finding.code, finding.severity, finding.profile_id, finding.location.line
('not_yet_valid', 'info', 'general.documentary-anomalies', 4)

``str(finding)`` is ``path:line:col: severity: message [code]``, one line per finding.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Literal

from rule_engine import ast as re_ast

from riskprofile.profiles._compiled import CompiledProfile, Location
from riskprofile.profiles._contradictions import contradictions
from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._null_probe import _example_record, _null_probe_values
from riskprofile.profiles._tree import walk

__all__ = [
    "ALL_LINTS",
    "Contradiction",
    "DraftOrRetired",
    "DuplicateCondition",
    "DuplicateId",
    "DuplicateTitle",
    "EXPENSIVE_BUILTINS",
    "EXPIRY_NOTICE",
    "EmptyList",
    "ExpensiveBuiltin",
    "Expired",
    "Expiring",
    "Lint",
    "LintFinding",
    "ListEntriesExpired",
    "NoBands",
    "NoExamples",
    "NoExplanation",
    "NotYetValid",
    "ProfileLint",
    "ReviewOverdue",
    "Severity",
    "UnevaluableOnNull",
    "UnreachableBand",
    "UnusedList",
    "ZeroWeight",
    "lint_profiles",
]

Severity = Literal["error", "warning", "info"]
"""How serious a finding is: ``error`` should block deployment, ``warning`` needs a look,
``info`` is for the record."""

EXPIRY_NOTICE = dt.timedelta(days=30)
"""How far ahead ``expiring`` warns of a profile's ``valid_to``."""


@dataclass(frozen=True)
class LintFinding:
    """One problem found by a lint.

    Attributes:
        code: the lint's code (``expired``, ``unused_list``, ...), stable for tools.
        severity: ``error``, ``warning`` or ``info``.
        message: what is wrong, for the analyst.
        profile_id: the profile concerned.
        location: where in which file (an overlay's inherited parts are in the base's
            file), when known.
    """

    code: str
    severity: Severity
    message: str
    profile_id: str
    location: Location | None

    def __str__(self) -> str:
        where = str(self.location) if self.location is not None else self.profile_id
        return f"{where}: {self.severity}: {self.message} [{self.code}]"

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """File, line, column, code (then profile and message, so ties are stable)."""
        loc = self.location
        return (
            loc.path if loc else "",
            loc.line if loc else 0,
            loc.column if loc else 0,
            self.code,
            self.profile_id,
            self.message,
        )


class Lint(ABC):
    """A check over a set of compiled profiles.

    Subclasses set ``code``, ``severity`` and ``description`` and implement :meth:`check`
    (or subclass :class:`ProfileLint` to look at one profile at a time).
    """

    code: ClassVar[str]
    severity: ClassVar[Severity]
    description: ClassVar[str]

    @abstractmethod
    def check(
        self, profiles: Sequence[CompiledProfile], *, today: dt.date
    ) -> Iterable[LintFinding]:
        """The findings of this lint on ``profiles``, as of ``today``."""

    def finding(
        self,
        profile: CompiledProfile,
        part: str,
        message: str,
        severity: Severity | None = None,
    ) -> LintFinding:
        """A finding about ``part`` of ``profile`` (a ``positions`` key such as
        ``indicator:<id>``); the message names the profile when the part is written in
        another file (an overlay's inherited indicator or list)."""
        location = profile.positions.get(part) or profile.positions.get("profile")
        if location is not None and location.path != profile.source:
            message += f" (in {profile.id})"
        return LintFinding(self.code, severity or self.severity, message, profile.id, location)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code} ({self.severity})>"


class ProfileLint(Lint):
    """A lint that looks at one profile at a time."""

    def check(
        self, profiles: Sequence[CompiledProfile], *, today: dt.date
    ) -> Iterator[LintFinding]:
        """Every profile's findings, in the order of ``profiles``."""
        for profile in profiles:
            yield from self.check_profile(profile, today=today)

    @abstractmethod
    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterable[LintFinding]:
        """The findings of this lint on one profile."""

    @staticmethod
    def conditions(profile: CompiledProfile) -> Iterator[tuple[str, str, Condition]]:
        """Every condition of ``profile`` (indicators, then exceptions): the key of its
        position (for :meth:`finding`), its name for a message (``indicator 'x'``), and
        the condition."""
        return _conditions(profile)


def _conditions(profile: CompiledProfile) -> Iterator[tuple[str, str, Condition]]:
    """Every condition of a profile: its positions key, a name for messages, the condition."""
    for ind in profile.indicators:
        yield f"indicator:{ind.id}", f"indicator {ind.id!r}", ind.condition
    for exc in profile.exceptions:
        yield f"exception:{exc.id}", f"exception {exc.id!r}", exc.condition


def _in_force(profile: CompiledProfile) -> bool:
    return profile.profile.status != "retired"


# --- validity ------------------------------------------------------------------------------


class Expired(ProfileLint):
    """The profile's ``valid_to`` is before today: it no longer selects anything."""

    code = "expired"
    severity = "error"
    description = "valid_to is before today"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag a passed ``valid_to``."""
        valid_to = profile.profile.valid_to
        if _in_force(profile) and valid_to is not None and valid_to < today:
            yield self.finding(
                profile,
                "profile",
                f"profile {profile.id} expired on {valid_to} (valid_to): renew it or retire it",
            )


class Expiring(ProfileLint):
    """The profile's ``valid_to`` is within the next 30 days."""

    code = "expiring"
    severity = "warning"
    description = "valid_to is within the next 30 days"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag a ``valid_to`` from today to 30 days ahead."""
        valid_to = profile.profile.valid_to
        if (
            _in_force(profile)
            and valid_to is not None
            and today <= valid_to <= today + EXPIRY_NOTICE
        ):
            days = (valid_to - today).days
            yield self.finding(
                profile,
                "profile",
                f"profile {profile.id} expires on {valid_to} (valid_to), in {days} day(s)",
            )


class ReviewOverdue(ProfileLint):
    """The profile's ``review_date`` has passed: traffickers adapt, profiles go stale."""

    code = "review_overdue"
    severity = "warning"
    description = "review_date is before today"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag a passed ``review_date``."""
        review = profile.profile.review_date
        if _in_force(profile) and review is not None and review < today:
            yield self.finding(
                profile,
                "profile",
                f"profile {profile.id} was due for review on {review} (review_date)",
            )


class NotYetValid(ProfileLint):
    """The profile's ``valid_from`` is in the future: it selects nothing yet."""

    code = "not_yet_valid"
    severity = "info"
    description = "valid_from is after today"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag a future ``valid_from``."""
        valid_from = profile.profile.valid_from
        if _in_force(profile) and valid_from is not None and valid_from > today:
            yield self.finding(
                profile, "profile", f"profile {profile.id} is valid from {valid_from} only"
            )


# --- duplicates ----------------------------------------------------------------------------


class DuplicateId(Lint):
    """Two profiles of the set share an id (the loader refuses this within one load; a set
    put together from several loads can still have it)."""

    code = "duplicate_id"
    severity = "error"
    description = "two profiles have the same id"

    def check(
        self, profiles: Sequence[CompiledProfile], *, today: dt.date
    ) -> Iterator[LintFinding]:
        """Flag every profile whose id an earlier one already has."""
        first: dict[str, CompiledProfile] = {}
        for profile in profiles:
            other = first.setdefault(profile.id, profile)
            if other is not profile:
                yield self.finding(
                    profile,
                    "profile",
                    f"profile id {profile.id!r} is already used by {other.source}",
                )


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _family(profile: CompiledProfile) -> set[str]:
    """The profile and the profiles it extends."""
    return {profile.id, *profile.extends}


class DuplicateTitle(Lint):
    """Two profiles share a title (ignoring case and spacing): officers cannot tell them
    apart. Overlays that keep their base's title (one country's or several) are not
    flagged."""

    code = "duplicate_title"
    severity = "warning"
    description = "two profiles have the same title"

    def check(
        self, profiles: Sequence[CompiledProfile], *, today: dt.date
    ) -> Iterator[LintFinding]:
        """Flag every profile whose title an unrelated earlier one already has."""
        seen: dict[str, list[CompiledProfile]] = defaultdict(list)
        for profile in profiles:
            title = _normal(profile.profile.title)
            for other in seen[title]:
                if _family(other) & _family(profile):
                    continue
                yield self.finding(
                    profile,
                    "profile",
                    f"profile {profile.id} has the same title as {other.id} "
                    f"({profile.profile.title!r})",
                )
                break
            seen[title].append(profile)


class DuplicateCondition(ProfileLint):
    """Two indicators of one profile have the same ``when`` (ignoring spacing): the second
    adds nothing, since one fact counts once (see :mod:`riskprofile.profiles._facts`)."""

    code = "duplicate_condition"
    severity = "warning"
    description = "two indicators of a profile have the same condition"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag every indicator whose condition an earlier indicator already has."""
        first: dict[str, str] = {}
        for ind in profile.indicators:
            key = " ".join(ind.indicator.when.split())
            other = first.setdefault(key, ind.id)
            if other != ind.id:
                yield self.finding(
                    profile,
                    f"indicator:{ind.id}",
                    f"indicator {ind.id!r} has the same condition as {other!r}",
                )


# --- lists ---------------------------------------------------------------------------------


class UnusedList(ProfileLint):
    """A watch list that no indicator or exception uses (often a typo or a leftover).
    A list an overlay inherits unchanged is not flagged when the overlay disabled the
    indicators that used it: the overlay cannot remove it."""

    code = "unused_list"
    severity = "warning"
    description = "a watch list no indicator or exception uses"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag lists that no condition of the profile names."""
        used: set[str] = set()
        for _key, _name, condition in _conditions(profile):
            used |= condition.lists
        source = profile.positions.get("profile")
        for name in sorted(set(profile.lists) - used):
            where = profile.positions.get(f"list:{name}")
            if (
                profile.extends
                and where is not None
                and source is not None
                and (where.path != source.path)
            ):
                # An overlay cannot remove a list it inherits: once it disables the
                # indicators that used it, the leftover is expected, not a mistake.
                continue
            yield self.finding(
                profile,
                f"list:{name}",
                f"list ${name} is not used by any indicator or exception",
            )


class EmptyList(ProfileLint):
    """A watch list with no values: ``x in $list`` never holds (an empty CSV file, or an
    overlay that replaced the values with none)."""

    code = "empty_list"
    severity = "warning"
    description = "a watch list with no values"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag lists without values."""
        for name, values in sorted(profile.lists.items()):
            if not values:
                yield self.finding(profile, f"list:{name}", f"list ${name} has no values")


def _start_of(today: dt.date) -> dt.datetime:
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)


class ListEntriesExpired(ProfileLint):
    """Entries of a watch list past their ``expires`` at today (00:00 UTC): they no
    longer match and should be removed or renewed. When every entry has expired the
    list can never match, which is an error (a silent miss)."""

    code = "list_expired"
    severity = "warning"
    description = "watch-list entries past their expiry"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag lists with expired entries (an error when all have expired)."""
        as_of = _start_of(today)
        for name, watch in sorted(profile.watch_lists.items()):
            expired = watch.expired(as_of)
            if not expired:
                continue
            shown = "; ".join(
                f"{e.value} (expires {e.columns.get('expires', '?')}"
                + (f", {e.location.path}:{e.location.line}" if e.location else "")
                + ")"
                for e in expired[:3]
            )
            more = f" and {len(expired) - 3} more" if len(expired) > 3 else ""
            if len(expired) == len(watch.entries):
                yield self.finding(
                    profile,
                    f"list:{name}",
                    f"every entry of list ${name} is past its expiry on {today.isoformat()}, "
                    f"so the list can never match: {shown}{more}",
                    "error",
                )
            else:
                yield self.finding(
                    profile,
                    f"list:{name}",
                    f"{len(expired)} of {len(watch.entries)} entries of list ${name} are past "
                    f"their expiry on {today.isoformat()} and no longer match: {shown}{more}",
                )


# --- indicators ----------------------------------------------------------------------------


class NoExplanation(ProfileLint):
    """An indicator without ``explain``: the officer sees only its title, not the values
    that made it fire."""

    code = "no_explanation"
    severity = "warning"
    description = "an indicator without explain"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag indicators without ``explain``."""
        for ind in profile.indicators:
            if ind.indicator.explain is None:
                yield self.finding(
                    profile,
                    f"indicator:{ind.id}",
                    f"indicator {ind.id!r} has no 'explain' for the officer",
                )


class ZeroWeight(ProfileLint):
    """An indicator of weight 0 that forces no lane: its hits change nothing."""

    code = "zero_weight"
    severity = "warning"
    description = "an indicator with weight 0 and no forced lane"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag indicators that neither score nor force a lane."""
        for ind in profile.indicators:
            if ind.weight == 0 and ind.indicator.lane is None:
                yield self.finding(
                    profile,
                    f"indicator:{ind.id}",
                    f"indicator {ind.id!r} has weight 0 and forces no lane: it has no effect",
                )


# --- conditions ----------------------------------------------------------------------------


EXPENSIVE_BUILTINS = frozenset({"range"})
"""Built-ins worth a warning: ``$range`` builds a list on every evaluation."""


class ExpensiveBuiltin(ProfileLint):
    """A condition calls a built-in that is costly on every container (``$range``)."""

    code = "expensive_builtin"
    severity = "warning"
    description = "a condition uses $range"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag conditions using an expensive built-in (a list of that name is no call)."""
        for key, name, condition in _conditions(profile):
            used = sorted(
                {
                    node.name
                    for node in walk(condition.rule.statement)
                    if isinstance(node, re_ast.SymbolExpression)
                    and node.scope == "built-in"
                    and node.name in EXPENSIVE_BUILTINS
                    and node.name not in profile.lists
                }
            )
            for builtin in used:
                yield self.finding(
                    profile,
                    key,
                    f"{name} uses ${builtin}, which builds a list for every container",
                )


class UnevaluableOnNull(ProfileLint):
    """A condition that cannot be evaluated when a field it uses is null, although the
    field catalogue allows that field to be null: ``place_of_delivery&.starts_with("AF")``
    (``&.`` gives null, which cannot be called), ``days_bl_to_arrival < 0`` (an ordered
    comparison with null). Every such shipment then gets a "cannot be evaluated" note
    instead of a result; ``x != null and ...`` makes a null a plain miss.

    The condition is evaluated with the field null and the other fields at the
    catalogue's example values, and at the values the condition compares them with (so
    that the parts behind an ``and`` are reached): what it finds is real, though a
    condition reached only by values it does not try can be missed."""

    code = "unevaluable_on_null"
    severity = "warning"
    description = "a condition that cannot be evaluated when a nullable field is null"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Evaluate every condition with each nullable field it uses set to null."""
        import rule_engine

        from riskprofile.model.shipment import field_catalogue

        nullable = {f.name for f in field_catalogue() if f.nullable}
        base = _example_record()
        as_of = dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)
        for key, name, condition in _conditions(profile):
            probes = _null_probe_values(condition, profile)
            records = [base, {**base, **{f: v[0] for f, v in probes.items()}}]
            records += [{**base, f: value} for f, found in probes.items() for value in found]
            for field_name in sorted(condition.fields & nullable):
                for record in records:
                    try:
                        condition.evaluate({**record, field_name: None}, as_of)
                    except rule_engine.EngineError as exc:
                        reason = str(getattr(exc, "message", exc))
                        yield self.finding(
                            profile,
                            key,
                            f"{name} cannot be evaluated when {field_name} is null, which "
                            f"the field allows ({reason}): each such shipment gets a note "
                            f"instead of a result; write '{field_name} != null and ...' if "
                            "a null should simply not hit",
                        )
                        break


class Contradiction(ProfileLint):
    """A condition that can never hold, or always holds: two different values for one
    field, an empty range, a list membership and its negation, or a constant. Only cheap
    syntactic checks: a clean result proves nothing. A constant exception is especially
    bad: ``true`` switches the whole profile off."""

    code = "contradiction"
    severity = "warning"
    description = "a condition that can never hold or is a constant"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Check every indicator's and exception's condition."""
        for key, name, condition in _conditions(profile):
            for reason in contradictions(condition):
                yield self.finding(profile, key, f"{name}: {reason}")


# --- profile shape -------------------------------------------------------------------------


class UnreachableBand(ProfileLint):
    """A band whose ``min_score`` is above the sum of all positive weights: no container
    can reach it."""

    code = "unreachable_band"
    severity = "warning"
    description = "a band above the highest possible score"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Compare each band with the highest score the indicators can add up to."""
        top = sum((ind.weight for ind in profile.indicators if ind.weight > 0), Decimal(0))
        for band in profile.profile.bands:
            if band.min_score > top:
                yield self.finding(
                    profile,
                    "profile",
                    f"band {band.lane} (min_score {band.min_score}) is above the highest "
                    f"possible score {top}",
                )


class NoBands(ProfileLint):
    """A profile without bands: its score selects nothing, only forced lanes do."""

    code = "no_bands"
    severity = "info"
    description = "a profile without bands"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag a profile without bands."""
        if not profile.profile.bands:
            yield self.finding(
                profile,
                "profile",
                f"profile {profile.id} has no bands: only forced lanes select containers",
            )


class NoExamples(ProfileLint):
    """A profile without examples: ``riskprofile test`` has nothing to check."""

    code = "no_examples"
    severity = "info"
    description = "a profile without examples"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag a profile without examples."""
        if not profile.profile.examples:
            yield self.finding(
                profile,
                "profile",
                f"profile {profile.id} has no examples for 'riskprofile test'",
            )


class DraftOrRetired(ProfileLint):
    """A profile whose status is ``draft`` or ``retired``, for the record."""

    code = "draft_or_retired"
    severity = "info"
    description = "a profile whose status is not active"

    def check_profile(self, profile: CompiledProfile, *, today: dt.date) -> Iterator[LintFinding]:
        """Flag a profile that is not active."""
        status = profile.profile.status
        if status != "active":
            yield self.finding(profile, "profile", f"profile {profile.id} is {status}")


ALL_LINTS: tuple[Lint, ...] = (
    Expired(),
    Expiring(),
    ReviewOverdue(),
    NotYetValid(),
    DuplicateId(),
    DuplicateTitle(),
    DuplicateCondition(),
    UnusedList(),
    EmptyList(),
    ListEntriesExpired(),
    NoExplanation(),
    ZeroWeight(),
    ExpensiveBuiltin(),
    Contradiction(),
    UnreachableBand(),
    NoBands(),
    NoExamples(),
    DraftOrRetired(),
    UnevaluableOnNull(),
)
"""Every lint, one instance each, in the order of the module docstring."""


def lint_profiles(
    profiles: Iterable[CompiledProfile],
    *,
    today: dt.date,
    lints: Sequence[Lint] = ALL_LINTS,
) -> list[LintFinding]:
    """Run ``lints`` on ``profiles`` as of ``today``; the findings sorted by file, line,
    column and code.

    ``today`` is an argument, never the clock, so a lint run can be repeated exactly (a
    datetime is cut to its date).

    >>> import datetime as dt
    >>> lint_profiles([], today=dt.date(2025, 1, 1))
    []
    """
    if isinstance(today, dt.datetime):
        today = today.date()
    items = list(profiles)
    found = [f for lint in lints for f in lint.check(items, today=today)]
    return sorted(_without_inherited(found, items), key=LintFinding.sort_key)


def _without_inherited(
    found: list[LintFinding], profiles: list[CompiledProfile]
) -> list[LintFinding]:
    """Drop an overlay's finding about a part it inherited unchanged when the profile it
    extends is in the set and has the same finding: report each problem once, where it
    is written."""
    by_id = {p.id: p for p in profiles}
    keys = {(f.code, f.severity, f.location, f.message, f.profile_id) for f in found}
    kept = []
    for f in found:
        profile = by_id.get(f.profile_id)
        suffix = f" (in {f.profile_id})"
        if profile is not None and profile.extends and f.message.endswith(suffix):
            message = f.message.removesuffix(suffix)
            if any(
                (f.code, f.severity, f.location, text, parent) in keys
                for parent in profile.extends
                for text in (message, f"{message} (in {parent})")
            ):
                continue
        kept.append(f)
    return kept
