"""Patterns only a history store can find, planted late in a generated history.

:func:`~riskprofile.synth.generate_history` plants them when asked
(``history_patterns=True``), from their own random stream and after the other patterns,
so that a history generated without them is what it always was. Each begins at
``late_start`` (two thirds into the period by default): the earlier part is the history a
store holds, the later part the traffic scored against it, and the document in hand
says nothing about any of them:

- ``renamed``: an importer caught often (40 % of its inspections), whose later
  declarations spell its name differently (another legal form, a letter dropped) and
  carry no identifier: only a trader resolved by its name finds its record;
- ``new_consignee``: the busiest shipper of the earlier part ships to an importer never
  seen before;
- ``route_change``: the busiest shipper-consignee pair of the earlier part loads at
  another port;
- ``undervalued_hs6``: a common HS6 code and origin declared at a quarter to a sixth of
  its usual value per kg - ordinary for the chapter, cheap only against the norm of its
  own HS6 and origin.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from riskprofile.model.shipment import Shipment
from riskprofile.synth._history_common import (
    PlantedPattern,
    _arrival_day,
    _divide_values,
    _sound,
)

if TYPE_CHECKING:
    from riskprofile.synth._history import _Planting

__all__ = ["HISTORY_PATTERNS", "HistoryPlanting", "respelled"]

Doc = dict[str, Any]

HISTORY_PATTERNS = ("renamed", "new_consignee", "route_change", "undervalued_hs6")
"""The names of the patterns only history finds, in the order they are planted."""

_RENAMED_SHARE = 0.012  # of the period's bills of lading, given to the renamed importer
_NEW_CONSIGNEE_SHARE = 0.8  # of the busy shipper's later bills, to the new consignee
_UNDERVALUED_SHARE = 0.5  # of the HS6 and origin's later bills of lading
_LEGAL_FORMS = (
    ("(PRIVATE) LIMITED", "Pvt. Ltd."),
    ("(PVT) LTD", "Private Limited"),
    ("PRIVATE LIMITED", "(Pvt.) Ltd."),
    ("LIMITED", "Ltd."),
    ("LTD", "Limited"),
    ("L.L.C.", "LLC"),
    ("LLC", "L.L.C."),
)


def respelled(name: str) -> str:
    """``name`` as a later declaration spells it: title case, another way of writing its
    legal form, and one letter dropped from its longest word (five letters or more).

    >>> respelled("NATIONAL IMPEX (PRIVATE) LIMITED")
    'Nationl Impex Pvt. Ltd.'
    """
    form = next(((old, new) for old, new in _LEGAL_FORMS if name.endswith(" " + old)), None)
    stem, suffix = (name[: -len(form[0]) - 1], form[1]) if form else (name, "")
    words = list(re.finditer(r"[A-Za-z]{5,}", stem))
    if words:
        word = max(words, key=lambda m: (len(m.group()), -m.start()))
        stem = stem[: word.end() - 2] + stem[word.end() - 1 :]
    text = re.sub(r"[A-Za-z]+", lambda m: m.group().capitalize(), stem)
    return f"{text} {suffix}".strip()


def _known_then_busy(sides: Counter[tuple[str, bool]]) -> Counter[str]:
    """Values counted before and after late_start, by the lesser of the two counts: the
    pattern needs both a history and traffic to score."""
    keys = {key for key, _ in sides}
    return Counter({k: n for k in keys if (n := min(sides[(k, False)], sides[(k, True)])) > 0})


class HistoryPlanting:
    """Plants :data:`HISTORY_PATTERNS` in the documents of a :class:`_Planting`, from the
    day ``late_start`` of the period on, with its own random stream."""

    def __init__(self, seed: int, planting: _Planting, late_start: float) -> None:
        import datetime as dt

        self.rng = random.Random(f"riskprofile.synth.history.late:{seed}")  # noqa: S311
        self.planting = planting
        self.begin = planting.start + dt.timedelta(days=math.floor(planting.days * late_start))
        self.carriers: dict[str, Callable[[int, Shipment], bool]] = {}

    def _late(self, index: int) -> bool:
        return _arrival_day(self.planting.documents[index]) >= self.begin

    def plant(self, taken: set[str]) -> tuple[PlantedPattern, ...]:
        """Plant the patterns; ``taken`` are the parties and chapters other patterns use
        (``consignee:NAME``, ``chapter:CC``), left alone."""
        p = self.planting
        bills = [(i, c) for i, doc in enumerate(p.documents) for c in doc["consignments"]]
        found = [
            self._renamed(bills),
            self._new_consignee(bills, taken),
            self._route_change(bills, taken),
            self._undervalued(bills, taken),
        ]
        return tuple(x for x in found if x is not None)

    def _pattern(self, name: str, kind: str, value: str, rate: float, text: str) -> PlantedPattern:
        return PlantedPattern(name, kind, value, rate, self.begin, text)

    def _renamed(self, bills: list[tuple[int, Doc]]) -> PlantedPattern | None:
        p = self.planting
        home = [(i, c) for i, c in bills if _sound(c) and c["consignee"]["country"] == p.country]
        if not home:
            return None
        party = p._new_party(p.country, "IMPEX", importer=True)
        later = dict(party, name=respelled(str(party["name"])), identifier=None)
        units: set[tuple[int, str]] = set()
        for index, c in home:
            if self.rng.random() < _RENAMED_SHARE * len(bills) / len(home):
                c["consignee"] = dict(later if self._late(index) else party)
                units.add((index, str(c["bl_number"])))
        self.carriers["renamed"] = lambda i, s: (i, str(s.bl_number)) in units
        return self._pattern(
            "renamed", "consignee", str(later["name"]), 0.4,
            f"importer {party['name']}, caught in about 40 % of its shipments, declares as "
            f"{later['name']} without its identifier from {self.begin.isoformat()} on",
        )  # fmt: skip

    def _busiest(self, counts: Counter[str]) -> str | None:
        return min(counts, key=lambda k: (-counts[k], k)) if counts else None

    def _new_consignee(
        self, bills: list[tuple[int, Doc]], taken: set[str]
    ) -> PlantedPattern | None:
        p = self.planting
        sides = Counter(
            (str(c["shipper"]["name"]), self._late(i))
            for i, c in bills
            if c["shipper"] and c["shipper"]["name"] and _sound(c)
            and f"shipper:{c['shipper']['name']}" not in taken
        )  # fmt: skip
        shipper = self._busiest(_known_then_busy(sides))
        if shipper is None:
            return None
        taken.add(f"shipper:{shipper}")
        party = p._new_party(p.country, "TRADERS", importer=True)
        units: set[tuple[int, str]] = set()
        for index, c in bills:
            if (
                self._late(index)
                and c["shipper"]
                and c["shipper"]["name"] == shipper
                and _sound(c)
                and self.rng.random() < _NEW_CONSIGNEE_SHARE
            ):
                c["consignee"] = dict(party)
                units.add((index, str(c["bl_number"])))
        self.carriers["new_consignee"] = lambda i, s: (i, str(s.bl_number)) in units
        return self._pattern(
            "new_consignee", "consignee", str(party["name"]), 0.35,
            f"{shipper}, shipping here since the start, ships to {party['name']}, never "
            f"seen before, from {self.begin.isoformat()} on",
        )  # fmt: skip

    def _route_change(self, bills: list[tuple[int, Doc]], taken: set[str]) -> PlantedPattern | None:
        p = self.planting
        sides: Counter[tuple[str, bool]] = Counter(
            (f"{c['shipper']['name']}>{c['consignee']['name']}", self._late(i))
            for i, c in bills
            if c["shipper"] and c["consignee"]
            and c["shipper"]["name"] and c["consignee"]["name"]
            and f"shipper:{c['shipper']['name']}" not in taken
            and "ORDER" not in str(c["consignee"]["name"])
            and c["port_of_loading"] and not str(c["port_of_loading"]).startswith(p.country)
        )  # fmt: skip
        pair = self._busiest(_known_then_busy(sides))
        if pair is None:
            return None
        shipper, consignee = pair.split(">", 1)
        old = Counter(
            str(c["port_of_loading"])
            for _, c in bills
            if c["shipper"] and c["consignee"] and c["shipper"]["name"] == shipper
            and c["consignee"]["name"] == consignee and c["port_of_loading"]
        )  # fmt: skip
        ports = Counter(
            str(c["port_of_loading"])
            for _, c in bills
            if c["port_of_loading"] and not str(c["port_of_loading"]).startswith(p.country)
            and str(c["port_of_loading"]) not in old
        )  # fmt: skip
        # Not the trafficking port of the ``loading_port`` pattern: a static list of ports
        # would find that one without any history.
        ports.pop(str(p.port), None)
        port = self._busiest(ports)
        if port is None:
            return None
        units: set[tuple[int, str]] = set()
        for index, c in bills:
            if (
                self._late(index)
                and c["shipper"]
                and c["consignee"]
                and c["shipper"]["name"] == shipper
                and c["consignee"]["name"] == consignee
            ):
                c["port_of_loading"] = port
                units.add((index, str(c["bl_number"])))
        self.carriers["route_change"] = lambda i, s: (i, str(s.bl_number)) in units
        return self._pattern(
            "route_change", "shipper_consignee", f"{pair}@{port}", 0.35,
            f"{shipper} to {consignee}, loaded at {', '.join(sorted(old))} before, loads at "
            f"{port} from {self.begin.isoformat()} on",
        )  # fmt: skip

    def _undervalued(self, bills: list[tuple[int, Doc]], taken: set[str]) -> PlantedPattern | None:
        def group(c: Doc) -> str | None:
            keys = {
                f"{str(g['hs_code'])[:6]}:{g['origin_country']}"
                for g in c["goods"]
                if g["hs_code"] and g["origin_country"]
            }
            if len(keys) != 1 or len(c["goods"]) != len([g for g in c["goods"] if g["hs_code"]]):
                return None
            key = keys.pop()
            return None if f"chapter:{key[:2]}" in taken else key

        counts = Counter((key, self._late(i)) for i, c in bills if (key := group(c)) is not None)
        chosen = self._busiest(_known_then_busy(counts))
        if chosen is None:
            return None
        units: set[tuple[int, str]] = set()
        for index, c in bills:
            if not self._late(index) or group(c) != chosen:
                continue
            if self.rng.random() >= _UNDERVALUED_SHARE:
                continue
            factor = Decimal(str(round(4 + 2 * self.rng.random(), 1)))
            _divide_values(c["goods"], factor)
            units.add((index, str(c["bl_number"])))
        self.carriers["undervalued_hs6"] = lambda i, s: (i, str(s.bl_number)) in units
        hs6, origin = chosen.split(":")
        return self._pattern(
            "undervalued_hs6", "hs6_origin", chosen, 0.3,
            f"HS {hs6} from {origin} declared at a quarter to a sixth of its usual value per "
            f"kg from {self.begin.isoformat()} on",
        )  # fmt: skip

    def carries(self, name: str, index: int, shipment: Shipment) -> bool:
        """Whether shipment ``shipment`` of manifest ``index`` carries pattern ``name``."""
        carrier = self.carriers.get(name)
        return carrier is not None and carrier(index, shipment)
