"""Screening party names against the profiles' name lists (``POST /v1/screen``).

A profile's condition ``consignee_name in $un_names`` matches a name exactly as written
(upper case, blanks folded). An analyst screening a new trader wants more: the entries a
name *resembles*, each with a score and the reason. Names are compared after the same
normalisation, then without legal forms (``LLC``, ``LTD``, ``CO``...) and punctuation,
then by rapidfuzz's token-set ratio (the words in any order, extra words tolerated),
0 to 100. Exact and near matches are listed first, ties in list and entry order, so the
answer is deterministic.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from riskprofile.profiles import CompiledProfile
from riskprofile.profiles.shared import list_comparisons

__all__ = ["NameList", "Match", "name_lists", "screen_name"]

_LEGAL_FORMS = frozenset(
    {
        "LLC",
        "LTD",
        "LIMITED",
        "CO",
        "COMPANY",
        "CORP",
        "CORPORATION",
        "INC",
        "GMBH",
        "SA",
        "SARL",
        "SRL",
        "BV",
        "NV",
        "AG",
        "PLC",
        "PVT",
        "PTE",
        "FZE",
        "FZCO",
        "FZ",
        "LLP",
        "JSC",
        "OOO",
        "TOO",
        "AO",
        "PJSC",
        "SDN",
        "BHD",
        "TRADING",
    }
)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class NameList:
    """One watch list of names (``written_as: name``) and the profile it belongs to."""

    name: str
    profile_id: str
    entries: tuple[tuple[str, dict[str, str]], ...]  # (value, columns) in force


@dataclass(frozen=True, slots=True)
class Match:
    """An entry a screened name resembles."""

    list: str
    profile_id: str
    entry: str
    score: float
    reason: str
    details: dict[str, str]


def name_lists(profiles: Iterable[CompiledProfile], as_of: dt.datetime | None) -> list[NameList]:
    """The profiles' lists of party names (a string list some condition compares with a
    ``*_name`` field: ``consignee_name in $watched``), with their entries in force at
    ``as_of``, in list-name order (a list name twice: the first profile's)."""
    out: dict[str, NameList] = {}
    for profile in profiles:
        names = frozenset(profile.watch_lists)
        conditions = [i.condition for i in profile.indicators]
        conditions += [e.condition for e in profile.exceptions]
        compared = {
            name
            for condition in conditions
            for name, field_name in list_comparisons(condition.rule.statement, names)
            if field_name.endswith("_name")
        }
        for name in sorted(compared):
            watch = profile.watch_lists[name]
            if watch.kind != "string" or name in out:
                continue
            entries = tuple(
                (str(e.value), dict(e.columns))
                for e in watch.entries
                if as_of is None or e.in_force(as_of)
            )
            out[name] = NameList(name, profile.id, entries)
    return [out[key] for key in sorted(out)]


def _folded(name: str) -> str:
    return " ".join(name.split()).upper()


def _core(name: str) -> str:
    words = [w for w in _WORD.findall(_folded(name)) if w not in _LEGAL_FORMS]
    return " ".join(words)


def screen_name(
    name: str, lists: Sequence[NameList], threshold: float = 85.0, limit: int = 5
) -> list[Match]:
    """The entries of ``lists`` that ``name`` resembles (score at least ``threshold``),
    best first, at most ``limit``."""
    from rapidfuzz import fuzz

    folded, core = _folded(name), _core(name)
    found: list[tuple[float, int, Match]] = []
    order = 0
    for watch in lists:
        for value, columns in watch.entries:
            order += 1
            if _folded(value) == folded:
                score, reason = 100.0, "the same name as the list writes it"
            elif core and _core(value) == core:
                score, reason = 99.0, "the same name without legal forms and punctuation"
            else:
                score = round(float(fuzz.token_set_ratio(core, _core(value))), 1)
                reason = "similar words (token-set ratio)"
            if score >= threshold:
                details = {k: v for k, v in columns.items() if k != "value" and v}
                found.append(
                    (
                        -score,
                        order,
                        Match(watch.name, watch.profile_id, value, score, reason, details),
                    )
                )
    found.sort(key=lambda item: (item[0], item[1]))
    return [m for _, _, m in found[:limit]]
