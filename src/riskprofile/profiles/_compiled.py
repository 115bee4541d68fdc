"""Compiled profiles: what :func:`~riskprofile.load_profiles` returns."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import rule_engine

from riskprofile._as_of import AsOf, as_of_datetime
from riskprofile.errors import ArgumentError, NotPicklableError, ProfileError
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._explain import record_of, render_explanation, show_value
from riskprofile.profiles._expressions import Condition
from riskprofile.profiles._schema import Indicator, Profile

if TYPE_CHECKING:
    from riskprofile.lists.shared import Screen, ScreenMatch

__all__ = [
    "Location",
    "CompiledCondition",
    "CompiledIndicator",
    "CompiledList",
    "CompiledProfile",
    "IndicatorResult",
    "ListEntry",
    "ProfileSet",
]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a part of a profile is written: file, 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One entry of a watch list.

    Attributes:
        value: the value conditions compare (text written the way the fields it is
            compared with are written, or a Decimal in a ``number`` list).
        expires: when the entry stops being in force (UTC); None: it never expires. The
            entry is in force while ``as_of < expires``.
        columns: what the list says about the entry, as written: the standard columns
            ``value``, ``expires``, ``added``, ``source``, ``reason``, ``owner`` when
            given, and any other column of a list file. Explanations quote them.
        location: where the entry is written (the list file's row, or the YAML value).
    """

    value: Any
    expires: dt.datetime | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    location: Location | None = None

    def in_force(self, as_of: dt.datetime) -> bool:
        """Whether the entry is in force at ``as_of`` (naive times are UTC)."""
        if self.expires is None:
            return True
        return _utc(as_of) < self.expires


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class CompiledList:
    """A watch list as conditions see it: its entries, and the values in force at the
    evaluation time (``$name`` is :meth:`at` the run's ``as_of`` in both engines).

    Attributes:
        name: the list name (``$name``).
        kind: ``string`` or ``number``.
        entries: every entry, in the order written (an overlay's after its base's).
        columns: the column names an explanation may quote (``{$name.column}``).
        written_as: how its values are written, when they were normalised for the fields
            they are compared with (``UN/LOCODE``, ``name``...); None when kept as written.
        values: every entry's value, expired or not.
    """

    __slots__ = ("_all", "_by_value", "_cache", "_expiries", "columns", "entries", "kind",
                 "name", "screen", "values", "written_as")  # fmt: skip

    def __init__(
        self,
        name: str,
        kind: str,
        entries: tuple[ListEntry, ...],
        columns: tuple[str, ...] = (),
        written_as: str | None = None,
    ) -> None:
        self.name = name
        self.kind = kind
        self.entries = entries
        self.columns = columns
        self.written_as = written_as
        self.values: frozenset[Any] = frozenset(e.value for e in entries)
        self._all: set[Any] = set(self.values)
        self._by_value: dict[Any, list[ListEntry]] | None = None  # made when first asked
        self._cache: tuple[dt.datetime, set[Any]] | None = None
        self._expiries: list[dt.datetime] = sorted({e.expires for e in entries if e.expires})
        self.screen: Screen | None = None

    def match_traders(self, threshold: float | None = None) -> None:
        """Compare the list with parties as traders from now on (``match: trader``, see
        :mod:`riskprofile.lists._screening`): its values in force are then a
        :class:`~riskprofile.lists._screening.ScreenedValues`. Called once, when the
        list is compiled."""
        from riskprofile.lists.shared import DEFAULT_THRESHOLD, ScreenedValues, TraderScreen

        chosen = DEFAULT_THRESHOLD if threshold is None else threshold
        self.screen = TraderScreen(self.entries, chosen)
        self._all = ScreenedValues(self.values, self.screen)
        self._cache = None

    def match_keys(self, secret: str) -> None:
        """Compare the list's values, partner PCUs' party keys, with the key of a party's
        name under ``secret`` from now on (``match: party_key``, see
        :mod:`riskprofile.lists._party_keys`); matched as trader lists are (the same
        engine code). Called once, when the list is compiled."""
        from riskprofile.lists.shared import KeyScreen, ScreenedValues

        self.screen = KeyScreen(self.entries, secret)
        self._all = ScreenedValues(self.values, self.screen)
        self._cache = None

    @property
    def matched_by_trader(self) -> bool:
        """Whether the list is compared with parties as traders (``match: trader``), or
        by their names' keys (``match: party_key``)."""
        return self.screen is not None

    @property
    def expiring(self) -> bool:
        """Whether any entry has an expiry."""
        return bool(self._expiries)

    def at(self, as_of: dt.datetime | None) -> set[Any]:
        """The values in force at ``as_of`` (every value when None). The set returned is
        shared: do not change it."""
        if as_of is None or not self.expiring:
            return self._all
        as_of = _utc(as_of)
        cached = self._cache
        if cached is not None and cached[0] == as_of:
            return cached[1]
        values = {e.value for e in self.entries if e.in_force(as_of)}
        if self.screen is not None:
            from riskprofile.lists.shared import ScreenedValues

            values = ScreenedValues(values, self.screen)
        self._cache = (as_of, values)
        return values

    def epoch(self, as_of: dt.datetime) -> int:
        """How many of the entries' expiry times have passed at ``as_of``: two times with
        the same epoch have the same values in force (an entry is in force while
        ``as_of < expires``)."""
        return bisect.bisect_right(self._expiries, _utc(as_of))

    def entry(self, value: Any, as_of: dt.datetime | None) -> ListEntry | None:
        """The first entry (in the order written) for ``value`` in force at ``as_of``."""
        if self._by_value is None:
            by_value: dict[Any, list[ListEntry]] = {}
            for item in self.entries:
                by_value.setdefault(item.value, []).append(item)
            self._by_value = by_value
        for entry in self._by_value.get(value, ()):
            if as_of is None or entry.in_force(as_of):
                return entry
        return None

    def expired(self, as_of: dt.datetime) -> tuple[ListEntry, ...]:
        """The entries past their expiry at ``as_of``."""
        return tuple(e for e in self.entries if not e.in_force(as_of))

    def __repr__(self) -> str:
        return f"<CompiledList ${self.name} {len(self.entries)} entries>"


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    """One indicator evaluated on one shipment.

    ``hit`` is false when the condition does not hold *or* cannot be evaluated; then
    ``problem`` says why (typically a field it needs is null), so nothing is silent.
    """

    indicator_id: str
    hit: bool
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    """A compiled profile exception (a condition that suppresses the profile)."""

    id: str
    condition: Condition

    def holds(self, record: Mapping[str, Any], as_of: AsOf) -> tuple[bool, str | None]:
        """Whether the exception holds, and the problem when it cannot be evaluated
        (``as_of`` as for :meth:`CompiledProfile.evaluate`)."""
        try:
            return self.condition.evaluate(record, as_of), None
        except rule_engine.EngineError as exc:
            return False, _reason(exc, self.condition)


def _reason(exc: Exception, condition: Condition) -> str:
    message = str(getattr(exc, "message", exc))
    nulls = ", ".join(sorted(condition.fields))
    return f"cannot be evaluated ({message}); fields used: {nulls or 'none'}"


@dataclass(frozen=True, slots=True)
class CompiledIndicator:
    """An indicator with its compiled condition.

    ``quoted`` holds, for each list its explanation quotes (``{$list.column}``), the list
    and the fields its condition compares with the list, in the order written: the
    matched entry is the first entry in force for the first of their values that is in
    the list (a list field's elements in order).
    """

    indicator: Indicator
    condition: Condition
    quoted: Mapping[str, tuple[CompiledList, tuple[str, ...]]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The indicator's id."""
        return self.indicator.id

    @property
    def weight(self) -> Decimal:
        """Points added to the profile score on a hit."""
        return self.indicator.weight

    def evaluate(self, record: Mapping[str, Any], as_of: AsOf) -> IndicatorResult:
        """Evaluate on a record made by :func:`record_of` (``as_of`` as for
        :meth:`CompiledProfile.evaluate`)."""
        try:
            hit = self.condition.evaluate(record, as_of)
        except rule_engine.EngineError as exc:
            return IndicatorResult(self.id, False, _reason(exc, self.condition))
        return IndicatorResult(self.id, hit)

    def explain(self, shipment: Shipment, as_of: dt.datetime | None = None) -> str:
        """The explanation for the officer, with the shipment's values filled in and the
        matched list entries' columns quoted (the entries in force at ``as_of``)."""

        def quote(name: str, column: str) -> str:
            return self.quote(name, column, lambda f: getattr(shipment, f, None), as_of)

        return render_explanation(self.indicator.explain or self.indicator.title, shipment, quote)

    def trader_match(
        self, name: str, value_of: Callable[[str], Any], as_of: dt.datetime | None
    ) -> ScreenMatch | None:
        """How a party of the shipment matched trader list ``name`` (``match: trader``):
        the first party compared with it, in the order written, that is an entry in
        force at ``as_of``; None when none is (or the list is matched exactly)."""
        from riskprofile.lists.shared import ScreenedValues, party_fields

        watch, fields = self.quoted[name]
        values = watch.at(as_of)
        if not isinstance(values, ScreenedValues):
            return None
        for field_name in fields:
            if not field_name.endswith("_name"):
                continue  # a party's identifier or country, read with its name
            identifier, party_name, country = party_fields(field_name[: -len("_name")])
            party = (
                value_of(identifier) if identifier else None,
                value_of(party_name),
                value_of(country) if country else None,
            )
            if party[1] is None:
                continue
            found = values.match(party)
            if found is not None:
                return found
        return None

    def matched_entry(
        self, name: str, value_of: Callable[[str], Any], as_of: dt.datetime | None
    ) -> ListEntry | None:
        """The entry of list ``name`` the shipment matched (``value_of``: a field's value
        by name), or None."""
        watch, fields = self.quoted[name]
        if watch.matched_by_trader:
            screened = self.trader_match(name, value_of, as_of)
            return screened.entry if screened is not None else None
        for field_name in fields:
            value = value_of(field_name)
            for item in value if isinstance(value, list | tuple) else (value,):
                if item is None:
                    continue
                if watch.kind == "number" and not isinstance(item, str | bool):
                    item = Decimal(repr(item)) if isinstance(item, float) else Decimal(item)
                found = watch.entry(item, as_of)
                if found is not None:
                    return found
        return None

    def quote(
        self, name: str, column: str, value_of: Callable[[str], Any], as_of: dt.datetime | None
    ) -> str:
        """``{$name.column}`` for a shipment (``value_of``: its fields by name): the
        matched entry's column as written, "unknown" when empty or nothing matched (of a
        trader list, also how the party matched: ``match``, ``method``, ``score``,
        ``party``)."""
        from riskprofile.lists.shared import MATCH_COLUMNS

        watch = self.quoted[name][0]
        if watch.matched_by_trader and column in MATCH_COLUMNS and column not in watch.columns:
            found = self.trader_match(name, value_of, as_of)
            return found.column(column) if found is not None else "unknown"
        entry = self.matched_entry(name, value_of, as_of)
        if entry is None:
            return "unknown"
        if column == "value" and "value" not in entry.columns:
            return show_value(entry.value)
        return entry.columns.get(column) or "unknown"


@dataclass(frozen=True)
class CompiledProfile:
    """A resolved, compiled profile ready for evaluation.

    Attributes:
        profile: the resolved profile (overlays applied).
        source: the file it was defined in (the overlay's file for an overlay).
        fingerprint: ``sha256:...`` of its canonical resolved form, for audit trails.
        indicators, exceptions: compiled conditions, in profile order.
        lists: the watch lists' values, expired entries' included.
        extends: the ids of the profiles it adapts, base first (empty for a base).
        positions: where each part is written: keys ``profile``, ``indicator:<id>``,
            ``exception:<id>``, ``list:<name>``.
        watch_lists: the watch lists with their entries (expiry, columns).
    """

    profile: Profile
    source: str
    fingerprint: str
    indicators: tuple[CompiledIndicator, ...]
    exceptions: tuple[CompiledCondition, ...]
    lists: Mapping[str, frozenset[Any]] = field(default_factory=dict)
    extends: tuple[str, ...] = ()
    positions: Mapping[str, Location] = field(default_factory=dict)
    watch_lists: Mapping[str, CompiledList] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The profile id."""
        return self.profile.id

    @property
    def version(self) -> int:
        """The profile version."""
        return self.profile.version

    def __reduce__(self) -> tuple[Any, ...]:
        # rule-engine 5.1.0's compiled rules pickle but do not load back (an
        # AttributeError on its array type): refuse here rather than in the worker.
        raise NotPicklableError(
            f"a compiled profile ({self.id}) does not pickle: pickle its ProfileSet (it "
            "loads again from its files in the other process) or load the profiles there"
        )

    def expired_lists(self, as_of: dt.datetime) -> list[str]:
        """The names of the watch lists whose every entry has expired at ``as_of``: they
        can match nothing (a list without entries is not one)."""
        return [
            name
            for name, watch in sorted(self.watch_lists.items())
            if watch.entries and len(watch.expired(as_of)) == len(watch.entries)
        ]

    def indicator(self, indicator_id: str) -> CompiledIndicator:
        """The compiled indicator with this id (KeyError if none)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def evaluate(self, shipment: Shipment, as_of: AsOf) -> tuple[list[IndicatorResult], str | None]:
        """Every indicator's result on ``shipment`` and the exception that suppresses the
        profile, if one holds (then no indicator is evaluated).

        ``as_of`` is taken as :func:`riskprofile.score` takes it: a datetime, a date
        (midnight UTC) or an ISO 8601 string (``"2026-11-02"``).
        """
        as_of = as_of_datetime(as_of)
        record = record_of(shipment)
        for exc in self.exceptions:
            holds, _problem = exc.holds(record, as_of)
            if holds:
                return [], exc.id
        return [ind.evaluate(record, as_of) for ind in self.indicators], None


@dataclass(frozen=True)
class ProfileSet:
    """The compiled profiles of a load, sorted by id.

    Attributes:
        profiles: the profiles, sorted by id.
        country: the country whose overlays were applied, if any.
        out_of_scope: profile id -> why it was left out for that country (its
            ``countries`` do not include it); a scoring run lists them as skipped.
        reloader: how the set was loaded (the same call again), for :meth:`reload`;
            None for a set made by hand.
    """

    profiles: tuple[CompiledProfile, ...]
    country: str | None = None
    out_of_scope: Mapping[str, str] = field(default_factory=dict, compare=False)
    reloader: Callable[[], ProfileSet] | None = field(default=None, compare=False, repr=False)

    def reload(self) -> ProfileSet:
        """The set loaded again from the same files, with the same options (country,
        bundled library, lock), as a new set: every file is read, validated and
        compiled first, so a problem anywhere raises
        (:class:`~riskprofile.errors.ProfileSetError`) and no set is made. This set is
        immutable and stays as it was: swap the new one in with one assignment
        (``profiles = profiles.reload()``), and a scoring run holds one set or the
        other, never a mix. What a half-written file that still parses can do is in
        ``docs/profiles.md`` (lock the folder: :func:`~riskprofile.profiles.lock_profiles`).
        """
        if self.reloader is None:
            raise ArgumentError(
                "this profile set was not loaded from files (load_profiles or "
                "load_all_profiles): there is nothing to reload it from",
                argument="self",
            )
        return self.reloader()

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled conditions do not pickle (CompiledProfile.__reduce__): a set travels as
        # the call that loaded it and the fingerprints it had, and loads again there.
        if self.reloader is None:
            raise NotPicklableError(
                "a profile set made by hand does not pickle: load it with load_profiles "
                "(it then loads again from its files in the other process)"
            )
        return (_unpickled_set, (self.reloader, self.fingerprints))

    def __iter__(self) -> Iterator[CompiledProfile]:
        return iter(self.profiles)

    def __len__(self) -> int:
        return len(self.profiles)

    def __getitem__(self, profile_id: str) -> CompiledProfile:
        for profile in self.profiles:
            if profile.id == profile_id:
                return profile
        raise KeyError(profile_id)

    @property
    def fingerprints(self) -> dict[str, str]:
        """Profile id -> fingerprint, for the audit trail of a scoring run."""
        return {p.id: p.fingerprint for p in self.profiles}


def _unpickled_set(reloader: Callable[[], ProfileSet], fingerprints: dict[str, str]) -> ProfileSet:
    """A pickled :class:`ProfileSet` loaded again from its files, refused unless its
    profiles are the ones pickled (same ids and fingerprints)."""
    loaded = reloader()
    if loaded.fingerprints != fingerprints:
        changed = sorted(
            pid for pid in set(fingerprints) | set(loaded.fingerprints)
            if fingerprints.get(pid) != loaded.fingerprints.get(pid)
        )  # fmt: skip
        raise ProfileError(
            "the profiles changed on disk since the set was pickled, so the other process "
            f"would score with other profiles: {', '.join(changed)}; load them again in "
            "both processes",
            code="io",
        )
    return loaded
