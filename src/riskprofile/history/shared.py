"""What the history store shares with the rest of the library (scoring, watch-list
screening, the exchange), beyond :mod:`riskprofile.history`.

The modules of this package are private; another part of riskprofile imports a history
name from here: importing it loads how a trader is named and how history joins a frame,
not the store (:mod:`riskprofile.history` loads the store and its backends). Not
promised to users.
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
