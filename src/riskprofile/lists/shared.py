"""What the official-lists package shares with the rest of the library (the profile
language, the columnar engine, the exchange), beyond :mod:`riskprofile.lists`.

The modules of this package are private; another part of riskprofile imports a lists
name from here (the library's own use; not promised to users): party watch lists
matched through trader identity (``match: trader``) and through partner PCUs' party
keys (``match: party_key``).
"""

from riskprofile.lists._party_keys import PARTY_KEY_PATTERN, KeyScreen, normal_party_key
from riskprofile.lists._screening import (
    DEFAULT_THRESHOLD,
    MATCH_COLUMNS,
    SCREENED_ROLES,
    Screen,
    ScreenedValues,
    ScreenMatch,
    TraderScreen,
    party_fields,
    screen_mask,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "MATCH_COLUMNS",
    "PARTY_KEY_PATTERN",
    "SCREENED_ROLES",
    "KeyScreen",
    "Screen",
    "ScreenMatch",
    "ScreenedValues",
    "TraderScreen",
    "normal_party_key",
    "party_fields",
    "screen_mask",
]
