"""Loading a set of profile files: parse, validate, resolve overlays, compile.

Every problem becomes a :class:`~riskprofile.errors.ProfileError` with its file, line and
column. In collect-errors mode (the default) every problem of the set is gathered and
raised at once as a :class:`~riskprofile.errors.ProfileSetError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from riskprofile.errors import ProfileError, ProfileSetError, RecordError
from riskprofile.model.shared import validation_errors
from riskprofile.model.shipment import Shipment
from riskprofile.profiles._compiled import (
    CompiledCondition,
    CompiledIndicator,
    CompiledList,
    CompiledProfile,
    Location,
    ProfileSet,
)
from riskprofile.profiles._explain import explanation_fields, explanation_quotes
from riskprofile.profiles._expressions import (
    Condition,
    condition_builtins,
    custom_field_types,
    list_regex_problems,
)
from riskprofile.profiles._list_entries import _finish_list
from riskprofile.profiles._lists import list_comparisons, trader_list_uses
from riskprofile.profiles._lock import check_list_locks, check_locks
from riskprofile.profiles._overlays import _resolve_base, _resolve_overlays
from riskprofile.profiles._reuse import compile_reused
from riskprofile.profiles._schema import Indicator, Overlay, Profile, _country
from riskprofile.profiles._sources import (
    _Errors,
    _location,
    _Origin,
    _problem,
    _read_source,
    _Resolved,
    _Source,
    _suggest,
    profile_files,
)
from riskprofile.profiles._tree import field_types

__all__ = ["bundled_profiles_path", "fingerprint", "load_all_profiles", "load_profiles"]


# --- compiling -----------------------------------------------------------------------------


class _Slot:
    """A list's place in the conditions' context, filled once its values are final: they
    are normalised for the fields the compiled conditions compare them with."""

    __slots__ = ("list",)

    def __init__(self) -> None:
        self.list: CompiledList | None = None

    def at(self, as_of: dt.datetime | None) -> set[Any]:
        """The list's values in force at ``as_of``."""
        return self.list.at(as_of) if self.list is not None else set()

    def epoch(self, as_of: dt.datetime) -> int:
        """The list's epoch at ``as_of`` (see :meth:`CompiledList.epoch`)."""
        return self.list.epoch(as_of) if self.list is not None else 0


def _compile(resolved: _Resolved, errors: _Errors) -> CompiledProfile | None:
    profile = resolved.profile
    # Each condition reads the list through its slot: no copy of the values per condition.
    slots = {name: _Slot() for name in resolved.lists}
    lists = {name: (kind, slots[name]) for name, (kind, _, _) in resolved.lists.items()}
    names = frozenset(resolved.lists)
    custom = custom_field_types(profile.requires.extra)
    catalogue = {**field_types(), **custom}
    ok = True
    pending: list[tuple[Indicator, Condition, list[tuple[str, str]]]] = []
    builtins = condition_builtins(lists)  # one set for the profile's conditions

    def condition(kind: str, part_id: str, when: str) -> Condition | None:
        origin = resolved.parts[(kind, part_id)]
        compiled = compile_reused(when, lists, builtins=builtins, custom=custom)
        if isinstance(compiled, list):
            for problem in compiled:
                _problem(errors, origin, "when", problem, profile.id)
            return None
        return compiled

    for ind in profile.indicators:
        origin = resolved.parts[("indicator", ind.id)]
        compiled = condition("indicator", ind.id, ind.when)
        if compiled is None:
            ok = False
            continue
        quotes: list[tuple[str, str]] = []
        if ind.explain is not None:
            try:
                fields = explanation_fields(ind.explain)
                quotes = explanation_quotes(ind.explain)
            except ValueError as exc:
                errors.at(origin.source, origin.source.doc.position((*origin.path, "explain")),
                          f"explain: {exc}", "explain", profile_id=profile.id)  # fmt: skip
                ok = False
                continue
            for name in fields:
                if name not in catalogue:
                    errors.at(origin.source, origin.source.doc.position((*origin.path, "explain")),
                              f"explain: unknown field {{{name}}}", "unknown_field",
                              _suggest(name, catalogue), profile.id)  # fmt: skip
                    ok = False
        pending.append((ind, compiled, quotes))
    exceptions = []
    for exception in profile.exceptions:
        compiled = condition("exception", exception.id, exception.when)
        if compiled is None:
            ok = False
            continue
        exceptions.append(CompiledCondition(exception.id, compiled))
    ok = _check_examples(resolved, errors) and ok

    # The fields each list is compared with, over every condition, in the order written.
    compared: dict[str, list[str]] = {name: [] for name in names}
    # Each condition's (list, field) pairs, worked out once: the quotes need them too.
    own = [list_comparisons(c.rule.statement, names) for _, c, _ in pending]
    for pairs in own + [list_comparisons(e.condition.rule.statement, names) for e in exceptions]:
        for name, field_name in pairs:
            compared[name].append(field_name)
    watch_lists: dict[str, CompiledList] = {}
    traders = {n for n, w in profile.lists.items() if w.match != "exact"} & names
    parts = [(("indicator", ind.id), c) for ind, c, _ in pending]
    parts += [(("exception", e.id), e.condition) for e in exceptions]
    ok = _check_trader_lists(resolved, traders, parts, errors) and ok
    for name, (kind, entries, origin) in resolved.lists.items():
        fields_of = tuple(dict.fromkeys(compared[name]))
        keyed = name in traders and profile.lists[name].match == "party_key"
        if keyed:  # keys, not names: kept as written
            fields_of = ()
        final = _finish_list(name, kind, entries, fields_of, origin, errors, profile.id)
        if final is None:
            ok = False
            continue
        if keyed:
            secret = _party_key_secret(resolved, name, final, errors)
            if secret is None:
                ok = False
                continue
            final.match_keys(secret)
        elif name in traders:
            final.match_traders(profile.lists[name].threshold)
        slots[name].list = watch_lists[name] = final
    # A regex built from a list's values is checked for each of the final values.
    for kind, part_id, cond in [("indicator", ind.id, c) for ind, c, _ in pending] + [
        ("exception", e.id, e.condition) for e in exceptions
    ]:
        for problem in list_regex_problems(cond, lists):
            _problem(errors, resolved.parts[(kind, part_id)], "when", problem, profile.id)
            ok = False

    indicators = []
    for (ind, compiled, quotes), pairs in zip(pending, own, strict=True):
        ind, quotes = _saying_how(ind, compiled, quotes, traders)
        quoted = _quoted(ind, compiled, pairs, quotes, watch_lists, resolved, errors, profile.id)
        if quoted is None:
            ok = False
            continue
        indicators.append(CompiledIndicator(ind, compiled, quoted))
    if not ok or resolved.failed:
        return None
    list_values = {
        name: tuple(dict.fromkeys(e.value for e in watch.entries))
        for name, watch in watch_lists.items()
    }
    positions: dict[str, Location] = {"profile": _location(_Origin(resolved.origin, ()))}
    for (kind, part_id), origin in resolved.parts.items():
        positions[f"{kind}:{part_id}"] = _location(origin)
    for name, (_, _, origin) in resolved.lists.items():
        positions[f"list:{name}"] = _location(origin)
    for name in profile.requires.extra:
        where = ("requires", "extra", name)
        positions[f"requires:{name}"] = _location(_Origin(resolved.origin, where))
    for index in range(len(profile.examples)):
        # An overlay's examples are its own; a base's are in the base file.
        positions[f"example:{index}"] = _location(_Origin(resolved.origin, ("examples", index)))
    return CompiledProfile(
        profile=profile,
        source=resolved.origin.path,
        fingerprint=fingerprint(profile, list_values, watch_lists),
        indicators=tuple(indicators),
        exceptions=tuple(exceptions),
        lists={name: watch.values for name, watch in watch_lists.items()},
        extends=resolved.chain[:-1],
        positions=positions,
        watch_lists=watch_lists,
    )


def _check_examples(resolved: _Resolved, errors: _Errors) -> bool:
    """Every example names shipment fields with values of their type, and indicators the
    profile has (each in ``hits`` or ``misses``, not both); false when one does not."""
    profile, source = resolved.profile, resolved.origin
    doc = source.doc
    fields = Shipment.model_fields
    indicators = [ind.id for ind in profile.indicators]
    ok = True

    def error(path: tuple[str | int, ...], message: str, suggestion: str | None = None) -> None:
        nonlocal ok
        ok = False
        errors.at(source, doc.position(path), message, "example", suggestion, profile.id)

    for index, example in enumerate(profile.examples):
        at: tuple[str | int, ...] = ("examples", index)
        name = f"example {example.name!r}"
        # A custom field the profile declares (requires: extra:) is a field of its own.
        custom = {f"x_{name}" for name in profile.requires.extra}
        for key in example.shipment:
            if key not in fields and key not in custom:
                error((*at, "shipment", key), f"{name}: unknown shipment field {key!r}",
                      _suggest(key, fields))  # fmt: skip
        known = {k: v for k, v in example.shipment.items() if k in fields}
        try:
            Shipment.model_validate(known)
        except RecordError as exc:
            for err in validation_errors(exc):
                field_name = str(err["loc"][0]) if err["loc"] else "shipment"
                error((*at, "shipment", field_name),
                      f"{name}: {field_name}: {err['msg']} (got {err.get('input')!r})")  # fmt: skip
        for key in ("hits", "misses"):
            for position, ind_id in enumerate(getattr(example, key)):
                if ind_id not in indicators:
                    error((*at, key, position),
                          f"{name}: {key} names {ind_id!r}, which is no indicator of "
                          f"{profile.id}", _suggest(ind_id, indicators))  # fmt: skip
        for position, ind_id in enumerate(example.misses):
            if ind_id in example.hits:
                error((*at, "misses", position),
                      f"{name}: {ind_id!r} is in both hits and misses")  # fmt: skip
    return ok


def _check_trader_lists(
    resolved: _Resolved,
    traders: set[str],
    parts: list[tuple[tuple[str, str], Condition]],
    errors: _Errors,
) -> bool:
    """Every use of a trader list (``match: trader``) is a party screening
    (``consignee_name in $list``); false, each other use reported, when one is not."""
    if not traders:  # most profiles: the lists package (and its XML readers) stays unread
        return True
    from riskprofile.lists.shared import SCREENED_ROLES

    ok = True
    for name in sorted(traders):
        how = f"match: {resolved.profile.lists[name].match}"  # trader, or party_key
        by = "trader" if how == "match: trader" else "party key"
        used = False
        for part, cond in parts:
            fields, other = trader_list_uses(cond.rule.statement, name)
            used = used or bool(fields)
            if other:
                origin = resolved.parts[part]
                parties = ", ".join(f"{r}_name" for r in SCREENED_ROLES)
                errors.at(origin.source, origin.source.doc.position((*origin.path, "when")),
                          f"${name} is matched by {by} ({how}): a condition may "
                          f"only test a party's name with it ('consignee_name in ${name}'), "
                          "not use it otherwise", "list",
                          f"compare one of {parties} with it, or declare a list of its own "
                          f"without '{how}'", resolved.profile.id)  # fmt: skip
                ok = False
        if not used and ok:
            origin = _Origin(resolved.origin, ("lists", name))
            errors.at(origin.source, origin.source.doc.position(origin.path),
                      f"${name} is matched by {by} ({how}) but no condition tests "
                      "a party's name with it, so it can never match", "list",
                      f"use it as 'consignee_name in ${name}' or drop '{how}'",
                      resolved.profile.id)  # fmt: skip
            ok = False
    return ok


def _party_key_secret(
    resolved: _Resolved, name: str, final: CompiledList, errors: _Errors
) -> str | None:
    """The secret of a party-key list (``match: party_key``), from the environment
    variable its ``secret_env`` names; None (and why reported) when it is not set, or
    when a value is not a party key: such a list could never match, and says so."""
    from riskprofile.lists.shared import PARTY_KEY_PATTERN

    watch = resolved.profile.lists[name]
    origin = _Origin(resolved.origin, ("lists", name))
    where = origin.source.doc.position(origin.path)
    bad = [str(e.value) for e in final.entries if not PARTY_KEY_PATTERN.fullmatch(str(e.value))]
    if bad:
        errors.at(origin.source, where,
                  f"${name} is matched by party key (match: party_key), and {bad[0][:40]!r} "
                  "is not a party key (pk1: and 64 hex digits)", "list",
                  "read the keys a partner's party warnings carry: "
                  "partner_warning_party_keys.csv of `riskprofile exchange import`",
                  resolved.profile.id)  # fmt: skip
        return None
    variable = str(watch.secret_env)
    secret = os.environ.get(variable)
    if not secret:
        errors.at(origin.source, where,
                  f"${name} is matched by party key (match: party_key) and ${variable} is "
                  f"{'empty' if secret == '' else 'not set'}: without the secret no party "
                  "can ever match", "list",
                  f"set {variable} to the secret shared with the partner PCU (the salt of "
                  "the redaction policy agreed with it)", resolved.profile.id)  # fmt: skip
        return None
    return secret


def _saying_how(
    ind: Indicator, compiled: Condition, quotes: list[tuple[str, str]], traders: set[str]
) -> tuple[Indicator, list[tuple[str, str]]]:
    """``ind`` with its explanation saying how each trader list it tests matched
    (``{$list.match}`` added when it does not quote it): a party matched by a close name
    must never reach the officer as if it were the name listed."""
    quoted = {(n, c) for n, c in quotes}
    missing = [
        n for n in sorted(traders)
        if trader_list_uses(compiled.rule.statement, n)[0] and (n, "match") not in quoted
    ]  # fmt: skip
    if not missing:
        return ind, quotes
    added = "".join(f" ({{${n}.match}})" for n in missing)
    template = (ind.explain or ind.title) + added
    return ind.model_copy(update={"explain": template}), [*quotes, *((n, "match") for n in missing)]


def _quoted(
    ind: Indicator,
    compiled: Condition,
    own: list[tuple[str, str]],
    quotes: list[tuple[str, str]],
    watch_lists: dict[str, CompiledList],
    resolved: _Resolved,
    errors: _Errors,
    profile_id: str,
) -> dict[str, tuple[CompiledList, tuple[str, ...]]] | None:
    """The lists ``ind``'s explanation quotes, with the fields its condition compares
    with each (the matched entry is found through them; ``own``: its
    :func:`list_comparisons`); None when a quote is wrong."""
    origin = resolved.parts[("indicator", ind.id)]
    position = origin.source.doc.position((*origin.path, "explain"))
    quoted: dict[str, tuple[CompiledList, tuple[str, ...]]] = {}
    ok = True
    for name, column in quotes:
        placeholder = f"{{${name}.{column}}}"
        if name not in resolved.lists:
            errors.at(origin.source, position, f"explain: {placeholder}: unknown list ${name}",
                      "unknown_list", _suggest(name, resolved.lists), profile_id)  # fmt: skip
            ok = False
            continue
        fields = tuple(dict.fromkeys(f for n, f in own if n == name))
        watch = watch_lists.get(name)
        extra: tuple[str, ...] = ()
        if watch is not None and watch.matched_by_trader:
            from riskprofile.lists.shared import MATCH_COLUMNS, party_fields

            extra = MATCH_COLUMNS
            # The party's identifier and country are read with its name.
            names = trader_list_uses(compiled.rule.statement, name)[0]
            fields = tuple(
                f for n in names for f in party_fields(n[: -len("_name")]) if f is not None
            )
        if not fields:
            errors.at(origin.source, position,
                      f"explain: {placeholder}: the condition compares no field with ${name} "
                      "(as in 'field in $list'), so no entry can be said to have matched",
                      "explain", profile_id=profile_id)  # fmt: skip
            ok = False
            continue
        if watch is None:  # refused above
            ok = False
            continue
        if column not in watch.columns and column not in extra:
            errors.at(origin.source, position,
                      f"explain: {placeholder}: ${name} has no column {column!r} "
                      f"(its columns: {', '.join((*watch.columns, *extra))})", "explain",
                      _suggest(column, (*watch.columns, *extra)), profile_id)  # fmt: skip
            ok = False
            continue
        quoted[name] = (watch, fields)
    return quoted if ok else None


def fingerprint(
    profile: Profile,
    lists: dict[str, tuple[Any, ...]],
    watch_lists: Mapping[str, CompiledList] | None = None,
) -> str:
    """sha256 of the canonical resolved profile: sorted-key JSON of the model with every
    list's values (files included) and, for a list whose entries expire, each entry's
    expiry, so any change that can change a score changes it."""
    data = profile.model_dump(mode="json")
    for indicator in data["indicators"]:
        if indicator.get("fact") is None:  # fingerprints from before ``fact`` stay the same
            indicator.pop("fact", None)
    for declared in data["lists"].values():  # fingerprints from before ``match`` stay
        if declared.get("match") == "exact":
            declared.pop("match")
        if declared.get("threshold") is None:
            declared.pop("threshold", None)
        if declared.get("secret_env") is None:
            declared.pop("secret_env", None)
    data["lists"] = {
        name: {**data["lists"].get(name, {}), "values": [str(v) for v in values], "file": None}
        for name, values in sorted(lists.items())
    }
    for name, watch in (watch_lists or {}).items():
        if watch.expiring and name in data["lists"]:
            data["lists"][name]["expires"] = [
                [str(e.value), e.expires.isoformat() if e.expires else None] for e in watch.entries
            ]
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class _Loaded:
    compiled: dict[str, CompiledProfile]
    bases: dict[str, _Source]
    overlays: dict[str, _Source]


def _load(
    paths: str | Path | Sequence[str | Path], collect_errors: bool, lock: bool | None = None
) -> _Loaded:
    if isinstance(paths, str | Path):
        paths = [paths]
    errors = _Errors(collect_errors)
    files = profile_files(paths)
    sources = []
    for path in files:
        if not path.exists():
            errors.at(str(path), None, "no such file or folder", "io")
            continue
        source = _read_source(path, errors)
        if source is not None:
            sources.append(source)
    locked = check_locks(paths, {Path(s.path).resolve(): s.digest for s in sources}, lock)
    if locked:  # not the reviewed set: nothing of it is compiled
        for problem in locked:
            errors.add(problem)
        raise ProfileSetError(sorted(errors.found, key=lambda e: (e.path or "", e.line or 0)))

    bases: dict[str, _Source] = {}
    overlays: dict[str, _Source] = {}
    for source in sources:
        model = source.model
        key = model.id if isinstance(model, Profile) else model.resolved_id
        table = bases if isinstance(model, Profile) else overlays
        other = bases.get(key) or overlays.get(key)
        if other is not None:
            first = other.doc.position(("id",)) or other.doc.position(("extends",))
            at = f"{other.path}:{first.line}" if first else other.path
            errors.at(source, source.doc.position(("id",)) or source.doc.position(("extends",)),
                      f"profile id {key!r} is already used by {at}: give this one its own id",
                      "duplicate_id", profile_id=key)  # fmt: skip
            continue
        table[key] = source

    resolved: dict[str, _Resolved] = {}
    for key, source in bases.items():
        resolved[key] = _resolve_base(source, errors)

    _resolve_overlays(overlays, bases, resolved, errors)

    compiled: dict[str, CompiledProfile] = {}
    for key, item in resolved.items():
        done = _compile(item, errors)
        if done is not None:
            compiled[key] = done
    digests = {Path(k): v for k, v in errors.list_digests.items()}
    unlocked = check_list_locks(paths, digests, lock)  # the list files read, as read
    if unlocked:  # not the reviewed lists: what else their values would say is beside it
        raise ProfileSetError(sorted(unlocked, key=lambda e: e.path or ""))

    if errors.found:
        found = sorted(errors.found, key=lambda e: (e.path or "", e.line or 0, e.column or 0))
        raise ProfileSetError(found)
    return _Loaded(compiled, bases, overlays)


def load_profiles(
    paths: str | Path | Sequence[str | Path] = (),
    *,
    country: str | None = None,
    collect_errors: bool = True,
    bundled: bool = False,
    lock: bool | None = None,
) -> ProfileSet:
    """Load, validate, resolve and compile risk profiles.

    Args:
        paths: profile files or folders (searched recursively for ``*.yaml``/``*.yml``).
        country: ISO 3166 code of the PCU's country: its overlays (``extends`` with that
            ``country``) replace the profiles they adapt. Without it, base profiles are
            returned and every overlay is still checked against its base.
        collect_errors: gather every problem and raise them together
            (:class:`~riskprofile.errors.ProfileSetError`); when false, raise the first.
        bundled: also load the profile library that ships with riskprofile
            (:func:`bundled_profiles_path`), as ``--profiles bundled`` does on the
            command line: one's own profiles then sit beside the bundled ones, and one's
            own overlays can adapt them. A profile id in both is a duplicate (an error).
        lock: a folder among ``paths`` that holds a ``profiles.lock``
            (:func:`~riskprofile.profiles.lock_profiles`) loads only with exactly the
            files and bytes it locks (None, the default); ``True`` requires every folder
            among ``paths`` to be locked; ``False`` ignores the locks.

    Every file is read, validated and compiled before anything is returned: a problem
    anywhere raises, and no set is made (:meth:`ProfileSet.reload` builds on this).

    Raises:
        ProfileError: a problem, with its file, line and column (code ``lock`` for a
            file that is not what its folder's lock says).

    One's own folder beside the bundled library is
    ``load_profiles("my-profiles/", bundled=True)``; the bundled library alone:

    >>> profiles = load_profiles(bundled=True, country="PK")
    >>> "pk.narcotics.maritime-trafficking" in {p.id for p in profiles}  # PK's overlay
    True
    """
    if country is not None:
        try:
            country = _country(country.strip().upper())
        except ValueError as exc:
            # No overlay or scope would ever match: a silent run with the base profiles.
            raise ProfileError(f"country: {exc}", code="schema") from None
    sources = _with_bundled(paths, bundled)
    loaded = _load(sources, collect_errors, lock)
    compiled, bases, overlays = loaded.compiled, loaded.bases, loaded.overlays
    chosen: list[CompiledProfile] = []
    replaced: set[str] = set()
    if country is not None:
        for key, source in overlays.items():
            model = source.model
            if isinstance(model, Overlay) and model.country == country and key in compiled:
                chosen.append(compiled[key])
                replaced.update(compiled[key].extends)
    out_of_scope: dict[str, str] = {}
    for key, source in bases.items():
        scope = source.model.countries if isinstance(source.model, Profile) else []
        in_scope = country is None or not scope or country in scope
        if key in compiled and key not in replaced and in_scope:
            chosen.append(compiled[key])
        elif key in compiled and key not in replaced:
            out_of_scope[key] = f"not for {country} (countries: {', '.join(scope)})"
    # An overlay of an overlay replaces its parent overlay too.
    chosen = [p for p in chosen if p.profile.id not in replaced]
    return ProfileSet(
        tuple(sorted(chosen, key=lambda p: p.profile.id)),
        country=country,
        out_of_scope=dict(sorted(out_of_scope.items())),
        reloader=partial(load_profiles, sources, country=country, lock=lock),
    )


def load_all_profiles(
    paths: str | Path | Sequence[str | Path] = (),
    *,
    collect_errors: bool = True,
    bundled: bool = False,
    lock: bool | None = None,
) -> ProfileSet:
    """Every profile under ``paths`` (and the bundled library with ``bundled=True``, as
    for :func:`load_profiles`, ``lock`` too): the base profiles and every country's
    overlays, resolved and compiled (for validation, lint and ``riskprofile test``)."""
    sources = _with_bundled(paths, bundled)
    loaded = _load(sources, collect_errors, lock)
    return ProfileSet(
        tuple(sorted(loaded.compiled.values(), key=lambda p: p.id)),
        reloader=partial(load_all_profiles, sources, lock=lock),
    )


def _with_bundled(paths: str | Path | Sequence[str | Path], bundled: bool) -> list[str | Path]:
    """``paths`` as a list, with the bundled library first when ``bundled`` (once, even
    when ``paths`` names it too)."""
    listed: list[str | Path] = [paths] if isinstance(paths, str | Path) else list(paths)
    if not bundled:
        if not listed:
            raise ValueError("no profiles to load: pass paths, or bundled=True")
        return listed
    library = bundled_profiles_path()
    return [library, *(p for p in listed if Path(p).resolve() != library.resolve())]


def bundled_profiles_path() -> Path:
    """The folder of the profile library that ships with riskprofile.

    Installed packages carry it as ``riskprofile/bundled_profiles``; a source checkout
    (an editable install) uses the repository's ``profiles/`` folder.
    """
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "bundled_profiles", package.parent.parent / "profiles"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("the bundled profiles are missing from this installation")
