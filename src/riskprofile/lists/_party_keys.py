"""Party watch lists of partner PCUs' party keys (``match: party_key``): a party warning
sent under a redaction policy that hashes names carries no name, only its key - HMAC-
SHA256, under the secret the two PCUs share, of the name normalised as the history store
resolves traders (:func:`~riskprofile.history.trader_name`). The partner's import writes
the keys into ``partner_warning_party_keys.csv``; a profile reads it as a list declared
``match: party_key`` with ``secret_env`` naming the environment variable that holds the
secret, and ``consignee_name in $partner_party_keys`` holds when the consignee's name,
normalised and keyed the same way, is a key in force.

:class:`KeyScreen` has :class:`~riskprofile.lists._screening.TraderScreen`'s interface,
so both engines match through the code that matches trader lists: the row-wise engine
the party of each record, the columnar engine the batch's distinct parties at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from riskprofile.lists._screening import Party, ScreenMatch

if TYPE_CHECKING:
    from riskprofile.profiles import ListEntry

__all__ = ["PARTY_KEY_PATTERN", "KeyScreen", "normal_party_key"]

PARTY_KEY_PATTERN = re.compile(r"pk1:[0-9a-f]{64}")
"""A party key as messages carry it: ``pk1:`` and 64 hex digits."""


def normal_party_key(normal: str, secret: str) -> str:
    """The party key of a name already normalised (:func:`~riskprofile.history.trader_name`)
    under ``secret``: ``pk1:`` and the hex HMAC-SHA256."""
    digest = hmac.new(secret.encode("utf-8"), normal.encode("utf-8"), hashlib.sha256)
    return "pk1:" + digest.hexdigest()


class KeyScreen:
    """A party-key list's entries, matched by key under one secret.

    >>> from riskprofile.profiles._compiled import ListEntry
    >>> key = normal_party_key("KHAN LOGISTICS", "s3cret")
    >>> screen = KeyScreen((ListEntry(key, columns={"source": "PK-KHI", "message_id": "w-1"}),),
    ...                    "s3cret")
    >>> screen.match((None, "Khan Logistics (Pvt.) Ltd.", None), "KHAN LOGISTICS", {key}).sentence()
    'party Khan Logistics (Pvt.) Ltd. matched warning w-1 from PK-KHI through the shared key'
    """

    def __init__(self, entries: Sequence[ListEntry], secret: str) -> None:
        if not secret:
            raise ValueError("a party-key list needs the secret the two PCUs share")
        self.entries = tuple(entries)
        self._secret = secret
        self._by_key: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            self._by_key.setdefault(str(entry.value), []).append(index)

    def match(self, party: Party, trader: str | None, in_force: set[Any]) -> ScreenMatch | None:
        """The entry in force whose key is the party's (``trader``: its name's trader
        name, keyed under the secret), or None."""
        if trader is None:
            return None
        key = normal_party_key(trader, self._secret)
        for index in self._by_key.get(key, ()):
            entry = self.entries[index]
            if entry.value in in_force:
                return ScreenMatch(entry, party[1] or party[0] or "", "key", 100.0)
        return None
