"""What the history store shares with the rest of the library (scoring, watch-list
screening, the exchange), beyond :mod:`riskprofile.history`.

The modules of this package are private; another part of riskprofile imports a history
name from :mod:`riskprofile.history` (the user API) or from here (the library's own use;
not promised to users): how a trader is named, and how history joins a frame.

``trader_name``, ``with_history``, ``with_history_shipments`` and ``HistorySource`` are
in the package's user API too: scoring takes them here, because the package brings the
store, whose outcomes are evaluation's, which imports scoring (an import cycle).
"""

from riskprofile.history._join import HistorySource, with_history, with_history_shipments
from riskprofile.history._keys import trader_name, trader_name_expr, trader_name_text

__all__ = [
    "HistorySource",
    "trader_name",
    "trader_name_expr",
    "trader_name_text",
    "with_history",
    "with_history_shipments",
]
