"""Overlays: a profile that names a ``base`` and changes it (indicators, exceptions, bands,
lists added, changed or removed), resolved in order with cycles and depth
(:data:`MAX_OVERLAY_DEPTH`) refused, each change remembering where it was written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from riskprofile.profiles._list_entries import _list_entries
from riskprofile.profiles._schema import Indicator, ListChange, Overlay, Profile, ProfileException
from riskprofile.profiles._sources import _Errors, _location, _Origin, _Resolved, _Source, _suggest

MAX_OVERLAY_DEPTH = 16
"""Most overlays that may stack on one base profile (base -> national -> port is 2)."""


def _resolve_base(source: _Source, errors: _Errors) -> _Resolved:
    profile = source.model
    assert isinstance(profile, Profile)
    resolved = _Resolved(profile=profile, origin=source, chain=(profile.id,))
    for name, watch in profile.lists.items():
        entries = _list_entries(watch, source, ("lists", name), errors)
        if entries is None:
            # Compile with the list empty, so that the conditions' own problems are
            # reported too; the profile is dropped after compiling.
            resolved.failed = True
            entries = ()
        resolved.lists[name] = (watch.type, entries, _Origin(source, ("lists", name)))
    for i, ind in enumerate(profile.indicators):
        resolved.parts[("indicator", ind.id)] = _Origin(source, ("indicators", i))
    for i, exc in enumerate(profile.exceptions):
        resolved.parts[("exception", exc.id)] = _Origin(source, ("exceptions", i))
    return resolved


def _plain_number(value: Any) -> Any:
    """A list value as the schema types it (numbers are kept as Decimal internally)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _apply_overlay(base: _Resolved, source: _Source, errors: _Errors) -> _Resolved | None:
    overlay = source.model
    assert isinstance(overlay, Overlay)
    parent = base.profile
    known = {i.id for i in parent.indicators}
    ok = True
    for key, ids in (("disable", overlay.disable), ("override", list(overlay.override))):
        for index, ind_id in enumerate(ids):
            if ind_id not in known:
                path = (key, index) if key == "disable" else (key, ind_id)
                errors.at(source, source.doc.position(path),
                          f"{key}: {parent.id} has no indicator {ind_id!r}", "overlay",
                          _suggest(ind_id, known), overlay.resolved_id)  # fmt: skip
                ok = False
    indicators: list[Indicator] = []
    for ind in parent.indicators:
        if ind.id in overlay.disable:
            continue
        change = overlay.override.get(ind.id)
        if change is not None:
            update: dict[str, Any] = {}
            if change.weight is not None:
                update["weight"] = change.weight
            if change.lane is not None:
                update["lane"] = None if change.lane == "none" else change.lane
            if change.explain is not None:
                update["explain"] = change.explain
            ind = ind.model_copy(update=update)
        indicators.append(ind)
    parts = {
        k: v for k, v in base.parts.items() if not (k[0] == "indicator" and k[1] in overlay.disable)
    }
    for ind_id in overlay.override:
        # A problem an override causes is the overlay's: point at its override entry.
        parts[("indicator", ind_id)] = _Origin(source, ("override", ind_id))
    for i, ind in enumerate(overlay.indicators):
        if ind.id in known:
            where = _location(base.parts[("indicator", ind.id)])
            errors.at(source, source.doc.position(("indicators", i, "id")),
                      f"indicator {ind.id!r} already exists in {parent.id} "
                      f"({where.path}:{where.line}): use 'override'",
                      "overlay", profile_id=overlay.resolved_id)  # fmt: skip
            ok = False
        indicators.append(ind)
        parts[("indicator", ind.id)] = _Origin(source, ("indicators", i))
    exceptions: list[ProfileException] = list(parent.exceptions)
    for i, exc in enumerate(overlay.exceptions):
        if ("exception", exc.id) in base.parts:
            where = _location(base.parts[("exception", exc.id)])
            errors.at(source, source.doc.position(("exceptions", i, "id")),
                      f"exception {exc.id!r} already exists in {parent.id} "
                      f"({where.path}:{where.line}): give this one a new id",
                      "overlay", profile_id=overlay.resolved_id)  # fmt: skip
            ok = False
        exceptions.append(exc)
        parts[("exception", exc.id)] = _Origin(source, ("exceptions", i))
    lists = dict(base.lists)
    new_lists = dict(parent.lists)
    for name, list_change in overlay.lists.items():
        base_kind = (
            lists[name][0] if name in lists and isinstance(list_change, ListChange) else None
        )
        values = _list_entries(list_change, source, ("lists", name), errors, base_kind)
        if values is None:
            ok = False
            continue
        if isinstance(list_change, ListChange):
            if name not in lists:
                errors.at(source, source.doc.position(("lists", name)),
                          f"{parent.id} has no list {name!r} to change", "overlay",
                          _suggest(name, lists), overlay.resolved_id)  # fmt: skip
                ok = False
                continue
            kind, old, _ = lists[name]
            merged = old + values if list_change.extend is not None else values
            lists[name] = (kind, merged, _Origin(source, ("lists", name)))
            merged_plain = list(dict.fromkeys(_plain_number(e.value) for e in merged))
            new_lists[name] = parent.lists[name].model_copy(
                update={"values": merged_plain, "file": None,
                        "source": list_change.source or parent.lists[name].source}
            )  # fmt: skip
        else:
            lists[name] = (list_change.type, values, _Origin(source, ("lists", name)))
            new_lists[name] = list_change.model_copy(
                update={
                    "values": list(dict.fromkeys(_plain_number(e.value) for e in values)),
                    "file": None,
                }
            )
    if not ok:
        return None
    meta: dict[str, Any] = {
        k: getattr(overlay, k)
        for k in ("title", "owner", "valid_from", "valid_to", "review_date", "status",
                  "rationale", "instructions")
        if getattr(overlay, k) is not None
    }  # fmt: skip
    try:
        profile = Profile.model_validate(
            {
                **parent.model_dump(
                    exclude={"lists", "indicators", "exceptions", "bands", "examples"}
                ),
                **meta,
                "id": overlay.resolved_id,
                "version": overlay.version,
                "countries": [overlay.country],
                "lists": {k: v.model_dump() for k, v in new_lists.items()},
                "indicators": [i.model_dump() for i in indicators],
                "exceptions": [e.model_dump() for e in exceptions],
                "bands": [
                    b.model_dump()
                    for b in (overlay.bands if overlay.bands is not None else parent.bands)
                ],
                "examples": [e.model_dump() for e in overlay.examples],
            }
        )
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            errors.at(source, source.doc.position(()), f"resolved profile: {err['msg']}",
                      "overlay", profile_id=overlay.resolved_id)  # fmt: skip
        return None
    return _Resolved(profile, source, lists, parts, (*base.chain, profile.id), base.failed)


def _cycle_text(members: list[str]) -> str:
    """``a -> b -> c -> a``; a long cycle shows its ends and how many are between."""
    shown = members
    if len(members) > 8:
        shown = [*members[:3], f"({len(members) - 6} more)", *members[-3:]]
    return " -> ".join([*shown, members[0]])


def _resolve_overlays(
    overlays: dict[str, _Source],
    bases: dict[str, _Source],
    resolved: dict[str, _Resolved],
    errors: _Errors,
) -> None:
    """Apply every overlay to its parent, parents first, into ``resolved``.

    Iterative, so that no chain or cycle length can exhaust Python's stack, and linear:
    each overlay is walked to once, then applied once. A cycle is reported at each of
    its overlays; a chain more than :data:`MAX_OVERLAY_DEPTH` overlays above its base is
    refused at the first overlay too many. An overlay whose parent failed is dropped
    without a second report.
    """
    failed: set[str] = set()
    depth = dict.fromkeys(resolved, 0)
    for start in overlays:
        # Walk up to something already settled: a base, a resolved or failed overlay,
        # a missing parent, or an overlay met before on this walk (a cycle).
        walk: list[str] = []
        on_walk: dict[str, int] = {}
        key = start
        while key in overlays and key not in resolved and key not in failed:
            if key in on_walk:
                members = walk[on_walk[key] :]
                for i, member in enumerate(members):
                    source = overlays[member]
                    errors.at(source, source.doc.position(("extends",)),
                              f"overlay cycle: {_cycle_text(members[i:] + members[:i])}",
                              "cycle", profile_id=member)  # fmt: skip
                failed.update(members)
                break
            on_walk[key] = len(walk)
            walk.append(key)
            overlay = overlays[key].model
            assert isinstance(overlay, Overlay)
            key = overlay.extends
        for key in reversed(walk):
            if key in failed:
                continue
            source = overlays[key]
            overlay = source.model
            assert isinstance(overlay, Overlay)
            parent_key = overlay.extends
            parent = resolved.get(parent_key)
            if parent is None:
                if (
                    parent_key not in overlays
                    and parent_key not in bases
                    and (parent_key not in errors.failed_ids)
                ):
                    others = [k for k in (*bases, *overlays) if k != key]
                    errors.at(source, source.doc.position(("extends",)),
                              f"extends {parent_key!r}, which no loaded profile defines",
                              "missing_parent", _suggest(parent_key, others), key)  # fmt: skip
                failed.add(key)
                continue
            if depth[parent_key] >= MAX_OVERLAY_DEPTH:
                errors.at(source, source.doc.position(("extends",)),
                          f"{key!r} would be overlay number {depth[parent_key] + 1} on "
                          f"{parent.chain[0]!r}; at most {MAX_OVERLAY_DEPTH} overlays may "
                          "stack (a national overlay and a port's are 2): extend an "
                          "overlay nearer the base", "overlay", profile_id=key)  # fmt: skip
                failed.add(key)
                continue
            result = _apply_overlay(parent, source, errors)
            if result is None:
                failed.add(key)
                continue
            resolved[key] = result
            depth[key] = depth[parent_key] + 1
