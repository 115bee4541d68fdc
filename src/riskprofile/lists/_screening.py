"""Party watch lists matched through trader identity, as the history store resolves
traders (:mod:`riskprofile.history._traders`).

A watch list declared with ``match: trader`` is compared with a party's name
(``consignee_name in $un_names``) through the party as a whole - its name, identifier and
country - and an entry is matched

1. **exactly**: the name as written is a value of the list (what a list without
   ``match: trader`` does, so no exact hit is lost), score 100;
2. by **identifier**: the party's identifier is an entry's ``identifier`` column
   (letters and digits, upper case: ``PK-123 4567`` is ``PK1234567``), score 100;
3. by **normalised name**: the party's name and the entry's value are one trader name
   (:func:`~riskprofile.history.trader_name`: legal forms stripped, Cyrillic
   transliterated, punctuation folded: ``KHAN LOGISTICS (PVT) LTD`` and ``Khan
   Logistics Private Limited`` are both ``KHAN LOGISTICS``), score 100;
4. by a **close name**: rapidfuzz ``ratio`` of the two trader names at least the list's
   ``threshold``, with the same first two letters and the same digits (``TRADER 12`` is
   not ``TRADER 13``), the best score winning, the first entry written on a tie.

As in the history store, an entry and a party that both have identifiers are one trader
only by identifier (steps 3 and 4 skip the entry), and an entry that gives a ``country``
(or ``countries``, ``;``-separated ISO codes) matches by name only a party of one of them
or of no known country. Only entries in force at the evaluation time take part.

The list side is prepared once per list (:class:`TraderScreen`); each distinct party is
matched once per set of values in force (:class:`ScreenedValues` keeps the answers), so
a batch's cost is its distinct parties, not its rows. Both engines call the same code:
the row-wise engine for the party of each record, the columnar engine for the batch's
distinct parties at once (:func:`screen_mask`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import polars as pl

    from riskprofile.profiles import ListEntry

__all__ = [
    "DEFAULT_THRESHOLD",
    "MATCH_COLUMNS",
    "SCREENED_ROLES",
    "Party",
    "Screen",
    "ScreenMatch",
    "ScreenedValues",
    "TraderScreen",
    "party_fields",
    "screen_mask",
]

DEFAULT_THRESHOLD = 90.0
"""The least rapidfuzz ``ratio`` (0-100) of two trader names for a close-name match when
the list does not give its own ``threshold`` (the history store's, ``KHAN LOGISTIC`` /
``KHAN LOGISTICS``: 96)."""

MATCH_COLUMNS = ("match", "method", "score", "party")
"""What an explanation may quote of a trader list's match besides the entry's columns:
``{$list.match}`` the sentence (``matched KHAN LOGISTIC PRIVATE LIMITED as KHAN LOGISTICS
(PVT) LTD, score 96.3``), ``{$list.method}`` (exact, identifier, name, fuzzy),
``{$list.score}`` and ``{$list.party}`` (the party's name as the shipment writes it)."""

SCREENED_ROLES = ("shipper", "consignee", "notify", "declarant", "freight_payer")
"""The parties whose ``<role>_name`` a trader list may be compared with."""

_MAX_REMEMBERED = 500_000  # distinct parties kept per set of values in force

Party = tuple[str | None, str | None, str | None]
"""A party as it is matched: (identifier, name, country)."""


@cache
def party_fields(role: str) -> tuple[str | None, str, str | None]:
    """The (identifier, name, country) fields of the ``role`` party (None: the shipment
    has no such field)."""
    from riskprofile.model.shipment import field_catalogue

    names = {f.name for f in field_catalogue()}
    identifier, country = f"{role}_identifier", f"{role}_country"
    return (
        identifier if identifier in names else None,
        f"{role}_name",
        country if country in names else None,
    )


@dataclass(frozen=True, slots=True)
class ScreenMatch:
    """A party matched to a list entry, and how.

    Attributes:
        entry: the list entry.
        party: the party's name as the shipment writes it.
        method: ``exact``, ``identifier``, ``name``, ``fuzzy``, or ``key`` (a partner's
            party key under the secret the two PCUs share: ``match: party_key``).
        score: 100 but for a close name (rapidfuzz ``ratio``, one decimal).
    """

    entry: ListEntry
    party: str
    method: Literal["exact", "identifier", "name", "fuzzy", "key"]
    score: float

    @property
    def listed(self) -> str:
        """The entry as the list writes it (its ``matched_name`` column when it has
        one, as the official lists imported by ``lists import`` do)."""
        return self.entry.columns.get("matched_name") or str(self.entry.value)

    def sentence(self) -> str:
        """How the party matched, for the officer."""
        if self.method == "exact":
            return f"matched {self.party} exactly"
        if self.method == "identifier":
            return f"matched {self.party} as {self.listed} by identifier"
        if self.method == "name":
            return f"matched {self.party} as {self.listed}, the same name"
        if self.method == "key":
            columns = self.entry.columns
            warning = columns.get("message_id") or "?"
            source = columns.get("source") or columns.get("sender") or "a partner PCU"
            return (f"party {self.party} matched warning {warning} from {source} through "
                    "the shared key")  # fmt: skip
        return f"matched {self.party} as {self.listed}, score {self.score:g}"

    def column(self, name: str) -> str:
        """``{$list.<name>}`` of :data:`MATCH_COLUMNS`."""
        if name == "match":
            return self.sentence()
        if name == "method":
            return self.method
        if name == "score":
            return f"{self.score:g}"
        return self.party


def _identifier(text: str | None) -> str:
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def _block(name: str) -> str:
    return name[:2] + "|" + re.sub(r"[^0-9]", "", name)


def _trader_names(names: Sequence[str | None]) -> list[str | None]:
    """:func:`~riskprofile.history.trader_name` of each name, column-wise."""
    import polars as pl

    from riskprofile.history.shared import trader_name_expr

    frame = pl.DataFrame({"name": list(names)}, schema={"name": pl.String})
    return frame.select(trader_name_expr(pl.col("name")))["name"].to_list()


def _codes(text: str | None) -> frozenset[str]:
    return frozenset(c.strip().upper() for c in (text or "").split(";") if c.strip())


class TraderScreen:
    """A trader list's entries prepared for matching, once per list.

    >>> from riskprofile.profiles._compiled import ListEntry
    >>> screen = TraderScreen((ListEntry("KHAN LOGISTICS (PVT) LTD", columns={"country": "PK"}),))
    >>> values = ScreenedValues({"KHAN LOGISTICS (PVT) LTD"}, screen)
    >>> values.match((None, "KHAN LOGISTIC PRIVATE LIMITED", "PK")).sentence()
    'matched KHAN LOGISTIC PRIVATE LIMITED as KHAN LOGISTICS (PVT) LTD, score 96.3'
    >>> values.match((None, "KHAN LOGISTIC PRIVATE LIMITED", "AE")) is None
    True
    """

    def __init__(self, entries: Sequence[ListEntry], threshold: float = DEFAULT_THRESHOLD) -> None:
        self.entries = tuple(entries)
        self.threshold = threshold
        names = _trader_names([str(e.value) for e in self.entries])
        self._names = names
        self._ids = [_identifier(e.columns.get("identifier")) for e in self.entries]
        self._countries = [
            _codes(e.columns.get("country") or e.columns.get("countries")) for e in self.entries
        ]
        self._by_id: dict[str, list[int]] = {}
        self._by_name: dict[str, list[int]] = {}
        self._by_block: dict[str, list[int]] = {}
        # The first entry of each value (the one an exact hit is explained by).
        self._by_value: dict[Any, int] = {}
        for index, entry in enumerate(self.entries):
            self._by_value.setdefault(entry.value, index)
        for index, (name, ident) in enumerate(zip(names, self._ids, strict=True)):
            if ident:
                self._by_id.setdefault(ident, []).append(index)
            if name is not None:
                self._by_name.setdefault(name, []).append(index)
                self._by_block.setdefault(_block(name), []).append(index)

    def _by_name_ok(self, index: int, identifier: str, country: str | None) -> bool:
        if identifier and self._ids[index]:
            return False  # two identifiers: one trader only by identifier
        codes = self._countries[index]
        return not codes or not country or country.upper() in codes

    def match(self, party: Party, trader: str | None, in_force: set[Any]) -> ScreenMatch | None:
        """The entry ``party`` is, among the entries whose value is ``in_force``
        (``trader``: the party name's trader name), or None."""
        identifier_text, name, country = party
        shown = name or identifier_text or ""
        if name is not None and name in in_force and name in self._by_value:
            return ScreenMatch(self.entries[self._by_value[name]], shown, "exact", 100.0)
        identifier = _identifier(identifier_text)
        for index in self._by_id.get(identifier, ()) if identifier else ():
            if self.entries[index].value in in_force:
                return ScreenMatch(self.entries[index], shown, "identifier", 100.0)
        if trader is None:
            return None
        for index in self._by_name.get(trader, ()):
            if self.entries[index].value in in_force and self._by_name_ok(
                index, identifier, country
            ):
                return ScreenMatch(self.entries[index], shown, "name", 100.0)
        candidates = [
            i
            for i in self._by_block.get(_block(trader), ())
            if self.entries[i].value in in_force and self._by_name_ok(i, identifier, country)
        ]
        if not candidates:
            return None
        from rapidfuzz import fuzz, process

        best = process.extractOne(
            trader,
            [self._names[i] for i in candidates],
            scorer=fuzz.ratio,
            score_cutoff=self.threshold,
        )
        if best is None:
            return None
        return ScreenMatch(self.entries[candidates[best[2]]], shown, "fuzzy", round(best[1], 1))


class Screen(Protocol):
    """How a list's entries are matched to a party: :class:`TraderScreen`, or
    :class:`~riskprofile.lists._party_keys.KeyScreen` (``match: party_key``)."""

    entries: tuple[ListEntry, ...]

    def match(self, party: Party, trader: str | None, in_force: set[Any]) -> ScreenMatch | None:
        """The entry in force that ``party`` is (``trader``: its name's trader name)."""


class ScreenedValues(set[Any]):
    """The values of a trader list in force at one evaluation time (``$name``: a set,
    as every list's value is), with the list's :class:`TraderScreen` and the answers
    for the parties matched so far."""

    __slots__ = ("_answers", "screen")

    def __init__(self, values: Iterable[Any], screen: Screen) -> None:
        super().__init__(values)
        self.screen = screen
        self._answers: dict[Party, ScreenMatch | None] = {}

    def match(self, party: Party) -> ScreenMatch | None:
        """The entry in force that ``party`` is, or None (remembered)."""
        answers = self._answers
        if party in answers:
            return answers[party]
        from riskprofile.history.shared import trader_name_text

        # One name: in Python (a Polars query per party would cost ~1,000 times more).
        self.remember([party], [trader_name_text(party[1])])
        return answers[party]

    def remember(self, parties: Sequence[Party], traders: Sequence[str | None]) -> None:
        """Match ``parties`` (distinct, not yet matched; ``traders``: their names'
        trader names) and keep the answers."""
        if len(self._answers) + len(parties) > _MAX_REMEMBERED:
            self._answers.clear()
        for party, trader in zip(parties, traders, strict=True):
            self._answers[party] = self.screen.match(party, trader, self)

    def matches(self, parties: Sequence[Party]) -> list[ScreenMatch | None]:
        """The answer for each of ``parties`` (each distinct party matched once; the
        names normalised column-wise)."""
        new = [p for p in dict.fromkeys(parties) if p not in self._answers]
        if new:
            self.remember(new, _trader_names([p[1] for p in new]))
        answers = self._answers
        if len(answers) < len(set(parties)):  # forgotten while matching: match again
            return [self.match(p) for p in parties]
        return [answers[p] for p in parties]


def screen_mask(values: ScreenedValues, columns: Sequence[pl.Series | None]) -> pl.Series:
    """Whether each row's party (``columns``: identifier, name, country; None for a
    field the party has not) is an entry of ``values``: the rows' distinct parties are
    matched once each. A null name is never matched."""
    import polars as pl

    height = next(len(c) for c in columns if c is not None)
    empty = pl.Series([None] * height, dtype=pl.String)
    parts = {f"p{i}": c.cast(pl.String) if c is not None else empty for i, c in enumerate(columns)}
    frame = pl.DataFrame(parts)
    distinct = frame.filter(pl.col("p1").is_not_null()).unique(maintain_order=True)
    parties: list[Party] = list(distinct.iter_rows())
    found = [m is not None for m in values.matches(parties)]
    keyed = distinct.with_columns(pl.Series("hit", found, dtype=pl.Boolean))
    joined = frame.join(keyed, on=list(parts), how="left", nulls_equal=True, maintain_order="left")
    return joined["hit"].fill_null(False)
